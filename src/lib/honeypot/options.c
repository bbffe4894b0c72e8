/* Options of the service: defaults, setting by name (shared by the CLI and the configuration
 * file), and listen addresses. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

#include "util/common.h"
#include "honeypot/hp.h"
#include "util/netaddr.h"

/* Limits of the configuration file (a local, trusted file; the limits only keep a typo like
 * pointing it at a log file from reading gigabytes). */
#define CONFIG_MAX_BYTES (1 << 20)
#define CONFIG_MAX_LINE	 4096

void lading_honeypot_options_init(lading_honeypot_options *o)
{
	memset(o, 0, sizeof(*o));
	o->version = LADING_HONEYPOT_OPTIONS_VERSION;
	if (gethostname(o->sensor, sizeof(o->sensor)) != 0 || !o->sensor[0])
		ld_strlcpy(o->sensor, "lading", sizeof(o->sensor));
	o->sensor[sizeof(o->sensor) - 1] = '\0';
	ld_strlcpy(o->user, "nobody", sizeof(o->user));
	o->log_rotate_bytes = (uint64_t)100 << 20;
	o->log_keep = 10;
	o->flush_ms = 100;
	o->max_sessions = 1024;
	o->max_sources = 65536;
	o->source_max_conns = 32;
	o->source_conn_rate = 50;
	o->source_byte_rate = 256 * 1024;
	o->session_keep_bytes = 1 << 20;
	o->max_buffered = (uint64_t)64 << 20;
	o->idle_timeout_s = 60;
	o->session_timeout_s = 600;
	o->session_events = 1000;
	o->source_log_rate = 1024;
	o->source_log_burst = (uint64_t)2 << 20;
}

/* "123", "64K", "10M", "1G" */
static bool parse_size(const char *v, uint64_t *out)
{
	size_t n = strlen(v);
	uint64_t mul = 1, x;
	if (n && (v[n - 1] == 'K' || v[n - 1] == 'k'))
		mul = 1024;
	else if (n && (v[n - 1] == 'M' || v[n - 1] == 'm'))
		mul = 1024 * 1024;
	else if (n && (v[n - 1] == 'G' || v[n - 1] == 'g'))
		mul = 1024 * 1024 * 1024;
	if (mul > 1)
		n--;
	if (!ld_slice_to_u64(ld_slice_make(v, n), UINT64_MAX / mul, &x))
		return false;
	*out = x * mul;
	return true;
}

static bool parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "1") || !*v)
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "0"))
		*out = false;
	else
		return false;
	return true;
}

/* The options other than the listeners, one line each: the CLI's help, the configuration
 * file and lading_honeypot_options_set all read this table. */
enum { K_PATH, K_NAME, K_FLAG, K_U32, K_U64, K_LOGIN };

typedef struct optdesc {
	lading_honeypot_option_info info;
	int kind;
	size_t off; /* of the field in lading_honeypot_options */
	uint64_t max;
} optdesc;

#define OFF(f) offsetof(lading_honeypot_options, f)

