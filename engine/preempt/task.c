/* Running tasks on a worker's executor: start, resume, yield, finish.
 *
 * Contexts: the worker thread's own stack is the "scheduler" context
 * (e->sched_sp while a task runs); each task has its own.  Every switch goes
 * scheduler -> task (run_slice) or task -> scheduler (psp_preempt_yield, or
 * task_entry when fn returns); tasks never switch to each other, so the
 * policy, not the library, decides what runs next.
 *
 * Migration: code that runs on a task's stack never uses thread-local state
 * it read before a switch.  After a switch it goes through t->exec, which the
 * thread that resumed it set (run_slice).  The scheduler side never migrates
 * and may use thread-locals freely.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <psp/ctx.h>
#include <psp/preempt.h>

#include "asan.h"

/* Read by psp_preempt_point outside tasks: never set. */
static struct psp_preempt_flag idle_flag;

_Thread_local struct psp_preempt_flag *psp_preempt_tls_flag = &idle_flag;
static _Thread_local struct psp_exec *tls_exec;

void psp_exec_init(struct psp_exec *e)
{
	memset(e, 0, sizeof(*e));
	atomic_store_explicit(&e->flag.requested, 0u, memory_order_relaxed);
}

__attribute__((noinline)) struct psp_exec *psp_exec_current(void)
{
	return tls_exec;
}

/* The first code on a task's stack (via psp_ctx_trampoline).  Never returns:
 * its last switch abandons this stack, which psp_task_put recycles. */
static void task_entry(void *arg, void *val)
{
	(void)val;
	struct psp_task *t = arg;
	asan_finish_switch(NULL, &t->exec->asan_stack_bottom, &t->exec->asan_stack_size);

	t->fn(t->arg);

	/* Possibly on another thread than the one that started us: t->exec is
	 * the executor that resumed us last. */
	struct psp_exec *e = t->exec;
	t->state = PSP_TASK_DONE;
	void *dead_sp;
	asan_start_switch(NULL, e->asan_stack_bottom, e->asan_stack_size);
	psp_ctx_switch(&dead_sp, e->sched_sp, NULL);
	abort(); /* nobody switches to a finished task */
}

/* One slice of t on e, from the worker's own stack. */
static int run_slice(struct psp_exec *e, struct psp_task *t)
{
	/* A new slice: a request left over from the previous one is void.  A
	 * worker-timed slice marks the flag so that its points look further. */
	atomic_store_explicit(&e->flag.requested, e->flag.timed ? PSP_PREEMPT_TIMED : 0u,
			      memory_order_relaxed);
	/* The hook's lead point (once per slice), or straight the deadline. */
	struct psp_preempt_flag *f = &e->flag;
	f->check_tsc = f->deadline_tsc;
	if (f->prepare_lead)
		f->check_tsc = f->deadline_tsc > f->prepare_lead ? f->deadline_tsc - f->prepare_lead
								 : 0;
	t->exec = e;
	t->state = PSP_TASK_RUNNING;
	e->cur = t;
	e->slices++;
	psp_preempt_tls_flag = &e->flag;
	tls_exec = e;

	asan_start_switch(&e->asan_fake_stack, t->stack_lo, t->stack_bytes);
	psp_ctx_switch(&e->sched_sp, t->sp, NULL);
	asan_finish_switch(e->asan_fake_stack, NULL, NULL);

	psp_preempt_tls_flag = &idle_flag;
	tls_exec = NULL;
	e->cur = NULL;
	t->exec = NULL;
	if (t->state == PSP_TASK_DONE)
		return PSP_TASK_FINISHED;
	e->preemptions++;
	return PSP_TASK_YIELDED;
}

int psp_task_start(struct psp_exec *e, struct psp_task *t, psp_task_fn fn,
		   void *arg)
{
	if (e->cur)
		return -EBUSY;
	if (t->state != PSP_TASK_READY || fn == NULL)
		return -EINVAL;
	/* Frames of the stack's previous task that never returned (its entry
	 * frame at least) left redzones poisoned. */
	asan_unpoison(t->stack_lo, t->stack_bytes);
	t->fn = fn;
	t->arg = arg;
	t->preemptions = 0;
	t->sp = psp_ctx_make(t->stack_lo, t->stack_bytes, task_entry, t);
	return run_slice(e, t);
}

int psp_task_resume(struct psp_exec *e, struct psp_task *t)
{
	if (e->cur)
		return -EBUSY;
	if (t->state != PSP_TASK_PREEMPTED)
		return -EINVAL;
	return run_slice(e, t);
}

bool psp_preempt_due_slow(struct psp_preempt_flag *f, uint32_t req)
{
	if (req == PSP_PREEMPT_ANY || (req != PSP_PREEMPT_TIMED && req == f->token))
		return true;
	/* Another slice's token: it ended before the flag landed.  Void it,
	 * unless the dispatcher stored a newer one meanwhile. */
	if (req != PSP_PREEMPT_TIMED)
		atomic_compare_exchange_strong_explicit(&f->requested, &req,
							f->timed ? PSP_PREEMPT_TIMED : 0u,
							memory_order_relaxed,
							memory_order_relaxed);
	if (!f->timed)
		return false;
	uint64_t now = __builtin_ia32_rdtsc();
	if (now < f->check_tsc)
		return false;
	if (f->check_tsc != f->deadline_tsc) {
		/* The lead point (run_slice put it below the deadline): the
		 * hook, once, then the deadline alone. */
		f->check_tsc = f->deadline_tsc;
		f->prepare(f->prepare_ctx);
		if (now < f->deadline_tsc)
			return false;
	}
	return !f->waiting || atomic_load_explicit(f->waiting, memory_order_relaxed);
}

/* Not inlined (see preempt.h): the caller's next read of thread-local state
 * must follow this call, and nothing here is reused after the switch but t. */
__attribute__((noinline)) void psp_preempt_yield(void)
{
	struct psp_exec *e = tls_exec;
	if (!e)
		return;
	struct psp_task *t = e->cur;
	t->state = PSP_TASK_PREEMPTED;
	t->preemptions++;
	asan_start_switch(&t->asan_fake_stack, e->asan_stack_bottom, e->asan_stack_size);
	psp_ctx_switch(&t->sp, e->sched_sp, NULL);
	/* Resumed, maybe by another thread: t->exec is the new executor. */
	asan_finish_switch(t->asan_fake_stack, &t->exec->asan_stack_bottom,
			   &t->exec->asan_stack_size);
}
