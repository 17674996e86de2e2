/* test_email.c — the one check of e-mail addresses (core/text.h) that
 * users, agencies and vendors go through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void test_email_good(void **state)
{
	static const char *const good[] = {
		"a@b.example",
		"finance@usd233.test",
		"first.last+tag@mail.example.org",
		"O'Brien@x.example",
		"x_y-z@sub-domain.example.co.uk",
		"a1!#$%&*/=?^`{|}~@d.example",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof *good; i++) {
		Err e = {0};

		if (text_check_email("e-mail", good[i], &e) != CL_OK)
			fail_msg("%s refused: %s", good[i], e.msg);
	}
}

static void test_email_bad(void **state)
{
	char long_local[80], long_all[300];
	const struct {
		const char *text, *why; /* why: a word the message must hold */
	} bad[] = {
		{"\"><script>alert(9)</script>@x.example", "character"},
		{"", "required"},
		{"plain", "@"},
		{"@x.example", "before the @"},
		{"a@", "after the @"},
		{"a@b@c.example", "@"},
		{"a@localhost", "dot"},
		{"a b@x.example", "character"},
		{"a@x .example", "character"},
		{"\"a\"@x.example", "character"},
		{"a<b@x.example", "character"},
		{"a>b@x.example", "character"},
		{"a,b@x.example", "character"},
		{"a;b@x.example", "character"},
		{"a\\b@x.example", "character"},
		{"a(b)@x.example", "character"},
		{"a\n@x.example", "control"},
		{"a\x7f@x.example", "control"},
		{"a@.x.example", "domain"},
		{"a@x.example.", "domain"},
		{"a@x..example", "domain"},
		{".a@x.example", "before the @"},
		{"a.@x.example", "before the @"},
		{"a..b@x.example", "before the @"},
		{"a@-x.example", "domain"},
		{"a@x_y.example", "domain"},
		{"caf\xc3\xa9@x.example", "character"},
		{"bad \xc3(@x.example", "UTF-8"},
		{long_local, "64"},
		{long_all, "254"},
	};
	size_t i;

	(void)state;
	memset(long_local, 'a', 65);
	strcpy(long_local + 65, "@x.example");
	memset(long_all, 'b', 250);
	memcpy(long_all, "a@", 2);
	strcpy(long_all + 250, ".example");
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		Err e = {0};

		if (text_check_email("agency e-mail", bad[i].text, &e) != CL_EINPUT)
			fail_msg("case %zu accepted: %s", i, bad[i].text);
		if (strncmp(e.msg, "agency e-mail: ", 15) != 0)
			fail_msg("case %zu: message does not name the field: %s", i, e.msg);
		if (!strstr(e.msg, bad[i].why))
			fail_msg("case %zu: message \"%s\" does not say \"%s\"", i, e.msg,
				 bad[i].why);
	}
	assert_int_equal(text_check_email("e-mail", NULL, NULL), CL_EINPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email_good),
		cmocka_unit_test(test_email_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
