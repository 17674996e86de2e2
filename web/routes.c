/* routes.c — the route table and the dispatcher; see routes.h. */
#include "routes.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "handlers.h"
#include "pages.h"
#include "packet_page.h"
#include "session.h"
#include "statements_page.h"

const Route routes[] = {
	/* sign-in and assets */
	{"GET", "/login", page_login_form, R_ANON},
	{"POST", "/login", page_login, R_ANON},
	{"POST", "/logout", page_logout, R_ANY},
	{"GET", "/static/:file", page_static, R_ANON},
	{"GET", "/favicon.ico", page_favicon, R_ANON},
	/* the public catalog (DOMAIN.md section 7): anyone, signed in or not */
	{"GET", "/catalog", page_catalog, R_ANON},
	{"GET", "/catalog/:number", page_catalog_entry, R_ANON},
	{"GET", "/api/v1/catalog", api_catalog, R_ANON},
	{"GET", "/api/v1/catalog/:number", api_catalog_entry, R_ANON},
	/* pages */
	{"GET", "/", page_home, R_ANY},
	{"GET", "/contracts", page_contracts, R_ANY},
	{"GET", "/contracts.csv", page_contracts_csv, R_ANY},
	/* a new contract, from the form, a terms document file or the API
	 * (DOMAIN.md 4): admin only.  Before /contracts/:number, which "new"
	 * would match too. */
	{"GET", "/contracts/new", page_contract_new, R_ADMIN},
	{"POST", "/contracts", page_contract_create, R_ADMIN},
	{"POST", "/api/v1/contracts", api_contract_create, R_ADMIN},
	{"GET", "/contracts/:number", page_contract, R_ANY},
	{"GET", "/contracts/:number/amend", page_amend_form, R_ADMIN},
	{"POST", "/contracts/:number/amendments", page_amend, R_ADMIN},
	{"GET", "/contracts/:number/fees.csv", page_fees_csv, R_STAFF | R_VENDOR},
	{"GET", "/contracts/:number/remittances.csv", page_remittances_csv, R_STAFF | R_VENDOR},
	/* the completeness audit (DOMAIN.md 4.7): staff see every member's
	 * POs; a member, in the API, its own */
	{"GET", "/contracts/:number/completeness", page_completeness, R_STAFF},
	{"GET", "/contracts/:number/completeness.csv", page_completeness_csv, R_STAFF},
	{"GET", "/api/v1/contracts/:number/completeness", api_completeness, R_STAFF | R_MEMBER},
	{"GET", "/missing-reports.csv", page_missing_csv, R_STAFF},
	{"GET", "/agencies", page_agencies, R_STAFF},
	{"GET", "/agencies.csv", page_agencies_csv, R_STAFF},
	{"GET", "/agencies/:code", page_agency, R_STAFF | R_MEMBER},
	{"GET", "/agencies/:code/purchases.csv", page_agency_csv, R_STAFF | R_MEMBER},
	/* agencies, their contacts and a contract's participants: admin
	 * changes them, finance reads (page_agency_forms.c,
	 * page_participants.c, api_records.c) */
	{"POST", "/agencies", page_agency_add, R_ADMIN},
	{"POST", "/agencies.csv", page_agencies_import, R_ADMIN},
	{"POST", "/agencies/:code", page_agency_edit, R_ADMIN},
	{"POST", "/agencies/:code/contacts", page_contact_add, R_ADMIN},
	{"POST", "/agencies/:code/contacts/:id", page_contact_edit, R_ADMIN},
	{"POST", "/agencies/:code/contacts/:id/remove", page_contact_remove, R_ADMIN},
	{"GET", "/contracts/:number/participants.csv", page_participants_csv, R_STAFF},
	{"POST", "/contracts/:number/participants", page_participants_enroll, R_ADMIN},
	{"POST", "/api/v1/agencies", api_agency_add, R_ADMIN},
	{"POST", "/api/v1/contracts/:number/participants", api_participants_add, R_ADMIN},
	{"GET", "/purchases", page_purchases, R_STAFF | R_MEMBER},
	{"GET", "/purchases.csv", page_purchases_csv, R_STAFF | R_MEMBER},
	{"POST", "/purchases/:id/reverse", page_reverse_line, R_ADMIN},
	{"GET", "/imports", page_imports, R_ADMIN | R_FINANCE | R_VENDOR},
	{"GET", "/imports.csv", page_imports_csv, R_ADMIN | R_FINANCE | R_VENDOR},
	{"GET", "/imports/template.csv", page_import_template, R_ADMIN | R_FINANCE | R_VENDOR},
	/* DOMAIN.md section 1: admin and vendors (their own) import; finance reads */
	{"POST", "/imports", page_import_upload, R_ADMIN | R_VENDOR},
	{"GET", "/imports/:id/errors.csv", page_import_errors_csv, R_ADMIN | R_VENDOR},
	{"POST", "/imports/:id/reverse", page_reverse_batch, R_ADMIN},
	/* members' purchase registers (DOMAIN.md 4.7): a member sends its
	 * own, staff any participant's; staff reverse */
	{"GET", "/contracts/:number/registers", page_registers, R_STAFF | R_MEMBER},
	{"GET", "/contracts/:number/registers/template.csv", page_register_template,
	 R_STAFF | R_MEMBER},
	{"POST", "/contracts/:number/registers", page_register_upload, R_STAFF | R_MEMBER},
	{"POST", "/contracts/:number/registers/:id/reverse", page_register_reverse, R_STAFF},
	{"POST", "/api/v1/contracts/:number/registers", api_registers, R_STAFF | R_MEMBER},
	{"GET", "/reconciliation", page_reconciliation, R_STAFF},
	{"GET", "/reconciliation.csv", page_reconciliation_csv, R_STAFF},
	{"POST", "/remittances", page_remit, R_STAFF},
	{"POST", "/remittances/:id/reverse", page_remit_reverse, R_STAFF},
	{"POST", "/periods", page_period, R_STAFF},
	{"GET", "/rebates", page_rebates, R_STAFF},
	{"GET", "/rebates.csv", page_rebates_csv, R_STAFF},
	{"GET", "/users", page_users, R_ADMIN},
	{"GET", "/users.csv", page_users_csv, R_ADMIN},
	{"POST", "/users", page_user_add, R_ADMIN},
	{"GET", "/tokens", page_tokens, R_ANY},
	{"GET", "/tokens.csv", page_tokens_csv, R_ANY},
	{"POST", "/tokens", page_token_add, R_ANY},
	{"POST", "/tokens/:id/revoke", page_token_revoke, R_ANY},
	{"GET", "/audit", page_audit, R_STAFF},
	{"GET", "/audit.csv", page_audit_csv, R_STAFF},
	{"GET", "/outbox", page_outbox, R_STAFF},
	{"GET", "/outbox.csv", page_outbox_csv, R_STAFF},
	{"GET", "/contracts/:number/statements/:agency", page_member_statement, R_STAFF | R_MEMBER},
	{"GET", "/contracts/:number/fee-statement", page_vendor_statement, R_STAFF | R_VENDOR},
	{"GET", "/revenue.pdf", page_revenue_report, R_STAFF},
	{"POST", "/outbox/:id/retry", page_outbox_retry, R_STAFF},
	{"POST", "/outbox/send", page_outbox_send, R_STAFF},
	{"POST", "/contracts/:number/statements/:agency/send", page_statement_send, R_STAFF},
	/* the due-diligence packet (staff and that member) and the contract as
	 * OCDS (public; members' orders only when admin publish them) */
	{"GET", "/agencies/:code/contracts/:number/packet.pdf", page_packet, R_STAFF | R_MEMBER},
	{"GET", "/catalog/:number/ocds.json", page_ocds, R_ANON},
	{"POST", "/contracts/:number/ocds-publishing", page_ocds_publishing, R_ADMIN},
	{"POST", "/api/v1/contracts/:number/ocds-publishing", api_ocds_publishing, R_ADMIN},
	/* vendors, their contacts and report column mapping: admin changes, finance reads */
	{"GET", "/vendors", page_vendors, R_STAFF},
	{"GET", "/vendors.csv", page_vendors_csv, R_STAFF},
	{"POST", "/vendors", page_vendor_add, R_ADMIN},
	{"GET", "/vendors/:code", page_vendor, R_STAFF},
	{"POST", "/vendors/:code", page_vendor_rename, R_ADMIN},
	{"POST", "/vendors/:code/contacts", page_vendor_contact_add, R_ADMIN},
	{"POST", "/vendors/:code/contacts/:id", page_vendor_contact_edit, R_ADMIN},
	{"POST", "/vendors/:code/contacts/:id/remove", page_vendor_contact_remove, R_ADMIN},
	{"POST", "/vendors/:code/sample", page_vendor_sample, R_ADMIN},
	{"POST", "/vendors/:code/column-map", page_vendor_map, R_ADMIN},
	{"GET", "/api/v1/vendors", api_vendors, R_STAFF},
	{"POST", "/api/v1/vendors", api_vendor_add, R_ADMIN},
	{"POST", "/api/v1/vendors/:code/column-map", api_vendor_map, R_ADMIN},
	/* JSON API (DOMAIN.md section 6) */
	{"POST", "/api/v1/tokens", api_tokens_create, R_ANON},
	{"GET", "/api/v1/me", api_me, R_ANY},
	{"GET", "/api/v1/contracts", api_contracts, R_ANY},
	{"GET", "/api/v1/contracts/:number", api_contract, R_ANY},
	{"GET", "/api/v1/contracts/:number/fees", api_fees, R_STAFF | R_VENDOR},
	{"GET", "/api/v1/contracts/:number/rebates", api_rebates, R_STAFF | R_MEMBER},
	{"GET", "/api/v1/contracts/:number/compliance", api_compliance, R_STAFF | R_MEMBER},
	{"POST", "/api/v1/contracts/:number/imports", api_import, R_ADMIN | R_VENDOR},
	{"POST", "/api/v1/contracts/:number/remittances", api_remit, R_STAFF},
	{"POST", "/api/v1/remittances/:id/reversal", api_remit_reverse, R_STAFF},
	/* contract amendments (DOMAIN.md 4.6): admin changes, finance reads */
	{"POST", "/api/v1/contracts/:number/amendments", api_amend, R_ADMIN},
	{"GET", "/api/v1/agencies", api_agencies, R_ANY},
	{"GET", "/api/v1/agencies/:code", api_agency, R_STAFF | R_MEMBER},
	{"GET", "/api/v1/agencies/:code/purchases", api_agency_purchases, R_STAFF | R_MEMBER},
	/* users by invitation, password links, deactivation and one's own
	 * password; a link or a reset needs no sign-in */
	{"POST", "/users/invite", page_user_invite, R_ADMIN},
	{"POST", "/users/:id/deactivate", page_user_deactivate, R_ADMIN},
	{"GET", "/password-reset", page_forgot_form, R_ANON},
	{"POST", "/password-reset", page_forgot, R_ANON},
	{"GET", "/password", page_password_form, R_ANON},
	{"POST", "/password", page_password_set, R_ANON},
	{"GET", "/account", page_account, R_ANY},
	{"POST", "/account/password", page_account_password, R_ANY},
	{"POST", "/api/v1/users", api_user_invite, R_ADMIN},
	{"POST", "/api/v1/password-resets", api_password_reset, R_ANON},
	{"POST", "/api/v1/password", api_password_set, R_ANON},
	/* completeness inquiries to the vendor (DOMAIN.md 4.7, page_inquiry.c):
	 * staff send; the CSV as sent for staff and that contract's vendor
	 * (anyone else: 404) */
	{"POST", "/contracts/:number/inquiries", page_inquiry_send, R_STAFF},
	{"POST", "/api/v1/contracts/:number/inquiries", api_inquiry_send, R_STAFF},
	{"GET", "/inquiries/:id.csv", page_inquiry_csv, R_ANY},
	/* joining a contract from the catalog (DOMAIN.md section 7,
	 * page_join.c): anyone asks; admin decides, finance reads */
	{"GET", "/catalog/:number/join", page_join_form, R_ANON},
	{"POST", "/catalog/:number/join", page_join_send, R_ANON},
	{"POST", "/api/v1/catalog/:number/join-requests", api_join_create, R_ANON},
	{"GET", "/join-requests", page_join_requests, R_STAFF},
	{"POST", "/join-requests/:id/approve", page_join_approve, R_ADMIN},
	{"POST", "/join-requests/:id/decline", page_join_decline, R_ADMIN},
	{"GET", "/api/v1/join-requests", api_join_list, R_STAFF},
	{"POST", "/api/v1/join-requests/:id/approve", api_join_approve, R_ADMIN},
	{"POST", "/api/v1/join-requests/:id/decline", api_join_decline, R_ADMIN},
	/* contract documents (DOMAIN.md 7, page_documents.c): admin adds and
	 * says who may read; a public one is anyone's, a staff-only one
	 * staff's (anyone else: 404) */
	{"POST", "/contracts/:number/documents", page_document_upload, R_ADMIN},
	{"POST", "/contracts/:number/documents/:id/visibility", page_document_visibility, R_ADMIN},
	{"GET", "/contracts/:number/documents/:id/:filename", page_document_file, R_ANON},
	{"POST", "/api/v1/contracts/:number/documents", api_document_add, R_ADMIN},
	{"GET", "/api/v1/contracts/:number/documents", api_documents, R_ANON},
	{NULL, NULL, NULL, 0},
};

