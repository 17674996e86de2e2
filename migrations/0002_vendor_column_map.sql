-- 0002_vendor_column_map.sql — vendors' own spreadsheet headers.
-- header is the normalised header text (lower case, spaces and '-' as '_');
-- column is the canonical sales-report column it stands for.
CREATE TABLE vendor_column_map (
	vendor_id INTEGER NOT NULL REFERENCES vendor(id),
	header    TEXT NOT NULL CHECK (length(header) BETWEEN 1 AND 100),
	column    TEXT NOT NULL CHECK (column IN ('agency_code', 'po_number', 'invoice_number',
	              'invoice_date', 'list_amount', 'invoiced_amount', 'line', 'agency_name',
	              'description', 'category', 'quantity', 'freight_amount', 'tax_amount')),
	PRIMARY KEY (vendor_id, header)
) WITHOUT ROWID;
