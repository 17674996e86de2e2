/*
 * test_terms_check.c — unit tests of core/terms_check.c: every problem of a
 * terms document at once, each named by its field's path.
 *
 * Cases are data: a document and the problems it must have, as
 * "path|part of the message" in order (an empty path is the document as a
 * whole).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "terms.h"
#include "terms_check.h"

#define NUM   "\"number\":\"KS-1\","
#define HEAD  "\"title\":\"T\",\"lead_agency\":\"USD259\",\"vendor\":\"V-P\","
#define DATES "\"start\":\"2025-07-01\",\"end\":\"2028-06-30\","
#define FEE   "\"fee\":{\"bands\":[{\"from\":\"0\",\"rate\":\"2%\"}]}"
/* A valid document with extra fields (each extra starts with a comma). */
#define DOC(extra) "{" NUM HEAD DATES FEE extra "}"
/* A valid document whose dates and fee are replaced. */
#define DOC_DF(dates, fee) "{" NUM HEAD dates "\"fee\":" fee "}"

#define MAX_WANT 6

typedef struct CheckCase {
	const char *doc;
	const char *want[MAX_WANT]; /* "path|message part", in order; NULL ends */
} CheckCase;

static const CheckCase cases[] = {
	/* one problem: the same as terms_parse()'s */
	{DOC(",\"due_days\":\"45\""), {"due_days|must be a JSON number of days", NULL}},
	{"not json", {"|terms: not valid JSON near byte 0", NULL}},
	{"[1]", {"|terms: must be a JSON object", NULL}},
	{"", {"|terms: the document is empty", NULL}},
	/* two mistakes far apart: a band's rate and an end before start,
	 * which terms_parse() alone would tell one at a time */
	{DOC_DF("\"start\":\"2025-07-01\",\"end\":\"2024-06-30\",",
		"{\"bands\":[{\"from\":\"0\",\"rate\":\"2%\"},{\"from\":\"300\",\"rate\":\"abc\"}]"
		"}"),
	 {"end|end: 2024-06-30 is before start 2025-07-01",
	  "fee.bands[1].rate|fee.bands[1].rate: rate", NULL}},
	/* every band alone, each named where it is */
	{DOC(",\"discounts\":{\"tiers\":[{\"from\":\"x\",\"rate\":\"60%\"},"
	     "{\"from\":\"100\",\"rate\":\"63%\"},{\"from\":1000,\"rate\":\"65%\"}]}"),
	 {"discounts.tiers[0].from|discounts.tiers[0].from: amount",
	  "discounts.tiers[2].from|discounts.tiers[2].from: must be a money string such as "
	  "\"30000.00\", not a JSON number",
	  NULL}},
	/* bands out of order, and the first fee band not at 0 */
	{DOC_DF(DATES, "{\"bands\":[{\"from\":\"0\",\"rate\":\"2%\"},{\"from\":\"500\",\"rate\":"
		       "\"1%\"},{\"from\":\"400\",\"rate\":\"1%\"}]}"),
	 {"fee.bands[2].from|is not greater than the band before it", NULL}},
	{DOC_DF(DATES, "{\"bands\":[{\"from\":\"5\",\"rate\":\"2%\"}]}"),
	 {"fee.bands[0].from|the first fee band must start at \"0\"", NULL}},
	/* a bad band and a bad mode of the same schedule */
	{DOC(",\"rebates\":{\"mode\":\"steep\",\"tiers\":[{\"from\":\"10\",\"rate\":\"1.23456%\"}]"
	     "}"),
	 {"rebates.tiers[0].rate|rebates.tiers[0].rate:", "rebates.mode|unknown mode \"steep\"",
	  NULL}},
	/* missing required fields, each named */
	{"{" NUM DATES FEE "}",
	 {"title|title: is required", "lead_agency|is required", "vendor|is required", NULL}},
	{"{" NUM HEAD "\"end\":\"2028-06-30\"," FEE "}", {"start|start: is required", NULL}},
	/* an unknown field is about that field */
	{DOC(",\"renewals\":{\"options\":2,\"years\":1},\"late_fee\":{\"min\":\"200\"}"),
	 {"late_fee.rate|is required", NULL}},
	/* a field repeated: the document's problem, besides the others */
	{"{" NUM HEAD "\"title\":\"U\"," DATES FEE ",\"price_tolerance\":\"-1\"}",
	 {"price_tolerance|is negative", "|terms: field \"title\" appears twice", NULL}},
	/* a schedule that is not one */
	{DOC_DF(DATES, "{\"bands\":\"2%\"}"), {"fee.bands|must be an array", NULL}},
	{DOC_DF(DATES, "{\"bands\":[]}"), {"fee.bands|needs at least one band", NULL}},
	{DOC_DF(DATES, "{\"bands\":[7]}"),
	 {"fee.bands[0]|fee.bands[0]: must be a JSON object", NULL}},
};

