/* apitest: a test's side of the harness's stand-in for Alibaba Cloud's
 * OpenAPI (tests/aliyun_standin.c, started by tests/harness/run-test for
 * it_api_* tests) and of gp2adb against it.  Every helper fails the test
 * when something does not answer as it should. */
#ifndef GP2ADB_APITEST_H
#define GP2ADB_APITEST_H

#include <stdbool.h>

#include "access.h"
#include "plan.h"
#include "testutil.h"

#define AT_INSTANCE "gp-standin01"
#define AT_GROUP "gp2adb_migration"

/* The stand-in's AccessKey (fresh for every run: a secret seen in any
 * output is a leak); at_setup reads it. */
extern char *at_key_id, *at_key_secret;
int at_setup(void **state);
int at_teardown(void **state);

/* "http://127.0.0.1:PORT" (GP2ADB_TEST_API_ENDPOINT). */
const char *at_endpoint(void);
/* GET /standin/<printf text>; the answer's body (caller frees). */
char *at_get(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Forget groups, faults and the log; then the instance exists with its
 * default group (127.0.0.1). */
void at_reset(const char *instance);
void at_set(const char *instance, const char *group, const char *ips);
/* How many API requests of the stand-in's log hold needle ("ModifySecurityIps 2 200"). */
int at_count(const char *needle);
/* Fails unless the group holds exactly want ("a,b"; NULL: no such group). */
void at_expect_group(const char *group, const char *want);

/* One test's world: its own directory, key file (key_text, or the stand-in's
 * key), configuration with an adb group (plus adb_extra) and ledger. */
struct at_world {
	char *dir, *key, *conf;
};
void at_world_open(struct at_world *w, const char *key_text, const char *adb_extra);
void at_world_close(struct at_world *w);

/* The key's secret and its full ID are not in text. */
void at_assert_no_secret(const char *what, const char *text);
/* Run gp2adb -c conf args... (NULL-terminated): the exit code must be want,
 * and neither output may show the key. */
void at_gp(struct tu_run *r, const struct at_world *w, int want, ...);
void at_expect_in(const char *what, const char *text, const char *needle);
/* The plan the binary reads. */
void at_load_plan(const struct at_world *w, struct plan *p);
/* The text of the state directory's ledger, <state_dir>/access/ledger (fails
 * the test when there is none); it and the migration's gp2adb.log are
 * checked for the key.  Caller frees. */
char *at_ledger_text(const struct at_world *w);
enum access_state at_opening_state(const struct at_world *w, int id);

#endif
