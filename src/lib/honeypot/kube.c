/* Kubernetes emulation: an API server (6443) that lets anonymous clients list and create pods,
 * and a kubelet (10250) whose /run and /exec endpoints accept commands, the two
 * misconfigurations attacks exploit. Both path sets are answered on every Kubernetes listener;
 * with --kube-tls the listeners speak TLS with a self-signed certificate (tls.c). Nothing is
 * scheduled or run: pod specs (images, commands, privileged, host paths) and commands are
 * recorded. */
#include "util/common.h"
#include "util/json.h"
#include "honeypot/hp.h"

#define BODY_JSON_DEPTH 64
#define BODY_JSON_ARENA ((size_t)2 << 20)
#define LIST_MAX	64   /* containers, volumes, command words recorded */
#define COMMAND_MAX	4096 /* bytes of one container's joined command line */

static const char version_json[] =
	"{\"major\":\"1\",\"minor\":\"21\",\"gitVersion\":\"v1.21.14\",\"gitCommit\":"
	"\"0f77da5bd4809927e15d1658fb4aa8f13ad890a5\",\"gitTreeState\":\"clean\",\"buildDate\":"
	"\"2022-06-15T14:11:36Z\",\"goVersion\":\"go1.16.15\",\"compiler\":\"gc\",\"platform\":"
	"\"linux/amd64\"}";

static const char pods_json[] =
	"{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":"
	"\"48213977\"},\"items\":["
	"{\"metadata\":{\"name\":\"web-7d4b9c6f5d-x2lqp\",\"namespace\":\"default\",\"uid\":"
	"\"2f9c1a4e-8b3d-4e5f-9a6b-1c2d3e4f5a6b\",\"labels\":{\"app\":\"web\"}},\"spec\":{"
	"\"containers\":"
	"[{\"name\":\"web\",\"image\":\"nginx:1.23\"}],\"nodeName\":\"worker-1\"},\"status\":{"
	"\"phase\":"
	"\"Running\",\"podIP\":\"10.244.1.17\"}},"
	"{\"metadata\":{\"name\":\"coredns-558bd4d5db-8vhnz\",\"namespace\":\"kube-system\","
	"\"uid\":"
	"\"7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\",\"labels\":{\"k8s-app\":\"kube-dns\"}},\"spec\":"
	"{\"containers\":[{\"name\":\"coredns\",\"image\":\"k8s.gcr.io/coredns/coredns:v1.8.0\"}],"
	"\"nodeName\":\"worker-1\"},\"status\":{\"phase\":\"Running\",\"podIP\":\"10.244.1.2\"}}]}";

static const char not_found_json[] =
	"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
	"\"message\":"
	"\"the server could not find the requested "
	"resource\",\"reason\":\"NotFound\",\"details\":{},\"code\":404}";

static const ld_json *body_json(ld_arena *a, const ld_http_req *r)
{
	ld_json *v = NULL;
	ld_json_limits lim = {BODY_JSON_DEPTH, BODY_JSON_ARENA};
	lading_ctx *ctx = NULL;
	if (!r->body.len || lading_ctx_new(&ctx) != 0)
		return NULL;
	if (ld_json_parse(&v, a, r->body.ptr, r->body.len, &lim, ctx, "body") != 0)
		v = NULL;
	lading_ctx_free(ctx);
	return v;
}

/* "command... args..." of one container, space-joined. */
static void join_command(const ld_json *ct, ld_buf *b)
{
	const char *keys[] = {"command", "args"};
	const ld_json *it;
	for (size_t k = 0; k < 2; k++) {
		ld_json_foreach_item(ld_json_get(ct, keys[k]), i, it)
		{
			if (i >= LIST_MAX || !ld_json_is(it, LD_JSON_STRING))
				break;
			if (b->len)
				ld_buf_addc(b, ' ');
			ld_buf_addslice(b, ld_json_slice(it));
		}
	}
}

