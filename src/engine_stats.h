/* engine_stats: a moving window over a cumulative counter (bytes or rows),
 * sampled once a second, for rates, ETAs and sparklines.  Not locked: the
 * engine samples and reads it under its stats lock. */
#ifndef GP2ADB_ENGINE_STATS_H
#define GP2ADB_ENGINE_STATS_H

#include "engine.h"

#define RATE_WINDOW_CAP (ENGINE_RATE_SAMPLES + 1)
#define RATE_WINDOW_SPAN 10.0       /* seconds the displayed rate covers */

struct rate_window {
	double t[RATE_WINDOW_CAP];      /* sample times, seconds */
	long long v[RATE_WINDOW_CAP];   /* counter value at that time */
	int head;                       /* index of the newest sample */
	int n;                          /* samples held */
};

void rate_window_init(struct rate_window *w);
/* Record the counter's value at time t (t increasing). */
void rate_window_push(struct rate_window *w, double t, long long value);
/* Units per second over the last `span` seconds of samples (at least the
 * two newest); 0 with fewer than two samples. */
double rate_window_rate(const struct rate_window *w, double span);
/* Per-interval rates, oldest first, right-aligned (leading zeros while the
 * window fills). */
void rate_window_history(const struct rate_window *w, float out[ENGINE_RATE_SAMPLES]);

#endif
