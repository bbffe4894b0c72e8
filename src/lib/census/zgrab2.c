/* zgrab2 output: one JSON object per target, {"ip", "domain", "data": {"<scanner>": {"status",
 * "protocol", "result", "timestamp", "error"}}}. zgrab2 does not write the port: it comes from
 * the HTTP request URL when there is one, else from a scanner name ending in "-PORT" or "_PORT"
 * ("http-8080"), else from the protocol's default port. Modules read: ssh (server_id), http
 * (Server header, JSON body), mysql, redis, mongodb, memcached, postgres, and banner-style ones
 * (banner, ftp, smtp, pop3, imap, telnet). */
#include <ctype.h>

#include "util/common.h"
#include "census/census.h"
#include "util/json.h"

typedef struct zgrab_imp {
	ld_census_sink *sink;
	lading_ctx *ctx;
	const char *what;
} zgrab_imp;

static unsigned default_port(const char *proto)
{
	static const struct {
		const char *proto;
		unsigned port;
	} map[] = {{"ssh", 22},	       {"http", 80},	   {"mysql", 3306}, {"redis", 6379},
		   {"mongodb", 27017}, {"memcached", 11211}, {"postgres", 5432}, {"ftp", 21},
		   {"smtp", 25},       {"pop3", 110},	   {"imap", 143},   {"telnet", 23}};
	for (size_t i = 0; proto && i < LD_ARRAY_LEN(map); i++)
		if (!strcmp(proto, map[i].proto))
			return map[i].port;
	return 0;
}

static unsigned port_of(const char *name, const char *proto, const ld_json *result)
{
	const char *host = ld_json_str(ld_json_getp(result, "response", "request", "url", "host", NULL));
	const char *c;
	size_t n = name ? strlen(name) : 0, i = n;
	uint64_t v;
	if (host && (c = strrchr(host, ':')) && !strchr(c, ']') &&
	    ld_slice_to_u64(ld_slice_cstr(c + 1), 65535, &v) && v)
		return (unsigned)v;
	while (i > 0 && isdigit((unsigned char)name[i - 1]))
		i--;
	if (i > 0 && i < n && (name[i - 1] == '-' || name[i - 1] == '_') &&
	    ld_slice_to_u64(ld_slice_cstr(name + i), 65535, &v) && v)
		return (unsigned)v;
	return default_port(proto);
}

static void http_result(ld_census_obs *o, const ld_json *r)
{
	const ld_json *resp = ld_json_get(r, "response"), *hdr = ld_json_get(resp, "headers");
	const char *s = ld_json_str(ld_json_at(ld_json_get(hdr, "server"), 0));
	int64_t status;
	o->service = "http";
	if (!s)
		s = ld_json_get_str(hdr, "server");
	if (s)
		ld_census_http_server(o, ld_slice_cstr(s));
	if (ld_json_i64(ld_json_get(resp, "status_code"), &status)) {
		char code[8];
		ld_snprintf(code, sizeof(code), "%d", (int)status);
		ld_census_obs_attr(o, "status", ld_slice_cstr(code));
	}
	if ((s = ld_json_get_str(resp, "body"))) {
		bool had = o->version != NULL;
		if (ld_census_http_json(o, ld_slice_cstr(s)) && o->version && !had)
			o->note = NULL;
	}
	if (ld_json_get(hdr, "docker_distribution_api_version"))
		o->product = "docker-registry";
}

