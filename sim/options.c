#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <psp/suggest.h>

#include "options.h"
#include "cells.h"
#include "precision.h"
#include "point.h"
#include "run.h"

enum {
	OPT_WARMUP = 256, OPT_FORMAT, OPT_DISPATCH_COST, OPT_SLO, OPT_LIST, OPT_TIMELINE,
	OPT_SERIES, OPT_SERIES_MS, OPT_ALLOW_OVERLOAD, OPT_PHASE_SCALE, OPT_MAX_IN_SYSTEM,
	OPT_QUIET, OPT_VERSION, OPT_SLO_OUTPUT, OPT_NO_CAPACITY, OPT_SHARD, OPT_MERGE, OPT_VERIFY,
	OPT_TRACE, OPT_PER_REQUEST, OPT_VALUES, OPT_SYSTEM, OPT_FIT_SYSTEM, OPT_BASELINE,
	OPT_COMPARE_OUTPUT, OPT_PROGRESS, OPT_PRECISION, OPT_PRECISION_STATS, OPT_MAX_REPLICATIONS,
	OPT_BATCHES,
	OPT_KNOB = 1000, /* + index in the knob registry (psp_param_at) */
};

/* psp-sim's own flags; the policy knobs' flags are appended at parse time. */
static const struct option host_opts[] = {
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
	{"replications", required_argument, NULL, 'r'},
	{"slo-output", required_argument, NULL, OPT_SLO_OUTPUT},
	{"no-capacity", no_argument, NULL, OPT_NO_CAPACITY},
	{"shard", required_argument, NULL, OPT_SHARD},
	{"merge", no_argument, NULL, OPT_MERGE},
	{"verify", no_argument, NULL, OPT_VERIFY},
	{"trace", required_argument, NULL, OPT_TRACE},
	{"per-request", required_argument, NULL, OPT_PER_REQUEST},
	{"values", required_argument, NULL, OPT_VALUES},
	{"system", required_argument, NULL, OPT_SYSTEM},
	{"fit-system", no_argument, NULL, OPT_FIT_SYSTEM},
	{"baseline", required_argument, NULL, OPT_BASELINE},
	{"compare-output", required_argument, NULL, OPT_COMPARE_OUTPUT},
	{"progress", no_argument, NULL, OPT_PROGRESS},
	{"precision", required_argument, NULL, OPT_PRECISION},
	{"precision-stats", required_argument, NULL, OPT_PRECISION_STATS},
	{"max-replications", required_argument, NULL, OPT_MAX_REPLICATIONS},
	{"batches", required_argument, NULL, OPT_BATCHES},
};

/* --format's names, in enum sim_format's order. */
static const char *const format_names[] = {"table", "csv", "json"};
#define NFORMATS (sizeof(format_names) / sizeof(format_names[0]))

#define NHOST_OPTS (sizeof(host_opts) / sizeof(host_opts[0]))
#define MAX_PARAMS 64u

const char *sim_knob_flag(const struct psp_param *prm, char *buf, size_t cap)
{
	snprintf(buf, cap, "--%s", prm->name);
	for (char *c = buf; *c; c++)
		if (*c == '_')
			*c = '-';
	return buf;
}

/* The policies that read prm, comma-separated, into buf. */
static const char *readers(const struct psp_param *prm, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; psp_policy_at(i); i++)
		if (psp_policy_has_param(psp_policy_at(i), prm) && len < cap)
			len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? ", " : "",
						psp_policy_at(i)->name);
	return buf;
}

/* Prints text wrapped at 80 columns, continuation lines indented by indent;
 * the first line starts at column col. */
static void print_wrapped(FILE *out, const char *text, int col, int indent)
{
	const char *s = text;
	while (*s) {
		const char *e = s;
		const char *cut = NULL;
		while (*e && col + (e - s) < 80) {
			if (*e == ' ')
				cut = e;
			e++;
		}
		if (!*e)
			cut = e;
		else if (!cut)
			cut = e;
		fprintf(out, "%.*s\n", (int)(cut - s), s);
		s = *cut == ' ' ? cut + 1 : cut;
		if (*s)
			fprintf(out, "%*s", indent, "");
		col = indent;
	}
}

/* The unit to print after a default: none for a knob with none, or whose
 * default is "none" (reserve). */
static const char *unit_of(const struct psp_param *prm)
{
	bool unset = prm->kind == PSP_PARAM_INT && prm->def < prm->min;
	return prm->unit && !unset ? prm->unit : "";
}

static const char *metavar(const struct psp_param *prm)
{
	switch (prm->kind) {
	case PSP_PARAM_BOOL: return "";
	case PSP_PARAM_CHOICE: return " M";
	case PSP_PARAM_REAL: return " X";
	default: return prm->scale != 1 ? " X" : " N";
	}
}

static void usage_knobs(FILE *out)
{
	fputs("\nPolicy knobs (each read by the policies named; see --list):\n", out);
	for (size_t i = 0; psp_param_at(i); i++) {
		const struct psp_param *prm = psp_param_at(i);
		char flag[64], line[128], text[512], def[32], who[128];
		snprintf(line, sizeof(line), "      %s%s", sim_knob_flag(prm, flag, sizeof(flag)),
			 metavar(prm));
		if (strlen(line) < 28)
			fprintf(out, "%-28s", line);
		else
			fprintf(out, "%s\n%28s", line, "");
		psp_param_format_default(prm, def, sizeof(def));
		if (prm->kind == PSP_PARAM_CHOICE)
			snprintf(text, sizeof(text), "%s: %s (default %s)", readers(prm, who, sizeof(who)),
				 prm->help, def);
		else if (prm->kind == PSP_PARAM_BOOL)
			snprintf(text, sizeof(text), "%s: %s", readers(prm, who, sizeof(who)), prm->help);
		else
			snprintf(text, sizeof(text), "%s: %s (default %s%s%s)",
				 readers(prm, who, sizeof(who)), prm->help, def,
				 unit_of(prm)[0] && !(prm->flags & PSP_PARAM_PER_POLICY) ? " " : "",
				 prm->flags & PSP_PARAM_PER_POLICY ? "" : unit_of(prm));
		if (prm->flags & PSP_PARAM_MODEL_ONLY)
			strncat(text, "; a modelled cost", sizeof(text) - strlen(text) - 1);
		if (prm->implies_when) {
			size_t len = strlen(text);
			snprintf(text + len, sizeof(text) - len, "; %s sets %s", prm->implies_when,
				 prm->implies);
		}
		print_wrapped(out, text, 28, 28);
	}
}

