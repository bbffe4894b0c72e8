#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Messages carry image-controlled text (entry names, tags, package names): printed escaped
 * (lading_text_escape), so no control byte from an image reaches the terminal. */
void cli_eprint(const char *prefix, const char *msg)
{
	char buf[4096];
	lading_text_escape(msg, buf, sizeof(buf));
	fprintf(stderr, "%s%s\n", prefix, buf);
}

int cli_fail(lading_ctx *ctx, int rc)
{
	const lading_error *e = lading_ctx_error(ctx);
	if (e->code && e->msg[0])
		cli_eprint("lading: ", e->msg);
	else
		fprintf(stderr, "lading: %s\n", lading_strerror(rc));
	return rc == LADING_EUSAGE ? EXIT_USAGE : EXIT_ERROR;
}

int cli_usage(const char *fmt, ...)
{
	va_list ap;
	fputs("lading: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

void cli_print_warnings(lading_ctx *ctx, bool verbose)
{
	size_t n = lading_ctx_warning_count(ctx), kept = lading_ctx_warning_kept(ctx);
	if (!n)
		return;
	if (verbose) {
		for (size_t i = 0; i < kept; i++)
			cli_eprint("lading: warning: ", lading_ctx_warning(ctx, i));
		if (n > kept)
			fprintf(stderr, "lading: ... and %zu more warnings\n", n - kept);
	} else {
		char first[4096];
		lading_text_escape(kept ? lading_ctx_warning(ctx, 0) : "", first, sizeof(first));
		fprintf(stderr, "lading: %zu warning%s (malformed entries skipped); first: %s\n", n,
			n == 1 ? "" : "s", first);
	}
}

/* Write all of data to fd; 0 or -1 (errno set). */
static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* A new temporary beside `path` (same directory, so rename is atomic): O_EXCL|O_NOFOLLOW, so
 * neither a planted symlink nor an existing file is ever opened. */
static int open_temp(const char *path, char *tmp, size_t tmpsz)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned long r = 0;
		int fd;
		/* an unpredictable name (O_EXCL would refuse a planted one anyway) */
		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			r = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16) ^ (unsigned long)attempt;
		}
		if ((size_t)snprintf(tmp, tmpsz, "%.*s.%s.%lx.tmp", dirlen, path, path + dirlen, r) >=
		    tmpsz) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

/* A regular file (or a new path): temporary + rename, keeping an existing file's permissions. */
static int write_replace(const char *path, const struct stat *old, const char *data, size_t len)
{
	char tmp[PATH_MAX + 64];
	int fd = open_temp(path, tmp, sizeof(tmp)), err;
	if (fd < 0)
		return -1;
	if ((old && fchmod(fd, old->st_mode & 07777) != 0) || write_all(fd, data, len) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	return 0;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = err;
	return -1;
}

/* Anything else (a device, a FIFO, a socket, or a symlink the user named, followed): written in
 * place. Never created over or renamed onto: replacing /dev/null with a file breaks the machine.
 * Only a regular file reached through a symlink is truncated. */
static int write_in_place(const char *path, const char *data, size_t len)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_CREAT, 0666), err;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || (S_ISREG(st.st_mode) && ftruncate(fd, 0) != 0) ||
	    write_all(fd, data, len) != 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return close(fd);
}

int cli_write_file(const char *path, const char *data, size_t len)
{
	struct stat st;
	if (lstat(path, &st) != 0) {
		if (errno != ENOENT)
			return -1;
		return write_replace(path, NULL, data, len);
	}
	if (S_ISREG(st.st_mode))
		return write_replace(path, &st, data, len);
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	return write_in_place(path, data, len);
}

int cli_write_output(const char *path, const char *data, size_t len)
{
	if (!path || !strcmp(path, "-")) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
			fprintf(stderr, "lading: cannot write output: %s\n", strerror(errno));
			return EXIT_ERROR;
		}
		return EXIT_OK;
	}
	if (cli_write_file(path, data, len) != 0) {
		fprintf(stderr, "lading: cannot write %s: %s\n", path, strerror(errno));
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

bool cli_flag(char **argv, int i, const char *name)
{
	return strcmp(argv[i], name) == 0;
}

bool cli_opt(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n) != 0)
		return false;
	if (a[n] == '=') {
		*val = a + n + 1;
		return true;
	}
	if (a[n] != '\0')
		return false;
	if (*i + 1 >= argc) {
		*val = NULL;
		return true;
	}
	*val = argv[++*i];
	return true;
}

