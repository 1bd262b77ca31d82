/* Idle back-off for polling loops.  With more busy-polling lcores than CPUs
 * (engine and client sharing a 2-core machine) spinning threads starve the
 * ones with work and latency turns into scheduler quanta; after `polls`
 * consecutive empty polls a loop yields (sleep_us == 0) or sleeps.  Off on
 * hardware, where each lcore owns a core and a sleep only adds latency.
 */
#ifndef PSP_ENGINE_IDLE_H
#define PSP_ENGINE_IDLE_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

struct idle_conf {
	bool enabled;
	uint32_t polls;    /* empty polls before backing off */
	uint32_t sleep_us; /* 0: sched_yield() */
};

struct idle_state {
	uint32_t empty;
	uint64_t backoffs; /* how many times the loop backed off */
};

/* Called once per loop iteration; did_work resets the run of empty polls. */
static inline void idle_note(struct idle_state *s, const struct idle_conf *c, bool did_work)
{
	if (did_work || !c->enabled) {
		s->empty = 0;
		return;
	}
	if (++s->empty < c->polls)
		return;
	s->empty = 0;
	s->backoffs++;
	if (c->sleep_us == 0)
		sched_yield();
	else
		usleep(c->sleep_us);
}

#endif
