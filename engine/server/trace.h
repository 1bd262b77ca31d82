/* psp-engine --trace FILE: one record per accepted request, written as the
 * psp trace CSV (docs/trace-format.md) while the engine runs, which psp-sim
 * --trace replays.
 *
 * Records live in an array indexed by the request's arrival sequence number
 * (its trace id), allocated and touched once at start for --trace-limit
 * requests: the dispatcher fills a record when the request's fate is known
 * (answered, reply failed, dropped because the system was full, abandoned
 * at stop) and marks it ready (a release store), so recording is a bounds
 * check and a few stores, no allocation, no I/O, no page fault.  A control
 * thread (never an lcore) writes the rows in id order as far as they are
 * ready, every ENG_TRACE_FLUSH_MS, and the rest at stop: a crash loses only
 * the rows of requests still in flight (and those after them) and the last
 * interval's.  The first --trace-limit arrivals are recorded; later ones are
 * only counted.  Every accepted request reaches exactly one fate, so the
 * file holds every arrival up to the limit: a complete prefix of the
 * traffic, which is what a replay needs.
 *
 * The file is created (truncated) only once the engine has started: a
 * refused start leaves an existing file as it was.
 */
#ifndef PSP_ENGINE_TRACE_H
#define PSP_ENGINE_TRACE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "outfile.h"

#include <psp/trace_status.h>

/* Default and largest --trace-limit: 1 M records is 64 MB; the cap keeps a
 * typo from asking for more memory than a server has (6.4 GB). */
#define ENG_TRACE_LIMIT_DEFAULT 1000000u
#define ENG_TRACE_LIMIT_MAX 100000000u

/* One request; times as TSC values (converted when written). 0 = did not
 * happen (not dispatched, never started, no reply); a record not ready
 * was never written (in flight, or a bug at stop: every request has a fate). */
struct eng_trace_rec {
	uint64_t arrive_tsc;
	uint64_t dispatch_ns;  /* first hand-off to a worker, the dispatcher's clock */
	uint64_t start_tsc;    /* first stint's start on a worker */
	uint64_t end_tsc;      /* last stint's end */
	uint64_t reply_tsc;    /* reply handed to the NIC */
	uint64_t ran_cycles;   /* measured service: the handler's run time, all stints */
	uint32_t preemptions;
	uint16_t slot;         /* type slot (eng_type_slot) */
	uint8_t worker;        /* the worker of the last stint */
	uint8_t status;        /* enum psp_trace_status */
	uint8_t dispatched;    /* dispatch_ns is set (it may be 0 at the first loop) */
	uint8_t ready;         /* written last (release): the writer may read it */
	uint8_t pad[6];
};
_Static_assert(sizeof(struct eng_trace_rec) == 64, "a trace record is one cache line");

/* How often the writer thread writes the rows that are ready. */
#define ENG_TRACE_FLUSH_MS 100u

struct eng_trace {
	struct eng_trace_rec *rec; /* limit records, or NULL: not tracing */
	uint64_t limit;
	const char *path;
	struct eng_outfile out;    /* opened by eng_trace_start */
	uint64_t next;             /* the first record not yet written */
	uint64_t unset;            /* records skipped at stop without a fate (a bug) */
	bool running;              /* the writer thread */
	_Atomic bool stop;
	pthread_t thread;
};

#endif
