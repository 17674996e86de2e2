/*
 * fixture.h — shared helpers of the unit tests that need a database.
 *
 * Header only: every helper is static inline, so a test file that does not
 * use one gets no warning.  Each helper asserts with cmocka, so a test that
 * calls it stops at the first setup step that fails.
 *
 * The standard world (fx_world_setup), used by most ledger tests:
 *   agencies  USD259  Wichita schools, public, lead agency of both contracts
 *             USD233  Olathe schools, public, joined KS-1 on 2025-10-01
 *             USD500  Kansas City schools, public, participates in nothing
 *             NP-1    a nonprofit, NOT a public entity, joined KS-1 2025-07-01
 *   vendor    V-PRAIRIE
 *   contracts KS-1    active,     2025-07-01 .. 2026-06-30, fee 2%
 *             KS-T    terminated, same term, same parties
 * It writes 9 audit rows: 4 agency.add, 1 vendor.add, 2 contract.import,
 * 2 participant.add.
 */
#ifndef COOPLEDGER_TEST_FIXTURE_H
#define COOPLEDGER_TEST_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agency.h"
#include "embedded.h"
#include "contract.h"
#include "date.h"
#include "db.h"
#include "err.h"
#include "ledger.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define FX_ACTOR	"tester@coop.example"
#define FX_WORLD_AUDITS 9 /* audit rows the standard world writes, see above */

typedef struct Fixture {
	char path[64]; /* the database file, removed at fx_close() */
	sqlite3 *db;
	int64_t ks1; /* id of contract KS-1 */
	int64_t kst; /* id of contract KS-T (terminated) */
} Fixture;

/* Assert rc is code and (when words is not NULL) that e->msg contains
 * words; label names the table row in the failure report. */
static inline void fx_expect(const char *label, ClCode rc, const Err *e, ClCode code,
			     const char *words)
{
	if (rc == code && (code == CL_OK || !words || strstr(e->msg, words)))
		return;
	print_error("%s: got code %d \"%s\"; expected code %d with \"%s\"\n", label, (int)rc,
		    rc ? e->msg : "", (int)code, words ? words : "");
	fail();
}

/* Date from "YYYY-MM-DD"; asserts it parses. */
static inline Date fx_date(const char *text)
{
	Date d = 0;

	assert_int_equal(date_parse(text, &d, NULL), CL_OK);
	return d;
}

static inline Quarter fx_quarter(const char *text)
{
	Quarter q = {0, 0};

	assert_int_equal(quarter_parse(text, &q, NULL), CL_OK);
	return q;
}

/* Create an empty temporary file for a database; OUT: fx->path. */
static inline void fx_temp_path(Fixture *fx)
{
	int fd;

	snprintf(fx->path, sizeof fx->path, "/tmp/coopledger-test-XXXXXX");
	fd = mkstemp(fx->path);
	assert_true(fd >= 0);
	close(fd);
}

/* Remove the database file and its WAL companions. */
static inline void fx_unlink(const char *path)
{
	char side[80];

	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-journal", path);
	unlink(side);
}

/* A fresh, fully migrated database in a temporary file.  OUT: fx. */
static inline void fx_open(Fixture *fx)
{
	Err e = {0};

	memset(fx, 0, sizeof *fx);
	fx_temp_path(fx);
	if (db_open(fx->path, &fx->db, &e) != CL_OK)
		print_error("db_open: %s\n", e.msg);
	assert_non_null(fx->db);
}

static inline void fx_close(Fixture *fx)
{
	db_close(fx->db);
	fx->db = NULL;
	fx_unlink(fx->path);
}

