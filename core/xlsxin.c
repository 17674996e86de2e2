/* xlsxin.c — streaming input of .xlsx workbooks over libzip and expat;
 * see xlsxin.h. */
#include "xlsxin.h"

#include <ctype.h>
#include <expat.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zip.h>

#include "buf.h"
#include "date.h"

#define XML_MEM_CAP ((size_t)64 << 20) /* expat's own memory, per parser */
#define MAX_SHEETS  4096
#define MAX_XFS	    65536
#define MAX_DATEFMT 4096
#define NO_FIELD    SIZE_MAX

/* ---- expat's memory, capped: a token expat must hold whole (a giant
 * attribute, a giant tag) cannot take more than XML_MEM_CAP ---- */

static _Thread_local size_t tl_xml_mem;

typedef union MemHead {
	size_t n;
	max_align_t align;
} MemHead;

static void *xml_malloc(size_t n)
{
	MemHead *h;

	if (n > XML_MEM_CAP - tl_xml_mem)
		return NULL;
	if (!(h = malloc(sizeof *h + n)))
		return NULL;
	h->n = n;
	tl_xml_mem += n;
	return h + 1;
}

static void xml_free(void *p)
{
	MemHead *h;

	if (!p)
		return;
	h = (MemHead *)p - 1;
	tl_xml_mem -= h->n;
	free(h);
}

static void *xml_realloc(void *p, size_t n)
{
	MemHead *h, *nh;
	size_t old;

	if (!p)
		return xml_malloc(n);
	h = (MemHead *)p - 1;
	old = h->n;
	if (n > old && n - old > XML_MEM_CAP - tl_xml_mem)
		return NULL;
	if (!(nh = realloc(h, sizeof *nh + n)))
		return NULL;
	tl_xml_mem = tl_xml_mem - old + n;
	nh->n = n;
	return nh + 1;
}

static const XML_Memory_Handling_Suite xml_mem = {xml_malloc, xml_realloc, xml_free};

/* ---- the workbook ---- */

enum { REL_OTHER, REL_WORKSHEET, REL_STRINGS, REL_STYLES };

typedef struct Rel {
	char *id, *target; /* target: the part's name in the ZIP */
	int kind;
} Rel;

typedef struct Sheet {
	char *name, *rid;
} Sheet;

typedef struct Book {
	zip_t *z;
	const XlsxOptions *opt;
	size_t field_cap;
	Err *e;
	Rel *rels;
	int nrels;
	Sheet *sheets;
	int nsheets;
	int date1904;
	Buf sst;	  /* the shared strings, each NUL-terminated */
	uint32_t *sst_at; /* where string i starts in sst */
	size_t nsst, sst_room;
	int datefmt[MAX_DATEFMT]; /* custom number formats that are dates */
	int ndatefmt;
	unsigned char *xf_date; /* cell format i is a date */
	size_t nxf;
} Book;

/* What every parse shares; the handlers' own state follows it. */
typedef struct Xml {
	XML_Parser p;
	Book *b;
	ClCode rc;
	int done; /* stopped on purpose, all read */
} Xml;

