-- 0009_remittance_reversal.sql — remittances become append-only like the
-- ledger (DOMAIN.md section 3).  A wrong remittance is reversed by a row
-- that negates it, names it (reverses_id) and gives a reason; both then
-- count nowhere (the live_remittance view).  Rows are hash-chained like
-- purchases.  SQLite cannot change a CHECK in place, so the table is
-- rebuilt with the same rows; their hashes are worked out in C before this
-- runs (remit_chain_existing(), into temp.remittance_chain), since SQL has
-- no SHA-256.  A row without its hash fails the NOT NULL below and the
-- whole migration is rolled back.
CREATE TABLE remittance_new (
	id          INTEGER PRIMARY KEY,
	contract_id INTEGER NOT NULL REFERENCES contract(id),
	quarter     TEXT NOT NULL CHECK (quarter GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),
	amount      INTEGER NOT NULL,
	received    TEXT NOT NULL,
	reference   TEXT NOT NULL CHECK (length(reference) BETWEEN 1 AND 64),
	recorded_by TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	reverses_id INTEGER REFERENCES remittance_new(id),
	reason      TEXT NOT NULL DEFAULT '',
	hash        TEXT NOT NULL CHECK (length(hash) = 64),
	-- an original is positive, its reversal the negative, with a reason
	CHECK ((reverses_id IS NULL) = (amount > 0)),
	CHECK (reverses_id IS NULL OR (amount < 0 AND reason <> ''))
);
INSERT INTO remittance_new (id, contract_id, quarter, amount, received, reference, recorded_by,
	created_at, hash)
SELECT m.id, m.contract_id, m.quarter, m.amount, m.received, m.reference, m.recorded_by,
	m.created_at, h.hash
FROM remittance m LEFT JOIN temp.remittance_chain h ON h.id = m.id;
DROP TABLE remittance;
ALTER TABLE remittance_new RENAME TO remittance;
DROP TABLE temp.remittance_chain;

CREATE INDEX remittance_contract ON remittance(contract_id, quarter);
-- a remittance is reversed at most once
CREATE UNIQUE INDEX remittance_reversal ON remittance(reverses_id) WHERE reverses_id IS NOT NULL;

CREATE TRIGGER remittance_no_update BEFORE UPDATE ON remittance
BEGIN SELECT RAISE(ABORT, 'remittances are append-only: correct one by reversing it'); END;
CREATE TRIGGER remittance_no_delete BEFORE DELETE ON remittance
BEGIN SELECT RAISE(ABORT, 'remittances are append-only: correct one by reversing it'); END;

-- Live remittances: neither reversed nor a reversal.
CREATE VIEW live_remittance AS
	SELECT m.* FROM remittance m
	WHERE m.reverses_id IS NULL
	  AND NOT EXISTS (SELECT 1 FROM remittance r WHERE r.reverses_id = m.id);
