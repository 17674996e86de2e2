#!/usr/bin/env bash
# Run every test: the cmocka unit tests of core/ and the end-to-end tests
# that drive the real binary.  Prints one closing line:
#   tests: N passed, N failed
# and exits non-zero if anything failed.
set -u
BUILD=${BUILD:-build/rel}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export COOPLEDGER_BIN="$top/$BUILD/coopledger"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0 failed=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# The web UI and API in Node (node --test) with Debian's chromium, run
# beside the unit and end-to-end tests: every test has its own server on a
# free loopback port and its own temporary directory, and the browser
# tests mostly wait while the others mostly compute.
web_pid=
if [ -d tests/web ]; then
	# npm ci again whenever the lock file differs from the one installed.
	if ! cmp -s tests/web/package-lock.json tests/web/node_modules/.installed-lock.json; then
		(cd tests/web && npm ci --no-audit --no-fund >"$log/npm.out" 2>&1 &&
			cp package-lock.json node_modules/.installed-lock.json) ||
			{ echo "FAIL npm ci in tests/web"; cat "$log/npm.out"; failed=$((failed + 1)); }
	fi
	web_start=$SECONDS
	(
		cd tests/web && node --test --test-concurrency=1 >"$log/web.out" 2>&1
		echo $? >"$log/web.rc"
	) &
	web_pid=$!
fi

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	start=$SECONDS
	"$t" >"$log/$name.out" 2>&1
	rc=$?
	took=$((SECONDS - start))
	p=$(grep -o '\[  PASSED  \] [0-9]*' "$log/$name.out" | tail -1 | grep -o '[0-9]*$')
	f=$(grep -o '\[  FAILED  \] [0-9]*' "$log/$name.out" | tail -1 | grep -o '[0-9]*$')
	p=${p:-0} f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)) failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		echo "FAIL unit $name"; cat "$log/$name.out"
	else
		echo "ok   unit $name ($p tests, ${took} s)"
	fi
	grep -h '^mustache spec:' "$log/$name.out" | sed 's/^/     /' # the spec's pass count
done

for t in tests/e2e/test_*.sh; do
	name=$(basename "$t" .sh)
	start=$SECONDS
	bash "$t" >"$log/$name.out" 2>&1
	rc=$?
	took=$((SECONDS - start))
	p=$(grep -c '^ok ' "$log/$name.out")
	f=$(grep -c '^not ok ' "$log/$name.out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)) failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		echo "FAIL e2e  $name"; cat "$log/$name.out"
	else
		echo "ok   e2e  $name ($p checks, ${took} s)"
	fi
done

if [ -n "$web_pid" ]; then
	wait "$web_pid"
	rc=$(cat "$log/web.rc" 2>/dev/null || echo 1)
	took=$((SECONDS - web_start))
	p=$(sed -n 's/^# pass \([0-9]*\)/\1/p' "$log/web.out" | tail -1)
	f=$(sed -n 's/^# fail \([0-9]*\)/\1/p' "$log/web.out" | tail -1)
	p=${p:-0} f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)) failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		# Each failing test with the lines that say why, then the totals.
		echo "FAIL web  node --test"
		grep -v '^ *duration_ms' "$log/web.out" | awk '/^ *not ok /{n=60} n>0{print; n--}'
		tail -8 "$log/web.out"
	else
		echo "ok   web  node --test ($p tests, ${took} s)"
	fi
fi

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
