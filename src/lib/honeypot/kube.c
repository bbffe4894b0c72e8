/* Kubernetes emulation: an API server (6443) that lets anonymous clients discover its API, read
 * every object of a small decoy cluster (kubeobj.c) and create pods and workloads (shown back in
 * that source's later lists), and a kubelet (10250) whose /run and /exec endpoints accept
 * commands, the two misconfigurations attacks exploit. Both path sets are answered on every Kubernetes listener;
 * with --kube-tls the listeners speak TLS with a self-signed certificate (tls.c). Nothing is
 * scheduled or run: pod specs (images, commands, privileged, host paths) and commands are
 * recorded. */
#include "util/common.h"
#include "util/json.h"
#include "honeypot/hp.h"
#include "honeypot/kube.h"

#define BODY_JSON_DEPTH 64
#define LIST_MAX	64   /* containers, volumes, command words recorded */
#define COMMAND_MAX	4096 /* bytes of one container's joined command line */

static const char version_json[] =
	"{\"major\":\"1\",\"minor\":\"21\",\"gitVersion\":\"v1.21.14\",\"gitCommit\":"
	"\"0f77da5bd4809927e15d1658fb4aa8f13ad890a5\",\"gitTreeState\":\"clean\",\"buildDate\":"
	"\"2022-06-15T14:11:36Z\",\"goVersion\":\"go1.16.15\",\"compiler\":\"gc\",\"platform\":"
	"\"linux/amd64\"}";

static const char not_found_json[] =
	"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
	"\"message\":"
	"\"the server could not find the requested "
	"resource\",\"reason\":\"NotFound\",\"details\":{},\"code\":404}";

static bool protobuf_body(const ld_http_req *r)
{
	return r->body.len &&
	       ld_slice_find_str(ld_http_header_get(r, "content-type"), LD_SLICE_LIT("protobuf")) >= 0;
}

