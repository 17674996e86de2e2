/* cache.c — versioned report and page cache; see cache.h. */
#include "cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "books.h"
#include "compliance.h"

#define CACHE_SLOTS	   128
#define CACHE_BYTES	   ((size_t)256 << 20) /* all entries together */
#define CACHE_ENTRY_MAX	   ((size_t)32 << 20)  /* larger results are not kept */
#define CLAIMS		   16
#define CLAIM_WAIT_SECONDS 30 /* then build it yourself */

typedef struct Entry {
	uint32_t hash; /* of key */
	char key[CACHE_KEY_BUF];
	char version[CACHE_VERSION_BUF];
	char *data; /* NULL: a free slot */
	size_t len;
	unsigned long used;
} Entry;

/* A build in progress: key at version is being made by one caller. */
typedef struct Claim {
	int active;
	char key[CACHE_KEY_BUF];
	char version[CACHE_VERSION_BUF];
} Claim;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t built = PTHREAD_COND_INITIALIZER;
static Entry slots[CACHE_SLOTS];
static Claim claims[CLAIMS];
static size_t bytes;
static unsigned long tick;

void cache_version(sqlite3 *db, Date today, char *buf, size_t n)
{
	int64_t audit, purchase;
	int touched;

	buf[0] = '\0'; /* "": unknown, nothing is cached or returned */
	if (books_version(db, &audit, &purchase, &touched, NULL) != CL_OK)
		return;
	if (touched) { /* bring it up to date unless a writer is at work */
		Err e = {0};

		if (compliance_refresh_read(db, &e))
			fprintf(stderr, "coopledger: the stored compliance: %s\n", e.msg);
		if (books_version(db, &audit, &purchase, &touched, NULL) != CL_OK)
			return;
	}
	/* a page built while a writer kept it out of date is kept apart */
	snprintf(buf, n, "%lld/%lld/%d/%d", (long long)audit, (long long)purchase, (int)today,
		 touched);
}

static uint32_t key_hash(const char *key)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h;
}

/* The entry of key (any version), or NULL.  Caller holds the lock. */
static Entry *entry_find(uint32_t h, const char *key)
{
	int i;

	for (i = 0; i < CACHE_SLOTS; i++)
		if (slots[i].data && slots[i].hash == h && strcmp(slots[i].key, key) == 0)
			return &slots[i];
	return NULL;
}

/* The claim on key at version, or NULL.  Caller holds the lock. */
static Claim *claim_find(const char *key, const char *version)
{
	int i;

	for (i = 0; i < CLAIMS; i++)
		if (claims[i].active && strcmp(claims[i].key, key) == 0 &&
		    strcmp(claims[i].version, version) == 0)
			return &claims[i];
	return NULL;
}

/* Claim key at version for the caller, when a claim is free.  Caller holds
 * the lock. */
static void claim_take(const char *key, const char *version)
{
	int i;

	for (i = 0; i < CLAIMS; i++)
		if (!claims[i].active) {
			claims[i].active = 1;
			snprintf(claims[i].key, sizeof claims[i].key, "%s", key);
			snprintf(claims[i].version, sizeof claims[i].version, "%s", version);
			return;
		}
}

static int cacheable(const char *key, const char *version)
{
	return version[0] && strlen(key) < CACHE_KEY_BUF && strlen(version) < CACHE_VERSION_BUF;
}

/* A NUL-terminated copy of e's bytes, or NULL.  OUT: *len (may be NULL).
 * Caller holds the lock. */
static char *entry_copy(Entry *e, size_t *len)
{
	char *copy = malloc(e->len + 1);

	e->used = ++tick;
	if (copy) {
		memcpy(copy, e->data, e->len);
		copy[e->len] = '\0';
		if (len)
			*len = e->len;
	}
	return copy;
}

