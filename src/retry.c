#include "retry.h"

#define WAIT_POLL 2.0           /* seconds between tries while a server is away */
#define BACKOFF_FIRST 0.5
#define BACKOFF_MAX 8.0

void retry_init(struct retry *r, int max_tries, double window_s)
{
	r->max_tries = max_tries > 0 ? max_tries : 1;
	r->window = window_s > 0 ? window_s : 0;
	r->failed = 0;
	r->away_since = 0;
}

double retry_away_for(const struct retry *r, double now)
{
	return r->away_since > 0 && now > r->away_since ? now - r->away_since : 0;
}

enum retry_verdict retry_next(struct retry *r, bool transient, bool reached, double now, double *delay)
{
	*delay = 0;
	if (!transient)
		return RETRY_GIVE_UP;
	if (!reached && r->window > 0) {
		if (r->away_since == 0)
			r->away_since = now;
		double left = r->window - (now - r->away_since);
		if (left <= 0)
			return RETRY_GIVE_UP;
		/* the first look again comes soon: a dropped connection is often just that */
		*delay = now == r->away_since ? BACKOFF_FIRST : WAIT_POLL;
		if (*delay > left)
			*delay = left;
		return RETRY_WAIT;
	}
	r->away_since = 0;
	if (++r->failed >= r->max_tries)
		return RETRY_GIVE_UP;
	double d = BACKOFF_FIRST;
	for (int i = 1; i < r->failed && d < BACKOFF_MAX; i++)
		d *= 2;
	*delay = d > BACKOFF_MAX ? BACKOFF_MAX : d;
	return RETRY_AGAIN;
}
