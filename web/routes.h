/*
 * routes.h — the route table: every page and API route with the roles that
 * may use it, and the dispatcher that signs the request in, checks the
 * role and the CSRF token, and calls the handler.
 */
#ifndef COOPLEDGER_ROUTES_H
#define COOPLEDGER_ROUTES_H

#include "http.h"

enum {
	R_ADMIN = 1 << ROLE_ADMIN,
	R_FINANCE = 1 << ROLE_FINANCE,
	R_MEMBER = 1 << ROLE_MEMBER,
	R_VENDOR = 1 << ROLE_VENDOR,
	R_ANON = 1 << 4, /* no sign-in needed */
	R_STAFF = R_ADMIN | R_FINANCE,
	R_ANY = R_ADMIN | R_FINANCE | R_MEMBER | R_VENDOR
};

typedef int (*Handler)(Req *r);

typedef struct Route {
	const char *method;
	const char *pattern; /* "/api/v1/contracts/:number/fees" */
	Handler handler;
	int roles;
} Route;

/* From the headers alone: sign r in, find its route and check the role.
 * Returns 0 when the request may go on (its body is then read), or 1 after
 * answering it (not signed in, no such page, not allowed): a body is never
 * read for a request that is refused anyway. */
int routes_gate(Req *r);

/* Answer r once its body is in: the gate if it has not run, the CSRF
 * check, the handler.  Fills r->resp. */
void routes_dispatch(Req *r);

/* The route table (ends with a NULL method), for tests and the docs. */
extern const Route routes[];

#endif
