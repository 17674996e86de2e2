#!/usr/bin/env bash
# End-to-end: the server's pages never wait behind another writer, and a
# writer waits for another writer rather than failing.
#
# KS-TEST-2025 (tests/data/import/setup) with the packet's ledger
# (tests/data/packet/sales.csv).  Every ledger write marks its orders
# "touched": their stored compliance is recomputed on the next read.
#  - a write through the server brings the stored compliance up to date
#    before it answers: no order is left touched;
#  - with orders touched by the command line and another process holding
#    the write lock, the compliance API answers at once (what is stored),
#    where it used to wait for the lock and then fail;
#  - once the lock is free, the next read brings them up to date;
#  - a remittance sent while another process holds the write lock for
#    8 seconds waits for it and is recorded (it used to fail after 5);
#  - verify run while imports commit one after another passes: the lines
#    and the kept sums, read apart, are read again when the ledger grew;
#  - orders touched by the command line beyond what a reader recomputes
#    itself (2,048 of a contract) are left to the server's write lane: the
#    page answers with what is stored, and the lane brings them up to date
#    with no further request;
#  - on a server with one thread, a page asked for while a remittance
#    waits for the lock is answered first: writes are worked out on the
#    server's write lane, not on the thread that serves the pages.
. "$(dirname "$0")/lib.sh"
P="$DATA/packet"
C=KS-TEST-2025
ASOF=2026-11-25

setup_test_contract $ASOF
export COOPLEDGER_PASSWORD="writer test password"
cl user add --email admin@usd259.test --role admin
cl user add --email buyer@usd233.test --role member --agency USD233

serve_start $ASOF
TADM=$(api_token admin@usd259.test)
T233=$(api_token buyer@usd233.test)
# status and seconds of one request: curl ARGS...
timed() { curl -s -o "$WORK/got" -w '%{http_code} %{time_total}' "$@"; }
touched() { q "SELECT count(*) FROM purchase_order WHERE touched = 1"; }
# hold_lock SECONDS: another process holds the write lock; returns once it has it
hold_lock() {
	rm -f "$WORK/held"
	/usr/bin/python3 -c '
import sqlite3, sys, time, pathlib
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
pathlib.Path(sys.argv[3]).write_text("held")
time.sleep(float(sys.argv[2]))
db.execute("ROLLBACK")' "$DB" "$1" "$WORK/held" &
	holder=$!
	for i in $(seq 100); do [ -s "$WORK/held" ] && break; sleep 0.05; done
}

# ---- a write through the server leaves nothing touched ----
read -r st secs < <(timed -H "authorization: Bearer $TADM" -H 'content-type: text/csv' \
	--data-binary @"$P/sales.csv" "$URL/api/v1/contracts/$C/imports?file_name=sales.csv")
expect_eq "server import: accepted" "$st" 201
expect_eq "server import: its orders' compliance is stored before the answer" "$(touched)" 0

# ---- orders touched by the command line, the lock held elsewhere ----
printf 'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\nUSD233,PO-W,INV-W1,2026-02-02,100.00,95.00\n' >"$WORK/more.csv"
cl --as-of $ASOF import --contract $C "$WORK/more.csv"
expect_ok "command-line import"
expect_eq "command line: its order is left touched" "$(touched)" 1
hold_lock 6
read -r st secs < <(timed -H "authorization: Bearer $T233" "$URL/api/v1/contracts/$C/compliance")
expect_eq "lock held elsewhere: the member's compliance answers" "$st" 200
if awk -v s="$secs" 'BEGIN { exit !(s < 2) }'; then ok "lock held elsewhere: at once ($secs s)"; else
	not_ok "lock held elsewhere: at once (took $secs s)"; fi
expect_eq "lock held elsewhere: the order is still touched" "$(touched)" 1
wait "$holder"
read -r st secs < <(timed -H "authorization: Bearer $T233" "$URL/api/v1/contracts/$C/compliance")
expect_eq "lock free: the compliance answers" "$st" 200
expect_eq "lock free: the read brought the order up to date" "$(touched)" 0

