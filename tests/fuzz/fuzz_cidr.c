/* fuzz_cidr: access_cidr_valid, which guards the address range that
 * open-access writes into a pg_hba.conf line and the ledger.  Checked: a
 * range it accepts is one word of address characters, a '/' and 1 to 3
 * digits, so it cannot break or extend the pg_hba line. */
#include "fuzz.h"
#include "access.h"

#include <ctype.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256)
		return 0;
	char *s = fuzz_cstring(data, size);
	if (access_cidr_valid(s)) {
		const char *slash = strchr(s, '/');
		FUZZ_CHECK(slash && slash > s && !strchr(slash + 1, '/'), "accepted '%s': not one '/'", s);
		for (const char *c = s; c < slash; c++)
			FUZZ_CHECK(isxdigit((unsigned char)*c) || *c == '.' || *c == ':',
				   "accepted '%s': 0x%02x in the address", s, (unsigned char)*c);
		size_t bits = strlen(slash + 1);
		FUZZ_CHECK(bits >= 1 && bits <= 3, "accepted '%s': %zu characters of prefix length", s, bits);
		for (const char *c = slash + 1; *c; c++)
			FUZZ_CHECK(isdigit((unsigned char)*c), "accepted '%s': 0x%02x in the prefix length", s,
				   (unsigned char)*c);
	}
	free(s);
	return 0;
}
