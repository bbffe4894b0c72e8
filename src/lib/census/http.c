/* HTTP: "GET / HTTP/1.0" (nmap's GetRequest: no Host header, so that Redis answers "-ERR"
 * instead of closing on "Host:"), the Server header (nginx, Apache httpd, Docker, CouchDB...),
 * headers that name API servers, and JSON bodies: Elasticsearch and CouchDB "/", Docker Engine,
 * etcd and Kubernetes "/version", Consul "/v1/agent/self", the registry's "/v2/". Follow-up
 * paths are asked only of servers that look like APIs (no HTML, no Server header naming them). */
#include <ctype.h>

#include "util/common.h"
#include "census/census.h"
#include "util/json.h"

/* Named limits. */
#define HTTP_MAX_HEADER 32768	  /* status line + headers */
#define HTTP_MAX_BODY 65536	  /* body bytes interpreted */
#define HTTP_MAX_CHUNKS 4096	  /* chunks of a chunked body */
#define HTTP_JSON_ARENA (1 << 20) /* JSON tree of one body */
#define HTTP_JSON_DEPTH 32

/* Steps are paths. */
static const char *const paths[] = {"/", "/version", "/v1/agent/self", "/v2/"};
enum { STEP_ROOT, STEP_VERSION, STEP_CONSUL, STEP_REGISTRY, STEP_COUNT };

bool ld_census_http_request(unsigned step, const ld_census_obs *o, ld_buf *out)
{
	(void)o;
	if (step >= STEP_COUNT)
		return false;
	if (step == STEP_ROOT)
		return ld_buf_adds(out, "GET / HTTP/1.0\r\n\r\n") == 0;
	return ld_buf_addf(out, "GET %s HTTP/1.0\r\nUser-Agent: lading-census\r\nAccept: */*\r\n\r\n",
			   paths[step]) == 0;
}

ld_slice ld_census_http_header(ld_slice headers, const char *name)
{
	ld_slice line, rest = headers;
	size_t n = strlen(name);
	while (ld_slice_next_line(&rest, &line)) {
		if (line.len > n && line.ptr[n] == ':' &&
		    ld_slice_case_eq_cstr(ld_slice_sub(line, 0, n), name))
			return ld_slice_trim(ld_slice_sub(line, n + 1, line.len));
	}
	return LD_SLICE_NULL;
}

static bool hex_digits(ld_slice s, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	for (; i < s.len && ld_hex_value((unsigned char)s.ptr[i]) >= 0; i++) {
		if (v >> 56)
			return false;
		v = v * 16 + (uint64_t)ld_hex_value((unsigned char)s.ptr[i]);
	}
	*out = v;
	return i > 0;
}

/* De-chunk into body (capped). Returns true when the last chunk was seen. */
static bool dechunk(ld_slice in, ld_buf *body)
{
	for (unsigned i = 0; i < HTTP_MAX_CHUNKS; i++) {
		ptrdiff_t nl = ld_slice_find(in, '\n');
		uint64_t n;
		if (nl < 0 || !hex_digits(ld_slice_trim(ld_slice_sub(in, 0, (size_t)nl)), &n))
			return false;
		in = ld_slice_sub(in, (size_t)nl + 1, in.len);
		if (n == 0)
			return true;
		if (n > in.len) {
			ld_buf_add(body, in.ptr, LD_MIN(in.len, HTTP_MAX_BODY));
			return false;
		}
		if (body->len + n <= HTTP_MAX_BODY)
			ld_buf_add(body, in.ptr, (size_t)n);
		in = ld_slice_sub(in, (size_t)n, in.len);
		if (in.len >= 2 && in.ptr[0] == '\r' && in.ptr[1] == '\n')
			in = ld_slice_sub(in, 2, in.len);
		else if (in.len >= 1 && in.ptr[0] == '\n')
			in = ld_slice_sub(in, 1, in.len);
	}
	return false;
}

