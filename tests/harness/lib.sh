# tests/harness/lib.sh: start and stop real PostgreSQL clusters on loopback,
# run as the postgres user (initdb refuses root).  Sourced by run-test, pg,
# tools/demo and tools/bench.  POSIX sh.

harness_pg_bindir() {
	if [ -n "${GP2ADB_PG_BINDIR:-}" ]; then echo "$GP2ADB_PG_BINDIR"; return; fi
	ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# Run a command as the postgres user (or as ourselves when we are not root).
harness_as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# A cluster initialised once and copied for every server: initdb is the slow part.
harness_pg_template() {
	bindir=$(harness_pg_bindir)
	cache=${GP2ADB_HARNESS_CACHE:-/tmp/gp2adb-harness-cache}
	tmpl="$cache/template-$(basename "$(dirname "$bindir")")"
	mkdir -p "$cache"
	[ "$(id -u)" = 0 ] && chown postgres "$cache" && chmod 755 "$cache"
	(
		flock 9
		if [ ! -f "$tmpl/PG_VERSION" ]; then
			rm -rf "$tmpl.tmp"
			harness_as_pg "$bindir/initdb" -D "$tmpl.tmp" -U postgres -A trust -E UTF8 \
				--locale=C.UTF-8 -N >"$cache/initdb.log" 2>&1 || {
				cat "$cache/initdb.log" >&2; exit 1; }
			mv "$tmpl.tmp" "$tmpl"
		fi
	) 9>"$cache/.lock" || return 1
	echo "$tmpl"
}

# harness_pg_start DIR NAME [PORT]: a cluster in DIR/NAME listening on
# 127.0.0.1:PORT (a free one when not given) and a socket in DIR/NAME.
# Prints the port.
harness_pg_start() {
	dir=$1; name=$2; want=${3:-}
	bindir=$(harness_pg_bindir)
	data="$dir/$name"
	if [ ! -f "$data/PG_VERSION" ]; then
		tmpl=$(harness_pg_template) || return 1
		mkdir -p "$dir"
		[ "$(id -u)" = 0 ] && chown postgres "$dir"
		harness_as_pg cp -a "$tmpl" "$data" || return 1
		cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$data'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 120
shared_buffers = 128MB
max_wal_size = 2GB
log_min_messages = warning
logging_collector = off
CONF
		cat >"$data/pg_hba.conf" <<HBA
# gp2adb test harness
local   all   all                 trust
host    all   all   127.0.0.1/32  trust
HBA
		[ "$(id -u)" = 0 ] && chown postgres "$data/postgresql.conf" "$data/pg_hba.conf"
	fi
	if [ -f "$data/port" ] && harness_as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		cat "$data/port"
		return 0
	fi
	tries=0
	while [ $tries -lt 20 ]; do
		if [ -n "$want" ]; then port=$want; else
			port=$(( 20000 + ( $(od -An -N2 -tu2 /dev/urandom) % 20000 ) ))
		fi
		if harness_as_pg "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 \
			-o "-p $port" start >/dev/null 2>&1; then
			echo "$port" >"$data/port.tmp" && mv "$data/port.tmp" "$data/port"
			echo "$port"
			return 0
		fi
		[ -n "$want" ] && break
		tries=$((tries + 1))
	done
	echo "harness: could not start PostgreSQL in $data; see $data/server.log" >&2
	tail -n 5 "$data/server.log" >&2 2>/dev/null
	return 1
}

harness_pg_stop() {
	dir=$1; name=$2
	bindir=$(harness_pg_bindir)
	[ -f "$dir/$name/PG_VERSION" ] || return 0
	harness_as_pg "$bindir/pg_ctl" -D "$dir/$name" -m immediate -w stop >/dev/null 2>&1 || true
}

# harness_pg_restart DIR NAME: stop (fast) and start on the same port.
harness_pg_restart() {
	dir=$1; name=$2
	bindir=$(harness_pg_bindir)
	harness_as_pg "$bindir/pg_ctl" -D "$dir/$name" -l "$dir/$name/server.log" -w -t 30 \
		-o "-p $(cat "$dir/$name/port")" -m fast restart >/dev/null
}

# harness_pg_running DIR NAME: true when the cluster in DIR/NAME is up.
harness_pg_running() {
	dir=$1; name=$2
	bindir=$(harness_pg_bindir)
	[ -f "$dir/$name/PG_VERSION" ] &&
		harness_as_pg "$bindir/pg_ctl" -D "$dir/$name" status >/dev/null 2>&1
}

# harness_pg_shutdown DIR NAME: a clean (fast) shutdown that keeps the data,
# for clusters that live on, like the tools/demo sandbox.
harness_pg_shutdown() {
	dir=$1; name=$2
	bindir=$(harness_pg_bindir)
	harness_pg_running "$dir" "$name" || return 0
	harness_as_pg "$bindir/pg_ctl" -D "$dir/$name" -m fast -w -t 60 stop >/dev/null
}

# harness_sshd_start DIR N: N sshd hosts on 127.0.0.2.. (see tests/harness/sshd).
harness_sshd_start() {
	dir=$1; n=$2
	mkdir -p "$dir/hosts" /run/sshd
	chmod 700 "$dir"
	[ -f "$dir/client_key" ] || ssh-keygen -q -t ed25519 -N '' -C gp2adb-test -f "$dir/client_key" || return 1
	cp "$dir/client_key.pub" "$dir/authorized_keys"
	: >"$dir/known_hosts"
	tries=0
	while [ $tries -lt 10 ]; do
		port=$(( 40000 + ( $(od -An -N2 -tu2 /dev/urandom) % 20000 ) ))
		i=2; failed=0
		while [ $i -le $((n + 1)) ]; do
			harness_sshd_host "$dir" "127.0.0.$i" "$port" || { failed=1; break; }
			i=$((i + 1))
		done
		if [ $failed = 0 ]; then
			echo "$port" >"$dir/port"
			echo "$port"
			return 0
		fi
		harness_sshd_stop "$dir"
		: >"$dir/known_hosts"
		tries=$((tries + 1))
	done
	echo "harness: could not start sshd hosts in $dir" >&2
	return 1
}

# harness_sshd_host DIR IP PORT: one host; waits until it accepts connections.
harness_sshd_host() {
	dir=$1; ip=$2; port=$3
	h="$dir/hosts/$ip"
	mkdir -p "$h/gphome/bin"
	[ -f "$h/host_key" ] || ssh-keygen -q -t ed25519 -N '' -C "$ip" -f "$h/host_key" || return 1
	cat >"$h/sshd_config" <<CONF
ListenAddress $ip:$port
HostKey $h/host_key
AuthorizedKeysFile $dir/authorized_keys
PidFile $h/sshd.pid
StrictModes no
UsePAM no
PermitRootLogin yes
PasswordAuthentication no
KbdInteractiveAuthentication no
SetEnv GPHOME=$h/gphome
LogLevel ERROR
CONF
	/usr/sbin/sshd -f "$h/sshd_config" -E "$h/sshd.log" || return 1
	echo "[$ip]:$port $(cut -d' ' -f1-2 "$h/host_key.pub")" >>"$dir/known_hosts"
	t=0
	while [ $t -lt 100 ]; do
		[ -s "$h/sshd.pid" ] && bash -c "exec 3<>/dev/tcp/$ip/$port" 2>/dev/null && return 0
		sleep 0.05
		t=$((t + 1))
	done
	return 1
}

harness_sshd_stop() {
	dir=$1
	for pidf in "$dir"/hosts/*/sshd.pid; do
		[ -s "$pidf" ] || continue
		pid=$(cat "$pidf")
		kill "$pid" 2>/dev/null
		t=0
		while kill -0 "$pid" 2>/dev/null && [ $t -lt 100 ]; do sleep 0.05; t=$((t + 1)); done
		rm -f "$pidf"
	done
}
