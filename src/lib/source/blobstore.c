/* Blob stores: named members of an OCI layout directory or of an uncompressed tar file
 * (docker-archive, oci-archive). The tar is indexed once by reading its headers (seeking over
 * data), so layers can then be streamed in any order and in parallel with pread. */
#include "util/common.h"
#include "util/map.h"
#include "util/path.h"
#include "source/source.h"

/* Named limits of the outer-tar indexer. */
#define TAR_BLOCK 512
#define MAX_PAX_BYTES ((uint64_t)1 << 20)   /* one pax extended header */
#define MAX_LONGNAME_BYTES ((uint64_t)LD_PATH_MAX)
#define MAX_LINK_HOPS 8                     /* symlink members followed by name */

typedef struct tar_member {
	const char *name;   /* canonical */
	const char *link;   /* symlink target / hardlink source (raw) */
	char type;          /* '0' file, '1' hardlink, '2' symlink, '5' dir, other */
	uint64_t off;       /* data offset in the file */
	uint64_t size;
} tar_member;

struct ld_blobstore {
	bool is_tar;
	int fd;             /* tar file, or the layout directory */
	char path[LD_PATH_MAX];
	ld_arena arena;
	ld_map members;     /* canonical name -> tar_member */
};

void ld_blobstore_free(ld_blobstore *bs)
{
	if (!bs)
		return;
	if (bs->fd >= 0)
		close(bs->fd);
	ld_map_release(&bs->members);
	ld_arena_release(&bs->arena);
	free(bs);
}

static ld_blobstore *bs_new(void)
{
	ld_blobstore *bs = calloc(1, sizeof(*bs));
	if (!bs)
		return NULL;
	bs->fd = -1;
	ld_arena_init(&bs->arena, 0);
	ld_map_init(&bs->members);
	return bs;
}

int ld_blobstore_dir(ld_blobstore **out, const char *dir, lading_ctx *ctx)
{
	ld_blobstore *bs = bs_new();
	*out = NULL;
	if (!bs)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	bs->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bs->fd < 0) {
		int e = errno;
		ld_blobstore_free(bs);
		return ld_error_set_path(ctx, e == ENOENT ? LADING_ENOTFOUND : LADING_EIO, dir, 0,
					 "cannot open directory %s: %s", dir, strerror(e));
	}
	ld_strlcpy(bs->path, dir, sizeof(bs->path));
	*out = bs;
	return 0;
}

/* ---- tar header parsing ---- */

static bool parse_octal(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	/* GNU base-256 for large values: high bit of the first byte set */
	if ((unsigned char)p[0] & 0x80) {
		if ((unsigned char)p[0] != 0x80)
			return false; /* negative or absurd */
		for (i = 1; i < n; i++) {
			if (v >> 56)
				return false;
			v = v << 8 | (unsigned char)p[i];
		}
		*out = v;
		return true;
	}
	while (i < n && (p[i] == ' ' || p[i] == '\0'))
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
		if (v >> 60)
			return false;
		v = v * 8 + (uint64_t)(p[i] - '0');
	}
	for (; i < n; i++)
		if (p[i] != ' ' && p[i] != '\0')
			return false;
	*out = v;
	return true;
}

