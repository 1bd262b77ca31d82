#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "perreq.h"
#include "report.h"

struct sim_perreq_rec {
	uint64_t arrive_ns, handoff_ns, start_ns, service_ns, done_ns;
	uint32_t type, worker, preemptions;
	bool measured;
	bool present; /* completed, or dropped: its turn may pass */
	bool dropped; /* dropped at max_in_system: no row */
};

void sim_perreq_init(struct sim_perreq *p, FILE *f, const struct psp_workload *wl,
		     const struct sim_trace *trace)
{
	*p = (struct sim_perreq){.f = f, .wl = wl, .trace = trace,
				 .origin_ns = trace ? trace->origin_ns : 0};
	fprintf(f, "%s\n", SIM_PERREQ_HEADER);
}

static void write_rec(struct sim_perreq *p, uint64_t seq, const struct sim_perreq_rec *x)
{
	uint64_t o = p->origin_ns;
	fprintf(p->f, "%llu,", (unsigned long long)(p->trace ? p->trace->row[seq].id : seq));
	sim_csv_field(p->f, p->wl->type_name[x->type]);
	fprintf(p->f, ",%llu,%llu,%u,%llu,%llu,%llu,%u,%d\n", (unsigned long long)(o + x->arrive_ns),
		(unsigned long long)(o + x->handoff_ns), x->worker,
		(unsigned long long)(o + x->start_ns), (unsigned long long)x->service_ns,
		(unsigned long long)(o + x->done_ns), x->preemptions, x->measured);
}

/* Makes room for arrival seq: the ring doubles until it spans base..seq. */
static int grow(struct sim_perreq *p, uint64_t seq)
{
	uint64_t cap = p->cap ? p->cap : 1024;
	while (seq - p->base >= cap)
		cap *= 2;
	struct sim_perreq_rec *ring = calloc(cap, sizeof(*ring));
	if (!ring)
		return -ENOMEM;
	for (uint64_t i = p->base; i < p->base + p->cap; i++)
		ring[i & (cap - 1)] = p->ring[i & (p->cap - 1)];
	free(p->ring);
	p->ring = ring;
	p->cap = cap;
	return 0;
}

/* The slot of arrival seq, made room for; NULL once out of memory. */
static struct sim_perreq_rec *slot_of(struct sim_perreq *p, uint64_t seq)
{
	if (p->oom || (seq - p->base >= p->cap && grow(p, seq) < 0)) {
		p->oom = true;
		return NULL;
	}
	return &p->ring[seq & (p->cap - 1)];
}

/* Writes the rows whose turn has come: every arrival before them has
 * completed or was dropped. */
static void advance(struct sim_perreq *p)
{
	for (struct sim_perreq_rec *x; (x = &p->ring[p->base & (p->cap - 1)])->present; p->base++) {
		if (!x->dropped)
			write_rec(p, p->base, x);
		*x = (struct sim_perreq_rec){0};
	}
}

void sim_perreq_done(void *ctx, const struct sim_req *r, uint64_t now_ns)
{
	struct sim_perreq *p = ctx;
	struct sim_perreq_rec *x = slot_of(p, r->req.id); /* id: the arrival number (run.c) */
	if (!x)
		return;
	*x = (struct sim_perreq_rec){
		.arrive_ns = r->req.arrive_ns, .handoff_ns = r->handoff_ns, .start_ns = r->start_ns,
		.service_ns = r->req.service_ns, .done_ns = now_ns, .type = r->req.type,
		.worker = r->req.worker, .preemptions = r->req.preemptions,
		.measured = r->req.host_flags != 0, .present = true,
	};
	advance(p);
}

void sim_perreq_dropped(void *ctx, uint64_t id)
{
	struct sim_perreq *p = ctx;
	struct sim_perreq_rec *x = slot_of(p, id);
	if (!x)
		return;
	*x = (struct sim_perreq_rec){.present = true, .dropped = true};
	advance(p);
}

int sim_perreq_finish(struct sim_perreq *p, struct psp_err *err)
{
	for (uint64_t i = p->base; i < p->base + p->cap; i++) {
		struct sim_perreq_rec *x = &p->ring[i & (p->cap - 1)];
		if (x->present && !x->dropped)
			write_rec(p, i, x);
	}
	free(p->ring);
	p->ring = NULL;
	p->cap = 0;
	if (p->oom)
		return psp_err_set(err, -ENOMEM, NULL, NULL,
				   "out of memory holding requests for --per-request: its file "
				   "lacks rows");
	return 0;
}
