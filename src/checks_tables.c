/* Checks over the source table inventory (catalog.c): partitioned and
 * inheritance tables, external tables, tables without a key, and the size
 * of the move with an estimated duration. */
#include "preflight_int.h"
#include "copy_rows.h"
#include "clock.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Used when no sample can be measured: a conservative single-stream COPY
 * rate through a coordinator (documented in gp2adb(1), check). */
#define DEFAULT_RATE_BYTES_PER_S (20.0 * 1024 * 1024)
/* How much of the largest table the rate sample reads. */
#define SAMPLE_BYTES (8LL * 1024 * 1024)

static const struct table *by_oid(const struct pf *pf, unsigned oid)
{
	for (size_t i = 0; i < pf->tables.n; i++)
		if (pf->tables.items[i].oid == oid)
			return &pf->tables.items[i];
	return NULL;
}

/* Parent -> children groups, for partitions (leaf kinds) or inheritance. */
static void list_children(struct pf *pf, bool partitions, struct strbuf *detail, char ***objects,
			  size_t *nparents, size_t *nexternal)
{
	for (size_t i = 0; i < pf->tables.n; i++) {
		const struct table *p = &pf->tables.items[i];
		bool is_parent = partitions ? p->kind == TABLE_PARTITION_ROOT : p->kind == TABLE_INHERIT_PARENT;
		if (!is_parent)
			continue;
		char **kids = NULL;
		for (size_t j = 0; j < pf->tables.n; j++) {
			const struct table *c = &pf->tables.items[j];
			bool belongs = partitions
				? c->root && strcmp(c->root, p->qualified) == 0 &&
				  (c->kind == TABLE_PARTITION_LEAF || c->kind == TABLE_EXTERNAL ||
				   c->kind == TABLE_FOREIGN)
				: c->parent_oid == p->oid;
			/* external leaves have no root recorded: match by parent chain */
			if (!belongs && partitions && (c->kind == TABLE_EXTERNAL || c->kind == TABLE_FOREIGN) &&
			    c->parent_oid) {
				const struct table *up = by_oid(pf, c->parent_oid);
				for (int d = 0; up && d < 32 && up != p; d++)
					up = up->parent_oid ? by_oid(pf, up->parent_oid) : NULL;
				belongs = up == p;
			}
			if (!belongs)
				continue;
			kids = strv_push(kids, c->qualified);
			*objects = strv_push(*objects, c->qualified);
			if (c->kind == TABLE_EXTERNAL || c->kind == TABLE_FOREIGN)
				(*nexternal)++;
		}
		strbuf_printf(detail, "%s%s: %zu %s", detail->len ? "\n" : "", p->qualified,
			      strv_len(kids), partitions ? "leaves" : "children");
		if (kids) {
			strbuf_puts(detail, " (");
			pf_list(detail, kids, 12);
			strbuf_putc(detail, ')');
		}
		strv_free(kids);
		(*nparents)++;
	}
}

void check_partitions(struct pf *pf)
{
	struct strbuf detail;
	char **objects = NULL;
	size_t roots = 0, external = 0;
	strbuf_init(&detail);
	list_children(pf, true, &detail, &objects, &roots, &external);
	if (!roots) {
		strbuf_done(&detail);
		pf_add(pf, "partitions.leaves", SEV_OK, "No partitioned tables", NULL, NULL, NULL);
		return;
	}
	if (external)
		strbuf_printf(&detail, "\n%zu leaves are external or foreign: their data stays where it is.",
			      external);
	char *title = xasprintf("%zu partitioned tables: data moves leaf by leaf", roots);
	pf_add(pf, "partitions.leaves", external ? SEV_WARN : SEV_INFO, title, strbuf_finish(&detail),
	       external ? "Recreate the external leaves' data source on the destination (OSS, gpfdist)."
			: "Nothing to do: gp2adb copies each leaf as its own unit (gpcopy: keep "
			  "--parallelize-leaf-partitions).", objects);
	free(title);
}

