/* Request descriptors for the simulator: allocated in chunks, recycled
 * through a free list, so memory follows the most requests ever in the
 * system at once, not the number simulated. */
#ifndef PSP_SIM_REQPOOL_H
#define PSP_SIM_REQPOOL_H

#include <stdint.h>
#include <string.h>

#include <psp/req.h>

#define SIM_REQPOOL_CHUNK 4096u

/* A simulated request: the policies' descriptor, and what only the
 * simulator keeps (for --per-request: its first hand-off to a worker and
 * its first start). */
struct sim_req {
	struct psp_req req;
	uint64_t handoff_ns, start_ns;
};

static inline struct sim_req *sim_req_of(struct psp_req *r)
{
	return psp_container_of(r, struct sim_req, req);
}

struct sim_reqpool {
	struct psp_req *free;  /* chained through ->host */
	void **chunks;
	uint32_t nchunks, cap_chunks;
	uint64_t in_use;
};

void sim_reqpool_init(struct sim_reqpool *p);
void sim_reqpool_fini(struct sim_reqpool *p);
/* Adds a chunk; returns 0 or -ENOMEM. */
int sim_reqpool_grow(struct sim_reqpool *p);

/* A descriptor for the caller to fill whole, or NULL when out of memory. */
static inline struct psp_req *sim_reqpool_get(struct sim_reqpool *p)
{
	if (!p->free && sim_reqpool_grow(p) < 0)
		return NULL;
	struct psp_req *r = p->free;
	p->free = r->host;
	p->in_use++;
	return r;
}

static inline void sim_reqpool_put(struct sim_reqpool *p, struct psp_req *r)
{
	r->host = p->free;
	p->free = r;
	p->in_use--;
}

#endif
