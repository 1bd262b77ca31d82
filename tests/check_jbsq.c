/* JBSQ(k) driven by scripted event sequences (tests/policy_harness.h). */
#include <check.h>
#include <errno.h>

#include "policy_harness.h"

Suite *psp_jbsq_suite(void);

static struct test_conf conf(uint32_t nworkers, uint32_t slots)
{
	struct test_conf c;
	test_conf_default(&c, nworkers, 2);
	c.slots = slots;
	return c;
}

/* k = 2, 3 workers.  Six arrivals fill the slots round by round (every
 * worker holds one before any holds two: fewest held first, lowest id on a
 * tie); the seventh and eighth wait centrally, in order, and each goes to
 * the worker whose slot frees.  Later, a worker that holds fewer requests
 * wins over a lower id (r8 to w2, not w0), and a tie goes to the lower id
 * (r9 to w0). */
START_TEST(test_fewest_held_lowest_id)
{
	struct test_conf c = conf(3, 2);
	struct harness *h = h_create(&psp_jbsq_ops, &c);
	for (uint32_t i = 0; i < 8; i++)
		h_arrive(h, i, 0, i);
	/* every worker full: r6 and r7 wait in the policy */
	ck_assert_uint_eq(psp_policy_queued(h->p), 2);
	ck_assert_uint_eq(psp_policy_held(h->p), 6);
	for (uint32_t w = 0; w < 3; w++) {
		ck_assert_uint_eq(psp_policy_worker_held(h->p, w), 2);
		ck_assert(!psp_policy_worker_idle(h->p, w));
	}
	ck_assert_uint_eq(h->p->free_mask, 0);
	ck_assert_uint_eq(psp_policy_idle_workers(h->p), 0);
	/* each worker runs what it holds in the order assigned */
	ck_assert_uint_eq(h_running(h, 0), 0);
	ck_assert_uint_eq(h->held[0][1], 3);

	h_stop(h, 1, true, 10);  /* w1: r4 starts, r6 takes the free slot */
	ck_assert_uint_eq(h_running(h, 1), 4);
	h_stop(h, 0, true, 20);  /* w0: r3 starts, r7 takes the free slot */
	ck_assert_uint_eq(psp_policy_queued(h->p), 0);
	h_stop(h, 2, true, 30);  /* w2 holds r5 */
	h_stop(h, 5, true, 31);  /* w2 idle */
	ck_assert(psp_policy_worker_idle(h->p, 2));
	ck_assert_uint_eq(psp_policy_idle_workers(h->p), 1u << 2);
	h_stop(h, 3, true, 35);  /* w0 holds r7 only */
	h_arrive(h, 8, 1, 40);   /* w0 1, w1 2, w2 0: fewer beats the lower id */
	h_arrive(h, 9, 1, 41);   /* w0 1, w2 1: the lower id */
	h_arrive(h, 10, 1, 42);  /* w0 2, w2 1: w2 */
	h_arrive(h, 11, 1, 43);  /* full: waits */
	ck_assert_uint_eq(psp_policy_queued(h->p), 1);
	h_stop(h, 4, true, 50);  /* w1 frees a slot: r11 */

	static const struct h_assign exp[] = {
		{0, 0, 0, 0},  {1, 1, 1, 0},  {2, 2, 2, 0},  {3, 3, 0, 0},
		{4, 4, 1, 0},  {5, 5, 2, 0},  {10, 6, 1, 0}, {20, 7, 0, 0},
		{40, 8, 2, 0}, {41, 9, 0, 0}, {42, 10, 2, 0}, {50, 11, 1, 0},
	};
	h_expect(h, exp, H_LEN(exp));
	for (size_t i = 0; i < h->nlog; i++) {
		ck_assert(!h->steal[i].stolen);
		ck_assert_uint_eq(h->steal[i].setup_ns, 0);
	}
	h_destroy(h);
}
END_TEST

/* A burst at one instant: one dispatch fills every slot (k x W), never more
 * than k per worker, in the fill order of the rounds. */
START_TEST(test_burst_never_more_than_k)
{
	struct test_conf c = conf(2, 3);
	struct harness *h = h_create(&psp_jbsq_ops, &c);
	for (uint32_t i = 0; i < 9; i++) {
		h->req[i] = (struct psp_req){.id = i};
		h->state[i] = H_QUEUED;
		psp_policy_enqueue(h->p, &h->req[i], 0);
	}
	ck_assert_uint_eq(h_dispatch(h, 0), 6);
	ck_assert_uint_eq(psp_policy_queued(h->p), 3);
	ck_assert_uint_eq(h_dispatch(h, 0), 0);
	static const struct h_assign exp[] = {
		{0, 0, 0, 0}, {0, 1, 1, 0}, {0, 2, 0, 0},
		{0, 3, 1, 0}, {0, 4, 0, 0}, {0, 5, 1, 0},
	};
	h_expect(h, exp, H_LEN(exp));
	/* w1's order: r1, r3, r5 */
	ck_assert_uint_eq(h->held[1][0], 1);
	ck_assert_uint_eq(h->held[1][1], 3);
	ck_assert_uint_eq(h->held[1][2], 5);
	h_destroy(h);
}
END_TEST

