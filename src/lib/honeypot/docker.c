/* Docker Engine API emulation (dockerd 20.10 on Ubuntu, API 1.41, listening on tcp/2375 without
 * TLS, the misconfiguration attacks look for). Pulls report success without pulling, creates
 * return an id without creating, starts and execs succeed without running anything; what was
 * asked for (image, Cmd, Binds, Privileged, ...) is recorded. Pulled images and created
 * containers and execs are kept per source (hp.h) so that `docker images`, `ps -a`, `inspect`,
 * `logs` and `exec` see them. Attached runs, `attach` and `exec` get the hijacked connection the
 * CLI asks for (101 UPGRADED, then the multiplexed stream, or raw with a TTY): the command's
 * canned output (shell.c), then every line of stdin recorded and answered the same way. `cp`
 * uploads are listed (names, sizes, sha256), never written. */
#include <time.h>

#include "util/common.h"
#include "util/json.h"
#include "util/jsonw.h"
#include "util/hash.h"
#include "honeypot/hp.h"

/* Limits of the request bodies we read as JSON (the body itself is capped by the HTTP parser). */
#define BODY_JSON_DEPTH 32
#define LIST_MAX	64 /* array members recorded per field */
#define STREAM_LINE_MAX (8 * 1024) /* stdin bytes recorded as one line when no newline comes */
#define OUTPUT_MAX	(64 * 1024) /* canned output per command */

#define DOCKER_HEADERS LD_HP_DOCKER_HEADERS

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

/* The host's own containers, there before any attacker. */
static const ld_hp_obj decoys[] = {
	{"container", "", "4c01db0b339c7a9b8e1e5d6e0f3a2b1c4d5e6f708192a3b4c5d6e7f8091a2b3c",
	 "nginx:1.23", "/docker-entrypoint.sh nginx -g 'daemon off;'", "web", 1681721325,
	 LD_HP_OBJ_RUNNING, 0},
	{"container", "", "9e2f61c8a7b3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d",
	 "postgres:14", "docker-entrypoint.sh postgres", "db", 1681721301, LD_HP_OBJ_RUNNING, 0},
	{"image", "", "nginx:1.23", "", "", "", 1681290000, 0, 0},
	{"image", "", "postgres:14", "", "", "", 1681290400, 0, 0},
};

/* What the decoys print to `docker logs`. */
static const char *const decoy_logs[] = {
	"10.0.0.12 - - [04/Dec/2026:08:14:03 +0000] \"GET / HTTP/1.1\" 200 615 \"-\" "
	"\"Mozilla/5.0\"\n10.0.0.12 - - [04/Dec/2026:08:14:04 +0000] \"GET /favicon.ico "
	"HTTP/1.1\" 404 153 \"-\" \"Mozilla/5.0\"\n",
	"2026-12-01 03:00:01.512 UTC [1] LOG:  checkpoint starting: time\n2026-12-01 03:00:04.118 "
	"UTC [1] LOG:  checkpoint complete: wrote 31 buffers (0.2%)\n",
};

static const ld_hp_obj *find(ld_hp_conn *c, const char *kind, ld_slice key);
static ld_hp_obj *remember(ld_hp_conn *c, const char *kind, const char *id, const ld_json *v,
			   const ld_json *cmd, const ld_json *entry);

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

/* The request's body as JSON (NULL when absent or not JSON: recorded as raw body anyway). */
static const ld_json *body_json(ld_arena *a, const ld_http_req *r)
{
	return ld_hp_json_body(a, r->body, BODY_JSON_DEPTH);
}

static void container_create(ld_hp_conn *c, const ld_http_req *r)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	ld_arena a;
	const ld_json *v, *hc, *mounts, *m;
	char name[256] = "", id[65], reply[160];
	ld_arena_init(&a, LD_HP_BODY_JSON_ARENA);
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

	if (!v) {
		ld_arena_release(&a);
		reply_json(
			c, r, 400,
			"{\"message\":\"config cannot be empty in order to create a container\"}");
		return;
	}
	ld_hp_hex_id(id, 32);
	{
		ld_hp_obj *o = remember(c, "container", id, v, ld_json_get(v, "Cmd"),
					ld_json_get(v, "Entrypoint"));
		if (o && name[0])
			ld_strlcpy(o->extra, name, sizeof(o->extra));
	}
	ld_arena_release(&a);
	ld_snprintf(reply, sizeof(reply), "{\"Id\":\"%s\",\"Warnings\":[]}", id);
	reply_json(c, r, 201, reply);
}

