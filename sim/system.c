/* The system file loader (system.h, docs/system-model.md) and the draws of
 * its parts. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psp/ydoc.h>

#include "system.h"

#define KEY_MAX 96u

struct ctx {
	struct ydoc *d;
	struct sim_system *sys;
	struct psp_err *err;
};

static const char *key_join(char *buf, const char *prefix, const char *k)
{
	snprintf(buf, KEY_MAX, "%s%s%s", prefix, prefix[0] ? "." : "", k);
	return buf;
}

/* A finite number, the whole scalar. */
static int get_number(struct ctx *c, const yaml_node_t *n, const char *key, double *out)
{
	const char *s = ydoc_scalar(n);
	if (!s)
		return ydoc_fail(c->d, n, key, c->err, -EINVAL, "expected a number, got %s",
				 ydoc_kind(n));
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || !isfinite(v) || errno == ERANGE)
		return ydoc_fail(c->d, n, key, c->err, -EINVAL, "expected a finite number, got '%.40s'",
				 s);
	*out = v;
	return 0;
}

/* A number in [lo, hi], with why for the message. */
static int get_range(struct ctx *c, const yaml_node_t *n, const char *key, double lo, double hi,
		     const char *why, double *out)
{
	int rc = get_number(c, n, key, out);
	if (rc)
		return rc;
	if (!(*out >= lo && *out <= hi))
		return ydoc_fail(c->d, n, key, c->err, -EINVAL, "must be in [%g, %g]%s, got %g", lo,
				 hi, why, *out);
	return 0;
}

