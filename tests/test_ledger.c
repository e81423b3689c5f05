/* Unit tests: the access ledger as a new operator meets it.  One ledger per
 * state directory, whatever the configuration says now; a torn or garbled
 * ledger loses nothing that was written whole; the paths gp2adb puts into
 * shell commands survive hostile bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "access.h"
#include "journal.h"
#include "log.h"
#include "mem.h"
#include "ssh.h"
#include "strbuf.h"
#include "testutil.h"


/* A plan on state directory dir/sub, with the source spelled `src`. */
static void plan_at(struct plan *p, const char *dir, const char *sub, const char *src, const char *dstdb)
{
	plan_init(p);
	free(p->state_dir);
	p->state_dir = xasprintf("%s/%s", dir, sub);
	p->source.host = xstrdup(src);
	p->source.port = 5432;
	p->source.dbname = xstrdup("warehouse");
	p->destination.host = xstrdup("gp-x.gpdb.rds.aliyuncs.com");
	p->destination.dbname = xstrdup(dstdb);
}

/* The one ledger file under the plan's state directory. */
static char *ledger_file(const struct plan *p)
{
	char *pat = xasprintf("%s/*/ledger", p->state_dir);
	glob_t g;
	assert_int_equal(glob(pat, 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 1);
	char *path = xstrdup(g.gl_pathv[0]);
	globfree(&g);
	free(pat);
	return path;
}

static void append_bytes(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static size_t outstanding(const struct plan *p)
{
	struct access_ledger l;
	if (!access_list(p, &l))
		fail_msg("the ledger under %s could not be read", p->state_dir);
	size_t n = access_ledger_outstanding(&l);
	access_ledger_done(&l);
	return n;
}

/* An opening recorded with the source written 127.0.0.1 is still listed when
 * the same server is written localhost, or the destination database changed. */
static void test_every_spelling_sees_the_ledger(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	struct plan a, b, c;
	plan_at(&a, dir, "state", "127.0.0.1", "warehouse");
	plan_at(&b, dir, "state", "localhost", "warehouse");
	plan_at(&c, dir, "state", "127.0.0.1", "warehouse_v2");
	int id = 0;
	assert_true(access_record_operator(&a, ACCESS_WHITELIST, "0.0.0.0/0", "gp2adb_migration", &id));
	assert_int_equal(outstanding(&a), 1);
	assert_int_equal(outstanding(&b), 1);
	assert_int_equal(outstanding(&c), 1);
	/* and it is closed from any of them */
	assert_true(access_confirm_closed(&c, id));
	assert_int_equal(outstanding(&a), 0);
	plan_done(&a);
	plan_done(&b);
	plan_done(&c);
	free(dir);
}

/* Several processes, each with its own spelling of the endpoints, change one
 * ledger at once: every opening gets its own id, none is lost. */
static void test_concurrent_spellings_share_one_ledger(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	static const char *const spellings[] = { "127.0.0.1", "localhost", "mdw", "mdw.example.com" };
	enum { PROCS = 4, EACH = 6 };
	pid_t kids[PROCS];
	for (int k = 0; k < PROCS; k++) {
		kids[k] = fork();
		assert_true(kids[k] >= 0);
		if (kids[k] == 0) {
			struct plan p;
			plan_at(&p, dir, "state", spellings[k], "warehouse");
			int bad = 0;
			for (int i = 0; i < EACH; i++) {
				char cidr[32];
				snprintf(cidr, sizeof cidr, "10.%d.%d.0/24", k, i);
				bad += !access_record_operator(&p, ACCESS_WHITELIST, cidr, "gp2adb_migration", NULL);
			}
			plan_done(&p);
			_exit(bad);
		}
	}
	for (int k = 0; k < PROCS; k++) {
		int st = 0;
		assert_int_equal(waitpid(kids[k], &st, 0), kids[k]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	struct plan p;
	plan_at(&p, dir, "state", "somewhere-else", "warehouse");
	struct access_ledger l;
	assert_true(access_list(&p, &l));
	assert_int_equal(l.n, PROCS * EACH);
	for (int id = 1; id <= PROCS * EACH; id++)
		assert_non_null(access_ledger_find(&l, id));
	access_ledger_done(&l);
	plan_done(&p);
	free(dir);
}

/* A crash mid-append leaves a line without its end: the next append starts a
 * line of its own, and both the old and the new openings stay listed. */
static void test_torn_tail_then_append(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	struct plan p;
	plan_at(&p, dir, "state", "mdw", "warehouse");
	assert_true(access_record_operator(&p, ACCESS_WHITELIST, "10.0.0.0/8", "gp2adb_migration", NULL));
	char *path = ledger_file(&p);
	static const char torn[] = "v2 id=2 state=intent time=1700000000 kind=whitelist cidr=10.9";
	append_bytes(path, torn, sizeof torn - 1);
	assert_int_equal(outstanding(&p), 1);
	assert_true(access_record_operator(&p, ACCESS_PRIVILEGE, NULL, "superuser for mover", NULL));
	struct access_ledger l;
	assert_true(access_list(&p, &l));
	assert_int_equal(access_ledger_outstanding(&l), 2);
	assert_string_equal(access_ledger_find(&l, 1)->cidr, "10.0.0.0/8");
	const struct access_opening *priv = NULL;
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].kind == ACCESS_PRIVILEGE)
			priv = &l.v[i];
	assert_non_null(priv);
	assert_string_equal(priv->what, "superuser for mover");
	access_ledger_done(&l);
	free(path);
	plan_done(&p);
	free(dir);
}

/* Power loss can leave a zero-filled tail; what is appended after it is read. */
static void test_zero_filled_tail_then_append(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	struct plan p;
	plan_at(&p, dir, "state", "mdw", "warehouse");
	assert_true(access_record_operator(&p, ACCESS_WHITELIST, "10.0.0.0/8", "gp2adb_migration", NULL));
	char *path = ledger_file(&p);
	char zeros[4096];
	memset(zeros, 0, sizeof zeros);
	append_bytes(path, zeros, sizeof zeros);
	assert_int_equal(outstanding(&p), 1);
	int id = 0;
	assert_true(access_record_operator(&p, ACCESS_WHITELIST, "192.0.2.0/24", "gp2adb_migration", &id));
	assert_int_equal(outstanding(&p), 2);
	assert_true(access_confirm_closed(&p, id));
	assert_int_equal(outstanding(&p), 1);
	free(path);
	plan_done(&p);
	free(dir);
}

/* Garbage, NUL bytes and impossible events in the middle are reported and
 * skipped; every whole event around them is kept. */
static void test_garbage_in_the_middle_is_skipped(void **state)
{
	(void)state;
	static const char text[] =
		"v1 id=1 state=intent time=10 kind=pg_hba host=mdw cidr=10.0.0.0/8\n"
		"\x01\x02 not a ledger line \xff\n"
		"v1 id=1 state=done time=12 kind=pg_hba\n"
		"v1 id=9 state=done time=13 kind=whitelist what=gp2adb_migration cidr=0.0.0.0/0\n"
		"v1 id=1 state=intent time=14 kind=pg_hba\n"
		"v1 id=5 state=intent time=15 kind=privilege what=sup\0eruser\n"
		"v1 id=3 state=intent time=16 kind=whitelist what=g cidr=1.2.3.4/32\n";
	struct access_ledger l;
	access_ledger_init(&l);
	assert_false(access_ledger_parse_bytes(&l, text, sizeof text - 1, "ledger"));   /* damage reported */
	assert_int_equal(access_ledger_find(&l, 1)->state, ACCESS_DONE);
	/* a done whose intent was lost is still an opening: it is listed */
	assert_int_equal(access_ledger_find(&l, 9)->state, ACCESS_DONE);
	assert_null(access_ledger_find(&l, 5));
	assert_int_equal(access_ledger_find(&l, 3)->state, ACCESS_INTENT);
	assert_int_equal(l.damaged, 3);
	assert_int_equal(access_ledger_outstanding(&l), 3);
	access_ledger_done(&l);
}

/* Whatever bytes the ledger holds, reading it neither crashes nor leaks
 * (under ASan): a few thousand mutations of a valid ledger. */
static void test_ledger_reader_survives_mutations(void **state)
{
	(void)state;
	static const char base[] =
		"v2 id=1 state=intent time=10 kind=pg_hba by=gp2adb host=mdw path=/d/pg_hba.conf cidr=10.0.0.0/8 sum=0\n"
		"v2 id=1 state=done time=12 kind=pg_hba by=gp2adb host=mdw what=%23%20gp2adb%0A sum=0\n"
		"v1 id=2 state=intent time=13 kind=whitelist cidr=0.0.0.0/0 what=gp2adb_migration\n"
		"v1 id=2 state=restored time=14 kind=whitelist note=closed%20by%20hand\n";
	unsigned long long x = 88172645463325252ULL;
	log_set_console(LOG_ERROR, false);      /* thousands of warnings say nothing here */
	for (int round = 0; round < 3000; round++) {
		size_t n = sizeof base - 1;
		char *buf = xmalloc(n + 1);
		memcpy(buf, base, n + 1);
		int edits = 1 + round % 7;
		for (int e = 0; e < edits && n > 0; e++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			size_t at = (size_t)(x % n);
			switch ((x >> 32) % 4) {
			case 0: buf[at] = (char)(x >> 40); break;       /* any byte, NUL included */
			case 1: buf[at] = '\n'; break;
			case 2: buf[at] = '%'; break;
			default: n = at; break;                         /* cut short */
			}
		}
		struct access_ledger l;
		access_ledger_init(&l);
		access_ledger_parse_bytes(&l, buf, n, "fuzz");
		for (size_t i = 0; i < l.n; i++)
			assert_true(l.v[i].id > 0);
		access_ledger_done(&l);
		free(buf);
	}
	log_set_console(LOG_INFO, false);
}

static const struct access_opening *by_origin(const struct access_ledger *l, const char *origin)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].origin && strcmp(l->v[i].origin, origin) == 0)
			return &l->v[i];
	return NULL;
}

