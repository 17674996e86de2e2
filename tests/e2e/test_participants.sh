#!/usr/bin/env bash
# End-to-end: `participant add` checks what enrolling from the web page
# checks (a public agency that exists, joining within the term), and
# writes nothing it refuses.
. "$(dirname "$0")/lib.sh"
D="$DATA/cli"

cl init
cl agency import "$D/agencies.csv";  expect_out "agencies imported" "imported 5 agencies"
cl vendor add --code V-TEST --name "Test Furniture Co"
cl contract import "$D/terms.json";  expect_out "contract imported" "imported contract"
parts() { q "SELECT count(*) FROM participant"; }
audits() { q "SELECT count(*) FROM audit_log"; }
p0=$(parts) a0=$(audits)

cl participant add --contract KS-TEST-2025 --agency NP-ACME --joined 2025-09-01
expect_fail "a private agency is refused" 1 "agency NP-ACME is not a public entity"
cl participant add --contract KS-TEST-2025 --agency NOPE --joined 2025-09-01
expect_fail "an unknown agency is refused" 1 'no agency has the code "NOPE"'
cl participant add --contract KS-TEST-2025 --agency CITY-TOP --joined 2029-01-01
expect_fail "a date outside the term is refused, naming the agency" 1 \
	"agency CITY-TOP: joined 2029-01-01 is outside the contract term"
cl participant add --contract KS-NONE --agency CITY-TOP --joined 2025-09-01
expect_fail "an unknown contract is refused" 1 "KS-NONE"
expect_eq "nothing written by the refusals" "$(parts)/$(audits)" "$p0/$a0"

cl participant add --contract KS-TEST-2025 --agency CITY-TOP --joined 2025-09-01
expect_out "a public agency joins" "agency CITY-TOP joined contract KS-TEST-2025 on 2025-09-01"
expect_eq "its joining date is kept" \
	"$(q "SELECT joined FROM participant p JOIN agency a ON a.id = p.agency_id WHERE a.code = 'CITY-TOP'")" "2025-09-01"
expect_eq "one audit row" "$(q "SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")" "participant.add"
cl participant add --contract KS-TEST-2025 --agency CITY-TOP --joined 2025-09-02
expect_fail "twice is refused" 1 "already participates"
