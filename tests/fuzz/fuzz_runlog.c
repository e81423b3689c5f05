/* fuzz_runlog: the run logs (src/runlog.c) that schema and migrate keep in
 * the state directory, read back on the next run from whatever a crash or a
 * hand edit left.  The input is the file as found.  Checked: it opens, with
 * one entry per key; a record appended to it (fields holding tabs, newlines
 * and backslashes) reads back as written, and every entry read before is
 * still there, unchanged. */
#include "fuzz.h"
#include "journal.h"
#include "log.h"
#include "mem.h"
#include "plan.h"
#include "runlog.h"

#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

static struct plan plan;
static char *path;

static void cleanup(void)
{
	char *cmd = xasprintf("rm -rf '%s'", plan.state_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", plan.state_dir);
	free(cmd);
	free(path);
	plan_done(&plan);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	log_set_console(LOG_ERROR, true);
	plan_init(&plan);
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char *dir = xasprintf("%s/gp2adb-fuzz-runlog.XXXXXX", base);
	if (!mkdtemp(dir))
		abort();
	free(plan.state_dir);
	plan.state_dir = dir;
	struct journal j;
	if (!journal_open(&j, &plan, true))
		abort();
	path = journal_path(&j, "fuzz.log");
	journal_close(&j);
	atexit(cleanup);
	return 0;
}

struct entry {
	char *key, *status, *detail;
};

static const char KEY[] = "pre TABLE \"a\tb\"\\n", STATUS[] = "ok", DETAIL[] = "line 1\nline\\2\t";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd) != 0)
		abort();

	struct runlog rl;
	char err[300];
	FUZZ_CHECK(runlog_open(&rl, &plan, "fuzz.log", err, sizeof err), "runlog_open: %s", err);
	size_t n = rl.n;
	struct entry *before = malloc((n + 1) * sizeof *before);
	if (!before)
		abort();
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(runlog_get(&rl, rl.items[i].key) == &rl.items[i], "key %zu listed twice", i);
		before[i] = (struct entry){ xstrdup(rl.items[i].key), xstrdup(rl.items[i].status),
					    xstrdup(rl.items[i].detail) };
	}
	bool had_key = runlog_get(&rl, KEY) != NULL;
	FUZZ_CHECK(runlog_put(&rl, KEY, STATUS, DETAIL), "runlog_put failed");
	runlog_close(&rl);

	FUZZ_CHECK(runlog_open(&rl, &plan, "fuzz.log", err, sizeof err), "runlog_open again: %s", err);
	const struct runlog_entry *e = runlog_get(&rl, KEY);
	FUZZ_CHECK(e && strcmp(e->status, STATUS) == 0 && strcmp(e->detail, DETAIL) == 0,
		   "the record appended does not read back (%s)", e ? e->status : "missing");
	FUZZ_CHECK(rl.n == n + !had_key, "%zu entries before the append, %zu after", n, rl.n);
	for (size_t i = 0; i < n; i++) {
		const struct runlog_entry *a = runlog_get(&rl, before[i].key);
		if (strcmp(before[i].key, KEY) != 0)
			FUZZ_CHECK(a && strcmp(a->status, before[i].status) == 0 &&
				   strcmp(a->detail, before[i].detail) == 0,
				   "entry '%s' changed by the append", before[i].key);
		free(before[i].key);
		free(before[i].status);
		free(before[i].detail);
	}
	free(before);
	runlog_close(&rl);
	return 0;
}
