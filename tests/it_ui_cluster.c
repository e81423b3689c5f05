/* The wizard's backend over the real core (ui_backend_core) for the steps of
 * a whole-cluster migration, against the harness servers: the source's
 * databases with their sizes; the schema, the copy, validation and ANALYZE
 * over every ticked database (the roles first, a database the source lacks
 * or the destination cannot create named while the others go on); the
 * business check with a query that differs and one that fails on a side;
 * the backfill of rows written on the source after the copy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "copytest.h"
#include "exitcode.h"
#include "mem.h"
#include "testutil.h"
#include "wizard.h"

/* Polls stop after this long: a hang fails the test instead of stalling it. */
#define LIMIT_S 90.0

static void plan_for(struct plan *p, const char *dir, const char *db)
{
	plan_init(p);
	tu_endpoint(&p->source, TU_SRC, db);
	tu_endpoint(&p->destination, TU_DST, db);
	free(p->state_dir);
	p->state_dir = xasprintf("%s/state", dir);
	p->jobs = 2;
}

static const struct ui_database *db_row(const struct ui_databases *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	fail_msg("no database row for %s", name);
	return NULL;
}

static const struct ui_object *obj_row(const struct ui_schema *s, const char *kind, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->objects[i].kind, kind) == 0 && strstr(s->objects[i].name, name))
			return &s->objects[i];
	fail_msg("no schema row %s %s", kind, name);
	return NULL;
}

static const struct ui_val_row *val_row(const struct ui_validation *v, const char *table)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->rows[i].table, table) == 0)
			return &v->rows[i];
	for (size_t i = 0; i < v->n; i++)
		fprintf(stderr, "# row %s\n", v->rows[i].table);
	fail_msg("no validation row for %s", table);
	return NULL;
}

/* 3. The source's databases, each with its size as the server gives it;
 * the connection's own ticked when the plan names none, else the plan's. */
static void test_databases_list(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "dl_small");
	tu_createdb(TU_SRC, "dl_big");
	PGconn *s = tu_connect(TU_SRC, "dl_big");
	tu_exec(s, "CREATE TABLE filler AS SELECT g, md5(g::text) AS t FROM generate_series(1, 20000) g");
	PQfinish(s);
	char *dir = tu_tmpdir();
	struct plan p;
	plan_for(&p, dir, "dl_small");
	struct ui_backend be;
	struct ui_databases l;
	char err[400] = "";
	ui_backend_core(&be, NULL);
	assert_true(be.databases_list(be.ctx, &p, &l, err, sizeof err));
	PGconn *c = tu_connect(TU_SRC, "postgres");
	const char *const names[] = { "dl_small", "dl_big" };
	for (size_t i = 0; i < 2; i++) {
		char *sql = xasprintf("SELECT pg_database_size('%s')", names[i]);
		const struct ui_database *d = db_row(&l, names[i]);
		assert_true(d->on_source);
		assert_int_equal(d->bytes, tu_count(c, sql));
		free(sql);
	}
	PQfinish(c);
	assert_true(db_row(&l, "dl_big")->bytes > db_row(&l, "dl_small")->bytes);
	assert_true(db_row(&l, "dl_small")->ticked);
	assert_false(db_row(&l, "dl_big")->ticked);
	for (size_t i = 0; i < l.n; i++) {
		assert_string_not_equal(l.v[i].name, "postgres");
		assert_string_not_equal(l.v[i].name, "template1");
	}
	ui_databases_free(&l);
	/* the plan's list: ticked as it says; one the source lacks stays, named */
	p.databases = strv_push(strv_push(NULL, "dl_big"), "dl_nowhere");
	assert_true(be.databases_list(be.ctx, &p, &l, err, sizeof err));
	assert_true(db_row(&l, "dl_big")->ticked);
	assert_false(db_row(&l, "dl_small")->ticked);
	assert_true(db_row(&l, "dl_nowhere")->ticked);
	assert_false(db_row(&l, "dl_nowhere")->on_source);
	ui_databases_free(&l);
	/* a source that cannot be reached says which */
	p.source.port = 1;
	assert_false(be.databases_list(be.ctx, &p, &l, err, sizeof err));
	assert_non_null(strstr(err, "cannot connect to the source"));
	be.done(be.ctx);
	plan_done(&p);
	free(dir);
}

