#include <string.h>

#include <psp/darc.h>
#include <psp/hist.h>

#include "report.h"

static const char *type_label(const struct psp_workload *wl, uint32_t t)
{
	return t < wl->ntypes ? wl->type_name[t] : "ALL";
}

struct row_stats {
	uint64_t count;
	double mean_us, p50_us, p99_us, p999_us, p999_slow, mean_slow;
};

static struct row_stats row_stats(const struct sim_result *res, uint32_t t)
{
	const struct psp_hist *lat = &res->lat[t], *slow = &res->slow[t];
	return (struct row_stats){
		.count = lat->count,
		.mean_us = psp_hist_mean(lat) / 1e3,
		.p50_us = (double)psp_hist_quantile(lat, 0.5) / 1e3,
		.p99_us = (double)psp_hist_quantile(lat, 0.99) / 1e3,
		.p999_us = (double)psp_hist_quantile(lat, 0.999) / 1e3,
		.p999_slow = (double)psp_hist_quantile(slow, 0.999) / SIM_SLOWDOWN_SCALE,
		.mean_slow = psp_hist_mean(slow) / SIM_SLOWDOWN_SCALE,
	};
}

/* CSV field: quoted when it holds a comma or a quote. */
static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
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

static void json_string(FILE *f, const char *s)
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
	struct psp_policy_conf conf;
	psp_policy_conf_default(&conf, opts->workers, 1);
	sim_options_apply_knobs(opts, ops, &conf);
	conf.slots = psp_policy_conf_slots(ops, &conf);
	fprintf(out, "# %s:", ops->name);
	for (size_t k = 0; ops->params[k]; k++) {
		char v[64];
		fprintf(out, "%s %s %s", k ? "," : "", ops->params[k]->name,
			psp_param_format(&conf, ops->params[k], v, sizeof(v)));
	}
	fputc('\n', out);
}

void sim_report_begin(struct sim_report *r, FILE *out, const struct sim_options *opts,
		      const struct psp_workload *wl)
{
	r->out = out;
	r->opts = opts;
	r->wl = wl;
	r->points_written = 0;
	if (opts->format == SIM_FORMAT_CSV) {
		fprintf(out, "%s\n", SIM_CSV_HEADER);
	} else if (opts->format == SIM_FORMAT_JSON) {
		fprintf(out, "{\"workload\": ");
		json_string(out, wl->name);
		fprintf(out, ", \"workers\": %u, \"seed\": %llu, \"points\": [", opts->workers,
			(unsigned long long)opts->seed);
	} else {
		fprintf(out, "# psp-sim: workload %s, %u workers, seed %llu\n", wl->name,
			opts->workers, (unsigned long long)opts->seed);
		if (wl->nphases == 1)
			fprintf(out, "# %llu requests per load point, first %.0f%% not measured\n",
				(unsigned long long)opts->requests, opts->warmup * 100);
		else
			fprintf(out, "# %u phases, durations x %g, first %.0f%% of the time not measured\n",
				wl->nphases, opts->phase_scale, opts->warmup * 100);
		for (uint32_t p = 0; p < opts->npolicies; p++)
			print_knobs(out, opts, opts->policy[p]);
	}
}

static void table_point(struct sim_report *r, const char *policy, const struct sim_result *res)
{
	FILE *f = r->out;
	fprintf(f, "\n%-6s load %.2f  offered %.1f kRPS  achieved %.1f kRPS%s\n", policy,
		res->load, res->offered_rps / 1e3, res->achieved_rps / 1e3,
		res->overloaded ? "  OVERLOADED (queues grow: latencies are not steady-state)" : "");
	fprintf(f, "  %-12s %10s %10s %10s %10s %10s %12s\n", "type", "count", "mean_us",
		"p50_us", "p99_us", "p99.9_us", "p99.9_slow");
	for (uint32_t t = 0; t <= res->ntypes; t++) {
		struct row_stats s = row_stats(res, t);
		fprintf(f, "  %-12s %10llu %10.1f %10.1f %10.1f %10.1f %12.1f\n",
			type_label(r->wl, t), (unsigned long long)s.count, s.mean_us, s.p50_us,
			s.p99_us, s.p999_us, s.p999_slow);
	}
	if (res->reservation[0])
		fprintf(f, "  %s: %s\n", strcmp(policy, "darc") ? "state" : "DARC", res->reservation);
	if (res->preemptions)
		fprintf(f, "  preemptions: %llu\n", (unsigned long long)res->preemptions);
}

static void csv_point(struct sim_report *r, const char *policy, const struct sim_result *res)
{
	for (uint32_t t = 0; t <= res->ntypes; t++) {
		struct row_stats s = row_stats(res, t);
		fprintf(r->out, "%s,%s,%u,%.4f,%.1f,%.1f,", policy, r->wl->name, r->opts->workers,
			res->load, res->offered_rps, res->achieved_rps);
		csv_field(r->out, type_label(r->wl, t));
		fprintf(r->out, ",%llu,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%d,%llu,",
			(unsigned long long)s.count, s.mean_us, s.p50_us, s.p99_us, s.p999_us,
			s.p999_slow, s.mean_slow, res->overloaded,
			(unsigned long long)res->preemptions);
		csv_field(r->out, res->reservation);
		fputc('\n', r->out);
	}
}

