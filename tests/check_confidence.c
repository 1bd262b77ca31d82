/* psp-sim's confidence intervals: each statistic's estimator (a mean's
 * Student t interval, a quantile's order-statistic interval, point.h), and
 * the coverage of the truth.  Replicated runs of
 * queueing models whose mean sojourn time is known exactly (M/M/k by Erlang
 * C, M/G/1 by Pollaczek-Khinchine): the 95% interval of the mean latency must
 * contain the exact value in at least 36 of 40 independent replicated runs.
 *
 * Why 36 of 40: with intervals of true 95% coverage, the number of misses in
 * 40 runs is Binomial(40, 0.05), and P(misses >= 5) = 4.8%: a seed set picked
 * at random fails with that probability even when the estimator is right
 * (the seeds here are fixed, so the outcome is too).  An interval that is too
 * narrow by a factor 1.5 covers about 78%, and P(misses <= 4) is then below
 * 1%: the test tells a broken estimator from a sound one. */
#include <check.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "point.h"
#include "queueing_models.h"
#include "run.h"

#define RUNS 40u
#define REPS 5u
#define MAX_REPS 6u
#define MIN_COVERED 36u

/* Counts, over RUNS independent replicated runs of reps replications each,
 * how often the ALL row's interval of the statistic stat (mean_us, p99_us,
 * ...) contains exact_us. */
static uint32_t coverage_of(const struct psp_workload *wl, const struct psp_policy_ops *ops,
			    uint32_t workers, double load, uint64_t requests, uint32_t reps,
			    size_t stat, double exact_us)
{
	uint32_t covered = 0;
	double width = 0;
	for (uint32_t run = 0; run < RUNS; run++) {
		struct sim_setup s;
		sim_setup_default(&s, wl, ops, workers);
		s.requests = requests;
		s.seed = 1000 + run;
		struct sim_result res[MAX_REPS];
		for (uint32_t r = 0; r < reps; r++) {
			struct psp_err err;
			int rc = sim_run_replication(&s, load, r, &res[r], &err);
			ck_assert_msg(rc == 0, "sim_run_replication: %s", err.msg);
		}
		struct sim_rep_stats stats[MAX_REPS];
		for (uint32_t r = 0; r < reps; r++)
			sim_rep_stats_of(&stats[r], &res[r]);
		struct sim_point pt;
		sim_point_from(&pt, stats, reps);
		struct sim_est e = *(const struct sim_est *)((const char *)&pt.row[pt.ntypes] + stat);
		ck_assert(!isnan(e.lo) && e.hi > e.lo && e.lo <= e.value && e.value <= e.hi);
		if (!e.quantile) /* a mean's interval is symmetric */
			ck_assert(fabs((e.lo + e.hi) / 2 - e.value) < 1e-9 * e.value);
		covered += e.lo <= exact_us && exact_us <= e.hi;
		width += (e.hi - e.lo) / RUNS;
		for (uint32_t r = 0; r < reps; r++)
			sim_result_free(&res[r]);
		sim_setup_free(&s);
	}
	printf("  %s, %u workers, load %.2f, %u replications: exact %.3f us, covered by %u of %u "
	       "intervals (mean width %.3f us)\n", wl->name, workers, load, reps, exact_us, covered,
	       RUNS, width);
	return covered;
}

static uint32_t coverage(const struct psp_workload *wl, const struct psp_policy_ops *ops,
			 uint32_t workers, double load, uint64_t requests, double exact_us)
{
	return coverage_of(wl, ops, workers, load, requests, REPS,
			   offsetof(struct sim_row, mean_us), exact_us);
}

START_TEST(mmk_mean_sojourn_covered)
{
	/* M/M/4, service 10 us, load 0.8: W = C(4, 3.2) / (4 mu - lambda). */
	struct psp_workload wl;
	make_wl(&wl, 1, PSP_DIST_EXPONENTIAL, (double[]){10}, (double[]){1});
	uint32_t k = 4;
	double load = 0.8, mean = 10;
	double exact = mean + mmk_mean_wait(k, load * k / mean, 1 / mean);
	ck_assert_uint_ge(coverage(&wl, &psp_cfcfs_ops, k, load, 20000, exact), MIN_COVERED);
}
END_TEST

