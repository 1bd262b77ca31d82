/* Helpers shared by the policy files; not part of the public interface. */
#ifndef PSP_CORE_INTERNAL_H
#define PSP_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <psp/param.h>
#include <psp/policy.h>

/* A knob's value in a conf: UINT in u (stored units), INT, CHOICE (the
 * index) and BOOL (0 or 1) in i, REAL in r. */
union psp_knob_value {
	uint64_t u;
	int64_t i;
	double r;
};

/* The configuration behind the public opaque type. */
struct psp_policy_conf {
	uint32_t nworkers;
	uint32_t ntypes;
	uint64_t type_mean_ns[PSP_MAX_TYPES];
	double type_ratio[PSP_MAX_TYPES];
	const char *type_name[PSP_MAX_TYPES];
	uint64_t (*rand_u64)(void *ctx);
	void *rand_ctx;
	psp_reservation_fn on_reservation;
	void *on_reservation_ctx;
	size_t nknobs;                /* psp_param_count() */
	union psp_knob_value knob[];  /* in the registry's order */
};

/* Where per-worker-queue policies (dfcfs, ws) put an arriving request: the
 * shared knob placement's choices, in order. */
enum psp_placement {
	PSP_PLACE_ROUND_ROBIN = 0,
	PSP_PLACE_RANDOM,    /* uniform, from the host's generator */
	PSP_PLACE_FLOW_HASH, /* req->flow mod workers, as RSS on a NIC */
};

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

/* Gives r to worker w, which must have a free slot: takes the slot (the
 * worker is no longer idle, and has no free slot once it holds p->slots) and
 * fills one assignment. */
static inline void assign_worker(struct psp_policy *p, struct psp_assign *a,
				 struct psp_req *r, uint32_t w, uint64_t slice_ns)
{
	uint64_t bit = 1ull << w;
	p->idle_mask &= ~bit;
	if (++p->outstanding[w] == p->slots)
		p->free_mask &= ~bit;
	p->held++;
	a->req = r;
	a->worker = w;
	a->stolen = false;
	a->slice_ns = slice_ns;
	a->setup_ns = 0;
}

/* The worker with a free slot holding the fewest requests, lowest id on a
 * tie (join the shortest queue, bounded by the slots); free must be
 * non-zero.  An idle one holds none, and with two slots a busy one with a
 * free slot holds one: a mask test each; otherwise O(workers with a free
 * slot). */
static inline uint32_t least_held(const struct psp_policy *p, uint64_t free)
{
	if (free & p->idle_mask)
		return lowest_bit(free & p->idle_mask);
	if (p->slots == 2)
		return lowest_bit(free);
	uint32_t best = lowest_bit(free);
	for (free &= free - 1; free; free &= free - 1) {
		uint32_t w = lowest_bit(free);
		if (p->outstanding[w] < p->outstanding[best])
			best = w;
	}
	return best;
}

/* The tick of the time-sharing policies timed by the dispatcher (ts,
 * concord): names the busy workers whose running request started at least a
 * quantum ago (stint_start_ns[w]).  Stateless: a worker past its quantum is
 * named at every tick until the host hands its request back, so a host that
 * missed one tick still preempts. */
static inline size_t workers_past_quantum(const struct psp_policy *p,
					  const uint64_t *stint_start_ns, uint64_t quantum_ns,
					  uint64_t now_ns,
					  uint32_t *workers, size_t cap)
{
	uint64_t busy = ~p->idle_mask & workers_mask(p->nworkers);
	size_t n = 0;
	for (; busy && n < cap; busy &= busy - 1) {
		uint32_t w = lowest_bit(busy);
		if (now_ns - stint_start_ns[w] >= quantum_ns)
			workers[n++] = w;
	}
	return n;
}

/* The declarations below are shared between the core's files only: hidden,
 * they stay out of libpsp-core's exported symbols. */
#pragma GCC visibility push(hidden)

/* A uniform index in [0, n) from the host's generator (conf.rand_u64). */
uint32_t psp_draw_below(const struct psp_policy_conf *c, uint32_t n);

/* The worker an arriving request goes to under placement how; *next_rr is
 * the round-robin cursor the policy keeps. */
uint32_t psp_place(const struct psp_policy_conf *c, enum psp_placement how,
		   const struct psp_req *r, uint32_t *next_rr);

/* Reads the placement knob into *how and checks it is known and, for
 * random placement, that the host gave a generator.  Returns 0 or -EINVAL
 * with err filled. */
int psp_place_init(const struct psp_policy_conf *c, enum psp_placement *how,
		   struct psp_err *err);

/* The knobs several policies read, declared once (knobs_shared.c); each
 * policy declares its own knobs in its file. */
extern const struct psp_param psp_knob_slots, psp_knob_placement, psp_knob_quantum_us,
	psp_knob_preempt_cost_us;

/* A knob's value in conf, in stored units (quantum_us in ns).  knob must be
 * in the registry (read by some policy of the table). */
uint64_t psp_knob_uint(const struct psp_policy_conf *c, const struct psp_param *knob);
int64_t psp_knob_int(const struct psp_policy_conf *c, const struct psp_param *knob);
double psp_knob_real(const struct psp_policy_conf *c, const struct psp_param *knob);

/* Stores every registry knob's default in conf. */
void psp_param_store_defaults(struct psp_policy_conf *conf);

/* Where conf keeps knob's value; NULL when knob is not in the registry. */
union psp_knob_value *psp_knob_slot(struct psp_policy_conf *c, const struct psp_param *knob);

#pragma GCC visibility pop

#endif
