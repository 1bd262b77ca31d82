/* The knobs several policies read, declared once: each policy that reads one
 * names it in its ops->params.  A knob only one policy reads is declared in
 * that policy's file. */
#include <psp/param.h>

#include "internal.h"

const struct psp_param psp_knob_slots = {
	.name = "slots", .kind = PSP_PARAM_UINT, .rank = 10, .scale = 1,
	.min = 1, .unit = "requests", .flags = PSP_PARAM_PER_POLICY,
	.help = "requests a worker may hold at once (JBSQ's k); it runs them in order",
};

const struct psp_param psp_knob_placement = {
	.name = "placement", .kind = PSP_PARAM_CHOICE, .rank = 20,
	.choices = "round-robin,random,flow-hash", .def = PSP_PLACE_ROUND_ROBIN,
	.help = "worker an arriving request is queued at: round-robin, random, or "
		"its flow hash mod workers (RSS)",
};

const struct psp_param psp_knob_quantum_us = {
	.name = "quantum_us", .kind = PSP_PARAM_UINT, .rank = 40, .scale = 1000,
	.def = 5, .min = 0.001, .max = 1e6, .unit = "us",
	.help = "time slice: a request that ran this long is preempted",
};

const struct psp_param psp_knob_preempt_cost_us = {
	.name = "preempt_cost_us", .kind = PSP_PARAM_UINT, .rank = 50, .scale = 1000,
	.def = 0, .min = 0, .max = 1e6, .unit = "us", .flags = PSP_PARAM_MODEL_ONLY,
	.help = "worker time lost per preemption (saving the context)",
};
