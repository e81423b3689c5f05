/* gp2adb oss: the OSS foreign table path.  --generate DIR writes the SQL
 * (per table export.sql and import.sql, the server script and upload
 * instructions); --export runs the export on the source; --import runs the
 * import on the destination.  The upload is the operator's OSS tool's job. */
#include "catalog.h"
#include "cmd.h"
#include "db.h"
#include "exitcode.h"
#include "log.h"
#include "mem.h"
#include "oss.h"
#include "session.h"
#include "sqllex.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Connect and list the selected tables; prints the error and returns an exit code. */
static int open_side(const struct endpoint *ep, const char *role, const struct plan *p,
		     PGconn **conn, struct flavor *f, struct table_list *tables)
{
	struct db_error e;
	*conn = db_connect(ep, role, &e);
	if (!*conn) {
		char *where = db_endpoint_describe(ep);
		fprintf(stderr, "gp2adb: cannot connect to the %s (%s): %s\n", role, where, e.message);
		free(where);
		return EXIT_CONNECT;
	}
	/* the export and the import print and read values as the engine's
	 * sessions do (session.h) */
	if (!db_flavor(*conn, f, NULL, &e) || !session_pin(*conn, SESSION_COPY, NULL, NULL, &e) ||
	    !catalog_tables(*conn, f, p, tables, &e)) {
		fprintf(stderr, "gp2adb: %s: %s %s\n", role, e.sqlstate, e.message);
		PQfinish(*conn);
		*conn = NULL;
		return EXIT_CONNECT;
	}
	return EXIT_OK;
}

static bool write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool ok = f && fputs(text, f) >= 0;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "gp2adb: cannot write %s: %s\n", path, strerror(errno));
	return ok;
}

static int generate(struct cli *cli, const struct oss_target *o)
{
	const char *dir = cli->oss.generate;
	PGconn *conn;
	struct flavor f;
	struct table_list tl;
	int rc = open_side(&cli->plan.source, "source", &cli->plan, &conn, &f, &tl);
	if (rc != EXIT_OK)
		return rc;
	PQfinish(conn);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "gp2adb: cannot create %s: %s\n", dir, strerror(errno));
		catalog_tables_free(&tl);
		return EXIT_USAGE;
	}
	struct strbuf sb, upload;
	strbuf_init(&sb);
	strbuf_init(&upload);
	/* psql may run the script from another directory: name the key file absolutely */
	char *keyfile = NULL, err[300];
	if (cli->oss.keyfile && cli->oss.keyfile[0] != '/' && cli->oss.keyfile[0] != '~') {
		char cwd[4096];
		keyfile = getcwd(cwd, sizeof cwd) ? xasprintf("%s/%s", cwd, cli->oss.keyfile) : xstrdup(cli->oss.keyfile);
	} else if (cli->oss.keyfile) {
		keyfile = xstrdup(cli->oss.keyfile);
	}
	bool ok = oss_server_sql(&sb, o, keyfile, err, sizeof err);
	if (!ok)
		fprintf(stderr, "gp2adb: %s: %s\n", cli->oss.keyfile, err);
	free(keyfile);
	char *path = xasprintf("%s/oss_server.sql", dir);
	ok = ok && write_text(path, sb.data);
	free(path);
	strbuf_printf(&upload, "# Upload each table's export files into its OSS directory, then run\n"
		      "# oss_server.sql once and each import.sql with psql on the destination.\n");
	size_t n = 0;
	for (size_t i = 0; ok && i < tl.n; i++) {
		const struct table *t = &tl.items[i];
		if (!catalog_has_data(t))
			continue;
		char *fname = oss_file_name(t);
		char *tdir = xasprintf("%s/%s", dir, fname);
		if (mkdir(tdir, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "gp2adb: cannot create %s: %s\n", tdir, strerror(errno));
			ok = false;
		}
		strbuf_reset(&sb);
		/* psql runs it with the server's defaults: pin what changes the text */
		session_copy_sql(&sb, f.pg_num);
		oss_export_sql(&sb, &f, t, o);
		path = xasprintf("%s/export.sql", tdir);
		ok = ok && write_text(path, sb.data);
		free(path);
		strbuf_reset(&sb);
		oss_import_sql(&sb, t, o);
		path = xasprintf("%s/import.sql", tdir);
		ok = ok && write_text(path, sb.data);
		free(path);
		char *odir = oss_object_dir(t, o);
		strbuf_printf(&upload, "%s\t%s/%s%s*.csv\toss://%s/%s\n", fname,
			      o->dir ? o->dir : f.copy_on_segment ? "<SEG_DATA_DIR>" : "EXPORT_DIR",
			      f.copy_on_segment && !o->dir ? "gp2adb_" : "", fname,
			      o->bucket ? o->bucket : "BUCKET", odir);
		free(odir);
		free(tdir);
		free(fname);
		n++;
	}
	path = xasprintf("%s/upload.txt", dir);
	ok = ok && write_text(path, upload.data);
	free(path);
	strbuf_done(&sb);
	strbuf_done(&upload);
	catalog_tables_free(&tl);
	if (ok)
		printf("oss: wrote the export and import SQL of %zu tables into %s\n", n, dir);
	return ok ? EXIT_OK : EXIT_USAGE;
}

