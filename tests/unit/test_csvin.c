/*
 * test_csvin.c — unit tests of core/csvin.c: streaming CSV input.
 *
 * Tests as data: each case is a file and the rows the callback must see,
 * written one per line as "row@line:field|field|..." with a line break
 * inside a field shown as \n (and a carriage return as \r).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "csvin.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A read-only file over n bytes of text (glibc's fmemopen takes n == 0). */
static FILE *mem_file(const char *text, size_t n)
{
	FILE *f = fmemopen((void *)text, n, "r");

	assert_non_null(f);
	return f;
}

/* Callback: append "row@line:f1|f2|...\n" to the Buf in ctx. */
static ClCode collect(void *ctx, size_t row, size_t line, int nfield, char **field, Err *e)
{
	Buf *b = ctx;
	const char *s;
	int i;

	(void)e;
	assert_int_equal(buf_printf(b, "%zu@%zu:", row, line), CL_OK);
	for (i = 0; i < nfield; i++) {
		if (i)
			assert_int_equal(buf_puts(b, "|"), CL_OK);
		for (s = field[i]; *s; s++) {
			char one[2] = {*s, 0};
			const char *out = *s == '\n' ? "\\n" : *s == '\r' ? "\\r" : one;

			assert_int_equal(buf_puts(b, out), CL_OK);
		}
	}
	assert_int_equal(buf_puts(b, "\n"), CL_OK);
	return CL_OK;
}

/* Read text (n bytes) with opt; OUT: *rc.  Caller frees the result. */
static char *read_rows(const char *text, size_t n, const CsvOptions *opt, ClCode *rc, Err *e)
{
	FILE *f = mem_file(text, n);
	Buf b;

	buf_init(&b, 1 << 20);
	*rc = csvin_read(f, opt, collect, &b, e);
	fclose(f);
	return buf_steal(&b);
}

typedef struct ReadCase {
	const char *label;
	const char *text;
	const char *rows;
} ReadCase;

static const ReadCase read_cases[] = {
	{"plain", "a,b\n1,2\n", "0@1:a|b\n1@2:1|2\n"},
	{"no final line end", "a,b\n1,2", "0@1:a|b\n1@2:1|2\n"},
	{"empty fields", "a,,c\n,\nd,\n", "0@1:a||c\n1@3:d|\n"},
	{"a row of only commas is blank", ",,,\nx\n", "0@2:x\n"},
	{"quoted comma", "\"Lawrence, KS\",x\n", "0@1:Lawrence, KS|x\n"},
	{"quoted quotes", "\"say \"\"hi\"\"\",\"\"\"\"\n", "0@1:say \"hi\"|\"\n"},
	{"quoted line break", "\"two\nlines\",x\n", "0@1:two\\nlines|x\n"},
	{"quoted CRLF kept", "\"two\r\nlines\",x\r\n", "0@1:two\\r\\nlines|x\n"},
	{"UTF-8 BOM",
	 "\xEF\xBB\xBF"
	 "code,name\nA,B\n",
	 "0@1:code|name\n1@2:A|B\n"},
	{"BOM then quote", "\xEF\xBB\xBF\"code\",name\n", "0@1:code|name\n"},
	{"UTF-8 text kept",
	 "Caf\xC3\xA9,\xE2\x82\xAC"
	 "5\n",
	 "0@1:Caf\xC3\xA9|\xE2\x82\xAC"
	 "5\n"},
	{"CRLF", "a,b\r\nc,d\r\n", "0@1:a|b\n1@2:c|d\n"},
	{"CR only", "a,b\rc,d\r", "0@1:a|b\n1@2:c|d\n"},
	{"CR only, no final end", "a,b\rc,d", "0@1:a|b\n1@2:c|d\n"},
	{"blank lines", "a\n\n\nb\n\n", "0@1:a\n1@4:b\n"},
	{"blank lines first", "\n\r\na,b\n", "0@3:a|b\n"},
	{"blank CRLF lines", "a\r\n\r\n\r\nb\r\n", "0@1:a\n1@4:b\n"},
	{"blank CR lines", "a\r\r\rb\r", "0@1:a\n1@4:b\n"},
	{"row after a multi-line field", "h\n\"x\ny\nz\",1\nafter,2\n",
	 "0@1:h\n1@2:x\\ny\\nz|1\n2@5:after|2\n"},
	{"multi-line field with CRLF", "\"x\r\ny\",1\r\nnext,2\r\n",
	 "0@1:x\\r\\ny|1\n1@3:next|2\n"},
	{"multi-line field, then blank lines", "\"a\n\nb\"\n\n\nc\n", "0@1:a\\n\\nb\n1@6:c\n"},
	{"empty file", "", ""},
	{"only blank lines", "\n\r\n\r\n", ""},
};

