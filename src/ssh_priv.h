/* ssh_priv: the session as ssh.c and ssh_stream.c share it. */
#ifndef GP2ADB_SSH_PRIV_H
#define GP2ADB_SSH_PRIV_H

#include <libssh2.h>

struct ssh_session {
	LIBSSH2_SESSION *sess;
	int sock;
	char *host;
	const char *password;       /* for the keyboard-interactive callback */
	int timeout_ms;
	unsigned long nonce;
};

#endif
