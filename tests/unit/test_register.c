/*
 * test_register.c — unit tests of core/register.c (members' purchase
 * registers, DOMAIN.md 4.7) and of the import pieces it shares with the
 * sales-report import (core/importkit.c).
 *
 * The standard world (fixture.h): KS-1 runs 2025-07-01 .. 2026-06-30;
 * USD233 and NP-1 take part in it, USD500 takes part in nothing.
 */
#include "fixture.h"
#include "importkit.h"
#include "register.h"

/* ---- header matching: the canonical names and the aliases ---- */

static const struct {
	const char *header, *column; /* NULL: not a register column */
} header_cases[] = {
	{"po_number", "po_number"},
	{"PO Number", "po_number"},
	{"  po-number ", "po_number"},
	{"PO #", "po_number"},
	{"po  #", "po_number"},
	{"Purchase Order Number", "po_number"},
	{"Purchase Order", "po_number"},
	{"PO No.", "po_number"},
	{"PO Date", "po_date"},
	{"Order Date", "po_date"},
	{"po_date", "po_date"},
	{"Total", "amount"},
	{"Amount", "amount"},
	{"PO Total", "amount"},
	{"Order Amount", "amount"},
	{"Agency", "agency_code"},
	{"Agency Code", "agency_code"},
	{"Member", "agency_code"},
	{"Description", "description"},
	{"Memo", "description"},
	{"Invoice Date", NULL},
	{"Vendor Name", NULL},
	{"Tax", NULL},
	{"", NULL},
};

static void test_header_aliases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(header_cases); i++) {
		const char *got = register_header_column(header_cases[i].header);
		const char *want = header_cases[i].column;

		if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0)) {
			print_error("header \"%s\": got %s, want %s\n", header_cases[i].header,
				    got ? got : "(none)", want ? want : "(none)");
			fail();
		}
	}
}

/* A saved mapping comes before the canonical names and the aliases. */
static void test_header_read_with_maps(void **state)
{
	static const char *const names[] = {"a", "b", "c"};
	static const ImportAlias alias[] = {{"Bee", 1}};
	ImportMap map[1] = {{"total", 2}};
	ImportColumns c = {names, 3, 2, map, 1, alias, 1, "needs a and b"};
	char h0[] = "A", h1[] = "Bee", h2[] = "Total", h3[] = "Other", *val[4] = {h0, h1, h2, h3};
	ImportResult r = {0};
	int col[3];
	Err e = {0};

	(void)state;
	fx_expect("read", importkit_header_read(&c, -1, 4, val, col, &r, &e), &e, CL_OK, NULL);
	assert_int_equal(col[0], 0);
	assert_int_equal(col[1], 1);
	assert_int_equal(col[2], 2);
	assert_int_equal(r.nignored, 1);
	assert_string_equal(r.ignored[0], "Other");
	import_result_free(&r);
	/* b missing: refused, unless b is the optional one this time */
	fx_expect("missing", importkit_header_read(&c, -1, 1, val, col, &r, &e), &e, CL_EINPUT,
		  "the header has no b column (it has: \"A\"); needs a and b");
	import_result_free(&r);
	fx_expect("optional", importkit_header_read(&c, 1, 1, val, col, &r, &e), &e, CL_OK, NULL);
	assert_int_equal(col[1], -1);
	import_result_free(&r);
	/* "B" and "Bee" both name b */
	{
		char b[] = "B", *twice[2] = {b, h1};

		fx_expect("twice", importkit_header_read(&c, -1, 2, twice, col, &r, &e), &e,
			  CL_EINPUT, "the header names b twice (columns 1 and 2)");
		import_result_free(&r);
	}
}

/* ---- the text helpers and the error list ---- */

static void test_text_helpers(void **state)
{
	char a[] = "  P-1 \t", b[] = "", c[] = " \n";

	(void)state;
	assert_string_equal(importkit_trim(a), "P-1");
	assert_string_equal(importkit_trim(b), "");
	assert_string_equal(importkit_trim(c), "");
	assert_int_equal(importkit_utf8_length("Caf\xc3\xa9"), 4);
	assert_int_equal(importkit_utf8_bad_at((const unsigned char *)"ok", 2), 2);
	assert_int_equal(importkit_utf8_bad_at((const unsigned char *)"Caf\xe9!", 5), 3);
	/* an overlong '/' and a surrogate are not UTF-8 */
	assert_int_equal(importkit_utf8_bad_at((const unsigned char *)"x\xc0\xaf", 3), 1);
	assert_int_equal(importkit_utf8_bad_at((const unsigned char *)"\xed\xa0\x80", 3), 0);
}

