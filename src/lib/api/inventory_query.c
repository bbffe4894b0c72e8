/* lading_inventory_query_run and lading_inventory_list: store rows -> documents (table, JSON). */
#include "api/inventory_doc.h"
#include "source/registry.h"

/* Named limits. */
#define Q_MAX_OUTPUT ((size_t)1 << 32) /* bytes of one rendered document */

static int image_ids(void *opaque, const ld_sv *c, size_t n)
{
	inv_doc *d = opaque;
	if (n < 1)
		return LADING_EDB;
	return inv_doc_image(d, ld_sv_i64(&c[0])) ? 0 : LADING_ENOMEM;
}

/* Keep only findings of the package asked about. */
static void filter_package(inv_doc *d, const char *name, const char *version, const char *type)
{
	for (size_t i = 0; i < d->images.len; i++) {
		inv_image *im = *(inv_image **)ld_vec_at(&d->images, i);
		size_t k = 0;
		for (size_t j = 0; j < im->findings.len; j++) {
			inv_finding *f = ld_vec_at(&im->findings, j);
			if (!f->name || strcmp(f->name, name) || (version && (!f->version || strcmp(f->version, version))) ||
			    (type && (!f->type || strcmp(f->type, type))))
				continue;
			*(inv_finding *)ld_vec_at(&im->findings, k++) = *f;
		}
		im->findings.len = k;
	}
}

static int all_findings(inv_doc *d, lading_store *s)
{
	size_t n = d->images.len;
	int rc;
	for (size_t i = 0; i < n; i++) {
		inv_image *im = *(inv_image **)ld_vec_at(&d->images, i);
		ld_sv p = ld_sv_int(im->id);
		if ((rc = ld_store_exec(s, LD_SQ_IMAGE_FINDINGS, &p, 1, inv_doc_finding_rows, d, NULL)))
			return rc;
	}
	return 0;
}

static int by_package(inv_doc *d, lading_store *s, const lading_inventory_query *q, lading_ctx *ctx)
{
	char name[1024];
	const char *at, *version = NULL;
	int rc;

	if (strlen(q->value) >= sizeof(name))
		return ld_error_set(ctx, LADING_EUSAGE, "--package: name too long");
	ld_strlcpy(name, q->value, sizeof(name));
	/* NAME@VERSION; an npm scope's leading '@' is part of the name */
	at = strrchr(name, '@');
	if (at && at > name) {
		name[at - name] = '\0';
		version = q->value + (at - name) + 1;
	}
	{
		ld_sv p[3] = {ld_sv_text(name), ld_sv_text(version), ld_sv_text(q->type)};
		if ((rc = ld_store_exec(s, LD_SQ_IMAGES_BY_PACKAGE, p, 3, image_ids, d, NULL)))
			return rc;
	}
	if ((rc = all_findings(d, s)))
		return rc;
	filter_package(d, name, version, q->type);
	return 0;
}

int inv_doc_by_image(inv_doc *d, lading_store *s, const char *value)
{
	ld_sv p = ld_sv_text(value);
	ld_imgref r;
	char norm[LD_REF_MAX_LEN + 1];
	int rc;

	if ((rc = ld_store_exec(s, LD_SQ_IMAGE_BY_REF, &p, 1, image_ids, d, NULL)))
		return rc;
	/* "alpine:3.9" as the store spells it: docker.io/library/alpine:3.9 */
	if (!d->images.len && !ld_imgref_parse(&r, value, strlen(value))) {
		ld_imgref_format(&r, norm, sizeof(norm));
		p = ld_sv_text(norm);
		if ((rc = ld_store_exec(s, LD_SQ_IMAGE_BY_REF, &p, 1, image_ids, d, NULL)))
			return rc;
	}
	return all_findings(d, s);
}

