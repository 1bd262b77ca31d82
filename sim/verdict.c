#include <math.h>
#include <stdio.h>
#include <string.h>

#include <psp/assert.h>

#include "verdict.h"

/* One step of a ranking: how far the higher-ranked policy is from a lower
 * one (a ratio and its interval), and whether the interval separates them. */
struct step {
	bool known;     /* a ratio exists */
	bool separated; /* the interval excludes 1 (or the lower one has no capacity) */
	double ratio, lo, hi;
};

/* A ranking of n policies: order[k] is the k-th best; step[i][j] compares
 * policy i with policy j. */
struct ranking {
	uint32_t n;
	uint32_t order[SIM_MAX_POLICIES];
	struct step step[SIM_MAX_POLICIES][SIM_MAX_POLICIES];
};

/* Sorts the policies by key, descending (a stable insertion sort: ties keep
 * the order given). */
static void rank_by(struct ranking *rk, const double *key, uint32_t n)
{
	rk->n = n;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = i;
		while (k > 0 && key[rk->order[k - 1]] < key[i]) {
			rk->order[k] = rk->order[k - 1];
			k--;
		}
		rk->order[k] = i;
	}
}

/* The pairs the intervals do not separate, as "a and b" text, into buf;
 * returns how many. */
static uint32_t unseparated(const struct ranking *rk, const char *const *names, char *buf,
			    size_t cap)
{
	uint32_t count = 0;
	size_t len = 0;
	buf[0] = '\0';
	for (uint32_t a = 0; a < rk->n; a++)
		for (uint32_t b = a + 1; b < rk->n; b++) {
			uint32_t i = rk->order[a], j = rk->order[b];
			if (rk->step[i][j].separated)
				continue;
			count++;
			if (len < cap)
				len += (size_t)snprintf(buf + len, cap - len, "%s%s and %s",
							len ? "; " : "", names[i], names[j]);
		}
	return count;
}

static void json_num_or_null(FILE *f, const char *name, double v)
{
	fprintf(f, ", \"%s\": ", name);
	if (isnan(v) || isinf(v))
		fputs("null", f);
	else
		fprintf(f, "%.6g", v);
}

/* The JSON verdict member: "by" names the ranking's quantity. */
static void json_verdict(struct sim_report *r, const char *by, double slo, double load,
			 const char *const *names, const struct ranking *rk, const double *value,
			 const double *lo, const double *hi)
{
	FILE *f = r->out;
	fprintf(f, "\n], \"verdict\": {\"by\": \"%s\"", by);
	json_num_or_null(f, "slo", slo);
	json_num_or_null(f, "load", load);
	fprintf(f, ", \"ranking\": [");
	for (uint32_t a = 0; a < rk->n; a++) {
		uint32_t i = rk->order[a];
		fprintf(f, "%s\n  {\"rank\": %u, \"policy\": ", a ? "," : "", a + 1);
		sim_json_string(f, names[i]);
		json_num_or_null(f, "value", value[i]);
		json_num_or_null(f, "lo", lo[i]);
		json_num_or_null(f, "hi", hi[i]);
		fprintf(f, ", \"over\": [");
		for (uint32_t b = a + 1; b < rk->n; b++) {
			uint32_t j = rk->order[b];
			const struct step *s = &rk->step[i][j];
			fprintf(f, "%s{\"policy\": ", b > a + 1 ? ", " : "");
			sim_json_string(f, names[j]);
			json_num_or_null(f, "ratio", s->known ? s->ratio : NAN);
			json_num_or_null(f, "ratio_lo", s->known ? s->lo : NAN);
			json_num_or_null(f, "ratio_hi", s->known ? s->hi : NAN);
			fprintf(f, ", \"separated\": %s}", s->separated ? "true" : "false");
		}
		fprintf(f, "]}");
	}
	fprintf(f, "\n]}");
	r->json_closed = true;
}

/* Where the text goes: the table's output, or stderr beside CSV (as the
 * capacity lines do); JSON has its member. */
static FILE *text_out(const struct sim_report *r)
{
	return r->opts->format == SIM_FORMAT_TABLE ? r->out
	     : r->opts->format == SIM_FORMAT_CSV ? stderr : NULL;
}