static const char *flag_names(uint32_t flags, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s%s%s%s%s",
		 flags & PSP_POLICY_WORK_CONSERVING ? "work-conserving" : "non-work-conserving",
		 flags & PSP_POLICY_PREEMPTIVE ? ", preemptive" : "",
		 flags & PSP_POLICY_WORKER_TIMED ? " (worker-timed)" : "",
		 flags & PSP_POLICY_USES_MEANS ? ", reads type means" : "",
		 flags & PSP_POLICY_LEARNS ? ", profiles before its first plan (dynamic modes)" : "",
		 flags & PSP_POLICY_MODEL_ONLY ? ", model only (a bound: psp-engine refuses it)" : "");
	return buf;
}

/* The steps --dispatch-cost-ns is charged for (PSP_POLICY_CENTRAL_*). */
static const char *dispatcher_steps(uint32_t flags)
{
	if (flags & PSP_POLICY_MODEL_ONLY)
		return "none (a bound: it serves the requests itself; --dispatch-cost-ns refused)";
	if (!(flags & PSP_POLICY_CENTRAL_ARRIVALS))
		return "none (the NIC places arrivals, as RSS does)";
	if (flags & PSP_POLICY_CENTRAL_REQUEUE)
		return "arrivals and preempted requests";
	if (flags & PSP_POLICY_PREEMPTIVE)
		return "arrivals (a preempted request stays on its worker)";
	return "arrivals";
}

void sim_options_list_policies(FILE *out)
{
	fprintf(out, "policies:\n");
	for (size_t i = 0; psp_policy_at(i); i++) {
		const struct psp_policy_ops *ops = psp_policy_at(i);
		char props[192];
		fprintf(out, "  %-8s %s\n", ops->name, ops->summary);
		if (ops->aliases[0])
			fprintf(out, "           aliases: %s\n", ops->aliases);
		fprintf(out, "           %s; slots %u", flag_names(ops->props.flags, props, sizeof(props)),
			ops->props.default_slots);
		if (ops->props.max_slots > 1)
			fprintf(out, " (1..%u)", ops->props.max_slots);
		fprintf(out, "\n           central dispatcher: %s", dispatcher_steps(ops->props.flags));
		fprintf(out, "\n           model: ");
		print_wrapped(out, ops->props.model, 18, 18);
		for (size_t k = 0; ops->params && ops->params[k]; k++) {
			const struct psp_param *prm = ops->params[k];
			char flag[64], def[32];
			psp_param_format_default(prm, def, sizeof(def));
			if (prm->flags & PSP_PARAM_PER_POLICY)
				snprintf(def, sizeof(def), "%u", ops->props.default_slots);
			fprintf(out, "           %s%s (default %s%s%s)\n",
				sim_knob_flag(prm, flag, sizeof(flag)), metavar(prm), def,
				unit_of(prm)[0] ? " " : "", unit_of(prm));
		}
	}
}

