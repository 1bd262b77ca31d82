/* TS: Shinjuku-style time sharing.  Every dispatch carries slice_ns = the
 * quantum; a request still running when its slice ends is handed back
 * (complete with finished == false) and goes to the tail of its queue, so a
 * long request cannot hold a worker while short ones wait.
 *
 * Two variants:
 * - TS_SINGLE_QUEUE: one central FIFO.
 * - TS_PER_TYPE: one FIFO per type plus one for PSP_TYPE_UNKNOWN; an idle
 *   worker takes the head of the queue whose head has waited longest relative
 *   to its type's SLO, (now - arrive_ns) / (slo_factor x type mean), as in
 *   Shinjuku's multi-queue policy.
 *
 * Type means for the SLO: the configured mean of type t when non-zero;
 * otherwise learned as (sum of ran_ns over every stint of type t) / (number of
 * type-t requests finished).  Summing all stints, rather than each request's
 * total at its finish, needs no per-request field (struct psp_req has none
 * for the policy); the price is that stints of requests still in flight are
 * counted early, which overestimates the mean by at most the in-flight work
 * and vanishes in steady state (a host that skips the preemptions that would
 * change nothing, PSP_POLICY_PREEMPT_ALONE_IS_NOOP, reports merged stints:
 * the same sums, counted a little later).  A type with no mean yet borrows the smallest
 * known mean (1 us when none is known): a small SLO makes its queue urgent,
 * so it is served soon, gets completions, and learns its own mean instead of
 * starving.
 *
 * tick(): for polling hosts (psp-engine), the dispatch time of each busy
 * worker is kept and tick() names the workers whose current stint has run
 * for at least the quantum.  The simulator uses slice_ns instead. */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include <psp/policy.h>

#include "fifo_set.h"
#include "internal.h"

enum ts_variant {
	TS_SINGLE_QUEUE = 0, /* one central FIFO, preempted to the tail */
	TS_PER_TYPE,         /* one FIFO per type, serve max wait/SLO */
};

static const struct psp_param knob_ts_variant = {
	.name = "ts_variant", .kind = PSP_PARAM_CHOICE, .rank = 60,
	.choices = "single,per-type", .def = TS_SINGLE_QUEUE,
	.help = "single: one FIFO; per-type: a FIFO per type, serve the largest "
		"wait / SLO (Shinjuku)",
};
static const struct psp_param knob_ts_slo_factor = {
	.name = "ts_slo_factor", .kind = PSP_PARAM_REAL, .rank = 60, .scale = 1,
	.def = 10, .min = 1e-3, .max = 1e6, .unit = "x mean",
	.help = "per-type variant: a type's SLO is this factor x its mean",
};

#define NQUEUES (PSP_MAX_TYPES + 1u)  /* types, then the unknown-type queue */
#define DEFAULT_MEAN_NS 1000.0        /* 1 us: the fallback when no mean is known */

struct ts {
	uint64_t quantum_ns;
	double slo_factor;   /* per-type SLO = slo_factor x type mean */
	enum ts_variant variant;
	uint32_t nqueues;    /* 1 (single) or ntypes + 1 (per type) */
	/* Per queue (per type): the inverse of its SLO in 1/ns, 0 while the
	 * type's mean is unknown.  Kept up to date at each completion so that
	 * dispatch multiplies instead of dividing. */
	double inv_slo[NQUEUES];
	bool configured[NQUEUES]; /* the mean came from conf: never relearned */
	uint64_t ran_sum_ns[NQUEUES]; /* sum of ran_ns over all stints */
	uint64_t finished[NQUEUES];   /* requests of this type finished */
	uint64_t stint_start_ns[PSP_MAX_WORKERS]; /* busy worker: its dispatch time */
	struct psp_fifo_set queue; /* by queue_of(): types, then the unknown type */
};

static size_t ts_state_size(const struct psp_policy_conf *conf)
{
	(void)conf;
	return sizeof(struct ts);
}

