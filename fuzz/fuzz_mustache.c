/*
 * fuzz_mustache.c — the Mustache renderer (template/mustache.h).
 *
 * The input is  template \0 data \0 partials : the data a JSON value, the
 * partials a JSON object of name -> template text (either may be missing).
 *
 * Properties of rendering the fuzzed template:
 *   - it returns text and leaves the Err alone, or returns NULL with
 *     CL_EINPUT or CL_ENOMEM and a message;
 *   - the text respects max_output;
 *   - a template without "{{" renders as itself.
 * Escaping, for every string x of the input (the template text itself and
 * each string at the top of the data or the partials), through a set of
 * fixed templates "<...>" that interpolate x in different ways:
 *   - {{x}} never lets a '<', '>', '"' or '\'' of x through, escapes every
 *     '&', and the escaped text decodes back to x;
 *   - {{{x}}} and {{&x}} give x as it is.
 *
 * Rendering costs at most (array length) ^ (nesting depth): the data's
 * arrays are kept short, the depth to 8 when some array has more than one
 * element, and partials to a budget per render, so that no input runs for
 * long by construction alone.
 */
#include "fuzz.h"

#include <cjson/cJSON.h>

#include "mustache.h"

#define MAX_OUTPUT	   ((size_t)1 << 20)
#define MAX_ARRAY	   4
#define PARTIAL_BUDGET	   2000
#define MAX_ESCAPE_STRINGS 8

typedef struct Partials {
	const cJSON *obj;
	int calls;
	const char *fixed; /* check_escaping's partial "p", or NULL */
} Partials;

static const char *partial(void *ctx, const char *name, size_t *len)
{
	Partials *p = ctx;
	const cJSON *v;

	if (p->fixed) {
		*len = strlen(p->fixed);
		return strcmp(name, "p") == 0 ? p->fixed : NULL;
	}
	if (++p->calls > PARTIAL_BUDGET)
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(p->obj, name);
	if (!cJSON_IsString(v))
		return NULL;
	*len = strlen(v->valuestring);
	return v->valuestring;
}

/* The longest array in v, or -1 when one is too long to render. */
static int widest_array(const cJSON *v)
{
	const cJSON *c;
	int n = 0, w = 0, k;

	for (c = v ? v->child : NULL; c; c = c->next) {
		n++;
		k = widest_array(c);
		if (k < 0)
			return -1;
		if (k > w)
			w = k;
	}
	if (cJSON_IsArray(v)) {
		if (n > MAX_ARRAY)
			return -1;
		if (n > w)
			w = n;
	}
	return w;
}

/* 1 if s[0, n) holds "{{". */
static int has_tag(const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == '{' && s[i + 1] == '{')
			return 1;
	return 0;
}

/* Decode the HTML escapes of s[0, n) into out; 0 when s holds a raw '&'
 * that starts none of them. */
static int unescape(const char *s, size_t n, char *out)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = {{"&amp;", '&'},  {"&lt;", '<'},   {"&gt;", '>'},	{"&quot;", '"'},
		    {"&#34;", '"'},  {"&#39;", '\''}, {"&#x27;", '\''}, {"&apos;", '\''},
		    {"&#x22;", '"'}, {"&#60;", '<'},  {"&#62;", '>'},	{"&#38;", '&'}};
	size_t i = 0, k, m;

	while (i < n) {
		if (s[i] != '&') {
			*out++ = s[i++];
			continue;
		}
		for (k = 0; k < sizeof ents / sizeof *ents; k++) {
			m = strlen(ents[k].ent);
			if (n - i >= m && memcmp(s + i, ents[k].ent, m) == 0)
				break;
		}
		if (k == sizeof ents / sizeof *ents)
			return 0;
		*out++ = ents[k].c;
		i += m;
	}
	*out = '\0';
	return 1;
}

