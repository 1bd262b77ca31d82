/* Check suite: psp-client's verdict (engine/client/verdict.c) on constructed
 * counts.  The verdict follows its definition: OVERLOADED when less than
 * 99.9% of the measured requests sent were answered within the window they
 * were sent in, and the rates it prints are over that one window, so that
 * they always agree with it. */
#include <check.h>
#include <math.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "client/selfcheck.h"
#include "client/verdict.h"

Suite *psp_engine_verdict_suite(void);

#define MS 1000000ull

/* 2000 rps for 6 s, the first 10% discarded: 10,800 measured requests sent
 * over the 5.4 s from 0.6 s to 6 s, every one answered. */
static struct cli_counts healthy(void)
{
	return (struct cli_counts){.sent = 10800, .answered = 10800, .answered_in_window = 10800,
				   .first_send_ns = 600 * MS, .last_send_ns = 5999 * MS,
				   .send_end_ns = 6000 * MS, .last_answer_ns = 5999 * MS + 20000};
}

/* Issue 21's case: every request answered, but the last reply came 6 ms
 * after the last send (the client or a worker descheduled for a few ms near
 * the end, on a machine the engine shares).  One late reply is one request
 * of 10,800, not the whole window stretched by 6 ms. */
START_TEST(one_late_reply_is_one_request)
{
	struct cli_counts c = healthy();
	c.answered_in_window = c.sent - 1;
	c.last_answer_ns = c.last_send_ns + 6 * MS;
	struct cli_verdict v;
	cli_verdict_compute(&c, &v);
	ck_assert_msg(v.kind == CLI_FINE, "every request answered, one late: judged %d, "
		      "offered %.1f achieved %.1f", v.kind, v.offered_rps, v.achieved_rps);
	ck_assert_double_eq_tol(v.offered_rps, 10800 / 5.4, 1e-6);
	ck_assert_double_eq_tol(v.achieved_rps, 10799 / 5.4, 1e-6);
}
END_TEST

/* Eleven replies after the window (0.1% is 10.8): overloaded. */
START_TEST(threshold)
{
	struct cli_counts c = healthy();
	struct cli_verdict v;
	c.answered_in_window = c.sent - 10;
	cli_verdict_compute(&c, &v);
	ck_assert_int_eq(v.kind, CLI_FINE);
	c.answered_in_window = c.sent - 11;
	cli_verdict_compute(&c, &v);
	ck_assert_int_eq(v.kind, CLI_OVERLOADED);
}
END_TEST

/* A server 5% too slow whose backlog drains within the timeout: every
 * request answered in the end, 5% of them after the window. */
START_TEST(drained_backlog_is_overloaded)
{
	struct cli_counts c = healthy();
	c.answered_in_window = c.sent * 95 / 100;
	c.last_answer_ns = c.send_end_ns + 270 * MS;
	struct cli_verdict v;
	cli_verdict_compute(&c, &v);
	ck_assert_int_eq(v.kind, CLI_OVERLOADED);
	ck_assert(v.achieved_rps < 0.999 * v.offered_rps);
}
END_TEST

/* Whatever the counts, the printed rates agree with the verdict:
 * OVERLOADED exactly when achieved < 99.9% of offered. */
START_TEST(rates_agree_with_the_verdict)
{
	for (uint64_t lost = 0; lost < 40; lost++)
		for (uint64_t late_ms = 0; late_ms < 30; late_ms += 3)
			for (uint64_t gap_ms = 0; gap_ms < 4; gap_ms++) {
				struct cli_counts c = healthy();
				c.last_send_ns = c.send_end_ns - gap_ms * MS;
				c.answered_in_window = c.sent - lost;
				c.last_answer_ns = c.last_send_ns + late_ms * MS;
				struct cli_verdict v;
				cli_verdict_compute(&c, &v);
				bool below = v.achieved_rps < 0.999 * v.offered_rps;
				ck_assert_msg((v.kind == CLI_OVERLOADED) == below,
					      "lost %llu late %llu ms gap %llu ms: verdict %d, "
					      "offered %.3f achieved %.3f",
					      (unsigned long long)lost, (unsigned long long)late_ms,
					      (unsigned long long)gap_ms, v.kind, v.offered_rps,
					      v.achieved_rps);
			}
}
END_TEST

