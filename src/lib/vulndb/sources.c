/* The feeds lading knows, in one table: name, source family (the `--source NAME` of db update),
 * place in the mirror layout, upstream URL, which files of its directory it needs, importer.
 * `db build --mirror` (builder.c) and `db update` (update.c) both read their feeds from it, so
 * the mirror, a mirror served over HTTP and the update cache share one layout. Adding a feed =
 * its importer file + one line here. */
#include <time.h>

#include "util/common.h"
#include "version/ecosystems.h"
#include "vulndb/builder.h"
#include "vulndb/importers.h"
#include "vulndb/osv.h"

/* Upstream locations (../shared/README.md lists them). */
#define OSV_BASE "https://osv-vulnerabilities.storage.googleapis.com"
#define SECDB_BASE "https://secdb.alpinelinux.org"
#define DEBIAN_LIST_BASE                                                                           \
	"https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data/"
#define DEBIAN_TRACKER_URL "https://security-tracker.debian.org/tracker/data/json"
#define KEV_BASE "https://www.cisa.gov/sites/default/files/feeds"
#define EPSS_BASE "https://epss.empiricalsecurity.com"
#define NVD_BASE "https://nvd.nist.gov/feeds/json/cve/2.0"

/* Alpine branches probed where there is no listing: v3.2 .. v3.S_LAST_MINOR and edge. */
#define S_LAST_MINOR 24
#define S_FIRST_NVD_YEAR 2002
#define S_FIRST_EPSS_YEAR 1999


static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcmp(s + n - m, suf);
}

static int this_year(void)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	return tm.tm_year + 1900;
}

/* ---- osv/<Ecosystem>/all.zip */
static bool want_osv(const char *rel, bool dir)
{
	const char *slash = strchr(rel, '/');
	return dir ? !slash : slash && !strcmp(slash, "/all.zip") && !strchr(slash + 1, '/');
}

/* The OSV ecosystems asked for where there is no listing: those of the ecosystem table that
 * lading has catalogers or comparators for (LD_ECO_OSV_FETCH). */
static int known_osv(ld_vdb_name_fn add, void *o, bool upstream)
{
	size_t n;
	const ld_ecosystem *eco = ld_ecosystems(&n);
	int rc = 0;
	(void)upstream;
	for (size_t i = 0; !rc && i < n; i++) {
		char rel[128];
		if (!(eco[i].flags & LD_ECO_OSV_FETCH))
			continue;
		ld_snprintf(rel, sizeof(rel), "%s/all.zip", eco[i].name);
		rc = add(o, rel);
	}
	return rc;
}

