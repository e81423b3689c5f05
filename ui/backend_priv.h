/* backend_priv: the state the wizard's backend over the core modules shares
 * between its steps' adapters (backend_*.c).  Long work runs on a thread of
 * its own (a job); the UI thread's polls copy what it published, under the
 * backend's mutex, into the wizard's model. */
#ifndef GP2ADB_UI_BACKEND_PRIV_H
#define GP2ADB_UI_BACKEND_PRIV_H

#include "backend.h"
#include "install.h"
#include "preflight.h"
#include "schema.h"

#include <pthread.h>

#include <string.h>
#include <time.h>

/* One piece of work on its own thread. */
struct job {
	pthread_t thread;
	bool joinable;          /* started and not joined yet */
	bool done;              /* the thread has published its end (under mu) */
	const struct plan *plan;        /* set before the thread starts */
};

struct core {
	pthread_mutex_t mu;
	char *tarball;
	/* Each job's plan stays unchanged while it runs: the wizard refuses Back. */

	struct job checks;
	bool checks_ok;
	struct findings checks_out;
	char checks_err[300];
	bool facts_ready;               /* read by the UI thread only after the join */
	struct preflight_facts facts;

	struct job install;
	struct install_tarball tb;
	struct install_host *hosts;     /* the install threads' own; mirrored into inst */
	size_t nhosts;
	struct ui_install inst;

	struct job schema;
	bool schema_post;               /* the section the job applies: set before it starts */
	bool schema_ready;              /* sl holds a load; unchanged while the job runs */
	struct schema_load sl;
	size_t *obj_item;               /* sch.objects[i] is sl.items.v[obj_item[i]] */
	struct ui_schema sch;           /* published; its findings stay empty (see schema_poll) */

	struct job validate;
	bool validate_cancel;
	struct ui_validation val;

	struct job analyze;
	struct ui_analyze an;
};

/* backend_core.c: the jobs and the clock */
bool core_job_running(struct core *c, const struct job *j);
bool core_job_start(struct core *c, struct job *j, void *(*fn)(void *), const struct plan *p, const char *what,
		    char *err, size_t size);
void core_job_join(struct job *j);
double core_now(void *ctx);

/* Each step's adapters, bound into the table by ui_backend_core(). */
void core_ledger_bind(struct ui_backend *be);      /* backend_ledger.c */
void core_checks_bind(struct ui_backend *be);      /* backend_checks.c */
void core_install_bind(struct ui_backend *be);     /* backend_install.c */
void core_schema_bind(struct ui_backend *be);      /* backend_schema.c */
void core_validate_bind(struct ui_backend *be);    /* backend_validate.c */
void core_analyze_bind(struct ui_backend *be);     /* backend_analyze.c */
/* Drop the loaded schema (the job is joined). */
void core_schema_unload(struct core *c);

#endif
