/* lading: common types of the public API: error codes, error detail, context. */
#ifndef LADING_COMMON_H
#define LADING_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LADING_EXTERN(type) __attribute__((visibility("default"))) type
#else
#define LADING_EXTERN(type) type
#endif

/* Every public function returns 0 on success or one of these (negative). */
enum {
	LADING_OK = 0,
	LADING_ENOMEM = -1,       /* allocation failed or a size computation overflowed */
	LADING_EIO = -2,          /* reading or writing a file failed */
	LADING_EINVALID = -3,     /* malformed input (image, manifest, database, feed) */
	LADING_ELIMIT = -4,       /* input exceeds a named safety limit */
	LADING_ENOTFOUND = -5,    /* a named thing (file, tag, blob, platform) does not exist */
	LADING_EUNSUPPORTED = -6, /* well-formed but not supported (format, media type) */
	LADING_ENET = -7,         /* network failure */
	LADING_EDB = -8,          /* vulnerability database failure */
	LADING_EDIGEST = -9,      /* content does not match its digest */
	LADING_EUSAGE = -10,      /* invalid argument from the caller */
	LADING_EAUTH = -11        /* authentication refused */
};

/* Report formats. Which kind of report comes in which formats is one table in the library
 * (src/lib/api/formats.c); ask it with lading_format_for and lading_format_names. */
typedef enum lading_format {
	LADING_FORMAT_TABLE = 0,
	LADING_FORMAT_JSON,
	LADING_FORMAT_CYCLONEDX,
	LADING_FORMAT_SPDX,
	LADING_FORMAT_SARIF,
	LADING_FORMAT_HTML
} lading_format;

/* What a report is of. */
typedef enum lading_report_kind {
	LADING_REPORT_SBOM,	   /* lading_sbom_report */
	LADING_REPORT_SCAN,	   /* lading_scan_report */
	LADING_REPORT_CENSUS,	   /* lading_census_assessment_write */
	LADING_REPORT_CENSUS_LIST, /* lading_census_records_write */
	LADING_REPORT_FLEET,	   /* lading_fleet_report */
	LADING_REPORT_HONEYPOT,	   /* lading_honeypot_report_write */
	LADING_REPORT_LIST	   /* listings: inventory list/query, tokens, probe results */
} lading_report_kind;

/* Any format by name ("table", "json", "cyclonedx", "spdx" or "spdx-json", "sarif", "html"). */
LADING_EXTERN(int) lading_format_parse(const char *name, lading_format *out);
/* A format by name for one kind of report: LADING_EUSAGE when the name is unknown or the kind
 * does not come in it. */
LADING_EXTERN(int) lading_format_for(lading_report_kind kind, const char *name, lading_format *out);
/* The names of a kind's formats, in the table's order, as "table, json, html" (for messages).
 * Returns 0, or LADING_ELIMIT when they do not fit in `n` bytes (truncated). */
LADING_EXTERN(int) lading_format_names(lading_report_kind kind, char *buf, size_t n);

/* Detail of the last error, kept on the caller's context. */
typedef struct lading_error {
	int code;         /* LADING_E* */
	char msg[1024];   /* one line a user can act on */
	char path[512];   /* file, blob or entry concerned, may be empty */
	uint64_t offset;  /* byte offset in `path` when known, else 0 */
} lading_error;

/* A context carries error detail, warnings and settings for one caller thread. */
typedef struct lading_ctx lading_ctx;

/* Progress callback: `what` is e.g. "layer", done/total in bytes (total 0 if unknown). */
typedef void (*lading_progress_fn)(void *opaque, const char *what, size_t index, size_t count,
				   uint64_t done, uint64_t total);

LADING_EXTERN(int) lading_ctx_new(lading_ctx **out);
LADING_EXTERN(void) lading_ctx_free(lading_ctx *ctx);
LADING_EXTERN(const lading_error *) lading_ctx_error(const lading_ctx *ctx);
/* Warnings are malformed-but-skipped inputs; counted, the first ones kept as text. */
LADING_EXTERN(size_t) lading_ctx_warning_count(const lading_ctx *ctx);
LADING_EXTERN(size_t) lading_ctx_warning_kept(const lading_ctx *ctx);
LADING_EXTERN(const char *) lading_ctx_warning(const lading_ctx *ctx, size_t i);
LADING_EXTERN(void) lading_ctx_set_progress(lading_ctx *ctx, lading_progress_fn fn, void *opaque);
/* Worker threads for parallel stages; 0 = number of online CPUs. */
LADING_EXTERN(void) lading_ctx_set_threads(lading_ctx *ctx, unsigned n);
/* Memory budget of a scan (sbom or scan) run with this context: captured files, analyzer
 * buffers, entry records, the merged view and catalogers' buffers draw from it; a scan that
 * needs more fails with LADING_ELIMIT naming what was too big. Default 1 GiB; 0 = no limit. */
#define LADING_DEFAULT_MAX_MEMORY ((uint64_t)1 << 30)
LADING_EXTERN(void) lading_ctx_set_max_memory(lading_ctx *ctx, uint64_t bytes);
/* The most memory the budget saw in use at once (bytes). */
LADING_EXTERN(uint64_t) lading_ctx_memory_peak(const lading_ctx *ctx);
LADING_EXTERN(const char *) lading_strerror(int code);
/* `s` made safe to print on a terminal: C0/C1 control characters (ESC, CSI, newline...), DEL
 * and invalid UTF-8 bytes shown escaped (\x1b, \u009b), so text from an image (file names,
 * package names, tags) in a message cannot drive the terminal. Writes at most outsz bytes
 * (terminated, truncated to fit) and returns the escaped length. */
LADING_EXTERN(size_t) lading_text_escape(const char *s, char *out, size_t outsz);
LADING_EXTERN(const char *) lading_version_string(void);

/* What this build is: its version, the source commit, and the schema versions of the files it
 * reads and writes (a file of another schema version is rebuilt or refused, never misread). */
typedef struct lading_build_info {
	const char *version; /* "0.1.0", as lading_version_string() */
	const char *commit;  /* short git hash of the sources, "unknown" when not built from git */
	int db_schema;       /* the vulnerability database (lading db) */
	int store_schema;    /* the inventory store; 0 when this build has none */
} lading_build_info;

LADING_EXTERN(void) lading_build_info_get(lading_build_info *out);

#ifdef __cplusplus
}
#endif
#endif
