#include "access_whitelist.h"
#include "gpdb_ips.h"
#include "journal.h"
#include "log.h"
#include "mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* What a closed group holds: 127.0.0.1 admits no client (it is what a new
 * instance's default group holds).  When the migration's entry is the only
 * one in its group, the group is set to this instead of being emptied. */
#define CLOSED_GROUP "127.0.0.1"

static double wait_s = 8.0;

void access_whitelist_set_wait(double seconds)
{
	wait_s = seconds;
}

bool access_whitelist_configured(const struct plan *p)
{
	return p->adb.access_key_file && p->adb.access_key_file[0] && p->adb.instance_id && p->adb.instance_id[0];
}

bool access_whitelist_managed(const struct access_opening *o)
{
	return o->kind == ACCESS_WHITELIST && o->by_gp2adb && o->path &&
	       strncmp(o->path, ACCESS_WHITELIST_API_PREFIX, strlen(ACCESS_WHITELIST_API_PREFIX)) == 0;
}

/* An IPv4 address or range: what the ADB whitelist takes. */
static bool ipv4_entry(const char *cidr)
{
	if (!access_cidr_valid(cidr))
		return false;
	char addr[64];
	snprintf(addr, sizeof addr, "%.*s", (int)strcspn(cidr, "/"), cidr);
	struct in_addr a;
	return inet_pton(AF_INET, addr, &a) == 1;
}

static enum access_failure failure_of(const struct aliyun_error *e)
{
	return aliyun_retryable(e->http_status, e->code) ? ACCESS_FAIL_CONNECT : ACCESS_FAIL_OTHER;
}

