/* Time sharing driven by scripted event sequences (tests/policy_harness.h). */
#include <check.h>

#include "policy_harness.h"

Suite *psp_ts_suite(void);

#define Q 5000u /* quantum, ns */

static struct test_conf conf(uint32_t nworkers, int v)
{
	struct test_conf c;
	test_conf_default(&c, nworkers, 2);
	c.ts_quantum_ns = Q;
	c.ts_variant = v;
	return c;
}

/* One worker, single queue: every start carries slice_ns = quantum, and a
 * preempted request goes behind those already waiting. */
START_TEST(test_single_queue_requeue_tail)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 1},       {H_ARRIVE, 1000, 1, 0},
		{H_ARRIVE, 2000, 2, 1},    {H_PREEMPT, 5000, 0, 0},
		{H_FINISH, 7000, 1, 0},    {H_PREEMPT, 12000, 2, 0},
		{H_FINISH, 14000, 0, 0},   {H_FINISH, 15000, 2, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, Q}, {5000, 1, 0, Q}, {7000, 2, 0, Q}, {12000, 0, 0, Q},
		{14000, 2, 0, Q},
	};
	struct test_conf c = conf(1, PSP_TS_SINGLE_QUEUE);
	struct harness *h = h_create(&psp_ts_ops, &c);
	h_run(h, steps, H_LEN(steps));
	h_expect(h, exp, H_LEN(exp));
	ck_assert_uint_eq(h->req[0].preemptions, 1);
	ck_assert_uint_eq(h->req[2].preemptions, 1);
	ck_assert_uint_eq(h->req[1].preemptions, 0);
	ck_assert_uint_eq(h->p->queued, 0);
	h_destroy(h);
}
END_TEST

/* Single queue over 2 workers is FCFS across types: all workers busy means
 * the request waits, and it starts on the worker that frees up. */
