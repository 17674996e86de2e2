/*
 * fuzz_date.c — dates, quarters and schedule years (core/date.h).
 *
 * Properties:
 *   - a date that parses lies in DATE_MIN_YEAR..DATE_MAX_YEAR, formats to
 *     the canonical "YYYY-MM-DD", and that parses back to the same day;
 *     date_parse_any() agrees with date_parse() wherever the latter
 *     accepts, and what it accepts formats to text date_parse() takes;
 *   - a quarter that parses formats and parses back the same, and its
 *     first and last days are the quarter's own;
 *   - for a day taken from the input bytes: ymd conversion round-trips,
 *     date_add_years() keeps month and day (29 February excepted), and
 *     sched_year_of() names the year whose range holds the day.
 */
#include "fuzz.h"

#include "date.h"

static void check_day(Date d)
{
	char buf[DATE_BUF];
	int y, m, dd;
	Date back = 0;
	Err e = {0};

	date_to_ymd(d, &y, &m, &dd);
	FUZZ_CHECK(date_valid(y, m, dd) && date_from_ymd(y, m, dd) == d,
		   "day %d is %d-%d-%d, which is not itself", (int)d, y, m, dd);
	date_format(d, buf);
	FUZZ_CHECK(strlen(buf) == DATE_BUF - 1, "day %d formats as \"%s\"", (int)d, buf);
	FUZZ_CHECK(date_parse(buf, &back, &e) == CL_OK && back == d,
		   "day %d formats as \"%s\", which parses as %d (%s)", (int)d, buf, (int)back,
		   e.msg);
}

static void check_quarter(Quarter q)
{
	char buf[QUARTER_BUF];
	Quarter back = {0, 0}, of;
	Date first = quarter_first_day(q), last = quarter_last_day(q);
	Err e = {0};

	quarter_format(q, buf);
	FUZZ_CHECK(quarter_parse(buf, &back, &e) == CL_OK && quarter_cmp(back, q) == 0,
		   "%d-Q%d formats as \"%s\" (%s)", q.year, q.q, buf, e.msg);
	FUZZ_CHECK(first <= last && last - first >= 89 && last - first <= 91,
		   "%s runs from day %d to %d", buf, (int)first, (int)last);
	of = quarter_of(first);
	FUZZ_CHECK(quarter_cmp(of, q) == 0, "the first day of %s is in %d-Q%d", buf, of.year, of.q);
	of = quarter_of(last);
	FUZZ_CHECK(quarter_cmp(of, q) == 0, "the last day of %s is in %d-Q%d", buf, of.year, of.q);
	FUZZ_CHECK(quarter_first_day(quarter_next(q)) == last + 1,
		   "the quarter after %s does not start the day after it ends", buf);
}

static void check_text(const char *s)
{
	Date d = 0, any = 0;
	Quarter q = {0, 0};
	Err e = {0};
	char buf[DATE_BUF];
	int y, m, dd;
	ClCode rc;

	rc = date_parse(s, &d, &e);
	if (rc == CL_OK) {
		date_to_ymd(d, &y, &m, &dd);
		FUZZ_CHECK(y >= DATE_MIN_YEAR && y <= DATE_MAX_YEAR, "\"%s\" is in year %d", s, y);
		check_day(d);
		FUZZ_CHECK(date_parse_any(s, &any, &e) == CL_OK && any == d,
			   "date_parse takes \"%s\" as %d, date_parse_any as %d (%s)", s, (int)d,
			   (int)any, e.msg);
	} else {
		FUZZ_CHECK(rc == CL_EINPUT && e.msg[0], "\"%s\": code %d \"%s\"", s, (int)rc,
			   e.msg);
	}
	rc = date_parse_any(s, &any, &e);
	if (rc == CL_OK) {
		date_to_ymd(any, &y, &m, &dd);
		FUZZ_CHECK(y >= DATE_MIN_YEAR && y <= DATE_MAX_YEAR, "\"%s\" is in year %d", s, y);
		date_format(any, buf);
		FUZZ_CHECK(date_parse(buf, &d, &e) == CL_OK && d == any,
			   "\"%s\" is day %d, canonically \"%s\" (%s)", s, (int)any, buf, e.msg);
	} else {
		FUZZ_CHECK(rc == CL_EINPUT && e.msg[0], "\"%s\": code %d \"%s\"", s, (int)rc,
			   e.msg);
	}
	rc = quarter_parse(s, &q, &e);
	if (rc == CL_OK) {
		FUZZ_CHECK(q.q >= 1 && q.q <= 4 && q.year >= DATE_MIN_YEAR &&
				   q.year <= DATE_MAX_YEAR,
			   "\"%s\" parses as %d-Q%d", s, q.year, q.q);
		check_quarter(q);
	} else {
		FUZZ_CHECK(rc == CL_EINPUT && e.msg[0], "\"%s\": code %d \"%s\"", s, (int)rc,
			   e.msg);
	}
}

/* Days and year counts from the input bytes, within the supported years. */
static void check_numbers(const uint8_t *data, size_t size)
{
	Date lo = date_from_ymd(DATE_MIN_YEAR, 1, 1), hi = date_from_ymd(DATE_MAX_YEAR, 12, 31);
	uint64_t span = (uint64_t)(hi - lo) + 1;
	Date d = lo + (Date)(fuzz_u64(data, size) % span);
	Date start = lo + (Date)(size > 8 ? fuzz_u64(data + 8, size - 8) % span : 0);
	int k = size > 16 ? (int)(fuzz_u64(data + 16, size - 16) % 200) - 100 : 1;
	int y, m, dd, y2, m2, d2, kind;
	YearRange yr;
	Date later;

	check_day(d);
	check_quarter(quarter_of(d));
	date_to_ymd(d, &y, &m, &dd);
	later = date_add_years(d, k);
	date_to_ymd(later, &y2, &m2, &d2);
	FUZZ_CHECK(y2 == y + k && m2 == m && (d2 == dd || (m == 2 && dd == 29 && d2 == 28)),
		   "%d-%02d-%02d plus %d years is %d-%02d-%02d", y, m, dd, k, y2, m2, d2);
	for (kind = 0; kind < 2; kind++) {
		int n = sched_year_of(kind, start, d);

		yr = sched_year_range(kind, start, n);
		FUZZ_CHECK(yr.first <= d && d <= yr.last,
			   "day %d is in schedule year %d (kind %d, start %d), which runs %d..%d",
			   (int)d, n, kind, (int)start, (int)yr.first, (int)yr.last);
		if (kind) {
			YearRange next = sched_year_range(kind, start, n + 1);

			FUZZ_CHECK(next.first == yr.last + 1,
				   "contract year %d ends on %d but the next starts on %d", n,
				   (int)yr.last, (int)next.first);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);

	check_text(s);
	check_numbers(data, size);
	free(s);
	return 0;
}
