/* Rust binaries built with cargo-auditable: the `.dep-v0` ELF section holds the dependency tree
 * as zlib-compressed JSON, {"packages":[{"name","version","source","kind","dependencies",
 * "root"}]}. An analyzer decodes it while the layers stream and keeps one line per package. */
#include "util/common.h"
#include "util/json.h"
#include "util/stream.h"
#include "catalog/binfmt.h"
#include "catalog/catalog.h"

/* Named limits (LD_RUST_MAX_JSON, LD_RUST_MAX_PACKAGES in binfmt.h). */
#define RUST_MAX_SECTION ((size_t)4 << 20) /* compressed section bytes */
#define RUST_MAX_FIELD	 256		   /* name / version / source / kind bytes */
#define RUST_JSON_DEPTH	 16

static bool field_ok(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f || n >= RUST_MAX_FIELD)
			return false;
	return n > 0;
}

int ld_rust_audit_decode(ld_slice section, ld_buf *out, lading_ctx *ctx)
{
	ld_buf json = LD_BUF_INIT;
	ld_arena a;
	ld_json *root = NULL;
	const ld_json *pkgs, *it;
	ld_json_limits lim = {RUST_JSON_DEPTH, 0};
	size_t skipped = 0;
	int rc;

	ld_arena_init(&a, 0);
	if (section.len > RUST_MAX_SECTION) {
		rc = ctx ? ld_error_set(ctx, LADING_ELIMIT,
					".dep-v0: section larger than %zu bytes", RUST_MAX_SECTION)
			 : LADING_ELIMIT;
		goto out;
	}
	if ((rc = ld_zlib_inflate(section, LD_RUST_MAX_JSON, &json))) {
		if (ctx)
			ld_error_set(ctx, rc, ".dep-v0: %s",
				     rc == LADING_ELIMIT ? "more than 8 MiB of JSON"
							 : "not zlib data");
		goto out;
	}
	if ((rc = ld_json_parse(&root, &a, json.ptr, json.len, &lim, ctx, ".dep-v0")))
		goto out;
	pkgs = ld_json_get(root, "packages");
	if (!ld_json_is(pkgs, LD_JSON_ARRAY)) {
		rc = ctx ? ld_error_set(ctx, LADING_EINVALID, ".dep-v0: no \"packages\" array")
			 : LADING_EINVALID;
		goto out;
	}
	if (pkgs->n > LD_RUST_MAX_PACKAGES) {
		rc = ctx ? ld_error_set(ctx, LADING_ELIMIT, ".dep-v0: more than %d packages",
					LD_RUST_MAX_PACKAGES)
			 : LADING_ELIMIT;
		goto out;
	}
	ld_buf_clear(out);
	ld_json_foreach_item(pkgs, i, it)
	{
		const char *name = ld_json_get_str(it, "name"),
			   *version = ld_json_get_str(it, "version");
		const char *source = ld_json_get_str(it, "source"),
			   *kind = ld_json_get_str(it, "kind");
		if (!name || !version || !field_ok(name) || !field_ok(version)) {
			skipped++;
			continue;
		}
		if (!source || !field_ok(source))
			source = "crates.io"; /* the format's default */
		if (!kind || !field_ok(kind))
			kind = "runtime";
		ld_buf_addf(out, "%s\t%s\t%s\t%s\t%d\n", name, version, source, kind,
			    ld_json_bool(ld_json_get(it, "root"), false) ? 1 : 0);
	}
	if (skipped && ctx)
		ld_warn(ctx, ".dep-v0: %zu packages without a usable name or version skipped",
			skipped);
	rc = ld_buf_error(out);
out:
	ld_buf_release(&json);
	ld_arena_release(&a);
	return rc;
}

/* ---- analyzer ---- */

static int analyze(const unsigned char *data, size_t len, const char *path, ld_arena *a,
		   ld_slice *result)
{
	ld_elf e;
	ld_slice sec;
	ld_buf b = LD_BUF_INIT;
	char *s;
	int rc;

	(void)path;
	if (ld_elf_open(&e, data, len) || !ld_elf_section(&e, ".dep-v0", &sec, NULL))
		return LADING_ENOTFOUND;
	/* no ctx here: the analyzer runs in a layer thread; a bad section just yields nothing */
	if ((rc = ld_rust_audit_decode(sec, &b, NULL)) == 0) {
		if ((s = ld_arena_slice(a, ld_buf_slice(&b))))
			*result = ld_slice_make(s, b.len);
		else
			rc = LADING_ENOMEM;
	}
	ld_buf_release(&b);
	return rc;
}

