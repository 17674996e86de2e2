/*
 * mkseeds.c — seed inputs for the fuzzers, drawn from tests/data.
 *
 *   mkseeds csvcol OUT COL,COL,... FILE.csv...   each value of those columns
 *   mkseeds jsonstr OUT KEY,KEY,... FILE.json... each string under those keys
 *   mkseeds mustache OUT SPEC.json...            each spec case, as
 *                                                template \0 data \0 partials
 *   mkseeds import OUT CASE.csv...               options byte + file, the
 *                                                options from CASE.json
 *   mkseeds upload OUT FILE...                   a structured multipart form
 *                                                uploading FILE (fuzz_http_form)
 *
 * Every seed is written to OUT/<kind>-<hash of its bytes>, so the same
 * value is written once.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Must match fuzz_import.c. */
static const char *const import_period[] = {NULL,      "2025-Q3", "2025-Q4", "2026-Q1",
					    "2020-Q1", "2025-Q5", "2028-Q2", ""};
#define IMPORT_WIN1252	  0x08
#define IMPORT_SKIP	  0x10
#define IMPORT_TERMINATED 0x20

/* Must match fuzz_http_form.c: the option bytes of a multipart form. */
#define FORM_OPTIONS "\x0b\x00" /* multipart, signed in */

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (data = malloc((size_t)len + 1)) != NULL) {
		*n = fread(data, 1, (size_t)len, f);
		data[*n] = '\0';
	}
	fclose(f);
	return data;
}

static int emit(const char *dir, const char *kind, const void *p, size_t n)
{
	const unsigned char *u = p;
	uint64_t h = 1469598103934665603ULL;
	char path[4096];
	size_t i;
	FILE *f;

	for (i = 0; i < n; i++)
		h = (h ^ u[i]) * 1099511628211ULL;
	snprintf(path, sizeof path, "%s/%s-%016llx", dir, kind, (unsigned long long)h);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		return 1;
	}
	return 0;
}

/* 1 if name is one of the comma-separated names in list. */
static int listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* The fields of one line of simple CSV (quotes dropped, no line breaks
 * inside fields): up to max, each NUL-terminated in place. */
