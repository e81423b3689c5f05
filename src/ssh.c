#include "ssh.h"
#include "ssh_priv.h"
#include "journal.h"
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh2.h>
#include <netdb.h>
#include <openssl/evp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


static void seterr(char *err, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
}

static const char *session_error(LIBSSH2_SESSION *sess)
{
	char *msg = NULL;
	libssh2_session_last_error(sess, &msg, NULL, 0);
	return msg && *msg ? msg : "unknown libssh2 error";
}

bool ssh_global_init(void)
{
	if (libssh2_init(0) != 0) {
		fprintf(stderr, "gp2adb: cannot initialise libssh2\n");
		return false;
	}
	return true;
}

void ssh_opts_from_plan(struct ssh_opts *o, const struct ssh_plan *p)
{
	memset(o, 0, sizeof *o);
	o->user = p->user;
	o->port = p->port > 0 ? p->port : 22;
	o->identity = p->identity;
	o->known_hosts = p->known_hosts;
	o->password = p->password;
	o->timeout_ms = 30000;
}

void ssh_hostkey_done(struct ssh_hostkey *hk)
{
	free(hk->key);
	memset(hk, 0, sizeof *hk);
}

void ssh_fingerprint(const unsigned char *blob, size_t len, char *out, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	unsigned char b64[64];
	EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL);
	int n = EVP_EncodeBlock(b64, md, (int)mdlen);
	while (n > 0 && b64[n - 1] == '=')
		n--;
	b64[n] = '\0';
	snprintf(out, size, "SHA256:%s", (char *)b64);
}

/* Decode base64 text into a new buffer. */
static unsigned char *base64_decode(const char *text, size_t textlen, size_t *outlen)
{
	while (textlen > 0 && (text[textlen - 1] == '\n' || text[textlen - 1] == ' '))
		textlen--;
	unsigned char *out = xmalloc(textlen / 4 * 3 + 4);
	int n = EVP_DecodeBlock(out, (const unsigned char *)text, (int)textlen);
	if (n < 0) {
		free(out);
		return NULL;
	}
	for (size_t i = textlen; i > 0 && text[i - 1] == '='; i--)
		n--;
	*outlen = (size_t)n;
	return out;
}

bool ssh_key_text_is_rsa(const char *text)
{
	if (strstr(text, "BEGIN RSA PRIVATE KEY") || strncmp(text, "ssh-rsa ", 8) == 0)
		return true;
	const char *b = strstr(text, "BEGIN OPENSSH PRIVATE KEY-----");
	if (!b)
		return false;
	b = strchr(b, '\n');
	const char *e = b ? strstr(b, "-----END") : NULL;
	if (!e)
		return false;
	/* base64 with line breaks: strip them first */
	char *flat = xmalloc((size_t)(e - b) + 1);
	size_t n = 0;
	for (const char *c = b; c < e; c++)
		if (*c != '\n' && *c != '\r')
			flat[n++] = *c;
	flat[n] = '\0';
	size_t len = 0;
	unsigned char *raw = base64_decode(flat, n, &len);
	free(flat);
	bool rsa = false;
	/* The public key blob, unencrypted even when the key has a passphrase,
	 * starts with the string "ssh-rsa". */
	static const unsigned char tag[] = { 0, 0, 0, 7, 's', 's', 'h', '-', 'r', 's', 'a' };
	if (raw && len > sizeof tag)
		rsa = memmem(raw, len < 200 ? len : 200, tag, sizeof tag) != NULL;
	free(raw);
	return rsa;
}

char *ssh_shell_quote(const char *s)
{
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_putc(&sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_puts(&sb, "'\\''");
		else
			strbuf_putc(&sb, *s);
	}
	strbuf_putc(&sb, '\'');
	return strbuf_finish(&sb);
}

