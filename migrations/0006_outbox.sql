-- 0006_outbox.sql — e-mail notices, queued in the same database as the
-- figures they report (docs/mail.md).  A notice is identified by
-- (kind, recipient, contract, period): queuing it again adds nothing.
CREATE TABLE outbox (
	id           INTEGER PRIMARY KEY,
	kind         TEXT NOT NULL CHECK (kind IN ('statement_ready', 'fee_statement',
	                 'report_reminder', 'report_overdue', 'fee_overdue')),
	recipient    TEXT NOT NULL CHECK (recipient LIKE '%_@_%'),
	contract     TEXT NOT NULL,
	period       TEXT NOT NULL,
	rcpt_name    TEXT NOT NULL DEFAULT '',
	agency       TEXT,                 -- agency code (member notices)
	vendor       TEXT,                 -- vendor code (vendor notices)
	data_json    TEXT NOT NULL CHECK (json_valid(data_json)),
	token        TEXT NOT NULL,        -- random part of the Message-ID
	state        TEXT NOT NULL DEFAULT 'queued'
	                 CHECK (state IN ('queued', 'sent', 'retrying', 'dead')),
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_attempt INTEGER NOT NULL,     -- unix seconds
	last_error   TEXT NOT NULL DEFAULT '',
	queued_on    TEXT NOT NULL,        -- the as-of date that found it due
	created_at   TEXT NOT NULL,
	sent_at      TEXT,
	UNIQUE (kind, recipient, contract, period)
);
CREATE INDEX outbox_due ON outbox(state, next_attempt);
