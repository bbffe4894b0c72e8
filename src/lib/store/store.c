/* The store's logic, written once over the backends' statements: opening by URL, transactions
 * with retries, identity by content (layer digest, image config digest, package and package-list
 * hashes), recording images and container snapshots. */
#include <time.h>

#include "util/common.h"
#include "util/hash.h"
#include "util/jsonw.h"
#include "util/path.h"
#include "store/store.h"

ld_sv ld_sv_text(const char *s)
{
	ld_sv v = {s ? LD_SV_TEXT : LD_SV_NULL, 0, 0, s, s ? strlen(s) : 0};
	return v;
}

ld_sv ld_sv_textn(const char *s, size_t n)
{
	ld_sv v = {s ? LD_SV_TEXT : LD_SV_NULL, 0, 0, s, n};
	return v;
}

const char *ld_sv_str(const ld_sv *v)
{
	return v->t == LD_SV_TEXT ? v->s : NULL;
}

int64_t ld_sv_i64(const ld_sv *v)
{
	switch (v->t) {
	case LD_SV_INT: return v->i;
	case LD_SV_REAL: return (int64_t)v->d;
	case LD_SV_TEXT: return strtoll(v->s, NULL, 10); /* PostgreSQL gives text */
	default: return 0;
	}
}

double ld_sv_f64(const ld_sv *v)
{
	switch (v->t) {
	case LD_SV_INT: return (double)v->i;
	case LD_SV_REAL: return v->d;
	case LD_SV_TEXT: return strtod(v->s, NULL);
	default: return 0;
	}
}

void ld_store_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void ld_store_hash(const void *p, size_t n, char out[LD_STORE_HASH_LEN + 1])
{
	char d[LD_DIGEST_STR_LEN];
	ld_sha256_buf(p, n, d);
	/* skip "sha256:" */
	memcpy(out, d + 7, LD_STORE_HASH_LEN);
	out[LD_STORE_HASH_LEN] = '\0';
}

int ld_store_exec(ld_store *s, ld_sq q, const ld_sv *p, size_t np, ld_store_row_fn fn, void *opaque,
		  int64_t *changes)
{
	return s->ops->exec(s, q, p, np, fn, opaque, changes);
}

typedef struct id_row {
	int64_t id;
	bool found;
} id_row;

static int id_cb(void *opaque, const ld_sv *cols, size_t n)
{
	id_row *r = opaque;
	if (n < 1)
		return 1;
	r->id = ld_sv_i64(&cols[0]);
	r->found = true;
	return 1;
}

int ld_store_exec_id(ld_store *s, ld_sq q, const ld_sv *p, size_t np, int64_t *out, bool *found)
{
	id_row r = {0, false};
	int rc = ld_store_exec(s, q, p, np, id_cb, &r, NULL);
	*out = r.id;
	if (found)
		*found = r.found;
	return rc;
}

/* GET by key, else INSERT ... RETURNING id, else (a concurrent writer inserted it) GET again. */
static int get_or_insert(ld_store *s, ld_sq get, const ld_sv *key, ld_sq ins, const ld_sv *p, size_t np,
			 int64_t *id, bool *inserted)
{
	bool found;
	int rc;

	if (inserted)
		*inserted = false;
	if ((rc = ld_store_exec_id(s, get, key, 1, id, &found)) || found)
		return rc;
	if ((rc = ld_store_exec_id(s, ins, p, np, id, &found)))
		return rc;
	if (found) {
		if (inserted)
			*inserted = true;
		return 0;
	}
	if ((rc = ld_store_exec_id(s, get, key, 1, id, &found)))
		return rc;
	return found ? 0 : ld_error_set(s->ctx, LADING_EDB, "store %s: a row vanished while recording", s->target);
}