/* State directories of the previous version kept a ledger per migration
 * (<state_dir>/<migration id>/ledger).  Their openings are listed under any
 * spelling, copied into the one ledger once each, closed there, and an
 * older gp2adb closing one in its own ledger is seen too. */
static void test_older_ledgers_are_found(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	char *a = xasprintf("%s/state/m0123456789ab", dir), *b = xasprintf("%s/state/mba9876543210", dir);
	char *cmd = xasprintf("mkdir -p %s %s", a, b);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	char *fa = xasprintf("%s/ledger", a), *fb = xasprintf("%s/ledger", b);
	tu_write_file(fa,
		"v1 id=1 state=intent time=100 kind=pg_hba host=mdw path=/data/master/gpseg-1/pg_hba.conf "
		"cidr=10.0.0.0/8 what=%23%20gp2adb%20m0123456789ab%20opening%201%3A%0A sha_before=aa sha_after=bb\n"
		"v1 id=1 state=done time=101 kind=pg_hba opened=101\n"
		"v1 id=2 state=intent time=102 kind=whitelist cidr=0.0.0.0/0 what=gp2adb_migration\n"
		"v1 id=2 state=done time=103 kind=whitelist opened=103\n"
		"v1 id=3 state=intent time=104 kind=privilege what=superuser\n"
		"v1 id=3 state=restored time=105 kind=privilege\n", 0600);
	tu_write_file(fb,
		"v1 id=1 state=intent time=200 kind=whitelist cidr=203.0.113.7/32 what=gp2adb_migration\n"
		"v1 id=1 state=done time=201 kind=whitelist opened=201\n", 0600);
	struct plan p;
	plan_at(&p, dir, "state", "any-spelling", "warehouse");
	struct access_ledger l;
	for (int round = 0; round < 2; round++) {       /* copied once, not once per look */
		assert_true(access_list(&p, &l));
		assert_int_equal(l.n, 4);
		assert_int_equal(access_ledger_outstanding(&l), 3);
		const struct access_opening *hba = by_origin(&l, "m0123456789ab#1");
		assert_non_null(hba);
		assert_int_equal(hba->state, ACCESS_DONE);
		assert_true(hba->by_gp2adb);
		assert_string_equal(hba->migration, "m0123456789ab");
		assert_string_equal(hba->host, "mdw");
		char *bak = xasprintf("%s/pg_hba-1.orig", a);
		assert_string_equal(hba->backup, bak);
		free(bak);
		assert_int_equal(by_origin(&l, "m0123456789ab#3")->state, ACCESS_RESTORED);
		assert_false(by_origin(&l, "mba9876543210#1")->by_gp2adb);
		access_ledger_done(&l);
	}
	/* closed in the one ledger: the older ledger saying done does not reopen it */
	assert_true(access_list(&p, &l));
	int wl = by_origin(&l, "m0123456789ab#2")->id;
	access_ledger_done(&l);
	assert_true(access_confirm_closed(&p, wl));
	assert_int_equal(outstanding(&p), 2);
	/* an older gp2adb closes its own in its own ledger: seen here */
	static const char closed[] = "v1 id=1 state=restored time=300 kind=whitelist\n";
	append_bytes(fb, closed, sizeof closed - 1);
	assert_int_equal(outstanding(&p), 1);
	assert_true(access_list(&p, &l));
	assert_int_equal(l.n, 4);
	access_ledger_done(&l);
	plan_done(&p);
	free(fa);
	free(fb);
	free(a);
	free(b);
	free(dir);
}

