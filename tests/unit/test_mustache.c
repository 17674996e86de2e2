/*
 * test_mustache.c — web/mustache.c against the official Mustache spec, plus
 * the project's own cases (escaping, errors, limits, page layouts).
 *
 * Tests as data: every *.json file of tests/data/mustache-spec/ (or of
 * $MUSTACHE_SPEC_DIR) is one cmocka test that runs all of its cases and
 * lists each failing one with what was expected and what came out.  The
 * files are copied from the spec repository (version 9cb20c3, 2025-01-18;
 * see LICENSE there); ~lambdas and ~dynamic-names are not supported and not
 * copied.  The closing line "mustache spec: N/N cases passed" sums them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include <cjson/cJSON.h>

#include "mustache.h"

#define N_ELEMS(a)	 (sizeof(a) / sizeof((a)[0]))
#define SPEC_DIR_DEFAULT "tests/data/mustache-spec"
#define MAX_SPEC_FILES	 64

/* One spec file and how its cases fared. */
typedef struct SpecFile {
	char path[1024];
	char name[256];
	int run, passed;
} SpecFile;

/* The whole content of path, NUL-terminated, or NULL.  Caller frees. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	data = malloc((size_t)n + 1);
	if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
		free(data);
		data = NULL;
	}
	if (data)
		data[n] = '\0';
out:
	fclose(f);
	return data;
}

/* s with control characters written as C escapes, for failure reports.
 * Caller frees. */
static char *quoted(const char *s)
{
	size_t n = strlen(s), i;
	char *q = malloc(4 * n + 3), *p = q;

	if (!q)
		return NULL;
	*p++ = '"';
	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			p += sprintf(p, "\\n");
		else if (s[i] == '\r')
			p += sprintf(p, "\\r");
		else if (s[i] == '\t')
			p += sprintf(p, "\\t");
		else
			*p++ = s[i];
	}
	*p++ = '"';
	*p = '\0';
	return q;
}

/* MustachePartialFn over the "partials" object of a spec case. */
static const char *partial_from_json(void *ctx, const char *name, size_t *len)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive((const cJSON *)ctx, name);

	if (!cJSON_IsString(p))
		return NULL;
	*len = strlen(p->valuestring);
	return p->valuestring;
}

/* Print why case `name` of file failed. */
static void report_failure(const char *file, const char *name, const char *want, const char *got,
			   const char *err)
{
	char *w = quoted(want), *g = got ? quoted(got) : NULL;

	print_error("  %s: \"%s\"\n    expected: %s\n    got:      %s%s\n", file, name, w ? w : "?",
		    g ? g : "NULL, error: ", g ? "" : err);
	free(w);
	free(g);
}

/* Run one spec case (data, template, partials -> expected).  Returns 1 if
 * it passes. */
static int run_case(const char *file, const cJSON *tc)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(tc, "name");
	const cJSON *tmpl = cJSON_GetObjectItemCaseSensitive(tc, "template");
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(tc, "expected");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(tc, "data");
	const cJSON *partials = cJSON_GetObjectItemCaseSensitive(tc, "partials");
	MustacheOptions opt = {partial_from_json, (void *)partials, 0, 0};
	const char *label = cJSON_IsString(name) ? name->valuestring : "?";
	Err e = {0};
	char *got;
	int ok;

	if (!cJSON_IsString(tmpl) || !cJSON_IsString(want)) {
		print_error("  %s: \"%s\": malformed case\n", file, label);
		return 0;
	}
	got = mustache_render(tmpl->valuestring, strlen(tmpl->valuestring), data, &opt, &e);
	ok = got && strcmp(got, want->valuestring) == 0;
	if (!ok)
		report_failure(file, label, want->valuestring, got, e.msg);
	free(got);
	return ok;
}

