/* standin: a test's side of the harness's stand-in for Alibaba Cloud's
 * OpenAPI (tests/aliyun_standin.c, started by tests/harness/run-test for
 * it_api_* tests): where it listens, its AccessKey, and its steering
 * requests.  Every helper fails the test when the stand-in does not answer. */
#ifndef GP2ADB_TEST_STANDIN_H
#define GP2ADB_TEST_STANDIN_H

/* "http://127.0.0.1:PORT" (GP2ADB_TEST_API_ENDPOINT). */
const char *standin_endpoint(void);
/* The stand-in's AccessKey file (GP2ADB_TEST_API_KEY), and its values (caller frees). */
const char *standin_key_path(void);
void standin_key(char **id, char **secret);

/* GET /standin/<printf text>; the answer's body (caller frees). */
char *standin_get(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Forget groups, faults and the log; then the instance exists with no group. */
void standin_reset(const char *instance);
void standin_set(const char *instance, const char *group, const char *ips);
/* The group's entries ("a,b"), or NULL when the instance has no such group (caller frees). */
char *standin_group(const char *instance, const char *group);
/* How many API requests of the log hold needle ("ModifySecurityIps 2 200"). */
int standin_count(const char *needle);

#endif
