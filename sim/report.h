/* psp-sim's output: the results table, CSV and JSON, the DARC timeline and
 * the per-bin series. */
#ifndef PSP_SIM_REPORT_H
#define PSP_SIM_REPORT_H

#include <stdio.h>

#include "options.h"
#include "run.h"

/* The CSV header, shared with psp-client. */
#define SIM_CSV_HEADER \
	"policy,workload,workers,load,offered_rps,achieved_rps,type,count,mean_us," \
	"p50_us,p99_us,p999_us,p999_slowdown,mean_slowdown,overloaded,preemptions,reservation"

struct sim_report {
	FILE *out;
	const struct sim_options *opts;
	const struct psp_workload *wl;
	unsigned points_written;
};

void sim_report_begin(struct sim_report *r, FILE *out, const struct sim_options *opts,
		      const struct psp_workload *wl);
/* One load point of one policy. */
void sim_report_point(struct sim_report *r, const char *policy, const struct sim_result *res);
/* The --slo result of one policy: max_load < 0 when no load met the SLO. */
void sim_report_slo(struct sim_report *r, const char *policy, double max_load,
		    double max_rps, const struct sim_result *at);
void sim_report_end(struct sim_report *r);

/* Writes the DARC timeline header / rows of one point. */
void sim_timeline_header(FILE *f);
void sim_timeline_rows(FILE *f, const char *policy, const struct psp_workload *wl,
		       const struct sim_result *res);
void sim_series_header(FILE *f);
void sim_series_rows(FILE *f, const char *policy, const struct psp_workload *wl,
		     const struct sim_result *res);

#endif
