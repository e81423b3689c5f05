/* gpcopy_run: gpcopy on the Greenplum master over SSH, its log turned into
 * per-table progress (gpcopy_table.c) that reads as an engine snapshot.
 *
 * On the master, a small sh script (GPCOPY_WRAPPER) runs gpcopy.  gp2adb
 * sends it, on the channel's standard input, the password lines (pgpass
 * format) and the selected tables, each ended by an empty line; the script
 * writes them to two files made with mktemp under umask 077, points
 * PGPASSFILE at the first (followed by the ssh user's own password file, so
 * the source keeps whatever it used), and runs gpcopy.  The password is
 * never part of a command line.  The standard input stays open: when it
 * ends (gp2adb cancels, exits or loses the connection), a watchdog stops
 * the script, which stops gpcopy and removes both files; the script removes
 * them on every other way out too. */
#include "gpcopy_priv.h"
#include "catalog.h"
#include "clock.h"
#include "exitcode.h"
#include "flavor.h"
#include "log.h"
#include "mem.h"
#include "ssh_stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char GPCOPY_WRAPPER[] =
	"umask 077\n"
	"p=$(mktemp \"${TMPDIR:-/tmp}/gp2adb-gpcopy-pass.XXXXXX\") || exit 125\n"
	"t=$(mktemp \"${TMPDIR:-/tmp}/gp2adb-gpcopy-tables.XXXXXX\") || { rm -f \"$p\"; exit 125; }\n"
	"child=\n"
	"cleanup() {\n"
	"  if [ -n \"$child\" ]; then kill -TERM \"$child\" 2>/dev/null; wait \"$child\" 2>/dev/null; fi\n"
	"  rm -f \"$p\" \"$t\"\n"
	"}\n"
	"trap cleanup EXIT\n"
	"trap 'exit 130' HUP INT TERM\n"
	"while IFS= read -r l && [ -n \"$l\" ]; do printf '%%s\\n' \"$l\"; done >\"$p\"\n"
	"if [ -n \"${PGPASSFILE:-}\" ] && [ -r \"$PGPASSFILE\" ]; then cat \"$PGPASSFILE\" >>\"$p\"\n"
	"elif [ -r \"$HOME/.pgpass\" ]; then cat \"$HOME/.pgpass\" >>\"$p\"; fi\n"
	"while IFS= read -r l && [ -n \"$l\" ]; do printf '%%s\\n' \"$l\"; done >\"$t\"\n"
	"exec 3<&0\n"
	"{ cat <&3; [ -e \"$p\" ] && kill -TERM $$; } >/dev/null 2>&1 &\n"
	"PGPASSFILE=$p %s </dev/null 3<&- 2>&1 &\n"
	"child=$!\n"
	"wait \"$child\"\n"
	"rc=$?\n"
	"child=\n"
	"exit $rc\n";

/* How long a cancelled gpcopy may take to stop before gp2adb stops waiting. */
#define CANCEL_GRACE 60.0

/* One pgpass line: host:port:db:user:password, ':' and '\' escaped. */
static void pgpass_line(struct strbuf *sb, const char *host, int port, const char *user, const char *password)
{
	const char *fields[5];
	char portbuf[16];
	snprintf(portbuf, sizeof portbuf, "%d", port);
	fields[0] = host && *host ? host : "*";
	fields[1] = port > 0 ? portbuf : "*";
	fields[2] = "*";
	fields[3] = user && *user ? user : "*";
	fields[4] = password;
	for (int i = 0; i < 5; i++) {
		if (i)
			strbuf_puts(sb, ":");
		for (const char *c = fields[i]; *c; c++) {
			if (*c == '\n' || *c == '\r')
				continue;
			if ((*c == ':' || *c == '\\') && !(i < 4 && strcmp(fields[i], "*") == 0))
				strbuf_puts(sb, "\\");
			strbuf_add(sb, c, 1);
		}
	}
	strbuf_puts(sb, "\n");
}

