/* The wizard's schema step (8, and the post-data section after the copy)
 * over schema.c, for each database of the plan (cluster.h): a database the
 * destination lacks is created first, one it cannot create is named with
 * the reason and the others go on.  With migration.roles, the pre-data
 * section starts with the roles (globals.h). */
#include "backend_priv.h"
#include "db.h"
#include "mem.h"
#include "runlog.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 8. Schema: the source's DDL read and scanned here (the same load as gp2adb
 * schema), each section applied on a thread through the schema journal. */
static void schema_findings_to_ui(const struct schema_findings *sf, const char *db, struct findings *out)
{
	for (size_t i = 0; i < sf->n; i++) {
		const struct schema_finding *f = &sf->v[i];
		char *title = xasprintf("%s%s%s (line %d): %s", db ? db : "", db ? ": " : "", f->object, f->line,
					f->problem);
		findings_add(out, f->id, SEV_WARN, title, f->problem, f->fix, NULL);
		free(title);
	}
}

void core_schema_unload(struct core *c)
{
	for (size_t i = 0; c->sl && i < c->sdbs.dbs.n; i++)
		if (c->sl_ok[i])
			schema_load_done(&c->sl[i]);
	free(c->sl);
	free(c->sl_ok);
	free(c->sl_create);
	free(c->sl_failed);
	free(c->sl_row);
	c->sl = NULL;
	c->sl_ok = c->sl_create = c->sl_failed = NULL;
	c->sl_row = NULL;
	core_dbs_free(&c->sdbs);
	c->schema_ready = false;
	free(c->obj_item);
	free(c->obj_db);
	c->obj_item = c->obj_db = NULL;
	pthread_mutex_lock(&c->mu);
	ui_schema_free(&c->sch);
	pthread_mutex_unlock(&c->mu);
}

static void object_from_item(const struct schema_item *it, const char *db, struct ui_object *o)
{
	snprintf(o->kind, sizeof o->kind, "%s", it->kind);
	for (char *k = o->kind; *k; k++)
		*k = (char)(*k >= 'A' && *k <= 'Z' ? *k - 'A' + 'a' : *k);
	snprintf(o->name, sizeof o->name, "%s%s%s", db ? db : "", db ? ": " : "", it->name);
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
	memset(&out->findings, 0, sizeof out->findings);
	for (size_t i = 0; c->schema_ready && i < c->sdbs.dbs.n; i++)
		if (c->sl_ok[i])
			schema_findings_to_ui(&c->sl[i].findings, core_dbs_name(&c->sdbs, i), &out->findings);
}

/* A row of its own: the roles, or a database and whether it exists. */
static void own_row(struct core *c, struct ui_schema *s, const char *kind, const char *name, enum object_state st,
		    const char *msg)
{
	struct ui_object *o = &s->objects[s->n];
	memset(o, 0, sizeof *o);
	snprintf(o->kind, sizeof o->kind, "%s", kind);
	snprintf(o->name, sizeof o->name, "%s", name);
	o->state = st;
	snprintf(o->message, sizeof o->message, "%s", msg);
	c->obj_db[s->n] = SIZE_MAX;
	c->obj_item[s->n++] = 0;
}

static bool on_destination(const struct plan *view)
{
	struct db_error e;
	PGconn *c = db_connect(&view->destination, "destination", &e);
	if (c)
		PQfinish(c);
	return c != NULL;
}

/* Database i of the load: its DDL read and scanned (against the
 * destination's maintenance database when the destination lacks it: the
 * pre-data job creates it, after the roles it may be owned by); false with
 * err when it cannot be read. */
static bool load_database(struct core *c, const struct plan *p, size_t i, char *err, size_t size)
{
	struct plan view;
	const struct cluster_db *d = &c->sdbs.dbs.v[i];
	if (!d->on_source) {
		snprintf(err, size, "the source has no such database; the others go on");
		return false;
	}
	core_dbs_view(&c->sdbs, p, i, &view);
	if (view.destination.dbname && !on_destination(&view)) {
		c->sl_create[i] = true;
		view.destination.dbname = "postgres";
	}
	PGconn *dst;
	int code;
	if (!schema_load(&view, NULL, &c->sl[i], &dst, &code, err, size))
		return false;
	PQfinish(dst);      /* each section is applied on a connection of its own, later */
	c->sl_ok[i] = true;
	return true;
}

