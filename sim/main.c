/* psp-sim: what tail latency does policy P give on workload W at load L,
 * and what load can it sustain under an SLO? */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <psp/workload.h>

#include "compare.h"
#include "options.h"
#include "perreq.h"
#include "progress.h"
#include "report.h"
#include "shard.h"
#include "slo.h"
#include "point.h"
#include "precision.h"
#include "sweep.h"
#include "fit.h"
#include "system.h"
#include "trace.h"
#include "verdict.h"

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static int complain(const struct psp_err *err, int status)
{
	char buf[1024];
	fprintf(stderr, "psp-sim: %s\n", psp_err_format(err, buf, sizeof(buf)));
	return status;
}

static int fail(const struct psp_err *err, int status)
{
	complain(err, status);
	if (status == EXIT_USAGE)
		fprintf(stderr, "try 'psp-sim --help'\n");
	return status;
}

static void list_all(void)
{
	sim_options_list_policies(stdout);
	char names[2048];
	psp_workload_list(names, sizeof(names));
	printf("workloads (in %s):\n  %s\n", psp_workload_dir(), names);
}

/* The setup of one policy's runs: psp-sim's defaults for the workload,
 * then the options. */
static int build_setup(struct sim_setup *setup, const struct sim_options *o,
		       const struct psp_workload *wl, const struct psp_policy_ops *ops,
		       atomic_uint_fast64_t *progress)
{
	if (sim_setup_default(setup, wl, ops, o->workers) < 0)
		return -ENOMEM;
	setup->requests = o->requests;
	setup->phase_scale = o->phase_scale;
	setup->warmup = o->warmup;
	setup->detect_warmup = o->detect_warmup;
	setup->batches = o->batches;
	setup->dispatch_cost_ns = o->dispatch_cost_ns;
	setup->max_in_system = o->max_in_system;
	setup->seed = o->seed;
	setup->timeline = o->timeline != NULL;
	setup->series_bin_ns = o->series ? (uint64_t)(o->series_ms * 1e6) : 0;
	setup->progress = progress;
	sim_options_apply_knobs(o, ops, setup->conf);
	return 0;
}

/* check_policies' generator: creating a policy draws nothing. */
static uint64_t no_draw(void *ctx)
{
	(void)ctx;
	return 0;
}

/* Closes f, written to path: an error on any write or on the close (a full
 * disk, /dev/full) is an error, so no output is lost silently.  stdout is
 * flushed and checked, not closed. */
static int close_out(FILE *f, const char *path, struct psp_err *err)
{
	bool bad = ferror(f) != 0;
	errno = 0;
	int rc = f == stdout ? fflush(f) : fclose(f);
	bad |= rc != 0 || (f == stdout && ferror(f));
	if (!bad)
		return 0;
	int e = errno ? errno : EIO;
	return psp_err_set(err, -e, path, NULL, "write failed: %s: output lost", strerror(e));
}

static FILE *open_out(const char *path, struct psp_err *err)
{
	FILE *f = fopen(path, "w");
	if (!f)
		psp_err_set(err, -errno, path, NULL, "cannot write: %s", strerror(errno));
	return f;
}

/* Checks each policy accepts its configuration before any simulation. */
static int check_policies(const struct sim_options *o, struct sim_setup *setup,
			  struct psp_err *err)
{
	for (uint32_t p = 0; p < o->npolicies; p++) {
		struct psp_policy_conf *conf = psp_policy_conf_dup(setup[p].conf);
		if (!conf)
			return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
		psp_policy_conf_set_on_reservation(conf, NULL, NULL);
		psp_policy_conf_set_rand(conf, no_draw, NULL); /* the run supplies its own */
		struct psp_policy *pol = psp_policy_create(o->policy[p], conf, err);
		psp_policy_conf_free(conf);
		if (!pol) {
			char where[160];
			snprintf(where, sizeof(where), "--policy %s", o->policy[p]->name);
			snprintf(err->where, sizeof(err->where), "%s", where);
			return -EINVAL;
		}
		psp_policy_destroy(pol);
	}
	return 0;
}

/* Warnings that need only the options and the workload. */
static void warn_before(const struct sim_options *o, const struct psp_workload *wl,
			const struct sim_setup *setup)
{
	if (wl->nphases == 1)
		return;
	for (uint32_t p = 0; p < o->npolicies; p++) {
		/* a learning policy (DARC dynamic) profiles this many completions
		 * before each plan */
		uint64_t samples = sim_setup_profile_left(&setup[p]);
		if (samples == 0)
			continue;
		for (uint32_t ph = 0; ph < wl->nphases; ph++) {
			const struct psp_wl_phase *phase = &wl->phase[ph];
			double ms = phase->duration_ms * o->phase_scale;
			double arrivals = o->load[0] * o->workers / phase->mean_service_us * 1e3 * ms;
			if (arrivals < (double)samples)
				fprintf(stderr, "psp-sim: warning: phase %u lasts %.3g ms (about %.0f arrivals at load %g), "
						"fewer than darc_samples (%llu): DARC cannot re-profile within it; "
						"raise --phase-scale or lower --darc-samples\n",
					ph + 1, ms, arrivals, o->load[0], (unsigned long long)samples);
		}
	}
}

