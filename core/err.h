/*
 * err.h — the project's one error type.
 *
 * Every fallible function in core/ returns a ClCode and, when given an Err,
 * leaves there a message a person can act on.  CL_OK is zero so that
 * `if (rc) goto out;` reads naturally.  The compiler warns when a ClCode is
 * dropped; one dropped on purpose is cast away as `(void)!f(...)` (gcc
 * does not take a bare (void) cast) next to a comment saying why.
 */
#ifndef COOPLEDGER_ERR_H
#define COOPLEDGER_ERR_H

typedef enum {
	CL_OK = 0,
	CL_EINPUT,    /* malformed or out-of-range input */
	CL_ENOTFOUND, /* a named record does not exist */
	CL_ECONFLICT, /* uniqueness or state conflict */
	CL_ERULE,     /* a business rule refuses the change */
	CL_EDB,	      /* the database failed */
	CL_ENOMEM,    /* out of memory or over a size cap */
	CL_EIO	      /* a file could not be read or written */
} ClCode;

#define ERR_MSG_MAX 512

typedef struct Err {
	ClCode code;
	char msg[ERR_MSG_MAX];
} Err;

/* Record code and a printf-style message in e (which may be NULL); returns
 * code so callers can write `return err_set(e, CL_EINPUT, "...")`.  Unlike
 * the other functions returning a ClCode it may be called for its effect
 * alone: its result is its argument code, never news of a failure. */
ClCode err_set(Err *e, ClCode code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prefix the message already in e with "prefix: ". */
void err_prefix(Err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reset e to CL_OK with an empty message. */
void err_clear(Err *e);

#endif
