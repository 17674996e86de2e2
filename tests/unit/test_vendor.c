/*
 * test_vendor.c — unit tests of core/vendor.c (the list, names, contacts)
 * and of the column mapping made from a sample (import_map_save() and
 * import_sample() of core/import.c).
 *
 * The standard world (fixture.h): vendor V-PRAIRIE with contract KS-1.
 */
#include "fixture.h"
#include "import.h"
#include "rowset.h"
#include "vendor.h"

/* Audit rows of action so far. */
static int64_t audits(sqlite3 *db, const char *action)
{
	return db_int(db, -1, "SELECT count(*) FROM audit_log WHERE action = ?", "t", action);
}

static void test_vendor_list_and_rename(void **state)
{
	Fixture *fx = *state;
	RowSet rs;
	Err e = {0};

	fx_expect("second vendor",
		  vendor_add(fx->db, "V-ACME", "Acme", "sales@acme.example", FX_ACTOR, NULL, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(vendor_list(fx->db, &rs, &e), CL_OK);
	assert_int_equal(rs.nrow, 2);
	assert_string_equal(rowset_text(&rs, 0, "code"), "V-ACME");
	assert_string_equal(rowset_text(&rs, 0, "email"), "sales@acme.example");
	assert_int_equal(rowset_int(&rs, 1, "contracts"), 2);
	rowset_free(&rs);

	fx_expect("rename", vendor_rename(fx->db, "V-ACME", "Acme Office", FX_ACTOR, &e), &e, CL_OK,
		  NULL);
	assert_int_equal(vendor_get(fx->db, "V-ACME", &rs, &e), CL_OK);
	assert_string_equal(rowset_text(&rs, 0, "name"), "Acme Office");
	rowset_free(&rs);
	assert_int_equal(audits(fx->db, "vendor.rename"), 1);
	fx_expect("empty name", vendor_rename(fx->db, "V-ACME", "", FX_ACTOR, &e), &e, CL_EINPUT,
		  "name is required");
	fx_expect("line break", vendor_rename(fx->db, "V-ACME", "A\nB", FX_ACTOR, &e), &e,
		  CL_EINPUT, "name");
	fx_expect("no vendor", vendor_rename(fx->db, "V-NONE", "X", FX_ACTOR, &e), &e, CL_ENOTFOUND,
		  "V-NONE");
	fx_expect("get none", vendor_get(fx->db, "V-NONE", &rs, &e), &e, CL_ENOTFOUND, "V-NONE");
	rowset_free(&rs);
	assert_int_equal(audits(fx->db, "vendor.rename"), 1);
}

/* Contacts refused: the field is named, nothing is written. */
static void test_contact_refusals(void **state)
{
	static const struct {
		VendorContactIn c;
		VendorField field;
		ClCode rc;
		const char *words;
	} cases[] = {
		{{"", "a@b.example", "", 1}, VENDOR_FIELD_NAME, CL_EINPUT, "name is required"},
		{{"Pat", "", "", 1}, VENDOR_FIELD_EMAIL, CL_EINPUT, "e-mail"},
		{{"Pat", "pat@@b.example", "", 1}, VENDOR_FIELD_EMAIL, CL_EINPUT, "e-mail"},
		{{"Pat", "pat@localhost", "", 1}, VENDOR_FIELD_EMAIL, CL_EINPUT, "e-mail"},
		{{"Pat", "pat@b.example", "a\tb", 1}, VENDOR_FIELD_ROLE, CL_EINPUT, "role"},
	};
	Fixture *fx = *state;
	size_t i;

	for (i = 0; i < N_ELEMS(cases); i++) {
		VendorField f = VENDOR_FIELD_NONE;
		Err e = {0};

		fx_expect(cases[i].words,
			  vendor_contact_add(fx->db, "V-PRAIRIE", &cases[i].c, FX_ACTOR, NULL, &f,
					     &e),
			  &e, cases[i].rc, cases[i].words);
		assert_int_equal(f, cases[i].field);
	}
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM vendor_contact"), 0);
	assert_int_equal(audits(fx->db, "vendor.contact_add"), 0);
}

static void test_contact_add_edit_remove(void **state)
{
	Fixture *fx = *state;
	VendorContactIn pat = {"Pat Accounts", "pat@prairie.example", "", 1};
	VendorContactIn lee = {"Lee", "lee@prairie.example", "billing", 0};
	VendorField f = VENDOR_FIELD_NONE;
	int64_t id = 0, id2 = 0;
	RowSet rs;
	Err e = {0};

	fx_expect("add", vendor_contact_add(fx->db, "V-PRAIRIE", &pat, FX_ACTOR, &id, &f, &e), &e,
		  CL_OK, NULL);
	fx_expect("add 2", vendor_contact_add(fx->db, "V-PRAIRIE", &lee, FX_ACTOR, &id2, &f, &e),
		  &e, CL_OK, NULL);
	fx_expect("same e-mail",
		  vendor_contact_add(fx->db, "V-PRAIRIE", &pat, FX_ACTOR, NULL, &f, &e), &e,
		  CL_ECONFLICT, "already has a contact");
	assert_int_equal(f, VENDOR_FIELD_EMAIL);
	assert_int_equal(vendor_contacts(fx->db, "V-PRAIRIE", &rs, &e), CL_OK);
	assert_int_equal(rs.nrow, 2);
	assert_string_equal(rowset_text(&rs, 0, "role"), "sales reporting");
	assert_int_equal(rowset_int(&rs, 1, "receives_notices"), 0);
	rowset_free(&rs);

	/* an edit to another contact's e-mail is refused; to its own is fine */
	lee.email = "PAT@prairie.example";
	fx_expect("edit to taken",
		  vendor_contact_edit(fx->db, "V-PRAIRIE", id2, &lee, FX_ACTOR, &f, &e), &e,
		  CL_ECONFLICT, "already has a contact");
	pat.role = "reports";
	pat.receives_notices = 0;
	fx_expect("edit", vendor_contact_edit(fx->db, "V-PRAIRIE", id, &pat, FX_ACTOR, &f, &e), &e,
		  CL_OK, NULL);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM vendor_contact WHERE role = "
					"'reports' AND receives_notices = 0"),
			 1);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log WHERE action = "
					"'vendor.contact_edit' AND before LIKE '%sales reporting%' "
					"AND after LIKE '%reports%'"),
			 1);
	fx_expect("edit of another vendor's",
		  vendor_contact_edit(fx->db, "V-OTHER", id, &pat, FX_ACTOR, &f, &e), &e,
		  CL_ENOTFOUND, "V-OTHER");
	fx_expect("remove", vendor_contact_remove(fx->db, "V-PRAIRIE", id, FX_ACTOR, &e), &e, CL_OK,
		  NULL);
	fx_expect("remove again", vendor_contact_remove(fx->db, "V-PRAIRIE", id, FX_ACTOR, &e), &e,
		  CL_ENOTFOUND, "no contact");
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM vendor_contact"), 1);
	assert_int_equal(audits(fx->db, "vendor.contact_remove"), 1);
}

