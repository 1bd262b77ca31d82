/* TSC calibration; see tsc.h. */
#include <time.h>

#include <rte_cycles.h>

#include "tsc.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t tsc_measure_hz(uint32_t window_ms, uint64_t fallback_hz)
{
	uint64_t n0 = mono_ns(), c0 = rte_rdtsc_precise();
	struct timespec req = {.tv_sec = window_ms / 1000,
			       .tv_nsec = (long)(window_ms % 1000) * 1000000L};
	nanosleep(&req, NULL);
	uint64_t n1 = mono_ns(), c1 = rte_rdtsc_precise();
	if (n1 <= n0 || c1 <= c0)
		return fallback_hz;
	return (uint64_t)((unsigned __int128)(c1 - c0) * 1000000000ull / (n1 - n0));
}

void tsc_clock_init(struct tsc_clock *c, uint64_t hz, uint64_t t0)
{
	c->hz = hz;
	c->t0 = t0;
	c->ns_mult = (uint64_t)(((unsigned __int128)1000000000ull << 32) / hz);
	c->cyc_mult = (uint64_t)(((unsigned __int128)hz << 32) / 1000000000ull);
}
