/* importkit.c — what the CSV imports share; see importkit.h. */
#include "importkit.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvin.h"
#include "db.h"

/* ---- the result's lists ---- */

int importkit_problem_add(ImportResult *r, int64_t row, const char *column, const char *msg)
{
	ImportProblem *grown = realloc(r->errors, ((size_t)r->nerrors + 1) * sizeof *grown);
	ImportProblem *p;

	if (!grown)
		return -1;
	r->errors = grown;
	p = &r->errors[r->nerrors];
	memset(p, 0, sizeof *p);
	p->row = row;
	snprintf(p->column, sizeof p->column, "%s", column);
	if (!(p->message = strdup(msg)))
		return -1;
	r->nerrors++;
	return 0;
}

int importkit_ignored_add(ImportResult *r, const char *name)
{
	char **grown = realloc(r->ignored, ((size_t)r->nignored + 1) * sizeof *grown);

	if (!grown)
		return -1;
	r->ignored = grown;
	if (!(r->ignored[r->nignored] = strdup(name)))
		return -1;
	r->nignored++;
	return 0;
}

int importkit_ignored_already(const ImportResult *r, const char *name)
{
	int i;

	for (i = 0; i < r->nignored; i++)
		if (strcmp(r->ignored[i], name) == 0)
			return 1;
	return 0;
}

void import_result_free(ImportResult *r)
{
	int i;

	for (i = 0; i < r->nerrors; i++)
		free(r->errors[i].message);
	for (i = 0; i < r->nignored; i++)
		free(r->ignored[i]);
	free(r->errors);
	free(r->ignored);
	memset(r, 0, sizeof *r);
}

ImportProblem *importkit_row_problem(ImportResult *r, ImportErrs *t, size_t row, const char *column,
				     const char *msg)
{
	if (t->nfound++ >= IMPORT_MAX_ERRORS) {
		if (!t->first_unlisted)
			t->first_unlisted = row;
		return NULL;
	}
	if (importkit_problem_add(r, (int64_t)row, column, msg)) {
		t->nomem = 1;
		return NULL;
	}
	return &r->errors[r->nerrors - 1];
}

void importkit_note_unlisted(ImportResult *r, ImportErrs *t)
{
	char msg[128];

	if (t->nfound <= IMPORT_MAX_ERRORS)
		return;
	snprintf(msg, sizeof msg,
		 "%" PRId64 " more errors, from row %zu on, are not listed; fix these "
		 "and check the file again",
		 t->nfound - IMPORT_MAX_ERRORS, t->first_unlisted);
	if (importkit_problem_add(r, (int64_t)t->first_unlisted, "", msg))
		t->nomem = 1;
}

/* ---- text ---- */

