#!/usr/bin/env bash
# End-to-end: a member's due-diligence packet (DOMAIN.md section 7) from
# `coopledger packet` and from the server, checked with pdftotext and
# qpdf --check: the award facts, the eligibility outcomes, the terms in
# force, the amendment in words, and the member's net purchases by
# quarter.  Another member's packet is 404 to a member.
#
# KS-TEST-2025 (tests/data/import/setup), lead USD259, vendor V-TEST,
# RFP 25-0147, 2025-07-01 to 2028-06-30.  USD233 joined 2025-08-15.
# Ledger (tests/data/packet/sales.csv), USD233's live lines by quarter,
# worked by hand (INV-6 is reversed, so it counts nowhere):
#   2025-Q3  INV-1 400.00 + INV-2 200.20            = 600.20  (2 lines)
#   2025-Q4  INV-3 100.01 + INV-4 -20.00            =  80.01  (2 lines)
#   2026-Q1  INV-5 1200.00                          = 1200.00 (1 line)
#   total                                             1880.21 (5 lines)
# USD497's PO-9 (60.00) is another member's and appears nowhere.
# Amendment 1, effective 2026-01-01: {"due_days": 30} -> "fee due 30 days
# after the quarter"; the terms in force today say 30 days.
. "$(dirname "$0")/lib.sh"
S="$DATA/import/setup"
P="$DATA/packet"
C=KS-TEST-2025
ASOF=2026-11-25

setup_test_contract $ASOF
cl --as-of $ASOF import --contract $C "$P/sales.csv"
expect_out "setup: the sales" "imported batch 1"
cl --as-of $ASOF reverse --line "$(q "SELECT id FROM purchase WHERE invoice_number = 'INV-6'")" \
	--reason "wrong price"
expect_ok "setup: INV-6 reversed"
cl --as-of 2025-12-15 contract amend $C --effective 2026-01-01 \
	--reference "Amendment 1, board approval 2025-12-10" "$P/amend.json"
expect_ok "setup: amendment 1"

text() { pdftotext -layout "$1" - 2>/dev/null; }
has() {
	if text "$2" | grep -qF -- "$3"; then ok "$1"; else
		echo "not ok - $1"; echo "#   wanted: $3"; text "$2" | sed 's/^/#   /' | head -60; fi
}
# row FILE QUARTER LINES AMOUNT: a line of the purchases table
row() {
	if text "$1" | tr -s ' ' | grep -qxF -- "$2 $3 \$$4"; then ok "packet: $2 is $3 lines, $4"; else
		echo "not ok - packet: $2 is $3 lines, $4"; text "$1" | grep -F -- "$2" | sed 's/^/#   /'; fi
}
check_pdf() {
	if [ -s "$2" ] && qpdf --check "$2" >"$WORK/qpdf" 2>&1; then ok "$1"; else
		echo "not ok - $1"; sed 's/^/#   /' "$WORK/qpdf" | head -5; fi
}

F="$WORK/packet.pdf"
cl --as-of $ASOF packet --contract $C --agency USD233 --out "$F"
expect_out "packet: written" "wrote $F"
check_pdf "packet: qpdf --check passes" "$F"
has "packet: title" "$F" "Due-diligence packet"
has "packet: lead agency letterhead" "$F" "Wichita USD 259"
has "packet: solicitation" "$F" "RFP 25-0147"
has "packet: award date" "$F" "2025-07-01"
has "packet: lead agency as procuring entity" "$F" "Wichita USD 259 (USD259), the procuring entity"
has "packet: vendor" "$F" "Test Furniture Co (V-TEST)"
has "packet: public entity, yes" "$F" "The member is a public entity"
if text "$F" | grep -qE "public entity +Yes$"; then ok "packet: public entity outcome Yes"; else
	not_ok "packet: public entity outcome Yes"; fi
