/* ws (d-FCFS + work stealing) driven by scripted event sequences
 * (tests/policy_harness.h). */
#include <check.h>
#include <errno.h>

#include "policy_harness.h"

Suite *psp_ws_suite(void);

#define STEAL 700u /* steal cost, ns */

static struct test_conf conf(uint32_t nworkers)
{
	struct test_conf c;
	test_conf_default(&c, nworkers, 1);
	c.steal_cost_ns = STEAL;
	return c;
}

/* Assignment i was (not) stolen, with the steal cost as its setup time
 * exactly when stolen. */
static void expect_steal(const struct harness *h, size_t i, bool stolen)
{
	ck_assert_uint_lt(i, h->nlog);
	ck_assert_msg(h->steal[i].stolen == stolen, "assignment %zu (req %u): stolen %d, expected %d",
		      i, h->log[i].req, h->steal[i].stolen, stolen);
	ck_assert_uint_eq(h->steal[i].setup_ns, stolen ? STEAL : 0);
}

/* Round-robin over 2 workers: w0's FIFO gets r2 and r4, w1's r3.  When w1
 * finishes r1 it takes its own r3, although w0's FIFO is longer; when it
 * finishes r3 its FIFO is empty and it steals w0's head, r2. */
START_TEST(test_own_first_then_steal)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 0}, {H_ARRIVE, 1, 1, 0},  {H_ARRIVE, 2, 2, 0},
		{H_ARRIVE, 3, 3, 0}, {H_ARRIVE, 4, 4, 0},  {H_FINISH, 10, 1, 0},
		{H_FINISH, 20, 3, 0}, {H_FINISH, 30, 0, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, 0}, {1, 1, 1, 0}, {10, 3, 1, 0}, {20, 2, 1, 0}, {30, 4, 0, 0},
	};
	struct test_conf c = conf(2);
	struct harness *h = h_create(&psp_ws_ops, &c);
	h_run(h, steps, H_LEN(steps));
	h_expect(h, exp, H_LEN(exp));
	static const bool stolen[] = {false, false, false, true, false};
	for (size_t i = 0; i < H_LEN(stolen); i++)
		expect_steal(h, i, stolen[i]);
	char buf[64];
	psp_policy_describe(h->p, buf, sizeof(buf));
	ck_assert_str_eq(buf, "round-robin placement, 1 steals");
	h_destroy(h);
}
END_TEST

/* 4 workers, round-robin: r0-r3 run on w0-w3, then FIFOs w0 [r4 r8],
 * w1 [r5 r9], w2 [r6], w3 [r7].  w3 runs its own r7; once that is done, it
 * steals from the longest FIFO, w0 and w1 tied at 2: the lower id, w0 (r4).
 * After r4, w1's FIFO (2) is the longest: w3 steals r5, not the head of a
 * lower-id FIFO. */
START_TEST(test_victim_longest_lowest_id)
{
	struct test_conf c = conf(4);
	struct harness *h = h_create(&psp_ws_ops, &c);
	for (uint32_t i = 0; i < 10; i++)
		h_arrive(h, i, 0, i);
	ck_assert_uint_eq(psp_policy_queued(h->p), 6);
	h_stop(h, 3, true, 20);
	h_stop(h, 7, true, 30);
	h_stop(h, 4, true, 40);
	static const struct h_assign exp[] = {
		{0, 0, 0, 0},  {1, 1, 1, 0},  {2, 2, 2, 0},  {3, 3, 3, 0},
		{20, 7, 3, 0}, {30, 4, 3, 0}, {40, 5, 3, 0},
	};
	h_expect(h, exp, H_LEN(exp));
	static const bool stolen[] = {false, false, false, false, false, true, true};
	for (size_t i = 0; i < H_LEN(stolen); i++)
		expect_steal(h, i, stolen[i]);
	ck_assert_uint_eq(psp_policy_queued(h->p), 3);
	h_destroy(h);
}
END_TEST

/* Enqueues r[id] with the given flow; no dispatch. */
static void enqueue_flow(struct harness *h, uint32_t id, uint32_t flow, uint64_t at)
{
	struct psp_req *r = &h->req[id];
	*r = (struct psp_req){.id = id, .flow = flow, .arrive_ns = at};
	h->state[id] = H_QUEUED;
	psp_policy_enqueue(h->p, r, at);
}

