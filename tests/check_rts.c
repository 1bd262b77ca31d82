/* rts (DARC's reservation, with shorter groups' idle cores lent to longer
 * groups a quantum at a time) on scripted event sequences
 * (tests/policy_harness.h), and on a simulation against DARC.
 *
 * Three workers, SHORT (1 us, 50%) and LONG (100 us, 50%): the plan is
 * SHORT: core 0 (+steal 1-2) | LONG: cores 1-2 + spillway 2, and LONG may
 * borrow core 0. */
#include <check.h>

#include "policy_harness.h"
#include "queueing_models.h"
#include "run.h"

Suite *psp_rts_suite(void);

#define Q 5000u /* quantum, ns */
enum { SHORT = 0, LONG = 1 };

static struct test_conf conf(int borrow)
{
	struct test_conf c;
	test_conf_default(&c, 3, 2);
	c.type_mean_ns[SHORT] = 1000;
	c.type_mean_ns[LONG] = 100000;
	c.type_ratio[SHORT] = c.type_ratio[LONG] = 0.5;
	c.ts_quantum_ns = Q;
	c.rts_borrow = borrow;
	return c;
}

/* LONG fills its own cores 1-2 (to completion, slice 0), then borrows
 * SHORT's idle core 0 a quantum at a time; a SHORT arriving meanwhile
 * waits for that slice's end and takes its core back; the preempted LONG
 * waits at the head of its group and resumes on core 0 when SHORT is
 * done. */
