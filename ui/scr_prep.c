/* Screens 8-9: Schema and Review (7, the gpcopy installation, is in scr_gpcopy.c). */
#include "screens.h"
#include "db.h"
#include "fmt.h"
#include "mem.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum nav schema_enter(struct wizard *w, char *reason, size_t size)
{
	(void)reason;
	(void)size;
	char err[300];
	if (!w->be->schema_load) {
		wizard_unavailable(w, SCR_SCHEMA, "schema migration (gp2adb schema)");
		return NAV_OK;
	}
	if (!w->m.schema_loaded) {
		ui_schema_free(&w->m.schema);
		w->m.schema_loaded = w->be->schema_load(w->be->ctx, w->m.plan, &w->m.schema, err, sizeof err);
		if (!w->m.schema_loaded)
			wizard_set_status(w, R_FAIL, "schema: %s", err);
	}
	return NAV_OK;
}

void schema_tick(struct wizard *w)
{
	if (!w->m.schema.applying || w->m.schema.finished || !w->be->schema_poll)
		return;
	ui_schema_free(&w->m.schema);
	w->be->schema_poll(w->be->ctx, &w->m.schema);
	w->m.schema.applying = true;
}

void schema_draw(struct wizard *w, struct canvas *c, int top, int height)
{
	if (!w->be->schema_load) {
		draw_unavailable(w, c, top, height, SCR_SCHEMA);
		return;
	}
	const struct ui_schema *s = &w->m.schema;
	size_t ok = 0, failed = 0, before = 0, post = 0;
	for (size_t i = 0; i < s->n; i++) {
		ok += s->objects[i].state == OBJ_OK && !s->objects[i].applied_before;
		before += s->objects[i].applied_before;
		failed += s->objects[i].state == OBJ_FAILED;
		post += s->objects[i].post_data && s->objects[i].state == OBJ_PENDING;
	}
	char extra[160] = "";
	if (before)
		snprintf(extra, sizeof extra, ", %zu applied before", before);
	if (post)
		snprintf(extra + strlen(extra), sizeof extra - strlen(extra), ", %zu after the copy (indexes, constraints)",
			 post);
	canvas_printf(c, top, 2, c->cols - 4, failed ? R_FAIL : R_NORMAL,
		      "%zu objects: %zu created, %zu failed%s%s%s", s->n, ok, failed, extra,
		      s->applying && !s->finished ? ", applying..." : "",
		      w->m.schema_kept ? "; the existing destination schema is kept" : "");
	int fh = s->findings.n ? (int)s->findings.n + 2 : 0;
	if (fh > height / 3)
		fh = height / 3;
	int oh = height - 1 - fh;
	canvas_box(c, top + 1, 0, oh, c->cols, "Objects", w->s.pane == 0 ? R_TITLE : R_FRAME);
	int rows = oh - 2;
	list_clamp(&w->s, (int)s->n, rows);
	for (int r = 0; r < rows && w->s.scroll + r < (int)s->n; r++) {
		const struct ui_object *o = &s->objects[w->s.scroll + r];
		int y = top + 2 + r;
		enum ui_role role = o->state == OBJ_OK ? R_OK : o->state == OBJ_FAILED ? R_FAIL : R_DIM;
		canvas_text(c, y, 2, 10, R_DIM, o->kind);
		canvas_name(c, y, 13, 40, w->s.sel == w->s.scroll + r ? R_SEL : R_NORMAL, o->name);
		canvas_text(c, y, 54, 8, role, object_state_name(o->state));
		canvas_text(c, y, 63, c->cols - 65, role == R_FAIL ? R_FAIL : R_DIM, o->message);
	}
	if (fh) {
		int y = top + 1 + oh;
		canvas_box(c, y, 0, fh, c->cols, "Findings in the dump", w->s.pane == 1 ? R_TITLE : R_FRAME);
		for (int i = 0; i < fh - 2 && i + w->s.scroll2 < (int)s->findings.n; i++) {
			const struct finding *f = &s->findings.items[i + w->s.scroll2];
			canvas_printf(c, y + 1 + i, 2, c->cols - 4, f->severity == SEV_FAIL ? R_FAIL : f->severity == SEV_WARN ? R_WARN : R_NORMAL,
				      "%-5s %s%s%s", severity_name(f->severity), f->title, f->remedy ? " - " : "",
				      f->remedy ? f->remedy : "");
		}
	}
}

