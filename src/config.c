#include "config.h"
#include "encoding.h"
#include "aliyun_api.h"
#include "mem.h"
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One known key: its group ("" at the top), name and kind. */
enum key_kind { K_GROUP, K_STRING, K_INT, K_BOOL, K_STRLIST };

struct key_spec {
	const char *group;
	const char *name;
	enum key_kind kind;
	long min, max;          /* K_INT range */
};

static const struct key_spec keys[] = {
	{ "", "source", K_GROUP, 0, 0 },
	{ "", "destination", K_GROUP, 0, 0 },
	{ "", "ssh", K_GROUP, 0, 0 },
	{ "", "migration", K_GROUP, 0, 0 },
	{ "", "network", K_GROUP, 0, 0 },
	{ "", "adb", K_GROUP, 0, 0 },
	{ "", "state_dir", K_STRING, 0, 0 },
#define ENDPOINT_KEYS(g)                                  \
	{ g, "host", K_STRING, 0, 0 },                        \
	{ g, "port", K_INT, 1, 65535 },                       \
	{ g, "user", K_STRING, 0, 0 },                        \
	{ g, "dbname", K_STRING, 0, 0 },                      \
	{ g, "password", K_STRING, 0, 0 },                    \
	{ g, "sslmode", K_STRING, 0, 0 },                     \
	{ g, "connect_timeout", K_INT, 1, 3600 }
	ENDPOINT_KEYS("source"),
	ENDPOINT_KEYS("destination"),
	{ "destination", "mode", K_STRING, 0, 0 },
	{ "ssh", "master", K_STRING, 0, 0 },
	{ "ssh", "user", K_STRING, 0, 0 },
	{ "ssh", "port", K_INT, 1, 65535 },
	{ "ssh", "identity", K_STRING, 0, 0 },
	{ "ssh", "known_hosts", K_STRING, 0, 0 },
	{ "ssh", "gphome", K_STRING, 0, 0 },
	{ "ssh", "segment_hosts", K_STRLIST, 0, 0 },
	{ "ssh", "password", K_STRING, 0, 0 },
	{ "migration", "databases", K_STRLIST, 0, 0 },
	{ "migration", "include", K_STRLIST, 0, 0 },
	{ "migration", "exclude", K_STRLIST, 0, 0 },
	{ "migration", "jobs", K_INT, 1, 64 },
	{ "migration", "mode", K_STRING, 0, 0 },
	{ "migration", "format", K_STRING, 0, 0 },
	{ "migration", "split_threshold_mb", K_INT, 1, 1048576 },
	{ "migration", "validate", K_STRING, 0, 0 },
	{ "migration", "validate_sample_mb", K_INT, 0, 1048576 * 1024 },
	{ "migration", "validate_sample_percent", K_INT, 1, 100 },
	{ "migration", "analyze", K_BOOL, 0, 0 },
	{ "migration", "retries", K_INT, 1, 100 },
	{ "migration", "retry_window_s", K_INT, 0, 86400 },
	{ "migration", "source_encoding", K_STRING, 0, 0 },
	{ "migration", "business_queries", K_STRING, 0, 0 },
	{ "migration", "roles", K_BOOL, 0, 0 },
	{ "migration", "backfill_keys", K_STRLIST, 0, 0 },
	{ "migration", "path", K_STRING, 0, 0 },
	{ "migration", "segment_path_min_mb", K_INT, 0, 1048576 },
	{ "migration", "relay_listen", K_STRING, 0, 0 },
	{ "migration", "relay_advertise", K_STRING, 0, 0 },
	{ "network", "source_reaches_destination", K_BOOL, 0, 0 },
	{ "network", "destination_reaches_source", K_BOOL, 0, 0 },
	{ "adb", "instance_id", K_STRING, 0, 0 },
	{ "adb", "region", K_STRING, 0, 0 },
	{ "adb", "access_key_file", K_STRING, 0, 0 },
	{ "adb", "endpoint", K_STRING, 0, 0 },
	{ "adb", "whitelist_group", K_STRING, 0, 0 },
};
#define NKEYS (sizeof keys / sizeof keys[0])

