#include <sqlite3.h>

#include "util/common.h"
#include "vulndb/schema.h"

/* Keep in step with docs/vulndb.md. Conventions: `feed` columns name the import unit (feeds.id)
 * that wrote the row, so a failed feed's rows can be removed and a previous DB's rows for it
 * carried over; text is stored as the feeds give it. */
const char ld_vdb_schema_tables[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;\n"
	"CREATE TABLE feeds(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL UNIQUE,\n"
	"  origin TEXT,\n"
	"  status TEXT NOT NULL,\n"
	"  snapshot TEXT,\n"
	"  imported_at TEXT NOT NULL,\n"
	"  records INTEGER NOT NULL DEFAULT 0,\n"
	"  skipped INTEGER NOT NULL DEFAULT 0,\n"
	"  withdrawn INTEGER NOT NULL DEFAULT 0,\n"
	"  message TEXT);\n"
	"CREATE TABLE advisories(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  feed INTEGER NOT NULL,\n"
	"  source TEXT NOT NULL,\n"
	"  advisory TEXT NOT NULL,\n"
	"  summary TEXT,\n"
	"  details TEXT,\n"
	"  published TEXT,\n"
	"  modified TEXT,\n"
	"  url TEXT,\n"
	"  severity TEXT,\n"
	"  severity_raw TEXT,\n"
	"  cvss_vector TEXT,\n"
	"  cvss_version TEXT,\n"
	"  cvss_score REAL,\n"
	"  informational TEXT,\n"
	"  extra TEXT);\n"
	"CREATE TABLE aliases(\n"
	"  advisory INTEGER NOT NULL,\n"
	"  alias TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL,\n"
	"  feed INTEGER NOT NULL,\n"
	"  PRIMARY KEY(advisory, alias)) WITHOUT ROWID;\n"
	/* Clustered on the lookup key: all rows of one (ecosystem, package) sit together, so a
	 * lookup is one B-tree descent and a short forward scan. The advisory's source, ID and
	 * informational flag are repeated here so that a lookup needs no join. */
	"CREATE TABLE affected(\n"
	"  ecosystem TEXT NOT NULL,\n"
	"  package TEXT NOT NULL,\n"
	"  advisory INTEGER NOT NULL,\n"
	"  seq INTEGER NOT NULL,\n"
	"  feed INTEGER NOT NULL,\n"
	"  source TEXT NOT NULL,\n"
	"  advisory_id TEXT NOT NULL,\n"
	"  informational TEXT,\n"
	"  name TEXT NOT NULL,\n"
	"  purl TEXT,\n"
	"  ranges TEXT,\n"
	"  versions TEXT,\n"
	"  status TEXT,\n"
	"  severity TEXT,\n"
	"  severity_raw TEXT,\n"
	"  cvss_vector TEXT,\n"
	"  cvss_score REAL,\n"
	"  extra TEXT,\n"
	"  PRIMARY KEY(ecosystem, package, advisory, seq)) WITHOUT ROWID;\n"
	/* What lookups read: one row per (ecosystem, package) with all its affected entries
	 * packed (docs/vulndb.md, "Packed entries"), written from `affected` when the build ends:
	 * one B-tree probe and one row per lookup instead of ~4 rows of 14 columns. */
	"CREATE TABLE affected_packed(\n"
	"  ecosystem TEXT NOT NULL,\n"
	"  package TEXT NOT NULL,\n"
	"  entries INTEGER NOT NULL,\n"
	"  data BLOB NOT NULL,\n"
	"  PRIMARY KEY(ecosystem, package)) WITHOUT ROWID;\n"
	"CREATE TABLE kev(\n"
	"  cve TEXT PRIMARY KEY,\n"
	"  feed INTEGER NOT NULL,\n"
	"  vendor TEXT, product TEXT, name TEXT, date_added TEXT, due_date TEXT,\n"
	"  required_action TEXT, ransomware TEXT, description TEXT);\n"
	"CREATE TABLE epss(\n"
	"  cve TEXT PRIMARY KEY,\n"
	"  feed INTEGER NOT NULL,\n"
	"  score REAL NOT NULL,\n"
	"  percentile REAL NOT NULL) WITHOUT ROWID;\n"
	"CREATE TABLE nvd(\n"
	"  cve TEXT PRIMARY KEY,\n"
	"  feed INTEGER NOT NULL,\n"
	"  published TEXT, modified TEXT, description TEXT,\n"
	"  v3_vector TEXT, v3_score REAL, v3_severity TEXT,\n"
	"  v2_vector TEXT, v2_score REAL, v2_severity TEXT);\n"
	"CREATE TABLE cpe_match(\n"
	"  cve TEXT NOT NULL,\n"
	"  seq INTEGER NOT NULL,\n"
	"  feed INTEGER NOT NULL,\n"
	"  cpe23 TEXT NOT NULL,\n"
	"  part TEXT, vendor TEXT, product TEXT, version TEXT,\n"
	"  start_incl TEXT, start_excl TEXT, end_incl TEXT, end_excl TEXT,\n"
	"  PRIMARY KEY(cve, seq)) WITHOUT ROWID;\n"
	"CREATE TABLE stats(\n"
	"  feed TEXT NOT NULL,\n"
	"  ecosystem TEXT NOT NULL,\n"
	"  advisories INTEGER NOT NULL,\n"
	"  packages INTEGER NOT NULL,\n"
	"  affected INTEGER NOT NULL,\n"
	"  PRIMARY KEY(feed, ecosystem)) WITHOUT ROWID;\n";

const char ld_vdb_schema_indexes[] =
	"CREATE INDEX advisories_by_id ON advisories(advisory);\n"
	"CREATE INDEX aliases_by_alias ON aliases(alias);\n"
	"CREATE INDEX cpe_by_product ON cpe_match(vendor, product);\n"
	"INSERT INTO stats(feed, ecosystem, advisories, packages, affected)\n"
	"  SELECT f.name, a.ecosystem, COUNT(DISTINCT a.advisory), COUNT(DISTINCT a.package), "
	"COUNT(*)\n"
	"  FROM affected a JOIN feeds f ON f.id = a.feed GROUP BY f.name, a.ecosystem;\n";

int ld_vdb_sql_fail(sqlite3 *db, int rc, lading_ctx *ctx, const char *what)
{
	int code = LADING_EDB;
	int prim = rc & 0xff;
	if (prim == SQLITE_NOMEM)
		code = LADING_ENOMEM;
	else if (prim == SQLITE_IOERR || prim == SQLITE_FULL || prim == SQLITE_CANTOPEN ||
		 prim == SQLITE_READONLY || prim == SQLITE_PERM)
		code = LADING_EIO;
	return ld_error_set(ctx, code, "%s: %s", what,
			    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

int ld_vdb_sql_exec(sqlite3 *db, const char *sql, lading_ctx *ctx, const char *what)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		int code = LADING_EDB;
		if ((rc & 0xff) == SQLITE_NOMEM)
			code = LADING_ENOMEM;
		else if ((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_FULL)
			code = LADING_EIO;
		ld_error_set(ctx, code, "%s: %s", what, err ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
		return code;
	}
	return 0;
}

int ld_vdb_sql_uri(char *out, size_t outsz, const char *path, const char *query)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	ld_buf b;
	int rc;

	ld_buf_init(&b, 8192);
	/* an absolute path gets an empty authority ("file:///a"), so "//x" cannot become a host */
	ld_buf_adds(&b, path[0] == '/' ? "file://" : "file:");
	for (const char *p = path; *p; p++) {
		unsigned char c = (unsigned char)*p;
		/* URIs reserve these; everything else may appear as is in a file: URI path */
		if (c == '%' || c == '?' || c == '#' || c < 0x21 || c >= 0x7f) {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			ld_buf_add(&b, e, 3);
		} else {
			ld_buf_addc(&b, (char)c);
		}
	}
	if (query && *query) {
		ld_buf_addc(&b, '?');
		ld_buf_adds(&b, query);
	}
	rc = ld_buf_error(&b);
	if (!rc) {
		o = b.len;
		if (o + 1 > outsz)
			rc = LADING_ELIMIT;
		else
			memcpy(out, b.ptr, o + 1);
	}
	ld_buf_release(&b);
	return rc;
}
