/* Running a helper program (kubeconfig exec credential plugins): its argv and extra environment
 * given, standard input /dev/null, standard output and error captured up to caps, a deadline
 * after which its process group is killed. The library prints nothing: what the program writes
 * is the caller's to use. */
#ifndef LD_PROC_H
#define LD_PROC_H

#include "util/common.h"

typedef struct ld_proc_opts {
	const char *const *argv; /* argv[0]: a path, or a name looked up in PATH */
	const char *const *env;	 /* "NAME=VALUE" over the caller's environment (may be NULL) */
	size_t nenv;
	size_t max_out; /* standard output beyond this: killed, LADING_ELIMIT */
	size_t max_err; /* standard error beyond this is dropped (the start is kept) */
	unsigned timeout_ms;
} ld_proc_opts;

/* 0 with *status = the exit status (128 + N for a signal N). LADING_ELIMIT: output over
 * max_out or the deadline passed (killed; ctx says which); LADING_ENOTFOUND: the program
 * cannot be run (ctx says why); LADING_ENOMEM, LADING_EIO. */
int ld_proc_run(const ld_proc_opts *o, ld_buf *out, ld_buf *err, int *status, lading_ctx *ctx);

#endif
