/* schema_dump: get the source's DDL from the ecosystem's own dump tool, and
 * read what the destination allows. */
#include "schema.h"
#include "db.h"
#include "exitcode.h"
#include "log.h"
#include "mem.h"
#include "ssh.h"
#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int schema_run_local(const char *const *argv, const char *const *extra_env, char **out, char **err_out)
{
	*out = NULL;
	*err_out = NULL;
	/* the child's environment: ours, minus what extra_env overrides, plus extra_env */
	char **env = NULL;
	for (char **e = environ; *e; e++) {
		bool overridden = false;
		for (size_t i = 0; extra_env && extra_env[i]; i++) {
			size_t n = strcspn(extra_env[i], "=") + 1;
			if (strncmp(*e, extra_env[i], n) == 0)
				overridden = true;
		}
		if (!overridden)
			env = strv_push(env, *e);
	}
	for (size_t i = 0; extra_env && extra_env[i]; i++)
		env = strv_push(env, extra_env[i]);

	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) != 0) {
		strv_free(env);
		return -1;
	}
	if (pipe2(pe, O_CLOEXEC) != 0) {
		close(po[0]);
		close(po[1]);
		strv_free(env);
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(po[0]); close(po[1]); close(pe[0]); close(pe[1]);
		strv_free(env);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0)
			dup2(nul, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execvpe(argv[0], (char *const *)argv, env);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/* wipe the copies of secrets in our own memory */
	for (size_t i = 0; env[i]; i++)
		for (size_t k = 0; extra_env && extra_env[k]; k++)
			if (strcmp(env[i], extra_env[k]) == 0)
				memset(env[i], 0, strlen(env[i]));
	strv_free(env);
	close(po[1]);
	close(pe[1]);
	struct strbuf so, se;
	strbuf_init(&so);
	strbuf_init(&se);
	struct pollfd fds[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
	int open_fds = 2;
	char buf[65536];
	while (open_fds > 0) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(fds[i].fd, buf, sizeof buf);
			if (n > 0) {
				strbuf_add(i == 0 ? &so : &se, buf, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	*out = strbuf_finish(&so);
	*err_out = strbuf_finish(&se);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* conninfo for the dump tool: everything but the password, values quoted. */
static void conninfo_add(struct strbuf *sb, const char *key, const char *val)
{
	if (!val || !val[0])
		return;
	strbuf_printf(sb, "%s%s='", sb->len ? " " : "", key);
	for (const char *p = val; *p; p++) {
		if (*p == '\'' || *p == '\\')
			strbuf_putc(sb, '\\');
		strbuf_putc(sb, *p);
	}
	strbuf_putc(sb, '\'');
}

static char *dump_conninfo(const struct endpoint *ep)
{
	struct strbuf sb;
	strbuf_init(&sb);
	char port[16];
	snprintf(port, sizeof port, "%d", ep->port);
	conninfo_add(&sb, "host", ep->host);
	conninfo_add(&sb, "port", ep->port > 0 ? port : NULL);
	conninfo_add(&sb, "user", ep->user);
	conninfo_add(&sb, "dbname", ep->dbname);
	conninfo_add(&sb, "sslmode", ep->sslmode);
	conninfo_add(&sb, "application_name", "gp2adb-dump");
	return strbuf_finish(&sb);
}

void schema_last_line(const char *text, char *buf, size_t size)
{
	size_t n = strlen(text);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
		n--;
	size_t start = n;
	while (start > 0 && text[start - 1] != '\n')
		start--;
	snprintf(buf, size, "%.*s", (int)(n - start), text + start);
}

/* A pgpass field: ':' and '\' escaped. */
static void pgpass_field(struct strbuf *sb, const char *v)
{
	for (; *v; v++) {
		if (*v == ':' || *v == '\\')
			strbuf_putc(sb, '\\');
		strbuf_putc(sb, *v);
	}
}

/* The stderr of a remote command on one line, for the error message. */
static void one_line(const struct strbuf *text, char *buf, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < text->len && n + 4 < size; i++) {
		char c = text->data[i];
		if (c == '\n') {
			if (i + 1 < text->len && n > 0) {
				memcpy(buf + n, " / ", 3);
				n += 3;
			}
		} else if (c != '\r') {
			buf[n++] = c;
		}
	}
	buf[n] = '\0';
}

/* The shell command that runs Greenplum's pg_dump on the master.  It connects
 * through the master's local socket (or the socket directory the source is
 * configured with) on the source's port as the source's user.  With a
 * password, its pgpass line arrives on stdin into a 0600 file that the
 * shell removes on exit: the password is never in an argument list. */
static char *remote_dump_command(const struct plan *p, bool with_password, const char *tool, const char *args)
{
	const struct endpoint *ep = &p->source;
	struct strbuf c;
	strbuf_init(&c);
	strbuf_puts(&c, "umask 077; ");
	if (with_password)
		strbuf_puts(&c, "f=$(mktemp \"${TMPDIR:-/tmp}/gp2adb-pgpass.XXXXXX\") || exit 125; "
			    "trap 'rm -f \"$f\"' EXIT; trap 'exit 129' HUP; trap 'exit 130' INT; "
			    "trap 'exit 143' TERM; cat >\"$f\" || exit 125; PGPASSFILE=$f; export PGPASSFILE; ");
	if (p->ssh.gphome) {
		char *q = ssh_shell_quote(p->ssh.gphome);
		strbuf_printf(&c, "GPHOME=%s; export GPHOME; ", q);
		free(q);
	}
	strbuf_puts(&c, "if [ ! -r \"${GPHOME:-/nonexistent}/greenplum_path.sh\" ]; then "
		    "echo \"no greenplum_path.sh in GPHOME (${GPHOME:-not set}): set ssh.gphome\" >&2; exit 126; fi; "
		    ". \"$GPHOME/greenplum_path.sh\" && ");
	strbuf_printf(&c, "\"$GPHOME/bin/%s\" %s", tool, args);
	if (ep->host && ep->host[0] == '/') {
		char *q = ssh_shell_quote(ep->host);
		strbuf_printf(&c, " -h %s", q);
		free(q);
	}
	if (ep->port > 0)
		strbuf_printf(&c, " -p %d", ep->port);
	if (ep->user && ep->user[0]) {
		char *q = ssh_shell_quote(ep->user);
		strbuf_printf(&c, " -U %s", q);
		free(q);
	}
	/* The database as the last argument: before 8.4, pg_dump's -d meant
	 * --inserts.  pg_dumpall finds its own (postgres, or template1). */
	if (strcmp(tool, "pg_dumpall") != 0) {
		char *q = ssh_shell_quote(ep->dbname);
		strbuf_printf(&c, " %s", q);
		free(q);
	}
	return strbuf_finish(&c);
}

/* Greenplum's own dump tool (pg_dump, pg_dumpall) run on the master over SSH. */
static bool dump_on_master(const struct plan *p, const struct flavor *src, const char *tool, const char *args,
			   char **ddl, int *code, char *err, size_t errsize)
{
	const char *host = p->ssh.master, *db = p->source.dbname;
	bool all = strcmp(tool, "pg_dumpall") == 0;
	if (!all && (!db || !db[0])) {
		snprintf(err, errsize, "source.dbname is not set: the master's pg_dump needs the database's name");
		*code = EXIT_USAGE;
		return false;
	}
	struct ssh_opts o;
	ssh_opts_from_plan(&o, &p->ssh);
	struct ssh_session *s = ssh_connect(&o, host, NULL, err, errsize);
	if (!s) {
		*code = EXIT_SSH;
		return false;
	}
	/* pg_dump reads the whole catalog before it writes a line: on a large
	 * cluster that takes minutes, so allow a long silence. */
	ssh_set_timeout(s, 3600 * 1000);
	const char *pw = p->source.password;
	struct strbuf pass;
	strbuf_init(&pass);
	if (pw) {
		strbuf_puts(&pass, "*:*:*:");
		if (p->source.user && p->source.user[0])
			pgpass_field(&pass, p->source.user);
		else
			strbuf_putc(&pass, '*');
		strbuf_putc(&pass, ':');
		pgpass_field(&pass, pw);
		strbuf_putc(&pass, '\n');
	}
	char *cmd = remote_dump_command(p, pw != NULL, tool, args);
	char shown[80];
	snprintf(shown, sizeof shown, "%s %s", tool, args);
	log_info("dumping the source %s on %s over SSH: Greenplum %s %s %s", all ? "globals" : "schema",
		 host, src->gp_version, shown, all ? "" : db);
	struct ssh_result r;
	ssh_result_init(&r);
	bool ok = ssh_exec(s, cmd, pw ? pass.data : NULL, pass.len, &r, err, errsize);
	mem_wipe_free(strbuf_finish(&pass));
	char line[600];
	one_line(&r.err, line, sizeof line);
	if (!ok) {
		*code = EXIT_SSH;
	} else if (r.status != 0) {
		snprintf(err, errsize, "%s: %s %s failed on the master (exit %d): %s", host,
			 shown, all ? "" : db, r.status, line[0] ? line : "no message");
		*code = EXIT_SSH;
		ok = false;
	} else if (r.out.len == 0) {
		snprintf(err, errsize, "%s: %s %s wrote nothing%s%s", host, shown, all ? "" : db,
			 line[0] ? ": " : "", line);
		*code = EXIT_SSH;
		ok = false;
	} else {
		if (line[0])
			log_warn("%s: pg_dump said: %s", host, line);
		*ddl = strbuf_steal(&r.out);
	}
	ssh_result_done(&r);
	free(cmd);
	ssh_close(s);
	return ok;
}

bool schema_dump_globals_on_master(const struct plan *p, const struct flavor *src, char **sql, int *code,
				   char *err, size_t errsize)
{
	return dump_on_master(p, src, "pg_dumpall", "--globals-only --gp-syntax", sql, code, err, errsize);
}

char *schema_dump_conninfo(const struct endpoint *ep)
{
	return dump_conninfo(ep);
}

bool schema_dump(const struct plan *p, const struct flavor *src, char **ddl, int *code,
		 char *err, size_t errsize)
{
	*ddl = NULL;
	*code = EXIT_USAGE;
	char *tool = NULL;
	/* Greenplum's own pg_dump knows DISTRIBUTED BY, partitions and storage
	 * options: use it where it is installed here, else run it on the master.
	 * ADB is dumped the same way when a master is configured. */
	bool gp = src->kind == FLAVOR_GREENPLUM || (src->kind == FLAVOR_ADB && p->ssh.master);
	if (gp) {
		/* ssh.gphome, or GPHOME as greenplum_path.sh sets it on a Greenplum
		 * host (where Greenplum's own tools find theirs) */
		const char *gphome = p->ssh.gphome ? p->ssh.gphome : getenv("GPHOME");
		char *local = gphome && gphome[0] ? xasprintf("%s/bin/pg_dump", gphome) : NULL;
		if (local && access(local, X_OK) == 0) {
			tool = local;
		} else if (p->ssh.master) {
			free(local);
			return dump_on_master(p, src, "pg_dump", "-s --gp-syntax", ddl, code, err, errsize);
		} else {
			free(local);
			snprintf(err, errsize,
				 "the source is Greenplum %s: its schema must be dumped with Greenplum's own "
				 "pg_dump, which is not installed here (no $GPHOME/bin/pg_dump: source "
				 "greenplum_path.sh or set ssh.gphome). Set ssh.master "
				 "(and the ssh keys) to run it on the master over SSH, or run there: "
				 "pg_dump -s --gp-syntax '%s' > schema.sql, copy the file here, and pass "
				 "--schema-file schema.sql",
				 src->gp_version, p->source.dbname ? p->source.dbname : "DBNAME");
			return false;
		}
	} else {
		tool = xstrdup("pg_dump");
	}
	char *conninfo = dump_conninfo(&p->source);
	const char *argv[16];
	int n = 0;
	argv[n++] = tool;
	argv[n++] = "--schema-only";
	if (gp) {
		argv[n++] = "--gp-syntax";
	} else {
		argv[n++] = "--no-tablespaces";
		argv[n++] = "--no-subscriptions";
	}
	argv[n++] = "--dbname";
	argv[n++] = conninfo;
	argv[n] = NULL;

	char *pw_env = p->source.password ? xasprintf("PGPASSWORD=%s", p->source.password) : NULL;
	const char *env[] = { pw_env, NULL };
	char *out = NULL, *errout = NULL;
	log_info("dumping the source schema: %s --schema-only%s (%s)", tool,
		 gp ? " --gp-syntax" : "", p->source.dbname ? p->source.dbname : "");
	int rc = schema_run_local(argv, pw_env ? env : NULL, &out, &errout);
	mem_wipe_free(pw_env);
	bool ok = rc == 0;
	if (rc < 0) {
		snprintf(err, errsize, "cannot run %s: %s", tool, strerror(errno));
	} else if (rc != 0) {
		char line[400];
		schema_last_line(errout, line, sizeof line);
		snprintf(err, errsize, "%s failed (exit %d): %s", tool, rc, line);
	} else {
		*ddl = out;
		out = NULL;
	}
	free(out);
	free(errout);
	free(conninfo);
	free(tool);
	return ok;
}

static char **column_strv(PGresult *res, int col)
{
	char **v = NULL;
	for (int i = 0; i < PQntuples(res); i++)
		v = strv_push(v, PQgetvalue(res, i, col));
	if (!v)
		v = xcalloc(1, sizeof *v);
	return v;
}

bool schema_dest_read(PGconn *dst, struct schema_dest *out, char *err, size_t errsize)
{
	memset(out, 0, sizeof *out);
	struct db_error e;
	char *version = NULL;
	if (!db_flavor(dst, &out->flavor, &version, &e))
		goto fail;
	free(version);
	PGresult *r = db_query(dst, "SELECT rolname, rolsuper AND rolname = current_user FROM pg_roles ORDER BY 1", 0, NULL, &e);
	if (!r)
		goto fail;
	out->roles = column_strv(r, 0);
	for (int i = 0; i < PQntuples(r); i++)
		if (strcmp(PQgetvalue(r, i, 1), "t") == 0)
			out->superuser = true;
	PQclear(r);
	r = db_query(dst, "SELECT name FROM pg_settings ORDER BY 1", 0, NULL, &e);
	if (!r)
		goto fail;
	out->settings = column_strv(r, 0);
	PQclear(r);
	r = db_query(dst,
		     "SELECT name FROM pg_settings\n"
		     " WHERE context IN ('internal', 'postmaster', 'sighup', 'superuser', 'superuser-backend')\n"
		     " ORDER BY 1", 0, NULL, &e);
	if (!r)
		goto fail;
	out->su_settings = column_strv(r, 0);
	PQclear(r);
	return true;
fail:
	snprintf(err, errsize, "reading the destination's roles and settings: %s: %s", e.sqlstate, e.message);
	schema_dest_done(out);
	return false;
}

void schema_dest_done(struct schema_dest *d)
{
	strv_free(d->roles);
	strv_free(d->settings);
	strv_free(d->su_settings);
	memset(d, 0, sizeof *d);
}
