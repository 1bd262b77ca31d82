#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include <psp/hist.h>

#include "point.h"

struct sim_est sim_est_of(const double *v, uint32_t n)
{
	double mean = 0;
	for (uint32_t i = 0; i < n; i++)
		mean += v[i];
	mean /= n;
	if (n < 2)
		return (struct sim_est){mean, NAN};
	double ss = 0;
	for (uint32_t i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	double sd = sqrt(ss / (n - 1));
	return (struct sim_est){mean, gsl_cdf_tdist_Pinv(0.975, n - 1) * sd / sqrt((double)n)};
}

void sim_point_from(struct sim_point *pt, const struct sim_result *reps, uint32_t n)
{
	memset(pt, 0, sizeof(*pt));
	const struct sim_result *r0 = &reps[0];
	pt->load = r0->load;
	pt->reps = n;
	pt->ntypes = r0->ntypes;
	snprintf(pt->reservation, sizeof(pt->reservation), "%s", r0->reservation);
	double offered = 0, achieved = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct sim_result *r = &reps[i];
		offered += r->offered_rps / n;
		achieved += r->achieved_rps / n;
		pt->overloaded_reps += r->overloaded;
		pt->growing_types |= r->growing_types;
		pt->dropped += r->dropped;
		pt->preemptions += r->preemptions;
		pt->steals += r->steals;
		pt->measured += r->measured;
	}
	pt->offered_rps = offered;
	pt->achieved_rps = achieved;
	pt->overloaded = pt->overloaded_reps > 0;
	pt->judged = true;
	for (uint32_t i = 0; i < n; i++)
		pt->judged &= (reps[i].judged_types >> reps[i].ntypes) & 1u;
	pt->reservations_min = UINT32_MAX;
	for (uint32_t i = 0; i < n; i++)
		if (reps[i].reservations < pt->reservations_min)
			pt->reservations_min = reps[i].reservations;
	PSP_ASSERT(n >= 1 && n <= SIM_MAX_REPLICATIONS);
	double v[7][SIM_MAX_REPLICATIONS]; /* 56 KB: the statistics, by replication */
	for (uint32_t t = 0; t <= pt->ntypes; t++) {
		struct sim_row *row = &pt->row[t];
		for (uint32_t i = 0; i < n; i++) {
			const struct psp_hist *lat = &reps[i].lat[t], *slow = &reps[i].slow[t];
			row->count += lat->count;
			v[0][i] = psp_hist_mean(lat) / 1e3;
			v[1][i] = (double)psp_hist_quantile(lat, 0.5) / 1e3;
			v[2][i] = (double)psp_hist_quantile(lat, 0.99) / 1e3;
			v[3][i] = (double)psp_hist_quantile(lat, 0.999) / 1e3;
			v[4][i] = (double)psp_hist_quantile(slow, 0.999) / SIM_SLOWDOWN_SCALE;
			v[5][i] = psp_hist_mean(slow) / SIM_SLOWDOWN_SCALE;
			v[6][i] = reps[i].growth_per_s[t];
		}
		row->mean_us = sim_est_of(v[0], n);
		row->p50_us = sim_est_of(v[1], n);
		row->p99_us = sim_est_of(v[2], n);
		row->p999_us = sim_est_of(v[3], n);
		row->p999_slow = sim_est_of(v[4], n);
		row->mean_slow = sim_est_of(v[5], n);
		row->growth_per_s = sim_est_of(v[6], n);
		row->growing = (pt->growing_types >> t) & 1u;
	}
}
