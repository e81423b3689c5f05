/* The wizard's gpcopy installation (6) over install.c, and the adapters the
 * install-gpcopy live view shares. */
#include "backend_priv.h"
#include "mem.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* 6. gpcopy installation. */
static enum host_state host_state_of(const struct install_host *h)
{
	switch (h->state) {
	case INSTALL_PENDING: return HOST_WAITING;
	case INSTALL_INSTALLED:
	case INSTALL_UNCHANGED: return HOST_DONE;
	case INSTALL_FAILED: return HOST_FAILED;
	case INSTALL_RUNNING: break;
	}
	if (strncmp(h->step, "connect", 7) == 0)
		return HOST_CONNECTING;
	if (strncmp(h->step, "upload", 6) == 0)
		return HOST_UPLOADING;
	return HOST_VERIFYING;
}

void ui_host_from_install(const struct install_host *h, struct ui_host *o)
{
	snprintf(o->name, sizeof o->name, "%s", h->host);
	snprintf(o->role, sizeof o->role, "%s", h->master ? "master" : "segment");
	o->state = host_state_of(h);
	switch (h->state) {
	case INSTALL_PENDING: o->detail[0] = '\0'; break;
	case INSTALL_RUNNING: snprintf(o->detail, sizeof o->detail, "%s", h->step); break;
	case INSTALL_INSTALLED: snprintf(o->detail, sizeof o->detail, "%s", h->version); break;
	case INSTALL_UNCHANGED: snprintf(o->detail, sizeof o->detail, "unchanged: %s", h->version); break;
	case INSTALL_FAILED: snprintf(o->detail, sizeof o->detail, "%.255s", h->error); break;
	}
}

void ui_install_from_hosts(const struct install_host *h, size_t n, bool finished, struct ui_install *out)
{
	memset(out, 0, sizeof *out);
	out->hosts = xcalloc(n + 1, sizeof *out->hosts);
	out->n = n;
	out->finished = finished;
	for (size_t i = 0; i < n; i++)
		ui_host_from_install(&h[i], &out->hosts[i]);
}

static void install_progress(const struct install_host *h, void *arg)
{
	struct core *c = arg;
	size_t i = (size_t)(h - c->hosts);
	pthread_mutex_lock(&c->mu);
	if (i < c->inst.n)
		ui_host_from_install(h, &c->inst.hosts[i]);
	pthread_mutex_unlock(&c->mu);
}

static const char *install_master(const struct plan *p)
{
	if (p->ssh.master)
		return p->ssh.master;
	return p->source.host && p->source.host[0] != '/' ? p->source.host : NULL;
}

