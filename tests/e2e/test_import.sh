#!/usr/bin/env bash
# End-to-end: the sales-report import (DOMAIN.md section 5), driven by the
# corpus in tests/data/import.  Each case is NAME.csv with NAME.json:
#
#   args             extra import options (--period, --skip-invalid, ...)
#   exit             expected exit status
#   encoding         null, or the --encoding to pass
#   contract         optional; default KS-TEST-2025
#   setup            optional list of coopledger argv run first ({csv} is
#                    this case's file, {setup} the setup directory)
#   expect           the JSON result: rows, accepted, duplicates, rejected,
#                    totals, errors (row, column, message substring),
#                    ignored_columns, already_imported, batch; and
#                    batch_written (did this run commit an import_batch?)
#                    — null for a file-level refusal (no JSON at all)
#   stderr_contains  list of substrings of stderr, or null
#   sql              optional [{sql, want}] run with sqlite3 afterwards
#                    ({sha256} in want is the file's SHA-256)
#   note             what the case proves, with the working of its figures
#
# Every case runs on a fresh copy of one database holding the shared setup;
# afterwards `coopledger verify` must pass.
. "$(dirname "$0")/lib.sh"
D="$DATA/import"
S="$D/setup"
ASOF=2026-11-25

# ---- the shared setup: agencies, vendor V-TEST, two contracts, participants ----
DB="$WORK/template.db"
cl --as-of $ASOF init;                      expect_ok "setup: init"
cl agency import "$S/agencies.csv";         expect_out "setup: agencies" "imported 6 agencies"
cl vendor add --code V-TEST --name "Test Furniture Co" --email ar@vendor.test
expect_out "setup: vendor V-TEST" "added vendor V-TEST"
cl contract import "$S/terms.json";         expect_out "setup: contract KS-TEST-2025" "imported contract"
cl contract import "$S/terms-terminated.json"; expect_out "setup: terminated contract KS-TERM-2024" "imported contract"
cl participant import --contract KS-TEST-2025 "$S/participants.csv"
expect_out "setup: participants" "imported 3 participants"
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
TEMPLATE=$DB

# fresh_db PATH: a copy of the set-up database.
fresh_db() {
	rm -f "$1" "$1-wal" "$1-shm"
	cp "$TEMPLATE" "$1"
}

# The case reader and checker (python3, standard library only).
cat >"$WORK/case.py" <<'PY'
import json, shlex, subprocess, sys

SANITIZER_MARKS = ("runtime error:", "AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer")

def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)

def subst(word, csv, setup):
    return word.replace("{csv}", csv).replace("{setup}", setup)

def cmd_setup(path, csv, setup):
    """One shell-quoted command line per setup command."""
    for argv in load(path).get("setup") or []:
        print(" ".join(shlex.quote(subst(w, csv, setup)) for w in argv))

def cmd_args(path):
    """The import options of the case, shell-quoted."""
    c = load(path)
    words = ["--contract", c.get("contract") or "KS-TEST-2025", "--json"]
    if c.get("encoding"):
        words += ["--encoding", c["encoding"]]
    words += c.get("args") or []
    print(" ".join(shlex.quote(w) for w in words))

def sql(db, query):
    r = subprocess.run(["sqlite3", db, query], capture_output=True, text=True)
    return r.stdout.rstrip("\n") if r.returncode == 0 else "(sqlite3 failed: %s)" % r.stderr.strip()

