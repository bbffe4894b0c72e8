#include <dirent.h>
#include <stdatomic.h>
#include <time.h>

#include "util/common.h"
#include "util/cachedir.h"
#include "util/path.h"

/* Named limits. */
#define EVICT_MAX_ENTRIES 200000 /* entries looked at in one directory scan */
#define ENTRY_MIN_COST	  512	 /* an empty file still costs an inode and a directory slot */
/* A scan reads every entry of the directory: after each write that is quadratic over a fleet
 * (inventory add of thousands of images, one new layer each). A process scans a directory again
 * only after this many seconds unless its last scan found it near its cap; the cap may be
 * exceeded meanwhile by what one process writes in that time, on top of the 10 % headroom. */
#define EVICT_INTERVAL_S  10
#define EVICT_DIRS	  8 /* directories remembered */

int ld_cachedir_root(char *out, size_t n, const char *override)
{
	int rc = 0;
	if (override && *override)
		ld_snprintf(out, n, "%s", override);
	else if ((rc = ld_user_path(out, n, NULL, "XDG_CACHE_HOME", ".cache", NULL,
				    LD_USER_XDG_ABS | LD_USER_HOME_ABS)) == LADING_ENOTFOUND)
		return rc;
	return rc || strlen(out) + 1 >= n ? LADING_ELIMIT : 0;
}

int ld_cachedir_make(const char *dir)
{
	char p[LD_CACHE_PATH_MAX];
	size_t len = strlen(dir);
	if (!len || len >= sizeof(p))
		return LADING_ELIMIT;
	memcpy(p, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			return LADING_EIO;
		p[i] = i < len ? '/' : '\0';
	}
	return 0;
}

int ld_cachedir_tmp(const char *dir, char *path, size_t n)
{
	static atomic_uint counter;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	for (int tries = 0; tries < 16; tries++) {
		unsigned c = atomic_fetch_add(&counter, 1);
		int fd;
		ld_snprintf(path, n, "%s/" LD_CACHE_TMP_PREFIX "%ld.%lx.%u", dir, (long)getpid(),
			    (unsigned long)ts.tv_nsec ^ ((unsigned long)ts.tv_sec << 20), c);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

int ld_cachedir_commit(const char *tmp, const char *final)
{
	if (rename(tmp, final) != 0) {
		unlink(tmp);
		return LADING_EIO;
	}
	return 0;
}

void ld_cachedir_touch(const char *path)
{
	/* a read-only cache (another user's) simply is not refreshed */
	(void)utimensat(AT_FDCWD, path, NULL, 0);
}

uint64_t ld_cachedir_cap(uint64_t def)
{
	const char *e = getenv("LADING_CACHE_MAX");
	ld_slice s;
	uint64_t v, mult = 1;
	if (!e || !*e)
		return def;
	s = ld_slice_cstr(e);
	switch (s.ptr[s.len - 1]) {
	case 'k':
	case 'K':
		mult = (uint64_t)1 << 10;
		s.len--;
		break;
	case 'm':
	case 'M':
		mult = (uint64_t)1 << 20;
		s.len--;
		break;
	case 'g':
	case 'G':
		mult = (uint64_t)1 << 30;
		s.len--;
		break;
	default: break;
	}
	if (!ld_slice_to_u64(s, UINT64_MAX / mult, &v))
		return def;
	return v * mult;
}

typedef struct entry {
	char name[256];
	struct timespec mtime;
	uint64_t cost;
} entry;

static int by_age(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

static uint64_t evict_scan(const char *dir, uint64_t max_bytes);

typedef struct evict_memo {
	char dir[LD_CACHE_PATH_MAX];
	time_t at;
	uint64_t total;
} evict_memo;
static evict_memo memos[EVICT_DIRS];
static pthread_mutex_t memo_mu = PTHREAD_MUTEX_INITIALIZER;

/* True when this process scanned `dir` recently and found it well under its cap. */
static bool scanned_recently(const char *dir, uint64_t max_bytes, time_t now, uint64_t *total)
{
	bool skip = false;
	pthread_mutex_lock(&memo_mu);
	for (size_t i = 0; i < EVICT_DIRS; i++)
		if (memos[i].at && !strcmp(memos[i].dir, dir)) {
			skip = now - memos[i].at < EVICT_INTERVAL_S && memos[i].total < max_bytes / 10 * 9;
			*total = memos[i].total;
			break;
		}
	pthread_mutex_unlock(&memo_mu);
	return skip;
}

static void remember_scan(const char *dir, uint64_t total, time_t now)
{
	size_t slot = 0;
	pthread_mutex_lock(&memo_mu);
	for (size_t i = 0; i < EVICT_DIRS; i++) {
		if (!strcmp(memos[i].dir, dir)) {
			slot = i;
			break;
		}
		if (memos[i].at < memos[slot].at)
			slot = i; /* the oldest (or an empty) slot */
	}
	ld_strlcpy(memos[slot].dir, dir, sizeof(memos[slot].dir));
	memos[slot].at = now;
	memos[slot].total = total;
	pthread_mutex_unlock(&memo_mu);
}

uint64_t ld_cachedir_evict(const char *dir, uint64_t max_bytes)
{
	time_t now0 = time(NULL);
	uint64_t left;

	if (scanned_recently(dir, max_bytes, now0, &left))
		return left; /* as of the last scan */
	left = evict_scan(dir, max_bytes);
	remember_scan(dir, left, now0);
	return left;
}

static uint64_t evict_scan(const char *dir, uint64_t max_bytes)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	entry *ents = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = 0;
	time_t now = time(NULL);

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL && n < EVICT_MAX_ENTRIES) {
		struct stat st;
		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(ents->name))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (!strncmp(de->d_name, LD_CACHE_TMP_PREFIX, strlen(LD_CACHE_TMP_PREFIX))) {
			/* another process's file in the making, unless it was abandoned long ago */
			if (now - st.st_mtim.tv_sec > LD_CACHE_STALE_TMP_SECONDS)
				unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			entry *ne = realloc(ents, nc * sizeof(*ents));
			if (!ne)
				break;
			ents = ne;
			cap = nc;
		}
		ld_strlcpy(ents[n].name, de->d_name, sizeof(ents[n].name));
		ents[n].mtime = st.st_mtim;
		ents[n].cost =
		    (uint64_t)st.st_size > ENTRY_MIN_COST ? (uint64_t)st.st_size : ENTRY_MIN_COST;
		total += ents[n].cost;
		n++;
	}
	if (total > max_bytes && n) {
		uint64_t target = max_bytes / 10 * 9;
		qsort(ents, n, sizeof(*ents), by_age);
		for (size_t i = 0; i < n && total > target; i++) {
			/* ENOENT: a concurrent process evicted it first; the space is gone all the
			 * same */
			if (unlinkat(dirfd(d), ents[i].name, 0) == 0 || errno == ENOENT)
				total -= ents[i].cost;
		}
	}
	closedir(d);
	free(ents);
	return total;
}
