/* The access ledger as a new operator meets it, against the harness's real
 * PostgreSQL source and real sshd hosts (tests/hbatest.h): an opening is
 * found and closed whatever the configuration says now, where it was made;
 * closing needs SSH only; a file put back by hand is still reloaded; a
 * symlinked pg_hba.conf stays a link; a line someone reformatted is reported,
 * not called restored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hbatest.h"
#include "journal.h"
#include "mem.h"
#include "strbuf.h"

static int setup(void **state)
{
	(void)state;
	ht_setup();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ht_teardown();
	return 0;
}

static const char *const OPEN[] = { "open-access", "--pg-hba", "127.0.0.1/32", NULL };
static const char *const RESTORE[] = { "restore-access", NULL };
static const char *const STATUS[] = { "status", NULL };
static const char *const JSON_STATUS[] = { "--json", "status", NULL };

/* Replace the first `from` in the file with `to`; fails the test when absent. */
static void edit_hba(const char *path, const char *from, const char *to)
{
	char *text = tu_read_file(path);
	char *at = strstr(text, from);
	if (!at)
		fail_msg("%s holds no '%s':\n%s", path, from, text);
	char *next = xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	tu_write_file(path, next, 0600);
	free(next);
	free(text);
}

/* Item 1 and 2: the opening was made with the source spelled as its socket
 * directory and ssh.master 127.0.0.2; the configuration now spells the same
 * server 127.0.0.1, names another destination database and an ssh.master
 * nobody listens on.  status, --json status and restore-access still find
 * the opening, and it is closed on the host where it was made. */
static void test_another_spelling_finds_and_closes_it(void **state)
{
	(void)state;
	ht_reset();
	struct tu_run r;
	char *a = ht_conf("spell-a", &(struct ht_conf){ .state = "spell" });
	ht_expect(&r, 0, a, OPEN);
	assert_non_null(strstr(r.out, "Opened #1"));
	tu_run_done(&r);
	assert_true(ht_admitted(NULL, 0));

	char *b = ht_conf("spell-b", &(struct ht_conf){ .src_host = "127.0.0.1", .password = "mover-pw",
		.dst_db = "elsewhere", .ssh_master = "127.0.0.6", .ssh_port = 1, .state = "spell" });
	const char *status_b[] = { "-c", b, "status", NULL };
	tu_run_gp2adb(&r, status_b);     /* the destination database does not exist: exit 5 */
	if (strncmp(r.out, "access       1 OPEN", 19) != 0)
		fail_msg("status under another spelling:\n%s\n%s", r.out, r.err);
	assert_non_null(strstr(r.out, "#1 pg_hba rule on 127.0.0.2:"));
	tu_run_done(&r);
	const char *json_b[] = { "-c", b, "--json", "status", NULL };
	tu_run_gp2adb(&r, json_b);
	assert_non_null(strstr(r.out, "\"host\": \"127.0.0.2\""));
	assert_non_null(strstr(r.out, "\"made_by\": \"gp2adb\""));
	tu_run_done(&r);

	ht_expect(&r, 0, b, RESTORE);
	assert_non_null(strstr(r.out, "  restored"));
	assert_non_null(strstr(r.out, "1 of 1 openings closed."));
	tu_run_done(&r);
	ht_assert_restored();
	ht_expect(&r, 0, a, STATUS);
	assert_true(strncmp(r.out, "access       none outstanding", 29) == 0);
	tu_run_done(&r);
	free(a);
	free(b);
}

/* Item 3: the DBA copied the original bytes back by hand but never reloaded:
 * the rule is still loaded.  restore-access reloads, and only then says so. */
static void test_a_file_put_back_by_hand_is_still_reloaded(void **state)
{
	(void)state;
	ht_reset();
	struct tu_run r;
	char *conf = ht_conf("byhand", &(struct ht_conf){ .state = "byhand" });
	ht_expect(&r, 0, conf, OPEN);
	tu_run_done(&r);
	tu_write_file(ht.hba, ht.orig, 0600);
	assert_true(ht_admitted(NULL, 0));      /* the running server still has the rule */
	ht_expect(&r, 0, conf, RESTORE);
	assert_non_null(strstr(r.out, "  restored"));
	tu_run_done(&r);
	ht_assert_restored();
	free(conf);
}

/* Item 4: gp2adb reaches the source over TCP as mover, and once the operator
 * dropped their temporary line, gp2adb's own rule is what lets it in.
 * Closing that rule needs SSH only, and is verified without it. */