static int collect(inv_doc *d, lading_store *s, const lading_inventory_query *q, lading_ctx *ctx)
{
	lading_severity sev;

	if (q->kind != LADING_QUERY_KEV && (!q->value || !*q->value))
		return ld_error_set(ctx, LADING_EUSAGE, "inventory query: no value to look for");
	switch (q->kind) {
	case LADING_QUERY_CVE: {
		ld_sv p = ld_sv_text(q->value);
		return ld_store_exec(s, LD_SQ_IMAGES_BY_VULN, &p, 1, inv_doc_finding_rows, d, NULL);
	}
	case LADING_QUERY_KEV: return ld_store_exec(s, LD_SQ_IMAGES_BY_KEV, NULL, 0, inv_doc_finding_rows, d, NULL);
	case LADING_QUERY_SEVERITY: {
		ld_sv p;
		if (lading_severity_parse(q->value, &sev))
			return ld_error_set(ctx, LADING_EUSAGE, "--severity %s: low, medium, high or critical", q->value);
		p = ld_sv_int((int64_t)sev);
		return ld_store_exec(s, LD_SQ_IMAGES_BY_SEVERITY, &p, 1, inv_doc_finding_rows, d, NULL);
	}
	case LADING_QUERY_PACKAGE: return by_package(d, s, q, ctx);
	case LADING_QUERY_IMAGE: return inv_doc_by_image(d, s, q->value);
	}
	return ld_error_set(ctx, LADING_EUSAGE, "inventory query: unknown kind %d", (int)q->kind);
}

static int image_cmp(const void *a, const void *b)
{
	const inv_image *x = *(inv_image *const *)a, *y = *(inv_image *const *)b;
	return strcmp(x->digest ? x->digest : "", y->digest ? y->digest : "");
}

static int cont_cmp(const void *a, const void *b)
{
	const inv_container *x = a, *y = b;
	int c = strcmp(x->source ? x->source : "", y->source ? y->source : "");
	return c ? c : strcmp(x->cid ? x->cid : "", y->cid ? y->cid : "");
}

static const char *first_tag(const inv_image *im)
{
	return im->tags.len ? *(const char **)ld_vec_at(&im->tags, 0) : "-";
}

static void short_digest(const char *d, char out[24])
{
	if (!d) {
		ld_strlcpy(out, "-", 24);
		return;
	}
	ld_snprintf(out, 24, "%.19s", d);
}

static void table_findings(ld_buf *b, const inv_image *im)
{
	for (size_t j = 0; j < im->findings.len; j++) {
		const inv_finding *f = ld_vec_at(&im->findings, j);
		ld_buf_addf(b, "    %-20s %-24s %-20s %-9s %-3s %s\n", f->vuln ? f->vuln : "", f->name ? f->name : "",
			    f->version ? f->version : "", inv_severity_name(f->severity), f->kev ? "KEV" : "",
			    f->fixed ? f->fixed : "");
	}
}

static void table_containers(ld_buf *b, const inv_doc *d)
{
	if (!d->containers.len)
		return;
	if (b->len)
		ld_buf_addc(b, '\n');
	ld_buf_addf(b, "%-24s %-14s %-28s %-16s %-8s %-20s %s\n", "SOURCE", "CONTAINER", "NAME", "NAMESPACE", "STATE",
		    "LAST SEEN", "IMAGE");
	for (size_t i = 0; i < d->containers.len; i++) {
		const inv_container *c = ld_vec_at(&d->containers, i);
		char sd[24];
		short_digest(c->resolved ? c->resolved : c->image_digest, sd);
		ld_buf_addf(b, "%-24s %-14.12s %-28s %-16s %-8s %-20s %s\n", c->source ? c->source : "",
			    c->cid ? c->cid : "", c->name ? c->name : "-", c->ns ? c->ns : "-", c->state ? c->state : "",
			    c->last_seen ? c->last_seen : "", sd);
	}
}

