/* DARC's planner: grouping, demand, rounding, reservation and stealing, as
 * the paper specifies them (summarised in psp/darc.h; docs/darc.md explains
 * each step). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <psp/darc.h>

#include "internal.h"

static int type_present(const double *mean_ns, const double *ratio, uint32_t t)
{
	return ratio[t] > 0 && isfinite(mean_ns[t]) && mean_ns[t] > 0;
}

/* Present types sorted by mean, ties by index (insertion sort: <= 16). */
static uint32_t sort_present(uint32_t ntypes, const double *mean_ns,
			     const double *ratio, uint32_t *order)
{
	uint32_t n = 0;
	for (uint32_t t = 0; t < ntypes; t++) {
		if (!type_present(mean_ns, ratio, t))
			continue;
		uint32_t i = n++;
		while (i > 0 && mean_ns[order[i - 1]] > mean_ns[t]) {
			order[i] = order[i - 1];
			i--;
		}
		order[i] = t;
	}
	return n;
}

/* The paper's rounding: floor 0 -> 1; fraction <= .5 -> floor; else ceil. */
static uint32_t round_demand(double demand)
{
	double fl = floor(demand);
	if (fl < 1.0)
		return 1;
	return (uint32_t)(demand - fl <= 0.5 ? fl : fl + 1.0);
}

static void plan_reset(struct psp_darc_plan *plan, uint32_t nworkers)
{
	memset(plan, 0, sizeof(*plan));
	plan->nworkers = nworkers;
	plan->spillway = nworkers - 1;
	memset(plan->type_group, -1, sizeof(plan->type_group));
}

static void group_add_type(struct psp_darc_plan *plan, uint32_t g, uint32_t t)
{
	struct psp_darc_group *grp = &plan->group[g];
	grp->types[grp->ntypes++] = t;
	plan->type_group[t] = (int8_t)g;
}

/* Gives group g want cores from *next on, with the spillway when they do
 * not fit, then its stealable set: every core from the running reservation
 * count on that it does not own. */
static void reserve_group(struct psp_darc_plan *plan, uint32_t g, uint32_t want,
			  uint32_t *next, bool steal)
{
	struct psp_darc_group *grp = &plan->group[g];
	uint32_t w = plan->nworkers;
	grp->first_core = *next;
	if (want <= w - *next) {
		grp->ncores = want;
	} else {
		grp->ncores = w - *next;
		grp->spillway = true;
	}
	*next += grp->ncores;
	grp->reserved_mask = (workers_mask(grp->first_core + grp->ncores) &
			      ~workers_mask(grp->first_core));
	if (grp->spillway)
		grp->reserved_mask |= 1ull << plan->spillway;
	if (steal)
		grp->stealable_mask = workers_mask(w) & ~workers_mask(*next) &
				      ~grp->reserved_mask;
}

/* Sorts the present types and groups them: a type joins the current group
 * while its mean is < (1 + delta) x the leader's; sums each group's demand.
 * Returns 0, or -EINVAL (arguments out of range, no type present). */
static int group_types(struct psp_darc_plan *plan, uint32_t nworkers, uint32_t ntypes,
		       const double *mean_ns, const double *ratio, double delta)
{
	if (nworkers < 1 || nworkers > PSP_MAX_WORKERS || ntypes > PSP_MAX_TYPES ||
	    delta < 0)
		return -EINVAL;
	uint32_t order[PSP_MAX_TYPES];
	uint32_t n = sort_present(ntypes, mean_ns, ratio, order);
	if (n == 0)
		return -EINVAL;
	plan_reset(plan, nworkers);

	double total = 0;
	for (uint32_t i = 0; i < n; i++)
		total += mean_ns[order[i]] * ratio[order[i]];

	for (uint32_t i = 0; i < n; i++) {
		uint32_t t = order[i];
		if (plan->ngroups == 0 ||
		    mean_ns[t] >= (1.0 + delta) * plan->group[plan->ngroups - 1].mean_ns) {
			plan->group[plan->ngroups].mean_ns = mean_ns[t];
			plan->ngroups++;
		}
		struct psp_darc_group *grp = &plan->group[plan->ngroups - 1];
		group_add_type(plan, plan->ngroups - 1, t);
		grp->demand += nworkers * mean_ns[t] * ratio[t] / total;
	}
	return 0;
}