static void exec_create(ld_hp_conn *c, const ld_http_req *r, ld_slice container)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	ld_arena a;
	const ld_json *v;
	char id[65], reply[128];
	ld_arena_init(&a, LD_HP_BODY_JSON_ARENA);
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
	ld_hp_hex_id(id, 32);
	{
		const ld_hp_obj *ct = find(c, "container", container);
		ld_hp_obj *o = remember(c, "exec", id, v, ld_json_get(v, "Cmd"), NULL);
		if (o && ct)
			ld_strlcpy(o->ns, ct->name, sizeof(o->ns));
	}
	ld_arena_release(&a);
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

static bool is_decoy(const ld_hp_obj *o)
{
	return o >= decoys && o < decoys + LD_ARRAY_LEN(decoys);
}

/* The command line a container or exec runs: "sh -c LINE" is LINE, else the words joined. */
static void command_line(const ld_json *cmd, const ld_json *entry, char *out, size_t outsz)
{
	ld_buf b;
	const ld_json *lists[2] = {entry, cmd}, *it;
	ld_buf_init(&b, outsz - 1);
	if (ld_json_len(cmd) >= 3 && !ld_json_len(entry) &&
	    !strcmp(ld_json_str_or(ld_json_at(cmd, 1), ""), "-c")) {
		ld_buf_adds(&b, ld_json_str_or(ld_json_at(cmd, 2), ""));
	} else {
		for (size_t l = 0; l < 2; l++) {
			if (ld_json_is(lists[l], LD_JSON_STRING)) {
				if (b.len)
					ld_buf_addc(&b, ' ');
				ld_buf_adds(&b, ld_json_str(lists[l]));
			}
			ld_json_foreach_item(lists[l], i, it)
			{
				if (i >= LIST_MAX)
					break;
				if (b.len)
					ld_buf_addc(&b, ' ');
				ld_buf_adds(&b, ld_json_str_or(it, ""));
			}
		}
	}
	ld_strlcpy(out, b.len ? b.ptr : "", outsz);
	ld_buf_release(&b);
}

/* Keep a created container or exec for the source's later requests. */
static ld_hp_obj *remember(ld_hp_conn *c, const char *kind, const char *id, const ld_json *v,
			   const ld_json *cmd, const ld_json *entry)
{
	ld_hp_obj *o = ld_hp_state_add(c, kind);
	char name[128];
	if (!o)
		return NULL;
	ld_strlcpy(o->name, id, sizeof(o->name));
	ld_strlcpy(o->image, ld_json_str_or(ld_json_get(v, "Image"), ""), sizeof(o->image));
	command_line(cmd, entry, o->cmd, sizeof(o->cmd));
	if (ld_json_bool(ld_json_get(v, "Tty"), false))
		o->flags |= LD_HP_OBJ_TTY;
	if (ld_json_bool(ld_json_getp(v, "HostConfig", "AutoRemove", NULL), false))
		o->flags |= LD_HP_OBJ_AUTORM;
	if (ld_json_bool(ld_json_get(v, "OpenStdin"), false) ||
	    ld_json_bool(ld_json_get(v, "AttachStdin"), false))
		o->flags |= LD_HP_OBJ_STDIN;
	if (!strcmp(kind, "container")) {
		/* dockerd's generated names are adjective_surname; ours are plainer */
		ld_snprintf(name, sizeof(name), "%.12s", id);
		ld_strlcpy(o->extra, name, sizeof(o->extra));
	}
	return o;
}

/* A container by id, id prefix or name; an exec or image by id or name: the source's own first,
 * then the decoys. */
static const ld_hp_obj *find(ld_hp_conn *c, const char *kind, ld_slice key)
{
	const ld_hp_src_state *st = ld_hp_source_state(c, false);
	if (!key.len || key.len > 128)
		return NULL;
	for (unsigned i = 0; st && i < st->n; i++) {
		const ld_hp_obj *o = &st->obj[st->n - 1 - i];
		if (!strcmp(o->kind, kind) &&
		    ((key.len <= strlen(o->name) && !memcmp(o->name, key.ptr, key.len)) ||
		     ld_slice_eq_cstr(key, o->extra)))
			return o;
	}
	for (size_t i = 0; i < LD_ARRAY_LEN(decoys); i++) {
		const ld_hp_obj *o = &decoys[i];
		if (!strcmp(o->kind, kind) &&
		    ((key.len <= strlen(o->name) && !memcmp(o->name, key.ptr, key.len)) ||
		     ld_slice_eq_cstr(key, o->extra)))
			return o;
	}
	return NULL;
}

