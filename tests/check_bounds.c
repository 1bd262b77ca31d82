/* The model-only bounds (srpt, psjf, ps, fb) on scripted arrivals: each
 * case gives arrivals (time, size) and the finish times worked out by hand,
 * in nanoseconds, and drives the bound as psp-sim does (enqueue at an
 * arrival, advance at every arrival and at psp_policy_next_ns).  A fluid
 * bound's finish between two nanoseconds is reported at the later one. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include <psp/policy.h>

#include "test_conf.h"

#define MAX_REQS 16

struct arrival {
	uint64_t at_ns, size_ns;
};

/* Runs arrivals (in time order) through ops on cores; writes each request's
 * reported finish time to done_ns[i] and the order they were reported in
 * to order[]. */
static void drive(const struct psp_policy_ops *ops, uint32_t cores, const struct arrival *a,
		  size_t n, uint64_t *done_ns, uint32_t *order)
{
	struct psp_policy_conf *conf = psp_policy_conf_new(cores, 1);
	ck_assert_ptr_nonnull(conf);
	struct psp_err err;
	struct psp_policy *p = psp_policy_create(ops, conf, &err);
	ck_assert_msg(p != NULL, "%s: %s", ops->name, err.msg);
	psp_policy_conf_free(conf);
	struct psp_req req[MAX_REQS];
	memset(req, 0, sizeof(req));
	size_t next = 0, ndone = 0;
	uint64_t now = 0;
	ck_assert_uint_eq(psp_policy_next_ns(p), UINT64_MAX); /* nothing held */
	while (ndone < n) {
		uint64_t at = psp_policy_next_ns(p);
		bool arrival = next < n && a[next].at_ns <= at;
		now = arrival ? a[next].at_ns : at;
		ck_assert_uint_ne(now, UINT64_MAX);
		struct psp_req *out[MAX_REQS];
		size_t k = psp_policy_advance(p, now, out, MAX_REQS);
		for (size_t i = 0; i < k; i++) {
			uint32_t id = (uint32_t)out[i]->id;
			done_ns[id] = now;
			order[ndone++] = id;
		}
		if (arrival) {
			struct psp_req *r = &req[next];
			r->id = next;
			r->arrive_ns = now;
			r->service_ns = r->remaining_ns = a[next].size_ns;
			r->type = 0;
			psp_policy_enqueue(p, r, now);
			next++;
		}
		/* a bound never hands a request to a worker */
		struct psp_assign as[PSP_MAX_WORKERS];
		ck_assert_uint_eq(psp_policy_dispatch(p, now, as, PSP_MAX_WORKERS), 0);
		ck_assert_uint_eq(psp_policy_queued(p), next - ndone);
	}
	ck_assert_uint_eq(psp_policy_next_ns(p), UINT64_MAX);
	psp_policy_destroy(p);
}

static void expect(const struct psp_policy_ops *ops, uint32_t cores, const struct arrival *a,
		   size_t n, const uint64_t *want)
{
	uint64_t got[MAX_REQS];
	uint32_t order[MAX_REQS];
	drive(ops, cores, a, n, got, order);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(got[i] == want[i], "%s on %u cores: request %zu finished at %llu, "
			      "expected %llu", ops->name, cores, i, (unsigned long long)got[i],
			      (unsigned long long)want[i]);
}

/* A (10) at 0, B (3) at 2 on one core: B preempts A, runs 2..5; A ends at
 * 13. */
START_TEST(srpt_preempts_on_arrival)
{
	const struct arrival a[] = {{0, 10}, {2, 3}};
	expect(&psp_srpt_ops, 1, a, 2, (const uint64_t[]){13, 5});
	expect(&psp_psjf_ops, 1, a, 2, (const uint64_t[]){13, 5});
}
END_TEST

/* A (10) at 0, B (5) at 8: A has 2 left.  SRPT keeps A (2 < 5): A ends at
 * 10, B at 15.  Preemptive SJF compares sizes (5 < 10): B runs 8..13, A
 * ends at 15. */
START_TEST(srpt_and_psjf_differ)
{
	const struct arrival a[] = {{0, 10}, {8, 5}};
	expect(&psp_srpt_ops, 1, a, 2, (const uint64_t[]){10, 15});
	expect(&psp_psjf_ops, 1, a, 2, (const uint64_t[]){15, 13});
}
END_TEST

/* Two cores: A and B (10) at 0, C (1) at 1 takes the core of the running
 * request with the most work left, B on the tie (the later id): C ends at
 * 2, A at 10, B (9 left at 1) resumes at 2 and ends at 11.  A fourth D (20)
 * at 3 waits: it is the largest. */
START_TEST(srpt_two_cores)
{
	const struct arrival a[] = {{0, 10}, {0, 10}, {1, 1}, {3, 20}};
	expect(&psp_srpt_ops, 2, a, 4, (const uint64_t[]){10, 11, 2, 30});
}
END_TEST

