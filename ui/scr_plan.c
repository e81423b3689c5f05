/* Screens 3-5: Evaluation, Method, Whitelist. */
#include "screens.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum ui_role severity_role(enum severity s)
{
	return s == SEV_FAIL ? R_FAIL : s == SEV_WARN ? R_WARN : s == SEV_OK ? R_OK : R_NORMAL;
}

#define CHECKS_RUNNING "Running the checks..."

static void checks_start(struct wizard *w)
{
	char err[300];
	if (w->m.checks_running)
		return;
	if (!w->be->checks_start(w->be->ctx, w->m.plan, err, sizeof err)) {
		w->m.status[SCR_EVALUATION] = STEP_FAILED;
		snprintf(w->m.reason[SCR_EVALUATION], sizeof w->m.reason[SCR_EVALUATION], "%.199s", err);
		wizard_set_status(w, R_FAIL, "The checks could not run: %s", err);
		return;
	}
	w->m.checks_running = true;
	evaluation_tick(w);
	if (w->m.checks_running)
		wizard_set_status(w, R_DIM, CHECKS_RUNNING);
}

void evaluation_tick(struct wizard *w)
{
	char err[300] = "";
	struct findings f = { 0 };
	bool ok;
	if (!w->m.checks_running || !w->be->checks_poll(w->be->ctx, &f, &ok, err, sizeof err))
		return;
	w->m.checks_running = false;
	findings_free(&w->m.findings);
	free(w->m.accepted);
	w->m.accepted = NULL;
	w->m.findings = f;
	w->m.checks_run = ok;
	w->s.sel = 0;
	if (!ok) {
		w->m.status[SCR_EVALUATION] = STEP_FAILED;
		snprintf(w->m.reason[SCR_EVALUATION], sizeof w->m.reason[SCR_EVALUATION], "%.199s", err);
		wizard_set_status(w, R_FAIL, "The checks could not run: %s", err);
		return;
	}
	w->m.status[SCR_EVALUATION] = STEP_PENDING;
	w->m.accepted = xcalloc(w->m.findings.n + 1, sizeof *w->m.accepted);
	if (strcmp(w->status, CHECKS_RUNNING) == 0)
		wizard_set_status(w, R_DIM, "The checks ran: %zu findings.", w->m.findings.n);
	/* New findings: the advice made from the old ones is stale. */
	advisor_free(&w->m.advice);
	w->m.advice_ready = false;
}

enum nav evaluation_enter(struct wizard *w, char *reason, size_t size)
{
	(void)reason;
	(void)size;
	if (!w->be->checks_start || !w->be->checks_poll)
		wizard_unavailable(w, SCR_EVALUATION, "evaluation (gp2adb check)");
	else if (!w->m.checks_run)
		checks_start(w);
	return NAV_OK;
}