static const char *const sslmodes[] = {
	"disable", "allow", "prefer", "require", "verify-ca", "verify-full", NULL
};

struct loader {
	const char *path;
	char *err;
	size_t errsize;
	bool failed;
};

static bool fail(struct loader *L, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail(struct loader *L, const config_setting_t *s, const char *fmt, ...)
{
	if (L->failed)
		return false;
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	int line = s ? config_setting_source_line(s) : 0;
	if (line > 0)
		snprintf(L->err, L->errsize, "%s:%d: %s", L->path, line, msg);
	else
		snprintf(L->err, L->errsize, "%s: %s", L->path, msg);
	L->failed = true;
	return false;
}

int config_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int *row = xcalloc(lb + 1, sizeof *row);
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int cost = a[i - 1] == b[j - 1] ? 0 : 1;
			int best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	int d = row[lb];
	free(row);
	return d;
}

static const struct key_spec *find_key(const char *group, const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].group, group) == 0 && strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static const char *nearest_key(const char *group, const char *name)
{
	const char *best = NULL;
	int best_d = 1000;
	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].group, group) != 0)
			continue;
		int d = config_distance(name, keys[i].name);
		if (d < best_d) {
			best_d = d;
			best = keys[i].name;
		}
	}
	/* Suggest only what is plausibly a typo. */
	return best && best_d <= 3 ? best : NULL;
}

/* A value from the file as an error shows it: on one line, control
 * characters escaped (\n, \t, \xNN), cut at `most` bytes (shown(): 80). */
static const char *shown_upto(const char *v, char *buf, size_t size, size_t most)
{
	size_t k = 0;
	for (const unsigned char *c = (const unsigned char *)v; *c && k + 5 < size && k < most; c++) {
		if (*c == '\n' || *c == '\t')
			k += (size_t)snprintf(buf + k, size - k, "\\%c", *c == '\n' ? 'n' : 't');
		else if (*c < 0x20 || *c == 0x7f)
			k += (size_t)snprintf(buf + k, size - k, "\\x%02x", *c);
		else
			buf[k++] = (char)*c;
	}
	buf[k] = '\0';
	return buf;
}

static const char *shown(const char *v, char *buf, size_t size)
{
	return shown_upto(v, buf, size, 80);
}

static const char *kind_words(const struct key_spec *k, char *buf, size_t size)
{
	switch (k->kind) {
	case K_GROUP: return "a group { ... }";
	case K_STRING: return "a string in double quotes";
	case K_BOOL: return "true or false";
	case K_STRLIST: return "a list of strings [ \"a\", \"b\" ]";
	case K_INT:
		snprintf(buf, size, "an integer from %ld to %ld", k->min, k->max);
		return buf;
	}
	return "?";
}

/* Check every setting of a group against the known keys and their types. */
static bool check_group(struct loader *L, const config_setting_t *grp, const char *gname)
{
	int n = config_setting_length(grp);
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(grp, (unsigned)i);
		const char *name = config_setting_name(s);
		if (!name)
			continue;
		const struct key_spec *k = find_key(gname, name);
		if (!k) {
			const char *near = nearest_key(gname, name);
			char where[80] = "";
			if (gname[0])
				snprintf(where, sizeof where, " in group '%s'", gname);
			if (near)
				return fail(L, s, "unknown key '%s'%s (did you mean '%s'?)", name, where, near);
			return fail(L, s, "unknown key '%s'%s", name, where);
		}
		int t = config_setting_type(s);
		char buf[64];
		bool ok = true;
		switch (k->kind) {
		case K_GROUP: ok = t == CONFIG_TYPE_GROUP; break;
		case K_STRING: ok = t == CONFIG_TYPE_STRING; break;
		case K_BOOL: ok = t == CONFIG_TYPE_BOOL; break;
		case K_INT:
			ok = t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
			if (ok) {
				long long v = config_setting_get_int64(s);
				if (v < k->min || v > k->max)
					return fail(L, s, "'%s' is %lld; it must be %s", name, v,
						    kind_words(k, buf, sizeof buf));
			}
			break;
		case K_STRLIST:
			ok = t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST;
			for (int j = 0; ok && j < config_setting_length(s); j++)
				ok = config_setting_type(config_setting_get_elem(s, (unsigned)j)) ==
				     CONFIG_TYPE_STRING;
			break;
		}
		if (!ok)
			return fail(L, s, "'%s' must be %s", name, kind_words(k, buf, sizeof buf));
		if (k->kind == K_GROUP && !check_group(L, s, name))
			return false;
	}
	return true;
}

