/* ws: d-FCFS with work stealing (ZygOS, Shenango, Caladan).  A FIFO per
 * worker; an arrival is placed as d-FCFS places it (round-robin, random, or
 * by flow hash).  A worker with a free slot runs the head of its own FIFO;
 * when its own is empty it steals the head of another worker's FIFO.
 *
 * Victim: the longest FIFO, lowest worker id on a tie.  Real stealers probe
 * victims at random (Caladan) or in order (ZygOS); with free probes the
 * longest queue is what a thief that looked everywhere would pick, it keeps
 * the policy deterministic, and it leaves the model work conserving at zero
 * steal cost: no worker idles while any FIFO holds a request, so with
 * exponential service the number in system is that of M/M/k FCFS (Erlang C).
 *
 * steal_cost_ns (modelled): each stolen assignment carries setup_ns = the
 * cost, worker time a simulator charges before the stolen request starts. */
#include <stdio.h>

#include <psp/policy.h>

#include "fifo_set.h"
#include "internal.h"

static const struct psp_param knob_steal_cost_ns = {
	.name = "steal_cost_ns", .kind = PSP_PARAM_UINT, .rank = 30, .scale = 1,
	.def = 0, .min = 0, .max = 1e9, .unit = "ns", .flags = PSP_PARAM_MODEL_ONLY,
	.help = "worker time spent on each steal before the stolen request runs",
};

struct ws {
	enum psp_placement placement;
	uint32_t next_rr;   /* round-robin placement cursor */
	uint64_t steals;
	uint64_t steal_cost_ns;
	struct psp_fifo_set fifo; /* one per worker */
};

static size_t ws_state_size(const struct psp_policy_conf *conf)
{
	(void)conf;
	return sizeof(struct ws);
}

static int ws_init(struct psp_policy *p, struct psp_err *err)
{
	struct ws *s = p->priv;
	s->steal_cost_ns = psp_knob_uint(p->conf, &knob_steal_cost_ns);
	int rc = psp_place_init(p->conf, &s->placement, err);
	if (rc < 0)
		return rc;
	psp_fifo_set_init(&s->fifo);
	return 0;
}

static void ws_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns)
{
	(void)now_ns;
	struct ws *s = p->priv;
	psp_fifo_set_push(&s->fifo, psp_place(p->conf, s->placement, r, &s->next_rr), r);
}

static void ws_complete(struct psp_policy *p, uint32_t worker, struct psp_req *r,
			uint64_t ran_ns, bool finished, uint64_t now_ns)
{
	(void)ran_ns, (void)now_ns;
	if (!finished) { /* never asked to preempt; a handed-back request queues at its worker */
		struct ws *s = p->priv;
		psp_fifo_set_push(&s->fifo, worker, r);
	}
}

/* The non-empty FIFO holding the most requests, lowest id on a tie. */
static uint32_t longest(const struct ws *s)
{
	uint64_t m = s->fifo.nonempty;
	uint32_t best = lowest_bit(m);
	for (m &= m - 1; m; m &= m - 1) {
		uint32_t w = lowest_bit(m);
		if (psp_fifo_set_len(&s->fifo, w) > psp_fifo_set_len(&s->fifo, best))
			best = w;
	}
	return best;
}

static size_t ws_dispatch(struct psp_policy *p, uint64_t now_ns,
			  struct psp_assign *out, size_t cap)
{
	(void)now_ns;
	struct ws *s = p->priv;
	size_t n = 0;
	/* Own work first: a free worker with a non-empty FIFO. */
	for (uint64_t ready = p->free_mask & s->fifo.nonempty; n < cap && ready; ready &= ready - 1) {
		uint32_t w = lowest_bit(ready);
		assign_worker(p, &out[n++], psp_fifo_set_pop(&s->fifo, w), w, 0);
	}
	/* Then thieves: free workers whose own FIFO is empty. */
	uint64_t thieves = p->free_mask & ~s->fifo.nonempty;
	while (n < cap && thieves && s->fifo.nonempty) {
		uint32_t w = lowest_bit(thieves);
		thieves &= thieves - 1;
		struct psp_assign *a = &out[n++];
		assign_worker(p, a, psp_fifo_set_pop(&s->fifo, longest(s)), w, 0);
		a->stolen = true;
		a->setup_ns = s->steal_cost_ns;
		s->steals++;
	}
	return n;
}

static void ws_describe(const struct psp_policy *p, char *buf, size_t cap)
{
	const struct ws *s = p->priv;
	char place[32];
	snprintf(buf, cap, "%s placement, %llu steals",
		 psp_param_format(p->conf, &psp_knob_placement, place, sizeof(place)),
		 (unsigned long long)s->steals);
}

const struct psp_policy_ops psp_ws_ops = {
	.name = "ws",
	.aliases = "work-stealing,zygos,shenango",
	.summary = "d-FCFS with work stealing: an idle worker takes the head of the longest FIFO",
	.props = {
		.flags = PSP_POLICY_WORK_CONSERVING, .default_slots = 1, .max_slots = 1,
		.model = "a FIFO per worker, placed at arrival; a worker whose FIFO is empty "
			 "steals the head of the longest other FIFO",
	},
	.params = (const struct psp_param *const[]){&psp_knob_placement,
		&knob_steal_cost_ns, NULL},
	.state_size = ws_state_size,
	.init = ws_init,
	.enqueue = ws_enqueue,
	.complete = ws_complete,
	.dispatch = ws_dispatch,
	.describe = ws_describe,
};
