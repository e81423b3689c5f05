/* Screens 11, 14-16: Validation, ANALYZE, Access restoration, Summary. */
#include "screens.h"
#include "fmt.h"
#include "mem.h"
#include "strbuf.h"
#include "exitcode.h"
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum nav validation_enter(struct wizard *w, char *reason, size_t size)
{
	if (w->m.plan->validate == VALIDATE_NONE) {
		snprintf(reason, size, "validation is off in the plan (migration.validate = none)");
		return NAV_SKIP;
	}
	if (!w->be->validate_start || !w->be->validate_poll) {
		wizard_unavailable(w, SCR_VALIDATION, "validation (gp2adb validate)");
		return NAV_OK;
	}
	if (!w->m.copy_started) {
		snprintf(reason, size, "no copy ran in this session; run gp2adb validate after copying");
		return NAV_SKIP;
	}
	if (!w->m.validation_started) {
		char err[300];
		if (w->be->validate_start(w->be->ctx, w->m.plan, err, sizeof err))
			w->m.validation_started = true;
		else
			wizard_set_status(w, R_FAIL, "validation: %s", err);
	}
	validation_tick(w);
	return NAV_OK;
}

void validation_tick(struct wizard *w)
{
	if (!w->m.validation_started || w->m.validation.finished)
		return;
	ui_validation_free(&w->m.validation);
	w->be->validate_poll(w->be->ctx, &w->m.validation);
	if (w->m.validation.finished)
		for (size_t i = 0; i < w->m.validation.n; i++)
			if (w->m.validation.rows[i].state == VAL_DIFF || w->m.validation.rows[i].state == VAL_ERROR) {
				w->m.status[SCR_VALIDATION] = STEP_FAILED;
				snprintf(w->m.reason[SCR_VALIDATION], sizeof w->m.reason[SCR_VALIDATION],
					 "differences found; see the report");
			}
}

void validation_draw(struct wizard *w, struct canvas *c, int top, int height)
{
	if (!w->be->validate_start || !w->be->validate_poll) {
		draw_unavailable(w, c, top, height, SCR_VALIDATION);
		return;
	}
	const struct ui_validation *v = &w->m.validation;
	size_t ok = 0, diff = 0;
	for (size_t i = 0; i < v->n; i++) {
		ok += v->rows[i].state == VAL_OK;
		diff += v->rows[i].state == VAL_DIFF || v->rows[i].state == VAL_ERROR;
	}
	canvas_printf(c, top, 2, c->cols - 4, diff ? R_FAIL : R_NORMAL, "%zu tables (%s): %zu match, %zu differ%s",
		      v->n, plan_validate_name(w->m.plan->validate), ok, diff, v->finished ? "" : ", comparing...");
	canvas_box(c, top + 1, 0, height - 1, c->cols, "Tables", R_FRAME);
	int name_w = c->cols >= 120 ? 48 : 28;
	int y = top + 2;
	canvas_printf(c, y++, 2, c->cols - 4, R_DIM, "%-*s %12s %12s  %-8s %s", name_w, "table", "source rows",
		      "dest rows", "result", "detail");
	int rows = height - 4;
	list_clamp(&w->s, (int)v->n, rows);
	for (int r = 0; r < rows && w->s.scroll + r < (int)v->n; r++) {
		const struct ui_val_row *x = &v->rows[w->s.scroll + r];
		char a[24], b[24];
		enum ui_role role = x->state == VAL_OK ? R_OK : x->state == VAL_DIFF || x->state == VAL_ERROR ? R_FAIL : R_DIM;
		snprintf(a, sizeof a, x->src_rows >= 0 ? "%lld" : "-", x->src_rows);
		snprintf(b, sizeof b, x->dst_rows >= 0 ? "%lld" : "-", x->dst_rows);
		canvas_name(c, y + r, 2, name_w, w->s.sel == w->s.scroll + r ? R_SEL : R_NORMAL, x->table);
		canvas_printf(c, y + r, 3 + name_w, 26, role == R_FAIL ? R_FAIL : R_NORMAL, "%12s %12s", a, b);
		canvas_text(c, y + r, 31 + name_w, 8, role, val_state_name(x->state));
		canvas_name(c, y + r, 40 + name_w, c->cols - 42 - name_w, role == R_FAIL ? R_FAIL : R_DIM, x->detail);
	}
}

