/* The application behind the engine: one handler per request type, so a real
 * service (a key-value store: GET, SCAN) can replace the bundled spin
 * application without touching the dispatcher or the workers.
 *
 * Handlers run on worker lcores, one request at a time per worker, and must
 * not block.  They may read the request's payload; the reply is built by the
 * worker afterwards (it echoes the request's first 12 payload bytes and puts
 * the measured service time in the 4th word).  A handler returns 0, or a
 * negative errno when it could not serve the request (a read error): the
 * reply's run_ns word is then 0, the failure is counted (app_failed) and
 * psp-engine exits with status 3.
 *
 * Time sharing (policy ts): each request runs on its own stack and can be
 * preempted only where its handler calls psp_preempt_point() (<psp/preempt.h>,
 * included below; a no-op in a build without psp_preempt).  Call it in
 * loops and between steps, every microsecond or so: it costs a load and a
 * predicted branch.  A handler that never calls it still works; it just runs
 * to completion.  When the quantum has passed the point yields, the request
 * goes back to the policy's queue and resumes later, possibly on another
 * worker lcore.  Hence the thread-local rule: after a preemption point, do
 * not use thread-local state read before it (rte_lcore_id(), per-lcore
 * variables, errno): it may belong to the previous worker.  Read it before
 * the first point, or again (through a non-inlined call) after each one.  The
 * call struct and the request stay valid across preemption points.
 */
#ifndef PSP_ENGINE_APP_H
#define PSP_ENGINE_APP_H

#include <stdint.h>
#include <stdio.h>

#include <psp/err.h>
#include <psp/req.h>

#include "../common/tsc.h"
#include "../common/wire.h"

#include "preemption.h"

struct eng_config;

struct app_call {
	uint32_t type;                  /* type index, or PSP_TYPE_UNKNOWN */
	const struct psp_wire_req *req; /* host order */
	uint64_t start_tsc;             /* when a worker first started the request */
};

typedef int (*app_handler_fn)(void *state, const struct app_call *call);

struct app {
	const char *name;
	void *state;
	app_handler_fn handler[PSP_MAX_TYPES]; /* by type index; all set */
	app_handler_fn unknown;                /* PSP_TYPE_UNKNOWN; set */
	void (*fini)(struct app *app);         /* releases state */
	/* At stop, after the workers: prints what the application has to say
	 * (why requests failed); NULL when it has nothing. */
	void (*report)(const struct app *app, FILE *out);
};

/* The bundled application: every type spins for run_ns of TSC time (run_ns
 * from the request, clamped to app.max_run_us so a stray request cannot hold
 * a worker for seconds).  With app.preempt_points (the default) the spin loop
 * is a preemption point and counts only the time it actually ran, so a
 * preempted request resumes with its remaining work; without, it spins to
 * its deadline and is never preempted (the handler that never reaches a
 * preemption point).  Allocates its state; app_spin_fini frees it.  Returns
 * 0 or -ENOMEM. */
int app_spin_init(struct app *app, const struct eng_config *cfg,
		  const struct tsc_clock *clk);
void app_spin_fini(struct app *app);
/* Requests whose run_ns was clamped, summed over workers. */
uint64_t app_spin_clamped(const struct app *app);

#ifdef PSP_HAVE_ROCKSDB
/* The RocksDB application (app: rocksdb; app_rocksdb.c): opens, or creates
 * and fills, the database at app.rocksdb.path and serves each type's
 * operation (get, or scan N keys with a preemption point per key).  Prints
 * how long the start took.  Returns 0 or a negative errno with err. */
int app_rocksdb_init(struct app *app, const struct eng_config *cfg, struct psp_err *err);
void app_rocksdb_fini(struct app *app);
#endif

/* Dispatches call to its type's handler: 0, or a negative errno when the
 * application failed the request. */
static inline int app_handle(const struct app *app, const struct app_call *call)
{
	app_handler_fn fn = call->type == PSP_TYPE_UNKNOWN ? app->unknown
							   : app->handler[call->type];
	return fn(app->state, call);
}

#endif