int ld_store_transaction(ld_store *s, ld_store_tx_fn fn, void *opaque)
{
	int rc = 0;
	for (unsigned attempt = 0; attempt <= LD_STORE_RETRIES; attempt++) {
		if (attempt) {
			/* back off a little, more each time, so the other writer finishes */
			struct timespec ts = {0, (long)(1000000L * (5u << (attempt < 6 ? attempt : 6)))};
			nanosleep(&ts, NULL);
		}
		if ((rc = s->ops->begin(s)) == LD_STORE_ERETRY)
			continue;
		if (rc)
			return rc;
		s->in_tx = true;
		rc = fn(s, opaque);
		if (!rc)
			rc = s->ops->commit(s);
		if (rc)
			s->ops->rollback(s);
		s->in_tx = false;
		if (rc != LD_STORE_ERETRY)
			return rc;
	}
	return ld_error_set(s->ctx, LADING_EDB,
			    "store %s: gave up after %d attempts: other writers kept the store busy", s->target,
			    LD_STORE_RETRIES + 1);
}

/* ---- opening ---- */

int lading_store_default_url(char *out, size_t outsz)
{
	return ld_user_path(out, outsz, "LADING_STORE", "XDG_DATA_HOME", ".local/share",
			    "store.sqlite", LD_USER_XDG_ABS);
}

int lading_store_schema_version(void)
{
	return LD_STORE_SCHEMA_VERSION;
}

const char *lading_store_backend(const lading_store *s)
{
	return s->ops->name;
}

/* The URL for messages: a password in "postgres://user:PASS@host" is not repeated. */
static void redact(const char *url, char *out, size_t n)
{
	const char *scheme = strstr(url, "://"), *at, *colon;
	ld_strlcpy(out, url, n);
	if (!scheme)
		return;
	at = strchr(scheme + 3, '@');
	colon = strchr(scheme + 3, ':');
	if (at && colon && colon < at) {
		size_t k = (size_t)(colon - url);
		if (k + 1 < n)
			ld_snprintf(out + k, n - k, ":***%s", at);
	}
}