static void no_such(ld_hp_conn *c, const ld_http_req *r, const char *what, ld_slice key)
{
	ld_buf b;
	ld_buf_init(&b, 1024);
	ld_buf_addf(&b, "{\"message\":\"No such %s: ", what);
	{
		char k[129];
		ld_slice_copy(k, sizeof(k), key);
		ld_hp_json_inner(&b, k);
	}
	ld_buf_adds(&b, "\"}");
	ld_hp_http_reply(c, r, 404, "application/json", DOCKER_HEADERS, b.ptr, b.len);
	ld_buf_release(&b);
}

static void iso(int64_t t, char out[40])
{
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	strftime(out, 40, "%Y-%m-%dT%H:%M:%S.000000000Z", &tm);
}

/* "Up 3 minutes", "Exited (0) 5 seconds ago", "Created" as docker ps shows them. */
static void status_text(const ld_hp_obj *o, bool decoy, char *out, size_t n)
{
	int64_t secs = (int64_t)time(NULL) - o->created;
	char d[32];
	if (decoy) {
		ld_strlcpy(out, "Up 6 weeks", n);
		return;
	}
	if (secs < 1)
		ld_strlcpy(d, "Less than a second", sizeof(d));
	else if (secs < 60)
		ld_snprintf(d, sizeof(d), "%lld seconds", (long long)secs);
	else if (secs < 3600)
		ld_snprintf(d, sizeof(d), "%lld minutes", (long long)(secs / 60));
	else
		ld_snprintf(d, sizeof(d), "%lld hours", (long long)(secs / 3600));
	if (o->flags & LD_HP_OBJ_EXITED)
		ld_snprintf(out, n, "Exited (0) %s ago", d);
	else if (o->flags & LD_HP_OBJ_RUNNING)
		ld_snprintf(out, n, "Up %s", d);
	else
		ld_strlcpy(out, "Created", n);
}

static void container_json(ld_buf *b, const ld_hp_obj *o, bool full)
{
	bool decoy = is_decoy(o);
	bool running = (o->flags & LD_HP_OBJ_RUNNING) && !(o->flags & LD_HP_OBJ_EXITED);
	char ts[40], status[64];
	status_text(o, decoy, status, sizeof(status));
	iso(o->created, ts);
	if (!full) {
		ld_buf_addf(b, "{\"Id\":\"%s\",\"Names\":[\"/", o->name);
		ld_hp_json_inner(b, o->extra);
		ld_buf_adds(b, "\"],\"Image\":\"");
		ld_hp_json_inner(b, o->image);
		ld_buf_adds(b, "\",\"ImageID\":\"sha256:");
		{
			char d[LD_DIGEST_STR_LEN];
			ld_sha256_buf(o->image, strlen(o->image), d);
			ld_buf_adds(b, d + 7);
		}
		ld_buf_adds(b, "\",\"Command\":\"");
		ld_hp_json_inner(b, o->cmd);
		ld_buf_addf(b, "\",\"Created\":%lld,\"Ports\":[],\"Labels\":{},\"State\":\"%s\","
			       "\"Status\":\"%s\",\"HostConfig\":{\"NetworkMode\":\"default\"},"
			       "\"Mounts\":[]}",
			    (long long)o->created,
			    running ? "running" : (o->flags & LD_HP_OBJ_EXITED) ? "exited" : "created",
			    status);
		return;
	}
	ld_buf_addf(b, "{\"Id\":\"%s\",\"Created\":\"%s\",\"Path\":\"", o->name, ts);
	ld_hp_json_inner(b, o->cmd);
	ld_buf_addf(b, "\",\"Args\":[],\"State\":{\"Status\":\"%s\",\"Running\":%s,\"Paused\":false,"
		       "\"Restarting\":false,\"OOMKilled\":false,\"Dead\":false,\"Pid\":%u,"
		       "\"ExitCode\":0,\"Error\":\"\",\"StartedAt\":\"%s\",\"FinishedAt\":"
		       "\"0001-01-01T00:00:00Z\"},\"Image\":\"sha256:",
		    running ? "running" : (o->flags & LD_HP_OBJ_EXITED) ? "exited" : "created",
		    running ? "true" : "false",
		    running ? 2000 + (unsigned)(o->created % 30000) : 0, ts);
	{
		char d[LD_DIGEST_STR_LEN];
		ld_sha256_buf(o->image, strlen(o->image), d);
		ld_buf_adds(b, d + 7);
	}
	ld_buf_adds(b, "\",\"Name\":\"/");
	ld_hp_json_inner(b, o->extra);
	ld_buf_addf(b, "\",\"RestartCount\":0,\"Driver\":\"overlay2\",\"Platform\":\"linux\","
		       "\"HostConfig\":{\"NetworkMode\":\"default\",\"AutoRemove\":false},"
		       "\"Config\":{\"Hostname\":\"%.12s\",\"Tty\":%s,\"OpenStdin\":%s,"
		       "\"AttachStdin\":false,\"AttachStdout\":true,\"AttachStderr\":true,\"Env\":["
		       "\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],"
		       "\"Image\":\"",
		    o->name, o->flags & LD_HP_OBJ_TTY ? "true" : "false",
		    o->flags & LD_HP_OBJ_STDIN ? "true" : "false");
	ld_hp_json_inner(b, o->image);
	ld_buf_addf(b, "\"},\"NetworkSettings\":{\"IPAddress\":\"172.17.0.%u\",\"Gateway\":"
		       "\"172.17.0.1\",\"Networks\":{}},\"Mounts\":[]}",
		    2 + (unsigned)(o->created % 200));
}

