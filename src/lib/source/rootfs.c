/* dir:PATH — a root filesystem already unpacked on the host, read as one pseudo-layer.
 * Everything is opened relative to the root's directory fd without following symlinks, so a
 * link inside the tree (even an absolute one) never leads outside it. */
#include <dirent.h>

#include "util/common.h"
#include "util/path.h"
#include "source/source.h"

/* Named limits of the directory walk. */
#define WALK_MAX_DEPTH 256
#define WALK_MAX_ENTRIES 20000000

typedef struct walk_frame {
	DIR *dir;          /* owns the directory fd */
	size_t path_len;   /* length of this directory's path in `path` */
} walk_frame;

typedef struct dir_walk {
	ld_entries base;
	lading_ctx *ctx;
	walk_frame stack[WALK_MAX_DEPTH];
	int depth;
	char path[LD_PATH_MAX];
	char link[LD_PATH_MAX];
	int cur_fd;             /* data of the current regular file, opened lazily */
	int cur_parent;         /* fd of its directory */
	char cur_name[256];
	bool cur_is_reg;
	bool root_is_host_root;
	size_t count;
	uint64_t bytes;
	bool pending_push;      /* the last entry was a directory to descend into */
	int pending_fd;
} dir_walk;

typedef struct rootfs_state {
	char root[LD_PATH_MAX];
} rootfs_state;

static void close_cur(dir_walk *w)
{
	if (w->cur_fd >= 0)
		close(w->cur_fd);
	w->cur_fd = -1;
	w->cur_is_reg = false;
}

static int walk_next(ld_entries *base, ld_ar_entry *e)
{
	dir_walk *w = (dir_walk *)base;
	close_cur(w);
	if (w->pending_push) {
		DIR *d;
		w->pending_push = false;
		if (w->depth >= WALK_MAX_DEPTH) {
			close(w->pending_fd);
			ld_warn(w->ctx, "dir: %s nested deeper than %d levels, not descended", w->path, WALK_MAX_DEPTH);
		} else if (!(d = fdopendir(w->pending_fd))) {
			close(w->pending_fd);
		} else {
			w->stack[w->depth].dir = d;
			w->stack[w->depth].path_len = strlen(w->path);
			w->depth++;
		}
	}
	while (w->depth > 0) {
		walk_frame *f = &w->stack[w->depth - 1];
		struct dirent *de;
		struct stat st;
		int dfd = dirfd(f->dir);
		size_t nl;

		errno = 0;
		de = readdir(f->dir);
		if (!de) {
			closedir(f->dir);
			w->depth--;
			continue;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (++w->count > WALK_MAX_ENTRIES)
			return ld_error_set(w->ctx, LADING_ELIMIT, "dir: more than %d entries", WALK_MAX_ENTRIES);
		nl = strlen(de->d_name);
		if (f->path_len + 1 + nl >= sizeof(w->path)) {
			ld_warn(w->ctx, "dir: path too long under %.*s, skipped", (int)f->path_len, w->path);
			continue;
		}
		if (f->path_len)
			w->path[f->path_len] = '/';
		memcpy(w->path + f->path_len + (f->path_len ? 1 : 0), de->d_name, nl + 1);
		/* a scan of the host's own root must not wander into kernel filesystems */
		if (w->root_is_host_root && w->depth == 1 &&
		    (!strcmp(de->d_name, "proc") || !strcmp(de->d_name, "sys") || !strcmp(de->d_name, "dev")))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			ld_warn(w->ctx, "dir: cannot stat %s: %s", w->path, strerror(errno));
			continue;
		}
		memset(e, 0, sizeof(*e));
		e->path = w->path;
		e->mode = (uint32_t)(st.st_mode & 07777);
		e->mtime = (int64_t)st.st_mtime;
		if (S_ISREG(st.st_mode)) {
			e->type = LD_AR_REG;
			e->size = (int64_t)st.st_size;
			w->cur_parent = dfd;
			ld_strlcpy(w->cur_name, de->d_name, sizeof(w->cur_name));
			w->cur_is_reg = true;
		} else if (S_ISDIR(st.st_mode)) {
			int fd = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			e->type = LD_AR_DIR;
			if (fd >= 0) {
				w->pending_push = true;
				w->pending_fd = fd;
			} else {
				ld_warn(w->ctx, "dir: cannot open %s: %s", w->path, strerror(errno));
			}
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlinkat(dfd, de->d_name, w->link, sizeof(w->link) - 1);
			if (n < 0) {
				ld_warn(w->ctx, "dir: cannot read link %s", w->path);
				continue;
			}
			w->link[n] = '\0';
			e->type = LD_AR_SYMLINK;
			e->link = w->link;
		} else {
			e->type = LD_AR_OTHER;
		}
		return 1;
	}
	return 0;
}

