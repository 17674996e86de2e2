/*
 * test_money.c — unit tests of core/money.c (DOMAIN.md section 2).
 *
 * Tests as data: every table row is an input and the figure worked out by
 * hand, or the words the refusal must contain.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "money.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A money text and its cents, or (err != NULL) words of its refusal. */
typedef struct MoneyCase {
	const char *text;
	Money cents;
	const char *err;
} MoneyCase;

static const MoneyCase money_cases[] = {
	/* The forms DOMAIN.md section 2 accepts. */
	{"1234.56", 123456, NULL},
	{"-12.5", -1250, NULL},
	{"1234", 123400, NULL},
	{"$1,234.56", 123456, NULL},
	{"(1,234.56)", -123456, NULL},
	{" 12.00 ", 1200, NULL},
	/* Signs and the dollar sign in either order. */
	{"-$5.00", -500, NULL},
	{"$-5.00", -500, NULL},
	{"($5.00)", -500, NULL},
	{"(5)", -500, NULL},
	{"$0.01", 1, NULL},
	{"-0", 0, NULL},
	{"(0.00)", 0, NULL},
	{"0", 0, NULL},
	/* Decimals: none, one, two; either side of the point may be empty. */
	{"0.01", 1, NULL},
	{"0.1", 10, NULL},
	{".5", 50, NULL},
	{"-.05", -5, NULL},
	{"5.", 500, NULL},
	{"007.10", 710, NULL},
	/* Thousands separators in groups of three. */
	{"1,000,000", 100000000, NULL},
	{"1,234", 123400, NULL},
	{"999", 99900, NULL},
	{"123,456,789.01", 12345678901, NULL},
	{"$12,345.6", 1234560, NULL},
	/* Blanks around the text are trimmed. */
	{"\t7\t", 700, NULL},
	{"  -$1,000.00\r\n", -100000, NULL},
	/* The largest magnitude, 10^15 cents, both ways. */
	{"10,000,000,000,000.00", 1000000000000000LL, NULL},
	{"-10000000000000", -1000000000000000LL, NULL},
	{"(10,000,000,000,000)", -1000000000000000LL, NULL},
	{"9,999,999,999,999.99", 999999999999999LL, NULL},
	{"0000000000000000000000000000000001.00", 100, NULL},
	/* Empty. */
	{"", 0, "is empty"},
	{"   ", 0, "is empty"},
	{"\t\r\n", 0, "is empty"},
	/* More than two decimals, even zeros. */
	{"1.234", 0, "has more than two decimals"},
	{"1.230", 0, "has more than two decimals"},
	{"$1,234.567", 0, "has more than two decimals"},
	{"-0.001", 0, "has more than two decimals"},
	/* Letters and other stray characters. */
	{"12a", 0, "is not an amount of money"},
	{"abc", 0, "is not an amount of money"},
	{"1e5", 0, "is not an amount of money"},
	{"USD 5", 0, "is not an amount of money"},
	{"5 000", 0, "is not an amount of money"},
	{"$ 5", 0, "is not an amount of money"},
	{"5-", 0, "is not an amount of money"},
	{"+5", 0, "is not an amount of money"},
	{"1.2.3", 0, "is not an amount of money"},
	{"1.2x", 0, "is not an amount of money"},
	{"1,234.5,6", 0, "is not an amount of money"},
	{"$(5.00)", 0, "misplaced parentheses"},
	/* Over the limit, including digit strings that would wrap int64. */
	{"10,000,000,000,000.01", 0, "is larger than 10,000,000,000,000.00"},
	{"10000000000000.01", 0, "is larger than 10,000,000,000,000.00"},
	{"-10000000000001", 0, "is larger than 10,000,000,000,000.00"},
	{"(10,000,000,000,001)", 0, "is larger than 10,000,000,000,000.00"},
	{"92233720368547758.07", 0, "is larger than 10,000,000,000,000.00"},
	{"99999999999999999999999999", 0, "is larger than 10,000,000,000,000.00"},
	{"-184467440737095516160000", 0, "is larger than 10,000,000,000,000.00"},
	/* Thousands separators out of place. */
	{"1,23.00", 0, "misplaced thousands separator"},
	{"12,34", 0, "misplaced thousands separator"},
	{"1234,567", 0, "misplaced thousands separator"},
	{",123", 0, "misplaced thousands separator"},
	{"1,,234", 0, "misplaced thousands separator"},
	{"1,234,", 0, "misplaced thousands separator"},
	{"1,2345", 0, "misplaced thousands separator"},
	{"$,5", 0, "misplaced thousands separator"},
	/* Signs twice, or both ways. */
	{"--5", 0, "more than one minus sign"},
	{"-$-5", 0, "more than one minus sign"},
	{"$$5", 0, "more than one dollar sign"},
	{"(-5)", 0, "both parentheses and a minus sign"},
	{"-(5)", 0, "both parentheses and a minus sign"},
	{"(1,234.56", 0, "misplaced parentheses"},
	{"1,234.56)", 0, "misplaced parentheses"},
	{"((5))", 0, "misplaced parentheses"},
	{")5(", 0, "misplaced parentheses"},
	/* Signs and points without digits. */
	{"$", 0, "has no digits"},
	{"-", 0, "has no digits"},
	{"-$", 0, "has no digits"},
	{"()", 0, "has no digits"},
	{".", 0, "has no digits"},
	{"$.", 0, "has no digits"},
};