has "packet: joined date" "$F" "Yes: joined the contract on 2025-08-15"
has "packet: within the term" "$F" "Yes: 2025-07-01 to 2028-06-30"
has "packet: terms in force (amended due days)" "$F" "30 days after each quarter"
has "packet: fee bands" "$F" "2% from \$0.00, 1.5% from \$30,000,000.00"
has "packet: amendment reference" "$F" "Amendment 1, board approval 2025-12-10"
has "packet: amendment in words" "$F" "fee due 30 days after the quarter"
has "packet: amendment effective date" "$F" "2026-01-01"
row "$F" 2025-Q3 2 600.20
row "$F" 2025-Q4 2 80.01
row "$F" 2026-Q1 1 "1,200.00"
row "$F" Total 5 "1,880.21"
if text "$F" | grep -qF "60.00"; then not_ok "packet: no other member's purchase"; else
	ok "packet: no other member's purchase"; fi
if [ "$(pdfinfo "$F" | awk '/^Pages:/ {print $2}')" = 1 ]; then ok "packet: one page"; else
	not_ok "packet: one page"; fi
# the total again, from the ledger by SQL (live lines: neither reversed nor reversals)
sum=$(q "SELECT printf('%d.%02d', sum(invoiced_amount) / 100, sum(invoiced_amount) % 100) FROM live_purchase p JOIN agency a ON a.id = p.agency_id WHERE a.code = 'USD233'")
expect_eq "packet: the ledger's own sum is the hand-worked total" "$sum" "1880.21"

# an unknown agency, one that is not a participant, and a participant
# whose public-entity status was withdrawn after it joined (the agency
# record edited in place, as the agency page does)
cl --as-of $ASOF packet --contract $C --agency USD259X --out "$WORK/x.pdf"
expect_fail "packet: unknown agency refused" 1 "USD259X"
cl --as-of $ASOF packet --contract $C --agency CITY-TOP --out "$WORK/x.pdf"
expect_fail "packet: not a participant refused" 1 "not a participant"
q "UPDATE agency SET public_entity = 0 WHERE code = 'CNTY-SG'"
cl --as-of $ASOF packet --contract $C --agency CNTY-SG --out "$WORK/np.pdf"
if text "$WORK/np.pdf" | grep -qE "public entity +No$"; then ok "packet: a non-public member reads No"; else
	not_ok "packet: a non-public member reads No"; fi
has "packet: no purchases yet" "$WORK/np.pdf" "No purchases under this contract yet."
cl --as-of $ASOF packet --contract $C --agency USD233
expect_fail "packet: --out is required" 2 "give --contract, --agency and --out"

# ---- the server: staff and that member; anyone else 404 ----
export COOPLEDGER_PASSWORD="packet test password"
cl user add --email admin@usd259.test --role admin
cl user add --email buyer@usd233.test --role member --agency USD233
cl user add --email buyer@usd497.test --role member --agency USD497
serve_start $ASOF
get() { curl -s -o "$WORK/got" -w '%{http_code}' -H "authorization: Bearer $1" "$URL$2"; }
T233=$(api_token buyer@usd233.test)
T497=$(api_token buyer@usd497.test)
TADM=$(api_token admin@usd259.test)
path=/agencies/USD233/contracts/$C/packet.pdf
expect_eq "server: the member gets its packet" "$(get "$T233" $path)" 200
row "$WORK/got" Total 5 "1,880.21"
expect_eq "server: the same text as the command line's" "$(text "$WORK/got")" "$(text "$F")"
expect_eq "server: staff get it" "$(get "$TADM" $path)" 200
expect_eq "server: another member gets 404" "$(get "$T497" $path)" 404
expect_eq "server: a member cannot reach another agency's packet by its own contract" \
	"$(get "$T233" /agencies/USD497/contracts/$C/packet.pdf)" 404
expect_eq "server: signed out, sent to sign in" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$URL$path")" 303
kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null
if grep -qE 'runtime error:|AddressSanitizer' "$WORK/serve.err"; then not_ok "server: clean log"; else
	ok "server: clean log"; fi