/* Create database i on the destination; false (its row and objects say
 * why) when it cannot be. */
static bool create_database(struct core *c, const struct plan *view, size_t i)
{
	struct cluster_db one = c->sdbs.dbs.v[i];
	char err[600];
	bool made;
	one.name = view->destination.dbname;
	bool ok = cluster_ensure_database(view, &one, &made, err, sizeof err);
	pthread_mutex_lock(&c->mu);
	c->sl_failed[i] = !ok;
	if (c->sl_row[i] != SIZE_MAX) {
		struct ui_object *o = &c->sch.objects[c->sl_row[i]];
		o->state = ok ? OBJ_OK : OBJ_FAILED;
		snprintf(o->message, sizeof o->message, "%.255s", ok ? "created on the destination" : err);
	}
	for (size_t k = 0; !ok && k < c->sch.n; k++)
		if (c->obj_db[k] == i) {
			c->sch.objects[k].state = OBJ_SKIPPED;
			snprintf(c->sch.objects[k].message, sizeof c->sch.objects[k].message,
				 "not applied: the database could not be created");
		}
	pthread_mutex_unlock(&c->mu);
	return ok;
}

static bool core_schema_load(void *ctx, const struct plan *p, struct ui_schema *out, char *err, size_t size)
{
	struct core *c = ctx;
	memset(out, 0, sizeof *out);
	if (core_job_running(c, &c->schema)) {
		snprintf(err, size, "the schema is still being applied");
		return false;
	}
	core_job_join(&c->schema);
	core_schema_unload(c);
	if (!core_dbs_load(p, &c->sdbs, err, size))
		return false;
	size_t ndb = c->sdbs.dbs.n, nitems = 0;
	c->sl = xcalloc(ndb + 1, sizeof *c->sl);
	c->sl_ok = xcalloc(ndb + 1, sizeof *c->sl_ok);
	c->sl_create = xcalloc(ndb + 1, sizeof *c->sl_create);
	c->sl_failed = xcalloc(ndb + 1, sizeof *c->sl_failed);
	c->sl_row = xcalloc(ndb + 1, sizeof *c->sl_row);
	char (*why)[400] = xcalloc(ndb + 1, sizeof *why);
	size_t loaded = 0;
	for (size_t i = 0; i < ndb; i++) {
		c->sl_row[i] = SIZE_MAX;
		if (load_database(c, p, i, why[i], sizeof why[i]))
			nitems += c->sl[i].items.n, loaded++;
	}
	if (!c->sdbs.multi && loaded == 0) {
		/* one database: its failure is the step's */
		snprintf(err, size, "%s", why[0]);
		free(why);
		core_schema_unload(c);
		return false;
	}
	c->schema_ready = true;
	c->schema_roles = p->roles;
	size_t rows = nitems + ndb + 2;
	c->obj_item = xcalloc(rows, sizeof *c->obj_item);
	c->obj_db = xcalloc(rows, sizeof *c->obj_db);
	struct ui_schema s = { 0 };
	s.objects = xcalloc(rows, sizeof *s.objects);
	if (c->schema_roles)
		own_row(c, &s, "roles", "roles, memberships, resource queues/groups", OBJ_PENDING, "applied first");
	for (size_t i = 0; i < ndb; i++) {
		const char *db = core_dbs_name(&c->sdbs, i);
		if (db || c->sl_create[i])
			c->sl_row[i] = s.n;
		if (!c->sl_ok[i] && c->sdbs.multi)
			own_row(c, &s, "database", db, OBJ_FAILED, why[i]);
		else if (c->sl_create[i])
			own_row(c, &s, "database", c->sdbs.dbs.v[i].name, OBJ_PENDING, "created when the schema is applied");
		else if (db)
			own_row(c, &s, "database", db, OBJ_OK, "exists on the destination");
		if (!c->sl_ok[i])
			continue;
		const struct schema_items *items = &c->sl[i].items;
		for (size_t k = 0; k < items->n; k++) {
			if (items->v[k].role != ITEM_OBJECT)
				continue;
			c->obj_db[s.n] = i;
			c->obj_item[s.n] = k;
			object_from_item(&items->v[k], db, &s.objects[s.n++]);
		}
	}
	free(why);
	pthread_mutex_lock(&c->mu);
	c->sch = s;
	pthread_mutex_unlock(&c->mu);
	core_schema_poll(c, out);
	return true;
}

