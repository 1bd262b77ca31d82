#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

enum {
	OPT_WARMUP = 256, OPT_FORMAT, OPT_QUANTUM, OPT_PREEMPT_COST, OPT_DARC_MODE,
	OPT_RESERVE, OPT_NO_STEAL, OPT_DISPATCH_COST, OPT_SLO, OPT_LIST, OPT_TIMELINE,
	OPT_SERIES, OPT_SERIES_MS, OPT_TS_VARIANT, OPT_PLACEMENT, OPT_ALLOW_OVERLOAD,
	OPT_DARC_SAMPLES, OPT_DARC_DELTA, OPT_PHASE_SCALE, OPT_MAX_IN_SYSTEM, OPT_QUIET,
	OPT_VERSION,
};

static const struct option long_opts[] = {
	{"workload", required_argument, NULL, 'w'},
	{"policy", required_argument, NULL, 'p'},
	{"workers", required_argument, NULL, 'k'},
	{"load", required_argument, NULL, 'l'},
	{"requests", required_argument, NULL, 'n'},
	{"seed", required_argument, NULL, 's'},
	{"output", required_argument, NULL, 'o'},
	{"jobs", required_argument, NULL, 'j'},
	{"help", no_argument, NULL, 'h'},
	{"warmup", required_argument, NULL, OPT_WARMUP},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"quantum-us", required_argument, NULL, OPT_QUANTUM},
	{"preempt-cost-us", required_argument, NULL, OPT_PREEMPT_COST},
	{"ts-variant", required_argument, NULL, OPT_TS_VARIANT},
	{"placement", required_argument, NULL, OPT_PLACEMENT},
	{"darc-mode", required_argument, NULL, OPT_DARC_MODE},
	{"reserve", required_argument, NULL, OPT_RESERVE},
	{"no-steal", no_argument, NULL, OPT_NO_STEAL},
	{"darc-samples", required_argument, NULL, OPT_DARC_SAMPLES},
	{"darc-delta", required_argument, NULL, OPT_DARC_DELTA},
	{"dispatch-cost-ns", required_argument, NULL, OPT_DISPATCH_COST},
	{"slo", required_argument, NULL, OPT_SLO},
	{"list", no_argument, NULL, OPT_LIST},
	{"timeline", required_argument, NULL, OPT_TIMELINE},
	{"series", required_argument, NULL, OPT_SERIES},
	{"series-ms", required_argument, NULL, OPT_SERIES_MS},
	{"phase-scale", required_argument, NULL, OPT_PHASE_SCALE},
	{"allow-overload", no_argument, NULL, OPT_ALLOW_OVERLOAD},
	{"max-in-system", required_argument, NULL, OPT_MAX_IN_SYSTEM},
	{"quiet", no_argument, NULL, OPT_QUIET},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

void sim_options_usage(FILE *out)
{
	fputs(
"usage: psp-sim --workload NAME|FILE [options]\n"
"\n"
"Simulates a request scheduling policy on a workload and prints, per load\n"
"point, each type's count, p50/p99/p99.9 latency (us) and p99.9 slowdown.\n"
"\n"
"  -w, --workload NAME|FILE  workload name (in $PSP_WORKLOAD_PATH or the installed\n"
"                            workloads/ directory) or a YAML file path (required)\n"
"  -p, --policy LIST         policies, comma-separated: cfcfs, dfcfs, darc, ts, sjf\n"
"                            (aliases such as c-fcfs accepted; default darc)\n"
"  -k, --workers N           worker cores, 1..64 (default 14)\n"
"  -l, --load SPEC           load as a fraction of capacity (workers / mean service\n"
"                            time): a value 0.9, a list 0.5,0.7, or a range\n"
"                            FROM:TO:STEP (default 0.05:0.95:0.05)\n"
"      --allow-overload      accept loads >= 1 (the point is then reported overloaded)\n"
"  -n, --requests N          arrivals per load point (default 1000000); phased\n"
"                            workloads run their phase durations instead\n"
"      --warmup F            fraction of arrivals (phased: of time) not measured,\n"
"                            0 <= F < 1 (default 0.1)\n"
"      --phase-scale F       multiply phased workloads' durations by F (default 1)\n"
"  -s, --seed N              random seed (default 1); each load point derives its\n"
"                            own seed from it, the same for every policy\n"
"  -j, --jobs N              load points simulated in parallel (default: cores)\n"
"      --format F            table, csv or json (default table)\n"
"  -o, --output FILE         write results to FILE instead of stdout\n"
"      --quantum-us X        ts: time slice in us (default 5)\n"
"      --preempt-cost-us X   ts: worker time lost per preemption in us (default 0)\n"
"      --ts-variant V        ts: single (one FIFO) or per-type (max wait/SLO,\n"
"                            SLO = 10x type mean) (default single)\n"
"      --placement P         dfcfs: round-robin or random (default round-robin)\n"
"      --darc-mode M         darc: dynamic (profile, then reserve), oracle (reserve\n"
"                            from the workload's means), static (--reserve K)\n"
"                            (default dynamic)\n"
"      --reserve K           darc static: cores reserved for the short group,\n"
"                            0..workers-1 (implies --darc-mode static)\n"
"      --no-steal            darc: groups use only their own cores\n"
"      --darc-samples N      darc: completions profiled before (re)reserving\n"
"                            (default 50000)\n"
"      --darc-delta X        darc: grouping tolerance (default 0.2)\n"
"      --dispatch-cost-ns N  a serial dispatcher spends N ns per dispatch (default 0)\n"
"      --slo X               also report, per policy, the highest load whose p99.9\n"
"                            slowdown stays <= X (binary search)\n"
"      --timeline FILE       write DARC's reservation timeline (CSV)\n"
"      --series FILE         write per-type latency percentiles per time bin (CSV)\n"
"      --series-ms X         time bin of --series in ms (default 100)\n"
"      --max-in-system N     drop arrivals beyond N requests in the system\n"
"                            (default 10000000); drops mark the point overloaded\n"
"      --quiet               no progress line on stderr\n"
"      --list                list policies and workloads, then exit\n"
"  -h, --help                this text\n"
"      --version             print the version\n"
"\n"
"Exit status: 0 ok; 1 runtime failure; 2 usage or input error.\n", out);
}

