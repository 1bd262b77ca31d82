/* Placement of an arriving request on a per-worker queue (dfcfs, ws): the
 * one rule both policies share. */
#include <errno.h>

#include <psp/policy.h>

#include "internal.h"

/* Lemire's multiply-shift on the top 32 bits of a draw, with his rejection
 * step so the result carries no bias at all (a plain `% n` favours the low
 * indices when 2^64 % n != 0; the rejection fires with probability
 * < n / 2^32, so the loop almost never runs twice).  The top bits are used
 * because they are the better ones in weak generators. */
uint32_t psp_draw_below(const struct psp_policy_conf *c, uint32_t n)
{
	uint64_t m = (c->rand_u64(c->rand_ctx) >> 32) * (uint64_t)n;
	uint32_t low = (uint32_t)m;
	if (low < n) {
		uint32_t threshold = (0u - n) % n; /* 2^32 mod n */
		while (low < threshold) {
			m = (c->rand_u64(c->rand_ctx) >> 32) * (uint64_t)n;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}

uint32_t psp_place(const struct psp_policy_conf *c, enum psp_placement how,
		   const struct psp_req *r, uint32_t *next_rr)
{
	uint32_t nw = c->nworkers;
	switch (how) {
	case PSP_PLACE_RANDOM:
		return psp_draw_below(c, nw);
	case PSP_PLACE_FLOW_HASH:
		return r->flow % nw;
	case PSP_PLACE_ROUND_ROBIN:
	default: {
		/* A counter that wraps at exactly nw: the artifact's 8-bit
		 * counter wrapped at 256 and skewed load towards the low
		 * workers whenever 256 % W != 0. */
		uint32_t w = *next_rr;
		*next_rr = w + 1 == nw ? 0 : w + 1;
		return w;
	}
	}
}

int psp_place_init(const struct psp_policy_conf *c, enum psp_placement *how,
		   struct psp_err *err)
{
	*how = (enum psp_placement)psp_knob_int(c, &psp_knob_placement);
	switch (*how) {
	case PSP_PLACE_ROUND_ROBIN:
	case PSP_PLACE_FLOW_HASH:
		return 0;
	case PSP_PLACE_RANDOM:
		if (!c->rand_u64)
			return psp_err_set(err, -EINVAL, NULL, "placement",
					   "random placement needs the host's random "
					   "generator (rand_u64), which is not set");
		return 0;
	}
	return psp_err_set(err, -EINVAL, NULL, "placement",
			   "unknown placement %d (expected round-robin, random or "
			   "flow-hash)", (int)*how);
}
