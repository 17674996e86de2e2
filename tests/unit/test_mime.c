/* test_mime.c — messages of the notices (mail/mime.c): RFC 2047 headers,
 * base64 line lengths, the multipart structure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "mime.h"

/* Decode base64 s (no line breaks) into out; returns the length. */
static size_t unbase64(const char *s, size_t n, unsigned char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned v = 0;
	int bits = 0;
	size_t i, k = 0;

	for (i = 0; i < n && s[i] != '='; i++) {
		const char *p = strchr(a, s[i]);

		assert_non_null(p);
		v = (v << 6) | (unsigned)(p - a);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (unsigned char)((v >> bits) & 0xff);
		}
	}
	return k;
}

static void test_rfc2047_subject(void **state)
{
	const char *subject = "Peña Côte — statement";
	char decoded[200] = "";
	unsigned char part[100];
	Buf b;
	const char *p;

	(void)state;
	buf_init(&b, 1 << 16);
	assert_int_equal(mime_header_text(&b, subject), CL_OK);
	/* only printable ASCII, encoded-words of at most 75 characters */
	for (p = b.data; *p; p++)
		assert_true((*p >= 0x20 && *p < 0x7f) || *p == '\r' || *p == '\n');
	for (p = b.data; p && *p;) {
		const char *start = strstr(p, "=?UTF-8?B?"), *end;
		size_t n;

		if (!start)
			break;
		end = strstr(start + 10, "?=");
		assert_non_null(end);
		assert_true(end + 2 - start <= 75);
		n = unbase64(start + 10, (size_t)(end - start - 10), part);
		strncat(decoded, (const char *)part, n);
		p = end + 2;
	}
	assert_string_equal(decoded, subject);
	buf_free(&b);

	buf_init(&b, 1 << 16); /* plain ASCII stays as it is */
	assert_int_equal(mime_header_text(&b, "KS-FURN-2025 fee statement"), CL_OK);
	assert_string_equal(b.data, "KS-FURN-2025 fee statement");
	buf_free(&b);
}

static void test_rfc2047_long_never_splits_utf8(void **state)
{
	char text[400] = "";
	char decoded[800] = "";
	unsigned char part[100];
	const char *p;
	Buf b;
	int i;

	(void)state;
	for (i = 0; i < 40; i++)
		strcat(text, "é—"); /* 2 + 3 bytes */
	buf_init(&b, 1 << 16);
	assert_int_equal(mime_header_text(&b, text), CL_OK);
	for (p = b.data; (p = strstr(p, "=?UTF-8?B?")) != NULL;) {
		const char *end = strstr(p + 10, "?=");
		size_t n = unbase64(p + 10, (size_t)(end - p - 10), part);

		assert_true(end + 2 - p <= 75);
		/* each word holds whole characters: it starts with a lead byte */
		assert_true((part[0] & 0xc0) != 0x80);
		strncat(decoded, (const char *)part, n);
		p = end + 2;
	}
	assert_string_equal(decoded, text);
	assert_non_null(strstr(b.data, "?=\r\n =?UTF-8?B?")); /* folded */
	buf_free(&b);
}

static void test_base64_lines(void **state)
{
	static const size_t sizes[] = {0, 1, 2, 3, 56, 57, 58, 114, 1000, 4096};
	unsigned char data[4096], back[4096];
	size_t i, k;

	(void)state;
	for (k = 0; k < sizeof data; k++)
		data[k] = (unsigned char)(k * 7 + 3);
	for (i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		Buf b, flat;
		char *line, *save = NULL;

		buf_init(&b, 1 << 20);
		buf_init(&flat, 1 << 20);
		assert_int_equal(mime_base64(&b, data, sizes[i], 1), CL_OK);
		if (sizes[i] == 0) {
			assert_int_equal(b.len, 0);
			continue;
		}
		assert_memory_equal(b.data + b.len - 2, "\r\n", 2);
		for (line = strtok_r(b.data, "\r\n", &save); line;
		     line = strtok_r(NULL, "\r\n", &save)) {
			assert_true(strlen(line) <= 76);
			assert_int_equal(buf_puts(&flat, line), CL_OK);
		}
		assert_int_equal(unbase64(flat.data, flat.len, back), sizes[i]);
		assert_memory_equal(back, data, sizes[i]);
		buf_free(&b);
		buf_free(&flat);
	}
}

