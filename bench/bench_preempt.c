/* Cost of time sharing's moving parts (psp_preempt + the real ts policy).
 *
 *   bench-preempt [SAMPLES]     (default 200,000 preemptions per scenario)
 *
 * Prints, nothing asserted:
 *  1. switch:  one raw psp_ctx_switch (half a ping-pong round trip).
 *  2. point:   one psp_preempt_point() that does not fire, in a spin loop,
 *              minus the same loop without it.
 *  3. yield:   task -> worker -> the same task (psp_preempt_yield +
 *              psp_task_resume), no policy.
 *  4. local:   one preemption, all on the worker thread: flag seen ->
 *              context saved -> psp_policy_complete(finished = false) puts
 *              the request at the ts queue's tail -> psp_policy_dispatch ->
 *              another request running.  The mechanism's own cost.
 *  5. 2-thread: the same with a dispatcher thread that owns the policy, as in
 *              the engine: it ticks (psp_policy_tick), sets the worker's
 *              flag, takes the preempted request back through a one-slot
 *              mailbox, re-queues it and dispatches the next one.  Adds two
 *              cache-line transfers between cores and the dispatcher's loop.
 *              Also: flag set -> flag seen (the polling delay).
 *  6. worker-timed: the engine's preempt.timer: worker with concord (k = 2):
 *              the worker times its own slice and yields past the quantum
 *              while the dispatcher's hint says a request waits; the next
 *              request is already in the worker's slots, so nothing crosses
 *              cores between the deadline and the next request running.
 *              Measured: the slice's deadline -> the next request's first
 *              instruction (the point's polling interval included).  Run
 *              without, then with a prepare hook (psp_exec_prepare) that
 *              prefetches the next request 500 ns and 1 us before the
 *              deadline; also the hook's own time (to its loads' completion)
 *              and the work a slice gets done (spin iterations, median).
 *              The last line sets the engine's configuration (its lead,
 *              PSP_EXEC_PREPARE_LEAD_NS) against the 100 ns target.
 * Per-preemption figures are median and p99 over SAMPLES, from the TSC.
 *
 * The 2-thread scenario needs two idle cores; on a shared machine its tail
 * measures the other load as much as psp.  Run it several times.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include <psp/ctx.h>
#include <psp/policy.h>
#include <psp/preempt.h>

#define NREQ 4u          /* long requests taking turns on one worker */
#define QUANTUM_NS 5000u /* the paper's Shinjuku quantum */
#define TARGET_NS 100u   /* deadline -> next request running, in the engine's configuration */

static double ns_per_cycle;

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void calibrate_tsc(void)
{
	uint64_t t0 = mono_ns(), c0 = __rdtsc();
	while (mono_ns() - t0 < 50000000u)
		;
	uint64_t t1 = mono_ns(), c1 = __rdtsc();
	ns_per_cycle = (double)(t1 - t0) / (double)(c1 - c0);
}

