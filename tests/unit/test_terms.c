/*
 * test_terms.c — unit tests of core/terms.c (DOMAIN.md section 4).
 *
 * Parsing is tested as data: a table of documents, each with the substring
 * its error message must contain (NULL: the document is valid).  Schedule
 * figures are worked out by hand next to each case, in cents and cent·ppm.
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

/* ---- documents ---------------------------------------------------------- */

/* The example document of DOMAIN.md section 4, verbatim. */
static const char example_doc[] =
	"{\n"
	"  \"number\": \"KS-FURN-2025\", \"title\": \"Classroom and Office Furniture\",\n"
	"  \"category\": \"furniture\", \"lead_agency\": \"USD259\", \"vendor\": \"V-PRAIRIE\",\n"
	"  \"start\": \"2025-07-01\", \"end\": \"2028-06-30\", \"solicitation\": \"RFP 25-0147\",\n"
	"  \"fee\":       { \"year\": \"contract\", \"mode\": \"graduated\",\n"
	"                 \"bands\": [ {\"from\": \"0\", \"rate\": \"2%\"},\n"
	"                            {\"from\": \"30000000\", \"rate\": \"1.5%\"} ] },\n"
	"  \"discounts\": { \"tiers\": [ {\"from\": \"0\", \"rate\": \"60%\"},\n"
	"                            {\"from\": \"30000.01\", \"rate\": \"63%\"} ] },\n"
	"  \"rebates\":   { \"year\": \"contract\", \"mode\": \"volume\",\n"
	"                 \"tiers\": [ {\"from\": \"500000\", \"rate\": \"1%\"},\n"
	"                            {\"from\": \"1000000\", \"rate\": \"2%\"} ] },\n"
	"  \"due_days\": 45,\n"
	"  \"late_fee\":  { \"min\": \"200\", \"rate\": \"25%\" },\n"
	"  \"price_tolerance\": \"0\"\n"
	"}\n";

/* Pieces of a small valid document, so that each case changes one thing. */
#define NUM	    "\"number\":\"KS-1\","
#define TITLE	    "\"title\":\"T\","
#define LEAD	    "\"lead_agency\":\"USD259\","
#define VEND	    "\"vendor\":\"V-P\","
#define HEAD_NO_NUM TITLE LEAD VEND
#define DATES	    "\"start\":\"2025-07-01\",\"end\":\"2028-06-30\","
#define FEE	    "\"fee\":{\"bands\":[{\"from\":\"0\",\"rate\":\"2%\"}]}"
/* A valid document plus extra fields (each extra starts with a comma). */
#define DOC(extra) "{" NUM HEAD_NO_NUM DATES FEE extra "}"
/* A valid document whose fee object is replaced. */
#define DOC_FEE(fee) "{" NUM HEAD_NO_NUM DATES "\"fee\":" fee "}"
/* A valid document with these rebates tiers. */
#define DOC_REB(tiers) DOC(",\"rebates\":{\"tiers\":" tiers "}")

#define S16  "AAAAAAAAAAAAAAAA"
#define S64  S16 S16 S16 S16
#define S256 S64 S64 S64 S64

typedef struct ParseCase {
	const char *doc;
	const char *want; /* substring of the error message; NULL: valid */
} ParseCase;

