/* Warm-up detection: MSER-5 (White, Cobb and Spratt, 2000), the marginal
 * standard error rule on batch means of 5 observations.
 *
 * A run starts empty, so its first requests see shorter queues than the
 * steady state's.  MSER picks the truncation point d that minimises the
 * estimated variance of the mean of what is kept,
 *     MSER(d) = sum_{i >= d} (z_i - mean_d)^2 / (n - d)^2,
 * over the series z_0 .. z_{n-1} of batch means (batches of 5 consecutive
 * observations smooth the series without hiding the transient).  The search
 * covers d in [0, n/2]: past the middle the rule is known to pick spurious
 * minima from the last few values, and a transient still present at half the
 * run means the run is too short (the result then says "not settled").
 * One departure from the published rule: a run starts empty, so its
 * transient lies below the steady state, and a cut whose dropped values
 * average above the kept ones is not a candidate.  Without it, MSER on a
 * short, strongly correlated run cuts initial busy periods and biases means
 * down: on an M/M/4 at load 0.8, 2000 requests a run, the mean sojourn fell
 * 3.6% short and precision-stopped intervals covered it 63 times in 100.
 *
 * psp-sim's series is each request's slowdown (latency / service time), in
 * arrival order (sim_warmup below); it batches more than 5 requests together
 * only when a run is so long that 5 would need more than SIM_MSER_MAX_BATCHES
 * batch means. */
#ifndef PSP_SIM_MSER_H
#define PSP_SIM_MSER_H

#include <stdbool.h>
#include <stdint.h>

/* The batch size of MSER-5. */
#define SIM_MSER_BATCH 5u
/* The most batch means a run keeps (8 MB of sums and counts). */
#define SIM_MSER_MAX_BATCHES (1u << 19)
/* Fewer batch means than this: nothing is truncated (no rule can tell a
 * transient from noise in so few). */
#define SIM_MSER_MIN_BATCHES 10u

/* The MSER truncation of z[0..n-1]: the number d of leading values to drop,
 * 0 <= d <= n / 2.  *settled (may be NULL) is false when the minimum lies
 * at the end of the searched range, n / 2 (the series had not settled by the
 * middle).  n < SIM_MSER_MIN_BATCHES gives 0, settled. */
uint32_t sim_mser_truncation(const double *z, uint32_t n, bool *settled);

/* The per-request series of one run, batched in arrival order: request id
 * (from first_id on) adds its value to batch (id - first_id) / batch. */
struct sim_warmup {
	uint64_t first_id;  /* the first arrival of the series */
	uint64_t batch;     /* requests per batch: a multiple of SIM_MSER_BATCH */
	uint32_t nbatches;
	double *sum;        /* by batch: the sum of its requests' values */
	uint32_t *count;    /* by batch: how many completed (drops never do) */
};

/* Allocates the batches of arrivals first_id .. first_id + arrivals - 1.
 * Returns 0 or -ENOMEM. */
int sim_warmup_init(struct sim_warmup *w, uint64_t first_id, uint64_t arrivals);
void sim_warmup_free(struct sim_warmup *w);

static inline void sim_warmup_add(struct sim_warmup *w, uint64_t id, double value)
{
	if (id < w->first_id)
		return;
	uint64_t b = (id - w->first_id) / w->batch;
	if (b < w->nbatches) {
		w->sum[b] += value;
		w->count[b]++;
	}
}

/* The first arrival after the detected warm-up: first_id + d x batch, d the
 * MSER truncation of the non-empty batches' means (empty ones, every request
 * dropped, are skipped).  *settled as sim_mser_truncation says.  Returns 0
 * or -ENOMEM. */
int sim_warmup_detect(const struct sim_warmup *w, uint64_t *first_measured, bool *settled);

#endif
