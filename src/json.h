/* json: a small streaming JSON writer into a strbuf (commas and escaping
 * handled; the caller opens and closes objects and arrays in order). */
#ifndef GP2ADB_JSON_H
#define GP2ADB_JSON_H

#include <stdbool.h>

#include "strbuf.h"

struct json {
	struct strbuf *out;
	int depth;
	bool need_comma[32];
	bool pretty;
};

void json_init(struct json *j, struct strbuf *out, bool pretty);
void json_object_begin(struct json *j, const char *key);   /* key NULL inside arrays/top */
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *value);   /* NULL -> null */
void json_int(struct json *j, const char *key, long long value);
void json_double(struct json *j, const char *key, double value);
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);
/* A command's --json output: start a pretty document in sb (initialised
 * here) with its top-level object open; print closes that object, writes
 * the document and a newline to stdout, and frees sb. */
void json_document_begin(struct json *j, struct strbuf *sb);
void json_document_print(struct json *j);
/* Append s as a JSON string literal (with quotes). */
void json_escape(struct strbuf *out, const char *s);

#endif
