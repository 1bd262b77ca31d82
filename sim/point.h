/* A load point of one policy: R independent replications summarised as
 * estimates with 95% confidence intervals.
 *
 * Every statistic is computed within each replication; replications are
 * independent runs (their own seeds), so their estimates are i.i.d. and
 * the summary needs neither a distribution of latencies nor a model of
 * the autocorrelation inside a run.  Two estimators, by kind of statistic
 * (docs/statistics.md gives the reasons and what each output column means):
 *  - means (mean latency, mean slowdown, queue growth): the average of the
 *    replications' values with Student's t interval, value +- t(0.975, R-1)
 *    x s / sqrt(R), s the standard deviation across replications;
 *  - quantiles (p50, p99, p99.9 latency, p99.9 slowdown): the median of the
 *    replications' values, x(ceil(R/2)) (the inverse of their empirical
 *    distribution, the definition each run uses for its own percentiles),
 *    with the distribution-free order-statistic interval [x(j), x(R+1-j)]
 *    for that median: the narrowest whose binomial coverage is >= 95%.
 *    It exists from SIM_MIN_QUANTILE_REPLICATIONS replications on; its
 *    bounds are values some replication produced.
 * An estimate without an interval has lo = hi = NaN. */
#ifndef PSP_SIM_POINT_H
#define PSP_SIM_POINT_H

#include <stdbool.h>
#include <stdint.h>

#include <psp/req.h>

#include "run.h"

struct sim_est {
	double value;  /* means: the average over replications; quantiles: their median */
	double lo, hi; /* the 95% interval; NaN when there is none */
	bool quantile; /* a quantile's estimate (median, order-statistic interval);
			* else a mean's (average, Student t interval, symmetric) */
};

struct sim_row {
	uint64_t count; /* measured requests, summed over replications */
	struct sim_est mean_us, p50_us, p99_us, p999_us, p999_slow, mean_slow;
	struct sim_est growth_per_s; /* the fitted change of the number in system */
	bool growing;  /* its queue was seen growing in some replication (judged or not) */
};

struct sim_point {
	double load;
	uint32_t reps;
	double offered_rps, achieved_rps; /* means over replications */
	bool overloaded;          /* in some replication */
	uint32_t overloaded_reps; /* how many */
	uint32_t growing_types;   /* seen growing: union over replications (bit ntypes: all) */
	bool judged;              /* every replication was long enough to judge
				   * the stability of all requests (stability.h) */
	uint64_t dropped, preemptions, steals, measured; /* sums */
	uint32_t reservations_min; /* DARC: fewest reservations made in a replication */
	/* The measured window's first arrival (the latest over replications;
	 * UINT64_MAX: none measured), and the arrivals a learning policy took
	 * to install its first plan (the most over replications; 0: none). */
	uint64_t measured_from, profiled_arrivals;
	/* The share of each run not measured (sim_result.warmup_fraction),
	 * the mean over replications; how many replications' MSER-5 minimum
	 * lay at the middle of their series (the warm-up may be longer). */
	double warmup_fraction;
	uint32_t warmup_unsettled;
	bool batch_means;         /* reps are batches of one run (--batches) */
	char reservation[512];    /* replication 0's, at its end */
	/* CPU accounting (a run on a --system only; sim_result's): core-us
	 * per completed request, busy / spinning / parked, means over
	 * replications. */
	bool has_cpu;
	struct sim_est cpu_busy_us, cpu_spin_us, cpu_parked_us;
	uint32_t ntypes;
	struct sim_row row[PSP_MAX_TYPES + 1]; /* types, then ALL */
};

/* The most replications a point can have (--replications). */
#define SIM_MAX_REPLICATIONS 1000u

/* The statistics a point takes from each replication, by type. */
enum sim_stat {
	SIM_STAT_MEAN_US, SIM_STAT_P50_US, SIM_STAT_P99_US, SIM_STAT_P999_US,
	SIM_STAT_P999_SLOW, SIM_STAT_MEAN_SLOW, SIM_STAT_GROWTH_PER_S, SIM_NSTATS
};

/* What a point needs of one replication: everything sim_point_from reads,
 * without the histograms (a shard file stores exactly this, sim/shard.h). */
struct sim_rep_stats {
	double load, offered_rps, achieved_rps;
	bool overloaded;
	uint32_t growing_types, judged_types, reservations, ntypes;
	uint64_t dropped, preemptions, steals, measured;
	uint64_t measured_from, profiled_arrivals; /* sim_result's window_first_id, profiled_arrivals */
	double warmup_fraction;   /* sim_result's */
	bool warmup_settled;      /* sim_result's */
	bool batch;               /* a batch of one run (--batches), not a replication */
	uint64_t count[PSP_MAX_TYPES + 1];
	double stat[PSP_MAX_TYPES + 1][SIM_NSTATS];
	char reservation[512];
	/* CPU accounting (not stored in shard files: --system is refused with
	 * --shard): core-us per completed request; has_cpu when accounted. */
	bool has_cpu;
	double cpu_busy_us, cpu_spin_us, cpu_parked_us;
};

/* The statistics of one replication's result. */
void sim_rep_stats_of(struct sim_rep_stats *s, const struct sim_result *res);

/* The same, with the latency and slowdown histograms of part of its window
 * (ntypes + 1 each, ALL last) in place of the result's: a batch. */
void sim_rep_stats_of_window(struct sim_rep_stats *s, const struct sim_result *res,
			     const struct psp_hist *lat, const struct psp_hist *slow);

/* Summarises 1 <= n <= SIM_MAX_REPLICATIONS replications of one point. */
void sim_point_from(struct sim_point *pt, const struct sim_rep_stats *reps, uint32_t n);

/* The fewest replications that give a quantile a 95% interval
 * (sim_median_ci_rank(6) = 1: [x(1), x(6)] covers 1 - 2/64 = 96.9%; with 5,
 * the widest interval [x(1), x(5)] covers only 1 - 2/32 = 93.75%). */
#define SIM_MIN_QUANTILE_REPLICATIONS 6u

/* A mean's estimate from n values: their average and its Student t interval
 * (none when n < 2). */
struct sim_est sim_est_mean(const double *v, uint32_t n);

/* A quantile's estimate from n values (each replication's estimate of that
 * quantile): their median x(ceil(n/2)) and the interval [x(j), x(n+1-j)],
 * j = sim_median_ci_rank(n) (none when j = 0). */
struct sim_est sim_est_quantile(const double *v, uint32_t n);

/* The rank j of the narrowest order-statistic interval [x(j), x(n+1-j)] for
 * the median of n i.i.d. values whose coverage, sim_median_ci_coverage(n, j),
 * is at least 95%; 0 when even [x(1), x(n)] covers less (n < 6). */
uint32_t sim_median_ci_rank(uint32_t n);

/* The probability that [x(j), x(n+1-j)] contains the median of the values'
 * distribution: P(j <= B <= n - j) for B ~ Binomial(n, 1/2), exact for a
 * continuous distribution and a lower bound otherwise (the interval is
 * closed).  1 <= j <= n / 2. */
double sim_median_ci_coverage(uint32_t n, uint32_t j);

#endif
