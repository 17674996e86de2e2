/*
 * test_money_props.c — property tests of the money engine (DOMAIN.md 2, 4).
 *
 *   1. fee telescoping: the fees of the quarters of a fee year add up to
 *      F(year total); over the whole term they add up to the sum over fee
 *      years of F(year total); every quarter's fee is the telescoping
 *      formula of DOMAIN.md 4.1;
 *   2. rebate allocation by the largest remainder (DOMAIN.md 4.3);
 *   3. reversing a line and re-entering it changes no figure: the fee
 *      report, the rebate reports, the compliance report and every
 *      member's agency report (with its rebate share);
 *   4. graduated schedules with non-negative rates are non-decreasing.
 *
 * Every case is drawn from a fixed-seed PRNG: case c of property p uses its
 * own generator seeded from (seed, p, c), so a failing case replays alone.
 * A failure prints the seed, the case and the case's terms and lines.
 * Environment:
 *   PROPS_SEED=0x...  another base seed
 *   PROPS_CASE=N      run case N of each property only
 *   PROPS_SCALE=K     K times as many cases (a longer soak)
 *
 * Expected figures come from the reference implementation below (dates,
 * schedule years, S(x), rounding, the telescoping rule, the allocation),
 * written from DOMAIN.md alone; the code under test is only compared
 * against it.
 */
#include "fixture.h"

#include <inttypes.h>
#include <sodium.h>

#include "amend.h"
#include "compliance.h"
#include "fees.h"
#include "rebate.h"
#include "summary.h"
#include "terms.h"

#include "reporttext.c"

/* ---- the run: seed, case, failure report -------------------------------- */

static uint64_t g_seed = 0xC00B1ED6E2025ULL;
static int g_only_case = -1;
static int g_scale = 1;
static const char *g_prop = "";
static int g_case;
static char g_detail[32768]; /* the current case: terms and lines */
static size_t g_detail_len;

static void detail_reset(void)
{
	g_detail[0] = '\0';
	g_detail_len = 0;
}

static void detail_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void detail_add(const char *fmt, ...)
{
	va_list ap;
	int k;

	if (g_detail_len + 1 >= sizeof g_detail)
		return;
	va_start(ap, fmt);
	k = vsnprintf(g_detail + g_detail_len, sizeof g_detail - g_detail_len, fmt, ap);
	va_end(ap);
	if (k > 0)
		g_detail_len += (size_t)k;
	if (g_detail_len >= sizeof g_detail)
		g_detail_len = sizeof g_detail - 1;
}

