/* schema_apply: apply the statements of one section in order with a
 * recorded result each (the journal), and load what a schema run works
 * from (the DDL, the destination's roles and settings, the scan). */
#include "schema.h"
#include "db.h"
#include "exitcode.h"
#include "journal.h"
#include "log.h"
#include "mem.h"
#include "schema_tokens.h"
#include "schema_verify.h"
#include "strmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *schema_state_name(enum item_state s)
{
	static const char *const names[] = { "not run", "ok", "applied before", "failed", "skipped" };
	return names[s];
}

/* The item of this run that defines target, if it did not get applied. */
static const struct schema_item *failed_dependency(const struct schema_items *items,
						   const struct item_result *res, struct strmap *tags,
						   const char *target)
{
	size_t *def = target ? strmap_at(tags, target, false) : NULL;
	if (!def)
		return NULL;
	enum item_state st = res[*def - 1].state;
	return st == STATE_FAILED || st == STATE_SKIPPED ? &items->v[*def - 1] : NULL;
}

/* The objects the journal holds an applied statement of: their keys
 * without the digest ("<section> <kind> <name>"). */
static void applied_objects(const struct runlog *journal, struct strmap *out)
{
	strmap_init(out, journal->n);
	for (size_t i = 0; i < journal->n; i++) {
		const char *key = journal->items[i].key, *at = strstr(key, " @");
		if (at && strcmp(journal->items[i].status, "ok") == 0) {
			char *object = xstrndup(key, (size_t)(at - key));
			*strmap_at(out, object, true) = 1;
			free(object);
		}
	}
}

/* A definition that fails where an earlier run applied another one of the
 * same object: the source's definition has changed since. */
static bool changed_since(const struct schema_item *it, struct strmap *applied)
{
	const char *at = it->tag ? strstr(it->key, " @") : NULL;
	if (!at)
		return false;
	char *object = xstrndup(it->key, (size_t)(at - it->key));
	bool found = strmap_at(applied, object, false) != NULL;
	free(object);
	return found;
}

bool schema_apply(PGconn *dst, const struct schema_items *items, enum schema_section section,
		  struct runlog *journal, struct item_result *res, struct schema_totals *totals)
{
	memset(totals, 0, sizeof *totals);
	memset(res, 0, items->n * sizeof *res);
	struct strmap applied, missing;
	applied_objects(journal, &applied);
	schema_missing_relations(dst, items, journal, &missing);
	struct strmap tags;
	strmap_init(&tags, items->n);
	for (size_t k = 0; k < items->n; k++)
		if (items->v[k].tag && !strmap_at(&tags, items->v[k].tag, false))
			*strmap_at(&tags, items->v[k].tag, true) = k + 1;
	bool ok = true;
	for (size_t k = 0; k < items->n; k++) {
		const struct schema_item *it = &items->v[k];
		struct item_result *r = &res[k];
		struct db_error err;
		if (it->role == ITEM_SESSION) {
			if (!db_exec(dst, it->sql, &err))
				log_warn("line %d: session setting not applied on the destination (%s: %s): %s",
					 it->line, err.sqlstate, err.message, it->sql);
			continue;
		}
		if (it->role != ITEM_OBJECT || (section != SECTION_ALL && it->section != section))
			continue;
		/* a refresh is done again on every run: a view's contents follow the data */
		bool again = strcmp(it->kind, "REFRESH") == 0;
		const struct runlog_entry *prev = again ? NULL : runlog_get(journal, it->key);
		bool gone = schema_relation_missing(&missing, it->tag) || schema_relation_missing(&missing, it->target);
		if (prev && strcmp(prev->status, "ok") == 0 && !gone) {
			r->state = STATE_DONE_BEFORE;
			totals->done_before++;
			continue;
		}
		const struct schema_item *dep = failed_dependency(items, res, &tags, it->target);
		if (dep) {
			r->state = STATE_SKIPPED;
			r->message = xasprintf("depends on %s %s, which was not applied", dep->kind, dep->name);
			totals->skipped++;
			continue;
		}
		if (db_exec(dst, it->sql, &err)) {
			r->state = STATE_OK;
			totals->ok++;
			runlog_put(journal, it->key, "ok", "");
			continue;
		}
		r->state = STATE_FAILED;
		snprintf(r->sqlstate, sizeof r->sqlstate, "%s", err.sqlstate);
		r->message = changed_since(it, &applied)
			     ? xasprintf("%s (an earlier run applied another definition of it: the source's has "
					 "changed since; drop it on the destination to have it created anew)", err.message)
			     : xstrdup(err.message);
		totals->failed++;
		char *detail = xasprintf("%s %s", err.sqlstate, err.message);
		runlog_put(journal, it->key, "failed", detail);
		free(detail);
		if (PQstatus(dst) == CONNECTION_BAD) {
			log_error("lost the destination connection while applying %s %s (line %d): %s",
				  it->kind, it->name, it->line, err.message);
			ok = false;
			break;
		}
	}
	strmap_done(&tags);
	strmap_done(&applied);
	strmap_done(&missing);
	return ok;
}