static int bad(struct psp_err *err, const char *flag, const char *fmt, const char *arg)
{
	return psp_err_set(err, -EINVAL, flag, NULL, fmt, arg);
}

/* Parses a whole string as a finite double. */
static int parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (*s == '-')
		return -EINVAL;
	double d;
	unsigned long long v = strtoull(s, &end, 10);
	if (!errno && end != s && *end == '\0') {
		*out = v;
		return 0;
	}
	/* accept 1e6 style counts */
	if (parse_double(s, &d) == 0 && d >= 0 && d < 1.8e19 && d == floor(d)) {
		*out = (uint64_t)d;
		return 0;
	}
	return -EINVAL;
}

static double round_load(double v)
{
	return round(v * 1e9) / 1e9;
}

static int parse_loads(const char *arg, struct sim_options *o, struct psp_err *err)
{
	o->nloads = 0;
	if (strchr(arg, ':')) {
		double from, to, step;
		char buf[128];
		snprintf(buf, sizeof(buf), "%s", arg);
		char *a = strtok(buf, ":"), *b = strtok(NULL, ":"), *c = strtok(NULL, ":");
		if (!a || !b || !c || strtok(NULL, ":") || parse_double(a, &from) ||
		    parse_double(b, &to) || parse_double(c, &step))
			return bad(err, "--load", "range must be FROM:TO:STEP, got '%s'", arg);
		if (step <= 0 || to < from)
			return bad(err, "--load", "range '%s' needs STEP > 0 and TO >= FROM", arg);
		double count = floor((to - from) / step + 1e-9) + 1;
		if (count > SIM_MAX_LOADS)
			return bad(err, "--load", "range '%s' has more than 256 points", arg);
		for (uint32_t i = 0; i < (uint32_t)count; i++)
			o->load[o->nloads++] = round_load(from + i * step);
		return 0;
	}
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", arg);
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		if (o->nloads == SIM_MAX_LOADS)
			return bad(err, "--load", "more than 256 loads in '%s'", arg);
		if (parse_double(tok, &o->load[o->nloads]))
			return bad(err, "--load", "not a number: '%s'", tok);
		o->load[o->nloads] = round_load(o->load[o->nloads]);
		o->nloads++;
	}
	if (o->nloads == 0)
		return bad(err, "--load", "no load given in '%s'", arg);
	return 0;
}

static int parse_policies(const char *arg, struct sim_options *o, struct psp_err *err)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", arg);
	o->npolicies = 0;
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		const struct psp_policy_ops *ops = psp_policy_find(tok);
		if (!ops) {
			char known[256] = "";
			for (size_t i = 0; psp_policies[i]; i++) {
				strcat(known, i ? ", " : "");
				strcat(known, psp_policies[i]->name);
			}
			return psp_err_set(err, -EINVAL, "--policy", NULL,
					   "unknown policy '%s' (known: %s)", tok, known);
		}
		if (o->npolicies == SIM_MAX_POLICIES)
			return bad(err, "--policy", "at most 8 policies, got '%s'", arg);
		o->policy[o->npolicies++] = ops;
	}
	if (o->npolicies == 0)
		return bad(err, "--policy", "no policy given in '%s'", arg);
	return 0;
}

