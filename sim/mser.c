#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "mser.h"

uint32_t sim_mser_truncation(const double *z, uint32_t n, bool *settled)
{
	if (settled)
		*settled = true;
	if (n < SIM_MSER_MIN_BATCHES)
		return 0;
	/* From the end backwards, Welford's running mean and sum of squared
	 * deviations of z[d..n-1]: one pass, no cancellation. */
	uint32_t half = n / 2, best = n - 1;
	double mean = 0, m2 = 0, best_v = 0, total = 0;
	for (uint32_t i = 0; i < n; i++)
		total += z[i];
	for (uint32_t i = n; i-- > 0;) {
		double k = (double)(n - i), delta = z[i] - mean;
		mean += delta / k;
		m2 += delta * (z[i] - mean);
		if (i > half)
			continue;
		double v = m2 / (k * k);
		/* A run starts empty, so its transient lies below the steady
		 * state: a cut whose dropped part averages above what is kept
		 * drops an excursion, not a transient (and would bias the mean
		 * down), and is not a candidate. */
		double dropped = i ? (total - mean * k) / i : -INFINITY;
		if (i == half || (v <= best_v && dropped <= mean)) { /* ties: the earlier point */
			best_v = v;
			best = i;
		}
	}
	if (settled)
		*settled = best < half;
	return best;
}

int sim_warmup_init(struct sim_warmup *w, uint64_t first_id, uint64_t arrivals)
{
	w->first_id = first_id;
	uint64_t per = SIM_MSER_BATCH;
	while ((arrivals + per - 1) / per > SIM_MSER_MAX_BATCHES)
		per += SIM_MSER_BATCH;
	w->batch = per;
	w->nbatches = (uint32_t)((arrivals + per - 1) / per);
	w->sum = calloc(w->nbatches ? w->nbatches : 1, sizeof(*w->sum));
	w->count = calloc(w->nbatches ? w->nbatches : 1, sizeof(*w->count));
	return w->sum && w->count ? 0 : -ENOMEM;
}

void sim_warmup_free(struct sim_warmup *w)
{
	free(w->sum);
	free(w->count);
	w->sum = NULL;
	w->count = NULL;
	w->nbatches = 0;
}

int sim_warmup_detect(const struct sim_warmup *w, uint64_t *first_measured, bool *settled)
{
	double *z = malloc((w->nbatches ? w->nbatches : 1) * sizeof(*z));
	uint32_t *at = malloc((w->nbatches ? w->nbatches : 1) * sizeof(*at));
	if (!z || !at) {
		free(z);
		free(at);
		return -ENOMEM;
	}
	uint32_t n = 0;
	for (uint32_t b = 0; b < w->nbatches; b++)
		if (w->count[b]) {
			z[n] = w->sum[b] / w->count[b];
			at[n++] = b;
		}
	uint32_t d = sim_mser_truncation(z, n, settled);
	*first_measured = w->first_id + (d < n ? at[d] : w->nbatches) * w->batch;
	free(z);
	free(at);
	return 0;
}