/* GET /containers/json: running decoys and containers, all with ?all=1. */
static void container_list(ld_hp_conn *c, const ld_http_req *r)
{
	const ld_hp_src_state *st = ld_hp_source_state(c, false);
	char all[8] = "";
	bool every = ld_http_query_get(r->query, "all", all, sizeof(all)) &&
		     (!strcmp(all, "1") || !strcmp(all, "true"));
	size_t n = 0;
	ld_buf b;
	ld_buf_init(&b, 256 * 1024);
	ld_buf_addc(&b, '[');
	for (unsigned i = 0; st && i < st->n; i++) {
		const ld_hp_obj *o = &st->obj[st->n - 1 - i];
		bool up = (o->flags & LD_HP_OBJ_RUNNING) && !(o->flags & LD_HP_OBJ_EXITED);
		if (strcmp(o->kind, "container") || (!every && !up) ||
		    ((o->flags & LD_HP_OBJ_EXITED) && (o->flags & LD_HP_OBJ_AUTORM)))
			continue;
		if (n++)
			ld_buf_addc(&b, ',');
		container_json(&b, o, false);
	}
	for (size_t i = 0; i < LD_ARRAY_LEN(decoys); i++) {
		if (strcmp(decoys[i].kind, "container"))
			continue;
		if (n++)
			ld_buf_addc(&b, ',');
		container_json(&b, &decoys[i], false);
	}
	ld_buf_addc(&b, ']');
	ld_hp_http_reply(c, r, 200, "application/json", DOCKER_HEADERS, b.ptr, b.len);
	ld_buf_release(&b);
}

static void image_json(ld_buf *b, const ld_hp_obj *o)
{
	char d[LD_DIGEST_STR_LEN], repo[160];
	const char *colon = strrchr(o->name, ':');
	ld_sha256_buf(o->name, strlen(o->name), d);
	ld_snprintf(repo, sizeof(repo), "%.*s", colon ? (int)(colon - o->name) : (int)strlen(o->name),
		    o->name);
	ld_buf_addf(b, "{\"Containers\":-1,\"Created\":%lld,\"Id\":\"sha256:%s\",\"Labels\":null,"
		       "\"ParentId\":\"\",\"RepoDigests\":[\"",
		    (long long)o->created, d + 7);
	ld_hp_json_inner(b, repo);
	ld_buf_addf(b, "@sha256:%.64s\"],\"RepoTags\":[\"", d + 8);
	ld_hp_json_inner(b, o->name);
	ld_buf_addf(b, "\"],\"SharedSize\":-1,\"Size\":%u,\"VirtualSize\":%u}",
		    5000000u + (unsigned)(o->created % 90000000),
		    5000000u + (unsigned)(o->created % 90000000));
}

