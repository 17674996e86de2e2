/*
 * test_date.c — unit tests of core/date.c (DOMAIN.md sections 2 and 4).
 *
 * Day numbers in the tables were counted by hand from 1970-01-01 = 0, e.g.
 * 2024-01-01 = 54 * 365 + 13 leap days (1972..2020) = 19723.  The property
 * tests compare against a second, deliberately naive calendar written here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "date.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define NO_DATE	   999999 /* "not set" marker; no date in the tables */

/* The test's own calendar: leap rule and month lengths. */
static int t_leap(int y)
{
	if (y % 400 == 0)
		return 1;
	if (y % 100 == 0)
		return 0;
	return y % 4 == 0;
}

static int t_month_len(int y, int m)
{
	switch (m) {
	case 2:
		return t_leap(y) ? 29 : 28;
	case 4:
	case 6:
	case 9:
	case 11:
		return 30;
	default:
		return 31;
	}
}

/* Hand-counted day numbers. */
typedef struct DayCase {
	int y, m, d;
	Date days;
} DayCase;

static const DayCase day_cases[] = {
	{1970, 1, 1, 0},	{1970, 1, 2, 1},     {1969, 12, 31, -1},
	{1900, 1, 1, -25567}, /* 70 * 365 + 17 leap days (1904..1968) */
	{1900, 3, 1, -25508}, /* + 31 + 28: 1900 is not leap */
	{2000, 1, 1, 10957},  /* 30 * 365 + 7 leap days */
	{2000, 2, 29, 11016},	{2000, 3, 1, 11017}, {2024, 1, 1, 19723},
	{2024, 2, 29, 19782},	{2025, 1, 1, 20089}, {2025, 2, 28, 20147},
	{2025, 7, 1, 20270},	/* 20089 + 181; Unix time 1751328000 */
	{2999, 12, 31, 376199}, /* 1030 * 365 + 250 leap days - 1 */
};

static void test_date_day_numbers(void **state)
{
	size_t i;
	int y, m, d;

	(void)state;
	for (i = 0; i < N_ELEMS(day_cases); i++) {
		const DayCase *c = &day_cases[i];

		assert_int_equal(date_from_ymd(c->y, c->m, c->d), c->days);
		date_to_ymd(c->days, &y, &m, &d);
		assert_int_equal(y, c->y);
		assert_int_equal(m, c->m);
		assert_int_equal(d, c->d);
	}
}

/* Walk every day from 1900 to 2999 with the test's own calendar. */
static void test_date_walk(void **state)
{
	Date n = -25567;
	int y, m, d, gy, gm, gd;

	(void)state;
	for (y = 1900; y <= 2999; y++) {
		for (m = 1; m <= 12; m++) {
			assert_int_equal(date_days_in_month(y, m), t_month_len(y, m));
			for (d = 1; d <= t_month_len(y, m); d++, n++) {
				if (date_from_ymd(y, m, d) != n)
					fail_msg("%04d-%02d-%02d is not day %d", y, m, d, n);
				date_to_ymd(n, &gy, &gm, &gd);
				if (gy != y || gm != m || gd != d)
					fail_msg("day %d is not %04d-%02d-%02d", n, y, m, d);
				assert_true(date_valid(y, m, d));
			}
			assert_false(date_valid(y, m, t_month_len(y, m) + 1));
		}
	}
	assert_int_equal(n, 376200);
}

