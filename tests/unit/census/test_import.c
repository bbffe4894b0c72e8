/* Census importers on small in-memory documents (format detection, counts of records, skipped
 * and ignored entries, the fields each format maps to), and the census store (round trip of
 * records and attributes, newer-wins replacement, schema check). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "census/census.h"

typedef struct collect {
	lading_census *c;
} collect;

static int put(void *opaque, const lading_census_record *r)
{
	collect *k = opaque;
	return ld_census_add_record(k->c, r);
}

/* Import `doc` as `format` (NULL: detect); the records land in *out. */
static int import(const char *doc, const char *format, lading_census **out, ld_census_sink *sink,
		  lading_ctx *ctx)
{
	collect k;
	ld_slice d = ld_slice_cstr(doc);
	assert_int_equal(ld_census_new(out), 0);
	k.c = *out;
	memset(sink, 0, sizeof(*sink));
	sink->put = put;
	sink->opaque = &k;
	if (!format)
		format = ld_census_detect_format(d);
	assert_non_null(format);
	return ld_census_import_data(d, format, sink, ctx, "doc");
}

static const lading_census_record *find(const lading_census *c, const char *target, unsigned port)
{
	for (size_t i = 0; i < lading_census_count(c); i++) {
		const lading_census_record *r = lading_census_record_at(c, i);
		if (!strcmp(r->target, target) && r->port == port)
			return r;
	}
	fail_msg("no record %s:%u", target, port);
	return NULL;
}

static const char *attr(const lading_census_record *r, const char *key)
{
	for (size_t i = 0; i < r->attr_count; i++)
		if (!strcmp(r->attrs[i].key, key))
			return r->attrs[i].value;
	return NULL;
}

static void test_detect(void **state)
{
	(void)state;
	assert_string_equal(ld_census_detect_format(LD_SLICE_LIT("\n{\"ip_str\":\"1.2.3.4\",\"port\":1}\n")), "shodan");
	assert_string_equal(ld_census_detect_format(LD_SLICE_LIT("{\"matches\":[],\"total\":0}")), "shodan");
	assert_string_equal(ld_census_detect_format(LD_SLICE_LIT("{\"ip\":\"1.2.3.4\",\"services\":[]}")), "censys");
	assert_string_equal(ld_census_detect_format(LD_SLICE_LIT("{\"result\":{\"hits\":[]}}")), "censys");
	assert_string_equal(ld_census_detect_format(LD_SLICE_LIT("{\"ip\":\"1.2.3.4\",\"data\":{}}")), "zgrab2");
	assert_string_equal(ld_census_detect_format(LD_SLICE_LIT("[{\"target\":\"h\",\"port\":1}]")), "lading");
	assert_string_equal(ld_census_detect_format(LD_SLICE_LIT("\xef\xbb\xbf<?xml version=\"1.0\"?><nmaprun>")), "nmap");
	assert_null(ld_census_detect_format(LD_SLICE_LIT("<html>")));
	assert_null(ld_census_detect_format(LD_SLICE_LIT("{\"a\":1}")));
	assert_null(ld_census_detect_format(LD_SLICE_LIT("hello")));
	assert_null(ld_census_detect_format(LD_SLICE_LIT("")));
}

static void test_shodan(void **state)
{
	lading_ctx *ctx;
	lading_census *c;
	ld_census_sink s;
	const lading_census_record *r;
	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(import("{\"ip_str\":\"192.0.2.1\",\"port\":22,\"product\":\"OpenSSH\",\"version\":\"7.4p1 Debian 10+deb9u7\","
				"\"data\":\"SSH-2.0-OpenSSH_7.4p1 Debian-10+deb9u7\\n\",\"timestamp\":\"2023-05-01T12:00:00.5\"}\n"
				"not json\n"
				"{\"ip\":3221225986,\"port\":80,\"data\":\"HTTP/1.1 200 OK\\r\\nServer: nginx/1.18.0\\r\\n\\r\\n\"}\n"
				"{\"ip_str\":\"192.0.2.3\",\"port\":70000}\n"
				"\n",
				NULL, &c, &s, ctx),
			 0);
	assert_int_equal(s.records, 2);
	assert_int_equal(s.skipped, 2);
	assert_int_equal(lading_ctx_warning_count(ctx), 2);
	r = find(c, "192.0.2.1", 22);
	assert_string_equal(r->product, "openssh");
	assert_string_equal(r->version, "7.4p1");
	assert_string_equal(r->distro, "Debian-10+deb9u7");
	assert_string_equal(r->time, "2023-05-01T12:00:00Z");
	assert_string_equal(r->source, "shodan");
	assert_string_equal(r->cpe, "cpe:2.3:a:openbsd:openssh:7.4p1:*:*:*:*:*:*:*");
	r = find(c, "192.0.2.2", 80); /* the numeric ip, the banner read by lading's HTTP parser */
	assert_string_equal(r->product, "nginx");
	assert_string_equal(r->version, "1.18.0");
	assert_null(r->time);
	lading_census_free(c);
	lading_ctx_free(ctx);
}