void evaluation_draw(struct wizard *w, struct canvas *c, int top, int height)
{
	if (!w->be->checks_start || !w->be->checks_poll) {
		draw_unavailable(w, c, top, height, SCR_EVALUATION);
		return;
	}
	const struct findings *f = &w->m.findings;
	if (w->m.checks_running) {
		canvas_text(c, top + 1, 2, c->cols - 4, R_NORMAL,
			    "Running the checks on both servers (writes are sampled for a few seconds)...");
		return;
	}
	if (!w->m.checks_run) {
		canvas_text(c, top + 1, 2, c->cols - 4, R_FAIL, w->m.reason[SCR_EVALUATION]);
		canvas_text(c, top + 3, 2, c->cols - 4, R_NORMAL, "Fix the cause, then press r to run the checks again.");
		return;
	}
	size_t nfail = 0, nwarn = 0, nacc = 0;
	for (size_t i = 0; i < f->n; i++) {
		nfail += f->items[i].severity == SEV_FAIL;
		nwarn += f->items[i].severity == SEV_WARN;
		nacc += f->items[i].severity == SEV_FAIL && w->m.accepted[i];
	}
	canvas_printf(c, top, 2, c->cols - 4, nfail > nacc ? R_FAIL : R_NORMAL,
		      "%zu checks: %zu failing (%zu accepted), %zu warning%s", f->n, nfail, nacc, nwarn,
		      nwarn == 1 ? "" : "s");
	int list_h = (height - 1) / 2, detail_h = height - 1 - list_h;
	canvas_box(c, top + 1, 0, list_h, c->cols, "Findings", w->s.pane == 0 ? R_TITLE : R_FRAME);
	int rows = list_h - 2;
	list_clamp(&w->s, (int)f->n, rows);
	for (int r = 0; r < rows && w->s.scroll + r < (int)f->n; r++) {
		size_t i = (size_t)(w->s.scroll + r);
		const struct finding *x = &f->items[i];
		bool sel = (int)i == w->s.sel;
		const char *mark = x->severity == SEV_FAIL && w->m.accepted[i] ? "accepted" : severity_name(x->severity);
		canvas_printf(c, top + 2 + r, 2, 10, severity_role(x->severity), "%-8s", mark);
		canvas_text(c, top + 2 + r, 12, c->cols - 14, sel ? R_SEL : R_NORMAL, x->title);
	}
	int dy = top + 1 + list_h;
	canvas_box(c, dy, 0, detail_h, c->cols, "Detail and remedy", w->s.pane == 1 ? R_TITLE : R_FRAME);
	if (f->n == 0)
		return;
	const struct finding *x = &f->items[w->s.sel];
	char *text = xasprintf("%s\n%s%s%s", x->detail ? x->detail : "", x->remedy ? "Remedy: " : "",
			       x->remedy ? x->remedy : "", x->objects && x->objects[0] ? "\nObjects:" : "");
	for (size_t i = 0; x->objects && x->objects[i]; i++) {
		char *t = xasprintf("%s %s", text, x->objects[i]);
		free(text);
		text = t;
	}
	int used = canvas_wrap(c, 0, 0, c->cols - 4, 0, 0, R_NORMAL, text);
	int skip = w->s.pane == 1 ? w->s.scroll2 : 0;
	if (skip > used - (detail_h - 2))
		skip = used - (detail_h - 2) > 0 ? used - (detail_h - 2) : 0;
	canvas_wrap(c, dy + 1, 2, c->cols - 4, detail_h - 2, skip, R_NORMAL, text);
	free(text);
}

bool evaluation_key(struct wizard *w, int key)
{
	if (!w->be->checks_start || !w->be->checks_poll)
		return false;
	if (key == 'r') {
		checks_start(w);
		return true;
	}
	if (!w->m.checks_run || w->m.checks_running)
		return false;
	if (w->s.pane == 1) {   /* the detail pane scrolls */
		if (key == UI_KEY_DOWN && w->s.scroll2 < 100)
			w->s.scroll2++;
		else if (key == UI_KEY_UP && w->s.scroll2 > 0)
			w->s.scroll2--;
		else
			return false;
		return true;
	}
	if (key == 'a' && w->m.findings.n > 0) {
		const struct finding *x = &w->m.findings.items[w->s.sel];
		if (x->severity != SEV_FAIL) {
			wizard_set_status(w, R_DIM, "Only failing checks need accepting.");
		} else {
			w->m.accepted[w->s.sel] = !w->m.accepted[w->s.sel];
			wizard_set_status(w, R_WARN, "%s: %s", x->title,
					  w->m.accepted[w->s.sel] ? "accepted, with its risk" : "no longer accepted");
		}
		return true;
	}
	if (list_key(&w->s, key, (int)w->m.findings.n, 5)) {
		w->s.scroll2 = 0;
		return true;
	}
	return false;
}