int ld_store_open(lading_store **out, lading_ctx *ctx, const char *url)
{
	lading_store *s;
	const char *target = url;
	int rc;

	*out = NULL;
	if (!url || !*url || strlen(url) >= LD_STORE_URL_MAX)
		return ld_error_set(ctx, LADING_EUSAGE, "store: an empty or too long --store");
	if (!(s = calloc(1, sizeof(*s))))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	s->ctx = ctx;
	if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13)) {
		s->ops = &ld_store_postgres_ops;
	} else {
		if (!strncmp(url, "sqlite:", 7))
			target = url + 7;
		else if (strstr(url, "://"))
			rc = ld_error_set(ctx, LADING_EUSAGE,
					  "store %s: unknown kind (a path, sqlite:PATH or postgres://...)", url);
		s->ops = &ld_store_sqlite_ops;
		if (!*target)
			rc = ld_error_set(ctx, LADING_EUSAGE, "store %s: no path after sqlite:", url);
		if (ctx->err.code && (rc = ctx->err.code)) {
			free(s);
			return rc;
		}
	}
	redact(target, s->target, sizeof(s->target));
	if ((rc = s->ops->open(s, target)) || (rc = s->ops->migrate(s))) {
		lading_store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int lading_store_open(lading_store **out, lading_ctx *ctx, const char *url)
{
	char def[LD_STORE_URL_MAX];

	ld_error_clear(ctx);
	if (!url || !*url) {
		int rc = lading_store_default_url(def, sizeof(def));
		if (rc)
			return ld_error_set(ctx, LADING_EUSAGE,
					    "no store named: give --store, or set LADING_STORE, XDG_DATA_HOME or HOME");
		url = def;
	}
	return ld_store_open(out, ctx, url);
}

void lading_store_close(lading_store *s)
{
	if (!s)
		return;
	if (s->ops && s->be)
		s->ops->close(s);
	free(s);
}

/* ---- identity by content ---- */

static void hash_add(ld_buf *b, const char *s)
{
	/* unit separator between fields; a NULL field differs from an empty one */
	if (s)
		ld_buf_adds(b, s);
	else
		ld_buf_addc(b, '\x1e');
	ld_buf_addc(b, '\x1f');
}

static void os_hash(const lading_os *os, char out[LD_STORE_HASH_LEN + 1])
{
	ld_buf b = LD_BUF_INIT;
	hash_add(&b, os->id);
	hash_add(&b, os->version_id);
	hash_add(&b, os->version);
	hash_add(&b, os->codename);
	hash_add(&b, os->name);
	hash_add(&b, os->pretty_name);
	hash_add(&b, os->id_like);
	ld_store_hash(b.ptr ? b.ptr : "", b.len, out);
	ld_buf_release(&b);
}

static void pkg_hash(const lading_package *p, char out[LD_STORE_HASH_LEN + 1])
{
	ld_buf b = LD_BUF_INIT;
	hash_add(&b, p->type);
	hash_add(&b, p->name);
	hash_add(&b, p->version);
	hash_add(&b, p->arch);
	hash_add(&b, p->purl);
	hash_add(&b, p->source_name);
	hash_add(&b, p->source_version);
	ld_buf_addf(&b, "%d\x1f%u\x1f", p->epoch, p->flags);
	hash_add(&b, p->upstream_version);
	hash_add(&b, p->release);
	hash_add(&b, p->license);
	hash_add(&b, p->found_by);
	hash_add(&b, p->location);
	hash_add(&b, p->cpe);
	ld_store_hash(b.ptr ? b.ptr : "", b.len, out);
	ld_buf_release(&b);
}

/* One package of a list, by content. */
typedef struct list_item {
	char hash[LD_STORE_HASH_LEN + 1];
	int layer;
	size_t pkg; /* index in the record */
	int64_t id;
} list_item;

static int item_cmp(const void *a, const void *b)
{
	const list_item *x = a, *y = b;
	int c = strcmp(x->hash, y->hash);
	return c ? c : (x->layer > y->layer) - (x->layer < y->layer);
}

typedef struct put_ctx {
	const ld_store_image *img;
	list_item *items;
	size_t nitems;
	size_t *rec_item; /* record index -> items index */
	char os_hash[LD_STORE_HASH_LEN + 1];
	char list_hash[LD_STORE_HASH_LEN + 1];
	char now[32];
	ld_store_put_result *res;
} put_ctx;

static int put_os(ld_store *s, const lading_os *os, const char *hash, int64_t *id)
{
	ld_sv key = ld_sv_text(hash);
	ld_sv p[8] = {key,
		      ld_sv_text(os->id),
		      ld_sv_text(os->version_id),
		      ld_sv_text(os->version),
		      ld_sv_text(os->codename),
		      ld_sv_text(os->name),
		      ld_sv_text(os->pretty_name),
		      ld_sv_text(os->id_like)};
	return get_or_insert(s, LD_SQ_OS_GET, &key, LD_SQ_OS_INSERT, p, 8, id, NULL);
}

static void pkg_row(ld_jw *w, const lading_package *k, const char *hash)
{
	ld_jw_arr(w);
	ld_jw_str(w, hash);
	ld_jw_str(w, k->type ? k->type : "");
	ld_jw_str(w, k->name ? k->name : "");
	ld_jw_str(w, k->version ? k->version : "");
	ld_jw_str(w, k->arch);
	ld_jw_str(w, k->purl);
	ld_jw_str(w, k->source_name);
	ld_jw_str(w, k->source_version);
	ld_jw_i64(w, k->epoch);
	ld_jw_str(w, k->upstream_version);
	ld_jw_str(w, k->release);
	ld_jw_str(w, k->license);
	ld_jw_str(w, k->found_by);
	ld_jw_str(w, k->location);
	ld_jw_i64(w, k->flags);
	ld_jw_str(w, k->cpe);
	ld_jw_arr_end(w);
}

/* (hash, id) rows: the id goes to every item of that package (one per layer it is in) */
static int pkg_id_cb(void *opaque, const ld_sv *cols, size_t n)
{
	put_ctx *pc = opaque;
	const char *h = n >= 2 ? ld_sv_str(&cols[0]) : NULL;
	size_t lo = 0, hi = pc->nitems;

	if (!h)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(pc->items[mid].hash, h) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < pc->nitems && !strcmp(pc->items[lo].hash, h); lo++)
		pc->items[lo].id = ld_sv_i64(&cols[1]);
	return 0;
}

