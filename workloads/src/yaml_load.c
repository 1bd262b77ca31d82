/* The workload file loader: reads one YAML file through the YAML layer
 * (psp/ydoc.h) into a struct psp_workload, strictly (Caladan cfg.c style): unknown keys,
 * missing keys, wrong types and out-of-range values all fail with an error
 * that names the file, the 1-based line and column, and the key path
 * (e.g. phases[0].types[2].service.dist).
 *
 * The document API builds the whole tree first; workload files are a few
 * dozen lines, so that costs nothing and lets us point at any node's mark
 * (key or value) when something is wrong, which the event API makes awkward.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <psp/ydoc.h>

#include "internal.h"

#define KEY_MAX 96u
#define RATIO_SUM_TOL 1e-6
#define WIRE_ID_MAX PSP_WL_WIRE_ID_MAX

/* Parse state; lives on psp_workload_parse_file's stack. */
struct ctx {
	struct ydoc *d;
	struct psp_workload *wl;
	struct psp_err *err;
	/* Per global type: the explicit wire id (0 = not given) and where the
	 * type's wire id comes from, for the duplicate check at the end. */
	uint32_t wire_given[PSP_MAX_TYPES];
	const yaml_node_t *wire_node[PSP_MAX_TYPES];
	char wire_key[PSP_MAX_TYPES][KEY_MAX];
	char op_key[PSP_MAX_TYPES][KEY_MAX]; /* where a type's op was given */
	uint32_t first_phase[PSP_MAX_TYPES];
};

