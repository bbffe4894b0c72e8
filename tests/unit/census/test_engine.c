/* The probing engine against in-process servers on 127.0.0.1: a greeting, silence, a flood that
 * must stop at the byte cap, a closed port; target and port-list parsing; record order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "util/common.h"
#include "census/census.h"

enum { SRV_SSH, SRV_SILENT, SRV_FLOOD, SRV_REDIS };

typedef struct server {
	int fd;
	int kind;
	unsigned port;
	pthread_t th;
	volatile int stop;
} server;

static void *serve(void *arg)
{
	server *s = arg;
	static char junk[65536];
	memset(junk, 'A', sizeof(junk));
	for (;;) {
		int c = accept(s->fd, NULL, NULL);
		char buf[256];
		if (c < 0)
			return NULL;
		switch (s->kind) {
		case SRV_SSH:
			(void)!write(c, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", 40);
			break;
		case SRV_SILENT:
			while (read(c, buf, sizeof(buf)) > 0)
				;
			break;
		case SRV_FLOOD:
			for (int i = 0; i < 64 && !s->stop; i++)
				if (write(c, junk, sizeof(junk)) < 0)
					break;
			break;
		case SRV_REDIS: {
			ssize_t n = read(c, buf, sizeof(buf) - 1);
			if (n > 0 && !strncmp(buf, "INFO", 4)) {
				static const char r[] = "$31\r\n# Server\r\nredis_version:7.2.4\r\n\r\n";
				(void)!write(c, r, sizeof(r) - 1);
			} else if (n > 0) {
				(void)!write(c, "-ERR unknown command\r\n", 22);
			}
			while (read(c, buf, sizeof(buf)) > 0)
				;
			break;
		}
		}
		close(c);
	}
}

static void start(server *s, int kind)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 16), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
}

static void stop(server *s)
{
	s->stop = 1;
	shutdown(s->fd, SHUT_RDWR);
	pthread_join(s->th, NULL);
	close(s->fd);
}

static unsigned closed_port(void)
{
	server s;
	unsigned p;
	start(&s, SRV_SSH);
	p = s.port;
	stop(&s);
	return p;
}

static void test_ports(void **state)
{
	lading_ctx *ctx;
	uint16_t *p;
	size_t n;
	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(ld_census_parse_ports("8002,22,8000-8002,22", &p, &n, ctx), 0);
	assert_int_equal(n, 4);
	assert_int_equal(p[0], 22);
	assert_int_equal(p[1], 8000);
	assert_int_equal(p[3], 8002);
	free(p);
	assert_int_equal(ld_census_parse_ports("1-65535", &p, &n, ctx), 0);
	assert_int_equal(n, 65535);
	free(p);
	assert_int_equal(ld_census_parse_ports("0", &p, &n, ctx), LADING_EUSAGE);
	assert_int_equal(ld_census_parse_ports("80-22", &p, &n, ctx), LADING_EUSAGE);
	assert_int_equal(ld_census_parse_ports("80,,", &p, &n, ctx), LADING_EUSAGE);
	assert_int_equal(ld_census_parse_ports("http", &p, &n, ctx), LADING_EUSAGE);
	assert_int_equal(ld_census_parse_ports("", &p, &n, ctx), LADING_EUSAGE);
	assert_int_equal(ld_census_parse_ports("65536", &p, &n, ctx), LADING_EUSAGE);
	lading_ctx_free(ctx);
}

static void test_probe(void **state)
{
	lading_ctx *ctx;
	lading_census *c;
	server ssh, silent, flood, redis;
	lading_probe_options o = LADING_PROBE_OPTIONS_INIT;
	char t[5][64], ports[64];
	const char *targets[5];
	const lading_probe_stats *st;
	const lading_census_record *r;
	unsigned refused = closed_port();
	(void)state;
	start(&ssh, SRV_SSH);
	start(&silent, SRV_SILENT);
	start(&flood, SRV_FLOOD);
	start(&redis, SRV_REDIS);
	snprintf(t[0], sizeof(t[0]), "127.0.0.1:%u", ssh.port);
	snprintf(t[1], sizeof(t[1]), "127.0.0.1:%u", silent.port);
	snprintf(t[2], sizeof(t[2]), "127.0.0.1:%u", flood.port);
	snprintf(t[3], sizeof(t[3]), "127.0.0.1:%u", redis.port);
	snprintf(t[4], sizeof(t[4]), "127.0.0.1:%u", refused);
	for (int i = 0; i < 5; i++)
		targets[i] = t[i];
	o.timeout_ms = 300;
	o.banner_ms = 100;
	o.max_bytes = 10000;
	o.concurrency = 2; /* fewer slots than targets: slots are reused */
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(lading_probe(&c, ctx, targets, 5, &o), 0);
	st = lading_census_probe_stats(c);
	assert_int_equal(st->targets, 5);
	assert_int_equal(st->open, 4);
	assert_int_equal(st->refused, 1);
	assert_int_equal(st->identified, 2);
	assert_true(st->bytes_read <= 4 * 10000);
	assert_int_equal(lading_census_count(c), 4);
	/* records in target order whatever the order they finished in */
	r = lading_census_record_at(c, 0);
	assert_int_equal(r->port, ssh.port);
	assert_string_equal(r->product, "openssh");
	assert_string_equal(r->distro, "Debian-2+deb12u3");
	assert_string_equal(r->source, "probe");
	r = lading_census_record_at(c, 1);
	assert_int_equal(r->port, silent.port);
	assert_null(r->product);
	assert_non_null(strstr(r->note, "answered no probe"));
	r = lading_census_record_at(c, 2);
	assert_int_equal(r->port, flood.port);
	assert_null(r->product);
	assert_true(strlen(r->evidence) <= 4 * LD_CENSUS_EVIDENCE_MAX + 3);
	r = lading_census_record_at(c, 3);
	assert_string_equal(r->target, "127.0.0.1");
	assert_string_equal(r->product, "redis");
	assert_string_equal(r->version, "7.2.4");
	lading_census_free(c);

	/* a port list and a /30: the listener is bound to 127.0.0.1 only, the others refuse */
	snprintf(ports, sizeof(ports), "%u", ssh.port);
	o.ports = ports;
	targets[0] = "127.0.0.0/30";
	assert_int_equal(lading_probe(&c, ctx, targets, 1, &o), 0);
	assert_int_equal(lading_census_probe_stats(c)->targets, 4);
	assert_int_equal(lading_census_count(c), 1);
	for (size_t i = 0; i < lading_census_count(c); i++)
		assert_string_equal(lading_census_record_at(c, i)->product, "openssh");
	lading_census_free(c);

	o.max_targets = 3;
	assert_int_equal(lading_probe(&c, ctx, targets, 1, &o), LADING_ELIMIT);
	o.max_targets = 0;
	targets[0] = "127.0.0.1:99999";
	assert_int_equal(lading_probe(&c, ctx, targets, 1, &o), LADING_EUSAGE);
	targets[0] = "10.0.0.0/40";
	assert_int_equal(lading_probe(&c, ctx, targets, 1, &o), LADING_EUSAGE);
	targets[0] = "[::1";
	assert_int_equal(lading_probe(&c, ctx, targets, 1, &o), LADING_EUSAGE);
	assert_int_equal(lading_probe(&c, ctx, targets, 0, &o), LADING_EUSAGE);
	o.version = 99;
	assert_int_equal(lading_probe(&c, ctx, targets, 1, &o), LADING_EUSAGE);
	stop(&ssh);
	stop(&silent);
	stop(&flood);
	stop(&redis);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_ports), cmocka_unit_test(test_probe)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
