/* copytest: helpers shared by the copy integration tests. */
#ifndef GP2ADB_COPYTEST_H
#define GP2ADB_COPYTEST_H

#include <sys/types.h>

/* Fails the test unless every table has the same rows (count and the
 * sorted md5 of each row) on the source and destination databases. */
void ct_assert_identical(const char *src_db, const char *dst_db, const char *const *tables);

/* gp2adb running in the background, output to files in GP2ADB_TEST_DIR. */
struct ct_bg {
	pid_t pid;
	char *out, *err;
};
void ct_bg_start(struct ct_bg *b, const char *const *args);
/* Exit status; kills it and fails the test after `limit` seconds.  *out: its stdout. */
int ct_bg_wait(struct ct_bg *b, double limit, char **out);
void ct_pause_ms(int ms);
/* Wait (up to 20 s) until the source's statistics system counts at least
 * `at_least` rows `what` ("inserted", "updated", "deleted") in table: a
 * session reports its counts when it next goes idle, or ends, some time
 * after its writes committed.  gp2adb reads these counts to tell whether
 * a table changed between two runs (src/source_state.h). */
void ct_wait_counted(const char *src_db, const char *table, const char *what, long long at_least);
double ct_now(void);

#endif
