/* Store backend: one SQLite file. WAL (readers never wait for the writer), a busy timeout (writers
 * of several lading processes queue instead of failing), BEGIN IMMEDIATE (a writer takes the
 * write lock before reading, so two writers never deadlock on a lock upgrade), foreign keys on.
 * Every statement of the interface is here with its bound parameters (?N). */
#include <sqlite3.h>
#include <time.h>

#include "util/common.h"
#include "store/store.h"

/* Named limits. */
#define SQ_MMAP_BYTES "268435456" /* of the file read through a mapping */

typedef struct sq_state {
	sqlite3 *db;
	sqlite3_stmt *st[LD_SQ_COUNT];
	char path[LD_STORE_URL_MAX];
} sq_state;

/* ---- schema: migration N brings version N-1 to N (docs/inventory.md) ---- */

static const char *const migrations[] = {
	/* 1: images, layers, package lists, findings per database build, containers */
	"CREATE TABLE layer(id INTEGER PRIMARY KEY, digest TEXT NOT NULL UNIQUE, blob_digest TEXT,"
	" media_type TEXT, size INTEGER, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL);"
	"CREATE TABLE os(id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, os_id TEXT, version_id TEXT,"
	" version TEXT, codename TEXT, name TEXT, pretty_name TEXT, id_like TEXT);"
	"CREATE TABLE package(id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, type TEXT NOT NULL,"
	" name TEXT NOT NULL, version TEXT NOT NULL, arch TEXT, purl TEXT, source_name TEXT,"
	" source_version TEXT, epoch INTEGER NOT NULL, upstream_version TEXT, release TEXT,"
	" license TEXT, found_by TEXT, location TEXT, flags INTEGER NOT NULL, cpe TEXT);"
	"CREATE INDEX package_by_name ON package(name, version);"
	"CREATE TABLE dbbuild(id INTEGER PRIMARY KEY, built_at TEXT NOT NULL UNIQUE,"
	" first_used TEXT NOT NULL);"
	"CREATE TABLE pkglist(id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE,"
	" os_id INTEGER NOT NULL REFERENCES os(id), npkgs INTEGER NOT NULL, created TEXT NOT NULL,"
	" dbbuild_id INTEGER REFERENCES dbbuild(id));"
	"CREATE TABLE pkglist_item(pkglist_id INTEGER NOT NULL REFERENCES pkglist(id),"
	" package_id INTEGER NOT NULL REFERENCES package(id), layer INTEGER NOT NULL,"
	" PRIMARY KEY(pkglist_id, package_id, layer)) WITHOUT ROWID;"
	"CREATE INDEX pkglist_item_by_package ON pkglist_item(package_id);"
	"CREATE TABLE image(id INTEGER PRIMARY KEY, digest TEXT NOT NULL UNIQUE, os TEXT,"
	" architecture TEXT, variant TEXT, created TEXT, source_type TEXT,"
	" pkglist_id INTEGER REFERENCES pkglist(id), first_seen TEXT NOT NULL,"
	" last_seen TEXT NOT NULL);"
	"CREATE INDEX image_by_pkglist ON image(pkglist_id);"
	"CREATE TABLE image_layer(image_id INTEGER NOT NULL REFERENCES image(id),"
	" position INTEGER NOT NULL, layer_id INTEGER NOT NULL REFERENCES layer(id),"
	" PRIMARY KEY(image_id, position)) WITHOUT ROWID;"
	"CREATE INDEX image_layer_by_layer ON image_layer(layer_id);"
	"CREATE TABLE image_ref(image_id INTEGER NOT NULL REFERENCES image(id), kind TEXT NOT NULL,"
	" ref TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"
	" PRIMARY KEY(image_id, kind, ref)) WITHOUT ROWID;"
	"CREATE INDEX image_ref_by_ref ON image_ref(ref);"
	"CREATE TABLE pkglist_match(pkglist_id INTEGER NOT NULL REFERENCES pkglist(id),"
	" dbbuild_id INTEGER NOT NULL REFERENCES dbbuild(id), matched_at TEXT NOT NULL,"
	" PRIMARY KEY(pkglist_id, dbbuild_id)) WITHOUT ROWID;"
	"CREATE TABLE finding(dbbuild_id INTEGER NOT NULL REFERENCES dbbuild(id),"
	" os_id INTEGER NOT NULL REFERENCES os(id), package_id INTEGER NOT NULL REFERENCES package(id),"
	" vuln TEXT NOT NULL, severity INTEGER NOT NULL, kev INTEGER NOT NULL, epss REAL, cvss REAL,"
	" fixed TEXT, status TEXT, aliases TEXT,"
	" PRIMARY KEY(dbbuild_id, os_id, package_id, vuln)) WITHOUT ROWID;"
	"CREATE INDEX finding_by_vuln ON finding(vuln);"
	"CREATE TABLE vuln_alias(alias TEXT NOT NULL, vuln TEXT NOT NULL,"
	" PRIMARY KEY(alias, vuln)) WITHOUT ROWID;"
	"CREATE TABLE snapshot(id INTEGER PRIMARY KEY, source TEXT NOT NULL, taken_at TEXT NOT NULL,"
	" containers INTEGER NOT NULL, added INTEGER NOT NULL DEFAULT 0,"
	" gone INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE container(id INTEGER PRIMARY KEY, source TEXT NOT NULL, cid TEXT NOT NULL,"
	" name TEXT, namespace TEXT, pod TEXT, node TEXT, owner TEXT, image_ref TEXT,"
	" image_digest TEXT, labels TEXT, state TEXT NOT NULL, created TEXT, started TEXT,"
	" first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"
	" snapshot_id INTEGER REFERENCES snapshot(id), UNIQUE(source, cid));"
	"CREATE INDEX container_by_image ON container(image_digest);",
	/* 2: the census of exposed services moves into the store */
	"CREATE TABLE census_record(target TEXT NOT NULL, port INTEGER NOT NULL, transport TEXT NOT NULL,"
	" service TEXT, product TEXT, version TEXT, distro TEXT, cpe TEXT, evidence TEXT, time TEXT,"
	" source TEXT, origin TEXT, note TEXT, attrs TEXT, PRIMARY KEY(target, port, transport));"
	"CREATE INDEX census_record_by_product ON census_record(product, version);"
	"CREATE TABLE census_import(id INTEGER PRIMARY KEY, origin TEXT, format TEXT, imported_at TEXT,"
	" records INTEGER, skipped INTEGER, ignored INTEGER);",
	/* 3: the HTTP service (src/lib/service/): API tokens (only their hash) and the job queue */
	"CREATE TABLE api_token(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, scope TEXT NOT NULL,"
	" hash TEXT NOT NULL UNIQUE, created TEXT NOT NULL, last_used TEXT, revoked TEXT);"
	"CREATE TABLE job(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, ref TEXT NOT NULL,"
	" priority INTEGER NOT NULL, state TEXT NOT NULL, image TEXT, error TEXT,"
	" attempts INTEGER NOT NULL DEFAULT 0, not_before TEXT NOT NULL, lease_until TEXT, worker TEXT,"
	" created TEXT NOT NULL, updated TEXT NOT NULL);"
	"CREATE INDEX job_ready ON job(state, priority, id);",
	/* 4: labels and history: idempotent, new tables only */
	"CREATE TABLE IF NOT EXISTS image_label(image_id INTEGER NOT NULL, key TEXT NOT NULL,"
	" value TEXT NOT NULL, PRIMARY KEY(image_id, key)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS image_label_by_key ON image_label(key, value);"
	"CREATE TABLE IF NOT EXISTS fleet_summary(id INTEGER PRIMARY KEY, time TEXT NOT NULL, group_by TEXT NOT NULL, grp TEXT,"
	" images INTEGER NOT NULL, vulnerabilities INTEGER NOT NULL, vulns_median REAL NOT NULL,"
	" vulns_p90 REAL NOT NULL, new_findings INTEGER NOT NULL, fixed_findings INTEGER NOT NULL,"
	" kev_images INTEGER NOT NULL, critical_images INTEGER NOT NULL, fixable_images INTEGER NOT NULL,"
	" containers_running INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS fleet_summary_by_time ON fleet_summary(time);",
	/* 5: notifications (webhooks, the findings last reported per image, events, deliveries) and
	 * the keys of scheduled rescans; new tables only */
	"CREATE TABLE IF NOT EXISTS webhook(id INTEGER PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL,"
	" events TEXT NOT NULL, all_images INTEGER NOT NULL, format TEXT NOT NULL, created TEXT NOT NULL,"
	" removed TEXT);"
	"CREATE TABLE IF NOT EXISTS notify_seen(image_id INTEGER NOT NULL, vuln TEXT NOT NULL, pkg TEXT NOT NULL,"
	" kev INTEGER NOT NULL, severity INTEGER NOT NULL, PRIMARY KEY(image_id, vuln, pkg)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS notify_event(id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE,"
	" type TEXT NOT NULL, image TEXT NOT NULL, created TEXT NOT NULL, body TEXT NOT NULL, slack TEXT);"
	"CREATE TABLE IF NOT EXISTS webhook_delivery(id INTEGER PRIMARY KEY,"
	" webhook_id INTEGER NOT NULL REFERENCES webhook(id), event_id INTEGER NOT NULL"
	" REFERENCES notify_event(id), state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	" not_before TEXT NOT NULL, lease_until TEXT, worker TEXT, status INTEGER, error TEXT,"
	" created TEXT NOT NULL, updated TEXT NOT NULL, delivered TEXT, UNIQUE(webhook_id, event_id));"
	"CREATE INDEX IF NOT EXISTS webhook_delivery_ready ON webhook_delivery(state, not_before);"
	"CREATE TABLE IF NOT EXISTS schedule_slot(key TEXT PRIMARY KEY, created TEXT NOT NULL);",
};
#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

