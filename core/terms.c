/*
 * terms.c — the contract terms document; see terms.h and DOMAIN.md 4.
 *
 * Parsing is table-driven (kcgi validators): every JSON object of the
 * document is described by a Field table that names its keys, says which are
 * required, and gives the function that checks a value and stores it at an
 * offset of the output struct.  Unknown and repeated keys are refused, so a
 * typo never passes silently.  Every message starts with the path of the
 * field it is about ("fee.bands[1].from: ...").
 *
 * Schedules are evaluated exactly in cent·ppm with 128-bit intermediates.
 */
#include "terms.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define PATH_LEN	 96 /* "rebates.tiers[31].from" and then some */
#define DUE_DAYS_DEFAULT 45
#define DUE_DAYS_MAX	 365
#define MONEY_EXAMPLE	 "a money string such as \"30000.00\""
#define RATE_EXAMPLE	 "a rate string such as \"1.5%\""

typedef struct Field Field;

/* Check the value v of field f, whose full name is path, and store it in
 * the struct at base.  On failure e names path and the problem. */
typedef ClCode (*FieldFn)(const Field *f, const cJSON *v, const char *path, void *base, Err *e);

struct Field {
	const char *name;
	int required;
	FieldFn check;
	size_t off;	 /* where the value goes in the struct at base */
	size_t size;	 /* text fields: size of the char array */
	const void *aux; /* enum fields: their EnumSpec */
};

/* An enum field: names[i] is the JSON spelling of value i. */
typedef struct EnumSpec {
	const char *noun; /* "mode", for "unknown mode \"x\"" */
	const char *hint; /* "use \"graduated\" or \"volume\"" */
	int n;
	const char *const *names;
	void (*store)(void *p, int v);
} EnumSpec;

static const char *const mode_names[] = {"graduated", "volume"};
static const char *const year_names[] = {"contract", "calendar"};
static const char *const status_names[] = {"active", "expired", "terminated"};

/* ---- small helpers ---------------------------------------------------- */

/* The name to put before an object-level message: the top level is
 * "terms". */
static const char *where(const char *path)
{
	return path[0] ? path : "terms";
}

/* child = "path.name", or "name" at the top level. */
static void path_key(char *child, const char *path, const char *name)
{
	if (path[0])
		snprintf(child, PATH_LEN, "%s.%s", path, name);
	else
		snprintf(child, PATH_LEN, "%s", name);
}

/* The address of field f inside the struct at base. */
static void *field_ptr(const Field *f, void *base)
{
	return (char *)base + f->off;
}

/* Store enum value v at p, typed: SchedMode, YearKind, ContractStatus. */
static void store_mode(void *p, int v)
{
	*(SchedMode *)p = (SchedMode)v;
}

static void store_year(void *p, int v)
{
	*(YearKind *)p = (YearKind)v;
}

static void store_status(void *p, int v)
{
	*(ContractStatus *)p = (ContractStatus)v;
}

static const EnumSpec mode_spec = {"mode", "use \"graduated\" or \"volume\"", 2, mode_names,
				   store_mode};
static const EnumSpec year_spec = {"year", "use \"contract\" or \"calendar\"", 2, year_names,
				   store_year};
static const EnumSpec status_spec = {"status", "use \"active\", \"expired\" or \"terminated\"", 3,
				     status_names, store_status};

/* 1 when s holds nothing but blanks. */
static int text_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ')
			return 0;
	return 1;
}

/* The string value of v, or NULL after setting "must be a string". */
static const char *want_string(const cJSON *v, const char *path, const char *what, Err *e)
{
	if (cJSON_IsString(v) && v->valuestring)
		return v->valuestring;
	if (cJSON_IsNumber(v))
		err_set(e, CL_EINPUT, "%s: must be %s, not a JSON number", path, what);
	else
		err_set(e, CL_EINPUT, "%s: must be %s", path, what);
	return NULL;
}

/* ---- field checkers --------------------------------------------------- */

/* Free text (title, codes, ...): bounded by the array size, never cut;
 * required text may not be blank. */
static ClCode f_text(const Field *f, const cJSON *v, const char *path, void *base, Err *e)
{
	const char *s = want_string(v, path, "a string", e);
	size_t len;

	if (!s)
		return CL_EINPUT;
	len = strlen(s);
	if (len >= f->size)
		return err_set(e, CL_EINPUT, "%s: is %zu bytes long; at most %zu are allowed", path,
			       len, f->size - 1);
	if (f->required && text_blank(s))
		return err_set(e, CL_EINPUT, "%s: must not be empty", path);
	if (text_check_line(path, s, e))
		return CL_EINPUT;
	memcpy(field_ptr(f, base), s, len + 1);
	return CL_OK;
}

