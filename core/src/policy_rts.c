/* rts: reserve and time-slice.  DARC's reservation (from the configured
 * type means and ratios, as darc_mode oracle plans it: groups of similar
 * types, the shortest group's cores reserved first, a group may steal the
 * idle cores of longer groups, never of shorter ones), plus time slicing of
 * the requests of every group but the shortest: such a request runs a
 * quantum at a time, and at each slice end it yields its core to a waiting
 * request of a shorter group that may use that core.
 *
 * Where DARC loses, and why this should not: DARC never preempts, so once
 * every core a short request may use is busy (its own group's, and the
 * longer groups' it may steal), it waits for a whole long service time
 * (Extreme Bimodal at high load: 500 us behind a 0.5 us request's 2
 * reserved cores; TPC-C: NewOrder's 6 cores full, Delivery and StockLevel
 * running 88-100 us on the cores it could steal).  Time sharing (ts) bounds
 * that wait by the quantum but gives up the reservation: every long request
 * competes for every core, and each slice end costs a preemption.  Here the
 * short group keeps its reserved cores (long requests never run there), and
 * a long request yields only a core a shorter group may steal.
 *
 * A preempted request goes back to the head of its type (a queue of
 * preempted requests per type, served before the type's arrivals: it
 * yields to shorter groups, never to later requests of its own type), and
 * returns to the worker it ran on when that worker is idle.  So a slice end
 * while nothing waits hands the request straight back to its own worker:
 * the preemption changes nothing (PSP_POLICY_PREEMPT_ALONE_IS_NOOP).
 * Unknown types run on the spillway core only, to completion.
 *
 * Knobs: quantum_us (the slice), preempt_cost_us (modelled), rts_preempt
 * (which groups are sliced: longer, or none, which is DARC oracle decision
 * for decision).  tick(): for a polling host, the busy workers running a
 * sliced request for at least a quantum. */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include <psp/darc.h>
#include <psp/policy.h>

#include "fifo_set.h"
#include "internal.h"

enum rts_preempt {
	RTS_PREEMPT_LONGER = 0, /* every group but the shortest */
	RTS_PREEMPT_NONE,       /* no slicing: DARC with an oracle plan */
};

static const struct psp_param knob_rts_preempt = {
	.name = "rts_preempt", .kind = PSP_PARAM_CHOICE, .rank = 60,
	.choices = "longer,none", .def = RTS_PREEMPT_LONGER,
	.help = "groups whose requests are time-sliced: longer (all but the shortest) or "
		"none (DARC with its oracle plan)",
};

#define DELTA 0.2 /* DARC's grouping tolerance, the paper's */

struct rts {
	struct psp_darc_plan plan;
	uint32_t group_types[PSP_MAX_TYPES];  /* by group: its types' bits */
	uint64_t group_cores[PSP_MAX_TYPES];  /* by group: reserved | stealable */
	uint64_t slice_ns[PSP_MAX_TYPES];     /* by group: the quantum, or 0 */
	uint64_t quantum_ns;
	uint64_t sliced;                      /* bit w: w runs a sliced request */
	uint64_t stint_start_ns[PSP_MAX_WORKERS];
	struct psp_fifo_set queue;            /* by type: arrivals */
	struct psp_fifo_set back;             /* by type: preempted, served first */
	struct psp_fifo unknown;              /* the spillway's */
};

static size_t rts_state_size(const struct psp_policy_conf *conf)
{
	(void)conf;
	return sizeof(struct rts);
}

static int rts_init(struct psp_policy *p, struct psp_err *err)
{
	const struct psp_policy_conf *c = p->conf;
	struct rts *s = p->priv;
	s->quantum_ns = psp_knob_uint(c, &psp_knob_quantum_us);
	enum rts_preempt which = (enum rts_preempt)psp_knob_int(c, &knob_rts_preempt);
	if (s->quantum_ns == 0 && which != RTS_PREEMPT_NONE)
		return psp_err_set(err, -EINVAL, NULL, "quantum_us",
				   "time slicing needs a quantum > 0");
	double mean_ns[PSP_MAX_TYPES], ratio[PSP_MAX_TYPES];
	for (uint32_t t = 0; t < c->ntypes; t++) {
		if (c->type_mean_ns[t] == 0 || !(c->type_ratio[t] >= 0))
			return psp_err_set(err, -EINVAL, NULL, "type_mean",
					   "rts plans its reservation from every type's mean "
					   "service time and ratio (type %u has none)", t);
		mean_ns[t] = (double)c->type_mean_ns[t];
		ratio[t] = c->type_ratio[t];
	}
	if (psp_darc_plan(&s->plan, p->nworkers, c->ntypes, mean_ns, ratio, DELTA, true) < 0)
		return psp_err_set(err, -EINVAL, NULL, "type_ratio", "no type has a positive ratio");
	for (uint32_t g = 0; g < s->plan.ngroups; g++) {
		const struct psp_darc_group *grp = &s->plan.group[g];
		s->group_types[g] = 0;
		for (uint32_t i = 0; i < grp->ntypes; i++)
			s->group_types[g] |= 1u << grp->types[i];
		s->group_cores[g] = grp->reserved_mask | grp->stealable_mask;
		s->slice_ns[g] = g > 0 && which == RTS_PREEMPT_LONGER ? s->quantum_ns : 0;
	}
	psp_fifo_set_init(&s->queue);
	psp_fifo_set_init(&s->back);
	psp_fifo_init(&s->unknown);
	if (c->on_reservation)
		c->on_reservation(c->on_reservation_ctx, 0, &s->plan);
	return 0;
}

