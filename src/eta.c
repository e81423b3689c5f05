/* eta: see eta.h. */
#include "eta.h"

/* A running table's time to finish at its average rate since it started
 * (0 when it has not run a second or moved nothing yet). */
static double table_left(const struct engine_table_stats *t, double now)
{
	if (t->state != TABLE_RUNNING || t->started_at <= 0 || t->bytes_done <= 0 || t->units_resumed > 0)
		return 0;
	double age = now - t->started_at;
	if (age < 1)
		return 0;
	long long left = t->bytes_est - t->bytes_done;
	if (left <= 0)
		return 0;
	return (double)left * age / (double)t->bytes_done;
}

double eta_seconds(const struct engine_table_stats *t, size_t n, double now, double elapsed,
		   double fraction_done)
{
	if (fraction_done <= 0.01 || elapsed <= 1)
		return -1;
	double eta = elapsed * (1 - fraction_done) / fraction_done;
	for (size_t i = 0; i < n; i++) {
		double left = table_left(&t[i], now);
		if (left > eta)
			eta = left;
	}
	return eta;
}
