/* fuzz_gp4x: the Greenplum 4.x syntax scanner (src/gp4x_scan.c).
 * Input: one byte choosing the targets (bit 0: to 6, bit 1: to 7, bit 2:
 * not SQL), then the text.  Checked: at most `max` hits, each rule once, in
 * rule order, each for a chosen target; a smaller max gives a prefix of the
 * hits; the case of the letters does not change what is found. */
#include "fuzz.h"
#include "gp4x_scan.h"

#include <ctype.h>

#define MAXHITS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 64 * 1024)
		return 0;
	unsigned targets = (data[0] & 1 ? GP4X_TO_GP6 : 0) | (data[0] & 2 ? GP4X_TO_GP7 : 0) |
			   (data[0] & 4 ? GP4X_NOT_SQL : 0);
	char *s = fuzz_cstring(data + 1, size - 1);

	const struct gp4x_rule *hits[MAXHITS];
	size_t n = gp4x_scan(s, targets, hits, MAXHITS);
	FUZZ_CHECK(n < MAXHITS, "%zu hits: more than there are rules", n);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(hits[i]->targets & targets, "rule %s does not matter for targets %#x", hits[i]->id,
			   targets);
		if (i > 0)
			FUZZ_CHECK(hits[i - 1] < hits[i], "rules %s and %s out of order or twice", hits[i - 1]->id,
				   hits[i]->id);
	}
	if (n > 0) {
		const struct gp4x_rule *first[1];
		FUZZ_CHECK(gp4x_scan(s, targets, first, 1) == 1 && first[0] == hits[0],
			   "with max 1, not the first hit %s", hits[0]->id);
	}
	for (char *c = s; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	const struct gp4x_rule *upper[MAXHITS];
	size_t nu = gp4x_scan(s, targets, upper, MAXHITS);
	FUZZ_CHECK(nu == n && memcmp(upper, hits, n * sizeof *hits) == 0,
		   "upper case finds %zu rules, lower case %zu", nu, n);
	free(s);
	return 0;
}