/* Match path against pattern, capturing ":name" segments into r->param.
 * Returns 1 on a match. */
static int match(const char *pattern, const char *path, Req *r)
{
	const char *p = pattern, *s = path;

	r->nparam = 0;
	while (*p && *s) {
		if (*p == ':') {
			const char *end = strchr(s, '/'), *pend = strchr(p, '/');
			size_t n = end ? (size_t)(end - s) : strlen(s);

			if (n == 0 || n > 200 || r->nparam == HTTP_MAX_PARAMS)
				return 0;
			r->param[r->nparam] = strndup(s, n);
			if (!r->param[r->nparam++])
				return 0;
			s += n;
			p = pend ? pend : p + strlen(p);
			continue;
		}
		if (*p++ != *s++)
			return 0;
	}
	return *p == '\0' && *s == '\0';
}

static void params_free(Req *r)
{
	int i;

	for (i = 0; i < r->nparam; i++)
		free(r->param[i]);
	r->nparam = 0;
}

/* Sign the request in from a bearer token or the session cookie. */
static void authenticate(Req *r)
{
	const char *auth = req_header(r, "Authorization");
	const char *cookie = req_cookie(r, "cl_session");

	if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		r->signed_in =
			api_token_lookup(r->db, auth + 7, time(NULL), &r->who, NULL) == CL_OK;
		r->via_token = r->signed_in;
		return;
	}
	if (cookie && session_lookup(r->db, cookie, time(NULL), &r->who, NULL) == CL_OK) {
		r->signed_in = 1;
		snprintf(r->session_secret, sizeof r->session_secret, "%s", cookie);
	}
}

