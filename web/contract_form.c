/* contract_form.c — the new-contract form; see contract_form.h. */
#include "contract_form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "terms_check.h"

/* A field of the form that is not a schedule row. */
typedef struct FieldSpec {
	const char *name;      /* the form field */
	const char *path;      /* where it goes in the terms document */
	const char *label;     /* what the form calls it */
	const char *hint;      /* shown after the label, or NULL */
	const char *type;      /* input type ("text", "date"), or "menu" */
	const char *inputmode; /* the keyboard a phone shows, or NULL */
	int size;	       /* input size, or 0 */
	int required;
} FieldSpec;

static const FieldSpec fields[] = {
	{"number", "number", "Contract number", "letters, digits and - _ . /", "text", NULL, 20, 1},
	{"title", "title", "Title", NULL, "text", NULL, 40, 1},
	{"category", "category", "Category", "optional, e.g. furniture", "text", NULL, 20, 0},
	{"lead_agency", "lead_agency", "Lead agency", NULL, "menu", NULL, 0, 1},
	{"vendor", "vendor", "Vendor", NULL, "menu", NULL, 0, 1},
	{"start", "start", "Start", "the term's first day", "date", NULL, 0, 1},
	{"end", "end", "End", "the term's last day", "date", NULL, 0, 1},
	{"solicitation", "solicitation", "Solicitation", "optional, e.g. RFP 25-0147", "text", NULL,
	 20, 0},
	{"fee_year", "fee.year", "Fee year", NULL, "menu", NULL, 0, 0},
	{"fee_mode", "fee.mode", "Fee bands apply", NULL, "menu", NULL, 0, 0},
	{"reb_year", "rebates.year", "Rebate year", NULL, "menu", NULL, 0, 0},
	{"reb_mode", "rebates.mode", "Rebate tiers apply", NULL, "menu", NULL, 0, 0},
	{"due_days", "due_days", "Fee due", "days after each quarter ends", "text", "numeric", 4,
	 0},
	{"late_min", "late_fee.min", "Late fee at least", "optional, money such as 200.00", "text",
	 "decimal", 10, 0},
	{"late_rate", "late_fee.rate", "Late fee rate", "of the amount unpaid, such as 25%", "text",
	 NULL, 8, 0},
	{"price_tolerance", "price_tolerance", "Price tolerance",
	 "money a line may pass its expected amount by", "text", "decimal", 10, 0},
	{"renew_options", "renewals.options", "Renewal options", "optional, how many", "text",
	 "numeric", 4, 0},
	{"renew_years", "renewals.years", "Years each renewal adds", NULL, "text", "numeric", 4, 0},
};

#define NFIELDS (sizeof fields / sizeof fields[0])

/* A schedule of the form: a table of rows "from" and "rate". */
typedef struct SchedSpec {
	const char *prefix;    /* its form fields: prefix_from_N, prefix_rate_N */
	const char *key;       /* its terms document field */
	const char *list;      /* the array of its bands */
	const char *noun;      /* one row */
	const char *from_head; /* what "from" counts */
} SchedSpec;

static const SchedSpec scheds[CFORM_NSCHED] = {
	{"fee", "fee", "bands", "Fee band", "From (the fee year's sales)"},
	{"disc", "discounts", "tiers", "Discount tier", "From (an order's list total)"},
	{"reb", "rebates", "tiers", "Rebate tier", "From (contract-wide volume)"},
};

/* A fieldset, for the problems of an object of the document as a whole. */
typedef struct GroupSpec {
	const char *name; /* its id is g-name */
	const char *key;  /* its terms document field */
	const char *label;
} GroupSpec;

static const GroupSpec groups[] = {
	{"fee", "fee", "Administrative fee"},	  {"disc", "discounts", "Discounts"},
	{"reb", "rebates", "Volume rebates"},	  {"late", "late_fee", "Late fee"},
	{"renew", "renewals", "Renewal options"},
};

#define NGROUPS (sizeof groups / sizeof groups[0])

/* ---- values ------------------------------------------------------------ */

void cform_init(ContractForm *f)
{
	int s;

	memset(f, 0, sizeof *f);
	f->value = cJSON_CreateObject();
	f->problem = cJSON_CreateArray();
	f->top = cJSON_CreateArray();
	for (s = 0; s < CFORM_NSCHED; s++)
		f->rows[s] = CFORM_ROWS;
}