static ssize_t walk_read(ld_entries *base, void *buf, size_t n)
{
	dir_walk *w = (dir_walk *)base;
	ssize_t r;
	if (!w->cur_is_reg)
		return 0;
	if (w->cur_fd < 0) {
		w->cur_fd = openat(w->cur_parent, w->cur_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (w->cur_fd < 0) {
			ld_warn(w->ctx, "dir: cannot open %s: %s", w->path, strerror(errno));
			w->cur_is_reg = false;
			return 0;
		}
	}
	do {
		r = read(w->cur_fd, buf, n);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return ld_error_set(w->ctx, LADING_EIO, "dir: read error on %s: %s", w->path, strerror(errno));
	w->bytes += (uint64_t)r;
	return r;
}

static uint64_t walk_consumed(ld_entries *base)
{
	return ((dir_walk *)base)->bytes;
}

static void walk_close(ld_entries *base)
{
	dir_walk *w = (dir_walk *)base;
	close_cur(w);
	if (w->pending_push)
		close(w->pending_fd);
	while (w->depth > 0)
		closedir(w->stack[--w->depth].dir);
	free(w);
}

static int rootfs_open_entries(lading_image *img, size_t i, ld_entries **out, lading_ctx *ctx)
{
	rootfs_state *st = img->state;
	dir_walk *w;
	int fd;
	DIR *d;
	char real[PATH_MAX];

	(void)i;
	*out = NULL;
	fd = open(st->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ld_error_set_path(ctx, LADING_EIO, st->root, 0, "cannot open directory %s: %s", st->root,
					 strerror(errno));
	w = calloc(1, sizeof(*w));
	if (!w || !(d = fdopendir(fd))) {
		free(w);
		close(fd);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	w->base.next = walk_next;
	w->base.read = walk_read;
	w->base.close = walk_close;
	w->base.consumed = walk_consumed;
	w->ctx = ctx;
	w->cur_fd = -1;
	w->stack[0].dir = d;
	w->stack[0].path_len = 0;
	w->depth = 1;
	w->root_is_host_root = realpath(st->root, real) && !strcmp(real, "/");
	*out = &w->base;
	return 0;
}

static void rootfs_free(lading_image *img)
{
	free(img->state);
	img->state = NULL;
}

static const ld_source_ops rootfs_ops = {NULL, rootfs_open_entries, rootfs_free};

int ld_rootfs_dir_open(lading_image *img, const char *path, lading_ctx *ctx)
{
	rootfs_state *st;
	struct stat sb;
	int rc;
	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return ld_error_set_path(ctx, LADING_ENOTFOUND, path, 0, "dir:%s is not a directory", path);
	st = calloc(1, sizeof(*st));
	if (!st)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	ld_strlcpy(st->root, path, sizeof(st->root));
	img->state = st;
	img->ops = &rootfs_ops;
	if ((rc = ld_image_alloc_layers(img, 1, ctx)))
		return rc;
	img->layers[0].created_by = NULL;
	return 0;
}
