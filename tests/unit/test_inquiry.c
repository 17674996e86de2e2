/*
 * test_inquiry.c — unit tests of core/inquiry.c (DOMAIN.md 4.7): which POs
 * an inquiry asks about (unreported and under-reported, dated in the
 * quarter or earlier), its refusals, once a quarter a day, and that a
 * refusal or a failure half-way leaves the database as it was.
 *
 * The standard world (fixture.h): KS-1 runs 2025-07-01 .. 2026-06-30, fee
 * 2%, due_days 45; USD233 joined it on 2025-10-01; vendor V-PRAIRIE has no
 * contact until a test gives it one.
 *
 * Registers and statuses as of 2026-06-01 (worked by hand):
 *   USD259 PO-1   2025-08-01 100.00  nothing reported; pending ended with
 *                 2025-Q4's due date 2026-02-14 -> unreported, gap 100.00,
 *                 fee at risk 2% = 2.00
 *   USD233 PO-2   2025-11-10 300.00  reported 100.00 (one line, no
 *                 freight); tolerance max(1.00, 1.50) = 1.50 ->
 *                 under_reported, gap 200.00, fee at risk 4.00
 *   USD259 PO-100 2025-09-15 215.00  reported 200.00 + 15.00 freight ->
 *                 reported
 *   USD259 PO-3   2026-01-20  50.00  pending until 2026-Q2's due date,
 *                 2026-08-14
 * So 2025-Q3 asks about PO-1 (1 PO, 100.00, 2.00); 2025-Q4 and 2026-Q1
 * about PO-1 and PO-2 (2 POs, 300.00, 6.00).
 */
#include "fixture.h"
#include "inquiry.h"
#include "register.h"

#define ASOF "2026-06-01"

/* Import the staff register csv into KS-1 (must be written). */
static void register_csv(Fixture *fx, const char *csv)
{
	RegisterOptions o = {.contract = "KS-1", .file_name = "register.csv", .actor = FX_ACTOR};
	FILE *f = fmemopen((void *)(uintptr_t)csv, strlen(csv), "r");
	RegisterResult res;
	ImportStatus st;
	Err e = {0};

	assert_non_null(f);
	fx_expect("register", register_import(fx->db, f, &o, &res, &st, &e), &e, CL_OK, NULL);
	fclose(f);
	assert_int_equal(st, IMPORT_WRITTEN);
	register_result_free(&res);
}

/* The registers and ledger lines above, and (with_contact) a vendor
 * contact that receives notices. */
static void world(Fixture *fx, int with_contact)
{
	PurchaseIn p = fx_line(fx->ks1, "INV-1", "2025-09-20", 20000);
	PurchaseIn p2 = fx_line(fx->ks1, "INV-2", "2025-11-12", 10000);

	register_csv(fx, "agency_code,po_number,po_date,amount\n"
			 "USD259,PO-1,2025-08-01,100.00\n"
			 "USD233,PO-2,2025-11-10,300.00\n"
			 "USD259,PO-100,2025-09-15,215.00\n"
			 "USD259,PO-3,2026-01-20,50.00\n");
	fx_append_ok(fx->db, &p);
	p2.agency_code = "USD233";
	p2.po_number = "PO-2";
	p2.list_amount = 10000;
	p2.freight_amount = 0;
	fx_append_ok(fx->db, &p2);
	if (with_contact)
		assert_int_equal(fx_sql(fx->db,
					"INSERT INTO vendor_contact (vendor_id, name, email) "
					"SELECT id, 'Sales desk', 'ar@prairie.example' "
					"FROM vendor WHERE code = 'V-PRAIRIE'"),
				 SQLITE_OK);
}

/* Everything an inquiry writes, as one text, to compare before and after. */
static void snapshot(Fixture *fx, char *buf, size_t n)
{
	snprintf(buf, n, "%lld %lld %lld %lld",
		 (long long)fx_int(fx->db, "SELECT count(*) FROM inquiry"),
		 (long long)fx_int(fx->db, "SELECT count(*) FROM inquiry_po"),
		 (long long)fx_int(fx->db, "SELECT count(*) FROM outbox"),
		 (long long)fx_int(fx->db, "SELECT count(*) FROM audit_log"));
}

