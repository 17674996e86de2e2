#!/usr/bin/env bash
# End-to-end: the net sales the ledger keeps as it is written (sales_day,
# sales_agency_day; migration 0019) against a recomputation from the lines.
#
# A property test on the demo database: 30 random steps (a seeded
# generator, so a failure can be replayed) of imports, line reversals,
# batch reversals, fee amendments and remittances.  After each step:
#   - `coopledger verify` passes, which recomputes both tables from every
#     ledger row and names the first difference;
#   - the reports (fees, rebates, compliance, completeness, an agency's
#     purchases, contract show) are byte for byte those of a copy of the
#     database whose tables were thrown away and rebuilt from the lines.
# Then a kept figure changed behind the ledger's back is named by verify.
. "$(dirname "$0")/lib.sh"
ASOF=2026-11-25
C=KS-FURN-2025
SEED=${AGG_SEED:-20261207}
RANDOM=$SEED
echo "# seed $SEED (AGG_SEED=$SEED replays this run)"

cl --as-of $ASOF demo >/dev/null
expect_ok "setup: the demo database"
cl verify
expect_out "verify on the demo: the kept net sales match the lines" \
	"kept net-sales rows and the totals of"
# one row per contract and day with sales: the demo's own count
expect_eq "sales_day: one row per contract and invoice date" \
	"$(q "SELECT count(*) FROM sales_day")" \
	"$(q "SELECT count(*) FROM (SELECT DISTINCT contract_id, invoice_date FROM purchase)")"
expect_eq "the kept net sales of $C are the live lines' sum" \
	"$(q "SELECT sum(invoiced_amount) FROM sales_day WHERE contract_id = (SELECT id FROM contract WHERE number = '$C')")" \
	"$(q "SELECT sum(invoiced_amount) FROM live_purchase WHERE contract_id = (SELECT id FROM contract WHERE number = '$C')")"

# Members of the contract since before 2026, for random lines.
mapfile -t MEMBERS < <(q "SELECT a.code FROM participant p JOIN agency a ON a.id = p.agency_id
	JOIN contract c ON c.id = p.contract_id WHERE c.number = '$C' AND p.joined < '2026-01-01'
	ORDER BY a.code")

# reports DB: the reports compared after each step, into one text.
reports() {
	local db=$1 y
	for y in 1 2; do "$BIN" --db "$db" --as-of $ASOF report rebates --contract $C --year $y --json; done
	"$BIN" --db "$db" --as-of $ASOF report fees --contract $C --json
	"$BIN" --db "$db" --as-of $ASOF report fees --contract KS-OFFC-2025 --json
	"$BIN" --db "$db" --as-of $ASOF report compliance --contract $C --json
	"$BIN" --db "$db" --as-of $ASOF report completeness --contract $C --json
	"$BIN" --db "$db" --as-of $ASOF report agency --agency "${MEMBERS[0]}" --json
	"$BIN" --db "$db" --as-of $ASOF contract show $C --json
}

# rebuilt: a copy of the database with both tables rebuilt from the lines,
# as migration 0019 first built them.
rebuilt() {
	rm -f "$WORK/copy.db"
	sqlite3 "$DB" ".backup '$WORK/copy.db'"
	sqlite3 "$WORK/copy.db" <<'SQL'
DROP TRIGGER sales_day_no_delete;
DROP TRIGGER sales_agency_day_no_delete;
DROP TRIGGER sales_agency_month_no_delete;
DELETE FROM sales_day;
DELETE FROM sales_agency_day;
DELETE FROM sales_agency_month;
INSERT INTO sales_day SELECT contract_id, invoice_date,
	sum(CASE WHEN reverses_id IS NULL THEN 1 ELSE -1 END), sum(list_amount), sum(invoiced_amount)
	FROM purchase GROUP BY contract_id, invoice_date;
INSERT INTO sales_agency_day SELECT contract_id, agency_id, invoice_date,
	sum(CASE WHEN reverses_id IS NULL THEN 1 ELSE -1 END), sum(list_amount), sum(invoiced_amount)
	FROM purchase GROUP BY contract_id, agency_id, invoice_date;
INSERT INTO sales_agency_month SELECT contract_id, agency_id, substr(invoice_date, 1, 7),
	sum(CASE WHEN reverses_id IS NULL THEN 1 ELSE -1 END), sum(list_amount), sum(invoiced_amount)
	FROM purchase GROUP BY contract_id, agency_id, substr(invoice_date, 1, 7);
-- the stored compliance computed again from every order's lines (and its
-- month sums by the triggers, from nothing)
DELETE FROM compliance_line;
DELETE FROM compliance_month;
UPDATE purchase_order SET touched = 1;
SQL
}

