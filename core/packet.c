/* packet.c — the due-diligence packet's facts; see packet.h. */
#include "packet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

void packet_free(Packet *p)
{
	terms_history_free(&p->h);
	free(p->quarter);
	p->quarter = NULL;
	p->nquarter = 0;
}

/* The member's public_entity flag and joined date.  OUT: p->member's
 * flag, p->joined. */
static ClCode packet_member(sqlite3 *db, const char *agency, Packet *p, Err *e)
{
	char joined[DATE_BUF + 8];
	DbRows q;
	ClCode rc, rc2;
	int found = 0;

	rc = db_rows(&q, db, e,
		     "SELECT a.public_entity, pt.joined FROM agency a JOIN participant pt "
		     "ON pt.agency_id = a.id WHERE a.code = ? AND pt.contract_id = ?",
		     "ti", agency, p->h.id);
	if (!rc && db_rows_next(&q)) {
		const unsigned char *t = sqlite3_column_text(q.st, 1);

		found = 1;
		p->public_entity = sqlite3_column_int(q.st, 0);
		snprintf(joined, sizeof joined, "%s", t ? (const char *)t : "");
	}
	rc2 = db_rows_end(&q, "reading the member", e);
	if (rc || rc2)
		return rc ? rc : rc2;
	if (!found)
		return err_set(e, CL_ENOTFOUND, "agency %s is not a participant of contract %s",
			       agency, p->now->number);
	return date_parse(joined, &p->joined, e);
}

/* The member's live lines up to today by quarter of invoice date. */
static ClCode packet_quarters(sqlite3 *db, const char *agency, Packet *p, Err *e)
{
	char day[DATE_BUF];
	DbRows q;
	ClCode rc, rc2;
	int cap = 0;

	rc = db_rows(&q, db, e,
		     "SELECT CAST(substr(s.day, 1, 4) AS INTEGER), "
		     "(CAST(substr(s.day, 6, 2) AS INTEGER) + 2) / 3, sum(s.lines), "
		     "sum(s.invoiced_amount) FROM sales_agency_day s JOIN agency a "
		     "ON a.id = s.agency_id WHERE s.contract_id = ? AND a.code = ? "
		     "AND s.day <= ? GROUP BY 1, 2 HAVING sum(s.lines) > 0 ORDER BY 1, 2",
		     "itt", p->h.id, agency, date_format(p->today, day));
	while (!rc && db_rows_next(&q)) {
		PacketQuarter *x;

		if (p->nquarter == cap) {
			int ncap = cap ? cap * 2 : 16;
			PacketQuarter *n = realloc(p->quarter, (size_t)ncap * sizeof *n);

			if (!n) {
				rc = err_set(e, CL_ENOMEM, "out of memory");
				break;
			}
			p->quarter = n;
			cap = ncap;
		}
		x = &p->quarter[p->nquarter++];
		x->q.year = sqlite3_column_int(q.st, 0);
		x->q.q = sqlite3_column_int(q.st, 1);
		x->lines = sqlite3_column_int(q.st, 2);
		x->net = sqlite3_column_int64(q.st, 3);
		p->total += x->net;
	}
	rc2 = db_rows_end(&q, "reading the member's purchases", e);
	return rc ? rc : rc2;
}

ClCode packet_load(sqlite3 *db, const char *number, const char *agency, Date today, Packet *p,
		   Err *e)
{
	ClCode rc;

	memset(p, 0, sizeof *p);
	p->today = today;
	if ((rc = terms_history_load(db, number, &p->h, e)))
		return rc;
	p->now = terms_in_force(&p->h, today);
	if ((rc = stmtdata_parties(db, p->h.id, &p->lead, &p->vendor, e)) ||
	    (rc = stmtdata_agency(db, agency, &p->member, e)) ||
	    (rc = packet_member(db, agency, p, e)) || (rc = packet_quarters(db, agency, p, e)))
		return rc;
	p->in_term = today >= p->now->start && today <= p->now->end;
	p->terminated = p->now->status == CONTRACT_TERMINATED;
	return CL_OK;
}
