#include "install.h"
#include "db.h"
#include "journal.h"
#include "log.h"
#include "mem.h"

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* --- the tarball --- */

static const char *find_name;
static char *found_path;

static int find_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	if (type == FTW_F && strcmp(path + ftw->base, find_name) == 0 && !found_path)
		found_path = xstrdup(path);
	return 0;
}

static int rm_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st; (void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static bool read_whole(const char *path, struct install_file *f)
{
	if (!journal_slurp(path, &f->data, &f->len))
		return false;
	journal_sha256_hex(f->data, f->len, f->sha);
	return true;
}

/* "N.M" at c (c at a digit), each part at most 99999 (no version has more;
 * sscanf's %d would overflow). */
static bool version_pair(const char *c, int *major, int *minor)
{
	char *end;
	long a = strtol(c, &end, 10);
	if (a > 99999 || *end != '.' || end[1] < '0' || end[1] > '9')
		return false;
	long b = strtol(end + 1, &end, 10);
	if (b > 99999)
		return false;
	*major = (int)a;
	*minor = (int)b;
	return true;
}

bool install_parse_version(const char *text, int *major, int *minor)
{
	for (const char *c = text; *c; c++)
		if (*c >= '0' && *c <= '9' && (c == text || c[-1] == '-' || c[-1] == ' ' || c[-1] == 'v') &&
		    version_pair(c, major, minor))
			return true;
	return false;
}

bool install_needs_ssl(int major, int minor)
{
	return major > 2 || (major == 2 && minor >= 4);
}

bool install_tarball_read(struct install_tarball *t, const char *path)
{
	memset(t, 0, sizeof *t);
	t->gpcopy.name = "gpcopy";
	t->helper.name = "gpcopy_helper";
	if (access(path, R_OK) != 0) {
		log_error("cannot read the gpcopy tarball %s: %s", path, strerror(errno));
		return false;
	}
	const char *tmpbase = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *dir = xasprintf("%s/gp2adb-gpcopy.XXXXXX", tmpbase);
	if (!mkdtemp(dir)) {
		log_error("cannot create a temporary directory in %s: %s", tmpbase, strerror(errno));
		free(dir);
		return false;
	}
	bool ok = false;
	pid_t pid = fork();
	if (pid == 0) {
		execlp("tar", "tar", "-xzf", path, "-C", dir, "--no-same-owner", (char *)NULL);
		_exit(127);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		log_error("%s: not a readable .tar.gz (tar -xzf failed; see its message above)", path);
		goto out;
	}
	struct install_file *files[] = { &t->gpcopy, &t->helper };
	for (int i = 0; i < 2; i++) {
		find_name = files[i]->name;
		found_path = NULL;
		nftw(dir, find_cb, 16, FTW_PHYS);
		if (!found_path) {
			log_error("%s holds no %s: is it the gpcopy tarball (gpcopy-2.x.y.tar.gz)?", path, files[i]->name);
			goto out;
		}
		bool read = read_whole(found_path, files[i]);
		free(found_path);
		found_path = NULL;
		if (!read) {
			log_error("%s: cannot read %s from it", path, files[i]->name);
			goto out;
		}
	}
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	install_parse_version(base, &t->major, &t->minor);
	ok = true;
out:
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
	if (!ok)
		install_tarball_done(t);
	return ok;
}

void install_tarball_done(struct install_tarball *t)
{
	free(t->gpcopy.data);
	free(t->helper.data);
	memset(t, 0, sizeof *t);
}

const char *install_state_name(enum install_state s)
{
	static const char *const names[] = { "pending", "running", "installed", "unchanged", "FAILED" };
	return names[s];
}

/* --- hosts --- */

/* The query of the vendor's procedure (one row per segment host). */
static const char segment_hosts_sql[] =
	"select address from gp_segment_configuration where role='p' and content>=0 group by address";

bool install_segment_hosts(const struct plan *p, char ***hosts)
{
	*hosts = NULL;
	if (strv_len(p->ssh.segment_hosts) > 0) {
		*hosts = strv_dup(p->ssh.segment_hosts);
		return true;
	}
	struct db_error e;
	char etext[700];
	PGconn *conn = db_connect(&p->source, "source", &e);
	if (!conn) {
		log_error("source: %s (or list the hosts in ssh.segment_hosts)", db_error_text(&e, etext, sizeof etext));
		return false;
	}
	struct flavor fl;
	char *version = NULL;
	bool ok = db_flavor(conn, &fl, &version, &e);
	free(version);
	bool have = ok && fl.mpp;
	if (ok && !have && fl.pg_num >= 90400) {
		/* a PostgreSQL source has no segments, unless it holds the catalog's shape */
		PGresult *r = db_query(conn, "SELECT to_regclass('gp_segment_configuration') IS NOT NULL", 0, NULL, &e);
		have = r && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
		if (r)
			PQclear(r);
	}
	if (ok && have) {
		PGresult *r = db_query(conn, segment_hosts_sql, 0, NULL, &e);
		ok = r != NULL;
		for (int i = 0; r && i < PQntuples(r); i++)
			*hosts = strv_push(*hosts, PQgetvalue(r, i, 0));
		if (r)
			PQclear(r);
	}
	if (!ok)
		log_error("source: cannot list the segment hosts: %s (or list them in ssh.segment_hosts)",
			  db_error_text(&e, etext, sizeof etext));
	else if (!have)
		log_warn("the source is not Greenplum: no segment hosts, gpcopy goes to the master only");
	PQfinish(conn);
	if (ok && !*hosts)
		*hosts = xcalloc(1, sizeof **hosts);
	return ok;
}

struct install_host *install_hosts_new(const char *master, char *const *segments, size_t *n)
{
	size_t cap = 1 + strv_len(segments), k = 0;
	struct install_host *h = xcalloc(cap, sizeof *h);
	h[k].host = xstrdup(master);
	h[k++].master = true;
	for (size_t i = 0; segments && segments[i]; i++) {
		bool dup = false;
		for (size_t j = 0; j < k; j++)
			dup |= strcmp(h[j].host, segments[i]) == 0;
		if (!dup)
			h[k++].host = xstrdup(segments[i]);
	}
	*n = k;
	return h;
}

void install_hosts_free(struct install_host *h, size_t n)
{
	for (size_t i = 0; h && i < n; i++) {
		free(h[i].host);
		ssh_hostkey_done(&h[i].hostkey);
	}
	free(h);
}

/* --- the work --- */

struct run {
	const struct plan *p;
	const struct install_tarball *t;
	struct install_host *hosts;
	size_t n, next;
	pthread_mutex_t lock;
	void (*progress)(const struct install_host *h, void *arg);
	void *arg;
};

static void set_step(struct run *run, struct install_host *h, enum install_state st, const char *step)
{
	pthread_mutex_lock(&run->lock);
	h->state = st;
	snprintf(h->step, sizeof h->step, "%s", step);
	if (run->progress)
		run->progress(h, run->arg);
	pthread_mutex_unlock(&run->lock);
}

/* Put one file in place unless the same bytes with mode 755 are there. */
static bool put_file(struct run *run, struct install_host *h, struct ssh_session *s,
		     const struct install_file *f, bool *changed)
{
	char *path = xasprintf("%s/bin/%s", h->gphome, f->name);
	char *q = ssh_shell_quote(path);
	char *cmd = xasprintf("if [ -e %s ]; then stat -c %%a %s && sha256sum < %s; else echo absent; fi", q, q, q);
	struct ssh_result r;
	ssh_result_init(&r);
	bool ok = ssh_exec(s, cmd, NULL, 0, &r, h->error, sizeof h->error);
	if (ok && r.status != 0) {
		snprintf(h->error, sizeof h->error, "%s: cannot check %s: %.300s", h->host, path, r.err.data);
		ok = false;
	}
	bool same = false;
	if (ok) {
		char *nl = strchr(r.out.data, '\n');
		same = strncmp(r.out.data, "755\n", 4) == 0 && nl && strncmp(nl + 1, f->sha, 64) == 0;
	}
	if (ok && !same) {
		char step[80];
		snprintf(step, sizeof step, "uploading %s (%zu bytes)", f->name, f->len);
		set_step(run, h, INSTALL_RUNNING, step);
		ok = ssh_upload(s, f->data, f->len, path, 0755, NULL, h->error, sizeof h->error);
		*changed |= ok;
	}
	ssh_result_done(&r);
	free(cmd);
	free(q);
	free(path);
	return ok;
}

static bool verify_runs(struct install_host *h, struct ssh_session *s, const char *name)
{
	char *path = xasprintf("%s/bin/%s", h->gphome, name);
	char *q = ssh_shell_quote(path);
	char *cmd = xasprintf("%s --version", q);
	struct ssh_result r;
	ssh_result_init(&r);
	bool ok = ssh_exec(s, cmd, NULL, 0, &r, h->error, sizeof h->error);
	if (ok && r.status != 0) {
		snprintf(h->error, sizeof h->error, "%s: %s --version failed (exit %d): %.300s", h->host, path,
			 r.status, r.err.len ? r.err.data : r.out.data);
		ok = false;
	}
	if (ok && (h->master ? strcmp(name, "gpcopy") == 0 : true)) {
		const char *out = r.out.len ? r.out.data : r.err.data;
		size_t n = strcspn(out, "\n");
		snprintf(h->version, sizeof h->version, "%.*s", (int)n, out);
	}
	ssh_result_done(&r);
	free(cmd);
	free(q);
	free(path);
	return ok;
}

static void install_one(struct run *run, struct install_host *h)
{
	struct ssh_opts o;
	ssh_opts_from_plan(&o, &run->p->ssh);
	set_step(run, h, INSTALL_RUNNING, "connecting");
	struct ssh_session *s = ssh_connect(&o, h->host, &h->hostkey, h->error, sizeof h->error);
	bool ok = s != NULL, changed = false;
	if (ok && run->p->ssh.gphome) {
		snprintf(h->gphome, sizeof h->gphome, "%s", run->p->ssh.gphome);
	} else if (ok) {
		struct ssh_result r;
		ssh_result_init(&r);
		ok = ssh_exec(s, "printf '%s' \"$GPHOME\"", NULL, 0, &r, h->error, sizeof h->error);
		if (ok && (r.status != 0 || r.out.len == 0 || r.out.len >= sizeof h->gphome)) {
			snprintf(h->error, sizeof h->error, "%s: GPHOME is not set in the remote environment of %s; "
				 "set ssh.gphome in the configuration", h->host, o.user ? o.user : "the ssh user");
			ok = false;
		} else if (ok) {
			snprintf(h->gphome, sizeof h->gphome, "%s", r.out.data);
		}
		ssh_result_done(&r);
	}
	if (ok && h->master)
		ok = put_file(run, h, s, &run->t->gpcopy, &changed);
	if (ok)
		ok = put_file(run, h, s, &run->t->helper, &changed);
	if (ok) {
		set_step(run, h, INSTALL_RUNNING, "checking that it runs");
		ok = (!h->master || verify_runs(h, s, "gpcopy")) && verify_runs(h, s, "gpcopy_helper");
	}
	ssh_close(s);
	set_step(run, h, ok ? (changed ? INSTALL_INSTALLED : INSTALL_UNCHANGED) : INSTALL_FAILED,
		 ok ? (changed ? "installed" : "already installed") : "failed");
}

static void *worker(void *arg)
{
	struct run *run = arg;
	for (;;) {
		pthread_mutex_lock(&run->lock);
		size_t i = run->next++;
		pthread_mutex_unlock(&run->lock);
		if (i >= run->n)
			return NULL;
		install_one(run, &run->hosts[i]);
	}
}

bool install_run(const struct plan *p, const struct install_tarball *t, struct install_host *hosts, size_t n,
		 int jobs, void (*progress)(const struct install_host *h, void *arg), void *arg)
{
	struct run run = { .p = p, .t = t, .hosts = hosts, .n = n, .progress = progress, .arg = arg };
	pthread_mutex_init(&run.lock, NULL);
	size_t nthreads = jobs < 1 ? 1 : (size_t)jobs;
	if (nthreads > n)
		nthreads = n;
	pthread_t *tids = xcalloc(nthreads ? nthreads : 1, sizeof *tids);
	size_t started = 0;
	for (; started < nthreads; started++)
		if (pthread_create(&tids[started], NULL, worker, &run) != 0)
			break;
	if (started == 0)
		worker(&run);
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	pthread_mutex_destroy(&run.lock);
	bool ok = true;
	for (size_t i = 0; i < n; i++)
		ok &= hosts[i].state != INSTALL_FAILED;
	return ok;
}
