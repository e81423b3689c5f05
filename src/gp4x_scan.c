/* The Greenplum 4.x syntax scanner: plain string matching on a lowercased
 * copy without comments; no SQL parser is needed for these constructs. */
#include "gp4x_scan.h"
#include "mem.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum {
	R_LOG_ERRORS_INTO, R_GPHDFS, R_STAT_ACTIVITY, R_RELTOASTIDXID, R_ATTRNUMS, R_FILESPACE,
	R_GP_LOCALID, R_STRING_AGG, R_INT4_AVG_ACCUM, R_TIMESTAMP_NO_FORMAT, R_ORAFUNC,
	R_QUICKLZ, R_WITH_OIDS, R_PLPYTHONU, R_PARTITION_CATALOGS, R_RELSTORAGE, R_PROISAGG,
	R_SIZE_OF_PARTITION, R_ABSTIME, R_COUNT
};

static const struct gp4x_rule rules[R_COUNT] = {
	[R_LOG_ERRORS_INTO] = { "log_errors_into", "LOG ERRORS INTO <error table>",
		"LOG ERRORS [SEGMENT REJECT LIMIT n], read with gp_read_error_log()", GP4X_TO_GP6 },
	[R_GPHDFS] = { "gphdfs", "the gphdfs:// protocol (removed)", "PXF or OSS external tables", GP4X_TO_GP6 },
	[R_STAT_ACTIVITY] = { "pg_stat_activity_columns",
		"pg_stat_activity.procpid / current_query / waiting",
		"pid, state and query, wait_event", GP4X_TO_GP6 },
	[R_RELTOASTIDXID] = { "reltoastidxid", "pg_class.reltoastidxid (removed)",
		"pg_index on the TOAST table", GP4X_TO_GP6 },
	[R_ATTRNUMS] = { "attrnums", "gp_distribution_policy.attrnums",
		"distkey (int2vector) or pg_get_table_distributedby()", GP4X_TO_GP6 },
	[R_FILESPACE] = { "filespace", "filespaces (pg_filespace, CREATE TABLESPACE ... FILESPACE)",
		"plain tablespaces with a LOCATION", GP4X_TO_GP6 },
	[R_GP_LOCALID] = { "gp_localid", "session_level_memory_consumption.__gp_localid/__gp_masterid",
		"the columns of the 6.x view", GP4X_TO_GP6 },
	[R_STRING_AGG] = { "string_agg_one_arg", "string_agg(expr) with one argument",
		"string_agg(expr, '')", GP4X_TO_GP6 },
	[R_INT4_AVG_ACCUM] = { "int4_avg_accum", "int4_avg_accum(bytea, int) in a custom aggregate",
		"int4_avg_accum(bigint[], int)", GP4X_TO_GP6 },
	[R_TIMESTAMP_NO_FORMAT] = { "timestamp_without_format",
		"'YYYYMMDDHH24MISS' digits read as a timestamp without a format",
		"to_timestamp(text, 'YYYYMMDDHH24MISS')", GP4X_TO_GP6 },
	[R_ORAFUNC] = { "orafunc", "the orafunc Oracle compatibility functions", "the orafce extension",
		GP4X_TO_GP6 },
	[R_QUICKLZ] = { "quicklz", "quicklz compression (commercial only in 6, removed in 7)",
		"compresstype=zstd or zlib", GP4X_TO_GP6 | GP4X_TO_GP7 },
	[R_WITH_OIDS] = { "with_oids", "WITH (OIDS) tables (removed in 7)", "a bigserial key column",
		GP4X_TO_GP7 },
	[R_PLPYTHONU] = { "plpythonu", "plpythonu, Python 2 (removed in 7)", "plpython3u", GP4X_TO_GP7 },
	[R_PARTITION_CATALOGS] = { "partition_catalogs",
		"pg_partitions / pg_partition / pg_partition_rule (removed in 7)",
		"pg_partition_tree(), pg_inherits, pg_class.relispartition", GP4X_TO_GP7 },
	[R_RELSTORAGE] = { "relstorage", "pg_class.relstorage (removed in 7)",
		"pg_class.relam joined to pg_am", GP4X_TO_GP7 },
	[R_PROISAGG] = { "proisagg", "pg_proc.proisagg / proiswindow (removed in 7)", "pg_proc.prokind",
		GP4X_TO_GP7 },
	[R_SIZE_OF_PARTITION] = { "gp_size_of_partition_and_indexes_disk",
		"gp_toolkit.gp_size_of_partition_and_indexes_disk (removed in 7)",
		"gp_size_of_table_and_indexes_disk per leaf", GP4X_TO_GP7 },
	[R_ABSTIME] = { "abstime_types", "abstime / reltime / tinterval (removed in 7)",
		"timestamptz, interval, or a pair of timestamptz", GP4X_TO_GP7 },
};

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* Lowercase, comments blanked (-- to end of line, nested block comments);
 * string literals kept, but comment markers inside them are not comments. */