void check_inheritance(struct pf *pf)
{
	struct strbuf detail;
	char **objects = NULL;
	size_t parents = 0, external = 0;
	strbuf_init(&detail);
	list_children(pf, false, &detail, &objects, &parents, &external);
	if (!parents) {
		strbuf_done(&detail);
		pf_add(pf, "inheritance.children", SEV_OK, "No inheritance parents", NULL, NULL, NULL);
		return;
	}
	char *title = xasprintf("%zu inheritance parents: data moves per child, parents with ONLY", parents);
	pf_add(pf, "inheritance.children", SEV_INFO, title, strbuf_finish(&detail),
	       "Nothing to do with gp2adb's engine. With other tools, copy each child on its own and "
	       "the parent with ONLY, or its rows are read twice.", objects);
	free(title);
}

void check_external(struct pf *pf)
{
	char **objects = NULL;
	size_t ext = 0, foreign = 0;
	for (size_t i = 0; i < pf->tables.n; i++) {
		const struct table *t = &pf->tables.items[i];
		if (t->kind != TABLE_EXTERNAL && t->kind != TABLE_FOREIGN)
			continue;
		objects = strv_push(objects, t->qualified);
		if (t->kind == TABLE_EXTERNAL)
			ext++;
		else
			foreign++;
	}
	if (!objects) {
		pf_add(pf, "tables.external", SEV_OK, "No external or foreign tables", NULL, NULL, NULL);
		return;
	}
	pf_add(pf, "tables.external", SEV_WARN, "External and foreign tables: definitions only, no data",
	       xasprintf("%zu external and %zu foreign tables. Their rows live outside the database; "
			 "gp2adb moves their definitions only.", ext, foreign),
	       "Make their locations reachable from the destination (gpfdist, OSS with oss_fdw, "
	       "the foreign server) or drop them from the selection.", objects);
}

void check_no_key(struct pf *pf)
{
	char **objects = NULL;
	for (size_t i = 0; i < pf->tables.n; i++) {
		const struct table *t = &pf->tables.items[i];
		if (catalog_has_data(t) && !t->key)
			objects = strv_push(objects, t->qualified);
	}
	if (!objects) {
		pf_add(pf, "tables.no_key", SEV_OK, "Every table has a primary key or unique index", NULL,
		       NULL, NULL);
		return;
	}
	pf_add(pf, "tables.no_key", SEV_INFO, "Tables without a primary key or unique index",
	       xasprintf("%zu tables have no key: validation compares counts and aggregates for them "
			 "and cannot point at the differing rows.", strv_len(objects)),
	       "Nothing blocks the copy. Add a key on the source if row-level validation matters.",
	       objects);
}

/* Read a sample of the largest table with COPY TO STDOUT and return the
 * rate in on-disk bytes per second, or 0 when no usable sample was read. */
static double measure_rate(struct pf *pf, const struct table *t, char *how, size_t howsize)
{
	if (!pf->sf.copy_query_to || t->rows_est <= 0 || t->bytes <= 0)
		return 0;
	double row_bytes = (double)t->bytes / (double)t->rows_est;
	long long limit = (long long)((double)SAMPLE_BYTES / (row_bytes > 1 ? row_bytes : 1));
	if (limit < 1000)
		limit = 1000;
	char *sql = xasprintf("COPY (SELECT * FROM %s LIMIT %lld) TO STDOUT", t->qualified, limit);
	double start = clock_mono();
	PGresult *res = PQexec(pf->src, sql);
	free(sql);
	bool ok = PQresultStatus(res) == PGRES_COPY_OUT;
	PQclear(res);
	long long rows = 0, bytes = 0;
	if (ok) {
		char *buf;
		int n;
		struct copy_rows counter;   /* Greenplum may send many rows per message */
		copy_rows_init(&counter, false);
		while ((n = PQgetCopyData(pf->src, &buf, 0)) > 0) {
			rows += copy_rows_feed(&counter, buf, (size_t)n);
			bytes += n;
			PQfreemem(buf);
		}
		while ((res = PQgetResult(pf->src)) != NULL) {
			ok &= PQresultStatus(res) == PGRES_COMMAND_OK;
			PQclear(res);
		}
	}
	double secs = clock_mono() - start;
	/* a smaller sample says more about latency than throughput (a sample
	 * that includes latency only understates the rate: conservative) */
	if (!ok || rows < 1000 || secs <= 0)
		return 0;
	snprintf(how, howsize, "measured: %lld rows (%lld bytes of COPY text) of %s read in %.3f s",
		 rows, bytes, t->qualified, secs);
	return (double)rows * row_bytes / secs;
}

