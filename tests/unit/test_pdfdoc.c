/* test_pdfdoc.c — the drawing layer's text: widths as DejaVu Sans's
 * advance widths give them (read by hand from the font's hmtx table: P
 * 1235, e 1260, ñ 1298, a 1255, space 651, ... of 2048 units an em, each
 * truncated to thousandths: "Peña Total $1,234.56" is 10685 thousandths
 * regular and 11977 bold), characters DejaVu lacks drawn from the fallback
 * faces, text read back by pdftotext (so the ToUnicode maps hold), the
 * subset fonts pdffonts lists, malformed UTF-8 drawn as U+FFFD, and a
 * document of more distinct characters than a font takes refused with a
 * message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "font.h"
#include "pdfdoc.h"

/* Append the UTF-8 of cp to s at *n. */
static void put_cp(char *s, size_t *n, uint32_t cp)
{
	if (cp < 0x80) {
		s[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		s[(*n)++] = (char)(0xC0 | cp >> 6);
		s[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		s[(*n)++] = (char)(0xE0 | cp >> 12);
		s[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		s[(*n)++] = (char)(0xF0 | cp >> 18);
		s[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		s[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[(*n)++] = (char)(0x80 | (cp & 0x3F));
	}
	s[*n] = '\0';
}

/* Save d into a temporary file and return the output of command (with
 * the file's path for %s), or NULL.  Caller frees. */
static char *run_on_pdf(PdfDoc *d, const char *command)
{
	unsigned char *pdf;
	size_t len, got = 0, cap = 1 << 16;
	char path[] = "/tmp/test_pdfdoc_XXXXXX", cmd[256];
	char *out = malloc(cap);
	FILE *f, *p;
	Err e;
	int fd;

	assert_non_null(out);
	assert_int_equal(pdfdoc_save(d, &pdf, &len, &e), CL_OK);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(pdf, 1, len, f), len);
	fclose(f);
	free(pdf);
	snprintf(cmd, sizeof cmd, command, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (got + 1 < cap) {
		size_t n = fread(out + got, 1, cap - 1 - got, p);

		if (n == 0)
			break;
		got += n;
	}
	out[got] = '\0';
	pclose(p);
	unlink(path);
	return out;
}

static void test_widths(void **state)
{
	PdfDoc *d;
	Err e;

	(void)state;
	assert_int_equal(pdfdoc_new("widths", "2026-11-25", &d, &e), CL_OK);
	assert_float_equal(pdfdoc_width(d, 0, 10, "Peña Total $1,234.56"), 106.85, 1e-9);
	assert_float_equal(pdfdoc_width(d, 1, 10, "Peña Total $1,234.56"), 119.77, 1e-9);
	assert_float_equal(pdfdoc_width(d, 0, 10, ""), 0, 0);
	/* "Peña " is 603 + 615 + 633 + 612 + 317 = 2780 thousandths: at 10 pt
	 * 27.8 pt, so a width of 30 breaks after the space, before "Total" */
	assert_int_equal(pdfdoc_fit(d, 0, 10, "Peña Total $1,234.56", 30), strlen("Peña"));
	/* not even "P" (6.03 pt) fits in 5 pt: one whole character anyway */
	assert_int_equal(pdfdoc_fit(d, 0, 10, "ñandú", 5), strlen("ñ"));
	pdfdoc_free(d);
}

static void test_fallback_text(void **state)
{
	PdfDoc *d;
	Err e;
	char *text, *fonts;

	(void)state;
	assert_int_equal(font_pick(FONT_REGULAR, 'a'), FONT_REGULAR);
	assert_int_equal(font_pick(FONT_BOLD, 0x00F1), FONT_BOLD);
	assert_int_equal(font_pick(FONT_REGULAR, 0x6771), FONT_CJK);  /* 東 */
	assert_int_equal(font_pick(FONT_BOLD, 0x1F600), FONT_BOLD);   /* 😀: DejaVu has it */
	assert_int_equal(font_pick(FONT_BOLD, 0x1F355), FONT_SYMBOL); /* 🍕: DejaVu has not */
	assert_int_equal(font_pick(FONT_REGULAR, 0x100000), FONT_REGULAR); /* nowhere: .notdef */
	assert_int_equal(pdfdoc_new("fallback", "2026-11-25", &d, &e), CL_OK);
	pdfdoc_add_page(d);
	pdfdoc_text(d, 72, 700, 0, 12, "東京 Ñandú Café 🍕 Coöp");
	pdfdoc_text(d, 72, 680, 1, 12, "Total \xff\xc3 end");
	text = run_on_pdf(d, "pdftotext %s - 2>/dev/null");
	assert_non_null(strstr(text, "東京 Ñandú Café 🍕 Coöp"));
	assert_non_null(strstr(text, "Total \xef\xbf\xbd\xef\xbf\xbd end")); /* two U+FFFD */
	free(text);
	pdfdoc_free(d);

	assert_int_equal(pdfdoc_new("fonts", "2026-11-25", &d, &e), CL_OK);
	pdfdoc_add_page(d);
	pdfdoc_text(d, 72, 700, 0, 12, "東京 Ñandú Café 🍕 Coöp");
	fonts = run_on_pdf(d, "pdffonts %s 2>/dev/null");
	/* regular for the Latin, the CJK face for 東京, Symbola for the emoji;
	 * no bold: nothing was drawn in it */
	assert_non_null(strstr(fonts, "+DejaVuSans "));
	assert_non_null(strstr(fonts, "+DroidSansFallbackFull "));
	assert_non_null(strstr(fonts, "+Symbola "));
	assert_null(strstr(fonts, "DejaVuSans-Bold"));
	free(fonts);
	pdfdoc_free(d);
}

/* 1000 distinct CJK characters take several subsets (about 200 codes
 * each) and all come back; FONT_SUBSET_MAX + 1 distinct characters no
 * face has (plane 16's private use: all drawn by the main face, as
 * .notdef) are refused. */
static void test_many_characters(void **state)
{
	size_t cap = 4 * (FONT_SUBSET_MAX + 2) + 1, n = 0;
	char *s = malloc(cap), *text;
	PdfDoc *d;
	Err e;
	unsigned char *pdf;
	size_t len;
	uint32_t i;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < 1000; i++)
		put_cp(s, &n, 0x4E00 + i);
	assert_int_equal(pdfdoc_new("many", "2026-11-25", &d, &e), CL_OK);
	pdfdoc_add_page(d);
	for (i = 0; i < 40; i++) { /* 40 lines of 25 (three bytes each) */
		char line[128];

		memcpy(line, s + (size_t)75 * i, 75);
		line[75] = '\0';
		pdfdoc_text(d, 36, 760 - 18.0 * i, 0, 12, line);
	}
	text = run_on_pdf(d, "pdftotext -raw %s - 2>/dev/null | tr -d ' \\n\\f'");
	assert_string_equal(text, s);
	free(text);
	pdfdoc_free(d);

	n = 0;
	for (i = 0; i < FONT_SUBSET_MAX + 1; i++)
		put_cp(s, &n, 0x100000 + i);
	assert_int_equal(pdfdoc_new("too many", "2026-11-25", &d, &e), CL_OK);
	pdfdoc_add_page(d);
	pdfdoc_text(d, 36, 700, 0, 1, s);
	assert_int_equal(pdfdoc_save(d, &pdf, &len, &e), CL_EINPUT);
	assert_non_null(strstr(e.msg, "more than 8000 different characters in one font"));
	pdfdoc_free(d);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_fallback_text),
		cmocka_unit_test(test_many_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
