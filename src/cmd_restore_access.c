/* gp2adb restore-access: undo gp2adb's openings, walk the operator through
 * theirs.  Safe to run twice: what is closed stays closed. */
#include "access.h"
#include "cmd.h"
#include "exitcode.h"
#include "journal.h"
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool cmd_confirm(const char *question, bool yes)
{
	if (yes)
		return true;
	if (!isatty(STDIN_FILENO))
		return false;
	printf("%s [y/N] ", question);
	fflush(stdout);
	char line[32];
	if (!fgets(line, sizeof line, stdin))
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

/* The ledger's note on opening id (what is left, and where), indented. */
static void print_note(const struct plan *p, int id)
{
	struct access_ledger l;
	if (!access_list(p, &l))
		return;
	const struct access_opening *o = access_ledger_find(&l, id);
	for (const char *n = o && o->note ? o->note : ""; *n;) {
		size_t len = strcspn(n, "\n");
		printf("    %.*s\n", (int)len, n);
		n += len + (n[len] == '\n');
	}
	access_ledger_done(&l);
}

int cmd_restore_access(struct cli *cli)
{
	struct plan *p = &cli->plan;
	struct access_ledger l;
	if (!access_list(p, &l))
		return EXIT_USAGE;
	size_t total = access_ledger_outstanding(&l);
	if (total == 0) {
		printf("No access openings are outstanding under %s.\n", p->state_dir);
		access_ledger_done(&l);
		return EXIT_OK;
	}
	size_t closed = 0;
	bool host_failed = false, left = false;
	for (size_t i = 0; i < l.n; i++) {
		struct access_opening *o = &l.v[i];
		if (!access_outstanding(o))
			continue;
		struct strbuf sb;
		strbuf_init(&sb);
		access_describe(o, &sb);
		printf("%s\n", sb.data);
		strbuf_reset(&sb);
		if (access_made_by_gp2adb(o) && o->kind != ACCESS_PG_HBA) {
			/* gp2adb undoes only pg_hba openings itself in this build */
			access_steps_close(o, &sb);
			printf("  NOT restored: this build cannot undo it; %s", sb.data);
		} else if (access_made_by_gp2adb(o)) {
			enum access_failure f = access_restore_pg_hba(p, o->id);
			if (f == ACCESS_OK) {
				printf("  restored\n");
				closed++;
			} else if (f == ACCESS_FAIL_LEFT) {
				left = true;
				printf("  NOT restored:\n");
				print_note(p, o->id);
			} else {
				host_failed |= f == ACCESS_FAIL_HOST || f == ACCESS_FAIL_CONNECT;
				printf("  NOT restored (see the error above); run restore-access again once it is fixed\n");
			}
		} else {
			access_steps_close(o, &sb);
			printf("  %s", sb.data);
			if (cmd_confirm("  Is it closed?", p->yes) && access_confirm_closed(p, o->id)) {
				printf("  recorded as closed\n");
				closed++;
			} else {
				printf("  still open: confirm with 'gp2adb restore-access -y' once you have closed it\n");
			}
		}
		strbuf_done(&sb);
	}
	access_ledger_done(&l);
	printf("%zu of %zu openings closed.\n", closed, total);
	if (closed == total)
		return EXIT_OK;
	return host_failed && !left ? EXIT_SSH : EXIT_USAGE;
}
