/* Fuzz target: the trace reader (psp-sim --trace), then a short replay of
 * whatever it accepted.  Anything the reader accepts must either be refused
 * before it runs (sim_setup_check, as psp-sim does) or replay to the end
 * with every row accounted for: never abort.  Whether the types come from
 * a workload, and the policy, worker count and load, come from a hash of
 * the input, so a finding replays the same way. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <psp/policy.h>
#include <psp/workload.h>

#include "fuzz.h"
#include "reqpool.h"
#include "run.h"
#include "trace.h"

#define FUZZ_MAX_EVENTS 1e6 /* ~0.1 s under ASan */

/* A workload the trace's types may have to belong to. */
static void given_workload(struct psp_workload *wl)
{
	memset(wl, 0, sizeof(*wl));
	snprintf(wl->name, sizeof(wl->name), "fuzz");
	wl->ntypes = 2;
	wl->nphases = 1;
	const char *name[] = {"SHORT", "LONG"};
	double mean[] = {1, 100};
	for (uint32_t t = 0; t < 2; t++) {
		snprintf(wl->type_name[t], PSP_WL_NAME_MAX, "%s", name[t]);
		wl->wire_id[t] = t + 1;
		wl->phase[0].ratio[t] = 0.5;
		wl->phase[0].service[t] = (struct psp_dist){.kind = PSP_DIST_CONSTANT, .mean_us = mean[t]};
		wl->phase[0].mean_service_us += 0.5 * mean[t];
	}
}

static void count_done(void *ctx, const struct sim_req *r, uint64_t now_ns)
{
	(void)r;
	(void)now_ns;
	++*(uint64_t *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write_input(data, size, "csv");
	if (!path)
		return 0;
	uint64_t h = fuzz_hash(data, size);
	static struct psp_workload given, wl;
	given_workload(&given);
	const struct psp_workload *with = (h & 1) ? &given : NULL;
	static struct sim_trace t;
	struct psp_err err;
	int rc = sim_trace_read(path, with, &t, &err);
	unlink(path);
	if (rc < 0) {
		FUZZ_REQUIRE(err.code == rc && err.msg[0] && t.row == NULL);
		return 0;
	}
	/* what the reader promises */
	FUZZ_REQUIRE(t.n >= 1 && t.n <= SIM_TRACE_MAX_ROWS);
	FUZZ_REQUIRE(t.ntypes >= 1 && t.ntypes <= PSP_MAX_TYPES);
	uint64_t sum = 0;
	for (uint64_t i = 0; i < t.n; i++) {
		const struct sim_trace_row *row = &t.row[i];
		FUZZ_REQUIRE(row->type < t.ntypes);
		FUZZ_REQUIRE(row->service_ns >= 1 && row->service_ns <= SIM_TRACE_MAX_SERVICE_NS);
		FUZZ_REQUIRE(i == 0 || row->arrival_ns >= t.row[i - 1].arrival_ns);
	}
	for (uint32_t i = 0; i < t.ntypes; i++)
		sum += t.count[i];
	FUZZ_REQUIRE(sum == t.n);

	size_t npol = 0;
	while (psp_policy_at(npol))
		npol++;
	const struct psp_policy_ops *ops = psp_policy_at((h >> 1) % npol);
	uint32_t workers = 1 + (uint32_t)((h >> 8) % 16);
	static const double loads[] = {0, 0.3, 0.9, 1.5}; /* 0: the trace's own */
	double load = loads[(h >> 16) % 4];
	if (load == 0)
		load = sim_trace_load(&t, workers);
	sim_trace_workload(&t, with, &wl);
	/* freed on every return below */
	struct sim_setup setup __attribute__((cleanup(sim_setup_free)));
	sim_setup_default(&setup, with ? with : &wl, ops, workers);
	setup.wl = &wl;
	setup.trace = &t;
	setup.requests = t.n;
	setup.seed = h >> 24;
	uint64_t done = 0;
	setup.on_done = count_done;
	setup.on_done_ctx = &done;
	double events = 0;
	if (!(load > 0 && isfinite(load)) ||
	    sim_setup_check_events(&setup, &load, 1, &events, &err) < 0 ||
	    events > FUZZ_MAX_EVENTS) {
		/* refused, as psp-sim refuses it, or beyond a fuzzer's budget */
		sim_trace_free(&t);
		return 0;
	}
	struct sim_result res;
	rc = sim_run(&setup, load, &res, &err);
	if (rc == 0) {
		FUZZ_REQUIRE(res.arrivals == t.n);
		FUZZ_REQUIRE(res.completed + res.dropped == res.arrivals);
		FUZZ_REQUIRE(done == res.completed);
		FUZZ_REQUIRE(res.measured <= res.completed);
	} else {
		FUZZ_REQUIRE(err.msg[0]);
	}
	sim_result_free(&res);
	sim_trace_free(&t);
	return 0;
}
