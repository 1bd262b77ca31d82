/* Preemptible request execution for worker threads (time sharing in the
 * engine), in the style of Concord: cooperative, flag-polled preemption.
 *
 * Pieces:
 * - struct psp_task: one request's execution context, a stack from a pool
 *   mapped at init (guard page below each stack) plus its saved registers.
 * - struct psp_exec: one per worker thread.  It runs tasks (start, resume)
 *   and owns the worker's preemption flag, alone on its cache line.
 * - psp_preempt_point(): called by the running request; if its worker's flag
 *   is set, the request yields back to the worker, which gets
 *   PSP_TASK_YIELDED and hands the request back to the policy.
 * - psp_preempt_request(): the dispatcher sets a worker's flag once the
 *   worker's slice has run for the quantum (psp_policy_tick names it).
 *
 * The protocol between dispatcher and worker:
 *
 *     dispatcher                               worker w (its psp_exec)
 *     dispatch r to w (ring)       ---->       t = r's task
 *                                              psp_task_start/resume(e, t)
 *                                                clears e's flag, runs t
 *     tick names w: if (!pending(f))
 *                     psp_preempt_request(f)   t reaches psp_preempt_point():
 *                                                sees the flag, yields
 *                                              returns PSP_TASK_YIELDED
 *     complete(r, finished=false)  <----       post r back
 *     (the policy re-queues r; any worker may resume it later)
 *
 * The flag is cleared when a slice starts, so a request that arrives late
 * (for a slice that already ended) cannot preempt the next slice; one that
 * arrives early (before the worker started the slice) is lost, which is why
 * the dispatcher re-requests at every tick that names the worker while the
 * flag reads clear (psp_policy_tick names it until the request comes back).
 *
 * A worker that holds several requests runs them back to back, so a flag the
 * dispatcher sets for one slice could land in the next one.  Tokens prevent
 * that: the worker gives each slice a token (psp_exec_slice) and publishes it
 * with the slice's start; the dispatcher stores the token of the slice it
 * timed (psp_preempt_request_token), and a slice ignores (and clears) a flag
 * holding another slice's token.  psp_preempt_request stores
 * PSP_PREEMPT_ANY, which preempts whatever runs.
 *
 * Worker-timed slices (Tiny Quanta, Concord's rdtsc variant): the worker
 * sets a deadline with psp_exec_slice before the slice starts, and the slice
 * yields at the first preemption point past it; no flag is involved.  With
 * psp_exec_slice_waiting the yield also needs the host's hint that another
 * request waits: a slice alone in the system runs on, and one that passed its
 * deadline yields at the first point after the hint turns on.  No store from
 * another core sits between the deadline and the next request.  A slice without a deadline
 * pays nothing for the feature but a load of the flag's (own) line.  A worker
 * may also have a hook called shortly before each timed slice's deadline
 * (psp_exec_prepare), to bring in the next request's lines ahead of the yield.
 *
 * A request that never reaches a preemption point is simply not preempted:
 * it runs to completion and psp_task_start/resume returns PSP_TASK_FINISHED.
 *
 * Migration: a yielded task may be resumed by another thread's psp_exec.
 * Everything the task needs is on its own stack or in struct psp_task, and
 * the library re-reads "which worker am I on" after every switch.  Code that
 * runs inside a task must do the same with its own thread-local state: GCC
 * treats the thread pointer as constant within a function and may compute a
 * thread-local variable's address once and reuse it after a preemption point
 * (GCC bug 26461), i.e. on the old thread.  A compiler barrier does not stop
 * that.  Read thread-local state through a non-inlined function after a
 * preemption point (psp_preempt_point itself does so; see below).
 *
 * Threads: a psp_exec is used by one thread at a time; a task pool by one
 * thread at a time (the engine's dispatcher does all gets and puts);
 * psp_preempt_request/pending may be called from any thread.
 */
