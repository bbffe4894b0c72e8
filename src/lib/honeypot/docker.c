/* Docker Engine API emulation (dockerd 20.10 on Ubuntu, API 1.41, listening on tcp/2375 without
 * TLS, the misconfiguration attacks look for). Pulls report success without pulling, creates
 * return an id without creating, starts and execs succeed without running anything; what was
 * asked for (image, Cmd, Binds, Privileged, ...) is recorded. */
#include "util/common.h"
#include "util/json.h"
#include "util/jsonw.h"
#include "honeypot/hp.h"

/* Limits of the request bodies we read as JSON (the body itself is capped by the HTTP parser). */
#define BODY_JSON_DEPTH 32
#define BODY_JSON_ARENA ((size_t)2 << 20)
#define LIST_MAX	64 /* array members recorded per field */

#define DOCKER_HEADERS                                                                             \
	"Api-Version: 1.41\r\nDocker-Experimental: false\r\nOstype: linux\r\nServer: "             \
	"Docker/20.10.24 (linux)\r\n"

static const char version_json[] =
	"{\"Platform\":{\"Name\":\"Docker Engine - "
	"Community\"},\"Components\":[{\"Name\":\"Engine\","
	"\"Version\":\"20.10.24\",\"Details\":{\"ApiVersion\":\"1.41\",\"Arch\":\"amd64\","
	"\"BuildTime\":"
	"\"2023-04-04T10:58:57.000000000+00:00\",\"Experimental\":\"false\",\"GitCommit\":"
	"\"5d6db84\","
	"\"GoVersion\":\"go1.19.7\",\"KernelVersion\":\"5.4.0-150-generic\",\"MinAPIVersion\":\"1."
	"12\","
	"\"Os\":\"linux\"}},{\"Name\":\"containerd\",\"Version\":\"1.6.20\",\"Details\":{"
	"\"GitCommit\":"
	"\"2806fc1057397dbaeefbea0e4e17bddfbd388f38\"}},{\"Name\":\"runc\",\"Version\":\"1.1.5\","
	"\"Details\":{\"GitCommit\":\"v1.1.5-0-gf19387a\"}}],\"Version\":\"20.10.24\","
	"\"ApiVersion\":"
	"\"1.41\",\"MinAPIVersion\":\"1.12\",\"GitCommit\":\"5d6db84\",\"GoVersion\":\"go1.19.7\","
	"\"Os\":"
	"\"linux\",\"Arch\":\"amd64\",\"KernelVersion\":\"5.4.0-150-generic\",\"BuildTime\":"
	"\"2023-04-04T10:58:57.000000000+00:00\"}";

static const char info_json[] =
	"{\"ID\":\"7TRN:IPZB:QYBB:VPBQ:UWYJ:KYQF:2C3Q:6QIK:5E3I:XJAL:PHAL:OBZB\",\"Containers\":3,"
	"\"ContainersRunning\":2,\"ContainersPaused\":0,\"ContainersStopped\":1,\"Images\":7,"
	"\"Driver\":"
	"\"overlay2\",\"DriverStatus\":[[\"Backing Filesystem\",\"extfs\"],[\"Supports "
	"d_type\",\"true\"],"
	"[\"Native Overlay "
	"Diff\",\"true\"],[\"userxattr\",\"false\"]],\"MemoryLimit\":true,\"SwapLimit\":"
	"false,\"KernelMemory\":true,\"CpuCfsPeriod\":true,\"CpuCfsQuota\":true,\"IPv4Forwarding\":"
	"true,"
	"\"Debug\":false,\"NFd\":41,\"NGoroutines\":47,\"LoggingDriver\":\"json-file\","
	"\"CgroupDriver\":"
	"\"cgroupfs\",\"CgroupVersion\":\"1\",\"NEventsListener\":0,\"KernelVersion\":\"5.4.0-150-"
	"generic\","
	"\"OperatingSystem\":\"Ubuntu 20.04.6 LTS\",\"OSVersion\":\"20.04\",\"OSType\":\"linux\","
	"\"Architecture\":\"x86_64\",\"IndexServerAddress\":\"https://index.docker.io/v1/"
	"\",\"NCPU\":4,"
	"\"MemTotal\":8340586496,\"DockerRootDir\":\"/var/lib/"
	"docker\",\"Name\":\"ip-172-31-24-117\","
	"\"Labels\":[],\"ExperimentalBuild\":false,\"ServerVersion\":\"20.10.24\",\"Runtimes\":{"
	"\"runc\":"
	"{\"path\":\"runc\"}},\"DefaultRuntime\":\"runc\",\"Swarm\":{\"LocalNodeState\":"
	"\"inactive\"},"
	"\"LiveRestoreEnabled\":false,\"Isolation\":\"\",\"InitBinary\":\"docker-init\","
	"\"SecurityOptions\":"
	"[\"name=apparmor\",\"name=seccomp,profile=default\"]}";

