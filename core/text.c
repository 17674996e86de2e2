/* text.c — checks of text fields; see text.h. */
#include "text.h"

#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 when it is
 * not valid (overlong forms, surrogates and values over U+10FFFF are not). */
size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

ClCode text_check_line(const char *what, const char *s, Err *e)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;

	while (i < n) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return err_set(e, CL_EINPUT,
				       "%s: control character 0x%02x at byte %zu (it must be one "
				       "line of text)",
				       what, u[i], i);
		k = utf8_seq_len(u + i, n - i);
		if (!k)
			return err_set(e, CL_EINPUT, "%s: not valid UTF-8 at byte %zu", what, i);
		i += k;
	}
	return CL_OK;
}

ClCode text_check_optional(const char *what, const char *s, Err *e)
{
	return s ? text_check_line(what, s, e) : CL_OK;
}

/* The words for byte c refused in an e-mail address.  OUT: buf. */
static const char *email_char_words(unsigned char c, char *buf, size_t n)
{
	if (c == ' ')
		return "a space";
	if (c >= 0x80)
		return "a non-ASCII character";
	snprintf(buf, n, "'%c'", c);
	return buf;
}

/* Whether c may stand in the part before the @ (RFC 5321's atext and '.'). */
static int email_local_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+/=?^_`{|}~.-", c));
}

/* Check the domain d (after the @) of address s. */
static ClCode email_domain(const char *what, const char *s, const char *d, Err *e)
{
	size_t label = 0;
	const char *p;

	if (!*d)
		return err_set(e, CL_EINPUT,
			       "%s: \"%.80s\" is not an e-mail address: it has nothing after the @",
			       what, s);
	if (!strchr(d, '.'))
		return err_set(e, CL_EINPUT,
			       "%s: \"%.80s\" is not an e-mail address: the domain needs a dot (as "
			       "in name@example.org)",
			       what, s);
	for (p = d;; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '.' || !c) {
			if (!label || p[-1] == '-' || label > 63)
				return err_set(e, CL_EINPUT,
					       "%s: \"%.80s\" is not an e-mail address: the domain "
					       "must be names of letters, "
					       "digits and '-' joined by single dots",
					       what, s);
			if (!c)
				return CL_OK;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (c == '-' && label > 0)))
			return err_set(e, CL_EINPUT,
				       "%s: \"%.80s\" is not an e-mail address: the domain must be "
				       "names of letters, digits "
				       "and '-' joined by single dots",
				       what, s);
		label++;
	}
}

ClCode text_check_email(const char *what, const char *s, Err *e)
{
	const char *at, *p;
	char buf[8];
	size_t n;

	if (!s || !*s)
		return err_set(e, CL_EINPUT, "%s: an address is required", what);
	n = strlen(s);
	if (n > 254)
		return err_set(e, CL_EINPUT,
			       "%s: an address has at most 254 characters (this has %zu)", what, n);
	if (text_check_line(what, s, e))
		return CL_EINPUT;
	for (p = s; *p; p++)
		if (*p != '@' && !email_local_char((unsigned char)*p))
			return err_set(
				e, CL_EINPUT,
				"%s: \"%.80s\" is not an e-mail address: the character %s is "
				"not allowed",
				what, s, email_char_words((unsigned char)*p, buf, sizeof buf));
	at = strchr(s, '@');
	if (!at)
		return err_set(e, CL_EINPUT,
			       "%s: \"%.80s\" is not an e-mail address (it needs an @, as in "
			       "name@example.org)",
			       what, s);
	if (strchr(at + 1, '@'))
		return err_set(e, CL_EINPUT,
			       "%s: \"%.80s\" is not an e-mail address: it has more than one @",
			       what, s);
	if (at == s)
		return err_set(
			e, CL_EINPUT,
			"%s: \"%.80s\" is not an e-mail address: it has nothing before the @", what,
			s);
	if (at - s > 64)
		return err_set(e, CL_EINPUT,
			       "%s: the part before the @ has at most 64 characters (this has %zu)",
			       what, (size_t)(at - s));
	if (*s == '.' || at[-1] == '.')
		return err_set(e, CL_EINPUT,
			       "%s: \"%.80s\" is not an e-mail address: the part before the @ must "
			       "not start or end with a dot",
			       what, s);
	for (p = s; p + 1 < at; p++)
		if (p[0] == '.' && p[1] == '.')
			return err_set(e, CL_EINPUT,
				       "%s: \"%.80s\" is not an e-mail address: the part before "
				       "the @ must not have two dots "
				       "together",
				       what, s);
	return email_domain(what, s, at + 1, e);
}

ClCode json_check_nul(const char *what, const char *json, size_t len, Err *e)
{
	const char *nul = memchr(json, '\0', len);
	int in_str = 0;
	size_t i;

	if (nul)
		return err_set(e, CL_EINPUT, "%s: NUL byte at byte %zu", what,
			       (size_t)(nul - json));
	for (i = 0; i < len; i++) {
		if (json[i] == '"') {
			in_str = !in_str;
		} else if (in_str && json[i] == '\\') {
			if (i + 5 < len && memcmp(json + i + 1, "u0000", 5) == 0)
				return err_set(e, CL_EINPUT,
					       "%s: \"\\u0000\" at byte %zu is not allowed", what,
					       i);
			i++; /* the escaped character cannot end the string */
		}
	}
	return CL_OK;
}