static void test_error_list_capped(void **state)
{
	ImportResult r = {0};
	ImportErrs t = {0};
	size_t row;

	(void)state;
	for (row = 1; row <= IMPORT_MAX_ERRORS + 5; row++)
		importkit_row_problem(&r, &t, row, "amount", "bad");
	assert_int_equal(r.nerrors, IMPORT_MAX_ERRORS);
	importkit_note_unlisted(&r, &t);
	assert_int_equal(r.nerrors, IMPORT_MAX_ERRORS + 1);
	assert_int_equal(r.errors[IMPORT_MAX_ERRORS].row, IMPORT_MAX_ERRORS + 1);
	assert_non_null(strstr(r.errors[IMPORT_MAX_ERRORS].message, "5 more errors"));
	assert_int_equal(t.nomem, 0);
	import_result_free(&r);
}

/* ---- importing ---- */

/* Import csv with o; returns the code, *res and *st filled. */
static ClCode import_text(Fixture *fx, const char *csv, const RegisterOptions *o,
			  RegisterResult *res, ImportStatus *st, Err *e)
{
	FILE *f = fmemopen((void *)(uintptr_t)csv, strlen(csv), "r");
	ClCode rc;

	assert_non_null(f);
	rc = register_import(fx->db, f, o, res, st, e);
	fclose(f);
	return rc;
}

/* A member bound to USD233: its rows need no agency_code; a row naming
 * another agency is a row error; it cannot name another with --agency. */
