/* The one HTML escaper (util/html_esc.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/common.h"
#include "util/html_esc.h"

static void check(const char *in, size_t max, const char *want)
{
	ld_buf b;
	ld_buf_init(&b, 1024);
	ld_html_esc_max(&b, in, max);
	assert_string_equal(b.ptr ? b.ptr : "", want);
	ld_buf_release(&b);
}

static void test_entities(void **state)
{
	(void)state;
	check("<a href=\"x\" onclick='y'>&</a>", SIZE_MAX,
	      "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
	check("plain text, ünïcödé", SIZE_MAX, "plain text, ünïcödé");
	check(NULL, SIZE_MAX, "");
}

static void test_controls(void **state)
{
	(void)state;
	/* white space stays; other control bytes and DEL cannot reach the page */
	check("a\tb\nc\rd", SIZE_MAX, "a\tb\nc\rd");
	check("\x1b[31mred\x7f\x01", SIZE_MAX, "\xef\xbf\xbd[31mred\xef\xbf\xbd\xef\xbf\xbd");
}

static void test_cut(void **state)
{
	(void)state;
	check("abcdef", 3, "abc&hellip;");
	check("abc", 3, "abc");
	check("<<<<", 2, "&lt;&lt;&hellip;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
