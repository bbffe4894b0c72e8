/* CVSS v4.0 scoring (specification document v1.2, section 8 "CVSS v4.0 Scoring").
 *
 * v4.0 has no closed-form equation. The metrics are grouped into six equivalence sets (EQ1..EQ6);
 * the tuple of their levels, the "macrovector", indexes a table of expert-ranked scores published
 * with the specification (below, as data). A vector's score is its macrovector's score lowered by
 * how far the vector lies from the most severe vectors of that macrovector ("severity distance"),
 * scaled by the score gap to the next lower macrovector in each EQ, averaged over the EQs that
 * have a lower neighbour. This follows FIRST's reference calculator step for step.
 *
 * Arithmetic is exact: distances are integer steps and scores integer tenths, so the result is
 * a fraction computed without floating point and rounded half up. The reference calculator adds
 * 1e-6 before rounding for the same effect (a binary double can land just below an x.x5 tie). */
#include "util/common.h"
#include "vulndb/cvss.h"
#include "vulndb/cvss_int.h"

/* ------------------------------------------------------------------ grammar (Table 23 order) */

enum {
	M_AV, M_AC, M_AT, M_PR, M_UI, M_VC, M_VI, M_VA, M_SC, M_SI, M_SA, /* base */
	M_E,                                                          /* threat */
	M_CR, M_IR, M_AR, M_MAV, M_MAC, M_MAT, M_MPR, M_MUI,          /* environmental */
	M_MVC, M_MVI, M_MVA, M_MSC, M_MSI, M_MSA,
	M_S, M_AU, M_R, M_V, M_RE, M_U,                               /* supplemental */
	M_COUNT
};

static const char *const v_av[] = {"N", "A", "L", "P", NULL};
static const char *const v_ac[] = {"L", "H", NULL};
static const char *const v_at[] = {"N", "P", NULL};
static const char *const v_pr[] = {"N", "L", "H", NULL};
static const char *const v_ui[] = {"N", "P", "A", NULL};
static const char *const v_imp[] = {"H", "L", "N", NULL};
static const char *const v_e[] = {"X", "A", "P", "U", NULL};
static const char *const v_req[] = {"X", "H", "M", "L", NULL};
static const char *const v_mav[] = {"X", "N", "A", "L", "P", NULL};
static const char *const v_mac[] = {"X", "L", "H", NULL};
static const char *const v_mat[] = {"X", "N", "P", NULL};
static const char *const v_mpr[] = {"X", "N", "L", "H", NULL};
static const char *const v_mui[] = {"X", "N", "P", "A", NULL};
static const char *const v_mimp[] = {"X", "H", "L", "N", NULL};
static const char *const v_msimp[] = {"X", "S", "H", "L", "N", NULL};
static const char *const v_s[] = {"X", "N", "P", NULL};
static const char *const v_au[] = {"X", "N", "Y", NULL};
static const char *const v_r[] = {"X", "A", "U", "I", NULL};
static const char *const v_v[] = {"X", "D", "C", NULL};
static const char *const v_re[] = {"X", "L", "M", "H", NULL};
static const char *const v_u[] = {"X", "Clear", "Green", "Amber", "Red", NULL};

static const ld_cvss_metric_def v4_defs[M_COUNT] = {
	[M_AV] = {"AV", v_av, true},      [M_AC] = {"AC", v_ac, true},
	[M_AT] = {"AT", v_at, true},      [M_PR] = {"PR", v_pr, true},
	[M_UI] = {"UI", v_ui, true},      [M_VC] = {"VC", v_imp, true},
	[M_VI] = {"VI", v_imp, true},     [M_VA] = {"VA", v_imp, true},
	[M_SC] = {"SC", v_imp, true},     [M_SI] = {"SI", v_imp, true},
	[M_SA] = {"SA", v_imp, true},     [M_E] = {"E", v_e, false},
	[M_CR] = {"CR", v_req, false},    [M_IR] = {"IR", v_req, false},
	[M_AR] = {"AR", v_req, false},    [M_MAV] = {"MAV", v_mav, false},
	[M_MAC] = {"MAC", v_mac, false},  [M_MAT] = {"MAT", v_mat, false},
	[M_MPR] = {"MPR", v_mpr, false},  [M_MUI] = {"MUI", v_mui, false},
	[M_MVC] = {"MVC", v_mimp, false}, [M_MVI] = {"MVI", v_mimp, false},
	[M_MVA] = {"MVA", v_mimp, false}, [M_MSC] = {"MSC", v_mimp, false},
	[M_MSI] = {"MSI", v_msimp, false}, [M_MSA] = {"MSA", v_msimp, false},
	[M_S] = {"S", v_s, false},        [M_AU] = {"AU", v_au, false},
	[M_R] = {"R", v_r, false},        [M_V] = {"V", v_v, false},
	[M_RE] = {"RE", v_re, false},     [M_U] = {"U", v_u, false},
};

