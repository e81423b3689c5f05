/* fuzz_split: the statement splitter (sqllex_split), the schema parser
 * that classifies its statements (schema_parse) and the scan for what breaks
 * on the destination (schema_scan), on any bytes.
 * Input: one byte of flags (bit 0: standard_conforming_strings at the
 * start), then the script, in a buffer of exactly its length.  Checked:
 * the statements, in order, cover the script: what lies between them is only
 * white space and comments, COPY data runs to its "\." line, a statement
 * split again alone is one statement; schema_parse keeps every statement
 * whole (its exact bytes, its line) and gives each object a distinct key;
 * each finding of schema_scan names an item's line, a problem and a fix. */
#include "fuzz.h"
#include "schema.h"
#include "sqllex.h"

#include <stdbool.h>

static bool blank(const char *s, size_t n)
{
	struct sqllex lx;
	struct sqltok t;
	sqllex_init(&lx, s, n, true);
	return sqllex_next(&lx, &t) && t.kind == TOK_EOF;
}

/* The line of pos, counting on from an earlier call (positions increase). */
static int line_of(const char *s, size_t pos, size_t *counted, int *line)
{
	for (; *counted < pos; (*counted)++)
		*line += s[*counted] == '\n';
	return *line;
}

static void check_alone(const char *s, const struct sqlstmt *st)
{
	struct sqlscript one;
	size_t n = st->end - st->start;
	bool ok = sqllex_split(s + st->start, n, st->std_strings, &one);
	FUZZ_CHECK(ok, "the statement at line %d does not split alone: %s", st->line, one.error);
	/* A meta-command line ends before "\r\n"; alone, before a last "\r". */
	size_t end = one.n == 1 ? one.items[0].end : 0;
	if (st->kind == SQLSTMT_META && end == n - 1 && s[st->end - 1] == '\r')
		end = n;
	FUZZ_CHECK(one.n == 1 && one.items[0].kind == st->kind && one.items[0].start == 0 &&
		   end == n && one.items[0].terminated == st->terminated,
		   "the statement at line %d (%zu bytes) splits alone into %zu statements", st->line, n, one.n);
	sqlscript_free(&one);
}

/* The statements of sc cover s[0, len) (up to `upto` when the split failed). */
static void check_cover(const char *s, size_t len, const struct sqlscript *sc, bool complete)
{
	size_t pos = 0, counted = 0;
	int line = 1;
	for (size_t i = 0; i < sc->n; i++) {
		const struct sqlstmt *st = &sc->items[i];
		FUZZ_CHECK(st->start >= pos && st->start < st->end && st->end <= len,
			   "statement %zu at [%zu, %zu) after %zu of %zu", i, st->start, st->end, pos, len);
		FUZZ_CHECK(blank(s + pos, st->start - pos),
			   "text between %zu and statement %zu at %zu is not blank", pos, i, st->start);
		line_of(s, st->start, &counted, &line);
		FUZZ_CHECK(st->line == line, "statement %zu: line %d, not %d", i, st->line, line);
		pos = st->end;
		if (st->kind == SQLSTMT_META) {
			FUZZ_CHECK(s[st->start] == '\\', "meta-command %zu does not start with a backslash", i);
			FUZZ_CHECK(!memchr(s + st->start, '\n', st->end - st->start),
				   "meta-command %zu runs over its line", i);
			check_alone(s, st);
			continue;
		}
		if (!st->terminated)
			FUZZ_CHECK(i == sc->n - 1, "unterminated statement %zu is not the last", i);
		else
			FUZZ_CHECK(s[st->end - 1] == ';', "statement %zu ends with '%c', not ';'", i,
				   s[st->end - 1]);
		if (!st->has_data) {
			check_alone(s, st);
			continue;
		}
		/* COPY ... FROM stdin;<rest of the line>\n<rows>\.\n */
		const char *nl = memchr(s + st->end, '\n', len - st->end);
		size_t eol = nl ? (size_t)(nl - s) : len;
		FUZZ_CHECK(blank(s + st->end, eol - st->end),
			   "text after COPY ... FROM stdin; at line %d is neither rows nor blank", st->line);
		FUZZ_CHECK(st->data_start == (nl ? eol + 1 : eol) && st->data_start <= st->data_end &&
			   st->data_end + 2 <= len, "COPY rows of statement %zu at [%zu, %zu)", i,
			   st->data_start, st->data_end);
		FUZZ_CHECK(s[st->data_end] == '\\' && s[st->data_end + 1] == '.' &&
			   (st->data_end == st->data_start || s[st->data_end - 1] == '\n'),
			   "COPY rows of statement %zu do not end at a \\. line", i);
		pos = st->data_end + 2;
		if (pos < len && s[pos] == '\r')
			pos++;
		FUZZ_CHECK(pos == len || s[pos] == '\n', "the \\. line of statement %zu goes on", i);
		if (pos < len)
			pos++;
	}
	if (complete)
		FUZZ_CHECK(blank(s + pos, len - pos), "text after the last statement (at %zu) is not blank", pos);
}