/* The default k is 2; a request a host hands back goes to the central
 * tail, behind the waiters. */
START_TEST(test_default_and_handed_back)
{
	struct test_conf c = conf(1, 0);
	struct harness *h = h_create(&psp_jbsq_ops, &c);
	ck_assert_uint_eq(psp_policy_slots(h->p), 2);
	h_arrive(h, 0, 0, 0);
	h_arrive(h, 1, 0, 1);
	h_arrive(h, 2, 0, 2); /* waits */
	h_stop(h, 0, false, 5); /* handed back: r1 runs, r2 takes the slot, r0 waits */
	h_stop(h, 1, true, 6);
	static const struct h_assign exp[] = {
		{0, 0, 0, 0}, {1, 1, 0, 0}, {5, 2, 0, 0}, {6, 0, 0, 0},
	};
	h_expect(h, exp, H_LEN(exp));
	/* it never preempts */
	uint32_t w[4];
	ck_assert_ptr_null(psp_jbsq_ops.tick);
	ck_assert_uint_eq(psp_policy_tick(h->p, 1000000, w, 4), 0);
	h_destroy(h);
}
END_TEST

/* A pseudo-random host (arrivals, finishes and hand-backs of running
 * requests), the same choices for every policy: draws pick the action and
 * which running request stops; the requests running depend on the policy's
 * decisions, so two policies that decide alike see the same script. */
static struct harness *random_host(const struct psp_policy_ops *ops,
				   const struct test_conf *c, uint64_t seed,
				   uint32_t nreq)
{
	struct harness *h = h_create(ops, c);
	uint64_t x = seed, now = 0;
	uint32_t next = 0;
	for (;;) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		uint32_t d = (uint32_t)(x >> 33);
		now += d % 7; /* same-time events too */
		uint32_t busy[PSP_MAX_WORKERS], nbusy = 0;
		for (uint32_t w = 0; w < h->nworkers; w++)
			if (h->nheld[w])
				busy[nbusy++] = w;
		if (next < nreq && (nbusy == 0 || d % 5 < 3)) {
			h_arrive(h, next, d % 2, now);
			next++;
		} else if (nbusy) {
			uint32_t id = h_running(h, busy[(d >> 8) % nbusy]);
			h_stop(h, id, (d >> 4) % 8 != 0, now);
		} else {
			break;
		}
	}
	ck_assert_uint_eq(psp_policy_queued(h->p), 0);
	ck_assert_uint_eq(psp_policy_held(h->p), 0);
	return h;
}

/* k = 1 is c-FCFS, decision for decision, over a long random script. */
START_TEST(test_k1_is_cfcfs)
{
	struct test_conf c = conf(5, 1);
	struct harness *j = random_host(&psp_jbsq_ops, &c, 42 + (uint64_t)_i, 800);
	c.slots = 0;
	struct harness *f = random_host(&psp_cfcfs_ops, &c, 42 + (uint64_t)_i, 800);
	ck_assert_uint_gt(j->nlog, 800); /* hand-backs assign again */
	h_expect(j, f->log, f->nlog);
	h_destroy(j);
	h_destroy(f);
}
END_TEST

/* Any k: the harness refuses an assignment beyond k (and checks the
 * occupancy after each dispatch); a worker never holds more than k. */
START_TEST(test_random_bounded)
{
	static const uint32_t ks[] = {2, 3, 64};
	struct test_conf c = conf(4, ks[_i]);
	struct harness *h = random_host(&psp_jbsq_ops, &c, 7, 1000);
	h_destroy(h);
}
END_TEST

START_TEST(test_create_slots)
{
	struct psp_err err;
	struct test_conf c = conf(4, PSP_MAX_SLOTS + 1);
	ck_assert_ptr_null(test_policy_create(&psp_jbsq_ops, &c, &err));
	ck_assert_int_eq(err.code, -EINVAL);
	ck_assert_str_eq(err.key, "slots");
	c.slots = PSP_MAX_SLOTS;
	struct psp_policy *p = test_policy_create(&psp_jbsq_ops, &c, &err);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(psp_policy_slots(p), PSP_MAX_SLOTS);
	psp_policy_destroy(p);
}
END_TEST

Suite *psp_jbsq_suite(void)
{
	Suite *s = suite_create("jbsq");
	TCase *tc = tcase_create("scripted");
	tcase_add_test(tc, test_fewest_held_lowest_id);
	tcase_add_test(tc, test_burst_never_more_than_k);
	tcase_add_test(tc, test_default_and_handed_back);
	tcase_add_loop_test(tc, test_k1_is_cfcfs, 0, 3);
	tcase_add_loop_test(tc, test_random_bounded, 0, 3);
	tcase_add_test(tc, test_create_slots);
	suite_add_tcase(s, tc);
	return s;
}
