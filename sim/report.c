#include <ctype.h>
#include <math.h>
#include <string.h>

#include <psp/assert.h>
#include <psp/darc.h>
#include <psp/hist.h>

#include "report.h"

const char *sim_type_label(const struct psp_workload *wl, uint32_t t)
{
	return t < wl->ntypes ? wl->type_name[t] : "ALL";
}

void sim_csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void sim_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* "# jbsq: slots 2": the knobs a policy runs with, given or default. */
static void print_knobs(FILE *out, const struct sim_options *opts,
			const struct psp_policy_ops *ops)
{
	if (!ops->params || !ops->params[0])
		return;
	struct psp_policy_conf *conf = psp_policy_conf_new(opts->workers, 1);
	PSP_CHECK(conf != NULL);
	sim_options_apply_knobs(opts, ops, conf);
	fprintf(out, "# %s:", ops->name);
	for (size_t k = 0; ops->params[k]; k++) {
		const struct psp_param *prm = ops->params[k];
		char v[64];
		if (prm->flags & PSP_PARAM_PER_POLICY) /* slots: the policy's when not given */
			snprintf(v, sizeof(v), "%u", psp_policy_conf_slots(ops, conf));
		else
			psp_param_format(conf, prm, v, sizeof(v));
		fprintf(out, "%s %s %s", k ? "," : "", prm->name, v);
	}
	fputc('\n', out);
	psp_policy_conf_free(conf);
}

void sim_report_begin(struct sim_report *r, FILE *out, const struct sim_options *opts,
		      const struct psp_workload *wl, const struct sim_system *sys)
{
	r->out = out;
	r->opts = opts;
	r->wl = wl;
	r->sys = sys;
	r->points_written = 0;
	r->capacities_written = 0;
	r->in_capacity = false;
	r->compared_written = 0;
	r->json_closed = false;
	if (opts->format == SIM_FORMAT_CSV) {
		fprintf(out, "%s,%s%s\n", SIM_CSV_HEADER, SIM_CSV_WARMUP_COLUMNS,
			sys ? "," SIM_CSV_SYSTEM_COLUMNS : "");
	} else if (opts->format == SIM_FORMAT_JSON) {
		fprintf(out, "{\"workload\": ");
		sim_json_string(out, wl->name);
		if (sys) {
			fprintf(out, ", \"system\": ");
			sim_json_string(out, sys->name);
			fprintf(out, ", \"system_hash\": \"%s\", \"system_file\": ", sys->hash_text);
			sim_json_string(out, sys->path);
		}
		fprintf(out, ", \"workers\": %u, \"seed\": %llu, \"replications\": %u, \"points\": [",
			opts->workers, (unsigned long long)opts->seed, opts->replications);
	} else {
		if (opts->batches)
			fprintf(out, "# psp-sim: workload %s, %u workers, seed %llu, batch means: one run "
				     "per load cut into %u batches\n", wl->name, opts->workers,
				(unsigned long long)opts->seed, opts->batches);
		else if (opts->precision > 0)
			fprintf(out, "# psp-sim: workload %s, %u workers, seed %llu, replications per "
				     "load from %u until 95%% half-widths are within %g%% (at most %u)\n",
				wl->name, opts->workers, (unsigned long long)opts->seed,
				opts->replications, 100 * opts->precision, opts->max_replications);
		else
			fprintf(out, "# psp-sim: workload %s, %u workers, seed %llu, %u replication%s per load\n",
				wl->name, opts->workers, (unsigned long long)opts->seed, opts->replications,
				opts->replications == 1 ? "" : "s");
		if (wl->nphases == 1 && opts->detect_warmup)
			fprintf(out, "# %llu requests per load point, warm-up detected in each run (MSER-5)\n",
				(unsigned long long)opts->requests);
		else if (wl->nphases == 1)
			fprintf(out, "# %llu requests per load point, first %.0f%% not measured\n",
				(unsigned long long)opts->requests, opts->warmup * 100);
		else
			fprintf(out, "# %u phases, durations x %g, first %.0f%% of the time not measured\n",
				wl->nphases, opts->phase_scale, opts->warmup * 100);
		for (uint32_t p = 0; p < opts->npolicies; p++)
			print_knobs(out, opts, opts->policy[p]);
		if (sys)
			fprintf(out, "# system %s@%s (%s)%s%s\n", sys->name, sys->hash_text, sys->path,
				sys->description[0] ? ": " : "", sys->description);
	}
}

