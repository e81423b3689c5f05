#include "oss.h"
#include "mem.h"
#include "sqllex.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *oss_file_name(const struct table *t)
{
	struct strbuf sb;
	strbuf_init(&sb);
	const char *parts[2] = { t->schema, t->name };
	for (int i = 0; i < 2; i++) {
		if (i)
			strbuf_putc(&sb, '.');
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) {
			if (isalnum(*p) || *p == '_')
				strbuf_putc(&sb, (char)*p);
			else
				strbuf_printf(&sb, "%%%02X", *p);
		}
	}
	return strbuf_finish(&sb);
}

char *oss_object_dir(const struct table *t, const struct oss_target *o)
{
	char *f = oss_file_name(t);
	const char *prefix = o->prefix && o->prefix[0] ? o->prefix : "gp2adb";
	size_t n = strlen(prefix);
	while (n > 0 && prefix[n - 1] == '/')
		n--;
	char *d = xasprintf("%.*s/%s/", (int)n, prefix, f);
	free(f);
	return d;
}

/* "a", "b": the columns that are copied (generated ones are computed again). */
static void column_list(struct strbuf *out, const struct table *t, bool with_types)
{
	bool first = true;
	for (size_t i = 0; i < t->ncols; i++) {
		if (t->cols[i].generated)
			continue;
		char *q = sql_quote_ident(t->cols[i].name);
		strbuf_printf(out, "%s%s", first ? "" : ", ", q);
		if (with_types)
			strbuf_printf(out, " %s", t->cols[i].type);
		free(q);
		first = false;
	}
}

static char *qualified(const struct table *t)
{
	char *s = sql_quote_ident(t->schema), *n = sql_quote_ident(t->name);
	char *r = xasprintf("%s.%s", s, n);
	free(s);
	free(n);
	return r;
}

/* An identifier of at most 63 bytes derived from a file name. */
static char *short_ident(const char *prefix, const char *fname)
{
	char *id = xasprintf("%s%s", prefix, fname);
	if (strlen(id) > 63) {
		unsigned long h = 5381;
		for (const char *p = fname; *p; p++)
			h = h * 33 + (unsigned char)*p;
		snprintf(id + 54, 10, "_%08lx", h & 0xffffffffUL);
	}
	return id;
}

void oss_export_sql(struct strbuf *out, const struct flavor *src, const struct table *t,
		    const struct oss_target *o)
{
	char *fname = oss_file_name(t);
	char *table = qualified(t);
	char *path;
	strbuf_printf(out, "-- %s\n", fname);      /* encoded: a name cannot end the comment */
	if (src->copy_on_segment) {
		/* one file per primary segment; <SEGID> becomes its content id */
		if (o->dir)
			path = xasprintf("%s/%s_<SEGID>.csv", o->dir, fname);
		else
			path = xasprintf("<SEG_DATA_DIR>/gp2adb_%s_<SEGID>.csv", fname);
		char *lit = sql_quote_literal(path);
		strbuf_printf(out, "COPY %s (", table);
		column_list(out, t, false);
		if (src->gp_major >= 6)
			strbuf_printf(out, ")\n  TO %s\n  WITH (FORMAT csv, ENCODING 'UTF8') ON SEGMENT;\n", lit);
		else
			strbuf_printf(out, ")\n  TO %s\n  WITH ON SEGMENT CSV;\n", lit);
		free(lit);
	} else if (src->mpp) {
		/* Greenplum 4.3: the segments write through a gpfdist */
		char *ext_name = short_ident("gp2adb_export_", t->name);
		char *ext_s = sql_quote_ident(t->schema), *ext_n = sql_quote_ident(ext_name);
		path = xasprintf("gpfdist://%s/%s.csv", o->gpfdist ? o->gpfdist : "GPFDIST_HOST:8000", fname);
		char *lit = sql_quote_literal(path);
		strbuf_printf(out, "CREATE WRITABLE EXTERNAL TABLE %s.%s (LIKE %s)\n"
			      "  LOCATION (%s) FORMAT 'CSV' ENCODING 'UTF8';\n"
			      "INSERT INTO %s.%s SELECT * FROM %s;\n"
			      "DROP EXTERNAL TABLE %s.%s;\n",
			      ext_s, ext_n, table, lit, ext_s, ext_n, table, ext_s, ext_n);
		free(lit);
		free(ext_s);
		free(ext_n);
		free(ext_name);
	} else {
		/* PostgreSQL: one file written by the server */
		path = xasprintf("%s/%s.csv", o->dir ? o->dir : "EXPORT_DIR", fname);
		char *lit = sql_quote_literal(path);
		strbuf_printf(out, "COPY %s (", table);
		column_list(out, t, false);
		strbuf_printf(out, ")\n  TO %s\n  WITH (FORMAT csv, ENCODING 'UTF8');\n", lit);
		free(lit);
	}
	free(path);
	free(table);
	free(fname);
}

