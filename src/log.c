#include "log.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum log_level console_level = LOG_INFO;
static bool console_muted;
static FILE *log_file;
static struct log_line ring[LOG_RING_LINES];
static unsigned long ring_seq;

static const char *const level_names[] = { "debug", "info", "warning", "error" };

const char *log_level_name(enum log_level level)
{
	return level_names[level];
}

void log_set_console(enum log_level level, bool muted)
{
	pthread_mutex_lock(&log_lock);
	console_level = level;
	console_muted = muted;
	pthread_mutex_unlock(&log_lock);
}

bool log_open_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	FILE *f = fdopen(fd, "a");
	if (!f) {
		close(fd);
		return false;
	}
	pthread_mutex_lock(&log_lock);
	if (log_file)
		fclose(log_file);
	log_file = f;
	pthread_mutex_unlock(&log_lock);
	return true;
}

void log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	pthread_mutex_unlock(&log_lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);

	pthread_mutex_lock(&log_lock);
	struct log_line *l = &ring[ring_seq % LOG_RING_LINES];
	l->seq = ++ring_seq;
	l->level = level;
	l->time = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	memcpy(l->text, text, sizeof l->text - 1);
	l->text[sizeof l->text - 1] = '\0';

	if (!console_muted && level >= console_level) {
		if (level >= LOG_WARN)
			fprintf(stderr, "gp2adb: %s: %s\n", level_names[level], text);
		else
			fprintf(stderr, "gp2adb: %s\n", text);
	}
	if (log_file) {
		struct tm tm;
		char stamp[32];
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(log_file, "%s.%03ld [%s] %s\n", stamp, ts.tv_nsec / 1000000L,
			level_names[level], text);
		fflush(log_file);
	}
	pthread_mutex_unlock(&log_lock);
}

size_t log_ring_copy(struct log_line *out, size_t max, unsigned long after_seq)
{
	pthread_mutex_lock(&log_lock);
	unsigned long first = ring_seq > LOG_RING_LINES ? ring_seq - LOG_RING_LINES + 1 : 1;
	if (after_seq + 1 > first)
		first = after_seq + 1;
	if (ring_seq >= first && ring_seq - first + 1 > max)
		first = ring_seq - max + 1;
	size_t n = 0;
	for (unsigned long s = first; s <= ring_seq && n < max; s++)
		out[n++] = ring[(s - 1) % LOG_RING_LINES];
	pthread_mutex_unlock(&log_lock);
	return n;
}
