/* A worker lcore: holds up to the policy's slots of requests in its ring and
 * runs them back to back, in the order assigned: the application's handler,
 * the answer on its own TX queue, and the completion (with the measured
 * service time) posted back to the dispatcher.  Under a preemptive policy a
 * request runs on its own stack (psp_task) and may yield at a preemption
 * point: it is then posted back unanswered (ENG_REQ_PREEMPTED) with this
 * stint's run time, and the policy re-queues it.  A stint yields when the
 * dispatcher's flag names it (ts, concord: its token) or, when the dispatch
 * gave it a worker-timed slice (tq), once it ran that long by this worker's
 * own clock; shortly before such a deadline it prefetches the next request
 * in its ring (prepare_next), so that the yield finds its lines here.
 */
#include <time.h>

#include <rte_cycles.h>
#include <rte_debug.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "engine.h"

void eng_reply_build(struct eng_req *r)
{
	struct rte_mbuf *m = r->m;
	if (m->next) { /* requests fit one segment; drop any tail */
		rte_pktmbuf_free(m->next);
		m->next = NULL;
		m->nb_segs = 1;
	}
	uint32_t len = frame_build_udp(rte_pktmbuf_mtod(m, uint8_t *), &r->ends, &r->wire);
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	m->ol_flags = 0;
}

/* Sends m on the worker's own queue: bounded retries, then false. */
static bool tx_one(struct worker *w, struct rte_mbuf *m)
{
	if (rte_eth_tx_burst(w->port_id, w->txq, &m, 1) == 1)
		return true;
	for (uint32_t r = 0; r < w->tx_retries; r++) {
		stat_add(&w->st.tx_retried, 1);
		rte_pause();
		if (rte_eth_tx_burst(w->port_id, w->txq, &m, 1) == 1)
			return true;
	}
	return false;
}

/* Posts r back to the dispatcher.  The done ring has room for every request
 * the worker may hold (the slots), so this cannot stay full; spin rather
 * than lose. */
static void post_done(struct worker *w, struct eng_req *r)
{
	while (rte_ring_sp_enqueue(w->done, r) < 0)
		rte_pause();
}

/* A preemptible request's first code on its own stack.  It may finish on
 * another worker than the one that started it, so it uses only the request
 * and the shared application, never a struct worker. */
static void task_main(void *arg)
{
	struct eng_req *r = arg;
	r->app_rc = app_handle(r->app, &r->call);
}

/* The executor's prepare hook (psp_exec_prepare), inside the running stint
 * shortly before its deadline: pulls into this core's cache what the worker
 * reads first after the yield, lines the dispatcher's core wrote last: the
 * in ring's producer index and next slot (read by the peek, which leaves the
 * request in the ring), the lines of that request's descriptor run_stint
 * reads, and the done ring's consumer index (post_done's enqueue reads it).
 * Not the task: reading the descriptor's task pointer would add a second
 * dependent miss to the hook, for a line that is often warm already (a
 * resumed request's task was written last by the worker that ran it, this
 * one unless it migrated); bench-preempt measured no gain from it. */
static void prepare_next(void *arg)
{
	struct worker *w = arg;
	void *obj;
	rte_prefetch0(&w->done->cons.tail);
	if (rte_ring_dequeue_bulk_start(w->in, &obj, 1, NULL) == 0)
		return;
	rte_ring_dequeue_finish(w->in, 0); /* peeked: still the ring's */
	struct eng_req *r = obj;
	rte_prefetch0(&r->start_tsc);
	rte_prefetch0(&r->slice_cycles);
	rte_prefetch0(&r->task);
	stat_add(&w->st.prepared, 1);
}

/* Runs one stint of r: the whole request, or (under ts) until it yields.
 * Returns false when r yielded: it goes back unanswered. */
