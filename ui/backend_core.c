/* The wizard's backend over the core modules of this build.  Long work
 * (checks, installation, schema, validation, ANALYZE) runs on a thread of its
 * own; the UI thread's polls copy what it published, under the backend's
 * mutex, into the wizard's model.  The copy is in backend_copy.c. */
#include "backend.h"
#include "access.h"
#include "access_whitelist.h"
#include "advisor.h"
#include "analyze.h"
#include "db.h"
#include "install.h"
#include "journal.h"
#include "mem.h"
#include "preflight.h"
#include "runlog.h"
#include "schema.h"
#include "screens.h"
#include "strbuf.h"
#include "validate.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
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

static bool job_running(struct core *c, const struct job *j)
{
	pthread_mutex_lock(&c->mu);
	bool running = j->joinable && !j->done;
	pthread_mutex_unlock(&c->mu);
	return running;
}

static bool job_start(struct core *c, struct job *j, void *(*fn)(void *), const struct plan *p, const char *what,
		      char *err, size_t size)
{
	if (job_running(c, j)) {
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

static void job_join(struct job *j)
{
	if (j->joinable)
		pthread_join(j->thread, NULL);
	j->joinable = false;
}

static double core_now(void *ctx)
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

static enum opening_state opening_state_of(const struct access_opening *a)
{
	switch (a->state) {
	case ACCESS_INTENT: return OPENING_INTENT;
	case ACCESS_DONE: return OPENING_OPEN;
	case ACCESS_RESTORED: return access_made_by_gp2adb(a) ? OPENING_VERIFIED : OPENING_RESTORED;
	case ACCESS_CANCELLED: return OPENING_RESTORED;
	}
	return OPENING_OPEN;
}

static bool core_ledger_list(void *ctx, const struct plan *p, struct ui_openings *out, char *err, size_t size)
{
	(void)ctx;
	struct access_ledger l;
	access_ledger_init(&l);
	memset(out, 0, sizeof *out);
	if (!access_list(p, &l)) {
		snprintf(err, size, "the ledger under %s could not be read (see the log)",
			 p->state_dir ? p->state_dir : "the state directory");
		access_ledger_done(&l);
		return false;
	}
	out->items = xcalloc(l.n + 1, sizeof *out->items);
	out->n = l.n;
	for (size_t i = 0; i < l.n; i++) {
		const struct access_opening *a = &l.v[i];
		struct ui_opening *o = &out->items[i];
		struct strbuf sb;
		strbuf_init(&sb);
		snprintf(o->id, sizeof o->id, "%d", a->id);
		snprintf(o->kind, sizeof o->kind, "%s", access_kind_name(a->kind));
		snprintf(o->cidr, sizeof o->cidr, "%s", a->cidr ? a->cidr : "");
		access_describe(a, &sb);
		snprintf(o->what, sizeof o->what, "%s", sb.data);
		strbuf_reset(&sb);
		if (access_whitelist_managed(a) && access_whitelist_configured(p))
			access_whitelist_steps_close(a, &sb);
		else
			access_steps_close(a, &sb);
		for (char *c = sb.data; *c; c++)
			if (*c == '\n')
				*c = ' ';
		snprintf(o->undo, sizeof o->undo, "%s", sb.data);
		strbuf_done(&sb);
		/* a whitelist entry made through the OpenAPI is gp2adb's to close only with the key */
		o->by_gp2adb = access_made_by_gp2adb(a) && (!access_whitelist_managed(a) || access_whitelist_configured(p));
		o->state = opening_state_of(a);
		o->opened_at = (double)a->opened;
	}
	access_ledger_done(&l);
	return true;
}

static bool core_ledger_record(void *ctx, const struct plan *p, const struct ui_opening *o, char *err, size_t size)
{
	(void)ctx;
	int id;
	if (strcmp(o->kind, "whitelist") != 0 || !access_cidr_valid(o->cidr)) {
		snprintf(err, size, "only a whitelist entry with a valid CIDR can be recorded here");
		return false;
	}
	if (access_whitelist_configured(p)) {
		/* the adb group's AccessKey: gp2adb adds the entry itself and reads it back */
		if (access_whitelist_open(p, o->cidr, &id, NULL) != ACCESS_OK) {
			snprintf(err, size, "the whitelist entry %s could not be added through the OpenAPI (see the log)",
				 o->cidr);
			return false;
		}
		return true;
	}
	if (!access_record_operator(p, ACCESS_WHITELIST, o->cidr, "gp2adb migration", &id)) {
		snprintf(err, size, "the whitelist entry %s could not be recorded in the ledger (see the log)", o->cidr);
		return false;
	}
	return true;
}

/* Whether ledger opening id is a whitelist entry made through the OpenAPI. */
static bool managed_whitelist(const struct plan *p, int id)
{
	struct access_ledger l;
	bool managed = false;
	if (access_list(p, &l)) {
		const struct access_opening *o = access_ledger_find(&l, id);
		managed = o && access_whitelist_managed(o);
	}
	access_ledger_done(&l);
	return managed;
}

static bool core_ledger_confirm(void *ctx, const struct plan *p, const char *id, char *err, size_t size)
{
	(void)ctx;
	if (managed_whitelist(p, atoi(id)) ? !access_whitelist_confirm_closed(p, atoi(id))
					   : !access_confirm_closed(p, atoi(id))) {
		snprintf(err, size, "opening #%s could not be marked closed in the ledger (see the log)", id);
		return false;
	}
	return true;
}

static bool core_ledger_restore(void *ctx, const struct plan *p, const char *id, char *err, size_t size)
{
	(void)ctx;
	enum access_failure f = managed_whitelist(p, atoi(id)) ? access_whitelist_close(p, atoi(id))
							       : access_restore_pg_hba(p, atoi(id));
	if (f != ACCESS_OK) {
		snprintf(err, size, "opening #%s could not be restored (see the log); gp2adb restore-access retries it", id);
		return false;
	}
	return true;
}


/* 3. Evaluation: preflight on its own connections. */
static void *checks_main(void *arg)
{
	struct core *c = arg;
	const struct plan *p = c->checks.plan;
	struct db_error e;
	char text[700], err[300] = "";
	struct findings f = { 0 };
	struct preflight_facts facts;
	bool ok = false;
	memset(&facts, 0, sizeof facts);
	PGconn *src = db_connect(&p->source, "wizard", &e);
	if (!src) {
		snprintf(err, sizeof err, "cannot connect to the source: %.250s", db_error_text(&e, text, sizeof text));
	} else {
		/* Unreachable destination: its checks become a finding saying so. */
		PGconn *dst = db_connect(&p->destination, "wizard", &e);
		struct preflight_options opt = { PREFLIGHT_WRITES_INTERVAL };
		ok = preflight_run(p, src, dst, &opt, &f, &facts, err, sizeof err);
		if (dst)
			PQfinish(dst);
		PQfinish(src);
	}
	pthread_mutex_lock(&c->mu);
	findings_free(&c->checks_out);
	c->checks_out = f;
	c->checks_ok = ok;
	c->facts = facts;
	snprintf(c->checks_err, sizeof c->checks_err, "%s", err);
	c->checks.done = true;
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static bool core_checks_start(void *ctx, const struct plan *p, char *err, size_t size)
{
	struct core *c = ctx;
	if (!job_start(c, &c->checks, checks_main, p, "the checks", err, size))
		return false;
	c->facts_ready = false;
	return true;
}

static bool core_checks_poll(void *ctx, struct findings *out, bool *ok, char *err, size_t size)
{
	struct core *c = ctx;
	pthread_mutex_lock(&c->mu);
	bool done = c->checks.done;
	if (done) {
		*out = c->checks_out;
		memset(&c->checks_out, 0, sizeof c->checks_out);
		*ok = c->checks_ok;
		snprintf(err, size, "%s", c->checks_err);
	}
	pthread_mutex_unlock(&c->mu);
	if (done) {
		job_join(&c->checks);
		c->facts_ready = *ok;
	}
	return done;
}

/* 4. Method: the advisor over what the last checks measured. */
static bool core_advise(void *ctx, const struct plan *p, const struct findings *f, struct advice *out, char *err,
			size_t size)
{
	struct core *c = ctx;
	memset(out, 0, sizeof *out);
	if (!c->facts_ready) {
		snprintf(err, size, "the checks have not run to the end: run them first (Evaluation, r)");
		return false;
	}
	advisor_advise(p, &c->facts, f, advisor_host_is_local(p->source.host), out);
	return true;
}

/* 6. gpcopy installation. */
static enum host_state host_state_of(const struct install_host *h)
{
	switch (h->state) {
	case INSTALL_PENDING: return HOST_WAITING;
	case INSTALL_INSTALLED:
	case INSTALL_UNCHANGED: return HOST_DONE;
	case INSTALL_FAILED: return HOST_FAILED;
	case INSTALL_RUNNING: break;
	}
	if (strncmp(h->step, "connect", 7) == 0)
		return HOST_CONNECTING;
	if (strncmp(h->step, "upload", 6) == 0)
		return HOST_UPLOADING;
	return HOST_VERIFYING;
}

void ui_host_from_install(const struct install_host *h, struct ui_host *o)
{
	snprintf(o->name, sizeof o->name, "%s", h->host);
	snprintf(o->role, sizeof o->role, "%s", h->master ? "master" : "segment");
	o->state = host_state_of(h);
	switch (h->state) {
	case INSTALL_PENDING: o->detail[0] = '\0'; break;
	case INSTALL_RUNNING: snprintf(o->detail, sizeof o->detail, "%s", h->step); break;
	case INSTALL_INSTALLED: snprintf(o->detail, sizeof o->detail, "%s", h->version); break;
	case INSTALL_UNCHANGED: snprintf(o->detail, sizeof o->detail, "unchanged: %s", h->version); break;
	case INSTALL_FAILED: snprintf(o->detail, sizeof o->detail, "%.255s", h->error); break;
	}
}

void ui_install_from_hosts(const struct install_host *h, size_t n, bool finished, struct ui_install *out)
{
	memset(out, 0, sizeof *out);
	out->hosts = xcalloc(n + 1, sizeof *out->hosts);
	out->n = n;
	out->finished = finished;
	for (size_t i = 0; i < n; i++)
		ui_host_from_install(&h[i], &out->hosts[i]);
}

static void install_progress(const struct install_host *h, void *arg)
{
	struct core *c = arg;
	size_t i = (size_t)(h - c->hosts);
	pthread_mutex_lock(&c->mu);
	if (i < c->inst.n)
		ui_host_from_install(h, &c->inst.hosts[i]);
	pthread_mutex_unlock(&c->mu);
}

static const char *install_master(const struct plan *p)
{
	if (p->ssh.master)
		return p->ssh.master;
	return p->source.host && p->source.host[0] != '/' ? p->source.host : NULL;
}

static void *install_main(void *arg)
{
	struct core *c = arg;
	const struct plan *p = c->install.plan;
	char **segments = NULL;
	if (!install_segment_hosts(p, &segments)) {
		pthread_mutex_lock(&c->mu);
		ui_install_free(&c->inst);
		c->inst.hosts = xcalloc(1, sizeof *c->inst.hosts);
		c->inst.n = 1;
		struct ui_host *o = &c->inst.hosts[0];
		snprintf(o->name, sizeof o->name, "%s", install_master(p));
		snprintf(o->role, sizeof o->role, "master");
		o->state = HOST_FAILED;
		snprintf(o->detail, sizeof o->detail, "the segment hosts could not be read (ssh.segment_hosts or "
			 "gp_segment_configuration on the source; see the log)");
		c->inst.finished = true;
		c->install.done = true;
		pthread_mutex_unlock(&c->mu);
		return NULL;
	}
	size_t n = 0;
	struct install_host *hosts = install_hosts_new(install_master(p), segments, &n);
	strv_free(segments);
	pthread_mutex_lock(&c->mu);
	c->hosts = hosts;
	c->nhosts = n;
	ui_install_free(&c->inst);
	ui_install_from_hosts(hosts, n, false, &c->inst);
	pthread_mutex_unlock(&c->mu);
	install_run(p, &c->tb, hosts, n, p->jobs, install_progress, c);
	pthread_mutex_lock(&c->mu);
	ui_install_free(&c->inst);
	ui_install_from_hosts(hosts, n, true, &c->inst);
	c->install.done = true;
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static bool core_install_start(void *ctx, const struct plan *p, char *err, size_t size)
{
	struct core *c = ctx;
	if (!c->tarball) {
		snprintf(err, size, "no gpcopy tarball: start the wizard with --tarball FILE (the gpcopy-2.x.y.tar.gz "
			 "you downloaded), or run gp2adb install-gpcopy --tarball FILE");
		return false;
	}
	if (!install_master(p)) {
		snprintf(err, size, "set ssh.master (the Greenplum master host) in the configuration");
		return false;
	}
	if (job_running(c, &c->install)) {
		snprintf(err, size, "the installation is still running");
		return false;
	}
	job_join(&c->install);
	install_hosts_free(c->hosts, c->nhosts);
	c->hosts = NULL;
	c->nhosts = 0;
	install_tarball_done(&c->tb);
	if (!install_tarball_read(&c->tb, c->tarball)) {
		memset(&c->tb, 0, sizeof c->tb);
		snprintf(err, size, "the tarball %s could not be read (see the log)", c->tarball);
		return false;
	}
	pthread_mutex_lock(&c->mu);
	ui_install_free(&c->inst);
	pthread_mutex_unlock(&c->mu);
	return job_start(c, &c->install, install_main, p, "the installation", err, size);
}

static void core_install_poll(void *ctx, struct ui_install *out)
{
	struct core *c = ctx;
	pthread_mutex_lock(&c->mu);
	*out = c->inst;
	out->hosts = xcalloc(c->inst.n + 1, sizeof *out->hosts);
	if (out->n)
		memcpy(out->hosts, c->inst.hosts, c->inst.n * sizeof *out->hosts);
	pthread_mutex_unlock(&c->mu);
}


/* 7. Schema: the source's DDL read and scanned here (the same load as gp2adb
 * schema), each section applied on a thread through the schema journal. */
static void schema_findings_to_ui(const struct schema_findings *sf, struct findings *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < sf->n; i++) {
		const struct schema_finding *f = &sf->v[i];
		char *title = xasprintf("%s (line %d): %s", f->object, f->line, f->problem);
		findings_add(out, f->id, SEV_WARN, title, f->problem, f->fix, NULL);
		free(title);
	}
}

static void schema_unload(struct core *c)
{
	if (c->schema_ready)
		schema_load_done(&c->sl);
	c->schema_ready = false;
	free(c->obj_item);
	c->obj_item = NULL;
	pthread_mutex_lock(&c->mu);
	ui_schema_free(&c->sch);
	pthread_mutex_unlock(&c->mu);
}

static void object_from_item(const struct schema_item *it, struct ui_object *o)
{
	snprintf(o->kind, sizeof o->kind, "%s", it->kind);
	for (char *k = o->kind; *k; k++)
		*k = (char)(*k >= 'A' && *k <= 'Z' ? *k - 'A' + 'a' : *k);
	snprintf(o->name, sizeof o->name, "%s", it->name);
	o->post_data = it->section == SECTION_POST;
	o->state = OBJ_PENDING;
	snprintf(o->message, sizeof o->message, "%s", o->post_data ? "after the copy" : "");
}

static void core_schema_poll(void *ctx, struct ui_schema *out)
{
	struct core *c = ctx;
	pthread_mutex_lock(&c->mu);
	*out = c->sch;
	out->objects = xcalloc(c->sch.n + 1, sizeof *out->objects);
	if (out->n)
		memcpy(out->objects, c->sch.objects, c->sch.n * sizeof *out->objects);
	pthread_mutex_unlock(&c->mu);
	/* the findings do not change after the load (and the thread does not touch them) */
	if (c->schema_ready)
		schema_findings_to_ui(&c->sl.findings, &out->findings);
}

static bool core_schema_load(void *ctx, const struct plan *p, struct ui_schema *out, char *err, size_t size)
{
	struct core *c = ctx;
	memset(out, 0, sizeof *out);
	if (job_running(c, &c->schema)) {
		snprintf(err, size, "the schema is still being applied");
		return false;
	}
	job_join(&c->schema);
	schema_unload(c);
	PGconn *dst;
	int code;
	char text[1024];
	if (!schema_load(p, NULL, &c->sl, &dst, &code, text, sizeof text)) {
		snprintf(err, size, "%.*s", (int)(size > 1 ? size - 1 : 0), text);
		return false;
	}
	PQfinish(dst);      /* each section is applied on a connection of its own, later */
	c->schema_ready = true;
	const struct schema_items *items = &c->sl.items;
	c->obj_item = xcalloc(items->n + 1, sizeof *c->obj_item);
	struct ui_schema s = { 0 };
	s.objects = xcalloc(items->n + 1, sizeof *s.objects);
	for (size_t k = 0; k < items->n; k++) {
		if (items->v[k].role != ITEM_OBJECT)
			continue;
		c->obj_item[s.n] = k;
		object_from_item(&items->v[k], &s.objects[s.n++]);
	}
	pthread_mutex_lock(&c->mu);
	c->sch = s;
	pthread_mutex_unlock(&c->mu);
	core_schema_poll(c, out);
	return true;
}

static void schema_publish(struct core *c, bool post, bool ran, const char *err, const struct item_result *res)
{
	enum schema_section sec = post ? SECTION_POST : SECTION_PRE;
	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < c->sch.n; i++) {
		const struct schema_item *it = &c->sl.items.v[c->obj_item[i]];
		const struct item_result *r = &res[c->obj_item[i]];
		struct ui_object *o = &c->sch.objects[i];
		if (it->section != sec)
			continue;
		o->applied_before = false;
		o->message[0] = '\0';
		if (!ran) {
			o->state = OBJ_FAILED;
			snprintf(o->message, sizeof o->message, "%s", err);
			continue;
		}
		switch (r->state) {
		case STATE_NOT_RUN:
			o->state = OBJ_PENDING;
			snprintf(o->message, sizeof o->message, "not tried: the destination connection was lost");
			break;
		case STATE_OK:
			o->state = OBJ_OK;
			break;
		case STATE_DONE_BEFORE:
			o->state = OBJ_OK;
			o->applied_before = true;
			snprintf(o->message, sizeof o->message, "applied before");
			break;
		case STATE_FAILED:
			o->state = OBJ_FAILED;
			snprintf(o->message, sizeof o->message, "%s: %s", r->sqlstate, r->message ? r->message : "");
			break;
		case STATE_SKIPPED:
			o->state = OBJ_SKIPPED;
			snprintf(o->message, sizeof o->message, "%s", r->message ? r->message : "");
			break;
		}
	}
	if (post)
		c->sch.post_finished = true;
	else
		c->sch.finished = true;
	c->schema.done = true;
	pthread_mutex_unlock(&c->mu);
}

static void *schema_main(void *arg)
{
	struct core *c = arg;
	const struct plan *p = c->schema.plan;
	bool post = c->schema_post;
	const struct schema_items *items = &c->sl.items;
	struct item_result *res = xcalloc(items->n + 1, sizeof *res);
	struct schema_totals t;
	char err[600] = "", text[600];
	struct db_error e;
	bool ran = false;
	PGconn *dst = db_connect(&p->destination, "wizard", &e);
	if (!dst) {
		snprintf(err, sizeof err, "cannot connect to the destination: %.500s",
			 db_error_text(&e, text, sizeof text));
	} else {
		struct runlog journal;
		if (runlog_open(&journal, p, "schema.journal", err, sizeof err)) {
			schema_apply(dst, items, post ? SECTION_POST : SECTION_PRE, &journal, res, &t);
			runlog_close(&journal);
			ran = true;
		}
		PQfinish(dst);
	}
	schema_publish(c, post, ran, err, res);
	for (size_t k = 0; k < items->n; k++)
		free(res[k].message);
	free(res);
	return NULL;
}

static bool core_schema_apply_start(void *ctx, const struct plan *p, bool post, char *err, size_t size)
{
	struct core *c = ctx;
	if (!c->schema_ready) {
		snprintf(err, size, "the schema has not been read yet");
		return false;
	}
	if (job_running(c, &c->schema)) {
		snprintf(err, size, "the schema is still being applied");
		return false;
	}
	pthread_mutex_lock(&c->mu);
	if (post) {
		c->sch.post_applying = true;
		c->sch.post_finished = false;
	} else {
		c->sch.applying = true;
		c->sch.finished = false;
	}
	for (size_t i = 0; i < c->sch.n; i++)
		if (c->sch.objects[i].post_data == post) {
			c->sch.objects[i].state = OBJ_PENDING;
			snprintf(c->sch.objects[i].message, sizeof c->sch.objects[i].message, "%s",
				 post ? "applying" : "");
		}
	pthread_mutex_unlock(&c->mu);
	c->schema_post = post;
	return job_start(c, &c->schema, schema_main, p, "the schema", err, size);
}

/* 10. Validation. */
static enum val_state val_state_of(enum validate_status s)
{
	switch (s) {
	case VALIDATE_PENDING: return VAL_PENDING;
	case VALIDATE_RUNNING: return VAL_RUNNING;
	case VALIDATE_MATCH: return VAL_OK;
	case VALIDATE_DIFFER:
	case VALIDATE_MISSING:
	case VALIDATE_EXTRA: return VAL_DIFF;
	case VALIDATE_ERROR: break;
	}
	return VAL_ERROR;
}

void ui_validation_from_snapshot(const struct validate_snapshot *s, struct ui_validation *out)
{
	memset(out, 0, sizeof *out);
	out->rows = xcalloc(s->ntables + 1, sizeof *out->rows);
	out->n = s->ntables;
	for (size_t i = 0; i < s->ntables; i++) {
		struct ui_val_row *r = &out->rows[i];
		snprintf(r->table, sizeof r->table, "%s", s->tables[i].name);
		r->state = val_state_of(s->tables[i].status);
		r->src_rows = r->dst_rows = -1;
		if (s->tables[i].status == VALIDATE_MISSING)
			snprintf(r->detail, sizeof r->detail, "missing on the destination");
		else if (s->tables[i].status == VALIDATE_EXTRA)
			snprintf(r->detail, sizeof r->detail, "only on the destination");
	}
}

void ui_validation_from_result(const struct validate_result *res, struct ui_validation *out)
{
	memset(out, 0, sizeof *out);
	out->rows = xcalloc(res->n + 1, sizeof *out->rows);
	out->n = res->n;
	out->finished = true;
	for (size_t i = 0; i < res->n; i++) {
		const struct validate_table *t = &res->tables[i];
		struct ui_val_row *r = &out->rows[i];
		snprintf(r->table, sizeof r->table, "%s", t->qualified);
		r->state = val_state_of(t->status);
		r->src_rows = t->src_rows;
		r->dst_rows = t->dst_rows;
		char checks[80];
		switch (t->status) {
		case VALIDATE_MISSING: snprintf(r->detail, sizeof r->detail, "missing on the destination"); break;
		case VALIDATE_EXTRA: snprintf(r->detail, sizeof r->detail, "only on the destination"); break;
		case VALIDATE_ERROR: snprintf(r->detail, sizeof r->detail, "%.255s", t->error); break;
		case VALIDATE_DIFFER:
			if (t->details && t->details[0])
				snprintf(r->detail, sizeof r->detail, "%s", t->details[0]);
			else
				snprintf(r->detail, sizeof r->detail, "%s differs",
					 validate_checks_text(t->differed, checks, sizeof checks));
			break;
		default:
			if (t->sampled)
				snprintf(r->detail, sizeof r->detail, "sampled %d%%", t->sample_percent);
			break;
		}
	}
}

static void val_publish_error(struct core *c, const char *err)
{
	pthread_mutex_lock(&c->mu);
	ui_validation_free(&c->val);
	c->val.rows = xcalloc(1, sizeof *c->val.rows);
	c->val.n = 1;
	snprintf(c->val.rows[0].table, sizeof c->val.rows[0].table, "(validation)");
	c->val.rows[0].state = VAL_ERROR;
	c->val.rows[0].src_rows = c->val.rows[0].dst_rows = -1;
	snprintf(c->val.rows[0].detail, sizeof c->val.rows[0].detail, "%.255s", err);
	c->val.finished = true;
	c->validate.done = true;
	pthread_mutex_unlock(&c->mu);
}

static void *validate_main(void *arg)
{
	struct core *c = arg;
	const struct plan *p = c->validate.plan;
	struct validate_options o;
	char err[1024];
	bool connect_failed, cancelled = false;
	validate_options_from_plan(&o, p);
	struct validate_run *run = validate_start(p, &o, err, sizeof err, &connect_failed);
	if (!run) {
		val_publish_error(c, err);
		return NULL;
	}
	for (;;) {
		validate_poll(run, 200);
		struct validate_snapshot s;
		validate_snapshot(run, &s);
		pthread_mutex_lock(&c->mu);
		if (c->validate_cancel && !cancelled) {
			validate_cancel(run);
			cancelled = true;
		}
		ui_validation_free(&c->val);
		ui_validation_from_snapshot(&s, &c->val);
		pthread_mutex_unlock(&c->mu);
		bool done = s.finished || s.cancelled;
		validate_snapshot_free(&s);
		if (done)
			break;
	}
	struct validate_result res;
	validate_finish(run, &res);
	char *path = NULL;
	validate_report_save(p, &res, &path);   /* a failure is logged */
	free(path);
	pthread_mutex_lock(&c->mu);
	ui_validation_free(&c->val);
	ui_validation_from_result(&res, &c->val);
	c->validate.done = true;
	pthread_mutex_unlock(&c->mu);
	validate_result_free(&res);
	return NULL;
}

static bool core_validate_start(void *ctx, const struct plan *p, char *err, size_t size)
{
	struct core *c = ctx;
	if (job_running(c, &c->validate)) {
		snprintf(err, size, "the validation is still running");
		return false;
	}
	pthread_mutex_lock(&c->mu);
	c->validate_cancel = false;
	ui_validation_free(&c->val);
	pthread_mutex_unlock(&c->mu);
	return job_start(c, &c->validate, validate_main, p, "the validation", err, size);
}

static void core_validate_poll(void *ctx, struct ui_validation *out)
{
	struct core *c = ctx;
	pthread_mutex_lock(&c->mu);
	*out = c->val;
	out->rows = xcalloc(c->val.n + 1, sizeof *out->rows);
	if (out->n)
		memcpy(out->rows, c->val.rows, c->val.n * sizeof *out->rows);
	pthread_mutex_unlock(&c->mu);
}

/* 11. ANALYZE. */
static void analyze_progress(const struct analyze_item *it, size_t done, size_t total, void *arg)
{
	struct core *c = arg;
	pthread_mutex_lock(&c->mu);
	c->an.tables_total = (int)total;
	c->an.tables_done = (int)done;
	if (!it->ok) {
		c->an.tables_failed++;
		snprintf(c->an.error, sizeof c->an.error, "%.120s: %.130s", it->qualified, it->error);
	}
	pthread_mutex_unlock(&c->mu);
}

static void *analyze_main(void *arg)
{
	struct core *c = arg;
	struct analyze_result res;
	char err[1024];
	bool connect_failed;
	const struct plan *p = c->analyze.plan;
	bool ok = analyze_run(p, p->jobs, analyze_progress, c, &res, err, sizeof err, &connect_failed);
	pthread_mutex_lock(&c->mu);
	if (!ok) {
		snprintf(c->an.error, sizeof c->an.error, "%.255s", err);
	} else {
		c->an.tables_total = (int)res.n;
		c->an.tables_done = (int)res.n;
		c->an.tables_failed = res.failed;
	}
	c->an.current[0] = '\0';
	c->an.finished = true;
	c->analyze.done = true;
	pthread_mutex_unlock(&c->mu);
	analyze_result_free(&res);
	return NULL;
}

static bool core_analyze_start(void *ctx, const struct plan *p, char *err, size_t size)
{
	struct core *c = ctx;
	if (job_running(c, &c->analyze)) {
		snprintf(err, size, "ANALYZE is still running");
		return false;
	}
	pthread_mutex_lock(&c->mu);
	memset(&c->an, 0, sizeof c->an);
	c->an.started_at = core_now(c);
	pthread_mutex_unlock(&c->mu);
	return job_start(c, &c->analyze, analyze_main, p, "ANALYZE", err, size);
}

static void core_analyze_poll(void *ctx, struct ui_analyze *out)
{
	struct core *c = ctx;
	pthread_mutex_lock(&c->mu);
	*out = c->an;
	pthread_mutex_unlock(&c->mu);
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
	job_join(&c->checks);
	job_join(&c->install);
	job_join(&c->validate);
	job_join(&c->analyze);
	job_join(&c->schema);
	schema_unload(c);
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
	be->ledger_list = core_ledger_list;
	be->ledger_record = core_ledger_record;
	be->ledger_restore = core_ledger_restore;
	be->ledger_confirm = core_ledger_confirm;
	be->checks_start = core_checks_start;
	be->checks_poll = core_checks_poll;
	be->advise = core_advise;
	be->install_start = core_install_start;
	be->install_poll = core_install_poll;
	be->schema_load = core_schema_load;
	be->schema_apply_start = core_schema_apply_start;
	be->schema_poll = core_schema_poll;
	be->validate_start = core_validate_start;
	be->validate_poll = core_validate_poll;
	be->analyze_start = core_analyze_start;
	be->analyze_poll = core_analyze_poll;
	be->report_write = core_report_write;
	be->done = core_done;
	ui_backend_copy_bind(be);
}
