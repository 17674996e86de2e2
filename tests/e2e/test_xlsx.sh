#!/usr/bin/env bash
# End-to-end: Excel workbooks (.xlsx) are read wherever a CSV is
# (DOMAIN.md section 5, last paragraph).  The workbooks are written here
# with openpyxl (Debian's python3-openpyxl), as a spreadsheet program
# writes them: money as numbers, dates as real date cells.
#
#   - agencies and participants imported from workbooks;
#   - the same sales report as CSV and as XLSX gives the same result, the
#     same batch totals and the same fees;
#   - a money cell of 12.345 is refused naming its row and column, the row
#     counted as the sheet's data row;
#   - --sheet picks a sheet by name, and a wrong name lists the sheets;
#   - a workbook saved by LibreOffice Calc (checked in) imports to figures
#     worked by hand, and the CSV report converted by LibreOffice itself
#     (soffice --convert-to xlsx, when installed) imports as the CSV does.
. "$(dirname "$0")/lib.sh"
S="$DATA/import/setup"
ASOF=2026-11-25

# Debian's python3 has openpyxl; a python3 earlier on PATH may not.
XPY=""
for py in /usr/bin/python3 python3; do
	if "$py" -c 'import openpyxl' 2>/dev/null; then XPY=$py; break; fi
done
if [ -z "$XPY" ]; then
	RC=1 OUT="" ERR="python3-openpyxl is not installed (tools/deps.sh installs it)"
	not_ok "openpyxl available"
	exit 1
fi

# xlsx OUT SHEET:ROWS-JSON [SHEET:ROWS-JSON ...]: a workbook whose sheets
# hold the rows given as JSON; "d:YYYY-MM-DD" is a real date cell.
xlsx() {
	"$XPY" - "$@" <<'PY'
import datetime, json, sys
from openpyxl import Workbook

out, sheets = sys.argv[1], sys.argv[2:]
wb = Workbook()
wb.remove(wb.active)
for spec in sheets:
    name, rows = spec.split(":", 1)
    ws = wb.create_sheet(name)
    for i, row in enumerate(json.loads(rows), start=1):
        for j, v in enumerate(row, start=1):
            if v is None:
                continue
            if isinstance(v, str) and v.startswith("d:"):
                v = datetime.date.fromisoformat(v[2:])
                ws.cell(row=i, column=j, value=v).number_format = "mm/dd/yyyy"
            else:
                ws.cell(row=i, column=j, value=v)
wb.save(out)
PY
}

# ---- setup from workbooks ----
cl --as-of $ASOF init; expect_ok "init"
xlsx "$WORK/agencies.xlsx" 'Agencies:[
 ["code","name","kind","state","public_entity","email"],
 ["USD259","Wichita USD 259","school_district","KS",true,"purchasing@usd259.test"],
 ["USD233","Olathe USD 233","school_district","KS","yes","buyer@usd233.test"],
 ["USD497","Lawrence, USD 497","school_district","KS",true,null],
 ["NP-ACME","Acme Learning Co-op","nonprofit","KS",false,"office@acme.test"]]'
cl --as-of $ASOF agency import "$WORK/agencies.xlsx"
expect_out "agency import from an .xlsx workbook" "imported 4 agencies"
expect_eq "a boolean cell is read as yes/no" \
	"$(q "SELECT code || ':' || public_entity FROM agency ORDER BY code" | tr '\n' ' ')" \
	"NP-ACME:0 USD233:1 USD259:1 USD497:1 "
expect_eq "a text with a comma is one field" "$(q "SELECT name FROM agency WHERE code = 'USD497'")" \
	"Lawrence, USD 497"
cl vendor add --code V-TEST --name "Test Furniture Co" --email ar@vendor.test
cl contract import "$S/terms.json"; expect_out "contract" "imported contract"

xlsx "$WORK/participants.xlsx" 'Notes:[["these are notes"]]' 'Members:[
 ["agency_code","joined"],["USD233","d:2025-08-15"],[],["USD497","2025-07-01"]]'
cl --as-of $ASOF participant import --contract KS-TEST-2025 "$WORK/participants.xlsx"
expect_fail "the first sheet is read: it has no agency_code header" 1 \
	"the header must name the columns agency_code and joined"
cl --as-of $ASOF participant import --contract KS-TEST-2025 --sheet Report "$WORK/participants.xlsx"
expect_fail "a sheet that is not there is refused, naming the sheets" 1 \
	'the workbook has no sheet named "Report"; its sheets are: "Notes", "Members"'