static bool run_stint(struct worker *w, struct eng_req *r)
{
	struct psp_task *t = r->task;
	if (t) {
		int rc;
		uint32_t token = w->next_token++;
		if (w->next_token < PSP_PREEMPT_TOKEN_MIN || w->next_token > PSP_PREEMPT_TOKEN_MAX)
			w->next_token = PSP_PREEMPT_TOKEN_MIN;
		uint64_t start = rte_rdtsc();
		psp_exec_slice_waiting(&w->exec, token, r->slice_cycles ? start + r->slice_cycles : 0,
				       w->waiting);
		/* Read by the dispatcher to time the quantum from here, and to
		 * name this stint (not the next one) in the flag. */
		__atomic_store_n(&r->stint_token, token, __ATOMIC_RELAXED);
		__atomic_store_n(&r->start_tsc, start, __ATOMIC_RELEASE);
		if (t->state == PSP_TASK_READY) {
			r->call.start_tsc = r->start_tsc;
			rc = psp_task_start(&w->exec, t, task_main, r);
		} else {
			rc = psp_task_resume(&w->exec, t);
		}
		r->end_tsc = rte_rdtsc();
		/* Only a bug makes these fail (a task in the wrong state, a
		 * start from inside a task): stop rather than answer twice. */
		RTE_VERIFY(rc == PSP_TASK_FINISHED || rc == PSP_TASK_YIELDED);
		stat_add(&w->st.busy_cycles, r->end_tsc - r->start_tsc);
		return rc == PSP_TASK_FINISHED;
	}
	r->call.start_tsc = rte_rdtsc();
	__atomic_store_n(&r->start_tsc, r->call.start_tsc, __ATOMIC_RELEASE);
	r->app_rc = app_handle(w->app, &r->call);
	r->end_tsc = rte_rdtsc();
	stat_add(&w->st.busy_cycles, r->end_tsc - r->start_tsc);
	return true;
}

/* Runs one stint of r.  waited: the ring was empty when the worker looked
 * after its previous stint, so the time since *last_end was idle.  Returns
 * the stint's start (TSC): r itself is the dispatcher's once posted back. */
static uint64_t run_one(struct worker *w, struct eng_req *r, bool waited, uint64_t *last_end)
{
	bool finished = run_stint(w, r);
	uint64_t start = r->start_tsc;
	if (!waited) {
		stat_add(&w->st.starts_back_to_back, 1);
	} else {
		stat_add(&w->st.starts_after_wait, 1);
		if (*last_end && r->start_tsc > *last_end)
			stat_add(&w->st.wait_cycles, r->start_tsc - *last_end);
	}
	*last_end = r->end_tsc;
	r->ran_cycles += r->end_tsc - r->start_tsc;
	if (!finished) {
		r->status = ENG_REQ_PREEMPTED;
		post_done(w, r);
		return start;
	}

	/* The reply's 4th word: the service time measured here (ns, at least
	 * 1), or 0 when the application failed the request (wire.h). */
	uint64_t svc_ns = tsc_cycles_to_ns(w->clk, r->ran_cycles);
	if (r->app_rc < 0) {
		r->wire.run_ns = PSP_WIRE_RUN_FAILED;
		stat_add(&w->st.app_failed, 1);
	} else {
		r->wire.run_ns = svc_ns < 1 ? 1 : svc_ns > UINT32_MAX ? UINT32_MAX : (uint32_t)svc_ns;
	}
	eng_reply_build(r);
	uint32_t slot = eng_type_slot(r->req.type);
	psp_hist_record(&w->svc[slot], svc_ns);
	if (tx_one(w, r->m)) {
		r->status = ENG_REQ_ANSWERED;
		stat_add(&w->st.answered, 1);
		uint64_t sent = rte_rdtsc();
		r->reply_tsc = sent;
		psp_hist_record(&w->lat[slot], tsc_cycles_to_ns(w->clk, sent - r->arrive_tsc));
	} else {
		r->status = ENG_REQ_TX_FAILED;
		stat_add(&w->st.tx_failed, 1);
		rte_pktmbuf_free(r->m);
	}
	r->m = NULL;
	stat_add(&w->st.handled, 1);
	if (slot == ENG_UNKNOWN_SLOT)
		stat_add(&w->st.handled_unknown, 1);
	post_done(w, r);
	return start;
}

uint64_t eng_thread_cpu_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* park_wait's re-check: a request in the ring, or the stop. */
static bool worker_has_work(void *arg)
{
	struct worker *w = arg;
	return rte_ring_count(w->in) > 0 || atomic_load_explicit(&w->stop, memory_order_seq_cst);
}

/* The ring was empty: what the idle mode does about it, from now (the
 * TSC).  idle_since is the TSC of the first empty poll of this idle spell
 * (0: none yet).  Returns true when the worker was parked (woken since),
 * with *park_cpu_ns the CPU time the park itself took (the futex calls,
 * the kernel's switches away and back): on a CPU, so not parked time. */