/* ------------------------------------------------------------------ specification data */

/* Macrovector scores (EQ1 EQ2 EQ3 EQ4 EQ5 EQ6 -> score x 10), sorted by macrovector. 270 of the
 * 324 digit combinations exist: EQ3=2 only occurs with EQ6=1. */
static const struct {
	char mv[7];
	unsigned char score10;
} lookup[] = {
	{"000000", 100}, {"000001", 99}, {"000010", 98}, {"000011", 95}, {"000020", 95},
	{"000021", 92}, {"000100", 100}, {"000101", 96}, {"000110", 93}, {"000111", 87},
	{"000120", 91}, {"000121", 81}, {"000200", 93}, {"000201", 90}, {"000210", 89},
	{"000211", 80}, {"000220", 81}, {"000221", 68}, {"001000", 98}, {"001001", 95},
	{"001010", 95}, {"001011", 92}, {"001020", 90}, {"001021", 84}, {"001100", 93},
	{"001101", 92}, {"001110", 89}, {"001111", 81}, {"001120", 81}, {"001121", 65},
	{"001200", 88}, {"001201", 80}, {"001210", 78}, {"001211", 70}, {"001220", 69},
	{"001221", 48}, {"002001", 92}, {"002011", 82}, {"002021", 72}, {"002101", 79},
	{"002111", 69}, {"002121", 50}, {"002201", 69}, {"002211", 55}, {"002221", 27},
	{"010000", 99}, {"010001", 97}, {"010010", 95}, {"010011", 92}, {"010020", 92},
	{"010021", 85}, {"010100", 95}, {"010101", 91}, {"010110", 90}, {"010111", 83},
	{"010120", 84}, {"010121", 71}, {"010200", 92}, {"010201", 81}, {"010210", 82},
	{"010211", 71}, {"010220", 72}, {"010221", 53}, {"011000", 95}, {"011001", 93},
	{"011010", 92}, {"011011", 85}, {"011020", 85}, {"011021", 73}, {"011100", 92},
	{"011101", 82}, {"011110", 80}, {"011111", 72}, {"011120", 70}, {"011121", 59},
	{"011200", 84}, {"011201", 70}, {"011210", 71}, {"011211", 52}, {"011220", 50},
	{"011221", 30}, {"012001", 86}, {"012011", 75}, {"012021", 52}, {"012101", 71},
	{"012111", 52}, {"012121", 29}, {"012201", 63}, {"012211", 29}, {"012221", 17},
	{"100000", 98}, {"100001", 95}, {"100010", 94}, {"100011", 87}, {"100020", 91},
	{"100021", 81}, {"100100", 94}, {"100101", 89}, {"100110", 86}, {"100111", 74},
	{"100120", 77}, {"100121", 64}, {"100200", 87}, {"100201", 75}, {"100210", 74},
	{"100211", 63}, {"100220", 63}, {"100221", 49}, {"101000", 94}, {"101001", 89},
	{"101010", 88}, {"101011", 77}, {"101020", 76}, {"101021", 67}, {"101100", 86},
	{"101101", 76}, {"101110", 74}, {"101111", 58}, {"101120", 59}, {"101121", 50},
	{"101200", 72}, {"101201", 57}, {"101210", 57}, {"101211", 52}, {"101220", 52},
	{"101221", 25}, {"102001", 83}, {"102011", 70}, {"102021", 54}, {"102101", 65},
	{"102111", 58}, {"102121", 26}, {"102201", 53}, {"102211", 21}, {"102221", 13},
	{"110000", 95}, {"110001", 90}, {"110010", 88}, {"110011", 76}, {"110020", 76},
	{"110021", 70}, {"110100", 90}, {"110101", 77}, {"110110", 75}, {"110111", 62},
	{"110120", 61}, {"110121", 53}, {"110200", 77}, {"110201", 66}, {"110210", 68},
	{"110211", 59}, {"110220", 52}, {"110221", 30}, {"111000", 89}, {"111001", 78},
	{"111010", 76}, {"111011", 67}, {"111020", 62}, {"111021", 58}, {"111100", 74},
	{"111101", 59}, {"111110", 57}, {"111111", 57}, {"111120", 47}, {"111121", 23},
	{"111200", 61}, {"111201", 52}, {"111210", 57}, {"111211", 29}, {"111220", 24},
	{"111221", 16}, {"112001", 71}, {"112011", 59}, {"112021", 30}, {"112101", 58},
	{"112111", 26}, {"112121", 15}, {"112201", 23}, {"112211", 13}, {"112221", 6},
	{"200000", 93}, {"200001", 87}, {"200010", 86}, {"200011", 72}, {"200020", 75},
	{"200021", 58}, {"200100", 86}, {"200101", 74}, {"200110", 74}, {"200111", 61},
	{"200120", 56}, {"200121", 34}, {"200200", 70}, {"200201", 54}, {"200210", 52},
	{"200211", 40}, {"200220", 40}, {"200221", 22}, {"201000", 85}, {"201001", 75},
	{"201010", 74}, {"201011", 55}, {"201020", 62}, {"201021", 51}, {"201100", 72},
	{"201101", 57}, {"201110", 55}, {"201111", 41}, {"201120", 46}, {"201121", 19},
	{"201200", 53}, {"201201", 36}, {"201210", 34}, {"201211", 19}, {"201220", 19},
	{"201221", 8}, {"202001", 64}, {"202011", 51}, {"202021", 20}, {"202101", 47},
	{"202111", 21}, {"202121", 11}, {"202201", 24}, {"202211", 9}, {"202221", 4},
	{"210000", 88}, {"210001", 75}, {"210010", 73}, {"210011", 53}, {"210020", 60},
	{"210021", 50}, {"210100", 73}, {"210101", 55}, {"210110", 59}, {"210111", 40},
	{"210120", 41}, {"210121", 20}, {"210200", 54}, {"210201", 43}, {"210210", 45},
	{"210211", 22}, {"210220", 20}, {"210221", 11}, {"211000", 75}, {"211001", 55},
	{"211010", 58}, {"211011", 45}, {"211020", 40}, {"211021", 21}, {"211100", 61},
	{"211101", 51}, {"211110", 48}, {"211111", 18}, {"211120", 20}, {"211121", 9},
	{"211200", 46}, {"211201", 18}, {"211210", 17}, {"211211", 7}, {"211220", 8},
	{"211221", 2}, {"212001", 53}, {"212011", 24}, {"212021", 14}, {"212101", 24},
	{"212111", 12}, {"212121", 5}, {"212201", 10}, {"212211", 3}, {"212221", 1},
};

