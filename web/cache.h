/*
 * cache.h — report results and drawn pages kept between requests while
 * the data behind them is unchanged.
 *
 * Every change to the books writes an audit row or a ledger row, so the
 * pair (largest audit id, largest ledger id) plus "today" names a version
 * of everything a report can show; an entry made for another version is
 * never returned.  Entries are bytes (JSON text, HTML), so callers get
 * their own copy.
 *
 * A missing entry is built once: the first caller to miss it builds it,
 * and callers asking for the same key and version meanwhile wait for that
 * build instead of repeating it (four threads building a million-line
 * dashboard at once on two cores took each of them three times as long).
 * While it is being built, a caller who may see the previous version (one
 * who did not just write to the books) gets that at once instead: a
 * commit's figures then show as soon as the one build is done, and no
 * one else waits for it.
 */
#ifndef COOPLEDGER_CACHE_H
#define COOPLEDGER_CACHE_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"

#define CACHE_VERSION_BUF 64
#define CACHE_KEY_BUF	  240 /* longer keys are never kept */

/* The version of the data as of today: write into buf (size n); "" when
 * it could not be read, and then nothing is cached or returned. */
void cache_version(sqlite3 *db, Date today, char *buf, size_t n);

/* A NUL-terminated copy of the bytes cached for key at version, which the
 * caller frees (OUT: *len, may be NULL), or NULL.  NULL makes the caller
 * the builder of key at version: it must call cache_put() with the result,
 * or with NULL when the build failed, which others are waiting for.  With
 * stale_ok, while another caller builds key at version, the copy is of the
 * version kept before it, when there is one. */
char *cache_get(const char *key, const char *version, int stale_ok, size_t *len);

/* Remember a copy of data[0, len) under key at version (NULL: nothing to
 * keep), and wake the callers waiting for it. */
void cache_put(const char *key, const char *version, const char *data, size_t len);

/* The same for JSON values: a new cJSON the caller frees, or NULL (the
 * caller then builds it and calls cache_put_json(), with NULL on failure). */
cJSON *cache_get_json(const char *key, const char *version, int stale_ok);
void cache_put_json(const char *key, const char *version, const cJSON *value);

/* User user_id (0: not signed in) has just written to the books. */
void cache_wrote(int64_t user_id);

/* 0 when user user_id wrote to the books in the last two seconds: what
 * it asks for next must show what it wrote.  Otherwise 1: it may see the
 * previous version while the current one is built.  Anyone not signed in
 * may. */
int cache_stale_ok(int64_t user_id);

/* Forget everything (at shutdown). */
void cache_clear(void);

#endif
