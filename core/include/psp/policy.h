/* The policy core's one interface: an ops table every scheduling policy
 * implements and that both psp-sim and psp-engine's dispatcher host.
 *
 * The host owns the requests and the workers; the policy owns the queues and
 * knows which workers are idle.  Every call passes the current time in
 * nanoseconds: policies never read a clock, never draw a random number
 * (randomness comes from the host, psp_policy_conf_set_rand) and never
 * allocate after create.
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
 * A model-only bound (PSP_POLICY_MODEL_ONLY: srpt, psjf, ps, fb) has no
 * workers to hand requests to: it is the whole server, W cores it shares
 * among the requests it holds at rates it chooses, knowing their sizes.  Its
 * host calls enqueue() at arrivals and, instead of dispatch() and complete(),
 *
 *     after every event:  n = psp_policy_advance(p, now, done, cap)
 *                         record done[0..n-1] as finished at now
 *                         next event at psp_policy_next_ns(p)
 *
 * Worker slots: a worker holds up to `slots` requests (k, a per-policy knob,
 * 1 for most policies).  Each dispatch that names a worker takes one of its
 * slots; the host keeps the requests a worker was given in a FIFO and runs
 * them one after another in the order assigned (the head runs); complete()
 * names the worker whose running request stopped and frees one slot.  A
 * worker is idle when it holds nothing.  Hosts read occupancy through the
 * accessors at the end of this file, not through the struct's fields.
 *
 * The calls are not thread-safe: one thread (the dispatcher) makes them all.
 */
#ifndef PSP_POLICY_H
#define PSP_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psp/err.h>
#include <psp/param.h>
#include <psp/req.h>

struct psp_policy;
struct psp_darc_plan;
struct psp_fluid_ops; /* the library's: a model-only bound's server hooks */

/* Slots a worker can hold at most, whatever the policy. */
#define PSP_MAX_SLOTS 64u

/* One decision of dispatch(): append req to worker's FIFO.  slice_ns > 0 asks
 * the host to preempt the request after that much run time (time sharing); 0
 * means run to completion.  setup_ns is modelled worker time spent before the
 * request starts (a work-stealing policy's steal cost): a simulator charges
 * it, a real host pays its own and ignores it. */
struct psp_assign {
	struct psp_req *req;
	uint32_t worker;
	bool stolen;       /* taken from another worker's queue (ws) */
	uint64_t slice_ns;
	uint64_t setup_ns;
};

/* Called by DARC each time it installs a reservation (including the first).
 * Runs on the caller's thread, inside dispatch() or complete(). */
typedef void (*psp_reservation_fn)(void *ctx, uint64_t now_ns,
				   const struct psp_darc_plan *plan);

/* A policy's configuration: workers, types, the host's hooks and every
 * knob's value.  Opaque: the library creates and sizes it, so that a new
 * knob or policy changes no layout a host was built against.  Knobs are set
 * by name (psp_policy_conf_set, or psp_param_set/psp_param_apply with the
 * descriptors of param.h) and read back as text (psp_policy_conf_get). */
struct psp_policy_conf;

/* A configuration for nworkers and ntypes (checked by psp_policy_create:
 * 1..PSP_MAX_WORKERS, 1..PSP_MAX_TYPES) with every knob at its default, no
 * type means or ratios, no hooks.  NULL when out of memory. */
struct psp_policy_conf *psp_policy_conf_new(uint32_t nworkers, uint32_t ntypes);
/* A copy of conf (its knobs, types and hooks); NULL when out of memory. */
struct psp_policy_conf *psp_policy_conf_dup(const struct psp_policy_conf *conf);
/* Frees conf; NULL is ignored. */
void psp_policy_conf_free(struct psp_policy_conf *conf);

/* Sets the knob called name (with '_' or '-' between words) to value, in
 * the knob's unit, with what it implies (reserve sets darc_mode static).
 * Returns 0, or -EINVAL with err naming the knob and the reason (unknown
 * knob, what it accepts). */
int psp_policy_conf_set(struct psp_policy_conf *conf, const char *name, const char *value,
			struct psp_err *err);
