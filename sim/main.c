/* psp-sim: what tail latency does policy P give on workload W at load L,
 * and what load can it sustain under an SLO? */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <psp/workload.h>

#include "options.h"
#include "report.h"
#include "slo.h"
#include "point.h"
#include "sweep.h"

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static int fail(const struct psp_err *err, int status)
{
	char buf[1024];
	fprintf(stderr, "psp-sim: %s\n", psp_err_format(err, buf, sizeof(buf)));
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
static void build_setup(struct sim_setup *setup, const struct sim_options *o,
			const struct psp_workload *wl, const struct psp_policy_ops *ops,
			atomic_uint_fast64_t *progress)
{
	sim_setup_default(setup, wl, ops, o->workers);
	setup->requests = o->requests;
	setup->phase_scale = o->phase_scale;
	setup->warmup = o->warmup;
	setup->dispatch_cost_ns = o->dispatch_cost_ns;
	setup->max_in_system = o->max_in_system;
	setup->seed = o->seed;
	setup->timeline = o->timeline != NULL;
	setup->series_bin_ns = o->series ? (uint64_t)(o->series_ms * 1e6) : 0;
	setup->progress = progress;
	sim_options_apply_knobs(o, ops, &setup->conf);
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
		struct psp_policy_conf conf = setup[p].conf;
		conf.on_reservation = NULL;
		conf.rand_u64 = NULL;
		if (conf.placement == PSP_PLACE_RANDOM) /* the run supplies it */
			conf.placement = PSP_PLACE_ROUND_ROBIN;
		struct psp_policy *pol = psp_policy_create(o->policy[p], &conf, err);
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
		const struct psp_policy_conf *c = &setup[p].conf;
		if (o->policy[p] != &psp_darc_ops || c->darc_mode != PSP_DARC_DYNAMIC)
			continue;
		for (uint32_t ph = 0; ph < wl->nphases; ph++) {
			const struct psp_wl_phase *phase = &wl->phase[ph];
			double ms = phase->duration_ms * o->phase_scale;
			double arrivals = o->load[0] * o->workers / phase->mean_service_us * 1e3 * ms;
			if (arrivals < (double)c->darc_min_samples)
				fprintf(stderr, "psp-sim: warning: phase %u lasts %.3g ms (about %.0f arrivals at load %g), "
						"fewer than darc_samples (%llu): DARC cannot re-profile within it; "
						"raise --phase-scale or lower --darc-samples\n",
					ph + 1, ms, arrivals, o->load[0],
					(unsigned long long)c->darc_min_samples);
		}
	}
}

/* Warnings about what a run produced. */
static void warn_after(const struct sim_options *o, const struct sim_setup *setup,
		       const struct sim_point_cache *cache)
{
	bool few_warned = false;
	for (uint32_t p = 0; p < o->npolicies; p++) {
		bool darc_dynamic = o->policy[p] == &psp_darc_ops &&
				    setup[p].conf.darc_mode == PSP_DARC_DYNAMIC;
		for (uint32_t i = 0; i < cache[p].n; i++) {
			const struct sim_point *pt = &cache[p].pt[i];
			uint64_t per_rep = pt->measured / pt->reps;
			if (!few_warned && per_rep < 10000) {
				fprintf(stderr, "psp-sim: warning: %llu measured requests per replication at load %g: "
						"a p99.9 from fewer than 10000 rests on fewer than 10 requests; "
						"raise --requests\n",
					(unsigned long long)per_rep, pt->load);
				few_warned = true;
			}
			if (darc_dynamic && pt->reservations_min == 0)
				fprintf(stderr, "psp-sim: warning: darc made no reservation at load %g "
						"(fewer than darc_samples = %llu completions): its results "
						"there are c-FCFS's; raise --requests or lower --darc-samples\n",
					pt->load, (unsigned long long)setup[p].conf.darc_min_samples);
		}
	}
}

static bool capacity_wanted(const struct sim_options *o, double slo)
{
	if (slo <= 0 || o->no_capacity)
		return false;
	return o->format == SIM_FORMAT_TABLE || o->slo > 0 || o->slo_output;
}