static bool checksum_ok(const unsigned char *h)
{
	uint64_t want;
	unsigned long sum = 0;
	if (!parse_octal((const char *)h + 148, 8, &want))
		return false;
	for (int i = 0; i < TAR_BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum == want;
}

static bool all_zero(const unsigned char *h)
{
	for (int i = 0; i < TAR_BLOCK; i++)
		if (h[i])
			return false;
	return true;
}

static int read_exact(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* Parse pax records "LEN key=value\n"; pick path, linkpath, size. */
static void parse_pax(ld_blobstore *bs, const char *p, size_t n, char **path, char **link, uint64_t *size,
		      bool *has_size)
{
	ld_slice rest = ld_slice_make(p, n);
	while (rest.len) {
		ld_slice lenstr, rec, key;
		uint64_t reclen;
		ptrdiff_t sp = ld_slice_find(rest, ' ');
		if (sp <= 0)
			return;
		lenstr = ld_slice_make(rest.ptr, (size_t)sp);
		if (!ld_slice_to_u64(lenstr, rest.len, &reclen) || reclen <= (uint64_t)sp + 1 || reclen > rest.len)
			return;
		rec = ld_slice_make(rest.ptr + sp + 1, (size_t)reclen - (size_t)sp - 1);
		rest = ld_slice_sub(rest, (size_t)reclen, rest.len);
		if (!rec.len || rec.ptr[rec.len - 1] != '\n')
			return;
		rec.len--;
		if (!ld_slice_cut(&rec, '=', &key))
			continue;
		if (ld_slice_eq_cstr(key, "path"))
			*path = ld_arena_slice(&bs->arena, rec);
		else if (ld_slice_eq_cstr(key, "linkpath"))
			*link = ld_arena_slice(&bs->arena, rec);
		else if (ld_slice_eq_cstr(key, "size")) {
			uint64_t v;
			if (ld_slice_to_u64(rec, UINT64_MAX, &v)) {
				*size = v;
				*has_size = true;
			}
		}
	}
}

/* What extended headers said about the member that follows them. */
typedef struct ext_hdr {
	char *long_name, *long_link, *pax_path, *pax_link;
	uint64_t pax_size;
	bool pax_has_size;
} ext_hdr;

static bool is_ext_header(char type)
{
	return type == 'x' || type == 'L' || type == 'K' || type == 'g';
}

/* An extended header (pax 'x' and 'g', GNU long name 'L' and long link 'K'), read whole. */
static int read_ext_header(ld_blobstore *bs, char type, uint64_t off, uint64_t size, uint64_t fsize, ext_hdr *x,
			   lading_ctx *ctx)
{
	uint64_t data_off = off + TAR_BLOCK;
	uint64_t cap = type == 'x' || type == 'g' ? MAX_PAX_BYTES : MAX_LONGNAME_BYTES;
	char *buf;

	if (size > cap || data_off + size > fsize)
		return ld_error_set_path(ctx, LADING_ELIMIT, bs->path, off,
					 "%s: oversized or truncated extended header at byte %" PRIu64, bs->path, off);
	buf = ld_arena_alloc(&bs->arena, (size_t)size + 1);
	if (!buf)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	if (read_exact(bs->fd, buf, (size_t)size, data_off))
		return ld_error_set_path(ctx, LADING_EIO, bs->path, off, "%s: read error", bs->path);
	buf[size] = '\0';
	if (type == 'L')
		x->long_name = buf;
	else if (type == 'K')
		x->long_link = buf;
	else if (type == 'x')
		parse_pax(bs, buf, (size_t)size, &x->pax_path, &x->pax_link, &x->pax_size, &x->pax_has_size);
	return 0;
}

/* The member's name: pax path, GNU long name, else ustar's prefix "/" name. */
static const char *member_name(const unsigned char *h, const ext_hdr *x, char name[LD_PATH_MAX])
{
	size_t nl, pl = 0;

	if (x->long_name || x->pax_path)
		return x->pax_path ? x->pax_path : x->long_name;
	nl = strnlen((const char *)h, 100);
	if (memcmp(h + 257, "ustar", 5) == 0)
		pl = strnlen((const char *)h + 345, 155);
	if (pl) {
		memcpy(name, h + 345, pl);
		name[pl] = '/';
		memcpy(name + pl + 1, h, nl);
		name[pl + 1 + nl] = '\0';
	} else {
		memcpy(name, h, nl);
		name[nl] = '\0';
	}
	return name;
}

/* A member under its canonical name (one that canonicalises to nothing is skipped); links keep
 * their target and no size. */
static int add_member(ld_blobstore *bs, const unsigned char *h, const char *rawname, uint64_t off, uint64_t size,
		      const ext_hdr *x, size_t *count, lading_ctx *ctx)
{
	char type = (char)h[156], canon[LD_PATH_MAX];
	size_t clen;
	tar_member *m;

	if (ld_path_canon(ld_slice_cstr(rawname), canon, &clen) != LD_PATH_OK || !clen)
		return 0;
	if (++*count > LD_MAX_OUTER_ENTRIES)
		return ld_error_set_path(ctx, LADING_ELIMIT, bs->path, off, "%s: more than %d members", bs->path,
					 LD_MAX_OUTER_ENTRIES);
	m = ld_arena_alloc(&bs->arena, sizeof(*m));
	if (!m || !(m->name = ld_arena_strndup(&bs->arena, canon, clen)))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	m->type = type == '\0' || type == '7' ? '0' : type;
	m->off = off + TAR_BLOCK;
	m->size = (type == '1' || type == '2') ? 0 : size;
	if (type == '1' || type == '2') {
		const char *l = x->pax_link ? x->pax_link : x->long_link;
		if (!l) {
			size_t ll = strnlen((const char *)h + 157, 100);
			l = ld_arena_strndup(&bs->arena, (const char *)h + 157, ll);
		}
		m->link = l;
	}
	if (ld_map_put(&bs->members, ld_slice_make(m->name, clen), m, NULL))
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	return 0;
}

static int index_tar(ld_blobstore *bs, lading_ctx *ctx)
{
	unsigned char h[TAR_BLOCK];
	struct stat st;
	uint64_t off = 0, fsize;
	ext_hdr x = {0};
	size_t count = 0;
	int rc;

	if (fstat(bs->fd, &st) != 0)
		return ld_error_set_path(ctx, LADING_EIO, bs->path, 0, "cannot stat %s", bs->path);
	fsize = (uint64_t)st.st_size;
	for (;;) {
		uint64_t size, data_off, padded;
		char name[LD_PATH_MAX];
		const char *rawname;
		char type;

		if (off + TAR_BLOCK > fsize)
			break; /* a tar without end blocks: accept what is complete */
		if (read_exact(bs->fd, h, TAR_BLOCK, off))
			return ld_error_set_path(ctx, LADING_EIO, bs->path, off, "%s: read error", bs->path);
		if (all_zero(h))
			break;
		if (!checksum_ok(h))
			return ld_error_set_path(ctx, LADING_EINVALID, bs->path, off,
						 "%s: not a tar archive (bad header checksum at byte %" PRIu64 ")",
						 bs->path, off);
		if (!parse_octal((const char *)h + 124, 12, &size))
			return ld_error_set_path(ctx, LADING_EINVALID, bs->path, off,
						 "%s: bad size field at byte %" PRIu64, bs->path, off);
		type = (char)h[156];
		data_off = off + TAR_BLOCK;
		if (is_ext_header(type)) {
			if ((rc = read_ext_header(bs, type, off, size, fsize, &x, ctx)))
				return rc;
			off = data_off + ((size + TAR_BLOCK - 1) / TAR_BLOCK) * TAR_BLOCK;
			continue;
		}
		if (x.pax_has_size)
			size = x.pax_size;
		rawname = member_name(h, &x, name);
		padded = ((size + TAR_BLOCK - 1) / TAR_BLOCK) * TAR_BLOCK;
		if (type == '1' || type == '2' || type == '5')
			padded = type == '5' ? padded : 0; /* links carry no data */
		if (data_off + padded > fsize || data_off + size < data_off)
			return ld_error_set_path(ctx, LADING_EINVALID, bs->path, off,
						 "%s: truncated (member '%s' runs past the end of the file)", bs->path,
						 rawname);
		if ((rc = add_member(bs, h, rawname, off, size, &x, &count, ctx)))
			return rc;
		x = (ext_hdr){0};
		off = data_off + ((type == '1' || type == '2') ? 0 : ((size + TAR_BLOCK - 1) / TAR_BLOCK) * TAR_BLOCK);
	}
	return 0;
}

int ld_blobstore_tar(ld_blobstore **out, const char *file, lading_ctx *ctx)
{
	ld_blobstore *bs = bs_new();
	int rc;
	*out = NULL;
	if (!bs)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	bs->is_tar = true;
	ld_strlcpy(bs->path, file, sizeof(bs->path));
	bs->fd = open(file, O_RDONLY | O_CLOEXEC);
	if (bs->fd < 0) {
		int e = errno;
		ld_blobstore_free(bs);
		return ld_error_set_path(ctx, e == ENOENT ? LADING_ENOTFOUND : LADING_EIO, file, 0,
					 "cannot open %s: %s", file, strerror(e));
	}
	if ((rc = index_tar(bs, ctx))) {
		ld_blobstore_free(bs);
		return rc;
	}
	*out = bs;
	return 0;
}

int ld_blobstore_tar_fd(ld_blobstore **out, int fd, const char *name, lading_ctx *ctx)
{
	ld_blobstore *bs = bs_new();
	int rc;
	*out = NULL;
	if (!bs)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	bs->is_tar = true;
	ld_strlcpy(bs->path, name, sizeof(bs->path));
	bs->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (bs->fd < 0) {
		ld_blobstore_free(bs);
		return ld_error_set(ctx, LADING_EIO, "%s: %s", name, strerror(errno));
	}
	if ((rc = index_tar(bs, ctx))) {
		ld_blobstore_free(bs);
		return rc;
	}
	*out = bs;
	return 0;
}

/* Find a member by name, following symlink/hardlink members (docker-archive's
 * "<id>/layer.tar -> ../<diffid>.tar"). */
static const tar_member *tar_find(ld_blobstore *bs, const char *name)
{
	char cur[LD_PATH_MAX], tmp[LD_PATH_MAX * 2];
	size_t n;
	if (ld_path_canon(ld_slice_cstr(name), cur, &n) != LD_PATH_OK)
		return NULL;
	for (int hop = 0; hop <= MAX_LINK_HOPS; hop++) {
		const tar_member *m = ld_map_get(&bs->members, ld_slice_make(cur, n));
		ld_slice dir;
		char resolved[LD_PATH_MAX];
		size_t rn = 0;
		ld_slice rest, comp;
		if (!m)
			return NULL;
		if (m->type == '0')
			return m;
		if (m->type == '1') {
			/* hardlink names are relative to the archive root */
			if (ld_path_canon(ld_slice_cstr(m->link), cur, &n) != LD_PATH_OK)
				return NULL;
			continue;
		}
		if (m->type != '2' || !m->link)
			return NULL;
		/* symlink: resolve lexically against the member's directory, clamped at the root */
		dir = ld_path_dir(ld_slice_make(cur, n));
		if (m->link[0] == '/')
			ld_snprintf(tmp, sizeof(tmp), "%s", m->link);
		else
			ld_snprintf(tmp, sizeof(tmp), "%.*s/%s", (int)dir.len, dir.ptr, m->link);
		rest = ld_slice_cstr(tmp);
		while (rest.len) {
			ld_slice_cut(&rest, '/', &comp);
			if (!comp.len || ld_slice_eq_cstr(comp, "."))
				continue;
			if (ld_slice_eq_cstr(comp, "..")) {
				while (rn && resolved[rn - 1] != '/')
					rn--;
				if (rn)
					rn--;
				continue;
			}
			if (rn + comp.len + 2 >= sizeof(resolved))
				return NULL;
			if (rn)
				resolved[rn++] = '/';
			memcpy(resolved + rn, comp.ptr, comp.len);
			rn += comp.len;
		}
		resolved[rn] = '\0';
		memcpy(cur, resolved, rn + 1);
		n = rn;
	}
	return NULL;
}

/* Names in a layout come from manifests we have not verified yet: accept only plain relative
 * names without ".." so a directory store never opens anything outside the layout. */
static bool safe_name(const char *name)
{
	char canon[LD_PATH_MAX];
	size_t n;
	return name && ld_path_canon(ld_slice_cstr(name), canon, &n) == LD_PATH_OK && n > 0 &&
	       strcmp(canon, name) == 0;
}

bool ld_blobstore_exists(ld_blobstore *bs, const char *name)
{
	struct stat st;
	if (bs->is_tar)
		return tar_find(bs, name) != NULL;
	if (!safe_name(name))
		return false;
	return fstatat(bs->fd, name, &st, 0) == 0 && S_ISREG(st.st_mode);
}

int64_t ld_blobstore_size(ld_blobstore *bs, const char *name)
{
	struct stat st;
	if (bs->is_tar) {
		const tar_member *m = tar_find(bs, name);
		return m ? (int64_t)m->size : -1;
	}
	if (!safe_name(name) || fstatat(bs->fd, name, &st, 0) != 0 || !S_ISREG(st.st_mode))
		return -1;
	return (int64_t)st.st_size;
}

int ld_blobstore_open(ld_blobstore *bs, const char *name, ld_stream **out, lading_ctx *ctx)
{
	char what[LD_PATH_MAX + 64];
	*out = NULL;
	if (bs->is_tar) {
		const tar_member *m = tar_find(bs, name);
		if (!m)
			return ld_error_set_path(ctx, LADING_ENOTFOUND, bs->path, 0, "%s: no member '%s'",
						 bs->path, name);
		ld_snprintf(what, sizeof(what), "%s:%s", bs->path, name);
		return ld_stream_file_region(out, ctx, bs->fd, m->off, m->size, what);
	} else {
		int fd;
		struct stat st;
		if (!safe_name(name))
			return ld_error_set(ctx, LADING_EINVALID, "%s: refusing unsafe blob name '%s'", bs->path,
					    name);
		fd = openat(bs->fd, name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return ld_error_set_path(ctx, errno == ENOENT ? LADING_ENOTFOUND : LADING_EIO, name, 0,
						 "%s: cannot open %s: %s", bs->path, name, strerror(errno));
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			return ld_error_set(ctx, LADING_EINVALID, "%s/%s is not a regular file", bs->path, name);
		}
		ld_snprintf(what, sizeof(what), "%s/%s", bs->path, name);
		return ld_stream_fd_owned(out, ctx, fd, 0, (uint64_t)st.st_size, what);
	}
}

int ld_blobstore_read(ld_blobstore *bs, const char *name, size_t max, ld_buf *out, lading_ctx *ctx)
{
	ld_stream *s;
	int rc = ld_blobstore_open(bs, name, &s, ctx);
	if (rc)
		return rc;
	rc = ld_stream_read_all(s, out, max, name);
	ld_stream_close(s);
	return rc;
}

int ld_blobstore_read_blob(ld_blobstore *bs, const char *digest, int64_t size, size_t max, ld_buf *out,
			   lading_ctx *ctx)
{
	char name[128], label[128];
	ld_stream *s, *v;
	int rc;

	if (!ld_digest_valid(digest))
		return ld_error_set(ctx, LADING_EUNSUPPORTED, "unsupported or malformed digest '%s'",
				    digest ? digest : "");
	if (size > (int64_t)max)
		return ld_error_set(ctx, LADING_ELIMIT, "blob %s: %" PRId64 " bytes exceeds the limit of %zu",
				    digest, size, max);
	ld_snprintf(name, sizeof(name), "blobs/sha256/%s", digest + 7);
	if ((rc = ld_blobstore_open(bs, name, &s, ctx))) {
		if (rc == LADING_ENOTFOUND)
			return ld_error_set(ctx, LADING_ENOTFOUND, "blob %s is missing from %s", digest, bs->path);
		return rc;
	}
	ld_snprintf(label, sizeof(label), "blob %s", digest);
	if ((rc = ld_stream_verify(&v, s, digest, size, label)))
		return rc;
	rc = ld_stream_read_all(v, out, max, label);
	ld_stream_close(v);
	return rc;
}
