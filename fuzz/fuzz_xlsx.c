/*
 * fuzz_xlsx.c — the workbook reader (core/xlsxin.h) behind its ZIP.
 *
 * A mutated ZIP fails its checksums at once, so the input is the XML of
 * the parts, put into a sound ZIP here: byte 0 picks the date system (bit
 * 0) and a small field cap (bit 1: 16 bytes), then the sheet, the shared
 * strings and the styles, separated by NUL bytes.
 *
 * Properties:
 *   - a read either succeeds or is refused with a message;
 *   - the rows the callback sees have strictly increasing row numbers
 *     (the first 0) and lines, row + (header line) = line, 1..256 fields,
 *     none longer than the cap, and at least one field not empty.
 */
#include "fuzz.h"

#include <unistd.h>
#include <zip.h>

#include "xlsxin.h"

typedef struct Seen {
	size_t n, last_row, last_line, header_line, cap;
} Seen;

static ClCode check_row(void *ctx, size_t row, size_t line, int nfield, char **field, Err *e)
{
	Seen *s = ctx;
	int i, any = 0;

	(void)e;
	if (s->n == 0) {
		FUZZ_CHECK(row == 0, "the first row is %zu", row);
		s->header_line = line;
	} else {
		FUZZ_CHECK(row > s->last_row && line > s->last_line, "row %zu@%zu after %zu@%zu",
			   row, line, s->last_row, s->last_line);
	}
	FUZZ_CHECK(row + s->header_line == line, "row %zu on line %zu", row, line);
	FUZZ_CHECK(nfield >= 1 && nfield <= CSVIN_MAX_FIELDS, "%d fields", nfield);
	for (i = 0; i < nfield; i++) {
		FUZZ_CHECK(strlen(field[i]) <= s->cap, "field %d of %zu bytes", i,
			   strlen(field[i]));
		any |= field[i][0] != 0;
	}
	FUZZ_CHECK(any, "an empty row at line %zu", line);
	s->n++;
	s->last_row = row;
	s->last_line = line;
	return CL_OK;
}

static const char rels[] =
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"http://x/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"http://x/styles\" Target=\"styles.xml\"/>"
	"<Relationship Id=\"rId3\" Type=\"http://x/sharedStrings\" Target=\"sharedStrings.xml\"/>"
	"</Relationships>";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	const char *book =
		size && (data[0] & 1)
			? "<workbook><workbookPr date1904=\"1\"/><sheets><sheet name=\"S\" "
			  "r:id=\"rId1\" xmlns:r=\"r\"/></sheets></workbook>"
			: "<workbook><sheets><sheet name=\"S\" r:id=\"rId1\" "
			  "xmlns:r=\"r\"/></sheets></workbook>";
	const char *names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
			       "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml"};
	const uint8_t *part[3] = {NULL, NULL, NULL}, *rest = size ? data + 1 : NULL;
	size_t npart[3] = {0, 0, 0}, left = size ? size - 1 : 0;
	XlsxOptions o = {.field_cap = size && (data[0] & 2) ? 16 : 0};
	Seen s = {.cap = o.field_cap ? o.field_cap : CSVIN_FIELD_CAP};
	zip_t *z;
	Err e = {0};
	ClCode rc;
	int i, err = 0;

	if (!path[0])
		snprintf(path, sizeof path, "/tmp/fuzz_xlsx.%d.xlsx", (int)getpid());
	for (i = 0; i < 3 && rest; i++) {
		const uint8_t *next = fuzz_split(rest, left, 0, &part[i], &npart[i]);

		left = next ? left - (size_t)(next - rest) : 0;
		rest = next;
	}
	if (!(z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err)))
		abort();
	for (i = 0; i < 5; i++) {
		const void *p = i == 0 ? book : i == 1 ? rels : (const void *)part[i - 2];
		size_t n = i == 0 ? strlen(book) : i == 1 ? strlen(rels) : npart[i - 2];
		zip_source_t *src;

		if (i >= 2 && !p)
			continue;
		if (!(src = zip_source_buffer(z, p, n, 0)) || zip_file_add(z, names[i], src, 0) < 0)
			abort();
	}
	if (zip_close(z) != 0)
		abort();
	rc = xlsxin_read(path, &o, check_row, &s, &e);
	FUZZ_CHECK(rc == CL_OK || (rc == CL_EINPUT && e.msg[0]), "code %d \"%s\"", (int)rc, e.msg);
	unlink(path);
	return 0;
}