static const struct finding *finding_titled(const struct findings *f, const char *id, const char *prefix)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->items[i].id, id) == 0 && strncmp(f->items[i].title, prefix, strlen(prefix)) == 0)
			return &f->items[i];
	return NULL;
}

/* Evaluation over every database of the plan: each database's findings,
 * named by it; the sizes added up; one the source lacks is a failure of its
 * own; one the destination lacks is checked through its postgres database. */
static void test_evaluation_every_database(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "ev_a");
	tu_createdb(TU_SRC, "ev_b");
	tu_createdb(TU_DST, "ev_a");
	PGconn *s = tu_connect(TU_SRC, "ev_a");
	tu_exec(s, "CREATE TABLE keyed (id int PRIMARY KEY); INSERT INTO keyed SELECT generate_series(1, 1000)");
	PQfinish(s);
	s = tu_connect(TU_SRC, "ev_b");
	tu_exec(s, "CREATE TABLE parent (id int PRIMARY KEY); CREATE TABLE child () INHERITS (parent);"
		   "INSERT INTO child SELECT generate_series(1, 5000)");
	PQfinish(s);
	char *dir = tu_tmpdir();
	struct plan p;
	plan_for(&p, dir, "ev_a");
	p.databases = strv_push(strv_push(strv_push(NULL, "ev_a"), "ev_b"), "ev_gone");
	struct ui_backend be;
	char err[400] = "";
	ui_backend_core(&be, NULL);
	assert_true(be.checks_start(be.ctx, &p, err, sizeof err));
	struct findings f = { 0 };
	bool ok = false, done = false;
	double t0 = ct_now();
	while (!(done = be.checks_poll(be.ctx, &f, &ok, err, sizeof err)) && ct_now() - t0 < LIMIT_S)
		ct_pause_ms(100);
	assert_true(done);
	if (!ok)
		fail_msg("checks: %s", err);
	for (size_t i = 0; i < f.n; i++)
		fprintf(stderr, "# %s %s: %s\n", severity_name(f.items[i].severity), f.items[i].id, f.items[i].title);
	/* ev_b's inheritance is found, and said to be ev_b's; ev_a has none */
	const struct finding *inh = finding_titled(&f, "inheritance.children", "ev_b: ");
	assert_non_null(inh);
	assert_int_equal(inh->severity, SEV_INFO);
	assert_int_equal(finding_titled(&f, "inheritance.children", "ev_a: ")->severity, SEV_OK);
	/* ev_b is not on the destination yet: its destination checks still ran */
	const struct finding *dv = finding_titled(&f, "version.destination", "ev_b: ");
	assert_non_null(dv);
	assert_int_not_equal(dv->severity, SEV_FAIL);
	const struct finding *gone = finding_titled(&f, "databases.missing", "database ev_gone");
	assert_non_null(gone);
	assert_int_equal(gone->severity, SEV_FAIL);
	findings_free(&f);
	be.done(be.ctx);
	plan_done(&p);
	free(dir);
}

static void schema_apply(const struct ui_backend *be, const struct plan *p, bool post, struct ui_schema *s)
{
	char err[400] = "";
	assert_true(be->schema_apply_start(be->ctx, p, post, err, sizeof err));
	double t0 = ct_now();
	do {
		ct_pause_ms(50);
		ui_schema_free(s);
		be->schema_poll(be->ctx, s);
	} while (!(post ? s->post_finished : s->finished) && ct_now() - t0 < LIMIT_S);
	assert_true(post ? s->post_finished : s->finished);
}

static void copy_run(const struct ui_backend *be, const struct plan *p, struct engine_snapshot *snap)
{
	char err[400] = "";
	assert_true(be->copy_start(be->ctx, p, METHOD_ENGINE, err, sizeof err));
	double t0 = ct_now();
	memset(snap, 0, sizeof *snap);
	do {
		ct_pause_ms(100);
		engine_snapshot_free(snap);
		be->copy_snapshot(be->ctx, snap);
	} while (!snap->finished && ct_now() - t0 < LIMIT_S);
	assert_true(snap->finished);
}

