#!/usr/bin/env bash
# End-to-end: vendors and their contacts from the command line, and a
# vendor's column mapping saved whole or not at all.
. "$(dirname "$0")/lib.sh"

cl init >/dev/null
cl vendor add --code V-ONE --name "One Furniture" --email ar@one.example
expect_out "vendor add" "added vendor V-ONE"
cl vendor rename --code V-ONE --name "One Furniture Inc."
expect_out "vendor rename" "is now One Furniture Inc."
cl vendor rename --code V-NONE --name X
expect_fail "rename of an unknown vendor" 1 'no vendor has the code "V-NONE"'

cl vendor contact add --vendor V-ONE --name "Pat" --email "pat@one" --role billing
expect_fail "a contact's e-mail is checked" 1 "e-mail"
cl vendor contact add --vendor V-ONE --name "Pat" --email pat@one.example --role billing --no-notices
expect_out "vendor contact add" "added contact"
ID=$(q "SELECT id FROM vendor_contact WHERE email = 'pat@one.example'")
cl vendor contact edit --vendor V-ONE --id "$ID" --name "Pat Lee" --email pat@one.example
expect_out "vendor contact edit" "changed contact $ID"
expect_eq "edit sets notices back on and the default role" \
	"$(q "SELECT name, role, receives_notices FROM vendor_contact WHERE id = $ID")" "Pat Lee|sales reporting|1"
cl vendor contact list --vendor V-ONE
expect_out "vendor contact list" "Pat Lee <pat@one.example>"
cl vendor contact remove --vendor V-ONE --id "$ID"
expect_out "vendor contact remove" "removed contact $ID"
cl vendor contact remove --vendor V-ONE --id "$ID"
expect_fail "a contact is removed once" 1 "has no contact $ID"
cl vendor list --json
expect_out "vendor list --json" '"contacts":	1'
expect_eq "every change is audited" \
	"$(q "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit_log WHERE entity = 'vendor' ORDER BY id)")" \
	"vendor.add vendor.rename vendor.contact_add vendor.contact_edit vendor.contact_remove"

cl vendor map --vendor V-ONE "Cust No=agency_code" "Acct=agency_code"
expect_fail "a column chosen twice saves nothing" 1 'agency_code is chosen for both "Cust No" and "Acct"'
expect_eq "nothing saved" "$(q 'SELECT count(*) FROM vendor_column_map')" "0"
cl vendor map --vendor V-ONE "Cust No=agency_code" "Inv #=invoice_number" "Sales Rep=ignore"
expect_out "vendor map saves the pairs" "inv_#"
cl vendor map --vendor V-ONE "Invoice Date=ignore"
expect_fail "a column's own name cannot be ignored" 1 "cannot be ignored"
cl vendor map --vendor V-ONE "Cust No=ignore"
expect_eq "ignore removes a mapping" "$(q "SELECT group_concat(header) FROM vendor_column_map")" "inv_#"
