/* CVSS base scores: data tables (tests/data/cvss), exhaustive digests, malformed vectors, and a
 * cross-check over the real feeds in $LADING_SHARED (OSV zips, NVD JSON 1.1). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <strings.h>
#include <cmocka.h>

#include "util/common.h"
#include "util/archive.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/stream.h"
#include "vulndb/cvss.h"
#include "vulndb/cvss_int.h"

/* ------------------------------------------------------------------ helpers */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		p = malloc((size_t)n + 1);
		if (p && fread(p, 1, (size_t)n, f) == (size_t)n) {
			p[n] = '\0';
			*len = (size_t)n;
		} else {
			free(p);
			p = NULL;
		}
	}
	fclose(f);
	return p;
}

static char *data_file(const char *name, size_t *len)
{
	const char *dir = getenv("LADING_TESTDATA");
	char path[1024];
	char *p;

	assert_non_null(dir);
	ld_snprintf(path, sizeof(path), "%s/cvss/%s", dir, name);
	p = read_file(path, len);
	if (!p)
		fail_msg("cannot read %s", path);
	return p;
}

/* Split a table line into up to `max` blank-separated fields; '#' starts a comment. */
static size_t fields(ld_slice line, ld_slice *f, size_t max)
{
	size_t n = 0, i = 0;

	while (i < line.len && n < max) {
		size_t start;
		while (i < line.len && (line.ptr[i] == ' ' || line.ptr[i] == '\t'))
			i++;
		if (i >= line.len || line.ptr[i] == '#')
			break;
		start = i;
		while (i < line.len && line.ptr[i] != ' ' && line.ptr[i] != '\t')
			i++;
		f[n++] = ld_slice_make(line.ptr + start, i - start);
	}
	return n;
}

static double slice_to_double(ld_slice s)
{
	char tmp[32];
	char *end;
	double d;

	assert_true(s.len > 0 && s.len < sizeof(tmp));
	memcpy(tmp, s.ptr, s.len);
	tmp[s.len] = '\0';
	d = strtod(tmp, &end);
	assert_true(*end == '\0');
	return d;
}

static bool same_score(double a, double b)
{
	return fabs(a - b) < 0.001;
}

/* ------------------------------------------------------------------ tables */

/* Check every "VECTOR SCORE SEVERITY" line of a table; returns the number of cases.
 * `bte`: score with Threat/Environmental metrics applied (v4.0 only). */
static size_t run_table(const char *name, bool bte)
{
	size_t len, n = 0, bad = 0;
	char *text = data_file(name, &len);
	ld_slice rest = ld_slice_make(text, len), line;

	while (ld_slice_next_line(&rest, &line)) {
		ld_slice f[3];
		double want, got;
		const char *sev;
		ld_cvss c;
		int rc;

		if (fields(line, f, 3) == 0)
			continue;
		assert_true(fields(line, f, 3) == 3);
		want = slice_to_double(f[1]);
		n++;
		if (bte) {
			rc = ld_cvss4_score_bte(f[0].ptr, f[0].len, &got);
			sev = rc == 0 ? ld_cvss_severity(4, got) : NULL;
		} else {
			rc = ld_cvss_score(f[0].ptr, f[0].len, &c);
			got = c.base_score;
			sev = c.severity;
		}
		if (rc != 0 || !same_score(got, want) || !sev || !ld_slice_eq_cstr(f[2], sev)) {
			if (bad++ < 10)
				print_error("%s: %.*s: got rc=%d %.1f %s, want %.1f %.*s\n", name,
					    (int)f[0].len, f[0].ptr, rc, got, sev ? sev : "(null)",
					    want, (int)f[2].len, f[2].ptr);
		}
	}
	free(text);
	print_message("%s: %zu cases, %zu wrong\n", name, n, bad);
	assert_int_equal(bad, 0);
	return n;
}

static void test_table_v2(void **state)
{
	(void)state;
	assert_true(run_table("v2.txt", false) >= 300);
}

static void test_table_v3(void **state)
{
	(void)state;
	assert_true(run_table("v3.txt", false) >= 800);
}

static void test_table_v4(void **state)
{
	(void)state;
	assert_true(run_table("v4.txt", false) >= 800);
}

