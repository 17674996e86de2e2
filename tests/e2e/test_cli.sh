#!/usr/bin/env bash
# End-to-end: the command line on a temporary database, as an operator
# would use it.
. "$(dirname "$0")/lib.sh"
D="$DATA/cli"

cl --help;                        expect_out "--help lists the commands" "participant add|import"
cl frobnicate;                    expect_fail "unknown command is a usage error" 2 'unknown command "frobnicate"'
cl agency add --bogus 1;          expect_fail "unknown option is a usage error" 2 "unknown option --bogus"
cl init;                          expect_out "init creates the database" "schema version"
expect_eq "database is in WAL mode" "$(q 'PRAGMA journal_mode')" "wal"

cl agency import "$D/agencies.csv"; expect_out "agency import from a file" "imported 5 agencies"
cl agency add --code USD001 --name "Test USD 1" --kind galaxy --state KS
expect_fail "unknown agency kind refused" 1 'unknown kind "galaxy"'
cl agency list --json;            expect_out "agency list --json" '"code":	"NP-ACME"'
expect_eq "missing public_entity means yes" "$(q "SELECT public_entity FROM agency WHERE code='USD233'")" "1"
expect_eq "public_entity no" "$(q "SELECT public_entity FROM agency WHERE code='NP-ACME'")" "0"
cl agency list;                   expect_out "agency list table" "Lawrence, USD 497"

cl vendor add --code V-TEST --name "Test Furniture Co" --email ar@vendor.test
expect_out "vendor add" "added vendor V-TEST"
cl contract import "$D/terms-number.json"
expect_fail "a JSON number where money is required is refused" 1 "fee.bands[1].from"
cl contract import "$D/terms.json"; expect_out "contract import" "imported contract"
cl contract show KS-TEST-2025;    expect_out "contract show in words" "greater of \$200.00 or 25%"
cl contract show KS-TEST-2025 --json; expect_out "contract show --json" '"number":	"KS-TEST-2025"'
cl participant import --contract KS-TEST-2025 "$D/participants.csv"
expect_out "participant import" "imported 2 participants"
cl participant add --contract KS-TEST-2025 --agency USD233 --joined 2025-09-01
expect_fail "participant twice refused" 1 "already participates"
cl participant add --contract KS-TEST-2025 --agency CITY-TOP --joined 2029-01-01
expect_fail "joined outside the term refused" 1 "outside the contract term"
expect_eq "lead agency is a participant from the start" \
	"$(q "SELECT joined FROM participant p JOIN agency a ON a.id=p.agency_id WHERE a.code='USD259'")" "2025-07-01"

printf 'correct horse battery\n' | "$BIN" --db "$DB" user add --email admin@usd259.test --role admin >/dev/null 2>&1
expect_eq "user add reads the password from stdin" "$(q "SELECT role FROM app_user WHERE email='admin@usd259.test'")" "admin"
COOPLEDGER_PASSWORD=short cl user add --email m@usd233.test --role member --agency USD233
expect_fail "short password refused" 1 "at least 10 characters"
COOPLEDGER_PASSWORD=long-enough-pass cl user add --email m@usd233.test --role member
expect_fail "member needs an agency" 1 "needs --agency"
cl user add --email x@y.test --role admin --password hunter2hunter2
expect_fail "no password on the command line" 2 "unknown option --password"

# ---- the demo ----
DB="$WORK/demo.db"
cl --as-of 2026-11-25 demo;      expect_out "demo loads" "KS-FURN-2025"
expect_eq "demo: 286 districts" "$(q "SELECT count(*) FROM agency WHERE kind='school_district'")" "286"
expect_eq "demo: USD 259 leads KS-FURN-2025" \
	"$(q "SELECT a.code FROM contract c JOIN agency a ON a.id=c.lead_agency_id WHERE number='KS-FURN-2025'")" "USD259"
cl verify;                        expect_out "verify passes on the demo" "chains are intact"
cl demo;                          expect_fail "demo refuses a non-empty database" 1 "already holds agencies"

net() { q "SELECT coalesce(sum(invoiced_amount),0) FROM live_purchase WHERE contract_id=(SELECT id FROM contract WHERE number='KS-FURN-2025')"; }
before=$(net)
line=$(q "SELECT id FROM live_purchase WHERE contract_id=2 AND invoice_date >= '2026-04-01' ORDER BY id LIMIT 1")
amount=$(q "SELECT invoiced_amount FROM purchase WHERE id=$line")
cl reverse --line "$line";        expect_fail "reverse needs a reason" 2 "needs --reason"
cl reverse --line "$line" --reason "keyed twice"; expect_out "reverse a line" "reversed line $line"
expect_eq "net sales drop by the reversed line" "$(net)" "$((before - amount))"
cl contract show KS-FURN-2025 --json
expect_out "contract show reports the new net" "\"net_sales\":	\"$(q "SELECT printf('%d.%02d', $(net)/100, $(net)%100)")\""
cl reverse --line "$line" --reason again; expect_fail "a line is reversed once" 1 "already reversed"