void sim_report_trace(struct sim_report *r, const struct sim_trace *t)
{
	const struct sim_options *o = r->opts;
	bool table = o->format == SIM_FORMAT_TABLE;
	FILE *f = table ? r->out : stderr;
	const char *pre = table ? "# " : "psp-sim: note: ";
	double own = sim_trace_load(t, o->workers);
	fprintf(f, "%strace %s: %llu rows replayed", pre, t->path, (unsigned long long)t->n);
	if (t->skipped)
		fprintf(f, " (%llu more, not answered, had no service time: not replayed)",
			(unsigned long long)t->skipped);
	fprintf(f, ", arriving over %.6g ms; its offered load on %u worker%s is %.4f\n",
		(double)t->span_ns * 1e-6, o->workers, o->workers == 1 ? "" : "s", own);
	if (t->types_from_trace) {
		fprintf(f, "%stypes from the trace (no --workload), nominal mean and ratio measured "
			   "on it:", pre);
		for (uint32_t i = 0; i < t->ntypes; i++)
			fprintf(f, "%s %s %.4g us x %.4f", i ? "," : "", t->type_name[i],
				t->service_ns[i] / (double)t->count[i] * 1e-3,
				(double)t->count[i] / (double)t->n);
		fputc('\n', f);
	}
	for (uint32_t l = 0; l < o->nloads; l++)
		if (o->load[l] != own)
			fprintf(f, "%sload %g: the trace's inter-arrival times x %.6g\n", pre,
				o->load[l], sim_trace_scale(t, o->workers, o->load[l]));
}

/* An estimate as the table prints it: a mean "15.1 ± 0.3" (the half-width
 * of its symmetric interval), a quantile "15.1 [14.8, 15.9]" (its
 * order-statistic interval), "15.1" without an interval. */
static void est_text(char *buf, size_t cap, struct sim_est e)
{
	if (isnan(e.lo))
		snprintf(buf, cap, "%.1f", e.value);
	else if (e.quantile)
		snprintf(buf, cap, "%.1f [%.1f, %.1f]", e.value, e.lo, e.hi);
	else
		snprintf(buf, cap, "%.1f ± %.1f", e.value, (e.hi - e.lo) / 2);
}

/* Columns of a UTF-8 string ("±" is two bytes but one column). */
int sim_text_columns(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* s right-aligned in width columns, after a space. */
static void table_cell(FILE *f, const char *s, int width)
{
	fprintf(f, " %*s%s", width - sim_text_columns(s) > 0 ? width - sim_text_columns(s) : 0, "", s);
}

/* What the intervals of a point with reps replications are, for its
 * heading (docs/statistics.md explains them). */
static void table_intervals(FILE *f, uint32_t reps)
{
	if (reps < 2)
		return;
	if (sim_median_ci_rank(reps))
		fprintf(f, "  (%u replications; 95%% intervals: means ± half-width, "
			   "percentiles [lo, hi])", reps);
	else
		fprintf(f, "  (%u replications; 95%% intervals: means ± half-width; percentiles "
			   "none: they need >= %u replications)", reps, SIM_MIN_QUANTILE_REPLICATIONS);
}

/* The types whose queues grow, joined by sep, into buf. */
static const char *growing_names(const struct sim_report *r, const struct sim_point *pt,
				 const char *sep, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	for (uint32_t t = 0; t <= pt->ntypes && len < cap; t++)
		if ((pt->growing_types >> t) & 1u)
			len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? sep : "",
						sim_type_label(r->wl, t));
	return buf;
}