void cform_free(ContractForm *f)
{
	cJSON_Delete(f->value);
	cJSON_Delete(f->problem);
	cJSON_Delete(f->top);
	memset(f, 0, sizeof *f);
}

/* The text typed into form field name, "" when none. */
static const char *val(const ContractForm *f, const char *name)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f->value, name));

	return s ? s : "";
}

/* Set form field name to text (NULL: ""). */
static void set_val(ContractForm *f, const char *name, const char *text)
{
	cJSON_DeleteItemFromObjectCaseSensitive(f->value, name);
	cJSON_AddStringToObject(f->value, name, text ? text : "");
}

/* The form field of column col ("from", "rate") of row of schedule s,
 * into buf (size n). */
static char *cell_name(char *buf, size_t n, int s, const char *col, int row)
{
	snprintf(buf, n, "%s_%s_%d", scheds[s].prefix, col, row);
	return buf;
}

/* 1 when text holds nothing but blanks. */
static int blank(const char *text)
{
	return text[strspn(text, " \t")] == '\0';
}

void cform_defaults(ContractForm *f)
{
	set_val(f, "fee_year", "contract");
	set_val(f, "fee_mode", "graduated");
	set_val(f, "reb_year", "contract");
	set_val(f, "reb_mode", "volume");
	set_val(f, "fee_from_0", "0");
	set_val(f, "due_days", "45");
	set_val(f, "price_tolerance", "0");
}

void cform_read(ContractForm *f, const Req *r)
{
	char from[48], rate[48];
	size_t i;
	int s, row;

	for (i = 0; i < NFIELDS; i++)
		set_val(f, fields[i].name, req_field(r, fields[i].name));
	for (s = 0; s < CFORM_NSCHED; s++) {
		for (row = 0; row < TERMS_MAX_BANDS; row++) {
			cell_name(from, sizeof from, s, "from", row);
			cell_name(rate, sizeof rate, s, "rate", row);
			if (!req_field(r, from) && !req_field(r, rate))
				break;
			set_val(f, from, req_field(r, from));
			set_val(f, rate, req_field(r, rate));
		}
		f->rows[s] = row ? row : CFORM_ROWS;
	}
}

void cform_more_rows(ContractForm *f)
{
	int s;

	for (s = 0; s < CFORM_NSCHED; s++)
		f->rows[s] = f->rows[s] + CFORM_MORE > TERMS_MAX_BANDS ? TERMS_MAX_BANDS
								       : f->rows[s] + CFORM_MORE;
}

/* ---- the document ------------------------------------------------------ */

/* text as a whole number, blanks around it allowed.  0 (OUT: *out), or -1
 * when it is none. */
static int whole_number(const char *text, long *out)
{
	char *end;
	long v;

	text += strspn(text, " \t");
	if (!((*text >= '0' && *text <= '9') || *text == '-'))
		return -1;
	v = strtol(text, &end, 10);
	end += strspn(end, " \t");
	if (end == text || *end || v < -1000000 || v > 1000000)
		return -1;
	*out = v;
	return 0;
}

/* doc[key] = the text of form field name; a blank one is left out unless
 * keep_blank (a required field: the document's own check says so). */
static void put_text(cJSON *doc, const char *key, const ContractForm *f, const char *name,
		     int keep_blank)
{
	const char *v = val(f, name);

	if (keep_blank || !blank(v))
		cJSON_AddStringToObject(doc, key, v);
}

/* doc[key] = form field name as a JSON number; left out when blank, and a
 * problem of the form when it is no whole number (example: one that is). */
static void put_count(ContractForm *f, cJSON *doc, const char *key, const char *name,
		      const char *example)
{
	const char *v = val(f, name);
	char msg[160];
	long n;

	if (blank(v))
		return;
	if (whole_number(v, &n)) {
		snprintf(msg, sizeof msg, "\"%.40s\" is not a whole number; write one such as %s",
			 v, example);
		cform_problem_at(f, name, msg);
		return;
	}
	cJSON_AddNumberToObject(doc, key, (double)n);
}

/* The bands of schedule s that were typed (rows not blank), as an array;
 * remembers which row each came from. */
