/* checks_segpath: method.segment_path.  When both ends are Greenplum-family,
 * gp2adb's engine can move large tables segment to segment through its
 * relay (doc/segment-path.md), if every segment of both clusters reaches
 * it.  The check starts a relay as the copy would (migration.relay_listen,
 * relay_advertise), has every primary of each cluster fetch a probe from
 * it, and says which tables would take that path. */
#include "preflight_int.h"
#include "log.h"
#include "mem.h"
#include "segpath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID "method.segment_path"

void check_segment_path(struct pf *pf)
{
	const struct plan *p = pf->plan;
	char why[300];
	if (!pf->dst)
		return;
	if (!segpath_flavors_ok(&pf->sf, &pf->df, why, sizeof why)) {
		pf_add(pf, ID, p && p->path == PATH_SEGMENT ? SEV_FAIL : SEV_INFO,
		       "Segment path: not possible for these servers", xasprintf("%s.", why),
		       p && p->path == PATH_SEGMENT ? "set migration.path to \"auto\" or \"coordinator\"" : NULL, NULL);
		return;
	}
	if (p && p->path == PATH_COORDINATOR) {
		pf_add(pf, ID, SEV_INFO, "Segment path: off (migration.path is \"coordinator\")",
		       xstrdup("Every row goes through the two coordinators."), NULL, NULL);
		return;
	}
	/* the tables that would take it */
	long long min = p && p->path == PATH_SEGMENT ? 0 : (long long)(p ? p->segment_path_min_mb : 64) << 20;
	for (size_t i = 0; i < pf->tables.n; i++) {
		const struct table *t = &pf->tables.items[i];
		if (catalog_has_data(t) && t->bytes >= min) {
			pf->facts->segment_path_bytes += t->bytes;
			pf->facts->segment_path_tables++;
		}
	}
	struct plan dflt;
	plan_init(&dflt);
	struct segpath_probe s, d;
	char err[300];
	bool started = segpath_probe_both(p ? p : &dflt, pf->src, pf->dst, &s, &d, err, sizeof err);
	plan_done(&dflt);
	if (!started) {
		pf_add(pf, ID, SEV_WARN, "Segment path: the relay cannot listen", xasprintf("%s.", err),
		       "set migration.relay_listen to an address and port of this host that can be bound", NULL);
		return;
	}
	pf->facts->segment_path_probed = true;
	pf->facts->segment_path_ok = s.ok && d.ok;
	pf->facts->segment_path_src_reached = s.reached;
	pf->facts->segment_path_dst_reached = d.reached;
	char size[32];
	preflight_bytes(size, sizeof size, pf->facts->segment_path_bytes);
	char *which = min > 0 ? xasprintf("%zu tables of at least %lld MB (%s)", pf->facts->segment_path_tables,
					  min >> 20, size)
			      : xasprintf("every table (%s)", size);
	if (s.ok && d.ok) {
		char *moves = pf->facts->segment_path_tables > 0
			? xasprintf("The engine moves %s segment to segment, so neither coordinator carries their "
				    "rows; the port must stay open to every segment host of both clusters while the "
				    "copy runs.", which)
			: xasprintf("No table is as large as segment_path_min_mb (%lld MB): every table goes through "
				    "the coordinators, which is quicker for small ones.", min >> 20);
		pf_add(pf, ID, SEV_OK, "Segment path: every segment of both clusters reaches gp2adb's relay",
		       xasprintf("The source's %d primaries reached the relay at %s, the destination's %d at %s. %s",
				 s.segments, s.address, d.segments, d.address, moves),
		       NULL, NULL);
		free(moves);
	} else {
		const char *side = s.ok ? "destination" : "source";
		const struct segpath_probe *bad = s.ok ? &d : &s;
		pf_add(pf, ID, p && p->path == PATH_SEGMENT ? SEV_FAIL : SEV_WARN,
		       "Segment path: segments cannot reach gp2adb's relay",
		       xasprintf("%s: %s. Until they can, the engine copies %s through the two coordinators "
				 "(gp2adb copy --path segment refuses to start).", side, bad->error, which),
		       "open the relay's port on this host to every segment host of both clusters: set "
		       "migration.relay_listen to a fixed port (e.g. \"0.0.0.0:8099\") and, when the segments "
		       "know this host by another address, migration.relay_advertise", NULL);
	}
	free(which);
}