static void test_table_v4_bte(void **state)
{
	(void)state;
	assert_true(run_table("v4_bte.txt", true) >= 1500);
}

/* Version and severity come with the score. */
static void test_versions(void **state)
{
	static const struct {
		const char *v;
		int major, minor;
		double score;
		const char *sev;
	} cases[] = {
		{"AV:N/AC:L/Au:N/C:P/I:P/A:P", 2, 0, 7.5, "high"},
		{"(AV:N/AC:L/Au:N/C:P/I:P/A:P)", 2, 0, 7.5, "high"},
		{"CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", 2, 0, 7.5, "high"},
		{"AV:N/AC:L/Au:N/C:N/I:N/A:N", 2, 0, 0.0, "low"}, /* NVD's v2 scale has no "none" */
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 3, 0, 9.8, "critical"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 3, 1, 0.0, "none"},
		{"  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H\n", 3, 1, 10.0, "critical"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 4, 0, 9.3,
		 "critical"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ld_cvss c;
		assert_int_equal(ld_cvss_score(cases[i].v, strlen(cases[i].v), &c), 0);
		assert_int_equal(c.major, cases[i].major);
		assert_int_equal(c.minor, cases[i].minor);
		assert_true(same_score(c.base_score, cases[i].score));
		assert_string_equal(c.severity, cases[i].sev);
	}
}

/* ------------------------------------------------------------------ malformed input */

static void test_invalid_table(void **state)
{
	size_t len, n = 0;
	char *text = data_file("invalid.txt", &len);
	ld_slice rest = ld_slice_make(text, len), line;

	(void)state;
	while (ld_slice_next_line(&rest, &line)) {
		ld_slice f[2];
		ld_cvss c;
		if (fields(line, f, 2) == 0)
			continue;
		assert_int_equal(fields(line, f, 2), 1);
		n++;
		if (ld_cvss_score(f[0].ptr, f[0].len, &c) != LADING_EINVALID)
			fail_msg("accepted malformed vector %.*s", (int)f[0].len, f[0].ptr);
		assert_null(c.severity);
	}
	free(text);
	print_message("invalid.txt: %zu malformed vectors rejected\n", n);
	assert_true(n >= 70);
}

static void test_invalid_inline(void **state)
{
	static const char nul_inside[] = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\0/E:X";
	static const char *const cases[] = {
		"", " ", "\n", "CVSS:3.1/AV:N /AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H /E:X",
		"CVSS:3.1/ AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS: 3.1/AV:N",
	};
	char big[4096];
	ld_cvss c;
	double d;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(ld_cvss_score(cases[i], strlen(cases[i]), &c), LADING_EINVALID);
	/* the length is what counts, not a NUL */
	assert_int_equal(ld_cvss_score(nul_inside, sizeof(nul_inside) - 1, &c), LADING_EINVALID);
	assert_int_equal(ld_cvss_score(nul_inside, strlen(nul_inside), &c), 0);
	/* a valid vector cut short */
	assert_int_equal(ld_cvss_score(nul_inside, 20, &c), LADING_EINVALID);
	assert_int_equal(ld_cvss_score(NULL, 0, &c), LADING_EINVALID);
	assert_int_equal(ld_cvss_score("AV:N", 4, NULL), LADING_EINVALID);
	/* far longer than any valid vector */
	memset(big, 0, sizeof(big));
	for (size_t i = 0; i + 5 < sizeof(big) - 1; i += 5)
		memcpy(big + i, "AV:N/", 5);
	assert_int_equal(ld_cvss_score(big, strlen(big), &c), LADING_EINVALID);
	assert_int_equal(ld_cvss4_score_bte("CVSS:3.1/AV:N", 13, &d), LADING_EINVALID);
}

/* ------------------------------------------------------------------ severity, rounding */

