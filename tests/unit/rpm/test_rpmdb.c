/* RPM database readers: the real fixtures against rpm's own answers, and hostile inputs (built
 * here from the fixtures) that must end in a clean error or a skipped header, never a crash. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "util/common.h"
#include "catalog/rpmdb.h"

/* ---- helpers ------------------------------------------------------------------------------- */

typedef struct strlist {
	char **v;
	size_t n, cap;
} strlist;

static void sl_add(strlist *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		assert_non_null(l->v);
	}
	l->v[l->n] = ld_strdup(s);
	assert_non_null(l->v[l->n]);
	l->n++;
}

static void sl_addf(strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sl_addf(strlist *l, const char *fmt, ...)
{
	char tmp[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	sl_add(l, tmp);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sl_sort(strlist *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
}

static void sl_free(strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Compare two sorted lists, printing the first differences for a readable failure. */
static void sl_assert_equal(strlist *got, strlist *want, const char *what)
{
	size_t i = 0, j = 0, shown = 0;
	while ((i < got->n || j < want->n) && shown < 10) {
		int c = i >= got->n ? 1 : j >= want->n ? -1 : strcmp(got->v[i], want->v[j]);
		if (c == 0) {
			i++, j++;
			continue;
		}
		print_message("%s: %s '%s'\n", what, c < 0 ? "unexpected" : "missing",
			      c < 0 ? got->v[i] : want->v[j]);
		shown++;
		if (c < 0)
			i++;
		else
			j++;
	}
	assert_int_equal(shown, 0);
	assert_int_equal(got->n, want->n);
}

static const char *shared(void)
{
	const char *s = getenv("LADING_SHARED");
	if (!s)
		fail_msg("LADING_SHARED is not set (run through ctest)");
	return s;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;
	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static uint8_t *read_fixture(const char *rel, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/fixtures/rpmdb/%s", shared(), rel);
	return read_file(path, len);
}

typedef struct fixture {
	const char *dir, *db, *dbfile;
	ld_rpmdb_kind kind;
	bool rpm_can_read; /* Debian's rpm has no ndb backend */
} fixture;

static const fixture fixtures[] = {
	{"cbl-mariner-2.0", "var/lib/rpm/rpmdb.sqlite", "rpmdb.sqlite", LD_RPMDB_SQLITE, true},
	{"sle15-bci", "usr/lib/sysimage/rpm/Packages.db", "Packages.db", LD_RPMDB_NDB, false},
	{"rhel8-libuuid", "var/lib/rpm/Packages", "Packages", LD_RPMDB_BDB, true},
	{"centos8-dive", "var/lib/rpm/Packages", "Packages", LD_RPMDB_BDB, true},
	{"fedora32-epoch", "var/lib/rpm/Packages", "Packages", LD_RPMDB_BDB, true},
};

static uint8_t *fixture_db(const fixture *fx, size_t *len)
{
	char rel[1024];
	snprintf(rel, sizeof(rel), "%s/%s", fx->dir, fx->db);
	return read_fixture(rel, len);
}

static const char *nz(const char *s)
{
	return s ? s : "(none)";
}

/* ---- fixtures: package lists ---------------------------------------------------------------- */

static void test_fixtures_expected(void **state)
{
	(void)state;
	for (size_t f = 0; f < LD_ARRAY_LEN(fixtures); f++) {
		const fixture *fx = &fixtures[f];
		strlist got = {0}, want = {0};
		lading_ctx *ctx;
		ld_arena a;
		ld_rpm_pkg *pk;
		size_t len, n, elen;
		uint8_t *db = fixture_db(fx, &len), *exp;
		char rel[1024];
		ld_slice s, line;

		assert_int_equal(ld_rpmdb_detect(db, len), fx->kind);
		assert_int_equal(lading_ctx_new(&ctx), 0);
		ld_arena_init(&a, 0);
		assert_int_equal(ld_rpmdb_read(db, len, LD_RPMDB_AUTO, &a, &pk, &n, ctx, fx->dir),
				 0);
		assert_int_equal(lading_ctx_warning_count(ctx), 0);
		for (size_t i = 0; i < n; i++)
			sl_addf(&got, "%s\t%d\t%s\t%s\t%s\t%s", pk[i].name,
				pk[i].has_epoch ? pk[i].epoch : 0, pk[i].version, pk[i].release,
				nz(pk[i].arch), nz(pk[i].sourcerpm));
		sl_sort(&got);

		snprintf(rel, sizeof(rel), "%s/EXPECTED-packages.tsv", fx->dir);
		exp = read_fixture(rel, &elen);
		s = ld_slice_make(exp, elen);
		while (ld_slice_next_line(&s, &line)) {
			char tmp[4096];
			ld_slice_copy(tmp, sizeof(tmp), line);
			sl_add(&want, tmp);
		}
		print_message("%s: %zu packages\n", fx->dir, n);
		sl_assert_equal(&got, &want, fx->dir);

		sl_free(&got);
		sl_free(&want);
		free(exp);
		free(db);
		ld_arena_release(&a);
		lading_ctx_free(ctx);
	}
}

/* ---- fixtures: file lists and metadata against rpm -q --------------------------------------- */

static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[4096];
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* Run rpm on a private copy of the DB (rpm may create lock/WAL files next to it). */
static void rpm_query(const fixture *fx, const uint8_t *db, size_t len, const char *qf,
		      strlist *out)
{
	char dir[] = "/tmp/lading-rpmdb-XXXXXX", path[4096], cmd[8192], line[8192];
	FILE *f;
	int status;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, fx->dbfile);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(db, 1, len, f), len);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rpm -qa --dbpath '%s' --qf '%s' 2>/dev/null", dir, qf);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		sl_add(out, line);
	}
	status = pclose(f);
	rm_dir(dir);
	if (status != 0)
		fail_msg("'rpm -qa' failed (status %d): is Debian's rpm installed? "
			 "(scripts/apt-packages.txt)",
			 status);
	sl_sort(out);
}

static void test_fixtures_vs_rpm(void **state)
{
	(void)state;
	for (size_t f = 0; f < LD_ARRAY_LEN(fixtures); f++) {
		const fixture *fx = &fixtures[f];
		strlist got_files = {0}, want_files = {0}, got_meta = {0}, want_meta = {0};
		lading_ctx *ctx;
		ld_arena a;
		ld_rpm_pkg *pk;
		size_t len, n, nfiles = 0;
		uint8_t *db;

		if (!fx->rpm_can_read)
			continue;
		db = fixture_db(fx, &len);
		assert_int_equal(lading_ctx_new(&ctx), 0);
		ld_arena_init(&a, 0);
		assert_int_equal(ld_rpmdb_read(db, len, fx->kind, &a, &pk, &n, ctx, fx->dir), 0);
		for (size_t i = 0; i < n; i++) {
			char epoch[16] = "(none)";
			if (pk[i].has_epoch)
				snprintf(epoch, sizeof(epoch), "%d", pk[i].epoch);
			sl_addf(&got_meta, "%s\t%s\t%" PRIu64 "\t%s\t%s\t%s", pk[i].name, epoch,
				pk[i].size, nz(pk[i].license), nz(pk[i].vendor),
				nz(pk[i].modularitylabel));
			for (size_t j = 0; j < pk[i].nfiles; j++)
				sl_addf(&got_files, "%s\t%s", pk[i].name, pk[i].files[j]);
			nfiles += pk[i].nfiles;
		}
		sl_sort(&got_files);
		sl_sort(&got_meta);
		rpm_query(fx, db, len, "[%{=NAME}\\t%{FILENAMES}\\n]", &want_files);
		rpm_query(fx, db, len,
			  "%{NAME}\\t%{EPOCH}\\t%{LONGSIZE}\\t%{LICENSE}\\t%{VENDOR}\\t%{"
			  "MODULARITYLABEL}\\n",
			  &want_meta);
		print_message("%s: %zu packages, %zu files compared with rpm -qa\n", fx->dir, n,
			      nfiles);
		assert_true(nfiles > 0);
		sl_assert_equal(&got_files, &want_files, fx->dir);
		sl_assert_equal(&got_meta, &want_meta, fx->dir);

		sl_free(&got_files);
		sl_free(&want_files);
		sl_free(&got_meta);
		sl_free(&want_meta);
		free(db);
		ld_arena_release(&a);
		lading_ctx_free(ctx);
	}
}

static const ld_rpm_pkg *find_pkg(const ld_rpm_pkg *pk, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(pk[i].name, name) == 0)
			return &pk[i];
	return NULL;
}

static bool has_file(const ld_rpm_pkg *p, const char *path)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (strcmp(p->files[i], path) == 0)
			return true;
	return false;
}

