/* On-disk caches shared by concurrent lading processes, without lock files: an entry is written
 * to a temporary file in its own directory and renamed into place, so a reader sees a whole
 * entry or none; names are content keys, so two writers of one name write the same thing and the
 * last rename simply wins. Eviction is by size, oldest modification time first ("LRU-ish": a hit
 * refreshes the time). A file evicted while another process reads it stays readable through the
 * open descriptor. Used by the registry's blob cache (source) and the layer cache (layer). */
#ifndef LD_CACHEDIR_H
#define LD_CACHEDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lading/common.h"

#define LD_CACHE_PATH_MAX	    1024
#define LD_CACHE_DEFAULT_BLOBS_MAX  ((uint64_t)10 << 30) /* compressed layers as downloaded */
#define LD_CACHE_DEFAULT_LAYERS_MAX ((uint64_t)2 << 30)	 /* analyzed layers (captured files) */
#define LD_CACHE_TMP_PREFIX	    "tmp."
#define LD_CACHE_STALE_TMP_SECONDS  3600 /* a temporary file untouched this long is a crash's */

/* The cache root: `override` when given, else $XDG_CACHE_HOME/lading (absolute paths only, as
 * the XDG spec says), else $HOME/.cache/lading. LADING_ENOTFOUND when none can be named. */
int ld_cachedir_root(char *out, size_t n, const char *override);
/* mkdir -p with mode 0700 for what it creates. */
int ld_cachedir_make(const char *dir);
/* Create a new temporary file in `dir` (O_EXCL); returns the fd (or < 0) and its path. */
int ld_cachedir_tmp(const char *dir, char *path, size_t n);
/* Name a finished temporary file: rename(tmp, final). On failure the temporary file is
 * removed. Returns 0 or LADING_EIO. */
int ld_cachedir_commit(const char *tmp, const char *final);
/* Refresh an entry's modification time (it was used). */
void ld_cachedir_touch(const char *path);
/* The size cap of a cache part: LADING_CACHE_MAX (bytes, with an optional K/M/G suffix) when
 * set and valid, else `def`. */
uint64_t ld_cachedir_cap(uint64_t def);
/* Keep `dir` (flat: entries are files directly in it) under `max_bytes`: when over, remove the
 * least recently used entries until under 90 % of the cap. Also removes temporary files older
 * than LD_CACHE_STALE_TMP_SECONDS. Best effort, never fails. Returns the bytes left. A process
 * scans one directory at most every 10 s while its last scan found it under 90 % of the cap
 * (each scan reads every entry: after every write of a fleet's layers that was quadratic);
 * then it returns the bytes of that last scan. */
uint64_t ld_cachedir_evict(const char *dir, uint64_t max_bytes);

#endif
