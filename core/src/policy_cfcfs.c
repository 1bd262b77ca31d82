/* c-FCFS: one central FIFO; a free worker takes the head.  Each worker holds
 * at most one request (JBSQ(1)), as in Perséphone's c-FCFS. */
#include <psp/policy.h>

#include "internal.h"

struct cfcfs {
	struct psp_fifo queue;
};

static size_t cfcfs_state_size(const struct psp_policy_conf *conf)
{
	(void)conf;
	return sizeof(struct cfcfs);
}

static int cfcfs_init(struct psp_policy *p, struct psp_err *err)
{
	(void)err;
	struct cfcfs *s = p->priv;
	psp_fifo_init(&s->queue);
	return 0;
}

static void cfcfs_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns)
{
	(void)now_ns;
	struct cfcfs *s = p->priv;
	psp_fifo_push(&s->queue, r);
}

static void cfcfs_complete(struct psp_policy *p, uint32_t worker, struct psp_req *r,
			   uint64_t ran_ns, bool finished, uint64_t now_ns)
{
	(void)worker, (void)ran_ns, (void)now_ns;
	struct cfcfs *s = p->priv;
	if (!finished) /* never asked to preempt, but a host may: keep the request */
		psp_fifo_push(&s->queue, r);
}

static size_t cfcfs_dispatch(struct psp_policy *p, uint64_t now_ns,
			     struct psp_assign *out, size_t cap)
{
	(void)now_ns;
	struct cfcfs *s = p->priv;
	size_t n = 0;
	while (n < cap && p->idle_mask && !psp_fifo_empty(&s->queue)) {
		struct psp_req *r = psp_fifo_pop(&s->queue);
		assign_worker(p, &out[n++], r, lowest_bit(p->idle_mask), 0);
	}
	return n;
}

const struct psp_policy_ops psp_cfcfs_ops = {
	.name = "cfcfs",
	.aliases = "c-fcfs,c_fcfs,fcfs",
	.summary = "centralised FCFS: one FIFO, a free worker takes the head",
	.props = {
		.flags = PSP_POLICY_WORK_CONSERVING | PSP_POLICY_CENTRAL_ARRIVALS, .default_slots = 1, .max_slots = 1,
		.model = "one central FIFO; a worker that falls idle takes its head (M/G/k FCFS)",
	},
	.state_size = cfcfs_state_size,
	.init = cfcfs_init,
	.enqueue = cfcfs_enqueue,
	.complete = cfcfs_complete,
	.dispatch = cfcfs_dispatch,
};