/* ---- progress bar ---- */

static int progress_active;
static struct timespec progress_last;
/* the library reports from several threads (layer readers, downloads) */
static pthread_mutex_t progress_mu = PTHREAD_MUTEX_INITIALIZER;

/* Per-layer download state: "downloading" reports come from one thread per layer. */
#define DL_MAX 1024
static uint64_t dl_done[DL_MAX], dl_total[DL_MAX];
static size_t dl_count;
static bool dl_seen;

/* NO_COLOR (no-color.org) set: no escape sequences at all; the bar is erased with spaces. */
static bool progress_plain;
#define PROGRESS_COLUMNS 79

/* Clear the rest of a line whose first n columns were written. */
static void end_line(int n)
{
	if (!progress_plain)
		fputs("\033[K", stderr);
	else if (n >= 0 && n < PROGRESS_COLUMNS)
		fprintf(stderr, "%*s", PROGRESS_COLUMNS - n, "");
}

static void render_downloads(void)
{
	uint64_t sd = 0, st = 0;
	size_t finished = 0, shown = 0;
	char line[256];
	int o;
	for (size_t i = 0; i < dl_count && i < DL_MAX; i++) {
		sd += dl_done[i];
		st += dl_total[i];
		finished += dl_total[i] && dl_done[i] >= dl_total[i];
	}
	o = snprintf(line, sizeof(line), "downloading %zu/%zu layers %.1f/%.1f MB", finished, dl_count,
		     (double)sd / 1e6, (double)st / 1e6);
	for (size_t i = 0; i < dl_count && i < DL_MAX && shown < 4 && o > 0 && (size_t)o < sizeof(line); i++) {
		if (!dl_total[i] || !dl_done[i] || dl_done[i] >= dl_total[i])
			continue;
		o += snprintf(line + o, sizeof(line) - (size_t)o, "  [%zu] %3.0f%%", i + 1,
			      100.0 * (double)dl_done[i] / (double)dl_total[i]);
		shown++;
	}
	fputc('\r', stderr);
	end_line(fprintf(stderr, "%s", line));
}

static void progress_cb(void *opaque, const char *what, size_t index, size_t count, uint64_t done,
			uint64_t total)
{
	struct timespec now;
	double ms;
	bool download = !strcmp(what, "downloading");
	(void)opaque;
	pthread_mutex_lock(&progress_mu);
	if (download) {
		dl_seen = true;
		dl_count = count;
		if (index < DL_MAX) {
			dl_done[index] = done;
			dl_total[index] = total ? total : done;
		}
	} else if (dl_seen) {
		/* while downloading, the per-layer download line says more than "reading layers" */
		pthread_mutex_unlock(&progress_mu);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - progress_last.tv_sec) * 1e3 + (double)(now.tv_nsec - progress_last.tv_nsec) / 1e6;
	if (progress_active && ms < 100 && done != total) {
		pthread_mutex_unlock(&progress_mu);
		return;
	}
	progress_last = now;
	progress_active = 1;
	if (download) {
		render_downloads();
	} else if (total) {
		int width = 30, fill = (int)((double)done / (double)total * width);
		if (fill > width)
			fill = width;
		fputc('\r', stderr);
		end_line(fprintf(stderr, "%s %zu/%zu [%.*s%*s] %5.1f%% ", what, index + 1, count, fill,
				 "##############################", width - fill, "",
				 100.0 * (double)done / (double)total));
	} else {
		fputc('\r', stderr);
		end_line(fprintf(stderr, "%s %zu/%zu %.1f MB ", what, index + 1, count, (double)done / 1e6));
	}
	fflush(stderr);
	pthread_mutex_unlock(&progress_mu);
}

bool cli_quiet;

static bool no_color(void)
{
	const char *v = getenv("NO_COLOR");
	return v && *v;
}

void cli_progress_install(lading_ctx *ctx)
{
	if (cli_quiet || !isatty(STDERR_FILENO) || getenv("LADING_NO_PROGRESS"))
		return;
	progress_plain = no_color();
	lading_ctx_set_progress(ctx, progress_cb, NULL);
}