cl --as-of $ASOF participant import --contract KS-TEST-2025 --sheet members "$WORK/participants.xlsx"
expect_out "participant import --sheet from a workbook, real dates and text dates" \
	"imported 2 participants"
expect_eq "a real date cell is its day" \
	"$(q "SELECT joined FROM participant p JOIN agency a ON a.id = p.agency_id WHERE a.code = 'USD233'")" \
	"2025-08-15"
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
TEMPLATE=$DB

# ---- the same sales report as CSV and as XLSX ----
cat >"$WORK/sales.csv" <<'CSV'
agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount,description,freight_amount
USD259,PO-100,INV-100,2025-07-15,1000.00,600.00,Student desk,25.00
USD497,PO-101,INV-101,2025-08-20,250.50,150.30,"Chair, stacking",0
USD233,PO-102,INV-102,2025-09-30,99.99,60.00,Bookcase,
USD259,PO-103,INV-103,07/04/2025,1234.56,740.74,Table,
CSV
xlsx "$WORK/sales.xlsx" 'Sales report:[
 ["agency_code","po_number","invoice_number","invoice_date","list_amount","invoiced_amount","description","freight_amount"],
 ["USD259","PO-100","INV-100","d:2025-07-15",1000,600,"Student desk",25],
 ["USD497","PO-101","INV-101","d:2025-08-20",250.5,150.3,"Chair, stacking",0],
 ["USD233","PO-102","INV-102","2025-09-30","99.99",60.0,"Bookcase",null],
 ["USD259","PO-103","INV-103","07/04/2025",1234.56,740.74,"Table",null]]'

for kind in csv xlsx; do
	DB="$WORK/$kind.db"
	rm -f "$DB"*
	cp "$TEMPLATE" "$DB"
	cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 --json "$WORK/sales.$kind"
	expect_ok "import of the $kind report"
	echo "$OUT" >"$WORK/import.$kind"
	cl --as-of $ASOF report fees --contract KS-TEST-2025 --period 2025-Q3 --json
	expect_ok "fees after the $kind report"
	echo "$OUT" >"$WORK/fees.$kind"
	q "SELECT rows_total, rows_accepted, list_total, invoiced_total FROM import_batch" >"$WORK/batch.$kind"
	q "SELECT po_number, invoice_date, list_amount, invoiced_amount, freight_amount
	   FROM purchase ORDER BY po_number" >"$WORK/lines.$kind"
done
same() { # WHAT FILE-STEM: the CSV and XLSX runs wrote the same file
	if cmp -s "$WORK/$2.csv" "$WORK/$2.xlsx"; then ok "$1"; else
		echo "not ok - $1"; diff "$WORK/$2.csv" "$WORK/$2.xlsx" | sed 's/^/#   /'
	fi
}
same "the same import result (rows, accepted, totals)" import
same "the same batch counts and totals" batch
same "the same purchase lines, dates and amounts" lines
same "the same fees" fees
expect_eq "the XLSX totals are the CSV's" \
	"$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["accepted"], r["totals"]["list_amount"], r["totals"]["invoiced_amount"])' "$WORK/import.xlsx")" \
	"4 2585.05 1551.04"

# ---- workbooks saved by LibreOffice ----
# is_dates FILE COLUMN: "True" for each data cell of COLUMN that is a
# real date cell (a number in a date format, which openpyxl reads as a
# datetime), not text.
is_dates() {
	"$XPY" -c 'import datetime, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
print(" ".join(str(c.is_date and isinstance(c.value, datetime.datetime)) for c in ws[sys.argv[2]][1:]))' "$1" "$2" 2>&1
}
# A workbook LibreOffice Calc saved, checked in: ISO dates as real date
# cells, money as numbers.  Worked by hand: list 1999.99 + 0.10 +
# 45678.91 = 47679.00, invoiced 800.00 + 0.04 + 18271.56 = 19071.60.
LO_BOOK="$DATA/xlsx/libreoffice-sales.xlsx"
expect_eq "the checked-in LibreOffice workbook has real date cells" \
	"$(is_dates "$LO_BOOK" D)" "True True True"
DB="$WORK/lo-saved.db"
cp "$TEMPLATE" "$DB"
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 --json "$LO_BOOK"
expect_eq "a workbook saved by LibreOffice imports: rows and totals" \
	"$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["accepted"], r["totals"]["list_amount"], r["totals"]["invoiced_amount"])' "$OUT" 2>&1)" \
	"3 47679.00 19071.60"
