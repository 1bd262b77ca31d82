/* psp-client's checks of its own measurements, apart from DPDK so that they
 * can be tested on constructed inputs (tests/engine/check_verdict.c):
 *  - a goodness-of-fit test of the realised inter-arrival times against the
 *    arrival process (Kolmogorov-Smirnov against the exponential gaps of a
 *    Poisson process at the target rate), streamed into bins so that a run
 *    of any length is tested whole in constant memory;
 *  - order-statistic confidence intervals on a histogram's percentiles.
 * docs/engine-reference.md, "Reports" (psp-client) states both. */
#ifndef PSP_CLIENT_SELFCHECK_H
#define PSP_CLIENT_SELFCHECK_H

#include <stdint.h>

#include <psp/hist.h>

/* The significance the inter-arrival test is judged at: a p-value below it
 * says the gaps do not follow the arrival process. */
#define CLI_GOF_ALPHA 0.01

/* Bins of the probability integral transform u = 1 - exp(-rate x gap): the
 * statistic is known to within 1 / CLI_GOF_BINS (see cli_gof_result). */
#define CLI_GOF_BINS 65536u

struct cli_gof {
	double rate_per_ns; /* the process's rate: gaps ~ Exp(rate_per_ns) */
	uint64_t n;
	uint32_t *bin;      /* CLI_GOF_BINS counters */
};

/* 0, or -ENOMEM. */
int cli_gof_init(struct cli_gof *g, double rate_per_ns);
void cli_gof_free(struct cli_gof *g);
/* Adds one realised gap (ns). */
void cli_gof_add(struct cli_gof *g, double gap_ns);

/* The Kolmogorov-Smirnov statistic D of the gaps against Exp(rate) and its
 * p-value (Stephens' approximation of the Kolmogorov distribution, good
 * from n = 5 on).  D is an upper bound, above the exact one by at most
 * 1 / CLI_GOF_BINS, so p is, if anything, low.  Returns the p-value; *d
 * gets D (n = 0: p = 1, D = 0). */
double cli_gof_result(const struct cli_gof *g, double *d);

/* The p-value of a Kolmogorov-Smirnov statistic d over n values. */
double cli_ks_p(double d, uint64_t n);

/* The 95% order-statistic interval of h's q-quantile: [x(l), x(u)], the
 * l-th and u-th smallest values, with l, u the ranks around n q whose
 * binomial coverage P(l <= B < u), B ~ Binomial(n, q), is at least 95%
 * (2.5% each side), for independent values.  Returns 0 and sets *lo, *hi
 * (ns, to the histogram's resolution), or -1 when n is too small for
 * such ranks to exist. */
int cli_quantile_ci(const struct psp_hist *h, double q, uint64_t *lo, uint64_t *hi);

#endif
