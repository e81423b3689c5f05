# tests/harness/gp-lib.sh: real Greenplum 6 clusters on loopback (a master and
# N primaries, no mirrors, no standby), made from the Greenplum installed in
# $GP2ADB_TEST_GPHOME.  Sourced by tests/harness/gp after lib.sh.  POSIX sh.
#
# gpinitsystem and gpstart need Python 2 for the cluster's user, so this does
# by hand what they do (gpMgmt/bin/gpinitsystem, lib/gpcreateseg.sh,
# gppylib/commands/gp.py in the 6.x source):
#   - initdb once per instance (here: once, then copied; 6.x initdb does not
#     know an instance's role, so master and segments share one template);
#   - gp_contentid=<content> in postgresql.conf (-1 for the master) and
#     gp_dbid=<dbid> in internal.auto.conf, which postgresql.conf includes;
#   - the master started with "-c gp_role=utility -m", and for each instance
#     SELECT pg_catalog.gp_add_segment(dbid, content, 'p', 'p', 'n', 'u',
#     port, hostname, address, datadir) over a utility-mode connection
#     (PGOPTIONS=-c gp_session_role=utility); the master is dbid 1;
#   - the master stopped, the primaries started with plain "-p PORT", then the
#     master with "-E" (the entry postmaster: FTS, dtx recovery, GDD).
# The layout is DIR/NAME/master and DIR/NAME/seg<content>; every instance's
# port is in its own postgresql.conf, and DIR/NAME/cluster.env tells tests
# where everything is.  A primary only takes utility-mode connections:
# PGOPTIONS='-c gp_session_role=utility' psql -h 127.0.0.1 -p $SEG0_PORT.

gp_home() {
	if [ -z "${GP2ADB_TEST_GPHOME:-}" ]; then
		echo "harness: GP2ADB_TEST_GPHOME is not set (the prefix of an installed Greenplum 6)" >&2
		return 1
	fi
	if [ ! -x "$GP2ADB_TEST_GPHOME/bin/postgres" ] || [ ! -x "$GP2ADB_TEST_GPHOME/bin/initdb" ]; then
		echo "harness: no Greenplum in GP2ADB_TEST_GPHOME=$GP2ADB_TEST_GPHOME (no bin/postgres or bin/initdb)" >&2
		return 1
	fi
	GPHOME=$GP2ADB_TEST_GPHOME
	LD_LIBRARY_PATH="$GPHOME/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	export GPHOME LD_LIBRARY_PATH
	# A stray PGOPTIONS or PGHOST would reach every psql and pg_ctl below.
	unset PGOPTIONS PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE
}