static int render(const inv_doc *d, lading_format fmt, bool findings, bool containers, char **out, size_t *len,
		  lading_ctx *ctx)
{
	ld_buf b;
	ld_jw w;

	ld_buf_init(&b, Q_MAX_OUTPUT);
	if (fmt == LADING_FORMAT_JSON) {
		ld_jw_init(&w, &b, true);
		ld_jw_obj(&w);
		ld_jw_key(&w, "images");
		ld_jw_arr(&w);
		for (size_t i = 0; i < d->images.len; i++)
			inv_json_image(&w, *(inv_image **)ld_vec_at(&d->images, i), findings);
		ld_jw_arr_end(&w);
		if (containers) {
			ld_jw_key(&w, "containers");
			ld_jw_arr(&w);
			for (size_t i = 0; i < d->containers.len; i++)
				inv_json_container(&w, ld_vec_at(&d->containers, i), ctx);
			ld_jw_arr_end(&w);
		}
		ld_jw_obj_end(&w);
		ld_jw_finish(&w);
	} else if (fmt == LADING_FORMAT_TABLE) {
		if (!d->images.len)
			ld_buf_adds(&b, "no image matches\n");
		else
			ld_buf_addf(&b, "%-21s %-48s %-14s %8s %8s %s\n", "IMAGE", "REFERENCE", "OS", "PACKAGES",
				    "VULNS", "LAST SEEN");
		for (size_t i = 0; i < d->images.len; i++) {
			const inv_image *im = *(inv_image **)ld_vec_at(&d->images, i);
			char sd[24], os[64];
			short_digest(im->digest, sd);
			ld_snprintf(os, sizeof(os), "%s %s", im->os_id ? im->os_id : "-", im->os_version ? im->os_version : "");
			ld_buf_addf(&b, "%-21s %-48s %-14s %8" PRId64 " %8" PRId64 " %s\n", sd, first_tag(im), os,
				    im->npkgs, im->nvulns, im->last_seen ? im->last_seen : "");
			if (findings)
				table_findings(&b, im);
		}
		if (containers)
			table_containers(&b, d);
	} else {
		return ld_error_set(ctx, LADING_EUSAGE, "inventory documents come as table or json");
	}
	if (ld_buf_error(&b)) {
		ld_buf_release(&b);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory rendering the document");
	}
	*out = ld_buf_detach(&b, len);
	return 0;
}

static int finish(inv_doc *d, lading_store *s, bool containers)
{
	int rc = inv_doc_complete(d, s, true, containers);
	if (rc)
		return rc;
	/* qsort with no elements may still not be given NULL */
	if (d->images.len)
		qsort(d->images.ptr, d->images.len, sizeof(inv_image *), image_cmp);
	if (d->containers.len)
		qsort(d->containers.ptr, d->containers.len, sizeof(inv_container), cont_cmp);
	return 0;
}

static int fail(lading_store *s, lading_ctx *ctx, int rc, const char *what)
{
	if (!ctx->err.code)
		ld_error_set(ctx, rc, "store %s: %s failed", s->target, what);
	return rc;
}

int lading_inventory_query_run(lading_store *s, lading_ctx *ctx, const lading_inventory_query *q, lading_format fmt,
			       char **out, size_t *len)
{
	inv_doc d;
	int rc;

	ld_error_clear(ctx);
	*out = NULL;
	s->ctx = ctx;
	inv_doc_init(&d);
	if ((rc = collect(&d, s, q, ctx)) || (rc = finish(&d, s, true)))
		rc = fail(s, ctx, rc, "query");
	else
		rc = render(&d, fmt, true, true, out, len, ctx);
	inv_doc_release(&d);
	return rc;
}

static int layer_rows(void *opaque, const ld_sv *c, size_t n)
{
	void **ctx = opaque;
	ld_buf *b = ctx[0];
	ld_jw *w = ctx[1];
	if (n < 7)
		return LADING_EDB;
	if (w) {
		ld_jw_obj(w);
		ld_jw_kstr(w, "digest", ld_sv_str(&c[0]));
		ld_jw_kstr(w, "blob_digest", ld_sv_str(&c[1]));
		ld_jw_kstr(w, "media_type", ld_sv_str(&c[2]));
		ld_jw_key(w, "size");
		if (c[3].t == LD_SV_NULL)
			ld_jw_null(w);
		else
			ld_jw_i64(w, ld_sv_i64(&c[3]));
		ld_jw_kstr(w, "first_seen", ld_sv_str(&c[4]));
		ld_jw_kstr(w, "last_seen", ld_sv_str(&c[5]));
		ld_jw_ki64(w, "images", ld_sv_i64(&c[6]));
		ld_jw_obj_end(w);
	} else {
		ld_buf_addf(b, "%-71s %12" PRId64 " %6" PRId64 "  %s\n", ld_sv_str(&c[0]) ? ld_sv_str(&c[0]) : "",
			    c[3].t == LD_SV_NULL ? (int64_t)-1 : ld_sv_i64(&c[3]), ld_sv_i64(&c[6]),
			    ld_sv_str(&c[4]) ? ld_sv_str(&c[4]) : "");
	}
	return ld_buf_error(b) ? LADING_ENOMEM : 0;
}

