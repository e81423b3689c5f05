/* ssh: libssh2 sessions to the Greenplum hosts.  Host keys are checked
 * strictly against known_hosts; exec returns stdout, stderr and an exit
 * status that a sentinel makes reliable (reference/reliability.md 2.6);
 * uploads go to a temporary name, are verified by size and sha256 on the host,
 * then renamed.  One session per thread: a session is never shared.
 *
 * Failing functions write the precise cause into the caller's `err` buffer
 * (hosts run in parallel, and the caller prints each host's result). */
#ifndef GP2ADB_SSH_H
#define GP2ADB_SSH_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"
#include "strbuf.h"

/* Once, in main(), before any thread starts (libssh2_init is not thread-safe). */
bool ssh_global_init(void);

struct ssh_opts {
	const char *user;           /* NULL: $USER */
	int port;
	const char *identity;       /* private key file, or NULL */
	const char *known_hosts;
	const char *password;       /* NULL: no password / keyboard-interactive */
	int timeout_ms;             /* connect and each blocking call */
};
void ssh_opts_from_plan(struct ssh_opts *o, const struct ssh_plan *p);

enum ssh_hostkey_check { SSH_HOSTKEY_MATCH, SSH_HOSTKEY_UNKNOWN, SSH_HOSTKEY_MISMATCH };

/* What the host presented, for the wizard to show and trust (or refuse). */
struct ssh_hostkey {
	enum ssh_hostkey_check check;
	char type[24];              /* "ssh-ed25519" */
	char fingerprint[64];       /* "SHA256:..." of the presented key */
	char known_fingerprint[64]; /* on MISMATCH: the one known_hosts holds */
	unsigned char *key;         /* raw key blob (for ssh_trust_hostkey) */
	size_t keylen;
	int libssh2_type;
};
void ssh_hostkey_done(struct ssh_hostkey *hk);

/* "SHA256:<unpadded base64 of sha256(blob)>" into out (>= 52 bytes). */
void ssh_fingerprint(const unsigned char *blob, size_t len, char *out, size_t size);
/* Is this OpenSSH/PEM private key text an RSA key? */
bool ssh_key_text_is_rsa(const char *text);
/* Single-quote s for a POSIX shell; caller frees. */
char *ssh_shell_quote(const char *s);

struct ssh_session;

/* Connect, check the host key, authenticate.  NULL on failure with err set;
 * when hk is given it is filled with the presented key whatever the outcome
 * (UNKNOWN and MISMATCH are refused: nothing is sent to such a host). */
struct ssh_session *ssh_connect(const struct ssh_opts *o, const char *host,
				struct ssh_hostkey *hk, char *err, size_t errsize);
void ssh_close(struct ssh_session *s);
const char *ssh_host(const struct ssh_session *s);
/* How long a command may stay silent (and each blocking call may take) from
 * now on, for commands known to think long before they answer. */
void ssh_set_timeout(struct ssh_session *s, int timeout_ms);

/* Append host's presented key to known_hosts ([host]:port when port != 22),
 * after the operator checked its fingerprint. */
bool ssh_trust_hostkey(const struct ssh_opts *o, const char *host,
		       const struct ssh_hostkey *hk, char *err, size_t errsize);

struct ssh_result {
	int status;                 /* the command's exit status */
	struct strbuf out, err;
};
void ssh_result_init(struct ssh_result *r);
void ssh_result_done(struct ssh_result *r);

/* Run a shell command; `in` (may be NULL) is sent to its stdin.  true when the
 * command ran to completion (any exit status); false on transport failure or
 * when its exit status did not arrive, with err set. */
bool ssh_exec(struct ssh_session *s, const char *cmd, const void *in, size_t inlen,
	      struct ssh_result *r, char *err, size_t errsize);

/* sha256 (hex) of a remote file; *exists false when it is not there. */
bool ssh_file_sha256(struct ssh_session *s, const char *path, char hex[65], bool *exists,
		     char *err, size_t errsize);
/* Read a remote file whole. */
bool ssh_read_file(struct ssh_session *s, const char *path, struct strbuf *out,
		   char *err, size_t errsize);
/* Write data to path: upload to a temporary name beside it, verify size and
 * sha256 on the host, chmod, rename over path.  `like`: when not NULL, the
 * temporary file starts as `cp -p like` so owner and mode are kept, and mode
 * is ignored. */
bool ssh_upload(struct ssh_session *s, const void *data, size_t len, const char *path,
		int mode, const char *like, char *err, size_t errsize);

#endif