/* Warnings about what a run produced. */
static void warn_after(const struct sim_options *o, const struct sim_point_cache *cache)
{
	bool few_warned = false;
	for (uint32_t p = 0; p < o->npolicies; p++) {
		for (uint32_t i = 0; i < cache[p].n; i++) {
			const struct sim_point *pt = &cache[p].pt[i];
			uint64_t per_rep = pt->measured / pt->reps;
			if (!few_warned && per_rep < 10000) {
				fprintf(stderr, "psp-sim: warning: %llu measured requests per replication at load %g: "
						"a p99.9 from fewer than 10000 rests on fewer than 10 requests; "
						"%s\n",
					(unsigned long long)per_rep, pt->load,
					o->trace ? "replay a longer trace" : "raise --requests");
				few_warned = true;
			}
		}
	}
}

/* What every way of running needs: the options, the workload, each policy's
 * setup, the output files. */
struct run {
	struct sim_options o;
	struct psp_workload wl;
	atomic_uint_fast64_t progress;
	struct sim_setup setup[SIM_MAX_POLICIES];
	FILE *out, *slo_csv, *compare_csv;
	struct sim_progress prog;  /* the progress line (progress.h) */
	struct sim_trace trace;    /* --trace: the rows replayed */
	struct psp_workload given; /* --trace --workload: the workload named */
	struct sim_system system;  /* --system */
	bool output_lost;          /* a write or close of an output failed */
};

/* --trace: reads the trace (against the workload, if one is given), makes
 * the replay's workload, and runs the trace's own load unless --load is
 * given. */
static int prepare_trace(struct run *run, struct psp_err *err)
{
	struct sim_options *o = &run->o;
	const struct psp_workload *given = o->workload ? &run->given : NULL;
	if (given && psp_workload_load(o->workload, &run->given, err) < 0)
		return -EINVAL;
	if (sim_trace_read(o->trace, given, &run->trace, err) < 0)
		return -EINVAL;
	sim_trace_workload(&run->trace, given, &run->wl);
	o->requests = run->trace.n;
	double own = sim_trace_load(&run->trace, o->workers);
	if (!o->loads_given) {
		if (own >= 1 && !o->allow_overload)
			return psp_err_set(err, -EINVAL, "--trace", NULL,
					   "the trace's own offered load on %u worker%s is %g, at or above "
					   "capacity: pass --allow-overload to replay it as it is, or "
					   "--load to scale it", o->workers, o->workers == 1 ? "" : "s", own);
		o->load[0] = own;
		o->nloads = 1;
	}
	return 0;
}

/* Whether knob name was given on the command line. */
static bool knob_given(const struct sim_options *o, const char *name)
{
	for (uint32_t i = 0; i < o->nknobs; i++)
		if (!strcmp(o->knob[i].param->name, name))
			return true;
	return false;
}

/* --system: loads it; a fact it gives may not be given again by a flag. */
static int prepare_system(struct run *run, struct psp_err *err)
{
	struct sim_options *o = &run->o;
	struct sim_system *sys = &run->system;
	if (sim_system_load(o->system, sys, err) < 0)
		return -EINVAL;
	if (sys->workers && o->workers_given && sys->workers != o->workers)
		return psp_err_set(err, -EINVAL, "--workers", NULL,
				   "%u, but the system %s has %u workers (workers.count): give one "
				   "or the other", o->workers, sys->path, sys->workers);
	if (sys->workers)
		o->workers = sys->workers;
	if (o->dispatch_cost_ns && sim_sysdist_given(&sys->disp_dispatch))
		return psp_err_set(err, -EINVAL, "--dispatch-cost-ns", NULL,
				   "the system %s gives dispatcher.dispatch already (the flag is "
				   "shorthand for it): give one or the other", sys->path);
	for (uint32_t i = 0; i < sys->npreempt; i++)
		if (sim_sysdist_given(&sys->preempt[i].cost) && knob_given(o, "preempt_cost_us"))
			return psp_err_set(err, -EINVAL, "--preempt-cost-us", NULL,
					   "the system %s gives the preemption cost already "
					   "(preemption%s%s.cost): give one or the other", sys->path,
					   sys->preempt[i].policy ? "." : "",
					   sys->preempt[i].policy ? sys->preempt[i].policy->name : "");
	return 0;
}

