/* What the model-only bounds (srpt, psjf, ps, fb) share: their server hooks,
 * a pairing heap of requests, and the k-core priority server srpt and psjf
 * are.  Not part of the public interface.
 *
 * A bound is the whole server (PSP_POLICY_MODEL_ONLY in psp/policy.h): it
 * holds every request in the system, knows their sizes (service_ns), gives
 * each a share of the W cores and reports those done.  Its state is kept at
 * the last time it was advanced to; enqueue advances it to the arrival
 * first, so the host may call advance before or after enqueue at the same
 * nanosecond.  Finished requests wait in a done FIFO until advance hands
 * them out (at most cap at a time). */
#ifndef PSP_CORE_FLUID_H
#define PSP_CORE_FLUID_H

#include <stdbool.h>
#include <stdint.h>

#include <psp/policy.h>
#include <psp/req.h>

#include "internal.h"

#pragma GCC visibility push(hidden)

/* The server hooks behind psp_policy_advance and psp_policy_next_ns; a
 * bound's init sets p->fluid to its table. */
struct psp_fluid_ops {
	/* Serves up to now and moves the requests done by now to out (at most
	 * cap, in the order they finished).  Mandatory. */
	size_t (*advance)(struct psp_policy *p, uint64_t now_ns, struct psp_req **out,
			  size_t cap);
	/* The next nanosecond at which a request finishes or the shares
	 * change (rounded up), the state's time when some are done already,
	 * UINT64_MAX when nothing is held.  Mandatory. */
	uint64_t (*next_ns)(const struct psp_policy *p);
	/* Requests the bound can hold at once (psp_policy_max_held), 0 for no
	 * limit of its own. */
	uint64_t max_held;
};

/* A bound never assigns workers: the ops table's dispatch and complete
 * hooks, which its host never calls (psp_policy_complete would abort on a
 * worker that holds nothing before reaching it). */
static inline size_t fluid_dispatch_none(struct psp_policy *p, uint64_t now_ns,
					 struct psp_assign *out, size_t cap)
{
	(void)p, (void)now_ns, (void)out, (void)cap;
	return 0;
}

static inline void fluid_complete_never(struct psp_policy *p, uint32_t worker,
					struct psp_req *r, uint64_t ran_ns, bool finished,
					uint64_t now_ns)
{
	(void)p, (void)worker, (void)r, (void)ran_ns, (void)finished, (void)now_ns;
	PSP_CHECK(!"a model-only bound holds no worker: complete() is never called");
}

/* Moves up to cap requests of done to out. */
static inline size_t fluid_hand_out(struct psp_fifo *done, struct psp_req **out, size_t cap)
{
	size_t n = 0;
	while (n < cap && !psp_fifo_empty(done))
		out[n++] = psp_fifo_pop(done);
	return n;
}

/* ---------------------------------------------------------------------- */
/* A pairing heap threaded through the requests' links (link.prev: first
 * child, link.next: next sibling; a root has no sibling), so that it never
 * allocates.  Melding is O(1), popping the least O(log n) amortised.  The
 * key is service_ns (by_size) or remaining_ns, ties to the lower id, so the
 * order never depends on anything but the requests. */

static inline struct psp_req *ph_req(struct psp_link *l)
{
	return l ? psp_container_of(l, struct psp_req, link) : NULL;
}

static inline bool ph_less(const struct psp_req *a, const struct psp_req *b, bool by_size)
{
	uint64_t ka = by_size ? a->service_ns : a->remaining_ns;
	uint64_t kb = by_size ? b->service_ns : b->remaining_ns;
	return ka < kb || (ka == kb && a->id < b->id);
}

/* Melds two roots (either may be NULL) and returns the new root. */
static inline struct psp_req *ph_meld(struct psp_req *a, struct psp_req *b, bool by_size)
{
	if (!a)
		return b;
	if (!b)
		return a;
	if (ph_less(b, a, by_size)) {
		struct psp_req *t = a;
		a = b;
		b = t;
	}
	b->link.next = a->link.prev; /* b becomes a's first child */
	a->link.prev = &b->link;
	return a;
}

static inline struct psp_req *ph_push(struct psp_req *root, struct psp_req *r, bool by_size)
{
	r->link.prev = r->link.next = NULL;
	return ph_meld(root, r, by_size);
}

/* Removes the root of *root (which must not be NULL) and returns it, its
 * links cleared: children melded in pairs left to right, then the pairs
 * right to left (the two-pass rule). */
static inline struct psp_req *ph_pop(struct psp_req **root, bool by_size)
{
	struct psp_req *top = *root, *pairs = NULL, *c = ph_req(top->link.prev);
	while (c) {
		struct psp_req *b = ph_req(c->link.next);
		struct psp_req *next = b ? ph_req(b->link.next) : NULL;
		c->link.next = NULL;
		if (b)
			b->link.next = NULL;
		struct psp_req *m = ph_meld(c, b, by_size);
		m->link.next = pairs ? &pairs->link : NULL; /* a stack of the pairs */
		pairs = m;
		c = next;
	}
	struct psp_req *res = NULL;
	while (pairs) {
		struct psp_req *next = ph_req(pairs->link.next);
		pairs->link.next = NULL;
		res = ph_meld(res, pairs, by_size);
		pairs = next;
	}
	top->link.prev = top->link.next = NULL;
	*root = res;
	return top;
}