static const ParseCase parse_cases[] = {
	/* valid documents */
	{DOC(""), NULL},
	{DOC(",\"category\":\"\",\"solicitation\":\"\""), NULL},
	{DOC(",\"status\":\"expired\""), NULL},
	{DOC(",\"status\":\"terminated\""), NULL},
	{DOC(",\"due_days\":0"), NULL},
	{DOC(",\"due_days\":365"), NULL},
	{DOC(",\"price_tolerance\":\"$1,000.00\""), NULL},
	{DOC(",\"late_fee\":{\"min\":\"0\",\"rate\":\"0%\"}"), NULL},
	{DOC_FEE("{\"year\":\"calendar\",\"mode\":\"volume\",\"bands\":["
		 "{\"from\":\"0.00\",\"rate\":\"2%\"},{\"from\":\"$30,000,000\",\"rate\":\"1.5%\"}]"
		 "}"),
	 NULL},
	{DOC_REB("[{\"from\":\"500000\",\"rate\":\"1%\"},{\"from\":\"500000.01\",\"rate\":\"2%\"}"
		 "]"),
	 NULL},
	{"{"
	 "\"number\":\"" S16 S16 S16 "AAAAAAAAAAAAAAA\"," HEAD_NO_NUM DATES FEE "}",
	 NULL},
	{"{" NUM "\"title\":\"" S64 S64 S64 S16 S16 S16 "AAAAAAAAAAAAAAA\"," LEAD VEND DATES FEE
	 "}",
	 NULL},
	{"{"
	 "\"number\":\"a-Z_0.9/x\"," HEAD_NO_NUM DATES FEE "}",
	 NULL},
	{"{" NUM "\"title\":\"Caf\xc3\xa9 \\u00e9 \\\\u0000\"," LEAD VEND DATES FEE "}", NULL},
	{"{" NUM HEAD_NO_NUM "\"start\":\"2025-07-01\",\"end\":\"2025-07-01\"," FEE "}", NULL},
	{" \r\n\t" DOC("") " \n", NULL},

	/* not JSON, not an object */
	{"", "terms: the document is empty"},
	{"not json", "terms: not valid JSON near byte 0"},
	{"{\"number\": }", "terms: not valid JSON near byte 11"},
	{"[1, 2]", "terms: must be a JSON object"},
	{"\"KS-1\"", "terms: must be a JSON object"},
	{DOC("") " x", "terms: unexpected text after the document at byte"},

	/* required fields */
	{"{" HEAD_NO_NUM DATES FEE "}", "number: is required"},
	{"{" NUM LEAD VEND DATES FEE "}", "title: is required"},
	{"{" NUM TITLE VEND DATES FEE "}", "lead_agency: is required"},
	{"{" NUM TITLE LEAD DATES FEE "}", "vendor: is required"},
	{"{" NUM HEAD_NO_NUM "\"end\":\"2028-06-30\"," FEE "}", "start: is required"},
	{"{" NUM HEAD_NO_NUM "\"start\":\"2025-07-01\"," FEE "}", "end: is required"},
	{"{" NUM HEAD_NO_NUM "\"start\":\"2025-07-01\",\"end\":\"2028-06-30\"}",
	 "fee: is required"},

	/* text fields */
	{"{\"number\":42," HEAD_NO_NUM DATES FEE "}",
	 "number: must be a string, not a JSON number"},
	{"{\"number\":\"KS 1\"," HEAD_NO_NUM DATES FEE "}",
	 "number: character ' ' at position 3 is not allowed"},
	{"{\"number\":\"KS;1\"," HEAD_NO_NUM DATES FEE "}", "number: character ';' at position 3"},
	{"{\"number\":\"\"," HEAD_NO_NUM DATES FEE "}", "number: must not be empty"},
	{"{\"number\":\"" S64 "\"," HEAD_NO_NUM DATES FEE "}",
	 "number: is 64 bytes long; at most 63 are allowed"},
	{"{" NUM "\"title\":\"" S256 "\"," LEAD VEND DATES FEE "}",
	 "title: is 256 bytes long; at most 255 are allowed"},
	{"{" NUM "\"title\":\"   \"," LEAD VEND DATES FEE "}", "title: must not be empty"},
	{"{" NUM "\"title\":null," LEAD VEND DATES FEE "}", "title: must be a string"},
	{"{" NUM "\"title\":\"a\\u0007b\"," LEAD VEND DATES FEE "}",
	 "title: control character 0x07 at byte 1"},
	{"{" NUM "\"title\":\"a\tb\"," LEAD VEND DATES FEE "}", "title: control character 0x09"},
	{"{" NUM "\"title\":\"ab\xff\"," LEAD VEND DATES FEE "}",
	 "title: not valid UTF-8 at byte 2"},
	{"{" NUM "\"title\":\"\xc0\xaf\"," LEAD VEND DATES FEE "}",
	 "title: not valid UTF-8 at byte 0"},
	{"{" NUM "\"title\":\"ab\\u0000cd\"," LEAD VEND DATES FEE "}",
	 "terms: \"\\u0000\" at byte 28 is not allowed"},
	{"{" NUM TITLE "\"lead_agency\":\"" S16 S16 "A\"," VEND DATES FEE "}",
	 "lead_agency: is 33 bytes long; at most 32 are allowed"},
	{"{" NUM TITLE "\"lead_agency\":\"\"," VEND DATES FEE "}",
	 "lead_agency: must not be empty"},
	{"{" NUM TITLE LEAD "\"vendor\":[]," DATES FEE "}", "vendor: must be a string"},
	{DOC(",\"category\":\"" S64 "\""), "category: is 64 bytes long; at most 63"},
	{DOC(",\"solicitation\":7"), "solicitation: must be a string, not a JSON number"},

	/* dates */
	{"{" NUM HEAD_NO_NUM "\"start\":\"2025-02-30\",\"end\":\"2028-06-30\"," FEE "}", "start: "},
	{"{" NUM HEAD_NO_NUM "\"start\":\"2025-07-01\",\"end\":\"2028/06/30\"," FEE "}", "end: "},
	{"{" NUM HEAD_NO_NUM "\"start\":20250701,\"end\":\"2028-06-30\"," FEE "}",
	 "start: must be a date string such as \"2025-07-01\", not a JSON number"},
	{"{" NUM HEAD_NO_NUM "\"start\":\"2025-07-01\",\"end\":\"2024-06-30\"," FEE "}",
	 "end: 2024-06-30 is before start 2025-07-01"},

	/* money and rates: strings, valid, not negative */
	{DOC_FEE("{\"bands\":[{\"from\":\"0\",\"rate\":\"2%\"},{\"from\":30000,\"rate\":\"1%\"}]}"),
	 "fee.bands[1].from: must be a money string such as \"30000.00\", not a JSON number"},
	{DOC_FEE("{\"bands\":[{\"from\":0,\"rate\":\"2%\"}]}"),
	 "fee.bands[0].from: must be a money string such as \"30000.00\", not a JSON number"},
	{DOC_FEE("{\"bands\":[{\"from\":\"0\",\"rate\":2}]}"),
	 "fee.bands[0].rate: must be a rate string such as \"1.5%\", not a JSON number"},
	{DOC_FEE("{\"bands\":[{\"from\":\"0\",\"rate\":true}]}"),
	 "fee.bands[0].rate: must be a rate string such as \"1.5%\""},
	{DOC_FEE("{\"bands\":[{\"from\":\"0\",\"rate\":\"2%\"},{\"from\":\"30k\",\"rate\":\"1%\"}]"
		 "}"),
	 "fee.bands[1].from: amount \"30k\""},
	{DOC_FEE("{\"bands\":[{\"from\":\"0\",\"rate\":\"2%\"},{\"from\":\"1.005\",\"rate\":\"1%\"}"
		 "]}"),
	 "fee.bands[1].from: amount \"1.005\" has more than two decimals"},
	{DOC_FEE("{\"bands\":[{\"from\":\"0\",\"rate\":\"2%\"},{\"from\":\"\",\"rate\":\"1%\"}]}"),
	 "fee.bands[1].from: amount is empty"},
	{DOC_FEE("{\"bands\":[{\"from\":\"0\",\"rate\":\"2\"}]}"), "fee.bands[0].rate: rate \"2\""},
	{DOC_FEE("{\"bands\":[{\"from\":\"0\",\"rate\":\"101%\"}]}"),
	 "fee.bands[0].rate: rate \"101%\" is over 100%"},
	{DOC_FEE("{\"bands\":[{\"from\":\"0\",\"rate\":\"0.00001%\"}]}"),
	 "fee.bands[0].rate: rate \"0.00001%\" has more than four decimals"},
	{DOC_FEE("{\"bands\":[{\"from\":\"0\",\"rate\":\"2%\"},{\"from\":\"(100)\",\"rate\":\"1%\"}"
		 "]}"),
	 "fee.bands[1].from: -100.00 is negative; it must be 0 or more"},
	{DOC_REB("[{\"from\":\"-5\",\"rate\":\"1%\"}]"),
	 "rebates.tiers[0].from: -5.00 is negative"},
	{DOC(",\"price_tolerance\":\"-1\""), "price_tolerance: -1.00 is negative"},
	{DOC(",\"price_tolerance\":5"),
	 "price_tolerance: must be a money string such as \"30000.00\", not a JSON number"},
	{DOC(",\"price_tolerance\":\"5.001\""), "price_tolerance: amount \"5.001\""},

	/* modes and years */
	{DOC_FEE("{\"mode\":\"tiered\",\"bands\":[{\"from\":\"0\",\"rate\":\"2%\"}]}"),
	 "fee.mode: unknown mode \"tiered\"; use \"graduated\" or \"volume\""},
	{DOC(",\"rebates\":{\"mode\":\"tiered\",\"tiers\":[{\"from\":\"0\",\"rate\":\"1%\"}]}"),
	 "rebates.mode: unknown mode \"tiered\"; use \"graduated\" or \"volume\""},
	{DOC_FEE("{\"year\":\"fiscal\",\"bands\":[{\"from\":\"0\",\"rate\":\"2%\"}]}"),
	 "fee.year: unknown year \"fiscal\"; use \"contract\" or \"calendar\""},
	{DOC(",\"rebates\":{\"year\":\"Calendar\",\"tiers\":[{\"from\":\"0\",\"rate\":\"1%\"}]}"),
	 "rebates.year: unknown year \"Calendar\""},
	{DOC_FEE("{\"mode\":1,\"bands\":[{\"from\":\"0\",\"rate\":\"2%\"}]}"),
	 "fee.mode: must be a string"},

	/* bands and tiers */
	{DOC_FEE("null"), "fee: must be a JSON object"},
	{DOC_FEE("{}"), "fee.bands: is required"},
	{DOC_FEE("{\"bands\":[]}"), "fee.bands: needs at least one band"},
	{DOC_FEE("{\"bands\":{\"from\":\"0\",\"rate\":\"2%\"}}"), "fee.bands: must be an array"},
	{DOC_FEE("{\"bands\":[\"0\"]}"), "fee.bands[0]: must be a JSON object"},
	{DOC_FEE("{\"bands\":[{\"rate\":\"2%\"}]}"), "fee.bands[0].from: is required"},
	{DOC_FEE("{\"bands\":[{\"from\":\"0\"}]}"), "fee.bands[0].rate: is required"},
	{DOC_FEE("{\"bands\":[{\"from\":\"100\",\"rate\":\"2%\"}]}"),
	 "fee.bands[0].from: the first fee band must start at \"0\", not 100.00"},
	{DOC_FEE("{\"bands\":[{\"from\":\"0\",\"rate\":\"2%\"},{\"from\":\"0.00\",\"rate\":\"1%\"}]"
		 "}"),
	 "fee.bands[1].from: 0.00 is not greater than the band before it (0.00)"},
	{DOC_REB("[{\"from\":\"500000\",\"rate\":\"1%\"},{\"from\":\"500000.00\",\"rate\":\"2%\"}"
		 "]"),
	 "rebates.tiers[1].from: 500000.00 is not greater than the tier before it (500000.00)"},
	{DOC_REB("[{\"from\":\"0\",\"rate\":\"1%\"},{\"from\":\"2\",\"rate\":\"2%\"},"
		 "{\"from\":\"1\",\"rate\":\"3%\"}]"),
	 "rebates.tiers[2].from: 1.00 is not greater than the tier before it (2.00)"},
	{DOC(",\"discounts\":{}"), "discounts.tiers: is required"},
	{DOC(",\"discounts\":{\"tiers\":[]}"), "discounts.tiers: needs at least one tier"},
	{DOC(",\"discounts\":{\"tiers\":[{\"from\":\"10\",\"rate\":\"60%\"},"
	     "{\"from\":\"5\",\"rate\":\"63%\"}]}"),
	 "discounts.tiers[1].from: 5.00 is not greater than the tier before it (10.00)"},
	{DOC_REB("[]"), "rebates.tiers: needs at least one tier"},

	/* due_days */
	{DOC(",\"due_days\":\"45\""), "due_days: must be a JSON number of days such as 45"},
	{DOC(",\"due_days\":366"), "due_days: 366 is not a whole number of days from 0 to 365"},
	{DOC(",\"due_days\":-1"), "due_days: -1 is not a whole number of days from 0 to 365"},
	{DOC(",\"due_days\":4.5"), "due_days: 4.5 is not a whole number of days"},
	{DOC(",\"due_days\":1e300"), "due_days: 1e+300 is not a whole number"},

	/* late_fee */
	{DOC(",\"late_fee\":{\"rate\":\"25%\"}"), "late_fee.min: is required"},
	{DOC(",\"late_fee\":{\"min\":\"200\"}"), "late_fee.rate: is required"},
	{DOC(",\"late_fee\":{}"), "late_fee.min: is required"},
	{DOC(",\"late_fee\":\"200\""), "late_fee: must be a JSON object"},
	{DOC(",\"late_fee\":{\"min\":200,\"rate\":\"25%\"}"),
	 "late_fee.min: must be a money string such as \"30000.00\", not a JSON number"},
	{DOC(",\"late_fee\":{\"min\":\"-200\",\"rate\":\"25%\"}"),
	 "late_fee.min: -200.00 is negative"},
	{DOC(",\"late_fee\":{\"min\":\"200\",\"rate\":\"25\"}"), "late_fee.rate: rate \"25\""},

	/* status */
	{DOC(",\"status\":\"closed\""),
	 "status: unknown status \"closed\"; use \"active\", \"expired\" or \"terminated\""},
	{DOC(",\"status\":\"Active\""), "status: unknown status \"Active\""},

	/* unknown and repeated keys */
	{DOC(",\"fee_mode\":\"volume\""), "terms: unknown field \"fee_mode\" (expected number, "},
	{DOC(",\"Number\":\"KS-2\""), "terms: unknown field \"Number\""},
	{DOC_FEE("{\"tiers\":[{\"from\":\"0\",\"rate\":\"2%\"}]}"),
	 "fee: unknown field \"tiers\" (expected year, mode, bands)"},
	{DOC_REB("[{\"from\":\"0\",\"rate\":\"1%\",\"to\":\"5\"}]"),
	 "rebates.tiers[0]: unknown field \"to\" (expected from, rate)"},
	{DOC(",\"rebates\":{\"bands\":[{\"from\":\"0\",\"rate\":\"1%\"}]}"),
	 "rebates: unknown field \"bands\" (expected year, mode, tiers)"},
	{DOC(",\"discounts\":{\"mode\":\"volume\",\"tiers\":[{\"from\":\"0\",\"rate\":\"1%\"}]}"),
	 "discounts: unknown field \"mode\" (expected tiers)"},
	{DOC(",\"late_fee\":{\"min\":\"200\",\"rate\":\"25%\",\"max\":\"1000\"}"),
	 "late_fee: unknown field \"max\" (expected min, rate)"},
	{DOC(",\"title\":\"Other\""), "terms: field \"title\" appears twice"},
	{DOC_FEE("{\"bands\":[{\"from\":\"0\",\"rate\":\"2%\",\"rate\":\"3%\"}]}"),
	 "fee.bands[0]: field \"rate\" appears twice"},
};

