/* ld_proc_run: exit status, captured output and error, environment over the caller's, the
 * output cap and the deadline (the process group killed), a program that does not exist. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "util/proc.h"

static int run(const char *script, const char *const *env, size_t nenv, size_t max_out, unsigned timeout_ms,
	       ld_buf *out, ld_buf *err, int *status, lading_ctx *ctx)
{
	const char *argv[] = {"sh", "-c", script, NULL};
	ld_proc_opts o = {argv, env, nenv, max_out, 64, timeout_ms};
	ld_buf_clear(out);
	ld_buf_clear(err);
	return ld_proc_run(&o, out, err, status, ctx);
}

static void test_proc(void **state)
{
	lading_ctx *ctx;
	ld_buf out = LD_BUF_INIT, err = LD_BUF_INIT;
	int st;
	const char *env[] = {"LADING_PROC_TEST=over", "LADING_PROC_NEW=new"};
	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	setenv("LADING_PROC_TEST", "caller", 1);

	assert_int_equal(run("echo hi; echo oops >&2; exit 3", NULL, 0, 1000, 10000, &out, &err, &st, ctx), 0);
	assert_int_equal(st, 3);
	assert_string_equal(ld_buf_cstr(&out), "hi\n");
	assert_string_equal(ld_buf_cstr(&err), "oops\n");
	/* the caller's environment, with the given names replaced or added; stdin is empty */
	assert_int_equal(run("echo \"$LADING_PROC_TEST $LADING_PROC_NEW\"; cat", env, 2, 1000, 10000, &out, &err, &st,
			     ctx), 0);
	assert_int_equal(st, 0);
	assert_string_equal(ld_buf_cstr(&out), "over new\n");
	assert_int_equal(run("echo \"$LADING_PROC_TEST\"", NULL, 0, 1000, 10000, &out, &err, &st, ctx), 0);
	assert_string_equal(ld_buf_cstr(&out), "caller\n");
	/* standard error beyond its cap is dropped, not an error */
	assert_int_equal(run("head -c 5000 /dev/zero | tr '\\0' e >&2", NULL, 0, 1000, 10000, &out, &err, &st, ctx), 0);
	assert_int_equal(err.len, 64);
	/* caps: output, time (a child of the program holding the pipe dies with its group) */
	assert_int_equal(run("head -c 100000 /dev/zero", NULL, 0, 1000, 10000, &out, &err, &st, ctx), LADING_ELIMIT);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "more than 1000 bytes"));
	assert_int_equal(run("sleep 30", NULL, 0, 1000, 100, &out, &err, &st, ctx), LADING_ELIMIT);
	assert_non_null(strstr(lading_ctx_error(ctx)->msg, "did not finish"));
	assert_int_equal(run("sleep 30 & echo started", NULL, 0, 1000, 200, &out, &err, &st, ctx), LADING_ELIMIT);
	/* a signal */
	assert_int_equal(run("kill -TERM $$", NULL, 0, 1000, 10000, &out, &err, &st, ctx), 0);
	assert_int_equal(st, 128 + 15);
	{
		const char *argv[] = {"/nonexistent/lading-plugin", NULL};
		ld_proc_opts o = {argv, NULL, 0, 1000, 64, 1000};
		assert_int_equal(ld_proc_run(&o, &out, &err, &st, ctx), LADING_ENOTFOUND);
		assert_non_null(strstr(lading_ctx_error(ctx)->msg, "/nonexistent/lading-plugin"));
	}
	ld_buf_release(&out);
	ld_buf_release(&err);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_proc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
