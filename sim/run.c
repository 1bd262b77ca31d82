/* One discrete-event run.  Simulated time moves in one place only (the pop
 * in run_loop); the policy core is called exactly as the engine's
 * dispatcher calls it: enqueue on arrival, complete on finish/preemption,
 * then dispatch and start what it returns. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <psp/darc.h>

#include "cells.h"
#include "evq.h"
#include "mser.h"
#include "point.h"
#include "reqpool.h"
#include "run.h"
#include "stability.h"
#include "system.h"
#include "trace.h"

/* The requests a worker holds, in the order assigned; the head runs.  Each
 * keeps its assignment (slice, setup time) and when the dispatcher had
 * handed it over (a serial dispatcher staggers hand-offs).
 *
 * Postponed preemptions: under a policy that declares it
 * (PSP_POLICY_PREEMPT_ALONE_IS_NOOP), with free preemption and hand-off, a
 * slice that ends while nothing else waits would hand the request straight
 * back to an idle worker with a fresh slice: a time-sharing run at load 0.9
 * spends about 40% of its preemptions so.  The head then runs on ("disarmed"):
 * only its finish is scheduled, and its slices keep ending, on paper, every
 * quantum after origin_ns.  When something starts waiting (the policy queues
 * a request, or the worker is given a second one) the worker is armed: its
 * next slice end becomes a preemption event, exactly when the preemption
 * would have come.  The slice ends skipped are still counted. */
struct worker_slot {
	struct psp_req *req;
	uint64_t slice_ns, setup_ns; /* its assignment's */
	uint64_t handoff_ns;
};

/* What the modelled machine (system.h) delays: a step of the dispatcher or
 * a notice on its way to it, pending in struct sys_queue. */
enum sys_event_kind {
	SYS_ARRIVAL_READY, /* the dispatcher has taken the arrival in: enqueue it */
	SYS_NOTICE_ARRIVE, /* a completion notice reaches the dispatcher */
	SYS_NOTICE_DONE,   /* ... and the dispatcher has taken it in: complete() */
};

struct sys_event {
	uint64_t at_ns, seq; /* in (at_ns, seq) order: the order of their making */
	struct psp_req *req;
	uint64_t ran_ns;
	uint32_t worker;
	uint8_t kind;
	bool finished;
};

/* A binary min-heap of the pending system events. */
struct sys_queue {
	struct sys_event *ev;
	uint32_t n, cap;
	uint64_t seq;
};

struct worker_fifo {
	struct worker_slot *slot; /* a ring of ring_mask + 1 (a power of two >= the
				   * slots, so one-slot policies touch one) */
	uint32_t head, len;
	uint64_t origin_ns;  /* disarmed: when its current run of slices began */
	uint64_t ran_ns;     /* the pending preemption ends this much work */
};

struct sim {
	const struct sim_setup *setup;
	struct sim_result *res;
	struct psp_policy *pol;
	struct psp_wl_sampler *sampler;
	struct sim_evq evq;
	struct sim_reqpool pool;
	struct worker_fifo *fifo; /* by worker: what it holds, the head runs */
	struct worker_slot *slots; /* their rings, one after the other */
	uint32_t ring_mask;
	uint64_t *stint_ns;       /* by worker: when its running request reached the head */
	struct psp_assign *assign;
	size_t assign_cap;        /* workers x slots: one dispatch fills every slot */
	uint32_t nworkers, ntypes;
	bool one_slot;            /* every worker holds at most one request */
	/* A model-only bound (PSP_POLICY_MODEL_ONLY) serves the requests
	 * itself: its next event is worker slot 0's, and done takes what it
	 * finished (fluid_step). */
	bool fluid;
	struct psp_req **done;
	bool postpone;            /* preemptions may be postponed (worker_fifo) */
	uint64_t disarmed;        /* bit w: worker w's head runs past its slice ends */
	uint32_t cur_slot;        /* the event being handled: its evq slot */
	uint64_t now_ns;
	bool clock_overflow; /* an event fell beyond SIM_EVQ_MAX_TIME_NS: the run stops */

	/* The setup's values the hot path reads, copied in (one load each, not two). */
	bool phased;              /* the workload has phases */
	const struct sim_trace *trace; /* a replay's trace, or NULL */
	uint64_t max_in_system, dispatch_cost_ns, preempt_cost_ns;
	bool central_arrivals, central_requeue; /* the steps dispatch_cost_ns is charged for */
	atomic_uint_fast64_t *progress;

	/* Arrival process. */
	uint32_t phase;
	double rate_per_ns;
	double next_arrival_ns; /* fractional, so rounding never accumulates */
	double phase_end_ns;
	double trace_scale;     /* a replay: inter-arrival times x this (trace.h) */
	uint64_t arrivals_left; /* unphased workloads */
	uint64_t warmup_arrivals; /* unphased: arrivals with id < this are not measured */
	double warmup_until_ns;   /* phased: arrivals before this are not measured */
	/* The policy profiles before its first plan (psp_policy_profiling):
	 * the window above stays closed until that plan is in force, then
	 * opens at the later of the warm-up and that moment (open_window). */
	bool profiling;
	uint64_t warmup_fraction_arrivals; /* the warm-up --warmup asks for */
	double warmup_fraction_ns;
	/* The window in cells (cells.h), when its start is chosen at the end
	 * (detect_warmup) or it is cut into batches; cells.n = 0 otherwise.
	 * detect: the slowdown series MSER-5 reads (mser.h). */
	struct sim_cells cells;
	bool detect;
	struct sim_warmup series;
	bool window_oom;

	/* Measurement window. */
	uint64_t first_measured_ns, last_arrival_ns;
	bool have_first;
	uint64_t measured_arrivals, completed_in_window;
	uint32_t fold_first; /* cells: the first measured (fold_window) */

	/* Overload verdict (stability.h): phased workloads cut the window by
	 * time, at these boundaries; others by arrival count, segment i
	 * starting at arrival id stab_first_id[i]. */
	struct sim_stability stab;
	double stab_boundary_ns[SIM_STAB_SEGMENTS + 1];
	uint64_t stab_first_id[SIM_STAB_SEGMENTS];
	uint32_t stab_next;       /* unphased: the next segment to open */
	uint64_t stab_next_id;    /* its first arrival id; UINT64_MAX once all are open */
	double longest_mean_ns;   /* the longest mean service time of any type and phase */

	uint64_t dispatcher_free_ns;
	uint64_t completions_since_progress;

	/* Time series (phased workloads). */
	uint64_t bin_start_ns;
	struct psp_hist *bin_lat; /* ntypes + 1 */

	/* The modelled machine (setup->system; system.h), NULL for the ideal
	 * one.  A part a policy's steps never meet is left NULL here. */
	const struct sim_system *sys;
	struct sim_sysrng rng;
	const struct sim_sysdist *sys_arrival, *sys_dispatch, *sys_completion;
	const struct sim_sysdist *sys_handoff, *sys_notice, *sys_network;
	const struct sim_sysdist *sys_signal, *sys_pcost, *sys_wakeup;
	uint64_t park_after_ns;   /* UINT64_MAX: workers never park */
	bool sys_notices;         /* completions pass a notice path (sys_queue) */
	struct sys_queue sysq;
	bool sys_oom;
	uint64_t *idle_since_ns;  /* by worker: when it last stopped running */
	uint64_t *run_start_ns;   /* by worker: when its current stint began (woken) */
};

/* splitmix64's finaliser */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t sim_point_seed(uint64_t seed, double load)
{
	/* the seed and the load in millionths */
	return mix64(seed ^ ((uint64_t)llround(load * 1e6) * 0x9e3779b97f4a7c15ull));
}

uint64_t sim_replication_seed(uint64_t seed, double load, uint32_t rep)
{
	uint64_t point = sim_point_seed(seed, load);
	return rep == 0 ? point : mix64(point + (uint64_t)rep * 0xd1b54a32d192ed03ull);
}

static bool sys_before(const struct sys_event *a, const struct sys_event *b)
{
	return a->at_ns < b->at_ns || (a->at_ns == b->at_ns && a->seq < b->seq);
}

/* Schedules a system event; out of memory stops the run (sys_oom). */
static void sys_push(struct sim *s, struct sys_event e)
{
	struct sys_queue *q = &s->sysq;
	if (e.at_ns > SIM_EVQ_MAX_TIME_NS) {
		s->clock_overflow = true;
		return;
	}
	if (q->n == q->cap) {
		uint32_t cap = q->cap ? 2 * q->cap : 64;
		void *n = realloc(q->ev, cap * sizeof(*q->ev));
		if (!n) {
			s->sys_oom = true;
			return;
		}
		q->ev = n;
		q->cap = cap;
	}
	e.seq = q->seq++;
	uint32_t i = q->n++;
	while (i > 0 && sys_before(&e, &q->ev[(i - 1) / 2])) {
		q->ev[i] = q->ev[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	q->ev[i] = e;
}

static struct sys_event sys_pop(struct sys_queue *q)
{
	struct sys_event top = q->ev[0], last = q->ev[--q->n];
	uint32_t i = 0;
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= q->n)
			break;
		if (c + 1 < q->n && sys_before(&q->ev[c + 1], &q->ev[c]))
			c++;
		if (!sys_before(&q->ev[c], &last))
			break;
		q->ev[i] = q->ev[c];
		i = c;
	}
	if (q->n)
		q->ev[i] = last;
	return top;
}

