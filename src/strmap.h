/* strmap: a string -> index map (keys owned, open addressing), so that
 * scripts with tens of thousands of objects are classified and applied in
 * linear time.  Sized once: never fill it past `expect` keys. */
#ifndef GP2ADB_STRMAP_H
#define GP2ADB_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct strmap {
	char **keys;
	size_t *vals;
	size_t cap, n;
};

void strmap_init(struct strmap *m, size_t expect);
/* The value slot of k; with create, a new key gets a slot holding 0.
 * NULL when k is absent and !create. */
size_t *strmap_at(struct strmap *m, const char *k, bool create);
void strmap_done(struct strmap *m);

#endif
