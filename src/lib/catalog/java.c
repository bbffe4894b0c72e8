/* Java archives (jar, war, ear, par, and Jenkins' jpi/hpi): an analyzer opens each one while the
 * layer streams (archives are too big and too many to keep) and returns one line per package:
 * every META-INF/maven/GROUP/ARTIFACT/pom.properties (groupId, artifactId, version); when none of
 * those describes the archive itself, its MANIFEST.MF (Implementation-* / Bundle-* headers) or,
 * last, its file name ("log4j-core-2.14.1.jar"). Archives inside archives (WEB-INF/lib,
 * BOOT-INF/lib, fat jars) are read the same way down to a bounded depth and byte budget. */
#include "util/common.h"
#include "util/archive.h"
#include "util/path.h"
#include "catalog/lang.h"

/* Named limits. */
#define JAVA_MAX_ARCHIVE ((size_t)256 << 20)	  /* one archive file in the image */
#define JAVA_MAX_DEPTH 3 /* levels of archives: the file, one in it, one in that */
#define JAVA_MAX_NESTED_ONE ((size_t)128 << 20)	  /* one nested archive, inflated */
#define JAVA_MAX_NESTED_TOTAL ((size_t)512 << 20) /* nested archives inflated for one file */
#define JAVA_MAX_TEXT ((size_t)1 << 20)		  /* one MANIFEST.MF */
#define JAVA_MAX_POM ((size_t)64 << 10)		  /* one pom.properties (a few hundred bytes) */
/* all pom.properties texts held for one file, every nesting level together (a shaded jar of a
 * thousand dependencies holds ~300 KB): tied to the per-file cap, 16 MiB */
#define JAVA_MAX_POM_TEXTS (JAVA_MAX_ARCHIVE / 16)
#define JAVA_MAX_ENTRIES 1000000		  /* zip entries looked at for one file */
#define JAVA_MAX_PACKAGES 20000			  /* packages reported for one file */
#define JAVA_MAX_FIELD 512			  /* a manifest value we keep */

static const char *const java_wants[] = {NULL};

static bool archive_name(ld_slice base)
{
	static const char *const ext[] = {".jar", ".war", ".ear", ".par", ".jpi", ".hpi"};
	if (base.len < 5)
		return false;
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (ld_slice_case_eq_cstr(ld_slice_sub(base, base.len - 4, 4), ext[i]))
			return true;
	return false;
}

bool ld_java_name_from_file(ld_slice base, ld_slice *artifact, ld_slice *version)
{
	ptrdiff_t dot = -1;
	for (size_t i = base.len; i > 0; i--)
		if (base.ptr[i - 1] == '.') {
			dot = (ptrdiff_t)i - 1;
			break;
		}
	if (dot > 0)
		base.len = (size_t)dot;
	/* the version starts at the first "-<digit>" */
	for (size_t i = 1; i + 1 < base.len; i++)
		if (base.ptr[i] == '-' && base.ptr[i + 1] >= '0' && base.ptr[i + 1] <= '9') {
			*artifact = ld_slice_make(base.ptr, i);
			*version = ld_slice_sub(base, i + 1, base.len);
			return true;
		}
	return false;
}

/* ---- MANIFEST.MF and pom.properties ---- */

typedef struct manifest {
	char impl_version[JAVA_MAX_FIELD], impl_vendor_id[JAVA_MAX_FIELD];
	char bsn[JAVA_MAX_FIELD], bundle_version[JAVA_MAX_FIELD], spec_version[JAVA_MAX_FIELD];
} manifest;

