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
 *
 * The robust variant's parts (docs/policies.md, "DARC robust variant"), each its own
 * knob: ratios from the arrivals of the same window (darc_ratio_source);
 * capacity sizing from the window's arrival rate (darc_sizing,
 * psp_darc_plan_capacity); re-reservation when a demand moved beyond 3
 * standard errors of the two profiles, never re-installing the plan in
 * force (darc_hysteresis); and the starvation guard: a type whose head has
 * waited darc_starvation_guard x its mean takes any idle core until its
 * queue drains.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <psp/darc.h>
#include <psp/policy.h>

#include "fifo_set.h"
#include "internal.h"

enum psp_darc_mode {
	PSP_DARC_DYNAMIC = 0, /* c-FCFS until profiled, then reserve */
	PSP_DARC_ORACLE,      /* first reservation from the configured means */
	PSP_DARC_STATIC,      /* SHORT reserves [0,k), LONG owns [k,W) */
};

/* DARC's rule: the paper's, or the robust one (docs/policies.md, "DARC robust
 * variant").  The policy reads only the four parts below, each its own
 * knob; darc_variant robust sets them (the knob's implies). */
enum psp_darc_variant {
	PSP_DARC_PAPER = 0,
	PSP_DARC_ROBUST,
};

enum psp_darc_ratio_source {
	PSP_DARC_RATIOS_COMPLETIONS = 0, /* the paper: a type's share of completions */
	PSP_DARC_RATIOS_ARRIVALS,        /* its share of arrivals */
};

enum psp_darc_sizing {
	PSP_DARC_SIZE_ROUNDING = 0, /* the paper: round each demand, spillway on overflow */
	PSP_DARC_SIZE_CAPACITY,     /* the paper's counts to W, then cover each group's load */
};

enum psp_darc_hysteresis {
	PSP_DARC_HYST_FIXED = 0, /* the paper: a demand moved by > darc_demand_change */
	PSP_DARC_HYST_CI,        /* moved beyond its confidence interval; no identical re-install */
};

/* DARC's knobs, in help order (rank 70: after the time-sharing ones). */
static const struct psp_param knob_darc_mode = {
	.name = "darc_mode", .kind = PSP_PARAM_CHOICE, .rank = 70,
	.choices = "dynamic,oracle,static", .def = PSP_DARC_DYNAMIC,
	.help = "dynamic: profile, then reserve; oracle: reserve from the "
		"workload's means; static: --reserve K",
};
static const struct psp_param knob_reserve = {
	.name = "reserve", .kind = PSP_PARAM_INT, .rank = 70, .scale = 1,
	.def = -1, .min = 0, .max = PSP_MAX_WORKERS - 1, .unit = "cores",
	.implies = "darc_mode=static",
	.help = "static mode: cores [0,K) reserved for the short group",
};
static const struct psp_param knob_no_steal = {
	.name = "no_steal", .kind = PSP_PARAM_BOOL, .rank = 70,
	.def = 0,
	.help = "groups use only their own cores (no stealing)",
};
static const struct psp_param knob_darc_samples = {
	.name = "darc_samples", .kind = PSP_PARAM_UINT, .rank = 70, .scale = 1,
	.def = 50000, .min = 1, .max = 1e12, .unit = "completions",
	.help = "completions profiled before (re)reserving",
};
static const struct psp_param knob_darc_delta = {
	.name = "darc_delta", .kind = PSP_PARAM_REAL, .rank = 70, .scale = 1,
	.def = 0.2, .min = 0, .max = 99.999, .unit = "",
	.help = "grouping tolerance: a type joins a group while its mean < (1 + delta) x the leader's",
};
static const struct psp_param knob_darc_demand_change = {
	.name = "darc_demand_change", .kind = PSP_PARAM_REAL, .rank = 70,
	.scale = 1, .def = 0.1, .min = 0, .max = 1e6, .unit = "",
	.help = "re-reserve when a type's demand moved by more than this fraction",
};
static const struct psp_param knob_darc_variant = {
	.name = "darc_variant", .kind = PSP_PARAM_CHOICE, .rank = 70,
	.choices = "paper,robust", .def = PSP_DARC_PAPER,
	.implies = "darc_ratio_source=arrivals darc_sizing=capacity darc_hysteresis=ci "
		   "darc_starvation_guard=20",
	.implies_when = "robust",
	.help = "paper: the paper's rule; robust: the four darc_* parts below at "
		"their robust setting (each part given explicitly wins)",
};
static const struct psp_param knob_darc_ratio_source = {
	.name = "darc_ratio_source", .kind = PSP_PARAM_CHOICE, .rank = 70,
	.choices = "completions,arrivals", .def = PSP_DARC_RATIOS_COMPLETIONS,
	.help = "a type's ratio is its share of the profiled completions (the paper) "
		"or of the arrivals over the same window; means always come from completions",
};
static const struct psp_param knob_darc_sizing = {
	.name = "darc_sizing", .kind = PSP_PARAM_CHOICE, .rank = 70,
	.choices = "rounding,capacity", .def = PSP_DARC_SIZE_ROUNDING,
	.help = "rounding: the paper's (fraction <= .5 down, spillway on overflow); "
		"capacity: the paper's counts without overflow, then cores moved so that each group's own "
		"plus stealable cores carry its measured load with a margin",
};
static const struct psp_param knob_darc_hysteresis = {
	.name = "darc_hysteresis", .kind = PSP_PARAM_CHOICE, .rank = 70,
	.choices = "fixed,ci", .def = PSP_DARC_HYST_FIXED,
	.help = "fixed: re-reserve when a demand moved by more than darc_demand_change "
		"(the paper); ci: when it moved beyond its 3-sigma profile noise, and "
		"never re-install the plan in force",
};
static const struct psp_param knob_darc_starvation_guard = {
	.name = "darc_starvation_guard", .kind = PSP_PARAM_REAL, .rank = 70,
	.scale = 1, .def = 0, .min = 0, .max = 1e6, .unit = "x mean",
	.help = "a type whose oldest request waited longer than this multiple of its "
		"mean may use any idle core until its queue drains; 0: off (the paper)",
};