/* Validity of single days, and conversion at the ends of Date's range. */
static void test_date_valid(void **state)
{
	int y, m, d;

	(void)state;
	assert_true(date_valid(2024, 2, 29));
	assert_false(date_valid(2025, 2, 29));
	assert_false(date_valid(1900, 2, 29));
	assert_true(date_valid(2000, 2, 29));
	assert_false(date_valid(2100, 2, 29));
	assert_false(date_valid(2025, 4, 31));
	assert_true(date_valid(2025, 12, 31));
	assert_false(date_valid(2025, 13, 1));
	assert_false(date_valid(2025, 0, 10));
	assert_false(date_valid(2025, 1, 0));
	assert_false(date_valid(2025, 1, -1));
	assert_int_equal(date_days_in_month(2024, 2), 29);
	assert_int_equal(date_days_in_month(2025, 2), 28);
	assert_int_equal(date_days_in_month(1900, 2), 28);
	assert_int_equal(date_days_in_month(2000, 2), 29);
	assert_int_equal(date_days_in_month(2025, 4), 30);
	assert_int_equal(date_days_in_month(2025, 1), 31);
	assert_int_equal(date_days_in_month(2025, 13), 0);
	assert_int_equal(date_days_in_month(2025, 0), 0);
	/* No undefined behaviour at the ends (checked by UBSan builds). */
	date_to_ymd(INT32_MAX, &y, &m, &d);
	assert_true(date_valid(y, m, d));
	assert_int_equal(date_from_ymd(y, m, d), INT32_MAX);
	date_to_ymd(INT32_MIN, &y, &m, &d);
	assert_true(date_valid(y, m, d));
	assert_int_equal(date_from_ymd(y, m, d), INT32_MIN);
}

/* A date text and its day number, or (err != NULL) words of its refusal. */
typedef struct ParseCase {
	const char *text;
	Date days;
	const char *err;
} ParseCase;

/* Both parsers: the strict YYYY-MM-DD form. */
static const ParseCase iso_cases[] = {
	{"2024-02-29", 19782, NULL},
	{"2000-02-29", 11016, NULL},
	{"2025-07-01", 20270, NULL},
	{"1970-01-01", 0, NULL},
	{"1900-01-01", -25567, NULL},
	{"2999-12-31", 376199, NULL},
	{" 2025-07-01 ", 20270, NULL},
	{"\t2025-01-01\n", 20089, NULL},
	{"2025-02-29", 0, "2025-02-29 is not a real date (February 2025 has 28 days)"},
	{"1900-02-29", 0, "1900-02-29 is not a real date (February 1900 has 28 days)"},
	{"2100-02-29", 0, "February 2100 has 28 days"},
	{"2025-02-30", 0, "2025-02-30 is not a real date (February 2025 has 28 days)"},
	{"2024-02-30", 0, "February 2024 has 29 days"},
	{"2025-04-31", 0, "2025-04-31 is not a real date (April 2025 has 30 days)"},
	{"2025-01-32", 0, "January 2025 has 31 days"},
	{"2025-13-01", 0, "2025-13-01 is not a real date (there is no month 13)"},
	{"2025-00-01", 0, "there is no month 0"},
	{"2025-01-00", 0, "2025-01-00 is not a real date (there is no day 0)"},
	{"1899-12-31", 0, "1899-12-31 is outside the years 1900 to 2999"},
	{"3000-01-01", 0, "is outside the years 1900 to 2999"},
	{"", 0, "date is empty"},
	{"   ", 0, "date is empty"},
};

/* Only date_parse refuses these; date_parse_any takes the US forms. */
static const ParseCase strict_only_cases[] = {
	{"7/1/2025", 20270, "\"7/1/2025\" is not in the form YYYY-MM-DD"},
	{"07/01/2025", 20270, "is not in the form YYYY-MM-DD"},
	{"2/29/2024", 19782, "is not in the form YYYY-MM-DD"},
	{"12/31/2999", 376199, "is not in the form YYYY-MM-DD"},
	{"1/1/1900", -25567, "is not in the form YYYY-MM-DD"},
	{"2/29/2025", NO_DATE, "February 2025 has 28 days"},
	{"13/01/2025", NO_DATE, "there is no month 13"},
	{"1/1/1899", NO_DATE, "is outside the years 1900 to 2999"},
};

/* Malformed for both parsers. */
static const ParseCase bad_shape_cases[] = {
	{"2025-7-1", 0, NULL},	   {"2025-07-1", 0, NULL},  {"25-07-01", 0, NULL},
	{"02025-07-01", 0, NULL},  {"2025/07/01", 0, NULL}, {"2025-07-01x", 0, NULL},
	{"2025-07-0a", 0, NULL},   {"+025-07-01", 0, NULL}, {"2025-07-01 1", 0, NULL},
	{"2025 07 01", 0, NULL},   {"20250701", 0, NULL},   {"7/1/25", 0, NULL},
	{"007/1/2025", 0, NULL},   {"7/001/2025", 0, NULL}, {"7-1-2025", 0, NULL},
	{"7/1/20250", 0, NULL},	   {"/1/2025", 0, NULL},    {"7//2025", 0, NULL},
	{"July 1, 2025", 0, NULL},
};

