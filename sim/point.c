#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include <psp/hist.h>

#include "point.h"

struct sim_est sim_est_mean(const double *v, uint32_t n)
{
	double mean = 0;
	for (uint32_t i = 0; i < n; i++)
		mean += v[i];
	mean /= n;
	if (n < 2)
		return (struct sim_est){mean, NAN, NAN, false};
	double ss = 0;
	for (uint32_t i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	double half = gsl_cdf_tdist_Pinv(0.975, n - 1) * sqrt(ss / (n - 1)) / sqrt((double)n);
	return (struct sim_est){mean, mean - half, mean + half, false};
}

double sim_median_ci_coverage(uint32_t n, uint32_t j)
{
	PSP_ASSERT(j >= 1 && 2 * j <= n);
	/* P(B <= j - 1) below the interval, the same above it by symmetry */
	return 1 - 2 * gsl_cdf_binomial_P(j - 1, 0.5, n);
}

uint32_t sim_median_ci_rank(uint32_t n)
{
	uint32_t j = 0; /* coverage falls as j grows: the largest j that keeps 95% */
	while (2 * (j + 1) <= n && sim_median_ci_coverage(n, j + 1) >= 0.95)
		j++;
	return j;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct sim_est sim_est_quantile(const double *v, uint32_t n)
{
	PSP_ASSERT(n >= 1 && n <= SIM_MAX_REPLICATIONS);
	double x[SIM_MAX_REPLICATIONS];
	memcpy(x, v, n * sizeof(*x));
	qsort(x, n, sizeof(*x), cmp_double);
	struct sim_est e = {x[(n + 1) / 2 - 1], NAN, NAN, true}; /* x(ceil(n/2)) */
	uint32_t j = sim_median_ci_rank(n);
	if (j) {
		e.lo = x[j - 1];
		e.hi = x[n - j];
	}
	return e;
}

void sim_rep_stats_of(struct sim_rep_stats *s, const struct sim_result *r)
{
	sim_rep_stats_of_window(s, r, r->lat, r->slow);
}

void sim_rep_stats_of_window(struct sim_rep_stats *s, const struct sim_result *r,
			     const struct psp_hist *lat_of, const struct psp_hist *slow_of)
{
	memset(s, 0, sizeof(*s));
	s->load = r->load;
	s->offered_rps = r->offered_rps;
	s->achieved_rps = r->achieved_rps;
	s->overloaded = r->overloaded;
	s->growing_types = r->growing_types;
	s->judged_types = r->judged_types;
	s->reservations = r->reservations;
	s->ntypes = r->ntypes;
	s->dropped = r->dropped;
	s->preemptions = r->preemptions;
	s->steals = r->steals;
	s->measured = r->measured;
	s->measured_from = r->window_first_id;
	s->profiled_arrivals = r->profiled_arrivals;
	s->warmup_fraction = r->warmup_fraction;
	s->warmup_settled = r->warmup_settled;
	s->batch = lat_of != r->lat;
	snprintf(s->reservation, sizeof(s->reservation), "%s", r->reservation);
	if (r->cores && r->completed) {
		double per = 1e3 * (double)r->completed; /* ns -> us per request */
		s->has_cpu = true;
		s->cpu_busy_us = (double)r->cpu_busy_ns / per;
		s->cpu_spin_us = (double)r->cpu_spin_ns / per;
		s->cpu_parked_us = (double)r->cpu_parked_ns / per;
	}
	for (uint32_t t = 0; t <= r->ntypes; t++) {
		const struct psp_hist *lat = &lat_of[t], *slow = &slow_of[t];
		double *v = s->stat[t];
		s->count[t] = lat->count;
		v[SIM_STAT_MEAN_US] = psp_hist_mean(lat) / 1e3;
		v[SIM_STAT_P50_US] = (double)psp_hist_quantile(lat, 0.5) / 1e3;
		v[SIM_STAT_P99_US] = (double)psp_hist_quantile(lat, 0.99) / 1e3;
		v[SIM_STAT_P999_US] = (double)psp_hist_quantile(lat, 0.999) / 1e3;
		v[SIM_STAT_P999_SLOW] = (double)psp_hist_quantile(slow, 0.999) / SIM_SLOWDOWN_SCALE;
		v[SIM_STAT_MEAN_SLOW] = psp_hist_mean(slow) / SIM_SLOWDOWN_SCALE;
		v[SIM_STAT_GROWTH_PER_S] = r->growth_per_s[t];
	}
}

void sim_point_from(struct sim_point *pt, const struct sim_rep_stats *reps, uint32_t n)
{
	memset(pt, 0, sizeof(*pt));
	const struct sim_rep_stats *r0 = &reps[0];
	pt->load = r0->load;
	pt->reps = n;
	pt->ntypes = r0->ntypes;
	snprintf(pt->reservation, sizeof(pt->reservation), "%s", r0->reservation);
	double offered = 0, achieved = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct sim_rep_stats *r = &reps[i];
		offered += r->offered_rps / n;
		achieved += r->achieved_rps / n;
		pt->overloaded_reps += r->overloaded;
		pt->growing_types |= r->growing_types;
		pt->dropped += r->dropped;
		pt->preemptions += r->preemptions;
		pt->steals += r->steals;
		pt->measured += r->measured;
		if (i == 0 || r->measured_from > pt->measured_from)
			pt->measured_from = r->measured_from;
		if (r->profiled_arrivals > pt->profiled_arrivals)
			pt->profiled_arrivals = r->profiled_arrivals;
		pt->warmup_fraction += r->warmup_fraction / n;
		pt->warmup_unsettled += !r->warmup_settled;
	}
	pt->batch_means = r0->batch;
	if (pt->batch_means) /* one run: its warm-up, not one per batch */
		pt->warmup_unsettled = !r0->warmup_settled;
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
	double v[SIM_NSTATS][SIM_MAX_REPLICATIONS]; /* 56 KB: the statistics, by replication */
	pt->has_cpu = r0->has_cpu;
	if (pt->has_cpu) {
		for (uint32_t i = 0; i < n; i++) {
			v[0][i] = reps[i].cpu_busy_us;
			v[1][i] = reps[i].cpu_spin_us;
			v[2][i] = reps[i].cpu_parked_us;
		}
		pt->cpu_busy_us = sim_est_mean(v[0], n);
		pt->cpu_spin_us = sim_est_mean(v[1], n);
		pt->cpu_parked_us = sim_est_mean(v[2], n);
	}
	for (uint32_t t = 0; t <= pt->ntypes; t++) {
		struct sim_row *row = &pt->row[t];
		for (uint32_t i = 0; i < n; i++) {
			row->count += reps[i].count[t];
			for (int k = 0; k < SIM_NSTATS; k++)
				v[k][i] = reps[i].stat[t][k];
		}
		row->mean_us = sim_est_mean(v[SIM_STAT_MEAN_US], n);
		row->p50_us = sim_est_quantile(v[SIM_STAT_P50_US], n);
		row->p99_us = sim_est_quantile(v[SIM_STAT_P99_US], n);
		row->p999_us = sim_est_quantile(v[SIM_STAT_P999_US], n);
		row->p999_slow = sim_est_quantile(v[SIM_STAT_P999_SLOW], n);
		row->mean_slow = sim_est_mean(v[SIM_STAT_MEAN_SLOW], n);
		row->growth_per_s = sim_est_mean(v[SIM_STAT_GROWTH_PER_S], n);
		row->growing = (pt->growing_types >> t) & 1u;
	}
}