size_t importkit_utf8_bad_at(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], need, min, cp, k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			need = 1, min = 0x80, cp = c & 0x1F;
		else if ((c & 0xF0) == 0xE0)
			need = 2, min = 0x800, cp = c & 0x0F;
		else if ((c & 0xF8) == 0xF0)
			need = 3, min = 0x10000, cp = c & 0x07;
		else
			return i;
		for (k = 1; k <= need; k++) {
			if (i + k >= n || (s[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += need + 1;
	}
	return n;
}

size_t importkit_utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

char *importkit_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* 1 if enc names one of the two encodings, in any case. */
static int encoding_is(const char *enc, const char *a, const char *b)
{
	return strcasecmp(enc, a) == 0 || strcasecmp(enc, b) == 0;
}

ClCode importkit_text_open(ImportText *t, const char *enc, Err *e)
{
	t->cd = (iconv_t)-1;
	buf_init(&t->arena, (size_t)4 * CSVIN_FIELD_CAP * 4);
	if (!enc || !*enc || encoding_is(enc, "utf-8", "utf8"))
		return CL_OK;
	if (!encoding_is(enc, "windows-1252", "cp1252") &&
	    !encoding_is(enc, "latin1", "iso-8859-1"))
		return err_set(e, CL_EINPUT, "unknown encoding \"%s\"; use utf-8 or windows-1252",
			       enc);
	t->cd = iconv_open("UTF-8", "WINDOWS-1252");
	if (t->cd == (iconv_t)-1)
		return err_set(e, CL_EIO, "this system cannot convert windows-1252");
	return CL_OK;
}

void importkit_text_close(ImportText *t)
{
	if (t->cd != (iconv_t)-1)
		iconv_close(t->cd);
	t->cd = (iconv_t)-1;
	buf_free(&t->arena);
}

/* Convert one windows-1252 field into the row arena.  OUT: *out. */
static ClCode convert_field(ImportText *t, char *in, char **out)
{
	size_t inleft = strlen(in), start = t->arena.len;
	char tmp[1024];

	iconv(t->cd, NULL, NULL, NULL, NULL);
	while (inleft > 0) {
		char *op = tmp;
		size_t outleft = sizeof tmp;

		if (iconv(t->cd, &in, &inleft, &op, &outleft) == (size_t)-1 && op == tmp)
			return CL_EINPUT; /* a byte windows-1252 does not define */
		if (buf_append(&t->arena, tmp, sizeof tmp - outleft))
			return CL_ENOMEM;
	}
	if (buf_append(&t->arena, "", 1))
		return CL_ENOMEM;
	*out = (char *)(uintptr_t)start; /* an offset until the arena stops moving */
	return CL_OK;
}

/* Line breaks inside fields[0..k) and in the first at bytes of field[k]
 * (CRLF counts once, as the reader counts lines). */
static size_t line_breaks(char **field, int k, size_t at)
{
	size_t breaks = 0, j;
	int i;

	for (i = 0; i <= k; i++) {
		const char *f = field[i];
		size_t len = i < k ? strlen(f) : at;

		for (j = 0; j < len; j++)
			if (f[j] == '\r' || (f[j] == '\n' && (j == 0 || f[j - 1] != '\r')))
				breaks++;
	}
	return breaks;
}

ClCode importkit_text_decode(ImportText *t, size_t line, int n, char **field, char **val, Err *e)
{
	int i;

	if (t->cd == (iconv_t)-1 || t->workbook) {
		for (i = 0; i < n; i++) {
			size_t len = strlen(field[i]), bad;

			val[i] = field[i];
			bad = importkit_utf8_bad_at((const unsigned char *)field[i], len);
			/* the physical line: the row's first, plus breaks before it */
			if (bad < len)
				return err_set(e, CL_EINPUT,
					       "line %zu is not valid UTF-8; if the file was saved "
					       "from Excel on Windows, import it with --encoding "
					       "windows-1252",
					       line + line_breaks(field, i, bad));
		}
		return CL_OK;
	}
	buf_reset(&t->arena);
	for (i = 0; i < n; i++) {
		ClCode rc = convert_field(t, field[i], &val[i]);

		if (rc == CL_ENOMEM)
			return err_set(e, CL_EINPUT,
				       "line %zu: the row is longer than %zu bytes once converted "
				       "to UTF-8; is the file really a CSV file of records?",
				       line, t->arena.cap);
		if (rc)
			return err_set(e, CL_EINPUT, "line %zu: a character is not windows-1252",
				       line);
	}
	for (i = 0; i < n; i++)
		val[i] = t->arena.data + (uintptr_t)val[i];
	return CL_OK;
}

/* ---- the header ---- */

ClCode importkit_maps_load(sqlite3 *db, const char *sql, int64_t id, const char *const *names,
			   int ncols, ImportMap *maps, int max, int *nmap, const char *what, Err *e)
{
	ClCode rc, end;
	DbRows q;
	int c;

	*nmap = 0;
	rc = db_rows(&q, db, e, sql, "i", id);
	while (!rc && *nmap < max && db_rows_next(&q)) {
		const char *col = (const char *)sqlite3_column_text(q.st, 1);

		for (c = 0; c < ncols && strcmp(col, names[c]) != 0; c++)
			;
		if (c == ncols)
			continue;
		snprintf(maps[*nmap].header, sizeof maps[0].header, "%s",
			 (const char *)sqlite3_column_text(q.st, 0));
		maps[*nmap].column = c;
		(*nmap)++;
	}
	end = db_rows_end(&q, what, e);
	return rc ? rc : end;
}

int importkit_header_column(const ImportColumns *c, const char *text)
{
	char key[IMPORTKIT_KEY], alias[IMPORTKIT_KEY];
	int i;

	csvin_header_key(text, key, sizeof key);
	for (i = 0; i < c->nmap; i++)
		if (strcmp(key, c->maps[i].header) == 0)
			return c->maps[i].column;
	for (i = 0; i < c->ncols; i++)
		if (strcmp(key, c->names[i]) == 0)
			return i;
	for (i = 0; i < c->nalias; i++) {
		csvin_header_key(c->aliases[i].header, alias, sizeof alias);
		if (strcmp(key, alias) == 0)
			return c->aliases[i].column;
	}
	return -1;
}

/* The header's fields as "a, b, c" into out (cut with "..." when long). */
static void header_list(int n, char **val, char *out, size_t size)
{
	size_t used = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < n && used + 4 < size; i++) {
		int k = snprintf(out + used, size - used, "%s\"%s\"", i ? ", " : "", val[i]);

		if (k < 0 || (size_t)k >= size - used) {
			snprintf(out + (size > 4 ? size - 4 : 0), 4, "...");
			return;
		}
		used += (size_t)k;
	}
}

ClCode importkit_header_read(const ImportColumns *c, int optional, int n, char **val, int *col,
			     ImportResult *r, Err *e)
{
	int i, k;

	for (k = 0; k < c->ncols; k++)
		col[k] = -1;
	for (i = 0; i < n; i++) {
		k = importkit_header_column(c, val[i]);
		if (k < 0) {
			if (*val[i] && !importkit_ignored_already(r, val[i]) &&
			    importkit_ignored_add(r, val[i]))
				return err_set(e, CL_ENOMEM, "out of memory");
			continue;
		}
		if (col[k] >= 0)
			return err_set(e, CL_EINPUT,
				       "the header names %s twice (columns %d and %d); keep one",
				       c->names[k], col[k] + 1, i + 1);
		col[k] = i;
	}
	for (k = 0; k < c->nrequired; k++)
		if (col[k] < 0 && k != optional) {
			char found[200];

			header_list(n, val, found, sizeof found);
			return err_set(e, CL_EINPUT, "the header has no %s column (it has: %s); %s",
				       c->names[k], found, c->needs);
		}
	return CL_OK;
}

/* ---- the batch ---- */

void importkit_sha_hex(crypto_hash_sha256_state *st, char out[CHAIN_HEX])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_final(st, h);
	sodium_bin2hex(out, CHAIN_HEX, h, sizeof h);
}

