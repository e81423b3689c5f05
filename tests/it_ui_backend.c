/* The wizard's backend over the real core (ui_backend_core) against the
 * harness servers: the checks run on their own thread and come back as
 * findings, the advisor answers from what they measured, validation and
 * ANALYZE fill the wizard's rows as they run, and the report lands in the
 * migration's journal directory, 0600. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "backend.h"
#include "journal.h"
#include "mem.h"
#include "testutil.h"
#include "wizard.h"

static struct plan plan;
static char *dir;

/* Polls stop after this long: a hang fails the test instead of stalling it. */
#define LIMIT_S 60.0

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pause_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

static int setup(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "w");
	tu_createdb(TU_DST, "w");
	PGconn *s = tu_connect(TU_SRC, "w"), *d = tu_connect(TU_DST, "w");
	const char *ddl = "CREATE TABLE orders (id int PRIMARY KEY, amount numeric);\n"
			  "CREATE TABLE notes (id int PRIMARY KEY, t text);\n"
			  "INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 100) g;\n"
			  "INSERT INTO notes SELECT g, 'n' || g FROM generate_series(1, 50) g;\n";
	tu_exec(s, ddl);
	tu_exec(d, ddl);
	tu_exec(d, "DELETE FROM notes WHERE id = 7");
	PQfinish(s);
	PQfinish(d);
	dir = tu_tmpdir();
	plan_init(&plan);
	tu_endpoint(&plan.source, TU_SRC, "w");
	tu_endpoint(&plan.destination, TU_DST, "w");
	free(plan.state_dir);
	plan.state_dir = xasprintf("%s/state", dir);
	plan.jobs = 2;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	plan_done(&plan);
	free(dir);
	return 0;
}

static const struct ui_val_row *val_row(const struct ui_validation *v, const char *table)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->rows[i].table, table) == 0)
			return &v->rows[i];
	fail_msg("no validation row for %s", table);
	return NULL;
}

