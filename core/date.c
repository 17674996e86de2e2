/*
 * date.c — civil dates, quarters and schedule years; see date.h.
 *
 * Day numbers use the proleptic Gregorian calendar counted from 1970-01-01.
 * The conversion treats March as the first month of a "shifted" year, so
 * that the leap day falls at the end, and counts whole 400-year cycles of
 * 146097 days (the method of Howard Hinnant's days_from_civil).  Arithmetic
 * is done in int64_t so that no Date or year can overflow it.
 */
#include "span.h"
#include "date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define DAYS_PER_ERA 146097 /* days in 400 Gregorian years */
#define EPOCH_SHIFT  719468 /* days from 0000-03-01 to 1970-01-01 */

static const char *const month_name[12] = {
	"January", "February", "March",	    "April",   "May",	   "June",
	"July",	   "August",   "September", "October", "November", "December",
};

/* Set e to `what "TEXT" why` and return CL_EINPUT. */
static ClCode refuse(Err *e, const char *what, Span s, const char *why)
{
	return err_set(e, CL_EINPUT, "%s \"%.*s%s\" %s", what, span_quote_len(s), s.p,
		       (size_t)(s.end - s.p) > SPAN_QUOTE_MAX ? "..." : "", why);
}

/*
 * Read between min and max digits at *pp (not past end) as a number.
 * Returns the number of digits read, or 0 if that count is out of bounds.
 * OUT: *value; *pp advances past the digits.
 */
static int read_digits(const char **pp, const char *end, int min, int max, int *value)
{
	int n = 0;

	*value = 0;
	while (*pp < end && n < max && span_is_digit(**pp)) {
		*value = *value * 10 + (**pp - '0');
		(*pp)++;
		n++;
	}
	if (n < min || (*pp < end && span_is_digit(**pp)))
		return 0;
	return n;
}

/* 1 if *pp (not past end) starts with c; then skips it. */
static int read_char(const char **pp, const char *end, char c)
{
	if (*pp >= end || **pp != c)
		return 0;
	(*pp)++;
	return 1;
}

/* 1 if y is a leap year in the Gregorian calendar. */
static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Number of days in month m (1..12) of year y; 0 for another m. */
int date_days_in_month(int y, int m)
{
	static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m < 1 || m > 12)
		return 0;
	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* 1 if y-m-d is a real day of the Gregorian calendar (any year). */
int date_valid(int y, int m, int d)
{
	return d >= 1 && d <= date_days_in_month(y, m);
}

/* floor(a / b) for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/*
 * Days since 1970-01-01 of y-m-d.  The year is shifted to start on
 * 1 March; within it, month lengths from March repeat in a 153-day
 * pattern of five months, so (153 * mar + 2) / 5 is the first day of the
 * month `mar` months after March.
 */
Date date_from_ymd(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = floor_div(yy, 400);
	int64_t yoe = yy - era * 400;	     /* 0..399 */
	int64_t mar = m > 2 ? m - 3 : m + 9; /* 0 = March .. 11 = February */
	int64_t doy = (153 * mar + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (Date)(era * DAYS_PER_ERA + doe - EPOCH_SHIFT);
}

/* The y-m-d of a day number: the inverse of date_from_ymd.  OUT: y, m, d. */
void date_to_ymd(Date dt, int *y, int *m, int *d)
{
	int64_t z = (int64_t)dt + EPOCH_SHIFT;
	int64_t era = floor_div(z, DAYS_PER_ERA);
	int64_t doe = z - era * DAYS_PER_ERA; /* 0..146096 */
	/* Years into the era: remove the leap days a 365-day year misses. */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mar = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mar + 2) / 5 + 1);
	*m = (int)(mar < 10 ? mar + 3 : mar - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/*
 * Check y-m-d read from text s (already in a valid shape) and convert it.
 * Messages name the date as it was written.  OUT: *out.
 */
static ClCode date_check(Span s, int y, int m, int d, Date *out, Err *e)
{
	int len = span_quote_len(s);

	if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR)
		return err_set(e, CL_EINPUT, "%.*s is outside the years %d to %d", len, s.p,
			       DATE_MIN_YEAR, DATE_MAX_YEAR);
	if (m < 1 || m > 12)
		return err_set(e, CL_EINPUT, "%.*s is not a real date (there is no month %d)", len,
			       s.p, m);
	if (d < 1)
		return err_set(e, CL_EINPUT, "%.*s is not a real date (there is no day 0)", len,
			       s.p);
	if (!date_valid(y, m, d))
		return err_set(e, CL_EINPUT, "%.*s is not a real date (%s %d has %d days)", len,
			       s.p, month_name[m - 1], y, date_days_in_month(y, m));
	*out = date_from_ymd(y, m, d);
	return CL_OK;
}

