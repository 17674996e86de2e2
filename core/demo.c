/* demo.c — the Kansas furniture demonstration program; see demo.h. */
#include "demo.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "audit.h"
#include "chain.h"
#include "contract.h"
#include "csvin.h"
#include "db.h"
#include "embedded.h"
#include "ledger.h"
#include "remit.h"
#include "terms.h"
#include "user.h"

#define ACTOR	     "demo"
#define MAX_AGENCIES 320

/* ---- deterministic randomness (splitmix64) ---- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A uniform integer in [0, n). */
static int64_t rng_below(int64_t n)
{
	return n > 0 ? (int64_t)(rng_next() % (uint64_t)n) : 0;
}

/* 1 with probability per_mille / 1000. */
static int rng_chance(int per_mille)
{
	return rng_below(1000) < per_mille;
}

/* ---- the program's fixed facts ---- */

/* The largest districts buy most (a Pareto curve): weight by code. */
static const struct {
	const char *code;
	int weight;
} big_buyers[] = {
	{"USD259", 40}, {"USD229", 30}, {"USD512", 28}, {"USD233", 26}, {"USD500", 22},
	{"USD497", 16}, {"USD501", 16}, {"USD383", 12}, {"USD305", 10}, {"USD266", 10},
	{"USD232", 9},	{"USD260", 9},	{"USD457", 8},	{"USD443", 8},	{"USD231", 7},
	{"USD253", 6},	{"USD308", 6},	{"USD490", 5},	{"USD475", 5},	{"USD450", 5},
};

static const struct {
	const char *code, *name, *kind;
	int public_entity;
} other_agencies[] = {
	{"CITY-WICHITA", "City of Wichita", "city", 1},
	{"CNTY-SEDGWICK", "Sedgwick County", "county", 1},
	{"WSU", "Wichita State University", "higher_ed", 1},
	{"NP-KIDSFIRST", "Kids First Learning Center", "nonprofit", 0},
};

typedef struct Item {
	const char *description, *category;
	Money unit_list;
	int max_qty;
} Item;

static const Item school_items[] = {
	{"Student desk, adjustable height", "desks", 18900, 60},
	{"Stacking student chair, 18 in", "seating", 8950, 120},
	{"Teacher desk, double pedestal", "desks", 124500, 4},
	{"Activity table, 30 x 60 in", "tables", 41200, 20},
	{"Mobile storage cabinet", "storage", 86500, 6},
	{"Bookcase, 5-shelf", "storage", 32900, 10},
	{"Task chair, mesh back", "seating", 39900, 30},
	{"Cafeteria table, 12 ft mobile", "tables", 289000, 8},
	{"Lab stool, adjustable", "seating", 12400, 40},
	{"Whiteboard, 4 x 8 ft", "boards", 54000, 10},
	{"Library carrel, single", "library", 67500, 12},
	{"Lounge soft seating, 2-seat", "seating", 148000, 6},
};

static const Item office_items[] = {
	{"Ergonomic task chair", "seating", 64500, 25},
	{"Height-adjustable desk, 30 x 60 in", "desks", 98000, 12},
	{"Guest chair, sled base", "seating", 28900, 20},
	{"Conference table, 10 ft", "tables", 345000, 2},
	{"Lateral file, 3-drawer", "storage", 71000, 8},
	{"Monitor arm, dual", "accessories", 24500, 25},
};

static const char terms_furn_2022[] =
	"{\"number\":\"KS-FURN-2022\",\"title\":\"Classroom and Office Furniture (prior award)\","
	"\"category\":\"furniture\",\"lead_agency\":\"USD259\",\"vendor\":\"V-PRAIRIE\","
	"\"start\":\"2022-07-01\",\"end\":\"2025-06-30\",\"solicitation\":\"RFP 22-0093\","
	"\"status\":\"expired\","
	"\"fee\":{\"year\":\"contract\",\"mode\":\"graduated\",\"bands\":[{\"from\":\"0\","
	"\"rate\":\"2%\"}]},"
	"\"discounts\":{\"tiers\":[{\"from\":\"0\",\"rate\":\"60%\"},{\"from\":\"30000.01\","
	"\"rate\":\"63%\"},{\"from\":\"60000.01\",\"rate\":\"65%\"},{\"from\":\"120000.01\","
	"\"rate\":\"67%\"}]},"
	"\"due_days\":45,\"late_fee\":{\"min\":\"200\",\"rate\":\"25%\"},"
	"\"price_tolerance\":\"0\"}";

