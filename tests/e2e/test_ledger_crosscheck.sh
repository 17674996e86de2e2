#!/usr/bin/env bash
# Cross-check with an independent tool: export the demo contract's journal
# and check that `ledger` (Debian package ledger) reports the same
# per-member and per-quarter totals, fees and balances as coopledger.
. "$(dirname "$0")/lib.sh"
ASOF=2026-11-25
C=KS-FURN-2025

command -v ledger >/dev/null || { echo "not ok - the ledger tool is installed (make deps)"; exit 1; }
cl --as-of $ASOF demo;                          expect_ok "demo loads"
cl --as-of $ASOF export ledger --contract $C --out "$WORK/j.ledger"
expect_ok "export ledger writes a journal"
ledger -f "$WORK/j.ledger" bal >/dev/null 2>"$WORK/ledger.err"
RC=$? OUT="" ERR=$(cat "$WORK/ledger.err")
expect_ok "ledger reads the journal without errors"

cl --as-of $ASOF report fees --contract $C --json; cp "$WORK/out" "$WORK/fees.json"
# the eight largest buyers and three of the smallest
members=$(q "SELECT code FROM (SELECT a.code, count(*) n FROM live_purchase p JOIN agency a ON a.id = p.agency_id
	JOIN contract c ON c.id = p.contract_id WHERE c.number = '$C' GROUP BY a.code)
	ORDER BY n DESC LIMIT 8" ; q "SELECT code FROM (SELECT a.code, count(*) n FROM live_purchase p
	JOIN agency a ON a.id = p.agency_id JOIN contract c ON c.id = p.contract_id WHERE c.number = '$C'
	GROUP BY a.code) ORDER BY n, code LIMIT 3")
for a in $members; do
	"$BIN" --db "$DB" --as-of $ASOF report agency --agency $a --contract $C --json >"$WORK/agency-$a.json" 2>/dev/null
done

python3 - "$WORK" <<'PY'
import json, subprocess, sys, glob, os
work = sys.argv[1]
journal = os.path.join(work, "j.ledger")

def ledger_total(*args):
    """The grand total ledger prints for a balance query, in cents."""
    out = subprocess.run(["ledger", "-f", journal, "bal", "--flat", "--no-total",
                          "--balance-format", "%(quantity(scrub(display_total)))\n", *args],
                         capture_output=True, text=True, check=True).stdout.split()
    return sum(round(float(x) * 100) for x in out) if out else 0

def cents(text):
    neg = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    v = int(whole) * 100 + int((frac + "00")[:2])
    return -v if neg else v

def check(what, got, want):
    print(("ok - " if got == want else "not ok - ") + what +
          ("" if got == want else f"  (ledger {got}, coopledger {want})"))

fees = json.load(open(os.path.join(work, "fees.json")))
for q in fees["quarters"]:
    y, n = int(q["quarter"][:4]), int(q["quarter"][-1])
    begin = f"{y}-{3*n-2:02d}-01"
    end = f"{y+1}-01-01" if n == 4 else f"{y}-{3*n+1:02d}-01"
    check(f"quarter {q['quarter']}: member purchases equal net sales",
          ledger_total("-b", begin, "-e", end, "^Members"), cents(q["net_sales"]))
check("admin fee revenue equals the sum of quarterly fees",
      -ledger_total("^Revenue:AdminFees"), sum(cents(q["fee"]) for q in fees["quarters"]))
check("late fee revenue equals the sum of late fees",
      -ledger_total("^Revenue:LateFees"), sum(cents(q["late_fee"]) for q in fees["quarters"]))
check("the vendor's fee account equals the sum of balances",
      ledger_total("^Vendor:.*:Fees"), sum(cents(q["balance"]) for q in fees["quarters"]))
paths = sorted(glob.glob(os.path.join(work, "agency-*.json")))
check("eleven members to compare", len(paths), 11)
for path in paths:
    a = json.load(open(path))
    for c in a["contracts"]:
        check(f"member {a['agency']}: ledger balance equals paid total",
              ledger_total(f"^Members:{a['agency']}$"), cents(c["paid_total"]))
PY
