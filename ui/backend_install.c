/* The wizard's gpcopy installation (6) over install.c, and the adapters the
 * install-gpcopy live view shares. */
#include "backend_priv.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		snprintf(err, size, "no gpcopy tarball: start the wizard with --tarball FILE (the gpcopy-2.x.y.tar.gz "
			 "you downloaded), or run gp2adb install-gpcopy --tarball FILE");
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

void core_install_bind(struct ui_backend *be)
{
	be->install_start = core_install_start;
	be->install_poll = core_install_poll;
}
