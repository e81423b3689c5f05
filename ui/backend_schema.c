/* The wizard's schema step (7, and the post-data section after the copy)
 * over schema.c. */
#include "backend_priv.h"
#include "db.h"
#include "mem.h"
#include "runlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void core_schema_unload(struct core *c)
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
	if (core_job_running(c, &c->schema)) {
		snprintf(err, size, "the schema is still being applied");
		return false;
	}
	core_job_join(&c->schema);
	core_schema_unload(c);
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
		if (c->sch.objects[i].post_data == post) {
			c->sch.objects[i].state = OBJ_PENDING;
			snprintf(c->sch.objects[i].message, sizeof c->sch.objects[i].message, "%s",
				 post ? "applying" : "");
		}
	pthread_mutex_unlock(&c->mu);
	c->schema_post = post;
	return core_job_start(c, &c->schema, schema_main, p, "the schema", err, size);
}

void core_schema_bind(struct ui_backend *be)
{
	be->schema_load = core_schema_load;
	be->schema_apply_start = core_schema_apply_start;
	be->schema_poll = core_schema_poll;
}
