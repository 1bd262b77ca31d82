/* Queueing models the simulator is checked against (check_theory,
 * check_confidence): exact formulas, and the workloads that realise them. */
#ifndef PSP_TESTS_QUEUEING_MODELS_H
#define PSP_TESTS_QUEUEING_MODELS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <psp/workload.h>

/* Times in microseconds, rates per microsecond. */

/* Erlang C: probability that an arrival waits in an M/M/k with offered load
 * a = lambda / mu < k.  Erlang B by its stable recursion, then C from B. */
static inline double erlang_c(uint32_t k, double a)
{
	double b = 1.0;
	for (uint32_t n = 1; n <= k; n++)
		b = a * b / ((double)n + a * b);
	double rho = a / k;
	return b / (1.0 - rho * (1.0 - b));
}

/* M/M/k FCFS mean wait in queue. */
static inline double mmk_mean_wait(uint32_t k, double lambda, double mu)
{
	return erlang_c(k, lambda / mu) / (k * mu - lambda);
}

/* A one-phase Poisson workload of n types with the given service
 * distribution kind, means (us) and ratios. */
static inline void make_wl(struct psp_workload *wl, uint32_t n, enum psp_dist_kind kind,
		    const double *mean_us, const double *ratio)
{
	memset(wl, 0, sizeof(*wl));
	snprintf(wl->name, sizeof(wl->name), "model");
	wl->arrival = PSP_ARRIVAL_POISSON;
	wl->ntypes = n;
	wl->nphases = 1;
	double mean = 0;
	for (uint32_t t = 0; t < n; t++) {
		snprintf(wl->type_name[t], sizeof(wl->type_name[t]), "%c", 'A' + t);
		wl->wire_id[t] = t + 1;
		wl->phase[0].ratio[t] = ratio[t];
		wl->phase[0].service[t] = (struct psp_dist){.kind = kind, .mean_us = mean_us[t]};
		mean += ratio[t] * mean_us[t];
	}
	wl->phase[0].mean_service_us = mean;
}

#endif
