# tools/deps.sh: the Debian packages gp2adb needs to build, test and demo;
# installs the missing ones (as root; through sudo otherwise).
GP2ADB_DEBS="build-essential autoconf automake libtool pkg-config libpq-dev libssh2-1-dev \
libconfig-dev libcmocka-dev libncurses-dev libssl-dev libcurl4-openssl-dev libjansson-dev \
postgresql postgresql-contrib openssh-server openssh-client tmux man-db groff-base util-linux procps ncurses-term pgcopydb"

# clang and its libFuzzer runtime, for the fuzz targets (tools/fuzz), and python3
# for their seeds (tests/fuzz/make-seeds); tools/check skips those, saying so,
# where they cannot be installed.
GP2ADB_FUZZ_DEBS="clang libclang-rt-dev python3"

deps_missing() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
}

deps_install() {
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	deps_missing $GP2ADB_DEBS
	if [ -n "$missing" ]; then
		echo "== installing:$missing"
		$sudo apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
	fi
	deps_missing $GP2ADB_FUZZ_DEBS
	if [ -n "$missing" ]; then
		echo "== installing (fuzzing):$missing"
		{ $sudo apt-get update -qq &&
		  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null; } ||
			echo "== could not install$missing: the fuzz targets will be skipped"
	fi
	return 0
}
