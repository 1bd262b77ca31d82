/* What the engine reports while it runs, gathered once for its two readers:
 * DPDK telemetry (/psp/types, /psp/workers) and the --stats JSON-lines file.
 * Read without stopping the workers: a snapshot may miss the last few
 * records of a histogram or counter, never tear a value.
 */
#ifndef PSP_ENGINE_SNAPSHOT_H
#define PSP_ENGINE_SNAPSHOT_H

#include <stdint.h>

#include <psp/hist.h>

struct engine;
struct eng_counter;

struct eng_quantiles {
	uint64_t p50_ns, p99_ns, p999_ns, count;
};

struct eng_type_snap {
	const char *name;
	uint64_t received, answered, dropped, preempted;
	struct eng_quantiles latency;  /* RX to reply TX, since start */
	struct eng_quantiles interval; /* the same, over the requests answered since the
					* reader's previous snapshot */
	struct eng_quantiles service;  /* measured service time, since start */
};

struct eng_worker_snap {
	uint32_t lcore;
	uint64_t handled, answered, preempted, busy_ns, busy_permille;
	/* the lcore's time (struct lcore_acct) and its parks */
	uint64_t work_ns, spin_ns, parked_ns, wall_ns, parks, wakes, wake_p50_ns, wake_p99_ns;
};

/* One reader's state: the histograms at its previous snapshot (for the
 * interval figures) and scratch space; about 0.8 MB. */
struct eng_snap_reader {
	struct psp_hist *prev;     /* per type slot */
	struct psp_hist *now, *interval;
};

int eng_snap_reader_init(struct eng_snap_reader *rd);
void eng_snap_reader_fini(struct eng_snap_reader *rd);

/* Fills out[] (room for ENG_TYPE_SLOTS) with every reported type; returns
 * how many.  Moves the reader's interval forward. */
uint32_t eng_snap_types(const struct engine *e, struct eng_snap_reader *rd,
			struct eng_type_snap *out);

/* Worker i's figures. */
void eng_snap_worker(const struct engine *e, uint32_t i, struct eng_worker_snap *out);

/* A type's and a worker's figures as name/value pairs (as eng_counters
 * gives the counters), under the names both readers print: out has room
 * for ENG_SNAP_TYPE_PAIRS or ENG_SNAP_WORKER_PAIRS. */
#define ENG_SNAP_TYPE_PAIRS 16u
#define ENG_SNAP_WORKER_PAIRS 14u
void eng_snap_type_pairs(const struct eng_type_snap *t, struct eng_counter *out);
void eng_snap_worker_pairs(const struct eng_worker_snap *w, struct eng_counter *out);

#endif
