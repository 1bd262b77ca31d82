/* fb: foreground-background, or least attained service (LAS), on W cores:
 * the requests that have received the least service so far are served
 * first, those tied share equally; with W cores, walking up from the least
 * served, each group of ties is served at full speed while cores remain, the
 * group where they run out shares what is left, the rest wait.  It needs no
 * size (only the service given so far), yet it serves at fractional rates,
 * so it is a model-only bound (PSP_POLICY_MODEL_ONLY) that psp-engine
 * refuses; a real scheduler approaches it with a multi-level feedback queue
 * and a tiny quantum.  For exponential sizes its M/M/1 mean response time is
 * PS's, E[S]/(1 - rho) (memorylessness: the attained service says nothing
 * of what is left).
 *
 * Exact, event by event.  A request's attained service never falls below a
 * later arrival's (the later one is served first until they tie, then they
 * share), so the requests form groups of equal attained service, ordered by
 * it, and groups only form at the bottom (an arrival, attained 0) and merge
 * with the group above (a served group catches it up).  Within a group the
 * smallest request finishes first: each group keeps its members in a
 * pairing heap by size (fluid.h).  Between events at most W + 1 groups are
 * served, so an event costs O(W) plus a heap operation.  Levels and the
 * state's time are doubles; a request is reported at the nanosecond after
 * it finishes (psp/policy.h).
 *
 * Groups come from a pool of FB_MAX_GROUPS made at creation (there are
 * never more groups than requests held): the bound holds at most that many
 * requests (psp_policy_max_held), and its host drops arrivals beyond them,
 * which marks the point overloaded. */
#include <math.h>
#include <stdio.h>

#include <psp/policy.h>

#include "fluid.h"

#define FB_MAX_GROUPS (1u << 16)
#define NONE UINT32_MAX

struct fb_group {
	double level;         /* attained service of each member, at last_ns */
	uint64_t count;
	struct psp_req *heap; /* members by size */
	uint32_t up;          /* the group of the next higher level (NONE: top);
			       * in the free list, the next free group */
};

struct fb {
	uint32_t cores;
	uint64_t held;
	double last_ns;      /* the state's time */
	uint32_t bottom;     /* the least served group, NONE when empty */
	uint32_t free;       /* free groups, chained through up */
	struct psp_fifo done;
	struct fb_group group[FB_MAX_GROUPS];
};

/* The groups being served, bottom first, and their rates. */
struct served {
	uint32_t n;
	uint32_t g[PSP_MAX_WORKERS + 1];
	double rate[PSP_MAX_WORKERS + 1];
};

enum fb_event { FB_FINISH, FB_MERGE };

static size_t fb_state_size(const struct psp_policy_conf *conf)
{
	(void)conf;
	return sizeof(struct fb);
}

static void served_groups(const struct fb *s, struct served *v)
{
	double cores = s->cores;
	v->n = 0;
	for (uint32_t g = s->bottom; g != NONE && cores > 0; g = s->group[g].up) {
		double count = (double)s->group[g].count;
		double r = count <= cores ? 1.0 : cores / count;
		cores = count <= cores ? cores - count : 0;
		v->g[v->n] = g;
		v->rate[v->n++] = r;
	}
}

/* The time from last_ns to the next event if nothing arrives, and which
 * (*kind, of the served group v->g[*at]); INFINITY when nothing is held. */
static double next_event(const struct fb *s, const struct served *v, enum fb_event *kind,
			 uint32_t *at)
{
	double best = INFINITY;
	for (uint32_t i = 0; i < v->n; i++) {
		const struct fb_group *g = &s->group[v->g[i]];
		double t = fmax(0, ((double)g->heap->service_ns - g->level) / v->rate[i]);
		if (t < best)
			best = t, *kind = FB_FINISH, *at = i;
		if (g->up == NONE)
			continue;
		double above = i + 1 < v->n ? v->rate[i + 1] : 0;
		if (v->rate[i] > above) { /* it catches the group above up */
			t = fmax(0, (s->group[g->up].level - g->level) / (v->rate[i] - above));
			if (t < best)
				best = t, *kind = FB_MERGE, *at = i;
		}
	}
	return best;
}

/* Unlinks group g, whose lower neighbour is below (NONE: g is the bottom),
 * and frees it. */
