/* The policy registry, psp_policy_create's shared limits and the wrappers'
 * preconditions. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <string.h>

#include <psp/policy.h>

#include "test_conf.h"

Suite *psp_policy_suite(void);

START_TEST(test_find_names)
{
	static const struct {
		const char *name;
		const struct psp_policy_ops *ops;
	} cases[] = {
		{"cfcfs", &psp_cfcfs_ops},      {"c-fcfs", &psp_cfcfs_ops},
		{"C_FCFS", &psp_cfcfs_ops},     {"fcfs", &psp_cfcfs_ops},
		{"dfcfs", &psp_dfcfs_ops},      {"D-FCFS", &psp_dfcfs_ops},
		{"d_fcfs", &psp_dfcfs_ops},     {"darc", &psp_darc_ops},
		{"Persephone", &psp_darc_ops},  {"ts", &psp_ts_ops},
		{"TS", &psp_ts_ops},            {"time-sharing", &psp_ts_ops},
		{"Shinjuku", &psp_ts_ops},      {"sjf", &psp_sjf_ops},
		{"priority", &psp_sjf_ops},     {"FP", &psp_sjf_ops},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(psp_policy_find(cases[i].name) == cases[i].ops,
			      "'%s' did not find %s", cases[i].name, cases[i].ops->name);
}
END_TEST

START_TEST(test_find_unknown)
{
	static const char *const bad[] = {
		"", "edf", "cfcf", "cfcfss", "c-fcfs,c_fcfs", "d-fcfs,", ",", "t",
		" ts", "shinjuku ",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(psp_policy_find(bad[i]) == NULL, "'%s' matched a policy",
			      bad[i]);
	ck_assert_ptr_null(psp_policy_find(NULL));
}
END_TEST

/* Every table entry is complete and names are unique. */
START_TEST(test_table)
{
	size_t n = 0;
	for (; psp_policy_at(n); n++) {
		const struct psp_policy_ops *o = psp_policy_at(n);
		ck_assert_msg(o->name && o->aliases && o->summary && o->state_size &&
				      o->init && o->enqueue && o->complete && o->dispatch,
			      "policy %zu (%s) lacks a mandatory field", n,
			      o->name ? o->name : "?");
		ck_assert_ptr_eq(psp_policy_find(o->name), o);
		for (size_t j = 0; j < n; j++)
			ck_assert_str_ne(psp_policy_at(j)->name, o->name);
		/* Properties: slots in range; the slots knob listed exactly when
		 * a policy can use more than one; every knob is in the registry. */
		ck_assert_uint_ge(o->props.default_slots, 1);
		ck_assert_uint_le(o->props.default_slots, o->props.max_slots);
		ck_assert_uint_le(o->props.max_slots, PSP_MAX_SLOTS);
		ck_assert_ptr_nonnull(o->props.model);
		ck_assert_int_eq(psp_policy_has_param(o, psp_param_find("slots")),
				 o->props.max_slots > 1);
		for (size_t k = 0; o->params && o->params[k]; k++)
			ck_assert_ptr_eq(psp_param_find(o->params[k]->name), o->params[k]);
	}
	/* how many is the table's business: the suites iterate it, and
	 * sim.policy_lists checks the lists written as text against it */
	ck_assert_uint_ge(n, 1);
}
END_TEST

START_TEST(test_conf_defaults)
{
	struct test_conf c;
	memset(&c, 0xab, sizeof(c));
	test_conf_default(&c, 14, 2);
	ck_assert_uint_eq(c.nworkers, 14);
	ck_assert_uint_eq(c.ntypes, 2);
	ck_assert_uint_eq(c.ts_quantum_ns, 5000);
	ck_assert(c.ts_slo_factor == 10.0);
	ck_assert_uint_eq(c.darc_min_samples, 50000);
	ck_assert(c.darc_delta == 0.2);
	ck_assert_uint_eq(c.type_mean_ns[0], 0);
	ck_assert_ptr_null(c.rand_u64);
	ck_assert_int_eq(c.placement, PSP_PLACE_ROUND_ROBIN);
}
END_TEST