START_TEST(mg1_mean_sojourn_covered)
{
	/* M/G/1 with a bimodal constant service (1 us and 100 us, 50/50),
	 * load 0.7: W = lambda E[S^2] / (2 (1 - rho)) (Pollaczek-Khinchine). */
	struct psp_workload wl;
	make_wl(&wl, 2, PSP_DIST_CONSTANT, (double[]){1, 100}, (double[]){0.5, 0.5});
	double load = 0.7, es = 50.5, es2 = 0.5 * 1 + 0.5 * 100 * 100;
	double lambda = load / es;
	double exact = es + lambda * es2 / (2 * (1 - load));
	ck_assert_uint_ge(coverage(&wl, &psp_cfcfs_ops, 1, load, 20000, exact), MIN_COVERED);
}
END_TEST

START_TEST(mm1_p99_sojourn_covered)
{
	/* M/M/1 FCFS, service 10 us, load 0.5: the sojourn time is exponential
	 * with rate mu - lambda, so its p99 is ln(100) / (mu - lambda).  The
	 * quantile's order-statistic interval over 6 replications (nominal
	 * 96.9%) must contain it as often as the mean's does. */
	struct psp_workload wl;
	make_wl(&wl, 1, PSP_DIST_EXPONENTIAL, (double[]){10}, (double[]){1});
	double load = 0.5, mu = 0.1, lambda = load * mu;
	double exact = log(100) / (mu - lambda);
	ck_assert_uint_ge(coverage_of(&wl, &psp_cfcfs_ops, 1, load, 20000,
				      SIM_MIN_QUANTILE_REPLICATIONS, offsetof(struct sim_row, p99_us),
				      exact), MIN_COVERED);
}
END_TEST

/* The interval of a mean: Student t with R - 1 degrees of freedom. */
START_TEST(student_t_interval)
{
	struct sim_est e = sim_est_mean((double[]){1, 2, 3, 4, 5}, 5);
	/* mean 3, s = sqrt(2.5), t(0.975, 4) = 2.776445 */
	double half = 2.776445 * sqrt(2.5) / sqrt(5.0);
	ck_assert(fabs(e.value - 3) < 1e-12 && !e.quantile);
	ck_assert(fabs(e.lo - (3 - half)) < 1e-5 && fabs(e.hi - (3 + half)) < 1e-5);
	e = sim_est_mean((double[]){7}, 1);
	ck_assert(e.value == 7 && isnan(e.lo) && isnan(e.hi));
}
END_TEST

/* P(j <= B <= n - j), B ~ Binomial(n, 1/2), by exact summation (long
 * double binomial coefficients; independent of the code under test). */
static double median_coverage(uint32_t n, uint32_t j)
{
	long double c = 1, sum = 0; /* c = C(n, k) */
	for (uint32_t k = 0; k <= n; k++) {
		if (k >= j && k <= n - j)
			sum += c;
		c = c * (n - k) / (k + 1);
	}
	return (double)(sum / powl(2, n));
}

/* The order-statistic interval of a median: for each n, the rank chosen is
 * the largest j (narrowest interval) whose coverage is >= 95%; none below
 * 6 replications; a few values from published tables of the median's
 * distribution-free confidence interval. */