/* One draw of part d (NULL: absent, 0). */
static inline uint64_t sys_draw(struct sim *s, const struct sim_sysdist *d)
{
	return d ? sim_sysdist_draw_ns(d, &s->rng) : 0;
}

/* The serial dispatcher takes a step of cost ns that reaches it now: it
 * starts when it is free and is done at the returned time. */
static uint64_t dispatcher_step(struct sim *s, uint64_t cost)
{
	uint64_t at = s->dispatcher_free_ns > s->now_ns ? s->dispatcher_free_ns : s->now_ns;
	at += cost;
	s->dispatcher_free_ns = at;
	s->res->dispatcher_busy_ns += cost;
	return at;
}

double sim_setup_machine_ns(const struct sim_setup *setup)
{
	double ns = (double)setup->dispatch_cost_ns;
	const struct sim_system *sys = setup->system;
	if (!sys)
		return ns;
	const struct sim_system_preempt *p = sim_system_preempt_for(sys, setup->policy);
	const struct sim_sysdist *part[] = {&sys->disp_arrival, &sys->disp_dispatch,
					    &sys->disp_completion, &sys->handoff, &sys->notice,
					    &sys->wakeup, &sys->network, &sys->network,
					    &p->cost, &p->signal};
	for (size_t i = 0; i < sizeof(part) / sizeof(part[0]); i++)
		ns += sim_sysdist_mean_us(part[i]) * 1e3;
	return ns;
}

int sim_setup_default(struct sim_setup *setup, const struct psp_workload *wl,
		      const struct psp_policy_ops *ops, uint32_t nworkers)
{
	*setup = (struct sim_setup){
		.wl = wl, .policy = ops, .requests = 1000000, .phase_scale = 1.0,
		.warmup = 0.1, .detect_warmup = true, .max_in_system = 10000000, .seed = 1,
	};
	struct psp_policy_conf *conf = psp_policy_conf_new(nworkers, wl->ntypes);
	if (!conf)
		return -ENOMEM;
	for (uint32_t t = 0; t < wl->ntypes; t++) {
		double mean_us, ratio;
		psp_workload_nominal(wl, t, &mean_us, &ratio);
		psp_policy_conf_set_type(conf, t, wl->type_name[t], (uint64_t)(mean_us * 1e3 + 0.5),
					 ratio);
	}
	setup->conf = conf;
	return 0;
}

void sim_setup_free(struct sim_setup *setup)
{
	psp_policy_conf_free(setup->conf);
	setup->conf = NULL;
}

uint64_t sim_knob_stored(const struct psp_policy_conf *conf, const char *name)
{
	const struct psp_param *prm = psp_param_find(name);
	PSP_CHECK(prm != NULL);
	return (uint64_t)psp_param_stored(conf, prm);
}

static uint64_t sampler_u64(void *ctx)
{
	return psp_wl_sample_u64(ctx);
}

static void record_reservation(void *ctx, uint64_t now_ns, const struct psp_darc_plan *plan)
{
	struct sim *s = ctx;
	struct sim_result *res = s->res;
	if (!s->setup->timeline)
		return;
	if (res->ntimeline == res->cap_timeline) {
		uint32_t cap = res->cap_timeline ? 2 * res->cap_timeline : 16;
		void *t = realloc(res->timeline, cap * sizeof(*res->timeline));
		if (!t) {
			res->timeline_truncated = true; /* reported, never silent */
			return;
		}
		res->timeline = t;
		res->cap_timeline = cap;
	}
	res->timeline[res->ntimeline++] = (struct sim_reservation){.time_ns = now_ns, .plan = *plan};
}

static void set_phase(struct sim *s, uint32_t ph, double load)
{
	const struct psp_wl_phase *p = &s->setup->wl->phase[ph];
	s->phase = ph;
	s->rate_per_ns = load * s->nworkers / (p->mean_service_us * 1e3);
	s->phase_end_ns = p->duration_ms > 0 ? s->phase_end_ns + p->duration_ms * 1e6 * s->setup->phase_scale
					     : INFINITY;
}

/* Schedules the next arrival, crossing phase boundaries (Poisson arrivals
 * are memoryless, so redrawing at a boundary with the new rate is exact). */
static void schedule_arrival(struct sim *s, double load)
{
	if (!s->phased && s->arrivals_left == 0)
		return;
	if (s->trace) { /* a replay: the next row's arrival */
		uint64_t at = sim_trace_arrival_ns(s->trace, s->res->arrivals, s->trace_scale);
		if (at > SIM_EVQ_MAX_TIME_NS)
			s->clock_overflow = true;
		else
			sim_evq_set_arrival(&s->evq, at);
		return;
	}
	for (;;) {
		double t = s->next_arrival_ns + psp_wl_sample_gap_ns(s->sampler, s->rate_per_ns);
		if (t < s->phase_end_ns) {
			s->next_arrival_ns = t;
			break;
		}
		s->next_arrival_ns = s->phase_end_ns;
		if (s->phase + 1 >= s->setup->wl->nphases)
			return; /* the last phase is over */
		set_phase(s, s->phase + 1, load);
	}
	if (!(s->next_arrival_ns + 0.5 <= (double)SIM_EVQ_MAX_TIME_NS)) {
		s->clock_overflow = true;
		return;
	}
	sim_evq_set_arrival(&s->evq, (uint64_t)(int64_t)(s->next_arrival_ns + 0.5)); /* < 2^56 */
}

static int on_arrival(struct sim *s, double load)
{
	struct sim_result *res = s->res;
	uint64_t id = res->arrivals++;
	if (s->arrivals_left)
		s->arrivals_left--;
	uint32_t cell = s->cells.n ? sim_cells_arrive(&s->cells, id, s->now_ns) : 0;
	bool measured = s->cells.n ? false
		      : !s->phased ? id >= s->warmup_arrivals
				   : (double)(int64_t)s->now_ns >= s->warmup_until_ns;
	schedule_arrival(s, load);
	if (id >= s->stab_next_id) {
		while (s->stab_next < SIM_STAB_SEGMENTS && id >= s->stab_first_id[s->stab_next])
			s->stab_next++;
		sim_stab_segment(&s->stab, s->stab_next - 1, s->now_ns);
		s->stab_next_id = s->stab_next < SIM_STAB_SEGMENTS ? s->stab_first_id[s->stab_next]
								   : UINT64_MAX;
	}
	if (measured) {
		if (!s->have_first) {
			s->first_measured_ns = s->now_ns;
			s->have_first = true;
			res->window_first_id = id;
		}
		s->measured_arrivals++;
	}
	/* Completions up to the last arrival are the achieved throughput:
	 * counted when the arrival process has no next one. */
	if (!sim_evq_arrival_pending(&s->evq)) {
		s->last_arrival_ns = s->now_ns;
		s->completed_in_window = res->measured;
		if (s->cells.n)
			sim_cells_last_arrival(&s->cells);
	}

	if (s->pool.in_use >= s->max_in_system) {
		res->dropped++;
		if (s->setup->on_dropped)
			s->setup->on_dropped(s->setup->on_done_ctx, id);
		return 0;
	}
	struct psp_req *r = sim_reqpool_get(&s->pool);
	if (!r)
		return -ENOMEM;
	uint32_t type;
	uint64_t service;
	if (s->trace) { /* a replay: the row's */
		type = s->trace->row[id].type;
		service = s->trace->row[id].service_ns;
	} else {
		type = psp_wl_sample_type(s->sampler, s->phase);
		service = psp_wl_sample_service_ns(s->sampler, s->phase, type);
	}
	/* Every field a policy or this file reads before writing it; the
	 * wrappers stamp enqueue_ns and worker, start_head dispatch_ns, and
	 * host is the pool's. */
	r->link.next = NULL;
	r->id = id;
	r->arrive_ns = s->now_ns;
	r->service_ns = service;
	r->remaining_ns = service;
	r->type = type;
	r->preemptions = 0;
	r->flow = (uint32_t)((id * 0x9e3779b97f4a7c15ull) >> 32); /* every request its own flow */
	r->host_flags = s->cells.n ? cell : measured; /* 0: not measured */
	sim_stab_change(&s->stab, type, +1, s->now_ns);
	if (!s->phased && s->arrivals_left == 0)
		sim_stab_close(&s->stab, s->now_ns); /* the window ends at the last arrival */
	if (s->sys_arrival) /* the dispatcher takes it in first */
		sys_push(s, (struct sys_event){.at_ns = dispatcher_step(s, sys_draw(s, s->sys_arrival)),
					       .req = r, .kind = SYS_ARRIVAL_READY});
	else
		psp_policy_enqueue(s->pol, r, s->now_ns);
	return 0;
}