/* A name for a table file line: db."schema"."table" (reference/greenplum.md 1.3). */
static void table_file_name(struct strbuf *sb, const char *s)
{
	strbuf_puts(sb, "\"");
	for (const char *c = s; *c; c++) {
		if (*c == '"' || *c == '\\')
			strbuf_puts(sb, "\\");
		strbuf_add(sb, c, 1);
	}
	strbuf_puts(sb, "\"");
}

static bool find_qualified(const struct table_list *l, const char *qualified)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].qualified, qualified) == 0)
			return true;
	return false;
}

/* Connect to both servers and read what the command needs. */
static bool prepare(struct gpcopy_run *r)
{
	const struct plan *p = r->p;
	struct db_error e;
	char text[700];
	PGconn *src = db_connect(&p->source, "gpcopy", &e);
	if (!src) {
		log_error("source: %s", db_error_text(&e, text, sizeof text));
		r->exit_code = EXIT_CONNECT;
		return false;
	}
	PGconn *dst = db_connect(&p->destination, "gpcopy", &e);
	if (!dst) {
		log_error("destination: %s", db_error_text(&e, text, sizeof text));
		PQfinish(src);
		r->exit_code = EXIT_CONNECT;
		return false;
	}
	bool ok = false;
	struct flavor fl;
	char *version = NULL;
	struct table_list tl = { 0 };
	int src_free = -1, dst_free = -1;
	if (!db_flavor(src, &fl, &version, &e) || !catalog_tables(src, &fl, p, &tl, &e)) {
		log_error("source: reading the tables: %s", db_error_text(&e, text, sizeof text));
		r->exit_code = EXIT_CONNECT;
		goto out;
	}
	if (!fl.mpp)
		log_warn("the source is not Greenplum (%s): gpcopy copies only between Greenplum clusters", version);
	if (!gpcopy_free_connections(src, &src_free, &e) || !gpcopy_free_connections(dst, &dst_free, &e))
		log_warn("the free connections could not be read (%s); --jobs is not capped",
			 db_error_text(&e, text, sizeof text));
	bool capped;
	r->jobs = gpcopy_jobs(p->jobs, src_free, dst_free, &capped);
	if (capped)
		log_warn("gpcopy --jobs %d opens %d connections on each cluster; the source has %d free, the "
			 "destination %d: --jobs %d instead", p->jobs, 2 * p->jobs + 1, src_free, dst_free, r->jobs);

	r->source_db = xstrdup(PQdb(src));
	r->dest_db = xstrdup(PQdb(dst));
	bool selection = strv_len(p->include) > 0 || strv_len(p->exclude) > 0;
	if (r->full && selection) {
		log_error("gpcopy --full copies every table of every database: remove migration.include and "
			  "migration.exclude (or --table), or copy the one database without --full");
		r->exit_code = EXIT_USAGE;
		goto out;
	}
	if (selection && strcmp(r->source_db, r->dest_db) != 0) {
		log_error("gpcopy copies a selection of tables (include/exclude) only into a database of the same "
			  "name: the source is %s, the destination %s", r->source_db, r->dest_db);
		r->exit_code = EXIT_USAGE;
		goto out;
	}
	size_t listed = 0;
	for (size_t i = 0; i < tl.n; i++) {
		const struct table *t = &tl.items[i];
		if (catalog_has_data(t))
			gpcopy_table_add(r, r->source_db, t->schema, t->name, t->qualified, t->bytes, t->rows_est);
		/* the file names what gpcopy expands: a root stands for its leaves */
		bool covered = (t->kind == TABLE_PARTITION_LEAF || t->kind == TABLE_PARTITION_MID) && t->root &&
			       find_qualified(&tl, t->root);
		if (!selection || covered || t->kind == TABLE_EXTERNAL || t->kind == TABLE_FOREIGN)
			continue;
		strbuf_printf(&r->tables_in, "%s.", r->source_db);
		table_file_name(&r->tables_in, t->schema);
		strbuf_puts(&r->tables_in, ".");
		table_file_name(&r->tables_in, t->name);
		strbuf_puts(&r->tables_in, "\n");
		listed++;
	}
	if (selection && listed == 0) {
		log_error("no table of %s matches migration.include/exclude: nothing for gpcopy to copy", r->source_db);
		r->exit_code = EXIT_USAGE;
		goto out;
	}
	strbuf_puts(&r->tables_in, "\n");

	/* the destination's password as libpq found it (the file's password key, .pgpass, PGPASSWORD) */
	const char *dpw = PQpass(dst);
	if (dpw && *dpw)
		pgpass_line(&r->pass_in, PQhost(dst), atoi(PQport(dst)), PQuser(dst), dpw);
	const char *spw = PQpass(src);
	if (spw && *spw)
		pgpass_line(&r->pass_in, p->source.host, atoi(PQport(src)), PQuser(src), spw);
	strbuf_puts(&r->pass_in, "\n");

	struct gpcopy_target tg = {
		.source_host = p->source.host && p->source.host[0] != '/' ? p->source.host : NULL,
		.source_port = atoi(PQport(src)),
		.source_user = PQuser(src),
		.source_db = r->source_db,
		.dest_host = PQhost(dst),
		.dest_port = atoi(PQport(dst)),
		.dest_user = PQuser(dst),
		.dest_db = r->dest_db,
		.full = r->full,
		.table_file = selection ? "\"$t\"" : NULL,
		.jobs = r->jobs,
		.mode = p->mode,
	};
	r->argv = gpcopy_argv("gpcopy", &tg);
	char *words = gpcopy_command_text(r->argv, "\"$t\"");
	char *shown = xstrdup(words);
	if (selection) {
		char *at = strstr(shown, "\"$t\"");
		char *what = xasprintf("%.*s<file of %zu table%s>%s", (int)(at - shown), shown, listed,
				       listed == 1 ? "" : "s", at + 4);
		free(shown);
		shown = what;
	}
	r->command = xasprintf("PGPASSFILE=<0600 file, removed afterwards: %s> %s",
			       r->pass_in.len > 1 ? "********" : "no password", shown);
	r->words = words;
	free(shown);
	ok = true;
out:
	free(version);
	catalog_tables_free(&tl);
	PQfinish(src);
	PQfinish(dst);
	return ok;
}