/* One core: A (4) and B (2) at 0 share it: B ends at 4 (2 of work at half
 * speed), A has 2 left, alone, ends at 6.  Three requests of 3 on two cores
 * each get 2/3 of a core: all end at 4.5, reported at 5. */
START_TEST(ps_shares)
{
	const struct arrival a[] = {{0, 4}, {0, 2}};
	expect(&psp_ps_ops, 1, a, 2, (const uint64_t[]){6, 4});
	const struct arrival b[] = {{0, 3}, {0, 3}, {0, 3}};
	expect(&psp_ps_ops, 2, b, 3, (const uint64_t[]){5, 5, 5});
	/* a late one: A (6) alone on one core 0..2 (4 left); B (1) at 2
	 * shares: B ends at 4, A then has 3 left, ends at 7 */
	const struct arrival c[] = {{0, 6}, {2, 1}};
	expect(&psp_ps_ops, 1, c, 2, (const uint64_t[]){7, 4});
	/* fewer requests than cores: each runs at full speed */
	expect(&psp_ps_ops, 4, b, 3, (const uint64_t[]){3, 3, 3});
}
END_TEST

/* One core.  A (4) at 0, B (1) at 2: A has 2 attained, B 0, so B runs alone
 * and ends at 3; A ends at 5.  A (4) at 0, B (4) at 1: B runs alone until it
 * catches A up at 2 (attained 1 each), then they share, 3 left each at half
 * speed: both end at 8. */
START_TEST(fb_least_attained_first)
{
	const struct arrival a[] = {{0, 4}, {2, 1}};
	expect(&psp_fb_ops, 1, a, 2, (const uint64_t[]){5, 3});
	const struct arrival b[] = {{0, 4}, {1, 4}};
	expect(&psp_fb_ops, 1, b, 2, (const uint64_t[]){8, 8});
	/* within a tie the smaller finishes first: A (2) and B (6) at 0 share,
	 * A ends at 4, B (4 left) at 8 */
	const struct arrival c[] = {{0, 2}, {0, 6}};
	expect(&psp_fb_ops, 1, c, 2, (const uint64_t[]){4, 8});
}
END_TEST

/* Two cores: A and B (5) at 0 run at full speed; C (1) at 1 has the least
 * attained, takes a core, and A and B share the other (half speed each):
 * C ends at 2, A and B have 1.5 attained there and 3.5 left at full speed:
 * they end at 5.5, reported at 6. */
START_TEST(fb_two_cores)
{
	const struct arrival a[] = {{0, 5}, {0, 5}, {1, 1}};
	expect(&psp_fb_ops, 2, a, 3, (const uint64_t[]){6, 6, 2});
}
END_TEST

/* The bounds declare themselves model-only and say how many they hold. */
START_TEST(bounds_are_model_only)
{
	const struct psp_policy_ops *b[] = {&psp_srpt_ops, &psp_psjf_ops, &psp_ps_ops, &psp_fb_ops};
	for (size_t i = 0; i < 4; i++) {
		ck_assert(b[i]->props.flags & PSP_POLICY_MODEL_ONLY);
		ck_assert(psp_policy_find(b[i]->name) == b[i]);
	}
	struct psp_policy_conf *conf = psp_policy_conf_new(2, 1);
	struct psp_err err;
	struct psp_policy *p = psp_policy_create(&psp_fb_ops, conf, &err);
	ck_assert_uint_eq(psp_policy_max_held(p), 1u << 16);
	psp_policy_destroy(p);
	p = psp_policy_create(&psp_cfcfs_ops, conf, &err);
	ck_assert_uint_eq(psp_policy_max_held(p), UINT64_MAX);
	psp_policy_destroy(p);
	psp_policy_conf_free(conf);
}
END_TEST

/* Only a bound is advanced: psp_policy_advance on c-FCFS aborts. */
START_TEST(advance_needs_a_bound)
{
	struct psp_policy_conf *conf = psp_policy_conf_new(2, 1);
	struct psp_policy *p = psp_policy_create(&psp_cfcfs_ops, conf, NULL);
	struct psp_req *out[1];
	psp_policy_advance(p, 0, out, 1);
}
END_TEST

Suite *psp_bounds_suite(void);

Suite *psp_bounds_suite(void)
{
	Suite *s = suite_create("bounds");
	TCase *tc = tcase_create("scripted");
	tcase_add_test(tc, srpt_preempts_on_arrival);
	tcase_add_test(tc, srpt_and_psjf_differ);
	tcase_add_test(tc, srpt_two_cores);
	tcase_add_test(tc, ps_shares);
	tcase_add_test(tc, fb_least_attained_first);
	tcase_add_test(tc, fb_two_cores);
	tcase_add_test(tc, bounds_are_model_only);
	tcase_add_test_raise_signal(tc, advance_needs_a_bound, 6);
	suite_add_tcase(s, tc);
	return s;
}
