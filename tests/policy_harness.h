/* A tiny scripted host for the policy suites.
 *
 * It plays the host loop of policy.h: after every arrival, completion or
 * preemption it calls dispatch, as psp-sim and the engine do, and logs each
 * assignment as (time, request, worker, slice).  A suite writes a fixed table
 * of events and a table of the assignments it expects, and compares.
 *
 * The harness also checks, independently of the policy's own PSP_ASSERTs
 * (compiled out under NDEBUG), what every policy must guarantee: an assigned
 * worker was idle, a request is assigned only while queued, and a busy
 * worker's request is the one the host hands back.
 */
#ifndef PSP_TESTS_POLICY_HARNESS_H
#define PSP_TESTS_POLICY_HARNESS_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <psp/policy.h>

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

struct harness {
	struct psp_policy *p;
	uint32_t nworkers;
	uint32_t running[PSP_MAX_WORKERS]; /* request on each worker, or H_NONE */
	uint8_t state[H_MAX_REQS];
	size_t nlog;
	struct h_assign log[H_MAX_LOG];
	struct psp_req req[H_MAX_REQS];
};

/* Creates the policy (the test fails if that fails) and an empty host. */
static inline struct harness *h_create(const struct psp_policy_ops *ops,
				       const struct psp_policy_conf *conf)
{
	struct harness *h = calloc(1, sizeof(*h));
	ck_assert_ptr_nonnull(h);
	struct psp_err err;
	h->p = psp_policy_create(ops, conf, &err);
	ck_assert_msg(h->p != NULL, "%s: create failed: %s: %s", ops->name, err.key,
		      err.msg);
	h->nworkers = conf->nworkers;
	for (uint32_t w = 0; w < PSP_MAX_WORKERS; w++)
		h->running[w] = H_NONE;
	return h;
}

static inline void h_destroy(struct harness *h)
{
	psp_policy_destroy(h->p);
	free(h);
}

/* One dispatch at at_ns: checks and logs every assignment, stamps
 * dispatch_ns as a host does.  Returns the number of assignments. */
static inline size_t h_dispatch(struct harness *h, uint64_t at_ns)
{
	struct psp_assign out[PSP_MAX_WORKERS];
	size_t n = psp_policy_dispatch(h->p, at_ns, out, PSP_MAX_WORKERS);
	ck_assert_uint_le(n, h->nworkers);
	for (size_t i = 0; i < n; i++) {
		uint32_t id = (uint32_t)(out[i].req - h->req);
		ck_assert_uint_lt(id, H_MAX_REQS);
		ck_assert_uint_lt(out[i].worker, h->nworkers);
		ck_assert_msg(h->running[out[i].worker] == H_NONE,
			      "t=%llu: req %u given to busy worker %u",
			      (unsigned long long)at_ns, id, out[i].worker);
		ck_assert_msg(h->state[id] == H_QUEUED,
			      "t=%llu: req %u assigned but not queued",
			      (unsigned long long)at_ns, id);
		ck_assert_uint_eq(out[i].req->worker, out[i].worker);
		h->running[out[i].worker] = id;
		h->state[id] = H_RUNNING;
		out[i].req->dispatch_ns = at_ns;
		ck_assert_uint_lt(h->nlog, H_MAX_LOG);
		h->log[h->nlog++] = (struct h_assign){at_ns, id, out[i].worker,
						      out[i].slice_ns};
	}
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

/* Request id stops at at_ns, after running since its dispatch: finished or
 * preempted (handed back).  Then the host dispatches. */
static inline void h_stop(struct harness *h, uint32_t id, bool finished,
			  uint64_t at_ns)
{
	ck_assert_uint_lt(id, H_MAX_REQS);
	ck_assert_msg(h->state[id] == H_RUNNING, "req %u is not running", id);
	struct psp_req *r = &h->req[id];
	uint32_t w = r->worker;
	ck_assert_uint_eq(h->running[w], id);
	h->running[w] = H_NONE;
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
			    const struct psp_policy_conf *conf,
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
