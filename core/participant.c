/* participant.c — enrolling agencies and listing participants; see
 * participant.h. */
#include "participant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "buf.h"
#include "contract.h"
#include "db.h"

/* Check that code names a public agency and comes once in codes[0..i). */
static ClCode enroll_check(sqlite3 *db, const char *const *codes, int i, Err *e)
{
	const char *code = codes[i] ? codes[i] : "";
	int64_t id;
	int j;

	if (agency_id(db, code, &id, e))
		return e->code;
	if (!db_int(db, 0, "SELECT public_entity FROM agency WHERE id = ?", "i", id))
		return err_set(e, CL_ERULE,
			       "agency %s is not a public entity: only public agencies may join "
			       "a cooperative contract",
			       code);
	for (j = 0; j < i; j++)
		if (strcmp(codes[j], code) == 0)
			return err_set(e, CL_EINPUT, "agency %s is named twice", code);
	return CL_OK;
}

/* The agencies as the CSV participant_import_csv() reads: a header and
 * one row per code (codes checked: letters, digits, '-', '_', '.').
 * OUT: b. */
static ClCode enroll_csv(const char *const *codes, int n, Date joined, Buf *b, Err *e)
{
	char day[DATE_BUF];
	int i;

	date_format(joined, day);
	if (buf_puts(b, "agency_code,joined\n"))
		return err_set(e, CL_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		if (buf_printf(b, "%s,%s\n", codes[i], day))
			return err_set(e, CL_ENOMEM, "out of memory");
	return CL_OK;
}

/* A refusal of participant_import_csv() "row N (line M): why" as
 * "agency CODE: why", CODE the agency of row N. */
static void enroll_reword(const char *const *codes, int n, Err *e)
{
	char rest[ERR_MSG_MAX];
	unsigned long row;
	int used = 0;

	if (sscanf(e->msg, "row %lu (line %*u): %n", &row, &used) < 1 || used == 0 || row < 1 ||
	    row > (unsigned long)n)
		return;
	snprintf(rest, sizeof rest, "%s", e->msg + used);
	if (strstr(rest, codes[row - 1]))
		snprintf(e->msg, sizeof e->msg, "%s", rest);
	else
		snprintf(e->msg, sizeof e->msg, "agency %.32s: %.400s", codes[row - 1], rest);
}

ClCode participant_enroll(sqlite3 *db, const char *number, const char *const *codes, int n,
			  Date joined, const char *actor, int *added, Err *e)
{
	Err mine = {0};
	Buf b;
	FILE *f;
	ClCode rc = CL_OK;
	int i;

	e = e ? e : &mine;
	*added = 0;
	if (n < 1)
		return err_set(e, CL_EINPUT, "choose at least one agency to enroll");
	if (n > PARTICIPANT_ENROLL_MAX)
		return err_set(e, CL_EINPUT, "enroll at most %d agencies at once",
			       PARTICIPANT_ENROLL_MAX);
	for (i = 0; i < n && !rc; i++)
		rc = enroll_check(db, codes, i, e);
	buf_init(&b, (size_t)n * 64 + 64);
	if (!rc)
		rc = enroll_csv(codes, n, joined, &b, e);
	if (!rc && !(f = fmemopen(b.data, b.len, "r")))
		rc = err_set(e, CL_ENOMEM, "out of memory");
	if (!rc) {
		rc = participant_import_csv(db, number, f, NULL, actor, added, e);
		fclose(f);
		if (rc)
			enroll_reword(codes, n, e);
	}
	buf_free(&b);
	return rc;
}

ClCode participant_list(sqlite3 *db, const char *number, Date today, RowSet *out, Err *e)
{
	char day[DATE_BUF];
	DbRows q;

	return rowset_read(
		out,
		db_rows(&q, db, e,
			"SELECT a.code, a.name, p.joined, "
			"(SELECT coalesce(sum(s.lines), 0) FROM sales_agency_day s WHERE "
			"s.contract_id = c.id AND s.agency_id = a.id AND s.day <= ?1) AS lines, "
			"(SELECT coalesce(sum(s.invoiced_amount), 0) FROM sales_agency_day s WHERE "
			"s.contract_id = c.id AND s.agency_id = a.id AND s.day <= ?1) "
			"AS net_sales FROM participant p JOIN agency a ON a.id = p.agency_id "
			"JOIN contract c ON c.id = p.contract_id WHERE c.number = ?2 "
			"ORDER BY p.joined, a.code",
			"tt", date_format(today, day), number),
		&q, 0, "reading the participants", e);
}
