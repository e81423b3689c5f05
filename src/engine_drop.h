/* engine_drop: what the files of mode drop share (engine_drop.c: setup;
 * engine_drop_run.c: the session that drops and recreates;
 * engine_drop_finish.c: resume and what follows the workers).  Internal to
 * the engine; engine_priv.h declares what the rest of the engine calls. */
#ifndef GP2ADB_ENGINE_DROP_H
#define GP2ADB_ENGINE_DROP_H

#include "engine_priv.h"

/* The progress markers of a group (its root's name as the table). */
#define MARK_DROP "drop"
#define MARK_POST "post"

/* Open the worker's DDL session (once) and replay the dump's session
 * settings (search_path, standard_conforming_strings, ...). */
bool engine_drop_connect(struct worker *w, struct db_error *err);

#endif
