-- 0018_ocds_publishing.sql — publishing a contract's purchases in its
-- Open Contracting (OCDS) release package (DOMAIN.md section 7).  A
-- contract with no row publishes only the framework agreement; staff turn
-- the members' orders on or off, and each change is audited.
CREATE TABLE ocds_publishing (
	contract_id       INTEGER PRIMARY KEY REFERENCES contract(id),
	publish_purchases INTEGER NOT NULL CHECK (publish_purchases IN (0, 1)),
	changed_at        TEXT NOT NULL,
	changed_by        TEXT NOT NULL
);
