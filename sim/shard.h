/* Sharded runs: slice I of N of a run's units, written to a shard file,
 * and the merge of the N files into what the unsharded run prints.
 *
 * A run's units are its replications, (policy, load, replication) in that
 * order; when the run searches a capacity, a unit is a whole policy (its
 * sweep points, which steer the search, then the search).  Unit u belongs
 * to shard (u mod N) + 1, so every shard gets a share of the high, slow
 * loads.  A replication's seed depends only on the run's seed, its load and
 * its index (run.h), so a unit computes the same numbers in any shard.
 *
 * The file is text: a header identifying the run (the psp-sim version, the
 * workload's name, argument and a hash of its file's bytes, the run's
 * normalised flags, seeds included), then each replication's statistics as
 * the bit patterns of its doubles (the merge recomputes every estimate and
 * interval from them, exactly), each capacity found, and an end line with
 * the record counts.  A "check" line after the header and after each record
 * holds the FNV-1a 64 of the lines since the previous one, so an edited or
 * damaged record is refused (a guard against accidents, not adversaries). */
#ifndef PSP_SIM_SHARD_H
#define PSP_SIM_SHARD_H

#include <stdbool.h>
#include <stdint.h>

#include <psp/err.h>
#include <psp/workload.h>

#include "options.h"
#include "point.h"
#include "slo.h"

struct sim_run_id {
	char version[32];
	char workload_name[PSP_WL_NAME_MAX];
	char workload[512];      /* the --workload argument, to load it again */
	uint64_t workload_hash;  /* FNV-1a 64 of the file's bytes */
	char flags[6144];        /* sim_options_run_flags */
};

/* The identity of the run opts describes on the loaded workload wl. */
int sim_run_id_of(struct sim_run_id *id, const struct sim_options *opts,
		  const struct psp_workload *wl, struct psp_err *err);

/* Whether a run searches capacities in some output format: then a unit is
 * a policy. */
bool sim_shard_by_policy(const struct sim_options *opts, const struct psp_workload *wl);
/* The unit of replication (p, l, r), and the shard (1..nshards) owning a unit. */
uint32_t sim_shard_unit(const struct sim_options *opts, bool by_policy, uint32_t p,
			uint32_t l, uint32_t r);
uint32_t sim_shard_units(const struct sim_options *opts, bool by_policy);
static inline uint32_t sim_shard_owner(uint32_t unit, uint32_t nshards)
{
	return unit % nshards + 1;
}

struct sim_shard_rep {
	uint32_t p, l, r;
	struct sim_rep_stats s;
};

struct sim_shard_cap {
	uint32_t p;
	struct sim_capacity c;
};

struct sim_shard {
	struct sim_run_id id;
	uint32_t shard, nshards, nunits;
	bool by_policy;
	uint32_t nrep, ncap;
	struct sim_shard_rep *rep;
	struct sim_shard_cap *cap;
};

/* Writes sh to path (through a temporary file renamed into place, so a lost
 * job leaves no partial file) or to stdout when path is NULL. */
int sim_shard_write(const char *path, const struct sim_shard *sh, struct psp_err *err);

/* Reads a shard file; errors name the file and line.  Free with
 * sim_shard_free. */
int sim_shard_read(const char *path, struct sim_shard *sh, struct psp_err *err);
void sim_shard_free(struct sim_shard *sh);

/* Whether b belongs to the same run as a; when not, fills err with what
 * differs (version, workload, the first differing flag, the slicing),
 * naming the files. */
int sim_shard_same_run(const struct sim_shard *a, const char *a_path,
		       const struct sim_shard *b, const char *b_path, struct psp_err *err);

/* Checks that the n shards are one run's complete set (each I of N once)
 * and holds exactly its units' records; err names the missing or doubled
 * shards. */
int sim_shard_check_set(const struct sim_shard *sh, char *const *path, uint32_t n,
			struct psp_err *err);

/* Checks that sh, read from path, holds exactly the records of its slice
 * of the run o describes on workload wl: each replication it owns once and
 * nothing else, each at the run's load with the workload's types, and, when
 * a unit is a policy, the capacity of each policy it owns once; err names
 * the file and the first record at fault.  --verify and --merge both ask
 * it, so psp-sweep --resume runs again what a merge would refuse. */
int sim_shard_check_records(const struct sim_shard *sh, const char *path,
			    const struct sim_options *o, const struct psp_workload *wl,
			    struct psp_err *err);

#endif
