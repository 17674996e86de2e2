/*
 * signin.h — checking a sign-in, shared by the form and the API: the
 * size of what was sent, the throttles of the account and the client's
 * address, and the password.
 */
#ifndef COOPLEDGER_SIGNIN_H
#define COOPLEDGER_SIGNIN_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

#define SIGNIN_EMAIL_MAX 254 /* RFC 5321's limit on a path */

/* Check email and password for r's client.  Returns the HTTP status to
 * answer with: 200 (OUT *uid), 400, 401, 429 or 503, with a message for a
 * person in msg (size n) when it is not 200. */
int signin_check(Req *r, const char *email, const char *password, int64_t *uid, char *msg,
		 size_t n);

#endif