/* Stop the parse with a message (the first one wins). */
static void xml_fail(Xml *x, ClCode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void xml_fail(Xml *x, ClCode code, const char *fmt, ...)
{
	va_list ap;
	char msg[ERR_MSG_MAX];

	if (x->rc)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	x->rc = err_set(x->b->e, code, "%s", msg);
	XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL on_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal;
	xml_fail(data, CL_EINPUT, "the workbook's XML declares entities, which is not allowed");
}

static void XMLCALL on_entity(void *data, const XML_Char *name, int is_param, const XML_Char *value,
			      int len, const XML_Char *base, const XML_Char *sysid,
			      const XML_Char *pubid, const XML_Char *notation)
{
	(void)name, (void)is_param, (void)value, (void)len, (void)base, (void)sysid;
	(void)pubid, (void)notation;
	xml_fail(data, CL_EINPUT, "the workbook's XML declares entities, which is not allowed");
}

/* The local part of an element or attribute name ("uri|row" -> "row"). */
static const char *local(const char *name)
{
	const char *s = strrchr(name, '|');

	return s ? s + 1 : name;
}

/* The value of attribute lname (local name), or NULL. */
static const char *attr(const char **atts, const char *lname)
{
	for (; atts[0]; atts += 2)
		if (strcmp(local(atts[0]), lname) == 0)
			return atts[1];
	return NULL;
}

static char *dup_or_fail(Xml *x, const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		xml_fail(x, CL_ENOMEM, "out of memory reading the workbook");
	return d;
}

/* The refusal of a damaged container, with libzip's reason. */
static ClCode damaged(Err *e, const char *why)
{
	return err_set(e, CL_EINPUT, "not an .xlsx workbook (the ZIP container is damaged: %s)",
		       why);
}

static ClCode too_big(Err *e, const char *part, size_t cap)
{
	return err_set(e, CL_EINPUT,
		       "the workbook's part %s inflates to more than %zu MiB, more than a "
		       "report may have; is the file really a spreadsheet of a report?",
		       part, cap >> 20);
}

/* Parse the part name of the ZIP with x->p, in chunks, counting the
 * inflated bytes against cap.  A missing part is an error when required,
 * else *found is 0. */
static ClCode part_parse(Xml *x, const char *name, size_t cap, int required, int *found)
{
	Book *b = x->b;
	zip_stat_t st;
	zip_file_t *zf;
	char chunk[65536];
	zip_int64_t n;
	size_t total = 0;
	ClCode rc = CL_OK;
	int final = 0;

	*found = 0;
	zip_stat_init(&st);
	if (zip_stat(b->z, name, 0, &st) != 0) {
		if (!required)
			return CL_OK;
		return err_set(b->e, CL_EINPUT,
			       "not an .xlsx workbook (it has no %s; is it another kind of ZIP "
			       "file?)",
			       name);
	}
	*found = 1;
	if ((st.valid & ZIP_STAT_SIZE) && st.size > cap)
		return too_big(b->e, name, cap);
	if (!(zf = zip_fopen(b->z, name, 0)))
		return damaged(b->e, zip_strerror(b->z));
	while (!rc && !final) {
		if ((n = zip_fread(zf, chunk, sizeof chunk)) < 0) {
			rc = damaged(b->e, zip_file_strerror(zf));
			break;
		}
		total += (size_t)n;
		if (total > cap) {
			rc = too_big(b->e, name, cap);
			break;
		}
		final = n == 0;
		if (XML_Parse(x->p, chunk, (int)n, final) == XML_STATUS_ERROR) {
			if (x->done)
				break;
			rc = x->rc ? x->rc
				   : err_set(b->e, CL_EINPUT,
					     "the workbook's %s is not well-formed XML (line %lu: "
					     "%s)",
					     name, (unsigned long)XML_GetCurrentLineNumber(x->p),
					     XML_ErrorString(XML_GetErrorCode(x->p)));
		}
	}
	zip_fclose(zf);
	return rc ? rc : x->rc;
}

/* A new namespace-aware parser over x with the given handlers; entity
 * declarations stop it. */
static ClCode xml_start(Xml *x, Book *b, XML_StartElementHandler start, XML_EndElementHandler end,
			XML_CharacterDataHandler text)
{
	memset(x, 0, sizeof *x);
	x->b = b;
	tl_xml_mem = 0;
	if (!(x->p = XML_ParserCreate_MM(NULL, &xml_mem, "|")))
		return err_set(b->e, CL_ENOMEM, "out of memory starting the XML reader");
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, start, end);
	if (text)
		XML_SetCharacterDataHandler(x->p, text);
	XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
	XML_SetEntityDeclHandler(x->p, on_entity);
	return CL_OK;
}

/* ---- xl/_rels/workbook.xml.rels and xl/workbook.xml ---- */

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

static void XMLCALL rels_start(void *data, const char *name, const char **atts)
{
	Xml *x = data;
	Book *b = x->b;
	const char *id = attr(atts, "Id"), *target = attr(atts, "Target");
	const char *type = attr(atts, "Type");
	Rel *r;
	Buf t;

	if (strcmp(local(name), "Relationship") != 0 || !id || !target || x->rc)
		return;
	if (b->nrels == MAX_SHEETS * 2) {
		xml_fail(x, CL_EINPUT, "the workbook has too many parts");
		return;
	}
	if (!(r = realloc(b->rels, (size_t)(b->nrels + 1) * sizeof *r))) {
		xml_fail(x, CL_ENOMEM, "out of memory reading the workbook");
		return;
	}
	b->rels = r;
	r += b->nrels;
	memset(r, 0, sizeof *r);
	type = type ? type : "";
	r->kind = ends_with(type, "/worksheet")	      ? REL_WORKSHEET
		  : ends_with(type, "/sharedStrings") ? REL_STRINGS
		  : ends_with(type, "/styles")	      ? REL_STYLES
						      : REL_OTHER;
	/* targets are relative to xl/, or absolute from the package root */
	buf_init(&t, 4096);
	if ((target[0] == '/' ? buf_puts(&t, target + 1) : buf_printf(&t, "xl/%s", target)) !=
	    CL_OK) {
		buf_free(&t);
		{
			xml_fail(x, CL_EINPUT, "the workbook names a part too long to read");
			return;
		}
	}
	r->target = buf_steal(&t);
	r->id = strdup(id);
	b->nrels++;
	if (!r->id || !r->target)
		xml_fail(x, CL_ENOMEM, "out of memory reading the workbook");
}