#ifndef PSP_PREEMPT_H
#define PSP_PREEMPT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PSP_PREEMPT_CACHE_LINE 64u

/* Task pool limits, checked by psp_task_pool_init. */
#define PSP_TASK_STACK_MIN_BYTES 4096u
#define PSP_TASK_STACK_MAX_BYTES (64u << 20)
#define PSP_TASK_POOL_MAX 65536u

/* A worker's preemption flag, alone on its cache line: the dispatcher writes
 * it (rarely), the worker's running request reads it (often), and no other
 * data shares the line, so the reads stay L1 hits until a request arrives. */
struct psp_preempt_flag {
	/* 0: nothing asked; PSP_PREEMPT_ANY: preempt whatever slice runs;
	 * PSP_PREEMPT_TIMED: the running slice is timed by the worker (set at
	 * its start, so the common path tests this one word only); any other
	 * value: preempt only the slice whose token it is (a request for a
	 * slice that already ended is stale and void). */
	_Alignas(PSP_PREEMPT_CACHE_LINE) _Atomic uint32_t requested;
	/* The worker's own, set before each start/resume (psp_exec_slice):
	 * the running slice's token, and, when timed is nonzero, the TSC at
	 * which the slice yields by itself (worker-timed time sharing). */
	uint32_t token;
	uint32_t timed;
	uint64_t deadline_tsc;
	/* A timed slice past its deadline yields only while *waiting is
	 * nonzero (NULL: always): the host's "another request waits for this
	 * worker", on a line the host writes only when it changes. */
	const _Atomic uint32_t *waiting;
	/* The timed path's one comparison: the TSC from which a point looks
	 * further, deadline_tsc - prepare_lead while the slice's prepare hook
	 * has not run yet, else deadline_tsc (set at each slice's start). */
	uint64_t check_tsc;
	/* The worker's prepare hook (psp_exec_prepare): NULL, or called once
	 * per timed slice, prepare_lead cycles before its deadline. */
	uint64_t prepare_lead;
	void (*prepare)(void *ctx);
	void *prepare_ctx;
};

/* The flag value that preempts any slice (psp_preempt_request). */
#define PSP_PREEMPT_ANY 1u
/* The flag value of a worker-timed slice with no request pending. */
#define PSP_PREEMPT_TIMED 0xffffffffu
/* Tokens a worker gives its slices are in [MIN, MAX] (0, ANY and TIMED are
 * taken). */
#define PSP_PREEMPT_TOKEN_MIN 2u
#define PSP_PREEMPT_TOKEN_MAX 0xfffffffeu

_Static_assert(sizeof(struct psp_preempt_flag) == PSP_PREEMPT_CACHE_LINE,
	       "the flag fills exactly one cache line");

enum psp_task_state {
	PSP_TASK_FREE = 0,  /* in the pool */
	PSP_TASK_READY,     /* taken from the pool, not started */
	PSP_TASK_RUNNING,   /* on some psp_exec right now */
	PSP_TASK_PREEMPTED, /* yielded; waits for psp_task_resume */
	PSP_TASK_DONE,      /* its function returned; put it back */
};

/* What psp_task_start / psp_task_resume return (or a negative errno). */
enum psp_task_result {
	PSP_TASK_FINISHED = 0, /* the function returned */
	PSP_TASK_YIELDED = 1,  /* it reached a preemption point with the flag set */
};

typedef void (*psp_task_fn)(void *arg);

struct psp_exec;
struct psp_task_pool;

/* A request's execution context.  Fields are the library's; read-only for
 * callers (state, preemptions are useful for counters and asserts). */
struct psp_task {
	void *sp;               /* saved context while not running */
	struct psp_exec *exec;  /* the executor running it, NULL otherwise */
	psp_task_fn fn;
	void *arg;
	uint32_t state;         /* enum psp_task_state */
	uint32_t preemptions;   /* yields since psp_task_start */
	void *stack_lo;         /* usable stack: [stack_lo, stack_lo + stack_bytes) */
	size_t stack_bytes;
	struct psp_task *next_free;
	struct psp_task_pool *pool;
	void *asan_fake_stack;  /* AddressSanitizer's, while suspended */
};

