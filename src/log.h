/* log: leveled messages to stderr and a log file, and a ring buffer of recent
 * lines that the UI shows as its log pane.  Thread-safe. */
#ifndef GP2ADB_LOG_H
#define GP2ADB_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Messages at or above `console_level` go to stderr unless the console is
 * muted (the curses UI mutes it and reads the ring instead). */
void log_set_console(enum log_level console_level, bool muted);
/* Append to this file too (created 0600). false with errno set on failure. */
bool log_open_file(const char *path);
void log_close(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#define LOG_RING_LINES 256
#define LOG_LINE_MAX   240

struct log_line {
	unsigned long seq;          /* increases by one per message, from 1 */
	enum log_level level;
	double time;                /* seconds since the epoch */
	char text[LOG_LINE_MAX];
};

/* Copy up to `max` most recent lines with seq > after_seq, oldest first.
 * Returns the number copied. */
size_t log_ring_copy(struct log_line *out, size_t max, unsigned long after_seq);
const char *log_level_name(enum log_level level);

#endif
