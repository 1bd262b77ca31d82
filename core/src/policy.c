/* The policy table, creation, and the hot-path wrappers that check what every
 * policy relies on (time moves forward, worker ids are valid, an assigned
 * worker was idle) so that the policy files need not. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <psp/policy.h>

#include "fluid.h"
#include "internal.h"

#define X(name) extern const struct psp_policy_ops psp_##name##_ops;
#include "policy_list.h"
#undef X

static const struct psp_policy_ops *const policies[] = {
#define X(name) &psp_##name##_ops,
#include "policy_list.h"
#undef X
	NULL,
};

const struct psp_policy_ops *psp_policy_at(size_t i)
{
	return i < sizeof(policies) / sizeof(policies[0]) ? policies[i] : NULL;
}

bool psp_policy_has_param(const struct psp_policy_ops *ops, const struct psp_param *prm)
{
	for (size_t i = 0; ops->params && ops->params[i]; i++)
		if (ops->params[i] == prm)
			return true;
	return false;
}

uint32_t psp_policy_conf_slots(const struct psp_policy_ops *ops,
			       const struct psp_policy_conf *conf)
{
	uint32_t slots = (uint32_t)psp_knob_uint(conf, &psp_knob_slots);
	return slots ? slots : ops->props.default_slots;
}

/* Is name one of the comma-separated words in list (case-insensitive)? */
static int in_alias_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *s = list; *s;) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len == n && strncasecmp(s, name, n) == 0)
			return 1;
		if (!e)
			break;
		s = e + 1;
	}
	return 0;
}

const struct psp_policy_ops *psp_policy_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; policies[i]; i++) {
		const struct psp_policy_ops *ops = policies[i];
		if (strcasecmp(ops->name, name) == 0 || in_alias_list(ops->aliases, name))
			return ops;
	}
	return NULL;
}

struct psp_policy *psp_policy_create(const struct psp_policy_ops *ops,
				     const struct psp_policy_conf *conf,
				     struct psp_err *err)
{
	psp_err_clear(err);
	if (!ops || !conf) {
		psp_err_set(err, -EINVAL, NULL, "policy", "no policy given");
		return NULL;
	}
	if (conf->nworkers < 1 || conf->nworkers > PSP_MAX_WORKERS) {
		psp_err_set(err, -EINVAL, NULL, "workers",
			    "must be in 1..%u (the core's worker bitmap), got %u",
			    PSP_MAX_WORKERS, conf->nworkers);
		return NULL;
	}
	if (conf->ntypes < 1 || conf->ntypes > PSP_MAX_TYPES) {
		psp_err_set(err, -EINVAL, NULL, "types",
			    "must be in 1..%u request types, got %u", PSP_MAX_TYPES,
			    conf->ntypes);
		return NULL;
	}
	uint32_t slots = psp_policy_conf_slots(ops, conf);
	if (slots < 1 || slots > ops->props.max_slots) {
		if (ops->props.max_slots == 1)
			psp_err_set(err, -EINVAL, NULL, "slots",
				    "%s holds one request per worker: slots must be 1, got %u",
				    ops->name, slots);
		else
			psp_err_set(err, -EINVAL, NULL, "slots",
				    "%s takes 1..%u slots per worker, got %u", ops->name,
				    ops->props.max_slots, slots);
		return NULL;
	}
	size_t priv = ops->state_size(conf);
	struct psp_policy *p = calloc(1, sizeof(*p) + priv);
	struct psp_policy_conf *own = psp_policy_conf_dup(conf);
	if (!p || !own) {
		free(p);
		psp_policy_conf_free(own);
		psp_err_set(err, -ENOMEM, NULL, "policy", "out of memory");
		return NULL;
	}
	p->ops = ops;
	p->conf = own;
	p->nworkers = conf->nworkers;
	p->ntypes = conf->ntypes;
	p->idle_mask = workers_mask(conf->nworkers);
	p->free_mask = p->idle_mask;
	p->slots = slots;
	p->priv = priv ? (void *)(p + 1) : NULL;
	int rc = ops->init(p, err);
	if (rc < 0) {
		if (err && err->code == 0)
			psp_err_set(err, rc, NULL, ops->name, "initialisation failed");
		psp_policy_destroy(p);
		return NULL;
	}
	return p;
}

void psp_policy_destroy(struct psp_policy *p)
{
	if (p)
		psp_policy_conf_free(p->conf);
	free(p);
}

