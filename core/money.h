/*
 * money.h — exact money and rates (DOMAIN.md section 2).
 *
 * Money is a signed 64-bit count of cents; a rate is an integer number of
 * parts per million (2% == 20000).  No floating point anywhere.
 */
#ifndef COOPLEDGER_MONEY_H
#define COOPLEDGER_MONEY_H

#include <stdint.h>

#include "err.h"

typedef int64_t Money; /* cents */
typedef int64_t Rate;  /* parts per million */

#define MONEY_LIMIT 1000000000000000LL /* 10^15 cents: largest magnitude */
#define RATE_ONE    1000000LL	       /* 100% */
#define MONEY_BUF   40		       /* room for any formatted figure */

/* Parse money text: "1234.56", "-12.5", "1234", "$1,234.56", "(1,234.56)"
 * (negative), surrounding blanks trimmed.  Refuses more than two decimals,
 * letters, empty text and magnitudes over MONEY_LIMIT, naming the problem in
 * e.  OUT: *out. */
ClCode money_parse(const char *text, Money *out, Err *e) __attribute__((warn_unused_result));

/* Machine form for CSV/JSON: "1234.56", "-0.05".  Writes into buf
 * (MONEY_BUF bytes) and returns it. */
char *money_format(Money m, char *buf);

/* Human form for HTML/PDF/e-mail: "$1,234.56", "-$1,234.56".  Writes into
 * buf (MONEY_BUF bytes) and returns it. */
char *money_format_human(Money m, char *buf);

/* round(num / den): integer division rounded half away from zero, exact
 * over the whole 128-bit range.  den must not be zero. */
__int128 money_div_round(__int128 num, __int128 den);

/* round(amount * rate / 10^6), the money figure of a rate applied once. */
Money money_apply_rate(Money amount, Rate rate);

/* Parse a percent with up to four decimals and a '%' sign: "2%" -> 20000,
 * "0.25%" -> 2500, "0.0025%" -> 25.  Accepts 0% to 100%.  OUT: *out. */
ClCode rate_parse(const char *text, Rate *out, Err *e) __attribute__((warn_unused_result));

/* "2%", "1.5%", "0.0025%": percent without trailing zeros.  Writes into buf
 * (MONEY_BUF bytes) and returns it. */
char *rate_format(Rate r, char *buf);

#endif
