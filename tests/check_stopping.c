/* psp-sim's choices of what to measure and for how long: warm-up detection
 * (MSER-5, sim/mser.h), precision-based stopping (--precision,
 * sim/precision.h) and batch means (--batches, sim/cells.h).
 *
 * The coverage test follows check_confidence's reasoning: 100 independent
 * replicated runs of an M/M/4 (whose mean sojourn Erlang C gives), each run
 * to a 5% half-width; intervals of true 95% coverage miss in
 * Binomial(100, 0.05) of them, and P(misses >= 8) = 6.3%, so at least 93
 * covered is asked (the seeds are fixed, so the outcome is too).  Stopping
 * when an interval first looks narrow is known to cost coverage; an
 * estimator that lost much (90% or less) would fail: P(misses <= 7) < 22%. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psp/param.h>

#include "mser.h"
#include "point.h"
#include "precision.h"
#include "queueing_models.h"
#include "run.h"

/* A uniform in (0, 1) and a standard normal (Box-Muller), deterministic. */
static uint64_t rng_state = 42;
static double unif(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}
static double normal(void)
{
	return sqrt(-2 * log(unif())) * cos(2 * M_PI * unif());
}

/* A series with a known transient from below (a run starts empty): a rise
 * of 5 standard deviations decaying with time constant 40, in stationary
 * noise.  MSER must cut the
 * part where the decay still exceeds the noise's standard error (about
 * 40 x ln 5 = 64 values in) and keep most of the rest. */