static const struct engine_table_stats *snap_row(const struct engine_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->ntables; i++)
		if (strcmp(s->tables[i].name, name) == 0)
			return &s->tables[i];
	for (size_t i = 0; i < s->ntables; i++)
		fprintf(stderr, "# pane %s\n", s->tables[i].name);
	fail_msg("no pane for %s", name);
	return NULL;
}

/* 8-14 over two databases of the source, the roles first (one database is
 * owned by a role only the source has), and one the source lacks. */
static void test_cluster_steps(void **state)
{
	(void)state;
	PGconn *s = tu_connect(TU_SRC, "postgres");
	tu_exec(s, "CREATE ROLE ui_owner LOGIN");
	PQfinish(s);
	tu_createdb(TU_SRC, "cl_a");
	tu_createdb(TU_SRC, "cl_b");
	s = tu_connect(TU_SRC, "postgres");
	tu_exec(s, "ALTER DATABASE cl_b OWNER TO ui_owner");
	PQfinish(s);
	s = tu_connect(TU_SRC, "cl_a");
	tu_exec(s, "CREATE TABLE t1 (id int PRIMARY KEY, v text);"
		   "INSERT INTO t1 SELECT g, md5(g::text) FROM generate_series(1, 200) g");
	PQfinish(s);
	s = tu_connect(TU_SRC, "cl_b");
	tu_exec(s, "CREATE TABLE t2 (id int PRIMARY KEY, n numeric);"
		   "INSERT INTO t2 SELECT g, g * 0.5 FROM generate_series(1, 300) g");
	PQfinish(s);
	char *dir = tu_tmpdir();
	struct plan p;
	plan_for(&p, dir, "cl_a");
	p.databases = strv_push(strv_push(strv_push(NULL, "cl_a"), "cl_b"), "cl_gone");
	struct ui_backend be;
	struct ui_schema sch = { 0 };
	char err[400] = "";
	ui_backend_core(&be, NULL);

	/* 8. the schema: the databases the destination lacks are created when
	 * it is applied, after the roles */
	assert_true(be.schema_load(be.ctx, &p, &sch, err, sizeof err));
	assert_int_equal(obj_row(&sch, "roles", "roles")->state, OBJ_PENDING);
	assert_int_equal(obj_row(&sch, "database", "cl_a")->state, OBJ_PENDING);
	const struct ui_object *gone = obj_row(&sch, "database", "cl_gone");
	assert_int_equal(gone->state, OBJ_FAILED);
	assert_non_null(strstr(gone->message, "no such database"));
	obj_row(&sch, "table", "cl_a: ");
	obj_row(&sch, "table", "cl_b: ");
	schema_apply(&be, &p, false, &sch);
	for (size_t i = 0; i < sch.n; i++)
		if (sch.objects[i].state != OBJ_OK)
			fprintf(stderr, "# %s %s: %s\n", sch.objects[i].kind, sch.objects[i].name, sch.objects[i].message);
	assert_int_equal(obj_row(&sch, "roles", "roles")->state, OBJ_OK);
	assert_int_equal(obj_row(&sch, "database", "cl_a")->state, OBJ_OK);
	assert_int_equal(obj_row(&sch, "database", "cl_b")->state, OBJ_OK);
	PGconn *d = tu_connect(TU_DST, "postgres");
	char *owner = tu_value(d, "SELECT r.rolname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba "
				  "WHERE d.datname = 'cl_b'");
	assert_string_equal(owner, "ui_owner");     /* the role came first */
	free(owner);
	PQfinish(d);
	for (size_t i = 0; i < sch.n; i++)
		if (strcmp(sch.objects[i].kind, "table") == 0 && !sch.objects[i].post_data)
			assert_int_equal(sch.objects[i].state, OBJ_OK);

	/* 10. the copy: every table of both, named with its database */
	struct engine_snapshot snap;
	copy_run(&be, &p, &snap);
	assert_int_equal(snap_row(&snap, "\"cl_a\".\"public\".\"t1\"")->state, TABLE_DONE);
	assert_int_equal(snap_row(&snap, "\"cl_b\".\"public\".\"t2\"")->state, TABLE_DONE);
	const struct engine_table_stats *g = snap_row(&snap, "\"cl_gone\" (database)");
	assert_int_equal(g->state, TABLE_FAILED);
	engine_snapshot_free(&snap);
	schema_apply(&be, &p, true, &sch);
	const char *const t1[] = { "t1", NULL }, *const t2[] = { "t2", NULL };
	ct_assert_identical("cl_a", "cl_a", t1);
	ct_assert_identical("cl_b", "cl_b", t2);

	/* 11. validation over both; the missing one named */
	struct ui_validation v = { 0 };
	assert_true(be.validate_start(be.ctx, &p, err, sizeof err));
	double t0 = ct_now();
	do {
		ct_pause_ms(50);
		ui_validation_free(&v);
		be.validate_poll(be.ctx, &v);
	} while (!v.finished && ct_now() - t0 < LIMIT_S);
	assert_true(v.finished);
	assert_int_equal(val_row(&v, "\"cl_a\".\"public\".\"t1\"")->state, VAL_OK);
	assert_int_equal(val_row(&v, "\"cl_b\".\"public\".\"t2\"")->src_rows, 300);
	assert_int_equal(val_row(&v, "\"cl_b\".\"public\".\"t2\"")->state, VAL_OK);
	assert_int_equal(val_row(&v, "\"cl_gone\" (database)")->state, VAL_ERROR);
	ui_validation_free(&v);

	/* 14. ANALYZE in both */
	struct ui_analyze an;
	assert_true(be.analyze_start(be.ctx, &p, err, sizeof err));
	t0 = ct_now();
	do {
		ct_pause_ms(50);
		be.analyze_poll(be.ctx, &an);
	} while (!an.finished && ct_now() - t0 < LIMIT_S);
	assert_true(an.finished);
	assert_int_equal(an.tables_total, 2);
	assert_int_equal(an.tables_done, 2);
	const char *const dbs[] = { "cl_a", "cl_b" };
	for (size_t i = 0; i < 2; i++) {
		d = tu_connect(TU_DST, dbs[i]);
		assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"), 1);
		PQfinish(d);
	}
	ui_schema_free(&sch);
	be.done(be.ctx);
	plan_done(&p);
	free(dir);
}

