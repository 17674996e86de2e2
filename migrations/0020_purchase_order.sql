-- 0020_purchase_order.sql — orders kept as the ledger is written, and the
-- discount compliance of each (DOMAIN.md section 4.2), so that `report
-- compliance` reads stored results and recomputes only the orders touched
-- since it last ran.
--
-- purchase_order holds one row per (contract, agency, po_number) that ever
-- had a line: its live lines' count, list and invoiced totals and earliest
-- invoice date (NULL once no line is live), written in the same
-- transaction as every ledger line.  touched = 1 when a line or an
-- amendment of the terms in force on its first date may have changed its
-- compliance since it was last computed.
CREATE TABLE purchase_order (
	id             INTEGER PRIMARY KEY,
	contract_id    INTEGER NOT NULL REFERENCES contract(id),
	agency_id      INTEGER NOT NULL REFERENCES agency(id),
	po_number      TEXT NOT NULL,
	lines          INTEGER NOT NULL CHECK (lines >= 0),
	list_total     INTEGER NOT NULL,
	invoiced_total INTEGER NOT NULL,
	first_date     TEXT,
	touched        INTEGER NOT NULL DEFAULT 1 CHECK (touched IN (0, 1)),
	UNIQUE (contract_id, agency_id, po_number)
);
CREATE INDEX purchase_order_touched ON purchase_order(contract_id) WHERE touched = 1;
CREATE INDEX purchase_order_first ON purchase_order(contract_id, first_date);

-- The computed result of the untouched orders: their overcharged lines,
-- each with the order's discount rate and the line's expected amount, in
-- the report's order.
CREATE TABLE compliance_line (
	contract_id     INTEGER NOT NULL REFERENCES contract(id),
	invoice_date    TEXT NOT NULL,
	invoice_number  TEXT NOT NULL,
	line            INTEGER NOT NULL,
	purchase_id     INTEGER NOT NULL REFERENCES purchase(id),
	order_id        INTEGER NOT NULL REFERENCES purchase_order(id),
	agency_id       INTEGER NOT NULL REFERENCES agency(id),
	list_amount     INTEGER NOT NULL,
	rate            INTEGER NOT NULL,
	expected        INTEGER NOT NULL,
	invoiced_amount INTEGER NOT NULL,
	overcharge      INTEGER NOT NULL,
	PRIMARY KEY (contract_id, invoice_date, invoice_number, line, purchase_id)
) WITHOUT ROWID;
CREATE INDEX compliance_line_order ON compliance_line(order_id);
CREATE INDEX compliance_line_agency
	ON compliance_line(contract_id, agency_id, invoice_date, invoice_number, line);

-- An order's lines found without reading the agency's other orders; it
-- serves the (agency_id, contract_id) lookups of the index it replaces.
DROP INDEX purchase_agency;
CREATE INDEX purchase_agency_po ON purchase(agency_id, contract_id, po_number);

INSERT INTO purchase_order(contract_id, agency_id, po_number, lines, list_total,
			   invoiced_total, first_date, touched)
	SELECT contract_id, agency_id, po_number, count(*), sum(list_amount),
	       sum(invoiced_amount), min(invoice_date), 1
	FROM live_purchase GROUP BY agency_id, contract_id, po_number;
