/* mem: allocation that cannot return NULL, and NULL-terminated string vectors. */
#ifndef GP2ADB_MEM_H
#define GP2ADB_MEM_H

#include <stdbool.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);           /* NULL stays NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A string vector: a NULL-terminated array of owned strings. */
size_t strv_len(char *const *v);
bool strv_contains(char *const *v, const char *s);    /* an equal string is in v */
char **strv_push(char **v, const char *s);    /* returns the (moved) vector */
char **strv_dup(char *const *v);
void strv_free(char **v);

/* Overwrite a secret before freeing it. */
void mem_wipe_free(char *secret);

#endif
