/* encoding: see encoding.h.  Names and aliases follow PostgreSQL's own
 * (src/common/encnames.c): case and punctuation do not matter. */
#include "encoding.h"

#include "mem.h"
#include "session.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Server encodings, then the client-only ones (from SJIS on). */
static const char *const names[] = {
	"SQL_ASCII", "UTF8", "EUC_JP", "EUC_CN", "EUC_KR", "EUC_TW", "EUC_JIS_2004", "MULE_INTERNAL",
	"LATIN1", "LATIN2", "LATIN3", "LATIN4", "LATIN5", "LATIN6", "LATIN7", "LATIN8", "LATIN9",
	"LATIN10", "WIN1256", "WIN1258", "WIN866", "WIN874", "KOI8R", "WIN1251", "WIN1252",
	"ISO_8859_5", "ISO_8859_6", "ISO_8859_7", "ISO_8859_8", "WIN1250", "WIN1253", "WIN1254",
	"WIN1255", "WIN1257", "KOI8U",
	"SJIS", "BIG5", "GBK", "UHC", "GB18030", "JOHAB", "SHIFT_JIS_2004",
};
#define FIRST_CLIENT_ONLY 35

static const struct { const char *alias, *name; } aliases[] = {
	{ "unicode", "UTF8" }, { "abc", "WIN1258" }, { "alt", "WIN866" }, { "tcvn", "WIN1258" },
	{ "tcvn5712", "WIN1258" }, { "vscii", "WIN1258" }, { "win", "WIN1251" }, { "koi8", "KOI8R" },
	{ "iso88591", "LATIN1" }, { "iso88592", "LATIN2" }, { "iso88593", "LATIN3" },
	{ "iso88594", "LATIN4" }, { "iso88599", "LATIN5" }, { "iso885910", "LATIN6" },
	{ "iso885913", "LATIN7" }, { "iso885914", "LATIN8" }, { "iso885915", "LATIN9" },
	{ "iso885916", "LATIN10" }, { "mskanji", "SJIS" }, { "shiftjis", "SJIS" },
	{ "win932", "SJIS" }, { "windows932", "SJIS" }, { "win936", "GBK" }, { "windows936", "GBK" },
	{ "cp936", "GBK" }, { "win949", "UHC" }, { "windows949", "UHC" }, { "win950", "BIG5" },
	{ "windows950", "BIG5" }, { "windows1250", "WIN1250" }, { "windows1251", "WIN1251" },
	{ "windows1252", "WIN1252" }, { "windows1253", "WIN1253" }, { "windows1254", "WIN1254" },
	{ "windows1255", "WIN1255" }, { "windows1256", "WIN1256" }, { "windows1257", "WIN1257" },
	{ "windows1258", "WIN1258" }, { "windows866", "WIN866" }, { "windows874", "WIN874" },
};

/* Lower case, letters and digits only: "ISO_8859-1" -> "iso88591". */
static void clean(const char *in, char *out, size_t size)
{
	size_t n = 0;
	for (; *in && n + 1 < size; in++)
		if (isalnum((unsigned char)*in))
			out[n++] = (char)tolower((unsigned char)*in);
	out[n] = '\0';
}

bool encoding_canonical(const char *name, char *out, size_t size)
{
	char want[64], c[64];
	if (!name || strlen(name) >= sizeof want)
		return false;
	clean(name, want, sizeof want);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		clean(names[i], c, sizeof c);
		if (strcmp(c, want) == 0) {
			snprintf(out, size, "%s", names[i]);
			return true;
		}
	}
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
		if (strcmp(aliases[i].alias, want) == 0) {
			snprintf(out, size, "%s", aliases[i].name);
			return true;
		}
	}
	return false;
}

bool encoding_embeds_ascii(const char *canonical)
{
	for (size_t i = FIRST_CLIENT_ONLY; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i], canonical) == 0)
			return true;
	return false;
}

static bool same(const char *a, const char *b)
{
	char x[32], y[32];
	if (!encoding_canonical(a, x, sizeof x) || !encoding_canonical(b, y, sizeof y))
		return strcmp(a, b) == 0;
	return strcmp(x, y) == 0;
}

