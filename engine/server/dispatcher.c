/* The dispatcher lcore: RX burst -> parse (rejects counted by reason) ->
 * psp_policy_enqueue -> drain worker completions -> psp_policy_complete ->
 * psp_policy_dispatch -> worker rings -> psp_policy_tick -> preemption
 * flags.  The very loop psp-sim runs over its event heap, with now_ns from
 * the TSC.
 *
 * Worker slots: a worker holds up to the policy's slots of requests; its in
 * ring carries those it has not started, and it runs them in order.  The
 * dispatcher keeps, per worker, the requests handed over in that order
 * (e->held): stints come back in the same order, so the head is the one
 * running, and each completion pops it.
 *
 * Time sharing (PSP_POLICY_PREEMPTIVE: ts, concord, tq): the dispatcher owns
 * the stack pool.  A request gets a stack at its first dispatch with
 * slice_ns > 0 and keeps it until it finishes.  When the dispatcher times the
 * slices (ts, concord) and the policy's tick names a worker whose running
 * stint passed the quantum, the dispatcher stores that stint's token in the
 * worker's flag (the worker may have moved on to its next request: the token
 * keeps the flag off it).  When the worker times them (tq,
 * PSP_POLICY_WORKER_TIMED) the dispatch carries the slice and nothing else
 * is done here.  Either way the request yields at its next preemption point
 * and comes back as a completion with status ENG_REQ_PREEMPTED, which goes
 * to psp_policy_complete(..., false).  A preempted request is in flight: it
 * holds its descriptor and mbuf.
 */
#include <stddef.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_debug.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include <psp/darc.h>

#include "engine.h"

#define DISP_MAX_BURST 512u
#define DISP_COMPLETIONS_BURST 32u

/* --profile: charges the cycles since the last mark to phase ph. */
static inline void prof_mark(struct engine *e, enum disp_phase ph)
{
	if (__builtin_expect(e->profile, 0)) {
		uint64_t now = rte_rdtsc();
		e->prof.iter[ph] += now - e->prof.t;
		e->prof.t = now;
		e->prof.iter_marks++;
	}
}

/* --profile: the end of a loop iteration.  One without work is idle time. */
static void prof_fold(struct engine *e, bool did_work)
{
	struct disp_profile *p = &e->prof;
	prof_mark(e, DISP_PH_TICK);
	p->busy_iters += did_work;
	p->marks += did_work ? p->iter_marks : 0;
	p->iter_marks = 0;
	for (int ph = 0; ph < DISP_NPHASES; ph++) {
		p->cycles[did_work ? ph : DISP_PH_IDLE] += p->iter[ph];
		p->iter[ph] = 0;
	}
}

/* Sends the frames in pkts[0..n) on the dispatcher's TX queue with bounded
 * retries; returns how many could not be sent (already freed). */
