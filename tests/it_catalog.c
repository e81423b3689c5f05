/* catalog on a real PostgreSQL: kinds, roots, columns, keys, selection, sequences. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "mem.h"
#include "testutil.h"

static const char schema_sql[] =
	"CREATE SCHEMA s;\n"
	"CREATE TABLE s.plain (id int PRIMARY KEY, amount numeric(12,2), at timestamptz, note text);\n"
	"CREATE TABLE s.sales (id bigint, d date, v float8) PARTITION BY RANGE (d);\n"
	"CREATE TABLE s.sales_2025 PARTITION OF s.sales FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n"
	"CREATE TABLE s.sales_rest PARTITION OF s.sales DEFAULT;\n"
	"CREATE TABLE s.parent (id int, kind text);\n"
	"CREATE TABLE s.child (extra int) INHERITS (s.parent);\n"
	"CREATE TABLE s.gen (a int NOT NULL, b int GENERATED ALWAYS AS (a * 2) STORED, c int GENERATED ALWAYS AS IDENTITY, x int);\n"
	"ALTER TABLE s.gen DROP COLUMN x;\n"
	"CREATE UNIQUE INDEX ON s.gen (a);\n"
	"CREATE TABLE s.\"Odd \"\"name\"\" ü\" (\"select\" text);\n"
	"CREATE TABLE s.nokey (v text);\n"
	"CREATE SEQUENCE s.free_seq;\n"
	"CREATE TABLE s.serialt (id serial);\n"
	"CREATE SCHEMA other; CREATE TABLE other.t (x int);\n"
	"INSERT INTO s.plain SELECT g, g, now(), 'x' FROM generate_series(1, 1000) g;\n"
	"ANALYZE;\n";

static void test_kinds_columns_keys(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "cat");
	PGconn *c = tu_connect(TU_SRC, "cat");
	tu_exec(c, schema_sql);
	struct flavor f;
	struct db_error err;
	assert_true(db_flavor(c, &f, NULL, &err));
	struct table_list l;
	assert_true(catalog_tables(c, &f, NULL, &l, &err));

	const struct table *t = catalog_find(&l, "s", "plain");
	assert_non_null(t);
	assert_int_equal(t->kind, TABLE_PLAIN);
	assert_int_equal(t->ncols, 4);
	assert_string_equal(t->cols[1].type, "numeric(12,2)");
	assert_int_equal(t->cols[1].category, 'N');
	assert_int_equal(t->cols[2].category, 'D');
	assert_non_null(t->key);
	assert_string_equal(t->key[0], "id");
	assert_true(t->bytes > 0);
	assert_int_equal(t->rows_est, 1000);

	t = catalog_find(&l, "s", "sales");
	assert_int_equal(t->kind, TABLE_PARTITION_ROOT);
	assert_false(catalog_has_data(t));
	t = catalog_find(&l, "s", "sales_rest");
	assert_int_equal(t->kind, TABLE_PARTITION_LEAF);
	assert_string_equal(t->root, "\"s\".\"sales\"");
	assert_true(catalog_has_data(t));

	assert_int_equal(catalog_find(&l, "s", "parent")->kind, TABLE_INHERIT_PARENT);
	assert_int_equal(catalog_find(&l, "s", "child")->kind, TABLE_INHERIT_CHILD);
	assert_int_equal(catalog_find(&l, "s", "child")->ncols, 3);

	t = catalog_find(&l, "s", "gen");
	assert_int_equal(t->ncols, 3);        /* the dropped column is gone */
	assert_false(t->cols[0].generated);
	assert_true(t->cols[1].generated);
	assert_true(t->cols[2].identity);
	assert_non_null(t->key);              /* unique index on a NOT NULL column */
	assert_string_equal(t->key[0], "a");

	t = catalog_find(&l, "s", "Odd \"name\" ü");
	assert_non_null(t);
	assert_string_equal(t->qualified, "\"s\".\"Odd \"\"name\"\" ü\"");
	assert_null(catalog_find(&l, "s", "nokey")->key);
	catalog_tables_free(&l);

	struct sequence_list sq;
	assert_true(catalog_sequences(c, &f, NULL, &sq, &err));
	assert_int_equal(sq.n, 3);   /* free_seq, serialt_id_seq, gen_c_seq */
	bool saw_owned = false;
	for (size_t i = 0; i < sq.n; i++)
		if (strcmp(sq.items[i].name, "serialt_id_seq") == 0)
			saw_owned = sq.items[i].owner_table && strcmp(sq.items[i].owner_table, "\"s\".\"serialt\"") == 0;
	assert_true(saw_owned);
	catalog_sequences_free(&sq);
	PQfinish(c);
}

static void test_selection(void **state)
{
	(void)state;
	PGconn *c = tu_connect(TU_SRC, "cat");
	struct flavor f;
	struct db_error err;
	assert_true(db_flavor(c, &f, NULL, &err));
	struct plan p;
	plan_init(&p);
	p.include = strv_push(NULL, "s.sales");
	struct table_list l;
	assert_true(catalog_tables(c, &f, &p, &l, &err));
	/* the root and both leaves, selected through the root's name */
	assert_int_equal(l.n, 3);
	assert_non_null(catalog_find(&l, "s", "sales_2025"));
	catalog_tables_free(&l);

	strv_free(p.include);
	p.include = strv_push(NULL, "s.*");
	p.exclude = strv_push(NULL, "s.sales*");
	assert_true(catalog_tables(c, &f, &p, &l, &err));
	assert_null(catalog_find(&l, "s", "sales_2025"));
	assert_null(catalog_find(&l, "other", "t"));
	assert_non_null(catalog_find(&l, "s", "plain"));
	catalog_tables_free(&l);
	plan_done(&p);
	PQfinish(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_columns_keys),
		cmocka_unit_test(test_selection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
