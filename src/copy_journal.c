#include "copy_journal.h"
#include "log.h"
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FAILED_FILE "copy-failed.list"
/* The first line of the list since names are escaped: a name may hold any
 * character, newlines included (\\ \n \r stand for backslash, LF, CR). */
#define FAILED_HEADER "# gp2adb failed tables v2"

static bool mkdir_p(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			log_error("cannot create directory %s: %s", p, strerror(errno));
			free(p);
			return false;
		}
		*s = '/';
	}
	bool ok = mkdir(p, 0700) == 0 || errno == EEXIST;
	if (!ok)
		log_error("cannot create directory %s: %s", p, strerror(errno));
	free(p);
	return ok;
}

char *copy_journal_dir(const char *state_dir, const char *migration_id)
{
	char *dir = xasprintf("%s/%s", state_dir, migration_id);
	if (!mkdir_p(dir)) {
		free(dir);
		return NULL;
	}
	chmod(dir, 0700);
	return dir;
}

bool copy_journal_write_failed(const char *dir, char *const *tables)
{
	return copy_journal_write_list(dir, FAILED_FILE, tables);
}

bool copy_journal_write_list(const char *dir, const char *name, char *const *tables)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *tmp = xasprintf("%s.tmp", path);
	bool ok = false;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		log_error("cannot write %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	fprintf(f, "%s\n", FAILED_HEADER);
	for (size_t i = 0; tables && tables[i]; i++) {
		for (const char *c = tables[i]; *c; c++) {
			if (*c == '\\')
				fputs("\\\\", f);
			else if (*c == '\n')
				fputs("\\n", f);
			else if (*c == '\r')
				fputs("\\r", f);
			else
				fputc(*c, f);
		}
		fputc('\n', f);
	}
	ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = (fclose(f) == 0) && ok;
	if (ok && rename(tmp, path) != 0)
		ok = false;
	if (ok) {
		/* the rename itself survives a crash only once the directory is synced */
		int dfd = open(dir, O_RDONLY | O_DIRECTORY);
		ok = dfd >= 0 && fsync(dfd) == 0;
		if (dfd >= 0)
			close(dfd);
	}
	if (!ok) {
		log_error("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
	}
out:
	free(tmp);
	free(path);
	return ok;
}

bool copy_journal_read_failed(const char *dir, char ***tables)
{
	if (copy_journal_read_list(dir, FAILED_FILE, tables))
		return true;
	char *path = xasprintf("%s/" FAILED_FILE, dir);
	log_error("no failed tables recorded in %s (%s): run gp2adb copy first", path, strerror(errno));
	free(path);
	return false;
}

bool copy_journal_has_failed(const char *state_dir, const struct plan *p)
{
	char id[16];
	plan_migration_id(p, id);
	char *dir = xasprintf("%s/%s", state_dir, id);
	char **tables = NULL;
	bool any = copy_journal_read_list(dir, FAILED_FILE, &tables) && tables;
	strv_free(tables);
	free(dir);
	return any;
}

bool copy_journal_read_list(const char *dir, const char *name, char ***tables)
{
	*tables = NULL;
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f) {
		free(path);
		return false;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	bool escaped = false, first = true;
	while ((len = getline(&line, &cap, f)) > 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (first && strcmp(line, FAILED_HEADER) == 0) {
			escaped = true;
			first = false;
			continue;
		}
		first = false;
		if (escaped) {
			char *w = line;
			for (const char *c = line; *c; c++) {
				if (*c == '\\' && (c[1] == '\\' || c[1] == 'n' || c[1] == 'r')) {
					c++;
					*w++ = *c == 'n' ? '\n' : *c == 'r' ? '\r' : '\\';
				} else {
					*w++ = *c;
				}
			}
			*w = '\0';
			len = w - line;
		}
		if (len > 0)
			*tables = strv_push(*tables, line);
	}
	free(line);
	fclose(f);
	free(path);
	return true;
}
