/* gpdb_ips: the two OpenAPI actions of AnalyticDB for PostgreSQL (product
 * gpdb, API version 2016-05-03) that gp2adb uses for the whitelist:
 * DescribeDBInstanceIPArrayList reads the whitelist groups back, and
 * ModifySecurityIps changes one group (cover, append or delete entries). */
#ifndef GP2ADB_GPDB_IPS_H
#define GP2ADB_GPDB_IPS_H

#include <stdbool.h>
#include <stddef.h>

#include "aliyun_api.h"

#define GPDB_API_VERSION "2016-05-03"

/* ModifySecurityIps' ModifyMode. */
enum gpdb_modify_mode { GPDB_COVER = 0, GPDB_APPEND = 1, GPDB_DELETE = 2 };

struct gpdb_ip_group {
	char *name;                 /* DBInstanceIPArrayName */
	char *attribute;            /* DBInstanceIPArrayAttribute: "" or "hidden" */
	char **ips;                 /* SecurityIPList, split at the commas */
};
struct gpdb_ip_groups {
	struct gpdb_ip_group *v;
	size_t n;
};

void gpdb_ip_groups_init(struct gpdb_ip_groups *g);
void gpdb_ip_groups_done(struct gpdb_ip_groups *g);
/* The group of that name (names compare without case: the API writes "Default"). */
const struct gpdb_ip_group *gpdb_ip_groups_find(const struct gpdb_ip_groups *g, const char *name);
/* Parse a DescribeDBInstanceIPArrayList answer:
 * {"RequestId": .., "Items": {"DBInstanceIPArray": [{"DBInstanceIPArrayName": ..,
 *  "SecurityIPList": "a,b", "DBInstanceIPArrayAttribute": ..}, ...]}} */
bool gpdb_ip_groups_parse(const char *json, struct gpdb_ip_groups *out, char *err, size_t errsize);

/* "a, b,c" -> a string vector (items trimmed, empty ones left out). */
char **gpdb_ip_list_split(const char *list);
/* One entry as the whitelist means it: "10.0.0.1" and "10.0.0.1/32" are the same. */
bool gpdb_ip_same(const char *a, const char *b);
bool gpdb_ip_list_has(char *const *ips, const char *entry);

/* Read the groups (group NULL: all of them). */
bool gpdb_ips_describe(struct aliyun_client *c, const char *instance, const char *group,
		       struct gpdb_ip_groups *out, struct aliyun_error *err);
/* Change one group: list is the comma-separated entries to cover with, add or delete. */
bool gpdb_ips_modify(struct aliyun_client *c, const char *instance, const char *group,
		     enum gpdb_modify_mode mode, const char *list, struct aliyun_error *err);

#endif
