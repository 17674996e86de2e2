/*
 * terms_check.c — every problem of a terms document; see terms_check.h.
 *
 * Each top-level field of the document is set into the smallest document
 * terms_parse() takes (base_doc) and parsed there alone, so that a problem
 * of one field does not hide the next.  The bands and tiers of a schedule
 * are parsed one at a time too, each as the only discount tier of the base
 * document, and their messages renamed to where they are in the document.
 * Fields that a cross check of terms_parse() relates (start and end) are
 * set in together.
 */
#include "terms_check.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "terms.h"

/* The smallest document terms_parse() takes. */
static const char base_doc[] =
	"{\"number\":\"X\",\"title\":\"X\",\"lead_agency\":\"X\",\"vendor\":\"X\","
	"\"start\":\"2000-01-01\",\"end\":\"2000-01-01\","
	"\"fee\":{\"bands\":[{\"from\":\"0\",\"rate\":\"0%\"}]}}";

/* Where one band is parsed alone, and the band that stands in for the
 * bands of a schedule while its other fields are checked. */
#define BAND_ALONE "discounts.tiers[0]"
static const char plain_band[] = "{\"from\":\"0\",\"rate\":\"0%\"}";

/* A document with more top-level fields than this is not a form's: the
 * rest are left to the first problem of terms_parse(). */
#define MAX_FIELDS_CHECKED 64

/* Fields set in together: the first names the pair. */
static const char *const pairs[][2] = {{"start", "end"}};

typedef struct Check {
	const cJSON *user; /* the document under check */
	const cJSON *base; /* base_doc, parsed */
	TermsProblems *out;
} Check;

void terms_check_free(TermsProblems *p)
{
	free(p->item);
	p->item = NULL;
	p->n = 0;
}

/* 1 when c may be part of a field's path: fee.bands[1].rate. */
static int path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("_.[]", c));
}

char *terms_message_path(const char *msg, char *path, size_t n)
{
	size_t len = 0;

	while (path_char(msg[len]))
		len++;
	path[0] = '\0';
	if (len == 0 || len >= n || msg[len] != ':' || msg[len + 1] != ' ')
		return path;
	if (len == 5 && strncmp(msg, "terms", 5) == 0) /* the document as a whole */
		return path;
	memcpy(path, msg, len);
	path[len] = '\0';
	return path;
}

/* Add msg, about the field at path, to out: once a field and once a
 * message, and at most TERMS_MAX_PROBLEMS. */
static ClCode add_problem(TermsProblems *out, const char *path, const char *msg)
{
	TermsProblem *p;
	int i;

	for (i = 0; i < out->n; i++)
		if ((path[0] && strcmp(out->item[i].path, path) == 0) ||
		    strcmp(out->item[i].msg, msg) == 0)
			return CL_OK;
	if (out->n == TERMS_MAX_PROBLEMS)
		return CL_OK;
	p = realloc(out->item, (size_t)(out->n + 1) * sizeof *p);
	if (!p)
		return CL_ENOMEM;
	out->item = p;
	p = &out->item[out->n++];
	snprintf(p->path, sizeof p->path, "%s", path);
	snprintf(p->msg, sizeof p->msg, "%s", msg);
	return CL_OK;
}

/* Add the problem e found while top-level field key was under check: a
 * message about the document as a whole that names key (an unknown or
 * repeated field) is about key. */
static ClCode add_found(TermsProblems *out, const char *key, const Err *e)
{
	char path[TERMS_PATH_BUF], unknown[TERMS_PATH_BUF + 32], twice[TERMS_PATH_BUF + 32];

	terms_message_path(e->msg, path, sizeof path);
	snprintf(unknown, sizeof unknown, "terms: unknown field \"%s\"", key);
	snprintf(twice, sizeof twice, "terms: field \"%s\" appears twice", key);
	if (!path[0] && (strncmp(e->msg, unknown, strlen(unknown)) == 0 ||
			 strncmp(e->msg, twice, strlen(twice)) == 0))
		snprintf(path, sizeof path, "%s", key);
	return add_problem(out, path, e->msg);
}

/* terms_parse() of doc: 0 when it takes it, 1 when not (the problem in
 * e), -1 when out of memory. */