static void test_closing_needs_only_ssh(void **state)
{
	(void)state;
	ht_reset();
	static const char operator_line[] = "host    all   mover     127.0.0.1/32  md5\n";
	char *with_op = xasprintf("%s\n%s", ht.orig, operator_line);
	tu_write_file(ht.hba, with_op, 0600);
	assert_true(ht_reload_and_wait(true));
	struct tu_run r;
	char *conf = ht_conf("tcp", &(struct ht_conf){ .src_host = "127.0.0.1", .password = "mover-pw",
		.state = "tcp" });
	ht_expect(&r, 0, conf, OPEN);
	tu_run_done(&r);
	edit_hba(ht.hba, operator_line, "");
	assert_true(ht_reload_and_wait(true));  /* gp2adb's rule alone admits mover now */

	ht_expect(&r, 0, conf, RESTORE);
	assert_non_null(strstr(r.out, "  restored"));
	tu_run_done(&r);
	/* only gp2adb's lines went: what is left is the operator's file as they edited it */
	char *now = tu_read_file(ht.hba);
	char *want = xasprintf("%s\n", ht.orig);
	assert_string_equal(now, want);
	char why[300];
	assert_false(ht_admitted(why, sizeof why));
	assert_non_null(strstr(why, "no pg_hba.conf entry"));
	free(want);
	free(now);
	free(with_op);
	free(conf);
}

/* Item 6: a pg_hba.conf that is a symlink stays one; its target is edited
 * and gets back its exact bytes. */
static void test_a_symlinked_file_stays_a_link(void **state)
{
	(void)state;
	ht_reset();
	char *store = xasprintf("%s/hba-store", ht.data);
	char *target = xasprintf("%s/pg_hba.conf", store);
	mkdir(store, 0700);
	char *cmd = xasprintf("mv %s %s && ln -s hba-store/pg_hba.conf %s && chown -h postgres %s %s %s",
			      ht.hba, target, ht.hba, store, target, ht.hba);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_true(ht_reload_and_wait(false));
	struct tu_run r;
	char *conf = ht_conf("link", &(struct ht_conf){ .state = "link" });
	ht_expect(&r, 0, conf, OPEN);
	tu_run_done(&r);
	assert_true(ht_is_symlink(ht.hba));
	char *opened = tu_read_file(target);
	assert_true(strncmp(opened, ht.orig, strlen(ht.orig)) == 0);
	assert_non_null(strstr(opened, "127.0.0.1/32    md5    # gp2adb"));
	free(opened);
	assert_true(ht_admitted(NULL, 0));

	ht_expect(&r, 0, conf, RESTORE);
	tu_run_done(&r);
	assert_true(ht_is_symlink(ht.hba));
	ht_assert_restored();           /* read through the link */
	char *back = tu_read_file(target);
	assert_string_equal(back, ht.orig);
	free(back);
	ht_reset();
	free(conf);
	free(target);
	free(store);
}

/* Item 6: someone reformatted gp2adb's rule line.  restore-access removes
 * only exact text, so it cannot close this one: it says which line is left,
 * where, and leaves the opening outstanding.  Once that line is gone by
 * hand, restore-access finishes the job. */
static void test_a_reformatted_line_is_not_called_restored(void **state)
{
	(void)state;
	ht_reset();
	struct tu_run r;
	char *conf = ht_conf("reformat", &(struct ht_conf){ .state = "reformat" });
	ht_expect(&r, 0, conf, OPEN);
	tu_run_done(&r);
	edit_hba(ht.hba, "host    all    mover    127.0.0.1/32    md5    # gp2adb",
		 "host all mover 127.0.0.1/32 md5 # gp2adb");
	char *edited = tu_read_file(ht.hba);

	ht_expect(&r, 1, conf, RESTORE);
	assert_non_null(strstr(r.out, "NOT restored"));
	char *where = xasprintf("%s:5: host all mover 127.0.0.1/32 md5 # gp2adb", ht.hba);
	if (!strstr(r.out, where) && !strstr(r.err, where))
		fail_msg("restore-access does not name %s\n%s\n%s", where, r.out, r.err);
	assert_non_null(strstr(r.out, "0 of 1 openings closed."));
	tu_run_done(&r);
	char *now = tu_read_file(ht.hba);
	assert_string_equal(now, edited);       /* left as it was */
	free(now);
	ht_expect(&r, 0, conf, STATUS);
	assert_true(strncmp(r.out, "access       1 OPEN", 19) == 0);
	assert_non_null(strstr(r.out, "#1 pg_hba rule"));
	assert_non_null(strstr(r.out, "(closing started at "));
	assert_non_null(strstr(r.out, where));          /* what the last attempt found */
	assert_null(strstr(r.out, "UNKNOWN"));
	tu_run_done(&r);
	ht_expect(&r, 0, conf, JSON_STATUS);
	assert_non_null(strstr(r.out, "\"note\": "));
	tu_run_done(&r);

	/* the operator removes the line they reformatted */
	char *line = strstr(edited, "host all mover");
	char *nl = strchr(line, '\n');
	char *cut = xasprintf("%.*s%s", (int)(line - edited), edited, nl + 1);
	tu_write_file(ht.hba, cut, 0600);
	ht_expect(&r, 0, conf, RESTORE);
	assert_non_null(strstr(r.out, "  restored"));
	tu_run_done(&r);
	now = tu_read_file(ht.hba);
	char *want = xasprintf("%s\n", ht.orig);
	assert_string_equal(now, want);
	free(want);
	free(now);
	assert_false(ht_admitted(NULL, 0));
	free(cut);
	free(where);
	free(edited);
	free(conf);
}

