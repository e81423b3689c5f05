/* session: the settings that decide how a server prints and reads values as
 * text, pinned on every session that moves or compares data, so both sides
 * print and read alike whatever the server's, database's and role's
 * defaults are.  Each setting is SET on its own and checked: one that fails
 * cannot take the others with it (several SETs in one query string are one
 * transaction), and the failure names the server and the setting. */
#ifndef GP2ADB_SESSION_H
#define GP2ADB_SESSION_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "db.h"
#include "strbuf.h"

enum session_use {
	/* any connection (db_connect): DateStyle, extra_float_digits at the
	 * server's maximum */
	SESSION_CATALOG,
	/* a COPY's source or destination: everything that changes the text of
	 * a value, floats printed exactly (extra_float_digits at the maximum) */
	SESSION_COPY,
	/* the destination of a COPY: as SESSION_COPY, but TimeZone stays the
	 * destination's own.  Values of timestamptz arrive with their offset;
	 * only a value the destination converts from another type (a source
	 * timestamp into a timestamptz column) takes a zone, and it takes the
	 * destination's, as any client's input does. */
	SESSION_LOAD,
	/* validation: the text that every version prints alike
	 * (extra_float_digits 0, bytea_output escape); floats are compared by
	 * their bits, not their text (validate_sql.c) */
	SESSION_COMPARE,
};

/* Pin the settings of `use` on conn.  client_encoding NULL: the server's
 * own encoding.  side ("source", "destination") starts the error message.
 * false with err set: "source 10.0.0.5:5432/sales: cannot SET
 * client_encoding = 'LATIN1': conversion between ... is not supported". */
bool session_pin(PGconn *conn, enum session_use use, const char *client_encoding, const char *side,
		 struct db_error *err);

/* Only client_encoding (NULL: the server's own encoding), as session_pin. */
bool session_client_encoding(PGconn *conn, const char *encoding, const char *side, struct db_error *err);

/* The extra_float_digits a server of this version (PQserverVersion) is
 * asked for first: 3, or 2 before 9.0 (Greenplum 4.3 and 5), whose
 * float8 output is then still exact (17 significant digits). */
int session_float_digits(int server_version);

/* The SET statements of SESSION_COPY as SQL for a script run by psql on a
 * server of this version (the OSS export files). */
void session_copy_sql(struct strbuf *out, int server_version);

#endif
