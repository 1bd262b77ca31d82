/* Capacity under an SLO: the highest load whose p99.9 slowdown (ALL rows,
 * averaged over the replications) stays <= slo on a point that is not
 * overloaded. */
#ifndef PSP_SIM_SLO_H
#define PSP_SIM_SLO_H

#include "point.h"
#include "sweep.h"

/* The points of one policy simulated so far (the sweep's and the search's),
 * by load: the search reuses a sweep's points and never simulates a load
 * twice. */
#define SIM_CACHE_MAX 512u
struct sim_point_cache {
	uint32_t n;
	struct sim_point pt[SIM_CACHE_MAX];
};

/* The point at load (to 1e-4) or NULL. */
const struct sim_point *sim_cache_find(const struct sim_point_cache *c, double load);
/* Adds a point (ignored when the cache is full). */
void sim_cache_add(struct sim_point_cache *c, const struct sim_point *pt);

struct sim_capacity {
	double slo;
	bool found;      /* some load met the SLO */
	double load;     /* the highest load simulated that met it */
	/* Its interval: lo, the highest load <= `load` whose 95% upper bound
	 * meets the SLO; hi, the lowest load above `load` whose 95% lower
	 * bound misses it, or that is overloaded (1.0 when none).  With one
	 * replication the bounds are the estimates. */
	double lo, hi;
	double rps;      /* offered rate at `load` */
	struct sim_est p999_slow; /* at `load` */
	uint32_t evaluated;       /* loads simulated by the search itself */
	/* The highest load above `load` that met the SLO in runs too short to
	 * judge its stability (0: none): the answer may be higher with longer
	 * runs. */
	double unjudged_pass;
};

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
 * nthreads threads; with show_progress a line on stderr follows the search.
 * A load passes only when its runs were long enough to judge its
 * stability (see stability.h).  Returns 0 or a negative errno with err
 * filled. */
int sim_capacity_search(const struct sim_setup *setup, double slo, uint32_t reps,
			uint32_t nthreads, bool show_progress, struct sim_point_cache *cache,
			struct sim_capacity *cap, struct psp_err *err);

/* Runs reps replications of each of nloads loads (nthreads threads) and adds
 * the points to cache.  Returns 0 or a negative errno with err filled. */
int sim_run_points(const struct sim_setup *setup, const double *loads, uint32_t nloads,
		   uint32_t reps, uint32_t nthreads, struct sim_point_cache *cache,
		   struct psp_err *err);

#endif