static void test_severity(void **state)
{
	(void)state;
	assert_string_equal(ld_cvss_severity(3, 0.0), "none");
	assert_string_equal(ld_cvss_severity(3, 0.1), "low");
	assert_string_equal(ld_cvss_severity(3, 3.9), "low");
	assert_string_equal(ld_cvss_severity(3, 4.0), "medium");
	assert_string_equal(ld_cvss_severity(3, 6.9), "medium");
	assert_string_equal(ld_cvss_severity(3, 7.0), "high");
	assert_string_equal(ld_cvss_severity(4, 8.9), "high");
	assert_string_equal(ld_cvss_severity(4, 9.0), "critical");
	assert_string_equal(ld_cvss_severity(4, 10.0), "critical");
	assert_string_equal(ld_cvss_severity(2, 0.0), "low");
	assert_string_equal(ld_cvss_severity(2, 3.9), "low");
	assert_string_equal(ld_cvss_severity(2, 4.0), "medium");
	assert_string_equal(ld_cvss_severity(2, 6.9), "medium");
	assert_string_equal(ld_cvss_severity(2, 7.0), "high");
	assert_string_equal(ld_cvss_severity(2, 10.0), "high");
	/* sums that are not exactly representable still land on their one-decimal value */
	assert_string_equal(ld_cvss_severity(3, 4.1 - 0.1), "medium"); /* 3.9999999999999996 */
	assert_string_equal(ld_cvss_severity(3, 0.1 + 0.2 + 3.6), "low"); /* 3.9000000000000004 */
	assert_null(ld_cvss_severity(1, 5.0));
	assert_null(ld_cvss_severity(5, 5.0));
	assert_null(ld_cvss_severity(3, -0.1));
	assert_null(ld_cvss_severity(3, 10.1));
	assert_null(ld_cvss_severity(3, NAN));
}

/* v3.0 rounds floating-point noise up; v3.1's Appendix A rounding does not. */
static void test_roundup(void **state)
{
	(void)state;
	assert_true(same_score(ld_cvss_roundup31(4.02), 4.1));
	assert_true(same_score(ld_cvss_roundup31(4.00), 4.0));
	assert_true(same_score(ld_cvss_roundup31(4.000000000000001), 4.0));
	assert_true(same_score(ld_cvss_roundup30(4.000000000000001), 4.1));
	assert_true(same_score(ld_cvss_roundup30(4.02), 4.1));
	assert_true(same_score(ld_cvss_roundup30(4.0), 4.0));
	/* 0.1 * 3 = 0.30000000000000004 */
	assert_true(same_score(ld_cvss_roundup30(0.1 * 3), 0.4));
	assert_true(same_score(ld_cvss_roundup31(0.1 * 3), 0.3));
	assert_true(same_score(ld_cvss_roundup31(9.99999), 10.0));
}

/* ------------------------------------------------------------------ exhaustive digests */

typedef struct {
	ld_sha256 h;
	size_t n, errors;
} digest;

static void digest_vector(digest *d, const char *v)
{
	ld_cvss c;
	char line[16];

	if (ld_cvss_score(v, strlen(v), &c) != 0) {
		d->errors++;
		return;
	}
	ld_snprintf(line, sizeof(line), "%ld\n", lround(c.base_score * 10.0));
	ld_sha256_update(&d->h, line, strlen(line));
	d->n++;
}

/* Odometer over the metrics' value lists (one letter per value), the last metric fastest. */
static void enumerate(digest *d, const char *const *vals, size_t nm, const char *prefix,
		      const char *const *names)
{
	size_t pos[16] = {0};
	char v[256];

	assert_true(nm <= 16);
	for (;;) {
		ld_buf b;
		ld_buf_init(&b, sizeof(v));
		ld_buf_adds(&b, prefix);
		for (size_t i = 0; i < nm; i++)
			ld_buf_addf(&b, "%s%s:%c", i ? "/" : "", names[i], vals[i][pos[i]]);
		assert_int_equal(ld_buf_error(&b), 0);
		digest_vector(d, ld_buf_cstr(&b));
		ld_buf_release(&b);
		size_t i = nm;
		while (i > 0) {
			i--;
			if (vals[i][++pos[i]] != '\0')
				break;
			pos[i] = 0;
			if (i == 0)
				return;
		}
	}
}

