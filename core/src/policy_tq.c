/* tq: Tiny Quanta's two-level scheduling.  The dispatcher places each
 * arrival on the worker holding the fewest requests (join the shortest
 * queue, bounded by the slots knob; arrivals wait in a central FIFO while
 * every worker is full).  Each worker time-shares the requests it holds,
 * round robin with a quantum: a request that used its slice is preempted and
 * goes back to the tail of the same worker's FIFO (it never migrates).  As
 * the quantum goes to 0 each worker is a processor-sharing server.
 *
 * The worker times its own slices (PSP_POLICY_WORKER_TIMED): there is no
 * tick and no signal from the dispatcher.  A preempted request comes back
 * through complete(finished = false), which freed its slot; dispatch gives
 * it straight back to its worker before placing anything new there. */
#include <errno.h>
#include <stdio.h>

#include <psp/policy.h>

#include "fifo_set.h"
#include "internal.h"

struct tq {
	uint64_t quantum_ns;
	struct psp_fifo queue;  /* arrivals no worker has room for */
	struct psp_fifo_set back; /* per worker: preempted, to their worker's tail */
};

static size_t tq_state_size(const struct psp_policy_conf *conf)
{
	(void)conf;
	return sizeof(struct tq);
}

static int tq_init(struct psp_policy *p, struct psp_err *err)
{
	struct tq *s = p->priv;
	s->quantum_ns = psp_knob_uint(p->conf, &psp_knob_quantum_us);
	if (s->quantum_ns == 0)
		return psp_err_set(err, -EINVAL, NULL, "quantum_us",
				   "time sharing needs a quantum > 0");
	psp_fifo_init(&s->queue);
	psp_fifo_set_init(&s->back);
	return 0;
}

static void tq_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns)
{
	(void)now_ns;
	struct tq *s = p->priv;
	psp_fifo_push(&s->queue, r);
}

static void tq_complete(struct psp_policy *p, uint32_t worker, struct psp_req *r,
			uint64_t ran_ns, bool finished, uint64_t now_ns)
{
	(void)ran_ns, (void)now_ns;
	struct tq *s = p->priv;
	if (finished)
		return;
	psp_fifo_set_push(&s->back, worker, r);
}

static size_t tq_dispatch(struct psp_policy *p, uint64_t now_ns,
			  struct psp_assign *out, size_t cap)
{
	(void)now_ns;
	struct tq *s = p->priv;
	uint64_t quantum = s->quantum_ns;
	size_t n = 0;
	/* Preempted requests first: each freed the slot it goes back to. */
	while (n < cap && s->back.nonempty) {
		uint32_t w = psp_fifo_set_first(&s->back);
		PSP_ASSERT((p->free_mask >> w) & 1u);
		assign_worker(p, &out[n++], psp_fifo_set_pop(&s->back, w), w, quantum);
	}
	while (n < cap && p->free_mask && !psp_fifo_empty(&s->queue))
		assign_worker(p, &out[n++], psp_fifo_pop(&s->queue),
			      least_held(p, p->free_mask), quantum);
	return n;
}

static void tq_describe(const struct psp_policy *p, char *buf, size_t cap)
{
	const struct tq *s = p->priv;
	snprintf(buf, cap, "JSQ over %u slots per worker, quantum %.3g us per worker",
		 p->slots, (double)s->quantum_ns / 1000.0);
}

const struct psp_policy_ops psp_tq_ops = {
	.name = "tq",
	.aliases = "tiny-quanta",
	.summary = "Tiny Quanta: JSQ to per-worker queues, each worker round robin with a quantum",
	.props = {
		.flags = PSP_POLICY_PREEMPTIVE | PSP_POLICY_WORKER_TIMED | PSP_POLICY_CENTRAL_ARRIVALS |
			 PSP_POLICY_PREEMPT_ALONE_IS_NOOP,
		.default_slots = 16, .max_slots = PSP_MAX_SLOTS,
		.model = "join the shortest worker queue (at most k requests each); each worker "
			 "time-shares its own requests round robin (processor sharing per worker)",
	},
	.params = (const struct psp_param *const[]){&psp_knob_slots, &psp_knob_quantum_us,
		&psp_knob_preempt_cost_us, NULL},
	.state_size = tq_state_size,
	.init = tq_init,
	.enqueue = tq_enqueue,
	.complete = tq_complete,
	.dispatch = tq_dispatch,
	.describe = tq_describe,
};
