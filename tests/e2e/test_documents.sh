#!/usr/bin/env bash
# End-to-end: contract documents (DOMAIN.md section 7) through the real
# server.  An admin attaches a public award PDF (the API) and a staff-only
# price list (the contract page's form); anyone downloads the public one,
# byte for byte, with its headers; the staff-only one is 404 to the
# anonymous, a member and a vendor and 200 to finance; a file of 20 MiB
# + 1 byte, a JPEG and an anonymous upload are refused and leave nothing.
#
# The PDFs are tests/data/documents/: award.pdf (729 bytes, SHA-256
# 278746ad…0cca) and price-list.pdf (711 bytes, 6ba3e7f4…05ae), from
# sha256sum.
. "$(dirname "$0")/lib.sh"
S="$DATA/import/setup"
D="$DATA/documents"
C=KS-TEST-2025
ASOF=2026-11-25
AWARD_SHA=278746ad9ad207c1e45325805c7ce1aace68a4212e8dea9f1c6539ebcddb0cca
PRICE_SHA=6ba3e7f4025f1ab190d3cf72bd848adef35f06ee9114c0867064f6f932ef05ae

cl --as-of $ASOF init >/dev/null
cl agency import "$S/agencies.csv"
cl vendor add --code V-TEST --name "Test Furniture Co" --email ar@vendor.test
cl contract import "$S/terms.json"
cl participant import --contract $C "$S/participants.csv"
expect_out "setup: participants" "imported 3 participants"
export COOPLEDGER_PASSWORD="documents test password"
cl user add --email admin@usd259.test --role admin
cl user add --email finance@usd259.test --role finance
cl user add --email buyer@usd233.test --role member --agency USD233
cl user add --email ar@vendor.test --role vendor --vendor V-TEST
expect_ok "setup: four users"

ready="$WORK/ready"
COOPLEDGER_OUTBOX_INTERVAL=0 "$BIN" --db "$DB" --as-of $ASOF serve --listen 127.0.0.1:0 \
	--ready-file "$ready" 2>"$WORK/serve.err" &
pid=$!
for i in $(seq 200); do [ -s "$ready" ] && break; sleep 0.05; done
url="http://$(cat "$ready" 2>/dev/null)"

token() {
	curl -s -H 'content-type: application/json' \
		-d "{\"email\": \"$1\", \"password\": \"$COOPLEDGER_PASSWORD\"}" "$url/api/v1/tokens" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])' 2>/dev/null
}
ADMIN=$(token admin@usd259.test)
FINANCE=$(token finance@usd259.test)
MEMBER=$(token buyer@usd233.test)
VENDOR=$(token ar@vendor.test)

# get WHO PATH: status of GET PATH (body in $WORK/body, headers in
# $WORK/headers); WHO is a token or "" for no sign-in.
get() {
	local auth=()
	[ -n "$1" ] && auth=(-H "authorization: Bearer $1")
	curl -s -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "${auth[@]}" "$url$2"
}
# header NAME: its value in the last answer's headers.
header() { grep -i "^$1:" "$WORK/headers" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
stored() { q "SELECT count(*) FROM contract_document"; }
files() { find "$DB.documents" -type f 2>/dev/null | wc -l; }

# ---- the award, public, through the API ----
RC=$(curl -s -o "$WORK/answer" -w '%{http_code}' -H "authorization: Bearer $ADMIN" \
	-H 'content-type: application/pdf' --data-binary "@$D/award.pdf" \
	"$url/api/v1/contracts/$C/documents?kind=award&title=Award%20of%20KS-TEST-2025&public=1&filename=award.pdf")
OUT=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["id"], d["kind"], d["size"], d["sha256"], d["public"], d["href"])' "$WORK/answer" 2>&1)
expect_eq "the API takes a public award PDF (status $RC)" "$RC $OUT" \
	"201 1 award 729 $AWARD_SHA True /contracts/$C/documents/1/award.pdf"

# ---- the price list, staff only, through the contract page's form ----
curl -s -c "$WORK/jar" -o /dev/null -d "email=admin%40usd259.test&password=documents+test+password" "$url/login"
curl -s -b "$WORK/jar" -o "$WORK/page" "$url/contracts/$C"
csrf=$(grep -o 'name="csrf" value="[^"]*"' "$WORK/page" | head -1 | sed 's/.*value="//; s/"$//')
RC=$(curl -s -b "$WORK/jar" -o /dev/null -w '%{http_code}' -F "csrf=$csrf" -F kind=price_list \
	-F "title=Price list 2026" -F "file=@$D/price-list.pdf;type=application/pdf" "$url/contracts/$C/documents")