static uint64_t tsc_ns(uint64_t cycles)
{
	return (uint64_t)((double)cycles * ns_per_cycle);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Prints median and p99 of n cycle samples (sorted in place), in ns;
 * returns the median in ns. */
static double report(const char *what, uint64_t *s, size_t n)
{
	qsort(s, n, sizeof(*s), cmp_u64);
	double median = (double)s[n / 2] * ns_per_cycle;
	printf("%-44s median %7.1f ns   p99 %8.1f ns   (n=%zu)\n", what, median,
	       (double)s[n * 99 / 100] * ns_per_cycle, n);
	return median;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench-preempt: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

/* ---- 1. raw switch ---- */

static void *main_sp, *peer_sp;

static void pingpong_entry(void *arg, void *val)
{
	(void)arg, (void)val;
	for (;;)
		psp_ctx_switch(&peer_sp, main_sp, NULL);
}

static void bench_switch(void)
{
	static char stack[16384] __attribute__((aligned(16)));
	enum { BATCH = 200000, BATCHES = 21 };
	uint64_t per[BATCHES];
	peer_sp = psp_ctx_make(stack, sizeof(stack), pingpong_entry, NULL);
	for (int b = 0; b < BATCHES; b++) {
		uint64_t c0 = __rdtsc();
		for (int i = 0; i < BATCH; i++)
			psp_ctx_switch(&main_sp, peer_sp, NULL);
		per[b] = (__rdtsc() - c0) / (2u * BATCH); /* two switches per trip */
	}
	qsort(per, BATCHES, sizeof(per[0]), cmp_u64);
	printf("%-44s median %7.1f ns   (batches of %d round trips, median of %d)\n",
	       "1. psp_ctx_switch, one way", (double)per[BATCHES / 2] * ns_per_cycle, BATCH,
	       BATCHES);
}

/* ---- 2. a preemption point that does not fire ---- */

static volatile uint64_t sink;

static void loop_points(void *arg)
{
	uint64_t n = *(uint64_t *)arg;
	for (uint64_t i = 0; i < n; i++) {
		sink = i;
		psp_preempt_point();
	}
}

static void loop_plain(void *arg)
{
	uint64_t n = *(uint64_t *)arg;
	for (uint64_t i = 0; i < n; i++) {
		sink = i;
		__asm__ volatile("" ::: "memory"); /* the point's own clobber */
	}
}

static void bench_point(struct psp_task_pool *pool, struct psp_exec *e)
{
	enum { RUNS = 11 };
	uint64_t n = 20000000u, with[RUNS], without[RUNS];
	for (int r = 0; r < RUNS; r++) {
		psp_task_fn fn[2] = {loop_points, loop_plain};
		uint64_t *out[2] = {&with[r], &without[r]};
		for (int k = 0; k < 2; k++) {
			struct psp_task *t;
			int rc = psp_task_get(pool, &t);
			if (rc < 0)
				die("task pool", rc);
			uint64_t c0 = __rdtsc();
			rc = psp_task_start(e, t, fn[k], &n);
			*out[k] = __rdtsc() - c0;
			if (rc != PSP_TASK_FINISHED)
				die("point loop", -EPROTO);
			psp_task_put(pool, t);
		}
	}
	qsort(with, RUNS, sizeof(with[0]), cmp_u64);
	qsort(without, RUNS, sizeof(without[0]), cmp_u64);
	double a = (double)with[RUNS / 2] * ns_per_cycle / (double)n;
	double b = (double)without[RUNS / 2] * ns_per_cycle / (double)n;
	printf("%-44s %.2f ns/iteration with, %.2f without: %+.2f ns (loops of %llu, "
	       "median of %d)\n", "2. psp_preempt_point, not firing", a, b, a - b,
	       (unsigned long long)n, RUNS);
}

/* ---- 3. yield + resume, no policy ---- */

static uint64_t *samples;
static size_t nsamples, want;
static uint64_t seen_tsc; /* when the last preempted request saw its flag */

static void yield_loop(void *arg)
{
	(void)arg;
	while (nsamples < want) {
		psp_preempt_request(&psp_exec_current()->flag);
		seen_tsc = __rdtsc();
		psp_preempt_point();
		samples[nsamples++] = __rdtsc() - seen_tsc;
	}
}

static void bench_yield(struct psp_task_pool *pool, struct psp_exec *e)
{
	struct psp_task *t;
	nsamples = 0;
	int rc = psp_task_get(pool, &t);
	if (rc < 0)
		die("task pool", rc);
	rc = psp_task_start(e, t, yield_loop, NULL);
	while (rc == PSP_TASK_YIELDED)
		rc = psp_task_resume(e, t);
	psp_task_put(pool, t);
	report("3. yield -> resume (same task, no policy)", samples, nsamples);
}

/* ---- requests for 4 and 5 ---- */

struct breq {
	struct psp_req req;
	struct psp_task *task;
	int finished; /* scenario 6: the worker's verdict on its last slice */
};

static struct breq reqs[NREQ];
static int two_threads; /* scenario 5: the dispatcher requests preemption */
static _Atomic uint64_t request_tsc; /* scenario 5: when the flag was set */
static uint64_t *flag_delay;         /* scenario 5: flag set -> seen */
static size_t nflag;

/* A long request: spins through preemption points until enough samples are
 * taken.  The first thing it does when it runs (fresh, or back from a point)
 * is to close the sample opened by the request preempted before it. */
static void long_request(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t now = __rdtsc();
		if (seen_tsc != 0 && nsamples < want)
			samples[nsamples++] = now - seen_tsc;
		seen_tsc = 0;
		if (nsamples >= want)
			return;
		if (!two_threads) {
			/* Stand-in for the dispatcher: a little work, then the flag. */
			for (int i = 0; i < 64; i++)
				sink = (uint64_t)i;
			psp_preempt_request(&psp_exec_current()->flag);
		}
		/* Spin until the flag shows up, as the bundled spin app would. */
		while (!psp_preempt_pending(psp_preempt_current_flag()))
			__asm__ volatile("pause" ::: "memory");
		seen_tsc = __rdtsc();
		if (two_threads && nflag < want)
			flag_delay[nflag++] = seen_tsc - atomic_load(&request_tsc);
		psp_preempt_point();
	}
}

/* ops on one worker with a QUANTUM_NS slice and slots ("" = the policy's). */
static struct psp_policy *make_policy(const struct psp_policy_ops *ops, const char *slots)
{
	struct psp_err err;
	char quantum_us[32];
	struct psp_policy_conf *conf = psp_policy_conf_new(1, 1);
	if (!conf)
		die("out of memory", -ENOMEM);
	snprintf(quantum_us, sizeof(quantum_us), "%g", QUANTUM_NS / 1e3);
	struct psp_policy *p = NULL;
	if (psp_policy_conf_set(conf, "quantum_us", quantum_us, &err) == 0 &&
	    (!slots[0] || psp_policy_conf_set(conf, "slots", slots, &err) == 0))
		p = psp_policy_create(ops, conf, &err);
	psp_policy_conf_free(conf);
	if (!p)
		die(err.msg, err.code);
	return p;
}

static struct psp_policy *make_ts(void)
{
	return make_policy(&psp_ts_ops, "");
}

static void enqueue_all(struct psp_policy *p, struct psp_task_pool *pool, uint64_t now)
{
	for (uint32_t i = 0; i < NREQ; i++) {
		memset(&reqs[i], 0, sizeof(reqs[i]));
		reqs[i].req.id = i;
		reqs[i].req.type = 0;
		reqs[i].req.arrive_ns = reqs[i].req.enqueue_ns = now;
		int rc = psp_task_get(pool, &reqs[i].task);
		if (rc < 0)
			die("task pool", rc);
		psp_policy_enqueue(p, &reqs[i].req, now);
	}
}

/* Runs one assigned slice on the worker; returns the task's result. */
static int run_slice(struct psp_exec *e, struct psp_req *r)
{
	struct breq *b = psp_container_of(r, struct breq, req);
	return b->task->state == PSP_TASK_READY
		? psp_task_start(e, b->task, long_request, b)
		: psp_task_resume(e, b->task);
}

/* ---- 4. one thread: the worker also runs the policy ---- */

static void bench_local(struct psp_task_pool *pool, struct psp_exec *e)
{
	struct psp_policy *p = make_ts();
	uint64_t base = __rdtsc();
	nsamples = 0;
	seen_tsc = 0;
	two_threads = 0;
	enqueue_all(p, pool, 0);
	unsigned finished = 0;
	while (finished < NREQ) {
		struct psp_assign a;
		uint64_t now = tsc_ns(__rdtsc() - base);
		if (psp_policy_dispatch(p, now, &a, 1) != 1)
			die("ts dispatch", -EPROTO);
		uint64_t c0 = __rdtsc();
		int rc = run_slice(e, a.req);
		uint64_t c1 = __rdtsc();
		now = tsc_ns(c1 - base);
		bool done = rc == PSP_TASK_FINISHED;
		psp_policy_complete(p, 0, a.req, tsc_ns(c1 - c0), done, now);
		if (done) {
			finished++;
			psp_task_put(pool, psp_container_of(a.req, struct breq, req)->task);
		}
	}
	psp_policy_destroy(p);
	report("4. preemption, worker-local ts policy", samples, nsamples);
}

/* ---- 5. dispatcher thread + worker thread ---- */

/* A one-slot mailbox on its own cache line: the stand-in for the engine's
 * per-worker rings. */
struct mailbox {
	_Alignas(64) _Atomic(struct psp_req *) slot;
	int finished;
};

struct two {
	struct mailbox in, done;
	struct psp_exec exec; /* the worker's; the dispatcher writes its flag */
	_Atomic int quit;
};

static struct two two;

static void *worker_thread(void *arg)
{
	(void)arg;
	psp_exec_init(&two.exec);
	while (!atomic_load_explicit(&two.quit, memory_order_relaxed)) {
		struct psp_req *r = atomic_load_explicit(&two.in.slot, memory_order_acquire);
		if (!r) {
			__asm__ volatile("pause");
			continue;
		}
		atomic_store_explicit(&two.in.slot, NULL, memory_order_relaxed);
		int rc = run_slice(&two.exec, r);
		two.done.finished = rc == PSP_TASK_FINISHED;
		atomic_store_explicit(&two.done.slot, r, memory_order_release);
	}
	return NULL;
}

static void bench_two_threads(struct psp_task_pool *pool)
{
	struct psp_policy *p = make_ts();
	flag_delay = calloc(want, sizeof(*flag_delay));
	if (!flag_delay)
		die("calloc", ENOMEM);
	memset(&two, 0, sizeof(two));
	nflag = 0;
	nsamples = 0;
	seen_tsc = 0;
	two_threads = 1;
	pthread_t wt;
	int rc = pthread_create(&wt, NULL, worker_thread, NULL);
	if (rc)
		die("pthread_create", rc);

	uint64_t base = __rdtsc();
	enqueue_all(p, pool, 0);
	unsigned finished = 0;
	uint64_t slice_start = 0;
	while (finished < NREQ) {
		uint64_t tsc = __rdtsc();
		uint64_t now = tsc_ns(tsc - base);
		struct psp_req *r = atomic_load_explicit(&two.done.slot, memory_order_acquire);
		if (r) {
			atomic_store_explicit(&two.done.slot, NULL, memory_order_relaxed);
			bool done = two.done.finished;
			psp_policy_complete(p, 0, r, now - slice_start, done, now);
			if (done) {
				finished++;
				psp_task_put(pool, psp_container_of(r, struct breq, req)->task);
			}
		}
		struct psp_assign a;
		if (psp_policy_dispatch(p, now, &a, 1) == 1) {
			a.req->dispatch_ns = slice_start = now;
			atomic_store_explicit(&two.in.slot, a.req, memory_order_release);
		}
		/* The engine's protocol (preempt.h): request while the policy
		 * names the worker and the flag reads clear, so a request lost
		 * to a late slice start is made again. */
		uint32_t w;
		if (psp_policy_tick(p, now, &w, 1) == 1 && !psp_preempt_pending(&two.exec.flag)) {
			atomic_store(&request_tsc, __rdtsc());
			psp_preempt_request(&two.exec.flag);
		}
	}
	atomic_store(&two.quit, 1);
	pthread_join(wt, NULL);
	psp_policy_destroy(p);
	report("5. preemption, dispatcher thread + worker", samples, nsamples);
	report("5. flag set by dispatcher -> seen by worker", flag_delay, nflag);
	free(flag_delay);
}

/* ---- 6. worker-timed slices, the hint, concord's slots ---- */

#define RING 4u /* >= the slots: a worker holds at most k = 2 */

/* A single-producer single-consumer ring: the stand-in for the engine's
 * per-worker rte_rings, laid out as they are: the producer's index, the
 * consumer's and the slots each on their own cache line. */
struct spsc {
	_Alignas(64) _Atomic uint32_t head; /* producer's */
	_Alignas(64) _Atomic uint32_t tail; /* consumer's */
	_Alignas(64) struct psp_req *r[RING];
};

static void spsc_put(struct spsc *q, struct psp_req *r)
{
	uint32_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
	while (h - atomic_load_explicit(&q->tail, memory_order_acquire) == RING)
		__asm__ volatile("pause");
	q->r[h % RING] = r;
	atomic_store_explicit(&q->head, h + 1, memory_order_release);
}

static struct psp_req *spsc_get(struct spsc *q)
{
	uint32_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
	if (t == atomic_load_explicit(&q->head, memory_order_acquire))
		return NULL;
	struct psp_req *r = q->r[t % RING];
	atomic_store_explicit(&q->tail, t + 1, memory_order_release);
	return r;
}

struct timed {
	struct spsc in, done;
	_Alignas(64) _Atomic uint32_t waiting; /* the hint, its own line */
	struct psp_exec exec;
	uint64_t quantum_cycles;
	uint64_t lead_cycles;   /* the prepare hook's lead; 0: no hook */
	uint64_t last_deadline; /* the worker's: deadline of the slice that yielded */
	uint64_t *hook_cycles;  /* time spent in each prepare call */
	uint64_t *work;         /* spin iterations in each slice that yielded */
	size_t nwork;
	size_t nhook;
	_Atomic int quit;
};

static struct timed tw;

/* The prepare hook (psp_exec_prepare), before the deadline: brings in the
 * lines the worker reads first after the yield that the dispatcher's core
 * wrote last: the in ring's producer index and next slot, the descriptor of
 * the request in that slot (the policy's links and dispatch stamp share its
 * line with the task pointer), and the done ring's consumer index (the put
 * reads it).  Reading the slot costs the hook one transfer (head and slot
 * load in parallel); the task itself is not dereferenced: this worker wrote
 * it last (its yield), so it is in its cache, and the load would only add a
 * second dependent transfer to the hook (measured: no gain, +40-70 ns). */
static void timed_prepare(void *ctx)
{
	struct timed *w = ctx;
	uint64_t c0 = __rdtsc();
	uint32_t t = atomic_load_explicit(&w->in.tail, memory_order_relaxed);
	__builtin_prefetch(&w->in.head);
	__builtin_prefetch(&w->in.r[t % RING]);
	__builtin_prefetch(&w->done.tail);
	if (t != atomic_load_explicit(&w->in.head, memory_order_acquire)) {
		struct breq *b = psp_container_of(w->in.r[t % RING], struct breq, req);
		__builtin_prefetch(&b->task);
	}
	unsigned aux;
	if (w->nhook < want) /* rdtscp: after the hook's loads completed */
		w->hook_cycles[w->nhook++] = __rdtscp(&aux) - c0;
}

/* A long request under a worker-timed slice: spins through preemption points
 * (as the spin application does) until the slice yields; each time it runs,
 * first closes the sample the previous yield opened. */
static void timed_request(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t now = __rdtsc();
		if (tw.last_deadline != 0 && nsamples < want)
			samples[nsamples++] = now - tw.last_deadline;
		tw.last_deadline = 0;
		if (nsamples >= want)
			return;
		uint64_t n = 0;
		while (!psp_preempt_point_yielded()) {
			sink++;
			n++;
		}
		if (tw.nwork < want) /* the slice that just yielded */
			tw.work[tw.nwork++] = n;
	}
}

