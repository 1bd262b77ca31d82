#include <math.h>
#include <string.h>

#include "stability.h"

#define K SIM_STAB_SEGMENTS

void sim_stab_init(struct sim_stability *st, uint32_t ntypes)
{
	memset(st, 0, sizeof(*st));
	st->ntypes = ntypes;
	st->seg = -1;
}

static void flush(struct sim_stability *st, uint32_t slot, uint64_t now_ns)
{
	st->area[st->seg][slot] += (double)st->in_system[slot] * (double)(now_ns - st->last_ns[slot]);
	st->last_ns[slot] = now_ns;
}

void sim_stab_segment(struct sim_stability *st, uint32_t seg, uint64_t now_ns)
{
	if (st->closed || (int32_t)seg <= st->seg || seg >= K)
		return;
	if (st->seg >= 0)
		for (uint32_t t = 0; t < st->ntypes; t++)
			flush(st, t, now_ns);
	for (uint32_t t = 0; t < st->ntypes; t++)
		st->last_ns[t] = now_ns;
	/* Segments skipped (none in practice) get zero length. */
	for (int32_t i = st->seg + 1; i <= (int32_t)seg; i++)
		st->seg_start_ns[i] = now_ns;
	st->seg = (int32_t)seg;
}

void sim_stab_close(struct sim_stability *st, uint64_t now_ns)
{
	if (st->closed || st->seg != (int32_t)K - 1)
		return;
	for (uint32_t t = 0; t < st->ntypes; t++)
		flush(st, t, now_ns);
	st->seg_start_ns[K] = now_ns;
	st->closed = true;
	/* All requests: the sums over the types. */
	for (uint32_t i = 0; i < K; i++) {
		st->area[i][st->ntypes] = 0;
		st->arrivals[i][st->ntypes] = 0;
		for (uint32_t t = 0; t < st->ntypes; t++) {
			st->area[i][st->ntypes] += st->area[i][t];
			st->arrivals[i][st->ntypes] += st->arrivals[i][t];
		}
	}
}

/* The verdict's constants, in one place.
 *
 * A run can only judge growth over a window long against the system's
 * relaxation time, about S / (1 - rho)^2 for a queue of load rho whose long
 * requests take S (S = E[S^2]/E[S] of the mix, which the longest type's mean
 * approximates well for the bimodal mixes here): a stable queue that started
 * empty is still filling before that, and looks as if it grew.  So nothing is
 * judged unless the window lasts RELAX_TIMES x S_max / (1 - min(load,
 * RHO_CAP))^2, and a type needs MIN_ARRIVALS arrivals in the window.
 *
 * Then a queue grows when the least-squares line through its segment means
 * rises, over the window, by more than NOISE_Z standard deviations of the
 * means around that line, by more than MIN_SHARE of the type's arrivals in
 * the window (a stable queue's excursions do not grow with the run; an
 * unstable one's do, as arrival rate - service rate) and by at least MIN_RISE
 * requests; and the line through the second half's means still rises by more
 * than one standard deviation (a rise confined to the first half, such as a
 * transient before DARC's first reservation, is not growth). */
#define RELAX_TIMES 5.0
#define RHO_CAP 0.95
#define MIN_ARRIVALS 20u
#define NOISE_Z 4.0
#define MIN_SHARE 0.005
#define MIN_RISE 2.0

/* The least-squares line through (x[i], y[i]). */
struct line {
	double slope, xm, ym;
};

static struct line fit_line(const double *x, const double *y, uint32_t n)
{
	struct line l = {0, 0, 0};
	double sxy = 0, sxx = 0;
	for (uint32_t i = 0; i < n; i++) {
		l.xm += x[i] / n;
		l.ym += y[i] / n;
	}
	for (uint32_t i = 0; i < n; i++) {
		sxy += (x[i] - l.xm) * (y[i] - l.ym);
		sxx += (x[i] - l.xm) * (x[i] - l.xm);
	}
	l.slope = sxy / sxx;
	return l;
}

void sim_stab_verdict(const struct sim_stability *st, double longest_mean_ns, double load,
		      struct sim_stab_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (!st->closed)
		return;
	double x[K], len[K];
	double window = (double)(st->seg_start_ns[K] - st->seg_start_ns[0]);
	for (uint32_t i = 0; i < K; i++) {
		len[i] = (double)(st->seg_start_ns[i + 1] - st->seg_start_ns[i]);
		x[i] = 0.5 * (double)(st->seg_start_ns[i] + st->seg_start_ns[i + 1]);
		if (!(len[i] > 0))
			return;
	}
	double rho = load < RHO_CAP ? load : RHO_CAP;
	bool long_enough = window >= RELAX_TIMES * longest_mean_ns / ((1 - rho) * (1 - rho));
	for (uint32_t s = 0; s <= st->ntypes; s++) {
		uint64_t arrivals = 0;
		for (uint32_t i = 0; i < K; i++)
			arrivals += st->arrivals[i][s];
		if (arrivals < MIN_ARRIVALS)
			continue;
		if (long_enough)
			v->judged |= 1u << s;
		double m[K];
		for (uint32_t i = 0; i < K; i++)
			m[i] = st->area[i][s] / len[i];
		struct line all = fit_line(x, m, K), late = fit_line(x + K / 2, m + K / 2, K / 2);
		double ss = 0;
		for (uint32_t i = 0; i < K; i++) {
			double r = m[i] - (all.ym + all.slope * (x[i] - all.xm));
			ss += r * r;
		}
		double noise = sqrt(ss / (K - 2));
		double rise = all.slope * (x[K - 1] - x[0]);
		double late_rise = late.slope * (x[K - 1] - x[K / 2]);
		double floor_rise = fmax(NOISE_Z * noise, fmax(MIN_SHARE * (double)arrivals, MIN_RISE));
		v->growth_per_s[s] = all.slope * 1e9;
		if (rise > floor_rise && late_rise > noise)
			v->seen_growing |= 1u << s;
	}
	v->growing = v->seen_growing & v->judged;
}
