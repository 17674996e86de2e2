-- 0011_user_invite.sql — users invited by e-mail, password resets and
-- deactivation.  A set-password link carries a random token; only its
-- SHA-256 is kept here.  A token is made when its e-mail is composed (so
-- it never rests in the outbox), lasts until expires_at and is used once:
-- setting the password marks every open token of the user used.  An
-- invited user has an empty password_hash (no password signs it in) until
-- the link is used.  The outbox takes two new kinds (its CHECK is widened
-- by rebuilding the table with the same rows, as 0007 did).
CREATE TABLE password_token (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES app_user(id),
	purpose    TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
	token_hash TEXT NOT NULL UNIQUE,   -- hex SHA-256 of the link's token
	created_at INTEGER NOT NULL,       -- unix seconds
	expires_at INTEGER NOT NULL,       -- unix seconds; refused from then on
	used_at    INTEGER                 -- unix seconds; NULL while usable
);
CREATE INDEX password_token_user ON password_token(user_id, used_at);

CREATE TABLE outbox_new (
	id           INTEGER PRIMARY KEY,
	kind         TEXT NOT NULL CHECK (kind IN ('statement_ready', 'fee_statement',
	                 'report_reminder', 'report_overdue', 'fee_overdue',
	                 'user_invite', 'password_reset')),
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
