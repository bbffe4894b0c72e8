/* RPM databases: detect the format, let its backend walk the stored header blobs, parse each
 * blob into a package. One bad header is a warning; a bad DB is an error. */
#include "util/common.h"

#include "catalog/rpmdb.h"
#include "util/vec.h"

/* Named limits. A full distribution installs a few thousand packages. */
#define RPMDB_MAX_PACKAGES ((size_t)200000) /* packages in one DB */

typedef struct collect {
	ld_vec pkgs; /* ld_rpm_pkg */
	ld_arena *a;
	lading_ctx *ctx;
	const char *label;
} collect;

static int collect_blob(void *opaque, uint64_t id, const uint8_t *blob, size_t len)
{
	collect *c = opaque;
	ld_rpm_pkg pkg, *slot;
	int rc;

	rc = ld_rpm_header_parse(blob, len, c->a, &pkg, c->ctx);
	if (rc) {
		/* An exhausted arena is the caller's budget, not this header's fault: stop. */
		if (c->a->err || rc == LADING_ENOMEM)
			return rc;
		ld_warn(c->ctx, "%s: skipped rpm header #%" PRIu64 ": %s", c->label, id,
			lading_ctx_error(c->ctx)->msg);
		ld_error_clear(c->ctx);
		return 0;
	}
	if (ld_vec_full(&c->pkgs))
		return ld_error_set(c->ctx, LADING_ELIMIT, "%s: more than %zu packages", c->label,
				    RPMDB_MAX_PACKAGES);
	if (!(slot = ld_vec_push(&c->pkgs)))
		return ld_error_set(c->ctx, LADING_ENOMEM, "%s: out of memory", c->label);
	*slot = pkg;
	return 0;
}

ld_rpmdb_kind ld_rpmdb_detect(const uint8_t *p, size_t len)
{
	static const char sqlite_magic[16] = "SQLite format 3";
	if (len >= 16 && memcmp(p, sqlite_magic, 16) == 0)
		return LD_RPMDB_SQLITE;
	if (len >= 4 && memcmp(p, "RpmP", 4) == 0)
		return LD_RPMDB_NDB;
	/* Berkeley DB metadata page: hash magic at offset 12, in either byte order */
	if (len >= 16 && ((p[12] == 0x61 && p[13] == 0x15 && p[14] == 0x06 && p[15] == 0x00) ||
			  (p[12] == 0x00 && p[13] == 0x06 && p[14] == 0x15 && p[15] == 0x61)))
		return LD_RPMDB_BDB;
	return LD_RPMDB_AUTO;
}

int ld_rpmdb_read(const uint8_t *p, size_t len, ld_rpmdb_kind kind, ld_arena *a, ld_rpm_pkg **out,
		  size_t *n, lading_ctx *ctx, const char *label)
{
	collect c;
	ld_rpm_pkg *arr = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if (!label)
		label = "rpmdb";
	if (kind == LD_RPMDB_AUTO && (kind = ld_rpmdb_detect(p, len)) == LD_RPMDB_AUTO)
		return ld_error_set(
			ctx, LADING_EUNSUPPORTED,
			"%s: not an rpm database (no sqlite, Berkeley DB hash or ndb magic)",
			label);
	memset(&c, 0, sizeof(c));
	ld_vec_init(&c.pkgs, sizeof(ld_rpm_pkg), RPMDB_MAX_PACKAGES);
	c.a = a;
	c.ctx = ctx;
	c.label = label;

	switch (kind) {
	case LD_RPMDB_SQLITE:
		rc = ld_rpmdb_sqlite_foreach(p, len, collect_blob, &c, ctx, label);
		break;
	case LD_RPMDB_BDB: rc = ld_rpmdb_bdb_foreach(p, len, collect_blob, &c, ctx, label); break;
	case LD_RPMDB_NDB: rc = ld_rpmdb_ndb_foreach(p, len, collect_blob, &c, ctx, label); break;
	default:
		rc = ld_error_set(ctx, LADING_EUSAGE, "%s: unknown rpm database kind %d", label,
				  (int)kind);
	}
	if (rc)
		goto out;
	if (c.pkgs.len) {
		if (!(arr = ld_arena_memdup(a, c.pkgs.ptr, c.pkgs.len * sizeof(ld_rpm_pkg)))) {
			rc = ld_error_set(ctx, a->err ? a->err : LADING_ENOMEM, "%s: out of memory",
					  label);
			goto out;
		}
	}
	*out = arr;
	*n = c.pkgs.len;
out:
	ld_vec_release(&c.pkgs);
	return rc;
}
