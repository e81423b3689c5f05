/* gp2adb open-access --pg-hba CIDR | --whitelist CIDR */
#include "access.h"
#include "access_whitelist.h"
#include "cmd.h"
#include "exitcode.h"
#include "journal.h"
#include "log.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int open_whitelist(struct plan *p, const char *cidr)
{
	if (!access_cidr_valid(cidr)) {
		fprintf(stderr, "gp2adb: '%s' is not an address range: give one like 203.0.113.0/24 or 0.0.0.0/0\n", cidr);
		return EXIT_USAGE;
	}
	struct access_opening o = { 0 };
	o.kind = ACCESS_WHITELIST;
	o.cidr = (char *)cidr;
	o.what = "gp2adb_migration";
	struct strbuf sb;
	strbuf_init(&sb);
	access_steps_open(&o, p, &sb);
	fputs(sb.data, stdout);
	strbuf_done(&sb);
	if (!cmd_confirm("Have you added this whitelist entry?", p->yes)) {
		fprintf(stderr, "gp2adb: not recorded. Once the entry exists, run this command again with -y "
			"so that gp2adb tracks it and asks for it to be closed.\n");
		return EXIT_USAGE;
	}
	int id = 0;
	if (!access_record_operator(p, ACCESS_WHITELIST, cidr, o.what, &id))
		return EXIT_USAGE;
	printf("Recorded as opening #%d. Close it after the migration; 'gp2adb restore-access' walks you through it.\n", id);
	return EXIT_OK;
}

/* With the adb group's AccessKey: gp2adb adds the entry itself (access_whitelist.c). */
static int open_whitelist_api(struct plan *p, const char *cidr)
{
	if (!access_cidr_valid(cidr)) {
		fprintf(stderr, "gp2adb: '%s' is not an address range: give one like 203.0.113.0/24 or 0.0.0.0/0\n", cidr);
		return EXIT_USAGE;
	}
	struct strbuf sb;
	strbuf_init(&sb);
	access_whitelist_steps_open(p, cidr, &sb);
	fputs(sb.data, stdout);
	strbuf_done(&sb);
	if (!cmd_confirm("Add it now?", p->yes)) {
		fprintf(stderr, "gp2adb: nothing added. Run this command again with -y to add it.\n");
		return EXIT_USAGE;
	}
	int id = 0;
	enum access_whitelist_outcome how;
	switch (access_whitelist_open(p, cidr, &id, &how)) {
	case ACCESS_OK:
		break;
	case ACCESS_FAIL_CONNECT:
		return EXIT_CONNECT;
	default:
		return EXIT_USAGE;
	}
	if (how == WHITELIST_FOUND)
		printf("%s was already in the group: recorded as opening #%d, made by you; close it yourself when the "
		       "migration is done ('gp2adb restore-access' walks you through it).\n", cidr, id);
	else
		printf("%s #%d: whitelist group %s of %s admits %s (read back).\n"
		       "Close it with 'gp2adb restore-access' when the migration is done.\n",
		       how == WHITELIST_ALREADY_OPEN ? "Already open as" : "Opened", id, p->adb.whitelist_group,
		       p->adb.instance_id, cidr);
	return EXIT_OK;
}

int cmd_open_access(struct cli *cli)
{
	struct plan *p = &cli->plan;
	if (!cli->pg_hba_cidr == !cli->whitelist_cidr) {
		fprintf(stderr, "gp2adb: open-access takes one of --pg-hba CIDR or --whitelist CIDR\n");
		return EXIT_USAGE;
	}
	if (cli->whitelist_cidr && access_whitelist_configured(p))
		return open_whitelist_api(p, cli->whitelist_cidr);
	if (cli->whitelist_cidr)
		return open_whitelist(p, cli->whitelist_cidr);
	int id = 0;
	switch (access_open_pg_hba(p, cli->pg_hba_cidr, &id)) {
	case ACCESS_OK:
		printf("Opened #%d: pg_hba.conf on the source master now admits %s (password required).\n"
		       "Close it with 'gp2adb restore-access' when the migration is done.\n", id, cli->pg_hba_cidr);
		return EXIT_OK;
	case ACCESS_FAIL_CONNECT:
		return EXIT_CONNECT;
	case ACCESS_FAIL_HOST:
		return EXIT_SSH;
	default:
		return EXIT_USAGE;
	}
}