void sim_report_verdict_capacity(struct sim_report *r, const char *const *names,
				 const struct sim_capacity *cap, uint32_t n)
{
	PSP_ASSERT(n >= 2 && n <= SIM_MAX_POLICIES);
	struct ranking rk;
	double key[SIM_MAX_POLICIES], value[SIM_MAX_POLICIES], lo[SIM_MAX_POLICIES],
		hi[SIM_MAX_POLICIES];
	for (uint32_t i = 0; i < n; i++) {
		key[i] = cap[i].found ? cap[i].load : -1;
		value[i] = cap[i].found ? cap[i].load : NAN;
		lo[i] = cap[i].found ? cap[i].lo : NAN;
		hi[i] = cap[i].found ? cap[i].hi : NAN;
	}
	rank_by(&rk, key, n);
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < n; j++) {
			struct sim_capacity_ratio q = sim_capacity_ratio_of(&cap[i], &cap[j]);
			rk.step[i][j] = (struct step){q.known, q.known ? q.lo > 1 : cap[i].found,
						      q.ratio, q.lo, q.hi};
		}
	const char *range = sim_capacity_bracket(r->opts->replications) ? "bracket" : "95% range";
	FILE *f = text_out(r);
	if (f) {
		const char *pre = f == stderr ? "psp-sim: verdict: " : "  ";
		if (f == r->out)
			fprintf(f, "\n");
		fprintf(f, "%sVerdict: ranked by the load sustained at p99.9 slowdown <= %g "
			   "(capacity, its %s; x: its ratio to a lower-ranked policy's, [the range "
			   "the two ranges allow]):\n", f == stderr ? "psp-sim: " : "", cap[0].slo,
			range);
		for (uint32_t a = 0; a < n; a++) {
			uint32_t i = rk.order[a];
			if (!cap[i].found) {
				fprintf(f, "%s%u. %-8s meets the SLO at no load tried\n", pre, a + 1,
					names[i]);
				continue;
			}
			fprintf(f, "%s%u. %-8s load %.3f [%.3f, %.3f]%s", pre, a + 1, names[i],
				cap[i].load, cap[i].lo, cap[i].hi, a + 1 < n ? ":" : "");
			for (uint32_t b = a + 1; b < n; b++) {
				uint32_t j = rk.order[b];
				const struct step *s = &rk.step[i][j];
				if (s->known)
					fprintf(f, "%s %.2fx %s [%.2f, %.2f]", b > a + 1 ? "," : "",
						s->ratio, names[j], s->lo, s->hi);
				else
					fprintf(f, "%s above %s", b > a + 1 ? "," : "", names[j]);
			}
			fputc('\n', f);
		}
		uint32_t best = rk.order[0], second = rk.order[1];
		const struct step *top = &rk.step[best][second];
		if (!cap[best].found)
			fprintf(f, "%sno policy meets the SLO at any load tried\n", pre);
		else if (!top->known)
			fprintf(f, "%s%s sustains the most load; %s meets the SLO at no load tried\n",
				pre, names[best], names[second]);
		else if (top->separated)
			fprintf(f, "%s%s sustains the most load: %.2fx the next best, %s [%.2f, %.2f]\n",
				pre, names[best], top->ratio, names[second], top->lo, top->hi);
		else
			fprintf(f, "%s%s sustains the most load, but not separated from %s: the ranges "
				   "overlap, the order between them is not known\n", pre, names[best],
				names[second]);
		char buf[1024];
		if (unseparated(&rk, names, buf, sizeof(buf)))
			fprintf(f, "%snot separated (their ranges overlap): %s\n", pre, buf);
		else
			fprintf(f, "%severy difference is separated (no two ranges overlap)\n", pre);
	}
	if (r->opts->format == SIM_FORMAT_JSON)
		json_verdict(r, "capacity", cap[0].slo, NAN, names, &rk, value, lo, hi);
}

