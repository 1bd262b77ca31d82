/* Draws request types, service times and arrival gaps from a workload.
 *
 * Hot path: psp-sim draws a type, a service time and a gap per request and
 * aims at >= 25 M requests/s, so everything that can be is worked out at
 * create time: an alias table per phase for the type, and per phase and type
 * a "compiled" distribution already in ns (lognormal mu, Pareto inverse-CDF
 * constants).  Constant distributions do not touch a generator.
 *
 * Generators: one xoshiro256++ (Blackman and Vigna, 2019) per purpose, inline
 * here (a few instructions a draw; GSL's generators are reached through a
 * function pointer, and its fastest, taus2, cost 33 instructions a uniform
 * draw).  Period 2^256 - 1; it passes BigCrush and PractRand.  Each stream's
 * 256-bit state is the splitmix64 sequence started at a mix of (seed,
 * purpose), the seeding its authors recommend.  The same generator is also a
 * GSL generator type (rng.c), so the lognormal keeps GSL's exact Gaussian
 * ziggurat.  Exponentials (Poisson gaps, exponential service) come from a
 * 256-layer ziggurat (rng.c): one draw, a table look-up and a multiply 98.9%
 * of the time, an exact rejection step otherwise; no log on the fast path.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "internal.h"
#include "rng.h"

enum stream { S_ARRIVAL, S_TYPE, S_SERVICE, S_POLICY, S_COUNT };

/* Service times above this (about 11.6 days, a thousand times the longest
 * mean the loader accepts) are clamped so the conversion to uint64_t stays
 * defined even for an extreme lognormal draw, and a simulated clock (2^56 ns)
 * can always add one. */
#define SERVICE_NS_CAP 1e15

struct cdist {
	enum psp_dist_kind kind;
	uint64_t const_ns; /* constant */
	double a, b, c;    /* see compile_dist */
};

/* Vose alias table over the types with a non-zero ratio in one phase.
 * A draw takes one uniform u * k: the integer part picks a column, the
 * fraction decides between the column's own type and its alias. */
struct alias {
	uint32_t k;                      /* columns; 1 means no draw needed */
	double prob[PSP_MAX_TYPES];      /* keep own type when frac < prob */
	uint8_t own[PSP_MAX_TYPES];
	uint8_t alias[PSP_MAX_TYPES];
};

struct psp_wl_sampler {
	gsl_rng *rng[S_COUNT];    /* GSL's view of the generators (lognormal) */
	struct wl_xoshiro *x[S_COUNT]; /* their states, drawn from inline */
	struct wl_zig_exp zig;
	enum psp_arrival_kind arrival;
	uint32_t nphases, ntypes;
	struct alias types[PSP_WL_MAX_PHASES];
	struct cdist svc[PSP_WL_MAX_PHASES][PSP_MAX_TYPES];
};

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static unsigned long stream_seed(uint64_t seed, enum stream s)
{
	return (unsigned long)splitmix64(seed + 0x9e3779b97f4a7c15ull * (uint64_t)(s + 1));
}

static uint64_t round_ns(double ns)
{
	if (!(ns < SERVICE_NS_CAP))
		ns = SERVICE_NS_CAP;
	uint64_t v = (uint64_t)(int64_t)(ns + 0.5); /* < 2^63: one instruction */
	return v ? v : 1;
}

/* Precomputes per distribution, all in ns:
 *   exponential    a = mean
 *   lognormal      a = mu = ln(mean) - sigma^2/2 (so E[X] = mean), b = sigma
 *   bounded_pareto a = L, b = 1 - (L/H)^alpha, c = -1/alpha; the inverse CDF
 *                  is x = L (1 - u b)^c for u in [0, 1), giving x in [L, H)
 *   uniform        a = min, b = max - min */
static void compile_dist(struct cdist *cd, const struct psp_dist *d)
{
	memset(cd, 0, sizeof(*cd));
	cd->kind = d->kind;
	switch (d->kind) {
	case PSP_DIST_CONSTANT:
		cd->const_ns = round_ns(d->mean_us * 1e3);
		break;
	case PSP_DIST_EXPONENTIAL:
		cd->a = d->mean_us * 1e3;
		break;
	case PSP_DIST_LOGNORMAL:
		cd->a = log(d->mean_us * 1e3) - 0.5 * d->sigma * d->sigma;
		cd->b = d->sigma;
		break;
	case PSP_DIST_BOUNDED_PARETO:
		cd->a = d->min_us * 1e3;
		cd->b = 1.0 - pow(d->min_us / d->max_us, d->alpha);
		cd->c = -1.0 / d->alpha;
		break;
	case PSP_DIST_UNIFORM:
		cd->a = d->min_us * 1e3;
		cd->b = (d->max_us - d->min_us) * 1e3;
		break;
	}
}

/* Vose's method: scale the ratios to mean 1, then pair each column below 1
 * with one above, which tops it up.  Deterministic for given ratios. */
