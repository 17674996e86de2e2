/*
 * handlers.h — page and API handlers named in the route table
 * (routes.c).  Each reads its validated input from the Req, calls core/,
 * and answers with resp_*() or render_page().
 */
#ifndef COOPLEDGER_HANDLERS_H
#define COOPLEDGER_HANDLERS_H

#include "http.h"

/* JSON API (api.c) */
int api_tokens_create(Req *r);
int api_me(Req *r);
int api_contracts(Req *r);
int api_contract(Req *r);
int api_fees(Req *r);
int api_rebates(Req *r);
int api_compliance(Req *r);
int api_import(Req *r);
int api_remit(Req *r);
int api_agencies(Req *r);
int api_agency(Req *r);
int api_agency_purchases(Req *r);

/* Visibility shared by pages and API: 1 if the principal may see the
 * contract (staff: all; member: a participant; vendor: its own). */
int may_see_contract(Req *r, const char *number);
int may_see_agency(Req *r, const char *code);

#endif