static void module_result(ld_census_obs *o, const char *proto, const ld_json *r)
{
	const char *s;
	double wire;
	if (!strcmp(proto, "http")) {
		http_result(o, r);
	} else if (!strcmp(proto, "ssh")) {
		const ld_json *id = ld_json_get(r, "server_id");
		o->service = "ssh";
		if ((s = ld_json_get_str(id, "raw")))
			ld_census_obs_from_banner(o, ld_slice_cstr(s));
		if (!o->product && (s = ld_json_get_str(id, "software")))
			ld_census_obs_from_banner(o, ld_slice_cstr(s));
	} else if (!strcmp(proto, "mysql")) {
		o->service = "mysql";
		o->product = "mysql";
		if ((s = ld_json_get_str(r, "server_version")))
			ld_census_obs_version(o, ld_slice_cstr(s));
		else if ((s = ld_json_get_str(r, "error_message"))) {
			ld_census_obs_attr(o, "error", ld_slice_cstr(s));
			if (strstr(s, "MariaDB"))
				o->product = "mariadb";
			o->note = "the server refused this client before the handshake: no version disclosed";
		}
	} else if (!strcmp(proto, "redis")) {
		o->service = "redis";
		o->product = "redis";
		if ((s = ld_json_get_str(r, "version")))
			ld_census_obs_version(o, ld_slice_cstr(s));
		if ((s = ld_json_get_str(r, "os")))
			ld_census_obs_attr(o, "os", ld_slice_cstr(s));
		if ((s = ld_json_get_str(r, "mode")))
			ld_census_obs_attr(o, "mode", ld_slice_cstr(s));
		if (!o->version && (s = ld_json_get_str(r, "info_response")))
			ld_census_obs_from_banner(o, ld_slice_cstr(s));
		if (!o->version)
			o->note = "no version disclosed (authentication or protected mode)";
	} else if (!strcmp(proto, "mongodb")) {
		o->service = "mongodb";
		o->product = "mongodb";
		if ((s = ld_json_str(ld_json_getp(r, "build_info", "version", NULL))))
			ld_census_obs_version(o, ld_slice_cstr(s));
		if (ld_json_num(ld_json_getp(r, "is_master", "max_wire_version", NULL), &wire)) {
			char w[16];
			ld_snprintf(w, sizeof(w), "%d", (int)wire);
			ld_census_obs_attr(o, "max_wire_version", ld_slice_cstr(w));
		}
	} else if (!strcmp(proto, "memcached")) {
		o->service = "memcached";
		o->product = "memcached";
		if ((s = ld_json_get_str(r, "version")) ||
		    (s = ld_json_str(ld_json_getp(r, "stats", "version", NULL))))
			ld_census_obs_version(o, ld_slice_cstr(s));
	} else if (!strcmp(proto, "postgres")) {
		o->service = "postgresql";
		o->product = "postgresql";
		if ((s = ld_json_str(ld_json_getp(r, "server_parameters", "server_version", NULL))))
			ld_census_obs_version(o, ld_slice_cstr(s));
		else
			o->note = "PostgreSQL discloses no version before authentication";
	} else if ((s = ld_json_get_str(r, "banner"))) {
		if (strcmp(proto, "banner")) /* ftp, smtp, telnet...: the module names it */
			ld_census_obs_service(o, ld_slice_cstr(proto));
		ld_census_obs_from_banner(o, ld_slice_cstr(s));
	}
}

static int target_one(void *opaque, const ld_json *v, size_t index, ld_arena *a)
{
	zgrab_imp *im = opaque;
	const char *ip = ld_json_get_str(v, "ip");
	const ld_json *data = ld_json_get(v, "data");
	const ld_json_member *m;
	int rc = 0;
	if (!ip)
		ip = ld_json_get_str(v, "domain");
	if (!ip || !ld_json_is(data, LD_JSON_OBJECT)) {
		ld_warn(im->ctx, "%s: line %zu has no ip and data: skipped", im->what, index);
		im->sink->skipped++;
		return 0;
	}
	ld_json_foreach_member(data, i, m)
	{
		const ld_json *mod = &m->value, *r = ld_json_get(mod, "result");
		const char *proto = ld_json_get_str(mod, "protocol"), *status = ld_json_get_str(mod, "status");
		ld_census_obs o;
		unsigned port;
		if (!proto)
			proto = m->key;
		if (!ld_json_is(r, LD_JSON_OBJECT)) {
			/* connection-refused, io-timeout...: nothing was said */
			im->sink->ignored++;
			continue;
		}
		port = port_of(m->key, proto, r);
		if (!port) {
			ld_warn(im->ctx, "%s: line %zu: scanner '%s' (%s) names no port: skipped", im->what,
				index, m->key, proto);
			im->sink->skipped++;
			continue;
		}
		ld_census_obs_init(&o, a);
		module_result(&o, proto, r);
		if (status && strcmp(status, "success"))
			ld_census_obs_attr(&o, "zgrab2_status", ld_slice_cstr(status));
		if (!o.service && !o.product) {
			im->sink->ignored++;
			continue;
		}
		if ((rc = ld_census_emit(im->sink, &o, ip, port, "tcp", ld_json_get_str(mod, "timestamp"),
					 "zgrab2")))
			break;
	}
	return rc;
}

int ld_census_import_zgrab2(ld_slice data, ld_census_sink *sink, lading_ctx *ctx, const char *what)
{
	zgrab_imp im = {sink, ctx, what};
	return ld_census_json_each(data, NULL, target_one, &im, sink, ctx, what);
}