static void build_alias(struct alias *al, const double *ratio, uint32_t ntypes)
{
	double p[PSP_MAX_TYPES], sum = 0;
	uint32_t small[PSP_MAX_TYPES], large[PSP_MAX_TYPES], ns = 0, nl = 0, k = 0;

	memset(al, 0, sizeof(*al));
	for (uint32_t t = 0; t < ntypes; t++) {
		if (ratio[t] > 0) {
			al->own[k] = al->alias[k] = (uint8_t)t;
			p[k++] = ratio[t];
			sum += ratio[t];
		}
	}
	PSP_CHECK(k > 0); /* the loader rejects a phase without types */
	al->k = k;
	for (uint32_t i = 0; i < k; i++) {
		p[i] = p[i] * k / sum;
		if (p[i] < 1.0)
			small[ns++] = i;
		else
			large[nl++] = i;
	}
	while (ns > 0 && nl > 0) {
		uint32_t s = small[--ns], l = large[nl - 1];
		al->prob[s] = p[s];
		al->alias[s] = al->own[l];
		p[l] -= 1.0 - p[s];
		if (p[l] < 1.0) {
			nl--;
			small[ns++] = l;
		}
	}
	/* Whatever is left is 1 up to rounding: always keep its own type. */
	while (nl > 0)
		al->prob[large[--nl]] = 1.0;
	while (ns > 0)
		al->prob[small[--ns]] = 1.0;
}

struct psp_wl_sampler *psp_wl_sampler_create(const struct psp_workload *wl,
					     uint64_t seed)
{
	PSP_CHECK(wl->nphases >= 1 && wl->nphases <= PSP_WL_MAX_PHASES);
	PSP_CHECK(wl->ntypes >= 1 && wl->ntypes <= PSP_MAX_TYPES);
	struct psp_wl_sampler *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	for (int i = 0; i < S_COUNT; i++) {
		s->rng[i] = gsl_rng_alloc(wl_xoshiro_gsl_type);
		if (!s->rng[i]) {
			psp_wl_sampler_destroy(s);
			return NULL;
		}
		gsl_rng_set(s->rng[i], stream_seed(seed, (enum stream)i));
		s->x[i] = s->rng[i]->state;
	}
	wl_zig_exp_init(&s->zig);
	s->arrival = wl->arrival;
	s->nphases = wl->nphases;
	s->ntypes = wl->ntypes;
	for (uint32_t ph = 0; ph < wl->nphases; ph++) {
		build_alias(&s->types[ph], wl->phase[ph].ratio, wl->ntypes);
		for (uint32_t t = 0; t < wl->ntypes; t++)
			compile_dist(&s->svc[ph][t], &wl->phase[ph].service[t]);
	}
	return s;
}

void psp_wl_sampler_destroy(struct psp_wl_sampler *s)
{
	if (!s)
		return;
	for (int i = 0; i < S_COUNT; i++)
		gsl_rng_free(s->rng[i]); /* accepts NULL */
	free(s);
}

uint32_t psp_wl_sample_type(struct psp_wl_sampler *s, uint32_t ph)
{
	PSP_CHECK(ph < s->nphases);
	const struct alias *al = &s->types[ph];
	if (al->k == 1)
		return al->own[0];
	double u = wl_uniform(s->x[S_TYPE]) * al->k;
	uint32_t col = (uint32_t)u; /* u < k: wl_uniform < 1 */
	return (u - col) < al->prob[col] ? al->own[col] : al->alias[col];
}

uint64_t psp_wl_sample_service_ns(struct psp_wl_sampler *s, uint32_t ph, uint32_t t)
{
	PSP_CHECK(ph < s->nphases && t < s->ntypes);
	const struct cdist *cd = &s->svc[ph][t];
	struct wl_xoshiro *x = s->x[S_SERVICE];
	switch (cd->kind) {
	case PSP_DIST_CONSTANT:
		return cd->const_ns;
	case PSP_DIST_EXPONENTIAL:
		return round_ns(cd->a * wl_exp(&s->zig, x));
	case PSP_DIST_LOGNORMAL:
		return round_ns(exp(cd->a + cd->b * gsl_ran_gaussian_ziggurat(s->rng[S_SERVICE], 1.0)));
	case PSP_DIST_BOUNDED_PARETO:
		return round_ns(cd->a * pow(1.0 - wl_uniform(x) * cd->b, cd->c));
	case PSP_DIST_UNIFORM:
		return round_ns(cd->a + cd->b * wl_uniform(x));
	}
	return 1;
}

double psp_wl_sample_gap_ns(struct psp_wl_sampler *s, double rate_per_ns)
{
	PSP_CHECK(rate_per_ns > 0);
	if (s->arrival == PSP_ARRIVAL_CONSTANT)
		return 1.0 / rate_per_ns;
	return wl_exp(&s->zig, s->x[S_ARRIVAL]) / rate_per_ns;
}

uint64_t psp_wl_sample_u64(struct psp_wl_sampler *s)
{
	return wl_xoshiro_next(s->x[S_POLICY]);
}