/* 1 if s has the shape YYYY-MM-DD.  OUT: y, m, d. */
static int shape_iso(Span s, int *y, int *m, int *d)
{
	const char *p = s.p;

	return read_digits(&p, s.end, 4, 4, y) && read_char(&p, s.end, '-') &&
	       read_digits(&p, s.end, 2, 2, m) && read_char(&p, s.end, '-') &&
	       read_digits(&p, s.end, 2, 2, d) && p == s.end;
}

/* 1 if s has the shape M/D/YYYY (one or two digits of M and D).  OUT: y, m, d. */
static int shape_us(Span s, int *y, int *m, int *d)
{
	const char *p = s.p;

	return read_digits(&p, s.end, 1, 2, m) && read_char(&p, s.end, '/') &&
	       read_digits(&p, s.end, 1, 2, d) && read_char(&p, s.end, '/') &&
	       read_digits(&p, s.end, 4, 4, y) && p == s.end;
}

/* Strict "YYYY-MM-DD", surrounding blanks trimmed; see date.h.  OUT: *out. */
ClCode date_parse(const char *text, Date *out, Err *e)
{
	Span s = span_trim(text);
	int y, m, d;

	if (s.p == s.end)
		return err_set(e, CL_EINPUT, "date is empty");
	if (!shape_iso(s, &y, &m, &d))
		return refuse(e, "date", s, "is not in the form YYYY-MM-DD");
	return date_check(s, y, m, d, out, e);
}

/* "YYYY-MM-DD" or "M/D/YYYY", surrounding blanks trimmed.  OUT: *out. */
ClCode date_parse_any(const char *text, Date *out, Err *e)
{
	Span s = span_trim(text);
	int y, m, d;

	if (s.p == s.end)
		return err_set(e, CL_EINPUT, "date is empty");
	if (!shape_iso(s, &y, &m, &d) && !shape_us(s, &y, &m, &d))
		return refuse(e, "date", s, "is not in the form YYYY-MM-DD or MM/DD/YYYY");
	return date_check(s, y, m, d, out, e);
}

/* "YYYY-MM-DD" into buf (DATE_BUF bytes); returns buf. */
char *date_format(Date dt, char *buf)
{
	int y, m, d;

	date_to_ymd(dt, &y, &m, &d);
	if (y < 0 || y > 9999) {
		/* outside 0..9999: cut, never overrun */
		snprintf(buf, DATE_BUF, "%04d-%02d-%02d", y, m, d);
		return buf;
	}
	/* digits by hand: this runs for every ledger line */
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
	return buf;
}

/* The date k years after dt, 29 February becoming 28 in a common year. */
Date date_add_years(Date dt, int k)
{
	int y, m, d;
	int64_t target;

	date_to_ymd(dt, &y, &m, &d);
	target = (int64_t)y + k; /* no int overflow for any k */
	if (m == 2 && d == 29 && !is_leap(target))
		d = 28;
	return date_from_ymd((int)target, m, d);
}

/* Today's date from as_of, or the UTC system date; see date.h.  OUT: *out. */
ClCode date_today(const char *as_of, Date *out, Err *e)
{
	struct tm tm;
	time_t now;
	ClCode rc;

	if (as_of && *as_of) {
		rc = date_parse(as_of, out, e);
		if (rc)
			err_prefix(e, "the as-of date");
		return rc;
	}
	now = time(NULL);
	if (now == (time_t)-1 || !gmtime_r(&now, &tm))
		return err_set(e, CL_EIO, "the system clock could not be read");
	*out = date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	return CL_OK;
}

