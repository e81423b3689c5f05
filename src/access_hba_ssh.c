/* access: a pg_hba opening's host, reached over SSH only: the file resolved
 * through symlinks, the server reloaded as pg_ctl reload does (SIGHUP to the
 * pid in postmaster.pid), and the reload verified through the server's unix
 * socket on that host, so that nothing depends on the rule being removed. */
#include "access_hba.h"
#include "log.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ssh_session *hba_ssh_open(const struct plan *p, const struct access_opening *o)
{
	struct ssh_opts so;
	ssh_opts_from_plan(&so, &p->ssh);
	if (o->ssh_user)
		so.user = o->ssh_user;
	if (o->ssh_port)
		so.port = o->ssh_port;
	char err[1024];
	struct ssh_session *s = ssh_connect(&so, o->host ? o->host : "?", NULL, err, sizeof err);
	if (!s)
		log_error("%s (opening #%d was made there: it is undone there)", err, o->id);
	return s;
}

/* Run cmd; false (logged, naming what) on transport failure or non-zero exit. */
static bool run(struct ssh_session *s, const char *cmd, const char *what, struct ssh_result *r)
{
	char err[1024];
	if (!ssh_exec(s, cmd, NULL, 0, r, err, sizeof err)) {
		log_error("%s", err);
		return false;
	}
	if (r->status != 0) {
		log_error("%s: %s failed (exit %d): %.300s", ssh_host(s), what, r->status,
			  r->err.len ? r->err.data : r->out.data);
		return false;
	}
	return true;
}

char *hba_resolve(struct ssh_session *s, const char *path)
{
	char *q = ssh_shell_quote(path);
	char *cmd = xasprintf("readlink -f -- %s", q);
	struct ssh_result r;
	ssh_result_init(&r);
	char *target = NULL;
	if (run(s, cmd, "resolving the path of pg_hba.conf", &r)) {
		size_t n = strcspn(r.out.data, "\n");
		if (n && r.out.data[0] == '/')
			target = xstrndup(r.out.data, n);
		else
			log_error("%s: readlink -f %s gave no path", ssh_host(s), path);
	}
	ssh_result_done(&r);
	free(cmd);
	free(q);
	return target;
}

/* "1764493323.123456789" as microseconds. */
static bool epoch_us(const char *s, long long *us)
{
	char *end;
	long long sec = strtoll(s, &end, 10);
	if (end == s || sec <= 0)
		return false;
	long long frac = 0;
	int digits = 0;
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9'; end++)
			if (digits < 6) {
				frac = frac * 10 + (*end - '0');
				digits++;
			}
	for (; digits < 6; digits++)
		frac *= 10;
	*us = sec * 1000000 + frac;
	return true;
}

/* The value after "name " on a line of out, or NULL. */
static const char *field(const char *out, const char *name, char *buf, size_t size)
{
	size_t n = strlen(name);
	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, name, n) == 0 && l[n] == ' ') {
			snprintf(buf, size, "%.*s", (int)strcspn(l + n + 1, "\n"), l + n + 1);
			return buf;
		}
	return NULL;
}

/* SIGHUP to the postmaster of data_dir: what pg_ctl reload does, without
 * needing pg_ctl in the PATH (Debian keeps it elsewhere) or refusing root.
 * The process must be that directory's postmaster (its cwd), so a stale
 * postmaster.pid never gets an unrelated process signalled. */
static const char RELOAD[] =
	"dd=%s\n"
	"pf=\"$dd/postmaster.pid\"\n"
	"[ -f \"$pf\" ] || { echo notrunning; exit 0; }\n"
	"pid=$(head -n 1 \"$pf\")\n"
	"case \"$pid\" in ''|*[!0-9]*) echo \"$pf holds no pid\" >&2; exit 3;; esac\n"
	"[ -d \"/proc/$pid\" ] || { echo notrunning; exit 0; }\n"
	"cwd=$(readlink \"/proc/$pid/cwd\" 2>/dev/null)\n"
	"if [ -n \"$cwd\" ] && [ \"$cwd\" != \"$(cd \"$dd\" && pwd -P)\" ]; then\n"
	"  echo \"process $pid is not the server of $dd (a stale postmaster.pid?)\" >&2; exit 3\n"
	"fi\n"
	"t=$(date +%%s.%%N) && kill -HUP \"$pid\" && echo \"signalled $t\"\n";

