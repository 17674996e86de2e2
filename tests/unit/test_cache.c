/* test_cache.c — the report and page cache (web/cache.c): one build per
 * key and version, the version before served to readers while it is
 * built, and never to someone who has just written to the books. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cache.h"

/* A reader in a thread of its own: cache_get(key, version, stale_ok). */
typedef struct Reader {
	const char *key, *version;
	int stale_ok;
	char *got;
	pthread_t thread;
} Reader;

static void *read_one(void *arg)
{
	Reader *r = arg;

	r->got = cache_get(r->key, r->version, r->stale_ok, NULL);
	return NULL;
}

static void pause_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&t, NULL);
}

static void test_first_caller_builds(void **state)
{
	size_t len = 0;
	char *got;

	(void)state;
	cache_clear();
	assert_null(cache_get("dash", "1/1/0/0", 1, NULL)); /* the caller builds it */
	cache_put("dash", "1/1/0/0", "figures one", 11);
	got = cache_get("dash", "1/1/0/0", 0, &len);
	assert_string_equal(got, "figures one");
	assert_int_equal(len, 11);
	free(got);
}

static void test_reader_gets_version_before_while_built(void **state)
{
	Reader r = {"dash", "2/1/0/0", 1, NULL, 0};

	(void)state;
	cache_clear();
	assert_null(cache_get("dash", "1/1/0/0", 1, NULL));
	cache_put("dash", "1/1/0/0", "figures one", 11);
	/* a commit: the first caller of the new version builds it ... */
	assert_null(cache_get("dash", "2/1/0/0", 1, NULL));
	/* ... and a reader meanwhile gets the version before, at once */
	assert_int_equal(pthread_create(&r.thread, NULL, read_one, &r), 0);
	assert_int_equal(pthread_join(r.thread, NULL), 0);
	assert_non_null(r.got);
	assert_string_equal(r.got, "figures one");
	free(r.got);
	cache_put("dash", "2/1/0/0", "figures two", 11);
	r.got = cache_get("dash", "2/1/0/0", 1, NULL);
	assert_string_equal(r.got, "figures two");
	free(r.got);
}

static void test_writer_waits_for_the_build(void **state)
{
	Reader r = {"dash", "2/1/0/0", 0, NULL, 0};

	(void)state;
	cache_clear();
	assert_null(cache_get("dash", "1/1/0/0", 1, NULL));
	cache_put("dash", "1/1/0/0", "figures one", 11);
	assert_null(cache_get("dash", "2/1/0/0", 1, NULL)); /* being built */
	assert_int_equal(pthread_create(&r.thread, NULL, read_one, &r), 0);
	pause_ms(100); /* it waits: the version before is not for it */
	cache_put("dash", "2/1/0/0", "figures two", 11);
	assert_int_equal(pthread_join(r.thread, NULL), 0);
	assert_non_null(r.got);
	assert_string_equal(r.got, "figures two");
	free(r.got);
}

static void test_no_version_before_means_waiting(void **state)
{
	Reader r = {"new", "1/1/0/0", 1, NULL, 0};

	(void)state;
	cache_clear();
	assert_null(cache_get("new", "1/1/0/0", 1, NULL)); /* being built, nothing older */
	assert_int_equal(pthread_create(&r.thread, NULL, read_one, &r), 0);
	pause_ms(100);
	cache_put("new", "1/1/0/0", "first", 5);
	assert_int_equal(pthread_join(r.thread, NULL), 0);
	assert_string_equal(r.got, "first");
	free(r.got);
}

static void test_who_wrote_just_now(void **state)
{
	(void)state;
	assert_int_equal(cache_stale_ok(7), 1);
	cache_wrote(7);
	assert_int_equal(cache_stale_ok(7), 0);
	assert_int_equal(cache_stale_ok(8), 1);
	cache_wrote(0); /* not signed in: not kept */
	assert_int_equal(cache_stale_ok(0), 1);
	pause_ms(2100);
	assert_int_equal(cache_stale_ok(7), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_caller_builds),
		cmocka_unit_test(test_reader_gets_version_before_while_built),
		cmocka_unit_test(test_writer_waits_for_the_build),
		cmocka_unit_test(test_no_version_before_means_waiting),
		cmocka_unit_test(test_who_wrote_just_now),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