/* Several thieves in one dispatch (a burst enqueued before it, placed by
 * flow hash: r0-r4 on w0, r5-r9 on w1): w0 and w1 take their own heads
 * first, then each thief, lowest first, takes the head of the longest FIFO
 * at its turn: w2 from w0 (4 = 4, the lower id), then w3 from w1 (4 > 3). */
START_TEST(test_several_thieves)
{
	struct test_conf c = conf(4);
	c.placement = PSP_PLACE_FLOW_HASH;
	c.steal_cost_ns = 0; /* free steals: still flagged, setup 0 */
	struct harness *h = h_create(&psp_ws_ops, &c);
	for (uint32_t i = 0; i < 10; i++)
		enqueue_flow(h, i, i < 5 ? 0 : 1, 0);
	ck_assert_uint_eq(h_dispatch(h, 0), 4);
	static const struct h_assign exp[] = {
		{0, 0, 0, 0}, {0, 5, 1, 0}, {0, 1, 2, 0}, {0, 6, 3, 0},
	};
	h_expect(h, exp, H_LEN(exp));
	for (size_t i = 0; i < h->nlog; i++) {
		ck_assert_int_eq(h->steal[i].stolen, i >= 2);
		ck_assert_uint_eq(h->steal[i].setup_ns, 0);
	}
	ck_assert_uint_eq(psp_policy_queued(h->p), 6);
	h_destroy(h);
	/* all idle, one request: w0 runs it from its own FIFO, the others
	 * have nothing to steal */
	c = conf(3);
	h = h_create(&psp_ws_ops, &c);
	h_arrive(h, 0, 0, 0);
	ck_assert_uint_eq(h->nlog, 1);
	expect_steal(h, 0, false);
	h_destroy(h);
}
END_TEST

/* A request a host hands back goes to the tail of its worker's FIFO, and
 * its worker still takes it (its own) rather than stealing. */
START_TEST(test_handed_back_own_fifo)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 0}, {H_ARRIVE, 1, 1, 0}, {H_ARRIVE, 2, 2, 0},
		{H_PREEMPT, 5, 0, 0}, {H_FINISH, 6, 2, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, 0}, {1, 1, 1, 0}, {5, 2, 0, 0}, {6, 0, 0, 0},
	};
	struct test_conf c = conf(2);
	struct harness *h = h_create(&psp_ws_ops, &c);
	h_run(h, steps, H_LEN(steps));
	h_expect(h, exp, H_LEN(exp));
	for (size_t i = 0; i < h->nlog; i++)
		expect_steal(h, i, false);
	h_destroy(h);
}
END_TEST

/* A scripted generator: returns vals[] in order. */
struct script_rng {
	const uint64_t *vals;
	size_t n, next;
};

static uint64_t script_rand(void *ctx)
{
	struct script_rng *g = ctx;
	ck_assert_uint_lt(g->next, g->n);
	return g->vals[g->next++];
}

/* Random placement draws once per arrival from the host's generator
 * (top 32 bits x 3 workers: 0x5556... -> 1, 0xAAAB... -> 2, 0 -> 0).  r0-r2
 * land on idle workers w2, w0, w1 and run there; r3 and r4 are placed on
 * w1, r5 on w0.  w0 and w1 then run their own; w2 steals r4 from w1. */
