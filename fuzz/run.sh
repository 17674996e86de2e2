#!/usr/bin/env bash
# Run the fuzzers (make fuzz, make fuzz-repro).
#
#   fuzz/run.sh SECONDS TARGET...   run each target in turn for SECONDS with
#                                   its corpus and dictionary; one line per
#                                   target and a closing table (also in
#                                   $FUZZ/last-run.txt); exits 1 when a
#                                   target crashed, naming the input
#   fuzz/run.sh --repro TARGET FILE run TARGET's harness on FILE once
#   fuzz/run.sh --target-of FILE    the target a crash, corpus, seed or
#                                   regression file belongs to
set -u
FUZZ=${FUZZ:-build/fuzz}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

known() {
	[ -f "fuzz/fuzz_$1.c" ]
}

target_of() {
	local f=$1 t=""
	case "$f" in
	*/crashes/*/* | */corpus/*/*) t=$(basename "$(dirname "$f")") ;;
	*/seeds/*/*) t=$(basename "$(dirname "$f")") ;;
	*/regress/*) t=$(basename "$f"); t=${t%%-*} ;;
	esac
	if [ -z "$t" ] || ! known "$t"; then
		echo "fuzz: cannot tell the target of $f; give TARGET=name" >&2
		return 1
	fi
	echo "$t"
}

repro() {
	local t=$1 f=$2
	known "$t" || { echo "fuzz: no target $t" >&2; exit 2; }
	[ -f "$f" ] || { echo "fuzz: no file $f" >&2; exit 2; }
	echo "$FUZZ/bin/fuzz_$t $f"
	exec "$FUZZ/bin/fuzz_$t" -rss_limit_mb=2048 -timeout=10 "$f"
}

# "1234567" -> "1,234,567"
commas() {
	printf "%s" "$1" | rev | sed 's/[0-9]\{3\}/&,/g; s/,$//' | rev
}

case "${1:-}" in
--target-of) target_of "$2"; exit ;;
--repro) repro "$2" "$3" ;;
esac

seconds=$1
shift
mkdir -p "$FUZZ/logs"
summary="$FUZZ/last-run.txt"
rows=()
crashed=()
for t in "$@"; do
	known "$t" || { echo "fuzz: no target $t" >&2; exit 2; }
	corpus="$FUZZ/corpus/$t"
	arts="$FUZZ/crashes/$t"
	log="$FUZZ/logs/$t.log"
	mkdir -p "$corpus" "$arts"
	dict=()
	[ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
	start=$(date +%s)
	"$FUZZ/bin/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$arts/" "${dict[@]}" "$corpus" >"$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
	[ -n "$execs" ] || execs=$(printf "%s" "$last" | sed -n 's/^#\([0-9]*\).*/\1/p')
	cov=$(printf "%s" "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(printf "%s" "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(printf "%s" "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p')
	files=$(find "$corpus" -type f ! -name '.*' | wc -l)
	status=ok
	if [ "$rc" -ne 0 ]; then
		status=CRASH
		art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | grep -v 'slow-unit' | tail -1)
		crashed+=("$t|${art:-?}|$log")
	fi
	echo "fuzz: $t: $took s, $(commas "${execs:-0}") executions, cov ${cov:-?}, ft ${ft:-?}," \
		"corpus ${corp:-?} ($files files), $status"
	rows+=("$(printf "%-10s %6s %14s %7s %8s %13s %7s  %s" "$t" "$took" \
		"$(commas "${execs:-0}")" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$files" "$status")")
done

echo
{
	printf "%-10s %6s %14s %7s %8s %13s %7s  %s\n" target seconds executions cov ft \
		"corpus(mem)" files status
	for r in "${rows[@]}"; do echo "$r"; done
} | tee "$summary"

if [ ${#crashed[@]} -gt 0 ]; then
	echo
	for c in "${crashed[@]}"; do
		IFS='|' read -r t art log <<<"$c"
		echo "fuzz: $t crashed: $art"
		grep -m1 -E '^==[0-9]+==ERROR|runtime error|property failed|^SUMMARY' "$log" | sed 's/^/  /'
		echo "  log: $log"
		echo "  reproduce: make fuzz-repro FILE=$art"
	done
	exit 1
fi
