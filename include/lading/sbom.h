/* lading: inventories (SBOMs) of images — OS, packages, and the layer that brought each. */
#ifndef LADING_SBOM_H
#define LADING_SBOM_H

#include "lading/common.h"
#include "lading/image.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lading_os {
	const char *id;          /* os-release ID: "alpine", "debian", "ubuntu", "rhel", ... */
	const char *version_id;  /* os-release VERSION_ID: "3.9.6", "12", "8.9" */
	const char *version;     /* most precise version known: alpine-release, debian_version ... */
	const char *codename;    /* "bookworm", "jammy", ... */
	const char *name;        /* NAME */
	const char *pretty_name; /* PRETTY_NAME */
	const char *id_like;     /* ID_LIKE */
	const char *source;      /* file it was read from */
} lading_os;

#define LADING_PKG_OS_MANAGED 1u /* language package whose files an OS package owns */
#define LADING_PKG_LOCAL 2u      /* not a release of the ecosystem's registry (a workspace, path
				    or git source): not matched against the ecosystem's feed */
#define LADING_PKG_APPLICATION 4u /* the image's own application (its project manifest, its
				     jar's own coordinates), not a dependency: docs/catalogers.md */

typedef struct lading_package {
	const char *name;
	const char *version;        /* as the package manager writes it: deb "1:2.3-4", apk "1.2-r3",
				       rpm "[E:]V-R" */
	const char *type;           /* purl type: deb, apk, rpm, pypi, npm, golang, maven, ... */
	const char *arch;
	const char *purl;
	const char *source_name;    /* source package (deb Source, apk origin, rpm SRPM name) */
	const char *source_version;
	int epoch;                  /* rpm/deb epoch, -1 when absent */
	const char *upstream_version; /* rpm V, deb upstream part */
	const char *release;        /* rpm R */
	const char *license;
	const char *found_by;       /* cataloger */
	const char *location;       /* path of the database or file it was read from */
	int layer;                  /* index into the image's layers, -1 unknown */
	unsigned flags;             /* LADING_PKG_* */
	size_t file_count;          /* files the package owns (from its package database) */
	const char *const *files;
	const char *cpe;            /* CPE 2.3 name (binaries found by the classifiers), or NULL */
} lading_package;

typedef struct lading_sbom lading_sbom;

typedef struct lading_sbom_options {
	unsigned version; /* LADING_SBOM_OPTIONS_VERSION */
	unsigned flags;   /* reserved */
} lading_sbom_options;
#define LADING_SBOM_OPTIONS_VERSION 1
#define LADING_SBOM_OPTIONS_INIT {LADING_SBOM_OPTIONS_VERSION, 0}

/* Read the image's layers and catalog it. The image must outlive the sbom. */
LADING_EXTERN(int) lading_sbom_build(lading_sbom **out, lading_ctx *ctx, lading_image *img,
				     const lading_sbom_options *opts);
LADING_EXTERN(void) lading_sbom_free(lading_sbom *sbom);
LADING_EXTERN(const lading_image_info *) lading_sbom_image(const lading_sbom *sbom);
LADING_EXTERN(const lading_os *) lading_sbom_os(const lading_sbom *sbom);
/* Packages sorted by (type, name, version, arch, location). */
LADING_EXTERN(size_t) lading_sbom_package_count(const lading_sbom *sbom);
LADING_EXTERN(const lading_package *) lading_sbom_package(const lading_sbom *sbom, size_t i);

/* ---- SBOM documents as input ---- */

/* Read an SBOM document of (data, len): CycloneDX 1.2-1.6 JSON, SPDX 2.2/2.3 JSON or lading's
 * own JSON (lading.sbom/v1). The result scans, reports and records like an image's inventory:
 * packages from the components' purls, the OS from the operating-system component (else a purl's
 * `distro=` qualifier), the image's name, digests and layers from the document when it has them
 * (source_type "sbom", source_path `name`). `name` names the document in messages. The data need
 * not outlive the sbom. LADING_EUNSUPPORTED: not one of these formats. docs/sbom-input.md. */
LADING_EXTERN(int) lading_sbom_read(lading_sbom **out, lading_ctx *ctx, const char *data, size_t len,
				    const char *name);
/* The same from a file ("-" = standard input) of at most LADING_SBOM_READ_MAX bytes. */
#define LADING_SBOM_READ_MAX (256 << 20)
LADING_EXTERN(int) lading_sbom_read_file(lading_sbom **out, lading_ctx *ctx, const char *path);
/* "cyclonedx-1.6", "spdx-2.3", "lading" for an sbom read from a document; NULL for one built
 * from an image. */
LADING_EXTERN(const char *) lading_sbom_document_format(const lading_sbom *sbom);

/* ---- reports ---- */

typedef struct lading_report_options {
	unsigned version;  /* LADING_REPORT_OPTIONS_VERSION */
	int with_files;    /* list each package's files (json, cyclonedx, spdx) */
	const char *tool_version; /* defaults to lading_version_string() */
	const char *timestamp;    /* RFC 3339; NULL: SOURCE_DATE_EPOCH, else the image's created
				     time, else the current time (only cyclonedx/spdx carry one) */
} lading_report_options;
#define LADING_REPORT_OPTIONS_VERSION 1
#define LADING_REPORT_OPTIONS_INIT {LADING_REPORT_OPTIONS_VERSION, 0, NULL, NULL}

/* Render an inventory; *out is malloc'd (free()), NUL-terminated. */
LADING_EXTERN(int) lading_sbom_report(char **out, size_t *len, lading_ctx *ctx, const lading_sbom *sbom,
				      lading_format fmt, const lading_report_options *opts);

#ifdef __cplusplus
}
#endif
#endif