/* One spec file: every case must pass. */
static void test_spec_file(void **state)
{
	SpecFile *sf = *state;
	char *text = slurp(sf->path);
	cJSON *doc = text ? cJSON_Parse(text) : NULL;
	const cJSON *tc;

	free(text);
	if (!doc)
		fail_msg("%s: cannot read or parse", sf->path);
	cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(doc, "tests"))
	{
		sf->run++;
		sf->passed += run_case(sf->name, tc);
	}
	cJSON_Delete(doc);
	if (sf->run == 0)
		fail_msg("%s: no cases", sf->path);
	if (sf->passed != sf->run)
		fail_msg("%s: %d of %d cases failed", sf->name, sf->run - sf->passed, sf->run);
}

/* Render tmpl with data given as JSON text and the partials of the JSON
 * object partials (may be NULL).  Caller frees; NULL with e on error. */
static char *render_json(const char *tmpl, const char *data, const char *partials,
			 MustacheOptions *opt, Err *e)
{
	cJSON *d = cJSON_Parse(data ? data : "{}");
	cJSON *p = partials ? cJSON_Parse(partials) : NULL;
	MustacheOptions o = {0};
	char *out;

	assert_non_null(d);
	if (opt)
		o = *opt;
	if (p) {
		o.partial = partial_from_json;
		o.partial_ctx = p;
	}
	out = mustache_render(tmpl, strlen(tmpl), d, &o, e);
	cJSON_Delete(d);
	cJSON_Delete(p);
	return out;
}

/* Assert that tmpl renders to want. */
static void assert_renders(const char *tmpl, const char *data, const char *partials,
			   const char *want)
{
	Err e = {0};
	char *got = render_json(tmpl, data, partials, NULL, &e);
	int same = got && strcmp(got, want) == 0;

	if (!same)
		print_error("template %s\nexpected %s\ngot      %s%s\n", tmpl, want,
			    got ? got : "NULL, error: ", got ? "" : e.msg);
	free(got);
	assert_true(same);
}

/* Assert that tmpl is refused with a message containing words. */
static void assert_refused(const char *tmpl, const char *data, const char *partials,
			   MustacheOptions *opt, const char *words)
{
	Err e = {0};
	char *got = render_json(tmpl, data, partials, opt, &e);
	int refused = got == NULL;

	if (!refused)
		print_error("template %s rendered as %.200s\n", tmpl, got);
	free(got);
	assert_true(refused);
	if (!strstr(e.msg, words))
		fail_msg("template %s: error \"%s\" lacks \"%s\"", tmpl, e.msg, words);
}

