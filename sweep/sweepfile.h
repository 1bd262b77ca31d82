/* A sweep file (docs/sweeps.md): the product of
 * workloads x workers x knob values to run, each a cell, with the policies,
 * loads, replications, requests and seed every cell shares.  A cell is one
 * psp-sim run; psp-sweep splits each into `shards` jobs. */
#ifndef PSP_SIM_SWEEPFILE_H
#define PSP_SIM_SWEEPFILE_H

#include <stdbool.h>
#include <stdint.h>

#include <psp/err.h>

#define SWEEP_MAX_ARGS 96u    /* psp-sim arguments of a cell */
#define SWEEP_MAX_CELLS 100000u
#define SWEEP_MAX_JOBS 1000000u /* cells x shards */
/* A cell's name is a file name (with ".IofN.shard", ".capacity.csv" and a
 * temporary suffix after it); a longer one is cut and ends in "-" and a
 * hash of the cell's workload, workers and knob values. */
#define SWEEP_NAME_MAX 160u

struct sweep_cell {
	const char *name;   /* workload-kWORKERS[-knob-value...], file-name safe, unique */
	uint32_t argc;
	char **argv;        /* psp-sim flags, without --shard/--output/--format */
};

struct sweep {
	char name[128];          /* the name: key, or the file's base name */
	uint32_t shards;         /* jobs per cell */
	const char *format;      /* "table", "csv" or "json": the merged outputs */
	bool capacity;           /* capacity searches (else every cell gets --no-capacity) */
	uint32_t ncells;
	struct sweep_cell *cell;
	char **args;             /* the cells' argv, one block */
	char **strings;          /* every string the cells point to */
	uint32_t nstrings, cap_strings;
};

/* Reads path; errors name the file, line, column and key. */
int sweep_load(const char *path, struct sweep *sw, struct psp_err *err);
void sweep_free(struct sweep *sw);

#endif