typedef ClCode (*DateParser)(const char *, Date *, Err *);

/* Check one case against one parser; want_err NULL means accepted. */
static void check_parse(DateParser parse, const char *text, Date want, const char *want_err)
{
	Err e = {CL_OK, ""};
	Date got = 4242;
	ClCode rc = parse(text, &got, &e);

	if (!want_err) {
		if (rc != CL_OK)
			fail_msg("\"%s\" refused: %s", text, e.msg);
		assert_int_equal(got, want);
		return;
	}
	if (rc != CL_EINPUT)
		fail_msg("\"%s\" accepted as %d", text, got);
	assert_int_equal(got, 4242);
	if (!strstr(e.msg, want_err))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", text, e.msg, want_err);
}

static void test_date_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(iso_cases); i++) {
		check_parse(date_parse, iso_cases[i].text, iso_cases[i].days, iso_cases[i].err);
		check_parse(date_parse_any, iso_cases[i].text, iso_cases[i].days, iso_cases[i].err);
	}
	for (i = 0; i < N_ELEMS(strict_only_cases); i++) {
		const ParseCase *c = &strict_only_cases[i];

		if (c->days != NO_DATE) {
			check_parse(date_parse, c->text, 0, c->err);
			check_parse(date_parse_any, c->text, c->days, NULL);
		} else {
			check_parse(date_parse, c->text, 0, "is not in the form YYYY-MM-DD");
			check_parse(date_parse_any, c->text, 0, c->err);
		}
	}
	for (i = 0; i < N_ELEMS(bad_shape_cases); i++) {
		check_parse(date_parse, bad_shape_cases[i].text, 0,
			    "is not in the form YYYY-MM-DD");
		check_parse(date_parse_any, bad_shape_cases[i].text, 0,
			    "is not in the form YYYY-MM-DD or MM/DD/YYYY");
	}
	check_parse(date_parse, NULL, 0, "date is empty");
	check_parse(date_parse_any, NULL, 0, "date is empty");
	assert_int_equal(date_parse("x", &(Date){0}, NULL), CL_EINPUT);
}

/* Format and parse are inverse over every day 1900..2999. */
static void test_date_format(void **state)
{
	char buf[DATE_BUF];
	Date n, back;

	(void)state;
	assert_ptr_equal(date_format(0, buf), buf);
	assert_string_equal(buf, "1970-01-01");
	assert_string_equal(date_format(-1, buf), "1969-12-31");
	assert_string_equal(date_format(19782, buf), "2024-02-29");
	assert_string_equal(date_format(-25567, buf), "1900-01-01");
	assert_string_equal(date_format(376199, buf), "2999-12-31");
	assert_string_equal(date_format(20270, buf), "2025-07-01");
	for (n = -25567; n <= 376199; n++) {
		if (date_parse(date_format(n, buf), &back, NULL) != CL_OK || back != n)
			fail_msg("day %d prints as %s", n, buf);
	}
	date_format(INT32_MAX, buf); /* cut to fit, never overrun */
	assert_int_equal(strlen(buf), DATE_BUF - 1);
}

/* A date, a year count and the date that many years later. */
typedef struct AddCase {
	int y, m, d, k;
	int wy, wm, wd;
} AddCase;

static const AddCase add_cases[] = {
	{2024, 2, 29, 1, 2025, 2, 28},	 {2024, 2, 29, 4, 2028, 2, 29},
	{2024, 2, 29, -1, 2023, 2, 28},	 {2024, 2, 29, -4, 2020, 2, 29},
	{2024, 2, 29, 0, 2024, 2, 29},	 {2000, 2, 29, 100, 2100, 2, 28},
	{2000, 2, 29, 400, 2400, 2, 29}, {2025, 7, 1, 1, 2026, 7, 1},
	{2025, 7, 1, -1, 2024, 7, 1},	 {2023, 2, 28, 1, 2024, 2, 28},
	{2024, 3, 1, 1, 2025, 3, 1},	 {2025, 12, 31, 3, 2028, 12, 31},
};

