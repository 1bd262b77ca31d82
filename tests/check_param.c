/* The knob registry (core/src/param.c, derived from the policies): lookup, parsing and formatting of each
 * kind, refusals, implied knobs, defaults, and its agreement with the
 * policies' ops->params lists. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <psp/param.h>
#include <psp/policy.h>

#include "test_conf.h"

Suite *psp_param_suite(void);

static const struct psp_param *knob(const char *name)
{
	const struct psp_param *p = psp_param_find(name);
	ck_assert_msg(p != NULL, "no knob '%s'", name);
	return p;
}

static struct test_conf defaults(void)
{
	struct test_conf c;
	test_conf_default(&c, 4, 2);
	return c;
}

/* Sets name=value, which must be accepted, and returns its formatted value. */
static const char *set_ok(struct test_conf *c, const char *name, const char *value)
{
	static char buf[64];
	struct psp_err err;
	int rc = test_param_set(c, knob(name), value, &err);
	ck_assert_msg(rc == 0, "%s=%s refused: %s", name, value, err.msg);
	return test_param_format(c, knob(name), buf, sizeof(buf));
}

/* name=value must be refused with err naming the knob (and msg containing
 * in_msg, when given), leaving conf untouched. */
static void set_refused(const char *name, const char *value, const char *in_msg)
{
	struct test_conf c = defaults(), before = c;
	struct psp_err err;
	ck_assert_int_eq(test_param_set(&c, knob(name), value, &err), -EINVAL);
	ck_assert_int_eq(err.code, -EINVAL);
	ck_assert_msg(strcmp(err.key, knob(name)->name) == 0, "%s=%s: key '%s'", name, value,
		      err.key);
	if (in_msg)
		ck_assert_msg(strstr(err.msg, in_msg) != NULL, "%s=%s: message '%s' lacks '%s'",
			      name, value, err.msg, in_msg);
	ck_assert_msg(memcmp(&c, &before, sizeof(c)) == 0, "%s=%s refused but conf changed",
		      name, value);
}

START_TEST(test_find)
{
	/* either spelling, the same descriptor */
	ck_assert_ptr_eq(psp_param_find("quantum_us"), psp_param_find("quantum-us"));
	ck_assert_ptr_eq(psp_param_find("steal-cost-ns"), psp_param_find("steal_cost_ns"));
	ck_assert_ptr_eq(psp_param_find("darc-demand_change"), psp_param_find("darc_demand_change"));
	ck_assert_str_eq(knob("quantum-us")->name, "quantum_us");
	/* unknown names, prefixes and extensions */
	ck_assert_ptr_null(psp_param_find("quantum"));
	ck_assert_ptr_null(psp_param_find("quantum_u"));
	ck_assert_ptr_null(psp_param_find("quantum_us_"));
	ck_assert_ptr_null(psp_param_find("quantumus"));
	ck_assert_ptr_null(psp_param_find("no-such-knob"));
	ck_assert_ptr_null(psp_param_find(""));
	ck_assert_ptr_null(psp_param_find(NULL));
	/* every knob by its own name and its dashed flag name; names unique */
	for (size_t i = 0; psp_param_at(i); i++) {
		const struct psp_param *p = psp_param_at(i);
		ck_assert_ptr_eq(psp_param_find(p->name), p);
		char dashed[64];
		snprintf(dashed, sizeof(dashed), "%s", p->name);
		for (char *s = dashed; *s; s++)
			if (*s == '_')
				*s = '-';
		ck_assert_ptr_eq(psp_param_find(dashed), p);
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(psp_param_at(j)->name, p->name);
	}
}
END_TEST

/* Each descriptor is consistent: a default inside its range (reserve's
 * "none" is below it on purpose), help text, choices for a CHOICE. */
