/*
 * test_xlsxin.c — unit tests of core/xlsxin.c and core/tablein.c: .xlsx
 * workbooks read row by row through the CSV reader's callback.
 *
 * Good workbooks are written at test time with libxlsxwriter, as a
 * spreadsheet program would; the ones libxlsxwriter cannot write (the 1904
 * date system, hostile files) are put together part by part with libzip,
 * or byte by byte with zlib where even libzip would refuse to lie.  Rows
 * are compared as text, one per line, "row@line:field|field|...".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <xlsxwriter.h>
#include <zip.h>
#include <zlib.h>

#include "buf.h"
#include "date.h"
#include "tablein.h"
#include "xlsxin.h"

static char dir[4096]; /* $TMPDIR/test_xlsxin.XXXXXX, made by setup() */

/* A file name in the test's directory (one static buffer per slot). */
static const char *path_of(const char *name)
{
	static char p[4][4200];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

/* Callback: append "row@line:f1|f2|...\n" to the Buf in ctx. */
static ClCode collect(void *ctx, size_t row, size_t line, int nfield, char **field, Err *e)
{
	Buf *b = ctx;
	int i;

	(void)e;
	assert_int_equal(buf_printf(b, "%zu@%zu:", row, line), CL_OK);
	for (i = 0; i < nfield; i++)
		assert_int_equal(buf_printf(b, "%s%s", i ? "|" : "", field[i]), CL_OK);
	assert_int_equal(buf_puts(b, "\n"), CL_OK);
	return CL_OK;
}

/* Read the workbook at path (sheet by name or NULL); the rows, or NULL
 * with the message in e.  Caller frees. */
static char *read_book(const char *path, const char *sheet, ClCode *rc, Err *e)
{
	XlsxOptions o = {.sheet = sheet};
	Buf b;

	buf_init(&b, 1 << 20);
	err_clear(e);
	*rc = xlsxin_read(path, &o, collect, &b, e);
	if (*rc) {
		buf_free(&b);
		return NULL;
	}
	return b.data ? buf_steal(&b) : strdup("");
}

static void expect_rows(const char *path, const char *sheet, const char *want)
{
	Err e;
	ClCode rc;
	char *got = read_book(path, sheet, &rc, &e);

	if (rc)
		fail_msg("%s: %s", path, e.msg);
	assert_string_equal(got, want);
	free(got);
}

static void expect_refusal(const char *path, const char *want)
{
	Err e;
	ClCode rc;
	char *got = read_book(path, NULL, &rc, &e);

	free(got);
	if (!rc || !strstr(e.msg, want))
		fail_msg("%s: wanted a refusal with \"%s\", got %d \"%s\"", path, want, rc, e.msg);
	print_message("refused: %s\n", e.msg);
}

/* ---- workbooks from parts ---- */

static const char rels_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" "
	"Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
	"Target=\"worksheets/sheet1.xml\"/>"
	"<Relationship Id=\"rId2\" "
	"Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
	"Target=\"styles.xml\"/>"
	"<Relationship Id=\"rId3\" "
	"Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	"sharedStrings\" Target=\"/xl/sharedStrings.xml\"/>"
	"</Relationships>";

#define WB_HEAD                                                                                    \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                             \
	"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "           \
	"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"

static const char book_1904_xml[] = WB_HEAD "<workbookPr date1904=\"1\"/>"
					    "<sheets><sheet name=\"Report\" sheetId=\"1\" "
					    "r:id=\"rId1\"/></sheets></workbook>";

static const char book_1900_xml[] = WB_HEAD "<sheets><sheet name=\"Report\" sheetId=\"1\" "
					    "r:id=\"rId1\"/></sheets></workbook>";

/* cell format 1 is a built-in date (14), 2 a custom date, 3 a custom
 * number with a quoted "d" and a [bracket] that are not dates */
static const char styles_xml[] =
	"<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
	"<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/>"
	"<numFmt numFmtId=\"165\" formatCode=\"#,##0.00 &quot;d&quot; [$USD]\"/></numFmts>"
	"<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
	"<cellXfs count=\"4\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/>"
	"<xf numFmtId=\"165\"/></cellXfs></styleSheet>";

static const char strings_xml[] =
	"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"3\" "
	"uniqueCount=\"3\"><si><t>invoice_date</t></si>"
	"<si><r><t>Rich </t></r><r><rPr><b/></rPr><t>text</t></r><rPh><t>ignored</t></rPh></si>"
	"<si><t xml:space=\"preserve\"> A&amp;B </t></si></sst>";

#define SHEET_HEAD                                                                                 \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                             \
	"<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"      \
	"<x:dimension ref=\"A1:XFD1048576\"/><x:sheetData>"
#define SHEET_TAIL "</x:sheetData><x:mergeCells count=\"0\"/></x:worksheet>"

/* Write a workbook of n parts (names[i] holding texts[i]) to path. */
static void write_parts(const char *path, int n, const char *const *names, const char *const *texts)
{
	int err = 0, i;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	zip_source_t *s;

	assert_non_null(z);
	for (i = 0; i < n; i++) {
		s = zip_source_buffer(z, texts[i], strlen(texts[i]), 0);
		assert_non_null(s);
		assert_true(zip_file_add(z, names[i], s, ZIP_FL_ENC_UTF_8) >= 0);
	}
	assert_int_equal(zip_close(z), 0);
}

/* A workbook of one sheet (sheet_xml) with the parts above. */
static void write_book(const char *path, const char *book_xml, const char *sheet_xml)
{
	const char *names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
			       "xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/sharedStrings.xml"};
	const char *texts[] = {book_xml, rels_xml, sheet_xml, styles_xml, strings_xml};

	write_parts(path, 5, names, texts);
}

