/* Importing scan data: format detection, reading files (gzip too), JSON lines, the helpers every
 * importer shares, lading's own probe output, and lading_census_import(). */
#include <ctype.h>
#include <strings.h>
#include <time.h>

#include "util/common.h"
#include "census/census.h"
#include "util/json.h"
#include "util/stream.h"

/* Named limits. */
#define IMPORT_MAX_FILE ((size_t)2 << 30)    /* bytes of one (decompressed) file */
#define IMPORT_MAX_WHOLE ((size_t)256 << 20) /* a document parsed as one JSON value */
#define IMPORT_MAX_LINE ((size_t)64 << 20)   /* one JSON line */
#define IMPORT_SNIFF 65536		     /* bytes looked at to detect the format */
#define IMPORT_JSON_DEPTH 64

/* ------------------------------------------------------------------ shared helpers */

void ld_census_obs_service(ld_census_obs *o, ld_slice name)
{
	static const struct {
		const char *in, *out;
	} map[] = {{"ssh", "ssh"},	     {"http", "http"},	       {"https", "http"},
		   {"http-simple-new", "http"}, {"mysql", "mysql"},     {"redis", "redis"},
		   {"mongodb", "mongodb"},   {"mongo", "mongodb"},     {"memcache", "memcached"},
		   {"memcached", "memcached"}, {"postgres", "postgresql"}, {"postgresql", "postgresql"},
		   {"elasticsearch", "http"}, {"elastic", "http"},    {"ftp", "ftp"},	       {"smtp", "smtp"},
		   {"pop3", "pop3"},	     {"imap", "imap"},	       {"telnet", "telnet"},
		   {"vnc", "vnc"},	     {"etcd", "http"},	       {"kubernetes", "http"},
		   {"docker", "http"},	     {"couchdb", "http"},      {"consul", "http"}};
	char *low;
	name = ld_slice_trim(name);
	if (!name.len)
		return;
	for (size_t i = 0; i < LD_ARRAY_LEN(map); i++) {
		if (ld_slice_case_eq_cstr(name, map[i].in)) {
			o->service = map[i].out;
			return;
		}
	}
	if (ld_slice_case_eq_cstr(name, "unknown") || ld_slice_case_eq_cstr(name, "tcpwrapped"))
		return;
	ld_census_obs_set(o, &o->service, name);
	if (o->service && (low = ld_arena_strdup(o->arena, o->service))) {
		for (char *p = low; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		o->service = low;
	}
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

const char *ld_census_time_norm(ld_arena *a, const char *t)
{
	char out[32];
	size_t n;
	if (!t)
		return NULL;
	n = strlen(t);
	/* "YYYY-MM-DD[T ]HH:MM:SS..." (fraction and zone dropped: scanners write UTC) */
	if (n >= 19 && digits(t, 4) && t[4] == '-' && digits(t + 5, 2) && t[7] == '-' &&
	    digits(t + 8, 2) && (t[10] == 'T' || t[10] == ' ') && digits(t + 11, 2) && t[13] == ':' &&
	    digits(t + 14, 2) && t[16] == ':' && digits(t + 17, 2)) {
		ld_snprintf(out, sizeof(out), "%.10sT%.8sZ", t, t + 11);
		return ld_arena_strdup(a, out);
	}
	/* epoch seconds (nmap's starttime) */
	if (n && n <= 12 && digits(t, n)) {
		char *end;
		long long v = strtoll(t, &end, 10);
		time_t tt = (time_t)v;
		struct tm tm;
		if (gmtime_r(&tt, &tm) && strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm))
			return ld_arena_strdup(a, out);
	}
	return NULL;
}

void ld_census_obs_from_banner(ld_census_obs *o, ld_slice data)
{
	ld_census_obs b;
	ld_buf framed;
	bool reparse;
	int p;
	ld_pv (*parse)(unsigned, ld_slice, bool, ld_census_obs *) = NULL;

	if (!data.len)
		return;
	ld_census_obs_init(&b, o->arena);
	b.product = o->product; /* lets version rules know the product (MariaDB vs MySQL) */
	ld_buf_init(&framed, LD_BUF_DEFAULT_MAX);
	p = ld_census_classify(data, &reparse);
	if (p == LD_PROBE_SSH)
		parse = ld_census_ssh_parse;
	else if (p == LD_PROBE_MYSQL)
		parse = ld_census_mysql_parse;
	else if (p == LD_PROBE_HTTP)
		parse = ld_census_http_parse;
	else if (ld_slice_find_str(ld_slice_sub(data, 0, 4096), LD_SLICE_LIT("redis_version:")) >= 0) {
		/* scanners keep INFO's text without its RESP framing */
		ld_buf_addf(&framed, "$%zu\r\n", data.len);
		ld_buf_add(&framed, data.ptr, data.len);
		if (!ld_buf_error(&framed)) {
			data = ld_buf_slice(&framed);
			parse = ld_census_redis_parse;
		}
	} else if (ld_slice_starts_with(data, "VERSION ")) {
		parse = ld_census_memcached_parse;
	} else {
		parse = ld_census_banner_parse;
	}
	if (parse)
		parse(0, data, true, &b);
	ld_buf_release(&framed);
	if (!o->service)
		o->service = b.service;
	if (!o->product)
		o->product = b.product;
	if (!o->version && b.version && (!o->product || !b.product || !strcmp(o->product, b.product)))
		o->version = b.version;
	if (!o->distro && b.distro && (!o->product || !b.product || !strcmp(o->product, b.product)))
		o->distro = b.distro;
	if (!o->note && !o->version)
		o->note = b.note;
	for (size_t i = 0; i < b.nattrs; i++)
		if (!ld_census_obs_get_attr(o, b.attrs[i].key))
			ld_census_obs_attr(o, b.attrs[i].key, ld_slice_cstr(b.attrs[i].value));
	if (!o->evidence)
		o->evidence = b.evidence;
}

int ld_census_emit(ld_census_sink *sink, ld_census_obs *o, const char *target, unsigned port,
		   const char *transport, const char *time, const char *source)
{
	lading_census_record r;
	int rc;
	const char *t = NULL;
	memset(&r, 0, sizeof(r));
	/* the address as the data wrote it, but printable and capped like every field */
	ld_census_obs_set(o, &t, ld_slice_cstr(target));
	if (!t || port < 1 || port > 65535) {
		sink->skipped++;
		return 0;
	}
	ld_census_obs_finish(o);
	if (o->product && !o->version && !o->note)
		o->note = !strcmp(o->product, "postgresql")
				  ? "PostgreSQL discloses no version before authentication"
				  : "the scan data names no version";
	if ((rc = ld_census_obs_to_record(o, &r)))
		return rc;
	r.target = t;
	r.port = port;
	r.transport = transport && !strcasecmp(transport, "udp") ? "udp" : "tcp";
	r.time = ld_census_time_norm(o->arena, time);
	r.source = source;
	if ((rc = sink->put(sink->opaque, &r)))
		return rc;
	sink->records++;
	return 0;
}

/* ------------------------------------------------------------------ JSON documents */

static const char *skip_blanks(const char *p, const char *end)
{
	if (end - p >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

int ld_census_json_each(ld_slice data, const char *array_key, ld_census_json_fn fn, void *opaque,
			ld_census_sink *sink, lading_ctx *ctx, const char *what)
{
	const char *p = data.ptr, *end = data.ptr + data.len;
	ld_json_limits lim = {IMPORT_JSON_DEPTH, 0};
	lading_ctx scratch;
	size_t lineno = 0;
	int rc = 0;

	p = skip_blanks(p, end);
	if (p < end && *p == '[') {
		/* one JSON array of records */
		ld_arena a;
		ld_json *doc = NULL;
		const ld_json *it;
		if (data.len > IMPORT_MAX_WHOLE)
			return ld_error_set(ctx, LADING_ELIMIT,
					    "%s: a JSON array larger than %zu MiB: write it as JSON lines",
					    what, IMPORT_MAX_WHOLE >> 20);
		ld_arena_init(&a, 0);
		if ((rc = ld_json_parse(&doc, &a, p, (size_t)(end - p), &lim, ctx, what))) {
			ld_arena_release(&a);
			return rc;
		}
		ld_json_foreach_item(doc, i, it)
		{
			if ((rc = fn(opaque, it, i + 1, &a)))
				break;
		}
		ld_arena_release(&a);
		return rc;
	}
	ld_ctx_init_child(&scratch, NULL);
	while (p < end && !rc) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *lend = nl ? nl : end;
		ld_arena a;
		ld_json *doc = NULL;
		lineno++;
		p = skip_blanks(p, lend);
		if (p == lend) {
			p = nl ? nl + 1 : end;
			continue;
		}
		if ((size_t)(lend - p) > IMPORT_MAX_LINE) {
			ld_warn(ctx, "%s: line %zu longer than %zu MiB: skipped", what, lineno,
				IMPORT_MAX_LINE >> 20);
			sink->skipped++;
			p = nl ? nl + 1 : end;
			continue;
		}
		ld_arena_init(&a, 0);
		ld_error_clear(&scratch);
		if (ld_json_parse(&doc, &a, p, (size_t)(lend - p), &lim, &scratch, "line")) {
			ld_warn(ctx, "%s: line %zu is not JSON (%s): skipped", what, lineno,
				scratch.err.msg);
			sink->skipped++;
		} else if (array_key && ld_json_is(ld_json_get(doc, array_key), LD_JSON_ARRAY)) {
			/* an API response wrapping the records ({"matches": [...]}) */
			const ld_json *it;
			ld_json_foreach_item(ld_json_get(doc, array_key), i, it)
			{
				if ((rc = fn(opaque, it, lineno, &a)))
					break;
			}
		} else {
			rc = fn(opaque, doc, lineno, &a);
		}
		ld_arena_release(&a);
		p = nl ? nl + 1 : end;
	}
	ld_ctx_release_child(&scratch);
	return rc;
}

/* ------------------------------------------------------------------ lading's own records */

typedef struct lading_imp {
	ld_census_sink *sink;
	lading_ctx *ctx;
	const char *what;
} lading_imp;

static int lading_one(void *opaque, const ld_json *v, size_t index, ld_arena *a)
{
	lading_imp *im = opaque;
	ld_census_obs o;
	const char *target = ld_json_get_str(v, "target"), *s;
	int64_t port = 0;
	const ld_json *attrs;
	const ld_json_member *m;
	if (!ld_json_is(v, LD_JSON_OBJECT) || !target || !ld_json_i64(ld_json_get(v, "port"), &port) ||
	    port < 1 || port > 65535) {
		ld_warn(im->ctx, "%s: record %zu has no target and port: skipped", im->what, index);
		im->sink->skipped++;
		return 0;
	}
	ld_census_obs_init(&o, a);
	/* our own fields, but from a file: cleaned and capped like any other input */
	ld_census_obs_set(&o, &o.service, ld_slice_cstr(ld_json_get_str(v, "service")));
	ld_census_obs_set(&o, &o.product, ld_slice_cstr(ld_json_get_str(v, "product")));
	ld_census_obs_set(&o, &o.version, ld_slice_cstr(ld_json_get_str(v, "version")));
	ld_census_obs_set(&o, &o.distro, ld_slice_cstr(ld_json_get_str(v, "distro")));
	ld_census_obs_set(&o, &o.cpe, ld_slice_cstr(ld_json_get_str(v, "cpe")));
	ld_census_obs_set(&o, &o.note, ld_slice_cstr(ld_json_get_str(v, "note")));
	if ((s = ld_json_get_str(v, "evidence")))
		o.evidence = ld_arena_strndup(a, s, strnlen(s, 4 * LD_CENSUS_EVIDENCE_MAX + 3));
	attrs = ld_json_get(v, "attrs");
	ld_json_foreach_member(attrs, i, m)
	{
		if (ld_json_str(&m->value))
			ld_census_obs_attr(&o, m->key, ld_slice_cstr(ld_json_str(&m->value)));
	}
	return ld_census_emit(im->sink, &o, target, (unsigned)port, ld_json_get_str(v, "transport"),
			      ld_json_get_str(v, "time"), "lading");
}

int ld_census_import_lading(ld_slice data, ld_census_sink *sink, lading_ctx *ctx, const char *what)
{
	lading_imp im = {sink, ctx, what};
	return ld_census_json_each(data, NULL, lading_one, &im, sink, ctx, what);
}

/* ------------------------------------------------------------------ detection and dispatch */

static const char *detect_json(const ld_json *v)
{
	const ld_json *d;
	if (!ld_json_is(v, LD_JSON_OBJECT))
		return NULL;
	if (ld_json_get(v, "ip_str") || ld_json_is(ld_json_get(v, "matches"), LD_JSON_ARRAY))
		return "shodan";
	if (ld_json_is(ld_json_get(v, "services"), LD_JSON_ARRAY) ||
	    ld_json_get(ld_json_get(v, "result"), "services") ||
	    ld_json_is(ld_json_getp(v, "result", "hits", NULL), LD_JSON_ARRAY))
		return "censys";
	if (ld_json_is((d = ld_json_get(v, "data")), LD_JSON_OBJECT) && ld_json_get(v, "ip"))
		return "zgrab2";
	if (ld_json_get(v, "target") && ld_json_get(v, "port"))
		return "lading";
	return NULL;
}

const char *ld_census_detect_format(ld_slice data)
{
	const char *p = data.ptr, *end = data.ptr + data.len;
	ld_json_limits lim = {IMPORT_JSON_DEPTH, 0};
	lading_ctx scratch;
	ld_arena a;
	ld_json *doc = NULL;
	const char *fmt = NULL;
	size_t used = 0;

	p = skip_blanks(p, end);
	if (p == end)
		return NULL;
	if (*p == '<') {
		ld_slice head = ld_slice_make(p, LD_MIN((size_t)(end - p), (size_t)IMPORT_SNIFF));
		return ld_slice_find_str(head, LD_SLICE_LIT("<nmaprun")) >= 0 ? "nmap" : NULL;
	}
	ld_ctx_init_child(&scratch, NULL);
	ld_arena_init(&a, 0);
	if (*p == '[') {
		/* the first element tells */
		const char *q = skip_blanks(p + 1, end);
		if (q < end && !ld_json_parse_prefix(&doc, &used, &a, q, (size_t)(end - q), &lim,
						     &scratch, "sniff"))
			fmt = detect_json(doc);
	} else if (*p == '{') {
		if (!ld_json_parse_prefix(&doc, &used, &a, p, (size_t)(end - p), &lim, &scratch, "sniff"))
			fmt = detect_json(doc);
	}
	ld_arena_release(&a);
	ld_ctx_release_child(&scratch);
	return fmt;
}

int ld_census_import_data(ld_slice data, const char *format, ld_census_sink *sink, lading_ctx *ctx,
			  const char *what)
{
	if (!strcmp(format, "shodan"))
		return ld_census_import_shodan(data, sink, ctx, what);
	if (!strcmp(format, "censys"))
		return ld_census_import_censys(data, sink, ctx, what);
	if (!strcmp(format, "zgrab2"))
		return ld_census_import_zgrab2(data, sink, ctx, what);
	if (!strcmp(format, "nmap"))
		return ld_census_import_nmap(data, sink, ctx, what);
	if (!strcmp(format, "lading"))
		return ld_census_import_lading(data, sink, ctx, what);
	return ld_error_set(ctx, LADING_EUSAGE,
			    "unknown scan data format '%s' (shodan, censys, zgrab2, nmap, lading)",
			    format);
}

/* ------------------------------------------------------------------ public */

typedef struct store_sink {
	ld_census_store *store;
	const char *origin;
} store_sink;

static int store_put(void *opaque, const lading_census_record *r)
{
	store_sink *s = opaque;
	return ld_census_store_put(s->store, r, s->origin);
}

static int read_file(const char *path, ld_buf *out, lading_ctx *ctx)
{
	ld_stream *st = NULL, *dec = NULL;
	ld_decomp_limits lim = {IMPORT_MAX_FILE, 0, 0};
	ld_comp comp;
	int rc;
	if ((rc = ld_stream_file(&st, ctx, path)))
		return rc;
	if ((rc = ld_stream_decompress(&dec, st, &lim, path, &comp)))
		return rc;
	rc = ld_stream_read_all(dec, out, IMPORT_MAX_FILE, path);
	ld_stream_close(dec);
	return rc;
}

int lading_census_import(const char *store, const char *path, const char *format,
			 lading_census_import_result *res, lading_ctx *ctx)
{
	ld_buf data;
	ld_census_store *s = NULL;
	store_sink ss;
	ld_census_sink sink;
	int rc;

	ld_error_clear(ctx);
	memset(res, 0, sizeof(*res));
	ld_buf_init(&data, IMPORT_MAX_FILE);
	if ((rc = read_file(path, &data, ctx)))
		goto out;
	if (!format || !strcmp(format, "auto")) {
		format = ld_census_detect_format(ld_buf_slice(&data));
		if (!format) {
			rc = ld_error_set_path(ctx, LADING_EUNSUPPORTED, path, 0,
					       "%s: not a format lading reads (Shodan JSON lines, Censys "
					       "host records, zgrab2 JSON lines, nmap XML, lading probe "
					       "JSON); name it with --format if it is one",
					       path);
			goto out;
		}
	}
	ld_strlcpy(res->format, format, sizeof(res->format));
	if ((rc = ld_census_store_open(&s, store, true, ctx)) || (rc = ld_census_store_begin(s)))
		goto out;
	ss.store = s;
	ss.origin = path;
	memset(&sink, 0, sizeof(sink));
	sink.put = store_put;
	sink.opaque = &ss;
	rc = ld_census_import_data(ld_buf_slice(&data), format, &sink, ctx, path);
	res->records = sink.records;
	res->skipped = sink.skipped;
	res->ignored = sink.ignored;
	if (!rc)
		rc = ld_census_store_note_import(s, path, res);
	if (!rc)
		rc = ld_census_store_commit(s);
out:
	ld_census_store_close(s);
	ld_buf_release(&data);
	return rc;
}