static void drop_group(struct fb *s, uint32_t g, uint32_t below)
{
	if (below == NONE)
		s->bottom = s->group[g].up;
	else
		s->group[below].up = s->group[g].up;
	s->group[g].up = s->free;
	s->free = g;
}

static void serve(struct fb *s, uint64_t now_ns)
{
	struct served v;
	enum fb_event kind = FB_FINISH;
	uint32_t at = 0;
	for (;;) {
		served_groups(s, &v);
		double dt = next_event(s, &v, &kind, &at);
		bool event = s->last_ns + dt <= (double)now_ns;
		if (!event)
			dt = (double)now_ns - s->last_ns;
		for (uint32_t i = 0; i < v.n; i++)
			s->group[v.g[i]].level += v.rate[i] * dt;
		s->last_ns += dt;
		if (!event)
			break;
		uint32_t g = v.g[at], below = at ? v.g[at - 1] : NONE;
		struct fb_group *grp = &s->group[g];
		if (kind == FB_FINISH) {
			psp_fifo_push(&s->done, ph_pop(&grp->heap, true));
			s->held--;
			if (--grp->count == 0)
				drop_group(s, g, below);
		} else {
			struct fb_group *up = &s->group[grp->up];
			up->heap = ph_meld(up->heap, grp->heap, true);
			up->count += grp->count;
			drop_group(s, g, below);
		}
	}
	s->last_ns = (double)now_ns;
}

static size_t fb_advance(struct psp_policy *p, uint64_t now_ns, struct psp_req **out,
			 size_t cap)
{
	struct fb *s = p->priv;
	serve(s, now_ns);
	return fluid_hand_out(&s->done, out, cap);
}

static uint64_t fb_next_ns(const struct psp_policy *p)
{
	const struct fb *s = p->priv;
	if (!psp_fifo_empty(&s->done))
		return (uint64_t)s->last_ns;
	struct served v;
	enum fb_event kind;
	uint32_t at;
	served_groups(s, &v);
	double t = ceil(s->last_ns + next_event(s, &v, &kind, &at));
	return t < 0x1p63 ? (uint64_t)t : UINT64_MAX;
}

static const struct psp_fluid_ops fb_fluid = {
	.advance = fb_advance,
	.next_ns = fb_next_ns,
	.max_held = FB_MAX_GROUPS,
};

static int fb_init(struct psp_policy *p, struct psp_err *err)
{
	(void)err;
	struct fb *s = p->priv;
	s->cores = p->nworkers;
	s->bottom = NONE;
	for (uint32_t g = 0; g < FB_MAX_GROUPS; g++)
		s->group[g].up = g + 1 < FB_MAX_GROUPS ? g + 1 : NONE;
	s->free = 0;
	psp_fifo_init(&s->done);
	p->fluid = &fb_fluid;
	return 0;
}

static void fb_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns)
{
	struct fb *s = p->priv;
	serve(s, now_ns);
	s->held++;
	r->link.prev = r->link.next = NULL;
	if (s->bottom != NONE && s->group[s->bottom].level == 0) { /* arrived at the same time */
		struct fb_group *grp = &s->group[s->bottom];
		grp->heap = ph_push(grp->heap, r, true);
		grp->count++;
		return;
	}
	PSP_CHECK(s->free != NONE); /* held <= FB_MAX_GROUPS: the host's limit */
	uint32_t g = s->free;
	s->free = s->group[g].up;
	s->group[g] = (struct fb_group){.level = 0, .count = 1, .heap = r, .up = s->bottom};
	s->bottom = g;
}

static void fb_describe(const struct psp_policy *p, char *buf, size_t cap)
{
	(void)p;
	snprintf(buf, cap, "bound: least attained service first, ties share the cores");
}

const struct psp_policy_ops psp_fb_ops = {
	.name = "fb",
	.aliases = "las,least-attained-service",
	.summary = "bound (model only): least attained service first (FB/LAS), ties share",
	.props = {
		.flags = PSP_POLICY_WORK_CONSERVING | PSP_POLICY_MODEL_ONLY,
		.default_slots = 1, .max_slots = 1,
		.model = "fluid: the requests with the least service received so far are served "
			 "first, ties sharing equally, on W cores",
	},
	.state_size = fb_state_size,
	.init = fb_init,
	.enqueue = fb_enqueue,
	.complete = fluid_complete_never,
	.dispatch = fluid_dispatch_none,
	.describe = fb_describe,
};