static void table_point(struct sim_report *r, const char *policy, const struct sim_point *pt)
{
	FILE *f = r->out;
	enum { NCOLS = 5 };
	static const char *const head[NCOLS] = {"mean_us", "p50_us", "p99_us", "p99.9_us",
						"p99.9_slow"};
	char cell[PSP_MAX_TYPES + 1][NCOLS][96];
	int w[NCOLS];
	for (int c = 0; c < NCOLS; c++) /* the widths of the first release, at least */
		w[c] = (pt->reps > 1 ? 15 : 10) + (c == NCOLS - 1 ? 2 : 0);
	for (uint32_t t = 0; t <= pt->ntypes; t++) {
		const struct sim_row *row = &pt->row[t];
		const struct sim_est e[NCOLS] = {row->mean_us, row->p50_us, row->p99_us,
						 row->p999_us, row->p999_slow};
		for (int c = 0; c < NCOLS; c++) {
			est_text(cell[t][c], sizeof(cell[t][c]), e[c]);
			if (sim_text_columns(cell[t][c]) > w[c])
				w[c] = sim_text_columns(cell[t][c]);
		}
	}
	fprintf(f, "\n%-7s load %.2f  offered %.1f kRPS  achieved %.1f kRPS", policy, pt->load,
		pt->offered_rps / 1e3, pt->achieved_rps / 1e3);
	if (r->sys)
		fprintf(f, "  system %s@%s", r->sys->name, r->sys->hash_text);
	if (pt->batch_means)
		fprintf(f, "  (batch means: %u batches of one run; 95%% intervals as over replications)",
			pt->reps);
	else
		table_intervals(f, pt->reps);
	fprintf(f, "\n  %-12s %10s", "type", "count");
	for (int c = 0; c < NCOLS; c++)
		table_cell(f, head[c], w[c]);
	fputc('\n', f);
	for (uint32_t t = 0; t <= pt->ntypes; t++) {
		fprintf(f, "  %-12s %10llu", sim_type_label(r->wl, t),
			(unsigned long long)pt->row[t].count);
		for (int c = 0; c < NCOLS; c++)
			table_cell(f, cell[t][c], w[c]);
		fputc('\n', f);
	}
	if (pt->overloaded) {
		fprintf(f, "  OVERLOADED (in %u of %u replications): latencies are not steady-state;",
			pt->overloaded_reps, pt->reps);
		for (uint32_t t = 0; t <= pt->ntypes; t++)
			if (pt->row[t].growing)
				fprintf(f, " %s grows %.3g req/ms;", sim_type_label(r->wl, t),
					pt->row[t].growth_per_s.value / 1e3);
		if (pt->dropped)
			fprintf(f, " %llu arrivals dropped at --max-in-system;",
				(unsigned long long)pt->dropped);
		fputc('\n', f);
	}
	if (!pt->judged && !pt->overloaded) {
		char grow[256];
		fprintf(f, "  NOT JUDGED: the run is too short to tell whether this load is stable "
			   "(raise --requests)");
		if (pt->growing_types)
			fprintf(f, "; seen growing: %s",
				growing_names(r, pt, ", ", grow, sizeof(grow)));
		fputc('\n', f);
	}
	fprintf(f, "  warm-up: %.1f%% of the run not measured%s\n", 100 * pt->warmup_fraction,
		pt->warmup_unsettled && !pt->overloaded ? " (MSER-5 found no end in the first half "
							  "of some runs, which cut 10%: raise --requests)" : "");
	if (pt->profiled_arrivals)
		fprintf(f, "  measured from arrival %llu: the policy profiled until its first plan "
			   "(arrival %llu at the latest), and that phase is never measured\n",
			(unsigned long long)pt->measured_from,
			(unsigned long long)pt->profiled_arrivals);
	if (pt->reservation[0]) {
		/* a reserving policy's state is its reservation: labelled with
		 * its name ("DARC: ..."), any other's "state: ..." */
		const struct psp_policy_ops *ops = psp_policy_find(policy);
		char label[32] = "state";
		if (ops && (ops->props.flags & PSP_POLICY_RESERVES))
			for (size_t i = 0; i + 1 < sizeof(label); i++)
				if (!(label[i] = (char)toupper((unsigned char)ops->name[i])))
					break;
		fprintf(f, "  %s: %s\n", label, pt->reservation);
	}
	if (pt->preemptions)
		fprintf(f, "  preemptions: %llu\n", (unsigned long long)pt->preemptions);
	if (r->sys && pt->has_cpu) {
		char busy[96], spin[96], parked[96];
		est_text(busy, sizeof(busy), pt->cpu_busy_us);
		est_text(spin, sizeof(spin), pt->cpu_spin_us);
		est_text(parked, sizeof(parked), pt->cpu_parked_us);
		fprintf(f, "  cpu per request (core-us): busy %s, spinning %s, parked %s\n", busy, spin,
			parked);
	}
}

