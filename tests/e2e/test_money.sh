#!/usr/bin/env bash
# End-to-end: the money engine (DOMAIN.md sections 2, 4, 4.1-4.5), driven by
# the cases in tests/data/money.  Each case is a folder holding:
#
#   terms.json        the contract (section 4); its vendor is created first
#   agencies.csv      code,name,kind,state[,public_entity] (the lead included)
#   participants.csv  agency_code,joined (optional; the lead joins by itself)
#   lines*.csv        sales reports in the import format
#   remittances.csv   optional: period,amount,received,ref
#   case.json         what to do and what to expect:
#     as_of    today for the reports (and the default for every other step)
#     contracts  optional further contracts [{terms, participants?,
#              remittances?}] (files of the folder, as above), set up after
#              the one of terms.json; a vendor is created once
#     imports  [{file, period?, filed?, contract?}]  imported in order;
#              "filed" is the --as-of of the import, i.e. the report's
#              filing date.  Default: with a period, the day after the
#              quarter ends (filed on time); without one, as_of.  "contract"
#              is a contract number, by default the one of terms.json
#     registers  [{file, agency?, as_of?, contract?, refused?}]  members'
#              purchase registers (DOMAIN.md 4.7) imported in order with
#              `register import`, after the step's imports; "agency" is its
#              --agency (else the file carries agency_code); with refused,
#              the file must be refused with that text, no line written
#     reverse  [{invoice_number, line, reason, as_of?, contract?}] reverses
#              that live line; [{batch_of: FILE, reason, as_of?, contract?}]
#              that file's batch
#     reports  [{args, as_of?, expect}]  `--json` is added when missing;
#              every key given in expect must match exactly (objects: only
#              the keys given; lists: same length, element by element)
#     amend    [{effective, reference, changes, as_of?, contract?, refused?}]
#              `contract amend` with the partial terms document changes
#              (DOMAIN.md 4.6); with refused, the amendment must be refused
#              with that text and nothing written.  An import may also say
#              refused: the whole file is refused with that text
#     then     optional later steps [{as_of, amend, imports, registers, reverse,
#              reports}], run
#              in order after the first ones (e.g. a line arriving after a
#              rebate year was finalized)
#     working  the hand computation, for a finance reviewer
#
# A case with amendments runs twice: once with `contract amend`, once with
# each amendment POSTed to /api/v1/contracts/NUMBER/amendments by an admin,
# to a server started for the amendment's day.  Both must meet every
# expectation: the CLI and the API give the same figures.
#
# Order within a step: amendments, imports, registers, reversals, remittances (first
# step only), reports.  Remittances are recorded with --as-of their received date.
# Every case runs on a fresh database; afterwards `coopledger verify` must
# pass.
. "$(dirname "$0")/lib.sh"
D="$DATA/money"

cat >"$WORK/money.py" <<'PY'
import datetime, difflib, json, os, shlex, sys

def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)

def q(words):
    return " ".join(shlex.quote(str(w)) for w in words)

def day_after_quarter(period):
    year, qn = int(period[:4]), int(period[-1])
    if qn == 4:
        return "%04d-01-01" % (year + 1)
    return "%04d-%02d-01" % (year, 3 * qn + 1)

def stages(case):
    first = {k: case.get(k) for k in ("as_of", "amend", "imports", "registers", "reverse", "reports")}
    return [first] + list(case.get("then") or [])

def has_amendments(case):
    return any(st.get("amend") for st in stages(case))

def cmd_amends(folder):
    """Exit 0 when the case amends its contract."""
    sys.exit(0 if has_amendments(load(os.path.join(folder, "case.json"))) else 1)