/* A destination as schema_dest_read would find an ADB 6 instance. */
static char *roles[] = { "adbadmin", "postgres", "gpadmin", NULL };
static char *settings[] = { "search_path", "statement_timeout", "client_encoding", "standard_conforming_strings",
			    "gp_autostats_mode", NULL };
static char *su_settings[] = { "gp_autostats_mode", NULL };
static struct schema_dest dest = { .superuser = false, .roles = roles, .settings = settings,
				   .su_settings = su_settings };

static void check_scan(const struct schema_items *items, const struct schema_dest *d)
{
	struct schema_findings f;
	schema_scan(items, d, &f);
	for (size_t i = 0; i < f.n; i++) {
		const struct schema_finding *x = &f.v[i];
		FUZZ_CHECK(x->id && x->object && x->problem && x->fix && x->problem[0] && x->fix[0],
			   "finding %zu (%s) lacks a part", i, x->id ? x->id : "?");
		bool at_item = false;
		for (size_t k = 0; k < items->n && !at_item; k++)
			at_item = items->v[k].line == x->line;
		FUZZ_CHECK(at_item, "finding %s names line %d, where no statement starts", x->id, x->line);
	}
	schema_findings_free(&f);
}

static int key_cmp(const void *a, const void *b)
{
	const struct schema_item *const *x = a, *const *y = b;
	return strcmp((*x)->key, (*y)->key);
}

static void check_schema(const char *s, size_t len, const struct sqlscript *sc)
{
	struct schema_items items;
	char err[300] = "";
	bool ok = schema_parse(s, len, &items, err, sizeof err);
	FUZZ_CHECK(ok, "schema_parse fails where the split did not: %s", err);
	/* one item per statement, then a REFRESH for each materialized view the
	 * script creates without refreshing it itself */
	FUZZ_CHECK(items.n >= sc->n, "schema_parse has %zu items for %zu statements", items.n, sc->n);
	for (size_t i = sc->n; i < items.n; i++) {
		const struct schema_item *it = &items.v[i];
		FUZZ_CHECK(it->kind && strcmp(it->kind, "REFRESH") == 0 &&
			   strncmp(it->sql, "REFRESH MATERIALIZED VIEW ", 26) == 0,
			   "item %zu beyond the %zu statements is not a generated REFRESH", i, sc->n);
		bool created = false;
		for (size_t k = 0; k < sc->n && !created; k++)
			created = items.v[k].kind && strcmp(items.v[k].kind, "MATERIALIZED VIEW") == 0 &&
				  strcmp(items.v[k].name, it->name) == 0;
		FUZZ_CHECK(created, "a REFRESH of %s, which the script does not create", it->name);
	}
	for (size_t i = 0; i < sc->n; i++) {
		const struct schema_item *it = &items.v[i];
		const struct sqlstmt *st = &sc->items[i];
		size_t n = st->end - st->start;
		FUZZ_CHECK(strlen(it->sql) == n && memcmp(it->sql, s + st->start, n) == 0,
			   "item %zu (line %d) is not its statement's %zu bytes but %zu", i, it->line, n,
			   strlen(it->sql));
		FUZZ_CHECK(it->line == st->line, "item %zu: line %d, not %d", i, it->line, st->line);
		FUZZ_CHECK(it->kind && it->key, "item %zu has no kind or key", i);
	}
	/* The journal records applied objects by key: two objects with one key
	 * would make a re-run skip the second. */
	const struct schema_item **by_key = malloc((items.n + 1) * sizeof *by_key);
	if (!by_key)
		abort();
	for (size_t i = 0; i < items.n; i++)
		by_key[i] = &items.v[i];
	qsort(by_key, items.n, sizeof *by_key, key_cmp);
	for (size_t i = 1; i < items.n; i++)
		FUZZ_CHECK(strcmp(by_key[i - 1]->key, by_key[i]->key) != 0,
			   "the items at lines %d and %d share the key '%s'", by_key[i - 1]->line,
			   by_key[i]->line, by_key[i]->key);
	free(by_key);
	check_scan(&items, NULL);
	check_scan(&items, &dest);
	schema_items_free(&items);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	flavor_parse("PostgreSQL 9.4.24 (Greenplum Database 6.3.0 build dev) on x86_64-unknown-linux-gnu",
		     &dest.flavor);
	flavor_mark_adb(&dest.flavor);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 64 * 1024)
		return 0;
	bool std = data[0] & 1;
	size_t len = size - 1;
	char *s = malloc(len ? len : 1);
	if (!s)
		abort();
	memcpy(s, data + 1, len);

	struct sqlscript sc;
	bool ok = sqllex_split(s, len, std, &sc);
	if (!ok)
		FUZZ_CHECK(strncmp(sc.error, "line ", 5) == 0, "error without its line: %s", sc.error);
	check_cover(s, len, &sc, ok);
	/* schema_parse reads a dump, which starts with standard_conforming_strings on. */
	if (ok && std)
		check_schema(s, len, &sc);
	sqlscript_free(&sc);
	free(s);
	return 0;
}