static void sim_options_usage(FILE *out)
{
	fputs(
"usage: psp-sim --workload NAME|FILE [options]\n"
"       psp-sim --trace FILE [--workload NAME|FILE] [options]\n"
"       psp-sim --fit-system TRACE... [-o SYSTEM.yml]\n"
"\n"
"Simulates request scheduling policies on a workload and prints, per load\n"
"point, each type's count, mean/p50/p99/p99.9 latency (us) and p99.9 slowdown\n"
"with 95% intervals over independent replications; then, when an SLO is known\n"
"(--slo, or the workload's slo: key), each policy's capacity under it, in every\n"
"output format.  How each statistic and interval is estimated, and what each\n"
"column means: docs/statistics.md; every output and column: docs/sim.md (both\n"
"installed in share/doc/psp/docs).\n"
"\n"
"  -w, --workload NAME|FILE  workload name (in $PSP_WORKLOAD_PATH or the installed\n"
"                            workloads/ directory) or a YAML file path (required\n"
"                            unless --trace gives the requests)\n"
"      --trace FILE          replay a request trace (the psp trace CSV) instead of\n"
"                            sampling: its arrivals, types and service times,\n"
"                            exactly; types must be the workload's or, without\n"
"                            --workload, are the trace's (nominal means and ratios\n"
"                            measured on it); --load scales its inter-arrival\n"
"                            times to that load (default: one point at the\n"
"                            trace's own load); one replication\n"
"  -p, --policy LIST         policies, comma-separated (see --list for each one's\n"
"                            model and knobs; aliases such as c-fcfs accepted;\n"
"                            default darc)\n"
"  -k, --workers N           worker cores, 1..64 (default 14)\n"
"  -l, --load SPEC           load as a fraction of capacity (workers / mean service\n"
"                            time): a value 0.9, a list 0.5,0.7, or a range\n"
"                            FROM:TO:STEP (default 0.05:0.95:0.05; with --trace,\n"
"                            the trace's own load)\n"
"      --allow-overload      accept loads >= 1 (the point is then reported overloaded)\n"
"  -n, --requests N          arrivals per load point (default 1000000); phased\n"
"                            workloads run their phase durations instead, a\n"
"                            replay the trace's rows\n"
"      --warmup F|mser       fraction of arrivals (phased: of time) not measured,\n"
"                            0 <= F < 1, or mser (default): detected in each run\n"
"                            by MSER-5 on its requests' slowdowns in arrival\n"
"                            order, at most half of them; phased workloads 0.1\n"
"                            of the time); a learning policy's profile is never\n"
"                            measured either way\n"
"      --phase-scale F       multiply phased workloads' durations by F (default 1)\n"
"  -r, --replications R      independent runs per load point, 1..1000 (default 6;\n"
"                            1 with --trace or --per-request, which take no more);\n"
"                            means: their average +- a Student t 95% interval\n"
"                            (from 2); percentiles: their median [an\n"
"                            order-statistic 95% interval] (from 6)\n"
"      --precision REL       add replications to each load point, in rounds,\n"
"                            until each statistic --precision-stats names, of\n"
"                            each type and ALL, has a 95% half-width within\n"
"                            REL of its value (0 < REL < 1, e.g. 0.05), or the\n"
"                            budget is spent (a warning names what did not\n"
"                            converge); starts from --replications; the\n"
"                            capacity search also stops a load once its p99.9\n"
"                            slowdown's interval is on one side of the SLO\n"
"      --precision-stats LIST statistics --precision checks, comma-separated:\n"
"                            mean_us, p50_us, p99_us, p999_us, p999_slowdown,\n"
"                            mean_slowdown (default p999_slowdown,mean_us)\n"
"      --max-replications N  --precision's budget per load point, up to 1000\n"
"                            (default 60)\n"
"      --batches B           batch means: one long run per load point, its\n"
"                            measured window cut into B batches (2..32) that\n"
"                            stand for replications in every interval (each\n"
"                            batch must outlast the correlation of its\n"
"                            requests: take -n large); not with --replications\n"
"                            or --precision\n"
"  -s, --seed N              random seed (default 1); each load point and\n"
"                            replication derives its own seed from it, the same\n"
"                            for every policy\n"
"  -j, --jobs N              load points simulated in parallel (default: cores)\n"
"      --format F            table, csv or json (default table)\n"
"  -o, --output FILE         write results to FILE instead of stdout\n"
"      --dispatch-cost-ns N  a serial dispatcher spends N ns per hand-off it makes (the\n"
"                            steps --list names per policy; default 0): shorthand\n"
"                            for a system's dispatcher.dispatch, constant N ns\n"
"      --system FILE         simulate the machine FILE describes (dispatcher\n"
"                            costs, hand-off and completion-notice latencies,\n"
"                            preemption, worker wake-up, network delay; the\n"
"                            format: docs/system-model.md; examples in systems/);\n"
"                            every output row then names it, with CPU use per\n"
"                            request (default: the ideal machine, all free)\n"
"      --fit-system TRACE... write a system file fitted from psp-engine traces\n"
"                            (its hand-off and completion-notice latencies) to\n"
"                            --output or stdout (takes only --output, --quiet)\n"
"      --slo X               p99.9 slowdown bound of the capacity search: the\n"
"                            highest load that meets it, with a 95% range (6 or\n"
"                            more replications) or a bracket (fewer) (default:\n"
"                            the workload's slo: key; every format searches\n"
"                            whenever one is known: CSV prints it on stderr or\n"
"                            in --slo-output, JSON in its capacity member)\n"
"      --slo-output FILE     write the capacity results as CSV to FILE\n"
"      --baseline POLICY     with two or more policies: the one the others are\n"
"                            compared with (default: the first in --policy); the\n"
"                            output then compares each with it, paired by\n"
"                            replication (the same seeds), per type and load, and\n"
"                            ends with a verdict ranking the policies by capacity\n"
"                            (without an SLO, by p99.9 slowdown at the highest load)\n"
"      --compare-output FILE write the paired comparisons as CSV to FILE\n"
"      --no-capacity         no capacity search, whatever the format\n"
"      --per-request FILE    write one CSV row per completed request, in arrival\n"
"                            order (one policy, one load, one replication), that\n"
"                            --trace reads back and that joins a trace by id\n"
"      --timeline FILE       write DARC's reservation timeline (CSV)\n"
"      --series FILE         write per-type latency percentiles per time bin (CSV)\n"
"      --series-ms X         time bin of --series in ms (default 100)\n"
"      --max-in-system N     drop arrivals beyond N requests in the system\n"
"                            (default 10000000); drops mark the point overloaded\n"
"      --quiet               no progress lines on stderr (warnings still show)\n"
"      --progress            progress lines with an estimated time left on stderr\n"
"                            even when it is not a terminal (a log: one line\n"
"                            every 10 s); on a terminal they show by default\n"
"      --shard I/N           run only slice I of N of the run's units (each\n"
"                            replication; with a capacity search, each policy)\n"
"                            and write them as a shard file (to --output)\n"
"      --verify              with --shard and --output: exit 0 when that file\n"
"                            already holds this shard of this run, else 1\n"
"      --merge FILE...       print what the unsharded run prints, from the shard\n"
"                            files of its N slices (takes only --format,\n"
"                            --output, --slo-output, --compare-output,\n"
"                            --baseline, --quiet, --progress)\n"
"      --list                list policies (properties, knobs) and workloads\n"
"      --values FLAG         print the values FLAG accepts, one per line (policies,\n"
"                            workloads, formats, a knob's choices, --warmup's\n"
"                            mser, --precision-stats' statistics; nothing for a\n"
"                            number or a path): what shell completion offers\n"
"  -h, --help                this text\n"
"      --version             print the version\n", out);
	usage_knobs(out);
	fputs("\nExit status: 0 ok; 1 runtime failure; 2 usage or input error.\n", out);
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

/* A whole non-negative integer (1e6 style accepted).  -ERANGE for an
 * integer beyond 2^64 - 1, -EINVAL for anything else. */
static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (*s == '-' || *s == '+' || *s == ' ' || *s == '\t')
		return -EINVAL;
	double d;
	unsigned long long v = strtoull(s, &end, 10);
	if (end != s && *end == '\0')
		return errno == ERANGE ? -ERANGE : (*out = v, 0);
	/* accept 1e6 style counts */
	if (parse_double(s, &d) == 0 && d >= 0 && d == floor(d)) {
		if (d >= 18446744073709551616.0)
			return -ERANGE;
		*out = (uint64_t)d;
		return 0;
	}
	errno = 0;
	d = strtod(s, &end);
	if (end != s && *end == '\0' && d > 0 && isinf(d))
		return -ERANGE;
	return -EINVAL;
}

/* Flag = a count in lo..hi, with the reason for hi; both failures say what
 * is expected. */
static int parse_count(const char *flag, const char *arg, uint64_t lo, uint64_t hi,
		       const char *why, uint64_t *out, struct psp_err *err)
{
	uint64_t u = 0;
	int rc = parse_u64(arg, &u);
	if (rc == -EINVAL)
		return psp_err_set(err, -EINVAL, flag, NULL,
				   "not a whole non-negative number: '%.64s' (a count in %llu..%llu)",
				   arg, (unsigned long long)lo, (unsigned long long)hi);
	if (rc == -ERANGE || u > hi || u < lo)
		return psp_err_set(err, -EINVAL, flag, NULL, "must be in %llu..%llu%s%s%s, got '%.64s'",
				   (unsigned long long)lo, (unsigned long long)hi, why ? " (" : "",
				   why ? why : "", why ? ")" : "", arg);
	*out = u;
	return 0;
}

/* Splits arg at sep into at most max fields, refusing empty ones (a doubled
 * or trailing separator) and arguments longer than cap - 1. */
static int split(const char *flag, const char *arg, char sep, char *buf, size_t cap,
		 char **field, size_t max, size_t *n, struct psp_err *err)
{
	size_t len = strlen(arg);
	if (len >= cap)
		return psp_err_set(err, -EINVAL, flag, NULL,
				   "argument of %zu characters is too long (at most %zu)", len, cap - 1);
	memcpy(buf, arg, len + 1);
	*n = 0;
	for (char *p = buf;;) {
		char *e = strchr(p, sep);
		if (e)
			*e = '\0';
		if (!*p)
			return psp_err_set(err, -EINVAL, flag, NULL,
					   "empty item in '%.64s' (a doubled, leading or trailing '%c')",
					   arg, sep);
		if (*n == max)
			return psp_err_set(err, -EINVAL, flag, NULL,
					   "more than %zu items in '%.64s'", max, arg);
		field[(*n)++] = p;
		if (!e)
			return 0;
		p = e + 1;
	}
}

