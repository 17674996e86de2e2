/*
 * terms_check.h — every problem of a terms document at once.
 *
 * terms_parse() stops at the first problem, which is right for `contract
 * import` and the API.  A person filling in a form wants to see them all,
 * each beside its field: terms_check() finds them by asking terms_parse()
 * about one field of the document at a time, each set into a small valid
 * document, and one fee band or tier at a time.  The messages are
 * terms_parse()'s own, so the form, the command line and the API say the
 * same thing about the same mistake.
 */
#ifndef COOPLEDGER_TERMS_CHECK_H
#define COOPLEDGER_TERMS_CHECK_H

#include <stddef.h>

#include "err.h"

#define TERMS_PATH_BUF	   96
#define TERMS_MAX_PROBLEMS 128

/* One problem: the path of the field it is about, as terms_parse() names
 * it ("fee.bands[1].rate", "end", "late_fee"; "" for the document as a
 * whole), and the message, path first. */
typedef struct TermsProblem {
	char path[TERMS_PATH_BUF];
	char msg[ERR_MSG_MAX];
} TermsProblem;

typedef struct TermsProblems {
	TermsProblem *item;
	int n;
} TermsProblems;

/* The problems of the terms document json (len bytes), at most one a
 * field, in the order of the document's fields, and at most
 * TERMS_MAX_PROBLEMS.  CL_OK when terms_parse() takes the document (no
 * problems); CL_EINPUT with the problems in *out and the first in e;
 * CL_ENOMEM.  OUT: *out (free with terms_check_free(), also on failure). */
ClCode terms_check(const char *json, size_t len, TermsProblems *out, Err *e)
	__attribute__((warn_unused_result));

void terms_check_free(TermsProblems *p);

/* The path a message of terms_parse() or contract_import() starts with
 * ("fee.bands[1].rate: ..."), into path (size n): "" when the message does
 * not start with a field's path.  Returns path. */
char *terms_message_path(const char *msg, char *path, size_t n);

#endif