static int list_layers(lading_store *s, lading_ctx *ctx, lading_format fmt, char **out, size_t *len)
{
	ld_buf b;
	ld_jw w;
	void *pair[2] = {&b, NULL};
	int rc;

	ld_buf_init(&b, Q_MAX_OUTPUT);
	if (fmt == LADING_FORMAT_JSON) {
		ld_jw_init(&w, &b, true);
		pair[1] = &w;
		ld_jw_obj(&w);
		ld_jw_key(&w, "layers");
		ld_jw_arr(&w);
	} else {
		ld_buf_addf(&b, "%-71s %12s %6s  %s\n", "LAYER", "SIZE", "IMAGES", "FIRST SEEN");
	}
	if ((rc = ld_store_exec(s, LD_SQ_LIST_LAYERS, NULL, 0, layer_rows, pair, NULL))) {
		ld_buf_release(&b);
		return fail(s, ctx, rc, "list layers");
	}
	if (fmt == LADING_FORMAT_JSON) {
		ld_jw_arr_end(&w);
		ld_jw_obj_end(&w);
		ld_jw_finish(&w);
	}
	*out = ld_buf_detach(&b, len);
	return *out ? 0 : ld_error_set(ctx, LADING_ENOMEM, "out of memory");
}

int lading_inventory_list(lading_store *s, lading_ctx *ctx, const char *what, lading_format fmt, char **out,
			  size_t *len)
{
	inv_doc d;
	int rc;

	ld_error_clear(ctx);
	*out = NULL;
	s->ctx = ctx;
	if (fmt != LADING_FORMAT_JSON && fmt != LADING_FORMAT_TABLE)
		return ld_error_set(ctx, LADING_EUSAGE, "inventory lists come as table or json");
	if (!strcmp(what, "layers"))
		return list_layers(s, ctx, fmt, out, len);
	inv_doc_init(&d);
	if (!strcmp(what, "images")) {
		if ((rc = inv_doc_all_images(&d, s)))
			rc = fail(s, ctx, rc, "list images");
		else {
			if (d.images.len)
				qsort(d.images.ptr, d.images.len, sizeof(inv_image *), image_cmp);
			rc = render(&d, fmt, false, false, out, len, ctx);
		}
	} else if (!strcmp(what, "containers")) {
		if ((rc = inv_doc_all_containers(&d, s)))
			rc = fail(s, ctx, rc, "list containers");
		else if (fmt == LADING_FORMAT_JSON) {
			ld_buf b;
			ld_jw w;
			ld_buf_init(&b, Q_MAX_OUTPUT);
			ld_jw_init(&w, &b, true);
			ld_jw_obj(&w);
			ld_jw_key(&w, "containers");
			ld_jw_arr(&w);
			for (size_t i = 0; i < d.containers.len; i++)
				inv_json_container(&w, ld_vec_at(&d.containers, i), ctx);
			ld_jw_arr_end(&w);
			ld_jw_obj_end(&w);
			ld_jw_finish(&w);
			*out = ld_buf_detach(&b, len);
			rc = *out ? 0 : ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		} else {
			ld_buf b;
			ld_buf_init(&b, Q_MAX_OUTPUT);
			if (!d.containers.len)
				ld_buf_adds(&b, "no container recorded\n");
			table_containers(&b, &d);
			*out = ld_buf_detach(&b, len);
			rc = *out ? 0 : ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		}
	} else {
		rc = ld_error_set(ctx, LADING_EUSAGE, "inventory list: images, containers or layers, not '%s'", what);
	}
	inv_doc_release(&d);
	return rc;
}