bool validation_key(struct wizard *w, int key)
{
	return list_key(&w->s, key, (int)w->m.validation.n, 10);
}

bool validation_validate(struct wizard *w, char *err, size_t size)
{
	if (!w->be->validate_start || !w->be->validate_poll)
		return true;
	if (w->m.validation_started && !w->m.validation.finished) {
		snprintf(err, size, "The comparison is still running.");
		return false;
	}
	return true;
}

enum nav analyze_enter(struct wizard *w, char *reason, size_t size)
{
	if (!w->m.plan->analyze) {
		snprintf(reason, size, "ANALYZE is off in the plan (migration.analyze = false)");
		return NAV_SKIP;
	}
	if (!w->be->analyze_start || !w->be->analyze_poll) {
		wizard_unavailable(w, SCR_ANALYZE, "ANALYZE (gp2adb analyze)");
		return NAV_OK;
	}
	if (!w->m.copy_started) {
		snprintf(reason, size, "no copy ran in this session; run gp2adb analyze after copying");
		return NAV_SKIP;
	}
	if (!w->m.analyze_started) {
		char err[300];
		if (w->be->analyze_start(w->be->ctx, w->m.plan, err, sizeof err))
			w->m.analyze_started = true;
		else
			wizard_set_status(w, R_FAIL, "ANALYZE: %s", err);
	}
	analyze_tick(w);
	return NAV_OK;
}

void analyze_tick(struct wizard *w)
{
	if (!w->m.analyze_started || w->m.analyze.finished)
		return;
	w->be->analyze_poll(w->be->ctx, &w->m.analyze);
}

void analyze_draw(struct wizard *w, struct canvas *c, int top, int height)
{
	if (!w->be->analyze_start || !w->be->analyze_poll) {
		draw_unavailable(w, c, top, height, SCR_ANALYZE);
		return;
	}
	const struct ui_analyze *a = &w->m.analyze;
	char bar[512], el[16];
	double f = a->tables_total > 0 ? (double)a->tables_done / a->tables_total : 0;
	int y = top + 2;
	canvas_printf(c, y++, 2, c->cols - 4, R_NORMAL, "%d of %d tables analyzed%s", a->tables_done,
		      a->tables_total, a->finished ? "" : "...");
	canvas_text(c, y, 2, c->cols - 12, R_BAR, fmt_bar(bar, sizeof bar, c->cols - 12, f, c->utf8));
	canvas_printf(c, y++, c->cols - 9, 6, R_NORMAL, "%3d%%", (int)(f * 100));
	y++;
	if (!a->finished && a->current[0])
		canvas_printf(c, y++, 2, c->cols - 4, R_NORMAL, "now: %s", a->current);
	canvas_printf(c, y++, 2, c->cols - 4, R_DIM, "elapsed %s",
		      fmt_duration(el, sizeof el, a->started_at > 0 ? wizard_now(w) - a->started_at : 0));
	if (a->tables_failed)
		canvas_printf(c, y++, 2, c->cols - 4, R_FAIL, "%d tables failed: %s", a->tables_failed, a->error);
	else if (a->error[0])
		canvas_text(c, y++, 2, c->cols - 4, R_FAIL, a->error);
}

bool analyze_validate(struct wizard *w, char *err, size_t size)
{
	if (!w->be->analyze_start || !w->be->analyze_poll || !w->m.analyze_started)
		return true;
	if (!w->m.analyze.finished) {
		snprintf(err, size, "ANALYZE is still running.");
		return false;
	}
	return true;
}

