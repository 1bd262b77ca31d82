/* psjf: preemptive shortest job first, with oracle sizes, on W cores: the W
 * requests of least size (their whole service time, not what is left of it)
 * run, one per core; an arrival smaller than a running request takes its
 * core at once.  A model-only bound (PSP_POLICY_MODEL_ONLY): no dispatcher
 * knows the sizes, so psp-engine refuses it.  Unlike SRPT it never favours a
 * long request for being nearly done; with one size per type it is the
 * preemptive-resume priority queue by type mean, whose per-class M/G/1
 * response times are known in closed form.  The server is fluid.h's
 * prio_server, keyed by the size. */
#include <stdio.h>

#include <psp/policy.h>

#include "fluid.h"

static int psjf_init(struct psp_policy *p, struct psp_err *err)
{
	(void)err;
	prio_init(p->priv, p->nworkers, true);
	p->fluid = &prio_policy_fluid;
	return 0;
}

static void psjf_describe(const struct psp_policy *p, char *buf, size_t cap)
{
	(void)p;
	snprintf(buf, cap, "bound: smallest request first, preemptive, oracle sizes");
}

const struct psp_policy_ops psp_psjf_ops = {
	.name = "psjf",
	.aliases = "",
	.summary = "bound (model only): preemptive shortest job first, oracle sizes",
	.props = {
		.flags = PSP_POLICY_WORK_CONSERVING | PSP_POLICY_MODEL_ONLY,
		.default_slots = 1, .max_slots = 1,
		.model = "W cores run the W smallest requests (sizes known in advance); an "
			 "arrival smaller than a running request preempts it at once",
	},
	.state_size = prio_policy_state_size,
	.init = psjf_init,
	.enqueue = prio_policy_enqueue,
	.complete = fluid_complete_never,
	.dispatch = fluid_dispatch_none,
	.describe = psjf_describe,
};