static const optdesc opts[] = {
	{{"log", "FILE", "JSON-lines event log (appended; fsync'd in batches; rotated by size)"},
	 K_PATH, OFF(log_path), sizeof(((lading_honeypot_options *)0)->log_path)},
	{{"kube-tls", NULL, "Kubernetes listeners speak TLS (self-signed certificate made at start)"},
	 K_FLAG, OFF(kube_tls), 0},
	{{"user", "USER", "started as root: switch to USER after binding (default nobody)"}, K_NAME,
	 OFF(user), 64},
	{{"sensor", "NAME", "sensor name in every event (default: host name)"}, K_NAME, OFF(sensor),
	 64},
	{{"max-sessions", "N", "limit: sessions open at once (1024)"}, K_U32, OFF(max_sessions),
	 1000000},
	{{"source-conns", "N", "limit: connections from one source (32)"}, K_U32,
	 OFF(source_max_conns), 1000000},
	{{"source-conn-rate", "N", "limit: new connections per second from one source (50)"}, K_U32,
	 OFF(source_conn_rate), 1000000000},
	{{"source-byte-rate", "BYTES", "limit: bytes per second from one source (256K; 0 = none)"},
	 K_U64, OFF(source_byte_rate), UINT64_MAX},
	{{"session-keep", "BYTES", "limit: bytes of a session kept in its event (1M)"}, K_U64,
	 OFF(session_keep_bytes), UINT64_MAX},
	{{"max-buffered", "BYTES", "limit: bytes buffered for all sessions (64M)"}, K_U64,
	 OFF(max_buffered), UINT64_MAX},
	{{"max-sources", "N", "limit: sources tracked (65536)"}, K_U32, OFF(max_sources), 10000000},
	{{"idle-timeout", "S", "limit: seconds a session may stay silent (60)"}, K_U32,
	 OFF(idle_timeout_s), 86400},
	{{"session-timeout", "S", "limit: seconds a session may last (600)"}, K_U32,
	 OFF(session_timeout_s), 86400 * 7},
	{{"session-events", "N", "limit: events one session logs (1000; 0 = none)"}, K_U32,
	 OFF(session_events), 100000000},
	{{"source-log-rate", "BYTES", "limit: log bytes per second one source may fill (1K; 0 = none)"},
	 K_U64, OFF(source_log_rate), UINT64_MAX},
	{{"source-log-burst", "BYTES", "limit: log bytes one source may fill at once (2M)"}, K_U64,
	 OFF(source_log_burst), UINT64_MAX},
	{{"mysql-accept", "USER:PASSWORD", "let this login in (repeatable): its queries are recorded"},
	 K_LOGIN, OFF(mysql_accept), sizeof(((lading_honeypot_options *)0)->mysql_accept)},
	{{"rotate-size", "BYTES", "log: rotate at this size (100M; 0 = never)"}, K_U64,
	 OFF(log_rotate_bytes), UINT64_MAX},
	{{"rotate-keep", "N", "log: rotated files kept (10)"}, K_U32, OFF(log_keep), 1000},
	{{"flush-ms", "MS", "log: fsync at least this often (100)"}, K_U32, OFF(flush_ms), 60000},
};

size_t lading_honeypot_option_count(void)
{
	return ld_hp_service_count() + LD_ARRAY_LEN(opts);
}

const lading_honeypot_option_info *lading_honeypot_option_at(size_t i)
{
	if (i < ld_hp_service_count())
		return &ld_hp_service((int)i)->opt;
	i -= ld_hp_service_count();
	return i < LD_ARRAY_LEN(opts) ? &opts[i].info : NULL;
}

static int set_listen(lading_honeypot_options *o, int svc, const char *value, lading_ctx *ctx)
{
	struct sockaddr_storage ss;
	size_t len;
	const char *name = ld_hp_service(svc)->opt.name;
	if (o->nlisten >= LADING_HONEYPOT_MAX_LISTEN)
		return ld_error_set(ctx, LADING_ELIMIT, "at most %d listeners",
				    LADING_HONEYPOT_MAX_LISTEN);
	if (strlen(value) >= sizeof(o->listen[0].addr) || ld_net_parse_addr(value, &ss, &len) != 0)
		return ld_error_set(ctx, LADING_EUSAGE,
				    "%s: '%s' is not PORT, IPV4:PORT or [IPV6]:PORT "
				    "(numeric addresses only)",
				    name, value);
	ld_strlcpy(o->listen[o->nlisten].service, name, sizeof(o->listen[0].service));
	ld_strlcpy(o->listen[o->nlisten].addr, value, sizeof(o->listen[0].addr));
	o->nlisten++;
	return 0;
}

