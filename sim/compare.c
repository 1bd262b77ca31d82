#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include <psp/assert.h>

#include "compare.h"

const enum sim_stat sim_compare_stat[SIM_COMPARE_NSTATS] = {SIM_STAT_P999_SLOW,
							     SIM_STAT_MEAN_US};

/* Each statistic's name in the outputs (the points' column names). */
static const char *stat_name(enum sim_stat k, bool table)
{
	switch (k) {
	case SIM_STAT_P999_SLOW: return table ? "p99.9_slow" : "p999_slowdown";
	case SIM_STAT_MEAN_US: return "mean_us";
	default: return "?";
	}
}

void sim_paired_of(const double *a, const double *b, uint32_t n, struct sim_paired *out)
{
	PSP_ASSERT(n >= 1 && n <= SIM_MAX_REPLICATIONS);
	double d[SIM_MAX_REPLICATIONS], q[SIM_MAX_REPLICATIONS];
	bool positive = true;
	out->n = n;
	out->value = out->base = 0;
	for (uint32_t i = 0; i < n; i++) {
		d[i] = a[i] - b[i];
		out->value += a[i] / n;
		out->base += b[i] / n;
		positive &= a[i] > 0 && b[i] > 0 && isfinite(a[i]) && isfinite(b[i]);
		q[i] = positive ? log(a[i] / b[i]) : NAN;
	}
	out->diff = sim_est_mean(d, n);
	out->unpaired = sim_unpaired_diff(a, n, b, n);
	if (!positive) {
		out->ratio = (struct sim_est){NAN, NAN, NAN, false};
		return;
	}
	struct sim_est l = sim_est_mean(q, n);
	out->ratio = (struct sim_est){exp(l.value), exp(l.lo), exp(l.hi), false};
}

struct sim_est sim_unpaired_diff(const double *a, uint32_t na, const double *b, uint32_t nb)
{
	double ma = 0, mb = 0;
	for (uint32_t i = 0; i < na; i++)
		ma += a[i] / na;
	for (uint32_t i = 0; i < nb; i++)
		mb += b[i] / nb;
	struct sim_est e = {ma - mb, NAN, NAN, false};
	if (na < 2 || nb < 2)
		return e;
	double sa = 0, sb = 0;
	for (uint32_t i = 0; i < na; i++)
		sa += (a[i] - ma) * (a[i] - ma) / (na - 1);
	for (uint32_t i = 0; i < nb; i++)
		sb += (b[i] - mb) * (b[i] - mb) / (nb - 1);
	double va = sa / na, vb = sb / nb, v = va + vb;
	if (v == 0) {
		e.lo = e.hi = e.value;
		return e;
	}
	/* Welch-Satterthwaite degrees of freedom */
	double df = v * v / (va * va / (na - 1) + vb * vb / (nb - 1));
	double half = gsl_cdf_tdist_Pinv(0.975, df) * sqrt(v);
	e.lo = e.value - half;
	e.hi = e.value + half;
	return e;
}

struct sim_capacity_ratio sim_capacity_ratio_of(const struct sim_capacity *a,
						const struct sim_capacity *b)
{
	struct sim_capacity_ratio q = {false, NAN, NAN, NAN};
	if (!a->found || !b->found || !(b->load > 0))
		return q;
	q.known = true;
	q.ratio = a->load / b->load;
	q.lo = a->lo / b->hi;
	q.hi = b->lo > 0 ? a->hi / b->lo : INFINITY;
	return q;
}

/* Decimals that show about 3 significant digits of a. */
static int decimals(double a)
{
	a = fabs(a);
	if (!(a > 0) || a >= 100)
		return 0;
	int d = 2 - (int)floor(log10(a));
	return d > 6 ? 6 : d;
}

/* A difference "-215.2 ± 12.1" (the half-width of its t interval), or the
 * value alone without one. */
