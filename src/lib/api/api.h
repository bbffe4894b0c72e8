/* The public objects' internals, shared by the api/ files. */
#ifndef LD_API_H
#define LD_API_H

#include "lading/sbom.h"
#include "catalog/catalog.h"
#include "source/source.h"

struct lading_sbom {
	lading_image *image; /* not owned */
	ld_catalog cat;
};

#endif