/* Main section only (up to the first blank line); continuation lines start with one space. */
static void manifest_parse(ld_slice text, manifest *m)
{
	ld_slice line;
	char *cur = NULL;
	size_t curlen = 0;
	memset(m, 0, sizeof(*m));
	while (ld_slice_next_line(&text, &line)) {
		ld_slice name, value;
		if (!line.len)
			break;
		if (line.ptr[0] == ' ') {
			if (cur) {
				ld_slice more = ld_slice_sub(line, 1, line.len);
				size_t n = more.len;
				if (curlen + n >= JAVA_MAX_FIELD)
					n = JAVA_MAX_FIELD - 1 - curlen;
				memcpy(cur + curlen, more.ptr, n);
				curlen += n;
				cur[curlen] = '\0';
			}
			continue;
		}
		cur = NULL;
		value = line;
		if (!ld_slice_cut(&value, ':', &name))
			continue;
		if (value.len && value.ptr[0] == ' ')
			value = ld_slice_sub(value, 1, value.len);
		if (ld_slice_case_eq_cstr(name, "Implementation-Version"))
			cur = m->impl_version;
		else if (ld_slice_case_eq_cstr(name, "Implementation-Vendor-Id"))
			cur = m->impl_vendor_id;
		else if (ld_slice_case_eq_cstr(name, "Bundle-SymbolicName"))
			cur = m->bsn;
		else if (ld_slice_case_eq_cstr(name, "Bundle-Version"))
			cur = m->bundle_version;
		else if (ld_slice_case_eq_cstr(name, "Specification-Version"))
			cur = m->spec_version;
		if (cur) {
			ld_slice_copy(cur, JAVA_MAX_FIELD, value);
			curlen = strlen(cur);
		}
	}
}

typedef struct pom {
	ld_slice group, artifact, version;
} pom;

/* key=value, key: value; '#' and '!' comments. Missing keys come from the path
 * META-INF/maven/<group>/<artifact>/pom.properties. */
static bool pom_parse(ld_slice text, ld_slice path, pom *p)
{
	ld_slice line;
	memset(p, 0, sizeof(*p));
	while (ld_slice_next_line(&text, &line)) {
		ld_slice key, value;
		size_t i;
		line = ld_slice_trim(line);
		if (!line.len || line.ptr[0] == '#' || line.ptr[0] == '!')
			continue;
		for (i = 0; i < line.len && line.ptr[i] != '=' && line.ptr[i] != ':'; i++)
			;
		if (i == line.len)
			continue;
		key = ld_slice_trim(ld_slice_make(line.ptr, i));
		value = ld_slice_trim(ld_slice_sub(line, i + 1, line.len));
		if (ld_slice_eq_cstr(key, "groupId"))
			p->group = value;
		else if (ld_slice_eq_cstr(key, "artifactId"))
			p->artifact = value;
		else if (ld_slice_eq_cstr(key, "version"))
			p->version = value;
	}
	if (!p->group.len || !p->artifact.len) {
		ld_slice dir = ld_path_dir(path), a = ld_path_base(dir),
			 g = ld_path_base(ld_path_dir(dir));
		if (!p->artifact.len)
			p->artifact = a;
		if (!p->group.len)
			p->group = g;
	}
	return p->artifact.len && p->version.len;
}

/* ---- the analyzer ---- */

typedef struct java_scan {
	lading_ctx *ctx;
	ld_buf out;	     /* the result blob */
	size_t nested_bytes; /* inflated so far */
	size_t entries;
	size_t packages;
	size_t pom_bytes; /* pom.properties texts read so far (JAVA_MAX_POM_TEXTS) */
	bool stopped; /* a limit was reached: the rest of the file is not read */
	bool poms_capped;
} java_scan;

static void scan_warn(java_scan *st, ld_slice where, const char *msg)
{
	char line[1200];
	ld_slice f;
	if (where.len)
		ld_snprintf(line, sizeof(line), "%.*s: %s", (int)where.len, where.ptr, msg);
	else
		ld_snprintf(line, sizeof(line), "%s", msg);
	f = ld_slice_cstr(line);
	ld_lang_blob_line(&st->out, "W", &f, 1);
}

static void emit(java_scan *st, ld_slice where, ld_slice group, ld_slice artifact, ld_slice version,
		 const char *src)
{
	ld_slice f[5] = {where, group, artifact, version, ld_slice_cstr(src)};
	if (st->packages >= JAVA_MAX_PACKAGES) {
		if (!st->stopped)
			scan_warn(st, where,
				  "more packages than the limit: the rest are not reported");
		st->stopped = true;
		return;
	}
	st->packages++;
	ld_lang_blob_line(&st->out, "J", f, 5);
}