/* Fixed-size stacks mapped once at init: one mmap holds, per task, a
 * PROT_NONE guard page and the stack above it (stacks grow down, so an
 * overflow faults on the guard instead of writing the next task's stack). */
struct psp_task_pool {
	struct psp_task *tasks; /* ntasks descriptors */
	struct psp_task *free;  /* LIFO: the most recently used stack is warm */
	uint32_t ntasks;
	uint32_t nfree;
	size_t stack_bytes;     /* per task, a multiple of the page size */
	size_t guard_bytes;
	void *map;
	size_t map_bytes;
	uint64_t exhausted;     /* psp_task_get refusals */
};

struct psp_task_pool_conf {
	uint32_t ntasks;    /* 1..PSP_TASK_POOL_MAX */
	size_t stack_bytes; /* rounded up to pages; MIN..MAX above */
	bool prefault;      /* touch every stack page now: no page faults later */
};

/* A worker thread's executor.  Embed it in the worker's state (it is cache
 * aligned); the flag is on the first line, the worker's own fields after. */
struct psp_exec {
	struct psp_preempt_flag flag;
	_Alignas(PSP_PREEMPT_CACHE_LINE) void *sched_sp; /* the worker's context */
	struct psp_task *cur;       /* running task, NULL between slices */
	uint64_t slices;            /* start + resume calls that ran a task */
	uint64_t preemptions;       /* slices that ended in a yield */
	const void *asan_stack_bottom; /* the worker thread's own stack (ASan) */
	size_t asan_stack_size;
	void *asan_fake_stack;
};

static inline void psp_exec_slice_waiting(struct psp_exec *e, uint32_t token,
					  uint64_t deadline_tsc, const _Atomic uint32_t *waiting)
{
	e->flag.token = token;
	e->flag.timed = deadline_tsc != 0;
	e->flag.deadline_tsc = deadline_tsc;
	e->flag.waiting = waiting;
}

static inline void psp_exec_slice(struct psp_exec *e, uint32_t token, uint64_t deadline_tsc)
{
	psp_exec_slice_waiting(e, token, deadline_tsc, NULL);
}

static inline void psp_exec_prepare(struct psp_exec *e, uint64_t lead_cycles,
				    void (*prepare)(void *ctx), void *ctx)
{
	e->flag.prepare_lead = prepare ? lead_cycles : 0;
	e->flag.prepare = prepare;
	e->flag.prepare_ctx = ctx;
}

/* Maps the stacks and builds the descriptors: the only allocations the
 * library makes.  The tasks point back at pool, so it must not move (or be
 * copied) until psp_task_pool_fini.  Returns 0, -EINVAL (ntasks or stack_bytes out of range) or
 * -ENOMEM (mmap/mprotect/descriptor allocation failed; nothing is left
 * allocated). */
int psp_task_pool_init(struct psp_task_pool *pool,
		       const struct psp_task_pool_conf *conf);
/* Unmaps everything.  Tasks still taken or suspended are abandoned: their
 * stacks disappear, so no thread may be running one.  pool may be zeroed. */
void psp_task_pool_fini(struct psp_task_pool *pool);

/* Takes a stack: *out becomes a READY task.  Returns 0, or -ENOBUFS when every
 * task is in use (pool->exhausted counts these; the caller may run the
 * request unpreemptibly on its own stack instead).  Never allocates. */
int psp_task_get(struct psp_task_pool *pool, struct psp_task **out);
/* Returns a task that is READY, DONE or PREEMPTED (abandoned: its request is
 * dropped) to its pool.  Returns 0, or -EINVAL for a task that is running or
 * already free; the pool is then unchanged. */