static void take_string(const config_setting_t *grp, const char *name, char **dst, bool home)
{
	const char *v;
	if (grp && config_setting_lookup_string(grp, name, &v)) {
		free(*dst);
		*dst = home ? plan_expand_home(v) : xstrdup(v);
	}
}

static void take_int(const config_setting_t *grp, const char *name, int *dst)
{
	long long v;
	if (grp && config_setting_lookup_int64(grp, name, &v))
		*dst = (int)v;
}

static char **take_list(const config_setting_t *grp, const char *name, char **old)
{
	const config_setting_t *s = grp ? config_setting_get_member(grp, name) : NULL;
	if (!s)
		return old;
	strv_free(old);
	char **v = NULL;
	for (int i = 0; i < config_setting_length(s); i++)
		v = strv_push(v, config_setting_get_string_elem(s, (unsigned)i));
	return v;
}

static bool take_endpoint(struct loader *L, const config_setting_t *grp, struct endpoint *ep)
{
	if (!grp)
		return true;
	take_string(grp, "host", &ep->host, false);
	take_int(grp, "port", &ep->port);
	take_string(grp, "user", &ep->user, false);
	take_string(grp, "dbname", &ep->dbname, false);
	take_string(grp, "password", &ep->password, false);
	take_string(grp, "sslmode", &ep->sslmode, false);
	take_int(grp, "connect_timeout", &ep->connect_timeout);
	if (ep->sslmode) {
		bool known = false;
		for (int i = 0; sslmodes[i]; i++)
			known |= strcmp(sslmodes[i], ep->sslmode) == 0;
		char buf[100];
		if (!known)
			return fail(L, config_setting_get_member(grp, "sslmode"),
				    "sslmode '%s' is not one of disable, allow, prefer, require, "
				    "verify-ca, verify-full", shown(ep->sslmode, buf, sizeof buf));
	}
	return true;
}

static bool take_enum(struct loader *L, const config_setting_t *grp, const char *name,
		      const char *choices, bool (*parse)(const char *, void *), void *dst)
{
	const char *v;
	if (!grp || !config_setting_lookup_string(grp, name, &v))
		return true;
	char buf[100];
	if (!parse(v, dst))
		return fail(L, config_setting_get_member(grp, name), "'%s' is \"%s\"; it must be one of %s",
			    name, shown(v, buf, sizeof buf), choices);
	return true;
}

/* migration.source_encoding: a PostgreSQL encoding name, kept canonical. */
static bool take_source_encoding(struct loader *L, const config_setting_t *grp, struct plan *p)
{
	const char *v;
	if (!grp || !config_setting_lookup_string(grp, "source_encoding", &v))
		return true;
	char name[32];
	const config_setting_t *s = config_setting_get_member(grp, "source_encoding");
	char buf[400];
	if (!encoding_canonical(v, name, sizeof name))
		return fail(L, s, "'source_encoding' is \"%s\", which is not a PostgreSQL encoding name "
			    "(\"UTF8\", \"GBK\", \"LATIN1\", \"EUC_CN\", \"BIG5\", ...)", shown(v, buf, sizeof buf));
	if (strcmp(name, "SQL_ASCII") == 0)
		return fail(L, s, "'source_encoding' names the encoding the source's SQL_ASCII text is really "
			    "in; SQL_ASCII says nothing (\"UTF8\" when the text is UTF-8 or plain ASCII)");
	free(p->source_encoding);
	p->source_encoding = xstrdup(name);
	return true;
}