/* Send the inquiry of KS-1 for quarter q as of day; expect code (and
 * words in the refusal).  OUT: *inq. */
static ClCode send(Fixture *fx, const char *q, const char *day, ClCode code, const char *words,
		   Inquiry *inq)
{
	Err e = {0};
	ClCode rc = inquiry_send(fx->db, "KS-1", fx_quarter(q), fx_date(day), 1780300800, FX_ACTOR,
				 inq, &e);

	fx_expect(q, rc, &e, code, words);
	return rc;
}

static void test_selection_by_quarter_or_earlier(void **state)
{
	Fixture *fx = *state;
	Inquiry inq;
	char *csv = NULL;
	size_t len = 0;
	Err e = {0};

	world(fx, 1);
	send(fx, "2025-Q3", ASOF, CL_OK, NULL, &inq);
	assert_int_equal(inq.po_count, 1);
	assert_int_equal(inq.gap, 10000);
	assert_int_equal(inq.fee_at_risk, 200);
	assert_int_equal(inq.notices, 1);
	send(fx, "2025-Q4", ASOF, CL_OK, NULL, &inq);
	assert_int_equal(inq.po_count, 2);
	assert_int_equal(inq.gap, 30000);
	assert_int_equal(inq.fee_at_risk, 600);
	/* PO-3 (2026-Q1) is still pending: 2026-Q1 asks about the same two */
	send(fx, "2026-Q1", ASOF, CL_OK, NULL, &inq);
	assert_int_equal(inq.po_count, 2);
	assert_int_equal(inq.gap, 30000);
	/* the CSV of the 2025-Q4 inquiry (id 2), by hand */
	fx_expect("csv", inquiry_csv(fx->db, 2, &csv, &len, &e), &e, CL_OK, NULL);
	assert_string_equal(csv, "agency_code,agency_name,po_number,po_date,register_amount,"
				 "reported_amount,status,gap,fee_at_risk\r\n"
				 "USD259,Wichita Public Schools,PO-1,2025-08-01,100.00,0.00,"
				 "unreported,100.00,2.00\r\n"
				 "USD233,Olathe Public Schools,PO-2,2025-11-10,300.00,100.00,"
				 "under_reported,200.00,4.00\r\n");
	assert_int_equal(len, strlen(csv));
	free(csv);
	fx_expect("load", inquiry_load(fx->db, 2, &inq, &e), &e, CL_OK, NULL);
	assert_string_equal(inq.contract, "KS-1");
	assert_string_equal(inq.vendor, "V-PRAIRIE");
	assert_string_equal(inq.actor, FX_ACTOR);
	assert_int_equal(inq.po_count, 2);
	assert_int_equal(inq.notices, 1);
	assert_int_equal(inq.sent_on, fx_date(ASOF));
	char name[100];
	inquiry_csv_name(&inq, name, sizeof name);
	assert_string_equal(name, "inquiry-KS-1-2025-Q4.csv");
	/* one notice each, keyed by quarter and day; each audited */
	assert_int_equal(fx_int(fx->db,
				"SELECT count(*) FROM outbox WHERE kind = "
				"'completeness_inquiry' AND recipient = 'ar@prairie.example'"),
			 3);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM outbox WHERE period = "
					"'2025-Q4, 2026-06-01' AND json_extract(data_json, "
					"'$.inquiry') = 2 AND json_extract(data_json, '$.gap') = "
					"'$300.00'"),
			 1);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM audit_log WHERE action = "
					"'inquiry.send' AND entity = 'inquiry'"),
			 3);
}