/* "user:password" entries, comma-joined. */
static int add_login(char *dst, size_t cap, const char *value, lading_ctx *ctx)
{
	size_t have = strlen(dst);
	if (!strchr(value, ':') || strchr(value, ',') || have + strlen(value) + 2 > cap)
		return ld_error_set(ctx, LADING_EUSAGE,
				    "mysql-accept: USER:PASSWORD (no comma; at most %zu bytes "
				    "in all), not '%s'",
				    cap - 1, value);
	if (have)
		dst[have++] = ',';
	ld_strlcpy(dst + have, value, cap - have);
	return 0;
}

static int set_one(lading_honeypot_options *o, const optdesc *d, const char *value,
		   lading_ctx *ctx)
{
	char *field = (char *)o + d->off;
	const char *name = d->info.name;
	uint64_t n;
	switch (d->kind) {
	case K_PATH:
	case K_NAME:
		if (!*value || strlen(value) >= d->max)
			return ld_error_set(ctx, LADING_EUSAGE, "%s: 1 to %" PRIu64 " bytes are needed",
					    name, d->max - 1);
		ld_strlcpy(field, value, (size_t)d->max);
		return 0;
	case K_FLAG:
		if (!parse_bool(value, (bool *)field))
			return ld_error_set(ctx, LADING_EUSAGE, "%s: true or false, not '%s'", name,
					    value);
		return 0;
	case K_LOGIN:
		return add_login(field, (size_t)d->max, value, ctx);
	default:
		if (!parse_size(value, &n) || n > d->max)
			return ld_error_set(ctx, LADING_EUSAGE,
					    "%s: '%s' is not a number up to %" PRIu64, name, value,
					    d->max);
		if (d->kind == K_U32)
			*(unsigned *)field = (unsigned)n;
		else
			*(uint64_t *)field = n;
		return 0;
	}
}

int lading_honeypot_options_set(lading_honeypot_options *o, const char *name, const char *value,
				lading_ctx *ctx)
{
	int svc;
	if (!value)
		value = "";
	if ((svc = ld_hp_service_by_name(name)) >= 0)
		return set_listen(o, svc, value, ctx);
	for (size_t i = 0; i < LD_ARRAY_LEN(opts); i++)
		if (!strcmp(name, opts[i].info.name))
			return set_one(o, &opts[i], value, ctx);
	return ld_error_set(ctx, LADING_EUSAGE, "unknown honeypot option '%s'", name);
}

int lading_honeypot_options_load(lading_honeypot_options *o, const char *path, lading_ctx *ctx)
{
	FILE *f = fopen(path, "re");
	char line[CONFIG_MAX_LINE];
	size_t total = 0;
	unsigned lineno = 0;
	int rc = 0;
	if (!f)
		return ld_error_set(ctx, errno == ENOENT ? LADING_ENOTFOUND : LADING_EIO,
				    "cannot open %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		char *name, *value, *end;
		lineno++;
		total += n;
		if (total > CONFIG_MAX_BYTES) {
			rc = ld_error_set(ctx, LADING_ELIMIT, "%s: larger than %d bytes", path,
					  CONFIG_MAX_BYTES);
			break;
		}
		if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
			rc = ld_error_set(ctx, LADING_ELIMIT, "%s:%u: line longer than %d bytes",
					  path, lineno, CONFIG_MAX_LINE);
			break;
		}
		if ((end = strchr(line, '#')))
			*end = '\0';
		name = line;
		while (*name == ' ' || *name == '\t')
			name++;
		end = name + strlen(name);
		while (end > name &&
		       (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
			*--end = '\0';
		if (!*name)
			continue;
		value = name + strcspn(name, " \t=");
		if (*value) {
			*value++ = '\0';
			while (*value == ' ' || *value == '\t' || *value == '=')
				value++;
		}
		if (name[0] == '-' && name[1] == '-')
			name += 2;
		if ((rc = lading_honeypot_options_set(o, name, value, ctx)) != 0) {
			ld_error_prefix(ctx, "%s:%u: ", path, lineno);
			break;
		}
	}
	fclose(f);
	return rc;
}