bool ld_census_http_read(ld_slice in, bool eof, ld_http_msg *m, ld_buf *body)
{
	ptrdiff_t end = ld_slice_find_str(in, LD_SLICE_LIT("\r\n\r\n"));
	size_t hlen, skip = 4;
	ld_slice status_line, rest, te, cl;
	uint64_t code, clen;

	memset(m, 0, sizeof(*m));
	ld_buf_clear(body);
	if (!ld_slice_starts_with(in, "HTTP/"))
		return false;
	if (end < 0) {
		end = ld_slice_find_str(in, LD_SLICE_LIT("\n\n"));
		skip = 2;
	}
	if (end < 0) {
		/* headers not complete: use what there is when nothing more will come */
		if (!eof && in.len < HTTP_MAX_HEADER)
			return true;
		end = (ptrdiff_t)LD_MIN(in.len, (size_t)HTTP_MAX_HEADER);
		skip = 0;
	}
	hlen = (size_t)end;
	rest = ld_slice_sub(in, 0, hlen);
	if (!ld_slice_next_line(&rest, &status_line))
		return false;
	/* "HTTP/1.1 200 OK" */
	if (status_line.len < 12 || status_line.ptr[8] != ' ' ||
	    !ld_slice_to_u64(ld_slice_sub(status_line, 9, 3), 999, &code))
		return false;
	m->status = (int)code;
	m->headers = rest;
	m->server = ld_census_http_header(rest, "Server");
	rest = ld_slice_sub(in, hlen + skip, in.len);
	te = ld_census_http_header(m->headers, "Transfer-Encoding");
	cl = ld_census_http_header(m->headers, "Content-Length");
	if (te.len && ld_slice_find_str(te, LD_SLICE_LIT("chunked")) >= 0) {
		m->complete = dechunk(rest, body) || eof;
	} else {
		ld_buf_add(body, rest.ptr, LD_MIN(rest.len, HTTP_MAX_BODY));
		if (cl.len && ld_slice_to_u64(cl, UINT64_MAX, &clen))
			m->complete = rest.len >= clen || rest.len >= HTTP_MAX_BODY || eof;
		else
			m->complete = eof || m->status == 204 || m->status == 304 ||
				      (m->status >= 100 && m->status < 200) || rest.len >= HTTP_MAX_BODY;
	}
	if (skip == 0)
		m->complete = true;
	return true;
}

/* "nginx/1.22.1", "Apache/2.4.57 (Debian) OpenSSL/3.0.11", "Docker/24.0.7 (linux)",
 * "CouchDB/3.3.3 (Erlang OTP/24)", "Jetty(9.4.51.v20230217)", "Microsoft-IIS/10.0" */
void ld_census_http_server(ld_census_obs *o, ld_slice server)
{
	ld_slice s = ld_slice_trim(server), name, ver = LD_SLICE_NULL, comment = LD_SLICE_NULL, rest;
	size_t i = 0;
	if (!s.len)
		return;
	ld_census_obs_attr(o, "server", s);
	while (i < s.len && s.ptr[i] != '/' && s.ptr[i] != ' ' && s.ptr[i] != '(')
		i++;
	name = ld_slice_sub(s, 0, i);
	rest = ld_slice_sub(s, i, s.len);
	if (rest.len && rest.ptr[0] == '/') {
		size_t j = 1;
		while (j < rest.len && rest.ptr[j] != ' ' && rest.ptr[j] != '(')
			j++;
		ver = ld_slice_sub(rest, 1, j - 1);
		rest = ld_slice_trim(ld_slice_sub(rest, j, rest.len));
	} else {
		rest = ld_slice_trim(rest);
	}
	if (rest.len && rest.ptr[0] == '(') {
		ptrdiff_t close = ld_slice_find(rest, ')');
		if (close > 0) {
			comment = ld_slice_sub(rest, 1, (size_t)close - 1);
			rest = ld_slice_trim(ld_slice_sub(rest, (size_t)close + 1, rest.len));
		}
	}
	if (!ver.len && comment.len && isdigit((unsigned char)comment.ptr[0])) {
		ver = comment; /* Jetty(9.4.51.v20230217) */
		comment = LD_SLICE_NULL;
	}
	if (!name.len)
		return;
	ld_census_obs_product(o, name);
	if (ver.len)
		ld_census_obs_version(o, ver);
	if (comment.len) {
		if (ld_census_is_distro_hint(comment))
			ld_census_obs_set(o, &o->distro, comment);
		else
			ld_census_obs_attr(o, "server_comment", comment);
	}
	if (rest.len)
		ld_census_obs_attr(o, "server_modules", rest);
	if (!o->version)
		o->note = "the Server header names no version";
}