/* The knobs' values, read once by init. */
struct darc_knobs {
	enum psp_darc_mode darc_mode;
	int32_t darc_reserve;      /* static mode: k short cores; -1 none */
	bool darc_no_steal;
	uint64_t darc_min_samples; /* completions before (re)profiling */
	double darc_delta;
	double darc_demand_change;
	enum psp_darc_ratio_source darc_ratio_source;
	enum psp_darc_sizing darc_sizing;
	enum psp_darc_hysteresis darc_hysteresis;
	double darc_starvation_guard; /* x a type's mean; 0 = off */
};

static void read_knobs(const struct psp_policy_conf *c, struct darc_knobs *k)
{
	k->darc_mode = (enum psp_darc_mode)psp_knob_int(c, &knob_darc_mode);
	k->darc_reserve = (int32_t)psp_knob_int(c, &knob_reserve);
	k->darc_no_steal = psp_knob_int(c, &knob_no_steal) != 0;
	k->darc_min_samples = psp_knob_uint(c, &knob_darc_samples);
	k->darc_delta = psp_knob_real(c, &knob_darc_delta);
	k->darc_demand_change = psp_knob_real(c, &knob_darc_demand_change);
	k->darc_ratio_source = (enum psp_darc_ratio_source)psp_knob_int(c, &knob_darc_ratio_source);
	k->darc_sizing = (enum psp_darc_sizing)psp_knob_int(c, &knob_darc_sizing);
	k->darc_hysteresis = (enum psp_darc_hysteresis)psp_knob_int(c, &knob_darc_hysteresis);
	k->darc_starvation_guard = psp_knob_real(c, &knob_darc_starvation_guard);
}

#define PROFILE_SLOTS 8u /* the ring spans 2 x darc_min_samples */
#define ALL_SLOTS ((1u << PROFILE_SLOTS) - 1u)

struct profile_slot {
	uint64_t total;
	uint64_t count[PSP_MAX_TYPES];
	double sum_ns[PSP_MAX_TYPES];
	double sumsq_ns2[PSP_MAX_TYPES]; /* for the demands' standard errors */
	uint64_t arrivals[PSP_MAX_TYPES];
	uint64_t arrivals_total;
	uint64_t start_ns; /* when the slot began to fill */
};