int psp_darc_plan(struct psp_darc_plan *plan, uint32_t nworkers, uint32_t ntypes,
		  const double *mean_ns, const double *ratio, double delta,
		  bool steal)
{
	int rc = group_types(plan, nworkers, ntypes, mean_ns, ratio, delta);
	if (rc < 0)
		return rc;
	uint32_t next = 0;
	for (uint32_t g = 0; g < plan->ngroups; g++)
		reserve_group(plan, g, round_demand(plan->group[g].demand), &next, steal);
	return 0;
}

/* The paper's counts made to add up to W: every group its rounded demand
 * (at least 1); too many are taken back from the longest groups first, as
 * the paper's reservation order does (the last groups get what remains);
 * cores left over go one each to the groups furthest below their demand
 * (the longer group on a tie: it cannot steal).  A group never gets fewer
 * cores than the paper's plan reserves for it, so a middle group whose
 * demand rounds up keeps its core (a largest remainder over floors gave it
 * to a short group forced up to 1 core, and the middle group's p99.9 was
 * 2.5x the paper's). */
static void paper_counts(const struct psp_darc_plan *plan, uint32_t *n)
{
	uint32_t G = plan->ngroups, sum = 0;
	for (uint32_t g = 0; g < G; g++) {
		n[g] = round_demand(plan->group[g].demand);
		sum += n[g];
	}
	for (uint32_t g = G; sum > plan->nworkers && g-- > 0;)
		while (sum > plan->nworkers && n[g] > 1)
			n[g]--, sum--;
	while (sum < plan->nworkers) {
		uint32_t best = 0;
		for (uint32_t g = 1; g < G; g++)
			if (plan->group[g].demand - n[g] >= plan->group[best].demand - n[best])
				best = g;
		n[best]++, sum++;
	}
}

/* Cores of longer groups (g+1..) left idle by their load: what group g
 * can steal on average. */
static double idle_longer(const uint32_t *n, const double *load, uint32_t G, uint32_t g)
{
	double idle = 0;
	for (uint32_t h = g + 1; h < G; h++)
		idle += n[h] > load[h] ? n[h] - load[h] : 0;
	return idle;
}

/* How far group g's load exceeds PSP_DARC_CAPACITY_UTIL x its own plus
 * stealable capacity (<= 0: covered). */
static double deficit(const uint32_t *n, const double *load, uint32_t G, uint32_t g, bool steal)
{
	double avail = n[g] + (steal ? idle_longer(n, load, G, g) : 0);
	return load[g] - PSP_DARC_CAPACITY_UTIL * avail;
}

/* Moves cores, one at a time, to the longest group whose load is not
 * covered, from the donor with the most own cores to spare that stays
 * covered and whose own cores still carry PSP_DARC_CAPACITY_UTIL of its
 * load (stealing is for the bursts, not the bulk: Extreme Bimodal's SHORT
 * at load 0.85 on one core with the rest stolen has a p99.9 slowdown 5x the
 * paper's plan's); stops when every group is covered or no donor can help. */
static void cover_load(const struct psp_darc_plan *plan, uint32_t *n, double load_frac,
		       bool steal)
{
	uint32_t G = plan->ngroups;
	double load[PSP_MAX_TYPES];
	for (uint32_t g = 0; g < G; g++)
		load[g] = load_frac * plan->group[g].demand;
	for (uint32_t iter = 0; iter < plan->nworkers * G; iter++) {
		uint32_t g = G;
		for (uint32_t k = G; k-- > 0;)
			if (deficit(n, load, G, k, steal) > 0) {
				g = k;
				break;
			}
		if (g == G)
			return;
		double before = deficit(n, load, G, g, steal);
		uint32_t donor = G;
		double spare = -INFINITY;
		for (uint32_t h = 0; h < G; h++) {
			if (h == g || n[h] < 2 ||
			    (double)(n[h] - 1) < PSP_DARC_CAPACITY_UTIL * load[h])
				continue;
			n[h]--, n[g]++;
			bool ok = deficit(n, load, G, g, steal) < before;
			for (uint32_t k = 0; k < G && ok; k++)
				if (k != g && deficit(n, load, G, k, steal) > 0)
					ok = false;
			n[h]++, n[g]--;
			if (ok && n[h] - load[h] > spare) {
				donor = h;
				spare = n[h] - load[h];
			}
		}
		if (donor == G)
			return;
		n[donor]--, n[g]++;
	}
}

