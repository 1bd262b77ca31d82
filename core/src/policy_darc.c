/* DARC: Dynamic Application-aware Reserved Cores (Perséphone, SOSP 2021).
 *
 * One FIFO per type.  Until a reservation exists (dynamic mode's warm-up)
 * every known type shares one FIFO served c-FCFS.  A reservation (darc_plan.c)
 * gives each group of similar types reserved cores plus cores it may steal;
 * dispatch visits the types shortest mean first and gives each head the first
 * idle reserved core of its group, else the first idle stealable core, else
 * leaves it queued: short types' cores idle rather than run long requests.
 * Unknown types, and types absent from the current profile, run only on the
 * spillway core (the last worker).
 *
 * Profiling (dynamic and oracle modes): completions are summed per type in a
 * bounded ring of PROFILE_SLOTS windows, so the profile covers the last
 * darc_min_samples..2*darc_min_samples completions.  Once it holds at least
 * darc_min_samples, the first reservation is made (dynamic); after that, when
 * some type's queued head has waited longer than that type's mean service
 * time, means and ratios are recomputed from the ring (which is then
 * cleared) and the cores are re-reserved if a type's demand moved by more
 * than darc_demand_change, or the set of present types changed.  A type with
 * no completions in the ring is absent (mean infinite, ratio 0); a queued
 * request of an absent type triggers the check as soon as the ring is full,
 * so a type that comes back is never left on the spillway for long.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <psp/darc.h>
#include <psp/policy.h>

#include "internal.h"

#define PROFILE_SLOTS 8u /* the ring spans 2 x darc_min_samples */

struct profile_slot {
	uint64_t total;
	uint64_t count[PSP_MAX_TYPES];
	double sum_ns[PSP_MAX_TYPES];
};

struct darc {
	struct psp_fifo queue[PSP_MAX_TYPES];
	struct psp_fifo warmup;  /* known types before the first reservation */
	struct psp_fifo unknown; /* PSP_TYPE_UNKNOWN: spillway only */

	uint32_t nonempty;   /* bit t: queue[t] holds a request */

	bool have_plan;
	struct psp_darc_plan plan;
	/* Per group of the plan, for dispatch to skip a group at once. */
	uint32_t group_types[PSP_MAX_TYPES]; /* bit t: type t in the group */
	uint64_t group_cores[PSP_MAX_TYPES]; /* reserved | stealable */
	uint32_t reservations;
	double mean_ns[PSP_MAX_TYPES];   /* current profile (inf = absent) */
	double demand[PSP_MAX_TYPES];    /* per type, of the installed plan */

	/* Profiling ring. */
	struct profile_slot slot[PROFILE_SLOTS];
	uint32_t cur_slot;
	uint64_t slot_size;
	uint64_t ring_total;
};

static size_t darc_state_size(const struct psp_policy_conf *conf)
{
	(void)conf;
	return sizeof(struct darc);
}

static bool is_darc(const struct psp_policy *p)
{
	return p && p->ops == &psp_darc_ops;
}

const struct psp_darc_plan *psp_darc_current_plan(const struct psp_policy *p)
{
	if (!is_darc(p))
		return NULL;
	const struct darc *d = p->priv;
	return d->have_plan ? &d->plan : NULL;
}

uint32_t psp_darc_reservations(const struct psp_policy *p)
{
	if (!is_darc(p))
		return 0;
	const struct darc *d = p->priv;
	return d->reservations;
}

/* Per-type demand in cores for a profile: W * S_t R_t / sum(S R). */
static void compute_demand(uint32_t nworkers, uint32_t ntypes, const double *mean_ns,
			   const double *ratio, double *demand)
{
	double total = 0;
	for (uint32_t t = 0; t < ntypes; t++)
		if (ratio[t] > 0 && isfinite(mean_ns[t]))
			total += mean_ns[t] * ratio[t];
	for (uint32_t t = 0; t < ntypes; t++)
		demand[t] = (ratio[t] > 0 && isfinite(mean_ns[t]) && total > 0)
				    ? nworkers * mean_ns[t] * ratio[t] / total
				    : 0;
}

static void push_type(struct darc *d, uint32_t t, struct psp_req *r)
{
	psp_fifo_push(&d->queue[t], r);
	d->nonempty |= 1u << t;
}

static struct psp_req *pop_type(struct darc *d, uint32_t t)
{
	struct psp_req *r = psp_fifo_pop(&d->queue[t]);
	if (psp_fifo_empty(&d->queue[t]))
		d->nonempty &= ~(1u << t);
	return r;
}