/* Types absent from the plan (no ratio) run on the spillway, as unknown
 * ones do: DARC's rule. */
static bool on_spillway(const struct rts *s, const struct psp_req *r)
{
	return r->type == PSP_TYPE_UNKNOWN || s->plan.type_group[r->type] < 0;
}

static void rts_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns)
{
	(void)now_ns;
	struct rts *s = p->priv;
	if (on_spillway(s, r))
		psp_fifo_push(&s->unknown, r);
	else
		psp_fifo_set_push(&s->queue, r->type, r);
}

static void rts_complete(struct psp_policy *p, uint32_t worker, struct psp_req *r,
			 uint64_t ran_ns, bool finished, uint64_t now_ns)
{
	(void)ran_ns, (void)now_ns;
	struct rts *s = p->priv;
	s->sliced &= ~(1ull << worker);
	if (finished)
		return;
	if (on_spillway(s, r)) /* never sliced; a host that preempts anyway */
		psp_fifo_push(&s->unknown, r);
	else
		psp_fifo_set_push(&s->back, r->type, r);
}

static void give(struct psp_policy *p, struct rts *s, struct psp_assign *a,
		 struct psp_req *r, uint32_t w, uint64_t slice_ns, uint64_t now_ns)
{
	s->stint_start_ns[w] = now_ns;
	if (slice_ns)
		s->sliced |= 1ull << w;
	assign_worker(p, a, r, w, slice_ns);
}

/* The core for a request of group grp: its own worker when the request
 * was preempted there and it is idle, else DARC's choice (the first idle
 * reserved core, else the first idle stealable one); UINT32_MAX: none. */
static uint32_t core_for(const struct psp_policy *p, const struct psp_darc_group *grp,
			 const struct psp_req *r, bool preempted)
{
	if (preempted && psp_policy_worker_idle(p, r->worker))
		return r->worker;
	uint64_t m = p->idle_mask & grp->reserved_mask;
	if (!m)
		m = p->idle_mask & grp->stealable_mask;
	return m ? lowest_bit(m) : UINT32_MAX;
}

static size_t rts_dispatch(struct psp_policy *p, uint64_t now_ns, struct psp_assign *out,
			   size_t cap)
{
	struct rts *s = p->priv;
	uint64_t waiting = s->queue.nonempty | s->back.nonempty;
	size_t n = 0;
	for (uint32_t g = 0; g < s->plan.ngroups; g++) {
		if (!(waiting & s->group_types[g]) || !(p->idle_mask & s->group_cores[g]))
			continue;
		const struct psp_darc_group *grp = &s->plan.group[g];
		for (uint32_t i = 0; i < grp->ntypes; i++) {
			uint32_t t = grp->types[i];
			for (;;) {
				bool preempted = psp_fifo_set_holds(&s->back, t);
				struct psp_fifo_set *q = preempted ? &s->back : &s->queue;
				if (n == cap || !psp_fifo_set_holds(q, t))
					break;
				uint32_t w = core_for(p, grp, psp_fifo_set_peek(q, t), preempted);
				if (w == UINT32_MAX)
					break;
				give(p, s, &out[n++], psp_fifo_set_pop(q, t), w, s->slice_ns[g], now_ns);
			}
			if (n == cap || !p->idle_mask)
				return n;
		}
	}
	uint32_t spill = p->nworkers - 1;
	if (n < cap && psp_policy_worker_idle(p, spill) && !psp_fifo_empty(&s->unknown))
		give(p, s, &out[n++], psp_fifo_pop(&s->unknown), spill, 0, now_ns);
	return n;
}

static size_t rts_tick(struct psp_policy *p, uint64_t now_ns, uint32_t *workers, size_t cap)
{
	const struct rts *s = p->priv;
	size_t n = 0;
	for (uint64_t m = s->sliced & ~p->idle_mask; m && n < cap; m &= m - 1) {
		uint32_t w = lowest_bit(m);
		if (now_ns - s->stint_start_ns[w] >= s->quantum_ns)
			workers[n++] = w;
	}
	return n;
}

static void rts_describe(const struct psp_policy *p, char *buf, size_t cap)
{
	const struct rts *s = p->priv;
	size_t len = psp_darc_plan_format(&s->plan, p->conf->type_name, buf, cap);
	if (len + 1 < cap && s->plan.ngroups > 1 && s->slice_ns[1])
		snprintf(buf + len, cap - len, "; longer groups sliced every %.3g us",
			 (double)s->quantum_ns / 1000.0);
}

const struct psp_policy_ops psp_rts_ops = {
	.name = "rts",
	.aliases = "darc-ts,hybrid",
	.summary = "DARC's reservation (oracle plan) + time slicing of longer groups' requests",
	.props = {
		.flags = PSP_POLICY_PREEMPTIVE | PSP_POLICY_USES_MEANS | PSP_POLICY_CENTRAL_ARRIVALS |
			 PSP_POLICY_CENTRAL_REQUEUE | PSP_POLICY_RESERVES |
			 PSP_POLICY_PREEMPT_ALONE_IS_NOOP,
		.default_slots = 1, .max_slots = 1,
		.model = "DARC's reservation from the type means; a request of a longer group runs "
			 "a quantum at a time and yields its core to a waiting shorter group's",
	},
	.params = (const struct psp_param *const[]){&psp_knob_quantum_us,
		&psp_knob_preempt_cost_us, &knob_rts_preempt, NULL},
	.state_size = rts_state_size,
	.init = rts_init,
	.enqueue = rts_enqueue,
	.complete = rts_complete,
	.dispatch = rts_dispatch,
	.tick = rts_tick,
	.describe = rts_describe,
};