/* Creation fails with err filled; the message names the limit and value. */
static void expect_refused(const struct test_conf *c, const char *key,
			   const char *in_msg)
{
	struct psp_err err;
	struct psp_policy *p = test_policy_create(&psp_cfcfs_ops, c, &err);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(err.code, -EINVAL);
	ck_assert_str_eq(err.key, key);
	ck_assert_msg(strstr(err.msg, in_msg) != NULL, "message '%s' lacks '%s'",
		      err.msg, in_msg);
}

START_TEST(test_create_limits)
{
	struct test_conf c;
	test_conf_default(&c, 0, 2);
	expect_refused(&c, "workers", "1..64");
	c.nworkers = 65;
	expect_refused(&c, "workers", "65");
	c.nworkers = 4;
	c.ntypes = 0;
	expect_refused(&c, "types", "1..16");
	c.ntypes = 17;
	expect_refused(&c, "types", "17");

	/* the limits themselves are accepted */
	struct psp_err err;
	test_conf_default(&c, 64, 16);
	struct psp_policy *p = test_policy_create(&psp_cfcfs_ops, &c, &err);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(err.code, 0);
	ck_assert_uint_eq(p->idle_mask, UINT64_MAX);
	psp_policy_destroy(p);
	test_conf_default(&c, 1, 1);
	p = test_policy_create(&psp_cfcfs_ops, &c, &err);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->idle_mask, 1);
	psp_policy_destroy(p);
	psp_policy_destroy(NULL);
}
END_TEST

/* Slots, for every policy: 0 means its default, above its max_slots is
 * refused naming "slots" (one-slot policies say so), the bounds themselves
 * are accepted. */
START_TEST(test_create_slots)
{
	for (size_t i = 0; psp_policy_at(i); i++) {
		const struct psp_policy_ops *o = psp_policy_at(i);
		struct test_conf c;
		struct psp_err err;
		test_conf_default(&c, 4, 2);
		c.type_mean_ns[0] = 1000; /* sjf needs the means, rts the ratios too */
		c.type_mean_ns[1] = 10000;
		c.type_ratio[0] = c.type_ratio[1] = 0.5;
		c.slots = o->props.max_slots + 1;
		ck_assert_msg(test_policy_create(o, &c, &err) == NULL, "%s took %u slots", o->name,
			      c.slots);
		ck_assert_int_eq(err.code, -EINVAL);
		ck_assert_str_eq(err.key, "slots");
		if (o->props.max_slots == 1)
			ck_assert_msg(strstr(err.msg, "one request per worker") != NULL, "%s: %s",
				      o->name, err.msg);
		for (uint32_t slots = 0; slots <= 1; slots++) {
			c.slots = slots ? o->props.max_slots : 0;
			struct psp_policy *p = test_policy_create(o, &c, &err);
			ck_assert_msg(p != NULL, "%s, %u slots: %s", o->name, c.slots, err.msg);
			ck_assert_uint_eq(psp_policy_slots(p),
					  slots ? o->props.max_slots : o->props.default_slots);
			ck_assert_uint_eq(psp_policy_slots(p), test_conf_slots(o, &c));
			psp_policy_destroy(p);
		}
	}
	/* the one-slot policies, by name: the knob is refused, not ignored */
	static const struct psp_policy_ops *const one[] = {
		&psp_cfcfs_ops, &psp_dfcfs_ops, &psp_darc_ops, &psp_ts_ops, &psp_sjf_ops,
		&psp_ws_ops,
	};
	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++)
		ck_assert_uint_eq(one[i]->props.max_slots, 1);
}
END_TEST

/* Each policy's own init refuses what it cannot run with, naming the key. */
START_TEST(test_policy_init_errors)
{
	struct test_conf c;
	struct psp_err err;

	test_conf_default(&c, 4, 2);
	c.placement = PSP_PLACE_RANDOM; /* no rand_u64 */
	ck_assert_ptr_null(test_policy_create(&psp_dfcfs_ops, &c, &err));
	ck_assert_int_eq(err.code, -EINVAL);
	ck_assert_str_eq(err.key, "placement");
	ck_assert_ptr_nonnull(strstr(err.msg, "rand_u64"));

	test_conf_default(&c, 4, 2);
	c.ts_quantum_ns = 0;
	ck_assert_ptr_null(test_policy_create(&psp_ts_ops, &c, &err));
	ck_assert_str_eq(err.key, "quantum");
	c.ts_quantum_ns = 5000;
	c.ts_variant = PSP_TS_PER_TYPE;
	c.ts_slo_factor = 0;
	ck_assert_ptr_null(test_policy_create(&psp_ts_ops, &c, &err));
	ck_assert_str_eq(err.key, "slo_factor");

	test_conf_default(&c, 4, 3);
	c.type_mean_ns[0] = 1000;
	c.type_mean_ns[2] = 100000; /* type 1 has none */
	ck_assert_ptr_null(test_policy_create(&psp_sjf_ops, &c, &err));
	ck_assert_int_eq(err.code, -EINVAL);
	ck_assert_str_eq(err.key, "type_mean");
	ck_assert_ptr_nonnull(strstr(err.msg, "type 1"));
}
END_TEST

