/* validate_drill: bisection of differing tables down to their keys. */
#include "validate_drill.h"

#include "mem.h"
#include "strbuf.h"
#include "validate_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int drill_first_len(long long rows, long long fetch_rows)
{
	return rows <= fetch_rows ? 0 : DRILL_DIGITS_PER_LEVEL;
}

enum drill_step drill_classify(const struct drill_bucket *b, int len, long long fetch_rows)
{
	if (b->rows[0] == b->rows[1] && strcmp(b->sum[0], b->sum[1]) == 0)
		return DRILL_SAME;
	long long most = b->rows[0] > b->rows[1] ? b->rows[0] : b->rows[1];
	if (most <= fetch_rows || len + DRILL_DIGITS_PER_LEVEL > 32)
		return DRILL_FETCH;
	return DRILL_DESCEND;
}

static int row_cmp(const void *a, const void *b)
{
	const struct drill_row *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->hash, y->hash);
}

static void emit(char ***out, size_t *count, size_t limit, bool *more, const char *key, const char *what)
{
	if (*count >= limit) {
		*more = true;
		return;
	}
	char *s = xasprintf("%s %s", key, what);
	*out = strv_push(*out, s);
	free(s);
	(*count)++;
}

void drill_diff(struct drill_row *src, size_t ns, struct drill_row *dst, size_t nd,
		char ***out, size_t *count, size_t limit, bool *more)
{
	if (ns)
		qsort(src, ns, sizeof *src, row_cmp);
	if (nd)
		qsort(dst, nd, sizeof *dst, row_cmp);
	size_t i = 0, j = 0;
	while (i < ns || j < nd) {
		/* the rows of one key on each side */
		const char *key = i < ns && (j >= nd || strcmp(src[i].key, dst[j].key) <= 0) ? src[i].key : dst[j].key;
		size_t i2 = i, j2 = j;
		while (i2 < ns && strcmp(src[i2].key, key) == 0)
			i2++;
		while (j2 < nd && strcmp(dst[j2].key, key) == 0)
			j2++;
		/* drop the rows equal on both sides (both ranges sorted by hash) */
		size_t a = i, b = j, only_src = 0, only_dst = 0;
		while (a < i2 || b < j2) {
			int c = a >= i2 ? 1 : b >= j2 ? -1 : strcmp(src[a].hash, dst[b].hash);
			if (c == 0) {
				a++;
				b++;
			} else if (c < 0) {
				only_src++;
				a++;
			} else {
				only_dst++;
				b++;
			}
		}
		if (only_src && only_dst)
			emit(out, count, limit, more, key, "changed");
		else if (only_src)
			emit(out, count, limit, more, key, i2 - i > only_src ? "fewer copies on destination" : "missing on destination");
		else if (only_dst)
			emit(out, count, limit, more, key, j2 > j + only_dst ? "duplicated on destination" : "extra on destination");
		i = i2;
		j = j2;
	}
}

/* "substr(md5(K), 1, n) IN ('a', 'b')" or NULL for the whole table. */
static char *bucket_filter(const char *key_expr, int len, char *const *prefixes)
{
	if (len == 0 || !prefixes)
		return NULL;
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_printf(&sb, "substr(md5(%s), 1, %d) IN (", key_expr, len);
	for (size_t i = 0; prefixes[i]; i++)   /* hex digits only: no quoting needed */
		strbuf_printf(&sb, "%s'%s'", i ? ", " : "", prefixes[i]);
	strbuf_putc(&sb, ')');
	return strbuf_finish(&sb);
}

static void rows_free(struct drill_row *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].key);
		free(r[i].hash);
	}
	free(r);
}

static bool fetch(PGconn *const conn[2], const char *qualified, const char *key_expr,
		  const char *row_expr, int len, char *const *prefixes, char ***keys, size_t *count,
		  size_t limit, bool *more, char *err, size_t errsize)
{
	char *filter = bucket_filter(key_expr, len, prefixes);
	char *sql = xasprintf("SELECT %s, substr(md5(%s), 1, 16)\nFROM ONLY %s%s%s", key_expr, row_expr,
			      qualified, filter ? "\nWHERE " : "", filter ? filter : "");
	PGresult *res[2];
	bool ok = vsql_query_both(conn, sql, res, err, errsize);
	free(sql);
	free(filter);
	if (!ok)
		return false;
	struct drill_row *rows[2];
	size_t n[2];
	for (int s = 0; s < 2; s++) {
		n[s] = (size_t)PQntuples(res[s]);
		rows[s] = xcalloc(n[s] + 1, sizeof *rows[s]);
		for (size_t r = 0; r < n[s]; r++) {
			rows[s][r].key = xstrdup(PQgetvalue(res[s], (int)r, 0));
			rows[s][r].hash = xstrdup(PQgetvalue(res[s], (int)r, 1));
		}
		PQclear(res[s]);
	}
	drill_diff(rows[0], n[0], rows[1], n[1], keys, count, limit, more);
	rows_free(rows[0], n[0]);
	rows_free(rows[1], n[1]);
	return true;
}