START_TEST(test_descriptors)
{
	for (size_t i = 0; psp_param_at(i); i++) {
		const struct psp_param *p = psp_param_at(i);
		ck_assert_msg(p->help && *p->help, "%s: no help", p->name);
		if (p->kind == PSP_PARAM_CHOICE)
			ck_assert_ptr_nonnull(p->choices);
		if (p->kind != PSP_PARAM_BOOL && p->kind != PSP_PARAM_CHOICE) {
			ck_assert_msg(p->scale > 0, "%s: scale %g", p->name, p->scale);
			if (!(p->flags & PSP_PARAM_PER_POLICY))
				ck_assert_msg(p->min <= p->max, "%s: range", p->name);
		}
		if (!(p->flags & PSP_PARAM_PER_POLICY) && strcmp(p->name, "reserve") != 0 &&
		    p->kind != PSP_PARAM_BOOL && p->kind != PSP_PARAM_CHOICE)
			ck_assert_msg(p->def >= p->min && p->def <= p->max,
				      "%s: default %g outside [%g, %g]", p->name, p->def, p->min,
				      p->max);
	}
}
END_TEST

START_TEST(test_uint)
{
	struct test_conf c = defaults();
	/* scaled: written in us, stored in ns, rounded to the nearest ns */
	ck_assert_str_eq(set_ok(&c, "quantum_us", "0.5"), "0.5");
	ck_assert_uint_eq(c.ts_quantum_ns, 500);
	ck_assert_str_eq(set_ok(&c, "quantum-us", "12"), "12");
	ck_assert_uint_eq(c.ts_quantum_ns, 12000);
	ck_assert_str_eq(set_ok(&c, "quantum_us", "0.0014"), "0.001");
	ck_assert_uint_eq(c.ts_quantum_ns, 1);
	ck_assert_str_eq(set_ok(&c, "quantum_us", "0.0016"), "0.002");
	ck_assert_uint_eq(c.ts_quantum_ns, 2);
	ck_assert_str_eq(set_ok(&c, "quantum_us", "1e6"), "1000000");
	ck_assert_uint_eq(c.ts_quantum_ns, 1000000000ull);
	ck_assert_str_eq(set_ok(&c, "preempt_cost_us", "1.25"), "1.25");
	ck_assert_uint_eq(c.preempt_cost_ns, 1250);
	/* unscaled, 64 and 32 bits */
	ck_assert_str_eq(set_ok(&c, "steal_cost_ns", "250"), "250");
	ck_assert_uint_eq(c.steal_cost_ns, 250);
	ck_assert_str_eq(set_ok(&c, "darc_samples", "1e12"), "1000000000000");
	ck_assert_uint_eq(c.darc_min_samples, 1000000000000ull);
	/* every digit survives the round trip, not only the first ten */
	ck_assert_str_eq(set_ok(&c, "darc_samples", "123456789012"), "123456789012");
	ck_assert_uint_eq(c.darc_min_samples, 123456789012ull);
	ck_assert_str_eq(set_ok(&c, "steal_cost_ns", "999999999"), "999999999");
	ck_assert_str_eq(set_ok(&c, "slots", "3"), "3");
	ck_assert_uint_eq(c.slots, 3);
	ck_assert_str_eq(set_ok(&c, "slots", "64"), "64");
	ck_assert_uint_eq(c.slots, PSP_MAX_SLOTS);

	/* refusals name the knob; the message says what it accepts */
	set_refused("quantum_us", "0", "[0.001, 1e+06]");
	set_refused("quantum_us", "0.0005", NULL);
	set_refused("quantum_us", "-1", NULL);
	set_refused("quantum_us", "1000001", NULL);
	set_refused("quantum_us", "abc", "must be a number");
	set_refused("quantum_us", "", "must be a number");
	set_refused("quantum_us", "5us", "must be a number");
	set_refused("quantum_us", "nan", NULL);
	set_refused("quantum_us", "inf", NULL);
	set_refused("steal_cost_ns", "1.5", "whole number");
	set_refused("steal_cost_ns", "-1", NULL);
	set_refused("steal_cost_ns", "1000000001", "[0, 1e+09]");
	set_refused("darc_samples", "0", NULL);
	set_refused("slots", "0", NULL);
	set_refused("slots", "2.5", "whole number");
	set_refused("slots", "65", "[1, 64]");
}
END_TEST