static int ts_init(struct psp_policy *p, struct psp_err *err)
{
	const struct psp_policy_conf *c = p->conf;
	struct ts *s = p->priv;

	s->quantum_ns = psp_knob_uint(c, &psp_knob_quantum_us);
	s->variant = (enum ts_variant)psp_knob_int(c, &knob_ts_variant);
	s->slo_factor = psp_knob_real(c, &knob_ts_slo_factor);
	if (s->quantum_ns == 0)
		return psp_err_set(err, -EINVAL, NULL, "quantum",
				   "time sharing needs a quantum > 0 ns");
	switch (s->variant) {
	case TS_SINGLE_QUEUE:
		s->nqueues = 1;
		break;
	case TS_PER_TYPE:
		if (!(s->slo_factor > 0) || !isfinite(s->slo_factor))
			return psp_err_set(err, -EINVAL, NULL, "slo_factor",
					   "must be a finite number > 0 (SLO = factor "
					   "x type mean), got %g", s->slo_factor);
		s->nqueues = c->ntypes + 1u;
		break;
	default:
		return psp_err_set(err, -EINVAL, NULL, "variant",
				   "unknown time-sharing variant %d (expected single "
				   "queue or per type)", (int)s->variant);
	}
	psp_fifo_set_init(&s->queue);
	for (uint32_t q = 0; q < NQUEUES; q++) {
		s->ran_sum_ns[q] = 0;
		s->finished[q] = 0;
		s->configured[q] = q < c->ntypes && c->type_mean_ns[q] > 0;
		s->inv_slo[q] = s->configured[q]
			? 1.0 / (s->slo_factor * (double)c->type_mean_ns[q])
			: 0.0;
	}
	return 0;
}

/* The queue of r: 0 in the single-queue variant, else its type, with the
 * unknown type in the last slot. */
static uint32_t queue_of(const struct psp_policy *p, const struct ts *s,
			 const struct psp_req *r)
{
	if (s->nqueues == 1)
		return 0;
	return r->type == PSP_TYPE_UNKNOWN ? p->ntypes : r->type;
}

static void push_to(struct ts *s, uint32_t q, struct psp_req *r)
{
	psp_fifo_set_push(&s->queue, q, r);
}

static void ts_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns)
{
	(void)now_ns;
	struct ts *s = p->priv;
	push_to(s, queue_of(p, s, r), r);
}

static void ts_complete(struct psp_policy *p, uint32_t worker, struct psp_req *r,
			uint64_t ran_ns, bool finished, uint64_t now_ns)
{
	(void)worker, (void)now_ns;
	struct ts *s = p->priv;
	uint32_t q = queue_of(p, s, r);

	if (s->nqueues > 1 && !s->configured[q]) {
		s->ran_sum_ns[q] += ran_ns;
		if (finished)
			s->finished[q]++;
		if (s->finished[q] > 0 && s->ran_sum_ns[q] > 0)
			s->inv_slo[q] = (double)s->finished[q] /
				(s->slo_factor * (double)s->ran_sum_ns[q]);
	}
	if (!finished)
		push_to(s, q, r); /* preempted: to the tail, behind the waiters */
}

/* The inverse SLO lent to types whose mean is not known yet: that of the
 * smallest known mean (the largest inv_slo), or of 1 us when none is known.
 * O(types); dispatch calls it only while such a type has a request queued. */
static double fallback_inv_slo(const struct ts *s)
{
	double best = 0.0;
	for (uint32_t q = 0; q < s->nqueues; q++)
		if (s->inv_slo[q] > best)
			best = s->inv_slo[q];
	return best > 0 ? best : 1.0 / (s->slo_factor * DEFAULT_MEAN_NS);
}

/* The non-empty queue whose head has the largest wait / SLO.  Ties go to the
 * head that arrived first, then to the lower queue index, so the choice never
 * depends on anything but the queues' contents. */
static uint32_t pick_queue(const struct ts *s, uint64_t now_ns)
{
	double fallback = 0.0;
	double best_score = -1.0;
	uint64_t best_arrive = 0;
	uint32_t best = 0;

	for (uint64_t m = s->queue.nonempty; m; m &= m - 1) {
		uint32_t q = lowest_bit(m);
		const struct psp_req *h = psp_fifo_set_peek(&s->queue, q);
		double inv = s->inv_slo[q];
		if (inv == 0.0) {
			if (fallback == 0.0)
				fallback = fallback_inv_slo(s);
			inv = fallback;
		}
		/* arrive_ns can be after now_ns only if the host stamped it from
		 * another clock; count that as no wait rather than wrapping. */
		uint64_t wait_ns = now_ns > h->arrive_ns ? now_ns - h->arrive_ns : 0;
		double score = (double)wait_ns * inv;
		if (score > best_score ||
		    (score == best_score && h->arrive_ns < best_arrive)) {
			best_score = score;
			best_arrive = h->arrive_ns;
			best = q;
		}
	}
	return best;
}

