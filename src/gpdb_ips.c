#include "gpdb_ips.h"
#include "mem.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void gpdb_ip_groups_init(struct gpdb_ip_groups *g)
{
	g->v = NULL;
	g->n = 0;
}

void gpdb_ip_groups_done(struct gpdb_ip_groups *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].name);
		free(g->v[i].attribute);
		strv_free(g->v[i].ips);
	}
	free(g->v);
	gpdb_ip_groups_init(g);
}

const struct gpdb_ip_group *gpdb_ip_groups_find(const struct gpdb_ip_groups *g, const char *name)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcasecmp(g->v[i].name, name) == 0)
			return &g->v[i];
	return NULL;
}

char **gpdb_ip_list_split(const char *list)
{
	char **v = strv_push(NULL, NULL);
	for (const char *p = list ? list : ""; *p; ) {
		size_t n = strcspn(p, ",");
		const char *s = p;
		size_t k = n;
		while (k && isspace((unsigned char)*s)) {
			s++;
			k--;
		}
		while (k && isspace((unsigned char)s[k - 1]))
			k--;
		if (k) {
			char *item = xstrndup(s, k);
			v = strv_push(v, item);
			free(item);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return v;
}

static size_t base_len(const char *s)
{
	size_t n = strlen(s);
	if (n > 3 && strcmp(s + n - 3, "/32") == 0 && strchr(s, '.'))
		return n - 3;
	return n;
}

bool gpdb_ip_same(const char *a, const char *b)
{
	size_t la = base_len(a), lb = base_len(b);
	return la == lb && strncmp(a, b, la) == 0;
}

bool gpdb_ip_list_has(char *const *ips, const char *entry)
{
	for (size_t i = 0; ips && ips[i]; i++)
		if (gpdb_ip_same(ips[i], entry))
			return true;
	return false;
}

bool gpdb_ip_groups_parse(const char *json, struct gpdb_ip_groups *out, char *err, size_t errsize)
{
	gpdb_ip_groups_init(out);
	json_error_t jerr;
	json_t *root = json_loads(json, 0, &jerr);
	if (!root) {
		snprintf(err, errsize, "the answer is not JSON (line %d: %s)", jerr.line, jerr.text);
		return false;
	}
	json_t *arr = json_object_get(json_object_get(root, "Items"), "DBInstanceIPArray");
	if (!json_is_array(arr)) {
		snprintf(err, errsize, "the answer has no Items.DBInstanceIPArray list");
		json_decref(root);
		return false;
	}
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item) {
		const char *name = json_string_value(json_object_get(item, "DBInstanceIPArrayName"));
		const char *list = json_string_value(json_object_get(item, "SecurityIPList"));
		const char *attr = json_string_value(json_object_get(item, "DBInstanceIPArrayAttribute"));
		if (!name) {
			snprintf(err, errsize, "whitelist group %zu of the answer has no DBInstanceIPArrayName", i + 1);
			gpdb_ip_groups_done(out);
			json_decref(root);
			return false;
		}
		out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
		struct gpdb_ip_group *g = &out->v[out->n++];
		g->name = xstrdup(name);
		g->attribute = xstrdup(attr ? attr : "");
		g->ips = gpdb_ip_list_split(list);
	}
	json_decref(root);
	return true;
}

bool gpdb_ips_describe(struct aliyun_client *c, const char *instance, const char *group,
		       struct gpdb_ip_groups *out, struct aliyun_error *err)
{
	gpdb_ip_groups_init(out);
	struct aliyun_params ps;
	aliyun_params_init(&ps);
	aliyun_params_set(&ps, "DBInstanceId", instance);
	if (group)
		aliyun_params_set(&ps, "DBInstanceIPArrayName", group);
	char *body = NULL;
	bool ok = aliyun_call(c, "DescribeDBInstanceIPArrayList", &ps, &body, err);
	aliyun_params_done(&ps);
	if (ok && !gpdb_ip_groups_parse(body, out, err->message, sizeof err->message)) {
		/* an answer gp2adb cannot read tells nothing about the whitelist */
		ok = false;
	}
	free(body);
	return ok;
}

bool gpdb_ips_modify(struct aliyun_client *c, const char *instance, const char *group,
		     enum gpdb_modify_mode mode, const char *list, struct aliyun_error *err)
{
	struct aliyun_params ps;
	aliyun_params_init(&ps);
	char m[8];
	snprintf(m, sizeof m, "%d", (int)mode);
	aliyun_params_set(&ps, "DBInstanceId", instance);
	aliyun_params_set(&ps, "DBInstanceIPArrayName", group);
	aliyun_params_set(&ps, "SecurityIPList", list);
	aliyun_params_set(&ps, "ModifyMode", m);
	char *body = NULL;
	bool ok = aliyun_call(c, "ModifySecurityIps", &ps, &body, err);
	aliyun_params_done(&ps);
	free(body);
	return ok;
}
