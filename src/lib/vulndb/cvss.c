/* CVSS base scores for v2, v3.0 and v3.1 from their vector strings, the vector grammar shared with
 * v4.0 (cvss4.c), and the version dispatch.
 *
 * Sources: "A Complete Guide to the Common Vulnerability Scoring System Version 2.0" (section 3.2.1
 * base equation), "CVSS v3.0 Specification Document" and "CVSS v3.1 Specification Document"
 * (section 7.1 base equations, Appendix A Roundup for 3.1). v3.0 rounds up with a plain ceiling
 * on score x 10; v3.1 first rounds to 5 decimal places so that floating-point noise such as
 * 4.000000000000001 does not round up to 4.1. The two differ on a few vectors. */
#include <math.h>

#include "util/common.h"
#include "vulndb/cvss.h"
#include "vulndb/cvss_int.h"

/* ------------------------------------------------------------------ limits */

/* A valid vector holds each metric once: the longest, a v4.0 vector with all 32 metrics, is
 * about 250 bytes. Anything much longer is malformed; refusing it early bounds the work. */
#define CVSS_MAX_VECTOR_LEN 1024
/* "K:V" components: a vector with more than this has a duplicate or an unknown metric. */
#define CVSS_MAX_COMPONENTS LD_CVSS_MAX_METRICS

/* ------------------------------------------------------------------ vector grammar */

static int value_index(const char *const *values, ld_slice v)
{
	for (int i = 0; values[i]; i++)
		if (ld_slice_eq_cstr(v, values[i]))
			return i;
	return -1;
}

int ld_cvss_parse_metrics(ld_slice body, const ld_cvss_metric_def *defs, size_t ndefs, int *idx)
{
	size_t ncomp = 0;

	if (ndefs > LD_CVSS_MAX_METRICS)
		return LADING_EINVALID;
	for (size_t i = 0; i < ndefs; i++)
		idx[i] = -1;
	if (body.len == 0)
		return LADING_EINVALID;
	for (;;) {
		ld_slice comp, key;
		bool last = !ld_slice_cut(&body, '/', &comp);
		size_t m;
		int v;

		if (++ncomp > CVSS_MAX_COMPONENTS || comp.len == 0)
			return LADING_EINVALID;
		if (!ld_slice_cut(&comp, ':', &key) || key.len == 0)
			return LADING_EINVALID;
		for (m = 0; m < ndefs; m++)
			if (ld_slice_eq_cstr(key, defs[m].name))
				break;
		if (m == ndefs || idx[m] >= 0)
			return LADING_EINVALID; /* unknown or duplicate metric */
		v = value_index(defs[m].values, comp);
		if (v < 0)
			return LADING_EINVALID;
		idx[m] = v;
		if (last)
			break;
		if (body.len == 0)
			return LADING_EINVALID; /* trailing '/' */
	}
	for (size_t i = 0; i < ndefs; i++)
		if (defs[i].mandatory && idx[i] < 0)
			return LADING_EINVALID;
	return 0;
}

/* ------------------------------------------------------------------ severity */

const char *ld_cvss_severity(int major, double score)
{
	long t;

	if (!(score >= 0.0 && score <= 10.0)) /* also rejects NaN */
		return NULL;
	t = lround(score * 10.0);
	if (major == 2) /* NVD's v2 ranges: Low 0.0-3.9, Medium 4.0-6.9, High 7.0-10.0 */
		return t < 40 ? "low" : t < 70 ? "medium" : "high";
	if (major != 3 && major != 4)
		return NULL;
	/* the v3.x / v4.0 qualitative severity rating scale */
	if (t == 0)
		return "none";
	if (t < 40)
		return "low";
	if (t < 70)
		return "medium";
	return t < 90 ? "high" : "critical";
}

/* ------------------------------------------------------------------ v2 */

enum { V2_AV, V2_AC, V2_AU, V2_C, V2_I, V2_A, V2_N };

