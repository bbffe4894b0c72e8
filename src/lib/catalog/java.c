/* Java archives (jar, war, ear, par, and Jenkins' jpi/hpi): an analyzer opens each one while the
 * layer streams (archives are too big and too many to keep) and returns one line per package:
 * every META-INF/maven/GROUP/ARTIFACT/pom.properties (groupId, artifactId, version); when none of
 * those describes the archive itself, its MANIFEST.MF (Implementation-* / Bundle-* headers) or,
 * last, its file name ("log4j-core-2.14.1.jar"). Archives inside archives (WEB-INF/lib,
 * BOOT-INF/lib, fat jars) are read the same way down to a bounded depth and byte budget. Zips are
 * read through their central directory (util/zip.c); large ones are swept as they stream
 * (ld_java_sweep, at the end of this file), so only the entries read here are kept. */
#include "util/common.h"
#include "util/budget.h"
#include "util/stream.h"
#include "util/zip.h"
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
/* deflated nested archives larger than this are swept as they are inflated (smaller ones are
 * inflated whole: a sparse mapping per small jar would cost more than it saves) */
#define JAVA_NESTED_SWEEP_MIN ((uint64_t)1 << 20)

/* The sweep's state words (ld_sweep.state): [0] levels in use, then SW_LEVELS levels of 6 words,
 * then the nesting depth of the archive swept (0: a file of the image; more for a nested
 * archive inflated). */
#define SW_LEVELS JAVA_MAX_DEPTH
#define SW_BASE	  (1 + SW_LEVELS * 6)

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
	ld_budget *budget;   /* the scan's (through the layer's arena), for inflated archives */
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

/* One archive being read: its directory and what it holds for the report. */
typedef struct jar {
	java_scan *st;
	ld_zip z;
	ld_slice where;
	int depth;
	ld_buf mf;    /* MANIFEST.MF */
	bool have_mf;
	ld_buf props; /* all pom.properties texts, each followed by NUL + its path + NUL */
	size_t npoms;
} jar;

enum { WANT_MANIFEST = 1, WANT_POM, WANT_NESTED };
typedef struct wanted {
	ld_zip_entry e;
	int kind;
} wanted;

static void scan_archive(java_scan *st, const unsigned char *data, size_t len, ld_slice where,
			 ld_slice base, int depth);

/* An entry's bytes appended to out (stored: copied; deflated: inflated), at most max.
 * LADING_ELIMIT beyond it, with the message the warning carries. */
static int entry_read(java_scan *st, const ld_zip *z, const ld_zip_entry *e, size_t max,
		      ld_buf *out)
{
	ld_slice raw;
	ld_buf tmp = LD_BUF_INIT;
	bool over;
	int rc;
	if (e->flags & LD_ZIP_FLAG_ENCRYPTED)
		return ld_error_set(st->ctx, LADING_EUNSUPPORTED, "archive: encrypted entry");
	if (ld_zip_data(z, e, &raw, NULL))
		return ld_error_set(st->ctx, LADING_EINVALID,
				    "archive: damaged entry (no local header where the directory says)");
	if (e->method == LD_ZIP_STORED) {
		if (raw.len > max)
			goto too_big;
		return ld_buf_addslice(out, raw) ? ld_error_set(st->ctx, LADING_ENOMEM, "archive: out of memory") : 0;
	}
	if (e->method != LD_ZIP_DEFLATED)
		return ld_error_set(st->ctx, LADING_EUNSUPPORTED,
				    "archive: unsupported compression method %u", e->method);
	ld_buf_set_budget(&tmp, st->budget);
	rc = ld_deflate_inflate(raw, max, &tmp);
	if (!rc && ld_buf_addslice(out, ld_buf_slice(&tmp)))
		rc = LADING_ENOMEM;
	over = ld_buf_over_budget(&tmp);
	ld_buf_release(&tmp);
	if (rc == LADING_ELIMIT && !over)
		goto too_big;
	if (rc == LADING_ELIMIT)
		return ld_error_set(st->ctx, rc, "archive: entry over the scan's memory budget");
	if (rc)
		return ld_error_set(st->ctx, rc, "archive: %s",
				    rc == LADING_EINVALID ? "damaged deflate data" : "out of memory");
	return 0;
too_big:
	return ld_error_set(st->ctx, LADING_ELIMIT, "archive: entry larger than the limit of %zu bytes",
			    max);
}