START_TEST(mser_cuts_a_known_transient)
{
	enum { N = 2000 };
	static double z[N];
	uint32_t lo = N, hi = 0;
	for (int run = 0; run < 20; run++) {
		for (int i = 0; i < N; i++)
			z[i] = -5 * exp(-i / 40.0) + normal();
		bool settled;
		uint32_t d = sim_mser_truncation(z, N, &settled);
		ck_assert(settled);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	printf("  transient of time constant 40: MSER cuts %u to %u of %u\n", lo, hi, N);
	ck_assert_uint_ge(lo, 40);
	ck_assert_uint_le(hi, 400);
	/* the same excursion above the steady state is noise, not a start
	 * from empty: not cut (cutting it would bias the mean down) */
	for (int i = 0; i < N; i++)
		z[i] = 5 * exp(-i / 40.0) + normal();
	ck_assert_uint_lt(sim_mser_truncation(z, N, NULL), 10);
}
END_TEST

/* Stationary noise: next to nothing is cut. */
START_TEST(mser_keeps_a_stationary_series)
{
	enum { N = 2000 };
	static double z[N];
	uint32_t sum = 0;
	for (int run = 0; run < 20; run++) {
		for (int i = 0; i < N; i++)
			z[i] = 3 + normal();
		uint32_t d = sim_mser_truncation(z, N, NULL);
		ck_assert_uint_lt(d, N / 2);
		sum += d;
	}
	printf("  stationary: MSER cuts %.1f of %u on average\n", sum / 20.0, N);
	ck_assert_uint_lt(sum / 20, N / 20);
}
END_TEST

/* A series still rising at its middle: the minimum is at the end of the
 * search, not settled. */
START_TEST(mser_flags_a_trend)
{
	enum { N = 1000 };
	static double z[N];
	for (int i = 0; i < N; i++)
		z[i] = i * 0.05 + 0.1 * normal();
	bool settled = true;
	uint32_t d = sim_mser_truncation(z, N, &settled);
	ck_assert_uint_eq(d, N / 2);
	ck_assert(!settled);
	/* too short to judge: nothing cut */
	ck_assert_uint_eq(sim_mser_truncation(z, SIM_MSER_MIN_BATCHES - 1, &settled), 0);
	ck_assert(settled);
}
END_TEST

/* M/M/1 at load 0.95, started empty: its queue takes thousands of service
 * times to fill.  The detected warm-up removes that transient (never more
 * than half of a run) and the mean sojourn of what is
 * kept, over 12 independent runs, lies closer to the exact 200 us than
 * that of the whole run: the bias of the empty start is gone. */
START_TEST(mm1_empty_start_removed)
{
	struct psp_workload wl;
	make_wl(&wl, 1, PSP_DIST_EXPONENTIAL, (double[]){10}, (double[]){1});
	const double load = 0.95, exact = 10 / (1 - load);
	double sum_detect = 0, sum_all = 0, cut = 0;
	enum { RUNS = 12 };
	for (uint32_t run = 0; run < RUNS; run++) {
		struct sim_setup s;
		sim_setup_default(&s, &wl, &psp_cfcfs_ops, 1);
		s.requests = 100000;
		s.seed = 500 + run;
		struct sim_result res;
		struct psp_err err;
		ck_assert_int_eq(sim_run(&s, load, &res, &err), 0);
		ck_assert(res.warmup_fraction >= 0 && res.warmup_fraction <= 0.5);
		ck_assert_uint_eq(res.window_first_id, (uint64_t)llround(res.warmup_fraction * 1e5));
		ck_assert_uint_eq(res.lat[1].count, res.measured);
		sum_detect += psp_hist_mean(&res.lat[1]) / 1e3;
		cut += res.warmup_fraction;
		sim_result_free(&res);
		s.detect_warmup = false;
		s.warmup = 0;
		ck_assert_int_eq(sim_run(&s, load, &res, &err), 0);
		ck_assert_uint_eq(res.window_first_id, 0);
		ck_assert_uint_eq(res.measured, 100000);
		sum_all += psp_hist_mean(&res.lat[1]) / 1e3;
		sim_result_free(&res);
		sim_setup_free(&s);
	}
	double detect = sum_detect / RUNS, all = sum_all / RUNS;
	printf("  M/M/1 at 0.95 from empty: exact %.1f us, whole run %.1f us, after the detected "
	       "warm-up (%.1f%% on average) %.1f us\n", exact, all, 100 * cut / RUNS, detect);
	ck_assert(all < exact);
	ck_assert(cut > 0);
	ck_assert(fabs(detect - exact) < fabs(all - exact));
}
END_TEST

/* A learning policy's profile is never measured, whatever MSER says: DARC
 * profiles 5000 completions; the window starts after its first plan. */
START_TEST(profile_never_measured)
{
	struct psp_workload wl;
	make_wl(&wl, 2, PSP_DIST_CONSTANT, (double[]){1, 100}, (double[]){0.5, 0.5});
	struct sim_setup s;
	sim_setup_default(&s, &wl, &psp_darc_ops, 4);
	ck_assert_int_eq(psp_param_set(s.conf, psp_param_find("darc_samples"), "5000", NULL), 0);
	s.requests = 30000;
	struct sim_result res;
	struct psp_err err;
	ck_assert_int_eq(sim_run(&s, 0.5, &res, &err), 0);
	ck_assert_uint_ge(res.profiled_arrivals, 5000);
	ck_assert_uint_ge(res.window_first_id, res.profiled_arrivals);
	ck_assert(res.warmup_fraction >= (double)res.profiled_arrivals / 30000);
	sim_result_free(&res);
	sim_setup_free(&s);
}
END_TEST

/* --precision on an M/M/4 at load 0.8: every run stops with the mean's
 * half-width within 5% (or at the budget, which it never needs here), and
 * Erlang C's mean lies inside the interval in at least 93 of 100 runs. */
START_TEST(precision_mmk_coverage)
{
	struct psp_workload wl;
	make_wl(&wl, 1, PSP_DIST_EXPONENTIAL, (double[]){10}, (double[]){1});
	const uint32_t k = 4, budget = 200;
	const double load = 0.8, mean = 10, rel = 0.05;
	double exact = mean + mmk_mean_wait(k, load * k / mean, 1 / mean);
	struct sim_precision p = {.rel = rel, .budget = budget,
				  .stats = 1u << SIM_STAT_MEAN_US};
	struct sim_rep_stats *stats = calloc(budget, sizeof(*stats));
	ck_assert_ptr_nonnull(stats);
	uint32_t covered = 0, reps_sum = 0, reps_max = 0;
	for (uint32_t run = 0; run < 100; run++) {
		struct sim_setup s;
		sim_setup_default(&s, &wl, &psp_cfcfs_ops, k);
		s.requests = 20000;
		s.seed = 7000 + run;
		struct sim_precise_point pt = {.setup = &s, .load = load, .stats = stats};
		struct psp_err err;
		ck_assert_int_eq(sim_precise_run(&pt, 1, 6, &p, 0, 2, false, &err), 0);
		ck_assert(pt.met);
		ck_assert_uint_lt(pt.reps, budget);
		const struct sim_est *e = &pt.pt.row[1].mean_us;
		ck_assert((e->hi - e->lo) / 2 <= rel * e->value);
		covered += e->lo <= exact && exact <= e->hi;
		reps_sum += pt.reps;
		reps_max = pt.reps > reps_max ? pt.reps : reps_max;
		sim_setup_free(&s);
	}
	free(stats);
	printf("  M/M/%u at %.2f to +-%.0f%%: exact %.3f us covered by %u of 100 intervals; "
	       "%.1f replications on average, at most %u\n", k, load, 100 * rel, exact, covered,
	       reps_sum / 100.0, reps_max);
	ck_assert_uint_ge(covered, 93);
}
END_TEST

/* The budget: a target no run reaches stops at --max-replications and says
 * which statistic missed it. */
START_TEST(precision_budget_reports_unmet)
{
	struct psp_workload wl;
	make_wl(&wl, 1, PSP_DIST_EXPONENTIAL, (double[]){10}, (double[]){1});
	struct sim_precision p = {.rel = 0.0001, .budget = 9, .stats = SIM_PRECISION_DEFAULT_STATS};
	struct sim_rep_stats stats[9];
	struct sim_setup s;
	sim_setup_default(&s, &wl, &psp_cfcfs_ops, 2);
	s.requests = 2000;
	struct sim_precise_point pt = {.setup = &s, .load = 0.7, .stats = stats};
	struct psp_err err;
	ck_assert_int_eq(sim_precise_run(&pt, 1, 6, &p, 0, 1, false, &err), 0);
	ck_assert(!pt.met);
	ck_assert_uint_eq(pt.reps, 9);
	ck_assert_ptr_nonnull(strstr(pt.unmet, "ALL p999_slowdown"));
	ck_assert_ptr_nonnull(strstr(pt.unmet, "ALL mean_us"));
	sim_setup_free(&s);
}
END_TEST

/* The replications a round asks: the 1/sqrt(R) rule, at most doubling,
 * at least one more, never past the budget. */
START_TEST(precision_next_round)
{
	struct sim_point pt = {.reps = 6, .ntypes = 0};
	pt.row[0].count = 100;
	pt.row[0].mean_us = (struct sim_est){100, 93, 107, false}; /* +-7% */
	struct sim_precision p = {.rel = 0.05, .budget = 60, .stats = 1u << SIM_STAT_MEAN_US};
	ck_assert(!sim_precision_met(&p, &pt, NULL, NULL, 0));
	ck_assert_uint_eq(sim_precision_next(&p, &pt), 12); /* 6 x 1.96 = 11.8 */
	pt.row[0].mean_us = (struct sim_est){100, 70, 130, false};
	ck_assert_uint_eq(sim_precision_next(&p, &pt), 12); /* doubling at most */
	pt.row[0].mean_us = (struct sim_est){100, 94.9, 105.1, false};
	ck_assert_uint_eq(sim_precision_next(&p, &pt), 7); /* one more at least */
	pt.row[0].mean_us = (struct sim_est){100, 95, 105, false};
	ck_assert(sim_precision_met(&p, &pt, NULL, NULL, 0));
	p.budget = 6;
	pt.row[0].mean_us = (struct sim_est){100, 70, 130, false};
	ck_assert_uint_eq(sim_precision_next(&p, &pt), 6);
	uint32_t stats;
	struct psp_err err;
	ck_assert_int_eq(sim_precision_parse_stats("p99_us,mean_slowdown", &stats, &err), 0);
	ck_assert_uint_eq(stats, (1u << SIM_STAT_P99_US) | (1u << SIM_STAT_MEAN_SLOW));
	ck_assert_int_eq(sim_precision_parse_stats("p99_us,growth_per_s", &stats, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "growth_per_s"));
}
END_TEST

/* --batches: one run's window cut into B batches whose counts add up to
 * the run's, each with the run's rates, and an M/M/1's mean covered. */
START_TEST(batch_means_of_one_run)
{
	struct psp_workload wl;
	make_wl(&wl, 1, PSP_DIST_EXPONENTIAL, (double[]){10}, (double[]){1});
	struct sim_setup s;
	sim_setup_default(&s, &wl, &psp_cfcfs_ops, 1);
	s.requests = 400000;
	s.batches = 10;
	struct sim_result res;
	struct psp_err err;
	ck_assert_int_eq(sim_run(&s, 0.7, &res, &err), 0);
	ck_assert_uint_eq(res.nbatches, 10);
	uint64_t count = 0;
	for (uint32_t b = 0; b < res.nbatches; b++) {
		ck_assert(res.batch[b].batch);
		ck_assert(res.batch[b].offered_rps == res.offered_rps);
		ck_assert(b == 0 || res.batch[b].measured_from > res.batch[b - 1].measured_from);
		count += res.batch[b].count[1];
	}
	ck_assert_uint_eq(count, res.lat[1].count);
	struct sim_point pt;
	sim_point_from(&pt, res.batch, res.nbatches);
	ck_assert(pt.batch_means);
	double exact = 10 / (1 - 0.7);
	printf("  batch means, M/M/1 at 0.7: exact %.2f us, %.2f [%.2f, %.2f]\n", exact,
	       pt.row[1].mean_us.value, pt.row[1].mean_us.lo, pt.row[1].mean_us.hi);
	ck_assert(pt.row[1].mean_us.lo <= exact && exact <= pt.row[1].mean_us.hi);
	sim_result_free(&res);
	sim_setup_free(&s);
}
END_TEST

Suite *psp_stopping_suite(void);
Suite *psp_stopping_suite(void)
{
	Suite *s = suite_create("stopping");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, mser_cuts_a_known_transient);
	tcase_add_test(tc, mser_keeps_a_stationary_series);
	tcase_add_test(tc, mser_flags_a_trend);
	tcase_add_test(tc, mm1_empty_start_removed);
	tcase_add_test(tc, profile_never_measured);
	tcase_add_test(tc, precision_next_round);
	tcase_add_test(tc, precision_budget_reports_unmet);
	tcase_add_test(tc, precision_mmk_coverage);
	tcase_add_test(tc, batch_means_of_one_run);
	suite_add_tcase(s, tc);
	return s;
}
