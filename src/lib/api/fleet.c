/* lading_fleet_report: load the fleet data (an exported inventory or the inventory store, whose
 * census records are assessed by the census stage), the famous table, compute the statistics
 * and render them. */
#include <sys/mman.h>
#include <time.h>

#include "util/common.h"
#include "util/stream.h"
#include "store/fleet_data.h"
#include "report/fleet.h"
#include "api/formats.h"

#include "lading/census.h"
#include "lading/vulndb.h"
#include "lading/fleet.h"
#include "lading/inventory.h"

#define FLEET_FILE_MAX ((size_t)4 << 30) /* an exported inventory */
#define FAMOUS_FILE_MAX ((size_t)16 << 20)

static int read_file(ld_buf *out, const char *path, size_t max, lading_ctx *ctx)
{
	ld_stream *s = NULL;
	int rc = ld_stream_file(&s, ctx, path);
	ld_buf_init(out, max + 1);
	if (rc)
		return rc;
	rc = ld_stream_read_all(s, out, max, path);
	ld_stream_close(s);
	return rc;
}

static int load_famous(ld_famous *fm, const lading_fleet_options *o, lading_ctx *ctx)
{
	int rc = ld_famous_load_builtin(fm, ctx);
	for (size_t i = 0; !rc && i < o->famous_count; i++) {
		ld_buf b;
		if (!(rc = read_file(&b, o->famous_files[i], FAMOUS_FILE_MAX, ctx)))
			rc = ld_famous_parse(fm, b.ptr ? b.ptr : "", b.len, o->famous_files[i], ctx);
		ld_buf_release(&b);
	}
	return rc;
}

/* The export is mapped, not read: it can be tens of MB, and on this kind of VM first-touch page
 * faults of a copy cost more than parsing it. */
static int load_export(ld_fleet_data *d, const char *path, lading_ctx *ctx)
{
	struct stat sb;
	void *p;
	int rc, fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ld_error_set_path(ctx, errno == ENOENT ? LADING_ENOTFOUND : LADING_EIO, path, 0, "%s: %s", path,
					 strerror(errno));
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		return ld_error_set_path(ctx, LADING_EIO, path, 0, "%s: not a regular file", path);
	}
	if ((uint64_t)sb.st_size > FLEET_FILE_MAX) {
		close(fd);
		return ld_error_set(ctx, LADING_ELIMIT, "%s: %lld bytes (limit %zu)", path, (long long)sb.st_size,
				    FLEET_FILE_MAX);
	}
	if (!sb.st_size) {
		close(fd);
		return ld_fleet_data_parse_json(d, "", 0, ctx, path);
	}
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return ld_error_set_path(ctx, LADING_EIO, path, 0, "%s: %s", path, strerror(errno));
	rc = ld_fleet_data_parse_json(d, p, (size_t)sb.st_size, ctx, path);
	munmap(p, (size_t)sb.st_size);
	return rc;
}

/* The census products of the store judged as `lading census report` judges them (the census
 * stage's own assessment, with the vulnerability database): behind the newest version,
 * vulnerable, known exploited. Without a database these stay unknown ("not assessed"). */
#ifdef LADING_HAVE_CENSUS
static int assess_census(ld_fleet_data *d, const lading_fleet_options *o, const char *store, lading_ctx *ctx)
{
	lading_census *c = NULL;
	lading_census_assessment *a = NULL;
	ld_fleet_census_product *p = (ld_fleet_census_product *)d->census.products;
	const char *db = o->version >= 2 ? o->db : NULL;
	char def[4096];
	int rc;

	if (!d->census.present)
		return 0;
	if (!db) {
		if (lading_db_default_path(def, sizeof(def)) || access(def, R_OK))
			return 0;
		db = def;
	}
	if ((rc = lading_census_load(&c, store, ctx)) || (rc = lading_census_assess(&a, ctx, c, db)))
		goto out;
	for (size_t i = 0; i < lading_census_product_count(a); i++) {
		const lading_census_product_stat *ps = lading_census_product(a, i);
		for (size_t k = 0; k < d->census.product_count; k++)
			if (ps->product && !strcmp(p[k].product, ps->product)) {
				p[k].behind = ps->behind;
				p[k].vulnerable = ps->vulnerable;
				p[k].kev = ps->kev;
				if (ps->name && !p[k].name)
					p[k].name = ld_arena_strdup(&d->arena, ps->name);
			}
	}
out:
	lading_census_assessment_free(a);
	lading_census_free(c);
	return rc;
}
#else
/* Built without the census component: the store's products stay "not assessed". */
static int assess_census(ld_fleet_data *d, const lading_fleet_options *o, const char *store, lading_ctx *ctx)
{
	(void)d, (void)o, (void)store, (void)ctx;
	return 0;
}
#endif