static char *normalize(const char *text, bool sql)
{
	size_t n = strlen(text);
	char *s = xmalloc(n + 1);
	bool in_str = false;
	int depth = 0;
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		if (!sql) {
			s[i] = (char)tolower((unsigned char)c);
			continue;
		}
		if (depth > 0) {
			if (c == '*' && text[i + 1] == '/') {
				s[i] = s[i + 1] = ' ';
				i++;
				depth--;
			} else if (c == '/' && text[i + 1] == '*') {
				s[i] = s[i + 1] = ' ';
				i++;
				depth++;
			} else {
				s[i] = c == '\n' ? '\n' : ' ';
			}
			continue;
		}
		if (!in_str && c == '-' && text[i + 1] == '-') {
			while (i < n && text[i] != '\n')
				s[i++] = ' ';
			if (i < n)
				s[i] = '\n';
			continue;
		}
		if (!in_str && c == '/' && text[i + 1] == '*') {
			s[i] = s[i + 1] = ' ';
			i++;
			depth = 1;
			continue;
		}
		if (c == '\'')
			in_str = !in_str;
		s[i] = (char)tolower((unsigned char)c);
	}
	s[n] = '\0';
	return s;
}

/* The next occurrence of word w in s at or after from, as a whole identifier. */
static const char *find_word(const char *s, const char *from, const char *w)
{
	size_t len = strlen(w);
	for (const char *p = strstr(from, w); p; p = strstr(p + 1, w))
		if ((p == s || !ident_char(p[-1])) && !ident_char(p[len]))
			return p;
	return NULL;
}

static bool has_word(const char *s, const char *w)
{
	return find_word(s, s, w) != NULL;
}