/* One profile of the ring: per type mean, ratio, demand (cores) and its
 * standard error; the measured load (busy fraction of the workers, 0 when
 * unknown). */
struct profile {
	double mean_ns[PSP_MAX_TYPES];
	double ratio[PSP_MAX_TYPES];
	double demand[PSP_MAX_TYPES];
	double demand_se[PSP_MAX_TYPES];
	double load;
};

struct darc {
	struct darc_knobs kn;
	struct psp_fifo_set queue; /* per known type */
	struct psp_fifo warmup;  /* known types before the first reservation */
	struct psp_fifo unknown; /* PSP_TYPE_UNKNOWN: spillway only */

	bool have_plan;
	struct psp_darc_plan plan;
	/* Per group of the plan, for dispatch to skip a group at once. */
	uint32_t group_types[PSP_MAX_TYPES]; /* bit t: type t in the group */
	uint64_t group_cores[PSP_MAX_TYPES]; /* reserved | stealable */
	uint32_t reservations;
	double mean_ns[PSP_MAX_TYPES];   /* current profile (inf = absent) */
	double demand[PSP_MAX_TYPES];    /* per type, of the installed plan */
	double demand_se[PSP_MAX_TYPES]; /* its standard error (hysteresis ci) */
	uint32_t starving; /* bit t: type t is under the starvation guard */
	uint32_t closed_slot; /* hysteresis ci: 1 + the slot just filled, 0 none */

	/* Profiling ring. */
	struct profile_slot slot[PROFILE_SLOTS];
	uint32_t cur_slot;
	uint64_t slot_size;
	uint64_t ring_total;
	bool hysteresis_ci; /* darc_hysteresis == PSP_DARC_HYST_CI */
	/* A robust part reads arrivals and squared service times: count
	 * them (the paper's rule does not pay for it). */
	bool track;
};

static const struct darc_knobs *knobs_of(const struct psp_policy *p)
{
	return &((const struct darc *)p->priv)->kn;
}

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

/* Moves the warm-up FIFO's requests, in order, to their type queues. */
static void drain_warmup(struct darc *d)
{
	struct psp_req *r;
	while ((r = psp_fifo_pop(&d->warmup)) != NULL)
		psp_fifo_set_push(&d->queue, r->type, r);
}

/* Makes plan the reservation in force, for a profile of mean_ns (already in
 * d->mean_ns) and ratio, and tells the host. */
static void install(struct psp_policy *p, struct darc *d,
		    const struct psp_darc_plan *plan, const double *ratio,
		    const double *demand_se, uint64_t now_ns)
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
	compute_demand(p->nworkers, p->ntypes, d->mean_ns, ratio, d->demand);
	memcpy(d->demand_se, demand_se, sizeof(d->demand_se));
	drain_warmup(d);
	if (p->conf->on_reservation)
		p->conf->on_reservation(p->conf->on_reservation_ctx, now_ns, &d->plan);
}

static void ring_clear(struct darc *d, uint64_t now_ns)
{
	memset(d->slot, 0, sizeof(d->slot));
	d->cur_slot = 0;
	d->ring_total = 0;
	d->slot[0].start_ns = now_ns;
}

static void ring_record(struct darc *d, uint32_t type, uint64_t ran_ns, uint64_t now_ns)
{
	struct profile_slot *s = &d->slot[d->cur_slot];
	if (s->total == d->slot_size) {
		if (d->have_plan && d->hysteresis_ci)
			d->closed_slot = d->cur_slot + 1;
		d->cur_slot = (d->cur_slot + 1) % PROFILE_SLOTS;
		s = &d->slot[d->cur_slot];
		d->ring_total -= s->total;
		memset(s, 0, sizeof(*s));
		s->start_ns = now_ns;
	}
	double ran = (double)ran_ns;
	s->total++;
	s->count[type]++;
	s->sum_ns[type] += ran;
	if (d->track)
		s->sumsq_ns2[type] += ran * ran;
	d->ring_total++;
}

/* The profile of the ring: means from completions, ratios from completions
 * or arrivals (darc_ratio_source), demands with their standard errors, and
 * the load the window's arrivals bring.  A type with no completions is
 * absent (mean inf, ratio 0), except that with ratios from arrivals a type
 * that arrived keeps the mean of the profile in force, if it has one: a
 * starved type completes rarely, yet it is there. */