static const char containers_json[] =
	"[{\"Id\":\"4c01db0b339c7a9b8e1e5d6e0f3a2b1c4d5e6f708192a3b4c5d6e7f8091a2b3c\",\"Names\":["
	"\"/web\"],"
	"\"Image\":\"nginx:1.23\",\"ImageID\":\"sha256:"
	"a99a39d070bfd1cb60fe65c45dea3a33764dc00a9546bf8dc46cb5a11b1b50e9\","
	"\"Command\":\"/docker-entrypoint.sh nginx -g 'daemon "
	"off;'\",\"Created\":1681721325,\"Ports\":"
	"[{\"IP\":\"0.0.0.0\",\"PrivatePort\":80,\"PublicPort\":80,\"Type\":\"tcp\"}],\"Labels\":{}"
	","
	"\"State\":\"running\",\"Status\":\"Up 6 "
	"weeks\",\"HostConfig\":{\"NetworkMode\":\"default\"}},"
	"{\"Id\":\"9e2f61c8a7b3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d\",\"Names\":["
	"\"/db\"],"
	"\"Image\":\"postgres:14\",\"ImageID\":\"sha256:"
	"8c8e9a1d2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6\","
	"\"Command\":\"docker-entrypoint.sh "
	"postgres\",\"Created\":1681721301,\"Ports\":[{\"PrivatePort\":"
	"5432,\"Type\":\"tcp\"}],\"Labels\":{},\"State\":\"running\",\"Status\":\"Up 6 weeks\","
	"\"HostConfig\":{\"NetworkMode\":\"default\"}}]";

static const char not_found_json[] = "{\"message\":\"page not found\"}";

static void reply_json(ld_hp_conn *c, const ld_http_req *r, int status, const char *json)
{
	ld_hp_http_reply(c, r, status, "application/json", DOCKER_HEADERS, json, strlen(json));
}

/* A string or an array of strings, recorded as an array. */
static void str_list(ld_hp_conn *c, const char *key, const ld_json *v)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	const ld_json *it;
	if (!v || (!ld_json_is(v, LD_JSON_STRING) && !ld_json_is(v, LD_JSON_ARRAY)))
		return;
	ld_jw_key(&sh->jw, key);
	ld_jw_arr(&sh->jw);
	if (ld_json_is(v, LD_JSON_STRING)) {
		ld_slice s = ld_json_slice(v);
		ld_hp_str(c, s.ptr, s.len);
	}
	ld_json_foreach_item(v, i, it)
	{
		ld_slice s = ld_json_slice(it);
		if (i >= LIST_MAX)
			break;
		if (ld_json_is(it, LD_JSON_STRING))
			ld_hp_str(c, s.ptr, s.len);
	}
	ld_jw_arr_end(&sh->jw);
}

