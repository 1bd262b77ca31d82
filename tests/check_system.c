/* psp-sim's system model (sim/system.h, docs/system-model.md) against cases
 * computed by hand, and its loader's errors.
 *
 *  - the ideal system (every part absent) is psp-sim without --system, bit
 *    for bit, for every policy; --dispatch-cost-ns is the system's
 *    dispatcher.dispatch; a constant preemption.cost is --preempt-cost-us;
 *    d-FCFS and ws (no central dispatcher) never meet the dispatcher parts;
 *  - a constant hand-off h adds exactly h to every latency at a load where
 *    nothing ever waits; a completion notice adds nothing to any latency
 *    there (the reply leaves at the finish);
 *  - a constant completion notice n on an M/M/1 is an M/G/1 whose service
 *    is S + n for the queue, S for the latency (Pollaczek-Khinchine);
 *  - an exponential dispatcher arrival step of mean d before an M/M/1
 *    worker is a Jackson tandem: E[T] = 1/(1/d - lambda) + 1/(mu - lambda);
 *  - network delay n adds exactly 2n to every latency at any load, and
 *    changes nothing in the server (worker time, events);
 *  - wake-up latency is charged exactly when the worker idled past
 *    park_after (a hand-made trace), with exact CPU accounting;
 *  - preemption signal and cost on a hand-made trace;
 *  - busy + spinning + parked = cores x simulated time, for every policy;
 *  - the headline: on High Bimodal at load 0.8, c-FCFS beats JBSQ(2) on the
 *    ideal machine and JBSQ(2) beats c-FCFS with a hand-off and completion
 *    notice of 5 us each (psp-engine measured JBSQ(2) ahead).
 *
 * Tolerances: the exact checks compare integers (ns).  The two queueing
 * checks follow tests/check_theory.c: NREP independent replications, and
 * |estimate - theory| <= T_999 x SE, with SE <= MAX_REL_SE of the theory so
 * that noise alone cannot pass them.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <psp/hist.h>
#include <psp/param.h>
#include <psp/policy.h>
#include <psp/workload.h>

#include "queueing_models.h"
#include "reqpool.h"
#include "run.h"
#include "system.h"
#include "trace.h"

#define SEED0 42
#define NREP 8
#define T_999 5.41      /* Student t, 7 dof, two-sided 99.9% */
#define MAX_REL_SE 0.02

Suite *psp_system_suite(void);

static struct sim_system sys_empty(const char *name)
{
	struct sim_system s;
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "%s", name);
	s.park_after_us = -1;
	s.npreempt = 1;
	return s;
}

static struct sim_sysdist constant_us(double us)
{
	return (struct sim_sysdist){.kind = SIM_SYSDIST_CONSTANT, .mean_us = us};
}

static struct sim_setup make_setup(const struct psp_workload *wl, const char *policy,
				   uint32_t workers, uint64_t requests)
{
	struct sim_setup s;
	const struct psp_policy_ops *ops = psp_policy_find(policy);
	ck_assert_ptr_nonnull(ops);
	ck_assert_int_eq(sim_setup_default(&s, wl, ops, workers), 0);
	s.requests = requests;
	s.seed = SEED0;
	return s;
}

static void set_knob(struct sim_setup *s, const char *name, const char *value)
{
	struct psp_err err;
	ck_assert_msg(psp_param_set(s->conf, psp_param_find(name), value, &err) == 0, "%s: %s", name,
		      err.msg);
}

static void run_rep(const struct sim_setup *s, double load, uint32_t rep, struct sim_result *res)
{
	struct psp_err err;
	int rc = sim_run_replication(s, load, rep, res, &err);
	ck_assert_msg(rc == 0, "sim_run: %s", err.msg);
	ck_assert_uint_eq(res->dropped, 0);
}

/* Per-request latencies (server side, finish - arrival), by arrival id. */
struct lat_log {
	uint64_t *lat, *service;
	uint64_t n;
};

static void log_done(void *ctx, const struct sim_req *r, uint64_t now_ns)
{
	struct lat_log *l = ctx;
	ck_assert_uint_lt(r->req.id, l->n);
	l->lat[r->req.id] = now_ns - r->req.arrive_ns;
	l->service[r->req.id] = r->req.service_ns;
}

static void run_logged(struct sim_setup *s, double load, struct lat_log *log,
		       struct sim_result *res)
{
	log->n = s->requests;
	log->lat = calloc(log->n, sizeof(*log->lat));
	log->service = calloc(log->n, sizeof(*log->service));
	ck_assert_ptr_nonnull(log->lat);
	ck_assert_ptr_nonnull(log->service);
	s->on_done = log_done;
	s->on_done_ctx = log;
	run_rep(s, load, 0, res);
	s->on_done = NULL;
	ck_assert_uint_eq(res->completed, s->requests);
}