static int tcp_connect(const char *host, int port, int timeout_ms, char *err, size_t errsize)
{
	char portstr[16];
	snprintf(portstr, sizeof portstr, "%d", port);
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	int gai = getaddrinfo(host, portstr, &hints, &res);
	if (gai != 0) {
		seterr(err, errsize, "cannot resolve %s: %s", host, gai_strerror(gai));
		return -1;
	}
	int fd = -1, last = 0;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
		if (fd < 0) {
			last = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			if (errno == EINPROGRESS) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };
				int pr = poll(&p, 1, timeout_ms);
				int soerr = 0;
				socklen_t sl = sizeof soerr;
				if (pr == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
					goto connected;
				last = pr == 0 ? ETIMEDOUT : soerr ? soerr : errno;
			} else {
				last = errno;
			}
			close(fd);
			fd = -1;
			continue;
		}
connected:
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	}
	freeaddrinfo(res);
	if (fd < 0)
		seterr(err, errsize, "cannot connect to %s port %d: %s", host, port, strerror(last));
	return fd;
}

static int hostkey_knownbit(int type)
{
	switch (type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
	case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
	case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
	default: return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
	}
}

static const char *knownbit_name(int bit)
{
	switch (bit) {
	case LIBSSH2_KNOWNHOST_KEY_SSHRSA: return "ssh-rsa";
	case LIBSSH2_KNOWNHOST_KEY_SSHDSS: return "ssh-dss";
	case LIBSSH2_KNOWNHOST_KEY_ECDSA_256: return "ecdsa-sha2-nistp256";
	case LIBSSH2_KNOWNHOST_KEY_ECDSA_384: return "ecdsa-sha2-nistp384";
	case LIBSSH2_KNOWNHOST_KEY_ECDSA_521: return "ecdsa-sha2-nistp521";
	case LIBSSH2_KNOWNHOST_KEY_ED25519: return "ssh-ed25519";
	default: return NULL;
	}
}

/* "host" for port 22, "[host]:port" otherwise: the name OpenSSH writes. */
static char *known_name(const char *host, int port)
{
	return port == 22 ? xstrdup(host) : xasprintf("[%s]:%d", host, port);
}

/* Ask the server for a host key type that known_hosts holds for it (the
 * default order could pick another type and look like an unknown host). */
static void prefer_known_types(LIBSSH2_SESSION *sess, LIBSSH2_KNOWNHOSTS *kh, const char *host, int port)
{
	char *name = known_name(host, port);
	struct strbuf pref;
	strbuf_init(&pref);
	struct libssh2_knownhost *prev = NULL, *e;
	while (libssh2_knownhost_get(kh, &e, prev) == 0) {
		prev = e;
		if (!e->name || strcmp(e->name, name) != 0)
			continue;
		const char *t = knownbit_name(e->typemask & LIBSSH2_KNOWNHOST_KEY_MASK);
		if (t && !strstr(pref.data, t)) {
			if (pref.len)
				strbuf_putc(&pref, ',');
			strbuf_puts(&pref, t);
		}
	}
	if (pref.len)
		libssh2_session_method_pref(sess, LIBSSH2_METHOD_HOSTKEY, pref.data);
	strbuf_done(&pref);
	free(name);
}

static bool check_hostkey(struct ssh_session *s, const struct ssh_opts *o, LIBSSH2_KNOWNHOSTS *kh,
			  struct ssh_hostkey *hk, char *err, size_t errsize)
{
	size_t len = 0;
	int type = 0;
	const char *key = libssh2_session_hostkey(s->sess, &len, &type);
	if (!key) {
		seterr(err, errsize, "%s: the host presented no host key: %s", s->host, session_error(s->sess));
		return false;
	}
	hk->libssh2_type = type;
	hk->key = xmalloc(len);
	memcpy(hk->key, key, len);
	hk->keylen = len;
	int bit = hostkey_knownbit(type);
	snprintf(hk->type, sizeof hk->type, "%s", knownbit_name(bit) ? knownbit_name(bit) : "unknown");
	ssh_fingerprint((const unsigned char *)key, len, hk->fingerprint, sizeof hk->fingerprint);