/* The contract number: as f_text, restricted to letters, digits and
 * - _ . / so that it is safe in URLs, file names and CSV. */
static ClCode f_number(const Field *f, const cJSON *v, const char *path, void *base, Err *e)
{
	const char *s;
	size_t i;

	if (f_text(f, v, path, base, e))
		return CL_EINPUT;
	s = field_ptr(f, base);
	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    strchr("-_./", c))
			continue;
		return err_set(e, CL_EINPUT,
			       "%s: character '%c' at position %zu is not allowed; use letters, "
			       "digits, '-', '_', '.' and '/'",
			       path, c >= 0x20 && c < 0x7f ? c : '?', i + 1);
	}
	return CL_OK;
}

/* A money string, 0 or more. */
static ClCode f_money(const Field *f, const cJSON *v, const char *path, void *base, Err *e)
{
	const char *s = want_string(v, path, MONEY_EXAMPLE, e);
	char buf[MONEY_BUF];
	Money m;

	if (!s)
		return CL_EINPUT;
	if (money_parse(s, &m, e)) {
		err_prefix(e, "%s", path);
		return CL_EINPUT;
	}
	if (m < 0)
		return err_set(e, CL_EINPUT, "%s: %s is negative; it must be 0 or more", path,
			       money_format(m, buf));
	*(Money *)field_ptr(f, base) = m;
	return CL_OK;
}

/* A rate string ("1.5%"). */
static ClCode f_rate(const Field *f, const cJSON *v, const char *path, void *base, Err *e)
{
	const char *s = want_string(v, path, RATE_EXAMPLE, e);
	Rate r;

	if (!s)
		return CL_EINPUT;
	if (rate_parse(s, &r, e)) {
		err_prefix(e, "%s", path);
		return CL_EINPUT;
	}
	*(Rate *)field_ptr(f, base) = r;
	return CL_OK;
}

/* A "YYYY-MM-DD" date string. */
static ClCode f_date(const Field *f, const cJSON *v, const char *path, void *base, Err *e)
{
	const char *s = want_string(v, path, "a date string such as \"2025-07-01\"", e);
	Date d;

	if (!s)
		return CL_EINPUT;
	if (date_parse(s, &d, e)) {
		err_prefix(e, "%s", path);
		return CL_EINPUT;
	}
	*(Date *)field_ptr(f, base) = d;
	return CL_OK;
}

/* One of the names of the field's EnumSpec. */
static ClCode f_enum(const Field *f, const cJSON *v, const char *path, void *base, Err *e)
{
	const EnumSpec *sp = f->aux;
	const char *s = want_string(v, path, "a string", e);
	int i;

	if (!s)
		return CL_EINPUT;
	for (i = 0; i < sp->n; i++) {
		if (strcmp(s, sp->names[i]) == 0) {
			sp->store(field_ptr(f, base), i);
			return CL_OK;
		}
	}
	return err_set(e, CL_EINPUT, "%s: unknown %s \"%.64s\"; %s", path, sp->noun, s, sp->hint);
}

/* due_days: a JSON number (not a string), whole, 0..DUE_DAYS_MAX.  cJSON
 * hands every number over as a double; a small day count converts to and
 * from int exactly, so comparing the two detects fractions. */
static ClCode f_due_days(const Field *f, const cJSON *v, const char *path, void *base, Err *e)
{
	double d;

	if (!cJSON_IsNumber(v))
		return err_set(e, CL_EINPUT, "%s: must be a JSON number of days such as 45", path);
	d = v->valuedouble;
	if (!(d >= 0 && d <= DUE_DAYS_MAX) || d != (double)(int)d)
		return err_set(e, CL_EINPUT, "%s: %g is not a whole number of days from 0 to %d",
			       path, d, DUE_DAYS_MAX);
	*(int *)field_ptr(f, base) = (int)d;
	return CL_OK;
}

static ClCode parse_object(const cJSON *obj, const char *path, const Field *fields, int nfield,
			   void *base, Err *e);

/* ---- schedules -------------------------------------------------------- */

static const Field band_fields[] = {
	{"from", 1, f_money, offsetof(Band, from), 0, NULL},
	{"rate", 1, f_rate, offsetof(Band, rate), 0, NULL},
};

/* Band i of s, already parsed, must start above band i-1. */
static ClCode band_check_order(const Schedule *s, int i, const char *path, const char *noun, Err *e)
{
	char a[MONEY_BUF], b[MONEY_BUF];

	if (i == 0 || s->band[i].from > s->band[i - 1].from)
		return CL_OK;
	return err_set(e, CL_EINPUT, "%s[%d].from: %s is not greater than the %s before it (%s)",
		       path, i, money_format(s->band[i].from, a), noun,
		       money_format(s->band[i - 1].from, b));
}

