/* Country of a source address from an MMDB database with libmaxminddb (its only user). Reads
 * the layouts in use: MaxMind's GeoIP2/GeoLite2 Country and City ("country" -> "iso_code", else
 * "registered_country" -> "iso_code") and the ip-location-db country files ("country_code"). */
#include <maxminddb.h>

#include "util/common.h"
#include "honeypot/analysis.h"

struct ld_hp_geoip {
	MMDB_s db;
	char description[256];
};

int ld_hp_geoip_open(ld_hp_geoip **out, const char *path, lading_ctx *ctx)
{
	ld_hp_geoip *g = calloc(1, sizeof(*g));
	int e;
	*out = NULL;
	if (!g)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	e = MMDB_open(path, MMDB_MODE_MMAP, &g->db);
	if (e != MMDB_SUCCESS) {
		free(g);
		return ld_error_set(ctx,
				    e == MMDB_FILE_OPEN_ERROR ? LADING_ENOTFOUND : LADING_EINVALID,
				    "GeoIP database %s: %s", path, MMDB_strerror(e));
	}
	ld_snprintf(g->description, sizeof(g->description), "%s (%s, built %llu)", path,
		    g->db.metadata.database_type ? g->db.metadata.database_type : "mmdb",
		    (unsigned long long)g->db.metadata.build_epoch);
	*out = g;
	return 0;
}

static bool code(MMDB_entry_s *entry, char out[3], const char *const *path)
{
	MMDB_entry_data_s d;
	if (MMDB_aget_value(entry, &d, path) != MMDB_SUCCESS || !d.has_data ||
	    d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size != 2)
		return false;
	for (int i = 0; i < 2; i++) {
		char ch = d.utf8_string[i];
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch < 'A' || ch > 'Z')
			return false;
		out[i] = ch;
	}
	out[2] = '\0';
	return true;
}

void ld_hp_geoip_country(ld_hp_geoip *g, const char *ip, char out[3])
{
	static const char *const p1[] = {"country", "iso_code", NULL};
	static const char *const p2[] = {"country_code", NULL};
	static const char *const p3[] = {"registered_country", "iso_code", NULL};
	int gai = 0, e = 0;
	MMDB_lookup_result_s res;
	ld_strlcpy(out, "??", 3);
	if (!g)
		return;
	res = MMDB_lookup_string(&g->db, ip, &gai, &e);
	if (gai || e != MMDB_SUCCESS || !res.found_entry)
		return;
	if (!code(&res.entry, out, p1) && !code(&res.entry, out, p2) && !code(&res.entry, out, p3))
		ld_strlcpy(out, "??", 3);
}

const char *ld_hp_geoip_description(const ld_hp_geoip *g)
{
	return g ? g->description : NULL;
}

void ld_hp_geoip_close(ld_hp_geoip *g)
{
	if (!g)
		return;
	MMDB_close(&g->db);
	free(g);
}