static const char terms_furn_2025[] =
	"{\"number\":\"KS-FURN-2025\",\"title\":\"Classroom and Office Furniture\","
	"\"category\":\"furniture\",\"lead_agency\":\"USD259\",\"vendor\":\"V-PRAIRIE\","
	"\"start\":\"2025-07-01\",\"end\":\"2028-06-30\",\"solicitation\":\"RFP 25-0147\","
	"\"fee\":{\"year\":\"contract\",\"mode\":\"graduated\",\"bands\":[{\"from\":\"0\","
	"\"rate\":\"2%\"},{\"from\":\"30000000\",\"rate\":\"1.5%\"}]},"
	"\"discounts\":{\"tiers\":[{\"from\":\"0\",\"rate\":\"60%\"},{\"from\":\"30000.01\","
	"\"rate\":\"63%\"},{\"from\":\"60000.01\",\"rate\":\"65%\"},{\"from\":\"120000.01\","
	"\"rate\":\"67%\"}]},"
	"\"rebates\":{\"year\":\"contract\",\"mode\":\"volume\",\"tiers\":[{\"from\":\"2000000\","
	"\"rate\":\"1%\"},{\"from\":\"4000000\",\"rate\":\"2%\"},{\"from\":\"7500000\","
	"\"rate\":\"3%\"},{\"from\":\"12000000\",\"rate\":\"4%\"}]},"
	"\"due_days\":45,\"late_fee\":{\"min\":\"200\",\"rate\":\"25%\"},"
	"\"price_tolerance\":\"0\"}";

static const char terms_offc_2025[] =
	"{\"number\":\"KS-OFFC-2025\",\"title\":\"Office Seating and Ergonomic Furniture\","
	"\"category\":\"furniture\",\"lead_agency\":\"USD259\",\"vendor\":\"V-SUNFLOWER\","
	"\"start\":\"2025-07-01\",\"end\":\"2028-06-30\",\"solicitation\":\"RFP 25-0148\","
	"\"fee\":{\"year\":\"calendar\",\"mode\":\"volume\",\"bands\":[{\"from\":\"0\","
	"\"rate\":\"1.5%\"},{\"from\":\"750000\",\"rate\":\"1.25%\"}]},"
	"\"discounts\":{\"tiers\":[{\"from\":\"0\",\"rate\":\"35%\"},{\"from\":\"25000.01\","
	"\"rate\":\"40%\"}]},"
	"\"rebates\":{\"year\":\"calendar\",\"mode\":\"graduated\",\"tiers\":[{\"from\":\"250000\","
	"\"rate\":\"1%\"},{\"from\":\"500000\",\"rate\":\"1.5%\"}]},"
	"\"due_days\":30,\"late_fee\":{\"min\":\"150\",\"rate\":\"10%\"},"
	"\"price_tolerance\":\"1.00\"}";

/* ---- loading ---- */

typedef struct Agency {
	char code[33];
	int weight; /* relative buying power */
} Agency;

typedef struct Demo {
	sqlite3 *db;
	Date as_of;
	Agency agency[MAX_AGENCIES];
	int nagency;
	int64_t invoice_seq;
	DemoSummary *sum;
} Demo;

static int weight_of(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof big_buyers / sizeof *big_buyers; i++)
		if (strcmp(code, big_buyers[i].code) == 0)
			return big_buyers[i].weight;
	return 1 + (int)rng_below(3);
}

/* One row of the embedded district list: code,name,kind,state. */
static ClCode district_row(void *ctx, size_t row, size_t line, int n, char **field, Err *e)
{
	Demo *d = ctx;
	char email[96], address[160];
	AgencyIn a;
	ClCode rc;
	size_t i;

	(void)line;
	if (row == 0 || n < 4 || d->nagency >= MAX_AGENCIES)
		return CL_OK;
	snprintf(email, sizeof email, "purchasing@%s.ks.example", field[0]);
	for (i = 0; email[i]; i++)
		email[i] = (char)(email[i] >= 'A' && email[i] <= 'Z' ? email[i] + 32 : email[i]);
	snprintf(address, sizeof address, "District Office, %s, Kansas", field[1]);
	a = (AgencyIn){field[0], field[1], field[2], field[3], 1, address, email};
	rc = agency_add(d->db, &a, ACTOR, NULL, e);
	if (rc)
		return rc;
	snprintf(d->agency[d->nagency].code, sizeof d->agency[0].code, "%s", field[0]);
	d->agency[d->nagency].weight = weight_of(field[0]);
	d->nagency++;
	return CL_OK;
}

