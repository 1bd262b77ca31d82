/* The policy core's one interface: an ops table every scheduling policy
 * implements and that both psp-sim and psp-engine's dispatcher host.
 *
 * The host owns the requests and the workers; the policy owns the queues and
 * knows which workers are idle.  Every call passes the current time in
 * nanoseconds: policies never read a clock, never draw a random number
 * (randomness comes from conf->rand_u64) and never allocate after create.
 *
 * The host's loop, in the simulator and on the dispatcher lcore alike:
 *
 *     on arrival:     psp_policy_enqueue(p, req, now)
 *     on completion:  psp_policy_complete(p, worker, req, service, true, now)
 *     on preemption:  psp_policy_complete(p, worker, req, ran, false, now)
 *     then:           n = psp_policy_dispatch(p, now, assign, cap)
 *                     start assign[0..n-1] on their workers
 *     periodically:   psp_policy_tick(p, now, workers, cap) -> preempt them
 *
 * A worker is busy from the dispatch that names it until the complete()
 * that frees it, and runs one request at a time.  The calls are not
 * thread-safe: one thread (the dispatcher) makes them all.
 */
#ifndef PSP_POLICY_H
#define PSP_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psp/err.h>
#include <psp/req.h>

struct psp_policy;
struct psp_darc_plan;

/* One decision of dispatch(): run req on worker.  slice_ns > 0 asks the host
 * to preempt the request after that much run time (time sharing); 0 means
 * run to completion. */
struct psp_assign {
	struct psp_req *req;
	uint32_t worker;
	uint64_t slice_ns;
};

enum psp_dfcfs_placement {
	PSP_DFCFS_ROUND_ROBIN = 0,
	PSP_DFCFS_RANDOM,
};

enum psp_ts_variant {
	PSP_TS_SINGLE_QUEUE = 0, /* one central FIFO, preempted to the tail */
	PSP_TS_PER_TYPE,         /* one FIFO per type, serve max wait/SLO */
};

enum psp_darc_mode {
	PSP_DARC_DYNAMIC = 0, /* c-FCFS until profiled, then reserve */
	PSP_DARC_ORACLE,      /* first reservation from the configured means */
	PSP_DARC_STATIC,      /* SHORT reserves [0,k), LONG owns [k,W) */
};

/* Called by DARC each time it installs a reservation (including the first).
 * Runs on the caller's thread, inside dispatch() or complete(). */
typedef void (*psp_reservation_fn)(void *ctx, uint64_t now_ns,
				   const struct psp_darc_plan *plan);

struct psp_policy_conf {
	uint32_t nworkers; /* 1..PSP_MAX_WORKERS */
	uint32_t ntypes;   /* 1..PSP_MAX_TYPES */
	/* Per type: nominal mean service time and share of arrivals, from the
	 * workload or config.  0 = not known.  DARC oracle/static and SJF need
	 * the means; TS per-type starts from them. */
	uint64_t type_mean_ns[PSP_MAX_TYPES];
	double type_ratio[PSP_MAX_TYPES];
	const char *type_name[PSP_MAX_TYPES]; /* for descriptions; may be NULL */

	/* Randomness from the host (d-FCFS random placement).  Required only
	 * by policies that draw; returns a uniform 64-bit value. */
	uint64_t (*rand_u64)(void *ctx);
	void *rand_ctx;

	enum psp_dfcfs_placement dfcfs_placement;

	uint64_t ts_quantum_ns; /* > 0 for ts */
	enum psp_ts_variant ts_variant;
	double ts_slo_factor;   /* per-type SLO = factor x type mean; default 10 */

	enum psp_darc_mode darc_mode;
	uint32_t darc_reserve;     /* static mode: k short cores, 0..nworkers-1 */
	bool darc_no_steal;        /* disable stealing (for theory tests) */
	uint64_t darc_min_samples; /* completions before (re)profiling; default 50000 */
	double darc_delta;         /* grouping tolerance; default 0.2 */
	double darc_demand_change; /* re-reserve threshold; default 0.1 */
	psp_reservation_fn on_reservation; /* may be NULL */
	void *on_reservation_ctx;
};

/* Fills conf with the defaults above for nworkers and ntypes (and zero
 * means/ratios).  Cannot fail. */
void psp_policy_conf_default(struct psp_policy_conf *conf, uint32_t nworkers,
			     uint32_t ntypes);

/* The hooks a policy implements.  The psp_policy_* wrappers below check the
 * arguments common to all policies and call these. */