static void scan_archive(java_scan *st, const unsigned char *data, size_t len, ld_slice where,
			 ld_slice base, int depth);

/* An archive inside the one being read: read it whole (bounded) and scan it. */
static void scan_nested(java_scan *st, ld_ar *ar, const ld_ar_entry *e, ld_slice where, int depth)
{
	ld_buf b = LD_BUF_INIT;
	ld_buf path = LD_BUF_INIT;
	size_t left = JAVA_MAX_NESTED_TOTAL - st->nested_bytes;
	size_t cap = left < JAVA_MAX_NESTED_ONE ? left : JAVA_MAX_NESTED_ONE;

	if (where.len)
		ld_buf_addf(&path, "%.*s!/%s", (int)where.len, where.ptr, e->path);
	else
		ld_buf_adds(&path, e->path);
	if (ld_buf_error(&path))
		goto out;
	if (e->size > 0 && (uint64_t)e->size > cap) {
		scan_warn(st, ld_buf_slice(&path),
			  "nested archive larger than the limit: not read");
		goto out;
	}
	if (ld_ar_read_all(ar, &b, cap)) {
		scan_warn(st, ld_buf_slice(&path), st->ctx->err.msg);
		ld_error_clear(st->ctx);
		goto out;
	}
	st->nested_bytes += b.len;
	if (b.len >= 4 && !memcmp(b.ptr, "PK\x03\x04", 4))
		scan_archive(st, (const unsigned char *)b.ptr, b.len, ld_buf_slice(&path),
			     ld_path_base(ld_slice_cstr(e->path)), depth + 1);
out:
	ld_buf_release(&path);
	ld_buf_release(&b);
}

