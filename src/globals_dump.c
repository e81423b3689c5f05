/* globals_dump: the source's roles, memberships and resource queues/groups
 * from the ecosystem's own pg_dumpall --globals-only. */
#include "globals.h"
#include "db.h"
#include "exitcode.h"
#include "flavor.h"
#include "log.h"
#include "mem.h"
#include "schema.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Greenplum's pg_dumpall where it is installed here: ssh.gphome, else
 * $GPHOME as Greenplum's own tools read it (greenplum_path.sh sets it). */
static char *local_gp_tool(const struct plan *p)
{
	const char *homes[] = { p->ssh.gphome, getenv("GPHOME") };
	for (size_t i = 0; i < 2; i++) {
		if (!homes[i] || !homes[i][0])
			continue;
		char *tool = xasprintf("%s/bin/pg_dumpall", homes[i]);
		if (access(tool, X_OK) == 0)
			return tool;
		free(tool);
	}
	return NULL;
}

bool globals_dump(const struct plan *p, char **sql, int *code, char *err, size_t errsize)
{
	*sql = NULL;
	*code = EXIT_USAGE;
	struct db_error dberr;
	struct flavor src;
	PGconn *c = db_connect(&p->source, "source", &dberr);
	if (!c || !db_flavor(c, &src, NULL, &dberr)) {
		char *where = db_endpoint_describe(&p->source);
		snprintf(err, errsize, "cannot connect to the source (%s): %s", where, dberr.message);
		free(where);
		if (c)
			PQfinish(c);
		*code = EXIT_CONNECT;
		return false;
	}
	PQfinish(c);
	bool gp = src.kind == FLAVOR_GREENPLUM || (src.kind == FLAVOR_ADB && p->ssh.master);
	char *tool = gp ? local_gp_tool(p) : xstrdup("pg_dumpall");
	if (gp && !tool) {
		if (p->ssh.master)
			return schema_dump_globals_on_master(p, &src, sql, code, err, errsize);
		snprintf(err, errsize,
			 "the source is Greenplum %s: its roles and resource queues must be dumped with "
			 "Greenplum's own pg_dumpall, which is not installed here ($GPHOME or ssh.gphome). Set "
			 "ssh.master to run it on the master over SSH", src.gp_version);
		return false;
	}
	char *conninfo = schema_dump_conninfo(&p->source);
	const char *argv[8];
	int n = 0;
	argv[n++] = tool;
	argv[n++] = "--globals-only";
	argv[n++] = gp ? "--gp-syntax" : "--no-tablespaces";
	argv[n++] = "--dbname";
	argv[n++] = conninfo;
	argv[n] = NULL;
	char *pw_env = p->source.password ? xasprintf("PGPASSWORD=%s", p->source.password) : NULL;
	const char *env[] = { pw_env, NULL };
	char *out = NULL, *errout = NULL;
	log_info("dumping the source's roles: %s --globals-only", tool);
	int rc = schema_run_local(argv, pw_env ? env : NULL, &out, &errout);
	mem_wipe_free(pw_env);
	bool ok = rc == 0;
	if (rc < 0) {
		snprintf(err, errsize, "cannot run %s: %s", tool, strerror(errno));
	} else if (rc != 0) {
		char line[1024];
		schema_last_line(errout, line, sizeof line);
		snprintf(err, errsize, "%s --globals-only failed (exit %d): %s", tool, rc, line);
	} else {
		*sql = out;
		out = NULL;
	}
	mem_wipe_free(out);
	free(errout);
	free(conninfo);
	free(tool);
	return ok;
}
