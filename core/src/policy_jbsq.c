/* JBSQ(k): join the bounded shortest queue.  One central FIFO; its head goes
 * to the worker holding the fewest requests, as long as that worker holds
 * fewer than k (the slots knob), lowest id on a tie.  A worker runs the
 * requests it holds in order, so with k > 1 the next request is already on
 * the worker when the current one ends (no dispatcher round trip: RackSched,
 * R2P2, Concord's k = 2), at the price of a request waiting behind a long
 * one while another worker may idle.  With k = 1 it is c-FCFS, decision for
 * decision. */
#include <psp/policy.h>

#include "internal.h"

struct jbsq {
	struct psp_fifo queue;
};

static size_t jbsq_state_size(const struct psp_policy_conf *conf)
{
	(void)conf;
	return sizeof(struct jbsq);
}

static int jbsq_init(struct psp_policy *p, struct psp_err *err)
{
	(void)err;
	struct jbsq *s = p->priv;
	psp_fifo_init(&s->queue);
	return 0;
}

static void jbsq_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns)
{
	(void)now_ns;
	struct jbsq *s = p->priv;
	psp_fifo_push(&s->queue, r);
}

static void jbsq_complete(struct psp_policy *p, uint32_t worker, struct psp_req *r,
			  uint64_t ran_ns, bool finished, uint64_t now_ns)
{
	(void)worker, (void)ran_ns, (void)now_ns;
	struct jbsq *s = p->priv;
	if (!finished) /* never asked to preempt, but a host may: keep the request */
		psp_fifo_push(&s->queue, r);
}

static size_t jbsq_dispatch(struct psp_policy *p, uint64_t now_ns,
			    struct psp_assign *out, size_t cap)
{
	(void)now_ns;
	struct jbsq *s = p->priv;
	size_t n = 0;
	while (n < cap && p->free_mask && !psp_fifo_empty(&s->queue)) {
		struct psp_req *r = psp_fifo_pop(&s->queue);
		assign_worker(p, &out[n++], r, least_held(p, p->free_mask), 0);
	}
	return n;
}

const struct psp_policy_ops psp_jbsq_ops = {
	.name = "jbsq",
	.aliases = "jbsq-k",
	.summary = "JBSQ(k): central FIFO, head to the worker holding the fewest (< k) requests",
	.props = {
		.flags = PSP_POLICY_CENTRAL_ARRIVALS,
		.default_slots = 2, .max_slots = PSP_MAX_SLOTS,
		.model = "one central FIFO; its head joins the shortest worker queue while "
			 "that queue holds fewer than k requests (k = 1 is c-FCFS)",
	},
	.params = (const struct psp_param *const[]){&psp_knob_slots, NULL},
	.state_size = jbsq_state_size,
	.init = jbsq_init,
	.enqueue = jbsq_enqueue,
	.complete = jbsq_complete,
	.dispatch = jbsq_dispatch,
};
