/* catalog.c — the public catalog; see catalog.h. */
#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amend.h"
#include "db.h"
#include "money.h"
#include "text.h"

/* All of the module's SQL.  The candidates are the contracts whose
 * recorded term (the latest end, amend.c keeps it) spans today; the terms
 * in force today then decide. */
static const char sql_candidates[] =
	"SELECT c.id FROM contract c WHERE c.start_date <= ?1 AND c.end_date >= ?1 "
	"AND (?2 IS NULL OR c.category = ?2) "
	"AND (?3 IS NULL OR c.id IN (SELECT rowid FROM catalog_fts WHERE catalog_fts MATCH ?3)) "
	"ORDER BY c.number";
static const char sql_id[] = "SELECT id FROM contract WHERE number = ?";
static const char sql_entry[] =
	"SELECT a.code, a.name, v.code, v.name, "
	"coalesce(k.name, ''), coalesce(k.email, '') "
	"FROM contract c JOIN agency a ON a.id = c.lead_agency_id "
	"JOIN vendor v ON v.id = c.vendor_id "
	"LEFT JOIN vendor_contact k ON k.id = (SELECT id FROM vendor_contact "
	"WHERE vendor_id = v.id ORDER BY receives_notices DESC, id LIMIT 1) "
	"WHERE c.id = ?";
static const char sql_categories[] =
	"SELECT DISTINCT category FROM contract WHERE start_date <= ?1 AND end_date >= ?1 "
	"AND category <> '' ORDER BY category";

/* A byte that belongs to a word: ASCII letters and digits, and every byte
 * of a multi-byte UTF-8 character (letters of other scripts). */
static int word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c >= 0x80;
}