expect_eq "its date cells are the days, its money to the cent" \
	"$(q "SELECT po_number || ' ' || invoice_date || ' ' || list_amount || ' ' || invoiced_amount || ' ' || freight_amount
	      FROM purchase ORDER BY po_number" | tr '\n' ' ')" \
	"PO-500 2025-07-01 199999 80000 1250 PO-501 2025-08-31 10 4 0 PO-502 2025-09-30 4567891 1827156 31005 "

# The CSV report above, converted by LibreOffice itself when it is here
# (tools/deps.sh installs libreoffice-calc-nogui), imports to the same
# batch and the same lines as the CSV.
SOFFICE=$(command -v soffice || command -v libreoffice || true)
if [ -z "$SOFFICE" ]; then
	ok "the CSV report converted by LibreOffice # SKIP soffice is not installed"
else
	mkdir -p "$WORK/lo"
	RC=0
	timeout 300 "$SOFFICE" "-env:UserInstallation=file://$WORK/lo-profile" --headless \
		--convert-to xlsx --outdir "$WORK/lo" "$WORK/sales.csv" >"$WORK/lo.out" 2>&1 || RC=$?
	OUT=$(cat "$WORK/lo.out") ERR=""
	if [ -s "$WORK/lo/sales.xlsx" ]; then ok "soffice --convert-to xlsx of the CSV report"; else
		not_ok "soffice --convert-to xlsx of the CSV report"
	fi
	# the three ISO dates (the fourth, 07/04/2025, may stay text by locale)
	expect_eq "LibreOffice wrote the ISO invoice dates as real date cells" \
		"$(is_dates "$WORK/lo/sales.xlsx" D | cut -d' ' -f1-3)" "True True True"
	DB="$WORK/lo.db"
	cp "$TEMPLATE" "$DB"
	cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 --json "$WORK/lo/sales.xlsx"
	expect_ok "import of the workbook LibreOffice wrote"
	echo "$OUT" >"$WORK/import.lo"
	q "SELECT rows_total, rows_accepted, list_total, invoiced_total FROM import_batch" >"$WORK/batch.lo"
	q "SELECT po_number, invoice_date, list_amount, invoiced_amount, freight_amount
	   FROM purchase ORDER BY po_number" >"$WORK/lines.lo"
	for f in import batch lines; do
		if cmp -s "$WORK/$f.csv" "$WORK/$f.lo"; then
			ok "LibreOffice's workbook gives the CSV's $f"
		else
			echo "not ok - LibreOffice's workbook gives the CSV's $f"
			diff "$WORK/$f.csv" "$WORK/$f.lo" | sed 's/^/#   /'
		fi
	done
fi
DB="$WORK/xlsx.db"

# the same workbook again is the same file: not imported twice
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 "$WORK/sales.xlsx"
expect_out "a byte-identical workbook is not imported twice" "already imported"
DB="$WORK/enc.db"
cp "$TEMPLATE" "$DB"
xlsx "$WORK/cafe.xlsx" 'Sales:[
 ["agency_code","po_number","invoice_number","invoice_date","list_amount","invoiced_amount","description"],
 ["USD259","PO-300","INV-300","d:2025-07-15",100,60,"Café table"]]'
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 --encoding windows-1252 "$WORK/cafe.xlsx"
expect_ok "--encoding windows-1252 with a workbook"
expect_eq "--encoding does not apply to a workbook (its text is UTF-8 already)" \
	"$(q "SELECT description FROM purchase WHERE po_number = 'PO-300'")" "Café table"
DB="$WORK/xlsx.db"
# read from standard input (spooled, not seekable)
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 - <"$WORK/sales.xlsx"
expect_out "a workbook on standard input is the same file" "already imported"

# ---- a money cell with more than cents, after an empty row ----
DB="$WORK/bad.db"
cp "$TEMPLATE" "$DB"
xlsx "$WORK/bad.xlsx" 'Sales:[
 ["agency_code","po_number","invoice_number","invoice_date","list_amount","invoiced_amount"],
 ["USD259","PO-200","INV-200","d:2025-07-15",100,60],
 [],
 ["USD497","PO-201","INV-201","d:2025-08-20",12.345,10]]'
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 --json "$WORK/bad.xlsx"
expect_eq "the import is refused" "$RC" 1
expect_eq "12.345 is an error of the sheet's data row 3, column list_amount" \
	"$(python3 -c 'import json,sys; e=json.loads(sys.argv[1])["errors"]; print(len(e), e[0]["row"], e[0]["column"], "12.345" in e[0]["message"])' "$OUT")" \
	"1 3 list_amount True"