expect_eq "the form takes a staff-only price list (a redirect back)" "$RC" 303
expect_eq "two documents kept, by SHA-256, staff only and public as asked" \
	"$(q "SELECT group_concat(id || ':' || kind || ':' || public || ':' || sha256, ' ') FROM contract_document")" \
	"1:award:1:$AWARD_SHA 2:price_list:0:$PRICE_SHA"
expect_eq "each file once under the data directory, named by its SHA-256" \
	"$(cd "$DB.documents" && ls | tr '\n' ' ')" "$AWARD_SHA.pdf $PRICE_SHA.pdf "
expect_eq "the audit log holds both SHA-256s" \
	"$(q "SELECT group_concat(json_extract(after, '\$.sha256'), ' ') FROM audit_log WHERE action = 'document.add'")" \
	"$AWARD_SHA $PRICE_SHA"

# ---- the public award: anyone, the same bytes, the headers ----
RC=$(get "" "/contracts/$C/documents/1/award.pdf")
expect_eq "anonymous download of the public award: 200, the same bytes" \
	"$RC $(sha256sum <"$WORK/body" | cut -d' ' -f1)" "200 $AWARD_SHA"
expect_eq "its headers" \
	"$(header content-type)|$(header content-disposition)|$(header etag)|$(header cache-control)|$(header x-content-type-options)" \
	"application/pdf|inline; filename=\"award.pdf\"|\"$AWARD_SHA\"|public, max-age=86400|nosniff"
if qpdf --check "$WORK/body" >"$WORK/qpdf" 2>&1; then ok "qpdf --check passes on the download"; else
	OUT=$(cat "$WORK/qpdf"); RC=1; not_ok "qpdf --check passes on the download"; fi
RC=$(curl -s -o /dev/null -w '%{http_code}' -H "if-none-match: \"$AWARD_SHA\"" "$url/contracts/$C/documents/1/award.pdf")
expect_eq "a reader holding those bytes gets 304" "$RC" 304
expect_eq "another file name in the link is 404" "$(get "" "/contracts/$C/documents/1/other.pdf")" 404
expect_eq "another contract's number in the link is 404" "$(get "" "/contracts/KS-NOPE/documents/1/award.pdf")" 404

# ---- the staff-only price list ----
expect_eq "the price list keeps the name it was sent with" \
	"$(q "SELECT file_name FROM contract_document WHERE id = 2")" "price-list.pdf"
P="/contracts/$C/documents/2/price-list.pdf"
expect_eq "staff-only: 404 to the anonymous, a member and a vendor" \
	"$(get "" "$P") $(get "$MEMBER" "$P") $(get "$VENDOR" "$P")" "404 404 404"
RC=$(get "$FINANCE" "$P")
expect_eq "staff-only: 200 to finance, the same bytes, never cached" \
	"$RC $(sha256sum <"$WORK/body" | cut -d' ' -f1) $(header cache-control)" "200 $PRICE_SHA private, no-store"

# ---- the lists ----
curl -s -c "$WORK/mjar" -o /dev/null -d "email=buyer%40usd233.test&password=documents+test+password" "$url/login"
curl -s -b "$WORK/mjar" -o "$WORK/mpage" "$url/contracts/$C"
expect_eq "a member's contract page links the public award (PDF, 729 bytes), not the price list" \
	"$(grep -o -e "<a href=\"/contracts/$C/documents/1/award.pdf\">Award of KS-TEST-2025</a> <span class=\"muted\">(award, PDF, 729 bytes)" -e 'Price list 2026' -e 'price-list.pdf' "$WORK/mpage" | wc -l)" 1
RC=$(get "" "/api/v1/contracts/$C/documents")
expect_eq "the API list for anyone: the public award alone" \
	"$RC $(python3 -c 'import json,sys; print([d["title"] for d in json.load(open(sys.argv[1]))["documents"]])' "$WORK/body")" \
	"200 ['Award of KS-TEST-2025']"
if grep -q "Price list 2026" "$WORK/body"; then not_ok "the staff-only title stays out of the public list"; else ok "the staff-only title stays out of the public list"; fi
# The public catalog page and its JSON, without signing in: the award, never
# the staff-only price list's title or file.
curl -s -o "$WORK/cpage" "$url/catalog/$C"
expect_eq "the catalog page lists the public award (PDF, 729 bytes), not the price list" \
	"$(grep -o -e "<a href=\"/contracts/$C/documents/1/award.pdf\">Award of KS-TEST-2025</a> <span class=\"muted\">(award, PDF, 729 bytes)" -e 'Price list 2026' -e 'price-list.pdf' "$WORK/cpage" | wc -l)" 1