void oss_import_sql(struct strbuf *out, const struct table *t, const struct oss_target *o)
{
	char *fname = oss_file_name(t);
	char *table = qualified(t);
	char *ft_name = short_ident("", fname);
	char *ft_q = sql_quote_ident(ft_name);
	char *dir = oss_object_dir(t, o);
	char *dir_lit = sql_quote_literal(dir);
	strbuf_printf(out, "-- %s from oss://%s/%s\nBEGIN;\n", fname, o->bucket ? o->bucket : "BUCKET", dir);
	strbuf_printf(out, "CREATE FOREIGN TABLE " OSS_SERVER ".%s (", ft_q);
	column_list(out, t, true);
	strbuf_printf(out, ")\n  SERVER " OSS_SERVER "\n"
		      "  OPTIONS (dir %s, format 'csv', encoding 'utf8');\n", dir_lit);
	if (o->truncate)
		strbuf_printf(out, "TRUNCATE %s;\n", table);
	strbuf_printf(out, "INSERT INTO %s (", table);
	column_list(out, t, false);
	strbuf_puts(out, ")\n  SELECT ");
	column_list(out, t, false);
	strbuf_printf(out, " FROM " OSS_SERVER ".%s;\n", ft_q);
	strbuf_printf(out, "DROP FOREIGN TABLE " OSS_SERVER ".%s;\nCOMMIT;\n", ft_q);
	free(dir_lit);
	free(dir);
	free(ft_q);
	free(ft_name);
	free(table);
	free(fname);
}

const char OSS_EXTENSION[] =
	"DO $gp2adb$\n"
	"BEGIN\n"
	"  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_data_wrapper WHERE fdwname = 'oss_fdw') THEN\n"
	"    CREATE EXTENSION oss_fdw;\n"
	"  END IF;\n"
	"END\n"
	"$gp2adb$;\n";

const char OSS_KEYFILE_TABLE[] =
	"CREATE TEMPORARY TABLE gp2adb_oss_keyfile (line text) ON COMMIT DROP;\n";

const char OSS_KEYFILE_COPY[] =
	"COPY pg_temp.gp2adb_oss_keyfile (line) FROM STDIN WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')";

const char OSS_KEYFILE_FORMAT[] = "WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')";

const char OSS_MAPPING[] =
	"DO $gp2adb$\n"
	"DECLARE\n"
	"  key_id text;\n"
	"  key_secret text;\n"
	"BEGIN\n"
	"  SELECT max(substring(line FROM '^[[:space:]]*id[[:space:]]*=[[:space:]]*(.*[^[:space:]])[[:space:]]*$')),\n"
	"         max(substring(line FROM '^[[:space:]]*key[[:space:]]*=[[:space:]]*(.*[^[:space:]])[[:space:]]*$'))\n"
	"    INTO key_id, key_secret\n"
	"    FROM pg_temp.gp2adb_oss_keyfile;\n"
	"  IF key_id IS NULL OR key_secret IS NULL THEN\n"
	"    RAISE EXCEPTION 'the AccessKey file needs both \"id = ...\" and \"key = ...\" lines';\n"
	"  END IF;\n"
	"  BEGIN\n"
	"    EXECUTE format('CREATE USER MAPPING FOR CURRENT_USER SERVER " OSS_SERVER " OPTIONS (id %L, key %L)',\n"
	"                   key_id, key_secret);\n"
	"  EXCEPTION WHEN OTHERS THEN\n"
	"    -- re-raised without the statement, which holds the key\n"
	"    RAISE EXCEPTION 'creating the user mapping of " OSS_SERVER ": %', SQLERRM USING ERRCODE = SQLSTATE;\n"
	"  END;\n"
	"END\n"
	"$gp2adb$;\n";