struct gpcopy_run *gpcopy_run_new(const struct plan *p, bool full)
{
	struct gpcopy_run *r = xcalloc(1, sizeof *r);
	r->p = p;
	r->full = full;
	r->last_failed = -1;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cond, NULL);
	rate_window_init(&r->total_rate);
	strbuf_init(&r->pass_in);
	strbuf_init(&r->tables_in);
	return r;
}

bool gpcopy_preview(const struct plan *p, bool full, char **text, char *err, size_t errsize)
{
	struct gpcopy_run *r = gpcopy_run_new(p, full);
	bool ok = prepare(r);
	*text = ok ? xstrdup(r->command) : NULL;
	if (!ok)
		snprintf(err, errsize, "the gpcopy command could not be prepared (see the log)");
	gpcopy_run_free(r);
	return ok;
}

static const char *master_host(const struct plan *p)
{
	if (p->ssh.master)
		return p->ssh.master;
	return p->source.host && p->source.host[0] != '/' ? p->source.host : NULL;
}

/* Log in to the master and find gpcopy there. */
static bool connect_master(struct gpcopy_run *r)
{
	const struct plan *p = r->p;
	const char *master = master_host(p);
	char err[1024];
	if (!master) {
		log_error("set ssh.master (the Greenplum master host) in the configuration");
		r->exit_code = EXIT_USAGE;
		return false;
	}
	struct ssh_opts o;
	ssh_opts_from_plan(&o, &p->ssh);
	r->ssh = ssh_connect(&o, master, NULL, err, sizeof err);
	if (!r->ssh) {
		log_error("%s", err);
		r->exit_code = EXIT_SSH;
		return false;
	}
	char *cmd;
	if (p->ssh.gphome) {
		char *q = ssh_shell_quote(p->ssh.gphome);
		cmd = xasprintf("test -x %s/bin/gpcopy && printf '%%s' %s", q, q);
		free(q);
	} else {
		cmd = xstrdup("test -n \"$GPHOME\" && test -x \"$GPHOME/bin/gpcopy\" && printf '%s' \"$GPHOME\"");
	}
	struct ssh_result res;
	ssh_result_init(&res);
	bool ok = ssh_exec(r->ssh, cmd, NULL, 0, &res, err, sizeof err);
	free(cmd);
	if (!ok) {
		log_error("%s", err);
		r->exit_code = EXIT_SSH;
	} else if (res.status != 0 || res.out.len == 0) {
		log_error("%s: gpcopy is not installed in %s/bin: run gp2adb install-gpcopy --tarball FILE first", master,
			  p->ssh.gphome ? p->ssh.gphome : "$GPHOME");
		r->exit_code = EXIT_SSH;
		ok = false;
	} else {
		r->gphome = xstrdup(res.out.data);
	}
	ssh_result_done(&res);
	return ok;
}