/* The request's object: JSON as sent, or a protobuf one rewritten as JSON (kubepb.c). */
static const ld_json *body_json(ld_arena *a, const ld_http_req *r)
{
	const ld_json *v;
	ld_buf pb;
	if (!protobuf_body(r))
		return ld_hp_json_body(a, r->body, BODY_JSON_DEPTH);
	ld_buf_init(&pb, 2 * LD_HTTP_MAX_BODY);
	v = ld_hp_kube_pb_json(r->body, &pb) == 0 ? ld_hp_json_body(a, ld_buf_slice(&pb),
								      BODY_JSON_DEPTH)
						  : NULL;
	ld_buf_release(&pb);
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

/* Remember a created pod or workload for the source's later lists. */
static void remember(ld_hp_conn *c, const ld_kube_res *res, ld_slice ns, const char *name,
		     const ld_json *v, const ld_json *spec)
{
	const ld_json *ct = ld_json_at(ld_json_get(spec, "containers"), 0);
	ld_hp_obj *o = ld_hp_state_add(c, res->name);
	ld_buf b;
	if (!o)
		return;
	ld_slice_copy(o->ns, sizeof(o->ns), ns);
	ld_strlcpy(o->name, name, sizeof(o->name));
	ld_strlcpy(o->image, ld_json_str_or(ld_json_get(ct, "image"), ""), sizeof(o->image));
	ld_strlcpy(o->extra, ld_json_str_or(ld_json_getp(v, "spec", "schedule", NULL), ""),
		   sizeof(o->extra));
	ld_buf_init(&b, sizeof(o->cmd) - 1);
	join_command(ct, &b);
	ld_strlcpy(o->cmd, b.len ? b.ptr : "", sizeof(o->cmd));
	ld_buf_release(&b);
}

/* The pod spec of an object: a Pod's spec, a workload's template, a CronJob's job template. */
static const ld_json *object_pod_spec(const ld_json *v, const ld_kube_res *res)
{
	if (!strcmp(res->name, "pods"))
		return ld_json_get(v, "spec");
	if (!strcmp(res->name, "cronjobs"))
		return ld_json_getp(v, "spec", "jobTemplate", "spec", "template", "spec", NULL);
	return ld_json_getp(v, "spec", "template", "spec", NULL);
}

static void create(ld_hp_conn *c, const ld_http_req *r, ld_slice ns, const ld_kube_res *res)
{
	ld_arena a;
	const ld_json *v, *spec;
	char name[72];
	bool pod = !strcmp(res->name, "pods");
	ld_buf b;
	ld_arena_init(&a, LD_HP_BODY_JSON_ARENA);
	v = body_json(&a, r);
	spec = object_pod_spec(v, res);
	ld_strlcpy(name, ld_json_str_or(ld_json_getp(v, "metadata", "name", NULL), ""),
		   sizeof(name));
	if (!name[0]) {
		/* generateName, as kubectl create job / run with --generate-name send */
		char sfx[6];
		ld_hp_hex_id(sfx, 2);
		ld_snprintf(name, sizeof(name), "%s%s",
			    ld_json_str_or(ld_json_getp(v, "metadata", "generateName", NULL),
					   "pod-"),
			    sfx);
	}
	ld_hp_http_event(c, pod ? "kube.pod.create" : "kube.workload.create", r);
	ld_hp_kslice(c, "namespace", ns);
	ld_hp_kstr(c, "kind", res->name, strlen(res->name));
	ld_hp_kstr(c, "name", name, strlen(name));
	if (spec)
		pod_spec(c, spec);
	ld_hp_event_end(c);

	if (!v || !ld_json_is(v, LD_JSON_OBJECT)) {
		ld_hp_http_json(c, r, 400,
				"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
				"\"status\":\"Failure\","
				"\"message\":\"the object provided is "
				"unrecognized\",\"reason\":\"BadRequest\",\"code\":400}");
		ld_arena_release(&a);
		return;
	}
	if (!ld_http_query_get(r->query, "dryRun", (char[8]){0}, 8))
		remember(c, res, ns, name, v, spec);
	/* the object as the source will list it from now on */
	ld_buf_init(&b, 64 * 1024);
	{
		char nsbuf[64];
		ld_slice_copy(nsbuf, sizeof(nsbuf), ns);
		if (!ld_hp_kube_list(&b, res, nsbuf, name, true, false,
				     ld_hp_source_state(c, false))) {
			ld_buf_clear(&b);
			ld_buf_addf(&b, "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{"
					"\"name\":\"",
				    res->kind, res->gv);
			ld_hp_json_inner(&b, name);
			ld_buf_adds(&b, "\",\"namespace\":\"");
			ld_hp_json_inner(&b, nsbuf);
			ld_buf_adds(&b, "\"},\"status\":{\"phase\":\"Pending\"}}");
		}
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

/* The argv of an exec ("command" parameters, in order), recorded; *line gets the command line
 * a shell would run ("sh -c LINE" is LINE). */
static void exec_command(ld_hp_conn *c, const ld_http_req *r, ld_buf *line)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	ld_slice q = r->query, name, value;
	size_t words = 0;
	bool dash_c = false;
	ld_jw_key(&sh->jw, "command");
	ld_jw_arr(&sh->jw);
	while (ld_http_query_next(&q, &name, &value) && words < LIST_MAX) {
		char word[1024];
		if (!ld_slice_eq_cstr(name, "command"))
			continue;
		ld_http_unescape(value, true, word, sizeof(word));
		ld_hp_str(c, word, strlen(word));
		if (words == 1 && !strcmp(word, "-c"))
			dash_c = true;
		if (dash_c && words == 2)
			ld_buf_clear(line);
		if (!dash_c || words == 2) {
			if (line->len && !(dash_c && words == 2))
				ld_buf_addc(line, ' ');
			ld_buf_adds(line, word);
		}
		words++;
	}
	ld_jw_arr_end(&sh->jw);
}

/* The upgrade an exec or attach asks for: protocol and the stream protocols it offers. */
static void stream_fields(ld_hp_conn *c, const ld_http_req *r)
{
	ld_hp_kheader(c, "upgrade", r, "upgrade");
	ld_hp_kheader(c, "stream_protocol", r, "x-stream-protocol-version");
	ld_hp_kheader(c, "websocket_protocol", r, "sec-websocket-protocol");
}

/* Grant the upgrade the client asked for (WebSocket, then SPDY/3.1), or refuse it as a server
 * does whose proxy cannot stream. */
static void stream_start(ld_hp_conn *c, const ld_http_req *r, const char *pod, const char *line)
{
	if (!ld_hp_kube_ws_start(c, r, pod, line) && !ld_hp_kube_spdy_start(c, r, pod, line))
		ld_hp_http_reply(c, r, 400, "text/plain; charset=utf-8", NULL,
				 "Upgrade request required", 24);
}

/* exec/attach of the API server (pods/NAME/exec) and the kubelet (/exec/NS/POD/CONTAINER):
 * recorded with the stream protocols the client offers; the upgrade is not granted, so the
 * client gets the answer of a server that refuses streaming through its proxy. */
void ld_hp_kube_exec(ld_hp_conn *c, const ld_http_req *r, const char *ns, const char *pod,
		     bool attach)
{
	char container[128];
	ld_buf line;
	ld_buf_init(&line, 255);
	ld_hp_http_event(c, attach ? "kube.attach" : "kube.exec", r);
	ld_hp_kstr(c, "namespace", ns, strlen(ns));
	ld_hp_kstr(c, "pod", pod, strlen(pod));
	if (ld_http_query_get(r->query, "container", container, sizeof(container)))
		ld_hp_kstr(c, "container", container, strlen(container));
	exec_command(c, r, &line);
	stream_fields(c, r);
	ld_hp_event_end(c);
	stream_start(c, r, pod, line.ptr && !attach ? line.ptr : "");
	ld_buf_release(&line);
}

/* kubelet /exec/{ns}/{pod}/{container}?command=a&command=b */
static void kubelet_exec(ld_hp_conn *c, const ld_http_req *r, const ld_slice *seg, size_t n)
{
	char ns[64] = "", pod[128] = "";
	if (n >= 2)
		ld_slice_copy(ns, sizeof(ns), seg[1]);
	if (n >= 3)
		ld_slice_copy(pod, sizeof(pod), seg[2]);
	if (n >= 4) {
		/* the kubelet names the container in the path */
		ld_buf line;
		ld_hp_http_event(c, ld_slice_eq_cstr(seg[0], "attach") ? "kube.attach" : "kube.exec", r);
		ld_hp_kstr(c, "namespace", ns, strlen(ns));
		ld_hp_kstr(c, "pod", pod, strlen(pod));
		ld_hp_kslice(c, "container", seg[3]);
		ld_buf_init(&line, 255);
		exec_command(c, r, &line);
		stream_fields(c, r);
		ld_hp_event_end(c);
		/* the kubelet streams like the API server's exec */
		stream_start(c, r, pod,
			     line.ptr && !ld_slice_eq_cstr(seg[0], "attach") ? line.ptr : "");
		ld_buf_release(&line);
		return;
	}
	ld_hp_kube_exec(c, r, ns, pod, ld_slice_eq_cstr(seg[0], "attach"));
}

static void generic(ld_hp_conn *c, const ld_http_req *r, const char *eventid, int status,
		    const char *json)
{
	ld_hp_http_event(c, eventid, r);
	ld_hp_event_end(c);
	ld_hp_http_json(c, r, status, json);
}

/* A path of the API: /api/v1/... or /apis/GROUP/VERSION/..., then [namespaces/NS/]RES[/NAME
 * [/SUB]] (namespaces/NAME is the namespace itself). */
typedef struct kpath {
	ld_slice gv;
	char gvbuf[96];
	const ld_kube_res *res;
	char ns[64], name[72];
	bool has_ns, has_name;
	ld_slice sub;
} kpath;

static bool parse_path(const ld_slice *seg, size_t n, kpath *kp)
{
	const ld_slice *rest;
	size_t m;
	memset(kp, 0, sizeof(*kp));
	if (n >= 3 && ld_slice_eq_cstr(seg[0], "api") && ld_slice_eq_cstr(seg[1], "v1")) {
		kp->gv = LD_SLICE_LIT("v1");
		rest = seg + 2;
		m = n - 2;
	} else if (n >= 4 && ld_slice_eq_cstr(seg[0], "apis") && seg[1].len + seg[2].len < 90) {
		ld_snprintf(kp->gvbuf, sizeof(kp->gvbuf), "%.*s/%.*s", (int)seg[1].len,
			    seg[1].ptr, (int)seg[2].len, seg[2].ptr);
		kp->gv = ld_slice_cstr(kp->gvbuf);
		rest = seg + 3;
		m = n - 3;
	} else {
		return false;
	}
	if (m >= 3 && ld_slice_eq_cstr(rest[0], "namespaces")) {
		ld_slice_copy(kp->ns, sizeof(kp->ns), rest[1]);
		kp->has_ns = true;
		rest += 2;
		m -= 2;
	}
	kp->res = ld_hp_kube_res(kp->gv, rest[0]);
	if (m >= 2) {
		ld_slice_copy(kp->name, sizeof(kp->name), rest[1]);
		kp->has_name = true;
	}
	if (m >= 3)
		kp->sub = rest[2];
	return kp->res != NULL && m <= 3;
}

static void status_reply(ld_hp_conn *c, const ld_http_req *r, int code, const char *reason,
			 const kpath *kp)
{
	ld_buf b;
	ld_buf_init(&b, 4096);
	ld_buf_addf(&b, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
			"\"Failure\",\"message\":\"%s \\\"",
		    kp->res->name);
	ld_hp_json_inner(&b, kp->name);
	ld_buf_addf(&b, "\\\" not found\",\"reason\":\"%s\",\"details\":{\"name\":\"", reason);
	ld_hp_json_inner(&b, kp->name);
	ld_buf_addf(&b, "\",\"kind\":\"%s\"},\"code\":%d}", kp->res->name, code);
	ld_hp_http_reply(c, r, code, "application/json", NULL, b.ptr, b.len);
	ld_buf_release(&b);
}

/* A deleted object leaves the source's lists: its own is dropped, a decoy is marked. */
static void forget(ld_hp_conn *c, const kpath *kp)
{
	ld_hp_src_state *st = ld_hp_source_state(c, false);
	ld_hp_obj *o;
	const char *ns = kp->has_ns ? kp->ns : "";
	for (unsigned i = 0; st && i < st->n; i++)
		if (!strcmp(st->obj[i].kind, kp->res->name) && !strcmp(st->obj[i].name, kp->name) &&
		    !strcmp(st->obj[i].ns, ns)) {
			ld_strlcpy(st->obj[i].kind, "gone", sizeof(st->obj[i].kind));
			return;
		}
	if ((o = ld_hp_state_add(c, "deleted"))) {
		ld_strlcpy(o->image, kp->res->name, sizeof(o->image));
		ld_strlcpy(o->ns, ns, sizeof(o->ns));
		ld_strlcpy(o->name, kp->name, sizeof(o->name));
	}
}

/* GET of a list or one object. */
static void read_objects(ld_hp_conn *c, const ld_http_req *r, const kpath *kp)
{
	char eventid[64];
	bool table = ld_slice_find_str(ld_http_header_get(r, "accept"), LD_SLICE_LIT("as=Table")) >= 0;
	const char *ns = kp->has_ns ? kp->ns : NULL;
	ld_buf b;
	size_t n;
	char sel[200], w[8];
	const char *by_name = NULL;
	bool watch = ld_http_query_get(r->query, "watch", w, sizeof(w)) &&
		     (!strcmp(w, "1") || !strcmp(w, "true"));
	/* namespaces/NAME names the namespace object itself */
	if (!strcmp(kp->res->name, "namespaces") && kp->has_ns && !kp->has_name)
		ns = NULL;
	ld_snprintf(eventid, sizeof(eventid), "kube.%s.%s", kp->res->singular,
		    kp->has_name ? "get" : watch ? "watch" : "list");
	ld_hp_http_event(c, eventid, r);
	if (kp->has_ns)
		ld_hp_kstr(c, "namespace", kp->ns, strlen(kp->ns));
	if (kp->has_name)
		ld_hp_kstr(c, "name", kp->name, strlen(kp->name));
	ld_hp_event_end(c);
	/* kubectl finds one object by listing with fieldSelector=metadata.name=NAME */
	if (!kp->has_name && ld_http_query_get(r->query, "fieldSelector", sel, sizeof(sel)) &&
	    !strncmp(sel, "metadata.name=", 14))
		by_name = sel + 14;
	if (watch && !kp->has_name) {
		ld_hp_kube_watch_start(c, r, kp->res, ns, by_name, table);
		return;
	}
	ld_buf_init(&b, 512 * 1024);
	n = ld_hp_kube_list(&b, kp->res, ns, kp->has_name ? kp->name : by_name, kp->has_name, table,
			    ld_hp_source_state(c, false));
	if (kp->has_name && !n)
		status_reply(c, r, 404, "NotFound", kp);
	else if (!ld_buf_error(&b))
		ld_hp_http_reply(c, r, 200, "application/json", NULL, b.ptr, b.len);
	else
		ld_hp_http_json(c, r, 500, "{}");
	ld_buf_release(&b);
}

/* kubectl auth can-i: every anonymous request is allowed (the misconfiguration we pose as). */
static void access_review(ld_hp_conn *c, const ld_http_req *r, const kpath *kp)
{
	ld_arena a;
	const ld_json *v, *attrs;
	bool rules = !strcmp(kp->res->name, "selfsubjectrulesreviews");
	ld_arena_init(&a, LD_HP_BODY_JSON_ARENA);
	v = body_json(&a, r);
	attrs = ld_json_getp(v, "spec", "resourceAttributes", NULL);
	ld_hp_http_event(c, "kube.auth.review", r);
	ld_hp_kstr(c, "kind", kp->res->name, strlen(kp->res->name));
	{
		const char *keys[] = {"verb", "resource", "namespace", "subresource", "name"};
		for (size_t i = 0; i < LD_ARRAY_LEN(keys); i++) {
			const char *x = ld_json_get_str(attrs, keys[i]);
			if (x)
				ld_hp_kstr(c, keys[i], x, strlen(x));
		}
	}
	ld_hp_event_end(c);
	if (rules)
		ld_hp_http_json(c, r, 201,
				"{\"kind\":\"SelfSubjectRulesReview\",\"apiVersion\":"
				"\"authorization.k8s.io/v1\",\"metadata\":{},\"spec\":{},\"status\":{"
				"\"resourceRules\":[{\"verbs\":[\"*\"],\"apiGroups\":[\"*\"],"
				"\"resources\":[\"*\"]}],\"nonResourceRules\":[{\"verbs\":[\"*\"],"
				"\"nonResourceURLs\":[\"*\"]}],\"incomplete\":false}}");
	else
		ld_hp_http_json(c, r, 201,
				"{\"kind\":\"SelfSubjectAccessReview\",\"apiVersion\":"
				"\"authorization.k8s.io/v1\",\"metadata\":{},\"spec\":{},\"status\":{"
				"\"allowed\":true,\"reason\":\"RBAC: allowed by ClusterRoleBinding "
				"\\\"anonymous-admin\\\" of ClusterRole \\\"cluster-admin\\\" to User "
				"\\\"system:anonymous\\\"\"}}");
	ld_arena_release(&a);
}

static bool workload(const ld_kube_res *res)
{
	const char *k[] = {"pods", "deployments", "daemonsets", "jobs", "cronjobs", "replicasets",
			   "statefulsets"};
	for (size_t i = 0; i < LD_ARRAY_LEN(k); i++)
		if (!strcmp(res->name, k[i]))
			return true;
	return false;
}

/* The API server's resource paths; false when the path is none of them. */
static bool api_route(ld_hp_conn *c, const ld_http_req *r, const ld_slice *seg, size_t n)
{
	kpath kp;
	bool get = ld_slice_eq_cstr(r->method, "GET") || ld_slice_eq_cstr(r->method, "HEAD");
	bool post = ld_slice_eq_cstr(r->method, "POST");
	if (!parse_path(seg, n, &kp))
		return false;
	if (protobuf_body(r) && strncmp(kp.res->name, "selfsubject", 11)) {
		/* kubectl >= 1.30 sends built-in kinds as protobuf: an envelope we cannot read is
		 * logged (body excerpt and hash) and refused as by a server without that codec */
		ld_buf probe;
		int rc;
		ld_buf_init(&probe, 2 * LD_HTTP_MAX_BODY);
		rc = ld_hp_kube_pb_json(r->body, &probe);
		ld_buf_release(&probe);
		if (rc != 0) {
			ld_hp_http_event(c, "kube.request", r);
			ld_hp_event_end(c);
			ld_hp_http_json(c, r, 415,
					"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
					"\"status\":\"Failure\",\"message\":\"the body of the request "
					"was in an unknown format - accepted media types include: "
					"application/json, application/yaml\",\"reason\":"
					"\"UnsupportedMediaType\",\"code\":415}");
			return true;
		}
	}
	if (kp.sub.len && !strcmp(kp.res->name, "pods") &&
	    (ld_slice_eq_cstr(kp.sub, "exec") || ld_slice_eq_cstr(kp.sub, "attach"))) {
		ld_hp_kube_exec(c, r, kp.ns, kp.name, ld_slice_eq_cstr(kp.sub, "attach"));
		return true;
	}
	if (get && !kp.sub.len) {
		read_objects(c, r, &kp);
	} else if (post && !kp.has_name && !strncmp(kp.res->name, "selfsubject", 11)) {
		access_review(c, r, &kp);
	} else if (post && !kp.has_name && workload(kp.res)) {
		create(c, r, kp.has_ns ? ld_slice_cstr(kp.ns) : LD_SLICE_LIT("default"), kp.res);
	} else {
		/* other writes (secrets, roles, deletes, patches): recorded, accepted */
		char eventid[64];
		ld_snprintf(eventid, sizeof(eventid), "kube.%s.%.*s", kp.res->singular[0] ? kp.res->singular : "request",
			    (int)LD_MIN(r->method.len, (size_t)8), r->method.ptr);
		for (char *p = eventid; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		ld_hp_http_event(c, eventid, r);
		if (kp.has_ns)
			ld_hp_kstr(c, "namespace", kp.ns, strlen(kp.ns));
		if (kp.has_name)
			ld_hp_kstr(c, "name", kp.name, strlen(kp.name));
		ld_hp_event_end(c);
		if (kp.has_name) {
			/* patch, update, delete of one object: answered with the object */
			ld_buf b;
			ld_buf_init(&b, 64 * 1024);
			if (!ld_hp_kube_list(&b, kp.res, kp.has_ns ? kp.ns : NULL, kp.name, true, false,
					     ld_hp_source_state(c, false)))
				status_reply(c, r, 404, "NotFound", &kp);
			else if (!ld_buf_error(&b))
				ld_hp_http_reply(c, r, 200, "application/json", NULL, b.ptr, b.len);
			else
				ld_hp_http_json(c, r, 500, "{}");
			if (ld_slice_eq_cstr(r->method, "DELETE"))
				forget(c, &kp);
			ld_buf_release(&b);
		} else if (protobuf_body(r)) {
			ld_buf j;
			ld_buf_init(&j, 2 * LD_HTTP_MAX_BODY);
			ld_hp_kube_pb_json(r->body, &j);
			ld_hp_http_reply(c, r, post ? 201 : 200, "application/json", NULL,
					 j.ptr ? j.ptr : "{}", j.ptr ? j.len : 2);
			ld_buf_release(&j);
		} else if (r->body.len && r->body.ptr[0] == '{') {
			ld_hp_http_reply(c, r, post ? 201 : 200, "application/json", NULL,
					 r->body.ptr, r->body.len);
		} else {
			ld_hp_http_json(c, r, 200,
					"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
					"\"status\":\"Success\"}");
		}
	}
	return true;
}

static void route(ld_hp_conn *c, const ld_http_req *r)
{
	ld_slice seg[10];
	size_t n = ld_hp_http_segments(r->path, seg, LD_ARRAY_LEN(seg));
	bool get = ld_slice_eq_cstr(r->method, "GET") || ld_slice_eq_cstr(r->method, "HEAD");
	bool post = ld_slice_eq_cstr(r->method, "POST");
	ld_buf b;

	if (n == 1 && get && ld_slice_eq_cstr(seg[0], "version")) {
		generic(c, r, "kube.version", 200, version_json);
		return;
	}
	if (n == 1 && get &&
	    (ld_slice_eq_cstr(seg[0], "healthz") || ld_slice_eq_cstr(seg[0], "livez") ||
	     ld_slice_eq_cstr(seg[0], "readyz"))) {
		ld_hp_http_event(c, "kube.request", r);
		ld_hp_event_end(c);
		ld_hp_http_reply(c, r, 200, "text/plain; charset=utf-8", NULL, "ok", 2);
		return;
	}
	if (n == 2 && get && ld_slice_eq_cstr(seg[0], "openapi") && ld_slice_eq_cstr(seg[1], "v2")) {
		/* kubectl create/apply validate against this first. A protobuf Document with
		 * swagger "2.0", info {title, version} and no definitions: kubectl skips the
		 * validation of kinds it has no schema for, as for CRDs. */
		static const char doc[] = "\x0a\x03"
					  "2.0"
					  "\x12\x16\x0a\x0a"
					  "Kubernetes"
					  "\x12\x08"
					  "v1.21.14";
		ld_hp_http_event(c, "kube.discovery", r);
		ld_hp_event_end(c);
		ld_hp_http_reply(c, r, 200,
				 "application/octet-stream", NULL,
				 doc, sizeof(doc) - 1);
		return;
	}
	ld_buf_init(&b, 64 * 1024);
	if (get && ld_hp_kube_discovery(&b, seg, n)) {
		ld_hp_http_event(c, "kube.discovery", r);
		ld_hp_event_end(c);
		ld_hp_http_reply(c, r, 200, "application/json", NULL, b.ptr, b.len);
		ld_buf_release(&b);
		return;
	}
	ld_buf_release(&b);
	if (api_route(c, r, seg, n))
		return;
	if (get && n == 1 && (ld_slice_eq_cstr(seg[0], "pods") || ld_slice_eq_cstr(seg[0], "runningpods"))) {
		/* kubelet: the pods of its node */
		kpath kp;
		memset(&kp, 0, sizeof(kp));
		kp.res = ld_hp_kube_res(LD_SLICE_LIT("v1"), LD_SLICE_LIT("pods"));
		read_objects(c, r, &kp);
	} else if (post && n >= 1 && ld_slice_eq_cstr(seg[0], "run")) {
		kubelet_run(c, r, seg, n);
	} else if (n >= 1 && (ld_slice_eq_cstr(seg[0], "exec") || ld_slice_eq_cstr(seg[0], "attach"))) {
		kubelet_exec(c, r, seg, n);
	} else {
		generic(c, r, "kube.request", 404, not_found_json);
	}
}

size_t ld_hp_kube_on_data(ld_hp_conn *c, const char *p, size_t n)
{
	if (c->st.kube.watch)
		return 0; /* the watch's response is still going: read on once it has ended */
	if (c->st.kube.spdy)
		return ld_hp_kube_spdy_data(c, p, n);
	if (c->st.kube.ws)
		return ld_hp_kube_ws_data(c, p, n);
	return ld_hp_http_on_data(c, p, n, route);
}