static void test_refusals_write_nothing(void **state)
{
	Fixture *fx = *state;
	char before[100], after[100];
	Inquiry inq;
	Err e = {0};

	/* no register at all: nothing to ask about */
	assert_int_equal(fx_sql(fx->db,
				"INSERT INTO vendor_contact (vendor_id, email) SELECT id, "
				"'ar@prairie.example' FROM vendor WHERE code = 'V-PRAIRIE'"),
			 SQLITE_OK);
	snapshot(fx, before, sizeof before);
	send(fx, "2026-Q2", ASOF, CL_ERULE,
	     "no unreported or under-reported purchase orders dated 2026-Q2 or earlier", &inq);
	snapshot(fx, after, sizeof after);
	assert_string_equal(before, after);
	assert_int_equal(inq.id, 0);
	/* outside the term, and an unknown contract */
	send(fx, "2026-Q3", ASOF, CL_EINPUT,
	     "quarter 2026-Q3 is outside the term of contract KS-1 (2025-07-01 to 2026-06-30)",
	     &inq);
	send(fx, "2025-Q2", ASOF, CL_EINPUT, "outside the term", &inq);
	fx_expect("unknown",
		  inquiry_send(fx->db, "KS-9", fx_quarter("2025-Q4"), fx_date(ASOF), 0, FX_ACTOR,
			       &inq, &e),
		  &e, CL_ENOTFOUND, "no contract numbered KS-9");
	snapshot(fx, after, sizeof after);
	assert_string_equal(before, after);
}

static void test_no_vendor_contact(void **state)
{
	Fixture *fx = *state;
	char before[100], after[100];
	Inquiry inq;

	world(fx, 0);
	snapshot(fx, before, sizeof before);
	send(fx, "2025-Q4", ASOF, CL_ERULE,
	     "vendor V-PRAIRIE (Prairie Furniture Co.) has no contact", &inq);
	/* a contact that does not receive notices is no help */
	assert_int_equal(fx_sql(fx->db, "INSERT INTO vendor_contact (vendor_id, email, "
					"receives_notices) SELECT id, 'quiet@prairie.example', 0 "
					"FROM vendor WHERE code = 'V-PRAIRIE'"),
			 SQLITE_OK);
	send(fx, "2025-Q4", ASOF, CL_ERULE, "has no contact e-mail that receives notices", &inq);
	snapshot(fx, after, sizeof after);
	assert_string_equal(before, after);
}

static void test_once_a_day(void **state)
{
	Fixture *fx = *state;
	char before[100], after[100];
	Inquiry inq;

	world(fx, 1);
	send(fx, "2025-Q4", ASOF, CL_OK, NULL, &inq);
	snapshot(fx, before, sizeof before);
	send(fx, "2025-Q4", ASOF, CL_ECONFLICT,
	     "the 2025-Q4 inquiry of contract KS-1 was already sent today (2026-06-01)", &inq);
	snapshot(fx, after, sizeof after);
	assert_string_equal(before, after);
	/* another quarter the same day, and the same quarter the next day */
	send(fx, "2025-Q3", ASOF, CL_OK, NULL, &inq);
	send(fx, "2025-Q4", "2026-06-02", CL_OK, NULL, &inq);
	assert_int_equal(inq.po_count, 2);
	assert_int_equal(fx_int(fx->db, "SELECT count(*) FROM inquiry WHERE quarter = '2025-Q4'"),
			 2);
}

/* A failure after the inquiry is written (the outbox refuses the notice)
 * rolls everything back. */
static void test_failure_half_way_rolls_back(void **state)
{
	Fixture *fx = *state;
	char before[100], after[100];
	Inquiry inq;

	world(fx, 1);
	assert_int_equal(fx_sql(fx->db, "CREATE TEMP TRIGGER outbox_full BEFORE INSERT ON outbox "
					"BEGIN SELECT RAISE(ABORT, 'the outbox is full'); END"),
			 SQLITE_OK);
	snapshot(fx, before, sizeof before);
	send(fx, "2025-Q4", ASOF, CL_ECONFLICT, "the outbox is full", &inq);
	snapshot(fx, after, sizeof after);
	assert_string_equal(before, after);
	assert_int_equal(inq.id, 0);
	assert_int_equal(fx_sql(fx->db, "DROP TRIGGER outbox_full"), SQLITE_OK);
	send(fx, "2025-Q4", ASOF, CL_OK, NULL, &inq);
	assert_int_equal(inq.id, 1);
}

