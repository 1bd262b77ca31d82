/* ps: processor sharing over W cores, the fluid model time sharing tends to
 * as its quantum goes to 0 with no preemption cost: with n requests in the
 * system each is served at min(1, W/n) of a core.  A model-only bound
 * (PSP_POLICY_MODEL_ONLY): no real core serves requests at a fraction of its
 * speed, so psp-engine refuses it.  Its M/G/1 mean response time E[S]/(1 -
 * rho) does not depend on the service distribution (insensitivity).
 *
 * Exact, event by event, with a virtual clock: every request present gets
 * the same service, so D (the service one request received since time 0, if
 * present all along) grows at min(1, W/n), and a request that arrived when D
 * was D0 is done when D reaches D0 + its size: its key.  The heap's least key
 * finishes first, at the time D reaches it.  Keys are kept in remaining_ns
 * (the bound's own while it holds a request, psp/policy.h) in 1/KEY_SCALE
 * ns, rounded up: a request finishes at most 1/KEY_SCALE ns of service late.
 * D and the state's time are doubles (about 1e-3 ns of resolution after
 * 1e4 s of simulated time). */
#include <math.h>
#include <stdio.h>

#include <psp/policy.h>

#include "fluid.h"

#define KEY_SCALE 256.0

struct ps {
	uint32_t cores;
	uint64_t held;
	double served;    /* D, in ns of service */
	double last_ns;   /* the state's time */
	struct psp_req *heap; /* keys: D at arrival + size, in 1/KEY_SCALE ns */
	struct psp_fifo done;
};

static size_t ps_state_size(const struct psp_policy_conf *conf)
{
	(void)conf;
	return sizeof(struct ps);
}

static double rate(const struct ps *s)
{
	return s->held <= s->cores ? 1.0 : (double)s->cores / (double)s->held;
}

/* When the least key is reached if nothing arrives (held > 0). */
static double finish_ns(const struct ps *s)
{
	double left = (double)s->heap->remaining_ns / KEY_SCALE - s->served;
	return s->last_ns + (left > 0 ? left / rate(s) : 0);
}

static void serve(struct ps *s, uint64_t now_ns)
{
	while (s->held) {
		double at = finish_ns(s);
		if (at > (double)now_ns)
			break;
		s->served = fmax(s->served, (double)s->heap->remaining_ns / KEY_SCALE);
		s->last_ns = at;
		psp_fifo_push(&s->done, ph_pop(&s->heap, false));
		s->held--;
	}
	if (s->held)
		s->served += ((double)now_ns - s->last_ns) * rate(s);
	s->last_ns = (double)now_ns;
}

static size_t ps_advance(struct psp_policy *p, uint64_t now_ns, struct psp_req **out,
			 size_t cap)
{
	struct ps *s = p->priv;
	serve(s, now_ns);
	return fluid_hand_out(&s->done, out, cap);
}

static uint64_t ps_next_ns(const struct psp_policy *p)
{
	const struct ps *s = p->priv;
	if (!psp_fifo_empty(&s->done))
		return (uint64_t)s->last_ns;
	if (!s->held)
		return UINT64_MAX;
	double at = ceil(finish_ns(s));
	return at < 0x1p63 ? (uint64_t)at : UINT64_MAX;
}

static const struct psp_fluid_ops ps_fluid = {
	.advance = ps_advance,
	.next_ns = ps_next_ns,
};

static int ps_init(struct psp_policy *p, struct psp_err *err)
{
	(void)err;
	struct ps *s = p->priv;
	s->cores = p->nworkers;
	psp_fifo_init(&s->done);
	p->fluid = &ps_fluid;
	return 0;
}

static void ps_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns)
{
	struct ps *s = p->priv;
	serve(s, now_ns);
	double key = ceil((s->served + (double)r->service_ns) * KEY_SCALE);
	r->remaining_ns = key < 0x1p64 ? (uint64_t)key : UINT64_MAX;
	s->heap = ph_push(s->heap, r, false);
	s->held++;
}

static void ps_describe(const struct psp_policy *p, char *buf, size_t cap)
{
	(void)p;
	snprintf(buf, cap, "bound: processor sharing, each of n requests at min(1, W/n) of a core");
}

const struct psp_policy_ops psp_ps_ops = {
	.name = "ps",
	.aliases = "processor-sharing",
	.summary = "bound (model only): processor sharing, n requests share W cores equally",
	.props = {
		.flags = PSP_POLICY_WORK_CONSERVING | PSP_POLICY_MODEL_ONLY,
		.default_slots = 1, .max_slots = 1,
		.model = "fluid M/G/W-PS: each of the n requests in the system is served at "
			 "min(1, W/n) of a core (time sharing with a quantum -> 0 and free "
			 "preemption)",
	},
	.state_size = ps_state_size,
	.init = ps_init,
	.enqueue = ps_enqueue,
	.complete = fluid_complete_never,
	.dispatch = fluid_dispatch_none,
	.describe = ps_describe,
};
