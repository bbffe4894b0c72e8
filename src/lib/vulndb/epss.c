/* EPSS scores, two CSV forms:
 *  - the upstream daily file epss_scores-YYYY-MM-DD.csv(.gz):
 *      #model_version:v2025.03.14,score_date:2025-08-16T12:55:00Z
 *      cve,epss,percentile
 *      CVE-2021-44228,0.94358,0.99961
 *  - the mirror's per-year files CVE_<YEAR>_EPSS.csv (FIRST API output): no header, ";":
 *      CVE-2021-44228;0.999990000;1.000000000
 * The separator is taken per line (";" if present, else ","). Scores and percentiles are
 * probabilities: anything outside [0,1], or not a plain decimal number, skips the row. */
#include "util/common.h"
#include "vulndb/feed.h"
#include "vulndb/importers.h"

/* Named limits. The daily file is ~10 MB uncompressed (~300k rows). */
#define EPSS_MAX_FILE ((size_t)512 << 20) /* bytes of one (uncompressed) file */
#define EPSS_MAX_LINE 4096u		  /* longer lines are not EPSS rows */
#define EPSS_MAX_DIGITS 30u		  /* digits in one number */

/* A plain decimal ("0.000430000", "1", "1.2e-05") as a double; locale-independent. */
static bool parse_prob(ld_slice s, double *out)
{
	static const double p10[] = {1e0,  1e1,	 1e2,  1e3,  1e4,  1e5,	 1e6,  1e7,
				     1e8,  1e9,	 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
				     1e16, 1e17, 1e18, 1e19, 1e20, 1e21};
	uint64_t mant = 0;
	int scale = 0, ex = 0, digits = 0, sig = 0;
	size_t i = 0;
	double v;

	if (s.len == 0 || s.len > EPSS_MAX_DIGITS + 8)
		return false;
	while (i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9') {
		if (sig < 18) {
			mant = mant * 10 + (uint64_t)(s.ptr[i] - '0');
			if (mant)
				sig++;
		} else {
			scale++; /* beyond 18 significant digits: magnitude only */
		}
		digits++;
		i++;
	}
	if (i < s.len && s.ptr[i] == '.') {
		i++;
		while (i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9') {
			if (sig < 18) {
				mant = mant * 10 + (uint64_t)(s.ptr[i] - '0');
				if (mant)
					sig++;
				scale--;
			}
			digits++;
			i++;
		}
	}
	if (digits == 0 || digits > (int)EPSS_MAX_DIGITS)
		return false;
	if (i < s.len && (s.ptr[i] == 'e' || s.ptr[i] == 'E')) {
		bool neg = false;
		int ed = 0;
		i++;
		if (i < s.len && (s.ptr[i] == '-' || s.ptr[i] == '+'))
			neg = s.ptr[i++] == '-';
		while (i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9' && ed < 3) {
			ex = ex * 10 + (s.ptr[i] - '0');
			ed++;
			i++;
		}
		if (ed == 0)
			return false;
		if (neg)
			ex = -ex;
	}
	if (i != s.len)
		return false;
	scale += ex;
	v = (double)mant;
	if (scale < 0) {
		int k = -scale;
		while (k > 21) {
			v /= 1e21;
			k -= 21;
		}
		v /= p10[k];
	} else if (scale > 0) {
		if (mant && scale > 21)
			return false; /* far above 1 */
		v *= p10[scale > 21 ? 21 : scale];
	}
	*out = v;
	return true;
}

/* "#model_version:v2023.03.01,score_date:2023-03-25T00:00:00+0000" */
static void parse_meta(ld_slice line, ld_vdb_import_result *res)
{
	ld_slice rest = ld_slice_sub(line, 1, SIZE_MAX), kv;
	while (rest.len) {
		ld_slice_cut(&rest, ',', &kv);
		kv = ld_slice_trim(kv);
		if (ld_slice_starts_with(kv, "score_date:")) {
			ld_slice d = ld_slice_trim(ld_slice_sub(kv, 11, SIZE_MAX));
			ld_feed_snapshot(res, d.ptr, d.len);
		}
	}
}

