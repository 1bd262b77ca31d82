/* concord (JBSQ(k) + time sharing) driven by scripted event sequences
 * (tests/policy_harness.h). */
#include <check.h>
#include <errno.h>

#include "policy_harness.h"

Suite *psp_concord_suite(void);

#define Q 5000u /* quantum, ns */

static struct test_conf conf(uint32_t nworkers, uint32_t slots)
{
	struct test_conf c;
	test_conf_default(&c, nworkers, 2);
	c.ts_quantum_ns = Q;
	c.slots = slots;
	return c;
}

/* One worker, k = 2: r0 runs, r1 is held, r2 and r3 wait centrally.  r0's
 * preemption starts r1 and sends r0 to the central tail, behind r2 and r3:
 * the freed slot goes to r2.  The order of service is one round robin over
 * every request in the system. */
START_TEST(test_preempted_to_central_tail)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 0},      {H_ARRIVE, 1, 1, 1},       {H_ARRIVE, 2, 2, 0},
		{H_ARRIVE, 3, 3, 1},      {H_PREEMPT, Q, 0, 0},      {H_FINISH, Q + 10, 1, 0},
		{H_PREEMPT, 2 * Q + 10, 2, 0}, {H_FINISH, 2 * Q + 20, 3, 0},
		{H_FINISH, 2 * Q + 30, 0, 0},  {H_FINISH, 2 * Q + 40, 2, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, Q},           {1, 1, 0, Q},           {Q, 2, 0, Q},
		{Q + 10, 3, 0, Q},      {2 * Q + 10, 0, 0, Q},  {2 * Q + 20, 2, 0, Q},
	};
	struct test_conf c = conf(1, 2);
	struct harness *h = h_create(&psp_concord_ops, &c);
	h_run(h, steps, H_LEN(steps));
	h_expect(h, exp, H_LEN(exp));
	ck_assert_uint_eq(h->req[0].preemptions, 1);
	ck_assert_uint_eq(h->req[2].preemptions, 1);
	ck_assert_uint_eq(psp_policy_held(h->p), 0);
	ck_assert(psp_policy_worker_idle(h->p, 0));
	h_destroy(h);
}
END_TEST

/* A preempted request may resume on another worker (k = 1, 2 workers): r0,
 * preempted on w0 behind the waiting r2, resumes on w1 when w1 frees. */
