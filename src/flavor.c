#include "flavor.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *flavor_kind_name(enum flavor_kind k)
{
	switch (k) {
	case FLAVOR_POSTGRES: return "PostgreSQL";
	case FLAVOR_GREENPLUM: return "Greenplum";
	case FLAVOR_ADB: return "AnalyticDB";
	default: return "unknown";
	}
}

/* One part of a version at s (digits); false past 99999, which no version
 * has (and which would overflow pg_num). */
static bool version_part(const char *s, char **end, int *out)
{
	long v = strtol(s, end, 10);
	if (v > 99999)
		return false;
	*out = (int)v;
	return true;
}

/* Read "N[.M[.P]]" at s; returns the number of parts read. */
static int parse_dotted(const char *s, int *a, int *b, int *c)
{
	char *end;
	*a = *b = *c = 0;
	if (!isdigit((unsigned char)*s) || !version_part(s, &end, a))
		return 0;
	if (*end != '.' || !isdigit((unsigned char)end[1]) || !version_part(end + 1, &end, b))
		return 1;
	if (*end != '.' || !isdigit((unsigned char)end[1]) || !version_part(end + 1, &end, c))
		return 2;
	return 3;
}

static void set_capabilities(struct flavor *f)
{
	int pg = f->pg_major;
	bool gp = f->gp_major > 0;
	f->mpp = gp;
	f->copy_query_to = !(pg == 8 && f->pg_minor < 2);   /* 8.2 has COPY (query) TO */
	f->binary_copy = true;
	f->copy_on_segment = gp && f->gp_major >= 5;
	/* Greenplum documents synchronized snapshots from 6.0 (pg_dump reference). */
	f->snapshot_export = gp ? f->gp_major >= 6 : (pg >= 10 || (pg == 9 && f->pg_minor >= 2));
	f->has_pg_extension = !(gp && f->gp_major < 5) && (pg >= 9 || gp);
	f->classic_partitions = gp && f->gp_major <= 6;
	f->native_partitions = gp ? f->gp_major >= 7 : pg >= 10;
	f->has_relstorage = gp && f->gp_major <= 6;
	f->has_relam_storage = gp ? f->gp_major >= 7 : pg >= 12;
	f->has_generated_columns = pg >= 12;
	f->has_identity_columns = pg >= 10;
	f->ctid_range_scan = !gp && pg >= 14;
	f->has_pid_column = pg >= 10 || (pg == 9 && f->pg_minor >= 2);
	f->has_abstime_types = pg < 12;
}

static void detect_fork(struct flavor *f, const char *version)
{
	const char *v = f->gp_version;
	if (strstr(version, "HashData"))
		snprintf(f->fork, sizeof f->fork, "HashData");
	else if (strstr(v, "WHPG") || strstr(version, "WarehousePG"))
		snprintf(f->fork, sizeof f->fork, "WHPG");
	else if (strstr(v, "arenadata"))
		snprintf(f->fork, sizeof f->fork, "Arenadata");
	else if (strstr(v, "mdb"))
		snprintf(f->fork, sizeof f->fork, "MDB");
	else if (strstr(version, "Cloudberry"))
		snprintf(f->fork, sizeof f->fork, "Cloudberry");
}

bool flavor_parse(const char *version, struct flavor *out)
{
	memset(out, 0, sizeof *out);
	if (!version)
		return false;
	const char *pg = strstr(version, "PostgreSQL ");
	if (!pg)
		return false;
	int a, b, c;
	if (parse_dotted(pg + strlen("PostgreSQL "), &a, &b, &c) < 1)
		return false;
	out->pg_major = a;
	if (a >= 10) {
		/* 10+: "15.4" is major 15 minor 4; "16beta1" is major 16 */
		out->pg_minor = b;
		out->pg_num = a * 10000 + b;
	} else {
		out->pg_minor = b;
		out->pg_num = a * 10000 + b * 100 + c;
	}
	out->kind = FLAVOR_POSTGRES;

	/* Match the "Greenplum Database" token, not the whole string (forks). */
	const char *gp = strstr(version, "Greenplum Database ");
	if (gp) {
		const char *v = gp + strlen("Greenplum Database ");
		size_t n = strcspn(v, " )");
		if (n >= sizeof out->gp_version)
			n = sizeof out->gp_version - 1;
		memcpy(out->gp_version, v, n);
		out->gp_version[n] = '\0';
		if (parse_dotted(v, &out->gp_major, &out->gp_minor, &out->gp_patch) < 1)
			return false;
		out->kind = flavor_version_looks_like_adb(version) ? FLAVOR_ADB : FLAVOR_GREENPLUM;
		detect_fork(out, version);
	} else if (strstr(version, "Cloudberry") || strstr(version, "HashData")) {
		/* Greenplum derivatives that do not print the Greenplum token: treat
		 * as Greenplum 7 (PostgreSQL 12+ base) or 6 by their PostgreSQL base. */
		out->kind = FLAVOR_GREENPLUM;
		out->gp_major = a >= 12 ? 7 : 6;
		snprintf(out->gp_version, sizeof out->gp_version, "%d", out->gp_major);
		detect_fork(out, version);
	}
	set_capabilities(out);
	return true;
}

bool flavor_version_looks_like_adb(const char *version)
{
	/* ADB V4.3 reports 4.3.99.x; ADB V6 reports "6.3.0 build dev"
	 * (reference/greenplum.md 3.1 and 4.1: a heuristic, confirmed by a probe). */
	return strstr(version, "Greenplum Database 4.3.99") != NULL ||
	       strstr(version, "Greenplum Database 6.3.0 build dev") != NULL;
}

void flavor_mark_adb(struct flavor *f)
{
	if (f->gp_major > 0)
		f->kind = FLAVOR_ADB;
}

void flavor_describe(const struct flavor *f, char *buf, unsigned long size)
{
	switch (f->kind) {
	case FLAVOR_POSTGRES:
		snprintf(buf, size, "PostgreSQL %d.%d", f->pg_major, f->pg_minor);
		break;
	case FLAVOR_GREENPLUM:
		snprintf(buf, size, "Greenplum %s%s%s%s (PostgreSQL %d.%d)", f->gp_version,
			 f->fork[0] ? " [" : "", f->fork, f->fork[0] ? "]" : "",
			 f->pg_major, f->pg_minor);
		break;
	case FLAVOR_ADB:
		snprintf(buf, size, "AnalyticDB for PostgreSQL (Greenplum %s, PostgreSQL %d.%d)",
			 f->gp_version, f->pg_major, f->pg_minor);
		break;
	default:
		snprintf(buf, size, "unknown server");
	}
}

bool flavor_binary_compatible(const struct flavor *src, const struct flavor *dst)
{
	/* Binary COPY is portable across versions in principle, but Greenplum 4.3/5
	 * (8.x bases) differ in several send/recv functions; require the same major. */
	if (src->pg_major < 9 || dst->pg_major < 9)
		return src->pg_major == dst->pg_major && src->pg_minor == dst->pg_minor;
	if (src->pg_major >= 10 && dst->pg_major >= 10)
		return src->pg_major == dst->pg_major;
	return src->pg_major == dst->pg_major && src->pg_minor == dst->pg_minor;
}

bool flavor_binary_preferred(const struct flavor *src, const struct flavor *dst)
{
	return !dst->mpp && flavor_binary_compatible(src, dst);
}