static void reload_openings(struct wizard *w)
{
	char err[300];
	ui_openings_free(&w->m.openings);
	w->m.ledger_ready = w->be->ledger_list(w->be->ctx, w->m.plan, &w->m.openings, err, sizeof err);
	if (!w->m.ledger_ready)
		wizard_set_status(w, R_FAIL, "access ledger: %s", err);
}

enum nav access_enter(struct wizard *w, char *reason, size_t size)
{
	(void)reason;
	(void)size;
	if (!w->be->ledger_list) {
		wizard_unavailable(w, SCR_ACCESS, "access ledger (gp2adb restore-access)");
		return NAV_OK;
	}
	reload_openings(w);
	return NAV_OK;
}

static const char *opening_state_name(enum opening_state s)
{
	static const char *const n[] = { "opening", "OPEN", "restored", "verified closed" };
	return n[s];
}

void access_draw(struct wizard *w, struct canvas *c, int top, int height)
{
	if (!w->be->ledger_list) {
		draw_unavailable(w, c, top, height, SCR_ACCESS);
		canvas_text(c, top + 5, 2, c->cols - 4, R_WARN,
			    "Remove any whitelist entry, pg_hba line or grant you added for this migration yourself.");
		return;
	}
	const struct ui_openings *o = &w->m.openings;
	size_t open = openings_count_open(o);
	canvas_printf(c, top, 2, c->cols - 4, open ? R_FAIL : R_OK, "%zu openings, %zu still open%s", o->n, open,
		      open ? ": the migration is not finished before they are closed" : "");
	canvas_box(c, top + 1, 0, height - 1, c->cols, "Openings", R_FRAME);
	int rows = (height - 3) / 2;
	list_clamp(&w->s, (int)o->n, rows);
	for (int r = 0; r < rows && w->s.scroll + r < (int)o->n; r++) {
		const struct ui_opening *x = &o->items[w->s.scroll + r];
		int y = top + 2 + 2 * r;
		bool isopen = opening_is_open(x);
		canvas_text(c, y, 2, 10, R_DIM, x->kind);
		canvas_name(c, y, 13, c->cols - 32, w->s.sel == w->s.scroll + r ? R_SEL : R_NORMAL, x->what);
		canvas_rtext(c, y, c->cols - 2, isopen ? R_FAIL : R_OK, opening_state_name(x->state));
		if (isopen) {
			char *todo = xasprintf("%s: %s", x->by_gp2adb ? "r restores and verifies" : "close it yourself, then y",
					       x->undo);
			canvas_name(c, y + 1, 13, c->cols - 15, R_NORMAL, todo);
			free(todo);
		}
	}
}

bool access_key(struct wizard *w, int key)
{
	if (!w->be->ledger_list || w->m.openings.n == 0)
		return false;
	struct ui_opening *x = &w->m.openings.items[w->s.sel];
	char err[300], q[400];
	if (key == 'r') {
		if (!x->by_gp2adb)
			wizard_set_status(w, R_WARN, "gp2adb did not make this opening: close it yourself, then press y.");
		else if (!w->be->ledger_restore)
			wizard_set_status(w, R_WARN, "not available in this build: restoring access");
		else if (w->be->ledger_restore(w->be->ctx, w->m.plan, x->id, err, sizeof err)) {
			wizard_set_status(w, R_OK, "Restored and verified.");
			reload_openings(w);
		} else
			wizard_set_status(w, R_FAIL, "%s", err);
		return true;
	}
	if (key == 'y' && opening_is_open(x)) {
		if (x->by_gp2adb) {
			wizard_set_status(w, R_WARN, "gp2adb made this opening: r restores and verifies it.");
			return true;
		}
		snprintf(q, sizeof q, "Is this closed now: %s? (y/n)", x->what);
		wizard_ask(w, CONFIRM_OPENING_CLOSED, q);
		return true;
	}
	return list_key(&w->s, key, (int)w->m.openings.n, 5);
}