static void str_field(ld_hp_conn *c, const char *key, const ld_json *v)
{
	if (ld_json_is(v, LD_JSON_STRING))
		ld_hp_kslice(c, key, ld_json_slice(v));
}

/* Parse a JSON body into *out (NULL when absent or not JSON: recorded as raw body anyway). */
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

static void container_create(ld_hp_conn *c, const ld_http_req *r)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	ld_arena a;
	const ld_json *v, *hc, *mounts, *m;
	char name[256], id[65], reply[160];
	ld_arena_init(&a, BODY_JSON_ARENA);
	v = body_json(&a, r);
	hc = ld_json_get(v, "HostConfig");
	ld_hp_http_event(c, "docker.container.create", r);
	if (ld_http_query_get(r->query, "name", name, sizeof(name)))
		ld_hp_kstr(c, "name", name, strlen(name));
	str_field(c, "image", ld_json_get(v, "Image"));
	str_list(c, "cmd", ld_json_get(v, "Cmd"));
	str_list(c, "entrypoint", ld_json_get(v, "Entrypoint"));
	str_list(c, "env", ld_json_get(v, "Env"));
	str_field(c, "user", ld_json_get(v, "User"));
	str_field(c, "working_dir", ld_json_get(v, "WorkingDir"));
	str_list(c, "binds", ld_json_get(hc, "Binds"));
	if (ld_json_get(hc, "Privileged"))
		ld_jw_kbool(&sh->jw, "privileged",
			    ld_json_bool(ld_json_get(hc, "Privileged"), false));
	str_field(c, "pid_mode", ld_json_get(hc, "PidMode"));
	str_field(c, "network_mode", ld_json_get(hc, "NetworkMode"));
	str_field(c, "ipc_mode", ld_json_get(hc, "IpcMode"));
	str_list(c, "cap_add", ld_json_get(hc, "CapAdd"));
	mounts = ld_json_get(hc, "Mounts");
	if (ld_json_len(mounts)) {
		ld_jw_key(&sh->jw, "mounts");
		ld_jw_arr(&sh->jw);
		ld_json_foreach_item(mounts, i, m)
		{
			char mnt[1024];
			if (i >= LIST_MAX)
				break;
			ld_snprintf(mnt, sizeof(mnt), "%s:%s",
				    ld_json_str_or(ld_json_get(m, "Source"), ""),
				    ld_json_str_or(ld_json_get(m, "Target"), ""));
			ld_hp_str(c, mnt, strlen(mnt));
		}
		ld_jw_arr_end(&sh->jw);
	}
	ld_hp_event_end(c);
	ld_arena_release(&a);

	if (!v) {
		reply_json(
			c, r, 400,
			"{\"message\":\"config cannot be empty in order to create a container\"}");
		return;
	}
	ld_hp_hex_id(id, 32);
	ld_snprintf(reply, sizeof(reply), "{\"Id\":\"%s\",\"Warnings\":[]}", id);
	reply_json(c, r, 201, reply);
}

static void exec_create(ld_hp_conn *c, const ld_http_req *r, ld_slice container)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	ld_arena a;
	const ld_json *v;
	char id[65], reply[128];
	ld_arena_init(&a, BODY_JSON_ARENA);
	v = body_json(&a, r);
	ld_hp_http_event(c, "docker.exec.create", r);
	ld_hp_kslice(c, "container", container);
	str_list(c, "cmd", ld_json_get(v, "Cmd"));
	str_list(c, "env", ld_json_get(v, "Env"));
	str_field(c, "user", ld_json_get(v, "User"));
	if (ld_json_get(v, "Privileged"))
		ld_jw_kbool(&sh->jw, "privileged",
			    ld_json_bool(ld_json_get(v, "Privileged"), false));
	ld_hp_event_end(c);
	ld_arena_release(&a);
	ld_hp_hex_id(id, 32);
	ld_snprintf(reply, sizeof(reply), "{\"Id\":\"%s\"}", id);
	reply_json(c, r, 201, reply);
}