/* Run SQL with sqlite3_exec; returns its result code. */
static inline int fx_sql(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* count(*) or any integer a query gives (-1 when it gives no row). */
static inline int64_t fx_int(sqlite3 *db, const char *sql)
{
	return db_int(db, -1, sql, "");
}

/* Add an agency; kind school_district unless a nonprofit (code "NP-..."). */
static inline int64_t fx_agency(sqlite3 *db, const char *code, const char *name, int is_public)
{
	AgencyIn a = {code, name,      strncmp(code, "NP-", 3) ? "school_district" : "nonprofit",
		      "KS", is_public, NULL,
		      NULL};
	int64_t id = 0;
	Err e = {0};

	fx_expect(code, agency_add(db, &a, FX_ACTOR, &id, &e), &e, CL_OK, NULL);
	return id;
}

static inline int64_t fx_vendor(sqlite3 *db, const char *code)
{
	int64_t id = 0;
	Err e = {0};

	fx_expect(code, vendor_add(db, code, "Prairie Furniture Co.", NULL, FX_ACTOR, &id, &e), &e,
		  CL_OK, NULL);
	return id;
}

/* A small terms document, fee 2% graduated.  OUT: doc (size n). */
static inline void fx_terms_doc(char *doc, size_t n, const char *number, const char *lead,
				const char *vendor, const char *start, const char *end,
				const char *status)
{
	snprintf(doc, n,
		 "{\"number\":\"%s\",\"title\":\"Classroom furniture\",\"category\":\"furniture\","
		 "\"lead_agency\":\"%s\",\"vendor\":\"%s\",\"start\":\"%s\",\"end\":\"%s\","
		 "\"status\":\"%s\",\"solicitation\":\"RFP 25-0147\","
		 "\"fee\":{\"year\":\"contract\",\"mode\":\"graduated\","
		 "\"bands\":[{\"from\":\"0\",\"rate\":\"2%%\"}]}}",
		 number, lead, vendor, start, end, status);
}

/* Import a contract led by USD259 with vendor V-PRAIRIE.  Returns its id. */
static inline int64_t fx_contract(sqlite3 *db, const char *number, const char *start,
				  const char *end, const char *status)
{
	char doc[1024];
	int64_t id = 0;
	Err e = {0};

	fx_terms_doc(doc, sizeof doc, number, "USD259", "V-PRAIRIE", start, end, status);
	fx_expect(number, contract_import(db, doc, strlen(doc), FX_ACTOR, &id, &e), &e, CL_OK,
		  NULL);
	return id;
}

static inline void fx_participant(sqlite3 *db, const char *number, const char *agency,
				  const char *joined)
{
	Err e = {0};

	fx_expect(agency, participant_add(db, number, agency, fx_date(joined), FX_ACTOR, &e), &e,
		  CL_OK, NULL);
}

/* Build the standard world (see the top of this file) into fx. */
static inline void fx_world(Fixture *fx)
{
	fx_open(fx);
	fx_agency(fx->db, "USD259", "Wichita Public Schools", 1);
	fx_agency(fx->db, "USD233", "Olathe Public Schools", 1);
	fx_agency(fx->db, "USD500", "Kansas City Public Schools", 1);
	fx_agency(fx->db, "NP-1", "Helping Hands Foundation", 0);
	fx_vendor(fx->db, "V-PRAIRIE");
	fx->ks1 = fx_contract(fx->db, "KS-1", "2025-07-01", "2026-06-30", "active");
	fx->kst = fx_contract(fx->db, "KS-T", "2025-07-01", "2026-06-30", "terminated");
	fx_participant(fx->db, "KS-1", "USD233", "2025-10-01");
	fx_participant(fx->db, "KS-1", "NP-1", "2025-07-01");
}

/* cmocka setup/teardown around fx_world / fx_open. */
static inline int fx_world_setup(void **state)
{
	Fixture *fx = calloc(1, sizeof *fx);

	if (!fx)
		return -1;
	fx_world(fx);
	*state = fx;
	return 0;
}

static inline int fx_empty_setup(void **state)
{
	Fixture *fx = calloc(1, sizeof *fx);

	if (!fx)
		return -1;
	fx_open(fx);
	*state = fx;
	return 0;
}

static inline int fx_teardown(void **state)
{
	Fixture *fx = *state;

	if (fx) {
		fx_close(fx);
		free(fx);
	}
	return 0;
}

/* A valid line of KS-1 for USD259: PO-100 / invoice, line 1, dated day,
 * list $200.00, invoiced as given, freight $15.00, no tax. */
static inline PurchaseIn fx_line(int64_t contract, const char *invoice, const char *day,
				 Money invoiced)
{
	PurchaseIn p = {
		.contract_id = contract,
		.agency_code = "USD259",
		.po_number = "PO-100",
		.invoice_number = invoice,
		.line = 1,
		.invoice_date = fx_date(day),
		.description = "Student desk",
		.category = "furniture",
		.quantity = "2",
		.list_amount = 20000,
		.invoiced_amount = invoiced,
		.freight_amount = 1500,
		.tax_amount = 0,
		.batch_id = 0,
	};

	return p;
}

/* Append one line in its own transaction.  OUT: *outcome, *id (may be
 * NULL).  Returns what ledger_append returned (or the commit's failure). */
static inline ClCode fx_append(sqlite3 *db, const PurchaseIn *p, LedgerOutcome *outcome,
			       int64_t *id, Err *e)
{
	Ledger *l = NULL;
	ClCode rc;

	assert_int_equal(db_begin(db, e), CL_OK);
	rc = ledger_open(db, FX_ACTOR, &l, e);
	if (!rc)
		rc = ledger_append(l, p, outcome, id, e);
	if (!rc)
		rc = ledger_flush(l, e);
	ledger_close(l);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, e);
}

/* Append a line that must be accepted; returns its id. */
static inline int64_t fx_append_ok(sqlite3 *db, const PurchaseIn *p)
{
	LedgerOutcome out = LEDGER_DUPLICATE;
	int64_t id = 0;
	Err e = {0};

	fx_expect(p->invoice_number, fx_append(db, p, &out, &id, &e), &e, CL_OK, NULL);
	assert_int_equal(out, LEDGER_APPENDED);
	assert_true(id > 0);
	return id;
}

/* Sum of invoiced_amount over live lines (0 when there are none). */
static inline int64_t fx_live_total(sqlite3 *db)
{
	return fx_int(db, "SELECT coalesce(sum(invoiced_amount), 0) FROM live_purchase");
}

#endif
