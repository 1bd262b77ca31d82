/* psp-sim's command line. */
#ifndef PSP_SIM_OPTIONS_H
#define PSP_SIM_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include <psp/err.h>
#include <psp/policy.h>

#define SIM_MAX_LOADS 256u
#define SIM_MAX_POLICIES 16u
#define SIM_MAX_KNOBS 32u
#define SIM_MAX_SHARDS 100000u
/* Six replications: the fewest that give percentiles a 95% interval
 * (SIM_MIN_QUANTILE_REPLICATIONS, docs/statistics.md); means get a t
 * interval with 5 degrees of freedom (2.57 s/sqrt 6). */
#define SIM_DEFAULT_REPLICATIONS 6u

enum sim_format { SIM_FORMAT_TABLE = 0, SIM_FORMAT_CSV, SIM_FORMAT_JSON };

struct sim_options {
	const char *workload;
	const char *trace;       /* --trace: replay this trace (sim/trace.h), or NULL */
	const char *per_request; /* --per-request: per-request CSV, or NULL */
	uint32_t npolicies;
	const struct psp_policy_ops *policy[SIM_MAX_POLICIES];
	uint32_t workers;
	bool workers_given;
	const char *system;   /* --system: the machine's description (system.h), or NULL */
	uint32_t nloads;
	double load[SIM_MAX_LOADS];
	bool loads_given;
	bool allow_overload;
	uint64_t requests;
	bool requests_given;
	double warmup;        /* --warmup; else 0.1, the overload verdict's window */
	bool detect_warmup;   /* no --warmup: MSER-5 (run.h) */
	/* --precision REL (0: off), its budget and statistics (precision.h) */
	double precision;
	uint32_t max_replications;
	bool max_replications_given;
	uint32_t precision_stats;
	bool precision_stats_given;
	uint32_t batches;     /* --batches B (0: replications); replications is then B */
	double phase_scale;
	enum sim_format format;
	const char *output;   /* NULL: stdout */
	const char *timeline; /* DARC reservation timeline CSV, or NULL */
	const char *series;   /* per-bin per-type percentiles CSV, or NULL */
	double series_ms;
	/* Policy knobs given on the command line (flags generated from the
	 * core's knob registry), in the order given. */
	uint32_t nknobs;
	struct psp_param_value knob[SIM_MAX_KNOBS];
	uint64_t dispatch_cost_ns;
	double slo;           /* --slo; 0: the workload's slo: key, if any */
	const char *slo_output; /* capacity results as CSV, or NULL */
	bool no_capacity;     /* --no-capacity: no capacity search (sim_capacity_slo) */
	uint32_t replications;
	bool replications_given;
	uint64_t seed;
	uint32_t jobs;
	uint64_t max_in_system;
	bool list;
	bool quiet;           /* no progress line */
	bool progress;        /* --progress: progress lines even when stderr is no terminal */
	/* Comparisons of policies (compare.h, verdict.h). */
	const char *baseline_name; /* --baseline as given, or NULL: the first policy */
	uint32_t baseline;         /* policy[baseline] is the comparisons' baseline */
	const char *compare_output; /* --compare-output: paired comparisons as CSV, or NULL */
	/* Sharding (sim/shard.h). */
	uint32_t shard, nshards;  /* --shard I/N: this run is slice I of N; 0/0: whole */
	bool verify;              /* --verify: check --output holds that shard, run nothing */
	bool merge;               /* --merge FILE...: print the run the shards make up */
	bool fit;                 /* --fit-system TRACE...: write a fitted system (fit.h) */
	uint32_t nmerge;
	char **merge_file;        /* argv's */
	const char *run_flag;     /* the first flag given that shapes the results
				   * (--merge refuses it: the shards carry them) */
};

/* Parses argv into opts.  Returns 0 to run, 1 when --help or --version was
 * printed (exit 0), or a negative errno with err naming the flag (exit 2).
 * A knob that none of the selected policies reads is an error; one that
 * some of them ignore gets a warning on stderr naming them.  Does not load
 * the workload. */
int sim_options_parse(int argc, char **argv, struct sim_options *opts,
		      struct psp_err *err);


/* Sets opts->baseline from opts->baseline_name (the first policy when
 * NULL): -EINVAL with err saying why when it names no policy or one not in
 * --policy. */
int sim_options_resolve_baseline(struct sim_options *opts, struct psp_err *err);

/* Stores in conf (over its defaults) the options' knobs that ops reads; the
 * others keep ops's defaults.  Cannot fail once sim_options_parse accepted
 * them. */
void sim_options_apply_knobs(const struct sim_options *opts, const struct psp_policy_ops *ops,
			     struct psp_policy_conf *conf);

/* The flags that shape a run's results, normalised (defaults spelt out,
 * loads listed, no --workload, no output or thread flags), one per
 * argv-style token separated by single spaces, into buf.  Parsing them
 * again (sim_options_parse) gives the same results.  Returns -ENOSPC or
 * -EINVAL (a knob value holding a space) with err set, else 0. */
int sim_options_run_flags(const struct sim_options *opts, char *buf, size_t cap,
			  struct psp_err *err);

/* Walks argv[1..argc-1] as sim_options_parse reads it (getopt: unambiguous
 * abbreviations, attached values "--seed=7" and "-n5000", a flag's value in
 * the next token) and calls visit with each flag's long name ("--seed") and
 * the token that gave it, stopping at visit's first non-zero return, which
 * it returns.  An unknown flag, a missing value or a token that is neither
 * a flag nor a flag's value give -EINVAL with err naming the token. */
int sim_options_scan(int argc, char **argv, int (*visit)(void *ctx, const char *flag,
							  const char *token),
		     void *ctx, struct psp_err *err);

/* The flag of a knob ("--quantum-us") into buf; returns buf. */
const char *sim_knob_flag(const struct psp_param *prm, char *buf, size_t cap);

/* Prints the policies, their properties and knobs (--list). */
void sim_options_list_policies(FILE *out);

#endif