ClCode catalog_match(const char *q, char *out, size_t n, Err *e)
{
	const unsigned char *p = (const unsigned char *)(q ? q : "");
	size_t len = strlen((const char *)p), used = 0, i;
	int words = 0;

	out[0] = '\0';
	if (len > CATALOG_QUERY_MAX)
		return err_set(e, CL_EINPUT,
			       "q: the search is %zu characters long; at most %d are taken — "
			       "use a few words",
			       len, CATALOG_QUERY_MAX);
	for (i = 0; i < len;) {
		size_t k = utf8_seq_len(p + i, len - i);

		if (!k)
			return err_set(e, CL_EINPUT, "q: the search is not valid UTF-8 text");
		i += k;
	}
	/* a word is a run of characters between blanks; its letters and
	 * digits, as a phrase ("KS-FURN" is "ks furn"), the last one a prefix */
	for (i = 0; i < len;) {
		size_t start, end, at;
		int parts = 0;

		while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
			i++;
		start = i;
		while (i < len && !(p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
			i++;
		end = i;
		for (at = start; at < end; at++)
			if (word_byte(p[at]))
				break;
		if (at == end)
			continue; /* no letter or digit: nothing to look for */
		if (++words > CATALOG_WORDS_MAX)
			return err_set(e, CL_EINPUT, "q: the search has more than %d words",
				       CATALOG_WORDS_MAX);
		if (used + (end - start) + 5 >= n)
			return err_set(e, CL_EINPUT, "q: the search is too long");
		if (used)
			out[used++] = ' ';
		out[used++] = '"';
		for (at = start; at < end; at++) {
			if (word_byte(p[at])) {
				if (parts && !word_byte(p[at - 1]))
					out[used++] = ' ';
				out[used++] = (char)p[at];
				parts = 1;
			}
		}
		out[used++] = '"';
		out[used++] = '*';
		out[used] = '\0';
	}
	return CL_OK;
}

/* Fill c from the contract id if it is active on today.  OUT: *active. */
static ClCode entry_load(sqlite3 *db, int64_t id, Date today, CatalogEntry *c, int *active, Err *e)
{
	TermsHistory h;
	const Terms *t;
	DbRows q;
	ClCode rc;

	*active = 0;
	memset(c, 0, sizeof *c);
	rc = terms_history_load_id(db, id, &h, e);
	if (rc)
		return rc;
	t = terms_in_force(&h, today);
	if (t->status == CONTRACT_ACTIVE && t->start <= today && today <= t->end) {
		*active = 1;
		snprintf(c->number, sizeof c->number, "%s", t->number);
		snprintf(c->title, sizeof c->title, "%s", t->title);
		snprintf(c->category, sizeof c->category, "%s", t->category);
		snprintf(c->solicitation, sizeof c->solicitation, "%s", t->solicitation);
		c->awarded = h.ver[0].start;
		c->start = t->start;
		c->end = t->end;
		c->renew_options = t->renew_options;
		c->renew_years = t->renew_years;
		c->discounts = t->discounts;
	}
	terms_history_free(&h);
	if (!*active)
		return CL_OK;
	rc = db_rows(&q, db, e, sql_entry, "i", id);
	if (!rc && db_rows_next(&q)) {
		snprintf(c->lead_agency, sizeof c->lead_agency, "%s",
			 (const char *)sqlite3_column_text(q.st, 0));
		snprintf(c->lead_agency_name, sizeof c->lead_agency_name, "%s",
			 (const char *)sqlite3_column_text(q.st, 1));
		snprintf(c->vendor, sizeof c->vendor, "%s",
			 (const char *)sqlite3_column_text(q.st, 2));
		snprintf(c->vendor_name, sizeof c->vendor_name, "%s",
			 (const char *)sqlite3_column_text(q.st, 3));
		snprintf(c->contact_name, sizeof c->contact_name, "%s",
			 (const char *)sqlite3_column_text(q.st, 4));
		snprintf(c->contact_email, sizeof c->contact_email, "%s",
			 (const char *)sqlite3_column_text(q.st, 5));
	}
	if (db_rows_end(&q, "reading the catalog entry", e) && !rc)
		rc = CL_EDB;
	return rc;
}

/* A category filter: at most CATALOG_CATEGORY_MAX bytes of one line. */
static ClCode category_check(const char *category, Err *e)
{
	if (strlen(category) > CATALOG_CATEGORY_MAX)
		return err_set(e, CL_EINPUT, "category: at most %d characters",
			       CATALOG_CATEGORY_MAX);
	return text_check_line("category", category, e);
}

ClCode catalog_list(sqlite3 *db, Date today, const char *q, const char *category,
		    CatalogEntry **out, int *n, Err *e)
{
	char match[CATALOG_MATCH_BUF], day[DATE_BUF];
	CatalogEntry *list = NULL;
	int64_t *ids = NULL;
	int nid = 0, cap = 0, i, active;
	DbRows rows;
	ClCode rc;

	*out = NULL;
	*n = 0;
	rc = catalog_match(q, match, sizeof match, e);
	if (!rc && category && category[0])
		rc = category_check(category, e);
	if (rc)
		return rc;
	rc = db_rows(&rows, db, e, sql_candidates, "ttt", date_format(today, day),
		     category && category[0] ? category : NULL, match[0] ? match : NULL);
	while (!rc && db_rows_next(&rows)) {
		if (nid == cap) {
			int64_t *more =
				realloc(ids, (size_t)(cap = cap ? cap * 2 : 64) * sizeof *ids);

			if (!more) {
				rc = err_set(e, CL_ENOMEM, "out of memory reading the catalog");
				break;
			}
			ids = more;
		}
		ids[nid++] = sqlite3_column_int64(rows.st, 0);
	}
	if (db_rows_end(&rows, "searching the catalog", e) && !rc)
		rc = CL_EDB;
	if (!rc && nid && !(list = malloc((size_t)nid * sizeof *list)))
		rc = err_set(e, CL_ENOMEM, "out of memory reading the catalog");
	for (i = 0; !rc && list && i < nid; i++) {
		rc = entry_load(db, ids[i], today, &list[*n], &active, e);
		if (!rc && active)
			(*n)++;
	}
	free(ids);
	*out = list;
	return rc;
}

ClCode catalog_get(sqlite3 *db, Date today, const char *number, CatalogEntry *out, Err *e)
{
	unsigned long fails = db_read_failures(NULL);
	int64_t id;
	int active = 0;
	ClCode rc;

	memset(out, 0, sizeof *out);
	if (!number || strlen(number) > 63)
		return err_set(e, CL_ENOTFOUND, "no contract in the catalog has that number");
	id = db_int(db, 0, sql_id, "t", number);
	if (db_reads_failed(fails, "finding the contract", e))
		return CL_EDB;
	rc = id ? entry_load(db, id, today, out, &active, e) : CL_OK;
	if (!rc && !active)
		rc = err_set(e, CL_ENOTFOUND,
			     "no contract numbered \"%s\" is in the catalog: there is none, or "
			     "it is not in force today",
			     number);
	return rc;
}

ClCode catalog_categories(sqlite3 *db, Date today, char ***out, int *n, Err *e)
{
	char day[DATE_BUF], **list = NULL;
	int cap = 0;
	DbRows q;
	ClCode rc;

	*out = NULL;
	*n = 0;
	rc = db_rows(&q, db, e, sql_categories, "t", date_format(today, day));
	while (!rc && db_rows_next(&q)) {
		if (*n == cap) {
			char **more =
				realloc(list, (size_t)(cap = cap ? cap * 2 : 16) * sizeof *list);

			if (!more) {
				rc = err_set(e, CL_ENOMEM, "out of memory reading the categories");
				break;
			}
			list = more;
		}
		if (!(list[*n] = strdup((const char *)sqlite3_column_text(q.st, 0)))) {
			rc = err_set(e, CL_ENOMEM, "out of memory reading the categories");
			break;
		}
		(*n)++;
	}
	if (db_rows_end(&q, "reading the categories", e) && !rc)
		rc = CL_EDB;
	*out = list;
	return rc;
}

void catalog_categories_free(char **c, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(c[i]);
	free(c);
}

/* "63% off list" or "No discount". */
static const char *rate_words(Rate r, char *buf, size_t n)
{
	char pct[MONEY_BUF];

	if (r == 0)
		snprintf(buf, n, "No discount");
	else
		snprintf(buf, n, "%s off list", rate_format(r, pct));
	return buf;
}

int catalog_tier_sentences(const CatalogEntry *c, char out[][CATALOG_SENTENCE_BUF])
{
	const Schedule *s = &c->discounts;
	char lo[MONEY_BUF], hi[MONEY_BUF], rate[MONEY_BUF + 16];
	int i, k = 0;

	if (!s->present || s->nband == 0)
		return 0;
	if (s->band[0].from > 0)
		snprintf(out[k++], CATALOG_SENTENCE_BUF, "No discount on orders under %s of list",
			 money_format_human(s->band[0].from, lo));
	for (i = 0; i < s->nband; i++) {
		Money from = s->band[i].from;

		rate_words(s->band[i].rate, rate, sizeof rate);
		money_format_human(from, lo);
		if (i + 1 < s->nband) {
			/* all-units: an order of list total x earns the tier with
			 * from <= x, so this tier ends a cent below the next */
			money_format_human(s->band[i + 1].from - 1, hi);
			if (from == 0)
				snprintf(out[k++], CATALOG_SENTENCE_BUF,
					 "%s on orders up to %s of list", rate, hi);
			else
				snprintf(out[k++], CATALOG_SENTENCE_BUF,
					 "%s on orders from %s to %s of list", rate, lo, hi);
		} else if (from == 0) {
			snprintf(out[k++], CATALOG_SENTENCE_BUF, "%s on every order", rate);
		} else if (from % 100 == 1) {
			snprintf(out[k++], CATALOG_SENTENCE_BUF, "%s on orders over %s of list",
				 rate, money_format_human(from - 1, hi));
		} else {
			snprintf(out[k++], CATALOG_SENTENCE_BUF,
				 "%s on orders of %s or more of list", rate, lo);
		}
	}
	return k;
}

void catalog_who_may_use(const CatalogEntry *c, char *buf, size_t n)
{
	snprintf(buf, n,
		 "Any public entity — a state agency, county, city, school district, college or "
		 "special district that may use cooperative contracts — once it has joined this "
		 "contract through its lead agency, %s. Purchases count under the contract from "
		 "the date the agency joins.",
		 c->lead_agency_name);
}

void catalog_how_to_buy(const CatalogEntry *c, char *buf, size_t n)
{
	snprintf(buf, n,
		 "Ask %s to join contract %s. Once your agency has joined, order from %s, "
		 "citing contract %s on your purchase order: the vendor charges list price "
		 "less the discount of your order's tier.",
		 c->lead_agency_name, c->number, c->vendor_name, c->number);
}