static void image_list(ld_hp_conn *c, const ld_http_req *r)
{
	const ld_hp_src_state *st = ld_hp_source_state(c, false);
	size_t n = 0;
	ld_buf b;
	ld_buf_init(&b, 256 * 1024);
	ld_buf_addc(&b, '[');
	for (unsigned i = 0; st && i < st->n; i++)
		if (!strcmp(st->obj[st->n - 1 - i].kind, "image")) {
			if (n++)
				ld_buf_addc(&b, ',');
			image_json(&b, &st->obj[st->n - 1 - i]);
		}
	for (size_t i = 0; i < LD_ARRAY_LEN(decoys); i++)
		if (!strcmp(decoys[i].kind, "image")) {
			if (n++)
				ld_buf_addc(&b, ',');
			image_json(&b, &decoys[i]);
		}
	ld_buf_addc(&b, ']');
	ld_hp_http_reply(c, r, 200, "application/json", DOCKER_HEADERS, b.ptr, b.len);
	ld_buf_release(&b);
}

/* Output on an attached stream: raw with a TTY, else in the multiplexed framing (stream 1,
 * three zero bytes, big-endian length). */
static void stream_out(ld_hp_conn *c, const char *p, size_t n)
{
	if (!n)
		return;
	if (!c->st.docker.tty) {
		unsigned char h[8] = {1, 0, 0, 0, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
				      (unsigned char)(n >> 8), (unsigned char)n};
		ld_hp_out(c, h, sizeof(h));
	}
	ld_hp_out(c, p, n);
}

/* Take over the connection as dockerd does for attach and exec start: 101 UPGRADED when the
 * client asked for it (200 with the stream as the body otherwise), the command's output, then
 * stdin lines when stdin is attached; else the stream ends. */
static void hijack(ld_hp_conn *c, const ld_http_req *r, const ld_hp_obj *o, bool want_stdin)
{
	bool upgrade = ld_http_header_get(r, "upgrade").ptr != NULL;
	ld_buf out;
	ld_hp_outf(c, "HTTP/1.1 %s\r\nContent-Type: application/vnd.docker.%s-stream\r\n%s%s\r\n",
		   upgrade ? "101 UPGRADED" : "200 OK",
		   o && (o->flags & LD_HP_OBJ_TTY) ? "raw" : "multiplexed",
		   upgrade ? "Connection: Upgrade\r\nUpgrade: tcp\r\n" : "", DOCKER_HEADERS);
	c->st.docker.stream = true;
	c->st.docker.tty = o && (o->flags & LD_HP_OBJ_TTY);
	c->st.docker.stdin_open = want_stdin;
	if (o)
		ld_strlcpy(c->st.docker.id, o->name, sizeof(c->st.docker.id));
	ld_buf_init(&out, OUTPUT_MAX);
	if (o && strcmp(o->kind, "container") == 0 && (o->flags & LD_HP_OBJ_RUNNING) == 0)
		ld_hp_shell_output(ld_slice_cstr(o->cmd), &out);
	else if (o && !strcmp(o->kind, "exec"))
		ld_hp_shell_output(ld_slice_cstr(o->cmd), &out);
	stream_out(c, out.ptr, out.len);
	ld_buf_release(&out);
	if (!want_stdin) {
		c->close_after_write = true;
		if (o && !strcmp(o->kind, "container") && !is_decoy(o))
			((ld_hp_obj *)o)->flags |= LD_HP_OBJ_EXITED; /* the source's own, not const */
	}
}

/* Input on a hijacked connection: the attached process's stdin, one line at a time. */
static size_t stream_data(ld_hp_conn *c, const char *p, size_t n)
{
	const char *nl = memchr(p, '\n', n);
	size_t len, used;
	ld_buf out;
	if (!nl && !c->eof && n < STREAM_LINE_MAX)
		return 0;
	len = nl ? (size_t)(nl - p) : LD_MIN(n, (size_t)STREAM_LINE_MAX);
	used = nl ? len + 1 : len;
	c->steps++;
	ld_hp_event_begin(c, "docker.stdin");
	ld_hp_kstr(c, "container", c->st.docker.id, strlen(c->st.docker.id));
	ld_hp_kstr(c, "line", p, len);
	ld_hp_event_payload(c, p, len);
	ld_hp_event_end(c);
	ld_buf_init(&out, OUTPUT_MAX);
	ld_hp_shell_output(ld_slice_make(p, len), &out);
	stream_out(c, out.ptr, out.len);
	ld_buf_release(&out);
	return used;
}

static void attach(ld_hp_conn *c, const ld_http_req *r, ld_slice id)
{
	char v[8] = "";
	const ld_hp_obj *o = find(c, "container", id);
	bool want_stdin = ld_http_query_get(r->query, "stdin", v, sizeof(v)) &&
			  (!strcmp(v, "1") || !strcmp(v, "true"));
	simple_event(c, r, "docker.container.attach", "container", id);
	if (!o) {
		no_such(c, r, "container", id);
		return;
	}
	hijack(c, r, o, want_stdin);
}