static void prop_fail(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void prop_fail(int line, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* straight to stderr: print_error() cuts long messages */
	fflush(stdout);
	fprintf(stderr,
		"property \"%s\" failed at test line %d: seed=0x%" PRIx64 " case=%d\n"
		"  %s\n%s"
		"  replay: PROPS_SEED=0x%" PRIx64
		" PROPS_CASE=%d build/rel/tests/test_money_props\n",
		g_prop, line, g_seed, g_case, msg, g_detail, g_seed, g_case);
	fflush(stderr);
	fail();
}

#define FAILF(...) prop_fail(__LINE__, __VA_ARGS__)
#define CHECK_EQ(got, want, ...)                                                                   \
	do {                                                                                       \
		long long got_ = (long long)(got), want_ = (long long)(want);                      \
		if (got_ != want_) {                                                               \
			char what_[512];                                                           \
			snprintf(what_, sizeof what_, __VA_ARGS__);                                \
			prop_fail(__LINE__, "%s: got %lld, want %lld", what_, got_, want_);        \
		}                                                                                  \
	} while (0)

/* Should case c run? Sets the case for failure reports. */
static int case_runs(int c)
{
	if (g_only_case >= 0 && c != g_only_case)
		return 0;
	g_case = c;
	detail_reset();
	return 1;
}

static int cases(int n)
{
	return n * g_scale;
}

/* ---- PRNG (splitmix64) -------------------------------------------------- */

typedef struct Rng {
	uint64_t s;
} Rng;

static uint64_t rng_next(Rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0. */
static uint64_t rng_below(Rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

/* Uniform in [lo, hi]. */
static int64_t rng_range(Rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo) + 1);
}

static int rng_chance(Rng *r, int num, int den)
{
	return rng_below(r, (uint64_t)den) < (uint64_t)num;
}

static Rng case_rng(int prop, int c)
{
	Rng r = {g_seed ^ ((uint64_t)prop * 0xD1B54A32D192ED03ULL) ^
		 ((uint64_t)(unsigned)c * 0xA24BAED4963EE407ULL)};

	rng_next(&r);
	return r;
}

/* ---- reference: civil dates, quarters, schedule years ------------------- */

static int ref_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Leap years in 1..y (y >= 0). */
static int64_t ref_leaps_through(int y)
{
	return y / 4 - y / 100 + y / 400;
}

/* Days since 1970-01-01 (the Date of date.h) of y-m-d, y >= 1. */
static Date ref_day(int y, int m, int d)
{
	static const int cum[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
	int64_t days = 365LL * (y - 1970) + ref_leaps_through(y - 1) - ref_leaps_through(1969);

	days += cum[m - 1] + (m > 2 && ref_leap(y)) + d - 1;
	return (Date)days;
}

static void ref_ymd(Date dt, int *y, int *m, int *d)
{
	int yy = 1970 + dt / 366, mm = 1;

	while (ref_day(yy + 1, 1, 1) <= dt)
		yy++;
	while (ref_day(yy, 1, 1) > dt)
		yy--;
	while (mm < 12 && ref_day(yy, mm + 1, 1) <= dt)
		mm++;
	*y = yy;
	*m = mm;
	*d = dt - ref_day(yy, mm, 1) + 1;
}

static char *ref_date_text(Date dt, char *buf)
{
	int y, m, d;

	ref_ymd(dt, &y, &m, &d);
	snprintf(buf, 32, "%04d-%02d-%02d", y, m, d);
	return buf;
}

/* d plus k years; 29 February into a common year is 28 February. */
static Date ref_add_years(Date dt, int k)
{
	int y, m, d;

	ref_ymd(dt, &y, &m, &d);
	if (m == 2 && d == 29 && !ref_leap(y + k))
		d = 28;
	return ref_day(y + k, m, d);
}

typedef struct RQ {
	int y, q;
} RQ;

static RQ ref_quarter(Date dt)
{
	int y, m, d;
	RQ q;

	ref_ymd(dt, &y, &m, &d);
	q.y = y;
	q.q = (m - 1) / 3 + 1;
	return q;
}

static RQ ref_quarter_next(RQ q)
{
	if (++q.q > 4) {
		q.q = 1;
		q.y++;
	}
	return q;
}

static Date ref_quarter_first(RQ q)
{
	return ref_day(q.y, 3 * q.q - 2, 1);
}

static Date ref_quarter_last(RQ q)
{
	return ref_quarter_first(ref_quarter_next(q)) - 1;
}

static int ref_quarter_le(RQ a, RQ b)
{
	return a.y < b.y || (a.y == b.y && a.q <= b.q);
}

typedef struct YR {
	Date first, last;
} YR;

/* Schedule year k: contract year k is [start + (k-1) years, start + k years),
 * a calendar year is itself. */
static YR ref_year_range(int calendar, Date start, int k)
{
	YR r;

	if (calendar) {
		r.first = ref_day(k, 1, 1);
		r.last = ref_day(k, 12, 31);
	} else {
		r.first = ref_add_years(start, k - 1);
		r.last = ref_add_years(start, k) - 1;
	}
	return r;
}

/* The schedule year holding d >= start. */
static int ref_year_of(int calendar, Date start, Date d)
{
	int y, m, dd, k = 1;

	if (calendar) {
		ref_ymd(d, &y, &m, &dd);
		return y;
	}
	while (ref_add_years(start, k) <= d)
		k++;
	return k;
}

/* ---- reference: schedules, S(x), rounding -------------------------------- */

#define REF_MAX_BANDS 8

typedef struct RefSched {
	int volume;   /* 0 graduated, 1 volume */
	int calendar; /* 0 contract years, 1 calendar years */
	int n;
	Money from[REF_MAX_BANDS];
	Rate rate[REF_MAX_BANDS];
} RefSched;

/* S(x) in cent·ppm, from DOMAIN.md 4. */
static __int128 ref_S(const RefSched *s, Money x)
{
	__int128 sum = 0;
	int i;

	if (s->n == 0)
		return 0;
	if (x < 0)
		return (__int128)x * s->rate[0];
	if (x < s->from[0])
		return 0;
	if (s->volume) {
		Rate r = 0;

		for (i = 0; i < s->n; i++)
			if (s->from[i] <= x)
				r = s->rate[i];
		return (__int128)x * r;
	}
	for (i = 0; i < s->n; i++) {
		Money lo = s->from[i], top = x;

		if (i + 1 < s->n && s->from[i + 1] < top)
			top = s->from[i + 1];
		if (top > lo)
			sum += (__int128)(top - lo) * s->rate[i];
	}
	return sum;
}

/* round(v / 10^6), half away from zero. */
static Money ref_round_ppm(__int128 v)
{
	if (v >= 0)
		return (Money)((v + 500000) / 1000000);
	return -(Money)((-v + 500000) / 1000000);
}

static Money ref_F(const RefSched *s, Money x)
{
	return ref_round_ppm(ref_S(s, x));
}

static Schedule ref_to_schedule(const RefSched *r)
{
	Schedule s;
	int i;

	memset(&s, 0, sizeof s);
	s.present = 1;
	s.year = r->calendar ? YEAR_CALENDAR : YEAR_CONTRACT;
	s.mode = r->volume ? SCHED_VOLUME : SCHED_GRADUATED;
	s.nband = r->n;
	for (i = 0; i < r->n; i++) {
		s.band[i].from = r->from[i];
		s.band[i].rate = r->rate[i];
	}
	return s;
}

static char *ref_money_text(Money m, char *buf)
{
	uint64_t u = m < 0 ? (uint64_t)0 - (uint64_t)m : (uint64_t)m;

	snprintf(buf, 48, "%s%" PRIu64 ".%02" PRIu64, m < 0 ? "-" : "", u / 100, u % 100);
	return buf;
}

static char *ref_rate_text(Rate r, char *buf)
{
	snprintf(buf, 48, "%" PRId64 ".%04" PRId64 "%%", r / 10000, r % 10000);
	return buf;
}

/* ---- reference: rebate allocation --------------------------------------- */

/* Byte order of two NUL-terminated strings, as unsigned bytes. */
static int ref_bytecmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return (int)*x - (int)*y;
}

/* DOMAIN.md 4.3, slowly: floors, then one cent at a time to the largest
 * remaining remainder, ties to the lower code.  OUT: out[]. */
static void ref_allocate(Money total, const Money *net, const char *const *code, int n, Money *out)
{
	__int128 sum = 0, fl[64], rem[64];
	int chosen[64], i;
	Money given = 0;

	for (i = 0; i < n; i++) {
		out[i] = 0;
		chosen[i] = 0;
		if (net[i] > 0)
			sum += net[i];
	}
	if (total <= 0 || sum == 0)
		return;
	for (i = 0; i < n; i++) {
		__int128 b = net[i] > 0 ? net[i] : 0;

		fl[i] = (__int128)total * b / sum;
		rem[i] = (__int128)total * b - fl[i] * sum;
		out[i] = (Money)fl[i];
		given += out[i];
	}
	if (total - given > n)
		FAILF("reference: %lld cents left over for %d members", (long long)(total - given),
		      n);
	while (given < total) {
		int best = -1;

		for (i = 0; i < n; i++) {
			if (chosen[i])
				continue;
			if (best < 0 || rem[i] > rem[best] ||
			    (rem[i] == rem[best] && ref_bytecmp(code[i], code[best]) < 0))
				best = i;
		}
		chosen[best] = 1;
		out[best]++;
		given++;
	}
}

/* ---- random terms -------------------------------------------------------- */

static Rate gen_rate(Rng *r)
{
	static const Rate nice[] = {2500, 5000, 7500, 10000, 15000, 20000, 25000, 30000, 40000};
	static const Rate odd[] = {0, 1, 3, 7, 125000, 333333, 499999, 500000, 999999, 1000000};

	switch (rng_below(r, 4)) {
	case 0:
		return rng_range(r, 0, RATE_ONE);
	case 1:
		return nice[rng_below(r, N_ELEMS(nice))];
	case 2:
		return rng_range(r, 0, 50000);
	default:
		return odd[rng_below(r, N_ELEMS(odd))];
	}
}

static int cmp_money(const void *a, const void *b)
{
	Money x = *(const Money *)a, y = *(const Money *)b;

	return (x > y) - (x < y);
}

static int cmp_rate_desc(const void *a, const void *b)
{
	Rate x = *(const Rate *)a, y = *(const Rate *)b;

	return (x < y) - (x > y);
}

/* A schedule of 1..maxb bands.  Lower bounds are drawn from cand[] (sums
 * the ledger actually reaches, so thresholds are hit exactly) or from
 * [1, scale]; first_zero makes the first band start at 0 (fees). */
static void gen_sched(Rng *r, RefSched *s, int maxb, int first_zero, const Money *cand, int ncand,
		      Money scale)
{
	Money from[REF_MAX_BANDS + 1];
	int want = (int)rng_range(r, 1, maxb), n = 0, i, k;

	s->volume = rng_chance(r, 1, 2);
	s->calendar = rng_chance(r, 1, 2);
	if (scale < 2)
		scale = 2;
	for (i = 0; i < want + 1; i++) {
		if (ncand > 0 && rng_chance(r, 1, 2))
			from[n] = cand[rng_below(r, (uint64_t)ncand)];
		else
			from[n] = rng_range(r, 1, scale);
		if (from[n] > 0 && from[n] <= MONEY_LIMIT)
			n++;
	}
	qsort(from, (size_t)n, sizeof from[0], cmp_money);
	s->n = 0;
	if (first_zero || (!n) || rng_chance(r, 1, 3))
		s->from[s->n++] = 0;
	for (i = 0; i < n && s->n < want; i++)
		if (from[i] > (s->n ? s->from[s->n - 1] : -1))
			s->from[s->n++] = from[i];
	for (i = 0; i < s->n; i++)
		s->rate[i] = gen_rate(r);
	k = (int)rng_below(r, 3);
	if (k == 0) /* decreasing rates: a volume schedule then drops with volume */
		qsort(s->rate, (size_t)s->n, sizeof s->rate[0], cmp_rate_desc);
	else if (k == 1)
		qsort(s->rate, (size_t)s->n, sizeof s->rate[0], cmp_money);
}

static size_t sched_json(char *out, size_t cap, const RefSched *s, const char *list)
{
	char f[48], rt[48];
	size_t len;
	int i;

	len = (size_t)snprintf(out, cap, "{\"year\":\"%s\",\"mode\":\"%s\",\"%s\":[",
			       s->calendar ? "calendar" : "contract",
			       s->volume ? "volume" : "graduated", list);
	for (i = 0; i < s->n && len < cap; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s{\"from\":\"%s\",\"rate\":\"%s\"}",
					i ? "," : "", ref_money_text(s->from[i], f),
					ref_rate_text(s->rate[i], rt));
	if (len < cap)
		len += (size_t)snprintf(out + len, cap - len, "]}");
	return len;
}

/* A contract start: 29 February, a quarter's first or last day, mid-quarter
 * or any day, 2000..2079. */
static Date gen_start(Rng *r)
{
	int y = (int)rng_range(r, 2000, 2079), m;

	switch (rng_below(r, 5)) {
	case 0:
		return ref_day(y - y % 4, 2, 29);
	case 1:
		return ref_day(y, 3 * (int)rng_range(r, 0, 3) + 1, 1);
	case 2:
		m = 3 * (int)rng_range(r, 1, 4);
		return ref_day(y, m, m == 6 || m == 9 ? 30 : 31);
	case 3:
		m = 3 * (int)rng_range(r, 0, 3) + 2;
		return ref_day(y, m, (int)rng_range(r, 1, m == 2 ? 28 : 30));
	default:
		m = (int)rng_range(r, 1, 12);
		return ref_day(y, m, (int)rng_range(r, 1, 28));
	}
}

/* A term end: days to about four years after start. */
static Date gen_end(Rng *r, Date start)
{
	int years = (int)rng_range(r, 1, 4);
	Date end;

	switch (rng_below(r, 4)) {
	case 0:
		return start + (Date)rng_range(r, 0, 120);
	case 1:
		return ref_add_years(start, years) - 1;
	case 2:
		end = ref_add_years(start, years) - 1 + (Date)rng_range(r, -100, 100);
		return end < start ? start : end;
	default:
		return start + (Date)rng_range(r, 0, 4 * 366);
	}
}

/* ---- a case: terms, participants, lines --------------------------------- */

#define MAX_LINES    60
#define P3_MAX_LINES 30 /* reversal cases: a smaller ledger, more cases */
#define MAX_PART     8

typedef struct Line {
	char inv[24];
	char po[24];
	int lineno;
	const char *agency;
	Date day;
	Money amount, list, freight, tax;
	int64_t id;
	int revision;
} Line;

typedef struct Case {
	char number[32];
	Date start, end;
	RefSched fee, reb, disc; /* disc: per-order discount tiers (volume) */
	int has_reb, has_disc;
	Money tolerance; /* price_tolerance */
	Date mid;	 /* a day in the term: agency reports carry a rebate share */
	int npart;
	const char *part[MAX_PART]; /* participants besides the lead */
	Date joined[MAX_PART];
	int nline;
	Line line[MAX_LINES];
	int64_t cid;
	char doc[4096];
} Case;

static const char *const LEAD = "USD259";

/* A money scale for a case: cents to 10^13 cents per line. */
static Money gen_scale(Rng *r)
{
	static const Money scales[] = {50,	  10000,	  1000000,
				       100000000, 100000000000LL, 10000000000000LL};

	return scales[rng_below(r, N_ELEMS(scales))];
}

static Money gen_amount(Rng *r, Money scale, int neg_bias)
{
	Money m;

	if (rng_chance(r, 1, 15))
		return 0;
	m = rng_range(r, 1, scale);
	if (rng_chance(r, neg_bias ? 2 : 1, neg_bias ? 3 : 4))
		m = -m;
	return m;
}

/* Line i of c: a new identity, dated day, for agency. */
static void gen_line(Rng *r, Case *c, int i, const char *agency, Date day, Money scale,
		     int neg_bias)
{
	Line *l = &c->line[i];

	memset(l, 0, sizeof *l);
	snprintf(l->inv, sizeof l->inv, "INV-%d", i / 2);
	l->lineno = i % 2 + 1;
	snprintf(l->po, sizeof l->po, "PO-%d", (int)rng_below(r, 6));
	l->agency = agency;
	l->day = day;
	l->amount = gen_amount(r, scale, neg_bias);
	l->list = l->amount + (l->amount >= 0 ? 1 : -1) * rng_range(r, 0, 5000);
	l->freight = rng_range(r, 0, 3000) * (l->amount < 0 ? -1 : 1);
	l->tax = rng_range(r, 0, 9000) * (l->amount < 0 ? -1 : 1);
}

static void describe_case(const Case *c)
{
	char d[32];
	int i;

	detail_add("  terms: %s\n", c->doc);
	for (i = 0; i < c->npart; i++)
		detail_add("  participant %s joined %s\n", c->part[i],
			   ref_date_text(c->joined[i], d));
	for (i = 0; i < c->nline; i++)
		detail_add("  line %s/%d %s %s %s list %lld invoiced %lld\n", c->line[i].inv,
			   c->line[i].lineno, c->line[i].agency, c->line[i].po,
			   ref_date_text(c->line[i].day, d), (long long)c->line[i].list,
			   (long long)c->line[i].amount);
	if (c->mid)
		detail_add("  agency reports as of %s\n", ref_date_text(c->mid, d));
}

/* Running totals by date of the lines within [a, b]: candidates for band
 * bounds that the ledger hits exactly.  OUT: cand[], returns the count. */
static int prefix_sums(const Case *c, Date a, Date b, Money *cand, int cap)
{
	int n = 0, i, j;

	for (i = 0; i < c->nline && n < cap; i++) {
		Money sum = 0;

		if (c->line[i].day < a || c->line[i].day > b)
			continue;
		for (j = 0; j < c->nline; j++)
			if (c->line[j].day >= a && c->line[j].day <= c->line[i].day)
				sum += c->line[j].amount;
		if (sum > 0)
			cand[n++] = sum;
	}
	return n;
}

/* Discount tiers as the terms document writes them: {"tiers": [...]}. */
static void disc_json(char *out, size_t cap, const RefSched *s)
{
	char f[48], rt[48];
	size_t len = (size_t)snprintf(out, cap, "{\"tiers\":[");
	int i;

	for (i = 0; i < s->n && len < cap; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s{\"from\":\"%s\",\"rate\":\"%s\"}",
					i ? "," : "", ref_money_text(s->from[i], f),
					ref_rate_text(s->rate[i], rt));
	if (len < cap)
		snprintf(out + len, cap - len, "]}");
}

/* The terms document of c into c->doc. */
static void case_doc(Case *c)
{
	char s[32], e[32], fee[1024], reb[1024], disc[1024] = "", tol[48];
	size_t len;

	sched_json(fee, sizeof fee, &c->fee, "bands");
	if (c->has_reb)
		sched_json(reb, sizeof reb, &c->reb, "tiers");
	len = (size_t)snprintf(
		c->doc, sizeof c->doc,
		"{\"number\":\"%s\",\"title\":\"Property case\",\"category\":\"furniture\","
		"\"lead_agency\":\"%s\",\"vendor\":\"V-PRAIRIE\",\"start\":\"%s\",\"end\":\"%s\","
		"\"solicitation\":\"RFP 25-0147\",\"fee\":%s%s%s",
		c->number, LEAD, ref_date_text(c->start, s), ref_date_text(c->end, e), fee,
		c->has_reb ? ",\"rebates\":" : "", c->has_reb ? reb : "");
	if (c->has_disc && len < sizeof c->doc) {
		disc_json(disc, sizeof disc, &c->disc);
		len += (size_t)snprintf(c->doc + len, sizeof c->doc - len,
					",\"discounts\":%s,\"price_tolerance\":\"%s\"", disc,
					ref_money_text(c->tolerance, tol));
	}
	if (len < sizeof c->doc)
		snprintf(c->doc + len, sizeof c->doc - len, "}");
}

static void check_loaded_sched(const char *what, const Schedule *s, const RefSched *r)
{
	int i;

	CHECK_EQ(s->present, 1, "%s present", what);
	CHECK_EQ(s->nband, r->n, "%s bands", what);
	CHECK_EQ(s->mode, r->volume ? SCHED_VOLUME : SCHED_GRADUATED, "%s mode", what);
	CHECK_EQ(s->year, r->calendar ? YEAR_CALENDAR : YEAR_CONTRACT, "%s year", what);
	for (i = 0; i < r->n; i++) {
		CHECK_EQ(s->band[i].from, r->from[i], "%s band %d from", what, i);
		CHECK_EQ(s->band[i].rate, r->rate[i], "%s band %d rate", what, i);
	}
}

/* A case line as the ledger takes it. */
static PurchaseIn line_in(const Case *c, const Line *ln)
{
	PurchaseIn p = {
		.contract_id = c->cid,
		.agency_code = ln->agency,
		.po_number = ln->po,
		.invoice_number = ln->inv,
		.line = ln->lineno,
		.invoice_date = ln->day,
		.description = "Student desk",
		.category = "furniture",
		.quantity = "1",
		.list_amount = ln->list,
		.invoiced_amount = ln->amount,
		.freight_amount = ln->freight,
		.tax_amount = ln->tax,
		.batch_id = 0,
	};

	return p;
}

/* Import c's contract, add its participants and append its lines in one
 * transaction.  OUT: c->cid, c->line[].id; *t the terms as loaded. */
static void case_store(sqlite3 *db, Case *c, Terms *t)
{
	char d[32];
	LedgerOutcome out;
	Ledger *l = NULL;
	Err e = {0};
	ClCode rc;
	int i;

	case_doc(c);
	describe_case(c);
	rc = contract_import(db, c->doc, strlen(c->doc), FX_ACTOR, &c->cid, &e);
	if (rc)
		FAILF("contract_import: %s", e.msg);
	rc = contract_load(db, c->number, NULL, t, &e);
	if (rc)
		FAILF("contract_load: %s", e.msg);
	CHECK_EQ(t->start, c->start, "loaded start");
	CHECK_EQ(t->end, c->end, "loaded end");
	check_loaded_sched("fee", &t->fee, &c->fee);
	if (c->has_reb)
		check_loaded_sched("rebates", &t->rebates, &c->reb);
	if (c->has_disc) {
		check_loaded_sched("discounts", &t->discounts, &c->disc);
		CHECK_EQ(t->price_tolerance, c->tolerance, "loaded price tolerance");
	}
	for (i = 0; i < c->npart; i++) {
		rc = participant_add(db, c->number, c->part[i], c->joined[i], FX_ACTOR, &e);
		if (rc)
			FAILF("participant_add %s %s: %s", c->part[i],
			      ref_date_text(c->joined[i], d), e.msg);
	}
	fx_expect("begin", db_begin(db, &e), &e, CL_OK, NULL);
	fx_expect("ledger_open", ledger_open(db, FX_ACTOR, &l, &e), &e, CL_OK, NULL);
	for (i = 0; i < c->nline; i++) {
		Line *ln = &c->line[i];
		PurchaseIn p = line_in(c, ln);

		out = LEDGER_DUPLICATE;
		rc = ledger_append(l, &p, &out, &ln->id, &e);
		if (rc || out != LEDGER_APPENDED || ln->id <= 0)
			FAILF("append %s/%d: rc %d outcome %d: %s", ln->inv, ln->lineno, (int)rc,
			      (int)out, e.msg);
	}
	fx_expect("flush", ledger_flush(l, &e), &e, CL_OK, NULL);
	ledger_close(l);
	fx_expect("commit", db_commit(db, &e), &e, CL_OK, NULL);
}

/* ---- reference: fee figures of a case ------------------------------------ */

/* Net invoiced of the case's lines dated in [a, b]. */
static Money ref_net(const Case *c, Date a, Date b)
{
	Money sum = 0;
	int i;

	for (i = 0; i < c->nline; i++)
		if (c->line[i].day >= a && c->line[i].day <= b)
			sum += c->line[i].amount;
	return sum;
}

/* The fee years that overlap the term.  OUT: *k0, *k1. */
static void ref_fee_years(const Case *c, const RefSched *s, int *k0, int *k1)
{
	*k0 = s->calendar ? ref_year_of(1, c->start, c->start) : 1;
	*k1 = ref_year_of(s->calendar, c->start, c->end);
}

/* The fee of quarter q by DOMAIN.md 4.1: over each fee year Y meeting q,
 * with [a, b] the days of q in Y, F(C_Y(b)) - F(C_Y(a - 1)). */
static Money ref_quarter_fee(const Case *c, RQ q)
{
	Date qa = ref_quarter_first(q), qb = ref_quarter_last(q);
	Money fee = 0;
	int k0, k1, k;

	ref_fee_years(c, &c->fee, &k0, &k1);
	for (k = k0; k <= k1; k++) {
		YR yr = ref_year_range(c->fee.calendar, c->start, k);
		Date a = qa > yr.first ? qa : yr.first, b = qb < yr.last ? qb : yr.last;
		Money before, through;

		if (a > b)
			continue;
		before = ref_net(c, yr.first, a - 1);
		through = ref_net(c, yr.first, b);
		fee += ref_F(&c->fee, through) - ref_F(&c->fee, before);
	}
	return fee;
}

/* Check fees_quarters() output against the reference: one entry per
 * quarter from quarter(from) to quarter(to), in order, with the reference
 * net sales and fee. */
static void check_fee_quarters(const Case *c, const FeeQuarter *fq, int n, Date from, Date to,
			       const char *what)
{
	RQ q = ref_quarter(from), last = ref_quarter(to);
	int i = 0;

	for (; ref_quarter_le(q, last); q = ref_quarter_next(q), i++) {
		if (i >= n)
			FAILF("%s: %d quarters listed, want quarters %d-Q%d to %d-Q%d", what, n,
			      ref_quarter(from).y, ref_quarter(from).q, last.y, last.q);
		if (fq[i].q.year != q.y || fq[i].q.q != q.q)
			FAILF("%s: entry %d is %d-Q%d, want %d-Q%d", what, i, fq[i].q.year,
			      fq[i].q.q, q.y, q.q);
		CHECK_EQ(fq[i].net_sales, ref_net(c, ref_quarter_first(q), ref_quarter_last(q)),
			 "%s: %d-Q%d net_sales", what, q.y, q.q);
		CHECK_EQ(fq[i].fee, ref_quarter_fee(c, q), "%s: %d-Q%d fee", what, q.y, q.q);
	}
	CHECK_EQ(n, i, "%s: number of quarters", what);
}

static void get_quarters(sqlite3 *db, const Case *c, const FeeSelect *sel, Date today,
			 FeeQuarter **fq, int *n)
{
	Err e = {0};

	if (fees_quarters(db, c->number, sel, today, fq, n, &e))
		FAILF("fees_quarters (year %d): %s", sel ? sel->year : 0, e.msg);
}

/* ---- world --------------------------------------------------------------- */

/* Agencies whose codes exercise byte order: '-' < '.' < digits < upper case
 * < '_' < lower case, and prefixes. */
static const char *const POOL[] = {"USD233", "USD2330", "USD23", "USD-1", "USD.1",
				   "USD_1",  "usd233",	"A",	 "Z9",	  "USD260"};

static void world_open(Fixture *fx)
{
	size_t i;

	fx_open(fx);
	fx_agency(fx->db, LEAD, "Wichita Public Schools", 1);
	for (i = 0; i < N_ELEMS(POOL); i++)
		fx_agency(fx->db, POOL[i], "Kansas public agency", 1);
	fx_vendor(fx->db, "V-PRAIRIE");
}

static void verify_ok(sqlite3 *db)
{
	Err e = {0};

	if (ledger_verify(db, NULL, NULL, &e))
		FAILF("ledger_verify: %s", e.msg);
}

/* ---- 1a. fee telescoping within one fee year ------------------------------ */

#define P1_CASES  1600
#define P1B_CASES 1000
#define P2_CASES  60000
#define P3_CASES  2000
#define P4_CASES  20000

static void test_fee_year_telescoping(void **state)
{
	Fixture fx;
	int ci, ran = 0;

	(void)state;
	g_prop = "fee telescoping in a fee year";
	world_open(&fx);
	for (ci = 0; ci < cases(P1_CASES); ci++) {
		Rng r = case_rng(1, ci);
		Case *c;
		Terms t;
		FeeQuarter *fq = NULL;
		FeeSelect sel = {0};
		Money cand[MAX_LINES], total, sum = 0, scale;
		int k0, k1, k, nq = 0, i, ncand, neg;
		Date lo, hi;
		YR yr;
		Schedule s;

		if (!case_runs(ci))
			continue;
		c = calloc(1, sizeof *c);
		assert_non_null(c);
		snprintf(c->number, sizeof c->number, "P1-%d", ci);
		c->start = gen_start(&r);
		c->end = gen_end(&r, c->start);
		c->fee.calendar = rng_chance(&r, 1, 2);
		ref_fee_years(c, &c->fee, &k0, &k1);
		k = (int)rng_range(&r, k0, k1);
		yr = ref_year_range(c->fee.calendar, c->start, k);
		lo = yr.first > c->start ? yr.first : c->start;
		hi = yr.last < c->end ? yr.last : c->end;
		scale = gen_scale(&r);
		neg = rng_chance(&r, 1, 8);
		c->nline = (int)rng_range(&r, 5, MAX_LINES);
		for (i = 0; i < c->nline; i++) {
			Date day = rng_chance(&r, 1, 5) ? (rng_chance(&r, 1, 2) ? lo : hi)
							: (Date)rng_range(&r, lo, hi);

			gen_line(&r, c, i, LEAD, day, scale, neg);
		}
		ncand = prefix_sums(c, lo, hi, cand, MAX_LINES);
		{
			int cal = c->fee.calendar;

			gen_sched(&r, &c->fee, 4, 1, cand, ncand, scale * c->nline);
			c->fee.calendar = cal;
		}
		detail_add("  fee year %d (%s years)\n", k,
			   c->fee.calendar ? "calendar" : "contract");
		case_store(fx.db, c, &t);

		sel.year = k;
		get_quarters(fx.db, c, &sel, c->end + 400, &fq, &nq);
		for (i = 0; i < nq; i++)
			sum += fq[i].fee;
		total = ref_net(c, lo, hi);
		s = ref_to_schedule(&c->fee);
		CHECK_EQ(schedule_amount(&t.fee, total), ref_F(&c->fee, total),
			 "schedule_amount(fee, year total %lld)", (long long)total);
		CHECK_EQ(schedule_amount(&s, total), ref_F(&c->fee, total),
			 "schedule_amount(fee, year total %lld)", (long long)total);
		CHECK_EQ(sum, ref_F(&c->fee, total),
			 "sum of the quarter fees of fee year %d (year total %lld)", k,
			 (long long)total);
		check_fee_quarters(c, fq, nq, lo, hi, "fee year");
		free(fq);
		free(c);
		ran++;
	}
	verify_ok(fx.db);
	fx_close(&fx);
	print_message("  fee telescoping in a fee year: %d cases\n", ran);
}

/* ---- 1b. fee telescoping over the whole term ------------------------------ */

static void test_fee_term_telescoping(void **state)
{
	Fixture fx;
	int ci, ran = 0;

	(void)state;
	g_prop = "fee telescoping over the term";
	world_open(&fx);
	for (ci = 0; ci < cases(P1B_CASES); ci++) {
		Rng r = case_rng(2, ci);
		Case *c;
		Terms t;
		FeeQuarter *fq = NULL, *fy = NULL, *ft = NULL;
		FeeSelect all = {0};
		Money cand[MAX_LINES], sum = 0, want = 0, scale;
		int k0, k1, k, nq = 0, ny = 0, nt = 0, i, j, ncand = 0, neg;
		Date today;

		if (!case_runs(ci))
			continue;
		c = calloc(1, sizeof *c);
		assert_non_null(c);
		snprintf(c->number, sizeof c->number, "P1B-%d", ci);
		c->start = gen_start(&r);
		c->end = gen_end(&r, c->start);
		scale = gen_scale(&r);
		neg = rng_chance(&r, 1, 8);
		c->nline = (int)rng_range(&r, 5, MAX_LINES);
		for (i = 0; i < c->nline; i++) {
			Date day = rng_chance(&r, 1, 6) ? (rng_chance(&r, 1, 2) ? c->start : c->end)
							: (Date)rng_range(&r, c->start, c->end);

			gen_line(&r, c, i, LEAD, day, scale, neg);
		}
		c->fee.calendar = rng_chance(&r, 1, 2);
		ref_fee_years(c, &c->fee, &k0, &k1);
		for (k = k0; k <= k1; k++) {
			YR yr = ref_year_range(c->fee.calendar, c->start, k);

			ncand += prefix_sums(c, yr.first, yr.last, cand + ncand, MAX_LINES - ncand);
		}
		{
			int cal = c->fee.calendar;

			gen_sched(&r, &c->fee, 4, 1, cand, ncand, scale * c->nline / (k1 - k0 + 1));
			c->fee.calendar = cal;
		}
		case_store(fx.db, c, &t);

		get_quarters(fx.db, c, rng_chance(&r, 1, 2) ? &all : NULL, c->end + 1, &fq, &nq);
		for (i = 0; i < nq; i++)
			sum += fq[i].fee;
		for (k = k0; k <= k1; k++) {
			YR yr = ref_year_range(c->fee.calendar, c->start, k);
			Money total = ref_net(c, yr.first, yr.last);

			CHECK_EQ(schedule_amount(&t.fee, total), ref_F(&c->fee, total),
				 "schedule_amount(fee, total %lld of fee year %d)",
				 (long long)total, k);
			want += ref_F(&c->fee, total);
		}
		CHECK_EQ(sum, want,
			 "sum of all quarter fees vs sum over fee years %d..%d of F(total)", k0,
			 k1);
		check_fee_quarters(c, fq, nq, c->start, c->end, "whole term");

		/* each fee year's selection shows the same quarters' figures */
		for (k = k0; k <= k1; k++) {
			FeeSelect sel = {0};

			sel.year = k;
			get_quarters(fx.db, c, &sel, c->end + 1, &fy, &ny);
			for (i = 0; i < ny; i++) {
				for (j = 0; j < nq; j++)
					if (fq[j].q.year == fy[i].q.year && fq[j].q.q == fy[i].q.q)
						break;
				if (j == nq)
					FAILF("fee year %d lists %d-Q%d, outside the term's "
					      "quarters",
					      k, fy[i].q.year, fy[i].q.q);
				CHECK_EQ(fy[i].fee, fq[j].fee,
					 "fee year %d: %d-Q%d fee vs the full list", k,
					 fy[i].q.year, fy[i].q.q);
				CHECK_EQ(fy[i].net_sales, fq[j].net_sales,
					 "fee year %d: %d-Q%d net vs the full list", k,
					 fy[i].q.year, fy[i].q.q);
			}
			free(fy);
			fy = NULL;
		}

		/* today inside the term: the quarters up to today's, same figures */
		today = (Date)rng_range(&r, c->start, c->end);
		get_quarters(fx.db, c, NULL, today, &ft, &nt);
		check_fee_quarters(c, ft, nt, c->start, today, "as of a day in the term");
		free(ft);
		free(fq);
		free(c);
		ran++;
	}
	verify_ok(fx.db);
	fx_close(&fx);
	print_message("  fee telescoping over the term: %d cases\n", ran);
}

/* ---- 2. rebate allocation -------------------------------------------------- */

static void gen_code(Rng *r, char *out)
{
	static const char alpha[] = "-.09AZ_az";
	int len = (int)rng_range(r, 1, 3), i;

	for (i = 0; i < len; i++)
		out[i] = alpha[rng_below(r, sizeof alpha - 1)];
	out[len] = '\0';
}

static Money gen_net(Rng *r, int mode, Money tie)
{
	switch (mode) {
	case 0:
		return rng_range(r, -1000000, 1000000);
	case 1:
		return rng_range(r, -2, 3);
	case 2: /* ties: many equal nets */
		return rng_chance(r, 3, 4) ? tie : rng_range(r, -5, 0);
	case 3:
		return rng_range(r, -MONEY_LIMIT, MONEY_LIMIT);
	default: {
		static const Money mag[] = {
			1,	  10,		1000,		100000,
			10000000, 1000000000LL, 100000000000LL, 10000000000000LL};
		Money m = rng_range(r, 0, mag[rng_below(r, N_ELEMS(mag))]);

		return rng_chance(r, 1, 5) ? -m : m;
	}
	}
}

static Money gen_total(Rng *r, Money sumb, int n)
{
	switch (rng_below(r, 10)) {
	case 0:
		return 0;
	case 1:
		return -rng_range(r, 1, MONEY_LIMIT);
	case 2:
		return 1;
	case 3:
		return rng_range(r, 1, 3 * (n + 1));
	case 4:
		return rng_range(r, 1, 1000000);
	case 5:
		return 10000000000000LL + rng_range(r, -1000, 1000);
	case 6:
		return rng_range(r, 1, 10000000000000LL);
	case 7:
		return sumb > 0 ? sumb : 7;
	case 8:
		return sumb > 1 ? rng_range(r, 1, sumb - 1) : 1;
	default:
		return rng_range(r, 1, 1000);
	}
}

static void test_rebate_allocation(void **state)
{
	int ci, ran = 0, tied = 0;

	(void)state;
	g_prop = "rebate allocation";
	for (ci = 0; ci < cases(P2_CASES); ci++) {
		Rng r = case_rng(3, ci);
		RebateShare share[64];
		char codes[64][8];
		const char *code[64];
		Money net[64], want[64], total, sumb = 0, given = 0;
		int n, i, j, mode, positive = 0;
		Money tie;

		if (!case_runs(ci))
			continue;
		n = rng_chance(&r, 1, 20) ? (int)rng_range(&r, 13, 64) : (int)rng_range(&r, 0, 12);
		mode = (int)rng_below(&r, 5);
		tie = rng_range(&r, 1, rng_chance(&r, 1, 2) ? 10 : 1000000000000LL);
		for (i = 0; i < n; i++) {
			int dup;

			do {
				gen_code(&r, codes[i]);
				for (dup = 0, j = 0; j < i; j++)
					dup |= strcmp(codes[i], codes[j]) == 0;
			} while (dup);
			code[i] = codes[i];
			net[i] = gen_net(&r, mode, tie);
			if (net[i] > 0) {
				sumb += net[i];
				positive++;
			}
		}
		total = gen_total(&r, sumb, n);
		detail_add("  total %lld, %d members:", (long long)total, n);
		for (i = 0; i < n; i++)
			detail_add(" %s=%lld", code[i], (long long)net[i]);
		detail_add("\n");

		for (i = 0; i < n; i++) {
			memset(&share[i], 0, sizeof share[i]);
			snprintf(share[i].agency, sizeof share[i].agency, "%s", code[i]);
			share[i].net = net[i];
			share[i].rebate = -777; /* must be overwritten */
		}
		rebate_allocate(total, share, n);
		ref_allocate(total, net, code, n, want);

		for (i = 0; i < n; i++) {
			if (strcmp(share[i].agency, code[i]) != 0)
				FAILF("member %d: agency changed to \"%s\"", i, share[i].agency);
			CHECK_EQ(share[i].net, net[i], "member %s: net changed", code[i]);
			given += share[i].rebate;
			if (net[i] <= 0)
				CHECK_EQ(share[i].rebate, 0, "member %s with net %lld", code[i],
					 (long long)net[i]);
			if (total > 0 && sumb > 0) {
				__int128 fl = (__int128)total * (net[i] > 0 ? net[i] : 0) / sumb;

				if (share[i].rebate != (Money)fl &&
				    share[i].rebate != (Money)fl + 1)
					FAILF("member %s: rebate %lld is neither floor %lld nor +1",
					      code[i], (long long)share[i].rebate, (long long)fl);
			}
			CHECK_EQ(share[i].rebate, want[i], "member %s (net %lld) rebate", code[i],
				 (long long)net[i]);
		}
		CHECK_EQ(given, total > 0 && sumb > 0 ? total : 0, "sum of the allocations");
		if (positive > 1 && mode == 2)
			tied++;
		ran++;
	}
	print_message("  rebate allocation: %d cases (%d with tied nets)\n", ran, tied);
}

/* ---- 3. reversal and re-entry change nothing ------------------------------ */

/* The figures a reversal must not move: the fee report, each rebate
 * year's final report (before the reversal also checked against the
 * reference, as is the first year's projected report), the compliance
 * report and the agency report of each member whose line is reversed. */
typedef struct Figures {
	char *fees;
	int nyear;
	char *projected[8];
	char *final[8];
	char *compliance;
	int nagency;
	char *agency[MAX_PART + 1]; /* in the order asked for */
} Figures;

static void figures_free(Figures *f)
{
	int i;

	free(f->fees);
	for (i = 0; i < f->nyear; i++) {
		free(f->projected[i]); /* NULL after the reversal */
		free(f->final[i]);
	}
	free(f->compliance);
	for (i = 0; i < f->nagency; i++)
		free(f->agency[i]);
	memset(f, 0, sizeof *f);
}

/* The agency report of agency (summary_agency) as text, every field but
 * the lines' ids: a re-entered line is a new row, and only its figures
 * must stay the same.  Caller frees. */
static char *agency_text(sqlite3 *db, const char *agency, const char *contract, Date today)
{
	char m[5][MONEY_BUF], *text = NULL;
	SummaryAgency s;
	size_t len = 0;
	Err e = {0};
	FILE *f;
	int i, k;

	if (summary_agency(db, agency, contract, NULL, today, FX_ACTOR, &s, &e))
		FAILF("agency report of %s: %s", agency, e.msg);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	fprintf(f, "%s|%s|%d\n", s.agency, s.name, (int)s.as_of);
	for (i = 0; i < s.ncontract; i++) {
		const SummaryContract *c = &s.contracts[i];
		const SummaryRebate *r = &c->rebate;

		for (k = 0; k < c->nline; k++) {
			const SummaryLine *l = &c->lines[k];

			fprintf(f, "%s|%s|%s|%d|%s|%s|%s|%s\n", l->invoice_date, l->po_number,
				l->invoice_number, l->line, l->description,
				money_format(l->list_amount, m[0]),
				money_format(l->invoiced_amount, m[1]),
				money_format(l->savings, m[2]));
		}
		fprintf(f, "%s|%s|%s|%s|%s|%s\n", c->contract, c->title, c->joined,
			money_format(c->list_total, m[0]), money_format(c->paid_total, m[1]),
			money_format(c->savings, m[2]));
		if (!r->present) {
			fprintf(f, "rebate null\n");
			continue;
		}
		fprintf(f, "rebate {%d|%d|%s|%s|%lld|%d|%s|%lld|%s}\n", r->year, r->final,
			money_format(r->rebate, m[0]), money_format(r->contract_base, m[1]),
			(long long)r->rate, r->next_tier.present,
			money_format(r->next_tier.from, m[2]), (long long)r->next_tier.rate,
			money_format(r->next_tier.remaining, m[3]));
	}
	fclose(f);
	summary_agency_free(&s);
	return text;
}

/* Check a rebate report against the reference: base, total and every
 * member's net and allocation. */
static void check_rebate_report(const Case *c, int k, const RebateReport *r)
{
	YR yr = ref_year_range(c->reb.calendar, c->start, k);
	const char *agency[MAX_PART + 1];
	Money net[MAX_PART + 1], want[MAX_PART + 1], base = 0, total;
	int n = 0, i, j, any;
	char buf[48], got[MONEY_BUF];

	/* members with a line in the year, in byte order of code */
	for (i = -1; i < c->npart; i++) {
		const char *a = i < 0 ? LEAD : c->part[i];

		for (any = 0, j = 0; j < c->nline; j++)
			any |= c->line[j].agency == a && c->line[j].day >= yr.first &&
			       c->line[j].day <= yr.last;
		if (!any)
			continue;
		agency[n] = a;
		net[n] = 0;
		for (j = 0; j < c->nline; j++)
			if (c->line[j].agency == a && c->line[j].day >= yr.first &&
			    c->line[j].day <= yr.last)
				net[n] += c->line[j].amount;
		base += net[n];
		n++;
	}
	for (i = 1; i < n; i++) /* insertion sort by byte order */
		for (j = i; j > 0 && ref_bytecmp(agency[j - 1], agency[j]) > 0; j--) {
			const char *ta = agency[j];
			Money tn = net[j];

			agency[j] = agency[j - 1];
			net[j] = net[j - 1];
			agency[j - 1] = ta;
			net[j - 1] = tn;
		}
	total = base > 0 ? ref_F(&c->reb, base) : 0;
	if (r->base != base)
		FAILF("rebate year %d: base %s, want %s", k, money_format(r->base, got),
		      ref_money_text(base, buf));
	if (r->total != total)
		FAILF("rebate year %d: total %s, want %s (base %lld)", k,
		      money_format(r->total, got), ref_money_text(total, buf), (long long)base);
	ref_allocate(total, net, agency, n, want);
	if (r->nshare != n)
		FAILF("rebate year %d: %d allocations, want %d", k, r->nshare, n);
	for (i = 0; i < n; i++) {
		const RebateShare *s = &r->share[i];

		if (strcmp(s->agency, agency[i]) != 0)
			FAILF("rebate year %d: allocation %d is %s, want %s", k, i, s->agency,
			      agency[i]);
		if (s->net != net[i])
			FAILF("rebate year %d: %s net %s, want %s", k, agency[i],
			      money_format(s->net, got), ref_money_text(net[i], buf));
		if (s->rebate != want[i])
			FAILF("rebate year %d: %s rebate %s, want %s (total %lld)", k, agency[i],
			      money_format(s->rebate, got), ref_money_text(want[i], buf),
			      (long long)total);
	}
}

/* The fee report's quarters carry the reference net sales and fee. */
static void check_fee_report(const Case *c, const FeesReport *r)
{
	RQ q = ref_quarter(c->start), end;
	char buf[48], got[MONEY_BUF], qt[16], rq[16];
	int i;

	for (i = 0; i < r->nquarter; i++) {
		const FeeQuarter *f = &r->quarter[i];
		Money want;

		snprintf(rq, sizeof rq, "%d-Q%d", q.y, q.q);
		if (strcmp(quarter_format(f->q, qt), rq) != 0)
			FAILF("fee report entry %d is %s, want %s", i, qt, rq);
		want = ref_net(c, ref_quarter_first(q), ref_quarter_last(q));
		if (f->net_sales != want)
			FAILF("fee report %s net_sales %s, want %s", rq,
			      money_format(f->net_sales, got), ref_money_text(want, buf));
		want = ref_quarter_fee(c, q);
		if (f->fee != want)
			FAILF("fee report %s fee %s, want %s", rq, money_format(f->fee, got),
			      ref_money_text(want, buf));
		q = ref_quarter_next(q);
	}
	end = ref_quarter_next(ref_quarter(c->end));
	if (q.y != end.y || q.q != end.q)
		FAILF("fee report lists %d quarters, want %d-Q%d to %d-Q%d", i,
		      ref_quarter(c->start).y, ref_quarter(c->start).q, ref_quarter(c->end).y,
		      ref_quarter(c->end).q);
}

/* The fee report of c as of day as text; checked against the reference
 * first when check.  Caller frees. */
static char *fees_take(sqlite3 *db, const Case *c, Date day, int check)
{
	FeesReport r;
	Err e = {0};
	char *text;

	if (fees_report(db, c->number, NULL, day, &r, &e))
		FAILF("fees report: %s", e.msg);
	if (check)
		check_fee_report(c, &r);
	text = fees_text(&r);
	fees_report_free(&r);
	return text;
}

/* Rebate year k of c as of day as text; checked against the reference
 * first when check.  It must be final after the year's last day, and
 * projected on it.  A final report carries a zero true-up when day is not
 * in the future, and no snapshot at all when it is (a report dated after
 * the real clock stores none: rebate.c).  Caller frees. */
static char *rebate_take(sqlite3 *db, const Case *c, int k, Date day, Date clock, int check)
{
	YR yr = ref_year_range(c->reb.calendar, c->start, k);
	RebateReport r;
	Err e = {0};
	char *text;

	if (rebate_report(db, c->number, k, day, NULL, FX_ACTOR, &r, &e))
		FAILF("rebate report (%s): %s", day > yr.last ? "final" : "projected", e.msg);
	if (check)
		check_rebate_report(c, k, &r);
	text = rebate_text(&r);
	if (day <= yr.last && r.final)
		FAILF("rebate year %d on its last day is not projected: %s", k, text);
	if (day > yr.last && !r.final)
		FAILF("rebate year %d after its last day is not final: %s", k, text);
	if (r.final && day <= clock && (!r.has_snapshot || r.true_up != 0))
		FAILF("rebate year %d: final report without a zero true-up: %s", k, text);
	if (r.final && day > clock && r.has_snapshot)
		FAILF("rebate year %d: a report dated after the clock shows a snapshot: %s", k,
		      text);
	rebate_report_free(&r);
	return text;
}

/* The compliance report of c as text.  Caller frees. */
static char *compliance_take(sqlite3 *db, const Case *c)
{
	ComplianceReport r;
	Err e = {0};
	char *text;

	if (compliance_report(db, c->number, NULL, NULL, &r, &e))
		FAILF("compliance report: %s", e.msg);
	text = compliance_text(&r);
	compliance_report_free(&r);
	return text;
}

/* Take c's figures; the agency reports of who[0..nwho) (at most
 * MAX_PART + 1).  check: compare them with the reference first. */
static void figures_take(sqlite3 *db, const Case *c, Figures *f, int check, const char *const *who,
			 int nwho)
{
	Date after = c->end + 800, clock;
	Err e = {0};
	int k0, k1, k, i;

	memset(f, 0, sizeof *f);
	f->fees = fees_take(db, c, after, check);
	if (date_today(NULL, &clock, &e))
		FAILF("the clock: %s", e.msg);
	ref_fee_years(c, &c->reb, &k0, &k1);
	for (k = k0; k <= k1 && f->nyear < 8; k++) {
		YR yr = ref_year_range(c->reb.calendar, c->start, k);

		if (check && k == k0) /* the first year's projected report too */
			f->projected[f->nyear] = rebate_take(db, c, k, yr.last, clock, 1);
		f->final[f->nyear] = rebate_take(db, c, k, after, clock, check);
		f->nyear++;
	}
	f->compliance = compliance_take(db, c);
	for (i = 0; i < nwho && f->nagency < MAX_PART + 1; i++)
		f->agency[f->nagency++] = agency_text(db, who[i], c->number, c->mid);
}

static void figures_same(const Figures *a, const Figures *b, const char *when)
{
	int i;

	if (strcmp(a->fees, b->fees) != 0)
		FAILF("%s: the fee report changed:\n    before %s\n    after  %s", when, a->fees,
		      b->fees);
	CHECK_EQ(b->nyear, a->nyear, "%s: rebate years", when);
	for (i = 0; i < a->nyear; i++) {
		if (strcmp(a->final[i], b->final[i]) != 0)
			FAILF("%s: rebate year %d (final) changed:\n    before %s\n    after  %s",
			      when, i + 1, a->final[i], b->final[i]);
	}
	if (strcmp(a->compliance, b->compliance) != 0)
		FAILF("%s: the compliance report changed:\n    before %s\n    after  %s", when,
		      a->compliance, b->compliance);
	CHECK_EQ(b->nagency, a->nagency, "%s: agency reports", when);
	for (i = 0; i < a->nagency; i++)
		if (strcmp(a->agency[i], b->agency[i]) != 0)
			FAILF("%s: agency report %d changed:\n    before %s\n    after  %s", when,
			      i, a->agency[i], b->agency[i]);
}

/* Append p in its own transaction; it must be a new line.  Returns its id. */
static int64_t append_new(sqlite3 *db, const PurchaseIn *p, const char *what)
{
	LedgerOutcome out = LEDGER_DUPLICATE;
	int64_t id = 0;
	Err e = {0};
	ClCode rc = fx_append(db, p, &out, &id, &e);

	if (rc || out != LEDGER_APPENDED || id <= 0)
		FAILF("%s of %s/%d: rc %d outcome %d: %s", what, p->invoice_number, p->line,
		      (int)rc, (int)out, e.msg);
	return id;
}

static void reverse_ok(sqlite3 *db, int64_t id)
{
	int64_t rev = 0;
	Err e = {0};

	if (ledger_reverse_line(db, id, "property test: correction", FX_ACTOR, &rev, &e) ||
	    rev <= 0)
		FAILF("reverse line %lld: %s", (long long)id, e.msg);
}

/* Per-order discount tiers for c (all-units, strictly increasing), their
 * bounds drawn from order list totals (hit exactly) or up to scale, and a
 * price tolerance. */
static void gen_discounts(Rng *r, Case *c, Money scale)
{
	static const Rate rates[] = {0, 2500, 50000, 100000, 250000, 400000, 600000, 630000};
	Money from[4];
	int want = (int)rng_range(r, 1, 3), n = 0, i, j, k;

	for (k = 0; k < 8 && n < (int)N_ELEMS(from); k++) {
		Money m = 0;

		if (rng_chance(r, 1, 2)) { /* an order's list total */
			const Line *l = &c->line[rng_below(r, (uint64_t)c->nline)];

			for (j = 0; j < c->nline; j++)
				if (c->line[j].agency == l->agency &&
				    strcmp(c->line[j].po, l->po) == 0)
					m += c->line[j].list;
		} else {
			m = rng_range(r, 1, scale * 4 > 1 ? scale * 4 : 2);
		}
		if (m > 0 && m <= MONEY_LIMIT)
			from[n++] = m;
	}
	qsort(from, (size_t)n, sizeof from[0], cmp_money);
	c->disc.volume = 1;
	c->disc.n = 0;
	if (!n || rng_chance(r, 2, 3))
		c->disc.from[c->disc.n++] = 0;
	for (i = 0; i < n && c->disc.n < want; i++)
		if (!c->disc.n || from[i] > c->disc.from[c->disc.n - 1])
			c->disc.from[c->disc.n++] = from[i];
	for (i = 0; i < c->disc.n; i++)
		c->disc.rate[i] = rates[rng_below(r, N_ELEMS(rates))];
	c->has_disc = 1;
	c->tolerance = rng_chance(r, 1, 2) ? 0 : rng_range(r, 0, 500);
}

/* The hash chains of a database that held cases first..last, checked once
 * before it is closed (every row is checked, once). */
static void verify_db(const Fixture *fx, int first, int last)
{
	detail_reset();
	detail_add("  the database of cases %d to %d\n", first, last);
	verify_ok(fx->db);
}

/* A case of a small ledger for the invariance properties: up to two years
 * and a quarter, up to six members, fee and rebate schedules with
 * thresholds among the ledger's running sums, discounts.  Caller frees. */
static Case *gen_small_case(Rng *r, const char *prefix, int ci)
{
	Case *c = calloc(1, sizeof *c);
	Money cand[MAX_LINES], scale;
	int i, j, neg, used[N_ELEMS(POOL)] = {0};

	assert_non_null(c);
	snprintf(c->number, sizeof c->number, "%s-%d", prefix, ci);
	c->start = gen_start(r);
	c->end = gen_end(r, c->start);
	/* terms of up to two years and a quarter */
	if (c->end > ref_add_years(c->start, 2) + 92)
		c->end = ref_add_years(c->start, 2) + 92;
	c->npart = (int)rng_range(r, 0, 6);
	for (i = 0; i < c->npart; i++) {
		do
			j = (int)rng_below(r, N_ELEMS(POOL));
		while (used[j]);
		used[j] = 1;
		c->part[i] = POOL[j];
		c->joined[i] =
			rng_chance(r, 1, 2)
				? c->start
				: (Date)rng_range(r, c->start, c->start + (c->end - c->start) / 2);
	}
	scale = rng_chance(r, 1, 4) ? 3 : gen_scale(r); /* tiny amounts: ties */
	neg = rng_chance(r, 1, 8);
	c->nline = (int)rng_range(r, 5, P3_MAX_LINES);
	for (i = 0; i < c->nline; i++) {
		int k = (int)rng_range(r, -1, c->npart - 1);
		Date from = k < 0 ? c->start : c->joined[k];

		gen_line(r, c, i, k < 0 ? LEAD : c->part[k], (Date)rng_range(r, from, c->end),
			 scale, neg);
	}
	i = prefix_sums(c, c->start, c->end, cand, MAX_LINES);
	gen_sched(r, &c->fee, 4, 1, cand, i, scale * c->nline);
	c->has_reb = 1;
	gen_sched(r, &c->reb, 4, 0, cand, i, scale * c->nline);
	gen_discounts(r, c, scale);
	c->mid = (Date)rng_range(r, c->start, c->end);
	return c;
}

static void test_reversal_invariance(void **state)
{
	Fixture fx;
	int ci, ran = 0, rounds = 0, detours = 0, overcharged = 0, shares = 0, first = 0;

	(void)state;
	g_prop = "reversal invariance";
	memset(&fx, 0, sizeof fx);
	for (ci = 0; ci < cases(P3_CASES); ci++) {
		Rng r = case_rng(4, ci);
		Case *c;
		Terms t;
		Figures before, after;
		const char *who[MAX_PART + 1];
		int i, j, nround, nwho, pick[3];
		Err e = {0};

		if (!case_runs(ci))
			continue;
		if (!fx.db || ran % 50 == 0) { /* a fresh database now and then */
			if (fx.db) {
				verify_db(&fx, first, ci - 1);
				fx_close(&fx);
			}
			world_open(&fx);
			first = ci;
		}
		c = gen_small_case(&r, "P3", ci);
		case_store(fx.db, c, &t);

		/* the lines to reverse, drawn first: their agencies' reports are taken */
		nround = (int)rng_range(&r, 1, 2);
		nwho = 0;
		for (j = 0; j < nround; j++) {
			pick[j] = (int)rng_below(&r, (uint64_t)c->nline);
			for (i = 0; i < nwho && who[i] != c->line[pick[j]].agency; i++)
				;
			if (i == nwho)
				who[nwho++] = c->line[pick[j]].agency;
		}
		figures_take(fx.db, c, &before, 1, who, nwho);
		overcharged += !strstr(before.compliance, "\"lines\":[]");
		for (i = 0; i < before.nagency; i++)
			shares += strstr(before.agency[i], "\nrebate {") != NULL;
		for (j = 0; j < nround; j++) {
			Line *ln = &c->line[pick[j]];
			PurchaseIn p = line_in(c, ln);
			int64_t old = ln->id, id;
			int want_rev = ln->revision + 1;

			detail_add("  round %d: reverse %s/%d (id %lld)\n", j, ln->inv, ln->lineno,
				   (long long)old);
			reverse_ok(fx.db, old);
			if (rng_chance(&r, 1, 3)) { /* a wrong correction, itself reversed */
				PurchaseIn q = p;

				q.invoiced_amount += rng_range(&r, 1, 100000);
				q.tax_amount += 1;
				id = append_new(fx.db, &q, "wrong re-entry");
				reverse_ok(fx.db, id);
				want_rev++;
				detours++;
			}
			ln->id = append_new(fx.db, &p, "re-entry");
			ln->revision = want_rev;
			CHECK_EQ(db_int(fx.db, -1, "SELECT revision FROM purchase WHERE id = ?",
					"i", ln->id),
				 want_rev, "revision of the re-entered %s/%d", ln->inv, ln->lineno);
			if (j == 0 && ledger_reverse_line(fx.db, old, "again", FX_ACTOR, NULL,
							  &e) != CL_ECONFLICT)
				FAILF("reversing line %lld twice was not refused as a conflict",
				      (long long)old);
			rounds++;
		}
		figures_take(fx.db, c, &after, 0, who, nwho);
		figures_same(&before, &after, "after reversal and re-entry");
		figures_free(&before);
		figures_free(&after);
		free(c);
		ran++;
	}
	if (fx.db) {
		verify_db(&fx, first, ci - 1);
		fx_close(&fx);
	}
	/* the comparison means something only if the reports have figures */
	if (g_only_case < 0 && (overcharged < ran / 4 || shares < ran / 4))
		FAILF("only %d of %d cases have overcharges and %d agency reports a rebate share",
		      overcharged, ran, shares);
	print_message("  reversal invariance: %d cases, %d reversals (%d with a wrong entry "
		      "between); %d with overcharges, %d agency reports with a rebate share\n",
		      ran, rounds, detours, overcharged, shares);
}

/* ---- 5. amendments: a restatement changes nothing, a fee change no
 * ended quarter ---------------------------------------------------------- */

#define P5_CASES 300

/* Record an amendment of c effective day; it must be accepted. */
static void amend_ok(sqlite3 *db, const Case *c, Date day, const char *doc)
{
	char d[32];
	Err e = {0};

	detail_add("  amendment effective %s: %s\n", ref_date_text(day, d), doc);
	if (contract_amend(db, c->number, day, "property case", doc, strlen(doc), FX_ACTOR, NULL,
			   &e))
		FAILF("amendment effective %s refused: %s", d, e.msg);
}

/* The fee of every quarter of c, as of long after its end.  Caller frees. */
static FeeQuarter *all_quarters(sqlite3 *db, const Case *c, int *n)
{
	FeeQuarter *fq = NULL;
	Err e = {0};

	if (fees_quarters(db, c->number, NULL, c->end + 800, &fq, n, &e))
		FAILF("fees: %s", e.msg);
	return fq;
}

static void test_amendment_invariance(void **state)
{
	Fixture fx;
	int ci, ran = 0, kept = 0, first = 0;

	(void)state;
	g_prop = "amendment invariance";
	memset(&fx, 0, sizeof fx);
	for (ci = 0; ci < cases(P5_CASES); ci++) {
		Rng r = case_rng(5, ci);
		Case *c;
		Terms t;
		TermsChange same;
		Figures before, after;
		FeeQuarter *q0, *q1;
		RefSched fee;
		Money cand[MAX_LINES];
		Date eff, eff2;
		char *doc, fee_doc[1200], buf[1300];
		int n0, n1, i;

		if (!case_runs(ci))
			continue;
		if (!fx.db || ran % 50 == 0) {
			if (fx.db) {
				verify_db(&fx, first, ci - 1);
				fx_close(&fx);
			}
			world_open(&fx);
			first = ci;
		}
		c = gen_small_case(&r, "P5", ci);
		if (c->end == c->start) { /* no day to amend from: after the start, in the term */
			free(c);
			continue;
		}
		case_store(fx.db, c, &t);
		figures_take(fx.db, c, &before, 1, NULL, 0);

		/* the same terms restated, from a day inside the term */
		memset(&same, 0, sizeof same);
		same.t = t;
		same.has = TC_FEE | TC_DUE_DAYS | TC_TOLERANCE |
			   (t.discounts.present ? TC_DISCOUNTS : 0) |
			   (t.rebates.present ? TC_REBATES : 0);
		eff = (Date)rng_range(&r, c->start + 1, c->end);
		doc = terms_change_to_json(&same);
		assert_non_null(doc);
		amend_ok(fx.db, c, eff, doc);
		free(doc);
		figures_take(fx.db, c, &after, 0, NULL, 0);
		figures_same(&before, &after, "after restating the terms");
		figures_free(&before);
		figures_free(&after);

		/* a new fee schedule from a later day: no quarter ended before it moves */
		q0 = all_quarters(fx.db, c, &n0);
		i = prefix_sums(c, c->start, c->end, cand, MAX_LINES);
		gen_sched(&r, &fee, 4, 1, cand, i, 1000000);
		fee.calendar = c->fee.calendar; /* the year never changes */
		sched_json(fee_doc, sizeof fee_doc, &fee, "bands");
		snprintf(buf, sizeof buf, "{\"fee\":%s}", fee_doc);
		eff2 = (Date)rng_range(&r, eff, c->end);
		amend_ok(fx.db, c, eff2, buf);
		q1 = all_quarters(fx.db, c, &n1);
		CHECK_EQ(n1, n0, "fee quarters after the fee amendment");
		for (i = 0; i < n0; i++) {
			if (ref_quarter_last((RQ){q0[i].q.year, q0[i].q.q}) >= eff2)
				break;
			CHECK_EQ(q1[i].fee, q0[i].fee, "fee of quarter %d-Q%d, ended before %d",
				 q0[i].q.year, q0[i].q.q, (int)eff2);
			kept++;
		}
		free(q0);
		free(q1);
		free(c);
		ran++;
	}
	if (fx.db) {
		verify_db(&fx, first, ci - 1);
		fx_close(&fx);
	}
	print_message(
		"  amendment invariance: %d cases, %d quarters ended before a fee change kept "
		"their fee\n",
		ran, kept);
}

/* ---- 4. graduated schedules are non-decreasing ----------------------------- */

static void test_schedule_monotone(void **state)
{
	int ci, ran = 0;
	long points = 0;

	(void)state;
	g_prop = "schedule monotonicity";
	for (ci = 0; ci < cases(P4_CASES); ci++) {
		Rng r = case_rng(5, ci);
		RefSched rs;
		Schedule s;
		Money base[80], scale;
		int n = 0, i, b;
		char txt[1024];

		if (!case_runs(ci))
			continue;
		scale = rng_chance(&r, 1, 4) ? MONEY_LIMIT : gen_scale(&r) * 60;
		gen_sched(&r, &rs, REF_MAX_BANDS, rng_chance(&r, 1, 2), NULL, 0, scale);
		sched_json(txt, sizeof txt, &rs, "bands");
		detail_add("  schedule %s\n", txt);
		/* bases: 0, each bound and its neighbours, random up to the scale */
		base[n++] = 0;
		for (b = 0; b < rs.n; b++) {
			base[n++] = rs.from[b];
			base[n++] = rs.from[b] + 1;
			if (rs.from[b] > 0)
				base[n++] = rs.from[b] - 1;
		}
		while (n < 64)
			base[n++] = rng_range(&r, 0, rng_chance(&r, 1, 4) ? MONEY_LIMIT : scale);
		qsort(base, (size_t)n, sizeof base[0], cmp_money);

		/* the reference agrees for both modes, negative bases included */
		s = ref_to_schedule(&rs);
		for (i = 0; i < n; i++) {
			Money neg = -base[i];

			CHECK_EQ(schedule_amount(&s, base[i]), ref_F(&rs, base[i]),
				 "schedule_amount(%s, %lld)", rs.volume ? "volume" : "graduated",
				 (long long)base[i]);
			CHECK_EQ(schedule_amount(&s, neg), ref_F(&rs, neg),
				 "schedule_amount(%s, %lld)", rs.volume ? "volume" : "graduated",
				 (long long)neg);
		}

		/* graduated: non-decreasing over non-negative bases */
		rs.volume = 0;
		s = ref_to_schedule(&rs);
		for (i = 1; i < n; i++) {
			Money lo = schedule_amount(&s, base[i - 1]),
			      hi = schedule_amount(&s, base[i]);

			if (lo > hi)
				FAILF("graduated S not monotone: F(%lld) = %lld > F(%lld) = %lld",
				      (long long)base[i - 1], (long long)lo, (long long)base[i],
				      (long long)hi);
			if (schedule_value(&s, base[i - 1]) > schedule_value(&s, base[i]))
				FAILF("graduated schedule_value not monotone between %lld and %lld",
				      (long long)base[i - 1], (long long)base[i]);
			points++;
		}
		ran++;
	}
	print_message("  schedule monotonicity: %d schedules, %ld ordered pairs\n", ran, points);
}

/* ---- main ------------------------------------------------------------------ */

static int group_setup(void **state)
{
	const char *s;

	(void)state;
	if ((s = getenv("PROPS_SEED")) && *s)
		g_seed = strtoull(s, NULL, 0);
	if ((s = getenv("PROPS_CASE")) && *s)
		g_only_case = atoi(s);
	if ((s = getenv("PROPS_SCALE")) && atoi(s) > 0)
		g_scale = atoi(s);
	print_message("money properties: seed=0x%" PRIx64 "%s\n", g_seed,
		      g_only_case >= 0 ? " (one case)" : "");
	return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule_monotone),
		cmocka_unit_test(test_rebate_allocation),
		cmocka_unit_test(test_fee_year_telescoping),
		cmocka_unit_test(test_fee_term_telescoping),
		cmocka_unit_test(test_reversal_invariance),
		cmocka_unit_test(test_amendment_invariance),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
