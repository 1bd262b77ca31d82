#include <string.h>

#include <psp/assert.h>

#include "evq.h"

void sim_evq_init(struct sim_evq *q, uint32_t workers)
{
	PSP_CHECK(workers >= 1 && workers <= PSP_MAX_WORKERS);
	q->workers = workers;
	uint32_t leaves = 1;
	while (leaves < workers)
		leaves *= 2;
	q->first_leaf = leaves;
	PSP_CHECK(2 * leaves <= sizeof(q->node) / sizeof(q->node[0]));
	q->arrival_key = SIM_EVQ_NONE;
	q->popped_key = SIM_EVQ_NONE;
	memset(q->kind, 0, sizeof(q->kind));
	memset(q->node, 0xff, sizeof(q->node)); /* SIM_EVQ_NONE everywhere */
}
