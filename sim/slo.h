/* --slo: the highest load whose p99.9 slowdown stays within a bound. */
#ifndef PSP_SIM_SLO_H
#define PSP_SIM_SLO_H

#include "sweep.h"

/* Searches load in (0, 1) for setup: each round simulates `width` loads
 * spread over the open interval (lo, hi) in parallel, keeps the highest
 * passing load below the first failing one, and stops when hi - lo < 0.005.
 * A load passes when it is not overloaded and its ALL p99.9 slowdown is
 * <= slo.  Assumes the slowdown grows with load (true of every policy here
 * up to sampling noise).  On success *best_load is the answer (-1 when no
 * load passed) and best holds its result (caller frees).  Returns 0 or a
 * negative errno with err filled. */
int sim_slo_search(const struct sim_setup *setup, double slo, uint32_t width,
		   double *best_load, struct sim_result *best, struct psp_err *err);

#endif
