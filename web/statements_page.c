/* statements_page.c — statement downloads from the web UI: a member's
 * statement, a vendor's fee statement and the revenue report, as PDF. */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "pdf.h"
#include "statements_page.h"
#include "stmtdata.h"

/* Answer with PDF bytes (taken over) as a download named name. */
static int send_pdf(Req *r, unsigned char *pdf, size_t len, const char *name)
{
	resp_text(r, 200, "application/pdf", (char *)pdf, name);
	r->resp.len = len;
	return 0;
}

/* ?period=Q or ?year=K.  OUT: *p; -1 after answering 400. */
static int period_or_400(Req *r, StatementPeriod *p)
{
	const char *q = req_query(r, "period"), *y = req_query(r, "year");
	Err e = {0};

	memset(p, 0, sizeof *p);
	if (q && quarter_parse(q, &p->q, &e) == CL_OK)
		return 0;
	if (!q && y && atoi(y) > 0 && atoi(y) < 10000) {
		p->is_year = 1;
		p->year = atoi(y);
		return 0;
	}
	resp_error(r, 400, "give ?period=2026-Q3 or ?year=1");
	return -1;
}

int page_member_statement(Req *r)
{
	const char *contract = r->param[0], *agency = r->param[1];
	char name[200], label[32];
	StatementPeriod p;
	unsigned char *pdf = NULL;
	size_t len = 0;
	Err e = {0};

	if (!may_see_contract(r, contract) || !may_see_agency(r, agency))
		return resp_error(r, 404, "there is no such statement");
	if (period_or_400(r, &p))
		return 0;
	if (pdf_member_statement(r->db, contract, agency, &p, r->today, NULL, &pdf, &len, &e))
		return resp_error(r, e.code == CL_ENOTFOUND ? 404 : 400, "%s", e.msg);
	pdf_member_filename(contract, pdf_period_label(r->db, contract, &p, label, sizeof label),
			    agency, name, sizeof name);
	return send_pdf(r, pdf, len, name);
}

int page_vendor_statement(Req *r)
{
	const char *contract = r->param[0];
	char name[200], qt[QUARTER_BUF], vendor[40];
	StatementPeriod p;
	unsigned char *pdf = NULL;
	size_t len = 0;
	Err e = {0};

	if (!may_see_contract(r, contract) || r->who.role == ROLE_MEMBER)
		return resp_error(r, 404, "there is no such statement");
	if (period_or_400(r, &p))
		return 0;
	if (p.is_year)
		return resp_error(r, 400,
				  "a fee statement is for one quarter: give ?period=2026-Q3");
	if (pdf_vendor_statement(r->db, contract, p.q, r->today, NULL, &pdf, &len, &e))
		return resp_error(r, e.code == CL_ENOTFOUND ? 404 : 400, "%s", e.msg);
	if (stmtdata_vendor_code(r->db, contract, vendor, sizeof vendor, &e)) {
		free(pdf);
		return resp_error(r, 500, "%s", e.msg);
	}
	pdf_vendor_filename(contract, quarter_format(p.q, qt), vendor, name, sizeof name);
	return send_pdf(r, pdf, len, name);
}

int page_revenue_report(Req *r)
{
	const char *y = req_query(r, "year"), *contract = req_query(r, "contract");
	int year = y ? atoi(y) : 0;
	unsigned char *pdf = NULL;
	size_t len = 0;
	char name[120];
	Err e = {0};

	if ((y && (year < 1900 || year > 2999)) || (contract && !may_see_contract(r, contract)))
		return resp_error(r, 400, "give ?year=2026 (and optionally ?contract=NUMBER)");
	if (pdf_revenue_report(r->db, year, contract, r->today, NULL, &pdf, &len, &e))
		return resp_error(r, 400, "%s", e.msg);
	return send_pdf(r, pdf, len, pdf_revenue_filename(contract, year, name, sizeof name));
}
