/* The wizard's model: names of states and the lifetime of the rows. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

const char *step_status_name(enum step_status s)
{
	static const char *const n[] = { "pending", "done", "skipped", "not available", "failed",
					 "cancelled" };
	return n[s];
}

const char *ui_method_name(enum method m)
{
	static const char *const n[] = { "gp2adb COPY engine", "gpcopy", "gptransfer",
					 "OSS foreign tables" };
	return m < METHOD_COUNT ? n[m] : "?";
}

const char *host_state_name(enum host_state s)
{
	static const char *const n[] = { "waiting", "connecting", "uploading", "verifying", "done",
					 "failed" };
	return n[s];
}

const char *object_state_name(enum object_state s)
{
	static const char *const n[] = { "pending", "ok", "failed", "skipped" };
	return n[s];
}

const char *val_state_name(enum val_state s)
{
	static const char *const n[] = { "pending", "running", "ok", "differs", "error" };
	return n[s];
}

bool opening_is_open(const struct ui_opening *o)
{
	return o->state == OPENING_INTENT || o->state == OPENING_OPEN;
}

size_t openings_count_open(const struct ui_openings *o)
{
	size_t n = 0;
	for (size_t i = 0; i < o->n; i++)
		n += opening_is_open(&o->items[i]);
	return n;
}

void ui_openings_free(struct ui_openings *o)
{
	free(o->items);
	memset(o, 0, sizeof *o);
}

void ui_install_free(struct ui_install *i)
{
	free(i->hosts);
	memset(i, 0, sizeof *i);
}

void ui_schema_free(struct ui_schema *s)
{
	free(s->objects);
	findings_free(&s->findings);
	memset(s, 0, sizeof *s);
}

void ui_validation_free(struct ui_validation *v)
{
	free(v->rows);
	memset(v, 0, sizeof *v);
}

void ui_databases_free(struct ui_databases *d)
{
	free(d->v);
	memset(d, 0, sizeof *d);
}

const char *biz_state_name(enum biz_state s)
{
	static const char *const n[] = { "match", "differs", "failed on source", "failed on destination",
					 "failed on both" };
	return n[s];
}

void ui_bizcheck_free(struct ui_bizcheck *b)
{
	free(b->rows);
	memset(b, 0, sizeof *b);
}

void ui_backfill_free(struct ui_backfill *b)
{
	free(b->rows);
	ui_validation_free(&b->val);
	memset(b, 0, sizeof *b);
}

bool ui_model_busy(const struct ui_model *m)
{
	return m->checks_running || (m->install_started && !m->install.finished) ||
	       (m->schema.applying && !m->schema.finished) || (m->schema.post_applying && !m->schema.post_finished) ||
	       (m->validation_started && !m->validation.finished) || (m->analyze_started && !m->analyze.finished) ||
	       (m->bizcheck_started && !m->bizcheck.finished) || (m->backfill_detecting && !m->backfill.detected) ||
	       (m->backfill_started && !m->backfill.finished);
}

void ui_model_init(struct ui_model *m, struct plan *plan, double now)
{
	memset(m, 0, sizeof *m);
	m->plan = plan;
	m->started_at = now;
	m->method = METHOD_ENGINE;
}

void ui_model_done(struct ui_model *m)
{
	ui_openings_free(&m->openings);
	findings_free(&m->findings);
	free(m->accepted);
	advisor_free(&m->advice);
	ui_install_free(&m->install);
	ui_schema_free(&m->schema);
	engine_snapshot_free(&m->snap);
	ui_validation_free(&m->validation);
	ui_databases_free(&m->databases);
	ui_bizcheck_free(&m->bizcheck);
	ui_backfill_free(&m->backfill);
	engine_snapshot_free(&m->bf_snap);
	memset(m, 0, sizeof *m);
}
