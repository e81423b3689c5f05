/* The ADB whitelist through the OpenAPI, end to end: gp2adb (the binary, the
 * core functions, the wizard's backend) opens, verifies and closes its
 * whitelist entry against the harness's stand-in for Alibaba Cloud's API
 * (tests/aliyun_standin.c), which checks every request's signature with its
 * own AccessKey and keeps the whitelist groups.  it_api_faults.c: the same
 * when things go wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access_whitelist.h"
#include "apitest.h"
#include "backend.h"
#include "journal.h"
#include "mem.h"

static void test_open_status_restore_keep_other_entries(void **state)
{
	(void)state;
	struct at_world w;
	at_world_open(&w, NULL, NULL);
	at_set(AT_INSTANCE, AT_GROUP, "10.1.1.1,192.168.0.0/16");
	struct tu_run r;

	/* without a terminal and without -y: nothing is added */
	at_gp(&r, &w, 1, "open-access", "--whitelist", "0.0.0.0/0", NULL);
	at_expect_in("stdout", r.out, "0.0.0.0/0 is the whole internet");
	at_expect_in("stdout", r.out, "gp2adb adds 0.0.0.0/0 to the whitelist group gp2adb_migration of gp-standin01");
	at_expect_in("stderr", r.err, "nothing added");
	tu_run_done(&r);
	assert_int_equal(at_count("ModifySecurityIps"), 0);

	at_gp(&r, &w, 0, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	at_expect_in("stdout", r.out, "Opened #1: whitelist group gp2adb_migration of gp-standin01 admits 0.0.0.0/0 (read back)");
	tu_run_done(&r);
	at_expect_group(AT_GROUP, "10.1.1.1,192.168.0.0/16,0.0.0.0/0");
	assert_int_equal(at_count("ModifySecurityIps 1 200"), 1);

	/* the state directory's ledger: intent before the call, done after the
	 * read-back; made by gp2adb, for this migration, on this instance */
	char *ledger = at_ledger_text(&w);
	char *intent = strstr(ledger, "v2 id=1 state=intent ");
	char *done = strstr(ledger, "v2 id=1 state=done ");
	assert_non_null(intent);
	assert_non_null(done);
	assert_true(intent < done);
	*strchr(intent, '\n') = '\0';
	*strchr(done, '\n') = '\0';
	struct plan p;
	at_load_plan(&w, &p);
	char *mid = journal_migration_id(&p);
	char *made = xasprintf(" migration=%s host=gp-standin01 path=openapi:http://127.0.0.1:", mid);
	at_expect_in("ledger", intent, "kind=whitelist by=gp2adb migration=");
	at_expect_in("ledger", intent, made);
	at_expect_in("ledger", intent, " instance=gp-standin01 cidr=0.0.0.0/0 what=gp2adb_migration sum=");
	at_expect_in("ledger", done, "kind=whitelist by=gp2adb opened=");
	at_expect_in("ledger", done, made);
	at_expect_in("ledger", done, "note=added%20through%20the%20OpenAPI%20and%20read%20back sum=");
	free(made);
	plan_done(&p);
	free(ledger);

	/* status lists it as gp2adb's, and reads the whitelist back */
	at_gp(&r, &w, 0, "status", NULL);
	at_expect_in("status", r.out, "access       1 OPEN");
	at_expect_in("status", r.out, "#1 ADB whitelist group gp2adb_migration: 0.0.0.0/0 on gp-standin01 (opened by gp2adb");
	at_expect_in("status", r.out, "the whitelist read back now: the entry is there");
	tu_run_done(&r);
	at_gp(&r, &w, 0, "status", "--json", NULL);
	at_expect_in("status --json", r.out, "\"made_by\": \"gp2adb\"");
	at_expect_in("status --json", r.out, "\"whitelist_readback\": \"present\"");
	at_expect_in("status --json", r.out, "\"host\": \"gp-standin01\"");
	at_expect_in("status --json", r.out, "\"path\": \"openapi:http://127.0.0.1:");
	char *json_mid = xasprintf("\"migration\": \"%s\"", mid);
	at_expect_in("status --json", r.out, json_mid);
	free(json_mid);
	free(mid);
	tu_run_done(&r);

	/* asking again changes nothing */
	at_gp(&r, &w, 0, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	at_expect_in("stdout", r.out, "Already open as #1");
	tu_run_done(&r);
	assert_int_equal(at_count("ModifySecurityIps"), 1);

	/* restore-access needs no confirmation: gp2adb removes it and verifies */
	at_gp(&r, &w, 0, "restore-access", NULL);
	at_expect_in("restore-access", r.out, "removed through the OpenAPI; the whitelist read back without it");
	at_expect_in("restore-access", r.out, "1 of 1 openings closed.");
	tu_run_done(&r);
	at_expect_group(AT_GROUP, "10.1.1.1,192.168.0.0/16");
	assert_int_equal(at_count("ModifySecurityIps 2 200"), 1);
	assert_int_equal(at_opening_state(&w, 1), ACCESS_RESTORED);
	at_gp(&r, &w, 0, "status", NULL);
	at_expect_in("status", r.out, "none outstanding");
	tu_run_done(&r);
	at_gp(&r, &w, 0, "restore-access", NULL);
	at_expect_in("restore-access", r.out, "No access openings are outstanding");
	tu_run_done(&r);
	free(at_ledger_text(&w));      /* the log and the ledger: no key */
	at_world_close(&w);
}

static void test_last_entry_leaves_the_group_closed(void **state)
{
	(void)state;
	struct at_world w;
	at_world_open(&w, NULL, "region = \"cn-hangzhou\"; whitelist_group = \"mig_only\";");
	struct tu_run r;
	at_gp(&r, &w, 0, "-y", "open-access", "--whitelist", "203.0.113.0/24", NULL);
	tu_run_done(&r);
	/* the ledger holds where it was made: the instance and its region */
	at_gp(&r, &w, 0, "status", NULL);
	at_expect_in("status", r.out, "#1 ADB whitelist group mig_only: 203.0.113.0/24 on gp-standin01 (cn-hangzhou) "
		     "(opened by gp2adb");
	tu_run_done(&r);
	at_expect_group("mig_only", "203.0.113.0/24");
	at_expect_group("default", "127.0.0.1");
	at_gp(&r, &w, 0, "restore-access", NULL);
	tu_run_done(&r);
	/* not emptied: set to 127.0.0.1, which admits no client */
	at_expect_group("mig_only", "127.0.0.1");
	assert_int_equal(at_count("ModifySecurityIps 0 200"), 1);
	assert_int_equal(at_opening_state(&w, 1), ACCESS_RESTORED);
	at_world_close(&w);
}

static void test_entry_already_present_is_left_to_the_operator(void **state)
{
	(void)state;
	struct at_world w;
	at_world_open(&w, NULL, NULL);
	at_set(AT_INSTANCE, AT_GROUP, "198.51.100.7");
	struct tu_run r;
	at_gp(&r, &w, 0, "-y", "open-access", "--whitelist", "198.51.100.7/32", NULL);
	at_expect_in("stdout", r.out, "198.51.100.7/32 was already in the group: recorded as opening #1, made by you");
	at_expect_in("stderr", r.err, "gp2adb did not add it and will not remove it");
	tu_run_done(&r);
	assert_int_equal(at_count("ModifySecurityIps"), 0);
	at_gp(&r, &w, 0, "status", NULL);
	at_expect_in("status", r.out, "#1 ADB whitelist group gp2adb_migration: 198.51.100.7/32 on gp-standin01 "
		     "(opened by you");
	tu_run_done(&r);
	/* restore-access does not remove what gp2adb did not add: the operator closes it */
	at_gp(&r, &w, 1, "restore-access", NULL);
	at_expect_in("restore-access", r.out, "still open");
	tu_run_done(&r);
	at_expect_group(AT_GROUP, "198.51.100.7");
	at_gp(&r, &w, 0, "-y", "restore-access", NULL);
	at_expect_in("restore-access", r.out, "recorded as closed");
	tu_run_done(&r);
	assert_int_equal(at_count("ModifySecurityIps"), 0);
	at_expect_group(AT_GROUP, "198.51.100.7");
	at_world_close(&w);
}

static void test_without_a_key_the_operator_walks_through(void **state)
{
	(void)state;
	struct at_world w;
	at_world_open(&w, NULL, NULL);
	/* the same configuration without access_key_file */
	char *adb = xasprintf("adb = { instance_id = \"%s\"; };\n", AT_INSTANCE);
	free(w.conf);
	w.conf = tu_write_config(w.dir, "postgres", "postgres", adb);
	free(adb);
	struct tu_run r;
	at_gp(&r, &w, 0, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	at_expect_in("stdout", r.out, "Steps, in the AnalyticDB for PostgreSQL console");
	at_expect_in("stdout", r.out, "Recorded as opening #1");
	tu_run_done(&r);
	assert_int_equal(at_count("ModifySecurityIps"), 0);
	assert_int_equal(at_count("Describe"), 0);
	at_gp(&r, &w, 0, "-y", "restore-access", NULL);
	at_expect_in("restore-access", r.out, "recorded as closed");
	tu_run_done(&r);
	at_world_close(&w);
}

static void test_restore_checks_the_instance_and_the_key(void **state)
{
	(void)state;
	struct at_world w;
	at_world_open(&w, NULL, NULL);
	struct tu_run r;
	at_gp(&r, &w, 0, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	tu_run_done(&r);

	/* another instance in the configuration: its whitelist is not touched */
	at_set("gp-other02", "default", "127.0.0.1");
	char *adb = xasprintf("adb = { instance_id = \"gp-other02\"; access_key_file = \"%s\"; endpoint = \"%s\"; };\n",
			      w.key, at_endpoint());
	char *other = tu_write_config(w.dir, "postgres", "postgres", adb);
	free(adb);
	at_gp(&r, &w, 1, "restore-access", NULL);
	at_expect_in("stderr", r.err, "opening #1 was made on instance gp-standin01, but adb.instance_id is now gp-other02");
	tu_run_done(&r);
	assert_int_equal(at_count("ModifySecurityIps 2"), 0);
	at_expect_group(AT_GROUP, "0.0.0.0/0");
	free(other);

	/* no key any more: the operator removes it in the console and says so */
	adb = xasprintf("adb = { instance_id = \"%s\"; };\n", AT_INSTANCE);
	other = tu_write_config(w.dir, "postgres", "postgres", adb);
	free(adb);
	at_gp(&r, &w, 1, "restore-access", NULL);
	at_expect_in("restore-access", r.out, "delete the group gp2adb_migration (or remove 0.0.0.0/0");
	at_expect_in("restore-access", r.out, "no adb key to remove it now");
	at_expect_in("restore-access", r.out, "still open");
	tu_run_done(&r);
	at_gp(&r, &w, 0, "-y", "restore-access", NULL);
	at_expect_in("restore-access", r.out, "recorded as closed");
	tu_run_done(&r);
	char *ledger = at_ledger_text(&w);
	at_expect_in("ledger", ledger, "note=closed%20in%20the%20console,%20as%20confirmed%20by%20the%20operator");
	free(ledger);
	free(other);
	at_world_close(&w);
}

static void test_core_open_verify_close(void **state)
{
	(void)state;
	struct at_world w;
	at_world_open(&w, NULL, NULL);
	access_whitelist_set_wait(1.0);
	struct plan p;
	at_load_plan(&w, &p);
	at_set(AT_INSTANCE, AT_GROUP, "10.0.0.1");
	int id = 0;
	enum access_whitelist_outcome how;
	assert_int_equal(access_whitelist_open(&p, "172.16.0.0/12", &id, &how), ACCESS_OK);
	assert_int_equal(how, WHITELIST_ADDED);
	assert_int_equal(id, 1);
	struct access_ledger l;
	assert_true(access_list(&p, &l));
	bool present = false;
	assert_int_equal(access_whitelist_verify(&p, access_ledger_find(&l, 1), &present), ACCESS_OK);
	assert_true(present);
	/* someone removes it by hand: verify sees it, close records it without a change */
	at_set(AT_INSTANCE, AT_GROUP, "10.0.0.1");
	assert_int_equal(access_whitelist_verify(&p, access_ledger_find(&l, 1), &present), ACCESS_OK);
	assert_false(present);
	access_ledger_done(&l);
	assert_int_equal(access_whitelist_close(&p, 1), ACCESS_OK);
	assert_int_equal(at_count("ModifySecurityIps 2"), 0);
	char *ledger = at_ledger_text(&w);
	at_expect_in("ledger", ledger, "state=restored");
	at_expect_in("ledger", ledger, "no%20longer%20in%20the%20group");
	free(ledger);
	/* closing again: nothing to do */
	assert_int_equal(access_whitelist_close(&p, 1), ACCESS_OK);
	/* a managed opening is gp2adb's to close: no operator's word while the key is there */
	assert_false(access_whitelist_confirm_closed(&p, 1));
	assert_int_equal(access_whitelist_close(&p, 7), ACCESS_FAIL_OTHER);
	plan_done(&p);
	access_whitelist_set_wait(8.0);
	at_world_close(&w);
}

static void test_wizard_backend_adds_and_restores(void **state)
{
	(void)state;
	struct at_world w;
	at_world_open(&w, NULL, NULL);
	struct plan p;
	at_load_plan(&w, &p);
	struct ui_backend be;
	ui_backend_core(&be, NULL);
	struct ui_opening o;
	memset(&o, 0, sizeof o);
	snprintf(o.kind, sizeof o.kind, "whitelist");
	snprintf(o.cidr, sizeof o.cidr, "203.0.113.7/32");
	char err[300] = "";
	assert_true(be.ledger_record(be.ctx, &p, &o, err, sizeof err));
	at_expect_group(AT_GROUP, "203.0.113.7/32");
	struct ui_openings list;
	assert_true(be.ledger_list(be.ctx, &p, &list, err, sizeof err));
	assert_int_equal(list.n, 1);
	assert_true(list.items[0].by_gp2adb);
	assert_int_equal(list.items[0].state, OPENING_OPEN);
	assert_non_null(strstr(list.items[0].undo, "gp2adb removes 203.0.113.7/32 from the whitelist group "
						   "gp2adb_migration of gp-standin01 through the OpenAPI"));
	char id[64];
	snprintf(id, sizeof id, "%s", list.items[0].id);
	ui_openings_free(&list);
	assert_true(be.ledger_restore(be.ctx, &p, id, err, sizeof err));
	at_expect_group(AT_GROUP, "127.0.0.1");
	assert_true(be.ledger_list(be.ctx, &p, &list, err, sizeof err));
	assert_int_equal(list.items[0].state, OPENING_VERIFIED);
	ui_openings_free(&list);
	be.done(be.ctx);
	plan_done(&p);
	at_world_close(&w);
}

/* A migration is not finished while the entry is open: migrate exits 8 and
 * names it, also for a migration other than the one it was opened under
 * (the ledger is the state directory's); once restore-access removed it,
 * the same migration ends with 0. */
static void test_migrate_exits_8_while_the_entry_is_open(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "wlfin");
	tu_createdb(TU_DST, "wlfin");
	PGconn *s = tu_connect(TU_SRC, "wlfin");
	tu_exec(s, "CREATE TABLE public.orders (id int PRIMARY KEY, amount numeric);\n"
		   "INSERT INTO public.orders SELECT g, g * 1.5 FROM generate_series(1, 200) g;\n");
	PQfinish(s);
	struct at_world w;
	at_world_open(&w, NULL, NULL);
	struct tu_run r;
	at_gp(&r, &w, 0, "-y", "open-access", "--whitelist", "203.0.113.7/32", NULL);
	tu_run_done(&r);
	/* the same state directory and instance, other databases: another migration id */
	char *adb = xasprintf("adb = { instance_id = \"%s\"; access_key_file = \"%s\"; endpoint = \"%s\"; };\n",
			      AT_INSTANCE, w.key, at_endpoint());
	free(w.conf);
	w.conf = tu_write_config(w.dir, "wlfin", "wlfin", adb);
	free(adb);
	at_gp(&r, &w, 8, "--plain", "--yes", "migrate", NULL);
	assert_null(strstr(r.out, "migrate: done"));
	at_expect_in("migrate", r.out, "#1 ADB whitelist group gp2adb_migration: 203.0.113.7/32 on gp-standin01 "
		     "(opened by gp2adb");
	at_expect_in("migrate", r.out, "'gp2adb restore-access'");
	tu_run_done(&r);
	PGconn *d = tu_connect(TU_DST, "wlfin");
	assert_int_equal(tu_count(d, "SELECT count(*) FROM public.orders"), 200);     /* the data went */
	PQfinish(d);
	at_gp(&r, &w, 8, "--json", "--yes", "migrate", "--resume", NULL);
	at_expect_in("migrate --json", r.out, "\"open_access\": [");
	at_expect_in("migrate --json", r.out, "203.0.113.7/32");
	tu_run_done(&r);
	at_gp(&r, &w, 0, "restore-access", NULL);
	at_expect_in("restore-access", r.out, "removed through the OpenAPI");
	tu_run_done(&r);
	at_expect_group(AT_GROUP, "127.0.0.1");
	at_gp(&r, &w, 0, "--plain", "--yes", "migrate", "--resume", NULL);
	at_expect_in("migrate", r.out, "migrate: done");
	tu_run_done(&r);
	at_world_close(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_status_restore_keep_other_entries),
		cmocka_unit_test(test_last_entry_leaves_the_group_closed),
		cmocka_unit_test(test_entry_already_present_is_left_to_the_operator),
		cmocka_unit_test(test_without_a_key_the_operator_walks_through),
		cmocka_unit_test(test_restore_checks_the_instance_and_the_key),
		cmocka_unit_test(test_core_open_verify_close),
		cmocka_unit_test(test_wizard_backend_adds_and_restores),
		cmocka_unit_test(test_migrate_exits_8_while_the_entry_is_open),
	};
	return cmocka_run_group_tests(tests, at_setup, at_teardown);
}