static void test_exhaustive(void **state)
{
	static const char *const v2n[] = {"AV", "AC", "Au", "C", "I", "A"};
	static const char *const v2v[] = {"LAN", "HML", "MSN", "NPC", "NPC", "NPC"};
	static const char *const v3n[] = {"AV", "AC", "PR", "UI", "S", "C", "I", "A"};
	static const char *const v3v[] = {"NALP", "LH", "NLH", "NR", "UC", "HLN", "HLN", "HLN"};
	static const char *const v4n[] = {"AV", "AC", "AT", "PR", "UI", "VC",
					  "VI", "VA", "SC", "SI", "SA"};
	static const char *const v4v[] = {"NALP", "LH",  "NP",  "NLH", "NPA", "HLN",
					  "HLN",  "HLN", "HLN", "HLN", "HLN"};
	size_t len, checked = 0;
	char *text = data_file("exhaustive.txt", &len);
	ld_slice rest = ld_slice_make(text, len), line;

	(void)state;
	while (ld_slice_next_line(&rest, &line)) {
		ld_slice f[3];
		digest d = {0};
		char got[LD_DIGEST_STR_LEN];
		uint64_t want_n;

		if (fields(line, f, 3) == 0)
			continue;
		assert_int_equal(fields(line, f, 3), 3);
		assert_true(ld_slice_to_u64(f[1], UINT32_MAX, &want_n));
		assert_int_equal(ld_sha256_init(&d.h), 0);
		if (ld_slice_eq_cstr(f[0], "2.0"))
			enumerate(&d, v2v, 6, "", v2n);
		else if (ld_slice_eq_cstr(f[0], "3.0"))
			enumerate(&d, v3v, 8, "CVSS:3.0/", v3n);
		else if (ld_slice_eq_cstr(f[0], "3.1"))
			enumerate(&d, v3v, 8, "CVSS:3.1/", v3n);
		else if (ld_slice_eq_cstr(f[0], "4.0"))
			enumerate(&d, v4v, 11, "CVSS:4.0/", v4n);
		else
			fail_msg("unknown version %.*s", (int)f[0].len, f[0].ptr);
		ld_sha256_final(&d.h, got);
		print_message("exhaustive %.*s: %zu base vectors, digest %s\n", (int)f[0].len,
			      f[0].ptr, d.n, got);
		assert_int_equal(d.errors, 0);
		assert_int_equal(d.n, want_n);
		assert_true(ld_slice_eq_cstr(f[2], got));
		checked++;
	}
	free(text);
	assert_int_equal(checked, 4);
}

/* ------------------------------------------------------------------ real data: OSV */

static const char *shared_dir(void)
{
	const char *s = getenv("LADING_SHARED");
	assert_non_null(s);
	return s;
}

typedef struct osv_stats {
	size_t records, vectors, vectors_ok;
	size_t by_type[3];       /* CVSS_V2, CVSS_V3, CVSS_V4 */
	size_t bit_v3, bit_v3_agree;
	size_t bit_v4, bit_v4_agree_b, bit_v4_agree_bte;
	size_t bit_none;         /* Bitnami records without a vector */
} osv_stats;

static void osv_vector(osv_stats *st, const ld_json *sev, bool bitnami, const char *want)
{
	const char *type = ld_json_get_str(sev, "type");
	ld_slice v = ld_json_slice(ld_json_get(sev, "score"));
	ld_cvss c;
	double bte;

	if (!type || !v.ptr)
		return;
	st->vectors++;
	if (ld_cvss_score(v.ptr, v.len, &c) != 0) {
		print_error("OSV vector rejected: %.*s\n", (int)v.len, v.ptr);
		return;
	}
	st->vectors_ok++;
	if (!strcmp(type, "CVSS_V2"))
		st->by_type[0]++;
	else if (!strcmp(type, "CVSS_V3"))
		st->by_type[1]++;
	else if (!strcmp(type, "CVSS_V4"))
		st->by_type[2]++;
	if (!bitnami || !want)
		return;
	if (c.major == 3) {
		st->bit_v3++;
		if (!strcasecmp(want, c.severity))
			st->bit_v3_agree++;
		else
			print_error("Bitnami %s vs computed %s for %.*s\n", want, c.severity,
				    (int)v.len, v.ptr);
	} else if (c.major == 4) {
		st->bit_v4++;
		st->bit_v4_agree_b += !strcasecmp(want, c.severity);
		assert_int_equal(ld_cvss4_score_bte(v.ptr, v.len, &bte), 0);
		if (!strcasecmp(want, ld_cvss_severity(4, bte)))
			st->bit_v4_agree_bte++;
		else
			print_error("Bitnami %s vs computed BTE %.1f for %.*s\n", want, bte,
				    (int)v.len, v.ptr);
	}
}

