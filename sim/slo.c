#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "precision.h"
#include "slo.h"

static double round_load(double load)
{
	return round(load * 1e4) / 1e4;
}

double sim_capacity_slo(const struct sim_options *o, const struct psp_workload *wl)
{
	if (o->no_capacity)
		return 0;
	return o->slo > 0 ? o->slo : wl->slo > 0 ? wl->slo : 0;
}

bool sim_capacity_bracket(uint32_t reps)
{
	return sim_median_ci_rank(reps) == 0;
}

/* The point at load (to 1e-4) or NULL. */
static const struct sim_point *sim_cache_find(const struct sim_point_cache *c, double load)
{
	for (uint32_t i = 0; i < c->n; i++)
		if (fabs(c->pt[i].load - load) < 5e-5)
			return &c->pt[i];
	return NULL;
}

void sim_cache_add(struct sim_point_cache *c, const struct sim_point *pt)
{
	if (c->n < SIM_CACHE_MAX && !sim_cache_find(c, pt->load))
		c->pt[c->n++] = *pt;
}

/* Runs reps replications of each of nloads loads (nthreads threads) and adds
 * the points to cache.  Returns 0 or a negative errno with err filled. */
static int sim_run_points(const struct sim_setup *setup, const double *loads, uint32_t nloads,
			  uint32_t reps, uint32_t nthreads, struct sim_progress *prog,
			  struct sim_point_cache *cache, struct psp_err *err)
{
	/* --batches: one run per load, whose batches fill the reps slots */
	uint32_t runs = setup->batches ? 1 : reps;
	uint32_t njobs = nloads * runs;
	if (njobs == 0)
		return 0;
	struct sim_job *jobs = calloc(njobs, sizeof(*jobs));
	struct sim_rep_stats *stats = calloc(nloads * reps, sizeof(*stats));
	if (!jobs || !stats) {
		free(jobs);
		free(stats);
		return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	}
	for (uint32_t l = 0; l < nloads; l++)
		for (uint32_t r = 0; r < runs; r++)
			jobs[l * runs + r] = (struct sim_job){.setup = setup, .load = loads[l], .rep = r,
							      .stats = &stats[l * reps + r]};
	int rc = sim_sweep_run(jobs, njobs, nthreads, prog);
	for (uint32_t l = 0; l < nloads && rc == 0; l++) {
		struct sim_point pt;
		sim_point_from(&pt, &stats[l * reps], reps);
		sim_cache_add(cache, &pt);
	}
	for (uint32_t i = 0; i < njobs && rc < 0; i++)
		if (jobs[i].rc < 0) { /* the first failure says why */
			if (err)
				*err = jobs[i].err;
			break;
		}
	for (uint32_t i = 0; i < njobs; i++)
		sim_result_free(&jobs[i].res);
	free(jobs);
	free(stats);
	return rc;
}

/* The same to --precision (precision.h): each load's replications added
 * until its statistics meet the target or its decision is made. */
static int sim_run_points_precise(const struct sim_setup *setup, const double *loads,
				  uint32_t nloads, uint32_t reps, const struct sim_precision *prec,
				  double slo, uint32_t nthreads, struct sim_progress *prog,
				  struct sim_point_cache *cache, uint32_t *replications,
				  struct psp_err *err)
{
	if (nloads == 0)
		return 0;
	struct sim_precise_point *pts = calloc(nloads, sizeof(*pts));
	struct sim_rep_stats *stats = calloc((size_t)nloads * prec->budget, sizeof(*stats));
	int rc = 0;
	if (!pts || !stats)
		rc = psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	for (uint32_t l = 0; l < nloads && rc == 0; l++)
		pts[l] = (struct sim_precise_point){.setup = setup, .load = loads[l],
						    .stats = &stats[(size_t)l * prec->budget]};
	rc = rc ? rc : sim_precise_run(pts, nloads, reps, prec, slo, nthreads, prog, err);
	for (uint32_t l = 0; l < nloads && rc == 0; l++) {
		sim_cache_add(cache, &pts[l].pt);
		*replications += pts[l].reps;
	}
	free(pts);
	free(stats);
	return rc;
}

/* Passes: meets the SLO, and is known to be stable (a run too short to
 * judge stability fills its queues more slowly than a long one and shows
 * latencies below the steady state's). */
static bool passes(const struct sim_point *pt, double slo)
{
	return pt->judged && !pt->overloaded && pt->row[pt->ntypes].p999_slow.value <= slo;
}

/* Surely passes / surely fails: the 95% interval lies wholly on that side
 * of slo.  Without an interval (too few replications) the estimate stands
 * for both bounds, and the capacity's [lo, hi] is a bracket
 * (sim_capacity_bracket). */
static bool surely_passes(const struct sim_point *pt, double slo)
{
	struct sim_est e = pt->row[pt->ntypes].p999_slow;
	return pt->judged && !pt->overloaded && (isnan(e.hi) ? e.value : e.hi) <= slo;
}

