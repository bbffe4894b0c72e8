/* service/notify_body.c: event lists, durations, the HMAC signature, the lading and Slack bodies;
 * the delivery backoff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "util/json.h"
#include "service/service.h"

static unsigned events(const char *s, int *rc)
{
	unsigned m = 0;
	*rc = ld_notify_events_parse(s, strlen(s), &m);
	return m;
}

static void test_events(void **state)
{
	char out[64];
	int rc;
	(void)state;
	assert_int_equal(events("finding.new", &rc), LD_EV_NEW);
	assert_int_equal(rc, 0);
	assert_int_equal(events("kev.added,finding.resolved", &rc), LD_EV_KEV | LD_EV_RESOLVED);
	assert_int_equal(events("finding.new finding.resolved,kev.added", &rc), LD_EV_ALL);
	assert_int_equal(events("finding.new,,", &rc), LD_EV_NEW);
	assert_int_equal(rc, 0);
	events("finding.news", &rc);
	assert_int_equal(rc, LADING_EINVALID);
	events("", &rc);
	assert_int_equal(rc, LADING_EINVALID);
	events(",", &rc);
	assert_int_equal(rc, LADING_EINVALID);
	events("finding.new,bogus", &rc);
	assert_int_equal(rc, LADING_EINVALID);
	ld_notify_events_format(LD_EV_NEW | LD_EV_KEV, out, sizeof(out));
	assert_string_equal(out, "finding.new kev.added");
	assert_int_equal(events(out, &rc), LD_EV_NEW | LD_EV_KEV);
	assert_string_equal(ld_notify_event_name(LD_EV_RESOLVED), "finding.resolved");
	assert_null(ld_notify_event_name(8));
}

static void test_duration(void **state)
{
	static const struct {
		const char *in;
		unsigned want; /* 0: refused */
	} cases[] = {
		{"90", 90},	{"90s", 90},	  {"15m", 900}, {"2h", 7200},
		{"1d", 86400},	{"30d", 2592000}, {"31d", 0},	{"0", 0},
		{"0s", 0},	{"", 0},	  {"m", 0},	{"5x", 0},
		{"5mm", 0},	{"-5", 0},	  {"1 h", 0},	{"99999999999999999999", 0},
		{"2592001", 0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned s = 7;
		int rc = lading_duration_parse(cases[i].in, &s);
		if (cases[i].want) {
			assert_int_equal(rc, 0);
			assert_int_equal(s, cases[i].want);
		} else {
			assert_int_equal(rc, LADING_EINVALID);
			assert_int_equal(s, 0);
		}
	}
}

