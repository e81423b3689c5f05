#!/bin/sh
# The real wizard in tmux (132x43) with the gpcopy method, on real Greenplum 6
# clusters (GP2ADB_TEST_GPHOME: tests/harness/gp makes a source and a
# destination, two primaries each) and the sshd test hosts (127.0.0.2 is the
# master).  gpcopy itself cannot run here: the stand-in tarball
# (tests/harness/gpcopy-standin as "gpcopy") sits in the operator's home,
# where the gpcopy screen finds it.  The walk: the method chosen, the
# tarball found and checked, installed over SSH, the review showing gpcopy's
# command with the password masked, the migration's panes filled from
# gpcopy's log (one table fails on a destination CHECK), the summary with
# gpcopy's retry command; then the rows on the destination.  Prints TAP.
# GP2ADB_SMOKE_SCREENS=DIR: the captured screens are copied there too.
set -u
: "${GP2ADB_BIN:?}" "${GP2ADB_TEST_DIR:?}" "${GP2ADB_TEST_SSH_DIR:?}" "${GP2ADB_TEST_SSH_PORT:?}"
[ -n "${GP2ADB_TEST_GPHOME:-}" ] || { echo "1..0 # SKIP GP2ADB_TEST_GPHOME is not set (a real Greenplum 6)"; exit 0; }
command -v tmux >/dev/null 2>&1 || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
here=$(cd "$(dirname "$0")" && pwd)
gp=$here/harness/gp
dir=$GP2ADB_TEST_DIR/ui-gpcopy
home=$dir/home
mkdir -p "$home"
chmod 755 "$GP2ADB_TEST_DIR" "$dir"
sock="gp2adb-gpcopy-$$"
tm() { tmux -L "$sock" "$@"; }
cleanup() {
	tm kill-server 2>/dev/null
	"$gp" destroy "$dir" src >/dev/null 2>&1
	"$gp" destroy "$dir" dst >/dev/null 2>&1
}
trap cleanup EXIT INT TERM