/* Forms and cookie-authenticated API calls that change anything carry the
 * session's CSRF token. */
static int csrf_ok(Req *r)
{
	const char *t;

	if (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0 || r->via_token ||
	    !r->signed_in)
		return 1;
	t = r->is_api ? req_header(r, "X-CSRF-Token") : req_field(r, "csrf");
	return t && r->who.csrf[0] && strcmp(t, r->who.csrf) == 0;
}

/* path with every byte that is not plain in a URL's path %-encoded, so
 * that it can travel in a query parameter.  Writes into out (size n). */
static void path_encode(const char *path, char *out, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)path;
	size_t j = 0;

	for (; *p && j + 4 < n; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-._~", *p)) {
			out[j++] = (char)*p;
		} else {
			out[j++] = '%';
			out[j++] = hex[*p >> 4];
			out[j++] = hex[*p & 15];
		}
	}
	out[j] = '\0';
}

/* Not signed in: the API says 401, pages go to the sign-in form. */
static void need_login(Req *r)
{
	char next[400], path[300];

	if (r->is_api) {
		resp_error(r, 401,
			   "sign in first: POST /api/v1/tokens, then send "
			   "Authorization: Bearer TOKEN");
		return;
	}
	path_encode(strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0 ? "/" : r->path,
		    path, sizeof path);
	snprintf(next, sizeof next, "/login?next=%s", path);
	resp_redirect(r, next);
}

