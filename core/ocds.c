/* ocds.c — a contract as an OCDS 1.1 release package; see ocds.h. */
#include "ocds.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"

#define OCID_MAX 320

/* "YYYY-MM-DDT00:00:00Z" of d into buf (32). */
static char *ocds_time(Date d, char *buf)
{
	char day[DATE_BUF];

	snprintf(buf, 32, "%sT00:00:00Z", date_format(d, day));
	return buf;
}

static int64_t contract_id(sqlite3 *db, const char *number)
{
	return db_int(db, 0, "SELECT id FROM contract WHERE number = ?", "t", number);
}

ClCode ocds_publishing(sqlite3 *db, const char *number, int *on, Err *e)
{
	unsigned long since = db_read_failures(NULL);
	int64_t id = contract_id(db, number);

	*on = 0;
	if (db_reads_failed(since, "reading the contract", e))
		return e->code;
	if (!id)
		return err_set(e, CL_ENOTFOUND, "there is no contract %s", number);
	*on = (int)db_int(db, 0,
			  "SELECT publish_purchases FROM ocds_publishing WHERE contract_id = ?",
			  "i", id);
	if (db_reads_failed(since, "reading the contract's publishing", e))
		return e->code;
	return CL_OK;
}

ClCode ocds_set_publishing(sqlite3 *db, const char *number, int on, const char *actor, Err *e)
{
	char before[48], after[48], at[TIMESTAMP_BUF];
	int was = 0;
	ClCode rc;

	on = on ? 1 : 0;
	if ((rc = db_begin(db, e)))
		return rc;
	rc = ocds_publishing(db, number, &was, e);
	if (!rc)
		rc = db_exec(
			db, e,
			"INSERT INTO ocds_publishing (contract_id, publish_purchases, changed_at, "
			"changed_by) VALUES ((SELECT id FROM contract WHERE number = ?), ?, ?, ?) "
			"ON CONFLICT (contract_id) DO UPDATE SET publish_purchases = "
			"excluded.publish_purchases, changed_at = excluded.changed_at, "
			"changed_by = excluded.changed_by",
			"titt", number, (int64_t)on, db_timestamp(at), actor);
	if (!rc) {
		snprintf(before, sizeof before, "{\"publish_purchases\":%s}",
			 was ? "true" : "false");
		snprintf(after, sizeof after, "{\"publish_purchases\":%s}", on ? "true" : "false");
		rc = audit_record(db, actor, "contract.ocds_publishing", "contract", number, before,
				  after, e);
	}
	if (!rc)
		rc = db_commit(db, e);
	if (rc)
		db_rollback(db);
	return rc;
}

/* A party reference {id, name}. */
static cJSON *ocds_ref(const char *id, const char *name)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "name", name);
	return o;
}

/* A party with its roles (role2 may be NULL). */
static cJSON *ocds_party(const char *id, const char *name, const char *role1, const char *role2)
{
	cJSON *o = ocds_ref(id, name), *roles = cJSON_AddArrayToObject(o, "roles");

	cJSON_AddItemToArray(roles, cJSON_CreateString(role1));
	if (role2)
		cJSON_AddItemToArray(roles, cJSON_CreateString(role2));
	return o;
}

/* {amount, currency} of m, the amount written exactly from cents. */
static cJSON *ocds_value(Money m)
{
	char buf[MONEY_BUF];
	cJSON *o = cJSON_CreateObject();

	cJSON_AddRawToObject(o, "amount", money_format(m, buf));
	cJSON_AddStringToObject(o, "currency", "USD");
	return o;
}

static cJSON *ocds_period(Date a, Date b)
{
	char t[32];
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "startDate", ocds_time(a, t));
	cJSON_AddStringToObject(o, "endDate", ocds_time(b, t));
	return o;
}

static void add_strings(cJSON *o, const char *key, const char *const *s, int n)
{
	cJSON *a = cJSON_AddArrayToObject(o, key);
	int i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(s[i]));
}

/* What the framework release names. */
typedef struct Framework {
	const TermsHistory *h;
	const Terms *now;
	Date today;
	Party lead, vendor;
	char ocid[96], lead_id[48], vendor_id[48]; /* numbers are at most 63 bytes */
} Framework;

