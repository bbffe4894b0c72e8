/* Analysis of honeypot event logs.
 *
 * Pass 1 reads every line (JSON), flattens the event for the rules, records which rule
 * conditions it meets (a bit set per event) and the values that "distinct" lines count, and
 * interns what the top lists need (payload digests, images, commands, user names, passwords,
 * user agents). Pass 2 sorts the events by source and time, cuts each source's events into attack
 * sessions at silences longer than session_gap, and classifies each session: automated when an
 * "automated" block matches, else by timing (median gap between steps below human_gap), with too
 * few steps to time counted as the rules say; attack types are the matching "type" blocks, the
 * first being the primary type, the fallback when none match. Countries come from an MMDB file.
 * Figures count sessions (a source hammering the sensor counts as much as one that came once
 * per session), with sources per country alongside. */
#include <time.h>

#include "util/common.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/map.h"
#include "util/vec.h"
#include "honeypot/analysis.h"

/* Limits of the analysis. */
#define LOG_LINE_MAX (1 << 20) /* longer lines are skipped with a warning (events are < 300 KiB)   \
				*/
#define EVENTS_MAX	(64u << 20) /* events grouped; beyond, ELIMIT (about 3 GiB of state) */
#define STRINGS_MAX	(8u << 20)  /* distinct strings interned for the top lists */
#define STRING_KEEP	200	    /* bytes of a string kept for the top lists */
#define ITEMS_PER_EVENT 24	    /* top-list items taken from one event */
#define READ_CHUNK	(1 << 20)

enum { CAT_PAYLOAD, CAT_IMAGE, CAT_COMMAND, CAT_USER, CAT_PASS, CAT_UA, NCAT };

typedef struct ev {
	int64_t ts; /* microseconds since the epoch */
	uint32_t src, conn, svc;
	uint32_t items_off;
	uint32_t order;
	uint16_t nitems;
	uint8_t step;
} ev;

typedef struct item {
	uint32_t cat;
	uint32_t id;
} item;

typedef struct hp_priv {
	ld_arena arena; /* report strings and arrays */
} hp_priv;

typedef struct an {
	const ld_hp_rules *rules;
	lading_honeypot_report *r;
	ld_arena *out; /* the report's arena */
	/* interned strings; id 0 is "" (none) */
	ld_arena strs_arena;
	ld_map strs;
	ld_vec strv;	 /* const char * by id */
	ld_vec label_of; /* uint32 label id by payload id */
	ld_vec evs;	 /* ev */
	ld_vec items;	 /* item */
	ld_vec bits;	 /* uint64 x nwords per event */
	ld_vec dh;	 /* uint64 x ndistinct per event */
	size_t nwords;
	int64_t first, last;
	lading_ctx *ctx;
} an;

/* ---- strings ---- */

static uint32_t intern(an *a, const char *s, size_t n)
{
	void *v;
	char *copy;
	const char **slot;
	if (!n)
		return 0;
	if (n > STRING_KEEP) {
		n = STRING_KEEP;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	v = ld_map_get(&a->strs, ld_slice_make(s, n));
	if (v)
		return (uint32_t)(uintptr_t)v;
	if (a->strv.len >= STRINGS_MAX)
		return 1; /* "(other)" */
	copy = ld_arena_strndup(&a->strs_arena, s, n);
	slot = ld_vec_push(&a->strv);
	if (!copy || !slot ||
	    ld_map_put(&a->strs, ld_slice_make(copy, n), (void *)(uintptr_t)(a->strv.len - 1),
		       NULL))
		return 1;
	*slot = copy;
	return (uint32_t)(a->strv.len - 1);
}

static const char *str(const an *a, uint32_t id)
{
	return *(const char **)ld_vec_at(&a->strv, id);
}

/* ---- pass 1 ---- */

static bool parse_ts(const char *s, int64_t *out)
{
	struct tm tm;
	int64_t frac = 0, scale = 1000000;
	const char *p;
	int off = 0;
	time_t t;
	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return false;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
	}
	if (*p == 'Z') {
		p++;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int h = (p[1] - '0') * 10 + (p[2] - '0'), m = (p[4] - '0') * 10 + (p[5] - '0');
		off = (h * 60 + m) * 60 * (*p == '+' ? 1 : -1);
		p += 6;
	}
	if (*p)
		return false;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return false;
	*out = ((int64_t)t - off) * 1000000 + frac;
	return true;
}

static void format_ts(int64_t us, char out[40])
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	char base[24];
	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	ld_snprintf(out, 40, "%s.%06ldZ", base, (long)(us % 1000000));
}

static const char *scalar(ld_arena *ar, const ld_json *v)
{
	if (ld_json_is(v, LD_JSON_STRING) || ld_json_is(v, LD_JSON_NUMBER))
		return v->u.s;
	if (ld_json_is(v, LD_JSON_TRUE))
		return "true";
	if (ld_json_is(v, LD_JSON_FALSE))
		return "false";
	(void)ar;
	return NULL;
}

static void flat_add(ld_hp_flat *f, const char *key, const char *value, bool top)
{
	if (f->n >= LD_HP_FLAT_MAX || !value)
		return;
	f->kv[f->n].key = key;
	f->kv[f->n].value = value;
	f->kv[f->n].top = top;
	f->n++;
}

