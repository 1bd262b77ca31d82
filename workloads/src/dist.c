/* Service-time distributions: their names, the parameters each takes, and
 * their means.  The sampler (sampler.c) draws from them; the loader
 * (yaml_load.c) validates their parameters. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const struct {
	const char *name;
	unsigned params;
} dists[] = {
	[PSP_DIST_CONSTANT] = {"constant", WL_P_MEAN},
	[PSP_DIST_EXPONENTIAL] = {"exponential", WL_P_MEAN},
	[PSP_DIST_LOGNORMAL] = {"lognormal", WL_P_MEAN | WL_P_SIGMA},
	[PSP_DIST_BOUNDED_PARETO] = {"bounded_pareto", WL_P_ALPHA | WL_P_MIN | WL_P_MAX},
	[PSP_DIST_UNIFORM] = {"uniform", WL_P_MIN | WL_P_MAX},
};
#define NDISTS (sizeof(dists) / sizeof(dists[0]))

/* Indexed by bit position of WL_P_*. */
static const char *const param_keys[WL_NPARAMS] = {
	"mean_us", "sigma", "alpha", "min_us", "max_us",
};

const char *wl_param_key(unsigned i)
{
	return i < WL_NPARAMS ? param_keys[i] : "?";
}

int wl_dist_parse(const char *name, enum psp_dist_kind *kind)
{
	for (unsigned i = 0; i < NDISTS; i++) {
		if (strcmp(name, dists[i].name) == 0) {
			*kind = (enum psp_dist_kind)i;
			return 0;
		}
	}
	return -1;
}

const char *wl_dist_known(void)
{
	return "constant, exponential, lognormal, bounded_pareto, uniform";
}

unsigned wl_dist_params(enum psp_dist_kind kind)
{
	return (unsigned)kind < NDISTS ? dists[kind].params : 0;
}

const char *wl_dist_params_text(enum psp_dist_kind kind, char *buf, unsigned cap)
{
	unsigned mask = wl_dist_params(kind), n = 0;
	if (cap == 0)
		return buf;
	buf[0] = '\0';
	for (unsigned i = 0; i < WL_NPARAMS; i++) {
		if (!(mask & (1u << i)) || n >= cap)
			continue;
		n += (unsigned)snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", param_keys[i]);
	}
	return buf;
}

const char *psp_dist_name(enum psp_dist_kind kind)
{
	return (unsigned)kind < NDISTS ? dists[kind].name : "unknown";
}

/* E[X] of a Pareto(alpha, L) truncated to [L, H]:
 *   alpha != 1: alpha L / (alpha - 1) * (1 - r^(alpha-1)) / (1 - r^alpha)
 *   alpha == 1: L ln(H/L) / (1 - r)
 * with r = L/H < 1.  Written in r rather than in L^alpha, H^alpha so a large
 * alpha or H cannot overflow. */
static double bounded_pareto_mean(double alpha, double lo, double hi)
{
	double r = lo / hi;
	if (fabs(alpha - 1.0) < 1e-9)
		return lo * log(hi / lo) / (1.0 - r);
	return alpha * lo / (alpha - 1.0) * (1.0 - pow(r, alpha - 1.0)) /
	       (1.0 - pow(r, alpha));
}

double psp_dist_mean_us(const struct psp_dist *d)
{
	switch (d->kind) {
	case PSP_DIST_CONSTANT:
	case PSP_DIST_EXPONENTIAL:
	case PSP_DIST_LOGNORMAL:
		return d->mean_us;
	case PSP_DIST_BOUNDED_PARETO:
		return bounded_pareto_mean(d->alpha, d->min_us, d->max_us);
	case PSP_DIST_UNIFORM:
		return 0.5 * (d->min_us + d->max_us);
	}
	return NAN;
}
