/* lading_build_info_get: version, source commit and schema versions of this build. */
#include "lading/common.h"
#include "lading/inventory.h"
#include "lading_commit.h" /* generated at build time by scripts/gitcommit.cmake */
#include "vulndb/schema.h"

void lading_build_info_get(lading_build_info *out)
{
	out->version = lading_version_string();
	out->commit = LADING_COMMIT;
	out->db_schema = LD_VDB_SCHEMA_VERSION;
	out->store_schema = lading_store_schema_version();
}