/* A database the destination cannot create (its owner is a role only the
 * source has, and the roles are not copied) is named with the reason; its
 * objects are not applied, and the other database goes on. */
static void test_cluster_create_fails(void **state)
{
	(void)state;
	PGconn *s = tu_connect(TU_SRC, "postgres");
	tu_exec(s, "CREATE ROLE ui_lonely LOGIN");
	PQfinish(s);
	tu_createdb(TU_SRC, "cf_ok");
	tu_createdb(TU_SRC, "cf_bad");
	s = tu_connect(TU_SRC, "postgres");
	tu_exec(s, "ALTER DATABASE cf_bad OWNER TO ui_lonely");
	PQfinish(s);
	const char *const names[] = { "cf_ok", "cf_bad" };
	for (size_t i = 0; i < 2; i++) {
		s = tu_connect(TU_SRC, names[i]);
		tu_exec(s, "CREATE TABLE t (id int PRIMARY KEY)");
		PQfinish(s);
	}
	char *dir = tu_tmpdir();
	struct plan p;
	plan_for(&p, dir, "cf_ok");
	p.roles = false;
	p.databases = strv_push(strv_push(NULL, "cf_bad"), "cf_ok");
	struct ui_backend be;
	struct ui_schema sch = { 0 };
	char err[400] = "";
	ui_backend_core(&be, NULL);
	assert_true(be.schema_load(be.ctx, &p, &sch, err, sizeof err));
	schema_apply(&be, &p, false, &sch);
	const struct ui_object *bad = obj_row(&sch, "database", "cf_bad");
	assert_int_equal(bad->state, OBJ_FAILED);
	assert_non_null(strstr(bad->message, "cf_bad"));
	assert_non_null(strstr(bad->message, "ui_lonely"));
	assert_int_equal(obj_row(&sch, "table", "cf_bad: ")->state, OBJ_SKIPPED);
	assert_int_equal(obj_row(&sch, "database", "cf_ok")->state, OBJ_OK);
	assert_int_equal(obj_row(&sch, "table", "cf_ok: ")->state, OBJ_OK);
	ui_schema_free(&sch);
	be.done(be.ctx);
	plan_done(&p);
	free(dir);
}

