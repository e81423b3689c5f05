/* aliyun_standin: a STAND-IN for Alibaba Cloud's OpenAPI, for tests only.
 *
 * The real API cannot be reached from the test machines, so this local HTTP
 * server on 127.0.0.1 answers as the documented API of AnalyticDB for
 * PostgreSQL (product gpdb, version 2016-05-03, RPC style) does, for the two
 * actions gp2adb uses:
 *   - it checks every request as the API does: the common parameters, the
 *     AccessKey ID (unknown: 404 InvalidAccessKeyId.NotFound), the timestamp
 *     (15 minutes), the nonce (used once), and the HMAC-SHA1 signature over
 *     the canonicalized query (wrong: 400 SignatureDoesNotMatch, with the
 *     server's string to sign in the message, as the API writes it);
 *   - it keeps each instance's whitelist groups in memory, applies
 *     ModifySecurityIps (ModifyMode 0 cover, 1 append, 2 delete) and answers
 *     DescribeDBInstanceIPArrayList in the documented JSON shape;
 *   - errors are the documented JSON: {"RequestId","HostId","Code","Message"}.
 *
 * Tests steer it through plain GET requests under /standin/ (unsigned):
 *   reset                         forget groups, faults and the request log
 *   set?instance=I&group=G&ips=a,b[&attr=hidden]   set a group (creates I)
 *   groups?instance=I             "name<TAB>attribute<TAB>a,b" per group
 *   fail?action=A&count=N&status=503&code=ServiceUnavailable[&after=K][&apply=1]
 *                                 after K more that succeed, the next N requests
 *                                 of A ("*": any) fail; apply=1: do the work,
 *                                 then answer the failure (count=0 clears it)
 *   ignore?mode=2                 ModifySecurityIps of that mode answers success
 *                                 but changes nothing (-1: none)
 *   delay?ms=N                    hold every API answer N ms
 *   log                           "Action ModifyMode status Code" per API request
 *
 * Usage: aliyun_standin KEYFILE PORTFILE   (KEYFILE: access_key_id = ...,
 * access_key_secret = ...; the chosen port is written to PORTFILE). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "aliyun_api.h"
#include "aliyun_sign.h"
#include "gpdb_ips.h"
#include "mem.h"
#include "strbuf.h"

#define MAX_GROUPS 50       /* "1 instance supports up to 50 whitelist groups" */
#define MAX_IPS 1000        /* "up to 1,000 entries, separated by commas" */

struct group {
	char *instance, *name, *attr;
	char **ips;
};

static struct {
	struct aliyun_key key;
	struct group *groups;
	size_t ngroups;
	char **instances;
	char **nonces;
	struct fault {
		char action[64];    /* "" : unused; "*": any action */
		int after, count, status;
		char code[64];
		bool apply;
	} faults[4];
	int ignore_mode;
	int delay_ms;
	struct strbuf log;
} S;

/* --- small helpers --- */

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

static char *decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			out[k++] = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
	return out;
}

static void parse_query(const char *q, struct aliyun_params *ps)
{
	while (q && *q) {
		size_t n = strcspn(q, "&");
		const char *eq = memchr(q, '=', n);
		char *name = decode(q, eq ? (size_t)(eq - q) : n);
		char *value = eq ? decode(eq + 1, n - (size_t)(eq + 1 - q)) : xstrdup("");
		aliyun_params_set(ps, name, value);
		free(name);
		free(value);
		q += n;
		if (*q == '&')
			q++;
	}
}

static void request_id(char out[ALIYUN_NONCE_SIZE])
{
	aliyun_nonce(out);
	for (char *c = out; *c; c++)
		*c = (char)toupper((unsigned char)*c);
}

static void reply(int fd, int status, const char *body)
{
	const char *reason = status == 200 ? "OK" : status == 400 ? "Bad Request" : status == 403 ? "Forbidden"
			     : status == 404 ? "Not Found" : status == 500 ? "Internal Server Error"
			     : status == 503 ? "Service Unavailable" : "Error";
	char head[256];
	int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: application/json;charset=utf-8\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, reason, strlen(body));
	if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0)
		perror("aliyun_standin: write");
}

static void reply_text(int fd, int status, const char *text)
{
	char head[200];
	int n = snprintf(head, sizeof head, "HTTP/1.1 %d X\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n", status, strlen(text));
	if (write(fd, head, (size_t)n) < 0 || write(fd, text, strlen(text)) < 0)
		perror("aliyun_standin: write");
}

