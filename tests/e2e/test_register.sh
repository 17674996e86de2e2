#!/usr/bin/env bash
# End-to-end: members' purchase registers (DOMAIN.md 4.7) through
# `coopledger register import|reverse|list|map`.
#
# KS-TEST-2025 runs 2025-07-01 to 2028-06-30; its participants are
# USD259 (the lead agency), USD233, USD497 and CNTY-SG; CITY-TOP is not one.
# Register lines never enter fees, rebates or compliance: those reports
# are the same, byte for byte, before and after every register below.
# A member bound to its own agency is tested in tests/unit/test_register.c
# (the command line acts as staff).
. "$(dirname "$0")/lib.sh"
S="$DATA/import/setup"
C=KS-TEST-2025
ASOF=2026-11-25

setup_test_contract $ASOF
expect_out "setup: participants" "imported 3 participants"
cl --as-of $ASOF import --contract $C --period 2025-Q3 "$S/earlier.csv"
expect_out "setup: a sales report for 2025-Q3" "imported batch 1"

# money_reports: the fee, rebate and compliance reports as JSON, together.
money_reports() {
	local out=""
	for r in fees rebates compliance; do
		cl --as-of $ASOF report $r --contract $C --json
		out+="$r: $OUT"$'\n'
	done
	printf '%s' "$out"
}
BEFORE=$(money_reports)
batches() { q "SELECT count(*) FROM register_batch"; }
lines() { q "SELECT count(*) FROM register_line"; }
# js EXPR: a value of the last --json output (python3).
js() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" <<<"$OUT"; }

# ---- a staff file with agency_code ----
cat >"$WORK/staff.csv" <<'CSV'
agency_code,po_number,po_date,amount,description
USD233,P-100,2025-09-01,1000.00,desks
USD497,P-200,10/02/2025,250.50,
CNTY-SG,P-300,2025-11-15,99.99,chairs
CSV
cl register import --contract $C --json "$WORK/staff.csv"
expect_ok "staff file: imported"
expect_eq "staff file: three POs accepted, total 1350.49" \
	"$(js 'd["accepted"], d["rows"], d["totals"]["amount"], d["batch"]')" "3 3 1350.49 1"
expect_eq "staff file: each line kept under its agency" \
	"$(q "SELECT group_concat(a.code || ':' || l.po_number || ':' || l.amount, ' ') FROM register_line l JOIN agency a ON a.id = l.agency_id ORDER BY l.id")" \
	"USD233:P-100:100000 USD497:P-200:25050 CNTY-SG:P-300:9999"

# ---- a finance export: PO #, PO Date, Total; the agency named ----
cat >"$WORK/finance.csv" <<'CSV'
PO #,PO Date,Total,Vendor Name
P-101,2025-12-03,400.00,Test Furniture Co
P-102,01/20/2026,75.25,Test Furniture Co
CSV
cl register import --contract $C --agency USD233 --json "$WORK/finance.csv"
expect_ok "PO #, PO Date and Total headers: imported"
expect_eq "finance export: two POs, total 475.25, Vendor Name ignored" \
	"$(js 'd["accepted"], d["totals"]["amount"], d["ignored_columns"]')" "2 475.25 ['Vendor Name']"
expect_eq "finance export: the batch names the agency" \
	"$(q "SELECT a.code FROM register_batch b JOIN agency a ON a.id = b.agency_id WHERE b.id = 2")" "USD233"

# ---- without --agency or agency_code the file is refused ----
cl register import --contract $C "$WORK/finance.csv"
expect_fail "no agency at all: refused" 1 "has no agency_code column"

# ---- dry run writes nothing ----
cat >"$WORK/dry.csv" <<'CSV'
po_number,po_date,amount
P-400,2026-02-01,10.00
CSV
n=$(batches); m=$(lines)
cl register import --contract $C --agency USD497 --dry-run "$WORK/dry.csv"
expect_out "dry run: says so" "dry run: nothing was written"
expect_eq "dry run: no batch, no line written" "$(batches) $(lines)" "$n $m"

# ---- a bad row: row and column named, nothing written ----
cat >"$WORK/bad.csv" <<'CSV'
po_number,po_date,amount
P-500,2026-02-01,10.00
P-501,2026-02-02,12.345
CSV
cl register import --contract $C --agency USD497 --json "$WORK/bad.csv"
if [ "$RC" -eq 1 ] && [ "$(js 'd["errors"][0]["row"], d["errors"][0]["column"], d["batch"]')" = "2 amount None" ]; then
	ok "bad row: refused naming row 2, column amount"
else not_ok "bad row: refused naming row 2, column amount"; fi
expect_eq "bad row: nothing written" "$(batches) $(lines)" "$n $m"

# ---- --skip-invalid writes the good rows ----
cl register import --contract $C --agency USD497 --skip-invalid --json "$WORK/bad.csv"
expect_eq "skip-invalid: one accepted, one rejected, batch written" \
	"$(js 'd["accepted"], d["rejected"], d["batch"] is not None')" "1 1 True"
expect_eq "skip-invalid: the good line only" \
	"$(q "SELECT group_concat(po_number) FROM register_line WHERE batch_id = (SELECT max(id) FROM register_batch)")" "P-500"

# ---- the same file again is a no-op ----
n=$(batches); m=$(lines)
cl register import --contract $C --json "$WORK/staff.csv"
expect_eq "byte-identical file: already imported as batch 1" \
	"$(js 'd.get("already_imported"), d["batch"]')" "True 1"
