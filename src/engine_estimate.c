/* engine_estimate: the bytes each table is expected to move, for the
 * progress panes (wire_estimate.h); actuals replace it as tables finish. */
#include "engine_priv.h"
#include "log.h"
#include "mem.h"
#include "wire_estimate.h"

#include <stdlib.h>

void engine_estimate(struct engine *e)
{
	const struct table **tables = xcalloc(e->ntables + 1, sizeof *tables);
	bool *binary = xcalloc(e->ntables + 1, sizeof *binary);
	long long *est = xcalloc(e->ntables + 1, sizeof *est);
	for (size_t i = 0; i < e->ntables; i++) {
		tables[i] = e->tables[i].t;
		binary[i] = e->tables[i].binary;
	}
	struct db_error err;
	if (!wire_estimate_read(e->coord, &e->sf, tables, binary, e->ntables, est, &err))
		log_warn("source: estimating the tables' sizes from their statistics: %s: %s; "
			 "progress is measured against their sizes on disk", err.sqlstate, err.message);
	for (size_t i = 0; i < e->ntables; i++)
		e->tables[i].wire_est = est[i];
	free(est);
	free(binary);
	free(tables);
}
