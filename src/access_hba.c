/* access: pg_hba openings on the source master, made and undone over SSH. */
#include "access.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "ssh.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct hba_ctx {
	PGconn *conn;
	struct flavor fl;
	char *hba_file;
	char *data_dir;
	char *master;
	struct ssh_session *ssh;
};

static void hba_done(struct hba_ctx *c)
{
	if (c->conn)
		PQfinish(c->conn);
	ssh_close(c->ssh);
	free(c->hba_file);
	free(c->data_dir);
	free(c->master);
	memset(c, 0, sizeof *c);
}

static char *query_text(PGconn *conn, const char *sql, struct db_error *err)
{
	PGresult *r = db_query(conn, sql, 0, NULL, err);
	if (!r)
		return NULL;
	char *v = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? xstrdup(PQgetvalue(r, 0, 0)) : NULL;
	PQclear(r);
	if (!v)
		snprintf(err->message, sizeof err->message, "no value from: %s", sql);
	return v;
}

static enum access_failure hba_connect(const struct plan *p, struct hba_ctx *c)
{
	memset(c, 0, sizeof *c);
	struct db_error e;
	char etext[700];
	c->conn = db_connect(&p->source, "source", &e);
	if (!c->conn) {
		log_error("source: %s", db_error_text(&e, etext, sizeof etext));
		return ACCESS_FAIL_CONNECT;
	}
	char *version = NULL;
	if (!db_flavor(c->conn, &c->fl, &version, &e) ||
	    !(c->hba_file = query_text(c->conn, "SHOW hba_file", &e)) ||
	    !(c->data_dir = query_text(c->conn, "SHOW data_directory", &e))) {
		free(version);
		log_error("source: cannot find pg_hba.conf (a superuser can): %s",
			  db_error_text(&e, etext, sizeof etext));
		return ACCESS_FAIL_CONNECT;
	}
	free(version);
	if (p->ssh.master)
		c->master = xstrdup(p->ssh.master);
	else if (p->source.host && p->source.host[0] != '/')
		c->master = xstrdup(p->source.host);
	else {
		log_error("no master host to reach over SSH: set ssh.master in the configuration");
		return ACCESS_FAIL_OTHER;
	}
	struct ssh_opts o;
	char err[1024];
	ssh_opts_from_plan(&o, &p->ssh);
	c->ssh = ssh_connect(&o, c->master, NULL, err, sizeof err);
	if (!c->ssh) {
		log_error("%s", err);
		return ACCESS_FAIL_HOST;
	}
	return ACCESS_OK;
}

/* pg_conf_load_time() as seconds; false where the server has none (before 8.4). */
static bool load_time(struct hba_ctx *c, double *t)
{
	if (c->fl.pg_num < 80400)
		return false;
	struct db_error e;
	char *v = query_text(c->conn, "SELECT extract(epoch FROM pg_conf_load_time())", &e);
	if (!v)
		return false;
	*t = strtod(v, NULL);
	free(v);
	return true;
}

/* The server reloads its files (the postmaster, asynchronously). */
static bool reload_conf(struct hba_ctx *c)
{
	struct db_error e;
	char etext[700];
	char *v = query_text(c->conn, "SELECT pg_reload_conf()", &e);
	bool ok = v && strcmp(v, "t") == 0;
	free(v);
	if (!ok)
		log_error("source: pg_reload_conf() failed: %s", db_error_text(&e, etext, sizeof etext));
	return ok;
}

/* Greenplum's gpstop -u on the master host: reloads the master's and the
 * segments' files.  false with the reason in why. */
