/* cluster: the databases of a whole-cluster migration. */
#include "cluster.h"
#include "db.h"
#include "log.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every database a migration of "all" takes: connectable, not a template,
 * not the maintenance database. */
static const char LIST_DATABASES[] =
	"SELECT d.datname, pg_database_size(d.oid), pg_encoding_to_char(d.encoding), r.rolname\n"
	"FROM pg_database d LEFT JOIN pg_roles r ON r.oid = d.datdba\n"
	"WHERE d.datallowconn AND NOT d.datistemplate\n"
	"  AND d.datname NOT IN ('postgres', 'template0', 'template1')\n"
	"ORDER BY d.datname";

bool cluster_multi(const struct plan *p)
{
	size_t n = strv_len(p->databases);
	return n > 1 || (n == 1 && strcmp(p->databases[0], "all") == 0);
}

void cluster_plan_for(const struct plan *p, const char *db, struct plan *out)
{
	*out = *p;
	out->source.dbname = (char *)db;
	out->destination.dbname = (char *)db;
	out->databases = NULL;
}

/* The source's maintenance database: where a cluster-wide query connects. */
static PGconn *connect_any(const struct endpoint *ep, const char *role, struct db_error *err)
{
	const char *dbs[] = { "postgres", "template1" };
	PGconn *c = NULL;
	for (size_t i = 0; i < 2 && !c; i++) {
		struct endpoint e = *ep;
		e.dbname = (char *)dbs[i];
		c = db_connect(&e, role, err);
	}
	return c;
}

static struct cluster_db *add(struct cluster_dbs *l, const char *name)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	struct cluster_db *d = &l->v[l->n++];
	memset(d, 0, sizeof *d);
	d->name = xstrdup(name);
	d->bytes = -1;
	return d;
}

bool cluster_databases(const struct plan *p, struct cluster_dbs *out, bool *connect_failed, char *err,
		       size_t errsize)
{
	memset(out, 0, sizeof *out);
	*connect_failed = false;
	struct db_error dberr;
	PGconn *c = connect_any(&p->source, "source", &dberr);
	if (!c) {
		char *where = db_endpoint_describe(&p->source);
		snprintf(err, errsize, "cannot connect to the source (%s) to list its databases: %s", where,
			 dberr.message);
		free(where);
		*connect_failed = true;
		return false;
	}
	PGresult *r = db_query(c, LIST_DATABASES, 0, NULL, &dberr);
	if (!r) {
		snprintf(err, errsize, "source: listing databases: %s: %s", dberr.sqlstate, dberr.message);
		PQfinish(c);
		return false;
	}
	bool all = strv_len(p->databases) == 1 && strcmp(p->databases[0], "all") == 0;
	if (all) {
		for (int i = 0; i < PQntuples(r); i++) {
			struct cluster_db *d = add(out, PQgetvalue(r, i, 0));
			d->bytes = atoll(PQgetvalue(r, i, 1));
			d->encoding = xstrdup(PQgetvalue(r, i, 2));
			d->owner = PQgetisnull(r, i, 3) ? NULL : xstrdup(PQgetvalue(r, i, 3));
			d->on_source = true;
		}
	} else {
		for (size_t k = 0; p->databases && p->databases[k]; k++) {
			struct cluster_db *d = add(out, p->databases[k]);
			for (int i = 0; i < PQntuples(r); i++) {
				if (strcmp(PQgetvalue(r, i, 0), d->name) != 0)
					continue;
				d->bytes = atoll(PQgetvalue(r, i, 1));
				d->encoding = xstrdup(PQgetvalue(r, i, 2));
				d->owner = PQgetisnull(r, i, 3) ? NULL : xstrdup(PQgetvalue(r, i, 3));
				d->on_source = true;
			}
		}
	}
	PQclear(r);
	PQfinish(c);
	if (out->n == 0) {
		snprintf(err, errsize, "the source has no user databases to migrate");
		return false;
	}
	return true;
}

void cluster_dbs_free(struct cluster_dbs *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].encoding);
		free(l->v[i].owner);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

bool cluster_ensure_database(const struct plan *p, const struct cluster_db *db, bool *created, char *err,
			     size_t errsize)
{
	*created = false;
	struct db_error dberr;
	PGconn *c = connect_any(&p->destination, "destination", &dberr);
	if (!c) {
		char *where = db_endpoint_describe(&p->destination);
		snprintf(err, errsize, "database %s: cannot connect to the destination (%s): %s", db->name, where,
			 dberr.message);
		free(where);
		return false;
	}
	const char *params[] = { db->name };
	PGresult *r = db_query(c, "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = $1", 1,
			       params, &dberr);
	bool ok = r != NULL;
	if (ok && PQntuples(r) == 0) {
		char *name = db_quote_ident(c, db->name);
		char *owner = db->owner ? db_quote_ident(c, db->owner) : NULL;
		char *sql = xasprintf("CREATE DATABASE %s%s%s", name, owner ? " OWNER " : "", owner ? owner : "");
		ok = db_exec(c, sql, &dberr);
		/* an owner the account cannot make it (not a member of it): create
		 * it as the account's, and say so */
		if (!ok && owner && strcmp(dberr.sqlstate, "42501") == 0) {
			free(sql);
			sql = xasprintf("CREATE DATABASE %s", name);
			ok = db_exec(c, sql, &dberr);
			if (ok)
				log_warn("database %s: created on the destination owned by the destination account, "
					 "not %s (%s)", db->name, db->owner, dberr.message);
		}
		*created = ok;
		if (ok)
			log_info("database %s: created on the destination", db->name);
		free(sql);
		free(owner);
		free(name);
	} else if (ok && db->encoding && strcmp(PQgetvalue(r, 0, 0), db->encoding) != 0) {
		log_warn("database %s: the source's is %s, the destination's %s: text is converted as it is copied",
			 db->name, db->encoding, PQgetvalue(r, 0, 0));
	}
	if (!ok)
		snprintf(err, errsize, "database %s: cannot create it on the destination: %s: %s", db->name,
			 dberr.sqlstate, dberr.message);
	PQclear(r);
	PQfinish(c);
	return ok;
}