/* ndb: no rpm to ask here, so spot checks of well-known files and of the other fields. */
static void test_ndb_files(void **state)
{
	lading_ctx *ctx;
	ld_arena a;
	ld_rpm_pkg *pk;
	const ld_rpm_pkg *p;
	size_t len, n, total = 0;
	uint8_t *db = fixture_db(&fixtures[1], &len);
	(void)state;

	assert_int_equal(lading_ctx_new(&ctx), 0);
	ld_arena_init(&a, 0);
	assert_int_equal(ld_rpmdb_read(db, len, LD_RPMDB_NDB, &a, &pk, &n, ctx, "sle15"), 0);
	assert_non_null(p = find_pkg(pk, n, "bash"));
	assert_true(has_file(p, "/bin/bash"));
	assert_true(has_file(p, "/etc/skel/.bashrc"));
	assert_int_equal(p->nfiles, 90);
	assert_string_equal(p->vendor, "SUSE LLC <https://www.suse.com/>");
	assert_true(p->size > 0);
	assert_non_null(p = find_pkg(pk, n, "coreutils"));
	assert_true(has_file(p, "/usr/bin/ls"));
	for (size_t i = 0; i < n; i++) {
		total += pk[i].nfiles;
		for (size_t j = 0; j < pk[i].nfiles; j++)
			assert_true(pk[i].files[j][0] == '/');
	}
	print_message("sle15-bci: %zu files in %zu packages\n", total, n);
	assert_true(total > 1000);
	free(db);
	ld_arena_release(&a);
	lading_ctx_free(ctx);
}

/* ---- synthetic headers ---------------------------------------------------------------------- */

enum { T_INT32 = 4, T_INT64 = 5, T_STRING = 6, T_BIN = 7, T_STRING_ARRAY = 8 };

typedef struct hb {
	uint8_t idx[64 * 16];
	uint8_t data[16384];
	uint32_t il, dl;
} hb;

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void hb_entry(hb *h, uint32_t tag, uint32_t type, uint32_t off, uint32_t count)
{
	uint8_t *e = h->idx + 16 * h->il++;
	assert_true(h->il <= 64);
	put_be32(e, tag);
	put_be32(e + 4, type);
	put_be32(e + 8, off);
	put_be32(e + 12, count);
}

static void hb_add(hb *h, uint32_t tag, uint32_t type, uint32_t count, const void *d, size_t n,
		   size_t align)
{
	while (h->dl % align)
		h->data[h->dl++] = 0;
	assert_true(h->dl + n <= sizeof(h->data));
	hb_entry(h, tag, type, h->dl, count);
	memcpy(h->data + h->dl, d, n);
	h->dl += (uint32_t)n;
}

static void hb_str(hb *h, uint32_t tag, const char *s)
{
	hb_add(h, tag, T_STRING, 1, s, strlen(s) + 1, 1);
}

static void hb_strs(hb *h, uint32_t tag, const char *const *v, uint32_t n)
{
	uint8_t tmp[8192];
	size_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]) + 1;
		assert_true(k + l <= sizeof(tmp));
		memcpy(tmp + k, v[i], l);
		k += l;
	}
	hb_add(h, tag, T_STRING_ARRAY, n, tmp, k, 1);
}

static void hb_i32(hb *h, uint32_t tag, const uint32_t *v, uint32_t n)
{
	uint8_t tmp[256];
	assert_true(n * 4 <= sizeof(tmp));
	for (uint32_t i = 0; i < n; i++)
		put_be32(tmp + 4 * i, v[i]);
	hb_add(h, tag, T_INT32, n, tmp, 4 * n, 4);
}

/* Serialize; with `region`, wrap the entries in an immutable region as rpm writes it. */
static size_t hb_blob(const hb *h0, bool region, uint8_t *out, size_t cap)
{
	hb h = *h0;
	size_t n;
	if (region) {
		hb r;
		memset(&r, 0, sizeof(r));
		r.il = 1;
		memcpy(r.idx + 16, h.idx, 16 * (size_t)h.il);
		r.il += h.il;
		memcpy(r.data, h.data, h.dl);
		r.dl = h.dl;
		/* trailer: an entry pointing back over all il entries */
		put_be32(r.data + r.dl, 63);
		put_be32(r.data + r.dl + 4, T_BIN);
		put_be32(r.data + r.dl + 8, (uint32_t)(-(int32_t)(16 * r.il)));
		put_be32(r.data + r.dl + 12, 16);
		put_be32(r.idx, 63);
		put_be32(r.idx + 4, T_BIN);
		put_be32(r.idx + 8, r.dl);
		put_be32(r.idx + 12, 16);
		r.dl += 16;
		h = r;
	}
	n = 8 + 16 * (size_t)h.il + h.dl;
	assert_true(n <= cap);
	put_be32(out, h.il);
	put_be32(out + 4, h.dl);
	memcpy(out + 8, h.idx, 16 * (size_t)h.il);
	memcpy(out + 8 + 16 * (size_t)h.il, h.data, h.dl);
	return n;
}