struct psp_policy_ops {
	const char *name;    /* canonical name, e.g. "cfcfs" */
	const char *aliases; /* comma-separated, e.g. "c-fcfs,c_fcfs"; may be "" */
	const char *summary; /* one line for --list */

	/* Bytes of private state this policy needs for conf (allocated and
	 * zeroed by psp_policy_create).  Mandatory. */
	size_t (*state_size)(const struct psp_policy_conf *conf);

	/* Validates conf and sets up the state.  Returns 0, or a negative errno
	 * with err filled (key names the offending setting).  Mandatory. */
	int (*init)(struct psp_policy *p, struct psp_err *err);

	/* A new request arrives; the policy queues it.  (A preempted request
	 * comes back through complete(), never through enqueue.)  Mandatory. */
	void (*enqueue)(struct psp_policy *p, struct psp_req *r, uint64_t now_ns);

	/* worker stopped running r: finished, or preempted (finished == false,
	 * the request is handed back and must be re-queued by the policy).
	 * ran_ns is the run time the host measured for this stint.  The worker
	 * is idle afterwards.  Mandatory. */
	void (*complete)(struct psp_policy *p, uint32_t worker, struct psp_req *r,
			 uint64_t ran_ns, bool finished, uint64_t now_ns);

	/* Pairs queued requests with idle workers: writes at most cap
	 * assignments to out and returns how many.  Every request written is
	 * off the policy's queues and its worker is busy.  Mandatory. */
	size_t (*dispatch)(struct psp_policy *p, uint64_t now_ns,
			   struct psp_assign *out, size_t cap);

	/* Names busy workers whose request should be preempted now (time
	 * sharing on a polling host).  A worker is named at every tick until
	 * the host hands its request back through complete(), so a host that
	 * misses one tick still preempts; a host that signals a worker per name
	 * must remember it already did.  Writes at most cap worker ids; returns
	 * how many.  May be NULL: the policy never preempts. */
	size_t (*tick)(struct psp_policy *p, uint64_t now_ns, uint32_t *workers,
		       size_t cap);

	/* Writes a one-line human description of the policy's current state
	 * (e.g. DARC's reservation) into buf.  May be NULL. */
	void (*describe)(const struct psp_policy *p, char *buf, size_t cap);
};

/* The state every policy shares; private state follows in priv. */
struct psp_policy {
	const struct psp_policy_ops *ops;
	struct psp_policy_conf conf;
	uint64_t last_now_ns; /* time must not go backwards */
	uint64_t idle_mask;   /* bit w set: worker w idle (kept by the wrappers) */
	uint64_t queued;      /* requests held by the policy */
	void *priv;
};

extern const struct psp_policy_ops psp_cfcfs_ops, psp_dfcfs_ops, psp_darc_ops,
	psp_ts_ops, psp_sjf_ops;

/* The policy table, NULL-terminated, for lookups and --list. */
extern const struct psp_policy_ops *const psp_policies[];

/* Finds a policy by canonical name or alias (case-insensitive).  Returns
 * NULL when unknown. */
const struct psp_policy_ops *psp_policy_find(const char *name);

/* Allocates and initialises a policy.  Checks the shared limits (workers,
 * types) then calls ops->init.  Returns NULL with err filled on failure.
 * Allocates: call at set-up, not on the hot path. */
struct psp_policy *psp_policy_create(const struct psp_policy_ops *ops,
				     const struct psp_policy_conf *conf,
				     struct psp_err *err);
/* Frees p.  p may be NULL.  Requests still queued are the host's. */
void psp_policy_destroy(struct psp_policy *p);

/* Hot-path wrappers: check time monotonicity, worker ids and the request's
 * type, keep idle_mask and queued, then call the hook.  A broken
 * precondition aborts through PSP_CHECK. */
void psp_policy_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns);
void psp_policy_complete(struct psp_policy *p, uint32_t worker, struct psp_req *r,
			 uint64_t ran_ns, bool finished, uint64_t now_ns);
size_t psp_policy_dispatch(struct psp_policy *p, uint64_t now_ns,
			   struct psp_assign *out, size_t cap);
size_t psp_policy_tick(struct psp_policy *p, uint64_t now_ns, uint32_t *workers,
		       size_t cap);
void psp_policy_describe(const struct psp_policy *p, char *buf, size_t cap);

static inline bool psp_policy_worker_idle(const struct psp_policy *p, uint32_t w)
{
	return (p->idle_mask >> w) & 1u;
}

#endif
