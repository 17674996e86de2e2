#!/usr/bin/env bash
# End-to-end: contract_expiring notices (DOMAIN.md 4.6).  Staff are told 90
# and 30 days before the end in force, once each per end date; an
# extension moves the end, and the notices follow the new one.
. "$(dirname "$0")/lib.sh"

cl --as-of 2026-11-25 demo; expect_out "demo loads" "KS-FURN-2025"
staff=$(q "SELECT count(*) FROM app_user WHERE role IN ('admin','finance') AND disabled = 0")
[ "$staff" -ge 2 ] && ok "the demo has staff users" || { RC=1; not_ok "the demo has staff users"; }
notes() { q "SELECT count(*) FROM outbox WHERE kind = 'contract_expiring' AND contract = '$1' AND period = '$2'"; }
end=$(q "SELECT end_date FROM contract WHERE number = 'KS-FURN-2025'")
expect_eq "KS-FURN-2025 ends 2028-06-30" "$end" "2028-06-30"

cl --as-of 2028-03-31 notices queue; expect_ok "queue 91 days before the end"
expect_eq "nothing 91 days before" "$(notes KS-FURN-2025 '2028-06-30, 90 days')" "0"
cl --as-of 2028-04-01 notices queue; expect_ok "queue 90 days before the end"
expect_eq "each staff user is told 90 days before" "$(notes KS-FURN-2025 '2028-06-30, 90 days')" "$staff"
cl --as-of 2028-04-20 notices queue; expect_ok "queue again"
expect_eq "once per end date" "$(notes KS-FURN-2025 '2028-06-30, 90 days')" "$staff"
expect_eq "the notice says the days left" \
	"$(q "SELECT json_extract(data_json, '\$.days_left') FROM outbox WHERE kind = 'contract_expiring' AND contract = 'KS-FURN-2025' LIMIT 1")" "90"
cl --as-of 2028-05-31 notices queue; expect_ok "queue 30 days before the end"
expect_eq "and 30 days before" "$(notes KS-FURN-2025 '2028-06-30, 30 days')" "$staff"

echo '{"end": "2029-06-30"}' >"$WORK/extend.json"
cl --as-of 2028-06-01 contract amend KS-FURN-2025 --effective 2028-06-01 --reference "Extension" "$WORK/extend.json"
expect_out "an extension to 2029-06-30" "recorded amendment 1 of KS-FURN-2025"
cl --as-of 2029-04-01 notices queue; expect_ok "queue 90 days before the new end"
expect_eq "the new end date gets its own notice" "$(notes KS-FURN-2025 '2029-06-30, 90 days')" "$staff"
expect_eq "no notice after the end" \
	"$(q "SELECT count(*) FROM outbox WHERE kind = 'contract_expiring' AND contract = 'KS-FURN-2022'")" "0"
