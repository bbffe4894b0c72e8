/* The event log: JSON lines appended by the loop thread into the current batch; a writer thread
 * takes the batch when it reaches LOG_TRIGGER bytes or every flush_ms, writes it and fdatasync()s
 * it, so a crash loses at most the batch being written and the one being filled (flush_ms of
 * events). When the writer is a whole batch (batch_max) behind, append() waits for it: memory
 * stays bounded and nothing is dropped. Rotation by size renames FILE -> FILE.1 -> ... FILE.keep
 * between batches, so a line never straddles two files. */
#include <sys/time.h>
#include <time.h>

#include "util/common.h"
#include "honeypot/hp.h"

#define LOG_TRIGGER (256 * 1024) /* wake the writer at this many pending bytes */

struct ld_hp_log {
	char path[1024];
	int fd;
	uint64_t size;
	uint64_t rotate_bytes;
	unsigned keep, flush_ms;
	size_t batch_max;
	pthread_t thread;
	bool started, stopping;
	pthread_mutex_t mu;
	pthread_cond_t cv_writer, cv_loop;
	ld_buf cur, spare; /* cur: filled by the loop; spare: the writer's */
	uint64_t cur_events;
	/* statistics, under mu */
	uint64_t events, durable, bytes, batches, rotations;
	int err;
	char errmsg[256];
};

