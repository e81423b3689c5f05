#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "findings_tu.h"

const struct finding *ftu_expect(const struct findings *f, const char *id, enum severity sev)
{
	const struct finding *x = findings_find(f, id);
	if (!x)
		fail_msg("no finding %s", id);
	if (x->severity != sev)
		fail_msg("finding %s is %s, expected %s: %s / %s", id, severity_name(x->severity),
			 severity_name(sev), x->title, x->detail);
	return x;
}

bool ftu_has_object(const struct finding *x, const char *needle)
{
	for (size_t i = 0; x->objects && x->objects[i]; i++)
		if (strstr(x->objects[i], needle))
			return true;
	return false;
}
