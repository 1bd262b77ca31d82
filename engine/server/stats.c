/* The engine's counters and its final report. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mempool.h>

#include "engine.h"

void eng_acct_read(const struct lcore_acct *a, const struct tsc_clock *clk,
		   struct lcore_acct_ns *out)
{
	uint64_t start = __atomic_load_n(&a->start_tsc, __ATOMIC_ACQUIRE);
	uint64_t end = __atomic_load_n(&a->end_tsc, __ATOMIC_ACQUIRE);
	*out = (struct lcore_acct_ns){
		.work = tsc_cycles_to_ns(clk, stat_get(&a->work)),
		.spin = tsc_cycles_to_ns(clk, stat_get(&a->spin)),
		.parked = tsc_cycles_to_ns(clk, stat_get(&a->parked)),
		.wall = start ? tsc_cycles_to_ns(clk, (end ? end : rte_rdtsc()) - start) : 0,
		.cpu = end ? a->cpu_ns : 0,
	};
}

/* The lcores' time summed (the dispatcher's and the workers'). */
static struct lcore_acct_ns acct_total(const struct engine *e)
{
	struct lcore_acct_ns sum, a;
	eng_acct_read(&e->disp_acct, &e->clk, &sum);
	for (uint32_t w = 0; w < e->cfg.nworkers; w++) {
		eng_acct_read(&e->workers[w].st.acct, &e->clk, &a);
		sum.work += a.work, sum.spin += a.spin, sum.parked += a.parked;
		sum.wall += a.wall, sum.cpu += a.cpu;
	}
	return sum;
}