/* %-escape a ledger value as every version writes it. */
static char *esc(const char *v)
{
	struct strbuf sb;
	strbuf_init(&sb);
	for (const unsigned char *c = (const unsigned char *)v; *c; c++)
		if (*c <= ' ' || *c == '%' || *c == '=' || *c == 0x7f)
			strbuf_printf(&sb, "%%%02X", *c);
		else
			strbuf_putc(&sb, (char)*c);
	return strbuf_finish(&sb);
}

/* An opening the previous version made and recorded in its per-migration
 * ledger (state/<migration id>/ledger, no data directory, ssh user or port
 * in it) is listed and closed. */
static void test_an_opening_of_the_previous_version_is_closed(void **state)
{
	(void)state;
	ht_reset();
	static const char mid[] = "m0123456789ab";
	char *appended = xasprintf("\n# gp2adb %s opening 1: for the migration; 'gp2adb restore-access' removes it\n"
				   "host    all    mover    127.0.0.1/32    md5    # gp2adb %s #1\n", mid, mid);
	char *opened = xasprintf("%s%s", ht.orig, appended);
	tu_write_file(ht.hba, opened, 0600);
	assert_true(ht_reload_and_wait(true));
	char before[65], after[65];
	journal_sha256_hex(ht.orig, strlen(ht.orig), before);
	journal_sha256_hex(opened, strlen(opened), after);
	char *dir = xasprintf("%s/older/%s", ht.work, mid);
	char *cmd = xasprintf("mkdir -p %s", dir);
	assert_int_equal(system(cmd), 0);
	char *saved = xasprintf("%s/pg_hba-1.orig", dir);
	tu_write_file(saved, ht.orig, 0600);
	char *path = esc(ht.hba), *what = esc(appended);
	char *ledger = xasprintf(
		"v1 id=1 state=intent time=1700000000 kind=pg_hba host=127.0.0.2 path=%s cidr=127.0.0.1/32 what=%s "
		"sha_before=%s sha_after=%s\n"
		"v1 id=1 state=done time=1700000001 kind=pg_hba opened=1700000001\n", path, what, before, after);
	char *file = xasprintf("%s/ledger", dir);
	tu_write_file(file, ledger, 0600);

	struct tu_run r;
	char *conf = ht_conf("older", &(struct ht_conf){ .state = "older" });
	ht_expect(&r, 0, conf, STATUS);
	assert_true(strncmp(r.out, "access       1 OPEN", 19) == 0);
	assert_non_null(strstr(r.out, "#1 pg_hba rule on 127.0.0.2:"));
	tu_run_done(&r);
	ht_expect(&r, 0, conf, RESTORE);
	assert_non_null(strstr(r.out, "  restored"));
	tu_run_done(&r);
	ht_assert_restored();
	ht_expect(&r, 0, conf, STATUS);
	assert_true(strncmp(r.out, "access       none outstanding", 29) == 0);
	tu_run_done(&r);
	free(conf);
	free(file);
	free(ledger);
	free(path);
	free(what);
	free(saved);
	free(cmd);
	free(dir);
	free(opened);
	free(appended);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_another_spelling_finds_and_closes_it),
		cmocka_unit_test(test_a_file_put_back_by_hand_is_still_reloaded),
		cmocka_unit_test(test_closing_needs_only_ssh),
		cmocka_unit_test(test_a_symlinked_file_stays_a_link),
		cmocka_unit_test(test_a_reformatted_line_is_not_called_restored),
		cmocka_unit_test(test_an_opening_of_the_previous_version_is_closed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
