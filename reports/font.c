/*
 * font.c — the statements' typefaces over HarfBuzz; see font.h.
 *
 * Each face's file is mapped and parsed once per process (pthread_once)
 * and is read-only afterwards, so documents built on several threads share
 * it.  A subset keeps only the tables libharu reads (the others cost time
 * to subset and are never embedded), drops hinting and gets a cmap and a
 * name table of our own: the cmap a format 4 table with few segments,
 * because libharu scans the segments linearly for every character it
 * measures, the name one that gives each subset of a document its own
 * name.
 */
#include "font.h"

#include <hb-subset.h>
#include <hb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Code points below this have their glyph presence and width in a table
 * (Latin, Latin-1 and Latin Extended-A/B: nearly every character of a
 * statement). */
#define LOW_CP 0x250
/* Codes at most this far apart share a cmap segment (the gap costs two
 * bytes a code, a segment eight bytes and a step of every lookup). */
#define SEG_GAP 32

typedef struct Face {
	const char *path;
	const char *psname;
	hb_blob_t *blob;
	hb_face_t *face;
	hb_font_t *font;
	unsigned upem;
	int ok;
	unsigned char has[LOW_CP];
	unsigned short width[LOW_CP];
} Face;

static Face faces[FONT_COUNT] = {
	{.path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", .psname = "DejaVuSans"},
	{.path = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
	 .psname = "DejaVuSans-Bold"},
	{.path = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	 .psname = "DroidSansFallbackFull"},
	{.path = "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf", .psname = "Symbola"},
};

/* The tables libharu reads and embeds (hinting dropped) but the cmap and
 * name tables, which are written here: a subset keeps these alone (and
 * its cmap, read to find the glyphs). */
static const char *const keep_tags[] = {"OS/2", "glyf", "head", "hhea",
					"hmtx", "loca", "maxp", "post"};

/* Glyph of cp in F and its width in thousandths of an em; returns 0 when
 * F has no glyph for cp (the width is then .notdef's). */
static int lookup(const Face *F, uint32_t cp, int *width)
{
	hb_codepoint_t gid = 0;
	int has = hb_font_get_nominal_glyph(F->font, cp, &gid);
	unsigned adv = (unsigned)hb_font_get_glyph_h_advance(F->font, has ? gid : 0);

	*width = (int)(adv * 1000u / F->upem);
	return has;
}

static void load(FontFace f)
{
	Face *F = &faces[f];
	uint32_t cp;

	F->blob = hb_blob_create_from_file_or_fail(F->path);
	if (!F->blob)
		return;
	F->face = hb_face_create(F->blob, 0);
	F->upem = hb_face_get_upem(F->face);
	if (hb_face_get_glyph_count(F->face) == 0 || F->upem == 0) { /* not a font */
		hb_face_destroy(F->face);
		hb_blob_destroy(F->blob);
		F->face = NULL;
		F->blob = NULL;
		return;
	}
	F->font = hb_font_create(F->face);
	hb_font_make_immutable(F->font);
	for (cp = 0; cp < LOW_CP; cp++) {
		int w;

		F->has[cp] = (unsigned char)lookup(F, cp, &w);
		F->width[cp] = (unsigned short)w;
	}
	F->ok = 1;
}

static void load_regular(void)
{
	load(FONT_REGULAR);
}
static void load_bold(void)
{
	load(FONT_BOLD);
}
static void load_cjk(void)
{
	load(FONT_CJK);
}
static void load_symbol(void)
{
	load(FONT_SYMBOL);
}

static pthread_once_t once[FONT_COUNT] = {PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT,
					  PTHREAD_ONCE_INIT};
static void (*const loader[FONT_COUNT])(void) = {load_regular, load_bold, load_cjk, load_symbol};

/* Face f, read on first use. */
static const Face *face(FontFace f)
{
	pthread_once(&once[f], loader[f]);
	return &faces[f];
}

ClCode font_init(Err *e)
{
	if (!face(FONT_REGULAR)->ok)
		return err_set(e, CL_EIO, "cannot read the font %s", faces[FONT_REGULAR].path);
	if (!face(FONT_BOLD)->ok)
		return err_set(e, CL_EIO, "cannot read the font %s", faces[FONT_BOLD].path);
	return CL_OK;
}

const char *font_path(FontFace f)
{
	return faces[f].path;
}

const char *font_psname(FontFace f)
{
	return faces[f].psname;
}

/* Whether face f (read) has a glyph for cp. */
static int has_glyph(const Face *F, uint32_t cp)
{
	int w;

	if (!F->ok)
		return 0;
	if (cp < LOW_CP)
		return F->has[cp];
	return lookup(F, cp, &w);
}

FontFace font_pick(FontFace main, uint32_t cp)
{
	const Face *F = face(main);

	if (cp < LOW_CP && F->has[cp]) /* nearly every character of a statement */
		return main;
	if (has_glyph(F, cp))
		return main;
	if (has_glyph(face(FONT_CJK), cp))
		return FONT_CJK;
	if (has_glyph(face(FONT_SYMBOL), cp))
		return FONT_SYMBOL;
	return main;
}

int font_width(FontFace f, uint32_t cp)
{
	const Face *F = face(f);
	int w;

	if (!F->ok)
		return 0;
	if (cp < LOW_CP)
		return F->width[cp];
	lookup(F, cp, &w);
	return w;
}

/* ---- the subset's cmap ---- */

typedef struct CodeGlyph {
	uint16_t code, gid;
} CodeGlyph;

static int by_code(const void *a, const void *b)
{
	const CodeGlyph *x = a, *y = b;

	return (x->code > y->code) - (x->code < y->code);
}

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

/* A cmap table with one subtable (3, 1, format 4) mapping the n codes of
 * m (sorted, distinct, none 0xFFFF) to their glyphs.  Codes close together
 * share a segment whose glyphs come from the glyph array (0 in the gaps);
 * a code alone is a segment of its own with a delta.  Returns NULL when
 * the table would pass 64 KB or memory runs out. */
static hb_blob_t *build_cmap(const CodeGlyph *m, size_t n)
{
	size_t nseg = 1, narr = 0, i, j, seg, arr, len;
	unsigned char *t, *sub, *ends, *starts, *deltas, *ranges, *glyphs;
	unsigned search = 2, selector = 0;

	/* count: segments and glyph array entries */
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && m[j].code - m[j - 1].code <= SEG_GAP; j++)
			;
		nseg++;
		if (j - i > 1)
			narr += (size_t)(m[j - 1].code - m[i].code) + 1;
	}
	len = 16 + 8 * nseg + 2 * narr;
	if (len > 0xFFFF)
		return NULL;
	t = calloc(1, 12 + len);
	if (!t)
		return NULL;
	put16(t + 2, 1);   /* numTables */
	put16(t + 4, 3);   /* platform: Windows */
	put16(t + 6, 1);   /* encoding: Unicode BMP */
	put16(t + 10, 12); /* offset of the subtable */
	sub = t + 12;
	while ((size_t)search * 2 <= 2 * nseg) {
		search *= 2;
		selector++;
	}
	put16(sub, 4);
	put16(sub + 2, (unsigned)len);
	put16(sub + 6, (unsigned)(2 * nseg));
	put16(sub + 8, search);
	put16(sub + 10, selector);
	put16(sub + 12, (unsigned)(2 * nseg) - search);
	ends = sub + 14;
	starts = ends + 2 * nseg + 2;
	deltas = starts + 2 * nseg;
	ranges = deltas + 2 * nseg;
	glyphs = ranges + 2 * nseg;
	for (i = 0, seg = 0, arr = 0; i < n; i = j, seg++) {
		for (j = i + 1; j < n && m[j].code - m[j - 1].code <= SEG_GAP; j++)
			;
		put16(starts + 2 * seg, m[i].code);
		put16(ends + 2 * seg, m[j - 1].code);
		if (j - i == 1) {
			put16(deltas + 2 * seg, (unsigned)(m[i].gid - m[i].code) & 0xFFFF);
			continue;
		}
		/* bytes from this idRangeOffset word to its first glyph entry */
		put16(ranges + 2 * seg, (unsigned)(2 * (nseg - seg + arr)));
		for (size_t k = i; k < j; k++)
			put16(glyphs + 2 * (arr + m[k].code - m[i].code), m[k].gid);
		arr += (size_t)(m[j - 1].code - m[i].code) + 1;
	}
	put16(starts + 2 * seg, 0xFFFF); /* the closing segment */
	put16(ends + 2 * seg, 0xFFFF);
	put16(deltas + 2 * seg, 1);
	return hb_blob_create((const char *)t, (unsigned)(12 + len), HB_MEMORY_MODE_WRITABLE, t,
			      free);
}

