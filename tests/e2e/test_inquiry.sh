#!/usr/bin/env bash
# End-to-end: completeness inquiries (DOMAIN.md 4.7) through `coopledger
# inquiry send`, delivered by `coopledger notices send` to a real SMTP
# server on loopback (aiosmtpd) and read back with Python's e-mail
# parser: subject, body figures and the CSV attachment.
#
# KS-TEST-2025 runs 2025-07-01 to 2028-06-30, fee 2% (all sales here are
# far below the 1.5% band); due 45 days after a quarter ends.  The vendor
# V-TEST has one contact, ar@vendor.test; the lead agency USD259's contact
# is purchasing@usd259.test.  Ledger (earlier.csv, 2025-Q3): USD259 PO-3000
# invoiced 60.00, USD497 PO-3001 invoiced 30.00.
#
# Registers and their statuses as of 2026-11-25 (worked by hand):
#   USD259  PO-3000 2025-07-15   60.00  reported 60.00 -> reported
#   USD497  PO-3001 2025-07-16   80.00  reported 30.00, tolerance
#           max(1.00, 0.40) = 1.00, 30 < 79 -> under_reported, gap 50.00,
#           fee at risk round(5000 x 2%) = 1.00
#   USD233  P-1     2025-09-01 1000.00  nothing -> unreported, gap 1000.00,
#           fee at risk 20.00
#   CNTY-SG P-3     2026-05-20  250.50  nothing; pending until the due date
#           of 2026-Q3, 2026-11-14, passed -> unreported, gap 250.50, fee
#           at risk round(25050 x 2%) = 501 cents = 5.01
#   USD233  P-4     2026-08-10   99.99  pending until 2027-02-14 (2026-Q4's
#           due date): never asked about yet
# Inquiry 2026-Q1: PO-3001 and P-1 (by PO date), 2 POs, gap 1050.00, fee at
# risk 21.00.  Inquiry 2026-Q2 (next day): + P-3, 3 POs, gap 1300.50, fee
# at risk 26.01.
. "$(dirname "$0")/lib.sh"
S="$DATA/import/setup"
C=KS-TEST-2025
ASOF=2026-11-25

setup_test_contract $ASOF
cl --as-of $ASOF import --contract $C --period 2025-Q3 "$S/earlier.csv"
expect_out "setup: a sales report for 2025-Q3" "imported batch 1"

# ---- nothing to ask about yet ----
audits() { q "SELECT count(*) FROM audit_log"; }
A0=$(audits)
cl --as-of $ASOF inquiry send --contract $C --period 2026-Q1
expect_fail "no registers: nothing to ask" 1 \
	"no unreported or under-reported purchase orders dated 2026-Q1 or earlier"

cat >"$WORK/reg.csv" <<'CSV'
agency_code,po_number,po_date,amount
USD259,PO-3000,2025-07-15,60.00
USD497,PO-3001,2025-07-16,80.00
USD233,P-1,2025-09-01,1000.00
CNTY-SG,P-3,2026-05-20,250.50
USD233,P-4,2026-08-10,99.99
CSV
cl --as-of $ASOF register import --contract $C "$WORK/reg.csv"
expect_out "setup: five register POs" "imported register batch 1"
A1=$(audits)

# ---- refusals write nothing ----
cl --as-of $ASOF inquiry send --contract $C --period 2028-Q3
expect_fail "a quarter after the term: refused" 1 \
	"quarter 2028-Q3 is outside the term of contract KS-TEST-2025 (2025-07-01 to 2028-06-30)"
cl --as-of $ASOF inquiry send --contract NOPE --period 2026-Q1
expect_fail "an unknown contract: refused" 1 "no contract numbered NOPE"
cl --as-of $ASOF inquiry send --contract $C --period 2026-Q5
expect_fail "a malformed quarter: refused naming --period" 1 "--period"
cl --as-of $ASOF inquiry send --contract $C
expect_fail "no --period: usage" 2 "inquiry send needs --contract and --period"
expect_eq "refusals: no inquiry, notice or audit row" \
	"$(q "SELECT (SELECT count(*) FROM inquiry), (SELECT count(*) FROM outbox), (SELECT count(*) FROM audit_log) - $A1")" "0|0|0"