static cJSON *typed_bands(ContractForm *f, int s)
{
	cJSON *arr = cJSON_CreateArray(), *b;
	char from[48], rate[48];
	int row;

	f->nband[s] = 0;
	for (row = 0; row < f->rows[s] && row < TERMS_MAX_BANDS; row++) {
		cell_name(from, sizeof from, s, "from", row);
		cell_name(rate, sizeof rate, s, "rate", row);
		if (blank(val(f, from)) && blank(val(f, rate)))
			continue;
		b = cJSON_CreateObject();
		cJSON_AddStringToObject(b, "from", val(f, from));
		cJSON_AddStringToObject(b, "rate", val(f, rate));
		cJSON_AddItemToArray(arr, b);
		f->row_of[s][f->nband[s]++] = row;
	}
	return arr;
}

/* doc[key] = schedule s; discounts and rebates are left out when no row
 * was typed. */
static void put_schedule(ContractForm *f, cJSON *doc, int s)
{
	const SchedSpec *sp = &scheds[s];
	cJSON *bands = typed_bands(f, s), *o;
	char name[48];

	if (s != CFORM_FEE && f->nband[s] == 0) {
		cJSON_Delete(bands);
		return;
	}
	o = cJSON_AddObjectToObject(doc, sp->key);
	if (s != CFORM_DISC) {
		snprintf(name, sizeof name, "%s_year", sp->prefix);
		put_text(o, "year", f, name, 0);
		snprintf(name, sizeof name, "%s_mode", sp->prefix);
		put_text(o, "mode", f, name, 0);
	}
	cJSON_AddItemToObject(o, sp->list, bands);
}

/* doc[key] = {a: field na, b: field nb} as text, when either was typed. */
static void put_pair(cJSON *doc, const char *key, const ContractForm *f, const char *a,
		     const char *na, const char *b, const char *nb)
{
	cJSON *o;

	if (blank(val(f, na)) && blank(val(f, nb)))
		return;
	o = cJSON_AddObjectToObject(doc, key);
	put_text(o, a, f, na, 1);
	put_text(o, b, f, nb, 1);
}

/* doc.renewals = {options, years} as numbers, when either was typed. */
static void put_renewals(ContractForm *f, cJSON *doc)
{
	cJSON *o;

	if (blank(val(f, "renew_options")) && blank(val(f, "renew_years")))
		return;
	o = cJSON_AddObjectToObject(doc, "renewals");
	put_count(f, o, "options", "renew_options", "2");
	put_count(f, o, "years", "renew_years", "1");
}

char *cform_document(ContractForm *f)
{
	cJSON *doc = cJSON_CreateObject();
	char *text, *out;
	int s;

	put_text(doc, "number", f, "number", 1);
	put_text(doc, "title", f, "title", 1);
	put_text(doc, "category", f, "category", 0);
	put_text(doc, "lead_agency", f, "lead_agency", 1);
	put_text(doc, "vendor", f, "vendor", 1);
	put_text(doc, "start", f, "start", 1);
	put_text(doc, "end", f, "end", 1);
	put_text(doc, "solicitation", f, "solicitation", 0);
	for (s = 0; s < CFORM_NSCHED; s++)
		put_schedule(f, doc, s);
	put_count(f, doc, "due_days", "due_days", "45");
	put_pair(doc, "late_fee", f, "min", "late_min", "rate", "late_rate");
	put_text(doc, "price_tolerance", f, "price_tolerance", 0);
	put_renewals(f, doc);
	text = cJSON_PrintUnformatted(doc);
	out = text ? strdup(text) : NULL; /* free(), whatever cJSON's hooks */
	cJSON_free(text);
	cJSON_Delete(doc);
	return out;
}

/* ---- the form from a document ------------------------------------------ */

/* The value at path ("fee.year": two levels at most) of doc, or NULL. */
static const cJSON *at_path(const cJSON *doc, const char *path)
{
	const char *dot = strchr(path, '.');
	char key[48];

	if (!dot)
		return cJSON_GetObjectItemCaseSensitive(doc, path);
	snprintf(key, sizeof key, "%.*s", (int)(dot - path), path);
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, key),
						dot + 1);
}

/* Form field name = JSON value v: a string as it is, a number as it was
 * most likely written, "" for anything else. */
