# lib.sh — helpers for end-to-end tests of the real coopledger binary.
# Each check prints "ok - what" or "not ok - what" (with details).
set -u
BIN=${COOPLEDGER_BIN:?run through tests/run.sh or set COOPLEDGER_BIN}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DB="$WORK/test.db"
DATA="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/data"

# cl ARGS...: run coopledger on the test database; output in $OUT, $ERR, $RC.
cl() {
	"$BIN" --db "$DB" "$@" >"$WORK/out" 2>"$WORK/err"
	RC=$?
	OUT=$(cat "$WORK/out")
	ERR=$(cat "$WORK/err")
}

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	echo "#   exit $RC"
	echo "#   stdout: ${OUT:0:2000}"
	echo "#   stderr: ${ERR:0:2000}"
}

# expect_ok WHAT: the last command succeeded.
expect_ok() { if [ "$RC" -eq 0 ]; then ok "$1"; else not_ok "$1"; fi; }

# expect_fail WHAT CODE TEXT: the last command exited CODE with TEXT on stderr.
expect_fail() {
	if [ "$RC" -eq "$2" ] && grep -qF -- "$3" <<<"$ERR"; then ok "$1"; else not_ok "$1 (wanted exit $2 and: $3)"; fi
}

# expect_out WHAT TEXT: stdout holds TEXT.
expect_out() {
	if [ "$RC" -eq 0 ] && grep -qF -- "$2" <<<"$OUT"; then ok "$1"; else not_ok "$1 (wanted: $2)"; fi
}

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		echo "not ok - $1"; echo "#   got:  $2"; echo "#   want: $3"
	fi
}

# q SQL: one value from the test database.
q() { sqlite3 "$DB" "$1"; }

# setup_test_contract AS_OF: contract KS-TEST-2025 (tests/data/import/setup):
# the agencies, vendor V-TEST, the terms and the participants.
setup_test_contract() {
	local s="$DATA/import/setup"
	cl --as-of "$1" init >/dev/null
	cl agency import "$s/agencies.csv"
	cl vendor add --code V-TEST --name "Test Furniture Co" --email ar@vendor.test
	cl contract import "$s/terms.json"
	cl participant import --contract KS-TEST-2025 "$s/participants.csv"
}

# serve_start AS_OF [OPTION...]: the server on the test database on a free
# loopback port (no outbox sending), with any further serve options; sets
# URL and SERVE_PID, its log added to $WORK/serve.err.
serve_start() {
	rm -f "$WORK/ready"
	COOPLEDGER_OUTBOX_INTERVAL=0 "$BIN" --db "$DB" --as-of "$1" serve --listen 127.0.0.1:0 \
		--ready-file "$WORK/ready" "${@:2}" 2>>"$WORK/serve.err" &
	SERVE_PID=$!
	for i in $(seq 200); do [ -s "$WORK/ready" ] && break; sleep 0.05; done
	URL="http://$(cat "$WORK/ready")"
}

# api_token EMAIL: an API token of that user (password $COOPLEDGER_PASSWORD).
api_token() {
	curl -s -H 'content-type: application/json' \
		-d "{\"email\": \"$1\", \"password\": \"$COOPLEDGER_PASSWORD\"}" "$URL/api/v1/tokens" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
