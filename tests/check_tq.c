/* tq (Tiny Quanta) driven by scripted event sequences
 * (tests/policy_harness.h). */
#include <check.h>
#include <errno.h>

#include "policy_harness.h"

Suite *psp_tq_suite(void);

#define Q 5000u /* quantum, ns */

static struct test_conf conf(uint32_t nworkers, uint32_t slots)
{
	struct test_conf c;
	test_conf_default(&c, nworkers, 2);
	c.ts_quantum_ns = Q;
	c.slots = slots;
	return c;
}

/* 3 workers, 2 slots: arrivals join the worker holding the fewest (lowest id
 * on a tie), every assignment carries the quantum; with every slot taken r6
 * and r7 wait centrally and each takes the next freed slot.  A preempted
 * request goes back to the worker it ran on, before the central waiters:
 * when r0 is preempted on w0 its slot goes to r0 again, not to r7. */
START_TEST(test_jsq_and_back_first)
{
	struct test_conf c = conf(3, 2);
	struct harness *h = h_create(&psp_tq_ops, &c);
	for (uint32_t i = 0; i < 8; i++)
		h_arrive(h, i, 0, i);
	ck_assert_uint_eq(psp_policy_queued(h->p), 2);
	ck_assert_uint_eq(psp_policy_held(h->p), 6);
	h_stop(h, 1, true, 10);    /* w1: r4 runs, r6 takes the slot */
	ck_assert_uint_eq(psp_policy_queued(h->p), 1);
	h_stop(h, 0, false, Q);    /* w0: r3 runs, r0 back behind it; r7 waits */
	ck_assert_uint_eq(psp_policy_queued(h->p), 1);
	ck_assert_uint_eq(h_running(h, 0), 3);
	ck_assert_uint_eq(h->held[0][1], 0);
	ck_assert_uint_eq(h->req[0].preemptions, 1);
	h_stop(h, 3, true, Q + 100); /* w0: r0 runs again, r7 takes the slot */
	ck_assert_uint_eq(h_running(h, 0), 0);
	ck_assert_uint_eq(psp_policy_queued(h->p), 0);
	static const struct h_assign exp[] = {
		{0, 0, 0, Q},  {1, 1, 1, Q},  {2, 2, 2, Q},  {3, 3, 0, Q},
		{4, 4, 1, Q},  {5, 5, 2, Q},  {10, 6, 1, Q}, {Q, 0, 0, Q},
		{Q + 100, 7, 0, Q},
	};
	h_expect(h, exp, H_LEN(exp));
	h_destroy(h);
}
END_TEST

/* A preempted request never migrates: r0 goes back to w0 although w1 is
 * idle (JSQ would pick w1), and only a new arrival goes to w1. */
START_TEST(test_no_migration)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 0},  {H_ARRIVE, 1, 1, 0},  {H_ARRIVE, 2, 2, 0},
		{H_FINISH, 10, 1, 0}, {H_PREEMPT, Q, 0, 0}, {H_ARRIVE, Q + 1, 3, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, Q}, {1, 1, 1, Q}, {2, 2, 0, Q}, {Q, 0, 0, Q}, {Q + 1, 3, 1, Q},
	};
	struct test_conf c = conf(2, 4);
	struct harness *h = h_create(&psp_tq_ops, &c);
	h_run(h, steps, H_LEN(steps));
	h_expect(h, exp, H_LEN(exp));
	ck_assert_uint_eq(h_running(h, 0), 2); /* r2 runs, r0 behind it */
	ck_assert_uint_eq(h->held[0][1], 0);
	h_destroy(h);
}
END_TEST

/* One worker time-shares what it holds round robin: a preempted request
 * goes to the tail of the worker's FIFO, behind requests that arrived
 * before the preemption and ahead of later ones. */
