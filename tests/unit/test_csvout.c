/* test_csvout.c — CSV downloads: quoting, and the guard of cells a
 * spreadsheet would run as a formula (csv_row). */
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

/* One CSV row of a single cell. */
static char *one_cell(const char *cell)
{
	Buf b;
	const char *cells[1] = {cell};

	buf_init(&b, 1 << 16);
	assert_int_equal(csv_row(&b, cells, 1), CL_OK);
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
		cmocka_unit_test(test_csv_formula_guard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
