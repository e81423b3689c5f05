/* Short human strings for sizes, rates, durations, bars and sparklines. */
#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

const char *fmt_bytes(char *buf, size_t size, long long n)
{
	if (n < 0) {
		snprintf(buf, size, "?");
		return buf;
	}
	if (n < 1024) {
		snprintf(buf, size, "%lld B", n);
		return buf;
	}
	double v = (double)n;
	int u = 0;
	while (v >= 1024.0 && u < 6) {
		v /= 1024.0;
		u++;
	}
	/* 1023.96 KiB would print as "1024.0 KiB": move it up a unit. */
	if (v >= 999.95 && u < 6) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, size, v < 10.0 ? "%.1f %s" : v < 100.0 ? "%.1f %s" : "%.0f %s", v, units[u]);
	return buf;
}

const char *fmt_rate(char *buf, size_t size, double bps)
{
	if (!(bps >= 0) || isinf(bps)) {
		snprintf(buf, size, "-");
		return buf;
	}
	char b[32];
	fmt_bytes(b, sizeof b, (long long)(bps + 0.5));
	snprintf(buf, size, "%s/s", b);
	return buf;
}

const char *fmt_count(char *buf, size_t size, long long n)
{
	static const char suffix[] = "kMGTPE";
	if (n < 0) {
		snprintf(buf, size, "?");
		return buf;
	}
	if (n < 1000) {
		snprintf(buf, size, "%lld", n);
		return buf;
	}
	double v = (double)n;
	int s = -1;
	while (v >= 1000.0 && s < 5) {
		v /= 1000.0;
		s++;
	}
	if (v >= 999.95 && s < 5) {
		v /= 1000.0;
		s++;
	}
	snprintf(buf, size, v < 100.0 ? "%.1f%c" : "%.0f%c", v, suffix[s]);
	return buf;
}

const char *fmt_duration(char *buf, size_t size, double seconds)
{
	if (!(seconds >= 0) || isinf(seconds))
		seconds = 0;
	long long s = (long long)(seconds + 0.5);
	if (s < 60)
		snprintf(buf, size, "%llds", s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, size, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
	return buf;
}

const char *fmt_eta(char *buf, size_t size, double seconds)
{
	if (!(seconds >= 0) || isinf(seconds)) {
		snprintf(buf, size, "--:--");
		return buf;
	}
	return fmt_duration(buf, size, seconds);
}

/* Append a UTF-8 or ASCII glyph if it fits (keeping room for the NUL). */
static size_t put(char *buf, size_t size, size_t len, const char *g)
{
	size_t n = strlen(g);
	if (len + n + 1 > size)
		return len;
	memcpy(buf + len, g, n + 1);
	return len + n;
}

const char *fmt_bar(char *buf, size_t size, int width, double frac, bool utf8)
{
	static const char *const eighths[] = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉" };
	size_t len = 0;
	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (!(frac >= 0))
		frac = 0;
	if (frac > 1)
		frac = 1;
	if (width <= 0)
		return buf;
	int total = (int)(frac * width * 8 + 0.5);
	int full = total / 8, part = total % 8;
	for (int i = 0; i < width; i++) {
		const char *g;
		if (i < full)
			g = utf8 ? "█" : "#";
		else if (i == full && part > 0)
			g = utf8 ? eighths[part] : part >= 4 ? "#" : ".";
		else
			g = utf8 ? "░" : ".";
		len = put(buf, size, len, g);
	}
	return buf;
}

const char *fmt_sparkline(char *buf, size_t size, const float *v, size_t n, int width, bool utf8)
{
	static const char *const blocks[] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char *const ascii[] = { " ", ".", ".", ":", "-", "=", "+", "*", "#" };
	size_t len = 0;
	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (width <= 0)
		return buf;
	size_t w = (size_t)width;
	size_t first = n > w ? n - w : 0;
	float max = 0;
	for (size_t i = first; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (size_t pad = n - first; pad < w; pad++)
		len = put(buf, size, len, " ");
	for (size_t i = first; i < n; i++) {
		int level = 0;
		if (max > 0 && v[i] > 0) {
			level = (int)ceilf(v[i] / max * 8.0f);
			if (level < 1)
				level = 1;
			if (level > 8)
				level = 8;
		}
		len = put(buf, size, len, utf8 ? blocks[level] : ascii[level]);
	}
	return buf;
}

const char *fmt_clock(char *buf, size_t size, double t)
{
	time_t s = (time_t)t;
	struct tm tm;
	if (t <= 0 || !localtime_r(&s, &tm)) {
		snprintf(buf, size, "--:--:--");
		return buf;
	}
	snprintf(buf, size, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buf;
}
