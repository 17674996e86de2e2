/*
 * fuzz_csv.c — the streaming CSV reader (core/csvin.h).
 *
 * The input is the file.  Its first byte also picks the field cap: a byte
 * 0x80..0xEE or 0xF0..0xFF asks for a small cap of 1..64 bytes (0xEF
 * starts a byte-order mark and keeps the default).
 *
 * Properties:
 *   - every row the callback sees is numbered 0, 1, 2, ..., starts on a
 *     nondecreasing physical line, has 1..CSVIN_MAX_FIELDS fields none of
 *     which is longer than the cap, and is not blank;
 *   - a file read to the end was handed whole to on_chunk, and bytes_read
 *     counts it without its byte-order mark;
 *   - the rows written back as canonical CSV (every field quoted, CRLF)
 *     read back as the same rows;
 *   - a file without quotes reads exactly as a plain split on line ends and
 *     commas, blanks around fields dropped, blank rows skipped, each row on
 *     the line it starts on (a field with a NUL byte or a row of more than
 *     CSVIN_MAX_FIELDS fields refuses the file);
 *   - csvin_header_key() of each header field is canonical: idempotent,
 *     lower case, without blanks, '-' or "__".
 */
#include "fuzz.h"

#include <ctype.h>

#include "buf.h"
#include "csvin.h"

#define MAX_ROWS 4096

typedef struct Row {
	size_t line;
	int nfield;
	char **field;
} Row;

typedef struct Rows {
	Row row[MAX_ROWS];
	size_t n;
	size_t cap; /* the field cap in force */
} Rows;

typedef struct Chunks {
	size_t bytes;
} Chunks;

static void rows_free(Rows *rs)
{
	size_t i;
	int k;

	for (i = 0; i < rs->n; i++) {
		for (k = 0; k < rs->row[i].nfield; k++)
			free(rs->row[i].field[k]);
		free(rs->row[i].field);
	}
	rs->n = 0;
}

static void check_header_key(const char *text)
{
	char key[104], again[104];
	size_t i;

	csvin_header_key(text, key, sizeof key);
	csvin_header_key(key, again, sizeof again);
	FUZZ_CHECK(strcmp(key, again) == 0, "header key of \"%s\" is \"%s\", then \"%s\"", text,
		   key, again);
	for (i = 0; key[i]; i++) {
		FUZZ_CHECK(!isupper((unsigned char)key[i]) && key[i] != ' ' && key[i] != '-' &&
				   key[i] != '\t',
			   "header key \"%s\" of \"%s\"", key, text);
		FUZZ_CHECK(i == 0 || key[i] != '_' || key[i - 1] != '_',
			   "header key \"%s\" of \"%s\" has \"__\"", key, text);
	}
}

static ClCode collect(void *ctx, size_t row, size_t line, int nfield, char **field, Err *e)
{
	Rows *rs = ctx;
	Row *r;
	int k, blank = 1;

	(void)e;
	FUZZ_CHECK(row == rs->n, "row %zu delivered as number %zu", rs->n, row);
	FUZZ_CHECK(nfield >= 1 && nfield <= CSVIN_MAX_FIELDS, "row %zu has %d fields", row, nfield);
	FUZZ_CHECK(line >= 1 && (rs->n == 0 || line >= rs->row[rs->n - 1].line),
		   "row %zu on line %zu", row, line);
	if (rs->n == MAX_ROWS)
		return CL_OK;
	r = &rs->row[rs->n++];
	r->line = line;
	r->nfield = nfield;
	r->field = calloc((size_t)nfield, sizeof *r->field);
	if (!r->field)
		abort();
	for (k = 0; k < nfield; k++) {
		size_t len = strlen(field[k]);

		FUZZ_CHECK(len <= rs->cap, "row %zu field %d is %zu bytes, over the cap %zu", row,
			   k, len, rs->cap);
		blank &= len == 0;
		r->field[k] = fuzz_strndup(field[k], len);
		if (row == 0)
			check_header_key(field[k]);
	}
	FUZZ_CHECK(!blank, "row %zu is blank", row);
	return CL_OK;
}

static void on_chunk(void *ctx, const char *p, size_t n)
{
	Chunks *c = ctx;

	(void)p;
	c->bytes += n;
}

static ClCode read_rows(const void *data, size_t size, size_t cap, Rows *rs, size_t *bytes_read,
			Chunks *ch, Err *e)
{
	CsvOptions opt = {
		.field_cap = cap, .bytes_read = bytes_read, .on_chunk = on_chunk, .chunk_ctx = ch,
	};
	FILE *f = fmemopen((void *)data, size, "r");
	ClCode rc;

	if (!f)
		abort();
	rs->cap = cap;
	rc = csvin_read(f, &opt, collect, rs, e);
	fclose(f);
	return rc;
}

