/* The wizard's backend over the core modules present in this build.
 * Steps whose module is not part of this build stay NULL: the screens say
 * "not available in this build" instead of pretending. */
#include "backend.h"
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double core_now(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void core_test_connection(void *ctx, const struct endpoint *ep, const char *role,
				 struct ui_conn *out)
{
	(void)ctx;
	struct db_error err;
	struct flavor fl;
	char *version = NULL;
	memset(out, 0, sizeof *out);
	out->tested = true;
	PGconn *conn = db_connect(ep, role, &err);
	if (conn && db_flavor(conn, &fl, &version, &err)) {
		out->ok = true;
		flavor_describe(&fl, out->desc, sizeof out->desc);
	} else {
		db_error_text(&err, out->error, sizeof out->error);
	}
	if (conn)
		PQfinish(conn);
	free(version);
}

void ui_backend_core(struct ui_backend *be)
{
	memset(be, 0, sizeof *be);
	be->now = core_now;
	be->test_connection = core_test_connection;
}