/* Below 1000 measured requests 0.1% is less than one request: a single
 * reply in flight at the end would decide.  Not judged, and said so. */
START_TEST(too_few_requests_not_judged)
{
	struct cli_counts c = {.sent = 540, .answered = 540, .answered_in_window = 539,
			       .first_send_ns = 300 * MS, .last_send_ns = 2990 * MS,
			       .send_end_ns = 3000 * MS, .last_answer_ns = 3001 * MS};
	struct cli_verdict v;
	cli_verdict_compute(&c, &v);
	ck_assert_int_eq(v.kind, CLI_NOT_JUDGED);
	/* A clear loss is still a loss. */
	c.answered_in_window = c.answered = 400;
	cli_verdict_compute(&c, &v);
	ck_assert_int_eq(v.kind, CLI_OVERLOADED);
}
END_TEST

/* The generator's verdict on itself: GENERATOR-LIMITED exactly when the
 * send lateness p99 is above 10% of the latency p99. */
START_TEST(generator_limited_rule)
{
	ck_assert(!cli_generator_limited(0, 100000));
	ck_assert(!cli_generator_limited(10000, 100000));
	ck_assert(cli_generator_limited(10001, 100000));
	ck_assert(cli_generator_limited(5000000, 5200000)); /* a paused generator */
	ck_assert(!cli_generator_limited(500, 150000));     /* a healthy run */
}
END_TEST

/* Known points of the Kolmogorov distribution: Q(1.36) = 0.049,
 * Q(1.63) = 0.0098, Q(1.22) = 0.102 (lambda = sqrt(n) D for large n). */
START_TEST(ks_p_values)
{
	uint64_t n = 100000000;
	double sn = sqrt((double)n) + 0.12 + 0.11 / sqrt((double)n);
	ck_assert_double_eq_tol(cli_ks_p(1.36 / sn, n), 0.0494, 0.0005);
	ck_assert_double_eq_tol(cli_ks_p(1.63 / sn, n), 0.0098, 0.0003);
	ck_assert_double_eq_tol(cli_ks_p(1.22 / sn, n), 0.1019, 0.0005);
	ck_assert_double_eq(cli_ks_p(0, n), 1);
}
END_TEST

static double gof_of(gsl_rng *r, double rate_per_ns, double true_rate_per_ns, bool constant,
		     uint32_t n)
{
	struct cli_gof g;
	ck_assert_int_eq(cli_gof_init(&g, rate_per_ns), 0);
	for (uint32_t i = 0; i < n; i++)
		cli_gof_add(&g, constant ? 1 / true_rate_per_ns
					 : gsl_ran_exponential(r, 1 / true_rate_per_ns));
	double d, p = cli_gof_result(&g, &d);
	cli_gof_free(&g);
	return p;
}

/* The inter-arrival test at its significance (1%): Poisson gaps at the
 * target rate are accepted (in 40 runs of 20,000 gaps, at most 3 rejections:
 * P(4 or more) = 0.0008 for a test of exact size 1%); constant gaps at the
 * same mean, and Poisson gaps 5% too fast, are rejected. */
START_TEST(gof_accepts_poisson_rejects_others)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	double rate = 2000 / 1e9; /* 2000 rps */
	int rejected = 0;
	for (int i = 0; i < 40; i++) {
		gsl_rng_set(r, (unsigned long)i + 1);
		rejected += gof_of(r, rate, rate, false, 20000) < CLI_GOF_ALPHA;
	}
	ck_assert_msg(rejected <= 3, "Poisson rejected in %d of 40 runs", rejected);
	double pc = gof_of(r, rate, rate, true, 20000);
	ck_assert_msg(pc < CLI_GOF_ALPHA, "constant gaps accepted: p = %g", pc);
	/* Constant gaps are rejected even from a few hundred of them. */
	ck_assert(gof_of(r, rate, rate, true, 300) < CLI_GOF_ALPHA);
	double pf = gof_of(r, rate, rate * 1.05, false, 20000);
	ck_assert_msg(pf < CLI_GOF_ALPHA, "gaps 5%% too short accepted: p = %g", pf);
	gsl_rng_free(r);
}
END_TEST