/* x through each fixed template: each renders "<", x and ">". */
static void check_escaping(const char *x)
{
	static const struct {
		const char *tmpl;
		const char *partial; /* the text of partial "p" */
		int escaped;
	} wraps[] = {
		{"<{{x}}>", NULL, 1},
		{"<{{ x }}>", NULL, 1},
		{"<{{#l}}{{.}}{{/l}}>", NULL, 1},
		{"<{{o.x}}>", NULL, 1},
		{"<{{#o}}{{x}}{{/o}}>", NULL, 1},
		{"<{{^n}}{{x}}{{/n}}>", NULL, 1},
		{"{{=[ ]=}}<[x]>", NULL, 1},
		{"<{{>p}}>", "{{x}}", 1},
		{"{{<p}}{{/p}}", "<{{x}}>", 1},
		{"<{{{x}}}>", NULL, 0},
		{"<{{&x}}>", NULL, 0},
	};
	Partials parts = {NULL, 0, NULL};
	MustacheOptions opt = {partial, &parts, 0, 0};
	cJSON *data = cJSON_CreateObject(), *l = cJSON_AddArrayToObject(data, "l");
	size_t i, nx = strlen(x), n;
	char *out, *back;
	Err e = {0};

	cJSON_AddStringToObject(data, "x", x);
	cJSON_AddItemToArray(l, cJSON_CreateString(x));
	cJSON_AddStringToObject(cJSON_AddObjectToObject(data, "o"), "x", x);
	for (i = 0; i < sizeof wraps / sizeof *wraps; i++) {
		const char *t = wraps[i].tmpl;

		parts.fixed = wraps[i].partial ? wraps[i].partial : "";
		out = mustache_render(t, strlen(t), data, &opt, &e);
		FUZZ_CHECK(out, "%s with x = \"%s\": %s", t, x, e.msg);
		n = strlen(out);
		FUZZ_CHECK(n >= 2 && out[0] == '<' && out[n - 1] == '>',
			   "%s with x = \"%s\" gives \"%s\"", t, x, out);
		if (!wraps[i].escaped) {
			FUZZ_CHECK(n - 2 == nx && memcmp(out + 1, x, nx) == 0,
				   "%s changes x = \"%s\" into \"%s\"", t, x, out);
			free(out);
			continue;
		}
		FUZZ_CHECK(!memchr(out + 1, '<', n - 2) && !memchr(out + 1, '>', n - 2) &&
				   !memchr(out + 1, '"', n - 2) && !memchr(out + 1, '\'', n - 2),
			   "%s lets a character of x = \"%s\" through unescaped: \"%s\"", t, x,
			   out);
		back = malloc(n);
		if (!back)
			abort();
		FUZZ_CHECK(unescape(out + 1, n - 2, back) && strcmp(back, x) == 0,
			   "%s escapes x = \"%s\" as \"%s\", which does not decode back", t, x,
			   out);
		free(back);
		free(out);
	}
	cJSON_Delete(data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *tmpl, *json, *rest;
	size_t ntmpl, njson;
	cJSON *value = NULL, *parts = NULL;
	const cJSON *c;
	Partials p = {NULL, 0, NULL};
	MustacheOptions opt = {partial, &p, MAX_OUTPUT, 0};
	char *out, *x;
	Err e = {0};
	int wide, nx = 0;

	rest = fuzz_split(data, size, 0, &tmpl, &ntmpl);
	if (rest) {
		rest = fuzz_split(rest, size - (size_t)(rest - data), 0, &json, &njson);
		value = cJSON_ParseWithLength((const char *)json, njson);
		if (rest)
			parts = cJSON_ParseWithLength((const char *)rest,
						      size - (size_t)(rest - data));
	}
	p.obj = parts;
	wide = widest_array(value);
	if (wide < 0)
		goto out;
	opt.max_depth = wide > 1 ? 8 : 0;

	out = mustache_render((const char *)tmpl, ntmpl, value, &opt, &e);
	if (out) {
		FUZZ_CHECK(e.code == CL_OK && !e.msg[0], "rendered, yet with the error \"%s\"",
			   e.msg);
		FUZZ_CHECK(strlen(out) <= MAX_OUTPUT, "%zu bytes of output", strlen(out));
		if (!memchr(tmpl, '\0', ntmpl) && !has_tag(tmpl, ntmpl))
			FUZZ_CHECK(strlen(out) == ntmpl && memcmp(out, tmpl, ntmpl) == 0,
				   "a template without tags renders as \"%s\"", out);
		free(out);
	} else {
		FUZZ_CHECK((e.code == CL_EINPUT || e.code == CL_ENOMEM) && e.msg[0],
			   "no output, and code %d \"%s\"", (int)e.code, e.msg);
	}

	/* escaping of every string the input holds */
	x = fuzz_strndup(tmpl, ntmpl);
	check_escaping(x);
	free(x);
	for (c = value ? value->child : NULL; c && nx < MAX_ESCAPE_STRINGS; c = c->next)
		if (cJSON_IsString(c) && ++nx)
			check_escaping(c->valuestring);
	for (c = parts ? parts->child : NULL; c && nx < MAX_ESCAPE_STRINGS; c = c->next)
		if (cJSON_IsString(c) && ++nx)
			check_escaping(c->valuestring);
	if (cJSON_IsString(value))
		check_escaping(value->valuestring);
out:
	cJSON_Delete(value);
	cJSON_Delete(parts);
	return 0;
}