static void *timed_worker(void *arg)
{
	(void)arg;
	psp_exec_init(&tw.exec);
	if (tw.lead_cycles)
		psp_exec_prepare(&tw.exec, tw.lead_cycles, timed_prepare, &tw);
	while (!atomic_load_explicit(&tw.quit, memory_order_relaxed)) {
		struct psp_req *r = spsc_get(&tw.in);
		if (!r) {
			__asm__ volatile("pause");
			continue;
		}
		struct breq *b = psp_container_of(r, struct breq, req);
		psp_exec_slice_waiting(&tw.exec, 0, __rdtsc() + tw.quantum_cycles, &tw.waiting);
		int rc = b->task->state == PSP_TASK_READY
				 ? psp_task_start(&tw.exec, b->task, timed_request, b)
				 : psp_task_resume(&tw.exec, b->task);
		if (rc == PSP_TASK_YIELDED)
			tw.last_deadline = tw.exec.flag.deadline_tsc;
		b->finished = rc == PSP_TASK_FINISHED;
		spsc_put(&tw.done, r);
	}
	return NULL;
}

/* lead_ns: the prepare hook's lead before the deadline; 0: no hook. */
static double bench_worker_timed(struct psp_task_pool *pool, uint64_t lead_ns)
{
	struct psp_policy *p = make_policy(&psp_concord_ops, "2");
	memset(&tw, 0, sizeof(tw));
	tw.quantum_cycles = (uint64_t)((double)QUANTUM_NS / ns_per_cycle);
	tw.lead_cycles = (uint64_t)((double)lead_ns / ns_per_cycle);
	tw.hook_cycles = calloc(want, sizeof(*tw.hook_cycles));
	tw.work = calloc(want, sizeof(*tw.work));
	if (!tw.hook_cycles || !tw.work)
		die("calloc", ENOMEM);
	nsamples = 0;
	pthread_t wt;
	int rc = pthread_create(&wt, NULL, timed_worker, NULL);
	if (rc)
		die("pthread_create", rc);

	uint64_t base = __rdtsc();
	enqueue_all(p, pool, 0);
	unsigned finished = 0, held = 0;
	uint32_t hint = 0;
	while (finished < NREQ) {
		uint64_t now = tsc_ns(__rdtsc() - base);
		struct psp_req *r;
		while ((r = spsc_get(&tw.done))) {
			bool done = psp_container_of(r, struct breq, req)->finished;
			held--;
			psp_policy_complete(p, 0, r, now - r->dispatch_ns, done, now);
			if (done) {
				finished++;
				psp_task_put(pool, psp_container_of(r, struct breq, req)->task);
			}
		}
		struct psp_assign a[2];
		size_t n = psp_policy_dispatch(p, now, a, 2);
		for (size_t i = 0; i < n; i++) {
			a[i].req->dispatch_ns = now;
			held++;
			spsc_put(&tw.in, a[i].req);
		}
		/* The engine's publish_hints: a store only when it changes. */
		uint32_t want_hint = psp_policy_queued(p) > 0 || held > 1;
		if (want_hint != hint)
			atomic_store_explicit(&tw.waiting, hint = want_hint, memory_order_relaxed);
	}
	atomic_store(&tw.quit, 1);
	pthread_join(wt, NULL);
	psp_policy_destroy(p);
	char what[96];
	double median;
	if (lead_ns == 0) {
		median = report("6. worker-timed (concord k=2): deadline -> next request", samples,
				nsamples);
	} else {
		snprintf(what, sizeof(what), "6. the same, prefetch %llu ns before",
			 (unsigned long long)lead_ns);
		median = report(what, samples, nsamples);
		report("   its prepare hook's own time", tw.hook_cycles, tw.nhook);
	}
	qsort(tw.work, tw.nwork, sizeof(*tw.work), cmp_u64);
	printf("   work per slice: median %llu spin iterations\n",
	       (unsigned long long)(tw.nwork ? tw.work[tw.nwork / 2] : 0));
	free(tw.hook_cycles);
	free(tw.work);
	return median;
}