void access_screen_confirm(struct wizard *w)
{
	char err[300];
	if (w->m.openings.n == 0)
		return;
	struct ui_opening *x = &w->m.openings.items[w->s.sel];
	if (!w->be->ledger_confirm)
		wizard_set_status(w, R_WARN, "not available in this build: confirming access closed");
	else if (w->be->ledger_confirm(w->be->ctx, w->m.plan, x->id, err, sizeof err)) {
		wizard_set_status(w, R_OK, "Recorded as closed.");
		reload_openings(w);
	} else
		wizard_set_status(w, R_FAIL, "%s", err);
}

bool access_validate(struct wizard *w, char *err, size_t size)
{
	if (!w->be->ledger_list)
		return true;
	size_t open = openings_count_open(&w->m.openings);
	if (open) {
		snprintf(err, size, "%zu opening%s still open: close %s (r or y) before finishing, or quit (q).",
			 open, open == 1 ? " is" : "s are", open == 1 ? "it" : "them");
		return false;
	}
	return true;
}

enum nav summary_enter(struct wizard *w, char *reason, size_t size)
{
	(void)reason;
	(void)size;
	char err[300];
	if (w->m.report_path[0])
		return NAV_OK;
	if (!w->be->report_write)
		wizard_unavailable(w, SCR_SUMMARY, "the report");
	else if (!w->be->report_write(w->be->ctx, &w->m, w->m.report_path, sizeof w->m.report_path, err, sizeof err))
		wizard_set_status(w, R_FAIL, "report: %s", err);
	return NAV_OK;
}

/* Why the migration cannot be called finished; NULL when it can. */
static void not_finished(const struct ui_model *m, bool cancelled, struct strbuf *why)
{
	if (cancelled && m->method == METHOD_GPCOPY)
		strbuf_puts(why, "  - gpcopy was cancelled (the command below copies the other tables)\n");
	else if (cancelled)
		strbuf_puts(why, "  - the copy was cancelled (resume: gp2adb copy --resume)\n");
	else if (!m->copy_started)
		strbuf_puts(why, "  - no data was copied\n");
	else if (!m->snap.finished)
		strbuf_puts(why, "  - the copy did not finish\n");
	if (m->snap.tables_failed)
		strbuf_printf(why, "  - %d table%s failed\n", m->snap.tables_failed, m->snap.tables_failed == 1 ? "" : "s");
	if (m->status[SCR_VALIDATION] == STEP_FAILED)
		strbuf_puts(why, "  - validation found differences\n");
	if (m->status[SCR_BIZCHECK] == STEP_FAILED)
		strbuf_printf(why, "  - business check: %s\n", m->reason[SCR_BIZCHECK]);
	if (m->status[SCR_BACKFILL] == STEP_FAILED || (m->status[SCR_BACKFILL] == STEP_SKIPPED && m->backfill.n))
		strbuf_printf(why, "  - backfill: %s\n", m->reason[SCR_BACKFILL]);
	if (!m->ledger_ready)
		strbuf_puts(why, "  - the access ledger could not be checked\n");
	else if (openings_count_open(&m->openings)) {
		size_t open = openings_count_open(&m->openings);
		strbuf_printf(why, "  - %zu access opening%s still open; close %s with gp2adb restore-access\n"
			      "    (or on the Access restoration screen):\n", open, open == 1 ? " is" : "s are",
			      open == 1 ? "it" : "them");
		for (size_t i = 0; i < m->openings.n; i++)
			if (opening_is_open(&m->openings.items[i]))
				strbuf_printf(why, "      %s\n", m->openings.items[i].what);
	}
	for (int i = 0; i < SCR_SUMMARY; i++)
		if (m->status[i] == STEP_UNAVAILABLE)
			strbuf_printf(why, "  - %s: %s\n", wizard_screens[i].title, m->reason[i]);
}

char *wizard_summary_text(const struct wizard *w)
{
	return ui_summary_text(&w->m, w->cancelled, true);
}

