/* fuzz_version: what gp2adb reads out of version strings: a server's
 * version() (flavor_parse, src/flavor.c) and gpcopy's version in a tarball's
 * name or its --version output (install_parse_version, src/install.c).
 * Checked: a recognised server has a kind and sane numbers, its description
 * fits any buffer, and it is binary-compatible with itself. */
#include "fuzz.h"
#include "flavor.h"
#include "install.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = fuzz_cstring(data, size);
	struct flavor f;
	if (flavor_parse(s, &f)) {
		FUZZ_CHECK(f.kind != FLAVOR_UNKNOWN, "recognised, but of no kind");
		FUZZ_CHECK(f.pg_major >= 0 && f.pg_minor >= 0 && f.pg_num >= 0 && f.gp_major >= 0,
			   "negative version numbers: pg %d.%d (%d), gp %d", f.pg_major, f.pg_minor, f.pg_num,
			   f.gp_major);
		FUZZ_CHECK(memchr(f.gp_version, '\0', sizeof f.gp_version) && memchr(f.fork, '\0', sizeof f.fork),
			   "an unterminated version or fork name");
		FUZZ_CHECK(f.mpp == (f.gp_major > 0), "segments without a Greenplum version");
		char small[8], big[256];
		flavor_describe(&f, small, sizeof small);
		flavor_describe(&f, big, sizeof big);
		FUZZ_CHECK(strncmp(small, big, sizeof small - 1) == 0, "descriptions differ: '%s', '%s'", small, big);
		FUZZ_CHECK(flavor_binary_compatible(&f, &f), "'%s' is not binary-compatible with itself", big);
		struct flavor adb = f;
		flavor_mark_adb(&adb);
		FUZZ_CHECK(adb.kind == (f.gp_major > 0 ? FLAVOR_ADB : f.kind), "flavor_mark_adb on %s", big);
	}
	int major = -1, minor = -1;
	if (install_parse_version(s, &major, &minor))
		FUZZ_CHECK(major >= 0 && minor >= 0, "gpcopy version %d.%d", major, minor);
	free(s);
	return 0;
}