/* The list's packages: those not stored yet inserted, then every id read, a batch each. Items
 * are in hash order, so concurrent writers lock package rows in one order. */
static int put_packages(ld_store *s, put_ctx *pc)
{
	ld_store_batch bt;
	int rc = 0;

	ld_store_batch_init(&bt, s, LD_SQ_PKG_INSERT_MANY, NULL, 0);
	for (size_t i = 0; i < pc->nitems && !rc; i++) {
		pc->items[i].id = 0;
		if (i && !strcmp(pc->items[i - 1].hash, pc->items[i].hash))
			continue;
		pkg_row(ld_store_batch_row(&bt), pc->img->pkgs[pc->items[i].pkg], pc->items[i].hash);
		rc = ld_store_batch_next(&bt);
	}
	if (!rc)
		rc = ld_store_batch_flush(&bt);
	ld_store_batch_release(&bt);
	if (rc)
		return rc;
	ld_store_batch_init(&bt, s, LD_SQ_PKG_IDS_MANY, NULL, 0);
	bt.fn = pkg_id_cb;
	bt.opaque = pc;
	for (size_t i = 0; i < pc->nitems && !rc; i++) {
		if (i && !strcmp(pc->items[i - 1].hash, pc->items[i].hash))
			continue;
		ld_jw_str(ld_store_batch_row(&bt), pc->items[i].hash);
		rc = ld_store_batch_next(&bt);
	}
	if (!rc)
		rc = ld_store_batch_flush(&bt);
	ld_store_batch_release(&bt);
	for (size_t i = 0; i < pc->nitems && !rc; i++)
		if (!pc->items[i].id)
			rc = ld_error_set(s->ctx, LADING_EDB, "store %s: a package row vanished while recording",
					  s->target);
	return rc;
}

static int put_items(ld_store *s, put_ctx *pc, int64_t list_id)
{
	ld_sv key = ld_sv_int(list_id);
	ld_store_batch bt;
	int rc = 0;

	ld_store_batch_init(&bt, s, LD_SQ_PKGLIST_ITEM_MANY, &key, 1);
	for (size_t i = 0; i < pc->nitems && !rc; i++) {
		ld_jw *w = ld_store_batch_row(&bt);
		ld_jw_arr(w);
		ld_jw_i64(w, pc->items[i].id);
		ld_jw_i64(w, pc->items[i].layer);
		ld_jw_arr_end(w);
		rc = ld_store_batch_next(&bt);
	}
	if (!rc)
		rc = ld_store_batch_flush(&bt);
	ld_store_batch_release(&bt);
	return rc;
}

static int put_pkglist(ld_store *s, put_ctx *pc, int64_t os_id, int64_t *list_id)
{
	ld_sv key = ld_sv_text(pc->list_hash);
	ld_sv p[4] = {key, ld_sv_int(os_id), ld_sv_int((int64_t)pc->nitems), ld_sv_text(pc->now)};
	bool found, inserted;
	int rc;

	if ((rc = ld_store_exec_id(s, LD_SQ_PKGLIST_GET, &key, 1, list_id, &found)) || found)
		return rc;
	if ((rc = put_packages(s, pc)))
		return rc;
	if ((rc = get_or_insert(s, LD_SQ_PKGLIST_GET, &key, LD_SQ_PKGLIST_INSERT, p, 4, list_id, &inserted)))
		return rc;
	if (!inserted)
		return 0;
	pc->res->new_pkglist = true;
	return put_items(s, pc, *list_id);
}

static void finding_row(ld_jw *w, int64_t os_id, int64_t pkg_id, const ld_store_finding *f)
{
	ld_jw_arr(w);
	ld_jw_i64(w, os_id);
	ld_jw_i64(w, pkg_id);
	ld_jw_str(w, f->vuln);
	ld_jw_i64(w, f->severity);
	ld_jw_i64(w, f->kev ? 1 : 0);
	if (f->epss >= 0)
		ld_jw_fixed(w, f->epss, 6);
	else
		ld_jw_null(w);
	if (f->cvss >= 0)
		ld_jw_fixed(w, f->cvss, 1);
	else
		ld_jw_null(w);
	ld_jw_str(w, f->fixed);
	ld_jw_str(w, f->status);
	ld_jw_str(w, f->aliases);
	ld_jw_arr_end(w);
}

