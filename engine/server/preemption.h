/* The engine's one preemption seam.
 *
 * Built with psp_preempt (engine/preempt, x86-64), this is the library's
 * interface.  Built without it (-DPSP_PREEMPT=OFF, other architectures),
 * these are stand-ins with the same names, so the engine's code is the same
 * in both builds and both compile: no #ifdef elsewhere.  The stand-ins can
 * never run a task: the configuration refuses every preemptive policy when
 * ENG_PREEMPT_BUILT is false (eng_config's policy check), so no request is
 * given a slice, psp_task_get is never asked, and a policy's tick names no
 * worker.  They answer as the library would when it has nothing to give
 * (-ENOTSUP, no flag pending), never silently "succeed". */
#ifndef PSP_ENGINE_PREEMPTION_H
#define PSP_ENGINE_PREEMPTION_H

#ifdef PSP_HAVE_PREEMPT
#include <psp/preempt.h>

#define ENG_PREEMPT_BUILT true

#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ENG_PREEMPT_BUILT false

#define PSP_TASK_POOL_MAX 65536u
#define PSP_PREEMPT_TOKEN_MIN 2u
#define PSP_PREEMPT_TOKEN_MAX 0xfffffffeu
#define PSP_EXEC_PREPARE_LEAD_NS 1000u

enum psp_task_state { PSP_TASK_FREE = 0, PSP_TASK_READY };
enum psp_task_result { PSP_TASK_FINISHED = 0, PSP_TASK_YIELDED = 1 };
typedef void (*psp_task_fn)(void *arg);

struct psp_preempt_flag {
	uint32_t requested;
};
struct psp_task {
	uint32_t state;
};
struct psp_task_pool {
	uint32_t ntasks;
};
struct psp_task_pool_conf {
	uint32_t ntasks;
	size_t stack_bytes;
	bool prefault;
};
struct psp_exec {
	struct psp_preempt_flag flag;
	uint64_t slices, preemptions;
};

static inline int psp_task_pool_init(struct psp_task_pool *pool,
				     const struct psp_task_pool_conf *conf)
{
	(void)pool, (void)conf;
	return -ENOTSUP;
}

static inline void psp_task_pool_fini(struct psp_task_pool *pool)
{
	(void)pool;
}

static inline int psp_task_get(struct psp_task_pool *pool, struct psp_task **out)
{
	(void)pool;
	*out = NULL;
	return -ENOTSUP;
}

static inline int psp_task_put(struct psp_task_pool *pool, struct psp_task *t)
{
	(void)pool, (void)t;
	return -ENOTSUP;
}

static inline void psp_exec_init(struct psp_exec *e)
{
	memset(e, 0, sizeof(*e));
}

static inline void psp_exec_prepare(struct psp_exec *e, uint64_t lead_cycles,
				    void (*prepare)(void *ctx), void *ctx)
{
	(void)e, (void)lead_cycles, (void)prepare, (void)ctx;
}

static inline void psp_exec_slice_waiting(struct psp_exec *e, uint32_t token,
					  uint64_t deadline_tsc, const _Atomic uint32_t *waiting)
{
	(void)e, (void)token, (void)deadline_tsc, (void)waiting;
}

static inline int psp_task_start(struct psp_exec *e, struct psp_task *t, psp_task_fn fn,
				 void *arg)
{
	(void)e, (void)t, (void)fn, (void)arg;
	return -ENOTSUP;
}

static inline int psp_task_resume(struct psp_exec *e, struct psp_task *t)
{
	(void)e, (void)t;
	return -ENOTSUP;
}

static inline bool psp_preempt_pending(const struct psp_preempt_flag *f)
{
	(void)f;
	return false;
}

static inline void psp_preempt_request_token(struct psp_preempt_flag *f, uint32_t token)
{
	(void)f, (void)token;
}

/* Nothing is preemptible: a preemption point is nothing. */
static inline void psp_preempt_point(void)
{
}

static inline bool psp_preempt_point_yielded(void)
{
	return false;
}
#endif

#endif
