/*
 * date.h — civil dates, quarters and schedule years (DOMAIN.md 2 and 4).
 *
 * A Date is a count of days since 1970-01-01 in the proleptic Gregorian
 * calendar, with no time zone, so dates compare and subtract as integers.
 */
#ifndef COOPLEDGER_DATE_H
#define COOPLEDGER_DATE_H

#include <stdint.h>

#include "err.h"

typedef int32_t Date;

#define DATE_BUF      11 /* "YYYY-MM-DD" and its NUL */
#define QUARTER_BUF   8	 /* "2025-Q3" and its NUL */
#define DATE_MIN_YEAR 1900
#define DATE_MAX_YEAR 2999

typedef struct Quarter {
	int year;
	int q; /* 1..4 */
} Quarter;

/* Days since the epoch of a valid y-m-d (no range check: see date_valid). */
Date date_from_ymd(int y, int m, int d);
void date_to_ymd(Date dt, int *y, int *m, int *d); /* OUT: y, m, d */
int date_valid(int y, int m, int d);		   /* 1 if a real day */
int date_days_in_month(int y, int m);

/* Strict "YYYY-MM-DD" (years DATE_MIN_YEAR..DATE_MAX_YEAR); an impossible
 * day such as 2025-02-30 is refused by name.  OUT: *out. */
ClCode date_parse(const char *text, Date *out, Err *e) __attribute__((warn_unused_result));

/* As date_parse, and also "MM/DD/YYYY" (US spreadsheets; one-digit month
 * and day accepted).  OUT: *out. */
ClCode date_parse_any(const char *text, Date *out, Err *e) __attribute__((warn_unused_result));

/* "YYYY-MM-DD" into buf (DATE_BUF bytes); returns buf. */
char *date_format(Date dt, char *buf);

/* The date k years after d; 29 February plus a non-leap year count is
 * 28 February. */
Date date_add_years(Date d, int k);

/* Today's date from the system clock (UTC), unless as_of (may be NULL or
 * empty) gives "YYYY-MM-DD".  OUT: *out. */
ClCode date_today(const char *as_of, Date *out, Err *e) __attribute__((warn_unused_result));

/* Quarters: "2025-Q3". */
ClCode quarter_parse(const char *text, Quarter *out, Err *e) __attribute__((warn_unused_result));
char *quarter_format(Quarter q, char *buf); /* buf: QUARTER_BUF bytes */
Quarter quarter_of(Date d);
Date quarter_first_day(Quarter q);
Date quarter_last_day(Quarter q);
Quarter quarter_next(Quarter q);
int quarter_cmp(Quarter a, Quarter b); /* <0, 0, >0 */

/* Schedule years (DOMAIN.md 4): contract year k (1-based) is
 * [start + (k-1) years, start + k years); a calendar year is itself.
 * year_kind_contract is 1 for contract years, 0 for calendar years. */
typedef struct YearRange {
	Date first; /* first day */
	Date last;  /* last day, inclusive */
} YearRange;

/* The range of schedule year k.  OUT: the range. */
YearRange sched_year_range(int year_kind_contract, Date contract_start, int k);

/* The schedule year that contains d (for contract years, d before the start
 * gives 0 or less).  */
int sched_year_of(int year_kind_contract, Date contract_start, Date d);

#endif