bool evaluation_validate(struct wizard *w, char *err, size_t size)
{
	if (!w->be->checks_start || !w->be->checks_poll)
		return true;
	if (w->m.checks_running) {
		snprintf(err, size, "The checks are still running.");
		return false;
	}
	if (!w->m.checks_run) {
		snprintf(err, size, "The checks have not run: fix the cause and press r.");
		return false;
	}
	size_t open = 0;
	for (size_t i = 0; i < w->m.findings.n; i++)
		open += w->m.findings.items[i].severity == SEV_FAIL && !w->m.accepted[i];
	if (open > 0) {
		snprintf(err, size, "%zu failing check%s neither resolved nor accepted: fix and rerun (r), "
			 "or accept (a).", open, open == 1 ? " is" : "s are");
		return false;
	}
	return true;
}

enum nav method_enter(struct wizard *w, char *reason, size_t size)
{
	(void)reason;
	(void)size;
	char err[300];
	if (!w->be->advise) {
		wizard_unavailable(w, SCR_METHOD, "advisor (gp2adb check)");
		w->m.method = METHOD_ENGINE;
		return NAV_OK;
	}
	if (!w->m.advice_ready) {
		w->m.advice_ready = w->be->advise(w->be->ctx, w->m.plan, &w->m.findings, &w->m.advice, err,
						  sizeof err);
		if (w->m.advice_ready)
			w->m.method = w->m.advice.recommended;
		else
			wizard_set_status(w, R_FAIL, "advisor: %s", err);
	}
	w->s.sel = (int)w->m.method;
	return NAV_OK;
}

void method_draw(struct wizard *w, struct canvas *c, int top, int height)
{
	int y = top + 1;
	if (!w->be->advise) {
		draw_unavailable(w, c, top, height, SCR_METHOD);
		canvas_printf(c, top + 5, 2, c->cols - 4, R_NORMAL,
			      "The copy will use %s, which needs nothing installed on the hosts.",
			      ui_method_name(METHOD_ENGINE));
		return;
	}
	if (!w->m.advice_ready) {
		canvas_text(c, y, 2, c->cols - 4, R_FAIL, "No advice: see the message below.");
		return;
	}
	const struct advice *a = &w->m.advice;
	canvas_printf(c, y++, 2, c->cols - 4, R_TITLE, "Recommended: %s", ui_method_name(a->recommended));
	y += canvas_wrap(c, y, 4, c->cols - 6, 4, 0, R_NORMAL, a->reason);
	if (a->path_reason) {
		/* the engine's data path (doc/segment-path.md); p switches it */
		char *text = xasprintf("Data path (%s, p to change): %s", plan_path_name(w->m.plan->path),
				       a->path_reason);
		y += canvas_wrap(c, y, 4, c->cols - 6, 3, 0, a->engine_path == PATH_SEGMENT ? R_OK : R_DIM, text);
		free(text);
	}
	y++;
	for (int i = 0; i < METHOD_COUNT && y < top + height - 1; i++) {
		const struct method_option *o = &a->options[i];
		bool chosen = (int)w->m.method == i, sel = w->s.sel == i;
		canvas_printf(c, y, 2, 4, R_NORMAL, "(%c)", chosen ? '*' : ' ');
		canvas_text(c, y, 6, 30, sel ? R_SEL : o->usable ? R_NORMAL : R_DIM,
			    ui_method_name((enum method)i));
		canvas_text(c, y, 38, c->cols - 40, o->usable ? R_OK : R_DIM, o->usable ? "usable" : "not usable");
		y++;
		y += canvas_wrap(c, y, 6, c->cols - 8, top + height - 1 - y, 0, R_DIM, o->condition);
	}
}

/* p: the engine's data path, auto -> segment -> coordinator; the advice
 * is made again, so the screen says what the new setting means. */