/* The saved mapping of header key, or "" when none. */
static const char *mapped(sqlite3 *db, const char *key)
{
	static char col[32];

	db_text(db, col, sizeof col, "SELECT column FROM vendor_column_map WHERE header = ?", "t",
		key);
	return col;
}

/* Refusals of a whole header row: the pair is named, nothing is saved. */
static void test_map_save_refusals(void **state)
{
	static const char *const headers[] = {"Cust No", "PO",	     "Inv #",
					      "Inv Dt",	 "Ext List", "Net Amt"};
	static const struct {
		const char *columns[6];
		int bad;
		const char *words;
	} cases[] = {
		{{"agency_code", "po_number", "invoice_number", "invoice_date", "list_amount",
		  "list_amount"},
		 5,
		 "list_amount is chosen for both \"Ext List\" and \"Net Amt\""},
		{{"agency_code", "po_number", "invoice_number", "invoice_date", "list_amount",
		  "net"},
		 5,
		 "unknown column \"net\""},
		{{"agency_code", "po_number", "invoice_number", "invoice_date", "list_amount",
		  "ignore"},
		 -1,
		 "no header is read as invoiced_amount"},
	};
	Fixture *fx = *state;
	size_t i;

	for (i = 0; i < N_ELEMS(cases); i++) {
		int bad = 99;
		Err e = {0};

		fx_expect(cases[i].words,
			  import_map_save(fx->db, "V-PRAIRIE", 6, headers, cases[i].columns, 1,
					  FX_ACTOR, &bad, &e),
			  &e, CL_EINPUT, cases[i].words);
		assert_int_equal(bad, cases[i].bad);
	}
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM vendor_column_map"), 0);
	assert_int_equal(audits(fx->db, "vendor.map"), 0);
}

static void test_map_save_ignore_and_own_names(void **state)
{
	const char *headers[] = {"Cust No", "Invoice Date", "Sales Rep"};
	const char *columns[] = {"agency_code", "ignore", "ignore"};
	Fixture *fx = *state;
	int bad = 99;
	Err e = {0};

	/* a column's own name cannot be ignored: it is always read */
	fx_expect("ignore own name",
		  import_map_save(fx->db, "V-PRAIRIE", 3, headers, columns, 0, FX_ACTOR, &bad, &e),
		  &e, CL_EINPUT, "cannot be ignored");
	assert_int_equal(bad, 1);
	columns[1] = "invoice_date";
	fx_expect("partial",
		  import_map_save(fx->db, "V-PRAIRIE", 3, headers, columns, 0, FX_ACTOR, &bad, &e),
		  &e, CL_OK, NULL);
	assert_int_equal(bad, -1);
	assert_string_equal(mapped(fx->db, "cust_no"), "agency_code");
	/* own names and ignored headers need no mapping row */
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM vendor_column_map"), 1);
	/* ignoring a header later removes its mapping */
	columns[0] = "ignore";
	fx_expect("unmap",
		  import_map_save(fx->db, "V-PRAIRIE", 1, headers, columns, 0, FX_ACTOR, &bad, &e),
		  &e, CL_OK, NULL);
	assert_string_equal(mapped(fx->db, "cust_no"), "");
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log WHERE action = "
					"'vendor.map' AND before LIKE '%cust_no%' AND "
					"after = '{}'"),
			 1);
}

