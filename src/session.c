/* session: see session.h.  What each setting is for:
 *   DateStyle ISO, MDY   dates print as 2024-01-13, read the same way everywhere
 *   extra_float_digits   copy: at the maximum, float4/float8 print exactly
 *                        (shortest exact form on PostgreSQL 12+, 17 and 9
 *                        significant digits with 3 before; 17 and 8 with 2);
 *                        compare: 0, the 15 digits every version prints alike
 *   IntervalStyle        postgres: the style every version reads (8.4+)
 *   TimeZone UTC         timestamptz prints with +00; a local offset with
 *                        seconds (dates before 1900) is cut to minutes by
 *                        8.x servers (not on the destination of a copy:
 *                        SESSION_LOAD keeps the destination's own zone)
 *   bytea_output         copy: hex; compare: escape, what 8.x servers print (9.0+)
 *   lc_monetary C        money prints and reads with the same symbols
 *   xmloption content    the destination reads XML fragments too (8.3+)
 *   array_nulls on       the destination reads NULL in an array as NULL (8.2+)
 *   row_security off     a row-level security policy makes the query fail
 *                        instead of hiding rows (9.5+)
 *   client_encoding      the text's encoding on the wire (encoding.h)
 * standard_conforming_strings is left alone: it changes how SQL literals
 * are read, not any value's text, and every literal gp2adb sends is quoted
 * by libpq for the connection's own setting. */
#include "session.h"

#include "log.h"
#include "mem.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USE_COPY (1u << SESSION_COPY | 1u << SESSION_LOAD)
#define USE_COMPARE (1u << SESSION_COMPARE)
#define USE_ALL (1u << SESSION_CATALOG | USE_COPY | USE_COMPARE)

struct setting {
	const char *name;
	int since;              /* first server version (PQserverVersion) that has it */
	unsigned uses;
	const char *copy;       /* the value for SESSION_COPY (and SESSION_CATALOG) */
	const char *compare;    /* the value for SESSION_COMPARE */
};

/* extra_float_digits and client_encoding are computed; see session_pin. */
static const struct setting settings[] = {
	{ "DateStyle", 0, USE_ALL, "ISO, MDY", "ISO, MDY" },
	{ "IntervalStyle", 80400, USE_COPY | USE_COMPARE, "postgres", "postgres" },
	{ "TimeZone", 0, 1u << SESSION_COPY | USE_COMPARE, "UTC", "UTC" },
	{ "bytea_output", 90000, USE_COPY | USE_COMPARE, "hex", "escape" },
	{ "lc_monetary", 0, USE_COPY | USE_COMPARE, "C", "C" },
	{ "xmloption", 80300, USE_COPY | USE_COMPARE, "content", "content" },
	{ "array_nulls", 80200, USE_COPY | USE_COMPARE, "on", "on" },
	{ "row_security", 90500, USE_COPY | USE_COMPARE, "off", "off" },
};

int session_float_digits(int server_version)
{
	return server_version >= 90000 ? 3 : 2;
}

/* SET one setting; on failure err names the side, server and setting. */
static bool set_one(PGconn *conn, const char *side, const char *name, const char *value,
		    struct db_error *err)
{
	char *lit = db_quote_literal(conn, value);
	char *sql = xasprintf("SET %s = %s", name, lit);
	struct db_error e;
	bool ok = db_exec(conn, sql, &e);
	free(sql);
	if (!ok && err) {
		const char *host = PQhost(conn);
		*err = e;
		snprintf(err->message, sizeof err->message, "%s%s%.100s:%s/%.64s: cannot SET %s = %.64s: %.250s",
			 side ? side : "", side ? " " : "", host && host[0] ? host : "localhost", PQport(conn),
			 PQdb(conn), name, lit, e.message);
	}
	free(lit);
	return ok;
}

static atomic_bool told_two_digits;

static bool pin_float_digits(PGconn *conn, enum session_use use, const char *side, struct db_error *err)
{
	if (use == SESSION_COMPARE)
		return set_one(conn, side, "extra_float_digits", "0", err);
	int want = session_float_digits(PQserverVersion(conn));
	char value[8];
	snprintf(value, sizeof value, "%d", want);
	struct db_error e;
	if (set_one(conn, side, "extra_float_digits", value, &e))
		return true;
	/* A server that calls itself 9.0 or later and still caps the setting
	 * at 2, as 8.x does: 2 keeps float8 exact (17 digits). */
	if (want != 3 || strcmp(e.sqlstate, "22023") != 0) {
		if (err)
			*err = e;
		return false;
	}
	if (!set_one(conn, side, "extra_float_digits", "2", err))
		return false;
	if (!atomic_exchange(&told_two_digits, true))
		log_info("%s; using extra_float_digits = 2, the server's maximum", e.message);
	return true;
}

bool session_pin(PGconn *conn, enum session_use use, const char *client_encoding, const char *side,
		 struct db_error *err)
{
	int version = PQserverVersion(conn);
	unsigned bit = 1u << use;
	bool ok = true;
	struct db_error e;
	/* every setting is tried, so a server that refuses one still gets the
	 * others; the first failure is the one reported */
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
		const struct setting *s = &settings[i];
		if (!(s->uses & bit) || version < s->since)
			continue;
		if (!set_one(conn, side, s->name, use == SESSION_COMPARE ? s->compare : s->copy, &e)) {
			if (ok && err)
				*err = e;
			ok = false;
		}
	}
	if (!pin_float_digits(conn, use, side, &e)) {
		if (ok && err)
			*err = e;
		ok = false;
	}
	if (use != SESSION_CATALOG && !session_client_encoding(conn, client_encoding, side, &e)) {
		if (ok && err)
			*err = e;
		ok = false;
	}
	if (!ok && err)
		log_debug("%s", err->message);
	return ok;
}

bool session_client_encoding(PGconn *conn, const char *encoding, const char *side, struct db_error *err)
{
	const char *enc = encoding && encoding[0] ? encoding : PQparameterStatus(conn, "server_encoding");
	return !enc || set_one(conn, side, "client_encoding", enc, err);
}

void session_copy_sql(struct strbuf *out, int server_version)
{
	unsigned bit = USE_COPY;
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
		if ((settings[i].uses & bit) && server_version >= settings[i].since)
			strbuf_printf(out, "SET %s = '%s';\n", settings[i].name, settings[i].copy);
	strbuf_printf(out, "SET extra_float_digits = %d;\n", session_float_digits(server_version));
}