bool oss_server_sql(struct strbuf *out, const struct oss_target *o, const char *keyfile, char *err,
		    unsigned long errsize)
{
	const char *kf = keyfile ? keyfile : "KEYFILE";
	if (strpbrk(kf, "\n\r")) {
		snprintf(err, errsize, "the AccessKey file's path holds a line break, which psql's \\copy cannot "
			 "take: move the file");
		return false;
	}
	/* psql's \copy takes the file name in single quotes, a quote doubled */
	struct strbuf q;
	strbuf_init(&q);
	for (const char *c = kf; *c; c++) {
		if (*c == '\'')
			strbuf_putc(&q, '\'');
		strbuf_putc(&q, *c);
	}
	char *ep = sql_quote_literal(o->endpoint ? o->endpoint : "ENDPOINT");
	char *bucket = sql_quote_literal(o->bucket ? o->bucket : "BUCKET");
	strbuf_printf(out,
		"-- The oss_fdw server and the user mapping of the current user.  Run it with\n"
		"-- psql -v ON_ERROR_STOP=1 -f oss_server.sql.  psql reads the AccessKey file itself\n"
		"-- (\\copy) and sends its lines as COPY data: the key is neither in this file nor\n"
		"-- in the text of any statement (pg_stat_activity, the server log).  The key file\n"
		"-- has lines \"id = ...\" and \"key = ...\".\n"
		"%s"
		"CREATE SCHEMA IF NOT EXISTS " OSS_SERVER ";\n"
		"CREATE SERVER " OSS_SERVER " FOREIGN DATA WRAPPER oss_fdw\n"
		"  OPTIONS (endpoint %s, bucket %s);\n"
		"BEGIN;\n"
		"%s"
		"\\copy pg_temp.gp2adb_oss_keyfile (line) FROM '%s' %s\n"
		"%s"
		"COMMIT;\n",
		OSS_EXTENSION, ep, bucket, OSS_KEYFILE_TABLE, q.data, OSS_KEYFILE_FORMAT, OSS_MAPPING);
	strbuf_done(&q);
	free(ep);
	free(bucket);
	return true;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

bool oss_read_keyfile(const char *path, char **id, char **key, char *err, unsigned long errsize)
{
	*id = *key = NULL;
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return false;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		if (st.st_uid != geteuid())
			snprintf(err, errsize, "%s: holds an AccessKey but belongs to another user (uid %u); "
				 "refusing it", path, (unsigned)st.st_uid);
		else
			snprintf(err, errsize, "%s: holds an AccessKey but its permissions are %04o (readable "
				 "by group or others); refusing it. Run: chmod 600 %s",
				 path, (unsigned)(st.st_mode & 07777), path);
		fclose(f);
		return false;
	}
	char line[1024];
	int lineno = 0;
	bool ok = true;
	while (ok && fgets(line, sizeof line, f)) {
		lineno++;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errsize, "%s:%d: expected \"id = ...\" or \"key = ...\"", path, lineno);
			ok = false;
			break;
		}
		*eq = '\0';
		char *name = trim(s), *val = trim(eq + 1);
		if (strcmp(name, "id") == 0) {
			free(*id);
			*id = xstrdup(val);
		} else if (strcmp(name, "key") == 0) {
			mem_wipe_free(*key);
			*key = xstrdup(val);
		} else {
			snprintf(err, errsize, "%s:%d: unknown name '%s' (expected id or key)", path, lineno, name);
			ok = false;
		}
	}
	memset(line, 0, sizeof line);
	fclose(f);
	for (const char *v = ok && *key ? *key : ""; *v; v++)
		if ((unsigned char)*v < ' ' || *v == 0x7f) {
			snprintf(err, errsize, "%s: the key holds a control character", path);
			ok = false;
			break;
		}
	for (const char *v = ok && *id ? *id : ""; *v; v++)
		if ((unsigned char)*v < ' ' || *v == 0x7f) {
			snprintf(err, errsize, "%s: the id holds a control character", path);
			ok = false;
			break;
		}
	if (ok && (!*id || !*key || !**id || !**key)) {
		snprintf(err, errsize, "%s: needs both \"id = ...\" and \"key = ...\"", path);
		ok = false;
	}
	if (!ok) {
		free(*id);
		mem_wipe_free(*key);
		*id = *key = NULL;
	}
	return ok;
}
