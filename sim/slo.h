/* Capacity under an SLO: the highest load whose p99.9 slowdown (ALL rows,
 * the median over the replications, point.h) stays <= slo on a point that
 * is not overloaded. */
#ifndef PSP_SIM_SLO_H
#define PSP_SIM_SLO_H

#include <psp/workload.h>

#include "options.h"
#include "point.h"
#include "sweep.h"

struct sim_precision;

/* The SLO whose capacity a run searches, or 0 when it searches none: --slo,
 * else the workload's slo: key, unless --no-capacity.  The one decision,
 * whatever the output format (they differ only in how they print it) and
 * whether the run is sharded. */
double sim_capacity_slo(const struct sim_options *opts, const struct psp_workload *wl);

/* The points of one policy simulated so far (the sweep's and the search's),
 * by load: the search reuses a sweep's points and never simulates a load
 * twice. */
#define SIM_CACHE_MAX 512u
struct sim_point_cache {
	uint32_t n;
	struct sim_point pt[SIM_CACHE_MAX];
};

/* Adds a point (ignored when the cache is full). */
void sim_cache_add(struct sim_point_cache *c, const struct sim_point *pt);

struct sim_capacity {
	double slo;
	bool found;      /* some load met the SLO */
	double load;     /* the highest load simulated that met it */
	/* Its range: lo, the highest load <= `load` whose p99.9 slowdown's 95%
	 * interval lies within the SLO; hi, the lowest load above `load` whose
	 * interval lies beyond it, or that is overloaded (1.0 when none).
	 * Without intervals (sim_capacity_bracket) the estimates stand for the
	 * bounds: lo = load and hi is the lowest failing load found, a bracket
	 * and not a confidence interval. */
	double lo, hi;
	double rps;      /* offered rate at `load` */
	struct sim_est p999_slow; /* at `load` */
	uint32_t evaluated;       /* loads simulated by the search itself */
	uint32_t replications;    /* runs the search itself made (--batches: one a load) */
	/* The highest load above `load` that met the SLO in runs too short to
	 * judge its stability (0: none): the answer may be higher with longer
	 * runs. */
	double unjudged_pass;
};

/* Whether a capacity searched with reps replications a load has a bracket
 * for [lo, hi] (the p99.9 slowdown has no 95% interval with so few,
 * point.h) rather than bounds from 95% intervals. */
bool sim_capacity_bracket(uint32_t reps);

/* Loads the search adds per round.  A constant, not a function of the
 * threads: the loads tried, hence the answer, must not depend on --jobs
 * (nor on how a sharded run is spread, sim/shard.h). */
#define SIM_SEARCH_WIDTH 2u

/* Searches the capacity of setup's policy.  First every load of a grid (the
 * loads 0.05, 0.10, ..., 0.95 and those already in cache) is simulated;
 * then the gap between the highest passing load and the lowest failing load
 * above it is narrowed, SIM_SEARCH_WIDTH loads at a time, to 0.005 (0.001 below
 * 0.05).  The answer is the highest passing load simulated, so a point that
 * a sweep with the same settings shows under the SLO is never above it,
 * even when the curve is not monotone.  Each load runs reps replications on
 * nthreads threads (with prec, to that precision from reps on, each load
 * stopping once its decision is made: precision.h), counted in prog (may be
 * NULL), which names the search's bracket as it narrows.
 * A load passes only when its runs were long enough to judge its
 * stability (see stability.h).  Returns 0 or a negative errno with err
 * filled. */
int sim_capacity_search(const struct sim_setup *setup, double slo, uint32_t reps,
			const struct sim_precision *prec, uint32_t nthreads,
			struct sim_progress *prog, struct sim_point_cache *cache,
			struct sim_capacity *cap, struct psp_err *err);

#endif
