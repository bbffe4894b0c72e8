/* The probe table and the ports that suggest a probe. */
#include "util/common.h"
#include "census/census.h"

const ld_census_probe ld_census_probes[LD_PROBE_COUNT] = {
	[LD_PROBE_BANNER] = {"banner", true, NULL, ld_census_banner_parse},
	[LD_PROBE_SSH] = {"ssh", true, NULL, ld_census_ssh_parse},
	[LD_PROBE_MYSQL] = {"mysql", true, NULL, ld_census_mysql_parse},
	[LD_PROBE_HTTP] = {"http", false, ld_census_http_request, ld_census_http_parse},
	[LD_PROBE_REDIS] = {"redis", false, ld_census_redis_request, ld_census_redis_parse},
	[LD_PROBE_MEMCACHED] = {"memcached", false, ld_census_memcached_request,
				ld_census_memcached_parse},
	[LD_PROBE_POSTGRES] = {"postgresql", false, ld_census_postgres_request,
			       ld_census_postgres_parse},
	[LD_PROBE_MONGODB] = {"mongodb", false, ld_census_mongodb_request, ld_census_mongodb_parse},
};

static const struct {
	uint16_t port;
	int8_t probe;
} hints[] = {
	{21, LD_PROBE_BANNER},	   {22, LD_PROBE_SSH},	      {25, LD_PROBE_BANNER},
	{80, LD_PROBE_HTTP},	   {81, LD_PROBE_HTTP},	      {110, LD_PROBE_BANNER},
	{143, LD_PROBE_BANNER},	   {587, LD_PROBE_BANNER},    {2222, LD_PROBE_SSH},
	{2375, LD_PROBE_HTTP},	   {2379, LD_PROBE_HTTP},     {3306, LD_PROBE_MYSQL},
	{4001, LD_PROBE_HTTP},	   {5000, LD_PROBE_HTTP},     {5432, LD_PROBE_POSTGRES},
	{5601, LD_PROBE_HTTP},	   {5984, LD_PROBE_HTTP},     {6379, LD_PROBE_REDIS},
	{8000, LD_PROBE_HTTP},	   {8001, LD_PROBE_HTTP},     {8008, LD_PROBE_HTTP},
	{8080, LD_PROBE_HTTP},	   {8081, LD_PROBE_HTTP},     {8088, LD_PROBE_HTTP},
	{8500, LD_PROBE_HTTP},	   {8888, LD_PROBE_HTTP},     {9200, LD_PROBE_HTTP},
	{9201, LD_PROBE_HTTP},	   {10255, LD_PROBE_HTTP},    {11211, LD_PROBE_MEMCACHED},
	{27017, LD_PROBE_MONGODB}, {27018, LD_PROBE_MONGODB}, {27019, LD_PROBE_MONGODB},
};

int ld_census_probe_for_port(unsigned port)
{
	for (size_t i = 0; i < LD_ARRAY_LEN(hints); i++)
		if (hints[i].port == port)
			return hints[i].probe;
	return -1;
}