/* Moves the warm-up FIFO's requests, in order, to their type queues. */
static void drain_warmup(struct darc *d)
{
	struct psp_req *r;
	while ((r = psp_fifo_pop(&d->warmup)) != NULL)
		push_type(d, r->type, r);
}

/* Makes plan the reservation in force, for a profile of mean_ns (already in
 * d->mean_ns) and ratio, and tells the host. */
static void install(struct psp_policy *p, struct darc *d,
		    const struct psp_darc_plan *plan, const double *ratio,
		    uint64_t now_ns)
{
	d->plan = *plan;
	d->have_plan = true;
	d->reservations++;
	for (uint32_t g = 0; g < plan->ngroups; g++) {
		const struct psp_darc_group *grp = &plan->group[g];
		d->group_types[g] = 0;
		for (uint32_t i = 0; i < grp->ntypes; i++)
			d->group_types[g] |= 1u << grp->types[i];
		d->group_cores[g] = grp->reserved_mask | grp->stealable_mask;
	}
	compute_demand(p->conf.nworkers, p->conf.ntypes, d->mean_ns, ratio, d->demand);
	drain_warmup(d);
	if (p->conf.on_reservation)
		p->conf.on_reservation(p->conf.on_reservation_ctx, now_ns, &d->plan);
}

static void ring_clear(struct darc *d)
{
	memset(d->slot, 0, sizeof(d->slot));
	d->cur_slot = 0;
	d->ring_total = 0;
}

static void ring_record(struct darc *d, uint32_t type, uint64_t ran_ns)
{
	struct profile_slot *s = &d->slot[d->cur_slot];
	if (s->total == d->slot_size) {
		d->cur_slot = (d->cur_slot + 1) % PROFILE_SLOTS;
		s = &d->slot[d->cur_slot];
		d->ring_total -= s->total;
		memset(s, 0, sizeof(*s));
	}
	s->total++;
	s->count[type]++;
	s->sum_ns[type] += (double)ran_ns;
	d->ring_total++;
}

/* Means and ratios over the ring; absent types get mean inf, ratio 0. */
static void ring_profile(const struct darc *d, uint32_t ntypes, double *mean_ns,
			 double *ratio)
{
	for (uint32_t t = 0; t < ntypes; t++) {
		uint64_t count = 0;
		double sum = 0;
		for (uint32_t i = 0; i < PROFILE_SLOTS; i++) {
			count += d->slot[i].count[t];
			sum += d->slot[i].sum_ns[t];
		}
		mean_ns[t] = count ? sum / (double)count : INFINITY;
		ratio[t] = count ? (double)count / (double)d->ring_total : 0;
	}
}

static int plan_from(struct psp_policy *p, struct psp_darc_plan *plan,
		     const double *mean_ns, const double *ratio)
{
	const struct psp_policy_conf *c = &p->conf;
	return psp_darc_plan(plan, c->nworkers, c->ntypes, mean_ns, ratio,
			     c->darc_delta, !c->darc_no_steal);
}

/* Has a queued request waited longer than its type's mean service time? */
static bool queueing_exceeds_mean(const struct psp_policy *p, const struct darc *d,
				  uint64_t now_ns)
{
	(void)p;
	for (uint32_t m = d->nonempty; m; m &= m - 1) {
		uint32_t t = (uint32_t)__builtin_ctz(m);
		const struct psp_req *head = psp_fifo_peek(&d->queue[t]);
		double wait = (double)(now_ns - head->enqueue_ns);
		double mean = isfinite(d->mean_ns[t]) ? d->mean_ns[t] : 0;
		if (wait > mean)
			return true;
	}
	return false;
}

static bool demand_moved(const struct psp_policy *p, const struct darc *d,
			 const double *demand)
{
	for (uint32_t t = 0; t < p->conf.ntypes; t++) {
		bool was = d->demand[t] > 0, is = demand[t] > 0;
		if (was != is)
			return true; /* the set of present types changed */
		if (is && fabs(demand[t] - d->demand[t]) > p->conf.darc_demand_change * d->demand[t])
			return true;
	}
	return false;
}

/* The profiling step, run before each dispatch; cheap until the ring holds
 * darc_min_samples completions. */
static void maybe_reserve(struct psp_policy *p, struct darc *d, uint64_t now_ns)
{
	const struct psp_policy_conf *c = &p->conf;
	if (c->darc_mode == PSP_DARC_STATIC)
		return;
	if (d->have_plan && !queueing_exceeds_mean(p, d, now_ns))
		return;

	double mean_ns[PSP_MAX_TYPES] = {0}, ratio[PSP_MAX_TYPES] = {0};
	double demand[PSP_MAX_TYPES] = {0};
	ring_profile(d, c->ntypes, mean_ns, ratio);
	ring_clear(d);
	compute_demand(c->nworkers, c->ntypes, mean_ns, ratio, demand);
	bool first = !d->have_plan;
	bool moved = first || demand_moved(p, d, demand);
	memcpy(d->mean_ns, mean_ns, sizeof(mean_ns));
	if (!moved)
		return;
	struct psp_darc_plan plan;
	if (plan_from(p, &plan, mean_ns, ratio) == 0) /* fails only with no type present */
		install(p, d, &plan, ratio, now_ns);
}