static void flush_bin(struct sim *s)
{
	struct sim_result *res = s->res;
	for (uint32_t t = 0; t <= s->ntypes; t++) {
		struct psp_hist *h = &s->bin_lat[t];
		if (h->count == 0)
			continue;
		if (res->nseries == res->cap_series) {
			uint32_t cap = res->cap_series ? 2 * res->cap_series : 64;
			void *n = realloc(res->series, cap * sizeof(*res->series));
			if (!n)
				return;
			res->series = n;
			res->cap_series = cap;
		}
		res->series[res->nseries++] = (struct sim_series_row){
			.bin_start_ns = s->bin_start_ns, .type = t, .count = h->count,
			.p50_ns = psp_hist_quantile(h, 0.5), .p99_ns = psp_hist_quantile(h, 0.99),
			.p999_ns = psp_hist_quantile(h, 0.999)};
		psp_hist_reset(h);
	}
}

static void record_completion(struct sim *s, struct psp_req *r)
{
	struct sim_result *res = s->res;
	uint64_t latency = s->now_ns - r->arrive_ns;
	if (s->sys_network) /* the client's latency: the way in and the way back */
		latency += sys_draw(s, s->sys_network) + sys_draw(s, s->sys_network);
	res->completed++;
	sim_stab_change(&s->stab, r->type, -1, s->now_ns);
	if (s->bin_lat) {
		uint64_t bin = s->setup->series_bin_ns;
		if (s->now_ns >= s->bin_start_ns + bin) {
			flush_bin(s);
			s->bin_start_ns = s->now_ns / bin * bin;
		}
		psp_hist_record(&s->bin_lat[r->type], latency);
		psp_hist_record(&s->bin_lat[s->ntypes], latency);
	}
	res->work_done_ns += r->service_ns;
	res->sojourn_sum_ns += latency;
	if (s->setup->on_done)
		s->setup->on_done(s->setup->on_done_ctx, sim_req_of(r), s->now_ns);
	if (!r->host_flags)
		return; /* warm-up */
	/* Times are below 2^56: converted through int64_t, one instruction
	 * each (from uint64_t, several), the same values.  latency x 1000 /
	 * 1 ns may pass 2^64: clamp before the cast. */
	double slow = (double)(int64_t)latency * SIM_SLOWDOWN_SCALE /
		      (double)(int64_t)r->service_ns + 0.5;
	uint64_t slow_k = slow < 0x1p63 ? (uint64_t)slow : UINT64_C(1) << 63;
	if (s->cells.n) { /* the window is chosen at the end (fold_window) */
		struct sim_cell *c = &s->cells.cell[r->host_flags - 1];
		c->measured++;
		c->measured_service_ns += r->service_ns;
		psp_hist_record(&c->lat[r->type], latency);
		psp_hist_record(&c->slow[r->type], slow_k);
		if (s->detect)
			sim_warmup_add(&s->series, r->id, (double)slow_k / SIM_SLOWDOWN_SCALE);
		return;
	}
	res->measured++;
	res->measured_service_ns += r->service_ns;
	psp_hist_record(&res->lat[r->type], latency);
	psp_hist_record(&res->slow[r->type], slow_k);
}

/* Nothing but worker w's head waits for w: a preemption now would hand it
 * back to an idle worker at once (worker_fifo). */
static bool alone(const struct sim *s, uint32_t w)
{
	return s->postpone && s->fifo[w].len == 1 && psp_policy_queued(s->pol) == 0;
}

/* Schedules the next event of worker w's head a (passed by value: the
 * caller's copy, not one read back from the FIFO), which runs from start:
 * its finish, or the end of its slice, or, when nothing else waits, its
 * finish with the slice ends postponed (worker_fifo). */
static void run_head(struct sim *s, uint32_t w, const struct worker_slot *a, uint64_t start)
{
	struct worker_fifo *f = &s->fifo[w];
	uint64_t remaining = a->req->remaining_ns;
	/* Each term is below 2^60 (service times are capped at 1e15 ns, knobs
	 * and costs far lower), so the sums cannot wrap. */
	bool preempt = a->slice_ns && remaining > a->slice_ns;
	if (preempt && start == s->now_ns && alone(s, w)) {
		s->disarmed |= 1ull << w;
		f->origin_ns = start;
		preempt = false;
	}
	uint64_t ran = a->slice_ns, cost = s->preempt_cost_ns;
	if (preempt && s->sys_signal) { /* it runs on until the signal arrives */
		ran += sys_draw(s, s->sys_signal);
		preempt = remaining > ran;
	}
	if (preempt && s->sys_pcost)
		cost = sys_draw(s, s->sys_pcost);
	f->ran_ns = ran;
	uint64_t at = preempt ? start + ran + cost : start + remaining;
	if (at > SIM_EVQ_MAX_TIME_NS) { /* at >= start */
		s->clock_overflow = true;
		return;
	}
	sim_evq_set(&s->evq, at, preempt ? SIM_EV_PREEMPT : SIM_EV_FINISH, w);
}

static void skip_slice_ends(struct sim *s, uint64_t n)
{
	s->res->preemptions += n;
	s->res->preempt_postponed += n;
}

/* Worker w's head was disarmed: makes its next slice end (after now, or at
 * now if that event would come after the one being handled) a preemption
 * event, and counts the slice ends it ran past. */
static void arm(struct sim *s, uint32_t w)
{
	struct worker_fifo *f = &s->fifo[w];
	const struct worker_slot *a = &f->slot[f->head];
	uint64_t q = a->slice_ns, rem = a->req->remaining_ns, origin = f->origin_ns;
	PSP_ASSERT(origin <= s->now_ns);
	s->disarmed &= ~(1ull << w);
	uint64_t elapsed = s->now_ns - origin, k = elapsed / q, end;
	if (elapsed % q == 0 && k > 0 && w > s->cur_slot)
		k--; /* its slice end at now comes after this event: still ahead */
	end = origin + (k + 1) * q;
	if (origin + rem <= end) { /* it finishes first: every slice end is skipped */
		skip_slice_ends(s, (rem - 1) / q);
		return;
	}
	skip_slice_ends(s, k);
	f->ran_ns = end - origin;
	sim_evq_set(&s->evq, end, SIM_EV_PREEMPT, w);
}

static void arm_all(struct sim *s)
{
	for (uint64_t m = s->disarmed; m; m &= m - 1)
		arm(s, (uint32_t)__builtin_ctzll(m));
}

/* Worker w, idle since idle_since_ns, gets work at avail: accounts the
 * idle time (spinning, then parked past park_after), and returns when it
 * can start (a parked worker wakes first). */
static uint64_t wake(struct sim *s, uint32_t w, uint64_t avail)
{
	struct sim_result *res = s->res;
	uint64_t gap = avail - s->idle_since_ns[w];
	if (gap > s->park_after_ns) {
		uint64_t up = sys_draw(s, s->sys_wakeup);
		res->cpu_spin_ns += s->park_after_ns;
		res->cpu_parked_ns += gap - s->park_after_ns + up;
		res->wakeups++;
		avail += up;
	} else {
		res->cpu_spin_ns += gap;
	}
	s->run_start_ns[w] = avail;
	return avail;
}

/* Starts the head of worker w's FIFO now (head: a copy of it, passed by
 * value): after its hand-off and its modelled setup time (a steal's cost).
 * A request that will not finish within its slice is preempted at the
 * slice's end, and its worker is freed preempt_cost_ns later (the cost of
 * saving its context). */
static void start_head(struct sim *s, uint32_t w, struct worker_slot head)
{
	uint64_t start = head.handoff_ns;
	if (start < s->now_ns)
		start = s->now_ns;
	if (s->sys)
		start = wake(s, w, start);
	start += head.setup_ns;
	head.req->dispatch_ns = start;
	if (head.req->preemptions == 0) { /* its first hand-off and start */
		if (!s->sys_handoff) /* else hand_over kept the decision's time */
			sim_req_of(head.req)->handoff_ns = head.handoff_ns;
		sim_req_of(head.req)->start_ns = start;
	}
	s->stint_ns[w] = s->now_ns;
	run_head(s, w, &head, start);
}

/* Worker w's finish or preemption of r reaches the dispatcher after the
 * notice latency, then takes its completion step there (sys_queue). */
static void send_notice(struct sim *s, uint32_t w, struct psp_req *r, uint64_t ran,
			bool finished)
{
	struct sys_event e = {.req = r, .ran_ns = ran, .worker = w, .finished = finished};
	if (s->sys_notice) {
		e.at_ns = s->now_ns + sys_draw(s, s->sys_notice);
		e.kind = SYS_NOTICE_ARRIVE;
	} else {
		e.at_ns = dispatcher_step(s, sys_draw(s, s->sys_completion));
		e.kind = SYS_NOTICE_DONE;
	}
	sys_push(s, e);
}

