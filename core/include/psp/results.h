/* The columns of a results table (one row per policy, load point and type),
 * written as CSV by psp-sim and psp-client alike so that one notebook reads
 * both.  The first 17 columns are those of psp's first release, in their
 * order; docs/sim.md (Outputs) documents each. */
#ifndef PSP_RESULTS_H
#define PSP_RESULTS_H

#define PSP_RESULTS_CSV_HEADER \
	"policy,workload,workers,load,offered_rps,achieved_rps,type,count,mean_us," \
	"p50_us,p99_us,p999_us,p999_slowdown,mean_slowdown,overloaded,preemptions,reservation," \
	"replications,dropped,overloaded_types,judged,growing,growth_per_s,mean_us_lo,mean_us_hi," \
	"p50_us_lo,p50_us_hi,p99_us_lo,p99_us_hi,p999_us_lo,p999_us_hi,p999_slowdown_lo," \
	"p999_slowdown_hi,mean_slowdown_lo,mean_slowdown_hi,measured_from"

/* Columns of the first release, which readers of old files can rely on. */
enum { PSP_RESULTS_FIRST_COLUMNS = 17 };

#endif
