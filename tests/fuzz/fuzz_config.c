/* fuzz_config: the configuration loader (config_load, src/config.c) on any
 * file.  The input is written to a file of mode 0600 (the loader reads a
 * path: permissions and all, one code path).  Checked: a file it accepts
 * gives a plan within the documented ranges; a file it refuses gives a
 * one-line error naming the file, which never holds a password the file
 * sets. */
#include "fuzz.h"
#include "config.h"
#include "log.h"
#include "mem.h"
#include "plan.h"

#include <fcntl.h>
#include <libconfig.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static char path[96];

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	log_set_console(LOG_ERROR, true);
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof dir, "%s/gp2adb-fuzz-config.XXXXXX", base);
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/gp2adb.conf", dir);
	atexit(cleanup);
	return 0;
}

/* Whether an error message could hold v by chance: the messages' own words
 * are lower case, and v must appear in the file only as the password. */
static bool telling(const char *text, const char *v)
{
	bool upper = false, digit = false;
	for (const char *c = v; *c; c++) {
		upper |= *c >= 'A' && *c <= 'Z';
		digit |= *c >= '0' && *c <= '9';
	}
	const char *first = strstr(text, v);
	return strlen(v) >= 8 && upper && digit && first && !strstr(first + 1, v);
}

/* The passwords the text sets, as libconfig reads them, that an error
 * message must not show (NULL when none). */
static void passwords(const char *text, char *out[3])
{
	static const char *const keys[] = { "source.password", "destination.password", "ssh.password" };
	config_t cfg;
	config_init(&cfg);
	bool ok = config_read_string(&cfg, text);
	for (int i = 0; i < 3; i++) {
		const char *v = NULL;
		out[i] = ok && config_lookup_string(&cfg, keys[i], &v) && telling(text, v) ? xstrdup(v) : NULL;
	}
	config_destroy(&cfg);
}

static bool in_range(long v, long lo, long hi)
{
	return v >= lo && v <= hi;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	/* libconfig's @include would read other files: not this target's input. */
	if (memmem(data, size, "@include", 8) || memmem(data, size, "@INCLUDE", 8))
		return 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd) != 0)
		abort();

	struct plan p;
	plan_init(&p);
	char err[1024] = "";
	if (config_load(&p, path, err, sizeof err)) {
		FUZZ_CHECK(p.config_path && strcmp(p.config_path, path) == 0, "config_path is not the file");
		FUZZ_CHECK(p.source.port == 0 || in_range(p.source.port, 1, 65535), "source.port %d", p.source.port);
		FUZZ_CHECK(p.destination.port == 0 || in_range(p.destination.port, 1, 65535),
			   "destination.port %d", p.destination.port);
		FUZZ_CHECK(in_range(p.ssh.port, 1, 65535), "ssh.port %d", p.ssh.port);
		FUZZ_CHECK(in_range(p.source.connect_timeout, 1, 3600) &&
			   in_range(p.destination.connect_timeout, 1, 3600), "connect_timeout out of range");
		FUZZ_CHECK(in_range(p.jobs, 1, 64), "jobs %d", p.jobs);
		FUZZ_CHECK(in_range(p.retries, 1, 100), "retries %d", p.retries);
		FUZZ_CHECK(in_range(p.split_threshold_mb, 1, 1048576), "split_threshold_mb %ld",
			   p.split_threshold_mb);
		FUZZ_CHECK(in_range(p.validate_sample_mb, 0, 1048576L * 1024), "validate_sample_mb %ld",
			   p.validate_sample_mb);
		FUZZ_CHECK(in_range(p.validate_sample_percent, 1, 100), "validate_sample_percent %d",
			   p.validate_sample_percent);
		FUZZ_CHECK(strv_len(p.databases) <= 1, "%zu databases accepted", strv_len(p.databases));
		FUZZ_CHECK(p.state_dir != NULL, "no state_dir");
	} else {
		FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0, "the error does not name the file: %s", err);
		FUZZ_CHECK(!strchr(err, '\n'), "a multi-line error: %s", err);
		char *text = fuzz_cstring(data, size);
		char *pw[3];
		passwords(text, pw);
		for (int i = 0; i < 3; i++) {
			FUZZ_CHECK(!pw[i] || !strstr(err + strlen(path), pw[i]), "the error shows the password '%s': %s", pw[i], err);
			free(pw[i]);
		}
		free(text);
	}
	plan_done(&p);
	return 0;
}