# One initdb'd data directory, copied for every instance: initdb takes ~9 s.
gp_template() {
	cache=${GP2ADB_HARNESS_CACHE:-/tmp/gp2adb-harness-cache}
	key=$( { echo "$GPHOME"; "$GPHOME/bin/postgres" --gp-version; ls -l "$GPHOME/bin/postgres"; } | cksum | cut -d' ' -f1)
	tmpl="$cache/gp6-template-$key"
	mkdir -p "$cache"
	[ "$(id -u)" = 0 ] && chown postgres "$cache" && chmod 755 "$cache"
	(
		flock 9
		if [ ! -f "$tmpl/PG_VERSION" ]; then
			rm -rf "$tmpl.tmp"
			harness_as_pg "$GPHOME/bin/initdb" -D "$tmpl.tmp" -U postgres -A trust -E UTF8 \
				--locale=C.UTF-8 -N >"$cache/gp6-initdb.log" 2>&1 || {
				echo "harness: Greenplum initdb failed; see $cache/gp6-initdb.log" >&2
				tail -n 20 "$cache/gp6-initdb.log" >&2; exit 1; }
			rm -rf "$tmpl.tmp/pg_log"/* 2>/dev/null
			mv "$tmpl.tmp" "$tmpl"
		fi
	) 9>"$cache/.lock" || return 1
	echo "$tmpl"
}

gp_random_port() {
	echo $(( 20000 + ( $(od -An -N2 -tu2 /dev/urandom) % 20000 ) ))
}

# gp_port_busy PORT: true when something listens on 127.0.0.1:PORT.
gp_port_busy() {
	bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null && return 0
	[ -n "$(ls /tmp/.s.PGSQL."$1" 2>/dev/null)" ]
}

# gp_set_port DATA PORT: the port lives in the instance's postgresql.conf, so
# a plain "pg_ctl -D DATA start|restart" keeps it.
gp_set_port() {
	harness_as_pg sed -i -e '/^port = /d' "$1/postgresql.conf" &&
		echo "port = $2" | harness_as_pg tee -a "$1/postgresql.conf" >/dev/null
}

gp_conf_port() {
	sed -n 's/^port = \([0-9]*\).*/\1/p' "$1/postgresql.conf" | tail -n 1
}

# gp_make_instance DATA CONTENT DBID: a fresh instance from the template.
gp_make_instance() {
	data=$1; content=$2; dbid=$3
	# Sparse: the 64 MB WAL segment is mostly zeros.
	harness_as_pg cp -a --sparse=always "$tmpl" "$data" || return 1
	if [ "$content" = -1 ]; then maxconn=150; else maxconn=450; fi
	# The socket in /tmp too, where a Greenplum installation has it: the
	# master reaches its own entry-db processes through it (a query joining
	# a catalog with gp_dist_random() needs them), as gpstart leaves it.
	harness_as_pg tee -a "$data/postgresql.conf" >/dev/null <<CONF
# gp2adb test harness
listen_addresses = '127.0.0.1'
unix_socket_directories = '$data,/tmp'
fsync = off
synchronous_commit = off
full_page_writes = off
checkpoint_segments = 64
max_connections = $maxconn
max_prepared_transactions = 150
shared_buffers = 64MB
logging_collector = off
log_min_messages = warning
gp_contentid = $content
CONF
	echo "gp_dbid = $dbid" | harness_as_pg tee "$data/internal.auto.conf" >/dev/null
	harness_as_pg tee "$data/pg_hba.conf" >/dev/null <<HBA
# gp2adb test harness
local   all          all                 trust
host    all          all   127.0.0.1/32  trust
local   replication  all                 trust
host    replication  all   127.0.0.1/32  trust
HBA
}

# gp_pg_ctl_start DATA WHAT [POSTMASTER OPTIONS]: WHAT names the instance in
# errors.  The server's output goes to DATA/server.log.
gp_pg_ctl_start() {
	data=$1; what=$2; shift 2
	if harness_as_pg "$GPHOME/bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		return 0
	fi
	if [ $# -gt 0 ]; then
		harness_as_pg "$GPHOME/bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 120 \
			-o "$*" start >"$data/pg_ctl.log" 2>&1
	else
		harness_as_pg "$GPHOME/bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 120 \
			start >"$data/pg_ctl.log" 2>&1
	fi
}

gp_start_failed() {
	data=$1; what=$2
	echo "harness: could not start Greenplum $what in $data; see $data/server.log" >&2
	tail -n 8 "$data/server.log" >&2 2>/dev/null
	tail -n 3 "$data/pg_ctl.log" >&2 2>/dev/null
}

# gp_free_port [TAKEN...]: a random port in 20000-39999 that nothing listens
# on and that is not one of TAKEN.
gp_free_port() {
	while :; do
		port=$(gp_random_port)
		case " $* " in *" $port "*) continue ;; esac
		gp_port_busy "$port" || break
	done
	echo "$port"
}

# gp_start_new_port DATA WHAT PORT [OPTS]: start on PORT, or on another free
# one when PORT was taken meanwhile.
gp_start_new_port() {
	data=$1; what=$2; port=$3; shift 3
	tries=0
	while [ $tries -lt 20 ]; do
		tries=$((tries + 1))
		gp_set_port "$data" "$port" || return 1
		seen=$(cat "$data/server.log" 2>/dev/null | wc -l)
		gp_pg_ctl_start "$data" "$what" "$@" && return 0
		tail -n +$((seen + 1)) "$data/server.log" 2>/dev/null | grep -q -e 'could not bind' \
			-e 'already in use' -e 'could not create any TCP/IP sockets' -e 'could not create lock file' || break
		port=$(gp_free_port)
	done
	gp_start_failed "$data" "$what"
	return 1
}

# gp_psql_utility PORT SQL: the master in utility mode, as gpinitsystem does.
gp_psql_utility() {
	harness_as_pg env PGOPTIONS="-c gp_session_role=utility" "$GPHOME/bin/psql" -X -q -v ON_ERROR_STOP=1 \
		-h 127.0.0.1 -p "$1" -U postgres -d template1 -At -c "$2"
}

gp_write_env() {
	root=$1; nseg=$2
	{
		echo "# gp2adb test harness: Greenplum cluster $root"
		echo "GPHOME=$GPHOME"
		echo "NSEG=$nseg"
		echo "MASTER_PORT=$(gp_conf_port "$root/master")"
		echo "MASTER_DATA=$root/master"
		echo "MASTER_DBID=1"
		i=0
		while [ $i -lt "$nseg" ]; do
			echo "SEG${i}_PORT=$(gp_conf_port "$root/seg$i")"
			echo "SEG${i}_DATA=$root/seg$i"
			echo "SEG${i}_DBID=$((i + 2))"
			i=$((i + 1))
		done
		echo "UTILITY_PGOPTIONS='-c gp_session_role=utility'"
	} >"$root/cluster.env.tmp" && mv "$root/cluster.env.tmp" "$root/cluster.env"
	chmod 644 "$root/cluster.env"
}

gp_nseg() {
	sed -n 's/^NSEG=//p' "$1/cluster.env" 2>/dev/null
}

# gp_init DIR NAME NSEG: create and start a cluster; prints the master port.
gp_init() {
	dir=$1; name=$2; nseg=$3
	case "$nseg" in '' | *[!0-9]* | 0) echo "harness: gp init: NSEG must be a number >= 1" >&2; return 2 ;; esac
	root="$dir/$name"
	if [ -e "$root" ]; then
		echo "harness: gp init: $root already exists (gp destroy it first)" >&2
		return 1
	fi
	tmpl=$(gp_template) || return 1
	if [ ! -d "$dir" ]; then mkdir -p "$dir" && chmod 755 "$dir"; fi
	mkdir -p "$root"
	chmod 755 "$root"
	[ "$(id -u)" = 0 ] && chown postgres "$root"
	if ! harness_as_pg test -w "$root"; then
		echo "harness: gp init: the postgres user cannot write to $root (is $dir searchable by it?)" >&2
		rm -rf "$root"
		return 1
	fi
	# Copies and starts run in parallel, one job per instance.
	pids=
	i=-1
	while [ $i -lt "$nseg" ]; do
		if [ $i = -1 ]; then
			gp_make_instance "$root/master" -1 1 &
		else
			gp_make_instance "$root/seg$i" $i $((i + 2)) &
		fi
		pids="$pids $!"
		i=$((i + 1))
	done
	failed=0
	for pid in $pids; do wait "$pid" || failed=1; done
	if [ $failed = 1 ]; then
		echo "harness: could not copy the Greenplum template $tmpl into $root" >&2
		return 1
	fi
	# The primaries first: a port that turns out to be taken is changed
	# before the master's catalog records it.
	ports=
	pids=
	i=0
	while [ $i -lt "$nseg" ]; do
		port=$(gp_free_port $ports)
		ports="$ports $port"
		gp_start_new_port "$root/seg$i" "primary seg$i (content $i)" "$port" &
		pids="$pids $!"
		i=$((i + 1))
	done
	for pid in $pids; do wait "$pid" || failed=1; done
	if [ $failed = 1 ]; then
		gp_stop "$dir" "$name"
		return 1
	fi
	gp_start_new_port "$root/master" "master (utility mode)" "$(gp_free_port $ports)" -c gp_role=utility -m ||
		{ gp_stop "$dir" "$name"; return 1; }
	mport=$(gp_conf_port "$root/master")
	sql="SELECT pg_catalog.gp_add_segment(1::int2, -1::int2, 'p', 'p', 'n', 'u', $mport, '127.0.0.1', '127.0.0.1', '$root/master');"
	i=0
	while [ $i -lt "$nseg" ]; do
		sql="$sql SELECT pg_catalog.gp_add_segment($((i + 2))::int2, $i::int2, 'p', 'p', 'n', 'u', $(gp_conf_port "$root/seg$i"), '127.0.0.1', '127.0.0.1', '$root/seg$i');"
		i=$((i + 1))
	done
	if ! gp_psql_utility "$mport" "$sql" >"$root/master/gp_add_segment.log" 2>&1; then
		echo "harness: could not register the segments in the master of $root; see $root/master/gp_add_segment.log and $root/master/server.log" >&2
		tail -n 5 "$root/master/gp_add_segment.log" >&2
		gp_stop "$dir" "$name"
		return 1
	fi
	harness_as_pg "$GPHOME/bin/pg_ctl" -D "$root/master" -m fast -w -t 60 stop >/dev/null 2>&1 || {
		echo "harness: could not stop the utility-mode master in $root/master; see $root/master/server.log" >&2
		gp_stop "$dir" "$name"; return 1; }
	gp_write_env "$root" "$nseg"
	if ! gp_pg_ctl_start "$root/master" master -E; then
		gp_start_failed "$root/master" master
		gp_stop "$dir" "$name"
		return 1
	fi
	echo "$mport"
}

