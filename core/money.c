/*
 * money.c — exact money and rates; see money.h and DOMAIN.md section 2.
 *
 * Everything is integer arithmetic: cents in int64_t, rates in parts per
 * million, products in __int128.  Parsers accumulate digits with a guard so
 * that no input, however long, can overflow.
 *
 * Money text accepted (after trimming blanks):
 *
 *   [ "(" ] [ "-" | "$" | "-$" | "$-" ] digits [ "." digits ] [ ")" ]
 *
 * where the integer digits are either plain ("1234") or grouped by commas
 * in threes ("1,234,567"); either side of the decimal point may be empty
 * (".5" and "5." are 50 and 500 cents) but not both; at most two decimals;
 * parentheses mean negative and cannot be combined with a minus sign.
 */
#include "span.h"
#include "money.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The digits of a number as read by read_whole() and read_frac(). */
typedef struct Number {
	int64_t whole; /* integer part, stops growing past its cap */
	int64_t frac;  /* first `scale` decimals as an integer, zero filled */
	int nwhole;    /* digits before the point */
	int nfrac;     /* digits after the point, all of them */
	int big;       /* 1 if the integer part passed its cap */
} Number;

/* Set e to `what "TEXT" why` and return CL_EINPUT. */
static ClCode refuse(Err *e, const char *what, Span s, const char *why)
{
	return err_set(e, CL_EINPUT, "%s \"%.*s%s\" %s", what, span_quote_len(s), s.p,
		       span_quote_tail(s), why);
}

/* How many times c occurs in s. */
static int span_count(Span s, char c)
{
	const char *q;
	int n = 0;

	for (q = s.p; q < s.end; q++)
		n += *q == c;
	return n;
}

/*
 * Read integer digits, optionally grouped by commas in threes, from *sc
 * into num->whole (capped at `cap`; beyond it num->big is set).  Returns 0,
 * or -1 when a comma is misplaced.
 */
static int read_whole(Span *sc, Number *num, int64_t cap)
{
	int run = 0, ncomma = 0;

	for (; sc->p < sc->end; sc->p++) {
		char c = *sc->p;

		if (span_is_digit(c)) {
			if (num->whole > cap)
				num->big = 1;
			else
				num->whole = num->whole * 10 + (c - '0');
			num->nwhole++;
			run++;
		} else if (c == ',') {
			if (run == 0 || run > 3 || (ncomma > 0 && run != 3))
				return -1;
			ncomma++;
			run = 0;
		} else {
			break;
		}
	}
	return ncomma > 0 && run != 3 ? -1 : 0;
}

/*
 * Read "." and decimals from *sc into num (the first `scale` decimals, zero
 * filled, in num->frac; every decimal counted in num->nfrac).
 */
static void read_frac(Span *sc, Number *num, int scale)
{
	int i;

	if (sc->p >= sc->end || *sc->p != '.')
		return;
	for (sc->p++; sc->p < sc->end && span_is_digit(*sc->p); sc->p++) {
		if (num->nfrac < scale)
			num->frac = num->frac * 10 + (*sc->p - '0');
		num->nfrac++;
	}
	for (i = num->nfrac; i < scale; i++)
		num->frac *= 10;
}

/*
 * Check the signs of money text s: counts of '-', '$' and parentheses.
 * OUT: *paren is 1 if s is wrapped in parentheses.
 */
static ClCode money_check_signs(Span s, int *paren, Err *e)
{
	int nopen = span_count(s, '('), nclose = span_count(s, ')');
	int nminus = span_count(s, '-');

	*paren = 0;
	if ((nopen || nclose) && nminus)
		return refuse(e, "amount", s, "has both parentheses and a minus sign");
	if (nminus > 1)
		return refuse(e, "amount", s, "has more than one minus sign");
	if (span_count(s, '$') > 1)
		return refuse(e, "amount", s, "has more than one dollar sign");
	if (nopen || nclose) {
		if (nopen != 1 || nclose != 1 || *s.p != '(' || s.end[-1] != ')')
			return refuse(e, "amount", s,
				      "has misplaced parentheses (write e.g. (1,234.56))");
		*paren = 1;
	}
	return CL_OK;
}

/* Skip the "-", "$", "-$" or "$-" before the digits.  OUT: *neg. */
static void money_skip_prefix(Span *sc, int *neg)
{
	while (sc->p < sc->end && (*sc->p == '-' || *sc->p == '$')) {
		if (*sc->p == '-')
			*neg = 1;
		sc->p++;
	}
}

/*
 * Read the number of money text s (signs already checked) into num.
 * OUT: *neg.
 */
static ClCode money_read_number(Span s, int paren, Number *num, int *neg, Err *e)
{
	Span sc = s;

	*num = (Number){0};
	*neg = paren;
	if (paren) {
		sc.p++;
		sc.end--;
	}
	money_skip_prefix(&sc, neg);
	if (read_whole(&sc, num, MONEY_LIMIT) < 0)
		return refuse(e, "amount", s,
			      "has a misplaced thousands separator "
			      "(use groups of three digits, e.g. 1,234.56)");
	read_frac(&sc, num, 2);
	if (sc.p != sc.end)
		return refuse(e, "amount", s,
			      "is not an amount of money "
			      "(expected digits such as 1,234.56)");
	if (num->nwhole == 0 && num->nfrac == 0)
		return refuse(e, "amount", s, "has no digits");
	if (num->nfrac > 2)
		return refuse(e, "amount", s, "has more than two decimals");
	return CL_OK;
}