batch=$(q "SELECT id FROM import_batch WHERE contract_id=2 AND period='2026-Q2'")
bnet=$(q "SELECT coalesce(sum(invoiced_amount),0) FROM live_purchase WHERE batch_id=$batch")
before=$(net)
cl reverse --batch "$batch" --reason "vendor sent the wrong file"; expect_out "reverse a batch" "reversed batch $batch"
expect_eq "net sales drop by the batch's live lines" "$(net)" "$((before - bnet))"
expect_eq "the batch has no live lines" "$(q "SELECT count(*) FROM live_purchase WHERE batch_id=$batch")" "0"

# ---- periods ----
line=$(q "SELECT id FROM live_purchase WHERE contract_id=2 AND invoice_date BETWEEN '2026-07-01' AND '2026-09-30' ORDER BY id LIMIT 1")
cl period close 2026-Q3 --confirm; expect_out "close a quarter" "quarter 2026-Q3 is closed"
cl reverse --line "$line" --reason "late correction"
expect_fail "a reversal in a closed quarter is refused, naming it" 1 "quarter 2026-Q3 is closed"
cl period reopen 2026-Q3;         expect_fail "reopen needs a reason" 2 "needs --reason"
cl period reopen 2026-Q3 --reason "auditor adjustment"; expect_out "reopen with a reason" "is open"
cl reverse --line "$line" --reason "late correction"; expect_ok "the reversal goes through once reopened"
expect_eq "close and reopen are both in the audit log" \
	"$(q "SELECT group_concat(action, ',') FROM (SELECT action FROM audit_log WHERE entity='period' AND entity_id='2026-Q3' ORDER BY id)")" \
	"period.close,period.reopen"
expect_eq "the reopen reason is audited" \
	"$(q "SELECT json_extract(after, '\$.reason') FROM audit_log WHERE action='period.reopen'")" "auditor adjustment"

# ---- a report dated in the future finalizes nothing ----
snaps=$(q "SELECT count(*) FROM rebate_snapshot")
cl --as-of 2099-01-01 report rebates --contract KS-FURN-2025 --year 2 --json
expect_out "a future year-end report is final" '"status":	"final"'
if grep -q '"snapshot"' <<<"$OUT"; then not_ok "a future report shows no snapshot"; else ok "a future report shows no snapshot"; fi
expect_eq "a future report stores no snapshot" "$(q "SELECT count(*) FROM rebate_snapshot")" "$snaps"

# ---- reports finalizing the same rebate year at once: one snapshot, no error ----
cp "$DB" "$WORK/race.db"
sqlite3 "$WORK/race.db" "DELETE FROM rebate_snapshot"
for i in 1 2 3 4 5 6 7 8; do
	("$BIN" --db "$WORK/race.db" --as-of 2026-11-25 report rebates --contract KS-FURN-2025 --year 1 --json \
		>"$WORK/race$i.out" 2>&1; echo $? >"$WORK/race$i.rc") &
done
wait
expect_eq "eight reports at once all succeed" "$(cat "$WORK"/race*.rc | sort -u)" "0"
expect_eq "eight reports at once store one snapshot" \
	"$(sqlite3 "$WORK/race.db" "SELECT count(*) FROM rebate_snapshot WHERE year = 1")" "1"
expect_eq "and audit one finalization" \
	"$(sqlite3 "$WORK/race.db" "SELECT count(*) FROM audit_log WHERE action = 'rebate.finalize'")" "1"

# ---- tampering ----
cl verify;                        expect_out "verify passes after corrections" "chains are intact"
victim=$(q "SELECT id FROM purchase ORDER BY id LIMIT 1 OFFSET 500")
sqlite3 "$DB" "DROP TRIGGER purchase_no_update; UPDATE purchase SET invoiced_amount = invoiced_amount - 100 WHERE id = $victim;"
cl verify;                        expect_fail "verify names the altered row" 1 "purchase row $victim does not match"

# ---- a newer database is refused and left alone ----
sqlite3 "$DB" "PRAGMA user_version = 99"
sum_before=$(sha256sum "$DB" | cut -d' ' -f1)
cl verify;                        expect_fail "a newer database is refused" 1 "newer than this coopledger"
expect_eq "the newer database is untouched" "$(sha256sum "$DB" | cut -d' ' -f1)" "$sum_before"

