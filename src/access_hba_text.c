/* access: pg_hba.conf text: the lines gp2adb appends and what undoing them
 * makes of the file.  No I/O here. */
#include "access_hba.h"
#include "journal.h"
#include "mem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *hba_rule_line(const char *user, const char *cidr)
{
	bool plain = *user != '\0';
	for (const char *u = user; *u; u++)
		if (!islower((unsigned char)*u) && !isdigit((unsigned char)*u) && *u != '_')
			plain = false;
	return plain ? xasprintf("host    all    %s    %s    md5", user, cidr)
		     : xasprintf("host    all    \"%s\"    %s    md5", user, cidr);
}

char *hba_appended(const char *orig, size_t len, const char *mid, int id, const char *rule)
{
	return xasprintf("%s# gp2adb %s opening %d: for the migration; 'gp2adb restore-access' removes it\n"
			 "%s    # gp2adb %s #%d\n",
			 len && orig[len - 1] != '\n' ? "\n" : "", mid, id, rule, mid, id);
}

/* A byte range of the file to drop. */
struct cut {
	size_t at, n;
};

static bool overlaps(const struct cut *cuts, size_t ncuts, size_t at, size_t n)
{
	for (size_t i = 0; i < ncuts; i++)
		if (at < cuts[i].at + cuts[i].n && cuts[i].at < at + n)
			return true;
	return false;
}

/* The last whole line of s equal to line[0..n), not already cut. */
static bool find_line(const char *s, size_t len, const char *line, size_t n, const struct cut *cuts, size_t ncuts,
		      struct cut *out)
{
	bool found = false;
	for (size_t at = 0; at + n <= len; at++) {
		if ((at > 0 && s[at - 1] != '\n') || memcmp(s + at, line, n) != 0)
			continue;
		if (at + n < len && s[at + n] != '\n')
			continue;
		size_t span = n + (at + n < len ? 1 : 0);
		if (!overlaps(cuts, ncuts, at, span)) {
			out->at = at;
			out->n = span;
			found = true;
		}
	}
	return found;
}

/* The last occurrence of the whole appended block, line-aligned. */
static bool find_block(const char *s, size_t len, const char *what, struct cut *out)
{
	size_t wl = strlen(what);
	bool found = false;
	for (size_t at = 0; wl && at + wl <= len; at++)
		if ((what[0] == '\n' || at == 0 || s[at - 1] == '\n') && memcmp(s + at, what, wl) == 0) {
			out->at = at;
			out->n = wl;
			found = true;
		}
	return found;
}

/* line[0..n) with its comment dropped and whitespace collapsed. */
static char *normalized(const char *line, size_t n)
{
	struct strbuf sb;
	strbuf_init(&sb);
	bool space = false;
	for (size_t i = 0; i < n && line[i] != '#'; i++) {
		if (isspace((unsigned char)line[i])) {
			space = sb.len > 0;
			continue;
		}
		if (space)
			strbuf_putc(&sb, ' ');
		space = false;
		strbuf_putc(&sb, line[i]);
	}
	return strbuf_finish(&sb);
}

static size_t count_rule(const char *s, size_t len, const char *rule)
{
	size_t count = 0;
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(s + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (s + at)) : len - at;
		char *norm = normalized(s + at, n);
		count += strcmp(norm, rule) == 0;
		free(norm);
		at += n + 1;
	}
	return count;
}

/* Whether line[0..n) carries marker (not followed by a digit: #1 is not #10). */
static bool has_marker(const char *line, size_t n, const char *marker)
{
	size_t ml = strlen(marker);
	for (size_t i = 0; ml && i + ml <= n; i++)
		if (memcmp(line + i, marker, ml) == 0 && (i + ml == n || !isdigit((unsigned char)line[i + ml])))
			return true;
	return false;
}

/* The opening's two markers ("# gp2adb m... opening N:" and "# gp2adb m... #N")
 * and its rule, normalized, from the text it appended. */
