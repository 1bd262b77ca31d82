/* Paired comparisons (sim/compare.h): the estimators on known values, the
 * capacity ratio's range, and the coverage of a difference theory gives.
 *
 * Two M/M/k configurations whose mean sojourn times Erlang C gives
 * exactly (k = 2 and k = 4 workers at load 0.8, service 10 us): run with
 * the same seeds, replication r of each sees the same arrival and service
 * draws (the arrivals scaled to each one's rate), the pairs' differences of
 * mean latency are i.i.d., and their 95% t interval must contain the exact
 * difference in at least 36 of 40 independent replicated runs (the reason
 * for 36 of 40: check_confidence.c).  The pairing must also pay: the paired
 * interval is narrower than Welch's unpaired one on average. */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "compare.h"
#include "point.h"
#include "queueing_models.h"
#include "run.h"

#define RUNS 40u
#define REPS 5u
#define MIN_COVERED 36u

/* Differences and ratios of values known exactly. */
START_TEST(paired_known_values)
{
	double a[4] = {3, 5, 4, 8}, b[4] = {1, 3, 2, 6};
	struct sim_paired p;
	sim_paired_of(a, b, 4, &p);
	/* every difference is 2: the interval has no width */
	ck_assert_double_eq_tol(p.diff.value, 2, 1e-12);
	ck_assert_double_eq_tol(p.diff.lo, 2, 1e-12);
	ck_assert_double_eq_tol(p.diff.hi, 2, 1e-12);
	ck_assert_double_eq_tol(p.value, 5, 1e-12);
	ck_assert_double_eq_tol(p.base, 3, 1e-12);
	/* unpaired, the spread of each sample counts: wide */
	ck_assert(p.unpaired.lo < 0 && p.unpaired.hi > 4);
	/* ratios 3, 5/3, 2, 4/3: the geometric mean is their product's 4th root */
	ck_assert_double_eq_tol(p.ratio.value, pow(3 * 5.0 / 3 * 2 * 4.0 / 3, 0.25), 1e-12);
	ck_assert(p.ratio.lo < p.ratio.value && p.ratio.value < p.ratio.hi);
	/* the interval is exp of the t interval of the logs */
	double l[4] = {log(3), log(5.0 / 3), log(2), log(4.0 / 3)};
	struct sim_est e = sim_est_mean(l, 4);
	ck_assert_double_eq_tol(p.ratio.lo, exp(e.lo), 1e-12);
	ck_assert_double_eq_tol(p.ratio.hi, exp(e.hi), 1e-12);

	/* a = 2 b exactly: the ratio 2 [2, 2] */
	double c[3] = {2, 4, 10}, d[3] = {1, 2, 5};
	sim_paired_of(c, d, 3, &p);
	ck_assert_double_eq_tol(p.ratio.value, 2, 1e-12);
	ck_assert_double_eq_tol(p.ratio.lo, 2, 1e-12);
	ck_assert_double_eq_tol(p.ratio.hi, 2, 1e-12);

	/* a value that is not positive: no ratio; the difference stands */
	double z[2] = {0, 1}, y[2] = {1, 1};
	sim_paired_of(z, y, 2, &p);
	ck_assert(isnan(p.ratio.value) && isnan(p.ratio.lo));
	ck_assert_double_eq_tol(p.diff.value, -0.5, 1e-12);

	/* one pair: estimates without intervals */
	sim_paired_of(a, b, 1, &p);
	ck_assert_double_eq_tol(p.diff.value, 2, 1e-12);
	ck_assert(isnan(p.diff.lo) && isnan(p.ratio.lo) && isnan(p.unpaired.lo));
	ck_assert_double_eq_tol(p.ratio.value, 3, 1e-12);
}
END_TEST

/* Welch's interval against a hand computation. */
START_TEST(unpaired_welch)
{
	double a[3] = {1, 2, 3}, b[4] = {2, 4, 6, 8};
	struct sim_est e = sim_unpaired_diff(a, 3, b, 4);
	/* means 2 and 5; variances 1 and 20/3; va = 1/3, vb = 5/3 */
	double va = 1.0 / 3, vb = 5.0 / 3, v = va + vb;
	double df = v * v / (va * va / 2 + vb * vb / 3);
	ck_assert_double_eq_tol(e.value, -3, 1e-12);
	ck_assert_double_eq_tol(df, 4 / (1.0 / 18 + 25.0 / 27), 1e-12);
	/* t(0.975, df) for df ~ 4.07: between t(4) = 2.776 and t(5) = 2.571 */
	double half = (e.hi - e.lo) / 2;
	ck_assert(half > 2.571 * sqrt(v) && half < 2.777 * sqrt(v));
	ck_assert_double_eq_tol((e.lo + e.hi) / 2, -3, 1e-12);
}
END_TEST