static void test_censys(void **state)
{
	lading_ctx *ctx;
	lading_census *c;
	ld_census_sink s;
	const lading_census_record *r;
	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(import("[{\"ip\":\"203.0.113.1\",\"last_updated_at\":\"2023-07-01T10:00:00Z\",\"services\":["
				"{\"port\":22,\"service_name\":\"SSH\",\"transport_protocol\":\"TCP\",\"banner\":\"SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.5\","
				"\"software\":[{\"part\":\"o\",\"product\":\"Ubuntu Linux\",\"version\":\"20.04\"},"
				"{\"part\":\"a\",\"vendor\":\"OpenBSD\",\"product\":\"OpenSSH\",\"version\":\"8.2p1\"}]},"
				"{\"port\":5353,\"service_name\":\"DNS\",\"transport_protocol\":\"UDP\"},"
				"{\"service_name\":\"HTTP\"}]},"
				"{\"ip\":\"203.0.113.2\",\"services\":[]},{\"services\":[]}]",
				NULL, &c, &s, ctx),
			 0);
	assert_int_equal(s.records, 2);
	assert_int_equal(s.skipped, 2);
	assert_int_equal(s.ignored, 1);
	r = find(c, "203.0.113.1", 22);
	assert_string_equal(r->product, "openssh");
	assert_string_equal(r->version, "8.2p1");
	assert_string_equal(r->distro, "Ubuntu-4ubuntu0.5");
	assert_string_equal(r->time, "2023-07-01T10:00:00Z");
	r = find(c, "203.0.113.1", 5353);
	assert_string_equal(r->transport, "udp");
	assert_string_equal(r->service, "dns");
	assert_null(r->product);
	lading_census_free(c);
	lading_ctx_free(ctx);
}

static void test_zgrab2(void **state)
{
	lading_ctx *ctx;
	lading_census *c;
	ld_census_sink s;
	const lading_census_record *r;
	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(import("{\"ip\":\"198.51.100.1\",\"data\":{"
				"\"ssh-2222\":{\"status\":\"success\",\"protocol\":\"ssh\",\"result\":{\"server_id\":{\"raw\":\"SSH-2.0-OpenSSH_9.6\"}}},"
				"\"http\":{\"status\":\"success\",\"protocol\":\"http\",\"result\":{\"response\":{\"status_code\":200,"
				"\"headers\":{\"server\":[\"nginx/1.24.0\"]},\"request\":{\"url\":{\"host\":\"198.51.100.1:8443\"}}}}},"
				"\"mysql\":{\"status\":\"application-error\",\"protocol\":\"mysql\",\"result\":{\"error_message\":\"Host '1.2.3.4' is not allowed to connect to this MariaDB server\"}},"
				"\"redis\":{\"status\":\"io-timeout\",\"protocol\":\"redis\"},"
				"\"mystery\":{\"status\":\"success\",\"protocol\":\"mystery\",\"result\":{\"x\":1}}}}\n",
				NULL, &c, &s, ctx),
			 0);
	assert_int_equal(s.records, 3);
	assert_int_equal(s.ignored, 1);
	assert_int_equal(s.skipped, 1); /* "mystery": no port */
	r = find(c, "198.51.100.1", 2222);
	assert_string_equal(r->version, "9.6");
	r = find(c, "198.51.100.1", 8443);
	assert_string_equal(r->product, "nginx");
	r = find(c, "198.51.100.1", 3306);
	assert_string_equal(r->product, "mariadb");
	assert_null(r->version);
	assert_string_equal(attr(r, "zgrab2_status"), "application-error");
	lading_census_free(c);
	lading_ctx_free(ctx);
}

