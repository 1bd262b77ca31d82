/* The simulator's event queue: a tournament tree over the workers, plus the
 * one pending arrival beside it.
 *
 * At most one event is pending per source: the arrival process and each
 * worker (its request finishing, or its slice ending).  So a key packs the
 * time and the source, (at_ns << 8) | slot, and the event's kind is kept per
 * slot.  Events due at the same nanosecond come out in slot order, workers
 * by id and then the arrival, so every run is reproducible.
 *
 * Each leaf of the (binary) tree holds a worker's key (UINT64_MAX: nothing
 * pending), each inner node the lesser key of its two children, so the root
 * is the next worker event.  Setting a worker's event, whether it had one or
 * not, rewrites the path from its leaf to the root: a fixed log2(workers)
 * steps (four for up to 16 workers), each the minimum of the new value and
 * the sibling's, no sifting, and an event can be moved (psp-sim arms a
 * postponed preemption earlier than the finish it had scheduled).  The
 * siblings' loads do not wait for one another, so the next pop waits for one
 * comparison a level; a 4-ary tree (fewer levels, three comparisons each, a
 * reload of the node just stored) ran 2-6% slower.  A popped worker event
 * stays in its leaf until the worker's next event replaces it, or the next
 * pop clears it: the usual finish-then-start-the-next costs one path update,
 * not two.  The pending arrival waits beside the tree: half the events then
 * cost one comparison.  Times must stay below 2^56 ns (two years of simulated
 * time).
 */
#ifndef PSP_SIM_EVQ_H
#define PSP_SIM_EVQ_H

#include <stdbool.h>
#include <stdint.h>

#include <psp/req.h>

enum sim_event_kind {
	SIM_EV_ARRIVAL = 0,
	SIM_EV_FINISH,  /* worker's request is done */
	SIM_EV_PREEMPT, /* worker's slice (plus preemption cost) is over */
};

#define SIM_EVQ_ARRIVAL_SLOT PSP_MAX_WORKERS /* after every worker */
#define SIM_EVQ_MAX_TIME_NS ((1ull << 56) - 1)
#define SIM_EVQ_NONE UINT64_MAX

struct sim_event {
	uint64_t at_ns;
	uint32_t kind;
	uint32_t worker; /* worker events only */
};

struct sim_evq {
	uint64_t arrival_key; /* SIM_EVQ_NONE: no arrival pending */
	uint64_t popped_key;  /* the last worker event popped, still in its leaf */
	uint32_t first_leaf;  /* leaf w is node[first_leaf + w] */
	uint32_t workers;
	uint8_t kind[PSP_MAX_WORKERS + 1]; /* by slot */
	/* node[1] the root; node i's children are 2i and 2i+1; the leaves (a
	 * power of 2 of them, >= workers) come last; node[0] unused */
	uint64_t node[2 * PSP_MAX_WORKERS];
};

/* For workers 1..PSP_MAX_WORKERS (PSP_CHECK).  Cannot fail. */
void sim_evq_init(struct sim_evq *q, uint32_t workers);

static inline uint64_t sim_evq__min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Stores key in leaf w, rewrites the path above it and returns the root; the
 * new value stays in a register on the way up (reading back a node just
 * stored would wait for the store). */
static inline uint64_t sim_evq__update(struct sim_evq *q, uint32_t w, uint64_t key)
{
	uint64_t *n = q->node, v = key;
	uint32_t i = q->first_leaf + w;
	n[i] = key;
	for (; i > 1; i /= 2) {
		v = sim_evq__min(v, n[i ^ 1]);
		n[i / 2] = v;
	}
	return v; /* the root */
}

/* Schedules worker w's event, replacing the one it had pending (if any).
 * at_ns must be at most SIM_EVQ_MAX_TIME_NS (PSP_CHECK). */
static inline void sim_evq_set(struct sim_evq *q, uint64_t at_ns, uint32_t kind, uint32_t w)
{
	PSP_CHECK(at_ns <= SIM_EVQ_MAX_TIME_NS && w < q->workers);
	uint64_t key = at_ns << 8 | w;
	if (key == q->popped_key)
		q->popped_key = SIM_EVQ_NONE; /* rescheduled as it was: keep it */
	q->kind[w] = (uint8_t)kind;
	sim_evq__update(q, w, key);
}

/* The time of worker w's pending event, or SIM_EVQ_NONE. */
static inline uint64_t sim_evq_worker_at(const struct sim_evq *q, uint32_t w)
{
	uint64_t k = q->node[q->first_leaf + w];
	return k == SIM_EVQ_NONE || k == q->popped_key ? SIM_EVQ_NONE : k >> 8;
}

/* Schedules the next arrival; none may be pending (PSP_CHECK). */
static inline void sim_evq_set_arrival(struct sim_evq *q, uint64_t at_ns)
{
	PSP_CHECK(at_ns <= SIM_EVQ_MAX_TIME_NS && q->arrival_key == SIM_EVQ_NONE);
	q->kind[SIM_EVQ_ARRIVAL_SLOT] = SIM_EV_ARRIVAL;
	q->arrival_key = at_ns << 8 | SIM_EVQ_ARRIVAL_SLOT;
}

/* Is an arrival pending? */
static inline bool sim_evq_arrival_pending(const struct sim_evq *q)
{
	return q->arrival_key != SIM_EVQ_NONE;
}

/* The time of the earliest event, or SIM_EVQ_NONE; changes nothing pop
 * would see (a popped event not replaced is dropped, as pop drops it). */
static inline uint64_t sim_evq_peek_at(struct sim_evq *q)
{
	uint32_t w = (uint32_t)(q->popped_key & 0xff);
	if (q->popped_key != SIM_EVQ_NONE && q->node[q->first_leaf + w] == q->popped_key)
		sim_evq__update(q, w, SIM_EVQ_NONE);
	q->popped_key = SIM_EVQ_NONE;
	uint64_t top = sim_evq__min(q->arrival_key, q->node[1]);
	return top == SIM_EVQ_NONE ? SIM_EVQ_NONE : top >> 8;
}

/* Removes the earliest event into *out; returns 0 when the queue is empty. */
static inline int sim_evq_pop(struct sim_evq *q, struct sim_event *out)
{
	uint64_t top;
	uint32_t w = (uint32_t)(q->popped_key & 0xff);
	if (q->popped_key != SIM_EVQ_NONE && q->node[q->first_leaf + w] == q->popped_key)
		top = sim_evq__update(q, w, SIM_EVQ_NONE); /* not replaced: drop it now */
	else
		top = q->node[1];
	q->popped_key = SIM_EVQ_NONE;
	if (q->arrival_key < top) {
		top = q->arrival_key;
		q->arrival_key = SIM_EVQ_NONE;
	} else if (top == SIM_EVQ_NONE) {
		return 0;
	} else {
		q->popped_key = top;
	}
	uint32_t slot = (uint32_t)(top & 0xff);
	out->at_ns = top >> 8;
	out->kind = q->kind[slot];
	out->worker = slot;
	return 1;
}

#endif
