/* audit.c — append-only audit log; see audit.h. */
#include "audit.h"

#include <stdio.h>

#include "buf.h"
#include "chain.h"
#include "db.h"

/* The id and hash the next audit row chains to: the last row's, or none
 * and the genesis hash in an empty log.  OUT: *id (the next id), prev. */
static ClCode audit_last(sqlite3 *db, int64_t *id, char prev[CHAIN_HEX], Err *e)
{
	ClCode rc, end;
	DbRows q;

	*id = 1;
	snprintf(prev, CHAIN_HEX, "%s", chain_genesis);
	rc = db_rows(&q, db, e, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", "");
	if (!rc && db_rows_next(&q)) {
		*id = sqlite3_column_int64(q.st, 0) + 1;
		snprintf(prev, CHAIN_HEX, "%s", (const char *)sqlite3_column_text(q.st, 1));
	}
	end = db_rows_end(&q, "reading the last audit row", e);
	return rc ? rc : end;
}

/* The canonical text of an audit row into b; CL_ENOMEM past its cap. */
static ClCode audit_canon(Buf *b, int64_t id, const char *now, const char *actor,
			  const char *action, const char *entity, const char *entity_id,
			  const char *before, const char *after)
{
	if (canon_int(b, id) || canon_text(b, now) || canon_text(b, actor) ||
	    canon_text(b, action) || canon_text(b, entity) || canon_text(b, entity_id) ||
	    canon_text(b, before) || canon_text(b, after))
		return CL_ENOMEM;
	return CL_OK;
}

ClCode audit_record(sqlite3 *db, const char *actor, const char *action, const char *entity,
		    const char *entity_id, const char *before, const char *after, Err *e)
{
	char prev[CHAIN_HEX], hash[CHAIN_HEX], now[TIMESTAMP_BUF];
	int64_t id;
	Buf b;
	ClCode rc;

	if (!entity_id)
		entity_id = "";
	rc = audit_last(db, &id, prev, e);
	if (rc)
		goto out;
	db_timestamp(now);
	buf_init(&b, 1 << 24);
	rc = audit_canon(&b, id, now, actor, action, entity, entity_id, before, after);
	if (!rc)
		chain_hash(prev, &b, hash);
	buf_free(&b);
	if (rc) {
		rc = err_set(e, CL_ENOMEM, "the audit row is too long to hash");
		goto out;
	}
	rc = db_exec(
		db, e,
		"INSERT INTO audit_log(id, at, actor, action, entity, entity_id, before, after, "
		"hash) VALUES (?,?,?,?,?,?,?,?,?)",
		"ittttttt"
		"t",
		id, now, actor, action, entity, entity_id, before, after, hash);
out:
	if (rc)
		err_prefix(e, "recording the audit log");
	return rc;
}
