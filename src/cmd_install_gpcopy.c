/* gp2adb install-gpcopy --tarball FILE */
#include "cmd.h"
#include "exitcode.h"
#include "install.h"
#include "log.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_progress(const struct install_host *h, void *arg)
{
	(void)arg;
	if (h->state == INSTALL_FAILED)
		printf("%-20s %s\n", h->host, h->error);
	else
		printf("%-20s %s\n", h->host, h->step);
	fflush(stdout);
}

static void warn_ssl(int major, int minor, const char *where)
{
	log_warn("gpcopy %d.%d (%s): gpcopy 2.4 and later connect to the destination with SSL only; "
		 "make sure SSL is enabled on the AnalyticDB instance (console: Data Security > SSL)",
		 major, minor, where);
}

static bool run_lines(const struct plan *p, const struct install_tarball *t, struct install_host *hosts, size_t n)
{
	return install_run(p, t, hosts, n, p->jobs, p->verbosity >= 0 ? print_progress : NULL, NULL);
}

int cmd_install_gpcopy(struct cli *cli)
{
	return cmd_install_gpcopy_with(cli, run_lines);
}

int cmd_install_gpcopy_with(struct cli *cli, cmd_install_run_fn run)
{
	struct plan *p = &cli->plan;
	if (!cli->tarball) {
		fprintf(stderr, "gp2adb: install-gpcopy needs --tarball FILE (the gpcopy-2.x.y.tar.gz you downloaded)\n");
		return EXIT_USAGE;
	}
	if (!p->ssh.master && (!p->source.host || p->source.host[0] == '/')) {
		fprintf(stderr, "gp2adb: set ssh.master (the Greenplum master host) in the configuration\n");
		return EXIT_USAGE;
	}
	const char *master = p->ssh.master ? p->ssh.master : p->source.host;
	struct install_tarball t;
	if (!install_tarball_read(&t, cli->tarball))
		return EXIT_USAGE;
	if (install_needs_ssl(t.major, t.minor))
		warn_ssl(t.major, t.minor, cli->tarball);
	char **segments = NULL;
	if (!install_segment_hosts(p, &segments)) {
		install_tarball_done(&t);
		return EXIT_CONNECT;
	}
	size_t n = 0;
	struct install_host *hosts = install_hosts_new(master, segments, &n);
	strv_free(segments);
	printf("Installing gpcopy (sha256 %.12s) and gpcopy_helper (sha256 %.12s) on %zu host%s\n",
	       t.gpcopy.sha, t.helper.sha, n, n == 1 ? "" : "s");
	bool ok = run(p, &t, hosts, n);

	printf("\n%-20s %-8s %-10s %s\n", "HOST", "ROLE", "STATE", "GPCOPY --VERSION / ERROR");
	size_t failed = 0;
	struct strbuf names;
	strbuf_init(&names);
	for (size_t i = 0; i < n; i++) {
		struct install_host *h = &hosts[i];
		printf("%-20s %-8s %-10s %s\n", h->host, h->master ? "master" : "segment",
		       install_state_name(h->state), h->state == INSTALL_FAILED ? h->error : h->version);
		if (h->state == INSTALL_FAILED) {
			strbuf_printf(&names, "%s%s", failed ? ", " : "", h->host);
			failed++;
		}
	}
	int major = 0, minor = 0;
	if (!t.major && hosts[0].state != INSTALL_FAILED &&
	    install_parse_version(hosts[0].version, &major, &minor) && install_needs_ssl(major, minor))
		warn_ssl(major, minor, master);
	fflush(stdout);
	if (!ok)
		log_error("%zu of %zu hosts failed: %s. Fix them and run install-gpcopy again: hosts that "
			  "already hold the same files are left as they are.", failed, n, names.data);
	strbuf_done(&names);
	install_hosts_free(hosts, n);
	install_tarball_done(&t);
	return ok ? EXIT_OK : EXIT_SSH;
}
