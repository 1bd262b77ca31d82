/* DARC: the planner reproduces the paper's worked reservations (14 workers:
 * High Bimodal 1 | 13 + spillway, Extreme Bimodal 2 | 12, TPC-C 2 | 6 | 6,
 * RocksDB 1 | 13 + spillway) and its edge cases; the policy dispatches by
 * them, profiles, and re-reserves. */
#include <check.h>
#include <math.h>
#include <string.h>

#include <psp/darc.h>
#include <psp/policy.h>

#include "test_conf.h"

static uint64_t bits(uint32_t from, uint32_t to) /* [from, to] */
{
	uint64_t m = 0;
	for (uint32_t w = from; w <= to; w++)
		m |= 1ull << w;
	return m;
}

static void plan_ok(struct psp_darc_plan *plan, uint32_t w, uint32_t n,
		    const double *mean_us, const double *ratio)
{
	double mean_ns[PSP_MAX_TYPES];
	for (uint32_t t = 0; t < n; t++)
		mean_ns[t] = mean_us[t] * 1e3;
	ck_assert_int_eq(psp_darc_plan(plan, w, n, mean_ns, ratio, 0.2, true), 0);
}

START_TEST(high_bimodal_14)
{
	struct psp_darc_plan p;
	plan_ok(&p, 14, 2, (double[]){1, 100}, (double[]){0.5, 0.5});
	ck_assert_uint_eq(p.ngroups, 2);
	ck_assert_uint_eq(p.group[0].ncores, 1);
	ck_assert_uint_eq(p.group[0].reserved_mask, bits(0, 0));
	ck_assert_uint_eq(p.group[0].stealable_mask, bits(1, 13));
	ck_assert_uint_eq(p.group[1].first_core, 1);
	ck_assert_uint_eq(p.group[1].ncores, 13);
	ck_assert(p.group[1].spillway);
	ck_assert_uint_eq(p.group[1].reserved_mask, bits(1, 13));
	ck_assert_uint_eq(p.group[1].stealable_mask, 0);
	char buf[256];
	const char *names[] = {"SHORT", "LONG"};
	psp_darc_plan_format(&p, names, buf, sizeof(buf));
	ck_assert_str_eq(buf, "SHORT: cores 0 (+steal 1-13) | LONG: cores 1-13 + spillway 13");
}
END_TEST

START_TEST(extreme_bimodal_14)
{
	struct psp_darc_plan p;
	plan_ok(&p, 14, 2, (double[]){0.5, 500}, (double[]){0.995, 0.005});
	ck_assert_uint_eq(p.group[0].ncores, 2); /* demand 2.32 -> floor */
	ck_assert_uint_eq(p.group[1].ncores, 12); /* demand 11.68 -> ceil */
	ck_assert(!p.group[1].spillway);
	ck_assert_uint_eq(p.group[0].stealable_mask, bits(2, 13));
}
END_TEST

START_TEST(tpcc_14)
{
	/* Payment, OrderStatus, NewOrder, Delivery, StockLevel (any order in). */
	struct psp_darc_plan p;
	plan_ok(&p, 14, 5, (double[]){20, 5.7, 88, 6, 100},
		(double[]){0.44, 0.44, 0.04, 0.04, 0.04});
	ck_assert_uint_eq(p.ngroups, 3);
	ck_assert_uint_eq(p.group[0].ntypes, 2); /* Payment + OrderStatus */
	ck_assert_uint_eq(p.group[0].types[0], 1);
	ck_assert_uint_eq(p.group[0].types[1], 3);
	ck_assert_uint_eq(p.group[0].ncores, 2);
	ck_assert_uint_eq(p.group[1].ntypes, 1); /* NewOrder */
	ck_assert_uint_eq(p.group[1].ncores, 6);
	ck_assert_uint_eq(p.group[1].first_core, 2);
	ck_assert_uint_eq(p.group[1].stealable_mask, bits(8, 13));
	ck_assert_uint_eq(p.group[2].ntypes, 2); /* Delivery + StockLevel */
	ck_assert_uint_eq(p.group[2].ncores, 6);
	ck_assert_uint_eq(p.group[2].reserved_mask, bits(8, 13));
	ck_assert_int_eq(p.type_group[0], 1);
	ck_assert_int_eq(p.type_group[4], 2);
}
END_TEST

START_TEST(rocksdb_14)
{
	struct psp_darc_plan p;
	plan_ok(&p, 14, 2, (double[]){1.5, 635}, (double[]){0.5, 0.5});
	ck_assert_uint_eq(p.group[0].ncores, 1);
	ck_assert_uint_eq(p.group[1].ncores, 13);
	ck_assert(p.group[1].spillway);
}
END_TEST