/* Every row of money_cases, and *out untouched on refusal. */
static void test_money_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(money_cases); i++) {
		const MoneyCase *c = &money_cases[i];
		Err e = {CL_OK, ""};
		Money m = 777;
		ClCode rc = money_parse(c->text, &m, &e);

		if (!c->err) {
			if (rc != CL_OK)
				fail_msg("\"%s\" refused: %s", c->text, e.msg);
			assert_int_equal(m, c->cents);
		} else {
			if (rc != CL_EINPUT)
				fail_msg("\"%s\" accepted as %lld", c->text, (long long)m);
			assert_int_equal(e.code, CL_EINPUT);
			assert_int_equal(m, 777);
			if (!strstr(e.msg, c->err))
				fail_msg("\"%s\": message \"%s\" lacks \"%s\"", c->text, e.msg,
					 c->err);
		}
	}
}

/* Refusals quote the text (trimmed, and cut when very long); NULL is empty;
 * a NULL Err is allowed. */
static void test_money_parse_messages(void **state)
{
	char longtext[2000];
	Err e = {CL_OK, ""};
	Money m = 0;

	(void)state;
	assert_int_equal(money_parse("1.234", &m, &e), CL_EINPUT);
	assert_string_equal(e.msg, "amount \"1.234\" has more than two decimals");
	assert_int_equal(money_parse("  12a ", &m, &e), CL_EINPUT);
	assert_non_null(strstr(e.msg, "\"12a\""));
	assert_int_equal(money_parse(NULL, &m, &e), CL_EINPUT);
	assert_non_null(strstr(e.msg, "is empty"));
	assert_int_equal(money_parse("x", &m, NULL), CL_EINPUT);
	memset(longtext, '9', sizeof longtext - 1);
	longtext[sizeof longtext - 1] = '\0';
	assert_int_equal(money_parse(longtext, &m, &e), CL_EINPUT);
	assert_non_null(strstr(e.msg, "...\" is larger than"));
	assert_true(strlen(e.msg) < 200);
}

/* Long runs of digits, in every part of the number, never wrap. */
static void test_money_parse_long_digits(void **state)
{
	static const char *const shapes[] = {"%s", "-%s", "(%s)", "%s.00", "0.%s", "$%s"};
	char digits[600], text[700];
	size_t n, k;
	Money m;

	(void)state;
	for (n = 16; n < sizeof digits; n += 7) {
		memset(digits, '9', n);
		digits[n] = '\0';
		for (k = 0; k < N_ELEMS(shapes); k++) {
			m = 12345;
			snprintf(text, sizeof text, shapes[k], digits);
			assert_int_equal(money_parse(text, &m, NULL), CL_EINPUT);
			assert_int_equal(m, 12345);
		}
	}
}