void encoding_decide(const char *source, const char *destination, const char *declared,
		     struct encoding_plan *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->source, sizeof out->source, "%s", source ? source : "");
	snprintf(out->destination, sizeof out->destination, "%s", destination ? destination : "");
	if (declared && declared[0] && !encoding_canonical(declared, out->declared, sizeof out->declared))
		snprintf(out->declared, sizeof out->declared, "%s", declared);
	bool src_ascii = same(out->source, "SQL_ASCII"), dst_ascii = same(out->destination, "SQL_ASCII");
	const char *wire = out->source;
	if (src_ascii && dst_ascii) {
		out->verdict = ENC_SAME;
	} else if (src_ascii) {
		out->verdict = out->declared[0] ? ENC_DECLARED : ENC_UNDECLARED;
		wire = out->declared[0] ? out->declared : out->destination;
	} else if (out->declared[0] && !same(out->declared, out->source)) {
		out->verdict = ENC_CONFLICT;
	} else if (same(out->source, out->destination)) {
		out->verdict = ENC_SAME;
	} else if (dst_ascii) {
		out->verdict = ENC_INTO_SQL_ASCII;
	} else {
		out->verdict = ENC_CONVERT;
		wire = out->destination;
	}
	snprintf(out->wire, sizeof out->wire, "%s", wire);
}

bool encoding_converts(const struct encoding_plan *e)
{
	return e->verdict == ENC_CONVERT || e->verdict == ENC_DECLARED;
}

bool encoding_blocks(const struct encoding_plan *e)
{
	return e->verdict == ENC_UNDECLARED || e->verdict == ENC_CONFLICT;
}

static const char SQL_CONVERSION[] =
	"SELECT count(*) FROM pg_catalog.pg_conversion\n"
	"WHERE conforencoding = pg_catalog.pg_char_to_encoding($1)\n"
	"  AND contoencoding = pg_catalog.pg_char_to_encoding($2)\n"
	"  AND condefault";

bool encoding_conversion_exists(PGconn *conn, const char *from, const char *to, bool *found,
				struct db_error *err)
{
	*found = true;
	if (same(from, to) || same(from, "SQL_ASCII") || same(to, "SQL_ASCII"))
		return true;
	const char *params[2] = { from, to };
	PGresult *r = db_query(conn, SQL_CONVERSION, 2, params, err);
	if (!r)
		return false;
	*found = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "0") != 0;
	PQclear(r);
	return true;
}

const char *encoding_of(PGconn *conn)
{
	const char *e = conn ? PQparameterStatus(conn, "server_encoding") : NULL;
	return e ? e : "";
}

char *encoding_problem(const struct encoding_plan *e, enum copy_format format)
{
	switch (e->verdict) {
	case ENC_UNDECLARED:
		return xasprintf("the source database's encoding is SQL_ASCII: its text is bytes no server has "
				 "checked, and the destination's encoding is %s. Set migration.source_encoding to "
				 "the encoding the applications wrote (\"UTF8\" when the text is UTF-8 or plain "
				 "ASCII; \"GBK\", \"LATIN1\", ...): gp2adb then has the destination convert it, "
				 "and a table holding bytes that are not valid in it fails",
				 e->destination);
	case ENC_CONFLICT:
		return xasprintf("migration.source_encoding is %s, but the source database's encoding is %s: "
				 "the key is for SQL_ASCII sources only; remove it", e->declared, e->source);
	default:
		break;
	}
	if (format == FORMAT_BINARY && encoding_converts(e))
		return xasprintf("migration.format is binary, but text changes encoding on the way (%s on the "
				 "source, %s on the destination) and binary COPY converts only some types; set "
				 "format to \"auto\" or \"text\"",
				 e->verdict == ENC_DECLARED ? e->declared : e->source, e->destination);
	return NULL;
}

bool encoding_prepare(PGconn *src, PGconn *dst, const struct plan *p, struct encoding_plan *out,
		      char *err, size_t errsize)
{
	encoding_decide(encoding_of(src), encoding_of(dst), p->source_encoding, out);
	char *problem = encoding_problem(out, p->format);
	if (problem) {
		snprintf(err, errsize, "%s", problem);
		free(problem);
		return false;
	}
	PGconn *conns[2] = { src, dst };
	static const char *const sides[] = { "source", "destination" };
	for (int s = 0; s < 2; s++) {
		struct db_error e;
		if (session_client_encoding(conns[s], out->wire, sides[s], &e))
			continue;
		const char *from = s == 0 ? out->source : out->wire;
		const char *to = s == 0 ? out->wire : out->destination;
		snprintf(err, errsize, "the %s cannot convert text from %s to %s: %s; create the destination "
			 "database with ENCODING 'UTF8', which every encoding converts to",
			 sides[s], from, to, e.message);
		return false;
	}
	return true;
}