/* 1 when route rt answers r's method: HEAD is a GET without its body. */
static int method_matches(const Route *rt, const Req *r)
{
	return strcmp(rt->method, r->method) == 0 ||
	       (strcmp(r->method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0);
}

/* The path to route: NAME.csv for NAME.xlsx, whose handler is the CSV
 * download's (http.c writes its table as a workbook), else the path. */
static const char *table_twin(const Req *r, char *buf, size_t n)
{
	size_t len = strlen(r->path);

	if (len > 5 && len + 1 < n && strcmp(r->path + len - 5, ".xlsx") == 0) {
		snprintf(buf, n, "%.*s.csv", (int)(len - 5), r->path);
		return buf;
	}
	return r->path;
}

static int ends_with_csv(const char *s)
{
	size_t n = strlen(s);

	return n > 4 && strcmp(s + n - 4, ".csv") == 0;
}

int routes_gate(Req *r)
{
	const Route *rt;
	int path_known = 0;
	char twin[512];
	const char *path = table_twin(r, twin, sizeof twin);

	/* static files need no sign-in: spare them the session look-up */
	if (strncmp(r->path, "/static/", 8) != 0)
		authenticate(r);
	for (rt = routes; rt->method; rt++) {
		if (!match(rt->pattern, path, r) ||
		    (path == twin &&
		     (!ends_with_csv(rt->pattern) || strcmp(rt->method, "GET") != 0))) {
			params_free(r);
			continue;
		}
		r->xlsx = path == twin;
		path_known = 1;
		if (!method_matches(rt, r)) {
			params_free(r);
			continue;
		}
		r->route = rt;
		if (!(rt->roles & R_ANON) && !r->signed_in)
			need_login(r);
		else if (!(rt->roles & R_ANON) && !(rt->roles & (1 << r->who.role)))
			resp_error(r, 404, "there is no such page");
		else
			return 0;
		return 1;
	}
	if (path_known)
		resp_error(r, 405, "%s is not allowed here", r->method);
	else if (!r->signed_in && !r->is_api)
		need_login(r);
	else
		resp_error(r, 404, "there is no such page");
	return 1;
}

void routes_dispatch(Req *r)
{
	const Route *rt;

	if (!r->route && routes_gate(r))
		return;
	rt = r->route;
	if (!csrf_ok(r))
		resp_error(r, 403,
			   "the form has expired or did not come from this site; "
			   "reload the page and try again");
	else
		rt->handler(r);
}