size_t eng_counters(const struct engine *e, struct eng_counter *out, size_t cap)
{
	const struct disp_stats *st = &e->st;
	uint64_t dropped = eng_dropped(st);
	uint64_t tx_retried = 0, backoffs = stat_get(&st->idle_backoffs);
	uint64_t b2b = 0, waited = 0, wait_cycles = 0, app_failed = eng_app_failed(e);
	uint64_t parks = 0, cancelled = 0, wakes = 0, answered = stat_get(&st->answered);
	struct lcore_acct_ns tot = acct_total(e);
	for (uint32_t w = 0; w < e->cfg.nworkers; w++) {
		parks += stat_get(&e->workers[w].st.parks);
		cancelled += stat_get(&e->workers[w].st.parks_cancelled);
		wakes += stat_get(&st->wakes[w]);
		tx_retried += stat_get(&e->workers[w].st.tx_retried);
		backoffs += stat_get(&e->workers[w].st.idle_backoffs);
		b2b += stat_get(&e->workers[w].st.starts_back_to_back);
		waited += stat_get(&e->workers[w].st.starts_after_wait);
		wait_cycles += stat_get(&e->workers[w].st.wait_cycles);
	}
	const struct eng_counter all[] = {
		{"rx_total", stat_get(&st->rx_total)},
		{"rx_requests", stat_get(&st->rx_verdict[RX_REQUEST])},
		{"rx_runt", stat_get(&st->rx_verdict[RX_RUNT])},
		{"rx_bad_ether", stat_get(&st->rx_verdict[RX_BAD_ETHER])},
		{"rx_bad_ip", stat_get(&st->rx_verdict[RX_BAD_IP])},
		{"rx_not_ours", stat_get(&st->rx_verdict[RX_NOT_OURS])},
		{"rx_not_udp", stat_get(&st->rx_verdict[RX_NOT_UDP])},
		{"rx_bad_port", stat_get(&st->rx_verdict[RX_BAD_PORT])},
		{"rx_short_payload", stat_get(&st->rx_verdict[RX_SHORT_PAYLOAD])},
		{"rx_arp_request", stat_get(&st->rx_verdict[RX_ARP_REQUEST])},
		{"rx_arp_other", stat_get(&st->rx_verdict[RX_ARP_OTHER]) +
				 stat_get(&st->rx_verdict[RX_ARP_REPLY])},
		{"rx_unknown_type", stat_get(&st->rx_unknown_type)},
		{"arp_replied", stat_get(&st->arp_replied)},
		{"arp_tx_failed", stat_get(&st->arp_tx_failed)},
		{"received", stat_get(&st->accepted)},
		{"answered", stat_get(&st->answered)},
		{"dropped", dropped},
		{"dropped_queue_full", stat_get(&st->dropped_queue_full)},
		{"tx_failed", stat_get(&st->tx_failed)},
		{"app_failed", app_failed},
		{"dropped_at_stop", stat_get(&st->dropped_at_stop)},
		{"in_flight", eng_in_flight(e)},
		{"worker_ring_full", stat_get(&st->worker_ring_full)},
		{"tx_retried", tx_retried},
		{"run_clamped", e->app.state && e->cfg.app == ENG_APP_SPIN ? app_spin_clamped(&e->app) : 0},
		{"darc_reservations", e->reservations},
		{"output_lines_lost", e->output_lost},
		{"idle_backoffs", backoffs},
		{"ws_steals", stat_get(&st->ws_steals)},
		{"starts_back_to_back", b2b},
		{"starts_after_wait", waited},
		{"wait_mean_ns", waited ? tsc_cycles_to_ns(&e->clk, wait_cycles) / waited : 0},
		{"parks", parks},
		{"parks_cancelled", cancelled},
		{"wakes", wakes},
		{"stop_wakes", e->stop_wakes},
		{"work_ns", tot.work},
		{"spin_ns", tot.spin},
		{"parked_ns", tot.parked},
		{"core_ns_per_request", answered ? (tot.work + tot.spin) / answered : 0},
		{"work_ns_per_request", answered ? tot.work / answered : 0},
	};
	size_t n = sizeof(all) / sizeof(all[0]);
	if (n > cap)
		n = cap;
	memcpy(out, all, n * sizeof(all[0]));
	if (!e->preemptive)
		return n;

	/* Time sharing: preemptions (total and per type), requests that ran
	 * without a stack because the pool was empty (the pool's exhaustion
	 * count: every refusal is one such request), flags set, the signal
	 * round trip (flag store to context saved on the worker), and the
	 * worker-timed stints that prefetched the next request. */
	uint64_t total = 0, lag_n = stat_get(&st->preempt_lag_count), prepared = 0;
	for (uint32_t s = 0; s < ENG_TYPE_SLOTS; s++)
		total += stat_get(&st->preempted_type[s]);
	for (uint32_t w = 0; w < e->cfg.nworkers; w++)
		prepared += stat_get(&e->workers[w].st.prepared);
	const struct eng_counter ts[] = {
		{"preemptions", total},
		{"preempt_no_stack", stat_get(&st->preempt_no_stack)},
		{"preempt_signals", stat_get(&st->preempt_signals)},
		{"preempt_lag_mean_ns", lag_n ? stat_get(&st->preempt_lag_sum_ns) / lag_n : 0},
		{"preempt_lag_max_ns", stat_get(&st->preempt_lag_max_ns)},
		{"preempt_prepared", prepared},
		{"requeue_mean_ns", stat_get(&st->requeue_count)
					    ? stat_get(&st->requeue_sum_ns) / stat_get(&st->requeue_count)
					    : 0},
		{"requeue_max_ns", stat_get(&st->requeue_max_ns)},
		{"requeue_migrated", stat_get(&st->requeue_migrated)},
	};
	for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]) && n < cap; i++)
		out[n++] = ts[i];
	for (uint32_t s = 0; s < ENG_TYPE_SLOTS && n < cap; s++) {
		if (!eng_slot_reported(e, s))
			continue;
		out[n++] = (struct eng_counter){e->preempt_name[s],
						stat_get(&st->preempted_type[s])};
	}
	return n;
}

void eng_type_hist(const struct engine *e, uint32_t s, bool service, struct psp_hist *out)
{
	psp_hist_reset(out);
	for (uint32_t w = 0; w < e->cfg.nworkers; w++)
		psp_hist_merge(out, service ? &e->workers[w].svc[s] : &e->workers[w].lat[s]);
}

