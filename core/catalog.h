/*
 * catalog.h — the public catalog (DOMAIN.md section 7): the contracts
 * active today as a buyer at any agency reads them, found by the words of
 * their number, title, category and vendor (the FTS5 index catalog_fts,
 * migration 0015) and by category.
 *
 * An entry holds only public facts of a contract: its terms in force
 * today, its lead agency, vendor and vendor contact, and its discount
 * tiers.  Nothing here reads the ledger: no purchase, fee, remittance or
 * rebate figure can reach the catalog.
 */
#ifndef COOPLEDGER_CATALOG_H
#define COOPLEDGER_CATALOG_H

#include <sqlite3.h>
#include <stdint.h>

#include "date.h"
#include "err.h"
#include "terms.h"

#define CATALOG_QUERY_MAX    200 /* bytes of a search */
#define CATALOG_WORDS_MAX    16	 /* words of a search */
#define CATALOG_CATEGORY_MAX 63	 /* bytes of a category */
#define CATALOG_MATCH_BUF    (CATALOG_QUERY_MAX + 4 * CATALOG_WORDS_MAX + 1)
#define CATALOG_SENTENCE_BUF 256
#define CATALOG_SENTENCES    (TERMS_MAX_BANDS + 1)

typedef struct CatalogEntry {
	char number[64];
	char title[256];
	char category[64];
	char lead_agency[33];
	char lead_agency_name[256];
	char vendor[33];
	char vendor_name[256];
	char contact_name[256];	 /* the vendor's contact for buyers, or "" */
	char contact_email[256]; /* "" when the vendor has no contact */
	char solicitation[128];
	Date awarded;	    /* the award's effective date (its start) */
	Date start, end;    /* the term in force today */
	int renew_options;  /* renewal options left */
	int renew_years;    /* years each option adds */
	Schedule discounts; /* in force today; present 0 when none */
} CatalogEntry;

/* The FTS5 query of a buyer's search q: its words (runs of letters and
 * digits; everything else separates them) each quoted as a prefix term,
 * all required.  Writes into out (size n, CATALOG_MATCH_BUF is always
 * enough); "" when q has no word.
 * CL_EINPUT naming "q" when q is longer than CATALOG_QUERY_MAX bytes, has
 * more than CATALOG_WORDS_MAX words or is not valid UTF-8. */
ClCode catalog_match(const char *q, char *out, size_t n, Err *e)
	__attribute__((warn_unused_result));

/* The contracts active today (in force on today: started, not ended,
 * not terminated) by number, matching the search q (NULL or "": all)
 * and the category (NULL or "": any).  OUT: *out (caller frees with
 * free(), also on failure), *n.  A bad q or category is CL_EINPUT
 * naming the field. */
ClCode catalog_list(sqlite3 *db, Date today, const char *q, const char *category,
		    CatalogEntry **out, int *n, Err *e) __attribute__((warn_unused_result));

/* The entry of the contract numbered number, active today.  CL_ENOTFOUND
 * (naming the number) when there is none, or it is not active today.
 * OUT: *out. */
ClCode catalog_get(sqlite3 *db, Date today, const char *number, CatalogEntry *out, Err *e)
	__attribute__((warn_unused_result));

/* The categories of the contracts active today, in order.  OUT: *out (an
 * array of *n strings; free with catalog_categories_free()). */
ClCode catalog_categories(sqlite3 *db, Date today, char ***out, int *n, Err *e)
	__attribute__((warn_unused_result));
void catalog_categories_free(char **c, int n);

/* The discount tiers of c as a buyer reads them, one sentence a tier
 * ("63% off list on orders from $30,000.01 to $60,000.00 of list"), with a
 * first "No discount on orders under ..." when the first tier starts
 * above zero.  Returns the number of sentences written to out. */
int catalog_tier_sentences(const CatalogEntry *c, char out[][CATALOG_SENTENCE_BUF]);

/* Who may use the contract and how to buy from it, in words. */
void catalog_who_may_use(const CatalogEntry *c, char *buf, size_t n);
void catalog_how_to_buy(const CatalogEntry *c, char *buf, size_t n);

#endif