START_TEST(one_type)
{
	struct psp_darc_plan p;
	plan_ok(&p, 14, 1, (double[]){3.5}, (double[]){1});
	ck_assert_uint_eq(p.ngroups, 1);
	ck_assert_uint_eq(p.group[0].ncores, 14);
	ck_assert(!p.group[0].spillway);
	ck_assert_uint_eq(p.group[0].stealable_mask, 0);
}
END_TEST

START_TEST(absent_types)
{
	/* ratio 0 or infinite mean: in no group */
	struct psp_darc_plan p;
	double mean_ns[] = {1000, INFINITY, 100000};
	double ratio[] = {0.5, 0, 0.5};
	ck_assert_int_eq(psp_darc_plan(&p, 14, 3, mean_ns, ratio, 0.2, true), 0);
	ck_assert_uint_eq(p.ngroups, 2);
	ck_assert_int_eq(p.type_group[1], -1);
	ck_assert_uint_eq(p.group[1].types[0], 2);
	double none[] = {0, 0, 0};
	ck_assert_int_lt(psp_darc_plan(&p, 14, 3, mean_ns, none, 0.2, true), 0);
}
END_TEST

START_TEST(more_groups_than_workers)
{
	/* 3 groups, 2 workers: the third gets only the spillway (worker 1). */
	struct psp_darc_plan p;
	double mean_ns[] = {1000, 10000, 100000};
	double ratio[] = {0.4, 0.3, 0.3};
	ck_assert_int_eq(psp_darc_plan(&p, 2, 3, mean_ns, ratio, 0.2, true), 0);
	ck_assert_uint_eq(p.ngroups, 3);
	ck_assert_uint_eq(p.group[0].reserved_mask, bits(0, 0));
	ck_assert_uint_eq(p.group[1].reserved_mask, bits(1, 1));
	ck_assert_uint_eq(p.group[2].ncores, 0);
	ck_assert(p.group[2].spillway);
	ck_assert_uint_eq(p.group[2].reserved_mask, bits(1, 1));
	/* one worker: every group shares it */
	ck_assert_int_eq(psp_darc_plan(&p, 1, 3, mean_ns, ratio, 0.2, true), 0);
	ck_assert_uint_eq(p.group[0].reserved_mask, 1);
	ck_assert_uint_eq(p.group[2].reserved_mask, 1);
}
END_TEST

START_TEST(rounding_and_no_steal)
{
	/* demand exactly x.5 rounds down; no-steal leaves stealable empty */
	struct psp_darc_plan p;
	double mean_ns[] = {1000, 3000};
	double ratio[] = {0.5, 0.5}; /* demands 1.0 and 3.0 at W=4 */
	ck_assert_int_eq(psp_darc_plan(&p, 4, 2, mean_ns, ratio, 0.2, false), 0);
	ck_assert_uint_eq(p.group[0].ncores, 1);
	ck_assert_uint_eq(p.group[0].stealable_mask, 0);
	double mean2[] = {1000, 1000};
	double ratio2[] = {0.625, 0.375}; /* 2.5 and 1.5 at W=4 -> 2 and 1 */
	ck_assert_int_eq(psp_darc_plan(&p, 4, 2, mean2, ratio2, 0.0, true), 0);
	ck_assert_uint_eq(p.ngroups, 2); /* delta 0: equal means split */
	ck_assert_uint_eq(p.group[0].ncores, 2);
	ck_assert_uint_eq(p.group[1].ncores, 1);
	/* core 3 is reserved by no one: both groups may steal it */
	ck_assert_uint_eq(p.group[0].stealable_mask, bits(2, 3));
	ck_assert_uint_eq(p.group[1].stealable_mask, bits(3, 3));
}
END_TEST

START_TEST(static_plan)
{
	struct psp_darc_plan p;
	double mean_ns[] = {1000, 100000};
	double ratio[] = {0.5, 0.5};
	ck_assert_int_eq(psp_darc_plan_static(&p, 14, 2, mean_ns, ratio, 0.2, 3, true), 0);
	ck_assert_uint_eq(p.group[0].reserved_mask, bits(0, 2));
	ck_assert_uint_eq(p.group[0].stealable_mask, bits(3, 13));
	ck_assert_uint_eq(p.group[1].reserved_mask, bits(3, 13));
	ck_assert_uint_eq(p.group[1].stealable_mask, 0);
	ck_assert_int_eq(psp_darc_plan_static(&p, 14, 2, mean_ns, ratio, 0.2, 0, true), 0);
	ck_assert_uint_eq(p.group[0].reserved_mask, 0);
	ck_assert_uint_eq(p.group[0].stealable_mask, bits(0, 13));
	ck_assert_int_lt(psp_darc_plan_static(&p, 14, 2, mean_ns, ratio, 0.2, 14, true), 0);
	double same[] = {1000, 1100};
	ck_assert_int_lt(psp_darc_plan_static(&p, 14, 2, same, ratio, 0.2, 1, true), 0);
}
END_TEST

