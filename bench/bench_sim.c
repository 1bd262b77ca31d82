/* Simulator throughput and memory: simulated requests per second on one
 * core, and peak RSS, for a policy on a workload at one load.  The rate is
 * taken over the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), which a busy
 * shared machine disturbs less than the wall clock; both are printed.
 *
 *   build/bin/bench-sim [REQUESTS [LOAD [WORKLOAD [POLICY...]]]]
 *   default: 20000000 requests, load 0.9, high-bimodal, cfcfs darc
 *
 * Figures go to stdout, one line per policy.  Not a test: nothing is
 * asserted here; the closing notes quote what it prints. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include <psp/workload.h>

#include "run.h"

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
		printf("%-7s %8.2f M requests/s  %6.1f ns/request  %6.2f events/request  "
		       "cpu %.2f s  wall %.2f s  max RSS %.1f MB\n",
		       name, (double)res.completed / cpu_s / 1e6,
		       cpu_s * 1e9 / (double)res.completed,
		       (double)res.events / (double)res.completed, cpu_s, res.wall_s,
		       max_rss_kib() / 1024.0);
		sim_result_free(&res);
	}
	return 0;
}