/* Parse "2025-Q3" (or "2025-q3"), blanks trimmed; see date.h.  OUT: *out. */
ClCode quarter_parse(const char *text, Quarter *out, Err *e)
{
	Span s = span_trim(text);
	const char *p = s.p;
	int y, q;

	if (s.p == s.end)
		return err_set(e, CL_EINPUT, "quarter is empty");
	if (!read_digits(&p, s.end, 4, 4, &y) || !read_char(&p, s.end, '-') ||
	    !(read_char(&p, s.end, 'Q') || read_char(&p, s.end, 'q')) ||
	    !read_digits(&p, s.end, 1, 1, &q) || p != s.end)
		return refuse(e, "quarter", s, "is not in the form 2025-Q3");
	if (q < 1 || q > 4)
		return refuse(e, "quarter", s, "does not exist (quarters run from Q1 to Q4)");
	if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR)
		return refuse(e, "quarter", s, "is outside the years 1900 to 2999");
	out->year = y;
	out->q = q;
	return CL_OK;
}

/* "2025-Q3" into buf (QUARTER_BUF bytes); returns buf. */
char *quarter_format(Quarter q, char *buf)
{
	/* Years 0..9999 and quarters 1..4 fit; others are cut, never overrun. */
	snprintf(buf, QUARTER_BUF, "%04d-Q%d", q.year, q.q);
	return buf;
}

/* The calendar quarter that contains d. */
Quarter quarter_of(Date d)
{
	Quarter q;
	int m, day;

	date_to_ymd(d, &q.year, &m, &day);
	q.q = (m - 1) / 3 + 1;
	return q;
}

/* The first day of quarter q. */
Date quarter_first_day(Quarter q)
{
	return date_from_ymd(q.year, 3 * (q.q - 1) + 1, 1);
}

/* The last day of quarter q: the day before the next one starts. */
Date quarter_last_day(Quarter q)
{
	return quarter_first_day(quarter_next(q)) - 1;
}

/* The quarter after q. */
Quarter quarter_next(Quarter q)
{
	if (q.q >= 4) {
		q.year++;
		q.q = 1;
	} else {
		q.q++;
	}
	return q;
}

/* Order of two quarters: <0, 0 or >0 as a is before, equal to or after b. */
int quarter_cmp(Quarter a, Quarter b)
{
	if (a.year != b.year)
		return a.year < b.year ? -1 : 1;
	if (a.q != b.q)
		return a.q < b.q ? -1 : 1;
	return 0;
}

/*
 * Schedule year k: contract year k runs from the (k-1)th anniversary of the
 * start up to the day before the kth; calendar year k is itself.
 */
YearRange sched_year_range(int year_kind_contract, Date contract_start, int k)
{
	YearRange r;

	if (year_kind_contract) {
		r.first = date_add_years(contract_start, k - 1);
		r.last = date_add_years(contract_start, k) - 1;
	} else {
		r.first = date_from_ymd(k, 1, 1);
		r.last = date_from_ymd(k, 12, 31);
	}
	return r;
}

/*
 * The schedule year containing d.  For contract years, d lies before the
 * anniversary of the start in the year after its own, so the year is
 * yd - ys + 1 unless d is also before this year's anniversary.  Comparing
 * against the same anniversaries sched_year_range() uses keeps the two in
 * agreement, 29 February included.
 */
int sched_year_of(int year_kind_contract, Date contract_start, Date d)
{
	int ys, yd, m, day, k;

	date_to_ymd(d, &yd, &m, &day);
	if (!year_kind_contract)
		return yd;
	date_to_ymd(contract_start, &ys, &m, &day);
	k = yd - ys + 1;
	if (d < date_add_years(contract_start, k - 1))
		k--;
	return k;
}