/* The documented error answer. */
static void reply_error(int fd, const char *action, const char *mode, int status, const char *code, const char *message)
{
	char rid[ALIYUN_NONCE_SIZE];
	request_id(rid);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "RequestId", rid, "HostId", "gpdb.aliyuncs.com",
			      "Code", code, "Message", message, "Recommend",
			      "https://api.aliyun.com/troubleshoot");
	char *body = json_dumps(o, JSON_COMPACT);
	reply(fd, status, body);
	strbuf_printf(&S.log, "%s %s %d %s\n", action ? action : "-", mode ? mode : "-", status, code);
	free(body);
	json_decref(o);
}

/* --- state --- */

static bool instance_known(const char *inst)
{
	for (size_t i = 0; S.instances && S.instances[i]; i++)
		if (strcmp(S.instances[i], inst) == 0)
			return true;
	return false;
}

static struct group *group_find(const char *inst, const char *name)
{
	for (size_t i = 0; i < S.ngroups; i++)
		if (strcmp(S.groups[i].instance, inst) == 0 && strcasecmp(S.groups[i].name, name) == 0)
			return &S.groups[i];
	return NULL;
}

static struct group *group_add(const char *inst, const char *name)
{
	S.groups = xrealloc(S.groups, (S.ngroups + 1) * sizeof *S.groups);
	struct group *g = &S.groups[S.ngroups++];
	g->instance = xstrdup(inst);
	g->name = xstrdup(name);
	g->attr = xstrdup("");
	g->ips = NULL;
	return g;
}

static size_t groups_of(const char *inst)
{
	size_t n = 0;
	for (size_t i = 0; i < S.ngroups; i++)
		n += strcmp(S.groups[i].instance, inst) == 0;
	return n;
}

static void state_reset(void)
{
	for (size_t i = 0; i < S.ngroups; i++) {
		free(S.groups[i].instance);
		free(S.groups[i].name);
		free(S.groups[i].attr);
		strv_free(S.groups[i].ips);
	}
	free(S.groups);
	S.groups = NULL;
	S.ngroups = 0;
	strv_free(S.instances);
	S.instances = NULL;
	memset(S.faults, 0, sizeof S.faults);
	S.ignore_mode = -1;
	S.delay_ms = 0;
	strbuf_reset(&S.log);
}

static char *join(char *const *v)
{
	struct strbuf sb;
	strbuf_init(&sb);
	for (size_t i = 0; v && v[i]; i++)
		strbuf_printf(&sb, "%s%s", i ? "," : "", v[i]);
	return strbuf_finish(&sb);
}

/* An entry the whitelist takes: a.b.c.d or a.b.c.d/n (n 0-32). */
static bool entry_ok(const char *e)
{
	char addr[32];
	const char *slash = strchr(e, '/');
	size_t n = slash ? (size_t)(slash - e) : strlen(e);
	if (n == 0 || n >= sizeof addr)
		return false;
	memcpy(addr, e, n);
	addr[n] = '\0';
	struct in_addr a;
	if (inet_pton(AF_INET, addr, &a) != 1)
		return false;
	if (!slash)
		return true;
	char *end;
	long bits = strtol(slash + 1, &end, 10);
	return slash[1] && !*end && bits >= 0 && bits <= 32;
}

/* --- the two actions --- */

static void do_describe(int fd, const struct aliyun_params *ps)
{
	const char *inst = aliyun_params_get(ps, "DBInstanceId");
	const char *only = aliyun_params_get(ps, "DBInstanceIPArrayName");
	json_t *arr = json_array();
	for (size_t i = 0; i < S.ngroups; i++) {
		struct group *g = &S.groups[i];
		if (strcmp(g->instance, inst) != 0 || (only && *only && strcasecmp(g->name, only) != 0))
			continue;
		char *list = join(g->ips);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "DBInstanceIPArrayName", g->name,
						     "SecurityIPList", list, "DBInstanceIPArrayAttribute", g->attr));
		free(list);
	}
	char rid[ALIYUN_NONCE_SIZE];
	request_id(rid);
	json_t *o = json_pack("{s:s, s:{s:o}}", "RequestId", rid, "Items", "DBInstanceIPArray", arr);
	char *body = json_dumps(o, JSON_COMPACT);
	reply(fd, 200, body);
	strbuf_printf(&S.log, "DescribeDBInstanceIPArrayList - 200 -\n");
	free(body);
	json_decref(o);
}