static void duration(char *buf, size_t size, double secs)
{
	if (secs < 60)
		snprintf(buf, size, "%.0f s", secs < 1 ? 1 : secs);
	else if (secs < 3600)
		snprintf(buf, size, "%.0f min", secs / 60);
	else
		snprintf(buf, size, "%.1f h", secs / 3600);
}

static int by_bytes_desc(const void *a, const void *b)
{
	const struct table *x = *(const struct table *const *)a, *y = *(const struct table *const *)b;
	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

void check_size(struct pf *pf)
{
	long long bytes = 0, rows = 0;
	size_t n = 0, unknown_rows = 0;
	const struct table **data = xcalloc(pf->tables.n + 1, sizeof *data);
	for (size_t i = 0; i < pf->tables.n; i++) {
		const struct table *t = &pf->tables.items[i];
		if (!catalog_has_data(t))
			continue;
		data[n++] = t;
		bytes += t->bytes;
		if (t->rows_est >= 0)
			rows += t->rows_est;
		else
			unknown_rows++;
	}
	qsort(data, n, sizeof *data, by_bytes_desc);
	char how[300] = "";
	double rate = n ? measure_rate(pf, data[0], how, sizeof how) : 0;
	bool measured = rate > 0;
	if (!measured) {
		rate = DEFAULT_RATE_BYTES_PER_S;
		snprintf(how, sizeof how, "no sample large enough to measure (an analysed table with "
			 "1000 rows or more); assumed the conservative default of 20 MB/s per stream");
	}
	pf->facts->total_bytes = bytes;
	pf->facts->total_rows = rows;
	pf->facts->rate_bytes_per_s = rate;
	pf->facts->rate_measured = measured;

	char b[32], r[32], one[32], par[32];
	int jobs = pf->plan && pf->plan->jobs > 0 ? pf->plan->jobs : 4;
	size_t streams = n < (size_t)jobs ? (n ? n : 1) : (size_t)jobs;
	preflight_bytes(b, sizeof b, bytes);
	preflight_bytes(r, sizeof r, (long long)rate);
	duration(one, sizeof one, (double)bytes / rate);
	duration(par, sizeof par, (double)bytes / rate / (double)streams);
	char **objects = NULL;
	for (size_t i = 0; i < n && i < 5; i++) {
		char tb[32];
		preflight_bytes(tb, sizeof tb, data[i]->bytes);
		char *o = xasprintf("%s (%s, ~%lld rows)", data[i]->qualified, tb,
				    data[i]->rows_est < 0 ? 0 : data[i]->rows_est);
		objects = strv_push(objects, o);
		free(o);
	}
	char *title = xasprintf("%s in %zu tables, ~%lld rows to move", b, n, rows);
	pf_add(pf, "size.total", SEV_INFO, title,
	       xasprintf("Rate %s/s per stream (%s).\nEstimated copy time: %s on one stream; "
			 "about %s with %zu parallel streams if neither server is the bottleneck.%s",
			 r, how, one, par, streams,
			 unknown_rows ? "\nSome tables were never analysed: their row counts are unknown "
					"(run ANALYZE on the source for better estimates)." : ""),
	       NULL, objects);
	free(title);
	free(data);
}