static void XMLCALL book_start(void *data, const char *name, const char **atts)
{
	Xml *x = data;
	Book *b = x->b;
	const char *ln = local(name), *v;
	Sheet *s;

	if (x->rc)
		return;
	if (strcmp(ln, "workbookPr") == 0) {
		v = attr(atts, "date1904");
		b->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
		return;
	}
	if (strcmp(ln, "sheet") != 0)
		return;
	if (b->nsheets == MAX_SHEETS) {
		xml_fail(x, CL_EINPUT, "the workbook has more than %d sheets", MAX_SHEETS);
		return;
	}
	if (!(s = realloc(b->sheets, (size_t)(b->nsheets + 1) * sizeof *s))) {
		xml_fail(x, CL_ENOMEM, "out of memory reading the workbook");
		return;
	}
	b->sheets = s;
	s += b->nsheets++;
	s->name = dup_or_fail(x, attr(atts, "name"));
	s->rid = dup_or_fail(x, attr(atts, "id"));
}

static void XMLCALL no_end(void *data, const char *name)
{
	(void)data, (void)name;
}

/* Parse one small part with the handler start. */
static ClCode small_part(Book *b, const char *name, int required, XML_StartElementHandler start)
{
	Xml x;
	int found;
	ClCode rc = xml_start(&x, b, start, no_end, NULL);

	if (!rc)
		rc = part_parse(&x, name, XLSXIN_PART_CAP, required, &found);
	XML_ParserFree(x.p);
	return rc;
}

static const Rel *rel_find(const Book *b, const char *id, int kind)
{
	int i;

	for (i = 0; i < b->nrels; i++)
		if ((!id || strcmp(b->rels[i].id, id) == 0) && b->rels[i].kind == kind)
			return &b->rels[i];
	return NULL;
}

/* The part of the worksheet to read: opt->sheet by name, or the first. */
static ClCode sheet_part(const Book *b, const char **part, Err *e)
{
	const char *want = b->opt ? b->opt->sheet : NULL;
	const Rel *r;
	Buf names;
	int i, n = 0;

	for (i = 0; i < b->nsheets; i++) {
		if (!(r = rel_find(b, b->sheets[i].rid, REL_WORKSHEET)))
			continue;
		n++;
		if (!want || strcasecmp(want, b->sheets[i].name) == 0) {
			*part = r->target;
			return CL_OK;
		}
	}
	if (!n)
		return err_set(e, CL_EINPUT, "the workbook has no worksheet");
	buf_init(&names, ERR_MSG_MAX);
	for (i = 0; i < b->nsheets; i++)
		if (rel_find(b, b->sheets[i].rid, REL_WORKSHEET))
			(void)!buf_printf(&names, "%s\"%s\"", names.len ? ", " : "",
					  b->sheets[i].name); /* cut at the message's size */
	err_set(e, CL_ENOTFOUND, "the workbook has no sheet named \"%s\"; its sheets are: %s", want,
		names.data ? names.data : "");
	buf_free(&names);
	return CL_ENOTFOUND;
}

/* ---- xl/styles.xml: which cell formats are dates ---- */

/* 1 if a custom number format code shows a date or time: d, m, y or h
 * outside quoted text, [brackets] and escaped characters. */
static int format_is_date(const char *code)
{
	const char *s;

	for (s = code; *s; s++) {
		switch (*s) {
		case '"':
		case '[':
			if (!(s = strchr(s + 1, *s == '"' ? '"' : ']')))
				return 0;
			break;
		case '\\':
		case '_':
		case '*':
			if (s[1])
				s++;
			break;
		default:
			if (strchr("dmyhDMYH", *s))
				return 1;
		}
	}
	return 0;
}

typedef struct Styles {
	Xml x;
	int in_xfs;
} Styles;

static int numfmt_is_date(const Book *b, int id)
{
	int i;

	if ((id >= 14 && id <= 22) || (id >= 45 && id <= 47))
		return 1;
	for (i = 0; i < b->ndatefmt; i++)
		if (b->datefmt[i] == id)
			return 1;
	return 0;
}