void cli_progress_step(const char *what, size_t index, size_t count)
{
	if (cli_quiet || !isatty(STDERR_FILENO) || getenv("LADING_NO_PROGRESS"))
		return;
	progress_plain = no_color();
	progress_cb(NULL, what, index, count, index + 1, count);
}

void cli_progress_done(void)
{
	pthread_mutex_lock(&progress_mu);
	if (progress_active) {
		fputc('\r', stderr);
		end_line(0);
		fputc('\r', stderr);
		fflush(stderr);
		progress_active = 0;
	}
	dl_seen = false;
	pthread_mutex_unlock(&progress_mu);
}

/* ---- data files ---- */

static bool readable(const char *path)
{
	return access(path, R_OK) == 0;
}

int cli_data_file(const char *name, char *out, size_t outsz)
{
	char exe[PATH_MAX], *slash;
	const char *env = getenv("LADING_DATA_DIR");
	ssize_t n;
	if (env && *env) {
		snprintf(out, outsz, "%s/%s", env, name);
		return readable(out) ? 0 : -1;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(out, outsz, "no /proc/self/exe; set LADING_DATA_DIR");
		return -1;
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	/* installed: PREFIX/bin/lading reads PREFIX/share/lading (LADING_DATA_REL: relative to bin/, from CMake) */
	snprintf(out, outsz, "%s/%s/%s", exe, LADING_DATA_REL, name);
	if (readable(out))
		return 0;
	/* in its build directory: the source tree's data/ (never for an installed copy) */
	if (!strcmp(exe, LADING_BUILD_DIR)) {
		snprintf(out, outsz, "%s/%s", LADING_SOURCE_DATA_DIR, name);
		if (readable(out))
			return 0;
	}
	snprintf(out, outsz, "%s/%s/%s", exe, LADING_DATA_REL, name);
	return -1;
}

/* ---- registry and cache options ---- */

int cli_image_flag(int argc, char **argv, int *i, cli_image_opts *o)
{
	const char *val;
	if (cli_flag(argv, *i, "--insecure")) {
		o->insecure = true;
	} else if (cli_flag(argv, *i, "--no-cache")) {
		o->no_cache = true;
	} else if (cli_flag(argv, *i, "--password-stdin")) {
		o->password_stdin = true;
	} else if (cli_opt(argc, argv, i, "--insecure-registry", &val)) {
		if (!val || !*val || strchr(val, '/'))
			return cli_usage("--insecure-registry takes a registry: HOST or HOST:PORT");
		if (o->insecure_registry_count >= CLI_MAX_INSECURE_REGISTRIES)
			return cli_usage("--insecure-registry: at most 64");
		o->insecure_registries[o->insecure_registry_count++] = val;
	} else if (cli_opt(argc, argv, i, "--docker-host", &val)) {
		if (!val || !*val)
			return cli_usage("--docker-host needs a URL");
		o->docker_host = val;
	} else if (cli_flag(argv, *i, "--tls-verify")) {
		cli_docker_tls_verify();
	} else if (cli_opt(argc, argv, i, "--max-memory", &val)) {
		if (!val || !cli_parse_size(val, &o->max_memory))
			return cli_usage("--max-memory takes a size such as 512M or 2G (0 = no limit)");
		o->max_memory_set = true;
	} else if (cli_opt(argc, argv, i, "--username", &val) || cli_opt(argc, argv, i, "-u", &val)) {
		if (!val || !*val)
			return cli_usage("--username needs a value");
		o->username = val;
	} else if (!strncmp(argv[*i], "--password", 10) && strcmp(argv[*i], "--password-stdin")) {
		/* a password on the command line ends up in shell history and ps output */
		return cli_usage("give the registry password on standard input with --password-stdin");
	} else {
		return 0;
	}
	return 1;
}

bool cli_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;
	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	switch (*end) {
	case 'k': case 'K': mul = (uint64_t)1 << 10; end++; break;
	case 'm': case 'M': mul = (uint64_t)1 << 20; end++; break;
	case 'g': case 'G': mul = (uint64_t)1 << 30; end++; break;
	case 't': case 'T': mul = (uint64_t)1 << 40; end++; break;
	default: break;
	}
	if (mul > 1 && (*end == 'i' || *end == 'I') && (end[1] == 'b' || end[1] == 'B'))
		end += 2;
	else if (mul > 1 && (*end == 'b' || *end == 'B'))
		end++;
	if (*end || (v && mul > UINT64_MAX / v))
		return false;
	*out = (uint64_t)v * mul;
	return true;
}