bool schema_unpopulated_matviews(PGconn *src, const struct flavor *f, char ***out, struct db_error *err)
{
	*out = NULL;
	if (f->pg_num < 90300)  /* no materialized views before PostgreSQL 9.3 / Greenplum 6 */
		return true;
	PGresult *r = db_query(src, "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)\n"
				    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace\n"
				    "WHERE c.relkind = 'm' AND NOT c.relispopulated", 0, NULL, err);
	if (!r)
		return false;
	for (int i = 0; i < PQntuples(r); i++)
		*out = strv_push(*out, PQgetvalue(r, i, 0));
	PQclear(r);
	return true;
}

void schema_keep_unpopulated(struct schema_items *items, char *const *names)
{
	for (size_t i = 0; names && names[i]; i++) {
		char *want = toks_name_key(names[i]);
		for (size_t k = 0; k < items->n; k++) {
			struct schema_item *it = &items->v[k];
			if (it->role != ITEM_OBJECT || strcmp(it->kind, "REFRESH") != 0)
				continue;
			char *have = toks_name_key(it->name);
			if (strcmp(have, want) == 0) {
				it->role = ITEM_IGNORED;
				log_info("materialized view %s is not populated on the source: it is left unpopulated "
					 "on the destination too", it->name);
			}
			free(have);
		}
		free(want);
	}
}

/* The DDL: from schema_file, or dumped from the source (and saved), with
 * the source's materialized views that were never populated. */
static bool load_ddl(const struct plan *p, const char *schema_file, char **ddl, size_t *len,
		     char ***unpopulated, int *code, char *err, size_t size)
{
	if (schema_file) {
		if (!journal_slurp(schema_file, ddl, len)) {
			snprintf(err, size, "cannot read %s: %s", schema_file, strerror(errno));
			return false;
		}
		return true;
	}
	struct db_error e;
	PGconn *src = db_connect(&p->source, "source", &e);
	if (!src) {
		char *where = db_endpoint_describe(&p->source);
		snprintf(err, size, "cannot connect to the source (%s): %s", where, e.message);
		free(where);
		*code = EXIT_CONNECT;
		return false;
	}
	struct flavor f;
	bool ok = db_flavor(src, &f, NULL, &e) && schema_unpopulated_matviews(src, &f, unpopulated, &e);
	PQfinish(src);
	if (!ok) {
		snprintf(err, size, "source: %s", e.message);
		*code = EXIT_CONNECT;
		return false;
	}
	if (!schema_dump(p, &f, ddl, code, err, size))
		return false;
	*len = strlen(*ddl);
	char *saved = runlog_write_file(p, "schema.sql", *ddl, *len);
	if (saved)
		log_info("source schema saved in %s", saved);
	free(saved);
	return true;
}

bool schema_load(const struct plan *p, const char *schema_file, struct schema_load *out, PGconn **dst,
		 int *code, char *err, size_t size)
{
	memset(out, 0, sizeof *out);
	*dst = NULL;
	*code = EXIT_USAGE;
	char *ddl = NULL;
	size_t len = 0;
	char **unpopulated = NULL;
	if (!load_ddl(p, schema_file, &ddl, &len, &unpopulated, code, err, size)) {
		strv_free(unpopulated);
		return false;
	}
	char perr[600];
	bool parsed = schema_parse(ddl, len, &out->items, perr, sizeof perr);
	free(ddl);
	if (!parsed) {
		snprintf(err, size, "%s: %s", schema_file ? schema_file : "source schema", perr);
		strv_free(unpopulated);
		return false;
	}
	schema_keep_unpopulated(&out->items, unpopulated);
	strv_free(unpopulated);
	for (size_t k = 0; k < out->items.n; k++)
		if (strcmp(out->items.v[k].kind, "COPY DATA") == 0)
			log_warn("line %d: the schema file holds table data (COPY ... FROM stdin); it is not "
				 "applied: gp2adb copy moves the data", out->items.v[k].line);
	struct db_error e;
	PGconn *conn = db_connect(&p->destination, "destination", &e);
	if (!conn) {
		char *where = db_endpoint_describe(&p->destination);
		snprintf(err, size, "cannot connect to the destination (%s): %s", where, e.message);
		free(where);
		*code = EXIT_CONNECT;
		schema_items_free(&out->items);
		return false;
	}
	if (!schema_dest_read(conn, &out->dest, err, size)) {
		*code = EXIT_CONNECT;
		PQfinish(conn);
		schema_items_free(&out->items);
		return false;
	}
	schema_scan(&out->items, &out->dest, &out->findings);
	*dst = conn;
	*code = EXIT_OK;
	return true;
}

void schema_load_done(struct schema_load *l)
{
	schema_findings_free(&l->findings);
	schema_dest_done(&l->dest);
	schema_items_free(&l->items);
}
