/* The suites' view of a policy configuration: a plain struct with a member
 * per knob the suites set, turned into the library's opaque conf (by knob
 * name) when a policy is made.  The defaults come from the library
 * (test_conf_default reads a fresh conf back), so no default is written
 * twice.  A suite testing a new knob can as well set it by name on the
 * opaque conf (psp_policy_conf_set). */
#ifndef PSP_TEST_CONF_H
#define PSP_TEST_CONF_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psp/param.h>
#include <psp/policy.h>

#include "internal.h" /* the conf's knob slots: the suites set values a host cannot */

/* The choices' indices (their order in each knob's choices). */
enum { PSP_TS_SINGLE_QUEUE = 0, PSP_TS_PER_TYPE };
enum { PSP_DARC_DYNAMIC = 0, PSP_DARC_ORACLE, PSP_DARC_STATIC };
enum { PSP_DARC_PAPER = 0, PSP_DARC_ROBUST };
enum { PSP_DARC_RATIOS_COMPLETIONS = 0, PSP_DARC_RATIOS_ARRIVALS };
enum { PSP_DARC_SIZE_ROUNDING = 0, PSP_DARC_SIZE_CAPACITY };
enum { PSP_DARC_HYST_FIXED = 0, PSP_DARC_HYST_CI };

struct test_conf {
	uint32_t nworkers, ntypes;
	uint64_t type_mean_ns[PSP_MAX_TYPES];
	double type_ratio[PSP_MAX_TYPES];
	const char *type_name[PSP_MAX_TYPES];
	uint64_t (*rand_u64)(void *ctx);
	void *rand_ctx;
	psp_reservation_fn on_reservation;
	void *on_reservation_ctx;
	/* knobs, in stored units */
	uint32_t slots;
	int placement;
	uint64_t steal_cost_ns, preempt_cost_ns, ts_quantum_ns;
	int ts_variant;
	double ts_slo_factor;
	int darc_mode;
	int32_t darc_reserve;
	bool darc_no_steal;
	uint64_t darc_min_samples;
	double darc_delta, darc_demand_change;
	int darc_variant, darc_ratio_source, darc_sizing, darc_hysteresis;
	double darc_starvation_guard;
	int rts_borrow;
};

/* Each member's knob: name, and where it is in struct test_conf. */
#define TEST_KNOBS(X)                                                      \
	X(slots, "slots") X(placement, "placement")                        \
	X(steal_cost_ns, "steal_cost_ns") X(preempt_cost_ns, "preempt_cost_us") \
	X(ts_quantum_ns, "quantum_us") X(ts_variant, "ts_variant")         \
	X(ts_slo_factor, "ts_slo_factor") X(darc_mode, "darc_mode")        \
	X(darc_reserve, "reserve") X(darc_no_steal, "no_steal")            \
	X(darc_min_samples, "darc_samples") X(darc_delta, "darc_delta")    \
	X(darc_demand_change, "darc_demand_change")                        \
	X(darc_variant, "darc_variant") X(darc_ratio_source, "darc_ratio_source") \
	X(darc_sizing, "darc_sizing") X(darc_hysteresis, "darc_hysteresis") \
	X(darc_starvation_guard, "darc_starvation_guard") X(rts_borrow, "rts_borrow")

static inline const struct psp_param *test_knob(const char *name)
{
	const struct psp_param *prm = psp_param_find(name);
	ck_assert_msg(prm != NULL, "no knob %s", name);
	return prm;
}

/* Reads every knob of conf back into c. */
static inline void test_conf_read(struct test_conf *c, const struct psp_policy_conf *conf)
{
	c->nworkers = psp_policy_conf_workers(conf);
	c->ntypes = psp_policy_conf_types(conf);
	for (uint32_t t = 0; t < PSP_MAX_TYPES; t++) {
		c->type_mean_ns[t] = psp_policy_conf_type_mean_ns(conf, t);
		c->type_ratio[t] = psp_policy_conf_type_ratio(conf, t);
	}
#define TEST_READ(m, n) c->m = (__typeof__(c->m))psp_param_stored(conf, test_knob(n));
	TEST_KNOBS(TEST_READ)
#undef TEST_READ
}

/* The library's defaults for nworkers and ntypes, no means, no hooks. */
static inline void test_conf_default(struct test_conf *c, uint32_t nworkers, uint32_t ntypes)
{
	memset(c, 0, sizeof(*c));
	struct psp_policy_conf *conf = psp_policy_conf_new(nworkers, ntypes);
	ck_assert_ptr_nonnull(conf);
	test_conf_read(c, conf);
	psp_policy_conf_free(conf);
}