START_TEST(test_describe)
{
	struct test_conf c;
	struct psp_err err;
	char buf[128];
	test_conf_default(&c, 4, 2);
	struct psp_policy *p = test_policy_create(&psp_ts_ops, &c, &err);
	ck_assert_ptr_nonnull(p);
	psp_policy_describe(p, buf, sizeof(buf));
	ck_assert_str_eq(buf, "quantum 5.0 us, single queue");
	psp_policy_describe(p, buf, 8); /* truncated, still terminated */
	ck_assert_str_eq(buf, "quantum");
	psp_policy_destroy(p);
}
END_TEST

static struct psp_policy *make_cfcfs(uint32_t nworkers)
{
	struct test_conf c;
	struct psp_err err;
	test_conf_default(&c, nworkers, 1);
	struct psp_policy *p = test_policy_create(&psp_cfcfs_ops, &c, &err);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* Time going backwards is a broken precondition: PSP_CHECK aborts, in
 * every build. */
START_TEST(test_time_backwards_aborts)
{
	struct psp_policy *p = make_cfcfs(2);
	struct psp_req r = {.type = 0};
	struct psp_assign out[2];
	psp_policy_enqueue(p, &r, 100);
	psp_policy_dispatch(p, 50, out, 2);
}
END_TEST

START_TEST(test_worker_out_of_range_aborts)
{
	struct psp_policy *p = make_cfcfs(2);
	struct psp_req r = {.type = 0};
	psp_policy_complete(p, 2, &r, 0, true, 10);
}
END_TEST

START_TEST(test_complete_idle_worker_aborts)
{
	struct psp_policy *p = make_cfcfs(2);
	struct psp_req r = {.type = 0};
	psp_policy_complete(p, 1, &r, 0, true, 10);
}
END_TEST

START_TEST(test_bad_type_aborts)
{
	struct psp_policy *p = make_cfcfs(2);
	struct psp_req r = {.type = 1}; /* ntypes == 1 */
	psp_policy_enqueue(p, &r, 0);
}
END_TEST

/* Equal times are not "backwards": many events share one instant. */
START_TEST(test_same_time_ok)
{
	struct psp_policy *p = make_cfcfs(1);
	struct psp_req r = {.type = PSP_TYPE_UNKNOWN};
	struct psp_assign out[1];
	psp_policy_enqueue(p, &r, 100);
	ck_assert_uint_eq(psp_policy_dispatch(p, 100, out, 1), 1);
	ck_assert_uint_eq(p->queued, 0);
	ck_assert_uint_eq(p->idle_mask, 0);
	psp_policy_complete(p, 0, &r, 0, true, 100);
	ck_assert_uint_eq(p->idle_mask, 1);
	ck_assert_uint_eq(psp_policy_tick(p, 100, NULL, 0), 0);
	psp_policy_destroy(p);
}
END_TEST

Suite *psp_policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("registry");
	tcase_add_test(tc, test_find_names);
	tcase_add_test(tc, test_find_unknown);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_conf_defaults);
	tcase_add_test(tc, test_create_limits);
	tcase_add_test(tc, test_create_slots);
	tcase_add_test(tc, test_policy_init_errors);
	tcase_add_test(tc, test_describe);
	suite_add_tcase(s, tc);

	tc = tcase_create("preconditions");
	tcase_add_test_raise_signal(tc, test_time_backwards_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_worker_out_of_range_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_complete_idle_worker_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_bad_type_aborts, SIGABRT);
	tcase_add_test(tc, test_same_time_ok);
	suite_add_tcase(s, tc);
	return s;
}
