-- 0013_register.sql — members' purchase registers (DOMAIN.md 4.7): the
-- purchase orders a member issued to the vendor, exported from its finance
-- system, the independent evidence the completeness audit compares the
-- vendor's reports with.  Register lines never enter fee, rebate or
-- compliance figures: nothing that computes those reads these tables.
--
-- One register file imported is a register_batch.  Lines are append-only
-- and hash-chained like the ledger; a wrong batch is reversed whole (the
-- batch records who, when and why), and its lines then stop counting but
-- are kept (the live_register_line view).
CREATE TABLE register_batch (
	id              INTEGER PRIMARY KEY,
	contract_id     INTEGER NOT NULL REFERENCES contract(id),
	agency_id       INTEGER REFERENCES agency(id), -- NULL: a staff file of several agencies
	file_name       TEXT NOT NULL,
	sha256          TEXT NOT NULL,
	rows_total      INTEGER NOT NULL DEFAULT 0,
	rows_accepted   INTEGER NOT NULL DEFAULT 0,
	rows_duplicate  INTEGER NOT NULL DEFAULT 0,
	rows_rejected   INTEGER NOT NULL DEFAULT 0,
	amount_total    INTEGER NOT NULL DEFAULT 0,
	result_json     TEXT,
	created_by      TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	reversed_at     TEXT,
	reversed_by     TEXT,
	reverse_reason  TEXT,
	CHECK ((reversed_at IS NULL) = (reversed_by IS NULL)),
	CHECK (reversed_at IS NULL OR length(reverse_reason) > 0)
);
CREATE INDEX register_batch_contract ON register_batch(contract_id, agency_id);
CREATE INDEX register_batch_sha ON register_batch(contract_id, sha256);

-- A reversed batch stays reversed; no batch is deleted.
CREATE TRIGGER register_batch_stays_reversed BEFORE UPDATE ON register_batch
WHEN OLD.reversed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a reversed register batch cannot change'); END;
CREATE TRIGGER register_batch_no_delete BEFORE DELETE ON register_batch
BEGIN SELECT RAISE(ABORT, 'register batches are kept: reverse one instead'); END;

-- One purchase order of a member's register.  Among the lines of live
-- batches, (contract, agency, po_number) is unique (checked on import).
CREATE TABLE register_line (
	id          INTEGER PRIMARY KEY,
	contract_id INTEGER NOT NULL REFERENCES contract(id),
	agency_id   INTEGER NOT NULL REFERENCES agency(id),
	po_number   TEXT NOT NULL CHECK (length(po_number) BETWEEN 1 AND 64),
	po_date     TEXT NOT NULL CHECK (po_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
	amount      INTEGER NOT NULL CHECK (amount > 0),
	description TEXT NOT NULL DEFAULT '',
	batch_id    INTEGER NOT NULL REFERENCES register_batch(id),
	created_at  TEXT NOT NULL,
	created_by  TEXT NOT NULL,
	hash        TEXT NOT NULL CHECK (length(hash) = 64)
);
CREATE INDEX register_line_po ON register_line(contract_id, agency_id, po_number);
CREATE INDEX register_line_batch ON register_line(batch_id);
CREATE INDEX register_line_date ON register_line(contract_id, po_date);

CREATE TRIGGER register_line_no_update BEFORE UPDATE ON register_line
BEGIN SELECT RAISE(ABORT, 'register lines are append-only: reverse the batch instead'); END;
CREATE TRIGGER register_line_no_delete BEFORE DELETE ON register_line
BEGIN SELECT RAISE(ABORT, 'register lines are append-only: reverse the batch instead'); END;

-- The lines that count: those of batches not reversed.
CREATE VIEW live_register_line AS
	SELECT l.* FROM register_line l JOIN register_batch b ON b.id = l.batch_id
	WHERE b.reversed_at IS NULL;

-- A member's own finance-export headers, as vendor_column_map is for
-- vendors: header is the normalised header text, column the register
-- column it stands for.
CREATE TABLE register_column_map (
	agency_id INTEGER NOT NULL REFERENCES agency(id),
	header    TEXT NOT NULL CHECK (length(header) BETWEEN 1 AND 100),
	column    TEXT NOT NULL CHECK (column IN ('agency_code', 'po_number', 'po_date', 'amount',
	              'description')),
	PRIMARY KEY (agency_id, header)
) WITHOUT ROWID;