static void fill_value(ContractForm *f, const char *name, const cJSON *v)
{
	char num[64];

	if (cJSON_IsString(v))
		set_val(f, name, v->valuestring);
	else if (cJSON_IsNumber(v)) {
		if (v->valuedouble == (double)(long long)v->valuedouble)
			snprintf(num, sizeof num, "%lld", (long long)v->valuedouble);
		else
			snprintf(num, sizeof num, "%.15g", v->valuedouble);
		set_val(f, name, num);
	} else
		set_val(f, name, "");
}

/* The rows of schedule s from doc: band i on row i. */
static void fill_schedule(ContractForm *f, const cJSON *doc, int s)
{
	const cJSON *sched = cJSON_GetObjectItemCaseSensitive(doc, scheds[s].key);
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(sched, scheds[s].list), *band;
	char from[48], rate[48];
	int i = 0;

	if (cJSON_IsArray(arr)) {
		cJSON_ArrayForEach(band, arr)
		{
			if (i == TERMS_MAX_BANDS)
				break;
			fill_value(f, cell_name(from, sizeof from, s, "from", i),
				   cJSON_GetObjectItemCaseSensitive(band, "from"));
			fill_value(f, cell_name(rate, sizeof rate, s, "rate", i),
				   cJSON_GetObjectItemCaseSensitive(band, "rate"));
			f->row_of[s][i] = i;
			i++;
		}
	}
	f->nband[s] = i;
	f->rows[s] = i > CFORM_ROWS ? i : CFORM_ROWS;
}

void cform_fill(ContractForm *f, const char *json, size_t len)
{
	cJSON *doc = json && len ? cJSON_ParseWithLength(json, len) : NULL;
	size_t i;
	int s;

	for (i = 0; i < NFIELDS; i++)
		fill_value(f, fields[i].name, at_path(doc, fields[i].path));
	for (s = 0; s < CFORM_NSCHED; s++)
		fill_schedule(f, doc, s);
	cJSON_Delete(doc);
}

/* ---- problems ---------------------------------------------------------- */

/* The label of form field name (a cell: "Fee band 2: rate") into buf
 * (size n). */
static const char *label_of(const char *name, char *buf, size_t n)
{
	char col[8];
	size_t i;
	int s, row;

	for (i = 0; i < NFIELDS; i++)
		if (strcmp(fields[i].name, name) == 0)
			return fields[i].label;
	for (s = 0; s < CFORM_NSCHED; s++) {
		size_t len = strlen(scheds[s].prefix);

		if (strncmp(name, scheds[s].prefix, len) == 0 && name[len] == '_' &&
		    sscanf(name + len + 1, "%4[a-z]_%d", col, &row) == 2) {
			snprintf(buf, n, "%s %d: %s", scheds[s].noun, row + 1, col);
			return buf;
		}
	}
	return name;
}

/* Add {name, label, message, anchor} to the problems, once a name. */
static void add_problem(ContractForm *f, const char *name, const char *label, const char *msg,
			const char *anchor)
{
	const cJSON *p;
	cJSON *o;

	cJSON_ArrayForEach(p, f->problem)
	{
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(p, "name")), name) == 0)
			return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "label", label);
	cJSON_AddStringToObject(o, "message", msg);
	cJSON_AddStringToObject(o, "anchor", anchor);
	cJSON_AddItemToArray(f->problem, o);
}

void cform_problem_at(ContractForm *f, const char *name, const char *msg)
{
	char label[64], anchor[80];

	snprintf(anchor, sizeof anchor, "f-%s", name);
	add_problem(f, name, label_of(name, label, sizeof label), msg, anchor);
}

/* The form field of band path rest ("[2].rate") of schedule s, into name
 * (size n).  0, or -1 when it names no cell. */
static int cell_of(const ContractForm *f, int s, const char *rest, char *name, size_t n)
{
	char *end;
	long i;

	if (rest[0] != '[')
		return -1;
	i = strtol(rest + 1, &end, 10);
	if (end == rest + 1 || *end != ']' || i < 0 || i >= f->nband[s])
		return -1;
	if (strcmp(end + 1, "") == 0 || strcmp(end + 1, ".from") == 0)
		cell_name(name, n, s, "from", f->row_of[s][i]);
	else if (strcmp(end + 1, ".rate") == 0)
		cell_name(name, n, s, "rate", f->row_of[s][i]);
	else
		return -1;
	return 0;
}