def cmd_check(path, rc, out_path, err_path, db, np0, nb0, sha, name):
    c = load(path)
    rc, np0, nb0 = int(rc), int(np0), int(nb0)
    out = open(out_path, encoding="utf-8", errors="replace").read()
    err = open(err_path, encoding="utf-8", errors="replace").read()

    def check(what, good, got=None, want=None):
        print(("ok - " if good else "not ok - ") + name + ": " + what)
        if not good:
            if got is not None or want is not None:
                print("#   got:  %r" % (got,))
                print("#   want: %r" % (want,))
            print("#   exit %d" % rc)
            print("#   stdout: " + out[:1500].replace("\n", "\n#   "))
            print("#   stderr: " + err[:1500].replace("\n", "\n#   "))

    check("exit %d" % c["exit"], rc == c["exit"], rc, c["exit"])
    check("no sanitizer report", not any(m in err for m in SANITIZER_MARKS))
    for s in c.get("stderr_contains") or []:
        check("stderr mentions %r" % s, s in err, err.strip(), s)
    exp = c.get("expect")
    res = None
    if exp is None:
        check("no result on stdout (refused before any row)", out.strip() == "", out.strip(), "")
    else:
        try:
            res = json.loads(out)
        except ValueError:
            check("stdout is the JSON result", False)
    if res is not None:
        for k in ("rows", "accepted", "duplicates", "rejected"):
            if k in exp:
                check("%s %s" % (k, exp[k]), res.get(k) == exp[k], res.get(k), exp[k])
        if "totals" in exp:
            for k, v in exp["totals"].items():
                got = (res.get("totals") or {}).get(k)
                check("total %s %s" % (k, v), got == v, got, v)
        if "errors" in exp:
            got = res.get("errors") or []
            check("%d errors listed" % len(exp["errors"]), len(got) == len(exp["errors"]),
                  [(e.get("row"), e.get("column"), e.get("message")) for e in got], exp["errors"])
            for i, e in enumerate(exp["errors"]):
                g = got[i] if i < len(got) else {}
                good = (g.get("row") == e["row"] and g.get("column") == e["column"]
                        and e["contains"] in (g.get("message") or ""))
                check("error row %d, %s: ...%s..." % (e["row"], e["column"], e["contains"]), good,
                      (g.get("row"), g.get("column"), g.get("message")),
                      (e["row"], e["column"], e["contains"]))
        if "ignored_columns" in exp:
            got = res.get("ignored_columns")
            check("ignored columns %s" % exp["ignored_columns"], got == exp["ignored_columns"],
                  got, exp["ignored_columns"])
        if "already_imported" in exp:
            got = res.get("already_imported", False)
            check("already_imported %s" % exp["already_imported"], got == exp["already_imported"],
                  got, exp["already_imported"])
        if "batch" in exp:
            check("batch %s" % exp["batch"], res.get("batch") == exp["batch"], res.get("batch"), exp["batch"])
    # Was a batch committed, and exactly the accepted lines with it?
    written = bool(exp and exp.get("batch_written"))
    np1 = int(sql(db, "SELECT count(*) FROM purchase") or -1)
    nb1 = int(sql(db, "SELECT count(*) FROM import_batch") or -1)
    if written:
        acc = res.get("accepted", -1) if res else -1
        check("one batch written", nb1 == nb0 + 1, nb1 - nb0, 1)
        check("the ledger grew by the accepted lines", np1 - np0 == acc, np1 - np0, acc)
        if res is not None:
            last = sql(db, "SELECT max(id) FROM import_batch")
            check("the result names the new batch", str(res.get("batch")) == last, res.get("batch"), last)
    else:
        check("no batch written", nb1 == nb0, nb1 - nb0, 0)
        check("no ledger line written", np1 == np0, np1 - np0, 0)
    for s in c.get("sql") or []:
        want = s["want"].replace("{sha256}", sha)
        got = sql(db, s["sql"])
        check("sql: %s = %s" % (s["sql"][:90], want), got == want, got, want)

if __name__ == "__main__":
    {"setup": cmd_setup, "args": cmd_args, "check": cmd_check}[sys.argv[1]](*sys.argv[2:])
PY
case_py() { python3 "$WORK/case.py" "$@"; }

# no_sanitizer_report WHAT: the last command's stderr holds no ASan/UBSan report.
no_sanitizer_report() {
	if grep -qE "runtime error:|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer" <<<"$ERR"; then
		not_ok "$1: no sanitizer report"; else ok "$1: no sanitizer report"; fi
}

