/* psp-sim --trace: a request trace (the psp trace CSV, docs/trace-format.md)
 * read once into memory and replayed by run.c instead of sampling: each
 * row's arrival, type and service time, exactly (integer ns). */
#ifndef PSP_SIM_TRACE_H
#define PSP_SIM_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include <psp/err.h>
#include <psp/workload.h>

/* Bounds of what is read: rows replayed (sizeof(struct sim_trace_row), 32
 * bytes each, so 3.2 GB at the bound; psp-sim replays about 10 M requests/s)
 * and the file's size (an engine trace writes about 100 bytes a row). */
#define SIM_TRACE_MAX_ROWS 100000000ull
#define SIM_TRACE_MAX_BYTES (16ull << 30)
/* The longest line (a header of many columns included). */
#define SIM_TRACE_MAX_LINE 65536u
/* A row's service time: 1 ns .. the workload loader's bound (1e9 us). */
#define SIM_TRACE_MAX_SERVICE_NS ((uint64_t)(PSP_WL_TIME_US_MAX * 1e3))

struct sim_trace_row {
	uint64_t id;
	uint64_t arrival_ns; /* since the first row's arrival */
	uint64_t service_ns; /* 1 ns .. SIM_TRACE_MAX_SERVICE_NS */
	uint32_t type;       /* index into the replay's types */
};

struct sim_trace {
	char path[512];
	uint64_t n;                 /* rows replayed */
	struct sim_trace_row *row;  /* in arrival order */
	uint64_t skipped;           /* rows with a status other than answered and no
				     * service: the engine dropped them before they ran */
	uint64_t origin_ns;         /* the first row's arrival, in the trace's clock */
	uint64_t span_ns;           /* first to last replayed arrival */
	uint64_t max_service_ns;
	double work_ns;             /* the replayed rows' service, summed */
	uint32_t ntypes;            /* the workload's, or those of the trace */
	bool types_from_trace;      /* no workload given: types in order of first
				     * appearance */
	char type_name[PSP_MAX_TYPES][PSP_WL_NAME_MAX];
	uint64_t count[PSP_MAX_TYPES];
	double service_ns[PSP_MAX_TYPES]; /* summed, by type */
};

/* Reads path.  With wl, every type must be one of wl's (type indices are
 * wl's); without, the types are those of the trace in order of first
 * appearance.  Returns 0, or a negative errno with err naming the file, line
 * and column ("trace.csv:12: arrival_us: ..."); on failure t holds nothing
 * to free. */
int sim_trace_read(const char *path, const struct psp_workload *wl, struct sim_trace *t,
		   struct psp_err *err);

void sim_trace_free(struct sim_trace *t);

/* The trace's own offered load on this many workers: its work over its span
 * times the workers. */
double sim_trace_load(const struct sim_trace *t, uint32_t workers);

/* The factor replayed inter-arrival times are multiplied by so that the
 * offered load becomes load: exactly 1 at the trace's own load. */
double sim_trace_scale(const struct sim_trace *t, uint32_t workers, double load);

/* Row i's arrival in the replay, in ns after the first row's; UINT64_MAX
 * when scaled beyond 2^63 (a capacity search's lowest loads may scale a
 * long trace past the clock: run.c stops with -ERANGE). */
static inline uint64_t sim_trace_arrival_ns(const struct sim_trace *t, uint64_t i, double scale)
{
	uint64_t a = t->row[i].arrival_ns;
	if (scale == 1.0)
		return a;
	double at = (double)a * scale + 0.5;
	return at < 0x1p63 ? (uint64_t)at : UINT64_MAX;
}

/* The one-phase workload a replay runs on (run.c reads its types and
 * phase; nothing is sampled from it): wl's types (NULL: the trace's), each
 * type's ratio its share of the rows; service distributions: wl's (the one
 * of the phase where the type's mean is longest), or constants at the
 * trace's mean per type, so that the nominal means and ratios the policies
 * read (DARC oracle and static, SJF) are the trace's. */
void sim_trace_workload(const struct sim_trace *t, const struct psp_workload *wl,
			struct psp_workload *out);

struct sim_setup;
/* sim_setup_check_events for a replay (setup->trace): refuses loads at which
 * fewer than SIM_MIN_MEASURED rows would be measured, the clock would
 * overflow, or the events would pass SIM_MAX_EVENTS. */
int sim_trace_check(const struct sim_setup *setup, const double *load, uint32_t nloads,
		    double *events, struct psp_err *err);

#endif