char *importkit_record_text(const ImportResult *r, int ntotals, const char *const *total_names,
			    const Money *totals)
{
	char m[MONEY_BUF], *text;
	cJSON *o = cJSON_CreateObject(), *t, *arr, *x;
	int i;

	cJSON_AddNumberToObject(o, "batch", (double)r->batch);
	cJSON_AddNumberToObject(o, "rows", (double)r->rows);
	cJSON_AddNumberToObject(o, "accepted", (double)r->accepted);
	cJSON_AddNumberToObject(o, "duplicates", (double)r->duplicates);
	cJSON_AddNumberToObject(o, "rejected", (double)r->rejected);
	t = cJSON_AddObjectToObject(o, "totals");
	for (i = 0; i < ntotals; i++)
		cJSON_AddStringToObject(t, total_names[i], money_format(totals[i], m));
	arr = cJSON_AddArrayToObject(o, "errors");
	for (i = 0; i < r->nerrors; i++) {
		x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "row", (double)r->errors[i].row);
		cJSON_AddStringToObject(x, "column", r->errors[i].column);
		cJSON_AddStringToObject(x, "message", r->errors[i].message);
		cJSON_AddItemToArray(arr, x);
	}
	arr = cJSON_AddArrayToObject(o, "ignored_columns");
	for (i = 0; i < r->nignored; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(r->ignored[i]));
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

int importkit_record_read(const char *text, ImportResult *r)
{
	cJSON *o = cJSON_Parse(text);
	const cJSON *x;
	int rc = 0;

	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "errors"))
	{
		const cJSON *row = cJSON_GetObjectItemCaseSensitive(x, "row");
		const char *col =
			cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "column"));
		const char *msg =
			cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "message"));

		if (!rc)
			rc = importkit_problem_add(
				r, cJSON_IsNumber(row) ? (int64_t)row->valuedouble : 0,
				col ? col : "", msg ? msg : "");
	}
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "ignored_columns"))
	{
		if (!rc && cJSON_IsString(x))
			rc = importkit_ignored_add(r, x->valuestring);
	}
	cJSON_Delete(o);
	return rc;
}