static void acct_line(FILE *out, const struct lcore_acct_ns *a)
{
	fprintf(out, " work_ms=%.1f spin_ms=%.1f parked_ms=%.1f wall_ms=%.1f cpu_ms=%.1f",
		(double)a->work / 1e6, (double)a->spin / 1e6, (double)a->parked / 1e6,
		(double)a->wall / 1e6, (double)a->cpu / 1e6);
}

/* Where each lcore's time went, the wake-ups, and the core time per
 * request. */
static void acct_report(const struct engine *e, FILE *out)
{
	struct lcore_acct_ns a;
	fprintf(out, "lcores (work: handling requests; spin: polling idle; parked: asleep; "
		     "cpu: the thread's CPU time):\n");
	eng_acct_read(&e->disp_acct, &e->clk, &a);
	fprintf(out, "  dispatcher (lcore %u):", e->cfg.dispatcher_lcore);
	acct_line(out, &a);
	fprintf(out, "\n");
	struct psp_hist *all = malloc(sizeof(*all));
	if (all)
		psp_hist_reset(all);
	for (uint32_t w = 0; w < e->cfg.nworkers; w++) {
		const struct worker *wk = &e->workers[w];
		eng_acct_read(&wk->st.acct, &e->clk, &a);
		fprintf(out, "  worker %u (lcore %u):", w, wk->lcore);
		acct_line(out, &a);
		fprintf(out, " parks=%" PRIu64 " wakes=%" PRIu64 " wake_p50_us=%.1f wake_p99_us=%.1f\n",
			stat_get(&wk->st.parks), stat_get(&e->st.wakes[w]),
			(double)psp_hist_quantile(wk->wake, 0.5) / 1e3,
			(double)psp_hist_quantile(wk->wake, 0.99) / 1e3);
		if (all)
			psp_hist_merge(all, wk->wake);
	}
	if (e->parking && (e->cfg.ops->props.flags & PSP_POLICY_RESERVES)) {
		uint64_t reserved_parks = 0;
		for (uint32_t w = 0; w < e->cfg.nworkers; w++)
			reserved_parks += stat_get(&e->workers[w].st.parks_reserved);
		fprintf(out, "wakes by DARC group (reserved: its cores idle by reservation; "
			     "%" PRIu64 " parks while reserved):", reserved_parks);
		for (uint32_t g = 0; g < e->nwake_groups; g++) {
			const struct eng_wake_group *wg = &e->wake_group[g];
			fprintf(out, " ");
			for (uint32_t t = 0, first = 1; t < e->cfg.ntypes; t++)
				if (wg->types >> t & 1) {
					fprintf(out, "%s%s", first ? "" : "+", e->cfg.types[t].name);
					first = 0;
				}
			fprintf(out, "%s=%" PRIu64, wg->reserved ? "(reserved)" : "", wg->wakes);
		}
		fprintf(out, " before_any_plan=%" PRIu64 "\n", e->wakes_unplanned);
	}
	struct lcore_acct_ns t = acct_total(e);
	uint64_t answered = stat_get(&e->st.answered);
	fprintf(out, "core time: work=%.3f s spin=%.3f s parked=%.3f s cpu=%.3f s; per answered "
		     "request: %.1f us of cores (work %.1f us)\n",
		(double)t.work / 1e9, (double)t.spin / 1e9, (double)t.parked / 1e9,
		(double)t.cpu / 1e9,
		answered ? (double)(t.work + t.spin) / 1e3 / (double)answered : 0.0,
		answered ? (double)t.work / 1e3 / (double)answered : 0.0);
	if (all && all->count)
		fprintf(out, "wake-up latency (dispatcher's wake to the worker's start), %" PRIu64
			     " wakes: p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f\n",
			all->count, (double)psp_hist_quantile(all, 0.5) / 1e3,
			(double)psp_hist_quantile(all, 0.9) / 1e3,
			(double)psp_hist_quantile(all, 0.99) / 1e3,
			(double)psp_hist_quantile(all, 0.999) / 1e3, (double)all->max / 1e3);
	free(all);
}

