-- 0008_login_attempt.sql — sign-in attempts, for throttling guesses by
-- account and by client address.  The e-mail is kept only as the SHA-256
-- of its lower-case form, so a row has a fixed size whatever was sent;
-- rows older than the throttle window are purged as attempts come in.
DROP TABLE login_failure;
CREATE TABLE login_attempt (
	id     INTEGER PRIMARY KEY,
	email  TEXT NOT NULL,    -- hex SHA-256 of the lower-case e-mail
	client TEXT NOT NULL,    -- the client's address, "" when unknown
	at     INTEGER NOT NULL  -- Unix time
);
CREATE INDEX login_attempt_email ON login_attempt(email, at);
CREATE INDEX login_attempt_client ON login_attempt(client, at);
CREATE INDEX login_attempt_at ON login_attempt(at);