static int put_findings(ld_store *s, put_ctx *pc, int64_t os_id, int64_t build)
{
	const ld_store_image *img = pc->img;
	ld_sv key = ld_sv_int(build);
	ld_store_batch fb, ab;
	int rc = 0;

	ld_store_batch_init(&fb, s, LD_SQ_FINDINGS_INSERT_MANY, &key, 1);
	ld_store_batch_init(&ab, s, LD_SQ_ALIAS_INSERT_MANY, NULL, 0);
	for (size_t i = 0; i < img->nfindings && !rc; i++) {
		const ld_store_finding *f = &img->findings[i];
		if (f->package >= img->npkgs)
			continue;
		finding_row(ld_store_batch_row(&fb), os_id, pc->items[pc->rec_item[f->package]].id, f);
		if (!(rc = ld_store_batch_next(&fb)))
			rc = ld_store_alias_rows(&ab, f->vuln, f->aliases);
	}
	if (!rc && !(rc = ld_store_batch_flush(&fb)))
		rc = ld_store_batch_flush(&ab);
	ld_store_batch_release(&fb);
	ld_store_batch_release(&ab);
	return rc;
}

/* The findings of one package list under one database build. Findings are stored per (build,
 * OS, package): a package version's findings are the same in every image of the same OS. */
static int put_match(ld_store *s, put_ctx *pc, int64_t os_id, int64_t list_id)
{
	const ld_store_image *img = pc->img;
	ld_sv key = ld_sv_text(img->dbbuild);
	ld_sv p[2] = {key, ld_sv_text(pc->now)};
	int64_t build, one;
	bool found;
	int rc;

	if ((rc = get_or_insert(s, LD_SQ_DBBUILD_GET, &key, LD_SQ_DBBUILD_INSERT, p, 2, &build, NULL)))
		return rc;
	{
		ld_sv m[2] = {ld_sv_int(list_id), ld_sv_int(build)};
		if ((rc = ld_store_exec_id(s, LD_SQ_MATCH_GET, m, 2, &one, &found)) || found)
			return rc;
	}
	/* a list found stored by put_pkglist has no package ids here yet */
	if (img->nfindings && !pc->res->new_pkglist && (rc = put_packages(s, pc)))
		return rc;
	if ((rc = put_findings(s, pc, os_id, build)))
		return rc;
	{
		ld_sv m[3] = {ld_sv_int(list_id), ld_sv_int(build), ld_sv_text(pc->now)};
		if ((rc = ld_store_exec(s, LD_SQ_MATCH_INSERT, m, 3, NULL, NULL, NULL)) ||
		    (rc = ld_store_exec(s, LD_SQ_PKGLIST_CURRENT, m, 2, NULL, NULL, NULL)))
			return rc;
	}
	return 0;
}

int ld_store_alias_rows(ld_store_batch *bt, const char *vuln, const char *aliases)
{
	const char *p = aliases;
	int rc;

	while (p && *p) {
		const char *e = strchr(p, ' ');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n) {
			ld_jw *w = ld_store_batch_row(bt);
			ld_jw_arr(w);
			ld_jw_strn(w, p, n);
			ld_jw_str(w, vuln);
			ld_jw_arr_end(w);
			if ((rc = ld_store_batch_next(bt)))
				return rc;
		}
		p = e ? e + 1 : NULL;
	}
	return 0;
}

