/* lading_scan_*: the database side of the pipeline behind the public API. */
#include "util/common.h"
#include "api/api.h"
#include "api/formats.h"
#include "lading/vulndb.h"
#include "match/match.h"
#include "report/report.h"

struct lading_scan {
	const lading_sbom *sbom;
	const lading_package **pkgs;
	ld_match_result res;
};

int lading_scan_run(lading_scan **out, lading_ctx *ctx, const lading_sbom *sbom, const lading_scan_options *opts)
{
	char path[4096];
	lading_scan *s;
	ld_vdb *db = NULL;
	ld_match_input in;
	size_t n = lading_sbom_package_count(sbom);
	int rc;

	*out = NULL;
	ld_error_clear(ctx);
	if (opts && opts->db_path)
		ld_strlcpy(path, opts->db_path, sizeof(path));
	else if (lading_db_default_path(path, sizeof(path)))
		return ld_error_set(ctx, LADING_EUSAGE, "no database path: set --db, LADING_DB or HOME");
	if ((rc = ld_vdb_open(&db, path, ctx)))
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->pkgs = calloc(n ? n : 1, sizeof(*s->pkgs)))) {
		free(s);
		ld_vdb_close(db);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	s->sbom = sbom;
	for (size_t i = 0; i < n; i++)
		s->pkgs[i] = lading_sbom_package(sbom, i);
	ld_match_result_init(&s->res);
	in.os = lading_sbom_os(sbom);
	in.pkgs = s->pkgs;
	in.npkgs = n;
	rc = ld_match_run(&s->res, db, &in, opts, ctx);
	ld_vdb_close(db);
	if (rc) {
		lading_scan_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void lading_scan_free(lading_scan *s)
{
	if (!s)
		return;
	ld_match_result_release(&s->res);
	free(s->pkgs);
	free(s);
}

size_t lading_scan_finding_count(const lading_scan *s)
{
	return s->res.findings.len;
}

const lading_finding *lading_scan_finding(const lading_scan *s, size_t i)
{
	return i < s->res.findings.len ? ld_vec_at(&s->res.findings, i) : NULL;
}

const lading_scan_summary *lading_scan_get_summary(const lading_scan *s)
{
	return &s->res.summary;
}

const lading_sbom *lading_scan_sbom(const lading_scan *s)
{
	return s->sbom;
}

int64_t lading_scan_db_age(const lading_scan *s)
{
	return s->res.db_age;
}

size_t lading_scan_expired_count(const lading_scan *s)
{
	return s->res.expired.len;
}

const char *lading_scan_expired(const lading_scan *s, size_t i)
{
	return i < s->res.expired.len ? *(const char **)ld_vec_at(&s->res.expired, i) : NULL;
}

size_t lading_scan_note_count(const lading_scan *s)
{
	return s->res.notes.len;
}

const char *lading_scan_note(const lading_scan *s, size_t i)
{
	return i < s->res.notes.len ? *(const char **)ld_vec_at(&s->res.notes, i) : NULL;
}

int lading_scan_violates(const lading_scan *s, int fail_on, int fail_on_kev)
{
	for (size_t i = 0; i < s->res.findings.len; i++) {
		const lading_finding *f = ld_vec_at(&s->res.findings, i);
		if (f->suppressed)
			continue;
		if (fail_on >= 0 && (int)f->severity >= fail_on)
			return 1;
		if (fail_on_kev && f->kev)
			return 1;
	}
	return 0;
}

int lading_scan_report(char **out, size_t *len, lading_ctx *ctx, const lading_scan *s, lading_format fmt,
		       const lading_report_options *opts)
{
	ld_buf b = LD_BUF_INIT;
	ld_scan_view v;
	const lading_package **pkgs;
	const ld_format_row *row = ld_format_find(LADING_REPORT_SCAN, fmt);
	int rc;

	*out = NULL;
	if (len)
		*len = 0;
	memset(&v, 0, sizeof(v));
	if ((rc = ld_api_sbom_view(s->sbom, opts, &v.sbom, &pkgs)))
		return ld_error_set(ctx, rc, "out of memory");
	v.findings = s->res.findings.ptr;
	v.nfindings = s->res.findings.len;
	v.summary = &s->res.summary;
	v.expired = s->res.expired.ptr;
	v.nexpired = s->res.expired.len;
	v.notes = s->res.notes.ptr;
	v.nnotes = s->res.notes.len;
	v.db_age = s->res.db_age;
	if (row)
		rc = row->w.scan(&b, &v);
	else
		rc = ld_error_set(ctx, LADING_EUSAGE, "scan results come as table, json, sarif, cyclonedx or html");
	free(pkgs);
	return ld_format_finish(&b, rc, ctx, out, len);
}
