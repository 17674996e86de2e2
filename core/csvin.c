/* csvin.c — streaming CSV input over libcsv; see csvin.h. */
#include "csvin.h"

#include <csv.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* libcsv grows one buffer per field; this cap, per thread, bounds it. */
static _Thread_local size_t tl_field_cap;

static void *capped_realloc(void *p, size_t n)
{
	if (n > tl_field_cap + 64)
		return NULL;
	return realloc(p, n);
}

typedef struct Reader {
	CsvRowFn fn;
	void *ctx;
	Err *e;
	ClCode rc;
	size_t row;	 /* rows delivered so far */
	size_t line;	 /* physical line of the byte being read */
	size_t row_line; /* line the current row started on */
	int nfield;
	char *field[CSVIN_MAX_FIELDS];
	int too_many;
} Reader;

static void reader_clear(Reader *r)
{
	int i;

	for (i = 0; i < r->nfield; i++)
		free(r->field[i]);
	r->nfield = 0;
	r->too_many = 0;
}

/* libcsv: one field is complete. */
static void on_field(void *s, size_t len, void *data)
{
	Reader *r = data;
	char *copy;

	if (r->rc)
		return;
	if (len > tl_field_cap) {
		r->rc = err_set(r->e, CL_EINPUT,
				"line %zu: a field is longer than %zu bytes; is the file really a "
				"CSV sales report?",
				r->row_line, tl_field_cap);
		return;
	}
	if (len && memchr(s, '\0', len)) {
		r->rc = err_set(r->e, CL_EINPUT,
				"line %zu: a field holds a NUL byte; save the report again as "
				"CSV text (not a binary spreadsheet)",
				r->row_line);
		return;
	}
	if (r->nfield == CSVIN_MAX_FIELDS) {
		r->too_many = 1;
		return;
	}
	copy = malloc(len + 1);
	if (!copy) {
		r->rc = err_set(r->e, CL_ENOMEM, "out of memory reading CSV");
		return;
	}
	if (len)
		memcpy(copy, s, len);
	copy[len] = '\0';
	r->field[r->nfield++] = copy;
}

/* 1 if every field of the row is empty: a blank line, or the ",,,,," rows
 * spreadsheets write for formatted but empty rows. */
static int row_is_blank(const Reader *r)
{
	int i;

	for (i = 0; i < r->nfield; i++)
		if (r->field[i][0])
			return 0;
	return 1;
}

/* libcsv: a row is complete. */
static void on_row(int c, void *data)
{
	Reader *r = data;

	(void)c;
	if (r->rc) {
		reader_clear(r);
		return;
	}
	if (r->too_many)
		r->rc = err_set(r->e, CL_EINPUT, "line %zu: more than %d columns", r->row_line,
				CSVIN_MAX_FIELDS);
	else if (!row_is_blank(r))
		r->rc = r->fn(r->ctx, r->row++, r->row_line, r->nfield, r->field, r->e);
	reader_clear(r);
}

/* Count line ends in a chunk so rows can be reported by physical line;
 * CRLF counts once, a lone CR once. */
static size_t count_lines(const char *p, size_t n, int *last_cr)
{
	size_t i, lines = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '\r' || (p[i] == '\n' && !*last_cr))
			lines++;
		*last_cr = p[i] == '\r';
	}
	return lines;
}

/* Feed one chunk to the parser, tracking where rows start. */
static ClCode feed(struct csv_parser *p, Reader *r, const char *chunk, size_t n, int *last_cr)
{
	size_t i, start = 0;

	/* Split at line ends so each row's first line is known. */
	for (i = 0; i < n && !r->rc; i++) {
		if (chunk[i] != '\n' && chunk[i] != '\r')
			continue;
		if (csv_parse(p, chunk + start, i + 1 - start, on_field, on_row, r) !=
		    i + 1 - start)
			goto parse_error;
		r->line += count_lines(chunk + start, i + 1 - start, last_cr);
		if (p->pstate == 0) /* libcsv's ROW_NOT_BEGUN: the next row starts here */
			r->row_line = r->line;
		start = i + 1;
	}
	if (!r->rc && start < n &&
	    csv_parse(p, chunk + start, n - start, on_field, on_row, r) != n - start)
		goto parse_error;
	if (start < n)
		r->line += count_lines(chunk + start, n - start, last_cr);
	return r->rc;
parse_error:
	if (csv_error(p) == CSV_ENOMEM)
		return err_set(r->e, CL_EINPUT,
			       "line %zu: a field is longer than %zu bytes; is the file really a "
			       "CSV sales report?",
			       r->row_line, tl_field_cap);
	return err_set(r->e, CL_EINPUT,
		       "line %zu: malformed CSV: a quote (\") stands inside a field that is not "
		       "quoted, or after a closing quote; quote the whole field and double the "
		       "quotes inside it, as in \"Desk 30\"\" wide\"",
		       r->line);
}