/* ---- good workbooks ---- */

/* A sales report as a spreadsheet program writes it: libxlsxwriter. */
static void write_sales(const char *path)
{
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Sales");
	lxw_worksheet *other = workbook_add_worksheet(wb, "Other sheet");
	lxw_format *date = workbook_add_format(wb), *money = workbook_add_format(wb);
	lxw_datetime d = {2025, 8, 14, 0, 0, 0};

	assert_non_null(wb);
	format_set_num_format(date, "mm/dd/yyyy");
	format_set_num_format(money, "#,##0.00");
	worksheet_write_string(ws, 0, 0, "agency_code", NULL);
	worksheet_write_string(ws, 0, 1, "invoice_date", NULL);
	worksheet_write_string(ws, 0, 2, "amount", NULL);
	worksheet_write_string(ws, 0, 3, "public", NULL);
	/* row 2: text, a real date, money as a number, a boolean */
	worksheet_write_string(ws, 1, 0, "KS-001", NULL);
	worksheet_write_datetime(ws, 1, 1, &d, date);
	worksheet_write_number(ws, 1, 2, 1234.56, money);
	worksheet_write_boolean(ws, 1, 3, 1, NULL);
	/* row 3: gaps, a date typed as text, more decimals than cents */
	worksheet_write_string(ws, 2, 1, "08/15/2025", NULL);
	worksheet_write_number(ws, 2, 2, 12.345, NULL);
	worksheet_write_boolean(ws, 2, 3, 0, NULL);
	/* row 4 empty but formatted, rows 5 and 6 missing */
	worksheet_write_blank(ws, 3, 0, money);
	/* row 7: a formula with its cached value, a sum with float noise */
	worksheet_write_string(ws, 6, 0, "KS-002", NULL);
	worksheet_write_formula_num(ws, 6, 2, "=0.1+0.2", NULL, 0.1 + 0.2);
	worksheet_write_number(ws, 6, 3, 1e-3, NULL);
	worksheet_write_string(other, 2, 1, "second", NULL);
	worksheet_write_number(other, 2, 2, -42, NULL);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

static void test_sales_workbook(void **state)
{
	const char *p = path_of("sales.xlsx");

	(void)state;
	write_sales(p);
	expect_rows(p, NULL,
		    "0@1:agency_code|invoice_date|amount|public\n"
		    "1@2:KS-001|2025-08-14|1234.56|TRUE\n"
		    "2@3:|08/15/2025|12.345|FALSE\n"
		    "6@7:KS-002||0.3|0.001\n");
	expect_rows(p, "other SHEET", "0@3:|second|-42\n");
	unlink(p);
}

static void test_sheet_not_found(void **state)
{
	const char *p = path_of("sales.xlsx");
	Err e;
	ClCode rc;
	char *got;

	(void)state;
	write_sales(p);
	got = read_book(p, "Summary", &rc, &e);
	assert_null(got);
	assert_int_equal(rc, CL_ENOTFOUND);
	assert_string_equal(e.msg, "the workbook has no sheet named \"Summary\"; its sheets are: "
				   "\"Sales\", \"Other sheet\"");
	unlink(p);
}

/* Hand-made parts: the 1904 date system, shared strings with rich text
 * and phonetic hints, inline strings, formula text, error cells, cells
 * without references, namespace prefixes, float noise in <v>. */
static void test_parts_1904(void **state)
{
	const char *p = path_of("1904.xlsx");
	const char *sheet =
		SHEET_HEAD "<x:row r=\"2\"><x:c r=\"A2\" t=\"s\"><x:v>0</x:v></x:c>"
			   "<x:c r=\"B2\" t=\"s\"><x:v>1</x:v></x:c><x:c t=\"s\"><x:v>2</x:v></x:c>"
			   "</x:row>"
			   "<x:row r=\"3\"><x:c r=\"A3\" s=\"1\"><x:v>0</x:v></x:c>"
			   "<x:c r=\"B3\" s=\"2\"><x:v>45000.75</x:v></x:c>"
			   "<x:c r=\"C3\" s=\"3\"><x:v>1234.5600000000001</x:v></x:c>"
			   "<x:c r=\"D3\" t=\"inlineStr\"><x:is><x:t>in</x:t><x:r><x:t>line</x:t>"
			   "</x:r></x:is></x:c><x:c r=\"E3\" t=\"str\"><x:f>A1&amp;B1</x:f>"
			   "<x:v>ab</x:v></x:c><x:c r=\"F3\" t=\"e\"><x:v>#N/A</x:v></x:c>"
			   "<x:c r=\"G3\"><x:v>1E-3</x:v></x:c><x:c r=\"H3\"><x:v>-0</x:v></x:c>"
			   "</x:row><x:row r=\"4\"><x:c r=\"A4\" s=\"1\"/><x:c r=\"B4\" "
			   "t=\"s\"/></x:row>" SHEET_TAIL;

	(void)state;
	write_book(p, book_1904_xml, sheet);
	expect_rows(p, NULL,
		    "0@2:invoice_date|Rich text| A&B \n"
		    "1@3:1904-01-01|2027-03-16|1234.56|inline|ab|#N/A|0.001|0\n");
	write_book(p, book_1900_xml, sheet);
	expect_rows(p, NULL,
		    "0@2:invoice_date|Rich text| A&B \n"
		    "1@3:1899-12-31|2023-03-15|1234.56|inline|ab|#N/A|0.001|0\n");
	unlink(p);
}

static void test_number_text(void **state)
{
	static const char *cases[][2] = {
		{"1234.5600000000001", "1234.56"},
		{"0.30000000000000004", "0.3"},
		{"12.345", "12.345"},
		{"1E-3", "0.001"},
		{"1.5E+3", "1500"},
		{"100", "100"},
		{"-42.10", "-42.1"},
		{"0", "0"},
		{"-0", "0"},
		{"1e21", "1000000000000000000000"},
		{"123456789012345678", "123456789012346000"},
		{"0.000000123", "0.000000123"},
		{"99999999999999.99", "100000000000000"}, /* 16 digits */
		{"999999999999.99", "999999999999.99"},
		{"abc", "abc"},
		{"inf", "inf"},
		{"", ""},
		/* plain decimals, taken as written: the same text */
		{"007", "7"},
		{"-0.000", "0"},
		{"0.10", "0.1"},
		{"-1999.99", "-1999.99"},
		{"45678.91", "45678.91"},
		{"123456789012345", "123456789012345"},	    /* 15 digits */
		{"1234567890123456", "1234567890123460"},   /* 16 */
		{"0.000000000000001", "0.000000000000001"}, /* 15 zeros */
		{"0.0000000000000001", "0.0000000000000001"},
		{"100000000000000000000", "100000000000000000000"},
		{"5.", "5"},
		{".5", "0.5"},
		{"+3", "3"},
	};
	char out[XLSXIN_NUMBER_BUF];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		xlsxin_number_text(cases[i][0], out, sizeof out);
		if (strcmp(out, cases[i][1]) != 0)
			fail_msg("%s: got %s, wanted %s", cases[i][0], out, cases[i][1]);
	}
}