char *ui_summary_text(const struct ui_model *m, bool cancelled, bool report_line)
{
	const struct engine_snapshot *s = &m->snap;
	struct strbuf sb, why;
	char a[16], b[24], d[16], e[16];
	strbuf_init(&sb);
	strbuf_init(&why);
	not_finished(m, cancelled, &why);
	strbuf_printf(&sb, "Migration %s\n", why.len ? "NOT finished:" : "finished.");
	strbuf_puts(&sb, why.data);
	char *dbs = databases_text(m);
	strbuf_printf(&sb, "Databases: %s\n", dbs);
	free(dbs);
	double end = m->copy_finished_at > 0 ? m->copy_finished_at : s->now;
	if (m->copy_started) {
		double secs = s->started_at > 0 ? end - s->started_at : 0;
		strbuf_printf(&sb, "Copy: %d of %d tables done, %d failed, %d skipped; %s and %s rows in %s (%s)\n",
			      s->tables_done, s->tables_total, s->tables_failed, s->tables_skipped,
			      fmt_bytes(a, sizeof a, s->bytes_done), fmt_count(d, sizeof d, s->rows_done),
			      fmt_duration(e, sizeof e, secs),
			      fmt_rate(b, sizeof b, secs > 0 ? (double)s->bytes_done / secs : 0));
		for (size_t i = 0; i < s->ntables; i++)
			if (s->tables[i].state == TABLE_FAILED)
				strbuf_printf(&sb, "  failed: %s: %s\n", s->tables[i].name, s->tables[i].error);
		if (s->tables_failed || (cancelled && m->method == METHOD_GPCOPY))
			strbuf_printf(&sb, "  %s: %s\n", s->tables_failed ? "retry the failed tables" : "copy the others",
				      m->copy_retry[0] ? m->copy_retry : "gp2adb copy --only-failed");
	}
	if (m->validation.n) {
		size_t ok = 0;
		for (size_t i = 0; i < m->validation.n; i++)
			ok += m->validation.rows[i].state == VAL_OK;
		strbuf_printf(&sb, "Validation: %zu of %zu tables match\n", ok, m->validation.n);
		for (size_t i = 0; i < m->validation.n; i++)
			if (m->validation.rows[i].state == VAL_DIFF || m->validation.rows[i].state == VAL_ERROR)
				strbuf_printf(&sb, "  differs: %s: %s\n", m->validation.rows[i].table,
					      m->validation.rows[i].detail);
	}
	if (m->bizcheck.finished && !m->bizcheck.error[0]) {
		size_t ok = 0;
		for (size_t i = 0; i < m->bizcheck.n; i++)
			ok += m->bizcheck.rows[i].state == BIZQ_MATCH;
		strbuf_printf(&sb, "Business check: %zu of %zu queries match\n", ok, m->bizcheck.n);
		for (size_t i = 0; i < m->bizcheck.n; i++)
			if (m->bizcheck.rows[i].state != BIZQ_MATCH)
				strbuf_printf(&sb, "  %s: %s%s%s: %s\n", biz_state_name(m->bizcheck.rows[i].state),
					      m->bizcheck.rows[i].database, m->bizcheck.rows[i].database[0] ? ": " : "",
					      m->bizcheck.rows[i].name, m->bizcheck.rows[i].detail);
	}
	if (m->backfill.finished)
		strbuf_printf(&sb, "Backfill: %zu table%s brought up to date (exit %d)\n", m->backfill.n,
			      m->backfill.n == 1 ? "" : "s", m->backfill.rc);
	strbuf_puts(&sb, "Steps:\n");
	for (int i = 0; i < SCR_SUMMARY; i++)
		strbuf_printf(&sb, "  %2d %-20s %s%s%s\n", i + 1, wizard_screens[i].title, step_status_name(m->status[i]),
			      m->reason[i][0] && m->status[i] != STEP_UNAVAILABLE ? ": " : "",
			      m->status[i] != STEP_UNAVAILABLE ? m->reason[i] : "");
	if (!report_line)
		;
	else if (m->report_path[0])
		strbuf_printf(&sb, "Report: %s\n", m->report_path);
	else
		strbuf_printf(&sb, "Report: not written (%s)\n", m->reason[SCR_SUMMARY][0] ? m->reason[SCR_SUMMARY] : "no report");
	strbuf_done(&why);
	return strbuf_finish(&sb);
}