/* The overload verdict: "1" overloaded, "0" judged stable, "" not judged
 * (the run was too short to tell: never the value that means stable). */
static const char *overloaded_cell(const struct sim_point *pt)
{
	return pt->overloaded ? "1" : pt->judged ? "0" : "";
}

/* A CSV number with 3 decimals, or nothing for NaN (pandas reads NaN). */
void sim_csv_num(FILE *f, double v)
{
	if (!isnan(v))
		fprintf(f, "%.3f", v);
}

static void csv_point(struct sim_report *r, const char *policy, const struct sim_point *pt)
{
	char grow[256];
	growing_names(r, pt, ";", grow, sizeof(grow));
	for (uint32_t t = 0; t <= pt->ntypes; t++) {
		const struct sim_row *row = &pt->row[t];
		fprintf(r->out, "%s,", policy);
		sim_csv_field(r->out, r->wl->name);
		fprintf(r->out, ",%u,%.4f,%.1f,%.1f,", r->opts->workers, pt->load, pt->offered_rps,
			pt->achieved_rps);
		sim_csv_field(r->out, sim_type_label(r->wl, t));
		fprintf(r->out, ",%llu,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%s,%llu,",
			(unsigned long long)row->count, row->mean_us.value, row->p50_us.value,
			row->p99_us.value, row->p999_us.value, row->p999_slow.value,
			row->mean_slow.value, overloaded_cell(pt), (unsigned long long)pt->preemptions);
		sim_csv_field(r->out, pt->reservation);
		fprintf(r->out, ",%u,%llu,", pt->reps, (unsigned long long)pt->dropped);
		sim_csv_field(r->out, grow);
		fprintf(r->out, ",%d,%d,%.1f", pt->judged, row->growing, row->growth_per_s.value);
		const struct sim_est *ci[] = {&row->mean_us, &row->p50_us, &row->p99_us,
					      &row->p999_us, &row->p999_slow, &row->mean_slow};
		for (size_t i = 0; i < sizeof(ci) / sizeof(ci[0]); i++) {
			fputc(',', r->out);
			sim_csv_num(r->out, ci[i]->lo);
			fputc(',', r->out);
			sim_csv_num(r->out, ci[i]->hi);
		}
		fputc(',', r->out);
		if (pt->measured_from != UINT64_MAX)
			fprintf(r->out, "%llu", (unsigned long long)pt->measured_from);
		fprintf(r->out, ",%.4f,%s", pt->warmup_fraction,
			pt->batch_means ? "batch-means" : "replications");
		if (r->sys) {
			fprintf(r->out, ",%s,%s,", r->sys->name, r->sys->hash_text);
			sim_csv_num(r->out, pt->has_cpu ? pt->cpu_busy_us.value : NAN);
			fputc(',', r->out);
			sim_csv_num(r->out, pt->has_cpu ? pt->cpu_spin_us.value : NAN);
			fputc(',', r->out);
			sim_csv_num(r->out, pt->has_cpu ? pt->cpu_parked_us.value : NAN);
		}
		fputc('\n', r->out);
	}
}

/* "name": value, or null for NaN. */
void sim_json_num(FILE *f, const char *name, double v)
{
	if (isnan(v))
		fprintf(f, ", \"%s\": null", name);
	else
		fprintf(f, ", \"%s\": %.3f", name, v);
}

