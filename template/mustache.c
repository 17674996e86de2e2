/*
 * mustache.c — Mustache templates over cJSON; see mustache.h.
 *
 * A template text is parsed into a flat array of tags (Tmpl).  Literal text
 * is never copied: it is the span between two tags, minus the blanks and
 * line end that a standalone tag owns.  Sections, parents and blocks know
 * the index of their end tag (Tag.match), so rendering walks the array and
 * recurses only where the template nests.
 *
 * Partials, parents and overriding blocks are expanded as text: their text
 * is re-indented into a fresh buffer ("prepended to each line ... before
 * rendering", as the spec puts it), parsed and rendered on its own.  That one
 * mechanism gives the indentation rules of partials and the block
 * reindentation of the inheritance module (mustache/spec#130, #131).
 *
 * Nothing here is global: all state lives in a Render on the caller's stack.
 */
#include "mustache.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define DEFAULT_MAX_OUTPUT ((size_t)16 << 20)
#define DEFAULT_MAX_DEPTH  64
#define DELIM_MAX	   16  /* longest delimiter {{=a b=}} may set, NUL included */
#define PARTIAL_NAME_MAX   256 /* longest partial name, NUL included */

/* The pair of tag delimiters in force. */
typedef struct Delims {
	char open[DELIM_MAX], close[DELIM_MAX];
	size_t nopen, nclose;
} Delims;

/* One tag of a template; every offset is into the template text. */
typedef struct Tag {
	char type;	    /* 'v' {{x}}, '&' {{&x}} {{{x}}}, '#' '^' '/' '>' '<' '$' '!' '=' */
	size_t start, end;  /* the tag with its delimiters: s[start, end) */
	size_t name, nname; /* its name, trimmed */
	size_t bol;	    /* where the blanks before it start (its line's start if clear_left) */
	size_t eol;	    /* just past its line end (if clear_right) */
	size_t match;	    /* opening tags: index of the end tag */
	size_t ind, nind;   /* '>' '<' '$': indentation for what is expanded here */
	size_t body, nbody; /* argument '$': the text that overrides */
	size_t intr, nintr; /* argument '$': its intrinsic indentation */
	Delims delims;	    /* delimiters in force after the tag */
	unsigned char clear_left, clear_right; /* only blanks to its line's start / end */
	unsigned char eat_left, eat_right;     /* it owns those blanks (and the line end) */
	unsigned char is_arg;		       /* '$' directly inside a '<' */
	unsigned char reemit;		       /* '$': eat_left only to use them as indentation */
	unsigned char body_bol;		       /* argument '$': its body starts a line */
} Tag;

/* Where a template text came from, for error messages. */
typedef struct Source {
	const char *kind; /* "template", "partial", "parent", "block" */
	const char *name; /* NULL for the template itself */
	size_t nname;
} Source;

/* A parsed template text.  Owns tags; s belongs to someone else. */
typedef struct Tmpl {
	const char *s;
	size_t n;
	int bol, eol; /* s starts at a line's start / ends at a line's end */
	Source src;
	Tag *tags;
	size_t ntags, cap;
} Tmpl;

/* The context stack, top first, on the C stack of the renderer. */
typedef struct Ctx {
	const cJSON *v;
	const struct Ctx *up;
} Ctx;

/* The parents being expanded, innermost first: their argument blocks
 * override the blocks of the templates they include. */
typedef struct Frame {
	const Tmpl *t;
	size_t open; /* index of the '<' tag in t */
	const struct Frame *up;
} Frame;

/* A text to render as a template of its own: the top template, a partial,
 * a parent or an overriding block. */
typedef struct Expansion {
	const char *s;
	size_t n;
	const char *strip; /* indentation removed from each line first */
	size_t nstrip;
	const char *add; /* then indentation prepended to each line */
	size_t nadd;
	const Delims *delims;
	int bol, eol;
	Source src;
} Expansion;

/* One call of mustache_render(). */
typedef struct Render {
	Buf out;
	MustachePartialFn partial;
	void *partial_ctx;
	size_t max_output;
	int max_depth;
	Err *e;
	int failed;
} Render;

static int render_span(Render *r, const Tmpl *t, size_t a, size_t b, const Ctx *c, const Frame *f,
		       int depth);

