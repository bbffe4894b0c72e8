/* Honeypot service: a child process runs the emulations on loopback; the test speaks the raw
 * protocols (pipelining, keep-alive, chunked bodies, junk, the MySQL auth switch), checks the
 * replies and then every line of the event log. A second instance checks the limits (connections
 * per source, idle timeout, bytes kept per session). Real clients are in the integration tests. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "util/json.h"
#include "lading/honeypot.h"

typedef struct child {
	pid_t pid;
	uint16_t port[8]; /* by listener index */
	char log[1100];
} child;

static char dir[1024];
static lading_honeypot *g_hp;

static void on_term(int sig)
{
	(void)sig;
	if (g_hp)
		lading_honeypot_stop(g_hp);
}

/* Start a honeypot with these "name value" option pairs; ports come back through a pipe. */
static void start(child *ch, const char *name, const char *const *opts)
{
	int p[2];
	ld_snprintf(ch->log, sizeof(ch->log), "%s/%s.jsonl", dir, name);
	unlink(ch->log);
	assert_int_equal(pipe(p), 0);
	ch->pid = fork();
	assert_true(ch->pid >= 0);
	if (ch->pid == 0) {
		lading_honeypot_options o;
		lading_ctx *ctx;
		uint16_t ports[8] = {0};
		close(p[0]);
		lading_ctx_new(&ctx);
		lading_honeypot_options_init(&o);
		lading_honeypot_options_set(&o, "log", ch->log, ctx);
		lading_honeypot_options_set(&o, "sensor", "unit", ctx);
		for (size_t i = 0; opts[i]; i += 2)
			if (lading_honeypot_options_set(&o, opts[i], opts[i + 1], ctx) != 0)
				_exit(2);
		if (lading_honeypot_new(&g_hp, &o, ctx) != 0) {
			fprintf(stderr, "honeypot: %s\n", lading_ctx_error(ctx)->msg);
			_exit(3);
		}
		for (size_t i = 0; i < lading_honeypot_listener_count(g_hp) && i < 8; i++) {
			const char *svc;
			char addr[128];
			lading_honeypot_listener(g_hp, i, &svc, addr, sizeof(addr));
			ports[i] = (uint16_t)strtoul(strrchr(addr, ':') + 1, NULL, 10);
		}
		signal(SIGTERM, on_term);
		signal(SIGPIPE, SIG_IGN);
		if (write(p[1], ports, sizeof(ports)) != sizeof(ports))
			_exit(4);
		close(p[1]);
		_exit(lading_honeypot_run(g_hp, ctx) == 0 ? 0 : 5);
	}
	close(p[1]);
	assert_int_equal(read(p[0], ch->port, sizeof(ch->port)), sizeof(ch->port));
	close(p[0]);
}