static void on_sys_event(struct sim *s, const struct sys_event *e)
{
	switch (e->kind) {
	case SYS_ARRIVAL_READY:
		psp_policy_enqueue(s->pol, e->req, s->now_ns);
		return;
	case SYS_NOTICE_ARRIVE:
		if (s->sys_completion) {
			struct sys_event done = *e;
			done.kind = SYS_NOTICE_DONE;
			done.at_ns = dispatcher_step(s, sys_draw(s, s->sys_completion));
			sys_push(s, done);
			return;
		}
		break;
	}
	psp_policy_complete(s->pol, e->worker, e->req, e->ran_ns, e->finished, s->now_ns);
	if (e->finished)
		sim_reqpool_put(&s->pool, e->req);
}

static void on_worker_event(struct sim *s, const struct sim_event *ev)
{
	uint32_t w = ev->worker;
	struct worker_fifo *f = &s->fifo[w];
	struct psp_req *r = f->slot[f->head].req;
	uint64_t ran = f->ran_ns;
	if (ev->kind == SIM_EV_PREEMPT && alone(s, w)) {
		/* nothing waits after all: it runs on (worker_fifo) */
		r->remaining_ns -= ran;
		s->res->preemptions++;
		run_head(s, w, &f->slot[f->head], s->now_ns);
		return;
	}
	if (s->disarmed & (1ull << w)) { /* it finishes past skipped slice ends */
		s->disarmed &= ~(1ull << w);
		skip_slice_ends(s, (r->remaining_ns - 1) / f->slot[f->head].slice_ns);
	}
	f->head = (f->head + 1) & s->ring_mask;
	f->len--;
	s->res->busy_ns += s->now_ns - s->stint_ns[w];
	if (s->sys) {
		s->res->cpu_busy_ns += s->now_ns - s->run_start_ns[w];
		s->idle_since_ns[w] = s->now_ns;
	}
	bool finished = ev->kind == SIM_EV_FINISH;
	/* a step the central dispatcher must learn of, through the notice path */
	bool notice = s->sys_notices && (finished ? s->central_arrivals : s->central_requeue);
	if (!finished) {
		r->remaining_ns -= ran;
		s->res->preemptions++;
		if (notice)
			send_notice(s, w, r, ran, false);
		else
			psp_policy_complete(s->pol, w, r, ran, false, s->now_ns);
	} else {
		if (notice) {
			send_notice(s, w, r, r->remaining_ns, true);
			record_completion(s, r); /* the reply leaves the worker now */
		} else {
			psp_policy_complete(s->pol, w, r, r->remaining_ns, true, s->now_ns);
			record_completion(s, r);
			sim_reqpool_put(&s->pool, r);
		}
		if (s->progress && ++s->completions_since_progress == 65536) {
			atomic_fetch_add(s->progress, s->completions_since_progress);
			s->completions_since_progress = 0;
		}
	}
	if (f->len) /* the next request it holds starts at once */
		start_head(s, w, f->slot[f->head]);
}

/* A field dispatch has just stored, read alone: the compiler may not merge
 * it with its neighbour into one wide load, which would wait for both
 * stores to retire (no store forwarding).  Such wide copies of the
 * assignment took 14% of c-FCFS's time and 24% of ts's. */
static inline uint64_t fresh_u64(const uint64_t *p)
{
	uint64_t v = *p;
	__asm__("" : "+r"(v));
	return v;
}

/* Appends an assignment to its worker's FIFO; a serial dispatcher spends
 * dispatch_cost_ns on each one it makes, so a burst of hand-offs is
 * staggered.  The policy says which steps pass the dispatcher
 * (PSP_POLICY_CENTRAL_*): none where the NIC places arrivals, and not the
 * return of a preempted request that stays on its worker.  An idle worker
 * starts it at once. */
static void hand_over(struct sim *s, const struct psp_assign *a)
{
	uint64_t handoff = s->now_ns;
	bool central = a->req->preemptions == 0 ? s->central_arrivals : s->central_requeue;
	if (s->dispatch_cost_ns && !s->sys_dispatch && central)
		handoff = dispatcher_step(s, s->dispatch_cost_ns);
	if (s->sys && central) {
		if (s->sys_dispatch)
			handoff = dispatcher_step(s, sys_draw(s, s->sys_dispatch));
		/* the decision's time is the request's dispatch_ns (as psp-engine's
		 * trace records it); the worker can start it a hand-off later */
		if (s->sys_handoff && a->req->preemptions == 0)
			sim_req_of(a->req)->handoff_ns = handoff;
		handoff += sys_draw(s, s->sys_handoff);
	}
	struct worker_fifo *f = &s->fifo[a->worker];
	PSP_ASSERT(f->len <= s->ring_mask);
	s->res->steals += a->stolen;
	uint32_t tail = (f->head + f->len) & s->ring_mask;
	struct worker_slot slot = {.req = a->req, .slice_ns = fresh_u64(&a->slice_ns),
				   .setup_ns = fresh_u64(&a->setup_ns), .handoff_ns = handoff};
	f->slot[tail] = slot;
	if (++f->len == 1)
		start_head(s, a->worker, slot);
	else if (s->disarmed & (1ull << a->worker))
		arm(s, a->worker); /* its head no longer runs alone */
}

/* Bits set in x, without the libgcc call __builtin_popcountll becomes when
 * the target has no popcnt instruction (plain x86-64). */
static inline uint64_t popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (x * 0x0101010101010101ull) >> 56;
}

/* The state held constant since the last event, over dt: requests in the
 * system, and idle workers facing queued requests (work conservation). */
static void account_interval(struct sim *s, uint64_t dt)
{
	if (dt == 0)
		return;
	s->res->in_system_area += s->pool.in_use * dt;
	/* Waiting: in the policy's queues, or held by a worker behind the
	 * request it runs (every worker holding something runs one). */
	if (s->fluid) { /* a bound's min(n, W) cores are busy: each is work-conserving */
		uint64_t n = s->pool.in_use;
		s->res->busy_ns += (n < s->nworkers ? n : s->nworkers) * dt;
		return;
	}
	uint64_t idle_mask = psp_policy_idle_workers(s->pol);
	if (!idle_mask || (s->one_slot && psp_policy_queued(s->pol) == 0))
		return; /* none idle, or none waiting (one slot: held = busy) */
	uint64_t idle = popcount64(idle_mask);
	uint64_t waiting = psp_policy_queued(s->pol) + psp_policy_held(s->pol) -
			   (s->nworkers - idle);
	if (waiting && idle)
		s->res->idle_while_queued_ns += (idle < waiting ? idle : waiting) * dt;
}

/* Phased workloads: opens the stability segments whose start time has come,
 * at their boundary, and closes the window at its end. */
static void stab_advance(struct sim *s, uint64_t to_ns)
{
	struct sim_stability *st = &s->stab;
	while (!st->closed) {
		uint32_t next = (uint32_t)(st->seg + 1);
		double at = s->stab_boundary_ns[next];
		if ((double)to_ns < at)
			break;
		if (next == SIM_STAB_SEGMENTS)
			sim_stab_close(st, (uint64_t)at);
		else
			sim_stab_segment(st, next, (uint64_t)at);
	}
}

/* The phased workload's length, scaled. */
static double total_duration_ns(const struct sim *s)
{
	double total_ms = 0;
	for (uint32_t p = 0; p < s->setup->wl->nphases; p++)
		total_ms += s->setup->wl->phase[p].duration_ms * s->setup->phase_scale;
	return total_ms * 1e6;
}

/* No arrival is measured and no stability segment opens (a learning policy
 * still profiles). */
static void close_window(struct sim *s)
{
	s->cells.first_id = UINT64_MAX;
	s->cells.by_time = false;
	s->warmup_arrivals = UINT64_MAX;
	s->stab_next_id = UINT64_MAX;
	s->warmup_until_ns = INFINITY;
	for (uint32_t i = 0; i <= SIM_STAB_SEGMENTS; i++)
		s->stab_boundary_ns[i] = INFINITY;
}

/* The measured window: from the later of the warm-up and (from_id,
 * from_ns), the first arrival and the time after which the policy is its
 * own, to the end of the run. */
static void open_window(struct sim *s, uint64_t from_id, uint64_t from_ns)
{
	const struct sim_setup *setup = s->setup;
	if (!s->phased) {
		uint64_t start = s->warmup_fraction_arrivals > from_id ? s->warmup_fraction_arrivals
									: from_id;
		if (start > setup->requests)
			start = setup->requests;
		s->warmup_arrivals = start;
		/* Equal shares of the measured arrivals: arrival id belongs to
		 * segment floor((id - warmup) x K / measured), so segment i starts
		 * at warmup + ceil(i x measured / K). */
		uint64_t measured = setup->requests - start;
		for (uint32_t i = 0; i < SIM_STAB_SEGMENTS; i++)
			s->stab_first_id[i] = start +
				(i * measured + SIM_STAB_SEGMENTS - 1) / SIM_STAB_SEGMENTS;
		s->stab_next_id = s->stab_first_id[0];
		if (s->cells.cell) { /* the candidate window: from the profile's end
				      * when detecting, else from the warm-up's */
			uint64_t first = s->detect ? from_id : start;
			uint64_t n = setup->requests > first ? setup->requests - first : 0;
			s->cells.first_id = first;
			s->cells.per = n / s->cells.n + (n % s->cells.n != 0);
			if (s->cells.per == 0)
				s->cells.per = 1;
			if (s->detect && sim_warmup_init(&s->series, first, n) < 0)
				s->window_oom = true;
		}
	} else {
		double total_ns = total_duration_ns(s);
		double start = fmax(s->warmup_fraction_ns, (double)from_ns);
		s->warmup_until_ns = start;
		s->stab_next_id = UINT64_MAX; /* cut by time (stab_advance) */
		for (uint32_t i = 0; i <= SIM_STAB_SEGMENTS; i++)
			s->stab_boundary_ns[i] = start + (total_ns - start) * i / SIM_STAB_SEGMENTS;
		if (s->cells.cell) { /* batches of equal time (no detection: phased) */
			s->cells.by_time = true;
			s->cells.from_ns = start;
			s->cells.cell_ns = fmax((total_ns - start) / s->cells.n, 1);
		}
	}
}