gp_check_root() {
	if [ ! -f "$1/cluster.env" ]; then
		echo "harness: no Greenplum cluster in $1 (no cluster.env; gp init it first)" >&2
		return 1
	fi
}

# gp_start DIR NAME: the primaries, then the master; prints the master port.
gp_start() {
	root="$1/$2"
	gp_check_root "$root" || return 1
	nseg=$(gp_nseg "$root")
	pids=
	i=0
	while [ $i -lt "$nseg" ]; do
		{ gp_pg_ctl_start "$root/seg$i" "primary seg$i" ||
			{ gp_start_failed "$root/seg$i" "primary seg$i (content $i)"; exit 1; }; } &
		pids="$pids $!"
		i=$((i + 1))
	done
	failed=0
	for pid in $pids; do wait "$pid" || failed=1; done
	[ $failed = 0 ] || return 1
	gp_pg_ctl_start "$root/master" master -E || { gp_start_failed "$root/master" master; return 1; }
	gp_conf_port "$root/master"
}

# gp_stop_mode DIR NAME MODE: the master first, then the primaries.
gp_stop_mode() {
	root="$1/$2"; mode=$3
	[ -d "$root" ] || return 0
	rc=0
	for data in "$root/master" "$root"/seg*; do
		[ -f "$data/PG_VERSION" ] || continue
		harness_as_pg "$GPHOME/bin/pg_ctl" -D "$data" status >/dev/null 2>&1 || continue
		if ! harness_as_pg "$GPHOME/bin/pg_ctl" -D "$data" -m "$mode" -w -t 60 stop >/dev/null 2>&1; then
			echo "harness: could not stop Greenplum instance $data; see $data/server.log" >&2
			rc=1
		fi
	done
	return $rc
}

gp_stop() { gp_stop_mode "$1" "$2" immediate; }

# gp_restart DIR NAME: the whole cluster, fast shutdown, same ports.
gp_restart() {
	gp_check_root "$1/$2" || return 1
	gp_stop_mode "$1" "$2" fast || return 1
	gp_start "$1" "$2" >/dev/null
}

# gp_status DIR NAME: one line per instance; true when all are running.
gp_status() {
	root="$1/$2"
	gp_check_root "$root" || return 1
	rc=0
	nseg=$(gp_nseg "$root")
	i=-1
	while [ $i -lt "$nseg" ]; do
		if [ $i = -1 ]; then data="$root/master"; what=master; else data="$root/seg$i"; what="seg$i"; fi
		if harness_as_pg "$GPHOME/bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
			state=running
		else
			state=stopped; rc=1
		fi
		echo "$what content=$i port=$(gp_conf_port "$data") $state $data"
		i=$((i + 1))
	done
	return $rc
}

gp_port() {
	gp_check_root "$1/$2" || return 1
	gp_conf_port "$1/$2/master"
}

gp_destroy() {
	root="$1/$2"
	[ -e "$root" ] || return 0
	gp_stop "$1" "$2" || true
	rm -rf "$root"
}
