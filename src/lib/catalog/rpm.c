/* rpm: the package database in its three formats (rpmdb.sqlite, Berkeley DB Packages, ndb
 * Packages.db) at var/lib/rpm or usr/lib/sysimage/rpm; readers in rpmdb*.c. */
#include "util/common.h"
#include "catalog/catalog.h"
#include "catalog/rpmdb.h"

#define RPM_MAX_DB ((size_t)1 << 30)

static const char *const rpm_dbs[] = {
	"var/lib/rpm/rpmdb.sqlite",          "usr/lib/sysimage/rpm/rpmdb.sqlite",
	"var/lib/rpm/Packages.db",           "usr/lib/sysimage/rpm/Packages.db",
	"var/lib/rpm/Packages",              "usr/lib/sysimage/rpm/Packages",
	NULL,
};

static const char *vendor_ns(const char *os_id)
{
	static const struct {
		const char *id, *ns;
	} t[] = {{"rhel", "redhat"},        {"centos", "centos"},     {"fedora", "fedora"},
		 {"almalinux", "almalinux"}, {"rocky", "rocky"},       {"ol", "oracle"},
		 {"amzn", "amazon"},        {"opensuse-leap", "opensuse"}, {"opensuse-tumbleweed", "opensuse"},
		 {"opensuse", "opensuse"},  {"sles", "suse"},         {"sle-micro", "suse"},
		 {"mariner", "mariner"},    {"azurelinux", "azurelinux"}, {"photon", "photon"}};
	if (!os_id)
		return "rpm";
	for (size_t i = 0; i < LD_ARRAY_LEN(t); i++)
		if (!strcmp(os_id, t[i].id))
			return t[i].ns;
	return os_id;
}

static char *evr(ld_arena *a, const ld_rpm_pkg *p)
{
	if (p->has_epoch)
		return ld_arena_printf(a, "%d:%s-%s", (int)p->epoch, p->version ? p->version : "",
				       p->release ? p->release : "");
	return ld_arena_printf(a, "%s-%s", p->version ? p->version : "", p->release ? p->release : "");
}

/* "bash-4.4.20-4.el8.src.rpm" -> ("bash", "4.4.20-4.el8") */
static void split_srpm(ld_arena *a, const char *srpm, const char **name, const char **ver)
{
	ld_slice s = ld_slice_cstr(srpm);
	size_t dash2 = 0, dash1 = 0;
	*name = *ver = NULL;
	if (ld_slice_ends_with(s, ".src.rpm"))
		s.len -= 8;
	else if (ld_slice_ends_with(s, ".nosrc.rpm"))
		s.len -= 10;
	else
		return;
	for (size_t i = s.len; i > 0; i--) {
		if (s.ptr[i - 1] != '-')
			continue;
		if (!dash1)
			dash1 = i;
		else {
			dash2 = i;
			break;
		}
	}
	if (!dash2)
		return;
	*name = ld_arena_slice(a, ld_slice_make(s.ptr, dash2 - 1));
	*ver = ld_arena_slice(a, ld_slice_sub(s, dash2, s.len));
}

typedef struct rpm_hist {
	ld_attrib *attrib;
	ld_arena scratch;
	lading_ctx *ctx;
	const char *label;
} rpm_hist;

static int feed_history(void *opaque, int layer, ld_slice content)
{
	rpm_hist *h = opaque;
	ld_rpm_pkg *pk;
	size_t n;
	/* earlier versions of the DB only feed attribution; their warnings would repeat the final one's */
	lading_ctx quiet;
	int rc;
	ld_ctx_init_child(&quiet, NULL);
	rc = ld_rpmdb_read((const uint8_t *)content.ptr, content.len, LD_RPMDB_AUTO, &h->scratch, &pk, &n, &quiet,
			   h->label);
	for (size_t i = 0; i < quiet.nkept; i++)
		free(quiet.warn[i]);
	ld_ctx_release_child(&quiet);
	if (rc)
		return 0; /* an unreadable old version only costs attribution precision */
	ld_attrib_begin(h->attrib, layer);
	for (size_t i = 0; i < n; i++) {
		char key[512];
		ld_snprintf(key, sizeof(key), "%s.%s", pk[i].name ? pk[i].name : "", pk[i].arch ? pk[i].arch : "");
		if (ld_attrib_add(h->attrib, key, evr(&h->scratch, &pk[i])))
			return LADING_ENOMEM;
	}
	ld_attrib_end(h->attrib);
	return 0;
}

