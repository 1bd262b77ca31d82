/* Fuzz target: psp-sim's option parser.  The input is split at NUL or
 * newline bytes into arguments after "psp-sim"; sim_options_parse must
 * refuse it with a message, print help/version, or accept options that
 * hold together. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "options.h"
#include "point.h"
#include "run.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 8192)
		return 0;
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	argv[argc++] = "psp-sim";
	char *s = buf;
	for (size_t i = 0; i <= size && argc <= MAX_ARGS; i++) {
		if (i == size || buf[i] == '\n' || buf[i] == '\0') {
			buf[i] = '\0';
			argv[argc++] = s;
			s = buf + i + 1;
		}
	}
	argv[argc] = NULL;

	struct sim_options o;
	struct psp_err err;
	int rc = sim_options_parse(argc, argv, &o, &err);
	if (rc < 0) {
		FUZZ_REQUIRE(err.code == rc && err.msg[0]);
	} else if (rc == 0 && (o.merge || o.fit)) {
		/* --merge FILE... or --fit-system TRACE...: the options come from
		 * the shards, or there is no run */
		FUZZ_REQUIRE(o.nmerge >= 1 && o.merge_file != NULL);
		for (uint32_t i = 0; i < o.nmerge; i++)
			FUZZ_REQUIRE(o.merge_file[i] != NULL);
	} else if (rc == 0) {
		FUZZ_REQUIRE(o.list || o.workload || o.trace);
		FUZZ_REQUIRE(!(o.trace || o.per_request) || o.replications == 1);
		FUZZ_REQUIRE(o.nshards == 0 ? o.shard == 0 : o.shard >= 1 && o.shard <= o.nshards);
		FUZZ_REQUIRE(o.workers >= 1 && o.workers <= PSP_MAX_WORKERS);
		FUZZ_REQUIRE(o.nloads >= 1 && o.nloads <= SIM_MAX_LOADS);
		for (uint32_t i = 0; i < o.nloads; i++)
			FUZZ_REQUIRE(o.load[i] > 0 && (o.load[i] < 1 || o.allow_overload));
		FUZZ_REQUIRE(o.npolicies >= 1 && o.npolicies <= SIM_MAX_POLICIES);
		for (uint32_t i = 0; i < o.npolicies; i++)
			for (uint32_t j = 0; j < i; j++)
				FUZZ_REQUIRE(o.policy[i] != o.policy[j]);
		FUZZ_REQUIRE(o.requests >= SIM_MIN_MEASURED && o.requests <= SIM_MAX_REQUESTS);
		FUZZ_REQUIRE(o.warmup >= 0 && o.warmup < 1);
		FUZZ_REQUIRE(o.replications >= 1 && o.replications <= SIM_MAX_REPLICATIONS);
		/* every knob applies to the policies that read it */
		for (uint32_t p = 0; p < o.npolicies; p++) {
			struct psp_policy_conf *conf = psp_policy_conf_new(o.workers, 1);
			FUZZ_REQUIRE(conf != NULL);
			sim_options_apply_knobs(&o, o.policy[p], conf);
			psp_policy_conf_free(conf);
		}
	}
	free(buf);
	return 0;
}
