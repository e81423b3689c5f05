/* advisor: the vendor's decision (reference/greenplum.md 4.7) plus gp2adb's
 * own engine:
 *   gp2adb reaches both sides        -> gp2adb's engine (nothing to install)
 *     ... unless the data is large, gpcopy is usable and the engine's own
 *         segment path is not (doc/segment-path.md): gpcopy (segment to segment)
 *   source reaches the destination   -> gpcopy (not ADB elastic V7 / Serverless)
 *   destination reaches the source   -> gptransfer (Greenplum 4.2 to 5 sources only)
 *   neither                          -> OSS foreign tables */
#include "advisor.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *advisor_method_name(enum method m)
{
	static const char *const names[] = { "engine", "gpcopy", "gptransfer", "oss" };
	return m < METHOD_COUNT ? names[m] : "?";
}

bool advisor_host_is_local(const char *host)
{
	if (!host || !host[0] || host[0] == '/' || strcmp(host, "localhost") == 0 ||
	    strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0)
		return true;
	char name[256];
	if (gethostname(name, sizeof name) != 0)
		return false;
	name[sizeof name - 1] = '\0';
	size_t n = strlen(name);
	/* "mdw" matches "mdw" and "mdw.example.com" */
	return strcmp(host, name) == 0 || (strncmp(host, name, n) == 0 && host[n] == '.');
}

static const char *tri(enum tristate t)
{
	return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "unknown";
}

static void option(struct advice *a, enum method m, bool usable, char *condition)
{
	a->options[m].method = m;
	a->options[m].usable = usable;
	a->options[m].condition = condition;
}

