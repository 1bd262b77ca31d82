/* concord: Concord's scheduling (SOSP 2023): a JBSQ(k) central queue (k = 2
 * by default) with time sharing.  Every dispatch carries the quantum; a
 * request that used its slice is preempted and goes back to the tail of the
 * central queue, so it may resume on any worker.  With k = 2 a worker has its
 * next request at hand when it preempts or finishes one, which hides the
 * dispatcher round trip.
 *
 * tick(): the dispatcher times the slices (as for ts): the policy keeps when
 * each worker's running request started, as far as it can see (the dispatch
 * to an empty worker, or the completion that let the next held request
 * start) and names the workers past the quantum. */
#include <errno.h>
#include <stdio.h>

#include <psp/policy.h>

#include "internal.h"

struct concord {
	uint64_t quantum_ns;
	struct psp_fifo queue;
	uint64_t stint_start_ns[PSP_MAX_WORKERS];
};

static size_t concord_state_size(const struct psp_policy_conf *conf)
{
	(void)conf;
	return sizeof(struct concord);
}

static int concord_init(struct psp_policy *p, struct psp_err *err)
{
	struct concord *s = p->priv;
	s->quantum_ns = psp_knob_uint(p->conf, &psp_knob_quantum_us);
	if (s->quantum_ns == 0)
		return psp_err_set(err, -EINVAL, NULL, "quantum_us",
				   "time sharing needs a quantum > 0");
	psp_fifo_init(&s->queue);
	return 0;
}

static void concord_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns)
{
	(void)now_ns;
	struct concord *s = p->priv;
	psp_fifo_push(&s->queue, r);
}

static void concord_complete(struct psp_policy *p, uint32_t worker, struct psp_req *r,
			     uint64_t ran_ns, bool finished, uint64_t now_ns)
{
	(void)ran_ns;
	struct concord *s = p->priv;
	if (p->outstanding[worker] > 0) /* its next held request starts now */
		s->stint_start_ns[worker] = now_ns;
	if (!finished)
		psp_fifo_push(&s->queue, r); /* to the tail, behind the waiters */
}

static size_t concord_dispatch(struct psp_policy *p, uint64_t now_ns,
			       struct psp_assign *out, size_t cap)
{
	struct concord *s = p->priv;
	uint64_t quantum = s->quantum_ns;
	size_t n = 0;
	while (n < cap && p->free_mask && !psp_fifo_empty(&s->queue)) {
		uint32_t w = least_held(p, p->free_mask);
		if (p->outstanding[w] == 0)
			s->stint_start_ns[w] = now_ns;
		assign_worker(p, &out[n++], psp_fifo_pop(&s->queue), w, quantum);
	}
	return n;
}

static size_t concord_tick(struct psp_policy *p, uint64_t now_ns, uint32_t *workers,
			   size_t cap)
{
	const struct concord *s = p->priv;
	return workers_past_quantum(p, s->stint_start_ns, s->quantum_ns, now_ns, workers, cap);
}

static void concord_describe(const struct psp_policy *p, char *buf, size_t cap)
{
	const struct concord *s = p->priv;
	snprintf(buf, cap, "JBSQ(%u), quantum %.3g us, preempted to the central tail",
		 p->slots, (double)s->quantum_ns / 1000.0);
}

const struct psp_policy_ops psp_concord_ops = {
	.name = "concord",
	.aliases = "",
	.summary = "Concord: JBSQ(k) central queue with time sharing, preempted to the central tail",
	.props = {
		/* Not PSP_POLICY_PREEMPT_ALONE_IS_NOOP: a request handed back
		 * resumes on the lowest idle worker, and which busy worker an
		 * arrival then queues behind depends on where it went. */
		.flags = PSP_POLICY_PREEMPTIVE | PSP_POLICY_CENTRAL_ARRIVALS | PSP_POLICY_CENTRAL_REQUEUE,
		.default_slots = 2, .max_slots = PSP_MAX_SLOTS,
		.model = "JBSQ(k) central FIFO; a request that used its quantum is preempted "
			 "and rejoins the central tail (round robin over all requests)",
	},
	.params = (const struct psp_param *const[]){&psp_knob_slots, &psp_knob_quantum_us,
		&psp_knob_preempt_cost_us, NULL},
	.state_size = concord_state_size,
	.init = concord_init,
	.enqueue = concord_enqueue,
	.complete = concord_complete,
	.dispatch = concord_dispatch,
	.tick = concord_tick,
	.describe = concord_describe,
};