static int darc_init(struct psp_policy *p, struct psp_err *err)
{
	struct darc *d = p->priv;
	const struct psp_policy_conf *c = &p->conf;
	for (uint32_t t = 0; t < PSP_MAX_TYPES; t++)
		psp_fifo_init(&d->queue[t]);
	psp_fifo_init(&d->warmup);
	psp_fifo_init(&d->unknown);

	if (!(c->darc_delta >= 0 && c->darc_delta < 100))
		return psp_err_set(err, -EINVAL, NULL, "darc_delta",
				   "must be in [0, 100), got %g", c->darc_delta);
	if (!(c->darc_demand_change >= 0))
		return psp_err_set(err, -EINVAL, NULL, "darc_demand_change",
				   "must be >= 0, got %g", c->darc_demand_change);
	if (c->darc_mode != PSP_DARC_STATIC && c->darc_min_samples < 1)
		return psp_err_set(err, -EINVAL, NULL, "darc_samples",
				   "must be >= 1 completions");
	if (c->darc_mode == PSP_DARC_STATIC && c->darc_reserve < 0)
		return psp_err_set(err, -EINVAL, NULL, "darc_mode",
				   "static needs reserve K (the short group's cores)");
	if (c->darc_mode != PSP_DARC_STATIC && c->darc_reserve >= 0)
		return psp_err_set(err, -EINVAL, NULL, "reserve",
				   "goes with darc_mode static only");
	d->slot_size = (c->darc_min_samples + PROFILE_SLOTS / 2 - 1) / (PROFILE_SLOTS / 2);
	if (d->slot_size == 0)
		d->slot_size = 1;

	for (uint32_t t = 0; t < c->ntypes; t++)
		d->mean_ns[t] = INFINITY;
	if (c->darc_mode == PSP_DARC_DYNAMIC)
		return 0;

	/* Oracle and static start from the configured means and ratios. */
	double mean_ns[PSP_MAX_TYPES], ratio[PSP_MAX_TYPES];
	for (uint32_t t = 0; t < c->ntypes; t++) {
		if (c->type_mean_ns[t] == 0 || !(c->type_ratio[t] >= 0))
			return psp_err_set(err, -EINVAL, NULL, "type_mean",
					   "DARC %s mode needs every type's mean service time and ratio (type %u has none)",
					   c->darc_mode == PSP_DARC_STATIC ? "static" : "oracle", t);
		mean_ns[t] = (double)c->type_mean_ns[t];
		ratio[t] = c->type_ratio[t];
	}
	struct psp_darc_plan plan;
	int rc;
	if (c->darc_mode == PSP_DARC_STATIC) {
		if ((uint32_t)c->darc_reserve >= c->nworkers)
			return psp_err_set(err, -EINVAL, NULL, "reserve",
					   "static reservation must leave LONG at least one core: 0..%u, got %d",
					   c->nworkers - 1, c->darc_reserve);
		rc = psp_darc_plan_static(&plan, c->nworkers, c->ntypes, mean_ns, ratio,
					  c->darc_delta, (uint32_t)c->darc_reserve, !c->darc_no_steal);
		if (rc < 0)
			return psp_err_set(err, rc, NULL, "darc_mode",
					   "static reservation needs a SHORT and a LONG group: types whose means differ by more than delta (%g)",
					   c->darc_delta);
	} else {
		rc = plan_from(p, &plan, mean_ns, ratio);
		if (rc < 0)
			return psp_err_set(err, rc, NULL, "type_ratio",
					   "no type has a positive ratio");
	}
	for (uint32_t t = 0; t < c->ntypes; t++)
		d->mean_ns[t] = ratio[t] > 0 ? mean_ns[t] : INFINITY;
	install(p, d, &plan, ratio, 0); /* in force from time 0 */
	return 0;
}

static void darc_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns)
{
	(void)now_ns;
	struct darc *d = p->priv;
	if (r->type == PSP_TYPE_UNKNOWN)
		psp_fifo_push(&d->unknown, r);
	else if (d->have_plan)
		push_type(d, r->type, r);
	else
		psp_fifo_push(&d->warmup, r);
}

