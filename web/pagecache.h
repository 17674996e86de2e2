/*
 * pagecache.h — drawn pages kept in the report cache (cache.h).
 *
 * A page is drawn once per version of the data for everyone of the same
 * role and binding (agency, vendor); the two things on it that are the
 * user's own, the e-mail address and the session's CSRF token, are drawn
 * as random markers and put in, escaped as {{name}} escapes, each time the
 * page is sent.  So a kept page is never another user's, and never older
 * than the books.
 */
#ifndef COOPLEDGER_PAGECACHE_H
#define COOPLEDGER_PAGECACHE_H

#include <cjson/cJSON.h>

#include "http.h"

#define PAGECACHE_KEY_BUF 200

/* A key naming page with the values of the query arguments args[0, n)
 * that the page reads.  OUT: key (size PAGECACHE_KEY_BUF); "" when the
 * values are too long to keep (the page is then drawn each time). */
void pagecache_key(Req *r, const char *page, const char *const *args, int n, char *key);

/* Answer r with the page kept under key at version (cache_version()) for
 * r's role and binding; returns 1 when it did.  On 0 the caller draws the
 * page and must pass it to pagecache_render(), or call pagecache_fail() —
 * other requests for the same page wait for it. */
int pagecache_send(Req *r, const char *key, const char *version);

/* Render templates/<page> with ctx (taken over) as render_page() does,
 * keep the page under key at version and answer r with it. */
int pagecache_render(Req *r, const char *key, const char *version, const char *page, cJSON *ctx);

/* The page of key at version could not be drawn: stop others waiting. */
void pagecache_fail(Req *r, const char *key, const char *version);

#endif
