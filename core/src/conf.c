/* The opaque policy configuration: created and sized by the library (one
 * value per knob of the registry), so hosts never depend on its layout. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <psp/param.h>
#include <psp/policy.h>

#include "internal.h"

static size_t conf_bytes(size_t nknobs)
{
	return sizeof(struct psp_policy_conf) + nknobs * sizeof(union psp_knob_value);
}

struct psp_policy_conf *psp_policy_conf_new(uint32_t nworkers, uint32_t ntypes)
{
	size_t n = psp_param_count();
	struct psp_policy_conf *c = calloc(1, conf_bytes(n));
	if (!c)
		return NULL;
	c->nworkers = nworkers;
	c->ntypes = ntypes;
	c->nknobs = n;
	psp_param_store_defaults(c);
	return c;
}

struct psp_policy_conf *psp_policy_conf_dup(const struct psp_policy_conf *conf)
{
	struct psp_policy_conf *c = malloc(conf_bytes(conf->nknobs));
	if (c)
		memcpy(c, conf, conf_bytes(conf->nknobs));
	return c;
}

void psp_policy_conf_free(struct psp_policy_conf *conf)
{
	free(conf);
}

int psp_policy_conf_set(struct psp_policy_conf *conf, const char *name, const char *value,
			struct psp_err *err)
{
	const struct psp_param *prm = psp_param_find(name);
	if (!prm)
		return psp_err_set(err, -EINVAL, NULL, name ? name : "knob",
				   "no policy reads a knob of this name");
	struct psp_param_value v = {.param = prm, .value = value};
	return psp_param_apply(conf, &v, 1, err);
}

const char *psp_policy_conf_get(const struct psp_policy_conf *conf, const char *name,
				char *buf, size_t cap)
{
	const struct psp_param *prm = psp_param_find(name);
	return prm ? psp_param_format(conf, prm, buf, cap) : NULL;
}

uint32_t psp_policy_conf_workers(const struct psp_policy_conf *conf)
{
	return conf->nworkers;
}

uint32_t psp_policy_conf_types(const struct psp_policy_conf *conf)
{
	return conf->ntypes;
}

void psp_policy_conf_set_workers(struct psp_policy_conf *conf, uint32_t nworkers)
{
	conf->nworkers = nworkers;
}

void psp_policy_conf_set_types(struct psp_policy_conf *conf, uint32_t ntypes)
{
	conf->ntypes = ntypes;
}

int psp_policy_conf_set_type(struct psp_policy_conf *conf, uint32_t t, const char *name,
			     uint64_t mean_ns, double ratio)
{
	if (t >= PSP_MAX_TYPES)
		return -EINVAL;
	conf->type_name[t] = name;
	conf->type_mean_ns[t] = mean_ns;
	conf->type_ratio[t] = ratio;
	return 0;
}

uint64_t psp_policy_conf_type_mean_ns(const struct psp_policy_conf *conf, uint32_t t)
{
	return t < PSP_MAX_TYPES ? conf->type_mean_ns[t] : 0;
}

double psp_policy_conf_type_ratio(const struct psp_policy_conf *conf, uint32_t t)
{
	return t < PSP_MAX_TYPES ? conf->type_ratio[t] : 0;
}

void psp_policy_conf_set_rand(struct psp_policy_conf *conf, uint64_t (*rand_u64)(void *ctx),
			      void *ctx)
{
	conf->rand_u64 = rand_u64;
	conf->rand_ctx = ctx;
}

void psp_policy_conf_set_on_reservation(struct psp_policy_conf *conf, psp_reservation_fn fn,
					void *ctx)
{
	conf->on_reservation = fn;
	conf->on_reservation_ctx = ctx;
}
