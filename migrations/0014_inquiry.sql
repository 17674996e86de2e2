-- 0014_inquiry.sql — completeness inquiries (DOMAIN.md 4.7): staff ask the
-- vendor, for one quarter, about every unreported and under-reported
-- register PO dated in that quarter or earlier.  An inquiry keeps the POs
-- exactly as it listed them, so its CSV attachment can be drawn again
-- byte for byte (the e-mail, the vendor's portal, staff pages).  One
-- inquiry per contract, quarter and day.  The outbox takes the new kind
-- (its CHECK is widened by rebuilding the table with the same rows, as
-- 0012 did).
CREATE TABLE outbox_new (
	id           INTEGER PRIMARY KEY,
	kind         TEXT NOT NULL CHECK (kind IN ('statement_ready', 'fee_statement',
	                 'report_reminder', 'report_overdue', 'fee_overdue',
	                 'user_invite', 'password_reset', 'contract_expiring',
	                 'completeness_inquiry')),
	recipient    TEXT NOT NULL CHECK (recipient LIKE '%_@_%'),
	contract     TEXT NOT NULL,
	period       TEXT NOT NULL,
	rcpt_name    TEXT NOT NULL DEFAULT '',
	agency       TEXT,                 -- agency code (member notices)
	vendor       TEXT,                 -- vendor code (vendor notices)
	data_json    TEXT NOT NULL CHECK (json_valid(data_json)),
	token        TEXT NOT NULL,        -- random part of the Message-ID
	state        TEXT NOT NULL DEFAULT 'queued'
	                 CHECK (state IN ('queued', 'sending', 'sent', 'retrying', 'dead')),
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_attempt INTEGER NOT NULL,     -- unix seconds
	last_error   TEXT NOT NULL DEFAULT '',
	queued_on    TEXT NOT NULL,        -- the as-of date that found it due
	created_at   TEXT NOT NULL,
	sent_at      TEXT,
	claim        TEXT NOT NULL DEFAULT '',  -- the sending sender's token
	lease_until  INTEGER NOT NULL DEFAULT 0, -- unix seconds; then the claim lapses
	UNIQUE (kind, recipient, contract, period),
	CHECK (state <> 'sending' OR claim <> '')
);
INSERT INTO outbox_new SELECT id, kind, recipient, contract, period, rcpt_name, agency, vendor,
	data_json, token, state, attempts, next_attempt, last_error, queued_on, created_at,
	sent_at, claim, lease_until FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(state, next_attempt);

-- One inquiry sent: what it asked about, who sent it and when.
CREATE TABLE inquiry (
	id          INTEGER PRIMARY KEY,
	contract_id INTEGER NOT NULL REFERENCES contract(id),
	quarter     TEXT NOT NULL CHECK (quarter GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),
	sent_on     TEXT NOT NULL CHECK (sent_on GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
	actor       TEXT NOT NULL,
	po_count    INTEGER NOT NULL CHECK (po_count > 0),
	gap         INTEGER NOT NULL CHECK (gap > 0),     -- cents
	fee_at_risk INTEGER NOT NULL CHECK (fee_at_risk >= 0),
	notices     INTEGER NOT NULL CHECK (notices > 0), -- vendor contacts written to
	created_at  TEXT NOT NULL,
	UNIQUE (contract_id, quarter, sent_on)
);

-- The POs an inquiry listed, in its order (seq), as they stood that day.
CREATE TABLE inquiry_po (
	inquiry_id      INTEGER NOT NULL REFERENCES inquiry(id),
	seq             INTEGER NOT NULL,
	agency_code     TEXT NOT NULL,
	agency_name     TEXT NOT NULL,
	po_number       TEXT NOT NULL,
	po_date         TEXT NOT NULL,
	register_amount INTEGER NOT NULL,
	reported_amount INTEGER NOT NULL,
	status          TEXT NOT NULL CHECK (status IN ('unreported', 'under_reported')),
	gap             INTEGER NOT NULL,
	fee_at_risk     INTEGER NOT NULL,
	PRIMARY KEY (inquiry_id, seq)
) WITHOUT ROWID;

-- What was sent stays as it was sent.
CREATE TRIGGER inquiry_no_update BEFORE UPDATE ON inquiry
BEGIN SELECT RAISE(ABORT, 'an inquiry sent is kept as sent'); END;
CREATE TRIGGER inquiry_no_delete BEFORE DELETE ON inquiry
BEGIN SELECT RAISE(ABORT, 'an inquiry sent is kept as sent'); END;
CREATE TRIGGER inquiry_po_no_update BEFORE UPDATE ON inquiry_po
BEGIN SELECT RAISE(ABORT, 'an inquiry sent is kept as sent'); END;
CREATE TRIGGER inquiry_po_no_delete BEFORE DELETE ON inquiry_po
BEGIN SELECT RAISE(ABORT, 'an inquiry sent is kept as sent'); END;
