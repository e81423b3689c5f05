/* schema: classify the statements of a DDL script into objects and
 * sections, each with a journal key (schema_apply.c applies them). */
#include "schema.h"
#include "schema_tokens.h"
#include "strmap.h"
#include "mem.h"
#include "sqllex.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *schema_section_name(enum schema_section s)
{
	static const char *const names[] = { "pre-data", "post-data", "all" };
	return names[s];
}

bool schema_section_parse(const char *s, enum schema_section *out)
{
	for (int i = SECTION_PRE; i <= SECTION_ALL; i++) {
		if (s && strcmp(s, schema_section_name((enum schema_section)i)) == 0) {
			*out = (enum schema_section)i;
			return true;
		}
	}
	return false;
}

/* Multi-word object types, longest first, as they follow CREATE/ALTER/ON. */
static const char *const objtypes[] = {
	"foreign data wrapper", "text search configuration", "text search dictionary",
	"text search parser", "text search template", "materialized view", "foreign table",
	"operator class", "operator family", "event trigger", "user mapping", "access method",
	"resource queue", "resource group", "default privileges", "large object",
	"external web table", "writable external web table", "writable external table",
	"readable external web table", "readable external table", "external table",
	"web external table",
	"table", "view", "sequence", "index", "function", "procedure", "aggregate", "routine",
	"type", "domain", "schema", "extension", "trigger", "rule", "operator", "cast",
	"collation", "conversion", "server", "language", "policy", "publication", "subscription",
	"statistics", "role", "user", "group", "database", "tablespace", "protocol", "transform",
	"column", "constraint", "filespace",
	NULL,
};

