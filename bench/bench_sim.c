/* Simulator throughput and memory: simulated requests per second on one
 * core, and peak RSS, for a policy on a workload at one load.  The rate is
 * taken over the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), which a busy
 * shared machine disturbs less than the wall clock; both are printed.
 *
 *   build/bin/bench-sim [REQUESTS [LOAD [WORKLOAD [POLICY...]]]]
 *   default: 20000000 requests, load 0.9, high-bimodal, cfcfs darc
 *
 * Figures go to stdout, one line per policy.  On the benchmark's own
 * conditions (high-bimodal at load 0.9) each line ends with the policy's
 * throughput target and whether this run met it.  Not a test: nothing is
 * asserted here; docs/benchmarks.md quotes what it prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <psp/workload.h>

#include "run.h"

/* The throughput targets, M simulated requests per CPU second on one core,
 * for high-bimodal at load 0.9 with 14 workers: 25 for c-FCFS, 20 for the
 * other non-preemptive policies and for the preemptive ones DARC is weighed
 * against, 10 for time sharing at its 5 us quantum. */
#define TARGET_WORKLOAD "high-bimodal"
#define TARGET_LOAD 0.9
static const struct {
	const char *policy;
	double mrps;
} targets[] = {
	{"cfcfs", 25}, {"darc", 20}, {"dfcfs", 20}, {"sjf", 20}, {"jbsq", 20},
	{"ws", 20},    {"tq", 20},   {"concord", 20}, {"ts", 10},
};

/* The policy's target in M requests/s, or 0 when it has none. */
static double target_mrps(const struct psp_policy_ops *ops)
{
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (strcmp(targets[i].policy, ops->name) == 0)
			return targets[i].mrps;
	return 0;
}

static double thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static long max_rss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	uint64_t requests = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000000;
	double load = argc > 2 ? atof(argv[2]) : 0.9;
	const char *wlname = argc > 3 ? argv[3] : "high-bimodal";
	const char *defaults[] = {"cfcfs", "darc"};
	int npol = argc > 4 ? argc - 4 : 2;

	static struct psp_workload wl;
	struct psp_err err;
	if (psp_workload_load(wlname, &wl, &err) < 0) {
		char buf[512];
		fprintf(stderr, "bench-sim: %s\n", psp_err_format(&err, buf, sizeof(buf)));
		return 2;
	}
	printf("# bench-sim: %s, 14 workers, load %.2f, %llu requests, one thread\n", wl.name,
	       load, (unsigned long long)requests);
	bool target_conditions = strcmp(wl.name, TARGET_WORKLOAD) == 0 && load == TARGET_LOAD;
	for (int i = 0; i < npol; i++) {
		const char *name = argc > 4 ? argv[4 + i] : defaults[i];
		const struct psp_policy_ops *ops = psp_policy_find(name);
		if (!ops) {
			fprintf(stderr, "bench-sim: unknown policy %s\n", name);
			return 2;
		}
		struct sim_setup setup;
		sim_setup_default(&setup, &wl, ops, 14);
		setup.requests = requests;
		struct sim_result res;
		double cpu0 = thread_cpu_s();
		int rc = sim_run(&setup, load, &res, &err);
		double cpu_s = thread_cpu_s() - cpu0;
		if (rc < 0) {
			char buf[512];
			fprintf(stderr, "bench-sim: %s\n", psp_err_format(&err, buf, sizeof(buf)));
			return 1;
		}
		double mrps = (double)res.completed / cpu_s / 1e6, target = target_mrps(ops);
		printf("%-7s %8.2f M requests/s  %6.1f ns/request  %6.2f events/request  "
		       "cpu %.2f s  wall %.2f s  max RSS %.1f MB",
		       name, mrps, cpu_s * 1e9 / (double)res.completed,
		       (double)res.events / (double)res.completed, cpu_s, res.wall_s,
		       max_rss_kib() / 1024.0);
		if (target_conditions && target > 0)
			printf("  target %.0f M/s: %s", target, mrps >= target ? "met" : "not met");
		printf("\n");
		sim_result_free(&res);
	}
	return 0;
}