static void test_read_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(read_cases); i++) {
		const ReadCase *c = &read_cases[i];
		Err e = {0};
		ClCode rc;
		char *rows = read_rows(c->text, strlen(c->text), NULL, &rc, &e);

		if (rc != CL_OK || strcmp(rows, c->rows) != 0) {
			print_error("%s: code %d \"%s\"\ngot:\n%swant:\n%s", c->label, (int)rc,
				    e.msg, rows, c->rows);
			free(rows);
			fail();
		}
		free(rows);
	}
}

/* A file larger than the reader's 64 KiB chunk: line numbers carry over
 * chunk boundaries, including a CRLF split across two chunks. */
static void test_read_across_chunks(void **state)
{
	size_t n = 65536, len;
	char *text = malloc(n + 64), *rows;
	ClCode rc;
	Err e = {0};

	(void)state;
	assert_non_null(text);
	/* line 1: a quoted field "axxx...x" (65533 bytes) and a \r that is the
	 * last byte of the first chunk; its \n starts the second chunk */
	memset(text, 'x', n);
	memcpy(text, "\"a", 2);
	text[n - 2] = '"';
	text[n - 1] = '\r';
	len = n + (size_t)sprintf(text + n, "\n\r\nb,c\r\n");
	rows = read_rows(text, len, NULL, &rc, &e);
	assert_int_equal(rc, CL_OK);
	/* row 0 is the long field on line 1; line 2 is blank; b,c is on line 3 */
	assert_non_null(strstr(rows, "\n1@3:b|c\n"));
	assert_int_equal(strncmp(rows, "0@1:axxx", 8), 0);
	free(rows);
	free(text);
}

/* ---- the field cap ------------------------------------------------------ */

typedef struct CapCase {
	size_t cap;    /* CsvOptions.field_cap; 0: CSVIN_FIELD_CAP */
	size_t length; /* bytes of the one long field */
	int quoted;
	int refused;
} CapCase;

/* Fields far over the cap, and fields exactly at it. */
static const CapCase cap_cases[] = {
	{16, 16, 0, 0},
	{16, 16, 1, 0},
	{16, 100, 0, 1},
	{16, 5000, 1, 1},
	{0, CSVIN_FIELD_CAP, 0, 0},
	{0, CSVIN_FIELD_CAP, 1, 0},
	{0, 2 * CSVIN_FIELD_CAP, 0, 1},
	{0, 10 * CSVIN_FIELD_CAP, 1, 1},
};

/* One byte over the cap (csvin.h: "A field longer than the cap is
 * refused"). */
static const CapCase cap_exact_cases[] = {
	{16, 17, 0, 1},
	{16, 17, 1, 1},
	{1000, 1001, 0, 1},
	{0, CSVIN_FIELD_CAP + 1, 0, 1},
	{0, CSVIN_FIELD_CAP + 1, 1, 1},
};

/* "id,<field>\n" with the field length bytes of 'x', quoted or not. */
static char *long_row(const CapCase *c, size_t *len)
{
	char *text = malloc(c->length + 8), *p = text;

	assert_non_null(text);
	memcpy(p, "id,", 3);
	p += 3;
	if (c->quoted)
		*p++ = '"';
	memset(p, 'x', c->length);
	p += c->length;
	if (c->quoted)
		*p++ = '"';
	*p++ = '\n';
	*len = (size_t)(p - text);
	return text;
}

/* Read case c; fail unless it is refused ("longer than") or accepted as
 * the case says. */
static void run_cap_case(const CapCase *c)
{
	CsvOptions opt = {.field_cap = c->cap};
	size_t len;
	char *text = long_row(c, &len), *rows;
	Err e = {0};
	ClCode rc;
	int ok;

	rows = read_rows(text, len, &opt, &rc, &e);
	ok = c->refused ? rc == CL_EINPUT && strstr(e.msg, "longer than") : rc == CL_OK;
	free(rows);
	free(text);
	if (!ok) {
		print_error("cap %zu, field of %zu bytes%s: code %d \"%s\", want %s\n", c->cap,
			    c->length, c->quoted ? " (quoted)" : "", (int)rc, e.msg,
			    c->refused ? "a refusal \"longer than\"" : "accepted");
		fail();
	}
}