void sim_report_verdict_slowdown(struct sim_report *r, const char *const *names, double load,
				 const struct sim_point *const *pt,
				 const struct sim_rep_stats *const *reps, const uint32_t *nreps,
				 uint32_t n)
{
	PSP_ASSERT(n >= 2 && n <= SIM_MAX_POLICIES);
	struct ranking rk;
	double key[SIM_MAX_POLICIES], value[SIM_MAX_POLICIES], lo[SIM_MAX_POLICIES],
		hi[SIM_MAX_POLICIES];
	for (uint32_t i = 0; i < n; i++) {
		struct sim_est e = pt[i]->row[pt[i]->ntypes].p999_slow;
		/* an overloaded point ranks below every stable one */
		key[i] = pt[i]->overloaded ? -INFINITY : -e.value;
		value[i] = e.value;
		lo[i] = e.lo;
		hi[i] = e.hi;
	}
	rank_by(&rk, key, n);
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < n; j++) {
			uint32_t m = nreps[i] < nreps[j] ? nreps[i] : nreps[j];
			double a[SIM_MAX_REPLICATIONS], b[SIM_MAX_REPLICATIONS];
			for (uint32_t k = 0; k < m; k++) {
				a[k] = reps[i][k].stat[reps[i][k].ntypes][SIM_STAT_P999_SLOW];
				b[k] = reps[j][k].stat[reps[j][k].ntypes][SIM_STAT_P999_SLOW];
			}
			struct sim_paired p;
			sim_paired_of(a, b, m, &p);
			bool known = !isnan(p.ratio.value);
			rk.step[i][j] = (struct step){known, known && p.ratio.hi < 1, p.ratio.value,
						      p.ratio.lo, p.ratio.hi};
			if (pt[j]->overloaded && !pt[i]->overloaded)
				rk.step[i][j].separated = true;
		}
	FILE *f = text_out(r);
	if (f) {
		const char *pre = f == stderr ? "psp-sim: verdict: " : "  ";
		if (f == r->out)
			fprintf(f, "\n");
		fprintf(f, "%sVerdict: ranked by the ALL p99.9 slowdown at load %.2f, the highest "
			   "run (no SLO, so no capacity to rank by: --slo X gives one); x: its paired "
			   "ratio to a lower-ranked policy's [95%% interval]:\n",
			f == stderr ? "psp-sim: " : "", load);
		for (uint32_t a = 0; a < n; a++) {
			uint32_t i = rk.order[a];
			char est[96];
			if (isnan(lo[i]))
				snprintf(est, sizeof(est), "%.1f", value[i]);
			else
				snprintf(est, sizeof(est), "%.1f [%.1f, %.1f]", value[i], lo[i], hi[i]);
			fprintf(f, "%s%u. %-8s p99.9 slowdown %s%s%s", pre, a + 1, names[i], est,
				pt[i]->overloaded ? " OVERLOADED" : "", a + 1 < n ? ":" : "");
			for (uint32_t b = a + 1; b < n; b++) {
				uint32_t j = rk.order[b];
				const struct step *s = &rk.step[i][j];
				if (!s->known)
					fprintf(f, "%s below %s", b > a + 1 ? "," : "", names[j]);
				else if (isnan(s->lo))
					fprintf(f, "%s %.3gx %s", b > a + 1 ? "," : "", s->ratio, names[j]);
				else
					fprintf(f, "%s %.3gx %s [%.3g, %.3g]", b > a + 1 ? "," : "",
						s->ratio, names[j], s->lo, s->hi);
			}
			fputc('\n', f);
		}
		uint32_t best = rk.order[0], second = rk.order[1];
		if (rk.step[best][second].separated)
			fprintf(f, "%s%s has the lowest p99.9 slowdown there, separated from %s\n", pre,
				names[best], names[second]);
		else
			fprintf(f, "%s%s has the lowest p99.9 slowdown there, but not separated from "
				   "%s: the order between them is not known\n", pre, names[best],
				names[second]);
		char buf[1024];
		if (unseparated(&rk, names, buf, sizeof(buf)))
			fprintf(f, "%snot separated (the ratio's interval holds 1, or there is none: "
				   "fewer than 2 replications): %s\n", pre, buf);
		else
			fprintf(f, "%severy difference is separated (no ratio's interval holds 1)\n",
				pre);
	}
	if (r->opts->format == SIM_FORMAT_JSON)
		json_verdict(r, "p999_slowdown", NAN, load, names, &rk, value, lo, hi);
}