bool summary_key(struct wizard *w, int key)
{
	if (key == UI_KEY_DOWN)
		w->s.scroll++;
	else if (key == UI_KEY_UP && w->s.scroll > 0)
		w->s.scroll--;
	else
		return false;
	return true;
}

void summary_draw(struct wizard *w, struct canvas *c, int top, int height)
{
	char *text = wizard_summary_text(w);
	int y = top + 1, skip = w->s.scroll, lines = 0;
	for (const char *q = text; *q; q++)
		lines += *q == '\n';
	if (skip > lines - (height - 1))
		skip = w->s.scroll = lines - (height - 1) > 0 ? lines - (height - 1) : 0;
	const char *p = text;
	for (; skip > 0 && strchr(p, '\n'); skip--)
		p = strchr(p, '\n') + 1;
	while (*p && y < top + height) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n);
		enum ui_role role = strstr(line, "NOT finished") || strstr(line, "failed:") || strstr(line, "differs:")
			? R_FAIL : strncmp(line, "Migration finished", 18) == 0 ? R_OK : R_NORMAL;
		y += canvas_wrap(c, y, 2, c->cols - 4, top + height - y, 0, role, line);
		free(line);
		p = nl ? nl + 1 : p + n;
	}
	free(text);
}

char *ui_report_text(const struct ui_model *m)
{
	struct strbuf sb;
	char when[64], *src = db_endpoint_describe(&m->plan->source), *dst = db_endpoint_describe(&m->plan->destination);
	time_t now = time(NULL);
	struct tm tm;
	strbuf_init(&sb);
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
	strbuf_printf(&sb, "gp2adb wizard report, %s\nsource       %s%s%s\ndestination  %s%s%s\n\n", when, src,
		      m->src.ok ? ": " : "", m->src.ok ? m->src.desc : "", dst, m->dst.ok ? ": " : "",
		      m->dst.ok ? m->dst.desc : "");
	free(src);
	free(dst);
	char *summary = ui_summary_text(m, m->status[SCR_MIGRATION] == STEP_CANCELLED, false);
	strbuf_puts(&sb, summary);
	free(summary);
	if (m->checks_run) {
		strbuf_printf(&sb, "\nEvaluation: %zu findings\n", m->findings.n);
		for (size_t i = 0; i < m->findings.n; i++) {
			const struct finding *f = &m->findings.items[i];
			bool accepted = f->severity == SEV_FAIL && m->accepted && m->accepted[i];
			strbuf_printf(&sb, "  %-8s %-22s %s\n", accepted ? "accepted" : severity_name(f->severity), f->id,
				      f->title);
		}
	}
	if (m->advice_ready)
		strbuf_printf(&sb, "\nMethod: %s (recommended: %s)\n", ui_method_name(m->method),
			      ui_method_name(m->advice.recommended));
	if (m->install.n) {
		strbuf_puts(&sb, "\ngpcopy installation:\n");
		for (size_t i = 0; i < m->install.n; i++)
			strbuf_printf(&sb, "  %-30s %-8s %-10s %s\n", m->install.hosts[i].name, m->install.hosts[i].role,
				      host_state_name(m->install.hosts[i].state), m->install.hosts[i].detail);
	}
	if (m->analyze_started)
		strbuf_printf(&sb, "\nANALYZE: %d of %d tables, %d failed%s%s\n", m->analyze.tables_done,
			      m->analyze.tables_total, m->analyze.tables_failed, m->analyze.error[0] ? ": " : "",
			      m->analyze.error);
	if (m->openings.n) {
		strbuf_puts(&sb, "\nAccess openings:\n");
		for (size_t i = 0; i < m->openings.n; i++)
			strbuf_printf(&sb, "  #%s %s: %s\n", m->openings.items[i].id, m->openings.items[i].what,
				      opening_is_open(&m->openings.items[i]) ? "STILL OPEN" : "closed");
	}
	return strbuf_finish(&sb);
}
