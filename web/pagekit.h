/*
 * pagekit.h — helpers the HTML page files share: the page context and
 * notices, paging, search, form numbers.
 */
#ifndef COOPLEDGER_PAGEKIT_H
#define COOPLEDGER_PAGEKIT_H

#include <stddef.h>

#include "http.h"
#include "rowset.h"

/* Tables show PAGE_ROWS rows a page. */
#define PAGE_ROWS 50

/* ?page= (1-based) as an offset in rows.  OUT: *page. */
long page_offset(Req *r, long *page);

/* "prev"/"next" links for a page of results (ctx "paging"). */
void add_paging(cJSON *ctx, long page, int more, const char *base_query);

/* Page numbers under ctx's "paging" (after add_paging()), for a list of
 * rows in all: 1 2 3, those next to page, and the last, as "pages"
 * [{n, current, gap}] (gap: numbers were left out before n) and
 * "numbered". */
void add_page_numbers(cJSON *ctx, long page, int64_t rows);

/* text as a whole number in [lo, hi].  Returns 0 (OUT: *out), or -1 when
 * it is absent, empty, not a number or out of range. */
int pagekit_field_int(const char *text, long lo, long hi, long *out);

/* Percent-encode text for a URL's query into out (size n; cut, never
 * overrun). */
void pagekit_url_encode(const char *text, char *out, size_t n);

/* A redirect back to path after a form was sent, with a message kept on
 * the server for the caller's session (never in the URL) and shown once,
 * on the next page of path that session draws: a success (the banner
 * "Done:", role=status) or a refusal (the banner "Error:", role=alert).
 * Sessions signed in with a token get the redirect alone. */
int pagekit_back_ok(Req *r, const char *path, const char *text);
int pagekit_back_err(Req *r, const char *path, const char *text);

/* A new page context with its title and, when the session has one for
 * this page, its message ("notice" for a success, "alert" for a refusal).
 * render_page() takes it. */
cJSON *pagekit_ctx(Req *r, const char *title);

/* Whether ctx carries a session's message: such a page is the session's
 * own and must not be kept in the page cache. */
int pagekit_has_message(const cJSON *ctx);

/* One page of a searchable list: limit rows from offset (limit 0: all)
 * into OUT *out (out->more when there were more), which the caller frees
 * with rowset_free() either way. */
typedef ClCode (*PagekitQuery)(Req *r, long offset, int limit, RowSet *out, Err *e);

/* A searchable list a page at a time (?q= and ?page=): rows under key
 * (no money columns); 500 when the query failed. */
int pagekit_search_page(Req *r, const char *title, const char *key, const char *tmpl,
			PagekitQuery query);

/* The rows of a listing (its answer rc) for a page's context, money
 * columns (NULL-terminated; may be NULL) written from cents with their
 * page forms; NULL when rc failed.  Frees rows either way; caller frees
 * the result. */
cJSON *pagekit_rows(ClCode rc, RowSet *rows, const char *const *money);

/* Answer the rows of a listing (its answer rc) as a CSV download, name,
 * of the n named columns, money columns as money text; 500 with e's
 * message when rc failed.  Frees rows either way. */
int pagekit_csv(Req *r, ClCode rc, RowSet *rows, const char *const *money, const char *const *keys,
		int n, const char *name, const Err *e);

/* The contracts the caller may see, as [{number, title, selected}] for a
 * contract picker.  Caller frees; NULL with e set when the query
 * failed. */
cJSON *pagekit_contract_choices(Req *r, const char *selected, Err *e);

#endif