static void advance_time(struct psp_policy *p, uint64_t now_ns)
{
	PSP_CHECK(now_ns >= p->last_now_ns);
	p->last_now_ns = now_ns;
}

void psp_policy_enqueue(struct psp_policy *p, struct psp_req *r, uint64_t now_ns)
{
	advance_time(p, now_ns);
	PSP_CHECK(r->type < p->ntypes || r->type == PSP_TYPE_UNKNOWN);
	PSP_CHECK(r->link.next == NULL);
	r->enqueue_ns = now_ns;
	p->queued++;
	p->ops->enqueue(p, r, now_ns);
}

void psp_policy_complete(struct psp_policy *p, uint32_t worker, struct psp_req *r,
			 uint64_t ran_ns, bool finished, uint64_t now_ns)
{
	advance_time(p, now_ns);
	PSP_CHECK(worker < p->nworkers);
	PSP_CHECK(p->outstanding[worker] > 0);
	uint64_t bit = 1ull << worker;
	p->free_mask |= bit;
	p->held--;
	if (--p->outstanding[worker] == 0)
		p->idle_mask |= bit;
	if (!finished) {
		r->preemptions++;
		r->enqueue_ns = now_ns;
		p->queued++;
	}
	p->ops->complete(p, worker, r, ran_ns, finished, now_ns);
}

size_t psp_policy_dispatch(struct psp_policy *p, uint64_t now_ns,
			   struct psp_assign *out, size_t cap)
{
	advance_time(p, now_ns);
	if (p->queued == 0 || p->free_mask == 0 || cap == 0)
		return 0;
#ifndef NDEBUG
	uint8_t held_before[PSP_MAX_WORKERS];
	memcpy(held_before, p->outstanding, sizeof(held_before));
#endif
	size_t n = p->ops->dispatch(p, now_ns, out, cap);
	PSP_ASSERT(n <= cap && n <= p->queued);
#ifndef NDEBUG
	/* Each worker was given no more than its free slots, and the masks
	 * agree with the counts. */
	for (size_t i = 0; i < n; i++) {
		PSP_ASSERT(out[i].worker < p->nworkers);
		PSP_ASSERT(out[i].req->link.next == NULL); /* off the queues */
		held_before[out[i].worker]++;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t w = out[i].worker;
		PSP_ASSERT(held_before[w] == p->outstanding[w]);
		PSP_ASSERT(p->outstanding[w] <= p->slots);
		PSP_ASSERT(psp_policy_worker_idle(p, w) == (p->outstanding[w] == 0));
		PSP_ASSERT((bool)((p->free_mask >> w) & 1u) == (p->outstanding[w] < p->slots));
	}
#endif
	for (size_t i = 0; i < n; i++)
		out[i].req->worker = out[i].worker;
	p->queued -= n;
	return n;
}

size_t psp_policy_tick(struct psp_policy *p, uint64_t now_ns, uint32_t *workers,
		       size_t cap)
{
	advance_time(p, now_ns);
	if (!p->ops->tick || cap == 0)
		return 0;
	return p->ops->tick(p, now_ns, workers, cap);
}

void psp_policy_describe(const struct psp_policy *p, char *buf, size_t cap)
{
	if (cap == 0)
		return;
	buf[0] = '\0';
	if (p->ops->describe)
		p->ops->describe(p, buf, cap);
}

uint64_t psp_policy_profile_left(const struct psp_policy *p)
{
	return p->ops->profile_left ? p->ops->profile_left(p) : 0;
}

bool psp_policy_profiling(const struct psp_policy *p)
{
	return psp_policy_profile_left(p) > 0;
}

size_t psp_policy_advance(struct psp_policy *p, uint64_t now_ns, struct psp_req **done,
			  size_t cap)
{
	PSP_CHECK(p->fluid != NULL);
	advance_time(p, now_ns);
	size_t n = cap ? p->fluid->advance(p, now_ns, done, cap) : 0;
	PSP_ASSERT(n <= cap && n <= p->queued);
	p->queued -= n;
	return n;
}

uint64_t psp_policy_next_ns(const struct psp_policy *p)
{
	PSP_CHECK(p->fluid != NULL);
	return p->fluid->next_ns(p);
}

uint64_t psp_policy_max_held(const struct psp_policy *p)
{
	return p->fluid && p->fluid->max_held ? p->fluid->max_held : UINT64_MAX;
}