static const char *const v2_av[] = {"L", "A", "N", NULL};
static const char *const v2_ac[] = {"H", "M", "L", NULL};
static const char *const v2_au[] = {"M", "S", "N", NULL};
static const char *const v2_imp[] = {"N", "P", "C", NULL};
static const char *const v2_e[] = {"U", "POC", "F", "H", "ND", NULL};
static const char *const v2_rl[] = {"OF", "TF", "W", "U", "ND", NULL};
static const char *const v2_rc[] = {"UC", "UR", "C", "ND", NULL};
static const char *const v2_cdp[] = {"N", "L", "LM", "MH", "H", "ND", NULL};
static const char *const v2_td[] = {"N", "L", "M", "H", "ND", NULL};
static const char *const v2_req[] = {"L", "M", "H", "ND", NULL};

static const ld_cvss_metric_def v2_defs[] = {
	{"AV", v2_av, true},   {"AC", v2_ac, true},   {"Au", v2_au, true},
	{"C", v2_imp, true},   {"I", v2_imp, true},   {"A", v2_imp, true},
	{"E", v2_e, false},    {"RL", v2_rl, false},  {"RC", v2_rc, false},
	{"CDP", v2_cdp, false}, {"TD", v2_td, false}, {"CR", v2_req, false},
	{"IR", v2_req, false}, {"AR", v2_req, false},
};

static int score_v2(ld_slice body, double *out)
{
	static const double av[] = {0.395, 0.646, 1.0};
	static const double ac[] = {0.35, 0.61, 0.71};
	static const double au[] = {0.45, 0.56, 0.704};
	static const double imp[] = {0.0, 0.275, 0.660};
	int idx[sizeof(v2_defs) / sizeof(v2_defs[0])];
	double impact, expl, f, base;
	int rc;

	rc = ld_cvss_parse_metrics(body, v2_defs, sizeof(v2_defs) / sizeof(v2_defs[0]), idx);
	if (rc)
		return rc;
	impact = 10.41 * (1.0 - (1.0 - imp[idx[V2_C]]) * (1.0 - imp[idx[V2_I]]) *
				    (1.0 - imp[idx[V2_A]]));
	expl = 20.0 * av[idx[V2_AV]] * ac[idx[V2_AC]] * au[idx[V2_AU]];
	f = impact == 0.0 ? 0.0 : 1.176;
	base = (0.6 * impact + 0.4 * expl - 1.5) * f;
	/* round_to_1_decimal, half up. No base vector lands near a tie in binary floating point:
	 * all 729 agree with two independent implementations (tests/data/cvss/exhaustive.txt). */
	base = floor(base * 10.0 + 0.5) / 10.0;
	if (base < 0.0)
		base = 0.0;
	*out = base;
	return 0;
}

/* ------------------------------------------------------------------ v3.0 / v3.1 */

enum { V3_AV, V3_AC, V3_PR, V3_UI, V3_S, V3_C, V3_I, V3_A };

static const char *const v3_av[] = {"N", "A", "L", "P", NULL};
static const char *const v3_ac[] = {"L", "H", NULL};
static const char *const v3_pr[] = {"N", "L", "H", NULL};
static const char *const v3_ui[] = {"N", "R", NULL};
static const char *const v3_s[] = {"U", "C", NULL};
static const char *const v3_imp[] = {"H", "L", "N", NULL};
static const char *const v3_e[] = {"X", "U", "P", "F", "H", NULL};
static const char *const v3_rl[] = {"X", "O", "T", "W", "U", NULL};
static const char *const v3_rc[] = {"X", "U", "R", "C", NULL};
static const char *const v3_req[] = {"X", "L", "M", "H", NULL};
static const char *const v3_mav[] = {"X", "N", "A", "L", "P", NULL};
static const char *const v3_mac[] = {"X", "L", "H", NULL};
static const char *const v3_mpr[] = {"X", "N", "L", "H", NULL};
static const char *const v3_mui[] = {"X", "N", "R", NULL};
static const char *const v3_ms[] = {"X", "U", "C", NULL};
static const char *const v3_mimp[] = {"X", "N", "L", "H", NULL};

static const ld_cvss_metric_def v3_defs[] = {
	{"AV", v3_av, true},     {"AC", v3_ac, true},     {"PR", v3_pr, true},
	{"UI", v3_ui, true},     {"S", v3_s, true},       {"C", v3_imp, true},
	{"I", v3_imp, true},     {"A", v3_imp, true},     {"E", v3_e, false},
	{"RL", v3_rl, false},    {"RC", v3_rc, false},    {"CR", v3_req, false},
	{"IR", v3_req, false},   {"AR", v3_req, false},   {"MAV", v3_mav, false},
	{"MAC", v3_mac, false},  {"MPR", v3_mpr, false},  {"MUI", v3_mui, false},
	{"MS", v3_ms, false},    {"MC", v3_mimp, false},  {"MI", v3_mimp, false},
	{"MA", v3_mimp, false},
};

