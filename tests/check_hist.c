/* The log-linear histogram of hist.h: exact below 128, at most 1/256
 * relative error above, mergeable, clamped at 2^PSP_HIST_MAX_LOG2. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <psp/hist.h>

Suite *psp_hist_suite(void);

/* splitmix64: a small deterministic generator for the test values. */
static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Log-uniform in [1, 2^max_log2). */
static uint64_t log_uniform(uint64_t *s, double max_log2)
{
	double u = (double)(splitmix(s) >> 11) / 9007199254740992.0; /* [0,1) */
	return (uint64_t)exp2(u * max_log2);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static struct psp_hist *new_hist(void)
{
	struct psp_hist *h = malloc(sizeof(*h));
	ck_assert_ptr_nonnull(h);
	psp_hist_reset(h);
	return h;
}

START_TEST(test_empty)
{
	struct psp_hist *h = new_hist();
	ck_assert_uint_eq(h->count, 0);
	ck_assert_uint_eq(psp_hist_quantile(h, 0.0), 0);
	ck_assert_uint_eq(psp_hist_quantile(h, 0.5), 0);
	ck_assert_uint_eq(psp_hist_quantile(h, 1.0), 0);
	ck_assert(psp_hist_mean(h) == 0.0);

	/* merging an empty histogram changes nothing, in either direction */
	struct psp_hist *g = new_hist();
	psp_hist_record(g, 1000);
	psp_hist_merge(g, h);
	ck_assert_uint_eq(g->count, 1);
	ck_assert_uint_eq(g->min, 1000);
	psp_hist_merge(h, g);
	ck_assert_uint_eq(h->count, 1);
	ck_assert_uint_eq(h->min, 1000);
	ck_assert_uint_eq(h->max, 1000);
	free(g);
	free(h);
}
END_TEST

/* Every value below 128 has its own bucket and comes back exactly. */
START_TEST(test_exact_small)
{
	for (uint64_t v = 0; v < PSP_HIST_SUB; v++)
		ck_assert_uint_eq(psp_hist_index(v), v);

	struct psp_hist *h = new_hist();
	/* value v recorded v+1 times: the rank of each value's last copy is
	 * known exactly, so every value must come back at its own rank */
	uint64_t count = 0;
	for (uint64_t v = 0; v < PSP_HIST_SUB; v++)
		for (uint64_t k = 0; k <= v; k++, count++)
			psp_hist_record(h, v);
	ck_assert_uint_eq(h->count, count);
	uint64_t rank = 0;
	for (uint64_t v = 0; v < PSP_HIST_SUB; v++) {
		rank += v + 1;
		/* a q just inside (rank-1, rank] so ceil(q * count) == rank */
		double q = ((double)rank - 0.5) / (double)count;
		ck_assert_uint_eq(psp_hist_quantile(h, q), v);
	}
	ck_assert_uint_eq(psp_hist_quantile(h, 0.0), 0);
	ck_assert_uint_eq(psp_hist_quantile(h, 1.0), PSP_HIST_SUB - 1);
	free(h);
}
END_TEST

/* Bucket indices never decrease with the value and each power of two above
 * 128 has exactly PSP_HIST_SUB of them. */
START_TEST(test_index_monotone)
{
	uint32_t prev = 0;
	for (uint32_t k = PSP_HIST_SUB_LOG2; k < PSP_HIST_MAX_LOG2; k++) {
		uint64_t lo = 1ull << k;
		ck_assert_uint_gt(psp_hist_index(lo), prev);
		ck_assert_uint_eq(psp_hist_index(2 * lo - 1) - psp_hist_index(lo),
				  PSP_HIST_SUB - 1);
		ck_assert_uint_eq(psp_hist_index(lo - 1) + 1, psp_hist_index(lo));
		prev = psp_hist_index(2 * lo - 1);
	}
	ck_assert_uint_eq(prev, PSP_HIST_BUCKETS - 1);
}
END_TEST

/* Quantiles over 200,000 log-uniform values in [1, 2^40) against the exact
 * nearest-rank quantile of the sorted values: relative error <= 1/256. */
START_TEST(test_quantile_error)
{
	enum { N = 200000 };
	uint64_t *v = malloc(N * sizeof(*v));
	ck_assert_ptr_nonnull(v);
	struct psp_hist *h = new_hist();
	uint64_t seed = 42;
	double sum = 0;
	for (int i = 0; i < N; i++) {
		v[i] = log_uniform(&seed, 40.0);
		sum += (double)v[i];
		psp_hist_record(h, v[i]);
	}
	qsort(v, N, sizeof(*v), cmp_u64);
	static const double qs[] = {0.0001, 0.001, 0.01, 0.1, 0.25, 0.5,
				    0.75, 0.9, 0.99, 0.999, 0.9999, 0.99999};
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		uint64_t rank = (uint64_t)ceil(qs[i] * (double)N);
		uint64_t want = v[rank - 1];
		uint64_t got = psp_hist_quantile(h, qs[i]);
		uint64_t diff = got > want ? got - want : want - got;
		ck_assert_msg(diff * 256 <= want,
			      "q=%g: got %llu, exact %llu (error %.5f > 1/256)", qs[i],
			      (unsigned long long)got, (unsigned long long)want,
			      (double)diff / (double)want);
	}
	ck_assert_uint_eq(psp_hist_quantile(h, 0.0), v[0]);
	ck_assert_uint_eq(psp_hist_quantile(h, 1.0), v[N - 1]);
	ck_assert(fabs(psp_hist_mean(h) - sum / N) <= 1e-9 * sum / N);
	ck_assert_uint_eq(h->clamped, 0);
	free(h);
	free(v);
}
END_TEST

