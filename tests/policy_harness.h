/* A tiny scripted host for the policy suites.
 *
 * It plays the host loop of policy.h: after every arrival, completion or
 * preemption it calls dispatch, as psp-sim and the engine do, and logs each
 * assignment as (time, request, worker, slice), and its stolen flag and
 * setup time apart (h->steal[], for the stealing policies).  A suite writes
 * a fixed table of events and a table of the assignments it expects, and
 * compares.
 *
 * Worker slots: like sim/run.c, the harness keeps the requests each worker
 * was given in a FIFO and runs the head; when the head stops (finished or
 * preempted) the next one it holds starts at once.  Only the running request
 * (a worker's head) can be stopped.
 *
 * The harness also checks, independently of the policy's own PSP_ASSERTs
 * (compiled out under NDEBUG), what every policy must guarantee: an assigned
 * worker had a free slot, a request is assigned only while queued, the
 * request a host hands back is the one its worker runs, and the occupancy
 * accessors (held, idle, queued) agree with what the host holds.
 */
#ifndef PSP_TESTS_POLICY_HARNESS_H
#define PSP_TESTS_POLICY_HARNESS_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <psp/policy.h>

#include "test_conf.h"

#define H_MAX_REQS 1024u
#define H_MAX_LOG 4096u
#define H_NONE UINT32_MAX

enum h_state { H_NEW = 0, H_QUEUED, H_RUNNING, H_DONE };

struct h_assign {
	uint64_t at_ns;
	uint32_t req;
	uint32_t worker;
	uint64_t slice_ns;
};

/* The rest of an assignment, logged beside it. */
struct h_steal {
	bool stolen;
	uint64_t setup_ns;
};

struct harness {
	struct psp_policy *p;
	uint32_t nworkers, slots;
	/* What each worker holds, in the order assigned; held[w][0] runs. */
	uint32_t held[PSP_MAX_WORKERS][PSP_MAX_SLOTS];
	uint32_t nheld[PSP_MAX_WORKERS];
	uint8_t state[H_MAX_REQS];
	size_t nlog;
	struct h_assign log[H_MAX_LOG];
	struct h_steal steal[H_MAX_LOG];
	struct psp_req req[H_MAX_REQS];
	struct psp_assign out[PSP_MAX_WORKERS * PSP_MAX_SLOTS];
};

/* The request worker w runs, or H_NONE when it holds nothing. */
static inline uint32_t h_running(const struct harness *h, uint32_t w)
{
	return h->nheld[w] ? h->held[w][0] : H_NONE;
}

/* The occupancy accessors agree with what the host holds. */
static inline void h_check_occupancy(const struct harness *h)
{
	uint64_t total = 0, idle = 0;
	for (uint32_t w = 0; w < h->nworkers; w++) {
		ck_assert_uint_eq(psp_policy_worker_held(h->p, w), h->nheld[w]);
		ck_assert_int_eq(psp_policy_worker_idle(h->p, w), h->nheld[w] == 0);
		total += h->nheld[w];
		idle |= (uint64_t)(h->nheld[w] == 0) << w;
	}
	ck_assert_uint_eq(psp_policy_held(h->p), total);
	ck_assert_uint_eq(psp_policy_idle_workers(h->p), idle);
}

/* Creates the policy (the test fails if that fails) and an empty host. */
static inline struct harness *h_create(const struct psp_policy_ops *ops,
				       const struct test_conf *conf)
{
	struct harness *h = calloc(1, sizeof(*h));
	ck_assert_ptr_nonnull(h);
	struct psp_err err;
	h->p = test_policy_create(ops, conf, &err);
	ck_assert_msg(h->p != NULL, "%s: create failed: %s: %s", ops->name, err.key,
		      err.msg);
	h->nworkers = conf->nworkers;
	h->slots = psp_policy_slots(h->p);
	ck_assert_uint_eq(h->slots, test_conf_slots(ops, conf));
	return h;
}

static inline void h_destroy(struct harness *h)
{
	psp_policy_destroy(h->p);
	free(h);
}

/* One dispatch at at_ns: checks and logs every assignment, appends it to its
 * worker's FIFO and stamps dispatch_ns when it starts (at once on a worker
 * that held nothing), as a host does.  Returns the number of assignments. */