void eng_report(const struct engine *e, FILE *out)
{
	struct eng_counter c[ENG_MAX_COUNTERS];
	size_t n = eng_counters(e, c, ENG_MAX_COUNTERS);
	fprintf(out, "counters:");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s %s=%" PRIu64, i % 6 == 0 ? "\n " : "", c[i].name, c[i].value);
	fprintf(out, "\n");

	uint64_t received = stat_get(&e->st.accepted), answered = stat_get(&e->st.answered);
	uint64_t dropped = eng_dropped(&e->st);
	uint64_t in_flight = eng_in_flight(e);
	bool ok = received == answered + dropped + in_flight;
	fprintf(out, "balance: received=%" PRIu64 " answered=%" PRIu64 " dropped=%" PRIu64
		     " in_flight=%" PRIu64 " -> %s\n",
		received, answered, dropped, in_flight,
		ok ? "ok (received = answered + dropped + in_flight)" : "MISMATCH");

	fprintf(out, "server-side latency (RX to reply TX), per type:\n");
	fprintf(out, "  %-12s %10s %10s %10s %10s %10s %10s %10s\n", "type", "received",
		"answered", "dropped", "mean_us", "p50_us", "p99_us", "p999_us");
	struct psp_hist *h = malloc(sizeof(*h));
	if (!h)
		return;
	for (uint32_t s = 0; s < ENG_TYPE_SLOTS; s++) {
		if (!eng_slot_reported(e, s))
			continue;
		eng_type_hist(e, s, false, h);
		fprintf(out, "  %-12s %10" PRIu64 " %10" PRIu64 " %10" PRIu64
			     " %10.2f %10.2f %10.2f %10.2f\n",
			eng_type_name(e, s), stat_get(&e->st.accepted_type[s]),
			stat_get(&e->st.answered_type[s]), stat_get(&e->st.dropped_type[s]),
			psp_hist_mean(h) / 1e3, (double)psp_hist_quantile(h, 0.5) / 1e3,
			(double)psp_hist_quantile(h, 0.99) / 1e3,
			(double)psp_hist_quantile(h, 0.999) / 1e3);
	}
	fprintf(out, "measured service time (the %s application's run time, all stints), per "
		     "type:\n", e->app.name);
	fprintf(out, "  %-12s %10s %10s %10s %10s\n", "type", "answered", "svc_mean_us",
		"svc_p50_us", "svc_p99_us");
	for (uint32_t s = 0; s < ENG_TYPE_SLOTS; s++) {
		if (!eng_slot_reported(e, s))
			continue;
		eng_type_hist(e, s, true, h);
		fprintf(out, "  %-12s %10" PRIu64 " %10.2f %10.2f %10.2f\n", eng_type_name(e, s),
			h->count, psp_hist_mean(h) / 1e3, (double)psp_hist_quantile(h, 0.5) / 1e3,
			(double)psp_hist_quantile(h, 0.99) / 1e3);
	}
	free(h);
	if (e->preemptive) {
		fprintf(out, "%s: quantum_us=%g (%s); preemptions per answered request:",
			e->cfg.policy, (double)eng_config_quantum_ns(&e->cfg) / 1e3,
			e->hinted ? "timed by the worker, yielding while a request waits"
			: e->worker_timed ? "timed by the worker"
			: "timed by the dispatcher");
		for (uint32_t s = 0; s < e->cfg.ntypes; s++) {
			uint64_t a = stat_get(&e->st.answered_type[s]);
			fprintf(out, " %s=%.2f", eng_type_name(e, s),
				a ? (double)stat_get(&e->st.preempted_type[s]) / (double)a : 0.0);
		}
		fprintf(out, "\n");
	}
	fprintf(out, "workers:\n");
	for (uint32_t w = 0; w < e->cfg.nworkers; w++) {
		const struct worker *wk = &e->workers[w];
		fprintf(out, "  worker %u (lcore %u): handled=%" PRIu64 " unknown_type=%" PRIu64
			     " answered=%" PRIu64 " tx_failed=%" PRIu64 " busy_ms=%.1f",
			w, wk->lcore, stat_get(&wk->st.handled),
			stat_get(&wk->st.handled_unknown), stat_get(&wk->st.answered),
			stat_get(&wk->st.tx_failed),
			(double)tsc_cycles_to_ns(&e->clk, stat_get(&wk->st.busy_cycles)) / 1e6);
		uint64_t b = stat_get(&wk->st.starts_back_to_back);
		uint64_t a = stat_get(&wk->st.starts_after_wait);
		fprintf(out, " starts=%" PRIu64 " back_to_back=%" PRIu64 " (%.1f%%)", a + b, b,
			a + b ? 100.0 * (double)b / (double)(a + b) : 0.0);
		/* The executor's own counts (the workers have stopped). */
		if (e->preemptive)
			fprintf(out, " slices=%" PRIu64 " yields=%" PRIu64, wk->exec.slices,
				wk->exec.preemptions);
		fprintf(out, "\n");
	}
	if (e->reservations)
		fprintf(out, "darc: %u reservation(s); last: %s\n", e->reservations, e->last_plan);
	acct_report(e, out);
}

