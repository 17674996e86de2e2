/*
 * test_catalog.c — unit tests of core/catalog.c's pure parts: a buyer's
 * search as an FTS5 query, and discount tiers as a buyer reads them
 * (DOMAIN.md section 7).
 *
 * Tests as data: every row is an input and the text worked out by hand,
 * or the words its refusal must contain.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_match_limits),
		cmocka_unit_test(test_tiers),
		cmocka_unit_test(test_no_tiers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
