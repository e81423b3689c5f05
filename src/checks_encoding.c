/* Check encoding.mismatch: the two databases' server encodings, whether
 * text can be converted between them, and what the copy does about it
 * (encoding.h). */
#include "preflight_int.h"
#include "encoding.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID "encoding.mismatch"

static const char REMEDY_UTF8[] =
	"Create the destination database with ENCODING 'UTF8' (every encoding converts to it), "
	"apply the schema there and copy again.";

/* Whether conn has a conversion from one encoding to the other; a finding
 * when it cannot be read. */
static bool conversion(struct pf *pf, PGconn *conn, const char *from, const char *to, bool *found)
{
	struct db_error err;
	if (encoding_conversion_exists(conn, from, to, found, &err))
		return true;
	char text[600];
	pf_add(pf, ID, SEV_WARN, "This check could not run",
	       xasprintf("Reading the %s's conversions from %s to %s failed: %s",
			 conn == pf->src ? "source" : "destination", from, to, db_error_text(&err, text, sizeof text)),
	       "Check that the account can read pg_conversion, then run the check again.", NULL);
	return false;
}

static void declared(struct pf *pf, const struct encoding_plan *e)
{
	bool found;
	if (!conversion(pf, pf->dst, e->declared, e->destination, &found))
		return;
	if (!found) {
		pf_add(pf, ID, SEV_FAIL, "The destination cannot convert the declared encoding",
		       xasprintf("The source is SQL_ASCII, declared as %s (migration.source_encoding), and the "
				 "destination has no conversion from %s to its %s.", e->declared, e->declared,
				 e->destination),
		       REMEDY_UTF8, NULL);
		return;
	}
	char *embeds = encoding_embeds_ascii(e->declared)
		? xasprintf(" A %s character whose second byte is a backslash (0x5c) is carried in plain "
			    "columns only: in an array or a composite value the source, which takes it for "
			    "ASCII, escapes that byte and the value fails to load.", e->declared)
		: xstrdup("");
	pf_add(pf, ID, SEV_INFO, "The SQL_ASCII source is declared as holding another encoding",
	       xasprintf("The source's encoding is SQL_ASCII, declared as %s (migration.source_encoding). "
			 "The copy's sessions use client_encoding %s on both sides: the source sends its "
			 "bytes as they are and the destination converts them to %s; a table holding bytes "
			 "that are not valid %s fails (22021 or 22P05, with the bytes named) and the others "
			 "go on. Tables are copied in text format.%s",
			 e->declared, e->wire, e->destination, e->declared, embeds),
	       NULL, NULL);
	free(embeds);
}

static void converted(struct pf *pf, const struct encoding_plan *e)
{
	bool found;
	if (!conversion(pf, pf->src, e->source, e->destination, &found))
		return;
	if (!found) {
		pf_add(pf, ID, SEV_FAIL, "The source cannot convert its text to the destination's encoding",
		       xasprintf("The source database's encoding is %s, the destination's is %s, and the source "
				 "has no conversion between them: copied as they are, the source's bytes would "
				 "be stored as %s characters they are not.", e->source, e->destination,
				 e->destination),
		       REMEDY_UTF8, NULL);
		return;
	}
	bool into_utf8 = strcmp(e->destination, "UTF8") == 0;
	char *detail = xasprintf("The source database's encoding is %s, the destination's is %s. The copy's "
				 "source sessions use client_encoding %s, so the source converts its text on the "
				 "way; a character without an equivalent fails its table (22P05, with the bytes "
				 "named) and the others go on. Tables are copied in text format.%s",
				 e->source, e->destination, e->wire,
				 into_utf8 ? "" : " Not every character has an equivalent outside UTF8.");
	if (into_utf8)
		pf_add(pf, ID, SEV_INFO, "Text is converted to the destination's encoding", detail, NULL, NULL);
	else
		pf_add(pf, ID, SEV_WARN, "Text is converted into an encoding that may lack some characters",
		       detail, REMEDY_UTF8, NULL);
}

void check_encoding(struct pf *pf)
{
	if (!pf->dst)
		return;
	struct encoding_plan e;
	encoding_decide(encoding_of(pf->src), encoding_of(pf->dst), pf->plan ? pf->plan->source_encoding : NULL, &e);
	enum copy_format format = pf->plan ? pf->plan->format : FORMAT_AUTO;
	char *problem = encoding_problem(&e, format);
	switch (e.verdict) {
	case ENC_UNDECLARED:
		pf_add(pf, ID, SEV_FAIL, "The source is SQL_ASCII: its text's real encoding is unknown",
		       xasprintf("The source database's encoding is SQL_ASCII, so it accepted any bytes and "
				 "cannot convert them; the destination's is %s. Copied as they are, text that is "
				 "not valid %s fails (22021), or worse, passes as other characters.",
				 e.destination, e.destination),
		       "Find out which encoding the applications wrote and set migration.source_encoding "
		       "to it (\"UTF8\" when the text is UTF-8 or plain ASCII; \"GBK\", \"LATIN1\", ...): "
		       "the destination then converts it and a table holding bytes that are not valid in "
		       "it fails.", NULL);
		break;
	case ENC_CONFLICT:
		pf_add(pf, ID, SEV_FAIL, "migration.source_encoding contradicts the source",
		       problem ? xstrdup(problem) : NULL,
		       "Remove migration.source_encoding: the source converts its own text.", NULL);
		break;
	case ENC_SAME:
		pf_add(pf, ID, SEV_OK, "Both databases use the same encoding",
		       xasprintf("%s on both sides%s.", e.source,
				 strcmp(e.source, "SQL_ASCII") == 0 ? ": bytes are copied as they are" : ""),
		       NULL, NULL);
		break;
	case ENC_INTO_SQL_ASCII: {
		char *remedy = xasprintf("Create the destination database with ENCODING '%s' or 'UTF8'.", e.source);
		pf_add(pf, ID, SEV_WARN, "The destination database is SQL_ASCII",
		       xasprintf("It stores the source's %s bytes unchecked: whoever reads them must know they "
				 "are %s.", e.source, e.source),
		       remedy, NULL);
		free(remedy);
		break;
	}
	case ENC_DECLARED:
		declared(pf, &e);
		break;
	case ENC_CONVERT:
		converted(pf, &e);
		break;
	}
	if (problem && format == FORMAT_BINARY && encoding_converts(&e))
		pf_add(pf, ID, SEV_FAIL, "Binary COPY cannot convert the text",
		       xstrdup(problem), "Set migration.format to \"auto\" or \"text\".", NULL);
	free(problem);
}
