/* psp-sim's progress report on stderr: what runs, the share of the run
 * done, the time spent and an estimate of the time left.
 *
 * On a terminal one line is redrawn in place (from 2 s on, every 0.1 s)
 * and erased at the end; in a log (--progress with stderr not a terminal)
 * a line is written every 10 s.  The share done is counted in requests
 * simulated (in runs for phased workloads, whose runs' lengths are not
 * known in requests beforehand) against what the whole run is expected to
 * take: the points, plus each policy's capacity search, estimated before
 * it starts (the grid's loads not yet simulated, and the loads a search
 * typically adds) and corrected when it ends.  The time left is the time
 * spent times the share left over the share done. */
#ifndef PSP_SIM_PROGRESS_H
#define PSP_SIM_PROGRESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct sim_progress {
	bool on;            /* report at all */
	bool tty;           /* redraw one line (else: a log line every 10 s) */
	FILE *f;            /* stderr */
	double start_s, last_s;
	bool printed;       /* a line was printed (last_s: when) */
	bool shown;         /* a terminal line is on screen */
	atomic_uint_fast64_t *requests; /* requests completed by every run (run.h) */
	atomic_uint_fast64_t runs;      /* runs (replications) ended */
	uint64_t per_run;   /* requests a run takes; 0: count runs (phased workloads) */
	uint64_t expected;  /* runs the whole psp-sim run is expected to take */
	char what[160];     /* what runs now */
};

/* Starts the clock.  on: report at all; requests: the runs' shared counter;
 * per_run: requests per run (0 for phased workloads). */
void sim_progress_init(struct sim_progress *p, bool on, atomic_uint_fast64_t *requests,
		       uint64_t per_run);

/* Adds runs to those expected (negative: fewer than estimated). */
void sim_progress_expect(struct sim_progress *p, int64_t runs);

/* Says what runs now (printf-style). */
void sim_progress_what(struct sim_progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A run ended (any thread). */
void sim_progress_run_done(struct sim_progress *p);

/* Prints the line when it is due (the thread that watches). */
void sim_progress_tick(struct sim_progress *p);

/* Erases the terminal line (before the results and any warning). */
void sim_progress_clear(struct sim_progress *p);

/* The loads a capacity search typically adds after its grid, to estimate
 * its length: rounds of SIM_SEARCH_WIDTH loads narrowing a 0.05 gap to 0.005
 * (each round cuts it to a third): 3 rounds. */
#define SIM_PROGRESS_SEARCH_EXTRA 6u

#endif
