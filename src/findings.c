/* The finding list shared by preflight, the wizard and the report. */
#include "preflight.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

const char *severity_name(enum severity s)
{
	static const char *const names[] = { "ok", "info", "warn", "fail" };
	return names[s];
}

void findings_add(struct findings *f, const char *id, enum severity sev, const char *title,
		  const char *detail, const char *remedy, char **objects)
{
	f->items = xrealloc(f->items, (f->n + 1) * sizeof *f->items);
	struct finding *x = &f->items[f->n++];
	x->id = xstrdup(id);
	x->severity = sev;
	x->title = xstrdup(title);
	x->detail = xstrdup(detail);
	x->remedy = xstrdup(remedy);
	x->objects = objects;
}

void findings_free(struct findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->items[i].id);
		free(f->items[i].title);
		free(f->items[i].detail);
		free(f->items[i].remedy);
		strv_free(f->items[i].objects);
	}
	free(f->items);
	f->items = NULL;
	f->n = 0;
}

enum severity findings_worst(const struct findings *f)
{
	enum severity w = SEV_OK;
	for (size_t i = 0; i < f->n; i++)
		if (f->items[i].severity > w)
			w = f->items[i].severity;
	return w;
}

const struct finding *findings_find(const struct findings *f, const char *id)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->items[i].id, id) == 0)
			return &f->items[i];
	return NULL;
}