START_TEST(cores_format)
{
	char buf[64];
	psp_cores_format(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-");
	psp_cores_format(bits(0, 0) | bits(2, 2) | bits(5, 7), buf, sizeof(buf));
	ck_assert_str_eq(buf, "0,2,5-7");
	psp_cores_format(~0ull, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0-63");
}
END_TEST

START_TEST(timeline_row)
{
	struct psp_darc_plan p;
	plan_ok(&p, 14, 2, (double[]){1, 100}, (double[]){0.5, 0.5});
	const char *names[] = {"SHORT", "LONG"};
	char row[256];
	psp_darc_timeline_row(&p, 0, 1234, names, row, sizeof(row));
	ck_assert_str_eq(row, "1234,0,SHORT,0,1-13");
	psp_darc_timeline_row(&p, 1, 1234, NULL, row, sizeof(row));
	ck_assert_str_eq(row, "1234,1,T1,1-13,-");
	/* a core set with a comma is quoted, so the row keeps five fields */
	p.group[0].reserved_mask = bits(0, 0) | bits(2, 2);
	psp_darc_timeline_row(&p, 0, 7, names, row, sizeof(row));
	ck_assert_str_eq(row, "7,0,SHORT,\"0,2\",1-13");
	/* truncation stays inside the buffer */
	char small[8];
	ck_assert_uint_eq(psp_darc_timeline_row(&p, 0, 7, names, small, sizeof(small)), 7);
	ck_assert_str_eq(small, "7,0,SHO");
}
END_TEST

/* ---- the policy ---- */

struct harness {
	struct psp_policy *p;
	struct psp_req req[64];
	struct psp_assign a[64];
	uint32_t reservations_seen;
};

static void on_res(void *ctx, uint64_t now, const struct psp_darc_plan *plan)
{
	(void)now, (void)plan;
	((struct harness *)ctx)->reservations_seen++;
}

static void h_create(struct harness *h, int mode, uint32_t w,
		     uint64_t min_samples)
{
	memset(h, 0, sizeof(*h));
	struct test_conf c;
	test_conf_default(&c, w, 2);
	c.type_mean_ns[0] = 1000;
	c.type_mean_ns[1] = 100000;
	c.type_ratio[0] = c.type_ratio[1] = 0.5;
	c.darc_mode = mode;
	c.darc_min_samples = min_samples;
	c.on_reservation = on_res;
	c.on_reservation_ctx = h;
	struct psp_err err;
	h->p = test_policy_create(&psp_darc_ops, &c, &err);
	ck_assert_msg(h->p != NULL, "%s", err.msg);
}

static struct psp_req *h_req(struct harness *h, uint32_t i, uint32_t type)
{
	memset(&h->req[i], 0, sizeof(h->req[i]));
	h->req[i].id = i;
	h->req[i].type = type;
	return &h->req[i];
}

START_TEST(oracle_dispatch_idles_short_core)
{
	struct harness h;
	h_create(&h, PSP_DARC_ORACLE, 4, 1000000);
	ck_assert_uint_eq(h.reservations_seen, 1); /* announced at creation */
	/* 4 LONG requests: only cores 1..3 take them; core 0 idles */
	for (uint32_t i = 0; i < 4; i++)
		psp_policy_enqueue(h.p, h_req(&h, i, 1), 10);
	size_t n = psp_policy_dispatch(h.p, 10, h.a, 4);
	ck_assert_uint_eq(n, 3);
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_ne(h.a[i].worker, 0);
	ck_assert(psp_policy_worker_idle(h.p, 0));
	/* a SHORT arrives: it gets core 0 */
	psp_policy_enqueue(h.p, h_req(&h, 10, 0), 20);
	n = psp_policy_dispatch(h.p, 20, h.a, 4);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(h.a[0].worker, 0);
	ck_assert_uint_eq(h.a[0].req->id, 10);
	/* a second SHORT: core 0 busy, stealable 1..3 busy -> waits; when a
	 * LONG core frees, SHORT (visited first) steals it before the LONG */
	psp_policy_enqueue(h.p, h_req(&h, 11, 0), 30);
	ck_assert_uint_eq(psp_policy_dispatch(h.p, 30, h.a, 4), 0);
	psp_policy_complete(h.p, 2, &h.req[1], 100000, true, 100000);
	n = psp_policy_dispatch(h.p, 100000, h.a, 4);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(h.a[0].req->id, 11);
	ck_assert_uint_eq(h.a[0].worker, 2);
	psp_policy_destroy(h.p);
}
END_TEST

START_TEST(unknown_type_spillway_only)
{
	struct harness h;
	h_create(&h, PSP_DARC_ORACLE, 4, 1000000);
	psp_policy_enqueue(h.p, h_req(&h, 0, PSP_TYPE_UNKNOWN), 1);
	psp_policy_enqueue(h.p, h_req(&h, 1, PSP_TYPE_UNKNOWN), 1);
	size_t n = psp_policy_dispatch(h.p, 1, h.a, 4);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(h.a[0].worker, 3);
	psp_policy_destroy(h.p);
}
END_TEST

START_TEST(dynamic_warmup_then_reserves)
{
	struct harness h;
	h_create(&h, PSP_DARC_DYNAMIC, 4, 8);
	ck_assert_ptr_null(psp_darc_current_plan(h.p));
	uint64_t now = 1;
	/* warm-up is c-FCFS: a LONG first in line takes core 0 */
	for (uint32_t i = 0; i < 8; i++) {
		uint32_t type = i % 2;
		psp_policy_enqueue(h.p, h_req(&h, i, type), now);
		size_t n = psp_policy_dispatch(h.p, now, h.a, 4);
		ck_assert_uint_eq(n, 1);
		if (i == 0)
			ck_assert_uint_eq(h.a[0].worker, 0);
		uint64_t service = type ? 100000 : 1000;
		now += service;
		psp_policy_complete(h.p, h.a[0].worker, h.a[0].req, service, true, now);
	}
	ck_assert_uint_eq(h.reservations_seen, 0);
	/* the ninth dispatch finds 8 samples and reserves: SHORT 1, LONG 3 */
	psp_policy_enqueue(h.p, h_req(&h, 20, 1), now);
	ck_assert_uint_eq(psp_policy_dispatch(h.p, now, h.a, 4), 1);
	ck_assert_uint_eq(h.reservations_seen, 1);
	const struct psp_darc_plan *plan = psp_darc_current_plan(h.p);
	ck_assert_ptr_nonnull(plan);
	ck_assert_uint_eq(plan->group[0].reserved_mask, 1);
	ck_assert_uint_ne(h.a[0].worker, 0);
	psp_policy_destroy(h.p);
}
END_TEST

START_TEST(bad_static_reserve)
{
	struct test_conf c;
	test_conf_default(&c, 4, 2);
	c.type_mean_ns[0] = 1000;
	c.type_mean_ns[1] = 100000;
	c.type_ratio[0] = c.type_ratio[1] = 0.5;
	c.darc_mode = PSP_DARC_STATIC;
	c.darc_reserve = 4;
	struct psp_err err;
	ck_assert_ptr_null(test_policy_create(&psp_darc_ops, &c, &err));
	ck_assert_str_eq(err.key, "reserve");
	c.darc_mode = PSP_DARC_DYNAMIC; /* reserve without static mode */
	ck_assert_ptr_null(test_policy_create(&psp_darc_ops, &c, &err));
	ck_assert_str_eq(err.key, "reserve");
	c.darc_reserve = 1;
	c.darc_mode = PSP_DARC_STATIC;
	c.darc_reserve = -1; /* static without reserve */
	ck_assert_ptr_null(test_policy_create(&psp_darc_ops, &c, &err));
	ck_assert_str_eq(err.key, "darc_mode");
	c.darc_mode = PSP_DARC_ORACLE;
	c.type_mean_ns[1] = 0;
	ck_assert_ptr_null(test_policy_create(&psp_darc_ops, &c, &err));
	ck_assert_str_eq(err.key, "type_mean");
}
END_TEST

Suite *psp_darc_suite(void);
Suite *psp_darc_suite(void)
{
	Suite *s = suite_create("darc");
	TCase *plan = tcase_create("plan");
	tcase_add_test(plan, high_bimodal_14);
	tcase_add_test(plan, extreme_bimodal_14);
	tcase_add_test(plan, tpcc_14);
	tcase_add_test(plan, rocksdb_14);
	tcase_add_test(plan, one_type);
	tcase_add_test(plan, absent_types);
	tcase_add_test(plan, more_groups_than_workers);
	tcase_add_test(plan, rounding_and_no_steal);
	tcase_add_test(plan, static_plan);
	tcase_add_test(plan, cores_format);
	tcase_add_test(plan, timeline_row);
	suite_add_tcase(s, plan);
	TCase *pol = tcase_create("policy");
	tcase_add_test(pol, oracle_dispatch_idles_short_core);
	tcase_add_test(pol, unknown_type_spillway_only);
	tcase_add_test(pol, dynamic_warmup_then_reserves);
	tcase_add_test(pol, bad_static_reserve);
	suite_add_tcase(s, pol);
	return s;
}
