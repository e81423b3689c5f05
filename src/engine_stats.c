#include "engine_stats.h"

#include <string.h>

void rate_window_init(struct rate_window *w)
{
	memset(w, 0, sizeof *w);
	w->head = -1;
}

void rate_window_push(struct rate_window *w, double t, long long value)
{
	w->head = (w->head + 1) % RATE_WINDOW_CAP;
	w->t[w->head] = t;
	w->v[w->head] = value;
	if (w->n < RATE_WINDOW_CAP)
		w->n++;
}

/* The i-th newest sample (0 = newest). */
static int nth(const struct rate_window *w, int i)
{
	return (w->head - i + RATE_WINDOW_CAP) % RATE_WINDOW_CAP;
}

double rate_window_rate(const struct rate_window *w, double span)
{
	if (w->n < 2)
		return 0;
	int newest = nth(w, 0);
	int oldest = nth(w, 1);
	for (int i = 2; i < w->n; i++) {
		int k = nth(w, i);
		if (w->t[newest] - w->t[k] > span)
			break;
		oldest = k;
	}
	double dt = w->t[newest] - w->t[oldest];
	if (dt <= 0)
		return 0;
	return (double)(w->v[newest] - w->v[oldest]) / dt;
}

void rate_window_history(const struct rate_window *w, float out[ENGINE_RATE_SAMPLES])
{
	memset(out, 0, sizeof(float) * ENGINE_RATE_SAMPLES);
	int intervals = w->n - 1;
	for (int i = 0; i < intervals; i++) {
		int a = nth(w, i + 1), b = nth(w, i);
		double dt = w->t[b] - w->t[a];
		out[ENGINE_RATE_SAMPLES - 1 - i] = dt > 0 ? (float)((double)(w->v[b] - w->v[a]) / dt) : 0.0f;
	}
}
