/* The generator as a GSL type, and the exponential ziggurat's tables and
 * rare path (rng.h). */
#include <math.h>

#include "rng.h"

static uint64_t splitmix64_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void xoshiro_set(void *state, unsigned long seed)
{
	struct wl_xoshiro *x = state;
	uint64_t sm = seed;
	for (int i = 0; i < 4; i++)
		x->s[i] = splitmix64_next(&sm); /* never all zero: splitmix64 is a bijection */
}

static unsigned long xoshiro_get(void *state)
{
	return (unsigned long)(wl_xoshiro_next(state) >> 32);
}

static double xoshiro_get_double(void *state)
{
	return wl_uniform(state);
}

static const gsl_rng_type xoshiro_type = {
	"xoshiro256++", 0xffffffffUL, 0, sizeof(struct wl_xoshiro),
	xoshiro_set, xoshiro_get, xoshiro_get_double,
};
const gsl_rng_type *const wl_xoshiro_gsl_type = &xoshiro_type;

/* r and v for 256 layers (Marsaglia and Tsang 2000, to NumPy's precision):
 * v = r f(r) + (tail area f(r)) = x_i (f(x_{i-1}) - f(x_i)) for each i. */
#define ZIG_R 7.69711747013104972
#define ZIG_V 0.0039496598225815571993
#define ZIG_SCALE 0x1p53 /* positions are 53 bits */

void wl_zig_exp_init(struct wl_zig_exp *z)
{
	/* Layer 0 as a rectangle of area v: width q = v / f(r); a position
	 * beyond r falls in the tail. */
	double x = ZIG_R, q = ZIG_V / exp(-ZIG_R);
	z->k[0] = (uint64_t)(ZIG_R / q * ZIG_SCALE);
	z->w[0] = q / ZIG_SCALE;
	z->f[0] = 1.0; /* f(x_0): layer 1's wedge reaches up to f(0) */
	z->w[WL_ZIG_LAYERS - 1] = x / ZIG_SCALE;
	z->f[WL_ZIG_LAYERS - 1] = exp(-x);
	/* x_{i-1} solves x_i (f(x_{i-1}) - f(x_i)) = v. */
	for (int i = WL_ZIG_LAYERS - 2; i >= 1; i--) {
		double below = -log(ZIG_V / x + exp(-x));
		z->k[i + 1] = (uint64_t)(below / x * ZIG_SCALE);
		x = below;
		z->f[i] = exp(-x);
		z->w[i] = x / ZIG_SCALE;
	}
	z->k[1] = 0; /* x_0 = 0: layer 1 is all wedge */
}

double wl_exp_slow(const struct wl_zig_exp *z, struct wl_xoshiro *x, uint32_t layer, double v)
{
	for (;;) {
		if (layer == 0) /* the tail: memoryless, r + a fresh exponential */
			return ZIG_R - log1p(-wl_uniform(x));
		/* the wedge between the rectangle and f: v uniform in [x_{i-1}, x_i),
		 * a height uniform in [f(x_i), f(x_{i-1})) */
		if (z->f[layer] + wl_uniform(x) * (z->f[layer - 1] - z->f[layer]) < exp(-v))
			return v;
		uint64_t r = wl_xoshiro_next(x) >> 3;
		layer = (uint32_t)(r & 0xff);
		r >>= 8;
		v = (double)(int64_t)r * z->w[layer];
		if (r < z->k[layer])
			return v;
	}
}
