/* A load point of one policy: R independent replications summarised as
 * estimates with 95% confidence intervals.
 *
 * Estimator: every statistic (mean, p50, p99, p99.9 latency, p99.9 and mean
 * slowdown, queue growth) is computed within each replication; the point
 * estimate is their average and the interval is the Student t interval of
 * that average, value +- t(0.975, R-1) x s / sqrt(R), s the standard
 * deviation across replications.  Replications are independent runs (their
 * own seeds), so their estimates are i.i.d. and the interval is valid for
 * any statistic, percentiles included, without assuming a distribution of
 * latencies or modelling the autocorrelation inside a run; a percentile's
 * estimate within a run is slightly biased for small runs, which the
 * warnings about sample size address.  With R = 1 there is no interval
 * (ci95 is NaN). */
#ifndef PSP_SIM_POINT_H
#define PSP_SIM_POINT_H

#include <stdbool.h>
#include <stdint.h>

#include <psp/req.h>

#include "run.h"

struct sim_est {
	double value; /* mean over replications */
	double ci95;  /* half-width of the 95% interval; NaN with one replication */
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
	char reservation[512];    /* replication 0's, at its end */
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
	uint64_t count[PSP_MAX_TYPES + 1];
	double stat[PSP_MAX_TYPES + 1][SIM_NSTATS];
	char reservation[512];
};

/* The statistics of one replication's result. */
void sim_rep_stats_of(struct sim_rep_stats *s, const struct sim_result *res);

/* Summarises 1 <= n <= SIM_MAX_REPLICATIONS replications of one point. */
void sim_point_from(struct sim_point *pt, const struct sim_rep_stats *reps, uint32_t n);

/* The Student t interval of n values (NaN half-width when n < 2). */
struct sim_est sim_est_of(const double *v, uint32_t n);

#endif