/* Every case of parse_cases: valid ones parse, invalid ones fail with
 * CL_EINPUT, the expected words and a zeroed *t. */
static void test_parse_table(void **state)
{
	static const Terms zero;
	size_t i, bad = 0;
	Terms t;
	Err e;

	(void)state;
	for (i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		const ParseCase *c = &parse_cases[i];
		ClCode rc;

		err_clear(&e);
		rc = terms_parse(c->doc, strlen(c->doc), &t, &e);
		if (!c->want && rc != CL_OK) {
			print_error("case %zu: unexpected error: %s\n  doc: %s\n", i, e.msg,
				    c->doc);
			bad++;
		} else if (c->want &&
			   (rc != CL_EINPUT || e.code != CL_EINPUT || !strstr(e.msg, c->want) ||
			    memcmp(&t, &zero, sizeof t) != 0)) {
			print_error("case %zu: want \"%s\"\n  got %d \"%s\"\n  doc: %s\n", i,
				    c->want, rc, e.msg, c->doc);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* The example of DOMAIN.md 4 gives exactly these values. */
static void test_parse_example(void **state)
{
	Terms t;
	Err e;

	(void)state;
	assert_int_equal(terms_parse(example_doc, strlen(example_doc), &t, &e), CL_OK);
	assert_string_equal(t.number, "KS-FURN-2025");
	assert_string_equal(t.title, "Classroom and Office Furniture");
	assert_string_equal(t.category, "furniture");
	assert_string_equal(t.lead_agency, "USD259");
	assert_string_equal(t.vendor, "V-PRAIRIE");
	assert_string_equal(t.solicitation, "RFP 25-0147");
	assert_int_equal(t.status, CONTRACT_ACTIVE);
	assert_int_equal(t.start, date_from_ymd(2025, 7, 1));
	assert_int_equal(t.end, date_from_ymd(2028, 6, 30));

	assert_int_equal(t.fee.present, 1);
	assert_int_equal(t.fee.year, YEAR_CONTRACT);
	assert_int_equal(t.fee.mode, SCHED_GRADUATED);
	assert_int_equal(t.fee.nband, 2);
	assert_int_equal(t.fee.band[0].from, 0);
	assert_int_equal(t.fee.band[0].rate, 20000);	    /* 2% */
	assert_int_equal(t.fee.band[1].from, 3000000000LL); /* $30,000,000.00 */
	assert_int_equal(t.fee.band[1].rate, 15000);	    /* 1.5% */

	assert_int_equal(t.discounts.present, 1);
	assert_int_equal(t.discounts.mode, SCHED_VOLUME);
	assert_int_equal(t.discounts.nband, 2);
	assert_int_equal(t.discounts.band[0].from, 0);
	assert_int_equal(t.discounts.band[0].rate, 600000);  /* 60% */
	assert_int_equal(t.discounts.band[1].from, 3000001); /* $30,000.01 */
	assert_int_equal(t.discounts.band[1].rate, 630000);  /* 63% */

	assert_int_equal(t.rebates.present, 1);
	assert_int_equal(t.rebates.year, YEAR_CONTRACT);
	assert_int_equal(t.rebates.mode, SCHED_VOLUME);
	assert_int_equal(t.rebates.nband, 2);
	assert_int_equal(t.rebates.band[0].from, 50000000);  /* $500,000.00 */
	assert_int_equal(t.rebates.band[0].rate, 10000);     /* 1% */
	assert_int_equal(t.rebates.band[1].from, 100000000); /* $1,000,000.00 */
	assert_int_equal(t.rebates.band[1].rate, 20000);     /* 2% */

	assert_int_equal(t.due_days, 45);
	assert_int_equal(t.has_late_fee, 1);
	assert_int_equal(t.late_fee_min, 20000);   /* $200.00 */
	assert_int_equal(t.late_fee_rate, 250000); /* 25% */
	assert_int_equal(t.price_tolerance, 0);
}

/* Defaults of a minimal document: due 45 days, no late fee, tolerance 0,
 * active, no discounts or rebates, fee contract-year graduated; rebates
 * default to volume. */
static void test_parse_defaults(void **state)
{
	static const char min_doc[] = DOC("");
	static const char reb_doc[] = DOC_REB("[{\"from\":\"0\",\"rate\":\"1%\"}]");
	Terms t;
	Err e;

	(void)state;
	assert_int_equal(terms_parse(min_doc, strlen(min_doc), &t, &e), CL_OK);
	assert_int_equal(t.due_days, 45);
	assert_int_equal(t.has_late_fee, 0);
	assert_int_equal(t.price_tolerance, 0);
	assert_int_equal(t.status, CONTRACT_ACTIVE);
	assert_string_equal(t.category, "");
	assert_string_equal(t.solicitation, "");
	assert_int_equal(t.fee.present, 1);
	assert_int_equal(t.fee.year, YEAR_CONTRACT);
	assert_int_equal(t.fee.mode, SCHED_GRADUATED);
	assert_int_equal(t.discounts.present, 0);
	assert_int_equal(t.rebates.present, 0);
	assert_int_equal(t.rebates.nband, 0);

	assert_int_equal(terms_parse(reb_doc, strlen(reb_doc), &t, &e), CL_OK);
	assert_int_equal(t.rebates.present, 1);
	assert_int_equal(t.rebates.year, YEAR_CONTRACT);
	assert_int_equal(t.rebates.mode, SCHED_VOLUME);
}

/* Write a document with n fee bands (from 0, 1, 2, ... dollars) into buf. */
static void doc_with_bands(char *buf, size_t size, int n)
{
	size_t used;
	int i;

	used = (size_t)snprintf(buf, size, "{" NUM HEAD_NO_NUM DATES "\"fee\":{\"bands\":[");
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, size - used,
					 "%s{\"from\":\"%d\",\"rate\":\"1%%\"}", i ? "," : "", i);
	snprintf(buf + used, size - used, "]}}");
}

/* TERMS_MAX_BANDS bands are fine; one more is refused. */
static void test_parse_band_limit(void **state)
{
	char buf[8192];
	Terms t;
	Err e;

	(void)state;
	doc_with_bands(buf, sizeof buf, TERMS_MAX_BANDS);
	assert_int_equal(terms_parse(buf, strlen(buf), &t, &e), CL_OK);
	assert_int_equal(t.fee.nband, TERMS_MAX_BANDS);
	assert_int_equal(t.fee.band[TERMS_MAX_BANDS - 1].from, (TERMS_MAX_BANDS - 1) * 100);

	doc_with_bands(buf, sizeof buf, TERMS_MAX_BANDS + 1);
	assert_int_equal(terms_parse(buf, strlen(buf), &t, &e), CL_EINPUT);
	assert_string_equal(e.msg, "fee.bands: has 33 bands; at most 32 are allowed");
}

/* len is honoured: bytes after it are not read; a NUL inside it is
 * refused. */
static void test_parse_length(void **state)
{
	static const char doc[] = DOC("") "garbage";
	static const char nul_doc[] = DOC("") "\0 ";
	Terms t;
	Err e;

	(void)state;
	assert_int_equal(terms_parse(doc, strlen(doc) - 7, &t, &e), CL_OK);
	assert_string_equal(t.number, "KS-1");
	assert_int_equal(terms_parse(doc, 10, &t, &e), CL_EINPUT);
	assert_non_null(strstr(e.msg, "terms: not valid JSON near byte"));
	assert_int_equal(terms_parse(nul_doc, sizeof nul_doc - 1, &t, &e), CL_EINPUT);
	assert_non_null(strstr(e.msg, "terms: NUL byte at byte"));
	assert_int_equal(terms_parse(NULL, 0, &t, &e), CL_EINPUT);
}

/* ---- round trip --------------------------------------------------------- */

/* Compare two schedules field by field. */
static void assert_sched_equal(const Schedule *a, const Schedule *b)
{
	int i;

	assert_int_equal(a->present, b->present);
	assert_int_equal(a->year, b->year);
	assert_int_equal(a->mode, b->mode);
	assert_int_equal(a->nband, b->nband);
	for (i = 0; i < a->nband; i++) {
		assert_int_equal(a->band[i].from, b->band[i].from);
		assert_int_equal(a->band[i].rate, b->band[i].rate);
	}
}

/* Compare two Terms field by field. */
static void assert_terms_equal(const Terms *a, const Terms *b)
{
	assert_string_equal(a->number, b->number);
	assert_string_equal(a->title, b->title);
	assert_string_equal(a->category, b->category);
	assert_string_equal(a->lead_agency, b->lead_agency);
	assert_string_equal(a->vendor, b->vendor);
	assert_string_equal(a->solicitation, b->solicitation);
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->start, b->start);
	assert_int_equal(a->end, b->end);
	assert_sched_equal(&a->fee, &b->fee);
	assert_sched_equal(&a->discounts, &b->discounts);
	assert_sched_equal(&a->rebates, &b->rebates);
	assert_int_equal(a->due_days, b->due_days);
	assert_int_equal(a->has_late_fee, b->has_late_fee);
	assert_int_equal(a->late_fee_min, b->late_fee_min);
	assert_int_equal(a->late_fee_rate, b->late_fee_rate);
	assert_int_equal(a->price_tolerance, b->price_tolerance);
}

/* parse(to_json(parse(doc))) == parse(doc), and to_json is a fixed point. */
static void round_trip(const char *doc)
{
	Terms a, b;
	char *j1, *j2;
	Err e;

	assert_int_equal(terms_parse(doc, strlen(doc), &a, &e), CL_OK);
	j1 = terms_to_json(&a);
	assert_non_null(j1);
	if (terms_parse(j1, strlen(j1), &b, &e) != CL_OK)
		fail_msg("canonical document refused: %s\n%s", e.msg, j1);
	assert_terms_equal(&a, &b);
	assert_int_equal(memcmp(&a, &b, sizeof a), 0); /* both memset before parsing */
	j2 = terms_to_json(&b);
	assert_non_null(j2);
	assert_string_equal(j1, j2);
	free(j1);
	free(j2);
}

/* The canonical text of the example, pinned, and round trips of several
 * shapes (no optional parts; calendar volume fee; odd rates; statuses). */
static void test_round_trip(void **state)
{
	static const char want[] =
		"{\"number\":\"KS-FURN-2025\",\"title\":\"Classroom and Office Furniture\","
		"\"category\":\"furniture\",\"lead_agency\":\"USD259\",\"vendor\":\"V-PRAIRIE\","
		"\"start\":\"2025-07-01\",\"end\":\"2028-06-30\",\"solicitation\":\"RFP 25-0147\","
		"\"status\":\"active\","
		"\"fee\":{\"year\":\"contract\",\"mode\":\"graduated\",\"bands\":["
		"{\"from\":\"0.00\",\"rate\":\"2%\"},{\"from\":\"30000000.00\",\"rate\":\"1.5%\"}]}"
		","
		"\"discounts\":{\"tiers\":[{\"from\":\"0.00\",\"rate\":\"60%\"},"
		"{\"from\":\"30000.01\",\"rate\":\"63%\"}]},"
		"\"rebates\":{\"year\":\"contract\",\"mode\":\"volume\",\"tiers\":["
		"{\"from\":\"500000.00\",\"rate\":\"1%\"},{\"from\":\"1000000.00\",\"rate\":\"2%\"}"
		"]},"
		"\"due_days\":45,\"late_fee\":{\"min\":\"200.00\",\"rate\":\"25%\"},"
		"\"price_tolerance\":\"0.00\"}";
	Terms t;
	char *j;
	Err e;

	(void)state;
	assert_int_equal(terms_parse(example_doc, strlen(example_doc), &t, &e), CL_OK);
	j = terms_to_json(&t);
	assert_non_null(j);
	assert_string_equal(j, want);
	free(j);

	round_trip(example_doc);
	round_trip(DOC(""));
	round_trip(DOC(",\"status\":\"terminated\",\"due_days\":0,\"price_tolerance\":\"0.01\""));
	round_trip(DOC_FEE("{\"year\":\"calendar\",\"mode\":\"volume\",\"bands\":["
			   "{\"from\":\"0\",\"rate\":\"0.0025%\"},"
			   "{\"from\":\"10000000000000\",\"rate\":\"100%\"}]}"));
	round_trip(DOC(",\"rebates\":{\"year\":\"calendar\",\"mode\":\"graduated\",\"tiers\":["
		       "{\"from\":\"0.01\",\"rate\":\"0%\"}]},\"status\":\"expired\","
		       "\"late_fee\":{\"min\":\"0\",\"rate\":\"12.3456%\"}"));
	round_trip("{" NUM
		   "\"title\":\"Caf\xc3\xa9 \\\"quoted\\\" \\\\ slash\"," LEAD VEND DATES FEE "}");
}

/* The names of the enums. */
static void test_names(void **state)
{
	(void)state;
	assert_string_equal(contract_status_name(CONTRACT_ACTIVE), "active");
	assert_string_equal(contract_status_name(CONTRACT_EXPIRED), "expired");
	assert_string_equal(contract_status_name(CONTRACT_TERMINATED), "terminated");
	assert_string_equal(sched_mode_name(SCHED_GRADUATED), "graduated");
	assert_string_equal(sched_mode_name(SCHED_VOLUME), "volume");
	assert_string_equal(year_kind_name(YEAR_CONTRACT), "contract");
	assert_string_equal(year_kind_name(YEAR_CALENDAR), "calendar");
}

/* ---- schedules ---------------------------------------------------------- */

/* Build a schedule from (from cents, rate ppm) pairs. */
static Schedule sched(SchedMode mode, int n, const Band *bands)
{
	Schedule s;

	memset(&s, 0, sizeof s);
	s.present = 1;
	s.mode = mode;
	s.nband = n;
	memcpy(s.band, bands, (size_t)n * sizeof *bands);
	return s;
}

/* Fee, graduated: 2% from $0, 1.5% from $30,000,000.00 (3,000,000,000 c). */
static const Band fee_bands[] = {{0, 20000}, {3000000000LL, 15000}};
/* NCPA: 2% to $30M, 1.5% to $50M, 1% above. */
static const Band ncpa_bands[] = {{0, 20000}, {3000000000LL, 15000}, {5000000000LL, 10000}};
/* Rebates: 1% from $500,000.00 (50,000,000 c), 2% from $1,000,000.00. */
static const Band reb_bands[] = {{50000000, 10000}, {100000000, 20000}};
/* NASPO: 0.25% of everything. */
static const Band naspo_bands[] = {{0, 2500}};
/* Everything at 100% from 0 (for the extremes). */
static const Band full_bands[] = {{0, 1000000}};

typedef struct SchedCase {
	const Band *bands;
	int nband;
	SchedMode mode;
	Money base;    /* cents */
	__int128 want; /* S(base), cent·ppm */
	Money amount;  /* round(S / 10^6), cents */
} SchedCase;

#define B(a) a, (int)(sizeof(a) / sizeof((a)[0]))
#define G    SCHED_GRADUATED
#define V    SCHED_VOLUME

static const SchedCase sched_cases[] = {
	/* graduated fee at $30,000,100.00 = 3,000,010,000 c:
	 * 3,000,000,000 c x 20000 = 60,000,000,000,000
	 *        10,000 c x 15000 =            150,000,000
	 * S = 60,000,150,000,000; /10^6 = 60,000,150 c = $600,001.50 */
	{B(fee_bands), G, 3000010000LL, (__int128)60000150000000LL, 60000150},
	/* exactly $30,000,000.00: all of it in band 0: 3e9 x 20000 = 6e13
	 * -> 60,000,000 c = $600,000.00 (band 1 holds nothing yet) */
	{B(fee_bands), G, 3000000000LL, (__int128)60000000000000LL, 60000000},
	/* base 0 -> 0 */
	{B(fee_bands), G, 0, 0, 0},
	/* 25 c x 20000 = 500,000 -> 0.5 c -> rounds away from zero to 1 c */
	{B(fee_bands), G, 25, 500000, 1},
	/* 24 c x 20000 = 480,000 -> 0.48 c -> 0 */
	{B(fee_bands), G, 24, 480000, 0},
	/* negative base (credits) takes the first band's rate:
	 * -25 c x 20000 = -500,000 -> -0.5 c -> away from zero: -1 c */
	{B(fee_bands), G, -25, -500000, -1},
	/* -$100,000.00 = -10,000,000 c x 20000 = -200,000,000,000
	 * -> -200,000 c = -$2,000.00 */
	{B(fee_bands), G, -10000000, -(__int128)200000000000LL, -200000},
	/* the same fee bands as volume at $30,000,100.00: whole base at 1.5%
	 * 3,000,010,000 x 15000 = 45,000,150,000,000 -> 45,000,150 c */
	{B(fee_bands), V, 3000010000LL, (__int128)45000150000000LL, 45000150},
	/* NCPA graduated at $60,000,000.00 = 6e9 c:
	 * 3e9 x 20000 = 6e13; 2e9 x 15000 = 3e13; 1e9 x 10000 = 1e13
	 * S = 1e14 -> 1e8 c = $1,000,000.00 (600k + 300k + 100k) */
	{B(ncpa_bands), G, 6000000000LL, (__int128)100000000000000LL, 100000000},
	/* NCPA at $40,000,000.01 = 4,000,000,001 c:
	 * 3e9 x 20000 = 6e13; 1,000,000,001 x 15000 = 15,000,000,015,000
	 * S = 75,000,000,015,000 -> 75,000,000.015 c -> 75,000,000 c */
	{B(ncpa_bands), G, 4000000001LL, (__int128)75000000015000LL, 75000000},
	/* rebates, volume, at $499,999.99 = 49,999,999 c: below the first
	 * tier -> 0 */
	{B(reb_bands), V, 49999999, 0, 0},
	/* at $500,000.00 = 50,000,000 c: whole base at 1%:
	 * 50,000,000 x 10000 = 500,000,000,000 -> 500,000 c = $5,000.00 */
	{B(reb_bands), V, 50000000, (__int128)500000000000LL, 500000},
	/* at $999,999.99 = 99,999,999 c: 99,999,999 x 10000 = 999,999,990,000
	 * -> 999,999.99 c -> rounds to 1,000,000 c = $10,000.00 */
	{B(reb_bands), V, 99999999, (__int128)999999990000LL, 1000000},
	/* at $1,000,000.00 = 100,000,000 c: whole base at 2%:
	 * 100,000,000 x 20000 = 2,000,000,000,000 -> 2,000,000 c = $20,000.00 */
	{B(reb_bands), V, 100000000, (__int128)2000000000000LL, 2000000},
	/* negative base, volume: first tier's rate even though it starts at
	 * $500,000: -100,000 c x 10000 = -1,000,000,000 -> -1,000 c */
	{B(reb_bands), V, -100000, -(__int128)1000000000LL, -1000},
	/* the rebate tiers graduated at $1,200,000.00 = 120,000,000 c:
	 * below $500k earns nothing; [500k,1M): 50,000,000 x 10000 = 5e11;
	 * [1M, 1.2M): 20,000,000 x 20000 = 4e11; S = 9e11 -> 900,000 c */
	{B(reb_bands), G, 120000000, (__int128)900000000000LL, 900000},
	/* graduated below the first from -> 0 */
	{B(reb_bands), G, 49999999, 0, 0},
	/* NASPO 0.25%: $333.33 = 33,333 c x 2500 = 83,332,500 -> 83.3325 c -> 83 */
	{B(naspo_bands), G, 33333, 83332500, 83},
	/* $2.00 = 200 c x 2500 = 500,000 -> 0.5 c -> 1 c;  -200 c -> -1 c */
	{B(naspo_bands), G, 200, 500000, 1},
	{B(naspo_bands), V, -200, -500000, -1},
	/* $2.02 = 202 c x 2500 = 505,000 -> 0.505 c -> 1 c */
	{B(naspo_bands), G, 202, 505000, 1},
	/* 100% of the largest money, 10^15 c: S = 10^21 (beyond 64 bits)
	 * -> 10^15 c */
	{B(full_bands), V, 1000000000000000LL, (__int128)1000000000000000LL * 1000000,
	 1000000000000000LL},
	{B(full_bands), G, -1000000000000000LL, -(__int128)1000000000000000LL * 1000000,
	 -1000000000000000LL},
};

/* Every case of sched_cases, value and amount. */
static void test_schedule_table(void **state)
{
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof sched_cases / sizeof sched_cases[0]; i++) {
		const SchedCase *c = &sched_cases[i];
		Schedule s = sched(c->mode, c->nband, c->bands);
		__int128 v = schedule_value(&s, c->base);
		Money a = schedule_amount(&s, c->base);

		if (v != c->want || a != c->amount) {
			print_error("case %zu: base %lld: S %lld (want %lld), amount %lld (want "
				    "%lld)\n",
				    i, (long long)c->base, (long long)v, (long long)c->want,
				    (long long)a, (long long)c->amount);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* An absent schedule is worth nothing and has no next band. */
static void test_schedule_empty(void **state)
{
	Schedule s;

	(void)state;
	memset(&s, 0, sizeof s);
	assert_true(schedule_value(&s, 1000) == 0);
	assert_true(schedule_value(&s, -1000) == 0);
	assert_int_equal(schedule_amount(&s, 1000), 0);
	assert_int_equal(schedule_rate_at(&s, 1000), 0);
	assert_int_equal(schedule_next_band(&s, 1000), -1);
}

/* Rate lookup and next band on the example's discounts (60% from 0, 63%
 * from $30,000.01) and rebates (1% from $500,000, 2% from $1,000,000). */
static void test_schedule_lookup(void **state)
{
	static const Band disc[] = {{0, 600000}, {3000001, 630000}};
	Schedule d = sched(V, 2, disc), r = sched(V, 2, reb_bands);

	(void)state;
	assert_int_equal(schedule_rate_at(&d, 0), 600000);
	assert_int_equal(schedule_rate_at(&d, 3000000), 600000); /* $30,000.00 */
	assert_int_equal(schedule_rate_at(&d, 3000001), 630000); /* $30,000.01 */
	assert_int_equal(schedule_rate_at(&d, -5), 0);		 /* below the first */
	assert_int_equal(schedule_next_band(&d, 3000000), 1);
	assert_int_equal(schedule_next_band(&d, 3000001), -1);

	assert_int_equal(schedule_rate_at(&r, 49999999), 0);
	assert_int_equal(schedule_rate_at(&r, 50000000), 10000);
	assert_int_equal(schedule_rate_at(&r, 99999999), 10000);
	assert_int_equal(schedule_rate_at(&r, 100000000), 20000);
	assert_int_equal(schedule_next_band(&r, 0), 0);
	assert_int_equal(schedule_next_band(&r, 49999999), 0);
	assert_int_equal(schedule_next_band(&r, 50000000), 1);
	assert_int_equal(schedule_next_band(&r, 99999999), 1);
	assert_int_equal(schedule_next_band(&r, 100000000), -1);
}

/* Graduated amounts of a year add up: F(a+b) - F(a) is what the quarter
 * that brings b owes, and the whole is F of the total.  Checked against
 * the example's parsed fee schedule. */
static void test_schedule_parsed(void **state)
{
	Terms t;
	Err e;

	(void)state;
	assert_int_equal(terms_parse(example_doc, strlen(example_doc), &t, &e), CL_OK);
	/* $29,000,000.00 then +$2,000,000.00: F(29M) = 580,000.00;
	 * F(31M) = 600,000.00 + 1,000,000.00 x 1.5% = 615,000.00;
	 * the second quarter owes 35,000.00 = 1M x 2% + 1M x 1.5% */
	assert_int_equal(schedule_amount(&t.fee, 2900000000LL), 58000000);
	assert_int_equal(schedule_amount(&t.fee, 3100000000LL), 61500000);
	/* rebates at $750,000.00 = 75,000,000 c, volume 1%: 750,000 c */
	assert_int_equal(schedule_amount(&t.rebates, 75000000), 750000);
	assert_int_equal(schedule_next_band(&t.rebates, 75000000), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),	cmocka_unit_test(test_parse_example),
		cmocka_unit_test(test_parse_defaults),	cmocka_unit_test(test_parse_band_limit),
		cmocka_unit_test(test_parse_length),	cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_names),		cmocka_unit_test(test_schedule_table),
		cmocka_unit_test(test_schedule_empty),	cmocka_unit_test(test_schedule_lookup),
		cmocka_unit_test(test_schedule_parsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
