/* DPDK telemetry commands, readable with any client of the telemetry socket
 * (build/bin/psp_telemetry_get SOCKET CMD, or DPDK's dpdk-telemetry.py):
 *   /psp/stats    the counters as a dict, and DARC's current reservation;
 *   /psp/types    per type: received, answered, dropped, preempted,
 *                 server-side latency p50/p99/p99.9 (ns) since start and
 *                 since the previous /psp/types call (interval_*), and the
 *                 measured service time's (service_*, since start);
 *   /psp/workers  per worker ("0", "1", ...): lcore, handled, answered,
 *                 preempted, busy_ns and busy_permille since start.
 * Values are read while the workers run, without stopping them: a read may
 * miss the last few records of a histogram or counter (never tear a value:
 * 64-bit aligned loads). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "engine.h"

/* The telemetry callbacks get no context pointer in DPDK 22.11, so the one
 * engine of the process is reached through this pointer, set once before
 * registration and never changed. */
static const struct engine *tel_engine;

/* /psp/types state: the merged histogram per type slot at the previous call
 * (for the interval) and scratch space; DPDK may serve several telemetry
 * clients on threads of their own, hence the lock. */
static pthread_mutex_t types_lock = PTHREAD_MUTEX_INITIALIZER;
static struct psp_hist *types_prev, *types_now, *types_interval;

static int stats_cb(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	struct eng_counter c[ENG_MAX_COUNTERS];
	size_t n = eng_counters(tel_engine, c, ENG_MAX_COUNTERS);
	rte_tel_data_start_dict(d);
	for (size_t i = 0; i < n; i++)
		rte_tel_data_add_dict_u64(d, c[i].name, c[i].value);
	if (tel_engine->reservations > 0) {
		char plan[RTE_TEL_MAX_STRING_LEN];
		eng_plan_snapshot(tel_engine, plan, sizeof(plan));
		rte_tel_data_add_dict_string(d, "darc_reservation", plan);
	}
	return 0;
}

static void add_quantiles(struct rte_tel_data *t, const char *prefix, const struct psp_hist *h)
{
	static const struct {
		const char *name;
		double q;
	} qs[] = {{"p50_ns", 0.5}, {"p99_ns", 0.99}, {"p999_ns", 0.999}};
	char key[48];
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		snprintf(key, sizeof(key), "%s%s", prefix, qs[i].name);
		rte_tel_data_add_dict_u64(t, key, psp_hist_quantile(h, qs[i].q));
	}
	snprintf(key, sizeof(key), "%scount", prefix);
	rte_tel_data_add_dict_u64(t, key, h->count);
}

static int types_cb(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	const struct engine *e = tel_engine;
	const struct disp_stats *st = &e->st;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&types_lock);
	for (uint32_t s = 0; s < ENG_TYPE_SLOTS; s++) {
		if (!eng_slot_reported(e, s))
			continue;
		struct rte_tel_data *t = rte_tel_data_alloc();
		if (!t)
			break;
		rte_tel_data_start_dict(t);
		rte_tel_data_add_dict_u64(t, "received", stat_get(&st->accepted_type[s]));
		rte_tel_data_add_dict_u64(t, "answered", stat_get(&st->answered_type[s]));
		rte_tel_data_add_dict_u64(t, "dropped", stat_get(&st->dropped_type[s]));
		rte_tel_data_add_dict_u64(t, "preempted", stat_get(&st->preempted_type[s]));
		eng_type_hist(e, s, false, &types_now[s]);
		psp_hist_diff(types_interval, &types_now[s], &types_prev[s]);
		add_quantiles(t, "", &types_now[s]);
		add_quantiles(t, "interval_", types_interval);
		types_prev[s] = types_now[s];
		eng_type_hist(e, s, true, types_interval); /* now: the service time */
		add_quantiles(t, "service_", types_interval);
		rte_tel_data_add_dict_container(d, eng_type_name(e, s), t, 0);
	}
	pthread_mutex_unlock(&types_lock);
	return 0;
}

static int workers_cb(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	const struct engine *e = tel_engine;
	uint64_t up = rte_rdtsc() - e->prof.start_tsc;
	rte_tel_data_start_dict(d); /* DPDK 22.11 nests dicts in dicts, not in arrays */
	for (uint32_t i = 0; i < e->cfg.nworkers; i++) {
		const struct worker *w = &e->workers[i];
		struct rte_tel_data *t = rte_tel_data_alloc();
		if (!t)
			break;
		uint64_t busy = stat_get(&w->st.busy_cycles);
		rte_tel_data_start_dict(t);
		rte_tel_data_add_dict_u64(t, "lcore", w->lcore);
		rte_tel_data_add_dict_u64(t, "handled", stat_get(&w->st.handled));
		rte_tel_data_add_dict_u64(t, "answered", stat_get(&w->st.answered));
#ifdef PSP_HAVE_PREEMPT
		rte_tel_data_add_dict_u64(t, "preempted", w->exec.preemptions);
#else
		rte_tel_data_add_dict_u64(t, "preempted", 0);
#endif
		rte_tel_data_add_dict_u64(t, "busy_ns", tsc_cycles_to_ns(&e->clk, busy));
		rte_tel_data_add_dict_u64(t, "busy_permille", up ? busy * 1000 / up : 0);
		char id[16];
		snprintf(id, sizeof(id), "%u", i);
		rte_tel_data_add_dict_container(d, id, t, 0);
	}
	return 0;
}

int eng_telemetry_register(struct engine *e)
{
	tel_engine = e;
	types_prev = calloc(ENG_TYPE_SLOTS, sizeof(*types_prev));
	types_now = calloc(ENG_TYPE_SLOTS, sizeof(*types_now));
	types_interval = malloc(sizeof(*types_interval));
	if (!types_prev || !types_now || !types_interval)
		return -ENOMEM;
	for (uint32_t s = 0; s < ENG_TYPE_SLOTS; s++)
		psp_hist_reset(&types_prev[s]);
	int rc = rte_telemetry_register_cmd("/psp/stats", stats_cb,
					    "psp-engine counters and DARC's reservation. "
					    "Takes no parameters");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/psp/types", types_cb,
						"per type: counts, latency percentiles (ns) since "
						"start and since the previous call. No parameters");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/psp/workers", workers_cb,
						"per worker: handled, answered, preempted, busy "
						"time. No parameters");
	return rc;
}
