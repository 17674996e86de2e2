/* test_text.c — the checks of single-line text fields and of NUL in JSON
 * (core/text.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void test_text_check_line(void **state)
{
	static const struct {
		const char *text, *msg; /* msg NULL: accepted */
	} cases[] = {
		{"Wichita Public Schools", NULL},
		{"Caf\xc3\xa9 \xe2\x82\xac", NULL},
		{"", NULL},
		{"a\nb",
		 "reference: control character 0x0a at byte 1 (it must be one line of text)"},
		{"\rx",
		 "reference: control character 0x0d at byte 0 (it must be one line of text)"},
		{"tab\there",
		 "reference: control character 0x09 at byte 3 (it must be one line of text)"},
		{"del\x7f",
		 "reference: control character 0x7f at byte 3 (it must be one line of text)"},
		{"bad \xc3(", "reference: not valid UTF-8 at byte 4"},
		{"\xed\xa0\x80", "reference: not valid UTF-8 at byte 0"}, /* a surrogate */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		Err e = {0};
		ClCode rc = text_check_line("reference", cases[i].text, &e);

		if (!cases[i].msg) {
			assert_int_equal(rc, CL_OK);
			continue;
		}
		assert_int_equal(rc, CL_EINPUT);
		assert_string_equal(e.msg, cases[i].msg);
	}
	assert_int_equal(text_check_optional("x", NULL, NULL), CL_OK);
}

static void test_json_check_nul(void **state)
{
	static const char raw_nul[] = "{\"a\":\"x\0y\"}";
	Err e = {0};

	(void)state;
	assert_int_equal(json_check_nul("body", "{\"a\":\"2026-Q1\\u0000x\"}", 21, &e), CL_EINPUT);
	assert_string_equal(e.msg, "body: \"\\u0000\" at byte 13 is not allowed");
	/* an escaped backslash and then u0000 is plain text */
	assert_int_equal(json_check_nul("body", "{\"a\":\"R\\\\u0000\"}", 16, NULL), CL_OK);
	/* outside a string it is JSON's business, not a NUL in text */
	assert_int_equal(json_check_nul("body", "{\"a\":1}", 7, NULL), CL_OK);
	assert_int_equal(json_check_nul("body", raw_nul, sizeof raw_nul - 1, &e), CL_EINPUT);
	assert_string_equal(e.msg, "body: NUL byte at byte 7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_check_line),
		cmocka_unit_test(test_json_check_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