/* Sparse read of a large ELF (layer.h): cargo-auditable writes .dep-v0 without SHF_ALLOC, so
 * the linker puts it among the non-allocated sections after every loaded segment: keep that
 * tail and the section table. With no table there is nothing to find; a tail larger than
 * RUST_PLAN_MAX_TAIL (unstripped debug info) is read whole rather than guessed at. */
#define RUST_PLAN_MAX_TAIL ((uint64_t)64 << 20)
static int plan(const unsigned char *head, size_t head_len, uint64_t size, ld_range *out, size_t max)
{
	ld_elf_layout lay;
	int n = 0;
	if (max < 2 || ld_elf_layout_of(head, head_len, size, &lay))
		return -1;
	if (!lay.shsize)
		return 0;
	if (lay.tail < size && size - lay.tail > RUST_PLAN_MAX_TAIL)
		return -1;
	out[n++] = (ld_range){lay.shoff, lay.shsize};
	if (lay.tail < size)
		out[n++] = (ld_range){lay.tail, size - lay.tail};
	return n;
}

static const ld_analyzer rust_analyzer = {
    .name = "rust-audit",
    .version = "1",
    .pattern = NULL,
    .exec_or_lib = true,
    .magic = "\x7f"
	     "ELF",
    .magic_len = 4,
    .max_size = (size_t)512 << 20,
    .fn = analyze,
    .plan = plan,
};

/* ---- cataloger ---- */

typedef struct rust_run {
	ld_catalog *c;
	int analyzer;
} rust_run;

static int each_node(void *opaque, const ld_vnode *n)
{
	rust_run *r = opaque;
	ld_catalog *c = r->c;
	const ld_slice *res;
	ld_slice blob, line;
	if (n->type != LD_LF_REG || !n->file || !n->file->results ||
	    !(res = ld_vnode_result(n, r->analyzer)))
		return 0;
	blob = *res;
	while (ld_slice_next_line(&blob, &line)) {
		ld_slice name, version, source, kind, root;
		lading_package *p;
		ld_slice_cut(&line, '\t', &name);
		ld_slice_cut(&line, '\t', &version);
		ld_slice_cut(&line, '\t', &source);
		ld_slice_cut(&line, '\t', &kind);
		ld_slice_cut(&line, '\t', &root);
		if (!(p = ld_catalog_add(c)) || !(p->name = ld_arena_slice(&c->arena, name)) ||
		    !(p->version = ld_arena_slice(&c->arena, version)))
			return LADING_ENOMEM;
		p->type = "cargo";
		p->found_by = "rust-audit-binary";
		p->layer = n->layer;
		p->location = ld_arena_printf(&c->arena, "/%s", n->path);
		p->purl = ld_purl_build(&c->arena, "cargo", NULL, p->name, p->version, NULL);
		/* the binary's own crate and path/git dependencies are not crates.io releases */
		if (!ld_slice_eq_cstr(source, "crates.io"))
			p->flags |= LADING_PKG_LOCAL;
		if (!p->location || !p->purl)
			return LADING_ENOMEM;
	}
	return 0;
}

static int run(ld_catalog *c, lading_ctx *ctx)
{
	rust_run r = {c, ld_catalog_analyzer_id(c, rust_analyzer.name)};
	int rc;
	if (!c->view || r.analyzer < 0)
		return 0;
	if ((rc = ld_view_each(c->view, each_node, &r)))
		return ld_error_set(ctx, rc, "out of memory listing Rust crates");
	return 0;
}

static const char *const no_wants[] = {NULL};
static const ld_analyzer *const analyzers[] = {&rust_analyzer, NULL};

const ld_cataloger ld_cataloger_rust_audit = {
    .name = "rust-audit-binary",
    .version = "1",
    .wants = no_wants,
    .max_file = 0,
    .run = run,
    .analyzers = analyzers,
};
