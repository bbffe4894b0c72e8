/* Container snapshots: the neutral record, the file formats (docker ps --format json lines,
 * docker inspect arrays, the Docker API's /containers/json, crictl ps -o json, kubectl get pods
 * -o json / PodList), detection, and rendering. */
#include <time.h>

#include "util/common.h"
#include "util/jsonw.h"
#include "source/containers.h"

#define SNAP_ARENA_MAX ((size_t)2 << 30) /* records + labels of one snapshot */

int ld_snap_new(lading_containers **out, const char *source, const char *format, lading_ctx *ctx)
{
	lading_containers *s = calloc(1, sizeof(*s));
	*out = NULL;
	if (!s)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_arena_init(&s->arena, SNAP_ARENA_MAX);
	s->source = ld_arena_strdup(&s->arena, source ? source : "");
	s->format = format;
	if (!s->source) {
		free(s);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	*out = s;
	return 0;
}

void lading_containers_free(lading_containers *c)
{
	if (!c)
		return;
	free(c->items);
	ld_arena_release(&c->arena);
	free(c);
}

lading_container *ld_snap_add(lading_containers *s, const char *what, lading_ctx *ctx)
{
	lading_container *c;
	if (s->n >= LD_SNAP_MAX_CONTAINERS) {
		ld_error_set(ctx, LADING_ELIMIT, "%s: more than %u containers", what, LD_SNAP_MAX_CONTAINERS);
		return NULL;
	}
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		lading_container *ni = reallocarray(s->items, nc, sizeof(*ni));
		if (!ni) {
			ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			return NULL;
		}
		s->items = ni;
		s->cap = nc;
	}
	c = &s->items[s->n++];
	memset(c, 0, sizeof(*c));
	c->source = s->source;
	return c;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_label(const void *a, const void *b)
{
	const lading_label *x = a, *y = b;
	int r = cmp_str(x->key, y->key);
	return r ? r : cmp_str(x->value, y->value);
}

static int cmp_container(const void *a, const void *b)
{
	const lading_container *x = a, *y = b;
	int r;
	if ((r = cmp_str(x->namespace_name, y->namespace_name)) || (r = cmp_str(x->pod, y->pod)) ||
	    (r = cmp_str(x->name, y->name)))
		return r;
	return cmp_str(x->id, y->id);
}

void ld_snap_finish(lading_containers *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].label_count > 1)
			qsort((void *)s->items[i].labels, s->items[i].label_count, sizeof(lading_label), cmp_label);
	if (s->n > 1)
		qsort(s->items, s->n, sizeof(*s->items), cmp_container);
}

size_t lading_containers_count(const lading_containers *c)
{
	return c ? c->n : 0;
}

const lading_container *lading_containers_get(const lading_containers *c, size_t i)
{
	return c && i < c->n ? &c->items[i] : NULL;
}

const lading_container *lading_containers_items(const lading_containers *c)
{
	return c && c->n ? c->items : NULL;
}

const char *lading_containers_source(const lading_containers *c)
{
	return c ? c->source : NULL;
}

const char *lading_containers_format(const lading_containers *c)
{
	return c ? c->format : NULL;
}

const char *lading_docker_host_default(void)
{
	const char *h = getenv("DOCKER_HOST");
	return h && *h ? h : "unix:///var/run/docker.sock";
}

/* ---- times ---- */

const char *ld_snap_time_unix(ld_arena *a, int64_t secs)
{
	struct tm tm;
	time_t t = (time_t)secs;
	char out[32];
	if (secs <= 0 || !gmtime_r(&t, &tm))
		return NULL;
	strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return ld_arena_strdup(a, out);
}

