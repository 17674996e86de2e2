/*
 * contract_form.h — the new-contract form: what was typed into it, the
 * terms document (DOMAIN.md section 4) it makes, the form filled in from a
 * terms document, and each problem of a document put beside the form
 * field it is about.
 *
 * Form fields: number, title, category, lead_agency, vendor, start, end,
 * solicitation; fee_year, fee_mode and the rows fee_from_N, fee_rate_N;
 * disc_from_N, disc_rate_N; reb_year, reb_mode, reb_from_N, reb_rate_N;
 * due_days, late_min, late_rate, price_tolerance; renew_options,
 * renew_years (N counts rows from 0).
 */
#ifndef COOPLEDGER_CONTRACT_FORM_H
#define COOPLEDGER_CONTRACT_FORM_H

#include <cjson/cJSON.h>

#include "http.h"
#include "rowset.h"
#include "terms.h"

#define CFORM_ROWS 5 /* rows of each schedule on a new form */
#define CFORM_MORE 5 /* rows "Add more rows" adds to each */

/* The schedules of the form, each a table of rows. */
enum { CFORM_FEE = 0, CFORM_DISC, CFORM_REB, CFORM_NSCHED };

typedef struct ContractForm {
	cJSON *value;				   /* form field -> text as typed */
	cJSON *problem;				   /* [{name, label, message}] beside fields */
	cJSON *top;				   /* messages about no one field */
	int rows[CFORM_NSCHED];			   /* rows each schedule shows */
	int nband[CFORM_NSCHED];		   /* bands the document was given */
	int row_of[CFORM_NSCHED][TERMS_MAX_BANDS]; /* band i of the document is row_of[i] */
} ContractForm;

/* An empty form (nothing typed, no problems); free with cform_free(). */
void cform_init(ContractForm *f);
void cform_free(ContractForm *f);

/* The values a new form starts with: fee year and mode, the first fee
 * band from 0, due days 45, no price tolerance. */
void cform_defaults(ContractForm *f);

/* The form as r sent it. */
void cform_read(ContractForm *f, const Req *r);

/* CFORM_MORE more rows in each schedule (at most TERMS_MAX_BANDS). */
void cform_more_rows(ContractForm *f);

/* The terms document of what was typed: blank rows and blank optional
 * fields are left out, text goes in as typed.  A day or option count that
 * is no whole number is a problem of the form (cform_problems()) and is
 * left out.  Caller frees; NULL when out of memory. */
char *cform_document(ContractForm *f);

/* Fill the form in from terms document json (len bytes), as far as it
 * can be read, so that its problems can be shown beside its fields. */
void cform_fill(ContractForm *f, const char *json, size_t len);

/* Put msg, a problem of the terms document about the field at path
 * (terms_check(), terms_message_path()), beside the form field or
 * fieldset that path names, less the path; or at the top, whole. */
void cform_problem(ContractForm *f, const char *path, const char *msg);

/* Put msg beside form field name. */
void cform_problem_at(ContractForm *f, const char *name, const char *msg);

/* How many problems the form has, beside fields and at the top. */
int cform_problems(const ContractForm *f);

/* The form for templates/contract_new.mustache, into ctx: "f" (every
 * field by name), "sched" (fee, disc, reb: their rows), "group" (the
 * problems of a fieldset), "summary" (the problems beside fields) and
 * "top" (the others), with the menus of agencies and vendors (rows of
 * code, name). */
void cform_context(const ContractForm *f, cJSON *ctx, const RowSet *agencies,
		   const RowSet *vendors);

#endif
