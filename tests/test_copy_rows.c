/* copy_rows: rows counted in COPY streams cut anywhere, as Greenplum's
 * master sends them (many rows per message, rows split across messages). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "copy_rows.h"

struct stream {
	unsigned char d[4096];
	size_t len;
};

static void put(struct stream *s, const void *p, size_t n)
{
	memcpy(s->d + s->len, p, n);
	s->len += n;
}

static void put16(struct stream *s, int v)
{
	unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v };
	put(s, b, 2);
}

static void put32(struct stream *s, long v)
{
	unsigned long u = (unsigned long)v;
	unsigned char b[4] = { (unsigned char)(u >> 24), (unsigned char)(u >> 16), (unsigned char)(u >> 8),
			       (unsigned char)u };
	put(s, b, 4);
}

static void field(struct stream *s, const char *v)
{
	if (!v) {
		put32(s, -1);
		return;
	}
	put32(s, (long)strlen(v));
	put(s, v, strlen(v));
}

/* Header with a 3-byte extension, 5 rows (NULLs, empty values, a row of no
 * columns, a value with a newline and bytes that look like a trailer), the
 * trailer.  *ends receives the offset just after each row. */
static void binary_stream(struct stream *s, size_t ends[5])
{
	memset(s, 0, sizeof *s);
	put(s, "PGCOPY\n\377\r\n\0", 11);
	put32(s, 0);
	put32(s, 3);
	put(s, "ext", 3);
	const char *rows[5][3] = {
		{ "1", "alpha", NULL }, { "2", "", "x" }, { NULL, NULL, NULL }, { "4", "a\nb", "\377\377" },
		{ "5", "long value long value long value", "z" },
	};
	for (int r = 0; r < 5; r++) {
		if (r == 2) {
			put16(s, 0);        /* a row of no columns */
		} else {
			put16(s, 3);
			for (int c = 0; c < 3; c++)
				field(s, rows[r][c]);
		}
		ends[r] = s->len;
	}
	put16(s, -1);
}

static void test_binary_any_cut(void **state)
{
	(void)state;
	struct stream s;
	size_t ends[5];
	binary_stream(&s, ends);
	/* every chunk size from 1 byte to the whole stream */
	for (size_t chunk = 1; chunk <= s.len; chunk++) {
		struct copy_rows r;
		copy_rows_init(&r, true);
		long long rows = 0;
		for (size_t at = 0; at < s.len; at += chunk) {
			size_t n = s.len - at < chunk ? s.len - at : chunk;
			rows += copy_rows_feed(&r, (const char *)s.d + at, n);
			/* only whole rows count */
			long long whole = 0;
			for (int k = 0; k < 5; k++)
				whole += ends[k] <= at + n;
			assert_int_equal(rows, whole);
		}
		assert_int_equal(rows, 5);
		assert_false(r.bad);
	}
}

static void test_text_counts_newlines(void **state)
{
	(void)state;
	const char *text = "1\talpha\t\\N\n2\t\tx\n3\ta\\nb\tc\n";
	struct copy_rows r;
	copy_rows_init(&r, false);
	long long rows = 0;
	for (size_t i = 0; text[i]; i++)
		rows += copy_rows_feed(&r, text + i, 1);
	assert_int_equal(rows, 3);
	copy_rows_init(&r, false);
	assert_int_equal(copy_rows_feed(&r, text, strlen(text)), 3);
	assert_int_equal(copy_rows_feed(&r, "", 0), 0);
}

static void test_binary_not_a_copy_stream(void **state)
{
	(void)state;
	struct stream s;
	memset(&s, 0, sizeof s);
	put(&s, "PGCOPY\n\377\r\n\0", 11);
	put32(&s, 0);
	put32(&s, 0);
	put16(&s, 2);
	put32(&s, -7);          /* no such length */
	put32(&s, 1);
	put(&s, "x", 1);
	struct copy_rows r;
	copy_rows_init(&r, true);
	assert_int_equal(copy_rows_feed(&r, (const char *)s.d, s.len), 0);
	assert_true(r.bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binary_any_cut),
		cmocka_unit_test(test_text_counts_newlines),
		cmocka_unit_test(test_binary_not_a_copy_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