/* "bands" / "tiers": a non-empty array of at most TERMS_MAX_BANDS
 * {"from", "rate"} objects, strictly increasing in from. */
static ClCode f_bands(const Field *f, const cJSON *v, const char *path, void *base, Err *e)
{
	Schedule *s = base;
	const char *noun = strcmp(f->name, "bands") == 0 ? "band" : "tier";
	char child[PATH_LEN];
	const cJSON *it;
	int n, i = 0;

	if (!cJSON_IsArray(v))
		return err_set(e, CL_EINPUT,
			       "%s: must be an array of {\"from\": ..., \"rate\": ...} objects",
			       path);
	n = cJSON_GetArraySize(v);
	if (n == 0)
		return err_set(e, CL_EINPUT, "%s: needs at least one %s", path, noun);
	if (n > TERMS_MAX_BANDS)
		return err_set(e, CL_EINPUT, "%s: has %d %ss; at most %d are allowed", path, n,
			       noun, TERMS_MAX_BANDS);
	cJSON_ArrayForEach(it, v)
	{
		snprintf(child, sizeof child, "%s[%d]", path, i);
		if (parse_object(it, child, band_fields, 2, &s->band[i], e) ||
		    band_check_order(s, i, path, noun, e))
			return CL_EINPUT;
		i++;
	}
	s->nband = n;
	return CL_OK;
}

static const Field fee_fields[] = {
	{"year", 0, f_enum, offsetof(Schedule, year), 0, &year_spec},
	{"mode", 0, f_enum, offsetof(Schedule, mode), 0, &mode_spec},
	{"bands", 1, f_bands, 0, 0, NULL},
};

static const Field rebate_fields[] = {
	{"year", 0, f_enum, offsetof(Schedule, year), 0, &year_spec},
	{"mode", 0, f_enum, offsetof(Schedule, mode), 0, &mode_spec},
	{"tiers", 1, f_bands, 0, 0, NULL},
};

static const Field discount_fields[] = {
	{"tiers", 1, f_bands, 0, 0, NULL},
};

/* fee: {year, mode, bands}; defaults contract, graduated.  The first band
 * starts at 0 so that every sale carries a fee. */
static ClCode f_fee(const Field *f, const cJSON *v, const char *path, void *base, Err *e)
{
	Schedule *s = field_ptr(f, base);
	char buf[MONEY_BUF];

	s->year = YEAR_CONTRACT;
	s->mode = SCHED_GRADUATED;
	if (parse_object(v, path, fee_fields, 3, s, e))
		return CL_EINPUT;
	if (s->band[0].from != 0)
		return err_set(e, CL_EINPUT,
			       "%s.bands[0].from: the first fee band must start at \"0\", not %s",
			       path, money_format(s->band[0].from, buf));
	s->present = 1;
	return CL_OK;
}

/* rebates: {year, mode, tiers}; defaults contract, volume. */
static ClCode f_rebates(const Field *f, const cJSON *v, const char *path, void *base, Err *e)
{
	Schedule *s = field_ptr(f, base);

	s->year = YEAR_CONTRACT;
	s->mode = SCHED_VOLUME;
	if (parse_object(v, path, rebate_fields, 3, s, e))
		return CL_EINPUT;
	s->present = 1;
	return CL_OK;
}

/* discounts: {tiers}; always all-units (volume), per order, no year. */
static ClCode f_discounts(const Field *f, const cJSON *v, const char *path, void *base, Err *e)
{
	Schedule *s = field_ptr(f, base);

	s->year = YEAR_CONTRACT;
	s->mode = SCHED_VOLUME;
	if (parse_object(v, path, discount_fields, 1, s, e))
		return CL_EINPUT;
	s->present = 1;
	return CL_OK;
}

static const Field late_fee_fields[] = {
	{"min", 1, f_money, offsetof(Terms, late_fee_min), 0, NULL},
	{"rate", 1, f_rate, offsetof(Terms, late_fee_rate), 0, NULL},
};

/* late_fee: {min, rate}, both required.  Stores into the Terms itself. */
static ClCode f_late_fee(const Field *f, const cJSON *v, const char *path, void *base, Err *e)
{
	Terms *t = base;

	(void)f;
	if (parse_object(v, path, late_fee_fields, 2, t, e))
		return CL_EINPUT;
	t->has_late_fee = 1;
	return CL_OK;
}

/* A whole JSON number from lo to hi (the renewal counts). */
static ClCode whole_number(const cJSON *v, const char *path, int lo, int hi, int *out, Err *e)
{
	double d;

	if (!cJSON_IsNumber(v))
		return err_set(e, CL_EINPUT, "%s: must be a JSON number such as %d", path, hi / 2);
	d = v->valuedouble;
	if (!(d >= lo && d <= hi) || d != (double)(int)d)
		return err_set(e, CL_EINPUT, "%s: %g is not a whole number from %d to %d", path, d,
			       lo, hi);
	*out = (int)d;
	return CL_OK;
}