# A random day of the open quarters 2026-Q1..2026-Q4 up to as-of.
random_day() {
	local m=$((RANDOM % 11 + 1)) d=$((RANDOM % 28 + 1))
	printf '2026-%02d-%02d' $m $d
}

steps_bad=0 amended=0
inv=900000
for step in $(seq 1 30); do
	kind=$((RANDOM % 6))
	case $kind in
	0 | 1) # an import of 1 to 12 lines (amounts in cents, list >= invoiced)
		n=$((RANDOM % 12 + 1))
		{
			echo "agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount,description"
			for _ in $(seq $n); do
				inv=$((inv + 1))
				l=$((RANDOM * 3 + 100)) i=$((l - RANDOM % 50))
				printf '%s,PO-%d,INV-%d,%s,%d.%02d,%d.%02d,Chair\n' \
					"${MEMBERS[RANDOM % ${#MEMBERS[@]}]}" $((inv / 3)) $inv "$(random_day)" \
					$((l / 100)) $((l % 100)) $((i / 100)) $((i % 100))
			done
		} >"$WORK/step.csv"
		cl --as-of $ASOF import --contract $C --skip-invalid "$WORK/step.csv"
		what="import of $n lines" ;;
	2) # reverse one live line of an open quarter
		id=$(q "SELECT id FROM live_purchase WHERE contract_id = (SELECT id FROM contract
			WHERE number = '$C') AND invoice_date >= '2026-01-01'
			ORDER BY id LIMIT 1 OFFSET $((RANDOM % 50))")
		cl --as-of $ASOF reverse --line "${id:-1}" --reason "entered twice"
		what="reversal of line ${id:-none}" ;;
	3) # reverse one live batch
		b=$(q "SELECT id FROM import_batch WHERE reversed_at IS NULL AND contract_id =
			(SELECT id FROM contract WHERE number = '$C') AND filed_on >= '2026-01-01'
			ORDER BY id DESC LIMIT 1 OFFSET $((RANDOM % 3))")
		cl --as-of $ASOF reverse --batch "${b:-1}" --reason "the vendor sent the wrong file"
		what="reversal of batch ${b:-none}" ;;
	4) # a fee amendment (the figures move; the kept sales must not)
		printf '{"fee": {"mode": "graduated", "bands": [{"from": "0", "rate": "%d.5%%"}]}}\n' \
			$((RANDOM % 3 + 1)) >"$WORK/amend.json"
		amended=$((amended + 1))
		cl --as-of $ASOF contract amend $C --effective "2026-10-$(printf %02d $amended)" \
			--reference "AMD-$step" "$WORK/amend.json"
		what="fee amendment" ;;
	5) # a remittance
		cl --as-of $ASOF remit --contract $C --period 2026-Q1 --amount "$((RANDOM % 900 + 100)).00" \
			--received $ASOF --ref "ACH-$step-$RANDOM" --again
		what="remittance" ;;
	esac
	echo "# step $step: $what (exit $RC) ${ERR:0:160}"
	cl verify
	if [ "$RC" -ne 0 ]; then
		not_ok "step $step ($what): verify"
		steps_bad=$((steps_bad + 1))
		continue
	fi
	rebuilt
	if ! diff <(reports "$DB") <(reports "$WORK/copy.db") >"$WORK/diff"; then
		echo "not ok - step $step ($what): reports differ from a recomputation"
		head -20 "$WORK/diff" | sed 's/^/#   /'
		steps_bad=$((steps_bad + 1))
	fi
done
expect_eq "30 random steps: verify and every report agree with a recomputation" "$steps_bad" 0
expect_eq "the steps wrote lines and reversals" \
	"$(q "SELECT count(*) > 0 FROM purchase WHERE invoice_number LIKE 'INV-9%'") $(q "SELECT count(*) > 0 FROM purchase WHERE reverses_id IS NOT NULL AND created_at > (SELECT min(created_at) FROM purchase WHERE invoice_number LIKE 'INV-9%')")" \
	"1 1"

# ---- a kept figure changed behind the ledger's back ----
DAY=$(q "SELECT min(day) FROM sales_day WHERE contract_id = (SELECT id FROM contract WHERE number = '$C')")
q "UPDATE sales_agency_day SET invoiced_amount = invoiced_amount + 1
	WHERE contract_id = (SELECT id FROM contract WHERE number = '$C') AND day = '$DAY'
	AND agency_id = (SELECT min(agency_id) FROM sales_agency_day WHERE day = '$DAY'
	AND contract_id = (SELECT id FROM contract WHERE number = '$C'))"