def cmd_plan(folder, work, via="cli"):
    """Print the steps of a case, one a line: KIND<TAB>LABEL<TAB>shell words.
    With via "api" an amendment is a request body for the API instead."""
    case = load(os.path.join(folder, "case.json"))
    contracts = [{"terms": "terms.json", "participants": "participants.csv",
                  "remittances": "remittances.csv"}] + list(case.get("contracts") or [])
    for ct in contracts:
        ct["doc"] = load(os.path.join(folder, ct["terms"]))
    number = contracts[0]["doc"]["number"]
    first_day = min(ct["doc"]["start"] for ct in contracts)
    out = []
    def step(kind, label, words):
        out.append("%s\t%s\t%s" % (kind, label, q(words)))
    step("setup", "init", ["--as-of", first_day, "init"])
    step("setup", "agencies", ["--as-of", first_day, "agency", "import", os.path.join(folder, "agencies.csv")])
    if via == "api":
        step("setup", "an admin for the API", ["--as-of", first_day, "user", "add", "--email", API_ADMIN,
                                               "--role", "admin"])
    vendors = set()
    for ct in contracts:
        terms, start = ct["doc"], ct["doc"]["start"]
        if terms["vendor"] not in vendors:
            vendors.add(terms["vendor"])
            step("setup", "vendor " + terms["vendor"], ["--as-of", start, "vendor", "add", "--code", terms["vendor"],
                                                       "--name", "Vendor " + terms["vendor"]])
        step("setup", "contract " + terms["number"], ["--as-of", start, "contract", "import",
                                                      os.path.join(folder, ct["terms"])])
        parts = os.path.join(folder, ct.get("participants") or "-")
        if os.path.exists(parts):
            step("setup", "participants of " + terms["number"],
                 ["--as-of", start, "participant", "import", "--contract", terms["number"], parts])
    for si, st in enumerate(stages(case)):
        as_of = st.get("as_of") or case["as_of"]
        for ai, am in enumerate(st.get("amend") or []):
            path = os.path.join(work, "%s-amend-%d-%d.json" % (os.path.basename(folder), si, ai))
            day, target = am.get("as_of") or as_of, am.get("contract") or number
            label = "amend %s effective %s" % (json.dumps(am["changes"]), am["effective"])
            with open(path, "w", encoding="utf-8") as f:
                if via == "api":
                    json.dump({k: am[k] for k in ("effective", "reference", "changes")}, f)
                else:
                    json.dump(am["changes"], f)
            if via == "api":
                kind, words = "api_amend", [day, target, path]
            else:
                kind, words = "setup", ["--as-of", day, "contract", "amend", target,
                                        "--effective", am["effective"], "--reference", am["reference"], path]
            if am.get("refused"):
                step("refused_" + kind, label + " is refused", [am["refused"]] + words)
            else:
                step(kind, label, words)
        for im in st.get("imports") or []:
            words = ["--as-of", im.get("filed") or (day_after_quarter(im["period"]) if im.get("period") else as_of),
                     "import", "--contract", im.get("contract") or number]
            if im.get("period"):
                words += ["--period", im["period"]]
            words.append(os.path.join(folder, im["file"]))
            if im.get("refused"):
                step("refused_import", "import %s is refused" % im["file"], [im["refused"]] + words)
            else:
                step("setup", "import " + im["file"], words)
        for rg in st.get("registers") or []:
            words = ["--as-of", rg.get("as_of") or as_of, "register", "import",
                     "--contract", rg.get("contract") or number]
            if rg.get("agency"):
                words += ["--agency", rg["agency"]]
            words.append(os.path.join(folder, rg["file"]))
            if rg.get("refused"):
                step("refused_register", "register %s is refused" % rg["file"], [rg["refused"]] + words)
            else:
                step("setup", "register " + rg["file"], words)
        for rv in st.get("reverse") or []:
            if "batch_of" in rv:
                step("reverse_batch", "reverse batch of " + rv["batch_of"],
                     [rv.get("as_of") or as_of, rv.get("contract") or number, rv["batch_of"], rv["reason"]])
            else:
                step("reverse_line", "reverse %s/%s" % (rv["invoice_number"], rv.get("line", 1)),
                     [rv.get("as_of") or as_of, rv.get("contract") or number, rv["invoice_number"],
                      rv.get("line", 1), rv["reason"]])
        for ct in contracts if si == 0 else []:
            rem = os.path.join(folder, ct.get("remittances") or "-")
            if not os.path.exists(rem):
                continue
            with open(rem, encoding="utf-8") as f:
                rows = [l.strip().split(",") for l in f if l.strip()][1:]  # plain CSV, no quoting
            for period, amount, received, ref in rows:
                step("setup", "remit %s %s %s" % (ct["doc"]["number"], period, amount),
                     ["--as-of", received, "remit", "--contract", ct["doc"]["number"], "--period", period,
                      "--amount", amount, "--received", received, "--ref", ref])
        for ri, rp in enumerate(st.get("reports") or []):
            args = list(rp["args"])
            if "--json" not in args:
                args.append("--json")
            when = rp.get("as_of") or as_of
            step("report", "%d.%d" % (si, ri), ["--as-of", when] + args)
    print("\n".join(out))

API_ADMIN = "case.admin@usd259.test"