/* Score x 10 of macrovector e[0..5], or -1 when it does not exist. */
static int macro_score10(const int e[6])
{
	char key[7];
	size_t lo = 0, hi = sizeof(lookup) / sizeof(lookup[0]);

	for (int i = 0; i < 6; i++) {
		if (e[i] < 0 || e[i] > 9)
			return -1;
		key[i] = (char)('0' + e[i]);
	}
	key[6] = '\0';
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, lookup[mid].mv);
		if (c == 0)
			return lookup[mid].score10;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* Severity levels in steps of 0.1 (lower = more severe), as the reference calculator's level
 * tables. SI/SA have the extra level S (Safety, through MSI/MSA:S); SC's scale starts at 1. */
static int level(int metric, char v)
{
	switch (metric) {
	case M_AV: return v == 'N' ? 0 : v == 'A' ? 1 : v == 'L' ? 2 : 3;
	case M_PR: return v == 'N' ? 0 : v == 'L' ? 1 : 2;
	case M_UI: return v == 'N' ? 0 : v == 'P' ? 1 : 2;
	case M_AC: return v == 'L' ? 0 : 1;
	case M_AT: return v == 'N' ? 0 : 1;
	case M_VC: case M_VI: case M_VA: return v == 'H' ? 0 : v == 'L' ? 1 : 2;
	case M_SC: case M_SI: case M_SA: return v == 'S' ? 0 : v == 'H' ? 1 : v == 'L' ? 2 : 3;
	case M_CR: case M_IR: case M_AR: return v == 'H' ? 0 : v == 'M' ? 1 : 2;
	case M_E: return v == 'A' ? 0 : v == 'P' ? 1 : 2;
	default: return 0;
	}
}

/* The most severe vectors of each EQ level ("max composed"), as levels of the EQ's metrics,
 * in the reference calculator's order (the first one not less severe than the vector is used). */
