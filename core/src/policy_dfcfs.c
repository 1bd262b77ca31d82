/* d-FCFS: one FIFO per worker; an arriving request is bound to one worker at
 * enqueue (round-robin, uniformly at random, or by its flow hash as RSS
 * spreads flows) and never moves.  A worker runs only what is on its own FIFO, so a
 * request can wait behind a long one while another worker idles: that
 * head-of-line blocking is the behaviour Perséphone compares against, so there
 * is deliberately no rebalancing or stealing. */
#include <errno.h>
#include <stdio.h>

#include <psp/policy.h>

#include "fifo_set.h"
#include "internal.h"

struct dfcfs {
	enum psp_placement placement;
	uint32_t next_rr;   /* round-robin: worker for the next arrival */
	struct psp_fifo_set fifo; /* one per worker */
};

static size_t dfcfs_state_size(const struct psp_policy_conf *conf)
{
	(void)conf;
	return sizeof(struct dfcfs);
}

static int dfcfs_init(struct psp_policy *p, struct psp_err *err)
{
	const struct psp_policy_conf *c = p->conf;
	struct dfcfs *s = p->priv;
	int rc = psp_place_init(c, &s->placement, err);
	if (rc < 0)
		return rc;
	psp_fifo_set_init(&s->fifo);
	s->next_rr = 0;
	return 0;
}

static void dfcfs_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns)
{
	(void)now_ns;
	struct dfcfs *s = p->priv;
	psp_fifo_set_push(&s->fifo, psp_place(p->conf, s->placement, r, &s->next_rr), r);
}

static void dfcfs_complete(struct psp_policy *p, uint32_t worker, struct psp_req *r,
			   uint64_t ran_ns, bool finished, uint64_t now_ns)
{
	(void)ran_ns, (void)now_ns;
	/* d-FCFS never asks for preemption, but a host may still hand a
	 * request back: it stays bound to its worker and, like a fresh
	 * arrival, goes to the tail so it cannot jump requests that waited. */
	if (!finished) {
		struct dfcfs *s = p->priv;
		psp_fifo_set_push(&s->fifo, worker, r);
	}
}

static size_t dfcfs_dispatch(struct psp_policy *p, uint64_t now_ns,
			     struct psp_assign *out, size_t cap)
{
	(void)now_ns;
	struct dfcfs *s = p->priv;
	/* Only workers that are idle AND have work: one AND, then one ctz per
	 * assignment, instead of scanning every worker. */
	uint64_t ready = p->idle_mask & s->fifo.nonempty;
	size_t n = 0;

	while (n < cap && ready) {
		uint32_t w = lowest_bit(ready);
		ready &= ready - 1;
		struct psp_req *r = psp_fifo_set_pop(&s->fifo, w);
		PSP_ASSERT(r != NULL);
		assign_worker(p, &out[n++], r, w, 0);
	}
	return n;
}

static void dfcfs_describe(const struct psp_policy *p, char *buf, size_t cap)
{
	char place[32];
	snprintf(buf, cap, "%s placement over %u per-worker FIFOs",
		 psp_param_format(p->conf, &psp_knob_placement, place, sizeof(place)),
		 p->nworkers);
}

const struct psp_policy_ops psp_dfcfs_ops = {
	.name = "dfcfs",
	.aliases = "d-fcfs,d_fcfs",
	.summary = "distributed FCFS: per-worker FIFOs, placed at arrival, no rebalancing",
	.props = {
		.default_slots = 1, .max_slots = 1,
		.model = "a FIFO per worker; an arrival is placed on one and never moves",
	},
	.params = (const struct psp_param *const[]){&psp_knob_placement, NULL},
	.state_size = dfcfs_state_size,
	.init = dfcfs_init,
	.enqueue = dfcfs_enqueue,
	.complete = dfcfs_complete,
	.dispatch = dfcfs_dispatch,
	.describe = dfcfs_describe,
};
