/* The writer-facing entry points of the feed importers: each wraps ld_vdb_import_<feed>_to() with
 * a tap that stores into the SQLite writer. Kept in their own file so that the parsers, their unit
 * tests and the fuzz harnesses link without the writer. */
#include "util/common.h"
#include "vulndb/importers.h"

static int w_advisory(void *w, const ld_vdb_advisory *a)
{
	return ld_vdb_put_advisory(w, a);
}
static int w_kev(void *w, const ld_vdb_kev *k)
{
	return ld_vdb_put_kev(w, k);
}
static int w_epss(void *w, const char *cve, double score, double percentile)
{
	return ld_vdb_put_epss(w, cve, score, percentile);
}
static int w_nvd(void *w, const ld_vdb_nvd *n)
{
	return ld_vdb_put_nvd(w, n);
}
static int w_cpe_match(void *w, const ld_vdb_cpe_match *m)
{
	return ld_vdb_put_cpe_match(w, m);
}

void ld_vdb_tap_writer(ld_vdb_tap *tap, ld_vdb_writer *w)
{
	tap->advisory = w_advisory;
	tap->kev = w_kev;
	tap->epss = w_epss;
	tap->nvd = w_nvd;
	tap->cpe_match = w_cpe_match;
	tap->opaque = w;
}

#define SINK_FOR(w)                                                                                \
	ld_vdb_tap tap_;                                                                           \
	ld_vdb_sink out_ = {&tap_, NULL};                                                          \
	ld_vdb_tap_writer(&tap_, (w))

int ld_vdb_import_secdb(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
			lading_ctx *ctx)
{
	SINK_FOR(w);
	return ld_vdb_import_secdb_to(&out_, path, res, ctx);
}

int ld_vdb_import_debian_dsa(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
			     lading_ctx *ctx)
{
	SINK_FOR(w);
	return ld_vdb_import_debian_list_to(&out_, path, "debian-dsa", res, ctx);
}

int ld_vdb_import_debian_dla(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
			     lading_ctx *ctx)
{
	SINK_FOR(w);
	return ld_vdb_import_debian_list_to(&out_, path, "debian-dla", res, ctx);
}

int ld_vdb_import_debian_tracker(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
				 lading_ctx *ctx)
{
	SINK_FOR(w);
	return ld_vdb_import_debian_tracker_to(&out_, path, res, ctx);
}

int ld_vdb_import_kev(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
		      lading_ctx *ctx)
{
	SINK_FOR(w);
	return ld_vdb_import_kev_to(&out_, path, res, ctx);
}

int ld_vdb_import_epss(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
		       lading_ctx *ctx)
{
	SINK_FOR(w);
	return ld_vdb_import_epss_to(&out_, path, res, ctx);
}

int ld_vdb_import_nvd(ld_vdb_writer *w, const char *path, ld_vdb_import_result *res,
		      lading_ctx *ctx)
{
	SINK_FOR(w);
	return ld_vdb_import_nvd_to(&out_, path, res, ctx);
}