	struct libssh2_knownhost *entry = NULL;
	int rc = libssh2_knownhost_checkp(kh, s->host, o->port, key, len,
					  LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | bit,
					  &entry);
	char *name = known_name(s->host, o->port);
	bool ok = false;
	switch (rc) {
	case LIBSSH2_KNOWNHOST_CHECK_MATCH:
		hk->check = SSH_HOSTKEY_MATCH;
		ok = true;
		break;
	case LIBSSH2_KNOWNHOST_CHECK_MISMATCH: {
		hk->check = SSH_HOSTKEY_MISMATCH;
		size_t kl = 0;
		unsigned char *known = entry && entry->key ? base64_decode(entry->key, strlen(entry->key), &kl) : NULL;
		if (known)
			ssh_fingerprint(known, kl, hk->known_fingerprint, sizeof hk->known_fingerprint);
		else
			snprintf(hk->known_fingerprint, sizeof hk->known_fingerprint, "(unreadable)");
		free(known);
		seterr(err, errsize,
		       "%s: HOST KEY MISMATCH, refused: %s holds %s %s for %s, but the host presented %s %s. "
		       "Someone may be intercepting the connection, or the host was reinstalled. "
		       "Nothing was sent to it. If you know the key changed, remove the old entry "
		       "(ssh-keygen -R '%s' -f %s) and check the new fingerprint with the host's owner.",
		       s->host, o->known_hosts, hk->type, hk->known_fingerprint, name,
		       hk->type, hk->fingerprint, name, o->known_hosts);
		break;
	}
	case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
		hk->check = SSH_HOSTKEY_UNKNOWN;
		seterr(err, errsize,
		       "%s: unknown host key %s %s, refused: %s has no entry for %s. "
		       "Check the fingerprint with the host's owner (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub "
		       "on the host), then trust it in the wizard or add it with ssh-keyscan.",
		       s->host, hk->type, hk->fingerprint, o->known_hosts, name);
		break;
	default:
		seterr(err, errsize, "%s: cannot check the host key against %s: %s", s->host,
		       o->known_hosts, session_error(s->sess));
		break;
	}
	free(name);
	return ok;
}

static void kbd_callback(const char *name, int name_len, const char *instruction, int instruction_len,
			 int num_prompts, const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
			 LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses, void **abstract)
{
	(void)name; (void)name_len; (void)instruction; (void)instruction_len; (void)prompts;
	struct ssh_session *s = *abstract;
	/* Servers ask a single "Password:" question; answer every prompt with it. */
	for (int i = 0; i < num_prompts; i++) {
		responses[i].text = strdup(s->password ? s->password : "");
		responses[i].length = responses[i].text ? (unsigned int)strlen(responses[i].text) : 0;
	}
}

static bool blob_is_rsa(const unsigned char *blob, size_t len)
{
	return len > 11 && memcmp(blob, "\0\0\0\7ssh-rsa", 11) == 0;
}

