#!/usr/bin/env bash
# End-to-end: users by invitation and deactivation on the command line.
# An invitation creates a user no password signs in and queues an e-mail
# whose set-password link (BASE/password?token=…) is made when it is sent:
# the .eml file has the link, the database only its SHA-256.
. "$(dirname "$0")/lib.sh"
MAIL="$WORK/mail"
export COOPLEDGER_MAIL_DIR="$MAIL" COOPLEDGER_BASE_URL="https://coop.usd259.example/"

cl init; expect_out "init" "schema version"
cl agency add --code USD233 --name "Olathe USD 233" --kind school_district --state KS
COOPLEDGER_PASSWORD=long-enough-pass cl user add --email boss@usd259.example --role admin
expect_ok "an admin to start with"

cl user invite --email fin@usd259.example
expect_fail "invite needs a role" 2 "needs --email and --role"
cl user invite --email m@usd233.example --role member
expect_fail "a member needs an agency" 1 "needs --agency"
cl user invite --email m@usd233.example --role member --agency USD999
expect_fail "an unknown agency is refused" 1 "USD999"
cl user invite --email boss@usd259.example --role finance
expect_fail "a taken address is refused" 1 "already exists"
expect_eq "refusals wrote no user and no notice" \
	"$(q "SELECT (SELECT count(*) FROM app_user) || '/' || (SELECT count(*) FROM outbox)")" "1/0"

cl user invite --email fin@usd259.example --role finance
expect_out "invite a finance user" "invited finance user fin@usd259.example"
cl user invite --email m@usd233.example --role member --agency USD233
expect_out "invite a member" "invited member user m@usd233.example"
expect_eq "invited users have no password" \
	"$(q "SELECT count(*) FROM app_user WHERE password_hash = ''")" "2"
expect_eq "two invitations queued" "$(q "SELECT count(*) FROM outbox WHERE kind = 'user_invite' AND state = 'queued'")" "2"
expect_eq "invitations are audited" "$(q "SELECT count(*) FROM audit_log WHERE action = 'user.invite'")" "2"
expect_eq "no link exists before the e-mail is made" "$(q "SELECT count(*) FROM password_token")" "0"

cl notices send;                  expect_out "the invitations are sent" "sent 2,"
eml=$(grep -l "To: fin@usd259.example" "$MAIL"/*.eml)
# the text part, decoded
text=$(python3 -c 'import email,sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print(next(p for p in m.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode())' "$eml")
link=$(grep -o 'https://coop.usd259.example/password?token=[A-Za-z0-9_-]*' <<<"$text")
token=${link#*token=}
expect_eq "the e-mail has a link under the base URL with a 43-character token" "${#token}" "43"
expect_eq "the token is not stored" "$(q "SELECT count(*) FROM password_token WHERE token_hash = '$token'")" "0"
expect_eq "its SHA-256 is" \
	"$(q "SELECT count(*) FROM password_token WHERE token_hash = '$(printf %s "$token" | sha256sum | cut -d' ' -f1)' AND purpose = 'invite' AND used_at IS NULL")" "1"
expect_eq "the link lasts 72 hours" "$(q "SELECT expires_at - created_at BETWEEN 259100 AND 259200 FROM password_token LIMIT 1")" "1"
expect_eq "the token is nowhere in the database" \
	"$(q "SELECT (SELECT count(*) FROM outbox WHERE instr(data_json, '$token')) + (SELECT count(*) FROM audit_log WHERE instr(coalesce(after, ''), '$token'))")" "0"

cl user deactivate --email fin@usd259.example --role finance
expect_fail "deactivate takes --email alone" 2 "takes --email alone"
cl user deactivate --email nobody@usd259.example
expect_fail "an unknown user" 1 "no user with the e-mail nobody@usd259.example"
cl user deactivate --email fin@usd259.example
expect_out "deactivate" "deactivated fin@usd259.example"
expect_eq "the user is disabled" "$(q "SELECT disabled FROM app_user WHERE email = 'fin@usd259.example'")" "1"
expect_eq "their link is used up" "$(q "SELECT count(*) FROM password_token t JOIN app_user u ON u.id = t.user_id WHERE u.email = 'fin@usd259.example' AND used_at IS NULL")" "0"
expect_eq "deactivation is audited" "$(q "SELECT actor FROM audit_log WHERE action = 'user.deactivate'")" "cli:${COOPLEDGER_ACTOR:-${USER:-operator}}"
cl user deactivate --email fin@usd259.example
expect_fail "twice is refused" 1 "deactivated already"
cl user deactivate --email boss@usd259.example
expect_fail "the last active admin stays" 1 "last active admin"
cl user --help;                   expect_out "user --help names invite and deactivate" "user deactivate --email E"
