-- 0021_batch_range.sql — a batch's lines found by their id range instead
-- of an index on batch_id.  A batch is written in one transaction, so its
-- lines are the rows with its batch_id between the first id the ledger
-- had free when the batch began and the last id when it was finished;
-- the index cost every ledger line an entry that only reversing a whole
-- batch read.
ALTER TABLE import_batch ADD COLUMN first_id INTEGER;
ALTER TABLE import_batch ADD COLUMN last_id INTEGER;

UPDATE import_batch SET (first_id, last_id) =
	(SELECT min(id), max(id) FROM purchase WHERE batch_id = import_batch.id);

DROP INDEX purchase_batch;
