/* Python distributions: core metadata files (wheel installs: *.dist-info/METADATA; setuptools
 * and distutils: *.egg-info/PKG-INFO, a bare *.egg-info file, EGG-INFO/PKG-INFO inside an
 * unzipped egg) and zipped .egg archives (an analyzer reads EGG-INFO/PKG-INFO from the zip). */
#include "util/common.h"
#include "util/archive.h"
#include "catalog/lang.h"

/* Named limits. */
#define PY_MAX_METADATA                                                                            \
	((size_t)8 << 20)	      /* one METADATA/PKG-INFO file (descriptions can be long) */
#define PY_MAX_EGG ((size_t)64 << 20) /* one .egg archive */
#define PY_MAX_EGG_PKGINFO ((size_t)1 << 20) /* PKG-INFO inside an egg */
#define PY_MAX_EGG_ENTRIES 100000	     /* zip entries looked at in one egg */
#define PY_MAX_LICENSE 128 /* a longer License field is a licence text, not a name */

static const char *const py_wants[] = {
    "**/*.dist-info/METADATA",
    "**/*.egg-info/PKG-INFO",
    "**/*.egg-info",
    "**/EGG-INFO/PKG-INFO",
    NULL,
};

/* ---- core metadata ---- */

bool ld_pymeta_parse(ld_slice text, ld_lang_pkg *out)
{
	ld_slice line, license = LD_SLICE_NULL, expr = LD_SLICE_NULL, classifier = LD_SLICE_NULL;
	bool license_multi = false, last_license = false;

	memset(out, 0, sizeof(*out));
	if (text.len >= 3 && !memcmp(text.ptr, "\xEF\xBB\xBF", 3))
		text = ld_slice_sub(text, 3, text.len);
	while (ld_slice_next_line(&text, &line)) {
		ld_slice name, value;
		if (!line.len)
			break; /* the headers end at the first blank line; the description follows
				*/
		if (line.ptr[0] == ' ' || line.ptr[0] == '\t') {
			/* continuation: a multi-line License is a licence text */
			if (last_license && ld_slice_trim(line).len)
				license_multi = true;
			continue;
		}
		last_license = false;
		value = line;
		if (!ld_slice_cut(&value, ':', &name))
			continue;
		name = ld_slice_trim(name);
		value = ld_slice_trim(value);
		if (ld_slice_case_eq_cstr(name, "Name")) {
			if (!out->name.len)
				out->name = value;
		} else if (ld_slice_case_eq_cstr(name, "Version")) {
			if (!out->version.len)
				out->version = value;
		} else if (ld_slice_case_eq_cstr(name, "License-Expression")) {
			expr = value;
		} else if (ld_slice_case_eq_cstr(name, "License")) {
			license = value;
			last_license = true;
		} else if (ld_slice_case_eq_cstr(name, "Classifier") && !classifier.len &&
			   ld_slice_starts_with(value, "License ::")) {
			/* "License :: OSI Approved :: MIT License" -> "MIT License" */
			for (size_t i = value.len; i > 0; i--)
				if (value.ptr[i - 1] == ':') {
					classifier =
					    ld_slice_trim(ld_slice_sub(value, i, value.len));
					break;
				}
		}
	}
	if (expr.len)
		out->license = expr;
	else if (license.len && license.len <= PY_MAX_LICENSE && !license_multi &&
		 !ld_slice_case_eq_cstr(license, "UNKNOWN"))
		out->license = license;
	else if (classifier.len)
		out->license = classifier;
	return out->name.len && out->version.len;
}