static bool worker_idle(struct worker *w, struct idle_state *idle, uint64_t *idle_since,
			uint64_t now, uint64_t *park_cpu_ns)
{
	bool reserved = atomic_load_explicit(&w->park->reserved, memory_order_relaxed);
	enum idle_mode mode = reserved ? w->reserved_mode : w->idle_mode;
	if (mode == IDLE_PARK) {
		if (*idle_since == 0)
			*idle_since = now;
		if (now - *idle_since < w->park_after_cycles) {
			rte_pause();
			return false;
		}
		*idle_since = 0;
		uint64_t cpu0 = eng_thread_cpu_ns();
		if (!park_wait(w->park, worker_has_work, w)) {
			stat_add(&w->st.parks_cancelled, 1);
			return false;
		}
		*park_cpu_ns = eng_thread_cpu_ns() - cpu0;
		stat_add(&w->st.parks, 1);
		if (reserved)
			stat_add(&w->st.parks_reserved, 1);
		return true;
	}
	if (mode == IDLE_PAUSE)
		pause_once(w->pause, PARK_TPAUSE_CYCLES);
	uint64_t before = idle->backoffs;
	idle_note(idle, w->idle, false);
	if (idle->backoffs != before)
		stat_add(&w->st.idle_backoffs, 1);
	return false;
}

int eng_worker_main(void *arg)
{
	struct worker *w = arg;
	struct lcore_acct *acct = &w->st.acct;
	struct idle_state idle = {0};
	bool waited = true; /* the ring was found empty since the last stint */
	uint64_t last_end = 0, idle_since = 0;
	uint64_t woken_tsc = 0; /* the dispatcher's wake not yet followed by a start */
	/* Called in worker-timed stints only (tq; ts and concord with
	 * preempt.timer: worker); the dispatcher's flag stints never. */
	psp_exec_prepare(&w->exec, tsc_ns_to_cycles(w->clk, PSP_EXEC_PREPARE_LEAD_NS), prepare_next, w);
	uint64_t t = rte_rdtsc(); /* the last TSC read: time up to it is charged */
	uint64_t cpu0 = eng_thread_cpu_ns();
	__atomic_store_n(&acct->start_tsc, t, __ATOMIC_RELEASE);
	while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
		void *obj;
		uint64_t now;
		if (rte_ring_sc_dequeue(w->in, &obj) == 0) {
			uint64_t start = run_one(w, obj, waited, &last_end);
			if (woken_tsc) {
				if (start > woken_tsc)
					psp_hist_record(w->wake, tsc_cycles_to_ns(w->clk,
										  start - woken_tsc));
				woken_tsc = 0;
			}
			waited = false;
			idle_since = 0;
			idle_note(&idle, w->idle, true);
			now = rte_rdtsc();
			stat_add(&acct->work, now - t);
			t = now;
			continue;
		}
		waited = true;
		uint64_t park_cpu_ns = 0;
		bool parked = worker_idle(w, &idle, &idle_since, t, &park_cpu_ns);
		now = rte_rdtsc();
		if (parked) {
			/* The park's own CPU time is spin: idle, but on a CPU. */
			uint64_t on_cpu = tsc_ns_to_cycles(w->clk, park_cpu_ns);
			if (on_cpu > now - t)
				on_cpu = now - t;
			stat_add(&acct->spin, on_cpu);
			stat_add(&acct->parked, now - t - on_cpu);
			woken_tsc = atomic_load_explicit(&w->park->wake_tsc, memory_order_relaxed);
		} else {
			stat_add(&acct->spin, now - t);
		}
		t = now;
	}
	acct->cpu_ns = eng_thread_cpu_ns() - cpu0;
	__atomic_store_n(&acct->end_tsc, t, __ATOMIC_RELEASE);
	return 0;
}

void eng_workers_stop(struct engine *e)
{
	for (uint32_t i = 0; i < e->cfg.nworkers; i++)
		atomic_store(&e->workers[i].stop, true);
	park_fence(); /* the stop flags before the park words (park.h) */
	for (uint32_t i = 0; i < e->cfg.nworkers; i++)
		if (park_wake(&e->park[i], rte_rdtsc()))
			e->stop_wakes++;
	rte_eal_mp_wait_lcore();
}