void cli_image_ctx(const cli_image_opts *o, lading_ctx *ctx)
{
	lading_ctx_set_max_memory(ctx, o->max_memory_set ? o->max_memory : LADING_DEFAULT_MAX_MEMORY);
}

/* --tls-verify: the engine over TLS, as DOCKER_TLS_VERIFY=1 says to the library (and to docker) */
void cli_docker_tls_verify(void)
{
	setenv("DOCKER_TLS_VERIFY", "1", 1);
}

int cli_image_apply(cli_image_opts *o, lading_image_options *io)
{
	io->insecure = o->insecure;
	io->insecure_registries = o->insecure_registries;
	io->insecure_registry_count = o->insecure_registry_count;
	io->no_cache = o->no_cache;
	io->docker_host = o->docker_host;
	if (o->password_stdin && !o->username)
		return cli_usage("--password-stdin needs --username");
	if (o->username && !o->password_stdin)
		return cli_usage("--username needs --password-stdin (the password is read from standard input)");
	if (o->password_stdin && o->password_read) {
		/* a second use (crawl lists, then records): standard input was read once */
		io->username = o->username;
		io->password = o->password;
	} else if (o->password_stdin) {
		size_t n = fread(o->password, 1, sizeof(o->password) - 1, stdin);
		if (n == sizeof(o->password) - 1 && fgetc(stdin) != EOF)
			return cli_usage("password on standard input is too long");
		o->password[n] = '\0';
		while (n && (o->password[n - 1] == '\n' || o->password[n - 1] == '\r'))
			o->password[--n] = '\0';
		if (!n)
			return cli_usage("--password-stdin: standard input held no password");
		io->username = o->username;
		io->password = o->password;
		o->password_read = true;
	}
	return 0;
}

void cli_image_release(cli_image_opts *o)
{
	explicit_bzero(o->password, sizeof(o->password));
	o->password_read = false;
}

/* ---- long-running commands (serve, worker): stop on SIGINT/SIGTERM, a log line on stderr ---- */

volatile sig_atomic_t cli_stop_flag;

static void on_stop_signal(int sig)
{
	(void)sig;
	cli_stop_flag = 1;
}

void cli_install_stop_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void cli_log_line(void *opaque, const char *line)
{
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;
	(void)opaque;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s\n", ts, line);
}

bool cli_parse_count(const char *v, unsigned max, unsigned *out)
{
	char *end;
	long n;
	if (!v || !*v)
		return false;
	n = strtol(v, &end, 10);
	if (*end || n < 0 || n > (long)max)
		return false;
	*out = (unsigned)n;
	return true;
}

int cli_inventory_open(lading_ctx *ctx, const char *ref, const lading_image_options *io, lading_image **img,
		       lading_sbom **sbom)
{
	int rc;
	*img = NULL;
	*sbom = NULL;
	if (!strncmp(ref, "sbom:", 5))
		return lading_sbom_read_file(sbom, ctx, ref + 5);
	if ((rc = lading_image_open(img, ctx, ref, io)))
		return rc;
	rc = lading_sbom_build(sbom, ctx, *img, NULL);
	cli_progress_done();
	return rc;
}

void cli_image_args_init(cli_image_args *a)
{
	lading_report_options ro = LADING_REPORT_OPTIONS_INIT;
	lading_image_options io = LADING_IMAGE_OPTIONS_INIT;
	memset(a, 0, sizeof(*a));
	a->format = "table";
	a->ropts = ro;
	a->io = io;
}