static void json_point(struct sim_report *r, const char *policy, const struct sim_result *res)
{
	FILE *f = r->out;
	fprintf(f, "%s\n  {\"policy\": ", r->points_written ? "," : "");
	json_string(f, policy);
	fprintf(f, ", \"load\": %.4f, \"offered_rps\": %.1f, \"achieved_rps\": %.1f, "
		   "\"overloaded\": %s, \"preemptions\": %llu, \"reservation\": ",
		res->load, res->offered_rps, res->achieved_rps, res->overloaded ? "true" : "false",
		(unsigned long long)res->preemptions);
	json_string(f, res->reservation);
	fprintf(f, ", \"types\": [");
	for (uint32_t t = 0; t <= res->ntypes; t++) {
		struct row_stats s = row_stats(res, t);
		fprintf(f, "%s\n    {\"type\": ", t ? "," : "");
		json_string(f, type_label(r->wl, t));
		fprintf(f, ", \"count\": %llu, \"mean_us\": %.3f, \"p50_us\": %.3f, \"p99_us\": %.3f, "
			   "\"p999_us\": %.3f, \"p999_slowdown\": %.3f, \"mean_slowdown\": %.3f}",
			(unsigned long long)s.count, s.mean_us, s.p50_us, s.p99_us, s.p999_us,
			s.p999_slow, s.mean_slow);
	}
	fprintf(f, "]}");
}

void sim_report_point(struct sim_report *r, const char *policy, const struct sim_result *res)
{
	switch (r->opts->format) {
	case SIM_FORMAT_TABLE: table_point(r, policy, res); break;
	case SIM_FORMAT_CSV: csv_point(r, policy, res); break;
	case SIM_FORMAT_JSON: json_point(r, policy, res); break;
	}
	r->points_written++;
}

void sim_report_slo(struct sim_report *r, const char *policy, double max_load,
		    double max_rps, const struct sim_result *at)
{
	FILE *f = r->out;
	double slo = r->opts->slo;
	switch (r->opts->format) {
	case SIM_FORMAT_TABLE:
		if (max_load < 0)
			fprintf(f, "\nSLO p99.9 slowdown <= %g: %s meets it at no load tried (>= 0.01)\n",
				slo, policy);
		else
			fprintf(f, "\nSLO p99.9 slowdown <= %g: %s sustains load %.3f (%.1f kRPS), p99.9 slowdown %.1f there\n",
				slo, policy, max_load, max_rps / 1e3,
				(double)psp_hist_quantile(&at->slow[at->ntypes], 0.999) / SIM_SLOWDOWN_SCALE);
		break;
	case SIM_FORMAT_CSV:
		/* A separate block so the per-point rows stay one table. */
		fprintf(f, "# slo,policy,max_load,max_rps\n# %g,%s,%.4f,%.1f\n", slo, policy,
			max_load, max_load < 0 ? 0 : max_rps);
		break;
	case SIM_FORMAT_JSON:
		fprintf(f, "%s\n  {\"slo\": %g, \"policy\": ", r->points_written ? "," : "", slo);
		json_string(f, policy);
		fprintf(f, ", \"max_load\": %.4f, \"max_rps\": %.1f}", max_load, max_load < 0 ? 0 : max_rps);
		r->points_written++;
		break;
	}
}

void sim_report_end(struct sim_report *r)
{
	if (r->opts->format == SIM_FORMAT_JSON)
		fprintf(r->out, "\n]}\n");
}

void sim_timeline_header(FILE *f)
{
	fprintf(f, "%s,policy,load\n", PSP_DARC_TIMELINE_HEADER);
}

void sim_timeline_rows(FILE *f, const char *policy, const struct psp_workload *wl,
		       const struct sim_result *res)
{
	const char *type_names[PSP_MAX_TYPES];
	for (uint32_t t = 0; t < wl->ntypes; t++)
		type_names[t] = wl->type_name[t];
	for (uint32_t i = 0; i < res->ntimeline; i++) {
		const struct sim_reservation *rv = &res->timeline[i];
		for (uint32_t g = 0; g < rv->plan.ngroups; g++) {
			char row[512];
			psp_darc_timeline_row(&rv->plan, g, rv->time_ns, type_names, row, sizeof(row));
			fprintf(f, "%s,%s,%.4f\n", row, policy, res->load);
		}
	}
	if (res->timeline_truncated)
		fprintf(f, "# out of memory: reservations after time %llu ns are missing\n",
			res->ntimeline ? (unsigned long long)res->timeline[res->ntimeline - 1].time_ns : 0ull);
}

void sim_series_header(FILE *f)
{
	fprintf(f, "policy,load,bin_start_ms,type,count,p50_us,p99_us,p999_us\n");
}

void sim_series_rows(FILE *f, const char *policy, const struct psp_workload *wl,
		     const struct sim_result *res)
{
	for (uint32_t i = 0; i < res->nseries; i++) {
		const struct sim_series_row *s = &res->series[i];
		fprintf(f, "%s,%.4f,%.3f,", policy, res->load, (double)s->bin_start_ns / 1e6);
		csv_field(f, type_label(wl, s->type));
		fprintf(f, ",%llu,%.3f,%.3f,%.3f\n", (unsigned long long)s->count, s->p50_ns / 1e3,
			s->p99_ns / 1e3, s->p999_ns / 1e3);
	}
}
