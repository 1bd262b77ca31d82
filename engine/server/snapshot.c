/* The engine's figures while it runs (snapshot.h). */
#include <errno.h>
#include <stdlib.h>

#include <rte_cycles.h>

#include "engine.h"
#include "snapshot.h"

int eng_snap_reader_init(struct eng_snap_reader *rd)
{
	rd->prev = calloc(ENG_TYPE_SLOTS, sizeof(*rd->prev));
	rd->now = malloc(sizeof(*rd->now));
	rd->interval = malloc(sizeof(*rd->interval));
	if (!rd->prev || !rd->now || !rd->interval) {
		eng_snap_reader_fini(rd);
		return -ENOMEM;
	}
	for (uint32_t s = 0; s < ENG_TYPE_SLOTS; s++)
		psp_hist_reset(&rd->prev[s]);
	return 0;
}

void eng_snap_reader_fini(struct eng_snap_reader *rd)
{
	free(rd->prev);
	free(rd->now);
	free(rd->interval);
	*rd = (struct eng_snap_reader){0};
}

static struct eng_quantiles quantiles(const struct psp_hist *h)
{
	return (struct eng_quantiles){
		.p50_ns = psp_hist_quantile(h, 0.5),
		.p99_ns = psp_hist_quantile(h, 0.99),
		.p999_ns = psp_hist_quantile(h, 0.999),
		.count = h->count,
	};
}

uint32_t eng_snap_types(const struct engine *e, struct eng_snap_reader *rd,
			struct eng_type_snap *out)
{
	const struct disp_stats *st = &e->st;
	uint32_t n = 0;
	for (uint32_t s = 0; s < ENG_TYPE_SLOTS; s++) {
		if (!eng_slot_reported(e, s))
			continue;
		struct eng_type_snap *t = &out[n++];
		t->name = eng_type_name(e, s);
		t->received = stat_get(&st->accepted_type[s]);
		t->answered = stat_get(&st->answered_type[s]);
		t->dropped = stat_get(&st->dropped_type[s]);
		t->preempted = stat_get(&st->preempted_type[s]);
		eng_type_hist(e, s, false, rd->now);
		psp_hist_diff(rd->interval, rd->now, &rd->prev[s]);
		t->latency = quantiles(rd->now);
		t->interval = quantiles(rd->interval);
		rd->prev[s] = *rd->now;
		eng_type_hist(e, s, true, rd->interval); /* now: the service time */
		t->service = quantiles(rd->interval);
	}
	return n;
}

void eng_snap_worker(const struct engine *e, uint32_t i, struct eng_worker_snap *out)
{
	const struct worker *w = &e->workers[i];
	uint64_t up = rte_rdtsc() - e->prof.start_tsc;
	uint64_t busy = stat_get(&w->st.busy_cycles);
	*out = (struct eng_worker_snap){
		.lcore = w->lcore,
		.handled = stat_get(&w->st.handled),
		.answered = stat_get(&w->st.answered),
		.preempted = w->exec.preemptions,
		.busy_ns = tsc_cycles_to_ns(&e->clk, busy),
		.busy_permille = up ? busy * 1000 / up : 0,
		.parks = stat_get(&w->st.parks),
		.wakes = stat_get(&e->st.wakes[i]),
		.wake_p50_ns = psp_hist_quantile(w->wake, 0.5),
		.wake_p99_ns = psp_hist_quantile(w->wake, 0.99),
	};
	struct lcore_acct_ns a;
	eng_acct_read(&w->st.acct, &e->clk, &a);
	out->work_ns = a.work, out->spin_ns = a.spin, out->parked_ns = a.parked, out->wall_ns = a.wall;
}

void eng_snap_type_pairs(const struct eng_type_snap *t, struct eng_counter *out)
{
	static const char *const qname[3][4] = {
		{"p50_ns", "p99_ns", "p999_ns", "count"},
		{"interval_p50_ns", "interval_p99_ns", "interval_p999_ns", "interval_count"},
		{"service_p50_ns", "service_p99_ns", "service_p999_ns", "service_count"},
	};
	const struct eng_quantiles *q[3] = {&t->latency, &t->interval, &t->service};
	size_t n = 0;
	out[n++] = (struct eng_counter){"received", t->received};
	out[n++] = (struct eng_counter){"answered", t->answered};
	out[n++] = (struct eng_counter){"dropped", t->dropped};
	out[n++] = (struct eng_counter){"preempted", t->preempted};
	for (int k = 0; k < 3; k++) {
		out[n++] = (struct eng_counter){qname[k][0], q[k]->p50_ns};
		out[n++] = (struct eng_counter){qname[k][1], q[k]->p99_ns};
		out[n++] = (struct eng_counter){qname[k][2], q[k]->p999_ns};
		out[n++] = (struct eng_counter){qname[k][3], q[k]->count};
	}
}

void eng_snap_worker_pairs(const struct eng_worker_snap *w, struct eng_counter *out)
{
	out[0] = (struct eng_counter){"lcore", w->lcore};
	out[1] = (struct eng_counter){"handled", w->handled};
	out[2] = (struct eng_counter){"answered", w->answered};
	out[3] = (struct eng_counter){"preempted", w->preempted};
	out[4] = (struct eng_counter){"busy_ns", w->busy_ns};
	out[5] = (struct eng_counter){"busy_permille", w->busy_permille};
	out[6] = (struct eng_counter){"work_ns", w->work_ns};
	out[7] = (struct eng_counter){"spin_ns", w->spin_ns};
	out[8] = (struct eng_counter){"parked_ns", w->parked_ns};
	out[9] = (struct eng_counter){"wall_ns", w->wall_ns};
	out[10] = (struct eng_counter){"parks", w->parks};
	out[11] = (struct eng_counter){"wakes", w->wakes};
	out[12] = (struct eng_counter){"wake_p50_ns", w->wake_p50_ns};
	out[13] = (struct eng_counter){"wake_p99_ns", w->wake_p99_ns};
}