RC=$(get "" "/api/v1/catalog/$C")
expect_eq "the catalog JSON lists the public award alone" \
	"$RC $(python3 -c 'import json,sys; print([d["title"] for d in json.load(open(sys.argv[1]))["documents"]])' "$WORK/body")" \
	"200 ['Award of KS-TEST-2025']"
if grep -q -e "Price list 2026" -e "price-list.pdf" "$WORK/body"; then not_ok "the catalog JSON keeps the staff-only document out"; else ok "the catalog JSON keeps the staff-only document out"; fi
RC=$(get "$FINANCE" "/api/v1/contracts/$C/documents")
expect_eq "the API list for finance: both" \
	"$RC $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["documents"]))' "$WORK/body")" "200 2"
curl -s -b "$WORK/jar" -o "$WORK/page" "$url/contracts/$C"
expect_eq "the contract page lists both with their links, kind and who may read them" \
	"$(grep -o -e "href=\"/contracts/$C/documents/1/award.pdf\"" -e "href=\"$P\"" -e '<td>price list</td>' -e '<td>staff only' -e "<code title=\"$AWARD_SHA\">278746ad9ad2</code>" "$WORK/page" | wc -l)" 5

# ---- refusals leave nothing ----
{ cat "$D/award.pdf"; head -c 20971521 /dev/zero; } | head -c 20971521 >"$WORK/big.pdf"
RC=$(curl -s -o "$WORK/answer" -w '%{http_code}' -H "authorization: Bearer $ADMIN" \
	-H 'content-type: application/pdf' --data-binary "@$WORK/big.pdf" \
	"$url/api/v1/contracts/$C/documents?kind=other&title=Too%20big")
expect_eq "20 MiB + 1 byte through the API: 413 with what the limit is" \
	"$RC $(grep -c 'larger than 20 MiB (20971521 bytes); a document may be at most 20971520 bytes' "$WORK/answer")" "413 1"
RC=$(curl -s -b "$WORK/jar" -o "$WORK/answer" -w '%{http_code}' -F "csrf=$csrf" -F kind=other \
	-F "title=Too big" -F "file=@$WORK/big.pdf;type=application/pdf" "$url/contracts/$C/documents")
expect_eq "20 MiB + 1 byte through the form: 413, the page says why" \
	"$RC $(grep -c 'larger than 20 MiB' "$WORK/answer")" "413 2"
printf '\377\330\377\340\000\020JFIF\000\001' >"$WORK/photo.jpg"
RC=$(curl -s -o "$WORK/answer" -w '%{http_code}' -H "authorization: Bearer $ADMIN" \
	-H 'content-type: application/pdf' --data-binary "@$WORK/photo.jpg" \
	"$url/api/v1/contracts/$C/documents?kind=other&title=Photo")
expect_eq "a JPEG: 400, not a PDF" "$RC $(grep -c 'not a PDF' "$WORK/answer")" "400 1"
RC=$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/pdf' \
	--data-binary "@$D/award.pdf" "$url/api/v1/contracts/$C/documents?kind=award&title=X")
expect_eq "an upload without sign-in: 401" "$RC" 401
RC=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $FINANCE" \
	-H 'content-type: application/pdf' --data-binary "@$D/award.pdf" \
	"$url/api/v1/contracts/$C/documents?kind=award&title=X")
expect_eq "finance does not add documents: 404" "$RC" 404
expect_eq "nothing stored by the refusals" "$(stored) $(files)" "2 2"

# ---- making the price list public ----
RC=$(curl -s -b "$WORK/jar" -o /dev/null -w '%{http_code}' -d "csrf=$csrf&public=1" \
	"$url/contracts/$C/documents/2/visibility")
expect_eq "the switch makes the price list public (a redirect back)" "$RC" 303
expect_eq "now anyone reads it" "$(get "" "$P") $(header cache-control)" "200 public, max-age=86400"
expect_eq "the change is audited" \
	"$(q "SELECT count(*) FROM audit_log WHERE action = 'document.visibility' AND entity_id = '2'")" 1

kill "$pid"; wait "$pid" 2>/dev/null
cl verify
expect_ok "the audit chain is intact"
ERR=$(cat "$WORK/serve.err")
if grep -qE 'runtime error:|AddressSanitizer|LeakSanitizer' <<<"$ERR"; then not_ok "server log clean"; else ok "server log clean"; fi