START_TEST(test_round_robin_on_a_worker)
{
	struct test_conf c = conf(1, 16);
	struct harness *h = h_create(&psp_tq_ops, &c);
	h_arrive(h, 0, 0, 0);
	h_arrive(h, 1, 1, 1);
	h_stop(h, 0, false, Q);          /* [r1 r0] */
	h_arrive(h, 2, 0, Q + 1);        /* [r1 r0 r2] */
	h_stop(h, 1, false, 2 * Q);      /* [r0 r2 r1] */
	h_arrive(h, 3, 0, 2 * Q + 1);    /* [r0 r2 r1 r3] */
	static const uint32_t order[] = {0, 2, 1, 3};
	ck_assert_uint_eq(h->nheld[0], 4);
	for (uint32_t i = 0; i < 4; i++)
		ck_assert_uint_eq(h->held[0][i], order[i]);
	h_stop(h, 0, true, 2 * Q + 10);
	h_stop(h, 2, false, 3 * Q + 10); /* [r1 r3 r2] */
	ck_assert_uint_eq(h_running(h, 0), 1);
	ck_assert_uint_eq(h->held[0][1], 3);
	ck_assert_uint_eq(h->held[0][2], 2);
	ck_assert_uint_eq(psp_policy_queued(h->p), 0);
	static const struct h_assign exp[] = {
		{0, 0, 0, Q},         {1, 1, 0, Q},     {Q, 0, 0, Q},
		{Q + 1, 2, 0, Q},     {2 * Q, 1, 0, Q}, {2 * Q + 1, 3, 0, Q},
		{3 * Q + 10, 2, 0, Q},
	};
	h_expect(h, exp, H_LEN(exp));
	h_destroy(h);
}
END_TEST

/* Preempted requests of several workers at one instant (a burst handed back
 * before a dispatch) each go back to their own worker, before the central
 * waiters get a slot. */
START_TEST(test_back_several_workers)
{
	struct test_conf c = conf(2, 1);
	struct harness *h = h_create(&psp_tq_ops, &c);
	h_arrive(h, 0, 0, 0);
	h_arrive(h, 1, 0, 0);
	h_arrive(h, 2, 0, 1); /* waits */
	/* hand both back, then dispatch once */
	for (uint32_t id = 0; id < 2; id++) {
		struct psp_req *r = &h->req[id];
		h->nheld[r->worker] = 0;
		h->state[id] = H_QUEUED;
		psp_policy_complete(h->p, r->worker, r, Q, false, Q);
	}
	ck_assert_uint_eq(psp_policy_queued(h->p), 3);
	ck_assert_uint_eq(h_dispatch(h, Q), 2);
	static const struct h_assign exp[] = {
		{0, 0, 0, Q}, {0, 1, 1, Q}, {Q, 0, 0, Q}, {Q, 1, 1, Q},
	};
	h_expect(h, exp, H_LEN(exp));
	ck_assert_uint_eq(psp_policy_queued(h->p), 1); /* r2 still waits */
	h_destroy(h);
}
END_TEST

/* The worker times its own slices: no tick, however long a request runs. */
START_TEST(test_no_tick)
{
	ck_assert_ptr_null(psp_tq_ops.tick);
	ck_assert(psp_tq_ops.props.flags & PSP_POLICY_WORKER_TIMED);
	ck_assert(psp_tq_ops.props.flags & PSP_POLICY_PREEMPTIVE);
	struct test_conf c = conf(2, 0);
	struct harness *h = h_create(&psp_tq_ops, &c);
	ck_assert_uint_eq(psp_policy_slots(h->p), 16); /* the default */
	h_arrive(h, 0, 0, 0);
	uint32_t w[4];
	ck_assert_uint_eq(psp_policy_tick(h->p, 100 * Q, w, 4), 0);
	h_destroy(h);
}
END_TEST

START_TEST(test_create_errors)
{
	struct psp_err err;
	struct test_conf c = conf(2, 0);
	c.ts_quantum_ns = 0;
	ck_assert_ptr_null(test_policy_create(&psp_tq_ops, &c, &err));
	ck_assert_int_eq(err.code, -EINVAL);
	ck_assert_str_eq(err.key, "quantum_us");
	c = conf(2, PSP_MAX_SLOTS + 1);
	ck_assert_ptr_null(test_policy_create(&psp_tq_ops, &c, &err));
	ck_assert_str_eq(err.key, "slots");
	c.slots = PSP_MAX_SLOTS;
	struct psp_policy *p = test_policy_create(&psp_tq_ops, &c, &err);
	ck_assert_ptr_nonnull(p);
	char buf[96];
	psp_policy_describe(p, buf, sizeof(buf));
	ck_assert_str_eq(buf, "JSQ over 64 slots per worker, quantum 5 us per worker");
	psp_policy_destroy(p);
}
END_TEST

Suite *psp_tq_suite(void)
{
	Suite *s = suite_create("tq");
	TCase *tc = tcase_create("scripted");
	tcase_add_test(tc, test_jsq_and_back_first);
	tcase_add_test(tc, test_no_migration);
	tcase_add_test(tc, test_round_robin_on_a_worker);
	tcase_add_test(tc, test_back_several_workers);
	tcase_add_test(tc, test_no_tick);
	tcase_add_test(tc, test_create_errors);
	suite_add_tcase(s, tc);
	return s;
}