static void ring_profile(const struct psp_policy *p, const struct darc *d, uint32_t slots,
			 uint64_t end_ns, struct profile *pr)
{
	const struct psp_policy_conf *c = p->conf;
	const struct darc_knobs *kn = knobs_of(p);
	bool by_arrivals = kn->darc_ratio_source == PSP_DARC_RATIOS_ARRIVALS;
	uint64_t arrivals_total = 0, completions = 0, start_ns = end_ns;
	for (uint32_t i = 0; i < PROFILE_SLOTS; i++) {
		const struct profile_slot *sl = &d->slot[i];
		if (!((slots >> i) & 1u))
			continue;
		arrivals_total += sl->arrivals_total;
		completions += sl->total;
		if ((sl->total || sl->arrivals_total) && sl->start_ns < start_ns)
			start_ns = sl->start_ns;
	}
	uint64_t n_ratio = by_arrivals ? arrivals_total : completions;
	double var_rel[PSP_MAX_TYPES] = {0}, total = 0, rate_work = 0;
	double elapsed_ns = (double)(end_ns - start_ns);
	for (uint32_t t = 0; t < c->ntypes; t++) {
		uint64_t count = 0, arrived = 0;
		double sum = 0, sumsq = 0;
		for (uint32_t i = 0; i < PROFILE_SLOTS; i++) {
			if (!((slots >> i) & 1u))
				continue;
			count += d->slot[i].count[t];
			arrived += d->slot[i].arrivals[t];
			sum += d->slot[i].sum_ns[t];
			sumsq += d->slot[i].sumsq_ns2[t];
		}
		double mean = count ? sum / (double)count : INFINITY;
		double var_mean_rel = 1; /* one completion: assume cv 1 */
		if (count >= 2) {
			double var = sumsq / (double)count - mean * mean;
			var_mean_rel = (var > 0 ? var : 0) / (mean * mean) / (double)count;
		}
		if (!count && by_arrivals && arrived && isfinite(d->mean_ns[t]))
			mean = d->mean_ns[t];
		uint64_t k = by_arrivals ? arrived : count;
		pr->mean_ns[t] = isfinite(mean) && k ? mean : INFINITY;
		pr->ratio[t] = isfinite(mean) && k ? (double)k / (double)n_ratio : 0;
		if (pr->ratio[t] > 0) {
			total += mean * pr->ratio[t];
			var_rel[t] = var_mean_rel + (1 - pr->ratio[t]) / (double)k;
			if (elapsed_ns > 0)
				rate_work += (double)arrived * mean / elapsed_ns;
		}
	}
	/* d_t = W x_t / sum_j x_j with x_j = S_j R_j, share s_j = x_j / sum:
	 * by the delta method (x_j taken as independent), the relative
	 * variance of d_t is (1 - s_t)^2 v_t + sum_{j != t} s_j^2 v_j, v_j
	 * being x_j's.  The other types' terms matter: a rare long type's
	 * noise moves every other type's share. */
	double others = 0;
	for (uint32_t t = 0; t < c->ntypes; t++) {
		double sh = pr->ratio[t] > 0 ? pr->mean_ns[t] * pr->ratio[t] / total : 0;
		others += sh * sh * var_rel[t];
	}
	for (uint32_t t = 0; t < c->ntypes; t++) {
		pr->demand[t] = pr->ratio[t] > 0 ? c->nworkers * pr->mean_ns[t] * pr->ratio[t] / total : 0;
		double sh = pr->demand[t] / c->nworkers;
		double v = (1 - sh) * (1 - sh) * var_rel[t] + others - sh * sh * var_rel[t];
		pr->demand_se[t] = pr->demand[t] * sqrt(v > 0 ? v : 0);
	}
	pr->load = rate_work / c->nworkers;
}

/* The plan for a profile, sized as darc_sizing says (load <= 0: not
 * measured, no load to cover). */