/* Members of an object under prefix (NULL at the top of "request"); nesting beyond a few levels
 * is not something our events have. */
static void flatten(ld_hp_flat *f, ld_arena *ar, const ld_json *v, const char *key, bool top,
		    int depth)
{
	const ld_json_member *m;
	const ld_json *it;
	if (depth > 6)
		return;
	if (ld_json_is(v, LD_JSON_OBJECT)) {
		ld_json_foreach_member(v, i, m)
		{
			const char *k = key ? ld_arena_printf(ar, "%s.%s", key, m->key) : m->key;
			if (k)
				flatten(f, ar, &m->value, k, top, depth + 1);
		}
	} else if (ld_json_is(v, LD_JSON_ARRAY)) {
		ld_json_foreach_item(v, i, it) flatten(f, ar, it, key, top, depth + 1);
	} else if (key) {
		flat_add(f, key, scalar(ar, v), top);
	}
}

static void add_item(an *a, ev *e, uint32_t cat, const char *s, size_t n)
{
	item *it;
	uint32_t id;
	if (!s || !n || e->nitems >= ITEMS_PER_EVENT)
		return;
	id = intern(a, s, n);
	if (!id)
		return;
	it = ld_vec_push(&a->items);
	if (!it)
		return;
	it->cat = cat;
	it->id = id;
	e->nitems++;
}

/* "a b c" from a string or an array of strings, capped. */
static void join(ld_buf *b, const ld_json *v)
{
	const ld_json *it;
	if (ld_json_is(v, LD_JSON_STRING)) {
		if (b->len)
			ld_buf_addc(b, ' ');
		ld_buf_addslice(b, ld_json_slice(v));
	}
	ld_json_foreach_item(v, i, it)
	{
		if (!ld_json_is(it, LD_JSON_STRING))
			continue;
		if (b->len)
			ld_buf_addc(b, ' ');
		ld_buf_addslice(b, ld_json_slice(it));
		if (b->len >= STRING_KEEP)
			break;
	}
}

/* Items for the top lists; returns the command (or body) text used as a payload's label. */
static uint32_t items_of(an *a, ev *e, const char *eventid, const ld_json *req)
{
	ld_buf b;
	uint32_t label = 0;
	const ld_json *it;
	ld_buf_init(&b, STRING_KEEP * 2);

	/* commands */
	if (!strcmp(eventid, "redis.command")) {
		ld_buf_addslice(&b, ld_json_slice(ld_json_get(req, "command")));
		join(&b, ld_json_get(req, "args"));
	} else if (!strcmp(eventid, "docker.container.create") ||
		   !strcmp(eventid, "docker.exec.create")) {
		join(&b, ld_json_get(req, "entrypoint"));
		join(&b, ld_json_get(req, "cmd"));
	} else if (!strcmp(eventid, "kube.exec")) {
		join(&b, ld_json_get(req, "command"));
	} else if (!strcmp(eventid, "kube.run")) {
		join(&b, ld_json_get(req, "cmd"));
	}
	if (b.len) {
		label = intern(a, b.ptr, b.len);
		add_item(a, e, CAT_COMMAND, b.ptr, b.len);
	}
	ld_json_foreach_item(ld_json_get(req, "commands"), i,
			     it) if (ld_json_is(it, LD_JSON_STRING))
		add_item(a, e, CAT_COMMAND, it->u.s, it->n);
	ld_json_foreach_item(ld_json_get(req, "scripts"), i, it) if (ld_json_is(it, LD_JSON_STRING))
	{
		add_item(a, e, CAT_COMMAND, it->u.s, it->n);
		if (!label)
			label = intern(a, it->u.s, it->n);
	}
	/* images */
	if (ld_json_is(ld_json_get(req, "image"), LD_JSON_STRING))
		add_item(a, e, CAT_IMAGE, ld_json_get_str(req, "image"),
			 ld_json_get(req, "image")->n);
	ld_json_foreach_item(ld_json_get(req, "images"), i, it) if (ld_json_is(it, LD_JSON_STRING))
		add_item(a, e, CAT_IMAGE, it->u.s, it->n);
	/* credentials and user agents */
	if (ld_slice_ends_with(ld_slice_cstr(eventid), ".login")) {
		const ld_json *u = ld_json_get(req, "username"), *p = ld_json_get(req, "password");
		if (ld_json_is(u, LD_JSON_STRING))
			add_item(a, e, CAT_USER, u->n ? u->u.s : "(empty)", u->n ? u->n : 7);
		if (ld_json_is(p, LD_JSON_STRING))
			add_item(a, e, CAT_PASS, p->n ? p->u.s : "(empty)", p->n ? p->n : 7);
	}
	if (ld_json_is(ld_json_get(req, "user_agent"), LD_JSON_STRING))
		add_item(a, e, CAT_UA, ld_json_get_str(req, "user_agent"),
			 ld_json_get(req, "user_agent")->n);
	if (!label) {
		const char *keys[] = {"body", "value", "data"};
		for (size_t k = 0; k < 3 && !label; k++) {
			const ld_json *v = ld_json_get(req, keys[k]);
			if (ld_json_is(v, LD_JSON_STRING))
				label = intern(a, v->u.s, v->n);
		}
	}
	ld_buf_release(&b);
	return label;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = ld_hash64(s, strlen(s));
	return h ? h : 1;
}