START_TEST(test_int)
{
	struct test_conf c = defaults();
	ck_assert_int_eq(c.darc_reserve, -1);
	char buf[32];
	ck_assert_str_eq(test_param_format(&c, knob("reserve"), buf, sizeof(buf)), "none");
	ck_assert_str_eq(set_ok(&c, "reserve", "3"), "3");
	ck_assert_int_eq(c.darc_reserve, 3);
	ck_assert_str_eq(set_ok(&c, "reserve", "0"), "0");
	ck_assert_int_eq(c.darc_reserve, 0);
	ck_assert_str_eq(set_ok(&c, "reserve", "63"), "63");
	set_refused("reserve", "-1", NULL);
	set_refused("reserve", "64", "[0, 63]");
	set_refused("reserve", "2.5", "whole number");
	set_refused("reserve", "none", "must be a number");
}
END_TEST

START_TEST(test_real)
{
	struct test_conf c = defaults();
	ck_assert_str_eq(set_ok(&c, "darc_delta", "0.35"), "0.35");
	ck_assert(c.darc_delta == 0.35);
	ck_assert_str_eq(set_ok(&c, "darc_delta", "0"), "0");
	ck_assert_str_eq(set_ok(&c, "ts_slo_factor", "2.5"), "2.5");
	ck_assert(c.ts_slo_factor == 2.5);
	ck_assert_str_eq(set_ok(&c, "darc_demand_change", "1e-3"), "0.001");
	set_refused("darc_delta", "100", NULL);
	set_refused("darc_delta", "-0.1", NULL);
	set_refused("ts_slo_factor", "0", NULL);
	set_refused("ts_slo_factor", "nan", NULL);
	set_refused("darc_demand_change", "inf", NULL);
	set_refused("darc_delta", "0.2x", "must be a number");
}
END_TEST

START_TEST(test_bool)
{
	static const char *const yes[] = {"true", "yes", "on", "1", "TRUE", "Yes", "ON"};
	static const char *const no[] = {"false", "no", "off", "0", "False", "NO", "Off"};
	struct test_conf c = defaults();
	ck_assert(!c.darc_no_steal);
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		c.darc_no_steal = false;
		ck_assert_str_eq(set_ok(&c, "no_steal", yes[i]), "true");
		ck_assert(c.darc_no_steal);
		ck_assert_str_eq(set_ok(&c, "no-steal", no[i]), "false");
		ck_assert(!c.darc_no_steal);
	}
	set_refused("no_steal", "maybe", "true or false");
	set_refused("no_steal", "2", NULL);
	set_refused("no_steal", "t", NULL);
}
END_TEST

START_TEST(test_choice)
{
	struct test_conf c = defaults();
	ck_assert_str_eq(set_ok(&c, "placement", "random"), "random");
	ck_assert_int_eq(c.placement, PSP_PLACE_RANDOM);
	ck_assert_str_eq(set_ok(&c, "placement", "flow-hash"), "flow-hash");
	ck_assert_int_eq(c.placement, PSP_PLACE_FLOW_HASH);
	ck_assert_str_eq(set_ok(&c, "placement", "Round-Robin"), "round-robin");
	ck_assert_int_eq(c.placement, PSP_PLACE_ROUND_ROBIN);
	ck_assert_str_eq(set_ok(&c, "ts_variant", "per-type"), "per-type");
	ck_assert_int_eq(c.ts_variant, PSP_TS_PER_TYPE);
	ck_assert_str_eq(set_ok(&c, "ts_variant", "single"), "single");
	ck_assert_int_eq(c.ts_variant, PSP_TS_SINGLE_QUEUE);
	ck_assert_str_eq(set_ok(&c, "darc_mode", "static"), "static");
	ck_assert_int_eq(c.darc_mode, PSP_DARC_STATIC);
	ck_assert_str_eq(set_ok(&c, "darc_mode", "oracle"), "oracle");
	ck_assert_int_eq(c.darc_mode, PSP_DARC_ORACLE);
	ck_assert_str_eq(set_ok(&c, "darc_mode", "dynamic"), "dynamic");
	ck_assert_int_eq(c.darc_mode, PSP_DARC_DYNAMIC);
	set_refused("placement", "round", "round-robin,random,flow-hash");
	set_refused("placement", "round-robin,random", NULL);
	set_refused("placement", "flow_hash", NULL);
	set_refused("placement", "", NULL);
	set_refused("placement", "1", NULL);
	set_refused("darc_mode", "statics", "dynamic,oracle,static");
	set_refused("ts_variant", "per", NULL);
}
END_TEST