static ClCode load_agencies(Demo *d, Err *e)
{
	const EmbeddedFile *f = embedded_find("demo/kansas-districts.csv");
	FILE *fp;
	ClCode rc;
	size_t i;

	if (!f)
		return err_set(e, CL_EIO, "the demo district list is missing from this build");
	fp = fmemopen((void *)f->data, f->size, "r");
	if (!fp)
		return err_set(e, CL_ENOMEM, "out of memory");
	rc = csvin_read(fp, NULL, district_row, d, e);
	fclose(fp);
	for (i = 0; !rc && i < sizeof other_agencies / sizeof *other_agencies; i++) {
		AgencyIn a = {other_agencies[i].code,
			      other_agencies[i].name,
			      other_agencies[i].kind,
			      "KS",
			      other_agencies[i].public_entity,
			      "Wichita, Kansas",
			      "purchasing@"
			      "city-county.ks.example"};

		rc = agency_add(d->db, &a, ACTOR, NULL, e);
	}
	d->sum->agencies = d->nagency + (int)(sizeof other_agencies / sizeof *other_agencies);
	return rc;
}

static ClCode load_vendors(Demo *d, Err *e)
{
	ClCode rc = vendor_add(d->db, "V-PRAIRIE", "Prairie School Furniture Co.",
			       "reports@prairie-furniture.example", ACTOR, NULL, e);

	if (!rc)
		rc = vendor_add(d->db, "V-SUNFLOWER", "Sunflower Office Interiors, LLC",
				"ar@sunflower-interiors.example", ACTOR, NULL, e);
	d->sum->vendors = 2;
	return rc;
}

/* Join dates: the biggest buyers in the first two months, the rest over
 * the first eighteen. */
static Date join_date(const Terms *t, int weight)
{
	Date d = t->start + (Date)(weight >= 5 ? rng_below(60) : rng_below(540));

	return d > t->end ? t->end : d;
}

/* Make about `share` per mille of the districts (all big buyers) members. */
static ClCode add_participants(Demo *d, const Terms *t, int share, DemoContract *dc, Err *e)
{
	ClCode rc = CL_OK;
	int i;

	dc->participants = 1; /* the lead agency */
	for (i = 0; !rc && i < d->nagency; i++) {
		const Agency *a = &d->agency[i];

		if (strcmp(a->code, t->lead_agency) == 0)
			continue;
		if (a->weight < 5 && !rng_chance(share))
			continue;
		rc = participant_add(d->db, t->number, a->code, join_date(t, a->weight), ACTOR, e);
		dc->participants++;
	}
	if (!rc && strcmp(t->number, "KS-OFFC-2025") == 0) {
		rc = participant_add(d->db, t->number, "CITY-WICHITA", t->start + 30, ACTOR, e);
		if (!rc)
			rc = participant_add(d->db, t->number, "CNTY-SEDGWICK", t->start + 75,
					     ACTOR, e);
		dc->participants += 2;
	}
	return rc;
}

/* A weekday on or after d. */
static Date weekday(Date d)
{
	int dow = (int)(((int64_t)d % 7 + 7 + 3) % 7); /* 1970-01-01 was a Thursday; 0 = Monday */

	return dow >= 5 ? d + (7 - dow) : d;
}

/* What one quarter's report of one contract writes. */
typedef struct QuarterRun {
	Ledger *l;
	const Terms *t;
	int64_t cid, batch;
	const Item *items;
	int nitems;
	Quarter q;
	int64_t rows, dups;
	Money list_total, invoiced_total;
} QuarterRun;

/* Append one line, counting it in the batch totals. */
static ClCode put_line(Demo *d, QuarterRun *qr, PurchaseIn *p, Err *e)
{
	LedgerOutcome out;
	ClCode rc = ledger_append(qr->l, p, &out, NULL, e);

	(void)d;
	if (rc)
		return rc;
	qr->rows++;
	qr->list_total += p->list_amount;
	qr->invoiced_total += p->invoiced_amount;
	return CL_OK;
}