/* The learning policy's first plan is in force from now on: the window
 * opens at the next arrival (or at the warm-up's end, if later). */
static void profiling_over(struct sim *s)
{
	s->profiling = false;
	s->res->profiled_arrivals = s->res->arrivals;
	s->res->profiled_ns = s->now_ns;
	open_window(s, s->res->arrivals, s->now_ns);
}

/* The next event, of the event queue or of the system's: a system event
 * goes first only when strictly earlier (sim_evq's order otherwise). */
static bool next_event(struct sim *s, struct sim_event *ev, struct sys_event *sys_ev,
		       bool *is_sys)
{
	*is_sys = false;
	if (s->sysq.n) {
		uint64_t at = sim_evq_peek_at(&s->evq);
		if (at == SIM_EVQ_NONE || s->sysq.ev[0].at_ns < at) {
			*sys_ev = sys_pop(&s->sysq);
			ev->at_ns = sys_ev->at_ns;
			ev->worker = SIM_EVQ_ARRIVAL_SLOT + 1; /* after every evq slot */
			*is_sys = true;
			return true;
		}
	}
	return sim_evq_pop(&s->evq, ev);
}

#define SIM_FLUID_BATCH 64u

/* A model-only bound after an event: records the requests it finished by
 * now (a request that finished between two nanoseconds at the later one),
 * then schedules its next event as worker slot 0's. */
static void fluid_step(struct sim *s)
{
	size_t n;
	do {
		n = psp_policy_advance(s->pol, s->now_ns, s->done, SIM_FLUID_BATCH);
		for (size_t i = 0; i < n; i++) {
			struct psp_req *r = s->done[i];
			r->remaining_ns = 0; /* the bound's key until now */
			record_completion(s, r);
			sim_reqpool_put(&s->pool, r);
		}
		if (s->progress && (s->completions_since_progress += n) >= 65536) {
			atomic_fetch_add(s->progress, s->completions_since_progress);
			s->completions_since_progress = 0;
		}
	} while (n == SIM_FLUID_BATCH);
	uint64_t at = psp_policy_next_ns(s->pol);
	if (at == UINT64_MAX)
		return; /* nothing held: slot 0's popped event is dropped */
	if (at < s->now_ns) /* a double's rounding of a late clock (past 2^53 ns) */
		at = s->now_ns;
	if (at > SIM_EVQ_MAX_TIME_NS) {
		s->clock_overflow = true;
		return;
	}
	sim_evq_set(&s->evq, at, SIM_EV_FINISH, 0);
}

static int run_loop(struct sim *s, double load)
{
	struct sim_event ev;
	struct sys_event sys_ev;
	bool phased = s->phased, is_sys;
	while (next_event(s, &ev, &sys_ev, &is_sys)) {
		PSP_ASSERT(ev.at_ns >= s->now_ns);
		account_interval(s, ev.at_ns - s->now_ns);
		if (phased)
			stab_advance(s, ev.at_ns);
		s->now_ns = ev.at_ns;
		s->cur_slot = ev.worker;
		s->res->events++;
		if (is_sys) {
			on_sys_event(s, &sys_ev);
		} else if (ev.kind == SIM_EV_ARRIVAL) {
			if (on_arrival(s, load) < 0)
				return -ENOMEM;
		} else if (!s->fluid) {
			on_worker_event(s, &ev);
		}
		if (s->sys_oom || s->window_oom)
			return -ENOMEM;
		if (s->fluid) { /* the bound's event, or an arrival: it serves up to now */
			fluid_step(s);
			if (s->clock_overflow)
				return -ERANGE;
			continue;
		}
		size_t n = psp_policy_dispatch(s->pol, s->now_ns, s->assign, s->assign_cap);
		for (size_t i = 0; i < n; i++)
			hand_over(s, &s->assign[i]);
		/* A plan is installed in complete() or dispatch(), both above. */
		if (s->profiling && !psp_policy_profiling(s->pol))
			profiling_over(s);
		if (s->disarmed && psp_policy_queued(s->pol))
			arm_all(s); /* a request waits: slices end again */
		if (s->clock_overflow)
			return -ERANGE;
	}
	return s->clock_overflow ? -ERANGE : 0;
}

static int alloc_result(struct sim_result *res, uint32_t ntypes)
{
	res->ntypes = ntypes;
	res->lat = malloc((ntypes + 1) * sizeof(*res->lat));
	res->slow = malloc((ntypes + 1) * sizeof(*res->slow));
	if (!res->lat || !res->slow)
		return -ENOMEM;
	for (uint32_t t = 0; t <= ntypes; t++) {
		psp_hist_reset(&res->lat[t]);
		psp_hist_reset(&res->slow[t]);
	}
	return 0;
}

void sim_result_free(struct sim_result *res)
{
	free(res->lat);
	free(res->slow);
	free(res->timeline);
	free(res->series);
	free(res->batch);
	memset(res, 0, sizeof(*res));
}

/* A learning policy's profile is never measured: refuses a run in which it
 * never ended, or left too little after it. */
static int check_window(struct sim *s, struct psp_err *err)
{
	const struct sim_setup *setup = s->setup;
	struct sim_result *res = s->res;
	const char *name = setup->policy->name;
	const char *longer = s->phased ? "--phase-scale" : "--requests";
	if (s->profiling) {
		char state[256];
		psp_policy_describe(s->pol, state, sizeof(state));
		return psp_err_set(err, -EINVAL, longer, NULL,
				   "%s was still profiling when the run ended, after %llu arrivals "
				   "(%s): it never ran its own plan, so nothing could be measured; "
				   "raise %s or profile fewer samples (its knobs: psp-sim --list)",
				   name, (unsigned long long)res->arrivals, state, longer);
	}
	if (res->profiled_arrivals && res->measured < SIM_MIN_MEASURED && s->phased)
		return psp_err_set(err, -EINVAL, longer, NULL,
				   "%s installed its first plan after %llu arrivals, and only %llu "
				   "requests after it and the warm-up were measured (at least %u are "
				   "needed; its profile is never measured): raise %s",
				   name, (unsigned long long)res->profiled_arrivals,
				   (unsigned long long)res->measured, SIM_MIN_MEASURED, longer);
	if (res->profiled_arrivals && res->measured < SIM_MIN_MEASURED) {
		/* requests n with n - max(n x warmup, profiled) >= SIM_MIN_MEASURED */
		double need = fmax((double)(res->profiled_arrivals + SIM_MIN_MEASURED),
				   SIM_MIN_MEASURED / (1.0 - setup->warmup));
		return psp_err_set(err, -EINVAL, "--requests", NULL,
				   "%s installed its first plan after %llu arrivals, and only %llu "
				   "requests after it and the warm-up were measured (at least %u are "
				   "needed; its profile is never measured): raise --requests to at "
				   "least %.0f",
				   name, (unsigned long long)res->profiled_arrivals,
				   (unsigned long long)res->measured, SIM_MIN_MEASURED, ceil(need));
	}
	return 0;
}