static void test_date_add_years(void **state)
{
	size_t i;
	Date n;
	int y, m, d, y2, m2, d2;

	(void)state;
	for (i = 0; i < N_ELEMS(add_cases); i++) {
		const AddCase *c = &add_cases[i];

		assert_int_equal(date_add_years(date_from_ymd(c->y, c->m, c->d), c->k),
				 date_from_ymd(c->wy, c->wm, c->wd));
	}
	/* Property: same month and day a year on, except 29 Feb -> 28 Feb. */
	for (n = -25567; n <= 376199 - 366; n++) {
		date_to_ymd(n, &y, &m, &d);
		date_to_ymd(date_add_years(n, 1), &y2, &m2, &d2);
		assert_int_equal(y2, y + 1);
		assert_int_equal(m2, m);
		assert_int_equal(d2, (m == 2 && d == 29 && !t_leap(y + 1)) ? 28 : d);
	}
}

static void test_date_today(void **state)
{
	Err e = {CL_OK, ""};
	Date d = 0, before, after;

	(void)state;
	assert_int_equal(date_today("2025-07-01", &d, &e), CL_OK);
	assert_int_equal(d, 20270);
	assert_int_equal(date_today(" 2024-02-29 ", &d, &e), CL_OK);
	assert_int_equal(d, 19782);
	/* The system clock: days since the epoch in UTC. */
	before = (Date)(time(NULL) / 86400);
	assert_int_equal(date_today(NULL, &d, &e), CL_OK);
	after = (Date)(time(NULL) / 86400);
	assert_in_range(d, before, after);
	assert_int_equal(date_today("", &d, &e), CL_OK);
	assert_in_range(d, before, after + 1);
	/* A bad as-of date is refused, never replaced by the clock. */
	d = 4242;
	assert_int_equal(date_today("2025-02-30", &d, &e), CL_EINPUT);
	assert_int_equal(d, 4242);
	assert_non_null(strstr(e.msg, "as-of date"));
	assert_non_null(strstr(e.msg, "2025-02-30 is not a real date"));
	assert_int_equal(date_today("tomorrow", &d, &e), CL_EINPUT);
	assert_non_null(strstr(e.msg, "\"tomorrow\""));
	assert_int_equal(date_today("07/01/2025", &d, &e), CL_EINPUT);
	assert_int_equal(date_today(" ", &d, &e), CL_EINPUT);
}

/* A quarter text and its year and number, or words of its refusal. */
typedef struct QuarterCase {
	const char *text;
	int year, q;
	const char *err;
} QuarterCase;

static const QuarterCase quarter_cases[] = {
	{"2025-Q3", 2025, 3, NULL},
	{"2025-q3", 2025, 3, NULL},
	{"1900-Q1", 1900, 1, NULL},
	{"2999-Q4", 2999, 4, NULL},
	{" 2025-Q1 ", 2025, 1, NULL},
	{"2025-Q5", 0, 0, "\"2025-Q5\" does not exist (quarters run from Q1 to Q4)"},
	{"2025-Q0", 0, 0, "does not exist"},
	{"2025Q3", 0, 0, "\"2025Q3\" is not in the form 2025-Q3"},
	{"2025-3", 0, 0, "is not in the form 2025-Q3"},
	{"2025-Q12", 0, 0, "is not in the form 2025-Q3"},
	{"2025-Q3x", 0, 0, "is not in the form 2025-Q3"},
	{"25-Q3", 0, 0, "is not in the form 2025-Q3"},
	{"Q3-2025", 0, 0, "is not in the form 2025-Q3"},
	{"2025-Q", 0, 0, "is not in the form 2025-Q3"},
	{"2025 Q3", 0, 0, "is not in the form 2025-Q3"},
	{"1899-Q4", 0, 0, "is outside the years 1900 to 2999"},
	{"3000-Q1", 0, 0, "is outside the years 1900 to 2999"},
	{"", 0, 0, "quarter is empty"},
	{NULL, 0, 0, "quarter is empty"},
};