/* Run one table's script as one unit; returns the rows of its last INSERT
 * or COPY, -1 on failure (err filled, transaction rolled back). */
static long long run_script(PGconn *conn, const char *sql, struct db_error *err)
{
	struct sqlscript sc;
	long long rows = 0;
	if (!sqllex_split(sql, strlen(sql), true, &sc)) {
		memset(err, 0, sizeof *err);
		snprintf(err->message, sizeof err->message, "%s", sc.error);
		sqlscript_free(&sc);
		return -1;
	}
	for (size_t i = 0; i < sc.n && rows >= 0; i++) {
		char *stmt = xstrndup(sql + sc.items[i].start, sc.items[i].end - sc.items[i].start);
		PGresult *r = db_query(conn, stmt, 0, NULL, err);
		if (!r) {
			rows = -1;
			PQclear(PQexec(conn, "ROLLBACK"));
		} else if (PQcmdTuples(r)[0]) {
			rows = atoll(PQcmdTuples(r));
		}
		PQclear(r);
		free(stmt);
	}
	sqlscript_free(&sc);
	return rows;
}

static int run_tables(PGconn *conn, const struct flavor *f, const struct table_list *tl,
		      const struct oss_target *o, bool export)
{
	size_t failed = 0, done = 0;
	for (size_t i = 0; i < tl->n; i++) {
		const struct table *t = &tl->items[i];
		if (!catalog_has_data(t))
			continue;
		struct strbuf sb;
		strbuf_init(&sb);
		if (export)
			oss_export_sql(&sb, f, t, o);
		else
			oss_import_sql(&sb, t, o);
		struct db_error err;
		long long rows = run_script(conn, sb.data, &err);
		strbuf_done(&sb);
		if (rows < 0) {
			printf("  FAILED  %s.%s: %s: %s\n", t->schema, t->name, err.sqlstate, err.message);
			failed++;
			if (PQstatus(conn) == CONNECTION_BAD)
				return EXIT_CONNECT;
		} else {
			printf("  ok      %s.%s: %lld rows\n", t->schema, t->name, rows);
			done++;
		}
	}
	printf("oss %s: %zu tables done, %zu failed\n", export ? "export" : "import", done, failed);
	return failed ? EXIT_COPY_FAILED : EXIT_OK;
}

static int do_export(struct cli *cli, const struct oss_target *o)
{
	PGconn *conn;
	struct flavor f;
	struct table_list tl;
	int rc = open_side(&cli->plan.source, "source", &cli->plan, &conn, &f, &tl);
	if (rc != EXIT_OK)
		return rc;
	if (!f.mpp && !o->dir) {
		fprintf(stderr, "gp2adb: --export from PostgreSQL needs --oss-dir DIR: a directory on the "
			"source server's host that its server process can write\n");
		rc = EXIT_USAGE;
	} else if (f.mpp && !f.copy_on_segment && !o->gpfdist) {
		fprintf(stderr, "gp2adb: Greenplum %s has no COPY ON SEGMENT: start a gpfdist on a host the "
			"segments reach (gpfdist -d DIR -p 8000) and pass --gpfdist HOST:8000\n", f.gp_version);
		rc = EXIT_USAGE;
	} else {
		rc = run_tables(conn, &f, &tl, o, true);
	}
	PQfinish(conn);
	catalog_tables_free(&tl);
	return rc;
}

/* The current user's mapping, with the key as COPY data (see OSS_MAPPING):
 * in no statement's text, so neither pg_stat_activity nor a statement log
 * holds it. */
