/* The ecosystems lading knows, in one table (ecosystems.c): each one's spelling in the
 * vulnerability DB (OSV's), the input spellings normalized to it, its version scheme, the purl
 * type of the packages looked up in it, and how its feed and names are handled. The version
 * stage owns it because it is the first to need it; vulndb (normalization, the OSV download
 * list) and match (purl type -> ecosystem) read it. Adding an ecosystem = one line there (+ a
 * match case in tests/data/ecosystems/, which the version unit test requires). */
#ifndef LD_ECOSYSTEMS_H
#define LD_ECOSYSTEMS_H

#include <stddef.h>

#include "version/version.h"

enum {
	LD_ECO_OSV_FETCH = 1u << 0,   /* `db update` asks OSV for it where there is no listing */
	LD_ECO_NAMES_PEP503 = 1u << 1, /* package names normalized as PEP 503 (PyPI) */
	LD_ECO_NAMES_LOWER = 1u << 2, /* package names compared lowercase */
	LD_ECO_REL_ALPINE = 1u << 3,  /* release suffix "vX.Y" (or "edge") */
	LD_ECO_REL_DEBIAN = 1u << 4,  /* release suffix: major number, codenames resolved */
	LD_ECO_REL_MAJOR = 1u << 5,   /* release suffix: the major number only */
	/* known to the version stage only: the DB keeps such ecosystems as spelled */
	LD_ECO_SCHEME_ONLY = 1u << 6,
};

typedef struct ld_ecosystem {
	const char *name;	/* OSV's spelling, what the DB stores: "PyPI", "Rocky Linux" */
	const char *aliases;	/* other input spellings the DB normalizes to name: lowercase,
				 * '|'-separated ("pip|python") */
	const char *scheme_keys; /* more keys of ld_vscheme_for_ecosystem, '|'-separated, in its
				  * folded form (lowercase, no blanks, '-' or '_') */
	ld_vscheme scheme;	 /* its comparator (generic where none) */
	const char *purl_type;	 /* language packages of this purl type are matched here */
	char purl_sep;		 /* joins a purl's namespace and name: 0 = the name alone */
	unsigned flags;		 /* LD_ECO_* */
} ld_ecosystem;

/* The table and its length. */
const ld_ecosystem *ld_ecosystems(size_t *n);
/* The entry whose name or alias is `s` (len bytes, case-insensitive), skipping
 * LD_ECO_SCHEME_ONLY entries; NULL if none. */
const ld_ecosystem *ld_ecosystem_lookup(const char *s, size_t len);
/* The entry for a purl type ("pypi"), NULL if none. */
const ld_ecosystem *ld_ecosystem_by_purl(const char *purl_type);

#endif