static void test_quarter_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(quarter_cases); i++) {
		const QuarterCase *c = &quarter_cases[i];
		Err e = {CL_OK, ""};
		Quarter q = {42, 42};
		ClCode rc = quarter_parse(c->text, &q, &e);

		if (!c->err) {
			if (rc != CL_OK)
				fail_msg("\"%s\" refused: %s", c->text, e.msg);
			assert_int_equal(q.year, c->year);
			assert_int_equal(q.q, c->q);
		} else {
			if (rc != CL_EINPUT)
				fail_msg("\"%s\" accepted", c->text ? c->text : "(null)");
			assert_int_equal(q.year, 42);
			if (!strstr(e.msg, c->err))
				fail_msg("message \"%s\" lacks \"%s\"", e.msg, c->err);
		}
	}
}

/* A date and the quarter containing it, with that quarter's first and last
 * days (hand-counted). */
typedef struct QuarterOfCase {
	Date d;
	int year, q;
	Date first, last;
} QuarterOfCase;

static const QuarterOfCase quarter_of_cases[] = {
	{20270, 2025, 3, 20270, 20361},	      /* 2025-07-01; 92 days in Q3 */
	{20269, 2025, 2, 20179, 20269},	      /* 2025-06-30; Q2 from 04-01 */
	{20089, 2025, 1, 20089, 20178},	      /* 2025-01-01; 31 + 28 + 31 */
	{20089 + 364, 2025, 4, 20362, 20453}, /* 2025-12-31 */
	{19782, 2024, 1, 19723, 19813},	      /* 2024-02-29; 31 + 29 + 31 */
	{0, 1970, 1, 0, 89},
	{-1, 1969, 4, -92, -1},
	{-25567, 1900, 1, -25567, -25478}, /* 1900 is common: 90 days */
	{376199, 2999, 4, 376108, 376199},
};

static void test_quarter_days(void **state)
{
	char buf[QUARTER_BUF];
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(quarter_of_cases); i++) {
		const QuarterOfCase *c = &quarter_of_cases[i];
		Quarter q = quarter_of(c->d);

		assert_int_equal(q.year, c->year);
		assert_int_equal(q.q, c->q);
		assert_int_equal(quarter_first_day(q), c->first);
		assert_int_equal(quarter_last_day(q), c->last);
	}
	assert_string_equal(quarter_format((Quarter){2025, 3}, buf), "2025-Q3");
	assert_string_equal(quarter_format((Quarter){1900, 1}, buf), "1900-Q1");
	quarter_format((Quarter){123456, 4}, buf); /* cut to fit */
	assert_int_equal(strlen(buf), QUARTER_BUF - 1);
}

static void test_quarter_order(void **state)
{
	Quarter q;

	(void)state;
	q = quarter_next((Quarter){2025, 4});
	assert_int_equal(q.year, 2026);
	assert_int_equal(q.q, 1);
	q = quarter_next((Quarter){2025, 1});
	assert_int_equal(q.year, 2025);
	assert_int_equal(q.q, 2);
	assert_true(quarter_cmp((Quarter){2025, 3}, (Quarter){2025, 4}) < 0);
	assert_true(quarter_cmp((Quarter){2025, 4}, (Quarter){2025, 3}) > 0);
	assert_true(quarter_cmp((Quarter){2026, 1}, (Quarter){2025, 4}) > 0);
	assert_true(quarter_cmp((Quarter){2024, 4}, (Quarter){2025, 1}) < 0);
	assert_int_equal(quarter_cmp((Quarter){2025, 3}, (Quarter){2025, 3}), 0);
}

/* Every quarter 1900-Q1..2999-Q4: contiguous, contains its days, prints and
 * parses back, and orders after the one before. */