void ld_pypi_normalize(ld_slice name, char *out, size_t size)
{
	size_t o = 0;
	bool sep = false;
	if (!size)
		return;
	for (size_t i = 0; i < name.len && o + 1 < size; i++) {
		char ch = name.ptr[i];
		if (ch == '-' || ch == '_' || ch == '.') {
			sep = true;
			continue;
		}
		if (sep && o && o + 2 < size)
			out[o++] = '-';
		sep = false;
		out[o++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
	}
	out[o] = '\0';
}

/* ---- .egg archives ---- */

static void egg_warn(ld_buf *b, const char *msg)
{
	ld_slice f = ld_slice_cstr(msg);
	ld_lang_blob_line(b, "W", &f, 1);
}

int ld_egg_analyze(const unsigned char *data, size_t len, const char *path, ld_arena *a,
		   ld_slice *result)
{
	lading_ctx *ctx = NULL;
	ld_ar *ar = NULL;
	ld_ar_entry e;
	ld_buf out = LD_BUF_INIT, pkginfo = LD_BUF_INIT;
	size_t n = 0;
	bool found = false;
	int r;

	(void)path;
	*result = LD_SLICE_NULL;
	if (lading_ctx_new(&ctx))
		return LADING_ENOMEM;
	if (ld_ar_open_mem(&ar, data, len, LD_AR_FMT_ZIP, ctx, "egg")) {
		egg_warn(&out, ctx->err.msg);
		goto done;
	}
	while ((r = ld_ar_next(ar, &e)) == 1) {
		if (++n > PY_MAX_EGG_ENTRIES) {
			egg_warn(&out, "more zip entries than the limit: not read further");
			break;
		}
		if (e.type != LD_AR_REG || strcmp(e.path, "EGG-INFO/PKG-INFO"))
			continue;
		found = true;
		if (ld_ar_read_all(ar, &pkginfo, PY_MAX_EGG_PKGINFO)) {
			egg_warn(&out, ctx->err.msg);
			break;
		}
		{
			ld_lang_pkg p;
			if (ld_pymeta_parse(ld_buf_slice(&pkginfo), &p)) {
				ld_slice f[3] = {p.name, p.version, p.license};
				ld_lang_blob_line(&out, "P", f, 3);
			} else {
				egg_warn(&out, "EGG-INFO/PKG-INFO has no Name or Version");
			}
		}
		break;
	}
	if (r < 0)
		egg_warn(&out, ctx->err.msg);
	else if (!found && r == 0)
		egg_warn(&out, "no EGG-INFO/PKG-INFO in the egg");
done:
	ld_ar_close(ar);
	lading_ctx_free(ctx);
	ld_buf_release(&pkginfo);
	if (!ld_buf_error(&out) && out.len)
		*result = ld_slice_make(ld_arena_memdup(a, out.ptr, out.len), out.len);
	ld_buf_release(&out);
	return result->ptr || !out.len ? 0 : LADING_ENOMEM;
}

static const ld_analyzer egg_analyzer = {
    .name = "python-egg",
    .version = "1",
    .pattern = "**/*.egg",
    .magic = "PK\x03\x04",
    .magic_len = 4,
    .max_size = PY_MAX_EGG,
    .fn = ld_egg_analyze,
};
static const ld_analyzer *const py_analyzers[] = {&egg_analyzer, NULL};

/* ---- cataloger ---- */

typedef struct py_run {
	ld_catalog *cat;
	lading_ctx *ctx;
} py_run;

static int add_dist(py_run *r, const ld_lang_pkg *p, const ld_lang_file *f)
{
	char norm[512];
	ld_pypi_normalize(p->name, norm, sizeof(norm));
	if (!ld_lang_add(r->cat, "pypi", "python", p->name, LD_SLICE_NULL, ld_slice_cstr(norm),
			 p->version, p->license, f->path, f->layer))
		return ld_error_set(r->ctx, LADING_ENOMEM, "out of memory");
	return 0;
}

static int on_metadata(void *opaque, const ld_lang_file *f)
{
	py_run *r = opaque;
	ld_lang_pkg p;
	if (!ld_pymeta_parse(f->data, &p)) {
		ld_warn(r->ctx, "/%s: no Name or Version header: skipped", f->path);
		return 0;
	}
	return add_dist(r, &p, f);
}

static int on_egg(void *opaque, const ld_lang_file *f)
{
	py_run *r = opaque;
	ld_slice blob = f->data, fld[4];
	size_t n;
	int rc;
	while (ld_lang_blob_next(&blob, fld, 4, &n)) {
		if (ld_slice_eq_cstr(fld[0], "W") && n >= 2) {
			ld_warn(r->ctx, "/%s: %.*s", f->path, (int)fld[1].len, fld[1].ptr);
		} else if (ld_slice_eq_cstr(fld[0], "P") && n == 4) {
			ld_lang_pkg p;
			memset(&p, 0, sizeof(p));
			p.name = fld[1];
			p.version = fld[2];
			p.license = fld[3];
			if ((rc = add_dist(r, &p, f)))
				return rc;
		}
	}
	return 0;
}

static int py_run_cat(ld_catalog *c, lading_ctx *ctx)
{
	py_run r = {c, ctx};
	int rc = ld_lang_files(c, py_wants, ctx, on_metadata, &r);
	if (!rc)
		rc = ld_lang_results(c, "python-egg", on_egg, &r);
	return rc;
}

const ld_cataloger ld_cataloger_python = {"python",	   "1",	       py_wants,
					  PY_MAX_METADATA, py_run_cat, py_analyzers};