cl register import --contract $C "$WORK/staff.csv"
expect_out "byte-identical file: says so" "already imported as register batch 1; nothing was written"
expect_eq "byte-identical file: nothing written" "$(batches) $(lines)" "$n $m"

# ---- a duplicate PO is counted, a conflicting one refused ----
cat >"$WORK/again.csv" <<'CSV'
agency_code,po_number,po_date,amount
USD233,P-100,2025-09-01,1000.00
USD233,P-103,2026-03-01,20.00
CSV
cl register import --contract $C --json "$WORK/again.csv"
expect_eq "duplicate PO: skipped and counted" \
	"$(js 'd["accepted"], d["duplicates"], d["totals"]["amount"]')" "1 1 20.00"
cat >"$WORK/conflict.csv" <<'CSV'
agency_code,po_number,po_date,amount
USD233,P-100,2025-09-01,1100.00
CSV
n=$(batches); m=$(lines)
cl register import --contract $C --json "$WORK/conflict.csv"
if [ "$RC" -eq 1 ] && [ "$(js 'd["errors"][0]["row"], d["errors"][0]["column"]')" = "1 amount" ] &&
	grep -qF "already registered with amount 1000.00" <<<"$OUT"; then
	ok "conflicting PO: refused, naming the amount registered"
else not_ok "conflicting PO: refused, naming the amount registered"; fi
expect_eq "conflicting PO: nothing written" "$(batches) $(lines)" "$n $m"

# ---- a PO outside the term; an agency not a participant ----
cat >"$WORK/outside.csv" <<'CSV'
agency_code,po_number,po_date,amount
USD497,P-600,2025-06-30,10.00
USD497,P-601,2025-07-01,10.00
CSV
cl register import --contract $C --json "$WORK/outside.csv"
if [ "$RC" -eq 1 ] && [ "$(js 'd["errors"][0]["row"], d["errors"][0]["column"], len(d["errors"])')" = "1 po_date 1" ] &&
	grep -qF "outside the term of contract KS-TEST-2025" <<<"$OUT"; then
	ok "PO dated before the term: refused naming row 1"
else not_ok "PO dated before the term: refused naming row 1"; fi
cat >"$WORK/stranger.csv" <<'CSV'
agency_code,po_number,po_date,amount
CITY-TOP,P-700,2025-08-01,10.00
CSV
cl register import --contract $C --json "$WORK/stranger.csv"
if [ "$RC" -eq 1 ] && [ "$(js 'd["errors"][0]["column"]')" = "agency_code" ] &&
	grep -qF "agency CITY-TOP is not a participant of contract KS-TEST-2025" <<<"$OUT"; then
	ok "non-participant in agency_code: row refused"
else not_ok "non-participant in agency_code: row refused"; fi
cl register import --contract $C --agency CITY-TOP "$WORK/dry.csv"
expect_fail "non-participant named with --agency: file refused" 1 \
	"agency CITY-TOP is not a participant of contract KS-TEST-2025"

# ---- without --contract: the agency's only contract ----
cat >"$WORK/nocontract.csv" <<'CSV'
po_number,po_date,amount
P-800,2026-04-01,5.00
CSV
cl register import --agency CNTY-SG --json "$WORK/nocontract.csv"
expect_eq "no --contract: the agency's only contract" "$(js 'd["accepted"]')" "1"

# ---- a saved column mapping per agency ----
cl register map --agency USD497 "Req Number=po_number" "Approved=po_date"
expect_out "mapping: saved" "approved -> po_date"
cat >"$WORK/mapped.csv" <<'CSV'
Req Number,Approved,Total
R-1,2026-05-05,42.00
CSV
cl register import --contract $C --agency USD497 --json "$WORK/mapped.csv"
expect_eq "mapping: the agency's own headers are read" "$(js 'd["accepted"], d["ignored_columns"]')" "1 []"

# ---- reversal, then the same file again ----
cl register reverse --batch 1 --reason "exported twice by mistake"
expect_out "reverse: batch 1" "reversed register batch 1"
cl register reverse --batch 1 --reason "again"
expect_fail "reverse: not twice" 1 "already reversed"
expect_eq "reverse: the lines are kept" "$(q "SELECT count(*) FROM register_line WHERE batch_id = 1")" "3"
expect_eq "reverse: they no longer count" \
	"$(q "SELECT count(*) FROM live_register_line WHERE batch_id = 1")" "0"
cl register import --contract $C --json "$WORK/staff.csv"
expect_eq "reverse then re-import: a new batch, P-100 accepted again" \
	"$(js 'd.get("already_imported"), d["accepted"], d["duplicates"]')" "None 3 0"
cl register list --contract $C --json
expect_eq "list: batch 1 shown reversed" \
	"$(js '[b["reversed"] for b in d if b["batch"] == 1]')" "[True]"
cl register list --contract $C --agency USD497
expect_out "list: one agency's batches" "mapped.csv"

# ---- the chains, and the money reports untouched ----
cl verify
expect_out "verify: the chains are intact" "register rows"
expect_eq "verify: every register line checked" "$(grep -o '[0-9]* register rows' <<<"$OUT")" \
	"$(lines) register rows"
AFTER=$(money_reports)
expect_eq "fees, rebates and compliance unchanged by register lines" "$AFTER" "$BEFORE"
grep -q '"fee"' <<<"$BEFORE" && ok "the fee report compared is not empty" ||
	echo "not ok - the fee report compared is not empty"
q "UPDATE register_line SET amount = 1 WHERE id = 1" 2>/dev/null
expect_eq "register lines cannot be changed" "$(q "SELECT amount FROM register_line WHERE id = 1")" "100000"