#define SUMMARY_COLS "time, group_by, grp, images, vulnerabilities, vulns_median, vulns_p90, new_findings,"\
	" fixed_findings, kev_images, critical_images, fixable_images, containers_running"
#define CONTAINER_COLS                                                                             \
	"c.source, c.cid, c.name, c.namespace, c.pod, c.node, c.owner, c.image_ref, c.image_digest,"  \
	" c.labels, c.state, c.created, c.started, c.first_seen, c.last_seen"
#define FINDING_COLS                                                                               \
	"f.vuln, f.severity, f.kev, f.epss, f.cvss, f.fixed, f.status, f.aliases, p.type, p.name,"    \
	" p.version, it.layer, p.purl, p.source_name"
/* current findings: the list's current build, its OS, its packages */
#define CURRENT_JOIN                                                                               \
	" JOIN pkglist pl ON pl.id = i.pkglist_id JOIN pkglist_item it ON it.pkglist_id = pl.id"       \
	" JOIN finding f ON f.dbbuild_id = pl.dbbuild_id AND f.os_id = pl.os_id"                      \
	" AND f.package_id = it.package_id JOIN package p ON p.id = it.package_id"
/* CROSS JOIN: SQLite keeps that order (the list's items, then their findings by primary key);
 * left to itself it scanned the findings of the build per image (5.5 s -> 0.25 s for 1,700 images) */
#define IMAGE_COLS                                                                                 \
	"i.id, i.digest, i.os, i.architecture, i.variant, i.created, i.source_type, i.first_seen,"    \
	" i.last_seen, pl.npkgs, d.built_at, (SELECT count(*) FROM image_layer l WHERE"               \
	" l.image_id = i.id), o.os_id, o.version_id, (SELECT count(DISTINCT f.vuln) FROM pkglist_item" \
	" it CROSS JOIN finding f ON f.dbbuild_id = pl.dbbuild_id AND f.os_id = pl.os_id AND"         \
	" f.package_id = it.package_id WHERE it.pkglist_id = pl.id) FROM image i LEFT JOIN pkglist pl ON" \
	" pl.id = i.pkglist_id LEFT JOIN dbbuild d ON d.id = pl.dbbuild_id LEFT JOIN os o ON"         \
	" o.id = pl.os_id"
#define PRUNE_IMAGE_COND                                                                           \
	"i.last_seen < ?1 AND NOT EXISTS (SELECT 1 FROM image_ref r WHERE r.image_id = i.id)"         \
	" AND NOT EXISTS (SELECT 1 FROM container c WHERE c.image_digest = i.digest)"

/* column k of a row of a JSON-array parameter (json_each's value) */
#define J(k) "json_extract(value, '$[" #k "]')"
#define JJ(k) "json_extract(j.value, '$[" #k "]')"