# ---- 2026-Q1 ----
cl --as-of $ASOF inquiry send --contract $C --period 2026-Q1
expect_out "2026-Q1: queued" "inquiry 1 queued for vendor V-TEST: contract KS-TEST-2025, 2026-Q1 and earlier"
expect_out "2026-Q1: two POs, 1,050.00 missing, 21.00 at risk" \
	"2 purchase orders, \$1,050.00 missing from the reports, fee at risk \$21.00 (an estimate)"
expect_out "2026-Q1: one notice with its CSV" "1 notice queued with inquiry-KS-TEST-2025-2026-Q1.csv"
expect_eq "2026-Q1: the inquiry row" \
	"$(q "SELECT quarter, sent_on, po_count, gap, fee_at_risk, notices, actor LIKE 'cli:_%' FROM inquiry")" \
	"2026-Q1|2026-11-25|2|105000|2100|1|1"
expect_eq "2026-Q1: its POs in order" \
	"$(q "SELECT group_concat(po_number, ' ') FROM (SELECT po_number FROM inquiry_po ORDER BY seq)")" \
	"PO-3001 P-1"
expect_eq "2026-Q1: one notice to the vendor's contact" \
	"$(q "SELECT kind, recipient, contract, period, vendor FROM outbox")" \
	"completeness_inquiry|ar@vendor.test|KS-TEST-2025|2026-Q1, 2026-11-25|V-TEST"
expect_eq "2026-Q1: audited" \
	"$(q "SELECT action, entity, entity_id, json_extract(after, '\$.gap'), json_extract(after, '\$.po_count') FROM audit_log ORDER BY id DESC LIMIT 1")" \
	"inquiry.send|inquiry|1|1050.00|2"
cl verify
expect_ok "the audit chain holds"

# ---- the same quarter again today: refused; tomorrow: allowed ----
A2=$(audits)
cl --as-of $ASOF inquiry send --contract $C --period 2026-Q1
expect_fail "2026-Q1 twice the same day: refused naming the day" 1 \
	"the 2026-Q1 inquiry of contract KS-TEST-2025 was already sent today (2026-11-25)"
expect_eq "the refusal wrote nothing" \
	"$(q "SELECT (SELECT count(*) FROM inquiry), (SELECT count(*) FROM outbox), (SELECT count(*) FROM audit_log) - $A2")" "1|1|0"
cl --as-of 2026-11-26 inquiry send --contract $C --period 2026-Q2
expect_out "2026-Q2 the next day: three POs, 1,300.50, 26.01" \
	"3 purchase orders, \$1,300.50 missing from the reports, fee at risk \$26.01 (an estimate)"
cl inquiry list --contract $C
expect_out "inquiry list: the newest first" "2026-Q2"

# ---- delivery to a real SMTP server ----
# aiosmtpd (Debian's python3-aiosmtpd) keeps what it receives in a Maildir,
# each message with its envelope in X-MailFrom and X-RcptTo.
SINK="$WORK/sink"
PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$PORT" -c aiosmtpd.handlers.Mailbox "$SINK" &
SINK_PID=$!
for _ in $(seq 100); do
	/usr/bin/python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$PORT" 2>/dev/null && break
	sleep 0.1
done
COOPLEDGER_SMTP_URL="smtp://127.0.0.1:$PORT?starttls=none" COOPLEDGER_MAIL_FROM=notices@usd259.test \
	cl --as-of 2026-11-26 notices send
expect_out "notices send: both inquiries delivered" "sent 2, to retry 0, dead 0"
kill "$SINK_PID" 2>/dev/null
wait "$SINK_PID" 2>/dev/null