int psp_task_put(struct psp_task_pool *pool, struct psp_task *t);

/* Prepares an executor for the calling thread's worker loop: flag clear, no
 * task.  Cannot fail. */
void psp_exec_init(struct psp_exec *e);

/* Runs fn(arg) on t (READY) on this thread until fn returns
 * (PSP_TASK_FINISHED, t is DONE) or yields at a preemption point
 * (PSP_TASK_YIELDED, t is PREEMPTED).  Clears e's flag first: a slice starts.
 * Returns -EINVAL if t is not READY, -EBUSY if e is already running a task
 * (called from inside a task). */
int psp_task_start(struct psp_exec *e, struct psp_task *t, psp_task_fn fn,
		   void *arg);
/* Continues a PREEMPTED task on this thread (any thread's executor, not only
 * the one it last ran on).  Returns as psp_task_start; -EINVAL if t is not
 * PREEMPTED, -EBUSY as above. */
int psp_task_resume(struct psp_exec *e, struct psp_task *t);

/* Dispatcher side: asks e's running slice to yield at its next preemption
 * point.  A relaxed store: the flag carries no data, and the worker's slice
 * start (which clears it) is ordered after the dispatch through the ring. */
static inline void psp_preempt_request(struct psp_preempt_flag *f)
{
	atomic_store_explicit(&f->requested, 1u, memory_order_relaxed);
}

/* Dispatcher side: asks e's slice whose token is token (see psp_exec_slice)
 * to yield; a slice with another token ignores it and clears it.  For a
 * worker that holds several requests: the dispatcher read the token of the
 * one it timed, and may store it after that one ended and the next began. */
static inline void psp_preempt_request_token(struct psp_preempt_flag *f, uint32_t token)
{
	atomic_store_explicit(&f->requested, token, memory_order_relaxed);
}

/* Whether a request is pending (not yet cleared by a slice start).  (A
 * worker-timed slice reads as pending: its flag holds PSP_PREEMPT_TIMED.) */
static inline bool psp_preempt_pending(const struct psp_preempt_flag *f)
{
	return atomic_load_explicit(&f->requested, memory_order_relaxed) != 0;
}

/* Worker side, before psp_task_start/resume on e: the next slice's token
 * (>= PSP_PREEMPT_TOKEN_MIN, or 0 when the caller uses no tokens) and its
 * deadline (TSC; 0: the slice is not timed by the worker, only the flag
 * preempts it).  Stays in effect until changed. */
static inline void psp_exec_slice(struct psp_exec *e, uint32_t token, uint64_t deadline_tsc);
/* The same, and a timed slice past its deadline yields only while *waiting
 * is nonzero (read at each preemption point past the deadline). */
static inline void psp_exec_slice_waiting(struct psp_exec *e, uint32_t token,
					  uint64_t deadline_tsc, const _Atomic uint32_t *waiting);

/* Worker side: a hook that prepares the worker's next slice while this one
 * still runs.  In each worker-timed slice (deadline set) on e, the first
 * preemption point at or after deadline - lead_cycles calls prepare(ctx),
 * once, on the running task's stack and before the point decides whether to
 * yield (a point already past the deadline calls it, then yields as usual;
 * a lead longer than the slice makes it the slice's first point).  Whether the slice then yields is unchanged: the deadline, the
 * waiting hint and the flag decide as without a hook.  Untimed slices, and
 * slices preempted by the flag before the lead point, never call it.
 * Meant for prefetching what the worker touches first after the yield (its
 * ring's next slot, that request's descriptor), lines another core wrote:
 * their transfer then overlaps the end of the slice instead of following
 * the deadline.  prepare runs inside the task, so its time counts as the
 * slice's; it must be short and must not reach a preemption point
 * (nor yield).  It costs the common path nothing: a timed point compares the
 * TSC with one value either way (the lead point, then the deadline).
 * prepare NULL (or lead_cycles 0) removes the hook; psp_exec_init starts
 * without one.  Stays in effect until changed. */