/* The form field the document path names, into name (size n).  0, or -1
 * when it names none. */
static int field_of(const ContractForm *f, const char *path, char *name, size_t n)
{
	char list[64];
	size_t i, len;
	int s;

	for (i = 0; i < NFIELDS; i++) {
		if (strcmp(fields[i].path, path) == 0) {
			snprintf(name, n, "%s", fields[i].name);
			return 0;
		}
	}
	for (s = 0; s < CFORM_NSCHED; s++) {
		len = (size_t)snprintf(list, sizeof list, "%s.%s", scheds[s].key, scheds[s].list);
		if (strncmp(path, list, len) == 0 && !cell_of(f, s, path + len, name, n))
			return 0;
	}
	return -1;
}

/* The fieldset whose document field path is or is inside, or -1. */
static int group_of(const char *path)
{
	size_t g, len;

	for (g = 0; g < NGROUPS; g++) {
		len = strlen(groups[g].key);
		if (strncmp(path, groups[g].key, len) == 0 &&
		    (path[len] == '\0' || path[len] == '.' || path[len] == '['))
			return (int)g;
	}
	return -1;
}

void cform_problem(ContractForm *f, const char *path, const char *msg)
{
	const char *beside = msg;
	char name[64], anchor[80];
	size_t len = strlen(path);
	int g;

	if (len && strncmp(msg, path, len) == 0 && strncmp(msg + len, ": ", 2) == 0)
		beside = msg + len + 2;
	if (len && !field_of(f, path, name, sizeof name))
		cform_problem_at(f, name, beside);
	else if (len && (g = group_of(path)) >= 0) {
		snprintf(anchor, sizeof anchor, "g-%s", groups[g].name);
		add_problem(f, groups[g].name, groups[g].label, msg, anchor);
	} else
		cJSON_AddItemToArray(f->top, cJSON_CreateString(msg));
}

int cform_problems(const ContractForm *f)
{
	return cJSON_GetArraySize(f->problem) + cJSON_GetArraySize(f->top);
}

/* The message beside form field (or fieldset) name, or NULL. */
static const char *problem_of(const ContractForm *f, const char *name)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, f->problem)
	{
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(p, "name")), name) == 0)
			return cJSON_GetStringValue(cJSON_GetObjectItem(p, "message"));
	}
	return NULL;
}

/* ---- the page's context ------------------------------------------------ */

/* o[key] = text, or false when text is NULL (so that a template's
 * section does not find the key further out). */
static void add_text_or_false(cJSON *o, const char *key, const char *text)
{
	if (text)
		cJSON_AddStringToObject(o, key, text);
	else
		cJSON_AddFalseToObject(o, key);
}

/* Add option {value, text, selected} to menu. */
static void add_option(cJSON *menu, const char *value, const char *text, const char *chosen)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "value", value);
	cJSON_AddStringToObject(o, "text", text);
	cJSON_AddBoolToObject(o, "selected", strcmp(value, chosen) == 0);
	cJSON_AddItemToArray(menu, o);
}

/* The options of menu of records rows (code, name), after the empty one
 * (first). */
static cJSON *record_menu(const RowSet *rows, const char *first, const char *chosen)
{
	cJSON *menu = cJSON_CreateArray();
	char text[400];
	int i;

	add_option(menu, "", first, chosen);
	for (i = 0; rows && i < rows->nrow; i++) {
		snprintf(text, sizeof text, "%s · %s", rowset_text(rows, i, "code"),
			 rowset_text(rows, i, "name"));
		add_option(menu, rowset_text(rows, i, "code"), text, chosen);
	}
	return menu;
}