static void XMLCALL styles_start(void *data, const char *name, const char **atts)
{
	Styles *st = data;
	Book *b = st->x.b;
	const char *ln = local(name), *id = attr(atts, "numFmtId"), *code;
	unsigned char *p;

	if (strcmp(ln, "cellXfs") == 0)
		st->in_xfs = 1;
	else if (strcmp(ln, "numFmt") == 0 && id && (code = attr(atts, "formatCode"))) {
		if (b->ndatefmt < MAX_DATEFMT && format_is_date(code))
			b->datefmt[b->ndatefmt++] = atoi(id);
	} else if (strcmp(ln, "xf") == 0 && st->in_xfs && b->nxf < MAX_XFS) {
		if (!(p = realloc(b->xf_date, b->nxf + 1))) {
			xml_fail(&st->x, CL_ENOMEM, "out of memory reading the workbook");
			return;
		}
		b->xf_date = p;
		p[b->nxf++] = id && numfmt_is_date(b, atoi(id));
	}
}

static void XMLCALL styles_end(void *data, const char *name)
{
	Styles *st = data;

	if (strcmp(local(name), "cellXfs") == 0)
		st->in_xfs = 0;
}

static ClCode read_styles(Book *b)
{
	const Rel *r = rel_find(b, NULL, REL_STYLES);
	Styles st;
	int found;
	ClCode rc = xml_start(&st.x, b, styles_start, styles_end, NULL);

	st.in_xfs = 0;
	if (!rc)
		rc = part_parse(&st.x, r ? r->target : "xl/styles.xml", XLSXIN_PART_CAP, 0, &found);
	XML_ParserFree(st.x.p);
	return rc;
}

/* ---- xl/sharedStrings.xml ---- */

typedef struct Strings {
	Xml x;
	int in_si, in_t, in_rph;
} Strings;

static void XMLCALL sst_start(void *data, const char *name, const char **atts)
{
	Strings *s = data;
	Book *b = s->x.b;
	const char *ln = local(name);
	uint32_t *p;

	(void)atts;
	if (strcmp(ln, "si") == 0) {
		if (b->nsst == XLSXIN_MAX_STRINGS) {
			xml_fail(&s->x, CL_EINPUT,
				 "the workbook has more than %zu different texts, more "
				 "than a report may have",
				 XLSXIN_MAX_STRINGS);
			return;
		}
		if (b->nsst == b->sst_room) {
			b->sst_room = b->sst_room ? 2 * b->sst_room : 1024;
			if (!(p = realloc(b->sst_at, b->sst_room * sizeof *p))) {
				xml_fail(&s->x, CL_ENOMEM, "out of memory reading the workbook");
				return;
			}
			b->sst_at = p;
		}
		b->sst_at[b->nsst] = (uint32_t)b->sst.len;
		s->in_si = 1;
	} else if (strcmp(ln, "rPh") == 0) {
		s->in_rph++; /* phonetic hints are not part of the text */
	} else if (strcmp(ln, "t") == 0) {
		s->in_t = 1;
	}
}

static void XMLCALL sst_end(void *data, const char *name)
{
	Strings *s = data;
	Book *b = s->x.b;
	const char *ln = local(name);

	if (strcmp(ln, "t") == 0) {
		s->in_t = 0;
	} else if (strcmp(ln, "rPh") == 0) {
		s->in_rph--;
	} else if (strcmp(ln, "si") == 0 && s->in_si) {
		s->in_si = 0;
		if (buf_append(&b->sst, "", 1)) {
			xml_fail(&s->x, CL_EINPUT,
				 "the workbook's texts are longer than %zu MiB in all, "
				 "more than a report may have",
				 XLSXIN_STRINGS_CAP >> 20);
			return;
		}
		b->nsst++;
	}
}

static void XMLCALL sst_text(void *data, const char *p, int n)
{
	Strings *s = data;

	if (!s->in_si || !s->in_t || s->in_rph)
		return;
	if (buf_append(&s->x.b->sst, p, (size_t)n))
		xml_fail(&s->x, CL_EINPUT,
			 "the workbook's texts are longer than %zu MiB in all, more than a "
			 "report may have",
			 XLSXIN_STRINGS_CAP >> 20);
}

static ClCode read_strings(Book *b)
{
	const Rel *r = rel_find(b, NULL, REL_STRINGS);
	Strings s;
	int found;
	ClCode rc = xml_start(&s.x, b, sst_start, sst_end, sst_text);

	s.in_si = s.in_t = s.in_rph = 0;
	if (!rc)
		rc = part_parse(&s.x, r ? r->target : "xl/sharedStrings.xml", XLSXIN_STRINGS_CAP, 0,
				&found);
	XML_ParserFree(s.x.p);
	return rc;
}

/* ---- numbers and dates as text ---- */

/* The text of v when it is a plain decimal ("1234.56", "-0.10", "007")
 * of at most 15 significant digits, at most 15 digits before the point
 * and at most 15 zeros after it before the first digit that is not: the
 * same text as the general path of xlsxin_number_text() gives, found
 * without a double.  0 when v is not one (or out, n bytes, is too small). */