/* Events with the request and one id field. */
static void simple_event(ld_hp_conn *c, const ld_http_req *r, const char *eventid,
			 const char *idkey, ld_slice id)
{
	ld_hp_http_event(c, eventid, r);
	if (idkey)
		ld_hp_kslice(c, idkey, id);
	ld_hp_event_end(c);
}

/* An attached stream (exec start, attach): the raw-stream upgrade with nothing in it, then end. */
static void raw_stream(ld_hp_conn *c, const ld_http_req *r)
{
	c->close_after_write = true;
	ld_hp_http_reply(c, r, 200, "application/vnd.docker.raw-stream", DOCKER_HEADERS, "", 0);
}

static void route(ld_hp_conn *c, const ld_http_req *r)
{
	ld_slice path = ld_hp_http_strip_version(r->path), seg[8];
	size_t n = ld_hp_http_segments(path, seg, LD_ARRAY_LEN(seg));
	bool get = ld_slice_eq_cstr(r->method, "GET") || ld_slice_eq_cstr(r->method, "HEAD");
	bool post = ld_slice_eq_cstr(r->method, "POST");

	if (n == 1 && get && ld_slice_eq_cstr(seg[0], "_ping")) {
		simple_event(c, r, "docker.ping", NULL, LD_SLICE_NULL);
		ld_hp_http_reply(c, r, 200, "text/plain; charset=utf-8",
				 DOCKER_HEADERS "Cache-Control: no-cache, no-store, "
						"must-revalidate\r\nPragma: no-cache\r\n",
				 "OK", 2);
	} else if (n == 1 && get && ld_slice_eq_cstr(seg[0], "version")) {
		simple_event(c, r, "docker.version", NULL, LD_SLICE_NULL);
		reply_json(c, r, 200, version_json);
	} else if (n == 1 && get && ld_slice_eq_cstr(seg[0], "info")) {
		simple_event(c, r, "docker.info", NULL, LD_SLICE_NULL);
		reply_json(c, r, 200, info_json);
	} else if (n == 2 && get && ld_slice_eq_cstr(seg[0], "containers") &&
		   ld_slice_eq_cstr(seg[1], "json")) {
		simple_event(c, r, "docker.container.list", NULL, LD_SLICE_NULL);
		reply_json(c, r, 200, containers_json);
	} else if (n == 2 && get && ld_slice_eq_cstr(seg[0], "images") &&
		   ld_slice_eq_cstr(seg[1], "json")) {
		simple_event(c, r, "docker.image.list", NULL, LD_SLICE_NULL);
		reply_json(c, r, 200, "[]");
	} else if (n == 2 && post && ld_slice_eq_cstr(seg[0], "images") &&
		   ld_slice_eq_cstr(seg[1], "create")) {
		char image[512], tag[128], full[700], body[2048];
		if (!ld_http_query_get(r->query, "fromImage", image, sizeof(image)))
			image[0] = '\0';
		if (!ld_http_query_get(r->query, "tag", tag, sizeof(tag)) || !tag[0])
			ld_strlcpy(tag, "latest", sizeof(tag));
		ld_snprintf(full, sizeof(full), "%s%s%s", image,
			    strchr(image, ':') || strchr(image, '@') ? "" : ":",
			    strchr(image, ':') || strchr(image, '@') ? "" : tag);
		ld_hp_http_event(c, "docker.image.create", r);
		ld_hp_kstr(c, "image", full, strlen(full));
		ld_hp_event_end(c);
		/* progress messages as dockerd streams them; nothing is pulled. The image name is
		 * attacker text inside JSON: write it through the JSON escaper. */
		{
			ld_buf b;
			ld_buf_init(&b, sizeof(body));
			ld_buf_adds(&b, "{\"status\":\"Pulling from ");
			ld_hp_json_inner(&b, image);
			ld_buf_adds(&b, "\",\"id\":\"");
			ld_hp_json_inner(&b, tag);
			ld_buf_adds(&b, "\"}\r\n{\"status\":\"Digest: sha256:");
			{
				char hex[65];
				ld_hp_hex_id(hex, 32);
				ld_buf_adds(&b, hex);
			}
			ld_buf_adds(&b, "\"}\r\n{\"status\":\"Status: Downloaded newer image for ");
			ld_hp_json_inner(&b, full);
			ld_buf_adds(&b, "\"}\r\n");
			if (!ld_buf_error(&b))
				ld_hp_http_reply(c, r, 200, "application/json", DOCKER_HEADERS,
						 b.ptr, b.len);
			else
				reply_json(c, r, 500, "{\"message\":\"internal error\"}");
			ld_buf_release(&b);
		}
	} else if (n == 2 && post && ld_slice_eq_cstr(seg[0], "containers") &&
		   ld_slice_eq_cstr(seg[1], "create")) {
		container_create(c, r);
	} else if (n == 3 && post && ld_slice_eq_cstr(seg[0], "containers") &&
		   ld_slice_eq_cstr(seg[2], "start")) {
		simple_event(c, r, "docker.container.start", "container", seg[1]);
		ld_hp_http_reply(c, r, 204, NULL, DOCKER_HEADERS, "", 0);
	} else if (n == 3 && post && ld_slice_eq_cstr(seg[0], "containers") &&
		   ld_slice_eq_cstr(seg[2], "exec")) {
		exec_create(c, r, seg[1]);
	} else if (n == 3 && post && ld_slice_eq_cstr(seg[0], "exec") &&
		   ld_slice_eq_cstr(seg[2], "start")) {
		simple_event(c, r, "docker.exec.start", "exec", seg[1]);
		raw_stream(c, r);
	} else if (n == 3 && post && ld_slice_eq_cstr(seg[0], "containers") &&
		   ld_slice_eq_cstr(seg[2], "attach")) {
		simple_event(c, r, "docker.container.attach", "container", seg[1]);
		raw_stream(c, r);
	} else if (n == 3 && post && ld_slice_eq_cstr(seg[0], "containers") &&
		   ld_slice_eq_cstr(seg[2], "wait")) {
		simple_event(c, r, "docker.container.wait", "container", seg[1]);
		reply_json(c, r, 200, "{\"Error\":null,\"StatusCode\":0}");
	} else if (n == 3 && post && ld_slice_eq_cstr(seg[0], "containers") &&
		   (ld_slice_eq_cstr(seg[2], "kill") || ld_slice_eq_cstr(seg[2], "stop"))) {
		simple_event(c, r,
			     ld_slice_eq_cstr(seg[2], "kill") ? "docker.container.kill"
							      : "docker.container.stop",
			     "container", seg[1]);
		ld_hp_http_reply(c, r, 204, NULL, DOCKER_HEADERS, "", 0);
	} else if (n == 3 && get && ld_slice_eq_cstr(seg[0], "containers") &&
		   ld_slice_eq_cstr(seg[2], "logs")) {
		simple_event(c, r, "docker.container.logs", "container", seg[1]);
		ld_hp_http_reply(c, r, 200, "application/vnd.docker.raw-stream", DOCKER_HEADERS, "",
				 0);
	} else if (n == 2 && ld_slice_eq_cstr(r->method, "DELETE") &&
		   ld_slice_eq_cstr(seg[0], "containers")) {
		simple_event(c, r, "docker.container.delete", "container", seg[1]);
		ld_hp_http_reply(c, r, 204, NULL, DOCKER_HEADERS, "", 0);
	} else {
		simple_event(c, r, "docker.request", NULL, LD_SLICE_NULL);
		reply_json(c, r, 404, not_found_json);
	}
}

size_t ld_hp_docker_on_data(ld_hp_conn *c, const char *p, size_t n)
{
	return ld_hp_http_on_data(c, p, n, route);
}
