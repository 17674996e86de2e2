-- 0010_contract_amendment.sql — contracts change only by amendment
-- (DOMAIN.md 4.6).  The award's terms document stays as it was imported;
-- each amendment holds the partial document of what it changes, in force
-- from its effective date.  Amendments are append-only and hash-chained
-- like the ledger.  The contract row's end_date and status follow the
-- terms as amended, so that listings show them.
CREATE TABLE contract_amendment (
	id          INTEGER PRIMARY KEY,
	contract_id INTEGER NOT NULL REFERENCES contract(id),
	seq         INTEGER NOT NULL CHECK (seq >= 1),
	effective   TEXT NOT NULL,
	reference   TEXT NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
	changes     TEXT NOT NULL CHECK (json_valid(changes)),
	recorded_by TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	hash        TEXT NOT NULL CHECK (length(hash) = 64),
	UNIQUE (contract_id, seq)
);

CREATE TRIGGER contract_amendment_no_update BEFORE UPDATE ON contract_amendment
BEGIN SELECT RAISE(ABORT, 'amendments are append-only: amend again to change the terms'); END;
CREATE TRIGGER contract_amendment_no_delete BEFORE DELETE ON contract_amendment
BEGIN SELECT RAISE(ABORT, 'amendments are append-only: amend again to change the terms'); END;