static void markers(const char *what, char **comment, char **tag, char **rule)
{
	*comment = *tag = *rule = NULL;
	const char *l1 = what + (what[0] == '\n');
	const char *nl = strchr(l1, '\n');
	if (!nl)
		return;
	const char *colon = memchr(l1, ':', (size_t)(nl - l1));
	if (colon)
		*comment = xstrndup(l1, (size_t)(colon - l1 + 1));
	const char *l2 = nl + 1;
	const char *end = strchr(l2, '\n');
	size_t n = end ? (size_t)(end - l2) : strlen(l2);
	const char *hash = NULL;
	for (size_t i = 0; i + 8 <= n; i++)
		if (memcmp(l2 + i, "# gp2adb", 8) == 0)
			hash = l2 + i;
	if (hash)
		*tag = xstrndup(hash, n - (size_t)(hash - l2));
	*rule = normalized(l2, n);
}

void hba_undo_plan(const struct access_opening *o, const char *cur, size_t curlen, const char *saved,
		   size_t savedlen, const char *path, struct hba_undo *u)
{
	memset(u, 0, sizeof *u);
	strbuf_init(&u->where);
	char sha[65];
	journal_sha256_hex(cur, curlen, sha);
	if (o->sha_before && strcmp(sha, o->sha_before) == 0) {
		u->original = true;
		u->note = "the file already held its original bytes";
		return;
	}
	if (saved && o->sha_after && strcmp(sha, o->sha_after) == 0) {
		u->text = xmalloc(savedlen + 1);
		memcpy(u->text, saved, savedlen);
		u->text[savedlen] = '\0';
		u->len = savedlen;
		u->original = true;
		u->note = "original bytes put back";
		return;
	}
	/* Someone changed the file since (or its saved copy is gone): remove
	 * exact text only, the whole block, else each of its lines. */
	struct cut cuts[8];
	size_t ncuts = 0;
	const char *what = o->what ? o->what : "";
	if (find_block(cur, curlen, what, &cuts[0])) {
		ncuts = 1;
	} else {
		for (const char *l = what; *l && ncuts < 8;) {
			const char *nl = strchr(l, '\n');
			size_t n = nl ? (size_t)(nl - l) : strlen(l);
			if (n && find_line(cur, curlen, l, n, cuts, ncuts, &cuts[ncuts]))
				ncuts++;
			l += n + (nl ? 1 : 0);
		}
	}
	/* what is left of gp2adb's own, by the line numbers of the file as it is now */
	char *comment, *tag, *rule;
	markers(what, &comment, &tag, &rule);
	size_t rules_orig = saved && rule ? count_rule(saved, savedlen, rule) : 0, rules_kept = 0;
	int lineno = 0;
	for (size_t at = 0; at < curlen;) {
		const char *line = cur + at;
		const char *nl = memchr(line, '\n', curlen - at);
		size_t n = nl ? (size_t)(nl - line) : curlen - at;
		lineno++;
		if (!overlaps(cuts, ncuts, at, n ? n : 1)) {
			char *norm = rule ? normalized(line, n) : NULL;
			bool is_rule = norm && *rule && strcmp(norm, rule) == 0 && ++rules_kept > rules_orig;
			if (is_rule || (comment && has_marker(line, n, comment)) || (tag && has_marker(line, n, tag))) {
				u->left++;
				strbuf_printf(&u->where, "%s:%d: %.*s\n", path, lineno, (int)n, line);
			}
			free(norm);
		}
		at += n + 1;
	}
	free(comment);
	free(tag);
	free(rule);
	if (u->left) {
		u->note = "a line of gp2adb's is no longer its exact text; remove it by hand, then run restore-access again";
		return;
	}
	if (ncuts == 0) {
		u->note = "gp2adb's lines were no longer in the file";
		return;
	}
	struct strbuf out;
	strbuf_init(&out);
	for (size_t at = 0; at < curlen; at++)
		if (!overlaps(cuts, ncuts, at, 1))
			strbuf_putc(&out, cur[at]);
	u->len = out.len;
	u->text = strbuf_finish(&out);
	journal_sha256_hex(u->text, u->len, sha);
	u->original = o->sha_before && strcmp(sha, o->sha_before) == 0;
	u->note = u->original ? "gp2adb's lines removed: the file holds its original bytes"
			      : "the file had changed since the opening: only gp2adb's lines were removed";
}

void hba_undo_done(struct hba_undo *u)
{
	free(u->text);
	strbuf_done(&u->where);
	memset(u, 0, sizeof *u);
}
