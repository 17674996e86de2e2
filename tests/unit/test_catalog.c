/*
 * test_catalog.c — unit tests of core/catalog.c's pure parts: a buyer's
 * search as an FTS5 query, and discount tiers as a buyer reads them
 * (DOMAIN.md section 7).
 *
 * Tests as data: every row is an input and the text worked out by hand,
 * or the words its refusal must contain.  Then the catalog of the standard
 * world (fixture.h): what is in force on a day, the FTS5 index kept by
 * the triggers of migration 0015.
 */
#include "catalog.h"
#include "fixture.h"
#include "vendor.h"

typedef struct MatchCase {
	const char *q;
	const char *match; /* the FTS5 query, or NULL when refused */
	const char *err;   /* words of the refusal */
} MatchCase;

static const MatchCase match_cases[] = {
	{"chair", "\"chair\"*", NULL},
	{"  chair   desk ", "\"chair\"* \"desk\"*", NULL},
	/* a word's letters and digits are one phrase, the last a prefix */
	{"KS-FURN", "\"KS FURN\"*", NULL},
	{"KS-FURN-2025", "\"KS FURN 2025\"*", NULL},
	/* FTS5 syntax is nothing but separators between words */
	{"\"", "", NULL},
	{"*", "", NULL},
	{"NEAR(", "\"NEAR\"*", NULL},
	{"AND OR NOT", "\"AND\"* \"OR\"* \"NOT\"*", NULL},
	{"chair\" OR \"x", "\"chair\"* \"OR\"* \"x\"*", NULL},
	{"title:chair", "\"title chair\"*", NULL},
	{"-chair^", "\"chair\"*", NULL},
	{"école", "\"école\"*", NULL},
	{"", "", NULL},
	{"\xff", NULL, "q: the search is not valid UTF-8 text"},
	{"a b c d e f g h i j k l m n o p q", NULL, "q: the search has more than 16 words"},
};

static void test_match(void **state)
{
	char out[CATALOG_MATCH_BUF];
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(match_cases); i++) {
		const MatchCase *c = &match_cases[i];
		Err e = {0};
		ClCode rc = catalog_match(c->q, out, sizeof out, &e);

		if (c->match) {
			assert_int_equal(rc, CL_OK);
			assert_string_equal(out, c->match);
		} else {
			assert_int_equal(rc, CL_EINPUT);
			assert_string_equal(e.msg, c->err);
		}
	}
}

/* The longest search taken: 200 bytes of one-letter words (100 words are
 * refused for their count) and of a few long words both fit the buffer;
 * 201 bytes are refused naming the length. */
static void test_match_limits(void **state)
{
	char q[CATALOG_QUERY_MAX + 2], out[CATALOG_MATCH_BUF];
	Err e = {0};

	(void)state;
	memset(q, 'x', CATALOG_QUERY_MAX);
	q[CATALOG_QUERY_MAX] = '\0';
	assert_int_equal(catalog_match(q, out, sizeof out, &e), CL_OK);
	assert_int_equal(strlen(out), CATALOG_QUERY_MAX + 3); /* "x…x"* */
	/* 16 words of 11 letters and 15 blanks: 191 bytes, 16 * 4 more */
	snprintf(q, sizeof q, "%s", "");
	for (int i = 0; i < 16; i++)
		strcat(q, i ? " abcdefghijk" : "abcdefghijk");
	assert_int_equal(catalog_match(q, out, sizeof out, &e), CL_OK);
	assert_int_equal(strlen(out), 16 * 11 + 16 * 3 + 15);
	memset(q, 'x', CATALOG_QUERY_MAX + 1);
	q[CATALOG_QUERY_MAX + 1] = '\0';
	assert_int_equal(catalog_match(q, out, sizeof out, &e), CL_EINPUT);
	assert_string_equal(e.msg, "q: the search is 201 characters long; at most 200 are taken — "
				   "use a few words");
}

/* Tiers: from (cents) and rate (ppm), and the sentences by hand. */
typedef struct TierCase {
	int n;
	Money from[4];
	Rate rate[4];
	const char *want[5];
} TierCase;

static const TierCase tier_cases[] = {
	/* KS-FURN-2025 of the demo: each tier ends a cent below the next */
	{4,
	 {0, 3000001, 6000001, 12000001},
	 {600000, 630000, 650000, 670000},
	 {"60% off list on orders up to $30,000.00 of list",
	  "63% off list on orders from $30,000.01 to $60,000.00 of list",
	  "65% off list on orders from $60,000.01 to $120,000.00 of list",
	  "67% off list on orders over $120,000.00 of list"}},
	/* a first tier above zero; a last one from whole dollars */
	{3,
	 {500000, 2500001, 10000000},
	 {100000, 125000, 150000},
	 {"No discount on orders under $5,000.00 of list",
	  "10% off list on orders from $5,000.00 to $25,000.00 of list",
	  "12.5% off list on orders from $25,000.01 to $99,999.99 of list",
	  "15% off list on orders of $100,000.00 or more of list"}},
	/* one tier: every order */
	{1, {0}, {350000}, {"35% off list on every order"}},
	/* a 0% tier is no discount */
	{2,
	 {0, 100000},
	 {0, 50000},
	 {"No discount on orders up to $999.99 of list",
	  "5% off list on orders of $1,000.00 or more of list"}},
};

