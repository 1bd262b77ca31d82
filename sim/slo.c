#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "slo.h"

static bool passes(const struct sim_result *res, double slo)
{
	double p999 = (double)psp_hist_quantile(&res->slow[res->ntypes], 0.999) /
		      SIM_SLOWDOWN_SCALE;
	return !res->overloaded && p999 <= slo;
}

int sim_slo_search(const struct sim_setup *setup, double slo, uint32_t width,
		   double *best_load, struct sim_result *best, struct psp_err *err)
{
	double lo = 0, hi = 1;
	*best_load = -1;
	memset(best, 0, sizeof(*best));
	if (width < 2)
		width = 2;
	struct sim_job *jobs = calloc(width, sizeof(*jobs));
	if (!jobs)
		return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	int rc = 0;
	while (hi - lo >= 0.005) {
		for (uint32_t i = 0; i < width; i++) {
			jobs[i] = (struct sim_job){.setup = setup};
			/* rounded to 1e-4 so a search revisits the seeds of a sweep */
			jobs[i].load = round((lo + (hi - lo) * (i + 1) / (width + 1)) * 1e4) / 1e4;
		}
		rc = sim_sweep_run(jobs, width, width, false, 0);
		uint32_t first_fail = width;
		for (uint32_t i = 0; i < width && rc == 0; i++) {
			if (!passes(&jobs[i].res, slo)) {
				first_fail = i;
				break;
			}
		}
		if (rc == 0) {
			double new_lo = first_fail > 0 ? jobs[first_fail - 1].load : lo;
			double new_hi = first_fail < width ? jobs[first_fail].load : hi;
			if (first_fail > 0) {
				sim_result_free(best);
				*best = jobs[first_fail - 1].res;
				memset(&jobs[first_fail - 1].res, 0, sizeof(jobs[0].res));
				*best_load = new_lo;
			}
			lo = new_lo;
			hi = new_hi;
		} else {
			for (uint32_t i = 0; i < width; i++)
				if (jobs[i].rc < 0 && err)
					*err = jobs[i].err;
		}
		for (uint32_t i = 0; i < width; i++)
			sim_result_free(&jobs[i].res);
		if (rc < 0 || lo + 1e-4 >= hi)
			break;
	}
	free(jobs);
	return rc;
}