int cli_image_arg(int argc, char **argv, int *i, const cli_command *cmd, cli_image_args *a)
{
	const char *val;
	int rc;
	if (cli_flag(argv, *i, "-h") || cli_flag(argv, *i, "--help")) {
		cli_help(stdout, cmd);
		return EXIT_OK;
	} else if (cli_opt(argc, argv, i, "--format", &val) || cli_opt(argc, argv, i, "-f", &val)) {
		if (!val)
			return cli_usage("--format needs a value");
		a->format = val;
	} else if (cli_opt(argc, argv, i, "--output", &val) || cli_opt(argc, argv, i, "-o", &val)) {
		if (!val)
			return cli_usage("-o needs a file name");
		a->output = val;
	} else if (cli_opt(argc, argv, i, "--platform", &val)) {
		if (!val)
			return cli_usage("--platform needs a value");
		a->platform = val;
	} else if (cli_flag(argv, *i, "--files")) {
		a->ropts.with_files = 1;
	} else if (cli_flag(argv, *i, "-v") || cli_flag(argv, *i, "--verbose")) {
		a->verbose = true;
	} else if (cli_flag(argv, *i, "-q") || cli_flag(argv, *i, "--quiet")) {
		cli_quiet = true;
	} else if ((rc = cli_image_flag(argc, argv, i, &a->reg)) != 0) {
		if (rc != 1)
			return rc;
	} else if (argv[*i][0] == '-' && argv[*i][1]) {
		cli_help(stderr, cmd);
		return cli_usage("unknown option %s", argv[*i]);
	} else if (!a->image) {
		a->image = argv[*i];
	} else {
		return cli_usage("more than one image given ('%s' and '%s')", a->image, argv[*i]);
	}
	return CLI_ARG_TAKEN;
}

int cli_image_args_check(const cli_image_args *a, const cli_command *cmd, lading_report_kind kind,
			 const char *what, lading_format *fmt)
{
	char names[128];
	if (!a->image) {
		cli_help(stderr, cmd);
		return EXIT_USAGE;
	}
	if (lading_format_for(kind, a->format, fmt)) {
		lading_format_names(kind, names, sizeof(names));
		return cli_usage("unknown %s format '%s' (%s)", what, a->format, names);
	}
	return EXIT_OK;
}

int cli_open_sbom(cli_image_args *a, lading_ctx **ctx, lading_image **img, lading_sbom **sbom)
{
	cli_image_opts *o = &a->reg;
	lading_image_options *io = &a->io;
	const char *image = a->image, *platform = a->platform;
	int rc;
	if ((rc = cli_image_apply(o, io)) != 0) {
		cli_image_release(o);
		return rc;
	}
	if (lading_ctx_new(ctx)) {
		cli_image_release(o);
		fprintf(stderr, "lading: out of memory\n");
		return EXIT_ERROR;
	}
	cli_image_ctx(o, *ctx);
	cli_progress_install(*ctx);
	io->platform = platform;
	rc = cli_inventory_open(*ctx, image, io, img, sbom);
	cli_image_release(o); /* the password is not needed after opening */
	return rc ? cli_fail(*ctx, rc) : EXIT_OK;
}

/* The database policy is the library's (lading_db_ensure); this says what it is doing. */
int cli_ensure_db(lading_ctx *ctx, const char *db, const char *mirror, bool stale)
{
	lading_db_options o = LADING_DB_OPTIONS_INIT;
	size_t failed = 0;
	int rc;
	if (!stale && lading_db_present(db))
		return 0;
	o.db_path = db;
	o.mirror = mirror;
	if (stale)
		fprintf(stderr, "lading: the vulnerability database at %s has another schema version: replacing it\n", db);
	if (mirror)
		fprintf(stderr, "lading: %s at %s%s; building it from %s\n", stale ? "rebuilding the database" : "no vulnerability database",
			db, stale ? "" : " yet", mirror);
	else
		fprintf(stderr, "lading: %s at %s%s; downloading the feeds (lading db update)\n",
			stale ? "rebuilding the database" : "no vulnerability database", db, stale ? "" : " yet");
	rc = lading_db_ensure(&o, stale, &failed, ctx);
	cli_progress_done();
	if (failed)
		fprintf(stderr, "lading: warning: %zu feed(s) could not be read; see 'lading db info'\n", failed);
	if (rc) {
		cli_eprint("lading: ", lading_ctx_error(ctx)->msg);
		fprintf(stderr, "lading: there is no vulnerability database at %s and none could be obtained; build one with "
				"'lading db build --mirror DIR' (offline, from a copy of the feeds) or 'lading db update', or "
				"point --db / LADING_DB at an existing one\n",
			db);
		return -1;
	}
	return 0;
}

int cli_ensure_db_from_mirror(lading_ctx *ctx, const char *db)
{
	const char *mirror = getenv("LADING_MIRROR");
	char path[4096];
	if (!mirror || !*mirror)
		return 0;
	if (!db) {
		if (lading_db_default_path(path, sizeof(path)))
			return 0; /* nowhere to put it: the jobs say so */
		db = path;
	}
	return cli_ensure_db(ctx, db, mirror, false);
}
