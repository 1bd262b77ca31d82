/* Runs independent load points on several threads.  Each point's result
 * depends only on its inputs (its seed is derived from the sweep seed and
 * its load), so the output is the same whatever the number of threads. */
#ifndef PSP_SIM_SWEEP_H
#define PSP_SIM_SWEEP_H

#include "point.h"
#include "progress.h"
#include "run.h"

struct sim_job {
	const struct sim_setup *setup;
	double load;
	uint32_t rep; /* replication */
	/* When not NULL, the job stores its statistics here as soon as it ends
	 * (a run with setup->batches: one per batch, stats[0 .. batches - 1])
	 * and, unless keep_result, frees res (its histograms): a run's memory
	 * then grows by ~1 KB per replication, not by its histograms. */
	struct sim_rep_stats *stats;
	bool keep_result;
	struct sim_result res;
	struct psp_err err;
	int rc;
};

/* Runs every job, at most nthreads at a time, counting each in prog (may
 * be NULL); when prog is on, the calling thread only watches and reports
 * progress (progress.h).  Returns 0 or the first job's negative errno (the
 * job's err says why). */
int sim_sweep_run(struct sim_job *jobs, uint32_t njobs, uint32_t nthreads,
		  struct sim_progress *prog);

#endif
