/* Every policy knob, described once: name, where it is stored, default,
 * range, unit and help.  Hosts build their flags and config keys from
 * psp_params[]; policies list the ones they read in ops->params. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <psp/param.h>
#include <psp/policy.h>

#include "internal.h"

#define FIELD(f) offsetof(struct psp_policy_conf, f), sizeof(((struct psp_policy_conf *)0)->f)

const struct psp_param psp_param_slots = {
	.name = "slots", .kind = PSP_PARAM_UINT, FIELD(slots), .scale = 1,
	.min = 1, .unit = "requests", .flags = PSP_PARAM_PER_POLICY,
	.help = "requests a worker may hold at once (JBSQ's k); it runs them in order",
};
const struct psp_param psp_param_placement = {
	.name = "placement", .kind = PSP_PARAM_CHOICE, FIELD(placement),
	.choices = "round-robin,random,flow-hash", .def = PSP_PLACE_ROUND_ROBIN,
	.help = "worker an arriving request is queued at: round-robin, random, or "
		"its flow hash mod workers (RSS)",
};
const struct psp_param psp_param_steal_cost_ns = {
	.name = "steal_cost_ns", .kind = PSP_PARAM_UINT, FIELD(steal_cost_ns), .scale = 1,
	.def = 0, .min = 0, .max = 1e9, .unit = "ns", .flags = PSP_PARAM_MODEL_ONLY,
	.help = "worker time spent on each steal before the stolen request runs",
};
const struct psp_param psp_param_preempt_cost_us = {
	.name = "preempt_cost_us", .kind = PSP_PARAM_UINT, FIELD(preempt_cost_ns), .scale = 1000,
	.def = 0, .min = 0, .max = 1e6, .unit = "us", .flags = PSP_PARAM_MODEL_ONLY,
	.help = "worker time lost per preemption (saving the context)",
};
const struct psp_param psp_param_quantum_us = {
	.name = "quantum_us", .kind = PSP_PARAM_UINT, FIELD(ts_quantum_ns), .scale = 1000,
	.def = 5, .min = 0.001, .max = 1e6, .unit = "us",
	.help = "time slice: a request that ran this long is preempted",
};
const struct psp_param psp_param_ts_variant = {
	.name = "ts_variant", .kind = PSP_PARAM_CHOICE, FIELD(ts_variant),
	.choices = "single,per-type", .def = PSP_TS_SINGLE_QUEUE,
	.help = "single: one FIFO; per-type: a FIFO per type, serve the largest "
		"wait / SLO (Shinjuku)",
};
const struct psp_param psp_param_ts_slo_factor = {
	.name = "ts_slo_factor", .kind = PSP_PARAM_REAL, FIELD(ts_slo_factor), .scale = 1,
	.def = 10, .min = 1e-3, .max = 1e6, .unit = "x mean",
	.help = "per-type variant: a type's SLO is this factor x its mean",
};
const struct psp_param psp_param_darc_mode = {
	.name = "darc_mode", .kind = PSP_PARAM_CHOICE, FIELD(darc_mode),
	.choices = "dynamic,oracle,static", .def = PSP_DARC_DYNAMIC,
	.help = "dynamic: profile, then reserve; oracle: reserve from the "
		"workload's means; static: --reserve K",
};
const struct psp_param psp_param_reserve = {
	.name = "reserve", .kind = PSP_PARAM_INT, FIELD(darc_reserve), .scale = 1,
	.def = -1, .min = 0, .max = PSP_MAX_WORKERS - 1, .unit = "cores",
	.implies = "darc_mode=static",
	.help = "static mode: cores [0,K) reserved for the short group",
};
const struct psp_param psp_param_no_steal = {
	.name = "no_steal", .kind = PSP_PARAM_BOOL, FIELD(darc_no_steal),
	.def = 0,
	.help = "groups use only their own cores (no stealing)",
};
const struct psp_param psp_param_darc_samples = {
	.name = "darc_samples", .kind = PSP_PARAM_UINT, FIELD(darc_min_samples), .scale = 1,
	.def = 50000, .min = 1, .max = 1e12, .unit = "completions",
	.help = "completions profiled before (re)reserving",
};
const struct psp_param psp_param_darc_delta = {
	.name = "darc_delta", .kind = PSP_PARAM_REAL, FIELD(darc_delta), .scale = 1,
	.def = 0.2, .min = 0, .max = 99.999, .unit = "",
	.help = "grouping tolerance: a type joins a group while its mean < (1 + delta) x the leader's",
};
const struct psp_param psp_param_darc_demand_change = {
	.name = "darc_demand_change", .kind = PSP_PARAM_REAL, FIELD(darc_demand_change),
	.scale = 1, .def = 0.1, .min = 0, .max = 1e6, .unit = "",
	.help = "re-reserve when a type's demand moved by more than this fraction",
};
const struct psp_param psp_param_darc_variant = {
	.name = "darc_variant", .kind = PSP_PARAM_CHOICE, FIELD(darc_variant),
	.choices = "paper,robust", .def = PSP_DARC_PAPER,
	.implies = "darc_ratio_source=arrivals darc_sizing=capacity darc_hysteresis=ci "
		   "darc_starvation_guard=20",
	.implies_when = "robust",
	.help = "paper: the paper's rule; robust: the four darc_* parts below at "
		"their robust setting (each part given explicitly wins)",
};
const struct psp_param psp_param_darc_ratio_source = {
	.name = "darc_ratio_source", .kind = PSP_PARAM_CHOICE, FIELD(darc_ratio_source),
	.choices = "completions,arrivals", .def = PSP_DARC_RATIOS_COMPLETIONS,
	.help = "a type's ratio is its share of the profiled completions (the paper) "
		"or of the arrivals over the same window; means always come from completions",
};
const struct psp_param psp_param_darc_sizing = {
	.name = "darc_sizing", .kind = PSP_PARAM_CHOICE, FIELD(darc_sizing),
	.choices = "rounding,capacity", .def = PSP_DARC_SIZE_ROUNDING,
	.help = "rounding: the paper's (fraction <= .5 down, spillway on overflow); "
		"capacity: the paper's counts without overflow, then cores moved so that each group's own "
		"plus stealable cores carry its measured load with a margin",
};
const struct psp_param psp_param_darc_hysteresis = {
	.name = "darc_hysteresis", .kind = PSP_PARAM_CHOICE, FIELD(darc_hysteresis),
	.choices = "fixed,ci", .def = PSP_DARC_HYST_FIXED,
	.help = "fixed: re-reserve when a demand moved by more than darc_demand_change "
		"(the paper); ci: when it moved beyond its 3-sigma profile noise, and "
		"never re-install the plan in force",
};
const struct psp_param psp_param_darc_starvation_guard = {
	.name = "darc_starvation_guard", .kind = PSP_PARAM_REAL, FIELD(darc_starvation_guard),
	.scale = 1, .def = 0, .min = 0, .max = 1e6, .unit = "x mean",
	.help = "a type whose oldest request waited longer than this multiple of its "
		"mean may use any idle core until its queue drains; 0: off (the paper)",
};

const struct psp_param *const psp_params[] = {
	&psp_param_slots, &psp_param_placement, &psp_param_steal_cost_ns,
	&psp_param_quantum_us, &psp_param_preempt_cost_us, &psp_param_ts_variant,
	&psp_param_ts_slo_factor, &psp_param_darc_mode, &psp_param_reserve,
	&psp_param_no_steal, &psp_param_darc_samples, &psp_param_darc_delta,
	&psp_param_darc_demand_change, &psp_param_darc_variant,
	&psp_param_darc_ratio_source, &psp_param_darc_sizing, &psp_param_darc_hysteresis,
	&psp_param_darc_starvation_guard, NULL,
};

/* Same name, with '-' and '_' taken as equal. */
static bool name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
		if (x != y)
			return false;
	}
	return *a == *b;
}