static void hb_basic(hb *h)
{
	static const char *const dirs[] = {"/usr/bin/", "/etc/"};
	static const char *const bases[] = {"tool", "tool.conf", "other"};
	static const uint32_t dix[] = {0, 1, 0};
	uint32_t epoch = 3, size = 4242;
	memset(h, 0, sizeof(*h));
	hb_str(h, 1000, "pkg");
	hb_str(h, 1001, "1.0");
	hb_str(h, 1002, "2.el9");
	hb_i32(h, 1003, &epoch, 1);
	hb_i32(h, 1009, &size, 1);
	hb_str(h, 1022, "x86_64");
	hb_str(h, 1044, "pkg-1.0-2.el9.src.rpm");
	hb_i32(h, 1116, dix, 3);
	hb_strs(h, 1117, bases, 3);
	hb_strs(h, 1118, dirs, 2);
	hb_str(h, 5096, "mod:stream:1:abc");
}

static int parse(const uint8_t *p, size_t len, ld_rpm_pkg *pkg)
{
	static lading_ctx *ctx;
	static ld_arena a;
	static bool init;
	if (!init) {
		lading_ctx_new(&ctx);
		ld_arena_init(&a, 0);
		init = true;
	}
	/* keep one arena for the whole run; these tests make only small headers */
	return ld_rpm_header_parse(p, len, &a, pkg, ctx);
}

static void test_header_synthetic(void **state)
{
	hb h;
	uint8_t blob[20000];
	ld_rpm_pkg pkg;
	size_t n;
	(void)state;

	hb_basic(&h);
	for (int region = 0; region < 2; region++) {
		n = hb_blob(&h, region, blob, sizeof(blob));
		assert_int_equal(parse(blob, n, &pkg), 0);
		assert_string_equal(pkg.name, "pkg");
		assert_string_equal(pkg.release, "2.el9");
		assert_true(pkg.has_epoch);
		assert_int_equal(pkg.epoch, 3);
		assert_int_equal(pkg.size, 4242);
		assert_string_equal(pkg.modularitylabel, "mod:stream:1:abc");
		assert_null(pkg.vendor);
		assert_int_equal(pkg.nfiles, 3);
		assert_string_equal(pkg.files[0], "/usr/bin/tool");
		assert_string_equal(pkg.files[1], "/etc/tool.conf");
		assert_string_equal(pkg.files[2], "/usr/bin/other");
	}
	/* every truncation fails cleanly */
	n = hb_blob(&h, true, blob, sizeof(blob));
	for (size_t k = 0; k < n; k++)
		assert_int_not_equal(parse(blob, k, &pkg), 0);

	/* LONGSIZE wins over SIZE; a later (dribble) entry replaces an earlier one */
	{
		uint8_t ls[8] = {0, 0, 0, 1, 0, 0, 0, 2};
		hb_basic(&h);
		hb_add(&h, 5009, T_INT64, 1, ls, 8, 8);
		hb_str(&h, 1000, "renamed");
		n = hb_blob(&h, false, blob, sizeof(blob));
		assert_int_equal(parse(blob, n, &pkg), 0);
		assert_int_equal(pkg.size, ((uint64_t)1 << 32) | 2);
		assert_string_equal(pkg.name, "renamed");
	}
	/* legacy OLDFILENAMES */
	{
		static const char *const old[] = {"/bin/a", "/bin/b"};
		memset(&h, 0, sizeof(h));
		hb_str(&h, 1000, "old");
		hb_str(&h, 1001, "1");
		hb_str(&h, 1002, "1");
		hb_strs(&h, 1027, old, 2);
		n = hb_blob(&h, false, blob, sizeof(blob));
		assert_int_equal(parse(blob, n, &pkg), 0);
		assert_false(pkg.has_epoch);
		assert_int_equal(pkg.nfiles, 2);
		assert_string_equal(pkg.files[1], "/bin/b");
	}
}

/* Patch one field of one entry of a serialized header (entry i, field 0..3 = tag/type/off/count).
 */
static void patch_entry(uint8_t *blob, uint32_t i, int field, uint32_t v)
{
	put_be32(blob + 8 + 16 * i + 4 * field, v);
}

static void test_header_hostile(void **state)
{
	hb h;
	uint8_t blob[20000], copy[20000];
	ld_rpm_pkg pkg;
	size_t n;
	/* entry numbers in hb_basic (no region): NAME 0 ... DIRINDEXES 7, BASENAMES 8, DIRNAMES 9
	 */
	struct {
		uint32_t entry;
		int field;
		uint32_t value;
		int want;
	} cases[] = {
		{0, 1, 99, LADING_EINVALID},	      /* bad type */
		{0, 1, 4, LADING_EINVALID},	      /* NAME as INT32 */
		{0, 2, 0xfffffff0u, LADING_EINVALID}, /* string offset far out */
		{0, 3, 2, LADING_EINVALID},	      /* STRING with count 2 */
		{3, 3, 0xffffffffu, LADING_EINVALID}, /* EPOCH count beyond data */
		{3, 2, 0x7ffffffcu, LADING_EINVALID}, /* EPOCH offset beyond data */
		{7, 3, 2, LADING_EINVALID},	      /* DIRINDEXES count != BASENAMES count */
		{8, 3, 0x00200000u, LADING_ELIMIT},   /* BASENAMES count beyond the files limit */
		{8, 3, 0x000fffffu, LADING_EINVALID}, /* BASENAMES count beyond the data */
		{9, 3, 0, LADING_EINVALID},	      /* no DIRNAMES */
		{9, 3, 50, LADING_EINVALID},	      /* DIRNAMES count runs off */
		{0, 0, 1, LADING_EINVALID},	      /* no NAME left */
	};
	(void)state;

	hb_basic(&h);
	n = hb_blob(&h, false, blob, sizeof(blob));
	for (size_t c = 0; c < LD_ARRAY_LEN(cases); c++) {
		memcpy(copy, blob, n);
		patch_entry(copy, cases[c].entry, cases[c].field, cases[c].value);
		print_message("case %zu\n", c);
		assert_int_equal(parse(copy, n, &pkg), cases[c].want);
	}
	/* header counts */
	memcpy(copy, blob, n);
	put_be32(copy, 0);
	assert_int_equal(parse(copy, n, &pkg), LADING_EINVALID);
	put_be32(copy, 0x10000);
	assert_int_equal(parse(copy, n, &pkg), LADING_ELIMIT);
	put_be32(copy, 0xffffffffu);
	assert_int_equal(parse(copy, n, &pkg), LADING_ELIMIT);
	memcpy(copy, blob, n);
	put_be32(copy + 4, 0x7fffffffu);
	assert_int_equal(parse(copy, n, &pkg), LADING_ELIMIT);
	put_be32(copy + 4, 0x00ffffffu);
	assert_int_equal(parse(copy, n, &pkg), LADING_EINVALID); /* truncated */

	/* the last string of the store without its NUL */
	memcpy(copy, blob, n);
	copy[n - 1] = 'x';
	assert_int_equal(parse(copy, n, &pkg), LADING_EINVALID);

	/* a dirindex beyond DIRNAMES */
	{
		static const uint32_t dix[] = {0, 7, 0};
		static const char *const dirs[] = {"/a/"};
		static const char *const bases[] = {"x", "y", "z"};
		memset(&h, 0, sizeof(h));
		hb_str(&h, 1000, "p");
		hb_str(&h, 1001, "1");
		hb_str(&h, 1002, "1");
		hb_i32(&h, 1116, dix, 3);
		hb_strs(&h, 1117, bases, 3);
		hb_strs(&h, 1118, dirs, 1);
		n = hb_blob(&h, true, blob, sizeof(blob));
		assert_int_equal(parse(blob, n, &pkg), LADING_EINVALID);
	}
	/* a path over the length limit */
	{
		static char longdir[4200];
		const char *dirs[] = {longdir};
		static const char *const bases[] = {"x"};
		static const uint32_t dix[] = {0};
		memset(longdir, 'd', sizeof(longdir) - 1);
		memset(&h, 0, sizeof(h));
		hb_str(&h, 1000, "p");
		hb_str(&h, 1001, "1");
		hb_str(&h, 1002, "1");
		hb_i32(&h, 1116, dix, 1);
		hb_strs(&h, 1117, bases, 1);
		hb_strs(&h, 1118, dirs, 1);
		n = hb_blob(&h, false, blob, sizeof(blob));
		assert_int_equal(parse(blob, n, &pkg), LADING_ELIMIT);
	}
	/* region trailer: wrong tag, positive offset, more entries than the header has */
	hb_basic(&h);
	n = hb_blob(&h, true, blob, sizeof(blob));
	{
		size_t trailer = n - 16;
		uint32_t il = (uint32_t)((n - 8) / 16); /* upper bound, only for the bad value */
		memcpy(copy, blob, n);
		put_be32(copy + trailer, 62);
		assert_int_equal(parse(copy, n, &pkg), LADING_EINVALID);
		memcpy(copy, blob, n);
		put_be32(copy + trailer + 8, 16);
		assert_int_equal(parse(copy, n, &pkg), LADING_EINVALID);
		memcpy(copy, blob, n);
		put_be32(copy + trailer + 8, (uint32_t)(-(int32_t)(16 * (il + 100))));
		assert_int_equal(parse(copy, n, &pkg), LADING_EINVALID);
		memcpy(copy, blob, n);
		patch_entry(copy, 0, 2, 0xffffff00u); /* region entry offset out of range */
		assert_int_equal(parse(copy, n, &pkg), LADING_EINVALID);
	}
}