bool schema_key(struct wizard *w, int key)
{
	if (!w->be->schema_load || !w->m.schema_loaded)
		return false;
	char err[300];
	bool applying = w->m.schema.applying && !w->m.schema.finished;
	if (key == 'a' && !applying) {
		if (!w->be->schema_apply_start) {
			wizard_set_status(w, R_WARN, "not available in this build: applying the schema");
		} else if (w->be->schema_apply_start(w->be->ctx, w->m.plan, false, err, sizeof err)) {
			w->m.schema.applying = true;
			w->m.schema.finished = false;
			w->m.schema_kept = false;
		} else {
			wizard_set_status(w, R_FAIL, "%s", err);
		}
		return true;
	}
	if (key == 'k' && !applying) {
		w->m.schema_kept = !w->m.schema_kept;
		return true;
	}
	if (w->s.pane == 1) {
		if (key == UI_KEY_DOWN && w->s.scroll2 + 1 < (int)w->m.schema.findings.n)
			w->s.scroll2++;
		else if (key == UI_KEY_UP && w->s.scroll2 > 0)
			w->s.scroll2--;
		else
			return false;
		return true;
	}
	return list_key(&w->s, key, (int)w->m.schema.n, 10);
}

bool schema_validate(struct wizard *w, char *err, size_t size)
{
	if (!w->be->schema_load)
		return true;
	if (!w->m.schema_loaded) {
		snprintf(err, size, "The schema could not be read; see the message, then go back and forth to retry.");
		return false;
	}
	if (w->m.schema_kept)
		return true;
	if (!w->m.schema.applying) {
		snprintf(err, size, "Apply the schema (a), or keep the existing destination schema (k).");
		return false;
	}
	if (!w->m.schema.finished) {
		snprintf(err, size, "The schema is still being applied.");
		return false;
	}
	for (size_t i = 0; i < w->m.schema.n; i++)
		/* a database the destination cannot create is named; the others go on */
		if (!w->m.schema.objects[i].post_data && w->m.schema.objects[i].state == OBJ_FAILED &&
		    strcmp(w->m.schema.objects[i].kind, "database") != 0) {
			snprintf(err, size, "%s %s failed: %s", w->m.schema.objects[i].kind,
				 w->m.schema.objects[i].name, w->m.schema.objects[i].message);
			return false;
		}
	return true;
}

static size_t post_objects(const struct ui_schema *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->objects[i].post_data;
	return n;
}

static bool post_wanted(const struct wizard *w)
{
	return w->be->schema_apply_start && w->m.schema_loaded && !w->m.schema_kept && w->m.schema.finished &&
	       post_objects(&w->m.schema) > 0;
}

void schema_post_start(struct wizard *w, bool copy_ok)
{
	if (!post_wanted(w) || w->m.schema.post_applying)
		return;
	if (!copy_ok) {
		w->m.status[SCR_SCHEMA] = STEP_FAILED;
		snprintf(w->m.reason[SCR_SCHEMA], sizeof w->m.reason[SCR_SCHEMA],
			 "post-data not applied: the copy did not finish; once it has (gp2adb copy --resume or "
			 "--only-failed), run: gp2adb schema --section post-data");
		return;
	}
	char err[300];
	if (!w->be->schema_apply_start(w->be->ctx, w->m.plan, true, err, sizeof err)) {
		w->m.status[SCR_SCHEMA] = STEP_FAILED;
		snprintf(w->m.reason[SCR_SCHEMA], sizeof w->m.reason[SCR_SCHEMA],
			 "post-data not applied (%.100s); run: gp2adb schema --section post-data", err);
		wizard_set_status(w, R_FAIL, "The post-data schema could not be started: %s", err);
		return;
	}
	w->m.schema.post_applying = true;
	w->m.schema.post_finished = false;
	wizard_set_status(w, R_NORMAL, "The copy has finished; applying the post-data schema (%zu indexes, "
		          "constraints, foreign keys)...", post_objects(&w->m.schema));
}

