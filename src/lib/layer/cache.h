/* Layer cache: what reading a layer produced (every entry's metadata, the captured wanted
 * files, analyzer results, whiteout markers, the layer's warnings), stored per layer under
 * $XDG_CACHE_HOME/lading/layers/ and keyed by the layer's digest and the fingerprint of what was
 * asked of it (ld_wants_fingerprint). A hit skips reading the layer: for a registry image, the
 * blob is not even downloaded. docs/registry.md describes layout, keys and safety. */
#ifndef LD_LAYER_CACHE_H
#define LD_LAYER_CACHE_H

#include "layer/layer.h"

/* Named limits of the cache file reader (the file is checksummed, but still parsed as input). */
#define LD_LCACHE_MAGIC		  "LDLCACHE"
#define LD_LCACHE_FORMAT	  2u /* 2: plain files as hashes of front-coded paths */
#define LD_LCACHE_HEADER	  160u /* magic, format, payload length, payload sha256, key */
#define LD_LCACHE_MAX_FILE	  ((uint64_t)LD_LAYER_MAX_CAPTURE + ((uint64_t)1 << 30))
#define LD_LCACHE_MAX_WARNINGS	  4096
#define LD_LCACHE_MAX_WARNING_LEN 1024

/* ---- hooks of the layer reader (read.c) ---- */

/* Before reading layer `l`: 1 = filled from the cache (do not read it), 0 = read it (its
 * warnings are now recorded through `wctx`), < 0 = the layer's local blob no longer matches
 * its digest (error on wctx). */
int ld_layer_cache_lookup(lading_image *img, ld_layer *l, const ld_wants *w, lading_ctx *wctx);
/* After reading layer `l` (rc = the read's result): store it when rc is 0; stop recording. */
void ld_layer_cache_finish(lading_image *img, ld_layer *l, lading_ctx *wctx, int rc);
/* ld_layer_fetch, before reading: files a cached earlier fetch kept become captured again (as
 * a fresh fetch would capture them), so the layer need not be read. */
void ld_layer_cache_refetch(ld_layer *l, const char *const *paths, const size_t *caps, size_t n);
/* ld_layer_fetch, after capturing more files: store the layer again with them. */
void ld_layer_cache_update(lading_image *img, ld_layer *l);

/* ---- the file format (unit tests, fuzz harness) ---- */

/* Write the cache file of `l` to fd. `key` is the entry key (64 hex digits). */
int ld_layer_cache_write(int fd, const ld_layer *l, const char *digest, const char *key,
			 const char *const *warnings, size_t nwarn);
/* Parse a cache file held in memory that stays alive as long as `l` (captured data points
 * into it) into `l`, whose files vector is empty. `key` (or NULL) must match; analyzer ids must be
 * below `nanalyzers`. Warnings are returned in *warnings (arena of l), *nwarn of them. 0,
 * LADING_EINVALID (corrupt, truncated, wrong key) or LADING_ELIMIT. */
int ld_layer_cache_parse(ld_layer *l, const unsigned char *p, size_t len, const char *key,
			 size_t nanalyzers, const char ***warnings, size_t *nwarn, lading_ctx *ctx);

#endif