/* The parts of setup's system this policy's steps meet (system.h). */
static int init_system(struct sim *s, const struct sim_setup *setup, struct sim_result *res)
{
	const struct sim_system *sys = setup->system;
	uint32_t flags = setup->policy->props.flags;
	const struct sim_system_preempt *pre = sim_system_preempt_for(sys, setup->policy);
#define PART(d) (sim_sysdist_given(d) ? (d) : NULL)
	s->sys = sys;
	sim_sysrng_seed(&s->rng, res->seed);
	if (s->central_arrivals) {
		s->sys_arrival = PART(&sys->disp_arrival);
		s->sys_dispatch = PART(&sys->disp_dispatch);
		s->sys_completion = PART(&sys->disp_completion);
		s->sys_handoff = PART(&sys->handoff);
		s->sys_notice = PART(&sys->notice);
	}
	s->sys_network = PART(&sys->network);
	if (flags & PSP_POLICY_PREEMPTIVE) {
		s->sys_pcost = PART(&pre->cost);
		if (!(flags & PSP_POLICY_WORKER_TIMED)) /* a signal only from the dispatcher */
			s->sys_signal = PART(&pre->signal);
	}
	s->sys_wakeup = PART(&sys->wakeup);
#undef PART
	s->park_after_ns = sys->park_after_us < 0 ? UINT64_MAX
						  : (uint64_t)(sys->park_after_us * 1e3 + 0.5);
	s->sys_notices = s->sys_notice || s->sys_completion;
	/* postponed preemptions are exact only on the ideal machine */
	if (s->sys_arrival || s->sys_dispatch || s->sys_completion || s->sys_handoff ||
	    s->sys_notice || s->sys_pcost || s->sys_signal || s->park_after_ns != UINT64_MAX)
		s->postpone = false;
	res->cores = s->nworkers + (s->central_arrivals ? 1 : 0);
	s->idle_since_ns = calloc(s->nworkers, sizeof(*s->idle_since_ns));
	s->run_start_ns = calloc(s->nworkers, sizeof(*s->run_start_ns));
	return s->idle_since_ns && s->run_start_ns ? 0 : -ENOMEM;
}

/* The idle time of every worker up to the end of the run, and the
 * dispatcher's core (system.h's accounting). */
static void close_accounting(struct sim *s)
{
	struct sim_result *res = s->res;
	for (uint32_t w = 0; w < s->nworkers; w++) {
		uint64_t gap = s->now_ns - s->idle_since_ns[w];
		if (gap > s->park_after_ns) {
			res->cpu_spin_ns += s->park_after_ns;
			res->cpu_parked_ns += gap - s->park_after_ns;
		} else {
			res->cpu_spin_ns += gap;
		}
	}
	if (s->central_arrivals) {
		res->cpu_busy_ns += res->dispatcher_busy_ns;
		res->cpu_spin_ns += s->now_ns - res->dispatcher_busy_ns;
	}
}

static int sim_init(struct sim *s, const struct sim_setup *setup, double load, uint32_t rep,
		    struct sim_result *res, struct psp_err *err)
{
	const struct psp_workload *wl = setup->wl;
	memset(s, 0, sizeof(*s));
	s->setup = setup;
	s->res = res;
	s->nworkers = psp_policy_conf_workers(setup->conf);
	s->ntypes = wl->ntypes;
	sim_reqpool_init(&s->pool);
	if (alloc_result(res, wl->ntypes) < 0)
		return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	res->load = load;
	res->seed = sim_replication_seed(setup->seed, load, rep);

	s->sampler = psp_wl_sampler_create(wl, res->seed);
	s->fifo = calloc(s->nworkers, sizeof(*s->fifo));
	s->stint_ns = calloc(s->nworkers, sizeof(*s->stint_ns));
	uint32_t slots = psp_policy_conf_slots(setup->policy, setup->conf), ring = 1;
	while (ring < slots)
		ring *= 2;
	s->ring_mask = ring - 1;
	s->slots = calloc((size_t)s->nworkers * ring, sizeof(*s->slots));
	s->assign_cap = (size_t)s->nworkers * slots;
	s->assign = calloc(s->assign_cap, sizeof(*s->assign));
	if (!s->sampler || !s->fifo || !s->slots || !s->stint_ns || !s->assign)
		return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	for (uint32_t w = 0; w < s->nworkers; w++)
		s->fifo[w].slot = s->slots + (size_t)w * ring;
	sim_evq_init(&s->evq, s->nworkers);
	s->one_slot = s->assign_cap == s->nworkers;
	s->phased = wl->nphases > 1;
	s->trace = setup->trace;
	s->max_in_system = setup->max_in_system;
	s->dispatch_cost_ns = setup->dispatch_cost_ns;
	s->preempt_cost_ns = sim_knob_stored(setup->conf, "preempt_cost_us");
	s->progress = setup->progress;
	uint32_t flags = setup->policy->props.flags;
	s->central_arrivals = flags & PSP_POLICY_CENTRAL_ARRIVALS;
	s->central_requeue = flags & PSP_POLICY_CENTRAL_REQUEUE;
	/* Postponing is exact only while a preempted request's way back is
	 * free: no preemption cost, and no dispatcher charged for it. */
	s->postpone = (flags & PSP_POLICY_PREEMPT_ALONE_IS_NOOP) && !setup->eager_preemption &&
		      s->preempt_cost_ns == 0 &&
		      (setup->dispatch_cost_ns == 0 || !s->central_requeue);
	if (setup->system && init_system(s, setup, res) < 0)
		return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	if (setup->series_bin_ns) {
		s->bin_lat = malloc((wl->ntypes + 1) * sizeof(*s->bin_lat));
		if (!s->bin_lat)
			return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
		for (uint32_t t = 0; t <= wl->ntypes; t++)
			psp_hist_reset(&s->bin_lat[t]);
	}

	struct psp_policy_conf *conf = psp_policy_conf_dup(setup->conf);
	if (!conf)
		return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	psp_policy_conf_set_rand(conf, sampler_u64, s->sampler);
	psp_policy_conf_set_on_reservation(conf, record_reservation, s);
	s->pol = psp_policy_create(setup->policy, conf, err);
	psp_policy_conf_free(conf);
	if (!s->pol)
		return err ? err->code : -EINVAL;
	s->fluid = flags & PSP_POLICY_MODEL_ONLY;
	if (s->fluid) {
		s->done = calloc(SIM_FLUID_BATCH, sizeof(*s->done));
		if (!s->done)
			return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
		uint64_t most = psp_policy_max_held(s->pol); /* beyond it, drop: overloaded */
		if (most < s->max_in_system)
			s->max_in_system = most;
	}

	sim_stab_init(&s->stab, wl->ntypes);
	for (uint32_t p = 0; p < wl->nphases; p++)
		for (uint32_t t = 0; t < wl->ntypes; t++) {
			double mean = psp_dist_mean_us(&wl->phase[p].service[t]) * 1e3;
			if (wl->phase[p].ratio[t] > 0 && mean > s->longest_mean_ns)
				s->longest_mean_ns = mean;
		}
	s->phase_end_ns = 0;
	set_phase(s, 0, load);
	if (setup->trace)
		s->trace_scale = sim_trace_scale(setup->trace, s->nworkers, load);
	if (wl->nphases == 1) {
		s->arrivals_left = setup->requests;
		s->warmup_fraction_arrivals = (uint64_t)((double)setup->requests * setup->warmup);
	} else {
		s->stab_next = SIM_STAB_SEGMENTS; /* phased: cut by time (stab_advance) */
		s->warmup_fraction_ns = total_duration_ns(s) * setup->warmup;
	}
	s->detect = setup->detect_warmup && wl->nphases == 1;
	if ((s->detect || setup->batches) &&
	    sim_cells_init(&s->cells, setup->batches ? SIM_CELLS_BATCHES : SIM_CELLS_DETECT,
			   wl->ntypes) < 0)
		return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	s->profiling = psp_policy_profiling(s->pol);
	if (s->profiling)
		close_window(s);
	else
		open_window(s, 0, 0);
	schedule_arrival(s, load);
	return 0;
}

static void sim_fini(struct sim *s)
{
	psp_policy_destroy(s->pol);
	psp_wl_sampler_destroy(s->sampler);
	sim_reqpool_fini(&s->pool);
	free(s->fifo);
	free(s->slots);
	free(s->stint_ns);
	free(s->assign);
	free(s->bin_lat);
	free(s->sysq.ev);
	free(s->idle_since_ns);
	free(s->run_start_ns);
	free(s->done);
	sim_cells_free(&s->cells);
	sim_warmup_free(&s->series);
}

/* The first cell measured: after the warm-up MSER-5 detects (rounded up to
 * a cell), or the first when the warm-up is a fixed fraction.  When MSER's
 * minimum lies at the middle of the series (not settled), the run is too
 * short against its correlation for MSER to tell a transient from a long
 * excursion (an M/M/1 at 0.9 over 250,000 arrivals cut half in 2 runs of 8,
 * one keeping a mean 14% high): the fixed fraction setup->warmup is cut
 * instead. */
static int first_cell(struct sim *s, uint32_t *first)
{
	*first = 0;
	s->res->warmup_settled = true;
	if (!s->detect || s->cells.first_id == UINT64_MAX)
		return 0;
	uint64_t from;
	if (sim_warmup_detect(&s->series, &from, &s->res->warmup_settled) < 0)
		return -ENOMEM;
	if (!s->res->warmup_settled)
		from = s->warmup_fraction_arrivals > s->cells.first_id ? s->warmup_fraction_arrivals
								     : s->cells.first_id;
	/* the first cell holding no arrival before from */
	uint64_t k = (from - s->cells.first_id + s->cells.per - 1) / s->cells.per;
	*first = k < s->cells.n ? (uint32_t)k : s->cells.n;
	/* --batches: a cell for each batch at least (MSER keeps half of the
	 * SIM_CELLS_BATCHES cells, unless dropped arrivals left batches empty) */
	if (s->setup->batches && *first > s->cells.n - s->setup->batches)
		*first = s->cells.n - s->setup->batches;
	return 0;
}

