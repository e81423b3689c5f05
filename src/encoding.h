/* encoding: server encodings of the two sides and how text crosses between
 * them.  The copy's sessions on both sides use one client_encoding (the
 * "wire" encoding): the destination's when the source can convert to it,
 * the encoding the operator declares (migration.source_encoding) for a
 * SQL_ASCII source, whose bytes no server can vouch for. */
#ifndef GP2ADB_ENCODING_H
#define GP2ADB_ENCODING_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "plan.h"

enum encoding_verdict {
	ENC_SAME,               /* same encoding: nothing to convert */
	ENC_CONVERT,            /* the source converts its text to the destination's encoding */
	ENC_DECLARED,           /* SQL_ASCII source, declared: the destination converts from it */
	ENC_INTO_SQL_ASCII,     /* a SQL_ASCII destination stores the source's bytes unchecked */
	ENC_UNDECLARED,         /* SQL_ASCII source into an encoding that checks: refuse */
	ENC_CONFLICT,           /* source_encoding declared for a source that has its own */
};

struct encoding_plan {
	enum encoding_verdict verdict;
	char source[32], destination[32];   /* server_encoding of each side */
	char declared[32];                  /* migration.source_encoding, canonical, or "" */
	char wire[32];                      /* client_encoding of both sides' copy sessions */
};

/* The canonical PostgreSQL name of an encoding ("utf-8" -> "UTF8",
 * "cp936" -> "GBK"), into out; false when it is not one. */
bool encoding_canonical(const char *name, char *out, size_t size);
/* Decide from the two server encodings and the declared one (NULL: none). */
void encoding_decide(const char *source, const char *destination, const char *declared,
		     struct encoding_plan *out);
/* Whether text changes encoding between the two servers: binary COPY is
 * then not used (it converts only the types whose send functions do). */
bool encoding_converts(const struct encoding_plan *e);
/* Whether a verdict stops the copy. */
bool encoding_blocks(const struct encoding_plan *e);
/* Whether this encoding's multibyte characters can contain ASCII bytes
 * (a backslash): GBK, BIG5, SJIS, ... (client-only encodings). */
bool encoding_embeds_ascii(const char *canonical);
/* Whether conn's server has a default conversion from one encoding to the
 * other (pg_conversion, as SET client_encoding looks it up).  *found set. */
bool encoding_conversion_exists(PGconn *conn, const char *from, const char *to, bool *found,
				struct db_error *err);
/* The server encoding a connection reported at startup ("" when none). */
const char *encoding_of(PGconn *conn);

/* What stops a copy with this plan and format, as one message saying what
 * and what to do; NULL when nothing does.  Caller frees. */
char *encoding_problem(const struct encoding_plan *e, enum copy_format format);

/* For a copy: decide from both connections' server encodings and the
 * plan, refuse what encoding_problem refuses, and set client_encoding to
 * the wire encoding on both connections (so names read from one side's
 * catalog mean the same on the other).  false with err set (one message
 * naming both encodings and the remedy). */
bool encoding_prepare(PGconn *src, PGconn *dst, const struct plan *p, struct encoding_plan *out,
		      char *err, size_t errsize);

#endif