/* reserve implies darc_mode=static unless darc_mode is given, wherever it
 * is given. */
START_TEST(test_apply_implies)
{
	const struct psp_param *reserve = knob("reserve"), *mode = knob("darc_mode");
	struct psp_err err;
	struct test_conf c = defaults();
	c.type_mean_ns[0] = 1000;
	c.type_mean_ns[1] = 100000;
	c.type_ratio[0] = 0.5;
	c.type_ratio[1] = 0.5;
	struct test_conf base = c;

	struct psp_param_value alone[] = {{reserve, "2"}};
	ck_assert_int_eq(test_param_apply(&c, alone, 1, &err), 0);
	ck_assert_int_eq(c.darc_mode, PSP_DARC_STATIC);
	ck_assert_int_eq(c.darc_reserve, 2);
	struct psp_policy *p = test_policy_create(&psp_darc_ops, &c, &err);
	ck_assert_msg(p != NULL, "%s: %s", err.key, err.msg);
	psp_policy_destroy(p);

	/* darc_mode given: it stands, before or after reserve; DARC then
	 * refuses the pair, naming reserve */
	for (int order = 0; order < 2; order++) {
		c = base;
		struct psp_param_value both[2] = {{reserve, "2"}, {mode, "dynamic"}};
		if (order) {
			both[0] = (struct psp_param_value){mode, "dynamic"};
			both[1] = (struct psp_param_value){reserve, "2"};
		}
		ck_assert_int_eq(test_param_apply(&c, both, 2, &err), 0);
		ck_assert_int_eq(c.darc_mode, PSP_DARC_DYNAMIC);
		ck_assert_int_eq(c.darc_reserve, 2);
		ck_assert_ptr_null(test_policy_create(&psp_darc_ops, &c, &err));
		ck_assert_int_eq(err.code, -EINVAL);
		ck_assert_str_eq(err.key, "reserve");
	}
	/* darc_mode static given with reserve: static */
	c = base;
	struct psp_param_value st[] = {{mode, "oracle"}, {reserve, "1"}};
	ck_assert_int_eq(test_param_apply(&c, st, 2, &err), 0);
	ck_assert_int_eq(c.darc_mode, PSP_DARC_ORACLE);

	/* the first error is returned, naming its knob */
	c = base;
	struct psp_param_value bad[] = {{knob("slots"), "3"}, {knob("placement"), "nope"},
					{knob("steal_cost_ns"), "x"}};
	ck_assert_int_eq(test_param_apply(&c, bad, 3, &err), -EINVAL);
	ck_assert_str_eq(err.key, "placement");
	/* nothing given: nothing changes */
	c = base;
	ck_assert_int_eq(test_param_apply(&c, NULL, 0, &err), 0);
	ck_assert(memcmp(&c, &base, sizeof(c)) == 0);
}
END_TEST

/* psp_policy_conf_new stores each descriptor's default: formatted, they
 * read as psp_param_format_default says (slots: 0, resolved per policy). */
