/* The simulator's event queue: a binary min-heap of events stored by value,
 * ordered by (at_ns, seq).  seq only grows, so events due at the same time
 * come out in the order they were scheduled and every run is reproducible.
 *
 * At most one arrival and one event per worker are pending at a time, so
 * the heap stays tiny (<= workers + 1) and by-value storage beats pointers.
 */
#ifndef PSP_SIM_EVQ_H
#define PSP_SIM_EVQ_H

#include <stdint.h>

enum sim_event_kind {
	SIM_EV_ARRIVAL = 0,
	SIM_EV_FINISH,  /* worker's request is done */
	SIM_EV_PREEMPT, /* worker's slice (plus preemption cost) is over */
};

struct sim_event {
	uint64_t at_ns;
	uint64_t seq;
	uint32_t kind;
	uint32_t worker;
};

struct sim_evq {
	struct sim_event *ev;
	uint32_t len, cap;
	uint64_t next_seq;
};

/* cap: the most events ever pending.  Returns 0 or -ENOMEM. */
int sim_evq_init(struct sim_evq *q, uint32_t cap);
void sim_evq_fini(struct sim_evq *q);

static inline int sim_evq_before(const struct sim_event *a, const struct sim_event *b)
{
	return a->at_ns < b->at_ns || (a->at_ns == b->at_ns && a->seq < b->seq);
}

/* Schedules an event; the queue must have room (PSP_CHECK). */
void sim_evq_push(struct sim_evq *q, uint64_t at_ns, uint32_t kind, uint32_t worker);

/* Removes the earliest event into *out; returns 0 when the queue is empty. */
int sim_evq_pop(struct sim_evq *q, struct sim_event *out);

#endif
