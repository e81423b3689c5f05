/* The wizard's backend over the core modules of this build: the jobs that
 * run each step's long work, the connection test, the report and the
 * table itself.  Each step's adapters are in a file of their own
 * (backend_ledger.c, backend_checks.c, backend_install.c, backend_schema.c,
 * backend_validate.c, backend_analyze.c, backend_cluster.c, backend_bizcheck.c,
 * backend_backfill.c); the copy is in backend_copy.c. */
#include "backend_priv.h"
#include "db.h"
#include "journal.h"
#include "mem.h"
#include "validate.h"
#include "wizard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool core_job_running(struct core *c, const struct job *j)
{
	pthread_mutex_lock(&c->mu);
	bool running = j->joinable && !j->done;
	pthread_mutex_unlock(&c->mu);
	return running;
}

bool core_job_start(struct core *c, struct job *j, void *(*fn)(void *), const struct plan *p, const char *what,
		    char *err, size_t size)
{
	if (core_job_running(c, j)) {
		snprintf(err, size, "%s is still running", what);
		return false;
	}
	if (j->joinable)
		pthread_join(j->thread, NULL);
	j->joinable = j->done = false;
	j->plan = p;
	if (pthread_create(&j->thread, NULL, fn, c) != 0) {
		snprintf(err, size, "cannot start a thread for %s", what);
		return false;
	}
	j->joinable = true;
	return true;
}

void core_job_join(struct job *j)
{
	if (j->joinable)
		pthread_join(j->thread, NULL);
	j->joinable = false;
}

double core_now(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void core_test_connection(void *ctx, const struct endpoint *ep, const char *role,
				 struct ui_conn *out)
{
	(void)ctx;
	struct db_error err;
	struct flavor fl;
	char *version = NULL;
	memset(out, 0, sizeof *out);
	out->tested = true;
	PGconn *conn = db_connect(ep, role, &err);
	if (conn && db_flavor(conn, &fl, &version, &err)) {
		out->ok = true;
		flavor_describe(&fl, out->desc, sizeof out->desc);
	} else {
		db_error_text(&err, out->error, sizeof out->error);
	}
	if (conn)
		PQfinish(conn);
	free(version);
}

/* 13. Summary: the wizard's summary and what each step found, as a text
 * file in the migration's journal directory. */
static bool core_report_write(void *ctx, const struct ui_model *m, char *path, size_t pathsize, char *err,
			      size_t size)
{
	(void)ctx;
	struct journal j;
	char stamp[32], name[64];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(name, sizeof name, "wizard-%s.txt", stamp);
	if (!journal_open(&j, m->plan, true)) {
		snprintf(err, size, "the journal directory under %s could not be created (see the log)",
			 m->plan->state_dir ? m->plan->state_dir : "the state directory");
		return false;
	}
	char *text = ui_report_text(m);
	bool ok = journal_write_atomic(&j, name, text, strlen(text));
	free(text);
	if (ok) {
		char *full = journal_path(&j, name);
		snprintf(path, pathsize, "%s", full);
		free(full);
	} else {
		snprintf(err, size, "the report %s/%s could not be written (see the log)", j.dir, name);
	}
	journal_close(&j);
	return ok;
}

static void core_done(void *ctx)
{
	struct core *c = ctx;
	pthread_mutex_lock(&c->mu);
	c->validate_cancel = true;      /* the others end on their own, bounded by their timeouts */
	pthread_mutex_unlock(&c->mu);
	ui_backend_copy_done();     /* a copy still running is cancelled, resumably */
	core_job_join(&c->checks);
	core_job_join(&c->install);
	core_job_join(&c->validate);
	core_job_join(&c->analyze);
	core_job_join(&c->schema);
	core_bizcheck_done(c);
	core_backfill_done(c);
	core_schema_unload(c);
	findings_free(&c->checks_out);
	install_hosts_free(c->hosts, c->nhosts);
	install_tarball_done(&c->tb);
	ui_install_free(&c->inst);
	ui_validation_free(&c->val);
	pthread_mutex_destroy(&c->mu);
	free(c->tarball);
	free(c);
}
void ui_backend_core(struct ui_backend *be, const char *tarball)
{
	struct core *c = xcalloc(1, sizeof *c);
	pthread_mutex_init(&c->mu, NULL);
	c->tarball = tarball ? xstrdup(tarball) : NULL;
	memset(be, 0, sizeof *be);
	be->ctx = c;
	be->now = core_now;
	be->test_connection = core_test_connection;
	core_ledger_bind(be);
	core_checks_bind(be);
	core_install_bind(be);
	core_schema_bind(be);
	core_validate_bind(be);
	core_analyze_bind(be);
	core_cluster_bind(be);
	core_bizcheck_bind(be);
	core_backfill_bind(be);
	be->report_write = core_report_write;
	be->done = core_done;
	ui_backend_copy_bind(be);
}