printf 'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\nUSD497,PO-201,INV-201,2025-08-20,12.345,10\n' >"$WORK/bad.csv"
csv_msg=$("$BIN" --db "$DB" --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 --json "$WORK/bad.csv" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["errors"][0]["message"])')
expect_eq "the message is the CSV's" \
	"$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["errors"][0]["message"])' "$OUT")" "$csv_msg"
expect_eq "nothing written" "$(q "SELECT count(*) FROM purchase")" 0

# ---- files that are not workbooks ----
printf 'PK\003\004 this is not a zip file' >"$WORK/fake.xlsx"
cl --as-of $ASOF import --contract KS-TEST-2025 --period 2025-Q3 "$WORK/fake.xlsx"
expect_fail "a damaged workbook is refused" 1 "not an .xlsx workbook (the ZIP container is damaged"
printf '\320\317\021\340\241\261\032\341 old excel' >"$WORK/old.xls"
cl --as-of $ASOF agency import "$WORK/old.xls"
expect_fail "an Excel 97-2003 file is refused with what to do" 1 "save it as an Excel workbook (.xlsx) or as CSV"

# ---- the API takes a workbook as the body ----
DB="$WORK/api.db"
cp "$TEMPLATE" "$DB"
# ---- a member's purchase register as a workbook: its finance export's
# headers, real date cells and money as numbers ----
xlsx "$WORK/register.xlsx" 'POs:[
 ["PO #","PO Date","Total","Memo"],
 ["R-100","d:2025-08-14",1250.5,"chairs"],
 [null,null,null,null],
 ["R-101","d:2025-09-02",99.99,"desk lamp"]]'
cl --as-of $ASOF register import --contract KS-TEST-2025 --agency USD233 --json "$WORK/register.xlsx"
expect_eq "register import from an .xlsx workbook: two POs, their total" \
	"$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["accepted"], r["totals"]["amount"])' "$OUT" 2>&1)" \
	"2 1350.49"
expect_eq "register lines: the date cells as dates, the amounts in cents" \
	"$(q "SELECT po_number || ' ' || po_date || ' ' || amount FROM register_line ORDER BY po_number" | tr '\n' ' ')" \
	"R-100 2025-08-14 125050 R-101 2025-09-02 9999 "

export COOPLEDGER_PASSWORD="xlsx admin password"
cl user add --email admin@usd259.test --role admin; expect_ok "an admin for the API"
ready="$WORK/ready"
COOPLEDGER_OUTBOX_INTERVAL=0 "$BIN" --db "$DB" --as-of $ASOF serve --listen 127.0.0.1:0 \
	--ready-file "$ready" 2>"$WORK/serve.err" &
pid=$!
for i in $(seq 200); do [ -s "$ready" ] && break; sleep 0.05; done
url="http://$(cat "$ready" 2>/dev/null)"
token=$(curl -s -H 'content-type: application/json' \
	-d "{\"email\": \"admin@usd259.test\", \"password\": \"$COOPLEDGER_PASSWORD\"}" "$url/api/v1/tokens" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])' 2>/dev/null)
XLSX_TYPE=application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
RC=$(curl -s -o "$WORK/answer" -w '%{http_code}' -H "authorization: Bearer $token" \
	-H "content-type: $XLSX_TYPE" --data-binary "@$WORK/sales.xlsx" \
	"$url/api/v1/contracts/KS-TEST-2025/imports?period=2025-Q3&file_name=sales.xlsx")
OUT=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["accepted"], r["totals"]["list_amount"], r["totals"]["invoiced_amount"])' "$WORK/answer" 2>&1)
expect_eq "POST of an .xlsx body imports it (status $RC)" "$RC $OUT" "201 4 2585.05 1551.04"
RC=$(curl -s -o "$WORK/answer" -w '%{http_code}' -H "authorization: Bearer $token" \
	-H "content-type: $XLSX_TYPE" --data-binary "@$WORK/participants.xlsx" \
	"$url/api/v1/contracts/KS-TEST-2025/imports?period=2025-Q3&sheet=Nope&dry_run=1")
expect_eq "a sheet the workbook lacks is refused through the API (status $RC)" \
	"$(grep -c 'no sheet named' "$WORK/answer")" 1
kill "$pid"; wait "$pid" 2>/dev/null
ERR=$(cat "$WORK/serve.err")
if grep -qE 'runtime error:|AddressSanitizer|LeakSanitizer' <<<"$ERR"; then not_ok "server log clean"; else ok "server log clean"; fi
