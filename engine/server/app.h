/* The application behind the engine: one handler per request type, so a real
 * service (a key-value store: GET, SCAN) can replace the bundled spin
 * application without touching the dispatcher or the workers.
 *
 * Handlers run on worker lcores, one request at a time per worker, and must
 * not block.  They may read the request's payload; the reply is built by the
 * worker afterwards (it echoes the request's header fields).
 */
#ifndef PSP_ENGINE_APP_H
#define PSP_ENGINE_APP_H

#include <stdint.h>

#include <psp/err.h>
#include <psp/req.h>

#include "../common/tsc.h"
#include "../common/wire.h"

struct eng_config;

struct app_call {
	uint32_t type;                  /* type index, or PSP_TYPE_UNKNOWN */
	const struct psp_wire_req *req; /* host order */
	uint64_t start_tsc;             /* when the worker started the request */
};

typedef void (*app_handler_fn)(void *state, const struct app_call *call);

struct app {
	const char *name;
	void *state;
	app_handler_fn handler[PSP_MAX_TYPES]; /* by type index; all set */
	app_handler_fn unknown;                /* PSP_TYPE_UNKNOWN; set */
};

/* The bundled application: every type spins until start + run_ns on the TSC
 * (run_ns from the request, clamped to app.max_run_us so a stray request
 * cannot hold a worker for seconds).  Allocates its state; app_spin_fini
 * frees it.  Returns 0 or -ENOMEM. */
int app_spin_init(struct app *app, const struct eng_config *cfg,
		  const struct tsc_clock *clk);
void app_spin_fini(struct app *app);
/* Requests whose run_ns was clamped, summed over workers. */
uint64_t app_spin_clamped(const struct app *app);

/* Dispatches call to its type's handler. */
static inline void app_handle(const struct app *app, const struct app_call *call)
{
	app_handler_fn fn = call->type == PSP_TYPE_UNKNOWN ? app->unknown
							   : app->handler[call->type];
	fn(app->state, call);
}

#endif
