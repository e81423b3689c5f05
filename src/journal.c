#include "journal.h"
#include "log.h"
#include "mem.h"
#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void journal_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

char *journal_migration_id(const struct plan *p)
{
	/* One id per migration, shared with the engine's progress markers. */
	char id[16];
	plan_migration_id(p, id);
	return xstrdup(id);
}

static bool mkdir_p(const char *path)
{
	char *copy = xstrdup(path);
	for (char *s = copy + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char saved = *s;
			*s = '\0';
			if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
				log_error("cannot create directory %s: %s", copy, strerror(errno));
				free(copy);
				return false;
			}
			*s = saved;
			if (!saved)
				break;
		}
	}
	free(copy);
	return true;
}

static bool open_at(struct journal *j, const char *state_dir, char *id, bool create)
{
	memset(j, 0, sizeof *j);
	j->lock_fd = -1;
	if (!state_dir || !*state_dir) {
		log_error("no state directory: set state_dir in the configuration or --state-dir");
		free(id);
		return false;
	}
	j->id = id;
	j->dir = xasprintf("%s/%s", state_dir, j->id);
	if (create) {
		if (!mkdir_p(j->dir)) {
			journal_close(j);
			return false;
		}
		chmod(j->dir, 0700);
	}
	return true;
}

bool journal_open(struct journal *j, const struct plan *p, bool create)
{
	return open_at(j, p->state_dir, p->state_dir && *p->state_dir ? journal_migration_id(p) : NULL, create);
}

bool journal_open_dir(struct journal *j, const char *state_dir, const char *name, bool create)
{
	return open_at(j, state_dir, xstrdup(name), create);
}

void journal_close(struct journal *j)
{
	if (j->lock_fd >= 0)
		close(j->lock_fd);      /* releases the lock */
	j->lock_fd = -1;
	free(j->id);
	free(j->dir);
	j->id = j->dir = NULL;
}

char *journal_path(const struct journal *j, const char *name)
{
	return xasprintf("%s/%s", j->dir, name);
}

/* The pid the lock file's holder wrote, or "?". */
static void lock_holder(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (!buf[0])
		snprintf(buf, size, "?");
}

bool journal_lock(struct journal *j, const char *name, double wait_s)
{
	char *path = journal_path(j, name);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		log_error("cannot open the lock file %s: %s", path, strerror(errno));
		free(path);
		return false;
	}
	char holder[32];
	double waited = 0;
	bool locked = false;
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			locked = true;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			log_error("cannot lock %s: %s", path, strerror(errno));
			break;
		}
		lock_holder(fd, holder, sizeof holder);
		if (waited == 0)
			log_info("waiting for gp2adb process %s, which is changing %s", holder, path);
		if (waited >= wait_s) {
			log_error("another gp2adb process (pid %s) still holds %s after %.3g s; "
				  "try again once it has finished", holder, path, wait_s);
			break;
		}
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		waited += 0.1;
	}
	if (locked) {
		char pid[32];
		int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
		if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)len, 0) != len)
			log_debug("cannot write the pid into %s: %s", path, strerror(errno));
		j->lock_fd = fd;
		free(path);
		return true;
	}
	close(fd);
	free(path);
	return false;
}

static bool fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		log_error("cannot sync directory %s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	return true;
}

static bool write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

bool journal_append_line(const struct journal *j, const char *name, const char *line)
{
	char *path = journal_path(j, name);
	struct stat st;
	bool existed = stat(path, &st) == 0;
	int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	/* the last byte: anything but a newline means a torn tail */
	char last = '\n';
	struct stat fst;
	if (fd >= 0 && fstat(fd, &fst) == 0 && fst.st_size > 0 && pread(fd, &last, 1, fst.st_size - 1) != 1)
		last = '\0';
	char *text = xasprintf("%s%s\n", last == '\n' ? "" : "\n", line);
	bool ok = fd >= 0 && write_all(fd, text, strlen(text)) && fsync(fd) == 0;
	if (!ok)
		log_error("cannot append to %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (ok && !existed)
		ok = fsync_dir(j->dir);
	free(text);
	free(path);
	return ok;
}

bool journal_write_atomic(const struct journal *j, const char *name, const void *data, size_t len)
{
	char *path = journal_path(j, name);
	char *tmp = xasprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	bool ok = fd >= 0 && write_all(fd, data, len) && fsync(fd) == 0;
	if (!ok)
		log_error("cannot write %s: %s", tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (ok && rename(tmp, path) != 0) {
		log_error("cannot rename %s to %s: %s", tmp, path, strerror(errno));
		ok = false;
	}
	if (!ok)
		unlink(tmp);
	else
		ok = fsync_dir(j->dir);
	free(tmp);
	free(path);
	return ok;
}

bool journal_slurp(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		if (e != ENOENT)
			log_error("cannot read %s: %s", path, strerror(e));
		errno = e;
		return false;
	}
	struct strbuf sb;
	strbuf_init(&sb);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		strbuf_add(&sb, chunk, n);
	bool ok = !ferror(f);
	if (!ok)
		log_error("cannot read %s: %s", path, strerror(errno));
	fclose(f);
	if (len)
		*len = sb.len;
	*data = strbuf_finish(&sb);
	if (!ok) {
		free(*data);
		*data = NULL;
	}
	return ok;
}

bool journal_read(const struct journal *j, const char *name, char **data, size_t *len)
{
	char *path = journal_path(j, name);
	int e = 0;
	bool ok = journal_slurp(path, data, len);
	if (!ok)
		e = errno;
	free(path);
	errno = e;
	return ok;
}