static double round_load(double v)
{
	return round(v * 1e9) / 1e9;
}

static int parse_loads(const char *arg, struct sim_options *o, struct psp_err *err)
{
	char buf[4096], *field[SIM_MAX_LOADS];
	size_t n;
	o->nloads = 0;
	if (strchr(arg, ':')) {
		double from, to, step;
		if (split("--load", arg, ':', buf, sizeof(buf), field, 3, &n, err) < 0 || n != 3 ||
		    parse_double(field[0], &from) || parse_double(field[1], &to) ||
		    parse_double(field[2], &step))
			return bad(err, "--load", "range must be FROM:TO:STEP, got '%.64s'", arg);
		if (step <= 0 || to < from)
			return bad(err, "--load", "range '%.64s' needs STEP > 0 and TO >= FROM", arg);
		double count = floor((to - from) / step + 1e-9) + 1;
		if (!(count <= SIM_MAX_LOADS))
			return bad(err, "--load", "range '%.64s' has more than 256 points", arg);
		for (uint32_t i = 0; i < (uint32_t)count; i++)
			o->load[o->nloads++] = round_load(from + i * step);
		return 0;
	}
	if (split("--load", arg, ',', buf, sizeof(buf), field, SIM_MAX_LOADS, &n, err) < 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (parse_double(field[i], &o->load[o->nloads]))
			return bad(err, "--load", "not a number: '%.64s'", field[i]);
		o->load[o->nloads] = round_load(o->load[o->nloads]);
		o->nloads++;
	}
	return 0;
}

/* name is no policy: the error names flag, the nearest policy and all. */
static int unknown_policy(const char *flag, const char *name, struct psp_err *err)
{
	char known[256] = "";
	for (size_t j = 0; psp_policy_at(j); j++) {
		strcat(known, j ? ", " : "");
		strcat(known, psp_policy_at(j)->name);
	}
	char near[64];
	if (psp_suggest_in_list(name, known, near, sizeof(near)))
		return psp_err_set(err, -EINVAL, flag, NULL,
				   "unknown policy '%.64s' (did you mean '%s'?); known: %s", name, near,
				   known);
	return psp_err_set(err, -EINVAL, flag, NULL, "unknown policy '%.64s' (known: %s)", name,
			   known);
}

int sim_options_resolve_baseline(struct sim_options *o, struct psp_err *err)
{
	o->baseline = 0;
	if (o->compare_output && o->npolicies < 2)
		return psp_err_set(err, -EINVAL, "--compare-output", NULL,
				   "compares policies: give two or more in --policy (this run has "
				   "only %s)", o->policy[0]->name);
	if (!o->baseline_name)
		return 0;
	const struct psp_policy_ops *ops = psp_policy_find(o->baseline_name);
	if (!ops)
		return unknown_policy("--baseline", o->baseline_name, err);
	char list[256] = "";
	for (uint32_t p = 0; p < o->npolicies; p++) {
		if (o->policy[p] == ops) {
			o->baseline = p;
			return 0;
		}
		strcat(list, p ? "," : "");
		strcat(list, o->policy[p]->name);
	}
	return psp_err_set(err, -EINVAL, "--baseline", NULL,
			   "%s is not among the policies compared (--policy %s): the baseline "
			   "must be one of them", ops->name, list);
}

static int parse_policies(const char *arg, struct sim_options *o, struct psp_err *err)
{
	char buf[512], *field[SIM_MAX_POLICIES];
	size_t n;
	o->npolicies = 0;
	if (split("--policy", arg, ',', buf, sizeof(buf), field, SIM_MAX_POLICIES, &n, err) < 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		const struct psp_policy_ops *ops = psp_policy_find(field[i]);
		if (!ops)
			return unknown_policy("--policy", field[i], err);
		for (uint32_t j = 0; j < o->npolicies; j++)
			if (o->policy[j] == ops)
				return psp_err_set(err, -EINVAL, "--policy", NULL,
						   "%s is given twice in '%.64s'%s", ops->name, arg,
						   strcmp(field[i], ops->name) ? " (under an alias)" : "");
		o->policy[o->npolicies++] = ops;
	}
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
	o->detect_warmup = true;
	o->max_replications = SIM_PRECISION_DEFAULT_BUDGET;
	o->precision_stats = SIM_PRECISION_DEFAULT_STATS;
	o->phase_scale = 1.0;
	o->format = SIM_FORMAT_TABLE;
	o->series_ms = 100;
	o->seed = 1;
	o->replications = SIM_DEFAULT_REPLICATIONS;
	o->max_in_system = 10000000;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	o->jobs = cores > 0 ? (uint32_t)cores : 1;
	parse_loads("0.05:0.95:0.05", o, NULL);
}

void sim_options_apply_knobs(const struct sim_options *o, const struct psp_policy_ops *ops,
			     struct psp_policy_conf *conf)
{
	struct psp_param_value mine[SIM_MAX_KNOBS];
	size_t n = 0;
	for (uint32_t i = 0; i < o->nknobs; i++)
		if (psp_policy_has_param(ops, o->knob[i].param))
			mine[n++] = o->knob[i];
	struct psp_err err;
	int rc = psp_param_apply(conf, mine, n, &err);
	PSP_CHECK(rc == 0); /* values were checked by sim_options_parse */
}

/* Each knob must concern a selected policy, and its value must parse. */
static int check_knobs(struct sim_options *o, struct psp_err *err)
{
	struct psp_policy_conf *conf = psp_policy_conf_new(o->workers, 1);
	if (!conf)
		return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	int rc = psp_param_apply(conf, o->knob, o->nknobs, err);
	psp_policy_conf_free(conf);
	if (rc < 0) {
		const struct psp_param *prm = psp_param_find(err->key);
		if (prm) {
			sim_knob_flag(prm, err->where, sizeof(err->where));
			err->key[0] = '\0';
		}
		return rc;
	}
	for (uint32_t i = 0; i < o->nknobs && !o->list; i++) {
		const struct psp_param *prm = o->knob[i].param;
		char flag[64], ignored[256] = "", who[256];
		size_t len = 0;
		uint32_t users = 0;
		for (uint32_t p = 0; p < o->npolicies; p++) {
			if (psp_policy_has_param(o->policy[p], prm))
				users++;
			else if (len < sizeof(ignored))
				len += (size_t)snprintf(ignored + len, sizeof(ignored) - len, "%s%s",
							len ? ", " : "", o->policy[p]->name);
		}
		sim_knob_flag(prm, flag, sizeof(flag));
		if (users == 0)
			return psp_err_set(err, -EINVAL, flag, NULL,
					   "no selected policy reads it (read by: %s)",
					   readers(prm, who, sizeof(who)));
		if (users < o->npolicies)
			fprintf(stderr, "psp-sim: warning: %s is ignored by %s (read by: %s)\n", flag,
				ignored, readers(prm, who, sizeof(who)));
	}
	return 0;
}