static void json_point(struct sim_report *r, const char *policy, const struct sim_point *pt)
{
	FILE *f = r->out;
	char grow[256];
	fprintf(f, "%s\n  {\"policy\": ", r->points_written ? "," : "");
	sim_json_string(f, policy);
	fprintf(f, ", \"load\": %.4f, \"replications\": %u, \"offered_rps\": %.1f, "
		   "\"achieved_rps\": %.1f, \"overloaded\": %s, \"overloaded_types\": ",
		pt->load, pt->reps, pt->offered_rps, pt->achieved_rps,
		pt->overloaded ? "true" : pt->judged ? "false" : "null");
	sim_json_string(f, growing_names(r, pt, ";", grow, sizeof(grow)));
	fprintf(f, ", \"judged\": %s, \"dropped\": %llu, \"preemptions\": %llu, \"reservation\": ",
		pt->judged ? "true" : "false",
		(unsigned long long)pt->dropped, (unsigned long long)pt->preemptions);
	sim_json_string(f, pt->reservation);
	if (pt->measured_from == UINT64_MAX)
		fprintf(f, ", \"measured_from\": null");
	else
		fprintf(f, ", \"measured_from\": %llu", (unsigned long long)pt->measured_from);
	fprintf(f, ", \"profiled_arrivals\": %llu", (unsigned long long)pt->profiled_arrivals);
	fprintf(f, ", \"warmup\": %.4f, \"intervals\": \"%s\"", pt->warmup_fraction,
		pt->batch_means ? "batch-means" : "replications");
	if (r->sys) {
		fprintf(f, ", \"system\": ");
		sim_json_string(f, r->sys->name);
		fprintf(f, ", \"system_hash\": \"%s\"", r->sys->hash_text);
		const struct { const char *name; struct sim_est e; } cpu[] = {
			{"cpu_busy_us_per_req", pt->cpu_busy_us}, {"cpu_spin_us_per_req", pt->cpu_spin_us},
			{"cpu_parked_us_per_req", pt->cpu_parked_us}};
		for (size_t i = 0; i < 3; i++) {
			char lo[64], hi[64];
			snprintf(lo, sizeof(lo), "%s_lo", cpu[i].name);
			snprintf(hi, sizeof(hi), "%s_hi", cpu[i].name);
			sim_json_num(f, cpu[i].name, pt->has_cpu ? cpu[i].e.value : NAN);
			sim_json_num(f, lo, pt->has_cpu ? cpu[i].e.lo : NAN);
			sim_json_num(f, hi, pt->has_cpu ? cpu[i].e.hi : NAN);
		}
	}
	fprintf(f, ", \"types\": [");
	for (uint32_t t = 0; t <= pt->ntypes; t++) {
		const struct sim_row *row = &pt->row[t];
		fprintf(f, "%s\n    {\"type\": ", t ? "," : "");
		sim_json_string(f, sim_type_label(r->wl, t));
		fprintf(f, ", \"count\": %llu", (unsigned long long)row->count);
		const struct { const char *name; struct sim_est e; } col[] = {
			{"mean_us", row->mean_us}, {"p50_us", row->p50_us}, {"p99_us", row->p99_us},
			{"p999_us", row->p999_us}, {"p999_slowdown", row->p999_slow},
			{"mean_slowdown", row->mean_slow}};
		for (size_t i = 0; i < sizeof(col) / sizeof(col[0]); i++) {
			char lo[64], hi[64];
			snprintf(lo, sizeof(lo), "%s_lo", col[i].name);
			snprintf(hi, sizeof(hi), "%s_hi", col[i].name);
			sim_json_num(f, col[i].name, col[i].e.value);
			sim_json_num(f, lo, col[i].e.lo);
			sim_json_num(f, hi, col[i].e.hi);
		}
		fprintf(f, ", \"growing\": %s, \"growth_per_s\": %.1f}", row->growing ? "true" : "false",
			row->growth_per_s.value);
	}
	fprintf(f, "]}");
}

