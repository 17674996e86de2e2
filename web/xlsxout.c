/* xlsxout.c — a CSV download as an Excel workbook; see xlsxout.h. */
#include "xlsxout.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "date.h"

#define XLSX_MAX_COLS  64
#define XLSX_MAX_WIDTH 60

/* A sheet being filled from CSV text, in two passes: the first measures
 * the columns, the second writes the cells. */
typedef struct Sheet {
	lxw_worksheet *ws;
	lxw_format *bold, *money, *date;
	int writing;			 /* the second pass */
	int col;			 /* the next field's column */
	lxw_row_t row;			 /* the row being read; 0 is the header */
	int width[XLSX_MAX_COLS];	 /* characters, the widest cell of each column */
	unsigned char id[XLSX_MAX_COLS]; /* 1: the column names an identifier */
	lxw_error err;
} Sheet;

/* 1 when text is [-]digits.dd: dollars and cents as the downloads write
 * them. */
static int money_shaped(const char *s)
{
	size_t n;

	if (*s == '-')
		s++;
	n = strspn(s, "0123456789");
	return n > 0 && n <= 15 && s[n] == '.' && strspn(s + n + 1, "0123456789") == 2 &&
	       s[n + 3] == '\0';
}

/* 1 when text is a whole number without a leading zero that a double
 * holds exactly. */
static int count_shaped(const char *s)
{
	size_t n;

	if (*s == '-')
		s++;
	n = strspn(s, "0123456789");
	return n > 0 && n <= 15 && s[n] == '\0' && (s[0] != '0' || n == 1);
}

/* 1 when a header names an identifier whose digits are not a quantity
 * (a PO or invoice number, a code, a reference): kept as text. */
static int names_identifier(const char *head)
{
	static const char *const words[] = {"number", "reference", "code",  "po",   "invoice",
					    "id",     "email",	   "token", "hash", NULL};
	char word[64];
	const char *p = head;
	int i;

	while (*p) {
		size_t n = strcspn(p, "_ -");

		snprintf(word, sizeof word, "%.*s", (int)(n < 63 ? n : 63), p);
		for (i = 0; words[i]; i++)
			if (strcasecmp(word, words[i]) == 0)
				return 1;
		p += n;
		p += strspn(p, "_ -");
	}
	return 0;
}

/* A cell that csv_row() guarded with a leading ' so that a spreadsheet
 * shows it as text: in a workbook a string is never a formula, so the
 * guard goes. */
static const char *unguarded(const char *s)
{
	return s[0] == '\'' && s[1] && strchr("=+-@\t\r", s[1]) ? s + 1 : s;
}

static void write_cell(Sheet *sh, lxw_col_t col, const char *s)
{
	lxw_error err = LXW_NO_ERROR;
	Date d;
	int y, m, dd;

	if (sh->row == 0)
		err = worksheet_write_string(sh->ws, 0, col, s, sh->bold);
	else if (!*s)
		return;
	else if (money_shaped(s))
		err = worksheet_write_number(sh->ws, sh->row, col, strtod(s, NULL), sh->money);
	else if (strlen(s) == 10 && date_parse(s, &d, NULL) == CL_OK) {
		lxw_datetime dt = {0};

		date_to_ymd(d, &y, &m, &dd);
		dt.year = y, dt.month = m, dt.day = dd;
		err = worksheet_write_datetime(sh->ws, sh->row, col, &dt, sh->date);
	} else if (count_shaped(s) && !sh->id[col])
		err = worksheet_write_number(sh->ws, sh->row, col, strtod(s, NULL), NULL);
	else
		err = worksheet_write_string(sh->ws, sh->row, col, unguarded(s), NULL);
	if (err && !sh->err)
		sh->err = err;
}

static void on_field(void *field, size_t len, void *ctx)
{
	Sheet *sh = ctx;
	const char *s = field ? field : "";
	int col = sh->col++;

	if (col >= XLSX_MAX_COLS)
		return;
	if (!sh->writing) {
		if (sh->row == 0)
			sh->id[col] = (unsigned char)names_identifier(s);
		if ((int)len > sh->width[col])
			sh->width[col] = len > XLSX_MAX_WIDTH ? XLSX_MAX_WIDTH : (int)len;
		return;
	}
	write_cell(sh, (lxw_col_t)col, s);
}