static void *run_main(void *arg);

bool gpcopy_run_start(struct gpcopy_run *r)
{
	r->started_at = gpcopy_now();
	if (!prepare(r) || !connect_master(r)) {
		gpcopy_tables_end(r, false, "gpcopy did not start (see the log)");
		return false;
	}
	/* gpcopy from the master's $GPHOME/bin, under the wrapper */
	char *path = xasprintf("%s/bin/gpcopy", r->gphome);
	char *qpath = ssh_shell_quote(path);
	const char *rest = strchr(r->words, ' ');
	char *line = xasprintf("%s%s", qpath, rest ? rest : "");
	r->script = xasprintf(GPCOPY_WRAPPER, line);
	free(line);
	free(qpath);
	free(path);
	log_info("gpcopy on %s: %s", ssh_host(r->ssh), r->command);
	gpcopy_rows_start(r);
	if (pthread_create(&r->thread, NULL, run_main, r) != 0) {
		log_error("cannot start a thread for gpcopy");
		r->exit_code = EXIT_USAGE;
		gpcopy_rows_stop(r);
		gpcopy_tables_end(r, false, "gpcopy did not start");
		return false;
	}
	r->thread_started = true;
	return true;
}

static void log_line(struct gpcopy_run *r, const struct gpcopy_line *l, bool is_stderr)
{
	const char *host = ssh_host(r->ssh);
	switch (l->kind) {
	case GPCOPY_LINE_START:
	case GPCOPY_LINE_FINISH:
		log_debug("gpcopy on %s: %s", host, l->message);
		break;
	case GPCOPY_LINE_FAIL:
	case GPCOPY_LINE_TASK_ERROR:
	case GPCOPY_LINE_DETAIL:
		log_warn("gpcopy on %s: %s", host, l->message);
		break;
	default:
		if (!l->logline)
			log_info("gpcopy on %s%s: %s", host, is_stderr ? " (stderr)" : "", l->message);
		else if (strcmp(l->level, "WARNING") == 0 || strcmp(l->level, "WARN") == 0)
			log_warn("gpcopy on %s: %s", host, l->message);
		else
			log_debug("gpcopy on %s: [%s] %s", host, l->level, l->message);
	}
}

