#include <errno.h>
#include <stdlib.h>

#include <psp/assert.h>

#include "evq.h"

int sim_evq_init(struct sim_evq *q, uint32_t cap)
{
	q->ev = calloc(cap, sizeof(*q->ev));
	q->len = 0;
	q->cap = cap;
	q->next_seq = 0;
	return q->ev ? 0 : -ENOMEM;
}

void sim_evq_fini(struct sim_evq *q)
{
	free(q->ev);
	q->ev = NULL;
}

void sim_evq_push(struct sim_evq *q, uint64_t at_ns, uint32_t kind, uint32_t worker)
{
	PSP_CHECK(q->len < q->cap);
	struct sim_event e = {.at_ns = at_ns, .seq = q->next_seq++, .kind = kind,
			      .worker = worker};
	uint32_t i = q->len++;
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!sim_evq_before(&e, &q->ev[parent]))
			break;
		q->ev[i] = q->ev[parent];
		i = parent;
	}
	q->ev[i] = e;
}

int sim_evq_pop(struct sim_evq *q, struct sim_event *out)
{
	if (q->len == 0)
		return 0;
	*out = q->ev[0];
	struct sim_event last = q->ev[--q->len];
	uint32_t i = 0, n = q->len;
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && sim_evq_before(&q->ev[c + 1], &q->ev[c]))
			c++;
		if (!sim_evq_before(&q->ev[c], &last))
			break;
		q->ev[i] = q->ev[c];
		i = c;
	}
	if (n)
		q->ev[i] = last;
	return 1;
}