# ---- a writer waits for another writer ----
hold_lock 8
read -r st secs < <(timed -H "authorization: Bearer $TADM" -H 'content-type: application/json' \
	-d '{"period":"2025-Q3","amount":"12.00","received":"2025-11-01","reference":"ACH-W1"}' \
	"$URL/api/v1/contracts/$C/remittances")
expect_eq "remittance while another process writes for 8 s: recorded" "$st" 201
expect_eq "remittance: in the books" \
	"$(q "SELECT count(*) FROM remittance WHERE reference = 'ACH-W1'")" 1
wait "$holder"

# ---- many orders touched by the command line: left to the write lane ----
# line_count of the member's compliance report (paged: its totals)
oc_lines() {
	curl -s -H "authorization: Bearer $T233" "$URL/api/v1/contracts/$C/compliance?limit=1" |
		/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["paging"]["line_count"])'
}
before=$(oc_lines)
awk 'BEGIN {
	print "agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount"
	for (i = 1; i <= 2100; i++) # 2,100 orders, each overcharged (60% off: 40.00 due)
		printf "USD233,PO-L%d,INV-L%d,2026-04-10,100.00,95.00\n", i, i
}' >"$WORK/many.csv"
cl --as-of $ASOF import --contract $C "$WORK/many.csv"
expect_ok "command line: 2,100 orders imported"
expect_eq "... all touched" "$(touched)" 2100
expect_eq "a read with 2,100 touched: answers with what is stored" "$(oc_lines)" "$before"
for i in $(seq 100); do [ "$(touched)" = 0 ] && break; sleep 0.1; done
expect_eq "... and the lane brings them up to date, with no further request" "$(touched)" 0
expect_eq "... after which the report has them" "$(oc_lines)" "$((before + 2100))"

kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null

# ---- verify while imports commit ----
for k in $(seq 1 12); do
	awk -v k=$k 'BEGIN {
		print "agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount"
		for (i = 1; i <= 400; i++)
			printf "USD233,PO-V%d-%d,INV-V%d-%d,2026-03-%02d,%d.00,%d.00\n", k, i / 4, k, i,
				i % 28 + 1, 100 + i, 90 + i
	}' >"$WORK/v$k.csv"
done
(for k in $(seq 1 12); do "$BIN" --db "$DB" --as-of $ASOF import --contract $C "$WORK/v$k.csv" \
	>/dev/null 2>&1 || echo "import $k failed" >>"$WORK/vimports"; done) &
importer=$!
verified=0 tries=0
while kill -0 "$importer" 2>/dev/null && [ $tries -lt 40 ]; do
	tries=$((tries + 1))
	cl verify
	if [ "$RC" -eq 0 ]; then verified=$((verified + 1)); else
		echo "# verify during imports: $ERR"; fi
	[ "$RC" -eq 0 ] || break
done
wait "$importer"
expect_eq "verify while 12 imports commit: every run passes ($verified of $tries)" \
	"$verified" "$tries"
expect_eq "... and the imports all went in" "$(cat "$WORK/vimports" 2>/dev/null)" ""
cl verify
expect_out "... and verify after them" "the chains are intact"

# ---- one thread: a page is not held up by a waiting writer ----
serve_start $ASOF --threads 1
hold_lock 6
rm -f "$WORK/remit.out"
curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $TADM" \
	-H 'content-type: application/json' \
	-d '{"period":"2025-Q3","amount":"13.00","received":"2025-11-02","reference":"ACH-W2"}' \
	"$URL/api/v1/contracts/$C/remittances" >"$WORK/remit.out" &
remitter=$!
sleep 0.5 # the remittance is waiting for the lock
read -r st secs < <(timed -H "authorization: Bearer $T233" "$URL/api/v1/contracts/$C/compliance")
expect_eq "one thread, a writer waiting: the member's compliance answers" "$st" 200
expect_eq "... before the remittance is answered" "$(cat "$WORK/remit.out")" ""
wait "$remitter"
expect_eq "... which is then recorded" "$(cat "$WORK/remit.out")" 201
wait "$holder"
kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null
if grep -qE 'runtime error:|AddressSanitizer|database is locked' "$WORK/serve.err"; then
	not_ok "server: clean log"; cat "$WORK/serve.err"; else ok "server: clean log"; fi