/* Loads the workload and builds and checks each policy's setup. */
static int prepare(struct run *run, struct psp_err *err)
{
	struct sim_options *o = &run->o;
	if (o->system && prepare_system(run, err) < 0)
		return -EINVAL;
	if (o->trace ? prepare_trace(run, err) < 0 : psp_workload_load(o->workload, &run->wl, err) < 0)
		return -EINVAL;
	/* the nominal means and ratios: the workload's, else the replay's */
	const struct psp_workload *nominal = o->trace && o->workload ? &run->given : &run->wl;
	if (run->wl.nphases > 1 && o->requests_given && !o->merge)
		fprintf(stderr, "psp-sim: warning: --requests is ignored: %s is phased and runs its "
				"phase durations (scale them with --phase-scale)\n", run->wl.name);
	atomic_init(&run->progress, 0);
	for (uint32_t p = 0; p < o->npolicies; p++) {
		if (build_setup(&run->setup[p], o, nominal, o->policy[p], &run->progress) < 0)
			return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
		run->setup[p].wl = &run->wl;
		run->setup[p].trace = o->trace ? &run->trace : NULL;
		run->setup[p].system = o->system ? &run->system : NULL;
	}
	if (check_policies(o, run->setup, err) < 0)
		return -EINVAL;
	for (uint32_t p = 0; p < o->npolicies; p++)
		if (sim_setup_check(&run->setup[p], o->load, o->nloads, err) < 0)
			return -EINVAL;
	if (!o->merge)
		warn_before(o, &run->wl, run->setup);
	return 0;
}

static int open_outputs(struct run *run, struct psp_err *err)
{
	run->out = stdout;
	run->slo_csv = run->compare_csv = NULL;
	if ((run->o.output && !(run->out = open_out(run->o.output, err))) ||
	    (run->o.slo_output && !(run->slo_csv = open_out(run->o.slo_output, err))) ||
	    (run->o.compare_output && !(run->compare_csv = open_out(run->o.compare_output, err))))
		return -EIO;
	return 0;
}

static int close_outputs(struct run *run, struct psp_err *err)
{
	int rc = run->slo_csv ? close_out(run->slo_csv, run->o.slo_output, err) : 0;
	run->slo_csv = NULL;
	if (run->compare_csv) {
		struct psp_err e2;
		int rc2 = close_out(run->compare_csv, run->o.compare_output, &e2);
		if (rc == 0 && rc2) {
			*err = e2;
			rc = rc2;
		}
	}
	run->compare_csv = NULL;
	if (run->out) {
		struct psp_err e2;
		int rc2 = close_out(run->out, run->out == stdout ? "stdout" : run->o.output, &e2);
		if (rc == 0 && rc2) {
			*err = e2;
			rc = rc2;
		}
	}
	run->out = NULL;
	return rc;
}

/* Replication r of load l of policy p in a run's (p, l, r)-ordered arrays. */
static uint32_t rep_index(const struct sim_options *o, uint32_t p, uint32_t l, uint32_t r)
{
	return (p * o->nloads + l) * o->replications + r;
}

/* The replications of load l of policy p, and how many: pts (the points
 * run to --precision, in (p, l) order, each with its own count) or stats
 * (o->replications of each).  Replication r of every policy at a load has
 * the same seed either way, so the first min(na, nb) of two are pairs. */
static const struct sim_rep_stats *point_reps(const struct run *run,
					      const struct sim_rep_stats *stats,
					      const struct sim_precise_point *pts, uint32_t p,
					      uint32_t l, uint32_t *n)
{
	const struct sim_options *o = &run->o;
	if (pts) {
		*n = pts[p * o->nloads + l].reps;
		return pts[p * o->nloads + l].stats;
	}
	*n = o->replications;
	return &stats[rep_index(o, p, l, 0)];
}

/* Prints every point (and caches them for the capacity search).  pts: the
 * points run to --precision, in (p, l) order, or NULL: stats holds
 * o->replications of each. */
static void report_points(struct sim_report *rep, const struct run *run,
			  const struct sim_rep_stats *stats, const struct sim_precise_point *pts,
			  struct sim_point_cache *cache)
{
	const struct sim_options *o = &run->o;
	for (uint32_t p = 0; p < o->npolicies; p++)
		for (uint32_t l = 0; l < o->nloads; l++) {
			struct sim_point pt;
			if (pts)
				pt = pts[p * o->nloads + l].pt;
			else
				sim_point_from(&pt, &stats[rep_index(o, p, l, 0)], o->replications);
			sim_cache_add(&cache[p], &pt);
			sim_report_point(rep, o->policy[p]->name, &pt);
		}
	warn_after(o, cache);
}

/* --precision: warns of each point whose statistics missed the target
 * within the budget. */
static void warn_unmet(const struct run *run, const struct sim_precise_point *pts)
{
	const struct sim_options *o = &run->o;
	for (uint32_t i = 0; i < o->npolicies * o->nloads; i++)
		if (!pts[i].met)
			fprintf(stderr, "psp-sim: warning: %s at load %g: not converged to +-%g%% in "
					"%u replications (--max-replications): %s\n",
				o->policy[i / o->nloads]->name, pts[i].load, 100 * o->precision,
				pts[i].reps, pts[i].unmet);
}

