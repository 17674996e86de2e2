/* journal.c — ledger/hledger journal export; see journal.h. */
#include "journal.h"

#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "db.h"
#include "fees.h"
#include "money.h"

/* Amounts for ledger: "$1234.56", "$-12.50". */
static const char *amount(Money m, char *buf)
{
	char plain[MONEY_BUF];

	snprintf(buf, MONEY_BUF + 2, "$%s", money_format(m, plain));
	return buf;
}

/* Copy s into buf with control characters as blanks (a payee is one line). */
static const char *one_line(const char *s, char *buf, size_t n)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < n; i++)
		buf[i] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
	buf[i] = '\0';
	return buf;
}

/* A two-posting transaction: debit gets m, credit gets -m. */
static void entry(FILE *out, const char *day, const char *payee, const char *debit,
		  const char *credit, Money m)
{
	char a[MONEY_BUF + 2], b[MONEY_BUF + 2];

	fprintf(out, "%s * %s\n    %-40s %16s\n    %-40s %16s\n\n", day, payee, debit, amount(m, a),
		credit, amount(-m, b));
}

static ClCode export_lines(sqlite3 *db, int64_t cid, const char *sales, FILE *out, Err *e)
{
	char payee[200], acct[64], inv[80], po[80];
	ClCode rc, end;
	DbRows q;

	rc = db_rows(&q, db, e,
		     "SELECT p.invoice_date, p.invoice_number, p.line, p.po_number, a.code, "
		     "p.invoiced_amount FROM live_purchase p JOIN agency a ON a.id = p.agency_id "
		     "WHERE p.contract_id = ? ORDER BY p.invoice_date, p.id",
		     "i", cid);
	while (!rc && db_rows_next(&q)) {
		sqlite3_stmt *st = q.st;

		snprintf(payee, sizeof payee, "%s/%d %s",
			 one_line((const char *)sqlite3_column_text(st, 1), inv, sizeof inv),
			 sqlite3_column_int(st, 2),
			 one_line((const char *)sqlite3_column_text(st, 3), po, sizeof po));
		snprintf(acct, sizeof acct, "Members:%s", (const char *)sqlite3_column_text(st, 4));
		entry(out, (const char *)sqlite3_column_text(st, 0), payee, acct, sales,
		      sqlite3_column_int64(st, 5));
	}
	end = db_rows_end(&q, "reading the ledger lines", e);
	return rc ? rc : end;
}

static ClCode export_fees(sqlite3 *db, const char *contract, const char *fees, Date today,
			  FILE *out, Err *e)
{
	char day[DATE_BUF], qt[QUARTER_BUF], payee[96];
	FeeQuarter *fq;
	int n, i;

	if (fees_quarters(db, contract, NULL, today, &fq, &n, e))
		return e ? e->code : CL_EDB;
	for (i = 0; i < n; i++) {
		quarter_format(fq[i].q, qt);
		snprintf(payee, sizeof payee, "Admin fee %s", qt);
		if (fq[i].fee)
			entry(out, date_format(quarter_last_day(fq[i].q), day), payee, fees,
			      "Revenue:AdminFees", fq[i].fee);
		snprintf(payee, sizeof payee, "Late fee %s", qt);
		if (fq[i].late_fee)
			entry(out, date_format(fq[i].due + 1, day), payee, fees, "Revenue:LateFees",
			      fq[i].late_fee);
	}
	free(fq);
	return CL_OK;
}

static ClCode export_remittances(sqlite3 *db, int64_t cid, const char *fees, Date today, FILE *out,
				 Err *e)
{
	char payee[160], ref[80], day[DATE_BUF];
	ClCode rc, end;
	DbRows q;

	rc = db_rows(&q, db, e,
		     "SELECT received, quarter, reference, amount FROM live_remittance "
		     "WHERE contract_id = ? AND received <= ? ORDER BY received, id",
		     "it", cid, date_format(today, day));
	while (!rc && db_rows_next(&q)) {
		snprintf(payee, sizeof payee, "Remittance %s for %s",
			 one_line((const char *)sqlite3_column_text(q.st, 2), ref, sizeof ref),
			 (const char *)sqlite3_column_text(q.st, 1));
		entry(out, (const char *)sqlite3_column_text(q.st, 0), payee, "Assets:Remittances",
		      fees, sqlite3_column_int64(q.st, 3));
	}
	end = db_rows_end(&q, "reading the remittances", e);
	return rc ? rc : end;
}

ClCode journal_export(sqlite3 *db, const char *contract, Date today, FILE *out, Err *e)
{
	char sales[64], fees[64], day[DATE_BUF];
	int64_t cid = 0;
	Terms t = {0};
	ClCode rc;

	rc = contract_load(db, contract, &cid, &t, e);
	if (rc)
		return rc;
	snprintf(sales, sizeof sales, "Vendor:%s:Sales", t.vendor);
	snprintf(fees, sizeof fees, "Vendor:%s:Fees", t.vendor);
	fprintf(out,
		"; Journal of contract %s, %s, as of %s.\n"
		"; Written by `coopledger export ledger`: live ledger lines (net of reversals),\n"
		"; quarterly administrative fees, late fees and remittances received.\n\n",
		t.number, t.title, date_format(today, day));
	rc = export_lines(db, cid, sales, out, e);
	if (!rc)
		rc = export_fees(db, contract, fees, today, out, e);
	if (!rc)
		rc = export_remittances(db, cid, fees, today, out, e);
	if (!rc && ferror(out))
		rc = err_set(e, CL_EIO, "writing the journal failed");
	return rc;
}