static int plain_number_text(const char *v, char *out, size_t n)
{
	const char *p = v, *ib, *ie, *fb, *fe, *first = NULL, *last = NULL;
	int neg = *p == '-';
	size_t len;
	char *o = out;

	p += neg;
	for (ib = p; *p >= '0' && *p <= '9'; p++)
		;
	ie = fb = fe = p;
	if (ie == ib)
		return 0;
	if (*p == '.') {
		for (fb = ++p; *p >= '0' && *p <= '9'; p++)
			;
		fe = p;
		if (fe == fb)
			return 0;
	}
	if (*p)
		return 0;
	while (ib < ie - 1 && *ib == '0') /* keep one digit before the point */
		ib++;
	while (fe > fb && fe[-1] == '0')
		fe--;
	for (p = ib; p < ie; p++)
		if (*p != '0') {
			first = first ? first : p;
			last = p;
		}
	for (p = fb; p < fe; p++)
		if (*p != '0') {
			first = first ? first : p;
			last = p;
		}
	if (!first) { /* zero, whatever its sign */
		if (n < 2)
			return 0;
		out[0] = '0';
		out[1] = '\0';
		return 1;
	}
	/* significant digits from first to last, the point not counted */
	len = (size_t)(last - first) + 1 - (first < ie && last >= fb);
	if (len > 15 || ie - ib > 15 || (first >= fb && first - fb > 15))
		return 0;
	len = (size_t)neg + (size_t)(ie - ib) + (fe > fb ? 1 + (size_t)(fe - fb) : 0);
	if (len + 1 > n)
		return 0;
	if (neg)
		*o++ = '-';
	memcpy(o, ib, (size_t)(ie - ib));
	o += ie - ib;
	if (fe > fb) {
		*o++ = '.';
		memcpy(o, fb, (size_t)(fe - fb));
		o += fe - fb;
	}
	*o = '\0';
	return 1;
}

void xlsxin_number_text(const char *v, char *out, size_t n)
{
	char tmp[40], dig[16], *end, *o = out, *stop = out + n - 1;
	double d;
	int exp, nd, i, neg;

	if (plain_number_text(v, out, n))
		return;
	d = strtod(v, &end);
	while (*end == ' ')
		end++;
	if (end == v || *end || !isfinite(d) || strpbrk(v, "xXnNiI")) {
		snprintf(out, n, "%s", v);
		return;
	}
	snprintf(tmp, sizeof tmp, "%.14e", d); /* "-1.23456789012340e+03" */
	neg = tmp[0] == '-';
	dig[0] = tmp[neg];
	memcpy(dig + 1, tmp + neg + 2, 14);
	exp = atoi(strchr(tmp, 'e') + 1);
	for (nd = 15; nd > 1 && dig[nd - 1] == '0'; nd--)
		;
	if (nd == 1 && dig[0] == '0') {
		snprintf(out, n, "0");
		return;
	}
#define PUT(c)                                                                                     \
	do {                                                                                       \
		if (o < stop)                                                                      \
			*o++ = (c);                                                                \
	} while (0)
	if (neg)
		PUT('-');
	if (exp >= 0) {
		for (i = 0; i <= exp; i++)
			PUT(i < nd ? dig[i] : '0');
		if (nd > exp + 1)
			PUT('.');
		for (i = exp + 1; i < nd; i++)
			PUT(dig[i]);
	} else {
		PUT('0');
		PUT('.');
		for (i = 0; i < -exp - 1; i++)
			PUT('0');
		for (i = 0; i < nd; i++)
			PUT(dig[i]);
	}
#undef PUT
	*o = '\0';
}

int xlsxin_serial_date(double s, int date1904, char *out, size_t n)
{
	char buf[DATE_BUF];
	Date d;
	long day;
	int y, m, dd;

	if (!(s >= 0) || s >= 2958466 || n < DATE_BUF)
		return 0;
	day = (long)floor(s);
	if (date1904)
		d = date_from_ymd(1904, 1, 1) + (Date)day;
	else if (day == 60) { /* Excel's 29 February 1900, a day that never was */
		snprintf(out, n, "1900-02-29");
		return 1;
	} else if (day < 60)
		d = date_from_ymd(1899, 12, 31) + (Date)day;
	else
		d = date_from_ymd(1899, 12, 30) + (Date)day;
	date_to_ymd(d, &y, &m, &dd);
	if (y > 9999)
		return 0;
	date_format(d, buf);
	memcpy(out, buf, strlen(buf) + 1); /* n >= DATE_BUF */
	return 1;
}

/* ---- the worksheet ---- */

enum { CELL_NUMBER, CELL_SHARED, CELL_TEXT, CELL_BOOL, CELL_ERROR, CELL_ISODATE };

