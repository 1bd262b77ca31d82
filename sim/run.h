/* One simulation run: one policy, one workload, one load point. */
#ifndef PSP_SIM_RUN_H
#define PSP_SIM_RUN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <psp/darc.h>
#include <psp/hist.h>
#include <psp/policy.h>
#include <psp/workload.h>

struct sim_rep_stats;
struct sim_req;
struct sim_system;
struct sim_trace;

/* What a run needs besides the load: shared, read-only, by every run of a
 * sweep. */
struct sim_setup {
	const struct psp_workload *wl;
	const struct psp_policy_ops *policy;
	/* workers, types, policy knobs (the modelled costs preempt_cost_us
	 * and steal_cost_ns included: the run charges them); owned, freed by
	 * sim_setup_free */
	struct psp_policy_conf *conf;
	uint64_t requests;           /* arrivals per point (unphased workloads) */
	double phase_scale;          /* phased workloads: duration multiplier */
	double warmup;               /* fraction of arrivals (phased: of time) not
				      * measured; with detect_warmup, where the
				      * overload verdict's window starts (stability.h) */
	/* Unphased workloads: the measured window starts after the warm-up
	 * MSER-5 detects in the run's slowdowns (mser.h), not after warmup. */
	bool detect_warmup;
	/* > 0: batch means (cells.h): the measured window is cut into this many
	 * batches (at most SIM_MAX_BATCHES), each summarised as a replication
	 * is (sim_result.batch). */
	uint32_t batches;
	uint64_t dispatch_cost_ns;   /* serial dispatcher time per dispatch: the
				      * system's dispatcher.dispatch when it gives none
				      * (--dispatch-cost-ns, docs/system-model.md) */
	/* The machine under the policy (system.h), or NULL: the ideal one.
	 * Not owned. */
	const struct sim_system *system;
	uint64_t max_in_system;      /* arrivals beyond this many are dropped */
	uint64_t seed;
	bool timeline;               /* record DARC's reservations */
	uint64_t series_bin_ns;      /* > 0: per-type stats per time bin */
	atomic_uint_fast64_t *progress; /* requests completed, for the progress line; may be NULL */
	bool eager_preemption;       /* simulate every slice end as an event, even those
				      * that change nothing (run.c postpones them): tests */
	/* Replay this trace's arrivals, types and service times instead of
	 * sampling them (trace.h; wl is then the replay's one-phase workload,
	 * requests the trace's rows); NULL: sample. */
	const struct sim_trace *trace;
	/* Called with each request as it completes (--per-request), or NULL;
	 * on_dropped (with the same ctx) with the arrival number of each
	 * arrival dropped at max_in_system, which never completes. */
	void (*on_done)(void *ctx, const struct sim_req *r, uint64_t now_ns);
	void (*on_dropped)(void *ctx, uint64_t id);
	void *on_done_ctx;
};

/* One reservation DARC installed during the run. */
struct sim_reservation {
	uint64_t time_ns;
	struct psp_darc_plan plan;
};

/* Per-type p99.9 latency over one time bin (phased workloads). */
struct sim_series_row {
	uint64_t bin_start_ns;
	uint32_t type; /* type index, or ntypes for ALL */
	uint64_t count;
	uint64_t p50_ns, p99_ns, p999_ns;
};

struct sim_result {
	double load;
	uint64_t seed;
	double offered_rps, achieved_rps;
	bool overloaded;     /* a queue grows (stability.h), or arrivals were dropped */
	uint32_t growing_types;  /* bit t: type t's queue was seen growing, judged or not
				  * (stability.h); bit ntypes: all requests' */
	uint32_t judged_types;   /* bit t: the run was long enough to judge it */
	double growth_per_s[PSP_MAX_TYPES + 1]; /* fitted change of the number in system */
	uint64_t arrivals, completed, dropped, measured;
	uint64_t preemptions;     /* slice ends before a request finished */
	uint64_t preempt_postponed; /* of which run past without an event: nothing waited */
	uint64_t steals;     /* assignments taken from another worker's queue (ws) */
	uint64_t sim_ns;     /* simulated time of the last event */
	/* Accounting over the whole run (warm-up included, time 0 to the last
	 * event), for the conservation and Little's-law checks in
	 * tests/check_theory.c.  Exact integer sums. */
	uint64_t busy_ns;         /* worker time held: sum over stints of
				   * (finish or preempt event - assignment) */
	uint64_t work_done_ns;    /* service_ns of the completed requests */
	uint64_t sojourn_sum_ns;  /* latencies of the completed requests */
	uint64_t in_system_area;  /* integral of requests in the system dt (req x ns) */
	uint64_t idle_while_queued_ns; /* integral of min(idle workers, queued) dt:
					* 0 for a work-conserving policy */
	uint64_t measured_service_ns;  /* service_ns of the measured completions
					* (mean wait = mean latency - this / measured) */
	uint64_t events;
	/* CPU accounting over the whole run (setup->system given only): worker
	 * cores busy (a request's start after its hand-off and wake-up to its
	 * finish or preemption, preemption cost included), spinning (idle, not
	 * parked) and parked (idle past park_after, and waking); the central
	 * dispatcher's core, for policies that have one, is busy for its
	 * modelled costs and spins otherwise.  busy + spin + parked = cores x
	 * sim_ns exactly. */
	uint64_t cpu_busy_ns, cpu_spin_ns, cpu_parked_ns;
	uint64_t dispatcher_busy_ns;
	uint64_t wakeups;         /* starts of a parked worker */
	uint32_t cores;           /* workers, plus one for a central dispatcher */
	double wall_s;
	uint32_t ntypes;
	/* Index ntypes holds ALL (merged at the end of the run). */
	struct psp_hist *lat;  /* latency, ns */
	struct psp_hist *slow; /* slowdown x 1000 */
	char reservation[512]; /* DARC: the last one in force; else "" */
	uint32_t reservations;
	/* The measured window: the id of its first arrival (UINT64_MAX: none
	 * measured).  A learning policy's profile is kept out of it: it opens
	 * at the later of the warm-up and the first plan, installed when
	 * profiled_arrivals had arrived (0: the policy did not profile). */
	uint64_t window_first_id;
	uint64_t profiled_arrivals;
	uint64_t profiled_ns;
	/* The share of the run not measured: arrivals before window_first_id
	 * (phased workloads: the time before the window), profile included. */
	double warmup_fraction;
	/* detect_warmup: MSER-5 found its minimum before the middle of the
	 * series (else the run was too short to tell, and the fixed warmup
	 * fraction was cut instead); always true otherwise. */
	bool warmup_settled;
	/* setup->batches > 0: each batch's statistics, as a replication's. */
	struct sim_rep_stats *batch;
	uint32_t nbatches;
	struct sim_reservation *timeline; /* in the order installed */
	uint32_t ntimeline, cap_timeline;
	bool timeline_truncated; /* out of memory while recording it */
	struct sim_series_row *series;
	uint32_t nseries, cap_series;
};