START_TEST(test_preempted_migrates)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 0}, {H_ARRIVE, 1, 1, 0},       {H_ARRIVE, 2, 2, 0},
		{H_PREEMPT, Q, 0, 0}, {H_FINISH, Q + 10, 1, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, Q}, {1, 1, 1, Q}, {Q, 2, 0, Q}, {Q + 10, 0, 1, Q},
	};
	struct test_conf c = conf(2, 1);
	h_script(&psp_concord_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* JBSQ placement: the worker holding the fewest, lowest id on a tie, at
 * most k; the default k is 2. */
START_TEST(test_jbsq_placement)
{
	struct test_conf c = conf(2, 0);
	struct harness *h = h_create(&psp_concord_ops, &c);
	ck_assert_uint_eq(psp_policy_slots(h->p), 2);
	for (uint32_t i = 0; i < 5; i++)
		h_arrive(h, i, 0, i);
	h_stop(h, 1, true, 10); /* w1 holds r3: r4 joins it */
	h_stop(h, 3, true, 11); /* w1 holds r4 */
	h_stop(h, 0, true, 12); /* w0 holds r2 */
	h_arrive(h, 5, 0, 13);  /* 1 and 1: w0 */
	h_stop(h, 4, true, 14); /* w1 idle */
	h_arrive(h, 6, 0, 15);  /* w0 2, w1 0: w1 */
	h_arrive(h, 7, 0, 16);  /* w1 */
	h_arrive(h, 8, 0, 17);  /* full: waits */
	static const struct h_assign exp[] = {
		{0, 0, 0, Q},  {1, 1, 1, Q},  {2, 2, 0, Q},  {3, 3, 1, Q},
		{10, 4, 1, Q}, {13, 5, 0, Q}, {15, 6, 1, Q}, {16, 7, 1, Q},
	};
	h_expect(h, exp, H_LEN(exp));
	ck_assert_uint_eq(psp_policy_queued(h->p), 1);
	h_destroy(h);
}
END_TEST

/* tick() output, sorted as the policy writes it (ascending worker ids). */
static void expect_tick(struct harness *h, uint64_t now, const uint32_t *want, size_t n)
{
	uint32_t w[PSP_MAX_WORKERS];
	size_t got = psp_policy_tick(h->p, now, w, PSP_MAX_WORKERS);
	ck_assert_msg(got == n, "t=%llu: tick named %zu workers, expected %zu",
		      (unsigned long long)now, got, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(w[i] == want[i], "t=%llu: tick[%zu] = %u, expected %u",
			      (unsigned long long)now, i, w[i], want[i]);
}

#define TICK(h, now, ...)                                                          \
	do {                                                                       \
		static const uint32_t want_[] = {__VA_ARGS__};                   \
		expect_tick(h, now, want_, H_LEN(want_));                          \
	} while (0)
#define TICK_NONE(h, now) expect_tick(h, now, NULL, 0)

/* tick names exactly the workers whose running request has run for at
 * least the quantum, counted from when it started: a dispatch to a worker
 * holding nothing, or the stop of the request ahead of it (a second slot's
 * request starts when the first completes or is preempted, not when it was
 * assigned). */
START_TEST(test_tick_stint_start)
{
	struct test_conf c = conf(3, 2);
	struct harness *h = h_create(&psp_concord_ops, &c);
	TICK_NONE(h, 0);
	h_arrive(h, 0, 0, 0);    /* w0 from 0 */
	h_arrive(h, 1, 0, 1000); /* w1 from 1000 */
	h_arrive(h, 2, 0, 1500); /* w2 from 1500 */
	h_arrive(h, 3, 0, 2000); /* w0's second slot: w0's stint unchanged */
	h_arrive(h, 4, 0, 3000); /* w1's second slot */
	TICK_NONE(h, Q - 1);
	TICK(h, Q, 0);
	TICK(h, Q + 999, 0);     /* named again until handed back */
	TICK(h, Q + 1000, 0, 1);
	/* r0 finishes before its preemption: r3 starts on w0 now */
	h_stop(h, 0, true, 6200);
	ck_assert_uint_eq(h_running(h, 0), 3);
	TICK(h, 6200, 1);
	TICK(h, 1500 + Q, 1, 2);
	TICK(h, 6200 + Q - 1, 1, 2);
	TICK(h, 6200 + Q, 0, 1, 2);
	/* r1 preempted on w1 at 11300: r4 (assigned at 3000) starts now; r1
	 * goes to the central tail and from there to w0 (every worker holds
	 * one: the lowest id) as its second slot: w0's stint is still r3's */
	h_stop(h, 1, false, 11300);
	ck_assert_uint_eq(h->log[h->nlog - 1].req, 1);
	ck_assert_uint_eq(h->log[h->nlog - 1].worker, 0);
	ck_assert_uint_eq(h_running(h, 1), 4);
	TICK(h, 11300, 0, 2);
	TICK(h, 11300 + Q - 1, 0, 2);
	TICK(h, 11300 + Q, 0, 1, 2);
	/* a preempted request that was its worker's only one comes straight
	 * back (nothing waits; w2 holds the fewest), and its new stint starts
	 * at the preemption */
	h_stop(h, 2, false, 16400);
	ck_assert_uint_eq(h_running(h, 2), 2);
	TICK(h, 16400, 0, 1);
	TICK(h, 16400 + Q - 1, 0, 1);
	TICK(h, 16400 + Q, 0, 1, 2);
	/* idle workers are never named, however long ago they started */
	h_stop(h, 3, true, 30000); /* r1 starts on w0 */
	h_stop(h, 4, true, 30000);
	h_stop(h, 2, true, 30000);
	TICK_NONE(h, 30000 + Q - 1);
	TICK(h, 30000 + Q, 0);
	h_stop(h, 1, true, 40000);
	TICK_NONE(h, 1000000);
	/* cap is respected */
	h_arrive(h, 5, 0, 1000000);
	h_arrive(h, 6, 0, 1000000);
	uint32_t w[2];
	ck_assert_uint_eq(psp_policy_tick(h->p, 1000000 + Q, w, 1), 1);
	ck_assert_uint_eq(w[0], 0);
	h_destroy(h);
}
END_TEST

START_TEST(test_create_errors)
{
	ck_assert(psp_concord_ops.props.flags & PSP_POLICY_PREEMPTIVE);
	ck_assert(!(psp_concord_ops.props.flags & PSP_POLICY_WORKER_TIMED));
	ck_assert_ptr_nonnull(psp_concord_ops.tick);
	struct psp_err err;
	struct test_conf c = conf(2, 0);
	c.ts_quantum_ns = 0;
	ck_assert_ptr_null(test_policy_create(&psp_concord_ops, &c, &err));
	ck_assert_int_eq(err.code, -EINVAL);
	ck_assert_str_eq(err.key, "quantum_us");
	c = conf(2, PSP_MAX_SLOTS + 1);
	ck_assert_ptr_null(test_policy_create(&psp_concord_ops, &c, &err));
	ck_assert_str_eq(err.key, "slots");
	c.slots = 3;
	struct psp_policy *p = test_policy_create(&psp_concord_ops, &c, &err);
	ck_assert_ptr_nonnull(p);
	char buf[96];
	psp_policy_describe(p, buf, sizeof(buf));
	ck_assert_str_eq(buf, "JBSQ(3), quantum 5 us, preempted to the central tail");
	psp_policy_destroy(p);
}
END_TEST

Suite *psp_concord_suite(void)
{
	Suite *s = suite_create("concord");
	TCase *tc = tcase_create("scripted");
	tcase_add_test(tc, test_preempted_to_central_tail);
	tcase_add_test(tc, test_preempted_migrates);
	tcase_add_test(tc, test_jbsq_placement);
	tcase_add_test(tc, test_tick_stint_start);
	tcase_add_test(tc, test_create_errors);
	suite_add_tcase(s, tc);
	return s;
}
