/* psp-client's verdict on a run, apart from DPDK so that it can be tested on
 * constructed inputs (tests/engine/check_verdict.c).  The definitions are in
 * docs/engine-reference.md, "Reports" (psp-client). */
#ifndef PSP_CLIENT_VERDICT_H
#define PSP_CLIENT_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

/* What the load loop counted over the measured requests (those after the
 * warm-up).  Times are ns since the run started. */
struct cli_counts {
	uint64_t sent;             /* measured requests sent */
	uint64_t answered;         /* of them, answered before the timeout */
	uint64_t answered_in_window; /* of them, answered before sending ended */
	uint64_t first_send_ns;    /* the first measured request's send */
	uint64_t last_send_ns;     /* the last measured request's send */
	uint64_t send_end_ns;      /* when sending ended (the window's end) */
	uint64_t last_answer_ns;   /* the last reply received */
};

enum cli_verdict_kind {
	CLI_FINE,       /* at least 99.9% of the offered load answered */
	CLI_OVERLOADED, /* less */
	CLI_NOT_JUDGED, /* too few requests to tell 0.1% apart */
};

/* Below this many measured requests, 0.1% of them is less than one. */
#define CLI_VERDICT_MIN_REQUESTS 1000u

struct cli_verdict {
	enum cli_verdict_kind kind;
	double offered_rps;  /* measured requests sent over the window */
	double achieved_rps; /* measured requests answered over the window */
};

void cli_verdict_compute(const struct cli_counts *c, struct cli_verdict *v);

/* The generator's verdict on itself.  Latency is measured from each
 * request's scheduled send time, so a late send adds its lateness to the
 * latency reported: when the lateness p99 exceeds this fraction of the
 * latency p99 (both over the measured requests, all types), the tail is the
 * generator's as much as the server's and the run is GENERATOR-LIMITED. */
#define CLI_GENERATOR_LIMIT 0.1

bool cli_generator_limited(uint64_t late_p99_ns, uint64_t latency_p99_ns);

#endif