static int load_data(ld_fleet_data *d, const lading_fleet_options *o, bool assess, lading_ctx *ctx)
{
	lading_store *s = NULL;
	char def[4096];
	const char *url = o->store;
	int rc;
	if (o->from)
		return load_export(d, o->from, ctx);
	if ((rc = lading_store_open(&s, ctx, url)))
		return rc;
	rc = ld_store_load_fleet(s, d, ctx);
	lading_store_close(s);
	if (rc || !assess)
		return rc;
	if (!url || !*url) {
		if (lading_store_default_url(def, sizeof(def)))
			return 0;
		url = def;
	}
	return assess_census(d, o, url, ctx);
}

static int render(ld_buf *b, const ld_fleet_stats *st, lading_format fmt, lading_ctx *ctx)
{
	const ld_format_row *row = ld_format_find(LADING_REPORT_FLEET, fmt);
	if (row)
		return row->w.fleet(b, st);
	return ld_error_set(ctx, LADING_EUSAGE, "fleet reports are table, json or html");
}

static int parse_times(ld_fleet_opts *fo, const lading_fleet_options *o, lading_ctx *ctx)
{
	fo->since = LD_FLEET_TIME_UNKNOWN;
	fo->now = (int64_t)time(NULL);
	if (o->since && !ld_fleet_parse_time(o->since, &fo->since))
		return ld_error_set(ctx, LADING_EUSAGE, "--since '%s': not a date (YYYY-MM-DD or RFC 3339)", o->since);
	if (o->now && !ld_fleet_parse_time(o->now, &fo->now))
		return ld_error_set(ctx, LADING_EUSAGE, "now '%s': not an RFC 3339 time", o->now);
	return 0;
}

int lading_fleet_export(char **out, size_t *len, lading_ctx *ctx, const lading_fleet_options *o)
{
	ld_fleet_data d;
	ld_buf b = LD_BUF_INIT;
	int rc;
	*out = NULL;
	*len = 0;
	ld_error_clear(ctx);
	if (!o || o->version < 1)
		return ld_error_set(ctx, LADING_EUSAGE, "fleet options: unknown version");
	ld_fleet_data_init(&d);
	if (!(rc = load_data(&d, o, false, ctx)) && !(rc = ld_fleet_data_write_json(&b, &d)) && ld_buf_error(&b))
		rc = ld_error_set(ctx, ld_buf_error(&b), "fleet export too large");
	if (!rc)
		*out = ld_buf_detach(&b, len);
	ld_buf_release(&b);
	ld_fleet_data_release(&d);
	return rc;
}

int lading_fleet_report(char **out, size_t *len, lading_ctx *ctx, const lading_fleet_options *o,
			lading_format fmt)
{
	ld_fleet_opts fo = {0};
	ld_fleet_data d;
	ld_fleet_stats st;
	ld_famous fm;
	ld_buf b = LD_BUF_INIT;
	int rc;
	*out = NULL;
	*len = 0;
	ld_error_clear(ctx);
	if (!o || o->version < 1)
		return ld_error_set(ctx, LADING_EUSAGE, "fleet options: unknown version");
	ld_fleet_data_init(&d);
	ld_famous_init(&fm);
	memset(&st, 0, sizeof(st));
	fo.group_by = o->group_by;
	fo.official_re = o->official;
	fo.history = o->history;
	fo.famous = &fm;
	if ((rc = parse_times(&fo, o, ctx)) || (rc = load_famous(&fm, o, ctx)) || (rc = load_data(&d, o, true, ctx)) ||
	    (rc = ld_fleet_stats_compute(&st, &d, &fo, ctx)))
		goto out;
	if (!(rc = render(&b, &st, fmt, ctx)) && ld_buf_error(&b))
		rc = ld_error_set(ctx, ld_buf_error(&b), "fleet report too large");
	if (!rc)
		*out = ld_buf_detach(&b, len);
out:
	ld_buf_release(&b);
	ld_fleet_stats_release(&st);
	ld_famous_release(&fm);
	ld_fleet_data_release(&d);
	return rc;
}