/* Parse money text; see money.h.  OUT: *out (untouched on error). */
ClCode money_parse(const char *text, Money *out, Err *e)
{
	Span s = span_trim(text);
	Number num;
	int paren, neg;
	int64_t cents;
	ClCode rc;

	if (s.p == s.end)
		return err_set(e, CL_EINPUT, "amount is empty");
	rc = money_check_signs(s, &paren, e);
	if (rc)
		return rc;
	rc = money_read_number(s, paren, &num, &neg, e);
	if (rc)
		return rc;
	/* whole <= MONEY_LIMIT * 10 + 9, so this product cannot overflow. */
	cents = num.whole * 100 + num.frac;
	if (num.big || cents > MONEY_LIMIT)
		return refuse(e, "amount", s, "is larger than 10,000,000,000,000.00");
	*out = neg ? -cents : cents;
	return CL_OK;
}

/* |m| as unsigned, defined for INT64_MIN too. */
static uint64_t money_magnitude(Money m)
{
	return m < 0 ? (uint64_t)0 - (uint64_t)m : (uint64_t)m;
}

/* Machine form "1234.56"; see money.h.  Returns buf. */
char *money_format(Money m, char *buf)
{
	uint64_t u = money_magnitude(m);

	snprintf(buf, MONEY_BUF, "%s%" PRIu64 ".%02u", m < 0 ? "-" : "", u / 100,
		 (unsigned)(u % 100));
	return buf;
}

/* Human form "$1,234.56" / "-$1,234.56"; see money.h.  Returns buf. */
char *money_format_human(Money m, char *buf)
{
	uint64_t u = money_magnitude(m), dollars = u / 100;
	char rev[MONEY_BUF]; /* dollar digits and commas, last digit first */
	int n = 0, i, k = 0;

	do {
		if (n > 0 && n % 4 == 3)
			rev[n++] = ',';
		rev[n++] = (char)('0' + dollars % 10);
		dollars /= 10;
	} while (dollars > 0);
	if (m < 0)
		buf[k++] = '-';
	buf[k++] = '$';
	for (i = n - 1; i >= 0; i--)
		buf[k++] = rev[i];
	snprintf(buf + k, MONEY_BUF - (size_t)k, ".%02u", (unsigned)(u % 100));
	return buf;
}

/* |v| as unsigned, defined for the most negative value too. */
static unsigned __int128 abs128(__int128 v)
{
	return v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
}

/*
 * round(num / den), half away from zero; see money.h.  Works on unsigned
 * magnitudes so every input is defined: the only quotient that does not
 * fit, INT128_MIN / -1, comes back as INT128_MIN.  A zero den is a broken
 * invariant of the caller and aborts.
 */
__int128 money_div_round(__int128 num, __int128 den)
{
	unsigned __int128 un = abs128(num), ud = abs128(den), q, r;
	int neg = (num < 0) != (den < 0);

	if (den == 0)
		abort();
	q = un / ud;
	r = un % ud;
	if (r >= ud - r) /* 2r >= ud, written so it cannot overflow */
		q++;
	/* Conversion to signed wraps modulo 2^128 in GCC and Clang. */
	return (__int128)(neg ? (unsigned __int128)0 - q : q);
}

/* round(amount * rate / 10^6) over a 128-bit product; see money.h. */
Money money_apply_rate(Money amount, Rate rate)
{
	return (Money)money_div_round((__int128)amount * rate, RATE_ONE);
}

/* Parse the number of rate text s (without its '%').  OUT: *out. */
static ClCode rate_read_number(Span s, Span num_part, Rate *out, Err *e)
{
	Span sc = num_part;
	Number num = {0};

	if (sc.p < sc.end && *sc.p == '-')
		return refuse(e, "rate", s, "cannot be negative");
	while (sc.p < sc.end && span_is_digit(*sc.p)) {
		if (num.whole > 100)
			num.big = 1;
		else
			num.whole = num.whole * 10 + (*sc.p - '0');
		num.nwhole++;
		sc.p++;
	}
	read_frac(&sc, &num, 4);
	if (sc.p != sc.end || (num.nwhole == 0 && num.nfrac == 0))
		return refuse(e, "rate", s, "is not a percentage (expected e.g. 2% or 0.25%)");
	if (num.nfrac > 4)
		return refuse(e, "rate", s, "has more than four decimals");
	if (num.big || num.whole * 10000 + num.frac > RATE_ONE)
		return refuse(e, "rate", s, "is over 100%");
	*out = num.whole * 10000 + num.frac;
	return CL_OK;
}

/* Parse a percent such as "0.0025%"; see money.h.  OUT: *out. */
ClCode rate_parse(const char *text, Rate *out, Err *e)
{
	Span s = span_trim(text), num_part;

	if (s.p == s.end)
		return err_set(e, CL_EINPUT, "rate is empty");
	if (s.end[-1] != '%')
		return refuse(e, "rate", s, "needs a % sign (e.g. 2%)");
	num_part.p = s.p;
	num_part.end = s.end - 1;
	return rate_read_number(s, num_part, out, e);
}

/* "1.5%": percent without trailing zeros; see money.h.  Returns buf. */
char *rate_format(Rate r, char *buf)
{
	uint64_t u = money_magnitude(r);
	unsigned frac = (unsigned)(u % 10000);
	char dec[6] = ".0000"; /* the point and four decimals */
	int i, ndec = 4;

	for (i = 4; i >= 1; i--, frac /= 10)
		dec[i] = (char)('0' + frac % 10);
	while (ndec > 0 && dec[ndec] == '0')
		dec[ndec--] = '\0';
	if (ndec == 0)
		dec[0] = '\0';
	snprintf(buf, MONEY_BUF, "%s%" PRIu64 "%s%%", r < 0 ? "-" : "", u / 10000, dec);
	return buf;
}