/* Bounded copy of a key path (KEY_MAX bytes). */
static void key_copy(char *dst, const char *src)
{
	size_t n = strlen(src);
	if (n >= KEY_MAX)
		n = KEY_MAX - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Records an -EINVAL error at node n and returns -EINVAL. */
static int fail_at(struct ctx *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_at(struct ctx *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
	char msg[sizeof(c->err->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ydoc_fail(c->d, n, key, c->err, -EINVAL, "%s", msg);
}

/* prefix.k, or k when prefix is empty.  The longest key the schema allows,
 * phases[15].types[15].service.mean_us, is 37 characters, so only a user's
 * unknown key can be cut short, and it is quoted in full in the message. */
static const char *key_join(char *buf, const char *prefix, const char *k)
{
	if (snprintf(buf, KEY_MAX, "%s%s%s", prefix, prefix[0] ? "." : "", k) >= (int)KEY_MAX)
		buf[KEY_MAX - 2] = '~'; /* mark the cut */
	return buf;
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* s, or its first 40 characters and "...", so that quoting a user's long
 * value leaves room in the message for the reason. */
static const char *clip(const char *s, char buf[48])
{
	if (strlen(s) < 44)
		return s;
	snprintf(buf, 48, "%.40s...", s);
	return buf;
}

/* Reads the mapping n into vals[i] and keys[i], one per allowed key
 * (ydoc_map: unknown and duplicate keys refused). */
static int read_map(struct ctx *c, yaml_node_t *n, const char *prefix,
		    const char *const *allowed, size_t nallowed,
		    yaml_node_t **vals, yaml_node_t **keys)
{
	return ydoc_map(c->d, n, prefix, allowed, nallowed, vals, keys, c->err);
}

static int require(struct ctx *c, const yaml_node_t *map, const yaml_node_t *v,
		   const char *prefix, const char *name)
{
	char key[KEY_MAX];
	if (v)
		return 0;
	return fail_at(c, map, key_join(key, prefix, name),
		       "missing required key '%s'", name);
}

/* A non-empty scalar that fits in cap bytes. */
static int get_string(struct ctx *c, const yaml_node_t *n, const char *key,
		      char *out, size_t cap)
{
	if (n->type != YAML_SCALAR_NODE)
		return fail_at(c, n, key, "expected a string, got %s", ydoc_kind(n));
	size_t len = n->data.scalar.length;
	if (len == 0)
		return fail_at(c, n, key, "must not be empty");
	if (len >= cap)
		return fail_at(c, n, key, "too long: %zu characters, at most %zu",
			       len, cap - 1);
	memcpy(out, scalar(n), len + 1);
	return 0;
}

/* A finite number; the whole scalar must parse (strtod), so "1 us" or "fast"
 * are rejected rather than read as 1 or 0. */
static int get_number(struct ctx *c, const yaml_node_t *n, const char *key, double *out)
{
	if (n->type != YAML_SCALAR_NODE)
		return fail_at(c, n, key, "expected a number, got %s", ydoc_kind(n));
	const char *s = scalar(n);
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	char cut[48];
	if (end == s || *end != '\0')
		return fail_at(c, n, key, "expected a finite number, got '%s'",
			       clip(s, cut));
	if (!isfinite(v))
		return fail_at(c, n, key, "expected a finite number, got '%s'%s",
			       clip(s, cut), isnan(v) ? " (NaN)" : "");
	if (errno == ERANGE) /* underflow: closer to 0 than a normal double */
		return fail_at(c, n, key, "'%s' is too close to 0 for a double",
			       clip(s, cut));
	*out = v;
	return 0;
}

static int get_positive(struct ctx *c, const yaml_node_t *n, const char *key, double *out)
{
	int rc = get_number(c, n, key, out);
	if (rc)
		return rc;
	if (!(*out > 0))
		return fail_at(c, n, key, "must be > 0, got %g", *out);
	return 0;
}

static int get_duration(struct ctx *c, const yaml_node_t *n, const char *key, double *out)
{
	int rc = get_positive(c, n, key, out);
	if (rc)
		return rc;
	if (*out < PSP_WL_DURATION_MS_MIN)
		return fail_at(c, n, key,
			       "must be at least %g ms (1 ns, the simulator's clock tick), got %g",
			       PSP_WL_DURATION_MS_MIN, *out);
	if (*out > PSP_WL_DURATION_MS_MAX)
		return fail_at(c, n, key,
			       "must be at most %g ms (11.6 days), got %g: simulated time is kept "
			       "in ns below 2^56 (about 2.3 years, sim/evq.h), which %u such "
			       "phases must fit", PSP_WL_DURATION_MS_MAX, *out, PSP_WL_MAX_PHASES);
	return 0;
}

static int get_wire_id(struct ctx *c, const yaml_node_t *n, const char *key, uint32_t *out)
{
	if (n->type != YAML_SCALAR_NODE)
		return fail_at(c, n, key,
			       "expected an integer in 1..%u, got %s", WIRE_ID_MAX, ydoc_kind(n));
	const char *s = scalar(n);
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	char cut[48];
	if (end == s || *end != '\0' || errno == ERANGE)
		return fail_at(c, n, key,
			       "expected an integer in 1..%u, got '%s'", WIRE_ID_MAX, clip(s, cut));
	if (v < 1 || v > WIRE_ID_MAX)
		return fail_at(c, n, key,
			       "must be in 1..%u (the wire's u32 type field; 0 means unknown), "
			       "got %lld",
			       WIRE_ID_MAX, v);
	*out = (uint32_t)v;
	return 0;
}

/* The bounds of workload.h, each with its reason. */
static int check_param(struct ctx *c, const yaml_node_t *n, const char *key, unsigned p,
		       double v)
{
	switch (p) {
	case WL_P_SIGMA:
		if (v > PSP_WL_SIGMA_MAX)
			return fail_at(c, n, key,
				       "must be at most %g, got %g: a lognormal's mean rests on "
				       "draws sigma standard deviations up, and beyond %g they are "
				       "too rare for a run to measure its declared mean",
				       PSP_WL_SIGMA_MAX, v, PSP_WL_SIGMA_MAX);
		return 0;
	case WL_P_ALPHA:
		if (v < PSP_WL_ALPHA_MIN || v > PSP_WL_ALPHA_MAX)
			return fail_at(c, n, key,
				       "must be in [%g, %g], got %g: below, 1 - (min/max)^alpha "
				       "vanishes in double precision and the distribution cannot "
				       "be sampled", PSP_WL_ALPHA_MIN, PSP_WL_ALPHA_MAX, v);
		return 0;
	default: /* mean_us, min_us, max_us */
		if (v < PSP_WL_TIME_US_MIN)
			return fail_at(c, n, key,
				       "must be at least %g us (1 ns, the simulator's clock tick: "
				       "a shorter service time would run as 1 ns), got %g",
				       PSP_WL_TIME_US_MIN, v);
		if (v > PSP_WL_TIME_US_MAX)
			return fail_at(c, n, key,
				       "must be at most %g us (1000 s), got %g: simulated time is "
				       "kept in ns below 2^56 (about 2.3 years, sim/evq.h), which "
				       "longer service times would overflow within a run",
				       PSP_WL_TIME_US_MAX, v);
		return 0;
	}
}

/* service: {dist, mean_us | sigma | alpha | min_us | max_us}.  Every
 * parameter the distribution takes is required and no other is accepted, so
 * a lognormal without sigma or a constant with a stray sigma is an error
 * rather than a silent default. */
static int parse_service(struct ctx *c, yaml_node_t *n, const char *prefix,
			 struct psp_dist *d)
{
	static const char *const allowed[] = {
		"dist", "mean_us", "sigma", "alpha", "min_us", "max_us",
	};
	enum { F_DIST, F_PARAM0 }; /* allowed[F_PARAM0 + i] is wl_param_key(i) */
	yaml_node_t *v[6], *k[6];
	char key[KEY_MAX], text[64];
	int rc = read_map(c, n, prefix, allowed, 6, v, k);
	if (rc || (rc = require(c, n, v[F_DIST], prefix, "dist")))
		return rc;
	key_join(key, prefix, "dist");
	if (v[F_DIST]->type != YAML_SCALAR_NODE)
		return fail_at(c, v[F_DIST], key,
			       "expected a distribution name, got %s", ydoc_kind(v[F_DIST]));
	memset(d, 0, sizeof(*d));
	if (wl_dist_parse(scalar(v[F_DIST]), &d->kind) < 0)
		return fail_at(c, v[F_DIST], key,
			       "unknown distribution '%s'; known: %s",
			       clip(scalar(v[F_DIST]), text), wl_dist_known());

	unsigned want = wl_dist_params(d->kind);
	double val[WL_NPARAMS] = {0};
	for (unsigned i = 0; i < WL_NPARAMS; i++) {
		yaml_node_t *pv = v[F_PARAM0 + i];
		key_join(key, prefix, wl_param_key(i));
		if (pv && !(want & (1u << i)))
			return fail_at(c, k[F_PARAM0 + i], key,
				       "'%s' does not apply to dist %s, which takes: %s",
				       wl_param_key(i), psp_dist_name(d->kind),
				       wl_dist_params_text(d->kind, text, sizeof(text)));
		if (!pv && (want & (1u << i)))
			return fail_at(c, n, key,
				       "missing required key '%s' (dist %s takes: %s)",
				       wl_param_key(i), psp_dist_name(d->kind),
				       wl_dist_params_text(d->kind, text, sizeof(text)));
		if (!pv)
			continue;
		rc = get_number(c, pv, key, &val[i]);
		if (rc)
			return rc;
		/* sigma = 0 is a degenerate but valid lognormal; the others
		 * are scales or shapes that must be positive. */
		if ((1u << i) == WL_P_SIGMA ? val[i] < 0 : !(val[i] > 0))
			return fail_at(c, pv, key, "must be %s, got %g",
				       (1u << i) == WL_P_SIGMA ? ">= 0" : "> 0", val[i]);
		if ((rc = check_param(c, pv, key, 1u << i, val[i])))
			return rc;
	}
	d->mean_us = val[0];
	d->sigma = val[1];
	d->alpha = val[2];
	d->min_us = val[3];
	d->max_us = val[4];
	if ((want & WL_P_MIN) && d->min_us >= d->max_us)
		return fail_at(c, v[F_PARAM0 + 3], key_join(key, prefix, "min_us"),
			       "min_us must be < max_us, got min_us %g >= max_us %g",
			       d->min_us, d->max_us);
	if (!(want & WL_P_MEAN))
		d->mean_us = psp_dist_mean_us(d);
	/* Cannot happen within the bounds above; kept so that a change of
	 * them cannot let a NaN mean through to the simulator. */
	if (!(d->mean_us >= PSP_WL_TIME_US_MIN && d->mean_us <= PSP_WL_TIME_US_MAX))
		return fail_at(c, n, prefix,
			       "the distribution's mean (%g us) is not in [%g, %g] us", d->mean_us,
			       PSP_WL_TIME_US_MIN, PSP_WL_TIME_US_MAX);
	return 0;
}

/* The global index of type name, adding it to the union if new. */
static int type_index(struct ctx *c, const yaml_node_t *name_node, const char *key,
		      const char *name, uint32_t phase, uint32_t *t)
{
	struct psp_workload *wl = c->wl;
	for (uint32_t i = 0; i < wl->ntypes; i++) {
		if (strcmp(wl->type_name[i], name) == 0) {
			*t = i;
			return 0;
		}
	}
	if (wl->ntypes == PSP_MAX_TYPES)
		return fail_at(c, name_node, key,
			       "type '%s' would be type %u; at most %u types (PSP_MAX_TYPES) "
			       "across all phases", name, PSP_MAX_TYPES + 1, PSP_MAX_TYPES);
	*t = wl->ntypes++;
	snprintf(wl->type_name[*t], PSP_WL_NAME_MAX, "%s", name);
	c->first_phase[*t] = phase;
	return 0;
}

/* A type's op: "get" or "scan N" (N in 1..PSP_WL_SCAN_MAX), written back in
 * that form.  What it does is the engine's (app: rocksdb); psp-sim and the
 * spin application do not read it. */
static int get_op(struct ctx *c, const yaml_node_t *n, const char *key, char *out)
{
	char raw[PSP_WL_OP_MAX + 16];
	int rc = get_string(c, n, key, raw, sizeof(raw));
	if (rc)
		return rc;
	unsigned long long keys = 0;
	char tail;
	if (!strcmp(raw, "get")) {
		snprintf(out, PSP_WL_OP_MAX, "get");
		return 0;
	}
	if (sscanf(raw, "scan %llu%c", &keys, &tail) != 1 || keys < 1 || keys > PSP_WL_SCAN_MAX)
		return fail_at(c, n, key, "must be get or \"scan N\" with N in 1..%u, got \"%s\"",
			       PSP_WL_SCAN_MAX, raw);
	snprintf(out, PSP_WL_OP_MAX, "scan %llu", keys);
	return 0;
}

/* One entry of a types list: {name, ratio, wire_id?, op?, service}. */
static int parse_type(struct ctx *c, yaml_node_t *n, const char *prefix,
		      uint32_t ph, bool *seen, char (*seen_key)[KEY_MAX])
{
	static const char *const allowed[] = {"name", "ratio", "wire_id", "service", "op"};
	enum { F_NAME, F_RATIO, F_WIRE, F_SERVICE, F_OP };
	yaml_node_t *v[5], *k[5];
	char key[KEY_MAX], sub[KEY_MAX], name[PSP_WL_NAME_MAX];
	struct psp_wl_phase *phase = &c->wl->phase[ph];
	uint32_t t = 0;
	double ratio;

	int rc = read_map(c, n, prefix, allowed, 5, v, k);
	if (rc || (rc = require(c, n, v[F_NAME], prefix, "name")) ||
	    (rc = require(c, n, v[F_RATIO], prefix, "ratio")) ||
	    (rc = require(c, n, v[F_SERVICE], prefix, "service")))
		return rc;

	key_join(key, prefix, "name");
	if ((rc = get_string(c, v[F_NAME], key, name, sizeof(name))) ||
	    (rc = type_index(c, v[F_NAME], key, name, ph, &t)))
		return rc;
	if (seen[t])
		return fail_at(c, v[F_NAME], key,
			       "duplicate type name '%s' in this phase (also %s)",
			       name, seen_key[t]);
	seen[t] = true;
	key_copy(seen_key[t], prefix);

	key_join(key, prefix, "ratio");
	if ((rc = get_number(c, v[F_RATIO], key, &ratio)))
		return rc;
	if (!(ratio > 0 && ratio <= 1))
		return fail_at(c, v[F_RATIO], key,
			       "must be in (0, 1], got %g (leave a type out of a phase "
			       "to give it ratio 0)", ratio);
	phase->ratio[t] = ratio;

	if (v[F_WIRE]) {
		uint32_t id = 0;
		key_join(key, prefix, "wire_id");
		if ((rc = get_wire_id(c, v[F_WIRE], key, &id)))
			return rc;
		if (c->wire_given[t] && c->wire_given[t] != id)
			return fail_at(c, v[F_WIRE], key,
				       "wire_id %u for type '%s' differs from %u given at %s",
				       id, name, c->wire_given[t], c->wire_key[t]);
		if (!c->wire_given[t]) {
			c->wire_given[t] = id;
			c->wire_node[t] = v[F_WIRE];
			key_copy(c->wire_key[t], key);
		}
	} else if (!c->wire_given[t] && !c->wire_key[t][0]) {
		/* Default id; remember the type's first entry for errors. */
		c->wire_node[t] = n;
		key_copy(c->wire_key[t], prefix);
	}

	if (v[F_OP]) {
		char op[PSP_WL_OP_MAX];
		key_join(key, prefix, "op");
		if ((rc = get_op(c, v[F_OP], key, op)))
			return rc;
		if (c->op_key[t][0] && strcmp(c->wl->op[t], op))
			return fail_at(c, v[F_OP], key, "op \"%s\" for type '%s' differs from \"%s\" "
				       "given at %s", op, name, c->wl->op[t], c->op_key[t]);
		snprintf(c->wl->op[t], PSP_WL_OP_MAX, "%s", op);
		key_copy(c->op_key[t], key);
	}

	return parse_service(c, v[F_SERVICE], key_join(sub, prefix, "service"),
			     &phase->service[t]);
}

/* A types list for phase ph; prefix is "" or "phases[i]". */
static int parse_types(struct ctx *c, yaml_node_t *n, const char *prefix, uint32_t ph)
{
	char key[KEY_MAX], item[KEY_MAX];
	bool seen[PSP_MAX_TYPES] = {false};
	char seen_key[PSP_MAX_TYPES][KEY_MAX];
	struct psp_wl_phase *phase = &c->wl->phase[ph];

	key_join(key, prefix, "types");
	if (n->type != YAML_SEQUENCE_NODE)
		return fail_at(c, n, key, "expected a list of types, got %s",
			       ydoc_kind(n));
	yaml_node_item_t *items = n->data.sequence.items.start;
	size_t count = (size_t)(n->data.sequence.items.top - items);
	if (count == 0)
		return fail_at(c, n, key, "must list at least one type");
	for (size_t j = 0; j < count; j++) {
		if (snprintf(item, sizeof(item), "%s[%zu]", key, j) >= (int)sizeof(item))
			item[sizeof(item) - 2] = '~'; /* cannot happen: keys are short */
		int rc = parse_type(c, ydoc_node(c->d, items[j]), item,
				    ph, seen, seen_key);
		if (rc)
			return rc;
	}

	double sum = 0, mean = 0;
	for (uint32_t t = 0; t < c->wl->ntypes; t++) {
		sum += phase->ratio[t];
		mean += phase->ratio[t] * phase->service[t].mean_us;
	}
	if (fabs(sum - 1.0) > RATIO_SUM_TOL)
		return fail_at(c, n, key,
			       "ratios must sum to 1 (within %g), got %.9g",
			       RATIO_SUM_TOL, sum);
	phase->mean_service_us = mean;
	return 0;
}

static int parse_phases(struct ctx *c, yaml_node_t *n)
{
	static const char *const allowed[] = {"duration_ms", "types"};
	yaml_node_t *v[2], *k[2];
	char prefix[KEY_MAX], key[KEY_MAX];

	if (n->type != YAML_SEQUENCE_NODE)
		return fail_at(c, n, "phases", "expected a list of phases, got %s",
			       ydoc_kind(n));
	yaml_node_item_t *items = n->data.sequence.items.start;
	size_t count = (size_t)(n->data.sequence.items.top - items);
	if (count == 0)
		return fail_at(c, n, "phases", "must list at least one phase");
	if (count > PSP_WL_MAX_PHASES)
		return fail_at(c, ydoc_node(c->d, items[PSP_WL_MAX_PHASES]),
			       "phases", "at most %u phases (PSP_WL_MAX_PHASES), got %zu",
			       PSP_WL_MAX_PHASES, count);
	for (uint32_t i = 0; i < count; i++) {
		yaml_node_t *pn = ydoc_node(c->d, items[i]);
		struct psp_wl_phase *phase = &c->wl->phase[i];
		snprintf(prefix, sizeof(prefix), "phases[%u]", i);
		int rc = read_map(c, pn, prefix, allowed, 2, v, k);
		if (rc || (rc = require(c, pn, v[0], prefix, "duration_ms")) ||
		    (rc = require(c, pn, v[1], prefix, "types")) ||
		    (rc = get_duration(c, v[0], key_join(key, prefix, "duration_ms"),
				       &phase->duration_ms)) ||
		    (rc = parse_types(c, v[1], prefix, i)))
			return rc;
	}
	c->wl->nphases = (uint32_t)count;
	return 0;
}

/* Fills default wire ids (position + 1 in first-seen order) and rejects two
 * types sharing one.  Blames the entry that gave an explicit id, since a
 * default cannot collide with another default. */
static int check_wire_ids(struct ctx *c)
{
	struct psp_workload *wl = c->wl;
	for (uint32_t t = 0; t < wl->ntypes; t++)
		wl->wire_id[t] = c->wire_given[t] ? c->wire_given[t] : t + 1;
	for (uint32_t j = 1; j < wl->ntypes; j++) {
		for (uint32_t i = 0; i < j; i++) {
			if (wl->wire_id[i] != wl->wire_id[j])
				continue;
			uint32_t bad = c->wire_given[j] ? j : i, other = bad == j ? i : j;
			return fail_at(c, c->wire_node[bad], c->wire_key[bad],
				       "wire_id %u of type '%s' is also the wire id of type "
				       "'%s'%s", wl->wire_id[bad], wl->type_name[bad],
				       wl->type_name[other],
				       c->wire_given[other] ? "" : " (its default, position + 1)");
		}
	}
	return 0;
}

static int parse_root(struct ctx *c, yaml_node_t *root)
{
	static const char *const allowed[] = {"name", "description", "arrival", "types",
					      "phases", "slo"};
	enum { F_NAME, F_DESC, F_ARRIVAL, F_TYPES, F_PHASES, F_SLO };
	yaml_node_t *v[6], *k[6];
	struct psp_workload *wl = c->wl;

	int rc = read_map(c, root, "", allowed, 6, v, k);
	if (rc || (rc = require(c, root, v[F_NAME], "", "name")) ||
	    (rc = get_string(c, v[F_NAME], "name", wl->name, sizeof(wl->name))))
		return rc;
	if (v[F_DESC] && (rc = get_string(c, v[F_DESC], "description", wl->description,
					  sizeof(wl->description))))
		return rc;
	wl->slo = 0;
	if (v[F_SLO]) {
		if ((rc = get_number(c, v[F_SLO], "slo", &wl->slo)))
			return rc;
		if (!(wl->slo >= 1 && wl->slo <= 1e9))
			return fail_at(c, v[F_SLO], "slo",
				       "a p99.9 slowdown target must be in [1, 1e9], got %g", wl->slo);
	}
	wl->arrival = PSP_ARRIVAL_POISSON;
	if (v[F_ARRIVAL]) {
		const yaml_node_t *a = v[F_ARRIVAL];
		char cut[48];
		if (a->type != YAML_SCALAR_NODE ||
		    (strcmp(scalar(a), "poisson") != 0 && strcmp(scalar(a), "constant") != 0))
			return fail_at(c, a, "arrival",
				       "expected poisson or constant, got %s%s%s",
				       a->type == YAML_SCALAR_NODE ? "'" : "",
				       a->type == YAML_SCALAR_NODE ? clip(scalar(a), cut) : ydoc_kind(a),
				       a->type == YAML_SCALAR_NODE ? "'" : "");
		if (strcmp(scalar(a), "constant") == 0)
			wl->arrival = PSP_ARRIVAL_CONSTANT;
	}
	if (v[F_TYPES] && v[F_PHASES])
		return fail_at(c, k[F_PHASES], "phases",
			       "give either 'types' or 'phases', not both");
	if (!v[F_TYPES] && !v[F_PHASES])
		return fail_at(c, root, "types",
			       "missing required key: give either 'types' or 'phases'");
	if (v[F_TYPES]) {
		wl->nphases = 1;
		rc = parse_types(c, v[F_TYPES], "", 0);
	} else {
		rc = parse_phases(c, v[F_PHASES]);
	}
	if (rc || (rc = check_wire_ids(c)))
		return rc;

	/* A type a phase leaves out keeps the distribution it last had (or, before
	 * it first appears, the one it will have), so a host that samples it
	 * anyway, or reads its mean, gets a meaningful value. */
	for (uint32_t ph = 0; ph < wl->nphases; ph++)
		for (uint32_t t = 0; t < wl->ntypes; t++)
			if (wl->phase[ph].ratio[t] == 0)
				wl->phase[ph].service[t] =
					wl->phase[ph > c->first_phase[t] ? ph - 1 : c->first_phase[t]].service[t];
	return 0;
}

int psp_workload_parse_file(const char *path, struct psp_workload *wl,
			    struct psp_err *err)
{
	struct ydoc d;
	struct ctx c = {.d = &d, .wl = wl, .err = err};
	psp_err_clear(err);
	memset(wl, 0, sizeof(*wl));
	int rc = ydoc_load(&d, path, "workload", err);
	if (rc < 0)
		return rc;
	yaml_node_t *root = ydoc_root(&d);
	if (!root) {
		char where[sizeof(err->where)];
		snprintf(where, sizeof(where), "%.120s:1:1", path);
		rc = psp_err_set(err, -EINVAL, where, NULL, "empty workload file: expected a "
				 "mapping with name and types (or phases)");
	} else {
		snprintf(wl->path, sizeof(wl->path), "%s", path);
		rc = parse_root(&c, root);
	}
	ydoc_free(&d);
	if (rc)
		memset(wl, 0, sizeof(*wl));
	return rc;
}