/* Header blobs from the sqlite fixture: `sql` selects one blob column from Packages. */
static size_t mariner_blobs(const char *sql, uint8_t **out, size_t *lens, size_t max)
{
	size_t dblen, n = 0;
	uint8_t *db = fixture_db(&fixtures[0], &dblen);
	sqlite3 *s;
	sqlite3_stmt *st;
	uint8_t *copy = sqlite3_malloc64(dblen);
	assert_non_null(copy);
	memcpy(copy, db, dblen);
	copy[18] = copy[19] = 1; /* not WAL, see rpmdb_sqlite.c */
	assert_int_equal(sqlite3_open(":memory:", &s), SQLITE_OK);
	assert_int_equal(
		sqlite3_deserialize(s, "main", copy, (sqlite3_int64)dblen, (sqlite3_int64)dblen,
				    SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY),
		SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		lens[n] = (size_t)sqlite3_column_bytes(st, 0);
		out[n] = malloc(lens[n]);
		assert_non_null(out[n]);
		memcpy(out[n], sqlite3_column_blob(st, 0), lens[n]);
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_close(s);
	free(db);
	return n;
}

/* The smallest header of the sqlite fixture, for mutation tests. */
static uint8_t *real_header(size_t *len)
{
	uint8_t *h;
	assert_int_equal(mariner_blobs("SELECT blob FROM Packages ORDER BY length(blob) LIMIT 1",
				       &h, len, 1),
			 1);
	return h;
}

/* xorshift: deterministic mutations, the same on every run */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void test_header_mutations(void **state)
{
	size_t len, ok = 0;
	uint8_t *h = real_header(&len), *m = malloc(len);
	ld_rpm_pkg pkg;
	uint32_t seed = 12345;
	(void)state;

	assert_int_equal(parse(h, len, &pkg), 0);
	for (size_t k = 0; k < len; k++)
		assert_int_not_equal(parse(h, k, &pkg), 0);
	for (int it = 0; it < 3000; it++) {
		int rc;
		memcpy(m, h, len);
		for (int f = 0; f < 1 + it % 4; f++) {
			size_t pos = rnd(&seed) % (it % 2 ? len : LD_MIN(len, (size_t)512));
			m[pos] = (uint8_t)rnd(&seed);
		}
		rc = parse(m, len, &pkg);
		assert_true(rc == 0 || rc == LADING_EINVALID || rc == LADING_ELIMIT);
		if (rc == 0) {
			assert_non_null(pkg.name);
			for (size_t i = 0; i < pkg.nfiles; i++)
				assert_non_null(pkg.files[i]);
			ok++;
		}
	}
	print_message("header mutations: %zu of 3000 still parse\n", ok);
	free(m);
	free(h);
}

/* ---- hostile databases ---------------------------------------------------------------------- */

typedef struct result {
	int rc;
	size_t n, warnings;
} result;

static result read_db(const uint8_t *p, size_t len, ld_rpmdb_kind kind)
{
	lading_ctx *ctx;
	ld_arena a;
	ld_rpm_pkg *pk;
	result r;
	lading_ctx_new(&ctx);
	ld_arena_init(&a, 0);
	r.rc = ld_rpmdb_read(p, len, kind, &a, &pk, &r.n, ctx, "test");
	r.warnings = lading_ctx_warning_count(ctx);
	if (r.rc == 0)
		for (size_t i = 0; i < r.n; i++)
			assert_non_null(pk[i].name);
	else
		assert_true(lading_ctx_error(ctx)->msg[0] != '\0');
	ld_arena_release(&a);
	lading_ctx_free(ctx);
	return r;
}

/* centos8-dive layout (checked below): 4 KiB pages; page 1 = bucket 0 (rpm's record 0),
 * page 2 = bucket 1 (key 1, value on overflow page 3). */
#define PG 4096

static void test_bdb_hostile(void **state)
{
	size_t len;
	uint8_t *db = fixture_db(&fixtures[3], &len), *m = malloc(len);
	result r;
	uint32_t seed = 99;
	(void)state;

	assert_int_equal(len, 4 * PG);
	assert_int_equal(db[2 * PG + 25], 13);			/* hash page */
	assert_int_equal(db[3 * PG + 25], 7);			/* overflow page */
	assert_int_equal(db[2 * PG + 0xfef], 3);		/* H_OFFPAGE item */
	assert_int_equal(get_le32(db + 2 * PG + 0xfef + 4), 3); /* -> page 3 */

	r = read_db(db, len, LD_RPMDB_BDB);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 1);

	/* overflow chain loop: the value claims more bytes, page 3 links to itself */
	memcpy(m, db, len);
	put_le32(m + 2 * PG + 0xfef + 8, get_le32(m + 2 * PG + 0xfef + 8) * 2);
	put_le32(m + 3 * PG + 16, 3);
	r = read_db(m, len, LD_RPMDB_BDB);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 0);
	assert_true(r.warnings >= 1);
	/* overflow chain into nowhere, and into the metadata page */
	put_le32(m + 3 * PG + 16, 1000);
	r = read_db(m, len, LD_RPMDB_BDB);
	assert_true(r.rc == 0 && r.n == 0 && r.warnings >= 1);
	put_le32(m + 3 * PG + 16, 0);
	r = read_db(m, len, LD_RPMDB_BDB);
	assert_true(r.rc == 0 && r.n == 0 && r.warnings >= 1);
	/* huge value length */
	memcpy(m, db, len);
	put_le32(m + 2 * PG + 0xfef + 8, 0xffffffffu);
	r = read_db(m, len, LD_RPMDB_BDB);
	assert_true(r.rc == 0 && r.n == 0 && r.warnings >= 1);
	/* overflow page length larger than the page */
	memcpy(m, db, len);
	put_le16(m + 3 * PG + 22, 0xffff);
	r = read_db(m, len, LD_RPMDB_BDB);
	assert_true(r.rc == 0 && r.n == 0 && r.warnings >= 1);

	/* bucket chain loops: self, and two pages pointing at each other */
	memcpy(m, db, len);
	put_le32(m + 2 * PG + 16, 2);
	r = read_db(m, len, LD_RPMDB_BDB);
	assert_true(r.rc == 0 && r.n == 1 && r.warnings >= 1);
	memcpy(m, db, len);
	put_le32(m + 1 * PG + 16, 2);
	put_le32(m + 2 * PG + 16, 1);
	r = read_db(m, len, LD_RPMDB_BDB);
	assert_true(r.rc == 0 && r.n == 1 && r.warnings >= 1);
	/* bucket page is the overflow page */
	memcpy(m, db, len);
	put_le32(m + 2 * PG + 16, 3);
	r = read_db(m, len, LD_RPMDB_BDB);
	assert_true(r.rc == 0 && r.warnings >= 1);
	/* item count and offsets out of range */
	memcpy(m, db, len);
	put_le16(m + 2 * PG + 20, 0xffff);
	r = read_db(m, len, LD_RPMDB_BDB);
	assert_true(r.rc == 0 && r.n == 0 && r.warnings >= 1);
	memcpy(m, db, len);
	put_le16(m + 2 * PG + 26, 0xfff0);
	r = read_db(m, len, LD_RPMDB_BDB);
	assert_true(r.rc == 0 && r.n == 0 && r.warnings >= 1);

	/* metadata: page size, bucket count, page count, version */
	memcpy(m, db, len);
	put_le32(m + 20, 1000);
	assert_int_equal(read_db(m, len, LD_RPMDB_BDB).rc, LADING_EINVALID);
	memcpy(m, db, len);
	put_le32(m + 72, 0xfffffff0u);
	assert_int_equal(read_db(m, len, LD_RPMDB_BDB).rc, LADING_EINVALID);
	memcpy(m, db, len);
	put_le32(m + 32, 0xffffffffu);
	assert_int_equal(read_db(m, len, LD_RPMDB_BDB).rc, LADING_ELIMIT);
	memcpy(m, db, len);
	put_le32(m + 16, 7);
	assert_int_equal(read_db(m, len, LD_RPMDB_BDB).rc, LADING_EUNSUPPORTED);
	/* spares pointing anywhere */
	memcpy(m, db, len);
	put_le32(m + 96, 0x7fffffffu);
	put_le32(m + 100, 0xfffffffeu);
	r = read_db(m, len, LD_RPMDB_BDB);
	assert_true(r.rc == 0 && r.n == 0 && r.warnings >= 2);

	/* every truncation */
	for (size_t k = 0; k < len; k += (k < 256 ? 1 : 97)) {
		r = read_db(db, k, LD_RPMDB_BDB);
		assert_true(r.rc < 0 || r.n <= 1);
	}
	/* random damage anywhere */
	for (int it = 0; it < 2000; it++) {
		memcpy(m, db, len);
		for (int f = 0; f < 1 + it % 8; f++) {
			size_t pos =
				it % 3 ? rnd(&seed) % len : (rnd(&seed) % 4) * PG + rnd(&seed) % 64;
			m[pos] = (uint8_t)rnd(&seed);
		}
		r = read_db(m, len, it % 2 ? LD_RPMDB_BDB : LD_RPMDB_AUTO);
		assert_true(r.rc <= 0 && r.n <= 1);
	}
	free(m);
	free(db);
}