static bool authenticate(struct ssh_session *s, const struct ssh_opts *o, char *err, size_t errsize)
{
	const char *user = o->user ? o->user : getenv("USER") ? getenv("USER") : "root";
	char *methods = libssh2_userauth_list(s->sess, user, (unsigned int)strlen(user));
	if (!methods) {
		if (libssh2_userauth_authenticated(s->sess))
			return true;
		seterr(err, errsize, "%s: cannot list authentication methods: %s", s->host, session_error(s->sess));
		return false;
	}
	struct strbuf tried;
	strbuf_init(&tried);
	bool rsa_seen = false, other_key_seen = false;

	struct stat st;
	if (strstr(methods, "publickey") && o->identity && stat(o->identity, &st) == 0) {
		FILE *f = fopen(o->identity, "r");
		char text[8192] = "";
		if (f) {
			size_t n = fread(text, 1, sizeof text - 1, f);
			text[n] = '\0';
			fclose(f);
		}
		bool rsa = ssh_key_text_is_rsa(text);
		rsa_seen |= rsa;
		other_key_seen |= !rsa;
		if (libssh2_userauth_publickey_fromfile_ex(s->sess, user, (unsigned int)strlen(user), NULL,
							   o->identity, o->password) == 0)
			goto ok;
		strbuf_printf(&tried, "key file %s (%s)%s; ", o->identity, session_error(s->sess),
			      rsa ? " [RSA]" : "");
	} else if (o->identity) {
		strbuf_printf(&tried, "key file %s (not found); ", o->identity);
	}

	if (strstr(methods, "publickey") && getenv("SSH_AUTH_SOCK")) {
		LIBSSH2_AGENT *agent = libssh2_agent_init(s->sess);
		bool done = false;
		int nkeys = 0;
		if (agent && libssh2_agent_connect(agent) == 0 && libssh2_agent_list_identities(agent) == 0) {
			struct libssh2_agent_publickey *id = NULL, *prev = NULL;
			while (!done && libssh2_agent_get_identity(agent, &id, prev) == 0) {
				prev = id;
				nkeys++;
				bool rsa = blob_is_rsa(id->blob, id->blob_len);
				rsa_seen |= rsa;
				other_key_seen |= !rsa;
				done = libssh2_agent_userauth(agent, user, id) == 0;
			}
			libssh2_agent_disconnect(agent);
		}
		if (agent)
			libssh2_agent_free(agent);
		if (done)
			goto ok;
		strbuf_printf(&tried, "ssh-agent (%d keys, none accepted); ", nkeys);
	}

	if (o->password && strstr(methods, "password")) {
		if (libssh2_userauth_password_ex(s->sess, user, (unsigned int)strlen(user), o->password,
						 (unsigned int)strlen(o->password), NULL) == 0)
			goto ok;
		strbuf_puts(&tried, "password (rejected); ");
	}
	if (o->password && strstr(methods, "keyboard-interactive")) {
		if (libssh2_userauth_keyboard_interactive_ex(s->sess, user, (unsigned int)strlen(user),
							     kbd_callback) == 0)
			goto ok;
		strbuf_puts(&tried, "keyboard-interactive (rejected); ");
	}
	if (rsa_seen && !other_key_seen)
		seterr(err, errsize,
		       "%s: authentication as %s failed: only RSA keys were offered, and this build's libssh2 "
		       "(1.10) cannot sign with RSA-SHA2 (rsa-sha2-256/512), which OpenSSH 8.8 and later "
		       "require. Create an ed25519 key (ssh-keygen -t ed25519), add its .pub to the host's "
		       "authorized_keys, and set ssh.identity. Tried: %s",
		       s->host, user, tried.data);
	else
		seterr(err, errsize, "%s: authentication as %s failed (server allows: %s). Tried: %s",
		       s->host, user, methods, tried.len ? tried.data : "nothing usable");
	strbuf_done(&tried);
	return false;
ok:
	strbuf_done(&tried);
	return true;
}

