/* Screens 1-2: Welcome and Connections. */
#include "screens.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const steps_text[] = {
	"Connections   test the source and the destination",
	"Databases     tick the source's databases to migrate",
	"Evaluation    check versions, sizes, extensions, risks; fix or accept",
	"Method        the recommended way to move the data, and the others",
	"Whitelist     what to open on ADB, recorded so it is closed again",
	"gpcopy        install gpcopy on every host (gpcopy method only)",
	"Schema        create the objects on ADB, one by one",
	"Review        everything that will happen, before the copy",
	"Migration     copy the data, live per table",
	"Validation    compare source and destination",
	"Business      the application's queries on both sides",
	"Backfill      rows written on the source since the copy",
	"ANALYZE       statistics for the destination",
	"Access        close every opening; nothing is finished before",
	"Summary       totals, failed tables, the report",
};

enum nav welcome_enter(struct wizard *w, char *reason, size_t size)
{
	(void)reason;
	(void)size;
	char err[300];
	if (!w->be->ledger_list) {
		w->m.ledger_ready = false;
		return NAV_OK;
	}
	ui_openings_free(&w->m.openings);
	w->m.ledger_ready = w->be->ledger_list(w->be->ctx, w->m.plan, &w->m.openings, err, sizeof err);
	if (!w->m.ledger_ready)
		wizard_set_status(w, R_FAIL, "access ledger: %s", err);
	return NAV_OK;
}

void welcome_draw(struct wizard *w, struct canvas *c, int top, int height)
{
	int y = top + 1, bottom = top + height;
	size_t open = openings_count_open(&w->m.openings);
	if (!w->be->ledger_list) {
		canvas_text(c, y++, 2, c->cols - 4, R_WARN,
			    "Access ledger not available in this build: earlier openings cannot be listed.");
		y++;
	} else if (open > 0) {
		canvas_printf(c, y++, 2, c->cols - 4, R_FAIL,
			      "%zu access opening%s from earlier runs %s still open:", open,
			      open == 1 ? "" : "s", open == 1 ? "is" : "are");
		for (size_t i = 0; i < w->m.openings.n && y < bottom - 4; i++) {
			const struct ui_opening *o = &w->m.openings.items[i];
			if (!opening_is_open(o))
				continue;
			canvas_printf(c, y++, 4, c->cols - 6, R_FAIL, "%-10s %s", o->kind, o->what);
			char *undo = xasprintf("to close: %s", o->undo);
			y += canvas_wrap(c, y, 15, c->cols - 17, 2, 0, R_NORMAL, undo);
			free(undo);
		}
		y++;
	} else if (w->m.ledger_ready) {
		canvas_text(c, y++, 2, c->cols - 4, R_OK, "No access openings are outstanding from earlier runs.");
		y++;
	}
	canvas_text(c, y++, 2, c->cols - 4, R_TITLE, "gp2adb moves this database into AnalyticDB for PostgreSQL:");
	y++;
	for (size_t i = 0; i < sizeof steps_text / sizeof steps_text[0] && y < bottom - 2; i++)
		canvas_printf(c, y++, 4, c->cols - 6, R_NORMAL, "%2zu. %s", i + 2, steps_text[i]);
	y++;
	if (y < bottom)
		canvas_text(c, y, 2, c->cols - 4, R_DIM,
			    "Every step is also a batch command (gp2adb --help).  Enter starts.");
}

/* Connections: two panes, source and destination, each a small form. */
enum field { F_HOST, F_PORT, F_USER, F_DBNAME, F_SSLMODE, F_COUNT };
static const char *const field_names[F_COUNT] = { "host", "port", "user", "dbname", "sslmode" };

static struct endpoint *pane_endpoint(struct wizard *w, int pane)
{
	return pane == 0 ? &w->m.plan->source : &w->m.plan->destination;
}

static struct ui_conn *pane_conn(struct wizard *w, int pane)
{
	return pane == 0 ? &w->m.src : &w->m.dst;
}

static char **field_string(struct endpoint *ep, int f)
{
	switch (f) {
	case F_HOST: return &ep->host;
	case F_USER: return &ep->user;
	case F_DBNAME: return &ep->dbname;
	case F_SSLMODE: return &ep->sslmode;
	default: return NULL;
	}
}

static void field_value(struct endpoint *ep, int f, char *buf, size_t size)
{
	if (f == F_PORT) {
		if (ep->port)
			snprintf(buf, size, "%d", ep->port);
		else
			snprintf(buf, size, "(default)");
		return;
	}
	char *v = *field_string(ep, f);
	snprintf(buf, size, "%s", v && *v ? v : "(default)");
}