bool schema_post_running(const struct wizard *w)
{
	return w->m.schema.post_applying && !w->m.schema.post_finished;
}

void schema_post_tick(struct wizard *w)
{
	if (!schema_post_running(w) || !w->be->schema_poll)
		return;
	ui_schema_free(&w->m.schema);
	w->be->schema_poll(w->be->ctx, &w->m.schema);
	if (!w->m.schema.post_finished)
		return;
	size_t ok = 0, before = 0, bad = 0;
	for (size_t i = 0; i < w->m.schema.n; i++) {
		const struct ui_object *o = &w->m.schema.objects[i];
		if (!o->post_data)
			continue;
		before += o->applied_before;
		ok += o->state == OBJ_OK && !o->applied_before;
		bad += o->state != OBJ_OK;
	}
	if (bad) {
		w->m.status[SCR_SCHEMA] = STEP_FAILED;
		snprintf(w->m.reason[SCR_SCHEMA], sizeof w->m.reason[SCR_SCHEMA],
			 "post-data: %zu object%s not applied (see the report); fix, then run: gp2adb schema "
			 "--section post-data", bad, bad == 1 ? "" : "s");
		wizard_set_status(w, R_FAIL, "The copy has finished; post-data schema: %zu applied, %zu NOT applied "
				  "(see the schema step).  Enter goes on to validation.", ok + before, bad);
		return;
	}
	wizard_set_status(w, R_OK, "The copy has finished; post-data schema applied: %zu object%s%s.  Enter goes "
			  "on to validation.", ok + before, ok + before == 1 ? "" : "s",
			  before ? (ok ? ", some applied before" : ", all applied before") : "");
}

static void review_line(struct canvas *c, int *y, const char *label, enum ui_role role, const char *value)
{
	canvas_text(c, *y, 2, 14, R_DIM, label);
	canvas_text(c, (*y)++, 16, c->cols - 18, role, value);
}

static char *list_text(char **v, const char *empty)
{
	if (!v || !v[0])
		return xstrdup(empty);
	struct strbuf sb;
	strbuf_init(&sb);
	for (size_t i = 0; v[i]; i++)
		strbuf_printf(&sb, "%s%s", i ? ", " : "", v[i]);
	return strbuf_finish(&sb);
}

