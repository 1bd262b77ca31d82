/* The machine psp-sim simulates under the policy: a system description
 * (--system FILE, docs/system-model.md), each part a distribution of a
 * delay or a cost.  A part absent from the file is zero, and costs nothing
 * to simulate: the empty system is the ideal machine of psp-sim without
 * --system.
 *
 * Parts, in the order a request meets them:
 *   network.one_way       client -> server and server -> client, each way
 *                         drawn apart; added to the latency the client sees
 *   dispatcher.arrival    dispatcher time to take in an arrival
 *   dispatcher.dispatch   dispatcher time per assignment it makes
 *   handoff               dispatcher's decision -> the worker can start it
 *   workers.wakeup        a worker parked (idle >= workers.park_after_us)
 *                         starts this much later
 *   preemption.signal     a dispatcher-timed slice end -> the worker stops
 *   preemption.cost       worker time lost per preemption
 *   completion_notice     worker's finish (or preemption) -> the dispatcher
 *                         learns it
 *   dispatcher.completion dispatcher time to take in that notice
 * The dispatcher parts and the two latencies around it apply only to the
 * steps a policy sends through a central dispatcher (PSP_POLICY_CENTRAL_*).
 */
#ifndef PSP_SIM_SYSTEM_H
#define PSP_SIM_SYSTEM_H

#include <stdbool.h>
#include <stdint.h>

#include <psp/err.h>
#include <psp/policy.h>

enum sim_sysdist_kind {
	SIM_SYSDIST_NONE = 0, /* the part is absent: always 0, never drawn */
	SIM_SYSDIST_CONSTANT,
	SIM_SYSDIST_EXPONENTIAL,
	SIM_SYSDIST_LOGNORMAL,
	SIM_SYSDIST_EMPIRICAL,
};

#define SIM_SYSDIST_MAX_POINTS 64u
/* The largest delay or cost a part may have or draw: 1 s (a draw beyond it
 * is cut to it), so that no draw can run the simulated clock far. */
#define SIM_SYSDIST_MAX_US 1e6

struct sim_sysdist {
	enum sim_sysdist_kind kind;
	double mean_us; /* constant, exponential, lognormal */
	double sigma;   /* lognormal: of the underlying normal */
	/* empirical: the inverse CDF through npoints (q, us) points, q from 0
	 * to 1 increasing, us non-decreasing; linear between points */
	uint32_t npoints;
	double q[SIM_SYSDIST_MAX_POINTS], us[SIM_SYSDIST_MAX_POINTS];
};

/* A per-policy override of the preemption parts (preemption.<policy>). */
struct sim_system_preempt {
	const struct psp_policy_ops *policy; /* NULL: the default for every policy */
	struct sim_sysdist cost, signal;
};

#define SIM_SYSTEM_MAX_PREEMPT 8u

struct sim_system {
	char name[64];
	char description[256];
	char path[512];
	uint64_t hash;      /* FNV-1a 64 of the file's bytes */
	char hash_text[9];  /* its first 8 hex digits: the short hash printed */
	uint32_t workers;   /* workers.count; 0: not given */
	double park_after_us; /* workers.park_after_us; < 0: workers never park */
	struct sim_sysdist wakeup;
	struct sim_sysdist disp_arrival, disp_dispatch, disp_completion;
	struct sim_sysdist handoff, notice, network;
	uint32_t npreempt;  /* [0] is the default (policy NULL) */
	struct sim_system_preempt preempt[SIM_SYSTEM_MAX_PREEMPT];
};

/* Reads the system file path into sys, strictly: errors name the file's
 * line and column and the key (dispatcher.dispatch.mean_us), like the
 * workload loader's.  Returns 0 or a negative errno with err set. */
int sim_system_load(const char *path, struct sim_system *sys, struct psp_err *err);

/* The preemption parts for policy ops (its override, else the default). */
const struct sim_system_preempt *sim_system_preempt_for(const struct sim_system *sys,
							const struct psp_policy_ops *ops);

/* A part's mean, us (0 when absent). */
double sim_sysdist_mean_us(const struct sim_sysdist *d);

/* The system's random stream: its own, so that a system never moves the
 * arrivals or service times a run draws. */
struct sim_sysrng {
	uint64_t s[4];
};

void sim_sysrng_seed(struct sim_sysrng *r, uint64_t seed);

/* One draw of d in ns (0 for an absent part, without drawing). */
uint64_t sim_sysdist_draw_ns(const struct sim_sysdist *d, struct sim_sysrng *r);

static inline bool sim_sysdist_given(const struct sim_sysdist *d)
{
	return d->kind != SIM_SYSDIST_NONE;
}

#endif
