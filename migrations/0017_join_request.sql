-- 0017_join_request.sql — requests to join a contract from its public page
-- (DOMAIN.md section 7).  Anyone may send one without signing in, so the
-- table bounds itself: core/joinreq.c counts its rows of the last hour per
-- client address and per e-mail, and refuses a request while too many are
-- pending.  A request is pending until staff approve it (the agency code
-- and joined date they chose) or decline it (the reason).  The agency must
-- be a public entity: the requester's statement is required, and a kind
-- that is not a public body needs staff to confirm its status
-- (public_confirmed) before approval.  The outbox takes the requester's
-- two notices (its CHECK is widened by rebuilding the table with the same
-- rows, as 0014 did).
CREATE TABLE join_request (
	id               INTEGER PRIMARY KEY,
	contract_id      INTEGER NOT NULL REFERENCES contract(id),
	agency_name      TEXT NOT NULL CHECK (length(agency_name) BETWEEN 1 AND 200),
	kind             TEXT NOT NULL CHECK (kind IN ('school_district', 'city', 'county',
	                     'state_agency', 'higher_ed', 'special_district', 'nonprofit')),
	us_state         TEXT NOT NULL CHECK (us_state GLOB '[A-Z][A-Z]'),
	agency_code      TEXT NOT NULL DEFAULT '' CHECK (length(agency_code) <= 32),
	contact_name     TEXT NOT NULL CHECK (length(contact_name) BETWEEN 1 AND 200),
	email            TEXT NOT NULL CHECK (email LIKE '%_@_%' AND length(email) <= 254),
	public_statement INTEGER NOT NULL CHECK (public_statement = 1),
	client           TEXT NOT NULL DEFAULT '' CHECK (length(client) <= 64),
	created_at       TEXT NOT NULL,
	created_unix     INTEGER NOT NULL,  -- unix seconds, for the hourly limits
	state            TEXT NOT NULL DEFAULT 'pending'
	                     CHECK (state IN ('pending', 'approved', 'declined')),
	decided_by       TEXT,
	decided_at       TEXT,
	approved_code    TEXT,              -- the agency code staff chose
	joined           TEXT CHECK (joined IS NULL OR
	                     joined GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
	decline_reason   TEXT,
	public_confirmed INTEGER NOT NULL DEFAULT 0 CHECK (public_confirmed IN (0, 1)),
	CHECK (state <> 'approved' OR (approved_code IS NOT NULL AND joined IS NOT NULL)),
	CHECK (state <> 'declined' OR length(decline_reason) > 0),
	CHECK ((state = 'pending') = (decided_at IS NULL))
);
CREATE INDEX join_request_client ON join_request(client, created_unix);
CREATE INDEX join_request_email ON join_request(email, created_unix);
CREATE INDEX join_request_state ON join_request(state, id);

CREATE TABLE outbox_new (
	id           INTEGER PRIMARY KEY,
	kind         TEXT NOT NULL CHECK (kind IN ('statement_ready', 'fee_statement',
	                 'report_reminder', 'report_overdue', 'fee_overdue',
	                 'user_invite', 'password_reset', 'contract_expiring',
	                 'completeness_inquiry', 'join_approved', 'join_declined')),
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
