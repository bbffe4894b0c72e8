/* The scan's memory budget: charges and releases, refusals, thread safety, and the arenas and
 * buffers that draw from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "util/budget.h"
#include "util/map.h"

static void test_charge_release(void **state)
{
	ld_budget b;
	(void)state;
	ld_budget_init(&b, 1000);
	assert_true(ld_budget_charge(&b, 600));
	assert_false(ld_budget_charge(&b, 401)); /* nothing charged on refusal */
	assert_int_equal(ld_budget_used(&b), 600);
	assert_true(ld_budget_charge(&b, 400));
	assert_false(ld_budget_charge(&b, 1));
	ld_budget_release(&b, 1000);
	assert_int_equal(ld_budget_used(&b), 0);
	assert_int_equal(ld_budget_peak(&b), 1000);
	assert_false(ld_budget_charge(&b, SIZE_MAX));
	/* no budget, or an unlimited one, takes everything */
	assert_true(ld_budget_charge(NULL, SIZE_MAX));
	ld_budget_init(&b, 0);
	assert_true(ld_budget_charge(&b, (size_t)1 << 40));
}

typedef struct hammer {
	ld_budget *b;
	size_t refused;
} hammer;

static void *hammer_run(void *arg)
{
	hammer *h = arg;
	for (int i = 0; i < 200000; i++) {
		size_t n = (size_t)(i % 7 + 1) * 10;
		if (ld_budget_charge(h->b, n))
			ld_budget_release(h->b, n);
		else
			h->refused++;
	}
	return NULL;
}

static void test_threads(void **state)
{
	ld_budget b;
	pthread_t t[4];
	hammer h[4];
	(void)state;
	ld_budget_init(&b, 150); /* four threads of up to 70 bytes each: some charges must fail */
	for (int i = 0; i < 4; i++) {
		h[i].b = &b;
		h[i].refused = 0;
		assert_int_equal(pthread_create(&t[i], NULL, hammer_run, &h[i]), 0);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(ld_budget_used(&b), 0);
	assert_true(ld_budget_peak(&b) <= 150);
}

static void test_arena_and_buf(void **state)
{
	ld_budget b;
	ld_arena a;
	ld_buf buf = LD_BUF_INIT;
	(void)state;
	ld_budget_init(&b, (size_t)1 << 20);
	ld_arena_init(&a, 0);
	assert_int_equal(ld_arena_set_budget(&a, &b), 0);
	assert_non_null(ld_arena_alloc(&a, 1000));
	assert_true(ld_budget_used(&b) >= 1000);
	assert_null(ld_arena_alloc(&a, (size_t)2 << 20)); /* over the budget, not the arena's cap */
	assert_true(a.over_budget);
	assert_int_equal(a.err, LADING_ELIMIT);
	ld_arena_release(&a);
	assert_int_equal(ld_budget_used(&b), 0);

	assert_int_equal(ld_buf_set_budget(&buf, &b), 0);
	assert_int_equal(ld_buf_add(&buf, "hello", 5), 0);
	assert_true(ld_budget_used(&b) >= 6);
	/* growth is refused by the budget, not by the buffer's own cap */
	assert_int_equal(ld_buf_grow(&buf, (size_t)1 << 20), LADING_ELIMIT);
	assert_true(ld_buf_over_budget(&buf));
	ld_buf_clear(&buf);
	assert_false(ld_buf_over_budget(&buf));
	/* a doubling that does not fit falls back to the bytes needed */
	assert_int_equal(ld_buf_grow(&buf, ((size_t)1 << 20) - 100), 0);
	ld_buf_release(&buf);
	assert_int_equal(ld_budget_used(&b), 0);
}

/* Hash-map tables are charged: a table that would not fit is refused (LADING_ELIMIT,
 * over_budget), what is charged goes back on release and when the map leaves the budget. */
static void test_map(void **state)
{
	ld_budget b;
	ld_map m;
	char keys[2000][8];
	size_t i;
	int rc = 0;
	(void)state;
	ld_budget_init(&b, 16 << 10);
	ld_map_init(&m);
	assert_int_equal(ld_map_set_budget(&m, &b), 0);
	for (i = 0; i < 2000 && !rc; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
		rc = ld_map_put(&m, ld_slice_cstr(keys[i]), keys[i], NULL);
	}
	assert_int_equal(rc, LADING_ELIMIT);
	assert_true(m.over_budget);
	assert_true(ld_budget_used(&b) <= 16 << 10);
	assert_int_equal(ld_budget_used(&b), m.cap * sizeof(ld_map_slot));
	assert_ptr_equal(ld_map_gets(&m, "k1"), keys[1]); /* what fitted is still there */
	assert_int_equal(ld_map_set_budget(&m, NULL), 0);
	assert_int_equal(ld_budget_used(&b), 0);
	assert_int_equal(ld_map_set_budget(&m, &b), 0);
	assert_true(ld_budget_used(&b) > 0);
	ld_map_release(&m);
	assert_int_equal(ld_budget_used(&b), 0);
}

static void test_context(void **state)
{
	lading_ctx *ctx, child;
	(void)state;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(ld_ctx_budget(ctx)->max, LADING_DEFAULT_MAX_MEMORY);
	lading_ctx_set_max_memory(ctx, 4096);
	ld_ctx_init_child(&child, ctx);
	assert_ptr_equal(ld_ctx_budget(&child), ld_ctx_budget(ctx)); /* workers share it */
	assert_true(ld_budget_charge(ld_ctx_budget(&child), 4000));
	assert_int_equal(ld_budget_error(&child, 200, "capturing /%s", "x"), LADING_ELIMIT);
	assert_non_null(strstr(child.err.msg, "capturing /x"));
	assert_non_null(strstr(child.err.msg, "4.0 KiB"));
	ld_budget_release(ld_ctx_budget(ctx), 4000);
	ld_ctx_release_child(&child);
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_charge_release),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_arena_and_buf),
		cmocka_unit_test(test_context),
		cmocka_unit_test(test_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