/* The quoting every command sent over SSH relies on, through a real shell. */
static void test_shell_quote_survives_hostile_strings(void **state)
{
	(void)state;
	static const char *const hostile[] = {
		"plain", "", "it's", "'", "''", "a'b'c", "$(touch /tmp/gp2adb-pwned)", "`id`",
		"semi;colon", "back\\slash", "dq\"uote", "new\nline", "tab\there", "*?[", "-n", "~root",
		"!bang", "'; rm -rf / #", "x' \"$HOME\" '",
	};
	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		char *q = ssh_shell_quote(hostile[i]);
		char *cmd = xasprintf("printf '%%s' %s", q);
		FILE *f = popen(cmd, "r");
		assert_non_null(f);
		struct strbuf out;
		strbuf_init(&out);
		char chunk[256];
		size_t n;
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			strbuf_add(&out, chunk, n);
		assert_int_equal(pclose(f), 0);
		if (strcmp(out.data, hostile[i]) != 0)
			fail_msg("quoted %s came back as '%s'", q, out.data);
		strbuf_done(&out);
		free(cmd);
		free(q);
	}
	assert_int_not_equal(access("/tmp/gp2adb-pwned", F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_spelling_sees_the_ledger),
		cmocka_unit_test(test_concurrent_spellings_share_one_ledger),
		cmocka_unit_test(test_torn_tail_then_append),
		cmocka_unit_test(test_zero_filled_tail_then_append),
		cmocka_unit_test(test_garbage_in_the_middle_is_skipped),
		cmocka_unit_test(test_ledger_reader_survives_mutations),
		cmocka_unit_test(test_older_ledgers_are_found),
		cmocka_unit_test(test_shell_quote_survives_hostile_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
