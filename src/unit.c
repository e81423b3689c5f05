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

bool unit_replicated(const struct table *t)
{
	return t->distribution && strstr(t->distribution, "REPLICATED") != NULL;
}

void unit_plan_table(const struct table *t, size_t table, const struct unit_split *s,
		     struct unit_spec **units, size_t *n)
{
	long long bytes = t->bytes > 0 ? t->bytes : 0;
	long long pieces = 1;
	bool heap = t->storage == 'h';
	/* Greenplum 6+ replicated tables: every segment holds every row (the
	 * size counts each copy), gp_segment_id is hidden, and one read is all */
	if (unit_replicated(t)) {
		struct unit_spec *u = unit_add(units, n, table, 0, 1, s->segments > 1 ? bytes / s->segments : bytes);
		snprintf(u->id, sizeof u->id, "all");
		return;
	}
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
				u->predicate = xasprintf("ctid >= '(%lld,0)'::tid", from);
			} else {
				snprintf(u->id, sizeof u->id, "b%lld-%lld", from, to);
				u->predicate = xasprintf("ctid >= '(%lld,0)'::tid AND ctid < '(%lld,0)'::tid", from, to);
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
			u->predicate = xasprintf("gp_segment_id %% %lld = %lld", pieces, k);
		}
		return;
	}
	struct unit_spec *u = unit_add(units, n, table, 0, 1, bytes);
	snprintf(u->id, sizeof u->id, "all");
}

void unit_specs_free(struct unit_spec *units, size_t n)
{
	for (size_t i = 0; units && i < n; i++)
		free(units[i].predicate);
	free(units);
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
	       const enum prep_state *table_prep, size_t *first, bool *must_prep)
{
	*must_prep = false;
	while (*first < n && state[*first] != UNIT_QUEUED)
		(*first)++;
	for (size_t i = *first; i < n; i++) {
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

struct range {
	long long from, to;     /* to < 0: open-ended */
};

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return (x->from > y->from) - (x->from < y->from);
}

/* "bA-B" / "bA-": block ranges from 0, each starting where the last ended,
 * the last open-ended. */
static bool ranges_complete(const char *const *ids, size_t n)
{
	struct range *r = xcalloc(n + 1, sizeof *r);
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		char *end;
		r[i].from = strtoll(ids[i] + 1, &end, 10);
		ok = ids[i][0] == 'b' && end != ids[i] + 1 && *end == '-';
		if (!ok)
			break;
		const char *to = end + 1;
		r[i].to = *to ? strtoll(to, &end, 10) : -1;
		ok = !*to || (*end == '\0' && r[i].to > r[i].from);
	}
	if (ok) {
		qsort(r, n, sizeof *r, range_cmp);
		long long at = 0;
		for (size_t i = 0; i < n && ok; i++) {
			ok = r[i].from == at && (r[i].to >= 0 || i == n - 1);
			at = r[i].to;
		}
		ok = ok && r[n - 1].to < 0;
	}
	free(r);
	return ok;
}

/* "sK%N": every K of 0..N-1 once, one N. */
static bool segments_complete(const char *const *ids, size_t n)
{
	long long pieces = -1;
	bool *seen = NULL;
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		long long k, p;
		char tail;
		ok = sscanf(ids[i], "s%lld%%%lld%c", &k, &p, &tail) == 2 && p > 0 && k >= 0 && k < p &&
		     (pieces < 0 || p == pieces);
		if (!ok)
			break;
		if (pieces < 0) {
			pieces = p;
			seen = xcalloc((size_t)p, sizeof *seen);
		}
		ok = !seen[k];
		seen[k] = true;
	}
	ok = ok && pieces > 0 && (size_t)pieces == n;
	free(seen);
	return ok;
}

bool unit_ids_complete(const char *const *ids, size_t n)
{
	if (n == 0)
		return false;
	if (n == 1 && strcmp(ids[0], "all") == 0)
		return true;
	if (ids[0][0] == 'b')
		return ranges_complete(ids, n);
	if (ids[0][0] == 's')
		return segments_complete(ids, n);
	return false;
}
