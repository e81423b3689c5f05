#include "json.h"

#include <math.h>
#include <stdio.h>

void json_init(struct json *j, struct strbuf *out, bool pretty)
{
	j->out = out;
	j->depth = 0;
	j->need_comma[0] = false;
	j->pretty = pretty;
}

void json_escape(struct strbuf *out, const char *s)
{
	strbuf_putc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': strbuf_puts(out, "\\\""); break;
		case '\\': strbuf_puts(out, "\\\\"); break;
		case '\n': strbuf_puts(out, "\\n"); break;
		case '\r': strbuf_puts(out, "\\r"); break;
		case '\t': strbuf_puts(out, "\\t"); break;
		default:
			if (*p < 0x20)
				strbuf_printf(out, "\\u%04x", *p);
			else
				strbuf_putc(out, (char)*p);
		}
	}
	strbuf_putc(out, '"');
}

static void indent(struct json *j)
{
	if (!j->pretty)
		return;
	strbuf_putc(j->out, '\n');
	for (int i = 0; i < j->depth; i++)
		strbuf_puts(j->out, "  ");
}

static void key(struct json *j, const char *k)
{
	if (j->need_comma[j->depth])
		strbuf_putc(j->out, ',');
	j->need_comma[j->depth] = true;
	if (j->depth > 0)
		indent(j);
	if (k) {
		json_escape(j->out, k);
		strbuf_puts(j->out, j->pretty ? ": " : ":");
	}
}

static void open(struct json *j, const char *k, char c)
{
	key(j, k);
	strbuf_putc(j->out, c);
	if (j->depth < 31)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct json *j, char c)
{
	bool had = j->need_comma[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (had)
		indent(j);
	strbuf_putc(j->out, c);
}

void json_object_begin(struct json *j, const char *k) { open(j, k, '{'); }
void json_object_end(struct json *j) { close_(j, '}'); }
void json_array_begin(struct json *j, const char *k) { open(j, k, '['); }
void json_array_end(struct json *j) { close_(j, ']'); }

void json_string(struct json *j, const char *k, const char *v)
{
	key(j, k);
	if (v)
		json_escape(j->out, v);
	else
		strbuf_puts(j->out, "null");
}

void json_int(struct json *j, const char *k, long long v)
{
	key(j, k);
	strbuf_printf(j->out, "%lld", v);
}

void json_double(struct json *j, const char *k, double v)
{
	key(j, k);
	if (isfinite(v))
		strbuf_printf(j->out, "%.6g", v);
	else
		strbuf_puts(j->out, "null");
}

void json_bool(struct json *j, const char *k, bool v)
{
	key(j, k);
	strbuf_puts(j->out, v ? "true" : "false");
}

void json_null(struct json *j, const char *k)
{
	key(j, k);
	strbuf_puts(j->out, "null");
}

void json_document_begin(struct json *j, struct strbuf *sb)
{
	strbuf_init(sb);
	json_init(j, sb, true);
	json_object_begin(j, NULL);
}

void json_document_print(struct json *j)
{
	json_object_end(j);
	printf("%s\n", j->out->data);
	strbuf_done(j->out);
}
