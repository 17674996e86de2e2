-- 0025_order_freight.sql — each order's freight, kept with its other
-- totals (0020) by the ledger's writer.  The completeness audit compares a
-- member's register PO with what the vendor reported for it, invoiced
-- amount and freight; with the freight kept it reads one row per order
-- instead of adding up the contract's lines.  A reversal row carries the
-- negated freight of the line it reverses, so the sum over every row is
-- the live lines' freight.
ALTER TABLE purchase_order ADD COLUMN freight_total INTEGER NOT NULL DEFAULT 0;

UPDATE purchase_order SET freight_total = f.freight
	FROM (SELECT contract_id, agency_id, po_number, sum(freight_amount) AS freight
	      FROM purchase GROUP BY contract_id, agency_id, po_number
	      HAVING sum(freight_amount) <> 0) AS f
	WHERE purchase_order.contract_id = f.contract_id
	  AND purchase_order.agency_id = f.agency_id
	  AND purchase_order.po_number = f.po_number;