static uint16_t tx_all(struct engine *e, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = rte_eth_tx_burst(e->port_id, (uint16_t)e->tx_queue_disp, pkts, n);
	for (uint32_t r = 0; sent < n && r < e->cfg.tx_retries; r++)
		sent = (uint16_t)(sent + rte_eth_tx_burst(e->port_id,
							  (uint16_t)e->tx_queue_disp,
							  pkts + sent, (uint16_t)(n - sent)));
	for (uint16_t i = sent; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
	return (uint16_t)(n - sent);
}

static inline uint32_t type_of(const struct engine *e, uint32_t wire_id)
{
	if (wire_id < 256)
		return e->type_by_wire_small[wire_id];
	return eng_config_type_of(&e->cfg, wire_id);
}

/* Handles one received frame.  ARP replies to send are gathered in arp[]. */
static void rx_one(struct engine *e, struct rte_mbuf *m, uint64_t tsc, uint64_t now_ns,
		   struct rte_mbuf **arp, uint16_t *narp)
{
	struct disp_stats *st = &e->st;
	struct rx_parsed p;
	enum rx_verdict v = rx_parse(rte_pktmbuf_mtod(m, const uint8_t *),
				     rte_pktmbuf_data_len(m), &e->filter, &p);
	stat_add(&st->rx_verdict[v], 1);
	prof_mark(e, DISP_PH_PARSE);
	if (v == RX_ARP_REQUEST) {
		/* Answer in place: the request's mbuf becomes the reply. */
		if (m->next) {
			rte_pktmbuf_free(m->next);
			m->next = NULL;
			m->nb_segs = 1;
		}
		uint32_t len = frame_build_arp_reply(rte_pktmbuf_mtod(m, uint8_t *),
						     e->mac.addr_bytes, e->cfg.ip, p.arp_sha,
						     p.arp_spa);
		m->data_len = (uint16_t)len;
		m->pkt_len = len;
		arp[(*narp)++] = m;
		return;
	}
	if (v != RX_REQUEST) {
		rte_pktmbuf_free(m);
		return;
	}
	uint32_t type = type_of(e, p.req.type);
	uint32_t slot = eng_type_slot(type);
	if (type == PSP_TYPE_UNKNOWN)
		stat_add(&st->rx_unknown_type, 1);
	uint64_t seq = st->accepted; /* this lcore's own counter */
	stat_add(&st->accepted, 1);
	stat_add(&st->accepted_type[slot], 1);
	if (e->nfree == 0) {
		/* Every descriptor is held: the system is full.  Count, never lose. */
		stat_add(&st->dropped_queue_full, 1);
		stat_add(&st->dropped_type[slot], 1);
		eng_trace_record_drop(e, seq, tsc, slot);
		rte_pktmbuf_free(m);
		return;
	}
	struct eng_req *r = e->free_reqs[--e->nfree];
	memset(&r->req, 0, sizeof(r->req));
	r->req.id = p.req.req_id;
	r->req.type = type;
	r->req.arrive_ns = now_ns;
	r->req.service_ns = p.req.run_ns;
	r->req.remaining_ns = p.req.run_ns;
	/* The client's address and port, hashed (placement flow-hash: a flow
	 * always queues at the same worker, as RSS would steer it). */
	uint32_t h = p.src_ip * 0x9e3779b1u ^ (uint32_t)p.src_port * 0x85ebca6bu;
	r->req.flow = h ^ (h >> 16);
	r->m = m;
	r->wire = p.req;
	memcpy(r->ends.src_mac, e->mac.addr_bytes, 6);
	memcpy(r->ends.dst_mac, p.src_mac, 6);
	r->ends.src_ip = e->cfg.ip;
	r->ends.dst_ip = p.src_ip;
	r->ends.src_port = e->cfg.udp_port;
	r->ends.dst_port = p.src_port;
	r->arrive_tsc = tsc;
	r->seq = seq;
	r->dispatched = false;
	r->first_start_tsc = 0;
	r->preemptions = 0;
	r->ran_cycles = 0;
	r->status = 0;
	r->call.type = type;
	r->call.req = &r->wire;
	r->task = NULL;
	prof_mark(e, DISP_PH_CLASSIFY);
	psp_policy_enqueue(e->pol, &r->req, now_ns);
	prof_mark(e, DISP_PH_ENQUEUE);
}

/* A stint of r on worker w ended in a yield: hand r back to the policy. */
static void complete_preempted(struct engine *e, uint32_t w, struct eng_req *r,
			       uint64_t ran_ns, uint64_t now_ns)
{
	struct disp_stats *st = &e->st;
	/* The work left, for the record (the spin handler keeps its own on the
	 * request's stack; the policy re-queues by position, not by size). */
	r->req.remaining_ns -= ran_ns < r->req.remaining_ns ? ran_ns : r->req.remaining_ns;
	psp_policy_complete(e->pol, w, &r->req, ran_ns, false, now_ns);
	stat_add(&st->preempted_type[eng_type_slot(r->req.type)], 1);
	r->preemptions++;
	r->yield_tsc = r->end_tsc;
	r->yield_worker = (uint8_t)w;
	/* The round trip of a flag the dispatcher set for this stint. */
	uint64_t set = e->preempt_set_tsc[w];
	if (set && r->end_tsc >= set) {
		uint64_t lag_ns = tsc_cycles_to_ns(&e->clk, r->end_tsc - set);
		stat_add(&st->preempt_lag_count, 1);
		stat_add(&st->preempt_lag_sum_ns, lag_ns);
		if (lag_ns > st->preempt_lag_max_ns)
			__atomic_store_n(&st->preempt_lag_max_ns, lag_ns, __ATOMIC_RELAXED);
	}
}

/* r is done with (finished, or abandoned at stop): its stack, if any, goes
 * back to the pool (a DONE, READY or PREEMPTED task: psp_task_put cannot
 * fail), its descriptor to the free list. */
static void free_descriptor(struct engine *e, struct eng_req *r)
{
	if (r->task) {
		int rc = psp_task_put(&e->tasks, r->task);
		RTE_VERIFY(rc == 0);
		r->task = NULL;
	}
	e->free_reqs[e->nfree++] = r;
}

/* Collects finished and preempted requests from every worker and tells the
 * policy. */
static uint32_t drain_completions(struct engine *e, uint64_t now_ns)
{
	struct disp_stats *st = &e->st;
	uint32_t total = 0;
	for (uint32_t w = 0; w < e->cfg.nworkers; w++) {
		void *done[DISP_COMPLETIONS_BURST];
		unsigned n = rte_ring_sc_dequeue_burst(e->workers[w].done, done,
						       DISP_COMPLETIONS_BURST, NULL);
		struct eng_held *h = &e->held[w];
		for (unsigned i = 0; i < n; i++) {
			struct eng_req *r = done[i];
			/* Stints end in the order handed over: r is the head. */
			RTE_VERIFY(h->n > 0 && h->r[h->head] == r);
			h->head = (h->head + 1) % PSP_MAX_SLOTS;
			h->n--;
			uint64_t ran_ns = tsc_cycles_to_ns(&e->clk, r->end_tsc - r->start_tsc);
			if (!r->first_start_tsc)
				r->first_start_tsc = r->start_tsc;
			if (r->preemptions && r->start_tsc > r->yield_tsc) { /* back after a yield */
				uint64_t ns = tsc_cycles_to_ns(&e->clk, r->start_tsc - r->yield_tsc);
				stat_add(&st->requeue_count, 1);
				stat_add(&st->requeue_sum_ns, ns);
				if (ns > st->requeue_max_ns)
					__atomic_store_n(&st->requeue_max_ns, ns, __ATOMIC_RELAXED);
				stat_add(&st->requeue_migrated, r->yield_worker != w);
			}
			if (r->status == ENG_REQ_PREEMPTED) {
				complete_preempted(e, w, r, ran_ns, now_ns);
				e->preempt_set_tsc[w] = 0;
				continue;
			}
			e->preempt_set_tsc[w] = 0;
			psp_policy_complete(e->pol, w, &r->req, ran_ns, true, now_ns);
			uint32_t slot = eng_type_slot(r->req.type);
			if (r->status == ENG_REQ_ANSWERED) {
				stat_add(&st->answered, 1);
				stat_add(&st->answered_type[slot], 1);
			} else {
				stat_add(&st->tx_failed, 1);
				stat_add(&st->dropped_type[slot], 1);
			}
			eng_trace_record(e, r,
					 r->status == ENG_REQ_ANSWERED ? PSP_TRACE_ANSWERED
								       : PSP_TRACE_TX_FAILED,
					 w);
			free_descriptor(e, r);
		}
		total += n;
	}
	return total;
}

/* After the assignments in e->assign[0..n) are in their rings: wakes each
 * of those workers that parked (park.h: the fence orders the rings' tail
 * stores before the loads of the park words).  A worker not parked costs a
 * load. */
static void wake_assigned(struct engine *e, size_t n)
{
	uint64_t tsc = rte_rdtsc();
	park_fence();
	for (size_t i = 0; i < n; i++) {
		uint32_t w = e->assign[i].worker;
		if (park_wake(&e->park[w], tsc)) {
			stat_add(&e->st.wakes[w], 1);
			uint8_t g = e->worker_group[w];
			stat_add(g == ENG_NO_GROUP ? &e->wakes_unplanned : &e->wake_group[g].wakes, 1);
		}
	}
}

void eng_idle_on_plan(struct engine *e, const struct psp_darc_plan *plan)
{
	for (uint32_t w = 0; w < e->cfg.nworkers; w++) {
		uint8_t group = ENG_NO_GROUP;
		bool reserved = false;
		for (uint32_t g = 0; g < plan->ngroups; g++) {
			const struct psp_darc_group *grp = &plan->group[g];
			if (!(grp->reserved_mask >> w & 1))
				continue;
			uint32_t types = 0;
			for (uint32_t i = 0; i < grp->ntypes; i++)
				types |= 1u << grp->types[i];
			uint32_t k = 0;
			while (k < e->nwake_groups && e->wake_group[k].types != types)
				k++;
			if (k == e->nwake_groups && k < PSP_MAX_TYPES) {
				e->wake_group[k] = (struct eng_wake_group){.types = types};
				e->nwake_groups++;
			}
			/* Groups are planned shortest first: all but the last
			 * (longest) keep their cores from longer requests. */
			reserved = g + 1 < plan->ngroups;
			if (k < e->nwake_groups) {
				group = (uint8_t)k;
				e->wake_group[k].reserved |= reserved;
			}
			break;
		}
		e->worker_group[w] = group;
		atomic_store_explicit(&e->park[w].reserved, reserved, memory_order_relaxed);
	}
}

/* Hands the policy's decisions to the workers. */
static uint32_t dispatch(struct engine *e, uint64_t now_ns)
{
	/* cap: every slot of every worker (e->assign's size). */
	size_t n = psp_policy_dispatch(e->pol, now_ns, e->assign,
				       (size_t)e->cfg.nworkers * e->slots);
	prof_mark(e, DISP_PH_DISPATCH);
	for (size_t i = 0; i < n; i++) {
		struct psp_assign *a = &e->assign[i];
		a->req->dispatch_ns = now_ns; /* every dispatch is stamped */
		struct worker *w = &e->workers[a->worker];
		struct eng_req *r = psp_container_of(a->req, struct eng_req, req);
		if (!r->dispatched) { /* the trace's dispatch time: the first */
			r->dispatched = true;
			r->first_dispatch_ns = now_ns;
		}
		if (a->stolen)
			stat_add(&e->st.ws_steals, 1);
		/* setup_ns is a modelled cost: the engine pays its real one. */
		/* A time slice needs a stack of its own; with none left the
		 * request runs on the worker's stack, to completion (counted). */
		if (a->slice_ns > 0 && !r->task && psp_task_get(&e->tasks, &r->task) < 0) {
			r->task = NULL;
			stat_add(&e->st.preempt_no_stack, 1);
		}
		r->slice_cycles = e->worker_timed && a->slice_ns
					  ? tsc_ns_to_cycles(&e->clk, a->slice_ns) : 0;
		/* Not started: the worker stamps its start (preempt_tick). */
		__atomic_store_n(&r->start_tsc, 0, __ATOMIC_RELAXED);
		struct eng_held *h = &e->held[a->worker];
		RTE_VERIFY(h->n < e->slots);
		h->r[(h->head + h->n) % PSP_MAX_SLOTS] = r;
		h->n++;
		if (rte_ring_sp_enqueue(w->in, r) < 0) {
			/* Cannot happen: the ring has room for every slot.  If it
			 * did, wait for the worker rather than lose the request. */
			stat_add(&e->st.worker_ring_full, 1);
			while (rte_ring_sp_enqueue(w->in, r) < 0)
				rte_pause();
		}
	}
	if (n && e->parking)
		wake_assigned(e, n);
	return (uint32_t)n;
}

/* preempt.timer: worker: tells each worker whether another request waits
 * for it (in the policy's queue, or behind the one it runs in its own
 * slots), so that its slice yields past the quantum only then.  A store only
 * when the answer changes: the line stays in the worker's cache. */
static void publish_hints(struct engine *e)
{
	bool queued = psp_policy_queued(e->pol) > 0;
	for (uint32_t w = 0; w < e->cfg.nworkers; w++) {
		uint8_t want = queued || e->held[w].n > 1;
		if (want != e->hint_shadow[w]) {
			e->hint_shadow[w] = want;
			atomic_store_explicit(&e->hint[w].waiting, want, memory_order_relaxed);
		}
	}
}

/* Sets the flag of every worker the policy names (running stint past the
 * quantum) unless it is still set: the worker clears it when a stint starts,
 * so a flag that reads clear was either never set for this stint or lost
 * because it was set before the stint began.  The flag holds the running
 * stint's token: if that stint ended meanwhile and the worker went on with
 * the next request it holds, the flag is void for that one.  Returns how
 * many flags were set. */
static uint32_t preempt_tick(struct engine *e, uint64_t now_ns)
{
	uint32_t set = 0;
	uint32_t named[PSP_MAX_WORKERS];
	size_t n = psp_policy_tick(e->pol, now_ns, named, PSP_MAX_WORKERS);
	uint64_t tsc = n ? rte_rdtsc() : 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t w = named[i];
		struct psp_preempt_flag *f = &e->workers[w].exec.flag;
		if (psp_preempt_pending(f))
			continue;
		/* The policy counts the quantum from the dispatch; the worker
		 * may start the stint later (ring hand-off, or descheduled on a
		 * small machine).  Count it from the worker's own start so each
		 * stint gets a quantum of run time, not of waiting. */
		const struct eng_held *h = &e->held[w];
		if (h->n == 0)
			continue;
		struct eng_req *run = h->r[h->head];
		uint64_t start = __atomic_load_n(&run->start_tsc, __ATOMIC_ACQUIRE);
		if (start == 0 || tsc - start < e->quantum_cycles)
			continue;
		psp_preempt_request_token(f, __atomic_load_n(&run->stint_token,
							     __ATOMIC_RELAXED));
		e->preempt_set_tsc[w] = tsc;
		set++;
	}
	if (set)
		stat_add(&e->st.preempt_signals, set);
	return set;
}