#define JAVA_SWEEP_CHUNK ((size_t)64 << 10) /* inflated at a time into a nested archive's space */

/* A deflated nested archive, inflated as a stream into an address space of its declared size
 * and swept as the layer stage sweeps a large file (ld_java_sweep): only what its analysis reads
 * stays, charged to the scan's budget while it is read. *m and *charged are the caller's to
 * release (ld_mem_sparse_free(*m, usize), ld_budget_release). */
static int inflate_swept(java_scan *st, ld_slice raw, uint64_t usize, int depth, unsigned char **m,
			 size_t *len, size_t *charged)
{
	ld_inflater *f = NULL;
	unsigned char scratch[16 << 10];
	ld_sweep *sw = calloc(1, sizeof(*sw));
	size_t pos = 0, size = (size_t)usize;
	int rc = 0;
	*len = *charged = 0;
	if (!sw || !(*m = ld_mem_sparse_alloc(size)) || ld_inflater_new(&f, raw)) {
		rc = ld_error_set(st->ctx, LADING_ENOMEM, "archive: out of memory");
		goto out;
	}
	sw->state[SW_BASE] = (uint64_t)depth;
	while (pos < size) {
		bool keep = sw->whole || sw->skip_to <= pos;
		size_t want = keep ? LD_MIN(JAVA_SWEEP_CHUNK, size - pos)
				   : LD_MIN((size_t)LD_MIN(sw->skip_to, (uint64_t)size) - pos, sizeof(scratch));
		ssize_t r;
		if (keep && !ld_budget_charge(st->budget, want)) {
			rc = ld_error_set(st->ctx, LADING_ELIMIT, "archive: over the scan's memory budget");
			goto out;
		}
		*charged += keep ? want : 0;
		if ((r = ld_inflater_read(f, keep ? *m + pos : scratch, want)) < 0) {
			rc = ld_error_set(st->ctx, LADING_EINVALID, "archive: damaged deflate data");
			goto out;
		}
		if (r == 0)
			break;
		pos += (size_t)r;
		if (keep && !sw->whole) {
			sw->skip_to = 0;
			sw->nrelease = 0;
			ld_java_sweep(sw, *m, pos, size);
			for (size_t i = 0; i < sw->nrelease; i++) {
				size_t back = ld_mem_sparse_drop(*m, (size_t)sw->release[i].off,
								 (size_t)sw->release[i].len);
				back = LD_MIN(back, *charged);
				ld_budget_release(st->budget, back);
				*charged -= back;
			}
		}
	}
	*len = pos;
out:
	ld_inflater_free(f);
	free(sw);
	return rc;
}

/* An archive inside the one being read: stored ones are read in place, deflated ones inflated
 * (bounded, charged to the scan's budget); then scanned. */