/* Merging two histograms equals recording both sets into one. */
START_TEST(test_merge)
{
	struct psp_hist *a = new_hist(), *b = new_hist(), *both = new_hist();
	uint64_t seed = 7;
	for (int i = 0; i < 5000; i++) {
		uint64_t x = log_uniform(&seed, 30.0), y = log_uniform(&seed, 45.0) + 3;
		psp_hist_record(a, x);
		psp_hist_record(b, y);
		psp_hist_record(both, x);
		psp_hist_record(both, y);
	}
	psp_hist_record(b, 1ull << 50); /* one clamped value travels too */
	psp_hist_record(both, 1ull << 50);
	psp_hist_merge(a, b);
	ck_assert_uint_eq(a->count, both->count);
	ck_assert_uint_eq(a->clamped, both->clamped);
	ck_assert_uint_eq(a->clamped, 1);
	ck_assert_uint_eq(a->min, both->min);
	ck_assert_uint_eq(a->max, both->max);
	/* integer values below 2^53 in total: the double sums are exact */
	ck_assert(a->sum == both->sum);
	for (uint32_t i = 0; i < PSP_HIST_BUCKETS; i++)
		ck_assert_uint_eq(a->bucket[i], both->bucket[i]);
	for (double q = 0.0; q <= 1.0; q += 0.05)
		ck_assert_uint_eq(psp_hist_quantile(a, q), psp_hist_quantile(both, q));
	free(a);
	free(b);
	free(both);
}
END_TEST

/* A snapshot diff holds exactly the values recorded after the snapshot:
 * same buckets, count and sum as a histogram of those values alone, and the
 * same quantiles wherever the alone-histogram's min/max clamp does not act
 * (the diff clamps to the whole history's range). */
START_TEST(test_diff)
{
	struct psp_hist *h = new_hist(), *snap = new_hist(), *later = new_hist(),
			*d = new_hist();
	uint64_t seed = 11;
	for (int i = 0; i < 3000; i++)
		psp_hist_record(h, log_uniform(&seed, 40.0));
	memcpy(snap, h, sizeof(*h));
	for (int i = 0; i < 2000; i++) {
		uint64_t v = log_uniform(&seed, 20.0) + 1000;
		psp_hist_record(h, v);
		psp_hist_record(later, v);
	}
	psp_hist_diff(d, h, snap);
	ck_assert_uint_eq(d->count, later->count);
	ck_assert_uint_eq(d->clamped, later->clamped);
	ck_assert(d->sum == later->sum); /* integers below 2^53: exact */
	for (uint32_t i = 0; i < PSP_HIST_BUCKETS; i++)
		ck_assert_uint_eq(d->bucket[i], later->bucket[i]);
	for (double q = 0.05; q <= 0.951; q += 0.05)
		ck_assert_uint_eq(psp_hist_quantile(d, q), psp_hist_quantile(later, q));
	psp_hist_diff(d, h, h); /* nothing new: empty */
	ck_assert_uint_eq(d->count, 0);
	ck_assert_uint_eq(psp_hist_quantile(d, 0.5), 0);
	free(h);
	free(snap);
	free(later);
	free(d);
}
END_TEST

/* Values at or above 2^48 land in the last bucket, are counted in clamped,
 * and the exact maximum is kept. */
START_TEST(test_huge_clamped)
{
	struct psp_hist *h = new_hist();
	for (int i = 0; i < 997; i++)
		psp_hist_record(h, 5000);
	psp_hist_record(h, (1ull << PSP_HIST_MAX_LOG2) - 1); /* largest in range */
	psp_hist_record(h, 1ull << PSP_HIST_MAX_LOG2);
	psp_hist_record(h, 1ull << 60);
	psp_hist_record(h, UINT64_MAX);
	ck_assert_uint_eq(h->clamped, 3);
	ck_assert_uint_eq(h->count, 1001);
	ck_assert_uint_eq(psp_hist_index(UINT64_MAX), PSP_HIST_BUCKETS - 1);
	ck_assert_uint_eq(psp_hist_index(1ull << PSP_HIST_MAX_LOG2), PSP_HIST_BUCKETS - 1);
	ck_assert_uint_eq(h->bucket[PSP_HIST_BUCKETS - 1], 4);
	ck_assert_uint_eq(h->max, UINT64_MAX);
	ck_assert_uint_eq(psp_hist_quantile(h, 1.0), UINT64_MAX);
	uint64_t p50 = psp_hist_quantile(h, 0.5);
	ck_assert_uint_le((p50 > 5000 ? p50 - 5000 : 5000 - p50) * 256, 5000);
	/* the top 4 ranks are in the last bucket: at least the bucket's
	 * midpoint, never beyond the exact max */
	uint64_t top = psp_hist_quantile(h, 0.9995);
	ck_assert_uint_ge(top, (1ull << PSP_HIST_MAX_LOG2) - (1ull << (PSP_HIST_MAX_LOG2 - 7)));
	/* the mean is over the exact values, clamped ones included */
	double want = (997.0 * 5000 + 0x1p48 - 1 + 0x1p48 + 0x1p60 + 0x1p64) / 1001;
	ck_assert(fabs(psp_hist_mean(h) - want) <= 1e-12 * want);
	free(h);
}
END_TEST

Suite *psp_hist_suite(void)
{
	Suite *s = suite_create("hist");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_exact_small);
	tcase_add_test(tc, test_index_monotone);
	tcase_add_test(tc, test_quantile_error);
	tcase_add_test(tc, test_merge);
	tcase_add_test(tc, test_huge_clamped);
	tcase_add_test(tc, test_diff);
	suite_add_tcase(s, tc);
	return s;
}
