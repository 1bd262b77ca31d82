/* TSC to nanoseconds.  The frequency is measured at start-up against
 * CLOCK_MONOTONIC_RAW (never a hard-coded frequency, as the paper's artifact
 * assumed 2.6 GHz) and
 * compared with what the EAL believes.  Conversions are a 64x64->128 multiply
 * and a shift: no division on the hot path.
 */
#ifndef PSP_ENGINE_TSC_H
#define PSP_ENGINE_TSC_H

#include <stdint.h>

struct tsc_clock {
	uint64_t hz;
	uint64_t t0;        /* TSC at start: now_ns counts from here */
	uint64_t ns_mult;   /* ns = cycles * ns_mult >> 32 */
	uint64_t cyc_mult;  /* cycles = ns * cyc_mult >> 32 */
};

/* Measures the TSC over about window_ms.  Returns Hz (never 0: falls back to
 * fallback_hz if the clock misbehaves). */
uint64_t tsc_measure_hz(uint32_t window_ms, uint64_t fallback_hz);

void tsc_clock_init(struct tsc_clock *c, uint64_t hz, uint64_t t0);

static inline uint64_t tsc_cycles_to_ns(const struct tsc_clock *c, uint64_t cycles)
{
	return (uint64_t)(((unsigned __int128)cycles * c->ns_mult) >> 32);
}

static inline uint64_t tsc_ns_to_cycles(const struct tsc_clock *c, uint64_t ns)
{
	return (uint64_t)(((unsigned __int128)ns * c->cyc_mult) >> 32);
}

/* ns since t0; tsc must be >= t0. */
static inline uint64_t tsc_now_ns(const struct tsc_clock *c, uint64_t tsc)
{
	return tsc_cycles_to_ns(c, tsc - c->t0);
}

#endif
