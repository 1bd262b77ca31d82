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

int psp_darc_plan(struct psp_darc_plan *plan, uint32_t nworkers, uint32_t ntypes,
		  const double *mean_ns, const double *ratio, double delta,
		  bool steal)
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

	/* Group: a type joins while its mean is < (1 + delta) x the leader's. */
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

	uint32_t next = 0;
	for (uint32_t g = 0; g < plan->ngroups; g++)
		reserve_group(plan, g, round_demand(plan->group[g].demand), &next, steal);
	return 0;
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
