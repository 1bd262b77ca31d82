/* The fates a psp trace CSV row's status column names (docs/trace-format.md),
 * in one place for the file's writer (psp-engine --trace) and its reader
 * (psp-sim --trace). */
#ifndef PSP_TRACE_STATUS_H
#define PSP_TRACE_STATUS_H

#include <string.h>

enum psp_trace_status {
	PSP_TRACE_ANSWERED,           /* replied to */
	PSP_TRACE_TX_FAILED,          /* ran to its end; the reply could not be sent */
	PSP_TRACE_DROPPED_QUEUE_FULL, /* refused on arrival: every descriptor was held */
	PSP_TRACE_DROPPED_AT_STOP,    /* in flight when the engine's drain_ms ran out */
	PSP_TRACE_NSTATUS
};

static inline const char *psp_trace_status_name(enum psp_trace_status s)
{
	static const char *const name[PSP_TRACE_NSTATUS] = {
		"answered", "tx_failed", "dropped_queue_full", "dropped_at_stop",
	};
	return name[s];
}

/* The status named s, or PSP_TRACE_NSTATUS when none is. */
static inline enum psp_trace_status psp_trace_status_parse(const char *s)
{
	enum psp_trace_status k = PSP_TRACE_ANSWERED;
	while (k < PSP_TRACE_NSTATUS && strcmp(s, psp_trace_status_name(k)))
		k++;
	return k;
}

#endif