static int probe(const cJSON *doc, Err *e)
{
	char *text = cJSON_PrintUnformatted(doc);
	Terms t;
	int bad;

	if (!text)
		return -1;
	bad = terms_parse(text, strlen(text), &t, e) != CL_OK;
	cJSON_free(text);
	return bad;
}

/* Set doc[key] to a copy of user[key], or remove it when user has none.
 * 0, or -1 when out of memory. */
static int take_field(cJSON *doc, const cJSON *user, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(user, key);
	cJSON *copy;

	cJSON_DeleteItemFromObjectCaseSensitive(doc, key);
	if (!v)
		return 0;
	copy = cJSON_Duplicate(v, 1);
	if (!copy || !cJSON_AddItemToObject(doc, key, copy)) {
		cJSON_Delete(copy);
		return -1;
	}
	return 0;
}

/* The other field of key's pair, or NULL. */
static const char *mate_of(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		if (strcmp(key, pairs[i][0]) == 0)
			return pairs[i][1];
		if (strcmp(key, pairs[i][1]) == 0)
			return pairs[i][0];
	}
	return NULL;
}

/* Parse doc and add its problem, about field key, to out. */
static ClCode probe_and_add(Check *c, const cJSON *doc, const char *key)
{
	Err e = {0};
	int bad = probe(doc, &e);

	if (bad < 0)
		return CL_ENOMEM;
	return bad ? add_found(c->out, key, &e) : CL_OK;
}

/* Check top-level field key (with its mate) of the user's document in the
 * base document. */
static ClCode check_field(Check *c, const char *key)
{
	cJSON *doc = cJSON_Duplicate(c->base, 1);
	const char *mate = mate_of(key);
	ClCode rc = CL_ENOMEM;

	if (doc && !take_field(doc, c->user, key) && (!mate || !take_field(doc, c->user, mate)))
		rc = probe_and_add(c, doc, key);
	cJSON_Delete(doc);
	return rc;
}

/* The name of the array of bands of schedule s ("bands", "tiers"), or
 * NULL when s holds none. */
static const char *band_list(const cJSON *s)
{
	const cJSON *it;

	if (!cJSON_IsObject(s))
		return NULL;
	cJSON_ArrayForEach(it, s)
	{
		if (cJSON_IsArray(it) && it->string &&
		    (strcmp(it->string, "bands") == 0 || strcmp(it->string, "tiers") == 0))
			return it->string;
	}
	return NULL;
}

/* Check band i (band) of schedule key alone, as the only discount tier of
 * the base document; its problem is named where the band is: key.list[i].
 * OUT: *bad (1 when the band has a problem). */
static ClCode check_band(Check *c, const char *key, const char *list, int i, const cJSON *band,
			 int *bad)
{
	cJSON *doc = cJSON_Duplicate(c->base, 1),
	      *sched = cJSON_AddObjectToObject(doc, "discounts");
	cJSON *tiers = sched ? cJSON_AddArrayToObject(sched, "tiers") : NULL,
	      *copy = cJSON_Duplicate(band, 1);
	char msg[ERR_MSG_MAX + 2 * TERMS_PATH_BUF], path[TERMS_PATH_BUF];
	size_t alone = strlen(BAND_ALONE);
	Err e = {0};
	int found = -1;

	if (tiers && copy && cJSON_AddItemToArray(tiers, copy)) {
		copy = NULL;
		found = probe(doc, &e);
	}
	cJSON_Delete(copy);
	cJSON_Delete(doc);
	if (found <= 0)
		return found < 0 ? CL_ENOMEM : CL_OK;
	*bad = 1;
	if (strncmp(e.msg, BAND_ALONE, alone) == 0)
		snprintf(msg, sizeof msg, "%s.%s[%d]%s", key, list, i, e.msg + alone);
	else
		snprintf(msg, sizeof msg, "%s.%s[%d]: %s", key, list, i, e.msg);
	return add_problem(c->out, terms_message_path(msg, path, sizeof path), msg);
}

/* Check schedule key with one plain band in place of its own (which have
 * problems of their own): its year, mode and the like. */