static ClCode f_options(const Field *f, const cJSON *v, const char *path, void *base, Err *e)
{
	return whole_number(v, path, 0, 20, field_ptr(f, base), e);
}

static ClCode f_years(const Field *f, const cJSON *v, const char *path, void *base, Err *e)
{
	return whole_number(v, path, 1, 10, field_ptr(f, base), e);
}

static const Field renewal_fields[] = {
	{"options", 1, f_options, offsetof(Terms, renew_options), 0, NULL},
	{"years", 1, f_years, offsetof(Terms, renew_years), 0, NULL},
};

/* renewals: {options, years}, both required: options to extend the term
 * by years each.  Stores into the Terms itself. */
static ClCode f_renewals(const Field *f, const cJSON *v, const char *path, void *base, Err *e)
{
	(void)f;
	return parse_object(v, path, renewal_fields, 2, base, e);
}

/* renew: true, exercising a renewal option (amendments only). */
static ClCode f_renew(const Field *f, const cJSON *v, const char *path, void *base, Err *e)
{
	if (!cJSON_IsTrue(v))
		return err_set(e, CL_EINPUT, "%s: must be true to exercise a renewal option", path);
	*(int *)field_ptr(f, base) = 1;
	return CL_OK;
}

#define TEXT(name, req, fn)                                                                        \
	{                                                                                          \
#name, req, fn, offsetof(Terms, name), sizeof(((Terms *)0)->name), NULL            \
	}

/* The top level, in the order of DOMAIN.md 4 (and of the checks). */
static const Field terms_fields[] = {
	TEXT(number, 1, f_number),
	TEXT(title, 1, f_text),
	TEXT(category, 0, f_text),
	TEXT(lead_agency, 1, f_text),
	TEXT(vendor, 1, f_text),
	{"start", 1, f_date, offsetof(Terms, start), 0, NULL},
	{"end", 1, f_date, offsetof(Terms, end), 0, NULL},
	TEXT(solicitation, 0, f_text),
	{"status", 0, f_enum, offsetof(Terms, status), 0, &status_spec},
	{"fee", 1, f_fee, offsetof(Terms, fee), 0, NULL},
	{"discounts", 0, f_discounts, offsetof(Terms, discounts), 0, NULL},
	{"rebates", 0, f_rebates, offsetof(Terms, rebates), 0, NULL},
	{"due_days", 0, f_due_days, offsetof(Terms, due_days), 0, NULL},
	{"late_fee", 0, f_late_fee, 0, 0, NULL},
	{"price_tolerance", 0, f_money, offsetof(Terms, price_tolerance), 0, NULL},
	{"renewals", 0, f_renewals, 0, 0, NULL},
};

/* What an amendment may change (DOMAIN.md 4.6), into a TermsChange whose
 * first member is the Terms the checkers fill; the bit of each in has. */
static const Field change_fields[] = {
	{"fee", 0, f_fee, offsetof(Terms, fee), 0, NULL},
	{"discounts", 0, f_discounts, offsetof(Terms, discounts), 0, NULL},
	{"rebates", 0, f_rebates, offsetof(Terms, rebates), 0, NULL},
	{"due_days", 0, f_due_days, offsetof(Terms, due_days), 0, NULL},
	{"late_fee", 0, f_late_fee, 0, 0, NULL},
	{"price_tolerance", 0, f_money, offsetof(Terms, price_tolerance), 0, NULL},
	{"end", 0, f_date, offsetof(Terms, end), 0, NULL},
	{"status", 0, f_enum, offsetof(Terms, status), 0, &status_spec},
	{"renewals", 0, f_renewals, 0, 0, NULL},
	{"renew", 0, f_renew, offsetof(TermsChange, renew), 0, NULL},
};

#define NFIELD(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- objects ---------------------------------------------------------- */

/* Refuse a key of obj that is not in fields (listing the allowed ones) or
 * that appears twice. */
static ClCode check_keys(const cJSON *obj, const char *path, const Field *fields, int nfield,
			 Err *e)
{
	const cJSON *it, *prev;
	char allowed[256];
	size_t used = 0;
	int i;

	cJSON_ArrayForEach(it, obj)
	{
		for (i = 0; i < nfield && strcmp(it->string, fields[i].name) != 0; i++)
			;
		if (i == nfield)
			break;
		for (prev = obj->child; prev != it; prev = prev->next)
			if (strcmp(prev->string, it->string) == 0)
				return err_set(e, CL_EINPUT, "%s: field \"%s\" appears twice",
					       where(path), it->string);
	}
	if (!it)
		return CL_OK;
	allowed[0] = '\0';
	for (i = 0; i < nfield && used < sizeof allowed; i++)
		used += (size_t)snprintf(allowed + used, sizeof allowed - used, "%s%s",
					 i ? ", " : "", fields[i].name);
	return err_set(e, CL_EINPUT, "%s: unknown field \"%.64s\" (expected %s)", where(path),
		       it->string, allowed);
}