typedef struct Rows {
	Xml x;
	CsvRowFn fn;
	void *ctx;
	int in_data, in_v, in_is, in_t, in_rph, in_cell;
	size_t row, last_row, header_row; /* sheet row numbers, 1-based; 0: none */
	int col, next_col, type, date, has_value;
	char ref[16];		       /* the cell's reference as written, cut */
	Buf value;		       /* the cell's text */
	Buf cells;		       /* the row's cell texts, each NUL-terminated */
	size_t at[CSVIN_MAX_FIELDS];   /* where field i starts in cells; NO_FIELD: empty */
	char *field[CSVIN_MAX_FIELDS]; /* handed to the callback */
	int nfield;
} Rows;

/* "B7" -> column 1 (OUT: *col) and row 7 (OUT: *row, 0 if absent).
 * Columns past any sane width saturate rather than overflow. */
static void cell_ref(const char *ref, int *col, size_t *row)
{
	long c = 0;

	for (; isalpha((unsigned char)*ref); ref++)
		if (c < 1L << 24)
			c = c * 26 + (toupper((unsigned char)*ref) - 'A' + 1);
	*col = (int)c - 1;
	*row = 0;
	for (; isdigit((unsigned char)*ref); ref++)
		if (*row < (size_t)1 << 40)
			*row = *row * 10 + (size_t)(*ref - '0');
}

/* The spreadsheet letters of column col (0: "A"). */
static void col_letters(int col, char out[8])
{
	char tmp[8];
	int i = 0, j = 0;

	for (col++; col > 0 && i < 7; col = (col - 1) / 26)
		tmp[i++] = (char)('A' + (col - 1) % 26);
	while (i > 0)
		out[j++] = tmp[--i];
	out[j] = '\0';
}

static void rows_reset(Rows *r)
{
	int i;

	buf_reset(&r->cells);
	for (i = 0; i < r->nfield; i++)
		r->at[i] = NO_FIELD;
	r->nfield = 0;
	r->next_col = 0;
}

/* The row is complete: hand it on unless all its cells are empty. */
static void row_end(Rows *r)
{
	size_t empty, i, row;
	int k, any = 0;

	for (k = 0; k < r->nfield; k++)
		any |= r->at[k] != NO_FIELD && r->cells.data[r->at[k]];
	if (!any) {
		rows_reset(r);
		return;
	}
	empty = r->cells.len;
	if (buf_append(&r->cells, "", 1)) {
		xml_fail(&r->x, CL_ENOMEM, "out of memory reading the worksheet");
		return;
	}
	for (k = 0; k < r->nfield; k++) {
		i = r->at[k] == NO_FIELD ? empty : r->at[k];
		r->field[k] = r->cells.data + i;
	}
	if (!r->header_row)
		r->header_row = r->row;
	row = r->row - r->header_row;
	r->x.rc = r->fn(r->ctx, row, r->row, r->nfield, r->field, r->x.b->e);
	if (r->x.rc)
		XML_StopParser(r->x.p, XML_FALSE);
	rows_reset(r);
}

static void XMLCALL sheet_start(void *data, const char *name, const char **atts)
{
	Rows *r = data;
	const char *ln = local(name), *v;
	size_t row;
	int col;

	if (r->x.rc)
		return;
	if (strcmp(ln, "sheetData") == 0) {
		r->in_data = 1;
	} else if (!r->in_data) {
		return;
	} else if (strcmp(ln, "row") == 0) {
		v = attr(atts, "r");
		cell_ref(v ? v : "", &col, &row);
		r->row = row ? row : r->last_row + 1;
		if (r->row <= r->last_row) {
			xml_fail(&r->x, CL_EINPUT,
				 "the worksheet's rows are out of order at row %zu", r->row);
			return;
		}
		r->last_row = r->row;
		rows_reset(r);
	} else if (strcmp(ln, "c") == 0) {
		size_t k = 0;

		v = attr(atts, "r");
		for (; v && v[k] && k < sizeof r->ref - 1; k++) /* cut, as for messages */
			r->ref[k] = v[k];
		r->ref[k] = '\0';
		cell_ref(v ? v : "", &col, &row);
		r->col = v && col >= 0 ? col : r->next_col;
		v = attr(atts, "t");
		r->type = !v			? CELL_NUMBER
			  : strcmp(v, "s") == 0 ? CELL_SHARED
			  : strcmp(v, "b") == 0 ? CELL_BOOL
			  : strcmp(v, "e") == 0 ? CELL_ERROR
			  : strcmp(v, "d") == 0 ? CELL_ISODATE
			  : strcmp(v, "n") == 0 ? CELL_NUMBER
						: CELL_TEXT; /* str, inlineStr */
		v = attr(atts, "s");
		r->date = v && (size_t)atol(v) < r->x.b->nxf && r->x.b->xf_date[atol(v)];
		r->has_value = 0;
		r->in_cell = 1;
		buf_reset(&r->value);
	} else if (strcmp(ln, "v") == 0 && r->in_cell) {
		r->in_v = 1;
		r->has_value = 1;
	} else if (strcmp(ln, "is") == 0 && r->in_cell) {
		r->in_is = 1;
		r->has_value = 1;
	} else if (strcmp(ln, "rPh") == 0) {
		r->in_rph++;
	} else if (strcmp(ln, "t") == 0 && r->in_is) {
		r->in_t = 1;
	}
}

