/* test_smtp.c — the SMTP URL of COOPLEDGER_SMTP_URL (mail/smtp.c,
 * mail_smtp_parse_url): schemes, user info with percent-escapes split at
 * the last '@', default ports, options, and bad URLs refused with a
 * message that says what is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "smtp.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* URLs that parse, and what they give. */
static const struct {
	const char *url;
	const char *host;
	int port, tls;
	const char *user, *password;
	SmtpTls starttls;
	const char *cafile;
	long timeout;
} good[] = {
	{"smtp://mail.example", "mail.example", 25, 0, "", "", SMTP_TLS_OPTIONAL, "", 0},
	{"smtp://mail.example/", "mail.example", 25, 0, "", "", SMTP_TLS_OPTIONAL, "", 0},
	{"smtp://relay-1.usd259.example:2525", "relay-1.usd259.example", 2525, 0, "", "",
	 SMTP_TLS_OPTIONAL, "", 0},
	{"smtp://pat@mail.example", "mail.example", 587, 0, "pat", "", SMTP_TLS_REQUIRED, "", 0},
	{"smtp://pat:@mail.example", "mail.example", 587, 0, "pat", "", SMTP_TLS_REQUIRED, "", 0},
	{"smtps://mail.example", "mail.example", 465, 1, "", "", SMTP_TLS_OPTIONAL, "", 0},
	{"SMTPS://mail.example", "mail.example", 465, 1, "", "", SMTP_TLS_OPTIONAL, "", 0},
	{"smtps://pat:secret@mail.example:4650", "mail.example", 4650, 1, "pat", "secret",
	 SMTP_TLS_OPTIONAL, "", 0},
	/* percent-escapes in user and password */
	{"smtp://me%40usd259.example:p%40ss%3Aw%2Frd%25@mail.example:587?starttls=required",
	 "mail.example", 587, 0, "me@usd259.example", "p@ss:w/rd%", SMTP_TLS_REQUIRED, "", 0},
	/* the user info ends at the LAST '@' */
	{"smtp://me@usd259.example:p@ss@mail.example", "mail.example", 587, 0, "me@usd259.example",
	 "p@ss", SMTP_TLS_REQUIRED, "", 0},
	{"smtp://a@b@c@127.0.0.1:25", "127.0.0.1", 25, 0, "a@b@c", "", SMTP_TLS_REQUIRED, "", 0},
	/* with a user, STARTTLS is required unless the URL says otherwise */
	{"smtp://u:p@127.0.0.1:2525?starttls=none", "127.0.0.1", 2525, 0, "u", "p", SMTP_TLS_NONE,
	 "", 0},
	{"smtp://u:p@h?starttls=optional", "h", 587, 0, "u", "p", SMTP_TLS_OPTIONAL, "", 0},
	/* options */
	{"smtp://127.0.0.1:2525?starttls=none", "127.0.0.1", 2525, 0, "", "", SMTP_TLS_NONE, "", 0},
	{"smtp://h?starttls=optional&timeout=300", "h", 25, 0, "", "", SMTP_TLS_OPTIONAL, "", 300},
	{"smtp://h/?timeout=5&starttls=required", "h", 25, 0, "", "", SMTP_TLS_REQUIRED, "", 5},
	{"smtps://u:p@h?cafile=%2Ftmp%2Fca%20dir%2Fca.pem&timeout=1", "h", 465, 1, "u", "p",
	 SMTP_TLS_OPTIONAL, "/tmp/ca dir/ca.pem", 1},
};

