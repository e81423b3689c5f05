/* backend_priv: the state the wizard's backend over the core modules shares
 * between its steps' adapters (backend_*.c).  Long work runs on a thread of
 * its own (a job); the UI thread's polls copy what it published, under the
 * backend's mutex, into the wizard's model. */
#ifndef GP2ADB_UI_BACKEND_PRIV_H
#define GP2ADB_UI_BACKEND_PRIV_H

#include "backend.h"
#include "bizcheck.h"
#include "cluster.h"
#include "engine.h"
#include "install.h"
#include "preflight.h"
#include "schema.h"

#include <pthread.h>

#include <string.h>
#include <time.h>

/* backend_cluster.c: the databases a per-database step goes over.  With
 * several (cluster.h) each is a view of the plan naming it; with one, the
 * plan itself (name NULL). */
struct core_dbs {
	struct cluster_dbs dbs;
	bool multi;
};
bool core_dbs_load(const struct plan *p, struct core_dbs *out, char *err, size_t size);
void core_dbs_view(const struct core_dbs *d, const struct plan *p, size_t i, struct plan *view);
/* The database's name for messages, or NULL with one database. */
const char *core_dbs_name(const struct core_dbs *d, size_t i);
void core_dbs_free(struct core_dbs *d);

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
	bool schema_ready;              /* sl holds the loads; unchanged while the job runs */
	struct core_dbs sdbs;           /* the databases loaded (backend_cluster.c) */
	struct schema_load *sl;         /* per database; sl_ok[i]: loaded */
	bool *sl_ok;
	bool *sl_create;                /* the destination lacks it: the pre-data job creates it */
	bool *sl_failed;                /* it could not be created: nothing of it is applied */
	size_t *sl_row;                 /* its row in sch.objects, or SIZE_MAX */
	bool schema_roles;              /* the pre-data job applies the roles first (row 0) */
	size_t *obj_db, *obj_item;      /* sch.objects[i] is sl[obj_db[i]].items.v[obj_item[i]];
					 * obj_db SIZE_MAX: a row of its own (roles, a database) */
	struct ui_schema sch;           /* published; its findings stay empty (see schema_poll) */

	struct job validate;
	bool validate_cancel;
	struct ui_validation val;

	struct job analyze;
	struct ui_analyze an;

	struct job bizcheck;
	struct bizquery_list *bizq;     /* the job's; freed after its join */
	struct ui_bizcheck biz;

	struct job backfill;
	bool backfill_run;              /* the job runs the backfill, not the detection */
	bool backfill_cancel;
	struct core_bf *bf;             /* the detection's plans (backend_backfill.c) */
	struct ui_backfill bfo;
	struct engine *bf_engine;       /* the database's backfill running now, or NULL */
	const char *bf_db;              /* its database (NULL: the plan's) */
	struct engine_snapshot bf_prev; /* the tables of the databases done before */
};


/* "\"db\"." + name with several databases (as the copy names tables), else name. */
void core_db_qualify(const char *db, const char *name, char *out, size_t size);
/* The roles step before any database's schema (migration.roles): a line of
 * what it did in msg; false when it failed. */
bool core_roles_apply(const struct plan *p, char *msg, size_t size);

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
void core_cluster_bind(struct ui_backend *be);     /* backend_cluster.c */
void core_bizcheck_bind(struct ui_backend *be);    /* backend_bizcheck.c */
void core_backfill_bind(struct ui_backend *be);    /* backend_backfill.c */
void core_bizcheck_done(struct core *c);
void core_backfill_done(struct core *c);
/* Drop the loaded schema (the job is joined). */
void core_schema_unload(struct core *c);

#endif
