/* psp-sim --fit-system: a system file (system.h) fitted from psp-engine
 * traces (docs/trace-format.md, docs/system-model.md "Calibration").
 *
 * What an engine trace determines, per request: its dispatch (the
 * dispatcher's hand-off), its start on the worker and its completion.  Two
 * parts follow from them:
 *   handoff            start - dispatch, for each request handed to a worker
 *                      that was idle (its previous request on that worker
 *                      had completed) and never preempted;
 *   completion_notice  dispatch - the previous completion on the same worker,
 *                      for each request that was already waiting when that
 *                      worker finished (arrival <= that completion <=
 *                      dispatch): the time until the dispatcher reused the
 *                      worker, so the notice and the dispatcher's completion
 *                      and dispatch steps together.
 * Each is written as an empirical quantile table (a constant when every
 * sample is the same).  The dispatcher's steps apart, preemption, wake-up
 * and the network are not in a trace's columns and are not fitted.
 */
#ifndef PSP_SIM_FIT_H
#define PSP_SIM_FIT_H

#include <stdint.h>
#include <stdio.h>

#include <psp/err.h>

/* A part is fitted from at least this many samples, else left out. */
#define SIM_FIT_MIN_SAMPLES 20u

/* Reads the n traces and writes the fitted system to out (its name from
 * name).  Returns 0, or a negative errno with err naming the file, line and
 * column (-EINVAL: nothing could be fitted, or bad input). */
int sim_fit_system(char *const *paths, uint32_t n, const char *name, FILE *out,
		   struct psp_err *err);

#endif