/* One purchase order of 1 to 5 lines for agency a on day, with now and
 * then a price deviation, a return and freight. */
static ClCode put_order(Demo *d, QuarterRun *qr, const Agency *a, Date day, Err *e)
{
	PurchaseIn p[5];
	int qty[5] = {0}, pick[5] = {0}, n = 1 + (int)rng_below(5), i;
	char po[48], inv[48], cm[48], qtext[5][16];
	Money total = 0;
	Rate rate;
	ClCode rc = CL_OK;

	snprintf(po, sizeof po, "PO-%s-%" PRId64, a->code, 10000 + d->invoice_seq);
	snprintf(inv, sizeof inv, "INV-%" PRId64, 500000 + d->invoice_seq++);
	for (i = 0; i < n; i++) {
		pick[i] = (int)rng_below(qr->nitems);
		qty[i] = 1 + (int)rng_below(qr->items[pick[i]].max_qty);
		total += qr->items[pick[i]].unit_list * qty[i];
	}
	rate = schedule_rate_at(&qr->t->discounts, total);
	for (i = 0; i < n && !rc; i++) {
		const Item *it = &qr->items[pick[i]];
		Money list = it->unit_list * qty[i];
		Rate paid_rate = rng_chance(30) ? rate - 30000 : rate; /* 3% of lines overcharged */

		snprintf(qtext[i], sizeof qtext[i], "%d", qty[i]);
		p[i] = (PurchaseIn){.contract_id = qr->cid,
				    .agency_code = a->code,
				    .po_number = po,
				    .invoice_number = inv,
				    .line = i + 1,
				    .invoice_date = day,
				    .description = it->description,
				    .category = it->category,
				    .quantity = qtext[i],
				    .list_amount = list,
				    .invoiced_amount = list - money_apply_rate(list, paid_rate),
				    .batch_id = qr->batch};
		if (i == 0 && rng_chance(300))
			p[i].freight_amount = money_apply_rate(p[i].invoiced_amount, 25000);
		rc = put_line(d, qr, &p[i], e);
	}
	if (!rc && rng_chance(25) && qty[0] > 1) { /* a return of part of line 1 */
		PurchaseIn r = p[0];
		int back = 1 + (int)rng_below(qty[0] / 2 + 1);
		char rq[16];

		snprintf(cm, sizeof cm, "CM-%" PRId64, 500000 + d->invoice_seq++);
		snprintf(rq, sizeof rq, "-%d", back);
		r.invoice_number = cm;
		r.line = 1;
		r.quantity = rq;
		r.description = "Return: damaged in delivery";
		r.list_amount = -(p[0].list_amount / qty[0]) * back;
		r.invoiced_amount = -(p[0].invoiced_amount / qty[0]) * back;
		r.freight_amount = 0;
		r.invoice_date = day + 14 > quarter_last_day(qr->q) ? day : day + 14;
		rc = put_line(d, qr, &r, e);
	}
	return rc;
}

/* The day agency code joined contract cid, read with st (the caller's,
 * prepared once).  OUT: *found (0: not a participant), *joined. */
static ClCode joined_on(sqlite3 *db, sqlite3_stmt *st, int64_t cid, const char *code, int *found,
			Date *joined, Err *e)
{
	ClCode rc = CL_OK, end;
	DbRows q;

	db_bind_spec(st, "it", cid, code);
	db_rows_on(&q, db, st, DB_ROWS_RESET);
	*found = db_rows_next(&q);
	if (*found)
		rc = date_parse((const char *)sqlite3_column_text(q.st, 0), joined, e);
	end = db_rows_end(&q, "reading the participants", e);
	return rc ? rc : end;
}