char *cache_get(const char *key, const char *version, int stale_ok, size_t *len)
{
	uint32_t h = key_hash(key);
	struct timespec deadline;
	char *copy = NULL;

	if (!cacheable(key, version))
		return NULL;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += CLAIM_WAIT_SECONDS;
	pthread_mutex_lock(&lock);
	for (;;) {
		Entry *e = entry_find(h, key);

		if (e && strcmp(e->version, version) == 0) {
			copy = entry_copy(e, len);
			break;
		}
		if (!claim_find(key, version)) {
			claim_take(key, version); /* the caller builds it */
			break;
		}
		if (stale_ok && e) { /* the version before, while another builds */
			copy = entry_copy(e, len);
			break;
		}
		/* another request is building it: wait for its cache_put() */
		if (pthread_cond_timedwait(&built, &lock, &deadline) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&lock);
	return copy;
}

/* Make room for an entry of len bytes: a free slot, or the least recently
 * used, evicting until the total fits.  Caller holds the lock. */
static Entry *entry_slot(size_t len)
{
	Entry *victim = NULL;
	int i;

	for (;;) {
		victim = NULL;
		for (i = 0; i < CACHE_SLOTS; i++) {
			if (!slots[i].data) {
				if (bytes + len <= CACHE_BYTES)
					return &slots[i];
				continue;
			}
			if (!victim || slots[i].used < victim->used)
				victim = &slots[i];
		}
		if (!victim)
			return NULL;
		bytes -= victim->len;
		free(victim->data);
		victim->data = NULL;
		if (bytes + len <= CACHE_BYTES)
			return victim;
	}
}

void cache_put(const char *key, const char *version, const char *data, size_t len)
{
	char *copy = NULL;
	Claim *c;
	Entry *e;

	if (!cacheable(key, version))
		return;
	if (data && len <= CACHE_ENTRY_MAX && (copy = malloc(len + 1))) {
		memcpy(copy, data, len);
		copy[len] = '\0';
	}
	pthread_mutex_lock(&lock);
	if ((c = claim_find(key, version)))
		c->active = 0;
	e = copy ? entry_find(key_hash(key), key) : NULL;
	if (e) { /* an older version of the same key is of no more use */
		bytes -= e->len;
		free(e->data);
		e->data = NULL;
	}
	if (copy && (e = entry_slot(len))) {
		e->hash = key_hash(key);
		snprintf(e->key, sizeof e->key, "%s", key);
		snprintf(e->version, sizeof e->version, "%s", version);
		e->data = copy;
		e->len = len;
		e->used = ++tick;
		bytes += len;
		copy = NULL;
	}
	pthread_cond_broadcast(&built);
	pthread_mutex_unlock(&lock);
	free(copy);
}

cJSON *cache_get_json(const char *key, const char *version, int stale_ok)
{
	size_t len = 0;
	char *text = cache_get(key, version, stale_ok, &len);
	cJSON *v = text ? cJSON_ParseWithLength(text, len) : NULL;

	free(text);
	return v;
}

void cache_put_json(const char *key, const char *version, const cJSON *value)
{
	char *text = value ? cJSON_PrintUnformatted(value) : NULL;

	cache_put(key, version, text, text ? strlen(text) : 0);
	cJSON_free(text);
}

/* ---- who wrote just now ---- */

#define WRITERS		64
#define WRITER_FRESH_MS 2000.0

static pthread_mutex_t writers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int64_t user;
	double at; /* ms, monotonic; 0: a free place */
} writers[WRITERS];

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void cache_wrote(int64_t user_id)
{
	double now = mono_ms();
	int i, at = 0;

	if (!user_id)
		return;
	pthread_mutex_lock(&writers_lock);
	for (i = 0; i < WRITERS; i++) {
		if (writers[i].user == user_id) { /* the user's own place */
			at = i;
			break;
		}
		if (writers[i].at < writers[at].at) /* else the oldest */
			at = i;
	}
	writers[at].user = user_id;
	writers[at].at = now;
	pthread_mutex_unlock(&writers_lock);
}

int cache_stale_ok(int64_t user_id)
{
	double now = mono_ms();
	int i, ok = 1;

	if (!user_id)
		return 1;
	pthread_mutex_lock(&writers_lock);
	for (i = 0; i < WRITERS && ok; i++)
		if (writers[i].user == user_id && now - writers[i].at < WRITER_FRESH_MS)
			ok = 0;
	pthread_mutex_unlock(&writers_lock);
	return ok;
}

void cache_clear(void)
{
	int i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < CACHE_SLOTS; i++) {
		free(slots[i].data);
		slots[i].data = NULL;
	}
	for (i = 0; i < CLAIMS; i++)
		claims[i].active = 0;
	bytes = 0;
	pthread_cond_broadcast(&built);
	pthread_mutex_unlock(&lock);
}