static void scan_archive(java_scan *st, const unsigned char *data, size_t len, ld_slice where,
			 ld_slice base, int depth)
{
	ld_ar *ar = NULL;
	ld_ar_entry e;
	ld_buf mf = LD_BUF_INIT;
	ld_buf props; /* all pom.properties texts, each followed by NUL + its path + NUL */
	ld_slice fa = LD_SLICE_NULL, fv = LD_SLICE_NULL;
	bool have_mf = false, covered = false, by_name;
	size_t npoms = 0;
	int r;

	/* texts, paths and separators within JAVA_MAX_POM_TEXTS (for the file, all levels), plus
	 * room for the one entry read past it before it is dropped (ld_ar_read_all grows by 64 KiB
	 * and reads a chunk more than its cap before it says so) */
	ld_buf_init(&props, JAVA_MAX_POM_TEXTS + 4 * JAVA_MAX_POM);
	if (ld_ar_open_mem(&ar, data, len, LD_AR_FMT_ZIP, st->ctx, "archive")) {
		scan_warn(st, where, st->ctx->err.msg);
		ld_error_clear(st->ctx);
		return;
	}
	while (!st->stopped && (r = ld_ar_next(ar, &e)) == 1) {
		ld_slice p = ld_slice_cstr(e.path);
		if (++st->entries > JAVA_MAX_ENTRIES) {
			scan_warn(st, where,
				  "more zip entries than the limit: the rest are not read");
			st->stopped = true;
			break;
		}
		if (e.type != LD_AR_REG)
			continue;
		if (ld_slice_case_eq_cstr(p, "META-INF/MANIFEST.MF")) {
			ld_buf_clear(&mf);
			if (ld_ar_read_all(ar, &mf, JAVA_MAX_TEXT)) {
				scan_warn(st, where, st->ctx->err.msg);
				ld_error_clear(st->ctx);
				ld_buf_clear(&mf);
			} else {
				have_mf = true;
			}
		} else if (ld_slice_starts_with(p, "META-INF/maven/") &&
			   ld_slice_ends_with(p, "/pom.properties")) {
			size_t start = props.len, left = JAVA_MAX_POM_TEXTS - st->pom_bytes;
			if (!left) {
				if (!st->poms_capped)
					scan_warn(st, where, "pom.properties files over the limit for one archive: "
							     "the rest are not read");
				st->poms_capped = true;
				continue;
			}
			if (ld_ar_read_all(ar, &props, LD_MIN(left, JAVA_MAX_POM))) {
				st->pom_bytes += LD_MIN(props.len - start, left);
				scan_warn(st, where, st->ctx->err.msg);
				ld_error_clear(st->ctx);
				props.len = start;
				continue;
			}
			if (props.len - start + p.len + 2 > left) {
				/* its path counts too: one that does not fit is the limit reached */
				props.len = start;
				st->pom_bytes = JAVA_MAX_POM_TEXTS;
				continue;
			}
			ld_buf_addc(&props, '\0');
			ld_buf_addslice(&props, p);
			ld_buf_addc(&props, '\0');
			st->pom_bytes += props.len - start;
			npoms++;
		} else if (depth + 1 < JAVA_MAX_DEPTH && archive_name(ld_path_base(p))) {
			scan_nested(st, ar, &e, where, depth);
		}
	}
	if (!st->stopped && r < 0) {
		scan_warn(st, where, st->ctx->err.msg);
		ld_error_clear(st->ctx);
	}
	if (ld_buf_error(&props) || ld_buf_error(&mf)) {
		scan_warn(st, where, "out of memory");
		goto out;
	}
	by_name = ld_java_name_from_file(base, &fa, &fv);
	if (!by_name) {
		/* "log4j-core.jar": the stem is still the artifact's likely name */
		fa = base;
		if (fa.len > 4)
			fa.len -= 4;
	}
	{
		/* every pom.properties is a package (shaded jars carry their dependencies' ones) */
		ld_slice all = ld_buf_slice(&props);
		while (all.len) {
			ld_slice text, path;
			pom pm;
			ld_slice_cut(&all, '\0', &text);
			ld_slice_cut(&all, '\0', &path);
			if (!pom_parse(text, path, &pm)) {
				scan_warn(st, where,
					  "pom.properties without artifactId or version: skipped");
				continue;
			}
			emit(st, where, pm.group, pm.artifact, pm.version, "pom");
			if (npoms == 1 || ld_slice_eq(pm.artifact, fa))
				covered = true;
		}
	}
	if (!covered) {
		/* the archive itself: MANIFEST.MF, else the file name */
		manifest m;
		ld_slice g = LD_SLICE_NULL, a = LD_SLICE_NULL, v = LD_SLICE_NULL;
		const char *src = "manifest";
		if (have_mf)
			manifest_parse(ld_buf_slice(&mf), &m);
		else
			memset(&m, 0, sizeof(m));
		{
			/* "org.example.lib;singleton:=true" */
			char *semi = strchr(m.bsn, ';');
			if (semi)
				*semi = '\0';
			ld_slice_copy(m.bsn, sizeof(m.bsn), ld_slice_trim(ld_slice_cstr(m.bsn)));
		}
		if (m.impl_version[0])
			v = ld_slice_cstr(m.impl_version);
		else if (m.bundle_version[0])
			v = ld_slice_cstr(m.bundle_version);
		else if (m.spec_version[0])
			v = ld_slice_cstr(m.spec_version);
		/* artifacts are named artifactId-version.jar: the file name is the best artifact
		 * guess (Implementation-Title is often prose, "Apache Log4j Core") */
		a = fa;
		if (m.impl_vendor_id[0]) {
			g = ld_slice_cstr(m.impl_vendor_id);
		} else if (m.bsn[0]) {
			/* "org.apache.logging.log4j.core" -> "org.apache.logging.log4j" */
			char *dot = strrchr(m.bsn, '.');
			if (dot)
				g = ld_slice_make(m.bsn, (size_t)(dot - m.bsn));
		}
		if (!v.len && by_name) {
			v = fv;
			src = "filename";
		}
		if (a.len && v.len)
			emit(st, where, g, a, v, src);
	}
out:
	ld_ar_close(ar);
	ld_buf_release(&mf);
	ld_buf_release(&props);
}