/* The orders of every participant of the contract in quarter qr->q. */
static ClCode put_quarter_orders(Demo *d, QuarterRun *qr, int per_weight_per_year, Err *e)
{
	Date first = quarter_first_day(qr->q), last = quarter_last_day(qr->q);
	sqlite3_stmt *st = NULL;
	ClCode rc;
	int i;

	rc = db_prepare(d->db, &st,
			"SELECT p.joined FROM participant p JOIN agency a ON a.id = p.agency_id "
			"WHERE p.contract_id = ? AND a.code = ?",
			e);
	for (i = 0; !rc && i < d->nagency; i++) {
		const Agency *a = &d->agency[i];
		int orders, k, found;
		Date joined;

		rc = joined_on(d->db, st, qr->cid, a->code, &found, &joined, e);
		if (rc || !found || joined > last)
			continue;
		if (joined < first)
			joined = first;
		/* expected orders a quarter, rounded at random */
		orders = (a->weight * per_weight_per_year + (int)rng_below(400)) / 400;
		for (k = 0; k < orders && !rc; k++) {
			Date day = joined + (Date)rng_below(last - joined + 1);

			if (weekday(day) <= last)
				day = weekday(day);
			rc = put_order(d, qr, a, day, e);
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* Fee of a quarter: F(year to date at its end) - F(year to date before it).
 * The demo's schedule years all start on a quarter's first day. */
static Money quarter_fee(const Terms *t, Money ytd_before, Money quarter_net)
{
	return schedule_amount(&t->fee, ytd_before + quarter_net) -
	       schedule_amount(&t->fee, ytd_before);
}

/* Pay a quarter's fee.  Quarters more than a year old were paid on time;
 * recent ones now and then late, short or not yet (the newest reported
 * quarter stays unpaid for finance to chase). */
static ClCode pay_quarter(Demo *d, const Terms *t, Quarter q, Date filed, Money fee, int last,
			  Err *e)
{
	Date due = quarter_last_day(q) + t->due_days, received = filed + 3 + (Date)rng_below(10);
	int recent = quarter_last_day(q) + 365 > d->as_of;
	char ref[32];
	RemitIn r;
	ClCode rc;

	if (received > due)
		received = due;
	if (fee <= 0 || last || received > d->as_of || (recent && rng_chance(100)))
		return CL_OK;
	snprintf(ref, sizeof ref, "ACH-%" PRId64, 880000 + rng_below(100000));
	r = (RemitIn){t->number, q, fee, received, ref, 0};
	if (recent && rng_chance(150))
		r.amount = fee - fee / 10; /* a short payment */
	else if (recent && rng_chance(150))
		r.received = due + 12; /* after the due date */
	if (r.received > d->as_of)
		r.received = d->as_of;
	rc = remit_add(d->db, &r, ACTOR, NULL, e);
	if (!rc)
		d->sum->remittances++;
	return rc;
}

/* Record one quarter's report batch and its orders.  OUT: *net. */
static ClCode report_quarter(Demo *d, QuarterRun *qr, Date filed, int per_weight, Money *net,
			     Err *e)
{
	char qt[QUARTER_BUF], name[96], sha[CHAIN_HEX], key[32], after[256];
	char la[MONEY_BUF], ia[MONEY_BUF];
	ClCode rc;

	quarter_format(qr->q, qt);
	snprintf(name, sizeof name, "%s-sales-%s.csv", qr->t->vendor, qt);
	snprintf(sha, sizeof sha, "%016" PRIx64 "%016" PRIx64 "%016" PRIx64 "%016" PRIx64,
		 rng_next(), rng_next(), rng_next(), rng_next());
	rc = ledger_batch_create(d->db, qr->cid, name, sha, qt, filed, ACTOR, &qr->batch, e);
	qr->rows = qr->dups = 0;
	qr->list_total = qr->invoiced_total = 0;
	if (!rc)
		rc = put_quarter_orders(d, qr, per_weight, e);
	if (!rc)
		rc = ledger_batch_finish(d->db, qr->batch, qr->rows, qr->rows, 0, 0, qr->list_total,
					 qr->invoiced_total, NULL, e);
	snprintf(key, sizeof key, "%" PRId64, qr->batch);
	snprintf(after, sizeof after,
		 "{\"file\":\"%s\",\"period\":\"%s\",\"rows\":%" PRId64
		 ",\"list_amount\":\"%s\",\"invoiced_amount\":\"%s\"}",
		 name, qt, qr->rows, money_format(qr->list_total, la),
		 money_format(qr->invoiced_total, ia));
	if (!rc)
		rc = audit_record(d->db, ACTOR, "batch.import", "import_batch", key, NULL, after,
				  e);
	*net = qr->invoiced_total;
	d->sum->batches++;
	return rc;
}

#define MAX_QUARTERS 64

/* Every reported quarter of one contract in one transaction, then its
 * remittances.  Reports are filed 8 to 25 days after a quarter ends; for
 * the office contract one is late and the newest one is missing. */
static ClCode load_contract_sales(Demo *d, const Terms *t, const Item *items, int nitems,
				  int per_weight, DemoContract *dc, Err *e)
{
	QuarterRun qr = {.t = t, .items = items, .nitems = nitems};
	Quarter qs[MAX_QUARTERS];
	Date filed[MAX_QUARTERS];
	Money net[MAX_QUARTERS], ytd = 0;
	int n = 0, i, office = strcmp(t->vendor, "V-SUNFLOWER") == 0;
	ClCode rc;

	rc = contract_load(d->db, t->number, &qr.cid, NULL, e);
	if (!rc)
		rc = db_begin(d->db, e);
	if (!rc)
		rc = ledger_open(d->db, ACTOR, &qr.l, e);
	for (qr.q = quarter_of(t->start);
	     !rc && quarter_last_day(qr.q) <= t->end && n < MAX_QUARTERS;
	     qr.q = quarter_next(qr.q)) {
		Date f = quarter_last_day(qr.q) + 8 + (Date)rng_below(18);

		if (office && n == 2)
			f = quarter_last_day(qr.q) + t->due_days + 20; /* filed late */
		if (f > d->as_of)
			break; /* not yet filed */
		if (office && quarter_last_day(quarter_next(qr.q)) > d->as_of)
			break; /* the newest report is missing */
		rc = report_quarter(d, &qr, f, per_weight, &net[n], e);
		qs[n] = qr.q;
		filed[n++] = f;
		dc->lines += qr.rows;
		dc->net_sales += qr.invoiced_total;
	}
	if (!rc)
		rc = ledger_flush(qr.l, e);
	ledger_close(qr.l);
	if (!rc)
		rc = db_commit(d->db, e);
	else
		db_rollback(d->db);
	for (i = 0; !rc && i < n; i++) {
		YearRange y = sched_year_range(t->fee.year == YEAR_CONTRACT, t->start,
					       sched_year_of(t->fee.year == YEAR_CONTRACT, t->start,
							     quarter_first_day(qs[i])));

		if (quarter_first_day(qs[i]) == y.first)
			ytd = 0;
		rc = pay_quarter(d, t, qs[i], filed[i], quarter_fee(t, ytd, net[i]),
				 i == n - 1 && quarter_last_day(qs[i]) + 120 > d->as_of, e);
		ytd += net[i];
	}
	return rc;
}

/* Cancel a few orders in full: reversals with a reason. */
static ClCode reverse_some(Demo *d, const char *number, Err *e)
{
	int64_t cid, ids[3];
	ClCode rc, end;
	int n = 0, i;
	DbRows q;

	rc = contract_load(d->db, number, &cid, NULL, e);
	if (rc)
		return rc;
	rc = db_rows(&q, d->db, e,
		     "SELECT id FROM live_purchase WHERE contract_id = ? AND list_amount > 0 "
		     "ORDER BY id LIMIT 3 OFFSET 40",
		     "i", cid);
	while (!rc && n < 3 && db_rows_next(&q))
		ids[n++] = sqlite3_column_int64(q.st, 0);
	end = db_rows_end(&q, "reading the lines to cancel", e);
	if (!rc)
		rc = end;
	for (i = 0; !rc && i < n; i++) {
		rc = ledger_reverse_line(
			d->db, ids[i],
			"Order cancelled before delivery; vendor credited the invoice", ACTOR, NULL,
			e);
		if (!rc)
			d->sum->reversals++;
	}
	return rc;
}

/* Close the quarters that ended more than nine months before as_of. */
static ClCode close_old_quarters(Demo *d, Err *e)
{
	Quarter q = quarter_of(date_from_ymd(2022, 7, 1));
	ClCode rc = CL_OK;

	for (; !rc && quarter_last_day(q) + 270 < d->as_of; q = quarter_next(q)) {
		rc = period_close(d->db, q, ACTOR, e);
		d->sum->closed_quarters++;
	}
	return rc;
}

static ClCode add_users(Demo *d, Err *e)
{
	static const struct {
		const char *email, *role, *agency, *vendor;
	} users[4] = {
		{"admin@usd259.ks.example", "admin", NULL, NULL},
		{"finance@usd259.ks.example", "finance", NULL, NULL},
		{"buyer@usd233.ks.example", "member", "USD233", NULL},
		{"reports@prairie-furniture.example", "vendor", NULL, "V-PRAIRIE"},
	};
	ClCode rc = CL_OK;
	int i;

	for (i = 0; !rc && i < 4; i++) {
		DemoUser *u = &d->sum->user[i];
		Role role;

		snprintf(u->email, sizeof u->email, "%s", users[i].email);
		snprintf(u->role, sizeof u->role, "%s", users[i].role);
		snprintf(u->binding, sizeof u->binding, "%s",
			 users[i].agency   ? users[i].agency
			 : users[i].vendor ? users[i].vendor
					   : "");
		user_random_password(u->password, 17);
		rc = role_parse(users[i].role, &role, e);
		if (!rc)
			rc = user_add(d->db, u->email, u->password, role, users[i].agency,
				      users[i].vendor, ACTOR, NULL, e);
	}
	return rc;
}

/* Create a contract from its document and fill it with members and sales. */
static ClCode load_program(Demo *d, const char *doc, int share, const Item *items, int nitems,
			   int per_weight, Err *e)
{
	DemoContract *dc = &d->sum->contract[d->sum->ncontract++];
	Terms t = {0};
	ClCode rc;

	rc = contract_import(d->db, doc, strlen(doc), ACTOR, NULL, e);
	if (!rc)
		rc = terms_parse(doc, strlen(doc), &t, e);
	if (rc)
		return rc;
	snprintf(dc->number, sizeof dc->number, "%s", t.number);
	snprintf(dc->vendor, sizeof dc->vendor, "%s", t.vendor);
	rc = add_participants(d, &t, share, dc, e);
	if (!rc)
		rc = load_contract_sales(d, &t, items, nitems, per_weight, dc, e);
	return rc;
}

/* Each contract's live lines and net sales, once the reversals are in. */
static void live_totals(sqlite3 *db, DemoSummary *sum)
{
	int i;

	for (i = 0; i < sum->ncontract; i++) {
		DemoContract *c = &sum->contract[i];

		c->lines = db_int(db, 0,
				  "SELECT count(*) FROM live_purchase WHERE contract_id = "
				  "(SELECT id FROM contract WHERE number = ?)",
				  "t", c->number);
		c->net_sales =
			db_int(db, 0,
			       "SELECT coalesce(sum(invoiced_amount), 0) FROM live_purchase "
			       "WHERE contract_id = (SELECT id FROM contract WHERE number = ?)",
			       "t", c->number);
	}
}

ClCode demo_load(sqlite3 *db, Date as_of, DemoSummary *sum, Err *e)
{
	Demo *d;
	ClCode rc;

	memset(sum, 0, sizeof *sum);
	if (db_int(db, 0, "SELECT count(*) FROM agency", ""))
		return err_set(e, CL_ECONFLICT,
			       "the database already holds agencies; load the demo into a new "
			       "database (for example: coopledger --db demo.db demo)");
	d = calloc(1, sizeof *d);
	if (!d)
		return err_set(e, CL_ENOMEM, "out of memory");
	d->db = db;
	d->as_of = as_of;
	d->sum = sum;
	rng_state = DEMO_SEED;
	rc = load_agencies(d, e);
	if (!rc)
		rc = load_vendors(d, e);
	if (!rc)
		rc = load_program(d, terms_furn_2022, 600, school_items,
				  (int)(sizeof school_items / sizeof *school_items), 200, e);
	if (!rc)
		rc = load_program(d, terms_furn_2025, 700, school_items,
				  (int)(sizeof school_items / sizeof *school_items), 240, e);
	if (!rc)
		rc = load_program(d, terms_offc_2025, 250, office_items,
				  (int)(sizeof office_items / sizeof *office_items), 120, e);
	if (!rc)
		rc = reverse_some(d, "KS-FURN-2025", e);
	if (!rc)
		rc = close_old_quarters(d, e);
	if (!rc)
		rc = add_users(d, e);
	sum->lines = db_int(db, 0, "SELECT count(*) FROM purchase", "");
	live_totals(db, sum);
	free(d);
	return rc;
}