static void osv_record(osv_stats *st, const ld_json *rec, bool bitnami)
{
	const ld_json *it, *aff, *sev;
	const char *want = ld_json_get_str(ld_json_get(rec, "database_specific"), "severity");
	size_t before = st->vectors;

	st->records++;
	ld_json_foreach_item(ld_json_get(rec, "severity"), i, sev)
		osv_vector(st, sev, bitnami, want);
	ld_json_foreach_item(ld_json_get(rec, "affected"), i, aff)
		ld_json_foreach_item(ld_json_get(aff, "severity"), j, it)
			osv_vector(st, it, bitnami, want);
	if (bitnami && want && st->vectors == before)
		st->bit_none++;
}

static void test_real_osv(void **state)
{
	static const char *const ecos[] = {"AlmaLinux", "Bitnami", "PyPI", "Go", "crates.io"};
	osv_stats st = {0};
	lading_ctx *ctx;
	ld_buf entry;

	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	ld_buf_init(&entry, 64u << 20);
	for (size_t e = 0; e < sizeof(ecos) / sizeof(ecos[0]); e++) {
		char path[1024];
		ld_stream *s;
		ld_ar *ar;
		ld_ar_entry ent;
		int r, rc;

		ld_snprintf(path, sizeof(path), "%s/vulndata/osv/%s/all.zip", shared_dir(),
			    ecos[e]);
		assert_int_equal(ld_stream_file(&s, ctx, path), 0);
		assert_int_equal(ld_ar_open(&ar, s, LD_AR_FMT_ZIP, ctx, path), 0);
		while ((r = ld_ar_next(ar, &ent)) == 1) {
			ld_arena a;
			ld_json *doc;
			if (ent.type != LD_AR_REG)
				continue;
			ld_buf_clear(&entry);
			assert_int_equal(ld_ar_read_all(ar, &entry, 64u << 20), 0);
			ld_arena_init(&a, 0);
			rc = ld_json_parse(&doc, &a, entry.ptr, entry.len, NULL, ctx, ent.path);
			assert_int_equal(rc, 0);
			osv_record(&st, doc, e == 1);
			ld_arena_release(&a);
		}
		assert_int_equal(r, 0);
		ld_ar_close(ar);
	}
	ld_buf_release(&entry);
	lading_ctx_free(ctx);

	print_message("OSV: %zu records, %zu CVSS vectors, %zu parsed (V2 %zu, V3 %zu, V4 %zu)\n",
		      st.records, st.vectors, st.vectors_ok, st.by_type[0], st.by_type[1],
		      st.by_type[2]);
	print_message("Bitnami database_specific.severity vs computed: v3 %zu/%zu agree; "
		      "v4 %zu/%zu "
		      "agree with the score as published (threat metrics applied), %zu/%zu with "
		      "CVSS-B; %zu records carry no vector\n",
		      st.bit_v3_agree, st.bit_v3, st.bit_v4_agree_bte, st.bit_v4, st.bit_v4_agree_b,
		      st.bit_v4, st.bit_none);
	assert_true(st.records > 20000);
	assert_true(st.vectors > 8000);
	assert_int_equal(st.vectors_ok, st.vectors);
	assert_true(st.bit_v3 > 6000 && st.bit_v4 > 600);
	assert_int_equal(st.bit_v3_agree, st.bit_v3);
	assert_int_equal(st.bit_v4_agree_bte, st.bit_v4);
}

/* ------------------------------------------------------------------ real data: NVD */

typedef struct nvd_stats {
	size_t items, v2, v2_agree, v30, v30_agree, v31, v31_agree;
} nvd_stats;