static void test_sample_read(void **state)
{
	static const char csv[] = "Cust No,PO Number,Inv #,Inv Dt,Ext List,Net Amt,Notes\n"
				  "USD259,PO-1,INV-1,10/05/2025,100.00,40.00,\n"
				  "USD259,PO-2,INV-2,10/06/2025,50.00,20.00,rush\n";
	const char *headers[] = {"Inv #"};
	const char *columns[] = {"invoice_number"};
	Fixture *fx = *state;
	ImportSample s;
	FILE *f;
	Err e = {0};

	fx_expect("map",
		  import_map_save(fx->db, "V-PRAIRIE", 1, headers, columns, 0, FX_ACTOR, NULL, &e),
		  &e, CL_OK, NULL);
	f = fmemopen((void *)csv, sizeof csv - 1, "r");
	assert_non_null(f);
	fx_expect("sample", import_sample(fx->db, "V-PRAIRIE", f, NULL, &s, &e), &e, CL_OK, NULL);
	fclose(f);
	assert_int_equal(s.ncols, 7);
	assert_int_equal(s.rows, 2);
	assert_null(s.cols[0].column);
	assert_string_equal(s.cols[1].column, "po_number");
	assert_string_equal(s.cols[2].column, "invoice_number");
	assert_int_equal(s.cols[5].nvalues, 2);
	assert_string_equal(s.cols[5].values[1], "20.00");
	/* empty values are skipped */
	assert_int_equal(s.cols[6].nvalues, 1);
	assert_string_equal(s.cols[6].values[0], "rush");
	import_sample_free(&s);
	assert_int_equal(s.ncols, 0);

	f = fmemopen((void *)"\n\n", 2, "r");
	fx_expect("empty", import_sample(fx->db, "V-PRAIRIE", f, NULL, &s, &e), &e, CL_EINPUT,
		  "the file is empty");
	fclose(f);
	import_sample_free(&s);
	f = fmemopen((void *)csv, sizeof csv - 1, "r");
	fx_expect("no vendor", import_sample(fx->db, "V-NONE", f, NULL, &s, &e), &e, CL_ENOTFOUND,
		  "V-NONE");
	fclose(f);
	import_sample_free(&s);
}

/* A long value is cut at a character boundary; a windows-1252 sample is
 * converted. */
static void test_sample_values_cut_and_converted(void **state)
{
	char csv[400];
	Fixture *fx = *state;
	ImportSample s;
	FILE *f;
	Err e = {0};

	snprintf(
		csv, sizeof csv, "Notes,Caf\xe9\n%.*s\xe9\xe9zz,x\n", 76,
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	f = fmemopen(csv, strlen(csv), "r");
	fx_expect("utf-8 refused", import_sample(fx->db, "V-PRAIRIE", f, NULL, &s, &e), &e,
		  CL_EINPUT, "windows-1252");
	fclose(f);
	import_sample_free(&s);
	f = fmemopen(csv, strlen(csv), "r");
	fx_expect("converted", import_sample(fx->db, "V-PRAIRIE", f, "windows-1252", &s, &e), &e,
		  CL_OK, NULL);
	fclose(f);
	assert_string_equal(s.cols[1].header, "Caf\xc3\xa9");
	/* 76 a's, two 2-byte characters and zz (82 bytes): cut before the
	 * character that would not fit whole */
	assert_true(strlen(s.cols[0].values[0]) <= IMPORT_SAMPLE_VALUE);
	assert_int_equal(strlen(s.cols[0].values[0]), 76 + 3);
	assert_string_equal(s.cols[0].values[0] + 76, "...");
	import_sample_free(&s);
}

#define WORLD_TEST(f) cmocka_unit_test_setup_teardown(f, fx_world_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		WORLD_TEST(test_vendor_list_and_rename),
		WORLD_TEST(test_contact_refusals),
		WORLD_TEST(test_contact_add_edit_remove),
		WORLD_TEST(test_map_save_refusals),
		WORLD_TEST(test_map_save_ignore_and_own_names),
		WORLD_TEST(test_sample_read),
		WORLD_TEST(test_sample_values_cut_and_converted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