/* The rule conditions an event meets (its bits), and the hashes of the fields rules count
 * distinct values of. */
static int match_rules(an *a, ld_arena *ar, const ld_json *v, const ld_json *req,
		       const char *eventid, uint64_t *bits)
{
	ld_hp_flat *flat = malloc(sizeof(*flat));
	uint64_t *dh;
	int rc = 0;
	if (!flat)
		return ld_error_set(a->ctx, LADING_ENOMEM, "out of memory");
	flat->eventid = eventid;
	flat->n = 0;
	{
		const ld_json_member *m;
		ld_json_foreach_member(v, i, m) if (strcmp(m->key, "request"))
			flatten(flat, ar, &m->value, m->key, true, 0);
	}
	flatten(flat, ar, req, NULL, false, 0);
	for (size_t c = 0; c < a->rules->nconds; c++)
		if (ld_hp_cond_match(&a->rules->conds[c], flat))
			bits[c / 64] |= (uint64_t)1 << (c % 64);
	if (a->rules->ndistinct) {
		for (size_t s = 0; s < a->rules->ndistinct; s++)
			if (!ld_vec_push(&a->dh)) {
				rc = ld_error_set(a->ctx, LADING_ENOMEM, "out of memory");
				goto done;
			}
		dh = ld_vec_at(&a->dh, (a->evs.len - 1) * a->rules->ndistinct);
		for (size_t b = 0; b < a->rules->nblocks; b++)
			for (size_t l = 0; l < a->rules->blocks[b].nlines; l++) {
				const ld_hpr_line *ln = &a->rules->blocks[b].lines[l];
				size_t i = 0;
				const char *val;
				if (ln->kind != LD_HPR_DISTINCT ||
				    !(bits[ln->cond / 64] >> (ln->cond % 64) & 1))
					continue;
				/* the combination of the field's values (user + password pairs
				 * count once) */
				if ((val = ld_hp_flat_next(flat, ln->field, &i)))
					dh[ln->slot] = hash_str(val);
			}
	}
done:
	free(flat);
	return rc;
}