/* The file's state and the server's last reload, read on the master: psql
 * through the unix socket, as the ssh user's own role, else as db_user. */
static const char CHECK[] =
	"f=%s\n"
	"m=$(date -r \"$f\" +%%s.%%N) && s=$(sha256sum < \"$f\") || exit 3\n"
	"echo \"mtime $m\"; echo \"sha ${s%%%% *}\"\n"
	"%s"
	"q() { PGCONNECT_TIMEOUT=10 PGAPPNAME=gp2adb psql -X -w -q -A -t %s -p %d -d %s \"$@\"; }\n"
	"t=$(q -c %s 2>/dev/null) || t=$(q -U %s -c %s) || exit 4\n"
	"echo \"load $t\"\n"
	"%s";
static const char LOAD_TIME[] = "SELECT extract(epoch FROM pg_conf_load_time())";
/* (PostgreSQL 10+) lines the server would reject: then it kept its old rules */
static const char HBA_ERRORS[] =
	"e=$(q -c 'SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL' 2>/dev/null || "
	"q -U %s -c 'SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL' 2>/dev/null) && "
	"echo \"hba_errors $e\"\n";

static char *check_command(const struct access_opening *o, const char *file)
{
	char *qf = ssh_shell_quote(file);
	char *qg = o->gphome ? ssh_shell_quote(o->gphome) : NULL;
	char *gp = qg ? xasprintf("GPHOME=%s; [ -f \"$GPHOME/greenplum_path.sh\" ] && . \"$GPHOME/greenplum_path.sh\"\n", qg)
		      : xstrdup("");
	char *qs = o->socket_dir && *o->socket_dir ? ssh_shell_quote(o->socket_dir) : NULL;
	char *host = qs ? xasprintf("-h %s", qs) : xstrdup("");
	char *qd = ssh_shell_quote(o->db_name ? o->db_name : "postgres");
	char *qu = ssh_shell_quote(o->db_user ? o->db_user : "postgres");
	char *qsql = ssh_shell_quote(LOAD_TIME);
	char *errs = o->server_num >= 100000 ? xasprintf(HBA_ERRORS, qu) : xstrdup("");
	char *cmd = xasprintf(CHECK, qf, gp, host, o->db_port ? o->db_port : 5432, qd, qsql, qu, qsql, errs);
	free(errs); free(qsql); free(qu); free(qd); free(host); free(qs); free(gp); free(qg); free(qf);
	return cmd;
}

enum check { CHECK_OK, CHECK_FAILED, CHECK_AGAIN };

