/* The wizard over several databases (cluster.h): the Databases step's list,
 * the databases each per-database step goes over, and the roles that come
 * before any database's schema (globals.h). */
#include "backend_priv.h"
#include "db.h"
#include "globals.h"
#include "journal.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool named(char *const *v, const char *name)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], name) == 0)
			return true;
	return false;
}

static struct ui_database *db_add(struct ui_databases *l, const char *name)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	struct ui_database *d = &l->v[l->n++];
	memset(d, 0, sizeof *d);
	snprintf(d->name, sizeof d->name, "%s", name);
	d->bytes = -1;
	return d;
}

/* 3. Databases: every user database of the source, then what the plan names
 * that the source lacks. */
static bool core_databases_list(void *ctx, const struct plan *p, struct ui_databases *out, char *err, size_t size)
{
	(void)ctx;
	memset(out, 0, sizeof *out);
	struct plan all = *p;
	char *every[] = { "all", NULL };
	all.databases = every;
	struct cluster_dbs dbs;
	bool connect_failed;
	if (!cluster_databases(&all, &dbs, &connect_failed, err, size)) {
		/* a source with no user database still has the one the plan connects to */
		if (connect_failed || !p->source.dbname)
			return false;
	}
	bool every_one = strv_len(p->databases) == 1 && strcmp(p->databases[0], "all") == 0;
	bool listed = strv_len(p->databases) > 0 && !every_one;
	for (size_t i = 0; i < dbs.n; i++) {
		struct ui_database *d = db_add(out, dbs.v[i].name);
		d->bytes = dbs.v[i].bytes;
		d->on_source = true;
		d->ticked = every_one || (listed ? named(p->databases, d->name)
					 : p->source.dbname && strcmp(p->source.dbname, d->name) == 0);
	}
	cluster_dbs_free(&dbs);
	if (listed) {
		for (size_t k = 0; p->databases[k]; k++) {
			bool seen = false;
			for (size_t i = 0; i < out->n && !seen; i++)
				seen = strcmp(out->v[i].name, p->databases[k]) == 0;
			if (!seen)
				db_add(out, p->databases[k])->ticked = true;    /* named, and the source lacks it */
		}
	} else if (!every_one && p->source.dbname) {
		/* the plan's own database (postgres, say) is always on offer */
		bool seen = false;
		for (size_t i = 0; i < out->n && !seen; i++)
			seen = strcmp(out->v[i].name, p->source.dbname) == 0;
		if (!seen) {
			struct ui_database *d = db_add(out, p->source.dbname);
			d->on_source = d->ticked = true;
		}
	}
	return true;
}

bool core_dbs_load(const struct plan *p, struct core_dbs *out, char *err, size_t size)
{
	memset(out, 0, sizeof *out);
	out->multi = cluster_multi(p);
	if (out->multi) {
		bool connect_failed;
		return cluster_databases(p, &out->dbs, &connect_failed, err, size);
	}
	out->dbs.v = xcalloc(1, sizeof *out->dbs.v);
	out->dbs.n = 1;
	out->dbs.v[0].name = xstrdup(p->source.dbname ? p->source.dbname : "");
	out->dbs.v[0].bytes = -1;
	out->dbs.v[0].on_source = true;
	return true;
}

void core_dbs_view(const struct core_dbs *d, const struct plan *p, size_t i, struct plan *view)
{
	if (d->multi)
		cluster_plan_for(p, d->dbs.v[i].name, view);
	else
		*view = *p;
}

const char *core_dbs_name(const struct core_dbs *d, size_t i)
{
	return d->multi ? d->dbs.v[i].name : NULL;
}

void core_dbs_free(struct core_dbs *d)
{
	cluster_dbs_free(&d->dbs);
}

void core_db_qualify(const char *db, const char *name, char *out, size_t size)
{
	if (db)
		snprintf(out, size, "\"%s\".%s", db, name);
	else
		snprintf(out, size, "%s", name);
}

bool core_roles_apply(const struct plan *p, char *msg, size_t size)
{
	char *sql = NULL, err[600];
	int code;
	if (!globals_dump(p, &sql, &code, err, sizeof err)) {
		snprintf(msg, size, "%s", err);
		return false;
	}
	struct global_items items;
	bool ok = globals_parse(sql, strlen(sql), &items, err, sizeof err);
	mem_wipe_free(sql);
	if (!ok) {
		snprintf(msg, size, "the roles dump: %s", err);
		return false;
	}
	/* the plan's database may not exist yet: the destination's maintenance
	 * database serves as well for cluster-wide objects */
	struct db_error dberr;
	PGconn *dst = db_connect(&p->destination, "destination", &dberr);
	const char *maintenance[] = { "postgres", "template1" };
	for (size_t i = 0; i < 2 && !dst; i++) {
		struct endpoint e = p->destination;
		e.dbname = (char *)maintenance[i];
		dst = db_connect(&e, "destination", &dberr);
	}
	struct journal j;
	if (!dst) {
		snprintf(msg, size, "cannot connect to the destination: %s", dberr.message);
		ok = false;
	} else if (!journal_open(&j, p, true)) {
		snprintf(msg, size, "the state directory %s cannot hold the roles journal", p->state_dir);
		ok = false;
	} else {
		char *created = journal_path(&j, "roles-created.list");
		struct global_report r;
		ok = globals_apply(dst, &items, created, &r);
		free(created);
		journal_close(&j);
		if (!ok)
			snprintf(msg, size, "the destination connection was lost; apply again");
		else
			snprintf(msg, size, "%zu created, %zu existed, %zu adjusted, %zu failed", r.created, r.existed,
				 r.adjusted, r.failed);
		ok = ok && r.failed == 0 && r.statements_failed == 0;
		globals_report_free(&r);
	}
	if (dst)
		PQfinish(dst);
	globals_items_free(&items);
	return ok;
}

void core_cluster_bind(struct ui_backend *be)
{
	be->databases_list = core_databases_list;
}
