/* Binary classifiers: software built by hand or copied into an image (`make install`, a tarball
 * in /opt) that no package manager knows. A data-driven table (data/binary-classifiers.tsv,
 * compiled in) says, per product, which file names to look at and which byte pattern carries the
 * version; an analyzer runs it on executables and shared libraries while the layers stream, and
 * the cataloger keeps the finds that no OS package owns and no Go build info already reports. */
#include "util/common.h"
#include "util/path.h"
#include "catalog/binfmt.h"
#include "catalog/catalog.h"

/* Named limits. */
#define CLS_MAX_ROWS  512 /* rows in the table */
#define CLS_MAX_FIELD 512 /* bytes of one field */
#define CLS_MAX_GLOBS 16  /* file globs of one row */

/* the table, as a byte array generated from data/binary-classifiers.tsv at build time */
#include "binary_classifiers.inc"

static char *field(ld_arena *a, ld_slice f)
{
	f = ld_slice_trim(f);
	if (!f.len || ld_slice_eq_cstr(f, "-"))
		return NULL;
	return ld_arena_slice(a, f);
}

void ld_classifiers_free_all(ld_classifier *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++)
		ld_bpat_free(rows[i].bpat);
}

/* The flags column: "-", or a list of name-version and cpe-minor. */
static int parse_flags(ld_slice fl, unsigned *flags, size_t lineno, char *err, size_t errsz)
{
	ld_slice one;

	fl = ld_slice_trim(fl);
	while (fl.len && !ld_slice_eq_cstr(fl, "-")) {
		ld_slice_cut(&fl, ',', &one);
		one = ld_slice_trim(one);
		if (ld_slice_eq_cstr(one, "name-version")) {
			*flags |= LD_CLS_NAME_VERSION;
		} else if (ld_slice_eq_cstr(one, "cpe-minor")) {
			*flags |= LD_CLS_CPE_MINOR;
		} else {
			ld_snprintf(err, errsz, "line %zu: unknown flag %.*s", lineno, (int)one.len, one.ptr);
			return LADING_EINVALID;
		}
	}
	return 0;
}

/* The cpes column: each vendor:product has exactly one ':' inside. */
static int check_cpes(const char *cpes, size_t lineno, char *err, size_t errsz)
{
	ld_slice cl = ld_slice_cstr(cpes), one;

	while (cl.len) {
		size_t colons = 0;
		ld_slice_cut(&cl, ',', &one);
		for (size_t k = 0; k < one.len; k++)
			colons += one.ptr[k] == ':';
		if (colons != 1 || one.ptr[0] == ':' || one.ptr[one.len - 1] == ':') {
			ld_snprintf(err, errsz, "line %zu: cpes are vendor:product", lineno);
			return LADING_EINVALID;
		}
	}
	return 0;
}

/* One row from its 7 fields. */
static int parse_row(ld_classifier *r, const ld_slice f[7], ld_arena *a, size_t lineno, char *err, size_t errsz)
{
	char perr[160];
	int rc;

	for (size_t i = 0; i < 7; i++)
		if (f[i].len > CLS_MAX_FIELD) {
			ld_snprintf(err, errsz, "line %zu: field %zu longer than %d bytes", lineno, i + 1,
				    CLS_MAX_FIELD);
			return LADING_ELIMIT;
		}
	memset(r, 0, sizeof(*r));
	r->product = field(a, f[0]);
	r->files = field(a, f[1]);
	r->pattern = field(a, f[2]);
	r->cpes = field(a, f[3]);
	r->bitnami = field(a, f[4]);
	r->go_module = field(a, f[5]);
	if (!r->product || !r->files || !r->pattern) {
		ld_snprintf(err, errsz, "line %zu: product, files and pattern are required", lineno);
		return LADING_EINVALID;
	}
	if ((rc = parse_flags(f[6], &r->flags, lineno, err, errsz)))
		return rc;
	if (r->cpes && (rc = check_cpes(r->cpes, lineno, err, errsz)))
		return rc;
	if ((rc = ld_bpat_compile(&r->bpat, r->pattern, perr, sizeof(perr)))) {
		ld_snprintf(err, errsz, "line %zu: pattern: %s", lineno, perr);
		return rc ? rc : LADING_EINVALID;
	}
	return 0;
}

