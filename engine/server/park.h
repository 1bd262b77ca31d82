/* What an idle worker does while its in ring is empty (the idle key):
 *   spin   poll the ring back to back (with idle_backoff's yield, if enabled);
 *   pause  poll with a pause between polls: TPAUSE (WAITPKG, a short timed
 *          C0.1 wait) where the CPU has it, else the PAUSE instruction;
 *   park   spin for park_after_us, then sleep in the kernel on a futex until
 *          the dispatcher assigns it a request.
 *
 * The park word: one per worker, on a cache line of its own, written by the
 * worker when it parks and unparks and by the dispatcher only to wake it.
 * A worker that is not parked leaves the line shared in the dispatcher's
 * cache: the dispatcher's check after a dispatch is a load that hits.
 *
 * The lost wake-up race, and why it cannot happen here.  The worker must not
 * sleep after the dispatcher put a request in its ring and decided not to
 * wake it.  Both sides do a store then a load, each separated by a full
 * barrier (the Dekker pattern):
 *   worker:     state := PARKING (xchg: a full barrier); look at the ring;
 *               if empty, futex_wait(state, PARKING): the kernel sleeps only
 *               if state still reads PARKING, atomically with the check;
 *   dispatcher: enqueue (the ring's tail store); full barrier; load state;
 *               if it reads PARKING, xchg(state, RUNNING) and, if the xchg
 *               returned PARKING, futex_wake.
 * With both barriers, at least one side sees the other's store: either the
 * worker's look at the ring finds the request (it cancels its park: a CAS
 * PARKING -> RUNNING; should the CAS fail, the dispatcher's xchg won and its
 * wake is on the way, harmless to a thread that is not waiting), or the
 * dispatcher reads PARKING and its xchg makes the worker's futex_wait return
 * at once (the value changed) or wakes it.  The xchg means one wake per park
 * however many requests the dispatcher hands over meanwhile.
 *
 * Dispatcher's cost per dispatch loop that assigned something: one fence
 * and a load per assigned worker; a syscall only for a worker that is
 * parked.  Nothing at all when no worker parks (spin, pause).
 */
#ifndef PSP_ENGINE_PARK_H
#define PSP_ENGINE_PARK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum idle_mode {
	IDLE_SPIN,
	IDLE_PAUSE,
	IDLE_PARK,
	IDLE_AUTO, /* config only: park when the polling lcores share CPUs, else spin */
	IDLE_NMODES
};
/* In config.c (the config loader builds without DPDK). */
extern const char *const idle_mode_names[IDLE_NMODES];
/* The mode called name, or -1. */
int idle_mode_by_name(const char *name);

enum park_state { PARK_RUNNING = 0, PARK_PARKING = 1 };

struct park_word {
	_Alignas(64) _Atomic uint32_t state;
	/* The TSC when the dispatcher decided to wake the worker (written
	 * before its xchg, read by the worker once awake): the wake-up
	 * latency's start. */
	_Atomic uint64_t wake_tsc;
	/* Whether DARC's plan holds the worker for a shorter group, idle on
	 * purpose while longer requests may wait (the dispatcher writes it
	 * when a plan changes it; the worker's idle mode is then
	 * reserved_idle). */
	_Atomic uint8_t reserved;
};

/* How the CPU pauses between polls in mode pause, detected once at start:
 * "tpause" (WAITPKG) or "pause". */
enum pause_kind { PAUSE_INSN, PAUSE_TPAUSE };
enum pause_kind pause_detect(void);
/* TPAUSE's wait in mode pause: about 0.5 us at 2-4 GHz, short enough that a
 * request handed over meanwhile waits no longer than a poll would. */
#define PARK_TPAUSE_CYCLES 1500u
const char *pause_kind_name(enum pause_kind k);
/* One pause of about wait_cycles (TPAUSE's deadline; PAUSE is one
 * instruction, tens of cycles, whatever wait_cycles). */
void pause_once(enum pause_kind k, uint64_t wait_cycles);

/* Worker side.  Announces PARKING, then calls has_work(arg): true cancels
 * the park.  Otherwise sleeps until woken (or a spurious futex return while
 * still PARKING: sleeps again).  Returns true when the worker slept (a park
 * that some waker ended: the dispatcher or the stop), false when cancelled. */
bool park_wait(struct park_word *p, bool (*has_work)(void *), void *arg);

/* Waker side: after publishing work (or the stop flag), a full barrier must
 * separate the publication from this call (park_fence, once for several
 * words).  Wakes the worker if it was parked; returns true when this call
 * woke it (it read PARKING and won the xchg). */
static inline void park_fence(void)
{
	atomic_thread_fence(memory_order_seq_cst);
}
bool park_wake_slow(struct park_word *p, uint64_t tsc);
static inline bool park_wake(struct park_word *p, uint64_t tsc)
{
	if (__builtin_expect(atomic_load_explicit(&p->state, memory_order_relaxed) == PARK_RUNNING, 1))
		return false;
	return park_wake_slow(p, tsc);
}

#endif
