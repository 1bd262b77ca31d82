/* The bundled spin application; see app.h. */
#include <errno.h>
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

static void spin(void *state, const struct app_call *call)
{
	struct spin_state *s = state;
	uint64_t ns = call->req->run_ns;
	if (ns > s->max_run_ns) {
		ns = s->max_run_ns;
		s->per_lcore[rte_lcore_id()].clamped++;
	}
	uint64_t deadline = call->start_tsc + tsc_ns_to_cycles(&s->clk, ns);
	while (rte_rdtsc() < deadline)
		rte_pause();
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
	for (uint32_t t = 0; t < PSP_MAX_TYPES; t++)
		app->handler[t] = spin;
	/* An unknown type still carries run_ns: serve it like any other (on the
	 * spillway core under DARC) rather than answer it without work. */
	app->unknown = spin;
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