static void test_field_cap(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(cap_cases); i++)
		run_cap_case(&cap_cases[i]);
}

/* Fails with core/csvin.c as of this writing: capped_realloc() lets libcsv's
 * field buffer reach cap + 64 bytes, so fields of up to cap + 62 bytes
 * (quoted) or cap + 63 (unquoted) are accepted. */
static void test_field_cap_is_exact(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(cap_exact_cases); i++)
		run_cap_case(&cap_exact_cases[i]);
}

/* ---- callback control, progress ----------------------------------------- */

/* Stops at the row whose first field is "stop", with CL_ERULE. */
static ClCode stop_at(void *ctx, size_t row, size_t line, int nfield, char **field, Err *e)
{
	int *seen = ctx;

	(void)nfield;
	if (strcmp(field[0], "stop") == 0)
		return err_set(e, CL_ERULE, "stopped at row %zu line %zu", row, line);
	(*seen)++;
	return CL_OK;
}

static void test_callback_stops(void **state)
{
	static const char text[] = "a\nb\n\nstop\nc\n";
	size_t progress = 0;
	CsvOptions opt = {.bytes_read = &progress};
	FILE *f = mem_file(text, strlen(text));
	int seen = 0;
	Err e = {0};

	(void)state;
	assert_int_equal(csvin_read(f, &opt, stop_at, &seen, &e), CL_ERULE);
	fclose(f);
	assert_string_equal(e.msg, "stopped at row 2 line 4");
	assert_int_equal(seen, 2);
	assert_int_equal(progress, strlen(text));
}

/* ---- yes/no and header keys --------------------------------------------- */

static void test_yesno(void **state)
{
	static const struct {
		const char *text;
		int dflt;
		ClCode rc;
		int out;
	} cases[] = {
		{"yes", 0, CL_OK, 1},	     {"YES", 0, CL_OK, 1},     {"True", 0, CL_OK, 1},
		{"1", 0, CL_OK, 1},	     {"no", 1, CL_OK, 0},      {"No", 1, CL_OK, 0},
		{"FALSE", 1, CL_OK, 0},	     {"0", 1, CL_OK, 0},       {"", 1, CL_OK, 1},
		{"", 0, CL_OK, 0},	     {NULL, 1, CL_OK, 1},      {NULL, 0, CL_OK, 0},
		{"maybe", 0, CL_EINPUT, -1}, {"2", 0, CL_EINPUT, -1},  {"yess", 0, CL_EINPUT, -1},
		{"-1", 0, CL_EINPUT, -1},    {"on", 0, CL_EINPUT, -1},
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(cases); i++) {
		int out = -1;

		if (csvin_yesno(cases[i].text, cases[i].dflt, &out) != cases[i].rc ||
		    out != cases[i].out) {
			print_error("yes/no case %zu \"%s\": got %d\n", i,
				    cases[i].text ? cases[i].text : "(null)", out);
			fail();
		}
	}
}

static void test_header_key(void **state)
{
	static const struct {
		const char *text, *key;
	} cases[] = {
		{"Invoice Date", "invoice_date"},
		{" PO-Number ", "po_number"},
		{"invoice_number", "invoice_number"},
		{"LIST AMOUNT", "list_amount"},
		{"  Agency Code", "agency_code"},
		{"Tax-Amount   ", "tax_amount"},
		{"", ""},
		{"   ", ""},
	};
	char key[64];
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(cases); i++) {
		csvin_header_key(cases[i].text, key, sizeof key);
		assert_string_equal(key, cases[i].key);
	}
	/* a small output is cut, never overrun */
	csvin_header_key("Invoice Date", key, 8);
	assert_string_equal(key, "invoice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_table),     cmocka_unit_test(test_read_across_chunks),
		cmocka_unit_test(test_field_cap),      cmocka_unit_test(test_field_cap_is_exact),
		cmocka_unit_test(test_callback_stops), cmocka_unit_test(test_yesno),
		cmocka_unit_test(test_header_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
