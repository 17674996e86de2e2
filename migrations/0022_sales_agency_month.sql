-- 0022_sales_agency_month.sql — net sales by contract, agency and month,
-- kept with sales_agency_day (0019) by the ledger's one writer, so that a
-- year of every agency (the rebate allocation, which every member
-- statement needs) is twelve rows an agency rather than 365.  `coopledger
-- verify` checks it against sales_agency_day.
CREATE TABLE sales_agency_month (
	contract_id     INTEGER NOT NULL,
	agency_id       INTEGER NOT NULL,
	month           TEXT NOT NULL, -- YYYY-MM
	lines           INTEGER NOT NULL,
	list_amount     INTEGER NOT NULL,
	invoiced_amount INTEGER NOT NULL,
	CHECK (typeof(list_amount) = 'integer' AND typeof(invoiced_amount) = 'integer'),
	PRIMARY KEY (contract_id, agency_id, month)
) WITHOUT ROWID;

INSERT INTO sales_agency_month
	SELECT contract_id, agency_id, substr(day, 1, 7), sum(lines), sum(list_amount),
	       sum(invoiced_amount)
	FROM sales_agency_day GROUP BY contract_id, agency_id, substr(day, 1, 7);

CREATE TRIGGER sales_agency_month_no_delete BEFORE DELETE ON sales_agency_month
BEGIN SELECT RAISE(ABORT, 'sales_agency_month is kept by the ledger'); END;
