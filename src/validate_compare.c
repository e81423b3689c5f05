/* validate_compare: exact decimals, floats within a tolerance, NULL-aware. */
#include "validate_compare.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

bool vcmp_decimal_normalize(const char *s, char *buf, size_t size)
{
	if (!s || size < 2)
		return false;
	while (isspace((unsigned char)*s))
		s++;
	if (isalpha((unsigned char)*s) || ((*s == '-' || *s == '+') && isalpha((unsigned char)s[1]))) {
		/* NaN, Infinity, -Infinity: spelled the same by every version */
		snprintf(buf, size, "%s", s);
		return true;
	}
	bool neg = false;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	const char *int_start = s;
	while (*s == '0')
		s++;
	const char *digits = s;
	while (isdigit((unsigned char)*s))
		s++;
	size_t int_len = (size_t)(s - digits);
	bool had_int = s > int_start;
	const char *frac = NULL;
	size_t frac_len = 0;
	if (*s == '.') {
		frac = ++s;
		while (isdigit((unsigned char)*s))
			s++;
		frac_len = (size_t)(s - frac);
		while (frac_len > 0 && frac[frac_len - 1] == '0')
			frac_len--;
	}
	if (*s != '\0' || (!had_int && !frac))
		return false;
	bool zero = int_len == 0 && frac_len == 0;
	size_t need = 1 + (int_len ? int_len : 1) + (frac_len ? 1 + frac_len : 0) + 1;
	if (need > size)
		return false;
	char *o = buf;
	if (neg && !zero)
		*o++ = '-';
	if (int_len) {
		memcpy(o, digits, int_len);
		o += int_len;
	} else {
		*o++ = '0';
	}
	if (frac_len) {
		*o++ = '.';
		memcpy(o, frac, frac_len);
		o += frac_len;
	}
	*o = '\0';
	return true;
}

bool vcmp_float_hex(const char *hex, double *out)
{
	/* float8send: the IEEE 754 double, big-endian */
	if (!hex || strlen(hex) != 16)
		return false;
	uint64_t bits = 0;
	for (int i = 0; i < 16; i++) {
		int c = tolower((unsigned char)hex[i]);
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0)
			return false;
		bits = bits << 4 | (uint64_t)v;
	}
	memcpy(out, &bits, sizeof *out);
	return true;
}

bool vcmp_float_close(double a, double b, double scale, double tolerance)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	if (isinf(a) || isinf(b))
		return a == b;
	if (a == b)
		return true;
	double m = fabs(scale);
	if (fabs(a) > m)
		m = fabs(a);
	if (fabs(b) > m)
		m = fabs(b);
	return fabs(a - b) <= tolerance * m;
}

bool vcmp_equal(enum vcmp_kind kind, const char *a, const char *b, double scale, double tolerance)
{
	if (!a || !b)
		return !a && !b;
	switch (kind) {
	case VCMP_TEXT:
		return strcmp(a, b) == 0;
	case VCMP_DECIMAL: {
		char na[512], nb[512];
		if (!vcmp_decimal_normalize(a, na, sizeof na) || !vcmp_decimal_normalize(b, nb, sizeof nb))
			return strcmp(a, b) == 0;
		return strcmp(na, nb) == 0;
	}
	case VCMP_FLOAT:
	case VCMP_FLOAT_EXACT: {
		double x, y;
		if (!vcmp_float_hex(a, &x) || !vcmp_float_hex(b, &y))
			return strcmp(a, b) == 0;
		if (kind == VCMP_FLOAT_EXACT)
			return (isnan(x) && isnan(y)) || x == y;
		return vcmp_float_close(x, y, scale, tolerance);
	}
	}
	return false;
}

void vcmp_display(enum vcmp_kind kind, const char *v, char *buf, size_t size)
{
	double d;
	if (!v)
		snprintf(buf, size, "NULL");
	else if ((kind == VCMP_FLOAT || kind == VCMP_FLOAT_EXACT) && vcmp_float_hex(v, &d))
		snprintf(buf, size, "%.17g", d);
	else
		snprintf(buf, size, "%s", v);
}