static void exec_start(ld_hp_conn *c, const ld_http_req *r, ld_slice id)
{
	const ld_hp_obj *o = find(c, "exec", id);
	ld_hp_http_event(c, "docker.exec.start", r);
	ld_hp_kslice(c, "exec", id);
	if (o) {
		/* the command again, so this event alone says what ran */
		ld_hp_kstr(c, "container", o->ns, strlen(o->ns));
		ld_hp_kstr(c, "cmd", o->cmd, strlen(o->cmd));
	}
	ld_hp_event_end(c);
	if (!o) {
		no_such(c, r, "exec instance", id);
		return;
	}
	if (ld_slice_find_str(r->body, LD_SLICE_LIT("\"Detach\":true")) >= 0) {
		ld_hp_http_reply(c, r, 200, "application/json", DOCKER_HEADERS, "", 0);
		return;
	}
	hijack(c, r, o, o->flags & LD_HP_OBJ_STDIN);
}

static void exec_inspect(ld_hp_conn *c, const ld_http_req *r, ld_slice id)
{
	const ld_hp_obj *o = find(c, "exec", id);
	ld_buf b;
	simple_event(c, r, "docker.exec.inspect", "exec", id);
	if (!o) {
		no_such(c, r, "exec instance", id);
		return;
	}
	ld_buf_init(&b, 4096);
	ld_buf_addf(&b, "{\"ID\":\"%s\",\"Running\":false,\"ExitCode\":0,\"ProcessConfig\":{"
			"\"tty\":%s,\"entrypoint\":\"sh\",\"arguments\":[],\"privileged\":false},"
			"\"OpenStdin\":%s,\"OpenStderr\":true,\"OpenStdout\":true,\"CanRemove\":false,"
			"\"ContainerID\":\"%s\",\"DetachKeys\":\"\",\"Pid\":%u}",
		    o->name, o->flags & LD_HP_OBJ_TTY ? "true" : "false",
		    o->flags & LD_HP_OBJ_STDIN ? "true" : "false", o->ns,
		    3000 + (unsigned)(o->created % 20000));
	ld_hp_http_reply(c, r, 200, "application/json", DOCKER_HEADERS, b.ptr, b.len);
	ld_buf_release(&b);
}

static void container_inspect(ld_hp_conn *c, const ld_http_req *r, ld_slice id)
{
	const ld_hp_obj *o = find(c, "container", id);
	ld_buf b;
	simple_event(c, r, "docker.container.inspect", "container", id);
	if (!o) {
		no_such(c, r, "container", id);
		return;
	}
	ld_buf_init(&b, 16 * 1024);
	container_json(&b, o, true);
	ld_hp_http_reply(c, r, 200, "application/json", DOCKER_HEADERS, b.ptr, b.len);
	ld_buf_release(&b);
}

static void container_logs(ld_hp_conn *c, const ld_http_req *r, ld_slice id)
{
	const ld_hp_obj *o = find(c, "container", id);
	ld_buf out, framed;
	simple_event(c, r, "docker.container.logs", "container", id);
	if (!o) {
		no_such(c, r, "container", id);
		return;
	}
	ld_buf_init(&out, OUTPUT_MAX);
	if (is_decoy(o))
		ld_buf_adds(&out, decoy_logs[(size_t)(o - decoys) % LD_ARRAY_LEN(decoy_logs)]);
	else
		ld_hp_shell_output(ld_slice_cstr(o->cmd), &out);
	ld_buf_init(&framed, OUTPUT_MAX + 8);
	if (!(o->flags & LD_HP_OBJ_TTY) && out.len) {
		unsigned char h[8] = {1, 0, 0, 0, (unsigned char)(out.len >> 24),
				      (unsigned char)(out.len >> 16), (unsigned char)(out.len >> 8),
				      (unsigned char)out.len};
		ld_buf_add(&framed, h, sizeof(h));
	}
	ld_buf_add(&framed, out.ptr ? out.ptr : "", out.len);
	ld_hp_http_reply(c, r, 200, "application/vnd.docker.raw-stream", DOCKER_HEADERS,
			 framed.ptr ? framed.ptr : "", framed.len);
	ld_buf_release(&out);
	ld_buf_release(&framed);
}

