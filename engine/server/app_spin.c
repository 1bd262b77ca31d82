/* The bundled spin application; see app.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include "app.h"
#include "config.h"

struct spin_state {
	struct tsc_clock clk;
	uint64_t max_run_ns;
	/* Per-lcore clamp counters, each on its own cache line: handlers of
	 * different workers never share a written line. */
	struct {
		uint64_t clamped;
	} __attribute__((aligned(64))) per_lcore[RTE_MAX_LCORE];
};

/* run_ns of the request in TSC cycles, clamped.  Uses rte_lcore_id(): call
 * before the first preemption point (see app.h). */
static uint64_t spin_cycles(struct spin_state *s, const struct app_call *call)
{
	uint64_t ns = call->req->run_ns;
	if (ns > s->max_run_ns) {
		ns = s->max_run_ns;
		s->per_lcore[rte_lcore_id()].clamped++;
	}
	return tsc_ns_to_cycles(&s->clk, ns);
}

/* A preemption point that tells whether it yielded: the spin loop must not
 * count the time it spent queued as work. */
static inline bool preempt_point_yielded(void)
{
	return psp_preempt_point_yielded();
}

/* Spins for the request's run time, counting only the cycles it ran: the
 * work left lives on the request's stack, so after a preemption (and a wait
 * in the policy's queue, maybe a move to another worker) it resumes with
 * exactly what remains. */
static int spin(void *state, const struct app_call *call)
{
	uint64_t left = spin_cycles(state, call);
	uint64_t t = rte_rdtsc();
	while (left > 0) {
		rte_pause();
		uint64_t now = rte_rdtsc();
		uint64_t ran = now - t;
		left = ran >= left ? 0 : left - ran;
		t = preempt_point_yielded() ? rte_rdtsc() : now;
	}
	return 0;
}

/* The handler that never reaches a preemption point (app.preempt_points:
 * false): a deadline loop, as a handler unaware of time sharing would be. */
static int spin_no_points(void *state, const struct app_call *call)
{
	uint64_t deadline = rte_rdtsc() + spin_cycles(state, call);
	while (rte_rdtsc() < deadline)
		rte_pause();
	return 0;
}

int app_spin_init(struct app *app, const struct eng_config *cfg,
		  const struct tsc_clock *clk)
{
	struct spin_state *s = aligned_alloc(64, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (unsigned i = 0; i < RTE_MAX_LCORE; i++)
		s->per_lcore[i].clamped = 0;
	s->clk = *clk;
	s->max_run_ns = cfg->max_run_ns;
	app->name = "spin";
	app->state = s;
	app_handler_fn fn = cfg->preempt_points ? spin : spin_no_points;
	for (uint32_t t = 0; t < PSP_MAX_TYPES; t++)
		app->handler[t] = fn;
	/* An unknown type still carries run_ns: serve it like any other (on the
	 * spillway core under DARC) rather than answer it without work. */
	app->unknown = fn;
	app->fini = app_spin_fini;
	return 0;
}

uint64_t app_spin_clamped(const struct app *app)
{
	const struct spin_state *s = app->state;
	uint64_t n = 0;
	for (unsigned i = 0; i < RTE_MAX_LCORE; i++)
		n += s->per_lcore[i].clamped;
	return n;
}

void app_spin_fini(struct app *app)
{
	free(app->state);
	app->state = NULL;
}