static void cell_too_long(Rows *r)
{
	xml_fail(&r->x, CL_EINPUT,
		 "line %zu: cell %s is longer than %zu bytes; is the file really a sales report?",
		 r->row, r->ref, r->x.b->field_cap);
}

/* The cell's text as CSV would hold it; NULL after a failure.  May point
 * into buf (XLSXIN_NUMBER_BUF bytes) or the shared strings. */
static const char *cell_text(Rows *r, char *buf)
{
	Book *b = r->x.b;
	const char *v = r->value.data ? r->value.data : "";
	char *end;
	unsigned long i;
	double d;

	switch (r->type) {
	case CELL_SHARED:
		i = strtoul(v, &end, 10);
		if (end == v || *end || i >= b->nsst) {
			xml_fail(
				&r->x, CL_EINPUT,
				"line %zu: cell %s names text %s, which the workbook does not have",
				r->row, r->ref, v);
			return NULL;
		}
		v = b->sst.data + b->sst_at[i];
		if (strlen(v) > b->field_cap) {
			cell_too_long(r);
			return NULL;
		}
		return v;
	case CELL_BOOL:
		return strcmp(v, "1") == 0 ? "TRUE" : "FALSE";
	case CELL_ISODATE:
		snprintf(buf, XLSXIN_NUMBER_BUF, "%.*s", (int)strcspn(v, "T"), v);
		return buf;
	case CELL_NUMBER:
		d = strtod(v, &end);
		if (r->date && *v && !*end && xlsxin_serial_date(d, b->date1904, buf, DATE_BUF))
			return buf;
		xlsxin_number_text(v, buf, XLSXIN_NUMBER_BUF);
		return buf;
	default:
		return v;
	}
}

static void cell_end(Rows *r)
{
	char num[XLSXIN_NUMBER_BUF], letters[sizeof r->ref];
	const char *text;

	r->in_cell = 0;
	if (!r->has_value)
		return;
	if (r->col >= CSVIN_MAX_FIELDS) {
		size_t k = strspn(r->ref, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

		if (k)
			snprintf(letters, sizeof letters, "%.*s", (int)k, r->ref);
		else
			col_letters(r->col < (1 << 24) ? r->col : 0, letters);
		xml_fail(&r->x, CL_EINPUT,
			 "line %zu: cell %s: column %s is beyond the %d columns a report may have",
			 r->row, r->ref, letters, CSVIN_MAX_FIELDS);
		return;
	}
	if (!(text = cell_text(r, num)))
		return;
	r->at[r->col] = r->cells.len;
	if (buf_append(&r->cells, text, strlen(text) + 1)) {
		xml_fail(&r->x, CL_ENOMEM, "out of memory reading the worksheet");
		return;
	}
	if (r->col >= r->nfield) {
		int k;

		for (k = r->nfield; k < r->col; k++)
			r->at[k] = NO_FIELD;
		r->nfield = r->col + 1;
	}
	r->next_col = r->col + 1;
}

static void XMLCALL sheet_end(void *data, const char *name)
{
	Rows *r = data;
	const char *ln = local(name);

	if (r->x.rc || !r->in_data)
		return;
	if (strcmp(ln, "v") == 0)
		r->in_v = 0;
	else if (strcmp(ln, "is") == 0)
		r->in_is = 0;
	else if (strcmp(ln, "t") == 0)
		r->in_t = 0;
	else if (strcmp(ln, "rPh") == 0)
		r->in_rph--;
	else if (strcmp(ln, "c") == 0)
		cell_end(r);
	else if (strcmp(ln, "row") == 0)
		row_end(r);
	else if (strcmp(ln, "sheetData") == 0) {
		r->in_data = 0;
		r->x.done = 1; /* the rest of the sheet holds no cells */
		XML_StopParser(r->x.p, XML_FALSE);
	}
}

static void XMLCALL sheet_text(void *data, const char *p, int n)
{
	Rows *r = data;

	if (!r->in_cell || !(r->in_v || (r->in_is && r->in_t && !r->in_rph)))
		return;
	if (buf_append(&r->value, p, (size_t)n))
		cell_too_long(r);
}

static ClCode read_sheet(Book *b, const char *part, CsvRowFn fn, void *ctx)
{
	Rows *r = calloc(1, sizeof *r);
	int found, k;
	ClCode rc;

	if (!r)
		return err_set(b->e, CL_ENOMEM, "out of memory reading the worksheet");
	rc = xml_start(&r->x, b, sheet_start, sheet_end, sheet_text);
	r->fn = fn;
	r->ctx = ctx;
	for (k = 0; k < CSVIN_MAX_FIELDS; k++)
		r->at[k] = NO_FIELD;
	buf_init(&r->value, b->field_cap);
	buf_init(&r->cells, (size_t)CSVIN_MAX_FIELDS * (b->field_cap + 1) + 1);
	if (!rc)
		rc = part_parse(&r->x, part, XLSXIN_SHEET_CAP, 1, &found);
	if (!rc && r->in_data) /* a sheet cut short inside its cells */
		rc = err_set(b->e, CL_EINPUT, "the workbook's %s ends inside its rows", part);
	XML_ParserFree(r->x.p);
	buf_free(&r->value);
	buf_free(&r->cells);
	free(r);
	return rc;
}

/* ---- the whole file ---- */

/* Hand every byte of f to opt->on_chunk, from the start. */
static ClCode hash_file(FILE *f, const XlsxOptions *opt, Err *e)
{
	char chunk[65536];
	size_t n, total = 0;

	if (!opt || (!opt->on_chunk && !opt->bytes_read))
		return CL_OK;
	if (fseeko(f, 0, SEEK_SET) != 0)
		return err_set(e, CL_EIO, "the workbook cannot be read from its start");
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		total += n;
		if (opt && opt->on_chunk)
			opt->on_chunk(opt->chunk_ctx, chunk, n);
		if (opt && opt->bytes_read)
			*opt->bytes_read = total;
	}
	if (ferror(f))
		return err_set(e, CL_EIO, "reading the file failed");
	return CL_OK;
}