static bool parse_mode(const char *s, void *d) { return plan_mode_parse(s, d); }
static bool parse_format(const char *s, void *d) { return plan_format_parse(s, d); }
static bool parse_validate(const char *s, void *d) { return plan_validate_parse(s, d); }
static bool parse_instance(const char *s, void *d) { return plan_instance_mode_parse(s, d); }
static bool parse_path(const char *s, void *d) { return plan_path_parse(s, d); }

static void take_tristate(const config_setting_t *grp, const char *name, enum tristate *dst)
{
	int v;
	if (grp && config_setting_lookup_bool(grp, name, &v))
		*dst = v ? TRI_YES : TRI_NO;
}

static bool chars_ok(const char *s, size_t min, size_t max, const char *extra, bool lower_only)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return false;
	for (const char *c = s; *c; c++) {
		bool letter = lower_only ? (*c >= 'a' && *c <= 'z') : ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z'));
		if (!letter && !(*c >= '0' && *c <= '9') && !strchr(extra, *c))
			return false;
	}
	return true;
}

/* The adb group: the instance and the AccessKey that let gp2adb open and
 * close its whitelist entry through the OpenAPI. */
static bool take_adb(struct loader *L, const config_setting_t *grp, struct adb_plan *a)
{
	if (!grp)
		return true;
	take_string(grp, "instance_id", &a->instance_id, false);
	take_string(grp, "region", &a->region, false);
	take_string(grp, "access_key_file", &a->access_key_file, true);
	take_string(grp, "endpoint", &a->endpoint, false);
	take_string(grp, "whitelist_group", &a->whitelist_group, false);
	char buf[400];
	if (a->instance_id && !chars_ok(a->instance_id, 1, 64, "-", false))
		return fail(L, config_setting_get_member(grp, "instance_id"),
			    "instance_id \"%s\" is not an instance id like gp-bp12ga6v69h86xxxx",
			    shown(a->instance_id, buf, sizeof buf));
	if (!chars_ok(a->whitelist_group, 2, 120, "_", true) || a->whitelist_group[0] < 'a' ||
	    a->whitelist_group[0] > 'z')
		return fail(L, config_setting_get_member(grp, "whitelist_group"),
			    "whitelist_group \"%s\" must be 2 to 120 lower-case letters, digits and underscores, "
			    "starting with a letter", shown(a->whitelist_group, buf, sizeof buf));
	if (a->access_key_file && !a->instance_id)
		return fail(L, config_setting_get_member(grp, "access_key_file"),
			    "access_key_file is set but instance_id is not: name the ADB instance (gp-...) "
			    "whose whitelist gp2adb may change");
	if (a->access_key_file || a->endpoint) {
		char *url = NULL, why[300];
		bool ok = aliyun_endpoint_url(a->endpoint, a->region, &url, why, sizeof why);
		free(url);
		if (!ok) {
			const config_setting_t *at = config_setting_get_member(grp, a->endpoint ? "endpoint" : "region");
			char flat[700];
			return fail(L, at ? at : grp, "adb: %s", shown_upto(why, flat, sizeof flat, sizeof flat));
		}
	}
	return true;
}

static bool holds_password(const config_t *cfg)
{
	return config_lookup(cfg, "source.password") || config_lookup(cfg, "destination.password") ||
	       config_lookup(cfg, "ssh.password");
}