START_TEST(median_interval_rank)
{
	for (uint32_t n = 1; n <= 200; n++) {
		uint32_t j = sim_median_ci_rank(n);
		if (j == 0) {
			ck_assert_msg(n < 2 || median_coverage(n, 1) < 0.95, "n %u: no rank", n);
			continue;
		}
		ck_assert_msg(2 * j <= n, "n %u: rank %u", n, j);
		ck_assert_msg(median_coverage(n, j) >= 0.95, "n %u: rank %u covers %g", n, j,
			      median_coverage(n, j));
		ck_assert_msg(2 * (j + 1) > n || median_coverage(n, j + 1) < 0.95,
			      "n %u: rank %u is not the narrowest", n, j);
		ck_assert(fabs(sim_median_ci_coverage(n, j) - median_coverage(n, j)) < 1e-9);
	}
	ck_assert_uint_eq(sim_median_ci_rank(5), 0);
	ck_assert_uint_eq(sim_median_ci_rank(SIM_MIN_QUANTILE_REPLICATIONS), 1);
	for (uint32_t n = 1; n < SIM_MIN_QUANTILE_REPLICATIONS; n++)
		ck_assert_uint_eq(sim_median_ci_rank(n), 0);
	ck_assert_uint_eq(sim_median_ci_rank(10), 2);  /* [x(2), x(9)]: 97.9% */
	ck_assert_uint_eq(sim_median_ci_rank(20), 6);  /* [x(6), x(15)]: 95.9% */
	ck_assert_uint_eq(sim_median_ci_rank(100), 40); /* [x(40), x(61)]: 96.5% */
}
END_TEST

/* A quantile's estimate: the median replication's value and an interval
 * whose bounds are values some replication produced, never a bound below
 * every replication (the Student t interval of a bimodal statistic, such as
 * the p50 of a 50/50 mix of 1 us and 100 us requests, went negative). */
START_TEST(quantile_estimate)
{
	const double bimodal[] = {1.1, 100.4, 0.9, 99.8, 101.0, 1.0};
	struct sim_est e = sim_est_quantile(bimodal, 6);
	ck_assert(e.quantile);
	ck_assert(e.value == 1.1);              /* x(3) of 0.9 1.0 1.1 99.8 100.4 101.0 */
	ck_assert(e.lo == 0.9 && e.hi == 101.0); /* [x(1), x(6)] */
	e = sim_est_quantile(bimodal, 3);      /* 1.1 100.4 0.9: median 1.1, no interval */
	ck_assert(e.value == 1.1 && isnan(e.lo) && isnan(e.hi));
	e = sim_est_quantile(bimodal, 2);      /* x(1) of two: a value one produced */
	ck_assert(e.value == 1.1);
	e = sim_est_quantile((double[]){7}, 1);
	ck_assert(e.value == 7 && isnan(e.lo));
	double v[20];
	for (int i = 0; i < 20; i++)
		v[i] = 20 - i; /* 20 .. 1 */
	e = sim_est_quantile(v, 20);
	ck_assert(e.value == 10 && e.lo == 6 && e.hi == 15);
	/* the values are left as they were */
	ck_assert(v[0] == 20 && v[19] == 1);
}
END_TEST

/* Replication 0 is the single run of a point; the others differ, and each
 * depends only on (seed, load, replication). */
START_TEST(replication_seeds)
{
	ck_assert_uint_eq(sim_replication_seed(1, 0.5, 0), sim_point_seed(1, 0.5));
	ck_assert_uint_ne(sim_replication_seed(1, 0.5, 1), sim_replication_seed(1, 0.5, 0));
	ck_assert_uint_ne(sim_replication_seed(1, 0.5, 1), sim_replication_seed(1, 0.5, 2));
	ck_assert_uint_ne(sim_replication_seed(1, 0.5, 1), sim_replication_seed(2, 0.5, 1));
	ck_assert_uint_eq(sim_replication_seed(3, 0.7, 4), sim_replication_seed(3, 0.7, 4));
}
END_TEST

Suite *psp_confidence_suite(void);
Suite *psp_confidence_suite(void)
{
	Suite *s = suite_create("confidence");
	TCase *tc = tcase_create("replications");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, student_t_interval);
	tcase_add_test(tc, median_interval_rank);
	tcase_add_test(tc, quantile_estimate);
	tcase_add_test(tc, replication_seeds);
	tcase_add_test(tc, mmk_mean_sojourn_covered);
	tcase_add_test(tc, mg1_mean_sojourn_covered);
	tcase_add_test(tc, mm1_p99_sojourn_covered);
	suite_add_tcase(s, tc);
	return s;
}
