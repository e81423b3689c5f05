/* ssh_stream: a long-running remote command whose output is read line by
 * line while it runs (gpcopy on the master).  Its standard input stays open
 * after the data given at the start, so the command can tell when gp2adb
 * goes away: ssh_stream_close_input() (or a lost connection) ends it with
 * end-of-file.  The exit status comes through the same sentinel as
 * ssh_exec's (reference/reliability.md 2.6).  The stream uses the session
 * alone until it is freed; the session must outlive it. */
#ifndef GP2ADB_SSH_STREAM_H
#define GP2ADB_SSH_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "ssh.h"
#include "strbuf.h"

struct ssh_stream;

/* Run cmd on the host's shell and send `in` (may be NULL) to its stdin,
 * which is left open.  NULL with err set on failure. */
struct ssh_stream *ssh_stream_start(struct ssh_session *s, const char *cmd, const void *in, size_t inlen,
				    char *err, size_t errsize);

enum ssh_stream_next {
	SSH_STREAM_LINE,        /* *line holds the next line (no newline); *is_stderr says from where */
	SSH_STREAM_IDLE,        /* no complete line within wait_ms */
	SSH_STREAM_ENDED,       /* the command ended: ssh_stream_status() has its exit status */
	SSH_STREAM_FAILED,      /* the connection failed, or no exit status came: err says which */
};
/* The next complete line of output, waiting up to wait_ms for one.  Empty
 * lines are dropped. */
enum ssh_stream_next ssh_stream_next(struct ssh_stream *st, struct strbuf *line, bool *is_stderr, int wait_ms,
				     char *err, size_t errsize);
/* Send end-of-file on the command's stdin (once). */
void ssh_stream_close_input(struct ssh_stream *st);
int ssh_stream_status(const struct ssh_stream *st);
/* Close the channel (a command still running sees end-of-file) and free. */
void ssh_stream_free(struct ssh_stream *st);

#endif
