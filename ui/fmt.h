/* fmt: the numbers the wizard and the plain printer show, as short strings.
 * Pure functions: no curses, no locale, no clock.  Each writes into buf
 * (always NUL-terminated, truncated to size) and returns buf. */
#ifndef GP2ADB_UI_FMT_H
#define GP2ADB_UI_FMT_H

#include <stdbool.h>
#include <stddef.h>

/* 512 B, 1.0 KiB, 12.3 MiB, 1.2 GiB, 3.4 TiB; negative: "?" */
const char *fmt_bytes(char *buf, size_t size, long long n);
/* fmt_bytes + "/s"; NaN or negative: "-" */
const char *fmt_rate(char *buf, size_t size, double bytes_per_s);
/* 999, 1.2k, 34.5M, 1.2G; negative: "?" */
const char *fmt_count(char *buf, size_t size, long long n);
/* 0s, 45s, 3m05s, 2h03m, 3d04h */
const char *fmt_duration(char *buf, size_t size, double seconds);
/* like fmt_duration; negative or not finite: "--:--" (unknown) */
const char *fmt_eta(char *buf, size_t size, double seconds);
/* A bar exactly `width` columns wide for frac in [0,1] (clamped).  UTF-8
 * uses full and eighth blocks; ASCII uses '#' and '.'. */
const char *fmt_bar(char *buf, size_t size, int width, double frac, bool utf8);
/* The last `width` of `n` samples as a sparkline scaled to their maximum
 * (block characters, or " .:-=+*#" in ASCII); padded on the left when
 * fewer samples than columns. */
const char *fmt_sparkline(char *buf, size_t size, const float *v, size_t n, int width, bool utf8);
/* "12:34:56": the local time of day of t (seconds since the epoch) */
const char *fmt_clock(char *buf, size_t size, double t);

#endif
