/* The fleet data: lifecycle, times, and the fleet JSON (an exported inventory) read and written.
 * The reader trusts nothing: every list is capped (fleet_data.h's limits), every member checked
 * for its type, and a record that breaks the format is an error naming the record. */
#include "util/common.h"
#include "util/json.h"
#include "util/jsonw.h"
#include "store/fleet_data.h"

#include "lading/scan.h"

void ld_fleet_data_init(ld_fleet_data *d)
{
	memset(d, 0, sizeof(*d));
	ld_arena_init(&d->arena, 0);
	d->generated = LD_FLEET_TIME_UNKNOWN;
}

void ld_fleet_data_release(ld_fleet_data *d)
{
	ld_arena_release(&d->arena);
	memset(d, 0, sizeof(*d));
}

static const char *const state_names[] = {"unknown", "running", "created", "exited", "gone"};

const char *ld_fleet_state_name(unsigned state)
{
	return state < LD_ARRAY_LEN(state_names) ? state_names[state] : "unknown";
}

/* ---- times ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

static bool parse_offset(const char *p, int64_t *off)
{
	unsigned hh, mm;
	if (*p == 'Z' || *p == 'z') {
		*off = 0;
		return p[1] == '\0';
	}
	if ((*p != '+' && *p != '-') || !digits(p + 1, 2, &hh) || p[3] != ':' || !digits(p + 4, 2, &mm) ||
	    p[6] != '\0' || hh > 23 || mm > 59)
		return false;
	*off = (int64_t)(hh * 3600 + mm * 60) * (*p == '-' ? -1 : 1);
	return true;
}

bool ld_fleet_parse_time(const char *s, int64_t *out)
{
	unsigned y, mo, d, h = 0, mi = 0, se = 0;
	int64_t off = 0;
	if (!s || strnlen(s, 64) < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
		return false;
	if (s[10] != '\0') {
		const char *p = s + 19;
		if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || strnlen(s, 64) < 20 ||
		    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
		    !digits(s + 17, 2, &se) || h > 23 || mi > 59 || se > 60)
			return false;
		if (*p == '.') {
			p++;
			if (*p < '0' || *p > '9')
				return false;
			while (*p >= '0' && *p <= '9')
				p++;
		}
		if (!parse_offset(p, &off))
			return false;
	}
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	return true;
}

void ld_fleet_format_time(int64_t t, char out[32])
{
	int64_t days, secs, z, era, yoe, doy, mp, y;
	unsigned m, d;
	if (t == LD_FLEET_TIME_UNKNOWN) {
		out[0] = '\0';
		return;
	}
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	/* civil_from_days */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doy = z - era * 146097;
	yoe = (doy - doy / 1460 + doy / 36524 - doy / 146096) / 365;
	y = yoe + era * 400;
	doy = doy - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	y += m <= 2;
	ld_snprintf(out, 32, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ", y, m, d, (unsigned)(secs / 3600),
		    (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
}

/* ---- reader ---- */

typedef struct rd {
	ld_fleet_data *d;
	lading_ctx *ctx;
	const char *what;
	char where[96]; /* "images[3].findings[2]" for messages */
} rd;

static int bad(rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(rd *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ld_error_set(r->ctx, LADING_EINVALID, "%s: %s: %s", r->what, r->where, msg);
}

/* A string member, NULL when absent or null; an error when of another type. */
static int opt_str(rd *r, const ld_json *o, const char *key, const char **out)
{
	const ld_json *v = ld_json_get(o, key);
	*out = NULL;
	if (!v || ld_json_is(v, LD_JSON_NULL))
		return 0;
	if (!ld_json_is(v, LD_JSON_STRING))
		return bad(r, "'%s' is not a string", key);
	*out = v->u.s;
	return 0;
}

static int opt_time(rd *r, const ld_json *o, const char *key, int64_t *out)
{
	const char *s;
	int rc = opt_str(r, o, key, &s);
	*out = LD_FLEET_TIME_UNKNOWN;
	if (rc || !s || !*s)
		return rc;
	if (!ld_fleet_parse_time(s, out))
		return bad(r, "'%s' is not an RFC 3339 time: '%.40s'", key, s);
	return 0;
}

static int opt_count(rd *r, const ld_json *o, const char *key, uint64_t def, uint64_t *out)
{
	const ld_json *v = ld_json_get(o, key);
	int64_t i;
	*out = def;
	if (!v || ld_json_is(v, LD_JSON_NULL))
		return 0;
	if (!ld_json_i64(v, &i) || i < 0)
		return bad(r, "'%s' is not a count", key);
	*out = (uint64_t)i;
	return 0;
}

static int opt_num(rd *r, const ld_json *o, const char *key, double def, double *out)
{
	const ld_json *v = ld_json_get(o, key);
	*out = def;
	if (!v || ld_json_is(v, LD_JSON_NULL))
		return 0;
	if (!ld_json_num(v, out) || *out != *out)
		return bad(r, "'%s' is not a number", key);
	return 0;
}

/* An array of strings (absent = empty). */
static int str_list(rd *r, const ld_json *o, const char *key, const char *const **out, size_t *n)
{
	const ld_json *v = ld_json_get(o, key), *it;
	const char **a;
	*out = NULL;
	*n = 0;
	if (!v || ld_json_is(v, LD_JSON_NULL))
		return 0;
	if (!ld_json_is(v, LD_JSON_ARRAY))
		return bad(r, "'%s' is not an array", key);
	if (v->n > LD_FLEET_MAX_LIST)
		return ld_error_set(r->ctx, LADING_ELIMIT, "%s: %s: '%s' has %u entries (limit %u)", r->what,
				    r->where, key, v->n, LD_FLEET_MAX_LIST);
	if (!v->n)
		return 0;
	if (!(a = ld_arena_array(&r->d->arena, v->n, sizeof(*a))))
		return LADING_ENOMEM;
	ld_json_foreach_item(v, i, it) {
		if (!ld_json_is(it, LD_JSON_STRING))
			return bad(r, "'%s'[%zu] is not a string", key, i);
		a[i] = it->u.s;
	}
	*out = a;
	*n = v->n;
	return 0;
}

static int read_package(rd *r, const ld_json *f, ld_fleet_finding *out)
{
	const ld_json *p = ld_json_get(f, "package");
	int rc;
	if (ld_json_is(p, LD_JSON_OBJECT)) {
		if ((rc = opt_str(r, p, "name", &out->pkg_name)) || (rc = opt_str(r, p, "version", &out->pkg_version)) ||
		    (rc = opt_str(r, p, "type", &out->pkg_type)))
			return rc;
		return 0;
	}
	/* scan's JSON: "package", "version", "type" side by side */
	if ((rc = opt_str(r, f, "package", &out->pkg_name)) || (rc = opt_str(r, f, "version", &out->pkg_version)) ||
	    (rc = opt_str(r, f, "type", &out->pkg_type)))
		return rc;
	return 0;
}

static int read_finding(rd *r, const ld_json *f, ld_fleet_finding *out)
{
	const ld_json *kev = ld_json_get(f, "kev"), *epss = ld_json_get(f, "epss"), *fix;
	const char *sev;
	const char *const *fixed;
	size_t nfixed;
	lading_severity s = LADING_SEVERITY_UNKNOWN;
	int rc;
	if (!ld_json_is(f, LD_JSON_OBJECT))
		return bad(r, "not an object");
	if ((rc = opt_str(r, f, "id", &out->id)))
		return rc;
	if (!out->id || !*out->id)
		return bad(r, "'id' missing");
	if ((rc = str_list(r, f, "aliases", &out->aliases, &out->alias_count)) || (rc = opt_str(r, f, "severity", &sev)))
		return rc;
	if (sev && lading_severity_parse(sev, &s))
		return bad(r, "unknown severity '%.20s'", sev);
	out->severity = (uint8_t)s;
	/* scan's JSON has an object (or null) for kev; a plain boolean is accepted too */
	out->kev = ld_json_is(kev, LD_JSON_OBJECT) || ld_json_is(kev, LD_JSON_TRUE);
	if (ld_json_is(epss, LD_JSON_OBJECT))
		rc = opt_num(r, epss, "score", -1, &out->epss);
	else
		rc = opt_num(r, f, "epss", -1, &out->epss);
	if (rc || (rc = str_list(r, f, "fixed_versions", &fixed, &nfixed)) ||
	    (rc = opt_str(r, f, "fixed_version", &out->fixed_version)))
		return rc;
	if (!out->fixed_version && nfixed)
		out->fixed_version = fixed[0];
	fix = ld_json_get(f, "fixable");
	if (fix && !ld_json_is(fix, LD_JSON_TRUE) && !ld_json_is(fix, LD_JSON_FALSE))
		return bad(r, "'fixable' is not a boolean");
	out->fixable = fix ? ld_json_is(fix, LD_JSON_TRUE) : (out->fixed_version && *out->fixed_version);
	return read_package(r, f, out);
}

static int read_labels(rd *r, const ld_json *img, ld_fleet_image *out)
{
	const ld_json *l = ld_json_get(img, "labels");
	const ld_json_member *m;
	ld_fleet_kv *kv;
	if (!l || ld_json_is(l, LD_JSON_NULL))
		return 0;
	if (!ld_json_is(l, LD_JSON_OBJECT))
		return bad(r, "'labels' is not an object");
	if (l->n > LD_FLEET_MAX_LIST)
		return ld_error_set(r->ctx, LADING_ELIMIT, "%s: %s: %u labels (limit %u)", r->what, r->where,
				    l->n, LD_FLEET_MAX_LIST);
	if (!l->n)
		return 0;
	if (!(kv = ld_arena_array(&r->d->arena, l->n, sizeof(*kv))))
		return LADING_ENOMEM;
	ld_json_foreach_member(l, i, m) {
		if (!ld_json_is(&m->value, LD_JSON_STRING))
			return bad(r, "label '%.60s' is not a string", m->key);
		kv[i].key = m->key;
		kv[i].value = m->value.u.s;
	}
	out->labels = kv;
	out->label_count = l->n;
	return 0;
}

static int read_image(rd *r, size_t idx, const ld_json *img, ld_fleet_image *out)
{
	const ld_json *fs = ld_json_get(img, "findings"), *it;
	ld_fleet_finding *f;
	int rc;
	ld_snprintf(r->where, sizeof(r->where), "images[%zu]", idx);
	if (!ld_json_is(img, LD_JSON_OBJECT))
		return bad(r, "not an object");
	if ((rc = opt_str(r, img, "digest", &out->digest)))
		return rc;
	if (!out->digest || !*out->digest)
		return bad(r, "'digest' missing");
	if ((rc = str_list(r, img, "manifest_digests", &out->manifest_digests, &out->manifest_count)) ||
	    (rc = str_list(r, img, "refs", &out->refs, &out->ref_count)) ||
	    (rc = str_list(r, img, "sources", &out->sources, &out->source_count)) ||
	    (rc = str_list(r, img, "layers", &out->layers, &out->layer_count)) || (rc = read_labels(r, img, out)) ||
	    (rc = opt_time(r, img, "created", &out->created)) ||
	    (rc = opt_time(r, img, "first_seen", &out->first_seen)) ||
	    (rc = opt_time(r, img, "last_seen", &out->last_seen)))
		return rc;
	if (out->layer_count > LD_FLEET_MAX_LAYERS)
		return ld_error_set(r->ctx, LADING_ELIMIT, "%s: %s: %zu layers (limit %u)", r->what, r->where,
				    out->layer_count, LD_FLEET_MAX_LAYERS);
	out->matched = fs && !ld_json_is(fs, LD_JSON_NULL);
	if (!out->matched)
		return 0;
	if (!ld_json_is(fs, LD_JSON_ARRAY))
		return bad(r, "'findings' is not an array");
	if (fs->n > LD_FLEET_MAX_FINDINGS)
		return ld_error_set(r->ctx, LADING_ELIMIT, "%s: %s: %u findings (limit %u)", r->what, r->where,
				    fs->n, LD_FLEET_MAX_FINDINGS);
	if (!fs->n)
		return 0;
	if (!(f = ld_arena_array(&r->d->arena, fs->n, sizeof(*f))))
		return LADING_ENOMEM;
	ld_json_foreach_item(fs, i, it) {
		ld_snprintf(r->where, sizeof(r->where), "images[%zu].findings[%zu]", idx, i);
		if ((rc = read_finding(r, it, &f[i])))
			return rc;
	}
	out->findings = f;
	out->finding_count = fs->n;
	return 0;
}

static int read_state(rd *r, const char *s, uint8_t *out)
{
	*out = LD_FLEET_UNKNOWN_STATE;
	if (!s)
		return 0;
	for (size_t i = 1; i < LD_ARRAY_LEN(state_names); i++) {
		if (!strcmp(s, state_names[i])) {
			*out = (uint8_t)i;
			return 0;
		}
	}
	return bad(r, "unknown state '%.20s' (running, created, exited, gone)", s);
}

static int read_container(rd *r, size_t idx, const ld_json *c, ld_fleet_container *out)
{
	const char *state;
	int rc;
	ld_snprintf(r->where, sizeof(r->where), "containers[%zu]", idx);
	if (!ld_json_is(c, LD_JSON_OBJECT))
		return bad(r, "not an object");
	if ((rc = opt_str(r, c, "id", &out->id)) || (rc = opt_str(r, c, "name", &out->name)) ||
	    (rc = opt_str(r, c, "source", &out->source)) || (rc = opt_str(r, c, "namespace", &out->namespace_name)) ||
	    (rc = opt_str(r, c, "image_digest", &out->image_digest)) ||
	    (rc = opt_str(r, c, "image_ref", &out->image_ref)) || (rc = opt_str(r, c, "state", &state)) ||
	    (rc = read_state(r, state, &out->state)) || (rc = opt_time(r, c, "first_seen", &out->first_seen)) ||
	    (rc = opt_time(r, c, "last_seen", &out->last_seen)))
		return rc;
	if (!out->id || !*out->id)
		return bad(r, "'id' missing");
	return 0;
}

static int read_census(rd *r, const ld_json *c)
{
	const ld_json *ps, *it;
	ld_fleet_census_product *p;
	uint64_t v[6];
	int rc;
	ld_snprintf(r->where, sizeof(r->where), "census");
	if (!c || ld_json_is(c, LD_JSON_NULL))
		return 0;
	if (!ld_json_is(c, LD_JSON_OBJECT))
		return bad(r, "not an object");
	if ((rc = opt_count(r, c, "records", 0, &v[0])))
		return rc;
	r->d->census.present = 1;
	r->d->census.records = (size_t)v[0];
	ps = ld_json_get(c, "products");
	if (!ps || ld_json_is(ps, LD_JSON_NULL))
		return 0;
	if (!ld_json_is(ps, LD_JSON_ARRAY))
		return bad(r, "'products' is not an array");
	if (ps->n > LD_FLEET_MAX_LIST)
		return ld_error_set(r->ctx, LADING_ELIMIT, "%s: census: %u products (limit %u)", r->what, ps->n,
				    LD_FLEET_MAX_LIST);
	if (!ps->n)
		return 0;
	if (!(p = ld_arena_array(&r->d->arena, ps->n, sizeof(*p))))
		return LADING_ENOMEM;
	ld_json_foreach_item(ps, i, it) {
		ld_snprintf(r->where, sizeof(r->where), "census.products[%zu]", i);
		if (!ld_json_is(it, LD_JSON_OBJECT))
			return bad(r, "not an object");
		if ((rc = opt_str(r, it, "product", &p[i].product)) || (rc = opt_str(r, it, "name", &p[i].name)) ||
		    (rc = opt_count(r, it, "hosts", 0, &v[1])) || (rc = opt_count(r, it, "versioned", 0, &v[2])) ||
		    (rc = opt_count(r, it, "behind", SIZE_MAX, &v[3])) ||
		    (rc = opt_count(r, it, "vulnerable", SIZE_MAX, &v[4])) ||
		    (rc = opt_count(r, it, "kev", SIZE_MAX, &v[5])))
			return rc;
		if (!p[i].product)
			return bad(r, "'product' missing");
		p[i].hosts = (size_t)v[1];
		p[i].versioned = (size_t)v[2];
		p[i].behind = (size_t)v[3];
		p[i].vulnerable = (size_t)v[4];
		p[i].kev = (size_t)v[5];
	}
	r->d->census.products = p;
	r->d->census.product_count = ps->n;
	return 0;
}

static int read_summary(rd *r, const ld_json *h, ld_fleet_summary *s)
{
	int rc;
	if (!ld_json_is(h, LD_JSON_OBJECT))
		return bad(r, "not an object");
	if ((rc = opt_time(r, h, "time", &s->time)) || (rc = opt_str(r, h, "group_by", &s->group_by)) ||
	    (rc = opt_str(r, h, "group", &s->group)) || (rc = opt_count(r, h, "images", 0, &s->images)) ||
	    (rc = opt_count(r, h, "vulnerabilities", 0, &s->vulnerabilities)) ||
	    (rc = opt_num(r, h, "vulnerabilities_median", 0, &s->vulns_median)) ||
	    (rc = opt_num(r, h, "vulnerabilities_p90", 0, &s->vulns_p90)) ||
	    (rc = opt_count(r, h, "new_findings", 0, &s->new_findings)) ||
	    (rc = opt_count(r, h, "fixed_findings", 0, &s->fixed_findings)) ||
	    (rc = opt_count(r, h, "kev_images", 0, &s->kev_images)) ||
	    (rc = opt_count(r, h, "critical_images", 0, &s->critical_images)) ||
	    (rc = opt_count(r, h, "fixable_images", 0, &s->fixable_images)) ||
	    (rc = opt_count(r, h, "containers_running", 0, &s->containers_running)))
		return rc;
	if (s->time == LD_FLEET_TIME_UNKNOWN)
		return bad(r, "'time' missing");
	return 0;
}

static int cmp_summary(const void *a, const void *b)
{
	const ld_fleet_summary *x = a, *y = b;
	return (x->time > y->time) - (x->time < y->time);
}

/* Each top-level array: type, cap, allocation, then `one` per element. */
static int read_array(rd *r, const ld_json *doc, const char *key, size_t cap, size_t elem, void **out,
		      size_t *n)
{
	const ld_json *a = ld_json_get(doc, key);
	*out = NULL;
	*n = 0;
	ld_snprintf(r->where, sizeof(r->where), "%s", key);
	if (!a || ld_json_is(a, LD_JSON_NULL))
		return 0;
	if (!ld_json_is(a, LD_JSON_ARRAY))
		return bad(r, "not an array");
	if (a->n > cap)
		return ld_error_set(r->ctx, LADING_ELIMIT, "%s: %u %s (limit %zu)", r->what, a->n, key, cap);
	if (a->n && !(*out = ld_arena_array(&r->d->arena, a->n, elem)))
		return LADING_ENOMEM;
	*n = a->n;
	return 0;
}

static int read_doc(rd *r, const ld_json *doc)
{
	const ld_json *v;
	int64_t version;
	int rc;
	void *p;
	ld_snprintf(r->where, sizeof(r->where), "document");
	if (!ld_json_is(doc, LD_JSON_OBJECT))
		return bad(r, "not a JSON object");
	v = ld_json_get(doc, "lading_fleet");
	if (!ld_json_i64(v, &version))
		return bad(r, "no \"lading_fleet\" version member: not a fleet export");
	if (version != 1)
		return ld_error_set(r->ctx, LADING_EUNSUPPORTED, "%s: fleet format version %" PRId64
				    " (this lading reads version 1)", r->what, version);
	if ((rc = opt_time(r, doc, "generated", &r->d->generated)))
		return rc;
	if ((rc = read_array(r, doc, "images", LD_FLEET_MAX_IMAGES, sizeof(ld_fleet_image), &p, &r->d->image_count)))
		return rc;
	r->d->images = p;
	for (size_t i = 0; i < r->d->image_count; i++)
		if ((rc = read_image(r, i, ld_json_at(ld_json_get(doc, "images"), i), &r->d->images[i])))
			return rc;
	if ((rc = read_array(r, doc, "containers", LD_FLEET_MAX_CONTAINERS, sizeof(ld_fleet_container), &p,
			     &r->d->container_count)))
		return rc;
	r->d->containers = p;
	for (size_t i = 0; i < r->d->container_count; i++)
		if ((rc = read_container(r, i, ld_json_at(ld_json_get(doc, "containers"), i), &r->d->containers[i])))
			return rc;
	if ((rc = read_census(r, ld_json_get(doc, "census"))))
		return rc;
	if ((rc = read_array(r, doc, "history", LD_FLEET_MAX_HISTORY, sizeof(ld_fleet_summary), &p,
			     &r->d->history_count)))
		return rc;
	r->d->history = p;
	for (size_t i = 0; i < r->d->history_count; i++) {
		ld_snprintf(r->where, sizeof(r->where), "history[%zu]", i);
		if ((rc = read_summary(r, ld_json_at(ld_json_get(doc, "history"), i), &r->d->history[i])))
			return rc;
	}
	if (r->d->history_count > 1)
		qsort(r->d->history, r->d->history_count, sizeof(*r->d->history), cmp_summary);
	return 0;
}

int ld_fleet_data_parse_json(ld_fleet_data *d, const char *p, size_t len, lading_ctx *ctx, const char *what)
{
	ld_json *doc = NULL;
	rd r = {d, ctx, what ? what : "fleet", ""};
	int rc;
	if (len > LD_FLEET_MAX_INPUT)
		return ld_error_set(ctx, LADING_ELIMIT, "%s: %zu bytes (limit %zu)", r.what, len, LD_FLEET_MAX_INPUT);
	if ((rc = ld_json_parse(&doc, &d->arena, p, len, NULL, ctx, r.what)))
		return rc;
	rc = read_doc(&r, doc);
	if (rc == LADING_ENOMEM && !lading_ctx_error(ctx)->code)
		ld_error_set(ctx, rc, "%s: out of memory", r.what);
	return rc;
}

/* ---- writer ---- */

static void kstrs(ld_jw *w, const char *k, const char *const *v, size_t n)
{
	ld_jw_key(w, k);
	ld_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		ld_jw_str(w, v[i]);
	ld_jw_arr_end(w);
}

static void ktime(ld_jw *w, const char *k, int64_t t)
{
	char s[32];
	ld_fleet_format_time(t, s);
	ld_jw_kstr(w, k, t == LD_FLEET_TIME_UNKNOWN ? NULL : s);
}

static void write_finding(ld_jw *w, const ld_fleet_finding *f)
{
	ld_jw_obj(w);
	ld_jw_kstr(w, "id", f->id);
	kstrs(w, "aliases", f->aliases, f->alias_count);
	ld_jw_kstr(w, "severity", lading_severity_name((lading_severity)f->severity));
	ld_jw_kbool(w, "kev", f->kev);
	ld_jw_key(w, "epss");
	if (f->epss >= 0)
		ld_jw_fixed(w, f->epss, 5);
	else
		ld_jw_null(w);
	ld_jw_kbool(w, "fixable", f->fixable);
	ld_jw_kstr(w, "fixed_version", f->fixed_version);
	ld_jw_key(w, "package");
	ld_jw_obj(w);
	ld_jw_kstr(w, "name", f->pkg_name);
	ld_jw_kstr(w, "version", f->pkg_version);
	ld_jw_kstr(w, "type", f->pkg_type);
	ld_jw_obj_end(w);
	ld_jw_obj_end(w);
}

static void write_image(ld_jw *w, const ld_fleet_image *im)
{
	ld_jw_obj(w);
	ld_jw_kstr(w, "digest", im->digest);
	kstrs(w, "manifest_digests", im->manifest_digests, im->manifest_count);
	kstrs(w, "refs", im->refs, im->ref_count);
	kstrs(w, "sources", im->sources, im->source_count);
	ld_jw_key(w, "labels");
	ld_jw_obj(w);
	for (size_t i = 0; i < im->label_count; i++)
		ld_jw_kstr(w, im->labels[i].key, im->labels[i].value);
	ld_jw_obj_end(w);
	ktime(w, "created", im->created);
	ktime(w, "first_seen", im->first_seen);
	ktime(w, "last_seen", im->last_seen);
	kstrs(w, "layers", im->layers, im->layer_count);
	ld_jw_key(w, "findings");
	if (!im->matched) {
		ld_jw_null(w);
	} else {
		ld_jw_arr(w);
		for (size_t i = 0; i < im->finding_count; i++)
			write_finding(w, &im->findings[i]);
		ld_jw_arr_end(w);
	}
	ld_jw_obj_end(w);
}

static void write_container(ld_jw *w, const ld_fleet_container *c)
{
	ld_jw_obj(w);
	ld_jw_kstr(w, "id", c->id);
	ld_jw_kstr(w, "name", c->name);
	ld_jw_kstr(w, "source", c->source);
	ld_jw_kstr(w, "namespace", c->namespace_name);
	ld_jw_kstr(w, "image_digest", c->image_digest);
	ld_jw_kstr(w, "image_ref", c->image_ref);
	ld_jw_kstr(w, "state", c->state ? ld_fleet_state_name(c->state) : NULL);
	ktime(w, "first_seen", c->first_seen);
	ktime(w, "last_seen", c->last_seen);
	ld_jw_obj_end(w);
}

static void kcount(ld_jw *w, const char *k, size_t v)
{
	ld_jw_key(w, k);
	if (v == SIZE_MAX)
		ld_jw_null(w);
	else
		ld_jw_u64(w, v);
}

static void write_census(ld_jw *w, const ld_fleet_census *c)
{
	ld_jw_key(w, "census");
	if (!c->present) {
		ld_jw_null(w);
		return;
	}
	ld_jw_obj(w);
	ld_jw_key(w, "records");
	ld_jw_u64(w, c->records);
	ld_jw_key(w, "products");
	ld_jw_arr(w);
	for (size_t i = 0; i < c->product_count; i++) {
		const ld_fleet_census_product *p = &c->products[i];
		ld_jw_obj(w);
		ld_jw_kstr(w, "product", p->product);
		ld_jw_kstr(w, "name", p->name);
		kcount(w, "hosts", p->hosts);
		kcount(w, "versioned", p->versioned);
		kcount(w, "behind", p->behind);
		kcount(w, "vulnerable", p->vulnerable);
		kcount(w, "kev", p->kev);
		ld_jw_obj_end(w);
	}
	ld_jw_arr_end(w);
	ld_jw_obj_end(w);
}

static void write_summary(ld_jw *w, const ld_fleet_summary *s)
{
	ld_jw_obj(w);
	ktime(w, "time", s->time);
	ld_jw_kstr(w, "group_by", s->group_by);
	ld_jw_kstr(w, "group", s->group);
	kcount(w, "images", s->images);
	kcount(w, "vulnerabilities", s->vulnerabilities);
	ld_jw_key(w, "vulnerabilities_median");
	ld_jw_fixed(w, s->vulns_median, 2);
	ld_jw_key(w, "vulnerabilities_p90");
	ld_jw_fixed(w, s->vulns_p90, 2);
	kcount(w, "new_findings", s->new_findings);
	kcount(w, "fixed_findings", s->fixed_findings);
	kcount(w, "kev_images", s->kev_images);
	kcount(w, "critical_images", s->critical_images);
	kcount(w, "fixable_images", s->fixable_images);
	kcount(w, "containers_running", s->containers_running);
	ld_jw_obj_end(w);
}

int ld_fleet_data_write_json(ld_buf *out, const ld_fleet_data *d)
{
	ld_jw w;
	ld_jw_init(&w, out, false);
	ld_jw_obj(&w);
	ld_jw_ki64(&w, "lading_fleet", 1);
	ktime(&w, "generated", d->generated);
	ld_jw_key(&w, "images");
	ld_jw_arr(&w);
	for (size_t i = 0; i < d->image_count; i++)
		write_image(&w, &d->images[i]);
	ld_jw_arr_end(&w);
	ld_jw_key(&w, "containers");
	ld_jw_arr(&w);
	for (size_t i = 0; i < d->container_count; i++)
		write_container(&w, &d->containers[i]);
	ld_jw_arr_end(&w);
	write_census(&w, &d->census);
	ld_jw_key(&w, "history");
	ld_jw_arr(&w);
	for (size_t i = 0; i < d->history_count; i++)
		write_summary(&w, &d->history[i]);
	ld_jw_arr_end(&w);
	ld_jw_obj_end(&w);
	return ld_jw_finish(&w);
}