static void on_row(int c, void *ctx)
{
	Sheet *sh = ctx;

	(void)c;
	sh->col = 0;
	sh->row++;
}

/* One pass of libcsv over the text.  0, or -1 when it is not CSV. */
static int pass(Sheet *sh, const char *csv, size_t len)
{
	struct csv_parser p;
	int bad;

	if (csv_init(&p, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI) != 0)
		return -1;
	sh->col = 0;
	sh->row = 0;
	bad = csv_parse(&p, csv, len, on_field, on_row, sh) != len ||
	      csv_fini(&p, on_field, on_row, sh) != 0;
	csv_free(&p);
	return bad ? -1 : 0;
}

/* The whole of the file at path into memory.  OUT: *n.  NULL on failure. */
static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long size;

	if (f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)size + 1)) &&
	    fread(data, 1, (size_t)size, f) == (size_t)size) {
		*n = (size_t)size;
	} else {
		free(data);
		data = NULL;
	}
	if (f)
		fclose(f);
	return data;
}

/* Fill the workbook's sheet from csv.  0, or -1 with e set. */
static int fill(lxw_workbook *wb, const char *csv, size_t len, Err *e)
{
	Sheet sh = {0};
	int i;

	sh.ws = workbook_add_worksheet(wb, NULL);
	sh.bold = workbook_add_format(wb);
	sh.money = workbook_add_format(wb);
	sh.date = workbook_add_format(wb);
	if (!sh.ws || !sh.bold || !sh.money || !sh.date) {
		err_set(e, CL_ENOMEM, "out of memory");
		return -1;
	}
	format_set_bold(sh.bold);
	format_set_num_format(sh.money, "\"$\"#,##0.00;-\"$\"#,##0.00");
	format_set_num_format(sh.date, "yyyy-mm-dd");
	if (pass(&sh, csv, len)) {
		err_set(e, CL_EINPUT, "the table could not be read back as CSV");
		return -1;
	}
	/* widths go before any row is written in constant-memory mode */
	for (i = 0; i < XLSX_MAX_COLS && sh.width[i]; i++)
		worksheet_set_column(sh.ws, (lxw_col_t)i, (lxw_col_t)i,
				     sh.width[i] < 10 ? 10 : sh.width[i] + 2, NULL);
	worksheet_freeze_panes(sh.ws, 1, 0);
	sh.writing = 1;
	if (pass(&sh, csv, len) || sh.err) {
		err_set(e, CL_EINPUT, "the workbook could not be written: %s",
			lxw_strerror(sh.err ? sh.err : LXW_ERROR_MEMORY_MALLOC_FAILED));
		return -1;
	}
	return 0;
}

char *xlsx_from_csv(const char *csv, size_t len, size_t *out_len, Err *e)
{
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE};
	const char *tmp = getenv("TMPDIR");
	char path[4096], *data = NULL;
	lxw_workbook *wb;
	lxw_error err;
	int fd;

	/* libxlsxwriter writes to a named file: one of our own in $TMPDIR
	 * (else /tmp), read back and removed */
	snprintf(path, sizeof path, "%s/coopledger-xlsx-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);

	if (fd < 0) {
		err_set(e, CL_EIO, "no temporary file for the workbook");
		return NULL;
	}
	close(fd);
	wb = workbook_new_opt(path, &opt);
	if (!wb) {
		err_set(e, CL_ENOMEM, "out of memory");
	} else if (fill(wb, csv, len, e)) {
		workbook_close(wb);
	} else if ((err = workbook_close(wb)) != LXW_NO_ERROR) {
		err_set(e, CL_EIO, "the workbook could not be written: %s", lxw_strerror(err));
	} else if (!(data = slurp(path, out_len))) {
		err_set(e, CL_EIO, "the workbook could not be read back");
	}
	unlink(path);
	return data;
}
