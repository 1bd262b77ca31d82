/* srpt: shortest remaining processing time first, with oracle sizes, on W
 * cores: the W requests with the least work left run, one per core; an
 * arrival with less work than a running request takes its core at once.  A
 * model-only bound (PSP_POLICY_MODEL_ONLY): no dispatcher knows the sizes,
 * so psp-engine refuses it.  On one core SRPT minimises the mean response
 * time of every sample path (Schrage 1968); with W cores it is the usual
 * reference for the mean and for small requests' tails.  The server itself
 * is fluid.h's prio_server, keyed by the remaining work. */
#include <stdio.h>

#include <psp/policy.h>

#include "fluid.h"

static int srpt_init(struct psp_policy *p, struct psp_err *err)
{
	(void)err;
	prio_init(p->priv, p->nworkers, false);
	p->fluid = &prio_policy_fluid;
	return 0;
}

static void srpt_describe(const struct psp_policy *p, char *buf, size_t cap)
{
	(void)p;
	snprintf(buf, cap, "bound: least remaining work first, preemptive, oracle sizes");
}

const struct psp_policy_ops psp_srpt_ops = {
	.name = "srpt",
	.aliases = "",
	.summary = "bound (model only): shortest remaining processing time first, oracle sizes",
	.props = {
		.flags = PSP_POLICY_WORK_CONSERVING | PSP_POLICY_MODEL_ONLY,
		.default_slots = 1, .max_slots = 1,
		.model = "W cores run the W requests with the least remaining work (known in "
			 "advance); an arrival with less preempts at once",
	},
	.state_size = prio_policy_state_size,
	.init = srpt_init,
	.enqueue = prio_policy_enqueue,
	.complete = fluid_complete_never,
	.dispatch = fluid_dispatch_none,
	.describe = srpt_describe,
};
