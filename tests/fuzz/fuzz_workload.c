/* Fuzz target: the workload loader, then a short simulation of whatever it
 * accepted.  Anything the loader accepts must either be refused before it
 * runs (sim_setup_check, as psp-sim does; a policy refusing its
 * configuration) or simulate to the end with every request accounted for:
 * never abort.  The policy, worker count and load come from a hash of the
 * input, so every policy is exercised and a finding replays the same way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <psp/policy.h>
#include <psp/workload.h>

#include "fuzz.h"
#include "run.h"

#define FUZZ_ARRIVALS 3000.0 /* per point: a few thousand requests */
#define FUZZ_MAX_EVENTS 1e6   /* ~0.1 s under ASan */

/* PSP_FUZZ_VERBOSE=1: one line per input saying what became of it. */
static void say(const char *what, const struct psp_err *err)
{
	static int verbose = -1;
	if (verbose < 0)
		verbose = getenv("PSP_FUZZ_VERBOSE") != NULL;
	if (verbose) {
		char buf[600];
		fprintf(stderr, "fuzz_workload: %s%s%s\n", what, err ? ": " : "",
			err ? psp_err_format(err, buf, sizeof(buf)) : "");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write_input(data, size, "yml");
	if (!path) /* too large to be worth it, or no room to write */
		return 0;

	static struct psp_workload wl;
	struct psp_err err;
	int rc = psp_workload_parse_file(path, &wl, &err);
	unlink(path);
	if (rc < 0) {
		FUZZ_REQUIRE(err.code == rc && err.msg[0]);
		say("refused by the loader", &err);
		return 0;
	}
	FUZZ_REQUIRE(wl.nphases >= 1 && wl.nphases <= PSP_WL_MAX_PHASES);
	FUZZ_REQUIRE(wl.ntypes >= 1 && wl.ntypes <= PSP_MAX_TYPES);
	for (uint32_t p = 0; p < wl.nphases; p++)
		FUZZ_REQUIRE(wl.phase[p].mean_service_us >= PSP_WL_TIME_US_MIN &&
			     wl.phase[p].mean_service_us <= PSP_WL_TIME_US_MAX);

	size_t npol = 0;
	while (psp_policy_at(npol))
		npol++;
	uint64_t h = fuzz_hash(data, size);
	static const double loads[] = {0.3, 0.7, 0.95, 1.5};
	const struct psp_policy_ops *ops = psp_policy_at(h % npol);
	uint32_t workers = 1 + (uint32_t)((h >> 8) % 16);
	double load = loads[(h >> 16) % 4];

	/* freed on every return below */
	struct sim_setup setup __attribute__((cleanup(sim_setup_free)));
	sim_setup_default(&setup, &wl, ops, workers);
	setup.requests = (uint64_t)FUZZ_ARRIVALS;
	setup.seed = h >> 24;
	if (wl.nphases > 1 || wl.phase[0].duration_ms > 0) {
		/* scale the phases to about FUZZ_ARRIVALS arrivals */
		double arrivals = 0;
		for (uint32_t p = 0; p < wl.nphases; p++)
			arrivals += wl.phase[p].duration_ms * 1e6 * load * workers /
				    (wl.phase[p].mean_service_us * 1e3);
		setup.phase_scale = FUZZ_ARRIVALS / arrivals;
	}
	double events = 0;
	if (sim_setup_check_events(&setup, &load, 1, &events, &err) < 0) {
		FUZZ_REQUIRE(err.msg[0]);
		say("refused before running", &err);
		return 0;
	}
	if (events > FUZZ_MAX_EVENTS) {
		/* psp-sim would run it, for minutes: beyond a fuzzer's budget */
		say("skipped: too many events for a fuzzer", NULL);
		return 0;
	}
	struct sim_result res;
	rc = sim_run(&setup, load, &res, &err);
	if (rc == 0) {
		FUZZ_REQUIRE(res.completed + res.dropped == res.arrivals);
		FUZZ_REQUIRE(res.measured <= res.completed);
		char line[160];
		snprintf(line, sizeof(line), "%s, %u workers, load %g: %llu arrivals, %llu measured",
			 ops->name, workers, load, (unsigned long long)res.arrivals,
			 (unsigned long long)res.measured);
		say(line, NULL);
	} else {
		FUZZ_REQUIRE(err.msg[0]);
		say("run stopped", &err);
	}
	sim_result_free(&res);
	return 0;
}
