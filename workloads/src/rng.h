/* The sampler's random numbers: the xoshiro256++ generator, inline, and an
 * exact exponential by Marsaglia and Tsang's ziggurat (2000) with 256 layers,
 * laid out as in NumPy's random_standard_exponential: a 64-bit draw gives the
 * layer (8 bits) and a 53-bit position in it, so the two are independent.
 * Not part of the public interface. */
#ifndef PSP_WORKLOAD_RNG_H
#define PSP_WORKLOAD_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

struct wl_xoshiro {
	uint64_t s[4];
};

static inline uint64_t wl_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t wl_xoshiro_next(struct wl_xoshiro *x)
{
	uint64_t *s = x->s;
	uint64_t out = wl_rotl(s[0] + s[3], 23) + s[0];
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = wl_rotl(s[3], 45);
	return out;
}

/* Uniform on [0, 1) in steps of 2^-53 (the top 53 bits). */
static inline double wl_uniform(struct wl_xoshiro *x)
{
	return (double)(int64_t)(wl_xoshiro_next(x) >> 11) * 0x1p-53; /* int64_t: one instruction */
}

/* xoshiro256++ as a GSL generator type (32-bit outputs, the top half of each
 * draw; get_double is wl_uniform), for the GSL samplers the sampler keeps
 * (the Gaussian ziggurat).  gsl_rng_set seeds it from an unsigned long. */
extern const gsl_rng_type *const wl_xoshiro_gsl_type;

#define WL_ZIG_LAYERS 256

/* Layer i >= 1 is the rectangle [0, x_i) x [f(x_i), f(x_{i-1})) of the
 * density f(x) = e^-x, x_0 = 0 < x_1 < ... < x_255 = r, every layer of the
 * same area v; layer 0 is [0, r) x [0, f(r)) plus the tail beyond r. */
struct wl_zig_exp {
	uint64_t k[WL_ZIG_LAYERS]; /* accept at once when the 53-bit position is below */
	double w[WL_ZIG_LAYERS];   /* position (0..2^53) to x */
	double f[WL_ZIG_LAYERS];   /* f(x_i) */
};

/* Fills the tables.  Deterministic. */
void wl_zig_exp_init(struct wl_zig_exp *z);

/* The rare path of wl_exp: the tail, a wedge, or a rejection. */
double wl_exp_slow(const struct wl_zig_exp *z, struct wl_xoshiro *x, uint32_t layer, double v);

/* A standard exponential draw (mean 1). */
static inline double wl_exp(const struct wl_zig_exp *z, struct wl_xoshiro *x)
{
	uint64_t r = wl_xoshiro_next(x) >> 3;
	uint32_t layer = (uint32_t)(r & 0xff);
	r >>= 8;
	double v = (double)(int64_t)r * z->w[layer];
	if (r < z->k[layer])
		return v;
	return wl_exp_slow(z, x, layer, v);
}

#endif