static int plan_from(struct psp_policy *p, struct psp_darc_plan *plan,
		     const double *mean_ns, const double *ratio, double load)
{
	const struct psp_policy_conf *c = p->conf;
	const struct darc_knobs *kn = knobs_of(p);
	if (kn->darc_sizing == PSP_DARC_SIZE_CAPACITY)
		return psp_darc_plan_capacity(plan, c->nworkers, c->ntypes, mean_ns, ratio,
					      kn->darc_delta, !kn->darc_no_steal, load);
	return psp_darc_plan(plan, c->nworkers, c->ntypes, mean_ns, ratio,
			     kn->darc_delta, !kn->darc_no_steal);
}

/* Has a queued request waited longer than its type's mean service time? */
static bool queueing_exceeds_mean(const struct psp_policy *p, const struct darc *d,
				  uint64_t now_ns)
{
	(void)p;
	for (uint64_t m = d->queue.nonempty; m; m &= m - 1) {
		uint32_t t = lowest_bit(m);
		const struct psp_req *head = psp_fifo_set_peek(&d->queue, t);
		double wait = (double)(now_ns - head->enqueue_ns);
		double mean = isfinite(d->mean_ns[t]) ? d->mean_ns[t] : 0;
		if (wait > mean)
			return true;
	}
	return false;
}

/* Standard errors a demand must move by before darc_hysteresis ci
 * re-reserves: 3 on the whole ring (about 1 in 400 per type on noise alone);
 * 5 on one slot just filled, the quick test that follows a phase change
 * (about 1 in 2 million). */
#define CI_Z_RING 3.0
#define CI_Z_SLOT 5.0

/* The paper's test: a demand moved by more than darc_demand_change of the
 * installed one; ci: by more than z standard errors of the difference of
 * the two profiles.  quick (one slot): a type missing from it is no news. */
static bool demand_moved(const struct psp_policy *p, const struct darc *d,
			 const struct profile *pr, double z, bool quick)
{
	bool ci = knobs_of(p)->darc_hysteresis == PSP_DARC_HYST_CI;
	for (uint32_t t = 0; t < p->ntypes; t++) {
		bool was = d->demand[t] > 0, is = pr->demand[t] > 0;
		if (quick && !is)
			continue;
		if (was != is)
			return true; /* the set of present types changed */
		double moved = fabs(pr->demand[t] - d->demand[t]);
		double bound = ci ? z * hypot(pr->demand_se[t], d->demand_se[t])
				  : knobs_of(p)->darc_demand_change * d->demand[t];
		if (is && moved > bound)
			return true;
	}
	return false;
}

/* Plans from profile pr and installs the plan, unless hysteresis ci finds
 * it identical to the one in force. */
static void replan(struct psp_policy *p, struct darc *d, const struct profile *pr,
		   uint64_t now_ns)
{
	bool first = !d->have_plan;
	struct psp_darc_plan plan;
	if (plan_from(p, &plan, pr->mean_ns, pr->ratio, pr->load) != 0)
		return; /* fails only with no type present */
	if (!first && knobs_of(p)->darc_hysteresis == PSP_DARC_HYST_CI &&
	    psp_darc_plan_equal(&plan, &d->plan)) {
		/* The same cores: nothing to install; the new profile is the
		 * baseline of the next test. */
		memcpy(d->demand, pr->demand, sizeof(d->demand));
		memcpy(d->demand_se, pr->demand_se, sizeof(d->demand_se));
		return;
	}
	install(p, d, &plan, pr->ratio, pr->demand_se, now_ns);
}

/* The profiling step, run before each dispatch; cheap until the ring holds
 * darc_min_samples completions. */
static void maybe_reserve(struct psp_policy *p, struct darc *d, uint64_t now_ns)
{
	const struct darc_knobs *kn = knobs_of(p);
	if (kn->darc_mode == PSP_DARC_STATIC)
		return;
	if (d->have_plan && !queueing_exceeds_mean(p, d, now_ns))
		return;

	struct profile pr = {0};
	ring_profile(p, d, ALL_SLOTS, now_ns, &pr);
	ring_clear(d, now_ns);
	bool first = !d->have_plan;
	bool moved = first || demand_moved(p, d, &pr, CI_Z_RING, false);
	memcpy(d->mean_ns, pr.mean_ns, sizeof(pr.mean_ns));
	if (moved)
		replan(p, d, &pr, now_ns);
}