/* One look at the file and the server's last reload (see CHECK). */
static enum check check_once(struct ssh_session *s, const struct access_opening *o, const char *cmd, const char *file,
			     const char *want_sha, long long signalled, struct strbuf *how)
{
	const char *host = ssh_host(s);
	struct ssh_result r;
	ssh_result_init(&r);
	char err[1024], buf[128], sha[80] = "", errs[32];
	enum check rc = CHECK_FAILED;
	long long mtime = 0, load = 0;
	if (!ssh_exec(s, cmd, NULL, 0, &r, err, sizeof err)) {
		log_error("%s", err);
		goto out;
	}
	bool have_mtime = field(r.out.data, "mtime", buf, sizeof buf) && epoch_us(buf, &mtime);
	field(r.out.data, "sha", sha, sizeof sha);
	if (r.status == 3 || !have_mtime) {
		log_error("%s: cannot read %s: %.300s", host, file, r.err.data);
		goto out;
	}
	if (strcmp(sha, want_sha) != 0) {
		log_error("%s: %s changed while gp2adb reloaded the server; check it by hand", host, file);
		goto out;
	}
	if (r.status == 4) {
		log_error("%s: cannot ask the server when it last read its files: psql through the socket "
			  "%s (port %d), as the ssh user's role or as %s: %.300s", host,
			  o->socket_dir && *o->socket_dir ? o->socket_dir : "(psql's default)", o->db_port,
			  o->db_user ? o->db_user : "postgres", r.err.len ? r.err.data : "no message");
		goto out;
	}
	const char *lt = field(r.out.data, "load", buf, sizeof buf);
	if (r.status != 0 || !lt) {
		log_error("%s: unexpected answer checking the reload (exit %d): %.300s", host, r.status,
			  r.err.len ? r.err.data : r.out.data);
		goto out;
	}
	if (!epoch_us(lt, &load)) {
		if (o->server_num >= 80400) {
			log_error("%s: unexpected load time '%.60s' from the server", host, lt);
			goto out;
		}
		/* before 8.4: no pg_conf_load_time() */
		strbuf_printf(how, "reload signalled; this server (before 8.4) cannot say when it re-read "
			      "its files, so that is not verified");
		rc = CHECK_OK;
		goto out;
	}
	if (load <= signalled || load <= mtime) {
		rc = CHECK_AGAIN;
		goto out;
	}
	if (field(r.out.data, "hba_errors", errs, sizeof errs) && atoi(errs) > 0) {
		log_error("%s: the server rejects %s line(s) of %s (see pg_hba_file_rules), so it kept its "
			  "previous rules", host, errs, file);
		goto out;
	}
	strbuf_printf(how, "reloaded and verified: the server re-read its files after the change");
	rc = CHECK_OK;
out:
	ssh_result_done(&r);
	return rc;
}

enum hba_reload hba_reload_verify(struct ssh_session *s, const struct access_opening *o, const char *want_sha,
				  struct strbuf *how)
{
	const char *host = ssh_host(s);
	const char *file = o->target ? o->target : o->path;
	if (!o->data_dir || !file) {
		log_error("opening #%d: the ledger does not say which server to reload", o->id);
		return HBA_FAILED;
	}
	char *qd = ssh_shell_quote(o->data_dir);
	char *cmd = xasprintf(RELOAD, qd);
	free(qd);
	struct ssh_result r;
	ssh_result_init(&r);
	bool ok = run(s, cmd, "signalling the server to reload", &r);
	free(cmd);
	char buf[128];
	long long signalled = 0;
	if (ok && strncmp(r.out.data, "notrunning", 10) == 0) {
		ssh_result_done(&r);
		strbuf_printf(how, "no server runs in %s on %s: nothing holds the rule in memory", o->data_dir, host);
		return HBA_NOT_RUNNING;
	}
	if (ok && (!field(r.out.data, "signalled", buf, sizeof buf) || !epoch_us(buf, &signalled))) {
		log_error("%s: unexpected answer to the reload: %.200s", host, r.out.data);
		ok = false;
	}
	ssh_result_done(&r);
	if (!ok)
		return HBA_FAILED;
	/* the postmaster reloads asynchronously: look again for up to 10 s */
	cmd = check_command(o, file);
	enum check c = CHECK_AGAIN;
	for (int i = 0; i < 100 && c == CHECK_AGAIN; i++) {
		if (i) {
			struct timespec ts = { 0, 100 * 1000000L };
			nanosleep(&ts, NULL);
		}
		c = check_once(s, o, cmd, file, want_sha, signalled, how);
	}
	free(cmd);
	if (c == CHECK_AGAIN)
		log_error("%s: the server in %s did not re-read its files within 10 s of the reload signal", host,
			  o->data_dir);
	return c == CHECK_OK ? HBA_RELOADED : HBA_FAILED;
}