/* The p-value is calibrated: over 1000 runs of 500 Poisson gaps, about 5%
 * fall below 0.05 and 1% below 0.01 (binned D is an upper bound, so
 * slightly more, never fewer by much). */
START_TEST(gof_calibrated)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 7);
	double rate = 1e-4;
	int below5 = 0, below1 = 0;
	for (int i = 0; i < 1000; i++) {
		double p = gof_of(r, rate, rate, false, 500);
		below5 += p < 0.05;
		below1 += p < 0.01;
	}
	gsl_rng_free(r);
	/* Binomial(1000, 0.05): sd 6.9; (1000, 0.01): sd 3.1. */
	ck_assert_msg(below5 >= 30 && below5 <= 72, "%d of 1000 below 0.05", below5);
	ck_assert_msg(below1 >= 2 && below1 <= 20, "%d of 1000 below 0.01", below1);
}
END_TEST

/* Order-statistic intervals: for n = 100 the median's 95% interval is
 * [x(40), x(61)] (coverage 96.5%; the textbook ranks), and p99 of 100 values
 * has none (x(100) covers it with probability 1 - 0.99^100 = 63% only). */
START_TEST(quantile_ci_ranks)
{
	static struct psp_hist h;
	psp_hist_reset(&h);
	for (uint64_t v = 1; v <= 100; v++)
		psp_hist_record(&h, v); /* below 128: recorded exactly */
	uint64_t lo, hi;
	ck_assert_int_eq(cli_quantile_ci(&h, 0.5, &lo, &hi), 0);
	ck_assert_uint_eq(lo, 40);
	ck_assert_uint_eq(hi, 61);
	ck_assert_int_eq(cli_quantile_ci(&h, 0.99, &lo, &hi), -1);
	/* 10,000 values: p99's interval straddles x(9900), inside [x(9880),
	 * x(9920)] (n q +- 1.96 sqrt(n q (1 - q)) = 9900 +- 19.5). */
	static struct psp_hist big;
	psp_hist_reset(&big);
	for (uint64_t v = 1; v <= 10000; v++)
		psp_hist_record(&big, v * 1000);
	ck_assert_int_eq(cli_quantile_ci(&big, 0.99, &lo, &hi), 0);
	ck_assert_msg(lo >= 9875000 * 0.996 && lo <= 9885000 * 1.004 && hi >= 9915000 * 0.996 &&
		      hi <= 9925000 * 1.004, "p99 of 1..10000 (x1000): [%llu, %llu]",
		      (unsigned long long)lo, (unsigned long long)hi);
}
END_TEST

Suite *psp_engine_verdict_suite(void)
{
	Suite *s = suite_create("psp_client_verdict");
	TCase *tc = tcase_create("verdict");
	tcase_set_timeout(tc, 30); /* gof_calibrated: 1000 tests of 65536 bins (sanitizers) */
	tcase_add_test(tc, one_late_reply_is_one_request);
	tcase_add_test(tc, threshold);
	tcase_add_test(tc, drained_backlog_is_overloaded);
	tcase_add_test(tc, rates_agree_with_the_verdict);
	tcase_add_test(tc, too_few_requests_not_judged);
	tcase_add_test(tc, generator_limited_rule);
	tcase_add_test(tc, ks_p_values);
	tcase_add_test(tc, gof_accepts_poisson_rejects_others);
	tcase_add_test(tc, gof_calibrated);
	tcase_add_test(tc, quantile_ci_ranks);
	suite_add_tcase(s, tc);
	return s;
}