static void set_str(ld_census_obs *o, const char *attr, const ld_json *v)
{
	const char *s = ld_json_str(v);
	if (s)
		ld_census_obs_attr(o, attr, ld_slice_cstr(s));
}

bool ld_census_http_json(ld_census_obs *o, ld_slice body)
{
	lading_ctx scratch;
	ld_arena a;
	ld_json *doc = NULL;
	ld_json_limits lim = {HTTP_JSON_DEPTH, HTTP_JSON_ARENA};
	const ld_json *v;
	const char *s;
	bool named = false;

	body = ld_slice_trim(body);
	if (!body.len || body.ptr[0] != '{')
		return false;
	ld_ctx_init_child(&scratch, NULL);
	ld_arena_init(&a, HTTP_JSON_ARENA * 2);
	if (ld_json_parse(&doc, &a, body.ptr, body.len, &lim, &scratch, "body") || !doc)
		goto out;
	/* Elasticsearch / OpenSearch: {"name":..,"cluster_name":..,"version":{"number":..},
	 * "tagline":"You Know, for Search"} */
	if ((s = ld_json_str(ld_json_getp(doc, "version", "number", NULL))) &&
	    (ld_json_get(doc, "tagline") || ld_json_get(doc, "cluster_name"))) {
		const char *dist = ld_json_str(ld_json_getp(doc, "version", "distribution", NULL));
		o->product = dist && !strcmp(dist, "opensearch") ? "opensearch" : "elasticsearch";
		ld_census_obs_version(o, ld_slice_cstr(s));
		set_str(o, "build_flavor", ld_json_getp(doc, "version", "build_flavor", NULL));
		set_str(o, "lucene_version", ld_json_getp(doc, "version", "lucene_version", NULL));
		named = true;
	} else if ((s = ld_json_get_str(doc, "couchdb"))) {
		/* CouchDB: {"couchdb":"Welcome","version":"3.3.3","vendor":{"name":..}} */
		o->product = "couchdb";
		if ((s = ld_json_get_str(doc, "version")))
			ld_census_obs_version(o, ld_slice_cstr(s));
		set_str(o, "vendor", ld_json_getp(doc, "vendor", "name", NULL));
		named = true;
	} else if ((s = ld_json_get_str(doc, "etcdserver"))) {
		/* etcd: {"etcdserver":"3.4.23","etcdcluster":"3.4.0"} */
		o->product = "etcd";
		ld_census_obs_version(o, ld_slice_cstr(s));
		set_str(o, "cluster_version", ld_json_get(doc, "etcdcluster"));
		named = true;
	} else if ((s = ld_json_get_str(doc, "gitVersion")) && ld_json_get(doc, "major")) {
		/* Kubernetes: {"major":"1","minor":"28","gitVersion":"v1.28.2",...,"platform":..} */
		o->product = "kubernetes";
		ld_census_obs_version(o, ld_slice_cstr(s));
		set_str(o, "platform", ld_json_get(doc, "platform"));
		set_str(o, "go_version", ld_json_get(doc, "goVersion"));
		named = true;
	} else if ((s = ld_json_get_str(doc, "Version")) && ld_json_get(doc, "ApiVersion")) {
		/* Docker Engine (or Podman's compatible API): {"Version":..,"ApiVersion":..,"Os":..} */
		const ld_json *c, *comps = ld_json_get(doc, "Components");
		o->product = "docker";
		ld_json_foreach_item(comps, i, c) {
			const char *n = ld_json_get_str(c, "Name");
			if (n && !strcmp(n, "Podman Engine"))
				o->product = "podman";
		}
		ld_census_obs_version(o, ld_slice_cstr(s));
		set_str(o, "api_version", ld_json_get(doc, "ApiVersion"));
		set_str(o, "os", ld_json_get(doc, "Os"));
		set_str(o, "arch", ld_json_get(doc, "Arch"));
		set_str(o, "kernel", ld_json_get(doc, "KernelVersion"));
		named = true;
	} else if ((v = ld_json_get(doc, "Config")) && (s = ld_json_get_str(v, "Version")) &&
		   (ld_json_get(v, "Datacenter") || ld_json_get(v, "NodeName"))) {
		/* Consul /v1/agent/self: {"Config":{"Datacenter":..,"Version":"1.15.4",...}} */
		o->product = "consul";
		ld_census_obs_version(o, ld_slice_cstr(s));
		set_str(o, "revision", ld_json_get(v, "Revision"));
		named = true;
	} else if ((s = ld_json_str(ld_json_getp(doc, "error", "type", NULL))) &&
		   !strcmp(s, "security_exception")) {
		/* Elasticsearch with security on, refusing an anonymous request */
		o->product = "elasticsearch";
		named = true;
	} else if ((s = ld_json_get_str(doc, "kind")) && !strcmp(s, "Status") &&
		   ld_json_get(doc, "apiVersion")) {
		/* Kubernetes refusing an anonymous "GET /": a Status object */
		o->product = "kubernetes";
		named = true;
	}
out:
	ld_arena_release(&a);
	ld_ctx_release_child(&scratch);
	return named;
}