static void test_serial_dates(void **state)
{
	static const struct {
		double serial;
		int d1904;
		const char *want;
	} cases[] = {
		{1, 0, "1900-01-01"},
		{59, 0, "1900-02-28"},
		{60, 0, "1900-02-29"},
		{61, 0, "1900-03-01"},
		{45883, 0, "2025-08-14"},
		{45883.99, 0, "2025-08-14"},
		{0, 1, "1904-01-01"},
		{44421, 1, "2025-08-14"},
		{2958465, 0, "9999-12-31"},
		{2958466, 0, NULL},
		{-1, 0, NULL},
	};
	char out[DATE_BUF];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		int ok = xlsxin_serial_date(cases[i].serial, cases[i].d1904, out, sizeof out);

		if (!cases[i].want) {
			assert_int_equal(ok, 0);
			continue;
		}
		assert_int_equal(ok, 1);
		assert_string_equal(out, cases[i].want);
	}
}

/* ---- tablein: CSV or workbook by the first bytes, in place or spooled ---- */

static void count_bytes(void *ctx, const char *p, size_t n)
{
	(void)p;
	*(size_t *)ctx += n;
}

static char *read_table(FILE *f, size_t *hashed)
{
	TableOptions o = {.on_chunk = count_bytes, .chunk_ctx = hashed};
	Buf b;
	Err e;

	buf_init(&b, 1 << 20);
	*hashed = 0;
	if (tablein_read(f, &o, collect, &b, &e))
		fail_msg("%s", e.msg);
	return buf_steal(&b);
}