/* Writes the value of the knob called name, in its unit, into buf and
 * returns buf; NULL when there is no such knob. */
const char *psp_policy_conf_get(const struct psp_policy_conf *conf, const char *name,
				char *buf, size_t cap);

uint32_t psp_policy_conf_workers(const struct psp_policy_conf *conf);
uint32_t psp_policy_conf_types(const struct psp_policy_conf *conf);
void psp_policy_conf_set_workers(struct psp_policy_conf *conf, uint32_t nworkers);
void psp_policy_conf_set_types(struct psp_policy_conf *conf, uint32_t ntypes);

/* Type t's nominal mean service time and share of arrivals, from the
 * workload or config (0 = not known: DARC oracle/static and SJF need the
 * means; TS per-type starts from them), and its name for descriptions
 * (may be NULL; the string must outlive the policies made from conf).
 * Returns 0, or -EINVAL when t >= PSP_MAX_TYPES. */
int psp_policy_conf_set_type(struct psp_policy_conf *conf, uint32_t t, const char *name,
			     uint64_t mean_ns, double ratio);
uint64_t psp_policy_conf_type_mean_ns(const struct psp_policy_conf *conf, uint32_t t);
double psp_policy_conf_type_ratio(const struct psp_policy_conf *conf, uint32_t t);

/* Randomness from the host (d-FCFS and ws random placement).  Required
 * only by policies that draw; rand_u64 returns a uniform 64-bit value. */
void psp_policy_conf_set_rand(struct psp_policy_conf *conf, uint64_t (*rand_u64)(void *ctx),
			      void *ctx);
/* Called when DARC installs a reservation; fn may be NULL. */
void psp_policy_conf_set_on_reservation(struct psp_policy_conf *conf, psp_reservation_fn fn,
					void *ctx);

/* What a policy is, for hosts, documentation and the theory tests. */
enum {
	/* Never leaves a worker idle while a request waits, anywhere (with
	 * one slot and zero modelled costs). */
	PSP_POLICY_WORK_CONSERVING = 1u << 0,
	/* Dispatches with slice_ns > 0: requests are preempted and resumed. */
	PSP_POLICY_PREEMPTIVE = 1u << 1,
	/* Reads the nominal type means (psp_policy_conf_set_type): required by sjf
	 * and by darc's oracle and static modes. */
	PSP_POLICY_USES_MEANS = 1u << 2,
	/* Preemption is timed by the worker itself, from slice_ns, among the
	 * requests it holds: no tick, no signal from the dispatcher. */
	PSP_POLICY_WORKER_TIMED = 1u << 3,
	/* Preempting a request that would be left alone (nothing queued in
	 * the policy, its worker holding nothing else) hands it straight back
	 * to an idle worker with a fresh slice, and which idle worker cannot
	 * change any later decision: when preemption and hand-off are free, a
	 * host may let it run on instead (psp-sim does).  The stints it
	 * reports through complete() are then the merged ones. */
	PSP_POLICY_PREEMPT_ALONE_IS_NOOP = 1u << 4,
	/* May run a profiling phase before its first plan (DARC's dynamic
	 * modes): while psp_policy_profiling() says so, its decisions are
	 * not the policy's own, and a host keeps that phase out of what it
	 * measures. */
	PSP_POLICY_LEARNS = 1u << 5,
	/* Which steps pass a central dispatcher in the system the policy
	 * models.  ARRIVALS: the dispatcher places each arrival (a central
	 * queue, JSQ, DARC); without it the NIC places requests (RSS: d-FCFS,
	 * work stealing) and no dispatcher exists.  REQUEUE: a preempted
	 * request goes back through the dispatcher (ts, concord); without it
	 * a preempted request stays on its worker (tq).  A host that models a
	 * dispatcher's cost charges it for these steps only. */
	PSP_POLICY_CENTRAL_ARRIVALS = 1u << 6,
	PSP_POLICY_CENTRAL_REQUEUE = 1u << 7,
	/* Reserves cores for groups of types (DARC): calls the conf's
	 * on_reservation hook at each reservation, and describe() writes the
	 * reservation in force. */
	PSP_POLICY_RESERVES = 1u << 8,
	/* A reference bound, not a dispatcher: it knows each request's size
	 * (service_ns) in advance, or serves requests at fractional rates (a
	 * fluid model), or both.  It serves the requests itself
	 * (psp_policy_advance, psp_policy_next_ns) and never assigns workers;
	 * psp-sim hosts it, psp-engine refuses it. */
	PSP_POLICY_MODEL_ONLY = 1u << 9,
};