START_TEST(test_random_placement)
{
	static const uint64_t vals[] = {
		0xAAAAAAAB00000000ull, 0x0000000100000000ull, 0x5555555600000000ull,
		0x5555555600000000ull, 0x5555555600000000ull, 0x0000000100000000ull,
	};
	struct script_rng g = {vals, H_LEN(vals), 0};
	struct test_conf c = conf(3);
	c.placement = PSP_PLACE_RANDOM;
	c.rand_u64 = script_rand;
	c.rand_ctx = &g;
	struct harness *h = h_create(&psp_ws_ops, &c);
	for (uint32_t i = 0; i < 6; i++)
		h_arrive(h, i, 0, i);
	ck_assert_uint_eq(g.next, 6);
	h_stop(h, 1, true, 10); /* w0: its own r5 */
	h_stop(h, 2, true, 11); /* w1: its own r3 */
	h_stop(h, 0, true, 12); /* w2: empty, steals r4 from w1 */
	ck_assert_uint_eq(g.next, 6); /* stealing draws nothing */
	static const struct h_assign exp[] = {
		{0, 0, 2, 0},  {1, 1, 0, 0},  {2, 2, 1, 0},
		{10, 5, 0, 0}, {11, 3, 1, 0}, {12, 4, 2, 0},
	};
	h_expect(h, exp, H_LEN(exp));
	static const bool stolen[] = {false, false, false, false, false, true};
	for (size_t i = 0; i < H_LEN(stolen); i++)
		expect_steal(h, i, stolen[i]);
	h_destroy(h);

	/* without the host's generator, random placement is refused */
	struct psp_err err;
	c.rand_u64 = NULL;
	ck_assert_ptr_null(test_policy_create(&psp_ws_ops, &c, &err));
	ck_assert_int_eq(err.code, -EINVAL);
	ck_assert_str_eq(err.key, "placement");
}
END_TEST

/* Flow-hash placement: the worker is req->flow mod workers. */
static void arrive_flow(struct harness *h, uint32_t id, uint32_t flow, uint64_t at)
{
	enqueue_flow(h, id, flow, at);
	h_dispatch(h, at);
}

START_TEST(test_flow_hash_placement)
{
	struct test_conf c = conf(3);
	c.placement = PSP_PLACE_FLOW_HASH;
	struct harness *h = h_create(&psp_ws_ops, &c);
	/* flows 7, 5, 9 -> w1, w2, w0, idle: they run there */
	arrive_flow(h, 0, 7, 0);
	arrive_flow(h, 1, 5, 1);
	arrive_flow(h, 2, 9, 2);
	/* 100 -> w1, 4 -> w1, 2^32 - 1 = 3 x 1431655765 -> w0, 8 -> w2 */
	arrive_flow(h, 3, 100, 3);
	arrive_flow(h, 4, 4, 4);
	arrive_flow(h, 5, UINT32_MAX, 5);
	arrive_flow(h, 6, 8, 6);
	h_stop(h, 2, true, 10); /* w0: its own r5 */
	h_stop(h, 1, true, 11); /* w2: its own r6 */
	h_stop(h, 6, true, 12); /* w2: steals w1's head r3 */
	h_stop(h, 0, true, 13); /* w1: its own r4 */
	static const struct h_assign exp[] = {
		{0, 0, 1, 0},  {1, 1, 2, 0},  {2, 2, 0, 0},  {10, 5, 0, 0},
		{11, 6, 2, 0}, {12, 3, 2, 0}, {13, 4, 1, 0},
	};
	h_expect(h, exp, H_LEN(exp));
	static const bool stolen[] = {false, false, false, false, false, true, false};
	for (size_t i = 0; i < H_LEN(stolen); i++)
		expect_steal(h, i, stolen[i]);
	h_destroy(h);
}
END_TEST

/* One request per worker: slots > 1 is refused. */
START_TEST(test_create_slots)
{
	struct psp_err err;
	struct test_conf c = conf(4);
	c.slots = 2;
	ck_assert_ptr_null(test_policy_create(&psp_ws_ops, &c, &err));
	ck_assert_int_eq(err.code, -EINVAL);
	ck_assert_str_eq(err.key, "slots");
	c.slots = 1;
	struct psp_policy *p = test_policy_create(&psp_ws_ops, &c, &err);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_null(psp_ws_ops.tick);
	psp_policy_destroy(p);
}
END_TEST

Suite *psp_ws_suite(void)
{
	Suite *s = suite_create("ws");
	TCase *tc = tcase_create("scripted");
	tcase_add_test(tc, test_own_first_then_steal);
	tcase_add_test(tc, test_victim_longest_lowest_id);
	tcase_add_test(tc, test_several_thieves);
	tcase_add_test(tc, test_handed_back_own_fifo);
	tcase_add_test(tc, test_random_placement);
	tcase_add_test(tc, test_flow_hash_placement);
	tcase_add_test(tc, test_create_slots);
	suite_add_tcase(s, tc);
	return s;
}