static void *run_main(void *arg)
{
	struct gpcopy_run *r = arg;
	char err[1024] = "";
	struct strbuf in, line;
	strbuf_init(&in);
	strbuf_init(&line);
	strbuf_add(&in, r->pass_in.data, r->pass_in.len);
	strbuf_add(&in, r->tables_in.data, r->tables_in.len);
	struct ssh_stream *st = ssh_stream_start(r->ssh, r->script, in.data, in.len, err, sizeof err);
	strbuf_done(&in);
	int status = -1;
	bool ended = false, cancelling = false;
	double cancel_at = 0, last_sample = 0;
	if (!st)
		log_error("%s", err);
	while (st) {
		pthread_mutex_lock(&r->mu);
		bool cancel = r->cancel;
		pthread_mutex_unlock(&r->mu);
		if (cancel && !cancelling) {
			log_warn("cancelling: gpcopy on %s is stopped; the tables it was copying roll back",
				 ssh_host(r->ssh));
			ssh_stream_close_input(st);
			cancelling = true;
			cancel_at = clock_mono();
		}
		bool is_stderr = false;
		enum ssh_stream_next n = ssh_stream_next(st, &line, &is_stderr, 200, err, sizeof err);
		double now = clock_mono();
		if (now - last_sample >= 1.0) {
			gpcopy_tables_sample(r);
			last_sample = now;
		}
		if (n == SSH_STREAM_LINE) {
			struct gpcopy_line l;
			gpcopy_parse_line(line.data, &l);
			log_line(r, &l, is_stderr);
			gpcopy_tables_apply(r, &l);
		} else if (n == SSH_STREAM_ENDED) {
			status = ssh_stream_status(st);
			ended = true;
			break;
		} else if (n == SSH_STREAM_FAILED) {
			log_error("%s", err);
			break;
		} else if (cancelling && now - cancel_at > CANCEL_GRACE) {
			log_error("gpcopy on %s did not stop within %.0f s of the cancel; gp2adb closes the connection "
				  "(its watchdog on the master ends it and removes its files)", ssh_host(r->ssh),
				  CANCEL_GRACE);
			break;
		}
	}
	ssh_stream_free(st);
	strbuf_done(&line);
	char why[300];
	if (!ended)
		snprintf(why, sizeof why, "the connection to %s was lost while gpcopy ran", ssh_host(r->ssh));
	else if (status == 125)
		snprintf(why, sizeof why, "%s: no temporary file could be created for the password", ssh_host(r->ssh));
	else
		snprintf(why, sizeof why, "gpcopy exited with status %d", status);
	if (ended && status != 0 && !cancelling)
		log_error("%s (its last lines are in the log above)", why);
	gpcopy_rows_stop(r);
	pthread_mutex_lock(&r->mu);
	r->status = status;
	r->ended_cleanly = ended && status == 0;
	r->cancelled = cancelling;
	pthread_mutex_unlock(&r->mu);
	gpcopy_tables_end(r, ended && status == 0, why);
	return NULL;
}

void gpcopy_run_cancel(struct gpcopy_run *r)
{
	pthread_mutex_lock(&r->mu);
	r->cancel = true;
	pthread_mutex_unlock(&r->mu);
}

bool gpcopy_run_wait_finished(struct gpcopy_run *r, double seconds)
{
	struct timespec until = clock_deadline(seconds);
	pthread_mutex_lock(&r->mu);
	while (!r->finished) {
		if (pthread_cond_timedwait(&r->cond, &r->mu, &until) == ETIMEDOUT)
			break;
	}
	bool done = r->finished;
	pthread_mutex_unlock(&r->mu);
	return done;
}

int gpcopy_run_wait(struct gpcopy_run *r)
{
	if (r->thread_started) {
		pthread_join(r->thread, NULL);
		r->thread_started = false;
	}
	return gpcopy_run_exit_code(r);
}

int gpcopy_run_exit_code(const struct gpcopy_run *r)
{
	return r->exit_code;
}

const char *gpcopy_run_retry_command(const struct gpcopy_run *r)
{
	return r->retry ? r->retry : "";
}

const char *gpcopy_run_command(const struct gpcopy_run *r)
{
	return r->command ? r->command : "";
}

void gpcopy_run_free(struct gpcopy_run *r)
{
	if (!r)
		return;
	if (r->thread_started) {
		gpcopy_run_cancel(r);
		gpcopy_run_wait(r);
	}
	ssh_close(r->ssh);
	gpcopy_tables_free(r);
	strv_free(r->argv);
	memset(r->pass_in.data, 0, r->pass_in.len);
	strbuf_done(&r->pass_in);
	strbuf_done(&r->tables_in);
	free(r->words);
	free(r->command);
	free(r->script);
	free(r->retry);
	free(r->gphome);
	free(r->source_db);
	free(r->dest_db);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->mu);
	free(r);
}