/* Products whose version lives at a known JSON path. */
static int follow_up(const char *product)
{
	if (!product)
		return -1;
	if (!strcmp(product, "docker") || !strcmp(product, "etcd") || !strcmp(product, "kubernetes"))
		return STEP_VERSION;
	if (!strcmp(product, "consul"))
		return STEP_CONSUL;
	return -1;
}

static void api_headers(ld_census_obs *o, ld_slice h)
{
	ld_slice v;
	if ((v = ld_census_http_header(h, "Docker-Distribution-Api-Version")).len) {
		o->product = "docker-registry";
		ld_census_obs_attr(o, "api_version", v);
	} else if ((v = ld_census_http_header(h, "Api-Version")).len &&
		   ld_census_http_header(h, "Ostype").len) {
		if (!o->product)
			o->product = "docker";
		ld_census_obs_attr(o, "api_version", v);
	} else if (ld_census_http_header(h, "X-Consul-Default-Acl-Policy").len ||
		   ld_census_http_header(h, "X-Consul-Effective-Consistency").len) {
		o->product = "consul";
	} else if (ld_slice_case_eq_cstr(ld_census_http_header(h, "X-Elastic-Product"), "Elasticsearch")) {
		o->product = "elasticsearch";
	} else if (ld_census_http_header(h, "X-Etcd-Cluster-Id").len) {
		o->product = "etcd";
	} else if (ld_census_http_header(h, "X-Kubernetes-Pf-Flowschema-Uid").len) {
		o->product = "kubernetes";
	}
}

/* An API-looking answer: not an HTML page. */
static bool api_like(const ld_http_msg *m)
{
	ld_slice ct = ld_census_http_header(m->headers, "Content-Type");
	return !(ct.len && ld_slice_find_str(ct, LD_SLICE_LIT("html")) >= 0);
}