static void test_list_by_vendor(void **state)
{
	Fixture *fx = *state;
	Inquiry inq;
	RowSet rs;
	Err e = {0};

	world(fx, 1);
	send(fx, "2025-Q3", ASOF, CL_OK, NULL, &inq);
	send(fx, "2025-Q4", "2026-06-02", CL_OK, NULL, &inq);
	fx_expect("list", inquiry_list(fx->db, "V-PRAIRIE", NULL, &rs, &e), &e, CL_OK, NULL);
	assert_int_equal(rs.nrow, 2);
	assert_string_equal(rowset_text(&rs, 0, "quarter"), "2025-Q4"); /* newest first */
	assert_int_equal(rowset_int(&rs, 0, "gap"), 30000);
	assert_int_equal(rowset_int(&rs, 1, "fee_at_risk"), 200);
	rowset_free(&rs);
	fx_expect("other vendor", inquiry_list(fx->db, "V-OTHER", NULL, &rs, &e), &e, CL_OK, NULL);
	assert_int_equal(rs.nrow, 0);
	rowset_free(&rs);
	fx_expect("missing", inquiry_load(fx->db, 99, &inq, &e), &e, CL_ENOTFOUND, "no inquiry 99");
}

/* 53 unreported POs of 2.00 each (1.00 would be within the tolerance of
 * 1.00, so reported): the e-mail's data lists the first 50
 * and says 3 more are in the attachment, which has all 53. */
static void test_first_fifty_in_the_mail(void **state)
{
	Fixture *fx = *state;
	char csv_in[4096], *csv = NULL;
	size_t len = 0, off;
	Inquiry inq;
	Err e = {0};
	int i, lines = 0;

	off = (size_t)snprintf(csv_in, sizeof csv_in, "agency_code,po_number,po_date,amount\n");
	for (i = 1; i <= 53; i++)
		off += (size_t)snprintf(csv_in + off, sizeof csv_in - off,
					"USD259,P-%02d,2025-08-%02d,2.00\n", i, i % 28 + 1);
	register_csv(fx, csv_in);
	assert_int_equal(fx_sql(fx->db,
				"INSERT INTO vendor_contact (vendor_id, email) SELECT id, "
				"'ar@prairie.example' FROM vendor WHERE code = 'V-PRAIRIE'"),
			 SQLITE_OK);
	send(fx, "2025-Q3", ASOF, CL_OK, NULL, &inq);
	/* 53 x 2.00; fee at risk round(200 x 2%) = 4 cents each, 2.12 */
	assert_int_equal(inq.po_count, 53);
	assert_int_equal(inq.gap, 10600);
	assert_int_equal(inq.fee_at_risk, 212);
	assert_int_equal(fx_int(fx->db, "SELECT json_array_length(data_json, '$.pos') FROM outbox"),
			 50);
	assert_int_equal(fx_int(fx->db, "SELECT json_extract(data_json, '$.more') FROM outbox"), 3);
	assert_int_equal(fx_int(fx->db, "SELECT json_extract(data_json, '$.has_more') FROM outbox"),
			 1);
	fx_expect("csv", inquiry_csv(fx->db, inq.id, &csv, &len, &e), &e, CL_OK, NULL);
	for (off = 0; off < len; off++)
		lines += csv[off] == '\n';
	assert_int_equal(lines, 54); /* the header and 53 POs */
	free(csv);
}

#define WORLD_TEST(f) cmocka_unit_test_setup_teardown(f, fx_world_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		WORLD_TEST(test_selection_by_quarter_or_earlier),
		WORLD_TEST(test_refusals_write_nothing),
		WORLD_TEST(test_no_vendor_contact),
		WORLD_TEST(test_once_a_day),
		WORLD_TEST(test_failure_half_way_rolls_back),
		WORLD_TEST(test_list_by_vendor),
		WORLD_TEST(test_first_fifty_in_the_mail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
