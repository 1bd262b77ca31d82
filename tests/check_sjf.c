/* SJF (fixed priority by type mean) driven by scripted event sequences
 * (tests/policy_harness.h). */
#include <check.h>
#include <string.h>

#include "policy_harness.h"

Suite *psp_sjf_suite(void);

/* Type ids deliberately out of mean order: type 1 (1 us) is served first,
 * then type 2 (20 us), then type 0 (50 us), then the unknown type. */
static struct test_conf conf(uint32_t nworkers)
{
	struct test_conf c;
	test_conf_default(&c, nworkers, 3);
	c.type_mean_ns[0] = 50000;
	c.type_mean_ns[1] = 1000;
	c.type_mean_ns[2] = 20000;
	return c;
}

/* One worker, busy with r0 until t=1000.  While it runs, a long request (r1,
 * type 0) and an unknown one (r2) arrive before the short ones (r3, r5, type
 * 1) and a medium one (r4, type 2).  Service order: short (FIFO among
 * themselves), medium, long, unknown; each runs to completion (slice 0). */
START_TEST(test_short_first)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 0},     {H_ARRIVE, 10, 1, 0},
		{H_ARRIVE, 15, 2, PSP_TYPE_UNKNOWN},
		{H_ARRIVE, 20, 3, 1},    {H_ARRIVE, 25, 4, 2},
		{H_ARRIVE, 30, 5, 1},    {H_FINISH, 1000, 0, 0},
		{H_FINISH, 2000, 3, 0},  {H_FINISH, 3000, 5, 0},
		{H_FINISH, 23000, 4, 0}, {H_FINISH, 73000, 1, 0},
		{H_FINISH, 74000, 2, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, 0},     {1000, 3, 0, 0},  {2000, 5, 0, 0},
		{3000, 4, 0, 0},  {23000, 1, 0, 0}, {73000, 2, 0, 0},
	};
	struct test_conf c = conf(1);
	h_script(&psp_sjf_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* Non-preemptive: a long request that started keeps its worker when short
 * ones arrive; with two workers the second one takes the short request, and
 * when both are busy the short request waits. */
START_TEST(test_non_preemptive_wait)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 0},    {H_ARRIVE, 5, 1, 0},   {H_ARRIVE, 10, 2, 1},
		{H_ARRIVE, 11, 3, 0},   {H_FINISH, 40000, 1, 0},
		{H_FINISH, 41000, 2, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, 0}, {5, 1, 1, 0}, {40000, 2, 1, 0}, {41000, 3, 1, 0},
	};
	struct test_conf c = conf(2);
	h_script(&psp_sjf_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

/* Equal means rank by type id; the order shows in describe. */
START_TEST(test_ties_and_describe)
{
	struct test_conf c;
	test_conf_default(&c, 1, 3);
	c.type_mean_ns[0] = 7000;
	c.type_mean_ns[1] = 3000;
	c.type_mean_ns[2] = 3000;
	c.type_name[0] = "LONG";
	c.type_name[1] = "A";
	c.type_name[2] = "B";
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 0},  {H_ARRIVE, 1, 1, 0}, {H_ARRIVE, 2, 2, 2},
		{H_ARRIVE, 3, 3, 1},  {H_FINISH, 10, 0, 0}, {H_FINISH, 20, 3, 0},
		{H_FINISH, 30, 2, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, 0}, {10, 3, 0, 0}, {20, 2, 0, 0}, {30, 1, 0, 0},
	};
	struct harness *h = h_create(&psp_sjf_ops, &c);
	h_run(h, steps, H_LEN(steps));
	h_expect(h, exp, H_LEN(exp));
	char buf[128];
	psp_policy_describe(h->p, buf, sizeof(buf));
	ck_assert_str_eq(buf, "priority order: A B LONG unknown");
	h_destroy(h);
}
END_TEST

/* A request a host hands back (SJF never asks) returns to its type's queue
 * behind the ones waiting, and still ahead of longer types. */
START_TEST(test_handed_back)
{
	static const struct h_step steps[] = {
		{H_ARRIVE, 0, 0, 1},  {H_ARRIVE, 1, 1, 1},  {H_ARRIVE, 2, 2, 0},
		{H_PREEMPT, 5, 0, 0}, {H_FINISH, 6, 1, 0},  {H_FINISH, 7, 0, 0},
	};
	static const struct h_assign exp[] = {
		{0, 0, 0, 0}, {5, 1, 0, 0}, {6, 0, 0, 0}, {7, 2, 0, 0},
	};
	struct test_conf c = conf(1);
	h_script(&psp_sjf_ops, &c, steps, H_LEN(steps), exp, H_LEN(exp));
}
END_TEST

Suite *psp_sjf_suite(void)
{
	Suite *s = suite_create("sjf");
	TCase *tc = tcase_create("scripted");
	tcase_add_test(tc, test_short_first);
	tcase_add_test(tc, test_non_preemptive_wait);
	tcase_add_test(tc, test_ties_and_describe);
	tcase_add_test(tc, test_handed_back);
	suite_add_tcase(s, tc);
	return s;
}