static int rpm_run_cat(ld_catalog *c, lading_ctx *ctx)
{
	ld_arena *a = &c->arena;
	char seen[8][LD_PATH_MAX];
	size_t nseen = 0;
	int rc = 0;

	for (size_t d = 0; rpm_dbs[d]; d++) {
		char canon[LD_PATH_MAX];
		ld_vnode *node = ld_view_resolve(c->view, ld_slice_cstr(rpm_dbs[d]), true, canon);
		ld_slice text;
		ld_rpm_pkg *pk;
		size_t n;
		bool dup = false;
		rpm_hist h;
		const char *location;

		if (!node || node->type != LD_LF_REG)
			continue;
		for (size_t i = 0; i < nseen; i++)
			dup |= !strcmp(seen[i], canon);
		if (dup || ld_view_read(c->view, rpm_dbs[d], &text, NULL) != 0)
			continue;
		if (nseen < LD_ARRAY_LEN(seen))
			ld_strlcpy(seen[nseen++], canon, sizeof(seen[0]));
		location = ld_arena_printf(a, "/%s", rpm_dbs[d]);
		if ((rc = ld_rpmdb_read((const uint8_t *)text.ptr, text.len, LD_RPMDB_AUTO, a, &pk, &n, ctx, location))) {
			/* one unreadable DB does not hide the rest of the inventory */
			ld_warn(ctx, "%s: %s", location, ctx->err.msg);
			ld_error_clear(ctx);
			rc = 0;
			continue;
		}
		memset(&h, 0, sizeof(h));
		h.ctx = ctx;
		h.label = location;
		ld_arena_init(&h.scratch, 0);
		if (ld_attrib_new(&h.attrib)) {
			ld_arena_release(&h.scratch);
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		}
		ld_catalog_history(c, rpm_dbs[d], feed_history, &h);
		for (size_t i = 0; i < n; i++) {
			lading_package *p;
			const char *quals[9];
			char key[512];
			if (!pk[i].name || !pk[i].version) {
				ld_warn(ctx, "%s: a package header has no name or version: skipped", location);
				continue;
			}
			p = ld_catalog_add(c);
			if (!p) {
				rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
				break;
			}
			p->name = pk[i].name;
			p->version = evr(a, &pk[i]);
			p->upstream_version = pk[i].version;
			p->release = pk[i].release;
			p->epoch = pk[i].has_epoch ? (int)pk[i].epoch : -1;
			p->arch = pk[i].arch;
			p->type = "rpm";
			p->found_by = "rpm";
			p->location = location;
			p->license = pk[i].license;
			p->files = pk[i].files;
			p->file_count = pk[i].nfiles;
			if (pk[i].sourcerpm)
				split_srpm(a, pk[i].sourcerpm, &p->source_name, &p->source_version);
			if (!p->source_name) {
				p->source_name = p->name;
				p->source_version = p->version;
			}
			ld_snprintf(key, sizeof(key), "%s.%s", p->name, p->arch ? p->arch : "");
			p->layer = ld_attrib_layer(h.attrib, key, p->version);
			quals[0] = "arch";
			quals[1] = p->arch;
			quals[2] = "epoch";
			quals[3] = pk[i].has_epoch ? ld_arena_printf(a, "%d", (int)pk[i].epoch) : NULL;
			quals[4] = "distro";
			quals[5] = c->distro[0] ? c->distro : NULL;
			quals[6] = "upstream";
			quals[7] = pk[i].sourcerpm;
			quals[8] = NULL;
			p->purl = ld_purl_build(a, "rpm", vendor_ns(c->os.id), p->name,
						ld_arena_printf(a, "%s-%s", pk[i].version, pk[i].release ? pk[i].release : ""),
						quals);
		}
		ld_attrib_free(h.attrib);
		ld_arena_release(&h.scratch);
		if (rc)
			return rc;
	}
	return 0;
}

static const char *const rpm_wants[] = {
	"var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite", "var/lib/rpm/Packages.db",
	"usr/lib/sysimage/rpm/Packages.db", "var/lib/rpm/Packages", "usr/lib/sysimage/rpm/Packages", NULL,
};

const ld_cataloger ld_cataloger_rpm = {"rpm", "1", rpm_wants, RPM_MAX_DB, rpm_run_cat, NULL};
