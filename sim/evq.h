/* The simulator's event queue: a binary min-heap of 64-bit keys.
 *
 * At most one event is pending per source: the arrival process and each
 * worker (its request finishing, or its slice ending).  So a key packs the
 * time and the source, (at_ns << 8) | slot, and the event's kind is kept per
 * slot.  Events due at the same nanosecond come out in slot order, workers
 * by id and then the arrival, so every run is reproducible; integer keys
 * keep the heap small and its comparisons single instructions (this loop
 * runs twice per simulated request).  The one pending arrival waits beside
 * the heap, not in it: half the events then cost one comparison instead of
 * a push and a pop.  Times must stay below 2^56 ns (two years of simulated
 * time).
 */
#ifndef PSP_SIM_EVQ_H
#define PSP_SIM_EVQ_H

#include <stdint.h>

#include <psp/req.h>

enum sim_event_kind {
	SIM_EV_ARRIVAL = 0,
	SIM_EV_FINISH,  /* worker's request is done */
	SIM_EV_PREEMPT, /* worker's slice (plus preemption cost) is over */
};

#define SIM_EVQ_ARRIVAL_SLOT PSP_MAX_WORKERS /* after every worker */
#define SIM_EVQ_MAX_TIME_NS ((1ull << 56) - 1)

struct sim_event {
	uint64_t at_ns;
	uint32_t kind;
	uint32_t worker; /* worker events only */
};

struct sim_evq {
	uint64_t arrival_key; /* UINT64_MAX: no arrival pending */
	uint64_t *key;        /* heap of worker events */
	uint32_t len, cap;
	uint8_t kind[PSP_MAX_WORKERS + 1]; /* by slot */
};

/* cap: the most events ever pending.  Returns 0 or -ENOMEM. */
int sim_evq_init(struct sim_evq *q, uint32_t cap);
void sim_evq_fini(struct sim_evq *q);

/* Schedules an event.  The queue must have room, at_ns must be at most
 * SIM_EVQ_MAX_TIME_NS, and the source must have nothing pending
 * (PSP_CHECK). */
void sim_evq_push(struct sim_evq *q, uint64_t at_ns, uint32_t kind, uint32_t worker);

/* Removes the earliest event into *out; returns 0 when the queue is empty. */
int sim_evq_pop(struct sim_evq *q, struct sim_event *out);

#endif
