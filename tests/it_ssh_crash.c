/* kill -9 at every step of opening and of closing a pg_hba opening
 * (GP2ADB_CRASH_AT: intent recorded, file written, reloaded, recorded done;
 * closing recorded, file written, reloaded, recorded restored), against the
 * harness's real PostgreSQL source and sshd hosts (tests/hbatest.h).  After
 * each, the next start lists the opening (status, and the wizard's welcome
 * screen through the core backend) unless it was recorded closed, and
 * restore-access closes it: the exact bytes, and the running server no
 * longer admits mover. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "config.h"
#include "hbatest.h"
#include "mem.h"
#include "model.h"

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

/* gp2adb -c conf args with GP2ADB_CRASH_AT=step: it must die of SIGKILL. */
static void crash_at(const char *step, const char *conf, const char *const *args)
{
	const char *argv[8] = { "-c", conf };
	size_t n = 2;
	for (size_t i = 0; args[i]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	struct tu_run r;
	setenv("GP2ADB_CRASH_AT", step, 1);
	int rc = tu_run_gp2adb(&r, argv);
	unsetenv("GP2ADB_CRASH_AT");
	if (rc != 128 + SIGKILL)
		fail_msg("GP2ADB_CRASH_AT=%s %s: exit %d, want death by SIGKILL\n%s\n%s", step, args[0], rc,
			 r.out, r.err);
	tu_run_done(&r);
}

/* What the next start shows: status's first lines and the welcome screen's list. */
static void assert_listed(const char *conf, size_t want_open, const char *step)
{
	struct tu_run r;
	ht_expect(&r, 0, conf, STATUS);
	if (want_open) {
		if (strncmp(r.out, "access       1 OPEN", 19) != 0 || !strstr(r.out, "#1 pg_hba rule on 127.0.0.2:"))
			fail_msg("after a kill at %s, status does not list the opening:\n%s", step, r.out);
	} else if (strncmp(r.out, "access       none outstanding", 29) != 0) {
		fail_msg("after a kill at %s, status lists an opening that was recorded closed:\n%s", step, r.out);
	}
	tu_run_done(&r);

	struct plan p;
	char err[300];
	plan_init(&p);
	if (!config_load(&p, conf, err, sizeof err))
		fail_msg("%s", err);
	struct ui_backend be;
	ui_backend_core(&be, NULL);
	struct ui_openings o;
	if (!be.ledger_list(be.ctx, &p, &o, err, sizeof err))
		fail_msg("welcome screen: %s", err);
	if (openings_count_open(&o) != want_open)
		fail_msg("after a kill at %s, the welcome screen lists %zu open, want %zu", step,
			 openings_count_open(&o), want_open);
	ui_openings_free(&o);
	be.done(be.ctx);
	plan_done(&p);
}

static void close_and_check(const char *conf)
{
	struct tu_run r;
	ht_expect(&r, 0, conf, RESTORE);
	tu_run_done(&r);
	ht_assert_restored();
	ht_expect(&r, 0, conf, STATUS);
	assert_true(strncmp(r.out, "access       none outstanding", 29) == 0);
	tu_run_done(&r);
}

static void test_kill_at_each_step_of_opening(void **state)
{
	(void)state;
	static const char *const steps[] = { "open-intent", "open-written", "open-reloaded", "open-done" };
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		ht_reset();
		char *name = xasprintf("state-%s", steps[i]);
		char *conf = ht_conf(name, &(struct ht_conf){ .state = name });
		crash_at(steps[i], conf, OPEN);
		assert_listed(conf, 1, steps[i]);
		close_and_check(conf);
		free(conf);
		free(name);
	}
}

static void test_kill_at_each_step_of_closing(void **state)
{
	(void)state;
	static const char *const steps[] = { "restore-intent", "restore-written", "restore-reloaded",
					     "restore-done" };
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		ht_reset();
		char *name = xasprintf("state-%s", steps[i]);
		char *conf = ht_conf(name, &(struct ht_conf){ .state = name });
		struct tu_run r;
		ht_expect(&r, 0, conf, OPEN);
		tu_run_done(&r);
		assert_true(ht_admitted(NULL, 0));
		crash_at(steps[i], conf, RESTORE);
		assert_listed(conf, strcmp(steps[i], "restore-done") == 0 ? 0 : 1, steps[i]);
		close_and_check(conf);
		free(conf);
		free(name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_at_each_step_of_opening),
		cmocka_unit_test(test_kill_at_each_step_of_closing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
