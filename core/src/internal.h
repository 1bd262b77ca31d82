/* Helpers shared by the policy files; not part of the public interface. */
#ifndef PSP_CORE_INTERNAL_H
#define PSP_CORE_INTERNAL_H

#include <stdint.h>

#include <psp/policy.h>

/* Mask of the first n workers. */
static inline uint64_t workers_mask(uint32_t n)
{
	return n >= 64 ? ~0ull : ((1ull << n) - 1ull);
}

/* Lowest set bit's index; mask must not be 0. */
static inline uint32_t lowest_bit(uint64_t mask)
{
	return (uint32_t)__builtin_ctzll(mask);
}

/* Takes idle worker w for r: clears its idle bit and fills one assignment. */
static inline void assign_worker(struct psp_policy *p, struct psp_assign *a,
				 struct psp_req *r, uint32_t w, uint64_t slice_ns)
{
	p->idle_mask &= ~(1ull << w);
	a->req = r;
	a->worker = w;
	a->slice_ns = slice_ns;
}

#endif
