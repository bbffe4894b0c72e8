/* Honeypot event log: every appended line written whole, in order, through a writer that is
 * made to fall behind (backpressure), and rotation by size at line boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "honeypot/hp.h"

static char dir[1024];

static int setup(void **state)
{
	const char *w = getenv("LADING_WORK");
	(void)state;
	mkdir(w ? w : "/tmp", 0755);
	ld_snprintf(dir, sizeof(dir), "%s/unit-honeypot-log", w ? w : "/tmp");
	mkdir(dir, 0755);
	return 0;
}

/* Count lines of a file and check each is "event N ..." with N following *next. */
static size_t check_file(const char *path, uint64_t *next)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t n = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;
		size_t len = strlen(line);
		assert_true(len > 0 && line[len - 1] == '\n');
		assert_int_equal(sscanf(line, "event %llu", &v), 1);
		assert_int_equal(v, *next);
		(*next)++;
		n++;
	}
	fclose(f);
	return n;
}

static void test_backpressure(void **state)
{
	char path[1100];
	ld_hp_log_opts o = {0};
	ld_hp_log *l;
	lading_ctx *ctx;
	uint64_t ev, dur, bytes, batches, rot, next = 0;
	int err;
	(void)state;
	ld_snprintf(path, sizeof(path), "%s/bp.jsonl", dir);
	unlink(path);
	o.path = path;
	o.flush_ms = 5;
	o.batch_max = 4096; /* tiny: the loop side waits for the writer over and over */
	lading_ctx_new(&ctx);
	assert_int_equal(ld_hp_log_open(&l, &o, ctx), 0);
	assert_int_equal(ld_hp_log_start(l, ctx), 0);
	for (int i = 0; i < 50000; i++) {
		char line[128];
		ld_snprintf(line, sizeof(line), "event %d %s", i,
			    i % 7 ? "x" : "a somewhat longer event line here");
		ld_hp_log_append(l, line, strlen(line));
	}
	assert_int_equal(ld_hp_log_close(l, ctx), 0);
	ld_hp_log_stats(l, &ev, &dur, &bytes, &batches, &rot, &err);
	assert_int_equal(ev, 50000);
	assert_int_equal(dur, 50000);
	assert_true(batches > 10);
	assert_int_equal(rot, 0);
	assert_int_equal(err, 0);
	ld_hp_log_free(l);
	assert_int_equal(check_file(path, &next), 50000);
	lading_ctx_free(ctx);
}

static void test_rotation(void **state)
{
	char path[1100], p[1200];
	ld_hp_log_opts o = {0};
	ld_hp_log *l;
	lading_ctx *ctx;
	uint64_t ev, dur, bytes, batches, rot, next;
	int err;
	struct stat st;
	size_t total = 0;
	(void)state;
	ld_snprintf(path, sizeof(path), "%s/rot.jsonl", dir);
	for (int i = 0; i <= 4; i++) {
		ld_snprintf(p, sizeof(p), i ? "%s.%d" : "%s", path, i);
		unlink(p);
	}
	o.path = path;
	o.flush_ms = 1;
	o.rotate_bytes = 1000;
	o.keep = 3;
	lading_ctx_new(&ctx);
	assert_int_equal(ld_hp_log_open(&l, &o, ctx), 0);
	assert_int_equal(ld_hp_log_start(l, ctx), 0);
	for (int i = 0; i < 500; i++) {
		char line[64];
		ld_snprintf(line, sizeof(line), "event %d padding padding", i); /* ~28 bytes */
		ld_hp_log_append(l, line, strlen(line));
		if (i % 50 == 0)
			usleep(3000); /* several batches */
	}
	assert_int_equal(ld_hp_log_close(l, ctx), 0);
	ld_hp_log_stats(l, &ev, &dur, &bytes, &batches, &rot, &err);
	ld_hp_log_free(l);
	assert_int_equal(ev, 500);
	assert_true(rot >= 10);
	/* FILE.4 never exists; the kept files hold whole lines, consecutive, oldest in FILE.3 */
	ld_snprintf(p, sizeof(p), "%s.4", path);
	assert_int_not_equal(stat(p, &st), 0);
	ld_snprintf(p, sizeof(p), "%s.3", path);
	assert_int_equal(stat(p, &st), 0);
	{
		FILE *f = fopen(p, "r");
		unsigned long long first;
		assert_int_equal(fscanf(f, "event %llu", &first), 1);
		fclose(f);
		next = first;
	}
	for (int i = 3; i >= 0; i--) {
		ld_snprintf(p, sizeof(p), i ? "%s.%d" : "%s", path, i);
		assert_int_equal(stat(p, &st), 0);
		assert_true(st.st_size <= 1000);
		total += check_file(p, &next);
	}
	assert_int_equal(next, 500); /* the newest file ends with the last event */
	assert_true(total > 4 * 20);
	lading_ctx_free(ctx);
}

static void test_open_errors(void **state)
{
	ld_hp_log_opts o = {0};
	ld_hp_log *l;
	lading_ctx *ctx;
	(void)state;
	lading_ctx_new(&ctx);
	o.path = "/nonexistent-dir/x.jsonl";
	assert_int_equal(ld_hp_log_open(&l, &o, ctx), LADING_EIO);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "cannot open the event log"));
	o.path = dir; /* a directory */
	assert_int_equal(ld_hp_log_open(&l, &o, ctx), LADING_EIO);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backpressure),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_open_errors),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
