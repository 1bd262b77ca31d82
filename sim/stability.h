/* The overload verdict: is a queue growing, judged from the trajectory of
 * the number of requests in the system over the measured window (not from
 * the backlog left when arrivals stop, which depends on the run length).
 *
 * The measured window is cut into SIM_STAB_SEGMENTS segments (equal numbers
 * of arrivals, or equal times for phased workloads).  For each type, and for
 * all requests together, the time-average number in the system is kept per
 * segment.  A queue grows when, over a window long against the system's
 * relaxation time, the line fitted through its segment means rises by more
 * than the noise around it and by more than a small share of its arrivals,
 * and still rises over the second half: see the constants in stability.c. */
#ifndef PSP_SIM_STABILITY_H
#define PSP_SIM_STABILITY_H

#include <stdbool.h>
#include <stdint.h>

#include <psp/req.h>

#define SIM_STAB_SEGMENTS 16u
#define SIM_STAB_SLOTS (PSP_MAX_TYPES + 1u) /* types, then all of them */

struct sim_stability {
	uint32_t ntypes;  /* slot ntypes holds all requests */
	int32_t seg;      /* segment in progress; -1 before the window */
	bool closed;      /* the window ended */
	uint64_t seg_start_ns[SIM_STAB_SEGMENTS + 1];
	int64_t in_system[SIM_STAB_SLOTS];
	uint64_t last_ns[SIM_STAB_SLOTS];
	double area[SIM_STAB_SEGMENTS][SIM_STAB_SLOTS];     /* requests x ns */
	uint64_t arrivals[SIM_STAB_SEGMENTS][SIM_STAB_SLOTS];
};

void sim_stab_init(struct sim_stability *st, uint32_t ntypes);

/* A request of type t entered (delta +1) or left (delta -1) the system at
 * now_ns.  Called twice per request: inline, and one slot only (all
 * requests' slot is the sum of the types', added up at the verdict). */
static inline void sim_stab_change(struct sim_stability *st, uint32_t t, int delta,
				   uint64_t now_ns)
{
	if (t >= st->ntypes)
		return; /* unknown types are not judged */
	if (st->seg >= 0 && !st->closed) {
		/* through int64_t: one instruction, where uint64_t takes several
		 * (the interval is far below 2^63) */
		st->area[st->seg][t] += (double)st->in_system[t] *
					(double)(int64_t)(now_ns - st->last_ns[t]);
		st->last_ns[t] = now_ns;
		if (delta > 0)
			st->arrivals[st->seg][t]++;
	}
	st->in_system[t] += delta;
}

/* Starts segment seg at now_ns (ends the previous one). */
void sim_stab_segment(struct sim_stability *st, uint32_t seg, uint64_t now_ns);

/* Ends the window at now_ns. */
void sim_stab_close(struct sim_stability *st, uint64_t now_ns);

/* The verdict for each slot. */
struct sim_stab_verdict {
	uint32_t growing;                 /* bit t: slot t's queue grows (bit ntypes: all) */
	uint32_t judged;                  /* bit t: enough data to judge slot t */
	/* bit t: slot t's queue rose as a growing one does, judged or not: in
	 * a window too short to judge, a queue still filling towards a steady
	 * state looks the same, so this names a suspect, not a verdict. */
	uint32_t seen_growing;
	double growth_per_s[SIM_STAB_SLOTS]; /* fitted rate of change of the number in system */
};

/* Judges each slot that saw enough arrivals, when the window was long
 * enough for a system at this load whose longest type takes longest_mean_ns
 * on average (see stability.c); the others are not judged (a run that short
 * cannot tell), but their rise is still fitted (growth_per_s, seen_growing).
 * A window that never closed judges nothing. */
void sim_stab_verdict(const struct sim_stability *st, double longest_mean_ns, double load,
		      struct sim_stab_verdict *v);

#endif