static void nvd_check(nvd_stats *st, const ld_json *cvss, const char *want_sev)
{
	ld_slice v = ld_json_slice(ld_json_get(cvss, "vectorString"));
	double want;
	ld_cvss c;
	size_t *n, *agree;

	if (!v.ptr || !ld_json_num(ld_json_get(cvss, "baseScore"), &want) || !want_sev)
		return;
	if (ld_slice_starts_with(v, "CVSS:3.1/"))
		n = &st->v31, agree = &st->v31_agree;
	else if (ld_slice_starts_with(v, "CVSS:3.0/"))
		n = &st->v30, agree = &st->v30_agree;
	else
		n = &st->v2, agree = &st->v2_agree;
	(*n)++;
	if (ld_cvss_score(v.ptr, v.len, &c) == 0 && same_score(c.base_score, want) &&
	    !strcasecmp(c.severity, want_sev))
		(*agree)++;
	else
		print_error("NVD %.*s: %.1f %s, computed %.1f %s\n", (int)v.len, v.ptr, want,
			    want_sev, c.base_score, c.severity ? c.severity : "-");
}

static void nvd_file(nvd_stats *st, lading_ctx *ctx, const char *path)
{
	ld_stream *s, *z;
	ld_buf json;
	ld_arena a;
	ld_json *doc;
	const ld_json *item;
	ld_json_limits lim = {.max_depth = 64, .max_arena = 2048u << 20};

	assert_int_equal(ld_stream_file(&s, ctx, path), 0);
	assert_int_equal(ld_stream_decompress(&z, s, NULL, path, NULL), 0);
	ld_buf_init(&json, 512u << 20);
	assert_int_equal(ld_stream_read_all(z, &json, 512u << 20, path), 0);
	ld_stream_close(z);
	ld_arena_init(&a, 0);
	assert_int_equal(ld_json_parse(&doc, &a, json.ptr, json.len, &lim, ctx, path), 0);
	ld_json_foreach_item(ld_json_get(doc, "CVE_Items"), i, item) {
		const ld_json *v3 = ld_json_getp(item, "impact", "baseMetricV3", "cvssV3", NULL);
		const ld_json *m2 = ld_json_getp(item, "impact", "baseMetricV2", NULL);
		st->items++;
		if (v3)
			nvd_check(st, v3, ld_json_get_str(v3, "baseSeverity"));
		if (m2)
			nvd_check(st, ld_json_get(m2, "cvssV2"), ld_json_get_str(m2, "severity"));
	}
	ld_arena_release(&a);
	ld_buf_release(&json);
}

static void test_real_nvd(void **state)
{
	nvd_stats st = {0};
	lading_ctx *ctx;
	char path[1024];

	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	/* the yearly feeds 2002..2017, then "modified" and "recent" */
	for (int y = 2002; y <= 2019; y++) {
		char name[32];
		if (y <= 2017)
			ld_snprintf(name, sizeof(name), "%d", y);
		else
			ld_strlcpy(name, y == 2018 ? "modified" : "recent", sizeof(name));
		ld_snprintf(path, sizeof(path), "%s/vulndata/nvd/nvdcve-1.1-%s.json.gz",
			    shared_dir(), name);
		nvd_file(&st, ctx, path);
	}
	lading_ctx_free(ctx);
	print_message("NVD: %zu CVE items; computed = published base score and severity: "
		      "v2 %zu/%zu, v3.0 %zu/%zu, v3.1 %zu/%zu\n",
		      st.items, st.v2_agree, st.v2, st.v30_agree, st.v30, st.v31_agree, st.v31);
	assert_true(st.v2 > 100000 && st.v30 > 20000 && st.v31 > 5000);
	assert_int_equal(st.v2_agree, st.v2);
	assert_int_equal(st.v30_agree, st.v30);
	assert_int_equal(st.v31_agree, st.v31);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_table_v2),
		cmocka_unit_test(test_table_v3),
		cmocka_unit_test(test_table_v4),
		cmocka_unit_test(test_table_v4_bte),
		cmocka_unit_test(test_invalid_table),
		cmocka_unit_test(test_invalid_inline),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_roundup),
		cmocka_unit_test(test_exhaustive),
		cmocka_unit_test(test_real_osv),
		cmocka_unit_test(test_real_nvd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
