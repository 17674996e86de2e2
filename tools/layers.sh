#!/bin/sh
# The layers hold: every #include "x.h" of a product file names a header of
# its own layer or of a layer it may use, and SQL runs in core/ only (no
# sqlite3_ call and no call of core's SQL helpers db_int, db_text, db_exec,
# db_prepare, db_rows... anywhere else).  Prints each breach and exits 1.
#
#   cli      -> web reports mail core
#   web      -> reports mail template core
#   mail     -> template core
#   reports  -> core
#   template -> core
#   core     -> (nothing of the project)
#
# bench/ and tests/ are outside the layers: they measure and test them (the
# bench's floor is bare SQLite on purpose).
set -eu
cd "$(dirname "$0")/.."

allowed() {
	case $1 in
	cli) echo "cli web reports mail core" ;;
	web) echo "web reports mail template core" ;;
	mail) echo "mail template core" ;;
	reports) echo "reports core" ;;
	template) echo "template core" ;;
	core) echo "core" ;;
	esac
}

# the layer of header h: the folder that holds it ("core" for the
# generated embedded.h, which core/embedded.c fronts)
layer_of() {
	for d in core template reports mail web cli; do
		if [ -f "$d/$1" ]; then
			echo "$d"
			return
		fi
	done
	case $1 in embedded.h) echo core ;; *) echo unknown ;; esac
}

bad=0
for layer in core template reports mail web cli; do
	ok=$(allowed "$layer")
	for f in "$layer"/*.c "$layer"/*.h; do
		[ -f "$f" ] || continue
		for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
			to=$(layer_of "$h")
			case " $ok " in
			*" $to "*) ;;
			*)
				echo "$f: includes \"$h\" ($to): $layer may use only: $ok" >&2
				bad=1
				;;
			esac
		done
	done
	if [ "$layer" != core ]; then
		# a call, not a type: sqlite3_stmt *st is a name, sqlite3_step( a call;
		# and core's helpers that run SQL text (opening and closing the
		# database is fine).  The grep's own status tells: a pipeline's is
		# its last command's.
		calls=$(grep -nE '\b(sqlite3_[a-z0-9_]+|db_(int|text|exec|prepare|prepare_kept|rows|rows_on|bind_spec|finish|begin|commit))[[:space:]]*\(' \
			"$layer"/*.c "$layer"/*.h 2>/dev/null || true)
		if [ -n "$calls" ]; then
			printf '%s\n' "$calls" | sed "s|\$|: SQL belongs in core/|" >&2
			bad=1
		fi
	fi
done
[ "$bad" -eq 0 ] && echo "layers: every include and every SQLite call is where it belongs"
exit "$bad"