static void test_message_structure(void **state)
{
	unsigned char pdf[300];
	MimeAttachment att = {"statement-USD233-KS-FURN-2025-2026-Q3.pdf", "application/pdf", pdf,
			      sizeof pdf};
	MimeMessage m = {"notices@usd259.example",
			 "Wichita USD 259",
			 "buyer@usd233.example",
			 "Peña Côte",
			 "Peña Côte — statement",
			 "Hello\nFigures\n",
			 "<p>Hello</p>\n",
			 "<notice-1.abc@usd259.example>",
			 1795000000,
			 "abc",
			 &att,
			 1};
	const char *p, *mixed, *alt;
	size_t len = 0, i;
	char *msg;

	(void)state;
	memset(pdf, 'x', sizeof pdf);
	msg = mime_compose(&m, &len, NULL);
	assert_non_null(msg);
	assert_int_equal(strlen(msg), len);
	/* headers */
	assert_non_null(strstr(msg, "From: \"Wichita USD 259\" <notices@usd259.example>\r\n"));
	assert_non_null(strstr(msg, "To: =?UTF-8?B?"));
	assert_non_null(strstr(msg, "\r\nSubject: =?UTF-8?B?"));
	assert_non_null(strstr(msg, "\r\nDate: Wed, 18 Nov 2026 11:06:40 +0000\r\n"));
	assert_non_null(strstr(msg, "\r\nMessage-ID: <notice-1.abc@usd259.example>\r\n"));
	assert_non_null(strstr(msg, "\r\nMIME-Version: 1.0\r\n"));
	/* multipart/mixed holding multipart/alternative (text, then html), then the PDF */
	mixed = strstr(msg, "Content-Type: multipart/mixed;\r\n boundary=\"=_cl_mixed_abc\"");
	alt = strstr(msg, "Content-Type: multipart/alternative;\r\n boundary=\"=_cl_alt_abc\"");
	assert_non_null(mixed);
	assert_non_null(alt);
	assert_true(mixed < alt);
	p = strstr(alt, "Content-Type: text/plain; charset=UTF-8");
	assert_non_null(p);
	p = strstr(p, "Content-Type: text/html; charset=UTF-8");
	assert_non_null(p);
	p = strstr(p, "--=_cl_alt_abc--");
	assert_non_null(p);
	p = strstr(p, "--=_cl_mixed_abc\r\nContent-Type: application/pdf;\r\n "
		      "name=\"statement-USD233-KS-FURN-2025-2026-Q3.pdf\"");
	assert_non_null(p);
	assert_non_null(strstr(p, "Content-Disposition: attachment;\r\n filename="));
	assert_non_null(strstr(p, "--=_cl_mixed_abc--\r\n"));
	/* every line ends with CRLF and none is longer than 78 characters */
	for (i = 0, p = msg; i < len; i++)
		if (msg[i] == '\n') {
			assert_true(i > 0 && msg[i - 1] == '\r');
			assert_true(msg + i - p <= 79);
			p = msg + i + 1;
		}
	free(msg);
}

static void test_address_quoting(void **state)
{
	Buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(mime_address(&b, "Prairie \"School\" Co.", "a@b.example"), CL_OK);
	assert_string_equal(b.data, "\"Prairie \\\"School\\\" Co.\" <a@b.example>");
	buf_reset(&b);
	assert_int_equal(mime_address(&b, "", "a@b.example"), CL_OK);
	assert_string_equal(b.data, "a@b.example");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc2047_subject),
		cmocka_unit_test(test_rfc2047_long_never_splits_utf8),
		cmocka_unit_test(test_base64_lines),
		cmocka_unit_test(test_message_structure),
		cmocka_unit_test(test_address_quoting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