static int put_refs(ld_store *s, int64_t image_id, const char *const *tags, size_t ntags,
		    const char *const *manifests, size_t nmanifests, const char *now)
{
	ld_sv p[2] = {ld_sv_int(image_id), ld_sv_text(now)};
	ld_store_batch bt;
	int rc = 0;

	ld_store_batch_init(&bt, s, LD_SQ_REF_UPSERT_MANY, p, 2);
	for (size_t i = 0; i < ntags + nmanifests && !rc; i++) {
		const char *r = i < ntags ? tags[i] : manifests[i - ntags];
		ld_jw *w;
		if (!r || !*r)
			continue;
		w = ld_store_batch_row(&bt);
		ld_jw_arr(w);
		ld_jw_str(w, i < ntags ? "tag" : "manifest");
		ld_jw_str(w, r);
		ld_jw_arr_end(w);
		rc = ld_store_batch_next(&bt);
	}
	if (!rc)
		rc = ld_store_batch_flush(&bt);
	ld_store_batch_release(&bt);
	return rc;
}

/* The image's layers: stored (or seen now), then its ordered list, a statement each. */
static int put_layers(ld_store *s, int64_t image_id, const ld_store_image *img, const char *now)
{
	ld_sv p = ld_sv_text(now), q = ld_sv_int(image_id);
	ld_store_batch lb, ib;
	int rc = 0;

	for (size_t i = 0; i < img->nlayers; i++)
		if (!img->layers[i].digest && !img->layers[i].blob_digest)
			return ld_error_set(s->ctx, LADING_EINVALID, "image %s: layer %zu has no digest", img->digest, i);
	ld_store_batch_init(&lb, s, LD_SQ_LAYER_PUT_MANY, &p, 1);
	ld_store_batch_init(&ib, s, LD_SQ_IMAGE_LAYER_MANY, &q, 1);
	for (size_t i = 0; i < img->nlayers && !rc; i++) {
		const lading_layer_info *l = &img->layers[i];
		const char *d = l->digest ? l->digest : l->blob_digest;
		ld_jw *w = ld_store_batch_row(&lb);
		ld_jw_arr(w);
		ld_jw_str(w, d);
		ld_jw_str(w, l->blob_digest);
		ld_jw_str(w, l->media_type);
		if (l->size >= 0)
			ld_jw_i64(w, l->size);
		else
			ld_jw_null(w);
		ld_jw_arr_end(w);
		rc = ld_store_batch_next(&lb);
	}
	if (!rc)
		rc = ld_store_batch_flush(&lb);
	for (size_t i = 0; i < img->nlayers && !rc; i++) {
		const lading_layer_info *l = &img->layers[i];
		ld_jw *w = ld_store_batch_row(&ib);
		ld_jw_arr(w);
		ld_jw_i64(w, (int64_t)i);
		ld_jw_str(w, l->digest ? l->digest : l->blob_digest);
		ld_jw_arr_end(w);
		rc = ld_store_batch_next(&ib);
	}
	if (!rc)
		rc = ld_store_batch_flush(&ib);
	ld_store_batch_release(&lb);
	ld_store_batch_release(&ib);
	return rc;
}

/* every time, not only for new images: images recorded before labels were kept get them */
static int put_labels(ld_store *s, int64_t image_id, const lading_image_label *labels, size_t nlabels)
{
	ld_sv q = ld_sv_int(image_id);
	ld_store_batch bt;
	int rc = 0;

	if (!nlabels)
		return 0;
	ld_store_batch_init(&bt, s, LD_SQ_IMAGE_LABEL_PUT_MANY, &q, 1);
	for (size_t i = 0; i < nlabels && !rc; i++) {
		ld_jw *w = ld_store_batch_row(&bt);
		ld_jw_arr(w);
		ld_jw_str(w, labels[i].key);
		ld_jw_str(w, labels[i].value);
		ld_jw_arr_end(w);
		rc = ld_store_batch_next(&bt);
	}
	if (!rc)
		rc = ld_store_batch_flush(&bt);
	ld_store_batch_release(&bt);
	return rc;
}

