/* The names in a web server's HTML directory listing (python3 -m http.server, nginx autoindex,
 * Apache mod_autoindex, lighttpd): how `db update` finds a mirror's files without an index file
 * of its own. Only links to entries of the listed directory itself count: relative hrefs of one
 * path segment ("CVE_2021_EPSS.csv", "crates.io/", "./v3.10/"); parent, absolute, query (Apache's
 * "?C=N;O=D" sort links) and fragment links are not entries. */
#ifndef LD_VDB_LISTING_H
#define LD_VDB_LISTING_H

#include <stdbool.h>
#include <stddef.h>

#include "lading/common.h"

/* Named limits. */
#define LD_LISTING_MAX_BYTES ((size_t)8 << 20) /* one listing page */
#define LD_LISTING_MAX_ENTRIES 20000u	       /* entries of one directory */
#define LD_LISTING_MAX_NAME 255u	       /* bytes of one decoded name */

typedef struct ld_listing_entry {
	char *name; /* decoded, no '/' */
	bool dir;   /* the link ended with '/' */
} ld_listing_entry;

typedef struct ld_listing {
	ld_listing_entry *e; /* sorted by name, no duplicates */
	size_t n;
} ld_listing;

/* Parse one listing page. 0 (out->n may be 0: not a listing, or an empty directory),
 * LADING_ELIMIT (too big, too many entries), LADING_ENOMEM. Release with ld_listing_release. */
int ld_listing_parse(const char *p, size_t len, ld_listing *out, lading_ctx *ctx);
void ld_listing_release(ld_listing *l);

#endif