struct ssh_session *ssh_connect(const struct ssh_opts *o, const char *host,
				struct ssh_hostkey *hk, char *err, size_t errsize)
{
	struct ssh_hostkey local;
	if (!hk)
		hk = &local;
	memset(hk, 0, sizeof *hk);
	struct ssh_session *s = xcalloc(1, sizeof *s);
	s->host = xstrdup(host);
	s->password = o->password;
	s->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
	s->nonce = ((unsigned long)getpid() << 16) ^ (unsigned long)time(NULL);
	s->sock = tcp_connect(host, o->port, s->timeout_ms, err, errsize);
	LIBSSH2_KNOWNHOSTS *kh = NULL;
	if (s->sock < 0)
		goto fail;
	s->sess = libssh2_session_init_ex(NULL, NULL, NULL, s);
	if (!s->sess) {
		seterr(err, errsize, "%s: cannot create an ssh session", host);
		goto fail;
	}
	libssh2_session_set_timeout(s->sess, s->timeout_ms);
	kh = libssh2_knownhost_init(s->sess);
	struct stat st;
	if (!o->known_hosts || !*o->known_hosts) {
		seterr(err, errsize, "%s: no known_hosts file configured (ssh.known_hosts)", host);
		goto fail;
	}
	if (stat(o->known_hosts, &st) == 0 &&
	    libssh2_knownhost_readfile(kh, o->known_hosts, LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0) {
		seterr(err, errsize, "cannot read %s: %s", o->known_hosts, session_error(s->sess));
		goto fail;
	}
	prefer_known_types(s->sess, kh, host, o->port);
	if (libssh2_session_handshake(s->sess, s->sock) != 0) {
		seterr(err, errsize, "%s: ssh handshake failed: %s", host, session_error(s->sess));
		goto fail;
	}
	if (!check_hostkey(s, o, kh, hk, err, errsize))
		goto fail;
	libssh2_knownhost_free(kh);
	kh = NULL;
	if (!authenticate(s, o, err, errsize))
		goto fail;
	if (hk == &local)
		ssh_hostkey_done(&local);
	return s;
fail:
	if (kh)
		libssh2_knownhost_free(kh);
	if (hk == &local)
		ssh_hostkey_done(&local);
	ssh_close(s);
	return NULL;
}

void ssh_close(struct ssh_session *s)
{
	if (!s)
		return;
	if (s->sess) {
		libssh2_session_set_blocking(s->sess, 1);
		libssh2_session_disconnect(s->sess, "gp2adb done");
		libssh2_session_free(s->sess);
	}
	if (s->sock >= 0)
		close(s->sock);
	free(s->host);
	free(s);
}

const char *ssh_host(const struct ssh_session *s)
{
	return s->host;
}

void ssh_set_timeout(struct ssh_session *s, int timeout_ms)
{
	s->timeout_ms = timeout_ms;
	libssh2_session_set_timeout(s->sess, timeout_ms);
}

bool ssh_trust_hostkey(const struct ssh_opts *o, const char *host,
		       const struct ssh_hostkey *hk, char *err, size_t errsize)
{
	if (!hk->key || hk->check == SSH_HOSTKEY_MISMATCH) {
		seterr(err, errsize, "%s: refusing to trust a key that conflicts with %s", host, o->known_hosts);
		return false;
	}
	/* One line in OpenSSH's format: "[host]:port type base64". */
	unsigned char *b64 = xmalloc(hk->keylen * 4 / 3 + 8);
	EVP_EncodeBlock(b64, hk->key, (int)hk->keylen);
	char *name = known_name(host, o->port);
	char *line = xasprintf("%s %s %s\n", name, hk->type, (char *)b64);
	int fd = open(o->known_hosts, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	size_t n = strlen(line);
	bool ok = fd >= 0 && write(fd, line, n) == (ssize_t)n && fsync(fd) == 0;
	if (!ok)
		seterr(err, errsize, "cannot append to %s: %s", o->known_hosts, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(line);
	free(name);
	free(b64);
	return ok;
}

void ssh_result_init(struct ssh_result *r)
{
	r->status = -1;
	strbuf_init(&r->out);
	strbuf_init(&r->err);
}

void ssh_result_done(struct ssh_result *r)
{
	strbuf_done(&r->out);
	strbuf_done(&r->err);
}

static bool wait_socket(struct ssh_session *s)
{
	int dir = libssh2_session_block_directions(s->sess);
	struct pollfd p = { .fd = s->sock, .events = 0 };
	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		p.events |= POLLIN;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		p.events |= POLLOUT;
	if (!p.events)
		p.events = POLLIN;
	return poll(&p, 1, s->timeout_ms) > 0;
}

bool ssh_exec(struct ssh_session *s, const char *cmd, const void *in, size_t inlen,
	      struct ssh_result *r, char *err, size_t errsize)
{
	strbuf_reset(&r->out);
	strbuf_reset(&r->err);
	r->status = -1;
	LIBSSH2_CHANNEL *ch = libssh2_channel_open_session(s->sess);
	if (!ch) {
		seterr(err, errsize, "%s: cannot open an ssh channel: %s", s->host, session_error(s->sess));
		return false;
	}
	/* libssh2 1.10 cannot tell "exit status 0" from "no exit status", so the
	 * command prints its status after a marker; a missing marker is a failure. */
	char marker[48];
	s->nonce++;
	snprintf(marker, sizeof marker, "__GP2ADB_RC_%lx=", s->nonce);
	char *quoted = ssh_shell_quote(cmd);
	char *wrapped = xasprintf("sh -c %s; printf '\\n%s%%d\\n' $?", quoted, marker);
	free(quoted);
	bool ok = false;
	if (libssh2_channel_exec(ch, wrapped) != 0) {
		seterr(err, errsize, "%s: cannot run a command: %s", s->host, session_error(s->sess));
		goto out;
	}
	const char *p = in;
	while (inlen > 0) {
		ssize_t n = libssh2_channel_write(ch, p, inlen);
		if (n < 0) {
			seterr(err, errsize, "%s: sending data failed: %s", s->host, session_error(s->sess));
			goto out;
		}
		p += n;
		inlen -= (size_t)n;
	}
	libssh2_channel_send_eof(ch);

	/* Read both streams without letting one fill its window while we wait on the other. */
	libssh2_session_set_blocking(s->sess, 0);
	char buf[16384];
	for (;;) {
		ssize_t a = libssh2_channel_read(ch, buf, sizeof buf);
		if (a > 0)
			strbuf_add(&r->out, buf, (size_t)a);
		ssize_t b = libssh2_channel_read_stderr(ch, buf, sizeof buf);
		if (b > 0)
			strbuf_add(&r->err, buf, (size_t)b);
		if ((a < 0 && a != LIBSSH2_ERROR_EAGAIN) || (b < 0 && b != LIBSSH2_ERROR_EAGAIN)) {
			seterr(err, errsize, "%s: reading command output failed: %s", s->host, session_error(s->sess));
			libssh2_session_set_blocking(s->sess, 1);
			goto out;
		}
		if (a > 0 || b > 0)
			continue;
		if (libssh2_channel_eof(ch))
			break;
		if (!wait_socket(s)) {
			seterr(err, errsize, "%s: no answer from the command within %d s", s->host, s->timeout_ms / 1000);
			libssh2_session_set_blocking(s->sess, 1);
			goto out;
		}
	}
	libssh2_session_set_blocking(s->sess, 1);

	char *needle = xasprintf("\n%s", marker);
	char *at = NULL;
	for (char *q = strstr(r->out.data, needle); q; q = strstr(q + 1, needle))
		at = q;
	if (!at) {
		seterr(err, errsize, "%s: the command ended without reporting its exit status "
		       "(connection closed or killed): %s", s->host, cmd);
		free(needle);
		goto out;
	}
	r->status = atoi(at + strlen(needle));
	r->out.len = (size_t)(at - r->out.data);
	r->out.data[r->out.len] = '\0';
	free(needle);
	ok = true;
out:
	libssh2_channel_close(ch);
	libssh2_channel_wait_closed(ch);
	libssh2_channel_free(ch);
	free(wrapped);
	return ok;
}

static void first_line(const struct strbuf *sb, char *out, size_t size)
{
	const char *nl = strchr(sb->data, '\n');
	size_t n = nl ? (size_t)(nl - sb->data) : sb->len;
	snprintf(out, size, "%.*s", (int)n, sb->data);
}

/* Run cmd; fail with its first stderr line when it exits non-zero. */
static bool run_step(struct ssh_session *s, const char *cmd, const void *in, size_t inlen,
		     const char *what, struct ssh_result *r, char *err, size_t errsize)
{
	if (!ssh_exec(s, cmd, in, inlen, r, err, errsize))
		return false;
	if (r->status != 0) {
		char line[300];
		first_line(&r->err, line, sizeof line);
		seterr(err, errsize, "%s: %s failed (exit %d): %s", s->host, what, r->status,
		       *line ? line : "no message");
		return false;
	}
	return true;
}

/* Run fmt on the host with each %s the quoted path (up to two); fail naming
 * the path when it exits non-zero. */
static bool run_on_path(struct ssh_session *s, const char *fmt, const char *path, const char *what,
			struct ssh_result *r, char *err, size_t errsize)
{
	char *q = ssh_shell_quote(path);
	char *cmd = xasprintf(fmt, q, q);
	char *step = xasprintf("%s %s", what, path);
	bool ok = run_step(s, cmd, NULL, 0, step, r, err, errsize);
	free(step);
	free(cmd);
	free(q);
	return ok;
}

bool ssh_file_sha256(struct ssh_session *s, const char *path, char hex[65], bool *exists,
		     char *err, size_t errsize)
{
	struct ssh_result r;
	ssh_result_init(&r);
	bool ok = run_on_path(s, "if [ -e %s ]; then sha256sum < %s; else echo absent; fi", path,
			      "checksumming", &r, err, errsize);
	if (ok) {
		*exists = strncmp(r.out.data, "absent", 6) != 0;
		hex[0] = '\0';
		if (*exists && r.out.len < 64) {
			seterr(err, errsize, "%s: unexpected sha256sum output for %s", s->host, path);
			ok = false;
		} else if (*exists) {
			memcpy(hex, r.out.data, 64);
			hex[64] = '\0';
		}
	}
	ssh_result_done(&r);
	return ok;
}

bool ssh_read_file(struct ssh_session *s, const char *path, struct strbuf *out,
		   char *err, size_t errsize)
{
	struct ssh_result r;
	ssh_result_init(&r);
	bool ok = run_on_path(s, "cat %s", path, "reading", &r, err, errsize);
	if (ok) {
		strbuf_reset(out);
		strbuf_add(out, r.out.data, r.out.len);
	}
	ssh_result_done(&r);
	return ok;
}

bool ssh_upload(struct ssh_session *s, const void *data, size_t len, const char *path,
		int mode, const char *like, char *err, size_t errsize)
{
	char hex[65];
	journal_sha256_hex(data, len, hex);
	char *tmp = xasprintf("%s.gp2adb-tmp.%d", path, (int)getpid());
	char *qt = ssh_shell_quote(tmp), *qp = ssh_shell_quote(path);
	char *ql = like ? ssh_shell_quote(like) : NULL;
	char *write_cmd = like ? xasprintf("cp -p %s %s && cat > %s", ql, qt, qt)
			       : xasprintf("umask 077 && cat > %s", qt);
	char *check_cmd = xasprintf("stat -c %%s %s && sha256sum < %s", qt, qt);
	char *mode_cmd = like ? NULL : xasprintf("chmod %o %s", (unsigned)mode, qt);
	char *mv_cmd = xasprintf("mv -f %s %s", qt, qp);
	char *rm_cmd = xasprintf("rm -f %s", qt);
	struct ssh_result r;
	ssh_result_init(&r);
	bool ok = run_step(s, write_cmd, data, len, "writing the temporary file", &r, err, errsize) &&
		  run_step(s, check_cmd, NULL, 0, "checking the upload", &r, err, errsize);
	if (ok) {
		char *nl = strchr(r.out.data, '\n');
		unsigned long long got = strtoull(r.out.data, NULL, 10);
		if (got != len || !nl || strncmp(nl + 1, hex, 64) != 0) {
			seterr(err, errsize, "%s: upload of %s arrived damaged (%llu of %zu bytes, or a "
			       "different sha256); nothing was replaced", s->host, path, got, len);
			ok = false;
		}
	}
	ok = ok && (!mode_cmd || run_step(s, mode_cmd, NULL, 0, "chmod", &r, err, errsize)) &&
	     run_step(s, mv_cmd, NULL, 0, "renaming into place", &r, err, errsize);
	if (!ok) {
		char ignored[64];
		ssh_exec(s, rm_cmd, NULL, 0, &r, ignored, sizeof ignored);
	}
	ssh_result_done(&r);
	free(tmp); free(qt); free(qp); free(ql);
	free(write_cmd); free(check_cmd); free(mode_cmd); free(mv_cmd); free(rm_cmd);
	return ok;
}
