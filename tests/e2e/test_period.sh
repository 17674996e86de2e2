#!/usr/bin/env bash
# End-to-end: closing a quarter from the command line. One that has not
# ended is refused, naming its last day; one with a missing report, an
# unpaid balance or overcharges lists them and needs --confirm.
. "$(dirname "$0")/lib.sh"

cl --as-of 2026-11-25 demo;       expect_out "demo loads" "KS-FURN-2025"
closes() { q "SELECT count(*) FROM audit_log WHERE action='period.close' AND entity_id='$1'"; }

cl --as-of 2026-11-25 period close 2026-Q4
expect_fail "the current quarter cannot be closed" 1 "quarter 2026-Q4 has not ended"
expect_fail "the refusal names the quarter's last day" 1 "2026-12-31"
cl --as-of 2026-12-31 period close 2026-Q4
expect_fail "not on its last day either" 1 "quarter 2026-Q4 has not ended"
cl --as-of 2026-11-25 period close 2027-Q2
expect_fail "nor a later quarter" 1 "quarter 2027-Q2 has not ended"
expect_eq "nothing was written for 2026-Q4" "$(q "SELECT count(*) FROM period WHERE quarter='2026-Q4'")" "0"

cl --as-of 2026-11-25 period close 2026-Q3
expect_fail "a quarter with open matters needs --confirm" 1 "run again with --confirm"
expect_fail "the unpaid balance is listed" 1 "KS-FURN-2025: \$45,714.54 of the 2026-Q3 fee is unpaid"
expect_fail "the overcharges are listed" 1 "KS-FURN-2025: 31 lines overcharged in 2026-Q3"
expect_fail "the missing report is listed" 1 "KS-OFFC-2025: the 2026-Q3 sales report is missing"
expect_eq "the refused close wrote nothing" "$(q "SELECT count(*) FROM period WHERE quarter='2026-Q3'")$(closes 2026-Q3)" "00"
cl --as-of 2026-11-25 period reopen 2026-Q3 --reason x --confirm
expect_fail "--confirm is for close only" 2 "--confirm goes with close"
cl --as-of 2026-11-25 period close 2026-Q3 --confirm
expect_out "with --confirm it closes" "quarter 2026-Q3 is closed"
expect_out "and says how many matters were confirmed" "closed with 3 open matters confirmed"
expect_eq "the close is audited once" "$(closes 2026-Q3)" "1"
