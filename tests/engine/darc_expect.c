/* Prints the reservation psp_darc_plan() makes for a workload's nominal means
 * and ratios (its first phase) at a worker count, in the columns of
 * darc-timeline.csv without time_ns: group,types,reserved_cores,
 * stealable_cores.  The engine's DARC test compares its last reservation
 * with this, so it does not depend on psp-sim's timing.
 *
 *   darc_expect WORKLOAD WORKERS [DELTA]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psp/darc.h>
#include <psp/workload.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: darc_expect WORKLOAD WORKERS [DELTA]\n");
		return 2;
	}
	static struct psp_workload wl;
	struct psp_err err;
	char buf[600];
	if (psp_workload_load(argv[1], &wl, &err) < 0) {
		fprintf(stderr, "darc_expect: %s\n", psp_err_format(&err, buf, sizeof(buf)));
		return 2;
	}
	uint32_t w = (uint32_t)strtoul(argv[2], NULL, 10);
	double delta = argc > 3 ? strtod(argv[3], NULL) : 0.2;
	double mean_ns[PSP_MAX_TYPES], ratio[PSP_MAX_TYPES];
	const char *names[PSP_MAX_TYPES];
	for (uint32_t t = 0; t < wl.ntypes; t++) {
		mean_ns[t] = psp_dist_mean_us(&wl.phase[0].service[t]) * 1e3;
		ratio[t] = wl.phase[0].ratio[t];
		names[t] = wl.type_name[t];
	}
	struct psp_darc_plan plan;
	if (psp_darc_plan(&plan, w, wl.ntypes, mean_ns, ratio, delta, true) < 0) {
		fprintf(stderr, "darc_expect: psp_darc_plan refused %u workers\n", w);
		return 2;
	}
	/* The timeline's columns after time_ns: group,types,reserved,stealable */
	for (uint32_t g = 0; g < plan.ngroups; g++) {
		char row[512];
		psp_darc_timeline_row(&plan, g, 0, names, row, sizeof(row));
		printf("%s\n", strchr(row, ',') + 1);
	}
	psp_darc_plan_format(&plan, names, buf, sizeof(buf));
	fprintf(stderr, "DARC: %s\n", buf);
	return 0;
}