static void set_defaults(struct sim_options *o)
{
	memset(o, 0, sizeof(*o));
	o->npolicies = 1;
	o->policy[0] = &psp_darc_ops;
	o->workers = 14;
	o->requests = 1000000;
	o->warmup = 0.1;
	o->phase_scale = 1.0;
	o->format = SIM_FORMAT_TABLE;
	o->series_ms = 100;
	o->quantum_us = 5;
	o->reserve = -1;
	o->darc_min_samples = 50000;
	o->darc_delta = 0.2;
	o->seed = 1;
	o->max_in_system = 10000000;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	o->jobs = cores > 0 ? (uint32_t)cores : 1;
	parse_loads("0.05:0.95:0.05", o, NULL);
}

/* Checks across flags, once all are read. */
static int check_options(struct sim_options *o, struct psp_err *err)
{
	if (!o->list && !o->workload)
		return psp_err_set(err, -EINVAL, "--workload", NULL, "is required (try --list)");
	if (o->workers < 1 || o->workers > PSP_MAX_WORKERS)
		return psp_err_set(err, -EINVAL, "--workers", NULL,
				   "must be in 1..%u (the policy core's limit), got %u",
				   PSP_MAX_WORKERS, o->workers);
	for (uint32_t i = 0; i < o->nloads; i++) {
		if (!(o->load[i] > 0))
			return psp_err_set(err, -EINVAL, "--load", NULL,
					   "must be > 0, got %g", o->load[i]);
		if (o->load[i] >= 1 && !o->allow_overload)
			return psp_err_set(err, -EINVAL, "--load", NULL,
					   "%g is at or above capacity (1.0 = workers / mean service time): queues grow without bound; pass --allow-overload to simulate it anyway",
					   o->load[i]);
	}
	if (o->reserve >= (int)o->workers)
		return psp_err_set(err, -EINVAL, "--reserve", NULL,
				   "must leave the long group a core: 0..%u, got %d",
				   o->workers - 1, o->reserve);
	if (o->reserve >= 0) {
		if (o->darc_mode_set && o->darc_mode != PSP_DARC_STATIC)
			return psp_err_set(err, -EINVAL, "--reserve", NULL,
					   "goes with --darc-mode static only");
		o->darc_mode = PSP_DARC_STATIC;
	} else if (o->darc_mode == PSP_DARC_STATIC) {
		return psp_err_set(err, -EINVAL, "--darc-mode", NULL,
				   "static needs --reserve K");
	}
	if (o->slo != 0 && !(o->slo >= 1))
		return psp_err_set(err, -EINVAL, "--slo", NULL,
				   "a p99.9 slowdown bound must be >= 1, got %g", o->slo);
	return 0;
}