/* Apply a ModifySecurityIps; an error answer's code in *code (NULL: done). */
static int apply_modify(const struct aliyun_params *ps, const char **code, const char **msg)
{
	const char *inst = aliyun_params_get(ps, "DBInstanceId");
	const char *list = aliyun_params_get(ps, "SecurityIPList");
	const char *name = aliyun_params_get(ps, "DBInstanceIPArrayName");
	const char *attr = aliyun_params_get(ps, "DBInstanceIPArrayAttribute");
	const char *mode_s = aliyun_params_get(ps, "ModifyMode");
	*code = NULL;
	if (!list) {
		*code = "MissingParameter";
		*msg = "The input parameter \"SecurityIPList\" that is mandatory for processing this request is not supplied.";
		return 400;
	}
	int mode = mode_s && *mode_s ? atoi(mode_s) : 0;
	if (mode_s && *mode_s && (strlen(mode_s) != 1 || mode < 0 || mode > 2)) {
		*code = "InvalidParameter";
		*msg = "The specified value of parameter \"ModifyMode\" is not valid.";
		return 400;
	}
	char **ips = gpdb_ip_list_split(list);
	for (size_t i = 0; ips[i]; i++)
		if (!entry_ok(ips[i])) {
			strv_free(ips);
			*code = "InvalidParameter";
			*msg = "The specified value of parameter \"SecurityIPList\" is not valid.";
			return 400;
		}
	if (!name || !*name)
		name = "default";
	struct group *g = group_find(inst, name);
	if (!g && groups_of(inst) >= MAX_GROUPS) {
		strv_free(ips);
		*code = "InvalidParameter";
		*msg = "An instance supports at most 50 whitelist groups.";
		return 400;
	}
	if (S.ignore_mode == mode) {
		strv_free(ips);
		return 200;     /* steered: answer success, change nothing */
	}
	if (!g)
		g = group_add(inst, name);
	if (attr) {
		free(g->attr);
		g->attr = xstrdup(attr);
	}
	char **next = NULL;
	if (mode == 0) {
		next = strv_dup(ips);
	} else if (mode == 1) {
		next = strv_dup(g->ips);
		for (size_t i = 0; ips[i]; i++)
			if (!gpdb_ip_list_has(next, ips[i]))
				next = strv_push(next, ips[i]);
	} else {
		for (size_t i = 0; g->ips && g->ips[i]; i++)
			if (!gpdb_ip_list_has(ips, g->ips[i]))
				next = strv_push(next, g->ips[i]);
	}
	strv_free(ips);
	if (strv_len(next) > MAX_IPS) {
		strv_free(next);
		*code = "InvalidParameter";
		*msg = "A whitelist group holds at most 1000 entries.";
		return 400;
	}
	strv_free(g->ips);
	g->ips = next;
	return 200;
}

static void do_modify(int fd, const struct aliyun_params *ps, bool apply_only)
{
	const char *code, *msg;
	const char *mode = aliyun_params_get(ps, "ModifyMode");
	int status = apply_modify(ps, &code, &msg);
	if (apply_only)
		return;
	if (code) {
		reply_error(fd, "ModifySecurityIps", mode, status, code, msg);
		return;
	}
	char rid[ALIYUN_NONCE_SIZE];
	request_id(rid);
	char body[128];
	snprintf(body, sizeof body, "{\"RequestId\":\"%s\"}", rid);
	reply(fd, 200, body);
	strbuf_printf(&S.log, "ModifySecurityIps %s 200 -\n", mode ? mode : "-");
}

/* --- one API request: authenticate, then act --- */