static void test_quarter_walk(void **state)
{
	char buf[QUARTER_BUF];
	Quarter q = {1900, 1}, back, prev;
	Date first = -25567;
	int n = 0, len;

	(void)state;
	while (q.year <= 2999) {
		assert_int_equal(quarter_first_day(q), first);
		len = (int)(quarter_last_day(q) - first + 1);
		assert_in_range(len, 90, 92);
		assert_int_equal(quarter_cmp(quarter_of(first), q), 0);
		assert_int_equal(quarter_cmp(quarter_of(quarter_last_day(q)), q), 0);
		assert_int_equal(quarter_parse(quarter_format(q, buf), &back, NULL), CL_OK);
		assert_int_equal(quarter_cmp(back, q), 0);
		first = quarter_last_day(q) + 1;
		prev = q;
		q = quarter_next(q);
		assert_true(quarter_cmp(prev, q) < 0);
		n++;
	}
	assert_int_equal(n, 1100 * 4);
	assert_int_equal(first, 376200);
}

/* A schedule year k and its first and last days, as y-m-d by hand. */
typedef struct RangeCase {
	int contract;
	int sy, sm, sd; /* contract start */
	int k;
	int fy, fm, fd;
	int ly, lm, ld;
} RangeCase;

static const RangeCase range_cases[] = {
	{1, 2025, 7, 1, 1, 2025, 7, 1, 2026, 6, 30},
	{1, 2025, 7, 1, 2, 2026, 7, 1, 2027, 6, 30},
	{1, 2025, 7, 1, 3, 2027, 7, 1, 2028, 6, 30},
	{1, 2025, 7, 1, 0, 2024, 7, 1, 2025, 6, 30},
	{1, 2024, 2, 29, 1, 2024, 2, 29, 2025, 2, 27},
	{1, 2024, 2, 29, 2, 2025, 2, 28, 2026, 2, 27},
	{1, 2024, 2, 29, 3, 2026, 2, 28, 2027, 2, 27},
	{1, 2024, 2, 29, 4, 2027, 2, 28, 2028, 2, 28},
	{1, 2024, 2, 29, 5, 2028, 2, 29, 2029, 2, 27},
	{1, 2024, 3, 1, 1, 2024, 3, 1, 2025, 2, 28},
	{1, 2023, 3, 1, 1, 2023, 3, 1, 2024, 2, 29},
	{1, 2025, 1, 1, 1, 2025, 1, 1, 2025, 12, 31},
	{0, 2025, 7, 1, 2026, 2026, 1, 1, 2026, 12, 31},
	{0, 2025, 7, 1, 2024, 2024, 1, 1, 2024, 12, 31},
	{0, 2024, 2, 29, 2025, 2025, 1, 1, 2025, 12, 31},
};

static void test_sched_year_range(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(range_cases); i++) {
		const RangeCase *c = &range_cases[i];
		Date start = date_from_ymd(c->sy, c->sm, c->sd);
		YearRange r = sched_year_range(c->contract, start, c->k);

		assert_int_equal(r.first, date_from_ymd(c->fy, c->fm, c->fd));
		assert_int_equal(r.last, date_from_ymd(c->ly, c->lm, c->ld));
		assert_int_equal(sched_year_of(c->contract, start, r.first), c->k);
		assert_int_equal(sched_year_of(c->contract, start, r.last), c->k);
	}
}

/* A start, a date and the schedule year containing it, by hand. */
typedef struct YearOfCase {
	int contract;
	int sy, sm, sd;
	int y, m, d;
	int k;
} YearOfCase;

static const YearOfCase year_of_cases[] = {
	{1, 2025, 7, 1, 2025, 7, 1, 1},	     {1, 2025, 7, 1, 2026, 6, 30, 1},
	{1, 2025, 7, 1, 2026, 7, 1, 2},	     {1, 2025, 7, 1, 2028, 6, 30, 3},
	{1, 2025, 7, 1, 2025, 6, 30, 0},     {1, 2025, 7, 1, 2024, 7, 1, 0},
	{1, 2025, 7, 1, 2024, 6, 30, -1},    {1, 2024, 2, 29, 2024, 2, 29, 1},
	{1, 2024, 2, 29, 2025, 2, 27, 1},    {1, 2024, 2, 29, 2025, 2, 28, 2},
	{1, 2024, 2, 29, 2028, 2, 28, 4},    {1, 2024, 2, 29, 2028, 2, 29, 5},
	{1, 2024, 2, 29, 2024, 2, 28, 0},    {1, 2024, 2, 29, 2023, 2, 28, 0},
	{1, 2024, 2, 29, 2023, 2, 27, -1},   {0, 2025, 7, 1, 2025, 7, 1, 2025},
	{0, 2025, 7, 1, 2024, 12, 31, 2024}, {0, 2025, 7, 1, 2026, 1, 1, 2026},
};

