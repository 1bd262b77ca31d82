#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "precision.h"
#include "progress.h"
#include "sweep.h"

static const char *const stat_name[SIM_NSTATS] = {
	[SIM_STAT_MEAN_US] = "mean_us",         [SIM_STAT_P50_US] = "p50_us",
	[SIM_STAT_P99_US] = "p99_us",           [SIM_STAT_P999_US] = "p999_us",
	[SIM_STAT_P999_SLOW] = "p999_slowdown", [SIM_STAT_MEAN_SLOW] = "mean_slowdown",
	/* growth_per_s is near 0 at a stable load: no relative target */
};

const char *sim_precision_stat_name(int k)
{
	return k >= 0 && k < SIM_NSTATS ? stat_name[k] : NULL;
}

int sim_precision_parse_stats(const char *list, uint32_t *stats, struct psp_err *err)
{
	*stats = 0;
	const char *w = list;
	for (;;) {
		size_t len = strcspn(w, ",");
		int k = 0;
		while (k < SIM_NSTATS &&
		       !(stat_name[k] && strlen(stat_name[k]) == len && !strncmp(stat_name[k], w, len)))
			k++;
		if (k == SIM_NSTATS)
			return psp_err_set(err, -EINVAL, "--precision-stats", NULL,
					   "unknown statistic '%.*s': name mean_us, p50_us, p99_us, "
					   "p999_us, p999_slowdown or mean_slowdown",
					   (int)(len > 64 ? 64 : len), w);
		*stats |= 1u << k;
		if (!w[len])
			return 0;
		w += len + 1;
	}
}

static const struct sim_est *est_of(const struct sim_row *row, int k)
{
	switch (k) {
	case SIM_STAT_MEAN_US: return &row->mean_us;
	case SIM_STAT_P50_US: return &row->p50_us;
	case SIM_STAT_P99_US: return &row->p99_us;
	case SIM_STAT_P999_US: return &row->p999_us;
	case SIM_STAT_P999_SLOW: return &row->p999_slow;
	case SIM_STAT_MEAN_SLOW: return &row->mean_slow;
	default: return NULL;
	}
}

/* The half-width of e relative to its value (INFINITY: no interval). */
static double rel_half(const struct sim_est *e)
{
	if (isnan(e->lo) || isnan(e->hi))
		return INFINITY;
	double half = fmax(e->value - e->lo, e->hi - e->value);
	if (half <= 0)
		return 0;
	return e->value != 0 ? half / fabs(e->value) : INFINITY;
}

/* Calls f for each checked statistic of each row that has requests. */
#define EACH_CHECKED(p, pt, t, k, e)                                                    \
	for (uint32_t t = 0; t <= (pt)->ntypes; t++)                                    \
		for (int k = 0; k < SIM_NSTATS; k++)                                    \
			for (const struct sim_est *e = est_of(&(pt)->row[t], k);        \
			     e && ((p)->stats >> k & 1u) && (pt)->row[t].count > 0; e = NULL)

bool sim_precision_met(const struct sim_precision *p, const struct sim_point *pt,
		       const struct psp_workload *wl, char *which, size_t cap)
{
	bool met = true;
	size_t len = 0;
	if (cap)
		which[0] = '\0';
	EACH_CHECKED(p, pt, t, k, e) {
		double r = rel_half(e);
		if (r <= p->rel)
			continue;
		met = false;
		if (len + 1 >= cap)
			continue;
		char row[64];
		if (t == pt->ntypes)
			snprintf(row, sizeof(row), "ALL");
		else if (wl && t < wl->ntypes)
			snprintf(row, sizeof(row), "%s", wl->type_name[t]);
		else
			snprintf(row, sizeof(row), "type %u", t + 1);
		int w = isinf(r) ? snprintf(which + len, cap - len, "%s%s %s no interval",
					    len ? "; " : "", row, stat_name[k])
				 : snprintf(which + len, cap - len, "%s%s %s +-%.3g%%",
					    len ? "; " : "", row, stat_name[k], 100 * r);
		len = w > 0 && (size_t)w < cap - len ? len + (size_t)w : cap - 1;
	}
	return met;
}

uint32_t sim_precision_next(const struct sim_precision *p, const struct sim_point *pt)
{
	uint32_t n = pt->reps, want = n + 1;
	if (n >= p->budget)
		return n;
	EACH_CHECKED(p, pt, t, k, e) {
		double r = rel_half(e);
		if (r <= p->rel)
			continue;
		/* the half-width shrinks as 1 / sqrt(R) */
		double need = isinf(r) ? 2.0 * n : ceil(n * (r / p->rel) * (r / p->rel));
		need = fmin(need, 2.0 * n);
		if (need > want)
			want = (uint32_t)need;
	}
	return want < p->budget ? want : p->budget;
}

/* Whether the point's capacity decision is made: overloaded, or its ALL
 * p99.9 slowdown's interval lies wholly on one side of slo. */
static bool decided(const struct sim_point *pt, double slo)
{
	const struct sim_est *e = &pt->row[pt->ntypes].p999_slow;
	if (pt->overloaded)
		return true;
	if (isnan(e->lo))
		return false;
	return e->lo > slo || (pt->judged && e->hi <= slo);
}

static void summarise(struct sim_precise_point *x, const struct sim_precision *p, double slo)
{
	sim_point_from(&x->pt, x->stats, x->reps);
	x->met = sim_precision_met(p, &x->pt, x->setup->wl, x->unmet, sizeof(x->unmet));
	x->decided = slo > 0 && decided(&x->pt, slo);
}

int sim_precise_run(struct sim_precise_point *pts, uint32_t n, uint32_t reps0,
		    const struct sim_precision *p, double slo, uint32_t nthreads,
		    struct sim_progress *prog, struct psp_err *err)
{
	uint32_t *target = calloc(n ? n : 1, sizeof(*target));
	if (!target)
		return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	for (uint32_t i = 0; i < n; i++) {
		pts[i].reps = 0;
		target[i] = reps0 < p->budget ? reps0 : p->budget;
	}
	int rc = 0;
	for (;;) {
		uint32_t njobs = 0;
		for (uint32_t i = 0; i < n; i++)
			njobs += target[i] - pts[i].reps;
		if (njobs == 0)
			break;
		struct sim_job *jobs = calloc(njobs, sizeof(*jobs));
		if (!jobs) {
			rc = psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
			break;
		}
		uint32_t j = 0;
		for (uint32_t i = 0; i < n; i++)
			for (uint32_t r = pts[i].reps; r < target[i]; r++)
				jobs[j++] = (struct sim_job){.setup = pts[i].setup, .load = pts[i].load,
							     .rep = r, .stats = &pts[i].stats[r]};
		/* (rounds after the first were not in the estimate) */
		if (prog && pts[0].reps > 0)
			sim_progress_expect(prog, njobs);
		rc = sim_sweep_run(jobs, njobs, nthreads, prog);
		for (uint32_t i = 0; i < njobs; i++) {
			if (rc < 0 && jobs[i].rc < 0) {
				*err = jobs[i].err;
				rc = jobs[i].rc;
				break;
			}
		}
		for (uint32_t i = 0; i < njobs; i++)
			sim_result_free(&jobs[i].res);
		free(jobs);
		if (rc < 0)
			break;
		for (uint32_t i = 0; i < n; i++) {
			if (target[i] == pts[i].reps)
				continue;
			pts[i].reps = target[i];
			summarise(&pts[i], p, slo);
			if (!pts[i].met && !pts[i].decided)
				target[i] = sim_precision_next(p, &pts[i].pt);
		}
	}
	free(target);
	return rc;
}
