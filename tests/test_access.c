/* Unit tests: the access ledger's line format and state machine, the journal's
 * files, fingerprints and key detection, small parsers of install. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "access.h"
#include "install.h"
#include "journal.h"
#include "mem.h"
#include "ssh.h"
#include "testutil.h"

static void test_event_roundtrip(void **state)
{
	(void)state;
	struct access_opening o = { 0 };
	o.id = 7;
	o.kind = ACCESS_PG_HBA;
	o.state = ACCESS_DONE;
	o.time = 1700000000;
	o.opened = 1699999999;
	o.host = "mdw";
	o.path = "/data/master/gpseg-1/pg_hba.conf";
	o.cidr = "10.0.0.0/8";
	o.what = "# gp2adb x opening 7: 100% = sure\nhost    all    gpadmin    10.0.0.0/8    md5\n";
	o.note = "tab\there";
	char *line = access_event_format(&o);
	/* one line, no raw spaces inside values */
	assert_null(strchr(line, '\n'));
	assert_non_null(strstr(line, "what=#%20gp2adb%20x"));
	assert_non_null(strstr(line, "100%25%20%3D%20sure%0Ahost"));
	struct access_opening back;
	char err[200];
	assert_true(access_event_parse(line, &back, err, sizeof err));
	assert_int_equal(back.id, 7);
	assert_int_equal(back.kind, ACCESS_PG_HBA);
	assert_int_equal(back.state, ACCESS_DONE);
	assert_int_equal(back.time, 1700000000);
	assert_int_equal(back.opened, 1699999999);
	assert_string_equal(back.host, o.host);
	assert_string_equal(back.path, o.path);
	assert_string_equal(back.what, o.what);
	assert_string_equal(back.note, o.note);
	assert_null(back.sha_before);
	access_opening_done(&back);
	free(line);
}

