/* fixture: the schema fixtures of tests/fixtures, loaded into harness
 * servers, and pg_dump output normalised for comparing two servers. */
#ifndef GP2ADB_TEST_FIXTURE_H
#define GP2ADB_TEST_FIXTURE_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "testutil.h"

/* tests/fixtures/<name> as a string; fails the test when missing. */
char *fx_read(const char *name);
/* Load pagila's schema.  The file is written for PostgreSQL 18 and pgvector;
 * on the harness's server uuidv7() becomes gen_random_uuid(), VIRTUAL
 * generated columns become STORED, and the statements that need pgvector
 * fail and are left out (only those). */
void fx_load_pagila(PGconn *c);
/* pg_dump --schema-only (or --data-only of one table) of a harness
 * database, without what must differ between two servers: the random
 * \restrict key, the version header and sequence positions. */
char *fx_dump(enum tu_side side, const char *db, bool data, const char *table);
/* pg_dump -s of src_db on the source and dst_db on the destination must be
 * equal (fx_dump's normalising); on a difference the test fails showing
 * where.  Returns the destination's dump for further checks; caller frees. */
char *fx_assert_same_schema(const char *src_db, const char *dst_db);

#endif