/* Record what a pod spec asks for (a Pod's spec or a workload's spec.template.spec). */
static void pod_spec(ld_hp_conn *c, const ld_json *spec)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	const char *lists[] = {"containers", "initContainers"};
	const ld_json *ct, *vol;
	bool privileged = false;
	ld_jw_key(&sh->jw, "images");
	ld_jw_arr(&sh->jw);
	for (size_t l = 0; l < 2; l++)
		ld_json_foreach_item(ld_json_get(spec, lists[l]), i, ct)
		{
			const char *img = ld_json_get_str(ct, "image");
			if (i >= LIST_MAX)
				break;
			if (img)
				ld_hp_str(c, img, strlen(img));
			privileged = privileged || ld_json_bool(ld_json_getp(ct, "securityContext",
									     "privileged", NULL),
								false);
		}
	ld_jw_arr_end(&sh->jw);
	ld_jw_key(&sh->jw, "commands");
	ld_jw_arr(&sh->jw);
	for (size_t l = 0; l < 2; l++)
		ld_json_foreach_item(ld_json_get(spec, lists[l]), i, ct)
		{
			ld_buf b;
			if (i >= LIST_MAX)
				break;
			ld_buf_init(&b, COMMAND_MAX);
			join_command(ct, &b);
			if (b.len)
				ld_hp_str(c, b.ptr, b.len);
			ld_buf_release(&b);
		}
	ld_jw_arr_end(&sh->jw);
	ld_jw_kbool(&sh->jw, "privileged", privileged);
	ld_jw_kbool(&sh->jw, "host_pid", ld_json_bool(ld_json_get(spec, "hostPID"), false));
	ld_jw_kbool(&sh->jw, "host_network", ld_json_bool(ld_json_get(spec, "hostNetwork"), false));
	ld_jw_key(&sh->jw, "host_paths");
	ld_jw_arr(&sh->jw);
	ld_json_foreach_item(ld_json_get(spec, "volumes"), i, vol)
	{
		const char *p = ld_json_str(ld_json_getp(vol, "hostPath", "path", NULL));
		if (i >= LIST_MAX)
			break;
		if (p)
			ld_hp_str(c, p, strlen(p));
	}
	ld_jw_arr_end(&sh->jw);
	if (ld_json_get_str(spec, "nodeName"))
		ld_hp_kstr(c, "node_name", ld_json_get_str(spec, "nodeName"),
			   strlen(ld_json_get_str(spec, "nodeName")));
}

static void create(ld_hp_conn *c, const ld_http_req *r, ld_slice ns, ld_slice kind)
{
	ld_arena a;
	const ld_json *v, *spec;
	const char *name;
	bool pod = ld_slice_eq_cstr(kind, "pods");
	char reply[1024];
	ld_buf b;
	ld_arena_init(&a, BODY_JSON_ARENA);
	v = body_json(&a, r);
	spec = pod ? ld_json_get(v, "spec") : ld_json_getp(v, "spec", "template", "spec", NULL);
	name = ld_json_str(ld_json_getp(v, "metadata", "name", NULL));
	ld_hp_http_event(c, pod ? "kube.pod.create" : "kube.workload.create", r);
	ld_hp_kslice(c, "namespace", ns);
	if (!pod)
		ld_hp_kslice(c, "kind", kind);
	if (name)
		ld_hp_kstr(c, "name", name, strlen(name));
	if (spec)
		pod_spec(c, spec);
	ld_hp_event_end(c);

	if (!v) {
		ld_hp_http_json(c, r, 400,
				"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
				"\"status\":\"Failure\","
				"\"message\":\"the object provided is "
				"unrecognized\",\"reason\":\"BadRequest\",\"code\":400}");
		ld_arena_release(&a);
		return;
	}
	/* echo the name and namespace back as a created object would */
	ld_buf_init(&b, sizeof(reply));
	ld_buf_adds(&b, "{\"kind\":\"");
	ld_buf_adds(&b, pod ? "Pod" : "Deployment");
	ld_buf_adds(&b, "\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"");
	ld_hp_json_inner(&b, name ? name : "pod");
	ld_buf_adds(&b, "\",\"namespace\":\"");
	{
		char nsbuf[256];
		ld_slice_copy(nsbuf, sizeof(nsbuf), ns);
		ld_hp_json_inner(&b, nsbuf);
	}
	{
		char uid[33];
		ld_hp_hex_id(uid, 16);
		ld_buf_addf(&b,
			    "\",\"uid\":\"%.8s-%.4s-%.4s-%.4s-%.12s\",\"resourceVersion\":"
			    "\"48213991\"},"
			    "\"status\":{\"phase\":\"Pending\"}}",
			    uid, uid + 8, uid + 12, uid + 16, uid + 20);
	}
	if (!ld_buf_error(&b))
		ld_hp_http_reply(c, r, 201, "application/json", NULL, b.ptr, b.len);
	else
		ld_hp_http_json(c, r, 500, "{}");
	ld_buf_release(&b);
	ld_arena_release(&a);
}

/* kubelet /run/{ns}/{pod}/{container}: the command is the form field "cmd". */
static void kubelet_run(ld_hp_conn *c, const ld_http_req *r, const ld_slice *seg, size_t n)
{
	char cmd[LD_HP_FIELD_MAX];
	ld_slice body = r->body;
	bool have = ld_http_query_get(body, "cmd", cmd, sizeof(cmd)) ||
		    ld_http_query_get(r->query, "cmd", cmd, sizeof(cmd));
	ld_hp_http_event(c, "kube.run", r);
	if (n >= 2)
		ld_hp_kslice(c, "namespace", seg[1]);
	if (n >= 3)
		ld_hp_kslice(c, "pod", seg[2]);
	if (n >= 4)
		ld_hp_kslice(c, "container", seg[3]);
	if (have)
		ld_hp_kstr(c, "cmd", cmd, strlen(cmd));
	ld_hp_event_end(c);
	ld_hp_http_reply(c, r, 200, "text/plain; charset=utf-8", NULL, "", 0);
}

/* kubelet /exec/{ns}/{pod}/{container}?command=a&command=b: record, then ask for the stream
 * upgrade a real kubelet requires (we never grant it). */
static void kubelet_exec(ld_hp_conn *c, const ld_http_req *r, const ld_slice *seg, size_t n)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	ld_slice q = r->query, name, value;
	size_t words = 0;
	ld_hp_http_event(c, "kube.exec", r);
	if (n >= 2)
		ld_hp_kslice(c, "namespace", seg[1]);
	if (n >= 3)
		ld_hp_kslice(c, "pod", seg[2]);
	if (n >= 4)
		ld_hp_kslice(c, "container", seg[3]);
	ld_jw_key(&sh->jw, "command");
	ld_jw_arr(&sh->jw);
	while (ld_http_query_next(&q, &name, &value) && words < LIST_MAX) {
		char word[1024];
		if (!ld_slice_eq_cstr(name, "command"))
			continue;
		ld_http_unescape(value, true, word, sizeof(word));
		ld_hp_str(c, word, strlen(word));
		words++;
	}
	ld_jw_arr_end(&sh->jw);
	ld_hp_event_end(c);
	ld_hp_http_reply(c, r, 400, "text/plain; charset=utf-8", NULL, "Upgrade request required",
			 24);
}

