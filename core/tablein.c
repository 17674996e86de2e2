/* tablein.c — a table from a CSV file or an .xlsx workbook; see tablein.h. */
#include "tablein.h"

#include <string.h>
#include <sys/stat.h>

#include "xlsxin.h"

/* 1 if f is a regular file whose next byte is its first. */
static int readable_in_place(FILE *f)
{
	struct stat st;
	int fd = fileno(f);

	return fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ftello(f) == 0;
}

/* Copy head (n bytes) and the rest of f to a new temporary file, at most
 * TABLEIN_SPOOL_CAP bytes.  OUT: *out, closed (and so removed) by the
 * caller. */
static ClCode spool(FILE *f, const char *head, size_t n, FILE **out, Err *e)
{
	char chunk[65536];
	size_t total = n;
	FILE *t = tmpfile();

	*out = NULL;
	if (!t)
		return err_set(e, CL_EIO, "no room for a temporary copy of the workbook");
	if (fwrite(head, 1, n, t) != n)
		goto write_failed;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if ((total += n) > TABLEIN_SPOOL_CAP) {
			fclose(t);
			return err_set(e, CL_EINPUT,
				       "the workbook is larger than %zu MiB, more than a report "
				       "may have",
				       TABLEIN_SPOOL_CAP >> 20);
		}
		if (fwrite(chunk, 1, n, t) != n)
			goto write_failed;
	}
	if (ferror(f)) {
		fclose(t);
		return err_set(e, CL_EIO, "reading the file failed");
	}
	if (fflush(t) != 0)
		goto write_failed;
	*out = t;
	return CL_OK;
write_failed:
	fclose(t);
	return err_set(e, CL_EIO, "no room for a temporary copy of the workbook");
}

static ClCode read_workbook(FILE *f, int in_place, const char *head, size_t n,
			    const TableOptions *opt, CsvRowFn fn, void *ctx, Err *e)
{
	XlsxOptions xo = {0};
	FILE *t = NULL;
	ClCode rc;

	if (opt) {
		xo.sheet = opt->sheet;
		xo.field_cap = opt->field_cap;
		xo.bytes_read = opt->bytes_read;
		xo.on_chunk = opt->on_chunk;
		xo.chunk_ctx = opt->chunk_ctx;
	}
	if (in_place)
		return xlsxin_read_file(f, &xo, fn, ctx, e);
	rc = spool(f, head, n, &t, e);
	if (!rc)
		rc = xlsxin_read_file(t, &xo, fn, ctx, e);
	if (t)
		fclose(t);
	return rc;
}

ClCode tablein_read(FILE *f, const TableOptions *opt, CsvRowFn fn, void *ctx, Err *e)
{
	char head[8];
	size_t n = 0, k;
	int in_place = readable_in_place(f);
	CsvOptions co = {0};

	while (n < sizeof head && (k = fread(head + n, 1, sizeof head - n, f)) > 0)
		n += k;
	if (ferror(f))
		return err_set(e, CL_EIO, "reading the file failed");
	if (opt && opt->workbook)
		*opt->workbook = n >= 4 && memcmp(head, "PK\x03\x04", 4) == 0;
	if (n >= 4 && memcmp(head, "PK\x03\x04", 4) == 0)
		return read_workbook(f, in_place, head, n, opt, fn, ctx, e);
	if (n == 8 && memcmp(head, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
		return err_set(e, CL_EINPUT,
			       "this is an Excel 97-2003 workbook (.xls), which cannot be read; "
			       "save it as an Excel workbook (.xlsx) or as CSV");
	if (opt) {
		co.field_cap = opt->field_cap;
		co.bytes_read = opt->bytes_read;
		co.on_chunk = opt->on_chunk;
		co.chunk_ctx = opt->chunk_ctx;
	}
	co.head = head;
	co.nhead = n;
	return csvin_read(f, &co, fn, ctx, e);
}