/* Prints the capacity block: each policy's, then their ratios. */
static void report_capacities(struct sim_report *rep, const struct run *run, double slo,
			      const struct sim_capacity *cap)
{
	const struct sim_options *o = &run->o;
	sim_report_capacity_begin(rep, slo, o->slo <= 0, run->slo_csv);
	for (uint32_t p = 0; p < o->npolicies; p++) {
		sim_report_capacity(rep, o->policy[p]->name, &cap[p], run->slo_csv);
		if (cap[p].unjudged_pass > 0)
			fprintf(stderr, "psp-sim: warning: %s met the SLO up to load %g in runs too "
					"short to tell whether that load is stable (a run must span "
					"several relaxation times, ~S_max / (1 - load)^2): the capacity "
					"may be higher; raise --requests\n",
				o->policy[p]->name, cap[p].unjudged_pass);
	}
	const uint32_t b = o->baseline;
	for (uint32_t p = 0; p < o->npolicies; p++)
		if (p != b) {
			struct sim_capacity_ratio q = sim_capacity_ratio_of(&cap[p], &cap[b]);
			sim_report_capacity_ratio(rep, o->policy[p]->name, o->policy[b]->name, &q);
		}
}

/* The paired comparison of every policy with the baseline at each load
 * (two or more policies). */
static void report_comparison(struct sim_report *rep, const struct run *run,
			      const struct sim_rep_stats *stats,
			      const struct sim_precise_point *pts)
{
	const struct sim_options *o = &run->o;
	const uint32_t b = o->baseline;
	const char *base = o->policy[b]->name;
	sim_report_compare_begin(rep, base, run->compare_csv);
	for (uint32_t l = 0; l < o->nloads; l++)
		for (uint32_t p = 0; p < o->npolicies; p++)
			if (p != b) {
				uint32_t na, nb;
				const struct sim_rep_stats *a = point_reps(run, stats, pts, p, l, &na);
				const struct sim_rep_stats *bb = point_reps(run, stats, pts, b, l, &nb);
				sim_report_compare(rep, o->policy[p]->name, base, o->load[l], a, na, bb,
						   nb, run->compare_csv);
			}
}

/* The verdict (two or more policies): by capacity when one was searched
 * (cap not NULL), else by the p99.9 slowdown at the highest load run. */
static void report_verdict(struct sim_report *rep, const struct run *run,
			   const struct sim_rep_stats *stats, const struct sim_precise_point *pts,
			   const struct sim_capacity *cap)
{
	const struct sim_options *o = &run->o;
	const char *names[SIM_MAX_POLICIES];
	for (uint32_t p = 0; p < o->npolicies; p++)
		names[p] = o->policy[p]->name;
	if (cap) {
		sim_report_verdict_capacity(rep, names, cap, o->npolicies);
		return;
	}
	uint32_t top = 0;
	for (uint32_t l = 1; l < o->nloads; l++)
		if (o->load[l] > o->load[top])
			top = l;
	static struct sim_point pt[SIM_MAX_POLICIES];
	const struct sim_point *ppt[SIM_MAX_POLICIES];
	const struct sim_rep_stats *reps[SIM_MAX_POLICIES];
	uint32_t nreps[SIM_MAX_POLICIES];
	for (uint32_t p = 0; p < o->npolicies; p++) {
		reps[p] = point_reps(run, stats, pts, p, top, &nreps[p]);
		sim_point_from(&pt[p], reps[p], nreps[p]);
		ppt[p] = &pt[p];
	}
	sim_report_verdict_slowdown(rep, names, o->load[top], ppt, reps, nreps, o->npolicies);
}

/* The loads a capacity search is expected to simulate beyond a run's own
 * (an estimate, for the progress line). */
static uint32_t search_estimate(const struct sim_options *o)
{
	uint32_t n = SIM_PROGRESS_SEARCH_EXTRA;
	for (int i = 1; i <= 19; i++) {
		bool have = false;
		for (uint32_t l = 0; l < o->nloads; l++)
			have |= fabs(o->load[l] - i * 0.05) < 5e-5;
		n += !have;
	}
	return n;
}

/* Starts the progress report of njobs runs, and of nsearches capacity
 * searches after them. */
static void progress_start(struct run *run, uint32_t njobs, uint32_t nsearches)
{
	const struct sim_options *o = &run->o;
	bool on = o->progress || (!o->quiet && isatty(STDERR_FILENO));
	sim_progress_init(&run->prog, on, &run->progress, run->wl.nphases == 1 ? o->requests : 0);
	sim_progress_expect(&run->prog, (int64_t)njobs + (int64_t)nsearches *
							 search_estimate(o) * o->replications);
	sim_progress_what(&run->prog, "%u runs: %u load%s x %u replication%s", njobs, o->nloads,
			  o->nloads == 1 ? "" : "s", o->replications, o->replications == 1 ? "" : "s");
}

/* Searches policy p's capacity from the points in its cache. */
static int search(struct run *run, uint32_t p, double slo, struct sim_point_cache *cache,
		  struct sim_capacity *cap, struct psp_err *err)
{
	run->setup[p].timeline = false;
	run->setup[p].series_bin_ns = 0;
	run->setup[p].on_done = NULL;
	run->setup[p].on_dropped = NULL;
	struct sim_precision prec = {.rel = run->o.precision, .budget = run->o.max_replications,
				     .stats = run->o.precision_stats};
	int rc = sim_capacity_search(&run->setup[p], slo, run->o.replications,
				     run->o.precision > 0 ? &prec : NULL, run->o.jobs, &run->prog,
				     cache, cap, err);
	/* the estimate corrected by what the search took */
	sim_progress_expect(&run->prog, ((int64_t)cap->evaluated - search_estimate(&run->o)) *
						(int64_t)run->o.replications);
	return rc;
}