static const char *flag_name(const struct option *opts, int c);

/* A flag getopt refused, with the nearest real one when it looks like a typo. */
static int unknown_option(const char *token, const struct option *opts, struct psp_err *err)
{
	char near[64];
	if (psp_suggest_option(token, opts, near, sizeof(near)))
		return psp_err_set(err, -EINVAL, token, NULL, "unknown option (did you mean %s?)",
				   near);
	return psp_err_set(err, -EINVAL, token, NULL, "unknown option");
}

/* The host's flags, then one per knob (names kept in a static table), then
 * the terminating zero entry. */
static void build_long_opts(struct option *long_opts)
{
	static char flags[MAX_PARAMS][64];
	size_t nopts = NHOST_OPTS;
	memcpy(long_opts, host_opts, sizeof(host_opts));
	for (size_t i = 0; psp_param_at(i) && i < MAX_PARAMS; i++) {
		sim_knob_flag(psp_param_at(i), flags[i], sizeof(flags[i]));
		long_opts[nopts++] = (struct option){
			.name = flags[i] + 2,
			.has_arg = psp_param_at(i)->kind == PSP_PARAM_BOOL ? optional_argument
									 : required_argument,
			.val = OPT_KNOB + (int)i,
		};
	}
	long_opts[nopts] = (struct option){0};
}

#define SHORT_OPTS ":w:p:k:l:n:s:o:j:r:h"

/* Whether token is --name as getopt_long reads it: the whole name, or a
 * prefix of it no other long option shares ("--fit" is --fit-system). */
static bool names_option(const char *token, const char *name, const struct option *opts)
{
	if (strncmp(token, "--", 2) != 0)
		return false;
	token += 2;
	size_t len = strcspn(token, "=");
	if (len == 0 || strncmp(token, name, len) != 0)
		return false;
	if (name[len] == '\0')
		return true;
	for (const struct option *o = opts; o->name; o++)
		if (strcmp(o->name, name) != 0 && strncmp(o->name, token, len) == 0)
			return false; /* ambiguous: getopt refuses it */
	return true;
}

/* Prints the items of list (separated by any of seps), one per line. */
static void print_items(FILE *out, const char *list, const char *seps)
{
	for (const char *a = list + strspn(list, seps); *a; a += strspn(a, seps)) {
		size_t n = strcspn(a, seps);
		fprintf(out, "%.*s\n", (int)n, a);
		a += n;
	}
}

/* --values FLAG: the values FLAG accepts, one per line, for the shell's
 * completion (dist/psp.bash-completion): policies and their aliases,
 * workload names, formats, a choice knob's choices.  A flag that takes free
 * text, a number or a path prints nothing. */
static int print_values(const char *flag, const struct option *opts, FILE *out,
			struct psp_err *err)
{
	const char *name = flag + strspn(flag, "-");
	if (!strcmp(flag, "-p"))
		name = "policy";
	else if (!strcmp(flag, "-w"))
		name = "workload";
	const struct option *o = opts;
	while (o->name && strcmp(o->name, name) != 0)
		o++;
	if (!o->name)
		return unknown_option(flag, opts, err);
	if (o->val == 'p' || o->val == OPT_BASELINE) {
		for (size_t i = 0; psp_policy_at(i); i++) {
			fprintf(out, "%s\n", psp_policy_at(i)->name);
			print_items(out, psp_policy_at(i)->aliases ? psp_policy_at(i)->aliases : "", ",");
		}
	} else if (o->val == 'w') {
		char names[4096];
		psp_workload_list(names, sizeof(names));
		print_items(out, names, ", ");
	} else if (o->val == OPT_FORMAT) {
		for (size_t f = 0; f < NFORMATS; f++)
			fprintf(out, "%s\n", format_names[f]);
	} else if (o->val == OPT_WARMUP) {
		fprintf(out, "mser\n"); /* or a number */
	} else if (o->val == OPT_PRECISION_STATS) {
		for (int k = 0; k < SIM_NSTATS; k++)
			if (sim_precision_stat_name(k))
				fprintf(out, "%s\n", sim_precision_stat_name(k));
	} else if (o->val >= OPT_KNOB &&
		   psp_param_at((size_t)(o->val - OPT_KNOB))->kind == PSP_PARAM_CHOICE) {
		print_items(out, psp_param_at((size_t)(o->val - OPT_KNOB))->choices, ",");
	}
	return 0;
}

int sim_options_scan(int argc, char **argv, int (*visit)(void *ctx, const char *flag,
							  const char *token),
		     void *ctx, struct psp_err *err)
{
	struct option long_opts[NHOST_OPTS + MAX_PARAMS + 1];
	build_long_opts(long_opts);
	char **copy = malloc(((size_t)argc + 1) * sizeof(*copy)); /* getopt permutes */
	if (!copy)
		return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	memcpy(copy, argv, (size_t)argc * sizeof(*copy));
	copy[argc] = NULL;
	psp_err_clear(err);
	optind = 0;
	opterr = 0;
	int c, rc = 0;
	while (rc == 0 && (c = getopt_long(argc, copy, SHORT_OPTS, long_opts, NULL)) != -1) {
		/* the flag's own token: the one before a value given apart */
		const char *token = copy[optind - 1];
		if (optarg && optarg == copy[optind - 1] && optind >= 2)
			token = copy[optind - 2];
		if (c == ':')
			rc = psp_err_set(err, -EINVAL, token, NULL, "needs a value");
		else if (c == '?')
			rc = unknown_option(token, long_opts, err);
		else
			rc = visit(ctx, flag_name(long_opts, c), token);
	}
	if (rc == 0 && optind < argc)
		rc = psp_err_set(err, -EINVAL, copy[optind], NULL,
				 "unexpected argument (not a flag, nor a flag's value)");
	free(copy);
	optind = 0;
	return rc;
}

