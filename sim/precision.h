/* Precision-based stopping (--precision REL): a point's replications are
 * added, in rounds, until each named statistic of each type and of ALL has a
 * 95% interval whose half-width is within REL of its value, or the budget
 * (--max-replications) is spent; the capacity search also stops a load as
 * soon as its p99.9 slowdown's interval lies wholly on one side of the SLO
 * (the decision is then made: more replications would not change it).
 *
 * A quantile's half-width is the larger of value - lo and hi - value (its
 * order-statistic interval is not symmetric, point.h).  Each round asks, for
 * every statistic still short of its target, the replications that its
 * half-width, shrinking as 1/sqrt(R), says it needs, at most twice as many
 * as it has (the estimate of a spread from a few replications is rough) and
 * at least one more.  The rounds depend only on the replications' results,
 * so the outcome is the same whatever --jobs. */
#ifndef PSP_SIM_PRECISION_H
#define PSP_SIM_PRECISION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psp/err.h>
#include <psp/workload.h>

#include "point.h"
#include "run.h"

/* The statistics checked unless --precision-stats names others: each
 * type's p99.9 slowdown and mean latency. */
#define SIM_PRECISION_DEFAULT_STATS ((1u << SIM_STAT_P999_SLOW) | (1u << SIM_STAT_MEAN_US))
/* --max-replications' default. */
#define SIM_PRECISION_DEFAULT_BUDGET 60u

struct sim_precision {
	double rel;        /* 0: off */
	uint32_t budget;   /* the most replications a point may take */
	uint32_t stats;    /* bit k: enum sim_stat k (never SIM_STAT_GROWTH_PER_S) */
};

/* The output column name of statistic k (mean_us, p999_slowdown, ...), or
 * NULL for one that cannot be named. */
const char *sim_precision_stat_name(int k);

/* Parses a comma-separated list of those names into *stats.  Returns 0 or
 * -EINVAL with err naming the word and the names accepted. */
int sim_precision_parse_stats(const char *list, uint32_t *stats, struct psp_err *err);

/* Whether every checked statistic of pt meets the target; when not, which
 * do not ("LONG p999_slowdown +-7.3%", "; "-separated; types named from wl,
 * which may be NULL: "type 2") into which. */
bool sim_precision_met(const struct sim_precision *p, const struct sim_point *pt,
		       const struct psp_workload *wl, char *which, size_t cap);

/* The replications pt should have after the next round (> pt->reps, at most
 * the budget; pt->reps when the budget is spent). */
uint32_t sim_precision_next(const struct sim_precision *p, const struct sim_point *pt);

/* One point run to precision: its setup and load; stats holds room for
 * p->budget replications.  Filled in: reps run, the point, whether the
 * target was met, what was not. */
struct sim_progress;

struct sim_precise_point {
	const struct sim_setup *setup;
	double load;
	struct sim_rep_stats *stats;
	uint32_t reps;
	struct sim_point pt;
	bool met;
	bool decided;      /* slo > 0: the interval lies on one side of it */
	char unmet[512];
};

/* Runs the points: first reps0 replications each, then rounds as above,
 * all points' replications of a round on nthreads threads.  slo > 0: a
 * point whose ALL p99.9 slowdown interval lies wholly on one side of slo
 * (or that is overloaded) stops too.  Each round's runs are added to prog's
 * expected runs and counted there (prog may be NULL).  Returns 0 or a job's negative errno
 * with err filled. */
int sim_precise_run(struct sim_precise_point *pts, uint32_t n, uint32_t reps0,
		    const struct sim_precision *p, double slo, uint32_t nthreads,
		    struct sim_progress *prog, struct psp_err *err);

#endif