static void test_event_parse_errors(void **state)
{
	(void)state;
	static const struct { const char *line; const char *want; } cases[] = {
		{ "id=1 state=done kind=pg_hba", "not a gp2adb ledger line" },
		{ "v1 state=done kind=pg_hba", "missing id" },
		{ "v1 id=1 kind=pg_hba", "missing state" },
		{ "v1 id=1 state=open kind=pg_hba", "unknown state 'open'" },
		{ "v1 id=1 state=done kind=firewall", "unknown kind 'firewall'" },
		{ "v1 id=x state=done kind=pg_hba", "bad id 'x'" },
		{ "v1 id=1 state=done kind=pg_hba host=a%2", "bad %-escape in host" },
		{ "v1 id=1 state=done kind=pg_hba time=soon", "bad time 'soon'" },
		{ "v1 id=1 state=done kind=pg_hba oops", "field without '='" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct access_opening o;
		char err[200] = "";
		assert_false(access_event_parse(cases[i].line, &o, err, sizeof err));
		if (!strstr(err, cases[i].want))
			fail_msg("%s: got '%s', want '%s'", cases[i].line, err, cases[i].want);
	}
	/* unknown keys (a newer version's) are ignored */
	struct access_opening o;
	char err[200];
	assert_true(access_event_parse("v1 id=2 state=intent kind=whitelist future=1 cidr=0.0.0.0/0", &o, err, sizeof err));
	assert_string_equal(o.cidr, "0.0.0.0/0");
	access_opening_done(&o);
}

static void test_transitions(void **state)
{
	(void)state;
	/* rows: from; columns: to (intent, done, restored, cancelled, closing) */
	static const bool ok[5][5] = {
		{ false, true, true, true, true },
		{ false, false, true, false, true },
		{ false, false, false, false, false },
		{ false, false, false, false, false },
		{ false, false, true, false, true },
	};
	for (int f = 0; f < 5; f++)
		for (int t = 0; t < 5; t++)
			assert_int_equal(access_transition_ok((enum access_state)f, (enum access_state)t), ok[f][t]);
}

static void test_ledger_parse_replays_events(void **state)
{
	(void)state;
	const char *text =
		"v1 id=1 state=intent time=10 kind=pg_hba host=mdw cidr=10.0.0.0/8\n"
		"v1 id=2 state=intent time=11 kind=whitelist cidr=0.0.0.0/0 what=gp2adb_migration\n"
		"v1 id=1 state=done time=12 kind=pg_hba\n"
		"v1 id=2 state=done time=13 kind=whitelist\n"
		"v1 id=2 state=restored time=14 kind=whitelist note=closed\n"
		"v1 id=3 state=intent time=15 kind=pg_hba\n"
		"v1 id=3 state=cancelled time=16 kind=pg_hba\n"
		"v1 id=4 state=intent time=17 kind=privilege what=superu";   /* torn: no newline */
	struct access_ledger l;
	access_ledger_init(&l);
	assert_false(access_ledger_parse(&l, text, "ledger"));   /* the torn line is reported */
	assert_int_equal(l.damaged, 1);
	assert_int_equal(l.n, 3);
	struct access_opening *o1 = access_ledger_find(&l, 1);
	assert_int_equal(o1->state, ACCESS_DONE);
	assert_string_equal(o1->host, "mdw");           /* kept from the intent */
	assert_int_equal(o1->time, 12);
	assert_int_equal(access_ledger_find(&l, 2)->state, ACCESS_RESTORED);
	assert_string_equal(access_ledger_find(&l, 2)->note, "closed");
	assert_int_equal(access_ledger_find(&l, 3)->state, ACCESS_CANCELLED);
	assert_null(access_ledger_find(&l, 4));
	assert_int_equal(access_ledger_outstanding(&l), 1);
	assert_int_equal(access_ledger_next_id(&l), 4);
	access_ledger_done(&l);

	/* an event whose intent was lost still lists its opening */
	access_ledger_init(&l);
	assert_true(access_ledger_parse(&l, "v1 id=1 state=done time=1 kind=pg_hba\n", "ledger"));
	assert_int_equal(access_ledger_find(&l, 1)->state, ACCESS_DONE);
	access_ledger_done(&l);
	/* impossible events are reported and skipped, not guessed from */
	access_ledger_init(&l);
	assert_false(access_ledger_parse(&l,
		"v1 id=1 state=intent time=1 kind=pg_hba\nv1 id=1 state=restored time=2 kind=pg_hba\n"
		"v1 id=1 state=done time=3 kind=pg_hba\n", "ledger"));
	assert_int_equal(access_ledger_find(&l, 1)->state, ACCESS_RESTORED);
	access_ledger_done(&l);
	access_ledger_init(&l);
	assert_false(access_ledger_parse(&l,
		"v1 id=1 state=intent time=1 kind=pg_hba\nv1 id=1 state=done time=2 kind=whitelist\n", "ledger"));
	assert_int_equal(access_ledger_find(&l, 1)->state, ACCESS_INTENT);
	access_ledger_done(&l);
}

/* A plan whose journal lives in dir/sub. */
static void ledger_plan(struct plan *p, const char *dir, const char *sub)
{
	plan_init(p);
	free(p->state_dir);
	p->state_dir = xasprintf("%s/%s", dir, sub);
	p->source.host = xstrdup("mdw");
	p->source.dbname = xstrdup("warehouse");
	p->destination.host = xstrdup("gp-x.gpdb.rds.aliyuncs.com");
}

static void test_record_is_durable_and_private(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	struct plan p;
	ledger_plan(&p, dir, "state");

	struct journal j;
	struct access_ledger l;
	assert_true(access_ledger_begin(&p, &j, &l));   /* absent: empty */
	assert_int_equal(l.n, 0);
	char *want_dir = xasprintf("%s/state/access", dir);
	assert_string_equal(j.dir, want_dir);          /* one ledger per state directory */
	free(want_dir);
	struct access_opening o = { 0 };
	o.kind = ACCESS_WHITELIST;
	o.cidr = "0.0.0.0/0";
	o.what = "gp2adb_migration";
	assert_true(access_record(&j, &l, &o, ACCESS_INTENT, NULL));
	assert_int_equal(o.id, 1);
	assert_true(access_record(&j, &l, &o, ACCESS_DONE, NULL));
	assert_false(access_record(&j, &l, &o, ACCESS_INTENT, NULL));   /* no going back */
	access_ledger_done(&l);

	char *path = journal_path(&j, "ledger");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(j.dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	journal_close(&j);      /* the ledger's lock: free again */
	assert_true(journal_open(&j, &p, true));
	char expect[16];
	plan_migration_id(&p, expect);
	assert_string_equal(j.id, expect);   /* the migration's journal: one id with the engine's markers */

	/* what another process reads back */
	struct access_opening *r;
	assert_true(access_list(&p, &l));
	assert_int_equal(l.n, 1);
	r = access_ledger_find(&l, 1);
	assert_int_equal(r->state, ACCESS_DONE);
	assert_true(r->opened > 0);
	access_ledger_done(&l);
	assert_true(access_confirm_closed(&p, 1));
	assert_true(access_confirm_closed(&p, 1));      /* twice is fine */
	assert_true(access_list(&p, &l));
	assert_int_equal(access_ledger_outstanding(&l), 0);
	access_ledger_done(&l);

	/* atomic writes replace, appends add */
	assert_true(journal_write_atomic(&j, "x", "one", 3));
	assert_true(journal_write_atomic(&j, "x", "two", 3));
	char *text = NULL;
	size_t len = 0;
	assert_true(journal_read(&j, "x", &text, &len));
	assert_string_equal(text, "two");
	free(text);

	/* the id is stable, and differs when the destination does */
	char *id1 = journal_migration_id(&p);
	assert_string_equal(id1, j.id);
	free(p.destination.host);
	p.destination.host = xstrdup("other");
	char *id2 = journal_migration_id(&p);
	assert_string_not_equal(id1, id2);
	free(id1);
	free(id2);
	free(path);
	journal_close(&j);
	plan_done(&p);
	free(dir);
}

/* One ledger, changed by several processes at once: every opening gets its
 * own id and the ledger stays readable.  The journal's lock also times out
 * with the holder named, and is free again once the holder closes. */
static void test_concurrent_ledger_changes(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	struct plan p;
	ledger_plan(&p, dir, "state-concurrent");

	enum { PROCS = 4, EACH = 8 };
	pid_t kids[PROCS];
	for (int k = 0; k < PROCS; k++) {
		kids[k] = fork();
		assert_true(kids[k] >= 0);
		if (kids[k] == 0) {
			int bad = 0;
			for (int i = 0; i < EACH; i++) {
				char cidr[32];
				snprintf(cidr, sizeof cidr, "10.%d.%d.0/24", k, i);
				bad += !access_record_operator(&p, ACCESS_WHITELIST, cidr, "gp2adb_migration", NULL);
			}
			_exit(bad);
		}
	}
	for (int k = 0; k < PROCS; k++) {
		int st = 0;
		assert_int_equal(waitpid(kids[k], &st, 0), kids[k]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	struct access_ledger l;
	assert_true(access_list(&p, &l));
	assert_int_equal(l.n, PROCS * EACH);
	for (int id = 1; id <= PROCS * EACH; id++) {
		struct access_opening *o = access_ledger_find(&l, id);
		assert_non_null(o);
		assert_int_equal(o->state, ACCESS_DONE);
	}
	assert_int_equal(access_ledger_outstanding(&l), PROCS * EACH);
	access_ledger_done(&l);

	struct journal a, b;
	assert_true(journal_open_dir(&a, p.state_dir, ACCESS_DIR, false));
	assert_true(journal_open_dir(&b, p.state_dir, ACCESS_DIR, false));
	assert_true(journal_lock(&a, "ledger.lock", 1));
	char *pid = NULL;
	assert_true(journal_read(&a, "ledger.lock", &pid, NULL));
	assert_int_equal(atol(pid), (long)getpid());
	free(pid);
	assert_false(journal_lock(&b, "ledger.lock", 0.3));   /* a holds it */
	journal_close(&a);
	assert_true(journal_lock(&b, "ledger.lock", 0.3));
	journal_close(&b);
	assert_true(access_confirm_closed(&p, 1));
	plan_done(&p);
	free(dir);
}

static void test_fingerprint_matches_ssh_keygen(void **state)
{
	(void)state;
	/* ssh-keygen -lf: 256 SHA256:TvdF57m0mF3hG3NgV17YRE8+OtIA4TdYpIutky49vv4 (ED25519) */
	const char *b64 = "AAAAC3NzaC1lZDI1NTE5AAAAIJhFW4tjzLliTmlaJcraRWPU5sfPDECguDdYxZurYqMv";
	unsigned char blob[128];
	int n = EVP_DecodeBlock(blob, (const unsigned char *)b64, (int)strlen(b64));
	assert_int_equal(n, 51);
	char fp[64];
	ssh_fingerprint(blob, 51, fp, sizeof fp);
	assert_string_equal(fp, "SHA256:TvdF57m0mF3hG3NgV17YRE8+OtIA4TdYpIutky49vv4");
}

static char *keygen(const char *dir, const char *type)
{
	char *path = xasprintf("%s/id_%s", dir, type);
	char *cmd = xasprintf("ssh-keygen -q -t %s %s -N '' -f %s", type,
			      strcmp(type, "rsa") == 0 ? "-b 1024" : "", path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	char *text = tu_read_file(path);
	free(path);
	return text;
}

static void test_rsa_keys_are_recognised(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	char *rsa = keygen(dir, "rsa"), *ed = keygen(dir, "ed25519"), *ec = keygen(dir, "ecdsa");
	assert_true(ssh_key_text_is_rsa(rsa));
	assert_false(ssh_key_text_is_rsa(ed));
	assert_false(ssh_key_text_is_rsa(ec));
	assert_true(ssh_key_text_is_rsa("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"));
	free(rsa);
	free(ed);
	free(ec);
	char *cmd = xasprintf("rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(dir);
}

static void test_small_parsers(void **state)
{
	(void)state;
	char *q = ssh_shell_quote("it's $HOME");
	assert_string_equal(q, "'it'\\''s $HOME'");
	free(q);
	assert_true(access_cidr_valid("0.0.0.0/0"));
	assert_true(access_cidr_valid("10.1.2.3/32"));
	assert_true(access_cidr_valid("2001:db8::/32"));
	assert_false(access_cidr_valid("10.1.2.3"));
	assert_false(access_cidr_valid("10.1.2.3/33"));
	assert_false(access_cidr_valid("10.1.2/24"));
	assert_false(access_cidr_valid("host all all"));
	int ma = 0, mi = 0;
	assert_true(install_parse_version("gpcopy-2.4.1.tar.gz", &ma, &mi));
	assert_int_equal(ma, 2);
	assert_int_equal(mi, 4);
	assert_true(install_parse_version("gpcopy version 2.3.2 build dev", &ma, &mi));
	assert_int_equal(mi, 3);
	assert_false(install_parse_version("gpcopy.tar.gz", &ma, &mi));
	assert_false(install_needs_ssl(2, 3));
	assert_true(install_needs_ssl(2, 4));
	assert_true(install_needs_ssl(3, 0));
	assert_false(install_needs_ssl(1, 9));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_roundtrip),
		cmocka_unit_test(test_event_parse_errors),
		cmocka_unit_test(test_transitions),
		cmocka_unit_test(test_ledger_parse_replays_events),
		cmocka_unit_test(test_record_is_durable_and_private),
		cmocka_unit_test(test_concurrent_ledger_changes),
		cmocka_unit_test(test_fingerprint_matches_ssh_keygen),
		cmocka_unit_test(test_rsa_keys_are_recognised),
		cmocka_unit_test(test_small_parsers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