/* Check the JSON object obj against fields and store what it holds in the
 * struct at base; absent optional fields keep what base already has. */
static ClCode parse_object(const cJSON *obj, const char *path, const Field *fields, int nfield,
			   void *base, Err *e)
{
	char child[PATH_LEN];
	const cJSON *v;
	int i;

	if (!cJSON_IsObject(obj))
		return err_set(e, CL_EINPUT, "%s: must be a JSON object", where(path));
	if (check_keys(obj, path, fields, nfield, e))
		return CL_EINPUT;
	for (i = 0; i < nfield; i++) {
		path_key(child, path, fields[i].name);
		v = cJSON_GetObjectItemCaseSensitive(obj, fields[i].name);
		if (!v) {
			if (fields[i].required)
				return err_set(e, CL_EINPUT, "%s: is required", child);
			continue;
		}
		if (fields[i].check(&fields[i], v, child, base, e))
			return CL_EINPUT;
	}
	return CL_OK;
}

/* ---- the document ----------------------------------------------------- */

/* Parse json as a JSON object with nothing but blanks after it.  Returns
 * the tree (free with cJSON_Delete) or NULL with e set. */
static cJSON *parse_json(const char *json, size_t len, Err *e)
{
	const char *end = NULL;
	cJSON *root;

	if (!json || len == 0) {
		err_set(e, CL_EINPUT, "terms: the document is empty");
		return NULL;
	}
	if (json_check_nul("terms", json, len, e))
		return NULL;
	/* return_parse_end rather than cJSON_GetErrorPtr(): the latter is a
	 * global shared by the server's threads. */
	root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (!root) {
		err_set(e, CL_EINPUT, "terms: not valid JSON near byte %zu",
			end ? (size_t)(end - json) : (size_t)0);
		return NULL;
	}
	while (end < json + len && strchr(" \t\r\n", *end))
		end++;
	if (end < json + len) {
		err_set(e, CL_EINPUT, "terms: unexpected text after the document at byte %zu",
			(size_t)(end - json));
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* Checks that span fields. */
static ClCode terms_check_cross(const Terms *t, Err *e)
{
	char a[DATE_BUF], b[DATE_BUF];

	if (t->end < t->start)
		return err_set(e, CL_EINPUT, "end: %s is before start %s", date_format(t->end, a),
			       date_format(t->start, b));
	return CL_OK;
}

/* Parse and validate a terms document; see terms.h.  On failure *t is
 * zeroed.  OUT: *t. */
ClCode terms_parse(const char *json, size_t len, Terms *t, Err *e)
{
	ClCode rc = CL_EINPUT;
	cJSON *root;

	memset(t, 0, sizeof *t);
	t->due_days = DUE_DAYS_DEFAULT;
	t->status = CONTRACT_ACTIVE;
	root = parse_json(json, len, e);
	if (!root)
		goto out;
	if (parse_object(root, "", terms_fields, NFIELD(terms_fields), t, e) ||
	    terms_check_cross(t, e))
		goto out;
	rc = CL_OK;
out:
	cJSON_Delete(root);
	if (rc)
		memset(t, 0, sizeof *t);
	return rc;
}

/* The year of the schedule a change holds must be the one in force:
 * absent, it is that one; another is refused. */
static ClCode keep_year(const cJSON *obj, const char *name, Schedule *s, const Schedule *cur,
			Err *e)
{
	if (!cur->present)
		return CL_OK; /* a new schedule chooses its year */
	if (!cJSON_GetObjectItemCaseSensitive(obj, "year")) {
		s->year = cur->year;
		return CL_OK;
	}
	if (s->year != cur->year)
		return err_set(e, CL_EINPUT,
			       "%s.year: a %s schedule's year cannot change by amendment (it is "
			       "\"%s\")",
			       name, name, year_kind_name(cur->year));
	return CL_OK;
}

/* Checks of a change that span fields or compare with cur. */
static ClCode change_check(const cJSON *root, const Terms *cur, TermsChange *c, Err *e)
{
	char a[DATE_BUF], b[DATE_BUF];

	if ((c->has & TC_FEE) && keep_year(cJSON_GetObjectItemCaseSensitive(root, "fee"), "fee",
					   &c->t.fee, &cur->fee, e))
		return CL_EINPUT;
	if ((c->has & TC_REBATES) && keep_year(cJSON_GetObjectItemCaseSensitive(root, "rebates"),
					       "rebates", &c->t.rebates, &cur->rebates, e))
		return CL_EINPUT;
	if ((c->has & TC_STATUS) && c->t.status != CONTRACT_TERMINATED)
		return err_set(
			e, CL_EINPUT,
			"status: an amendment can only terminate a contract (\"terminated\"); "
			"\"%s\" follows from the dates",
			contract_status_name(c->t.status));
	if ((c->has & TC_END) && (c->has & TC_RENEW))
		return err_set(e, CL_EINPUT,
			       "renew: exercise a renewal option or set a new end, not both");
	if ((c->has & TC_END) && c->t.end < cur->start)
		return err_set(e, CL_EINPUT, "end: %s is before the start %s",
			       date_format(c->t.end, a), date_format(cur->start, b));
	return CL_OK;
}

ClCode terms_change_parse(const char *json, size_t len, const Terms *cur, TermsChange *c, Err *e)
{
	static const unsigned bit[] = {TC_FEE,	    TC_DISCOUNTS, TC_REBATES, TC_DUE_DAYS,
				       TC_LATE_FEE, TC_TOLERANCE, TC_END,     TC_STATUS,
				       TC_RENEWALS, TC_RENEW};
	ClCode rc = CL_EINPUT;
	cJSON *root;
	int i;

	memset(c, 0, sizeof *c);
	c->t = *cur;
	root = parse_json(json, len, e);
	if (!root)
		goto out;
	if (cJSON_IsObject(root) && !root->child) {
		err_set(e, CL_EINPUT,
			"changes: an amendment changes at least one of fee, discounts, rebates, "
			"due_days, late_fee, price_tolerance, end, status, renewals or renew");
		goto out;
	}
	if (parse_object(root, "", change_fields, NFIELD(change_fields), c, e))
		goto out;
	for (i = 0; i < NFIELD(change_fields); i++)
		if (cJSON_GetObjectItemCaseSensitive(root, change_fields[i].name))
			c->has |= bit[i];
	if (change_check(root, cur, c, e))
		goto out;
	rc = CL_OK;
out:
	cJSON_Delete(root);
	if (rc)
		memset(c, 0, sizeof *c);
	return rc;
}

/* Whether two schedules say the same. */
static int schedule_same(const Schedule *a, const Schedule *b)
{
	int i;

	if (a->present != b->present || a->nband != b->nband || a->mode != b->mode ||
	    a->year != b->year)
		return 0;
	for (i = 0; i < a->nband; i++)
		if (a->band[i].from != b->band[i].from || a->band[i].rate != b->band[i].rate)
			return 0;
	return 1;
}

void terms_change_drop_same(TermsChange *c, const Terms *cur)
{
	const Terms *n = &c->t;

	if (schedule_same(&n->fee, &cur->fee))
		c->has &= ~(unsigned)TC_FEE;
	if (schedule_same(&n->discounts, &cur->discounts))
		c->has &= ~(unsigned)TC_DISCOUNTS;
	if (schedule_same(&n->rebates, &cur->rebates))
		c->has &= ~(unsigned)TC_REBATES;
	if (n->due_days == cur->due_days)
		c->has &= ~(unsigned)TC_DUE_DAYS;
	if (cur->has_late_fee && n->late_fee_min == cur->late_fee_min &&
	    n->late_fee_rate == cur->late_fee_rate)
		c->has &= ~(unsigned)TC_LATE_FEE;
	if (n->price_tolerance == cur->price_tolerance)
		c->has &= ~(unsigned)TC_TOLERANCE;
	if (n->end == cur->end)
		c->has &= ~(unsigned)TC_END;
	if (n->renew_options == cur->renew_options && n->renew_years == cur->renew_years)
		c->has &= ~(unsigned)TC_RENEWALS;
}

void terms_change_apply(Terms *t, const TermsChange *c, Date effective)
{
	const Terms *n = &c->t;

	if (c->has & TC_FEE)
		t->fee = n->fee;
	if (c->has & TC_DISCOUNTS)
		t->discounts = n->discounts;
	if (c->has & TC_REBATES)
		t->rebates = n->rebates;
	if (c->has & TC_DUE_DAYS)
		t->due_days = n->due_days;
	if (c->has & TC_LATE_FEE) {
		t->has_late_fee = 1;
		t->late_fee_min = n->late_fee_min;
		t->late_fee_rate = n->late_fee_rate;
	}
	if (c->has & TC_TOLERANCE)
		t->price_tolerance = n->price_tolerance;
	if (c->has & TC_END)
		t->end = n->end;
	if (c->has & TC_RENEWALS) {
		t->renew_options = n->renew_options;
		t->renew_years = n->renew_years;
	}
	if ((c->has & TC_RENEW) && t->renew_options > 0) {
		t->end = date_add_years(t->end, t->renew_years);
		t->renew_options--;
	}
	if (c->has & TC_STATUS) {
		t->status = n->status;
		t->terminated_on = effective;
	}
}

/* ---- output ----------------------------------------------------------- */

/* The JSON names of the enums ("unknown" for a value out of range); the
 * strings are static. */
const char *contract_status_name(ContractStatus s)
{
	return (unsigned)s < 3 ? status_names[s] : "unknown";
}

const char *sched_mode_name(SchedMode m)
{
	return (unsigned)m < 2 ? mode_names[m] : "unknown";
}

const char *year_kind_name(YearKind y)
{
	return (unsigned)y < 2 ? year_names[y] : "unknown";
}

/* Add key: money string to o; 0 when out of memory. */
static int add_money(cJSON *o, const char *key, Money m)
{
	char buf[MONEY_BUF];

	return cJSON_AddStringToObject(o, key, money_format(m, buf)) != NULL;
}

/* Add key: rate string to o; 0 when out of memory. */
static int add_rate(cJSON *o, const char *key, Rate r)
{
	char buf[MONEY_BUF];

	return cJSON_AddStringToObject(o, key, rate_format(r, buf)) != NULL;
}

/* Add key: date string to o; 0 when out of memory. */
static int add_date(cJSON *o, const char *key, Date d)
{
	char buf[DATE_BUF];

	return cJSON_AddStringToObject(o, key, date_format(d, buf)) != NULL;
}

/* Add schedule s under key: {"year", "mode", list: [...]}, the first two
 * only when with_kind.  Returns 0 when out of memory. */
static int add_schedule(cJSON *o, const char *key, const Schedule *s, int with_kind,
			const char *list)
{
	cJSON *so = cJSON_AddObjectToObject(o, key), *arr, *b;
	int i, ok;

	if (!so)
		return 0;
	ok = !with_kind || (cJSON_AddStringToObject(so, "year", year_kind_name(s->year)) &&
			    cJSON_AddStringToObject(so, "mode", sched_mode_name(s->mode)));
	arr = cJSON_AddArrayToObject(so, list);
	ok = ok && arr;
	for (i = 0; ok && i < s->nband; i++) {
		b = cJSON_CreateObject();
		if (!b)
			return 0;
		cJSON_AddItemToArray(arr, b); /* arr owns b from here on */
		ok = add_money(b, "from", s->band[i].from) && add_rate(b, "rate", s->band[i].rate);
	}
	return ok;
}

/* renewals: {options, years}.  Returns 0 when out of memory. */
static int add_renewals(cJSON *o, const Terms *t)
{
	cJSON *r = cJSON_AddObjectToObject(o, "renewals");

	return r && cJSON_AddNumberToObject(r, "options", t->renew_options) &&
	       cJSON_AddNumberToObject(r, "years", t->renew_years);
}

/* The top-level text fields and dates.  Returns 0 when out of memory. */
static int add_head(cJSON *o, const Terms *t)
{
	return cJSON_AddStringToObject(o, "number", t->number) &&
	       cJSON_AddStringToObject(o, "title", t->title) &&
	       cJSON_AddStringToObject(o, "category", t->category) &&
	       cJSON_AddStringToObject(o, "lead_agency", t->lead_agency) &&
	       cJSON_AddStringToObject(o, "vendor", t->vendor) && add_date(o, "start", t->start) &&
	       add_date(o, "end", t->end) &&
	       cJSON_AddStringToObject(o, "solicitation", t->solicitation) &&
	       cJSON_AddStringToObject(o, "status", contract_status_name(t->status));
}

/* Schedules, due days, late fee and tolerance.  Returns 0 when out of
 * memory. */
static int add_tail(cJSON *o, const Terms *t)
{
	cJSON *lf;

	if (!add_schedule(o, "fee", &t->fee, 1, "bands"))
		return 0;
	if (t->discounts.present && !add_schedule(o, "discounts", &t->discounts, 0, "tiers"))
		return 0;
	if (t->rebates.present && !add_schedule(o, "rebates", &t->rebates, 1, "tiers"))
		return 0;
	if (!cJSON_AddNumberToObject(o, "due_days", t->due_days))
		return 0;
	if (t->has_late_fee) {
		lf = cJSON_AddObjectToObject(o, "late_fee");
		if (!lf || !add_money(lf, "min", t->late_fee_min) ||
		    !add_rate(lf, "rate", t->late_fee_rate))
			return 0;
	}
	if (!add_money(o, "price_tolerance", t->price_tolerance))
		return 0;
	return !(t->renew_options || t->renew_years) || add_renewals(o, t);
}

/* The change c as its partial document.  Returns 0 when out of memory. */
static int add_change(cJSON *o, const TermsChange *c)
{
	const Terms *t = &c->t;
	cJSON *lf;

	if ((c->has & TC_FEE) && !add_schedule(o, "fee", &t->fee, 1, "bands"))
		return 0;
	if ((c->has & TC_DISCOUNTS) && !add_schedule(o, "discounts", &t->discounts, 0, "tiers"))
		return 0;
	if ((c->has & TC_REBATES) && !add_schedule(o, "rebates", &t->rebates, 1, "tiers"))
		return 0;
	if ((c->has & TC_DUE_DAYS) && !cJSON_AddNumberToObject(o, "due_days", t->due_days))
		return 0;
	if (c->has & TC_LATE_FEE) {
		lf = cJSON_AddObjectToObject(o, "late_fee");
		if (!lf || !add_money(lf, "min", t->late_fee_min) ||
		    !add_rate(lf, "rate", t->late_fee_rate))
			return 0;
	}
	if ((c->has & TC_TOLERANCE) && !add_money(o, "price_tolerance", t->price_tolerance))
		return 0;
	if ((c->has & TC_END) && !add_date(o, "end", t->end))
		return 0;
	if ((c->has & TC_STATUS) &&
	    !cJSON_AddStringToObject(o, "status", contract_status_name(t->status)))
		return 0;
	if ((c->has & TC_RENEWALS) && !add_renewals(o, t))
		return 0;
	return !(c->has & TC_RENEW) || cJSON_AddTrueToObject(o, "renew");
}

char *terms_change_to_json(const TermsChange *c)
{
	cJSON *o = cJSON_CreateObject();
	char *txt = NULL, *out = NULL;

	if (!o || !add_change(o, c))
		goto out;
	txt = cJSON_PrintUnformatted(o);
	if (txt)
		out = strdup(txt);
out:
	cJSON_free(txt);
	cJSON_Delete(o);
	return out;
}

/* The canonical document of t, compact, keys in DOMAIN.md 4 order.  The
 * text is copied into malloc() memory so that free() is right even if
 * someone installs cJSON hooks.  Caller frees; NULL when out of memory. */
char *terms_to_json(const Terms *t)
{
	cJSON *o = cJSON_CreateObject();
	char *txt = NULL, *out = NULL;

	if (!o || !add_head(o, t) || !add_tail(o, t))
		goto out;
	txt = cJSON_PrintUnformatted(o);
	if (txt)
		out = strdup(txt);
out:
	cJSON_free(txt);
	cJSON_Delete(o);
	return out;
}

/* ---- schedules -------------------------------------------------------- */

/* Graduated S(x) for base >= first from: each band's rate on the part of
 * the base inside [from_i, from_{i+1}). */
static __int128 graduated_value(const Schedule *s, Money base)
{
	__int128 sum = 0, hi;
	int i;

	for (i = 0; i < s->nband && s->band[i].from <= base; i++) {
		hi = base;
		if (i + 1 < s->nband && s->band[i + 1].from < base)
			hi = s->band[i + 1].from;
		sum += (hi - s->band[i].from) * (__int128)s->band[i].rate;
	}
	return sum;
}

/* S(x) in cent·ppm; see terms.h.  A negative base takes the first band's
 * rate even when that band starts above 0 (rebate callers refuse a
 * non-positive base themselves). */
__int128 schedule_value(const Schedule *s, Money base)
{
	if (!s || s->nband <= 0)
		return 0;
	if (base < 0)
		return (__int128)base * s->band[0].rate;
	if (base < s->band[0].from)
		return 0;
	if (s->mode == SCHED_VOLUME)
		return (__int128)base * schedule_rate_at(s, base);
	return graduated_value(s, base);
}

/* round(S(x) / 10^6), half away from zero. */
Money schedule_amount(const Schedule *s, Money base)
{
	return (Money)money_div_round(schedule_value(s, base), RATE_ONE);
}

/* The rate of the highest band with from <= base; 0 below the first. */
Rate schedule_rate_at(const Schedule *s, Money base)
{
	Rate r = 0;
	int i;

	if (!s)
		return 0;
	for (i = 0; i < s->nband && s->band[i].from <= base; i++)
		r = s->band[i].rate;
	return r;
}

/* The first band with from > base, or -1 when base is in the top band. */
int schedule_next_band(const Schedule *s, Money base)
{
	int i;

	if (!s)
		return -1;
	for (i = 0; i < s->nband; i++)
		if (s->band[i].from > base)
			return i;
	return -1;
}