typedef struct { signed char n, v[5][6]; } maxset;

/* EQ1: AV PR UI */
static const maxset eq1_max[3] = {
	{1, {{0, 0, 0}}},                       /* AV:N/PR:N/UI:N */
	{3, {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}, /* AV:A/PR:N/UI:N, AV:N/PR:L/UI:N, AV:N/PR:N/UI:P */
	{2, {{3, 0, 0}, {1, 1, 1}}},            /* AV:P/PR:N/UI:N, AV:A/PR:L/UI:P */
};
/* EQ2: AC AT */
static const maxset eq2_max[2] = {
	{1, {{0, 0}}},         /* AC:L/AT:N */
	{2, {{1, 0}, {0, 1}}}, /* AC:H/AT:N, AC:L/AT:P */
};
/* EQ3 with EQ6: VC VI VA CR IR AR; [eq3][eq6] */
static const maxset eq36_max[3][2] = {
	{
		{1, {{0, 0, 0, 0, 0, 0}}},                     /* H/H/H H/H/H */
		{2, {{0, 0, 1, 1, 1, 0}, {0, 0, 0, 1, 1, 1}}}, /* H/H/L M/M/H, H/H/H M/M/M */
	},
	{
		{2, {{1, 0, 0, 0, 0, 0}, {0, 1, 0, 0, 0, 0}}}, /* L/H/H H/H/H, H/L/H H/H/H */
		{5, {{1, 0, 1, 0, 1, 0},   /* L/H/L H/M/H */
		     {1, 0, 0, 0, 1, 1},   /* L/H/H H/M/M */
		     {0, 1, 0, 1, 0, 1},   /* H/L/H M/H/M */
		     {0, 1, 1, 1, 0, 0},   /* H/L/L M/H/H */
		     {1, 1, 0, 0, 0, 1}}}, /* L/L/H H/H/M */
	},
	{
		{0, {{0}}},                /* EQ3=2 with EQ6=0 cannot occur */
		{1, {{1, 1, 1, 0, 0, 0}}}, /* L/L/L H/H/H */
	},
};
/* EQ4: SC SI SA */
static const maxset eq4_max[3] = {
	{1, {{1, 0, 0}}}, /* SC:H/SI:S/SA:S */
	{1, {{1, 1, 1}}}, /* SC:H/SI:H/SA:H */
	{1, {{2, 2, 2}}}, /* SC:L/SI:L/SA:L */
};
/* EQ5: E */
static const maxset eq5_max[3] = {{1, {{0}}}, {1, {{1}}}, {1, {{2}}}};

/* Depth of each EQ level: the largest severity distance inside it, plus one step. */
static const int eq1_depth[3] = {1, 4, 5};
static const int eq2_depth[2] = {1, 2};
static const int eq36_depth[3][2] = {{7, 6}, {8, 8}, {0, 10}};
static const int eq4_depth[3] = {6, 5, 4};

/* ------------------------------------------------------------------ scoring */

typedef struct v4eff {
	char m[M_COUNT]; /* effective value letter of each scoring metric */
	char msi, msa;   /* MSI/MSA as given ('X' when absent), for EQ4's Safety test */
} v4eff;

/* Effective values: with `bte`, a Modified metric other than X replaces its base metric and
 * E/CR/IR/AR take their values; otherwise (CVSS-B) E=A and CR=IR=AR=H, the worst case the
 * specification assumes when they are Not Defined. */
static void effective(const int *idx, bool bte, v4eff *ef)
{
	static const int modified[M_E] = {
		[M_AV] = M_MAV, [M_AC] = M_MAC, [M_AT] = M_MAT, [M_PR] = M_MPR, [M_UI] = M_MUI,
		[M_VC] = M_MVC, [M_VI] = M_MVI, [M_VA] = M_MVA, [M_SC] = M_MSC, [M_SI] = M_MSI,
		[M_SA] = M_MSA,
	};

	for (int i = 0; i < M_E; i++) {
		int mi = modified[i];
		if (bte && idx[mi] > 0) /* present and not X (index 0) */
			ef->m[i] = v4_defs[mi].values[idx[mi]][0];
		else
			ef->m[i] = v4_defs[i].values[idx[i]][0];
	}
	ef->m[M_E] = bte && idx[M_E] > 0 ? v4_defs[M_E].values[idx[M_E]][0] : 'A';
	for (int i = M_CR; i <= M_AR; i++)
		ef->m[i] = bte && idx[i] > 0 ? v4_defs[i].values[idx[i]][0] : 'H';
	ef->msi = bte && idx[M_MSI] > 0 ? v4_defs[M_MSI].values[idx[M_MSI]][0] : 'X';
	ef->msa = bte && idx[M_MSA] > 0 ? v4_defs[M_MSA].values[idx[M_MSA]][0] : 'X';
}

static void macrovector(const v4eff *f, int e[6])
{
	const char *m = f->m;
	bool av_n = m[M_AV] == 'N', pr_n = m[M_PR] == 'N', ui_n = m[M_UI] == 'N';

	/* EQ1: 0 AV:N and PR:N and UI:N; 1 one of them N (not all), not AV:P; 2 otherwise */
	if (av_n && pr_n && ui_n)
		e[0] = 0;
	else if ((av_n || pr_n || ui_n) && m[M_AV] != 'P')
		e[0] = 1;
	else
		e[0] = 2;
	/* EQ2: 0 AC:L and AT:N; 1 otherwise */
	e[1] = m[M_AC] == 'L' && m[M_AT] == 'N' ? 0 : 1;
	/* EQ3: 0 VC:H and VI:H; 1 one of VC/VI/VA H; 2 none H */
	if (m[M_VC] == 'H' && m[M_VI] == 'H')
		e[2] = 0;
	else if (m[M_VC] == 'H' || m[M_VI] == 'H' || m[M_VA] == 'H')
		e[2] = 1;
	else
		e[2] = 2;
	/* EQ4: 0 MSI:S or MSA:S; 1 one of SC/SI/SA H; 2 otherwise */
	if (f->msi == 'S' || f->msa == 'S')
		e[3] = 0;
	else if (m[M_SC] == 'H' || m[M_SI] == 'H' || m[M_SA] == 'H')
		e[3] = 1;
	else
		e[3] = 2;
	/* EQ5: E:A 0, E:P 1, E:U 2 */
	e[4] = m[M_E] == 'A' ? 0 : m[M_E] == 'P' ? 1 : 2;
	/* EQ6: 0 when a High requirement meets a High impact */
	e[5] = (m[M_CR] == 'H' && m[M_VC] == 'H') || (m[M_IR] == 'H' && m[M_VI] == 'H') ||
			       (m[M_AR] == 'H' && m[M_VA] == 'H')
		       ? 0
		       : 1;
}

/* Distances (in steps) of the vector's levels from one max vector's levels; false when the
 * vector is more severe than it on some metric. */
static bool distances(const int *lv, const int *metrics, const signed char *max, int n, int *d)
{
	bool ok = true;

	*d = 0;
	for (int i = 0; i < n; i++) {
		int x = lv[metrics[i]] - max[i];
		if (x < 0)
			ok = false;
		*d += x;
	}
	return ok;
}

/* Score x 10 of the macrovector one step lower in EQ digit i (and j when >= 0), or -1. */
static int lower_score(const int e[6], int i, int j)
{
	int l[6];

	memcpy(l, e, sizeof(l));
	l[i]++;
	if (j >= 0)
		l[j]++;
	return macro_score10(l);
}

/* Score of the next lower macrovector in each EQ (-1: none). EQ3 and EQ6 move together: 00 has
 * two lower neighbours (01 and 10) and the higher-scored one counts; 10 -> 11; 01 -> 11;
 * 11 -> 21; 21 has none. */
static void lower_scores(const int e[6], int avail[5])
{
	avail[0] = lower_score(e, 0, -1);
	avail[1] = lower_score(e, 1, -1);
	if (e[2] == 0 && e[5] == 0) {
		int left = lower_score(e, 5, -1), right = lower_score(e, 2, -1);
		avail[2] = left > right ? left : right;
	} else if (e[2] == 1 && e[5] == 0) {
		avail[2] = lower_score(e, 5, -1);
	} else if (e[5] == 1 && e[2] < 2) {
		avail[2] = lower_score(e, 2, -1);
	} else {
		avail[2] = lower_score(e, 2, 5);
	}
	avail[3] = lower_score(e, 3, -1);
	avail[4] = lower_score(e, 4, -1);
}

/* Severity distance from the first max vector of the macrovector that is at least as severe as
 * the vector on every metric (the reference tries the combinations in nested order EQ1..EQ5; a
 * combination is acceptable exactly when each part is, so the first acceptable part of each EQ
 * makes the first acceptable combination). */
static void severity_distances(const char *m, const int e[6], int dist[5])
{
	static const int eq1_m[] = {M_AV, M_PR, M_UI}, eq2_m[] = {M_AC, M_AT};
	static const int eq36_m[] = {M_VC, M_VI, M_VA, M_CR, M_IR, M_AR};
	static const int eq4_m[] = {M_SC, M_SI, M_SA}, eq5_m[] = {M_E};
	static const int *const mets[5] = {eq1_m, eq2_m, eq36_m, eq4_m, eq5_m};
	static const int nmets[5] = {3, 2, 6, 3, 1};
	const maxset *sets[5];
	int lv[M_COUNT];
	bool all_found = true;

	for (int i = 0; i < M_COUNT; i++)
		lv[i] = level(i, m[i]);
	sets[0] = &eq1_max[e[0]];
	sets[1] = &eq2_max[e[1]];
	sets[2] = &eq36_max[e[2]][e[5]];
	sets[3] = &eq4_max[e[3]];
	sets[4] = &eq5_max[e[4]];
	for (int k = 0; k < 5; k++) {
		bool found = false;
		for (int c = 0; c < sets[k]->n && !found; c++)
			found = distances(lv, mets[k], sets[k]->v[c], nmets[k], &dist[k]);
		all_found = all_found && found;
	}
	/* No acceptable combination: the reference's loop ends on the last one, i.e. the last max
	 * vector of every EQ. Not reached by any valid vector we know of. */
	if (!all_found)
		for (int k = 0; k < 5; k++)
			(void)distances(lv, mets[k], sets[k]->v[sets[k]->n - 1], nmets[k], &dist[k]);
}

/* value minus the mean over EQs with a lower macrovector of (score gap x distance / depth),
 * computed as a fraction num / den in tenths (den = n_lower x product of the depths), clamped to
 * [0, 100] and rounded half up. */
static int interpolate(int value, int avail[5], const int dist[5], const int depth[5])
{
	bool has_lower[5];
	int n_lower = 0;
	long long den = 1, num = 0, p, r;

	for (int k = 0; k < 5; k++) {
		has_lower[k] = avail[k] >= 0;
		if (has_lower[k]) {
			avail[k] = value - avail[k];
			n_lower++;
		}
		den *= depth[k];
	}
	if (n_lower == 0)
		return value;
	for (int k = 0; k < 5; k++)
		if (has_lower[k])
			num += (long long)avail[k] * dist[k] * (den / depth[k]);
	den *= n_lower;
	p = (long long)value * den - num;
	if (p <= 0)
		return 0;
	r = (2 * p + den) / (2 * den);
	return r > 100 ? 100 : (int)r;
}

static int score10(const v4eff *f)
{
	const char *m = f->m;
	int e[6], value;
	int dist[5] = {0}, depth[5], avail[5];

	/* no impact on either system: 0.0 whatever else the vector says */
	if (m[M_VC] == 'N' && m[M_VI] == 'N' && m[M_VA] == 'N' && m[M_SC] == 'N' &&
	    m[M_SI] == 'N' && m[M_SA] == 'N')
		return 0;
	macrovector(f, e);
	value = macro_score10(e);
	if (value < 0)
		return -1; /* cannot happen for a vector that parsed; kept as a guard */
	lower_scores(e, avail);
	severity_distances(m, e, dist);
	depth[0] = eq1_depth[e[0]];
	depth[1] = eq2_depth[e[1]];
	depth[2] = eq36_depth[e[2]][e[5]];
	depth[3] = eq4_depth[e[3]];
	depth[4] = 1;
	dist[4] = 0; /* EQ5's proportion is always 0 in the reference */
	return interpolate(value, avail, dist, depth);
}

int ld_cvss4_score10(ld_slice body, bool bte, int *out)
{
	int idx[M_COUNT];
	v4eff f;
	int rc, s;

	rc = ld_cvss_parse_metrics(body, v4_defs, M_COUNT, idx);
	if (rc)
		return rc;
	effective(idx, bte, &f);
	s = score10(&f);
	if (s < 0)
		return LADING_EINVALID;
	*out = s;
	return 0;
}

int ld_cvss4_score_bte(const char *vector, size_t len, double *score)
{
	ld_slice s = ld_slice_trim(ld_slice_make(vector, len));
	int t, rc;

	if (!vector || !ld_slice_starts_with(s, "CVSS:4.0/"))
		return LADING_EINVALID;
	rc = ld_cvss4_score10(ld_slice_sub(s, 9, s.len), true, &t);
	if (rc)
		return rc;
	*score = t / 10.0;
	return 0;
}