/* Whether tag is one a subset keeps. */
static int kept(hb_tag_t tag)
{
	size_t i;

	if (tag == hb_tag_from_string("cmap", 4))
		return 1;
	for (i = 0; i < sizeof keep_tags / sizeof keep_tags[0]; i++)
		if (tag == hb_tag_from_string(keep_tags[i], 4))
			return 1;
	return 0;
}

/* Add every table tag of face fc that a subset does not keep to drop. */
static void drop_others(hb_face_t *fc, hb_set_t *drop)
{
	hb_tag_t tags[64];
	unsigned start = 0, count, i;

	do {
		count = 64;
		hb_face_get_table_tags(fc, start, &count, tags);
		for (i = 0; i < count; i++)
			if (!kept(tags[i]))
				hb_set_add(drop, tags[i]);
		start += count;
	} while (count == 64);
}

/* A name table of three Windows English records: family name, subfamily
 * ("Bold" or "Regular") and PostScript name; libharu reads the font's name
 * from it, and a document's fonts need distinct names. */
static hb_blob_t *build_name(const char *psname, int bold)
{
	const char *str[3] = {psname, bold ? "Bold" : "Regular", psname};
	const unsigned id[3] = {1, 2, 6};
	size_t len = 6 + 12 * 3, off = 0, i, k;
	unsigned char *t;

	for (i = 0; i < 3; i++)
		len += 2 * strlen(str[i]);
	t = calloc(1, len);
	if (!t)
		return NULL;
	put16(t + 2, 3);
	put16(t + 4, 6 + 12 * 3);
	for (i = 0; i < 3; i++) {
		unsigned char *r = t + 6 + 12 * i;
		size_t n = strlen(str[i]);

		put16(r, 3);
		put16(r + 2, 1);
		put16(r + 4, 0x409);
		put16(r + 6, id[i]);
		put16(r + 8, (unsigned)(2 * n));
		put16(r + 10, (unsigned)off);
		for (k = 0; k < n; k++)
			put16(t + (size_t)(6 + 12 * 3) + off + 2 * k, (unsigned char)str[i][k]);
		off += 2 * n;
	}
	return hb_blob_create((const char *)t, (unsigned)len, HB_MEMORY_MODE_WRITABLE, t, free);
}