/* A script tag in data comes out inert; triple mustache is the raw way. */
static void test_escapes_script(void **state)
{
	(void)state;
	assert_renders("<p>{{x}}</p>", "{\"x\":\"<script>alert(1)</script>\"}", NULL,
		       "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
	assert_renders("{{#row}}{{x}}{{/row}}", "{\"row\":{\"x\":\"<b>&amp;</b>\"}}", NULL,
		       "&lt;b&gt;&amp;amp;&lt;/b&gt;");
	assert_renders("{{{x}}}|{{&x}}", "{\"x\":\"<i>\"}", NULL, "<i>|<i>");
}

/* Data cannot close a double-quoted attribute. */
static void test_escapes_attribute_quotes(void **state)
{
	(void)state;
	assert_renders("<a title=\"{{t}}\">", "{\"t\":\"\\\" onmouseover=\\\"alert(1)\"}", NULL,
		       "<a title=\"&quot; onmouseover=&quot;alert(1)\">");
	assert_renders("<input value=\"{{v}}\">", "{\"v\":\"a&b\\\"c\"}", NULL,
		       "<input value=\"a&amp;b&quot;c\">");
	assert_renders("<a title='{{t}}'>", "{\"t\":\"' onmouseover='alert(1)\"}", NULL,
		       "<a title='&#39; onmouseover=&#39;alert(1)'>");
}

/* Malformed templates are refused with a message saying where. */
static void test_template_errors(void **state)
{
	(void)state;
	assert_refused("a\n{{#items}}x", NULL, NULL, NULL, "line 2: unclosed section 'items'");
	assert_refused("{{#a}}x{{/b}}", NULL, NULL, NULL, "section 'a' ended by '/b'");
	assert_refused("x{{/a}}", NULL, NULL, NULL, "closes no section");
	assert_refused("{{name", NULL, NULL, NULL, "unclosed tag");
	assert_refused("{{}}", NULL, NULL, NULL, "empty tag");
	assert_refused("{{=<% =}}", NULL, NULL, NULL, "bad delimiter change");
	assert_refused("{{=a= b=}}", NULL, NULL, NULL, "bad delimiter change");
	assert_refused("{{>p}}", NULL, "{\"p\":\"ok{{#x}}\"}", NULL,
		       "partial 'p' line 1: unclosed section 'x'");
	assert_refused("{{<p}}{{$b}}{{/b}}", NULL, NULL, NULL, "unclosed section 'p'");
}

/* A partial that includes itself stops at max_depth with an error. */
static void test_self_partial_depth(void **state)
{
	MustacheOptions opt = {0};

	(void)state;
	assert_refused("{{>me}}", NULL, "{\"me\":\"x{{>me}}\"}", NULL, "nesting deeper than 64");
	assert_refused("{{>me}}", NULL, "{\"me\":\"  {{>me}}\\n\"}", NULL, "deeper than");
	assert_refused("{{<p}}{{/p}}", NULL, "{\"p\":\"{{<p}}{{/p}}\"}", NULL, "deeper than");
	opt.max_depth = 3;
	assert_refused("{{#a}}{{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}}{{/a}}", "{\"a\":true}", NULL,
		       &opt, "nesting deeper than 3");
	assert_renders("{{>a}}", "{}", "{\"a\":\"{{>b}}\",\"b\":\"{{>c}}\",\"c\":\"deep\"}",
		       "deep");
}

/* Output over max_output is refused, exactly max_output is fine. */
static void test_max_output(void **state)
{
	MustacheOptions opt = {0};
	Err e = {0};
	char *out;

	(void)state;
	opt.max_output = 10;
	assert_refused("0123456789A", NULL, NULL, &opt, "output over 10 bytes");
	assert_refused("{{#l}}{{.}}{{/l}}", "{\"l\":[\"12345\",\"67890\",\"x\"]}", NULL, &opt,
		       "output over");
	out = render_json("{{x}}{{x}}", "{\"x\":\"12345\"}", NULL, &opt, &e);
	assert_non_null(out);
	assert_string_equal(out, "1234512345");
	free(out);
}

/* Numbers: integers without a point, others shortest round-trip. */
static void test_numbers(void **state)
{
	(void)state;
	assert_renders("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{g}}",
		       "{\"a\":85,\"b\":-3,\"c\":1.21,\"d\":0.1,\"e\":-0.0,\"f\":1e21,"
		       "\"g\":123456789012}",
		       NULL, "85 -3 1.21 0.1 0 1e+21 123456789012");
	assert_renders("{{x}}", "{\"x\":0.30000000000000004}", NULL, "0.30000000000000004");
	assert_renders("{{#z}}zero is truthy{{/z}}{{^e}}!{{/e}}", "{\"z\":0,\"e\":[]}", NULL,
		       "zero is truthy!");
}

/* No data, no options, no error buffer: still works. */
static void test_null_arguments(void **state)
{
	char *out;

	(void)state;
	out = mustache_render("a{{x}}b{{>p}}", strlen("a{{x}}b{{>p}}"), NULL, NULL, NULL);
	assert_non_null(out);
	assert_string_equal(out, "ab");
	free(out);
	assert_null(mustache_render("{{#x}}", 6, NULL, NULL, NULL));
	out = mustache_render(NULL, 0, NULL, NULL, NULL);
	assert_non_null(out);
	assert_string_equal(out, "");
	free(out);
}

/* A page that fills the blocks of a layout, as the web pages do. */
static void test_layout(void **state)
{
	static const char partials[] =
		"{\"layout\":\"<html>\\n<title>{{$title}}coopledger{{/title}}</title>\\n"
		"<body>\\n  {{$body}}\\n  {{/body}}\\n</body>\\n</html>\\n\"}";
	static const char page[] = "{{<layout}}\n"
				   "{{$title}}Contracts{{/title}}\n"
				   "{{$body}}\n"
				   "<ul>\n"
				   "{{#items}}\n"
				   "  <li>{{name}}</li>\n"
				   "{{/items}}\n"
				   "</ul>\n"
				   "{{/body}}\n"
				   "{{/layout}}\n";

	(void)state;
	assert_renders(page, "{\"items\":[{\"name\":\"A & B\"},{\"name\":\"C\"}]}", partials,
		       "<html>\n<title>Contracts</title>\n<body>\n"
		       "  <ul>\n    <li>A &amp; B</li>\n    <li>C</li>\n  </ul>\n"
		       "</body>\n</html>\n");
	assert_renders("{{<layout}}{{/layout}}", NULL, partials,
		       "<html>\n<title>coopledger</title>\n<body>\n</body>\n</html>\n");
}

/* qsort order of spec files: by name. */
static int spec_file_cmp(const void *a, const void *b)
{
	return strcmp(((const SpecFile *)a)->name, ((const SpecFile *)b)->name);
}

/* The *.json files of dir, sorted by name.  OUT: *n.  Caller frees. */
static SpecFile *spec_files(const char *dir, size_t *n)
{
	SpecFile *files = calloc(MAX_SPEC_FILES, sizeof *files);
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t len;

	*n = 0;
	if (!files || !d)
		goto out;
	while ((e = readdir(d)) && *n < MAX_SPEC_FILES) {
		len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(files[*n].name, sizeof files[*n].name, "%s", e->d_name);
		snprintf(files[*n].path, sizeof files[*n].path, "%s/%s", dir, e->d_name);
		(*n)++;
	}
	qsort(files, *n, sizeof *files, spec_file_cmp);
out:
	if (d)
		closedir(d);
	return files;
}

/* Fails: the spec directory has no JSON file. */
static void test_spec_dir_missing(void **state)
{
	fail_msg("no *.json file in %s", (const char *)*state);
}

int main(void)
{
	static const struct CMUnitTest own[] = {
		cmocka_unit_test(test_escapes_script),
		cmocka_unit_test(test_escapes_attribute_quotes),
		cmocka_unit_test(test_template_errors),
		cmocka_unit_test(test_self_partial_depth),
		cmocka_unit_test(test_max_output),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_null_arguments),
		cmocka_unit_test(test_layout),
	};
	struct CMUnitTest tests[MAX_SPEC_FILES + N_ELEMS(own) + 1];
	const char *dir = getenv("MUSTACHE_SPEC_DIR");
	size_t nfiles, n = 0, i;
	SpecFile *files;
	int rc, run = 0, passed = 0;

	if (!dir || !*dir)
		dir = SPEC_DIR_DEFAULT;
	files = spec_files(dir, &nfiles);
	memset(tests, 0, sizeof tests);
	for (i = 0; i < nfiles; i++) {
		tests[n].name = files[i].name;
		tests[n].test_func = test_spec_file;
		tests[n++].initial_state = &files[i];
	}
	if (nfiles == 0) {
		tests[n].name = "spec directory";
		tests[n].test_func = test_spec_dir_missing;
		tests[n++].initial_state = (void *)dir;
	}
	for (i = 0; i < N_ELEMS(own); i++)
		tests[n++] = own[i];
	rc = _cmocka_run_group_tests("mustache", tests, n, NULL, NULL);
	for (i = 0; i < nfiles; i++) {
		printf("  %-20s %d/%d\n", files[i].name, files[i].passed, files[i].run);
		run += files[i].run;
		passed += files[i].passed;
	}
	printf("mustache spec: %d/%d cases passed\n", passed, run);
	free(files);
	return rc;
}