int ld_java_analyze(const unsigned char *data, size_t len, const char *path, ld_arena *a,
		    ld_slice *result)
{
	java_scan st;
	ld_slice p = ld_slice_cstr(path);
	int rc = 0;

	*result = LD_SLICE_NULL;
	if (!archive_name(ld_path_base(p)))
		return 0; /* the analyzers' patterns are wider than the extensions */
	memset(&st, 0, sizeof(st));
	ld_buf_init(&st.out, LD_BUF_DEFAULT_MAX);
	if (lading_ctx_new(&st.ctx))
		return LADING_ENOMEM;
	scan_archive(&st, data, len, LD_SLICE_NULL, ld_path_base(p), 0);
	if (ld_buf_error(&st.out))
		rc = LADING_ENOMEM;
	else if (st.out.len && !(result->ptr = ld_arena_memdup(a, st.out.ptr, st.out.len)))
		rc = LADING_ENOMEM;
	else
		result->len = st.out.len;
	ld_buf_release(&st.out);
	lading_ctx_free(st.ctx);
	return rc;
}

int ld_java_result_each(ld_slice blob, ld_lang_fn fn, void (*warn)(void *opaque, ld_slice msg),
			void *opaque)
{
	ld_slice f[6];
	size_t n;
	int rc;
	while (ld_lang_blob_next(&blob, f, 6, &n)) {
		if (ld_slice_eq_cstr(f[0], "W") && n >= 2) {
			if (warn)
				warn(opaque, f[1]);
		} else if (ld_slice_eq_cstr(f[0], "J") && n == 6 && f[3].len && f[4].len) {
			ld_lang_pkg p;
			memset(&p, 0, sizeof(p));
			p.path = f[1];
			p.ns = f[2];
			p.name = f[3];
			p.version = f[4];
			p.source = f[5];
			if ((rc = fn(opaque, &p)))
				return rc;
		}
	}
	return 0;
}

/* Globs cannot say "[jwe]ar": two patterns wider than the extensions, narrowed in the analyzer
 * (and by the zip magic). */
static const ld_analyzer java_ar = {
    .name = "java-archive",
    .version = "2",
    .pattern = "**/*ar",
    .magic = "PK\x03\x04",
    .magic_len = 4,
    .max_size = JAVA_MAX_ARCHIVE,
    .fn = ld_java_analyze,
};
static const ld_analyzer java_pi = {
    .name = "java-plugin",
    .version = "2",
    .pattern = "**/*pi",
    .magic = "PK\x03\x04",
    .magic_len = 4,
    .max_size = JAVA_MAX_ARCHIVE,
    .fn = ld_java_analyze,
};
static const ld_analyzer *const java_analyzers[] = {&java_ar, &java_pi, NULL};

/* ---- cataloger ---- */

typedef struct java_run {
	ld_catalog *cat;
	lading_ctx *ctx;
	const ld_lang_file *file;
} java_run;

static void on_warn(void *opaque, ld_slice msg)
{
	java_run *r = opaque;
	ld_warn(r->ctx, "/%s: %.*s", r->file->path, (int)msg.len, msg.ptr);
}

static int on_pkg(void *opaque, const ld_lang_pkg *p)
{
	java_run *r = opaque;
	ld_buf name = LD_BUF_INIT;
	int rc = 0;
	if (p->ns.len)
		ld_buf_addf(&name, "%.*s:%.*s", (int)p->ns.len, p->ns.ptr, (int)p->name.len,
			    p->name.ptr);
	else
		ld_buf_addslice(&name, p->name);
	if (ld_buf_error(&name) ||
	    !ld_lang_add(r->cat, "maven", "java", ld_buf_slice(&name), p->ns, p->name, p->version,
			 LD_SLICE_NULL, r->file->path, r->file->layer))
		rc = ld_error_set(r->ctx, LADING_ENOMEM, "out of memory");
	ld_buf_release(&name);
	return rc;
}

static int on_result(void *opaque, const ld_lang_file *f)
{
	java_run *r = opaque;
	r->file = f;
	return ld_java_result_each(f->data, on_pkg, on_warn, r);
}

static int java_run_cat(ld_catalog *c, lading_ctx *ctx)
{
	java_run r = {c, ctx, NULL};
	int rc = ld_lang_results(c, "java-archive", on_result, &r);
	if (!rc)
		rc = ld_lang_results(c, "java-plugin", on_result, &r);
	return rc;
}

const ld_cataloger ld_cataloger_java = {"java", "1", java_wants, 0, java_run_cat, java_analyzers};