static int split_line(char *line, char **field, int max)
{
	int n = 0, quoted = 0;
	char *w = line, *r = line;

	field[n++] = w;
	for (; *r && *r != '\n' && *r != '\r'; r++) {
		if (*r == '"') {
			quoted = !quoted;
		} else if (*r == ',' && !quoted) {
			*w++ = '\0';
			if (n == max)
				break;
			field[n++] = w;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return n;
}

static int csvcol(const char *out, const char *cols, int argc, char **argv)
{
	char *field[64], *head[64];
	int i, rc = 0;

	for (i = 0; i < argc; i++) {
		size_t n = 0;
		char *text = slurp(argv[i], &n), *line, *next, *hdr;
		int nh, nf, k;

		if (!text)
			continue;
		next = strchr(text, '\n');
		hdr = strdup(text);
		nh = split_line(hdr, head, 64);
		for (line = next ? next + 1 : NULL; line && *line; line = next ? next + 1 : NULL) {
			next = strchr(line, '\n');
			nf = split_line(line, field, 64);
			for (k = 0; k < nf && k < nh; k++)
				if (listed(cols, head[k]) && *field[k])
					rc |= emit(out, "col", field[k], strlen(field[k]));
		}
		free(hdr);
		free(text);
	}
	return rc;
}

static int walk_json(const char *out, const char *keys, const cJSON *v)
{
	const cJSON *c;
	int rc = 0;

	for (c = v ? v->child : NULL; c; c = c->next) {
		if (cJSON_IsString(c) && c->string && listed(keys, c->string))
			rc |= emit(out, "str", c->valuestring, strlen(c->valuestring));
		rc |= walk_json(out, keys, c);
	}
	return rc;
}

static int jsonstr(const char *out, const char *keys, int argc, char **argv)
{
	int i, rc = 0;

	for (i = 0; i < argc; i++) {
		size_t n = 0;
		char *text = slurp(argv[i], &n);
		cJSON *root = text ? cJSON_Parse(text) : NULL;

		rc |= walk_json(out, keys, root);
		cJSON_Delete(root);
		free(text);
	}
	return rc;
}

static int mustache(const char *out, int argc, char **argv)
{
	int i, rc = 0;

	for (i = 0; i < argc; i++) {
		size_t n = 0;
		char *text = slurp(argv[i], &n);
		cJSON *root = text ? cJSON_Parse(text) : NULL, *t;

		cJSON_ArrayForEach(t, cJSON_GetObjectItem(root, "tests"))
		{
			const cJSON *tmpl = cJSON_GetObjectItem(t, "template");
			char *data = cJSON_PrintUnformatted(cJSON_GetObjectItem(t, "data"));
			char *parts = cJSON_PrintUnformatted(cJSON_GetObjectItem(t, "partials"));
			size_t nt, nd, np;
			char *seed;

			if (!cJSON_IsString(tmpl))
				continue;
			nt = strlen(tmpl->valuestring);
			nd = data ? strlen(data) : 0;
			np = parts ? strlen(parts) : 0;
			seed = malloc(nt + nd + np + 2);
			memcpy(seed, tmpl->valuestring, nt);
			seed[nt] = '\0';
			if (nd)
				memcpy(seed + nt + 1, data, nd);
			seed[nt + 1 + nd] = '\0';
			if (np)
				memcpy(seed + nt + nd + 2, parts, np);
			rc |= emit(out, "spec", seed, nt + nd + np + (np ? 2 : nd ? 1 : 0));
			free(seed);
			cJSON_free(data);
			cJSON_free(parts);
		}
		cJSON_Delete(root);
		free(text);
	}
	return rc;
}

/* The options byte of an import case (CASE.json next to CASE.csv). */
static unsigned char import_flags(const char *csv)
{
	char path[4096];
	size_t n = 0, k;
	char *text;
	cJSON *root, *a;
	const char *enc, *contract;
	unsigned char flags = 0;

	snprintf(path, sizeof path, "%.*s.json", (int)(strlen(csv) - 4), csv);
	text = slurp(path, &n);
	root = text ? cJSON_Parse(text) : NULL;
	cJSON_ArrayForEach(a, cJSON_GetObjectItem(root, "args"))
	{
		if (!cJSON_IsString(a))
			continue;
		if (strcmp(a->valuestring, "--skip-invalid") == 0)
			flags |= IMPORT_SKIP;
		if (strcmp(a->valuestring, "--period") == 0 && cJSON_IsString(a->next)) {
			flags |= 1; /* an unknown quarter: the first one */
			for (k = 1; k < sizeof import_period / sizeof *import_period; k++)
				if (strcmp(a->next->valuestring, import_period[k]) == 0)
					flags = (unsigned char)((flags & ~7) | k);
		}
	}
	enc = cJSON_GetStringValue(cJSON_GetObjectItem(root, "encoding"));
	if (enc && strcmp(enc, "windows-1252") == 0)
		flags |= IMPORT_WIN1252;
	contract = cJSON_GetStringValue(cJSON_GetObjectItem(root, "contract"));
	if (contract && strcmp(contract, "KS-TERM-2024") == 0)
		flags |= IMPORT_TERMINATED;
	cJSON_Delete(root);
	free(text);
	return flags;
}

static int import(const char *out, int argc, char **argv)
{
	int i, rc = 0;

	for (i = 0; i < argc; i++) {
		size_t n = 0;
		char *text = slurp(argv[i], &n), *seed;

		if (!text || strlen(argv[i]) < 4)
			continue;
		seed = malloc(n + 1);
		seed[0] = (char)import_flags(argv[i]);
		memcpy(seed + 1, text, n);
		rc |= emit(out, "case", seed, n + 1);
		free(seed);
		free(text);
	}
	return rc;
}

static int upload(const char *out, int argc, char **argv)
{
	static const char head[] =
		FORM_OPTIONS "contract=KS-TEST-2025\0period=2025-Q3\0encoding=utf-8\0@";
	int i, rc = 0;

	for (i = 0; i < argc; i++) {
		size_t n = 0, nh = sizeof head - 1, nb;
		char *text = slurp(argv[i], &n), *seed;
		const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];

		if (!text)
			continue;
		nb = strlen(base);
		seed = malloc(nh + nb + 1 + n);
		memcpy(seed, head, nh);
		memcpy(seed + nh, base, nb);
		seed[nh + nb] = '=';
		memcpy(seed + nh + nb + 1, text, n);
		rc |= emit(out, "upload", seed, nh + nb + 1 + n);
		free(seed);
		free(text);
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "csvcol") == 0)
		return csvcol(argv[2], argv[3], argc - 4, argv + 4);
	if (argc >= 5 && strcmp(argv[1], "jsonstr") == 0)
		return jsonstr(argv[2], argv[3], argc - 4, argv + 4);
	if (argc >= 3 && strcmp(argv[1], "mustache") == 0)
		return mustache(argv[2], argc - 3, argv + 3);
	if (argc >= 3 && strcmp(argv[1], "import") == 0)
		return import(argv[2], argc - 3, argv + 3);
	if (argc >= 3 && strcmp(argv[1], "upload") == 0)
		return upload(argv[2], argc - 3, argv + 3);
	fprintf(stderr, "usage: mkseeds csvcol|jsonstr|mustache|import|upload OUT ...\n");
	return 2;
}