static void *install_main(void *arg)
{
	struct core *c = arg;
	const struct plan *p = c->install.plan;
	char **segments = NULL;
	if (!install_segment_hosts(p, &segments)) {
		pthread_mutex_lock(&c->mu);
		ui_install_free(&c->inst);
		c->inst.hosts = xcalloc(1, sizeof *c->inst.hosts);
		c->inst.n = 1;
		struct ui_host *o = &c->inst.hosts[0];
		snprintf(o->name, sizeof o->name, "%s", install_master(p));
		snprintf(o->role, sizeof o->role, "master");
		o->state = HOST_FAILED;
		snprintf(o->detail, sizeof o->detail, "the segment hosts could not be read (ssh.segment_hosts or "
			 "gp_segment_configuration on the source; see the log)");
		c->inst.finished = true;
		c->install.done = true;
		pthread_mutex_unlock(&c->mu);
		return NULL;
	}
	size_t n = 0;
	struct install_host *hosts = install_hosts_new(install_master(p), segments, &n);
	strv_free(segments);
	pthread_mutex_lock(&c->mu);
	c->hosts = hosts;
	c->nhosts = n;
	ui_install_free(&c->inst);
	ui_install_from_hosts(hosts, n, false, &c->inst);
	pthread_mutex_unlock(&c->mu);
	install_run(p, &c->tb, hosts, n, p->jobs, install_progress, c);
	pthread_mutex_lock(&c->mu);
	ui_install_free(&c->inst);
	ui_install_from_hosts(hosts, n, true, &c->inst);
	c->install.done = true;
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static bool core_install_start(void *ctx, const struct plan *p, char *err, size_t size)
{
	struct core *c = ctx;
	if (!c->tarball) {
		snprintf(err, size, "no gpcopy tarball: type the path of the gpcopy-2.x.y.tar.gz you downloaded (e), or start with --tarball FILE");
		return false;
	}
	if (!install_master(p)) {
		snprintf(err, size, "set ssh.master (the Greenplum master host) in the configuration");
		return false;
	}
	if (core_job_running(c, &c->install)) {
		snprintf(err, size, "the installation is still running");
		return false;
	}
	core_job_join(&c->install);
	install_hosts_free(c->hosts, c->nhosts);
	c->hosts = NULL;
	c->nhosts = 0;
	install_tarball_done(&c->tb);
	if (!install_tarball_read(&c->tb, c->tarball)) {
		memset(&c->tb, 0, sizeof c->tb);
		snprintf(err, size, "the tarball %s could not be read (see the log)", c->tarball);
		return false;
	}
	pthread_mutex_lock(&c->mu);
	ui_install_free(&c->inst);
	pthread_mutex_unlock(&c->mu);
	return core_job_start(c, &c->install, install_main, p, "the installation", err, size);
}

static void core_install_poll(void *ctx, struct ui_install *out)
{
	struct core *c = ctx;
	pthread_mutex_lock(&c->mu);
	*out = c->inst;
	out->hosts = xcalloc(c->inst.n + 1, sizeof *out->hosts);
	if (out->n)
		memcpy(out->hosts, c->inst.hosts, c->inst.n * sizeof *out->hosts);
	pthread_mutex_unlock(&c->mu);
}

static void file_line(char *out, size_t size, const struct install_file *f)
{
	char len[32];
	if (f->len >= 1024 * 1024)
		snprintf(len, sizeof len, "%.1f MB", f->len / 1048576.0);
	else if (f->len >= 1024)
		snprintf(len, sizeof len, "%.1f kB", f->len / 1024.0);
	else
		snprintf(len, sizeof len, "%zu B", f->len);
	snprintf(out, size, "%s %s, sha256 %.12s", f->name, len, f->sha);
}

/* "gpcopy-2.3.2.tar.gz" -> "2.3.2" */
static void name_version(const char *path, char *out, size_t size)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const char *v = base;
	while (*v && !(*v >= '0' && *v <= '9' && (v == base || v[-1] == '-' || v[-1] == 'v')))
		v++;
	size_t n = strspn(v, "0123456789.");
	while (n > 0 && v[n - 1] == '.')
		n--;
	snprintf(out, size, "%.*s", (int)n, v);
}

static bool core_tarball_check(void *ctx, const char *path, struct ui_tarball *out, char *err, size_t size)
{
	struct core *c = ctx;
	memset(out, 0, sizeof *out);
	if (core_job_running(c, &c->install)) {
		snprintf(err, size, "the installation is still running");
		return false;
	}
	struct install_tarball tb;
	if (!install_tarball_read(&tb, path)) {
		snprintf(err, size, "%s is not a gpcopy tarball holding gpcopy and gpcopy_helper (see the log)", path);
		return false;
	}
	out->checked = true;
	snprintf(out->path, sizeof out->path, "%s", path);
	name_version(path, out->version, sizeof out->version);
	file_line(out->gpcopy, sizeof out->gpcopy, &tb.gpcopy);
	file_line(out->helper, sizeof out->helper, &tb.helper);
	install_tarball_done(&tb);
	free(c->tarball);
	c->tarball = xstrdup(path);
	return true;
}

/* The newest gpcopy*.tar.gz in dir into best (mtime *when), if newer. */
static void newest_in(const char *dir, char *best, size_t size, time_t *when)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (strncmp(e->d_name, "gpcopy", 6) != 0 || n < 7 || strcmp(e->d_name + n - 7, ".tar.gz") != 0)
			continue;
		char *p = xasprintf("%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime > *when) {
			*when = st.st_mtime;
			snprintf(best, size, "%s", p);
		}
		free(p);
	}
	if (d)
		closedir(d);
}

static void core_tarball_default(void *ctx, char *path, size_t size)
{
	struct core *c = ctx;
	path[0] = '\0';
	if (c->tarball) {       /* --tarball on the command line */
		snprintf(path, size, "%s", c->tarball);
		return;
	}
	time_t when = 0;
	char cwd[512];
	if (getcwd(cwd, sizeof cwd))
		newest_in(cwd, path, size, &when);
	if (!path[0] && getenv("HOME"))
		newest_in(getenv("HOME"), path, size, &when);
}

void core_install_bind(struct ui_backend *be)
{
	be->tarball_check = core_tarball_check;
	be->tarball_default = core_tarball_default;
	be->install_start = core_install_start;
	be->install_poll = core_install_poll;
}