/* Build an ndb file holding the given header blobs (what rpm's rpmpkg.c writes). */
static uint32_t adler(const uint8_t *p, size_t n)
{
	uint32_t a = 1, b = 0;
	for (size_t i = 0; i < n; i++) {
		a = (a + p[i]) % 65521;
		b = (b + a) % 65521;
	}
	return b << 16 | a;
}

static uint8_t *make_ndb(const uint8_t *const *blobs, const size_t *lens, size_t nb, size_t *outlen)
{
	size_t total = 4096, off;
	uint8_t *f;
	for (size_t i = 0; i < nb; i++)
		total += (16 + lens[i] + 12 + 15) / 16 * 16;
	f = calloc(1, total);
	assert_non_null(f);
	memcpy(f, "RpmP", 4);
	put_le32(f + 12, 1);		    /* slot pages */
	put_le32(f + 16, (uint32_t)nb + 1); /* next package index */
	for (size_t s = 32; s < 4096; s += 16)
		memcpy(f + s, "Slot", 4);
	off = 4096;
	for (size_t i = 0; i < nb; i++) {
		uint32_t blkcnt = (uint32_t)((16 + lens[i] + 12 + 15) / 16);
		uint8_t *slot = f + 32 + 16 * i, *b = f + off, *t = b + 16 * (size_t)blkcnt - 12;
		put_le32(slot + 4, (uint32_t)i + 1);
		put_le32(slot + 8, (uint32_t)(off / 16));
		put_le32(slot + 12, blkcnt);
		memcpy(b, "BlbS", 4);
		put_le32(b + 4, (uint32_t)i + 1);
		put_le32(b + 12, (uint32_t)lens[i]);
		memcpy(b + 16, blobs[i], lens[i]);
		put_le32(t, adler(b, (size_t)(t - b)));
		put_le32(t + 4, (uint32_t)lens[i]);
		memcpy(t + 8, "BlbE", 4);
		off += 16 * (size_t)blkcnt;
	}
	*outlen = total;
	return f;
}

