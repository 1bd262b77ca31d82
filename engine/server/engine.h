/* psp-engine's run-time state: the dispatcher (main lcore) and the workers,
 * each with its own cache-aligned counters, split into read-only set-up and
 * results written by one lcore only (testpmd's fwd_stream layout).
 */
#ifndef PSP_ENGINE_ENGINE_H
#define PSP_ENGINE_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <psp/hist.h>
#include <psp/policy.h>
#include <psp/req.h>

#include "../common/frame.h"
#include "../common/idle.h"
#include "../common/rx_parse.h"
#include "../common/tsc.h"
#include "../common/wire.h"
#include "app.h"
#include "config.h"
#include "park.h"
#include "preemption.h"
#include "snapshot.h"
#include "trace.h"

/* Slot of the per-type arrays that holds PSP_TYPE_UNKNOWN requests. */
#define ENG_UNKNOWN_SLOT PSP_MAX_TYPES
#define ENG_TYPE_SLOTS (PSP_MAX_TYPES + 1u)
/* psp-engine's exit status when the application failed requests (app_failed). */
#define ENG_EXIT_APP_FAILED 3

static inline uint32_t eng_type_slot(uint32_t type)
{
	return type == PSP_TYPE_UNKNOWN ? ENG_UNKNOWN_SLOT : type;
}

/* Counters are written by one lcore and read by others (telemetry, the final
 * report): relaxed atomic stores keep that well defined at the cost of a
 * plain store on x86. */
