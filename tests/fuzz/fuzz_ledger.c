/* fuzz_ledger: the access ledger reader (src/access.c) on any text.
 * Checked: a ledger that parses holds openings with distinct ids in range
 * and known kinds and states; and every line that parses as an event comes
 * back the same through access_event_format: parse(format(e)) == e. */
#include "fuzz.h"
#include "access.h"
#include "log.h"

#include <stdbool.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	log_set_console(LOG_ERROR, true);
	return 0;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_event(const char *line)
{
	struct access_opening e, back;
	char err[200] = "";
	if (!access_event_parse(line, &e, err, sizeof err)) {
		FUZZ_CHECK(err[0] != '\0', "an event refused without a reason");
		return;
	}
	char *text = access_event_format(&e);
	FUZZ_CHECK(!strchr(text, '\n'), "a formatted event spans lines: %s", text);
	FUZZ_CHECK(access_event_parse(text, &back, err, sizeof err), "'%s' does not parse back: %s", text, err);
	FUZZ_CHECK(back.id == e.id && back.kind == e.kind && back.state == e.state && back.time == e.time &&
		   back.opened == e.opened && same_str(back.host, e.host) && same_str(back.path, e.path) &&
		   same_str(back.cidr, e.cidr) && same_str(back.what, e.what) &&
		   same_str(back.sha_before, e.sha_before) && same_str(back.sha_after, e.sha_after) &&
		   same_str(back.note, e.note), "'%s' parses back as another event", text);
	char *again = access_event_format(&back);
	FUZZ_CHECK(strcmp(text, again) == 0, "formatting is not stable: '%s' then '%s'", text, again);
	free(again);
	free(text);
	access_opening_done(&back);
	access_opening_done(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size);

	struct access_ledger l;
	access_ledger_init(&l);
	if (access_ledger_parse(&l, text, "fuzz/ledger")) {
		for (size_t i = 0; i < l.n; i++) {
			const struct access_opening *o = &l.v[i];
			FUZZ_CHECK(o->id > 0 && o->id <= 1000000, "opening id %d", o->id);
			FUZZ_CHECK((unsigned)o->kind <= ACCESS_PRIVILEGE && (unsigned)o->state <= ACCESS_CANCELLED,
				   "opening %d: kind %d, state %d", o->id, o->kind, o->state);
			for (size_t k = 0; k < i; k++)
				FUZZ_CHECK(l.v[k].id != o->id, "opening %d listed twice", o->id);
			FUZZ_CHECK(access_ledger_find(&l, o->id) == o, "opening %d not found", o->id);
		}
		FUZZ_CHECK(access_ledger_outstanding(&l) <= l.n, "more outstanding than openings");
	}
	access_ledger_done(&l);

	for (char *line = text, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		check_event(line);
		if (!nl)
			break;
	}
	free(text);
	return 0;
}
