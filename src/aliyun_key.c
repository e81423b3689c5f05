/* aliyun_api: the AccessKey file.  Its values are never echoed: an error
 * names the file and the line, and says what was expected. */
#include "aliyun_api.h"
#include "mem.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE_MAX 65536

void aliyun_key_done(struct aliyun_key *k)
{
	mem_wipe_free(k->id);
	mem_wipe_free(k->secret);
	k->id = k->secret = NULL;
}

void aliyun_key_id_masked(const char *id, char *out, size_t size)
{
	size_t n = id ? strlen(id) : 0;
	if (n <= 8)
		snprintf(out, size, "****");
	else
		snprintf(out, size, "%.4s****%s", id, id + n - 4);
}

/* "AccessKey ID", "access_key_id", "AccessKeyId" -> "accesskeyid" */
static void normalize(const char *s, size_t n, char *out, size_t size)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '_' || c == '-' || c == ' ' || c == '\t')
			continue;
		out[k++] = (char)tolower(c);
	}
	out[k] = '\0';
}

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
	if (*n >= 2 && (**s == '"' || **s == '\'') && (*s)[*n - 1] == **s) {
		(*s)++;
		*n -= 2;
	}
}

/* A value must be printable ASCII without spaces (what the console issues). */
static bool value_ok(const char *s, size_t n)
{
	if (n == 0 || n > 256)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f)
			return false;
	return true;
}

static bool set_value(char **slot, const char *s, size_t n, const char *path, int line, const char *name,
		      char *err, size_t errsize)
{
	if (!value_ok(s, n)) {
		snprintf(err, errsize, "%s:%d: the %s is empty or holds a space or a control character", path, line, name);
		return false;
	}
	if (*slot) {
		snprintf(err, errsize, "%s:%d: a second %s", path, line, name);
		return false;
	}
	*slot = xstrndup(s, n);
	return true;
}

/* The console's CSV: a header naming the columns, then the values. */
static bool parse_csv(struct aliyun_key *k, const char *header, const char *values, const char *path, int line,
		      char *err, size_t errsize)
{
	int id_col = -1, secret_col = -1, col = 0;
	for (const char *p = header; ; col++) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strcspn(p, "\r\n");
		char name[64];
		trim(&p, &n);
		normalize(p, n, name, sizeof name);
		if (strcmp(name, "accesskeyid") == 0)
			id_col = col;
		else if (strcmp(name, "accesskeysecret") == 0)
			secret_col = col;
		if (!end)
			break;
		p = end + 1;
	}
	if (id_col < 0 || secret_col < 0) {
		snprintf(err, errsize, "%s:%d: the CSV header has no 'AccessKey ID' and 'AccessKey Secret' columns",
			 path, line - 1);
		return false;
	}
	col = 0;
	for (const char *p = values; ; col++) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strcspn(p, "\r\n");
		const char *v = p;
		trim(&v, &n);
		if (col == id_col && !set_value(&k->id, v, n, path, line, "AccessKey ID", err, errsize))
			return false;
		if (col == secret_col && !set_value(&k->secret, v, n, path, line, "AccessKey Secret", err, errsize))
			return false;
		if (!end)
			break;
		p = end + 1;
	}
	return true;
}

static bool parse_text(struct aliyun_key *k, char *text, const char *path, char *err, size_t errsize)
{
	if ((unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB && (unsigned char)text[2] == 0xBF)
		memmove(text, text + 3, strlen(text + 3) + 1);     /* a UTF-8 byte order mark */
	int lineno = 0;
	const char *csv_header = NULL;
	for (char *p = text; *p; ) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		const char *s = p;
		size_t n = strlen(s);
		trim(&s, &n);
		p = nl ? nl + 1 : p + strlen(p);
		if (n == 0 || s[0] == '#')
			continue;
		if (csv_header) {
			if (!parse_csv(k, csv_header, s, path, lineno, err, errsize))
				return false;
			csv_header = NULL;
			continue;
		}
		const char *eq = memchr(s, '=', n);
		if (!eq)
			eq = memchr(s, ':', n);
		char name[64];
		if (!eq) {
			normalize(s, n, name, sizeof name);
			if (memchr(s, ',', n) && strstr(name, "accesskeyid") && strstr(name, "accesskeysecret")) {
				csv_header = s;
				continue;
			}
			snprintf(err, errsize, "%s:%d: expected 'access_key_id = ...' or 'access_key_secret = ...' "
				 "(the line itself is not shown: it may hold the secret)", path, lineno);
			return false;
		}
		size_t kn = (size_t)(eq - s);
		const char *v = eq + 1;
		size_t vn = n - kn - 1;
		trim(&v, &vn);
		while (kn && isspace((unsigned char)s[kn - 1]))
			kn--;
		normalize(s, kn, name, sizeof name);
		bool ok;
		/* "id" and "key": the AccessKey file of gp2adb oss (oss.h), so one file serves both */
		if (strcmp(name, "accesskeyid") == 0 || strcmp(name, "id") == 0)
			ok = set_value(&k->id, v, vn, path, lineno, "access_key_id", err, errsize);
		else if (strcmp(name, "accesskeysecret") == 0 || strcmp(name, "key") == 0)
			ok = set_value(&k->secret, v, vn, path, lineno, "access_key_secret", err, errsize);
		else {
			snprintf(err, errsize, "%s:%d: unknown key '%.*s' (expected access_key_id or access_key_secret)",
				 path, lineno, (int)(kn < 40 ? kn : 40), s);
			ok = false;
		}
		if (!ok)
			return false;
	}
	if (csv_header) {
		snprintf(err, errsize, "%s: a CSV header without a line of values after it", path);
		return false;
	}
	if (!k->id || !k->secret) {
		snprintf(err, errsize, "%s: no %s in the file", path, !k->id ? "access_key_id" : "access_key_secret");
		return false;
	}
	return true;
}

bool aliyun_key_load(struct aliyun_key *k, const char *path, char *err, size_t errsize)
{
	k->id = k->secret = NULL;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errsize, "%s: cannot open the AccessKey file: %s", path, strerror(errno));
		return false;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsize, "%s: the AccessKey file is not a regular file", path);
		close(fd);
		return false;
	}
	/* The rule ssh and libpq apply to keys and .pgpass, and config.c to passwords. */
	if (st.st_uid != geteuid()) {
		snprintf(err, errsize, "%s: holds an AccessKey secret but belongs to another user (uid %u); "
			 "the file must be owned by you and readable by you only", path, (unsigned)st.st_uid);
		close(fd);
		return false;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(err, errsize, "%s: holds an AccessKey secret but its permissions are %04o "
			 "(readable by group or others); refusing it. Run: chmod 600 %s",
			 path, (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return false;
	}
	if (st.st_size > KEY_FILE_MAX) {
		snprintf(err, errsize, "%s: too large for an AccessKey file (%lld bytes)", path, (long long)st.st_size);
		close(fd);
		return false;
	}
	char *text = xmalloc(KEY_FILE_MAX + 1);
	size_t len = 0;
	ssize_t got;
	while (len < KEY_FILE_MAX && (got = read(fd, text + len, KEY_FILE_MAX - len)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errsize, "%s: cannot read: %s", path, strerror(errno));
			close(fd);
			OPENSSL_cleanse(text, len);
			free(text);
			return false;
		}
		len += (size_t)got;
	}
	close(fd);
	text[len] = '\0';
	bool ok = parse_text(k, text, path, err, errsize);
	OPENSSL_cleanse(text, KEY_FILE_MAX + 1);
	free(text);
	if (!ok)
		aliyun_key_done(k);
	return ok;
}
