-- 0001_init.sql — the records of DOMAIN.md section 3.
-- Money columns are INTEGER cents, rates INTEGER ppm, dates TEXT YYYY-MM-DD,
-- timestamps TEXT in UTC ("YYYY-MM-DDTHH:MM:SSZ").

CREATE TABLE agency (
	id            INTEGER PRIMARY KEY,
	code          TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
	name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	kind          TEXT NOT NULL CHECK (kind IN ('school_district', 'city', 'county',
	                  'state_agency', 'higher_ed', 'special_district', 'nonprofit')),
	state         TEXT NOT NULL CHECK (length(state) = 2),
	public_entity INTEGER NOT NULL DEFAULT 1 CHECK (public_entity IN (0, 1)),
	address       TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL
);

CREATE TABLE agency_contact (
	id               INTEGER PRIMARY KEY,
	agency_id        INTEGER NOT NULL REFERENCES agency(id),
	name             TEXT NOT NULL DEFAULT '',
	email            TEXT NOT NULL CHECK (email LIKE '%_@_%'),
	role             TEXT NOT NULL DEFAULT 'purchasing',
	receives_notices INTEGER NOT NULL DEFAULT 1 CHECK (receives_notices IN (0, 1)),
	UNIQUE (agency_id, email)
);

CREATE TABLE vendor (
	id         INTEGER PRIMARY KEY,
	code       TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
	name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	address    TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);

CREATE TABLE vendor_contact (
	id               INTEGER PRIMARY KEY,
	vendor_id        INTEGER NOT NULL REFERENCES vendor(id),
	name             TEXT NOT NULL DEFAULT '',
	email            TEXT NOT NULL CHECK (email LIKE '%_@_%'),
	role             TEXT NOT NULL DEFAULT 'sales reporting',
	receives_notices INTEGER NOT NULL DEFAULT 1 CHECK (receives_notices IN (0, 1)),
	UNIQUE (vendor_id, email)
);

CREATE TABLE contract (
	id             INTEGER PRIMARY KEY,
	number         TEXT NOT NULL UNIQUE CHECK (length(number) BETWEEN 1 AND 63),
	title          TEXT NOT NULL,
	category       TEXT NOT NULL DEFAULT '',
	lead_agency_id INTEGER NOT NULL REFERENCES agency(id),
	vendor_id      INTEGER NOT NULL REFERENCES vendor(id),
	start_date     TEXT NOT NULL,
	end_date       TEXT NOT NULL,
	status         TEXT NOT NULL DEFAULT 'active'
	                   CHECK (status IN ('active', 'expired', 'terminated')),
	solicitation   TEXT NOT NULL DEFAULT '',
	terms_json     TEXT NOT NULL CHECK (json_valid(terms_json)),
	created_at     TEXT NOT NULL,
	CHECK (end_date >= start_date)
);

CREATE TABLE participant (
	contract_id INTEGER NOT NULL REFERENCES contract(id),
	agency_id   INTEGER NOT NULL REFERENCES agency(id),
	joined      TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	PRIMARY KEY (contract_id, agency_id)
) WITHOUT ROWID;

-- One vendor sales report (or a batch of lines entered together).
CREATE TABLE import_batch (
	id              INTEGER PRIMARY KEY,
	contract_id     INTEGER NOT NULL REFERENCES contract(id),
	file_name       TEXT NOT NULL,
	sha256          TEXT NOT NULL,
	period          TEXT CHECK (period IS NULL OR period GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),
	filed_on        TEXT NOT NULL,
	rows_total      INTEGER NOT NULL DEFAULT 0,
	rows_accepted   INTEGER NOT NULL DEFAULT 0,
	rows_duplicate  INTEGER NOT NULL DEFAULT 0,
	rows_rejected   INTEGER NOT NULL DEFAULT 0,
	list_total      INTEGER NOT NULL DEFAULT 0,
	invoiced_total  INTEGER NOT NULL DEFAULT 0,
	result_json     TEXT,
	created_by      TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	reversed_at     TEXT,
	reversed_by     TEXT,
	reverse_reason  TEXT
);
CREATE INDEX import_batch_contract ON import_batch(contract_id, period);
CREATE INDEX import_batch_sha ON import_batch(contract_id, sha256);