/* A point must measure at least this many requests (after the warm-up):
 * fewer give no statistic worth printing (a p99 needs 100). */
#define SIM_MIN_MEASURED 100u
/* Arrivals per point: psp-sim simulates about 10 M requests/s, so 1e11 is
 * already hours per point and replication. */
#define SIM_MAX_REQUESTS 100000000000ull
/* Events per point (arrivals, completions, preemptions), for the same
 * reason. */
#define SIM_MAX_EVENTS 2e11

/* Refuses, before anything runs, a setup whose points at these loads would
 * measure fewer than SIM_MIN_MEASURED requests (a warm-up of nearly all
 * arrivals, phases too short for their rate), take more than
 * SIM_MAX_REQUESTS arrivals (phased) or SIM_MAX_EVENTS events (a quantum
 * far below the service times), or could run the simulated clock past
 * SIM_EVQ_MAX_TIME_NS (about 2.3 years; estimated from the arrivals, the
 * work they bring served one at a time, and the dispatch cost).  Returns 0
 * or -EINVAL with err saying which bound and why.  A run the estimate lets
 * through and whose clock still overflows (an extreme tail) stops with
 * -ERANGE rather than aborting. */
int sim_setup_check(const struct sim_setup *setup, const double *load, uint32_t nloads,
		    struct psp_err *err);
/* The same, also storing in *events (may be NULL) the events a point is
 * estimated to take at the highest load: two per arrival, plus one per
 * quantum of work under a preemptive policy. */
int sim_setup_check_events(const struct sim_setup *setup, const double *load, uint32_t nloads,
			   double *events, struct psp_err *err);

/* The modelled machine time one request may add, in ns, on average: the
 * dispatch cost and the system's parts' means (for the clock bound of
 * sim_setup_check). */
double sim_setup_machine_ns(const struct sim_setup *setup);

/* Fills setup with psp-sim's defaults for wl, ops and nworkers (1 M
 * requests, warm-up detected (0.1 of the time for phased workloads), seed 1, at most 10 M requests in the system) and
 * a policy configuration holding the first phase's nominal means and
 * ratios (a type absent from it gets no mean), as oracle/static DARC and
 * SJF need.  Callers override what they choose.  Returns 0, or -ENOMEM
 * (setup then holds no configuration).  Release with sim_setup_free. */
int sim_setup_default(struct sim_setup *setup, const struct psp_workload *wl,
		      const struct psp_policy_ops *ops, uint32_t nworkers);
/* Frees the setup's policy configuration; NULL-safe, idempotent. */
void sim_setup_free(struct sim_setup *setup);

/* The completions setup's policy profiles before its first plan
 * (PSP_POLICY_LEARNS, psp_policy_profile_left on a fresh policy); 0 when it
 * does not learn or refuses its configuration. */
uint64_t sim_setup_profile_left(const struct sim_setup *setup);

/* A knob's value in conf as the policies read it (quantum_us in ns). */
uint64_t sim_knob_stored(const struct psp_policy_conf *conf, const char *name);

/* Slowdowns are recorded in thousandths. */
#define SIM_SLOWDOWN_SCALE 1000.0

/* The seed of a load point: the sweep seed mixed with the load, so a point
 * gives the same result alone or in any sweep, and every policy sees the
 * same arrivals at the same load. */
uint64_t sim_point_seed(uint64_t seed, double load);

/* The seed of replication rep of a load point: the point's seed for
 * replication 0 (so one replication is the single run of earlier versions),
 * an independent mix of it for the others.  Depends on nothing else, so
 * results do not depend on --jobs. */
uint64_t sim_replication_seed(uint64_t seed, double load, uint32_t rep);

/* Runs replication rep of one point.  Returns 0, or a negative errno with
 * err filled (policy refused its configuration, out of memory).  res must
 * be released with sim_result_free. */
int sim_run_replication(const struct sim_setup *setup, double load, uint32_t rep,
			struct sim_result *res, struct psp_err *err);

/* Replication 0. */
int sim_run(const struct sim_setup *setup, double load, struct sim_result *res,
	    struct psp_err *err);

void sim_result_free(struct sim_result *res);

#endif
