#!/usr/bin/env bash
# Cross-check with independent tools: export the demo contract's journal
# and check that `ledger` and `hledger` (Debian packages ledger, hledger)
# each report the same per-member and per-quarter totals, fees and balances
# as coopledger.
. "$(dirname "$0")/lib.sh"
ASOF=2026-11-25
C=KS-FURN-2025

command -v ledger >/dev/null || { echo "not ok - the ledger tool is installed (make deps)"; exit 1; }
command -v hledger >/dev/null || { echo "not ok - the hledger tool is installed (make deps)"; exit 1; }
cl --as-of $ASOF demo;                          expect_ok "demo loads"
cl --as-of $ASOF export ledger --contract $C --out "$WORK/j.ledger"
expect_ok "export ledger writes a journal"
ledger -f "$WORK/j.ledger" bal >/dev/null 2>"$WORK/ledger.err"
RC=$? OUT="" ERR=$(cat "$WORK/ledger.err")
expect_ok "ledger reads the journal without errors"
hledger -f "$WORK/j.ledger" check >/dev/null 2>"$WORK/hledger.err"
RC=$? OUT="" ERR=$(cat "$WORK/hledger.err")
if [ "$RC" -eq 0 ] && [ -z "$ERR" ]; then ok "hledger reads and checks the journal without errors"; else
	not_ok "hledger reads and checks the journal without errors"; fi

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
import csv, io, json, subprocess, sys, glob, os
work = sys.argv[1]
journal = os.path.join(work, "j.ledger")

def cents(text):
    neg = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    v = int(whole) * 100 + int((frac + "00")[:2])
    return -v if neg else v

def ledger_total(*args):
    """The grand total ledger prints for a balance query, in cents."""
    out = subprocess.run(["ledger", "-f", journal, "bal", "--flat", "--no-total",
                          "--balance-format", "%(quantity(scrub(display_total)))\n", *args],
                         capture_output=True, text=True, check=True).stdout.split()
    return sum(round(float(x) * 100) for x in out) if out else 0

def hledger_cents(amount):
    """An hledger amount ("$1234.56", "$-12.50", "-$12.50", "0") in cents."""
    a = amount.replace("$", "").replace(",", "").strip()
    return cents(a) if a else 0

def hledger_total(*args):
    """The sum of the accounts hledger lists for a balance query, in cents;
    ledger's -b/-e and account patterns mean the same to hledger."""
    out = subprocess.run(["hledger", "-f", journal, "bal", "--flat", "-N", "-O", "csv", *args],
                         capture_output=True, text=True, check=True).stdout
    rows = list(csv.reader(io.StringIO(out)))[1:]  # "account","balance"
    return sum(hledger_cents(r[1]) for r in rows if len(r) == 2)

TOOLS = (("ledger", ledger_total), ("hledger", hledger_total))

def check(what, tool, got, want):
    print(("ok - " if got == want else "not ok - ") + f"{tool}: {what}" +
          ("" if got == want else f"  ({tool} {got}, coopledger {want})"))

fees = json.load(open(os.path.join(work, "fees.json")))
paths = sorted(glob.glob(os.path.join(work, "agency-*.json")))
print(("ok - " if len(paths) == 11 else "not ok - ") + "eleven members to compare (%d)" % len(paths))
for tool, total in TOOLS:
    for q in fees["quarters"]:
        y, n = int(q["quarter"][:4]), int(q["quarter"][-1])
        begin = f"{y}-{3*n-2:02d}-01"
        end = f"{y+1}-01-01" if n == 4 else f"{y}-{3*n+1:02d}-01"
        check(f"quarter {q['quarter']}: member purchases equal net sales", tool,
              total("-b", begin, "-e", end, "^Members"), cents(q["net_sales"]))
    check("admin fee revenue equals the sum of quarterly fees", tool,
          -total("^Revenue:AdminFees"), sum(cents(q["fee"]) for q in fees["quarters"]))
    check("late fee revenue equals the sum of late fees", tool,
          -total("^Revenue:LateFees"), sum(cents(q["late_fee"]) for q in fees["quarters"]))
    check("the vendor's fee account equals the sum of balances", tool,
          total("^Vendor:.*:Fees"), sum(cents(q["balance"]) for q in fees["quarters"]))
    check("remittances equal the sum remitted", tool,
          total("^Assets:Remittances"), sum(cents(q["remitted"]) for q in fees["quarters"]))
    for path in paths:
        a = json.load(open(path))
        for c in a["contracts"]:
            check(f"member {a['agency']}: balance equals paid total", tool,
                  total(f"^Members:{a['agency']}$"), cents(c["paid_total"]))
PY