# ---- the corpus ----
ncases=0
for json in "$D"/*.json; do
	name=$(basename "$json" .json)
	csv="$D/$name.csv"
	if [ ! -f "$csv" ]; then
		RC=0 OUT="" ERR=""; not_ok "$name: $csv is missing"; continue
	fi
	ncases=$((ncases + 1))
	DB="$WORK/$name.db"
	fresh_db "$DB"
	while IFS= read -r line; do
		eval "set -- $line"
		cl --as-of $ASOF "$@"; expect_ok "$name: setup: coopledger $*"
	done < <(case_py setup "$json" "$csv" "$S")
	np0=$(q "SELECT count(*) FROM purchase")
	nb0=$(q "SELECT count(*) FROM import_batch")
	eval "set -- $(case_py args "$json")"
	cl --as-of $ASOF import "$@" "$csv"
	case_py check "$json" "$RC" "$WORK/out" "$WORK/err" "$DB" "$np0" "$nb0" \
		"$(sha256sum "$csv" | cut -d' ' -f1)" "$name" ||
		{ RC=0 OUT="" ERR=""; not_ok "$name: the case checker ran to the end"; }
	cl verify; expect_out "$name: verify passes afterwards" "chains are intact"
done
if [ "$ncases" -ge 30 ]; then ok "the corpus has $ncases cases"; else
	RC=0 OUT="" ERR=""; not_ok "the corpus has only $ncases cases"; fi

# ---- all or nothing: a refused import leaves the database exactly as it was ----
DB="$WORK/refused.db"
fresh_db "$DB"
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 "$S/earlier.csv"
expect_out "refused: an earlier batch is in the ledger" "imported batch 1"
dump_before=$(sqlite3 "$DB" .dump | sha256sum)
np0=$(q "SELECT count(*) FROM purchase")
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 "$D/three_decimals.csv"
if [ "$RC" -eq 1 ] && grep -qF "nothing was written" <<<"$OUT$ERR"; then ok "refused: one bad row refuses the file, saying nothing was written"; else
	not_ok "refused: one bad row refuses the file, saying nothing was written"; fi
expect_eq "refused: purchase count unchanged" "$(q "SELECT count(*) FROM purchase")" "$np0"
expect_eq "refused: no import_batch row for the file" \
	"$(q "SELECT count(*) FROM import_batch WHERE file_name = 'three_decimals.csv'")" "0"
expect_eq "refused: the whole database is unchanged (sqlite3 .dump)" \
	"$(sqlite3 "$DB" .dump | sha256sum)" "$dump_before"
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 --dry-run "$D/basic.csv"
expect_out "dry run (people's output) says nothing was written" "nothing was written"
expect_eq "dry run: the whole database is unchanged (sqlite3 .dump)" \
	"$(sqlite3 "$DB" .dump | sha256sum)" "$dump_before"
cl verify; expect_out "refused: verify passes" "chains are intact"

# ---- a 10 MB field: refused, with memory bounded ----
DB="$WORK/big.db"
fresh_db "$DB"
python3 - "$WORK/big.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount,description\n")
    f.write("USD259,PO-1,INV-1,2025-07-15,1.00,1.00,")
    f.write("x" * (10 * 1024 * 1024))
    f.write("\nUSD259,PO-2,INV-2,2025-07-15,1.00,1.00,short\n")
PY
# max_rss_kb CMD...: run CMD (stdout/stderr to $WORK/out, $WORK/err); RC and
# MAXRSS (KiB) are set.
max_rss_kb() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err"
		RC=$?
		MAXRSS=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$WORK/time")
	else # the same figure from getrusage(RUSAGE_CHILDREN)
		python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[2:], stdout=open(sys.argv[1] + "/out", "w"), stderr=open(sys.argv[1] + "/err", "w"))
print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$WORK" "$@" >"$WORK/rss"
		read -r RC MAXRSS <"$WORK/rss"
	fi
	OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
}
max_rss_kb "$BIN" --as-of $ASOF --db "$DB" import --contract KS-TEST-2025 --json "$WORK/big.csv"
no_sanitizer_report "a 10 MB field"
expect_fail "a 10 MB field is refused with a clear message" 1 "longer than"
expect_fail "the refusal names the line" 1 "line 2"
expect_eq "a 10 MB field: no JSON result" "$OUT" ""
if [ -n "$MAXRSS" ] && [ "$MAXRSS" -lt 65536 ]; then ok "a 10 MB field: peak memory ${MAXRSS} KiB < 64 MiB"; else
	not_ok "a 10 MB field: peak memory ${MAXRSS:-unknown} KiB, wanted < 64 MiB"; fi
expect_eq "a 10 MB field: nothing written" \
	"$(q "SELECT (SELECT count(*) FROM purchase) + (SELECT count(*) FROM import_batch)")" "0"

# ---- totals beyond 64 bits: refused, never wrapped ----
# 9,300 lines of 10,000,000,000,000.00 (the largest amount, 10^15 cents) add
# up to 9.3 x 10^18 cents, more than a signed 64-bit total holds
# (9.22 x 10^18): the import must refuse rather than store a wrapped total.
DB="$WORK/overflow.db"
fresh_db "$DB"
python3 - "$WORK/overflow.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n")
    for i in range(9300):
        f.write("USD259,PO-%d,INV-%d,2025-07-15,10000000000000.00,1.00\n" % (i, i))
PY
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 --json "$WORK/overflow.csv"
no_sanitizer_report "list total beyond 64 bits"
if [ "$RC" -eq 1 ]; then ok "list total beyond 64 bits: the import is refused"; else
	not_ok "list total beyond 64 bits: the import is refused"; fi
if grep -q '"-[0-9]' <<<"$OUT"; then not_ok "list total beyond 64 bits: no wrapped (negative) total reported"; else
	ok "list total beyond 64 bits: no wrapped (negative) total reported"; fi
expect_eq "list total beyond 64 bits: nothing written" \
	"$(q "SELECT (SELECT count(*) FROM purchase) + (SELECT count(*) FROM import_batch)")" "0"

# ---- more errors than are listed: one closing entry that says so ----
# 1,500 rows with an impossible date: the first 1,000 errors are listed,
# then one entry for the other 500, pointing at row 1,001.
DB="$WORK/many.db"
fresh_db "$DB"
python3 - "$WORK/many.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n")
    for i in range(1500):
        f.write("USD259,PO-%d,INV-%d,2025-02-30,10.00,6.00\n" % (i, i))
PY
cl --as-of $ASOF import --contract KS-TEST-2025 --skip-invalid --json "$WORK/many.csv"
expect_eq "many errors: 1,001 entries (1,000 listed and one for the rest)" \
	"$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["errors"]))' "$WORK/out")" "1001"
expect_eq "many errors: the last entry counts the rest from row 1001" \
	"$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["errors"][-1]; print(e["row"], e["message"][:38])' "$WORK/out")" \
	"1001 500 more errors, from row 1001 on, are"
expect_eq "many errors: the stored result has the closing entry once" \
	"$(q "SELECT count(*) FROM import_batch, json_each(result_json, '\$.errors') WHERE json_extract(value, '\$.message') LIKE '%more errors%'")" "1"

# ---- batches: who, when, file, hash, quarter, counts and totals ----
DB="$WORK/batches.db"
fresh_db "$DB"
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 "$D/basic.csv"; expect_ok "batches: an import"
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q4 "$D/header_only_period.csv"; expect_ok "batches: a zero report"
cl reverse --batch 2 --reason "sent for the wrong quarter"; expect_ok "batches: reverse the zero report"
cl batches --contract KS-TEST-2025
sha=$(sha256sum "$D/basic.csv" | cut -c1-12)
expect_out "batches: the table names the file" "basic.csv"
expect_out "batches: the table shows the hash" "$sha"
expect_out "batches: the table shows the quarter filed on the as-of date" "2025-Q3  $ASOF"
if grep -E '^ +2 .*yes$' <<<"$OUT" >/dev/null; then ok "batches: the reversed batch is marked"; else not_ok "batches: the reversed batch is marked"; fi
cl batches --contract KS-TEST-2025 --json
expect_eq "batches --json: newest first, with counts, totals and hash" \
	"$(python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); print(len(b), b[0]["batch"], b[0]["reversed"], b[1]["rows"], b[1]["accepted"], b[1]["sha256"][:12], b[1]["created_by"] != "")' "$WORK/out")" \
	"2 2 True $(q "SELECT rows_total FROM import_batch WHERE id=1") $(q "SELECT rows_accepted FROM import_batch WHERE id=1") $sha True"
cl batches;                       expect_fail "batches needs a contract" 2 "needs --contract"
cl batches --contract NOPE;       expect_fail "batches of an unknown contract" 1 "NOPE"

# ---- the progress bar: on a terminal only ----
DB="$WORK/progress.db"
fresh_db "$DB"
python3 - "$WORK/progress.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n")
    for i in range(100000):
        f.write("USD259,PO-%d,INV-%d,2025-08-%02d,10.00,6.00\n" % (i, i, 1 + i % 28))
PY
# script(1) gives the command a terminal; its stderr then shows the bar.
script -qec "$BIN --db $DB --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 $WORK/progress.csv" /dev/null >"$WORK/tty.out" 2>&1
RC=$? OUT=$(tr '\r' '\n' <"$WORK/tty.out") ERR=""
if [ "$RC" -eq 0 ] && grep -qE '^\[#*\.*\] +[0-9]+%  [0-9]+ rows  [0-9]+ rows/s' <<<"$OUT"; then
	ok "progress: a terminal shows percent and rows a second"; else not_ok "progress: a terminal shows percent and rows a second"; fi
expect_out "progress: the summary follows the bar" "imported batch 1"
DB="$WORK/progress2.db"
fresh_db "$DB"
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 "$WORK/progress.csv"
expect_eq "progress: nothing on stderr when it is not a terminal" "$ERR" ""
expect_out "progress: all rows imported" "100000"

# ---- the same file with rows under another --period is still the same file ----
DB="$WORK/sameperiod.db"
fresh_db "$DB"
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 "$S/earlier.csv"; expect_ok "same file: first import"
cl --as-of $ASOF import --contract KS-TEST-2025 "$S/earlier.csv"
expect_out "same file without --period: a no-op that says so" "already imported as batch 1"
expect_eq "same file without --period: still one batch" "$(q "SELECT count(*) FROM import_batch")" "1"

# ---- a file whose every row is refused files no report ----
DB="$WORK/allbad.db"
fresh_db "$DB"
printf 'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\nNOPE,PO-1,INV-1,2025-08-01,10.00,6.00\nUSD259,PO-2,INV-2,2025-02-30,10.00,6.00\n' >"$WORK/allbad.csv"
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 --skip-invalid "$WORK/allbad.csv"
expect_out "every row refused: the batch is kept with its errors" "rejected 2"
cl --as-of $ASOF report fees --contract KS-TEST-2025 --period 2025-Q3 --json
expect_eq "every row refused: the quarter's report is still missing" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["quarters"][0]["report"])' "$WORK/out")" "missing"
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 "$D/header_only_period.csv"
cl --as-of $ASOF report fees --contract KS-TEST-2025 --period 2025-Q3 --json
expect_eq "a zero report afterwards files it" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["quarters"][0]["report"])' "$WORK/out")" "late"

# ---- a day's net sales past 64 bits: refused, never a short total ----
# Two files of 9,000 lines of 10,000,000,000,000.00 each: each file's total
# fits (9 x 10^18 cents), the day's net sales of both do not (18 x 10^18 >
# 2^63 - 1 = 9,223,372,036,854,775,807).  The kept net sales would pass 64
# bits, so the second file is refused whole and the reports show the first.
DB="$WORK/oversum.db"
fresh_db "$DB"
for k in 1 2; do
	python3 - "$WORK/oversum$k.csv" "$k" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n")
    for i in range(9000):
        f.write("USD259,PO-%s-%d,INV-%s-%d,2025-07-15,10000000000000.00,10000000000000.00\n" % (sys.argv[2], i, sys.argv[2], i))
PY
done
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 "$WORK/oversum1.csv"
expect_ok "sums past 64 bits: the first file imports"
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 "$WORK/oversum2.csv"
expect_fail "sums past 64 bits: the second file is refused, naming the day" 1 \
	"integer overflow: the net sales of one contract on 2025-07-15 would pass the largest sum the books can hold"
expect_eq "sums past 64 bits: nothing of the second file is written" \
	"$(q "SELECT count(*), (SELECT count(*) FROM import_batch) FROM purchase")" "9000|1"
cl --as-of $ASOF report fees --contract KS-TEST-2025 --period 2025-Q3 --json
expect_eq "sums past 64 bits: the fees show the first file's net sales" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["quarters"][0]["net_sales"])' "$WORK/out")" \
	"90000000000000000.00"
cl verify
expect_out "sums past 64 bits: verify passes" "the chains are intact"