sport=$("$gp" init "$dir" src 2) && dport=$("$gp" init "$dir" dst 2) || {
	echo "Bail out! the Greenplum clusters could not be started"
	exit 1
}
psql=$GP2ADB_TEST_GPHOME/bin/psql
sql() { "$psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -p "$1" -d "$2" -c "$3"; }
for p in "$sport" "$dport"; do
	sql "$p" postgres "CREATE DATABASE shop" >/dev/null || exit 1
	sql "$p" shop "CREATE TABLE orders (id int, amount numeric(12,2), note text) DISTRIBUTED BY (id)" || exit 1
	sql "$p" shop "CREATE TABLE customers (id int, name text) DISTRIBUTED BY (id)" || exit 1
	sql "$p" shop "CREATE TABLE returns (id int, qty smallint) DISTRIBUTED BY (id)" || exit 1
done
sql "$sport" shop "INSERT INTO orders SELECT g, g * 1.25, 'order ' || g FROM generate_series(1, 400000) g" &&
	sql "$sport" shop "INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 5000) g" &&
	sql "$sport" shop "INSERT INTO returns VALUES (1, 2), (2, 500)" || exit 1
# the destination refuses one of the rows: that table fails, the others go on
sql "$dport" shop "ALTER TABLE returns ADD CONSTRAINT returns_qty CHECK (qty < 100)" || exit 1

# the stand-in tarball, downloaded to the operator's home
mkdir -p "$dir/tb/gpcopy-2.3.2"
cp "$here/harness/gpcopy-standin" "$dir/tb/gpcopy-2.3.2/gpcopy"
printf '#!/bin/sh\necho "gpcopy_helper version 2.3.2 (stand-in)"\n' >"$dir/tb/gpcopy-2.3.2/gpcopy_helper"
tar -czf "$home/gpcopy-2.3.2.tar.gz" -C "$dir/tb" gpcopy-2.3.2
# the master's $GPHOME has Greenplum's psql, pg_dump and greenplum_path.sh
ln -sf "$GP2ADB_TEST_GPHOME/bin/psql" "$GP2ADB_TEST_GPHOME/bin/pg_dump" \
	"$GP2ADB_TEST_SSH_DIR/hosts/127.0.0.2/gphome/bin/"
# (the test clusters listen on loopback, not on the master's default socket)
echo 'PGHOST=127.0.0.1; export PGHOST' >"$GP2ADB_TEST_SSH_DIR/hosts/127.0.0.2/gphome/greenplum_path.sh"
conf=$dir/gp2adb.conf
cat >"$conf" <<CONF
source = { host = "127.0.0.1"; port = $sport; user = "postgres"; dbname = "shop"; };
destination = { host = "127.0.0.1"; port = $dport; user = "postgres"; dbname = "shop"; };
state_dir = "$dir/state";
network = { source_reaches_destination = true; };
ssh = { master = "127.0.0.2"; user = "root"; port = $GP2ADB_TEST_SSH_PORT;
  identity = "$GP2ADB_TEST_SSH_DIR/client_key"; known_hosts = "$GP2ADB_TEST_SSH_DIR/known_hosts";
  segment_hosts = [ "127.0.0.3" ]; };
migration = { jobs = 2; };
CONF

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	tm capture-pane -p -t smoke 2>/dev/null | sed 's/^/# /'
}
screen() { tm capture-pane -p -t smoke; }
wait_for() {
	i=0
	while [ $i -lt "${2:-300}" ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
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

echo "1..15"
tm new-session -d -s smoke -x 132 -y 43 \
	"env -i PATH=$GP2ADB_TEST_GPHOME/bin:/usr/bin:/bin HOME=$home TERM=xterm-256color LANG=C.UTF-8 PS1='smoke\$ ' sh"
wait_for 'smoke$' || true
key "cd $home && $GP2ADB_BIN -c $conf; echo WIZARD-EXIT=\$?" Enter
check "the wizard opens" "1/13  Welcome"
key Enter
key t
check "both Greenplum connections work" "Both connections work." 600
key Enter
check "the evaluation runs the real checks" "checks: " 600
i=0
while [ $i -lt 20 ] && screen | grep -qF "3/13  Evaluation"; do
	key Enter
	sleep 0.3
	if screen | grep -qF "neither resolved nor accepted"; then
		key Home
		j=0
		while [ $j -lt 40 ]; do key a Down; j=$((j + 1)); done
	fi
	i=$((i + 1))
done
check "the method screen lists gpcopy" "4/13  Method"
key Down Space
check "gpcopy is chosen" "Method: gpcopy"
key Enter
check "the whitelist step" "5/13  Whitelist"
key e
key -l "127.0.0.1/32"
key Enter Enter
check "the gpcopy screen finds the tarball in the home directory and checks it" "gpcopy 2.3.2, holding gpcopy"
screen >"$dir/gpcopy-tarball.txt"
key s
check "s installs gpcopy on the master and the segment host" "2 hosts: 2 done, 0 failed" 600
screen >"$dir/gpcopy-install.txt"
key Enter
check "the schema step" "7/13  Schema"
key k Enter
check "the review shows gpcopy's command, the password masked" "PGPASSFILE=<0600 file, removed afterwards"
screen >"$dir/review.txt"
key Enter
wait_for "(y/n)" 50 || true
key y
check "the migration screen runs gpcopy" "9/13  Migration"
i=0
while [ $i -lt 600 ]; do
	s=$(screen)
	if echo "$s" | grep -qF "Running (" && echo "$s" | grep -qE '^│ "public"\."orders"'; then
		echo "$s" >"$dir/migration.txt"
		break
	fi
	echo "$s" | grep -qF "FINISHED" && break
	sleep 0.05
	i=$((i + 1))
done
check "gpcopy's log becomes the panes; it ends with one failed table" "1 failed" 1200
wait_for "FINISHED" 300 || true
sleep 1
screen >"$dir/migration-finished.txt"
i=0
while [ $i -lt 300 ] && ! screen | grep -qF "13/13  Summary"; do
	if screen | grep -qF "12/13  Access"; then
		key y
		wait_for "(y/n)" 50 || true
		key y
		sleep 0.3
	fi
	key Enter
	sleep 0.3
	i=$((i + 1))
done
check "the summary lists the failed table with gpcopy's retry command" "retry the failed tables: gpcopy --include-table"
screen >"$dir/summary.txt"
key q
check "the wizard ends" "WIZARD-EXIT=" 300
rows=$(sql "$dport" shop "SELECT (SELECT count(*) FROM orders) || ' ' || (SELECT count(*) FROM customers) || ' ' || (SELECT count(*) FROM returns)")
if [ "$rows" = "400000 5000 0" ]; then
	ok "the destination holds the rows gpcopy copied, and nothing of the failed table"
else
	notok "the destination holds the rows gpcopy copied: $rows"
fi
if [ -n "${GP2ADB_SMOKE_SCREENS:-}" ]; then
	mkdir -p "$GP2ADB_SMOKE_SCREENS" && cp "$dir"/*.txt "$GP2ADB_SMOKE_SCREENS"/ 2>/dev/null
fi