static void test_tiers(void **state)
{
	char out[CATALOG_SENTENCES][CATALOG_SENTENCE_BUF];
	size_t i;
	int k, n;

	(void)state;
	for (i = 0; i < N_ELEMS(tier_cases); i++) {
		const TierCase *c = &tier_cases[i];
		CatalogEntry en;

		memset(&en, 0, sizeof en);
		en.discounts.present = 1;
		en.discounts.mode = SCHED_VOLUME;
		en.discounts.nband = c->n;
		for (k = 0; k < c->n; k++) {
			en.discounts.band[k].from = c->from[k];
			en.discounts.band[k].rate = c->rate[k];
		}
		n = catalog_tier_sentences(&en, out);
		for (k = 0; k < 5 && c->want[k]; k++)
			;
		assert_int_equal(n, k);
		for (k = 0; k < n; k++)
			assert_string_equal(out[k], c->want[k]);
	}
}

/* No discounts: no sentence. */
static void test_no_tiers(void **state)
{
	char out[CATALOG_SENTENCES][CATALOG_SENTENCE_BUF];
	CatalogEntry en;

	(void)state;
	memset(&en, 0, sizeof en);
	assert_int_equal(catalog_tier_sentences(&en, out), 0);
}

/* The numbers catalog_list() gives on day for q and category, joined by
 * blanks.  OUT: out (size n). */
static void numbers(sqlite3 *db, const char *day, const char *q, const char *category, char *out,
		    size_t n)
{
	CatalogEntry *list;
	Err e = {0};
	int k, i;

	fx_expect(q ? q : "(all)", catalog_list(db, fx_date(day), q, category, &list, &k, &e), &e,
		  CL_OK, NULL);
	out[0] = '\0';
	for (i = 0; i < k; i++)
		snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? " " : "", list[i].number);
	free(list);
}

/* KS-1 (2025-07-01 .. 2026-06-30) is in the catalog within its term;
 * KS-T, terminated, never; a contract not yet started not until it
 * starts.  Its words are the number, title, category and vendor name, and
 * a renamed vendor is found by its new name only. */
static void test_world_catalog(void **state)
{
	Fixture *fx = *state;
	char got[256];
	CatalogEntry c;
	Err e = {0};

	fx_contract(fx->db, "KS-2", "2026-03-01", "2027-02-28", "active");
	numbers(fx->db, "2026-01-15", NULL, NULL, got, sizeof got);
	assert_string_equal(got, "KS-1");
	numbers(fx->db, "2026-03-01", NULL, NULL, got, sizeof got);
	assert_string_equal(got, "KS-1 KS-2");
	numbers(fx->db, "2026-07-01", NULL, NULL, got, sizeof got);
	assert_string_equal(got, "KS-2");
	numbers(fx->db, "2025-06-30", NULL, NULL, got, sizeof got);
	assert_string_equal(got, "");

	numbers(fx->db, "2026-03-01", "classroom furn", NULL, got, sizeof got);
	assert_string_equal(got, "KS-1 KS-2");
	numbers(fx->db, "2026-03-01", "KS-2", "furniture", got, sizeof got);
	assert_string_equal(got, "KS-2");
	numbers(fx->db, "2026-03-01", "prairie", "seating", got, sizeof got);
	assert_string_equal(got, "");
	numbers(fx->db, "2026-03-01", "zephyr", NULL, got, sizeof got);
	assert_string_equal(got, "");
	fx_expect("rename", vendor_rename(fx->db, "V-PRAIRIE", "Zephyr Desks", FX_ACTOR, &e), &e,
		  CL_OK, NULL);
	numbers(fx->db, "2026-03-01", "zephyr", NULL, got, sizeof got);
	assert_string_equal(got, "KS-1 KS-2");
	numbers(fx->db, "2026-03-01", "prairie", NULL, got, sizeof got);
	assert_string_equal(got, "");

	fx_expect("KS-1", catalog_get(fx->db, fx_date("2026-01-15"), "KS-1", &c, &e), &e, CL_OK,
		  NULL);
	assert_string_equal(c.vendor_name, "Zephyr Desks");
	assert_string_equal(c.lead_agency_name, "Wichita Public Schools");
	assert_string_equal(c.solicitation, "RFP 25-0147");
	assert_int_equal(c.end, fx_date("2026-06-30"));
	assert_string_equal(c.contact_email, ""); /* the vendor has no contact */
	fx_expect("KS-T", catalog_get(fx->db, fx_date("2026-01-15"), "KS-T", &c, &e), &e,
		  CL_ENOTFOUND, "not in force today");
	fx_expect("KS-9", catalog_get(fx->db, fx_date("2026-01-15"), "KS-9", &c, &e), &e,
		  CL_ENOTFOUND, "no contract numbered \"KS-9\"");
	fx_expect("category",
		  catalog_list(fx->db, fx_date("2026-01-15"), NULL, "a\nb", &(CatalogEntry *){0},
			       &(int){0}, &e),
		  &e, CL_EINPUT, "category");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_match_limits),
		cmocka_unit_test(test_tiers),
		cmocka_unit_test(test_no_tiers),
		cmocka_unit_test_setup_teardown(test_world_catalog, fx_world_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
