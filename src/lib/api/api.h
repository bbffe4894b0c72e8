/* The public objects' internals, shared by the api/ files. */
#ifndef LD_API_H
#define LD_API_H

#include "lading/sbom.h"
#include "catalog/catalog.h"
#include "source/source.h"

struct lading_sbom {
	lading_image *image; /* not owned, unless `owns_image` (an sbom read from a document) */
	ld_catalog cat;
	bool owns_image;
	const char *doc_format; /* lading_sbom_document_format */
};

#endif
