#!/usr/bin/env bash
# End-to-end: an e-mail address that is not one is refused wherever the
# command line takes one (users, agencies, vendors), naming the field, and
# nothing is written.
. "$(dirname "$0")/lib.sh"
HOSTILE='"><script>alert(9)</script>@x.example'

cl init; expect_out "init" "schema version"
COOPLEDGER_PASSWORD=long-enough-pass cl user add --email "$HOSTILE" --role admin
expect_fail "user add refuses a hostile address" 1 'e-mail: '
expect_eq "no user written" "$(q "SELECT count(*) FROM app_user")" "0"
cl agency add --code USD001 --name "Test USD 1" --kind school_district --state KS --email "$HOSTILE"
expect_fail "agency add refuses a hostile address" 1 'agency e-mail: '
expect_eq "no agency written" "$(q "SELECT count(*) FROM agency")" "0"
cl vendor add --code V-T --name "Test Co" --email "$HOSTILE"
expect_fail "vendor add refuses a hostile address" 1 'vendor e-mail: '
expect_eq "no vendor written" "$(q "SELECT count(*) FROM vendor")" "0"
printf 'code,name,kind,state,email\nUSD002,Test USD 2,school_district,KS,a b@x.example\n' >"$WORK/ag.csv"
cl agency import "$WORK/ag.csv"
expect_fail "agency import refuses an address with a space" 1 'agency e-mail: '
cl vendor add --code V-T --name "Test Co" --email ar@vendor.example
expect_out "a good address is taken" "added vendor V-T"
COOPLEDGER_PASSWORD=long-enough-pass cl user add --email ok@x.example --role admin
expect_ok "a good user address is taken"