static void test_backend(void **state)
{
	(void)state;
	struct ui_backend be;
	struct ui_model m;
	char err[400] = "";
	ui_backend_core(&be, NULL);
	ui_model_init(&m, &plan, be.now(be.ctx));

	/* 3. the checks: started at once, polled while they sample writes */
	double t0 = mono();
	assert_true(be.checks_start(be.ctx, &plan, err, sizeof err));
	assert_true(mono() - t0 < 1.0);
	bool ok = false, done = be.checks_poll(be.ctx, &m.findings, &ok, err, sizeof err);
	assert_false(done);     /* the write sample alone takes 3 s */
	assert_false(be.checks_start(be.ctx, &plan, err, sizeof err));
	assert_non_null(strstr(err, "still running"));
	while (!done && mono() - t0 < LIMIT_S) {
		pause_ms(50);
		done = be.checks_poll(be.ctx, &m.findings, &ok, err, sizeof err);
	}
	assert_true(done);
	assert_true(ok);
	assert_true(mono() - t0 >= PREFLIGHT_WRITES_INTERVAL);
	m.checks_run = true;
	m.accepted = calloc(m.findings.n + 1, sizeof *m.accepted);
	const struct finding *size = findings_find(&m.findings, "size.total");
	assert_non_null(size);
	assert_non_null(findings_find(&m.findings, "writes.active"));

	/* 4. the advice, from the facts those checks measured */
	assert_true(be.advise(be.ctx, &plan, &m.findings, &m.advice, err, sizeof err));
	m.advice_ready = true;
	assert_int_equal(m.advice.recommended, METHOD_ENGINE);
	assert_true(m.advice.options[METHOD_ENGINE].usable);
	assert_false(m.advice.options[METHOD_GPCOPY].usable);   /* a PostgreSQL source */
	assert_non_null(m.advice.reason);

	/* 6. no tarball: the step says how to give one */
	assert_false(be.install_start(be.ctx, &plan, err, sizeof err));
	assert_non_null(strstr(err, "--tarball"));
	/* a path that is no tarball is named, and not taken */
	struct ui_tarball tb;
	assert_false(be.tarball_check(be.ctx, "/nonexistent/gpcopy-9.9.9.tar.gz", &tb, err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent/gpcopy-9.9.9.tar.gz"));
	assert_false(tb.checked);
	assert_false(be.install_start(be.ctx, &plan, err, sizeof err));

	/* 10. validation: rows per table as they are compared, then counts */
	assert_true(be.validate_start(be.ctx, &plan, err, sizeof err));
	m.validation_started = true;
	t0 = mono();
	for (;;) {
		ui_validation_free(&m.validation);
		be.validate_poll(be.ctx, &m.validation);
		if (m.validation.finished || mono() - t0 > LIMIT_S)
			break;
		pause_ms(50);
	}
	assert_true(m.validation.finished);
	assert_int_equal(m.validation.n, 2);
	const struct ui_val_row *o = val_row(&m.validation, "\"public\".\"orders\"");
	assert_int_equal(o->state, VAL_OK);
	assert_int_equal(o->src_rows, 100);
	assert_int_equal(o->dst_rows, 100);
	const struct ui_val_row *n = val_row(&m.validation, "\"public\".\"notes\"");
	assert_int_equal(n->state, VAL_DIFF);
	assert_int_equal(n->src_rows, 50);
	assert_int_equal(n->dst_rows, 49);
	assert_true(n->detail[0] != '\0');

	/* 11. ANALYZE: both tables, counted as they finish */
	assert_true(be.analyze_start(be.ctx, &plan, err, sizeof err));
	m.analyze_started = true;
	t0 = mono();
	do {
		pause_ms(20);
		be.analyze_poll(be.ctx, &m.analyze);
	} while (!m.analyze.finished && mono() - t0 < LIMIT_S);
	assert_true(m.analyze.finished);
	assert_int_equal(m.analyze.tables_total, 2);
	assert_int_equal(m.analyze.tables_done, 2);
	assert_int_equal(m.analyze.tables_failed, 0);
	assert_string_equal(m.analyze.error, "");
	PGconn *d = tu_connect(TU_DST, "w");
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"), 2);
	PQfinish(d);

	/* 13. the report: the summary and each step's findings, 0600 in the journal */
	m.status[SCR_VALIDATION] = STEP_FAILED;
	assert_true(be.report_write(be.ctx, &m, m.report_path, sizeof m.report_path, err, sizeof err));
	struct journal j;
	assert_true(journal_open(&j, &plan, false));
	assert_memory_equal(m.report_path, j.dir, strlen(j.dir));
	struct stat st;
	assert_int_equal(stat(m.report_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char *text = tu_read_file(m.report_path);
	assert_non_null(strstr(text, "gp2adb wizard report"));
	assert_non_null(strstr(text, "Migration NOT finished"));
	assert_non_null(strstr(text, "differs: \"public\".\"notes\""));
	assert_non_null(strstr(text, "size.total"));
	assert_non_null(strstr(text, "ANALYZE: 2 of 2 tables, 0 failed"));
	free(text);
	/* the validation saved its own report beside it */
	char *vdir = xasprintf("ls %s | grep -q '^validate-.*\\.txt$'", j.dir);
	assert_int_equal(system(vdir), 0);
	free(vdir);
	journal_close(&j);

	be.done(be.ctx);
	ui_model_done(&m);
}

/* A source that cannot be reached: the checks end with the reason. */
static void test_checks_unreachable(void **state)
{
	(void)state;
	struct ui_backend be;
	struct findings f = { 0 };
	char err[400] = "";
	bool ok = true, done = false;
	struct plan p;
	plan_init(&p);
	tu_endpoint(&p.source, TU_SRC, "no_such_db");
	tu_endpoint(&p.destination, TU_DST, "w");
	ui_backend_core(&be, NULL);
	assert_true(be.checks_start(be.ctx, &p, err, sizeof err));
	double t0 = mono();
	while (!(done = be.checks_poll(be.ctx, &f, &ok, err, sizeof err)) && mono() - t0 < LIMIT_S)
		pause_ms(20);
	assert_true(done);
	assert_false(ok);
	assert_non_null(strstr(err, "no_such_db"));
	/* no facts: no advice */
	struct advice a;
	assert_false(be.advise(be.ctx, &p, &f, &a, err, sizeof err));
	be.done(be.ctx);
	findings_free(&f);
	plan_done(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backend),
		cmocka_unit_test(test_checks_unreachable),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