int ld_classifiers_parse(ld_slice tsv, ld_arena *a, ld_classifier **out, size_t *n, char *err,
			 size_t errsz)
{
	ld_classifier *rows = ld_arena_array(a, CLS_MAX_ROWS, sizeof(*rows));
	ld_slice line;
	size_t nrows = 0, lineno = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!rows)
		return LADING_ENOMEM;
	while (ld_slice_next_line(&tsv, &line)) {
		ld_slice f[7];
		size_t nf = 0;
		lineno++;
		if (!ld_slice_trim(line).len || line.ptr[0] == '#')
			continue;
		while (nf < 7 && line.len)
			ld_slice_cut(&line, '\t', &f[nf++]);
		if (nf != 7 || line.len) {
			ld_snprintf(err, errsz, "line %zu: 7 tab-separated fields expected",
				    lineno);
			rc = LADING_EINVALID;
			break;
		}
		if (nrows >= CLS_MAX_ROWS) {
			ld_snprintf(err, errsz, "line %zu: more than %d rows", lineno,
				    CLS_MAX_ROWS);
			rc = LADING_ELIMIT;
			break;
		}
		if ((rc = parse_row(&rows[nrows], f, a, lineno, err, errsz)))
			break;
		nrows++;
	}
	if (rc) {
		ld_classifiers_free_all(rows, nrows);
		return rc;
	}
	*out = rows;
	*n = nrows;
	return 0;
}

/* The compiled-in table, parsed once per process: it is constant data, and the analyzer that
 * uses it runs in layer threads without a context to hang it on. */
static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static ld_arena table_arena;
static ld_classifier *table_rows;
static size_t table_n;

static void table_init(void)
{
	char err[256];
	ld_arena_init(&table_arena, 0);
	if (ld_classifiers_parse(ld_slice_make(classifier_tsv, sizeof(classifier_tsv) - 1),
				 &table_arena, &table_rows, &table_n, err, sizeof(err)))
		table_rows = NULL;
}

const ld_classifier *ld_classifiers(size_t *n)
{
	pthread_once(&table_once, table_init);
	*n = table_rows ? table_n : 0;
	return table_rows;
}

/* ---- matching one file ---- */

static bool name_matches(const char *files, ld_slice base)
{
	ld_slice rest = ld_slice_cstr(files), g;
	char pat[CLS_MAX_FIELD + 1];
	size_t globs = 0;
	while (rest.len && globs++ < CLS_MAX_GLOBS) {
		ld_slice_cut(&rest, ',', &g);
		ld_slice_copy(pat, sizeof(pat), ld_slice_trim(g));
		if (pat[0] && ld_glob_match(pat, base))
			return true;
	}
	return false;
}

typedef struct name_ver {
	ld_slice digits; /* "3.11" of "python3.11" */
} name_ver;

static bool accept_name_version(void *opaque, ld_slice v)
{
	const name_ver *nv = opaque;
	if (!nv->digits.len)
		return true;
	return v.len > nv->digits.len && !memcmp(v.ptr, nv->digits.ptr, nv->digits.len) &&
	       v.ptr[nv->digits.len] == '.';
}

/* The first run of digits and dots in a file name, without a trailing dot: "libpython3.11.so.1"
 * -> "3.11" (the ".so" breaks the run). */
static ld_slice name_digits(ld_slice base)
{
	size_t i = 0, j;
	while (i < base.len && !(base.ptr[i] >= '0' && base.ptr[i] <= '9'))
		i++;
	j = i;
	while (j < base.len && ((base.ptr[j] >= '0' && base.ptr[j] <= '9') || base.ptr[j] == '.'))
		j++;
	while (j > i && base.ptr[j - 1] == '.')
		j--;
	return ld_slice_sub(base, i, j - i);
}

int ld_classify(const ld_classifier *rows, size_t n, const char *path, const unsigned char *data,
		size_t len, ld_buf *out)
{
	ld_slice base = ld_path_base(ld_slice_cstr(path));
	const char *found[CLS_MAX_ROWS];
	size_t nfound = 0;
	for (size_t i = 0; i < n && i < CLS_MAX_ROWS; i++) {
		const ld_classifier *r = &rows[i];
		ld_slice v;
		name_ver nv = {LD_SLICE_NULL};
		bool done = false;
		if (!name_matches(r->files, base))
			continue;
		for (size_t j = 0; j < nfound && !done;
		     j++) /* the first matching row of a product wins */
			done = !strcmp(found[j], r->product);
		if (done)
			continue;
		if (r->flags & LD_CLS_NAME_VERSION)
			nv.digits = name_digits(base);
		if (!ld_bpat_search(r->bpat, data, len,
				    (r->flags & LD_CLS_NAME_VERSION) ? accept_name_version : NULL,
				    &nv, &v))
			continue;
		ld_buf_addf(out, "%s\t%.*s\t%zu\n", r->product, (int)v.len, v.ptr, i);
		found[nfound++] = r->product;
	}
	return ld_buf_error(out);
}