static bool client_open(const struct plan *p, struct aliyun_client *c)
{
	char err[700];
	if (!aliyun_client_init(c, p->adb.endpoint, p->adb.region, p->adb.access_key_file, GPDB_API_VERSION,
				err, sizeof err)) {
		log_error("adb: %s", err);
		return false;
	}
	return true;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The group's entries now (NULL or empty when the group does not exist). */
static bool read_group(struct aliyun_client *c, const char *inst, const char *group, char ***ips,
		       struct aliyun_error *e)
{
	struct gpdb_ip_groups gs;
	*ips = NULL;
	/* all groups: how the API answers a filter naming an absent group is not documented */
	if (!gpdb_ips_describe(c, inst, NULL, &gs, e))
		return false;
	const struct gpdb_ip_group *g = gpdb_ip_groups_find(&gs, group);
	if (g)
		*ips = strv_dup(g->ips);
	gpdb_ip_groups_done(&gs);
	return true;
}

enum readback { RB_AS_WANTED, RB_NOT_YET, RB_ERROR };

/* Read the group back until cidr's presence is `want`, for at most wait_s
 * seconds (a change may take a moment to show).  *last: the entries seen last. */
static enum readback readback(struct aliyun_client *c, const char *inst, const char *group, const char *cidr,
			      bool want, char ***last, struct aliyun_error *e)
{
	double pause = 0.25, waited = 0;
	for (;;) {
		char **ips = NULL;
		if (!read_group(c, inst, group, &ips, e))
			return RB_ERROR;
		bool has = gpdb_ip_list_has(ips, cidr);
		if (has == want || waited >= wait_s) {
			if (last)
				*last = ips;
			else
				strv_free(ips);
			return has == want ? RB_AS_WANTED : RB_NOT_YET;
		}
		strv_free(ips);
		if (pause > wait_s - waited)
			pause = wait_s - waited;
		sleep_s(pause);
		waited += pause;
		pause *= 2;
	}
}

static struct access_opening *find_open(struct access_ledger *l, const char *inst, const char *group,
					const char *cidr)
{
	for (size_t i = 0; i < l->n; i++) {
		struct access_opening *o = &l->v[i];
		if (access_whitelist_managed(o) && access_outstanding(o) && o->host && strcmp(o->host, inst) == 0 &&
		    o->what && strcasecmp(o->what, group) == 0 && o->cidr && gpdb_ip_same(o->cidr, cidr))
			return o;
	}
	return NULL;
}

/* What every opening recorded here carries: the migration it was made for,
 * and the instance (host and instance: its id) and region. */
static void fill_where(struct access_opening *o, const struct plan *p, char *mid)
{
	o->kind = ACCESS_WHITELIST;
	o->migration = mid;
	o->host = p->adb.instance_id;
	o->instance = p->adb.instance_id;
	o->region = p->adb.region;
	o->what = p->adb.whitelist_group;
}

/* The entry is in the group, and gp2adb did not put it there: the operator's. */
static enum access_failure record_found(const struct journal *j, struct access_ledger *l, const struct plan *p,
					const char *cidr, int *id)
{
	const char *inst = p->adb.instance_id, *group = p->adb.whitelist_group;
	struct access_opening o = { 0 };
	char *mid = journal_migration_id(p);
	fill_where(&o, p, mid);
	o.cidr = (char *)cidr;
	char *note = xasprintf("already in whitelist group %s of %s when gp2adb looked: gp2adb did not add it, "
			       "so it does not remove it either", group, inst);
	bool ok = access_record(j, l, &o, ACCESS_INTENT, NULL) && access_record(j, l, &o, ACCESS_DONE, note);
	if (ok) {
		log_warn("instance %s: %s is already in whitelist group %s; gp2adb did not add it and will not remove "
			 "it: recorded as opening #%d, yours to close", inst, cidr, group, o.id);
		*id = o.id;
	}
	free(note);
	free(mid);
	return ok ? ACCESS_OK : ACCESS_FAIL_OTHER;
}

static enum access_failure open_locked(struct aliyun_client *c, const struct journal *j, struct access_ledger *l,
				       const struct plan *p, const char *cidr, int *id,
				       enum access_whitelist_outcome *how)
{
	const char *inst = p->adb.instance_id, *group = p->adb.whitelist_group;
	char text[900];
	struct aliyun_error e;
	struct access_opening *prev = find_open(l, inst, group, cidr);
	if (prev && prev->state == ACCESS_CLOSING) {
		/* its removal may have been made already: finish that before anything else */
		log_error("instance %s: opening #%d is being closed (an earlier restore-access did not finish; status "
			  "shows what it found): run restore-access to finish closing it, then open-access again", inst,
			  prev->id);
		return ACCESS_FAIL_OTHER;
	}
	struct access_opening o = { 0 };
	if (prev)
		o = *prev;      /* a copy; its strings stay the ledger's */
	char **ips = NULL;
	if (!read_group(c, inst, group, &ips, &e)) {
		log_error("instance %s: cannot read the whitelist: %s", inst, aliyun_error_text(&e, text, sizeof text));
		if (prev)
			log_error("opening #%d stays in the ledger as possibly open", prev->id);
		return failure_of(&e);
	}
	bool present = gpdb_ip_list_has(ips, cidr);
	strv_free(ips);
	*how = prev && prev->state == ACCESS_DONE ? WHITELIST_ALREADY_OPEN : WHITELIST_ADDED;
	if (present && prev) {
		if (prev->state == ACCESS_INTENT &&
		    !access_record(j, l, &o, ACCESS_DONE, "found in the whitelist when gp2adb read it back again"))
			return ACCESS_FAIL_OTHER;
		log_info("instance %s: whitelist group %s holds %s (read back); opening #%d", inst, group, cidr, o.id);
		*id = o.id;
		return ACCESS_OK;
	}
	if (present) {
		*how = WHITELIST_FOUND;
		return record_found(j, l, p, cidr, id);
	}
	char *path = NULL, *mid = NULL;
	if (!prev) {
		path = xasprintf("%s%s", ACCESS_WHITELIST_API_PREFIX, c->url);
		mid = journal_migration_id(p);
		fill_where(&o, p, mid);
		o.by_gp2adb = true;
		o.cidr = (char *)cidr;
		o.path = path;
		if (!access_record(j, l, &o, ACCESS_INTENT, NULL)) {
			free(path);
			free(mid);
			return ACCESS_FAIL_OTHER;
		}
	} else if (prev->state == ACCESS_DONE) {
		log_warn("instance %s: opening #%d is open in the ledger but whitelist group %s no longer holds %s: "
			 "adding it again", inst, o.id, group, cidr);
	}
	access_crash_point("whitelist-after-intent");
	bool called = gpdb_ips_modify(c, inst, group, GPDB_APPEND, cidr, &e);
	access_crash_point("whitelist-after-call");
	enum access_failure rc = ACCESS_OK;
	if (!called && e.rejected) {
		log_error("instance %s: adding %s to whitelist group %s was refused: %s", inst, cidr, group,
			  aliyun_error_text(&e, text, sizeof text));
		rc = failure_of(&e);
		if (o.state == ACCESS_INTENT) {
			char *note = xasprintf("the API refused it (%s): nothing was added", e.code[0] ? e.code : "error");
			access_record(j, l, &o, ACCESS_CANCELLED, note);
			free(note);
		}
		goto out;
	}
	if (!called)
		log_warn("instance %s: %s; reading the whitelist back to see whether %s was added", inst,
			 aliyun_error_text(&e, text, sizeof text), cidr);
	struct aliyun_error re;
	switch (readback(c, inst, group, cidr, true, NULL, &re)) {
	case RB_AS_WANTED:
		if (o.state == ACCESS_INTENT &&
		    !access_record(j, l, &o, ACCESS_DONE, "added through the OpenAPI and read back")) {
			rc = ACCESS_FAIL_OTHER;
			goto out;
		}
		log_info("instance %s: whitelist group %s now holds %s (read back); opening #%d", inst, group, cidr, o.id);
		*id = o.id;
		break;
	case RB_ERROR:
		log_error("instance %s: cannot read the whitelist back: %s; opening #%d stays in the ledger as possibly "
			  "open: run open-access again, or restore-access", inst, aliyun_error_text(&re, text, sizeof text),
			  o.id);
		rc = failure_of(&re);
		break;
	case RB_NOT_YET:
		log_error("instance %s: the API %s, but whitelist group %s does not show %s after %.0f s; opening #%d "
			  "stays in the ledger as possibly open: run open-access again, or restore-access", inst,
			  called ? "accepted the change" : "did not answer", group, cidr, wait_s, o.id);
		rc = called ? ACCESS_FAIL_HOST : failure_of(&e);
		break;
	}
out:
	free(path);
	free(mid);
	return rc;
}

enum access_failure access_whitelist_open(const struct plan *p, const char *cidr, int *id,
					  enum access_whitelist_outcome *how)
{
	if (!access_whitelist_configured(p)) {
		log_error("adb: no access_key_file and instance_id in the configuration: gp2adb cannot change the "
			  "whitelist itself");
		return ACCESS_FAIL_OTHER;
	}
	if (!ipv4_entry(cidr)) {
		log_error("'%s' is not an IPv4 address or range: the ADB whitelist takes entries like 203.0.113.7, "
			  "203.0.113.0/24 or 0.0.0.0/0", cidr);
		return ACCESS_FAIL_OTHER;
	}
	struct aliyun_client c;
	if (!client_open(p, &c))
		return ACCESS_FAIL_OTHER;
	struct journal j;
	struct access_ledger l;
	enum access_failure rc = ACCESS_FAIL_OTHER;
	int dummy_id;
	enum access_whitelist_outcome dummy_how;
	if (access_ledger_begin(p, &j, &l)) {
		rc = open_locked(&c, &j, &l, p, cidr, id ? id : &dummy_id, how ? how : &dummy_how);
		access_ledger_done(&l);
		journal_close(&j);
	}
	aliyun_client_done(&c);
	return rc;
}

/* Take the ledger and find a managed opening by id; false (logged) when there is none. */
static bool begin_managed(const struct plan *p, int id, struct journal *j, struct access_ledger *l,
			  struct access_opening **found)
{
	if (!access_ledger_begin(p, j, l))
		return false;
	*found = access_ledger_find(l, id);
	if (*found && access_whitelist_managed(*found))
		return true;
	log_error("no whitelist opening #%d made through the OpenAPI in the ledger under %s", id, p->state_dir);
	access_ledger_done(l);
	journal_close(j);
	return false;
}

/* The configuration must still name the instance the opening was made on. */
static bool same_instance(const struct plan *p, const struct access_opening *o)
{
	if (!access_whitelist_configured(p)) {
		log_error("opening #%d was made through the OpenAPI on instance %s; gp2adb needs the adb group "
			  "(instance_id, access_key_file) in the configuration to read or change that whitelist",
			  o->id, o->host ? o->host : "?");
		return false;
	}
	if (!o->host || strcmp(o->host, p->adb.instance_id) != 0) {
		log_error("opening #%d was made on instance %s, but adb.instance_id is now %s: gp2adb does not touch "
			  "another instance's whitelist; name %s in the configuration again", o->id,
			  o->host ? o->host : "?", p->adb.instance_id, o->host ? o->host : "the instance");
		return false;
	}
	return true;
}

/* Record that closing o got no further, and why: it stays outstanding, as
 * closing, and status shows the note. */
static void record_stuck(const struct journal *j, struct access_ledger *l, struct access_opening *o, const char *fmt,
			 ...) __attribute__((format(printf, 4, 5)));
static void record_stuck(const struct journal *j, struct access_ledger *l, struct access_opening *o, const char *fmt,
			 ...)
{
	char note[1200];
	int n = snprintf(note, sizeof note, "the last attempt to remove it: ");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(note + n, sizeof note - (size_t)n, fmt, ap);
	va_end(ap);
	access_record(j, l, o, ACCESS_CLOSING, note);
}

/* Closing is recorded before the removal is asked for, and restored only
 * after the whitelist read back without the entry: a kill between the two
 * leaves it listed as closing, and the next restore-access finishes it. */
static enum access_failure close_locked(struct aliyun_client *c, const struct journal *j, struct access_ledger *l,
					struct access_opening *found)
{
	char text[900];
	struct aliyun_error e;
	/* a deep copy: each event recorded replaces the ledger's strings */
	struct access_opening o;
	access_opening_copy(&o, found);
	bool again = o.state == ACCESS_CLOSING;     /* an earlier attempt was cut short or failed */
	const char *inst = o.host, *group = o.what ? o.what : "", *cidr = o.cidr ? o.cidr : "";
	enum access_failure rc = ACCESS_FAIL_OTHER;
	char **before = NULL, **others = NULL, **after = NULL;
	if (!access_record(j, l, &o, ACCESS_CLOSING, NULL))
		goto out;
	access_crash_point("whitelist-restore-intent");
	if (!read_group(c, inst, group, &before, &e)) {
		aliyun_error_text(&e, text, sizeof text);
		log_error("instance %s: cannot read the whitelist: %s; opening #%d is still open", inst, text, o.id);
		record_stuck(j, l, &o, "cannot read the whitelist: %s", text);
		rc = failure_of(&e);
		goto out;
	}
	if (!gpdb_ip_list_has(before, cidr)) {
		log_info("instance %s: whitelist group %s no longer holds %s", inst, group, cidr);
		rc = access_record(j, l, &o, ACCESS_RESTORED,
				   again ? "no longer in the group when gp2adb read it back (removed by an earlier attempt "
					   "that was cut short, or outside gp2adb)"
					 : "no longer in the group when gp2adb read it back (removed outside gp2adb)")
			     ? ACCESS_OK : ACCESS_FAIL_OTHER;
		goto out;
	}
	for (size_t i = 0; before[i]; i++)
		if (!gpdb_ip_same(before[i], cidr))
			others = strv_push(others, before[i]);
	bool cover = !others && !gpdb_ip_same(cidr, CLOSED_GROUP);
	bool called = cover ? gpdb_ips_modify(c, inst, group, GPDB_COVER, CLOSED_GROUP, &e)
			    : gpdb_ips_modify(c, inst, group, GPDB_DELETE, cidr, &e);
	access_crash_point("whitelist-restore-call");
	if (!called && e.rejected) {
		aliyun_error_text(&e, text, sizeof text);
		log_error("instance %s: removing %s from whitelist group %s was refused: %s; opening #%d is still open",
			  inst, cidr, group, text, o.id);
		record_stuck(j, l, &o, "the API refused it: %s", text);
		rc = failure_of(&e);
		goto out;
	}
	if (!called)
		log_warn("instance %s: %s; reading the whitelist back to see whether %s was removed", inst,
			 aliyun_error_text(&e, text, sizeof text), cidr);
	struct aliyun_error re;
	switch (readback(c, inst, group, cidr, false, &after, &re)) {
	case RB_ERROR:
		aliyun_error_text(&re, text, sizeof text);
		log_error("instance %s: cannot read the whitelist back: %s; opening #%d stays open in the ledger: "
			  "run restore-access again", inst, text, o.id);
		record_stuck(j, l, &o, "cannot read the whitelist back: %s", text);
		rc = failure_of(&re);
		goto out;
	case RB_NOT_YET:
		log_error("instance %s: NOT restored: whitelist group %s still shows %s after %.0f s of reading it back; "
			  "opening #%d stays open in the ledger: run restore-access again, or remove it in the console",
			  inst, group, cidr, wait_s, o.id);
		record_stuck(j, l, &o, "the API %s the removal, but whitelist group %s still showed %s after %.0f s",
			     called ? "accepted" : "did not answer", group, cidr, wait_s);
		rc = called ? ACCESS_FAIL_HOST : failure_of(&e);
		goto out;
	case RB_AS_WANTED:
		break;
	}
	for (size_t i = 0; others && others[i]; i++)
		if (!gpdb_ip_list_has(after, others[i]))
			log_warn("instance %s: whitelist group %s no longer holds %s, which was there before gp2adb "
				 "removed %s: changed by someone else meanwhile?", inst, group, others[i], cidr);
	if (!access_record(j, l, &o, ACCESS_RESTORED,
			   cover ? "removed through the OpenAPI (the group now holds only " CLOSED_GROUP
				   ", which admits no client); read back"
				 : "removed through the OpenAPI, the group's other entries kept; read back"))
		goto out;
	access_crash_point("whitelist-restore-done");
	log_info("instance %s: removed %s from whitelist group %s (read back)%s", inst, cidr, group,
		 cover ? "; the group now holds only " CLOSED_GROUP : "");
	rc = ACCESS_OK;
out:
	strv_free(before);
	strv_free(others);
	strv_free(after);
	access_opening_done(&o);
	return rc;
}

enum access_failure access_whitelist_close(const struct plan *p, int id)
{
	struct journal j;
	struct access_ledger l;
	struct access_opening *found;
	if (!begin_managed(p, id, &j, &l, &found))
		return ACCESS_FAIL_OTHER;
	enum access_failure rc = ACCESS_OK;
	struct aliyun_client c;
	if (!access_outstanding(found))
		rc = ACCESS_OK;
	else if (!same_instance(p, found) || !client_open(p, &c))
		rc = ACCESS_FAIL_OTHER;
	else {
		rc = close_locked(&c, &j, &l, found);
		aliyun_client_done(&c);
	}
	access_ledger_done(&l);
	journal_close(&j);
	return rc;
}

enum access_failure access_whitelist_verify(const struct plan *p, const struct access_opening *o, bool *present)
{
	*present = false;
	if (!access_whitelist_managed(o) || !same_instance(p, o))
		return ACCESS_FAIL_OTHER;
	struct aliyun_client c;
	if (!client_open(p, &c))
		return ACCESS_FAIL_OTHER;
	char **ips = NULL;
	struct aliyun_error e;
	enum access_failure rc = ACCESS_OK;
	if (read_group(&c, o->host, o->what ? o->what : "", &ips, &e)) {
		*present = gpdb_ip_list_has(ips, o->cidr ? o->cidr : "");
	} else {
		char text[900];
		log_error("instance %s: cannot read the whitelist: %s", o->host, aliyun_error_text(&e, text, sizeof text));
		rc = failure_of(&e);
	}
	strv_free(ips);
	aliyun_client_done(&c);
	return rc;
}

void access_whitelist_steps_open(const struct plan *p, const char *cidr, struct strbuf *out)
{
	strbuf_printf(out,
		"WARNING: a whitelist entry lets every address in %s try to log in to instance %s.%s\n"
		"gp2adb adds %s to the whitelist group %s of %s through the OpenAPI, reads the\n"
		"whitelist back, and records it in its access ledger.  'gp2adb restore-access' removes it\n"
		"again (the group's other entries stay) and reads the whitelist back to verify.\n",
		cidr, p->adb.instance_id,
		strcmp(cidr, "0.0.0.0/0") == 0
			? "\n         0.0.0.0/0 is the whole internet: use it only for the copy, and only with strong passwords."
			: "",
		cidr, p->adb.whitelist_group, p->adb.instance_id);
}

void access_whitelist_steps_close(const struct access_opening *o, struct strbuf *out)
{
	strbuf_printf(out, "gp2adb removes %s from the whitelist group %s of %s through the OpenAPI and reads the "
		      "whitelist back.\n", o->cidr ? o->cidr : "?", o->what ? o->what : "?", o->host ? o->host : "?");
}

bool access_whitelist_confirm_closed(const struct plan *p, int id)
{
	struct journal j;
	struct access_ledger l;
	struct access_opening *found;
	if (!begin_managed(p, id, &j, &l, &found))
		return false;
	bool ok = true;
	if (access_whitelist_configured(p)) {
		log_error("opening #%d: gp2adb removes it itself and reads the whitelist back: run restore-access", id);
		ok = false;
	} else if (access_outstanding(found)) {
		struct access_opening copy = *found;
		ok = access_record(&j, &l, &copy, ACCESS_RESTORED,
				   "closed in the console, as confirmed by the operator (no AccessKey configured "
				   "to read it back)");
	}
	access_ledger_done(&l);
	journal_close(&j);
	return ok;
}
