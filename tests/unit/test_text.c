/* test_text.c — the checks of single-line text fields and of NUL in JSON
 * (core/text.h), and the guard of CSV cells a spreadsheet would run
 * (web/csvout.h csv_row). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "csvout.h"
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

/* One CSV row of a single cell. */
static char *one_cell(const char *cell)
{
	Buf b;
	const char *cells[1] = {cell};

	buf_init(&b, 1 << 16);
	csv_row(&b, cells, 1);
	return buf_steal(&b);
}

static void test_csv_formula_guard(void **state)
{
	static const struct {
		const char *cell, *out;
	} cases[] = {
		{"plain", "plain\r\n"},
		{"-12.50", "-12.50\r\n"}, /* numbers stay numbers */
		{"-3", "-3\r\n"},
		{"0.00", "0.00\r\n"},
		{"=1+1", "\"'=1+1\"\r\n"},
		{"+SUM(A1)", "\"'+SUM(A1)\"\r\n"},
		{"-2+3+cmd|' /C calc'!A0", "\"'-2+3+cmd|' /C calc'!A0\"\r\n"},
		{"@x", "\"'@x\"\r\n"},
		{"\tTAB", "\"'\tTAB\"\r\n"},
		{"\rCR", "\"'\rCR\"\r\n"},
		{"-", "\"'-\"\r\n"},
		{"-1.2.3", "\"'-1.2.3\"\r\n"},
		{"a,b", "\"a,b\"\r\n"},
		{"say \"hi\"", "\"say \"\"hi\"\"\"\r\n"},
		{"", "\r\n"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *got = one_cell(cases[i].cell);

		assert_string_equal(got, cases[i].out);
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_check_line),
		cmocka_unit_test(test_json_check_nul),
		cmocka_unit_test(test_csv_formula_guard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
