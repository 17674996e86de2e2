-- 0019_sales_aggregate.sql — net sales kept as the ledger is written, so
-- that no report has to add up every line again (issue: ten million
-- lines).  A reversal row carries the negated amounts of the line it
-- reverses, on the same contract, agency and invoice date, so adding every
-- row of the ledger, reversals included, gives exactly the sums of the
-- live lines; `lines` counts a line +1 and its reversal -1, so it is the
-- number of live lines.
--
-- sales_day: one row per contract and invoice date (fees, the contract's
-- totals).  sales_agency_day: one row per contract, agency and invoice
-- date (rebates, members' figures, completeness).  The ledger's one
-- writer (insert_row() in core/ledger.c) adds each line to both in the
-- transaction that writes it; `coopledger verify` recomputes them from the
-- lines and names any difference.
CREATE TABLE sales_day (
	contract_id     INTEGER NOT NULL,
	day             TEXT NOT NULL,
	lines           INTEGER NOT NULL,
	list_amount     INTEGER NOT NULL,
	invoiced_amount INTEGER NOT NULL,
	-- an addition past 64 bits turns into a REAL in SQLite: refused here
	CHECK (typeof(list_amount) = 'integer' AND typeof(invoiced_amount) = 'integer'),
	PRIMARY KEY (contract_id, day)
) WITHOUT ROWID;

CREATE TABLE sales_agency_day (
	contract_id     INTEGER NOT NULL,
	agency_id       INTEGER NOT NULL,
	day             TEXT NOT NULL,
	lines           INTEGER NOT NULL,
	list_amount     INTEGER NOT NULL,
	invoiced_amount INTEGER NOT NULL,
	CHECK (typeof(list_amount) = 'integer' AND typeof(invoiced_amount) = 'integer'),
	PRIMARY KEY (contract_id, agency_id, day)
) WITHOUT ROWID;

-- An agency's figures across its contracts (a member's portal, an agency
-- page) without reading every contract's rows.
CREATE INDEX sales_agency_day_agency ON sales_agency_day(agency_id, contract_id, day);

INSERT INTO sales_day
	SELECT contract_id, invoice_date,
	       sum(CASE WHEN reverses_id IS NULL THEN 1 ELSE -1 END),
	       sum(list_amount), sum(invoiced_amount)
	FROM purchase GROUP BY contract_id, invoice_date;

INSERT INTO sales_agency_day
	SELECT contract_id, agency_id, invoice_date,
	       sum(CASE WHEN reverses_id IS NULL THEN 1 ELSE -1 END),
	       sum(list_amount), sum(invoiced_amount)
	FROM purchase GROUP BY contract_id, agency_id, invoice_date;

-- The aggregates are the ledger's: nothing else changes them.
CREATE TRIGGER sales_day_no_delete BEFORE DELETE ON sales_day
BEGIN SELECT RAISE(ABORT, 'sales_day is kept by the ledger'); END;
CREATE TRIGGER sales_agency_day_no_delete BEFORE DELETE ON sales_agency_day
BEGIN SELECT RAISE(ABORT, 'sales_agency_day is kept by the ledger'); END;
