#include "runlog.h"
#include "journal.h"
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
	struct journal j;
	if (!journal_open(&j, p, true)) {
		snprintf(err, errsize, "cannot create the state directory under %s: %s",
			 p->state_dir, strerror(errno));
		journal_close(&j);
		return false;
	}
	rl->path = journal_path(&j, name);
	journal_close(&j);
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
	size_t at = 0;
	while (at < sb.len) {
		char *nl = memchr(sb.data + at, '\n', sb.len - at);
		if (!nl)
			break;
		parse_line(rl, sb.data + at, (size_t)(nl - (sb.data + at)));
		at = (size_t)(nl - sb.data) + 1;
	}
	size_t len = sb.len;
	strbuf_done(&sb);
	/* A last line without its newline is a write a crash cut short: drop
	 * it, or the next record appended would run on from it and be lost. */
	if (at < len) {
		log_warn("%s: dropping an incomplete last line (a write cut short by a crash)", rl->path);
		if (ftruncate(rl->fd, (off_t)at) != 0) {
			snprintf(err, errsize, "cannot cut the incomplete last line of %s: %s", rl->path,
				 strerror(errno));
			return false;
		}
	}
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
	struct journal j;
	char *path = NULL;
	if (journal_open(&j, p, true) && journal_write_atomic(&j, name, content, len))
		path = journal_path(&j, name);
	else
		log_error("%s was not saved in the state directory %s", name, p->state_dir);
	journal_close(&j);
	return path;
}
