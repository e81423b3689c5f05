/* access: pg_hba openings on the source master, made and undone over SSH.
 * Opening asks the server (a database connection) where its files are;
 * closing needs SSH only, to the host where the opening was made.  Each step
 * is recorded before the next is taken, so a kill at any instant leaves the
 * opening listed (GP2ADB_CRASH_AT names the steps). */
#include "access_hba.h"
#include "db.h"
#include "log.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the server says about itself, for the ledger. */
struct hba_server {
	char *hba_file, *data_dir, *socket_dir, *user, *dbname;
	int port, server_num;
	bool mpp;
};

static void server_done(struct hba_server *s)
{
	free(s->hba_file);
	free(s->data_dir);
	free(s->socket_dir);
	free(s->user);
	free(s->dbname);
	memset(s, 0, sizeof *s);
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

/* Ask the source where its files, socket and port are (quiet: a failure
 * is only debug detail). */
static enum access_failure server_facts(const struct plan *p, struct hba_server *sv, bool quiet)
{
	memset(sv, 0, sizeof *sv);
	struct db_error e;
	char etext[700];
	PGconn *conn = db_connect(&p->source, "source", &e);
	if (!conn) {
		log_msg(quiet ? LOG_DEBUG : LOG_ERROR, "source: %s", db_error_text(&e, etext, sizeof etext));
		return ACCESS_FAIL_CONNECT;
	}
	struct flavor fl;
	char *version = NULL, *port = NULL;
	bool ok = db_flavor(conn, &fl, &version, &e) &&
		  (sv->hba_file = query_text(conn, "SHOW hba_file", &e)) &&
		  (sv->data_dir = query_text(conn, "SHOW data_directory", &e)) &&
		  (port = query_text(conn, "SHOW port", &e));
	if (ok) {
		/* a socket directory for psql on the master ("": psql's default) */
		char *dirs = query_text(conn, fl.pg_num >= 90300 ? "SHOW unix_socket_directories"
								 : "SHOW unix_socket_directory", &e);
		if (dirs) {
			size_t n = strcspn(dirs, ",");
			while (n && dirs[n - 1] == ' ')
				n--;
			sv->socket_dir = dirs[0] == '@' ? xstrdup("") : xstrndup(dirs, n);
			free(dirs);
		} else {
			sv->socket_dir = xstrdup("");
		}
		sv->port = atoi(port);
		sv->server_num = fl.pg_num;
		sv->mpp = fl.mpp;
		sv->user = xstrdup(PQuser(conn));
		sv->dbname = xstrdup(PQdb(conn));
	}
	free(port);
	free(version);
	PQfinish(conn);
	if (!ok) {
		log_msg(quiet ? LOG_DEBUG : LOG_ERROR, "source: cannot find pg_hba.conf (a superuser can): %s",
						db_error_text(&e, etext, sizeof etext));
		server_done(sv);
		return ACCESS_FAIL_CONNECT;
	}
	return ACCESS_OK;
}

/* Write content to file (owner and mode kept by the upload) and check it arrived. */
static bool hba_put(struct ssh_session *s, const char *file, const char *content, size_t len)
{
	char err[1024], want[65], got[65];
	bool exists = false;
	if (!ssh_upload(s, content, len, file, 0, file, err, sizeof err) ||
	    !ssh_file_sha256(s, file, got, &exists, err, sizeof err)) {
		log_error("%s", err);
		return false;
	}
	journal_sha256_hex(content, len, want);
	if (strcmp(want, got) != 0) {
		log_error("%s:%s changed while gp2adb wrote it; check it by hand", ssh_host(s), file);
		return false;
	}
	return true;
}

/* Reloaded and verified.  A server that is not running holds no rule: fine
 * when closing, a failure when opening. */
static bool reloaded(struct ssh_session *s, const struct access_opening *o, const char *sha, struct strbuf *how,
		     bool closing)
{
	enum hba_reload r = hba_reload_verify(s, o, sha, how);
	if (r == HBA_NOT_RUNNING && !closing)
		log_error("%s: %s", ssh_host(s), how->data);
	return r == HBA_RELOADED || (r == HBA_NOT_RUNNING && closing);
}

enum access_failure access_open_pg_hba(const struct plan *p, const char *cidr, int *id)
{
	if (!access_cidr_valid(cidr)) {
		log_error("'%s' is not an address range: give one like 10.1.2.0/24 or 192.0.2.7/32", cidr);
		return ACCESS_FAIL_OTHER;
	}
	struct journal j;
	struct access_ledger l;
	if (!access_ledger_begin(p, &j, &l))
		return ACCESS_FAIL_OTHER;
	struct hba_server sv;
	struct access_opening o = { 0 };
	struct strbuf orig, how;
	strbuf_init(&orig);
	strbuf_init(&how);
	struct ssh_session *s = NULL;
	char err[1024], before[65], after[65];
	char *mid = journal_migration_id(p), *newtext = NULL, *rule = NULL, *target = NULL;
	enum access_failure rc = server_facts(p, &sv, false);
	if (rc != ACCESS_OK)
		goto out;
	rc = ACCESS_FAIL_OTHER;
	if (strchr(sv.user, '"')) {
		log_error("the source user name %s holds a double quote; pg_hba.conf cannot name it", sv.user);
		goto out;
	}
	o.kind = ACCESS_PG_HBA;
	o.by_gp2adb = true;
	o.id = access_ledger_next_id(&l);
	o.migration = mid;
	o.host = p->ssh.master ? p->ssh.master : p->source.host && p->source.host[0] != '/' ? p->source.host : NULL;
	if (!o.host) {
		log_error("no master host to reach over SSH: set ssh.master in the configuration");
		goto out;
	}
	o.ssh_user = p->ssh.user ? p->ssh.user : getenv("USER");
	o.ssh_port = p->ssh.port > 0 ? p->ssh.port : 22;
	rc = ACCESS_FAIL_HOST;
	if (!(s = hba_ssh_open(p, &o)) || !(target = hba_resolve(s, sv.hba_file)))
		goto out;
	if (!ssh_read_file(s, target, &orig, err, sizeof err)) {
		log_error("%s", err);
		goto out;
	}
	rule = hba_rule_line(sv.user, cidr);
	char *appended = hba_appended(orig.data, orig.len, mid, o.id, rule);
	newtext = xasprintf("%s%s", orig.data, appended);
	journal_sha256_hex(orig.data, orig.len, before);
	journal_sha256_hex(newtext, strlen(newtext), after);
	char *backup_name = xasprintf("pg_hba-%d.orig", o.id);
	o.path = sv.hba_file;
	o.target = target;
	o.data_dir = sv.data_dir;
	o.socket_dir = sv.socket_dir;
	o.db_port = sv.port;
	o.db_user = sv.user;
	o.db_name = sv.dbname;
	o.server_num = sv.server_num;
	o.gphome = sv.mpp ? p->ssh.gphome : NULL;
	o.backup = journal_path(&j, backup_name);
	o.cidr = (char *)cidr;
	o.what = appended;
	o.sha_before = before;
	o.sha_after = after;
	rc = ACCESS_FAIL_OTHER;
	bool ok = journal_write_atomic(&j, backup_name, orig.data, orig.len) &&
		  access_record(&j, &l, &o, ACCESS_INTENT, NULL);
	free(backup_name);
	if (!ok)
		goto out;
	access_crash_point("open-intent");
	/* A copy beside the file, for whoever looks at the master by hand. */
	rc = ACCESS_FAIL_HOST;
	char *qt = ssh_shell_quote(target);
	char *cmd = xasprintf("cp -p %s %s.gp2adb-%s-%d.bak", qt, qt, mid, o.id);
	struct ssh_result r;
	ssh_result_init(&r);
	ok = ssh_exec(s, cmd, NULL, 0, &r, err, sizeof err) && r.status == 0;
	if (!ok)
		log_error("%s: cannot back up %s: %.300s", o.host, target, r.status > 0 ? r.err.data : err);
	ssh_result_done(&r);
	free(cmd);
	free(qt);
	if (!ok) {
		access_record(&j, &l, &o, ACCESS_CANCELLED, "the backup failed; nothing was changed");
		goto out;
	}
	ok = hba_put(s, target, newtext, strlen(newtext));
	if (ok)
		access_crash_point("open-written");
	if (!ok || !reloaded(s, &o, after, &how, false)) {
		log_error("putting %s back as it was", target);
		strbuf_reset(&how);
		if (hba_put(s, target, orig.data, orig.len) && reloaded(s, &o, before, &how, true))
			access_record(&j, &l, &o, ACCESS_RESTORED, "opening failed; the file was put back and reloaded");
		goto out;
	}
	access_crash_point("open-reloaded");
	if (!access_record(&j, &l, &o, ACCESS_DONE, how.data)) {
		rc = ACCESS_FAIL_OTHER;
		goto out;
	}
	access_crash_point("open-done");
	log_info("%s: appended to %s and %s: %s", o.host, target, how.data, cidr);
	if (id)
		*id = o.id;
	rc = ACCESS_OK;
out:
	free(o.what);
	free(o.backup);
	strbuf_done(&orig);
	strbuf_done(&how);
	free(newtext);
	free(rule);
	free(target);
	free(mid);
	ssh_close(s);
	server_done(&sv);
	access_ledger_done(&l);
	journal_close(&j);
	return rc;
}

/* Openings recorded by older versions say less about where they were made:
 * ask the server when it answers, else take the file's directory. */
static void fill_older(const struct plan *p, struct access_opening *o)
{
	if (o->data_dir)
		return;
	struct hba_server sv;
	if (server_facts(p, &sv, true) == ACCESS_OK && o->path && strcmp(sv.hba_file, o->path) == 0) {
		o->data_dir = xstrdup(sv.data_dir);
		o->socket_dir = xstrdup(sv.socket_dir);
		o->db_port = sv.port;
		o->db_user = xstrdup(sv.user);
		o->db_name = xstrdup(sv.dbname);
		o->server_num = sv.server_num;
		o->gphome = sv.mpp && p->ssh.gphome ? xstrdup(p->ssh.gphome) : NULL;
	} else if (o->path && strrchr(o->path, '/')) {
		log_warn("opening #%d: the ledger does not say where its server's data is; taking the directory of %s",
			 o->id, o->path);
		o->data_dir = xstrndup(o->path, (size_t)(strrchr(o->path, '/') - o->path));
		o->db_port = p->source.port;
		o->db_user = p->source.user ? xstrdup(p->source.user) : NULL;
		o->db_name = p->source.dbname ? xstrdup(p->source.dbname) : NULL;
	}
	server_done(&sv);
}

/* Record that closing o got no further, with why (the opening stays outstanding). */
static void record_stuck(const struct journal *j, struct access_ledger *l, struct access_opening *o, const char *why)
{
	access_record(j, l, o, ACCESS_CLOSING, why);
}

enum access_failure access_restore_pg_hba(const struct plan *p, int id)
{
	struct journal j;
	struct access_ledger l;
	if (!access_ledger_begin(p, &j, &l))
		return ACCESS_FAIL_OTHER;
	struct access_opening *found = access_ledger_find(&l, id);
	if (!found || found->kind != ACCESS_PG_HBA) {
		log_error("no pg_hba opening #%d in the ledger under %s", id, p->state_dir);
		access_ledger_done(&l);
		journal_close(&j);
		return ACCESS_FAIL_OTHER;
	}
	if (!access_outstanding(found)) {
		access_ledger_done(&l);
		journal_close(&j);
		return ACCESS_OK;
	}
	struct access_opening o;
	access_opening_copy(&o, found);
	fill_older(p, &o);
	struct strbuf cur, how;
	strbuf_init(&cur);
	strbuf_init(&how);
	struct hba_undo u;
	memset(&u, 0, sizeof u);
	strbuf_init(&u.where);
	struct ssh_session *s = NULL;
	char *target = NULL, *saved = NULL;
	size_t savedlen = 0;
	char err[1024];
	enum access_failure rc = ACCESS_FAIL_OTHER;
	if (!o.host || (!o.path && !o.target)) {
		log_error("opening #%d: the ledger does not say on which host and file it was made", o.id);
		goto out;
	}
	if (!access_record(&j, &l, &o, ACCESS_CLOSING, NULL))
		goto out;
	access_crash_point("restore-intent");
	rc = ACCESS_FAIL_HOST;
	if (!(s = hba_ssh_open(p, &o)) || !(target = hba_resolve(s, o.path ? o.path : o.target))) {
		char *why = xasprintf("the last attempt to close it could not reach %s over SSH (see its error)", o.host);
		record_stuck(&j, &l, &o, why);
		free(why);
		goto out;
	}
	if (o.target && strcmp(o.target, target) != 0)
		log_warn("%s: %s now leads to %s, not %s as when opened; undoing it in %s, which the server reads",
			 o.host, o.path, target, o.target, target);
	free(o.target);
	o.target = xstrdup(target);
	if (!ssh_read_file(s, target, &cur, err, sizeof err)) {
		log_error("%s", err);
		goto out;
	}
	/* the original bytes, when the saved copy is still what was saved */
	if (o.backup && journal_slurp(o.backup, &saved, &savedlen)) {
		char sha[65];
		journal_sha256_hex(saved, savedlen, sha);
		if (!o.sha_before || strcmp(sha, o.sha_before) != 0) {
			log_warn("%s does not match its recorded checksum: removing gp2adb's lines instead", o.backup);
			free(saved);
			saved = NULL;
		}
	}
	hba_undo_done(&u);
	hba_undo_plan(&o, cur.data, cur.len, saved, savedlen, target, &u);
	if (u.left) {
		char *why = xasprintf("%s:\n%s", u.note, u.where.data);
		log_error("%s: %s", o.host, why);
		record_stuck(&j, &l, &o, why);
		free(why);
		rc = ACCESS_FAIL_LEFT;
		goto out;
	}
	char sha[65];
	if (u.text) {
		if (!hba_put(s, target, u.text, u.len))
			goto out;
		access_crash_point("restore-written");
		journal_sha256_hex(u.text, u.len, sha);
	} else {
		journal_sha256_hex(cur.data, cur.len, sha);
	}
	/* restored means the running server no longer has the rule: reload, every time */
	if (!reloaded(s, &o, sha, &how, true)) {
		record_stuck(&j, &l, &o, "the file is undone, but the server's reload could not be verified");
		goto out;
	}
	access_crash_point("restore-reloaded");
	char *note = xasprintf("%s; %s", u.note, how.data);
	bool ok = access_record(&j, &l, &o, ACCESS_RESTORED, note);
	free(note);
	if (!ok) {
		rc = ACCESS_FAIL_OTHER;
		goto out;
	}
	access_crash_point("restore-done");
	log_info("%s: %s: %s; %s", o.host, target, u.note, how.data);
	rc = ACCESS_OK;
out:
	hba_undo_done(&u);
	free(saved);
	free(target);
	strbuf_done(&cur);
	strbuf_done(&how);
	ssh_close(s);
	access_opening_done(&o);
	access_ledger_done(&l);
	journal_close(&j);
	return rc;
}