static int one_event(an *a, const char *line, size_t len, const char *file, uint64_t lineno)
{
	ld_arena ar;
	ld_json *v = NULL;
	ld_json_limits lim = {64, 0};
	const char *eventid, *tsstr, *src, *conn, *svc, *payload;
	const ld_json *req;
	ev *e;
	uint64_t *bits;
	int64_t ts;
	lading_ctx *tmp = NULL;
	int rc = 0;

	ld_arena_init(&ar, 0);
	if (lading_ctx_new(&tmp) != 0) {
		ld_arena_release(&ar);
		return ld_error_set(a->ctx, LADING_ENOMEM, "out of memory");
	}
	if (ld_json_parse(&v, &ar, line, len, &lim, tmp, "event") != 0 ||
	    !ld_json_is(v, LD_JSON_OBJECT)) {
		ld_warn(a->ctx, "%s:%" PRIu64 ": not a JSON event, skipped", file, lineno);
		a->r->bad_lines++;
		goto out;
	}
	eventid = ld_json_get_str(v, "eventid");
	tsstr = ld_json_get_str(v, "timestamp");
	if (!eventid || !tsstr || !parse_ts(tsstr, &ts)) {
		ld_warn(a->ctx, "%s:%" PRIu64 ": event without eventid or timestamp, skipped", file,
			lineno);
		a->r->bad_lines++;
		goto out;
	}
	if (a->r->events++ == 0) {
		a->first = a->last = ts;
	} else {
		a->first = LD_MIN(a->first, ts);
		a->last = LD_MAX(a->last, ts);
	}
	src = ld_json_get_str(v, "src_ip");
	if (!src || !*src)
		goto out; /* sensor events (start, stop, limits) are not part of sessions */
	if (a->evs.len >= EVENTS_MAX) {
		rc = ld_error_set(a->ctx, LADING_ELIMIT,
				  "more than %u events to group; split the logs", EVENTS_MAX);
		goto out;
	}
	conn = ld_json_get_str(v, "session");
	svc = ld_json_get_str(v, "service");
	payload = ld_json_get_str(v, "payload_sha256");
	req = ld_json_get(v, "request");

	e = ld_vec_push(&a->evs);
	bits = e ? ld_vec_push(&a->bits) : NULL;
	if (!e || !bits) {
		rc = ld_error_set(a->ctx, LADING_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t w = 1; w < a->nwords; w++)
		if (!ld_vec_push(&a->bits)) {
			rc = ld_error_set(a->ctx, LADING_ENOMEM, "out of memory");
			goto out;
		}
	bits = ld_vec_at(&a->bits, (a->evs.len - 1) * a->nwords);
	e->ts = ts;
	e->src = intern(a, src, strlen(src));
	e->conn = conn ? intern(a, conn, strlen(conn)) : 0;
	e->svc = svc ? intern(a, svc, strlen(svc)) : 0;
	e->order = (uint32_t)(a->evs.len - 1);
	e->step = strncmp(eventid, "session.", 8) && strncmp(eventid, "honeypot.", 9) &&
		  strcmp(eventid, "mysql.client");
	e->items_off = (uint32_t)a->items.len;
	{
		uint32_t label = items_of(a, e, eventid, req);
		if (payload && *payload) {
			uint32_t pid = intern(a, payload, strlen(payload));
			add_item(a, e, CAT_PAYLOAD, payload, strlen(payload));
			while (a->label_of.len <= pid)
				if (!ld_vec_push(&a->label_of))
					break;
			if (pid < a->label_of.len && !*(uint32_t *)ld_vec_at(&a->label_of, pid))
				*(uint32_t *)ld_vec_at(&a->label_of, pid) = label;
		}
	}

	rc = match_rules(a, &ar, v, req, eventid, bits);
out:
	lading_ctx_free(tmp);
	ld_arena_release(&ar);
	return rc;
}

static int read_log(an *a, const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t len = 0, cap = READ_CHUNK + LOG_LINE_MAX + 1;
	uint64_t lineno = 0;
	bool skipping = false, eof = false;
	int rc = 0;
	if (!f)
		return ld_error_set(a->ctx, errno == ENOENT ? LADING_ENOTFOUND : LADING_EIO,
				    "cannot open %s: %s", path, strerror(errno));
	buf = malloc(cap);
	if (!buf) {
		fclose(f);
		return ld_error_set(a->ctx, LADING_ENOMEM, "out of memory");
	}
	a->r->files++;
	while (!rc) {
		size_t off = 0;
		char *nl;
		if (!eof && len < cap) {
			size_t n = fread(buf + len, 1, cap - len, f);
			if (n == 0) {
				if (ferror(f)) {
					rc = ld_error_set(a->ctx, LADING_EIO, "cannot read %s",
							  path);
					break;
				}
				eof = true;
			}
			len += n;
		}
		while (!rc && (nl = memchr(buf + off, '\n', len - off))) {
			size_t n = (size_t)(nl - (buf + off));
			if (!skipping) {
				lineno++;
				a->r->lines++;
				if (n)
					rc = one_event(a, buf + off, n, path, lineno);
			}
			skipping = false;
			off += n + 1;
		}
		memmove(buf, buf + off, len - off);
		len -= off;
		if (eof) {
			if (len && !skipping) { /* last line without newline: a crash mid-write */
				lineno++;
				a->r->lines++;
				ld_warn(a->ctx, "%s:%" PRIu64 ": incomplete last line, skipped",
					path, lineno);
				a->r->bad_lines++;
			}
			break;
		}
		if (len > LOG_LINE_MAX) {
			if (!skipping) {
				lineno++;
				a->r->lines++;
				a->r->bad_lines++;
				ld_warn(a->ctx,
					"%s:%" PRIu64 ": line longer than %d bytes, skipped", path,
					lineno, LOG_LINE_MAX);
			}
			skipping = true;
			len = 0;
		}
	}
	free(buf);
	fclose(f);
	return rc;
}

/* ---- pass 2 ---- */

static int cmp_ev(const void *x, const void *y, void *arg)
{
	const an *a = arg;
	const ev *e1 = ld_vec_at(&a->evs, *(const uint32_t *)x);
	const ev *e2 = ld_vec_at(&a->evs, *(const uint32_t *)y);
	if (e1->src != e2->src)
		return e1->src < e2->src ? -1 : 1;
	if (e1->ts != e2->ts)
		return e1->ts < e2->ts ? -1 : 1;
	return e1->order < e2->order ? -1 : e1->order > e2->order;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

/* Counters by key for one figure. */
typedef struct counter {
	ld_map m;    /* key -> index+1 */
	ld_vec rows; /* lading_honeypot_count */
} counter;

static void counter_init(counter *c)
{
	ld_map_init(&c->m);
	ld_vec_init(&c->rows, sizeof(lading_honeypot_count), 0);
}

static void counter_release(counter *c)
{
	ld_map_release(&c->m);
	ld_vec_release(&c->rows);
}

/* key/label must live as long as the report (interned or in the report arena). */
static void count(counter *c, const char *key, const char *label, uint64_t n)
{
	void *v = ld_map_gets(&c->m, key);
	lading_honeypot_count *row;
	if (v) {
		row = ld_vec_at(&c->rows, (size_t)(uintptr_t)v - 1);
		row->count += n;
		return;
	}
	row = ld_vec_push(&c->rows);
	if (!row)
		return;
	row->key = key;
	row->label = label;
	row->count = n;
	ld_map_put(&c->m, ld_slice_cstr(key), (void *)(uintptr_t)c->rows.len, NULL);
}

static int cmp_count(const void *x, const void *y)
{
	const lading_honeypot_count *a = x, *b = y;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->key, b->key);
}

/* Sorted rows (all, or the top n) copied into the report arena. */
static lading_honeypot_count *finish(an *a, counter *c, size_t top, uint64_t total, size_t *n)
{
	lading_honeypot_count *out;
	if (c->rows.len)
		qsort(c->rows.ptr, c->rows.len, sizeof(lading_honeypot_count), cmp_count);
	*n = top && c->rows.len > top ? top : c->rows.len;
	out = ld_arena_array(a->out, *n ? *n : 1, sizeof(*out));
	if (!out) {
		*n = 0;
		return NULL;
	}
	for (size_t i = 0; i < *n; i++) {
		out[i] = *(lading_honeypot_count *)ld_vec_at(&c->rows, i);
		out[i].key = ld_arena_strdup(a->out, out[i].key);
		out[i].label = out[i].label ? ld_arena_strdup(a->out, out[i].label) : NULL;
		out[i].share = total ? (double)out[i].count / (double)total : 0.0;
	}
	return out;
}

static bool has_bit(const an *a, uint32_t e, unsigned cond)
{
	const uint64_t *bits = ld_vec_at(&a->bits, (size_t)e * a->nwords);
	return bits[cond / 64] >> (cond % 64) & 1;
}

/* Does a block match the session (events idx[lo..hi), in time order)? */
static bool block_match(const an *a, const ld_hpr_block *b, const uint32_t *idx, size_t lo,
			size_t hi, uint64_t *scratch)
{
	bool any_seen = false, any_ok = false;
	size_t seq_total = 0, seq_at = 0;
	for (size_t l = 0; l < b->nlines; l++)
		seq_total += b->lines[l].kind == LD_HPR_SEQ;
	for (size_t l = 0; l < b->nlines; l++) {
		const ld_hpr_line *ln = &b->lines[l];
		uint64_t hits = 0;
		size_t nd = 0;
		if (ln->kind == LD_HPR_SEQ)
			continue;
		for (size_t i = lo; i < hi; i++) {
			if (!has_bit(a, idx[i], ln->cond))
				continue;
			hits++;
			if (ln->kind == LD_HPR_DISTINCT) {
				uint64_t h = *(const uint64_t *)ld_vec_at(
					&a->dh, (size_t)idx[i] * a->rules->ndistinct + ln->slot);
				if (h)
					scratch[nd++] = h;
			}
		}
		switch (ln->kind) {
		case LD_HPR_ALL:
			if (!hits)
				return false;
			break;
		case LD_HPR_ANY:
			any_seen = true;
			any_ok = any_ok || hits;
			break;
		case LD_HPR_COUNT:
			if (hits < ln->n)
				return false;
			break;
		case LD_HPR_NOT:
			if (hits)
				return false;
			break;
		case LD_HPR_DISTINCT: {
			size_t uniq = 0;
			qsort(scratch, nd, sizeof(*scratch), cmp_u64);
			for (size_t i = 0; i < nd; i++)
				uniq += i == 0 || scratch[i] != scratch[i - 1];
			if (uniq < ln->n)
				return false;
			break;
		}
		}
	}
	if (any_seen && !any_ok)
		return false;
	if (seq_total) {
		const ld_hpr_line *seq[LD_HPR_MAX_LINES];
		size_t ns = 0;
		for (size_t l = 0; l < b->nlines; l++)
			if (b->lines[l].kind == LD_HPR_SEQ)
				seq[ns++] = &b->lines[l];
		for (size_t i = lo; i < hi && seq_at < ns; i++)
			if (has_bit(a, idx[i], seq[seq_at]->cond))
				seq_at++;
		if (seq_at < ns)
			return false;
	}
	return true;
}

typedef struct figures {
	counter type, country, service, reason, src_country;
	counter top[NCAT];
	ld_vec sessions; /* lading_honeypot_session */
	ld_map src_seen; /* "ip" -> 1 for sources_by_country */
} figures;

/* Steps, connections, services in first-seen order and the median gap between steps. */
static void session_shape(an *a, figures *fg, lading_honeypot_session *s, const uint32_t *idx,
			  size_t lo, size_t hi, int64_t *gaps, uint32_t *tmp, ld_buf *svcs)
{
	size_t ngaps = 0, nconn = 0, ntmp = 0;
	int64_t prev_step = -1;
	for (size_t i = lo; i < hi; i++) {
		const ev *e = ld_vec_at(&a->evs, idx[i]);
		if (e->step) {
			s->steps++;
			if (prev_step >= 0)
				gaps[ngaps++] = e->ts - prev_step;
			prev_step = e->ts;
		}
		tmp[nconn++] = e->conn;
	}
	qsort(tmp, nconn, sizeof(*tmp), cmp_u32);
	for (size_t i = 0; i < nconn; i++)
		s->connections += tmp[i] && (i == 0 || tmp[i] != tmp[i - 1]);
	/* services in first-seen order */
	for (size_t i = lo; i < hi; i++) {
		const ev *e = ld_vec_at(&a->evs, idx[i]);
		bool seen = false;
		for (size_t k = 0; k < ntmp; k++)
			seen = seen || tmp[k] == e->svc;
		if (seen || !e->svc)
			continue;
		tmp[ntmp++] = e->svc;
		if (svcs->len)
			ld_buf_addc(svcs, ',');
		ld_buf_adds(svcs, str(a, e->svc));
		count(&fg->service, str(a, e->svc), NULL, 1);
	}
	s->services = ld_arena_strdup(a->out, ld_buf_cstr(svcs));
	if (ngaps) {
		qsort(gaps, ngaps, sizeof(*gaps), cmp_i64);
		s->median_gap_s =
			(ngaps % 2
				 ? (double)gaps[ngaps / 2]
				 : ((double)gaps[ngaps / 2 - 1] + (double)gaps[ngaps / 2]) / 2.0) /
			1e6;
	} else {
		s->median_gap_s = -1;
	}
}

/* The top lists: each item of the session's events counted once per session. */
static void count_items(an *a, figures *fg, const uint32_t *idx, size_t lo, size_t hi,
			uint64_t *scratch)
{
	size_t nit = 0;
	uint64_t *keys = scratch;
	for (size_t i = lo; i < hi; i++) {
		const ev *e = ld_vec_at(&a->evs, idx[i]);
		for (uint32_t k = 0; k < e->nitems; k++) {
			const item *it = ld_vec_at(&a->items, e->items_off + k);
			keys[nit++] = (uint64_t)it->cat << 32 | it->id;
		}
	}
	qsort(keys, nit, sizeof(*keys), cmp_u64);
	for (size_t i = 0; i < nit; i++) {
		uint32_t cat = (uint32_t)(keys[i] >> 32), id = (uint32_t)keys[i];
		const char *label = NULL;
		if (i && keys[i] == keys[i - 1])
			continue;
		if (cat == CAT_PAYLOAD && id < a->label_of.len) {
			uint32_t l = *(uint32_t *)ld_vec_at(&a->label_of, id);
			label = l ? str(a, l) : NULL;
		}
		count(&fg->top[cat], str(a, id), label, 1);
	}
}

static int classify_session(an *a, figures *fg, const uint32_t *idx, size_t lo, size_t hi,
			    const char *country, uint64_t *scratch, int64_t *gaps, uint32_t *tmp)
{
	const ld_hp_rules *ru = a->rules;
	lading_honeypot_session *s = ld_vec_push(&fg->sessions);
	ld_buf types, svcs;
	const ev *first = ld_vec_at(&a->evs, idx[lo]), *last = ld_vec_at(&a->evs, idx[hi - 1]);
	const char *why = NULL, *primary = NULL;
	char ts[40];

	if (!s)
		return ld_error_set(a->ctx, LADING_ENOMEM, "out of memory");
	ld_buf_init(&types, 4096);
	ld_buf_init(&svcs, 4096);
	s->src_ip = str(a, first->src);
	s->country = ld_arena_strdup(a->out, country);
	format_ts(first->ts, ts);
	s->first = ld_arena_strdup(a->out, ts);
	format_ts(last->ts, ts);
	s->last = ld_arena_strdup(a->out, ts);

	session_shape(a, fg, s, idx, lo, hi, gaps, tmp, &svcs);

	for (size_t b = 0; b < ru->nblocks; b++) {
		const ld_hpr_block *bl = &ru->blocks[b];
		if (bl->kind == LD_HPR_AUTOMATED) {
			if (!why && block_match(a, bl, idx, lo, hi, scratch))
				why = bl->name;
		} else if (block_match(a, bl, idx, lo, hi, scratch)) {
			if (!primary) {
				primary = bl->name;
				count(&fg->type, bl->name, bl->label, 1);
			}
			if (types.len)
				ld_buf_addc(&types, ',');
			ld_buf_adds(&types, bl->name);
		}
	}
	if (!primary) {
		primary = ru->fallback;
		ld_buf_adds(&types, ru->fallback);
		count(&fg->type, ru->fallback, ru->fallback_label, 1);
	}
	if (why) {
		s->automated = true;
	} else if (s->steps < ru->timing_steps) {
		s->automated = ru->few_steps_automated;
		why = s->automated ? "few-steps" : "few-steps-manual";
	} else if (s->median_gap_s < ru->human_gap_s) {
		s->automated = true;
		why = "timing";
	} else {
		s->automated = false;
		why = "human-timing";
	}
	s->why = why;
	s->type = primary;
	s->types = ld_arena_strdup(a->out, ld_buf_cstr(&types));
	if (s->automated)
		a->r->automated++;
	else
		a->r->manual++;
	count(&fg->reason, s->automated ? why : "manual", s->automated ? NULL : why, 1);
	count(&fg->country, s->country, NULL, 1);
	if (!ld_map_gets(&fg->src_seen, s->src_ip)) {
		ld_map_put(&fg->src_seen, ld_slice_cstr(s->src_ip), (void *)1, NULL);
		count(&fg->src_country, s->country, NULL, 1);
	}

	count_items(a, fg, idx, lo, hi, scratch);
	ld_buf_release(&types);
	ld_buf_release(&svcs);
	return 0;
}

/* Session rows in time order (ISO timestamps of one format sort as text), then by source. */
static int cmp_session(const void *x, const void *y)
{
	const lading_honeypot_session *a = x, *b = y;
	int c = strcmp(a->first, b->first);
	return c ? c : strcmp(a->src_ip, b->src_ip);
}

static void figures_init(figures *fg)
{
	memset(fg, 0, sizeof(*fg));
	counter_init(&fg->type);
	counter_init(&fg->country);
	counter_init(&fg->service);
	counter_init(&fg->reason);
	counter_init(&fg->src_country);
	for (int c = 0; c < NCAT; c++)
		counter_init(&fg->top[c]);
	ld_vec_init(&fg->sessions, sizeof(lading_honeypot_session), 0);
	ld_map_init(&fg->src_seen);
}

static void figures_release(figures *fg)
{
	counter_release(&fg->type);
	counter_release(&fg->country);
	counter_release(&fg->service);
	counter_release(&fg->reason);
	counter_release(&fg->src_country);
	for (int c = 0; c < NCAT; c++)
		counter_release(&fg->top[c]);
	ld_vec_release(&fg->sessions);
	ld_map_release(&fg->src_seen);
}

/* The report's figures from the sessions' counts; tmp holds an entry per event. */
static int fill_report(an *a, figures *fg, size_t top, uint32_t *tmp)
{
	lading_honeypot_report *r = a->r;
	const ld_map_slot *slot;
	r->nsessions = fg->sessions.len;
	r->sources = 0;
	for (size_t i = 0; ld_map_next(&fg->src_seen, &i, &slot);)
		r->sources++;
	r->by_type = finish(a, &fg->type, 0, r->nsessions, &r->nby_type);
	r->by_country = finish(a, &fg->country, 0, r->nsessions, &r->nby_country);
	r->sources_by_country =
		finish(a, &fg->src_country, 0, r->sources, &r->nsources_by_country);
	r->by_service = finish(a, &fg->service, 0, r->nsessions, &r->nby_service);
	r->by_reason = finish(a, &fg->reason, 0, r->nsessions, &r->nby_reason);
	r->top_payloads =
		finish(a, &fg->top[CAT_PAYLOAD], top, r->nsessions, &r->ntop_payloads);
	r->top_images = finish(a, &fg->top[CAT_IMAGE], top, r->nsessions, &r->ntop_images);
	r->top_commands =
		finish(a, &fg->top[CAT_COMMAND], top, r->nsessions, &r->ntop_commands);
	r->top_users = finish(a, &fg->top[CAT_USER], top, r->nsessions, &r->ntop_users);
	r->top_passwords =
		finish(a, &fg->top[CAT_PASS], top, r->nsessions, &r->ntop_passwords);
	r->top_user_agents =
		finish(a, &fg->top[CAT_UA], top, r->nsessions, &r->ntop_user_agents);
	r->nsession_rows = fg->sessions.len;
	r->sessions = ld_arena_array(a->out, fg->sessions.len ? fg->sessions.len : 1,
				     sizeof(*r->sessions));
	if (!r->sessions)
		return ld_error_set(a->ctx, LADING_ENOMEM, "out of memory");
	for (size_t i = 0; i < fg->sessions.len; i++) {
		lading_honeypot_session *s = &r->sessions[i];
		*s = *(lading_honeypot_session *)ld_vec_at(&fg->sessions, i);
		s->src_ip = ld_arena_strdup(a->out, s->src_ip);
	}
	qsort(r->sessions, fg->sessions.len, sizeof(*r->sessions), cmp_session);
	/* connections: distinct session ids over all events */
	{
		size_t nc = 0;
		for (size_t i = 0; i < a->evs.len; i++)
			tmp[nc++] = ((const ev *)ld_vec_at(&a->evs, i))->conn;
		qsort(tmp, nc, sizeof(*tmp), cmp_u32);
		r->connections = 0;
		for (size_t i = 0; i < nc; i++)
			r->connections += tmp[i] && (i == 0 || tmp[i] != tmp[i - 1]);
	}
	return 0;
}

static int group(an *a, ld_hp_geoip *geo, size_t top)
{
	size_t n = a->evs.len, maxitems = 0, scratch_cap = 0;
	uint32_t *idx = NULL, *tmp = NULL;
	uint64_t *scratch = NULL;
	int64_t *gaps = NULL;
	int64_t gap = (int64_t)(a->rules->session_gap_s * 1e6);
	figures fg;
	char country[3] = "??";
	uint32_t country_src = UINT32_MAX;
	int rc = 0;

	figures_init(&fg);

	for (size_t i = 0; i < n; i++) {
		const ev *e = ld_vec_at(&a->evs, i);
		if (e->nitems > maxitems)
			maxitems = e->nitems;
	}
	idx = malloc((n ? n : 1) * sizeof(*idx));
	tmp = malloc((n ? n : 1) * sizeof(*tmp));
	gaps = malloc((n ? n : 1) * sizeof(*gaps));
	if (!idx || !tmp || !gaps) {
		rc = ld_error_set(a->ctx, LADING_ENOMEM, "out of memory for %zu events", n);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		idx[i] = (uint32_t)i;
	qsort_r(idx, n, sizeof(*idx), cmp_ev, a);

	for (size_t lo = 0; lo < n && !rc;) {
		const ev *e0 = ld_vec_at(&a->evs, idx[lo]);
		size_t hi = lo + 1;
		int64_t prev = e0->ts;
		while (hi < n) {
			const ev *e = ld_vec_at(&a->evs, idx[hi]);
			if (e->src != e0->src || e->ts - prev > gap)
				break;
			prev = e->ts;
			hi++;
		}
		/* scratch holds a session's distinct hashes or its top-list keys */
		if ((hi - lo) * (maxitems + 1) > scratch_cap) {
			uint64_t *ns =
				realloc(scratch, (hi - lo) * (maxitems + 1) * sizeof(*scratch));
			if (!ns) {
				rc = ld_error_set(a->ctx, LADING_ENOMEM, "out of memory");
				break;
			}
			scratch = ns;
			scratch_cap = (hi - lo) * (maxitems + 1);
		}
		if (e0->src != country_src) {
			ld_hp_geoip_country(geo, str(a, e0->src), country);
			country_src = e0->src;
		}
		rc = classify_session(a, &fg, idx, lo, hi, country, scratch, gaps, tmp);
		lo = hi;
	}
	if (rc)
		goto out;

	rc = fill_report(a, &fg, top, tmp);
out:
	figures_release(&fg);
	free(idx);
	free(tmp);
	free(gaps);
	free(scratch);
	return rc;
}

int lading_honeypot_report_build(lading_honeypot_report **out, const char *const *logs,
				 size_t nlogs, const lading_honeypot_report_options *o,
				 lading_ctx *ctx)
{
	lading_honeypot_report *r;
	hp_priv *priv;
	ld_hp_rules *rules = NULL;
	ld_hp_geoip *geo = NULL;
	an a;
	int rc;

	*out = NULL;
	if (!o || o->version != LADING_HONEYPOT_REPORT_OPTIONS_VERSION)
		return ld_error_set(ctx, LADING_EUSAGE, "honeypot report options: unknown version");
	if (!nlogs)
		return ld_error_set(ctx, LADING_EUSAGE, "no event log to analyse");
	if ((rc = ld_hp_rules_load(&rules, o->rules_path, ctx)) != 0)
		return rc;
	if (o->geoip_path && (rc = ld_hp_geoip_open(&geo, o->geoip_path, ctx)) != 0) {
		ld_hp_rules_free(rules);
		return rc;
	}
	r = calloc(1, sizeof(*r));
	priv = calloc(1, sizeof(*priv));
	if (!r || !priv) {
		free(r);
		free(priv);
		ld_hp_rules_free(rules);
		ld_hp_geoip_close(geo);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	ld_arena_init(&priv->arena, 0);
	r->priv = priv;

	memset(&a, 0, sizeof(a));
	a.rules = rules;
	a.r = r;
	a.out = &priv->arena;
	a.ctx = ctx;
	a.nwords = rules->nconds / 64 + 1;
	ld_arena_init(&a.strs_arena, 0);
	ld_map_init(&a.strs);
	ld_vec_init(&a.strv, sizeof(const char *), 0);
	ld_vec_init(&a.label_of, sizeof(uint32_t), 0);
	ld_vec_init(&a.evs, sizeof(ev), 0);
	ld_vec_init(&a.items, sizeof(item), 0);
	ld_vec_init(&a.bits, sizeof(uint64_t), 0);
	ld_vec_init(&a.dh, sizeof(uint64_t), 0);
	{
		const char **s0 = ld_vec_push(&a.strv), **s1 = ld_vec_push(&a.strv);
		if (!s0 || !s1) {
			rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			goto out;
		}
		*s0 = "";
		*s1 = "(other)";
		ld_map_put(&a.strs, LD_SLICE_LIT("(other)"), (void *)(uintptr_t)1, NULL);
	}

	for (size_t i = 0; i < nlogs && !rc; i++)
		rc = read_log(&a, logs[i]);
	if (!rc)
		rc = group(&a, geo, o->top ? o->top : 10);
	if (!rc) {
		char ts[40];
		if (r->events) {
			format_ts(a.first, ts);
			r->first = ld_arena_strdup(a.out, ts);
			format_ts(a.last, ts);
			r->last = ld_arena_strdup(a.out, ts);
		}
		r->rules_path = ld_arena_strdup(a.out, o->rules_path);
		r->geoip_path = o->geoip_path ? ld_arena_strdup(a.out, o->geoip_path) : NULL;
		r->geoip_description =
			geo ? ld_arena_strdup(a.out, ld_hp_geoip_description(geo)) : NULL;
		/* strings of the session rows and figures that point into the interned table */
		for (size_t i = 0; i < r->nsession_rows; i++) {
			r->sessions[i].why = ld_arena_strdup(a.out, r->sessions[i].why);
			r->sessions[i].type = ld_arena_strdup(a.out, r->sessions[i].type);
		}
		if (priv->arena.err)
			rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
out:
	ld_arena_release(&a.strs_arena);
	ld_map_release(&a.strs);
	ld_vec_release(&a.strv);
	ld_vec_release(&a.label_of);
	ld_vec_release(&a.evs);
	ld_vec_release(&a.items);
	ld_vec_release(&a.bits);
	ld_vec_release(&a.dh);
	ld_hp_rules_free(rules);
	ld_hp_geoip_close(geo);
	if (rc) {
		lading_honeypot_report_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void lading_honeypot_report_free(lading_honeypot_report *r)
{
	hp_priv *priv;
	if (!r)
		return;
	priv = r->priv;
	if (priv) {
		ld_arena_release(&priv->arena);
		free(priv);
	}
	free(r);
}

int lading_honeypot_report_write(const lading_honeypot_report *r, const char *format, char **out,
				 size_t *len, lading_ctx *ctx)
{
	ld_buf b;
	int rc;
	*out = NULL;
	*len = 0;
	ld_buf_init(&b, 0);
	if (!format || !strcmp(format, "table"))
		rc = ld_hp_report_table(&b, r);
	else if (!strcmp(format, "json"))
		rc = ld_hp_report_json(&b, r);
	else if (!strcmp(format, "html"))
		rc = ld_hp_report_html(&b, r);
	else
		return ld_error_set(ctx, LADING_EUSAGE,
				    "unknown report format '%s' (table, json, html)", format);
	if (!rc)
		rc = ld_buf_error(&b);
	if (rc) {
		ld_buf_release(&b);
		return ld_error_set(ctx, rc, "cannot write the honeypot report");
	}
	*out = ld_buf_detach(&b, len);
	return 0;
}
