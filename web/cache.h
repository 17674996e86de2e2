/*
 * cache.h — report results kept between requests while the data behind
 * them is unchanged.
 *
 * Every change to the books writes an audit row or a ledger row, so the
 * pair (largest audit id, largest ledger id) plus "today" names a version
 * of everything a report can show; an entry made for another version is
 * never returned.  Entries are JSON text, so callers get their own copy.
 */
#ifndef COOPLEDGER_CACHE_H
#define COOPLEDGER_CACHE_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "date.h"

/* The version of the data as of today: write into buf (size n). */
void cache_version(sqlite3 *db, Date today, char *buf, size_t n);

/* The cached value of key at version, as a new cJSON the caller frees, or
 * NULL when there is none. */
cJSON *cache_get(const char *key, const char *version);

/* Remember a copy of value under key at version (value stays the
 * caller's). */
void cache_put(const char *key, const char *version, const cJSON *value);

/* Forget everything (at shutdown). */
void cache_clear(void);

#endif