/* The problems of c match its wanted list. */
static void check_case(const CheckCase *c)
{
	TermsProblems p;
	Err e = {0};
	int n = 0, i;
	ClCode rc = terms_check(c->doc, strlen(c->doc), &p, &e);

	while (n < MAX_WANT && c->want[n])
		n++;
	if (p.n != n)
		print_message("case \"%s\":\n", c->doc);
	for (i = 0; p.n != n && i < p.n; i++)
		print_message("  problem %d: [%s] %s\n", i, p.item[i].path, p.item[i].msg);
	assert_int_equal(rc, CL_EINPUT);
	assert_int_equal(p.n, n);
	assert_string_equal(e.msg, p.item[0].msg);
	for (i = 0; i < n; i++) {
		const char *bar = strchr(c->want[i], '|');
		size_t plen = (size_t)(bar - c->want[i]);

		assert_int_equal(strlen(p.item[i].path), plen);
		assert_memory_equal(p.item[i].path, c->want[i], plen);
		if (!strstr(p.item[i].msg, bar + 1))
			fail_msg("case \"%s\": problem %d is \"%s\", wanted \"%s\"", c->doc, i,
				 p.item[i].msg, bar + 1);
	}
	terms_check_free(&p);
}

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_case(&cases[i]);
}

/* A document terms_parse() takes has no problems. */
static void test_valid(void **state)
{
	static const char doc[] =
		DOC(",\"rebates\":{\"tiers\":[{\"from\":\"1\",\"rate\":\"1%\"}]}");
	TermsProblems p;
	Err e = {0};

	(void)state;
	assert_int_equal(terms_check(doc, strlen(doc), &p, &e), CL_OK);
	assert_int_equal(p.n, 0);
	assert_null(p.item);
	terms_check_free(&p);
}

/* Whatever the document, its first problem is terms_parse()'s or comes
 * before it in the document: a field's problem is never one terms_parse()
 * would not have found. */
static void test_agrees_with_parse(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		TermsProblems p;
		Terms t;
		Err e = {0}, pe = {0};
		int j, found = 0;

		assert_int_not_equal(terms_parse(cases[i].doc, strlen(cases[i].doc), &t, &pe),
				     CL_OK);
		assert_int_equal(terms_check(cases[i].doc, strlen(cases[i].doc), &p, &e),
				 CL_EINPUT);
		for (j = 0; j < p.n; j++)
			found |= strcmp(p.item[j].msg, pe.msg) == 0;
		if (!found)
			fail_msg("case %zu: terms_parse() says \"%s\", not among the problems", i,
				 pe.msg);
		terms_check_free(&p);
	}
}

/* Many unknown fields: at most TERMS_MAX_PROBLEMS, and the check ends. */
static void test_many_fields(void **state)
{
	char *doc = malloc(200000);
	size_t used = 0;
	TermsProblems p;
	Err e = {0};
	int i;

	(void)state;
	assert_non_null(doc);
	used += (size_t)sprintf(doc, "{");
	for (i = 0; i < 5000; i++)
		used += (size_t)sprintf(doc + used, "\"f%d\":1,", i);
	sprintf(doc + used, "\"x\":1}");
	assert_int_equal(terms_check(doc, strlen(doc), &p, &e), CL_EINPUT);
	assert_true(p.n >= 64 && p.n <= TERMS_MAX_PROBLEMS);
	assert_string_equal(p.item[0].path, "f0");
	terms_check_free(&p);
	free(doc);
}

static void test_message_path(void **state)
{
	char path[TERMS_PATH_BUF];

	(void)state;
	assert_string_equal(terms_message_path("fee.bands[1].rate: x", path, sizeof path),
			    "fee.bands[1].rate");
	assert_string_equal(
		terms_message_path("end: 2024-06-30 is before start", path, sizeof path), "end");
	assert_string_equal(terms_message_path("terms: must be a JSON object", path, sizeof path),
			    "");
	assert_string_equal(terms_message_path("contract KS-1 already exists", path, sizeof path),
			    "");
	assert_string_equal(terms_message_path("lead_agency: unknown agency", path, sizeof path),
			    "lead_agency");
	assert_string_equal(terms_message_path(": x", path, sizeof path), "");
	assert_string_equal(terms_message_path("end:x", path, sizeof path), "");
	assert_string_equal(terms_message_path("abcdef: x", path, 4), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_agrees_with_parse),
		cmocka_unit_test(test_many_fields),
		cmocka_unit_test(test_message_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