/* The 1-based line of offset pos in t. */
static size_t line_of(const Tmpl *t, size_t pos)
{
	size_t i, line = 1;

	for (i = 0; i < pos && i < t->n; i++)
		line += t->s[i] == '\n';
	return line;
}

/* Record the first error of the render in r->e, located in t at pos when
 * t is not NULL; later errors are its consequences.  Returns -1. */
__attribute__((format(printf, 4, 5))) static int fail(Render *r, const Tmpl *t, size_t pos,
						      const char *fmt, ...)
{
	char msg[256], where[160] = "";
	va_list ap;

	if (r->failed++ || !r->e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (t && t->src.name)
		snprintf(where, sizeof where, "%s '%.*s' line %zu: ", t->src.kind,
			 (int)(t->src.nname > 100 ? 100 : t->src.nname), t->src.name,
			 line_of(t, pos));
	else if (t)
		snprintf(where, sizeof where, "%s line %zu: ", t->src.kind, line_of(t, pos));
	err_set(r->e, strcmp(msg, "out of memory") == 0 ? CL_ENOMEM : CL_EINPUT, "%s%s", where,
		msg);
	return -1;
}

/* Blanks: what may surround a standalone tag on its line. */
static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Whitespace around a tag's name and between two new delimiters. */
static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Tags that open a section-like pair closed by {{/name}}. */
static int is_opener(char type)
{
	return type == '#' || type == '^' || type == '<' || type == '$';
}

/* Index of the first pat (np > 0 bytes) in s[from, n), or SIZE_MAX. */
static size_t find(const char *s, size_t n, size_t from, const char *pat, size_t np)
{
	const char *p;

	if (np == 0)
		return SIZE_MAX;
	while (from < n && n - from >= np) {
		p = memchr(s + from, pat[0], n - from - np + 1);
		if (!p)
			break;
		from = (size_t)(p - s);
		if (memcmp(p, pat, np) == 0)
			return from;
		from++;
	}
	return SIZE_MAX;
}

/* End of the run of blanks in s that starts at i and stops before n. */
static size_t skip_blanks(const char *s, size_t i, size_t n)
{
	while (i < n && is_blank(s[i]))
		i++;
	return i;
}

/* The delimiters every template starts with: {{ and }}. */
static void delims_default(Delims *d)
{
	memcpy(d->open, "{{", 3);
	memcpy(d->close, "}}", 3);
	d->nopen = d->nclose = 2;
}

/* Apply the delimiter change {{=open close=}} of tag g to d. */
static int set_delims(Render *r, const Tmpl *t, const Tag *g, Delims *d)
{
	const char *a = t->s + g->name, *e = a + g->nname, *b;
	size_t na, nb;

	b = a;
	while (b < e && !is_space(*b))
		b++;
	na = (size_t)(b - a);
	while (b < e && is_space(*b))
		b++;
	nb = (size_t)(e - b);
	if (na == 0 || nb == 0 || na >= DELIM_MAX || nb >= DELIM_MAX || memchr(a, '=', na) ||
	    memchr(b, '=', nb) || memchr(b, ' ', nb) || memchr(b, '\t', nb) || memchr(b, '\n', nb))
		return fail(r, t, g->start, "bad delimiter change");
	memcpy(d->open, a, na);
	d->open[na] = '\0';
	d->nopen = na;
	memcpy(d->close, b, nb);
	d->close[nb] = '\0';
	d->nclose = nb;
	return 0;
}

/* Read the tag whose open delimiter is at t->s[at] into g; a delimiter
 * change updates d. */
static int scan_tag(Render *r, const Tmpl *t, size_t at, Delims *d, Tag *g)
{
	static const char sigils[] = "{&#^/><$!=";
	char end[DELIM_MAX + 1];
	size_t p = at + d->nopen, stop, nend = 0, a;

	memset(g, 0, sizeof *g);
	g->start = at;
	g->type = 'v';
	if (p < t->n && memchr(sigils, t->s[p], sizeof sigils - 1))
		g->type = t->s[p++];
	if (g->type == '{' || g->type == '=')
		end[nend++] = g->type == '{' ? '}' : '=';
	memcpy(end + nend, d->close, d->nclose);
	nend += d->nclose;
	stop = find(t->s, t->n, p, end, nend);
	if (stop == SIZE_MAX)
		return fail(r, t, at, "unclosed tag");
	g->end = stop + nend;
	for (a = p; a < stop && is_space(t->s[a]); a++)
		;
	while (stop > a && is_space(t->s[stop - 1]))
		stop--;
	g->name = a;
	g->nname = stop - a;
	if (g->type == '{')
		g->type = '&';
	if (g->nname == 0 && g->type != '!')
		return fail(r, t, at, "empty tag");
	return g->type == '=' ? set_delims(r, t, g, d) : 0;
}

/* Append g to t->tags. */
static int tags_push(Render *r, Tmpl *t, const Tag *g)
{
	Tag *p;
	size_t cap;

	if (t->ntags == t->cap) {
		cap = t->cap ? t->cap * 2 : 16;
		if (cap > SIZE_MAX / sizeof *p)
			return fail(r, NULL, 0, "out of memory");
		p = realloc(t->tags, cap * sizeof *p);
		if (!p)
			return fail(r, NULL, 0, "out of memory");
		t->tags = p;
		t->cap = cap;
	}
	t->tags[t->ntags++] = *g;
	return 0;
}

/* Find every tag of t, starting with delimiters d. */
static int tmpl_scan(Render *r, Tmpl *t, const Delims *d0)
{
	Delims d = *d0;
	size_t pos = 0, at;
	Tag g;

	while ((at = find(t->s, t->n, pos, d.open, d.nopen)) != SIZE_MAX) {
		if (scan_tag(r, t, at, &d, &g))
			return -1;
		g.delims = d;
		if (tags_push(r, t, &g))
			return -1;
		pos = g.end;
	}
	return 0;
}

/* Whether tags a and b carry the same name. */
static int same_name(const Tmpl *t, const Tag *a, const Tag *b)
{
	return a->nname == b->nname && memcmp(t->s + a->name, t->s + b->name, a->nname) == 0;
}

/* Pair every opening tag with its end tag (Tag.match) and mark the blocks
 * that are arguments of a parent. */
static int tmpl_match(Render *r, Tmpl *t)
{
	size_t *open = NULL, depth = 0, k;
	Tag *g, *o;
	int rc = -1;

	if (t->ntags && !(open = malloc(t->ntags * sizeof *open)))
		return fail(r, NULL, 0, "out of memory");
	for (k = 0; k < t->ntags; k++) {
		g = &t->tags[k];
		if (is_opener(g->type)) {
			g->is_arg = g->type == '$' && depth && t->tags[open[depth - 1]].type == '<';
			open[depth++] = k;
		} else if (g->type == '/') {
			if (!depth) {
				fail(r, t, g->start, "'/%.*s' closes no section", (int)g->nname,
				     t->s + g->name);
				goto out;
			}
			o = &t->tags[open[--depth]];
			if (!same_name(t, o, g)) {
				fail(r, t, g->start, "section '%.*s' ended by '/%.*s'",
				     (int)o->nname, t->s + o->name, (int)g->nname, t->s + g->name);
				goto out;
			}
			o->match = k;
			g->match = open[depth];
		}
	}
	if (depth) {
		o = &t->tags[open[depth - 1]];
		fail(r, t, o->start, "unclosed section '%.*s'", (int)o->nname, t->s + o->name);
		goto out;
	}
	rc = 0;
out:
	free(open);
	return rc;
}

/* Whether only blanks separate g from the start and the end of its line,
 * and where those blanks begin (g->bol) and the line ends (g->eol). */
static void tag_clearance(const Tmpl *t, Tag *g)
{
	const char *s = t->s;
	size_t i = g->start, j;

	while (i > 0 && is_blank(s[i - 1]))
		i--;
	g->bol = i;
	g->clear_left = i > 0 ? s[i - 1] == '\n' : t->bol;
	j = skip_blanks(s, g->end, t->n);
	if (j + 1 < t->n && s[j] == '\r' && s[j + 1] == '\n')
		j++;
	if (j < t->n && s[j] == '\n') {
		g->clear_right = 1;
		g->eol = j + 1;
	} else if (j == t->n) {
		g->clear_right = (unsigned char)t->eol;
		g->eol = j;
	}
}

/* A non-interpolation tag alone on its line owns the line: its blanks and
 * line end are not output.  A standalone partial is indented by them. */
static void standalone_tag(Tag *g)
{
	if (g->type == 'v' || g->type == '&' || !g->clear_left || !g->clear_right)
		return;
	g->eat_left = g->eat_right = 1;
	if (g->type == '>') {
		g->ind = g->bol;
		g->nind = g->start - g->bol;
	}
}

/* A parent pair is standalone when only blanks precede its opening tag and
 * follow its end tag: it owns them and the end tag's line end, and the
 * blanks before it indent the parent template. */
static void standalone_parent(Tmpl *t, Tag *g)
{
	Tag *end = &t->tags[g->match];

	if (!g->clear_left || !end->clear_right)
		return;
	g->eat_left = end->eat_right = 1;
	g->ind = g->bol;
	g->nind = g->start - g->bol;
}

/* A block outside a parent (a parameter) that is a standalone pair takes
 * the blanks before it as the indentation of an override, unless its
 * opening tag ends a line and the next line is indented: that intrinsic
 * indentation wins.  Its end tag keeps its line end unless it stands alone
 * (spec "Standalone block"). */
static void standalone_block(Tmpl *t, Tag *g)
{
	const Tag *end = &t->tags[g->match];
	size_t i;

	if (!g->clear_left || !end->clear_right)
		return;
	g->reemit = !g->eat_left;
	g->eat_left = 1;
	g->ind = g->bol;
	g->nind = g->start - g->bol;
	if (!g->clear_right)
		return;
	i = skip_blanks(t->s, g->eol, t->n);
	if (i > g->eol) {
		g->ind = g->eol;
		g->nind = i - g->eol;
	}
}

/* An argument block's body: its opening tag owns the rest of its line when
 * only blanks follow, and the next line's blanks are then its intrinsic
 * indentation, removed from every line; its end tag owns the blanks before
 * it when only blanks precede it on its line.  The end tag never owns a
 * line end (mustache/spec#131). */
static void block_argument(Tmpl *t, Tag *g)
{
	const Tag *end = &t->tags[g->match];
	size_t bs = g->clear_right ? g->eol : g->end;
	size_t be = end->clear_left ? end->bol : end->start;

	if (be < bs)
		be = bs;
	g->body = g->intr = bs;
	g->nbody = be - bs;
	g->nintr = g->clear_right ? skip_blanks(t->s, bs, be) - bs : 0;
	g->body_bol = (unsigned char)(bs == 0 ? t->bol : t->s[bs - 1] == '\n');
}

/* Decide which blanks and line ends the tags own and the indentation of
 * what partials, parents and blocks expand to. */
static void tmpl_standalone(Tmpl *t)
{
	size_t k;
	Tag *g;

	for (k = 0; k < t->ntags; k++) {
		tag_clearance(t, &t->tags[k]);
		standalone_tag(&t->tags[k]);
	}
	for (k = 0; k < t->ntags; k++) {
		g = &t->tags[k];
		if (g->type == '<')
			standalone_parent(t, g);
		else if (g->type == '$' && g->is_arg)
			block_argument(t, g);
		else if (g->type == '$')
			standalone_block(t, g);
	}
}

/* Parse t->s, starting with delimiters d. */
static int tmpl_parse(Render *r, Tmpl *t, const Delims *d)
{
	if (tmpl_scan(r, t, d) || tmpl_match(r, t))
		return -1;
	tmpl_standalone(t);
	return 0;
}

/* Append p[0, n) to the output, refusing to pass max_output. */
static int emit(Render *r, const char *p, size_t n)
{
	if (n > r->max_output - r->out.len)
		return fail(r, NULL, 0, "output over %zu bytes", r->max_output);
	if (buf_append(&r->out, p, n))
		return fail(r, NULL, 0, "out of memory");
	return 0;
}

/* Append p[0, n) with & < > " escaped for HTML (the spec's four), and '
 * too, so that data cannot close a single-quoted attribute either. */
static int emit_escaped(Render *r, const char *p, size_t n)
{
	size_t i, from = 0;
	const char *rep;

	for (i = 0; i < n; i++) {
		switch (p[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		if (emit(r, p + from, i - from) || emit(r, rep, strlen(rep)))
			return -1;
		from = i + 1;
	}
	return emit(r, p + from, n - from);
}

/* Print d into buf (n >= 32 bytes): integers without a decimal point,
 * others in the shortest form that reads back as the same double. */
static void format_number(double d, char *buf, size_t n)
{
	int prec;

	if (isnan(d) || isinf(d)) {
		snprintf(buf, n, "%s", isnan(d) ? "NaN" : d < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (d == 0) {
		snprintf(buf, n, "0"); /* -0 too */
		return;
	}
	if (d == floor(d) && fabs(d) < 1e21) {
		snprintf(buf, n, "%.0f", d);
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

/* Interpolate v: strings as they are, numbers, true and false; null,
 * missing values, objects and arrays give nothing. */
static int emit_value(Render *r, const cJSON *v, int escape)
{
	char num[32];
	const char *p = NULL;

	if (cJSON_IsString(v))
		p = v->valuestring;
	else if (cJSON_IsNumber(v)) {
		format_number(v->valuedouble, num, sizeof num);
		p = num;
	} else if (cJSON_IsTrue(v))
		p = "true";
	else if (cJSON_IsFalse(v))
		p = "false";
	if (!p)
		return 0;
	return escape ? emit_escaped(r, p, strlen(p)) : emit(r, p, strlen(p));
}

/* The member of object o whose key is k[0, n), or NULL. */
static const cJSON *member(const cJSON *o, const char *k, size_t n)
{
	const cJSON *c;

	if (!cJSON_IsObject(o))
		return NULL;
	for (c = o->child; c; c = c->next) {
		if (c->string && strlen(c->string) == n && memcmp(c->string, k, n) == 0)
			return c;
	}
	return NULL;
}

/* Resolve name[0, n) on the context stack c: "." is the top; otherwise the
 * first dotted part is looked up from the top down and each further part
 * only inside what the previous one found.  NULL when missing. */
static const cJSON *lookup(const Ctx *c, const char *name, size_t n)
{
	const char *end = name + n, *dot;
	const cJSON *v = NULL;

	if (n == 1 && name[0] == '.')
		return c->v;
	dot = memchr(name, '.', n);
	if (!dot)
		dot = end;
	for (; c && !v; c = c->up)
		v = member(c->v, name, (size_t)(dot - name));
	while (v && dot < end) {
		name = dot + 1;
		dot = memchr(name, '.', (size_t)(end - name));
		if (!dot)
			dot = end;
		v = member(v, name, (size_t)(dot - name));
	}
	return v;
}

/* Falsey: missing, null, false and the empty array. */
static int truthy(const cJSON *v)
{
	if (!v || cJSON_IsInvalid(v) || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return 0;
	return cJSON_IsArray(v) ? v->child != NULL : 1;
}

/* Output the literal text before tag k of t (after the last one when k is
 * t->ntags), less what the tags around it own. */
static int emit_text(Render *r, const Tmpl *t, size_t k)
{
	size_t from = 0, to = t->n;
	const Tag *g;

	if (k > 0) {
		g = &t->tags[k - 1];
		from = g->eat_right ? g->eol : g->end;
	}
	if (k < t->ntags) {
		g = &t->tags[k];
		to = g->eat_left ? g->bol : g->start;
	}
	return to > from ? emit(r, t->s + from, to - from) : 0;
}

/* Copy x's text into b, removing x->strip from the start of each line that
 * begins with it, then prepending x->add to each line that is not empty at
 * the very end. */
static int reindent(Render *r, Buf *b, const Expansion *x)
{
	size_t i = 0, j;
	const char *nl;

	while (i < x->n) {
		if (x->nstrip && x->n - i >= x->nstrip &&
		    memcmp(x->s + i, x->strip, x->nstrip) == 0)
			i += x->nstrip;
		if (i == x->n)
			break;
		nl = memchr(x->s + i, '\n', x->n - i);
		j = nl ? (size_t)(nl - x->s) + 1 : x->n;
		if (buf_append(b, x->add, x->nadd) || buf_append(b, x->s + i, j - i))
			return fail(r, NULL, 0, "%s '%.*s': out of memory", x->src.kind,
				    (int)x->src.nname, x->src.name);
		i = j;
	}
	return 0;
}

/* The most bytes reindent() may write for x: its text plus one
 * indentation per line. */
static size_t reindent_limit(const Expansion *x)
{
	size_t lines = 1, i;

	for (i = 0; i < x->n; i++)
		lines += x->s[i] == '\n';
	if (x->nadd && lines > (SIZE_MAX - x->n) / x->nadd)
		return SIZE_MAX;
	return x->n + lines * x->nadd;
}

/* Render x as a template of its own, re-indented first if it asks to be. */
static int expand(Render *r, const Expansion *x, const Ctx *c, const Frame *f, int depth)
{
	Tmpl t = {x->s, x->n, x->bol, x->eol, x->src, NULL, 0, 0};
	Buf b;
	int rc = -1;

	buf_init(&b, 0);
	if (depth > r->max_depth) {
		fail(r, &t, 0, "nesting deeper than %d (a partial that includes itself?)",
		     r->max_depth);
		goto out;
	}
	if (x->nstrip || x->nadd) {
		buf_init(&b, reindent_limit(x));
		if (reindent(r, &b, x))
			goto out;
		t.s = b.data ? b.data : "";
		t.n = b.len;
	}
	if (tmpl_parse(r, &t, x->delims))
		goto out;
	rc = render_span(r, &t, 0, t.ntags, c, f, depth);
out:
	free(t.tags);
	buf_free(&b);
	return rc;
}

/* The text of the partial or parent named by tag g.  OUT: *text (NULL
 * when there is none) and *n. */
static int fetch(Render *r, const Tmpl *t, const Tag *g, const char **text, size_t *n)
{
	char name[PARTIAL_NAME_MAX];

	*text = NULL;
	*n = 0;
	if (g->nname >= sizeof name)
		return fail(r, t, g->start, "partial name too long");
	if (!r->partial)
		return 0;
	memcpy(name, t->s + g->name, g->nname);
	name[g->nname] = '\0';
	*text = r->partial(r->partial_ctx, name, n);
	if (!*text)
		*n = 0;
	return 0;
}

/* Describe the partial or parent of tag g at its site: default
 * delimiters, indented by the tag's indentation. */
static void expansion_of(Expansion *x, const Tmpl *t, const Tag *g, const Delims *d)
{
	memset(x, 0, sizeof *x);
	x->add = t->s + g->ind;
	x->nadd = g->nind;
	x->delims = d;
	x->bol = x->eol = 1;
	x->src.kind = g->type == '<' ? "parent" : "partial";
	x->src.name = t->s + g->name;
	x->src.nname = g->nname;
}

/* {{>name}} and {{<name}}...{{/name}}: the named template rendered here
 * with the current context; a parent's argument blocks override. */
static int render_include(Render *r, const Tmpl *t, size_t k, const Ctx *c, const Frame *f,
			  int depth)
{
	const Tag *g = &t->tags[k];
	Frame parent = {t, k, f};
	Expansion x;
	Delims d;

	delims_default(&d);
	expansion_of(&x, t, g, &d);
	if (fetch(r, t, g, &x.s, &x.n))
		return -1;
	if (!x.s)
		return 0;
	return expand(r, &x, c, g->type == '<' ? &parent : f, depth + 1);
}

/* The argument block called name[0, n) directly inside the parent of
 * frame f, or NULL. */
static const Tag *frame_argument(const Frame *f, const char *name, size_t n)
{
	const Tmpl *t = f->t;
	size_t k, end = t->tags[f->open].match;
	const Tag *g;

	for (k = f->open + 1; k < end; k++) {
		g = &t->tags[k];
		if (g->type == '$' && g->nname == n && memcmp(t->s + g->name, name, n) == 0)
			return g;
		if (is_opener(g->type))
			k = g->match;
	}
	return NULL;
}

/* The outermost argument block called name[0, n) among the parents being
 * expanded: the top-level override wins.  OUT: *tp, the template that
 * holds it.  NULL when there is none. */
static const Tag *find_override(const Frame *f, const char *name, size_t n, const Tmpl **tp)
{
	const Tag *a, *found = NULL;

	for (; f; f = f->up) {
		a = frame_argument(f, name, n);
		if (a) {
			found = a;
			*tp = f->t;
		}
	}
	return found;
}

/* {{$name}}...{{/name}} outside a parent: the override in force, re-indented
 * from its own indentation to this site's, or else the default content. */
static int render_block(Render *r, const Tmpl *t, size_t k, const Ctx *c, const Frame *f, int depth)
{
	const Tag *g = &t->tags[k], *a;
	const Tmpl *at = NULL;
	Expansion x;

	a = find_override(f, t->s + g->name, g->nname, &at);
	if (!a || !at) {
		if (g->reemit && emit(r, t->s + g->bol, g->start - g->bol))
			return -1;
		return render_span(r, t, k + 1, g->match, c, f, depth + 1);
	}
	memset(&x, 0, sizeof x);
	x.s = at->s + a->body;
	x.n = a->nbody;
	x.strip = at->s + a->intr;
	x.nstrip = a->nintr;
	x.add = t->s + g->ind;
	x.nadd = g->nind;
	x.delims = &a->delims;
	x.bol = a->body_bol;
	x.src.kind = "block";
	x.src.name = t->s + g->name;
	x.src.nname = g->nname;
	return expand(r, &x, c, f, depth + 1);
}

/* {{#name}} renders its content once per element of an array or once with
 * any other truthy value pushed; {{^name}} once if the value is falsey. */
static int render_section(Render *r, const Tmpl *t, size_t k, const Ctx *c, const Frame *f,
			  int depth)
{
	const Tag *g = &t->tags[k];
	const cJSON *v = lookup(c, t->s + g->name, g->nname), *e;
	Ctx top = {v, c};

	if (g->type == '^')
		return truthy(v) ? 0 : render_span(r, t, k + 1, g->match, c, f, depth + 1);
	if (!truthy(v))
		return 0;
	if (!cJSON_IsArray(v))
		return render_span(r, t, k + 1, g->match, &top, f, depth + 1);
	cJSON_ArrayForEach(e, v)
	{
		top.v = e;
		if (render_span(r, t, k + 1, g->match, &top, f, depth + 1))
			return -1;
	}
	return 0;
}

/* Render tag k of t. */
static int render_tag(Render *r, const Tmpl *t, size_t k, const Ctx *c, const Frame *f, int depth)
{
	const Tag *g = &t->tags[k];

	switch (g->type) {
	case 'v':
	case '&':
		return emit_value(r, lookup(c, t->s + g->name, g->nname), g->type == 'v');
	case '#':
	case '^':
		return render_section(r, t, k, c, f, depth);
	case '>':
	case '<':
		return render_include(r, t, k, c, f, depth);
	case '$':
		return render_block(r, t, k, c, f, depth);
	default: /* comments and delimiter changes */
		return 0;
	}
}

/* Render tags a..b-1 of t and the text around them; b is an end tag or
 * t->ntags.  An opening tag takes everything up to its end tag with it. */
static int render_span(Render *r, const Tmpl *t, size_t a, size_t b, const Ctx *c, const Frame *f,
		       int depth)
{
	size_t k;

	if (depth > r->max_depth)
		return fail(r, t, a < t->ntags ? t->tags[a].start : 0, "nesting deeper than %d",
			    r->max_depth);
	for (k = a; k < b; k = is_opener(t->tags[k].type) ? t->tags[k].match + 1 : k + 1) {
		if (emit_text(r, t, k) || render_tag(r, t, k, c, f, depth))
			return -1;
	}
	return emit_text(r, t, b);
}

char *mustache_render(const char *tmpl, size_t len, const cJSON *data, const MustacheOptions *opt,
		      Err *e)
{
	Render r;
	Ctx root = {data, NULL};
	Expansion x;
	Delims d;
	char *res = NULL;

	memset(&r, 0, sizeof r);
	r.e = e;
	r.max_output = opt && opt->max_output ? opt->max_output : DEFAULT_MAX_OUTPUT;
	r.max_depth = opt && opt->max_depth > 0 ? opt->max_depth : DEFAULT_MAX_DEPTH;
	r.partial = opt ? opt->partial : NULL;
	r.partial_ctx = opt ? opt->partial_ctx : NULL;
	buf_init(&r.out, r.max_output);
	if (!tmpl && len) {
		fail(&r, NULL, 0, "no template");
		goto out;
	}
	delims_default(&d);
	memset(&x, 0, sizeof x);
	x.s = tmpl ? tmpl : "";
	x.n = len;
	x.delims = &d;
	x.bol = x.eol = 1;
	x.src.kind = "template";
	if (expand(&r, &x, &root, NULL, 0))
		goto out;
	res = buf_steal(&r.out);
	if (!res)
		fail(&r, NULL, 0, "out of memory");
out:
	buf_free(&r.out);
	return res;
}