int psp_darc_plan_capacity(struct psp_darc_plan *plan, uint32_t nworkers, uint32_t ntypes,
			   const double *mean_ns, const double *ratio, double delta,
			   bool steal, double load)
{
	int rc = group_types(plan, nworkers, ntypes, mean_ns, ratio, delta);
	if (rc < 0)
		return rc;
	uint32_t next = 0;
	if (plan->ngroups > nworkers) { /* not a core each: the paper's overflow */
		for (uint32_t g = 0; g < plan->ngroups; g++)
			reserve_group(plan, g, round_demand(plan->group[g].demand), &next, steal);
		return 0;
	}
	uint32_t n[PSP_MAX_TYPES];
	paper_counts(plan, n);
	if (load > 0)
		cover_load(plan, n, load, steal);
	for (uint32_t g = 0; g < plan->ngroups; g++)
		reserve_group(plan, g, n[g], &next, steal);
	return 0;
}

bool psp_darc_plan_equal(const struct psp_darc_plan *a, const struct psp_darc_plan *b)
{
	if (a->nworkers != b->nworkers || a->ngroups != b->ngroups ||
	    memcmp(a->type_group, b->type_group, sizeof(a->type_group)) != 0)
		return false;
	for (uint32_t g = 0; g < a->ngroups; g++) {
		const struct psp_darc_group *x = &a->group[g], *y = &b->group[g];
		if (x->ntypes != y->ntypes || x->first_core != y->first_core ||
		    x->ncores != y->ncores || x->spillway != y->spillway ||
		    x->reserved_mask != y->reserved_mask || x->stealable_mask != y->stealable_mask ||
		    memcmp(x->types, y->types, x->ntypes * sizeof(x->types[0])) != 0)
			return false;
	}
	return true;
}

int psp_darc_plan_static(struct psp_darc_plan *plan, uint32_t nworkers,
			 uint32_t ntypes, const double *mean_ns,
			 const double *ratio, double delta, uint32_t k,
			 bool steal)
{
	if (nworkers < 1 || nworkers > PSP_MAX_WORKERS || ntypes > PSP_MAX_TYPES ||
	    k >= nworkers || delta < 0)
		return -EINVAL;
	uint32_t order[PSP_MAX_TYPES];
	uint32_t n = sort_present(ntypes, mean_ns, ratio, order);
	if (n < 2 || mean_ns[order[n - 1]] < (1.0 + delta) * mean_ns[order[0]])
		return -EINVAL; /* needs a SHORT and a LONG group */
	plan_reset(plan, nworkers);
	plan->ngroups = 2;
	double total = 0;
	for (uint32_t i = 0; i < n; i++)
		total += mean_ns[order[i]] * ratio[order[i]];
	plan->group[0].mean_ns = mean_ns[order[0]];
	for (uint32_t i = 0; i < n; i++) {
		uint32_t t = order[i];
		uint32_t g = mean_ns[t] < (1.0 + delta) * mean_ns[order[0]] ? 0 : 1;
		if (g == 1 && plan->group[1].ntypes == 0)
			plan->group[1].mean_ns = mean_ns[t];
		group_add_type(plan, g, t);
		plan->group[g].demand += nworkers * mean_ns[t] * ratio[t] / total;
	}
	uint32_t next = 0;
	reserve_group(plan, 0, k, &next, steal);
	reserve_group(plan, 1, nworkers - k, &next, false);
	plan->group[1].spillway = true;
	plan->group[1].reserved_mask |= 1ull << plan->spillway;
	return 0;
}