/* Hysteresis ci's quick test, when a slot of the ring has just filled:
 * if that slot alone moved a demand beyond CI_Z_SLOT standard errors (a
 * phase change, not noise), re-plan from it at once rather than from a
 * ring that mostly holds the previous phase. */
static void quick_check(struct psp_policy *p, struct darc *d, uint64_t now_ns)
{
	uint32_t slot = d->closed_slot - 1;
	d->closed_slot = 0;
	struct profile pr = {0};
	ring_profile(p, d, 1u << slot, d->slot[d->cur_slot].start_ns, &pr);
	if (!demand_moved(p, d, &pr, CI_Z_SLOT, true))
		return;
	ring_clear(d, now_ns);
	memcpy(d->mean_ns, pr.mean_ns, sizeof(pr.mean_ns));
	replan(p, d, &pr, now_ns);
}

static int darc_init(struct psp_policy *p, struct psp_err *err)
{
	struct darc *d = p->priv;
	const struct psp_policy_conf *c = p->conf;
	const struct darc_knobs *kn = &d->kn;
	read_knobs(c, &d->kn);
	psp_fifo_set_init(&d->queue);
	psp_fifo_init(&d->warmup);
	psp_fifo_init(&d->unknown);

	if (!(kn->darc_delta >= 0 && kn->darc_delta < 100))
		return psp_err_set(err, -EINVAL, NULL, "darc_delta",
				   "must be in [0, 100), got %g", kn->darc_delta);
	if (!(kn->darc_starvation_guard >= 0))
		return psp_err_set(err, -EINVAL, NULL, "darc_starvation_guard",
				   "must be >= 0 (0: off), got %g", kn->darc_starvation_guard);
	if (!(kn->darc_demand_change >= 0))
		return psp_err_set(err, -EINVAL, NULL, "darc_demand_change",
				   "must be >= 0, got %g", kn->darc_demand_change);
	if (kn->darc_mode != PSP_DARC_STATIC && kn->darc_min_samples < 1)
		return psp_err_set(err, -EINVAL, NULL, "darc_samples",
				   "must be >= 1 completions");
	if (kn->darc_mode == PSP_DARC_STATIC && kn->darc_reserve < 0)
		return psp_err_set(err, -EINVAL, NULL, "darc_mode",
				   "static needs reserve K (the short group's cores)");
	if (kn->darc_mode != PSP_DARC_STATIC && kn->darc_reserve >= 0)
		return psp_err_set(err, -EINVAL, NULL, "reserve",
				   "goes with darc_mode static only");
	d->hysteresis_ci = kn->darc_hysteresis == PSP_DARC_HYST_CI;
	d->track = d->hysteresis_ci || kn->darc_ratio_source == PSP_DARC_RATIOS_ARRIVALS ||
		   kn->darc_sizing == PSP_DARC_SIZE_CAPACITY;
	d->slot_size = (kn->darc_min_samples + PROFILE_SLOTS / 2 - 1) / (PROFILE_SLOTS / 2);
	if (d->slot_size == 0)
		d->slot_size = 1;

	for (uint32_t t = 0; t < c->ntypes; t++)
		d->mean_ns[t] = INFINITY;
	if (kn->darc_mode == PSP_DARC_DYNAMIC)
		return 0;

	/* Oracle and static start from the configured means and ratios. */
	double mean_ns[PSP_MAX_TYPES], ratio[PSP_MAX_TYPES];
	for (uint32_t t = 0; t < c->ntypes; t++) {
		if (c->type_mean_ns[t] == 0 || !(c->type_ratio[t] >= 0))
			return psp_err_set(err, -EINVAL, NULL, "type_mean",
					   "DARC %s mode needs every type's mean service time and ratio (type %u has none)",
					   kn->darc_mode == PSP_DARC_STATIC ? "static" : "oracle", t);
		mean_ns[t] = (double)c->type_mean_ns[t];
		ratio[t] = c->type_ratio[t];
	}
	struct psp_darc_plan plan;
	int rc;
	if (kn->darc_mode == PSP_DARC_STATIC) {
		if ((uint32_t)kn->darc_reserve >= c->nworkers)
			return psp_err_set(err, -EINVAL, NULL, "reserve",
					   "static reservation must leave LONG at least one core: 0..%u, got %d",
					   c->nworkers - 1, kn->darc_reserve);
		rc = psp_darc_plan_static(&plan, c->nworkers, c->ntypes, mean_ns, ratio,
					  kn->darc_delta, (uint32_t)kn->darc_reserve, !kn->darc_no_steal);
		if (rc < 0)
			return psp_err_set(err, rc, NULL, "darc_mode",
					   "static reservation needs a SHORT and a LONG group: types whose means differ by more than delta (%g)",
					   kn->darc_delta);
	} else {
		rc = plan_from(p, &plan, mean_ns, ratio, 0);
		if (rc < 0)
			return psp_err_set(err, rc, NULL, "type_ratio",
					   "no type has a positive ratio");
	}
	for (uint32_t t = 0; t < c->ntypes; t++)
		d->mean_ns[t] = ratio[t] > 0 ? mean_ns[t] : INFINITY;
	double no_se[PSP_MAX_TYPES] = {0};
	install(p, d, &plan, ratio, no_se, 0); /* in force from time 0 */
	return 0;
}

