/* psp-sim's command line. */
#ifndef PSP_SIM_OPTIONS_H
#define PSP_SIM_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include <psp/err.h>
#include <psp/policy.h>

#define SIM_MAX_LOADS 256u
#define SIM_MAX_POLICIES 8u

enum sim_format { SIM_FORMAT_TABLE = 0, SIM_FORMAT_CSV, SIM_FORMAT_JSON };

struct sim_options {
	const char *workload;
	uint32_t npolicies;
	const struct psp_policy_ops *policy[SIM_MAX_POLICIES];
	uint32_t workers;
	uint32_t nloads;
	double load[SIM_MAX_LOADS];
	bool allow_overload;
	uint64_t requests;
	double warmup;
	double phase_scale;
	enum sim_format format;
	const char *output;   /* NULL: stdout */
	const char *timeline; /* DARC reservation timeline CSV, or NULL */
	const char *series;   /* per-bin per-type percentiles CSV, or NULL */
	double series_ms;
	double quantum_us;
	double preempt_cost_us;
	enum psp_ts_variant ts_variant;
	enum psp_dfcfs_placement placement;
	enum psp_darc_mode darc_mode;
	bool darc_mode_set;
	int reserve;          /* -1: not given */
	bool no_steal;
	uint64_t darc_min_samples;
	double darc_delta;
	uint64_t dispatch_cost_ns;
	double slo;           /* 0: no SLO search */
	uint64_t seed;
	uint32_t jobs;
	uint64_t max_in_system;
	bool list;
	bool quiet;           /* no progress line */
};

/* Parses argv into opts.  Returns 0 to run, 1 when --help or --version was
 * printed (exit 0), or a negative errno with err naming the flag (exit 2).
 * Does not load the workload. */
int sim_options_parse(int argc, char **argv, struct sim_options *opts,
		      struct psp_err *err);

void sim_options_usage(FILE *out);

#endif