START_TEST(borrowed_core_yields_to_short)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, LONG},     {H_ARRIVE, 0, 1, LONG},
		{H_ARRIVE, 10, 2, LONG},    {H_ARRIVE, 100, 3, SHORT},
		{H_PREEMPT, 5010, 2, 0},    {H_FINISH, 5500, 3, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 1, 0},  {0, 1, 2, 0},  {10, 2, 0, Q},  {5010, 3, 0, 0},
		{5500, 2, 0, Q},
	};
	struct test_conf c = conf(0);
	h_script(&psp_rts_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* A preempted request goes back to its own worker when it is idle, even a
 * borrowed one while a core of its group is idle: with nothing waiting the
 * preemption changes nothing (PSP_POLICY_PREEMPT_ALONE_IS_NOOP). */
START_TEST(preempted_returns_to_its_worker)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, LONG}, {H_ARRIVE, 0, 1, LONG}, {H_ARRIVE, 10, 2, LONG},
		{H_FINISH, 20, 0, 0},   {H_PREEMPT, 5010, 2, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 1, 0}, {0, 1, 2, 0}, {10, 2, 0, Q}, {5010, 2, 0, Q},
	};
	struct test_conf c = conf(0);
	h_script(&psp_rts_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* A preempted request goes before the later arrivals of its own type; a
 * request on its own group's core is never sliced. */
START_TEST(preempted_before_own_type)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, LONG},  {H_ARRIVE, 0, 1, LONG},  {H_ARRIVE, 10, 2, LONG},
		{H_ARRIVE, 20, 3, LONG}, {H_PREEMPT, 5010, 2, 0}, {H_FINISH, 6000, 0, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 1, 0}, {0, 1, 2, 0}, {10, 2, 0, Q}, {5010, 2, 0, Q}, {6000, 3, 1, 0},
	};
	struct test_conf c = conf(0);
	h_script(&psp_rts_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* Within a group, a preempted request goes before the group's arrivals of
 * another type: SHORT (1 us), A (100 us) and B (110 us, within DARC's 20%
 * of A: one group {A, B} on cores 1-2, borrowing core 0).  B's slice on
 * core 0 ends while an A waits: B resumes; it yields to shorter groups
 * only (yielding to its own group starved TPC-C's StockLevel behind
 * Delivery in a first version). */
START_TEST(preempted_before_own_group)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 1},     {H_ARRIVE, 0, 1, 1},   {H_ARRIVE, 0, 2, 2},
		{H_ARRIVE, 100, 3, 1},   {H_PREEMPT, 5000, 2, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 1, 0}, {0, 1, 2, 0}, {0, 2, 0, Q}, {5000, 2, 0, Q},
	};
	struct test_conf c;
	test_conf_default(&c, 3, 3);
	c.type_mean_ns[0] = 1000;
	c.type_mean_ns[1] = 100000;
	c.type_mean_ns[2] = 110000;
	c.type_ratio[0] = 0.5;
	c.type_ratio[1] = c.type_ratio[2] = 0.25;
	c.ts_quantum_ns = Q;
	h_script(&psp_rts_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* rts_borrow none: nothing is lent nor sliced; LONG never runs on SHORT's
 * core 0, and SHORT steals an idle LONG core (DARC's rules). */
START_TEST(borrow_none_is_darc)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, LONG},  {H_ARRIVE, 0, 1, LONG},  {H_ARRIVE, 0, 2, LONG},
		{H_ARRIVE, 10, 3, SHORT}, {H_ARRIVE, 20, 4, SHORT}, {H_FINISH, 30, 0, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 1, 0}, {0, 1, 2, 0}, {10, 3, 0, 0}, {30, 4, 1, 0},
	};
	struct test_conf c = conf(1);
	h_script(&psp_rts_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* Unknown types run on the spillway core (2) only, to completion. */
START_TEST(unknown_on_spillway)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, PSP_TYPE_UNKNOWN}, {H_ARRIVE, 0, 1, PSP_TYPE_UNKNOWN},
		{H_FINISH, 50, 0, 0},
	};
	static const struct h_assign exp[] = {{0, 0, 2, 0}, {50, 1, 2, 0}};
	struct test_conf c = conf(0);
	h_script(&psp_rts_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* tick names the busy workers running a borrowed request for at least a
 * quantum (core 0 here), never one running on its own group's cores, and
 * again until the request is handed back. */
START_TEST(tick_names_borrowed_workers)
{
	struct test_conf c = conf(0);
	struct harness *h = h_create(&psp_rts_ops, &c);
	uint32_t w[4];
	h_arrive(h, 0, LONG, 0);
	h_arrive(h, 1, LONG, 0);
	h_arrive(h, 2, LONG, 0);
	ck_assert_uint_eq(psp_policy_tick(h->p, 4999, w, 4), 0);
	ck_assert_uint_eq(psp_policy_tick(h->p, 5000, w, 4), 1);
	ck_assert_uint_eq(w[0], 0);
	ck_assert_uint_eq(psp_policy_tick(h->p, 90000, w, 4), 1); /* not cores 1-2 */
	h_stop(h, 2, false, 90000);
	ck_assert_uint_eq(psp_policy_tick(h->p, 90000, w, 4), 0); /* a fresh slice */
	h_destroy(h);
}
END_TEST

/* Bad knobs: a zero quantum, a type without a mean. */
START_TEST(refusals)
{
	struct test_conf c = conf(0);
	c.ts_quantum_ns = 0;
	struct psp_err err;
	ck_assert_ptr_null(test_policy_create(&psp_rts_ops, &c, &err));
	ck_assert_str_eq(err.key, "quantum_us");
	c = conf(0);
	c.type_mean_ns[LONG] = 0;
	ck_assert_ptr_null(test_policy_create(&psp_rts_ops, &c, &err));
	ck_assert_str_eq(err.key, "type_mean");
}
END_TEST

/* In psp-sim, rts_borrow none is DARC with its oracle plan, bit for bit
 * (darc_samples beyond the run: DARC never re-plans from a profile). */
START_TEST(sim_none_is_darc_oracle)
{
	struct psp_workload wl;
	make_wl(&wl, 2, PSP_DIST_EXPONENTIAL, (double[]){1, 100}, (double[]){0.9, 0.1});
	struct sim_setup d, r;
	sim_setup_default(&d, &wl, &psp_darc_ops, 8);
	sim_setup_default(&r, &wl, &psp_rts_ops, 8);
	d.requests = r.requests = 50000;
	test_put(d.conf, "darc_mode", PSP_DARC_ORACLE);
	test_put(d.conf, "darc_samples", 1e9);
	test_put(r.conf, "rts_borrow", 1);
	struct sim_result rd, rr;
	struct psp_err err;
	ck_assert_int_eq(sim_run(&d, 0.8, &rd, &err), 0);
	ck_assert_int_eq(sim_run(&r, 0.8, &rr, &err), 0);
	ck_assert_uint_eq(rd.completed, rr.completed);
	ck_assert_uint_eq(rd.sojourn_sum_ns, rr.sojourn_sum_ns);
	ck_assert_uint_eq(rd.busy_ns, rr.busy_ns);
	ck_assert_uint_eq(rr.preemptions, 0);
	ck_assert_str_eq(rd.reservation, rr.reservation);
	sim_result_free(&rd);
	sim_result_free(&rr);
	/* and lending changes it: the same seed, preemptions counted */
	test_put(r.conf, "rts_borrow", 0);
	ck_assert_int_eq(sim_run(&r, 0.8, &rr, &err), 0);
	ck_assert_uint_gt(rr.preemptions, 0);
	sim_result_free(&rr);
	sim_setup_free(&d);
	sim_setup_free(&r);
}
END_TEST

Suite *psp_rts_suite(void)
{
	Suite *s = suite_create("rts");
	TCase *tc = tcase_create("scripted");
	tcase_add_test(tc, borrowed_core_yields_to_short);
	tcase_add_test(tc, preempted_returns_to_its_worker);
	tcase_add_test(tc, preempted_before_own_type);
	tcase_add_test(tc, preempted_before_own_group);
	tcase_add_test(tc, borrow_none_is_darc);
	tcase_add_test(tc, unknown_on_spillway);
	tcase_add_test(tc, tick_names_borrowed_workers);
	tcase_add_test(tc, refusals);
	suite_add_tcase(s, tc);
	tc = tcase_create("sim");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sim_none_is_darc_oracle);
	suite_add_tcase(s, tc);
	return s;
}