static void draw_pane(struct wizard *w, struct canvas *c, int pane, int y, int x, int h, int wd)
{
	struct endpoint *ep = pane_endpoint(w, pane);
	struct ui_conn *cn = pane_conn(w, pane);
	bool focus = w->s.pane == pane;
	canvas_box(c, y, x, h, wd, pane == 0 ? "Source (Greenplum / PostgreSQL)" : "Destination (ADB)",
		   focus ? R_TITLE : R_FRAME);
	for (int f = 0; f < F_COUNT; f++) {
		char val[300];
		bool sel = focus && w->s.sel == f;
		if (sel && w->s.editing)
			snprintf(val, sizeof val, "%s_", w->s.input);
		else
			field_value(ep, f, val, sizeof val);
		canvas_printf(c, y + 1 + f, x + 2, 9, R_DIM, "%s", field_names[f]);
		canvas_name(c, y + 1 + f, x + 11, wd - 13, sel ? R_SEL : R_NORMAL, val);
	}
	int ry = y + 2 + F_COUNT;
	if (!cn->tested)
		canvas_text(c, ry, x + 2, wd - 4, R_DIM, "not tested yet (t)");
	else if (cn->ok)
		canvas_printf(c, ry, x + 2, wd - 4, R_OK, "reachable: %s", cn->desc);
	else {
		canvas_text(c, ry, x + 2, wd - 4, R_FAIL, "NOT reachable:");
		canvas_wrap(c, ry + 1, x + 2, wd - 4, y + h - 2 - ry, 0, R_FAIL, cn->error);
	}
}

void connections_draw(struct wizard *w, struct canvas *c, int top, int height)
{
	int half = (c->cols - 2) / 2;
	int h = height - 2 < 13 ? height - 2 : 13;
	draw_pane(w, c, 0, top + 1, 1, h, half);
	draw_pane(w, c, 1, top + 1, 1 + half, h, c->cols - 2 - half);
	if (height > h + 3)
		canvas_text(c, top + h + 2, 2, c->cols - 4, R_DIM,
			    "Passwords come from ~/.pgpass or PGPASSFILE.  Empty: libpq's defaults.");
}

static bool commit_field(struct wizard *w, char *err, size_t size)
{
	struct endpoint *ep = pane_endpoint(w, w->s.pane);
	const char *in = w->s.input;
	if (w->s.sel == F_PORT) {
		char *end;
		long port = *in ? strtol(in, &end, 10) : 0;
		if (*in && (*end || port < 1 || port > 65535)) {
			snprintf(err, size, "port: \"%.20s\" is not a port number (1-65535)", in);
			return false;
		}
		ep->port = (int)port;
	} else {
		char **s = field_string(ep, w->s.sel);
		free(*s);
		*s = *in ? xstrdup(in) : NULL;
	}
	memset(pane_conn(w, w->s.pane), 0, sizeof(struct ui_conn));
	return true;
}

bool connections_key(struct wizard *w, int key)
{
	if (w->s.editing) {
		bool done;
		if (key == UI_KEY_ESC) {
			w->s.editing = false;
			wizard_set_status(w, R_DIM, "Change dropped.");
			return true;
		}
		bool used = edit_key(&w->s, key, &done);
		if (done) {
			char err[200];
			if (commit_field(w, err, sizeof err)) {
				w->s.editing = false;
				wizard_set_status(w, R_DIM, "Changed; test again with t.");
			} else {
				wizard_set_status(w, R_FAIL, "%s", err);
			}
		}
		return used;
	}
	switch (key) {
	case 'e': {
		struct endpoint *ep = pane_endpoint(w, w->s.pane);
		w->s.editing = true;
		if (w->s.sel == F_PORT)
			snprintf(w->s.input, sizeof w->s.input, "%d", ep->port);
		else
			snprintf(w->s.input, sizeof w->s.input, "%s",
				 *field_string(ep, w->s.sel) ? *field_string(ep, w->s.sel) : "");
		if (w->s.sel == F_PORT && ep->port == 0)
			w->s.input[0] = '\0';
		return true;
	}
	case 't':
		w->be->test_connection(w->be->ctx, &w->m.plan->source, "source", &w->m.src);
		w->be->test_connection(w->be->ctx, &w->m.plan->destination, "destination", &w->m.dst);
		wizard_set_status(w, w->m.src.ok && w->m.dst.ok ? R_OK : R_FAIL, "%s",
				  w->m.src.ok && w->m.dst.ok ? "Both connections work."
							     : "A connection failed: see the pane.");
		return true;
	default:
		return list_key(&w->s, key, F_COUNT, F_COUNT);
	}
}

bool connections_validate(struct wizard *w, char *err, size_t size)
{
	if (!w->m.src.tested || !w->m.dst.tested) {
		snprintf(err, size, "Test the connections first: press t.");
		return false;
	}
	if (!w->m.src.ok || !w->m.dst.ok) {
		snprintf(err, size, "The %s is not reachable: correct it (e) and test again (t).",
			 !w->m.src.ok ? "source" : "destination");
		return false;
	}
	return true;
}
