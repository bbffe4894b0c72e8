/* CISA Known Exploited Vulnerabilities catalog (known_exploited_vulnerabilities.json):
 *   {"title", "catalogVersion": "2025.08.25", "dateReleased": "2025-08-25T17:04:19.9796Z", "count",
 *    "vulnerabilities": [{"cveID", "vendorProject", "product", "vulnerabilityName", "dateAdded",
 *      "shortDescription", "requiredAction", "dueDate", "knownRansomwareCampaignUse", "notes",
 *      "cwes": [...]}]}
 * One ld_vdb_kev per entry. `notes` and `cwes` are read and checked but ld_vdb_kev has no place
 * for them yet (docs/vulndb.md). The file is ~1.3 MB: parsed as one tree. */
#include "util/common.h"
#include "util/json.h"
#include "vulndb/feed.h"
#include "vulndb/importers.h"

/* Named limits. */
#define KEV_MAX_FILE ((size_t)256 << 20) /* the real catalog is 1.3 MB */
#define KEV_MAX_DEPTH 16u		 /* the format nests 3 deep */
#define KEV_MAX_FIELD 65536u		 /* bytes of one text field */

static const char *field(const ld_json *e, const char *key, bool *bad)
{
	const ld_json *v = ld_json_get(e, key);
	if (!v || ld_json_is(v, LD_JSON_NULL))
		return NULL;
	if (!ld_json_is(v, LD_JSON_STRING) || v->n > KEV_MAX_FIELD || memchr(v->u.s, '\0', v->n)) {
		*bad = true;
		return NULL;
	}
	return v->n ? v->u.s : NULL;
}

int ld_vdb_parse_kev(const ld_vdb_sink *out, const char *p, size_t len, const char *name,
		     ld_vdb_import_result *res, lading_ctx *ctx)
{
	ld_arena a;
	ld_json *root = NULL;
	const ld_json *vulns, *e;
	ld_json_limits lim = {.max_depth = KEV_MAX_DEPTH};
	int rc;

	name = name ? name : "kev";
	if (len > KEV_MAX_FILE)
		return ld_error_set_path(ctx, LADING_ELIMIT, name, 0, "%s: larger than %zu bytes",
					 name, KEV_MAX_FILE);
	ld_arena_init(&a, 0);
	LD_FEED_COUNT(out, files, 1);
	rc = ld_json_parse(&root, &a, p, len, &lim, ctx, name);
	if (rc)
		goto out;
	vulns = ld_json_get(root, "vulnerabilities");
	if (!ld_json_is(vulns, LD_JSON_ARRAY)) {
		rc = ld_error_set_path(ctx, LADING_EINVALID, name, 0,
				       "%s: not a CISA KEV catalog (no \"vulnerabilities\" list)",
				       name);
		goto out;
	}
	{
		const char *d = ld_json_get_str(root, "dateReleased");
		const char *v = ld_json_get_str(root, "catalogVersion");
		if (d && *d)
			ld_feed_snapshot(res, d, strlen(d));
		else if (v && *v)
			ld_feed_snapshot(res, v, strlen(v));
	}
	ld_json_foreach_item(vulns, i, e) {
		ld_vdb_kev k;
		bool bad = false;
		const ld_json *cwes = ld_json_get(e, "cwes");
		char shown[64];

		LD_FEED_COUNT(out, rows, 1);
		memset(&k, 0, sizeof(k));
		k.cve = field(e, "cveID", &bad);
		if (!k.cve || !ld_feed_is_cve(ld_slice_cstr(k.cve))) {
			ld_feed_printable(shown, sizeof(shown),
					  ld_json_slice(ld_json_get(e, "cveID")));
			ld_warn(ctx, "%s: entry #%zu (%s): no valid cveID, skipped", name, i + 1,
				shown[0] ? shown : "no ID");
			res->skipped++;
			continue;
		}
		k.vendor = field(e, "vendorProject", &bad);
		k.product = field(e, "product", &bad);
		k.name = field(e, "vulnerabilityName", &bad);
		k.date_added = field(e, "dateAdded", &bad);
		k.due_date = field(e, "dueDate", &bad);
		k.required_action = field(e, "requiredAction", &bad);
		k.ransomware = field(e, "knownRansomwareCampaignUse", &bad);
		k.description = field(e, "shortDescription", &bad);
		(void)field(e, "notes", &bad);
		if (cwes && !ld_json_is(cwes, LD_JSON_ARRAY) && !ld_json_is(cwes, LD_JSON_NULL))
			bad = true;
		if (bad) {
			ld_warn(ctx, "%s: %s: a field has the wrong type or is too long, skipped",
				name, k.cve);
			res->skipped++;
			continue;
		}
		rc = ld_feed_kev(out, &k);
		if (rc) {
			if (!lading_ctx_error(ctx)->code)
				ld_error_set(ctx, rc, "%s: storing %s failed", name, k.cve);
			goto out;
		}
		res->records++;
	}
out:
	ld_arena_release(&a);
	return rc;
}

int ld_vdb_import_kev_to(const ld_vdb_sink *out, const char *path, ld_vdb_import_result *res,
			 lading_ctx *ctx)
{
	ld_buf b;
	char file[4096];
	int rc, kind;

	ld_feed_result_reset(res);
	kind = ld_feed_stat(path, ctx);
	if (kind < 0)
		return kind;
	if (kind == 1) {
		if ((rc = ld_feed_join(file, sizeof(file), path,
				       "known_exploited_vulnerabilities.json", ctx)))
			return rc;
		path = file;
	}
	ld_buf_init(&b, LD_FEED_BUF_MAX(KEV_MAX_FILE));
	rc = ld_feed_read(path, KEV_MAX_FILE, NULL, -1, &b, ctx);
	if (rc == 0)
		rc = ld_vdb_parse_kev(out, b.ptr, b.len, path, res, ctx);
	ld_buf_release(&b);
	return rc;
}