static void darc_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns)
{
	(void)now_ns;
	struct darc *d = p->priv;
	if (r->type == PSP_TYPE_UNKNOWN) {
		psp_fifo_push(&d->unknown, r);
		return;
	}
	if (d->track) {
		struct profile_slot *s = &d->slot[d->cur_slot];
		s->arrivals[r->type]++;
		s->arrivals_total++;
	}
	if (d->have_plan)
		psp_fifo_set_push(&d->queue, r->type, r);
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
	if (r->type != PSP_TYPE_UNKNOWN && knobs_of(p)->darc_mode != PSP_DARC_STATIC)
		ring_record(d, r->type, ran_ns, now_ns);
}

/* Spillway-only work: unknown types and types absent from the plan, oldest
 * head first.  Returns the type, PSP_TYPE_UNKNOWN, or -1 when none waits. */
static int64_t spillway_queue(struct psp_policy *p, struct darc *d)
{
	const struct psp_req *best = psp_fifo_peek(&d->unknown);
	int64_t which = best ? (int64_t)PSP_TYPE_UNKNOWN : -1;
	if (!d->have_plan)
		return which;
	for (uint64_t m = d->queue.nonempty; m; m &= m - 1) {
		uint32_t t = lowest_bit(m);
		if (t >= p->ntypes || d->plan.type_group[t] >= 0)
			continue;
		const struct psp_req *head = psp_fifo_set_peek(&d->queue, t);
		if (!best || head->enqueue_ns < best->enqueue_ns) {
			best = head;
			which = t;
		}
	}
	return which;
}

/* The starvation guard: a present type whose head has waited longer than
 * darc_starvation_guard x its mean joins the guarded set and, until its
 * queue drains, takes any idle core (the highest id first) but the
 * shortest group's own: a long request there would hold that group's
 * requests for a long service time (a rare type re-planned onto one core
 * from a noisy profile sent its 500 us requests to the short type's cores
 * and the short type's p99.9 went from 3.6 to 103 us).  The shortest
 * group may already use every core. */
static size_t guard_dispatch(struct psp_policy *p, struct darc *d, uint64_t now_ns,
			     struct psp_assign *out, size_t n, size_t cap)
{
	double factor = knobs_of(p)->darc_starvation_guard;
	d->starving &= (uint32_t)d->queue.nonempty;
	for (uint64_t m = d->queue.nonempty & ~(uint64_t)d->starving; m; m &= m - 1) {
		uint32_t t = lowest_bit(m);
		if (t >= p->ntypes || d->plan.type_group[t] < 0)
			continue; /* absent: the spillway's */
		const struct psp_req *head = psp_fifo_set_peek(&d->queue, t);
		if ((double)(now_ns - head->enqueue_ns) > factor * d->mean_ns[t])
			d->starving |= 1u << t;
	}
	uint64_t shortest = d->plan.group[0].reserved_mask;
	for (uint32_t m = d->starving; m && n < cap && p->idle_mask; m &= m - 1) {
		uint32_t t = (uint32_t)__builtin_ctz(m);
		uint64_t keep = d->plan.type_group[t] == 0 ? 0 : shortest;
		while (n < cap && (p->idle_mask & ~keep) && psp_fifo_set_holds(&d->queue, t))
			assign_worker(p, &out[n++], psp_fifo_set_pop(&d->queue, t),
				      63u - (uint32_t)__builtin_clzll(p->idle_mask & ~keep), 0);
	}
	d->starving &= (uint32_t)d->queue.nonempty;
	return n;
}

