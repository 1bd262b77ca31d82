/* A log-linear histogram of uint64 values (latencies in ns, slowdowns in
 * thousandths) with fixed memory, mergeable, and at most 0.4% relative error
 * on any percentile.
 *
 * Values below 128 are counted exactly.  Above, each power of two [2^k,
 * 2^(k+1)) is cut into 128 equal slices, so a slice is at most 1/128 of its
 * lower bound wide; a percentile reports its slice's midpoint (clamped to the
 * exact min and max seen), hence an error of at most 1/256 of the value.
 * Values at or above 2^PSP_HIST_MAX_LOG2 land in the last slice and are
 * counted in `clamped`; the exact maximum is still kept.
 */
#ifndef PSP_HIST_H
#define PSP_HIST_H

#include <stdint.h>

#define PSP_HIST_SUB_LOG2 7u
#define PSP_HIST_SUB (1u << PSP_HIST_SUB_LOG2)
#define PSP_HIST_MAX_LOG2 48u /* 2^48 ns = 78 hours */
#define PSP_HIST_BUCKETS (PSP_HIST_SUB * (PSP_HIST_MAX_LOG2 - PSP_HIST_SUB_LOG2 + 1u))

struct psp_hist {
	uint64_t count;
	uint64_t clamped; /* values too large for the bucket range */
	uint64_t min, max;
	double sum;       /* for the mean; double so it cannot overflow */
	uint64_t bucket[PSP_HIST_BUCKETS];
};

/* Empties h.  Cannot fail; does not allocate. */
void psp_hist_reset(struct psp_hist *h);

/* The bucket index of v; exposed for tests. */
static inline uint32_t psp_hist_index(uint64_t v)
{
	if (v < PSP_HIST_SUB)
		return (uint32_t)v;
	uint32_t k = 63u - (uint32_t)__builtin_clzll(v); /* 2^k <= v */
	if (k >= PSP_HIST_MAX_LOG2)
		return PSP_HIST_BUCKETS - 1u;
	uint32_t shift = k - PSP_HIST_SUB_LOG2;
	return PSP_HIST_SUB * (shift + 1u) + (uint32_t)(v >> shift) - PSP_HIST_SUB;
}

/* Records one value.  Hot path: no branches beyond the index. */
static inline void psp_hist_record(struct psp_hist *h, uint64_t v)
{
	if (v >= (1ull << PSP_HIST_MAX_LOG2))
		h->clamped++;
	h->bucket[psp_hist_index(v)]++;
	h->count++;
	h->sum += (double)v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/* Adds every value of src into dst. */
void psp_hist_merge(struct psp_hist *dst, const struct psp_hist *src);

/* dst = the values recorded in now but not in before, where before is an
 * earlier copy of the same histogram (counts only grow): an interval's
 * histogram from two snapshots.  min and max are now's (an interval's own
 * are not known), so its quantiles are clamped to that wider range only. */
void psp_hist_diff(struct psp_hist *dst, const struct psp_hist *now,
		   const struct psp_hist *before);

/* The q-quantile (0 <= q <= 1) by nearest rank: the smallest recorded value
 * v such that at least ceil(q * count) values are <= v, to within the bucket
 * resolution.  Returns 0 when the histogram is empty. */
uint64_t psp_hist_quantile(const struct psp_hist *h, double q);

/* Mean of the recorded values; 0 when empty. */
double psp_hist_mean(const struct psp_hist *h);

#endif