/* The options of the menu field fs, chosen the one selected. */
static cJSON *menu_of(const FieldSpec *fs, const char *chosen, const RowSet *agencies,
		      const RowSet *vendors)
{
	cJSON *menu;

	if (strcmp(fs->name, "lead_agency") == 0)
		return record_menu(agencies, "Choose the lead agency", chosen);
	if (strcmp(fs->name, "vendor") == 0)
		return record_menu(vendors, "Choose the vendor", chosen);
	menu = cJSON_CreateArray();
	if (strstr(fs->name, "_year")) {
		add_option(menu, "contract", "Contract years, from the start date", chosen);
		add_option(menu, "calendar", "Calendar years", chosen);
	} else {
		add_option(menu, "graduated", "Graduated: each rate on the part inside its band",
			   chosen);
		add_option(menu, "volume", "Volume: the rate of the band reached, on all of it",
			   chosen);
	}
	return menu;
}

/* One field of the form for partial_form_field.mustache. */
static cJSON *field_json(const ContractForm *f, const FieldSpec *fs, const RowSet *agencies,
			 const RowSet *vendors)
{
	cJSON *o = cJSON_CreateObject();
	int menu = strcmp(fs->type, "menu") == 0;

	cJSON_AddStringToObject(o, "name", fs->name);
	cJSON_AddStringToObject(o, "label", fs->label);
	add_text_or_false(o, "hint", fs->hint);
	cJSON_AddStringToObject(o, "value", val(f, fs->name));
	add_text_or_false(o, "error", problem_of(f, fs->name));
	cJSON_AddBoolToObject(o, "required", fs->required);
	cJSON_AddStringToObject(o, "type", fs->type);
	add_text_or_false(o, "inputmode", fs->inputmode);
	if (fs->size)
		cJSON_AddNumberToObject(o, "size", fs->size);
	else
		cJSON_AddFalseToObject(o, "size");
	cJSON_AddBoolToObject(o, "menu", menu);
	if (menu)
		cJSON_AddItemToObject(o, "options",
				      menu_of(fs, val(f, fs->name), agencies, vendors));
	return o;
}

/* One cell of a schedule's table. */
static cJSON *cell_json(const ContractForm *f, int s, const char *col, int row)
{
	cJSON *o = cJSON_CreateObject();
	char name[48], label[64];

	cell_name(name, sizeof name, s, col, row);
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "value", val(f, name));
	cJSON_AddStringToObject(o, "label", label_of(name, label, sizeof label));
	add_text_or_false(o, "error", problem_of(f, name));
	add_text_or_false(o, "inputmode", strcmp(col, "from") == 0 ? "decimal" : NULL);
	return o;
}

/* Schedule s for partial_form_rows.mustache. */
static cJSON *sched_json(const ContractForm *f, int s)
{
	cJSON *o = cJSON_CreateObject(), *rows = cJSON_AddArrayToObject(o, "rows"), *row;
	int i;

	cJSON_AddStringToObject(o, "prefix", scheds[s].prefix);
	cJSON_AddStringToObject(o, "noun", scheds[s].noun);
	cJSON_AddStringToObject(o, "from_head", scheds[s].from_head);
	cJSON_AddNumberToObject(o, "max", TERMS_MAX_BANDS);
	for (i = 0; i < f->rows[s]; i++) {
		row = cJSON_CreateObject();
		cJSON_AddNumberToObject(row, "n", i + 1);
		cJSON_AddItemToObject(row, "from", cell_json(f, s, "from", i));
		cJSON_AddItemToObject(row, "rate", cell_json(f, s, "rate", i));
		cJSON_AddItemToArray(rows, row);
	}
	return o;
}

void cform_context(const ContractForm *f, cJSON *ctx, const RowSet *agencies, const RowSet *vendors)
{
	cJSON *fo = cJSON_AddObjectToObject(ctx, "f"), *so = cJSON_AddObjectToObject(ctx, "sched"),
	      *go = cJSON_AddObjectToObject(ctx, "group");
	size_t i;
	int s;

	for (i = 0; i < NFIELDS; i++)
		cJSON_AddItemToObject(fo, fields[i].name,
				      field_json(f, &fields[i], agencies, vendors));
	for (s = 0; s < CFORM_NSCHED; s++)
		cJSON_AddItemToObject(so, scheds[s].prefix, sched_json(f, s));
	for (i = 0; i < NGROUPS; i++)
		add_text_or_false(go, groups[i].name, problem_of(f, groups[i].name));
	cJSON_AddItemToObject(ctx, "summary", cJSON_Duplicate(f->problem, 1));
	cJSON_AddItemToObject(ctx, "top", cJSON_Duplicate(f->top, 1));
}