static void generic(ld_hp_conn *c, const ld_http_req *r, const char *eventid, int status,
		    const char *json)
{
	ld_hp_http_event(c, eventid, r);
	ld_hp_event_end(c);
	ld_hp_http_json(c, r, status, json);
}

static void route(ld_hp_conn *c, const ld_http_req *r)
{
	ld_slice seg[10];
	size_t n = ld_hp_http_segments(r->path, seg, LD_ARRAY_LEN(seg));
	bool get = ld_slice_eq_cstr(r->method, "GET") || ld_slice_eq_cstr(r->method, "HEAD");
	bool post = ld_slice_eq_cstr(r->method, "POST");

	if (n == 1 && get && ld_slice_eq_cstr(seg[0], "version")) {
		generic(c, r, "kube.version", 200, version_json);
	} else if (n == 1 && get &&
		   (ld_slice_eq_cstr(seg[0], "healthz") || ld_slice_eq_cstr(seg[0], "livez") ||
		    ld_slice_eq_cstr(seg[0], "readyz"))) {
		ld_hp_http_event(c, "kube.request", r);
		ld_hp_event_end(c);
		ld_hp_http_reply(c, r, 200, "text/plain; charset=utf-8", NULL, "ok", 2);
	} else if (n == 1 && get && ld_slice_eq_cstr(seg[0], "api")) {
		generic(c, r, "kube.request", 200,
			"{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],"
			"\"serverAddressByClientCIDRs\":[{\"clientCIDR\":"
			"\"0.0.0.0/0\",\"serverAddress\":\"172.31.24.117:6443\"}]}");
	} else if (get &&
		   ((n == 3 && ld_slice_eq_cstr(seg[0], "api") &&
		     ld_slice_eq_cstr(seg[2], "pods")) ||
		    (n == 5 && ld_slice_eq_cstr(seg[0], "api") &&
		     ld_slice_eq_cstr(seg[2], "namespaces") && ld_slice_eq_cstr(seg[4], "pods")) ||
		    (n == 1 && (ld_slice_eq_cstr(seg[0], "pods") ||
				ld_slice_eq_cstr(seg[0], "runningpods"))))) {
		generic(c, r, "kube.pod.list", 200, pods_json);
	} else if (get && ((n == 3 && ld_slice_eq_cstr(seg[0], "api") &&
			    ld_slice_eq_cstr(seg[2], "secrets")) ||
			   (n == 5 && ld_slice_eq_cstr(seg[0], "api") &&
			    ld_slice_eq_cstr(seg[4], "secrets")))) {
		generic(c, r, "kube.secret.list", 200,
			"{\"kind\":\"SecretList\",\"apiVersion\":\"v1\",\"metadata\":{"
			"\"resourceVersion\":\"48213977\"},"
			"\"items\":[]}");
	} else if (post && n == 5 && ld_slice_eq_cstr(seg[0], "api") &&
		   ld_slice_eq_cstr(seg[2], "namespaces") && ld_slice_eq_cstr(seg[4], "pods")) {
		create(c, r, seg[3], seg[4]);
	} else if (post && n == 6 && ld_slice_eq_cstr(seg[0], "apis") &&
		   ld_slice_eq_cstr(seg[3], "namespaces") &&
		   (ld_slice_eq_cstr(seg[5], "deployments") ||
		    ld_slice_eq_cstr(seg[5], "daemonsets") || ld_slice_eq_cstr(seg[5], "jobs") ||
		    ld_slice_eq_cstr(seg[5], "cronjobs"))) {
		create(c, r, seg[4], seg[5]);
	} else if (post && n >= 1 && ld_slice_eq_cstr(seg[0], "run")) {
		kubelet_run(c, r, seg, n);
	} else if (n >= 1 && ld_slice_eq_cstr(seg[0], "exec")) {
		kubelet_exec(c, r, seg, n);
	} else {
		generic(c, r, "kube.request", 404, not_found_json);
	}
}

size_t ld_hp_kube_on_data(ld_hp_conn *c, const char *p, size_t n)
{
	return ld_hp_http_on_data(c, p, n, route);
}