void eng_profile_report(const struct engine *e, FILE *out)
{
	static const char *const names[DISP_NPHASES] = {
		[DISP_PH_RX] = "rx burst",       [DISP_PH_PARSE] = "parse",
		[DISP_PH_CLASSIFY] = "classify", [DISP_PH_ENQUEUE] = "policy enqueue",
		[DISP_PH_COMPLETE] = "completions", [DISP_PH_DISPATCH] = "policy dispatch",
		[DISP_PH_HANDOFF] = "hand-off",  [DISP_PH_TICK] = "tick/hints/loop",
		[DISP_PH_IDLE] = "idle"};
	const struct disp_profile *p = &e->prof;
	uint64_t received = stat_get(&e->st.accepted), answered = stat_get(&e->st.answered);
	uint64_t busy = 0;
	for (int ph = 0; ph < DISP_PH_IDLE; ph++)
		busy += p->cycles[ph];
	double run_s = (double)tsc_cycles_to_ns(&e->clk, p->end_tsc - p->start_tsc) / 1e9;
	double per = received ? 1.0 / (double)received : 0.0;
	fprintf(out, "dispatcher profile (--profile): %" PRIu64 " requests received, %" PRIu64
		     " answered in %.3f s (%.0f answered/s)\n",
		received, answered, run_s, run_s > 0 ? (double)answered / run_s : 0.0);
	fprintf(out, "  %-16s %10s %12s %7s\n", "phase", "ns/req", "cycles/req", "share");
	for (int ph = 0; ph < DISP_PH_IDLE; ph++)
		fprintf(out, "  %-16s %10.1f %12.1f %6.1f%%\n", names[ph],
			(double)tsc_cycles_to_ns(&e->clk, p->cycles[ph]) * per,
			(double)p->cycles[ph] * per,
			busy ? 100.0 * (double)p->cycles[ph] / (double)busy : 0.0);
	fprintf(out, "  %-16s %10.1f %12.1f %6.1f%%   (busy: iterations that did work)\n",
		"total", (double)tsc_cycles_to_ns(&e->clk, busy) * per, (double)busy * per, 100.0);
	fprintf(out, "  %-16s %10.1f ms of %.1f ms\n", names[DISP_PH_IDLE],
		(double)tsc_cycles_to_ns(&e->clk, p->cycles[DISP_PH_IDLE]) / 1e6, run_s * 1e3);
	double marks_per = (double)p->marks * per;
	fprintf(out, "  requests per busy iteration %.2f; the profile's own TSC reads: %.1f per "
		     "request x %.1f cycles = %.1f cycles/req of the busy total\n",
		p->busy_iters ? (double)received / (double)p->busy_iters : 0.0, marks_per,
		p->mark_cycles, marks_per * p->mark_cycles);
}
