/* apk: lib/apk/db/installed — one record per package, "K:value" lines, blank-line separated;
 * F: (directory) and R: (file in it) lines give the owned files. */
#include "util/common.h"
#include "catalog/catalog.h"
#include "catalog/parsers.h"

/* Named limits. */
#define APK_MAX_DB ((size_t)256 << 20)
#define APK_MAX_RECORDS 1000000

static const char *const apk_wants[] = {"lib/apk/db/installed", NULL};

int ld_apk_parse(ld_slice text, int (*fn)(void *opaque, const ld_apk_record *r), void *opaque, lading_ctx *ctx,
		 const char *what)
{
	ld_apk_record rec;
	ld_slice line;
	size_t lineno = 0, count = 0;
	const char *start = text.ptr;
	bool in = false;
	int rc;

	memset(&rec, 0, sizeof(rec));
	for (;;) {
		const char *lstart = text.ptr;
		bool more = ld_slice_next_line(&text, &line);
		lineno++;
		if (!more || ld_slice_trim(line).len == 0) {
			if (in) {
				rec.raw = ld_slice_make(start, (size_t)(lstart - start));
				if (++count > APK_MAX_RECORDS)
					return ld_error_set(ctx, LADING_ELIMIT, "%s: more than %d records", what,
							    APK_MAX_RECORDS);
				if (!rec.name.len || !rec.version.len)
					ld_warn(ctx, "%s: record at line %zu lacks %s: skipped", what, rec.line,
						rec.name.len ? "a version (V:)" : "a name (P:)");
				else if ((rc = fn(opaque, &rec)))
					return rc;
			}
			memset(&rec, 0, sizeof(rec));
			in = false;
			if (!more)
				return 0;
			continue;
		}
		if (!in) {
			in = true;
			start = lstart;
			rec.line = lineno;
		}
		if (line.len < 2 || line.ptr[1] != ':')
			continue;
		{
			ld_slice v = ld_slice_sub(line, 2, line.len);
			switch (line.ptr[0]) {
			case 'P': rec.name = v; break;
			case 'V': rec.version = v; break;
			case 'A': rec.arch = v; break;
			case 'o': rec.origin = v; break;
			case 'L': rec.license = v; break;
			case 'm': rec.maintainer = v; break;
			case 'c': rec.commit = v; break;
			default: break;
			}
		}
	}
}

int ld_apk_files(const ld_apk_record *r, int (*fn)(void *opaque, ld_slice dir, ld_slice file), void *opaque)
{
	ld_slice text = r->raw, line, dir = LD_SLICE_NULL;
	int rc;
	while (ld_slice_next_line(&text, &line)) {
		if (line.len < 2 || line.ptr[1] != ':')
			continue;
		if (line.ptr[0] == 'F')
			dir = ld_slice_sub(line, 2, line.len);
		else if (line.ptr[0] == 'R' && (rc = fn(opaque, dir, ld_slice_sub(line, 2, line.len))))
			return rc;
	}
	return 0;
}

typedef struct apk_run {
	ld_catalog *cat;
	lading_ctx *ctx;
	ld_attrib *attrib;
	bool collecting;
	const char **files;
	size_t nfiles, capfiles;
} apk_run;

static int count_file(void *opaque, ld_slice dir, ld_slice file)
{
	(void)dir;
	(void)file;
	((apk_run *)opaque)->capfiles++;
	return 0;
}

static int add_file(void *opaque, ld_slice dir, ld_slice file)
{
	apk_run *r = opaque;
	if (r->nfiles >= r->capfiles)
		return 0;
	r->files[r->nfiles] = dir.len ? ld_arena_printf(&r->cat->arena, "/%.*s/%.*s", (int)dir.len, dir.ptr,
							 (int)file.len, file.ptr)
				      : ld_arena_printf(&r->cat->arena, "/%.*s", (int)file.len, file.ptr);
	if (!r->files[r->nfiles])
		return LADING_ENOMEM;
	r->nfiles++;
	return 0;
}

static int add_pkg(void *opaque, const ld_apk_record *rec)
{
	apk_run *r = opaque;
	ld_catalog *c = r->cat;
	ld_arena *a = &c->arena;
	lading_package *p;
	const char *quals[7];
	int rc;

	if (r->collecting)
		return ld_attrib_add(r->attrib, ld_arena_slice(a, rec->name), ld_arena_slice(a, rec->version)) ? LADING_ENOMEM : 0;
	p = ld_catalog_add(c);
	if (!p)
		return LADING_ENOMEM;
	p->name = ld_arena_slice(a, rec->name);
	p->version = ld_arena_slice(a, rec->version);
	p->arch = rec->arch.len ? ld_arena_slice(a, rec->arch) : NULL;
	p->type = "apk";
	p->found_by = "apk";
	p->location = "/lib/apk/db/installed";
	p->license = rec->license.len ? ld_arena_slice(a, rec->license) : NULL;
	p->source_name = rec->origin.len ? ld_arena_slice(a, rec->origin) : p->name;
	p->source_version = p->version;
	if (!p->name || !p->version || !p->source_name)
		return LADING_ENOMEM;
	p->layer = ld_attrib_layer(r->attrib, p->name, p->version);
	quals[0] = "arch";
	quals[1] = p->arch;
	quals[2] = "distro";
	quals[3] = c->distro[0] ? c->distro : NULL;
	quals[4] = strcmp(p->source_name, p->name) ? "upstream" : NULL;
	quals[5] = quals[4] ? p->source_name : NULL;
	quals[6] = NULL;
	p->purl = ld_purl_build(a, "apk", c->os.id && strcmp(c->os.id, "alpine") ? c->os.id : "alpine", p->name,
				p->version, quals);
	r->capfiles = 0;
	ld_apk_files(rec, count_file, r);
	r->files = r->capfiles ? ld_arena_array(a, r->capfiles, sizeof(char *)) : NULL;
	r->nfiles = 0;
	if (r->capfiles && !r->files)
		return LADING_ENOMEM;
	if ((rc = ld_apk_files(rec, add_file, r)))
		return rc;
	p->files = r->files;
	p->file_count = r->nfiles;
	return 0;
}

static int feed_history(void *opaque, int layer, ld_slice content)
{
	apk_run *r = opaque;
	int rc;
	ld_attrib_begin(r->attrib, layer);
	r->collecting = true;
	rc = ld_apk_parse(content, add_pkg, r, r->ctx, "/lib/apk/db/installed");
	r->collecting = false;
	ld_attrib_end(r->attrib);
	return rc;
}

static int apk_run_cat(ld_catalog *c, lading_ctx *ctx)
{
	ld_slice text;
	apk_run r;
	int rc;

	if (ld_view_read(c->view, "lib/apk/db/installed", &text, NULL) != 0)
		return 0;
	memset(&r, 0, sizeof(r));
	r.cat = c;
	r.ctx = ctx;
	if (ld_attrib_new(&r.attrib))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	rc = ld_catalog_history(c, "lib/apk/db/installed", feed_history, &r);
	if (!rc)
		rc = ld_apk_parse(text, add_pkg, &r, ctx, "/lib/apk/db/installed");
	ld_attrib_free(r.attrib);
	if (rc > 0 || rc == LADING_ENOMEM)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	return rc;
}

const ld_cataloger ld_cataloger_apk = {"apk", "1", apk_wants, APK_MAX_DB, apk_run_cat, NULL};