static size_t darc_dispatch(struct psp_policy *p, uint64_t now_ns,
			    struct psp_assign *out, size_t cap)
{
	struct darc *d = p->priv;
	if (d->closed_slot)
		quick_check(p, d, now_ns);
	if (d->ring_total >= knobs_of(p)->darc_min_samples)
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
			if (!(d->queue.nonempty & d->group_types[g]) ||
			    !(p->idle_mask & d->group_cores[g]))
				continue;
			const struct psp_darc_group *grp = &d->plan.group[g];
			for (uint32_t i = 0; i < grp->ntypes; i++) {
				uint32_t t = grp->types[i];
				while (n < cap && psp_fifo_set_holds(&d->queue, t)) {
					uint64_t m = p->idle_mask & grp->reserved_mask;
					if (!m)
						m = p->idle_mask & grp->stealable_mask;
					if (!m)
						break;
					assign_worker(p, &out[n++], psp_fifo_set_pop(&d->queue, t), lowest_bit(m), 0);
				}
				if (n == cap || !p->idle_mask)
					return n;
			}
		}
		if (knobs_of(p)->darc_starvation_guard > 0 && p->idle_mask && d->queue.nonempty)
			n = guard_dispatch(p, d, now_ns, out, n, cap);
	}
	uint32_t spill = p->nworkers - 1;
	if (n < cap && psp_policy_worker_idle(p, spill)) {
		int64_t t = spillway_queue(p, d);
		if (t == (int64_t)PSP_TYPE_UNKNOWN)
			assign_worker(p, &out[n++], psp_fifo_pop(&d->unknown), spill, 0);
		else if (t >= 0)
			assign_worker(p, &out[n++], psp_fifo_set_pop(&d->queue, (uint32_t)t), spill, 0);
	}
	return n;
}

static void darc_describe(const struct psp_policy *p, char *buf, size_t cap)
{
	const struct darc *d = p->priv;
	if (!d->have_plan) {
		snprintf(buf, cap, "c-FCFS warm-up (%llu of %llu samples)",
			 (unsigned long long)d->ring_total,
			 (unsigned long long)knobs_of(p)->darc_min_samples);
		return;
	}
	psp_darc_plan_format(&d->plan, p->conf->type_name, buf, cap);
}

static uint64_t darc_profile_left(const struct psp_policy *p)
{
	const struct darc *d = p->priv;
	if (d->have_plan)
		return 0;
	uint64_t need = knobs_of(p)->darc_min_samples;
	return d->ring_total < need ? need - d->ring_total : 1;
}

const struct psp_policy_ops psp_darc_ops = {
	.name = "darc",
	.aliases = "persephone",
	.summary = "DARC: reserve cores per group of similar types, short first; non work-conserving",
	.props = {
		.flags = PSP_POLICY_USES_MEANS | PSP_POLICY_LEARNS | PSP_POLICY_CENTRAL_ARRIVALS |
			 PSP_POLICY_RESERVES,
		.default_slots = 1, .max_slots = 1,
		.model = "a FIFO per type; groups of similar types get reserved cores (shortest "
			 "first), may steal longer groups' idle cores, never shorter ones'",
	},
	.params = (const struct psp_param *const[]){&knob_darc_mode, &knob_reserve,
		&knob_no_steal, &knob_darc_samples, &knob_darc_delta,
		&knob_darc_demand_change, &knob_darc_variant,
		&knob_darc_ratio_source, &knob_darc_sizing, &knob_darc_hysteresis,
		&knob_darc_starvation_guard, NULL},
	.state_size = darc_state_size,
	.init = darc_init,
	.enqueue = darc_enqueue,
	.complete = darc_complete,
	.dispatch = darc_dispatch,
	.describe = darc_describe,
	.profile_left = darc_profile_left,
};