static const struct ui_biz_row *biz_row(const struct ui_bizcheck *b, const char *name)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->rows[i].name, name) == 0)
			return &b->rows[i];
	fail_msg("no business check row for %s", name);
	return NULL;
}

/* 12. The business check: one query matches, one differs, one fails on the
 * destination; a bad file is named with its line. */
static void test_bizcheck(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "bz");
	tu_createdb(TU_DST, "bz");
	const char *ddl = "CREATE TABLE orders (id int PRIMARY KEY, amount numeric);"
			  "INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 100) g;";
	PGconn *s = tu_connect(TU_SRC, "bz"), *d = tu_connect(TU_DST, "bz");
	tu_exec(s, ddl);
	tu_exec(d, ddl);
	tu_exec(d, "UPDATE orders SET amount = 0 WHERE id = 42");
	tu_exec(s, "CREATE FUNCTION region_of(int) RETURNS text LANGUAGE sql AS $$ SELECT 'north' $$");
	PQfinish(s);
	PQfinish(d);
	char *dir = tu_tmpdir();
	char *good = xasprintf("%s/app.sql", dir), *bad = xasprintf("%s/bad.sql", dir);
	tu_write_file(good, "-- name: order count\nSELECT count(*) FROM orders;\n"
			    "-- name: revenue\nSELECT sum(amount) FROM orders;\n"
			    "-- name: by region\nSELECT region_of(id), count(*) FROM orders GROUP BY 1;\n", 0644);
	tu_write_file(bad, "-- name: fine\nSELECT 1;\n-- name: broken\nSELECT 'unterminated FROM orders;\n", 0644);
	struct plan p;
	plan_for(&p, dir, "bz");
	struct ui_backend be;
	struct ui_bizcheck b = { 0 };
	char err[600] = "";
	ui_backend_core(&be, NULL);
	assert_false(be.bizcheck_start(be.ctx, &p, bad, err, sizeof err));
	char *where = xasprintf("%s:line 4", bad);
	if (!strstr(err, where))
		fail_msg("bad file: %s", err);
	free(where);
	p.business_queries = xstrdup(good);
	assert_true(be.bizcheck_start(be.ctx, &p, good, err, sizeof err));
	double t0 = ct_now();
	do {
		ct_pause_ms(50);
		ui_bizcheck_free(&b);
		be.bizcheck_poll(be.ctx, &b);
	} while (!b.finished && ct_now() - t0 < LIMIT_S);
	assert_true(b.finished);
	assert_string_equal(b.error, "");
	assert_int_equal(b.n, 3);
	const struct ui_biz_row *count = biz_row(&b, "order count");
	assert_int_equal(count->state, BIZQ_MATCH);
	assert_true(count->src_s >= 0 && count->dst_s >= 0);
	const struct ui_biz_row *rev = biz_row(&b, "revenue");
	assert_int_equal(rev->state, BIZQ_DIFFERS);
	assert_true(rev->detail[0] != '\0');
	const struct ui_biz_row *reg = biz_row(&b, "by region");
	assert_int_equal(reg->state, BIZQ_FAILED_DST);
	assert_true(reg->src_s >= 0);
	assert_true(reg->dst_s < 0);
	assert_non_null(strstr(reg->detail, "region_of"));
	ui_bizcheck_free(&b);
	be.done(be.ctx);
	plan_done(&p);
	free(good);
	free(bad);
	free(dir);
}

static void backfill_wait(const struct ui_backend *be, struct ui_backfill *b, bool run)
{
	double t0 = ct_now();
	do {
		ct_pause_ms(50);
		ui_backfill_free(b);
		be->backfill_poll(be->ctx, b);
	} while (!(run ? b->finished : b->detected) && ct_now() - t0 < LIMIT_S);
	assert_true(run ? b->finished : b->detected);
}