static bool digits(const char *p, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

/* "+HH:MM", "-HHMM", "Z" or " +0000 UTC" after the seconds (and fraction): offset in seconds. */
static bool parse_zone(const char *p, long *off)
{
	int h, m;
	while (*p == ' ')
		p++;
	if (*p == 'Z' || *p == '\0') {
		*off = 0;
		return true;
	}
	if ((*p != '+' && *p != '-') || !digits(p + 1, 2, &h))
		return false;
	if (p[3] == ':' ? !digits(p + 4, 2, &m) : !digits(p + 3, 2, &m))
		return false;
	*off = (long)(h * 3600 + m * 60) * (*p == '-' ? -1 : 1);
	return true;
}

const char *ld_snap_time(ld_arena *a, const char *s)
{
	struct tm tm = {0};
	int y, mo, d, h, mi, se;
	long off;
	const char *p;
	size_t n = s ? strlen(s) : 0;

	if (!n || n > 64)
		return NULL;
	if (strspn(s, "0123456789") == n) {
		/* crictl: nanoseconds since the epoch; Docker: seconds */
		int64_t v = 0;
		for (size_t i = 0; i < n && i < 19; i++)
			v = v * 10 + (s[i] - '0');
		if (n >= 16)
			v /= 1000000000;
		return ld_snap_time_unix(a, v);
	}
	if (n < 19 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') || !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
		return NULL;
	if (y <= 1 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return NULL; /* Go's zero time "0001-01-01T00:00:00Z" means never */
	p = s + 19;
	if (*p == '.')
		p += 1 + strspn(p + 1, "0123456789");
	if (!parse_zone(p, &off))
		return NULL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	return ld_snap_time_unix(a, (int64_t)timegm(&tm) - off);
}

/* ---- field helpers ---- */

static const char *keep(lading_containers *s, const char *v)
{
	if (!v || !*v)
		return NULL;
	return ld_arena_strndup(&s->arena, v, strnlen(v, LD_SNAP_MAX_STR));
}

static bool is_hex64(const char *p)
{
	for (int i = 0; i < 64; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	return true;
}

/* "sha256:HEX" or a bare HEX (Podman) -> "sha256:HEX"; else NULL. */
static const char *config_digest(lading_containers *s, const char *v)
{
	if (!v)
		return NULL;
	if (!strncmp(v, "sha256:", 7) && strlen(v) == 71 && is_hex64(v + 7))
		return ld_arena_strdup(&s->arena, v);
	if (strlen(v) == 64 && is_hex64(v))
		return ld_arena_printf(&s->arena, "sha256:%s", v);
	return NULL;
}

/* A Kubernetes imageID: "docker-pullable://REPO@sha256:HEX", "REPO@sha256:HEX" (containerd) or
 * "sha256:HEX" (an image ID: CRI-O, or Docker for a local image). */
static void set_image_id(lading_containers *s, lading_container *c, const char *v)
{
	const char *at, *scheme;
	if (!v || !*v)
		return;
	if ((scheme = strstr(v, "://")))
		v = scheme + 3;
	at = strrchr(v, '@');
	if (at && !strncmp(at + 1, "sha256:", 7) && strlen(at + 1) == 71 && is_hex64(at + 8)) {
		c->image_digest = keep(s, at + 1);
		return;
	}
	c->image_digest = config_digest(s, v);
}

static void set_config_digest(lading_containers *s, lading_container *c, const char *v)
{
	c->image_digest = config_digest(s, v);
}

static int labels_from_object(lading_containers *s, lading_container *c, const ld_json *obj, const char *what,
			      lading_ctx *ctx)
{
	const ld_json_member *m;
	lading_label *l;
	size_t n = 0;
	if (!ld_json_is(obj, LD_JSON_OBJECT) || obj->n == 0)
		return 0;
	if (obj->n > LD_SNAP_MAX_LABELS)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: container %s has more than %u labels", what,
				    c->id ? c->id : "", LD_SNAP_MAX_LABELS);
	l = ld_arena_array(&s->arena, obj->n, sizeof(*l));
	if (!l)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_json_foreach_member(obj, i, m) {
		l[n].key = keep(s, m->key);
		l[n].value = ld_json_str(&m->value) ? ld_arena_strdup(&s->arena, ld_json_str(&m->value)) : "";
		if (l[n].key && l[n].value)
			n++;
	}
	c->labels = l;
	c->label_count = n;
	return 0;
}

/* docker ps's "Labels" is one "k=v,k2=v2" string. */
static int labels_from_string(lading_containers *s, lading_container *c, const char *str, const char *what,
			      lading_ctx *ctx)
{
	ld_slice rest = ld_slice_cstr(str ? str : ""), item, key;
	size_t cap = 1, n = 0;
	lading_label *l;
	for (const char *p = str; p && *p; p++)
		cap += *p == ',';
	if (!str || !*str)
		return 0;
	if (cap > LD_SNAP_MAX_LABELS)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: container %s has more than %u labels", what,
				    c->id ? c->id : "", LD_SNAP_MAX_LABELS);
	if (!(l = ld_arena_array(&s->arena, cap, sizeof(*l))))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	while (rest.len && n < cap) {
		ld_slice_cut(&rest, ',', &item);
		if (!item.len)
			continue;
		ld_slice_cut(&item, '=', &key);
		if (!key.len)
			continue;
		l[n].key = ld_arena_slice(&s->arena, key);
		l[n].value = ld_arena_slice(&s->arena, item);
		if (l[n].key && l[n].value)
			n++;
	}
	c->labels = l;
	c->label_count = n;
	return 0;
}

static const char *label(const lading_container *c, const char *key)
{
	for (size_t i = 0; i < c->label_count; i++)
		if (!strcmp(c->labels[i].key, key))
			return c->labels[i].value;
	return NULL;
}

/* Engine states to the three the inventory keeps. */
static const char *norm_state(const char *v)
{
	static const char *const running[] = {"running", "paused", "restarting", "CONTAINER_RUNNING"};
	static const char *const created[] = {"created", "configured", "initialized", "CONTAINER_CREATED"};
	if (!v)
		return NULL;
	for (size_t i = 0; i < LD_ARRAY_LEN(running); i++)
		if (!strcasecmp(v, running[i]))
			return "running";
	for (size_t i = 0; i < LD_ARRAY_LEN(created); i++)
		if (!strcasecmp(v, created[i]))
			return "created";
	return "exited"; /* exited, dead, removing, stopped, CONTAINER_EXITED, CONTAINER_UNKNOWN */
}

/* docker ps "Status" when "State" is missing (Docker before 20.10 prints no State). */
static const char *state_from_status(const char *st)
{
	if (!st)
		return NULL;
	if (!strncmp(st, "Up", 2))
		return "running";
	if (!strncmp(st, "Created", 7))
		return "created";
	return "exited";
}

static int no_state(const lading_container *c, const char *what, uint64_t off, lading_ctx *ctx)
{
	return ld_error_set_path(ctx, LADING_EINVALID, what, off, "%s: container %s (at byte %" PRIu64 ") has no state",
				 what, c->id ? c->id : "?", off);
}

/* ---- Kubernetes pods ---- */

/* The pod's controller (else its first owner) as "Kind/name". */
static void pod_owner(lading_containers *s, lading_container *c, const ld_json *meta)
{
	const ld_json *o, *pick = NULL, *refs = ld_json_get(meta, "ownerReferences");
	ld_json_foreach_item(refs, i, o) {
		if (ld_json_bool(ld_json_get(o, "controller"), false) || !pick)
			pick = o;
	}
	if (pick && ld_json_get_str(pick, "kind") && ld_json_get_str(pick, "name"))
		c->owner = ld_arena_printf(&s->arena, "%.256s/%.1024s", ld_json_get_str(pick, "kind"),
					   ld_json_get_str(pick, "name"));
}

/* Strings in the JSON tree live in its arena; copy what a record keeps. */
static void own_strings(lading_containers *s, lading_container *c)
{
	const char **f[] = {&c->id, &c->name, &c->namespace_name, &c->pod, &c->node, &c->image_ref};
	for (size_t i = 0; i < LD_ARRAY_LEN(f); i++)
		*f[i] = keep(s, *f[i]);
}

static int pod_container(lading_containers *s, const ld_json *pod, const ld_json *spec_c, const ld_json *status,
			 const char *what, lading_ctx *ctx)
{
	const ld_json *meta = ld_json_get(pod, "metadata"), *st;
	lading_container *c = ld_snap_add(s, what, ctx);
	const char *cid;
	if (!c)
		return ctx ? lading_ctx_error(ctx)->code : LADING_ELIMIT;
	c->namespace_name = ld_json_get_str(meta, "namespace");
	c->pod = ld_json_get_str(meta, "name");
	c->node = ld_json_getp(pod, "spec", "nodeName", NULL) ? ld_json_str(ld_json_getp(pod, "spec", "nodeName", NULL))
							       : NULL;
	pod_owner(s, c, meta);
	c->name = ld_json_get_str(status ? status : spec_c, "name");
	c->image_ref = ld_json_get_str(spec_c, "image");
	if (!c->image_ref)
		c->image_ref = ld_json_get_str(status, "image");
	cid = ld_json_get_str(status, "containerID");
	if (cid && strstr(cid, "://"))
		cid = strstr(cid, "://") + 3;
	c->id = cid;
	own_strings(s, c);
	if (!c->id)
		c->id = ld_arena_printf(&s->arena, "%s/%s/%s", c->namespace_name ? c->namespace_name : "", c->pod ? c->pod : "",
					c->name ? c->name : "");
	set_image_id(s, c, ld_json_get_str(status, "imageID"));
	c->created = ld_snap_time(&s->arena, ld_json_get_str(meta, "creationTimestamp"));
	st = ld_json_get(status, "state");
	if (ld_json_get(st, "running")) {
		c->state = "running";
		c->started = ld_snap_time(&s->arena, ld_json_getp(st, "running", "startedAt", NULL)
						      ? ld_json_str(ld_json_getp(st, "running", "startedAt", NULL))
						      : NULL);
	} else if (ld_json_get(st, "terminated")) {
		c->state = "exited";
		c->started = ld_snap_time(&s->arena, ld_json_str(ld_json_getp(st, "terminated", "startedAt", NULL)));
	} else {
		/* waiting: never ran yet, or between restarts after a run (CrashLoopBackOff) */
		c->state = ld_json_getp(status, "lastState", "terminated", NULL) ? "exited" : "created";
	}
	return labels_from_object(s, c, ld_json_get(meta, "labels"), what, ctx);
}

/* The status of container `name` in one of a pod's status lists. */
static const ld_json *find_status(const ld_json *pstatus, const char *list, const char *name)
{
	const ld_json *st;
	ld_json_foreach_item(ld_json_get(pstatus, list), i, st) {
		const char *n = ld_json_get_str(st, "name");
		if (n && name && !strcmp(n, name))
			return st;
	}
	return NULL;
}

int ld_snap_add_pods(lading_containers *s, const ld_json *items, const char *what, lading_ctx *ctx)
{
	static const char *const kinds[][2] = {{"initContainers", "initContainerStatuses"},
					       {"containers", "containerStatuses"},
					       {"ephemeralContainers", "ephemeralContainerStatuses"}};
	const ld_json *pod, *sc;
	int rc;
	if (!ld_json_is(items, LD_JSON_ARRAY))
		return ld_error_set_path(ctx, LADING_EINVALID, what, 0, "%s: \"items\" is not an array of pods", what);
	ld_json_foreach_item(items, i, pod) {
		const ld_json *pstatus = ld_json_get(pod, "status");
		if (!ld_json_is(pod, LD_JSON_OBJECT) || !ld_json_is(ld_json_get(pod, "metadata"), LD_JSON_OBJECT))
			return ld_error_set_path(ctx, LADING_EINVALID, what, 0, "%s: item %zu is not a pod object",
						 what, i);
		/* spec lists every container, statuses only those the kubelet reported */
		for (size_t k = 0; k < LD_ARRAY_LEN(kinds); k++) {
			ld_json_foreach_item(ld_json_getp(pod, "spec", kinds[k][0], NULL), j, sc) {
				const ld_json *st = find_status(pstatus, kinds[k][1], ld_json_get_str(sc, "name"));
				if (!ld_json_get_str(sc, "name"))
					continue;
				if ((rc = pod_container(s, pod, sc, st, what, ctx)))
					return rc;
			}
		}
	}
	return 0;
}

/* ---- Docker ---- */

int ld_snap_add_docker_list(lading_containers *s, const ld_json *arr, const char *what, lading_ctx *ctx)
{
	const ld_json *e;
	ld_json_foreach_item(arr, i, e) {
		lading_container *c;
		int64_t created = 0;
		const char *name = ld_json_str(ld_json_at(ld_json_get(e, "Names"), 0));
		int rc;
		if (!ld_json_is(e, LD_JSON_OBJECT) || !ld_json_get_str(e, "Id"))
			return ld_error_set_path(ctx, LADING_EINVALID, what, 0, "%s: entry %zu has no container Id", what, i);
		if (!(c = ld_snap_add(s, what, ctx)))
			return lading_ctx_error(ctx)->code;
		c->id = ld_json_get_str(e, "Id");
		c->name = name && name[0] == '/' ? name + 1 : name;
		c->image_ref = ld_json_get_str(e, "Image");
		own_strings(s, c);
		set_config_digest(s, c, ld_json_get_str(e, "ImageID"));
		c->state = norm_state(ld_json_get_str(e, "State"));
		if (!c->state)
			c->state = state_from_status(ld_json_get_str(e, "Status"));
		if (!c->state)
			return no_state(c, what, 0, ctx);
		if (ld_json_i64(ld_json_get(e, "Created"), &created))
			c->created = ld_snap_time_unix(&s->arena, created);
		if ((rc = labels_from_object(s, c, ld_json_get(e, "Labels"), what, ctx)))
			return rc;
	}
	return 0;
}

int ld_snap_add_docker_inspect(lading_containers *s, const ld_json *e, const char *what, lading_ctx *ctx)
{
	lading_container *c;
	const char *name = ld_json_get_str(e, "Name");
	const ld_json *state = ld_json_get(e, "State");
	if (!ld_json_is(e, LD_JSON_OBJECT) || !ld_json_get_str(e, "Id"))
		return ld_error_set_path(ctx, LADING_EINVALID, what, 0, "%s: an inspect entry has no container Id", what);
	if (!(c = ld_snap_add(s, what, ctx)))
		return lading_ctx_error(ctx)->code;
	c->id = ld_json_get_str(e, "Id");
	c->name = name && name[0] == '/' ? name + 1 : name;
	c->image_ref = ld_json_str(ld_json_getp(e, "Config", "Image", NULL));
	if (!c->image_ref)
		c->image_ref = ld_json_get_str(e, "ImageName"); /* podman inspect */
	own_strings(s, c);
	set_config_digest(s, c, ld_json_get_str(e, "Image"));
	c->state = norm_state(ld_json_is(state, LD_JSON_OBJECT) ? ld_json_get_str(state, "Status")
								: ld_json_str(state));
	if (!c->state)
		return no_state(c, what, 0, ctx);
	c->created = ld_snap_time(&s->arena, ld_json_get_str(e, "Created"));
	c->started = ld_snap_time(&s->arena, ld_json_get_str(state, "StartedAt"));
	return labels_from_object(s, c, ld_json_getp(e, "Config", "Labels", NULL), what, ctx);
}

/* One `docker ps --format '{{json .}}'` line. */
static int add_docker_ps(lading_containers *s, const ld_json *e, const char *what, uint64_t off, lading_ctx *ctx)
{
	lading_container *c;
	const char *names = ld_json_get_str(e, "Names"), *comma;
	if (!ld_json_is(e, LD_JSON_OBJECT) || !ld_json_get_str(e, "ID"))
		return ld_error_set_path(ctx, LADING_EINVALID, what, off,
					 "%s: the line at byte %" PRIu64 " is not a docker ps entry (no \"ID\")", what, off);
	if (!(c = ld_snap_add(s, what, ctx)))
		return lading_ctx_error(ctx)->code;
	c->id = ld_json_get_str(e, "ID");
	c->image_ref = ld_json_get_str(e, "Image");
	own_strings(s, c);
	if (names) /* several names are comma-separated (links): the first is the container's own */
		c->name = (comma = strchr(names, ',')) ? ld_arena_strndup(&s->arena, names, (size_t)(comma - names))
						       : keep(s, names);
	c->state = norm_state(ld_json_get_str(e, "State"));
	if (!c->state)
		c->state = state_from_status(ld_json_get_str(e, "Status"));
	if (!c->state)
		return no_state(c, what, off, ctx);
	c->created = ld_snap_time(&s->arena, ld_json_get_str(e, "CreatedAt"));
	return labels_from_string(s, c, ld_json_get_str(e, "Labels"), what, ctx);
}

/* ---- crictl ps -o json ---- */

static int add_crictl(lading_containers *s, const ld_json *arr, const char *what, lading_ctx *ctx)
{
	const ld_json *e;
	int rc;
	ld_json_foreach_item(arr, i, e) {
		lading_container *c;
		const char *img = ld_json_str(ld_json_getp(e, "image", "image", NULL));
		if (!ld_json_is(e, LD_JSON_OBJECT) || !ld_json_get_str(e, "id"))
			return ld_error_set_path(ctx, LADING_EINVALID, what, 0, "%s: container %zu has no \"id\"", what, i);
		if (!(c = ld_snap_add(s, what, ctx)))
			return lading_ctx_error(ctx)->code;
		c->id = ld_json_get_str(e, "id");
		c->name = ld_json_str(ld_json_getp(e, "metadata", "name", NULL));
		/* image.image is often the image ID; the annotation or label keeps the name used */
		c->image_ref = img;
		own_strings(s, c);
		set_image_id(s, c, ld_json_get_str(e, "imageRef"));
		if (!c->image_digest)
			set_image_id(s, c, img);
		c->state = norm_state(ld_json_get_str(e, "state"));
		if (!c->state)
			return no_state(c, what, 0, ctx);
		c->created = ld_snap_time(&s->arena, ld_json_get_str(e, "createdAt"));
		if ((rc = labels_from_object(s, c, ld_json_get(e, "labels"), what, ctx)))
			return rc;
		c->namespace_name = keep(s, label(c, "io.kubernetes.pod.namespace"));
		c->pod = keep(s, label(c, "io.kubernetes.pod.name"));
	}
	return 0;
}

/* ---- lading's own list ({"containers": [...]} as `containers list --format json` and the
 * inventory's `list containers` write it) ---- */

static int add_lading(lading_containers *s, const ld_json *arr, const char *what, lading_ctx *ctx)
{
	const ld_json *e;
	int rc;
	ld_json_foreach_item(arr, i, e) {
		lading_container *c;
		const char *st = ld_json_get_str(e, "state");
		if (!ld_json_is(e, LD_JSON_OBJECT) || !ld_json_get_str(e, "id"))
			return ld_error_set_path(ctx, LADING_EINVALID, what, 0, "%s: containers[%zu] has no \"id\"", what, i);
		/* "gone" is the store's verdict: such a container is in no snapshot of its host any more */
		if (st && !strcmp(st, "gone"))
			continue;
		if (!(c = ld_snap_add(s, what, ctx)))
			return lading_ctx_error(ctx)->code;
		c->id = ld_json_get_str(e, "id");
		c->name = ld_json_get_str(e, "name");
		c->namespace_name = ld_json_get_str(e, "namespace");
		c->pod = ld_json_get_str(e, "pod");
		c->node = ld_json_get_str(e, "node");
		c->image_ref = ld_json_get_str(e, "image_ref");
		own_strings(s, c);
		c->owner = keep(s, ld_json_get_str(e, "owner"));
		c->image_digest = config_digest(s, ld_json_get_str(e, "image_digest"));
		c->state = norm_state(st);
		if (!c->state)
			return no_state(c, what, 0, ctx);
		c->created = ld_snap_time(&s->arena, ld_json_get_str(e, "created"));
		c->started = ld_snap_time(&s->arena, ld_json_get_str(e, "started"));
		if ((rc = labels_from_object(s, c, ld_json_get(e, "labels"), what, ctx)))
			return rc;
	}
	return 0;
}

/* ---- detection ---- */

static int parse_lines(lading_containers *s, const char *p, size_t len, const char *what, lading_ctx *ctx)
{
	ld_json_limits lim = {.max_depth = LD_SNAP_MAX_JSON_DEPTH};
	size_t off = 0;
	char line[700];
	int rc;
	while (off < len) {
		ld_json *v;
		size_t used = 0;
		ld_arena tmp;
		if (strchr(" \t\r\n", p[off])) {
			off++;
			continue;
		}
		ld_arena_init(&tmp, 0);
		ld_snprintf(line, sizeof(line), "%s (the line at byte %zu)", what, off);
		rc = ld_json_parse_prefix(&v, &used, &tmp, p + off, len - off, &lim, ctx, line);
		if (rc) {
			/* the parser counts from the line's start; callers want the file's offset */
			char msg[sizeof(lading_ctx_error(ctx)->msg)];
			uint64_t at = off + lading_ctx_error(ctx)->offset;
			ld_strlcpy(msg, lading_ctx_error(ctx)->msg, sizeof(msg));
			ld_arena_release(&tmp);
			return ld_error_set_path(ctx, rc, what, at, "%s", msg);
		}
		rc = add_docker_ps(s, v, what, off, ctx);
		ld_arena_release(&tmp);
		if (rc)
			return rc;
		off += used;
	}
	return 0;
}

/* What a document is, from its shape. */
static int parse_doc(lading_containers *s, const ld_json *v, const char *what, lading_ctx *ctx)
{
	const ld_json *first;
	if (ld_json_is(v, LD_JSON_OBJECT)) {
		if (ld_json_is(ld_json_get(v, "items"), LD_JSON_ARRAY)) {
			s->format = "kubectl";
			return ld_snap_add_pods(s, ld_json_get(v, "items"), what, ctx);
		}
		if (ld_json_is(ld_json_get(v, "containers"), LD_JSON_ARRAY) &&
		    (ld_json_get(ld_json_at(ld_json_get(v, "containers"), 0), "image_digest") ||
		     ld_json_get(ld_json_at(ld_json_get(v, "containers"), 0), "image_ref"))) {
			s->format = "lading";
			return add_lading(s, ld_json_get(v, "containers"), what, ctx);
		}
		if (ld_json_is(ld_json_get(v, "containers"), LD_JSON_ARRAY)) {
			s->format = "crictl";
			return add_crictl(s, ld_json_get(v, "containers"), what, ctx);
		}
		if (ld_json_is(ld_json_get(v, "spec"), LD_JSON_OBJECT) && ld_json_get(v, "metadata")) {
			/* kubectl get pod NAME -o json: one pod */
			ld_json one = {.type = LD_JSON_ARRAY, .n = 1, .u.items = (ld_json *)v};
			s->format = "kubectl";
			return ld_snap_add_pods(s, &one, what, ctx);
		}
		return ld_error_set_path(ctx, LADING_EUNSUPPORTED, what, 0,
					 "%s: a JSON object that is neither a pod list (\"items\"), crictl output "
					 "(\"containers\") nor a docker ps line (\"ID\")",
					 what);
	}
	if (!ld_json_is(v, LD_JSON_ARRAY))
		return ld_error_set_path(ctx, LADING_EUNSUPPORTED, what, 0,
					 "%s: not a container list (expected a JSON array or object)", what);
	first = ld_json_at(v, 0);
	if (ld_json_is(ld_json_get(first, "Names"), LD_JSON_ARRAY)) {
		s->format = "docker-api";
		return ld_snap_add_docker_list(s, v, what, ctx);
	}
	s->format = "docker-inspect";
	ld_json_foreach_item(v, i, first) {
		int rc = ld_snap_add_docker_inspect(s, first, what, ctx);
		if (rc)
			return rc;
	}
	return 0;
}

/* docker ps lines: one object per line with "ID"; a single such line is one too. */
static bool looks_like_ps_line(const char *p, size_t len)
{
	const char *end = memchr(p, '\n', len);
	size_t n = end ? (size_t)(end - p) : len;
	for (size_t i = 0; i + 5 <= n; i++)
		if (!memcmp(p + i, "\"ID\":", 5))
			return true;
	return false;
}

/* lading's own list only: {"containers": [...]} (also empty, or whose first record names no
 * image). */
static int parse_lading_doc(lading_containers *s, const ld_json *v, const char *what, lading_ctx *ctx)
{
	const ld_json *arr = ld_json_get(v, "containers");
	if (!ld_json_is(arr, LD_JSON_ARRAY))
		return ld_error_set_path(ctx, LADING_EINVALID, what, 0,
					 "%s: not a lading container list (no \"containers\" array)", what);
	s->format = "lading";
	return add_lading(s, arr, what, ctx);
}

/* Any of the formats (detected), or with `lading_only` lading's own list. */
static int parse_snapshot(lading_containers **out, lading_ctx *ctx, const char *p, size_t len,
			  const char *what, const char *source_name, bool lading_only)
{
	lading_containers *s = NULL;
	ld_json_limits lim = {.max_depth = LD_SNAP_MAX_JSON_DEPTH};
	ld_arena tmp;
	ld_json *v;
	size_t off = 0;
	char src[600];
	int rc;

	*out = NULL;
	what = what ? what : "snapshot";
	if (len > LD_SNAP_MAX_DOC_BYTES)
		return ld_error_set_path(ctx, LADING_ELIMIT, what, 0, "%s: %zu bytes, more than the limit of %u", what,
					 len, LD_SNAP_MAX_DOC_BYTES);
	ld_snprintf(src, sizeof(src), "file:%s", what);
	if ((rc = ld_snap_new(&s, source_name ? source_name : src, NULL, ctx)))
		return rc;
	while (off < len && strchr(" \t\r\n", p[off]))
		off++;
	if (off == len) {
		rc = ld_error_set_path(ctx, LADING_EINVALID, what, 0, "%s: empty, no containers listed", what);
		goto out;
	}
	if (!lading_only && p[off] == '{' && looks_like_ps_line(p + off, len - off)) {
		s->format = "docker-ps";
		rc = parse_lines(s, p, len, what, ctx);
		goto out;
	}
	ld_arena_init(&tmp, 0);
	rc = ld_json_parse(&v, &tmp, p, len, &lim, ctx, what);
	if (!rc)
		rc = lading_only ? parse_lading_doc(s, v, what, ctx) : parse_doc(s, v, what, ctx);
	ld_arena_release(&tmp);
out:
	if (!rc && s->arena.err)
		rc = ld_error_set(ctx, LADING_ENOMEM, "%s: out of memory", what);
	if (rc) {
		lading_containers_free(s);
		return rc;
	}
	ld_snap_finish(s);
	*out = s;
	return 0;
}

int lading_containers_parse(lading_containers **out, lading_ctx *ctx, const char *p, size_t len, const char *what,
			    const char *source_name)
{
	return parse_snapshot(out, ctx, p, len, what, source_name, false);
}

int ld_snap_parse_lading(lading_containers **out, lading_ctx *ctx, const char *p, size_t len,
			 const char *what)
{
	return parse_snapshot(out, ctx, p, len, what, NULL, true);
}

/* ---- reading ---- */

static int read_input(const char *path, ld_buf *b, lading_ctx *ctx)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	char chunk[65536];
	ssize_t n;
	if (fd < 0)
		return ld_error_set_path(ctx, errno == ENOENT ? LADING_ENOTFOUND : LADING_EIO, path, 0,
					 "cannot open %s: %s", path, strerror(errno));
	ld_buf_init(b, LD_SNAP_MAX_DOC_BYTES);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (ld_buf_add(b, chunk, (size_t)n))
			break;
	if (fd)
		close(fd);
	if (n < 0)
		return ld_error_set_path(ctx, LADING_EIO, path, b->len, "cannot read %s: %s", path, strerror(errno));
	if (ld_buf_error(b))
		return ld_error_set_path(ctx, LADING_ELIMIT, path, 0, "%s: more than %u bytes", path,
					 LD_SNAP_MAX_DOC_BYTES);
	return 0;
}

int lading_containers_read(lading_containers **out, lading_ctx *ctx, const lading_containers_options *o)
{
	int given;
	*out = NULL;
	ld_error_clear(ctx);
	if (!o)
		return ld_error_set(ctx, LADING_EUSAGE, "no containers source given");
	given = !!o->docker_host + !!o->kubeconfig + !!o->from_file;
	if (given != 1)
		return ld_error_set(ctx, LADING_EUSAGE,
				    "name exactly one source: a Docker host, a kubeconfig or a snapshot file");
	if (o->docker_host)
		return ld_docker_snapshot(out, o->docker_host, o->source_name, ctx);
	if (o->kubeconfig)
		return ld_kube_snapshot(out, o, ctx);
	{
		ld_buf b = LD_BUF_INIT;
		const char *what = strcmp(o->from_file, "-") ? o->from_file : "standard input";
		int rc = read_input(o->from_file, &b, ctx);
		if (!rc)
			rc = lading_containers_parse(out, ctx, b.ptr ? b.ptr : "", b.len, what, o->source_name);
		ld_buf_release(&b);
		return rc;
	}
}

/* ---- rendering ---- */

static void render_json_one(ld_jw *w, const lading_container *c)
{
	ld_jw_obj(w);
	ld_jw_kstr(w, "id", c->id);
	ld_jw_kstr(w, "name", c->name);
	ld_jw_kstr(w, "source", c->source);
	ld_jw_kstr(w, "namespace", c->namespace_name);
	ld_jw_kstr(w, "pod", c->pod);
	ld_jw_kstr(w, "node", c->node);
	ld_jw_kstr(w, "owner", c->owner);
	ld_jw_kstr(w, "image_ref", c->image_ref);
	ld_jw_kstr(w, "image_digest", c->image_digest);
	ld_jw_key(w, "labels");
	ld_jw_obj(w);
	for (size_t j = 0; j < c->label_count; j++)
		ld_jw_kstr(w, c->labels[j].key, c->labels[j].value);
	ld_jw_obj_end(w);
	ld_jw_kstr(w, "state", c->state);
	ld_jw_kstr(w, "created", c->created);
	ld_jw_kstr(w, "started", c->started);
	ld_jw_obj_end(w);
}

static void render_table(ld_buf *b, const lading_containers *s)
{
	ld_buf_addf(b, "%-14s %-24s %-12s %-8s %-32s %s\n", "ID", "NAME", "NAMESPACE", "STATE", "IMAGE",
		    "DIGEST");
	for (size_t i = 0; i < s->n; i++) {
		const lading_container *c = &s->items[i];
		const char *d = c->image_digest;
		ld_buf_addf(b, "%-14.12s %-24s %-12s %-8s %-32s %.19s\n", c->id ? c->id : "-",
			    c->name ? c->name : "-", c->namespace_name ? c->namespace_name : "-", c->state ? c->state : "-",
			    c->image_ref ? c->image_ref : "-", d ? d : "-");
	}
	ld_buf_addf(b, "%zu containers from %s (%s)\n", s->n, s->source, s->format ? s->format : "?");
}

int lading_containers_render(const lading_containers *s, int json, char **out, size_t *len, lading_ctx *ctx)
{
	ld_buf b = LD_BUF_INIT;
	*out = NULL;
	*len = 0;
	ld_buf_init(&b, (size_t)1 << 32);
	if (json) {
		ld_jw w;
		ld_jw_init(&w, &b, true);
		ld_jw_obj(&w);
		ld_jw_kstr(&w, "source", s->source);
		ld_jw_kstr(&w, "format", s->format);
		ld_jw_key(&w, "containers");
		ld_jw_arr(&w);
		for (size_t i = 0; i < s->n; i++)
			render_json_one(&w, &s->items[i]);
		ld_jw_arr_end(&w);
		ld_jw_obj_end(&w);
		ld_jw_finish(&w);
	} else {
		render_table(&b, s);
	}
	if (ld_buf_error(&b)) {
		ld_buf_release(&b);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	*out = ld_buf_detach(&b, len);
	return 0;
}