/* One chunk of raw input: hashed, its byte-order mark dropped if it is
 * the first, then parsed.  *first is cleared; *total counts bytes. */
static ClCode read_chunk(struct csv_parser *p, Reader *r, const CsvOptions *opt, const char *s,
			 size_t n, int *first, size_t *total, int *last_cr)
{
	if (opt && opt->on_chunk)
		opt->on_chunk(opt->chunk_ctx, s, n);
	if (*first && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;
		n -= 3;
	}
	*first = 0;
	*total += n;
	if (opt && opt->bytes_read)
		*opt->bytes_read = *total;
	return feed(p, r, s, n, last_cr);
}

ClCode csvin_read(FILE *f, const CsvOptions *opt, CsvRowFn fn, void *ctx, Err *e)
{
	struct csv_parser p;
	Reader r = {.fn = fn, .ctx = ctx, .e = e, .line = 1, .row_line = 1};
	char chunk[65536];
	size_t n, total = 0, nhead = opt ? opt->nhead : 0;
	int first = 1, last_cr = 0;
	ClCode rc = CL_OK;

	tl_field_cap = opt && opt->field_cap ? opt->field_cap : CSVIN_FIELD_CAP;
	if (csv_init(&p, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI) != 0)
		return err_set(e, CL_ENOMEM, "out of memory starting the CSV reader");
	csv_set_realloc_func(&p, capped_realloc);
	/* the head and the first chunk together, so a byte-order mark split
	 * between them is still seen whole */
	if (nhead && nhead < sizeof chunk) {
		memcpy(chunk, opt->head, nhead);
		n = nhead + fread(chunk + nhead, 1, sizeof chunk - nhead, f);
		rc = read_chunk(&p, &r, opt, chunk, n, &first, &total, &last_cr);
	}
	while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = read_chunk(&p, &r, opt, chunk, n, &first, &total, &last_cr);
	if (!rc && ferror(f))
		rc = err_set(e, CL_EIO, "reading the file failed");
	if (!rc && csv_fini(&p, on_field, on_row, &r) != 0)
		rc = err_set(e, CL_EINPUT,
			     "line %zu: malformed CSV: a quoted field is not closed by the end of "
			     "the file",
			     r.row_line);
	if (!rc)
		rc = r.rc;
	reader_clear(&r);
	csv_free(&p);
	return rc;
}

ClCode csvin_yesno(const char *text, int dflt, int *out)
{
	static const char *yes[] = {"yes", "true", "1", "y"}, *no[] = {"no", "false", "0", "n"};
	size_t i;

	if (!text || !*text) {
		*out = dflt;
		return CL_OK;
	}
	for (i = 0; i < sizeof yes / sizeof *yes; i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = 1;
			return CL_OK;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = 0;
			return CL_OK;
		}
	}
	return CL_EINPUT;
}

void csvin_header_key(const char *text, char *out, size_t n)
{
	size_t i = 0;

	while (isspace((unsigned char)*text))
		text++;
	for (; *text && i + 1 < n; text++) {
		unsigned char c = (unsigned char)*text;
		int sep = c == ' ' || c == '-' || c == '_' || c == '\t';

		if (sep && i > 0 && out[i - 1] == '_')
			continue; /* "Agency  Code" and "agency - code" are agency_code */
		out[i++] = sep ? '_' : (char)tolower(c);
	}
	while (i > 0 && (out[i - 1] == '_' || isspace((unsigned char)out[i - 1])))
		i--;
	out[i] = '\0';
}
