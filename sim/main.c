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

	atomic_uint_fast64_t progress;
	atomic_init(&progress, 0);
	struct sim_setup setup[SIM_MAX_POLICIES];
	for (uint32_t p = 0; p < o.npolicies; p++)
		build_setup(&setup[p], &o, &wl, o.policy[p], &progress);
	if (check_policies(&o, setup, &err) < 0)
		return fail(&err, EXIT_USAGE);

	FILE *out = stdout, *timeline = NULL, *series = NULL;
	if ((o.output && !(out = open_out(o.output, &err))) ||
	    (o.timeline && !(timeline = open_out(o.timeline, &err))) ||
	    (o.series && !(series = open_out(o.series, &err))))
		return fail(&err, EXIT_RUNTIME);

	uint32_t njobs = o.npolicies * o.nloads;
	struct sim_job *jobs = calloc(njobs, sizeof(*jobs));
	if (!jobs) {
		psp_err_set(&err, -ENOMEM, NULL, NULL, "out of memory");
		return fail(&err, EXIT_RUNTIME);
	}
	for (uint32_t p = 0; p < o.npolicies; p++)
		for (uint32_t l = 0; l < o.nloads; l++)
			jobs[p * o.nloads + l] = (struct sim_job){.setup = &setup[p], .load = o.load[l]};

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
		for (uint32_t i = 0; i < njobs; i++) {
			const char *pname = jobs[i].setup->policy->name;
			sim_report_point(&rep, pname, &jobs[i].res);
			if (timeline)
				sim_timeline_rows(timeline, pname, &wl, &jobs[i].res);
			if (series)
				sim_series_rows(series, pname, &wl, &jobs[i].res);
		}
		for (uint32_t p = 0; p < o.npolicies && o.slo > 0 && status == 0; p++) {
			double best_load;
			struct sim_result best;
			setup[p].timeline = false;
			setup[p].series_bin_ns = 0;
			if (sim_slo_search(&setup[p], o.slo, o.jobs, &best_load, &best, &err) < 0) {
				status = fail(&err, EXIT_RUNTIME);
				break;
			}
			sim_report_slo(&rep, o.policy[p]->name, best_load, best.offered_rps, &best);
			sim_result_free(&best);
		}
		sim_report_end(&rep);
	}
	for (uint32_t i = 0; i < njobs; i++)
		sim_result_free(&jobs[i].res);
	free(jobs);
	if (timeline)
		fclose(timeline);
	if (series)
		fclose(series);
	if (out != stdout && fclose(out) != 0) {
		psp_err_set(&err, -errno, o.output, NULL, "write failed: %s", strerror(errno));
		return fail(&err, EXIT_RUNTIME);
	}
	return status;
}