static int get_string(struct ctx *c, const yaml_node_t *n, const char *key, char *out,
		      size_t cap)
{
	const char *s = ydoc_scalar(n);
	if (!s)
		return ydoc_fail(c->d, n, key, c->err, -EINVAL, "expected a string, got %s",
				 ydoc_kind(n));
	if (!*s)
		return ydoc_fail(c->d, n, key, c->err, -EINVAL, "must not be empty");
	if (strlen(s) >= cap)
		return ydoc_fail(c->d, n, key, c->err, -EINVAL, "too long: %zu characters, at most %zu",
				 strlen(s), cap - 1);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

#define MAX_US_WHY " (us; 1 s at most, the longest delay a part may have)"

/* quantiles: [[q, us], ...] */
static int parse_quantiles(struct ctx *c, yaml_node_t *n, const char *key,
			   struct sim_sysdist *out)
{
	char k[KEY_MAX];
	if (n->type != YAML_SEQUENCE_NODE)
		return ydoc_fail(c->d, n, key, c->err, -EINVAL,
				 "expected a list of [quantile, us] pairs, got %s", ydoc_kind(n));
	yaml_node_item_t *it = n->data.sequence.items.start, *end = n->data.sequence.items.top;
	size_t count = (size_t)(end - it);
	if (count < 2 || count > SIM_SYSDIST_MAX_POINTS)
		return ydoc_fail(c->d, n, key, c->err, -EINVAL,
				 "needs 2 to %u [quantile, us] pairs (from quantile 0 to 1), got %zu",
				 SIM_SYSDIST_MAX_POINTS, count);
	for (uint32_t i = 0; it < end; it++, i++) {
		yaml_node_t *pair = ydoc_node(c->d, *it);
		snprintf(k, sizeof(k), "%s[%u]", key, i);
		if (pair->type != YAML_SEQUENCE_NODE ||
		    pair->data.sequence.items.top - pair->data.sequence.items.start != 2)
			return ydoc_fail(c->d, pair, k, c->err, -EINVAL,
					 "expected a pair [quantile, us], got %s", ydoc_kind(pair));
		yaml_node_t *qn = ydoc_node(c->d, pair->data.sequence.items.start[0]);
		yaml_node_t *vn = ydoc_node(c->d, pair->data.sequence.items.start[1]);
		int rc = get_range(c, qn, k, 0, 1, " (a quantile)", &out->q[i]);
		rc = rc ? rc : get_range(c, vn, k, 0, SIM_SYSDIST_MAX_US, MAX_US_WHY, &out->us[i]);
		if (rc)
			return rc;
		if (i == 0 && out->q[0] != 0)
			return ydoc_fail(c->d, qn, k, c->err, -EINVAL,
					 "the first quantile must be 0 (the least value), got %g", out->q[0]);
		if (i > 0 && !(out->q[i] > out->q[i - 1]))
			return ydoc_fail(c->d, qn, k, c->err, -EINVAL,
					 "quantiles must increase: %g after %g", out->q[i], out->q[i - 1]);
		if (i > 0 && out->us[i] < out->us[i - 1])
			return ydoc_fail(c->d, vn, k, c->err, -EINVAL,
					 "values must not decrease: %g us at quantile %g after %g us",
					 out->us[i], out->q[i], out->us[i - 1]);
		out->npoints = i + 1;
	}
	if (out->q[out->npoints - 1] != 1)
		return ydoc_fail(c->d, n, key, c->err, -EINVAL,
				 "the last quantile must be 1 (the largest value), got %g",
				 out->q[out->npoints - 1]);
	return 0;
}

/* {dist: constant|exponential|lognormal|empirical, mean_us, sigma, quantiles} */
static int parse_dist(struct ctx *c, yaml_node_t *n, const char *prefix, struct sim_sysdist *out)
{
	static const char *const allowed[] = {"dist", "mean_us", "sigma", "quantiles"};
	enum { DIST, MEAN, SIGMA, QUANT, NKEYS };
	yaml_node_t *v[NKEYS], *kn[NKEYS];
	char k[KEY_MAX];
	int rc = ydoc_map(c->d, n, prefix, allowed, NKEYS, v, kn, c->err);
	if (rc)
		return rc;
	if (!v[DIST])
		return ydoc_fail(c->d, n, key_join(k, prefix, "dist"), c->err, -EINVAL,
				 "missing required key 'dist' (constant, exponential, lognormal or "
				 "empirical)");
	char name[32];
	if ((rc = get_string(c, v[DIST], key_join(k, prefix, "dist"), name, sizeof(name))))
		return rc;
	static const struct {
		const char *name;
		enum sim_sysdist_kind kind;
		const char *needs;
		bool mean, sigma, quantiles;
	} kinds[] = {
		{"constant", SIM_SYSDIST_CONSTANT, "mean_us", true, false, false},
		{"exponential", SIM_SYSDIST_EXPONENTIAL, "mean_us", true, false, false},
		{"lognormal", SIM_SYSDIST_LOGNORMAL, "mean_us and sigma", true, true, false},
		{"empirical", SIM_SYSDIST_EMPIRICAL, "quantiles", false, false, true},
	};
	size_t i = 0;
	while (i < sizeof(kinds) / sizeof(kinds[0]) && strcmp(kinds[i].name, name))
		i++;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return ydoc_fail(c->d, v[DIST], key_join(k, prefix, "dist"), c->err, -EINVAL,
				 "unknown distribution '%.40s' (known: constant, exponential, "
				 "lognormal, empirical)", name);
	const bool want[NKEYS] = {true, kinds[i].mean, kinds[i].sigma, kinds[i].quantiles};
	for (int j = MEAN; j < NKEYS; j++) {
		if (v[j] && !want[j])
			return ydoc_fail(c->d, kn[j], key_join(k, prefix, allowed[j]), c->err, -EINVAL,
					 "%s takes %s only, not %s", name, kinds[i].needs, allowed[j]);
		if (!v[j] && want[j])
			return ydoc_fail(c->d, n, key_join(k, prefix, allowed[j]), c->err, -EINVAL,
					 "missing required key '%s' (%s takes %s)", allowed[j], name,
					 kinds[i].needs);
	}
	*out = (struct sim_sysdist){.kind = kinds[i].kind};
	if (v[MEAN] && (rc = get_range(c, v[MEAN], key_join(k, prefix, "mean_us"), 0,
				       SIM_SYSDIST_MAX_US, MAX_US_WHY, &out->mean_us)))
		return rc;
	if (v[SIGMA] && (rc = get_range(c, v[SIGMA], key_join(k, prefix, "sigma"), 0, 4,
					" (of the underlying normal; beyond 4 a run's tail is a "
					"handful of draws)", &out->sigma)))
		return rc;
	if (v[QUANT])
		return parse_quantiles(c, v[QUANT], key_join(k, prefix, "quantiles"), out);
	return 0;
}

static int parse_dispatcher(struct ctx *c, yaml_node_t *n)
{
	static const char *const allowed[] = {"arrival", "dispatch", "completion"};
	yaml_node_t *v[3];
	struct sim_sysdist *part[3] = {&c->sys->disp_arrival, &c->sys->disp_dispatch,
				       &c->sys->disp_completion};
	char k[KEY_MAX];
	int rc = ydoc_map(c->d, n, "dispatcher", allowed, 3, v, NULL, c->err);
	for (int i = 0; i < 3 && rc == 0; i++)
		if (v[i])
			rc = parse_dist(c, v[i], key_join(k, "dispatcher", allowed[i]), part[i]);
	return rc;
}

static int parse_workers(struct ctx *c, yaml_node_t *n)
{
	static const char *const allowed[] = {"count", "park_after_us", "wakeup"};
	enum { COUNT, PARK, WAKE, NKEYS };
	yaml_node_t *v[NKEYS];
	double d;
	int rc = ydoc_map(c->d, n, "workers", allowed, NKEYS, v, NULL, c->err);
	if (rc)
		return rc;
	if (v[COUNT]) {
		if ((rc = get_range(c, v[COUNT], "workers.count", 1, PSP_MAX_WORKERS,
				    " (the policy core's limit)", &d)))
			return rc;
		if (d != floor(d))
			return ydoc_fail(c->d, v[COUNT], "workers.count", c->err, -EINVAL,
					 "must be a whole number, got %g", d);
		c->sys->workers = (uint32_t)d;
	}
	if (v[PARK] && (rc = get_range(c, v[PARK], "workers.park_after_us", 0, SIM_SYSDIST_MAX_US,
				       MAX_US_WHY, &c->sys->park_after_us)))
		return rc;
	if (v[WAKE] && (rc = parse_dist(c, v[WAKE], "workers.wakeup", &c->sys->wakeup)))
		return rc;
	if (v[WAKE] && !v[PARK])
		return ydoc_fail(c->d, v[WAKE], "workers.wakeup", c->err, -EINVAL,
				 "a wake-up needs workers.park_after_us (when an idle worker parks)");
	return 0;
}

static int parse_preempt_parts(struct ctx *c, yaml_node_t *n, const char *prefix,
			       struct sim_system_preempt *p)
{
	static const char *const allowed[] = {"cost", "signal"};
	yaml_node_t *v[2];
	char k[KEY_MAX];
	int rc = ydoc_map(c->d, n, prefix, allowed, 2, v, NULL, c->err);
	if (rc == 0 && v[0])
		rc = parse_dist(c, v[0], key_join(k, prefix, "cost"), &p->cost);
	if (rc == 0 && v[1])
		rc = parse_dist(c, v[1], key_join(k, prefix, "signal"), &p->signal);
	return rc;
}

/* preemption: {cost, signal, <policy>: {cost, signal}...}: the policies'
 * names (preemptive ones) are keys beside the defaults. */
static int parse_preemption(struct ctx *c, yaml_node_t *n)
{
	const char *allowed[2 + SIM_SYSTEM_MAX_PREEMPT];
	const struct psp_policy_ops *ops[2 + SIM_SYSTEM_MAX_PREEMPT];
	size_t nallowed = 0;
	allowed[nallowed++] = "cost";
	allowed[nallowed++] = "signal";
	for (size_t i = 0; psp_policy_at(i) && nallowed < 2 + SIM_SYSTEM_MAX_PREEMPT - 1; i++)
		if (psp_policy_at(i)->props.flags & PSP_POLICY_PREEMPTIVE) {
			ops[nallowed] = psp_policy_at(i);
			allowed[nallowed++] = psp_policy_at(i)->name;
		}
	yaml_node_t *v[2 + SIM_SYSTEM_MAX_PREEMPT];
	int rc = ydoc_map(c->d, n, "preemption", allowed, nallowed, v, NULL, c->err);
	if (rc)
		return rc;
	struct sim_system *sys = c->sys;
	char k[KEY_MAX];
	sys->npreempt = 1;
	if (v[0] && (rc = parse_dist(c, v[0], "preemption.cost", &sys->preempt[0].cost)))
		return rc;
	if (v[1] && (rc = parse_dist(c, v[1], "preemption.signal", &sys->preempt[0].signal)))
		return rc;
	for (size_t i = 2; i < nallowed; i++) {
		if (!v[i])
			continue;
		struct sim_system_preempt *p = &sys->preempt[sys->npreempt++];
		/* the defaults, then what the policy's own mapping gives */
		*p = sys->preempt[0];
		p->policy = ops[i];
		if ((rc = parse_preempt_parts(c, v[i], key_join(k, "preemption", allowed[i]), p)))
			return rc;
	}
	return 0;
}

static int parse_root(struct ctx *c, yaml_node_t *root)
{
	static const char *const allowed[] = {"name", "description", "dispatcher", "handoff",
					      "completion_notice", "preemption", "workers",
					      "network"};
	enum { NAME, DESC, DISP, HANDOFF, NOTICE, PREEMPT, WORKERS, NET, NKEYS };
	yaml_node_t *v[NKEYS];
	if (!root)
		return ydoc_fail(c->d, NULL, NULL, c->err, -EINVAL,
				 "empty file: a system needs at least a name");
	int rc = ydoc_map(c->d, root, "", allowed, NKEYS, v, NULL, c->err);
	if (rc)
		return rc;
	if (!v[NAME])
		return ydoc_fail(c->d, root, "name", c->err, -EINVAL, "missing required key 'name'");
	if ((rc = get_string(c, v[NAME], "name", c->sys->name, sizeof(c->sys->name))))
		return rc;
	for (const char *p = c->sys->name; *p; p++)
		if (!(*p == '-' || *p == '_' || *p == '.' || (*p >= '0' && *p <= '9') ||
		      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return ydoc_fail(c->d, v[NAME], "name", c->err, -EINVAL,
					 "letters, digits, '-', '_' and '.' only (it is printed in "
					 "CSV cells), got '%.40s'", c->sys->name);
	if (v[DESC] && (rc = get_string(c, v[DESC], "description", c->sys->description,
					sizeof(c->sys->description))))
		return rc;
	if (v[DISP] && (rc = parse_dispatcher(c, v[DISP])))
		return rc;
	if (v[HANDOFF] && (rc = parse_dist(c, v[HANDOFF], "handoff", &c->sys->handoff)))
		return rc;
	if (v[NOTICE] && (rc = parse_dist(c, v[NOTICE], "completion_notice", &c->sys->notice)))
		return rc;
	if (v[PREEMPT] && (rc = parse_preemption(c, v[PREEMPT])))
		return rc;
	if (v[WORKERS] && (rc = parse_workers(c, v[WORKERS])))
		return rc;
	if (v[NET]) {
		static const char *const net_keys[] = {"one_way"};
		yaml_node_t *nv[1];
		if ((rc = ydoc_map(c->d, v[NET], "network", net_keys, 1, nv, NULL, c->err)))
			return rc;
		if (nv[0] && (rc = parse_dist(c, nv[0], "network.one_way", &c->sys->network)))
			return rc;
	}
	return 0;
}

/* FNV-1a 64 of the file's bytes: the hash a run's output names. */
static int hash_file(const char *path, uint64_t *out, struct psp_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return psp_err_set(err, -errno, path, NULL, "cannot read: %s", strerror(errno));
	uint64_t h = 0xcbf29ce484222325ull;
	int ch;
	while ((ch = fgetc(f)) != EOF)
		h = (h ^ (uint64_t)(unsigned char)ch) * 0x100000001b3ull;
	bool bad = ferror(f) != 0;
	fclose(f);
	if (bad)
		return psp_err_set(err, -EIO, path, NULL, "read error");
	*out = h;
	return 0;
}

int sim_system_load(const char *path, struct sim_system *sys, struct psp_err *err)
{
	memset(sys, 0, sizeof(*sys));
	sys->park_after_us = -1;
	sys->npreempt = 1;
	struct ydoc d;
	int rc = ydoc_load(&d, path, "system", err);
	if (rc)
		return rc;
	struct ctx c = {.d = &d, .sys = sys, .err = err};
	rc = parse_root(&c, ydoc_root(&d));
	ydoc_free(&d);
	if (rc)
		return rc;
	if ((rc = hash_file(path, &sys->hash, err)))
		return rc;
	snprintf(sys->path, sizeof(sys->path), "%s", path);
	snprintf(sys->hash_text, sizeof(sys->hash_text), "%08llx",
		 (unsigned long long)(sys->hash >> 32));
	return 0;
}

const struct sim_system_preempt *sim_system_preempt_for(const struct sim_system *sys,
							const struct psp_policy_ops *ops)
{
	for (uint32_t i = 1; i < sys->npreempt; i++)
		if (sys->preempt[i].policy == ops)
			return &sys->preempt[i];
	return &sys->preempt[0];
}

double sim_sysdist_mean_us(const struct sim_sysdist *d)
{
	switch (d->kind) {
	case SIM_SYSDIST_NONE:
		return 0;
	case SIM_SYSDIST_CONSTANT:
	case SIM_SYSDIST_EXPONENTIAL:
	case SIM_SYSDIST_LOGNORMAL:
		return d->mean_us;
	case SIM_SYSDIST_EMPIRICAL: {
		double m = 0; /* the mean of the piecewise-linear inverse CDF */
		for (uint32_t i = 1; i < d->npoints; i++)
			m += (d->q[i] - d->q[i - 1]) * 0.5 * (d->us[i] + d->us[i - 1]);
		return m;
	}
	}
	return 0;
}

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void sim_sysrng_seed(struct sim_sysrng *r, uint64_t seed)
{
	uint64_t x = seed ^ 0x5157e3d0c0ffee11ull; /* apart from the workload's stream */
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static uint64_t next_u64(struct sim_sysrng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in (0, 1): never 0, so its logarithm is finite. */
static double uniform_open(struct sim_sysrng *r)
{
	return ((double)(next_u64(r) >> 11) + 0.5) * 0x1p-53;
}

uint64_t sim_sysdist_draw_ns(const struct sim_sysdist *d, struct sim_sysrng *r)
{
	double us = 0;
	switch (d->kind) {
	case SIM_SYSDIST_NONE:
		return 0;
	case SIM_SYSDIST_CONSTANT:
		us = d->mean_us;
		break;
	case SIM_SYSDIST_EXPONENTIAL:
		us = -d->mean_us * log(uniform_open(r));
		break;
	case SIM_SYSDIST_LOGNORMAL: {
		/* Box-Muller; mean_us is the distribution's mean, so the normal's
		 * mean is ln(mean) - sigma^2 / 2 */
		double u1 = uniform_open(r), u2 = uniform_open(r);
		double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
		us = d->mean_us > 0 ? exp(log(d->mean_us) - 0.5 * d->sigma * d->sigma + d->sigma * z)
				    : 0;
		break;
	}
	case SIM_SYSDIST_EMPIRICAL: {
		double u = uniform_open(r);
		uint32_t i = 1;
		while (i < d->npoints - 1 && d->q[i] < u)
			i++;
		double f = (u - d->q[i - 1]) / (d->q[i] - d->q[i - 1]);
		us = d->us[i - 1] + f * (d->us[i] - d->us[i - 1]);
		break;
	}
	}
	if (!(us < SIM_SYSDIST_MAX_US))
		us = SIM_SYSDIST_MAX_US;
	return (uint64_t)(us * 1e3 + 0.5);
}
