-- 0012_contract_expiring.sql — staff are told 90 and 30 days before a
-- contract's end in force (DOMAIN.md 4.6), once each per end date: the
-- notice's period is the end date and the lead time, so the outbox's key
-- keeps it to one.  The outbox takes the new kind (its CHECK is widened by
-- rebuilding the table with the same rows, as 0011 did).
CREATE TABLE outbox_new (
	id           INTEGER PRIMARY KEY,
	kind         TEXT NOT NULL CHECK (kind IN ('statement_ready', 'fee_statement',
	                 'report_reminder', 'report_overdue', 'fee_overdue',
	                 'user_invite', 'password_reset', 'contract_expiring')),
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
