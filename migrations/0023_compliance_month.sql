-- 0023_compliance_month.sql — the stored compliance lines (0020) counted
-- and added up by contract, agency and month, so that a compliance report's
-- totals and tallies read a few rows per agency rather than every
-- overcharged line.  The triggers keep it with compliance_line in the same
-- statement; `coopledger verify` checks it against the lines.
CREATE TABLE compliance_month (
	contract_id INTEGER NOT NULL,
	agency_id   INTEGER NOT NULL,
	month       TEXT NOT NULL, -- YYYY-MM
	lines       INTEGER NOT NULL,
	overcharge  INTEGER NOT NULL,
	CHECK (typeof(overcharge) = 'integer'),
	PRIMARY KEY (contract_id, agency_id, month)
) WITHOUT ROWID;

INSERT INTO compliance_month
	SELECT contract_id, agency_id, substr(invoice_date, 1, 7), count(*), sum(overcharge)
	FROM compliance_line GROUP BY contract_id, agency_id, substr(invoice_date, 1, 7);

CREATE TRIGGER compliance_month_add AFTER INSERT ON compliance_line
BEGIN
	INSERT INTO compliance_month
		VALUES (NEW.contract_id, NEW.agency_id, substr(NEW.invoice_date, 1, 7), 1,
			NEW.overcharge)
		ON CONFLICT DO UPDATE SET lines = lines + 1,
			overcharge = overcharge + excluded.overcharge;
END;

CREATE TRIGGER compliance_month_remove AFTER DELETE ON compliance_line
BEGIN
	UPDATE compliance_month SET lines = lines - 1, overcharge = overcharge - OLD.overcharge
		WHERE contract_id = OLD.contract_id AND agency_id = OLD.agency_id
		AND month = substr(OLD.invoice_date, 1, 7);
	DELETE FROM compliance_month
		WHERE contract_id = OLD.contract_id AND agency_id = OLD.agency_id
		AND month = substr(OLD.invoice_date, 1, 7) AND lines = 0;
END;