struct psp_policy_props {
	uint32_t flags;          /* PSP_POLICY_* */
	uint32_t default_slots;  /* slots when conf.slots is 0 */
	uint32_t max_slots;      /* 1..PSP_MAX_SLOTS; 1: one request per worker */
	const char *model;       /* one sentence: the queueing model */
};

/* The hooks a policy implements.  The psp_policy_* wrappers below check the
 * arguments common to all policies and call these. */
struct psp_policy_ops {
	const char *name;    /* canonical name, e.g. "cfcfs" */
	const char *aliases; /* comma-separated, e.g. "c-fcfs,c_fcfs"; may be "" */
	const char *summary; /* one line for --list */
	struct psp_policy_props props;
	/* The knobs it reads, NULL-terminated (slots only when max_slots > 1). */
	const struct psp_param *const *params;

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
	 * ran_ns is the run time the host measured for this stint.  One slot
	 * of the worker is free afterwards (the wrapper has updated the
	 * occupancy); the worker goes on with the next request it holds, if
	 * any.  Mandatory. */
	void (*complete)(struct psp_policy *p, uint32_t worker, struct psp_req *r,
			 uint64_t ran_ns, bool finished, uint64_t now_ns);

	/* Pairs queued requests with workers that have a free slot: writes at
	 * most cap assignments to out and returns how many (a worker may be
	 * named several times, up to its free slots).  Every request written
	 * is off the policy's queues.  A host passes cap >= workers x slots,
	 * or calls again while it gets cap back.  Mandatory. */
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

	/* Completions the policy still profiles before its first plan
	 * (PSP_POLICY_LEARNS); 0 once it is in force.  May be NULL: the policy
	 * never profiles. */
	uint64_t (*profile_left)(const struct psp_policy *p);
};

/* The state every policy shares; private state follows in priv.  Kept by
 * the wrappers and assign_worker(); hosts use the accessors below, which
 * read the members before `ops` only: the members from `ops` on are the
 * library's and may change without notice. */
struct psp_policy {
	uint64_t idle_mask;   /* bit w set: worker w holds no request */
	uint64_t free_mask;   /* bit w set: worker w has a free slot */
	uint64_t queued;      /* requests held by the policy */
	uint64_t held;        /* requests held by workers (sum of outstanding) */
	uint32_t slots;       /* the conf's slots, or the policy's default */
	uint8_t outstanding[PSP_MAX_WORKERS]; /* requests worker w holds */
	const struct psp_policy_ops *ops;
	/* The library's: */
	struct psp_policy_conf *conf; /* the policy's own copy */
	uint32_t nworkers, ntypes;
	uint64_t last_now_ns; /* time must not go backwards */
	void *priv;
	/* A model-only bound's server hooks (set by its init), else NULL. */
	const struct psp_fluid_ops *fluid;
};

extern const struct psp_policy_ops psp_cfcfs_ops, psp_dfcfs_ops, psp_darc_ops,
	psp_ts_ops, psp_sjf_ops, psp_jbsq_ops, psp_ws_ops, psp_tq_ops, psp_concord_ops,
	psp_rts_ops;
/* The model-only bounds (PSP_POLICY_MODEL_ONLY). */
extern const struct psp_policy_ops psp_srpt_ops, psp_psjf_ops, psp_ps_ops, psp_fb_ops;

/* The policy table (the registry): psp_policy_at(i) for i = 0, 1, ... until
 * NULL, in --list order.  A function, not an exported array, so that a new
 * policy changes no size a host was built against. */
const struct psp_policy_ops *psp_policy_at(size_t i);

/* Finds a policy by canonical name or alias (case-insensitive).  Returns
 * NULL when unknown. */
const struct psp_policy_ops *psp_policy_find(const char *name);