static void method_path_key(struct wizard *w)
{
	static const enum copy_path next[] = { PATH_SEGMENT, PATH_COORDINATOR, PATH_AUTO };
	w->m.plan->path = next[w->m.plan->path];
	enum method chosen = w->m.method;
	char err[300];
	advisor_free(&w->m.advice);
	w->m.advice_ready = w->be->advise(w->be->ctx, w->m.plan, &w->m.findings, &w->m.advice, err, sizeof err);
	w->m.method = chosen;
	wizard_set_status(w, R_DIM, "Data path: %s%s", plan_path_name(w->m.plan->path),
			  w->m.plan->path == PATH_SEGMENT ? " (every table through gp2adb's relay; the copy stops "
							    "if the segments cannot reach it)"
			  : w->m.plan->path == PATH_COORDINATOR ? " (every row through the two coordinators)"
								: " (large tables segment to segment when possible)");
}

bool method_key(struct wizard *w, int key)
{
	if (!w->m.advice_ready)
		return false;
	if (key == 'p') {
		method_path_key(w);
		return true;
	}
	if (key == ' ') {
		const struct method_option *o = &w->m.advice.options[w->s.sel];
		if (!o->usable) {
			wizard_set_status(w, R_FAIL, "%s is not usable here: %s",
					  ui_method_name((enum method)w->s.sel), o->condition ? o->condition : "");
		} else {
			w->m.method = (enum method)w->s.sel;
			wizard_set_status(w, R_DIM, "Method: %s", ui_method_name(w->m.method));
		}
		return true;
	}
	return list_key(&w->s, key, METHOD_COUNT, METHOD_COUNT);
}

/* Whitelist: the opening the operator makes in the ADB console. */
static const char whitelist_text[] =
	"ADB accepts connections only from addresses in its whitelist (console: the instance, "
	"Data Security, Whitelist).  Add the address of the host that runs gp2adb; for gpcopy, "
	"also the Greenplum master and every segment host.\n"
	"Do not add 0.0.0.0/0: it opens the instance to the whole internet for as long as the "
	"entry stays, and the database password is then the only protection.\n"
	"Remove the entry when the migration ends.  gp2adb records it in its access ledger and "
	"shows it at every start until you confirm it is gone.";

/* With the adb group's AccessKey, gp2adb makes the entry itself (access_whitelist.h). */
static bool whitelist_by_api(const struct wizard *w)
{
	const struct adb_plan *a = &w->m.plan->adb;
	return a->access_key_file && a->access_key_file[0] && a->instance_id && a->instance_id[0];
}

void whitelist_draw(struct wizard *w, struct canvas *c, int top, int height)
{
	int y = top + 1;
	if (whitelist_by_api(w)) {
		char *text = xasprintf(
			"ADB accepts connections only from addresses in its whitelist.  Type the address of the host "
			"that runs gp2adb; for gpcopy, also the Greenplum master and every segment host.\n"
			"gp2adb adds it to the whitelist group %s of %s through the OpenAPI (the AccessKey of the "
			"configuration), reads the whitelist back, and removes it again at Access restoration.\n"
			"Do not add 0.0.0.0/0: it opens the instance to the whole internet for as long as the entry "
			"stays, and the database password is then the only protection.",
			w->m.plan->adb.whitelist_group, w->m.plan->adb.instance_id);
		y += canvas_wrap(c, y, 2, c->cols - 4, height - 6, 0, R_NORMAL, text);
		free(text);
	} else {
		y += canvas_wrap(c, y, 2, c->cols - 4, height - 6, 0, R_NORMAL, whitelist_text);
	}
	y++;
	canvas_text(c, y, 2, 34, R_TITLE, whitelist_by_api(w) ? "Entry to add (address/CIDR):"
							       : "Entry you added (address/CIDR):");
	char val[300];
	snprintf(val, sizeof val, "%s%s", w->s.input, w->s.editing ? "_" : "");
	canvas_text(c, y++, 36, c->cols - 38, w->s.editing ? R_SEL : R_NORMAL, *val ? val : "(e to type it)");
	if (strcmp(w->s.input, "0.0.0.0/0") == 0)
		canvas_text(c, y, 2, c->cols - 4, R_FAIL, "0.0.0.0/0 opens ADB to the whole internet.");
	y++;
	if (w->s.flag)
		canvas_text(c, y, 2, c->cols - 4, R_OK,
			    "This host was already allowed: nothing is opened for this migration.");
	if (!w->be->ledger_record)
		canvas_text(c, top + height - 1, 2, c->cols - 4, R_WARN,
			    "Access ledger not available in this build: the entry cannot be recorded; "
			    "remove it yourself.");
}

