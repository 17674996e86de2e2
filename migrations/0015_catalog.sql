-- 0015_catalog.sql — the words of the public catalog (DOMAIN.md section 7):
-- each contract's number, title, category and vendor name in an FTS5
-- index, rowid = contract.id.  Triggers keep it current as contracts are
-- created or changed and vendors renamed, so a search reads the index and
-- never the contracts' terms documents.
CREATE VIRTUAL TABLE catalog_fts USING fts5(
	number, title, category, vendor,
	tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO catalog_fts (rowid, number, title, category, vendor)
	SELECT c.id, c.number, c.title, c.category, v.name
	FROM contract c JOIN vendor v ON v.id = c.vendor_id;

CREATE TRIGGER catalog_fts_contract_insert AFTER INSERT ON contract
BEGIN
	INSERT INTO catalog_fts (rowid, number, title, category, vendor)
		SELECT new.id, new.number, new.title, new.category, v.name
		FROM vendor v WHERE v.id = new.vendor_id;
END;

CREATE TRIGGER catalog_fts_contract_update
AFTER UPDATE OF number, title, category, vendor_id ON contract
BEGIN
	DELETE FROM catalog_fts WHERE rowid = old.id;
	INSERT INTO catalog_fts (rowid, number, title, category, vendor)
		SELECT new.id, new.number, new.title, new.category, v.name
		FROM vendor v WHERE v.id = new.vendor_id;
END;

CREATE TRIGGER catalog_fts_contract_delete AFTER DELETE ON contract
BEGIN
	DELETE FROM catalog_fts WHERE rowid = old.id;
END;

CREATE TRIGGER catalog_fts_vendor_rename AFTER UPDATE OF name ON vendor
BEGIN
	DELETE FROM catalog_fts
		WHERE rowid IN (SELECT id FROM contract WHERE vendor_id = new.id);
	INSERT INTO catalog_fts (rowid, number, title, category, vendor)
		SELECT c.id, c.number, c.title, c.category, new.name
		FROM contract c WHERE c.vendor_id = new.id;
END;
