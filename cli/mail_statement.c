/* mail_statement.c — the PDF a statement notice carries (reports/pdf.h):
 * the statement hook of mail/send.h, wired here because mail does not
 * depend on reports.  The attachment is named as `coopledger statements`
 * names the same file (pdf_member_filename, pdf_vendor_filename). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "pdf.h"
#include "send.h"

ClCode cli_pdf_statement(sqlite3 *db, const OutboxNotice *n, Date today, MailStatement *out, Err *e)
{
	StatementPeriod p;
	char day[DATE_BUF];
	ClCode rc;

	memset(out, 0, sizeof *out);
	memset(&p, 0, sizeof p);
	rc = quarter_parse(n->period, &p.q, e);
	if (rc)
		return rc;
	date_format(today, day);
	snprintf(out->type, sizeof out->type, "application/pdf");
	if (strcmp(n->kind, "statement_ready") == 0) {
		pdf_member_filename(n->contract, n->period, n->agency, out->filename,
				    sizeof out->filename);
		return pdf_member_statement(db, n->contract, n->agency, &p, today, day, &out->data,
					    &out->len, e);
	}
	if (strcmp(n->kind, "fee_statement") == 0) {
		pdf_vendor_filename(n->contract, n->period, n->vendor, out->filename,
				    sizeof out->filename);
		return pdf_vendor_statement(db, n->contract, p.q, today, day, &out->data, &out->len,
					    e);
	}
	return CL_OK;
}