static bool mapping(PGconn *conn, const char *id, const char *key, struct db_error *e)
{
	if (!db_exec(conn, "BEGIN", e) || !db_exec(conn, OSS_KEYFILE_TABLE, e))
		return false;
	PGresult *r = PQexec(conn, OSS_KEYFILE_COPY);
	bool ok = PQresultStatus(r) == PGRES_COPY_IN;
	PQclear(r);
	if (ok) {
		char *lines = xasprintf("id = %s\nkey = %s\n", id, key);
		ok = PQputCopyData(conn, lines, (int)strlen(lines)) == 1;
		mem_wipe_free(lines);
		ok = PQputCopyEnd(conn, ok ? NULL : "gp2adb could not send the key file's lines") == 1 && ok;
		while ((r = PQgetResult(conn))) {
			ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
			PQclear(r);
		}
	}
	if (!ok) {
		memset(e, 0, sizeof *e);
		snprintf(e->message, sizeof e->message, "sending the key file's lines: %s", PQerrorMessage(conn));
	}
	ok = ok && db_exec(conn, OSS_MAPPING, e) && db_exec(conn, "COMMIT", e);
	if (!ok && PQstatus(conn) == CONNECTION_OK)
		PQclear(PQexec(conn, "ROLLBACK"));
	return ok;
}

static int do_import(struct cli *cli, const struct oss_target *o)
{
	char err[600];
	char *id = NULL, *key = NULL;
	if (!cli->oss.keyfile || !o->endpoint || !o->bucket) {
		fprintf(stderr, "gp2adb: --import needs --oss-endpoint, --oss-bucket and --oss-keyfile\n");
		return EXIT_USAGE;
	}
	if (!oss_read_keyfile(cli->oss.keyfile, &id, &key, err, sizeof err)) {
		fprintf(stderr, "gp2adb: %s\n", err);
		return EXIT_USAGE;
	}
	PGconn *conn;
	struct flavor f;
	struct table_list tl;
	int rc = open_side(&cli->plan.destination, "destination", &cli->plan, &conn, &f, &tl);
	if (rc != EXIT_OK) {
		free(id);
		mem_wipe_free(key);
		return rc;
	}
	char *ep = db_quote_literal(conn, o->endpoint), *bucket = db_quote_literal(conn, o->bucket);
	char *server = xasprintf(
		"%s"
		"CREATE SCHEMA IF NOT EXISTS " OSS_SERVER ";\n"
		"DROP SERVER IF EXISTS " OSS_SERVER " CASCADE;\n"
		"CREATE SERVER " OSS_SERVER " FOREIGN DATA WRAPPER oss_fdw OPTIONS (endpoint %s, bucket %s);\n",
		OSS_EXTENSION, ep, bucket);
	free(ep);
	free(bucket);
	struct db_error e;
	if (!db_exec(conn, server, &e) || !mapping(conn, id, key, &e)) {
		fprintf(stderr, "gp2adb: setting up the oss_fdw server on the destination: %s: %s\n",
			e.sqlstate, e.message);
		rc = PQstatus(conn) == CONNECTION_BAD ? EXIT_CONNECT : EXIT_COPY_FAILED;
	} else {
		rc = run_tables(conn, &f, &tl, o, false);
	}
	free(server);
	free(id);
	mem_wipe_free(key);
	PQfinish(conn);
	catalog_tables_free(&tl);
	return rc;
}

int cmd_oss(struct cli *cli)
{
	if (!cli->oss.generate && !cli->oss.export && !cli->oss.import) {
		fprintf(stderr, "gp2adb: oss needs --generate DIR, --export or --import (see gp2adb(1))\n");
		return EXIT_USAGE;
	}
	struct oss_target o = {
		.endpoint = cli->oss.endpoint, .bucket = cli->oss.bucket, .prefix = cli->oss.prefix,
		.dir = cli->oss.dir, .gpfdist = cli->oss.gpfdist,
		.truncate = cli->plan.mode != MODE_APPEND,
	};
	int rc = EXIT_OK;
	if (cli->oss.generate)
		rc = generate(cli, &o);
	if (rc == EXIT_OK && cli->oss.export)
		rc = do_export(cli, &o);
	if (rc == EXIT_OK && cli->oss.import)
		rc = do_import(cli, &o);
	return rc;
}
