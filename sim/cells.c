#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cells.h"

int sim_cells_init(struct sim_cells *c, uint32_t n, uint32_t ntypes)
{
	memset(c, 0, sizeof(*c));
	c->cell = calloc(n, sizeof(*c->cell));
	if (!c->cell)
		return -ENOMEM;
	c->n = n;
	c->ntypes = ntypes;
	for (uint32_t i = 0; i < n; i++) {
		struct sim_cell *x = &c->cell[i];
		x->first_id = UINT64_MAX;
		x->lat = malloc(ntypes * sizeof(*x->lat));
		x->slow = malloc(ntypes * sizeof(*x->slow));
		if (!x->lat || !x->slow)
			return -ENOMEM; /* sim_cells_free releases what was made */
		for (uint32_t t = 0; t < ntypes; t++) {
			psp_hist_reset(&x->lat[t]);
			psp_hist_reset(&x->slow[t]);
		}
	}
	return 0;
}

void sim_cells_free(struct sim_cells *c)
{
	for (uint32_t i = 0; c->cell && i < c->n; i++) {
		free(c->cell[i].lat);
		free(c->cell[i].slow);
	}
	free(c->cell);
	memset(c, 0, sizeof(*c));
}

void sim_cells_last_arrival(struct sim_cells *c)
{
	for (uint32_t i = 0; i < c->n; i++)
		c->cell[i].done_by_last_arrival = c->cell[i].measured;
}

uint32_t sim_cells_first_at(const struct sim_cells *c, uint64_t id)
{
	for (uint32_t i = 0; i < c->n; i++)
		if (c->cell[i].first_id != UINT64_MAX && c->cell[i].first_id >= id)
			return i;
	return c->n;
}

void sim_cells_merge(const struct sim_cells *c, uint32_t from, uint32_t to,
		     struct psp_hist *lat, struct psp_hist *slow, struct sim_cells_sum *sum)
{
	for (uint32_t i = from; i < to && i < c->n; i++) {
		const struct sim_cell *x = &c->cell[i];
		for (uint32_t t = 0; t < c->ntypes; t++) {
			psp_hist_merge(&lat[t], &x->lat[t]);
			psp_hist_merge(&slow[t], &x->slow[t]);
		}
		if (sum->first_id == UINT64_MAX && x->first_id != UINT64_MAX) {
			sum->first_id = x->first_id;
			sum->first_ns = x->first_ns;
		}
		sum->arrivals += x->arrivals;
		sum->measured += x->measured;
		sum->measured_service_ns += x->measured_service_ns;
		sum->done_by_last_arrival += x->done_by_last_arrival;
	}
}
