#include <errno.h>
#include <stdlib.h>

#include <psp/assert.h>

#include "evq.h"

int sim_evq_init(struct sim_evq *q, uint32_t cap)
{
	q->key = calloc(cap, sizeof(*q->key));
	q->arrival_key = UINT64_MAX;
	q->len = 0;
	q->cap = cap;
	return q->key ? 0 : -ENOMEM;
}

void sim_evq_fini(struct sim_evq *q)
{
	free(q->key);
	q->key = NULL;
}

void sim_evq_push(struct sim_evq *q, uint64_t at_ns, uint32_t kind, uint32_t worker)
{
	PSP_CHECK(q->len < q->cap);
	PSP_CHECK(at_ns <= SIM_EVQ_MAX_TIME_NS);
	uint32_t slot = kind == SIM_EV_ARRIVAL ? SIM_EVQ_ARRIVAL_SLOT : worker;
	PSP_CHECK(slot <= SIM_EVQ_ARRIVAL_SLOT);
	q->kind[slot] = (uint8_t)kind;
	uint64_t key = at_ns << 8 | slot;
	if (kind == SIM_EV_ARRIVAL) {
		PSP_CHECK(q->arrival_key == UINT64_MAX);
		q->arrival_key = key;
		return;
	}
	uint32_t i = q->len++;
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (q->key[parent] <= key)
			break;
		q->key[i] = q->key[parent];
		i = parent;
	}
	q->key[i] = key;
}

static void decode(const struct sim_evq *q, uint64_t key, struct sim_event *out)
{
	uint32_t slot = (uint32_t)(key & 0xff);
	out->at_ns = key >> 8;
	out->kind = q->kind[slot];
	out->worker = slot;
}

int sim_evq_pop(struct sim_evq *q, struct sim_event *out)
{
	if (q->len == 0 || q->arrival_key < q->key[0]) {
		if (q->arrival_key == UINT64_MAX)
			return 0;
		decode(q, q->arrival_key, out);
		q->arrival_key = UINT64_MAX;
		return 1;
	}
	uint64_t top = q->key[0];
	uint64_t last = q->key[--q->len];
	uint32_t i = 0, n = q->len;
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && q->key[c + 1] < q->key[c])
			c++;
		if (q->key[c] >= last)
			break;
		q->key[i] = q->key[c];
		i = c;
	}
	if (n)
		q->key[i] = last;
	decode(q, top, out);
	return 1;
}
