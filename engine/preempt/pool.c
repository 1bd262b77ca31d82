/* The task pool: every stack mapped by one mmap at init, a guard page below
 * each, descriptors on a LIFO free list.  get/put never allocate. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <psp/preempt.h>

#include "asan.h"

int psp_task_pool_init(struct psp_task_pool *pool,
		       const struct psp_task_pool_conf *conf)
{
	memset(pool, 0, sizeof(*pool));
	if (conf->ntasks == 0 || conf->ntasks > PSP_TASK_POOL_MAX ||
	    conf->stack_bytes < PSP_TASK_STACK_MIN_BYTES ||
	    conf->stack_bytes > PSP_TASK_STACK_MAX_BYTES)
		return -EINVAL;

	long page = sysconf(_SC_PAGESIZE);
	size_t pg = page > 0 ? (size_t)page : 4096u;
	size_t stack = (conf->stack_bytes + pg - 1) / pg * pg;
	size_t slot = pg + stack; /* guard, then stack */
	size_t bytes = slot * conf->ntasks;

	/* MAP_NORESERVE: thousands of stacks cost address space, and memory
	 * only for the pages requests actually touch. */
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	void *map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (map == MAP_FAILED)
		return -ENOMEM;
	struct psp_task *tasks = calloc(conf->ntasks, sizeof(*tasks));
	if (!tasks) {
		munmap(map, bytes);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < conf->ntasks; i++) {
		char *guard = (char *)map + (size_t)i * slot;
		if (mprotect(guard, pg, PROT_NONE) != 0) {
			free(tasks);
			munmap(map, bytes);
			return -ENOMEM;
		}
		struct psp_task *t = &tasks[i];
		t->stack_lo = guard + pg;
		t->stack_bytes = stack;
		t->pool = pool;
		t->state = PSP_TASK_FREE;
		if (conf->prefault)
			memset(t->stack_lo, 0, stack);
	}
	/* Task 0 on top: the lowest stacks are handed out first. */
	for (uint32_t i = conf->ntasks; i-- > 0;) {
		tasks[i].next_free = pool->free;
		pool->free = &tasks[i];
	}
	pool->tasks = tasks;
	pool->ntasks = pool->nfree = conf->ntasks;
	pool->stack_bytes = stack;
	pool->guard_bytes = pg;
	pool->map = map;
	pool->map_bytes = bytes;
	return 0;
}

void psp_task_pool_fini(struct psp_task_pool *pool)
{
	if (pool->map)
		munmap(pool->map, pool->map_bytes);
	free(pool->tasks);
	memset(pool, 0, sizeof(*pool));
}

int psp_task_get(struct psp_task_pool *pool, struct psp_task **out)
{
	struct psp_task *t = pool->free;
	if (!t) {
		pool->exhausted++;
		*out = NULL;
		return -ENOBUFS;
	}
	pool->free = t->next_free;
	pool->nfree--;
	t->next_free = NULL;
	t->state = PSP_TASK_READY;
	t->preemptions = 0;
	t->exec = NULL;
	t->sp = NULL;
	*out = t;
	return 0;
}

int psp_task_put(struct psp_task_pool *pool, struct psp_task *t)
{
	if (t->pool != pool)
		return -EINVAL;
	switch (t->state) {
	case PSP_TASK_READY:
	case PSP_TASK_DONE:
		break;
	case PSP_TASK_PREEMPTED:
		/* Abandoned mid-run: its frames' redzones stay poisoned. */
		asan_unpoison(t->stack_lo, t->stack_bytes);
		break;
	default: /* FREE (double put) or RUNNING */
		return -EINVAL;
	}
	t->state = PSP_TASK_FREE;
	t->next_free = pool->free;
	pool->free = t;
	pool->nfree++;
	return 0;
}
