/* statement.c — the PDF a statement notice carries (reports/pdf.h); the
 * default statement hook of send.h. */
#include <stdio.h>
#include <string.h>

#include "pdf.h"
#include "send.h"

/* Letters, digits, '-', '_' and '.' of s, others as '-', into buf. */
static void file_safe(char *buf, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < n; i++) {
		char c = s[i];

		buf[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
				 c == '-' || c == '_' || c == '.'
			 ? c
			 : '-';
	}
	buf[i] = '\0';
}

ClCode mail_pdf_statement(sqlite3 *db, const OutboxNotice *n, Date today, MailStatement *out,
			  Err *e)
{
	StatementPeriod p;
	char day[DATE_BUF], contract[64], agency[40];
	ClCode rc;

	memset(out, 0, sizeof *out);
	memset(&p, 0, sizeof p);
	rc = quarter_parse(n->period, &p.q, e);
	if (rc)
		return rc;
	date_format(today, day);
	file_safe(contract, sizeof contract, n->contract);
	file_safe(agency, sizeof agency, n->agency);
	snprintf(out->type, sizeof out->type, "application/pdf");
	if (strcmp(n->kind, "statement_ready") == 0) {
		snprintf(out->filename, sizeof out->filename, "statement-%.32s-%.63s-%.8s.pdf", agency,
			 contract, n->period);
		return pdf_member_statement(db, n->contract, n->agency, &p, today, day, &out->data,
					    &out->len, e);
	}
	if (strcmp(n->kind, "fee_statement") == 0) {
		snprintf(out->filename, sizeof out->filename, "fee-statement-%.63s-%.8s.pdf", contract,
			 n->period);
		return pdf_vendor_statement(db, n->contract, p.q, today, day, &out->data, &out->len,
					    e);
	}
	return CL_OK;
}