static inline void stat_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static inline uint64_t stat_get(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

enum eng_req_status {
	ENG_REQ_ANSWERED = 1,
	ENG_REQ_TX_FAILED,
	ENG_REQ_PREEMPTED, /* yielded at a preemption point: back to the policy */
};

/* A request descriptor: the core's psp_req plus what the engine needs to run
 * and answer it.  From a pool sized by queues.requests; owned by the
 * dispatcher except between a worker-ring enqueue and the matching
 * completion, when the worker owns it. */
struct eng_req {
	struct psp_req req;
	struct rte_mbuf *m;
	struct psp_wire_req wire; /* host order */
	struct frame_ends ends;   /* reply addresses (already swapped) */
	uint64_t arrive_tsc;
	uint64_t seq; /* arrival sequence number among accepted requests: the trace id */
	/* This stint's, written by the worker; start_tsc is 0 from the dispatch
	 * until the worker starts it, and read by the dispatcher (atomics), with
	 * the stint's preemption token (stored before start_tsc, release). */
	uint64_t start_tsc, end_tsc;
	uint64_t ran_cycles;         /* the stints so far, summed (by the workers) */
	int app_rc;                  /* the handler's return: 0, or < 0 failed */
	uint32_t stint_token;
	uint32_t status;             /* enum eng_req_status, by the worker */
	/* For --trace only (kept by the dispatcher, except reply_tsc: the
	 * worker's): the first hand-off and first start, the reply's TX, and
	 * the stints that ended in a yield. */
	uint64_t first_dispatch_ns;
	uint64_t first_start_tsc;
	uint64_t reply_tsc;
	uint32_t preemptions;
	bool dispatched;
	uint8_t yield_worker; /* the worker of its last yield (preemptions > 0) */
	uint64_t yield_tsc;   /* the end of its last stint that yielded */
	/* Worker-timed slice (tq): the stint yields after this many TSC cycles
	 * of its own run time; 0: not timed by the worker.  Set at dispatch. */
	uint64_t slice_cycles;
	/* The handler's call: in the request rather than on a worker's stack,
	 * because a preempted request resumes on whichever worker the policy
	 * picks.  app is set once at set-up. */
	struct app_call call;
	const struct app *app;
	/* Its stack while it runs under a preemptive policy (from the
	 * dispatcher's pool), or NULL: not preemptible (other policies, or the
	 * pool was empty). */
	struct psp_task *task;
};

/* Where an lcore's time went, in TSC cycles, written by that lcore only
 * (stat_add) and read by others: work (handling requests: the dispatcher's
 * loop iterations that did something; a worker's from taking a request to
 * posting it back, reply included), spin (polling with nothing to do,
 * pausing, yielding) and parked (asleep: a parked worker's futex wait, the
 * dispatcher's usleep back-off; the CPU time parking itself takes
 * is spin).  Charged back to back from one TSC read
 * to the next, from start_tsc (the loop's start) on: the three add up to
 * the loop's run, end_tsc - start_tsc once it returned.  cpu_ns: the
 * thread's CPU time over the loop (CLOCK_THREAD_CPUTIME_ID), set when it
 * returned: parked time is not part of it. */
struct lcore_acct {
	uint64_t work, spin, parked;
	uint64_t start_tsc, end_tsc;
	uint64_t cpu_ns;
};

/* The thread's CPU time so far (ns). */
uint64_t eng_thread_cpu_ns(void);

/* An lcore's figures in ns (read while it runs: wall up to now). */
struct lcore_acct_ns {
	uint64_t work, spin, parked, wall, cpu;
};
struct tsc_clock;
void eng_acct_read(const struct lcore_acct *a, const struct tsc_clock *clk,
		   struct lcore_acct_ns *out);

/* Dispatcher results (main lcore writes, others read). */
struct disp_stats {
	uint64_t rx_total;
	uint64_t rx_verdict[RX_NVERDICTS]; /* RX_REQUEST counts valid requests */
	uint64_t rx_unknown_type;
	uint64_t arp_replied;
	uint64_t arp_tx_failed;
	uint64_t accepted;
	uint64_t dropped_queue_full;
	uint64_t answered;  /* completions with a reply sent */
	uint64_t tx_failed; /* completions whose reply could not be sent */
	uint64_t dropped_at_stop; /* in flight when drain_ms ran out at stop */
	uint64_t worker_ring_full;
	uint64_t idle_backoffs;
	uint64_t wakes[PSP_MAX_WORKERS]; /* parked workers woken by a dispatch, per worker */
	uint64_t ws_steals; /* assignments the policy took from another worker's queue */
	uint64_t accepted_type[ENG_TYPE_SLOTS];
	uint64_t answered_type[ENG_TYPE_SLOTS];
	uint64_t dropped_type[ENG_TYPE_SLOTS];
	/* preemptive policies (ts, concord, tq) */
	uint64_t preempted_type[ENG_TYPE_SLOTS]; /* stints that ended in a yield */
	uint64_t preempt_no_stack; /* requests run unpreemptible: the pool was empty */
	uint64_t preempt_signals;  /* flags set (psp_preempt_request calls) */
	/* From the dispatcher's flag store to the worker back on its own stack
	 * with the request's context saved (the stint's end_tsc): the signal
	 * round trip the engine can time, per preemption. */
	uint64_t preempt_lag_count;
	uint64_t preempt_lag_sum_ns;
	uint64_t preempt_lag_max_ns;
	/* A preempted request's way back: from its yield (the stint's end on
	 * the worker) to its next stint's start, through the done ring, the
	 * policy and the in ring; and how often the next stint ran on another
	 * worker than the one it yielded on. */
	uint64_t requeue_count;
	uint64_t requeue_sum_ns;
	uint64_t requeue_max_ns;
	uint64_t requeue_migrated;
} __attribute__((aligned(64)));

/* psp-engine --profile: where the dispatcher's cycles go.  Each loop
 * iteration that did work adds its phases; one that did none adds its whole
 * time to DISP_PH_IDLE. */
enum disp_phase {
	DISP_PH_RX,       /* rte_eth_rx_burst */
	DISP_PH_PARSE,    /* rx_parse: Ethernet/IPv4/UDP/payload checks (ARP too) */
	DISP_PH_CLASSIFY, /* wire id -> type, descriptor taken and filled */
	DISP_PH_ENQUEUE,  /* psp_policy_enqueue */
	DISP_PH_COMPLETE, /* done rings drained, psp_policy_complete, descriptors freed */
	DISP_PH_DISPATCH, /* psp_policy_dispatch */
	DISP_PH_HANDOFF,  /* assignments onto the workers' rings (stacks taken) */
	DISP_PH_TICK,     /* preemption tick or waiting hints, idle back-off, loop */
	DISP_PH_IDLE,     /* iterations without work */
	DISP_NPHASES
};

struct disp_profile {
	uint64_t cycles[DISP_NPHASES];
	uint64_t iter[DISP_NPHASES]; /* the current iteration's, folded at its end */
	uint64_t t;                  /* TSC at the last mark */
	uint64_t start_tsc, end_tsc; /* the dispatcher loop's run */
	uint64_t marks;              /* TSC reads the profile made in busy iterations */
	uint64_t iter_marks;         /* ... in the current one */
	uint64_t busy_iters;         /* loop iterations that did work */
	double mark_cycles;          /* the cost of one mark, measured at start (last: kept
				      * when the rest is zeroed) */
};

struct worker {
	/* Runs the worker's preemptible requests; its first cache line is the
	 * preemption flag the dispatcher sets (initialised at set-up, before
	 * launch, so no flag store can race with the initialisation). */
	struct psp_exec exec;
	/* set-up, read-only once launched */
	uint32_t id;
	uint32_t lcore;
	uint16_t port_id, txq;
	/* dispatcher -> worker (SPSC): the requests the worker holds and has
	 * not started, in the order assigned; room for the policy's slots. */
	struct rte_ring *in;
	/* worker -> dispatcher (SPSC): stints ended (finished or preempted),
	 * in the order run; room for the slots too. */
	struct rte_ring *done;
	const struct app *app;
	const struct tsc_clock *clk;
	const struct idle_conf *idle;
	/* The idle mode (park.h): park spins park_after_cycles, then sleeps
	 * on park (the engine's line for this worker). */
	enum idle_mode idle_mode;
	enum idle_mode reserved_mode; /* while park->reserved (DARC) */
	enum pause_kind pause;
	uint64_t park_after_cycles;
	struct park_word *park;
	uint32_t tx_retries;
	/* preempt.timer: worker (ts, concord): "another request waits for this
	 * worker", the dispatcher's hint a slice past its quantum yields on;
	 * NULL otherwise (tq: yield at every quantum). */
	const _Atomic uint32_t *waiting;
	atomic_bool stop;
	/* results, written by this worker only */
	struct {
		uint64_t handled;
		uint64_t handled_unknown; /* PSP_TYPE_UNKNOWN requests run here */
		uint64_t app_failed; /* requests the application failed (handler < 0) */
		uint64_t answered;
		uint64_t tx_failed;
		uint64_t tx_retried;
		uint64_t busy_cycles;
		uint64_t idle_backoffs;
		/* Parks that slept until a waker (the dispatcher or the stop)
		 * ended them, and parks cancelled because the re-check found a
		 * request. */
		uint64_t parks;
		uint64_t parks_reserved; /* of parks, while reserved by DARC */
		uint64_t parks_cancelled;
		struct lcore_acct acct;
		/* Stint starts with the next request already in the ring when
		 * the previous stint ended, and starts after polling an empty
		 * ring (the first start, and every start after an idle spell);
		 * wait_cycles: the time from the previous stint's end to those. */
		uint64_t starts_back_to_back;
		uint64_t starts_after_wait;
		uint64_t wait_cycles;
		/* Worker-timed stints whose prepare hook (worker.c) found
		 * the next request in the ring and prefetched it. */
		uint64_t prepared;
	} __attribute__((aligned(64))) st;
	uint32_t next_token; /* the next stint's preemption token (this worker's) */
	/* Server-side latency (RX to reply TX) and measured service time (the
	 * handler's run time over all stints) per type slot; allocated. */
	struct psp_hist *lat;
	struct psp_hist *svc;
	/* Wake-up latency: from the dispatcher's wake (park_word.wake_tsc) to
	 * the start of the first stint after it (ns); allocated. */
	struct psp_hist *wake;
} __attribute__((aligned(64)));

struct engine {
	struct eng_config cfg;
	struct tsc_clock clk;
	uint16_t port_id;
	bool port_started;
	uint16_t nb_rxq; /* RX queues the dispatcher polls (1 unless the PMD needs more) */
	struct rte_ether_addr mac;
	struct rte_mempool *pool;
	struct psp_policy *pol;
	struct app app;
	struct rx_filter filter;
	uint32_t type_by_wire_small[256]; /* wire id < 256 -> type; else the config */

	/* request descriptors: a LIFO of free ones (dispatcher only) */
	struct eng_req *reqs;
	struct eng_req **free_reqs;
	uint32_t nfree;

	struct worker *workers; /* cfg.nworkers */
	struct psp_assign *assign;

	struct disp_stats st;
	struct lcore_acct disp_acct; /* the dispatcher lcore's time */
	bool profile;            /* --profile: prof is kept */
	struct disp_profile prof;
	/* From the policy's properties: PSP_POLICY_PREEMPTIVE (requests run
	 * on their own stacks), PSP_POLICY_WORKER_TIMED (the worker times its
	 * slices), and whether the dispatcher times them (tick + flags). */
	bool preemptive;
	bool worker_timed;
	bool ticked;
	bool hinted; /* worker-timed slices yield only on the waiting hint */
	/* Per worker, the hint (its own line: the worker reads it at every
	 * preemption point past its quantum; the dispatcher writes it only
	 * when it changes), and the dispatcher's copy of what it last wrote. */
	struct {
		_Alignas(64) _Atomic uint32_t waiting;
	} hint[PSP_MAX_WORKERS];
	uint8_t hint_shadow[PSP_MAX_WORKERS];
	/* Per worker, its park word (park.h); parking: any worker may park,
	 * so the dispatcher checks the words after a dispatch. */
	struct park_word park[PSP_MAX_WORKERS];
	bool parking;
	enum pause_kind pause;
	uint64_t stop_wakes; /* parked workers woken by the stop (main, after the dispatcher) */
	/* DARC: the wakes per group of types (a group is its set of types,
	 * the same across plans), and each worker's group in the current plan
	 * (ENG_NO_GROUP before the first plan).  Dispatcher only, read at
	 * stop. */
	struct eng_wake_group {
		uint32_t types;   /* bit t: type t */
		bool reserved;    /* its cores idle by reservation (not the longest group) */
		uint64_t wakes;
	} wake_group[PSP_MAX_TYPES];
	uint32_t nwake_groups;
	uint8_t worker_group[PSP_MAX_WORKERS];
	uint64_t wakes_unplanned; /* wakes before the first plan */
	uint32_t slots;          /* requests a worker may hold (the policy's) */
	uint64_t all_workers_mask; /* bit w for every worker: all idle */
	struct psp_task_pool tasks; /* the requests' stacks (dispatcher only) */
	/* Per worker, when the dispatcher last set its flag (TSC); 0 when not
	 * since its current stint was dispatched.  Kept here, not in struct
	 * worker, so the dispatcher writes none of a worker's lines. */
	uint64_t preempt_set_tsc[PSP_MAX_WORKERS];
	/* Per worker, the requests it holds in the order handed over (dispatcher
	 * only): the worker runs them in that order and posts their stints back
	 * in that order, so the head is the one running (or about to start). */
	struct eng_held {
		struct eng_req *r[PSP_MAX_SLOTS];
		uint32_t head, n;
	} held[PSP_MAX_WORKERS];
	uint64_t quantum_cycles; /* the time-sharing quantum in TSC cycles */
	/* "preemptions_<type>" per slot, the counters' names */
	char preempt_name[ENG_TYPE_SLOTS][ENG_NAME_MAX + 24];
	struct eng_outfile timeline; /* darc-timeline.csv (open under darc only) */
	/* Lines of the output files (stats.jsonl, darc-timeline.csv, --trace)
	 * that could not be written (a full disk): counted at stop. */
	uint64_t output_lost;
	struct eng_trace trace;  /* --trace: rec is NULL when not tracing */
	struct eng_stats_file {  /* --stats-ms: output_dir/stats.jsonl */
		bool running;
		_Atomic bool stop;
		uint32_t interval_ms;
		pthread_t thread;
		struct eng_outfile out;
		char path[600];
		struct eng_snap_reader reader;
		struct eng_type_snap *types; /* ENG_TYPE_SLOTS */
	} stats_file;
	uint32_t reservations;
	_Atomic uint32_t plan_seq; /* last_plan's seqlock: odd while it is written */
	char last_plan[512];
	uint32_t tx_queue_disp;  /* the dispatcher's TX queue (ARP replies) */
};

/* The dispatcher loop (main lcore): returns when quit is set and the
 * requests already accepted have been answered (or drain_ms passed). */
void eng_dispatcher_run(struct engine *e, const atomic_bool *quit);

/* Called once the workers have returned: drops and counts (dropped_at_stop,
 * per type) every request still in flight because drain_ms ran out, freeing
 * its mbuf and stack, so that the balance holds with nothing in flight and
 * the pools are full.  Returns how many. */
uint64_t eng_abandon_in_flight(struct engine *e);

/* Every request counted as dropped: refused (queue full), reply not sent,
 * or abandoned at stop. */
static inline uint64_t eng_dropped(const struct disp_stats *st)
{
	return stat_get(&st->dropped_queue_full) + stat_get(&st->tx_failed) +
	       stat_get(&st->dropped_at_stop);
}

/* Requests the application failed (answered with run_ns 0), summed over
 * the workers. */
static inline uint64_t eng_app_failed(const struct engine *e)
{
	uint64_t n = 0;
	for (uint32_t w = 0; w < e->cfg.nworkers; w++)
		n += stat_get(&e->workers[w].st.app_failed);
	return n;
}

/* DARC's last reservation as text, read consistently from another thread
 * (telemetry) while the dispatcher may replace it. */
void eng_plan_snapshot(const struct engine *e, char *buf, size_t cap);

/* A type slot's name: the configured type's, or "UNKNOWN". */
static inline const char *eng_type_name(const struct engine *e, uint32_t slot)
{
	return slot == ENG_UNKNOWN_SLOT ? "UNKNOWN" : e->cfg.types[slot].name;
}

/* Whether type slot s appears in reports: a configured type, or UNKNOWN once
 * any arrived. */
static inline bool eng_slot_reported(const struct engine *e, uint32_t s)
{
	return s < PSP_MAX_TYPES ? s < e->cfg.ntypes : stat_get(&e->st.accepted_type[s]) > 0;
}

/* The workers' histograms of type slot s merged into out: the latency
 * (RX to reply TX), or with service the measured service time. */
void eng_type_hist(const struct engine *e, uint32_t s, bool service, struct psp_hist *out);

/* Prints the --profile table: per phase ns and cycles per received request. */
void eng_profile_report(const struct engine *e, FILE *out);

/* The worker loop; arg is a struct worker.  Runs until w->stop. */
int eng_worker_main(void *arg);

/* Sets every worker's stop flag, wakes those parked (counted in
 * stop_wakes) and waits for the worker lcores to return. */
void eng_workers_stop(struct engine *e);

/* Builds the reply to r in place in r->m (Ethernet/IPv4/UDP, both checksums)
 * and echoes the request.  Cannot fail. */
void eng_reply_build(struct eng_req *r);

/* Requests currently held (in the policy or on a worker). */
static inline uint64_t eng_in_flight(const struct engine *e)
{
	return (uint64_t)e->cfg.requests - e->nfree;
}

/* Registers /psp/stats with DPDK telemetry.  Returns 0 or a negative errno. */
int eng_telemetry_register(struct engine *e);

/* The counters as name/value pairs, in report order: used by the final
 * report and by telemetry. Returns how many were written (at most cap). */
struct eng_counter {
	const char *name;
	uint64_t value;
};
#define ENG_MAX_COUNTERS 128u
size_t eng_counters(const struct engine *e, struct eng_counter *out, size_t cap);

/* Prints the final report: counters, the balance check, per-type counts and
 * server-side latency percentiles. */
void eng_report(const struct engine *e, FILE *out);

/* --trace: checks that path can be written (without touching it) and
 * allocates limit records, touching every page so that the memory is had
 * now (refused when the system does not have it available) rather than on
 * the dispatcher mid-run.  Returns 0 or a negative errno with err set. */
int eng_trace_prepare(struct engine *e, const char *path, uint64_t limit, struct psp_err *err);

/* Creates (truncates) the file, writes the header and starts the writer
 * thread: once the start can no longer be refused.  0 or a negative errno
 * with err set. */
int eng_trace_start(struct engine *e, struct psp_err *err);

/* A finished record: published to the writer thread. */
static inline void eng_trace_publish(struct engine *e, uint64_t seq,
				     const struct eng_trace_rec *rec)
{
	struct eng_trace_rec *to = &e->trace.rec[seq];
	*to = *rec;
	__atomic_store_n(&to->ready, 1, __ATOMIC_RELEASE);
}

/* Records r's fate (dispatcher only; r's fields are final).  A request past
 * the limit is not recorded. */
static inline void eng_trace_record(struct engine *e, const struct eng_req *r,
				    enum psp_trace_status status, uint32_t worker)
{
	if (__builtin_expect(r->seq >= e->trace.limit, 1)) /* limit is 0 when not tracing */
		return;
	eng_trace_publish(e, r->seq, &(struct eng_trace_rec){
		.arrive_tsc = r->arrive_tsc, .dispatch_ns = r->first_dispatch_ns,
		.start_tsc = r->first_start_tsc, .end_tsc = r->first_start_tsc ? r->end_tsc : 0,
		.reply_tsc = status == PSP_TRACE_ANSWERED ? r->reply_tsc : 0,
		.ran_cycles = r->ran_cycles, .preemptions = r->preemptions,
		.slot = (uint16_t)eng_type_slot(r->req.type), .worker = (uint8_t)worker,
		.status = (uint8_t)status, .dispatched = r->dispatched,
	});
}

/* Records a request dropped on arrival (every descriptor was held). */
static inline void eng_trace_record_drop(struct engine *e, uint64_t seq, uint64_t arrive_tsc,
					 uint32_t slot)
{
	if (__builtin_expect(seq >= e->trace.limit, 1))
		return;
	eng_trace_publish(e, seq, &(struct eng_trace_rec){
		.arrive_tsc = arrive_tsc, .slot = (uint16_t)slot,
		.status = PSP_TRACE_DROPPED_QUEUE_FULL,
	});
}

/* At stop, once every request has its fate: stops the writer thread, writes
 * the remaining records, closes the file and frees them; prints one line
 * saying what was written (or lost) to report.  Returns 0 or a negative
 * errno (rows could not be written). */
int eng_trace_finish(struct engine *e, FILE *report);

/* Stops the writer and frees everything without writing more (error paths). */
void eng_trace_close(struct engine *e);

/* Creates output_dir and its missing parents; 0 or a negative errno. */
int eng_output_dir_create(const struct engine *e);

/* --stats-ms N: starts the thread that appends a JSON line to
 * output_dir/stats.jsonl every N ms (stats_file.c); stop joins it, writes
 * a last line and closes the file.  Start returns 0 or a negative errno with
 * the reason in err; stop returns 0 or a negative errno when lines could
 * not be written, said on report (when not NULL) and counted in
 * output_lost. */
int eng_stats_file_start(struct engine *e, uint32_t interval_ms, struct psp_err *err);
int eng_stats_file_stop(struct engine *e, FILE *report);

#define ENG_NO_GROUP UINT8_MAX

/* A new DARC plan: each worker's group for the wake counts, and whether it
 * is reserved for a shorter group (its reserved_idle mode then applies). */
void eng_idle_on_plan(struct engine *e, const struct psp_darc_plan *plan);

/* on_reservation callback: appends the plan to darc-timeline.csv. */
void eng_timeline_on_reservation(void *ctx, uint64_t now_ns,
				 const struct psp_darc_plan *plan);
int eng_timeline_open(struct engine *e);
/* Closes darc-timeline.csv; with report, says on it when rows could not be
 * written (counted in output_lost).  0 or a negative errno. */
int eng_timeline_close(struct engine *e, FILE *report);

#endif
