-- 0024_order_first_unindexed.sql — purchase_order_first (0020) served one
-- statement only: an amendment marking the orders that begin on or after
-- its effective date touched.  It cost 7.6 bytes a ledger line (of about
-- 300) at 10,000,000 lines; without it that rare statement reads the
-- contract's orders (3,300,000 of them in about a second), and the
-- recomputation it causes costs far more than that in any case.
DROP INDEX purchase_order_first;
