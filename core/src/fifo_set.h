/* A set of FIFOs indexed by a small integer (a worker, a type), with a mask
 * of the non-empty ones kept up to date by push and pop.  Policies with one
 * queue per worker (d-FCFS, ws, TQ's preempted requests) or per type (DARC,
 * SJF, TS) find work with a bit scan of the mask instead of walking queues;
 * keeping mask and queues in one place is what stops a pop from forgetting
 * to clear a bit (a stale bit sends the dispatcher to an empty queue). */
#ifndef PSP_CORE_FIFO_SET_H
#define PSP_CORE_FIFO_SET_H

#include <stdbool.h>
#include <stdint.h>

#include <psp/req.h>

/* Enough for one FIFO per worker, or per type plus the unknown type. */
#define PSP_FIFO_SET_MAX PSP_MAX_WORKERS
_Static_assert(PSP_MAX_TYPES + 1 <= PSP_FIFO_SET_MAX, "a FIFO per type and the unknown type");
_Static_assert(PSP_FIFO_SET_MAX <= 64, "the non-empty mask is 64 bits");

struct psp_fifo_set {
	uint64_t nonempty; /* bit i set: fifo[i] holds a request */
	struct psp_fifo fifo[PSP_FIFO_SET_MAX];
};

static inline void psp_fifo_set_init(struct psp_fifo_set *s)
{
	s->nonempty = 0;
	for (uint32_t i = 0; i < PSP_FIFO_SET_MAX; i++)
		psp_fifo_init(&s->fifo[i]);
}

static inline bool psp_fifo_set_holds(const struct psp_fifo_set *s, uint32_t i)
{
	return (s->nonempty >> i) & 1u;
}

static inline uint32_t psp_fifo_set_len(const struct psp_fifo_set *s, uint32_t i)
{
	return s->fifo[i].len;
}

/* Appends r at the tail of FIFO i. */
static inline void psp_fifo_set_push(struct psp_fifo_set *s, uint32_t i, struct psp_req *r)
{
	psp_fifo_push(&s->fifo[i], r);
	s->nonempty |= 1ull << i;
}

/* The head of FIFO i, or NULL when it is empty; the request stays queued. */
static inline struct psp_req *psp_fifo_set_peek(const struct psp_fifo_set *s, uint32_t i)
{
	return psp_fifo_peek(&s->fifo[i]);
}

/* Removes and returns the head of FIFO i, or NULL when it is empty. */
static inline struct psp_req *psp_fifo_set_pop(struct psp_fifo_set *s, uint32_t i)
{
	struct psp_req *r = psp_fifo_pop(&s->fifo[i]);
	if (psp_fifo_empty(&s->fifo[i]))
		s->nonempty &= ~(1ull << i);
	return r;
}

/* The lowest-indexed non-empty FIFO; the set must hold a request. */
static inline uint32_t psp_fifo_set_first(const struct psp_fifo_set *s)
{
	return (uint32_t)__builtin_ctzll(s->nonempty);
}

#endif