uint64_t eng_abandon_in_flight(struct engine *e)
{
	if (!e->reqs)
		return 0;
	uint64_t now_ns = tsc_now_ns(&e->clk, rte_rdtsc());
	/* Stints the workers posted after the dispatcher stopped: answered
	 * ones are counted as such, preempted ones go back to the policy. */
	while (drain_completions(e, now_ns) > 0)
		;
	/* Now a descriptor still holds its request's mbuf exactly when the
	 * request is in flight (queued in the policy, waiting in a worker's
	 * ring, or preempted on its stack): a finished one gave its mbuf to
	 * the reply and its descriptor back to the free list. */
	uint64_t in_flight = eng_in_flight(e), abandoned = 0;
	for (uint32_t i = 0; i < e->cfg.requests; i++) {
		struct eng_req *r = &e->reqs[i];
		if (!r->m)
			continue;
		rte_pktmbuf_free(r->m);
		r->m = NULL;
		/* A started request may have run part of its work: its trace
		 * record keeps the stints it ran, with no worker. */
		eng_trace_record(e, r, PSP_TRACE_DROPPED_AT_STOP, UINT8_MAX);
		stat_add(&e->st.dropped_at_stop, 1);
		stat_add(&e->st.dropped_type[eng_type_slot(r->req.type)], 1);
		free_descriptor(e, r);
		abandoned++;
	}
	RTE_VERIFY(abandoned == in_flight && e->nfree == e->cfg.requests);
	return abandoned;
}