void review_draw(struct wizard *w, struct canvas *c, int top, int height)
{
	const struct plan *p = w->m.plan;
	int y = top + 1;
	char buf[300];
	canvas_text(c, y++, 2, c->cols - 4, R_TITLE, "When you press Next (and confirm), gp2adb will:");
	y++;
	char *src = db_endpoint_describe(&p->source), *dst = db_endpoint_describe(&p->destination);
	review_line(c, &y, "read from", R_NORMAL, src);
	review_line(c, &y, "write to", R_NORMAL, dst);
	free(src);
	free(dst);
	review_line(c, &y, "method", R_NORMAL, ui_method_name(w->m.method));
	if (w->m.method == METHOD_ENGINE) {
		const char *path = p->path == PATH_SEGMENT
			? "segment to segment for every table, through gp2adb's relay"
			: p->path == PATH_COORDINATOR ? "through the two coordinators"
			: w->m.advice_ready && w->m.advice.path_reason ? w->m.advice.path_reason
			: "large tables segment to segment when both clusters' segments reach gp2adb's relay";
		review_line(c, &y, "path", p->path == PATH_SEGMENT || (p->path == PATH_AUTO && w->m.advice_ready &&
				 w->m.advice.engine_path == PATH_SEGMENT) ? R_OK : R_NORMAL, path);
	}
	char *dbs = databases_text(&w->m);
	char *inc = list_text(p->include, "every table");
	char *exc = list_text(p->exclude, "nothing");
	review_line(c, &y, "databases", R_NORMAL, dbs);
	review_line(c, &y, "roles", R_NORMAL, p->roles
		    ? "copied first, before any database (migration.roles)"
		    : "not copied (migration.roles = false)");
	review_line(c, &y, "tables", R_NORMAL, inc);
	review_line(c, &y, "except", R_NORMAL, exc);
	free(dbs);
	free(inc);
	free(exc);
	snprintf(buf, sizeof buf, "%s (%s)", plan_mode_name(p->mode),
		 p->mode == MODE_TRUNCATE ? "destination tables are emptied first"
		 : p->mode == MODE_APPEND ? "rows are added to what is there"
		 : p->mode == MODE_DROP ? "destination tables are dropped and created again"
					: "tables that already hold rows are left alone");
	review_line(c, &y, "mode", p->mode == MODE_TRUNCATE || p->mode == MODE_DROP ? R_WARN : R_NORMAL, buf);
	if (w->m.method == METHOD_GPCOPY) {
		y += review_gpcopy_draw(w, c, y);
	} else {
		snprintf(buf, sizeof buf, "%d workers, format %s, tables over %ld MiB split", p->jobs,
			 plan_format_name(p->format), p->split_threshold_mb);
		review_line(c, &y, "copy", R_NORMAL, buf);
	}
	snprintf(buf, sizeof buf, "%s%s%s%s; backfill later writes; %s",
		 p->validate == VALIDATE_NONE ? "no validation" : "validation ",
		 p->validate == VALIDATE_NONE ? "" : plan_validate_name(p->validate),
		 p->business_queries ? ", queries " : "",
		 p->business_queries ? p->business_queries : "", p->analyze ? "ANALYZE" : "no ANALYZE");
	review_line(c, &y, "then", R_NORMAL, buf);
	if (!w->be->schema_load)
		snprintf(buf, sizeof buf, "not available in this build: create the tables before the copy");
	else if (w->m.schema_kept)
		snprintf(buf, sizeof buf, "the existing destination schema is kept; nothing is created");
	else if (post_wanted(w))
		snprintf(buf, sizeof buf, "pre-data applied; %zu post-data (indexes, FKs) after the copy",
			 post_objects(&w->m.schema));
	else
		snprintf(buf, sizeof buf, "applied (nothing to apply after the copy)");
	review_line(c, &y, "schema", R_NORMAL, buf);
	size_t open = openings_count_open(&w->m.openings) ;
	snprintf(buf, sizeof buf, "%s%s",
		 w->m.whitelist_recorded ? "whitelist entry recorded in the ledger"
		 : w->m.whitelist_not_needed ? "nothing opened (host already allowed)"
					     : "whitelist entry NOT recorded",
		 open ? "; earlier openings still open" : "");
	review_line(c, &y, "access", w->m.whitelist_recorded || w->m.whitelist_not_needed ? R_NORMAL : R_WARN, buf);
	y++;
	int warned = 0;
	for (int i = 0; i < SCR_REVIEW && y < top + height - 1; i++)
		if (w->m.status[i] == STEP_UNAVAILABLE || w->m.status[i] == STEP_FAILED) {
			if (!warned++)
				canvas_text(c, y++, 2, c->cols - 4, R_WARN, "Steps that did not run:");
			canvas_printf(c, y++, 4, c->cols - 6, R_WARN, "%s: %s", wizard_screens[i].title, w->m.reason[i]);
		}
}

bool review_apply(struct wizard *w, char *err, size_t size)
{
	if (!w->be->copy_start || w->m.copy_started)
		return true;   /* not available: the migration screen says so */
	if (!w->be->copy_start(w->be->ctx, w->m.plan, w->m.method, err, size))
		return false;
	w->m.copy_started = true;
	return true;
}
