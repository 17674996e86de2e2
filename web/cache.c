/* cache.c — versioned report cache; see cache.h. */
#include "cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define CACHE_SLOTS 64

typedef struct Entry {
	char key[160];
	char version[64];
	char *json;
	unsigned long used;
} Entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Entry slots[CACHE_SLOTS];
static unsigned long tick;

void cache_version(sqlite3 *db, Date today, char *buf, size_t n)
{
	snprintf(buf, n, "%lld/%lld/%d",
		 (long long)db_int(db, 0, "SELECT max(id) FROM audit_log", ""),
		 (long long)db_int(db, 0, "SELECT max(id) FROM purchase", ""), (int)today);
}

cJSON *cache_get(const char *key, const char *version)
{
	cJSON *v = NULL;
	int i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < CACHE_SLOTS; i++) {
		Entry *e = &slots[i];

		if (e->json && strcmp(e->key, key) == 0 && strcmp(e->version, version) == 0) {
			e->used = ++tick;
			v = cJSON_Parse(e->json);
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	return v;
}

void cache_put(const char *key, const char *version, const cJSON *value)
{
	char *json = value ? cJSON_PrintUnformatted(value) : NULL;
	Entry *victim = &slots[0];
	int i;

	if (!json || strlen(key) >= sizeof victim->key) {
		cJSON_free(json);
		return;
	}
	pthread_mutex_lock(&lock);
	for (i = 0; i < CACHE_SLOTS; i++) {
		if (strcmp(slots[i].key, key) == 0 || !slots[i].json) {
			victim = &slots[i];
			break;
		}
		if (slots[i].used < victim->used)
			victim = &slots[i];
	}
	cJSON_free(victim->json);
	snprintf(victim->key, sizeof victim->key, "%s", key);
	snprintf(victim->version, sizeof victim->version, "%s", version);
	victim->json = json;
	victim->used = ++tick;
	pthread_mutex_unlock(&lock);
}

void cache_clear(void)
{
	int i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < CACHE_SLOTS; i++) {
		cJSON_free(slots[i].json);
		slots[i].json = NULL;
		slots[i].key[0] = '\0';
	}
	pthread_mutex_unlock(&lock);
}