static void test_member_bound(void **state)
{
	Fixture *fx = *state;
	RegisterOptions o = {.contract = "KS-1", .member_agency = "USD233", .actor = FX_ACTOR};
	RegisterResult res;
	ImportStatus st;
	Err e = {0};

	fx_expect("own rows",
		  import_text(fx, "PO #,PO Date,Total\nM-1,2025-11-02,120.00\n", &o, &res, &st, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(st, IMPORT_WRITTEN);
	assert_int_equal(res.base.accepted, 1);
	assert_int_equal(res.amount, 12000);
	register_result_free(&res);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM register_line l JOIN agency a ON "
					"a.id = l.agency_id WHERE a.code = 'USD233'"),
			 1);

	fx_expect("another agency's row",
		  import_text(fx,
			      "agency_code,po_number,po_date,amount\n"
			      "USD233,M-2,2025-11-03,1.00\nNP-1,M-3,2025-11-04,2.00\n",
			      &o, &res, &st, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(st, IMPORT_REFUSED);
	assert_int_equal(res.base.nerrors, 1);
	assert_int_equal(res.base.errors[0].row, 2);
	assert_string_equal(res.base.errors[0].column, "agency_code");
	assert_non_null(strstr(res.base.errors[0].message, "NP-1 is not your agency (USD233)"));
	register_result_free(&res);

	o.agency = "NP-1";
	fx_expect("--agency of another",
		  import_text(fx, "po_number,po_date,amount\nM-4,2025-11-05,1.00\n", &o, &res, &st,
			      &e),
		  &e, CL_EINPUT, "only your own agency's register (USD233)");
	register_result_free(&res);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM register_batch"), 1);
}

/* The term in force: 2025-07-01 .. 2026-06-30, both days in. */
static void test_term_edges(void **state)
{
	Fixture *fx = *state;
	RegisterOptions o = {.contract = "KS-1", .agency = "USD233", .actor = FX_ACTOR};
	RegisterResult res;
	ImportStatus st;
	Err e = {0};

	fx_expect("edges",
		  import_text(fx,
			      "po_number,po_date,amount\nT-1,2025-07-01,1.00\nT-2,2026-06-30,1.00\n"
			      "T-3,2025-06-30,1.00\nT-4,2026-07-01,1.00\n",
			      &o, &res, &st, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(st, IMPORT_REFUSED);
	assert_int_equal(res.base.rejected, 2);
	assert_int_equal(res.base.errors[0].row, 3);
	assert_int_equal(res.base.errors[1].row, 4);
	assert_string_equal(res.base.errors[1].column, "po_date");
	assert_non_null(strstr(res.base.errors[1].message, "(2025-07-01 to 2026-06-30)"));
	assert_string_equal(res.base.errors[1].po, "T-4");
	register_result_free(&res);
}

/* Reversal is audited, keeps the lines, and the chain still verifies. */
static void test_reverse_and_verify(void **state)
{
	Fixture *fx = *state;
	RegisterOptions o = {.contract = "KS-1", .agency = "NP-1", .actor = FX_ACTOR};
	RegisterResult res;
	ImportStatus st;
	int64_t n = 0;
	Err e = {0};

	fx_expect("import",
		  import_text(fx, "po_number,po_date,amount\nR-1,2025-08-01,5.00\n", &o, &res, &st,
			      &e),
		  &e, CL_OK, NULL);
	assert_int_equal(st, IMPORT_WRITTEN);
	register_result_free(&res);
	fx_expect("no reason", register_reverse(fx->db, 1, "", FX_ACTOR, &e), &e, CL_EINPUT,
		  "reason");
	fx_expect("unknown", register_reverse(fx->db, 9, "x", FX_ACTOR, &e), &e, CL_ENOTFOUND,
		  "no register batch 9");
	fx_expect("reverse", register_reverse(fx->db, 1, "wrong file", FX_ACTOR, &e), &e, CL_OK,
		  NULL);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log WHERE action IN "
					"('register.import', 'register.reverse')"),
			 2);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM live_register_line"), 0);
	fx_expect("again", register_reverse(fx->db, 1, "x", FX_ACTOR, &e), &e, CL_ECONFLICT,
		  "already reversed");
	fx_expect("re-import",
		  import_text(fx, "po_number,po_date,amount\nR-1,2025-08-01,5.00\n", &o, &res, &st,
			      &e),
		  &e, CL_OK, NULL);
	assert_int_equal(st, IMPORT_WRITTEN);
	assert_int_equal(res.base.already, 0);
	register_result_free(&res);
	fx_expect("verify", register_verify(fx->db, &n, &e), &e, CL_OK, NULL);
	assert_int_equal(n, 2);
	fx_sql(fx->db, "DROP TRIGGER register_line_no_update");
	fx_sql(fx->db, "UPDATE register_line SET amount = 600 WHERE id = 1");
	fx_expect("tampered", register_verify(fx->db, &n, &e), &e, CL_ERULE, "register_line");
}

static void test_map_save(void **state)
{
	Fixture *fx = *state;
	const char *h[2] = {"Req #", "Approved On"}, *c[2] = {"po_number", "po_date"};
	const char *bad[2] = {"po_number", "po_number"}, *unknown[1] = {"invoice_date"};
	int where = 0;
	Err e = {0};

	fx_expect("unknown column",
		  register_map_save(fx->db, "USD233", 1, h, unknown, FX_ACTOR, &where, &e), &e,
		  CL_EINPUT, "unknown column \"invoice_date\"");
	assert_int_equal(where, 0);
	fx_expect("same column twice",
		  register_map_save(fx->db, "USD233", 2, h, bad, FX_ACTOR, &where, &e), &e,
		  CL_EINPUT, "keep one");
	assert_int_equal(where, 1);
	fx_expect("saved", register_map_save(fx->db, "USD233", 2, h, c, FX_ACTOR, &where, &e), &e,
		  CL_OK, NULL);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM register_column_map"), 2);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log WHERE action = "
					"'agency.register_map'"),
			 1);
}

#define WORLD_TEST(f) cmocka_unit_test_setup_teardown(f, fx_world_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_aliases), cmocka_unit_test(test_header_read_with_maps),
		cmocka_unit_test(test_text_helpers),   cmocka_unit_test(test_error_list_capped),
		WORLD_TEST(test_member_bound),	       WORLD_TEST(test_term_edges),
		WORLD_TEST(test_reverse_and_verify),   WORLD_TEST(test_map_save),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