int main(int argc, char **argv)
{
	want = argc > 1 ? strtoull(argv[1], NULL, 10) : 200000u;
	if (want == 0) {
		fprintf(stderr, "usage: bench-preempt [SAMPLES > 0]\n");
		return 2;
	}
	samples = calloc(want, sizeof(*samples));
	if (!samples)
		die("calloc", ENOMEM);
	calibrate_tsc();
	printf("bench-preempt: %zu samples per scenario, TSC %.3f GHz, quantum %u ns\n", want,
	       1.0 / ns_per_cycle, QUANTUM_NS);

	struct psp_task_pool pool;
	struct psp_task_pool_conf conf = {.ntasks = 8, .stack_bytes = 64u << 10, .prefault = true};
	int rc = psp_task_pool_init(&pool, &conf);
	if (rc < 0)
		die("psp_task_pool_init", rc);
	struct psp_exec e;
	psp_exec_init(&e);

	bench_switch();
	bench_point(&pool, &e);
	bench_yield(&pool, &e);
	bench_local(&pool, &e);
	bench_two_threads(&pool);
	/* Without the prepare hook, then with it at two leads (side by side). */
	bench_worker_timed(&pool, 0);
	bench_worker_timed(&pool, 500);
	double engine_ns = bench_worker_timed(&pool, PSP_EXEC_PREPARE_LEAD_NS);
	printf("target: <= %u ns from the deadline to the next request running, in the engine's "
	       "configuration (prefetch %u ns before); this run %.1f ns: %s\n", TARGET_NS,
	       PSP_EXEC_PREPARE_LEAD_NS, engine_ns, engine_ns <= TARGET_NS ? "met" : "not met");
	psp_task_pool_fini(&pool);
	free(samples);
	return 0;
}