static void darc_complete(struct psp_policy *p, uint32_t worker, struct psp_req *r,
			  uint64_t ran_ns, bool finished, uint64_t now_ns)
{
	(void)worker;
	struct darc *d = p->priv;
	if (!finished) { /* DARC never preempts; a host that does gets FIFO back */
		darc_enqueue(p, r, now_ns);
		return;
	}
	if (r->type != PSP_TYPE_UNKNOWN && p->conf.darc_mode != PSP_DARC_STATIC)
		ring_record(d, r->type, ran_ns);
}

/* Spillway-only work: unknown types and types absent from the plan, oldest
 * head first.  Returns the type, PSP_TYPE_UNKNOWN, or -1 when none waits. */
static int64_t spillway_queue(struct psp_policy *p, struct darc *d)
{
	const struct psp_req *best = psp_fifo_peek(&d->unknown);
	int64_t which = best ? (int64_t)PSP_TYPE_UNKNOWN : -1;
	if (!d->have_plan)
		return which;
	for (uint32_t m = d->nonempty; m; m &= m - 1) {
		uint32_t t = (uint32_t)__builtin_ctz(m);
		if (t >= p->conf.ntypes || d->plan.type_group[t] >= 0)
			continue;
		const struct psp_req *head = psp_fifo_peek(&d->queue[t]);
		if (!best || head->enqueue_ns < best->enqueue_ns) {
			best = head;
			which = t;
		}
	}
	return which;
}

static size_t darc_dispatch(struct psp_policy *p, uint64_t now_ns,
			    struct psp_assign *out, size_t cap)
{
	struct darc *d = p->priv;
	if (d->ring_total >= p->conf.darc_min_samples)
		maybe_reserve(p, d, now_ns);

	size_t n = 0;
	if (!d->have_plan) {
		while (n < cap && p->idle_mask && !psp_fifo_empty(&d->warmup))
			assign_worker(p, &out[n++], psp_fifo_pop(&d->warmup),
				      lowest_bit(p->idle_mask), 0);
	} else {
		for (uint32_t g = 0; g < d->plan.ngroups; g++) {
			/* Most calls find nothing to do: skip a group with no
			 * request queued or no idle core it may use. */
			if (!(d->nonempty & d->group_types[g]) ||
			    !(p->idle_mask & d->group_cores[g]))
				continue;
			const struct psp_darc_group *grp = &d->plan.group[g];
			for (uint32_t i = 0; i < grp->ntypes; i++) {
				uint32_t t = grp->types[i];
				while (n < cap && (d->nonempty >> t) & 1u) {
					uint64_t m = p->idle_mask & grp->reserved_mask;
					if (!m)
						m = p->idle_mask & grp->stealable_mask;
					if (!m)
						break;
					assign_worker(p, &out[n++], pop_type(d, t), lowest_bit(m), 0);
				}
				if (n == cap || !p->idle_mask)
					return n;
			}
		}
	}
	uint32_t spill = p->conf.nworkers - 1;
	if (n < cap && psp_policy_worker_idle(p, spill)) {
		int64_t t = spillway_queue(p, d);
		if (t == (int64_t)PSP_TYPE_UNKNOWN)
			assign_worker(p, &out[n++], psp_fifo_pop(&d->unknown), spill, 0);
		else if (t >= 0)
			assign_worker(p, &out[n++], pop_type(d, (uint32_t)t), spill, 0);
	}
	return n;
}

static void darc_describe(const struct psp_policy *p, char *buf, size_t cap)
{
	const struct darc *d = p->priv;
	if (!d->have_plan) {
		snprintf(buf, cap, "c-FCFS warm-up (%llu of %llu samples)",
			 (unsigned long long)d->ring_total,
			 (unsigned long long)p->conf.darc_min_samples);
		return;
	}
	psp_darc_plan_format(&d->plan, p->conf.type_name, buf, cap);
}

const struct psp_policy_ops psp_darc_ops = {
	.name = "darc",
	.aliases = "persephone",
	.summary = "DARC: reserve cores per group of similar types, short first; non work-conserving",
	.props = {
		.flags = PSP_POLICY_USES_MEANS, .default_slots = 1, .max_slots = 1,
		.model = "a FIFO per type; groups of similar types get reserved cores (shortest "
			 "first), may steal longer groups' idle cores, never shorter ones'",
	},
	.params = (const struct psp_param *const[]){&psp_param_darc_mode, &psp_param_reserve,
		&psp_param_no_steal, &psp_param_darc_samples, &psp_param_darc_delta,
		&psp_param_darc_demand_change, NULL},
	.state_size = darc_state_size,
	.init = darc_init,
	.enqueue = darc_enqueue,
	.complete = darc_complete,
	.dispatch = darc_dispatch,
	.describe = darc_describe,
};
