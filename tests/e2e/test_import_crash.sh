#!/usr/bin/env bash
# End-to-end: a sales-report import is one transaction.  A 200,000-row
# report is imported and the process killed with SIGKILL at several
# moments; after each kill the database must be intact (integrity_check,
# `coopledger verify`) and hold either the whole batch or none of it.
# Finally the same file is imported to completion over a crashed database.
#
# Kill moments are a few fixed early delays plus fractions of the time a
# full import takes on this machine and build (measured first), so the test
# keeps its meaning under the slower sanitizer build.
. "$(dirname "$0")/lib.sh"
S="$DATA/import/setup"
ASOF=2026-11-25
N=200000
CSV="$WORK/crash.csv"

# ---- the report: N valid rows in 2025-Q4, unique invoice numbers ----
python3 - "$CSV" "$N" >"$WORK/expected" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
agencies = ["USD259", "USD497", "USD233"]  # all participants before 2025-10-01
list_total = inv_total = 0
with open(path, "w") as f:
    f.write("agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount,description\n")
    for i in range(n):
        d = i % 92  # 0..91: the days of 2025-Q4
        month, day = (10, d + 1) if d < 31 else ((11, d - 30) if d < 61 else (12, d - 60))
        lst = (100 + i % 900) * 100 + i % 100
        inv = (60 + i % 500) * 100 + i % 97
        list_total += lst
        inv_total += inv
        f.write("%s,PO-%d,INV-%06d,2025-%02d-%02d,%d.%02d,%d.%02d,Item %d\n"
                % (agencies[i % 3], i // 4, i, month, day, lst // 100, lst % 100,
                   inv // 100, inv % 100, i))
print("%d.%02d %d.%02d" % (list_total // 100, list_total % 100, inv_total // 100, inv_total % 100))
PY
read -r WANT_LIST WANT_INV <"$WORK/expected"
SHA=$(sha256sum "$CSV" | cut -d' ' -f1)
expect_eq "the generated report has $N rows" "$(($(wc -l <"$CSV") - 1))" "$N"

# ---- the shared setup, copied for every run ----
DB="$WORK/template.db"
cl --as-of $ASOF init;                      expect_ok "setup: init"
cl agency import "$S/agencies.csv";         expect_out "setup: agencies" "imported 6 agencies"
cl vendor add --code V-TEST --name "Test Furniture Co"; expect_out "setup: vendor" "added vendor V-TEST"
cl contract import "$S/terms.json";         expect_out "setup: contract" "imported contract"
cl participant import --contract KS-TEST-2025 "$S/participants.csv"
expect_out "setup: participants" "imported 3 participants"
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
TEMPLATE=$DB
fresh_db() {
	rm -f "$1" "$1-wal" "$1-shm"
	cp "$TEMPLATE" "$1"
}
now() { date +%s.%N; }
import_args=(--as-of "$ASOF" import --contract KS-TEST-2025 --period 2025-Q4 --json "$CSV")

# check_state WHAT: the database is intact and holds all of the batch or none.
check_state() {
	local batches purchases pending
	expect_eq "$1: integrity_check" "$(q "PRAGMA integrity_check")" "ok"
	cl verify; expect_out "$1: verify passes" "chains are intact"
	batches=$(q "SELECT count(*) FROM import_batch WHERE sha256 = '$SHA'")
	pending=$(q "SELECT count(*) FROM import_batch WHERE sha256 <> '$SHA'")
	purchases=$(q "SELECT count(*) FROM purchase")
	expect_eq "$1: no other (half-made) batch row" "$pending" "0"
	if [ "$batches" = 0 ] && [ "$purchases" = 0 ]; then
		ok "$1: nothing of the batch is in the ledger"
		STATE=none
	elif [ "$batches" = 1 ] && [ "$purchases" = "$N" ] &&
		[ "$(q "SELECT count(*) FROM purchase WHERE batch_id = (SELECT id FROM import_batch)")" = "$N" ] &&
		[ "$(q "SELECT rows_accepted FROM import_batch")" = "$N" ]; then
		ok "$1: the whole batch ($N lines) is in the ledger"
		STATE=all
	else
		RC=0 OUT="" ERR=""
		not_ok "$1: $batches batch rows and $purchases purchase rows: neither none nor all $N"
		STATE=partial
	fi
}

# ---- a full import, timed; killed after it finished (a no-op) ----
DB="$WORK/full.db"
fresh_db "$DB"
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -v -o "$WORK/time")
t0=$(now)
"${timer[@]}" "$BIN" --db "$DB" "${import_args[@]}" >"$WORK/out" 2>"$WORK/err" &
pid=$!
wait "$pid"
RC=$?
T=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
kill -9 "$pid" 2>/dev/null
OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
expect_ok "a full import of $N rows succeeds (${T}s)"
if grep -qa __asan_init "$BIN"; then
	# ASan keeps up to 256 MiB of freed blocks in quarantine by design.
	ok "$N rows: peak memory # SKIP under AddressSanitizer"
elif [ -x /usr/bin/time ]; then
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$WORK/time")
	if [ -n "$rss" ] && [ "$rss" -lt 65536 ]; then ok "$N rows: peak memory ${rss} KiB < 64 MiB"; else
		not_ok "$N rows: peak memory ${rss:-unknown} KiB, wanted < 64 MiB"; fi
else
	ok "$N rows: peak memory # SKIP no /usr/bin/time"
fi
check_state "killed after it finished"
expect_eq "killed after it finished: the whole batch is there" "$STATE" "all"

# ---- kill -9 at increasing moments ----
# Fixed early delays, then fractions (f) of the full import's time, the
# last ones near the commit.
killed=0
for at in 0.05 0.2 0.5 1 f0.5 f0.8 f0.9 f0.95; do
	DB="$WORK/kill-$at.db"
	fresh_db "$DB"
	case $at in
	f*) delay=$(awk -v t="$T" -v f="${at#f}" 'BEGIN { printf "%.3f", t * f }') ;;
	*) delay=$at ;;
	esac
	"$BIN" --db "$DB" "${import_args[@]}" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	check_state "killed after ${delay}s (exit $rc)"
	if [ "$rc" -eq 137 ] && [ "$STATE" = none ]; then killed=$((killed + 1)); fi
done
if [ "$killed" -ge 3 ]; then ok "$killed kills interrupted a running import"; else
	RC=0 OUT="" ERR=""; not_ok "only $killed kills interrupted a running import (full import took ${T}s)"; fi

# ---- after a crash, the same file imports to completion ----
DB="$WORK/kill-0.2.db"
cl "${import_args[@]}"
expect_ok "after a crash the report imports"
res=$(python3 -c 'import json, sys
r = json.load(sys.stdin)
print(r["rows"], r["accepted"], r["duplicates"], r["rejected"], r["totals"]["list_amount"], r["totals"]["invoiced_amount"])' <<<"$OUT")
expect_eq "rows, accepted, duplicates, rejected and totals" "$res" "$N $N 0 0 $WANT_LIST $WANT_INV"
expect_eq "the ledger holds $N lines" "$(q "SELECT count(*) FROM purchase")" "$N"
expect_eq "the batch records its counts and totals" \
	"$(q "SELECT rows_total || ' ' || rows_accepted || ' ' || printf('%d.%02d %d.%02d', list_total / 100, list_total % 100, invoiced_total / 100, invoiced_total % 100) FROM import_batch")" \
	"$N $N $WANT_LIST $WANT_INV"
expect_eq "the ledger sums match the generated file" \
	"$(q "SELECT printf('%d.%02d %d.%02d', sum(list_amount) / 100, sum(list_amount) % 100, sum(invoiced_amount) / 100, sum(invoiced_amount) % 100) FROM purchase")" \
	"$WANT_LIST $WANT_INV"
check_state "after the completed import"
