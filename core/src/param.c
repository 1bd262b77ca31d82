/* The knob registry, derived from the policies' ops->params, and the
 * knobs' parsing and formatting.  The knobs themselves are declared by the
 * policies that read them (knobs_shared.c for those several read). */
#define _POSIX_C_SOURCE 200809L /* pthread_once */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <psp/param.h>
#include <psp/policy.h>

#include "internal.h"

/* The registry, derived once from the policy table: every knob a policy
 * lists in its ops->params, once, stably sorted by rank. */
#define MAX_KNOBS 256
static const struct psp_param *registry[MAX_KNOBS];
static size_t nregistry;
static pthread_once_t registry_once = PTHREAD_ONCE_INIT;

static bool registered(const struct psp_param *prm)
{
	for (size_t i = 0; i < nregistry; i++)
		if (registry[i] == prm)
			return true;
	return false;
}

static void build_registry(void)
{
	for (size_t i = 0; psp_policy_at(i); i++)
		for (size_t k = 0; psp_policy_at(i)->params && psp_policy_at(i)->params[k]; k++) {
			const struct psp_param *prm = psp_policy_at(i)->params[k];
			if (registered(prm))
				continue;
			PSP_CHECK(nregistry < MAX_KNOBS);
			/* insertion: after every knob of the same or lower rank */
			size_t at = nregistry;
			while (at > 0 && registry[at - 1]->rank > prm->rank) {
				registry[at] = registry[at - 1];
				at--;
			}
			registry[at] = prm;
			nregistry++;
		}
}

size_t psp_param_count(void)
{
	pthread_once(&registry_once, build_registry);
	return nregistry;
}

const struct psp_param *psp_param_at(size_t i)
{
	return i < psp_param_count() ? registry[i] : NULL;
}

/* The knob's position in the registry, or -1. */
static long registry_index(const struct psp_param *prm)
{
	size_t n = psp_param_count();
	for (size_t i = 0; i < n; i++)
		if (registry[i] == prm)
			return (long)i;
	return -1;
}

union psp_knob_value *psp_knob_slot(struct psp_policy_conf *c, const struct psp_param *knob)
{
	long i = registry_index(knob);
	return i < 0 ? NULL : &c->knob[i];
}

static const union psp_knob_value *cslot(const struct psp_policy_conf *c,
					 const struct psp_param *knob)
{
	long i = registry_index(knob);
	PSP_CHECK(i >= 0); /* a policy reads a knob it does not list */
	return &c->knob[i];
}

uint64_t psp_knob_uint(const struct psp_policy_conf *c, const struct psp_param *knob)
{
	return cslot(c, knob)->u;
}

int64_t psp_knob_int(const struct psp_policy_conf *c, const struct psp_param *knob)
{
	return cslot(c, knob)->i;
}

double psp_knob_real(const struct psp_policy_conf *c, const struct psp_param *knob)
{
	return cslot(c, knob)->r;
}

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
	for (size_t i = 0; i < psp_param_count(); i++)
		if (name_eq(registry[i]->name, name))
			return registry[i];
	return NULL;
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
	union psp_knob_value *f = prm ? psp_knob_slot(conf, prm) : NULL;
	if (!f)
		return psp_err_set(err, -EINVAL, NULL, prm ? prm->name : "knob",
				   "not a knob of this library");
	if (!value)
		value = "";
	if (prm->kind == PSP_PARAM_BOOL) {
		bool b;
		if (parse_bool(value, &b) < 0)
			return psp_err_set(err, -EINVAL, NULL, prm->name,
					   "must be true or false, got '%.60s'", value);
		f->i = b;
		return 0;
	}
	if (prm->kind == PSP_PARAM_CHOICE) {
		int i = choice_index(prm->choices, value);
		if (i < 0)
			return psp_err_set(err, -EINVAL, NULL, prm->name,
					   "must be one of %s, got '%.60s'", prm->choices, value);
		f->i = i;
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
		f->r = stored;
		return 0;
	}
	if (prm->scale == 1 && stored != floor(stored))
		return refuse(err, prm, "must be a whole number in [%g, %g]", value, prm->min, max);
	stored = floor(stored + 0.5);
	if (prm->kind == PSP_PARAM_INT)
		f->i = (int64_t)stored;
	else
		f->u = (uint64_t)stored;
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
	const union psp_knob_value *f = cslot(conf, prm);
	switch (prm->kind) {
	case PSP_PARAM_BOOL:
		snprintf(buf, cap, "%s", f->i ? "true" : "false");
		return buf;
	case PSP_PARAM_CHOICE:
		return choice_name(prm->choices, (int)f->i, buf, cap);
	case PSP_PARAM_REAL:
		return format_number(f->r / prm->scale, buf, cap);
	case PSP_PARAM_INT:
		if ((double)f->i < prm->min * prm->scale) { /* reserve -1 */
			snprintf(buf, cap, "none");
			return buf;
		}
		return format_number((double)f->i / prm->scale, buf, cap);
	case PSP_PARAM_UINT: {
		uint64_t v = f->u;
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

double psp_param_stored(const struct psp_policy_conf *conf, const struct psp_param *prm)
{
	const union psp_knob_value *f = cslot(conf, prm);
	switch (prm->kind) {
	case PSP_PARAM_REAL: return f->r;
	case PSP_PARAM_UINT: return (double)f->u;
	default: return (double)f->i;
	}
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

/* Stores every knob's default in conf (psp_policy_conf_new). */
void psp_param_store_defaults(struct psp_policy_conf *conf)
{
	for (size_t i = 0; i < conf->nknobs; i++) {
		const struct psp_param *prm = registry[i];
		union psp_knob_value *f = &conf->knob[i];
		double stored = prm->def * prm->scale;
		if (prm->flags & PSP_PARAM_PER_POLICY)
			stored = 0; /* resolved by the policy at create */
		switch (prm->kind) {
		case PSP_PARAM_REAL: f->r = stored; break;
		case PSP_PARAM_UINT: f->u = (uint64_t)floor(stored + 0.5); break;
		default: f->i = (int64_t)floor(stored + 0.5); break;
		}
	}
}