static void stop(child *ch)
{
	int status;
	kill(ch->pid, SIGTERM);
	assert_int_equal(waitpid(ch->pid, &status, 0), ch->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int dial(uint16_t port)
{
	struct sockaddr_in a = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static void put(int fd, const void *p, size_t n)
{
	assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void puts_(int fd, const char *s)
{
	put(fd, s, strlen(s));
}

/* Read until `want` appears (or n bytes when want is NULL), the peer closes, or 5 s pass. */
static size_t get(int fd, char *buf, size_t cap, const char *want, size_t n)
{
	size_t len = 0;
	for (;;) {
		struct pollfd pf = {fd, POLLIN, 0};
		ssize_t r;
		buf[len] = '\0';
		if ((want && memmem(buf, len, want, strlen(want))) || (!want && len >= n))
			return len;
		if (poll(&pf, 1, 5000) <= 0)
			return len;
		r = recv(fd, buf + len, cap - 1 - len, 0);
		if (r <= 0)
			return len;
		len += (size_t)r;
	}
}

static bool closed_by_peer(int fd)
{
	char c;
	struct pollfd pf = {fd, POLLIN, 0};
	if (poll(&pf, 1, 5000) <= 0)
		return false;
	return recv(fd, &c, 1, 0) <= 0;
}

static int setup(void **state)
{
	const char *w = getenv("LADING_WORK");
	(void)state;
	mkdir(w ? w : "/tmp", 0755);
	ld_snprintf(dir, sizeof(dir), "%s/unit-honeypot-service", w ? w : "/tmp");
	mkdir(dir, 0777);
	chmod(dir,
	      0777); /* started as root, the honeypot runs as nobody and rotates its log here */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* Parse every line of the log; count events by id. */
typedef struct logcheck {
	size_t lines;
	size_t n_redis, n_login, n_connect, n_closed, n_docker, n_bad, n_truncated, n_limit;
	bool start, stop;
	char password[64];
	char binds[256];
	char config_dir[256];
} logcheck;

static void read_log(const char *path, logcheck *lc)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	lading_ctx *ctx;
	memset(lc, 0, sizeof(*lc));
	assert_non_null(f);
	lading_ctx_new(&ctx);
	while ((n = getline(&line, &cap, f)) > 0) {
		ld_arena a;
		ld_json *v;
		const char *id;
		ld_arena_init(&a, 0);
		if (ld_json_parse(&v, &a, line, (size_t)n, NULL, ctx, "event") != 0)
			fail_msg("bad log line: %s", line);
		lc->lines++;
		id = ld_json_get_str(v, "eventid");
		assert_non_null(id);
		assert_non_null(ld_json_get_str(v, "timestamp"));
		assert_string_equal(ld_json_get_str(v, "sensor"), "unit");
		if (strncmp(id, "honeypot.", 9)) {
			/* connection events carry the common fields */
			assert_non_null(ld_json_get_str(v, "session"));
			assert_string_equal(ld_json_get_str(v, "src_ip"), "127.0.0.1");
			assert_non_null(ld_json_get(v, "src_port"));
			assert_non_null(ld_json_get(v, "dst_port"));
			assert_non_null(ld_json_get_str(v, "service"));
			assert_true(ld_json_is(ld_json_get(v, "request"), LD_JSON_OBJECT));
		}
		lc->n_truncated += ld_json_bool(ld_json_get(v, "truncated"), false);
		if (!strcmp(id, "redis.command")) {
			const ld_json *args = ld_json_getp(v, "request", "args", NULL);
			lc->n_redis++;
			if (!strcmp(ld_json_str_or(ld_json_getp(v, "request", "command", NULL), ""),
				    "CONFIG") &&
			    ld_json_len(args) == 3)
				ld_strlcpy(lc->config_dir, ld_json_str_or(ld_json_at(args, 2), ""),
					   sizeof(lc->config_dir));
		} else if (!strcmp(id, "mysql.login")) {
			lc->n_login++;
			ld_strlcpy(lc->password,
				   ld_json_str_or(ld_json_getp(v, "request", "password", NULL), ""),
				   sizeof(lc->password));
		} else if (!strcmp(id, "session.connect")) {
			lc->n_connect++;
		} else if (!strcmp(id, "session.closed")) {
			lc->n_closed++;
		} else if (!strncmp(id, "docker.", 7)) {
			lc->n_docker++;
			if (!strcmp(id, "docker.container.create"))
				ld_strlcpy(lc->binds,
					   ld_json_str_or(ld_json_at(ld_json_getp(v, "request",
										  "binds", NULL),
								     0),
							  ""),
					   sizeof(lc->binds));
		} else if (!strcmp(id, "http.bad_request") || !strcmp(id, "redis.protocol_error")) {
			lc->n_bad++;
		} else if (!strcmp(id, "honeypot.start")) {
			lc->start = true;
		} else if (!strcmp(id, "honeypot.stop")) {
			lc->stop = true;
		} else if (!strcmp(id, "honeypot.limit")) {
			lc->n_limit++;
		}
		ld_arena_release(&a);
	}
	free(line);
	fclose(f);
	lading_ctx_free(ctx);
}

static void test_conversations(void **state)
{
	static const char *const opts[] = {"redis", "0", "docker", "0", "mysql", "0", NULL};
	child ch;
	char buf[65536];
	int fd;
	size_t n;
	logcheck lc;
	(void)state;
	start(&ch, "conv", opts);

	/* Redis: three pipelined commands in one write, replies in order; state per connection */
	fd = dial(ch.port[0]);
	puts_(fd, "*1\r\n$4\r\nPING\r\n*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$3\r\ndir\r\n$8\r\n/root/"
		  ".s\r\n"
		  "CONFIG GET dir\r\n");
	n = get(fd, buf, sizeof(buf), "/root/.s\r\n", 0);
	assert_true(n > 0);
	assert_string_equal(buf, "+PONG\r\n+OK\r\n*2\r\n$3\r\ndir\r\n$8\r\n/root/.s\r\n");
	/* a command split across writes */
	puts_(fd, "*2\r\n$4\r\nECHO\r\n$5\r\nhe");
	usleep(50000);
	puts_(fd, "llo\r\n");
	get(fd, buf, sizeof(buf), "hello\r\n", 0);
	assert_string_equal(buf, "$5\r\nhello\r\n");
	puts_(fd, "*1\r\n+x\r\n");
	get(fd, buf, sizeof(buf), NULL, 1000);
	assert_non_null(strstr(buf, "-ERR Protocol error: expected '$'"));
	assert_true(closed_by_peer(fd));
	close(fd);

	/* Docker: keep-alive pipelining, a chunked create body, junk */
	fd = dial(ch.port[1]);
	{
		static const char *const piece[] = {
			"{\"Image\":\"alpin",
			"e\",\"HostConfig\":{\"Binds\":", "[\"/:/host\"]}}     "};
		ld_buf req;
		ld_buf_init(&req, 0);
		ld_buf_adds(&req, "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\nPOST "
				  "/v1.41/containers/create HTTP/1.1\r\n"
				  "Host: x\r\nTransfer-Encoding: chunked\r\nContent-Type: "
				  "application/json\r\n\r\n");
		for (size_t i = 0; i < 3; i++)
			ld_buf_addf(&req, "%zx\r\n%s\r\n", strlen(piece[i]), piece[i]);
		ld_buf_adds(&req, "0\r\n\r\n");
		put(fd, req.ptr, req.len);
		ld_buf_release(&req);
	}
	n = get(fd, buf, sizeof(buf), "\"Warnings\":[]}", 0);
	assert_non_null(strstr(buf, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(buf, "Api-Version: 1.41\r\n"));
	assert_non_null(strstr(buf, "\r\n\r\nOK"));
	assert_non_null(strstr(buf, "HTTP/1.1 201 Created\r\n"));
	assert_null(strstr(buf, "Connection: close"));
	puts_(fd, "\x16\x03\x01\x02\x10 junk\r\n\r\n");
	get(fd, buf, sizeof(buf), "400 Bad Request\n", 0);
	assert_non_null(strstr(buf, "HTTP/1.1 400 Bad Request\r\n"));
	assert_true(closed_by_peer(fd));
	close(fd);

	/* MySQL: greeting, login with plugin auth, the switch to cleartext, then 1045 */
	fd = dial(ch.port[2]);
	n = get(fd, buf, sizeof(buf), "mysql_native_password", 0);
	assert_true(n > 40);
	assert_int_equal((unsigned char)buf[4], 10); /* protocol version */
	assert_string_equal(buf + 5, "5.7.42-0ubuntu0.18.04.1");
	{
		unsigned char pkt[96] = {0};
		size_t k = 4;
		static const unsigned char head[] = {0x85, 0xa6, 0x0f, 0x00, 0, 0, 0, 1, 0x21};
		memcpy(pkt + k, head, sizeof(head));
		k += sizeof(head) + 23;
		memcpy(pkt + k, "admin", 6);
		k += 6;
		pkt[k++] = 20; /* scramble length (secure connection) */
		memset(pkt + k, 0xab, 20);
		k += 20;
		memcpy(pkt + k, "mysql_native_password", 22);
		k += 22;
		pkt[0] = (unsigned char)(k - 4);
		pkt[3] = 1;
		put(fd, pkt, k);
	}
	n = get(fd, buf, sizeof(buf), "mysql_clear_password", 0);
	assert_true(n > 5);
	assert_int_equal((unsigned char)buf[3], 2);    /* sequence id */
	assert_int_equal((unsigned char)buf[4], 0xfe); /* AuthSwitchRequest */
	put(fd, "\x0a\x00\x00\x03hunter2!!\x00", 14);
	n = get(fd, buf, sizeof(buf), "(using password: YES)", 0);
	assert_int_equal((unsigned char)buf[4], 0xff);
	assert_int_equal((unsigned char)buf[5] | (unsigned char)buf[6] << 8, 1045);
	assert_non_null(memmem(buf, n, "Access denied for user 'admin'@'127.0.0.1'", 42));
	assert_true(closed_by_peer(fd));
	close(fd);

	/* a client that hangs up instead of answering the switch is still one attempt */
	fd = dial(ch.port[2]);
	get(fd, buf, sizeof(buf), "mysql_native_password", 0);
	{
		unsigned char pkt[64] = {0};
		static const unsigned char head[] = {0x85, 0xa6, 0x0f, 0x00, 0, 0, 0, 1, 0x21};
		size_t k = 4;
		memcpy(pkt + k, head, sizeof(head));
		k += sizeof(head) + 23;
		memcpy(pkt + k, "sa", 3);
		k += 3;
		pkt[k++] = 1;
		pkt[k++] = 0x55;
		pkt[0] = (unsigned char)(k - 4);
		pkt[3] = 1;
		put(fd, pkt, k);
	}
	get(fd, buf, sizeof(buf), "mysql_clear_password", 0);
	close(fd);
	usleep(100000);

	stop(&ch);
	read_log(ch.log, &lc);
	assert_true(lc.start);
	assert_true(lc.stop);
	assert_int_equal(lc.n_redis, 4);
	assert_int_equal(lc.n_bad, 2);
	assert_int_equal(lc.n_login, 2);
	assert_string_equal(lc.password, ""); /* the second attempt: no cleartext */
	assert_int_equal(lc.n_docker, 2);
	assert_string_equal(lc.binds, "/:/host");
	assert_string_equal(lc.config_dir, "/root/.s");
	assert_int_equal(lc.n_connect, 4);
	assert_int_equal(lc.n_closed, 4);
	assert_int_equal(lc.n_truncated, 0);
}

static void test_limits(void **state)
{
	static const char *const opts[] = {"redis",
					   "0",
					   "source-conns",
					   "2",
					   "idle-timeout",
					   "1",
					   "session-keep",
					   "64",
					   "source-conn-rate",
					   "0",
					   NULL};
	child ch;
	char buf[4096], big[300];
	int a, b, c;
	logcheck lc;
	(void)state;
	start(&ch, "limits", opts);
	a = dial(ch.port[0]);
	b = dial(ch.port[0]);
	puts_(a, "PING\r\n");
	get(a, buf, sizeof(buf), "+PONG\r\n", 0);
	assert_string_equal(buf, "+PONG\r\n");
	puts_(b, "PING\r\n");
	get(b, buf, sizeof(buf), "+PONG\r\n", 0);
	/* a third connection from the same source is refused at once */
	c = dial(ch.port[0]);
	assert_true(closed_by_peer(c));
	close(c);
	/* bytes kept per session: a long value is cut in the log */
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	puts_(a, "SET k ");
	puts_(a, big);
	puts_(a, "\r\n");
	get(a, buf, sizeof(buf), "+OK\r\n", 0);
	assert_string_equal(buf, "+OK\r\n");
	/* idle connections are closed (slow-drip clients do not hold a slot) */
	assert_true(closed_by_peer(a));
	assert_true(closed_by_peer(b));
	close(a);
	close(b);
	/* and the slots are free again */
	a = dial(ch.port[0]);
	puts_(a, "PING\r\n");
	get(a, buf, sizeof(buf), "+PONG\r\n", 0);
	assert_string_equal(buf, "+PONG\r\n");
	close(a);
	usleep(100000);
	stop(&ch);
	read_log(ch.log, &lc);
	assert_int_equal(lc.n_truncated, 1);
	assert_int_equal(lc.n_limit, 1);
	assert_int_equal(lc.n_connect, 3);
	assert_int_equal(lc.n_closed, 3);
}

static void test_options(void **state)
{
	lading_honeypot_options o;
	lading_honeypot *hp = NULL;
	lading_ctx *ctx;
	char path[1100];
	FILE *f;
	(void)state;
	lading_ctx_new(&ctx);
	lading_honeypot_options_init(&o);
	assert_int_equal(lading_honeypot_options_set(&o, "redis", "127.0.0.1:6379", ctx), 0);
	assert_int_equal(lading_honeypot_options_set(&o, "kube", "[::1]:6443", ctx), 0);
	assert_int_equal(lading_honeypot_options_set(&o, "redis", "localhost:6379", ctx),
			 LADING_EUSAGE);
	assert_int_equal(lading_honeypot_options_set(&o, "redis", "70000", ctx), LADING_EUSAGE);
	assert_int_equal(lading_honeypot_options_set(&o, "rotate-size", "10M", ctx), 0);
	assert_int_equal(o.log_rotate_bytes, 10u << 20);
	assert_int_equal(lading_honeypot_options_set(&o, "max-sessions", "x", ctx), LADING_EUSAGE);
	assert_int_equal(lading_honeypot_options_set(&o, "frobnicate", "1", ctx), LADING_EUSAGE);
	assert_int_equal(o.nlisten, 2);
	/* the log budget's defaults and the MySQL accept list */
	assert_int_equal(o.session_events, 1000);
	assert_int_equal(o.source_log_rate, 1024);
	assert_int_equal(o.source_log_burst, 2u << 20);
	assert_int_equal(lading_honeypot_options_set(&o, "source-log-burst", "64K", ctx), 0);
	assert_int_equal(o.source_log_burst, 64u << 10);
	assert_int_equal(lading_honeypot_options_set(&o, "mysql-accept", "root:toor", ctx), 0);
	assert_int_equal(lading_honeypot_options_set(&o, "mysql-accept", "admin:a:b", ctx), 0);
	assert_string_equal(o.mysql_accept, "root:toor,admin:a:b");
	assert_int_equal(lading_honeypot_options_set(&o, "mysql-accept", "nopassword", ctx),
			 LADING_EUSAGE);
	assert_int_equal(lading_honeypot_options_set(&o, "mysql-accept", "a:b,c:d", ctx),
			 LADING_EUSAGE);
	/* no log */
	assert_int_equal(lading_honeypot_new(&hp, &o, ctx), LADING_EUSAGE);
	ld_snprintf(path, sizeof(path), "%s/hp.conf", dir);
	f = fopen(path, "w");
	fputs("# comment\nsensor  edge-1\nmysql 3306   # trailing\n--kube-tls = yes\nsource-conns "
	      "7\n",
	      f);
	fclose(f);
	assert_int_equal(lading_honeypot_options_load(&o, path, ctx), 0);
	assert_string_equal(o.sensor, "edge-1");
	assert_true(o.kube_tls);
	assert_int_equal(o.source_max_conns, 7);
	assert_int_equal(o.nlisten, 3);
	assert_string_equal(o.listen[2].addr, "3306");
	f = fopen(path, "w");
	fputs("sensor x\nbogus 1\n", f);
	fclose(f);
	assert_int_equal(lading_honeypot_options_load(&o, path, ctx), LADING_EUSAGE);
	assert_non_null(
		strstr(lading_ctx_error(ctx)->msg, "hp.conf:2: unknown honeypot option 'bogus'"));
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conversations),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_options),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
