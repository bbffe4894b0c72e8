/* The emulated services: one table, one line per service. The loop (loop.c) takes each
 * service's handlers, input cap and TLS ability from it; the options (options.c) take the
 * listener options from it, and the CLI asks the library for them (lading_honeypot_option_at)
 * instead of copying them. To add a service: its emulation file (on_data and what it needs)
 * and its line here. */
#include "util/common.h"
#include "honeypot/hp.h"

/* Input caps (one whole message of the service's protocol must fit). */
#define IN_MAX_HTTP  (LD_HTTP_MAX_HEAD + LD_HTTP_MAX_BODY + 1024) /* one whole request */
#define IN_MAX_REDIS (LD_RESP_MAX_BULK + 4096)			  /* one whole argument */
#define IN_MAX_MYSQL (LD_MYSQL_MAX_PACKET + 4)			  /* one packet */

static const ld_hp_service_ops services[] = {
	{{"docker", "ADDR", "listen for the Docker API on ADDR (usually port 2375)"}, "2375",
	 IN_MAX_HTTP, false, NULL, ld_hp_docker_on_data, ld_hp_docker_on_close, NULL},
	{{"redis", "ADDR", "listen for Redis on ADDR (usually port 6379)"}, "6379", IN_MAX_REDIS,
	 false, NULL, ld_hp_redis_on_data, NULL, NULL},
	{{"kube", "ADDR", "listen for the Kubernetes API or kubelet on ADDR (usually port 6443/10250)"},
	 "6443/10250", IN_MAX_HTTP, true, NULL, ld_hp_kube_on_data, NULL, ld_hp_kube_on_tick},
	{{"etcd", "ADDR", "listen for etcd on ADDR (usually port 2379)"}, "2379", IN_MAX_HTTP, false,
	 NULL, ld_hp_etcd_on_data, ld_hp_etcd_on_close, ld_hp_etcd_on_tick},
	{{"elasticsearch", "ADDR", "listen for Elasticsearch on ADDR (usually port 9200)"}, "9200",
	 IN_MAX_HTTP, false, NULL, ld_hp_es_on_data, NULL, NULL},
	{{"mysql", "ADDR", "listen for MySQL on ADDR (usually port 3306)"}, "3306", IN_MAX_MYSQL,
	 false, ld_hp_mysql_on_open, ld_hp_mysql_on_data, ld_hp_mysql_on_close, NULL},
};

size_t ld_hp_service_count(void)
{
	return LD_ARRAY_LEN(services);
}

const ld_hp_service_ops *ld_hp_service(int service)
{
	return &services[(size_t)service < LD_ARRAY_LEN(services) ? (size_t)service : 0];
}

int ld_hp_service_by_name(const char *name)
{
	for (size_t i = 0; i < LD_ARRAY_LEN(services); i++)
		if (!strcmp(services[i].opt.name, name))
			return (int)i;
	return -1;
}