const struct psp_param *psp_param_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; psp_params[i]; i++)
		if (name_eq(psp_params[i]->name, name))
			return psp_params[i];
	return NULL;
}

static void *field(struct psp_policy_conf *conf, const struct psp_param *prm)
{
	return (char *)conf + prm->offset;
}

static const void *cfield(const struct psp_policy_conf *conf, const struct psp_param *prm)
{
	return (const char *)conf + prm->offset;
}

/* The index of name in the comma-separated list, or -1. */
static int choice_index(const char *choices, const char *name)
{
	size_t n = strlen(name);
	int i = 0;
	for (const char *s = choices; *s; i++) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len == n && strncasecmp(s, name, n) == 0)
			return i;
		if (!e)
			break;
		s = e + 1;
	}
	return -1;
}

/* The i-th name of the list into buf. */
static const char *choice_name(const char *choices, int i, char *buf, size_t cap)
{
	const char *s = choices;
	for (int k = 0; k < i && s; k++) {
		s = strchr(s, ',');
		if (s)
			s++;
	}
	if (!s || i < 0) {
		snprintf(buf, cap, "%d", i);
		return buf;
	}
	const char *e = strchr(s, ',');
	size_t len = e ? (size_t)(e - s) : strlen(s);
	snprintf(buf, cap, "%.*s", (int)len, s);
	return buf;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int refuse(struct psp_err *err, const struct psp_param *prm, const char *fmt,
		  const char *value, double lo, double hi)
{
	char msg[160];
	snprintf(msg, sizeof(msg), fmt, lo, hi);
	return psp_err_set(err, -EINVAL, NULL, prm->name, "%s, got '%.60s'", msg, value);
}

int psp_param_set(struct psp_policy_conf *conf, const struct psp_param *prm,
		  const char *value, struct psp_err *err)
{
	if (!value)
		value = "";
	if (prm->kind == PSP_PARAM_BOOL) {
		bool b;
		if (parse_bool(value, &b) < 0)
			return psp_err_set(err, -EINVAL, NULL, prm->name,
					   "must be true or false, got '%.60s'", value);
		*(bool *)field(conf, prm) = b;
		return 0;
	}
	if (prm->kind == PSP_PARAM_CHOICE) {
		int i = choice_index(prm->choices, value);
		if (i < 0)
			return psp_err_set(err, -EINVAL, NULL, prm->name,
					   "must be one of %s, got '%.60s'", prm->choices, value);
		*(int *)field(conf, prm) = i;
		return 0;
	}
	char *end;
	errno = 0;
	double v = strtod(value, &end);
	double max = prm->flags & PSP_PARAM_PER_POLICY ? PSP_MAX_SLOTS : prm->max;
	if (errno || end == value || *end || !isfinite(v))
		return refuse(err, prm, "must be a number in [%g, %g]", value, prm->min, max);
	if (v < prm->min || v > max)
		return refuse(err, prm, "must be in [%g, %g]", value, prm->min, max);
	double stored = v * prm->scale;
	if (prm->kind == PSP_PARAM_REAL) {
		*(double *)field(conf, prm) = stored;
		return 0;
	}
	if (prm->scale == 1 && stored != floor(stored))
		return refuse(err, prm, "must be a whole number in [%g, %g]", value, prm->min, max);
	stored = floor(stored + 0.5);
	if (prm->kind == PSP_PARAM_INT)
		*(int32_t *)field(conf, prm) = (int32_t)stored;
	else if (prm->size == sizeof(uint32_t))
		*(uint32_t *)field(conf, prm) = (uint32_t)stored;
	else
		*(uint64_t *)field(conf, prm) = (uint64_t)stored;
	return 0;
}

/* Was the knob target given among v[0..n)? */
static bool given(const struct psp_param_value *v, size_t n, const struct psp_param *target)
{
	for (size_t j = 0; j < n; j++)
		if (v[j].param == target)
			return true;
	return false;
}

/* Sets what v implies ("name=value name=value"), each unless given. */
static int apply_implied(struct psp_policy_conf *conf, const struct psp_param_value *v,
			 const struct psp_param_value *all, size_t n, struct psp_err *err)
{
	const struct psp_param *prm = v->param;
	if (prm->implies_when && (!v->value || strcasecmp(v->value, prm->implies_when) != 0))
		return 0;
	for (const char *s = prm->implies; *s;) {
		size_t len = strcspn(s, " ");
		char pair[96], *eq;
		snprintf(pair, sizeof(pair), "%.*s", (int)len, s);
		s += len + strspn(s + len, " ");
		eq = strchr(pair, '=');
		*eq = '\0';
		const struct psp_param *target = psp_param_find(pair);
		if (!given(all, n, target)) {
			int rc = psp_param_set(conf, target, eq + 1, err);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

int psp_param_apply(struct psp_policy_conf *conf, const struct psp_param_value *v,
		    size_t n, struct psp_err *err)
{
	for (size_t i = 0; i < n; i++) {
		if (!v[i].param->implies)
			continue;
		int rc = apply_implied(conf, &v[i], v, n, err);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < n; i++) {
		int rc = psp_param_set(conf, v[i].param, v[i].value, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const char *format_number(double v, char *buf, size_t cap)
{
	snprintf(buf, cap, "%.10g", v);
	return buf;
}

const char *psp_param_format(const struct psp_policy_conf *conf,
			     const struct psp_param *prm, char *buf, size_t cap)
{
	const void *f = cfield(conf, prm);
	switch (prm->kind) {
	case PSP_PARAM_BOOL:
		snprintf(buf, cap, "%s", *(const bool *)f ? "true" : "false");
		return buf;
	case PSP_PARAM_CHOICE:
		return choice_name(prm->choices, *(const int *)f, buf, cap);
	case PSP_PARAM_REAL:
		return format_number(*(const double *)f / prm->scale, buf, cap);
	case PSP_PARAM_INT:
		if ((double)*(const int32_t *)f < prm->min * prm->scale) { /* reserve -1 */
			snprintf(buf, cap, "none");
			return buf;
		}
		return format_number((double)*(const int32_t *)f / prm->scale, buf, cap);
	case PSP_PARAM_UINT: {
		uint64_t v = prm->size == sizeof(uint32_t) ? *(const uint32_t *)f
							   : *(const uint64_t *)f;
		/* Unscaled: every digit (%.10g would write darc_samples
		 * 123456789012 as 1.23456789e+11). */
		if (prm->scale == 1) {
			snprintf(buf, cap, "%llu", (unsigned long long)v);
			return buf;
		}
		return format_number((double)v / prm->scale, buf, cap);
	}
	}
	return buf;
}

const char *psp_param_format_default(const struct psp_param *prm, char *buf, size_t cap)
{
	if (prm->flags & PSP_PARAM_PER_POLICY)
		snprintf(buf, cap, "per policy");
	else if (prm->kind == PSP_PARAM_CHOICE)
		choice_name(prm->choices, (int)prm->def, buf, cap);
	else if (prm->kind == PSP_PARAM_BOOL)
		snprintf(buf, cap, "%s", prm->def != 0 ? "true" : "false");
	else if (prm->kind == PSP_PARAM_INT && prm->def < prm->min)
		snprintf(buf, cap, "none");
	else
		format_number(prm->def, buf, cap);
	return buf;
}

void psp_param_defaults(struct psp_policy_conf *conf)
{
	for (size_t i = 0; psp_params[i]; i++) {
		const struct psp_param *prm = psp_params[i];
		void *f = field(conf, prm);
		double stored = prm->def * prm->scale;
		if (prm->flags & PSP_PARAM_PER_POLICY)
			stored = 0; /* resolved by the policy at create */
		switch (prm->kind) {
		case PSP_PARAM_BOOL: *(bool *)f = stored != 0; break;
		case PSP_PARAM_CHOICE: *(int *)f = (int)stored; break;
		case PSP_PARAM_REAL: *(double *)f = stored; break;
		case PSP_PARAM_INT: *(int32_t *)f = (int32_t)floor(stored + 0.5); break;
		case PSP_PARAM_UINT:
			if (prm->size == sizeof(uint32_t))
				*(uint32_t *)f = (uint32_t)floor(stored + 0.5);
			else
				*(uint64_t *)f = (uint64_t)floor(stored + 0.5);
			break;
		}
	}
}
