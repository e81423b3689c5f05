/* Exit codes, as documented in gp2adb(1). */
#ifndef GP2ADB_EXITCODE_H
#define GP2ADB_EXITCODE_H

enum exit_code {
	EXIT_OK = 0,
	EXIT_USAGE = 1,          /* usage or configuration error; also "not implemented yet" */
	EXIT_PREFLIGHT = 2,      /* preflight found a blocking problem */
	EXIT_COPY_FAILED = 3,    /* some tables failed to copy */
	EXIT_DIFFERENCES = 4,    /* validation found differences */
	EXIT_CONNECT = 5,        /* could not connect */
	EXIT_SSH = 6,            /* ssh or host failure */
	EXIT_SCHEMA_FAILED = 7,  /* some schema objects were not applied */
	EXIT_ACCESS_OPEN = 8,    /* finished, but access openings are still outstanding */
	EXIT_INTERRUPTED = 130,  /* interrupted; resumable */
};

#endif