/* URLs refused, and words of the message. */
static const struct {
	const char *url;
	const char *words;
} bad[] = {
	{"http://mail.example", "must start with smtp:// or smtps://"},
	{"", "must start with smtp://"},
	{"smtp://", "no host name"},
	{"smtp://pat@", "no host name"},
	{"smtp://pat:pw@:25", "no host name"},
	{"smtp://@mail.example", "empty user name"},
	{"smtp://:pw@mail.example", "empty user name"},
	{"smtp://mail.example:0", "bad port \"0\""},
	{"smtp://mail.example:65536", "bad port \"65536\""},
	{"smtp://mail.example:25x", "bad port \"25x\""},
	{"smtp://mail.example:", "bad port"},
	{"smtp://mail.example:-25", "bad port"},
	{"smtp://mail example", "bad character ' ' in the host name"},
	{"smtp://[::1]:25", "IPv6"},
	{"smtp://::1", "IPv6"},
	{"smtp://mail.example/inbox", "unexpected path \"/inbox\""},
	{"smtp://mail.example#top", "fragment"},
	{"smtp://u%4@mail.example", "bad percent escape in the user name"},
	{"smtp://u%zz@mail.example", "bad percent escape in the user name"},
	{"smtp://u:p%0@mail.example", "bad percent escape in the password"},
	{"smtp://u:p%00@mail.example", "bad percent escape in the password"},
	{"smtp://mail.example?starttls=maybe",
	 "starttls is required, optional or none, not \"maybe\""},
	{"smtp://mail.example?starttls", "is not name=value"},
	{"smtp://mail.example?=none", "is not name=value"},
	{"smtp://mail.example?tls=1", "unknown option \"tls\""},
	{"smtp://mail.example?timeout=0", "timeout is a number of seconds from 1 to 300"},
	{"smtp://mail.example?timeout=301", "timeout is a number of seconds"},
	{"smtp://mail.example?timeout=ten", "timeout is a number of seconds"},
	{"smtp://mail.example?cafile=", "cafile needs a file name"},
	{"smtps://mail.example?starttls=required", "starttls= does not apply to smtps://"},
	{"smtps://mail.example?starttls=none", "starttls= does not apply to smtps://"},
};

static void test_good_urls(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(good); i++) {
		SmtpConfig c;
		Err e = {0};
		ClCode rc = mail_smtp_parse_url(good[i].url, &c, &e);

		if (rc != CL_OK)
			print_error("%s: %s\n", good[i].url, e.msg);
		assert_int_equal(rc, CL_OK);
		assert_string_equal(c.host, good[i].host);
		assert_int_equal(c.port, good[i].port);
		assert_int_equal(c.tls, good[i].tls);
		assert_string_equal(c.user, good[i].user);
		assert_string_equal(c.password, good[i].password);
		assert_int_equal(c.starttls, good[i].starttls);
		assert_string_equal(c.cafile, good[i].cafile);
		assert_int_equal(c.timeout, good[i].timeout);
	}
}

static void test_bad_urls(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(bad); i++) {
		SmtpConfig c;
		Err e = {0};
		ClCode rc = mail_smtp_parse_url(bad[i].url, &c, &e);

		if (rc != CL_EINPUT || !strstr(e.msg, bad[i].words) ||
		    strncmp(e.msg, "COOPLEDGER_SMTP_URL: ", 21) != 0)
			print_error("%s: got %d \"%s\", wanted \"%s\"\n", bad[i].url, (int)rc,
				    e.msg, bad[i].words);
		assert_int_equal(rc, CL_EINPUT);
		assert_non_null(strstr(e.msg, bad[i].words));
		assert_int_equal(strncmp(e.msg, "COOPLEDGER_SMTP_URL: ", 21), 0);
	}
}

/* User, password, host and option values that do not fit are refused,
 * never cut short. */
static void test_too_long(void **state)
{
	char url[4096], big[1100];
	SmtpConfig c;
	Err e = {0};

	(void)state;
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	snprintf(url, sizeof url, "smtp://%.300s@mail.example", big);
	assert_int_equal(mail_smtp_parse_url(url, &c, &e), CL_EINPUT);
	assert_non_null(strstr(e.msg, "the user name is too long"));
	snprintf(url, sizeof url, "smtp://u:%.300s@mail.example", big);
	assert_int_equal(mail_smtp_parse_url(url, &c, &e), CL_EINPUT);
	assert_non_null(strstr(e.msg, "the password is too long"));
	snprintf(url, sizeof url, "smtp://%.300s", big);
	assert_int_equal(mail_smtp_parse_url(url, &c, &e), CL_EINPUT);
	assert_non_null(strstr(e.msg, "the host name is too long"));
	snprintf(url, sizeof url, "smtps://h?cafile=%s", big);
	assert_int_equal(mail_smtp_parse_url(url, &c, &e), CL_EINPUT);
	assert_non_null(strstr(e.msg, "the cafile is too long"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_urls),
		cmocka_unit_test(test_bad_urls),
		cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