/* A font file of the kept tables of sub with the cmap and name given.
 * NULL when memory runs out.  (The tables are named from keep_tags:
 * HarfBuzz lists no tags for the face a subset returns.) */
static hb_blob_t *rebuild(hb_face_t *sub, hb_blob_t *cmap, hb_blob_t *name)
{
	hb_face_t *b = hb_face_builder_create();
	hb_blob_t *out;
	size_t i;

	for (i = 0; i < sizeof keep_tags / sizeof keep_tags[0]; i++) {
		hb_tag_t tag = hb_tag_from_string(keep_tags[i], 4);
		hb_blob_t *t = hb_face_reference_table(sub, tag);

		if (hb_blob_get_length(t) > 0)
			hb_face_builder_add_table(b, tag, t);
		hb_blob_destroy(t);
	}
	hb_face_builder_add_table(b, hb_tag_from_string("cmap", 4), cmap);
	hb_face_builder_add_table(b, hb_tag_from_string("name", 4), name);
	out = hb_face_reference_blob(b);
	hb_face_destroy(b);
	if (hb_blob_get_length(out) == 0) {
		hb_blob_destroy(out);
		return NULL;
	}
	return out;
}

ClCode font_subset(FontFace f, const uint32_t *cps, const uint16_t *keys, size_t n,
		   const char *psname, unsigned char **out, size_t *len, Err *e)
{
	const Face *F = face(f);
	hb_subset_input_t *in = NULL;
	hb_face_t *sub = NULL;
	hb_font_t *sf = NULL;
	hb_blob_t *cmap = NULL, *name = NULL, *file = NULL;
	CodeGlyph *m = NULL;
	const char *data;
	unsigned dlen;
	ClCode rc = CL_OK;
	size_t i;

	*out = NULL;
	*len = 0;
	if (!F->ok)
		return err_set(e, CL_EIO, "cannot read the font %s", F->path);
	if (!psname || !*psname || strlen(psname) > 40 ||
	    strspn(psname, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
		    strlen(psname))
		return err_set(e, CL_EINPUT, "a font name must be 1 to 40 letters, digits, _ or -");
	if (n > FONT_SUBSET_MAX)
		return err_set(e, CL_ENOMEM,
			       "a document draws more than %d different characters in one font",
			       FONT_SUBSET_MAX);
	in = hb_subset_input_create_or_fail();
	m = malloc((n ? n : 1) * sizeof *m);
	if (!in || !m) {
		rc = err_set(e, CL_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		hb_set_add(hb_subset_input_unicode_set(in), cps[i]);
	hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
	drop_others(F->face, hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG));
	sub = hb_subset_or_fail(F->face, in);
	if (!sub) {
		rc = err_set(e, CL_EIO, "cannot subset the font %s", F->path);
		goto out;
	}
	sf = hb_font_create(sub);
	for (i = 0; i < n; i++) {
		hb_codepoint_t gid = 0;

		if (!hb_font_get_nominal_glyph(sf, cps[i], &gid))
			gid = 0;
		m[i].code = keys[i];
		m[i].gid = (uint16_t)gid;
	}
	qsort(m, n, sizeof *m, by_code);
	for (i = 0; i < n; i++)
		if (m[i].code == 0xFFFF || (i > 0 && m[i].code == m[i - 1].code)) {
			rc = err_set(e, CL_EINPUT, "font keys must be distinct and below U+FFFF");
			goto out;
		}
	cmap = build_cmap(m, n);
	name = build_name(psname, f == FONT_BOLD);
	file = cmap && name ? rebuild(sub, cmap, name) : NULL;
	if (!file) {
		rc = err_set(e, CL_ENOMEM, "cannot build a subset of the font %s", F->path);
		goto out;
	}
	data = hb_blob_get_data(file, &dlen);
	*out = malloc(dlen);
	if (!*out) {
		rc = err_set(e, CL_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(*out, data, dlen);
	*len = dlen;
out:
	hb_blob_destroy(file);
	hb_blob_destroy(cmap);
	hb_blob_destroy(name);
	hb_font_destroy(sf);
	hb_face_destroy(sub);
	hb_subset_input_destroy(in);
	free(m);
	return rc;
}
