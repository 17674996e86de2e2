/* pagecache.c — pages kept per version, role and binding; see
 * pagecache.h. */
#include "pagecache.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cache.h"
#include "render.h"
#include "user.h"

#define PAGE_MAX  ((size_t)32 << 20)
#define NONCE_HEX 32

/* "clpc" and 32 random hex digits, then 'e' (e-mail) or 'c' (CSRF token):
 * no page text can guess it, and {{name}} leaves it as it is. */
static char nonce[4 + NONCE_HEX + 1];
static pthread_once_t nonce_once = PTHREAD_ONCE_INIT;

static void nonce_make(void)
{
	unsigned char raw[NONCE_HEX / 2];

	randombytes_buf(raw, sizeof raw);
	snprintf(nonce, sizeof nonce, "clpc");
	sodium_bin2hex(nonce + 4, NONCE_HEX + 1, raw, sizeof raw);
}

void pagecache_key(Req *r, const char *page, const char *const *args, int n, char *key)
{
	size_t used;
	int i;

	used = (size_t)snprintf(key, PAGECACHE_KEY_BUF, "%s", page);
	for (i = 0; i < n && used < PAGECACHE_KEY_BUF; i++) {
		const char *v = req_query(r, args[i]);

		if (v) /* length-prefixed: no value can pose as another */
			used += (size_t)snprintf(key + used, PAGECACHE_KEY_BUF - used, "&%s=%zu:%s",
						 args[i], strlen(v), v);
	}
	if (used >= PAGECACHE_KEY_BUF)
		key[0] = '\0';
}

/* key with r's role and binding.  OUT: full (size n); "" when it does not
 * fit or key is "". */
static void full_key(const Req *r, const char *key, char *full, size_t n)
{
	int len = snprintf(full, n, "page|%s|%s|%s|%s", key, role_name(r->who.role), r->who.agency,
			   r->who.vendor);

	if (!key[0] || len < 0 || (size_t)len >= n)
		full[0] = '\0';
}

/* The entity of one of & < > " ' */
static const char *entity(char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '\'':
		return "&#39;";
	default:
		return "&quot;";
	}
}

/* Append v escaped as mustache's {{name}} escapes (& < > " '). */
static ClCode put_escaped(Buf *b, const char *v)
{
	while (*v) {
		size_t n = strcspn(v, "&<>\"'");

		if (buf_append(b, v, n))
			return CL_ENOMEM;
		v += n;
		if (*v && buf_puts(b, entity(*v++)))
			return CL_ENOMEM;
	}
	return CL_OK;
}

/* html (a NUL-terminated page) with the markers replaced by r's e-mail
 * and CSRF token, as a new string the caller frees (NULL when out of
 * memory). */
static char *personal(const Req *r, const char *html)
{
	size_t nlen = strlen(nonce);
	const char *p = html, *m;
	ClCode rc = CL_OK;
	Buf b;

	buf_init(&b, PAGE_MAX + 4096);
	while (!rc && (m = strstr(p, nonce)) && m[nlen]) {
		rc = buf_append(&b, p, (size_t)(m - p));
		if (!rc && m[nlen] == 'e')
			rc = put_escaped(&b, r->who.email);
		else if (!rc && m[nlen] == 'c')
			rc = put_escaped(&b, r->who.csrf);
		else if (!rc)
			rc = buf_append(&b, m, nlen + 1);
		p = m + nlen + 1;
	}
	if (rc || buf_puts(&b, p)) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

int pagecache_send(Req *r, const char *key, const char *version)
{
	char full[CACHE_KEY_BUF], *html, *page;
	size_t len = 0;

	pthread_once(&nonce_once, nonce_make);
	full_key(r, key, full, sizeof full);
	if (!full[0] || !(html = cache_get(full, version, cache_stale_ok(r->who.user_id), &len)))
		return 0;
	page = personal(r, html);
	free(html);
	if (!page) {
		resp_error(r, 500, "out of memory");
		return 1;
	}
	resp_html(r, 200, page);
	return 1;
}

int pagecache_render(Req *r, const char *key, const char *version, const char *page, cJSON *ctx)
{
	char full[CACHE_KEY_BUF], *html;
	Principal real = r->who;

	pthread_once(&nonce_once, nonce_make);
	full_key(r, key, full, sizeof full);
	snprintf(r->who.email, sizeof r->who.email, "%se", nonce);
	snprintf(r->who.csrf, sizeof r->who.csrf, "%sc", nonce);
	render_page(r, 200, page, ctx);
	r->who = real;
	if (r->resp.status != 200 || !r->resp.body) {
		cache_put(full, version, NULL, 0);
		return 0;
	}
	cache_put(full, version, r->resp.body, r->resp.len);
	html = personal(r, r->resp.body);
	if (!html)
		return resp_error(r, 500, "out of memory");
	return resp_html(r, 200, html);
}

void pagecache_fail(Req *r, const char *key, const char *version)
{
	char full[CACHE_KEY_BUF];

	full_key(r, key, full, sizeof full);
	cache_put(full, version, NULL, 0);
}