bool whitelist_key(struct wizard *w, int key)
{
	if (w->s.editing) {
		bool done;
		if (key == UI_KEY_ESC) {
			w->s.editing = false;
			return true;
		}
		bool used = edit_key(&w->s, key, &done);
		if (done)
			w->s.editing = false;
		return used;
	}
	if (key == 'e') {
		w->s.editing = true;
		w->s.flag = false;
		return true;
	}
	if (key == 'a') {
		w->s.flag = !w->s.flag;
		w->s.input[0] = '\0';
		return true;
	}
	return false;
}

/* An IPv4 address with an optional /prefix, or an IPv6 one: enough to catch typos. */
static bool cidr_plausible(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	return strspn(s, "0123456789abcdefABCDEF.:/") == n && (strchr(s, '.') || strchr(s, ':'));
}

bool whitelist_validate(struct wizard *w, char *err, size_t size)
{
	if (w->s.flag)
		return true;
	if (!w->s.input[0]) {
		snprintf(err, size, "Type the whitelist entry %s (e), or press a if this host was already allowed.",
			 whitelist_by_api(w) ? "to add" : "you added");
		return false;
	}
	if (!cidr_plausible(w->s.input)) {
		snprintf(err, size, "\"%s\" is not an address or CIDR (e.g. 203.0.113.7/32).", w->s.input);
		return false;
	}
	return true;
}

bool whitelist_apply(struct wizard *w, char *err, size_t size)
{
	if (w->s.flag) {
		w->m.whitelist_not_needed = true;
		return true;
	}
	if (strcmp(w->s.input, "0.0.0.0/0") == 0 && !w->s.confirmed) {
		wizard_ask(w, CONFIRM_NEXT, whitelist_by_api(w)
			   ? "0.0.0.0/0 lets the whole internet reach ADB until it is removed. Add it and go on? (y/n)"
			   : "0.0.0.0/0 lets the whole internet reach ADB until it is removed. Record it and go on? (y/n)");
		snprintf(err, size, "Waiting for the 0.0.0.0/0 entry to be confirmed.");
		return false;
	}
	if (!w->be->ledger_record) {
		wizard_unavailable(w, SCR_WHITELIST, "access ledger");
		snprintf(w->m.reason[SCR_WHITELIST], sizeof w->m.reason[SCR_WHITELIST],
			 "not available in this build: access ledger (whitelist %.64s NOT recorded: remove it yourself)",
			 w->s.input);
		return true;
	}
	struct ui_opening o;
	memset(&o, 0, sizeof o);
	snprintf(o.kind, sizeof o.kind, "whitelist");
	snprintf(o.cidr, sizeof o.cidr, "%.63s", w->s.input);
	snprintf(o.what, sizeof o.what, "ADB whitelist entry %.64s on %.150s", w->s.input,
		 w->m.plan->destination.host ? w->m.plan->destination.host : "the destination");
	snprintf(o.undo, sizeof o.undo, "remove %.64s from the ADB whitelist in the console", w->s.input);
	o.state = OPENING_OPEN;
	o.opened_at = wizard_now(w);
	if (!w->be->ledger_record(w->be->ctx, w->m.plan, &o, err, size))
		return false;
	w->m.whitelist_recorded = true;
	return true;
}