static inline void psp_exec_prepare(struct psp_exec *e, uint64_t lead_cycles,
				    void (*prepare)(void *ctx), void *ctx);

/* The lead psp-engine's workers give their prepare hook, in ns: long enough
 * for its transfers (the ring's slot, then the descriptor: one cross-core
 * miss each, ~100-300 ns) plus a handler's gap between two preemption
 * points; short enough that the dispatcher has, under concord (k >= 2),
 * usually refilled the ring by then.  bench-preempt scenario 6 measures 500
 * ns and 1 us alike. */
#define PSP_EXEC_PREPARE_LEAD_NS 1000u

/* The slow half of psp_preempt_due: a flag or a deadline is set. */
bool psp_preempt_due_slow(struct psp_preempt_flag *f, uint32_t requested);

/* Whether the slice running under f must yield now: its flag asks for it
 * (ANY, or this slice's token), or the worker's own deadline has passed.
 * The common case (no flag, slice not timed) costs one load and a predicted
 * branch, as a plain flag test; a timed slice reads the TSC. */
static inline bool psp_preempt_due(const struct psp_preempt_flag *f)
{
	uint32_t req = atomic_load_explicit(&f->requested, memory_order_relaxed);
	if (__builtin_expect(req == 0, 1))
		return false;
	return psp_preempt_due_slow((struct psp_preempt_flag *)f, req);
}

/* Yields the running task back to its worker now, flag or not.  Outside a
 * task (a request run without one, or any other code) it returns at once.
 * Not inlined, so that after it returns, possibly on another thread, the
 * caller's next preemption point reads the new thread's state. */
void psp_preempt_yield(void);

/* The flag of the worker running the calling code: its psp_exec's while a
 * task runs, else a flag nobody sets.  Internal to psp_preempt_point; use
 * psp_exec_current_flag() elsewhere. */
extern _Thread_local struct psp_preempt_flag *psp_preempt_tls_flag;

/* Reads psp_preempt_tls_flag with a volatile asm rather than plain C: the
 * load happens at every call, after any earlier yield, so a task moved to
 * another thread reads its new worker's flag (see GCC bug 26461 above).  The
 * "memory" clobber keeps it ordered after the previous yield's call; it costs
 * the caller reloads of memory it had cached in registers, like a call would.
 * Initial-exec TLS: valid in executables and in libraries loaded at start. */
static inline const struct psp_preempt_flag *psp_preempt_current_flag(void)
{
	const struct psp_preempt_flag *f;
	__asm__ volatile("movq psp_preempt_tls_flag@gottpoff(%%rip), %0\n\t"
			 "movq %%fs:(%0), %0"
			 : "=r"(f) : : "memory");
	return f;
}

/* A preemption point: a handler calls it wherever it may be preempted (in
 * its loops, between steps).  Costs a thread-local load, a load of the flag
 * (an L1 hit until the dispatcher writes it) and a predicted branch; in a
 * worker-timed slice, a TSC read too.  Yields when the worker's flag asks
 * this slice to (psp_preempt_due) or its deadline passed; otherwise, or
 * outside a task, does nothing.
 * Code after it may be running on another thread (see above). */
static inline void psp_preempt_point(void)
{
	if (__builtin_expect(psp_preempt_due(psp_preempt_current_flag()), 0))
		psp_preempt_yield();
}

/* psp_preempt_point that tells whether it yielded (a handler that keeps time
 * itself must not count the wait as work). */
static inline bool psp_preempt_point_yielded(void)
{
	if (__builtin_expect(psp_preempt_due(psp_preempt_current_flag()), 0)) {
		psp_preempt_yield();
		return true;
	}
	return false;
}

/* The executor running the calling task, or NULL outside a task.  Not
 * inlined, so it is safe after a preemption point. */
struct psp_exec *psp_exec_current(void);

#endif
