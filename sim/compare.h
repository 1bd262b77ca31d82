/* Paired comparisons of policies against a baseline policy.
 *
 * Every policy at a load runs replication r with the same seed
 * (sim_replication_seed depends on --seed, the load and r only), so
 * replication r of two policies sees the same arrival times, types and
 * service times: common random numbers.  The r-th runs of two policies form
 * a pair, pairs are independent of each other, and a statistic's
 * per-replication difference and ratio are i.i.d. over the pairs.  Hence:
 *  - the difference (policy - baseline): the average of the per-replication
 *    differences with Student's t interval over the pairs;
 *  - the ratio (policy / baseline): the geometric mean of the
 *    per-replication ratios, exp of the average of their logarithms with
 *    that average's t interval (so the interval of baseline / policy is the
 *    reciprocal one); none when a value is not positive.
 * The pairing is valid whatever the correlation (only the pairs need be
 * independent); the positive correlation common random numbers give makes
 * the interval narrower than the unpaired one (Welch's, from the two
 * policies' replications taken as independent samples), which is kept for
 * comparison.  A policy that draws random numbers itself (dfcfs, ws with
 * placement random) takes them from the run's one stream, so its arrivals
 * after its first draw are no longer the baseline's: the pairs stay
 * independent (the interval stays valid) but are less correlated.
 *
 * Capacities are compared by their ratio, with the range the two
 * capacities' 95% ranges allow together (slo.h). */
#ifndef PSP_SIM_COMPARE_H
#define PSP_SIM_COMPARE_H

#include <stdint.h>
#include <stdio.h>

#include "point.h"
#include "report.h"
#include "slo.h"

/* One statistic of a policy against the baseline, over n pairs. */
struct sim_paired {
	uint32_t n;              /* pairs: replications both policies ran */
	double value, base;      /* the policy's and the baseline's averages over the pairs */
	struct sim_est diff;     /* policy - baseline: paired, Student t over the pairs */
	struct sim_est unpaired; /* the same difference, Welch's interval (independent samples) */
	struct sim_est ratio;    /* policy / baseline: geometric mean of the pairs' ratios */
};

/* Pairs a[i] with b[i], i < n (1 <= n <= SIM_MAX_REPLICATIONS). */
void sim_paired_of(const double *a, const double *b, uint32_t n, struct sim_paired *out);

/* Welch's 95% interval for the difference of the means of two independent
 * samples (a's mean - b's); none when either has fewer than 2 values. */
struct sim_est sim_unpaired_diff(const double *a, uint32_t na, const double *b, uint32_t nb);

/* The ratio of capacity a to capacity b (a->load / b->load) and its range
 * [a->lo / b->hi, a->hi / b->lo]: where the ratio lies when both capacities
 * lie in their ranges (by Bonferroni, with at least 90% confidence when each
 * range holds with 95%).  known is false when either capacity was not
 * found. */
struct sim_capacity_ratio {
	bool known;
	double ratio, lo, hi;
};
struct sim_capacity_ratio sim_capacity_ratio_of(const struct sim_capacity *a,
						const struct sim_capacity *b);

/* The statistics a comparison reports, per type and for ALL. */
#define SIM_COMPARE_NSTATS 2u
extern const enum sim_stat sim_compare_stat[SIM_COMPARE_NSTATS];

/* The CSV header of --compare-output: one row per policy (not the
 * baseline), load, type and statistic. */
#define SIM_COMPARE_CSV_HEADER \
	"policy,baseline,workload,workers,load,type,statistic,pairs,value,baseline_value," \
	"diff,diff_lo,diff_hi,unpaired_lo,unpaired_hi,ratio,ratio_lo,ratio_hi"

/* The comparison block, after the points: its heading (csv, when not NULL,
 * gets SIM_COMPARE_CSV_HEADER), then one call per policy (not the baseline)
 * and load with both policies' replications at that load (paired by index,
 * over min(na, nb)).  A JSON comparison array is closed by what follows it. */
void sim_report_compare_begin(struct sim_report *r, const char *baseline, FILE *csv);
void sim_report_compare(struct sim_report *r, const char *policy, const char *baseline,
			double load, const struct sim_rep_stats *a, uint32_t na,
			const struct sim_rep_stats *b, uint32_t nb, FILE *csv);

/* The capacity ratio of policy to the baseline, in the capacity block. */
void sim_report_capacity_ratio(struct sim_report *r, const char *policy, const char *baseline,
			       const struct sim_capacity_ratio *q);

#endif