/* The first failed job's error. */
static int job_failure(const struct sim_job *jobs, uint32_t njobs, struct psp_err *err)
{
	for (uint32_t i = 0; i < njobs; i++)
		if (jobs[i].rc < 0) {
			*err = jobs[i].err;
			return jobs[i].rc;
		}
	return 0;
}

/* Runs the jobs, each storing its statistics at stats[index[i]].  With
 * keep, the results stay in jobs (the caller frees them). */
static int run_jobs(struct run *run, struct sim_job *jobs, uint32_t njobs,
		    const uint32_t *index, struct sim_rep_stats *stats, bool keep,
		    struct psp_err *err)
{
	const struct sim_options *o = &run->o;
	for (uint32_t i = 0; i < njobs; i++) {
		jobs[i].stats = &stats[index[i]];
		jobs[i].keep_result = keep;
	}
	int rc = njobs ? sim_sweep_run(jobs, njobs, o->jobs, &run->prog) : 0;
	if (rc < 0)
		rc = job_failure(jobs, njobs, err);
	return rc;
}

/* The whole run, printed. */
static int run_whole(struct run *run, struct psp_err *err)
{
	const struct sim_options *o = &run->o;
	FILE *timeline = NULL, *series = NULL, *per_request = NULL;
	struct sim_perreq perreq;
	if ((o->timeline && !(timeline = open_out(o->timeline, err))) ||
	    (o->series && !(series = open_out(o->series, err))) ||
	    (o->per_request && !(per_request = open_out(o->per_request, err))))
		return -EIO;
	if (per_request) { /* one policy, one load, one replication (options.c) */
		sim_perreq_init(&perreq, per_request, &run->wl, run->setup[0].trace);
		run->setup[0].on_done = sim_perreq_done;
		run->setup[0].on_dropped = sim_perreq_dropped;
		run->setup[0].on_done_ctx = &perreq;
	}
	/* --batches: one run a point, its batches in the replications' places;
	 * --precision: the points run in rounds (run_precise) */
	uint32_t runs = o->batches ? 1 : o->replications, npoints = o->npolicies * o->nloads;
	uint32_t njobs = o->precision > 0 ? 0 : npoints * runs;
	size_t nstats = o->precision > 0 ? (size_t)npoints * o->max_replications
					 : (size_t)npoints * o->replications;
	struct sim_job *jobs = calloc(njobs ? njobs : 1, sizeof(*jobs));
	struct sim_rep_stats *stats = calloc(nstats, sizeof(*stats));
	uint32_t *index = calloc(njobs ? njobs : 1, sizeof(*index));
	struct sim_point_cache *cache = calloc(o->npolicies, sizeof(*cache));
	struct sim_precise_point *pts = o->precision > 0 ? calloc(npoints, sizeof(*pts)) : NULL;
	int rc = 0;
	if (!jobs || !stats || !index || !cache || (o->precision > 0 && !pts))
		rc = psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	for (uint32_t p = 0; p < o->npolicies && rc == 0; p++)
		for (uint32_t l = 0; l < o->nloads; l++) {
			for (uint32_t r = 0; r < runs && njobs; r++) {
				uint32_t i = (p * o->nloads + l) * runs + r;
				jobs[i] = (struct sim_job){.setup = &run->setup[p], .load = o->load[l], .rep = r};
				index[i] = rep_index(o, p, l, r);
			}
			if (pts)
				pts[p * o->nloads + l] = (struct sim_precise_point){
					.setup = &run->setup[p], .load = o->load[l],
					.stats = &stats[(size_t)(p * o->nloads + l) * o->max_replications]};
		}
	double slo = sim_capacity_slo(o, &run->wl);
	progress_start(run, pts ? npoints * o->replications : njobs, slo > 0 ? o->npolicies : 0);
	/* The timeline and series need replication 0's results. */
	if (pts) {
		struct sim_precision prec = {.rel = o->precision, .budget = o->max_replications,
					     .stats = o->precision_stats};
		rc = rc ? rc : sim_precise_run(pts, npoints, o->replications, &prec, 0, o->jobs,
					       &run->prog, err);
	} else {
		rc = rc ? rc : run_jobs(run, jobs, njobs, index, stats, timeline || series, err);
	}
	sim_progress_clear(&run->prog);
	if (per_request) {
		int prc = sim_perreq_finish(&perreq, err);
		rc = rc ? rc : prc;
		run->setup[0].on_done = NULL;
		run->setup[0].on_dropped = NULL;
		struct psp_err e2;
		if (close_out(per_request, o->per_request, &e2) < 0 && rc == 0) {
			*err = e2;
			rc = e2.code;
		}
	}
	if (rc == 0) {
		struct sim_report rep;
		const struct sim_system *sys = o->system ? &run->system : NULL;
		sim_report_begin(&rep, run->out, o, &run->wl, sys);
		if (o->trace)
			sim_report_trace(&rep, &run->trace);
		report_points(&rep, run, stats, pts, cache);
		if (pts)
			warn_unmet(run, pts);
		if (o->npolicies > 1)
			report_comparison(&rep, run, stats, pts);
		/* the timeline and series of replication 0 */
		if (timeline)
			sim_timeline_header(timeline, sys);
		if (series)
			sim_series_header(series, sys);
		for (uint32_t p = 0; p < o->npolicies; p++)
			for (uint32_t l = 0; l < o->nloads; l++) {
				const struct sim_result *r0 = &jobs[(p * o->nloads + l) * runs].res;
				if (timeline)
					sim_timeline_rows(timeline, o->policy[p]->name, &run->wl, r0, sys);
				if (series)
					sim_series_rows(series, o->policy[p]->name, &run->wl, r0, sys);
			}
		for (uint32_t i = 0; i < njobs; i++)
			sim_result_free(&jobs[i].res);
		struct sim_capacity cap[SIM_MAX_POLICIES];
		if (slo > 0) {
			/* the points are out: flushed before the search's progress */
			fflush(run->out);
			for (uint32_t p = 0; p < o->npolicies && rc == 0; p++)
				rc = search(run, p, slo, &cache[p], &cap[p], err);
			sim_progress_clear(&run->prog);
			if (rc == 0)
				report_capacities(&rep, run, slo, cap);
		}
		if (rc == 0 && o->npolicies > 1)
			report_verdict(&rep, run, stats, pts, slo > 0 ? cap : NULL);
		sim_report_end(&rep);
	} else if (jobs) {
		for (uint32_t i = 0; i < njobs; i++)
			sim_result_free(&jobs[i].res);
	}
	free(jobs);
	free(stats);
	free(index);
	free(cache);
	free(pts);
	struct psp_err e2;
	if (timeline && close_out(timeline, o->timeline, &e2) < 0 && rc == 0) {
		*err = e2;
		rc = e2.code;
	}
	if (series && close_out(series, o->series, &e2) < 0 && rc == 0) {
		*err = e2;
		rc = e2.code;
	}
	return rc;
}