static const char *const sql[LD_SQ_COUNT] = {
	[LD_SQ_OS_GET] = "SELECT id FROM os WHERE hash = ?1",
	[LD_SQ_OS_INSERT] = "INSERT INTO os(hash, os_id, version_id, version, codename, name, pretty_name,"
			    " id_like) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING"
			    " RETURNING id",
	[LD_SQ_PKGLIST_GET] = "SELECT id FROM pkglist WHERE hash = ?1",
	[LD_SQ_PKGLIST_INSERT] = "INSERT INTO pkglist(hash, os_id, npkgs, created) VALUES(?1, ?2, ?3, ?4)"
				 " ON CONFLICT DO NOTHING RETURNING id",
	[LD_SQ_IMAGE_GET] = "SELECT id, pkglist_id FROM image WHERE digest = ?1",
	[LD_SQ_IMAGE_INSERT] = "INSERT INTO image(digest, os, architecture, variant, created, source_type,"
			       " pkglist_id, first_seen, last_seen) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
			       " ?8) ON CONFLICT DO NOTHING RETURNING id",
	[LD_SQ_IMAGE_SEEN] = "UPDATE image SET last_seen = ?2 WHERE id = ?1 AND last_seen < ?2",
	[LD_SQ_IMAGE_BY_REF] = "SELECT i.id FROM image i WHERE i.digest = ?1 UNION SELECT r.image_id FROM"
			       " image_ref r WHERE r.ref = ?1",
	[LD_SQ_IMAGE_BY_MANIFEST] = "SELECT i.digest FROM image_ref r JOIN image i ON i.id = r.image_id"
				    " WHERE r.ref = ?1 AND r.kind = 'manifest'",
	[LD_SQ_DBBUILD_GET] = "SELECT id FROM dbbuild WHERE built_at = ?1",
	[LD_SQ_DBBUILD_INSERT] = "INSERT INTO dbbuild(built_at, first_used) VALUES(?1, ?2) ON CONFLICT"
				 " DO NOTHING RETURNING id",
	[LD_SQ_MATCH_GET] = "SELECT 1 FROM pkglist_match WHERE pkglist_id = ?1 AND dbbuild_id = ?2",
	[LD_SQ_MATCH_INSERT] = "INSERT INTO pkglist_match(pkglist_id, dbbuild_id, matched_at)"
			       " VALUES(?1, ?2, ?3) ON CONFLICT DO NOTHING",
	[LD_SQ_PKGLIST_CURRENT] = "UPDATE pkglist SET dbbuild_id = ?2 WHERE id = ?1",
	[LD_SQ_FINDINGS_INSERT_MANY] =
		"INSERT INTO finding(dbbuild_id, os_id, package_id, vuln, severity, kev, epss, cvss, fixed, status,"
		" aliases) SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value,"
		" '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'),"
		" json_extract(value, '$[6]'), json_extract(value, '$[7]'), json_extract(value, '$[8]'),"
		" json_extract(value, '$[9]') FROM json_each(?2) WHERE true ON CONFLICT DO NOTHING",
	[LD_SQ_MATCH_INSERT_MANY] = "INSERT INTO pkglist_match(pkglist_id, dbbuild_id, matched_at) SELECT value, ?2, ?3"
				    " FROM json_each(?1) WHERE true ON CONFLICT DO NOTHING",
	[LD_SQ_PKGLIST_CURRENT_MANY] = "UPDATE pkglist SET dbbuild_id = ?2 WHERE id IN (SELECT value FROM json_each(?1))",
	[LD_SQ_SNAPSHOT_INSERT] = "INSERT INTO snapshot(source, taken_at, containers) VALUES(?1, ?2, ?3)"
				  " RETURNING id",
	[LD_SQ_CONTAINER_GONE] = "UPDATE container SET state = 'gone' WHERE source = ?1 AND state <> 'gone'"
				 " AND (snapshot_id IS NULL OR snapshot_id <> ?2) AND last_seen <= ?3",
	[LD_SQ_SNAPSHOT_COUNTS] = "UPDATE snapshot SET added = ?2, gone = ?3 WHERE id = ?1",
	[LD_SQ_LIST_IMAGES] = "SELECT " IMAGE_COLS " ORDER BY i.digest",
	[LD_SQ_IMAGE_ROW] = "SELECT " IMAGE_COLS " WHERE i.id = ?1",
	[LD_SQ_LIST_REFS] = "SELECT image_id, kind, ref, first_seen, last_seen FROM image_ref"
			    " ORDER BY image_id, kind DESC, ref",
	[LD_SQ_REFS_OF_IMAGE] = "SELECT image_id, kind, ref, first_seen, last_seen FROM image_ref"
				" WHERE image_id = ?1 ORDER BY kind DESC, ref",
	[LD_SQ_LIST_CONTAINERS] = "SELECT " CONTAINER_COLS " FROM container c ORDER BY c.source, c.cid",
	[LD_SQ_LIST_LAYERS] = "SELECT l.digest, l.blob_digest, l.media_type, l.size, l.first_seen,"
			      " l.last_seen, (SELECT count(DISTINCT image_id) FROM image_layer il WHERE"
			      " il.layer_id = l.id) FROM layer l ORDER BY l.digest",
	[LD_SQ_IMAGE_FINDINGS] = "SELECT i.id, " FINDING_COLS " FROM image i" CURRENT_JOIN
				 " WHERE i.id = ?1 ORDER BY f.kev DESC, f.severity DESC, f.vuln, p.name",
	[LD_SQ_IMAGES_BY_VULN] = "SELECT i.id, " FINDING_COLS " FROM finding f JOIN pkglist pl ON"
				 " pl.dbbuild_id = f.dbbuild_id AND pl.os_id = f.os_id JOIN pkglist_item"
				 " it ON it.pkglist_id = pl.id AND it.package_id = f.package_id JOIN image"
				 " i ON i.pkglist_id = pl.id JOIN package p ON p.id = f.package_id WHERE"
				 " f.vuln IN (SELECT ?1 UNION SELECT vuln FROM vuln_alias WHERE alias = ?1)"
				 " ORDER BY i.id",
	[LD_SQ_IMAGES_BY_PACKAGE] = "SELECT DISTINCT i.id FROM package p JOIN pkglist_item it ON"
				    " it.package_id = p.id JOIN image i ON i.pkglist_id = it.pkglist_id"
				    " WHERE p.name = ?1 AND (?2 IS NULL OR p.version = ?2) AND (?3 IS NULL"
				    " OR p.type = ?3) ORDER BY i.id",
	[LD_SQ_IMAGES_BY_KEV] = "SELECT i.id, " FINDING_COLS " FROM image i" CURRENT_JOIN
				" WHERE f.kev <> 0 ORDER BY i.id",
	[LD_SQ_IMAGES_BY_SEVERITY] = "SELECT i.id, " FINDING_COLS " FROM image i" CURRENT_JOIN
				     " WHERE f.severity >= ?1 ORDER BY i.id",
	[LD_SQ_CONTAINERS_OF_IMAGE] = "SELECT " CONTAINER_COLS " FROM container c WHERE c.image_digest IN"
				      " (SELECT digest FROM image WHERE id = ?1 UNION SELECT ref FROM"
				      " image_ref WHERE image_id = ?1 AND kind = 'manifest')"
				      " ORDER BY c.source, c.cid",
	[LD_SQ_IMAGES_BY_IDS] = "SELECT " IMAGE_COLS " WHERE i.id IN (SELECT value FROM json_each(?1))",
	[LD_SQ_REFS_BY_IDS] = "SELECT image_id, kind, ref, first_seen, last_seen FROM image_ref WHERE image_id IN"
			      " (SELECT value FROM json_each(?1)) ORDER BY image_id, kind DESC, ref",
	[LD_SQ_CONTAINERS_BY_DIGESTS] = "SELECT " CONTAINER_COLS " FROM container c WHERE c.image_digest IN (SELECT"
					" value FROM json_each(?1)) ORDER BY c.source, c.cid",
	[LD_SQ_RESCAN_ITEMS] = "SELECT it.pkglist_id, pl.os_id, pl.dbbuild_id, it.package_id, it.layer FROM"
			       " pkglist_item it JOIN pkglist pl ON pl.id = it.pkglist_id WHERE EXISTS"
			       " (SELECT 1 FROM image i WHERE i.pkglist_id = pl.id) ORDER BY it.pkglist_id",
	[LD_SQ_RESCAN_OSES] = "SELECT id, os_id, version_id, version, codename, name, pretty_name, id_like"
			      " FROM os",
	[LD_SQ_RESCAN_PACKAGES] = "SELECT p.id, p.type, p.name, p.version, p.arch, p.purl, p.source_name,"
				  " p.source_version, p.epoch, p.upstream_version, p.release, p.license,"
				  " p.found_by, p.location, p.flags, p.cpe FROM package p WHERE EXISTS"
				  " (SELECT 1 FROM pkglist_item it WHERE it.package_id = p.id)",
	[LD_SQ_FINDINGS_OF_BUILD] = "SELECT os_id, package_id, vuln, severity, kev FROM finding WHERE"
				    " dbbuild_id = ?1",
	[LD_SQ_FLEET_IMAGES] = "SELECT i.id, i.digest, i.created, i.source_type, i.first_seen, i.last_seen,"
			       " pl.dbbuild_id FROM image i LEFT JOIN pkglist pl ON pl.id = i.pkglist_id"
			       " ORDER BY i.digest",
	[LD_SQ_FLEET_LAYERS] = "SELECT il.image_id, il.position, l.digest FROM image_layer il JOIN layer l"
			       " ON l.id = il.layer_id ORDER BY il.image_id, il.position",
	/* a finding once per (build, OS, package) here; the loader gives it to every list with
	   that package (reading it joined per list repeated its text per image) */
	[LD_SQ_FLEET_BUILD_FINDINGS] = "SELECT f.dbbuild_id, f.os_id, f.package_id, f.vuln, f.severity, f.kev, f.epss,"
				       " f.cvss, f.fixed, f.status, f.aliases, p.type, p.name, p.version FROM finding f"
				       " JOIN package p ON p.id = f.package_id WHERE f.dbbuild_id IN (SELECT"
				       " pl.dbbuild_id FROM pkglist pl WHERE EXISTS (SELECT 1 FROM image i WHERE"
				       " i.pkglist_id = pl.id)) ORDER BY f.dbbuild_id, f.os_id, f.package_id, f.vuln",
	[LD_SQ_FLEET_ITEMS] = "SELECT it.pkglist_id, pl.os_id, pl.dbbuild_id, it.package_id, it.layer FROM"
			      " pkglist_item it JOIN pkglist pl ON pl.id = it.pkglist_id WHERE EXISTS (SELECT 1"
			      " FROM image i WHERE i.pkglist_id = pl.id) ORDER BY it.pkglist_id, it.package_id,"
			      " it.layer",
	[LD_SQ_FLEET_CONTAINERS] = "SELECT source, cid, name, namespace, image_ref, image_digest, state, first_seen,"
				   " last_seen FROM container ORDER BY id",
	[LD_SQ_IMAGES_OF_PKGLISTS] = "SELECT id, digest, pkglist_id FROM image WHERE pkglist_id IS NOT NULL"
				     " ORDER BY pkglist_id, digest",
	[LD_SQ_ITEMS_OF_IMAGE] = "SELECT it.pkglist_id, pl.os_id, pl.dbbuild_id, it.package_id, it.layer FROM image i"
				 " JOIN pkglist pl ON pl.id = i.pkglist_id JOIN pkglist_item it ON"
				 " it.pkglist_id = pl.id WHERE i.digest = ?1 ORDER BY it.pkglist_id",
	[LD_SQ_PACKAGES_OF_IMAGE] = "SELECT DISTINCT p.id, p.type, p.name, p.version, p.arch, p.purl, p.source_name,"
				    " p.source_version, p.epoch, p.upstream_version, p.release, p.license,"
				    " p.found_by, p.location, p.flags, p.cpe FROM image i JOIN pkglist_item it ON"
				    " it.pkglist_id = i.pkglist_id JOIN package p ON p.id = it.package_id WHERE"
				    " i.digest = ?1",
	[LD_SQ_PRUNE_REFS] = "DELETE FROM image_ref WHERE last_seen < ?1",
	[LD_SQ_PRUNE_CONTAINERS] = "DELETE FROM container WHERE last_seen < ?1",
	[LD_SQ_PRUNE_IMAGE_LAYERS] = "DELETE FROM image_layer WHERE image_id IN (SELECT i.id FROM image i"
				     " WHERE " PRUNE_IMAGE_COND ")",
	[LD_SQ_PRUNE_IMAGES] = "DELETE FROM image AS i WHERE " PRUNE_IMAGE_COND,
	[LD_SQ_PRUNE_MATCHES] = "DELETE FROM pkglist_match WHERE pkglist_id NOT IN (SELECT pkglist_id FROM"
				" image WHERE pkglist_id IS NOT NULL)",
	[LD_SQ_PRUNE_ITEMS] = "DELETE FROM pkglist_item WHERE pkglist_id NOT IN (SELECT pkglist_id FROM"
			      " image WHERE pkglist_id IS NOT NULL)",
	[LD_SQ_PRUNE_PKGLISTS] = "DELETE FROM pkglist WHERE id NOT IN (SELECT pkglist_id FROM image WHERE"
				 " pkglist_id IS NOT NULL)",
	[LD_SQ_PRUNE_FINDINGS] = "DELETE FROM finding WHERE package_id NOT IN (SELECT package_id FROM"
				 " pkglist_item)",
	[LD_SQ_PRUNE_PACKAGES] = "DELETE FROM package WHERE id NOT IN (SELECT package_id FROM pkglist_item)",
	[LD_SQ_PRUNE_LAYERS] = "DELETE FROM layer WHERE id NOT IN (SELECT layer_id FROM image_layer)",
	[LD_SQ_CHECK] =
		"SELECT 'image_layer rows without their image', count(*) FROM image_layer l WHERE NOT"
		" EXISTS (SELECT 1 FROM image i WHERE i.id = l.image_id)"
		" UNION ALL SELECT 'image_layer rows without their layer', count(*) FROM image_layer l"
		" WHERE NOT EXISTS (SELECT 1 FROM layer y WHERE y.id = l.layer_id)"
		" UNION ALL SELECT 'images whose layer positions have gaps', count(*) FROM image i WHERE"
		" (SELECT count(*) FROM image_layer l WHERE l.image_id = i.id) <> coalesce((SELECT"
		" max(position) + 1 FROM image_layer l WHERE l.image_id = i.id), 0)"
		" UNION ALL SELECT 'image_ref rows without their image', count(*) FROM image_ref r WHERE"
		" NOT EXISTS (SELECT 1 FROM image i WHERE i.id = r.image_id)"
		" UNION ALL SELECT 'images without a package list', count(*) FROM image i WHERE"
		" i.pkglist_id IS NULL OR NOT EXISTS (SELECT 1 FROM pkglist pl WHERE pl.id = i.pkglist_id)"
		" UNION ALL SELECT 'package lists whose item count differs', count(*) FROM pkglist pl"
		" WHERE pl.npkgs <> (SELECT count(*) FROM pkglist_item it WHERE it.pkglist_id = pl.id)"
		" UNION ALL SELECT 'pkglist_item rows without their package', count(*) FROM pkglist_item"
		" it WHERE NOT EXISTS (SELECT 1 FROM package p WHERE p.id = it.package_id)"
		" UNION ALL SELECT 'package lists without their OS', count(*) FROM pkglist pl WHERE NOT"
		" EXISTS (SELECT 1 FROM os o WHERE o.id = pl.os_id)"
		" UNION ALL SELECT 'current matches without their match row', count(*) FROM pkglist pl"
		" WHERE pl.dbbuild_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pkglist_match m WHERE"
		" m.pkglist_id = pl.id AND m.dbbuild_id = pl.dbbuild_id)"
		" UNION ALL SELECT 'findings without their package', count(*) FROM finding f WHERE NOT"
		" EXISTS (SELECT 1 FROM package p WHERE p.id = f.package_id)"
		" UNION ALL SELECT 'findings without their database build', count(*) FROM finding f WHERE"
		" NOT EXISTS (SELECT 1 FROM dbbuild d WHERE d.id = f.dbbuild_id)"
		" UNION ALL SELECT 'containers in an unknown state', count(*) FROM container WHERE state"
		" NOT IN ('running', 'created', 'exited', 'gone')"
		" UNION ALL SELECT 'containers last seen before first seen', count(*) FROM container"
		" WHERE last_seen < first_seen"
		" UNION ALL SELECT 'images last seen before first seen', count(*) FROM image"
		" WHERE last_seen < first_seen",
	[LD_SQ_COUNTS] = "SELECT 'images', count(*) FROM image UNION ALL SELECT 'image references',"
			 " count(*) FROM image_ref UNION ALL SELECT 'layers', count(*) FROM layer"
			 " UNION ALL SELECT 'package lists', count(*) FROM pkglist UNION ALL SELECT"
			 " 'packages', count(*) FROM package UNION ALL SELECT 'database builds',"
			 " count(*) FROM dbbuild UNION ALL SELECT 'findings', count(*) FROM finding"
			 " UNION ALL SELECT 'containers', count(*) FROM container UNION ALL SELECT"
			 " 'snapshots', count(*) FROM snapshot",
	[LD_SQ_CENSUS_PUT] =
		"INSERT INTO census_record(target, port, transport, service, product, version, distro, cpe,"
		" evidence, time, source, origin, note, attrs) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
		" ?11, ?12, ?13, ?14) ON CONFLICT(target, port, transport) DO UPDATE SET service ="
		" excluded.service, product = excluded.product, version = excluded.version, distro ="
		" excluded.distro, cpe = excluded.cpe, evidence = excluded.evidence, time = excluded.time,"
		" source = excluded.source, origin = excluded.origin, note = excluded.note, attrs ="
		" excluded.attrs WHERE coalesce(excluded.time, '') >= coalesce(census_record.time, '')",
	[LD_SQ_CENSUS_NOTE_IMPORT] = "INSERT INTO census_import(origin, format, imported_at, records, skipped,"
				     " ignored) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[LD_SQ_CENSUS_IMPORTED] = "SELECT count(*) FROM census_import WHERE origin = ?1 AND format = ?2",
	[LD_SQ_CENSUS_LOAD] = "SELECT target, port, transport, service, product, version, distro, cpe, evidence,"
			      " time, source, note, attrs FROM census_record ORDER BY product IS NULL, product"
			      ", target, port",
	/* the service (migration 3) */
	[LD_SQ_TOKEN_INSERT] = "INSERT INTO api_token(name, scope, hash, created) VALUES(?1, ?2, ?3, ?4)"
			       " ON CONFLICT DO NOTHING RETURNING id",
	[LD_SQ_TOKEN_BY_HASH] = "SELECT id, name, scope, hash FROM api_token WHERE hash = ?1 AND revoked IS NULL",
	[LD_SQ_TOKEN_LIST] = "SELECT id, name, scope, created, last_used, revoked FROM api_token ORDER BY id",
	[LD_SQ_TOKEN_REVOKE] = "UPDATE api_token SET revoked = ?2 WHERE name = ?1 AND revoked IS NULL",
	[LD_SQ_TOKEN_USED] = "UPDATE api_token SET last_used = ?2 WHERE id = ?1",
	[LD_SQ_JOB_INSERT] = "INSERT INTO job(kind, ref, priority, state, not_before, created, updated)"
			     " VALUES(?1, ?2, ?3, 'queued', ?4, ?4, ?4) RETURNING id",
	[LD_SQ_JOB_GET] = "SELECT id, kind, ref, state, image, error, attempts FROM job WHERE id = ?1",
	[LD_SQ_JOB_CLAIM] = "UPDATE job SET state = 'running', lease_until = ?2, worker = ?3,"
			    " attempts = attempts + 1, updated = ?1 WHERE id = (SELECT id FROM job WHERE kind <> 'rescan' AND"
			    " ((state = 'queued' AND not_before <= ?1) OR (state = 'running' AND lease_until < ?1))"
			    " ORDER BY priority DESC, id LIMIT 1) RETURNING id, kind, ref, attempts",
	[LD_SQ_JOB_HEARTBEAT] = "UPDATE job SET lease_until = ?3 WHERE id = ?1 AND worker = ?2 AND state = 'running'",
	[LD_SQ_JOB_FINISH] = "UPDATE job SET state = ?3, image = ?4, error = ?5, not_before = ?6, updated = ?7,"
			     " lease_until = NULL WHERE id = ?1 AND worker = ?2 AND state = 'running'",
	[LD_SQ_JOB_WAKE] = "SELECT 1",
	[LD_SQ_FLEET_LABELS] = "SELECT image_id, key, value FROM image_label ORDER BY image_id, key",
	[LD_SQ_LABELS_BY_IDS] = "SELECT image_id, key, value FROM image_label WHERE image_id IN (SELECT value FROM json_each(?1))"
				" ORDER BY image_id, key",
	[LD_SQ_PRUNE_LABELS] = "DELETE FROM image_label WHERE image_id NOT IN (SELECT id FROM image)",
	[LD_SQ_SUMMARY_PUT_MANY] = "INSERT INTO fleet_summary(" SUMMARY_COLS ") SELECT " J(0) ", " J(1) ", " J(2) ","
				   " " J(3) ", " J(4) ", " J(5) ", " J(6) ", " J(7) ", " J(8) ", " J(9) ", " J(10) ","
				   " " J(11) ", " J(12) " FROM json_each(?1)",
	[LD_SQ_SUMMARY_LIST] = "SELECT " SUMMARY_COLS " FROM fleet_summary ORDER BY time, id",
	[LD_SQ_SUMMARY_LAST] = "SELECT max(time) FROM fleet_summary HAVING count(*) > 0",
	/* notifications and scheduled rescans (migration 5) */
	[LD_SQ_WEBHOOK_INSERT] = "INSERT INTO webhook(url, secret, events, all_images, format, created)"
				 " VALUES(?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
	[LD_SQ_WEBHOOK_LIST] = "SELECT id, url, events, all_images, format, created FROM webhook"
			       " WHERE removed IS NULL ORDER BY id",
	[LD_SQ_WEBHOOK_REMOVE] = "UPDATE webhook SET removed = ?2 WHERE id = ?1 AND removed IS NULL",
	[LD_SQ_XACT_LOCK] = "SELECT ?1",
	[LD_SQ_NOTIFY_RUNNING] = "SELECT i.id, count(DISTINCT c.id) FROM container c JOIN (SELECT id, digest AS d"
				 " FROM image UNION ALL SELECT image_id, ref FROM image_ref WHERE kind = 'manifest')"
				 " i ON i.d = c.image_digest WHERE c.state = 'running' GROUP BY i.id",
	/* CROSS JOIN fixes the order (images, their list's items, findings by primary key): left to
	   itself SQLite scanned every item per finding (47 s -> 0.4 s for 6,000 images) */
	[LD_SQ_NOTIFY_CURRENT] = "SELECT i.id, i.digest, " FINDING_COLS " FROM image i CROSS JOIN pkglist pl ON"
				 " pl.id = i.pkglist_id CROSS JOIN pkglist_item it ON it.pkglist_id = pl.id CROSS JOIN"
				 " finding f ON f.dbbuild_id = pl.dbbuild_id AND f.os_id = pl.os_id AND f.package_id ="
				 " it.package_id JOIN package p ON p.id = it.package_id WHERE ?1 IS NULL OR i.id = ?1",
	[LD_SQ_NOTIFY_SEEN] = "SELECT image_id, vuln, pkg, kev, severity FROM notify_seen",
	[LD_SQ_NOTIFY_SEEN_OF] = "SELECT image_id, vuln, pkg, kev, severity FROM notify_seen WHERE image_id = ?1",
	[LD_SQ_NOTIFY_SEEN_CLEAR_MANY] = "DELETE FROM notify_seen WHERE image_id IN (SELECT value FROM json_each(?1))",
	[LD_SQ_NOTIFY_SEEN_CLEAR_ALL] = "DELETE FROM notify_seen",
	[LD_SQ_NOTIFY_SEEN_PUT_ALL] = "INSERT INTO notify_seen(image_id, vuln, pkg, kev, severity) SELECT"
				      " json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value,"
				      " '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]') FROM"
				      " json_each(?1) WHERE true ON CONFLICT DO NOTHING",
	[LD_SQ_NOTIFY_SEEN_PRUNE] = "DELETE FROM notify_seen WHERE image_id NOT IN (SELECT id FROM image)",
	[LD_SQ_EVENT_INSERT_MANY] = "INSERT INTO notify_event(uid, type, image, created, body, slack) SELECT"
				    " json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value,"
				    " '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]'),"
				    " json_extract(value, '$[5]') FROM json_each(?1) WHERE true",
	[LD_SQ_DELIVERY_INSERT_MANY] = "INSERT INTO webhook_delivery(webhook_id, event_id, state, not_before, created,"
				       " updated) SELECT json_extract(d.value, '$[0]'), e.id, 'queued', ?2, ?2, ?2 FROM"
				       " json_each(?1) d JOIN notify_event e ON e.uid = json_extract(d.value, '$[1]')"
				       " WHERE true ON CONFLICT DO NOTHING",
	[LD_SQ_DELIVERY_CLAIM] = "UPDATE webhook_delivery SET state = 'running', lease_until = ?2, worker = ?3,"
				 " attempts = attempts + 1, updated = ?1 WHERE id = (SELECT d.id FROM"
				 " webhook_delivery d JOIN webhook w ON w.id = d.webhook_id WHERE w.removed IS NULL"
				 " AND ((d.state = 'queued' AND d.not_before <= ?1) OR (d.state = 'running' AND"
				 " d.lease_until < ?1)) ORDER BY d.id LIMIT 1) RETURNING id, attempts",
	[LD_SQ_DELIVERY_LOAD] = "SELECT w.url, w.secret, w.format, e.uid, e.type, e.created, e.body, e.slack FROM"
				" webhook_delivery d JOIN webhook w ON w.id = d.webhook_id JOIN notify_event e ON"
				" e.id = d.event_id WHERE d.id = ?1",
	[LD_SQ_DELIVERY_FINISH] = "UPDATE webhook_delivery SET state = ?3, status = ?4, error = ?5, not_before = ?6,"
				  " updated = ?7, delivered = ?8, lease_until = NULL WHERE id = ?1 AND worker = ?2"
				  " AND state = 'running'",
	[LD_SQ_DELIVERY_LIST] = "SELECT d.id, d.webhook_id, w.url, e.uid, e.type, e.image, d.state, d.attempts,"
				" d.status, d.error, d.created, d.updated, d.delivered, d.not_before FROM"
				" webhook_delivery d JOIN webhook w ON w.id = d.webhook_id JOIN notify_event e ON"
				" e.id = d.event_id WHERE ?1 IS NULL OR d.webhook_id = ?1 ORDER BY d.id DESC LIMIT ?2",
	[LD_SQ_DELIVERY_REQUEUE] = "UPDATE webhook_delivery SET state = 'queued', attempts = 0, not_before = ?2,"
				   " updated = ?2 WHERE state = 'failed' AND (?1 IS NULL OR id = ?1)",
	[LD_SQ_SCHEDULE_SLOT] = "INSERT INTO schedule_slot(key, created) VALUES(?1, ?2) ON CONFLICT DO NOTHING"
				" RETURNING 1",
	[LD_SQ_PRUNE_DELIVERIES] = "DELETE FROM webhook_delivery WHERE state IN ('done', 'failed') AND updated < ?1",
	[LD_SQ_PRUNE_EVENTS] = "DELETE FROM notify_event WHERE created < ?1 AND id NOT IN (SELECT event_id FROM"
			       " webhook_delivery)",
	[LD_SQ_PRUNE_SLOTS] = "DELETE FROM schedule_slot WHERE created < ?1",
	[LD_SQ_JOB_CLAIM_RESCAN] = "UPDATE job SET state = 'running', lease_until = ?2, worker = ?3,"
				   " attempts = attempts + 1, updated = ?1 WHERE id = (SELECT id FROM job WHERE"
				   " kind = 'rescan' AND ((state = 'queued' AND not_before <= ?1) OR (state ="
				   " 'running' AND lease_until < ?1)) AND (SELECT count(*) FROM job WHERE kind ="
				   " 'rescan' AND state = 'running' AND lease_until >= ?1) < ?4 ORDER BY priority"
				   " DESC, id LIMIT 1) RETURNING id, kind, ref, attempts",
	/* many rows per statement (batch.c) */
	[LD_SQ_PKG_INSERT_MANY] =
		"INSERT INTO package(hash, type, name, version, arch, purl, source_name, source_version, epoch,"
		" upstream_version, release, license, found_by, location, flags, cpe) SELECT " J(0) ","
		J(1) ", " J(2) ", " J(3) ", " J(4) ", " J(5) ", " J(6) ", " J(7) ", " J(8) ", " J(9) ","
		J(10) ", " J(11) ", " J(12) ", " J(13) ", " J(14) ", " J(15)
		" FROM json_each(?1) WHERE NOT EXISTS (SELECT 1 FROM package p WHERE p.hash = " J(0) ")"
		" ON CONFLICT DO NOTHING",
	[LD_SQ_PKG_IDS_MANY] =
		"SELECT hash, id FROM package WHERE hash IN (SELECT value FROM json_each(?1))",
	[LD_SQ_PKGLIST_ITEM_MANY] =
		"INSERT INTO pkglist_item(pkglist_id, package_id, layer) SELECT ?1, " J(0) ","
		J(1) " FROM json_each(?2)"
		" WHERE true ON CONFLICT DO NOTHING",
	[LD_SQ_ALIAS_INSERT_MANY] =
		"INSERT INTO vuln_alias(alias, vuln) SELECT " J(0) ", " J(1) " FROM json_each(?1) WHERE true"
		" ON CONFLICT DO NOTHING",
	[LD_SQ_LAYER_PUT_MANY] =
		"INSERT INTO layer(digest, blob_digest, media_type, size, first_seen, last_seen) SELECT " J(0) ","
		J(1) ", " J(2) ", " J(3) ", ?1, ?1 FROM json_each(?2) WHERE true ON CONFLICT(digest) DO UPDATE"
		" SET last_seen = excluded.last_seen WHERE layer.last_seen < excluded.last_seen",
	[LD_SQ_IMAGE_LAYER_MANY] =
		"INSERT INTO image_layer(image_id, position, layer_id) SELECT ?1, " JJ(0) ", l.id FROM json_each(?2) j"
		" CROSS JOIN layer l ON l.digest = " JJ(1) " WHERE true ON CONFLICT DO NOTHING",
	[LD_SQ_IMAGE_LABEL_PUT_MANY] =
		"INSERT INTO image_label(image_id, key, value) SELECT ?1, " J(0) ","
		J(1) " FROM json_each(?2)"
		" WHERE true ON CONFLICT DO NOTHING",
	[LD_SQ_REF_UPSERT_MANY] =
		"INSERT INTO image_ref(image_id, kind, ref, first_seen, last_seen) SELECT ?1, " J(0) ","
		J(1) ", ?2, ?2 FROM"
		" json_each(?3) WHERE true ON CONFLICT(image_id, kind, ref) DO UPDATE SET last_seen = excluded.last_seen"
		" WHERE excluded.last_seen > image_ref.last_seen",
	[LD_SQ_CONTAINER_MAX_ID] =
		"SELECT max(id) FROM container",
	[LD_SQ_CONTAINER_UPSERT_MANY] =
		"INSERT INTO container(source, cid, name, namespace, pod, node, owner, image_ref, image_digest,"
		" labels, state, created, started, first_seen, last_seen, snapshot_id) SELECT " J(0) ","
		J(1) ", " J(2) ", " J(3) ", " J(4) ", " J(5) ", " J(6) ", " J(7) ", " J(8) ", " J(9) ","
		J(10) ", " J(11) ", " J(12) ","
		" ?1, ?1, ?2 FROM json_each(?4) WHERE true ON CONFLICT(source, cid) DO UPDATE SET name ="
		" excluded.name, namespace = excluded.namespace, pod = excluded.pod, node = excluded.node, owner ="
		" excluded.owner, image_ref = excluded.image_ref, image_digest = excluded.image_digest, labels ="
		" excluded.labels, state = excluded.state, created = excluded.created, started = excluded.started,"
		" last_seen = excluded.last_seen, snapshot_id = excluded.snapshot_id WHERE excluded.last_seen >="
		" container.last_seen"
		/* writers are serialized: ids above the highest before the statement are new rows */
		" RETURNING id > coalesce(?3, 0)",
};