/* ---- analyzer ---- */

static int analyze(const unsigned char *data, size_t len, const char *path, ld_arena *a,
		   ld_slice *result)
{
	size_t n;
	const ld_classifier *rows = ld_classifiers(&n);
	ld_buf b = LD_BUF_INIT;
	int rc;
	char *s;

	if (!rows)
		return LADING_ENOTFOUND;
	b.max = 64 << 10;
	rc = ld_classify(rows, n, path, data, len, &b);
	if (!rc && b.len) {
		if ((s = ld_arena_slice(a, ld_buf_slice(&b))))
			*result = ld_slice_make(s, b.len);
		else
			rc = LADING_ENOMEM;
	}
	ld_buf_release(&b);
	return rc;
}

/* Only files named like a row of the table are read for it (every row names its files). */
static bool applies(ld_slice path)
{
	size_t n;
	const ld_classifier *rows = ld_classifiers(&n);
	ld_slice base = ld_path_base(path);
	for (size_t i = 0; rows && i < n && i < CLS_MAX_ROWS; i++)
		if (name_matches(rows[i].files, base))
			return true;
	return false;
}

static const ld_analyzer cls_analyzer = {
    .name = "binary-classifier",
    .version = "1-" CLASSIFIER_TABLE_SHA, /* cached results are keyed by the table too */
    .pattern = NULL,
    .exec_or_lib = true,
    .magic = "\x7f"
	     "ELF",
    .magic_len = 4,
    .max_size = (size_t)512 << 20,
    .fn = analyze,
    .applies = applies,
};

/* ---- cataloger ---- */

typedef struct cls_run {
	ld_catalog *c;
	const ld_classifier *rows;
	size_t nrows;
	int analyzer, go_analyzer;
	ld_vec nodes; /* const ld_vnode *, sorted by path for a stable order */
} cls_run;

static int collect(void *opaque, const ld_vnode *n)
{
	cls_run *r = opaque;
	const ld_vnode **slot;
	if (n->type != LD_LF_REG || !n->file || !n->file->results ||
	    !ld_vnode_result(n, r->analyzer))
		return 0;
	if (!(slot = ld_vec_push(&r->nodes)))
		return LADING_ENOMEM;
	*slot = n;
	return 0;
}

static int node_cmp(const void *x, const void *y)
{
	const ld_vnode *a = *(const ld_vnode *const *)x, *b = *(const ld_vnode *const *)y;
	return strcmp(a->path, b->path);
}

/* Does the binary's Go build info already report `module` with a real version? */
static bool go_explains(const cls_run *r, const ld_vnode *n, const char *module)
{
	const ld_slice *res;
	ld_slice blob, line;
	size_t ml = strlen(module);
	if (r->go_analyzer < 0 || !(res = ld_vnode_result(n, r->go_analyzer)))
		return false;
	blob = *res;
	while (ld_slice_next_line(&blob, &line)) {
		ld_slice kind, path, ver;
		ld_slice_cut(&line, '\t', &kind);
		if (!ld_slice_eq_cstr(kind, "mod"))
			continue;
		ld_slice_cut(&line, '\t', &path);
		ld_slice_cut(&line, '\t', &ver);
		if (path.len < ml || memcmp(path.ptr, module, ml) ||
		    (path.len > ml && path.ptr[ml] != '/'))
			return false;
		return ver.len && !ld_slice_eq_cstr(ver, "(devel)");
	}
	return false;
}

