#!/bin/sh
# The real wizard in tmux (132x43) against the harness's PostgreSQL servers,
# walked end to end on a real copy: the sample warehouse (small scale) on the
# source, an empty database on the destination.  Welcome, connections tested
# live, the source's databases with their sizes (the connection's ticked),
# the real checks and advice, the whitelist entry typed and recorded in
# the ledger, gpcopy skipped, the schema's pre-data applied, the review, the
# migration live (per-table panes with rates, captured while it runs), the
# post-data schema, validation, the business check's queries file run on
# both sides, rows written on the source after the copy found and backfilled
# under the copy's panes, ANALYZE, the opening confirmed closed, the
# summary; q restores the terminal.  Then the data is on the destination and
# the ledger has nothing open.  Then validate on the terminal shows its live
# pane and prints the batch report.  Prints TAP.
# GP2ADB_SMOKE_SCREENS=DIR: the captured migration and summary screens are
# copied there too.
set -u
: "${GP2ADB_BIN:?}" "${GP2ADB_TEST_DIR:?}" "${GP2ADB_TEST_SRC_PORT:?}" "${GP2ADB_TEST_DST_PORT:?}"
command -v tmux >/dev/null 2>&1 || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
here=$(cd "$(dirname "$0")" && pwd)
. "$here/harness/lib.sh"
psql=$(harness_pg_bindir)/psql
[ -x "$psql" ] || psql=psql