/* The object type at *i (advanced past it), uppercased, or NULL. */
static char *take_objtype(const struct toks *tl, size_t *i)
{
	for (int k = 0; objtypes[k]; k++) {
		char buf[64];
		snprintf(buf, sizeof buf, "%s", objtypes[k]);
		size_t j = *i;
		bool match = true;
		for (char *w = strtok(buf, " "); w; w = strtok(NULL, " ")) {
			if (!toks_kw(tl, j, w)) {
				match = false;
				break;
			}
			j++;
		}
		if (match) {
			*i = j;
			char *up = xstrdup(objtypes[k]);
			for (char *p = up; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			if (strstr(up, "EXTERNAL"))
				strcpy(up, strstr(up, "WEB") ? "EXTERNAL WEB TABLE" : "EXTERNAL TABLE");
			return up;
		}
	}
	return NULL;
}

/* The dependency group of an object type: relations share one name space. */
static const char *tag_group(const char *kind)
{
	static const char *const rel[] = { "TABLE", "VIEW", "SEQUENCE", "INDEX", "MATERIALIZED VIEW",
		"FOREIGN TABLE", "EXTERNAL TABLE", "EXTERNAL WEB TABLE", NULL };
	static const char *const func[] = { "FUNCTION", "PROCEDURE", "AGGREGATE", "ROUTINE", NULL };
	for (int i = 0; rel[i]; i++)
		if (strcmp(kind, rel[i]) == 0)
			return "REL";
	for (int i = 0; func[i]; i++)
		if (strcmp(kind, func[i]) == 0)
			return "FUNC";
	return kind;
}

static char *make_tag(const char *kind, const char *name)
{
	return name ? xasprintf("%s %s", tag_group(kind), name) : NULL;
}

static bool is_routine(const char *kind)
{
	return strcmp(tag_group(kind), "FUNC") == 0;
}

/* The name after an object type: routines keep their argument list. */
static char *take_object_name(const struct toks *tl, size_t *i, const char *kind)
{
	char *name = toks_name(tl, i);
	if (name && is_routine(kind) && toks_op(tl, *i, '(')) {
		char *args = toks_parens(tl, i, true);
		char *full = xasprintf("%s%s", name, args);
		free(name);
		free(args);
		name = full;
	}
	return name;
}

static void set_item(struct schema_item *it, enum schema_section sec, const char *kind, char *name,
		     char *tag, char *target)
{
	it->section = sec;
	it->kind = xstrdup(kind);
	it->name = name ? name : xstrdup("");
	it->tag = tag;
	it->target = target;
}

/* CREATE ... */
static void classify_create(struct schema_item *it, const struct toks *tl)
{
	size_t i = 1;
	static const char *const skip[] = { "or", "replace", "unique", "temp", "temporary", "unlogged",
		"global", "local", "trusted", "procedural", "default", "recursive", "constraint", NULL };
	for (bool again = true; again;) {
		again = false;
		for (int k = 0; skip[k]; k++) {
			if (toks_kw(tl, i, skip[k])) {
				i++;
				again = true;
			}
		}
	}
	char *kind = take_objtype(tl, &i);
	if (!kind) {
		set_item(it, SECTION_PRE, "CREATE", toks_name(tl, &i), NULL, NULL);
		return;
	}
	if (toks_kw(tl, i, "if") && toks_kw(tl, i + 1, "not") && toks_kw(tl, i + 2, "exists"))
		i += 3;
	if (strcmp(kind, "INDEX") == 0) {
		if (toks_kw(tl, i, "concurrently"))
			i++;
		char *idx = toks_kw(tl, i, "on") ? NULL : toks_name(tl, &i);
		if (toks_kw(tl, i, "on"))
			i++;
		if (toks_kw(tl, i, "only"))
			i++;
		char *table = toks_name(tl, &i);
		char *schema = table ? toks_name_parent(table) : NULL;
		char *name = idx && schema ? xasprintf("%s.%s", schema, idx) : xstrdup(idx ? idx : "");
		set_item(it, SECTION_POST, kind, name, make_tag(kind, name), make_tag("TABLE", table));
		free(schema);
		free(idx);
		free(table);
	} else if (strcmp(kind, "TRIGGER") == 0 || strcmp(kind, "RULE") == 0 || strcmp(kind, "POLICY") == 0) {
		char *n = toks_name(tl, &i);
		/* the table follows ON (a rule: ON event TO table) */
		size_t j = toks_find_kw(tl, i, "on");
		if (strcmp(kind, "RULE") == 0)
			j = toks_find_kw(tl, j, "to");
		j++;
		if (toks_kw(tl, j, "only"))
			j++;
		char *table = j < tl->n ? toks_name(tl, &j) : NULL;
		char *name = xasprintf("%s on %s", n ? n : "?", table ? table : "?");
		set_item(it, SECTION_POST, kind, name, NULL, make_tag("TABLE", table));
		free(n);
		free(table);
	} else if (strcmp(kind, "CAST") == 0) {
		set_item(it, SECTION_PRE, kind, toks_parens(tl, &i, false), NULL, NULL);
		it->tag = make_tag(kind, it->name);
	} else if (strcmp(kind, "USER MAPPING") == 0) {
		set_item(it, SECTION_PRE, kind, toks_range(tl, i, tl->n), NULL, NULL);
	} else if (strcmp(kind, "OPERATOR") == 0) {
		set_item(it, SECTION_PRE, kind, toks_until_op(tl, &i, '('), NULL, NULL);
		it->tag = make_tag(kind, it->name);
	} else {
		bool post = strcmp(kind, "EVENT TRIGGER") == 0 || strcmp(kind, "STATISTICS") == 0 ||
			    strcmp(kind, "PUBLICATION") == 0 || strcmp(kind, "SUBSCRIPTION") == 0;
		char *name = take_object_name(tl, &i, kind);
		set_item(it, post ? SECTION_POST : SECTION_PRE, kind, name, make_tag(kind, name), NULL);
	}
	free(kind);
}

/* ALTER ... */
static void classify_alter(struct schema_item *it, const struct toks *tl)
{
	size_t i = 1;
	char *kind = take_objtype(tl, &i);
	if (!kind) {
		set_item(it, SECTION_PRE, "ALTER", toks_name(tl, &i), NULL, NULL);
		return;
	}
	if (strcmp(kind, "DEFAULT PRIVILEGES") == 0) {
		set_item(it, SECTION_PRE, "DEFAULT ACL", toks_range(tl, i, tl->n), NULL, NULL);
		free(kind);
		return;
	}
	if (toks_kw(tl, i, "if") && toks_kw(tl, i + 1, "exists"))
		i += 2;
	if (toks_kw(tl, i, "only"))
		i++;
	char *name = take_object_name(tl, &i, kind);
	char *target = make_tag(kind, name);
	size_t owner = toks_find_kw(tl, i, "owner");
	bool is_rel = strcmp(tag_group(kind), "REL") == 0;
	if (owner < tl->n && toks_kw(tl, owner + 1, "to")) {
		set_item(it, SECTION_PRE, "OWNER", name, NULL, target);
	} else if (is_rel && toks_kw(tl, i, "add") && toks_kw(tl, i + 1, "constraint")) {
		i += 2;
		char *con = toks_name(tl, &i);
		bool fk = toks_find_kw(tl, i, "foreign") < tl->n || toks_find_kw(tl, i, "references") < tl->n;
		char *n = xasprintf("%s on %s", con ? con : "?", name ? name : "?");
		set_item(it, SECTION_POST, fk ? "FK CONSTRAINT" : "CONSTRAINT", n, NULL, target);
		free(con);
		free(name);
	} else if (is_rel && toks_kw(tl, i, "attach") && toks_kw(tl, i + 1, "partition")) {
		bool index = strcmp(kind, "INDEX") == 0;
		i += 2;
		char *part = toks_name(tl, &i);
		set_item(it, index ? SECTION_POST : SECTION_PRE, index ? "INDEX ATTACH" : "ATTACH PARTITION",
			 part, NULL, target);
		free(name);
	} else if (is_rel && (toks_find_kw(tl, i, "cluster") < tl->n ||
			      toks_find_kw(tl, i, "replica") < tl->n ||
			      toks_find_kw(tl, i, "trigger") < tl->n ||
			      (toks_find_kw(tl, i, "row") < tl->n && toks_find_kw(tl, i, "security") < tl->n))) {
		set_item(it, SECTION_POST, "ALTER TABLE", name, NULL, target);
	} else if (strcmp(kind, "SEQUENCE") == 0 && toks_find_kw(tl, i, "owned") < tl->n) {
		set_item(it, SECTION_PRE, "SEQUENCE OWNED BY", name, NULL, target);
	} else {
		char *k = xasprintf("ALTER %s", is_rel ? "TABLE" : kind);
		set_item(it, SECTION_PRE, k, name, NULL, target);
		free(k);
	}
	free(kind);
}

/* COMMENT ON <type> <name> IS ... / SECURITY LABEL ... ON <type> <name> /
 * GRANT|REVOKE ... ON [<type>] <name> TO|FROM ... */
static void classify_attached(struct schema_item *it, const struct toks *tl, const char *what, size_t i)
{
	char *kind = take_objtype(tl, &i);
	if (!kind && strcmp(what, "ACL") == 0 && toks_kw(tl, i, "all") && toks_kw(tl, i + 1, "tables")) {
		set_item(it, SECTION_PRE, what, toks_range(tl, i, tl->n), NULL, NULL);
		return;
	}
	if (!kind)
		kind = xstrdup("TABLE");        /* GRANT ... ON name: a table */
	char *name = NULL, *target = NULL;
	if (strcmp(kind, "COLUMN") == 0) {
		name = toks_name(tl, &i);
		char *rel = name ? toks_name_parent(name) : NULL;
		target = make_tag("TABLE", rel);
		free(rel);
	} else if (strcmp(kind, "CONSTRAINT") == 0 || strcmp(kind, "TRIGGER") == 0 ||
		   strcmp(kind, "RULE") == 0 || strcmp(kind, "POLICY") == 0) {
		char *n = toks_name(tl, &i);
		if (toks_kw(tl, i, "on"))
			i++;
		if (toks_kw(tl, i, "domain"))
			i++;
		char *table = toks_name(tl, &i);
		name = xasprintf("%s on %s", n ? n : "?", table ? table : "?");
		target = make_tag("TABLE", table);
		free(n);
		free(table);
	} else {
		name = take_object_name(tl, &i, kind);
		target = make_tag(kind, name);
	}
	bool post = strcmp(kind, "INDEX") == 0 || strcmp(kind, "TRIGGER") == 0 ||
		    strcmp(kind, "RULE") == 0 || strcmp(kind, "CONSTRAINT") == 0;
	set_item(it, post ? SECTION_POST : SECTION_PRE, what, xasprintf("%s %s", kind, name ? name : "?"),
		 NULL, target);
	free(name);
	free(kind);
}

static void classify(struct schema_item *it, const struct toks *tl, bool meta)
{
	it->role = ITEM_OBJECT;
	if (meta || tl->n == 0) {
		it->role = ITEM_IGNORED;
		set_item(it, SECTION_PRE, meta ? "META" : "EMPTY", NULL, NULL, NULL);
		return;
	}
	if (toks_kw(tl, 0, "set") || toks_kw(tl, 0, "reset") ||
	    (toks_kw(tl, 0, "select") && toks_find_kw(tl, 1, "set_config") < 4)) {
		it->role = ITEM_SESSION;
		set_item(it, SECTION_PRE, "SET", toks_range(tl, 1, tl->n), NULL, NULL);
		return;
	}
	static const char *const txn[] = { "begin", "commit", "end", "start", "rollback", "abort", NULL };
	for (int k = 0; txn[k]; k++) {
		if (toks_kw(tl, 0, txn[k]) && !toks_kw(tl, 1, "atomic")) {
			it->role = ITEM_IGNORED;
			set_item(it, SECTION_PRE, "TRANSACTION", NULL, NULL, NULL);
			return;
		}
	}
	if (toks_kw(tl, 0, "create")) {
		classify_create(it, tl);
	} else if (toks_kw(tl, 0, "alter")) {
		classify_alter(it, tl);
	} else if (toks_kw(tl, 0, "comment") && toks_kw(tl, 1, "on")) {
		classify_attached(it, tl, "COMMENT", 2);
	} else if (toks_kw(tl, 0, "security") && toks_kw(tl, 1, "label")) {
		classify_attached(it, tl, "SECURITY LABEL", toks_find_kw(tl, 2, "on") + 1);
	} else if ((toks_kw(tl, 0, "grant") || toks_kw(tl, 0, "revoke")) && toks_find_kw(tl, 1, "on") < tl->n) {
		classify_attached(it, tl, "ACL", toks_find_kw(tl, 1, "on") + 1);
	} else if (toks_kw(tl, 0, "grant") || toks_kw(tl, 0, "revoke")) {
		set_item(it, SECTION_PRE, "ROLE GRANT", toks_range(tl, 1, tl->n), NULL, NULL);
	} else if (toks_kw(tl, 0, "refresh")) {
		size_t i = 3 + toks_kw(tl, 3, "concurrently");
		char *name = toks_name(tl, &i);
		set_item(it, SECTION_POST, "REFRESH", name, NULL, make_tag("TABLE", name));
	} else {
		char *kw = sqltok_text(tl->s, &tl->t[0]);
		for (char *p = kw; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		set_item(it, SECTION_PRE, kw, toks_range(tl, 1, tl->n < 6 ? tl->n : 6), NULL, NULL);
		free(kw);
	}
}

/* The journal key of it: the object (section, kind, name) and what the
 * statement says, numbered only among identical statements, so that a
 * re-dump that adds, drops or moves statements keys each the same. */
static void set_key(struct schema_item *it, const struct toks *tl, struct strmap *keys)
{
	char digest[17];
	toks_digest(tl, it->std_strings, digest);
	char *base = xasprintf("%s %s %s @%s", schema_section_name(it->section), it->kind, it->name, digest);
	size_t *seen = strmap_at(keys, base, true);
	it->key = (*seen)++ ? xasprintf("%s#%zu", base, *seen) : xstrdup(base);
	free(base);
}

/* Materialized views come out of pg_dump -s empty (WITH NO DATA) and
 * nothing in a schema-only dump fills them: each gets a REFRESH at the end
 * of post-data, after the data and the indexes, as pg_dump itself places
 * them in a full dump.  They follow the order of their CREATEs, which is an
 * order of their dependencies (a view over another cannot be created
 * before it).  A script that refreshes a view itself keeps its own. */
static void add_refreshes(struct schema_items *out, struct strmap *keys, size_t ncreated)
{
	struct strmap own;
	strmap_init(&own, out->n);
	size_t nviews = 0;
	for (size_t k = 0; k < out->n; k++) {
		const struct schema_item *it = &out->v[k];
		if (it->role == ITEM_OBJECT && strcmp(it->kind, "REFRESH") == 0)
			*strmap_at(&own, it->name, true) = 1;
		nviews += it->role == ITEM_OBJECT && strcmp(it->kind, "MATERIALIZED VIEW") == 0;
	}
	out->v = xrealloc(out->v, (out->n + nviews + 1) * sizeof *out->v);
	for (size_t k = 0; k < ncreated; k++) {
		const struct schema_item *mv = &out->v[k];
		if (mv->role != ITEM_OBJECT || strcmp(mv->kind, "MATERIALIZED VIEW") != 0 || !mv->name[0] ||
		    strmap_at(&own, mv->name, false))
			continue;
		*strmap_at(&own, mv->name, true) = 1;
		struct schema_item *it = &out->v[out->n++];
		memset(it, 0, sizeof *it);
		it->role = ITEM_OBJECT;
		it->line = mv->line;
		it->std_strings = mv->std_strings;
		it->sql = xasprintf("REFRESH MATERIALIZED VIEW %s;", mv->name);
		set_item(it, SECTION_POST, "REFRESH", xstrdup(mv->name), NULL, make_tag("TABLE", mv->name));
		struct toks tl;
		toks_build(&tl, it->sql, strlen(it->sql), it->std_strings);
		set_key(it, &tl, keys);
		toks_done(&tl);
	}
	strmap_done(&own);
}

bool schema_parse(const char *ddl, size_t len, struct schema_items *out, char *err, size_t errsize)
{
	memset(out, 0, sizeof *out);
	struct sqlscript sc;
	if (!sqllex_split(ddl, len, true, &sc)) {
		snprintf(err, errsize, "%s", sc.error);
		sqlscript_free(&sc);
		return false;
	}
	out->v = xcalloc(sc.n ? sc.n : 1, sizeof *out->v);
	struct strmap keys, tags;
	strmap_init(&keys, 2 * sc.n);       /* and a REFRESH per materialized view */
	strmap_init(&tags, sc.n);
	for (size_t k = 0; k < sc.n; k++) {
		const struct sqlstmt *st = &sc.items[k];
		struct schema_item *it = &out->v[out->n++];
		it->sql = xstrndup(ddl + st->start, st->end - st->start);
		it->line = st->line;
		it->std_strings = st->std_strings;
		struct toks tl;
		bool meta = st->kind == SQLSTMT_META;
		toks_build(&tl, it->sql, strlen(it->sql), st->std_strings);
		classify(it, &tl, meta);
		if (st->has_data) {
			free(it->kind);
			it->kind = xstrdup("COPY DATA");
			it->role = ITEM_IGNORED;
		}
		/* attached statements take the section of the object they belong to */
		size_t *def = it->target && !it->tag && it->section == SECTION_PRE
			      ? strmap_at(&tags, it->target, false) : NULL;
		if (def && out->v[*def - 1].section == SECTION_POST)
			it->section = SECTION_POST;
		set_key(it, &tl, &keys);
		toks_done(&tl);
		if (it->tag && !strmap_at(&tags, it->tag, false))
			*strmap_at(&tags, it->tag, true) = out->n;      /* index + 1 */
	}
	add_refreshes(out, &keys, out->n);
	strmap_done(&keys);
	strmap_done(&tags);
	sqlscript_free(&sc);
	return true;
}

void schema_items_free(struct schema_items *items)
{
	for (size_t i = 0; i < items->n; i++) {
		struct schema_item *it = &items->v[i];
		free(it->kind);
		free(it->name);
		free(it->tag);
		free(it->target);
		free(it->key);
		free(it->sql);
	}
	free(items->v);
	memset(items, 0, sizeof *items);
}