# mail N EXPR: a value of the received message whose subject names
# 2026-QN (Python's e-mail parser over the Maildir).
mail() {
	/usr/bin/python3 - "$SINK" "$1" "$2" <<'PY'
import email.policy, mailbox, sys
box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
found = [box.get_bytes(k) for k in box.keys()]
found = [email.message_from_bytes(b, policy=email.policy.default) for b in found]
m, = [x for x in found if ", 2026-Q%s and earlier" % sys.argv[2] in x["subject"]]
text = m.get_body(("plain",)).get_content()
flat = " ".join(text.split())  # the text with its line breaks as spaces
html = m.get_body(("html",)).get_content()
att = [p for p in m.iter_attachments()]
print(eval(sys.argv[3]))
PY
}
expect_eq "two messages received" "$(ls "$SINK/new" | wc -l)" "2"
expect_eq "message 1: to the vendor's contact" "$(mail 1 'm["X-RcptTo"]')" "ar@vendor.test"
expect_eq "message 1: the subject names contract and quarter" "$(mail 1 'm["subject"]')" \
	"Please check: KS-TEST-2025 purchase orders missing from your sales reports, 2026-Q1 and earlier"
expect_eq "message 1: the count and total in the text" \
	"$(mail 1 '"2 purchase orders dated 2026-Q1 or earlier, $1,050.00 in all, are missing" in flat')" "True"
expect_eq "message 1: the fee at risk" "$(mail 1 '"about $21.00 (an estimate)" in text')" "True"
expect_eq "message 1: each PO in the text" \
	"$(mail 1 '"- 2025-07-16  USD497 Lawrence, USD 497, PO PO-3001: recorded $80.00, reported $30.00, missing $50.00 (under-reported)" in text and "- 2025-09-01  USD233 Olathe USD 233, PO P-1: recorded $1,000.00, reported $0.00, missing $1,000.00 (not reported)" in text')" "True"
expect_eq "message 1: what to do and whom to ask" \
	"$(mail 1 '"send a supplemental sales report" in text and "purchasing@usd259.test" in text')" "True"
expect_eq "message 1: the HTML part has the table" \
	"$(mail 1 '"<td style=\"padding: 2px 8px;\">PO-3001</td>" in html and "$1,050.00" in html')" "True"
expect_eq "message 1: one CSV attachment, named" \
	"$(mail 1 '[(p.get_content_type(), p.get_filename()) for p in att]')" \
	"[('text/csv', 'inquiry-KS-TEST-2025-2026-Q1.csv')]"
# the CSV, worked out by hand from the registers above (CRLF line ends)
WANT=$'agency_code,agency_name,po_number,po_date,register_amount,reported_amount,status,gap,fee_at_risk\r\nUSD497,"Lawrence, USD 497",PO-3001,2025-07-16,80.00,30.00,under_reported,50.00,1.00\r\nUSD233,Olathe USD 233,P-1,2025-09-01,1000.00,0.00,unreported,1000.00,20.00\r\n'
GOT=$(mail 1 'repr(att[0].get_payload(decode=True).decode())')
expect_eq "message 1: the CSV attachment, byte for byte" "$GOT" "$(python3 -c 'import sys; print(repr(sys.argv[1]))' "$WANT")"
expect_eq "message 2: the 2026-Q2 inquiry" "$(mail 2 'm["subject"]')" \
	"Please check: KS-TEST-2025 purchase orders missing from your sales reports, 2026-Q2 and earlier"
expect_eq "message 2: three POs, P-3 last" \
	"$(mail 2 '(len(att[0].get_payload(decode=True).decode().splitlines()), att[0].get_payload(decode=True).decode().splitlines()[-1])')" \
	"(4, 'CNTY-SG,Sedgwick County,P-3,2026-05-20,250.50,0.00,unreported,250.50,5.01')"