void sim_report_point(struct sim_report *r, const char *policy, const struct sim_point *pt)
{
	switch (r->opts->format) {
	case SIM_FORMAT_TABLE: table_point(r, policy, pt); break;
	case SIM_FORMAT_CSV: csv_point(r, policy, pt); break;
	case SIM_FORMAT_JSON: json_point(r, policy, pt); break;
	}
	r->points_written++;
}

/* The word for a capacity's [lo, hi] with reps replications a load. */
static const char *capacity_range(uint32_t reps)
{
	return sim_capacity_bracket(reps) ? "bracket" : "confidence";
}

void sim_report_capacity(struct sim_report *r, const char *policy, const struct sim_capacity *c,
			 FILE *slo_csv)
{
	char line[512], slow[96];
	bool bracket = sim_capacity_bracket(r->opts->replications);
	est_text(slow, sizeof(slow), c->p999_slow);
	if (!c->found)
		snprintf(line, sizeof(line), "  %-8s meets it at no load tried (lowest %.4f)", policy,
			 c->hi);
	else
		snprintf(line, sizeof(line),
			 "  %-8s load %.3f, %s [%.3f, %.3f]  %.1f kRPS  p99.9 slowdown %s there",
			 policy, c->load, bracket ? "bracket" : "95% range", c->lo, c->hi,
			 c->rps / 1e3, slow);
	if (r->sys) {
		size_t len = strlen(line);
		snprintf(line + len, sizeof(line) - len, "  system %s@%s", r->sys->name,
			 r->sys->hash_text);
	}
	if (r->opts->format == SIM_FORMAT_TABLE)
		fprintf(r->out, "%s\n", line);
	else if (!slo_csv && r->opts->format == SIM_FORMAT_CSV)
		fprintf(stderr, "psp-sim: capacity at p99.9 slowdown <= %g:%s\n", c->slo, line + 1);
	if (r->opts->format == SIM_FORMAT_JSON) {
		FILE *f = r->out;
		fprintf(f, "%s\n  {\"policy\": ", r->capacities_written ? "," : "");
		sim_json_string(f, policy);
		fprintf(f, ", \"slo\": %g, \"found\": %s, \"capacity_load\": %.4f, \"capacity_lo\": %.4f, "
			   "\"capacity_hi\": %.4f, \"capacity_range\": \"%s\", \"capacity_rps\": %.1f",
			c->slo, c->found ? "true" : "false", c->load, c->lo, c->hi,
			capacity_range(r->opts->replications), c->rps);
		sim_json_num(f, "p999_slowdown", c->p999_slow.value);
		sim_json_num(f, "p999_slowdown_lo", c->p999_slow.lo);
		sim_json_num(f, "p999_slowdown_hi", c->p999_slow.hi);
		fprintf(f, ", \"loads_evaluated\": %u", c->evaluated);
		if (r->sys) {
			fprintf(f, ", \"system\": ");
			sim_json_string(f, r->sys->name);
			fprintf(f, ", \"system_hash\": \"%s\"", r->sys->hash_text);
		}
		fputc('}', f);
		r->capacities_written++;
	}
	if (slo_csv) {
		fprintf(slo_csv, "%s,", policy);
		sim_csv_field(slo_csv, r->wl->name);
		fprintf(slo_csv, ",%u,%g,%u,%d,%.4f,%.4f,%.4f,%s,%.1f,", r->opts->workers, c->slo,
			r->opts->replications, c->found, c->load, c->lo, c->hi,
			capacity_range(r->opts->replications), c->rps);
		sim_csv_num(slo_csv, c->p999_slow.value);
		fputc(',', slo_csv);
		sim_csv_num(slo_csv, c->p999_slow.lo);
		fputc(',', slo_csv);
		sim_csv_num(slo_csv, c->p999_slow.hi);
		fprintf(slo_csv, ",%u", c->evaluated);
		if (r->sys)
			fprintf(slo_csv, ",%s,%s", r->sys->name, r->sys->hash_text);
		fputc('\n', slo_csv);
	}
}

