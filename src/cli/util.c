#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

int cli_fail(lading_ctx *ctx, int rc)
{
	const lading_error *e = lading_ctx_error(ctx);
	if (e->code && e->msg[0])
		fprintf(stderr, "lading: %s\n", e->msg);
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
			fprintf(stderr, "lading: warning: %s\n", lading_ctx_warning(ctx, i));
		if (n > kept)
			fprintf(stderr, "lading: ... and %zu more warnings\n", n - kept);
	} else {
		fprintf(stderr, "lading: %zu warning%s (malformed entries skipped); first: %s\n", n,
			n == 1 ? "" : "s", kept ? lading_ctx_warning(ctx, 0) : "");
	}
}

int cli_write_output(const char *path, const char *data, size_t len)
{
	FILE *f;
	char tmp[4096];
	if (!path || !strcmp(path, "-")) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
			fprintf(stderr, "lading: cannot write output: %s\n", strerror(errno));
			return EXIT_ERROR;
		}
		return EXIT_OK;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp))
		return cli_usage("output path too long");
	f = fopen(tmp, "wb");
	if (!f) {
		fprintf(stderr, "lading: cannot write %s: %s\n", path, strerror(errno));
		return EXIT_ERROR;
	}
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "lading: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return EXIT_ERROR;
	}
	if (rename(tmp, path) != 0) {
		fprintf(stderr, "lading: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
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

static void progress_cb(void *opaque, const char *what, size_t index, size_t count, uint64_t done,
			uint64_t total)
{
	struct timespec now;
	double ms;
	(void)opaque;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - progress_last.tv_sec) * 1e3 + (double)(now.tv_nsec - progress_last.tv_nsec) / 1e6;
	if (progress_active && ms < 100 && done != total)
		return;
	progress_last = now;
	progress_active = 1;
	if (total) {
		int width = 30, fill = (int)((double)done / (double)total * width);
		if (fill > width)
			fill = width;
		fprintf(stderr, "\r%s %zu/%zu [%.*s%*s] %5.1f%% ", what, index + 1, count, fill,
			"##############################", width - fill, "", 100.0 * (double)done / (double)total);
	} else {
		fprintf(stderr, "\r%s %zu/%zu %.1f MB ", what, index + 1, count, (double)done / 1e6);
	}
	fflush(stderr);
}

void cli_progress_install(lading_ctx *ctx)
{
	if (isatty(STDERR_FILENO) && !getenv("LADING_NO_PROGRESS"))
		lading_ctx_set_progress(ctx, progress_cb, NULL);
}

void cli_progress_done(void)
{
	if (progress_active) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		progress_active = 0;
	}
}