static void same_results(const struct sim_result *a, const struct sim_result *b, bool events)
{
	ck_assert_uint_eq(a->completed, b->completed);
	ck_assert_uint_eq(a->sojourn_sum_ns, b->sojourn_sum_ns);
	ck_assert_uint_eq(a->preemptions, b->preemptions);
	ck_assert_uint_eq(a->sim_ns, b->sim_ns);
	if (events)
		ck_assert_uint_eq(a->events, b->events);
	for (uint32_t t = 0; t <= a->ntypes; t++) {
		ck_assert_uint_eq(psp_hist_quantile(&a->lat[t], 0.999), psp_hist_quantile(&b->lat[t], 0.999));
		ck_assert_uint_eq(psp_hist_quantile(&a->slow[t], 0.5), psp_hist_quantile(&b->slow[t], 0.5));
	}
}

static void bimodal_wl(struct psp_workload *wl)
{
	make_wl(wl, 2, PSP_DIST_EXPONENTIAL, (double[]){2, 40}, (double[]){0.8, 0.2});
}

/* ---------------------------------------------------------------------- */
/* The ideal machine and the flags it relates to. */

static const char *const all_policies[] = {"cfcfs", "dfcfs", "darc", "ts", "sjf",
					   "jbsq", "ws", "tq", "concord"};
#define NPOLICIES (sizeof(all_policies) / sizeof(all_policies[0]))

static void prepare_policy(struct sim_setup *s, const char *policy)
{
	if (!strcmp(policy, "darc"))
		set_knob(s, "darc_samples", "2000");
}

START_TEST(ideal_is_no_system)
{
	struct psp_workload wl;
	bimodal_wl(&wl);
	struct sim_system ideal = sys_empty("ideal");
	struct sim_setup s = make_setup(&wl, all_policies[_i], 4, 30000);
	prepare_policy(&s, all_policies[_i]);
	struct sim_result a, b;
	run_rep(&s, 0.8, 0, &a);
	s.system = &ideal;
	run_rep(&s, 0.8, 0, &b);
	same_results(&a, &b, true);
	ck_assert_uint_eq(a.busy_ns, b.busy_ns);
	ck_assert_uint_eq(a.cpu_busy_ns, 0); /* no accounting without a system */
	ck_assert_uint_gt(b.cpu_busy_ns, 0);
	sim_result_free(&a);
	sim_result_free(&b);
	sim_setup_free(&s);
}
END_TEST

/* --dispatch-cost-ns N is the system's dispatcher.dispatch, constant N ns. */
START_TEST(dispatch_cost_is_dispatcher_dispatch)
{
	struct psp_workload wl;
	bimodal_wl(&wl);
	struct sim_system sys = sys_empty("dispatch");
	sys.disp_dispatch = constant_us(0.25);
	struct sim_setup s = make_setup(&wl, all_policies[_i], 4, 30000);
	prepare_policy(&s, all_policies[_i]);
	struct sim_result a, b;
	s.dispatch_cost_ns = 250;
	run_rep(&s, 0.8, 0, &a);
	s.dispatch_cost_ns = 0;
	s.system = &sys;
	run_rep(&s, 0.8, 0, &b);
	/* tq may postpone preemptions without a system and not with one:
	 * the same requests, other events */
	same_results(&a, &b, false);
	sim_result_free(&a);
	sim_result_free(&b);
	sim_setup_free(&s);
}
END_TEST

/* A constant preemption.cost is --preempt-cost-us. */
START_TEST(preempt_cost_is_knob)
{
	static const char *const preemptive[] = {"ts", "tq", "concord"};
	struct psp_workload wl;
	bimodal_wl(&wl);
	struct sim_system sys = sys_empty("preempt");
	sys.preempt[0].cost = constant_us(1.5);
	struct sim_setup s = make_setup(&wl, preemptive[_i], 4, 30000);
	struct sim_result a, b;
	set_knob(&s, "preempt_cost_us", "1.5");
	run_rep(&s, 0.7, 0, &a);
	set_knob(&s, "preempt_cost_us", "0");
	s.system = &sys;
	run_rep(&s, 0.7, 0, &b);
	ck_assert_uint_gt(a.preemptions, 1000);
	same_results(&a, &b, true);
	sim_result_free(&a);
	sim_result_free(&b);
	sim_setup_free(&s);
}
END_TEST