static ld_pv next_path(ld_census_obs *o, unsigned from)
{
	for (unsigned s = from; s < STEP_COUNT; s++) {
		if (o->flags & (1u << s))
			continue;
		o->step_next = s;
		return LD_PV_RECONNECT;
	}
	return LD_PV_DONE;
}

ld_pv ld_census_http_parse(unsigned step, ld_slice in, bool eof, ld_census_obs *o)
{
	ld_http_msg m;
	ld_buf body;
	ld_pv verdict = LD_PV_DONE;
	bool named, had_version = o->version != NULL;
	int f;

	bool reparse;
	int p;

	if (in.len < 5 && !eof && (!in.len || !memcmp(in.ptr, "HTTP/", in.len)))
		return LD_PV_MORE;
	/* another protocol answering our request: Redis "-ERR", memcached "ERROR", MongoDB's
	 * "It looks like you are trying to access MongoDB over HTTP" (itself an HTTP response) */
	p = step == STEP_ROOT ? ld_census_classify(in, &reparse) : -1;
	if (p >= 0 && p != LD_PROBE_HTTP && !reparse) {
		o->switch_to = p;
		return LD_PV_SWITCH;
	}
	if (step == STEP_ROOT && in.len >= 2 && in.ptr[0] == 0x15 && in.ptr[1] == 0x03) {
		o->service = "tls"; /* a TLS alert: this port wants TLS */
		o->note = "TLS: lading probes in plain text only";
		ld_census_obs_evidence(o, in);
		return LD_PV_DONE;
	}
	ld_buf_init(&body, HTTP_MAX_BODY + 1);
	if (!ld_census_http_read(in, eof, &m, &body)) {
		ld_buf_release(&body);
		if (step != STEP_ROOT)
			return o->service ? LD_PV_DONE : LD_PV_NOMATCH;
		if (!eof && in.len < 5)
			return LD_PV_MORE;
		return LD_PV_NOMATCH;
	}
	if (!m.complete && !eof) {
		ld_buf_release(&body);
		return LD_PV_MORE;
	}
	if (m.status < 100) { /* "HTTP/1.1 000": not a status anyone sends */
		ld_buf_release(&body);
		return LD_PV_NOMATCH;
	}
	o->flags |= 1u << step;
	o->service = "http";
	if (step == STEP_ROOT || !o->evidence)
		ld_census_obs_evidence(o, in);
	if (step == STEP_ROOT) {
		char code[8];
		ld_snprintf(code, sizeof(code), "%d", m.status);
		ld_census_obs_attr(o, "status", ld_slice_cstr(code));
		if (m.server.len)
			ld_census_http_server(o, m.server);
	}
	api_headers(o, m.headers);
	named = m.status < 300 || m.status == 401 || m.status == 403 || m.status == 404
			? ld_census_http_json(o, ld_buf_slice(&body))
			: false;
	if (o->version && !had_version && step != STEP_ROOT)
		o->note = NULL;
	if (o->version && o->product && !(step == STEP_ROOT && !strcmp(o->product, "docker"))) {
		verdict = LD_PV_DONE;
	} else if ((f = follow_up(o->product)) >= 0) {
		/* the version lives there (Docker's Server header has it too, /version says more) */
		verdict = next_path(o, (unsigned)f);
		if (verdict == LD_PV_RECONNECT && o->step_next != (unsigned)f)
			verdict = LD_PV_DONE; /* its own path was asked already */
	} else if (!o->product && !m.server.len &&
		   (api_like(&m) || (m.status >= 300 && m.status < 400) || m.status == 404)) {
		verdict = next_path(o, step + 1);
	}
	if (verdict == LD_PV_DONE && o->product && !o->version) {
		if (m.status == 401 || m.status == 403)
			o->note = "authentication required: no version disclosed";
		else if (!o->note)
			o->note = "no version disclosed";
	}
	(void)named;
	ld_buf_release(&body);
	return verdict;
}
