/* The request descriptor and the intrusive FIFO the policies queue it on.
 *
 * A request is parsed once (from a packet, or drawn by the simulator) into a
 * descriptor the host owns; policies never allocate.  A descriptor sits on at
 * most one queue at a time through the link embedded in it; link.next == NULL
 * means "not queued".
 */
#ifndef PSP_REQ_H
#define PSP_REQ_H

#include <stddef.h>
#include <stdint.h>

#include <psp/assert.h>

/* Limits every policy supports; checked at psp_policy_create(). */
#define PSP_MAX_WORKERS 64u
#define PSP_MAX_TYPES 16u
/* Type index of a request whose wire type is 0 or not configured. */
#define PSP_TYPE_UNKNOWN 0xffffffffu

struct psp_link {
	struct psp_link *prev, *next;
};

struct psp_req {
	struct psp_link link;  /* owned by the policy while queued */
	uint64_t id;           /* host's id (wire req_id, or a sequence number) */
	uint64_t arrive_ns;    /* entered the system (RX, or simulated arrival) */
	uint64_t enqueue_ns;   /* last handed to the policy (arrival or preemption) */
	uint64_t dispatch_ns;  /* last given to a worker (stamped by the host) */
	uint64_t service_ns;   /* work asked for; policies must not read it */
	uint64_t remaining_ns; /* work left (time sharing); policies must not read it */
	uint32_t type;         /* 0..ntypes-1, or PSP_TYPE_UNKNOWN */
	uint32_t worker;       /* last worker it was assigned to */
	uint32_t preemptions;  /* times it was preempted */
	uint32_t flow;         /* host's flow hash (e.g. of the client's address and
				* port, as RSS computes it); placement flow-hash */
	uint32_t host_flags;   /* free for the host */
	void *host;            /* free for the host (an mbuf, a reply slot) */
};

#define psp_container_of(p, T, m) ((T *)(void *)((char *)(p) - offsetof(T, m)))

struct psp_fifo {
	struct psp_link head; /* sentinel */
	uint32_t len;
};

static inline void psp_fifo_init(struct psp_fifo *q)
{
	q->head.next = q->head.prev = &q->head;
	q->len = 0;
}

static inline int psp_fifo_empty(const struct psp_fifo *q)
{
	return q->len == 0;
}

/* Appends r at the tail.  r must not be on another queue. */
static inline void psp_fifo_push(struct psp_fifo *q, struct psp_req *r)
{
	PSP_ASSERT(r->link.next == NULL);
	r->link.prev = q->head.prev;
	r->link.next = &q->head;
	q->head.prev->next = &r->link;
	q->head.prev = &r->link;
	q->len++;
}

/* The head, or NULL when empty; the request stays queued. */
static inline struct psp_req *psp_fifo_peek(const struct psp_fifo *q)
{
	if (q->len == 0)
		return NULL;
	return psp_container_of(q->head.next, struct psp_req, link);
}

/* Removes and returns the head, or NULL when empty. */
static inline struct psp_req *psp_fifo_pop(struct psp_fifo *q)
{
	if (q->len == 0)
		return NULL;
	struct psp_link *l = q->head.next;
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->next = l->prev = NULL;
	q->len--;
	return psp_container_of(l, struct psp_req, link);
}

#endif
