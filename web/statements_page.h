/*
 * statements_page.h — PDF statement downloads (statements_page.c).
 */
#ifndef COOPLEDGER_STATEMENTS_PAGE_H
#define COOPLEDGER_STATEMENTS_PAGE_H

#include "http.h"

/* GET /contracts/:number/statements/:agency?period=Q|year=K */
int page_member_statement(Req *r);
/* GET /contracts/:number/fee-statement?period=Q */
int page_vendor_statement(Req *r);
/* GET /revenue.pdf?year=YYYY[&contract=N] */
int page_revenue_report(Req *r);

#endif