static void test_tablein(void **state)
{
	const char *p = path_of("sales.xlsx"), *csv = "\xEF\xBB\xBF"
						      "a,b\r\n1,\"x,y\"\r\n";
	char *mem, *got;
	long size;
	size_t hashed;
	FILE *f;

	(void)state;
	write_sales(p);
	/* in place */
	assert_non_null(f = fopen(p, "rb"));
	got = read_table(f, &hashed);
	assert_string_equal(got, "0@1:agency_code|invoice_date|amount|public\n"
				 "1@2:KS-001|2025-08-14|1234.56|TRUE\n"
				 "2@3:|08/15/2025|12.345|FALSE\n"
				 "6@7:KS-002||0.3|0.001\n");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	assert_int_equal(hashed, (size_t)size);
	free(got);
	/* from a stream that cannot seek: spooled */
	rewind(f);
	assert_non_null(mem = malloc((size_t)size));
	assert_int_equal(fread(mem, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	assert_non_null(f = fmemopen(mem, (size_t)size, "r"));
	got = read_table(f, &hashed);
	assert_non_null(strstr(got, "1@2:KS-001|2025-08-14|1234.56|TRUE\n"));
	assert_int_equal(hashed, (size_t)size);
	fclose(f);
	free(got);
	free(mem);
	/* CSV, its first bytes given back to the CSV reader, the BOM dropped */
	assert_non_null(f = fmemopen((void *)csv, strlen(csv), "r"));
	got = read_table(f, &hashed);
	assert_string_equal(got, "0@1:a|b\n1@2:1|x,y\n");
	assert_int_equal(hashed, strlen(csv));
	fclose(f);
	free(got);
	/* CSV of fewer bytes than are sniffed */
	assert_non_null(f = fmemopen((void *)"a\n", 2, "r"));
	got = read_table(f, &hashed);
	assert_string_equal(got, "0@1:a\n");
	fclose(f);
	free(got);
	unlink(p);
}

/* ---- hostile workbooks ---- */

static void test_wide_cell(void **state)
{
	const char *p = path_of("wide.xlsx");

	(void)state;
	write_book(p, book_1900_xml,
		   SHEET_HEAD "<x:row r=\"1\"><x:c r=\"A1\" t=\"inlineStr\"><x:is><x:t>a</x:t>"
			      "</x:is></x:c><x:c r=\"XFD1\"><x:v>1</x:v></x:c></x:row>" SHEET_TAIL);
	expect_refusal(p, "line 1: cell XFD1: column XFD is beyond the 256 columns a report "
			  "may have");
	/* a column past any real sheet, and the 257th column */
	write_book(p, book_1900_xml,
		   SHEET_HEAD
		   "<x:row r=\"1\"><x:c r=\"ZZZZZZZZZZZZ1\"><x:v>1</x:v></x:c></x:row>" SHEET_TAIL);
	expect_refusal(p, "cell ZZZZZZZZZZZZ1: column ZZZZZZZZZZZZ is beyond the 256 columns");
	write_book(p, book_1900_xml,
		   SHEET_HEAD
		   "<x:row r=\"1\"><x:c r=\"IW1\"><x:v>1</x:v></x:c></x:row>" SHEET_TAIL);
	expect_refusal(p, "column IW is beyond the 256 columns");
	/* an empty cell far out is no content: read, not refused */
	write_book(p, book_1900_xml,
		   SHEET_HEAD "<x:row r=\"1\"><x:c r=\"IV1\"><x:v>1</x:v></x:c><x:c r=\"XFD1\" "
			      "s=\"1\"/></x:row>" SHEET_TAIL);
	{
		Err e;
		ClCode rc;
		char *got = read_book(p, NULL, &rc, &e);

		assert_int_equal(rc, CL_OK);
		assert_int_equal(strlen(got), strlen("0@1:") + 255 + 1 + 1);
		free(got);
	}
	unlink(p);
}

static void test_long_cell(void **state)
{
	const char *p = path_of("long.xlsx");
	size_t n = CSVIN_FIELD_CAP + 10;
	char *sheet = malloc(n + 1024), *s;

	(void)state;
	assert_non_null(sheet);
	s = sheet + sprintf(sheet, "%s<x:row r=\"1\"><x:c r=\"B1\"><x:v>", SHEET_HEAD);
	memset(s, '7', n);
	strcpy(s + n, "</x:v></x:c></x:row>" SHEET_TAIL);
	write_book(p, book_1900_xml, sheet);
	expect_refusal(p, "line 1: cell B1 is longer than 65536 bytes");
	free(sheet);
	unlink(p);
}

static void test_entities(void **state)
{
	const char *p = path_of("laughs.xlsx");

	(void)state;
	write_book(p, book_1900_xml,
		   "<?xml version=\"1.0\"?>\n"
		   "<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
		   "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
		   "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
		   "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
		   "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
		   "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
		   "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
		   "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
		   "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
		   "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>"
		   "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&lol9;"
		   "</t></is></c></row></sheetData></worksheet>");
	expect_refusal(p, "the workbook's XML declares entities, which is not allowed");
	unlink(p);
}

/* Write, byte by byte, a ZIP whose one part "xl/worksheets/sheet1.xml"
 * is a sheet padded with `inflated` bytes of blanks and whose headers
 * state the size `stated`, plus honest workbook and rels parts. */
static void write_bomb(const char *path, size_t inflated, uint32_t stated)
{
	static const char head[] = "<worksheet><sheetData>";
	const char *names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
			       "xl/worksheets/sheet1.xml"};
	const char *texts[] = {book_1900_xml, rels_xml, NULL};
	unsigned char *out, local[30], central[46], end[22];
	uint32_t offs[3], csize[3], usize[3], crc[3];
	size_t cap = 4 << 20, len = 0, i, left;
	static char blanks[1 << 16];
	FILE *f = fopen(path, "wb");
	z_stream z;
	int k;

	assert_non_null(f);
	memset(blanks, ' ', sizeof blanks);
	assert_non_null(out = malloc(cap));
	for (k = 0; k < 3; k++) {
		memset(&z, 0, sizeof z);
		assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
		len = 0;
		crc[k] = (uint32_t)crc32(0, NULL, 0);
#define DEFLATE(p, n, flush)                                                                       \
	do {                                                                                       \
		z.next_in = (unsigned char *)(p);                                                  \
		z.avail_in = (unsigned)(n);                                                        \
		crc[k] = (uint32_t)crc32(crc[k], (const unsigned char *)(p), (unsigned)(n));       \
		do {                                                                               \
			z.next_out = out + len;                                                    \
			z.avail_out = (unsigned)(cap - len);                                       \
			deflate(&z, flush);                                                        \
			len = cap - z.avail_out;                                                   \
		} while (z.avail_in);                                                              \
	} while (0)
		if (k < 2) {
			DEFLATE(texts[k], strlen(texts[k]), Z_FINISH);
			usize[k] = (uint32_t)strlen(texts[k]);
		} else {
			DEFLATE(head, strlen(head), Z_NO_FLUSH);
			for (left = inflated; left; left -= i) {
				i = left < sizeof blanks ? left : sizeof blanks;
				DEFLATE(blanks, i, Z_NO_FLUSH);
			}
			DEFLATE("", 0, Z_FINISH);
			usize[k] = stated;
		}
#undef DEFLATE
		deflateEnd(&z);
		assert_true(len < cap);
		csize[k] = (uint32_t)len;
		offs[k] = (uint32_t)ftell(f);
		memset(local, 0, sizeof local);
		memcpy(local, "PK\x03\x04\x14\0\0\0\x08\0", 10);
		memcpy(local + 14, &crc[k], 4);
		memcpy(local + 18, &csize[k], 4);
		memcpy(local + 22, &usize[k], 4);
		local[26] = (unsigned char)strlen(names[k]);
		fwrite(local, 1, 30, f);
		fwrite(names[k], 1, strlen(names[k]), f);
		fwrite(out, 1, len, f);
	}
	{
		uint32_t cd = (uint32_t)ftell(f), cdlen;

		for (k = 0; k < 3; k++) {
			memset(central, 0, sizeof central);
			memcpy(central, "PK\x01\x02\x14\0\x14\0\0\0\x08\0", 12);
			memcpy(central + 16, &crc[k], 4);
			memcpy(central + 20, &csize[k], 4);
			memcpy(central + 24, &usize[k], 4);
			central[28] = (unsigned char)strlen(names[k]);
			memcpy(central + 42, &offs[k], 4);
			fwrite(central, 1, 46, f);
			fwrite(names[k], 1, strlen(names[k]), f);
		}
		cdlen = (uint32_t)ftell(f) - cd;
		memset(end, 0, sizeof end);
		memcpy(end, "PK\x05\x06", 4);
		end[8] = end[10] = 3;
		memcpy(end + 12, &cdlen, 4);
		memcpy(end + 16, &cd, 4);
		fwrite(end, 1, 22, f);
	}
	assert_int_equal(fclose(f), 0);
	free(out);
}

static void test_zip_bomb(void **state)
{
	const char *p = path_of("bomb.xlsx");
	size_t big = XLSXIN_SHEET_CAP + (1 << 20);

	(void)state;
	/* honest headers: refused before inflating */
	write_bomb(p, big, (uint32_t)big + 22);
	expect_refusal(p, "the workbook's part xl/worksheets/sheet1.xml inflates to more than "
			  "1024 MiB");
	/* headers that lie: refused while inflating, at the cap */
	write_bomb(p, big, 4096);
	expect_refusal(p, "the workbook's part xl/worksheets/sheet1.xml inflates to more than "
			  "1024 MiB");
	/* a small honest one passes the container and reaches the XML (the
	 * writer itself is sound; the sheet is cut short on purpose) */
	write_bomb(p, 1000, 1022);
	expect_refusal(p, "the workbook's xl/worksheets/sheet1.xml is not well-formed XML");
	unlink(p);
}

static void test_broken_zip(void **state)
{
	const char *p = path_of("sales.xlsx"), *q = path_of("cut.xlsx");
	char buf[1 << 16];
	size_t n;
	FILE *f, *g;

	(void)state;
	write_sales(p);
	assert_non_null(f = fopen(p, "rb"));
	assert_non_null(g = fopen(q, "wb"));
	n = fread(buf, 1, sizeof buf, f);
	fwrite(buf, 1, n / 2, g);
	fclose(f);
	fclose(g);
	expect_refusal(q, "not an .xlsx workbook (the ZIP container is damaged: ");
	assert_non_null(g = fopen(q, "wb"));
	fputs("agency_code,joined\nKS-001,2025-01-01\n", g);
	fclose(g);
	expect_refusal(q, "not an .xlsx workbook (the ZIP container is damaged: Not a zip "
			  "archive)");
	unlink(p);
	unlink(q);
}

static void test_no_sheet(void **state)
{
	const char *p = path_of("nosheet.xlsx");
	const char *names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels"};
	const char *texts[] = {WB_HEAD "<sheets/></workbook>", rels_xml};
	const char *other[] = {"word/document.xml"}, *otext[] = {"<document/>"};

	(void)state;
	write_parts(p, 2, names, texts);
	expect_refusal(p, "the workbook has no worksheet");
	write_parts(p, 1, other, otext);
	expect_refusal(p, "not an .xlsx workbook (it has no xl/_rels/workbook.xml.rels");
	unlink(p);
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof dir, "%s/test_xlsxin.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sales_workbook), cmocka_unit_test(test_sheet_not_found),
		cmocka_unit_test(test_parts_1904),     cmocka_unit_test(test_number_text),
		cmocka_unit_test(test_serial_dates),   cmocka_unit_test(test_tablein),
		cmocka_unit_test(test_wide_cell),      cmocka_unit_test(test_long_cell),
		cmocka_unit_test(test_entities),       cmocka_unit_test(test_zip_bomb),
		cmocka_unit_test(test_broken_zip),     cmocka_unit_test(test_no_sheet),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
