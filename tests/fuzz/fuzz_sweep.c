/* Fuzz target: the sweep file reader (psp-sweep).  Anything it accepts must
 * make cells psp-sweep can run without surprise: at least one, within the
 * bounds of cells, jobs and arguments; names of at most SWEEP_NAME_MAX
 * file-name-safe characters, no two alike (two cells would write the same
 * files); and argv that psp-sim reads (sim_options_scan, as
 * sim_options_parse does) with the workload and workers once, each key's
 * flag at most once, and none of the flags that psp-sweep adds or that
 * would make a job write no shard. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "options.h"
#include "sweepfile.h"

static const char *const once[] = {"--workload", "--workers", NULL};
static const char *const at_most_once[] = {"--policy", "--load", "--requests", "--replications",
					   "--seed", "--no-capacity", NULL};
static const char *const never[] = {"--shard", "--output", "--format", "--jobs", "--merge",
				    "--verify", "--timeline", "--series", "--slo-output",
				    "--per-request", "--trace", "--list", "--help", "--version",
				    NULL};

struct seen {
	const char *flag[128];
	uint32_t n;
};

static int record(void *ctx, const char *flag, const char *token)
{
	(void)token;
	struct seen *s = ctx;
	if (s->n < 128)
		s->flag[s->n++] = flag; /* flag_name's static table: stable */
	return 0;
}

static uint32_t count(const struct seen *s, const char *flag)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->n; i++)
		n += !strcmp(s->flag[i], flag);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write_input(data, size, "yml");
	if (!path)
		return 0;
	static struct sweep sw;
	struct psp_err err;
	int rc = sweep_load(path, &sw, &err);
	unlink(path);
	if (rc < 0) {
		FUZZ_REQUIRE(err.code == rc && err.msg[0] && sw.cell == NULL && sw.ncells == 0);
		return 0;
	}
	FUZZ_REQUIRE(sw.ncells >= 1 && sw.ncells <= SWEEP_MAX_CELLS);
	FUZZ_REQUIRE(sw.shards >= 1 && (uint64_t)sw.ncells * sw.shards <= SWEEP_MAX_JOBS);
	for (uint32_t c = 0; c < sw.ncells; c++) {
		const struct sweep_cell *cell = &sw.cell[c];
		size_t len = strlen(cell->name);
		FUZZ_REQUIRE(len >= 1 && len <= SWEEP_NAME_MAX);
		FUZZ_REQUIRE(strspn(cell->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
						 "0123456789._-") == len);
		for (uint32_t d = 0; d < c && sw.ncells <= 256; d++)
			FUZZ_REQUIRE(strcmp(sw.cell[d].name, cell->name));
		FUZZ_REQUIRE(cell->argc >= 4 && cell->argc <= SWEEP_MAX_ARGS);
		FUZZ_REQUIRE(!strcmp(cell->argv[0], "--workload") && !strcmp(cell->argv[2], "--workers"));
		if (c >= 16)
			continue; /* the flags are the same in every cell but for values */
		char *argv[SWEEP_MAX_ARGS + 1] = {"psp-sim"};
		memcpy(argv + 1, cell->argv, cell->argc * sizeof(*argv));
		struct seen s = {.n = 0};
		if (sim_options_scan((int)cell->argc + 1, argv, record, &s, &err) < 0)
			continue; /* psp-sim refuses the cell: psp-sweep's preflight says so */
		for (size_t i = 0; once[i]; i++)
			FUZZ_REQUIRE(count(&s, once[i]) == 1);
		for (size_t i = 0; at_most_once[i]; i++)
			FUZZ_REQUIRE(count(&s, at_most_once[i]) <= 1);
		for (size_t i = 0; never[i]; i++)
			FUZZ_REQUIRE(count(&s, never[i]) == 0);
	}
	sweep_free(&sw);
	return 0;
}
