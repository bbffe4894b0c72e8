/* lading_db_ensure: the database policy of commands that need a database (vulndb.h). */
#include "util/common.h"
#include "lading/vulndb.h"

/* Retries of the download when a database is first obtained (the caller may set its own). */
#define ENSURE_FIRST_RETRIES 1

int lading_db_present(const char *db_path)
{
	struct stat st;
	return db_path && stat(db_path, &st) == 0;
}

/* Feeds of the report that were imported (or were current). */
static size_t feeds_ok(const lading_db_report *rep)
{
	size_t ok = 0;
	for (size_t i = 0; i < rep->nfeeds; i++)
		ok += !strcmp(rep->feeds[i].status, "ok");
	return ok;
}

int lading_db_ensure(const lading_db_options *opts, int rebuild, size_t *failed_feeds, lading_ctx *ctx)
{
	lading_db_options o = *opts;
	lading_db_report *rep = NULL;
	int rc;

	if (failed_feeds)
		*failed_feeds = 0;
	if (!o.db_path)
		return ld_error_set(ctx, LADING_EUSAGE, "no database path given");
	if (!rebuild && lading_db_present(o.db_path))
		return 0;
	if (o.mirror) {
		rc = lading_db_build(&o, &rep, ctx);
	} else {
		if (o.retries < 0)
			o.retries = ENSURE_FIRST_RETRIES;
		rc = lading_db_update(&o, &rep, ctx);
	}
	if (rep && !feeds_ok(rep)) {
		/* a database without a single feed would report every image clean */
		if (!rc)
			rc = LADING_ENET;
		if (!rebuild)
			unlink(o.db_path);
	} else if (rep && failed_feeds) {
		*failed_feeds = rep->failed;
	}
	lading_db_report_free(rep);
	if (!rc && !lading_db_present(o.db_path))
		rc = LADING_ENOTFOUND;
	if (rc && !lading_ctx_error(ctx)->msg[0])
		ld_error_set(ctx, rc, "no feed could be downloaded");
	return rc;
}
