/* The scan policy's suppressions (ignore file, VEX) as the service checks them at start. */
#ifndef LD_API_POLICY_H
#define LD_API_POLICY_H

#include "lading/scan.h"

/* Read the policy's ignore file and VEX documents once: 0, or the error that would stop every
 * admission later (message on ctx). No files named: 0. */
int ld_inv_policy_check(const lading_scan_options *policy, lading_ctx *ctx);

#endif
