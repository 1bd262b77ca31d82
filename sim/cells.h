/* The measured window in parts ("cells"), so that where it starts can be
 * chosen after the run (warm-up detection, mser.h) and what follows cut into
 * batches (batch means, --batches).
 *
 * The candidate window, from its first arrival to the end of the run, is cut
 * into n cells of equal numbers of arrivals (phased workloads: of equal
 * time); each cell keeps its requests' per-type histograms and counts.  The
 * window finally measured is a suffix of cells: a detected warm-up is rounded
 * up to a cell boundary (1/SIM_CELLS_DETECT of the window at most). */
#ifndef PSP_SIM_CELLS_H
#define PSP_SIM_CELLS_H

#include <stdbool.h>
#include <stdint.h>

#include <psp/hist.h>

/* Cells of a run that detects its warm-up, and of one that also cuts
 * batches (a detected warm-up keeps at least half of them, so up to
 * SIM_CELLS_BATCHES / 2 batches). */
#define SIM_CELLS_DETECT 32u
#define SIM_CELLS_BATCHES 64u
#define SIM_MAX_BATCHES (SIM_CELLS_BATCHES / 2u)

struct sim_cell {
	struct psp_hist *lat, *slow;  /* by type (ntypes) */
	uint64_t first_id;            /* its first arrival (UINT64_MAX: none yet) */
	uint64_t first_ns;            /* that arrival's time */
	uint64_t arrivals;
	uint64_t measured, measured_service_ns;
	uint64_t done_by_last_arrival; /* of measured: completed before the run's last arrival */
};

struct sim_cells {
	uint32_t n, ntypes;
	bool by_time;                 /* phased: cells of equal time */
	uint64_t first_id, per;       /* by arrivals: cell i holds ids first_id + i x per .. */
	double from_ns, cell_ns;      /* by time: cell i holds arrivals from from_ns + i x cell_ns */
	struct sim_cell *cell;
};

/* Allocates n cells of ntypes histograms each.  Returns 0 or -ENOMEM. */
int sim_cells_init(struct sim_cells *c, uint32_t n, uint32_t ntypes);
void sim_cells_free(struct sim_cells *c);

/* The cell (1-based, as the request carries it; 0: before the window) of an
 * arrival numbered id at time now_ns, counting it in. */
static inline uint32_t sim_cells_arrive(struct sim_cells *c, uint64_t id, uint64_t now_ns)
{
	uint64_t i;
	if (c->by_time) {
		if ((double)now_ns < c->from_ns)
			return 0;
		i = (uint64_t)(((double)now_ns - c->from_ns) / c->cell_ns);
	} else {
		if (id < c->first_id)
			return 0;
		i = (id - c->first_id) / c->per;
	}
	if (i >= c->n)
		i = c->n - 1;
	struct sim_cell *x = &c->cell[i];
	if (x->first_id == UINT64_MAX) {
		x->first_id = id;
		x->first_ns = now_ns;
	}
	x->arrivals++;
	return (uint32_t)i + 1;
}

/* The run's last arrival: what each cell has completed so far is its
 * share of the achieved throughput. */
void sim_cells_last_arrival(struct sim_cells *c);

/* The first cell at or after arrival id (by arrivals; c->n when none). */
uint32_t sim_cells_first_at(const struct sim_cells *c, uint64_t id);

/* Merges cells [from, to) into lat and slow (by type, ntypes each; ALL is
 * the caller's) and adds their counts to *sum, whose first_id (start it at
 * UINT64_MAX) and first_ns become the range's first arrival. */
struct sim_cells_sum {
	uint64_t first_id, first_ns, arrivals, measured, measured_service_ns,
		done_by_last_arrival;
};
void sim_cells_merge(const struct sim_cells *c, uint32_t from, uint32_t to,
		     struct psp_hist *lat, struct psp_hist *slow, struct sim_cells_sum *sum);

#endif
