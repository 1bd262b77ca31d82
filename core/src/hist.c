#include <math.h>
#include <string.h>

#include <psp/hist.h>

void psp_hist_reset(struct psp_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void psp_hist_merge(struct psp_hist *dst, const struct psp_hist *src)
{
	if (src->count == 0)
		return;
	for (uint32_t i = 0; i < PSP_HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
	dst->count += src->count;
	dst->clamped += src->clamped;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

void psp_hist_diff(struct psp_hist *dst, const struct psp_hist *now,
		   const struct psp_hist *before)
{
	psp_hist_reset(dst);
	if (now->count == before->count)
		return;
	for (uint32_t i = 0; i < PSP_HIST_BUCKETS; i++)
		dst->bucket[i] = now->bucket[i] - before->bucket[i];
	dst->count = now->count - before->count;
	dst->clamped = now->clamped - before->clamped;
	dst->sum = now->sum - before->sum;
	dst->min = now->min;
	dst->max = now->max;
}

/* Lowest value and width of bucket i (inverse of psp_hist_index). */
static void bucket_range(uint32_t i, uint64_t *lo, uint64_t *width)
{
	if (i < PSP_HIST_SUB) {
		*lo = i;
		*width = 1;
		return;
	}
	uint32_t shift = i / PSP_HIST_SUB - 1u;
	uint64_t sub = PSP_HIST_SUB + i % PSP_HIST_SUB;
	*lo = sub << shift;
	*width = 1ull << shift;
}

uint64_t psp_hist_quantile(const struct psp_hist *h, double q)
{
	if (h->count == 0)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 1)
		return h->max;
	uint64_t rank = (uint64_t)ceil(q * (double)h->count);
	if (rank == 0)
		rank = 1;
	uint64_t seen = 0;
	for (uint32_t i = 0; i < PSP_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen < rank)
			continue;
		uint64_t lo, width;
		bucket_range(i, &lo, &width);
		uint64_t v = lo + width / 2;
		if (v < h->min)
			v = h->min;
		if (v > h->max)
			v = h->max;
		return v;
	}
	return h->max;
}

double psp_hist_mean(const struct psp_hist *h)
{
	return h->count ? h->sum / (double)h->count : 0.0;
}
