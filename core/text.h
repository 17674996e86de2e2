/*
 * text.h — checks of text fields: valid UTF-8, and one line (no control
 * characters) for the fields that are single lines — names, references,
 * reasons, e-mail addresses.  Messages name the field.
 */
#ifndef COOPLEDGER_TEXT_H
#define COOPLEDGER_TEXT_H

#include <stddef.h>

#include "err.h"

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 when it is
 * not valid (overlong forms, surrogates and values over U+10FFFF are not). */
size_t utf8_seq_len(const unsigned char *s, size_t n);

/* CL_OK, or CL_EINPUT naming field what when s is not valid UTF-8 or
 * holds a control character (0x00-0x1f, 0x7f). */
ClCode text_check_line(const char *what, const char *s, Err *e) __attribute__((warn_unused_result));

/* The same, with NULL allowed (an absent optional field). */
ClCode text_check_optional(const char *what, const char *s, Err *e)
	__attribute__((warn_unused_result));

/* CL_OK, or CL_EINPUT naming field what when s is not a practical e-mail
 * address: local@domain, at most 254 bytes (64 before the @), printable
 * ASCII without blanks, quotes, angle brackets, commas, semicolons,
 * backslashes, brackets or parentheses; the part before the @ without a
 * dot at either end or two together; a domain of dot-separated labels of
 * letters, digits and '-' (not at a label's ends) with at least one dot.
 * NULL and "" are refused ("an address is required"). */
ClCode text_check_email(const char *what, const char *s, Err *e)
	__attribute__((warn_unused_result));

/* CL_OK, or CL_EINPUT naming what and the byte when json holds a NUL
 * byte or a "\u0000" escape in a string: cJSON would decode the escape
 * into a NUL that cuts the string short without a word. */
ClCode json_check_nul(const char *what, const char *json, size_t len, Err *e)
	__attribute__((warn_unused_result));

#endif
