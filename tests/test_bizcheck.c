/* bizcheck: the queries file, ORDER BY detection and result comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bizcheck.h"
#include "mem.h"
#include "testutil.h"

static char *write_tmp(const char *text)
{
	char *path = xstrdup("/tmp/gp2adb-bizq.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	tu_write_file(path, text, 0600);
	return path;
}

static void test_load_names_lines_order(void **state)
{
	(void)state;
	char *path = write_tmp("-- the monthly report\n"
			       "-- name: revenue by month\n"
			       "SELECT date_trunc('month', d) m, sum(v) FROM sales GROUP BY 1 ORDER BY 1;\n"
			       "\n"
			       "SELECT count(*) FROM t WHERE note = 'a; b -- not a comment';\n"
			       "-- name: ranked\n"
			       "SELECT id, rank() OVER (ORDER BY v) FROM t;\n"
			       "-- name: last\n"
			       "SELECT 1 UNION SELECT 2 ORDER BY 1\n");
	struct bizquery_list l;
	char err[300];
	assert_true(bizcheck_load(path, &l, err, sizeof err));
	assert_int_equal(l.n, 4);
	assert_string_equal(l.items[0].name, "revenue by month");
	assert_int_equal(l.items[0].line, 3);
	assert_true(l.items[0].ordered);
	assert_string_equal(l.items[1].name, "query 2 (line 5)");
	assert_string_equal(l.items[1].sql, "SELECT count(*) FROM t WHERE note = 'a; b -- not a comment'");
	assert_false(l.items[1].ordered);
	assert_string_equal(l.items[2].name, "ranked");
	assert_false(l.items[2].ordered);          /* ORDER BY inside OVER (...) */
	assert_true(l.items[3].ordered);
	bizcheck_list_free(&l);
	unlink(path);
	free(path);
}

static void test_load_errors_name_the_line(void **state)
{
	(void)state;
	char err[300];
	struct bizquery_list l;
	char *path = write_tmp("-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;\n");
	assert_false(bizcheck_load(path, &l, err, sizeof err));
	assert_non_null(strstr(err, ":4: the name \"a\" is already used by the query at line 2"));
	unlink(path);
	free(path);
	path = write_tmp("SELECT 1;\n\\connect other\n");
	assert_false(bizcheck_load(path, &l, err, sizeof err));
	assert_non_null(strstr(err, ":2: a psql meta-command"));
	unlink(path);
	free(path);
	path = write_tmp("-- nothing here\n");
	assert_false(bizcheck_load(path, &l, err, sizeof err));
	assert_non_null(strstr(err, "no queries"));
	unlink(path);
	free(path);
	path = write_tmp("SELECT 'open\n");
	assert_false(bizcheck_load(path, &l, err, sizeof err));
	assert_non_null(strstr(err, path));
	unlink(path);
	free(path);
	assert_false(bizcheck_load("/nonexistent/q.sql", &l, err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent/q.sql: cannot read it"));
}

/* A result built in memory: ncols columns of the given types, rows of text
 * (NULL for SQL NULL). */
static PGresult *result(int ncols, const Oid *types, int nrows, const char *const *cells)
{
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc *att = xcalloc((size_t)ncols, sizeof *att);
	char names[8][4];
	for (int c = 0; c < ncols; c++) {
		snprintf(names[c], sizeof names[c], "c%d", c);
		att[c].name = names[c];
		att[c].typid = types[c];
		att[c].typlen = -1;
		att[c].atttypmod = -1;
	}
	assert_true(PQsetResultAttrs(r, ncols, att));
	free(att);
	for (int i = 0; i < nrows; i++)
		for (int c = 0; c < ncols; c++) {
			const char *v = cells[i * ncols + c];
			assert_true(PQsetvalue(r, i, c, (char *)v, v ? (int)strlen(v) : -1));
		}
	return r;
}

static void test_compare_multisets_floats_nulls(void **state)
{
	(void)state;
	const Oid types[2] = { 25 /* text */, 701 /* float8 */ };
	const char *a[] = { "x", "1.5", "y", NULL, "z", "0.30000000000000004", "x", "1.5" };
	const char *b[] = { "z", "0.3", "x", "1.5", "y", NULL, "x", "1.5" };
	PGresult *ra = result(2, types, 4, a), *rb = result(2, types, 4, b);
	char detail[300];
	/* as multisets they match (the float within tolerance) */
	assert_true(bizcheck_compare(ra, rb, false, detail, sizeof detail));
	/* in order they do not */
	assert_false(bizcheck_compare(ra, rb, true, detail, sizeof detail));
	assert_non_null(strstr(detail, "row 1, column \"c0\": source x, destination z"));
	PQclear(rb);
	/* a duplicate row is a difference */
	const char *c[] = { "x", "1.5", "y", NULL, "z", "0.3", "z", "0.3" };
	rb = result(2, types, 4, c);
	assert_false(bizcheck_compare(ra, rb, false, detail, sizeof detail));
	PQclear(rb);
	/* a float differing in its 9th digit is a difference */
	const char *d[] = { "x", "1.5", "y", NULL, "z", "0.300000003", "x", "1.5" };
	rb = result(2, types, 4, d);
	assert_false(bizcheck_compare(ra, rb, false, detail, sizeof detail));
	assert_non_null(strstr(detail, "column \"c1\""));
	PQclear(rb);
	/* fewer rows */
	rb = result(2, types, 3, b);
	assert_false(bizcheck_compare(ra, rb, false, detail, sizeof detail));
	PQclear(rb);
	/* a text column is compared exactly: '1.0' is not '1' */
	const Oid tt[1] = { 25 };
	const char *e1[] = { "1.0" }, *e2[] = { "1" };
	PGresult *x = result(1, tt, 1, e1), *y = result(1, tt, 1, e2);
	assert_false(bizcheck_compare(x, y, false, detail, sizeof detail));
	PQclear(x);
	PQclear(y);
	/* columns differ in number */
	y = result(1, tt, 1, e2);
	assert_false(bizcheck_compare(ra, y, false, detail, sizeof detail));
	assert_non_null(strstr(detail, "2 columns, the destination 1"));
	PQclear(y);
	PQclear(ra);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_names_lines_order),
		cmocka_unit_test(test_load_errors_name_the_line),
		cmocka_unit_test(test_compare_multisets_floats_nulls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
