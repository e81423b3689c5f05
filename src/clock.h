/* clock: the time helpers the threads share. */
#ifndef GP2ADB_CLOCK_H
#define GP2ADB_CLOCK_H

#include <time.h>

/* Seconds on the monotonic clock: for measuring intervals. */
double clock_mono(void);
/* The CLOCK_REALTIME instant `seconds` from now, as pthread_cond_timedwait
 * takes it. */
struct timespec clock_deadline(double seconds);

#endif