/* The measured window from its cells (cells.h): the suffix from first_cell
 * into the result, as if only it had been measured. */
static int fold_window(struct sim *s)
{
	if (!s->cells.n)
		return 0;
	struct sim_result *res = s->res;
	uint32_t first;
	if (first_cell(s, &first) < 0)
		return -ENOMEM;
	struct sim_cells_sum sum = {.first_id = UINT64_MAX};
	sim_cells_merge(&s->cells, first, s->cells.n, res->lat, res->slow, &sum);
	s->fold_first = first;
	res->measured = sum.measured;
	res->measured_service_ns = sum.measured_service_ns;
	s->measured_arrivals = sum.arrivals;
	s->completed_in_window = sum.done_by_last_arrival;
	res->window_first_id = sum.first_id;
	s->have_first = sum.first_id != UINT64_MAX;
	s->first_measured_ns = sum.first_ns;
	if (s->last_arrival_ns < s->first_measured_ns)
		s->last_arrival_ns = s->first_measured_ns;
	return 0;
}

/* --batches: the window's cells from fold_first, in setup->batches batches
 * of consecutive cells (as equal as whole cells make them), each summarised
 * as a replication.  After summarise (the run's rates and verdict are every
 * batch's). */
static int batch_stats(struct sim *s)
{
	struct sim_result *res = s->res;
	uint32_t nb = s->setup->batches, m = s->cells.n - s->fold_first, nt = s->ntypes;
	if (nb == 0)
		return 0;
	PSP_ASSERT(m >= nb); /* first_cell leaves a cell per batch */
	res->batch = calloc(nb ? nb : 1, sizeof(*res->batch));
	struct psp_hist *h = malloc(2 * (nt + 1) * sizeof(*h));
	if (!res->batch || !h) {
		free(h);
		return -ENOMEM;
	}
	res->nbatches = nb;
	for (uint32_t b = 0; b < nb; b++) {
		struct psp_hist *lat = h, *slow = h + nt + 1;
		for (uint32_t t = 0; t <= nt; t++) {
			psp_hist_reset(&lat[t]);
			psp_hist_reset(&slow[t]);
		}
		struct sim_cells_sum sum = {.first_id = UINT64_MAX};
		uint32_t from = s->fold_first + (uint32_t)((uint64_t)b * m / nb);
		uint32_t to = s->fold_first + (uint32_t)((uint64_t)(b + 1) * m / nb);
		sim_cells_merge(&s->cells, from, to, lat, slow, &sum);
		for (uint32_t t = 0; t < nt; t++) {
			psp_hist_merge(&lat[nt], &lat[t]);
			psp_hist_merge(&slow[nt], &slow[t]);
		}
		sim_rep_stats_of_window(&res->batch[b], res, lat, slow);
		res->batch[b].measured = sum.measured;
		res->batch[b].measured_from = sum.first_id;
	}
	free(h);
	return 0;
}

/* Rates, the overload verdict and the ALL row, once the run has drained. */
static void summarise(struct sim *s)
{
	struct sim_result *res = s->res;
	double span_s = (double)(s->last_arrival_ns - s->first_measured_ns) * 1e-9;
	if (span_s > 0) {
		res->offered_rps = (double)s->measured_arrivals / span_s;
		res->achieved_rps = (double)s->completed_in_window / span_s;
	}
	/* Overloaded: some queue grows (stability.h), or arrivals were dropped
	 * at max_in_system. */
	if (s->setup->wl->nphases > 1)
		stab_advance(s, UINT64_MAX);
	struct sim_stab_verdict v;
	sim_stab_verdict(&s->stab, s->longest_mean_ns, s->res->load, &v);
	/* Named whenever seen growing; overloaded only when judged so. */
	res->growing_types = v.seen_growing;
	res->judged_types = v.judged;
	memcpy(res->growth_per_s, v.growth_per_s, sizeof(res->growth_per_s));
	res->overloaded = res->dropped > 0 || v.growing != 0;
	res->sim_ns = s->now_ns;
	if (!s->phased)
		res->warmup_fraction = res->window_first_id == UINT64_MAX || res->arrivals == 0
			? 1.0 : (double)res->window_first_id / (double)res->arrivals;
	else
		res->warmup_fraction = fmin(1.0, (s->cells.n ? s->cells.from_ns : s->warmup_until_ns) /
						 total_duration_ns(s));
	if (s->sys)
		close_accounting(s);
	for (uint32_t t = 0; t < s->ntypes; t++) {
		psp_hist_merge(&res->lat[s->ntypes], &res->lat[t]);
		psp_hist_merge(&res->slow[s->ntypes], &res->slow[t]);
	}
	psp_policy_describe(s->pol, res->reservation, sizeof(res->reservation));
	res->reservations = psp_darc_reservations(s->pol);
	if (s->bin_lat)
		flush_bin(s);
	if (s->progress)
		atomic_fetch_add(s->progress, s->completions_since_progress);
}

/* About the longest service time a run draws from d, in ns: the sampler's
 * largest exponential draw is 44.4 means (the ziggurat's base strip, 7.7
 * means, plus -ln 2^-53), a lognormal's is taken six standard deviations up,
 * capped as the sampler caps it. */
static double dist_max_ns(const struct psp_dist *d)
{
	switch (d->kind) {
	case PSP_DIST_CONSTANT:
		return d->mean_us * 1e3;
	case PSP_DIST_EXPONENTIAL:
		return 44.4 * d->mean_us * 1e3;
	case PSP_DIST_LOGNORMAL:
		return fmin(1e15, d->mean_us * 1e3 * exp(6 * d->sigma - 0.5 * d->sigma * d->sigma));
	case PSP_DIST_BOUNDED_PARETO:
	case PSP_DIST_UNIFORM:
		return d->max_us * 1e3;
	}
	return 0;
}

/* A learning policy profiles at least psp_policy_profile_left() completions
 * (so as many arrivals) before its first plan, and that phase is never
 * measured: refuses a run too short to measure anything after it.  The run
 * itself checks again (check_window): arrivals dropped or still queued can
 * delay the plan further. */
uint64_t sim_setup_profile_left(const struct sim_setup *setup)
{
	if (!(setup->policy->props.flags & PSP_POLICY_LEARNS))
		return 0;
	struct psp_policy *pol = psp_policy_create(setup->policy, setup->conf, NULL);
	if (!pol)
		return 0; /* its own refusal comes when the run creates it */
	uint64_t left = psp_policy_profile_left(pol);
	psp_policy_destroy(pol);
	return left;
}

static int check_profile_fits(const struct sim_setup *setup, struct psp_err *err)
{
	uint64_t left = sim_setup_profile_left(setup);
	if (left == 0 || setup->requests >= left + SIM_MIN_MEASURED)
		return 0;
	return psp_err_set(err, -EINVAL, "--requests", NULL,
			   "%s profiles %llu completions before its first plan, and that phase "
			   "is never measured: %llu requests leave nothing to measure after it; "
			   "raise --requests above %llu or profile fewer samples (its knobs: "
			   "psp-sim --list)",
			   setup->policy->name, (unsigned long long)left,
			   (unsigned long long)setup->requests,
			   (unsigned long long)(left + SIM_MIN_MEASURED));
}