/* A figure and its expected text. */
typedef struct FormatCase {
	Money m;
	const char *text;
} FormatCase;

static const FormatCase format_cases[] = {
	{123456, "1234.56"},
	{-123456, "-1234.56"},
	{-5, "-0.05"},
	{0, "0.00"},
	{1, "0.01"},
	{10, "0.10"},
	{100, "1.00"},
	{-100, "-1.00"},
	{100000000, "1000000.00"},
	{1000000000000000LL, "10000000000000.00"},
	{-1000000000000000LL, "-10000000000000.00"},
	{INT64_MAX, "92233720368547758.07"},
	{INT64_MIN, "-92233720368547758.08"},
};

static void test_money_format_table(void **state)
{
	char buf[MONEY_BUF];
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(format_cases); i++) {
		assert_ptr_equal(money_format(format_cases[i].m, buf), buf);
		assert_string_equal(buf, format_cases[i].text);
	}
}

static const FormatCase human_cases[] = {
	{123456, "$1,234.56"},
	{-123456, "-$1,234.56"},
	{0, "$0.00"},
	{-5, "-$0.05"},
	{99999, "$999.99"},
	{100000, "$1,000.00"},
	{12345678, "$123,456.78"},
	{100000000, "$1,000,000.00"},
	{-100000000, "-$1,000,000.00"},
	{1000000000000000LL, "$10,000,000,000,000.00"},
	{INT64_MAX, "$92,233,720,368,547,758.07"},
	{INT64_MIN, "-$92,233,720,368,547,758.08"},
};

static void test_money_format_human_table(void **state)
{
	char buf[MONEY_BUF];
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(human_cases); i++) {
		assert_ptr_equal(money_format_human(human_cases[i].m, buf), buf);
		assert_string_equal(buf, human_cases[i].text);
	}
}

/* Both printed forms parse back to the same figure, over the whole range. */
static void test_money_round_trip(void **state)
{
	char buf[MONEY_BUF];
	Money m, back, step;
	int sign;

	(void)state;
	for (sign = -1; sign <= 1; sign += 2) {
		for (m = 0, step = 1; m <= MONEY_LIMIT; m += step, step += step / 16 + 1) {
			Money v = sign * m;

			assert_int_equal(money_parse(money_format(v, buf), &back, NULL), CL_OK);
			assert_int_equal(back, v);
			assert_int_equal(money_parse(money_format_human(v, buf), &back, NULL),
					 CL_OK);
			assert_int_equal(back, v);
		}
	}
}

/* A numerator, denominator and round(num / den) worked out by hand. */
typedef struct DivCase {
	__int128 num;
	__int128 den;
	__int128 want;
} DivCase;

#define I128_MAX ((__int128)(((unsigned __int128)1 << 127) - 1))
#define I128_MIN (-I128_MAX - 1)
#define P2(n)	 ((__int128)1 << (n))