static void scan_nested(jar *j, const ld_zip_entry *e)
{
	java_scan *st = j->st;
	ld_buf b = LD_BUF_INIT;
	ld_buf path = LD_BUF_INIT;
	unsigned char *m = NULL;
	size_t charged = 0;
	size_t left = JAVA_MAX_NESTED_TOTAL - st->nested_bytes;
	size_t cap = left < JAVA_MAX_NESTED_ONE ? left : JAVA_MAX_NESTED_ONE;
	ld_slice name = e->name, data;

	if (j->where.len)
		ld_buf_addf(&path, "%.*s!/%.*s", (int)j->where.len, j->where.ptr, (int)name.len,
			    name.ptr);
	else
		ld_buf_addslice(&path, name);
	if (ld_buf_error(&path))
		goto out;
	if (e->usize > cap) {
		scan_warn(st, ld_buf_slice(&path), "nested archive larger than the limit: not read");
		goto out;
	}
	if (e->method == LD_ZIP_STORED && !(e->flags & LD_ZIP_FLAG_ENCRYPTED) &&
	    !ld_zip_data(&j->z, e, &data, NULL)) {
		/* nothing to inflate: the bytes are the parent's */
	} else if (e->method == LD_ZIP_DEFLATED && !(e->flags & LD_ZIP_FLAG_ENCRYPTED) &&
		   e->usize > JAVA_NESTED_SWEEP_MIN && !ld_zip_data(&j->z, e, &data, NULL)) {
		size_t n;
		if (inflate_swept(st, data, e->usize, j->depth + 1, &m, &n, &charged)) {
			scan_warn(st, ld_buf_slice(&path), st->ctx->err.msg);
			ld_error_clear(st->ctx);
			goto out;
		}
		data = ld_slice_make(m, n);
	} else if (entry_read(st, &j->z, e, cap, &b)) {
		scan_warn(st, ld_buf_slice(&path), st->ctx->err.msg);
		ld_error_clear(st->ctx);
		goto out;
	} else {
		data = ld_buf_slice(&b);
	}
	st->nested_bytes += data.len;
	if (data.len >= 4 && !memcmp(data.ptr, "PK\x03\x04", 4))
		scan_archive(st, (const unsigned char *)data.ptr, data.len, ld_buf_slice(&path),
			     ld_path_base(name), j->depth + 1);
out:
	if (m)
		ld_mem_sparse_free(m, (size_t)e->usize);
	ld_budget_release(st->budget, charged);
	ld_buf_release(&path);
	ld_buf_release(&b);
}

static void read_manifest(jar *j, const ld_zip_entry *e)
{
	ld_buf_clear(&j->mf);
	j->have_mf = false;
	if (entry_read(j->st, &j->z, e, JAVA_MAX_TEXT, &j->mf)) {
		scan_warn(j->st, j->where, j->st->ctx->err.msg);
		ld_error_clear(j->st->ctx);
		ld_buf_clear(&j->mf);
		return;
	}
	j->have_mf = true;
}

/* A pom.properties appended to props with its path, within JAVA_MAX_POM_TEXTS for the file. */
static void read_pom(jar *j, const ld_zip_entry *e)
{
	java_scan *st = j->st;
	size_t start = j->props.len, left = JAVA_MAX_POM_TEXTS - st->pom_bytes;
	if (!left) {
		if (!st->poms_capped)
			scan_warn(st, j->where, "pom.properties files over the limit for one archive: "
						"the rest are not read");
		st->poms_capped = true;
		return;
	}
	if (entry_read(st, &j->z, e, LD_MIN(left, JAVA_MAX_POM), &j->props)) {
		scan_warn(st, j->where, st->ctx->err.msg);
		ld_error_clear(st->ctx);
		j->props.len = start;
		return;
	}
	if (j->props.len - start + e->name.len + 2 > left) {
		/* its path counts too: one that does not fit is the limit reached */
		j->props.len = start;
		st->pom_bytes = JAVA_MAX_POM_TEXTS;
		return;
	}
	ld_buf_addc(&j->props, '\0');
	ld_buf_addslice(&j->props, e->name);
	ld_buf_addc(&j->props, '\0');
	st->pom_bytes += j->props.len - start;
	j->npoms++;
}

/* What an entry of an archive at `depth` is to the analyzer, by its name (0: nothing). */
static int name_kind(ld_slice p, int depth)
{
	if (memchr(p.ptr, '\0', p.len))
		return 0;
	if (ld_slice_case_eq_cstr(p, "META-INF/MANIFEST.MF"))
		return WANT_MANIFEST;
	if (ld_slice_starts_with(p, "META-INF/maven/") && ld_slice_ends_with(p, "/pom.properties"))
		return WANT_POM;
	if (depth + 1 < JAVA_MAX_DEPTH && archive_name(ld_path_base(p)))
		return WANT_NESTED;
	return 0;
}

static int wanted_kind(const jar *j, const ld_zip_entry *e)
{
	return ld_zip_regular(e) ? name_kind(e->name, j->depth) : 0;
}

static int wanted_cmp(const void *x, const void *y)
{
	const wanted *a = x, *b = y;
	return a->e.offset < b->e.offset ? -1 : a->e.offset > b->e.offset;
}

