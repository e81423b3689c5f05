#include "runlog.h"
#include "log.h"
#include "mem.h"
#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p with mode 0700 for every directory it creates. */
static bool make_dirs(const char *path, char *err, size_t errsize)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			snprintf(err, errsize, "cannot create directory %s: %s", p, strerror(errno));
			free(p);
			return false;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return true;
}

static void escape_field(struct strbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\t')
			strbuf_puts(sb, "\\t");
		else if (*s == '\n')
			strbuf_puts(sb, "\\n");
		else if (*s == '\\')
			strbuf_puts(sb, "\\\\");
		else
			strbuf_putc(sb, *s);
	}
}

static char *unescape_field(const char *s, size_t n)
{
	struct strbuf sb;
	strbuf_init(&sb);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			char e = s[++i];
			strbuf_putc(&sb, e == 't' ? '\t' : e == 'n' ? '\n' : e);
		} else {
			strbuf_putc(&sb, s[i]);
		}
	}
	return strbuf_finish(&sb);
}

static void remember(struct runlog *rl, char *key, char *status, char *detail)
{
	for (size_t i = 0; i < rl->n; i++) {
		if (strcmp(rl->items[i].key, key) == 0) {
			free(key);
			free(rl->items[i].status);
			free(rl->items[i].detail);
			rl->items[i].status = status;
			rl->items[i].detail = detail;
			return;
		}
	}
	rl->items = xrealloc(rl->items, (rl->n + 1) * sizeof *rl->items);
	rl->items[rl->n++] = (struct runlog_entry){ key, status, detail };
}

static void parse_line(struct runlog *rl, const char *line, size_t n)
{
	const char *t1 = memchr(line, '\t', n);
	if (!t1)
		return;     /* a torn last line: ignored */
	const char *t2 = memchr(t1 + 1, '\t', n - (size_t)(t1 + 1 - line));
	if (!t2)
		return;
	remember(rl, unescape_field(line, (size_t)(t1 - line)),
		 unescape_field(t1 + 1, (size_t)(t2 - t1 - 1)),
		 unescape_field(t2 + 1, n - (size_t)(t2 + 1 - line)));
}

bool runlog_open(struct runlog *rl, const struct plan *p, const char *name, char *err, size_t errsize)
{
	memset(rl, 0, sizeof *rl);
	rl->fd = -1;
	char id[16];
	plan_migration_id(p, id);
	char *dir = xasprintf("%s/%s", p->state_dir, id);
	bool ok = make_dirs(dir, err, errsize);
	rl->path = xasprintf("%s/%s", dir, name);
	free(dir);
	if (!ok)
		return false;
	rl->fd = open(rl->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (rl->fd < 0) {
		snprintf(err, errsize, "cannot open %s: %s", rl->path, strerror(errno));
		return false;
	}
	struct strbuf sb;
	strbuf_init(&sb);
	char buf[8192];
	ssize_t got;
	while ((got = pread(rl->fd, buf, sizeof buf, (off_t)sb.len)) > 0)
		strbuf_add(&sb, buf, (size_t)got);
	for (size_t at = 0; at < sb.len;) {
		char *nl = memchr(sb.data + at, '\n', sb.len - at);
		if (!nl)
			break;
		parse_line(rl, sb.data + at, (size_t)(nl - (sb.data + at)));
		at = (size_t)(nl - sb.data) + 1;
	}
	strbuf_done(&sb);
	return true;
}

const struct runlog_entry *runlog_get(const struct runlog *rl, const char *key)
{
	for (size_t i = 0; i < rl->n; i++)
		if (strcmp(rl->items[i].key, key) == 0)
			return &rl->items[i];
	return NULL;
}

bool runlog_put(struct runlog *rl, const char *key, const char *status, const char *detail)
{
	struct strbuf sb;
	strbuf_init(&sb);
	escape_field(&sb, key);
	strbuf_putc(&sb, '\t');
	escape_field(&sb, status);
	strbuf_putc(&sb, '\t');
	escape_field(&sb, detail);
	strbuf_putc(&sb, '\n');
	bool ok = write(rl->fd, sb.data, sb.len) == (ssize_t)sb.len && fdatasync(rl->fd) == 0;
	if (!ok)
		log_error("cannot write %s: %s", rl->path, strerror(errno));
	strbuf_done(&sb);
	remember(rl, xstrdup(key), xstrdup(status), xstrdup(detail ? detail : ""));
	return ok;
}

static void free_items(struct runlog *rl)
{
	for (size_t i = 0; i < rl->n; i++) {
		free(rl->items[i].key);
		free(rl->items[i].status);
		free(rl->items[i].detail);
	}
	free(rl->items);
	rl->items = NULL;
	rl->n = 0;
}

bool runlog_clear(struct runlog *rl)
{
	free_items(rl);
	if (ftruncate(rl->fd, 0) != 0) {
		log_error("cannot truncate %s: %s", rl->path, strerror(errno));
		return false;
	}
	return true;
}

void runlog_close(struct runlog *rl)
{
	free_items(rl);
	if (rl->fd >= 0)
		close(rl->fd);
	free(rl->path);
	memset(rl, 0, sizeof *rl);
	rl->fd = -1;
}

char *runlog_write_file(const struct plan *p, const char *name, const char *content, size_t len)
{
	char id[16], err[300];
	plan_migration_id(p, id);
	char *dir = xasprintf("%s/%s", p->state_dir, id);
	if (!make_dirs(dir, err, sizeof err)) {
		log_error("%s", err);
		free(dir);
		return NULL;
	}
	char *path = xasprintf("%s/%s", dir, name);
	char *tmp = xasprintf("%s.tmp", path);
	free(dir);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	bool ok = fd >= 0 && write(fd, content, len) == (ssize_t)len && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	if (ok && rename(tmp, path) != 0)
		ok = false;
	if (!ok) {
		log_error("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		free(path);
		path = NULL;
	}
	free(tmp);
	return path;
}
