#include "unit.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void unit_split_for(struct unit_split *s, const struct flavor *f, long split_threshold_mb,
		    int segments)
{
	memset(s, 0, sizeof *s);
	s->threshold_bytes = split_threshold_mb > 0 ? (long long)split_threshold_mb * 1024 * 1024 : 0;
	s->ctid_ranges = f->ctid_range_scan && !f->mpp;
	s->segments = f->mpp ? segments : 0;
}

static struct unit_spec *unit_add(struct unit_spec **units, size_t *n, size_t table, long long k,
				   long long pieces, long long bytes)
{
	*units = xrealloc(*units, (*n + 1) * sizeof **units);
	struct unit_spec *u = &(*units)[(*n)++];
	memset(u, 0, sizeof *u);
	u->table = table;
	u->index = (int)k;
	u->count = (int)pieces;
	u->bytes_est = bytes / pieces;
	return u;
}

void unit_plan_table(const struct table *t, size_t table, const struct unit_split *s,
		     struct unit_spec **units, size_t *n)
{
	long long bytes = t->bytes > 0 ? t->bytes : 0;
	long long pieces = 1;
	bool heap = t->storage == 'h';
	if (s->threshold_bytes > 0 && bytes > s->threshold_bytes)
		pieces = (bytes + s->threshold_bytes - 1) / s->threshold_bytes;

	if (pieces > 1 && s->ctid_ranges && heap) {
		long long blocks = s->threshold_bytes / UNIT_BLOCK_SIZE;
		if (blocks < 1)
			blocks = 1;
		for (long long k = 0; k < pieces; k++) {
			struct unit_spec *u = unit_add(units, n, table, k, pieces, bytes);
			long long from = k * blocks, to = (k + 1) * blocks;
			if (k == pieces - 1) {
				snprintf(u->id, sizeof u->id, "b%lld-", from);
				snprintf(u->predicate, sizeof u->predicate, "ctid >= '(%lld,0)'::tid", from);
			} else {
				snprintf(u->id, sizeof u->id, "b%lld-%lld", from, to);
				snprintf(u->predicate, sizeof u->predicate,
					 "ctid >= '(%lld,0)'::tid AND ctid < '(%lld,0)'::tid", from, to);
			}
		}
		return;
	}
	if (pieces > 1 && s->segments > 1) {
		if (pieces > s->segments)
			pieces = s->segments;
		for (long long k = 0; k < pieces; k++) {
			struct unit_spec *u = unit_add(units, n, table, k, pieces, bytes);
			snprintf(u->id, sizeof u->id, "s%lld%%%lld", k, pieces);
			snprintf(u->predicate, sizeof u->predicate, "gp_segment_id %% %lld = %lld", pieces, k);
		}
		return;
	}
	struct unit_spec *u = unit_add(units, n, table, 0, 1, bytes);
	snprintf(u->id, sizeof u->id, "all");
}

int unit_compare(const struct unit_spec *x, const struct unit_spec *y)
{
	if (x->bytes_est != y->bytes_est)
		return x->bytes_est > y->bytes_est ? -1 : 1;
	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

static int unit_cmp(const void *a, const void *b)
{
	return unit_compare(a, b);
}

void unit_sort(struct unit_spec *units, size_t n)
{
	if (n > 1)
		qsort(units, n, sizeof *units, unit_cmp);
}

long unit_pick(const size_t *unit_table, const enum unit_state *state, size_t n,
	       const enum prep_state *table_prep, bool *must_prep)
{
	*must_prep = false;
	for (size_t i = 0; i < n; i++) {
		if (state[i] != UNIT_QUEUED)
			continue;
		enum prep_state p = table_prep[unit_table[i]];
		if (p == PREP_RUNNING || p == PREP_FAILED)
			continue;
		*must_prep = p == PREP_NEEDED;
		return (long)i;
	}
	return -1;
}