static const char *skip_space(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* p at '(': the number of top-level arguments up to the matching ')', or -1
 * when unbalanced.  Quotes (single and double) are skipped. */
static int count_args(const char *p)
{
	int depth = 0, commas = 0;
	bool any = false;
	for (; *p; p++) {
		if (*p == '\'' || *p == '"') {
			char q = *p;
			for (p++; *p && *p != q; p++)
				;
			if (!*p)
				return -1;
			any = true;
			continue;
		}
		if (*p == '(') {
			depth++;
			continue;
		}
		if (*p == ')') {
			if (--depth == 0)
				return any ? commas + 1 : 0;
			continue;
		}
		if (depth == 1 && *p == ',')
			commas++;
		else if (!isspace((unsigned char)*p))
			any = true;
	}
	return -1;
}

static bool call_with_args(const char *s, const char *fn, int nargs)
{
	for (const char *p = find_word(s, s, fn); p; p = find_word(s, p + 1, fn)) {
		const char *q = skip_space(p + strlen(fn));
		if (*q == '(' && count_args(q) == nargs)
			return true;
	}
	return false;
}

/* 'NNNNNNNN[NNNNNN]' (8 to 14 digits) at p; returns the char after the quote. */
static const char *digits_literal(const char *p)
{
	if (*p != '\'')
		return NULL;
	size_t d = 0;
	for (p++; isdigit((unsigned char)*p); p++)
		d++;
	return *p == '\'' && d >= 8 && d <= 14 ? p + 1 : NULL;
}

static bool timestamp_without_format(const char *s)
{
	/* to_timestamp('20190905140000') */
	for (const char *p = find_word(s, s, "to_timestamp"); p; p = find_word(s, p + 1, "to_timestamp")) {
		const char *q = skip_space(p + strlen("to_timestamp"));
		if (*q != '(')
			continue;
		const char *end = digits_literal(skip_space(q + 1));
		if (end && *skip_space(end) == ')')
			return true;
	}
	/* '20190905140000'::timestamp */
	for (const char *p = strchr(s, '\''); p; p = strchr(p + 1, '\'')) {
		const char *end = digits_literal(p);
		if (!end)
			continue;
		const char *q = skip_space(end);
		if (q[0] == ':' && q[1] == ':' && strncmp(skip_space(q + 2), "timestamp", 9) == 0)
			return true;
		p = end - 1;
	}
	return false;
}

static bool log_errors_into(const char *s)
{
	for (const char *p = find_word(s, s, "log"); p; p = find_word(s, p + 1, "log")) {
		const char *q = skip_space(p + 3);
		if (strncmp(q, "errors", 6) != 0 || ident_char(q[6]))
			continue;
		q = skip_space(q + 6);
		if (strncmp(q, "into", 4) == 0 && !ident_char(q[4]))
			return true;
	}
	return false;
}

static bool with_oids(const char *s)
{
	for (const char *p = find_word(s, s, "oids"); p; p = find_word(s, p + 1, "oids")) {
		const char *q = skip_space(p + 4);
		/* WITH OIDS, WITH (OIDS), WITH (oids=true), WITH (appendonly=true, oids=true) */
		if (*q == '=') {
			q = skip_space(q + 1);
			if (strncmp(q, "true", 4) == 0 || strncmp(q, "'true'", 6) == 0)
				return true;
			continue;
		}
		const char *b = p;
		while (b > s && (isspace((unsigned char)b[-1]) || b[-1] == '('))
			b--;
		if (b - s >= 4 && strncmp(b - 4, "with", 4) == 0 && (b - 4 == s || !ident_char(b[-5])))
			return true;
	}
	return false;
}

static bool matches(int r, const char *s)
{
	switch (r) {
	case R_LOG_ERRORS_INTO: return log_errors_into(s);
	case R_GPHDFS: return strstr(s, "gphdfs://") != NULL;
	case R_STAT_ACTIVITY:
		return has_word(s, "pg_stat_activity") &&
		       (has_word(s, "procpid") || has_word(s, "current_query") || strstr(s, ".waiting"));
	case R_RELTOASTIDXID: return has_word(s, "reltoastidxid");
	case R_ATTRNUMS: return has_word(s, "attrnums");
	case R_FILESPACE:
		return has_word(s, "filespace") || has_word(s, "pg_filespace") ||
		       has_word(s, "pg_filespace_entry");
	case R_GP_LOCALID: return has_word(s, "__gp_localid") || has_word(s, "__gp_masterid");
	case R_STRING_AGG: return call_with_args(s, "string_agg", 1);
	case R_INT4_AVG_ACCUM: return has_word(s, "int4_avg_accum");
	case R_TIMESTAMP_NO_FORMAT: return timestamp_without_format(s);
	case R_ORAFUNC: return has_word(s, "orafunc");
	case R_QUICKLZ: return has_word(s, "quicklz");
	case R_WITH_OIDS: return with_oids(s);
	case R_PLPYTHONU: return has_word(s, "plpythonu");
	case R_PARTITION_CATALOGS:
		return has_word(s, "pg_partitions") || has_word(s, "pg_partition") ||
		       has_word(s, "pg_partition_rule") || has_word(s, "pg_partition_columns") ||
		       has_word(s, "pg_partition_templates");
	case R_RELSTORAGE: return has_word(s, "relstorage");
	case R_PROISAGG: return has_word(s, "proisagg") || has_word(s, "proiswindow");
	case R_SIZE_OF_PARTITION: return has_word(s, "gp_size_of_partition_and_indexes_disk");
	case R_ABSTIME:
		return has_word(s, "abstime") || has_word(s, "reltime") || has_word(s, "tinterval");
	default: return false;
	}
}

size_t gp4x_scan(const char *text, unsigned targets, const struct gp4x_rule **hits, size_t max)
{
	bool sql = !(targets & GP4X_NOT_SQL);
	targets &= GP4X_TO_GP6 | GP4X_TO_GP7;
	if (!text || !*text || !targets)
		return 0;
	char *s = normalize(text, sql);
	size_t n = 0;
	for (int r = 0; r < R_COUNT && n < max; r++)
		if ((rules[r].targets & targets) && matches(r, s))
			hits[n++] = &rules[r];
	free(s);
	return n;
}

bool gp4x_newly_reserved(const char *ident)
{
	/* reference/greenplum.md 5.11: reserved in 6 (sort: reserved, but can
	 * be a function or type name, so not a column name). */
	static const char *const words[] = { "collation", "concurrently", "lateral", "reindex",
					     "variadic", "sort", NULL };
	for (int i = 0; words[i]; i++)
		if (strcmp(ident, words[i]) == 0)
			return true;
	return false;
}