static bool surely_fails(const struct sim_point *pt, double slo)
{
	struct sim_est e = pt->row[pt->ntypes].p999_slow;
	return pt->overloaded || (isnan(e.lo) ? e.value : e.lo) > slo;
}

/* The highest passing load in the cache (or 0), and the lowest load above it
 * that fails (or 1: load 1 is never sustainable). */
static void bracket(const struct sim_point_cache *c, double slo, double *pass, double *fail)
{
	*pass = 0;
	for (uint32_t i = 0; i < c->n; i++)
		if (c->pt[i].load < 1 && passes(&c->pt[i], slo) && c->pt[i].load > *pass)
			*pass = c->pt[i].load;
	*fail = 1;
	for (uint32_t i = 0; i < c->n; i++)
		if (c->pt[i].load > *pass && c->pt[i].load < *fail)
			*fail = c->pt[i].load; /* above the highest pass: fails */
}

/* The search's points, to precision when prec is given. */
static int run_points(const struct sim_setup *setup, const double *loads, uint32_t nloads,
		      uint32_t reps, const struct sim_precision *prec, double slo,
		      uint32_t nthreads, struct sim_progress *prog, struct sim_point_cache *cache,
		      struct sim_capacity *cap, struct psp_err *err)
{
	cap->evaluated += nloads;
	if (prec)
		return sim_run_points_precise(setup, loads, nloads, reps, prec, slo, nthreads, prog,
					      cache, &cap->replications, err);
	cap->replications += nloads * (setup->batches ? 1 : reps);
	return sim_run_points(setup, loads, nloads, reps, nthreads, prog, cache, err);
}

int sim_capacity_search(const struct sim_setup *setup, double slo, uint32_t reps,
			const struct sim_precision *prec, uint32_t nthreads,
			struct sim_progress *prog, struct sim_point_cache *cache,
			struct sim_capacity *cap, struct psp_err *err)
{
	memset(cap, 0, sizeof(*cap));
	cap->slo = slo;
	/* The grid: every 0.05, except loads already simulated. */
	double loads[64];
	uint32_t n = 0;
	for (int i = 1; i <= 19; i++)
		if (!sim_cache_find(cache, i * 0.05))
			loads[n++] = round_load(i * 0.05);
	if (prog)
		sim_progress_what(prog, "capacity of %s: %u loads of the grid", setup->policy->name, n);
	int rc = run_points(setup, loads, n, reps, prec, slo, nthreads, prog, cache, cap, err);
	const uint32_t width = SIM_SEARCH_WIDTH;
	double pass, fail;
	while (rc == 0) {
		bracket(cache, slo, &pass, &fail);
		double resolution = pass < 0.05 ? 0.001 : 0.005;
		if (prog)
			sim_progress_what(prog, "capacity of %s: between %.4f and %.4f, %u loads run",
					  setup->policy->name, pass, fail, cap->evaluated);
		if (fail - pass <= resolution || cache->n + width > SIM_CACHE_MAX)
			break;
		n = 0;
		for (uint32_t i = 1; i <= width; i++) {
			double l = round_load(pass + (fail - pass) * i / (width + 1));
			if (l > pass && l < fail && !sim_cache_find(cache, l))
				loads[n++] = l;
		}
		if (n == 0)
			break;
		rc = run_points(setup, loads, n, reps, prec, slo, nthreads, prog, cache, cap, err);
	}
	if (rc < 0)
		return rc;
	bracket(cache, slo, &pass, &fail);
	const struct sim_point *at = pass > 0 ? sim_cache_find(cache, pass) : NULL;
	cap->found = at != NULL;
	cap->load = pass;
	cap->lo = 0;
	cap->hi = 1;
	for (uint32_t i = 0; i < cache->n; i++) {
		const struct sim_point *pt = &cache->pt[i];
		if (pt->load <= pass && pt->load > cap->lo && surely_passes(pt, slo))
			cap->lo = pt->load;
		if (pt->load > pass && pt->load < cap->hi && surely_fails(pt, slo))
			cap->hi = pt->load;
	}
	for (uint32_t i = 0; i < cache->n; i++) {
		const struct sim_point *pt = &cache->pt[i];
		struct sim_est e = pt->row[pt->ntypes].p999_slow;
		if (!pt->judged && !pt->overloaded && e.value <= slo && pt->load > pass &&
		    pt->load > cap->unjudged_pass)
			cap->unjudged_pass = pt->load;
	}
	if (at) {
		cap->rps = at->offered_rps;
		cap->p999_slow = at->row[at->ntypes].p999_slow;
	} else {
		cap->hi = fail;
		cap->p999_slow = (struct sim_est){NAN, NAN, NAN, true};
	}
	return 0;
}

/* psp-sim's defaults give every statistic its 95% interval. */
_Static_assert(SIM_DEFAULT_REPLICATIONS >= SIM_MIN_QUANTILE_REPLICATIONS,
	       "the default replications give percentiles no 95% interval");