/* The rows as canonical CSV. */
static void write_rows(const Rows *rs, Buf *b)
{
	size_t i;
	int k;
	const char *s;

	for (i = 0; i < rs->n; i++) {
		for (k = 0; k < rs->row[i].nfield; k++) {
			if (buf_puts(b, k ? ",\"" : "\""))
				abort();
			for (s = rs->row[i].field[k]; *s; s++)
				if (buf_puts(b, *s == '"' ? "\"\"" : (char[2]){*s, 0}))
					abort();
			if (buf_puts(b, "\""))
				abort();
		}
		if (buf_puts(b, "\r\n"))
			abort();
	}
}

static int is_sp(char c)
{
	return c == ' ' || c == '\t';
}

/* The reference reading of a file without quotes (after any byte-order
 * mark).  Returns 0 when the file must be refused. */
static int plain_rows(const char *p, size_t n, Rows *rs)
{
	size_t i = 0, line = 1;

	while (i < n) {
		size_t start = i, end, a, b;
		int nfield = 1, k, blank = 1;
		Row *r;

		while (i < n && p[i] != '\r' && p[i] != '\n')
			i++;
		end = i;
		for (a = start; a < end; a++) {
			nfield += p[a] == ',';
			if (p[a] == '\0')
				return 0;
		}
		for (a = start; a < end && is_sp(p[a]); a++)
			;
		if (a < end) { /* not only blanks: a row */
			if (nfield > CSVIN_MAX_FIELDS)
				return 0;
			if (rs->n == MAX_ROWS)
				return 1;
			r = &rs->row[rs->n];
			r->line = line;
			r->nfield = nfield;
			r->field = calloc((size_t)nfield, sizeof *r->field);
			if (!r->field)
				abort();
			for (k = 0, a = start; k < nfield; k++) {
				for (b = a; b < end && p[b] != ','; b++)
					;
				size_t fa = a, fb = b;

				while (fa < fb && is_sp(p[fa]))
					fa++;
				while (fb > fa && is_sp(p[fb - 1]))
					fb--;
				r->field[k] = fuzz_strndup(p + fa, fb - fa);
				blank &= fb == fa;
				a = b + 1;
			}
			if (blank) {
				for (k = 0; k < nfield; k++)
					free(r->field[k]);
				free(r->field);
			} else {
				rs->n++;
			}
		}
		/* the line end: CRLF is one */
		if (i < n) {
			if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
			i++;
			line++;
		}
	}
	return 1;
}

static void same_rows(const Rows *a, const Rows *b, int lines, const char *what)
{
	size_t i;
	int k;

	FUZZ_CHECK(a->n == b->n, "%s: %zu rows, not %zu", what, b->n, a->n);
	for (i = 0; i < a->n; i++) {
		FUZZ_CHECK(a->row[i].nfield == b->row[i].nfield,
			   "%s: row %zu has %d fields, not %d", what, i, b->row[i].nfield,
			   a->row[i].nfield);
		FUZZ_CHECK(!lines || a->row[i].line == b->row[i].line,
			   "%s: row %zu is on line %zu, not %zu", what, i, b->row[i].line,
			   a->row[i].line);
		for (k = 0; k < a->row[i].nfield; k++)
			FUZZ_CHECK(strcmp(a->row[i].field[k], b->row[i].field[k]) == 0,
				   "%s: row %zu field %d is \"%s\", not \"%s\"", what, i, k,
				   b->row[i].field[k], a->row[i].field[k]);
	}
}

static Rows got, again, want;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = CSVIN_FIELD_CAP, bytes_read = 0, bom;
	Chunks ch = {0};
	Err e = {0};
	ClCode rc;
	Buf b;

	if (size && data[0] >= 0x80 && data[0] != 0xEF)
		cap = (size_t)(data[0] & 0x3f) + 1;
	bom = size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	rc = read_rows(data, size, cap, &got, &bytes_read, &ch, &e);
	if (rc) {
		FUZZ_CHECK(rc == CL_EINPUT && e.msg[0], "code %d \"%s\"", (int)rc, e.msg);
	} else {
		FUZZ_CHECK(ch.bytes == size, "on_chunk saw %zu of %zu bytes", ch.bytes, size);
		FUZZ_CHECK(bytes_read == size - bom, "bytes_read %zu of %zu", bytes_read, size);
	}
	if (!rc && got.n < MAX_ROWS) {
		Chunks ch2 = {0};
		size_t br2 = 0;

		buf_init(&b, SIZE_MAX);
		write_rows(&got, &b);
		rc = read_rows(b.data ? b.data : "", b.len, cap, &again, &br2, &ch2, &e);
		FUZZ_CHECK(rc == CL_OK, "the rows written back are refused: %s", e.msg);
		same_rows(&got, &again, 0, "written back");
		buf_free(&b);
		rows_free(&again);
		rc = CL_OK;
	}
	if (cap == CSVIN_FIELD_CAP && size < CSVIN_FIELD_CAP && !memchr(data, '"', size)) {
		int ok = plain_rows((const char *)data + bom, size - bom, &want);

		FUZZ_CHECK(ok == (rc == CL_OK), "a file without quotes is %s (%s)",
			   rc ? "refused" : "accepted", e.msg);
		if (ok && want.n < MAX_ROWS)
			same_rows(&want, &got, 1, "split by hand");
		rows_free(&want);
	}
	rows_free(&got);
	return 0;
}