/* 13. Rows inserted on the source after the copy: found, backfilled with
 * live panes, validated; both tables end identical; then nothing to do. */
static void test_backfill(void **state)
{
	(void)state;
	const char *ddl = "CREATE TABLE events (id serial PRIMARY KEY, v text);"
			  "CREATE TABLE notes (note text, n int);";
	tu_createdb(TU_SRC, "bfw");
	tu_createdb(TU_DST, "bfw");
	PGconn *s = tu_connect(TU_SRC, "bfw"), *d = tu_connect(TU_DST, "bfw");
	tu_exec(s, ddl);
	tu_exec(d, ddl);
	tu_exec(s, "INSERT INTO events (v) SELECT md5(g::text) FROM generate_series(1, 3000) g;"
		   "INSERT INTO notes SELECT 'n' || g, g FROM generate_series(1, 100) g;");
	PQfinish(s);
	PQfinish(d);
	ct_wait_counted("bfw", "events", "inserted", 3000);
	ct_wait_counted("bfw", "notes", "inserted", 100);
	char *dir = tu_tmpdir();
	struct plan p;
	plan_for(&p, dir, "bfw");
	struct ui_backend be;
	struct ui_backfill b = { 0 };
	struct engine_snapshot snap;
	char err[400] = "";
	ui_backend_core(&be, NULL);
	copy_run(&be, &p, &snap);
	assert_int_equal(snap.tables_failed, 0);
	engine_snapshot_free(&snap);

	s = tu_connect(TU_SRC, "bfw");
	tu_exec(s, "INSERT INTO events (v) SELECT 'late' || g FROM generate_series(1, 250) g;"
		   "INSERT INTO notes SELECT 'late' || g, g FROM generate_series(1, 7) g;");
	PQfinish(s);
	ct_wait_counted("bfw", "events", "inserted", 3250);
	ct_wait_counted("bfw", "notes", "inserted", 107);

	assert_true(be.backfill_detect_start(be.ctx, &p, err, sizeof err));
	backfill_wait(&be, &b, false);
	assert_string_equal(b.error, "");
	assert_int_equal(b.n, 2);
	assert_true(b.checked >= 2);
	bool keyed = false, whole = false;
	for (size_t i = 0; i < b.n; i++) {
		if (strstr(b.rows[i].table, "events")) {
			keyed = !b.rows[i].whole && strstr(b.rows[i].how, "beyond id = 3000");
		} else if (strstr(b.rows[i].table, "notes")) {
			whole = b.rows[i].whole && strstr(b.rows[i].how, "whole");
		}
	}
	assert_true(keyed);
	assert_true(whole);

	assert_true(be.backfill_start(be.ctx, &p, err, sizeof err));
	backfill_wait(&be, &b, true);
	be.backfill_snapshot(be.ctx, &snap);
	assert_int_equal(snap.ntables, 2);
	assert_int_equal(snap.tables_done, 2);
	assert_true(snap.finished);
	engine_snapshot_free(&snap);
	assert_int_equal(b.rc, EXIT_OK);
	assert_true(b.validated);
	assert_int_equal(b.val.n, 2);
	for (size_t i = 0; i < b.val.n; i++)
		assert_int_equal(b.val.rows[i].state, VAL_OK);
	const char *const tables[] = { "events", "notes", NULL };
	ct_assert_identical("bfw", "bfw", tables);

	/* nothing written since: nothing to do */
	assert_true(be.backfill_detect_start(be.ctx, &p, err, sizeof err));
	backfill_wait(&be, &b, false);
	assert_string_equal(b.error, "");
	assert_int_equal(b.n, 0);
	ui_backfill_free(&b);
	be.done(be.ctx);
	plan_done(&p);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_databases_list), cmocka_unit_test(test_evaluation_every_database),
		cmocka_unit_test(test_cluster_steps),
		cmocka_unit_test(test_cluster_create_fails), cmocka_unit_test(test_bizcheck),
		cmocka_unit_test(test_backfill),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