static void test_ndb_hostile(void **state)
{
	size_t hlen, len, slen;
	uint8_t *h = real_header(&hlen), *db, *m, *sle;
	const uint8_t *blobs[2];
	size_t lens[2];
	result r;
	uint32_t seed = 7;
	(void)state;

	blobs[0] = blobs[1] = h;
	lens[0] = lens[1] = hlen;
	db = make_ndb(blobs, lens, 2, &len);
	m = malloc(len);
	r = read_db(db, len, LD_RPMDB_AUTO);
	assert_true(r.rc == 0 && r.n == 2 && r.warnings == 0);

	/* bad slot magic: the slot table is damaged, the DB is refused */
	memcpy(m, db, len);
	memcpy(m + 48, "Slxt", 4);
	assert_int_equal(read_db(m, len, LD_RPMDB_NDB).rc, LADING_EINVALID);
	/* slot page count: zero, huge, beyond the file */
	memcpy(m, db, len);
	put_le32(m + 12, 0);
	assert_int_equal(read_db(m, len, LD_RPMDB_NDB).rc, LADING_EINVALID);
	put_le32(m + 12, 0xffffffffu);
	assert_int_equal(read_db(m, len, LD_RPMDB_NDB).rc, LADING_ELIMIT);
	put_le32(m + 12, 1000);
	assert_int_equal(read_db(m, len, LD_RPMDB_NDB).rc, LADING_EINVALID);
	/* a slot pointing past the end, into the slot table, with a huge count */
	memcpy(m, db, len);
	put_le32(m + 32 + 8, 0xfffffff0u);
	r = read_db(m, len, LD_RPMDB_NDB);
	assert_true(r.rc == 0 && r.n == 1 && r.warnings == 1);
	put_le32(m + 32 + 8, 1);
	r = read_db(m, len, LD_RPMDB_NDB);
	assert_true(r.rc == 0 && r.n == 1 && r.warnings == 1);
	memcpy(m, db, len);
	put_le32(m + 32 + 12, 0xffffffffu);
	r = read_db(m, len, LD_RPMDB_NDB);
	assert_true(r.rc == 0 && r.n == 1 && r.warnings == 1);
	/* blob header: magic, package index, length */
	memcpy(m, db, len);
	m[4096] = 'X';
	r = read_db(m, len, LD_RPMDB_NDB);
	assert_true(r.rc == 0 && r.n == 1 && r.warnings == 1);
	memcpy(m, db, len);
	put_le32(m + 4096 + 4, 9);
	r = read_db(m, len, LD_RPMDB_NDB);
	assert_true(r.rc == 0 && r.n == 1 && r.warnings == 1);
	memcpy(m, db, len);
	put_le32(m + 4096 + 12, 0xfffffff0u);
	r = read_db(m, len, LD_RPMDB_NDB);
	assert_true(r.rc == 0 && r.n == 1 && r.warnings == 1);
	/* checksum mismatch: rpm reads such a blob, so do we, with a warning */
	memcpy(m, db, len);
	m[4096 + 16 + hlen - 1] ^= 0x01;
	r = read_db(m, len, LD_RPMDB_NDB);
	assert_true(r.rc == 0 && r.warnings >= 1);
	/* the file ends inside the second blob */
	r = read_db(db, len - 20, LD_RPMDB_NDB);
	assert_true(r.rc == 0 && r.n == 1 && r.warnings == 1);
	for (size_t k = 0; k < len; k += (k < 4200 ? 7 : 131)) {
		r = read_db(db, k, LD_RPMDB_NDB);
		assert_true(r.rc < 0 || r.n <= 2);
	}
	for (int it = 0; it < 2000; it++) {
		memcpy(m, db, len);
		for (int f = 0; f < 1 + it % 6; f++) {
			size_t pos = it % 2 ? rnd(&seed) % len : rnd(&seed) % 96;
			m[pos] = (uint8_t)rnd(&seed);
		}
		r = read_db(m, len, LD_RPMDB_NDB);
		assert_true(r.rc <= 0 && r.n <= 2);
	}
	/* the real SLE DB truncated anywhere */
	sle = fixture_db(&fixtures[1], &slen);
	for (size_t k = 0; k < slen; k += 4099) {
		r = read_db(sle, k, LD_RPMDB_NDB);
		assert_true(r.rc < 0 || r.n <= 35);
	}
	free(sle);
	free(m);
	free(db);
	free(h);
}

static uint8_t *sqlite_db(const char *sql, const uint8_t *blob, size_t blen, size_t *len)
{
	sqlite3 *s;
	sqlite3_stmt *st;
	sqlite3_int64 n;
	unsigned char *ser;
	uint8_t *out;
	assert_int_equal(sqlite3_open(":memory:", &s), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s, sql, NULL, NULL, NULL), SQLITE_OK);
	if (blob) {
		assert_int_equal(sqlite3_prepare_v2(s, "INSERT INTO Packages(blob) VALUES (?)", -1,
						    &st, NULL),
				 SQLITE_OK);
		sqlite3_bind_blob(st, 1, blob, (int)blen, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
	}
	ser = sqlite3_serialize(s, "main", &n, 0);
	assert_non_null(ser);
	out = malloc((size_t)n);
	memcpy(out, ser, (size_t)n);
	sqlite3_free(ser);
	sqlite3_close(s);
	*len = (size_t)n;
	return out;
}

static void test_sqlite_hostile(void **state)
{
	size_t hlen, len;
	uint8_t *h = real_header(&hlen), *db;
	result r;
	(void)state;

	/* a good one, then a row that is not a header: skipped with a warning */
	db = sqlite_db("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB "
		       "NOT NULL);"
		       "INSERT INTO Packages(blob) VALUES (x'00000001');"
		       "INSERT INTO Packages(blob) VALUES ('text');",
		       h, hlen, &len);
	r = read_db(db, len, LD_RPMDB_AUTO);
	assert_true(r.rc == 0 && r.n == 1 && r.warnings == 2);
	for (size_t k = 0; k < len; k += 61) {
		r = read_db(db, k, LD_RPMDB_SQLITE);
		assert_true(r.rc < 0 || r.n <= 1);
	}
	free(db);
	/* no Packages table; Packages as a view (that would run any query we let it) */
	db = sqlite_db("CREATE TABLE Other (x);", NULL, 0, &len);
	assert_int_equal(read_db(db, len, LD_RPMDB_SQLITE).rc, LADING_EINVALID);
	free(db);
	db = sqlite_db("CREATE VIEW Packages AS WITH RECURSIVE c(hnum) AS (SELECT 1 UNION ALL "
		       "SELECT hnum + 1 FROM c) SELECT hnum, zeroblob(100) AS blob FROM c;",
		       NULL, 0, &len);
	assert_int_equal(read_db(db, len, LD_RPMDB_SQLITE).rc, LADING_EINVALID);
	free(db);
	/* not a database at all */
	{
		uint8_t junk[4096];
		memset(junk, 0xa5, sizeof(junk));
		memcpy(junk, "SQLite format 3", 16);
		assert_true(read_db(junk, sizeof(junk), LD_RPMDB_SQLITE).rc < 0);
		assert_int_equal(read_db(junk + 16, sizeof(junk) - 16, LD_RPMDB_AUTO).rc,
				 LADING_EUNSUPPORTED);
	}
	free(h);
}

