#!/usr/bin/env bash
# End-to-end: `coopledger statements` writes PDF statements whose text
# (pdftotext) holds the same names and figures as the --json reports for
# the same database and date; they pass qpdf --check, paginate with the
# table header repeated, keep accented, Japanese and emoji names (fonts
# embedded as subsets, a 60-line statement under 60 KB), are byte-for-byte
# reproducible with --creation-date, and no word is drawn over another or
# off the page (pdftotext -bbox), even with amounts in the billions and a
# member name longer than a line.  PNG renderings go to tests/artifacts/.
. "$(dirname "$0")/lib.sh"
ART="$(cd "$(dirname "$0")/../.." && pwd)/tests/artifacts/statements"
rm -rf "$ART" && mkdir -p "$ART"
ASOF=2026-11-25
C=KS-FURN-2025
Q=2026-Q3
OUTD="$WORK/pdfs"

# human 1234.56 -> $1,234.56 (money as people read it)
human() {
	local v=$1 s=""
	if [[ $v == -* ]]; then s="-"; v=${v#-}; fi
	local i=${v%.*} f=${v#*.}
	i=$(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$i")
	echo "$s\$$i.$f"
}
# text FILE: the PDF's text, laid out
text() { pdftotext -layout "$1" - 2>/dev/null; }
# has WHAT FILE NEEDLE: the PDF's text holds NEEDLE
has() {
	if text "$2" | grep -qF -- "$3"; then ok "$1"; else
		echo "not ok - $1"; echo "#   wanted: $3 in $(basename "$2")"; fi
}
# check_pdf WHAT FILE: qpdf finds no errors
check_pdf() {
	if [ -s "$2" ] && qpdf --check "$2" >"$WORK/qpdf" 2>&1; then ok "$1"; else
		echo "not ok - $1"; sed 's/^/#   /' "$WORK/qpdf" | head -5; fi
}
# render FILE [PREFIX]: PNG pages of FILE into tests/artifacts/statements
render() { pdftoppm -png -r 60 "$1" "$ART/${2:-}$(basename "$1" .pdf)" 2>/dev/null; }
# layout_faults FILE: every pair of words whose boxes overlap on a page of
# the PDF, and every word that reaches into the 36 pt page margin
# (pdftotext -bbox), one line each; nothing when the layout is clean.
layout_faults() {
	pdftotext -bbox "$1" - 2>/dev/null | awk '
	function attr(name,   m) {
		if (!match($0, name "=\"[^\"]*\"")) return 0
		m = substr($0, RSTART + length(name) + 2, RLENGTH - length(name) - 3)
		return m + 0
	}
	/<page / { page++; n = 0; pw = attr("width"); ph = attr("height") }
	/<word / {
		x0 = attr("xMin"); y0 = attr("yMin"); x1 = attr("xMax"); y1 = attr("yMax")
		w = $0; sub(/^.*">/, "", w); sub(/<\/word>.*$/, "", w)
		if (x0 < 36 || x1 > pw - 36 || y0 < 0 || y1 > ph)
			printf "page %d: \"%s\" leaves the page (x %.1f..%.1f of %.0f)\n", page, w, x0, x1, pw
		for (i = 0; i < n; i++) {
			ix = (x1 < X1[i] ? x1 : X1[i]) - (x0 > X0[i] ? x0 : X0[i])
			iy = (y1 < Y1[i] ? y1 : Y1[i]) - (y0 > Y0[i] ? y0 : Y0[i])
			if (ix > 0.5 && iy > 0.5)
				printf "page %d: \"%s\" overlaps \"%s\" (%.1f pt)\n", page, w, W[i], ix
		}
		X0[n] = x0; Y0[n] = y0; X1[n] = x1; Y1[n] = y1; W[n] = w; n++
	}'
}
# clean_layout WHAT FILE...: no word of these PDFs overlaps another or leaves the page
clean_layout() {
	local what=$1 f faults=""
	shift
	for f in "$@"; do faults+=$(layout_faults "$f" | sed "s|^|$(basename "$f") |")$'\n'; done
	if [ -z "${faults//$'\n'/}" ]; then ok "$what"; else
		echo "not ok - $what"; grep -v '^$' <<<"$faults" | head -8 | sed 's/^/#   /'; fi
}

cl --as-of $ASOF demo;            expect_ok "demo database"

# --- usage --------------------------------------------------------------
cl statements --contract $C --out "$OUTD"
expect_fail "statements needs --period or --year" 2 "give --period or --year"
cl statements --contract $C --period $Q --kind bogus --out "$OUTD"
expect_fail "unknown --kind refused" 2 'unknown --kind "bogus"'
cl statements --contract NOPE --period $Q --out "$OUTD"
expect_fail "unknown contract refused" 1 "NOPE"

# --- every kind for the quarter -----------------------------------------
cl --as-of $ASOF statements --contract $C --period $Q --out "$OUTD" --creation-date $ASOF
expect_out "statements for a quarter" "statements to $OUTD"
M="$OUTD/member-$C-$Q-USD233.pdf"
V="$OUTD/vendor-$C-$Q-V-PRAIRIE.pdf"
R="$OUTD/revenue-$C-2026.pdf"
for f in "$M" "$V" "$R"; do check_pdf "qpdf --check $(basename "$f")" "$f"; done
n_members=$(ls "$OUTD"/member-$C-$Q-*.pdf | wc -l)
want=$(q "SELECT count(DISTINCT p.agency_id) FROM live_purchase p JOIN contract c ON c.id = p.contract_id
          WHERE c.number = '$C' AND p.invoice_date BETWEEN '2026-07-01' AND '2026-09-30'")
expect_eq "one member statement per agency with lines in the quarter" "$n_members" "$want"
bad=0; for f in "$OUTD"/member-*.pdf; do qpdf --check "$f" >/dev/null 2>&1 || bad=$((bad + 1)); done
expect_eq "qpdf --check clean for every member statement" "$bad" 0

# Member statement against `report agency --json`.
cl --as-of $ASOF report agency --agency USD233 --contract $C --json
J=$OUT
has "member statement names the lead agency" "$M" "Wichita USD 259"
has "member statement names the member" "$M" "Olathe USD 233 (USD233)"
has "member contract-to-date paid = report agency paid_total" "$M" \
	"$(human "$(jq -r '.contracts[0].paid_total' <<<"$J")")"
has "member contract-to-date savings = report agency savings" "$M" \
	"$(human "$(jq -r '.contracts[0].savings' <<<"$J")")"
has "member savings % = report agency savings_pct" "$M" "$(jq -r '.contracts[0].savings_pct' <<<"$J")"
pq=$(jq -r '[.contracts[0].lines[] | select(.invoice_date >= "2026-07-01" and .invoice_date <= "2026-09-30")
             | .invoiced_amount | tonumber * 100 | round] | add' <<<"$J")
has "member period paid total = sum of the quarter's lines" "$M" \
	"$(human "$(printf '%d.%02d' $((pq / 100)) $((pq % 100)))")"
cl --as-of $ASOF report rebates --contract $C --json
has "member rebate share = report rebates allocation" "$M" \
	"$(human "$(jq -r '.allocations[] | select(.agency == "USD233") | .rebate' <<<"$OUT")")"
has "member rebate is projected" "$M" "Your rebate share (projected)"
has "member tier progress" "$M" "more contract-wide purchases unlock"

# Vendor statement against `report fees --json`.
cl --as-of $ASOF report fees --contract $C --period $Q --json
F=$(jq '.quarters[0]' <<<"$OUT")
has "vendor statement: fee = report fees" "$V" "Administrative fee"
for k in net_sales fee late_fee balance; do
	has "vendor statement: $k = report fees" "$V" "$(human "$(jq -r ".$k" <<<"$F")")"
done
has "vendor statement: due date = report fees" "$V" "$(jq -r '.due_date' <<<"$F")"
has "vendor statement: where to remit (lead agency address)" "$V" \
	"$(q "SELECT address FROM agency WHERE code = 'USD259'")"
has "vendor statement: fee band by band" "$V" "sales in band \$0.00 to \$30,000,000.00"
has "vendor statement: net sales by member" "$V" "Olathe USD 233"

# Revenue report against `report revenue --json`.
cl --as-of $ASOF report revenue --year 2026 --json
RV=$(jq ".contracts[] | select(.contract == \"$C\")" <<<"$OUT")
for k in fee late_fee remitted outstanding; do
	has "revenue report: $k = report revenue" "$R" "$(human "$(jq -r ".$k" <<<"$RV")")"
done
has "revenue report: active members" "$R" "Active members"
bal=$(jq -r "[.quarters[] | select(.contract == \"$C\") | .balance | tonumber * 100 | round] | add" <<<"$OUT")
if pdftotext -layout "$R" - 2>/dev/null | grep -E '^ *Total ' |
	grep -qF "$(human "$(printf '%d.%02d' $((bal / 100)) $((bal % 100)))")"; then
	ok "revenue report: the Total row shows the balance"; else
	echo "not ok - revenue report: the Total row shows the balance"; fi
cl --as-of $ASOF statements --contract all --period $Q --kind revenue --out "$OUTD" --creation-date $ASOF
RA="$OUTD/revenue-2026.pdf"
check_pdf "qpdf --check revenue-2026.pdf" "$RA"
cl --as-of $ASOF report revenue --year 2026 --json
has "all-contract revenue: outstanding = report revenue totals" "$RA" \
	"$(human "$(jq -r '.totals.outstanding' <<<"$OUT")")"
has "all-contract revenue: aging 90+ = report revenue" "$RA" \
	"$(human "$(jq -r '.aging["90+"]' <<<"$OUT")")"

# --- a 300-line statement with an accented name --------------------------
cl agency add --code USD999 --name "Peña Côte USD 999" --kind school_district --state KS
expect_ok "agency with an accented name"
cl participant add --contract $C --agency USD999 --joined 2026-07-01
expect_ok "accented agency joins the contract"
{
	echo "agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount,description"
	for i in $(seq 1 300); do
		printf 'USD999,PO-999-%03d,INV-999-%03d,2026-08-%02d,%d.00,%d.00,"Chair, stacking, model %d"\n' \
			$((i / 10)) "$i" $((i % 28 + 1)) $((100 + i)) $((40 + i)) "$i"
	done
} >"$WORK/peña.csv"
cl --as-of $ASOF import --contract $C "$WORK/peña.csv"; expect_ok "import 300 lines"
cl --as-of $ASOF statements --contract $C --period $Q --agency USD999 --kind member --out "$OUTD" \
	--creation-date $ASOF
P="$OUTD/member-$C-$Q-USD999.pdf"
check_pdf "qpdf --check 300-line statement" "$P"
pages=$(pdfinfo "$P" 2>/dev/null | awk '/^Pages:/ {print $2}')
if [ "${pages:-0}" -gt 1 ]; then ok "300 lines paginate ($pages pages)"; else not_ok "300 lines paginate"; fi
has "footer says Page 1 of N" "$P" "Page 1 of $pages"
p2=$(pdftotext -f 2 -l 2 -layout "$P" - 2>/dev/null)
if grep -q "Date *PO *Invoice *Description *List *Paid *Savings" <<<"$p2"; then
	ok "table header repeats on page 2"; else not_ok "table header repeats on page 2"; fi
has "accented name survives" "$P" "Peña Côte USD 999"
has "300 lines counted" "$P" "300 lines"
cl --as-of $ASOF report agency --agency USD999 --contract $C --json
has "300-line statement paid total = report agency" "$P" \
	"$(human "$(jq -r '.contracts[0].paid_total' <<<"$OUT")")"

# --- reproducible bytes ----------------------------------------------------
for run in 1 2; do
	"$BIN" --db "$DB" --as-of $ASOF statements --contract $C --period $Q --agency USD999 \
		--out "$WORK/again$run" --creation-date $ASOF >/dev/null 2>&1
done
if [ "$(ls "$WORK/again1" | wc -l)" -eq 3 ] && diff -r "$WORK/again1" "$WORK/again2" >/dev/null &&
	cmp -s "$P" "$WORK/again1/member-$C-$Q-USD999.pdf"; then
	ok "same --creation-date, same bytes (member, vendor, revenue)"; else
	not_ok "same --creation-date, same bytes"; fi
"$BIN" --db "$DB" --as-of $ASOF statements --contract $C --period $Q --agency USD999 --kind member \
	--out "$WORK/again3" --creation-date 2026-11-26 >/dev/null 2>&1
if ! cmp -s "$P" "$WORK/again3/member-$C-$Q-USD999.pdf"; then ok "another creation date, other bytes"; else
	not_ok "another creation date, other bytes"; fi

# --- any name prints: CJK, emoji, accents; fonts embedded as subsets ------
# font_faults FILE: each font pdffonts lists that is not embedded, not a
# subset (ABCDEF+ name) or has no ToUnicode map, one line each
font_faults() {
	pdffonts "$1" 2>/dev/null | awk 'NR > 2 {
		if ($1 !~ /^[A-Z][A-Z][A-Z][A-Z][A-Z][A-Z]\+/) print "not a subset: " $1
		if ($(NF - 4) != "yes") print "not embedded: " $1
		if ($(NF - 2) != "yes") print "no ToUnicode: " $1
	}'
}
# fonts_ok WHAT FILE: every font embedded as a subset with a ToUnicode map
fonts_ok() {
	local faults n
	faults=$(font_faults "$2")
	n=$(pdffonts "$2" 2>/dev/null | awk 'NR > 2' | wc -l)
	if [ "$n" -gt 0 ] && [ -z "$faults" ]; then ok "$1 ($n fonts)"; else
		echo "not ok - $1"; sed 's/^/#   /' <<<"${faults:-no fonts}" | head -5; fi
}
# smaller WHAT FILE BYTES: the file is under BYTES bytes
smaller() {
	local size
	size=$(stat -c %s "$2" 2>/dev/null || echo 0)
	if [ "$size" -gt 0 ] && [ "$size" -lt "$3" ]; then ok "$1 ($size bytes)"; else
		not_ok "$1 ($size bytes, limit $3)"; fi
}
fonts_ok "the 56-line USD233 statement: fonts embedded as subsets" "$M"
smaller "the 56-line USD233 statement is under 60 KB" "$M" 61440
fonts_ok "the 300-line statement: fonts embedded as subsets" "$P"

# Names in Japanese, Spanish and French with an emoji, and 60 lines whose
# descriptions carry a Chinese character and an emoji each.
WORLD="東京 Ñandú Café 🍕 Coöp"
cl agency add --code TKY01 --name "$WORLD" --kind school_district --state KS
expect_ok "agency with a Japanese, accented and emoji name"
cl participant add --contract $C --agency TKY01 --joined 2026-07-01
expect_ok "that agency joins the contract"
python3 - "$WORK/world.csv" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount,description\n")
    for i in range(1, 61):
        f.write('TKY01,PO-T-%03d,INV-T-%03d,2026-08-%02d,%d.00,%d.00,"Mesa %s%s"\n'
                % (i // 6, i, i % 28 + 1, 200 + i, 80 + i, chr(0x4E00 + 5 * i), chr(0x1F600 + i)))
PY
cl --as-of $ASOF import --contract $C "$WORK/world.csv"; expect_ok "import 60 lines with CJK and emoji"
cl --as-of $ASOF statements --contract $C --period $Q --agency TKY01 --kind member --out "$WORK/world" \
	--creation-date $ASOF
W="$WORK/world/member-$C-$Q-TKY01.pdf"
check_pdf "qpdf --check the statement of $WORLD" "$W"
has "the name prints whole: CJK, accents and the emoji" "$W" "$WORLD (TKY01)"
has "a description's CJK character and emoji print" "$W" "Mesa 串😊"
has "60 lines counted" "$W" "60 lines"
fonts_ok "CJK, emoji and accents: every font embedded as a subset" "$W"
if pdffonts "$W" 2>/dev/null | grep -q '+DroidSansFallback' &&
	pdffonts "$W" 2>/dev/null | grep -q '+Symbola'; then
	ok "the CJK and emoji fallback fonts are embedded"; else
	not_ok "the CJK and emoji fallback fonts are embedded"; fi
smaller "the 60-line statement with CJK and emoji is under 60 KB" "$W" 61440
clean_layout "CJK and emoji: no overlapping words, nothing off the page" "$W"
cl --as-of $ASOF report agency --agency TKY01 --contract $C --json
has "CJK statement: paid total = report agency" "$W" "$(human "$(jq -r '.contracts[0].paid_total' <<<"$OUT")")"

# More distinct characters than one font's one-byte codes hold (about
# 200): 250 Chinese characters and 80 emoji need more than one subset of
# each fallback face, and every one of them comes back out of the text.
cl agency add --code OSK01 --name "大阪 Osaka" --kind school_district --state KS
cl participant add --contract $C --agency OSK01 --joined 2026-07-01
expect_ok "a second agency with a CJK name joins"
python3 - "$WORK/many.csv" "$WORK/many.want" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as w:
    f.write("agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount,description\n")
    for i in range(250):
        d = "Silla %s%s" % (chr(0x5000 + 7 * i), chr(0x1F300 + i % 80))
        f.write('OSK01,PO-O-%03d,INV-O-%03d,2026-09-%02d,%d.00,%d.00,"%s"\n'
                % (i // 5, i, i % 28 + 1, 300 + i, 100 + i, d))
        w.write(d + "\n")
PY
cl --as-of $ASOF import --contract $C "$WORK/many.csv"; expect_ok "import 250 lines of distinct characters"
cl --as-of $ASOF statements --contract $C --period $Q --agency OSK01 --kind member --out "$WORK/many" \
	--creation-date $ASOF
MANY="$WORK/many/member-$C-$Q-OSK01.pdf"
check_pdf "qpdf --check the statement of 250 distinct characters" "$MANY"
found=$(pdftotext -raw "$MANY" - 2>/dev/null | grep -oF -f "$WORK/many.want" | sort -u | wc -l)
expect_eq "all 250 descriptions of distinct characters come back out of the text" "$found" 250
nfb=$(pdffonts "$MANY" 2>/dev/null | grep -c '+DroidSansFallback')
if [ "$nfb" -ge 2 ]; then ok "the CJK face needs $nfb subsets"; else not_ok "the CJK face needs 2 subsets or more ($nfb)"; fi
fonts_ok "250 distinct characters: every font embedded as a subset" "$MANY"
clean_layout "250 distinct characters: no overlapping words, nothing off the page" "$MANY"

# --- a contract year ------------------------------------------------------
cl --as-of $ASOF statements --contract $C --year 1 --agency USD233 --out "$WORK/y1" --creation-date $ASOF
expect_out "statements for contract year 1" "statements to"
Y="$WORK/y1/member-$C-Y1-USD233.pdf"
check_pdf "qpdf --check year statement" "$Y"
has "year statement names the contract year" "$Y" "contract year 1"
nv=$(ls "$WORK"/y1/vendor-$C-*.pdf 2>/dev/null | wc -l)
expect_eq "year 1 gives a vendor statement per quarter" "$nv" 4
cl --as-of $ASOF report rebates --contract $C --year 1 --json
has "year-1 statement: final rebate share" "$Y" \
	"$(human "$(jq -r '.allocations[] | select(.agency == "USD233") | .rebate' <<<"$OUT")")"

# --- layout: no text drawn over other text, nothing off the page ---------
clean_layout "no overlapping words in the quarter's statements" "$OUTD"/*.pdf
clean_layout "no overlapping words on the Y1 statement of USD233 (labels wrap or fit)" "$Y"
cl --as-of $ASOF statements --contract KS-FURN-2022 --year 2 --agency USD259 --kind member \
	--out "$WORK/y2" --creation-date $ASOF
Y22="$WORK/y2/member-KS-FURN-2022-Y2-USD259.pdf"
check_pdf "qpdf --check KS-FURN-2022 year 2 statement of USD259" "$Y22"
clean_layout "no overlapping words on the KS-FURN-2022 year 2 statement of USD259" "$Y22"
has "KS-FURN-2022 year 2 statement: the bold total" "$Y22" '$1,197,871.00'

# A member with a very long name, amounts in the hundreds of millions and
# descriptions that fill their column: the running header wraps, money
# columns widen, labels wrap, nothing runs into anything.
LONG="Unified School District No. 998 of the Greater Prairie Plains Cooperative Purchasing Region, Facilities and Furniture Office"
cl agency add --code USD998 --name "$LONG" --kind school_district --state KS
expect_ok "agency with a long name"
cl participant add --contract $C --agency USD998 --joined 2026-07-01
expect_ok "long-named agency joins the contract"
{
	echo "agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount,description"
	for i in $(seq 1 90); do
		printf 'USD998,PO-998-%03d,INV-998-%03d,2026-09-%02d,%d.99,%d.37,"Cafeteria table, 12 ft mobile, with folding benches and a sneeze guard, model %d"\n' \
			$((i / 4)) "$i" $((i % 28 + 1)) $((999999000 - i)) $((399999000 - i)) "$i"
	done
} >"$WORK/big.csv"
cl --as-of $ASOF import --contract $C "$WORK/big.csv"; expect_ok "import 90 lines of hundreds of millions"
cl --as-of $ASOF statements --contract $C --period $Q --out "$WORK/big" --creation-date $ASOF
expect_ok "statements with big amounts"
B="$WORK/big/member-$C-$Q-USD998.pdf"
check_pdf "qpdf --check big statement" "$B"
pages=$(pdfinfo "$B" 2>/dev/null | awk '/^Pages:/ {print $2}')
if [ "${pages:-0}" -gt 1 ]; then ok "big statement paginates ($pages pages)"; else not_ok "big statement paginates"; fi
clean_layout "big amounts and a long name: no overlapping words, nothing off the page" \
	"$B" "$WORK/big/vendor-$C-$Q-V-PRAIRIE.pdf" "$WORK/big/revenue-$C-2026.pdf"
if pdftotext -f 2 -l 2 "$B" - 2>/dev/null | tr '\n' ' ' | grep -qF "Purchasing Region, Facilities and Furniture Office"; then
	ok "running header on page 2 wraps the long name"; else not_ok "running header on page 2 wraps the long name"; fi
cl --as-of $ASOF report agency --agency USD998 --contract $C --json
has "big statement: paid total = report agency" "$B" "$(human "$(jq -r '.contracts[0].paid_total' <<<"$OUT")")"

# --- a fee amended in the quarter -----------------------------------------
# The fee statement works the quarter out piece by piece: the days before
# the amendment at the award's 2%, the days from it at 3%, and its rows
# add up to the fee of `report fees` (no large "rounding" row).
echo '{"fee":{"bands":[{"from":"0","rate":"3%"},{"from":"30000000","rate":"1.5%"}]}}' >"$WORK/fee3.json"
cl --as-of $ASOF contract amend $C --effective 2026-08-15 --reference "Fee to 3%" "$WORK/fee3.json"
expect_out "the fee is amended from 2026-08-15" "recorded amendment 1 of $C"
cl --as-of $ASOF statements --contract $C --period $Q --kind vendor --out "$WORK/amended"
expect_ok "the vendor statement of the amended quarter"
A="$WORK/amended/vendor-$C-$Q-V-PRAIRIE.pdf"
rows=$(pdftotext -raw "$A" - 2>/dev/null | tr '\n' ' ')
if grep -qE 'sales in band \$0\.00 to \$30,000,000\.00, 2026-07-01 to 2026-08-14 2% ' <<<"$rows" &&
	grep -qE 'sales in band \$0\.00 to \$30,000,000\.00, 2026-08-15 to 2026-09-30 3% ' <<<"$rows"; then
	ok "amended statement: a row for each part of the quarter at its rate"
else not_ok "amended statement: a row for each part of the quarter at its rate"; fi
if grep -q rounding <<<"$rows"; then not_ok "amended statement: no rounding row"; else
	ok "amended statement: no rounding row"; fi
cl --as-of $ASOF report fees --contract $C --period $Q --json
has "amended statement: the fee is the report's" "$A" "$(human "$(jq -r '.quarters[0].fee' <<<"$OUT")")"
check_pdf "qpdf --check amended statement" "$A"

# --- renderings to look at -----------------------------------------------
for f in "$M" "$V" "$R" "$RA" "$P" "$Y" "$Y22"; do render "$f"; done
for f in "$B" "$WORK/big/vendor-$C-$Q-V-PRAIRIE.pdf" "$WORK/big/revenue-$C-2026.pdf"; do render "$f" big-; done
if ls "$ART"/*.png >/dev/null 2>&1; then ok "PNG renderings in tests/artifacts/statements"; else
	not_ok "PNG renderings"; fi
