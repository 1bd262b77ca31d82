/* psp-sim's output: the results table, CSV and JSON, the DARC timeline and
 * the per-bin series. */
#ifndef PSP_SIM_REPORT_H
#define PSP_SIM_REPORT_H

#include <stdio.h>

#include <psp/results.h>

#include "options.h"
#include "point.h"
#include "run.h"
#include "slo.h"
#include "system.h"
#include "trace.h"

/* The CSV header of the load points: psp-client writes the same columns. */
#define SIM_CSV_HEADER PSP_RESULTS_CSV_HEADER

/* psp-sim's columns after SIM_CSV_HEADER (psp-client's stop there): the
 * share of each run not measured, warm-up and profile (the mean over
 * replications), and how the intervals were made: "replications" or
 * "batch-means" (--batches). */
#define SIM_CSV_WARMUP_COLUMNS "warmup,intervals"

/* Columns appended after those when a run has a --system: which one,
 * and its CPU use per request (docs/system-model.md). */
#define SIM_CSV_SYSTEM_COLUMNS \
	"system,system_hash,cpu_busy_us_per_req,cpu_spin_us_per_req,cpu_parked_us_per_req"

/* The CSV header of --slo-output: one row per policy. */
#define SIM_SLO_CSV_HEADER \
	"policy,workload,workers,slo,replications,found,capacity_load,capacity_lo,capacity_hi," \
	"capacity_range,capacity_rps,p999_slowdown,p999_slowdown_lo,p999_slowdown_hi," \
	"loads_evaluated"

struct sim_report {
	FILE *out;
	const struct sim_options *opts;
	const struct psp_workload *wl;
	const struct sim_system *sys; /* --system, or NULL */
	unsigned points_written;
	unsigned capacities_written;
	bool in_capacity;
	unsigned compared_written; /* comparison rows (JSON: commas) */
	bool json_closed;          /* JSON: the last array is closed (a verdict followed it) */
};

/* "ALL" for t == ntypes, else type t's name. */
const char *sim_type_label(const struct psp_workload *wl, uint32_t t);
/* A JSON string literal, escaped. */
void sim_json_string(FILE *f, const char *s);
/* ", \"name\": v" with 3 decimals, or null for NaN. */
void sim_json_num(FILE *f, const char *name, double v);
/* A CSV number with 3 decimals, or nothing for NaN. */
void sim_csv_num(FILE *f, double v);
/* Columns a UTF-8 string takes in a terminal. */
int sim_text_columns(const char *s);

/* A CSV field, quoted as RFC 4180 says (inside double quotes, a quote
 * doubled) when it holds a comma, a quote, a carriage return or a newline. */
void sim_csv_field(FILE *f, const char *s);

/* sys: the run's --system, or NULL (the outputs are then those of psp-sim
 * before systems existed, byte for byte). */
void sim_report_begin(struct sim_report *r, FILE *out, const struct sim_options *opts,
		      const struct psp_workload *wl, const struct sim_system *sys);
/* A replay's trace: its rows, span and own load, where its types come from,
 * how each load scales it (table: in its header; CSV and JSON: on stderr). */
void sim_report_trace(struct sim_report *r, const struct sim_trace *t);
/* One load point of one policy. */
void sim_report_point(struct sim_report *r, const char *policy, const struct sim_point *pt);
/* The capacity block: its heading (slo_csv, when not NULL, gets the
 * --slo-output header), then one line per policy, then the ratios to the
 * baseline (compare.h). */
void sim_report_capacity_begin(struct sim_report *r, double slo, bool from_workload,
			       FILE *slo_csv);
void sim_report_capacity(struct sim_report *r, const char *policy, const struct sim_capacity *c,
			 FILE *slo_csv);
void sim_report_end(struct sim_report *r);

/* Writes the DARC timeline header / rows of one point; sys (the run's
 * --system, or NULL) adds the columns system,system_hash. */
void sim_timeline_header(FILE *f, const struct sim_system *sys);
void sim_timeline_rows(FILE *f, const char *policy, const struct psp_workload *wl,
		       const struct sim_result *res, const struct sim_system *sys);
void sim_series_header(FILE *f, const struct sim_system *sys);
void sim_series_rows(FILE *f, const char *policy, const struct psp_workload *wl,
		     const struct sim_result *res, const struct sim_system *sys);

#endif