void sim_report_capacity_begin(struct sim_report *r, double slo, bool from_workload,
			       FILE *slo_csv)
{
	uint32_t reps = r->opts->replications;
	if (r->opts->format == SIM_FORMAT_TABLE) {
		fprintf(r->out, "\nCapacity: the highest load whose p99.9 slowdown stays <= %g%s, "
				"%u replication%s a load; ",
			slo, from_workload ? " (the workload's SLO)" : "", reps, reps == 1 ? "" : "s");
		if (sim_capacity_bracket(reps))
			fprintf(r->out, "bracket: from it to the lowest load above it that missed the "
					"SLO, not a confidence interval (no 95%% interval of a "
					"percentile below %u replications):\n",
				SIM_MIN_QUANTILE_REPLICATIONS);
		else
			fprintf(r->out, "95%% range: from the highest load that met the SLO to the "
					"lowest that missed it, each with 95%% confidence:\n");
	}
	if (r->opts->format == SIM_FORMAT_JSON)
		fprintf(r->out, "\n], \"capacity\": [");
	r->in_capacity = true;
	if (slo_csv)
		fprintf(slo_csv, "%s%s\n", SIM_SLO_CSV_HEADER, r->sys ? ",system,system_hash" : "");
}

void sim_report_end(struct sim_report *r)
{
	if (r->opts->format == SIM_FORMAT_JSON)
		fprintf(r->out, "%s}\n", r->json_closed ? "" : "\n]");
}

/* ",system,system_hash" of a row (or of the header: names) when sys is given. */
static void system_cells(FILE *f, const struct sim_system *sys, bool header)
{
	if (sys && header)
		fputs(",system,system_hash", f);
	else if (sys)
		fprintf(f, ",%s,%s", sys->name, sys->hash_text);
}

void sim_timeline_header(FILE *f, const struct sim_system *sys)
{
	fprintf(f, "%s,policy,load", PSP_DARC_TIMELINE_HEADER);
	system_cells(f, sys, true);
	fputc('\n', f);
}

void sim_timeline_rows(FILE *f, const char *policy, const struct psp_workload *wl,
		       const struct sim_result *res, const struct sim_system *sys)
{
	const char *type_names[PSP_MAX_TYPES];
	for (uint32_t t = 0; t < wl->ntypes; t++)
		type_names[t] = wl->type_name[t];
	for (uint32_t i = 0; i < res->ntimeline; i++) {
		const struct sim_reservation *rv = &res->timeline[i];
		for (uint32_t g = 0; g < rv->plan.ngroups; g++) {
			char row[512];
			psp_darc_timeline_row(&rv->plan, g, rv->time_ns, type_names, row, sizeof(row));
			fprintf(f, "%s,%s,%.4f", row, policy, res->load);
			system_cells(f, sys, false);
			fputc('\n', f);
		}
	}
	if (res->timeline_truncated)
		fprintf(f, "# out of memory: reservations after time %llu ns are missing\n",
			res->ntimeline ? (unsigned long long)res->timeline[res->ntimeline - 1].time_ns : 0ull);
}

void sim_series_header(FILE *f, const struct sim_system *sys)
{
	fprintf(f, "policy,load,bin_start_ms,type,count,p50_us,p99_us,p999_us");
	system_cells(f, sys, true);
	fputc('\n', f);
}

void sim_series_rows(FILE *f, const char *policy, const struct psp_workload *wl,
		     const struct sim_result *res, const struct sim_system *sys)
{
	for (uint32_t i = 0; i < res->nseries; i++) {
		const struct sim_series_row *s = &res->series[i];
		fprintf(f, "%s,%.4f,%.3f,", policy, res->load, (double)s->bin_start_ns / 1e6);
		sim_csv_field(f, sim_type_label(wl, s->type));
		fprintf(f, ",%llu,%.3f,%.3f,%.3f", (unsigned long long)s->count, s->p50_ns / 1e3,
			s->p99_ns / 1e3, s->p999_ns / 1e3);
		system_cells(f, sys, false);
		fputc('\n', f);
	}
}