size_t psp_cores_format(uint64_t mask, char *buf, size_t cap)
{
	size_t n = 0;
	if (cap == 0)
		return 0;
	buf[0] = '\0';
	if (mask == 0)
		return (size_t)snprintf(buf, cap, "-");
	for (uint32_t w = 0; w < 64 && n < cap; w++) {
		if (!((mask >> w) & 1))
			continue;
		uint32_t end = w;
		while (end + 1 < 64 && ((mask >> (end + 1)) & 1))
			end++;
		const char *sep = n ? "," : "";
		if (end == w)
			n += (size_t)snprintf(buf + n, cap - n, "%s%u", sep, w);
		else
			n += (size_t)snprintf(buf + n, cap - n, "%s%u-%u", sep, w, end);
		w = end;
	}
	return n < cap ? n : cap - 1;
}

/* Appends the names of grp's types, joined by '+'. */
static size_t format_group_types(const struct psp_darc_group *grp,
				 const char *const *type_name, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	for (uint32_t i = 0; i < grp->ntypes && n < cap; i++) {
		uint32_t t = grp->types[i];
		const char *sep = i ? "+" : "";
		if (type_name && type_name[t])
			n += (size_t)snprintf(buf + n, cap - n, "%s%s", sep, type_name[t]);
		else
			n += (size_t)snprintf(buf + n, cap - n, "%sT%u", sep, t);
	}
	return n < cap ? n : cap - 1;
}

/* Appends s as one CSV field: quoted, with quotes doubled, when it holds a
 * comma, a quote or a newline. */
static size_t csv_field(const char *s, char *buf, size_t cap)
{
	if (!strpbrk(s, ",\"\n"))
		return (size_t)snprintf(buf, cap, "%s", s);
	size_t n = 0;
	if (n + 1 < cap)
		buf[n++] = '"';
	for (; *s && n + 2 < cap; s++) {
		if (*s == '"')
			buf[n++] = '"';
		buf[n++] = *s;
	}
	if (n + 1 < cap)
		buf[n++] = '"';
	buf[n] = '\0';
	return n;
}

size_t psp_darc_timeline_row(const struct psp_darc_plan *plan, uint32_t g,
			     uint64_t time_ns, const char *const *type_name,
			     char *buf, size_t cap)
{
	if (cap == 0)
		return 0;
	const struct psp_darc_group *grp = &plan->group[g];
	char types[256], cores[160];
	size_t n = (size_t)snprintf(buf, cap, "%llu,%u,", (unsigned long long)time_ns, g);
	format_group_types(grp, type_name, types, sizeof(types));
	if (n < cap)
		n += csv_field(types, buf + n, cap - n);
	psp_cores_format(grp->reserved_mask, cores, sizeof(cores));
	if (n + 1 < cap) {
		buf[n++] = ',';
		n += csv_field(cores, buf + n, cap - n);
	}
	psp_cores_format(grp->stealable_mask, cores, sizeof(cores));
	if (n + 1 < cap) {
		buf[n++] = ',';
		n += csv_field(cores, buf + n, cap - n);
	}
	return n < cap ? n : cap - 1;
}

size_t psp_darc_plan_format(const struct psp_darc_plan *plan,
			    const char *const *type_name, char *buf, size_t cap)
{
	size_t n = 0;
	if (cap == 0)
		return 0;
	buf[0] = '\0';
	for (uint32_t g = 0; g < plan->ngroups && n < cap; g++) {
		const struct psp_darc_group *grp = &plan->group[g];
		if (g)
			n += (size_t)snprintf(buf + n, cap - n, " | ");
		if (n < cap)
			n += format_group_types(grp, type_name, buf + n, cap - n);
		char cores[160];
		uint64_t own = workers_mask(grp->first_core + grp->ncores) &
			       ~workers_mask(grp->first_core);
		psp_cores_format(own, cores, sizeof(cores));
		if (n < cap)
			n += (size_t)snprintf(buf + n, cap - n, ": cores %s", cores);
		if (grp->stealable_mask && n < cap) {
			psp_cores_format(grp->stealable_mask, cores, sizeof(cores));
			n += (size_t)snprintf(buf + n, cap - n, " (+steal %s)", cores);
		}
		if (grp->spillway && n < cap)
			n += (size_t)snprintf(buf + n, cap - n, " + spillway %u", plan->spillway);
	}
	return n < cap ? n : cap - 1;
}
