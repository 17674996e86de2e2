/*
 * pages.h — the HTML pages (page_*.c, portal.c, outbox_page.c,
 * downloads.c): each handler queries core/ and renders a template.
 */
#ifndef COOPLEDGER_PAGES_H
#define COOPLEDGER_PAGES_H

#include "http.h"

int page_login_form(Req *r);
int page_login(Req *r);
int page_logout(Req *r);
int page_static(Req *r);
int page_favicon(Req *r);
/* page_join.c: the public join form and staff's queue */
int page_join_form(Req *r);
int page_join_send(Req *r);
int page_join_requests(Req *r);
int page_join_approve(Req *r);
int page_join_decline(Req *r);
int page_home(Req *r);
int page_contracts(Req *r);
int page_contracts_csv(Req *r);
int page_imports_csv(Req *r);
int page_users_csv(Req *r);
int page_contract(Req *r);
int page_amend_form(Req *r);	  /* the amend form of a contract (admin) */
int page_amend(Req *r);		  /* an amendment, renewal or termination sent */
int page_contract_new(Req *r);	  /* page_contract_new.c: the form */
int page_contract_create(Req *r); /* page_contract_new.c: POST /contracts */
int page_fees_csv(Req *r);
/* page_completeness.c: a contract's completeness audit (staff) and its
 * POs as CSV, both filtered by ?period= and ?status= */
int page_completeness(Req *r);
int page_completeness_csv(Req *r);
int page_agencies(Req *r);
int page_agencies_csv(Req *r);
int page_agency(Req *r);
int page_agency_csv(Req *r); /* the agency's purchase lines (?contract=) */
int page_purchases(Req *r);
int page_purchases_csv(Req *r);
int page_reverse_line(Req *r);
int page_imports(Req *r);
int page_import_upload(Req *r);
int page_import_template(Req *r);   /* the header row of a sales report, as CSV */
int page_import_errors_csv(Req *r); /* the rows to fix of a checked upload */
int page_reverse_batch(Req *r);
/* page_registers.c: members' purchase registers (DOMAIN.md 4.7) */
int page_registers(Req *r);	    /* GET /contracts/:number/registers */
int page_register_template(Req *r); /* its header row, as CSV */
int page_register_upload(Req *r);   /* POST: a register file, imported */
int page_register_reverse(Req *r);  /* POST .../registers/:id/reverse (staff) */
/* The caller's (a member's) own register POs under contract number with
 * their completeness statuses in words, newest first, at most keep of
 * them (0: all), into into: "pos", "po_count", "shown", "more",
 * "summary".  0, or -1 with e set. */
int registers_member_pos(Req *r, const char *number, int keep, cJSON *into, Err *e);
int page_reconciliation(Req *r);
int page_reconciliation_csv(Req *r);
int page_remit(Req *r);		/* page_remittances.c */
int page_remit_reverse(Req *r); /* page_remittances.c: POST /remittances/:id/reverse */
/* page_remittances.c: the remittances of ?contract= (all when absent), a
 * page at a time, into the reconciliation page's ctx ("remittances",
 * "remittances_any", "paging"); a read that fails makes the page a 500
 * (db_read_failures). */
void page_remittances_add(Req *r, cJSON *ctx);
int page_period(Req *r);
int page_rebates(Req *r);
int page_rebates_csv(Req *r);
int page_users(Req *r);
int page_user_add(Req *r);
/* page_catalog.c: the public catalog and a contract's public page */
int page_catalog(Req *r);
int page_catalog_entry(Req *r);
/* page_vendors.c: vendors, their contacts and column mapping */
int page_vendors(Req *r);
int page_vendors_csv(Req *r);
int page_vendor_add(Req *r);
int page_vendor(Req *r);
int page_vendor_rename(Req *r);
int page_vendor_contact_add(Req *r);
int page_vendor_contact_edit(Req *r);
int page_vendor_contact_remove(Req *r);
int page_vendor_sample(Req *r);
int page_vendor_map(Req *r);
int page_tokens(Req *r);
int page_tokens_csv(Req *r);
int page_token_add(Req *r);
int page_token_revoke(Req *r);
int page_audit(Req *r);
int page_audit_csv(Req *r);
int page_outbox(Req *r);       /* outbox_page.c */
int page_outbox_csv(Req *r);   /* outbox_page.c */
int page_outbox_retry(Req *r); /* outbox_page.c */
int page_outbox_send(Req *r);  /* outbox_page.c: queue what is due and send it now */
/* outbox_page.c: POST /contracts/:number/statements/:agency/send, period=Q:
 * queue that one statement notice (the statements' Send button) */
