/* Screen 3: Databases, the source's databases ticked for the migration
 * (migration.databases; cluster.h).  Several ticked: every later step runs
 * over each of them, the roles first. */
#include "screens.h"
#include "fmt.h"
#include "mem.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum nav databases_enter(struct wizard *w, char *reason, size_t size)
{
	(void)reason;
	(void)size;
	char err[400];
	if (!w->be->databases_list) {
		wizard_unavailable(w, SCR_DATABASES, "choosing databases (migration.databases)");
		return NAV_OK;
	}
	if (!w->m.databases_loaded) {
		ui_databases_free(&w->m.databases);
		w->m.databases_loaded = w->be->databases_list(w->be->ctx, w->m.plan, &w->m.databases, err, sizeof err);
		if (!w->m.databases_loaded)
			wizard_set_status(w, R_FAIL, "databases: %s", err);
	}
	return NAV_OK;
}

/* The ticked databases the source has, and their size. */
static void totals(const struct ui_databases *d, size_t *ticked, long long *bytes)
{
	*ticked = 0;
	*bytes = 0;
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].ticked && d->v[i].on_source) {
			(*ticked)++;
			*bytes += d->v[i].bytes > 0 ? d->v[i].bytes : 0;
		}
}

void databases_draw(struct wizard *w, struct canvas *c, int top, int height)
{
	if (!w->be->databases_list) {
		draw_unavailable(w, c, top, height, SCR_DATABASES);
		return;
	}
	const struct ui_databases *d = &w->m.databases;
	size_t ticked;
	long long bytes;
	char b[24];
	totals(d, &ticked, &bytes);
	canvas_printf(c, top, 2, c->cols - 4, ticked ? R_NORMAL : R_WARN, "%zu databases on offer, %zu ticked (%s)",
		      d->n, ticked, fmt_bytes(b, sizeof b, bytes));
	int bh = height - 4;
	canvas_box(c, top + 1, 0, bh, c->cols, "Databases", R_FRAME);
	int rows = bh - 2;
	list_clamp(&w->s, (int)d->n, rows);
	for (int r = 0; r < rows && w->s.scroll + r < (int)d->n; r++) {
		const struct ui_database *x = &d->v[w->s.scroll + r];
		int y = top + 2 + r;
		bool sel = w->s.sel == w->s.scroll + r;
		canvas_text(c, y, 2, 4, x->ticked ? R_OK : R_DIM, x->ticked ? "[x]" : "[ ]");
		canvas_name(c, y, 6, 40, sel ? R_SEL : R_NORMAL, x->name);
		canvas_text(c, y, 48, 12, R_NORMAL, x->bytes >= 0 ? fmt_bytes(b, sizeof b, x->bytes) : "-");
		if (!x->on_source)
			canvas_text(c, y, 61, c->cols - 63, R_FAIL, "not on the source: named and skipped");
	}
	canvas_wrap(c, top + 1 + bh, 2, c->cols - 4, 3, 0, R_DIM, w->m.plan->roles
		    ? "Roles and resource queues/groups are copied first (migration.roles); then each ticked "
		      "database gets its schema, copy, validation, backfill and ANALYZE."
		    : "Roles are not copied (migration.roles = false); each ticked database gets its schema, "
		      "copy, validation, backfill and ANALYZE.");
}

bool databases_key(struct wizard *w, int key)
{
	struct ui_databases *d = &w->m.databases;
	if (!w->be->databases_list || d->n == 0)
		return false;
	if (key == ' ') {
		d->v[w->s.sel].ticked = !d->v[w->s.sel].ticked;
		return true;
	}
	if (key == 'a') {
		bool all = true;
		for (size_t i = 0; i < d->n; i++)
			all = all && (d->v[i].ticked || !d->v[i].on_source);
		for (size_t i = 0; i < d->n; i++)
			d->v[i].ticked = !all && d->v[i].on_source;
		return true;
	}
	return list_key(&w->s, key, (int)d->n, 10);
}

bool databases_validate(struct wizard *w, char *err, size_t size)
{
	if (!w->be->databases_list)
		return true;
	if (!w->m.databases_loaded) {
		snprintf(err, size, "The source's databases could not be listed; go back to Connections and test.");
		return false;
	}
	size_t ticked;
	long long bytes;
	totals(&w->m.databases, &ticked, &bytes);
	if (ticked == 0) {
		snprintf(err, size, "Tick at least one database the source has (Space, or a for all).");
		return false;
	}
	return true;
}

static void set_name(char **field, const char *name)
{
	if (*field && strcmp(*field, name) == 0)
		return;
	free(*field);
	*field = xstrdup(name);
}

/* The ticked databases become the plan's migration.databases; one alone is
 * also the database both endpoints name. */
bool databases_apply(struct wizard *w, char *err, size_t size)
{
	(void)err;
	(void)size;
	if (!w->be->databases_list)
		return true;
	struct plan *p = w->m.plan;
	char **list = NULL;
	for (size_t i = 0; i < w->m.databases.n; i++)
		if (w->m.databases.v[i].ticked)
			list = strv_push(list, w->m.databases.v[i].name);
	bool same = strv_len(list) == strv_len(p->databases);
	for (size_t i = 0; same && list[i]; i++)
		same = strcmp(list[i], p->databases[i]) == 0;
	if (strv_len(list) == 1) {
		set_name(&p->source.dbname, list[0]);
		set_name(&p->destination.dbname, list[0]);
	}
	strv_free(p->databases);
	p->databases = list;
	if (!same)
		w->m.schema_loaded = false;     /* the Schema step reads the new databases */
	return true;
}

/* "a, b (2 databases, 1.2 GiB)" for the review and the summary. */
char *databases_text(const struct ui_model *m)
{
	const struct plan *p = m->plan;
	struct strbuf sb;
	strbuf_init(&sb);
	if (!p->databases || !p->databases[0]) {
		strbuf_printf(&sb, "%s", p->source.dbname ? p->source.dbname : "the source's database");
		return strbuf_finish(&sb);
	}
	long long bytes = 0;
	for (size_t i = 0; p->databases[i]; i++) {
		strbuf_printf(&sb, "%s%s", i ? ", " : "", p->databases[i]);
		for (size_t k = 0; k < m->databases.n; k++)
			if (strcmp(m->databases.v[k].name, p->databases[i]) == 0 && m->databases.v[k].bytes > 0)
				bytes += m->databases.v[k].bytes;
	}
	char b[24];
	size_t n = strv_len(p->databases);
	if (bytes > 0)
		strbuf_printf(&sb, " (%zu database%s, %s)", n, n == 1 ? "" : "s", fmt_bytes(b, sizeof b, bytes));
	return strbuf_finish(&sb);
}