int sim_setup_check_events(const struct sim_setup *setup, const double *load, uint32_t nloads,
			   double *events_out, struct psp_err *err)
{
	if ((setup->policy->props.flags & PSP_POLICY_MODEL_ONLY) &&
	    (setup->system || setup->dispatch_cost_ns))
		return psp_err_set(err, -EINVAL, setup->system ? "--system" : "--dispatch-cost-ns",
				   NULL, "%s is a bound (model only): it serves the requests itself, "
				   "with no dispatcher or machine under it to model",
				   setup->policy->name);
	if (setup->trace)
		return sim_trace_check(setup, load, nloads, events_out, err);
	const struct psp_workload *wl = setup->wl;
	uint64_t quantum_ns = sim_knob_stored(setup->conf, "quantum_us");
	double lo = INFINITY, hi = 0, k = psp_policy_conf_workers(setup->conf);
	for (uint32_t i = 0; i < nloads; i++) {
		lo = fmin(lo, load[i]);
		hi = fmax(hi, load[i]);
	}
	if (!(lo > 0 && hi < INFINITY && k >= 1))
		return psp_err_set(err, -EINVAL, "--load", NULL, "no positive load to run");
	double cost = sim_setup_machine_ns(setup), horizon_ns, arrivals_hi, work_hi_ns;
	if (wl->nphases == 1) {
		uint64_t warm = (uint64_t)((double)setup->requests * setup->warmup);
		/* a detected warm-up may cut half the run and a cell more */
		uint64_t cut = setup->detect_warmup ? setup->requests / 2 +
			(setup->requests + SIM_CELLS_DETECT - 1) / SIM_CELLS_DETECT : warm;
		uint64_t measured = setup->requests - (cut > warm ? cut : warm);
		if (measured < SIM_MIN_MEASURED && setup->detect_warmup)
			return psp_err_set(err, -EINVAL, "--requests", NULL,
					   "%llu arrivals may leave %llu measured per point (the "
					   "detected warm-up may cut half the run); at least %u are "
					   "needed (a p99 rests on 100): raise --requests or give "
					   "--warmup F", (unsigned long long)setup->requests,
					   (unsigned long long)measured, SIM_MIN_MEASURED);
		if (measured < SIM_MIN_MEASURED)
			return psp_err_set(err, -EINVAL, "--warmup", NULL,
					   "%g of %llu arrivals leaves %llu measured per point; at "
					   "least %u are needed (a p99 rests on 100): lower --warmup "
					   "or raise --requests", setup->warmup,
					   (unsigned long long)setup->requests,
					   (unsigned long long)measured, SIM_MIN_MEASURED);
		int rc = check_profile_fits(setup, err);
		if (rc < 0)
			return rc;
		double n = (double)setup->requests, mean_ns = wl->phase[0].mean_service_us * 1e3;
		/* a phases: list of one phase: its duration also ends the arrivals */
		double dur_ns = wl->phase[0].duration_ms * setup->phase_scale * 1e6;
		if (dur_ns > 0 && dur_ns * lo * k / mean_ns < (double)warm + SIM_MIN_MEASURED)
			return psp_err_set(err, -EINVAL, wl->path, "phases[0].duration_ms",
					   "%.3g ms brings about %.3g arrivals at load %g, of which "
					   "the first %llu (--warmup %g) are not measured; at least %u "
					   "must be: lengthen the phase or raise --phase-scale",
					   dur_ns * 1e-6, dur_ns * lo * k / mean_ns, lo,
					   (unsigned long long)warm, setup->warmup, SIM_MIN_MEASURED);
		/* the arrivals' span at the lowest load, then all their work
		 * served one request at a time */
		horizon_ns = n * mean_ns / (k * lo) + n * (mean_ns + cost);
		arrivals_hi = n;
		work_hi_ns = n * mean_ns;
	} else {
		double total_ns = 0, warm_ns, seen_lo = 0, all_hi = 0, work_ns = 0;
		work_hi_ns = 0;
		for (uint32_t p = 0; p < wl->nphases; p++)
			total_ns += wl->phase[p].duration_ms * setup->phase_scale * 1e6;
		warm_ns = total_ns * setup->warmup;
		double t0 = 0;
		for (uint32_t p = 0; p < wl->nphases; p++) {
			const struct psp_wl_phase *ph = &wl->phase[p];
			double t1 = t0 + ph->duration_ms * setup->phase_scale * 1e6;
			double mean_ns = ph->mean_service_us * 1e3;
			double after = fmax(0, t1 - fmax(t0, warm_ns));
			seen_lo += after * lo * k / mean_ns;
			double arrivals = (t1 - t0) * hi * k / mean_ns;
			all_hi += arrivals;
			work_ns += arrivals * (mean_ns + cost);
			work_hi_ns += arrivals * mean_ns;
			t0 = t1;
		}
		arrivals_hi = all_hi;
		if (seen_lo < SIM_MIN_MEASURED)
			return psp_err_set(err, -EINVAL, wl->path, "duration_ms",
					   "about %.3g arrivals would be measured at load %g (phases "
					   "of %.3g ms in all, scaled by %g, less the %g warm-up); at "
					   "least %u are needed: lengthen the phases or raise "
					   "--phase-scale", seen_lo, lo, total_ns * 1e-6 / setup->phase_scale,
					   setup->phase_scale, setup->warmup, SIM_MIN_MEASURED);
		if (all_hi > (double)SIM_MAX_REQUESTS)
			return psp_err_set(err, -EINVAL, wl->path, "duration_ms",
					   "about %.3g arrivals per point at load %g; more than %.0e "
					   "would take hours (psp-sim simulates about 10 M requests/s): "
					   "shorten the phases or lower --phase-scale", all_hi, hi,
					   (double)SIM_MAX_REQUESTS);
		horizon_ns = total_ns + work_ns;
	}
	/* A preemptive policy adds an event per quantum of work, and the
	 * longest request alone may bring many more than the mean suggests. */
	double events = 2 * arrivals_hi;
	if ((setup->policy->props.flags & PSP_POLICY_PREEMPTIVE) && quantum_ns) {
		double longest = 0;
		for (uint32_t p = 0; p < wl->nphases; p++)
			for (uint32_t t = 0; t < wl->ntypes; t++)
				if (wl->phase[p].ratio[t] > 0)
					longest = fmax(longest, dist_max_ns(&wl->phase[p].service[t]));
		events += (work_hi_ns + longest) / (double)quantum_ns;
	}
	if (events_out)
		*events_out = events;
	if (!(events <= SIM_MAX_EVENTS))
		return psp_err_set(err, -EINVAL, "--quantum-us", NULL,
				   "about %.3g events per point at load %g (%.3g arrivals, each "
				   "preempted every %g us of its service); more than %.0e would "
				   "take hours: raise --quantum-us or lower --requests", events, hi,
				   arrivals_hi, (double)quantum_ns * 1e-3,
				   (double)SIM_MAX_EVENTS);
	/* A bound keeps its time in doubles: exact to 1/8 ns below 2^50 ns
	 * (13 days), the limit its runs get (twice the estimate, as below). */
	if ((setup->policy->props.flags & PSP_POLICY_MODEL_ONLY) &&
	    !(2 * horizon_ns <= 0x1p50))
		return psp_err_set(err, -EINVAL, wl->nphases == 1 ? "--requests" : wl->path, NULL,
				   "a point could simulate about %.3g s, and %s (a bound) keeps "
				   "time in doubles, exact below 2^50 ns (13 days): lower %s, "
				   "raise the load or shorten the service times", horizon_ns * 1e-9,
				   setup->policy->name,
				   wl->nphases == 1 ? "--requests" : "--phase-scale");
	/* twice the estimate: room for the randomness of the arrivals and
	 * of the service times */
	if (!(2 * horizon_ns <= (double)SIM_EVQ_MAX_TIME_NS))
		return psp_err_set(err, -EINVAL, wl->nphases == 1 ? "--requests" : wl->path, NULL,
				   "a point could simulate about %.3g s (%.3g years), beyond the "
				   "simulator's clock: time is kept in ns below 2^56 (about 2.3 "
				   "years, sim/evq.h); lower %s, raise the load or shorten the "
				   "service times", horizon_ns * 1e-9, horizon_ns * 1e-9 / 3.156e7,
				   wl->nphases == 1 ? "--requests" : "--phase-scale");
	return 0;
}

int sim_setup_check(const struct sim_setup *setup, const double *load, uint32_t nloads,
		    struct psp_err *err)
{
	return sim_setup_check_events(setup, load, nloads, NULL, err);
}

int sim_run(const struct sim_setup *setup, double load, struct sim_result *res,
	    struct psp_err *err)
{
	return sim_run_replication(setup, load, 0, res, err);
}

/* What a failed core assertion prints about the run it stopped: the run on
 * this thread (replications run on several, hence thread-local). */
static _Thread_local const struct sim *running;
static _Thread_local double running_load;
static _Thread_local uint32_t running_rep;

static void print_running(char *buf, unsigned cap)
{
	if (running)
		snprintf(buf, cap, "(psp-sim: %s at load %g, replication %u, simulated time %llu ns, "
			 "event %llu, arrival %llu)", running->setup->policy->name, running_load,
			 running_rep, (unsigned long long)running->now_ns,
			 (unsigned long long)running->res->events,
			 (unsigned long long)running->res->arrivals);
}

static void register_printer(void)
{
	psp_assert_set_context(print_running);
}

int sim_run_replication(const struct sim_setup *setup, double load, uint32_t rep,
			struct sim_result *res, struct psp_err *err)
{
	static pthread_once_t printer_once = PTHREAD_ONCE_INIT;
	pthread_once(&printer_once, register_printer);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(res, 0, sizeof(*res));
	res->window_first_id = UINT64_MAX;
	psp_err_clear(err);
	struct sim s;
	int rc = sim_init(&s, setup, load, rep, res, err);
	if (rc == 0) {
		running = &s, running_load = load, running_rep = rep;
		rc = run_loop(&s, load);
		running = NULL;
		if (rc == -ERANGE)
			psp_err_set(err, rc, NULL, NULL,
				    "simulated time passed 2^56 ns (about 2.3 years, the simulator's "
				    "clock, sim/evq.h) after %llu arrivals at load %g; lower "
				    "--requests or the service times",
				    (unsigned long long)res->arrivals, load);
		else if (rc < 0)
			psp_err_set(err, rc, NULL, NULL, "out of memory after %llu requests in the system",
				    (unsigned long long)s.pool.in_use);
		else if (fold_window(&s) < 0 || (rc = check_window(&s, err)) < 0)
			rc = rc ? rc : psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
		else if (summarise(&s), batch_stats(&s) < 0)
			rc = psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	}
	sim_fini(&s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->wall_s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	return rc;
}