-- The ledger.  Append only: no row is ever updated or deleted (triggers
-- below).  A reversal is a row with reverses_id set, negating that row.
-- revision counts re-entries of the same identity after reversals, so the
-- identity (contract, invoice_number, line) is unique among entered lines.
CREATE TABLE purchase (
	id              INTEGER PRIMARY KEY,
	contract_id     INTEGER NOT NULL REFERENCES contract(id),
	agency_id       INTEGER NOT NULL REFERENCES agency(id),
	po_number       TEXT NOT NULL CHECK (length(po_number) BETWEEN 1 AND 64),
	invoice_number  TEXT NOT NULL CHECK (length(invoice_number) BETWEEN 1 AND 64),
	line            INTEGER NOT NULL DEFAULT 1 CHECK (line >= 1),
	revision        INTEGER NOT NULL DEFAULT 0 CHECK (revision >= 0),
	invoice_date    TEXT NOT NULL CHECK (invoice_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
	description     TEXT NOT NULL DEFAULT '',
	category        TEXT NOT NULL DEFAULT '',
	quantity        TEXT NOT NULL DEFAULT '',
	list_amount     INTEGER NOT NULL,
	invoiced_amount INTEGER NOT NULL,
	freight_amount  INTEGER NOT NULL DEFAULT 0,
	tax_amount      INTEGER NOT NULL DEFAULT 0,
	batch_id        INTEGER REFERENCES import_batch(id),
	reverses_id     INTEGER REFERENCES purchase(id),
	reason          TEXT NOT NULL DEFAULT '',
	created_at      TEXT NOT NULL,
	created_by      TEXT NOT NULL,
	hash            TEXT NOT NULL CHECK (length(hash) = 64),
	CHECK (reverses_id IS NULL OR reason <> '')
);
CREATE UNIQUE INDEX purchase_identity
	ON purchase(contract_id, invoice_number, line, revision) WHERE reverses_id IS NULL;
-- a line is reversed at most once
CREATE UNIQUE INDEX purchase_reversal ON purchase(reverses_id) WHERE reverses_id IS NOT NULL;
CREATE INDEX purchase_contract_date ON purchase(contract_id, invoice_date);
CREATE INDEX purchase_agency ON purchase(agency_id, contract_id);
CREATE INDEX purchase_batch ON purchase(batch_id);

CREATE TRIGGER purchase_no_update BEFORE UPDATE ON purchase
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: correct a line by reversing it'); END;
CREATE TRIGGER purchase_no_delete BEFORE DELETE ON purchase
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: correct a line by reversing it'); END;

-- Live lines: neither reversed nor a reversal.
CREATE VIEW live_purchase AS
	SELECT p.* FROM purchase p
	WHERE p.reverses_id IS NULL
	  AND NOT EXISTS (SELECT 1 FROM purchase r WHERE r.reverses_id = p.id);

CREATE TABLE remittance (
	id          INTEGER PRIMARY KEY,
	contract_id INTEGER NOT NULL REFERENCES contract(id),
	quarter     TEXT NOT NULL CHECK (quarter GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),
	amount      INTEGER NOT NULL CHECK (amount > 0),
	received    TEXT NOT NULL,
	reference   TEXT NOT NULL CHECK (length(reference) BETWEEN 1 AND 64),
	recorded_by TEXT NOT NULL,
	created_at  TEXT NOT NULL
);
CREATE INDEX remittance_contract ON remittance(contract_id, quarter);

-- A quarter with no row is open.
CREATE TABLE period (
	quarter    TEXT PRIMARY KEY CHECK (quarter GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),
	status     TEXT NOT NULL CHECK (status IN ('open', 'closed')),
	changed_at TEXT NOT NULL,
	changed_by TEXT NOT NULL,
	reason     TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

CREATE TABLE audit_log (
	id        INTEGER PRIMARY KEY,
	at        TEXT NOT NULL,
	actor     TEXT NOT NULL,
	action    TEXT NOT NULL,
	entity    TEXT NOT NULL,
	entity_id TEXT NOT NULL DEFAULT '',
	before    TEXT CHECK (before IS NULL OR json_valid(before)),
	after     TEXT CHECK (after IS NULL OR json_valid(after)),
	hash      TEXT NOT NULL CHECK (length(hash) = 64)
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE app_user (
	id            INTEGER PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (email LIKE '%_@_%'),
	password_hash TEXT NOT NULL,
	role          TEXT NOT NULL CHECK (role IN ('admin', 'finance', 'member', 'vendor')),
	agency_id     INTEGER REFERENCES agency(id),
	vendor_id     INTEGER REFERENCES vendor(id),
	disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	created_at    TEXT NOT NULL,
	CHECK ((role = 'member') = (agency_id IS NOT NULL)),
	CHECK ((role = 'vendor') = (vendor_id IS NOT NULL))
);

-- Web sign-in sessions and API tokens; only hashes of the secrets are kept.
CREATE TABLE user_session (
	id          INTEGER PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES app_user(id),
	token_hash  TEXT NOT NULL UNIQUE,
	csrf_token  TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	last_seen   TEXT NOT NULL,
	expires_at  TEXT NOT NULL
);

CREATE TABLE api_token (
	id          INTEGER PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES app_user(id),
	name        TEXT NOT NULL DEFAULT '',
	token_hash  TEXT NOT NULL UNIQUE,
	created_at  TEXT NOT NULL,
	last_used   TEXT,
	revoked_at  TEXT
);