static const DivCase div_cases[] = {
	/* Halves go away from zero, in all four sign combinations. */
	{5, 2, 3},
	{-5, 2, -3},
	{5, -2, -3},
	{-5, -2, 3},
	{7, 2, 4},
	{-7, 2, -4},
	{1, 2, 1},
	{-1, 2, -1},
	{3, 2, 2},
	{25, 10, 3},
	{15, 10, 2},
	{150, 100, 2},
	{-150, 100, -2},
	/* Below a half rounds toward zero, above rounds away. */
	{4, 3, 1},
	{-4, 3, -1},
	{1, 3, 0},
	{-1, 3, 0},
	{2, 3, 1},
	{-2, 3, -1},
	{149, 100, 1},
	{-149, 100, -1},
	{151, -100, -2},
	{499999, 1000000, 0},
	{500000, 1000000, 1},
	{-500000, 1000000, -1},
	/* Exact quotients and zero. */
	{0, 5, 0},
	{0, -5, 0},
	{6, 3, 2},
	{-6, 3, -2},
	/* Far beyond 64 bits: 1.5 * 2^100 / 2^100 is 1.5, so 2. */
	{P2(100) + P2(99), P2(100), 2},
	{-(P2(100) + P2(99)), P2(100), -2},
	{P2(100) + P2(99) - 1, P2(100), 1},
	{P2(100) + P2(99), -P2(100), -2},
	/* The ends of the 128-bit range. */
	{I128_MAX, 1, I128_MAX},
	{I128_MIN, 1, I128_MIN},
	{I128_MAX, -1, -I128_MAX},
	{I128_MAX, 2, P2(126)}, /* (2^127 - 1) / 2 = 2^126 - 0.5 */
	{I128_MIN, 2, -P2(126)},
	{I128_MIN, -2, P2(126)},
	{I128_MAX, I128_MAX, 1},
	{I128_MIN, I128_MIN, 1},
	{I128_MIN, I128_MAX, -1},	   /* -1.000...0006 */
	{I128_MAX, I128_MIN, -1},	   /* -0.999...9994 */
	{I128_MAX, 3, (I128_MAX - 1) / 3}, /* 2^127 - 1 = 1 mod 3 */
	{I128_MAX, P2(126), 2},		   /* 1.999... */
	{P2(126), I128_MAX, 1},		   /* 0.5000...00003 */
	{I128_MAX / 2, I128_MAX, 0},	   /* (2^126 - 1)/(2^127 - 1) < 0.5 */
};

static void test_money_div_round_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(div_cases); i++) {
		__int128 got = money_div_round(div_cases[i].num, div_cases[i].den);

		if (got != div_cases[i].want)
			fail_msg("div_cases[%zu] gives the wrong quotient", i);
	}
}

/* An amount, a rate and round(amount * rate / 10^6) worked out by hand. */
typedef struct RateApplyCase {
	Money amount;
	Rate rate;
	Money want;
} RateApplyCase;

static const RateApplyCase apply_cases[] = {
	{10000, 20000, 200}, /* 2% of $100.00 is $2.00 */
	{12345, 15000, 185}, /* 185.175 */
	{-12345, 15000, -185},
	{100, 5000, 1}, /* 0.5 cent rounds away from zero */
	{-100, 5000, -1},
	{1, 499999, 0},
	{1, 500000, 1},
	{0, 20000, 0},
	{123456, 0, 0},
	{123456, RATE_ONE, 123456},
	{3000000000, 20000, 60000000}, /* 2% of $30,000,000.00 */
	{1000000000000000LL, RATE_ONE, 1000000000000000LL},
	{-1000000000000000LL, 25, -25000000000LL},
	{1000000000000000LL, 7, 7000000000LL},
	/* The product needs more than 64 bits. */
	{INT64_MAX, RATE_ONE, INT64_MAX},
	{INT64_MAX, 500000, 4611686018427387904LL}, /* (2^63 - 1) / 2 */
	{INT64_MIN, 500000, -4611686018427387904LL},
};

static void test_money_apply_rate_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(apply_cases); i++)
		assert_int_equal(money_apply_rate(apply_cases[i].amount, apply_cases[i].rate),
				 apply_cases[i].want);
}

/* A rate text and its ppm, or (err != NULL) words of its refusal. */
typedef struct RateCase {
	const char *text;
	Rate ppm;
	const char *err;
} RateCase;

