/* relay_http: the text of gpfdist's HTTP protocol as the relay speaks it.
 * Written from how Greenplum 6's external-table client behaves
 * (src/backend/access/external/url_curl.c): a readable table's segment
 * sends GET with X-GP-PROTO: 1 and reads the answer as blocks (a type byte,
 * a 4-byte length in network order, the bytes; 'D' with length 0 ends the
 * data, 'E' carries an error); a writable table's segment sends POSTs with
 * X-GP-SEQ 1 (empty: the open), 2, 3, ... (whole rows each), repeats one
 * with the same number after a timeout, and ends with an empty POST
 * carrying X-GP-DONE.  Any status outside 2xx (but 408) fails its statement. */
#include "relay_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

/* One line of buf starting at p: its end (at '\n'), or NULL. */
static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl;
}

static bool parse_ll(const char *s, size_t n, long long *out)
{
	char tmp[32];
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof tmp)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	char *e;
	errno = 0;
	long long v = strtoll(tmp, &e, 10);
	if (*e || errno)
		return false;
	*out = v;
	return true;
}

static bool value_is(const char *v, size_t n, const char *word)
{
	while (n > 0 && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return strlen(word) == n && strncasecmp(v, word, n) == 0;
}

static bool name_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

/* One header line [p, e) (no line end).  false: malformed. */
static bool parse_header(const char *p, const char *e, struct relay_request *req, bool *keep_alive, int *xid)
{
	const char *colon = memchr(p, ':', (size_t)(e - p));
	if (!colon || colon == p || *p == ' ' || *p == '\t')
		return false;
	size_t nl = (size_t)(colon - p);
	const char *v = colon + 1;
	size_t vl = (size_t)(e - v);
	long long n;
	if (name_is(p, nl, "Content-Length")) {
		if (!parse_ll(v, vl, &n) || n < 0)
			return false;
		req->content_length = n;
	} else if (name_is(p, nl, "Transfer-Encoding")) {
		req->chunked = !value_is(v, vl, "identity");
	} else if (name_is(p, nl, "Connection")) {
		if (value_is(v, vl, "close"))
			req->close = true;
		else if (value_is(v, vl, "keep-alive"))
			*keep_alive = true;
	} else if (name_is(p, nl, "Expect")) {
		req->expect_continue = value_is(v, vl, "100-continue");
	} else if (name_is(p, nl, "X-GP-PROTO")) {
		if (!parse_ll(v, vl, &n) || n < 0 || n > 1000)
			return false;
		req->proto = (int)n;
	} else if (name_is(p, nl, "X-GP-SEQ")) {
		if (!parse_ll(v, vl, &n) || n <= 0)
			return false;
		req->seq = n;
	} else if (name_is(p, nl, "X-GP-DONE")) {
		req->done = true;
	} else if (name_is(p, nl, "X-GP-SEGMENT-ID")) {
		if (!parse_ll(v, vl, &n) || n < 0 || n > 100000)
			return false;
		req->segid = (int)n;
	} else if (name_is(p, nl, "X-GP-SEGMENT-COUNT")) {
		if (!parse_ll(v, vl, &n) || n <= 0 || n > 100000)
			return false;
		req->segcount = (int)n;
	} else if (name_is(p, nl, "X-GP-XID") || name_is(p, nl, "X-GP-CID") || name_is(p, nl, "X-GP-SN")) {
		(*xid)++;
	}
	return true;
}

int relay_http_parse(const char *buf, size_t len, struct relay_request *req)
{
	memset(req, 0, sizeof *req);
	req->content_length = -1;
	req->proto = -1;
	req->segid = req->segcount = -1;
	const char *p = buf, *end = buf + len;
	/* the head must be complete: an empty line */
	const char *head_end = NULL;
	for (const char *q = p; q < end; q++) {
		if (*q != '\n')
			continue;
		if (q + 1 < end && q[1] == '\n') {
			head_end = q + 2;
			break;
		}
		if (q + 2 < end && q[1] == '\r' && q[2] == '\n') {
			head_end = q + 3;
			break;
		}
	}
	if (!head_end)
		return 0;
	/* request line: METHOD SP path SP HTTP/1.x */
	const char *e = line_end(p, head_end);
	const char *le = e > p && e[-1] == '\r' ? e - 1 : e;
	const char *sp1 = memchr(p, ' ', (size_t)(le - p));
	if (!sp1)
		return -1;
	const char *path = sp1 + 1;
	const char *sp2 = memchr(path, ' ', (size_t)(le - path));
	if (!sp2 || sp2 == path || (size_t)(sp2 - path) >= sizeof req->path)
		return -1;
	const char *ver = sp2 + 1;
	if (le - ver != 8 || strncmp(ver, "HTTP/1.", 7) != 0 || ver[7] < '0' || ver[7] > '9')
		return -1;
	req->minor = ver[7] - '0';
	req->get = sp1 - p == 3 && strncmp(p, "GET", 3) == 0;
	req->post = sp1 - p == 4 && strncmp(p, "POST", 4) == 0;
	memcpy(req->path, path, (size_t)(sp2 - path));
	req->path[sp2 - path] = '\0';
	bool keep_alive = false;
	int xid = 0;
	for (p = e + 1; p < head_end;) {
		e = line_end(p, head_end);
		le = e > p && e[-1] == '\r' ? e - 1 : e;
		if (le == p)
			break;          /* the empty line */
		if (!parse_header(p, le, req, &keep_alive, &xid))
			return -1;
		p = e + 1;
	}
	if (req->minor == 0 && !keep_alive)
		req->close = true;
	req->gp_session = xid == 3;
	return (int)(head_end - buf);
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool relay_path_parse(const char *path, char token[RELAY_TOKEN_HEX + 1], enum relay_role *role)
{
	static const char prefix[] = "/gp2adb/";
	*role = ROLE_NONE;
	token[0] = '\0';
	if (strncmp(path, prefix, sizeof prefix - 1) != 0)
		return false;
	const char *t = path + sizeof prefix - 1;
	for (int i = 0; i < RELAY_TOKEN_HEX; i++)
		if (!is_hex(t[i]))
			return false;
	if (t[RELAY_TOKEN_HEX] != '/')
		return false;
	const char *rest = t + RELAY_TOKEN_HEX + 1;
	if (strcmp(rest, "w") == 0) {
		*role = ROLE_WRITER;
	} else if (rest[0] == 'r' && rest[1] >= '1' && rest[1] <= '9') {
		for (const char *q = rest + 2; *q; q++)
			if (*q < '0' || *q > '9' || q - rest > 6)
				return false;
		*role = ROLE_READER;
	} else {
		return false;
	}
	memcpy(token, t, RELAY_TOKEN_HEX);
	token[RELAY_TOKEN_HEX] = '\0';
	return true;
}

bool relay_token_new(char token[RELAY_TOKEN_HEX + 1])
{
	unsigned char raw[RELAY_TOKEN_HEX / 2];
	size_t got = 0;
	while (got < sizeof raw) {
		ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof raw; i++) {
		token[2 * i] = hex[raw[i] >> 4];
		token[2 * i + 1] = hex[raw[i] & 15];
	}
	token[RELAY_TOKEN_HEX] = '\0';
	return true;
}

bool relay_token_equal(const char *a, const char *b)
{
	unsigned char diff = 0;
	for (int i = 0; i < RELAY_TOKEN_HEX; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0 && a[0] != '\0';
}

void relay_block_header(char out[5], char type, uint32_t len)
{
	uint32_t n = htonl(len);
	out[0] = type;
	memcpy(out + 1, &n, 4);
}

long long relay_count_rows(const char *p, size_t n)
{
	long long rows = 0;
	const char *end = p + n;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		rows++;
		p++;
	}
	return rows;
}

size_t relay_http_get_ok(char *buf, size_t size)
{
	int n = snprintf(buf, size, "HTTP/1.1 200 OK\r\n"
			 "Content-Type: text/plain\r\n"
			 "X-GP-PROTO: 1\r\n"
			 "Cache-Control: no-cache\r\n"
			 "Connection: close\r\n\r\n");
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

size_t relay_http_post_ok(char *buf, size_t size, bool close)
{
	int n = snprintf(buf, size, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n%s\r\n",
			 close ? "Connection: close\r\n" : "");
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

size_t relay_http_continue(char *buf, size_t size)
{
	int n = snprintf(buf, size, "HTTP/1.1 100 Continue\r\n\r\n");
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

size_t relay_http_error(char *buf, size_t size, int code, const char *reason)
{
	char clean[300];
	size_t k = 0;
	for (const char *p = reason; p && *p && k < sizeof clean - 1; p++)
		clean[k++] = (*p >= 32 && *p < 127) ? *p : ' ';
	clean[k] = '\0';
	int n = snprintf(buf, size, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
			 code, clean);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