int main(int argc, char **argv)
{
	struct sim_options o;
	struct psp_err err;
	int rc = sim_options_parse(argc, argv, &o, &err);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return fail(&err, EXIT_USAGE);
	if (o.list) {
		list_all();
		return 0;
	}

	static struct psp_workload wl;
	if (psp_workload_load(o.workload, &wl, &err) < 0)
		return fail(&err, EXIT_USAGE);
	if (wl.nphases > 1 && o.requests_given)
		fprintf(stderr, "psp-sim: warning: --requests is ignored: %s is phased and runs its "
				"phase durations (scale them with --phase-scale)\n", wl.name);

	atomic_uint_fast64_t progress;
	atomic_init(&progress, 0);
	struct sim_setup setup[SIM_MAX_POLICIES];
	for (uint32_t p = 0; p < o.npolicies; p++)
		build_setup(&setup[p], &o, &wl, o.policy[p], &progress);
	if (check_policies(&o, setup, &err) < 0)
		return fail(&err, EXIT_USAGE);
	for (uint32_t p = 0; p < o.npolicies; p++)
		if (sim_setup_check(&setup[p], o.load, o.nloads, &err) < 0)
			return fail(&err, EXIT_USAGE);
	warn_before(&o, &wl, setup);

	FILE *out = stdout, *timeline = NULL, *series = NULL, *slo_csv = NULL;
	if ((o.output && !(out = open_out(o.output, &err))) ||
	    (o.timeline && !(timeline = open_out(o.timeline, &err))) ||
	    (o.series && !(series = open_out(o.series, &err))) ||
	    (o.slo_output && !(slo_csv = open_out(o.slo_output, &err))))
		return fail(&err, EXIT_RUNTIME);

	uint32_t reps = o.replications;
	uint32_t njobs = o.npolicies * o.nloads * reps;
	struct sim_job *jobs = calloc(njobs, sizeof(*jobs));
	struct sim_point_cache *cache = calloc(o.npolicies, sizeof(*cache));
	struct sim_result *rep_res = calloc(reps, sizeof(*rep_res));
	if (!jobs || !cache || !rep_res) {
		psp_err_set(&err, -ENOMEM, NULL, NULL, "out of memory");
		return fail(&err, EXIT_RUNTIME);
	}
	for (uint32_t p = 0; p < o.npolicies; p++)
		for (uint32_t l = 0; l < o.nloads; l++)
			for (uint32_t r = 0; r < reps; r++)
				jobs[(p * o.nloads + l) * reps + r] =
					(struct sim_job){.setup = &setup[p], .load = o.load[l], .rep = r};

	bool tty = !o.quiet && isatty(STDERR_FILENO);
	uint64_t expected = wl.nphases == 1 ? o.requests * njobs : 0;
	rc = sim_sweep_run(jobs, njobs, o.jobs, tty, expected);
	int status = 0;
	if (rc < 0) {
		for (uint32_t i = 0; i < njobs; i++)
			if (jobs[i].rc < 0) {
				status = fail(&jobs[i].err, EXIT_RUNTIME);
				break;
			}
	} else {
		struct sim_report rep;
		sim_report_begin(&rep, out, &o, &wl);
		if (timeline)
			sim_timeline_header(timeline);
		if (series)
			sim_series_header(series);
		for (uint32_t p = 0; p < o.npolicies; p++) {
			const char *pname = o.policy[p]->name;
			for (uint32_t l = 0; l < o.nloads; l++) {
				struct sim_job *j = &jobs[(p * o.nloads + l) * reps];
				for (uint32_t r = 0; r < reps; r++)
					rep_res[r] = j[r].res;
				struct sim_point pt;
				sim_point_from(&pt, rep_res, reps);
				sim_cache_add(&cache[p], &pt);
				sim_report_point(&rep, pname, &pt);
				/* the timeline and series of replication 0 */
				if (timeline)
					sim_timeline_rows(timeline, pname, &wl, &j[0].res);
				if (series)
					sim_series_rows(series, pname, &wl, &j[0].res);
			}
		}
		for (uint32_t i = 0; i < njobs; i++)
			sim_result_free(&jobs[i].res);
		warn_after(&o, setup, cache);

		double slo = o.slo > 0 ? o.slo : wl.slo;
		if (capacity_wanted(&o, slo)) {
			struct sim_capacity cap[SIM_MAX_POLICIES];
			sim_report_capacity_begin(&rep, slo, o.slo <= 0, slo_csv);
			for (uint32_t p = 0; p < o.npolicies && status == 0; p++) {
				setup[p].timeline = false;
				setup[p].series_bin_ns = 0;
				if (sim_capacity_search(&setup[p], slo, reps, o.jobs, tty, &cache[p],
							&cap[p], &err) < 0) {
					status = fail(&err, EXIT_RUNTIME);
					break;
				}
				sim_report_capacity(&rep, o.policy[p]->name, &cap[p], slo_csv);
				if (cap[p].unjudged_pass > 0)
					fprintf(stderr, "psp-sim: warning: %s met the SLO up to load %g in runs too "
							"short to tell whether that load is stable (a run must span "
							"several relaxation times, ~S_max / (1 - load)^2): the capacity "
							"may be higher; raise --requests\n",
						o.policy[p]->name, cap[p].unjudged_pass);
			}
			for (uint32_t p = 1; p < o.npolicies && status == 0; p++)
				if (cap[0].found && cap[p].found)
					sim_report_ratio(&rep, o.policy[0]->name, o.policy[p]->name,
							 cap[0].load / cap[p].load);
		}
		sim_report_end(&rep);
	}
	free(jobs);
	free(cache);
	free(rep_res);
	if (timeline)
		fclose(timeline);
	if (series)
		fclose(series);
	if (slo_csv && fclose(slo_csv) != 0) {
		psp_err_set(&err, -errno, o.slo_output, NULL, "write failed: %s", strerror(errno));
		return fail(&err, EXIT_RUNTIME);
	}
	if (out != stdout && fclose(out) != 0) {
		psp_err_set(&err, -errno, o.output, NULL, "write failed: %s", strerror(errno));
		return fail(&err, EXIT_RUNTIME);
	}
	return status;
}
