/* rts: reserve and time-slice.  DARC's reservation (planned once from the
 * configured type means and ratios, as darc_mode oracle plans it: groups of
 * similar types, the shortest group's cores reserved first; a group may
 * steal the idle cores of longer groups), made work-conserving by time
 * slicing: a group may also borrow an idle core reserved for a shorter
 * group, and a request on a borrowed core runs a quantum at a time; at each
 * slice end it yields the core to a waiting request of a shorter group.  A
 * request on its own group's cores, or on a longer group's, runs to
 * completion, as under DARC.
 *
 * Where DARC loses, and why this should not: DARC never lets a longer group
 * use a shorter group's idle cores (a long request there would hold the
 * short requests behind it for a whole long service time), so it idles
 * cores while longer requests queue.  On TPC-C its 2|6|6 plan leaves
 * Delivery and StockLevel (39% of the work) 6 cores they cannot extend,
 * while Payment's 2 and NewOrder's 6 sit partly idle; on Extreme Bimodal
 * the 500 us type's 12 cores saturate near 0.94 of capacity with SHORT's 2
 * mostly idle.  Time sharing (ts) uses every core but gives up the
 * reservation: every short request competes with every long one for every
 * core, and each slice end costs a preemption.  Here a borrowed core comes
 * back within a quantum, and only borrowed cores are ever preempted.
 *
 * Slicing a request of a longer group on its own cores instead (a first
 * version of this policy) starves the longest group: shorter groups then
 * take its reserved cores at every slice end while it can never use
 * theirs (TPC-C at 0.85: StockLevel's queue grew without bound).
 *
 * A preempted request goes back to the head of its group (a queue of
 * preempted requests per type, all served before the group's arrivals: it
 * yields to shorter groups, never to requests of its own group), and
 * returns to the worker it ran on when that worker is idle.  So a slice end
 * while nothing waits hands the request straight back to its own worker:
 * the preemption changes nothing (PSP_POLICY_PREEMPT_ALONE_IS_NOOP).
 * Unknown types run on the spillway core only, to completion: the policy
 * is work-conserving for every planned type, not for those.
 *
 * Knobs: quantum_us (the slice on a borrowed core), preempt_cost_us
 * (modelled), rts_borrow (sliced, or none: no borrowing, which is DARC with
 * its oracle plan, decision for decision).  tick(): for a polling host, the
 * busy workers running a borrowed request for at least a quantum. */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include <psp/darc.h>
#include <psp/policy.h>

#include "fifo_set.h"
#include "internal.h"

enum rts_borrow {
	RTS_BORROW_SLICED = 0, /* borrow shorter groups' idle cores, a quantum at a time */
	RTS_BORROW_NONE,       /* no borrowing: DARC with an oracle plan */
};

static const struct psp_param knob_rts_borrow = {
	.name = "rts_borrow", .kind = PSP_PARAM_CHOICE, .rank = 60,
	.choices = "sliced,none", .def = RTS_BORROW_SLICED,
	.help = "sliced: a group may run on a shorter group's idle core, a quantum at a "
		"time, yielding it to that group; none: DARC with its oracle plan",
};

#define DELTA 0.2 /* DARC's grouping tolerance, the paper's */

