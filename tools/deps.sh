# tools/deps.sh: the Debian packages gp2adb needs to build, test and demo;
# installs the missing ones (as root; through sudo otherwise).
GP2ADB_DEBS="build-essential autoconf automake libtool pkg-config libpq-dev libssh2-1-dev \
libconfig-dev libcmocka-dev libncurses-dev libssl-dev libcurl4-openssl-dev libjansson-dev \
postgresql postgresql-contrib openssh-server openssh-client tmux man-db groff-base util-linux procps ncurses-term pgcopydb"

deps_install() {
	missing=""
	for p in $GP2ADB_DEBS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "== installing:$missing"
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
