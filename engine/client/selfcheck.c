/* psp-client's self-checks (selfcheck.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "selfcheck.h"

int cli_gof_init(struct cli_gof *g, double rate_per_ns)
{
	g->rate_per_ns = rate_per_ns;
	g->n = 0;
	g->bin = calloc(CLI_GOF_BINS, sizeof(*g->bin));
	return g->bin ? 0 : -ENOMEM;
}

void cli_gof_free(struct cli_gof *g)
{
	free(g->bin);
	g->bin = NULL;
}

void cli_gof_add(struct cli_gof *g, double gap_ns)
{
	double u = -expm1(-g->rate_per_ns * (gap_ns > 0 ? gap_ns : 0));
	uint32_t k = (uint32_t)(u * CLI_GOF_BINS);
	if (k >= CLI_GOF_BINS)
		k = CLI_GOF_BINS - 1;
	if (g->bin[k] == UINT32_MAX) /* more than 4e9 in one bin: stop counting */
		return;
	g->bin[k]++;
	g->n++;
}

double cli_ks_p(double d, uint64_t n)
{
	if (n == 0 || d <= 0)
		return 1;
	double sn = sqrt((double)n);
	double lambda = (sn + 0.12 + 0.11 / sn) * d;
	if (lambda < 0.2) /* the series below has not converged; Q is 1 to 1e-20 */
		return 1;
	/* Q_KS(lambda) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 lambda^2) */
	double sum = 0, sign = 1;
	for (int k = 1; k <= 100; k++) {
		double term = sign * exp(-2.0 * k * k * lambda * lambda);
		sum += term;
		if (fabs(term) < 1e-16 * fabs(sum))
			break;
		sign = -sign;
	}
	double p = 2 * sum;
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

double cli_gof_result(const struct cli_gof *g, double *d)
{
	*d = 0;
	if (g->n == 0)
		return 1;
	/* Within bin k, [k/B, (k+1)/B), the empirical CDF lies between the
	 * counts below the bin and those up to its end: bounds on both
	 * sides of the statistic. */
	double n = (double)g->n, below = 0, dmax = 0;
	for (uint32_t k = 0; k < CLI_GOF_BINS; k++) {
		double lo = (double)k / CLI_GOF_BINS, hi = (double)(k + 1) / CLI_GOF_BINS;
		double upto = below + g->bin[k];
		dmax = fmax(dmax, fmax(upto / n - lo, hi - below / n));
		below = upto;
	}
	*d = dmax;
	return cli_ks_p(dmax, g->n);
}

/* P(B <= k) for B ~ Binomial(n, q); k < 0 is 0. */
static double binom_le(int64_t k, double q, uint64_t n)
{
	if (k < 0)
		return 0;
	if ((uint64_t)k >= n)
		return 1;
	return gsl_cdf_binomial_P((unsigned)k, q, (unsigned)n);
}

int cli_quantile_ci(const struct psp_hist *h, double q, uint64_t *lo, uint64_t *hi)
{
	uint64_t n = h->count;
	if (n < 2 || n > UINT32_MAX || !(q > 0 && q < 1))
		return -1;
	double s = sqrt((double)n * q * (1 - q));
	/* l: the largest rank with P(B <= l - 1) <= 2.5% (then x(l) <= the
	 * quantile with probability >= 97.5%); u: the smallest with
	 * P(B <= u - 1) >= 97.5%.  From the normal approximation, then
	 * exactly. */
	int64_t l = (int64_t)floor((double)n * q - 1.96 * s);
	if (l < 1)
		l = 1;
	while (l > 1 && binom_le(l - 1, q, n) > 0.025)
		l--;
	while (binom_le(l, q, n) <= 0.025)
		l++;
	if (binom_le(l - 1, q, n) > 0.025) /* even x(1) is too high */
		return -1;
	int64_t u = (int64_t)ceil((double)n * q + 1.96 * s) + 1;
	if (u > (int64_t)n + 1)
		u = (int64_t)n + 1;
	while (u > 1 && binom_le(u - 2, q, n) >= 0.975)
		u--;
	while (u <= (int64_t)n && binom_le(u - 1, q, n) < 0.975)
		u++;
	if (u > (int64_t)n) /* even x(n) is too low */
		return -1;
	*lo = psp_hist_quantile(h, ((double)l - 0.5) / (double)n);
	*hi = psp_hist_quantile(h, ((double)u - 0.5) / (double)n);
	return 0;
}
