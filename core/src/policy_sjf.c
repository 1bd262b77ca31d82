/* SJF: fixed priority by type.  Types are ranked once, at init, by their
 * configured mean service time (shortest first, ties by type id); each rank
 * has a FIFO and the unknown type comes last.  An idle worker takes the head
 * of the highest-priority non-empty queue; requests run to completion.
 *
 * The ranking uses configured means only: learning them would let the order
 * change under load, which is DARC's job, not this baseline's.  Hence every
 * configured type must have a mean. */
#include <errno.h>
#include <stdio.h>

#include <psp/policy.h>

#include "fifo_set.h"
#include "internal.h"

struct sjf {
	uint32_t rank[PSP_MAX_TYPES]; /* type -> queue index (0 = served first) */
	struct psp_fifo_set queue;    /* by rank; queue ntypes = unknown type */
};

static size_t sjf_state_size(const struct psp_policy_conf *conf)
{
	(void)conf;
	return sizeof(struct sjf);
}

static int sjf_init(struct psp_policy *p, struct psp_err *err)
{
	const struct psp_policy_conf *c = p->conf;
	struct sjf *s = p->priv;

	for (uint32_t t = 0; t < c->ntypes; t++) {
		if (c->type_mean_ns[t] == 0)
			return psp_err_set(err, -EINVAL, NULL, "type_mean",
					   "sjf ranks types by mean service time, but "
					   "type %u (%s) has no mean", t,
					   c->type_name[t] ? c->type_name[t] : "unnamed");
	}
	/* rank[t] = number of types served before t: a stable O(T^2) ranking,
	 * run once for at most 16 types. */
	for (uint32_t t = 0; t < c->ntypes; t++) {
		uint32_t k = 0;
		for (uint32_t u = 0; u < c->ntypes; u++)
			if (c->type_mean_ns[u] < c->type_mean_ns[t] ||
			    (c->type_mean_ns[u] == c->type_mean_ns[t] && u < t))
				k++;
		s->rank[t] = k;
	}
	psp_fifo_set_init(&s->queue);
	return 0;
}

static void push_req(struct psp_policy *p, struct psp_req *r)
{
	struct sjf *s = p->priv;
	uint32_t k = r->type == PSP_TYPE_UNKNOWN ? p->ntypes : s->rank[r->type];
	psp_fifo_set_push(&s->queue, k, r);
}

static void sjf_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns)
{
	(void)now_ns;
	push_req(p, r);
}

static void sjf_complete(struct psp_policy *p, uint32_t worker, struct psp_req *r,
			 uint64_t ran_ns, bool finished, uint64_t now_ns)
{
	(void)worker, (void)ran_ns, (void)now_ns;
	/* Never asked to preempt; a request a host hands back anyway goes to
	 * the tail of its type's queue, like c-FCFS does. */
	if (!finished)
		push_req(p, r);
}

static size_t sjf_dispatch(struct psp_policy *p, uint64_t now_ns,
			   struct psp_assign *out, size_t cap)
{
	(void)now_ns;
	struct sjf *s = p->priv;
	size_t n = 0;

	/* The lowest non-empty queue is the most urgent: O(1) per assignment
	 * whatever the number of types. */
	while (n < cap && p->idle_mask && s->queue.nonempty) {
		struct psp_req *r = psp_fifo_set_pop(&s->queue, psp_fifo_set_first(&s->queue));
		PSP_ASSERT(r != NULL);
		assign_worker(p, &out[n++], r, lowest_bit(p->idle_mask), 0);
	}
	return n;
}

static void sjf_describe(const struct psp_policy *p, char *buf, size_t cap)
{
	const struct psp_policy_conf *c = p->conf;
	const struct sjf *s = p->priv;
	size_t len = 0;

	len += (size_t)snprintf(buf, cap, "priority order:");
	for (uint32_t k = 0; k < c->ntypes && len < cap; k++) {
		for (uint32_t t = 0; t < c->ntypes; t++) {
			if (s->rank[t] != k)
				continue;
			if (c->type_name[t])
				len += (size_t)snprintf(buf + len, cap - len, " %s",
							c->type_name[t]);
			else
				len += (size_t)snprintf(buf + len, cap - len,
							" type%u", t);
			break;
		}
	}
	if (len < cap)
		snprintf(buf + len, cap - len, " unknown");
}

const struct psp_policy_ops psp_sjf_ops = {
	.props = {
		.flags = PSP_POLICY_WORK_CONSERVING | PSP_POLICY_USES_MEANS | PSP_POLICY_CENTRAL_ARRIVALS,
		.default_slots = 1, .max_slots = 1,
		.model = "non-preemptive priority by type mean, shortest first; FIFO within a type",
	},
	.name = "sjf",
	.aliases = "priority,fp",
	.summary = "fixed priority by type mean: shortest type first, non-preemptive",
	.state_size = sjf_state_size,
	.init = sjf_init,
	.enqueue = sjf_enqueue,
	.complete = sjf_complete,
	.dispatch = sjf_dispatch,
	.describe = sjf_describe,
};