static ClCode book_open(Book *b, FILE *f)
{
	zip_error_t ze;
	int fd, zerr = 0;

	if ((fd = dup(fileno(f))) < 0)
		return err_set(b->e, CL_EIO, "the workbook cannot be read");
	if (!(b->z = zip_fdopen(fd, ZIP_RDONLY | ZIP_CHECKCONS, &zerr))) {
		ClCode rc;

		close(fd);
		zip_error_init_with_code(&ze, zerr);
		rc = damaged(b->e, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return rc;
	}
	return CL_OK;
}

static void book_free(Book *b)
{
	int i;

	if (b->z)
		zip_discard(b->z);
	for (i = 0; i < b->nrels; i++) {
		free(b->rels[i].id);
		free(b->rels[i].target);
	}
	for (i = 0; i < b->nsheets; i++) {
		free(b->sheets[i].name);
		free(b->sheets[i].rid);
	}
	free(b->rels);
	free(b->sheets);
	free(b->sst_at);
	free(b->xf_date);
	buf_free(&b->sst);
}

ClCode xlsxin_read_file(FILE *f, const XlsxOptions *opt, CsvRowFn fn, void *ctx, Err *e)
{
	Book *b = calloc(1, sizeof *b);
	const char *part = NULL;
	ClCode rc;

	if (!b)
		return err_set(e, CL_ENOMEM, "out of memory reading the workbook");
	b->opt = opt;
	b->e = e;
	b->field_cap = opt && opt->field_cap ? opt->field_cap : CSVIN_FIELD_CAP;
	buf_init(&b->sst, XLSXIN_STRINGS_CAP);
	rc = hash_file(f, opt, e);
	if (!rc)
		rc = book_open(b, f);
	if (!rc)
		rc = small_part(b, "xl/_rels/workbook.xml.rels", 1, rels_start);
	if (!rc)
		rc = small_part(b, "xl/workbook.xml", 1, book_start);
	if (!rc)
		rc = sheet_part(b, &part, e);
	if (!rc)
		rc = read_styles(b);
	if (!rc)
		rc = read_strings(b);
	if (!rc)
		rc = read_sheet(b, part, fn, ctx);
	book_free(b);
	free(b);
	return rc;
}

ClCode xlsxin_read(const char *path, const XlsxOptions *opt, CsvRowFn fn, void *ctx, Err *e)
{
	FILE *f = fopen(path, "rb");
	ClCode rc;

	if (!f)
		return err_set(e, CL_EIO, "cannot read %s", path);
	rc = xlsxin_read_file(f, opt, fn, ctx, e);
	fclose(f);
	return rc;
}
