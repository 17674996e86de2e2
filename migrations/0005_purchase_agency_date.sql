-- 0005_purchase_agency_date.sql — a member's purchase history, newest
-- first, without sorting all of its lines.
CREATE INDEX purchase_agency_date ON purchase(agency_id, invoice_date);