/* The results of database i's section (ran: it was applied; else err). */
static void schema_publish(struct core *c, size_t db, bool post, bool ran, const char *err,
			   const struct item_result *res)
{
	enum schema_section sec = post ? SECTION_POST : SECTION_PRE;
	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < c->sch.n; i++) {
		if (c->obj_db[i] != db)
			continue;
		const struct schema_item *it = &c->sl[db].items.v[c->obj_item[i]];
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
	pthread_mutex_unlock(&c->mu);
}

/* Apply one database's section through its schema journal. */
static void schema_apply_database(struct core *c, const struct plan *p, size_t db, bool post)
{
	const struct schema_items *items = &c->sl[db].items;
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
	schema_publish(c, db, post, ran, err, res);
	for (size_t k = 0; k < items->n; k++)
		free(res[k].message);
	free(res);
}

static void *schema_main(void *arg)
{
	struct core *c = arg;
	const struct plan *p = c->schema.plan;
	bool post = c->schema_post;
	if (!post && c->schema_roles) {
		/* the roles come before any database's objects (their owners, grants) */
		char msg[256];
		bool ok = core_roles_apply(p, msg, sizeof msg);
		pthread_mutex_lock(&c->mu);
		c->sch.objects[0].state = ok ? OBJ_OK : OBJ_FAILED;
		snprintf(c->sch.objects[0].message, sizeof c->sch.objects[0].message, "%s", msg);
		pthread_mutex_unlock(&c->mu);
	}
	for (size_t i = 0; i < c->sdbs.dbs.n; i++) {
		if (!c->sl_ok[i])
			continue;
		struct plan view;
		core_dbs_view(&c->sdbs, p, i, &view);
		/* a database the destination cannot create is named; the others go on */
		if (!post && c->sl_create[i] && !c->sl_failed[i] && !create_database(c, &view, i))
			continue;
		if (c->sl_failed[i])
			continue;
		schema_apply_database(c, &view, i, post);
	}
	pthread_mutex_lock(&c->mu);
	if (post)
		c->sch.post_finished = true;
	else
		c->sch.finished = true;
	c->schema.done = true;
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static bool core_schema_apply_start(void *ctx, const struct plan *p, bool post, char *err, size_t size)
{
	struct core *c = ctx;
	if (!c->schema_ready) {
		snprintf(err, size, "the schema has not been read yet");
		return false;
	}
	if (core_job_running(c, &c->schema)) {
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
		if (c->obj_db[i] != SIZE_MAX && c->sch.objects[i].post_data == post) {
			c->sch.objects[i].state = OBJ_PENDING;
			snprintf(c->sch.objects[i].message, sizeof c->sch.objects[i].message, "%s",
				 post ? "applying" : "");
		}
	pthread_mutex_unlock(&c->mu);
	c->schema_post = post;
	for (size_t i = 0; !post && i < c->sdbs.dbs.n; i++)
		c->sl_failed[i] = false;        /* tried again */
	return core_job_start(c, &c->schema, schema_main, p, "the schema", err, size);
}

void core_schema_bind(struct ui_backend *be)
{
	be->schema_load = core_schema_load;
	be->schema_apply_start = core_schema_apply_start;
	be->schema_poll = core_schema_poll;
}