void advisor_advise(const struct plan *p, const struct preflight_facts *facts,
		    const struct findings *f, bool source_is_local, struct advice *out)
{
	memset(out, 0, sizeof *out);
	const struct flavor *s = &facts->source, *d = &facts->destination;
	enum instance_mode mode = p ? p->instance_mode : INSTANCE_UNKNOWN;
	bool reached = facts->destination_reached;

	/* The network: what gp2adb tested beats what the operator said. */
	enum tristate s2d = p ? p->source_reaches_destination : TRI_UNKNOWN;
	enum tristate d2s = p ? p->destination_reaches_source : TRI_UNKNOWN;
	if (source_is_local && reached) {
		s2d = TRI_YES;
		out->source_reaches_destination_tested = true;
	}
	out->source_reaches_destination = s2d;
	out->destination_reaches_source = d2s;

	/* gp2adb's engine: this machine must reach both (tested by connecting);
	 * its large tables go segment to segment where the probe says so. */
	bool seg = facts->segment_path_probed && facts->segment_path_ok && facts->segment_path_tables > 0;
	char size[32];
	preflight_bytes(size, sizeof size, facts->segment_path_bytes);
	out->engine_path = seg ? PATH_SEGMENT : PATH_COORDINATOR;
	if (p && p->path == PATH_COORDINATOR)
		out->path_reason = xstrdup("through the two coordinators: migration.path is \"coordinator\"");
	else if (seg)
		out->path_reason = xasprintf("segment to segment for %zu table%s (%s) through gp2adb's relay, which "
					     "every segment of both clusters reached; the others through the coordinators",
					     facts->segment_path_tables, facts->segment_path_tables == 1 ? "" : "s", size);
	else if (facts->segment_path_probed && facts->segment_path_ok)
		out->path_reason = xasprintf("through the two coordinators: no table reaches segment_path_min_mb (%ld MB)",
					     p ? p->segment_path_min_mb : 64);
	else if (facts->segment_path_probed)
		out->path_reason = xstrdup("through the two coordinators: the segments cannot reach gp2adb's relay "
					   "(see the method.segment_path finding)");
	else
		out->path_reason = xstrdup("through the two coordinators: the segment path needs a Greenplum 5-7 "
					   "source and a Greenplum or ADB destination");
	option(out, METHOD_ENGINE, reached,
	       reached ? xasprintf("this machine reaches both servers (tested): needs nothing installed, "
				   "works with ADB's privileged account; rows go %s", out->path_reason)
		       : xstrdup("needs this machine to reach both servers; connecting to the "
				 "destination failed"));

	/* gpcopy: Greenplum on both sides, a supported destination mode, the
	 * source able to reach the destination. */
	bool dst_gp = d->gp_major > 0 || !reached;   /* unreached: assume ADB */
	bool v7 = d->gp_major >= 7;
	bool mode_ok = !(mode == INSTANCE_SERVERLESS || (mode == INSTANCE_ELASTIC && v7));
	bool gpcopy_flavors = s->gp_major > 0 && dst_gp;
	bool gpcopy = gpcopy_flavors && mode_ok && s2d == TRI_YES;
	const struct finding *gf = f ? findings_find(f, "method.gpcopy") : NULL;
	if (gf && (gf->severity == SEV_WARN || gf->severity == SEV_FAIL))
		gpcopy = false;
	char *why;
	if (s->gp_major == 0)
		why = xstrdup("needs a Greenplum source");
	else if (!dst_gp)
		why = xstrdup("needs a Greenplum or ADB destination");
	else if (!mode_ok)
		why = xasprintf("not supported for ADB %s%s instances", plan_instance_mode_name(mode),
				mode == INSTANCE_ELASTIC ? " storage V7" : "");
	else if (s2d != TRI_YES)
		why = xasprintf("needs the source cluster (master and segment hosts) to reach the "
				"destination; network.source_reaches_destination is %s", tri(s2d));
	else if (!gpcopy)
		why = xstrdup("see the method.gpcopy finding");
	else
		why = xasprintf("the source reaches the destination%s; segment-to-segment copy, needs "
				"gpcopy on both sides (gp2adb install-gpcopy; Alibaba installs it on ADB "
				"by ticket), a source superuser and a temporary 0.0.0.0/0 whitelist",
				out->source_reaches_destination_tested ? " (tested from the source host)" : "");
	option(out, METHOD_GPCOPY, gpcopy, why);

	/* gptransfer: Greenplum 4.2 to 5 sources (removed in 6), the destination
	 * able to reach the source's gpfdist ports. */
	bool gpt_version = s->gp_major == 4 || s->gp_major == 5;
	bool gptransfer = gpt_version && dst_gp && d2s == TRI_YES;
	if (!gpt_version)
		why = xstrdup(s->gp_major >= 6 ? "removed in Greenplum 6: only for 4.2 to 5 sources"
					       : "needs a Greenplum 4.2 to 5 source");
	else if (!dst_gp)
		why = xstrdup("needs a Greenplum or ADB destination");
	else if (d2s != TRI_YES)
		why = xasprintf("needs the destination to reach the source's gpfdist ports; "
				"network.destination_reaches_source is %s", tri(d2s));
	else
		why = xstrdup("the destination reaches the source: run from the source with passwordless "
			      "SSH between all hosts and ports 8000-9999 open on the source");
	option(out, METHOD_GPTRANSFER, gptransfer, why);

	/* OSS: export to an OSS bucket, import with oss_fdw; works when neither
	 * side reaches the other, but needs an ADB destination. */
	bool oss = d->kind == FLAVOR_ADB || !reached || d->gp_major > 0;
	option(out, METHOD_OSS, oss,
	       oss ? xstrdup("always possible with an ADB destination: export to OSS (COPY ON SEGMENT or "
			     "gpfdist on Greenplum, COPY TO on PostgreSQL), import with oss_fdw foreign "
			     "tables; two passes over the data")
		   : xstrdup("needs oss_fdw on the destination (AnalyticDB)"));

	bool large = facts->total_bytes >= ADVISOR_LARGE_BYTES;
	preflight_bytes(size, sizeof size, facts->total_bytes);
	if (reached && !(large && gpcopy && !seg)) {
		out->recommended = METHOD_ENGINE;
		out->reason = xasprintf("gp2adb reaches both servers, so its engine can copy %s directly "
					"with per-table progress, resume and validation, without installing "
					"anything%s.", size,
					seg ? "; its large tables go segment to segment through its relay, so neither "
					      "coordinator carries them"
					: large ? "; gpcopy would be faster at this size but is not usable here" : "");
	} else if (gpcopy) {
		out->recommended = METHOD_GPCOPY;
		out->reason = reached
			? xasprintf("%s is large: gpcopy copies segment to segment instead of through the "
				    "two coordinators (the segments cannot reach gp2adb's own relay).", size)
			: xstrdup("The source reaches the destination but this machine does not: the "
				  "vendor's method for that case is gpcopy.");
	} else if (gptransfer) {
		out->recommended = METHOD_GPTRANSFER;
		out->reason = xstrdup("The destination reaches the source but neither this machine nor the "
				      "source reaches the destination: gptransfer pulls from the source.");
	} else if (oss) {
		out->recommended = METHOD_OSS;
		out->reason = xstrdup("Neither this machine nor the source can reach the destination: "
				      "stage the data in OSS and import it with oss_fdw.");
	} else {
		out->recommended = METHOD_ENGINE;
		out->reason = xstrdup("No method is usable yet: make the destination reachable from this "
				      "machine and run the check again.");
	}
}

void advisor_free(struct advice *a)
{
	free(a->reason);
	free(a->path_reason);
	for (int i = 0; i < METHOD_COUNT; i++)
		free(a->options[i].condition);
	memset(a, 0, sizeof *a);
}
