/* c-FCFS driven by scripted event sequences (tests/policy_harness.h). */
#include <check.h>

#include "policy_harness.h"

Suite *psp_cfcfs_suite(void);

static struct test_conf conf(uint32_t nworkers)
{
	struct test_conf c;
	test_conf_default(&c, nworkers, 2);
	return c;
}

/* Two workers, four arrivals: the first two start at once on the lowest idle
 * workers; r2 and r3 wait while both are busy and start, in arrival order, on
 * whichever worker frees up first. */
START_TEST(test_fifo_and_wait)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 0},   {H_ARRIVE, 10, 1, 1},  {H_ARRIVE, 20, 2, 1},
		{H_ARRIVE, 30, 3, 0},  {H_FINISH, 150, 1, 0}, {H_FINISH, 200, 0, 0},
		{H_FINISH, 210, 2, 0}, {H_FINISH, 220, 3, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, 0}, {10, 1, 1, 0}, {150, 2, 1, 0}, {200, 3, 0, 0},
	};
	struct test_conf c = conf(2);
	h_script(&psp_cfcfs_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* A burst at one instant fills every idle worker in one dispatch, lowest id
 * first, and the rest queue in order. */
START_TEST(test_burst)
{
	struct test_conf c = conf(3);
	struct harness *h = h_create(&psp_cfcfs_ops, &c);
	for (uint32_t i = 0; i < 5; i++) {
		h->req[i] = (struct psp_req){.id = i, .type = 0};
		h->state[i] = H_QUEUED;
		psp_policy_enqueue(h->p, &h->req[i], 0);
	}
	ck_assert_uint_eq(h->p->queued, 5);
	ck_assert_uint_eq(h_dispatch(h, 0), 3);
	ck_assert_uint_eq(h->p->queued, 2);
	ck_assert_uint_eq(h_dispatch(h, 0), 0); /* nobody idle */
	h_stop(h, 1, true, 40);
	h_stop(h, 0, true, 50);
	static const struct h_assign exp[] = {
		{0, 0, 0, 0}, {0, 1, 1, 0}, {0, 2, 2, 0}, {40, 3, 1, 0}, {50, 4, 0, 0},
	};
	h_expect(h, exp, H_LEN(exp));
	h_destroy(h);
}
END_TEST

/* A request a host hands back is kept (at the tail), never lost. */
START_TEST(test_handed_back)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 0}, {H_ARRIVE, 1, 1, 0}, {H_PREEMPT, 5, 0, 0},
		{H_FINISH, 9, 1, 0},
	};
	static const struct h_assign exp[] = {{0, 0, 0, 0}, {5, 1, 0, 0}, {9, 0, 0, 0}};
	struct test_conf c = conf(1);
	h_script(&psp_cfcfs_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* cap bounds one dispatch; the rest stay for the next. */
START_TEST(test_cap)
{
	struct test_conf c = conf(4);
	struct psp_err err;
	struct psp_policy *p = test_policy_create(&psp_cfcfs_ops, &c, &err);
	struct psp_req r[3] = {{.id = 0}, {.id = 1}, {.id = 2}};
	struct psp_assign out[4];
	for (int i = 0; i < 3; i++)
		psp_policy_enqueue(p, &r[i], 0);
	ck_assert_uint_eq(psp_policy_dispatch(p, 0, out, 2), 2);
	ck_assert_ptr_eq(out[0].req, &r[0]);
	ck_assert_ptr_eq(out[1].req, &r[1]);
	ck_assert_uint_eq(psp_policy_dispatch(p, 0, out, 4), 1);
	ck_assert_ptr_eq(out[0].req, &r[2]);
	ck_assert_uint_eq(out[0].worker, 2);
	ck_assert_uint_eq(p->idle_mask, 0x8);
	psp_policy_destroy(p);
}
END_TEST

Suite *psp_cfcfs_suite(void)
{
	Suite *s = suite_create("cfcfs");
	TCase *tc = tcase_create("scripted");
	tcase_add_test(tc, test_fifo_and_wait);
	tcase_add_test(tc, test_burst);
	tcase_add_test(tc, test_handed_back);
	tcase_add_test(tc, test_cap);
	suite_add_tcase(s, tc);
	return s;
}