static ClCode check_schedule_head(Check *c, const char *key, const char *list)
{
	cJSON *doc = cJSON_Duplicate(c->base, 1), *bands = cJSON_CreateArray(),
	      *band = cJSON_Parse(plain_band), *sched;
	ClCode rc = CL_ENOMEM;

	if (!doc || !bands || !band || take_field(doc, c->user, key) ||
	    !(sched = cJSON_GetObjectItemCaseSensitive(doc, key)))
		goto out;
	cJSON_AddItemToArray(bands, band);
	band = NULL;
	if (!cJSON_ReplaceItemInObjectCaseSensitive(sched, list, bands))
		goto out;
	bands = NULL;
	rc = probe_and_add(c, doc, key);
out:
	cJSON_Delete(band);
	cJSON_Delete(bands);
	cJSON_Delete(doc);
	return rc;
}

/* Check schedule key, whose bands are in the array named list: each band
 * alone, then the schedule whole (order, first band, count) when every
 * band passed, else its other fields. */
static ClCode check_schedule(Check *c, const char *key, const char *list)
{
	const cJSON *sched = cJSON_GetObjectItemCaseSensitive(c->user, key);
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(sched, list), *band;
	int i = 0, bad = 0;
	ClCode rc;

	if (cJSON_GetArraySize(arr) > TERMS_MAX_BANDS)
		return check_field(c, key);
	cJSON_ArrayForEach(band, arr)
	{
		if ((rc = check_band(c, key, list, i++, band, &bad)))
			return rc;
	}
	return bad ? check_schedule_head(c, key, list) : check_field(c, key);
}

/* 1 when key was checked already: a repeat of an earlier field, or the
 * second of a pair whose first the document has. */
static int checked_already(const cJSON *user, const cJSON *field)
{
	const cJSON *prev;
	const char *mate = mate_of(field->string);
	size_t i;

	for (prev = user->child; prev && prev != field; prev = prev->next)
		if (strcmp(prev->string, field->string) == 0)
			return 1;
	for (i = 0; mate && i < sizeof pairs / sizeof pairs[0]; i++)
		if (strcmp(field->string, pairs[i][1]) == 0 &&
		    cJSON_GetObjectItemCaseSensitive(user, pairs[i][0]))
			return 1;
	return 0;
}

/* Check one top-level field of the user's document. */
static ClCode check_one(Check *c, const cJSON *field)
{
	const char *list = band_list(field);

	if (checked_already(c->user, field))
		return CL_OK;
	return list ? check_schedule(c, field->string, list) : check_field(c, field->string);
}

/* Check every field of the user's document, then the fields the base
 * document needs that the user's lacks. */
static ClCode check_fields(Check *c)
{
	const cJSON *it;
	int n = 0;
	ClCode rc;

	cJSON_ArrayForEach(it, c->user)
	{
		if (!it->string || ++n > MAX_FIELDS_CHECKED)
			break;
		if ((rc = check_one(c, it)))
			return rc;
	}
	cJSON_ArrayForEach(it, c->base)
	{
		if (!cJSON_GetObjectItemCaseSensitive(c->user, it->string) &&
		    (rc = check_field(c, it->string)))
			return rc;
	}
	return CL_OK;
}

ClCode terms_check(const char *json, size_t len, TermsProblems *out, Err *e)
{
	Check c = {NULL, NULL, out};
	cJSON *user = NULL, *base = NULL;
	char path[TERMS_PATH_BUF];
	Err first = {0};
	Terms t;
	ClCode rc = CL_OK;

	memset(out, 0, sizeof *out);
	if (terms_parse(json, len, &t, &first) == CL_OK)
		return CL_OK;
	user = json && len ? cJSON_ParseWithLength(json, len) : NULL;
	base = cJSON_Parse(base_doc);
	if (!base)
		rc = CL_ENOMEM;
	c.user = user;
	c.base = base;
	if (!rc && cJSON_IsObject(user))
		rc = check_fields(&c);
	/* what the fields alone do not show (the document is no JSON object,
	 * a field repeated) is still the document's problem */
	if (!rc)
		rc = add_problem(out, terms_message_path(first.msg, path, sizeof path), first.msg);
	cJSON_Delete(user);
	cJSON_Delete(base);
	if (rc)
		return err_set(e, rc, "out of memory");
	return err_set(e, CL_EINPUT, "%s", out->item[0].msg);
}