static int put_image_tx(ld_store *s, void *opaque)
{
	put_ctx *pc = opaque;
	const ld_store_image *img = pc->img;
	int64_t os_id, list_id, image_id;
	bool found;
	int rc;

	pc->res->new_image = pc->res->new_pkglist = false;
	if ((rc = put_os(s, img->osinfo, pc->os_hash, &os_id)) || (rc = put_pkglist(s, pc, os_id, &list_id)))
		return rc;
	if (img->dbbuild && (rc = put_match(s, pc, os_id, list_id)))
		return rc;
	{
		ld_sv key = ld_sv_text(img->digest);
		ld_sv p[8] = {key,
			      ld_sv_text(img->os),
			      ld_sv_text(img->architecture),
			      ld_sv_text(img->variant),
			      ld_sv_text(img->created),
			      ld_sv_text(img->source_type),
			      ld_sv_int(list_id),
			      ld_sv_text(pc->now)};
		if ((rc = ld_store_exec_id(s, LD_SQ_IMAGE_GET, &key, 1, &image_id, &found)))
			return rc;
		if (!found) {
			if ((rc = get_or_insert(s, LD_SQ_IMAGE_GET, &key, LD_SQ_IMAGE_INSERT, p, 8, &image_id,
						&pc->res->new_image)))
				return rc;
		}
	}
	if (pc->res->new_image) {
		if ((rc = put_layers(s, image_id, img, pc->now)))
			return rc;
	} else {
		ld_sv q[2] = {ld_sv_int(image_id), ld_sv_text(pc->now)};
		if ((rc = ld_store_exec(s, LD_SQ_IMAGE_SEEN, q, 2, NULL, NULL, NULL)))
			return rc;
	}
	pc->res->image_id = image_id;
	if ((rc = put_labels(s, image_id, img->labels, img->nlabels)))
		return rc;
	return put_refs(s, image_id, img->tags, img->ntags, img->manifests, img->nmanifests, pc->now);
}