static int open_file(ld_hp_log *l)
{
	struct stat st;
	l->fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (l->fd < 0)
		return -1;
	if (fstat(l->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(l->fd);
		l->fd = -1;
		errno = EINVAL;
		return -1;
	}
	l->size = (uint64_t)st.st_size;
	return 0;
}

static void sync_dir(const char *path)
{
	char dir[1024];
	char *slash;
	int fd;
	ld_strlcpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (!slash)
		ld_strlcpy(dir, ".", sizeof(dir));
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int ld_hp_log_open(ld_hp_log **out, const ld_hp_log_opts *o, lading_ctx *ctx)
{
	ld_hp_log *l = calloc(1, sizeof(*l));
	*out = NULL;
	if (!l)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	if (strlen(o->path) >= sizeof(l->path) - 16) {
		free(l);
		return ld_error_set(ctx, LADING_ELIMIT, "log path too long: %s", o->path);
	}
	ld_strlcpy(l->path, o->path, sizeof(l->path));
	l->rotate_bytes = o->rotate_bytes;
	l->keep = o->keep;
	l->flush_ms = o->flush_ms ? o->flush_ms : 100;
	l->batch_max = o->batch_max ? o->batch_max : (size_t)8 << 20;
	ld_buf_init(&l->cur, l->batch_max + (1 << 20));
	ld_buf_init(&l->spare, l->batch_max + (1 << 20));
	pthread_mutex_init(&l->mu, NULL);
	{
		pthread_condattr_t a;
		pthread_condattr_init(&a);
		pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
		pthread_cond_init(&l->cv_writer, &a);
		pthread_condattr_destroy(&a);
	}
	pthread_cond_init(&l->cv_loop, NULL);
	if (open_file(l) != 0) {
		int e = errno;
		ld_hp_log_free(l);
		return ld_error_set(ctx, LADING_EIO, "cannot open the event log %s: %s", o->path,
				    strerror(e));
	}
	sync_dir(l->path);
	*out = l;
	return 0;
}

int ld_hp_log_check_owner(ld_hp_log *l, unsigned uid, unsigned gid, lading_ctx *ctx)
{
	char dir[1024];
	char *slash;
	struct stat st;
	bool ok;
	if (fchown(l->fd, uid, gid) != 0)
		return ld_error_set(ctx, LADING_EIO, "cannot give the event log %s to uid %u: %s",
				    l->path, uid, strerror(errno));
	if (!l->rotate_bytes)
		return 0;
	ld_strlcpy(dir, l->path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (!slash)
		ld_strlcpy(dir, ".", sizeof(dir));
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st) != 0)
		return ld_error_set(ctx, LADING_EIO, "cannot stat %s: %s", dir, strerror(errno));
	ok = (st.st_uid == uid && (st.st_mode & S_IWUSR)) ||
	     (st.st_gid == gid && (st.st_mode & S_IWGRP)) || (st.st_mode & S_IWOTH);
	if (!ok)
		return ld_error_set(
			ctx, LADING_EUSAGE,
			"the log directory %s is not writable by uid %u, which the honeypot runs "
			"as after binding; rotation needs it (give it that user, or choose "
			"another --user or directory)",
			dir, uid);
	return 0;
}

static void set_err(ld_hp_log *l, const char *what, int e)
{
	pthread_mutex_lock(&l->mu);
	if (!l->err) {
		l->err = LADING_EIO;
		ld_snprintf(l->errmsg, sizeof(l->errmsg), "event log %s: %s: %s", l->path, what,
			    strerror(e));
	}
	pthread_mutex_unlock(&l->mu);
}

static void rotate(ld_hp_log *l)
{
	char from[1100], to[1100];
	fdatasync(l->fd);
	close(l->fd);
	l->fd = -1;
	if (l->keep == 0) {
		if (unlink(l->path) != 0 && errno != ENOENT)
			set_err(l, "unlink for rotation", errno);
	} else {
		for (unsigned i = l->keep; i > 1; i--) {
			ld_snprintf(from, sizeof(from), "%s.%u", l->path, i - 1);
			ld_snprintf(to, sizeof(to), "%s.%u", l->path, i);
			if (rename(from, to) != 0 && errno != ENOENT)
				set_err(l, "rename for rotation", errno);
		}
		ld_snprintf(to, sizeof(to), "%s.1", l->path);
		if (rename(l->path, to) != 0)
			set_err(l, "rename for rotation", errno);
	}
	if (open_file(l) != 0)
		set_err(l, "reopen after rotation", errno);
	sync_dir(l->path);
	pthread_mutex_lock(&l->mu);
	l->rotations++;
	pthread_mutex_unlock(&l->mu);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write a batch; rotation happens at line boundaries before the part that would not fit. */
static void write_batch(ld_hp_log *l, const char *p, size_t n)
{
	while (n) {
		size_t part = n;
		if (l->rotate_bytes && l->size + n > l->rotate_bytes) {
			/* as many whole lines as still fit; at least one line per file */
			size_t room =
				l->size < l->rotate_bytes ? (size_t)(l->rotate_bytes - l->size) : 0;
			const char *last = room ? memrchr(p, '\n', LD_MIN(n, room)) : NULL;
			size_t cut = last ? (size_t)(last - p) + 1 : 0;
			if (!cut && l->size > 0) {
				rotate(l);
				continue;
			}
			if (!cut) {
				const char *nl = memchr(p, '\n', n);
				cut = nl ? (size_t)(nl - p) + 1 : n;
			}
			part = cut;
		}
		if (l->fd < 0 || write_all(l->fd, p, part) != 0) {
			set_err(l, "write", l->fd < 0 ? EBADF : errno);
			return;
		}
		l->size += part;
		p += part;
		n -= part;
		if (n)
			rotate(l);
	}
}

static void *writer(void *arg)
{
	ld_hp_log *l = arg;
	pthread_mutex_lock(&l->mu);
	for (;;) {
		uint64_t nev;
		size_t nbytes;
		ld_buf t;
		if (!l->stopping && l->cur.len < LOG_TRIGGER) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_nsec += (long)(l->flush_ms % 1000) * 1000000L;
			ts.tv_sec += l->flush_ms / 1000 + ts.tv_nsec / 1000000000L;
			ts.tv_nsec %= 1000000000L;
			pthread_cond_timedwait(&l->cv_writer, &l->mu, &ts);
		}
		if (!l->cur.len) {
			if (l->stopping)
				break;
			continue;
		}
		t = l->cur;
		l->cur = l->spare;
		l->spare = t;
		nev = l->cur_events;
		l->cur_events = 0;
		pthread_cond_broadcast(&l->cv_loop);
		pthread_mutex_unlock(&l->mu);

		nbytes = l->spare.len;
		write_batch(l, l->spare.ptr, nbytes);
		if (l->fd >= 0 && fdatasync(l->fd) != 0)
			set_err(l, "fdatasync", errno);
		ld_buf_clear(&l->spare);

		pthread_mutex_lock(&l->mu);
		if (!l->err)
			l->durable += nev;
		l->bytes += nbytes;
		l->batches++;
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

int ld_hp_log_start(ld_hp_log *l, lading_ctx *ctx)
{
	int e = pthread_create(&l->thread, NULL, writer, l);
	if (e)
		return ld_error_set(ctx, LADING_ENOMEM, "cannot start the log writer thread: %s",
				    strerror(e));
	l->started = true;
	return 0;
}

void ld_hp_log_append(ld_hp_log *l, const char *line, size_t n)
{
	pthread_mutex_lock(&l->mu);
	/* backpressure: the writer is a whole batch behind */
	while (l->started && !l->stopping && l->cur.len && l->cur.len + n + 1 > l->batch_max) {
		pthread_cond_signal(&l->cv_writer);
		pthread_cond_wait(&l->cv_loop, &l->mu);
	}
	if (ld_buf_add(&l->cur, line, n) == 0 && ld_buf_addc(&l->cur, '\n') == 0) {
		l->cur_events++;
		l->events++;
	} else {
		ld_buf_clear(&l->cur); /* cannot happen with batch_max below the buffer cap */
	}
	if (l->cur.len >= LOG_TRIGGER && l->cur.len - n - 1 < LOG_TRIGGER)
		pthread_cond_signal(&l->cv_writer);
	pthread_mutex_unlock(&l->mu);
}

int ld_hp_log_close(ld_hp_log *l, lading_ctx *ctx)
{
	int err;
	if (l->started) {
		pthread_mutex_lock(&l->mu);
		l->stopping = true;
		pthread_cond_signal(&l->cv_writer);
		pthread_mutex_unlock(&l->mu);
		pthread_join(l->thread, NULL);
		l->started = false;
	} else if (l->cur.len) {
		write_batch(l, l->cur.ptr, l->cur.len);
		if (l->fd >= 0)
			fdatasync(l->fd);
		l->durable += l->cur_events;
		l->bytes += l->cur.len;
		ld_buf_clear(&l->cur);
	}
	err = l->err;
	if (err)
		return ld_error_set(ctx, err, "%s", l->errmsg);
	return 0;
}

void ld_hp_log_stats(ld_hp_log *l, uint64_t *events, uint64_t *durable, uint64_t *bytes,
		     uint64_t *batches, uint64_t *rotations, int *err)
{
	pthread_mutex_lock(&l->mu);
	*events = l->events;
	*durable = l->durable;
	*bytes = l->bytes;
	*batches = l->batches;
	*rotations = l->rotations;
	*err = l->err;
	pthread_mutex_unlock(&l->mu);
}

void ld_hp_log_free(ld_hp_log *l)
{
	if (!l)
		return;
	if (l->started) {
		lading_ctx *ctx = NULL;
		if (lading_ctx_new(&ctx) == 0) {
			ld_hp_log_close(l, ctx);
			lading_ctx_free(ctx);
		}
	}
	if (l->fd >= 0)
		close(l->fd);
	ld_buf_release(&l->cur);
	ld_buf_release(&l->spare);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv_writer);
	pthread_cond_destroy(&l->cv_loop);
	free(l);
}
