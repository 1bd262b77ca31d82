/* /psp/stats over DPDK telemetry: the counters as a dict, readable with
 * usertools/dpdk-telemetry.py or any client of the telemetry socket. */
#include <errno.h>

#include <rte_telemetry.h>

#include "engine.h"

/* The telemetry callback gets no context pointer in DPDK 22.11, so the one
 * engine of the process is reached through this pointer, set once before
 * registration and never changed. */
static const struct engine *tel_engine;

static int stats_cb(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	struct eng_counter c[ENG_MAX_COUNTERS];
	size_t n = eng_counters(tel_engine, c, ENG_MAX_COUNTERS);
	rte_tel_data_start_dict(d);
	for (size_t i = 0; i < n; i++)
		rte_tel_data_add_dict_u64(d, c[i].name, c[i].value);
	return 0;
}

int eng_telemetry_register(struct engine *e)
{
	tel_engine = e;
	return rte_telemetry_register_cmd("/psp/stats", stats_cb,
					  "psp-engine counters. Takes no parameters");
}
