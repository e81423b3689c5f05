#include "copy_rows.h"

#include <string.h>

enum {
	ROWS_SIGNATURE,         /* "PGCOPY\n\377\r\n\0" and the 32-bit flags */
	ROWS_EXT_LEN,           /* the header extension's length */
	ROWS_EXT,               /* its bytes */
	ROWS_COUNT,             /* a row's field count, or -1: the trailer */
	ROWS_FIELD_LEN,         /* a field's length, or -1: NULL */
	ROWS_FIELD,             /* its bytes */
	ROWS_END,               /* after the trailer */
};

#define SIGNATURE_AND_FLAGS (11 + 4)

void copy_rows_init(struct copy_rows *r, bool binary)
{
	memset(r, 0, sizeof *r);
	r->binary = binary;
	r->state = ROWS_SIGNATURE;
	r->skip = SIGNATURE_AND_FLAGS;
}

static long long count_newlines(const char *data, size_t len)
{
	long long n = 0;
	for (const char *p = data, *end = data + len; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		n++;
	return n;
}

/* Start reading a big-endian number of `bytes` bytes. */
static void want_number(struct copy_rows *r, int state, int bytes)
{
	r->state = state;
	r->have = 0;
	r->want = bytes;
}

static long number_value(const struct copy_rows *r)
{
	if (r->want == 2)
		return (short)((r->acc[0] << 8) | r->acc[1]);
	unsigned long v = ((unsigned long)r->acc[0] << 24) | ((unsigned long)r->acc[1] << 16) |
			  ((unsigned long)r->acc[2] << 8) | r->acc[3];
	return (long)(int)(unsigned)v;
}

/* A field ended: the next one's length, or the next row. */
static long long field_done(struct copy_rows *r)
{
	if (--r->fields_left > 0) {
		want_number(r, ROWS_FIELD_LEN, 4);
		return 0;
	}
	want_number(r, ROWS_COUNT, 2);
	return 1;
}

long long copy_rows_feed(struct copy_rows *r, const char *data, size_t len)
{
	if (!r->binary)
		return count_newlines(data, len);
	long long rows = 0;
	const unsigned char *p = (const unsigned char *)data, *end = p + len;
	while (p < end && !r->bad && r->state != ROWS_END) {
		if (r->state == ROWS_SIGNATURE || r->state == ROWS_EXT || r->state == ROWS_FIELD) {
			long long take = end - p < r->skip ? end - p : r->skip;
			p += take;
			r->skip -= take;
			if (r->skip > 0)
				break;
			if (r->state == ROWS_SIGNATURE)
				want_number(r, ROWS_EXT_LEN, 4);
			else if (r->state == ROWS_EXT)
				want_number(r, ROWS_COUNT, 2);
			else
				rows += field_done(r);
			continue;
		}
		r->acc[r->have++] = *p++;
		if (r->have < r->want)
			continue;
		long v = number_value(r);
		switch (r->state) {
		case ROWS_EXT_LEN:
			r->state = ROWS_EXT;
			r->skip = v;
			r->bad = v < 0;
			break;
		case ROWS_COUNT:
			if (v == -1) {
				r->state = ROWS_END;
			} else if (v == 0) {
				rows++;
				want_number(r, ROWS_COUNT, 2);
			} else {
				r->bad = v < 0;
				r->fields_left = (int)v;
				want_number(r, ROWS_FIELD_LEN, 4);
			}
			break;
		case ROWS_FIELD_LEN:
			if (v == -1 || v == 0) {
				rows += field_done(r);
			} else if (v < 0) {
				r->bad = true;
			} else {
				r->state = ROWS_FIELD;
				r->skip = v;
			}
			break;
		}
	}
	return rows;
}