/* The capacity ratio's range is what the two ranges allow. */
START_TEST(capacity_ratio_range)
{
	struct sim_capacity a = {.found = true, .load = 0.9, .lo = 0.85, .hi = 0.95};
	struct sim_capacity b = {.found = true, .load = 0.5, .lo = 0.45, .hi = 0.55};
	struct sim_capacity_ratio q = sim_capacity_ratio_of(&a, &b);
	ck_assert(q.known);
	ck_assert_double_eq_tol(q.ratio, 1.8, 1e-12);
	ck_assert_double_eq_tol(q.lo, 0.85 / 0.55, 1e-12);
	ck_assert_double_eq_tol(q.hi, 0.95 / 0.45, 1e-12);
	struct sim_capacity none = {.found = false};
	ck_assert(!sim_capacity_ratio_of(&a, &none).known);
	ck_assert(!sim_capacity_ratio_of(&none, &a).known);
}
END_TEST

/* The mean latency of replication r of an M/M/k with k workers at load,
 * seed seed: the values of each run into out[r]. */
static void mean_latencies(const struct psp_workload *wl, uint32_t k, double load,
			   uint64_t seed, double *out)
{
	struct sim_setup s;
	ck_assert_int_eq(sim_setup_default(&s, wl, &psp_cfcfs_ops, k), 0);
	s.requests = 20000;
	s.seed = seed;
	for (uint32_t r = 0; r < REPS; r++) {
		struct sim_result res;
		struct psp_err err;
		int rc = sim_run_replication(&s, load, r, &res, &err);
		ck_assert_msg(rc == 0, "sim_run_replication: %s", err.msg);
		struct sim_rep_stats st;
		sim_rep_stats_of(&st, &res);
		out[r] = st.stat[st.ntypes][SIM_STAT_MEAN_US];
		sim_result_free(&res);
	}
	sim_setup_free(&s);
}

START_TEST(mmk_difference_covered)
{
	struct psp_workload wl;
	make_wl(&wl, 1, PSP_DIST_EXPONENTIAL, (double[]){10}, (double[]){1});
	const double load = 0.8, mean = 10, mu = 1 / mean;
	const uint32_t k1 = 2, k2 = 4;
	double w1 = mean + mmk_mean_wait(k1, load * k1 / mean, mu);
	double w2 = mean + mmk_mean_wait(k2, load * k2 / mean, mu);
	double exact = w2 - w1; /* k = 4 waits less: negative */
	uint32_t covered = 0, unpaired_covered = 0;
	double paired_width = 0, unpaired_width = 0;
	for (uint32_t run = 0; run < RUNS; run++) {
		double a[REPS], b[REPS];
		mean_latencies(&wl, k2, load, 2000 + run, a);
		mean_latencies(&wl, k1, load, 2000 + run, b);
		struct sim_paired p;
		sim_paired_of(a, b, REPS, &p);
		ck_assert(!isnan(p.diff.lo) && p.diff.lo < p.diff.value && p.diff.value < p.diff.hi);
		covered += p.diff.lo <= exact && exact <= p.diff.hi;
		unpaired_covered += p.unpaired.lo <= exact && exact <= p.unpaired.hi;
		paired_width += (p.diff.hi - p.diff.lo) / RUNS;
		unpaired_width += (p.unpaired.hi - p.unpaired.lo) / RUNS;
	}
	printf("  M/M/%u - M/M/%u at load %.1f: exact %.3f us; paired intervals cover it %u of %u "
	       "times (mean width %.3f us), unpaired %u (mean width %.3f us)\n", k2, k1, load, exact,
	       covered, RUNS, paired_width, unpaired_covered, unpaired_width);
	ck_assert_uint_ge(covered, MIN_COVERED);
	ck_assert(paired_width < 0.8 * unpaired_width);
}
END_TEST

Suite *psp_compare_suite(void);
Suite *psp_compare_suite(void)
{
	Suite *s = suite_create("compare");
	TCase *tc = tcase_create("estimators");
	tcase_add_test(tc, paired_known_values);
	tcase_add_test(tc, unpaired_welch);
	tcase_add_test(tc, capacity_ratio_range);
	suite_add_tcase(s, tc);
	TCase *mmk = tcase_create("mmk");
	tcase_set_timeout(mmk, 600);
	tcase_add_test(mmk, mmk_difference_covered);
	suite_add_tcase(s, mmk);
	return s;
}
