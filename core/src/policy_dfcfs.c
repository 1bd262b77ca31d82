/* d-FCFS: one FIFO per worker; an arriving request is bound to one worker at
 * enqueue (round-robin, or uniformly at random as an RSS hash would spread
 * flows) and never moves.  A worker runs only what is on its own FIFO, so a
 * request can wait behind a long one while another worker idles: that
 * head-of-line blocking is the behaviour Perséphone compares against, so there
 * is deliberately no rebalancing or stealing. */
#include <errno.h>
#include <stdio.h>

#include <psp/policy.h>

#include "internal.h"

struct dfcfs {
	uint32_t next_rr;   /* round-robin: worker for the next arrival */
	uint64_t nonempty;  /* bit w set: fifo[w] holds a request */
	struct psp_fifo fifo[]; /* conf.nworkers entries */
};

static size_t dfcfs_state_size(const struct psp_policy_conf *conf)
{
	return sizeof(struct dfcfs) + (size_t)conf->nworkers * sizeof(struct psp_fifo);
}

static int dfcfs_init(struct psp_policy *p, struct psp_err *err)
{
	const struct psp_policy_conf *c = &p->conf;
	struct dfcfs *s = p->priv;

	switch (c->dfcfs_placement) {
	case PSP_DFCFS_ROUND_ROBIN:
		break;
	case PSP_DFCFS_RANDOM:
		if (!c->rand_u64)
			return psp_err_set(err, -EINVAL, NULL, "placement",
					   "random placement needs the host's random "
					   "generator (rand_u64), which is not set");
		break;
	default:
		return psp_err_set(err, -EINVAL, NULL, "placement",
				   "unknown d-FCFS placement %d (expected round-robin "
				   "or random)", (int)c->dfcfs_placement);
	}
	for (uint32_t w = 0; w < c->nworkers; w++)
		psp_fifo_init(&s->fifo[w]);
	s->next_rr = 0;
	s->nonempty = 0;
	return 0;
}

/* A uniform worker index in [0, n) from the host's generator.  Lemire's
 * multiply-shift on the top 32 bits of a draw, with his rejection step so the
 * result carries no bias at all (a plain `% n` favours the low indices when
 * 2^64 % n != 0; the rejection fires with probability < n / 2^32, so the loop
 * almost never runs twice).  The top bits are used because they are the
 * better ones in weak generators. */
static uint32_t draw_below(const struct psp_policy_conf *c, uint32_t n)
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

static void push_to(struct dfcfs *s, uint32_t w, struct psp_req *r)
{
	psp_fifo_push(&s->fifo[w], r);
	s->nonempty |= 1ull << w;
}

static void dfcfs_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns)
{
	(void)now_ns;
	struct dfcfs *s = p->priv;
	uint32_t nw = p->conf.nworkers;
	uint32_t w;

	if (p->conf.dfcfs_placement == PSP_DFCFS_RANDOM) {
		w = draw_below(&p->conf, nw);
	} else {
		/* A counter that wraps at exactly nw: the artifact's 8-bit
		 * counter wrapped at 256 and skewed load towards the low
		 * workers whenever 256 % W != 0. */
		w = s->next_rr;
		s->next_rr = w + 1 == nw ? 0 : w + 1;
	}
	push_to(s, w, r);
}

static void dfcfs_complete(struct psp_policy *p, uint32_t worker, struct psp_req *r,
			   uint64_t ran_ns, bool finished, uint64_t now_ns)
{
	(void)ran_ns, (void)now_ns;
	/* d-FCFS never asks for preemption, but a host may still hand a
	 * request back: it stays bound to its worker and, like a fresh
	 * arrival, goes to the tail so it cannot jump requests that waited. */
	if (!finished)
		push_to(p->priv, worker, r);
}

static size_t dfcfs_dispatch(struct psp_policy *p, uint64_t now_ns,
			     struct psp_assign *out, size_t cap)
{
	(void)now_ns;
	struct dfcfs *s = p->priv;
	/* Only workers that are idle AND have work: one AND, then one ctz per
	 * assignment, instead of scanning every worker. */
	uint64_t ready = p->idle_mask & s->nonempty;
	size_t n = 0;

	while (n < cap && ready) {
		uint32_t w = lowest_bit(ready);
		ready &= ready - 1;
		struct psp_req *r = psp_fifo_pop(&s->fifo[w]);
		PSP_ASSERT(r != NULL);
		if (psp_fifo_empty(&s->fifo[w]))
			s->nonempty &= ~(1ull << w);
		assign_worker(p, &out[n++], r, w, 0);
	}
	return n;
}

static void dfcfs_describe(const struct psp_policy *p, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s placement over %u per-worker FIFOs",
		 p->conf.dfcfs_placement == PSP_DFCFS_RANDOM ? "random" : "round-robin",
		 p->conf.nworkers);
}

const struct psp_policy_ops psp_dfcfs_ops = {
	.name = "dfcfs",
	.aliases = "d-fcfs,d_fcfs",
	.summary = "distributed FCFS: per-worker FIFOs, placed at arrival, no rebalancing",
	.state_size = dfcfs_state_size,
	.init = dfcfs_init,
	.enqueue = dfcfs_enqueue,
	.complete = dfcfs_complete,
	.dispatch = dfcfs_dispatch,
	.describe = dfcfs_describe,
};
