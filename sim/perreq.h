/* psp-sim --per-request FILE: one CSV row per completed request of a single
 * run, in arrival order, in the psp trace CSV's column names
 * (docs/trace-format.md), so --trace reads it back and it joins a replayed
 * trace by id. */
#ifndef PSP_SIM_PERREQ_H
#define PSP_SIM_PERREQ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <psp/err.h>
#include <psp/workload.h>

#include "reqpool.h"
#include "trace.h"

#define SIM_PERREQ_HEADER \
	"id,type,arrival_ns,dispatch_ns,worker,start_ns,service_ns,completion_ns,preemptions," \
	"measured"

struct sim_perreq_rec;

/* Requests complete out of arrival order: each waits in a ring, indexed by
 * its arrival number, until those before it are written, so memory follows
 * the span of arrivals in the system at once, not the run's length. */
struct sim_perreq {
	FILE *f;
	const struct psp_workload *wl; /* type names */
	const struct sim_trace *trace; /* a replay: its ids and clock; NULL: sampled */
	uint64_t origin_ns;            /* added to every time */
	struct sim_perreq_rec *ring;
	uint64_t cap;                  /* a power of two, or 0 */
	uint64_t base;                 /* the first arrival not written */
	bool oom;
};

/* Writes the header to f. */
void sim_perreq_init(struct sim_perreq *p, FILE *f, const struct psp_workload *wl,
		     const struct sim_trace *trace);

/* sim_setup.on_done: records request r, completed at now_ns. */
void sim_perreq_done(void *ctx, const struct sim_req *r, uint64_t now_ns);

/* sim_setup.on_dropped: arrival id was dropped at --max-in-system; it gets
 * no row, and the rows after it need not wait for it. */
void sim_perreq_dropped(void *ctx, uint64_t id);

/* Writes what is left and frees the ring.  Returns 0, or -ENOMEM with err
 * set when a request could not be held (the file then lacks rows). */
int sim_perreq_finish(struct sim_perreq *p, struct psp_err *err);

#endif