/* --shard I/N --verify: does --output hold that shard of this run? */
static int verify_shard(struct run *run, const struct sim_shard *want, struct psp_err *err)
{
	struct sim_shard have;
	int rc = sim_shard_read(run->o.output, &have, err);
	if (rc == 0) {
		rc = sim_shard_same_run(want, "this run", &have, run->o.output, err);
		if (rc == 0 && have.shard != want->shard)
			rc = psp_err_set(err, -EINVAL, run->o.output, NULL, "holds shard %u/%u, not %u/%u",
					 have.shard, have.nshards, want->shard, want->nshards);
		/* what --merge would refuse, so psp-sweep --resume runs it again */
		if (rc == 0)
			rc = sim_shard_check_records(&have, run->o.output, &run->o, &run->wl, err);
		sim_shard_free(&have);
	}
	return rc;
}

/* --shard I/N: runs the units this shard owns and writes them. */
static int run_shard(struct run *run, bool *verified, struct psp_err *err)
{
	const struct sim_options *o = &run->o;
	struct sim_shard sh = {.shard = o->shard, .nshards = o->nshards};
	int rc = sim_run_id_of(&sh.id, o, &run->wl, err);
	if (rc)
		return rc;
	sh.by_policy = sim_shard_by_policy(o, &run->wl);
	sh.nunits = sim_shard_units(o, sh.by_policy);
	if (o->verify) {
		rc = verify_shard(run, &sh, err);
		*verified = rc == 0;
		return rc;
	}
	uint32_t nall = o->npolicies * o->nloads * o->replications;
	struct sim_job *jobs = calloc(nall, sizeof(*jobs));
	struct sim_rep_stats *stats = calloc(nall, sizeof(*stats));
	uint32_t *index = calloc(nall, sizeof(*index));
	sh.rep = calloc(nall, sizeof(*sh.rep));
	sh.cap = calloc(o->npolicies, sizeof(*sh.cap));
	struct sim_point_cache *cache = calloc(o->npolicies, sizeof(*cache));
	if (!jobs || !stats || !index || !sh.rep || !sh.cap || !cache)
		rc = psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	uint32_t njobs = 0;
	for (uint32_t p = 0; p < o->npolicies && rc == 0; p++)
		for (uint32_t l = 0; l < o->nloads; l++)
			for (uint32_t r = 0; r < o->replications; r++) {
				uint32_t u = sim_shard_unit(o, sh.by_policy, p, l, r);
				if (sim_shard_owner(u, o->nshards) != o->shard)
					continue;
				sh.rep[njobs] = (struct sim_shard_rep){.p = p, .l = l, .r = r};
				index[njobs] = rep_index(o, p, l, r);
				jobs[njobs++] = (struct sim_job){.setup = &run->setup[p], .load = o->load[l],
								 .rep = r};
			}
	/* A policy this shard owns gets its capacity searched from its points,
	 * as the whole run would. */
	double slo = sim_capacity_slo(o, &run->wl);
	uint32_t nsearches = 0;
	for (uint32_t p = 0; p < o->npolicies && sh.by_policy && slo > 0; p++)
		nsearches += sim_shard_owner(p, o->nshards) == o->shard;
	progress_start(run, njobs, nsearches);
	rc = rc ? rc : run_jobs(run, jobs, njobs, index, stats, false, err);
	for (uint32_t i = 0; i < njobs && rc == 0; i++)
		sh.rep[i].s = stats[index[i]];
	sh.nrep = rc == 0 ? njobs : 0;
	for (uint32_t p = 0; p < o->npolicies && sh.by_policy && rc == 0; p++) {
		if (sim_shard_owner(p, o->nshards) != o->shard)
			continue;
		for (uint32_t l = 0; l < o->nloads; l++) {
			struct sim_point pt;
			sim_point_from(&pt, &stats[rep_index(o, p, l, 0)], o->replications);
			sim_cache_add(&cache[p], &pt);
		}
		sh.cap[sh.ncap].p = p;
		rc = search(run, p, slo, &cache[p], &sh.cap[sh.ncap].c, err);
		sh.ncap++;
	}
	sim_progress_clear(&run->prog);
	rc = rc ? rc : sim_shard_write(o->output, &sh, err);
	free(jobs);
	free(stats);
	free(index);
	free(cache);
	sim_shard_free(&sh);
	return rc;
}