/* One ustar header block for name (a file of size bytes, or a directory). */
static void tar_header(ld_buf *b, const char *name, size_t size, bool dir)
{
	unsigned char h[512];
	unsigned sum = 0;
	memset(h, 0, sizeof(h));
	ld_snprintf((char *)h, 100, "%s%s", name, dir ? "/" : "");
	ld_snprintf((char *)h + 100, 8, "%07o", dir ? 0755u : 0644u);
	ld_snprintf((char *)h + 108, 8, "%07o", 0u);
	ld_snprintf((char *)h + 116, 8, "%07o", 0u);
	ld_snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	ld_snprintf((char *)h + 136, 12, "%011llo", 1792397462ull);
	memset(h + 148, ' ', 8);
	h[156] = dir ? '5' : '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	ld_snprintf((char *)h + 265, 32, "root");
	ld_snprintf((char *)h + 297, 32, "root");
	for (size_t i = 0; i < sizeof(h); i++)
		sum += h[i];
	ld_snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
	ld_buf_add(b, h, sizeof(h));
}

/* docker cp out of a container: files the canned shell knows (/etc/passwd, the token, ...) come
 * back as a one-file tar, any other path as an empty directory; HEAD is the stat alone. */
static void archive_get(ld_hp_conn *c, const ld_http_req *r, char *path, bool get)
{
	size_t plen = strlen(path);
	const char *base;
	char cmd[1100], stat_json[1400], hdr[2200], b64[1900];
	ld_buf sj, content, tar;
	while (plen > 1 && path[plen - 1] == '/')
		path[--plen] = '\0';
	base = strrchr(path, '/');
	base = base && base[1] ? base + 1 : path;
	ld_buf_init(&content, OUTPUT_MAX);
	ld_snprintf(cmd, sizeof(cmd), "cat %s", path);
	if (strcmp(path, "/"))
		ld_hp_shell_output(ld_slice_cstr(cmd), &content);
	ld_buf_init(&sj, sizeof(stat_json) - 1);
	ld_buf_adds(&sj, "{\"name\":\"");
	ld_hp_json_inner(&sj, base);
	/* mode: a directory is os.ModeDir | 0755 as Go encodes it */
	ld_buf_addf(&sj, "\",\"size\":%zu,\"mode\":%s,\"mtime\":\"2026-10-20T08:11:02Z\","
			 "\"linkTarget\":\"\"}",
		    content.len ? content.len : 4096, content.len ? "420" : "2147484141");
	ld_strlcpy(stat_json, sj.ptr ? sj.ptr : "{}", sizeof(stat_json));
	ld_buf_release(&sj);
	ld_hp_base64_encode(ld_slice_cstr(stat_json), b64, sizeof(b64));
	ld_snprintf(hdr, sizeof(hdr), "X-Docker-Container-Path-Stat: %s\r\n" DOCKER_HEADERS, b64);
	ld_buf_init(&tar, OUTPUT_MAX + 4096);
	if (get) {
		tar_header(&tar, base, content.len, !content.len);
		if (content.len) {
			static const char zero[512];
			ld_buf_add(&tar, content.ptr, content.len);
			ld_buf_add(&tar, zero, (512 - content.len % 512) % 512);
		}
		for (int i = 0; i < 2; i++)
			ld_buf_add(&tar, (char[512]){0}, 512);
	}
	ld_hp_http_reply(c, r, 200, "application/x-tar", hdr, tar.ptr ? tar.ptr : "", tar.len);
	ld_buf_release(&tar);
	ld_buf_release(&content);
}

/* docker cp out: HEAD/GET stat the target (directories exist), GET reads it (archive_get);
 * uploads (PUT) stream through dockercp.c. */
static void archive(ld_hp_conn *c, const ld_http_req *r, ld_slice id)
{
	char path[1024] = "";
	bool get = ld_slice_eq_cstr(r->method, "GET");
	const ld_hp_obj *o = find(c, "container", id);
	ld_http_query_get(r->query, "path", path, sizeof(path));
	ld_hp_http_event(c, get ? "docker.container.archive.get" : "docker.container.archive.stat",
			 r);
	ld_hp_kslice(c, "container", id);
	ld_hp_kstr(c, "target", path, strlen(path));
	ld_hp_event_end(c);
	if (!o)
		no_such(c, r, "container", id);
	else
		archive_get(c, r, path, get);
}

/* docker pull: recorded, the image listed for the source from now on, answered with dockerd's
 * progress messages; nothing is pulled. */