/* Stores knob prm = v (stored units) as it is, out of range or not: the
 * suites check that the policies refuse what the parser would not let in. */
static inline void test_conf_put(struct psp_policy_conf *conf, const struct psp_param *prm,
				 double v)
{
	union psp_knob_value *f = psp_knob_slot(conf, prm);
	ck_assert_ptr_nonnull(f);
	if (prm->kind == PSP_PARAM_REAL)
		f->r = v;
	else if (prm->kind == PSP_PARAM_UINT)
		f->u = (uint64_t)v;
	else
		f->i = (int64_t)v;
}

/* The library's conf for c; free with psp_policy_conf_free. */
static inline struct psp_policy_conf *test_conf_make(const struct test_conf *c)
{
	struct psp_policy_conf *conf = psp_policy_conf_new(c->nworkers, c->ntypes);
	ck_assert_ptr_nonnull(conf);
	for (uint32_t t = 0; t < PSP_MAX_TYPES; t++)
		psp_policy_conf_set_type(conf, t, c->type_name[t], c->type_mean_ns[t],
					 c->type_ratio[t]);
	psp_policy_conf_set_rand(conf, c->rand_u64, c->rand_ctx);
	psp_policy_conf_set_on_reservation(conf, c->on_reservation, c->on_reservation_ctx);
#define TEST_PUT(m, n) test_conf_put(conf, test_knob(n), (double)c->m);
	TEST_KNOBS(TEST_PUT)
#undef TEST_PUT
	return conf;
}

static inline struct psp_policy *test_policy_create(const struct psp_policy_ops *ops,
						    const struct test_conf *c, struct psp_err *err)
{
	struct psp_policy_conf *conf = test_conf_make(c);
	struct psp_policy *p = psp_policy_create(ops, conf, err);
	psp_policy_conf_free(conf);
	return p;
}

static inline uint32_t test_conf_slots(const struct psp_policy_ops *ops, const struct test_conf *c)
{
	return c->slots ? c->slots : ops->props.default_slots;
}

/* psp_param_set, psp_param_apply and psp_param_format on c, through the
 * library's conf. */
static inline int test_param_set(struct test_conf *c, const struct psp_param *prm,
				 const char *value, struct psp_err *err)
{
	struct psp_policy_conf *conf = test_conf_make(c);
	int rc = psp_param_set(conf, prm, value, err);
	test_conf_read(c, conf);
	psp_policy_conf_free(conf);
	return rc;
}

static inline int test_param_apply(struct test_conf *c, const struct psp_param_value *v,
				   size_t n, struct psp_err *err)
{
	struct psp_policy_conf *conf = test_conf_make(c);
	int rc = psp_param_apply(conf, v, n, err);
	test_conf_read(c, conf);
	psp_policy_conf_free(conf);
	return rc;
}

static inline const char *test_param_format(const struct test_conf *c,
					    const struct psp_param *prm, char *buf, size_t cap)
{
	struct psp_policy_conf *conf = test_conf_make(c);
	psp_param_format(conf, prm, buf, cap);
	psp_policy_conf_free(conf);
	return buf;
}

/* Stores knob name = v (stored units) on an opaque conf, as test_conf_put. */
static inline void test_put(struct psp_policy_conf *conf, const char *name, double v)
{
	test_conf_put(conf, test_knob(name), v);
}

/* Sets knob name to value (no implies) on an opaque conf; the test fails
 * when the library refuses it. */
static inline void test_set(struct psp_policy_conf *conf, const char *name, const char *value)
{
	struct psp_err err;
	int rc = psp_param_set(conf, test_knob(name), value, &err);
	ck_assert_msg(rc == 0, "%s=%s: %s", name, value, err.msg);
}

/* A conf that a suite copies around inside setups and keeps to the end of
 * the test process (Check forks one per test): freed at that process's
 * exit, so LeakSanitizer sees none left. */
static struct psp_policy_conf *test_kept_conf[256];
static size_t test_nkept;

static inline void test_free_kept_confs(void)
{
	while (test_nkept)
		psp_policy_conf_free(test_kept_conf[--test_nkept]);
}

static inline void test_keep_conf(struct psp_policy_conf *conf)
{
	if (test_nkept == 0)
		atexit(test_free_kept_confs);
	ck_assert_uint_lt(test_nkept, sizeof(test_kept_conf) / sizeof(test_kept_conf[0]));
	test_kept_conf[test_nkept++] = conf;
}

#endif