START_TEST(test_defaults)
{
	struct test_conf c;
	memset(&c, 0xa5, sizeof(c));
	test_conf_default(&c, 4, 2);
	ck_assert_uint_eq(c.nworkers, 4);
	ck_assert_uint_eq(c.ntypes, 2);
	for (size_t i = 0; psp_param_at(i); i++) {
		const struct psp_param *p = psp_param_at(i);
		char got[64], want[64];
		psp_param_format_default(p, want, sizeof(want));
		if (p->flags & PSP_PARAM_PER_POLICY) {
			ck_assert_str_eq(want, "per policy");
			ck_assert_str_eq(test_param_format(&c, p, got, sizeof(got)), "0");
			continue;
		}
		ck_assert_msg(strcmp(test_param_format(&c, p, got, sizeof(got)), want) == 0,
			      "%s: default conf holds %s, descriptor says %s", p->name, got, want);
		/* and setting the formatted default stores the same bytes */
		if (strcmp(want, "none") == 0)
			continue;
		struct test_conf d = c;
		struct psp_err err;
		ck_assert_int_eq(test_param_set(&d, p, want, &err), 0);
		ck_assert_msg(memcmp(&d, &c, sizeof(c)) == 0,
			      "%s: setting its default '%s' changed it", p->name, want);
	}
	/* spot checks, so that the comparison above cannot pass on two
	 * identical mistakes */
	ck_assert_uint_eq(c.ts_quantum_ns, 5000);
	ck_assert_int_eq(c.darc_reserve, -1);
	ck_assert_uint_eq(c.darc_min_samples, 50000);
	ck_assert(c.darc_delta == 0.2);
	ck_assert(c.ts_slo_factor == 10);
	ck_assert_int_eq(c.placement, PSP_PLACE_ROUND_ROBIN);
	ck_assert_uint_eq(c.slots, 0);
	ck_assert(!c.darc_no_steal);
	ck_assert_ptr_null(c.rand_u64);
	ck_assert_ptr_null(c.on_reservation);
	ck_assert_uint_eq(c.type_mean_ns[0], 0);
}
END_TEST

static bool in_table(const struct psp_param *p)
{
	for (size_t i = 0; psp_param_at(i); i++)
		if (psp_param_at(i) == p)
			return true;
	return false;
}

/* Every policy reads only knobs of the table; every knob is read by some
 * policy (a knob nobody reads is a flag that does nothing). */
START_TEST(test_policies_and_table_agree)
{
	for (size_t i = 0; psp_policy_at(i); i++) {
		const struct psp_policy_ops *o = psp_policy_at(i);
		for (size_t j = 0; o->params && o->params[j]; j++) {
			ck_assert_msg(in_table(o->params[j]), "%s reads a knob not in the registry",
				      o->name);
			for (size_t k = 0; k < j; k++)
				ck_assert_ptr_ne(o->params[k], o->params[j]);
		}
	}
	for (size_t i = 0; psp_param_at(i); i++) {
		bool read = false;
		for (size_t j = 0; psp_policy_at(j); j++)
			read |= psp_policy_has_param(psp_policy_at(j), psp_param_at(i));
		ck_assert_msg(read, "knob %s is read by no policy", psp_param_at(i)->name);
	}
	/* and the knobs the new policies must read */
	ck_assert(psp_policy_has_param(&psp_ws_ops, knob("steal_cost_ns")));
	ck_assert(psp_policy_has_param(&psp_ws_ops, knob("placement")));
	ck_assert(psp_policy_has_param(&psp_tq_ops, knob("quantum_us")));
	ck_assert(psp_policy_has_param(&psp_concord_ops, knob("quantum_us")));
	ck_assert(psp_policy_has_param(&psp_jbsq_ops, knob("slots")));
	ck_assert(!psp_policy_has_param(&psp_cfcfs_ops, knob("slots")));
}
END_TEST

Suite *psp_param_suite(void)
{
	Suite *s = suite_create("param");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_descriptors);
	tcase_add_test(tc, test_uint);
	tcase_add_test(tc, test_int);
	tcase_add_test(tc, test_real);
	tcase_add_test(tc, test_bool);
	tcase_add_test(tc, test_choice);
	tcase_add_test(tc, test_apply_implies);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_policies_and_table_agree);
	suite_add_tcase(s, tc);
	return s;
}