static void test_sign(void **state)
{
	char sig[LD_NOTIFY_SIG_LEN];
	const char *data = "what do ya want for nothing?";
	(void)state;
	/* RFC 4231, test case 2 */
	ld_notify_sign("Jefe", 4, data, strlen(data), sig);
	assert_string_equal(
		sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	ld_notify_sign("Jefe", 4, data, strlen(data) - 1, sig);
	assert_string_not_equal(
		sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_backoff(void **state)
{
	(void)state;
	assert_int_equal(ld_notify_backoff(1), LD_DELIVERY_BACKOFF_BASE_S);
	assert_int_equal(ld_notify_backoff(2), 2 * LD_DELIVERY_BACKOFF_BASE_S);
	assert_int_equal(ld_notify_backoff(3), 4 * LD_DELIVERY_BACKOFF_BASE_S);
	assert_int_equal(ld_notify_backoff(40), LD_DELIVERY_BACKOFF_MAX_S);
	assert_int_equal(ld_notify_backoff(1000000), LD_DELIVERY_BACKOFF_MAX_S);
}

static const ld_json *parse(ld_arena *a, const ld_buf *b)
{
	ld_json *j = NULL;
	lading_ctx *ctx = NULL;
	assert_int_equal(lading_ctx_new(&ctx), 0);
	assert_int_equal(ld_json_parse(&j, a, b->ptr, b->len, NULL, ctx, "body"), 0);
	lading_ctx_free(ctx);
	return j;
}

static ld_notify_finding F1 = {
	"CVE-2019-14697", "apk", "musl", "1.1.18-r3", "1.1.18-r4", "kev", 4, 1, 0.25, 9.8};
static ld_notify_finding F2 = {
	"CVE-2018-0001", "apk", "<busybox>&", "1.27", NULL, NULL, 2, 0, -1, -1};

static ld_notify_event event(const ld_notify_finding *f, size_t n)
{
	static const char *refs[] = {"registry.example/app:1", "registry.example/app:latest"};
	ld_notify_event e = {"evt_0123",
			     "kev.added",
			     "2026-12-07T23:00:00Z",
			     "rescan",
			     "sha256:abcdef0123456789",
			     refs,
			     2,
			     3,
			     f,
			     n};
	return e;
}

static void test_body_lading(void **state)
{
	ld_notify_finding fs[2] = {F1, F2};
	ld_notify_event e = event(fs, 2);
	const ld_json *j, *f;
	ld_arena a;
	ld_buf b;
	int64_t v;
	(void)state;
	ld_arena_init(&a, 0);
	ld_buf_init(&b, LD_NOTIFY_BODY_MAX);
	assert_int_equal(ld_notify_body_lading(&e, &b), 0);
	j = parse(&a, &b);
	assert_string_equal(ld_json_get_str(j, "id"), "evt_0123");
	assert_string_equal(ld_json_get_str(j, "type"), "kev.added");
	assert_string_equal(ld_json_get_str(j, "created"), "2026-12-07T23:00:00Z");
	assert_string_equal(ld_json_get_str(j, "trigger"), "rescan");
	assert_string_equal(ld_json_str(ld_json_getp(j, "image", "digest", NULL)),
			    "sha256:abcdef0123456789");
	assert_int_equal(ld_json_len(ld_json_getp(j, "image", "refs", NULL)), 2);
	assert_true(ld_json_i64(ld_json_getp(j, "image", "running_containers", NULL), &v) &&
		    v == 3);
	assert_int_equal(ld_json_len(ld_json_get(j, "findings")), 2);
	f = ld_json_at(ld_json_get(j, "findings"), 0);
	assert_string_equal(ld_json_get_str(f, "vulnerability"), "CVE-2019-14697");
	assert_string_equal(ld_json_get_str(f, "severity"), "critical");
	assert_true(ld_json_bool(ld_json_get(f, "kev"), false));
	assert_string_equal(ld_json_get_str(f, "change"), "kev");
	assert_string_equal(ld_json_get_str(f, "fixed"), "1.1.18-r4");
	assert_string_equal(ld_json_str(ld_json_getp(f, "package", "name", NULL)), "musl");
	f = ld_json_at(ld_json_get(j, "findings"), 1);
	assert_null(ld_json_get(f, "fixed"));
	assert_null(ld_json_get(f, "epss"));
	assert_string_equal(ld_json_str(ld_json_getp(f, "package", "name", NULL)), "<busybox>&");
	assert_true(ld_json_i64(ld_json_get(j, "findings_total"), &v) && v == 2);
	ld_buf_release(&b);
	ld_arena_release(&a);
}

/* More findings than a body lists: the first LD_NOTIFY_BODY_FINDINGS, and the total. */
static void test_body_capped(void **state)
{
	enum { N = LD_NOTIFY_BODY_FINDINGS + 7 };
	static ld_notify_finding fs[N];
	ld_notify_event e;
	const ld_json *j;
	ld_arena a;
	ld_buf b;
	int64_t v;
	(void)state;
	for (size_t i = 0; i < N; i++)
		fs[i] = F2;
	e = event(fs, N);
	ld_arena_init(&a, 0);
	ld_buf_init(&b, LD_NOTIFY_BODY_MAX);
	assert_int_equal(ld_notify_body_lading(&e, &b), 0);
	j = parse(&a, &b);
	assert_int_equal(ld_json_len(ld_json_get(j, "findings")), LD_NOTIFY_BODY_FINDINGS);
	assert_true(ld_json_i64(ld_json_get(j, "findings_total"), &v) && v == N);
	/* a buffer too small for the body: LADING_ELIMIT, never a cut document */
	ld_buf_release(&b);
	ld_buf_init(&b, 64);
	assert_int_equal(ld_notify_body_lading(&e, &b), LADING_ELIMIT);
	ld_buf_release(&b);
	ld_arena_release(&a);
}

static void test_body_slack(void **state)
{
	ld_notify_finding fs[2] = {F1, F2};
	ld_notify_event e = event(fs, 2);
	const ld_json *j, *blocks;
	const char *text, *list;
	ld_arena a;
	ld_buf b;
	(void)state;
	ld_arena_init(&a, 0);
	ld_buf_init(&b, LD_NOTIFY_BODY_MAX);
	assert_int_equal(ld_notify_body_slack(&e, &b), 0);
	j = parse(&a, &b);
	text = ld_json_get_str(j, "text");
	assert_non_null(text);
	assert_non_null(strstr(text, "2 findings now known exploited"));
	assert_non_null(strstr(text, "registry.example/app:1"));
	assert_non_null(strstr(text, "3 running containers"));
	blocks = ld_json_get(j, "blocks");
	assert_int_equal(ld_json_len(blocks), 3);
	assert_string_equal(ld_json_get_str(ld_json_at(blocks, 0), "type"), "section");
	list = ld_json_str(ld_json_getp(ld_json_at(blocks, 1), "text", "text", NULL));
	assert_non_null(list);
	assert_non_null(strstr(
		list, "*CVE-2019-14697* critical, KEV in musl 1.1.18-r3, fixed in 1.1.18-r4"));
	/* Slack's control characters escaped */
	assert_non_null(strstr(list, "&lt;busybox&gt;&amp;"));
	assert_null(strstr(list, "<busybox>"));
	assert_string_equal(
		ld_json_str(ld_json_at(ld_json_getp(ld_json_at(blocks, 2), "elements", NULL), 0)
				    ? ld_json_get(ld_json_at(ld_json_getp(ld_json_at(blocks, 2),
									  "elements", NULL),
							     0),
						  "text")
				    : NULL),
		"evt_0123");
	ld_buf_release(&b);
	ld_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events),	    cmocka_unit_test(test_duration),
		cmocka_unit_test(test_sign),	    cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_body_lading), cmocka_unit_test(test_body_capped),
		cmocka_unit_test(test_body_slack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