/* The central directory's entries the analyzer reads, in the order of their data (as the
 * archive was written: a later MANIFEST.MF replaces an earlier one). */
static int collect_wanted(jar *j, ld_vec *out)
{
	java_scan *st = j->st;
	ld_zip_iter it = {0, 0};
	ld_zip_entry e;
	int r;
	while ((r = ld_zip_next(&j->z, &it, &e)) == 1) {
		wanted *w;
		int kind;
		if (++st->entries > JAVA_MAX_ENTRIES) {
			scan_warn(st, j->where,
				  "more zip entries than the limit: the rest are not read");
			st->stopped = true;
			break;
		}
		if (!(kind = wanted_kind(j, &e)))
			continue;
		if (!(w = ld_vec_push(out)))
			return ld_error_set(st->ctx, LADING_ENOMEM, "out of memory");
		w->e = e;
		w->kind = kind;
	}
	if (r < 0)
		ld_error_set(st->ctx, r, "archive: damaged central directory");
	if (out->len > 1)
		qsort(out->ptr, out->len, sizeof(wanted), wanted_cmp);
	return r < 0 ? r : 0;
}

/* Read what the analyzer wants of one archive: MANIFEST.MF, every pom.properties, and the
 * archives inside it. */
static void read_entries(jar *j)
{
	java_scan *st = j->st;
	ld_vec w;
	uint64_t prev_end = 0;
	ld_vec_init(&w, sizeof(wanted), 0);
	if (collect_wanted(j, &w) && !st->stopped) {
		scan_warn(st, j->where, st->ctx->err.msg);
		ld_error_clear(st->ctx);
	}
	for (size_t i = 0; i < w.len && !st->stopped; i++) {
		const wanted *x = ld_vec_at(&w, i);
		uint64_t end;
		ld_slice raw;
		/* entries sharing bytes (a zip bomb's trick) are read once */
		if (!ld_zip_data(&j->z, &x->e, &raw, &end)) {
			if (x->e.offset < prev_end) {
				scan_warn(st, j->where, "archive: entries overlap: one skipped");
				continue;
			}
			prev_end = end;
		}
		if (x->kind == WANT_MANIFEST)
			read_manifest(j, &x->e);
		else if (x->kind == WANT_POM)
			read_pom(j, &x->e);
		else
			scan_nested(j, &x->e);
	}
	ld_vec_release(&w);
}

/* Every pom.properties is a package (shaded jars carry their dependencies' ones); true when
 * one of them is the archive itself. */
static bool report_poms(jar *j, ld_slice fa)
{
	ld_slice all = ld_buf_slice(&j->props);
	bool covered = false;
	while (all.len) {
		ld_slice text, path;
		pom pm;
		ld_slice_cut(&all, '\0', &text);
		ld_slice_cut(&all, '\0', &path);
		if (!pom_parse(text, path, &pm)) {
			scan_warn(j->st, j->where, "pom.properties without artifactId or version: skipped");
			continue;
		}
		emit(j->st, j->where, pm.group, pm.artifact, pm.version, "pom");
		if (j->npoms == 1 || ld_slice_eq(pm.artifact, fa))
			covered = true;
	}
	return covered;
}

/* The archive itself: MANIFEST.MF, else the file name. */
static void report_self(jar *j, ld_slice fa, ld_slice fv, bool by_name)
{
	manifest m;
	ld_slice g = LD_SLICE_NULL, v = LD_SLICE_NULL;
	const char *src = "manifest";
	char *semi;
	if (j->have_mf)
		manifest_parse(ld_buf_slice(&j->mf), &m);
	else
		memset(&m, 0, sizeof(m));
	/* "org.example.lib;singleton:=true" */
	if ((semi = strchr(m.bsn, ';')))
		*semi = '\0';
	ld_slice_copy(m.bsn, sizeof(m.bsn), ld_slice_trim(ld_slice_cstr(m.bsn)));
	if (m.impl_version[0])
		v = ld_slice_cstr(m.impl_version);
	else if (m.bundle_version[0])
		v = ld_slice_cstr(m.bundle_version);
	else if (m.spec_version[0])
		v = ld_slice_cstr(m.spec_version);
	/* artifacts are named artifactId-version.jar: the file name is the best artifact guess
	 * (Implementation-Title is often prose, "Apache Log4j Core") */
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
	if (fa.len && v.len)
		emit(j->st, j->where, g, fa, v, src);
}

