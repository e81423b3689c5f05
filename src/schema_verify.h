/* schema_verify: what the schema journal says was applied, checked against
 * the destination.  Internal to the schema module (schema_apply.c). */
#ifndef GP2ADB_SCHEMA_VERIFY_H
#define GP2ADB_SCHEMA_VERIFY_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "runlog.h"
#include "schema.h"
#include "strmap.h"

/* The relations (tags "REL name") that the journal records as applied and
 * that the destination no longer has, as toks_name_key() keys in *missing
 * (initialised here; strmap_done it).  An unqualified name is looked up in
 * the schema the script's search_path puts first where it stands; one the
 * script leaves to the default search_path is not checked.  A failed lookup
 * is warned about and leaves *missing empty. */
void schema_missing_relations(PGconn *dst, const struct schema_items *items, const struct runlog *journal,
			      struct strmap *missing);
/* Whether tag ("REL name", or NULL) names one of them. */
bool schema_relation_missing(struct strmap *missing, const char *tag);

#endif