dir=$GP2ADB_TEST_DIR/ui-smoke
mkdir -p "$dir"
sql() { "$psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -p "$1" -d "$2" -c "$3"; }
sql "$GP2ADB_TEST_SRC_PORT" postgres "CREATE DATABASE warehouse" >/dev/null || exit 1
sql "$GP2ADB_TEST_DST_PORT" postgres "CREATE DATABASE warehouse" >/dev/null || exit 1
GP2ADB_DEMO_SCALE=${GP2ADB_SMOKE_SCALE:-0.3} "$here/harness/seed-warehouse" \
	"host=127.0.0.1 port=$GP2ADB_TEST_SRC_PORT user=postgres dbname=warehouse" >"$dir/seed.log" 2>&1 || {
	echo "Bail out! the sample warehouse could not be loaded: $(tail -n 3 "$dir/seed.log")"
	exit 1
}
# a table with an ever-increasing key, written again after the copy
sql "$GP2ADB_TEST_SRC_PORT" warehouse "CREATE TABLE public.smoke_events (id serial PRIMARY KEY, v text);
	INSERT INTO public.smoke_events (v) SELECT md5(g::text) FROM generate_series(1, 100) g" >/dev/null || exit 1
cat >"$dir/queries.sql" <<'SQL'
-- name: lineitem rows
SELECT count(*) FROM dw.lineitem;
-- name: event rows
SELECT count(*) FROM public.smoke_events;
SQL
conf=$dir/gp2adb.conf
cat >"$conf" <<CONF
source = { host = "127.0.0.1"; port = $GP2ADB_TEST_SRC_PORT; user = "postgres"; dbname = "warehouse"; };
destination = { host = "127.0.0.1"; port = $GP2ADB_TEST_DST_PORT; user = "postgres"; dbname = "warehouse"; };
state_dir = "$dir/state";
migration = { jobs = 3; split_threshold_mb = 1; business_queries = "$dir/queries.sql"; };
CONF
sock="gp2adb-smoke-$$"
tm() { tmux -L "$sock" "$@"; }
trap 'tm kill-server 2>/dev/null' EXIT INT TERM

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	tm capture-pane -p -t smoke 2>/dev/null | sed 's/^/# /'
}
screen() { tm capture-pane -p -t smoke; }
# Wait (bounded, polling) until the pane shows the text: up to $2 tenths of
# a second (default 300: a busy machine runs the checks slowly).
wait_for() {
	i=0
	while [ $i -lt "${2:-300}" ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# Wait (bounded) until the pane no longer shows the text, in three captures
# in a row: a capture taken while curses rewrites a line can miss it.
wait_gone() {
	i=0
	gone=0
	while [ $i -lt "${2:-300}" ]; do
		if screen | grep -qF -- "$1"; then
			gone=0
		else
			gone=$((gone + 1))
			[ $gone -ge 3 ] && return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# The walk's steps depend on each other: the first one missed ends the test.
check() {
	if wait_for "$2" "${3:-300}"; then
		ok "$1"
	else
		notok "$1"
		echo "Bail out! the walk stopped at: $1"
		exit 1
	fi
}
key() { tm send-keys -t smoke "$@"; }

echo "1..37"
tm new-session -d -s smoke -x 132 -y 43 \
	"env -i PATH=/usr/bin:/bin HOME=$dir TERM=xterm-256color LANG=C.UTF-8 PS1='smoke\$ ' sh"
wait_for 'smoke$' || true
key "$GP2ADB_BIN -c $conf; echo WIZARD-EXIT=\$?" Enter
if wait_for "1/16  Welcome"; then
	ok "the wizard opens on the welcome screen"
else
	notok "the wizard opens on the welcome screen"
	echo "Bail out! the wizard did not start"
	exit 1
fi
check "the access ledger (empty here) is read at the start" "No access openings are outstanding"
key Enter
check "Enter moves to the connections, prefilled from the config" "$GP2ADB_TEST_DST_PORT"
key t
if wait_for "Both connections work." && [ "$(screen | grep -o 'reachable: PostgreSQL 15' | wc -l)" -eq 2 ]; then
	ok "both connections are tested live: PostgreSQL 15 on each side"
else
	notok "both connections are tested live: PostgreSQL 15 on each side"
fi
key Enter
check "Next goes on to the source's databases" "3/16  Databases"
screen >"$dir/databases.txt"
if screen | grep -qE '\[x\] warehouse +[0-9.]+ [KMG]i?B'; then
	ok "the connection's own database is ticked, with its size"
else
	notok "the connection's own database is ticked, with its size"
fi
key Enter
check "Next goes on to the evaluation" "4/16  Evaluation"
check "the evaluation shows the real checks' findings" "checks: "
# Accept what fails (a on each failing finding), then Next.
i=0
while [ $i -lt 20 ] && screen | grep -qF "4/16  Evaluation"; do
	key Enter
	sleep 0.3
	if screen | grep -qF "neither resolved nor accepted"; then
		key Home
		j=0
		while [ $j -lt 40 ]; do key a Down; j=$((j + 1)); done
	fi
	i=$((i + 1))
done
check "the method screen shows the advisor's recommendation" "Recommended: gp2adb COPY engine"
key Enter
check "Next goes on to the whitelist warning" "6/16  Whitelist"
key e
key -l "127.0.0.1/32"
key Enter Enter
check "the typed entry is recorded and Next skips gpcopy for the engine method" "8/16  Schema"
if "$GP2ADB_BIN" -c "$conf" status 2>/dev/null | grep -q "access *1 OPEN"; then
	ok "the whitelist entry is in the ledger, open"
else
	notok "the whitelist entry is in the ledger, open"
fi
check "the schema step lists the source's objects, post-data after the copy" "after the copy (indexes, constraints)"
key a
check "a applies the pre-data section object by object" " objects: "
if wait_gone "applying..." 600 && screen | grep -qF " 0 failed, "; then
	ok "the pre-data section is applied without a failure"
else
	notok "the pre-data section is applied without a failure"
fi
screen >"$dir/schema.txt"
key Enter
check "the review says post-data comes after the copy" "post-data (indexes, FKs) after the copy"
key Enter
check "Next asks before starting the copy" "Start the copy now?"
key y
check "the migration screen opens" "10/16  Migration"
# Poll fast while the copy runs: a running table's line with a bar and a rate.
i=0
got=""
while [ $i -lt 600 ]; do
	s=$(screen)
	# a running table: its bar has started, and its rate line is not zero
	if echo "$s" | grep -qF "Running (" && echo "$s" | grep -E '^│ "' | grep -qE '(█|▏|▎|▍|▌|▋|▊|▉)' &&
		echo "$s" | grep -qE '^│ +[0-9.]+[kKM]? rows +[1-9][0-9.]* [KMG]?i?B/s'; then
		got=yes
		echo "$s" >"$dir/migration.txt"
		break
	fi
	echo "$s" | grep -qF "FINISHED" && break
	sleep 0.05
	i=$((i + 1))
done
if [ -n "$got" ]; then
	ok "while the copy runs, each running table has a pane with a progress bar and a rate"
else
	notok "while the copy runs, each running table has a pane with a progress bar and a rate"
fi
check "the copy finishes and the post-data schema is applied" "post-data schema applied: " 600
screen >"$dir/migration-finished.txt"
key Enter
check "validation compares every table" "11/16  Validation"
if wait_gone "comparing..." 600 && screen | grep -qE " [1-9][0-9]* match, 0 differ"; then
	ok "validation ends with no difference"
else
	notok "validation ends with no difference"
fi
wait_for "Enter next" 100 || true
key Enter
check "the business check runs the plan's queries file on both sides" "12/16  Business check"
check "both queries give the same results on both sides" "2 queries: 2 match, 0 differ, 0 failed"
screen >"$dir/bizcheck.txt"
sql "$GP2ADB_TEST_SRC_PORT" warehouse "INSERT INTO public.smoke_events (v) SELECT 'late' || g FROM generate_series(1, 25) g" >/dev/null
key Enter
check "the backfill step finds the rows written since the copy" "beyond id = 100"
screen >"$dir/backfill.txt"
key b
wait_for "(y/n)" 50 || true
key y
check "the backfill runs under the copy's panes and validates what it copied" "Backfilled " 600
screen >"$dir/backfill-done.txt"
src_ev=$(sql "$GP2ADB_TEST_SRC_PORT" warehouse "SELECT count(*) FROM public.smoke_events")
dst_ev=$(sql "$GP2ADB_TEST_DST_PORT" warehouse "SELECT count(*) FROM public.smoke_events" 2>&1)
if [ "$src_ev" = 125 ] && [ "$dst_ev" = 125 ] && screen | grep -qE "validated: ([0-9]+) of \1 match"; then
	ok "after the backfill both sides hold the 125 events"
else
	notok "after the backfill both sides hold the 125 events: source $src_ev, destination $dst_ev"
fi
key Enter
check "ANALYZE runs to the end" "tables analyzed"
i=0
while [ $i -lt 300 ] && ! screen | grep -qF "15/16  Access"; do
	key Enter
	sleep 0.2
	i=$((i + 1))
done
check "the access restoration lists the whitelist entry" "127.0.0.1/32"
key y
wait_for "(y/n)" 50 || true
key y
check "the opening is confirmed closed" "0 still open"
key Enter
check "the summary ends the walk" "16/16  Summary"
screen >"$dir/summary.txt"
key q
check "q leaves the wizard with the summary on the restored terminal" "WIZARD-EXIT=0"
out=$(screen)
if echo "$out" | grep -qF "WIZARD-EXIT=0" && ! echo "$out" | grep -qF "16/16  Summary" &&
	echo "$out" | tail -n 5 | grep -qF 'smoke$'; then
	ok "the terminal is restored: exit 0, shell prompt, no wizard screen"
else
	notok "the terminal is restored: exit 0, shell prompt, no wizard screen"
fi
src_rows=$(sql "$GP2ADB_TEST_SRC_PORT" warehouse "SELECT count(*) FROM dw.lineitem")
dst_rows=$(sql "$GP2ADB_TEST_DST_PORT" warehouse "SELECT count(*) FROM dw.lineitem" 2>&1)
fks=$(sql "$GP2ADB_TEST_DST_PORT" warehouse "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'dw' AND c.contype IN ('p', 'f')" 2>&1)
if [ "$src_rows" -gt 0 ] 2>/dev/null && [ "$src_rows" = "$dst_rows" ] && [ "$fks" -gt 0 ] 2>/dev/null; then
	ok "the destination holds dw.lineitem ($dst_rows rows) and the post-data keys ($fks)"
else
	notok "the destination holds dw.lineitem: source $src_rows, destination $dst_rows rows, keys $fks"
fi
if "$GP2ADB_BIN" -c "$conf" status 2>/dev/null | grep -q "access *none outstanding"; then
	ok "the ledger has no outstanding opening"
else
	notok "the ledger has no outstanding opening"
fi
if [ -n "${GP2ADB_SMOKE_SCREENS:-}" ]; then
	mkdir -p "$GP2ADB_SMOKE_SCREENS" && cp "$dir"/migration.txt "$dir"/migration-finished.txt "$dir"/summary.txt \
		"$dir"/schema.txt "$dir"/databases.txt "$dir"/bizcheck.txt "$dir"/backfill.txt "$dir"/backfill-done.txt \
		"$GP2ADB_SMOKE_SCREENS"/ 2>/dev/null
fi

# validate on the terminal: the live validation panes, then the batch report
key "clear; $GP2ADB_BIN -c $conf validate; echo VALIDATE-EXIT=\$?" Enter
check "validate on a terminal ends with the batch summary" "VALIDATE-EXIT=0"
if screen | grep -qF "report saved:" && ! screen | grep -qF "gp2adb  validate"; then
	ok "the report is printed on the restored terminal"
else
	notok "the report is printed on the restored terminal"
fi