static bool gpstop_reload(const struct plan *p, struct hba_ctx *c, char *why, size_t size)
{
	char *qd = ssh_shell_quote(c->data_dir);
	char *qg = p->ssh.gphome ? ssh_shell_quote(p->ssh.gphome) : NULL;
	char *cmd = xasprintf("%s%s%s. \"$GPHOME/greenplum_path.sh\" && MASTER_DATA_DIRECTORY=%s "
			      "gpstop -u -a -d %s", qg ? "GPHOME=" : "", qg ? qg : "", qg ? "; " : "", qd, qd);
	struct ssh_result r;
	ssh_result_init(&r);
	char err[1024];
	bool ok = ssh_exec(c->ssh, cmd, NULL, 0, &r, err, sizeof err);
	if (ok && r.status != 0) {
		char out[301];
		snprintf(out, sizeof out, "%s", r.err.len ? r.err.data : r.out.data ? r.out.data : "");
		out[strcspn(out, "\n")] = '\0';
		snprintf(why, size, "exit %d: %s", r.status, out);
		ok = false;
	} else if (!ok) {
		snprintf(why, size, "%.300s", err);
	}
	ssh_result_done(&r);
	free(cmd);
	free(qd);
	free(qg);
	return ok;
}

/* Reload the server's configuration and verify that it did. */
static bool hba_reload(const struct plan *p, struct hba_ctx *c)
{
	double before = 0, after = 0;
	bool timed = load_time(c, &before);
	struct db_error e;
	char etext[700];
	if (c->fl.mpp) {
		char why[400];
		if (!gpstop_reload(p, c, why, sizeof why)) {
			/* gpstop is a Python 2 program that needs Greenplum's
			 * environment for the SSH user; only the master's file
			 * changed, and the master reloads it on pg_reload_conf() */
			log_warn("%s: gpstop -u could not reload the configuration (%s); reloading the master "
				 "with pg_reload_conf() instead", c->master, why);
			if (!reload_conf(c))
				return false;
		}
	} else if (!reload_conf(c)) {
		return false;
	}
	if (timed) {
		/* The postmaster reloads asynchronously; poll its load time (at most 10 s). */
		for (int i = 0; i < 200 && load_time(c, &after) && after <= before; i++) {
			struct timespec ts = { 0, 50 * 1000000L };
			nanosleep(&ts, NULL);
		}
		if (after <= before) {
			log_error("source: the server did not reload its configuration (pg_conf_load_time unchanged)");
			return false;
		}
	}
	/* A session sees the reload when the postmaster signals its children,
	 * which it does before it re-reads pg_hba.conf itself.  A new connection
	 * is forked only after the postmaster has finished reloading, so once one
	 * has been made, every later connection is checked against the new file. */
	PGconn *fresh = db_connect(&p->source, "reload-check", &e);
	if (!fresh) {
		log_error("source: no new connection after the reload: %s", db_error_text(&e, etext, sizeof etext));
		return false;
	}
	PQfinish(fresh);
	if (c->fl.pg_num >= 100000) {
		PGresult *r = db_query(c->conn, "SELECT line_number, error FROM pg_hba_file_rules "
				       "WHERE error IS NOT NULL ORDER BY line_number", 0, NULL, &e);
		if (r && PQntuples(r) > 0) {
			log_error("source: %s line %s: %s", c->hba_file, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
			PQclear(r);
			return false;
		}
		if (r)
			PQclear(r);
		else
			log_debug("source: cannot read pg_hba_file_rules: %s", db_error_text(&e, etext, sizeof etext));
	}
	return true;
}

/* Write content to the file (keeping owner and mode), reload, verify. */
static bool hba_put(const struct plan *p, struct hba_ctx *c, const char *path, const char *content, size_t len)
{
	char err[1024], want[65], got[65];
	bool exists = false;
	if (!ssh_upload(c->ssh, content, len, path, 0, path, err, sizeof err) ||
	    !ssh_file_sha256(c->ssh, path, got, &exists, err, sizeof err)) {
		log_error("%s", err);
		return false;
	}
	journal_sha256_hex(content, len, want);
	if (strcmp(want, got) != 0) {
		log_error("%s:%s changed while gp2adb wrote it; check it by hand", c->master, path);
		return false;
	}
	return hba_reload(p, c);
}

static char *hba_rule(const char *user, const char *cidr)
{
	bool plain = *user != '\0';
	for (const char *u = user; *u; u++)
		if (!islower((unsigned char)*u) && !isdigit((unsigned char)*u) && *u != '_')
			plain = false;
	return plain ? xasprintf("host    all    %s    %s    md5", user, cidr)
		     : xasprintf("host    all    \"%s\"    %s    md5", user, cidr);
}

enum access_failure access_open_pg_hba(const struct plan *p, const char *cidr, int *id)
{
	if (!access_cidr_valid(cidr)) {
		log_error("'%s' is not an address range: give one like 10.1.2.0/24 or 192.0.2.7/32", cidr);
		return ACCESS_FAIL_OTHER;
	}
	struct journal j;
	struct access_ledger l;
	struct hba_ctx c;
	if (!access_ledger_begin(p, &j, &l))
		return ACCESS_FAIL_OTHER;
	enum access_failure rc = hba_connect(p, &c);
	struct strbuf orig;
	strbuf_init(&orig);
	char err[1024];
	char *appended = NULL, *newtext = NULL, *backup = NULL;
	struct access_opening o = { 0 };
	if (rc != ACCESS_OK)
		goto out;
	rc = ACCESS_FAIL_HOST;
	if (!ssh_read_file(c.ssh, c.hba_file, &orig, err, sizeof err)) {
		log_error("%s", err);
		goto out;
	}
	const char *pquser = PQuser(c.conn);
	if (strchr(pquser, '"')) {
		log_error("the source user name %s holds a double quote; pg_hba.conf cannot name it", pquser);
		rc = ACCESS_FAIL_OTHER;
		goto out;
	}
	o.id = access_ledger_next_id(&l);
	char *rule = hba_rule(pquser, cidr);
	appended = xasprintf("%s# gp2adb %s opening %d: for the migration; 'gp2adb restore-access' removes it\n"
			     "%s    # gp2adb %s #%d\n",
			     orig.len && orig.data[orig.len - 1] != '\n' ? "\n" : "", j.id, o.id, rule, j.id, o.id);
	free(rule);
	newtext = xasprintf("%s%s", orig.data, appended);
	char before[65], after[65];
	journal_sha256_hex(orig.data, orig.len, before);
	journal_sha256_hex(newtext, strlen(newtext), after);
	backup = xasprintf("pg_hba-%d.orig", o.id);
	o.kind = ACCESS_PG_HBA;
	o.host = c.master;
	o.path = c.hba_file;
	o.cidr = (char *)cidr;
	o.what = appended;
	o.sha_before = before;
	o.sha_after = after;
	if (!journal_write_atomic(&j, backup, orig.data, orig.len) ||
	    !access_record(&j, &l, &o, ACCESS_INTENT, NULL)) {
		rc = ACCESS_FAIL_OTHER;
		goto out;
	}
	/* A copy beside the file, for whoever looks at the master by hand. */
	char *qp = ssh_shell_quote(c.hba_file);
	char *cmd = xasprintf("cp -p %s %s.gp2adb-%s-%d.bak", qp, qp, j.id, o.id);
	struct ssh_result r;
	ssh_result_init(&r);
	bool ok = ssh_exec(c.ssh, cmd, NULL, 0, &r, err, sizeof err) && r.status == 0;
	if (!ok)
		log_error("%s: cannot back up %s: %.300s", c.master, c.hba_file, r.status > 0 ? r.err.data : err);
	ssh_result_done(&r);
	free(cmd);
	free(qp);
	if (!ok) {
		access_record(&j, &l, &o, ACCESS_CANCELLED, "the backup failed; nothing was changed");
		goto out;
	}
	if (!hba_put(p, &c, c.hba_file, newtext, strlen(newtext))) {
		log_error("putting %s back as it was", c.hba_file);
		if (hba_put(p, &c, c.hba_file, orig.data, orig.len))
			access_record(&j, &l, &o, ACCESS_RESTORED, "opening failed; the file was put back");
		goto out;
	}
	if (!access_record(&j, &l, &o, ACCESS_DONE, NULL)) {
		rc = ACCESS_FAIL_OTHER;
		goto out;
	}
	log_info("%s: appended to %s and reloaded: %s", c.master, c.hba_file, cidr);
	access_crash_point("after-open");
	if (id)
		*id = o.id;
	rc = ACCESS_OK;
out:
	strbuf_done(&orig);
	free(appended);
	free(newtext);
	free(backup);
	hba_done(&c);
	access_ledger_done(&l);
	journal_close(&j);
	return rc;
}

/* The text to put back: the saved original when the file is as gp2adb left
 * it, else the current text without gp2adb's lines.  NULL: nothing to do. */
static char *restore_target(const struct journal *j, const struct access_opening *o, const struct strbuf *cur,
			    const char **note)
{
	char sha[65];
	journal_sha256_hex(cur->data, cur->len, sha);
	if (o->sha_before && strcmp(sha, o->sha_before) == 0) {
		*note = "the file already held its original bytes";
		return NULL;
	}
	if (o->sha_after && strcmp(sha, o->sha_after) == 0) {
		char *name = xasprintf("pg_hba-%d.orig", o->id);
		char *saved = NULL;
		size_t len = 0;
		bool have = journal_read(j, name, &saved, &len);
		free(name);
		if (have) {
			journal_sha256_hex(saved, len, sha);
			if (o->sha_before && strcmp(sha, o->sha_before) == 0) {
				*note = "original bytes put back";
				return saved;
			}
			log_warn("the saved copy of %s does not match its recorded checksum; removing gp2adb's lines instead",
				 o->path);
			free(saved);
		}
	}
	const char *at = o->what ? strstr(cur->data, o->what) : NULL;
	if (!at) {
		*note = "gp2adb's lines were no longer in the file";
		return NULL;
	}
	*note = "the file had changed since the opening: only gp2adb's lines were removed";
	size_t wl = strlen(o->what);
	return xasprintf("%.*s%s", (int)(at - cur->data), cur->data, at + wl);
}

enum access_failure access_restore_pg_hba(const struct plan *p, int id)
{
	struct journal j;
	struct access_ledger l;
	if (!access_ledger_begin(p, &j, &l))
		return ACCESS_FAIL_OTHER;
	struct access_opening *found = access_ledger_find(&l, id);
	if (!found || found->kind != ACCESS_PG_HBA) {
		log_error("no pg_hba opening #%d in the ledger of migration %s", id, j.id);
		access_ledger_done(&l);
		journal_close(&j);
		return ACCESS_FAIL_OTHER;
	}
	if (!access_outstanding(found)) {
		access_ledger_done(&l);
		journal_close(&j);
		return ACCESS_OK;
	}
	struct hba_ctx c;
	struct strbuf cur;
	strbuf_init(&cur);
	char err[1024];
	char *target = NULL;
	enum access_failure rc = hba_connect(p, &c);
	if (rc != ACCESS_OK)
		goto out;
	rc = ACCESS_FAIL_HOST;
	if (strcmp(c.master, found->host) != 0)
		log_warn("opening #%d was made on %s, and ssh.master is now %s", id, found->host, c.master);
	if (!ssh_read_file(c.ssh, found->path, &cur, err, sizeof err)) {
		log_error("%s", err);
		goto out;
	}
	const char *note = NULL;
	target = restore_target(&j, found, &cur, &note);
	if (target) {
		if (!hba_put(p, &c, found->path, target, strlen(target)))
			goto out;
		log_info("%s: %s: %s; reloaded", c.master, found->path, note);
	} else {
		log_info("%s: %s: %s", c.master, found->path, note);
	}
	struct access_opening copy = *found;
	rc = access_record(&j, &l, &copy, ACCESS_RESTORED, note) ? ACCESS_OK : ACCESS_FAIL_OTHER;
out:
	free(target);
	strbuf_done(&cur);
	hba_done(&c);
	access_ledger_done(&l);
	journal_close(&j);
	return rc;
}
