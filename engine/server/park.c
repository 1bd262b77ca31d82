/* Worker idle modes: parking on a futex and pausing between polls; see park.h. */
#define ALLOW_EXPERIMENTAL_API /* rte_power_pause: DPDK 22.11 marks it experimental */
#include <errno.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_cpuflags.h>
#include <rte_cycles.h>
#include <rte_pause.h>
#include <rte_power_intrinsics.h>

#include "park.h"

enum pause_kind pause_detect(void)
{
	struct rte_cpu_intrinsics i;
	memset(&i, 0, sizeof(i));
	rte_cpu_get_intrinsics_support(&i); /* CPUID: WAITPKG gives power_pause */
	return i.power_pause ? PAUSE_TPAUSE : PAUSE_INSN;
}

const char *pause_kind_name(enum pause_kind k)
{
	return k == PAUSE_TPAUSE ? "tpause (WAITPKG)" : "pause instruction (no WAITPKG)";
}

void pause_once(enum pause_kind k, uint64_t wait_cycles)
{
	if (k == PAUSE_TPAUSE)
		rte_power_pause(rte_rdtsc() + wait_cycles);
	else
		rte_pause();
}

/* FUTEX_PRIVATE: the word is in this process only. */
static long futex(_Atomic uint32_t *addr, int op, uint32_t val)
{
	return syscall(SYS_futex, (uint32_t *)addr, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

bool park_wait(struct park_word *p, bool (*has_work)(void *), void *arg)
{
	/* seq_cst exchange: a full barrier between this store and the ring's
	 * loads in has_work (park.h). */
	atomic_exchange_explicit(&p->state, PARK_PARKING, memory_order_seq_cst);
	/* The exchange is a full barrier on x86; the fence makes the order
	 * of the store before has_work's plain loads C11's, not the ISA's. */
	atomic_thread_fence(memory_order_seq_cst);
	if (has_work(arg)) {
		uint32_t expect = PARK_PARKING;
		if (atomic_compare_exchange_strong_explicit(&p->state, &expect, PARK_RUNNING,
							    memory_order_seq_cst,
							    memory_order_acquire))
			return false; /* cancelled: nobody saw PARKING, or will not wake */
		return true; /* a waker saw PARKING and took it: counted as its wake */
	}
	while (atomic_load_explicit(&p->state, memory_order_acquire) == PARK_PARKING) {
		/* Sleeps only if state still holds PARKING (checked by the
		 * kernel atomically with queueing this thread); returns at
		 * once (EAGAIN) if a waker got there first; EINTR: a signal. */
		long rc = futex(&p->state, FUTEX_WAIT, PARK_PARKING);
		(void)rc;
	}
	return true;
}

bool park_wake_slow(struct park_word *p, uint64_t tsc)
{
	atomic_store_explicit(&p->wake_tsc, tsc, memory_order_relaxed);
	if (atomic_exchange_explicit(&p->state, PARK_RUNNING, memory_order_seq_cst) != PARK_PARKING)
		return false; /* another waker (the stop, or the worker itself) won */
	futex(&p->state, FUTEX_WAKE, 1);
	return true;
}
