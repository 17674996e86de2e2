/*
 * handlers.h — page and API handlers named in the route table
 * (routes.c).  Each reads its validated input from the Req, calls core/,
 * and answers with resp_*() or render_page().
 */
#ifndef COOPLEDGER_HANDLERS_H
#define COOPLEDGER_HANDLERS_H

#include "encode.h"
#include "fees.h"
#include "http.h"

/* JSON API (api.c) */
int api_tokens_create(Req *r);
int api_me(Req *r);
/* page_catalog.c: the public catalog (DOMAIN.md section 7) */
int api_catalog(Req *r);
int api_catalog_entry(Req *r);
int api_contracts(Req *r);
int api_contract(Req *r);
int api_contract_create(Req *r);
int api_fees(Req *r);
int api_rebates(Req *r);
int api_compliance(Req *r);
int api_import(Req *r);
int api_remit(Req *r);
int api_remit_reverse(Req *r);
int api_amend(Req *r);
/* page_registers.c: POST /api/v1/contracts/:number/registers */
int api_registers(Req *r);
/* page_completeness.c: the audit as `report completeness --json` gives
 * it; a member's own POs and quarters only */
int api_completeness(Req *r);
/* The request's body as a JSON object (caller frees), or NULL after
 * answering 400 with what is wrong with it. */
cJSON *api_body_or_400(Req *r);
/* o[key] when it is a string, else NULL. */
const char *api_str(const cJSON *o, const char *key);
int api_agencies(Req *r);
int api_agency(Req *r);
int api_agency_purchases(Req *r);
/* api_vendors.c */
int api_vendors(Req *r);
int api_vendor_add(Req *r);
int api_vendor_map(Req *r);
/* api_records.c: POST /api/v1/agencies and
 * POST /api/v1/contracts/:number/participants */
int api_agency_add(Req *r);
int api_participants_add(Req *r);
/* api_account.c: invitations and password links */
int api_user_invite(Req *r);	/* POST /api/v1/users (admin) */
int api_password_reset(Req *r); /* POST /api/v1/password-resets (public) */
int api_password_set(Req *r);	/* POST /api/v1/password (public) */
/* page_join.c: join requests (public) and staff's decisions */
int api_join_create(Req *r);
int api_join_list(Req *r);
int api_join_approve(Req *r);
int api_join_decline(Req *r);
/* page_documents.c: a contract's documents (all for staff, else the
 * public ones) and a new one from a PDF body (admin) */
int api_documents(Req *r);
int api_document_add(Req *r);

/* A money report, from the cache while the books are unchanged. */
typedef enum { REP_FEES, REP_REBATES, REP_COMPLIANCE, REP_AGENCY } ReportKind;

typedef struct ReportAsk {
	ReportKind kind;
	const char *contract; /* NULL: every contract (agency report) */
	FeeSelect sel;	      /* year and/or period */
	const char *agency;   /* a member's view, or the agency reported */
	EncMode mode;	      /* ENC_DATA for the API, ENC_PAGE for a page */
	long page;	      /* compliance: the page (1-based) of limit lines */
	int limit;
} ReportAsk;

/* The report as a new cJSON the caller frees, or NULL with e set. */
cJSON *report_cached(Req *r, const ReportAsk *a, Err *e);

/* Visibility shared by pages and API: 1 if the request's principal may
 * see the contract or agency; the rules and their queries are core's
 * (access.h), which refuses when the check itself fails. */
int may_see_contract(Req *r, const char *number);
int may_see_agency(Req *r, const char *code);

#endif
