-- 0016_contract_document.sql — documents attached to a contract (DOMAIN.md
-- section 7): the solicitation, the award, amendments, price lists.  The
-- PDF itself lives under the data directory (DATABASE.documents/SHA256.pdf),
-- outside the ledger's hash chain; its SHA-256 is here and in the audit
-- log.  A document is never replaced or removed: its row changes only in
-- whether the public may see it, and that change is audited.
CREATE TABLE contract_document (
	id          INTEGER PRIMARY KEY,
	contract_id INTEGER NOT NULL REFERENCES contract(id),
	kind        TEXT NOT NULL CHECK (kind IN ('solicitation', 'award', 'amendment',
	                                          'price_list', 'other')),
	title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	file_name   TEXT NOT NULL CHECK (length(file_name) BETWEEN 5 AND 100
	                                 AND file_name NOT GLOB '*[^A-Za-z0-9._-]*'
	                                 AND file_name GLOB '*.pdf'),
	size        INTEGER NOT NULL CHECK (size BETWEEN 1 AND 20971520), -- bytes, 20 MiB at most
	sha256      TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
	public      INTEGER NOT NULL CHECK (public IN (0, 1)),
	uploaded_at TEXT NOT NULL,
	uploaded_by TEXT NOT NULL,
	UNIQUE (contract_id, sha256)
);
CREATE INDEX contract_document_by_contract ON contract_document(contract_id, id);

CREATE TRIGGER contract_document_kept BEFORE UPDATE OF id, contract_id, kind, title, file_name,
	size, sha256, uploaded_at, uploaded_by ON contract_document
BEGIN
	SELECT RAISE(ABORT, 'a contract document is never changed; add a new one');
END;

CREATE TRIGGER contract_document_never_deleted BEFORE DELETE ON contract_document
BEGIN
	SELECT RAISE(ABORT, 'a contract document is never deleted');
END;