int sim_options_parse(int argc, char **argv, struct sim_options *o, struct psp_err *err)
{
	set_defaults(o);
	psp_err_clear(err);
	optind = 1;
	opterr = 0;
	int c;
	uint64_t u;
	double d;
	while ((c = getopt_long(argc, argv, ":w:p:k:l:n:s:o:j:h", long_opts, NULL)) != -1) {
		const char *arg = optarg;
		int rc = 0;
		switch (c) {
		case 'w': o->workload = arg; break;
		case 'p': rc = parse_policies(arg, o, err); break;
		case 'k':
			if (parse_u64(arg, &u) || u > 1000000)
				return bad(err, "--workers", "not a worker count: '%s'", arg);
			o->workers = (uint32_t)u;
			break;
		case 'l': rc = parse_loads(arg, o, err); break;
		case 'n':
			if (parse_u64(arg, &u) || u < 100)
				return bad(err, "--requests", "must be a count >= 100, got '%s'", arg);
			o->requests = u;
			break;
		case 's':
			if (parse_u64(arg, &u))
				return bad(err, "--seed", "not a non-negative integer: '%s'", arg);
			o->seed = u;
			break;
		case 'o': o->output = arg; break;
		case 'j':
			if (parse_u64(arg, &u) || u < 1 || u > 1024)
				return bad(err, "--jobs", "must be in 1..1024, got '%s'", arg);
			o->jobs = (uint32_t)u;
			break;
		case 'h': sim_options_usage(stdout); return 1;
		case OPT_VERSION: printf("psp-sim %s\n", PSP_VERSION); return 1;
		case OPT_WARMUP:
			if (parse_double(arg, &d) || d < 0 || d >= 1)
				return bad(err, "--warmup", "must be in [0, 1), got '%s'", arg);
			o->warmup = d;
			break;
		case OPT_PHASE_SCALE:
			if (parse_double(arg, &d) || d <= 0 || d > 1000)
				return bad(err, "--phase-scale", "must be in (0, 1000], got '%s'", arg);
			o->phase_scale = d;
			break;
		case OPT_FORMAT:
			if (!strcmp(arg, "table")) o->format = SIM_FORMAT_TABLE;
			else if (!strcmp(arg, "csv")) o->format = SIM_FORMAT_CSV;
			else if (!strcmp(arg, "json")) o->format = SIM_FORMAT_JSON;
			else return bad(err, "--format", "must be table, csv or json, got '%s'", arg);
			break;
		case OPT_QUANTUM:
			if (parse_double(arg, &d) || d < 0.001 || d > 1e6)
				return bad(err, "--quantum-us", "must be in [0.001, 1e6] us, got '%s'", arg);
			o->quantum_us = d;
			break;
		case OPT_PREEMPT_COST:
			if (parse_double(arg, &d) || d < 0 || d > 1e6)
				return bad(err, "--preempt-cost-us", "must be in [0, 1e6] us, got '%s'", arg);
			o->preempt_cost_us = d;
			break;
		case OPT_TS_VARIANT:
			if (!strcmp(arg, "single")) o->ts_variant = PSP_TS_SINGLE_QUEUE;
			else if (!strcmp(arg, "per-type")) o->ts_variant = PSP_TS_PER_TYPE;
			else return bad(err, "--ts-variant", "must be single or per-type, got '%s'", arg);
			break;
		case OPT_PLACEMENT:
			if (!strcmp(arg, "round-robin")) o->placement = PSP_DFCFS_ROUND_ROBIN;
			else if (!strcmp(arg, "random")) o->placement = PSP_DFCFS_RANDOM;
			else return bad(err, "--placement", "must be round-robin or random, got '%s'", arg);
			break;
		case OPT_DARC_MODE:
			if (!strcmp(arg, "dynamic")) o->darc_mode = PSP_DARC_DYNAMIC;
			else if (!strcmp(arg, "oracle")) o->darc_mode = PSP_DARC_ORACLE;
			else if (!strcmp(arg, "static")) o->darc_mode = PSP_DARC_STATIC;
			else return bad(err, "--darc-mode", "must be dynamic, oracle or static, got '%s'", arg);
			o->darc_mode_set = true;
			break;
		case OPT_RESERVE:
			if (parse_u64(arg, &u) || u > PSP_MAX_WORKERS)
				return bad(err, "--reserve", "not a core count: '%s'", arg);
			o->reserve = (int)u;
			break;
		case OPT_NO_STEAL: o->no_steal = true; break;
		case OPT_DARC_SAMPLES:
			if (parse_u64(arg, &u) || u < 1)
				return bad(err, "--darc-samples", "must be a count >= 1, got '%s'", arg);
			o->darc_min_samples = u;
			break;
		case OPT_DARC_DELTA:
			if (parse_double(arg, &d) || d < 0 || d >= 100)
				return bad(err, "--darc-delta", "must be in [0, 100), got '%s'", arg);
			o->darc_delta = d;
			break;
		case OPT_DISPATCH_COST:
			if (parse_u64(arg, &u) || u > 1000000000)
				return bad(err, "--dispatch-cost-ns", "must be in 0..1e9 ns, got '%s'", arg);
			o->dispatch_cost_ns = u;
			break;
		case OPT_SLO:
			if (parse_double(arg, &d))
				return bad(err, "--slo", "not a number: '%s'", arg);
			o->slo = d;
			break;
		case OPT_LIST: o->list = true; break;
		case OPT_TIMELINE: o->timeline = arg; break;
		case OPT_SERIES: o->series = arg; break;
		case OPT_SERIES_MS:
			if (parse_double(arg, &d) || d < 0.001)
				return bad(err, "--series-ms", "must be >= 0.001 ms, got '%s'", arg);
			o->series_ms = d;
			break;
		case OPT_ALLOW_OVERLOAD: o->allow_overload = true; break;
		case OPT_MAX_IN_SYSTEM:
			if (parse_u64(arg, &u) || u < 1)
				return bad(err, "--max-in-system", "must be a count >= 1, got '%s'", arg);
			o->max_in_system = u;
			break;
		case OPT_QUIET: o->quiet = true; break;
		case ':':
			return psp_err_set(err, -EINVAL, argv[optind - 1], NULL, "needs a value");
		default:
			return psp_err_set(err, -EINVAL, argv[optind - 1], NULL, "unknown option");
		}
		if (rc < 0)
			return rc;
	}
	if (optind < argc)
		return psp_err_set(err, -EINVAL, argv[optind], NULL,
				   "unexpected argument (options start with --)");
	return check_options(o, err);
}