static const char nmap_doc[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE nmaprun>\n"
	"<nmaprun scanner=\"nmap\" start=\"1700000000\">\n"
	"<host starttime=\"1700000001\"><address addr=\"00:11:22:33:44:55\" addrtype=\"mac\"/>"
	"<address addr=\"192.0.2.9\" addrtype=\"ipv4\"/><hostnames><hostname name=\"h.example\"/></hostnames><ports>"
	"<port protocol=\"tcp\" portid=\"22\"><state state=\"open\"/><service name=\"ssh\" product=\"OpenSSH\" "
	"version=\"9.2p1 Debian 2+deb12u3\" extrainfo=\"protocol 2.0\"><cpe>cpe:/a:openbsd:openssh:9.2p1</cpe></service></port>"
	"<port protocol=\"tcp\" portid=\"80\"><state state=\"open\"/><service name=\"http\" product=\"Apache httpd\" "
	"version=\"2.4.57\" extrainfo=\"(Debian)\"/></port>"
	"<port protocol=\"tcp\" portid=\"81\"><state state=\"closed\"/></port>"
	"<port protocol=\"tcp\" portid=\"99999\"><state state=\"open\"/></port>"
	"</ports></host>\n";

static void test_nmap(void **state)
{
	lading_ctx *ctx;
	lading_census *c;
	ld_census_sink s;
	const lading_census_record *r;
	char doc[4096];
	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	snprintf(doc, sizeof(doc), "%s</nmaprun>\n", nmap_doc);
	assert_int_equal(import(doc, NULL, &c, &s, ctx), 0);
	assert_int_equal(s.records, 2);
	assert_int_equal(s.ignored, 1);
	assert_int_equal(s.skipped, 1);
	r = find(c, "192.0.2.9", 22);
	assert_string_equal(r->version, "9.2p1");
	assert_string_equal(r->distro, "Debian-2+deb12u3");
	assert_string_equal(attr(r, "host"), "h.example");
	assert_string_equal(attr(r, "nmap_cpe"), "cpe:/a:openbsd:openssh:9.2p1");
	assert_string_equal(r->time, "2023-11-14T22:13:21Z");
	r = find(c, "192.0.2.9", 80);
	assert_string_equal(r->product, "apache-httpd");
	assert_string_equal(r->distro, "Debian");
	lading_census_free(c);
	/* cut short after the host: kept, with a warning */
	snprintf(doc, sizeof(doc), "%s<host><address addr=\"192.0.2.10\" addrtype=\"ipv4\"/><ports><port", nmap_doc);
	assert_int_equal(import(doc, "nmap", &c, &s, ctx), 0);
	assert_int_equal(s.records, 2);
	assert_int_equal(s.skipped, 2);
	lading_census_free(c);
	/* nothing before the cut: an error */
	assert_int_equal(import("<nmaprun><host", "nmap", &c, &s, ctx), LADING_EINVALID);
	lading_census_free(c);
	assert_int_equal(import("<?xml version=\"1.0\"?><!DOCTYPE n [<!ENTITY a \"x\">]><nmaprun>&a;</nmaprun>",
				"nmap", &c, &s, ctx),
			 LADING_EINVALID);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "entity"));
	lading_census_free(c);
	lading_ctx_free(ctx);
}

static void test_store(void **state)
{
	lading_ctx *ctx;
	lading_census *c, *back;
	lading_census_record r;
	lading_census_attr attrs[2] = {{"os", "Linux"}, {"mode", "standalone"}};
	char path[4096];
	const lading_census_record *x;
	(void)state;
	snprintf(path, sizeof(path), "%s/census-store-%ld/sub/census.sqlite",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(lading_census_load(&back, path, ctx), LADING_ENOTFOUND);
	assert_int_equal(ld_census_new(&c), 0);
	memset(&r, 0, sizeof(r));
	r.target = "192.0.2.1";
	r.port = 6379;
	r.service = "redis";
	r.product = "redis";
	r.version = "7.0.15";
	r.time = "2024-01-02T00:00:00Z";
	r.source = "probe";
	r.attrs = attrs;
	r.attr_count = 2;
	assert_int_equal(ld_census_add_record(c, &r), 0);
	assert_int_equal(lading_census_save(path, c, ctx), 0);
	/* an older observation of the same port does not replace it; a newer one does */
	lading_census_free(c);
	assert_int_equal(ld_census_new(&c), 0);
	r.version = "6.0.0";
	r.time = "2023-01-01T00:00:00Z";
	r.attr_count = 0;
	assert_int_equal(ld_census_add_record(c, &r), 0);
	r.port = 6380;
	assert_int_equal(ld_census_add_record(c, &r), 0);
	assert_int_equal(lading_census_save(path, c, ctx), 0);
	assert_int_equal(lading_census_load(&back, path, ctx), 0);
	assert_int_equal(lading_census_count(back), 2);
	x = find(back, "192.0.2.1", 6379);
	assert_string_equal(x->version, "7.0.15");
	assert_int_equal(x->attr_count, 2);
	assert_string_equal(attr(x, "mode"), "standalone");
	assert_string_equal(x->transport, "tcp");
	lading_census_free(back);
	lading_census_free(c);
	assert_int_equal(ld_census_new(&c), 0);
	r.port = 6379;
	r.version = "7.2.4";
	r.time = "2025-01-01T00:00:00Z";
	assert_int_equal(ld_census_add_record(c, &r), 0);
	assert_int_equal(lading_census_save(path, c, ctx), 0);
	assert_int_equal(lading_census_load(&back, path, ctx), 0);
	assert_string_equal(find(back, "192.0.2.1", 6379)->version, "7.2.4");
	assert_int_equal(find(back, "192.0.2.1", 6379)->attr_count, 0);
	lading_census_free(back);
	lading_census_free(c);
	unlink(path);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect), cmocka_unit_test(test_shodan), cmocka_unit_test(test_censys),
		cmocka_unit_test(test_zgrab2), cmocka_unit_test(test_nmap),   cmocka_unit_test(test_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