/* CPE 2.3 formatted-string escaping of one component. */
static void cpe_component(ld_buf *b, ld_slice s)
{
	for (size_t i = 0; i < s.len; i++) {
		char ch = s.ptr[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			ld_buf_addc(b, '\\');
		ld_buf_addc(b, ch);
	}
}

static char *make_cpe(ld_arena *a, const ld_classifier *r, ld_slice version)
{
	ld_buf b = LD_BUF_INIT;
	ld_slice cpes, first, vendor, product, update = ld_slice_make("*", 1);
	char *s;
	if (!r->cpes)
		return NULL;
	cpes = ld_slice_cstr(r->cpes);
	ld_slice_cut(&cpes, ',', &first);
	ld_slice_cut(&first, ':', &vendor);
	product = first;
	if (r->flags & LD_CLS_CPE_MINOR) {
		/* "4.3.24" -> version "4.3", update "patch24", as NVD names bash releases */
		ptrdiff_t d1 = ld_slice_find(version, '.');
		ptrdiff_t d2 =
		    d1 >= 0 ? ld_slice_find(ld_slice_sub(version, (size_t)d1 + 1, version.len), '.')
			    : -1;
		if (d2 >= 0) {
			size_t cut = (size_t)d1 + 1 + (size_t)d2;
			update = ld_slice_sub(version, cut + 1, version.len);
			version = ld_slice_sub(version, 0, cut);
		}
	}
	ld_buf_adds(&b, "cpe:2.3:a:");
	cpe_component(&b, vendor);
	ld_buf_addc(&b, ':');
	cpe_component(&b, product);
	ld_buf_addc(&b, ':');
	cpe_component(&b, version);
	ld_buf_addc(&b, ':');
	if (update.len == 1 && update.ptr[0] == '*')
		ld_buf_addc(&b, '*');
	else {
		ld_buf_adds(&b, "patch");
		cpe_component(&b, update);
	}
	ld_buf_adds(&b, ":*:*:*:*:*:*");
	s = ld_buf_error(&b) ? NULL : ld_arena_slice(a, ld_buf_slice(&b));
	ld_buf_release(&b);
	return s;
}

static int add_finds(cls_run *r, const ld_vnode *n)
{
	ld_catalog *c = r->c;
	ld_slice blob = *ld_vnode_result(n, r->analyzer), line;
	char loc[LD_PATH_MAX + 2];

	ld_snprintf(loc, sizeof(loc), "/%s", n->path);
	if (ld_catalog_owner(c, loc))
		return 0; /* the OS package manager knows this file: its feed covers it */
	while (ld_slice_next_line(&blob, &line)) {
		ld_slice product, version, rowno;
		uint64_t row;
		const ld_classifier *cr;
		lading_package *p;
		ld_slice_cut(&line, '\t', &product);
		ld_slice_cut(&line, '\t', &version);
		ld_slice_cut(&line, '\t', &rowno);
		/* results may come from a cache written by another table version: check the row */
		if (!ld_slice_to_u64(rowno, r->nrows - 1, &row) || !r->nrows)
			continue;
		cr = &r->rows[row];
		if (!ld_slice_eq_cstr(product, cr->product) || !version.len)
			continue;
		if (cr->go_module && go_explains(r, n, cr->go_module))
			continue;
		if (!(p = ld_catalog_add(c)) || !(p->version = ld_arena_slice(&c->arena, version)))
			return LADING_ENOMEM;
		p->name = cr->product;
		p->type = "binary";
		p->found_by = "binary-classifier";
		p->layer = n->layer;
		p->location = ld_arena_strdup(&c->arena, loc);
		p->purl = ld_purl_build(&c->arena, "generic", NULL, p->name, p->version, NULL);
		p->cpe = make_cpe(&c->arena, cr, version);
		if (!p->location || !p->purl || (cr->cpes && !p->cpe))
			return LADING_ENOMEM;
	}
	return 0;
}

static int run(ld_catalog *c, lading_ctx *ctx)
{
	cls_run r;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.rows = ld_classifiers(&r.nrows);
	r.analyzer = ld_catalog_analyzer_id(c, cls_analyzer.name);
	r.go_analyzer = ld_catalog_analyzer_id(c, "go-buildinfo");
	if (!c->view || r.analyzer < 0)
		return 0;
	if (!r.rows)
		return ld_error_set(ctx, LADING_EINVALID,
				    "the built-in binary classifier table is broken");
	ld_vec_init(&r.nodes, sizeof(const ld_vnode *), 0);
	if ((rc = ld_view_each(c->view, collect, &r)))
		goto out;
	if (r.nodes.len > 1)
		qsort(r.nodes.ptr, r.nodes.len, sizeof(const ld_vnode *), node_cmp);
	for (size_t i = 0; i < r.nodes.len && !rc; i++)
		rc = add_finds(&r, *(const ld_vnode **)ld_vec_at(&r.nodes, i));
out:
	ld_vec_release(&r.nodes);
	return rc ? ld_error_set(ctx, rc, "out of memory listing classified binaries") : 0;
}

static const char *const no_wants[] = {NULL};
static const ld_analyzer *const analyzers[] = {&cls_analyzer, NULL};

const ld_cataloger ld_cataloger_binary = {
    .name = "binary-classifier",
    .version = "1",
    .wants = no_wants,
    .max_file = 0,
    .run = run,
    .analyzers = analyzers,
};