/* Records knob prm = value; a knob given twice keeps the last value. */
static int add_knob(struct sim_options *o, const struct psp_param *prm, const char *value,
		    struct psp_err *err)
{
	for (uint32_t i = 0; i < o->nknobs; i++)
		if (o->knob[i].param == prm) {
			o->knob[i].value = value;
			return 0;
		}
	if (o->nknobs == SIM_MAX_KNOBS)
		return psp_err_set(err, -EINVAL, NULL, prm->name, "too many knobs");
	o->knob[o->nknobs++] = (struct psp_param_value){.param = prm, .value = value};
	return 0;
}

/* "--requests" for option value c ("-n" is never what the user needs to
 * see: the long name is in the help). */
static const char *flag_name(const struct option *opts, int c)
{
	static char name[MAX_PARAMS + NHOST_OPTS][64];
	for (size_t i = 0; opts[i].name; i++)
		if (opts[i].val == c) {
			snprintf(name[i], sizeof(name[i]), "--%s", opts[i].name);
			return name[i];
		}
	return "?";
}

/* Whether flag c changes the results (the others choose where and how they
 * are printed, or how many threads compute them). */
static bool shapes_results(int c)
{
	switch (c) {
	case 'o': case 'j': case 'h': case OPT_VERSION: case OPT_FORMAT: case OPT_SLO_OUTPUT:
	case OPT_VALUES: case OPT_FIT_SYSTEM: case OPT_BASELINE: case OPT_COMPARE_OUTPUT:
	case OPT_PROGRESS:
	case OPT_LIST: case OPT_QUIET: case OPT_MERGE: case ':': case '?':
		return false;
	default:
		return true;
	}
}

static int parse_shard(const char *arg, struct sim_options *o, struct psp_err *err)
{
	unsigned long long i, n;
	char tail;
	if (sscanf(arg, "%llu/%llu%c", &i, &n, &tail) != 2 || strchr(arg, '-') || strchr(arg, '+') ||
	    i < 1 || n > SIM_MAX_SHARDS || i > n)
		return bad(err, "--shard", "must be I/N with 1 <= I <= N <= 100000, got '%.64s'", arg);
	o->shard = (uint32_t)i;
	o->nshards = (uint32_t)n;
	return 0;
}

/* Appends printf-style text to buf (at *len); -ENOSPC when full. */
static int append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *len)
		return -ENOSPC;
	*len += (size_t)n;
	return 0;
}