int ld_store_put_image(ld_store *s, const ld_store_image *img, ld_store_put_result *res)
{
	put_ctx pc;
	size_t n = 0;
	ld_buf b = LD_BUF_INIT;
	int rc;

	memset(&pc, 0, sizeof(pc));
	memset(res, 0, sizeof(*res));
	if (!img->digest || !ld_digest_valid(img->digest))
		return ld_error_set(s->ctx, LADING_EINVALID, "store: image without a valid digest");
	pc.img = img;
	pc.res = res;
	ld_store_now(pc.now);
	os_hash(img->osinfo, pc.os_hash);
	if (img->npkgs && (!(pc.items = calloc(img->npkgs, sizeof(*pc.items))) ||
			   !(pc.rec_item = calloc(img->npkgs, sizeof(*pc.rec_item))))) {
		free(pc.items);
		return ld_error_set(s->ctx, LADING_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < img->npkgs; i++) {
		pkg_hash(img->pkgs[i], pc.items[i].hash);
		pc.items[i].layer = img->pkgs[i]->layer;
		pc.items[i].pkg = i;
	}
	if (img->npkgs)
		qsort(pc.items, img->npkgs, sizeof(*pc.items), item_cmp);
	/* identical (package, layer) pairs count once; the list's hash covers OS and items */
	ld_buf_adds(&b, pc.os_hash);
	for (size_t i = 0; i < img->npkgs; i++) {
		if (n && !item_cmp(&pc.items[n - 1], &pc.items[i])) {
			pc.rec_item[pc.items[i].pkg] = n - 1;
			continue;
		}
		pc.rec_item[pc.items[i].pkg] = n;
		pc.items[n++] = pc.items[i];
		ld_buf_addf(&b, "\n%s %d", pc.items[i].hash, pc.items[i].layer);
	}
	pc.nitems = n;
	if (ld_buf_error(&b)) {
		rc = ld_error_set(s->ctx, LADING_ENOMEM, "out of memory");
		goto out;
	}
	ld_store_hash(b.ptr, b.len, pc.list_hash);
	rc = ld_store_transaction(s, put_image_tx, &pc);
out:
	ld_buf_release(&b);
	free(pc.items);
	free(pc.rec_item);
	return rc;
}

typedef struct image_get_row {
	int64_t id, list;
	bool found;
} image_get_row;

static int image_get_cb(void *opaque, const ld_sv *cols, size_t n)
{
	image_get_row *r = opaque;
	if (n < 2)
		return 1;
	r->id = ld_sv_i64(&cols[0]);
	r->list = ld_sv_i64(&cols[1]);
	r->found = true;
	return 1;
}

typedef struct text_row {
	char *out;
	size_t outsz;
	bool found;
} text_row;

static int text_cb(void *opaque, const ld_sv *cols, size_t n)
{
	text_row *r = opaque;
	if (n < 1 || cols[0].t != LD_SV_TEXT || cols[0].n >= r->outsz)
		return 1;
	memcpy(r->out, cols[0].s, cols[0].n);
	r->out[cols[0].n] = '\0';
	r->found = true;
	return 1;
}

int ld_store_image_by_manifest(ld_store *s, const char *manifest, char *digest, size_t digestsz,
			       bool *found)
{
	ld_sv key = ld_sv_text(manifest);
	text_row r = {digest, digestsz, false};
	int rc = ld_store_exec(s, LD_SQ_IMAGE_BY_MANIFEST, &key, 1, text_cb, &r, NULL);
	*found = r.found;
	return rc;
}

int ld_store_image_known(ld_store *s, const char *digest, const char *dbbuild, bool *found, bool *matched)
{
	ld_sv key = ld_sv_text(digest);
	int64_t list_id = 0, build, one;
	bool bfound;
	int rc;

	*found = *matched = false;
	{
		image_get_row r = {0, 0, false};
		if ((rc = ld_store_exec(s, LD_SQ_IMAGE_GET, &key, 1, image_get_cb, &r, NULL)))
			return rc;
		*found = r.found;
		list_id = r.list;
	}
	if (!*found || !dbbuild || !list_id)
		return 0;
	key = ld_sv_text(dbbuild);
	if ((rc = ld_store_exec_id(s, LD_SQ_DBBUILD_GET, &key, 1, &build, &bfound)) || !bfound)
		return rc;
	{
		ld_sv m[2] = {ld_sv_int(list_id), ld_sv_int(build)};
		if ((rc = ld_store_exec_id(s, LD_SQ_MATCH_GET, m, 2, &one, matched)))
			return rc;
	}
	return 0;
}

typedef struct touch_ctx {
	const char *digest;
	const char *const *tags;
	size_t ntags;
	const char *const *manifests;
	size_t nmanifests;
	const lading_image_label *labels;
	size_t nlabels;
	char now[32];
} touch_ctx;

static int touch_tx(ld_store *s, void *opaque)
{
	touch_ctx *t = opaque;
	ld_sv key = ld_sv_text(t->digest);
	int64_t id;
	bool found;
	int rc;

	if ((rc = ld_store_exec_id(s, LD_SQ_IMAGE_GET, &key, 1, &id, &found)))
		return rc;
	if (!found)
		return ld_error_set(s->ctx, LADING_ENOTFOUND, "store: no image %s", t->digest);
	{
		ld_sv q[2] = {ld_sv_int(id), ld_sv_text(t->now)};
		if ((rc = ld_store_exec(s, LD_SQ_IMAGE_SEEN, q, 2, NULL, NULL, NULL)))
			return rc;
	}
	/* an image recorded before labels were kept gets them from its config, read again anyway */
	if ((rc = put_labels(s, id, t->labels, t->nlabels)))
		return rc;
	return put_refs(s, id, t->tags, t->ntags, t->manifests, t->nmanifests, t->now);
}

int ld_store_touch_image(ld_store *s, const char *digest, const char *const *tags, size_t ntags,
			 const char *const *manifests, size_t nmanifests, const lading_image_label *labels,
			 size_t nlabels)
{
	touch_ctx t = {digest, tags, ntags, manifests, nmanifests, labels, nlabels, {0}};
	ld_store_now(t.now);
	return ld_store_transaction(s, touch_tx, &t);
}

int ld_store_wait(ld_store *s, int timeout_ms)
{
	if (!s->ops->wait)
		return LADING_EUNSUPPORTED;
	return s->ops->wait(s, timeout_ms);
}