void eng_dispatcher_run(struct engine *e, const atomic_bool *quit)
{
	struct rte_mbuf *pkts[DISP_MAX_BURST], *arp[DISP_MAX_BURST];
	struct idle_state idle = {0};
	uint16_t burst = (uint16_t)(e->cfg.burst < DISP_MAX_BURST ? e->cfg.burst : DISP_MAX_BURST);
	bool draining = false;
	uint64_t drain_deadline = 0;

	/* --profile replays an endless source (a pcap file in a loop): poll it
	 * only while fewer than the workers' slots plus two bursts are in
	 * flight, so the source waits in the device instead of filling the
	 * queues (and a deep queue's descriptors, cold in the cache, are not
	 * what a dispatcher keeping up with its load touches). */
	uint32_t rx_bound = e->profile ? e->cfg.nworkers * e->slots + 2u * burst
				       : e->cfg.requests + 1;
	if (e->profile) {
		/* What one mark costs: its TSC read and bookkeeping, for the
		 * report to say how much of each phase is the profile itself. */
		uint64_t t0 = rte_rdtsc();
		for (int i = 0; i < 1000; i++)
			prof_mark(e, DISP_PH_IDLE);
		e->prof.mark_cycles = (double)(rte_rdtsc() - t0) / 1000.0;
		memset(&e->prof, 0, offsetof(struct disp_profile, mark_cycles));
	}
	e->prof.start_tsc = e->prof.t = rte_rdtsc();
	struct lcore_acct *acct = &e->disp_acct;
	uint64_t t = e->prof.start_tsc; /* the last TSC read: time up to it is charged */
	uint64_t cpu0 = eng_thread_cpu_ns();
	__atomic_store_n(&acct->start_tsc, t, __ATOMIC_RELEASE);
	for (;;) {
		uint64_t tsc = rte_rdtsc();
		uint64_t now_ns = tsc_now_ns(&e->clk, tsc);
		uint32_t work = 0;

		for (uint16_t q = 0; !draining && q < e->nb_rxq && eng_in_flight(e) < rx_bound; q++) {
			uint16_t n = rte_eth_rx_burst(e->port_id, q, pkts, burst);
			prof_mark(e, DISP_PH_RX);
			uint16_t narp = 0;
			stat_add(&e->st.rx_total, n);
			for (uint16_t i = 0; i < n; i++)
				rx_one(e, pkts[i], tsc, now_ns, arp, &narp);
			if (narp) {
				uint16_t failed = tx_all(e, arp, narp);
				stat_add(&e->st.arp_replied, (uint64_t)(narp - failed));
				stat_add(&e->st.arp_tx_failed, failed);
			}
			work += n;
		}
		work += drain_completions(e, now_ns);
		prof_mark(e, DISP_PH_COMPLETE);
		work += dispatch(e, now_ns);
		prof_mark(e, DISP_PH_HANDOFF);
		/* When the dispatcher times the slices (ts, concord) it is the
		 * workers' timer: while any worker runs a request it must keep
		 * polling, or (on a machine with fewer CPUs than busy threads)
		 * an idle back-off can cost it the CPU for a whole long
		 * request, which then runs unpreempted.  So a busy worker
		 * counts as work. */
		if (e->hinted)
			publish_hints(e);
		if (e->ticked) {
			preempt_tick(e, now_ns);
			if (psp_policy_idle_workers(e->pol) != e->all_workers_mask)
				work++;
		}

		if (!draining && atomic_load_explicit(quit, memory_order_relaxed)) {
			/* Stop taking requests; let those accepted finish. */
			draining = true;
			drain_deadline = now_ns + (uint64_t)e->cfg.drain_ms * 1000000ull;
		}
		if (draining && (eng_in_flight(e) == 0 || now_ns >= drain_deadline))
			break;
		uint64_t now = rte_rdtsc();
		stat_add(work ? &acct->work : &acct->spin, now - t);
		t = now;
		uint64_t before = idle.backoffs;
		idle_note(&idle, &e->cfg.idle, work != 0);
		if (idle.backoffs != before) {
			stat_add(&e->st.idle_backoffs, 1);
			/* A sched_yield() leaves the thread runnable: spin. */
			now = rte_rdtsc();
			stat_add(e->cfg.idle.sleep_us ? &acct->parked : &acct->spin, now - t);
			t = now;
		}
		if (e->profile)
			prof_fold(e, work != 0);
	}
	e->prof.end_tsc = rte_rdtsc();
	stat_add(&acct->work, e->prof.end_tsc - t); /* the last iteration's exit */
	acct->cpu_ns = eng_thread_cpu_ns() - cpu0;
	__atomic_store_n(&acct->end_tsc, e->prof.end_tsc, __ATOMIC_RELEASE);
}
