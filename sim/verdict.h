/* The verdict that ends a comparison of policies: the policies ranked,
 * how far each is ahead of the ones below it, with intervals, and which
 * differences the intervals do not separate.
 *
 * With an SLO the ranking is by capacity (the load sustained at the SLO,
 * slo.h), each step by the capacity ratio and its range (compare.h); a
 * ratio whose range lies above 1 separates the two policies.  Without one
 * it is by the ALL row's p99.9 slowdown at the highest load run, each step
 * by the paired ratio of the two policies' slowdowns (compare.h) and its
 * 95% interval; an interval below 1 separates them. */
#ifndef PSP_SIM_VERDICT_H
#define PSP_SIM_VERDICT_H

#include <stdint.h>

#include "compare.h"
#include "report.h"
#include "slo.h"

/* The ranking by capacity of n policies (names[i]'s capacity cap[i]). */
void sim_report_verdict_capacity(struct sim_report *r, const char *const *names,
				 const struct sim_capacity *cap, uint32_t n);

/* The ranking by the ALL row's p99.9 slowdown at load: policy i's
 * replications there are reps[i][0 .. nreps[i] - 1], its point pt[i]. */
void sim_report_verdict_slowdown(struct sim_report *r, const char *const *names, double load,
				 const struct sim_point *const *pt,
				 const struct sim_rep_stats *const *reps, const uint32_t *nreps,
				 uint32_t n);

#endif