/* ---------------------------------------------------------------------- */
/* The k-core priority server: the (at most) W requests of least key run,
 * one per core at full speed; the others wait in a heap.  An arrival whose
 * key is less than the greatest running one's takes its core at once (the
 * preempted request waits with its remaining work).  Keys do not change
 * while a request waits, and a running request's key never rises, so
 * arrivals are the only moments to preempt.  Times are whole nanoseconds:
 * every request runs at rate 1, so the server is exact.
 *
 * by_size: the key is the size (preemptive SJF); else the remaining work
 * (SRPT). */
struct prio_server {
	bool by_size;
	uint32_t cores, nrun;
	uint64_t last_ns;          /* the state's time */
	uint64_t held;             /* running + waiting */
	struct psp_req *run[PSP_MAX_WORKERS];
	struct psp_req *waiting;   /* heap root */
	struct psp_fifo done;
};

static inline void prio_init(struct prio_server *s, uint32_t cores, bool by_size)
{
	s->by_size = by_size;
	s->cores = cores;
	s->nrun = 0;
	s->last_ns = 0;
	s->held = 0;
	s->waiting = NULL;
	psp_fifo_init(&s->done);
}

/* Is running request a's key greater than b's (a is the first to give up
 * its core)? */
static inline bool prio_greater(const struct prio_server *s, const struct psp_req *a,
				const struct psp_req *b)
{
	return ph_less(b, a, s->by_size);
}

/* Serves up to now: running requests lose now - last of their remaining
 * work; each that finishes on the way gives its core to the least waiting
 * one, at the moment it finishes. */
static inline void prio_advance(struct prio_server *s, uint64_t now_ns)
{
	while (s->nrun) {
		uint64_t dt = now_ns - s->last_ns, least = UINT64_MAX;
		for (uint32_t i = 0; i < s->nrun; i++)
			if (s->run[i]->remaining_ns < least)
				least = s->run[i]->remaining_ns;
		uint64_t step = least < dt ? least : dt;
		for (uint32_t i = 0; i < s->nrun; i++)
			s->run[i]->remaining_ns -= step;
		s->last_ns += step;
		if (least > dt)
			break;
		/* the requests done at last_ns, in core order */
		for (uint32_t i = 0; i < s->nrun;) {
			struct psp_req *r = s->run[i];
			if (r->remaining_ns > 0) {
				i++;
				continue;
			}
			psp_fifo_push(&s->done, r);
			s->held--;
			if (s->waiting)
				s->run[i++] = ph_pop(&s->waiting, s->by_size);
			else
				s->run[i] = s->run[--s->nrun];
		}
	}
	s->last_ns = now_ns;
}

static inline void prio_enqueue(struct prio_server *s, struct psp_req *r, uint64_t now_ns)
{
	prio_advance(s, now_ns);
	s->held++;
	if (s->nrun < s->cores) {
		s->run[s->nrun++] = r;
		return;
	}
	uint32_t worst = 0;
	for (uint32_t i = 1; i < s->nrun; i++)
		if (prio_greater(s, s->run[i], s->run[worst]))
			worst = i;
	if (prio_greater(s, s->run[worst], r)) { /* r preempts it */
		s->waiting = ph_push(s->waiting, s->run[worst], s->by_size);
		s->run[worst] = r;
	} else {
		s->waiting = ph_push(s->waiting, r, s->by_size);
	}
}

static inline uint64_t prio_next_ns(const struct prio_server *s)
{
	if (!psp_fifo_empty(&s->done))
		return s->last_ns;
	uint64_t least = UINT64_MAX;
	for (uint32_t i = 0; i < s->nrun; i++)
		if (s->run[i]->remaining_ns < least)
			least = s->run[i]->remaining_ns;
	return least == UINT64_MAX ? UINT64_MAX : s->last_ns + least;
}

/* The ops a policy on a prio_server shares (srpt and psjf differ only in
 * prio_init's key, their texts and their names). */
static inline size_t prio_policy_state_size(const struct psp_policy_conf *conf)
{
	(void)conf;
	return sizeof(struct prio_server);
}

static inline size_t prio_policy_advance(struct psp_policy *p, uint64_t now_ns,
					 struct psp_req **out, size_t cap)
{
	struct prio_server *s = p->priv;
	prio_advance(s, now_ns);
	return fluid_hand_out(&s->done, out, cap);
}

static inline uint64_t prio_policy_next_ns(const struct psp_policy *p)
{
	return prio_next_ns(p->priv);
}

static inline void prio_policy_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns)
{
	prio_enqueue(p->priv, r, now_ns);
}

static const struct psp_fluid_ops prio_policy_fluid = {
	.advance = prio_policy_advance,
	.next_ns = prio_policy_next_ns,
};

#pragma GCC visibility pop

#endif
