#include "plan.h"
#include "mem.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void plan_init(struct plan *p)
{
	memset(p, 0, sizeof *p);
	p->source.connect_timeout = 10;
	p->destination.connect_timeout = 10;
	p->ssh.port = 22;
	p->ssh.identity = plan_expand_home("~/.ssh/id_ed25519");
	p->ssh.known_hosts = plan_expand_home("~/.ssh/known_hosts");
	p->jobs = 4;
	p->mode = MODE_TRUNCATE;
	p->format = FORMAT_AUTO;
	p->split_threshold_mb = 1024;
	p->validate = VALIDATE_AGGREGATES;
	p->validate_sample_mb = 0;
	p->validate_sample_percent = 10;
	p->analyze = true;
	p->roles = true;
	p->retries = 5;
	p->retry_window_s = 300;
	p->path = PATH_AUTO;
	p->segment_path_min_mb = 64;
	p->state_dir = plan_expand_home("~/.local/state/gp2adb");
	p->adb.whitelist_group = xstrdup("gp2adb_migration");
}

static void endpoint_done(struct endpoint *e)
{
	free(e->host);
	free(e->user);
	free(e->dbname);
	mem_wipe_free(e->password);
	free(e->sslmode);
}

void plan_done(struct plan *p)
{
	free(p->config_path);
	endpoint_done(&p->source);
	endpoint_done(&p->destination);
	free(p->ssh.master);
	free(p->ssh.user);
	free(p->ssh.identity);
	free(p->ssh.known_hosts);
	free(p->ssh.gphome);
	strv_free(p->ssh.segment_hosts);
	mem_wipe_free(p->ssh.password);
	strv_free(p->databases);
	free(p->business_queries);
	strv_free(p->backfill_keys);
	strv_free(p->include);
	strv_free(p->exclude);
	free(p->relay_listen);
	free(p->relay_advertise);
	free(p->state_dir);
	free(p->source_encoding);
	free(p->adb.instance_id);
	free(p->adb.region);
	free(p->adb.access_key_file);
	free(p->adb.endpoint);
	free(p->adb.whitelist_group);
	memset(p, 0, sizeof *p);
}

static const char *const mode_names[] = { "truncate", "append", "skip-existing", "drop" };
static const char *const format_names[] = { "auto", "text", "binary" };
static const char *const validate_names[] = { "none", "count", "aggregates", "checksum" };
static const char *const instance_names[] = { "unknown", "classic", "elastic", "serverless" };
static const char *const path_names[] = { "auto", "coordinator", "segment" };

static bool name_parse(const char *const *names, int n, const char *s, int *out)
{
	for (int i = 0; s && i < n; i++) {
		if (strcmp(names[i], s) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

#define NAME_FUNCS(kind, type, names)                                     \
	const char *plan_##kind##_name(type v) { return names[v]; }           \
	bool plan_##kind##_parse(const char *s, type *out)                    \
	{                                                                     \
		int i;                                                            \
		if (!name_parse(names, (int)(sizeof names / sizeof names[0]), s, &i)) \
			return false;                                                 \
		*out = (type)i;                                                   \
		return true;                                                      \
	}

NAME_FUNCS(mode, enum copy_mode, mode_names)
NAME_FUNCS(format, enum copy_format, format_names)
NAME_FUNCS(validate, enum validate_level, validate_names)
NAME_FUNCS(instance_mode, enum instance_mode, instance_names)
NAME_FUNCS(path, enum copy_path, path_names)

char *plan_expand_home(const char *path)
{
	if (!path)
		return NULL;
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
		const char *home = getenv("HOME");
		return xasprintf("%s%s", home ? home : "", path + 1);
	}
	return xstrdup(path);
}

bool plan_selects(const struct plan *p, const char *schema, const char *table)
{
	char *name = xasprintf("%s.%s", schema, table);
	bool selected = strv_len(p->include) == 0;
	for (size_t i = 0; !selected && p->include && p->include[i]; i++)
		selected = fnmatch(p->include[i], name, 0) == 0;
	for (size_t i = 0; selected && p->exclude && p->exclude[i]; i++)
		selected = fnmatch(p->exclude[i], name, 0) != 0;
	free(name);
	return selected;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	h ^= 0xff;      /* field separator, so "ab"+"c" differs from "a"+"bc" */
	h *= 1099511628211ULL;
	return h;
}

static uint64_t endpoint_hash(uint64_t h, const struct endpoint *e)
{
	char port[16];
	snprintf(port, sizeof port, "%d", e->port);
	h = fnv1a(h, e->host ? e->host : getenv("PGHOST"));
	h = fnv1a(h, e->port ? port : getenv("PGPORT"));
	return fnv1a(h, e->dbname ? e->dbname : getenv("PGDATABASE"));
}

void plan_migration_id(const struct plan *p, char out[16])
{
	uint64_t h = 1469598103934665603ULL;
	h = endpoint_hash(h, &p->source);
	h = endpoint_hash(h, &p->destination);
	snprintf(out, 16, "m%012llx", (unsigned long long)(h & 0xffffffffffffULL));
}
