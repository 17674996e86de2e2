-- 0003_rebate_snapshot.sql — the figures of a rebate year as they stood when
-- the year was first reported final; later changes show as a true-up.
CREATE TABLE rebate_snapshot (
	contract_id INTEGER NOT NULL REFERENCES contract(id),
	year        INTEGER NOT NULL CHECK (year >= 1),
	base        INTEGER NOT NULL,
	rate        INTEGER NOT NULL,
	total       INTEGER NOT NULL,
	allocations TEXT NOT NULL CHECK (json_valid(allocations)),
	taken_on    TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	PRIMARY KEY (contract_id, year)
) WITHOUT ROWID;