/* ---- synthetic databases: Berkeley DB hash and ndb writers -------------------------------
 * The fixtures cover one layout each; these writers make the others (big-endian BDB, small and
 * large pages, inline values, long overflow chains, chained bucket pages, many buckets) from the
 * sqlite fixture's headers, and every result must list the same packages as the sqlite DB. */

typedef struct bdbw {
	uint8_t *f;
	uint32_t npages, ps;
	bool be;
} bdbw;

static void bw16(const bdbw *w, uint8_t *p, uint32_t v)
{
	if (w->be) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	} else {
		put_le16(p, (uint16_t)v);
	}
}

static void bw32(const bdbw *w, uint8_t *p, uint32_t v)
{
	if (w->be)
		put_be32(p, v);
	else
		put_le32(p, v);
}

static uint8_t *bw_page(bdbw *w, uint32_t pg)
{
	return w->f + (size_t)pg * w->ps;
}

static uint32_t bw_new_page(bdbw *w, uint8_t type)
{
	uint32_t pg = w->npages++;
	uint8_t *p;
	w->f = realloc(w->f, (size_t)w->npages * w->ps);
	assert_non_null(w->f);
	p = bw_page(w, pg);
	memset(p, 0, w->ps);
	bw32(w, p + 8, pg);
	bw16(w, p + 22, type == 7 ? 0 : w->ps); /* hash pages: free space starts at the end */
	p[24] = type == 7 ? 0 : 1;
	p[25] = type;
	return pg;
}

/* Store `len` bytes on a fresh chain of overflow pages; returns the first page. */
static uint32_t bw_overflow(bdbw *w, const uint8_t *v, size_t len)
{
	uint32_t first = 0, prev = 0;
	for (size_t off = 0; off < len;) {
		size_t n = LD_MIN(len - off, (size_t)w->ps - 26);
		uint32_t pg = bw_new_page(w, 7);
		uint8_t *p = bw_page(w, pg);
		bw16(w, p + 22, (uint32_t)n);
		memcpy(p + 26, v + off, n);
		if (prev) {
			bw32(w, bw_page(w, prev) + 16, pg);
			bw32(w, p + 12, prev);
		} else {
			first = pg;
		}
		prev = pg;
		off += n;
	}
	return first;
}

static uint16_t bw_get16(const bdbw *w, const uint8_t *p)
{
	return w->be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[0] | p[1] << 8);
}

/* Append a key/value pair to the bucket whose chain starts at `pg`. */
static void bw_put(bdbw *w, uint32_t pg, uint32_t key, const uint8_t *v, size_t len,
		   size_t inline_max)
{
	uint8_t kitem[5], vitem[12], *p;
	const uint8_t *vp;
	size_t vsz;
	uint32_t n, hf, next;

	kitem[0] = 1;
	bw32(w, kitem + 1, key);
	if (len + 1 <= inline_max) {
		vp = NULL;
		vsz = len + 1;
	} else {
		uint32_t ov = bw_overflow(w, v, len);
		memset(vitem, 0, sizeof(vitem));
		vitem[0] = 3;
		bw32(w, vitem + 4, ov);
		bw32(w, vitem + 8, (uint32_t)len);
		vp = vitem;
		vsz = sizeof(vitem);
	}
	/* walk to the last page of the bucket chain, growing it when the pair does not fit */
	for (;;) {
		p = bw_page(w, pg);
		n = bw_get16(w, p + 20);
		hf = bw_get16(w, p + 22);
		if (hf == 0)
			hf = w->ps; /* 64 KiB pages: the 16-bit field wraps */
		next = get_le32(p + 16);
		if (w->be)
			next = (uint32_t)p[16] << 24 | (uint32_t)p[17] << 16 |
			       (uint32_t)p[18] << 8 | p[19];
		if (next) {
			pg = next;
			continue;
		}
		if (26 + 2 * (size_t)(n + 2) + 5 + vsz <= hf)
			break;
		next = bw_new_page(w, 13);
		p = bw_page(w, pg);
		bw32(w, p + 16, next);
		bw32(w, bw_page(w, next) + 12, pg);
		pg = next;
	}
	hf -= 5;
	memcpy(p + hf, kitem, 5);
	bw16(w, p + 26 + 2 * n, hf);
	hf -= (uint32_t)vsz;
	if (vp) {
		memcpy(p + hf, vp, vsz);
	} else {
		p[hf] = 1;
		memcpy(p + hf + 1, v, len);
	}
	bw16(w, p + 26 + 2 * (n + 1), hf);
	bw16(w, p + 20, n + 2);
	bw16(w, p + 22, hf);
}

/* A Packages DB with record 0 (next package number) and blobs[i] under key i + 1. */
static uint8_t *make_bdb(uint32_t ps, bool be, uint32_t nbuckets, size_t inline_max,
			 uint8_t *const *blobs, const size_t *lens, size_t nb, size_t *outlen)
{
	bdbw w = {NULL, 0, ps, be};
	uint8_t *meta, rec0[4];
	(void)bw_new_page(&w, 8);
	for (uint32_t b = 0; b < nbuckets; b++)
		(void)bw_new_page(&w, 13); /* bucket b lives on page b + 1 */
	bw32(&w, rec0, (uint32_t)nb + 1);
	bw_put(&w, 1, 0, rec0, 4, inline_max);
	for (size_t i = 0; i < nb; i++)
		bw_put(&w, 1 + (uint32_t)((i + 1) % nbuckets), (uint32_t)i + 1, blobs[i], lens[i],
		       inline_max);
	meta = bw_page(&w, 0);
	memset(meta, 0, 512);
	bw32(&w, meta + 12, 0x00061561);
	bw32(&w, meta + 16, 9);
	bw32(&w, meta + 20, ps);
	meta[25] = 8;
	bw32(&w, meta + 32, w.npages - 1);
	bw32(&w, meta + 72, nbuckets - 1);
	bw32(&w, meta + 76, nbuckets - 1);
	bw32(&w, meta + 80, (nbuckets - 1) >> 1);
	for (int i = 0; i < 32; i++)
		bw32(&w, meta + 96 + 4 * i, 1);
	*outlen = (size_t)w.npages * ps;
	return w.f;
}