/* The single-queue variant: the head to the lowest idle worker, in a loop
 * with nothing else live (a preemption event dispatches one request, and
 * this is most of time sharing's events). */
static size_t dispatch_single(struct psp_policy *p, struct ts *s, uint64_t now_ns,
			      struct psp_assign *out, size_t cap)
{
	size_t n = 0;

	while (n < cap && p->idle_mask && s->queue.nonempty) {
		struct psp_req *r = psp_fifo_set_pop(&s->queue, 0);
		uint32_t w = lowest_bit(p->idle_mask);
		s->stint_start_ns[w] = now_ns;
		assign_worker(p, &out[n++], r, w, s->quantum_ns);
	}
	return n;
}

/* The per-type variant: the most urgent queue's head, one at a time. */
static __attribute__((noinline)) size_t dispatch_per_type(struct psp_policy *p, struct ts *s,
							  uint64_t now_ns,
							  struct psp_assign *out, size_t cap)
{
	uint64_t quantum = s->quantum_ns;
	size_t n = 0;

	while (n < cap && p->idle_mask && s->queue.nonempty) {
		uint32_t q = pick_queue(s, now_ns);
		struct psp_req *r = psp_fifo_set_pop(&s->queue, q);
		PSP_ASSERT(r != NULL);
		uint32_t w = lowest_bit(p->idle_mask);
		s->stint_start_ns[w] = now_ns;
		assign_worker(p, &out[n++], r, w, quantum);
	}
	return n;
}

static size_t ts_dispatch(struct psp_policy *p, uint64_t now_ns,
			  struct psp_assign *out, size_t cap)
{
	struct ts *s = p->priv;
	return s->nqueues == 1 ? dispatch_single(p, s, now_ns, out, cap)
			       : dispatch_per_type(p, s, now_ns, out, cap);
}

static size_t ts_tick(struct psp_policy *p, uint64_t now_ns, uint32_t *workers,
		      size_t cap)
{
	const struct ts *s = p->priv;
	return workers_past_quantum(p, s->stint_start_ns, s->quantum_ns, now_ns, workers, cap);
}

static void ts_describe(const struct psp_policy *p, char *buf, size_t cap)
{
	const struct ts *s = p->priv;
	double quantum_us = (double)s->quantum_ns / 1000.0;

	if (s->variant == TS_PER_TYPE)
		snprintf(buf, cap, "quantum %.1f us, per-type queues, SLO %gx type mean",
			 quantum_us, s->slo_factor);
	else
		snprintf(buf, cap, "quantum %.1f us, single queue", quantum_us);
}

const struct psp_policy_ops psp_ts_ops = {
	.name = "ts",
	.aliases = "time-sharing,shinjuku",
	.summary = "time sharing (Shinjuku): preempt after a quantum, back to the tail",
	.props = {
		.flags = PSP_POLICY_WORK_CONSERVING | PSP_POLICY_PREEMPTIVE | PSP_POLICY_USES_MEANS |
			 PSP_POLICY_PREEMPT_ALONE_IS_NOOP | PSP_POLICY_CENTRAL_ARRIVALS |
			 PSP_POLICY_CENTRAL_REQUEUE,
		.default_slots = 1, .max_slots = 1,
		.model = "central queue(s), run a quantum, preempted to the tail (round robin; "
			 "processor sharing over the workers as the quantum goes to 0)",
	},
	.params = (const struct psp_param *const[]){&psp_knob_quantum_us,
		&psp_knob_preempt_cost_us, &knob_ts_variant, &knob_ts_slo_factor, NULL},
	.state_size = ts_state_size,
	.init = ts_init,
	.enqueue = ts_enqueue,
	.complete = ts_complete,
	.dispatch = ts_dispatch,
	.tick = ts_tick,
	.describe = ts_describe,
};