static const RateCase rate_cases[] = {
	{"0.0025%", 25, NULL},
	{"2%", 20000, NULL},
	{"1.5%", 15000, NULL},
	{"100%", 1000000, NULL},
	{"0.25%", 2500, NULL},
	{"0.75%", 7500, NULL},
	{"60%", 600000, NULL},
	{"0%", 0, NULL},
	{"0.0001%", 1, NULL},
	{"99.9999%", 999999, NULL},
	{"100.0000%", 1000000, NULL},
	{".5%", 5000, NULL},
	{"5.%", 50000, NULL},
	{"002%", 20000, NULL},
	{" 2% ", 20000, NULL},
	{"\t1.25%\n", 12500, NULL},
	{"0.00001%", 0, "more than four decimals"},
	{"1.23456%", 0, "more than four decimals"},
	{"-1%", 0, "cannot be negative"},
	{"-0%", 0, "cannot be negative"},
	{"100.0001%", 0, "over 100%"},
	{"101%", 0, "over 100%"},
	{"99999999999999999999999999%", 0, "over 100%"},
	{"2", 0, "needs a % sign"},
	{"0.02", 0, "needs a % sign"},
	{"%2", 0, "needs a % sign"},
	{"abc%", 0, "is not a percentage"},
	{"2x%", 0, "is not a percentage"},
	{"2 %", 0, "is not a percentage"},
	{"2%%", 0, "is not a percentage"},
	{"+2%", 0, "is not a percentage"},
	{"1,000%", 0, "is not a percentage"},
	{"%", 0, "is not a percentage"},
	{".%", 0, "is not a percentage"},
	{"", 0, "is empty"},
	{"   ", 0, "is empty"},
};

static void test_rate_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(rate_cases); i++) {
		const RateCase *c = &rate_cases[i];
		Err e = {CL_OK, ""};
		Rate r = 777;
		ClCode rc = rate_parse(c->text, &r, &e);

		if (!c->err) {
			if (rc != CL_OK)
				fail_msg("\"%s\" refused: %s", c->text, e.msg);
			assert_int_equal(r, c->ppm);
		} else {
			if (rc != CL_EINPUT)
				fail_msg("\"%s\" accepted as %lld", c->text, (long long)r);
			assert_int_equal(r, 777);
			if (!strstr(e.msg, c->err))
				fail_msg("\"%s\": message \"%s\" lacks \"%s\"", c->text, e.msg,
					 c->err);
		}
	}
	assert_int_equal(rate_parse(NULL, &(Rate){0}, NULL), CL_EINPUT);
}

/* A rate and its expected text. */
typedef struct RateFormatCase {
	Rate ppm;
	const char *text;
} RateFormatCase;

static const RateFormatCase rate_format_cases[] = {
	{20000, "2%"},	   {15000, "1.5%"},   {25, "0.0025%"},	      {0, "0%"},
	{1000000, "100%"}, {2500, "0.25%"},   {1, "0.0001%"},	      {999999, "99.9999%"},
	{100000, "10%"},   {101000, "10.1%"}, {1234567, "123.4567%"}, {-20000, "-2%"},
	{-25, "-0.0025%"},
};

static void test_rate_format_table(void **state)
{
	char buf[MONEY_BUF];
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(rate_format_cases); i++) {
		assert_ptr_equal(rate_format(rate_format_cases[i].ppm, buf), buf);
		assert_string_equal(buf, rate_format_cases[i].text);
	}
	/* Any int64 is formatted without overrunning the buffer. */
	rate_format(INT64_MIN, buf);
	assert_string_equal(buf, "-922337203685477.5808%");
	rate_format(INT64_MAX, buf);
	assert_string_equal(buf, "922337203685477.5807%");
}

/* Every rate from 0% to 100% prints and parses back to itself. */
static void test_rate_round_trip(void **state)
{
	char buf[MONEY_BUF];
	Rate r, back;

	(void)state;
	for (r = 0; r <= RATE_ONE; r++) {
		if (rate_parse(rate_format(r, buf), &back, NULL) != CL_OK || back != r)
			fail_msg("rate %lld prints as %s", (long long)r, buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money_parse_table),
		cmocka_unit_test(test_money_parse_messages),
		cmocka_unit_test(test_money_parse_long_digits),
		cmocka_unit_test(test_money_format_table),
		cmocka_unit_test(test_money_format_human_table),
		cmocka_unit_test(test_money_round_trip),
		cmocka_unit_test(test_money_div_round_table),
		cmocka_unit_test(test_money_apply_rate_table),
		cmocka_unit_test(test_rate_parse_table),
		cmocka_unit_test(test_rate_format_table),
		cmocka_unit_test(test_rate_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
