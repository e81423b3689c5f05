/* strbuf: a growing, always NUL-terminated string. */
#ifndef GP2ADB_STRBUF_H
#define GP2ADB_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *data;     /* never NULL after strbuf_init */
	size_t len;
	size_t cap;
};

void strbuf_init(struct strbuf *sb);
void strbuf_done(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const char *s, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_putc(struct strbuf *sb, char c);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A text[] literal of v[0..n) ("{\"a\",\"b\"}", quotes and backslashes
 * escaped), to pass as one query parameter. */
void strbuf_text_array(struct strbuf *sb, char *const *v, size_t n);
char *strbuf_steal(struct strbuf *sb);   /* caller frees; sb is reset */
char *strbuf_finish(struct strbuf *sb);  /* caller frees; sb is done */

#endif