bool config_load(struct plan *p, const char *path, char *err, size_t errsize)
{
	struct loader L = { path, err, errsize, false };
	char buf[400];      /* a value as an error shows it (shown()) */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errsize, "%s: cannot open: %s", path, strerror(errno));
		return false;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsize, "%s: not a regular file", path);
		close(fd);
		return false;
	}
	FILE *f = fdopen(fd, "r");
	if (!f) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		close(fd);
		return false;
	}
	config_t cfg;
	config_init(&cfg);
	if (!config_read(&cfg, f)) {
		snprintf(err, errsize, "%s:%d: %s", path, config_error_line(&cfg), config_error_text(&cfg));
		config_destroy(&cfg);
		fclose(f);
		return false;
	}
	fclose(f);

	/* Check permissions before anything is read out of the file: the same
	 * rule ssh and libpq apply to keys and .pgpass (reference/reliability.md 5). */
	if (holds_password(&cfg) && ((st.st_mode & 077) != 0 || st.st_uid != geteuid())) {
		if (st.st_uid != geteuid())
			snprintf(err, errsize, "%s: holds a password but belongs to another user (uid %u); "
				 "the file must be owned by you and readable by you only",
				 path, (unsigned)st.st_uid);
		else
			snprintf(err, errsize, "%s: holds a password but its permissions are %04o "
				 "(readable by group or others); refusing it. Run: chmod 600 %s",
				 path, (unsigned)(st.st_mode & 07777), path);
		config_destroy(&cfg);
		return false;
	}

	const config_setting_t *root = config_root_setting(&cfg);
	if (!check_group(&L, root, "")) {
		config_destroy(&cfg);
		return false;
	}
	const config_setting_t *src = config_lookup(&cfg, "source");
	const config_setting_t *dst = config_lookup(&cfg, "destination");
	const config_setting_t *ssh = config_lookup(&cfg, "ssh");
	const config_setting_t *mig = config_lookup(&cfg, "migration");
	const config_setting_t *net = config_lookup(&cfg, "network");

	take_endpoint(&L, src, &p->source);
	take_endpoint(&L, dst, &p->destination);
	take_enum(&L, dst, "mode", "\"classic\", \"elastic\", \"serverless\" or \"unknown\"",
		  parse_instance, &p->instance_mode);

	take_string(ssh, "master", &p->ssh.master, false);
	take_string(ssh, "user", &p->ssh.user, false);
	take_int(ssh, "port", &p->ssh.port);
	take_string(ssh, "identity", &p->ssh.identity, true);
	take_string(ssh, "known_hosts", &p->ssh.known_hosts, true);
	take_string(ssh, "gphome", &p->ssh.gphome, false);
	p->ssh.segment_hosts = take_list(ssh, "segment_hosts", p->ssh.segment_hosts);
	take_string(ssh, "password", &p->ssh.password, false);

	p->databases = take_list(mig, "databases", p->databases);
	p->include = take_list(mig, "include", p->include);
	p->exclude = take_list(mig, "exclude", p->exclude);
	p->backfill_keys = take_list(mig, "backfill_keys", p->backfill_keys);
	for (size_t i = 0; p->backfill_keys && p->backfill_keys[i] && !L.failed; i++) {
		const char *k = p->backfill_keys[i], *colon = strrchr(k, ':'), *dot = strchr(k, '.');
		if (!colon || !dot || dot > colon || colon[1] == '\0' || dot == k || dot + 1 == colon)
			fail(&L, config_lookup(&cfg, "migration.backfill_keys"),
			     "backfill_keys entry \"%s\" is not schema.table:column", shown(k, buf, sizeof buf));
	}
	take_string(mig, "business_queries", &p->business_queries, true);
	take_int(mig, "jobs", &p->jobs);
	{
		int v = (int)p->split_threshold_mb;
		take_int(mig, "split_threshold_mb", &v);
		p->split_threshold_mb = v;
	}
	take_int(mig, "retries", &p->retries);
	take_int(mig, "retry_window_s", &p->retry_window_s);
	{
		int v = (int)p->validate_sample_mb;
		take_int(mig, "validate_sample_mb", &v);
		p->validate_sample_mb = v;
	}
	take_int(mig, "validate_sample_percent", &p->validate_sample_percent);
	take_enum(&L, mig, "mode", "\"truncate\", \"append\", \"skip-existing\" or \"drop\"",
		  parse_mode, &p->mode);
	take_enum(&L, mig, "format", "\"auto\", \"text\" or \"binary\"", parse_format, &p->format);
	take_source_encoding(&L, mig, p);
	take_enum(&L, mig, "path", "\"auto\", \"coordinator\" or \"segment\"", parse_path, &p->path);
	{
		int v = (int)p->segment_path_min_mb;
		take_int(mig, "segment_path_min_mb", &v);
		p->segment_path_min_mb = v;
	}
	take_string(mig, "relay_listen", &p->relay_listen, false);
	take_string(mig, "relay_advertise", &p->relay_advertise, false);
	if (p->relay_listen && !relay_address_parse(p->relay_listen, true, NULL, 0, NULL))
		fail(&L, config_lookup(&cfg, "migration.relay_listen"),
		     "'relay_listen' must be HOST:PORT, e.g. \"0.0.0.0:0\" (any address, a free port) or \"10.0.0.5:8099\"");
	if (p->relay_advertise && !relay_address_parse(p->relay_advertise, false, NULL, 0, NULL))
		fail(&L, config_lookup(&cfg, "migration.relay_advertise"),
		     "'relay_advertise' must be HOST or HOST:PORT: the address of this host that the segments of "
		     "both clusters reach, e.g. \"10.0.0.5\"");
	take_enum(&L, mig, "validate", "\"none\", \"count\", \"aggregates\" or \"checksum\"",
		  parse_validate, &p->validate);
	int b;
	if (mig && config_setting_lookup_bool(mig, "analyze", &b))
		p->analyze = b;
	if (mig && config_setting_lookup_bool(mig, "roles", &b))
		p->roles = b;
	take_tristate(net, "source_reaches_destination", &p->source_reaches_destination);
	take_tristate(net, "destination_reaches_source", &p->destination_reaches_source);
	if (!L.failed)
		take_adb(&L, config_lookup(&cfg, "adb"), &p->adb);

	const char *sd;
	if (config_lookup_string(&cfg, "state_dir", &sd)) {
		free(p->state_dir);
		p->state_dir = plan_expand_home(sd);
	}
	bool several = strv_len(p->databases) > 1 ||
		       (strv_len(p->databases) == 1 && strcmp(p->databases[0], "all") == 0);
	if (several && (p->source.dbname || p->destination.dbname) && !L.failed)
		fail(&L, config_lookup(&cfg, "migration.databases"),
		     "with several databases (or \"all\"), leave source.dbname and destination.dbname out: "
		     "each database is migrated into the database of the same name");
	for (size_t i = 0; several && p->databases[i] && !L.failed; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(p->databases[i], p->databases[k]) == 0)
				fail(&L, config_lookup(&cfg, "migration.databases"), "database \"%s\" is listed twice",
				     shown(p->databases[i], buf, sizeof buf));
	if (!several && strv_len(p->databases) == 1 && !p->source.dbname && !L.failed) {
		p->source.dbname = xstrdup(p->databases[0]);
	}
	if (!several && strv_len(p->databases) == 1 && !p->destination.dbname && !L.failed)
		p->destination.dbname = xstrdup(p->databases[0]);

	config_destroy(&cfg);
	if (L.failed)
		return false;
	free(p->config_path);
	p->config_path = xstrdup(path);
	return true;
}

char *config_default_path(void)
{
	if (access("gp2adb.conf", F_OK) == 0)
		return xstrdup("gp2adb.conf");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	char *path;
	if (xdg && xdg[0])
		path = xasprintf("%s/gp2adb/gp2adb.conf", xdg);
	else
		path = xasprintf("%s/.config/gp2adb/gp2adb.conf", getenv("HOME") ? getenv("HOME") : "");
	if (access(path, F_OK) == 0)
		return path;
	free(path);
	return NULL;
}
