#include <errno.h>
#include <stdlib.h>

#include "reqpool.h"

void sim_reqpool_init(struct sim_reqpool *p)
{
	memset(p, 0, sizeof(*p));
}

void sim_reqpool_fini(struct sim_reqpool *p)
{
	for (uint32_t i = 0; i < p->nchunks; i++)
		free(p->chunks[i]);
	free(p->chunks);
	memset(p, 0, sizeof(*p));
}

int sim_reqpool_grow(struct sim_reqpool *p)
{
	if (p->nchunks == p->cap_chunks) {
		uint32_t cap = p->cap_chunks ? 2 * p->cap_chunks : 16;
		void **c = realloc(p->chunks, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		p->chunks = c;
		p->cap_chunks = cap;
	}
	struct sim_req *chunk = malloc(SIM_REQPOOL_CHUNK * sizeof(*chunk));
	if (!chunk)
		return -ENOMEM;
	p->chunks[p->nchunks++] = chunk;
	for (uint32_t i = 0; i < SIM_REQPOOL_CHUNK; i++) {
		chunk[i].req.host = p->free;
		p->free = &chunk[i].req;
	}
	return 0;
}