static void test_sched_year_of(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(year_of_cases); i++) {
		const YearOfCase *c = &year_of_cases[i];

		assert_int_equal(sched_year_of(c->contract, date_from_ymd(c->sy, c->sm, c->sd),
					       date_from_ymd(c->y, c->m, c->d)),
				 c->k);
	}
}

/* Naive contract year of y-m-d for a start sy-sm-sd: compare against the
 * start's anniversary in year y (29 Feb falls back to 28 Feb). */
static int naive_contract_year(int sy, int sm, int sd, int y, int m, int d)
{
	int ad = (sm == 2 && sd == 29 && !t_leap(y)) ? 28 : sd;

	if (m > sm || (m == sm && d >= ad))
		return y - sy + 1;
	return y - sy;
}

/* Check sched_year_of and sched_year_range for one start over ~10 years. */
static void check_start(Date start)
{
	int sy, sm, sd, y, m, d, k, naive;
	YearRange r, next;
	Date n;

	date_to_ymd(start, &sy, &sm, &sd);
	for (n = start - 800; n <= start + 3000; n++) {
		date_to_ymd(n, &y, &m, &d);
		k = sched_year_of(1, start, n);
		naive = naive_contract_year(sy, sm, sd, y, m, d);
		if (k != naive)
			fail_msg("start %d day %d: year %d, expected %d", start, n, k, naive);
		r = sched_year_range(1, start, k);
		if (n < r.first || n > r.last)
			fail_msg("start %d day %d not in its year %d", start, n, k);
		next = sched_year_range(1, start, k + 1);
		assert_int_equal(next.first, r.last + 1);
		assert_in_range(r.last - r.first + 1, 365, 366);
		assert_int_equal(sched_year_of(0, start, n), y);
	}
}

/* Property: every start in 2023..2025 and some leap-day starts, against the
 * naive year and the ranges (about four million dates). */
static void test_sched_year_property(void **state)
{
	Date s;

	(void)state;
	for (s = date_from_ymd(2023, 1, 1); s <= date_from_ymd(2025, 12, 31); s++)
		check_start(s);
	check_start(date_from_ymd(2000, 2, 29));
	check_start(date_from_ymd(2096, 2, 29));
	check_start(date_from_ymd(1900, 3, 1));
	check_start(date_from_ymd(2999, 2, 28));
}

/* Calendar years: Jan 1..Dec 31, and every day maps back to its year. */
static void test_sched_calendar_years(void **state)
{
	YearRange r;
	Date n;
	int y;

	(void)state;
	for (y = 1900; y <= 2999; y++) {
		r = sched_year_range(0, 12345, y);
		assert_int_equal(r.first, date_from_ymd(y, 1, 1));
		assert_int_equal(r.last, date_from_ymd(y, 12, 31));
		assert_int_equal(r.last - r.first + 1, t_leap(y) ? 366 : 365);
		for (n = r.first; n <= r.last; n += 13)
			assert_int_equal(sched_year_of(0, 12345, n), y);
		assert_int_equal(sched_year_of(0, 12345, r.last), y);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_day_numbers),
		cmocka_unit_test(test_date_walk),
		cmocka_unit_test(test_date_valid),
		cmocka_unit_test(test_date_parse_table),
		cmocka_unit_test(test_date_format),
		cmocka_unit_test(test_date_add_years),
		cmocka_unit_test(test_date_today),
		cmocka_unit_test(test_quarter_parse_table),
		cmocka_unit_test(test_quarter_days),
		cmocka_unit_test(test_quarter_order),
		cmocka_unit_test(test_quarter_walk),
		cmocka_unit_test(test_sched_year_range),
		cmocka_unit_test(test_sched_year_of),
		cmocka_unit_test(test_sched_year_property),
		cmocka_unit_test(test_sched_calendar_years),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