static void scan_archive(java_scan *st, const unsigned char *data, size_t len, ld_slice where,
			 ld_slice base, int depth)
{
	jar j;
	ld_slice fa = LD_SLICE_NULL, fv = LD_SLICE_NULL;
	bool by_name;

	memset(&j, 0, sizeof(j));
	j.st = st;
	j.where = where;
	j.depth = depth;
	ld_buf_init(&j.mf, LD_BUF_DEFAULT_MAX);
	/* texts, paths and separators within JAVA_MAX_POM_TEXTS (for the file, all levels), plus
	 * room for the one entry read past it before it is dropped */
	ld_buf_init(&j.props, JAVA_MAX_POM_TEXTS + 4 * JAVA_MAX_POM);
	if (ld_zip_open(&j.z, data, len)) {
		scan_warn(st, where, "archive: cannot read archive: no zip central directory");
		return;
	}
	read_entries(&j);
	if (ld_buf_error(&j.props) || ld_buf_error(&j.mf)) {
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
	if (!report_poms(&j, fa))
		report_self(&j, fa, fv, by_name);
out:
	ld_buf_release(&j.mf);
	ld_buf_release(&j.props);
}

/* ---- the sweep: what of a large archive to keep as it streams (layer.h, ld_sweep_fn) ----
 *
 * Local headers are read in order: the bytes of entries the analyzer will not read (their
 * headers too) are let go, those of MANIFEST.MF, pom.properties and nested archives are kept, and
 * so is everything from the central directory on (it comes last). A stored nested archive is
 * swept the same way inside its entry's bytes (spring-boot's BOOT-INF/lib/); a deflated one is
 * kept whole. Anything the sweep cannot follow is kept. The analysis itself then reads the
 * central directory as for a file read whole; what a lying local header made the sweep let go
 * reads as zeros there (a damaged entry). */

enum { SW_HEAD = 0, SW_SCAN_DROP, SW_SCAN_KEEP, SW_KEEP_REST };
typedef struct sw_level {
	uint64_t cursor, end, mode, start, drop_from, resume;
} sw_level;
_Static_assert(SW_BASE + 1 <= sizeof(((ld_sweep *)0)->state) / sizeof(uint64_t),
	       "sweep state too small");
#define SW_SCAN_KEEP_BACK 64 /* bytes kept behind a descriptor scan (the descriptor itself) */

static sw_level *sw_top(ld_sweep *s)
{
	return (sw_level *)(void *)&s->state[1 + (s->state[0] - 1) * 6];
}

/* Let go of [a, b) (below avail); false when the list is full (the sweep stops for now). */
static bool sw_release(ld_sweep *s, uint64_t a, uint64_t b, uint64_t avail)
{
	ld_range *last = s->nrelease ? &s->release[s->nrelease - 1] : NULL;
	if (b > avail)
		b = avail;
	if (a < 4)
		a = 4; /* the magic stays: a nested archive is recognized by it */
	if (b <= a)
		return true;
	if (last && last->off + last->len == a) {
		last->len += b - a;
		return true;
	}
	if (s->nrelease >= LD_SWEEP_MAX_RELEASE)
		return false;
	s->release[s->nrelease++] = (ld_range){a, b - a};
	return true;
}

/* One local header at lv->cursor: 1 = go on, 0 = wait for more bytes. */
static int sw_header(ld_sweep *s, sw_level *lv, const unsigned char *m, uint64_t avail)
{
	ld_zip_local loc;
	uint64_t lim = LD_MIN(avail, lv->end), data, end;
	int depth = (int)(s->state[SW_BASE] + s->state[0]) - 1, kind, r;
	if (lv->cursor >= avail) {
		s->skip_to = lv->cursor; /* the entry's bytes up to there are let go */
		return 0;
	}
	r = ld_zip_local_parse(m + lv->cursor, (size_t)(lim - lv->cursor), &loc);
	if (r == 0 && avail < lv->end)
		return 0;
	if (r <= 0 || lv->cursor + loc.header_len > lv->end) {
		lv->mode = SW_KEEP_REST; /* the central directory, or something we cannot follow */
		return 1;
	}
	data = lv->cursor + loc.header_len;
	kind = name_kind(loc.name, depth);
	if (!loc.sized) {
		lv->mode = kind ? SW_SCAN_KEEP : SW_SCAN_DROP;
		lv->start = lv->resume = data;
		lv->drop_from = lv->cursor;
		return 1;
	}
	if (loc.csize > lv->end - data) {
		lv->mode = SW_KEEP_REST;
		return 1;
	}
	end = data + loc.csize;
	if (!kind && !sw_release(s, lv->cursor, end, avail))
		return 0;
	if (kind && end > avail && !(kind == WANT_NESTED && loc.method == LD_ZIP_STORED &&
				     s->state[0] < SW_LEVELS))
		return 0; /* kept: the cursor moves once all of it is in (skip_to must not pass it) */
	lv->cursor = end;
	if (kind == WANT_NESTED && loc.method == LD_ZIP_STORED && s->state[0] < SW_LEVELS) {
		sw_level *in;
		s->state[0]++;
		in = sw_top(s);
		*in = (sw_level){data, end, SW_HEAD, 0, 0, 0};
	}
	return 1;
}

/* Look for the end of an entry written with a data descriptor: 1 = found, 0 = more bytes. */
static int sw_scan(ld_sweep *s, sw_level *lv, const unsigned char *m, uint64_t avail)
{
	uint64_t lim = LD_MIN(avail, lv->end);
	int64_t at;
	if (lim <= lv->start + 4)
		return avail >= lv->end ? (lv->mode = SW_KEEP_REST, 1) : 0;
	at = ld_zip_descriptor_end(m + lv->start, (size_t)(lim - lv->start),
				   (size_t)(lv->resume - lv->start));
	if (at < 0) {
		if (avail >= lv->end) {
			lv->mode = SW_KEEP_REST;
			return 1;
		}
		lv->resume = lim - 3;
		if (lv->mode == SW_SCAN_DROP && lim > lv->drop_from + SW_SCAN_KEEP_BACK &&
		    sw_release(s, lv->drop_from, lim - SW_SCAN_KEEP_BACK, avail))
			lv->drop_from = lim - SW_SCAN_KEEP_BACK;
		return 0;
	}
	if (lv->mode == SW_SCAN_DROP && !sw_release(s, lv->drop_from, lv->start + (uint64_t)at, avail))
		return 0;
	lv->cursor = lv->start + (uint64_t)at;
	lv->mode = SW_HEAD;
	return 1;
}

void ld_java_sweep(ld_sweep *s, const unsigned char *m, uint64_t avail, uint64_t size)
{
	if (!s->state[0]) {
		s->state[0] = 1;
		*sw_top(s) = (sw_level){0, size, SW_HEAD, 0, 0, 0};
	}
	for (;;) {
		sw_level *lv = sw_top(s);
		int r;
		if (lv->mode == SW_KEEP_REST || lv->cursor >= lv->end) {
			uint64_t end = lv->end;
			if (s->state[0] == 1) {
				s->whole = true;
				return;
			}
			if (lv->mode == SW_KEEP_REST && avail < end)
				return; /* its central directory: kept up to the end of its entry */
			s->state[0]--;
			continue; /* the parent's cursor is already past the entry */
		}
		if (lv->mode == SW_HEAD)
			r = sw_header(s, lv, m, avail);
		else
			r = sw_scan(s, lv, m, avail);
		if (!r)
			return;
	}
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
	st.budget = a->budget;
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
    .sweep = ld_java_sweep,
};
static const ld_analyzer java_pi = {
    .name = "java-plugin",
    .version = "2",
    .pattern = "**/*pi",
    .magic = "PK\x03\x04",
    .magic_len = 4,
    .max_size = JAVA_MAX_ARCHIVE,
    .fn = ld_java_analyze,
    .sweep = ld_java_sweep,
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
