/* config: read a libconfig file (gp2adb.conf(5)) into a plan.  Errors are
 * "file:line: message"; unknown keys are errors with the nearest known key
 * suggested; a file holding a password must be readable by its owner only. */
#ifndef GP2ADB_CONFIG_H
#define GP2ADB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

/* Load `path` into p (which holds defaults from plan_init).  On failure
 * returns false with a one-line message in err. */
bool config_load(struct plan *p, const char *path, char *err, size_t errsize);

/* The default config file: ./gp2adb.conf, then
 * $XDG_CONFIG_HOME/gp2adb/gp2adb.conf (~/.config when unset).  NULL when
 * neither exists.  Caller frees. */
char *config_default_path(void);

/* Levenshtein distance, for "did you mean" (exposed for tests). */
int config_distance(const char *a, const char *b);

#endif