/* Does ops read prm? */
bool psp_policy_has_param(const struct psp_policy_ops *ops, const struct psp_param *prm);

/* The slots a policy created from ops with conf would use (conf->slots, or
 * the policy's default when 0). */
uint32_t psp_policy_conf_slots(const struct psp_policy_ops *ops,
			       const struct psp_policy_conf *conf);

/* Allocates and initialises a policy.  Checks the shared limits (workers,
 * types, slots in 1..the policy's max_slots) then calls ops->init.  Returns NULL with err filled on failure.
 * Allocates: call at set-up, not on the hot path. */
struct psp_policy *psp_policy_create(const struct psp_policy_ops *ops,
				     const struct psp_policy_conf *conf,
				     struct psp_err *err);
/* Frees p.  p may be NULL.  Requests still queued are the host's. */
void psp_policy_destroy(struct psp_policy *p);

/* Hot-path wrappers: check time monotonicity, worker ids and the request's
 * type, keep the occupancy and queued counts, then call the hook.  A broken
 * precondition (complete() on a worker that holds nothing) aborts through
 * PSP_CHECK. */
void psp_policy_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns);
void psp_policy_complete(struct psp_policy *p, uint32_t worker, struct psp_req *r,
			 uint64_t ran_ns, bool finished, uint64_t now_ns);
size_t psp_policy_dispatch(struct psp_policy *p, uint64_t now_ns,
			   struct psp_assign *out, size_t cap);
size_t psp_policy_tick(struct psp_policy *p, uint64_t now_ns, uint32_t *workers,
		       size_t cap);
void psp_policy_describe(const struct psp_policy *p, char *buf, size_t cap);

/* Model-only bounds (PSP_POLICY_MODEL_ONLY; abort through PSP_CHECK for any
 * other policy).  psp_policy_advance serves the requests p holds up to now
 * and writes to done, in the order they finished, at most cap of those whose
 * work is done by now (call again while it returns cap); each leaves the
 * policy.  A bound serves in real-valued time: a request that finishes
 * between two nanoseconds is reported at the later one.  While the bound
 * holds a request, the request's remaining_ns is the bound's (its key).
 * psp_policy_next_ns is when the next request finishes or the shares change
 * if nothing arrives before (a nanosecond, rounded up; UINT64_MAX: nothing
 * held): the host calls psp_policy_advance then, or at the next arrival,
 * whichever comes first. */
size_t psp_policy_advance(struct psp_policy *p, uint64_t now_ns, struct psp_req **done,
			  size_t cap);
uint64_t psp_policy_next_ns(const struct psp_policy *p);
/* The most requests p can hold at once: a bound's pool (fb's groups), else
 * UINT64_MAX.  A host drops arrivals beyond it, as beyond its own limit. */
uint64_t psp_policy_max_held(const struct psp_policy *p);

/* True while p still profiles before its first plan: its decisions so far
 * are a stand-in policy's (DARC dynamic runs c-FCFS until it has profiled
 * darc_samples completions).  False for policies that never learn. */
bool psp_policy_profiling(const struct psp_policy *p);

/* The completions p still needs before its first plan (0: none). */
uint64_t psp_policy_profile_left(const struct psp_policy *p);

/* Occupancy, for hosts. */
static inline bool psp_policy_worker_idle(const struct psp_policy *p, uint32_t w)
{
	return (p->idle_mask >> w) & 1u;
}

/* Requests worker w holds (the running one and those waiting behind it). */
static inline uint32_t psp_policy_worker_held(const struct psp_policy *p, uint32_t w)
{
	return p->outstanding[w];
}

/* Bit w set: worker w holds no request. */
static inline uint64_t psp_policy_idle_workers(const struct psp_policy *p)
{
	return p->idle_mask;
}

static inline uint32_t psp_policy_slots(const struct psp_policy *p)
{
	return p->slots;
}

/* Requests queued in the policy (not yet given to a worker). */
static inline uint64_t psp_policy_queued(const struct psp_policy *p)
{
	return p->queued;
}

/* Requests held by workers, running or waiting in their FIFOs. */
static inline uint64_t psp_policy_held(const struct psp_policy *p)
{
	return p->held;
}

#endif