def cmd_error(path):
    """The "error" text of an API answer, or the answer itself."""
    text = open(path, encoding="utf-8", errors="replace").read()
    try:
        print(json.loads(text).get("error") or text)
    except (ValueError, AttributeError):
        print(text)

MISSING = object()

def compare(got, want, path, bad):
    """Collect (path, got, want) for every key of want that got does not match."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            bad.append((path, got, want))
            return
        for k, w in want.items():
            compare(got.get(k, MISSING), w, "%s.%s" % (path, k) if path else k, bad)
    elif isinstance(want, list):
        if not isinstance(got, list):
            bad.append((path, got, want))
            return
        if len(got) != len(want):
            bad.append((path + " (length)", len(got), len(want)))
        for i, w in enumerate(want):
            compare(got[i] if i < len(got) else MISSING, w, "%s[%d]" % (path, i), bad)
    elif got is MISSING or type(got) is not type(want) or got != want:
        bad.append((path, got, want))

def project(got, want):
    """got cut down to the keys of want (extra list elements kept), for a diff."""
    if isinstance(want, dict) and isinstance(got, dict):
        return {k: project(got[k], w) if k in got else "(missing)" for k, w in want.items()}
    if isinstance(want, list) and isinstance(got, list):
        return [project(g, want[i]) if i < len(want) else g for i, g in enumerate(got)]
    return got

def show(v):
    return "(missing)" if v is MISSING else json.dumps(v)

def cmd_check(folder, key, rc, out_path, err_path, label):
    case = load(os.path.join(folder, "case.json"))
    si, ri = (int(x) for x in key.split("."))
    rp = stages(case)[si]["reports"][ri]
    want = rp["expect"]
    out = open(out_path, encoding="utf-8", errors="replace").read()
    err = open(err_path, encoding="utf-8", errors="replace").read()
    name = "%s: %s" % (os.path.basename(folder.rstrip("/")), label)
    def fail(lines):
        print("not ok - " + name)
        for l in lines:
            print("#   " + l)
    marks = ("runtime error:", "AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer")
    if any(m in err for m in marks):
        fail(["sanitizer report on stderr", "stderr: " + err[:1500].replace("\n", "\n#   ")])
        return
    if int(rc) != 0:
        fail(["exit %s" % rc, "stdout: " + out[:1500].replace("\n", "\n#   "),
              "stderr: " + err[:1500].replace("\n", "\n#   ")])
        return
    try:
        got = json.loads(out)
    except ValueError as e:
        fail(["stdout is not JSON (%s)" % e, "stdout: " + out[:1500].replace("\n", "\n#   ")])
        return
    bad = []
    compare(got, want, "", bad)
    if not bad:
        print("ok - " + name)
        return
    lines = ["%s: got %s, want %s" % (p, show(g), show(w)) for p, g, w in bad[:40]]
    a = json.dumps(want, indent=1, sort_keys=True).splitlines()
    b = json.dumps(project(got, want), indent=1, sort_keys=True).splitlines()
    lines += ["diff (- expected, + program, only the expected keys):"]
    lines += list(difflib.unified_diff(a, b, "expected", "program", lineterm="", n=2))
    fail(lines)

if __name__ == "__main__":
    {"plan": cmd_plan, "check": cmd_check, "amends": cmd_amends, "error": cmd_error}[sys.argv[1]](*sys.argv[2:])
PY
money_py() { python3 "$WORK/money.py" "$@"; }

# batch_of CONTRACT FILE: the id of the live import batch of FILE.
batch_of() {
	q "SELECT b.id FROM import_batch b JOIN contract c ON c.id = b.contract_id
	   WHERE c.number = '$1' AND b.file_name = '$2' AND b.reversed_at IS NULL ORDER BY b.id DESC LIMIT 1"
}

# line_of CONTRACT INVOICE LINE: the id of that live ledger line.
line_of() {
	q "SELECT p.id FROM live_purchase p JOIN contract c ON c.id = p.contract_id
	   WHERE c.number = '$1' AND p.invoice_number = '$2' AND p.line = $3"
}

# api_amend AS_OF NUMBER BODY: POST BODY to the contract's amendments as the
# case's admin, through a server started for the day AS_OF.  $RC is the
# HTTP status, $OUT the answer's error text (or the answer), $ERR the
# server's log.
api_amend() {
	local ready="$WORK/ready" pid url token i
	rm -f "$ready"
	COOPLEDGER_OUTBOX_INTERVAL=0 "$BIN" --db "$DB" --as-of "$1" serve --listen 127.0.0.1:0 \
		--ready-file "$ready" 2>"$WORK/serve.err" &
	pid=$!
	for i in $(seq 200); do [ -s "$ready" ] && break; sleep 0.05; done
	url="http://$(cat "$ready" 2>/dev/null)"
	token=$(curl -s -H 'content-type: application/json' \
		-d "{\"email\": \"$API_ADMIN\", \"password\": \"$COOPLEDGER_PASSWORD\"}" "$url/api/v1/tokens" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])' 2>/dev/null)
	RC=$(curl -s -o "$WORK/answer" -w '%{http_code}' -H "authorization: Bearer $token" \
		-H 'content-type: application/json' --data-binary "@$3" "$url/api/v1/contracts/$2/amendments")
	kill "$pid"; wait "$pid" 2>/dev/null
	OUT=$(money_py error "$WORK/answer")
	ERR=$(cat "$WORK/serve.err")
}

# server_clean: the last server's log has no sanitizer report.
server_clean() { ! grep -qE 'runtime error:|AddressSanitizer|LeakSanitizer' <<<"$ERR"; }

# run_case FOLDER VIA: every step of the case, its amendments through VIA
# (cli or api), on a fresh database; then verify.
run_case() {
	local folder=$1 via=$2 name tag="" kind label words want n_audit n_live id
	name=$(basename "$folder")
	[ "$via" = api ] && tag=" (API)"
	DB="$WORK/$name$tag.db"
	rm -f "$DB" "$DB-wal" "$DB-shm"
	while IFS=$'\t' read -r -u 3 kind label words; do
		eval "set -- $words"
		case $kind in
		setup)
			cl "$@"; expect_ok "$name$tag: setup: $label" ;;
		api_amend)
			api_amend "$@"
			if [ "$RC" = 201 ] && server_clean; then ok "$name$tag: $label"; else not_ok "$name$tag: $label"; fi ;;
		refused_setup | refused_api_amend)
			want=$1; shift
			n_audit=$(q "SELECT count(*) FROM audit_log")
			if [ "$kind" = refused_setup ]; then
				cl "$@"; [ "$RC" -ne 0 ]
			else
				api_amend "$@"; [ "$RC" -ge 400 ] && [ "$RC" -lt 500 ] && server_clean
			fi
			if [ $? -eq 0 ] && grep -qF -- "$want" <<<"$OUT$ERR" &&
				[ "$(q "SELECT count(*) FROM audit_log")" = "$n_audit" ]; then
				ok "$name$tag: $label"
			else not_ok "$name$tag: $label (wanted a refusal naming: $want, nothing written)"; fi ;;
		refused_import)
			want=$1; shift
			n_live=$(q "SELECT count(*) FROM live_purchase")
			cl "$@"
			if [ "$RC" -ne 0 ] && grep -qF -- "$want" <<<"$OUT$ERR" &&
				[ "$(q "SELECT count(*) FROM live_purchase")" = "$n_live" ]; then
				ok "$name$tag: $label"
			else not_ok "$name$tag: $label (wanted a refusal naming: $want, no line written)"; fi ;;
		refused_register)
			want=$1; shift
			n_live=$(q "SELECT count(*) FROM register_line")
			cl "$@"
			if [ "$RC" -ne 0 ] && grep -qF -- "$want" <<<"$OUT$ERR" &&
				[ "$(q "SELECT count(*) FROM register_line")" = "$n_live" ]; then
				ok "$name$tag: $label"
			else not_ok "$name$tag: $label (wanted a refusal naming: $want, no line written)"; fi ;;
		reverse_line)
			id=$(line_of "$2" "$3" "$4")
			if [ -z "$id" ]; then RC=1 OUT="" ERR="no live line $3/$4"; not_ok "$name$tag: $label"; continue; fi
			cl --as-of "$1" reverse --line "$id" --reason "$5"; expect_ok "$name$tag: $label (line $id)" ;;
		reverse_batch)
			id=$(batch_of "$2" "$3")
			if [ -z "$id" ]; then RC=1 OUT="" ERR="no live batch of $3"; not_ok "$name$tag: $label"; continue; fi
			cl --as-of "$1" reverse --batch "$id" --reason "$4"; expect_ok "$name$tag: $label (batch $id)" ;;
		report)
			cl "$@"
			money_py check "$folder" "$label" "$RC" "$WORK/out" "$WORK/err" "${*:3} (as of $2)$tag" ;;
		esac
	done 3< <(money_py plan "$folder" "$WORK" "$via")
	cl verify; expect_out "$name$tag: verify passes afterwards" "chains are intact"
}

API_ADMIN=case.admin@usd259.test
export COOPLEDGER_PASSWORD="case admin password"
ncases=0 napi=0
for folder in "$D"/*/; do
	folder=${folder%/}
	[ -f "$folder/case.json" ] || continue
	ncases=$((ncases + 1))
	run_case "$folder" cli
	if money_py amends "$folder"; then
		napi=$((napi + 1))
		run_case "$folder" api
	fi
done
if [ "$napi" -ge 7 ]; then ok "$napi amendment cases ran through the API too"; else
	RC=0 OUT="" ERR=""; not_ok "only $napi amendment cases ran through the API"; fi
if [ "$ncases" -ge 18 ]; then ok "the money corpus has $ncases cases"; else
	RC=0 OUT="" ERR=""; not_ok "the money corpus has only $ncases cases"; fi

# squeezed: the last output with runs of blanks as one space, for table rows.
squeezed() { tr -s ' ' <<<"$OUT"; }

# `report revenue` for people, on the database the revenue_two_vendors case
# left behind (its working gives every figure): contract rows with credits,
# the per-quarter rows, aging and missing reports.
DB="$WORK/revenue_two_vendors.db"
cl --as-of 2026-01-20 report revenue
OUT=$(squeezed)
expect_out "revenue table: a contract row with its credit" \
	'KS-REVB-2025 V-BETA $540.00 $30.00 $350.00 $270.00 $230.00 $50.00'
expect_out "revenue table: the totals row" 'total $1,030.00 $30.00 $470.00 $640.00 $450.00 $50.00'
expect_out "revenue table: a quarter row (overdue, report missing)" \
	'2025-Q3 KS-REVB-2025 V-BETA $30,000.00 $300.00 $30.00 $100.00 $230.00 2025-11-29 overdue missing 52'
expect_out "revenue table: a quarter row (overpaid)" \
	'2025-Q2 KS-REVB-2025 V-BETA $20,000.00 $200.00 $0.00 $250.00 -$50.00 2025-08-29 overpaid filed 0'
expect_out "revenue table: an open quarter row" \
	'2026-Q1 KS-REVA-2025 V-ALPHA $0.00 $0.00 $0.00 $0.00 $0.00 2026-04-30 open missing 0'
expect_eq "revenue table: one row per contract quarter" "$(grep -cE '^20[0-9]{2}-Q[1-4] KS-REV' <<<"$OUT")" 8
expect_out "revenue table: aging" '1-30 $0.00 31-60 $230.00 61-90 $200.00 90+ $20.00'
expect_out "revenue table: missing reports" 'KS-REVB-2025 2025-Q3 (V-BETA), due 2025-11-29, 52 days late'

# `report completeness` for people, on the database the completeness_signals
# case left behind (its working gives every figure): the quarters, the
# unreported PO and the signals in words.
DB="$WORK/completeness_signals.db"
cl --as-of 2026-03-01 report completeness --contract KS-SIG-2024
OUT=$(squeezed)
expect_out "completeness table: the headline" \
	'Completeness, contract KS-SIG-2024: gap $640.00, fee at risk $12.80 (an estimate, not booked)'
expect_out "completeness table: a quarter row" '2025-Q3 1 $640.00 0 0 0 1 0 $640.00 $12.80'
expect_out "completeness table: the unreported PO" \
	'2025-08-12 USD233 P-S1 $640.00 $0.00 unreported $640.00 $12.80'
expect_out "completeness table: member_silent in words" \
	'2025-Q3 member_silent: USD233 bought in each of the four quarters before 2025-Q3'
expect_out "completeness table: volume_drop in words" \
	'2025-Q3 volume_drop: net sales of contract KS-SIG-2024 for 2025-Q3 are $2,500.00'

# A remittance cannot be received after today (--as-of, else the clock):
# refused, exit 1, nothing written.  The overpaid case's database.
DB="$WORK/overpaid.db"
n_rem=$(q "SELECT count(*) FROM remittance") n_audit=$(q "SELECT count(*) FROM audit_log")
cl --as-of 2025-12-01 remit --contract KS-OVER-2025 --period 2025-Q4 --amount 10.00 \
	--received 2025-12-02 --ref ACH-FUTURE
expect_fail "remit: a received date after --as-of is refused" 1 \
	"received date 2025-12-02 is after today (2025-12-01): a remittance cannot be received in the future"
cl remit --contract KS-OVER-2025 --period 2025-Q4 --amount 10.00 --received 2999-01-01 --ref ACH-FUTURE
expect_fail "remit: a received date after the clock is refused" 1 "cannot be received in the future"
cl --as-of 2999-06-01 remit --contract KS-OVER-2025 --period 2025-Q4 --amount 10.00 \
	--received 2999-01-01 --ref ACH-WHATIF
expect_fail "remit: an --as-of past the clock does not make a future date receivable" 1 \
	"cannot be received in the future"
expect_eq "remit: nothing written for a future received date" \
	"$(q "SELECT count(*) FROM remittance"),$(q "SELECT count(*) FROM audit_log")" "$n_rem,$n_audit"
cl --as-of 2025-12-01 remit --contract KS-OVER-2025 --period 2025-Q4 --amount 10.00 \
	--received 2025-12-01 --ref ACH-TODAY
expect_out "remit: received today is accepted" "recorded \$10.00 from KS-OVER-2025 for 2025-Q4"
expect_eq "remit: the accepted one is written" "$(q "SELECT count(*) FROM remittance")" "$((n_rem + 1))"

# Compliance tallies have no cap: 600 agencies, each with one overcharged
# line (list 100.00 at 50% off -> expected 50.00, invoiced 60.00 -> 10.00).
DB="$WORK/many.db"
{ echo "code,name,kind,state"; echo "USD259,Wichita USD 259,school_district,KS"
  for i in $(seq -w 1 600); do echo "CITY-$i,City $i,city,KS"; done; } >"$WORK/many-agencies.csv"
{ echo "agency_code,joined"; for i in $(seq -w 1 600); do echo "CITY-$i,2025-07-01"; done; } >"$WORK/many-parts.csv"
{ echo "agency_code,po_number,invoice_number,line,invoice_date,list_amount,invoiced_amount"
  for i in $(seq -w 1 600); do echo "CITY-$i,PO-$i,INV-$i,1,2025-08-01,100.00,60.00"; done; } >"$WORK/many-lines.csv"
cat >"$WORK/many-terms.json" <<'JSON'
{"number": "KS-MANY-2025", "title": "Many members", "category": "furniture",
 "lead_agency": "USD259", "vendor": "V-MANY", "start": "2025-07-01", "end": "2026-06-30",
 "solicitation": "RFP 25-0600", "fee": {"year": "contract", "mode": "graduated",
 "bands": [{"from": "0", "rate": "2%"}]}, "discounts": {"tiers": [{"from": "0", "rate": "50%"}]}}
JSON
cl --as-of 2025-07-01 init && cl --as-of 2025-07-01 agency import "$WORK/many-agencies.csv" &&
	cl --as-of 2025-07-01 vendor add --code V-MANY --name "Many Co" &&
	cl --as-of 2025-07-01 contract import "$WORK/many-terms.json" &&
	cl --as-of 2025-07-01 participant import --contract KS-MANY-2025 "$WORK/many-parts.csv" &&
	cl --as-of 2025-10-05 import --contract KS-MANY-2025 --period 2025-Q3 "$WORK/many-lines.csv"
expect_ok "600 member agencies with one overcharged line each"
cl --as-of 2025-10-05 report compliance --contract KS-MANY-2025 --json
python3 - "$WORK/out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
def check(what, got, want):
    print(("ok - " if got == want else "not ok - ") + what + ("" if got == want else "  (got %r, want %r)" % (got, want)))
check("compliance: 600 overcharged lines", len(r["lines"]), 600)
check("compliance: total 600 x 10.00", r["total_overcharge"], "6000.00")
check("compliance: by_agency lists all 600 agencies", len(r["by_agency"]), 600)
check("compliance: by_agency in code order", [a["agency"] for a in r["by_agency"]] == ["CITY-%03d" % i for i in range(1, 601)], True)
check("compliance: by_agency adds up to the total", sum(int(a["overcharge"].replace(".", "")) for a in r["by_agency"]), 600000)
check("compliance: the 600th agency's tally", r["by_agency"][-1], {"agency": "CITY-600", "lines": 1, "overcharge": "10.00"})
check("compliance: by_quarter", r["by_quarter"], [{"quarter": "2025-Q3", "lines": 600, "overcharge": "6000.00"}])
PY
