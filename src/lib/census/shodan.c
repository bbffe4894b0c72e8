/* Shodan banners: JSON lines as `shodan download` writes them (gunzipped or not), or an API search
 * response {"matches": [...]}. Fields used: ip_str (or the numeric ip), port, transport, product,
 * version, cpe23 / cpe, data (the raw banner), timestamp, _shodan.module, hostnames, os,
 * http.server, mongodb.buildInfo.version. Structured fields come first; what they leave open
 * is read from `data` with lading's own parsers. */
#include <arpa/inet.h>

#include "util/common.h"
#include "census/census.h"
#include "util/json.h"

typedef struct shodan_imp {
	ld_census_sink *sink;
	lading_ctx *ctx;
	const char *what;
} shodan_imp;

static const char *first_str(const ld_json *v)
{
	if (ld_json_is(v, LD_JSON_STRING))
		return ld_json_str(v);
	return ld_json_str(ld_json_at(v, 0));
}

static int shodan_one(void *opaque, const ld_json *v, size_t index, ld_arena *a)
{
	shodan_imp *im = opaque;
	ld_census_obs o;
	const char *ip = ld_json_get_str(v, "ip_str"), *s;
	char ipbuf[INET_ADDRSTRLEN];
	int64_t port = 0, ipnum;
	const ld_json *cpes;

	if (!ip && ld_json_i64(ld_json_get(v, "ip"), &ipnum) && ipnum >= 0 && ipnum <= UINT32_MAX) {
		struct in_addr in;
		in.s_addr = htonl((uint32_t)ipnum);
		ip = inet_ntop(AF_INET, &in, ipbuf, sizeof(ipbuf));
	}
	if (!ld_json_is(v, LD_JSON_OBJECT) || !ip || !ld_json_i64(ld_json_get(v, "port"), &port) ||
	    port < 1 || port > 65535) {
		ld_warn(im->ctx, "%s: banner %zu has no ip_str and port: skipped", im->what, index);
		im->sink->skipped++;
		return 0;
	}
	ld_census_obs_init(&o, a);
	ld_census_obs_service(&o, ld_slice_cstr(ld_json_str(ld_json_getp(v, "_shodan", "module", NULL))));
	if ((s = ld_json_get_str(v, "product")))
		ld_census_obs_product(&o, ld_slice_cstr(s));
	if ((s = ld_json_get_str(v, "version")))
		ld_census_obs_version(&o, ld_slice_cstr(s));
	if (!o.version && (s = ld_json_str(ld_json_getp(v, "mongodb", "buildInfo", "version", NULL)))) {
		o.product = "mongodb";
		ld_census_obs_version(&o, ld_slice_cstr(s));
	}
	if ((s = ld_json_str(ld_json_getp(v, "http", "server", NULL))) && !o.version) {
		ld_census_obs o2;
		ld_census_obs_init(&o2, a);
		ld_census_http_server(&o2, ld_slice_cstr(s));
		if (!o.product || (o2.product && !strcmp(o.product, o2.product))) {
			o.product = o2.product;
			o.version = o2.version;
			if (!o.distro)
				o.distro = o2.distro;
		}
	}
	cpes = ld_json_get(v, "cpe23");
	if ((s = first_str(cpes)))
		ld_census_obs_attr(&o, "shodan_cpe", ld_slice_cstr(s));
	else if ((s = first_str(ld_json_get(v, "cpe"))))
		ld_census_obs_attr(&o, "shodan_cpe", ld_slice_cstr(s));
	if ((s = ld_json_get_str(v, "info")))
		ld_census_obs_attr(&o, "info", ld_slice_cstr(s));
	if ((s = ld_json_get_str(v, "os")))
		ld_census_obs_attr(&o, "os", ld_slice_cstr(s));
	if ((s = first_str(ld_json_get(v, "hostnames"))))
		ld_census_obs_attr(&o, "host", ld_slice_cstr(s));
	ld_census_obs_from_banner(&o, ld_json_slice(ld_json_get(v, "data")));
	return ld_census_emit(im->sink, &o, ip, (unsigned)port, ld_json_get_str(v, "transport"),
			      ld_json_get_str(v, "timestamp"), "shodan");
}

int ld_census_import_shodan(ld_slice data, ld_census_sink *sink, lading_ctx *ctx, const char *what)
{
	shodan_imp im = {sink, ctx, what};
	return ld_census_json_each(data, "matches", shodan_one, &im, sink, ctx, what);
}
