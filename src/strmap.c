#include "strmap.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

static size_t strmap_hash(const char *k)
{
	size_t h = 1469598103934665603ULL;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	return h;
}

static size_t strmap_slot(const struct strmap *m, const char *k)
{
	size_t i = strmap_hash(k) & (m->cap - 1);
	while (m->keys[i] && strcmp(m->keys[i], k) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

void strmap_init(struct strmap *m, size_t expect)
{
	m->cap = 64;
	while (m->cap < expect * 2 + 2)
		m->cap *= 2;
	m->keys = xcalloc(m->cap, sizeof *m->keys);
	m->vals = xcalloc(m->cap, sizeof *m->vals);
	m->n = 0;
}

size_t *strmap_at(struct strmap *m, const char *k, bool create)
{
	size_t i = strmap_slot(m, k);
	if (!m->keys[i]) {
		if (!create)
			return NULL;
		m->keys[i] = xstrdup(k);    /* never more than half full: sized by strmap_init */
		m->n++;
	}
	return &m->vals[i];
}

void strmap_done(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
}