/* --merge: the shards' records, checked and put in (p, l, r) order, printed
 * as the whole run prints them. */
static int merge(struct run *run, struct psp_err *err)
{
	struct sim_options *o = &run->o;
	/* parsing the shards' flags into o resets o->merge_file: keep them */
	char **file = o->merge_file;
	uint32_t n = o->nmerge;
	struct sim_shard *sh = calloc(n, sizeof(*sh));
	if (!sh)
		return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	int rc = 0;
	for (uint32_t i = 0; i < n && rc == 0; i++)
		rc = sim_shard_read(file[i], &sh[i], err);
	rc = rc ? rc : sim_shard_check_set(sh, file, n, err);
	if (rc == 0 && strcmp(sh[0].id.version, PSP_VERSION))
		rc = psp_err_set(err, -EINVAL, file[0], NULL,
				 "written by psp-sim %s, this is %s: run the shards again with this "
				 "version", sh[0].id.version, PSP_VERSION);
	/* The run's options: the shards' flags, then the merge's output flags. */
	char *argv[1024] = {"psp-sim", "--workload", sh[0].id.workload};
	int argc = 3;
	static char flags[sizeof(sh[0].id.flags)];
	if (rc == 0) {
		memcpy(flags, sh[0].id.flags, sizeof(flags));
		for (char *t = strtok(flags, " "); t && argc < 1000; t = strtok(NULL, " "))
			argv[argc++] = t;
		struct sim_options mine = *o;
		rc = sim_options_parse(argc, argv, o, err);
		if (rc == 0) {
			o->format = mine.format;
			o->output = mine.output;
			o->slo_output = mine.slo_output;
			o->compare_output = mine.compare_output;
			o->baseline_name = mine.baseline_name;
			o->quiet = mine.quiet;
			o->progress = mine.progress;
			rc = sim_options_resolve_baseline(o, err);
			o->merge = true;
			o->merge_file = file;
			o->nmerge = n;
		} else {
			char why[512];
			psp_err_format(err, why, sizeof(why));
			rc = psp_err_set(err, -EINVAL, file[0], NULL, "its flags do not parse: %.200s",
					 why);
		}
	}
	rc = rc ? rc : prepare(run, err);
	struct sim_run_id id;
	rc = rc ? rc : sim_run_id_of(&id, o, &run->wl, err);
	if (rc == 0 && id.workload_hash != sh[0].id.workload_hash)
		rc = psp_err_set(err, -EINVAL, run->wl.path, NULL,
				 "differs from the workload the shards ran (hash %016llx, theirs %016llx)",
				 (unsigned long long)id.workload_hash,
				 (unsigned long long)sh[0].id.workload_hash);
	uint32_t nall = o->npolicies * o->nloads * o->replications;
	struct sim_rep_stats *stats = rc == 0 ? calloc(nall, sizeof(*stats)) : NULL;
	bool *have = rc == 0 ? calloc(nall, sizeof(*have)) : NULL;
	struct sim_capacity cap[SIM_MAX_POLICIES];
	bool have_cap[SIM_MAX_POLICIES] = {false};
	if (rc == 0 && (!stats || !have))
		rc = psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		rc = sim_shard_check_records(&sh[i], file[i], o, &run->wl, err);
		for (uint32_t k = 0; k < sh[i].nrep && rc == 0; k++) {
			const struct sim_shard_rep *x = &sh[i].rep[k];
			have[rep_index(o, x->p, x->l, x->r)] = true;
			stats[rep_index(o, x->p, x->l, x->r)] = x->s;
		}
		for (uint32_t k = 0; k < sh[i].ncap && rc == 0; k++) {
			cap[sh[i].cap[k].p] = sh[i].cap[k].c;
			have_cap[sh[i].cap[k].p] = true;
		}
	}
	for (uint32_t i = 0; i < nall && rc == 0; i++)
		if (!have[i])
			rc = psp_err_set(err, -EINVAL, NULL, NULL,
					 "the shards lack replication %u of load %g of %s",
					 i % o->replications, o->load[i / o->replications % o->nloads],
					 o->policy[i / o->replications / o->nloads]->name);
	double slo = sim_capacity_slo(o, &run->wl);
	bool want_cap = slo > 0;
	for (uint32_t p = 0; p < o->npolicies && rc == 0 && want_cap; p++)
		if (!have_cap[p])
			rc = psp_err_set(err, -EINVAL, NULL, NULL, "the shards lack the capacity of %s",
					 o->policy[p]->name);
	struct sim_point_cache *cache = rc == 0 ? calloc(o->npolicies, sizeof(*cache)) : NULL;
	if (rc == 0 && !cache)
		rc = psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	rc = rc ? rc : open_outputs(run, err);
	if (rc == 0) {
		struct sim_report rep;
		sim_report_begin(&rep, run->out, o, &run->wl, o->system ? &run->system : NULL);
		report_points(&rep, run, stats, NULL, cache);
		if (o->npolicies > 1)
			report_comparison(&rep, run, stats, NULL);
		if (want_cap)
			report_capacities(&rep, run, slo, cap);
		if (o->npolicies > 1)
			report_verdict(&rep, run, stats, NULL, want_cap ? cap : NULL);
		sim_report_end(&rep);
		rc = close_outputs(run, err);
		run->output_lost = rc < 0;
	}
	for (uint32_t i = 0; i < n; i++)
		sim_shard_free(&sh[i]);
	free(sh);
	free(stats);
	free(have);
	free(cache);
	return rc;
}