static void api_request(int fd, const char *query)
{
	struct aliyun_params ps;
	aliyun_params_init(&ps);
	parse_query(query, &ps);
	const char *action = aliyun_params_get(&ps, "Action");
	const char *mode = aliyun_params_get(&ps, "ModifyMode");
	static const char *const required[] = { "Action", "Version", "Format", "AccessKeyId", "Signature",
						 "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp",
						 NULL };
	char msg[1200];
	if (S.delay_ms > 0) {
		struct timespec ts = { S.delay_ms / 1000, (long)(S.delay_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
	for (int i = 0; required[i]; i++)
		if (!aliyun_params_get(&ps, required[i])) {
			snprintf(msg, sizeof msg, "The input parameter \"%s\" that is mandatory for processing this "
				 "request is not supplied.", required[i]);
			reply_error(fd, action, mode, 400, "MissingParameter", msg);
			goto out;
		}
	if (strcmp(aliyun_params_get(&ps, "SignatureMethod"), "HMAC-SHA1") != 0 ||
	    strcmp(aliyun_params_get(&ps, "SignatureVersion"), "1.0") != 0) {
		reply_error(fd, action, mode, 400, "IncompleteSignature",
			    "The request signature does not conform to Aliyun standards.");
		goto out;
	}
	if (strcmp(aliyun_params_get(&ps, "AccessKeyId"), S.key.id) != 0) {
		reply_error(fd, action, mode, 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
		goto out;
	}
	time_t ts;
	if (!aliyun_timestamp_parse(aliyun_params_get(&ps, "Timestamp"), &ts) || labs((long)(time(NULL) - ts)) > 900) {
		reply_error(fd, action, mode, 400, "InvalidTimeStamp.Expired",
			    "Specified time stamp or date value is expired.");
		goto out;
	}
	char sig[ALIYUN_SIGNATURE_SIZE];
	aliyun_signature("GET", &ps, S.key.secret, sig);
	if (!aliyun_signature_equal(sig, aliyun_params_get(&ps, "Signature"))) {
		char *sts = aliyun_string_to_sign("GET", &ps);
		snprintf(msg, sizeof msg, "Specified signature is not matched with our calculation. server string to "
			 "sign is:%s", sts);
		free(sts);
		reply_error(fd, action, mode, 400, "SignatureDoesNotMatch", msg);
		goto out;
	}
	const char *nonce = aliyun_params_get(&ps, "SignatureNonce");
	for (size_t i = 0; S.nonces && S.nonces[i]; i++)
		if (strcmp(S.nonces[i], nonce) == 0) {
			reply_error(fd, action, mode, 400, "SignatureNonceUsed", "Specified signature nonce was used already.");
			goto out;
		}
	S.nonces = strv_push(S.nonces, nonce);
	if (strcmp(aliyun_params_get(&ps, "Version"), GPDB_API_VERSION) != 0) {
		reply_error(fd, action, mode, 400, "NoSuchVersion", "The specified version does not exist.");
		goto out;
	}
	if (strcmp(aliyun_params_get(&ps, "Format"), "JSON") != 0) {
		reply_error(fd, action, mode, 400, "InvalidParameter", "This stand-in answers Format=JSON only.");
		goto out;
	}
	bool modify = strcmp(action, "ModifySecurityIps") == 0;
	if (!modify && strcmp(action, "DescribeDBInstanceIPArrayList") != 0) {
		reply_error(fd, action, mode, 403, "InvalidAction", "The specified action is not valid.");
		goto out;
	}
	const char *inst = aliyun_params_get(&ps, "DBInstanceId");
	if (!inst) {
		reply_error(fd, action, mode, 400, "MissingParameter",
			    "The input parameter \"DBInstanceId\" that is mandatory for processing this request is not supplied.");
		goto out;
	}
	if (!instance_known(inst)) {
		reply_error(fd, action, mode, 404, "Forbidden.InstanceNotFound", "The specified Instance is not found.");
		goto out;
	}
	for (int i = 0; i < 4; i++) {
		struct fault *f = &S.faults[i];
		if (!f->action[0] || (strcmp(f->action, "*") != 0 && strcmp(f->action, action) != 0))
			continue;
		if (f->after > 0) {
			f->after--;
			break;
		}
		if (f->count <= 0)
			break;
		f->count--;
		if (f->apply && modify)
			do_modify(fd, &ps, true);
		reply_error(fd, action, mode, f->status, f->code,
			    f->status >= 500 ? "The request has failed due to a temporary failure of the server."
					     : "Request was denied due to request throttling.");
		goto out;
	}
	if (modify)
		do_modify(fd, &ps, false);
	else
		do_describe(fd, &ps);
out:
	aliyun_params_done(&ps);
}

/* --- the steering requests --- */

static void control(int fd, const char *what, const char *query)
{
	struct aliyun_params ps;
	aliyun_params_init(&ps);
	parse_query(query, &ps);
	const char *inst = aliyun_params_get(&ps, "instance");
	if (strcmp(what, "reset") == 0) {
		state_reset();
		reply_text(fd, 200, "ok\n");
	} else if (strcmp(what, "set") == 0 && inst && aliyun_params_get(&ps, "group")) {
		if (!instance_known(inst))
			S.instances = strv_push(S.instances, inst);
		struct group *g = group_find(inst, aliyun_params_get(&ps, "group"));
		if (!g)
			g = group_add(inst, aliyun_params_get(&ps, "group"));
		const char *attr = aliyun_params_get(&ps, "attr");
		free(g->attr);
		g->attr = xstrdup(attr ? attr : "");
		strv_free(g->ips);
		g->ips = gpdb_ip_list_split(aliyun_params_get(&ps, "ips"));
		reply_text(fd, 200, "ok\n");
	} else if (strcmp(what, "groups") == 0 && inst) {
		struct strbuf sb;
		strbuf_init(&sb);
		for (size_t i = 0; i < S.ngroups; i++)
			if (strcmp(S.groups[i].instance, inst) == 0) {
				char *list = join(S.groups[i].ips);
				strbuf_printf(&sb, "%s\t%s\t%s\n", S.groups[i].name, S.groups[i].attr, list);
				free(list);
			}
		reply_text(fd, 200, sb.data);
		strbuf_done(&sb);
	} else if (strcmp(what, "fail") == 0) {
		const char *a = aliyun_params_get(&ps, "action"), *c = aliyun_params_get(&ps, "code");
		const char *v;
		if (!a)
			a = "*";
		struct fault *f = NULL;
		for (int i = 0; i < 4 && !f; i++)
			if (strcmp(S.faults[i].action, a) == 0)
				f = &S.faults[i];
		for (int i = 0; i < 4 && !f; i++)
			if (!S.faults[i].action[0])
				f = &S.faults[i];
		if (!f) {
			reply_text(fd, 400, "at most 4 faults at a time\n");
		} else {
			snprintf(f->action, sizeof f->action, "%s", a);
			snprintf(f->code, sizeof f->code, "%s", c ? c : "ServiceUnavailable");
			f->count = (v = aliyun_params_get(&ps, "count")) ? atoi(v) : 1;
			f->after = (v = aliyun_params_get(&ps, "after")) ? atoi(v) : 0;
			f->status = (v = aliyun_params_get(&ps, "status")) ? atoi(v) : 503;
			f->apply = (v = aliyun_params_get(&ps, "apply")) && atoi(v);
			reply_text(fd, 200, "ok\n");
		}
	} else if (strcmp(what, "ignore") == 0 && aliyun_params_get(&ps, "mode")) {
		S.ignore_mode = atoi(aliyun_params_get(&ps, "mode"));
		reply_text(fd, 200, "ok\n");
	} else if (strcmp(what, "delay") == 0 && aliyun_params_get(&ps, "ms")) {
		S.delay_ms = atoi(aliyun_params_get(&ps, "ms"));
		reply_text(fd, 200, "ok\n");
	} else if (strcmp(what, "log") == 0) {
		reply_text(fd, 200, S.log.data);
	} else {
		reply_text(fd, 404, "unknown steering request\n");
	}
	aliyun_params_done(&ps);
}

static void serve(int fd)
{
	char buf[65536];
	size_t len = 0;
	while (len < sizeof buf - 1) {
		ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			break;
	}
	buf[len] = '\0';
	char method[8], target[sizeof buf];
	if (sscanf(buf, "%7s %65000s", method, target) != 2) {
		reply_text(fd, 400, "bad request\n");
		return;
	}
	char *q = strchr(target, '?');
	if (q)
		*q++ = '\0';
	if (strncmp(target, "/standin/", 9) == 0)
		control(fd, target + 9, q);
	else if (strcmp(method, "GET") != 0)
		reply_error(fd, NULL, NULL, 403, "UnsupportedHTTPMethod", "This http method not supported.");
	else if (strcmp(target, "/") != 0)
		reply_error(fd, NULL, NULL, 404, "InvalidAction", "The specified action is not valid.");
	else
		api_request(fd, q);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: aliyun_standin KEYFILE PORTFILE\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	char err[600];
	if (!aliyun_key_load(&S.key, argv[1], err, sizeof err)) {
		fprintf(stderr, "aliyun_standin: %s\n", err);
		return 1;
	}
	strbuf_init(&S.log);
	S.ignore_mode = -1;
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof a;
	if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 16) != 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &alen) != 0) {
		perror("aliyun_standin: listen");
		return 1;
	}
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[2]);
	FILE *f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", ntohs(a.sin_port)) < 0 || fclose(f) != 0 || rename(tmp, argv[2]) != 0) {
		perror("aliyun_standin: port file");
		return 1;
	}
	for (;;) {
		int fd = accept(ls, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			perror("aliyun_standin: accept");
			return 1;
		}
		serve(fd);
		close(fd);
	}
}