static void diff_text(char *buf, size_t cap, struct sim_est e)
{
	if (isnan(e.value))
		snprintf(buf, cap, "-");
	else if (isnan(e.lo))
		snprintf(buf, cap, "%.*f", decimals(e.value), e.value);
	else {
		double half = (e.hi - e.lo) / 2;
		int dp = decimals(fabs(e.value) > half ? e.value : half);
		snprintf(buf, cap, "%.*f ± %.*f", dp, e.value, dp, half);
	}
}

/* A ratio "0.0131x [0.0110, 0.0150]", or the value alone, or "-" (a value
 * not positive). */
static void ratio_text(char *buf, size_t cap, struct sim_est e)
{
	int dp = decimals(e.value);
	/* enough decimals that an interval near 1 shows its width */
	if (!isnan(e.lo) && e.hi > e.lo && decimals(e.hi - e.lo) - 1 > dp)
		dp = decimals(e.hi - e.lo) - 1;
	if (isnan(e.value))
		snprintf(buf, cap, "-");
	else if (isnan(e.lo))
		snprintf(buf, cap, "%.*fx", dp, e.value);
	else
		snprintf(buf, cap, "%.*fx [%.*f, %.*f]", dp, e.value, dp, e.lo, dp, e.hi);
}

/* s right-aligned in width columns, after two spaces. */
static void cell(FILE *f, const char *s, int width)
{
	int pad = width - sim_text_columns(s);
	fprintf(f, "  %*s%s", pad > 0 ? pad : 0, "", s);
}

enum { DIFF_WIDTH = 20, RATIO_WIDTH = 26 };

void sim_report_compare_begin(struct sim_report *r, const char *baseline, FILE *csv)
{
	FILE *f = r->out;
	if (r->opts->format == SIM_FORMAT_TABLE) {
		fprintf(f, "\nPaired comparison with %s (the baseline).  At each load every policy's "
			   "replication r saw the\nsame requests (common random numbers), so "
			   "replication r of a policy pairs with %s's:\n"
			   "  diff: policy - %s, the mean of the pairs' differences ± its 95%% t "
			   "half-width;\n"
			   "  ratio: policy / %s, the geometric mean of the pairs' ratios [its 95%% "
			   "interval].\n", baseline, baseline, baseline, baseline);
		fprintf(f, "  %-5s %-8s %-12s", "load", "policy", "type");
		for (uint32_t k = 0; k < SIM_COMPARE_NSTATS; k++) {
			char h[64];
			snprintf(h, sizeof(h), "%s diff", stat_name(sim_compare_stat[k], true));
			cell(f, h, DIFF_WIDTH);
			snprintf(h, sizeof(h), "%s ratio", stat_name(sim_compare_stat[k], true));
			cell(f, h, RATIO_WIDTH);
		}
		fputc('\n', f);
	} else if (r->opts->format == SIM_FORMAT_JSON) {
		fprintf(f, "\n], \"comparison\": [");
	}
	if (csv)
		fprintf(csv, "%s\n", SIM_COMPARE_CSV_HEADER);
}

static void json_est(FILE *f, const char *name, struct sim_est e)
{
	char lo[64], hi[64];
	snprintf(lo, sizeof(lo), "%s_lo", name);
	snprintf(hi, sizeof(hi), "%s_hi", name);
	/* ratios below 0.001 need more than the 3 decimals of sim_json_num */
	fprintf(f, ", \"%s\": ", name);
	isnan(e.value) ? fputs("null", f) : fprintf(f, "%.6g", e.value);
	fprintf(f, ", \"%s\": ", lo);
	isnan(e.lo) ? fputs("null", f) : fprintf(f, "%.6g", e.lo);
	fprintf(f, ", \"%s\": ", hi);
	isnan(e.hi) ? fputs("null", f) : fprintf(f, "%.6g", e.hi);
}

/* A CSV number with 6 significant digits, or nothing for NaN. */
static void csv_g(FILE *f, double v)
{
	fputc(',', f);
	if (!isnan(v))
		fprintf(f, "%.6g", v);
}

