/*
 * font.h — the typefaces of the statements, read once per process and
 * shared by every document and thread: DejaVu Sans (regular and bold) for
 * the text, Droid Sans Fallback for the CJK characters DejaVu lacks and
 * Symbola (monochrome outlines) for symbols and emoji.  A document embeds
 * only a subset of each face it uses (HarfBuzz's subsetter), holding the
 * glyphs of the characters it draws.
 *
 * Widths are in thousandths of an em, truncated per character as PDF
 * widths are (advance * 1000 / units per em), so that a line measured here
 * is the line the PDF viewer sets.  The fallback faces are optional: when
 * one is not installed its characters fall to the main face (.notdef).
 * reports/pdf.c is the only user; this file is the only one that includes
 * HarfBuzz.
 */
#ifndef COOPLEDGER_FONT_H
#define COOPLEDGER_FONT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef enum { FONT_REGULAR, FONT_BOLD, FONT_CJK, FONT_SYMBOL, FONT_COUNT } FontFace;

/* Most distinct characters one subset holds (its cmap must stay within
 * the 64 KB a format 4 table can address). */
#define FONT_SUBSET_MAX 8000

/* Read the two main faces (once per process; later calls return at
 * once).  Fails when DejaVu Sans is not installed. */
ClCode font_init(Err *e) __attribute__((warn_unused_result));

/* The face that draws code point cp in text set in main (FONT_REGULAR or
 * FONT_BOLD): main when it has a glyph for cp, else the first fallback
 * that has one, else main (which draws its .notdef box). */
FontFace font_pick(FontFace main, uint32_t cp);

/* Advance width of cp in face f, in thousandths of an em. */
int font_width(FontFace f, uint32_t cp);

/* A TrueType font file named psname (its PostScript and family name; at
 * most 40 characters of [A-Za-z0-9_-]) holding the glyphs of face f for
 * the n code points cps (at most FONT_SUBSET_MAX), with a cmap (Windows
 * Unicode BMP, format 4) that maps keys[i] to the glyph of cps[i]: the
 * PDF draws each character at a one-byte code, and the viewer finds its
 * glyph through the character the font's encoding gives that code, so the
 * key of a character is that code's character.  keys must be distinct.
 * OUT: *out (caller frees with free()), *len. */
ClCode font_subset(FontFace f, const uint32_t *cps, const uint16_t *keys, size_t n,
		   const char *psname, unsigned char **out, size_t *len, Err *e)
	__attribute__((warn_unused_result));

/* The face's PostScript name, the stem of its subsets' names. */
const char *font_psname(FontFace f);

/* The face's file, for messages. */
const char *font_path(FontFace f);

#endif
