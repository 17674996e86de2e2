/*
 * fuzz_money.c — money and rate parsing (core/money.h).
 *
 * Properties:
 *   - text that parses is within MONEY_LIMIT (rates within 0..100%), and
 *     both its machine and human forms parse back to the same value;
 *     text that does not parse is refused with CL_EINPUT and a message;
 *   - blanks around the text do not matter, and an unsigned amount in
 *     parentheses is its negative;
 *   - any value in range (taken from the input bytes) survives
 *     format -> parse, for money and rates;
 *   - money_div_round() and money_apply_rate() round half away from zero
 *     exactly, checked against plain __int128 arithmetic.
 */
#include "fuzz.h"

#include "money.h"
#include "span.h"

/* round(num / den) half away from zero, for |num| < 2^126, den != 0. */
static __int128 ref_div_round(__int128 num, __int128 den)
{
	__int128 q = num / den, r = num % den;

	if (r < 0)
		r = -r;
	if (2 * r >= (den < 0 ? -den : den))
		q += (num < 0) != (den < 0) ? -1 : 1;
	return q;
}

static void check_money_value(Money m)
{
	char buf[MONEY_BUF], human[MONEY_BUF];
	Money back = 0;
	Err e = {0};

	money_format(m, buf);
	FUZZ_CHECK(money_parse(buf, &back, &e) == CL_OK && back == m,
		   "%lld formats as \"%s\", which parses as %lld (%s)", (long long)m, buf,
		   (long long)back, e.msg);
	money_format_human(m, human);
	FUZZ_CHECK(money_parse(human, &back, &e) == CL_OK && back == m,
		   "%lld formats as \"%s\", which parses as %lld (%s)", (long long)m, human,
		   (long long)back, e.msg);
}

static void check_rate_value(Rate r)
{
	char buf[MONEY_BUF];
	Rate back = -1;
	Err e = {0};

	rate_format(r, buf);
	FUZZ_CHECK(rate_parse(buf, &back, &e) == CL_OK && back == r,
		   "rate %lld formats as \"%s\", which parses as %lld (%s)", (long long)r, buf,
		   (long long)back, e.msg);
}

/* "(" s ")" for an amount without signs or parentheses is its negative. */
static void check_parens(const char *s, Money m)
{
	Span t = span_trim(s);
	size_t n = (size_t)(t.end - t.p);
	char *w;
	Money neg = 0;
	Err e = {0};

	if (memchr(t.p, '-', n) || memchr(t.p, '(', n) || memchr(t.p, ')', n))
		return;
	w = malloc(n + 3);
	if (!w)
		abort();
	w[0] = '(';
	memcpy(w + 1, t.p, n);
	w[n + 1] = ')';
	w[n + 2] = '\0';
	FUZZ_CHECK(money_parse(w, &neg, &e) == CL_OK && neg == -m,
		   "\"%s\" is %lld but \"%s\" gives %lld (%s)", s, (long long)m, w, (long long)neg,
		   e.msg);
	free(w);
}

static void check_money_text(const char *s)
{
	Money m = 0, again = 0;
	size_t n = strlen(s);
	char *padded;
	Err e = {0};
	ClCode rc;

	rc = money_parse(s, &m, &e);
	padded = malloc(n + 5);
	if (!padded)
		abort();
	snprintf(padded, n + 5, " \t%s\r\n", s);
	if (rc) {
		FUZZ_CHECK(rc == CL_EINPUT && e.msg[0], "\"%s\": code %d, message \"%s\"", s,
			   (int)rc, e.msg);
		FUZZ_CHECK(money_parse(padded, &again, NULL) != CL_OK,
			   "\"%s\" is refused but parses with blanks around it", s);
		free(padded);
		return;
	}
	FUZZ_CHECK(m >= -MONEY_LIMIT && m <= MONEY_LIMIT, "\"%s\" parses as %lld", s, (long long)m);
	FUZZ_CHECK(money_parse(padded, &again, &e) == CL_OK && again == m,
		   "\"%s\" is %lld but with blanks around it %lld", s, (long long)m,
		   (long long)again);
	free(padded);
	check_money_value(m);
	check_parens(s, m);
}

static void check_rate_text(const char *s)
{
	Rate r = 0;
	Err e = {0};
	ClCode rc = rate_parse(s, &r, &e);

	if (rc) {
		FUZZ_CHECK(rc == CL_EINPUT && e.msg[0], "\"%s\": code %d, message \"%s\"", s,
			   (int)rc, e.msg);
		return;
	}
	FUZZ_CHECK(r >= 0 && r <= RATE_ONE, "\"%s\" parses as rate %lld", s, (long long)r);
	check_rate_value(r);
}

/* Values taken from the input bytes themselves. */
static void check_arithmetic(const uint8_t *data, size_t size)
{
	int64_t a = (int64_t)fuzz_u64(data, size);
	int64_t b = size > 8 ? (int64_t)fuzz_u64(data + 8, size - 8) : 3;
	int64_t d = size > 16 ? (int64_t)fuzz_u64(data + 16, size - 16) : 7;
	Money m = a % (MONEY_LIMIT + 1);
	Rate r = (Rate)((uint64_t)b % (uint64_t)(RATE_ONE + 1));
	__int128 num = (__int128)a * b, got, want;

	check_money_value(m);
	check_rate_value(r);
	if (d == 0)
		d = 1;
	got = money_div_round(num, d);
	want = ref_div_round(num, d);
	FUZZ_CHECK(got == want, "money_div_round(%lld * %lld, %lld) is off", (long long)a,
		   (long long)b, (long long)d);
	FUZZ_CHECK(money_apply_rate(m, r) == (Money)ref_div_round((__int128)m * r, RATE_ONE),
		   "money_apply_rate(%lld, %lld) is off", (long long)m, (long long)r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);

	check_money_text(s);
	check_rate_text(s);
	check_arithmetic(data, size);
	free(s);
	return 0;
}
