/* audit.c — append-only audit log; see audit.h. */
#include "audit.h"

#include <stdio.h>

#include "buf.h"
#include "chain.h"
#include "db.h"

ClCode audit_record(sqlite3 *db, const char *actor, const char *action, const char *entity,
		    const char *entity_id, const char *before, const char *after, Err *e)
{
	char prev[CHAIN_HEX], hash[CHAIN_HEX], now[TIMESTAMP_BUF];
	int64_t id;
	Buf b;
	ClCode rc;

	if (!db_text(db, prev, sizeof prev, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1",
		     ""))
		snprintf(prev, sizeof prev, "%s", chain_genesis);
	id = db_int(db, 0, "SELECT max(id) FROM audit_log", "") + 1;
	db_timestamp(now);

	buf_init(&b, 1 << 24);
	canon_int(&b, id);
	canon_text(&b, now);
	canon_text(&b, actor);
	canon_text(&b, action);
	canon_text(&b, entity);
	canon_text(&b, entity_id ? entity_id : "");
	canon_text(&b, before);
	canon_text(&b, after);
	chain_hash(prev, &b, hash);
	buf_free(&b);

	rc = db_exec(
		db, e,
		"INSERT INTO audit_log(id, at, actor, action, entity, entity_id, before, after, "
		"hash) VALUES (?,?,?,?,?,?,?,?,?)",
		"ittttttt"
		"t",
		id, now, actor, action, entity, entity_id ? entity_id : "", before, after, hash);
	if (rc)
		err_prefix(e, "recording the audit log");
	return rc;
}