int page_statement_send(Req *r);

/* users by invitation, password links, deactivation and one's own
 * password (page_users.c, page_account.c) */
int page_user_invite(Req *r);	   /* POST /users/invite */
int page_user_deactivate(Req *r);  /* POST /users/:id/deactivate */
int page_forgot_form(Req *r);	   /* GET /password-reset */
int page_forgot(Req *r);	   /* POST /password-reset: the same answer for any address */
int page_password_form(Req *r);	   /* GET /password?token= */
int page_password_set(Req *r);	   /* POST /password */
int page_account(Req *r);	   /* GET /account */
int page_account_password(Req *r); /* POST /account/password */

/* downloads.c: CSV of tables that other pages show */
int page_remittances_csv(Req *r); /* a contract's remittances (vendor portal) */
int page_missing_csv(Req *r);
/* One array of the finance summary (report revenue) as a CSV download. */
int revenue_csv(Req *r, const char *array, const char *const *keys, int n,
		const char *name); /* missing sales reports (dashboard) */

/* portal.c: the dashboard and the member and vendor portals */
int page_dashboard(Req *r);
int page_member_portal(Req *r);
int page_vendor_portal(Req *r);

/* Agencies and their contacts (page_agencies.c, page_agency_forms.c):
 * the pages drawn with a refused form (taken over) and its refusal. */
struct AgencyIn;
struct ContactIn;
int agencies_page(Req *r, int status, cJSON *form, const char *alert);
int agency_page(Req *r, int status, cJSON *extra, const char *alert);
/* The agency form with a's values (the public entity choice only when
 * public_known) and an empty "errors"; the contact form likewise.
 * Caller frees. */
cJSON *agency_form(const struct AgencyIn *a, int public_known);
cJSON *contact_form(const struct ContactIn *c);
int page_agency_add(Req *r);
int page_agency_edit(Req *r);
int page_agencies_import(Req *r); /* POST /agencies.csv: agency import of an upload */
int page_contact_add(Req *r);
int page_contact_edit(Req *r);
int page_contact_remove(Req *r);

/* Participants on a contract's page (page_participants.c): the list with
 * each one's purchases to date and, for an admin, the enrollment form
 * (form: a refused one, taken over, or NULL) into ctx; -1 with e set when
 * the list cannot be read. */
struct Err;
/* A contract's page (page_contracts.c); extra (taken over; may be NULL)
 * holds refused forms by name, alert (may be NULL) their refusal. */
int contract_page(Req *r, int status, cJSON *extra, const char *alert);
int page_participants_add(Req *r, cJSON *ctx, const char *number, cJSON *form, struct Err *e);
int page_participants_enroll(Req *r);
int page_participants_csv(Req *r);

/* Completeness inquiries (page_inquiry.c): the Completeness page's send
 * button, the API, the CSV as sent; page_inquiries() gives the inquiries
 * of vendor (a code; NULL: all) and contract (NULL: all), newest first,
 * as [{id, contract, quarter, sent_on, actor, po_count, gap(_h),
 * fee_at_risk(_h), notices}] the caller frees, or NULL with e set. */
int page_inquiry_send(Req *r);
int api_inquiry_send(Req *r);
int page_inquiry_csv(Req *r);
cJSON *page_inquiries(Req *r, const char *vendor, const char *contract, struct Err *e);

/* A contract's documents (page_documents.c): the upload (admin), the
 * public/staff-only switch (admin) and the PDF itself. */
int page_document_upload(Req *r);
int page_document_visibility(Req *r);
int page_document_file(Req *r);
/* The contract page's Documents section into ctx: "documents" (all, with
 * who added each, when, its SHA-256 and whether it is public),
 * "documents_any" and "document_form" (form: a refused one, taken over,
 * or NULL for an empty one); -1 with e set when the list cannot be read. */
int page_documents_add(Req *r, cJSON *ctx, const char *number, cJSON *form, struct Err *e);
/* The public documents of contract number into ctx, as
 * templates/partial_documents_public.mustache shows them: "documents"
 * [{id, kind, kind_words, title, file_name, size, size_h, href}] and
 * "documents_any"; -1 with e set when the list cannot be read. */
int page_documents_public(Req *r, cJSON *ctx, const char *number, struct Err *e);

#endif