/* name-version-release.arch and file count of every package, sorted. */
static void pkg_lines(const uint8_t *db, size_t len, ld_rpmdb_kind kind, strlist *out)
{
	lading_ctx *ctx;
	ld_arena a;
	ld_rpm_pkg *pk;
	size_t n;
	lading_ctx_new(&ctx);
	ld_arena_init(&a, 0);
	assert_int_equal(ld_rpmdb_read(db, len, kind, &a, &pk, &n, ctx, "synthetic"), 0);
	assert_int_equal(lading_ctx_warning_count(ctx), 0);
	for (size_t i = 0; i < n; i++)
		sl_addf(out, "%s-%s-%s.%s %zu %s", pk[i].name, pk[i].version, pk[i].release,
			nz(pk[i].arch), pk[i].nfiles,
			pk[i].nfiles ? pk[i].files[pk[i].nfiles - 1] : "");
	sl_sort(out);
	ld_arena_release(&a);
	lading_ctx_free(ctx);
}

static void test_synthetic_dbs(void **state)
{
	uint8_t *blobs[200], *sq, *db;
	size_t lens[200], nb, sqlen, len;
	strlist want = {0}, want_nevra = {0};
	struct {
		uint32_t ps;
		bool be;
		uint32_t nbuckets;
		size_t inline_max;
	} v[] = {
		{4096, false, 4, 1000}, /* the usual layout: values on overflow pages */
		{512, true, 1, 100}, /* big-endian, tiny pages: long chains, chained bucket pages */
		{65536, false, 16, 16384}, /* 64 KiB pages, small headers inline */
		{1024, true, 64, 0},	   /* more buckets than values */
	};
	(void)state;

	nb = mariner_blobs("SELECT blob FROM Packages ORDER BY hnum", blobs, lens,
			   LD_ARRAY_LEN(blobs));
	assert_int_equal(nb, 129);
	sq = fixture_db(&fixtures[0], &sqlen);
	pkg_lines(sq, sqlen, LD_RPMDB_SQLITE, &want);
	assert_int_equal(want.n, 129);
	rpm_query(&fixtures[0], sq, sqlen, "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\\n", &want_nevra);
	assert_int_equal(want_nevra.n, 129);
	for (size_t i = 0; i < LD_ARRAY_LEN(v); i++) {
		strlist got = {0};
		db = make_bdb(v[i].ps, v[i].be, v[i].nbuckets, v[i].inline_max, blobs, lens, nb,
			      &len);
		print_message("bdb pagesize %u %s, %u buckets: %zu bytes\n", v[i].ps,
			      v[i].be ? "BE" : "LE", v[i].nbuckets, len);
		assert_int_equal(ld_rpmdb_detect(db, len), LD_RPMDB_BDB);
		pkg_lines(db, len, LD_RPMDB_AUTO, &got);
		sl_assert_equal(&got, &want, "bdb");
		sl_free(&got);
		/* and rpm's own bdb_ro backend agrees that the writer makes valid databases */
		rpm_query(&fixtures[2], db, len, "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\\n", &got);
		sl_assert_equal(&got, &want_nevra, "rpm on synthetic bdb");
		sl_free(&got);
		free(db);
	}
	{
		strlist got = {0};
		db = make_ndb((const uint8_t *const *)blobs, lens, nb, &len);
		pkg_lines(db, len, LD_RPMDB_AUTO, &got);
		sl_assert_equal(&got, &want, "ndb");
		sl_free(&got);
		free(db);
	}
	sl_free(&want);
	sl_free(&want_nevra);
	free(sq);
	for (size_t i = 0; i < nb; i++)
		free(blobs[i]);
}

/* The fuzz seed corpora (fuzz/corpora/rpm_header, rpmdb_bdb, rpmdb_ndb) are small DBs made by
 * the builders above; the fixtures themselves stay in ../shared. This test checks the committed
 * seeds are exactly what the builders make; LADING_RPM_WRITE_SEEDS=<src>/fuzz/corpora rewrites
 * them instead. */
static void seed(const char *root, bool write, const char *sub, const char *name, const uint8_t *p,
		 size_t n)
{
	char path[4096];
	assert_true(n < 200 * 1024);
	snprintf(path, sizeof(path), "%s/%s/%s", root, sub, name);
	if (write) {
		FILE *f = fopen(path, "wb");
		if (!f)
			fail_msg("cannot write %s", path);
		assert_int_equal(fwrite(p, 1, n, f), n);
		fclose(f);
	} else {
		size_t have;
		uint8_t *old = read_file(path, &have);
		if (have != n || memcmp(old, p, n) != 0)
			fail_msg("%s differs from what the builders make now; rewrite it on "
				 "purpose with "
				 "LADING_RPM_WRITE_SEEDS",
				 path);
		free(old);
	}
}

static void test_fuzz_seeds(void **state)
{
	const char *root = getenv("LADING_RPM_WRITE_SEEDS"), *src = getenv("LADING_SRC");
	static const char *const old[] = {"/bin/a", "/etc/b.conf"};
	uint8_t small[2000], oldf[2000], *real, *blobs[2], *db;
	size_t nsmall, nold, nreal, lens[2], len;
	char dir[4096];
	bool write = root != NULL;
	hb h;
	(void)state;
	if (!write) {
		if (!src)
			fail_msg("LADING_SRC is not set (run through ctest)");
		snprintf(dir, sizeof(dir), "%s/fuzz/corpora", src);
		root = dir;
	}
	hb_basic(&h);
	nsmall = hb_blob(&h, true, small, sizeof(small));
	memset(&h, 0, sizeof(h));
	hb_str(&h, 1000, "old");
	hb_str(&h, 1001, "1");
	hb_str(&h, 1002, "1");
	hb_strs(&h, 1027, old, 2);
	nold = hb_blob(&h, false, oldf, sizeof(oldf));
	real = real_header(&nreal);
	seed(root, write, "rpm_header", "synthetic-region", small, nsmall);
	seed(root, write, "rpm_header", "synthetic-oldfilenames", oldf, nold);
	seed(root, write, "rpm_header", "mariner-smallest", real, nreal);

	blobs[0] = small;
	lens[0] = nsmall;
	blobs[1] = real;
	lens[1] = nreal;
	db = make_bdb(4096, false, 2, 1000, blobs, lens, 2, &len);
	seed(root, write, "rpmdb_bdb", "le-4k-inline-and-overflow", db, len);
	free(db);
	db = make_bdb(512, true, 1, 0, blobs, lens, 2, &len);
	seed(root, write, "rpmdb_bdb", "be-512-chains", db, len);
	free(db);
	db = make_ndb((const uint8_t *const *)blobs, lens, 2, &len);
	seed(root, write, "rpmdb_ndb", "two-packages", db, len);
	free(db);
	free(real);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures_expected), cmocka_unit_test(test_fixtures_vs_rpm),
		cmocka_unit_test(test_ndb_files),	  cmocka_unit_test(test_header_synthetic),
		cmocka_unit_test(test_header_hostile),	  cmocka_unit_test(test_header_mutations),
		cmocka_unit_test(test_bdb_hostile),	  cmocka_unit_test(test_ndb_hostile),
		cmocka_unit_test(test_sqlite_hostile),	  cmocka_unit_test(test_synthetic_dbs),
		cmocka_unit_test(test_fuzz_seeds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
