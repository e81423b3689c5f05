/* fuzz: what the libFuzzer targets under tests/fuzz/ share.  Each target
 * feeds one parser the bytes libFuzzer gives it and checks what the parser
 * promises, not only that it does not crash; a broken promise aborts with a
 * message, which libFuzzer reports as a crash and saves as a reproducer. */
#ifndef GP2ADB_FUZZ_H
#define GP2ADB_FUZZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken invariant: say which and abort (libFuzzer keeps the input). */
static void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn, unused));
static void fuzz_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("fuzz invariant broken: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

#define FUZZ_CHECK(cond, ...) do { if (!(cond)) fuzz_fail(__VA_ARGS__); } while (0)

/* The input with a NUL after it: what the program has after reading a file
 * into a string (C-string functions see it up to its first NUL byte).
 * Caller frees. */
static char *fuzz_cstring(const uint8_t *data, size_t size) __attribute__((unused));
static char *fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
