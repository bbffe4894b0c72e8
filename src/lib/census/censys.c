/* Censys host records (Search 2.0 host view): {"ip": ..., "services": [{"port", "service_name",
 * "transport_protocol", "software": [{"part", "vendor", "product", "version",
 * "uniform_resource_identifier"}], "banner", "observed_at", "http": {...}}], "last_updated_at"}.
 * One host per line (BigQuery / export jobs), a JSON array of hosts, or an API response
 * {"result": host} / {"result": {"hits": [...]}}. */
#include "util/common.h"
#include "census/census.h"
#include "util/json.h"

typedef struct censys_imp {
	ld_census_sink *sink;
	lading_ctx *ctx;
	const char *what;
} censys_imp;

/* The application the service runs: the first software entry of part "a" lading knows, else the
 * first of part "a". */
static const ld_json *pick_software(const ld_json *sw)
{
	const ld_json *it, *first = NULL;
	ld_json_foreach_item(sw, i, it)
	{
		const char *part = ld_json_get_str(it, "part"), *prod = ld_json_get_str(it, "product");
		if (part && strcmp(part, "a"))
			continue;
		if (prod && ld_census_product_key(ld_slice_cstr(prod)))
			return it;
		if (!first)
			first = it;
	}
	return first;
}

static int service_one(censys_imp *im, const char *ip, const ld_json *svc, const char *host_time,
		       size_t index, ld_arena *a)
{
	ld_census_obs o;
	const ld_json *sw, *hdr;
	const char *s, *transport = ld_json_get_str(svc, "transport_protocol");
	int64_t port = 0;
	if (!ld_json_i64(ld_json_get(svc, "port"), &port) || port < 1 || port > 65535) {
		ld_warn(im->ctx, "%s: host %zu (%s): a service without a port: skipped", im->what, index,
			ip);
		im->sink->skipped++;
		return 0;
	}
	ld_census_obs_init(&o, a);
	s = ld_json_get_str(svc, "extended_service_name");
	if (!s || !strcmp(s, "UNKNOWN"))
		s = ld_json_get_str(svc, "service_name");
	ld_census_obs_service(&o, ld_slice_cstr(s));
	if ((sw = pick_software(ld_json_get(svc, "software")))) {
		if ((s = ld_json_get_str(sw, "product")))
			ld_census_obs_product(&o, ld_slice_cstr(s));
		if ((s = ld_json_get_str(sw, "version")))
			ld_census_obs_version(&o, ld_slice_cstr(s));
		if ((s = ld_json_get_str(sw, "uniform_resource_identifier")))
			ld_census_obs_attr(&o, "censys_cpe", ld_slice_cstr(s));
	}
	hdr = ld_json_getp(svc, "http", "response", "headers", NULL);
	if ((s = ld_json_str(ld_json_at(ld_json_get(hdr, "Server"), 0))) ||
	    (s = ld_json_get_str(hdr, "Server"))) {
		ld_census_obs o2;
		ld_census_obs_init(&o2, a);
		ld_census_http_server(&o2, ld_slice_cstr(s));
		if (!o.product || (o2.product && !strcmp(o.product, o2.product))) {
			o.product = o2.product;
			if (!o.version)
				o.version = o2.version;
			if (!o.distro)
				o.distro = o2.distro;
		}
	}
	ld_census_obs_from_banner(&o, ld_json_slice(ld_json_get(svc, "banner")));
	if (transport) {
		char low[8];
		ld_strlcpy(low, !strcmp(transport, "UDP") ? "udp" : "tcp", sizeof(low));
		transport = ld_arena_strdup(a, low);
	}
	s = ld_json_get_str(svc, "observed_at");
	return ld_census_emit(im->sink, &o, ip, (unsigned)port, transport, s ? s : host_time, "censys");
}

static int host_one(void *opaque, const ld_json *v, size_t index, ld_arena *a)
{
	censys_imp *im = opaque;
	const ld_json *svcs, *svc, *hits, *h;
	const char *ip;
	int rc = 0;
	if (ld_json_get(v, "result")) {
		v = ld_json_get(v, "result");
		if (ld_json_is((hits = ld_json_get(v, "hits")), LD_JSON_ARRAY)) {
			ld_json_foreach_item(hits, i, h)
			{
				if ((rc = host_one(opaque, h, index, a)))
					return rc;
			}
			return 0;
		}
	}
	ip = ld_json_get_str(v, "ip");
	svcs = ld_json_get(v, "services");
	if (!ip || (svcs && !ld_json_is(svcs, LD_JSON_ARRAY))) {
		ld_warn(im->ctx, "%s: host record %zu has no ip: skipped", im->what, index);
		im->sink->skipped++;
		return 0;
	}
	if (!ld_json_len(svcs)) {
		im->sink->ignored++;
		return 0;
	}
	ld_json_foreach_item(svcs, i, svc)
	{
		if ((rc = service_one(im, ip, svc, ld_json_get_str(v, "last_updated_at"), index, a)))
			break;
	}
	return rc;
}

int ld_census_import_censys(ld_slice data, ld_census_sink *sink, lading_ctx *ctx, const char *what)
{
	censys_imp im = {sink, ctx, what};
	return ld_census_json_each(data, NULL, host_one, &im, sink, ctx, what);
}
