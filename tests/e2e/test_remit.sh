#!/usr/bin/env bash
# End-to-end: one remittance keyed three times.  The second and third are
# refused unless confirmed as a second payment (--again); a wrong one is
# reversed with a reason (`remit reverse`) and then counts nowhere; the
# chains still verify.
#
# Figures, worked by hand (KS-TEST-2025: fee 2% to $300,000, due 45 days
# after the quarter, late fee the greater of $200 or 25% of what was
# unpaid at the due date):
#   2025-Q3 net sales  $12,345.67 + $2,469.13 = $14,814.80
#   fee                round(1,481,480 x 2%) = 29,629.6 -> $296.30
#   due                2025-09-30 + 45 days = 2025-11-14
#   ACH-771201         $296.30 received 2025-11-10, before the due date
# As of 2025-12-01:
#   once                        remitted $296.30  balance $0.00    paid
#   once + confirmed second     remitted $592.60  balance -$296.30 overpaid
#   the second reversed         remitted $296.30  balance $0.00    paid
#   both reversed               nothing paid by the due date, so a late fee
#                               of max($200, 25% x $296.30 = $74.08) = $200.00;
#                               balance $296.30 + $200.00 = $496.30, overdue
#                               17 days (2025-11-14 to 2025-12-01)
. "$(dirname "$0")/lib.sh"
D="$DATA/cli"
C=KS-TEST-2025
ASOF=2025-12-01

cl init >/dev/null
cl agency import "$D/agencies.csv"
cl vendor add --code V-TEST --name "Test Furniture Co"
cl contract import "$D/terms.json"
cat >"$WORK/q3.csv" <<'EOF'
agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount
USD259,PO-1,INV-1,2025-08-05,40000.00,12345.67
USD259,PO-2,INV-2,2025-09-20,10000.00,2469.13
EOF
cl --as-of $ASOF import --contract $C --period 2025-Q3 "$WORK/q3.csv"
expect_ok "the 2025-Q3 sales report imports"

# q3 FIELD: one field of the 2025-Q3 fee quarter as of 2025-12-01
q3() {
	"$BIN" --db "$DB" --as-of $ASOF report fees --contract $C --period 2025-Q3 --json |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["quarters"][0][sys.argv[1]])' "$1"
}
# figures WHAT REMITTED BALANCE STATUS
figures() {
	expect_eq "$1" "$(q3 remitted) $(q3 balance) $(q3 status)" "$2 $3 $4"
}
remit() {
	cl --as-of $ASOF remit --contract $C --period 2025-Q3 --amount 296.30 \
		--received 2025-11-10 --ref ACH-771201 "$@"
}

expect_eq "the fee is \$296.30" "$(q3 fee)" "296.30"
remit;  expect_out "the first remittance is recorded" "as remittance 1"
remit;  expect_fail "the same remittance again is refused, naming the first" 1 \
	"remittance 1 (reference ACH-771201) is already recorded for $C 2025-Q3: \$296.30 received 2025-11-10"
expect_fail "the refusal says how to confirm a second payment" 1 "--again"
remit;  expect_fail "and refused a third time" 1 "already recorded"
expect_eq "one remittance row" "$(q "SELECT count(*) FROM remittance")" "1"
figures "the quarter is paid, not overpaid" 296.30 0.00 paid

remit --again; expect_out "a confirmed second payment is recorded" "as remittance 2"
figures "two payments overpay the quarter" 592.60 -296.30 overpaid

cl remit reverse --id 2;  expect_fail "a reversal needs a reason" 2 "needs --reason"
cl remit reverse --id 2 --reason "";  expect_fail "an empty reason is refused" 1 \
	"reversing remittance 2 needs a reason"
cl remit reverse --id 99 --reason "keyed twice"; expect_fail "an unknown remittance" 1 \
	"there is no remittance 99"
cl remit reverse --id 2 --reason "keyed twice"
expect_out "the second payment is reversed" "reversed remittance 2 (\$296.30 from $C for 2025-Q3, ACH-771201)"
figures "the quarter is paid again" 296.30 0.00 paid
cl remit reverse --id 2 --reason "keyed twice"; expect_fail "a remittance is reversed once" 1 \
	"remittance 2 is already reversed"
cl remit reverse --id 3 --reason "undo"; expect_fail "a reversal is not reversed" 1 \
	"remittance 3 is itself a reversal (of remittance 2)"

cl period close 2025-Q4 --confirm
n_before=$(q "SELECT count(*) FROM remittance")
cl --as-of $ASOF remit --contract $C --period 2025-Q3 --amount 10.00 --received 2025-11-20 --ref ACH-LATE
expect_fail "cash received in a closed quarter: refused, naming it" 1 \
	"cash received 2025-11-20 and quarter 2025-Q4 is closed; reopen it first"
expect_eq "and nothing written" "$(q "SELECT count(*) FROM remittance")" "$n_before"
cl remit reverse --id 1 --reason "returned by the bank"
expect_fail "received in a closed quarter: refused, naming it" 1 "quarter 2025-Q4 is closed"
cl period reopen 2025-Q4 --reason "bank return"
cl remit reverse --id 1 --reason "returned by the bank"; expect_ok "reversed once reopened"
figures "nothing remitted: overdue with the late fee" 0.00 496.30 overdue
expect_eq "17 days past due" "$(q3 days_past_due)" "17"

cl verify; expect_out "verify covers the remittance rows" "4 remittance rows"
expect_out "and the chains are intact" "chains are intact"
# refused WHAT SQL: the database itself refuses the statement
refused() {
	if sqlite3 "$DB" "$2" 2>&1 | grep -qF "remittances are append-only"; then ok "$1"; else
		echo "not ok - $1"; fi
}
refused "updates are refused by the database" "UPDATE remittance SET amount = 1 WHERE id = 1"
refused "deletes are refused by the database" "DELETE FROM remittance WHERE id = 2"
expect_eq "and nothing changed" "$(q "SELECT count(*), sum(amount) FROM remittance")" "4|0"
