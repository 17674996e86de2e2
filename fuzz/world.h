/*
 * world.h — the scratch database of the harnesses that need one: the
 * setup of tests/data/import/setup (agencies, vendor V-TEST, contracts
 * KS-TEST-2025 and the terminated KS-TERM-2024, participants), the vendor
 * mapping of the vendor_mapping case, one imported batch (earlier.csv,
 * 2025-Q3) and the closed quarter 2026-Q1, in memory.
 */
#ifndef COOPLEDGER_FUZZ_WORLD_H
#define COOPLEDGER_FUZZ_WORLD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "contract.h"
#include "db.h"
#include "import.h"

#define WORLD_ACTOR	 "fuzz@coop.example"
#define WORLD_CONTRACT	 "KS-TEST-2025"
#define WORLD_TERMINATED "KS-TERM-2024"
#define WORLD_TODAY	 "2026-11-25"

static const char world_agencies[] =
	"code,name,kind,state,public_entity,email\n"
	"USD259,Wichita USD 259,school_district,KS,yes,purchasing@usd259.test\n"
	"USD233,Olathe USD 233,school_district,KS,yes,buyer@usd233.test\n"
	"USD497,\"Lawrence, USD 497\",school_district,KS,yes,\n"
	"CITY-TOP,City of Topeka,city,KS,yes,\n"
	"CNTY-SG,Sedgwick County,county,KS,yes,\n"
	"NP-ACME,Acme Learning Co-op,nonprofit,KS,no,office@acme.test\n";

static const char world_participants[] = "agency_code,joined\n"
					 "USD233,2025-08-15\n"
					 "USD497,2025-07-01\n"
					 "CNTY-SG,2025-10-01\n";

static const char world_terms[] =
	"{\"number\":\"KS-TEST-2025\",\"title\":\"Classroom Furniture\","
	"\"category\":\"furniture\",\"lead_agency\":\"USD259\",\"vendor\":\"V-TEST\","
	"\"start\":\"2025-07-01\",\"end\":\"2028-06-30\",\"solicitation\":\"RFP 25-0147\","
	"\"fee\":{\"year\":\"contract\",\"mode\":\"graduated\",\"bands\":[{\"from\":\"0\","
	"\"rate\":\"2%\"},{\"from\":\"30000000\",\"rate\":\"1.5%\"}]},"
	"\"discounts\":{\"tiers\":[{\"from\":\"0\",\"rate\":\"60%\"},{\"from\":\"30000.01\","
	"\"rate\":\"63%\"}]},"
	"\"rebates\":{\"year\":\"contract\",\"mode\":\"volume\",\"tiers\":[{\"from\":\"500000\","
	"\"rate\":\"1%\"},{\"from\":\"1000000\",\"rate\":\"2%\"}]},"
	"\"due_days\":45,\"late_fee\":{\"min\":\"200\",\"rate\":\"25%\"},"
	"\"price_tolerance\":\"0\"}";

static const char world_terms_terminated[] =
	"{\"number\":\"KS-TERM-2024\",\"title\":\"Gym Equipment (terminated)\","
	"\"category\":\"athletics\",\"lead_agency\":\"USD259\",\"vendor\":\"V-TEST\","
	"\"start\":\"2024-07-01\",\"end\":\"2027-06-30\",\"solicitation\":\"RFP 24-0099\","
	"\"status\":\"terminated\",\"fee\":{\"year\":\"contract\",\"mode\":\"graduated\","
	"\"bands\":[{\"from\":\"0\",\"rate\":\"2%\"}]},\"due_days\":45}";

static const char world_earlier[] =
	"agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount,"
	"description\n"
	"USD259,PO-3000,INV-3000,2025-07-15,100.00,60.00,Desk\n"
	"USD497,PO-3001,INV-3001,2025-07-16,50.00,30.00,Chair\n";

static const char *const world_mapping[][2] = {
	{"Customer #", "agency_code"},	  {"PO", "po_number"},
	{"Inv #", "invoice_number"},	  {"Inv Date", "invoice_date"},
	{"Extended List", "list_amount"}, {"Extended Net", "invoiced_amount"},
};

/* Stop when a setup step fails: the harness cannot run without it. */
static inline void world_ok(const char *what, ClCode rc, const Err *e)
{
	if (rc == CL_OK)
		return;
	fprintf(stderr, "fuzz world: %s: %s\n", what, e->msg);
	abort();
}

/* A read-only stream over a string constant. */
static inline FILE *world_file(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	if (!f)
		abort();
	return f;
}

static inline sqlite3 *world_open(void)
{
	sqlite3 *db = NULL;
	int64_t id = 0;
	Date today = 0;
	Quarter q = {2026, 1};
	ImportOptions io = {0};
	ImportStatus st;
	ImportResult result;
	Err e = {0};
	size_t i;
	FILE *f;
	int n;

	world_ok("open", db_open(":memory:", &db, &e), &e);
	f = world_file(world_agencies);
	world_ok("agencies", agency_import_csv(db, f, NULL, WORLD_ACTOR, &n, &e), &e);
	fclose(f);
	world_ok("vendor",
		 vendor_add(db, "V-TEST", "Test Furniture Co", "ar@vendor.test", WORLD_ACTOR, &id,
			    &e),
		 &e);
	world_ok("contract",
		 contract_import(db, world_terms, strlen(world_terms), WORLD_ACTOR, &id, &e), &e);
	world_ok("terminated contract",
		 contract_import(db, world_terms_terminated, strlen(world_terms_terminated),
				 WORLD_ACTOR, &id, &e),
		 &e);
	f = world_file(world_participants);
	world_ok("participants", participant_import_csv(db, WORLD_CONTRACT, f, NULL, WORLD_ACTOR, &n, &e),
		 &e);
	fclose(f);
	for (i = 0; i < sizeof world_mapping / sizeof *world_mapping; i++)
		world_ok("mapping",
			 import_map_set(db, "V-TEST", world_mapping[i][0], world_mapping[i][1],
					WORLD_ACTOR, &e),
			 &e);
	world_ok("today", date_parse(WORLD_TODAY, &today, &e), &e);
	io.contract = WORLD_CONTRACT;
	io.period = "2025-Q3";
	io.file_name = "earlier.csv";
	io.today = today;
	io.actor = WORLD_ACTOR;
	f = world_file(world_earlier);
	world_ok("earlier batch", import_csv(db, f, &io, &result, &st, &e), &e);
	fclose(f);
	import_result_free(&result);
	if (st != IMPORT_WRITTEN) {
		fprintf(stderr, "fuzz world: the earlier batch was not written\n");
		abort();
	}
	world_ok("closed quarter", period_close(db, q, WORLD_ACTOR, &e), &e);
	return db;
}

#endif