/* ---- alpine-secdb/v3.X/{main,community}.{json,yaml} */
static bool secdb_branch(const char *s, size_t n)
{
	if (n == 4 && !strncmp(s, "edge", 4))
		return true;
	if (n < 4 || strncmp(s, "v3.", 3))
		return false;
	for (size_t i = 3; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool want_secdb(const char *rel, bool dir)
{
	static const char *const files[] = {"main.json", "community.json", "main.yaml",
					    "community.yaml"};
	const char *slash = strchr(rel, '/');
	if (dir)
		return !slash && secdb_branch(rel, strlen(rel));
	if (!slash || !secdb_branch(rel, (size_t)(slash - rel)))
		return false;
	for (size_t i = 0; i < LD_ARRAY_LEN(files); i++)
		if (!strcmp(slash + 1, files[i]))
			return true;
	return false;
}

static int known_secdb(ld_vdb_name_fn add, void *o, bool upstream)
{
	int rc = 0;
	(void)upstream;
	for (int minor = 2; !rc && minor <= S_LAST_MINOR + 1; minor++) {
		char br[16], rel[64];
		if (minor > S_LAST_MINOR)
			ld_strlcpy(br, "edge", sizeof(br));
		else
			ld_snprintf(br, sizeof(br), "v3.%d", minor);
		ld_snprintf(rel, sizeof(rel), "%s/main.json", br);
		if (!(rc = add(o, rel))) {
			ld_snprintf(rel, sizeof(rel), "%s/community.json", br);
			rc = add(o, rel);
		}
	}
	return rc;
}

/* ---- kev/known_exploited_vulnerabilities.json */
static bool want_kev(const char *rel, bool dir)
{
	return !dir && !strcmp(rel, "known_exploited_vulnerabilities.json");
}

static int known_kev(ld_vdb_name_fn add, void *o, bool upstream)
{
	(void)upstream;
	return add(o, "known_exploited_vulnerabilities.json");
}

/* ---- epss/: CVE_<YEAR>_EPSS.csv (the mirror) or epss_scores-<date|current>.csv.gz */
static bool want_epss(const char *rel, bool dir)
{
	if (dir || strchr(rel, '/'))
		return false;
	if (!strncmp(rel, "CVE_", 4))
		return ends_with(rel, "_EPSS.csv") || ends_with(rel, "_EPSS.csv.gz");
	return !strncmp(rel, "epss_scores-", 12) &&
	       (ends_with(rel, ".csv") || ends_with(rel, ".csv.gz"));
}

static int known_epss(ld_vdb_name_fn add, void *o, bool upstream)
{
	int rc = add(o, "epss_scores-current.csv.gz");
	/* the per-year files are a mirror's form: upstream publishes the daily file only */
	for (int y = S_FIRST_EPSS_YEAR; !rc && !upstream && y <= this_year() + 1; y++) {
		char rel[64];
		ld_snprintf(rel, sizeof(rel), "CVE_%d_EPSS.csv", y);
		rc = add(o, rel);
	}
	return rc;
}

/* The importer reads the newest daily file alone when there is one ("current" sorts after the
 * dates): fetch that one only (a mirror may keep a year of them). */
static void pick_epss(const char *const *rels, size_t n, bool *keep)
{
	const char *newest = NULL;
	for (size_t i = 0; i < n; i++)
		if (!strncmp(rels[i], "epss_scores-", 12) && (!newest || strcmp(rels[i], newest) > 0))
			newest = rels[i];
	for (size_t i = 0; newest && i < n; i++)
		keep[i] = rels[i] == newest;
}

/* ---- nvd/: nvdcve-<1.1|2.0>-<year|modified|recent>.{json.gz,meta} */
static bool want_nvd(const char *rel, bool dir)
{
	if (dir || strchr(rel, '/'))
		return false;
	if (strncmp(rel, "nvdcve-1.1-", 11) && strncmp(rel, "nvdcve-2.0-", 11))
		return false;
	return ends_with(rel, ".json.gz") || ends_with(rel, ".json") || ends_with(rel, ".meta");
}

static int known_nvd(ld_vdb_name_fn add, void *o, bool upstream)
{
	static const char *const flavors[] = {"2.0", "1.1"};
	int rc = 0, last = this_year();
	/* upstream publishes 2.0 only (1.1 was retired); a mirror may hold either */
	for (size_t f = 0; !rc && f < (upstream ? 1u : 2u); f++) {
		for (int y = S_FIRST_NVD_YEAR; !rc && y <= last + 2; y++) {
			char stem[64], rel[80];
			if (y == last + 1)
				ld_snprintf(stem, sizeof(stem), "nvdcve-%s-modified", flavors[f]);
			else if (y == last + 2)
				ld_snprintf(stem, sizeof(stem), "nvdcve-%s-recent", flavors[f]);
			else
				ld_snprintf(stem, sizeof(stem), "nvdcve-%s-%d", flavors[f], y);
			ld_snprintf(rel, sizeof(rel), "%s.json.gz", stem);
			if (!(rc = add(o, rel))) {
				ld_snprintf(rel, sizeof(rel), "%s.meta", stem);
				rc = add(o, rel);
			}
		}
	}
	return rc;
}

/* One line per feed. Names ending in '/' stand for one feed per subdirectory of `dir`. */
static const ld_vdb_feed_desc feed_table[] = {
	{"osv/", "osv", "osv", NULL, OSV_BASE, want_osv, known_osv, ld_vdb_import_osv, NULL},
	{"alpine-secdb", "alpine-secdb", "alpine-secdb", NULL, SECDB_BASE, want_secdb, known_secdb,
	 ld_vdb_import_secdb, NULL},
	{"debian-dsa", "debian", "debian", "DSA.list", DEBIAN_LIST_BASE "DSA/list", NULL, NULL,
	 ld_vdb_import_debian_dsa, NULL},
	{"debian-dla", "debian", "debian", "DLA.list", DEBIAN_LIST_BASE "DLA/list", NULL, NULL,
	 ld_vdb_import_debian_dla, NULL},
	{"debian-tracker", "debian", "debian", "tracker.json|tracker.json.gz|json",
	 DEBIAN_TRACKER_URL, NULL, NULL, ld_vdb_import_debian_tracker, NULL},
	{"kev", "kev", "kev", NULL, KEV_BASE, want_kev, known_kev, ld_vdb_import_kev, NULL},
	{"epss", "epss", "epss", NULL, EPSS_BASE, want_epss, known_epss, ld_vdb_import_epss,
	 pick_epss},
	{"nvd", "nvd", "nvd", NULL, NVD_BASE, want_nvd, known_nvd, ld_vdb_import_nvd, NULL},
};

const ld_vdb_feed_desc *ld_vdb_feed_descs(size_t *n)
{
	*n = LD_ARRAY_LEN(feed_table);
	return feed_table;
}

const ld_vdb_feed_desc *ld_vdb_feed_find(const char *name)
{
	for (size_t i = 0; i < LD_ARRAY_LEN(feed_table); i++) {
		const ld_vdb_feed_desc *d = &feed_table[i];
		size_t n = strlen(d->name);
		if (d->name[n - 1] == '/' ? !strncmp(name, d->name, n) && name[n] &&
						    !strchr(name + n, '/')
					  : !strcmp(name, d->name))
			return d;
	}
	return NULL;
}

int ld_vdb_feed_lookup(const char *name, ld_vdb_feed_kind *out)
{
	const ld_vdb_feed_desc *d = ld_vdb_feed_find(name);
	memset(out, 0, sizeof(*out));
	if (!d)
		return LADING_ENOTFOUND;
	out->family = d->family;
	out->fn = d->fn;
	return 0;
}
