-- 0004_login_failure.sql — failed sign-ins, for throttling repeated guesses.
CREATE TABLE login_failure (
	id    INTEGER PRIMARY KEY,
	email TEXT NOT NULL COLLATE NOCASE,
	at    TEXT NOT NULL
);
CREATE INDEX login_failure_email ON login_failure(email, at);