int ld_vdb_parse_epss(const ld_vdb_sink *out, const char *p, size_t len, const char *name,
		      ld_vdb_import_result *res, lading_ctx *ctx)
{
	ld_slice in = ld_slice_make(p, len), line;
	size_t lineno = 0, rows = 0, good = 0;
	int rc = 0;

	name = name ? name : "epss";
	if (len > EPSS_MAX_FILE)
		return ld_error_set_path(ctx, LADING_ELIMIT, name, 0, "%s: larger than %zu bytes",
					 name, EPSS_MAX_FILE);
	if ((rc = ld_feed_text_check(p, len, name, ctx)))
		return rc;
	LD_FEED_COUNT(out, files, 1);
	while (ld_slice_next_line(&in, &line)) {
		ld_slice f[3], rest;
		char sep, cve[32], shown[96];
		double score, pct;

		lineno++;
		line = ld_slice_trim(line);
		if (!line.len)
			continue;
		if (line.ptr[0] == '#') {
			parse_meta(line, res);
			continue;
		}
		if (ld_slice_starts_with(line, "cve,") || ld_slice_starts_with(line, "cve;"))
			continue; /* the header */
		rows++;
		LD_FEED_COUNT(out, rows, 1);
		ld_feed_printable(shown, sizeof(shown), ld_slice_sub(line, 0, 60));
		if (line.len > EPSS_MAX_LINE) {
			ld_warn(ctx, "%s: line %zu: longer than %u bytes, skipped", name, lineno,
				EPSS_MAX_LINE);
			res->skipped++;
			continue;
		}
		sep = ld_slice_find(line, ';') >= 0 ? ';' : ',';
		rest = line;
		ld_slice_cut(&rest, sep, &f[0]);
		ld_slice_cut(&rest, sep, &f[1]);
		f[2] = rest;
		f[0] = ld_slice_trim(f[0]);
		f[1] = ld_slice_trim(f[1]);
		f[2] = ld_slice_trim(f[2]);
		if (!ld_feed_is_cve(f[0])) {
			ld_warn(ctx, "%s: line %zu: '%s' does not start with a CVE ID, skipped",
				name, lineno, shown);
			res->skipped++;
			continue;
		}
		ld_slice_copy(cve, sizeof(cve), f[0]);
		if (ld_slice_find(f[2], sep) >= 0 || !parse_prob(f[1], &score) ||
		    !parse_prob(f[2], &pct)) {
			ld_warn(ctx,
				"%s: %s (line %zu): expected \"CVE%cscore%cpercentile\", got '%s', "
				"skipped",
				name, cve, lineno, sep, sep, shown);
			res->skipped++;
			continue;
		}
		if (!(score >= 0.0 && score <= 1.0) || !(pct >= 0.0 && pct <= 1.0)) {
			ld_warn(ctx,
				"%s: %s (line %zu): score or percentile outside [0,1], skipped",
				name, cve, lineno);
			res->skipped++;
			continue;
		}
		rc = ld_feed_epss(out, cve, score, pct);
		if (rc) {
			if (!lading_ctx_error(ctx)->code)
				ld_error_set(ctx, rc, "%s: storing %s failed", name, cve);
			return rc;
		}
		res->records++;
		good++;
	}
	/* a file with lines but not one row of the right shape is not an EPSS file */
	if (rows > 0 && good == 0)
		return ld_error_set_path(
			ctx, LADING_EINVALID, name, 0,
			"%s: not an EPSS CSV (no line of the form CVE-YYYY-N,score,percentile)",
			name);
	return rc;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

static int import_file(const ld_vdb_sink *out, const char *path, ld_vdb_import_result *res,
		       lading_ctx *ctx)
{
	ld_buf b;
	int rc;
	ld_buf_init(&b, LD_FEED_BUF_MAX(EPSS_MAX_FILE));
	rc = ld_feed_read(path, EPSS_MAX_FILE, NULL, -1, &b, ctx);
	if (rc == 0)
		rc = ld_vdb_parse_epss(out, b.ptr, b.len, path, res, ctx);
	ld_buf_release(&b);
	return rc;
}

int ld_vdb_import_epss_to(const ld_vdb_sink *out, const char *path, ld_vdb_import_result *res,
			  lading_ctx *ctx)
{
	ld_feed_dir d;
	char file[4096];
	const char *daily = NULL;
	size_t nfiles = 0;
	int rc, kind;

	ld_feed_result_reset(res);
	kind = ld_feed_stat(path, ctx);
	if (kind < 0)
		return kind;
	if (kind == 0)
		return import_file(out, path, res, ctx);
	if ((rc = ld_feed_dir_list(&d, path, ctx)))
		return rc;
	/* the newest daily file is complete on its own ("current" sorts after the dates) */
	for (size_t i = 0; i < d.n; i++)
		if (strncmp(d.names[i], "epss_scores-", 12) == 0 &&
		    (ends_with(d.names[i], ".csv") || ends_with(d.names[i], ".csv.gz")))
			daily = d.names[i];
	for (size_t i = 0; i < d.n && rc == 0; i++) {
		const char *nm = d.names[i];
		if (daily ? nm != daily
			  : !(strncmp(nm, "CVE_", 4) == 0 &&
			      (ends_with(nm, "_EPSS.csv") || ends_with(nm, "_EPSS.csv.gz"))))
			continue;
		if ((rc = ld_feed_join(file, sizeof(file), path, nm, ctx)))
			break;
		{
			/* parse into a per-file result, then add up: a file that is not EPSS at all
			 * fails the feed; the snapshot is the newest score_date */
			ld_vdb_import_result one;
			ld_feed_result_reset(&one);
			rc = import_file(out, file, &one, ctx);
			res->records += one.records;
			res->skipped += one.skipped;
			ld_feed_snapshot(res, one.snapshot, strlen(one.snapshot));
		}
		nfiles++;
	}
	ld_feed_dir_release(&d);
	if (rc == 0 && nfiles == 0)
		rc = ld_error_set_path(ctx, LADING_ENOTFOUND, path, 0,
				       "%s: no EPSS files (CVE_<YEAR>_EPSS.csv or "
				       "epss_scores-<date>.csv.gz) found",
				       path);
	return rc;
}
