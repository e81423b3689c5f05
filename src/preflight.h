/* preflight: checks before migrating -> findings (issue "Evaluate before
 * migrating").  The finding types are a contract with ui/ and report. */
#ifndef GP2ADB_PREFLIGHT_H
#define GP2ADB_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>

enum severity { SEV_OK, SEV_INFO, SEV_WARN, SEV_FAIL };

struct finding {
	char *id;           /* "segments.count", "extensions.missing", ... */
	enum severity severity;
	char *title;        /* one line */
	char *detail;       /* may span lines */
	char *remedy;       /* what the operator should do; may be NULL for ok */
	char **objects;     /* NULL-terminated list of named objects, or NULL */
};

struct findings {
	struct finding *items;
	size_t n;
};

const char *severity_name(enum severity s);
void findings_add(struct findings *f, const char *id, enum severity sev, const char *title,
		  const char *detail, const char *remedy, char **objects /* taken */);
void findings_free(struct findings *f);
enum severity findings_worst(const struct findings *f);

#endif