cl verify
expect_fail "a changed kept figure: verify names the table, contract and day" 1 \
	"sales_agency_day for contract $C, agency"
expect_fail "... and says what the lines give" 1 "on $DAY holds"
q "UPDATE sales_agency_day SET invoiced_amount = invoiced_amount - 1
	WHERE contract_id = (SELECT id FROM contract WHERE number = '$C') AND day = '$DAY'
	AND agency_id = (SELECT min(agency_id) FROM sales_agency_day WHERE day = '$DAY'
	AND contract_id = (SELECT id FROM contract WHERE number = '$C'))"
MONTH=${DAY:0:7}
q "UPDATE sales_agency_month SET list_amount = list_amount + 7
	WHERE contract_id = (SELECT id FROM contract WHERE number = '$C') AND month = '$MONTH'
	AND agency_id = (SELECT min(agency_id) FROM sales_agency_month WHERE month = '$MONTH'
	AND contract_id = (SELECT id FROM contract WHERE number = '$C'))"
cl verify
expect_fail "a changed month total: verify names sales_agency_month, the agency and the month" 1 \
	"sales_agency_month for contract $C, agency"
expect_fail "... and what the days give" 1 "on $MONTH holds"
q "UPDATE sales_agency_month SET list_amount = list_amount - 7
	WHERE contract_id = (SELECT id FROM contract WHERE number = '$C') AND month = '$MONTH'
	AND agency_id = (SELECT min(agency_id) FROM sales_agency_month WHERE month = '$MONTH'
	AND contract_id = (SELECT id FROM contract WHERE number = '$C'))"
"$BIN" --db "$DB" --as-of $ASOF report compliance --contract $C --json >/dev/null
CM=$(q "SELECT month FROM compliance_month WHERE contract_id =
	(SELECT id FROM contract WHERE number = '$C') ORDER BY month LIMIT 1")
expect_eq "the steps left overcharged lines, kept by month" "${CM:+yes}" yes
q "UPDATE compliance_month SET overcharge = overcharge + 5 WHERE month = '$CM'
	AND contract_id = (SELECT id FROM contract WHERE number = '$C')"
cl verify
expect_fail "a changed compliance month: verify names compliance_month and the month" 1 \
	"compliance_month for contract $C, agency"
expect_fail "... with the lines and overcharge the stored lines give" 1 \
	"on $CM holds"
q "UPDATE compliance_month SET overcharge = overcharge - 5 WHERE month = '$CM'
	AND contract_id = (SELECT id FROM contract WHERE number = '$C')"
q "UPDATE sales_day SET lines = lines + 1
	WHERE contract_id = (SELECT id FROM contract WHERE number = '$C') AND day = '$DAY'"
cl verify
expect_fail "a changed day total: verify names sales_day" 1 "sales_day for contract $C on $DAY holds"
q "INSERT INTO sales_day VALUES ((SELECT id FROM contract WHERE number = '$C'), '1999-01-01', 1, 100, 100)"
q "UPDATE sales_day SET lines = lines - 1
	WHERE contract_id = (SELECT id FROM contract WHERE number = '$C') AND day = '$DAY'"
cl verify
expect_fail "a kept row the lines do not give: named" 1 \
	"sales_day for contract $C on 1999-01-01 holds 1 lines, list 1.00, invoiced 1.00, but its agencies' rows give no row"
q "DELETE FROM sales_day WHERE day = '1999-01-01'" 2>/dev/null
expect_eq "a kept row cannot be deleted" "$(q "SELECT count(*) FROM sales_day WHERE day = '1999-01-01'")" 1
q "DROP TRIGGER sales_day_no_delete; DELETE FROM sales_day WHERE day = '1999-01-01';
	DROP TRIGGER sales_agency_day_no_delete;
	DELETE FROM sales_agency_day WHERE contract_id = (SELECT id FROM contract WHERE number = '$C')
	AND day = '$DAY' AND agency_id = (SELECT min(agency_id) FROM sales_agency_day WHERE day = '$DAY'
	AND contract_id = (SELECT id FROM contract WHERE number = '$C'))"
cl verify
expect_fail "lines with no kept row: named, with what the lines give" 1 \
	"sales_agency_day for contract $C, agency"
expect_fail "... 'holds no row'" 1 "on $DAY holds no row, but the ledger's lines give"
