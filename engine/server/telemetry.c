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

#include <rte_telemetry.h>

#include "engine.h"
#include "snapshot.h"

/* The telemetry callbacks get no context pointer in DPDK 22.11, so the one
 * engine of the process is reached through this pointer, set once before
 * registration and never changed. */
static const struct engine *tel_engine;

/* /psp/types' reader (its interval runs from one call to the next); DPDK
 * may serve several telemetry clients on threads of their own, hence the
 * lock. */
static pthread_mutex_t types_lock = PTHREAD_MUTEX_INITIALIZER;
static struct eng_snap_reader types_reader;

/* Adds n name/value pairs to the dict t. */
static void add_pairs(struct rte_tel_data *t, const struct eng_counter *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rte_tel_data_add_dict_u64(t, c[i].name, c[i].value);
}

static int stats_cb(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	struct eng_counter c[ENG_MAX_COUNTERS];
	rte_tel_data_start_dict(d);
	add_pairs(d, c, eng_counters(tel_engine, c, ENG_MAX_COUNTERS));
	if (tel_engine->reservations > 0) {
		char plan[RTE_TEL_MAX_STRING_LEN];
		eng_plan_snapshot(tel_engine, plan, sizeof(plan));
		rte_tel_data_add_dict_string(d, "darc_reservation", plan);
	}
	return 0;
}

static int types_cb(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	static struct eng_type_snap snap[ENG_TYPE_SLOTS]; /* under types_lock */
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&types_lock);
	uint32_t n = eng_snap_types(tel_engine, &types_reader, snap);
	for (uint32_t i = 0; i < n; i++) {
		const struct eng_type_snap *s = &snap[i];
		struct rte_tel_data *t = rte_tel_data_alloc();
		if (!t)
			break;
		struct eng_counter c[ENG_SNAP_TYPE_PAIRS];
		eng_snap_type_pairs(s, c);
		rte_tel_data_start_dict(t);
		add_pairs(t, c, ENG_SNAP_TYPE_PAIRS);
		rte_tel_data_add_dict_container(d, s->name, t, 0);
	}
	pthread_mutex_unlock(&types_lock);
	return 0;
}

static int workers_cb(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	const struct engine *e = tel_engine;
	rte_tel_data_start_dict(d); /* DPDK 22.11 nests dicts in dicts, not in arrays */
	for (uint32_t i = 0; i < e->cfg.nworkers; i++) {
		struct eng_worker_snap w;
		eng_snap_worker(e, i, &w);
		struct rte_tel_data *t = rte_tel_data_alloc();
		if (!t)
			break;
		struct eng_counter c[ENG_SNAP_WORKER_PAIRS];
		eng_snap_worker_pairs(&w, c);
		rte_tel_data_start_dict(t);
		add_pairs(t, c, ENG_SNAP_WORKER_PAIRS);
		char id[16];
		snprintf(id, sizeof(id), "%u", i);
		rte_tel_data_add_dict_container(d, id, t, 0);
	}
	return 0;
}

int eng_telemetry_register(struct engine *e)
{
	tel_engine = e;
	if (eng_snap_reader_init(&types_reader) < 0)
		return -ENOMEM;
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