START_TEST(test_single_queue_wait)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 1},    {H_ARRIVE, 10, 1, 1},  {H_ARRIVE, 20, 2, 0},
		{H_ARRIVE, 30, 3, 0},   {H_PREEMPT, 5010, 1, 0}, {H_FINISH, 5020, 2, 0},
		{H_PREEMPT, 5030, 0, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, Q},  {10, 1, 1, Q}, {5010, 2, 1, Q}, {5020, 3, 1, Q},
		{5030, 1, 0, Q},
	};
	struct test_conf c = conf(2, PSP_TS_SINGLE_QUEUE);
	h_script(&psp_ts_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* Per type, SLO = 10 x mean: type 0 mean 100 ns (SLO 1 us), type 1 mean
 * 1000 ns (SLO 10 us).  One worker is busy until t=1000 with r0.  r1 (type 1)
 * arrived at 10, r2 (type 0) at 500.  At t=1000: r1 has waited 990 / 10000 =
 * 0.099 of its SLO, r2 500 / 1000 = 0.5: the younger r2 goes first. */
START_TEST(test_per_type_slo_beats_age)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 0},     {H_ARRIVE, 10, 1, 1}, {H_ARRIVE, 500, 2, 0},
		{H_FINISH, 1000, 0, 0},  {H_FINISH, 1100, 2, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, Q}, {1000, 2, 0, Q}, {1100, 1, 0, Q},
	};
	struct test_conf c = conf(1, PSP_TS_PER_TYPE);
	c.type_mean_ns[0] = 100;
	c.type_mean_ns[1] = 1000;
	h_script(&psp_ts_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* Same, but r2 arrives at 995: 5 / 1000 = 0.005 < 0.099, so the older type-1
 * request keeps its turn: the short type is favoured, not given absolute
 * priority. */
START_TEST(test_per_type_age_still_counts)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 0},     {H_ARRIVE, 10, 1, 1}, {H_ARRIVE, 995, 2, 0},
		{H_FINISH, 1000, 0, 0},  {H_FINISH, 1100, 1, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, Q}, {1000, 1, 0, Q}, {1100, 2, 0, Q},
	};
	struct test_conf c = conf(1, PSP_TS_PER_TYPE);
	c.type_mean_ns[0] = 100;
	c.type_mean_ns[1] = 1000;
	h_script(&psp_ts_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* No means configured: every type borrows 1 us, so the order is by age
 * (SLO-relative waits with equal SLOs).  Completions then teach the policy
 * type 0 ~ 100 ns and type 1 ~ 5 us (a mean summed over all stints, r1's two
 * included), and the SLO order appears: at t=40000 r5 (type 0, waited 1 us =
 * 10x its 100 ns mean = 1 SLO) beats r3 (type 1, waited 10 us, about 0.1 of
 * its SLO) although r3 is older.  Without learning (equal SLOs) r3 would win. */
START_TEST(test_per_type_learns_means)
{
	static const struct h_step steps[] = {
		/* learning: age order while nothing is known */
		{H_ARRIVE, 0, 0, 1},       {H_ARRIVE, 10, 1, 1},
		{H_ARRIVE, 20, 2, 0},      {H_FINISH, 100, 0, 0},
		{H_PREEMPT, 5100, 1, 0},   {H_FINISH, 10100, 1, 0},
		{H_FINISH, 10200, 2, 0},
		/* learned: type 0 mean 100 ns, type 1 (100+5000+5000)/2 ns */
		{H_ARRIVE, 30000, 3, 1},   {H_ARRIVE, 30010, 4, 1},
		{H_PREEMPT, 35000, 3, 0},  {H_ARRIVE, 39000, 5, 0},
		{H_PREEMPT, 40000, 4, 0},  {H_FINISH, 40100, 5, 0},
	};
	static const struct h_assign exp[] = {
		/* r1 keeps winning at 5100: it is older than r2 (10 vs 20 ns) */
		{0, 0, 0, Q},          {100, 1, 0, Q},   {5100, 1, 0, Q},
		{10100, 2, 0, Q},      {30000, 3, 0, Q}, {35000, 4, 0, Q},
		{40000, 5, 0, Q},      {40100, 3, 0, Q},
	};
	struct test_conf c = conf(1, PSP_TS_PER_TYPE);
	h_script(&psp_ts_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* A type with no mean borrows the smallest known one.  Type 0 is configured
 * at 100 ns, type 1 unknown: both SLOs are 1 us, so at t=1000 the older r1
 * (type 1, 990 ns) beats r2 (type 0, 500 ns).  Had type 1 borrowed the 1 us
 * default instead (SLO 10 us), r2 would have won; with no SLO at all it
 * would starve. */
START_TEST(test_per_type_unknown_mean_borrows_smallest)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 0},    {H_ARRIVE, 10, 1, 1}, {H_ARRIVE, 500, 2, 0},
		{H_FINISH, 1000, 0, 0},
	};
	static const struct h_assign exp[] = {{0, 0, 0, Q}, {1000, 1, 0, Q}};
	struct test_conf c = conf(1, PSP_TS_PER_TYPE);
	c.type_mean_ns[0] = 100;
	h_script(&psp_ts_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* Requests of no configured type have their own queue and are served. */
START_TEST(test_per_type_unknown_type)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 0},   {H_ARRIVE, 10, 1, PSP_TYPE_UNKNOWN},
		{H_FINISH, 100, 0, 0}, {H_ARRIVE, 200, 2, 1}, {H_FINISH, 300, 1, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, Q}, {100, 1, 0, Q}, {300, 2, 0, Q},
	};
	struct test_conf c = conf(1, PSP_TS_PER_TYPE);
	c.type_mean_ns[0] = 1000;
	c.type_mean_ns[1] = 1000;
	h_script(&psp_ts_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

static size_t tick(struct harness *h, uint64_t now, uint32_t *w, size_t cap)
{
	return psp_policy_tick(h->p, now, w, cap);
}

/* tick names exactly the busy workers whose current stint has run for at
 * least the quantum: w0 from 0, w1 from 2000, w2 from 4000. */
START_TEST(test_tick)
{
	struct test_conf c = conf(4, PSP_TS_SINGLE_QUEUE);
	struct harness *h = h_create(&psp_ts_ops, &c);
	uint32_t w[PSP_MAX_WORKERS];

	ck_assert_uint_eq(tick(h, 0, w, 4), 0); /* nobody busy */
	h_arrive(h, 0, 0, 0);
	h_arrive(h, 1, 0, 2000);
	h_arrive(h, 2, 0, 4000);
	ck_assert_uint_eq(tick(h, 4999, w, 4), 0);
	ck_assert_uint_eq(tick(h, 5000, w, 4), 1);
	ck_assert_uint_eq(w[0], 0);
	ck_assert_uint_eq(tick(h, 6999, w, 4), 1); /* named again until handed back */
	ck_assert_uint_eq(w[0], 0);
	ck_assert_uint_eq(tick(h, 7000, w, 4), 2);
	ck_assert_uint_eq(w[0], 0);
	ck_assert_uint_eq(w[1], 1);

	/* the host preempts r0; it restarts at once (w0 is the lowest idle
	 * worker) and its new stint starts now */
	h_stop(h, 0, false, 7000);
	ck_assert_uint_eq(h->req[0].worker, 0);
	ck_assert_uint_eq(tick(h, 9000, w, 4), 2);
	ck_assert_uint_eq(w[0], 1);
	ck_assert_uint_eq(w[1], 2);
	ck_assert_uint_eq(tick(h, 9000, w, 1), 1); /* cap respected */
	ck_assert_uint_eq(w[0], 1);

	/* a worker that finished is idle: never named, however long ago it
	 * started */
	h_stop(h, 1, true, 9000);
	h_stop(h, 2, true, 9000);
	ck_assert_uint_eq(tick(h, 12000, w, 4), 1);
	ck_assert_uint_eq(w[0], 0);
	h_stop(h, 0, true, 12000);
	ck_assert_uint_eq(tick(h, 100000, w, 4), 0);
	h_destroy(h);
}
END_TEST

START_TEST(test_describe)
{
	struct test_conf c = conf(2, PSP_TS_SINGLE_QUEUE);
	struct harness *h = h_create(&psp_ts_ops, &c);
	char buf[128];
	psp_policy_describe(h->p, buf, sizeof(buf));
	ck_assert_str_eq(buf, "quantum 5.0 us, single queue");
	h_destroy(h);
	c = conf(2, PSP_TS_PER_TYPE);
	c.ts_quantum_ns = 10000;
	h = h_create(&psp_ts_ops, &c);
	psp_policy_describe(h->p, buf, sizeof(buf));
	ck_assert_str_eq(buf, "quantum 10.0 us, per-type queues, SLO 10x type mean");
	h_destroy(h);
}
END_TEST

Suite *psp_ts_suite(void)
{
	Suite *s = suite_create("ts");
	TCase *tc = tcase_create("scripted");
	tcase_add_test(tc, test_single_queue_requeue_tail);
	tcase_add_test(tc, test_single_queue_wait);
	tcase_add_test(tc, test_per_type_slo_beats_age);
	tcase_add_test(tc, test_per_type_age_still_counts);
	tcase_add_test(tc, test_per_type_learns_means);
	tcase_add_test(tc, test_per_type_unknown_mean_borrows_smallest);
	tcase_add_test(tc, test_per_type_unknown_type);
	tcase_add_test(tc, test_tick);
	tcase_add_test(tc, test_describe);
	suite_add_tcase(s, tc);
	return s;
}