/* --fit-system: the system's name is --output's base name (its letters,
 * digits, '-', '_', '.'), or "fitted". */
static int fit_system(const struct sim_options *o)
{
	struct psp_err err;
	char name[64] = "fitted";
	if (o->output) {
		const char *base = strrchr(o->output, '/') ? strrchr(o->output, '/') + 1 : o->output;
		size_t n = 0;
		for (const char *c = base; *c && n + 1 < sizeof(name); c++) {
			bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
				  (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.';
			name[n++] = ok ? *c : '_';
		}
		name[n] = '\0';
		if (n > 4 && !strcmp(name + n - 4, ".yml"))
			name[n - 4] = '\0';
		if (!name[0])
			snprintf(name, sizeof(name), "fitted");
	}
	FILE *out = o->output ? open_out(o->output, &err) : stdout;
	if (!out)
		return fail(&err, EXIT_RUNTIME);
	int rc = sim_fit_system(o->merge_file, o->nmerge, name, out, &err);
	struct psp_err e2;
	int crc = close_out(out, o->output ? o->output : "stdout", &e2);
	if (rc < 0) {
		if (o->output)
			remove(o->output); /* no half-written system */
		return fail(&err, rc == -ENOMEM ? EXIT_RUNTIME : EXIT_USAGE);
	}
	if (crc < 0)
		return complain(&e2, EXIT_RUNTIME);
	return 0;
}

int main(int argc, char **argv)
{
	static struct run run;
	struct sim_options *o = &run.o;
	struct psp_err err;
	int rc = sim_options_parse(argc, argv, o, &err);
	if (rc == 1) /* --help, --version */
		return close_out(stdout, "stdout", &err) < 0 ? complain(&err, EXIT_RUNTIME) : 0;
	if (rc < 0)
		return fail(&err, EXIT_USAGE);
	if (o->list) {
		list_all();
		return close_out(stdout, "stdout", &err) < 0 ? complain(&err, EXIT_RUNTIME) : 0;
	}
	if (o->fit) /* bad traces exit 2, a lost output 1 */
		return fit_system(o);
	if (o->merge) { /* refusals exit 2, a lost output 1 */
		rc = merge(&run, &err);
		return rc < 0 ? complain(&err, run.output_lost ? EXIT_RUNTIME : EXIT_USAGE) : 0;
	}
	if (prepare(&run, &err) < 0)
		return fail(&err, EXIT_USAGE);
	if (o->shard) {
		bool verified = false;
		rc = run_shard(&run, &verified, &err);
		if (o->verify && !verified)
			return fail(&err, EXIT_RUNTIME);
		return rc < 0 ? fail(&err, EXIT_RUNTIME) : 0;
	}
	if (open_outputs(&run, &err) < 0)
		return fail(&err, EXIT_RUNTIME);
	rc = run_whole(&run, &err);
	int status = rc < 0 ? fail(&err, EXIT_RUNTIME) : 0;
	if (close_outputs(&run, &err) < 0)
		return complain(&err, EXIT_RUNTIME);
	return status;
}