/* The shortest "%.Ng" that reads back as v. */
static const char *exact(double v, char *buf, size_t cap)
{
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(buf, cap, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return buf;
}

int sim_options_run_flags(const struct sim_options *o, char *buf, size_t cap,
			  struct psp_err *err)
{
	char a[32], b[32];
	size_t len = 0;
	int rc = append(buf, cap, &len, "--policy ");
	for (uint32_t p = 0; p < o->npolicies && rc == 0; p++)
		rc = append(buf, cap, &len, "%s%s", p ? "," : "", o->policy[p]->name);
	rc = rc ? rc : append(buf, cap, &len, " --workers %u --load ", o->workers);
	for (uint32_t l = 0; l < o->nloads && rc == 0; l++)
		rc = append(buf, cap, &len, "%s%s", l ? "," : "", exact(o->load[l], a, sizeof(a)));
	rc = rc ? rc : append(buf, cap, &len,
			      " --requests %llu%s%s --phase-scale %s --replications %u"
			      " --seed %llu --dispatch-cost-ns %llu --max-in-system %llu",
			      (unsigned long long)o->requests, " --warmup ",
			      o->detect_warmup ? "mser" : exact(o->warmup, a, sizeof(a)),
			      exact(o->phase_scale, b, sizeof(b)), o->replications,
			      (unsigned long long)o->seed, (unsigned long long)o->dispatch_cost_ns,
			      (unsigned long long)o->max_in_system);
	if (rc == 0 && o->slo > 0)
		rc = append(buf, cap, &len, " --slo %s", exact(o->slo, a, sizeof(a)));
	if (rc == 0 && o->no_capacity)
		rc = append(buf, cap, &len, " --no-capacity");
	if (rc == 0 && o->allow_overload)
		rc = append(buf, cap, &len, " --allow-overload");
	/* Knobs in the table's order, so the order they were given in does not
	 * make two runs differ. */
	for (size_t i = 0; psp_param_at(i) && rc == 0; i++) {
		uint32_t k = 0;
		while (k < o->nknobs && o->knob[k].param != psp_param_at(i))
			k++;
		if (k == o->nknobs)
			continue;
		char flag[64];
		const char *v = o->knob[k].value;
		if (strpbrk(v, " \t\n") || !*v)
			return psp_err_set(err, -EINVAL, sim_knob_flag(o->knob[k].param, flag, sizeof(flag)),
					   NULL, "a sharded run's knob values cannot be empty or hold "
					   "spaces, got '%.64s'", v);
		/* a flag's optional value (a boolean knob's) must be attached */
		rc = append(buf, cap, &len, " %s%s%s", sim_knob_flag(o->knob[k].param, flag, sizeof(flag)),
			    o->knob[k].param->kind == PSP_PARAM_BOOL ? "=" : " ", v);
	}
	if (rc < 0)
		return psp_err_set(err, rc, NULL, NULL, "the run's flags exceed %zu characters", cap);
	return 0;
}

/* --trace and --per-request: what they exclude, and their one replication. */
static int check_single_point(struct sim_options *o, struct psp_err *err)
{
	const char *flag = o->trace ? "--trace" : "--per-request";
	if (!o->trace && !o->per_request)
		return 0;
	if (o->shard)
		return psp_err_set(err, -EINVAL, flag, NULL,
				   "not with --shard: %s", o->trace ? "a shard file names its workload, "
				   "not a trace; replay it unsharded" : "a shard file holds no "
				   "per-request record; run it unsharded");
	if (o->replications_given && o->replications > 1)
		return psp_err_set(err, -EINVAL, "--replications", NULL,
				   "%s takes one replication: %s", flag, o->trace
				   ? "a trace is one sample, and every replication would replay the "
				     "same arrivals and service times"
				   : "the file holds the requests of one run");
	o->replications = 1;
	if (o->trace && o->requests_given)
		return psp_err_set(err, -EINVAL, "--requests", NULL,
				   "not with --trace: the trace's rows are the requests");
	if (o->trace && o->phase_scale != 1.0)
		return psp_err_set(err, -EINVAL, "--phase-scale", NULL,
				   "not with --trace: a replay has no phases (--load scales the "
				   "trace's inter-arrival times)");
	if (o->per_request && o->npolicies > 1)
		return psp_err_set(err, -EINVAL, "--per-request", NULL,
				   "writes the requests of one run: give one --policy, not %u",
				   o->npolicies);
	if (o->per_request && o->loads_given && o->nloads > 1)
		return psp_err_set(err, -EINVAL, "--per-request", NULL,
				   "writes the requests of one run: give one --load, not %u",
				   o->nloads);
	if (o->per_request && !o->trace && !o->loads_given)
		return psp_err_set(err, -EINVAL, "--per-request", NULL,
				   "writes the requests of one run: give one --load");
	for (uint32_t i = 0; o->per_request && i < o->npolicies; i++)
		if (o->policy[i]->props.flags & PSP_POLICY_MODEL_ONLY)
			return psp_err_set(err, -EINVAL, "--per-request", NULL,
					   "%s is a bound (model only): it serves requests at shares "
					   "of the cores, with no worker or start time to write",
					   o->policy[i]->name);
	return 0;
}

/* Checks across flags, once all are read. */
/* --precision, its budget and statistics, and --batches: what they need and
 * exclude. */
static int check_stopping(struct sim_options *o, struct psp_err *err)
{
	if (!o->precision && (o->precision_stats_given || o->max_replications_given))
		return psp_err_set(err, -EINVAL, o->precision_stats_given ? "--precision-stats"
									   : "--max-replications",
				   NULL, "only with --precision REL");
	const char *flag = o->precision ? "--precision" : "--batches";
	if (o->precision && o->batches)
		return psp_err_set(err, -EINVAL, "--batches", NULL,
				   "not with --precision: batch means cut one run of fixed length");
	if (o->batches && o->replications_given)
		return psp_err_set(err, -EINVAL, "--batches", NULL,
				   "not with --replications: the batches of one run stand for them");
	if (!o->precision && !o->batches)
		return 0;
	if (o->trace || o->per_request)
		return psp_err_set(err, -EINVAL, flag, NULL, "not with %s: it takes one replication",
				   o->trace ? "--trace" : "--per-request");
	if (o->shard)
		return psp_err_set(err, -EINVAL, flag, NULL,
				   "not with --shard: a sharded run fixes its units before it starts");
	if (o->precision && (o->timeline || o->series))
		return psp_err_set(err, -EINVAL, o->timeline ? "--timeline" : "--series", NULL,
				   "not with --precision: they show replication 0, the same without "
				   "it (run them without --precision)");
	if (o->precision && o->max_replications < o->replications)
		return psp_err_set(err, -EINVAL, "--max-replications", NULL,
				   "%u is below --replications %u, where --precision starts",
				   o->max_replications, o->replications);
	if (o->batches)
		o->replications = o->batches; /* the points' arrays hold the batches */
	return 0;
}

static int check_options(struct sim_options *o, struct psp_err *err)
{
	if (o->verify && !(o->shard && o->output))
		return psp_err_set(err, -EINVAL, "--verify", NULL,
				   "needs --shard I/N and --output FILE (the shard to check)");
	if (o->shard && (o->timeline || o->series))
		return psp_err_set(err, -EINVAL, o->timeline ? "--timeline" : "--series", NULL,
				   "not available with --shard (a shard file holds no per-event "
				   "record; run it unsharded)");
	if (o->shard && o->system)
		return psp_err_set(err, -EINVAL, "--system", NULL,
				   "not with --shard: a shard file does not carry a system (run it "
				   "unsharded)");
	if (o->progress && o->quiet)
		return psp_err_set(err, -EINVAL, "--progress", NULL,
				   "and --quiet contradict each other: give one");
	if (o->shard && (o->compare_output || o->baseline_name))
		return psp_err_set(err, -EINVAL, o->compare_output ? "--compare-output" : "--baseline",
				   NULL, "not with --shard: a shard file holds results, not "
				   "comparisons (give it to --merge)");
	if (!o->list && !o->workload && !o->trace)
		return psp_err_set(err, -EINVAL, "--workload", NULL,
				   "is required, unless --trace gives the requests (try --list)");
	int rc = check_single_point(o, err);
	if (rc < 0)
		return rc;
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
	rc = check_knobs(o, err);
	if (rc < 0)
		return rc;
	rc = sim_options_resolve_baseline(o, err);
	if (rc < 0)
		return rc;
	if (o->slo != 0 && !(o->slo >= 1))
		return psp_err_set(err, -EINVAL, "--slo", NULL,
				   "a p99.9 slowdown bound must be >= 1, got %g", o->slo);
	return check_stopping(o, err);
}

int sim_options_parse(int argc, char **argv, struct sim_options *o, struct psp_err *err)
{
	set_defaults(o);
	psp_err_clear(err);
	optind = 0; /* glibc: 0 also resets getopt's state inside a cluster (-kX) */
	opterr = 0;
	int c;
	uint64_t u;
	double d;
	struct option long_opts[NHOST_OPTS + MAX_PARAMS + 1];
	build_long_opts(long_opts);
	/* With --merge anywhere, a flag that shapes results is refused before
	 * its value is judged. */
	bool merging = false, fitting = false;
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		merging |= names_option(argv[i], "merge", long_opts);
		fitting |= names_option(argv[i], "fit-system", long_opts);
	}
	while ((c = getopt_long(argc, argv, SHORT_OPTS, long_opts, NULL)) != -1) {
		const char *arg = optarg;
		int rc = 0;
		if (!o->run_flag && shapes_results(c))
			o->run_flag = flag_name(long_opts, c);
		if (merging && o->run_flag)
			return psp_err_set(err, -EINVAL, o->run_flag, NULL,
					   "not with --merge: the shard files carry the run's flags "
					   "(--merge takes only --format, --output, --slo-output, "
					   "--compare-output, --baseline, --quiet, --progress)");
		if (fitting && (o->run_flag || c == OPT_FORMAT || c == OPT_SLO_OUTPUT ||
				c == OPT_MERGE || c == OPT_LIST || c == OPT_BASELINE ||
				c == OPT_COMPARE_OUTPUT))
			return psp_err_set(err, -EINVAL, flag_name(long_opts, c), NULL,
					   "not with --fit-system (it takes only --output and --quiet)");
		switch (c) {
		case 'w':
			if (o->workload)
				return psp_err_set(err, -EINVAL, "--workload", NULL,
						   "given twice ('%.64s', then '%.64s'); psp-sim runs one "
						   "workload", o->workload, arg);
			o->workload = arg;
			break;
		case 'p': rc = parse_policies(arg, o, err); break;
		case 'k':
			if ((rc = parse_count("--workers", arg, 1, PSP_MAX_WORKERS,
					      "the policy core's limit, PSP_MAX_WORKERS", &u, err)))
				return rc;
			o->workers = (uint32_t)u;
			o->workers_given = true;
			break;
		case 'l':
			rc = parse_loads(arg, o, err);
			o->loads_given = true;
			break;
		case 'n':
			if ((rc = parse_count("--requests", arg, SIM_MIN_MEASURED, SIM_MAX_REQUESTS,
					      "at least 100 measured; psp-sim simulates about 10 M "
					      "requests/s, so more would take hours per point", &u, err)))
				return rc;
			o->requests = u;
			o->requests_given = true;
			break;
		case 's':
			if ((rc = parse_count("--seed", arg, 0, UINT64_MAX, NULL, &u, err)))
				return rc;
			o->seed = u;
			break;
		case 'o': o->output = arg; break;
		case 'r':
			if ((rc = parse_count("--replications", arg, 1, SIM_MAX_REPLICATIONS,
					      NULL, &u, err)))
				return rc;
			o->replications = (uint32_t)u;
			o->replications_given = true;
			break;
		case OPT_SLO_OUTPUT: o->slo_output = arg; break;
		case OPT_NO_CAPACITY: o->no_capacity = true; break;
		case 'j':
			if ((rc = parse_count("--jobs", arg, 1, 1024, NULL, &u, err)))
				return rc;
			o->jobs = (uint32_t)u;
			break;
		case 'h': sim_options_usage(stdout); return 1;
		case OPT_VERSION: printf("psp-sim %s\n", PSP_VERSION); return 1;
		case OPT_WARMUP:
			if (!strcmp(arg, "mser")) { /* the default, spelt out */
				o->warmup = 0.1;
				o->detect_warmup = true;
				break;
			}
			if (parse_double(arg, &d) || d < 0 || d >= 1)
				return bad(err, "--warmup", "must be mser or a fraction in [0, 1), got '%.64s'",
					   arg);
			o->warmup = d;
			o->detect_warmup = false;
			break;
		case OPT_PHASE_SCALE:
			if (parse_double(arg, &d) || d <= 0 || d > 1000)
				return bad(err, "--phase-scale", "must be in (0, 1000], got '%.64s'", arg);
			o->phase_scale = d;
			break;
		case OPT_FORMAT: {
			size_t f = 0;
			while (f < NFORMATS && strcmp(arg, format_names[f]) != 0)
				f++;
			if (f == NFORMATS)
				return bad(err, "--format", "must be table, csv or json, got '%.64s'", arg);
			o->format = (enum sim_format)f;
			break;
		}
		case OPT_VALUES:
			return print_values(arg, long_opts, stdout, err) < 0 ? -EINVAL : 1;
		case OPT_DISPATCH_COST:
			if ((rc = parse_count("--dispatch-cost-ns", arg, 0, 1000000000,
					      "ns", &u, err)))
				return rc;
			o->dispatch_cost_ns = u;
			break;
		case OPT_SLO:
			if (parse_double(arg, &d))
				return bad(err, "--slo", "not a finite number: '%.64s'", arg);
			if (d > 1e9)
				return bad(err, "--slo", "a p99.9 slowdown bound must be at most 1e9, got '%.64s'", arg);
			o->slo = d;
			break;
		case OPT_LIST: o->list = true; break;
		case OPT_TIMELINE: o->timeline = arg; break;
		case OPT_SERIES: o->series = arg; break;
		case OPT_SERIES_MS:
			if (parse_double(arg, &d) || d < 0.001 || d > 1e9)
				return bad(err, "--series-ms", "must be in [0.001, 1e9] ms, got '%.64s'", arg);
			o->series_ms = d;
			break;
		case OPT_ALLOW_OVERLOAD: o->allow_overload = true; break;
		case OPT_MAX_IN_SYSTEM:
			if ((rc = parse_count("--max-in-system", arg, 1, UINT64_MAX, NULL, &u, err)))
				return rc;
			o->max_in_system = u;
			break;
		case OPT_QUIET: o->quiet = true; break;
		case OPT_PROGRESS: o->progress = true; break;
		case OPT_BASELINE: o->baseline_name = arg; break;
		case OPT_COMPARE_OUTPUT: o->compare_output = arg; break;
		case OPT_SHARD: rc = parse_shard(arg, o, err); break;
		case OPT_MERGE: o->merge = true; break;
		case OPT_VERIFY: o->verify = true; break;
		case OPT_TRACE: o->trace = arg; break;
		case OPT_PER_REQUEST: o->per_request = arg; break;
		case OPT_SYSTEM: o->system = arg; break;
		case OPT_FIT_SYSTEM: o->fit = true; break;
		case OPT_PRECISION:
			if (parse_double(arg, &d) || !(d > 0 && d < 1))
				return bad(err, "--precision", "must be a relative half-width in (0, 1), "
					   "e.g. 0.05, got '%.64s'", arg);
			o->precision = d;
			break;
		case OPT_PRECISION_STATS:
			rc = sim_precision_parse_stats(arg, &o->precision_stats, err);
			o->precision_stats_given = true;
			break;
		case OPT_MAX_REPLICATIONS:
			if ((rc = parse_count("--max-replications", arg, 1, SIM_MAX_REPLICATIONS, NULL,
					      &u, err)))
				return rc;
			o->max_replications = (uint32_t)u;
			o->max_replications_given = true;
			break;
		case OPT_BATCHES:
			if ((rc = parse_count("--batches", arg, 2, SIM_MAX_BATCHES, NULL, &u, err)))
				return rc;
			o->batches = (uint32_t)u;
			break;
		case ':':
			return psp_err_set(err, -EINVAL, argv[optind - 1], NULL, "needs a value");
		default:
			if (c >= OPT_KNOB && c < OPT_KNOB + (int)MAX_PARAMS) {
				const struct psp_param *prm = psp_param_at((size_t)(c - OPT_KNOB));
				rc = add_knob(o, prm, arg ? arg : "true", err);
				break;
			}
			return unknown_option(argv[optind - 1], long_opts, err);
		}
		if (rc < 0)
			return rc;
	}
	if (o->fit) {
		if (optind == argc)
			return psp_err_set(err, -EINVAL, "--fit-system", NULL,
					   "needs psp-engine trace files");
		o->merge_file = argv + optind;
		o->nmerge = (uint32_t)(argc - optind);
		return 0;
	}
	if (o->merge) {
		if (optind == argc)
			return psp_err_set(err, -EINVAL, "--merge", NULL, "needs shard files");
		o->merge_file = argv + optind;
		o->nmerge = (uint32_t)(argc - optind);
		return 0;
	}
	if (optind < argc)
		return psp_err_set(err, -EINVAL, argv[optind], NULL,
				   "unexpected argument (options start with --)");
	return check_options(o, err);
}