/* One level: per-bucket rows and hash sums of both sides, merged by prefix. */
static bool level(PGconn *const conn[2], const char *qualified, const char *key_expr,
		  const char *row_expr, int prev_len, char *const *prev, int len,
		  struct drill_bucket **out, size_t *nout, char *err, size_t errsize)
{
	char *filter = bucket_filter(key_expr, prev_len, prev);
	char *h = vsql_hash64(row_expr);
	char *sql = xasprintf("SELECT substr(md5(%s), 1, %d), count(*), sum(%s)\nFROM ONLY %s%s%s\nGROUP BY 1",
			      key_expr, len, h, qualified, filter ? "\nWHERE " : "", filter ? filter : "");
	PGresult *res[2];
	bool ok = vsql_query_both(conn, sql, res, err, errsize);
	free(sql);
	free(h);
	free(filter);
	if (!ok)
		return false;
	size_t cap = (size_t)PQntuples(res[0]) + (size_t)PQntuples(res[1]) + 1, n = 0;
	struct drill_bucket *b = xcalloc(cap, sizeof *b);
	for (int s = 0; s < 2; s++) {
		for (int r = 0; r < PQntuples(res[s]); r++) {
			const char *p = PQgetvalue(res[s], r, 0);
			size_t k = 0;
			while (k < n && strcmp(b[k].prefix, p) != 0)
				k++;
			if (k == n)
				snprintf(b[n++].prefix, sizeof b->prefix, "%s", p);
			b[k].rows[s] = atoll(PQgetvalue(res[s], r, 1));
			snprintf(b[k].sum[s], sizeof b->sum[s], "%s", PQgetvalue(res[s], r, 2));
		}
		PQclear(res[s]);
	}
	*out = b;
	*nout = n;
	return true;
}

bool drill_run(PGconn *const conn[2], const char *qualified, const char *key_expr,
	       const char *row_expr, long long rows, long long fetch_rows, size_t limit,
	       char ***keys, bool *more, char *err, size_t errsize)
{
	size_t count = 0;
	*more = false;
	int len = drill_first_len(rows, fetch_rows);
	if (len == 0)
		return fetch(conn, qualified, key_expr, row_expr, 0, NULL, keys, &count, limit, more, err, errsize);
	char **frontier = NULL;     /* differing prefixes of the previous level */
	int prev_len = 0;
	bool ok = true;
	while (ok && count < limit) {
		struct drill_bucket *b = NULL;
		size_t nb = 0;
		if (!(ok = level(conn, qualified, key_expr, row_expr, prev_len, frontier, len, &b, &nb, err, errsize)))
			break;
		char **to_fetch = NULL, **next = NULL;
		size_t nnext = 0;
		for (size_t i = 0; i < nb; i++) {
			enum drill_step st = drill_classify(&b[i], len, fetch_rows);
			if (st == DRILL_FETCH)
				to_fetch = strv_push(to_fetch, b[i].prefix);
			else if (st == DRILL_DESCEND && nnext < DRILL_MAX_BUCKETS) {
				next = strv_push(next, b[i].prefix);
				nnext++;
			} else if (st == DRILL_DESCEND)
				*more = true;
		}
		free(b);
		if (to_fetch)
			ok = fetch(conn, qualified, key_expr, row_expr, len, to_fetch, keys, &count, limit, more, err, errsize);
		strv_free(to_fetch);
		strv_free(frontier);
		frontier = next;
		prev_len = len;
		len += DRILL_DIGITS_PER_LEVEL;
		if (!frontier)
			break;
	}
	if (frontier && count >= limit)
		*more = true;
	strv_free(frontier);
	return ok;
}
