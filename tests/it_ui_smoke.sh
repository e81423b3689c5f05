#!/bin/sh
# The real wizard in tmux against the harness's PostgreSQL servers: welcome,
# connections tested live, then q + confirm, and the terminal is back to the
# shell with the summary printed.  Prints TAP.
# The Evaluation and Method screens show the real checks and advice; then
# validate on the terminal shows its live pane and prints the batch report.
# (When the COPY engine is wired in: walk on to the migration screen here,
# wait for "Running (", then for the summary.)
set -u
: "${GP2ADB_BIN:?}" "${GP2ADB_TEST_DIR:?}" "${GP2ADB_TEST_SRC_PORT:?}" "${GP2ADB_TEST_DST_PORT:?}"
command -v tmux >/dev/null 2>&1 || { echo "1..0 # SKIP tmux is not installed"; exit 0; }

dir=$GP2ADB_TEST_DIR/ui-smoke
mkdir -p "$dir"
conf=$dir/gp2adb.conf
cat >"$conf" <<CONF
source = { host = "127.0.0.1"; port = $GP2ADB_TEST_SRC_PORT; user = "postgres"; dbname = "postgres"; };
destination = { host = "127.0.0.1"; port = $GP2ADB_TEST_DST_PORT; user = "postgres"; dbname = "postgres"; };
state_dir = "$dir/state";
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
# Wait (bounded, polling) until the pane shows the text.
wait_for() {
	i=0
	while [ $i -lt 150 ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
check() { if wait_for "$2"; then ok "$1"; else notok "$1"; fi; }

echo "1..13"
tm new-session -d -s smoke -x 100 -y 30 \
	"env -i PATH=/usr/bin:/bin HOME=$dir TERM=xterm-256color LANG=C.UTF-8 PS1='smoke\$ ' sh"
wait_for 'smoke$' || true
tm send-keys -t smoke "$GP2ADB_BIN -c $conf; echo WIZARD-EXIT=\$?" Enter
check "the wizard opens on the welcome screen" "1/13  Welcome"
check "the access ledger (empty here) is read at the start" "No access openings are outstanding"
tm send-keys -t smoke Enter
check "Enter moves to the connections, prefilled from the config" "$GP2ADB_TEST_DST_PORT"
tm send-keys -t smoke t
if wait_for "Both connections work." && [ "$(screen | grep -o 'reachable: PostgreSQL 15' | wc -l)" -eq 2 ]; then
	ok "both connections are tested live: PostgreSQL 15 on each side"
else
	notok "both connections are tested live: PostgreSQL 15 on each side"
fi
tm send-keys -t smoke Enter
check "Next goes on to the evaluation" "3/13  Evaluation"
check "the evaluation shows the real checks' findings" "checks: "
if screen | grep -qE "ok +Source version" && screen | grep -qF "PostgreSQL 15."; then ok "each finding is listed, the selected one in detail"; else notok "each finding is listed, the selected one in detail"; fi
tm send-keys -t smoke Enter
check "the method screen shows the advisor's recommendation" "Recommended: gp2adb COPY engine"
tm send-keys -t smoke q
check "q asks before quitting" "Quit the wizard? (y/n)"
tm send-keys -t smoke y
check "the wizard exits as interrupted (resumable)" "WIZARD-EXIT=130"
out=$(screen)
if echo "$out" | grep -qF "Migration NOT finished" && ! echo "$out" | grep -qF "3/13  Evaluation" &&
	echo "$out" | tail -n 5 | grep -qF 'smoke$'; then
	ok "the terminal is restored: summary and shell prompt, no wizard screen"
else
	notok "the terminal is restored: summary and shell prompt, no wizard screen"
fi

# validate on the terminal: the live validation panes, then the batch report
tm send-keys -t smoke "clear; $GP2ADB_BIN -c $conf validate; echo VALIDATE-EXIT=\$?" Enter
check "validate on a terminal ends with the batch summary" "VALIDATE-EXIT=0"
if screen | grep -qF "report saved:" && ! screen | grep -qF "gp2adb  validate"; then
	ok "the report is printed on the restored terminal"
else
	notok "the report is printed on the restored terminal"
fi