void sim_report_compare(struct sim_report *r, const char *policy, const char *baseline,
			double load, const struct sim_rep_stats *a, uint32_t na,
			const struct sim_rep_stats *b, uint32_t nb, FILE *csv)
{
	uint32_t n = na < nb ? na : nb;
	PSP_ASSERT(n >= 1 && n <= SIM_MAX_REPLICATIONS);
	uint32_t ntypes = a[0].ntypes;
	FILE *f = r->out;
	for (uint32_t t = 0; t <= ntypes; t++) {
		struct sim_paired pr[SIM_COMPARE_NSTATS];
		for (uint32_t k = 0; k < SIM_COMPARE_NSTATS; k++) {
			double va[SIM_MAX_REPLICATIONS], vb[SIM_MAX_REPLICATIONS];
			for (uint32_t i = 0; i < n; i++) {
				va[i] = a[i].stat[t][sim_compare_stat[k]];
				vb[i] = b[i].stat[t][sim_compare_stat[k]];
			}
			sim_paired_of(va, vb, n, &pr[k]);
		}
		const char *type = sim_type_label(r->wl, t);
		if (r->opts->format == SIM_FORMAT_TABLE) {
			fprintf(f, "  %-5.2f %-8s %-12s", load, policy, type);
			for (uint32_t k = 0; k < SIM_COMPARE_NSTATS; k++) {
				char d[96], q[96];
				diff_text(d, sizeof(d), pr[k].diff);
				ratio_text(q, sizeof(q), pr[k].ratio);
				cell(f, d, DIFF_WIDTH);
				cell(f, q, RATIO_WIDTH);
			}
			fputc('\n', f);
		}
		for (uint32_t k = 0; k < SIM_COMPARE_NSTATS; k++) {
			const struct sim_paired *p = &pr[k];
			const char *stat = stat_name(sim_compare_stat[k], false);
			if (r->opts->format == SIM_FORMAT_JSON) {
				fprintf(f, "%s\n  {\"policy\": ", r->compared_written++ ? "," : "");
				sim_json_string(f, policy);
				fprintf(f, ", \"baseline\": ");
				sim_json_string(f, baseline);
				fprintf(f, ", \"load\": %.4f, \"type\": ", load);
				sim_json_string(f, type);
				fprintf(f, ", \"statistic\": \"%s\", \"pairs\": %u", stat, p->n);
				fprintf(f, ", \"value\": %.6g, \"baseline_value\": %.6g", p->value, p->base);
				json_est(f, "diff", p->diff);
				fprintf(f, ", \"unpaired_lo\": ");
				isnan(p->unpaired.lo) ? fputs("null", f) : fprintf(f, "%.6g", p->unpaired.lo);
				fprintf(f, ", \"unpaired_hi\": ");
				isnan(p->unpaired.hi) ? fputs("null", f) : fprintf(f, "%.6g", p->unpaired.hi);
				json_est(f, "ratio", p->ratio);
				fputc('}', f);
			}
			if (csv) {
				fprintf(csv, "%s,%s,", policy, baseline);
				sim_csv_field(csv, r->wl->name);
				fprintf(csv, ",%u,%.4f,", r->opts->workers, load);
				sim_csv_field(csv, type);
				fprintf(csv, ",%s,%u", stat, p->n);
				csv_g(csv, p->value);
				csv_g(csv, p->base);
				csv_g(csv, p->diff.value);
				csv_g(csv, p->diff.lo);
				csv_g(csv, p->diff.hi);
				csv_g(csv, p->unpaired.lo);
				csv_g(csv, p->unpaired.hi);
				csv_g(csv, p->ratio.value);
				csv_g(csv, p->ratio.lo);
				csv_g(csv, p->ratio.hi);
				fputc('\n', csv);
			}
		}
	}
}

void sim_report_capacity_ratio(struct sim_report *r, const char *policy, const char *baseline,
			       const struct sim_capacity_ratio *q)
{
	if (r->opts->format != SIM_FORMAT_TABLE || !q->known)
		return;
	fprintf(r->out, "  %s / %s: %.2fx the load, range [%.2f, %.2f]\n", policy, baseline,
		q->ratio, q->lo, q->hi);
}