/* The contract's amendments as contracts[].amendments. */
static ClCode ocds_amendments(cJSON *c, const Framework *f, ChangeWords words, Err *e)
{
	cJSON *arr;
	char id[OCID_MAX], t[32], *changes;
	int i;

	if (!f->h->n)
		return CL_OK;
	arr = cJSON_AddArrayToObject(c, "amendments");
	for (i = 0; i < f->h->n; i++) {
		const Amendment *a = &f->h->amend[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddItemToArray(arr, o);
		snprintf(id, sizeof id, "%s-amendment-%d", f->now->number, a->seq);
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddStringToObject(o, "date", ocds_time(a->effective, t));
		cJSON_AddStringToObject(o, "rationale", a->reference);
		changes = words(a->changes, f->h->ver[i + 1].end);
		if (!changes)
			return err_set(e, CL_ENOMEM, "out of memory");
		cJSON_AddStringToObject(o, "description", changes);
		free(changes);
	}
	return CL_OK;
}

/* The release of the framework agreement. */
static ClCode ocds_framework(cJSON *releases, const Framework *f, ChangeWords words, Err *e)
{
	static const char *const tag[] = {"tender", "award", "contract", "contractAmendment"};
	const Terms *aw = &f->h->ver[0], *now = f->now;
	cJSON *r = cJSON_CreateObject(), *parties, *x, *y;
	char id[OCID_MAX + 16], t[32], details[256];
	Date date = now->start;
	int i, nin = 0;

	cJSON_AddItemToArray(releases, r);
	for (i = 0; i < f->h->n; i++)
		if (f->h->amend[i].effective <= f->today) {
			nin = i + 1;
			date = f->h->amend[i].effective;
		}
	cJSON_AddStringToObject(r, "ocid", f->ocid);
	snprintf(id, sizeof id, "%s-%d", f->ocid, nin);
	cJSON_AddStringToObject(r, "id", id);
	cJSON_AddStringToObject(r, "date", ocds_time(date, t));
	add_strings(r, "tag", tag, f->h->n ? 4 : 3);
	cJSON_AddStringToObject(r, "initiationType", "tender");
	cJSON_AddStringToObject(r, "language", "en");
	parties = cJSON_AddArrayToObject(r, "parties");
	cJSON_AddItemToArray(parties,
			     ocds_party(f->lead_id, f->lead.name, "procuringEntity", "buyer"));
	cJSON_AddItemToArray(parties, ocds_party(f->vendor_id, f->vendor.name, "supplier", NULL));
	cJSON_AddItemToObject(r, "buyer", ocds_ref(f->lead_id, f->lead.name));

	x = cJSON_AddObjectToObject(r, "tender");
	cJSON_AddStringToObject(x, "id", aw->solicitation[0] ? aw->solicitation : aw->number);
	cJSON_AddStringToObject(x, "title", aw->title);
	cJSON_AddStringToObject(x, "status", "complete");
	cJSON_AddItemToObject(x, "procuringEntity", ocds_ref(f->lead_id, f->lead.name));
	cJSON_AddStringToObject(x, "procurementMethod", "open");
	snprintf(details, sizeof details,
		 "Competitively solicited (%s); a cooperative contract that any public entity "
		 "may join and use",
		 aw->solicitation[0] ? aw->solicitation : "solicitation on file");
	cJSON_AddStringToObject(x, "procurementMethodDetails", details);
	y = cJSON_AddObjectToObject(x, "techniques");
	cJSON_AddTrueToObject(y, "hasFrameworkAgreement");
	cJSON_AddItemToObject(x, "contractPeriod", ocds_period(aw->start, aw->end));

	x = cJSON_AddArrayToObject(r, "awards");
	y = cJSON_CreateObject();
	cJSON_AddItemToArray(x, y);
	snprintf(id, sizeof id, "%s-award", aw->number);
	cJSON_AddStringToObject(y, "id", id);
	cJSON_AddStringToObject(y, "title", aw->title);
	cJSON_AddStringToObject(y, "status", "active");
	cJSON_AddStringToObject(y, "date", ocds_time(aw->start, t));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(y, "suppliers"),
			     ocds_ref(f->vendor_id, f->vendor.name));
	cJSON_AddItemToObject(y, "contractPeriod", ocds_period(aw->start, aw->end));

	x = cJSON_AddArrayToObject(r, "contracts");
	y = cJSON_CreateObject();
	cJSON_AddItemToArray(x, y);
	cJSON_AddStringToObject(y, "id", now->number);
	cJSON_AddStringToObject(y, "awardID", id);
	cJSON_AddStringToObject(y, "title", now->title);
	cJSON_AddStringToObject(y, "status", "active");
	cJSON_AddItemToObject(y, "period", ocds_period(now->start, now->end));
	return ocds_amendments(y, f, words, e);
}

/* One release per member order (agency and PO) of live lines invoiced
 * up to today, linked to the framework. */