struct rts {
	struct psp_darc_plan plan;
	uint32_t group_types[PSP_MAX_TYPES];  /* by group: its types' bits */
	uint64_t group_cores[PSP_MAX_TYPES];  /* by group: every core it may use */
	uint64_t borrow[PSP_MAX_TYPES];       /* by group: shorter groups' cores, or 0 */
	uint64_t quantum_ns;
	uint64_t sliced;                      /* bit w: w runs a borrowed request */
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
	enum rts_borrow borrow = (enum rts_borrow)psp_knob_int(c, &knob_rts_borrow);
	if (s->quantum_ns == 0 && borrow != RTS_BORROW_NONE)
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
		uint64_t darc = grp->reserved_mask | grp->stealable_mask;
		s->borrow[g] = borrow == RTS_BORROW_SLICED ? workers_mask(p->nworkers) & ~darc : 0;
		s->group_cores[g] = darc | s->borrow[g];
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

/* Gives r to worker w for group g (or none: the spillway's): sliced on a
 * core borrowed from a shorter group, to completion on any other. */
static void give(struct psp_policy *p, struct rts *s, struct psp_assign *a,
		 struct psp_req *r, uint32_t w, int g, uint64_t now_ns)
{
	bool borrowed = g >= 0 && ((s->borrow[g] >> w) & 1u);
	s->stint_start_ns[w] = now_ns;
	if (borrowed)
		s->sliced |= 1ull << w;
	assign_worker(p, a, r, w, borrowed ? s->quantum_ns : 0);
}

/* The core for a request of group g: its own worker when the request was
 * preempted there and it is idle, else DARC's choice (the first idle
 * reserved core, else the first idle stealable one), else the idle core of
 * a shorter group with the highest id (the shortest group's cores last);
 * UINT32_MAX: none. */
static uint32_t core_for(const struct psp_policy *p, const struct rts *s, uint32_t g,
			 const struct psp_req *r, bool preempted)
{
	if (preempted && psp_policy_worker_idle(p, r->worker))
		return r->worker;
	const struct psp_darc_group *grp = &s->plan.group[g];
	uint64_t m = p->idle_mask & grp->reserved_mask;
	if (!m)
		m = p->idle_mask & grp->stealable_mask;
	if (m)
		return lowest_bit(m);
	m = p->idle_mask & s->borrow[g];
	return m ? 63u - (uint32_t)__builtin_clzll(m) : UINT32_MAX;
}

/* Gives the requests of type t waiting in q (preempted: back) cores of
 * group g while there are; returns the new count. */
static size_t dispatch_type(struct psp_policy *p, struct rts *s, uint32_t g, uint32_t t,
			    bool preempted, uint64_t now_ns, struct psp_assign *out, size_t n,
			    size_t cap)
{
	struct psp_fifo_set *q = preempted ? &s->back : &s->queue;
	while (n < cap && psp_fifo_set_holds(q, t)) {
		uint32_t w = core_for(p, s, g, psp_fifo_set_peek(q, t), preempted);
		if (w == UINT32_MAX)
			break;
		give(p, s, &out[n++], psp_fifo_set_pop(q, t), w, (int)g, now_ns);
	}
	return n;
}

/* Shortest group first, as DARC; within a group its preempted requests
 * first (every type's, shortest type first), then its arrivals: a sliced
 * request yields its core to a shorter group only, never to a request of
 * its own group (a StockLevel request yielding to every Delivery arrival
 * starved on TPC-C). */
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
		for (int preempted = 1; preempted >= 0; preempted--)
			for (uint32_t i = 0; i < grp->ntypes; i++) {
				n = dispatch_type(p, s, g, grp->types[i], preempted, now_ns, out, n,
						  cap);
				if (n == cap || !p->idle_mask)
					return n;
			}
	}
	uint32_t spill = p->nworkers - 1;
	if (n < cap && psp_policy_worker_idle(p, spill) && !psp_fifo_empty(&s->unknown))
		give(p, s, &out[n++], psp_fifo_pop(&s->unknown), spill, -1, now_ns);
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
	if (len + 1 < cap && s->plan.ngroups > 1 && s->borrow[s->plan.ngroups - 1])
		snprintf(buf + len, cap - len, "; shorter groups' idle cores lent, %.3g us at a time",
			 (double)s->quantum_ns / 1000.0);
}

const struct psp_policy_ops psp_rts_ops = {
	.name = "rts",
	.aliases = "darc-ts,hybrid",
	.summary = "DARC's reservation (oracle plan), idle cores lent to longer groups a quantum at a time",
	.props = {
		.flags = PSP_POLICY_WORK_CONSERVING | PSP_POLICY_PREEMPTIVE | PSP_POLICY_USES_MEANS |
			 PSP_POLICY_CENTRAL_ARRIVALS |
			 PSP_POLICY_CENTRAL_REQUEUE | PSP_POLICY_RESERVES |
			 PSP_POLICY_PREEMPT_ALONE_IS_NOOP,
		.default_slots = 1, .max_slots = 1,
		.model = "DARC's reservation from the type means; a group may also run on a "
			 "shorter group's idle core, a quantum at a time, yielding it to that group",
	},
	.params = (const struct psp_param *const[]){&psp_knob_quantum_us,
		&psp_knob_preempt_cost_us, &knob_rts_borrow, NULL},
	.state_size = rts_state_size,
	.init = rts_init,
	.enqueue = rts_enqueue,
	.complete = rts_complete,
	.dispatch = rts_dispatch,
	.tick = rts_tick,
	.describe = rts_describe,
};