static inline size_t h_dispatch(struct harness *h, uint64_t at_ns)
{
	size_t cap = (size_t)h->nworkers * h->slots;
	size_t n = psp_policy_dispatch(h->p, at_ns, h->out, cap);
	ck_assert_uint_le(n, cap);
	for (size_t i = 0; i < n; i++) {
		const struct psp_assign *a = &h->out[i];
		uint32_t id = (uint32_t)(a->req - h->req);
		ck_assert_uint_lt(id, H_MAX_REQS);
		ck_assert_uint_lt(a->worker, h->nworkers);
		ck_assert_msg(h->nheld[a->worker] < h->slots,
			      "t=%llu: req %u given to worker %u, which holds %u of %u slots",
			      (unsigned long long)at_ns, id, a->worker, h->nheld[a->worker],
			      h->slots);
		ck_assert_msg(h->state[id] == H_QUEUED,
			      "t=%llu: req %u assigned but not queued",
			      (unsigned long long)at_ns, id);
		ck_assert_uint_eq(a->req->worker, a->worker);
		if (h->nheld[a->worker] == 0)
			a->req->dispatch_ns = at_ns;
		h->held[a->worker][h->nheld[a->worker]++] = id;
		h->state[id] = H_RUNNING;
		ck_assert_uint_lt(h->nlog, H_MAX_LOG);
		h->steal[h->nlog] = (struct h_steal){a->stolen, a->setup_ns};
		h->log[h->nlog++] = (struct h_assign){at_ns, id, a->worker, a->slice_ns};
	}
	h_check_occupancy(h);
	return n;
}

/* Request id of type `type` arrives at at_ns; then the host dispatches. */
static inline void h_arrive(struct harness *h, uint32_t id, uint32_t type,
			    uint64_t at_ns)
{
	ck_assert_uint_lt(id, H_MAX_REQS);
	ck_assert_uint_eq(h->state[id], H_NEW);
	struct psp_req *r = &h->req[id];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->type = type;
	r->arrive_ns = at_ns;
	h->state[id] = H_QUEUED;
	psp_policy_enqueue(h->p, r, at_ns);
	h_dispatch(h, at_ns);
}

/* Request id stops at at_ns, after running since it started: finished or
 * preempted (handed back).  It must be its worker's running request; the
 * next one the worker holds starts now.  Then the host dispatches. */
static inline void h_stop(struct harness *h, uint32_t id, bool finished,
			  uint64_t at_ns)
{
	ck_assert_uint_lt(id, H_MAX_REQS);
	ck_assert_msg(h->state[id] == H_RUNNING, "req %u is not running", id);
	struct psp_req *r = &h->req[id];
	uint32_t w = r->worker;
	ck_assert_msg(h_running(h, w) == id, "req %u is held by worker %u but not running",
		      id, w);
	memmove(&h->held[w][0], &h->held[w][1], (h->nheld[w] - 1) * sizeof(h->held[w][0]));
	h->nheld[w]--;
	if (h->nheld[w])
		h->req[h->held[w][0]].dispatch_ns = at_ns;
	h->state[id] = finished ? H_DONE : H_QUEUED;
	psp_policy_complete(h->p, w, r, at_ns - r->dispatch_ns, finished, at_ns);
	h_dispatch(h, at_ns);
}

enum h_op { H_ARRIVE, H_FINISH, H_PREEMPT };

struct h_step {
	enum h_op op;
	uint64_t at_ns;
	uint32_t req;
	uint32_t type; /* H_ARRIVE only */
};

static inline void h_run(struct harness *h, const struct h_step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct h_step *s = &steps[i];
		if (s->op == H_ARRIVE)
			h_arrive(h, s->req, s->type, s->at_ns);
		else
			h_stop(h, s->req, s->op == H_FINISH, s->at_ns);
	}
}

/* The log must be exactly exp[0..n-1], in order. */
static inline void h_expect(const struct harness *h, const struct h_assign *exp,
			    size_t n)
{
	for (size_t i = 0; i < n && i < h->nlog; i++) {
		const struct h_assign *g = &h->log[i], *e = &exp[i];
		ck_assert_msg(g->at_ns == e->at_ns && g->req == e->req &&
				      g->worker == e->worker && g->slice_ns == e->slice_ns,
			      "assignment %zu: got req %u -> worker %u at t=%llu slice %llu, "
			      "expected req %u -> worker %u at t=%llu slice %llu",
			      i, g->req, g->worker, (unsigned long long)g->at_ns,
			      (unsigned long long)g->slice_ns, e->req, e->worker,
			      (unsigned long long)e->at_ns, (unsigned long long)e->slice_ns);
	}
	ck_assert_msg(h->nlog == n, "%zu assignments, expected %zu", h->nlog, n);
}

/* Runs steps on a fresh policy and checks the assignments. */
static inline void h_script(const struct psp_policy_ops *ops,
			    const struct test_conf *conf,
			    const struct h_step *steps, size_t nsteps,
			    const struct h_assign *exp, size_t nexp)
{
	struct harness *h = h_create(ops, conf);
	h_run(h, steps, nsteps);
	h_expect(h, exp, nexp);
	h_destroy(h);
}

#define H_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