static ClCode ocds_orders(sqlite3 *db, cJSON *releases, const Framework *f, Err *e)
{
	static const char *const tag[] = {"award", "contract"};
	char day[DATE_BUF], ocid[OCID_MAX], id[OCID_MAX + 16], member_id[48], t[32];
	DbRows q;
	ClCode rc, rc2;

	rc = db_rows(
		&q, db, e,
		"SELECT a.code, a.name, p.po_number, min(p.invoice_date), max(p.invoice_date), "
		"sum(p.invoiced_amount) FROM live_purchase p JOIN agency a ON a.id = "
		"p.agency_id WHERE p.contract_id = ? AND p.invoice_date <= ? "
		"GROUP BY a.id, p.po_number ORDER BY a.code, p.po_number",
		"it", f->h->id, date_format(f->today, day));
	while (!rc && db_rows_next(&q)) {
		const char *code = (const char *)sqlite3_column_text(q.st, 0);
		const char *name = (const char *)sqlite3_column_text(q.st, 1);
		const char *po = (const char *)sqlite3_column_text(q.st, 2);
		Money net = sqlite3_column_int64(q.st, 5);
		Date first, last;
		cJSON *r, *x, *y;

		if ((rc = date_parse((const char *)sqlite3_column_text(q.st, 3), &first, e)) ||
		    (rc = date_parse((const char *)sqlite3_column_text(q.st, 4), &last, e)))
			break;
		snprintf(ocid, sizeof ocid, "%s-%s-%s", f->ocid, code, po);
		snprintf(member_id, sizeof member_id, "agency-%s", code);
		r = cJSON_CreateObject();
		cJSON_AddItemToArray(releases, r);
		cJSON_AddStringToObject(r, "ocid", ocid);
		snprintf(id, sizeof id, "%s-%s", ocid, day);
		cJSON_AddStringToObject(r, "id", id);
		cJSON_AddStringToObject(r, "date", ocds_time(last, t));
		add_strings(r, "tag", tag, 2);
		cJSON_AddStringToObject(r, "initiationType", "tender");
		cJSON_AddStringToObject(r, "language", "en");
		x = cJSON_AddArrayToObject(r, "parties");
		cJSON_AddItemToArray(x, ocds_party(member_id, name, "buyer", NULL));
		cJSON_AddItemToArray(x, ocds_party(f->vendor_id, f->vendor.name, "supplier", NULL));
		cJSON_AddItemToObject(r, "buyer", ocds_ref(member_id, name));
		x = cJSON_CreateObject();
		cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "relatedProcesses"), x);
		cJSON_AddStringToObject(x, "id", "1");
		add_strings(x, "relationship", (const char *const[]){"framework"}, 1);
		cJSON_AddStringToObject(x, "title", f->now->title);
		cJSON_AddStringToObject(x, "scheme", "ocid");
		cJSON_AddStringToObject(x, "identifier", f->ocid);
		snprintf(id, sizeof id, "%s-%s", code, po);
		x = cJSON_CreateObject();
		cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "awards"), x);
		cJSON_AddStringToObject(x, "id", id);
		cJSON_AddStringToObject(x, "status", "active");
		cJSON_AddStringToObject(x, "date", ocds_time(first, t));
		cJSON_AddItemToObject(x, "value", ocds_value(net));
		cJSON_AddItemToArray(cJSON_AddArrayToObject(x, "suppliers"),
				     ocds_ref(f->vendor_id, f->vendor.name));
		y = cJSON_CreateObject();
		cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "contracts"), y);
		cJSON_AddStringToObject(y, "id", id);
		cJSON_AddStringToObject(y, "awardID", id);
		cJSON_AddStringToObject(y, "status", "active");
		cJSON_AddStringToObject(y, "dateSigned", ocds_time(first, t));
		cJSON_AddItemToObject(y, "value", ocds_value(net));
	}
	rc2 = db_rows_end(&q, "reading the members' orders", e);
	return rc ? rc : rc2;
}

ClCode ocds_package(sqlite3 *db, const char *number, Date today, const char *uri, ChangeWords words,
		    char **json, Err *e)
{
	TermsHistory h;
	Framework f;
	cJSON *pkg = NULL, *releases;
	char t[32];
	int publish = 0;
	ClCode rc;

	*json = NULL;
	memset(&f, 0, sizeof f);
	if ((rc = terms_history_load(db, number, &h, e)))
		return rc;
	f.h = &h;
	f.now = terms_in_force(&h, today);
	f.today = today;
	if (f.now->status == CONTRACT_TERMINATED || today < f.now->start || today > f.now->end) {
		rc = err_set(e, CL_ENOTFOUND, "there is no active contract %s", number);
		goto out;
	}
	if ((rc = stmtdata_parties(db, h.id, &f.lead, &f.vendor, e)) ||
	    (rc = ocds_publishing(db, number, &publish, e)))
		goto out;
	snprintf(f.ocid, sizeof f.ocid, "%s%s", OCDS_PREFIX, number);
	snprintf(f.lead_id, sizeof f.lead_id, "agency-%s", f.lead.code);
	snprintf(f.vendor_id, sizeof f.vendor_id, "vendor-%s", f.vendor.code);

	pkg = cJSON_CreateObject();
	cJSON_AddStringToObject(pkg, "uri", uri);
	cJSON_AddStringToObject(pkg, "version", "1.1");
	cJSON_AddStringToObject(pkg, "publishedDate", ocds_time(today, t));
	cJSON_AddItemToObject(pkg, "publisher", cJSON_CreateObject());
	cJSON_AddStringToObject(cJSON_GetObjectItem(pkg, "publisher"), "name", f.lead.name);
	releases = cJSON_AddArrayToObject(pkg, "releases");
	rc = ocds_framework(releases, &f, words, e);
	if (!rc && publish)
		rc = ocds_orders(db, releases, &f, e);
	if (!rc && !(*json = cJSON_PrintUnformatted(pkg)))
		rc = err_set(e, CL_ENOMEM, "out of memory");
out:
	cJSON_Delete(pkg);
	terms_history_free(&h);
	return rc;
}
