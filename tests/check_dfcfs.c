/* d-FCFS driven by scripted event sequences (tests/policy_harness.h). */
#include <check.h>
#include <math.h>

#include "policy_harness.h"

Suite *psp_dfcfs_suite(void);

static struct test_conf conf(uint32_t nworkers)
{
	struct test_conf c;
	test_conf_default(&c, nworkers, 1);
	return c;
}

/* Round-robin over 2 workers: r0 -> w0, r1 -> w1, r2 -> w0, r3 -> w1.
 * w1 frees up at t=5 while r2 waits on w0's FIFO: r2 does not move
 * (head-of-line blocking), and w1 sits idle until r3 is placed on it. */
START_TEST(test_head_of_line_blocking)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 0}, {H_ARRIVE, 1, 1, 0},   {H_ARRIVE, 2, 2, 0},
		{H_FINISH, 5, 1, 0}, {H_ARRIVE, 6, 3, 0},   {H_FINISH, 100, 0, 0},
		{H_FINISH, 110, 3, 0}, {H_FINISH, 120, 2, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, 0}, {1, 1, 1, 0}, {6, 3, 1, 0}, {100, 2, 0, 0},
	};
	struct test_conf c = conf(2);
	h_script(&psp_dfcfs_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* FIFO order within a worker, and a handed-back request goes to the tail of
 * the FIFO of the worker it ran on. */
START_TEST(test_fifo_and_handed_back)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 0},   {H_ARRIVE, 1, 1, 0},  {H_ARRIVE, 2, 2, 0},
		{H_ARRIVE, 3, 3, 0},   {H_ARRIVE, 4, 4, 0},  {H_PREEMPT, 10, 0, 0},
		{H_FINISH, 20, 2, 0},  {H_FINISH, 30, 4, 0}, {H_FINISH, 35, 1, 0},
		{H_FINISH, 40, 0, 0},  {H_FINISH, 45, 3, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, 0},  {1, 1, 1, 0},  {10, 2, 0, 0}, {20, 4, 0, 0},
		{30, 0, 0, 0}, {35, 3, 1, 0},
	};
	struct test_conf c = conf(2);
	h_script(&psp_dfcfs_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* Enqueues n requests at t=0, then drains: each worker runs its own FIFO.
 * Fills placed[i] with the worker request i ran on and counts per worker. */
static void place_and_drain(struct test_conf *c, uint32_t n, uint32_t *placed,
			    uint32_t *count)
{
	struct psp_err err;
	struct psp_policy *p = test_policy_create(&psp_dfcfs_ops, c, &err);
	ck_assert_msg(p != NULL, "%s", err.msg);
	struct psp_req *r = calloc(n, sizeof(*r));
	ck_assert_ptr_nonnull(r);
	for (uint32_t i = 0; i < n; i++) {
		r[i].id = i;
		psp_policy_enqueue(p, &r[i], 0);
	}
	for (uint32_t w = 0; w < c->nworkers; w++)
		count[w] = 0;
	struct psp_assign out[PSP_MAX_WORKERS];
	uint64_t now = 0, done = 0;
	while (p->queued > 0) {
		size_t k = psp_policy_dispatch(p, now, out, PSP_MAX_WORKERS);
		ck_assert_uint_gt(k, 0);
		now++;
		for (size_t i = 0; i < k; i++) {
			placed[out[i].req->id] = out[i].worker;
			count[out[i].worker]++;
			psp_policy_complete(p, out[i].worker, out[i].req, 1, true, now);
			done++;
		}
	}
	ck_assert_uint_eq(done, n);
	free(r);
	psp_policy_destroy(p);
}

/* W=3 over 300 requests: exactly 100 each, request i on worker i % 3.  The
 * artifact's 8-bit counter wrapped at 256 and gave 101/100/99 here. */
START_TEST(test_round_robin_exact)
{
	struct test_conf c = conf(3);
	uint32_t placed[300], count[PSP_MAX_WORKERS];
	place_and_drain(&c, 300, placed, count);
	for (uint32_t i = 0; i < 300; i++)
		ck_assert_uint_eq(placed[i], i % 3);
	for (uint32_t w = 0; w < 3; w++)
		ck_assert_uint_eq(count[w], 100);
}
END_TEST

/* W=7, 256 requests: 36 or 37 each (the first 256 % 7 = 4 workers get one
 * more). */
START_TEST(test_round_robin_off_by_one)
{
	struct test_conf c = conf(7);
	uint32_t placed[256], count[PSP_MAX_WORKERS];
	place_and_drain(&c, 256, placed, count);
	uint32_t lo = UINT32_MAX, hi = 0;
	for (uint32_t w = 0; w < 7; w++) {
		ck_assert_uint_eq(count[w], 36 + (w < 4));
		lo = count[w] < lo ? count[w] : lo;
		hi = count[w] > hi ? count[w] : hi;
	}
	ck_assert_uint_le(hi - lo, 1);
	/* and 64 workers (the bitmap's full width) rotate through every one */
	c = conf(64);
	uint32_t placed64[640];
	place_and_drain(&c, 640, placed64, count);
	for (uint32_t w = 0; w < 64; w++)
		ck_assert_uint_eq(count[w], 10);
}
END_TEST

/* A test RNG: splitmix64, counting its calls. */
struct test_rng {
	uint64_t state;
	uint64_t calls;
};

static uint64_t test_rand(void *ctx)
{
	struct test_rng *g = ctx;
	g->calls++;
	uint64_t z = (g->state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Random placement draws from the host's generator and spreads 60,000
 * requests over 6 workers uniformly: a chi-square test at 5 degrees of
 * freedom (20.5 is its 0.999 quantile). */
START_TEST(test_random_uniform)
{
	enum { N = 60000, W = 6 };
	struct test_rng g = {.state = 12345};
	struct test_conf c = conf(W);
	c.placement = PSP_PLACE_RANDOM;
	c.rand_u64 = test_rand;
	c.rand_ctx = &g;
	static uint32_t placed[N];
	uint32_t count[PSP_MAX_WORKERS];
	place_and_drain(&c, N, placed, count);
	ck_assert_uint_ge(g.calls, N);
	ck_assert_uint_lt(g.calls, N + 10); /* rejection almost never redraws */
	double chi2 = 0, e = (double)N / W;
	for (uint32_t w = 0; w < W; w++)
		chi2 += ((double)count[w] - e) * ((double)count[w] - e) / e;
	ck_assert_msg(chi2 < 20.5, "chi-square %.2f over 6 workers", chi2);
	/* not round-robin in disguise: consecutive requests often collide */
	uint32_t same = 0;
	for (uint32_t i = 1; i < N; i++)
		same += placed[i] == placed[i - 1];
	ck_assert_uint_gt(same, N / W / 2);
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

/* The mapping is multiply-shift on the top 32 bits, with Lemire's rejection:
 * for W=3, 2^32 = 3 x 1431655765 + 1, so exactly one 32-bit value (0) must be
 * redrawn for the three workers to be equally likely. */
START_TEST(test_random_mapping)
{
	static const uint64_t vals[] = {
		0x0000000100000000ull, /* -> 0 */
		0x5555555500000000ull, /* 0x55555555 * 3 = 0xFFFFFFFF -> 0 */
		0x5555555600000000ull, /* -> 1 */
		0xAAAAAAABFFFFFFFFull, /* -> 2 (low bits ignored) */
		0x0000000000000000ull, /* rejected for W=3: redraw */
		0xFFFFFFFF00000000ull, /* -> 2 */
	};
	struct script_rng g = {vals, 6, 0};
	struct test_conf c = conf(3);
	c.placement = PSP_PLACE_RANDOM;
	c.rand_u64 = script_rand;
	c.rand_ctx = &g;
	uint32_t placed[5], count[PSP_MAX_WORKERS];
	place_and_drain(&c, 5, placed, count);
	ck_assert_uint_eq(g.next, 6);
	ck_assert_uint_eq(placed[0], 0);
	ck_assert_uint_eq(placed[1], 0);
	ck_assert_uint_eq(placed[2], 1);
	ck_assert_uint_eq(placed[3], 2);
	ck_assert_uint_eq(placed[4], 2);
}
END_TEST

Suite *psp_dfcfs_suite(void)
{
	Suite *s = suite_create("dfcfs");
	TCase *tc = tcase_create("scripted");
	tcase_add_test(tc, test_head_of_line_blocking);
	tcase_add_test(tc, test_fifo_and_handed_back);
	tcase_add_test(tc, test_round_robin_exact);
	tcase_add_test(tc, test_round_robin_off_by_one);
	tcase_add_test(tc, test_random_uniform);
	tcase_add_test(tc, test_random_mapping);
	suite_add_tcase(s, tc);
	return s;
}
