/* Options of the service: defaults, setting by name (shared by the CLI and the configuration
 * file), and listen addresses. */
#include <arpa/inet.h>
#include <netinet/in.h>
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

int lading_honeypot_options_set(lading_honeypot_options *o, const char *name, const char *value,
				lading_ctx *ctx)
{
	uint64_t n;
	int svc;
	struct {
		const char *name;
		unsigned *u32;
		uint64_t *u64;
		uint64_t max;
	} nums[] = {
		{"rotate-keep", &o->log_keep, NULL, 1000},
		{"flush-ms", &o->flush_ms, NULL, 60000},
		{"max-sessions", &o->max_sessions, NULL, 1000000},
		{"max-sources", &o->max_sources, NULL, 10000000},
		{"source-conns", &o->source_max_conns, NULL, 1000000},
		{"source-conn-rate", &o->source_conn_rate, NULL, 1000000000},
		{"idle-timeout", &o->idle_timeout_s, NULL, 86400},
		{"session-timeout", &o->session_timeout_s, NULL, 86400 * 7},
		{"session-events", &o->session_events, NULL, 100000000},
		{"source-log-rate", NULL, &o->source_log_rate, UINT64_MAX},
		{"source-log-burst", NULL, &o->source_log_burst, UINT64_MAX},
		{"rotate-size", NULL, &o->log_rotate_bytes, UINT64_MAX},
		{"source-byte-rate", NULL, &o->source_byte_rate, UINT64_MAX},
		{"session-keep", NULL, &o->session_keep_bytes, UINT64_MAX},
		{"max-buffered", NULL, &o->max_buffered, UINT64_MAX},
	};

	if (!value)
		value = "";
	if ((svc = ld_hp_service_by_name(name)) >= 0) {
		struct sockaddr_storage ss;
		size_t len;
		if (o->nlisten >= LADING_HONEYPOT_MAX_LISTEN)
			return ld_error_set(ctx, LADING_ELIMIT, "at most %d listeners",
					    LADING_HONEYPOT_MAX_LISTEN);
		if (strlen(value) >= sizeof(o->listen[0].addr) ||
		    ld_net_parse_addr(value, &ss, &len) != 0)
			return ld_error_set(ctx, LADING_EUSAGE,
					    "%s: '%s' is not PORT, IPV4:PORT or [IPV6]:PORT "
					    "(numeric addresses only)",
					    name, value);
		ld_strlcpy(o->listen[o->nlisten].service, ld_hp_service(svc)->name,
			   sizeof(o->listen[0].service));
		ld_strlcpy(o->listen[o->nlisten].addr, value, sizeof(o->listen[0].addr));
		o->nlisten++;
		return 0;
	}
	if (!strcmp(name, "log")) {
		if (!*value || strlen(value) >= sizeof(o->log_path))
			return ld_error_set(ctx, LADING_EUSAGE,
					    "log: a file path (shorter than %zu bytes) is needed",
					    sizeof(o->log_path));
		ld_strlcpy(o->log_path, value, sizeof(o->log_path));
		return 0;
	}
	if (!strcmp(name, "sensor") || !strcmp(name, "user")) {
		char *dst = !strcmp(name, "sensor") ? o->sensor : o->user;
		if (!*value || strlen(value) >= 64)
			return ld_error_set(ctx, LADING_EUSAGE,
					    "%s: a name of 1 to 63 bytes is needed", name);
		ld_strlcpy(dst, value, 64);
		return 0;
	}
	if (!strcmp(name, "mysql-accept")) {
		size_t have = strlen(o->mysql_accept);
		if (!strchr(value, ':') || strchr(value, ',') ||
		    have + strlen(value) + 2 > sizeof(o->mysql_accept))
			return ld_error_set(ctx, LADING_EUSAGE,
					    "mysql-accept: USER:PASSWORD (no comma; at most %zu bytes "
					    "in all), not '%s'",
					    sizeof(o->mysql_accept) - 1, value);
		if (have)
			o->mysql_accept[have++] = ',';
		ld_strlcpy(o->mysql_accept + have, value, sizeof(o->mysql_accept) - have);
		return 0;
	}
	if (!strcmp(name, "kube-tls")) {
		if (!parse_bool(value, &o->kube_tls))
			return ld_error_set(ctx, LADING_EUSAGE, "kube-tls: true or false, not '%s'",
					    value);
		return 0;
	}
	for (size_t i = 0; i < LD_ARRAY_LEN(nums); i++) {
		if (strcmp(name, nums[i].name))
			continue;
		if (!parse_size(value, &n) || n > nums[i].max)
			return ld_error_set(ctx, LADING_EUSAGE,
					    "%s: '%s' is not a number up to %" PRIu64, name, value,
					    nums[i].max);
		if (nums[i].u32)
			*nums[i].u32 = (unsigned)n;
		else
			*nums[i].u64 = n;
		return 0;
	}
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
