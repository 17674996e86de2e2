/* signin.c — checking a sign-in; see signin.h. */
#include "signin.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "session.h"
#include "user.h"

int signin_check(Req *r, const char *email, const char *password, int64_t *uid, char *msg, size_t n)
{
	int64_t attempt;
	int wait, rc;

	*uid = 0;
	if (!email || !password || !*email || !*password) {
		snprintf(msg, n, "Enter your e-mail address and password.");
		return 400;
	}
	/* refused before the database sees them */
	if (strlen(email) > SIGNIN_EMAIL_MAX || strlen(password) > USER_PASSWORD_MAX) {
		snprintf(msg, n,
			 "The e-mail address or password is too long (at most %d and %d "
			 "characters).",
			 SIGNIN_EMAIL_MAX, USER_PASSWORD_MAX);
		return 400;
	}
	rc = login_attempt_begin(r->db, email, r->client, time(NULL), &attempt, &wait);
	if (rc < 0) {
		snprintf(msg, n, "Signing in is not possible just now: try again in a moment.");
		return 503;
	}
	if (rc > 0) {
		snprintf(msg, n, "Too many failed attempts: try again in %d minutes.",
			 (wait + 59) / 60);
		return 429;
	}
	if (user_authenticate(r->db, email, password, uid, NULL)) {
		snprintf(msg, n, "The e-mail address or password is not right.");
		return 401;
	}
	login_attempt_succeeded(r->db, attempt);
	return 200;
}
