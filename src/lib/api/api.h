/* The public objects' internals, shared by the api/ files. */
#ifndef LD_API_H
#define LD_API_H

#include "lading/sbom.h"
#include "catalog/catalog.h"
#include "source/source.h"
#include "report/report.h"

struct lading_sbom {
	lading_image *image; /* not owned, unless `owns_image` (an sbom read from a document) */
	ld_catalog cat;
	bool owns_image;
	const char *doc_format; /* lading_sbom_document_format */
};

/* The report stage's view of an inventory, its packages in report order in *pkgs (malloc'd). */
int ld_api_sbom_view(const lading_sbom *s, const lading_report_options *opts, ld_sbom_view *v,
		     const lading_package ***pkgs);

#endif
