/* psp-sim's confidence intervals cover the truth.  Replicated runs of
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
#include <stdio.h>
#include <string.h>

#include "point.h"
#include "queueing_models.h"
#include "run.h"

#define RUNS 40u
#define REPS 5u
#define MIN_COVERED 36u

/* Counts, over RUNS independent replicated runs, how often the ALL row's
 * mean latency interval contains exact_us. */
static uint32_t coverage(const struct psp_workload *wl, const struct psp_policy_ops *ops,
			 uint32_t workers, double load, uint64_t requests, double exact_us)
{
	uint32_t covered = 0;
	double width = 0;
	for (uint32_t run = 0; run < RUNS; run++) {
		struct sim_setup s;
		sim_setup_default(&s, wl, ops, workers);
		s.requests = requests;
		s.seed = 1000 + run;
		struct sim_result res[REPS];
		for (uint32_t r = 0; r < REPS; r++) {
			struct psp_err err;
			int rc = sim_run_replication(&s, load, r, &res[r], &err);
			ck_assert_msg(rc == 0, "sim_run_replication: %s", err.msg);
		}
		struct sim_rep_stats stats[REPS];
		for (uint32_t r = 0; r < REPS; r++)
			sim_rep_stats_of(&stats[r], &res[r]);
		struct sim_point pt;
		sim_point_from(&pt, stats, REPS);
		struct sim_est e = pt.row[pt.ntypes].mean_us;
		ck_assert(!isnan(e.ci95) && e.ci95 > 0);
		covered += fabs(e.value - exact_us) <= e.ci95;
		width += e.ci95 / RUNS;
		for (uint32_t r = 0; r < REPS; r++)
			sim_result_free(&res[r]);
	}
	printf("  %s, %u workers, load %.2f: exact mean %.3f us, covered by %u of %u intervals "
	       "(mean half-width %.3f us)\n", wl->name, workers, load, exact_us, covered, RUNS, width);
	return covered;
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

/* The interval of a statistic: Student t with R - 1 degrees of freedom. */
START_TEST(student_t_interval)
{
	struct sim_est e = sim_est_of((double[]){1, 2, 3, 4, 5}, 5);
	/* mean 3, s = sqrt(2.5), t(0.975, 4) = 2.776445 */
	ck_assert(fabs(e.value - 3) < 1e-12);
	ck_assert(fabs(e.ci95 - 2.776445 * sqrt(2.5) / sqrt(5.0)) < 1e-5);
	e = sim_est_of((double[]){7}, 1);
	ck_assert(e.value == 7 && isnan(e.ci95));
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
	tcase_add_test(tc, replication_seeds);
	tcase_add_test(tc, mmk_mean_sojourn_covered);
	tcase_add_test(tc, mg1_mean_sojourn_covered);
	suite_add_tcase(s, tc);
	return s;
}
