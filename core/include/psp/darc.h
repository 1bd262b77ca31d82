/* DARC's planner: from per-type mean service times and ratios to a core
 * reservation, exactly as the Perséphone paper (SOSP 2021) specifies it:
 *
 *  group   sort types by mean; a type joins the current group while its mean
 *          is < (1 + delta) x the group leader's mean;
 *  demand  W * sum_g(S*R) / sum_all(S*R); floor 0 -> 1 core; fraction <= .5
 *          -> floor; else ceil;
 *  reserve shortest group first, contiguous ids; a group wanting more than
 *          remain gets all that remain plus the spillway core (W-1);
 *  steal   a group may also use idle cores with id >= the running
 *          reservation count after its own reservation.
 *
 * Pure functions on plain structs: the policy (policy_darc.c), psp-sim's
 * report and the tests all use them.
 */
#ifndef PSP_DARC_H
#define PSP_DARC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psp/req.h>

struct psp_darc_group {
	uint32_t ntypes;
	uint32_t types[PSP_MAX_TYPES]; /* type indices, shortest mean first */
	double mean_ns;      /* the group leader's (shortest) mean */
	double demand;       /* cores, before rounding */
	uint32_t first_core; /* reserved cores [first_core, first_core + ncores) */
	uint32_t ncores;
	bool spillway;       /* also owns the spillway core W-1 */
	uint64_t reserved_mask;  /* bit w: worker w reserved for this group */
	uint64_t stealable_mask; /* bit w: worker w may be stolen */
};

struct psp_darc_plan {
	uint32_t nworkers;
	uint32_t ngroups;
	struct psp_darc_group group[PSP_MAX_TYPES];
	/* Group of each type, or -1 for a type that is absent (no ratio). */
	int8_t type_group[PSP_MAX_TYPES];
	uint32_t spillway; /* W-1 */
};

/* Plans a reservation for nworkers from means (ns) and ratios of ntypes
 * types.  A type with ratio <= 0 or a non-finite/zero mean is absent: it
 * belongs to no group.  steal=false leaves every stealable_mask empty.
 * Returns 0, or -EINVAL when no type is present or arguments are out of
 * range.  Cannot allocate. */
int psp_darc_plan(struct psp_darc_plan *plan, uint32_t nworkers, uint32_t ntypes,
		  const double *mean_ns, const double *ratio, double delta,
		  bool steal);

/* The capacity sizing of the robust variant (darc_sizing capacity): the same
 * groups and demands as psp_darc_plan, then
 *
 *  - the paper's counts to W: each group its rounded demand (at least 1);
 *    an excess is taken back from the longest groups first (as the paper's
 *    order of reservation does), cores left over go to the groups furthest
 *    below their demand (the longer on a tie): no spillway overflow, no
 *    unreserved core, and no group below the paper's count for it;
 *  - cover the load: with load > 0 (the measured busy fraction of the W
 *    cores, so group g's load is load x demand_g cores), a group whose load
 *    exceeds PSP_DARC_CAPACITY_UTIL x (own cores + the cores longer groups
 *    leave idle, when steal) takes cores, longest group first, from the
 *    donor with the most own cores to spare that stays covered and whose
 *    own cores still carry PSP_DARC_CAPACITY_UTIL of its own load.  Stops
 *    when no donor can help.
 *
 * More groups than workers fall back to the paper's sizing.  Returns 0 or
 * -EINVAL as psp_darc_plan.  Cannot allocate. */
#define PSP_DARC_CAPACITY_UTIL 0.9
int psp_darc_plan_capacity(struct psp_darc_plan *plan, uint32_t nworkers, uint32_t ntypes,
			   const double *mean_ns, const double *ratio, double delta,
			   bool steal, double load);

/* Do two plans reserve the same cores for the same groups of types? */
bool psp_darc_plan_equal(const struct psp_darc_plan *a, const struct psp_darc_plan *b);

/* The paper's static reservation (Fig. 4): types whose mean is within delta
 * of the shortest form SHORT and reserve [0, k); every other type forms LONG
 * and owns [k, W) with the spillway.  SHORT steals [k, W) unless steal is
 * false; LONG steals nothing.  k == 0 leaves SHORT with stealing only.
 * Returns 0 or -EINVAL (k >= nworkers, no type present). */
int psp_darc_plan_static(struct psp_darc_plan *plan, uint32_t nworkers,
			 uint32_t ntypes, const double *mean_ns,
			 const double *ratio, double delta, uint32_t k,
			 bool steal);

/* Formats a plan as one line, e.g.
 *   "SHORT: cores 0 (+steal 1-13) | LONG: cores 1-13 + spillway 13"
 * type_name may be NULL (types are then named T0, T1, ...); a group of
 * several types is named "A+B".  Returns the length written (truncated to
 * cap - 1). */
size_t psp_darc_plan_format(const struct psp_darc_plan *plan,
			    const char *const *type_name, char *buf, size_t cap);

/* The reservation timeline CSV that psp-sim and psp-engine both write: one
 * row per group per reservation. */
#define PSP_DARC_TIMELINE_HEADER "time_ns,group,types,reserved_cores,stealable_cores"

/* Formats group g of plan as one timeline row, without a newline:
 * time_ns,group,types,reserved_cores,stealable_cores (types joined by '+',
 * core sets as psp_cores_format; a field holding a comma is quoted).
 * type_name may be NULL (T0, T1, ...).  Returns the length written
 * (truncated to cap - 1). */
size_t psp_darc_timeline_row(const struct psp_darc_plan *plan, uint32_t g,
			     uint64_t time_ns, const char *const *type_name,
			     char *buf, size_t cap);

/* Formats a core set as ranges ("1-13", "0,2,5-7", "-" when empty). */
size_t psp_cores_format(uint64_t mask, char *buf, size_t cap);

struct psp_policy;

/* The reservation a DARC policy has installed, or NULL while it still runs
 * its c-FCFS warm-up (or p is not a DARC policy). */
const struct psp_darc_plan *psp_darc_current_plan(const struct psp_policy *p);

/* How many reservations p has installed so far (0 for other policies). */
uint32_t psp_darc_reservations(const struct psp_policy *p);

#endif