static void image_create(ld_hp_conn *c, const ld_http_req *r)
{
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
	{
		/* listed as dockerd shows Docker Hub names: without the registry */
		const char *shown = full;
		if (!strncmp(shown, "docker.io/", 10))
			shown += 10;
		if (!strncmp(shown, "library/", 8))
			shown += 8;
		if (image[0] && !find(c, "image", ld_slice_cstr(shown))) {
			ld_hp_obj *o = ld_hp_state_add(c, "image");
			if (o)
				ld_strlcpy(o->name, shown, sizeof(o->name));
		}
	}
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
}

/* start: 204, or 304 when it runs already; the source's own container runs from now on. */
static void container_start(ld_hp_conn *c, const ld_http_req *r, ld_slice id)
{
	const ld_hp_obj *o = find(c, "container", id);
	simple_event(c, r, "docker.container.start", "container", id);
	if (o && o->flags & LD_HP_OBJ_RUNNING)
		ld_hp_http_reply(c, r, 304, NULL, DOCKER_HEADERS, "", 0);
	else if (o && !is_decoy(o)) {
		((ld_hp_obj *)o)->flags |= LD_HP_OBJ_RUNNING; /* the source's own, not const */
		ld_hp_http_reply(c, r, 204, NULL, DOCKER_HEADERS, "", 0);
	} else if (o) {
		ld_hp_http_reply(c, r, 204, NULL, DOCKER_HEADERS, "", 0);
	} else
		no_such(c, r, "container", id);
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
		container_list(c, r);
	} else if (n == 2 && get && ld_slice_eq_cstr(seg[0], "images") &&
		   ld_slice_eq_cstr(seg[1], "json")) {
		simple_event(c, r, "docker.image.list", NULL, LD_SLICE_NULL);
		image_list(c, r);
	} else if (n == 2 && post && ld_slice_eq_cstr(seg[0], "images") &&
		   ld_slice_eq_cstr(seg[1], "create")) {
		image_create(c, r);
	} else if (n == 2 && post && ld_slice_eq_cstr(seg[0], "containers") &&
		   ld_slice_eq_cstr(seg[1], "create")) {
		container_create(c, r);
	} else if (n == 3 && post && ld_slice_eq_cstr(seg[0], "containers") &&
		   ld_slice_eq_cstr(seg[2], "start")) {
		container_start(c, r, seg[1]);
	} else if (n == 3 && post && ld_slice_eq_cstr(seg[0], "containers") &&
		   ld_slice_eq_cstr(seg[2], "exec")) {
		exec_create(c, r, seg[1]);
	} else if (n == 3 && post && ld_slice_eq_cstr(seg[0], "exec") &&
		   ld_slice_eq_cstr(seg[2], "start")) {
		exec_start(c, r, seg[1]);
	} else if (n == 3 && get && ld_slice_eq_cstr(seg[0], "exec") &&
		   ld_slice_eq_cstr(seg[2], "json")) {
		exec_inspect(c, r, seg[1]);
	} else if (n == 3 && get && ld_slice_eq_cstr(seg[0], "containers") &&
		   ld_slice_eq_cstr(seg[2], "json")) {
		container_inspect(c, r, seg[1]);
	} else if (n == 3 && ld_slice_eq_cstr(seg[0], "containers") &&
		   ld_slice_eq_cstr(seg[2], "archive")) {
		archive(c, r, seg[1]);
	} else if (n == 3 && post && ld_slice_eq_cstr(seg[0], "containers") &&
		   ld_slice_eq_cstr(seg[2], "attach")) {
		attach(c, r, seg[1]);
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
		container_logs(c, r, seg[1]);
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
	size_t used = 0;
	if (c->st.docker.stream)
		return stream_data(c, p, n);
	if (c->st.docker.upload)
		return ld_hp_docker_upload_data(c, p, n);
	if (n >= 4 && !memcmp(p, "PUT ", 4) && ld_hp_docker_upload_start(c, p, n, &used))
		return used;
	return ld_hp_http_on_data(c, p, n, route);
}

const ld_hp_obj *ld_hp_docker_container(ld_hp_conn *c, ld_slice key)
{
	return find(c, "container", key);
}

void ld_hp_docker_on_close(ld_hp_conn *c)
{
	ld_hp_docker_upload_free(c);
	/* the end of an attached stdin: the shell reading it exits */
	if (c->st.docker.stream && c->st.docker.stdin_open) {
		const ld_hp_obj *o = find(c, "container", ld_slice_cstr(c->st.docker.id));
		if (o && !is_decoy(o))
			((ld_hp_obj *)o)->flags |= LD_HP_OBJ_EXITED;
	}
}