static int sq_err(ld_store *s, int rc, const char *what)
{
	sq_state *b = s->be;
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return LD_STORE_ERETRY;
	return ld_error_set(s->ctx, LADING_EDB, "store %s: %s: %s", s->target, what,
			    b && b->db ? sqlite3_errmsg(b->db) : sqlite3_errstr(rc));
}

static int mkdir_parents(const char *path)
{
	char tmp[LD_STORE_URL_MAX];
	ld_strlcpy(tmp, path, sizeof(tmp));
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* SQLite's default busy handler sleeps up to 100 ms between tries: two writers taking turns
 * (inventory add --jobs, two processes) then spend most of their time asleep. Short sleeps
 * instead, up to the same total. */
static int sq_busy(void *opaque, int count)
{
	struct timespec ts = {0, 500000L}; /* 0.5 ms */
	(void)opaque;
	if ((long)count * 5 >= (long)LD_STORE_BUSY_MS * 10) /* count x 0.5 ms >= the timeout */
		return 0;
	nanosleep(&ts, NULL);
	return 1;
}

static int sq_open(ld_store *s, const char *target)
{
	sq_state *b = calloc(1, sizeof(*b));
	int rc;

	if (!b)
		return ld_error_set(s->ctx, LADING_ENOMEM, "out of memory");
	s->be = b;
	ld_strlcpy(b->path, target, sizeof(b->path));
	if (mkdir_parents(target) != 0)
		return ld_error_set_path(s->ctx, LADING_EIO, target, 0, "cannot create the folder of %s: %s",
					 target, strerror(errno));
	rc = sqlite3_open_v2(target, &b->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK)
		return ld_error_set_path(s->ctx, LADING_EDB, target, 0, "cannot open the store %s: %s", target,
					 b->db ? sqlite3_errmsg(b->db) : sqlite3_errstr(rc));
	sqlite3_busy_handler(b->db, sq_busy, NULL);
	sqlite3_extended_result_codes(b->db, 0);
	return 0;
}

static void sq_close(ld_store *s)
{
	sq_state *b = s->be;
	if (!b)
		return;
	for (size_t i = 0; i < LD_SQ_COUNT; i++)
		sqlite3_finalize(b->st[i]);
	sqlite3_close(b->db);
	free(b);
	s->be = NULL;
}

static int sq_simple(ld_store *s, const char *text, const char *what)
{
	sq_state *b = s->be;
	int rc = sqlite3_exec(b->db, text, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : sq_err(s, rc, what);
}

/* The schema version of the file: 0 for an empty file; -1 (error set) when it is not a store. */
static int sq_version(ld_store *s, int *out)
{
	sq_state *b = s->be;
	sqlite3_stmt *st = NULL;
	int rc, tables = 0, has_meta = 0, legacy = 0;

	*out = 0;
	rc = sqlite3_prepare_v2(b->db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sq_err(s, rc, "not a SQLite file, or not readable");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0);
		tables++;
		if (n && !strcmp(n, "schema_migration"))
			has_meta = 1;
		else if (n && (!strcmp(n, "records") || !strcmp(n, "imports") || !strcmp(n, "meta")))
			legacy++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sq_err(s, rc, "reading the schema");
	/* empty, or a census file of the old format: it becomes a store (its records are imported
	   by the census, census/store.c) */
	if (!tables || (!has_meta && legacy == tables))
		return 0;
	if (!has_meta)
		return ld_error_set_path(s->ctx, LADING_EINVALID, b->path, 0,
					 "%s is a SQLite file but not a lading store (no schema_migration table);"
					 " name another file with --store",
					 b->path);
	rc = sqlite3_prepare_v2(b->db, "SELECT coalesce(max(version), 0) FROM schema_migration", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sq_err(s, rc, "reading the schema version");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : sq_err(s, rc, "reading the schema version");
}

static int sq_apply(ld_store *s, unsigned v)
{
	sq_state *b = s->be;
	sqlite3_stmt *st = NULL;
	char now[32];
	int rc, cur;

	if ((rc = sq_simple(s, "BEGIN IMMEDIATE", "begin")))
		return rc;
	/* another process may have migrated while we waited for the lock */
	if ((rc = sq_version(s, &cur)))
		goto fail;
	if ((unsigned)cur >= v) {
		sq_simple(s, "COMMIT", "commit");
		return 0;
	}
	if ((rc = sq_simple(s, migrations[v - 1], "migration")))
		goto fail;
	ld_store_now(now);
	rc = sqlite3_prepare_v2(b->db,
				"INSERT INTO schema_migration(version, applied_at, lading_version) VALUES(?1, ?2, ?3)",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int(st, 1, (int)v);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, LADING_VERSION, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(b->db);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_OK) {
		rc = sq_err(s, rc, "recording the migration");
		goto fail;
	}
	return sq_simple(s, "COMMIT", "commit");
fail:
	sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* One attempt at bringing the file to this schema; LD_STORE_ERETRY when another process holds a
 * lock that the busy handler cannot wait for (a reader and a writer both upgrading, as two
 * processes creating one new store do). */
static int sq_migrate_once(ld_store *s)
{
	int rc, v;

	/* read the version before anything writes: a newer store is left exactly as it is */
	if ((rc = sq_version(s, &v)))
		return rc;
	if (v > LD_STORE_SCHEMA_VERSION)
		return ld_error_set_path(s->ctx, LADING_EUNSUPPORTED, s->target, 0,
					 "the store %s has schema version %d, written by a newer lading (this one"
					 " knows up to %d): upgrade lading; the store was not modified",
					 s->target, v, LD_STORE_SCHEMA_VERSION);
	if ((rc = sq_simple(s, "PRAGMA journal_mode=WAL", "WAL")) ||
	    (rc = sq_simple(s, "PRAGMA synchronous=NORMAL", "synchronous")) ||
	    (rc = sq_simple(s, "PRAGMA foreign_keys=ON", "foreign keys")) ||
	    /* reads through a mapping instead of a pread and a copy per page (22 % of a large
	     * query's time; a larger page cache instead cost more in zeroed pages than it saved),
	     * sorts in memory rather than in temp files */
	    (rc = sq_simple(s, "PRAGMA mmap_size=" SQ_MMAP_BYTES, "mmap")) ||
	    (rc = sq_simple(s, "PRAGMA temp_store=MEMORY", "temp store")))
		return rc;
	if (v == 0 && (rc = sq_simple(s,
				     "CREATE TABLE IF NOT EXISTS schema_migration(version INTEGER PRIMARY KEY,"
				     " applied_at TEXT NOT NULL, lading_version TEXT NOT NULL)",
				     "schema")))
		return rc;
	for (unsigned m = (unsigned)v + 1; m <= NMIGRATIONS; m++)
		if ((rc = sq_apply(s, m)))
			return rc;
	s->schema = (int)NMIGRATIONS;
	return 0;
}

/* Every step of the migration is idempotent (versions are read again inside each migration's
 * transaction), so a lost lock race is retried with a short randomised wait, within the busy
 * timeout. */
static int sq_migrate(ld_store *s)
{
	unsigned waited_ms = 0, seed = (unsigned)getpid();
	int rc;
	while ((rc = sq_migrate_once(s)) == LD_STORE_ERETRY && waited_ms < LD_STORE_BUSY_MS) {
		unsigned ms = 5 + (unsigned)(rand_r(&seed) % 20);
		struct timespec ts = {0, (long)ms * 1000000L};
		nanosleep(&ts, NULL);
		waited_ms += ms;
	}
	return rc == LD_STORE_ERETRY ? sq_err(s, SQLITE_ERROR, "the store is locked (migration)") : rc;
}

static int sq_begin(ld_store *s)
{
	return sq_simple(s, "BEGIN IMMEDIATE", "begin");
}

static int sq_commit(ld_store *s)
{
	return sq_simple(s, "COMMIT", "commit");
}

static void sq_rollback(ld_store *s)
{
	sq_state *b = s->be;
	if (b && b->db && !sqlite3_get_autocommit(b->db))
		sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
}

static int sq_bind(sqlite3_stmt *st, const ld_sv *p, size_t np)
{
	int rc = SQLITE_OK;
	for (size_t i = 0; i < np && rc == SQLITE_OK; i++) {
		int k = (int)i + 1;
		switch (p[i].t) {
		case LD_SV_NULL: rc = sqlite3_bind_null(st, k); break;
		case LD_SV_INT: rc = sqlite3_bind_int64(st, k, p[i].i); break;
		case LD_SV_REAL: rc = sqlite3_bind_double(st, k, p[i].d); break;
		case LD_SV_TEXT: rc = sqlite3_bind_text(st, k, p[i].s, (int)p[i].n, SQLITE_STATIC); break;
		}
	}
	return rc;
}

static void sq_row(sqlite3_stmt *st, ld_sv *cols, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int k = (int)i;
		memset(&cols[i], 0, sizeof(cols[i]));
		switch (sqlite3_column_type(st, k)) {
		case SQLITE_NULL: cols[i].t = LD_SV_NULL; break;
		case SQLITE_INTEGER:
			cols[i].t = LD_SV_INT;
			cols[i].i = sqlite3_column_int64(st, k);
			break;
		case SQLITE_FLOAT:
			cols[i].t = LD_SV_REAL;
			cols[i].d = sqlite3_column_double(st, k);
			break;
		default:
			cols[i].t = LD_SV_TEXT;
			cols[i].s = (const char *)sqlite3_column_text(st, k);
			cols[i].n = (size_t)sqlite3_column_bytes(st, k);
			if (!cols[i].s)
				cols[i].t = LD_SV_NULL;
			break;
		}
	}
}

static int sq_exec(ld_store *s, ld_sq q, const ld_sv *p, size_t np, ld_store_row_fn fn, void *opaque,
		   int64_t *changes)
{
	sq_state *b = s->be;
	sqlite3_stmt *st;
	ld_sv cols[LD_STORE_MAX_COLS];
	int rc, stop = 0;

	if (q >= LD_SQ_COUNT || !sql[q] || np > LD_STORE_MAX_PARAMS)
		return ld_error_set(s->ctx, LADING_EUSAGE, "store: no statement %d", (int)q);
	if (!b->st[q] && (rc = sqlite3_prepare_v3(b->db, sql[q], -1, SQLITE_PREPARE_PERSISTENT, &b->st[q],
						  NULL)) != SQLITE_OK)
		return sq_err(s, rc, "prepare");
	st = b->st[q];
	if ((rc = sq_bind(st, p, np)) != SQLITE_OK) {
		sqlite3_reset(st);
		return sq_err(s, rc, "bind");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_count(st);
		if (n > LD_STORE_MAX_COLS)
			n = LD_STORE_MAX_COLS;
		if (!fn)
			continue;
		sq_row(st, cols, n);
		if ((stop = fn(opaque, cols, n)) != 0)
			break;
	}
	if (stop) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return stop < 0 ? stop : 0;
	}
	if (rc != SQLITE_DONE) {
		rc = sq_err(s, sqlite3_errcode(b->db), "statement");
		sqlite3_reset(st);
		return rc;
	}
	if (changes)
		*changes = sqlite3_changes64(b->db);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return 0;
}

int ld_store_sqlite_legacy_census(const char *path, ld_store_row_fn fn, void *opaque, bool *present,
				  lading_ctx *ctx)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	ld_sv cols[14];
	int rc = 0, step;

	*present = false;
	if (access(path, R_OK) != 0)
		return 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "SELECT target, port, transport, service, product, version, distro, cpe, evidence,"
			       " time, source, origin, note, attrs FROM records",
			       -1, &st, NULL) != SQLITE_OK) {
		sqlite3_close(db); /* not an old census file */
		return 0;
	}
	sqlite3_busy_timeout(db, LD_STORE_BUSY_MS);
	*present = true;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		sq_row(st, cols, 14);
		if ((rc = fn(opaque, cols, 14)) != 0)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = ld_error_set_path(ctx, LADING_EDB, path, 0, "old census file %s: %s", path, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc < 0 ? rc : 0;
}

const ld_store_ops ld_store_sqlite_ops = {
	"sqlite", sq_open, sq_close, sq_migrate, sq_begin, sq_commit, sq_rollback, sq_exec, NULL,
};