double ld_cvss_roundup31(double x)
{
	long long i = llround(x * 100000.0);

	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (floor((double)i / 10000.0) + 1.0) / 10.0;
}

double ld_cvss_roundup30(double x)
{
	return ceil(x * 10.0) / 10.0;
}

static int score_v3(ld_slice body, int minor, double *out)
{
	static const double av[] = {0.85, 0.62, 0.55, 0.2};
	static const double ac[] = {0.77, 0.44};
	static const double pr_u[] = {0.85, 0.62, 0.27}; /* scope unchanged */
	static const double pr_c[] = {0.85, 0.68, 0.5};  /* scope changed */
	static const double ui[] = {0.85, 0.62};
	static const double imp[] = {0.56, 0.22, 0.0};
	int idx[sizeof(v3_defs) / sizeof(v3_defs[0])];
	double iss, impact, expl, base;
	bool changed;
	int rc;

	rc = ld_cvss_parse_metrics(body, v3_defs, sizeof(v3_defs) / sizeof(v3_defs[0]), idx);
	if (rc)
		return rc;
	changed = idx[V3_S] == 1;
	iss = 1.0 - (1.0 - imp[idx[V3_C]]) * (1.0 - imp[idx[V3_I]]) * (1.0 - imp[idx[V3_A]]);
	if (changed)
		impact = 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15);
	else
		impact = 6.42 * iss;
	expl = 8.22 * av[idx[V3_AV]] * ac[idx[V3_AC]] *
	       (changed ? pr_c : pr_u)[idx[V3_PR]] * ui[idx[V3_UI]];
	if (impact <= 0.0) {
		base = 0.0;
	} else {
		double sum = changed ? 1.08 * (impact + expl) : impact + expl;
		if (sum > 10.0)
			sum = 10.0;
		base = minor == 0 ? ld_cvss_roundup30(sum) : ld_cvss_roundup31(sum);
	}
	*out = base;
	return 0;
}

/* ------------------------------------------------------------------ dispatch */

static bool take_prefix(ld_slice *s, const char *prefix)
{
	if (!ld_slice_starts_with(*s, prefix))
		return false;
	*s = ld_slice_sub(*s, strlen(prefix), s->len);
	return true;
}

int ld_cvss_score(const char *vector, size_t len, ld_cvss *out)
{
	ld_slice s;
	double score = 0.0;
	int major, minor, rc;

	if (out) {
		out->major = out->minor = 0;
		out->base_score = 0.0;
		out->severity = NULL;
	}
	if (!vector || !out || len > CVSS_MAX_VECTOR_LEN)
		return LADING_EINVALID;
	s = ld_slice_trim(ld_slice_make(vector, len));

	if (take_prefix(&s, "CVSS:3.1/")) {
		major = 3, minor = 1;
		rc = score_v3(s, 1, &score);
	} else if (take_prefix(&s, "CVSS:3.0/")) {
		major = 3, minor = 0;
		rc = score_v3(s, 0, &score);
	} else if (take_prefix(&s, "CVSS:4.0/")) {
		int t;
		major = 4, minor = 0;
		rc = ld_cvss4_score10(s, false, &t);
		score = t / 10.0;
	} else if (take_prefix(&s, "CVSS:2.0/")) {
		major = 2, minor = 0;
		rc = score_v2(s, &score);
	} else if (ld_slice_starts_with(s, "CVSS:")) {
		return LADING_EINVALID; /* unknown version, or no '/' after it */
	} else {
		/* v2 without a prefix: bare, or "(AV:N/...)" as NVD's older feeds wrote it */
		if (s.len >= 2 && s.ptr[0] == '(' && s.ptr[s.len - 1] == ')')
			s = ld_slice_sub(s, 1, s.len - 2);
		major = 2, minor = 0;
		rc = score_v2(s, &score);
	}
	if (rc)
		return rc;
	out->major = major;
	out->minor = minor;
	out->base_score = score;
	out->severity = ld_cvss_severity(major, score);
	return 0;
}