/* d-FCFS and ws place arrivals by RSS: no dispatcher, no hand-off, no notice. */
START_TEST(no_dispatcher_no_dispatcher_parts)
{
	static const char *const rss[] = {"dfcfs", "ws"};
	struct psp_workload wl;
	bimodal_wl(&wl);
	struct sim_system sys = sys_empty("dispatcher");
	sys.disp_arrival = sys.disp_dispatch = sys.disp_completion = constant_us(0.5);
	sys.handoff = sys.notice = constant_us(3);
	struct sim_setup s = make_setup(&wl, rss[_i], 4, 30000);
	struct sim_result a, b;
	run_rep(&s, 0.8, 0, &a);
	s.system = &sys;
	run_rep(&s, 0.8, 0, &b);
	same_results(&a, &b, true);
	ck_assert_uint_eq(b.dispatcher_busy_ns, 0);
	ck_assert_uint_eq(b.cores, 4); /* no dispatcher core */
	sim_result_free(&a);
	sim_result_free(&b);
	sim_setup_free(&s);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Hand-off, notice, network: exact at a load where nothing waits. */

/* 14 workers at load 0.02 (mean 10 us; with a 3 us hand-off or notice a
 * worker is held 13 us): the probability that an arrival finds all 14
 * held is Erlang C(14, 0.36), about 1e-17, so no request of 20,000 ever
 * waits and each latency is its service time plus the modelled delays. */
#define QUIET_LOAD 0.02
#define QUIET_REQUESTS 20000u

static void quiet_pair(const char *policy, const struct sim_system *sys, struct lat_log *a,
		       struct lat_log *b, struct sim_result *ra, struct sim_result *rb)
{
	struct psp_workload wl;
	make_wl(&wl, 1, PSP_DIST_EXPONENTIAL, (double[]){10}, (double[]){1});
	struct sim_setup s = make_setup(&wl, policy, 14, QUIET_REQUESTS);
	if (!strcmp(policy, "darc"))
		set_knob(&s, "darc_mode", "oracle");
	run_logged(&s, QUIET_LOAD, a, ra);
	s.system = sys;
	run_logged(&s, QUIET_LOAD, b, rb);
	sim_setup_free(&s);
}

static void free_pair(struct lat_log *a, struct lat_log *b, struct sim_result *ra,
		      struct sim_result *rb)
{
	free(a->lat);
	free(b->lat);
	free(a->service);
	free(b->service);
	sim_result_free(ra);
	sim_result_free(rb);
}

/* ts requeues a preempted request through the dispatcher: a hand-off for
 * each of its ceil(S / quantum) slices (quantum 5 us), where the others
 * pass it once. */
START_TEST(handoff_adds_exactly)
{
	static const char *const central[] = {"cfcfs", "jbsq", "sjf", "darc", "ts"};
	struct sim_system sys = sys_empty("handoff");
	sys.handoff = constant_us(3);
	struct lat_log a, b;
	struct sim_result ra, rb;
	bool ts = !strcmp(central[_i], "ts");
	quiet_pair(central[_i], &sys, &a, &b, &ra, &rb);
	for (uint64_t i = 0; i < a.n; i++) {
		uint64_t passes = ts ? (a.service[i] + 4999) / 5000 : 1;
		ck_assert_msg(b.lat[i] == a.lat[i] + 3000 * passes,
			      "request %llu: %llu ns, without hand-off %llu (%llu passes)",
			      (unsigned long long)i, (unsigned long long)b.lat[i],
			      (unsigned long long)a.lat[i], (unsigned long long)passes);
	}
	free_pair(&a, &b, &ra, &rb);
}
END_TEST

START_TEST(handoff_not_for_rss)
{
	struct sim_system sys = sys_empty("handoff");
	sys.handoff = constant_us(3);
	struct lat_log a, b;
	struct sim_result ra, rb;
	quiet_pair("dfcfs", &sys, &a, &b, &ra, &rb);
	for (uint64_t i = 0; i < a.n; i++)
		ck_assert_uint_eq(b.lat[i], a.lat[i]);
	free_pair(&a, &b, &ra, &rb);
}
END_TEST

START_TEST(notice_not_in_latency)
{
	struct sim_system sys = sys_empty("notice");
	sys.notice = constant_us(3);
	sys.disp_completion = constant_us(0.1);
	struct lat_log a, b;
	struct sim_result ra, rb;
	quiet_pair("cfcfs", &sys, &a, &b, &ra, &rb);
	for (uint64_t i = 0; i < a.n; i++)
		ck_assert_uint_eq(b.lat[i], a.lat[i]);
	/* the dispatcher took every notice in: 0.1 us each */
	ck_assert_uint_eq(rb.dispatcher_busy_ns, 100 * (uint64_t)QUIET_REQUESTS);
	free_pair(&a, &b, &ra, &rb);
}
END_TEST

/* Network: 2n on every latency at any load, the server unchanged. */
START_TEST(network_adds_to_client_only)
{
	static const char *const policies[] = {"cfcfs", "dfcfs", "ts"};
	struct psp_workload wl;
	bimodal_wl(&wl);
	struct sim_system net = sys_empty("net");
	net.network = constant_us(4);
	struct sim_system ideal = sys_empty("ideal");
	struct sim_setup s = make_setup(&wl, policies[_i], 4, 30000);
	struct sim_result a, b;
	s.system = &ideal;
	run_rep(&s, 0.9, 0, &a);
	s.system = &net;
	run_rep(&s, 0.9, 0, &b);
	ck_assert_uint_eq(b.completed, a.completed);
	ck_assert_uint_eq(b.sojourn_sum_ns, a.sojourn_sum_ns + 8000 * a.completed);
	ck_assert_uint_eq(b.busy_ns, a.busy_ns);
	ck_assert_uint_eq(b.events, a.events);
	ck_assert_uint_eq(b.sim_ns, a.sim_ns);
	ck_assert_uint_eq(b.cpu_busy_ns, a.cpu_busy_ns);
	ck_assert_uint_eq(b.cpu_spin_ns, a.cpu_spin_ns);
	sim_result_free(&a);
	sim_result_free(&b);
	sim_setup_free(&s);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Queueing formulas. */

/* The mean and SE of the mean over NREP replications of one point. */
static void mean_latency_us(struct sim_setup *s, double load, double *mean, double *se)
{
	double v[NREP], sum = 0, ss = 0;
	for (uint32_t r = 0; r < NREP; r++) {
		struct sim_result res;
		run_rep(s, load, r, &res);
		v[r] = psp_hist_mean(&res.lat[res.ntypes]) / 1e3;
		sum += v[r];
		sim_result_free(&res);
	}
	*mean = sum / NREP;
	for (uint32_t r = 0; r < NREP; r++)
		ss += (v[r] - *mean) * (v[r] - *mean);
	*se = sqrt(ss / (NREP - 1) / NREP);
}

static void check_formula(const char *what, double mean, double se, double theory)
{
	ck_assert_msg(se <= MAX_REL_SE * theory, "%s: SE %.3f us is over %.0f%% of %.3f us: too "
		      "noisy to judge", what, se, MAX_REL_SE * 100, theory);
	ck_assert_msg(fabs(mean - theory) <= T_999 * se, "%s: mean latency %.3f us (SE %.3f), "
		      "theory %.3f us", what, mean, se, theory);
}

/* An exponential dispatcher step before an M/M/1 worker: a Jackson tandem
 * of two M/M/1 queues (Burke: the first's departures are Poisson).
 * lambda 0.06/us, dispatcher mean 5 us (rho 0.3), worker mean 10 us (rho
 * 0.6): E[T] = 1/(0.2 - 0.06) + 1/(0.1 - 0.06) = 32.143 us.  250,000
 * arrivals per replication: SE about 0.6% (measured), within MAX_REL_SE. */
START_TEST(tandem_dispatcher)
{
	struct psp_workload wl;
	make_wl(&wl, 1, PSP_DIST_EXPONENTIAL, (double[]){10}, (double[]){1});
	struct sim_system sys = sys_empty("tandem");
	sys.disp_arrival = (struct sim_sysdist){.kind = SIM_SYSDIST_EXPONENTIAL, .mean_us = 5};
	struct sim_setup s = make_setup(&wl, "cfcfs", 1, 250000);
	s.system = &sys;
	double mean, se, lambda = 0.06;
	mean_latency_us(&s, 0.6, &mean, &se);
	check_formula("tandem", mean, se, 1 / (1 / 5.0 - lambda) + 1 / (1 / 10.0 - lambda));
	sim_setup_free(&s);
}
END_TEST

/* A constant notice n on an M/M/1 (c-FCFS, one worker): the worker is
 * free for the policy n after each finish, so the queue is an M/G/1 with
 * service X = S + n, and a request's latency its wait plus S.  S mean 10
 * us, n = 2 us, lambda 0.05/us: rho = 0.6, E[X^2] = 100 + 144 = 244,
 * E[W] = lambda E[X^2] / (2 (1 - rho)) = 15.25, E[T] = 25.25 us.  Load is
 * lambda x 10 = 0.5 of the worker's nominal capacity. */
START_TEST(notice_mg1)
{
	struct psp_workload wl;
	make_wl(&wl, 1, PSP_DIST_EXPONENTIAL, (double[]){10}, (double[]){1});
	struct sim_system sys = sys_empty("notice");
	sys.notice = constant_us(2);
	struct sim_setup s = make_setup(&wl, "cfcfs", 1, 250000);
	s.system = &sys;
	double mean, se;
	mean_latency_us(&s, 0.5, &mean, &se);
	check_formula("notice", mean, se, 0.05 * 244 / (2 * (1 - 0.6)) + 10);
	sim_setup_free(&s);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Hand-made traces: wake-up and preemption. */

struct hand_trace {
	struct sim_trace t;
	struct sim_trace_row row[8];
	struct psp_workload wl;
};

/* Rows at arrival[i] us with service[i] us, one type. */
static void hand_trace(struct hand_trace *h, const double *arrival_us, const double *service_us,
		       uint32_t n)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->t.path, sizeof(h->t.path), "hand.csv");
	h->t.n = n;
	h->t.row = h->row;
	h->t.ntypes = 1;
	snprintf(h->t.type_name[0], sizeof(h->t.type_name[0]), "A");
	for (uint32_t i = 0; i < n; i++) {
		h->row[i] = (struct sim_trace_row){.id = i,
						   .arrival_ns = (uint64_t)(arrival_us[i] * 1e3),
						   .service_ns = (uint64_t)(service_us[i] * 1e3)};
		h->t.work_ns += (double)h->row[i].service_ns;
		h->t.service_ns[0] += (double)h->row[i].service_ns;
		if (h->row[i].service_ns > h->t.max_service_ns)
			h->t.max_service_ns = h->row[i].service_ns;
	}
	h->t.count[0] = n;
	h->t.span_ns = h->row[n - 1].arrival_ns;
	sim_trace_workload(&h->t, NULL, &h->wl);
}

static void run_trace(struct hand_trace *h, const char *policy, const struct sim_system *sys,
		      struct lat_log *log, struct sim_result *res, const char *knob,
		      const char *value)
{
	struct sim_setup s = make_setup(&h->wl, policy, 1, h->t.n);
	s.trace = &h->t;
	s.warmup = 0;
	s.system = sys;
	if (knob)
		set_knob(&s, knob, value);
	run_logged(&s, sim_trace_load(&h->t, 1), log, res);
	sim_setup_free(&s);
}

/* One worker, c-FCFS, park after 50 us idle, wake-up 7 us; service 2 us.
 *   arrival 10:  idle 10 (< 50)   -> starts at 10, latency 2, done 12
 *   arrival 100: idle 88 (> 50)   -> parked 38, wakes 7: latency 9, done 109
 *   arrival 110: idle 1           -> latency 2, done 112
 *   arrival 300: idle 188 (> 50)  -> parked 138, wakes 7: latency 9, done 309
 * spinning 10 + 50 + 1 + 50, parked 38 + 7 + 138 + 7, busy 8; the
 * dispatcher core spins the 309 us through. */
START_TEST(wakeup_after_park_only)
{
	struct hand_trace h;
	hand_trace(&h, (double[]){10, 100, 110, 300}, (double[]){2, 2, 2, 2}, 4);
	struct sim_system sys = sys_empty("park");
	sys.park_after_us = 50;
	sys.wakeup = constant_us(7);
	struct lat_log log;
	struct sim_result res;
	run_trace(&h, "cfcfs", &sys, &log, &res, NULL, NULL);
	const uint64_t want[] = {2000, 9000, 2000, 9000};
	for (uint32_t i = 0; i < 4; i++)
		ck_assert_uint_eq(log.lat[i], want[i]);
	ck_assert_uint_eq(res.wakeups, 2);
	ck_assert_uint_eq(res.sim_ns, 309000);
	ck_assert_uint_eq(res.cpu_busy_ns, 8000);
	ck_assert_uint_eq(res.cpu_spin_ns, 111000 + 309000);
	ck_assert_uint_eq(res.cpu_parked_ns, 190000);
	ck_assert_uint_eq(res.cpu_busy_ns + res.cpu_spin_ns + res.cpu_parked_ns, 2 * res.sim_ns);
	free(log.lat);
	free(log.service);
	sim_result_free(&res);
}
END_TEST

/* ts on one worker, quantum 5 us, signal 1 us, cost 2 us; one request of
 * 20 us: it runs 6, is preempted (2), runs 6 (2), 6 (2), then its last 2:
 * latency 3 x (6 + 2) + 2 = 26 us; one of 21 us: 3 x 8 + 3 = 27 us.  tq
 * (worker-timed) gets no signal: slices of 5 and cost 2: 3 x (5 + 2) + 5
 * = 26 us, and 4 x 7 + 1 = 29 us. */
START_TEST(preemption_signal_and_cost)
{
	struct hand_trace h;
	struct sim_system sys = sys_empty("preempt");
	sys.preempt[0].cost = constant_us(2);
	sys.preempt[0].signal = constant_us(1);
	struct lat_log log;
	struct sim_result res;
	hand_trace(&h, (double[]){0, 1000}, (double[]){20, 21}, 2);
	run_trace(&h, "ts", &sys, &log, &res, "quantum_us", "5");
	ck_assert_uint_eq(log.lat[0], 26000);
	ck_assert_uint_eq(log.lat[1], 27000);
	free(log.lat);
	free(log.service);
	sim_result_free(&res);
	run_trace(&h, "tq", &sys, &log, &res, "quantum_us", "5");
	ck_assert_uint_eq(log.lat[0], 26000);
	ck_assert_uint_eq(log.lat[1], 29000);
	free(log.lat);
	free(log.service);
	sim_result_free(&res);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* CPU accounting. */

START_TEST(cpu_accounting_balances)
{
	struct psp_workload wl;
	bimodal_wl(&wl);
	struct sim_system sys = sys_empty("all");
	sys.disp_arrival = sys.disp_dispatch = sys.disp_completion = constant_us(0.1);
	sys.handoff = (struct sim_sysdist){.kind = SIM_SYSDIST_LOGNORMAL, .mean_us = 1, .sigma = 0.5};
	sys.notice = (struct sim_sysdist){.kind = SIM_SYSDIST_EXPONENTIAL, .mean_us = 1};
	sys.park_after_us = 5;
	sys.wakeup = (struct sim_sysdist){.kind = SIM_SYSDIST_EMPIRICAL, .npoints = 3,
					  .q = {0, 0.5, 1}, .us = {1, 3, 20}};
	sys.preempt[0].cost = constant_us(0.5);
	sys.preempt[0].signal = constant_us(0.2);
	sys.network = constant_us(2);
	struct sim_setup s = make_setup(&wl, all_policies[_i], 4, 30000);
	prepare_policy(&s, all_policies[_i]);
	s.system = &sys;
	struct sim_result res;
	run_rep(&s, 0.6, 0, &res);
	bool central = s.policy->props.flags & PSP_POLICY_CENTRAL_ARRIVALS;
	ck_assert_uint_eq(res.cores, 4 + central);
	ck_assert_uint_eq(res.cpu_busy_ns + res.cpu_spin_ns + res.cpu_parked_ns,
			  (uint64_t)res.cores * res.sim_ns);
	ck_assert_uint_gt(res.wakeups, 0);
	/* work done is busy time: service, preemption costs, the dispatcher */
	ck_assert_uint_ge(res.cpu_busy_ns, res.work_done_ns + res.dispatcher_busy_ns);
	if (central) /* three steps of 100 ns per request, at least */
		ck_assert_uint_ge(res.dispatcher_busy_ns, 300 * res.completed);
	sim_result_free(&res);
	sim_setup_free(&s);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* The headline: the hand-off turns c-FCFS vs JBSQ(2) round. */

/* High Bimodal (SHORT 1 us, LONG 100 us, half each, constant), 14 workers,
 * load 0.8; 6 replications of 100,000 arrivals: the ALL row's p99.9
 * slowdown of each.  The ranking must hold in every replication pair
 * (the loser's best above the winner's worst), not only on average. */
static void p999_slowdowns(const char *policy, const struct sim_system *sys, double *best,
			   double *worst)
{
	struct psp_workload wl;
	make_wl(&wl, 2, PSP_DIST_CONSTANT, (double[]){1, 100}, (double[]){0.5, 0.5});
	struct sim_setup s = make_setup(&wl, policy, 14, 100000);
	if (!strcmp(policy, "jbsq"))
		set_knob(&s, "slots", "2");
	s.system = sys;
	*best = INFINITY;
	*worst = 0;
	for (uint32_t r = 0; r < 6; r++) {
		struct sim_result res;
		run_rep(&s, 0.8, r, &res);
		double v = (double)psp_hist_quantile(&res.slow[res.ntypes], 0.999) / 1e3;
		*best = fmin(*best, v);
		*worst = fmax(*worst, v);
		sim_result_free(&res);
	}
	sim_setup_free(&s);
}

START_TEST(jbsq_beats_cfcfs_with_handoff)
{
	struct sim_system ideal = sys_empty("ideal"), slow = sys_empty("handoff-5us");
	slow.handoff = slow.notice = constant_us(5);
	double cf_best, cf_worst, jb_best, jb_worst;
	p999_slowdowns("cfcfs", &ideal, &cf_best, &cf_worst);
	p999_slowdowns("jbsq", &ideal, &jb_best, &jb_worst);
	ck_assert_msg(cf_worst < jb_best, "ideal: c-FCFS p99.9 slowdown %.1f..%.1f, JBSQ(2) %.1f..%.1f",
		      cf_best, cf_worst, jb_best, jb_worst);
	p999_slowdowns("cfcfs", &slow, &cf_best, &cf_worst);
	p999_slowdowns("jbsq", &slow, &jb_best, &jb_worst);
	ck_assert_msg(jb_worst < cf_best, "5 us hand-off and notice: c-FCFS p99.9 slowdown "
		      "%.1f..%.1f, JBSQ(2) %.1f..%.1f", cf_best, cf_worst, jb_best, jb_worst);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* The loader. */

static char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/psp-system-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

START_TEST(loader_reads_every_part)
{
	char *path = write_tmp(
		"name: full\n"
		"description: \"a test\"\n"
		"dispatcher:\n"
		"  arrival: {dist: constant, mean_us: 0.1}\n"
		"  dispatch: {dist: exponential, mean_us: 0.2}\n"
		"  completion: {dist: lognormal, mean_us: 0.3, sigma: 0.5}\n"
		"handoff: {dist: empirical, quantiles: [[0, 1], [0.5, 2], [1, 10]]}\n"
		"completion_notice: {dist: constant, mean_us: 4}\n"
		"preemption:\n"
		"  cost: {dist: constant, mean_us: 1}\n"
		"  signal: {dist: constant, mean_us: 0.5}\n"
		"  concord: {cost: {dist: constant, mean_us: 0.1}}\n"
		"workers: {count: 3, park_after_us: 20, wakeup: {dist: constant, mean_us: 6}}\n"
		"network: {one_way: {dist: constant, mean_us: 7}}\n");
	struct sim_system sys;
	struct psp_err err;
	int rc = sim_system_load(path, &sys, &err);
	unlink(path);
	ck_assert_msg(rc == 0, "%s: %s: %s", err.where, err.key, err.msg);
	ck_assert_str_eq(sys.name, "full");
	ck_assert_uint_eq(sys.workers, 3);
	ck_assert_double_eq(sys.park_after_us, 20);
	ck_assert_int_eq(sys.disp_dispatch.kind, SIM_SYSDIST_EXPONENTIAL);
	ck_assert_double_eq(sys.disp_completion.sigma, 0.5);
	ck_assert_uint_eq(sys.handoff.npoints, 3);
	/* mean of the piecewise-linear table: 0.5 x 1.5 + 0.5 x 6 */
	ck_assert_double_eq_tol(sim_sysdist_mean_us(&sys.handoff), 3.75, 1e-12);
	ck_assert_double_eq(sim_system_preempt_for(&sys, psp_policy_find("concord"))->cost.mean_us, 0.1);
	/* concord keeps the default signal; ts has the defaults */
	ck_assert_double_eq(sim_system_preempt_for(&sys, psp_policy_find("concord"))->signal.mean_us, 0.5);
	ck_assert_double_eq(sim_system_preempt_for(&sys, psp_policy_find("ts"))->cost.mean_us, 1);
	ck_assert_uint_eq(strlen(sys.hash_text), 8);
}
END_TEST

static const struct {
	const char *text, *where, *key, *msg;
} bad_files[] = {
	{"description: x\n", ":1:1", "name", "missing required key 'name'"},
	{"name: a\nhandof: {dist: constant, mean_us: 1}\n", ":2:1", "handof", "unknown key"},
	{"name: a\nhandoff: {dist: normal, mean_us: 1}\n", ":2:17", "handoff.dist", "unknown distribution"},
	{"name: a\nhandoff: {dist: constant}\n", ":2:10", "handoff.mean_us", "missing required key"},
	{"name: a\nhandoff: {dist: constant, mean_us: -1}\n", ":2:36", "handoff.mean_us", "must be in [0, 1e+06]"},
	{"name: a\nhandoff: {dist: constant, mean_us: 1, sigma: 2}\n", ":2:39", "handoff.sigma", "takes mean_us only"},
	{"name: a\ndispatcher:\n  arrival: {dist: lognormal, mean_us: 1, sigma: 9}\n", ":3:49",
	 "dispatcher.arrival.sigma", "must be in [0, 4]"},
	{"name: a\nhandoff: {dist: empirical, quantiles: [[0, 1], [0.5, 0.5], [1, 2]]}\n", ":2:54",
	 "handoff.quantiles[1]", "values must not decrease"},
	{"name: a\nhandoff: {dist: empirical, quantiles: [[0, 1], [0.9, 2]]}\n", ":2:39",
	 "handoff.quantiles", "the last quantile must be 1"},
	{"name: a\nworkers: {wakeup: {dist: constant, mean_us: 1}}\n", ":2:19", "workers.wakeup",
	 "needs workers.park_after_us"},
	{"name: a\nworkers: {count: 2.5}\n", ":2:18", "workers.count", "whole number"},
	{"name: a\npreemption: {cfcfs: {cost: {dist: constant, mean_us: 1}}}\n", ":2:14",
	 "preemption.cfcfs", "unknown key"},
	{"name: a b\n", ":1:7", "name", "letters, digits"},
	{"name: a\nnetwork: {one_way: {dist: constant, mean_us: 1e7}}\n", ":2:46",
	 "network.one_way.mean_us", "1 s at most"},
};

START_TEST(loader_refuses)
{
	char *path = write_tmp(bad_files[_i].text);
	struct sim_system sys;
	struct psp_err err;
	int rc = sim_system_load(path, &sys, &err);
	unlink(path);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_msg(strstr(err.where, path) && strstr(err.where, bad_files[_i].where),
		      "case %d: where '%s', expected %s%s", _i, err.where, path, bad_files[_i].where);
	ck_assert_msg(!strcmp(err.key, bad_files[_i].key), "case %d: key '%s', expected '%s'", _i,
		      err.key, bad_files[_i].key);
	ck_assert_msg(strstr(err.msg, bad_files[_i].msg), "case %d: '%s' lacks '%s'", _i, err.msg,
		      bad_files[_i].msg);
}
END_TEST

START_TEST(shipped_systems_load)
{
	static const char *const files[] = {"systems/ideal.yml", "systems/persephone-testbed.yml",
					    "systems/handoff-5us.yml"};
	const char *src = getenv("PSP_SOURCE_DIR");
	ck_assert_ptr_nonnull(src);
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", src, files[_i]);
	struct sim_system sys;
	struct psp_err err;
	ck_assert_msg(sim_system_load(path, &sys, &err) == 0, "%s: %s: %s", err.where, err.key,
		      err.msg);
	if (_i == 0) { /* the ideal machine: nothing given */
		ck_assert(!sim_sysdist_given(&sys.handoff) && !sim_sysdist_given(&sys.disp_dispatch));
		ck_assert_double_eq(sim_setup_machine_ns(&(struct sim_setup){
			.system = &sys, .policy = psp_policy_find("cfcfs")}), 0);
	} else if (_i == 1) { /* >= 3.2 Mrps through the dispatcher: <= 312.5 ns a request */
		double ns = (sim_sysdist_mean_us(&sys.disp_arrival) +
			     sim_sysdist_mean_us(&sys.disp_dispatch) +
			     sim_sysdist_mean_us(&sys.disp_completion)) * 1e3;
		ck_assert_double_le(ns, 312.5);
		ck_assert_uint_eq(sys.workers, 14);
	} else { /* the example: a 5 us hand-off and notice, nothing else */
		ck_assert_double_eq(sys.handoff.mean_us, 5);
		ck_assert_double_eq(sys.notice.mean_us, 5);
		ck_assert(!sim_sysdist_given(&sys.disp_dispatch));
	}
}
END_TEST

/* Draws: a constant is exact; exponential, lognormal and empirical means
 * over 200,000 draws within 5 standard errors (SE = sd / sqrt(n): 0.22%
 * of the mean for the exponential, 0.12% for lognormal sigma 0.5). */
START_TEST(draws_have_their_means)
{
	struct sim_sysrng rng;
	sim_sysrng_seed(&rng, 1);
	const struct sim_sysdist d[] = {
		{.kind = SIM_SYSDIST_EXPONENTIAL, .mean_us = 3},
		{.kind = SIM_SYSDIST_LOGNORMAL, .mean_us = 3, .sigma = 0.5},
		{.kind = SIM_SYSDIST_EMPIRICAL, .npoints = 3, .q = {0, 0.5, 1}, .us = {1, 3, 5}},
	};
	const double sd[] = {3, 3 * sqrt(exp(0.25) - 1), 1.0}; /* empirical: about 1.08 */
	ck_assert_uint_eq(sim_sysdist_draw_ns(&(struct sim_sysdist){.kind = SIM_SYSDIST_CONSTANT,
								   .mean_us = 0.104}, &rng), 104);
	ck_assert_uint_eq(sim_sysdist_draw_ns(&(struct sim_sysdist){0}, &rng), 0);
	for (size_t k = 0; k < 3; k++) {
		double sum = 0, n = 200000;
		for (int i = 0; i < (int)n; i++)
			sum += (double)sim_sysdist_draw_ns(&d[k], &rng) / 1e3;
		double mean = sum / n, want = sim_sysdist_mean_us(&d[k]);
		ck_assert_msg(fabs(mean - want) <= 5 * 1.1 * sd[k] / sqrt(n), "dist %zu: mean %.4f, want %.4f",
			      k, mean, want);
	}
}
END_TEST

Suite *psp_system_suite(void)
{
	Suite *s = suite_create("system");
	TCase *tc = tcase_create("exact");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, ideal_is_no_system, 0, NPOLICIES);
	tcase_add_loop_test(tc, dispatch_cost_is_dispatcher_dispatch, 0, NPOLICIES);
	tcase_add_loop_test(tc, preempt_cost_is_knob, 0, 3);
	tcase_add_loop_test(tc, no_dispatcher_no_dispatcher_parts, 0, 2);
	tcase_add_loop_test(tc, handoff_adds_exactly, 0, 5);
	tcase_add_test(tc, handoff_not_for_rss);
	tcase_add_test(tc, notice_not_in_latency);
	tcase_add_loop_test(tc, network_adds_to_client_only, 0, 3);
	tcase_add_test(tc, wakeup_after_park_only);
	tcase_add_test(tc, preemption_signal_and_cost);
	tcase_add_loop_test(tc, cpu_accounting_balances, 0, NPOLICIES);
	suite_add_tcase(s, tc);
	TCase *q = tcase_create("queueing");
	tcase_set_timeout(q, 600);
	tcase_add_test(q, tandem_dispatcher);
	tcase_add_test(q, notice_mg1);
	tcase_add_test(q, jbsq_beats_cfcfs_with_handoff);
	suite_add_tcase(s, q);
	TCase *l = tcase_create("loader");
	tcase_add_test(l, loader_reads_every_part);
	tcase_add_loop_test(l, loader_refuses, 0, sizeof(bad_files) / sizeof(bad_files[0]));
	tcase_add_loop_test(l, shipped_systems_load, 0, 3);
	tcase_add_test(l, draws_have_their_means);
	suite_add_tcase(s, l);
	return s;
}
