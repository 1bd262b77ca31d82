/* psp-engine config loading; see config.h.  Follows Caladan's cfg.c: a key
 * table per mapping, unknown keys fail, limits across keys are checked after
 * every key was read. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <strings.h>

#include <psp/darc.h>
#include <psp/suggest.h>
#include <psp/workload.h>

#include "../common/wire.h"
#include "../common/yconf.h"
#include "config.h"
#include "preemption.h"

/* Fills cfg with the defaults documented in docs/engine-reference.md, "psp-engine
 * configuration keys". */
static void eng_config_default(struct eng_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->udp_port = PSP_DEFAULT_UDP_PORT;
	cfg->dispatcher_lcore = 0;
	snprintf(cfg->policy, sizeof(cfg->policy), "cfcfs");
	cfg->ops = psp_policy_find("cfcfs");
	cfg->pconf = NULL; /* made by finish_policy */
	cfg->requests = 4096;
	cfg->mbufs = 8191;
	cfg->mbuf_cache = 256;
	cfg->rx_desc = 1024;
	cfg->tx_desc = 1024;
	cfg->burst = 32;
	cfg->tx_retries = 64;
	cfg->worker_ring = 64;
	cfg->idle.enabled = false;
	cfg->idle.polls = 1000;
	cfg->idle.sleep_us = 0;
	cfg->worker_idle = IDLE_AUTO;
	cfg->park_after_us = 50;
	cfg->reserved_idle_same = true;
	snprintf(cfg->output_dir, sizeof(cfg->output_dir), ".");
	cfg->app = ENG_APP_SPIN;
	cfg->max_run_ns = 10000000; /* 10 ms */
	snprintf(cfg->rocksdb.path, sizeof(cfg->rocksdb.path), "psp-rocksdb");
	cfg->rocksdb.keys = 5000; /* the paper's SCAN walks 5000 keys */
	cfg->rocksdb.value_bytes = 64;
	cfg->preempt_points = true;
	cfg->preempt_stack_kib = 64;
	cfg->preempt_tasks = 0; /* follows queues.requests */
	cfg->drain_ms = 2000;
	cfg->telemetry = true;
}

void eng_config_free(struct eng_config *cfg)
{
	for (uint32_t i = 0; i < cfg->neal; i++)
		free(cfg->eal[i]);
	cfg->neal = 0;
	psp_policy_conf_free(cfg->pconf);
	cfg->pconf = NULL;
}

uint64_t eng_config_quantum_ns(const struct eng_config *cfg)
{
	return (uint64_t)psp_param_stored(cfg->pconf, psp_param_find("quantum_us"));
}

/* The policy called name, or an error listing the known ones. */
static const struct psp_policy_ops *find_policy(const char *name, struct psp_err *err)
{
	const struct psp_policy_ops *ops = psp_policy_find(name);
	if (!ops) {
		char list[256];
		size_t n = 0;
		list[0] = '\0';
		for (size_t i = 0; psp_policy_at(i); i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
					      psp_policy_at(i)->name);
		char near[64];
		if (psp_suggest_in_list(name, list, near, sizeof(near)))
			psp_err_set(err, -EINVAL, NULL, "policy",
				    "unknown policy \"%s\" (did you mean \"%s\"?); known: %s", name,
				    near, list);
		else
			psp_err_set(err, -EINVAL, NULL, "policy", "unknown policy \"%s\" (known: %s)",
				    name, list);
		return NULL;
	}
	if (!ENG_PREEMPT_BUILT && (ops->props.flags & PSP_POLICY_PREEMPTIVE)) {
		psp_err_set(err, -ENOTSUP, NULL, "policy",
			    "%s preempts requests, and this psp-engine was built without "
			    "psp_preempt (x86-64 only; PSP_PREEMPT=OFF)", ops->name);
		return NULL;
	}
	return ops;
}

/* The policies that read prm, comma-separated, into buf. */
static const char *readers(const struct psp_param *prm, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; psp_policy_at(i) && n < cap; i++)
		if (psp_policy_has_param(psp_policy_at(i), prm))
			n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? ", " : "",
					      psp_policy_at(i)->name);
	return buf;
}

static uint64_t no_rand(void *ctx)
{
	(void)ctx;
	return 0;
}

/* Sets pconf from the defaults, the workers and types, and the knobs the
 * selected policy reads; then creates the policy once to check every limit
 * the policy itself checks (a static reservation below the worker count,
 * means for oracle/static/sjf, ...).  Errors point at the knob, the types,
 * or the policy key. */
static int finish_policy(struct eng_config *cfg, struct psp_err *err)
{
	const struct psp_policy_ops *ops = cfg->ops;
	struct psp_param_value v[ENG_MAX_KNOBS];
	size_t n = 0;
	psp_policy_conf_free(cfg->pconf);
	cfg->pconf = psp_policy_conf_new(cfg->nworkers ? cfg->nworkers : 1,
					 cfg->ntypes ? cfg->ntypes : 1);
	if (!cfg->pconf)
		return psp_err_set(err, -ENOMEM, NULL, "policy", "out of memory");
	for (uint32_t i = 0; i < cfg->nknobs; i++)
		if (psp_policy_has_param(ops, cfg->knobs[i].param))
			v[n++] = (struct psp_param_value){cfg->knobs[i].param, cfg->knobs[i].value};
	int rc = psp_param_apply(cfg->pconf, v, n, err);
	if (rc == 0) {
		for (uint32_t t = 0; t < cfg->ntypes; t++)
			psp_policy_conf_set_type(cfg->pconf, t, cfg->types[t].name,
						 (uint64_t)(cfg->types[t].mean_us * 1000.0 + 0.5),
						 cfg->types[t].ratio);
		/* the trial draws nothing: the real generator is the engine's */
		psp_policy_conf_set_rand(cfg->pconf, no_rand, NULL);
		struct psp_policy *p = psp_policy_create(ops, cfg->pconf, err);
		psp_policy_conf_set_rand(cfg->pconf, NULL, NULL);
		if (p) {
			psp_policy_destroy(p);
			return 0;
		}
		rc = err->code ? err->code : -EINVAL;
	}
	/* Where: the knob the error names, else the types for what they
	 * lack, else the policy key. */
	const char *where = cfg->policy_where;
	char key[sizeof(err->key)];
	snprintf(key, sizeof(key), "policy");
	for (uint32_t i = 0; i < cfg->nknobs; i++)
		if (!strcmp(err->key, cfg->knobs[i].param->name)) {
			where = cfg->knobs[i].where;
			snprintf(key, sizeof(key), "policy.%s", cfg->knobs[i].param->name);
		}
	if (!strncmp(err->key, "type", 4)) {
		where = cfg->types_where;
		snprintf(key, sizeof(key), "types");
	}
	/* Copies: psp_err_set overwrites the fields it is given. */
	char msg[sizeof(err->msg)], what[sizeof(err->key)];
	snprintf(msg, sizeof(msg), "%.180s", err->msg);
	snprintf(what, sizeof(what), "%.40s", err->key);
	psp_err_set(err, rc, NULL, key, "%s: %.180s (%s)", ops->name, msg, what);
	snprintf(err->where, sizeof(err->where), "%s", where);
	return rc;
}

int eng_config_set_policy(struct eng_config *cfg, const char *name, struct psp_err *err)
{
	const struct psp_policy_ops *ops = find_policy(name, err);
	if (!ops)
		return err->code;
	for (uint32_t i = 0; i < cfg->nknobs; i++) {
		const struct psp_param *prm = cfg->knobs[i].param;
		if (!psp_policy_has_param(ops, prm)) {
			char who[128];
			fprintf(stderr, "psp-engine: note: --policy %s: the config's %s (%s) is "
					"not read by %s (read by %s); ignored\n",
				ops->name, prm->name, cfg->knobs[i].where, ops->name,
				readers(prm, who, sizeof(who)));
		}
	}
	cfg->ops = ops;
	snprintf(cfg->policy, sizeof(cfg->policy), "%s", ops->name);
	snprintf(cfg->policy_where, sizeof(cfg->policy_where), "--policy");
	return finish_policy(cfg, err);
}

/* Reads an optional u64 key into *out (of type T) when present. */
#define GET_U(node, key, path, lo, hi, dst)                                        \
	do {                                                                       \
		yaml_node_t *v_ = ydoc_get(y, (node), (key));                     \
		if (v_) {                                                          \
			uint64_t u_;                                               \
			int rc_ = yconf_u64(y, v_, (path), (lo), (hi), &u_, err);  \
			if (rc_ < 0)                                               \
				return rc_;                                        \
			(dst) = u_; /* in range: checked above */                            \
		}                                                                  \
	} while (0)

/* policy: NAME, or {name: NAME, KNOB: VALUE, ...} with the core's knob names
 * (the core's knob registry).  A knob the policy does not read, or a modelled cost, is
 * refused here; the values are applied once the workers and types are
 * known (finish_policy). */
static int load_policy(struct ydoc *y, yaml_node_t *n, struct eng_config *cfg,
		       struct psp_err *err)
{
	ydoc_where(y, n, cfg->policy_where, sizeof(cfg->policy_where));
	yaml_node_t *name = n;
	if (n->type == YAML_MAPPING_NODE) {
		name = ydoc_get(y, n, "name");
		if (!name)
			return ydoc_fail(y, n, "policy.name", err, -EINVAL,
					  "required: the policy (psp-sim's names)");
	}
	const char *s = ydoc_scalar(name);
	if (!s)
		return ydoc_fail(y, name, "policy", err, -EINVAL,
				  "must be a policy name or a mapping {name: NAME, KNOB: VALUE...}");
	const struct psp_policy_ops *ops = find_policy(s, err);
	if (!ops) {
		ydoc_where(y, name, err->where, sizeof(err->where));
		return err->code;
	}
	cfg->ops = ops;
	snprintf(cfg->policy, sizeof(cfg->policy), "%s", ops->name);
	if (n->type != YAML_MAPPING_NODE)
		return 0;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = ydoc_node(y, p->key);
		yaml_node_t *v = ydoc_node(y, p->value);
		const char *ks = ydoc_scalar(k);
		char full[96], who[128];
		snprintf(full, sizeof(full), "policy.%s", ks ? ks : "?");
		if (!ks)
			return ydoc_fail(y, k, "policy", err, -EINVAL, "expected a key name, got %s",
					 ydoc_kind(k));
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *qk = ydoc_node(y, q->key);
			const char *qs = ydoc_scalar(qk);
			if (qs && !strcmp(qs, ks))
				return ydoc_fail(y, k, full, err, -EINVAL,
						 "duplicate key '%s' (first given on line %zu)", ks,
						 qk->start_mark.line + 1);
		}
		if (!strcmp(ks, "name"))
			continue;
		const struct psp_param *prm = psp_param_find(ks);
		if (!prm) {
			char list[512];
			size_t len = 0;
			list[0] = '\0';
			for (size_t i = 0; ops->params && ops->params[i]; i++)
				if (!(ops->params[i]->flags & PSP_PARAM_MODEL_ONLY))
					len += (size_t)snprintf(list + len, sizeof(list) - len,
								"%s%s", len ? ", " : "",
								ops->params[i]->name);
			return ydoc_fail(y, k, full, err, -EINVAL,
					  "unknown key: not a policy knob (%s reads: %s)", ops->name,
					  len ? list : "none");
		}
		if (prm->flags & PSP_PARAM_MODEL_ONLY)
			return ydoc_fail(y, k, full, err, -EINVAL,
					  "a modelled cost (psp-sim charges it to its simulated "
					  "workers); psp-engine pays the real cost and refuses it");
		if (!psp_policy_has_param(ops, prm))
			return ydoc_fail(y, k, full, err, -EINVAL,
					  "not read by %s (read by: %s)", ops->name,
					  readers(prm, who, sizeof(who)));
		const char *vs = ydoc_scalar(v);
		if (!vs || strlen(vs) >= sizeof(cfg->knobs[0].value))
			return ydoc_fail(y, v, full, err, -EINVAL, "must be a short scalar value");
		/* The value alone, in the knob's terms (range, choices). */
		struct psp_policy_conf *scratch = psp_policy_conf_new(1, 1);
		if (!scratch)
			return ydoc_fail(y, v, full, err, -ENOMEM, "out of memory");
		int rc = psp_param_set(scratch, prm, vs, err);
		psp_policy_conf_free(scratch);
		if (rc < 0) {
			char msg[sizeof(err->msg)];
			snprintf(msg, sizeof(msg), "%s", err->msg);
			return ydoc_fail(y, v, full, err, rc, "%s", msg);
		}
		if (cfg->nknobs == ENG_MAX_KNOBS)
			return ydoc_fail(y, k, full, err, -E2BIG, "too many knobs");
		struct eng_knob *kn = &cfg->knobs[cfg->nknobs++];
		kn->param = prm;
		snprintf(kn->value, sizeof(kn->value), "%s", vs);
		ydoc_where(y, v, kn->where, sizeof(kn->where));
	}
	return 0;
}

/* preempt: the engine's side of time sharing (stacks), for the policies
 * with PSP_POLICY_PREEMPTIVE; the quantum is the policy's knob. */
static int load_preempt(struct ydoc *y, yaml_node_t *n, struct eng_config *cfg,
			struct psp_err *err)
{
	static const char *const keys[] = {"stack_kib", "tasks", "timer", NULL};
	int rc = yconf_check_keys(y, n, "preempt", keys, err);
	if (rc < 0)
		return rc;
	yaml_node_t *v = ydoc_get(y, n, "timer");
	if (v) {
		const char *s = ydoc_scalar(v);
		if (!s || (strcmp(s, "dispatcher") && strcmp(s, "worker")))
			return ydoc_fail(y, v, "preempt.timer", err, -EINVAL,
					  "must be dispatcher or worker, got \"%s\"",
					  s ? s : "(not a scalar)");
		cfg->preempt_worker_timer = !strcmp(s, "worker");
	}
	/* The library's limits: 4 KiB .. 64 MiB stacks, 65536 of them. */
	GET_U(n, "stack_kib", "preempt.stack_kib", 4, 65536, cfg->preempt_stack_kib);
	GET_U(n, "tasks", "preempt.tasks", 1, ENG_PREEMPT_TASKS_MAX, cfg->preempt_tasks);
	return 0;
}

static int load_types(struct ydoc *y, yaml_node_t *n, struct eng_config *cfg,
		      struct psp_err *err)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return ydoc_fail(y, n, "types", err, -EINVAL, "must be a list of types");
	size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (len < 1 || len > PSP_MAX_TYPES)
		return ydoc_fail(y, n, "types", err, -ERANGE,
				  "must list 1..%u types (the core's type slots), got %zu",
				  PSP_MAX_TYPES, len);
	static const char *const keys[] = {"name", "wire_id", "mean_us", "ratio", NULL};
	cfg->ntypes = (uint32_t)len;
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *t = ydoc_node(y, n->data.sequence.items.start[i]);
		struct eng_type *et = &cfg->types[i];
		char pre[32], k[64];
		snprintf(pre, sizeof(pre), "types[%zu]", i);
		int rc = yconf_check_keys(y, t, pre, keys, err);
		if (rc < 0)
			return rc;
		yaml_node_t *v = ydoc_get(y, t, "name");
		snprintf(k, sizeof(k), "%s.name", pre);
		if (!v)
			return ydoc_fail(y, t, k, err, -EINVAL, "required");
		if ((rc = yconf_str(y, v, k, et->name, sizeof(et->name), err)) < 0)
			return rc;
		snprintf(k, sizeof(k), "%s.wire_id", pre);
		v = ydoc_get(y, t, "wire_id");
		if (!v)
			return ydoc_fail(y, t, k, err, -EINVAL,
					  "required (the type field of PSP_MB requests)");
		uint64_t u;
		if ((rc = yconf_u64(y, v, k, 1, PSP_WL_WIRE_ID_MAX, &u, err)) < 0)
			return rc;
		et->wire_id = (uint32_t)u;
		for (size_t j = 0; j < i; j++) {
			if (cfg->types[j].wire_id == et->wire_id)
				return ydoc_fail(y, v, k, err, -EINVAL,
						  "wire id %u already used by types[%zu] (%s)",
						  et->wire_id, j, cfg->types[j].name);
			if (!strcmp(cfg->types[j].name, et->name))
				return ydoc_fail(y, t, pre, err, -EINVAL,
						  "name \"%s\" already used by types[%zu]",
						  et->name, j);
		}
		snprintf(k, sizeof(k), "%s.mean_us", pre);
		if ((v = ydoc_get(y, t, "mean_us")) &&
		    (rc = yconf_double(y, v, k, 1e-3, 1e7, &et->mean_us, err)) < 0)
			return rc;
		snprintf(k, sizeof(k), "%s.ratio", pre);
		if ((v = ydoc_get(y, t, "ratio")) &&
		    (rc = yconf_double(y, v, k, 0.0, 1.0, &et->ratio, err)) < 0)
			return rc;
	}
	return 0;
}

/* The types: from the workload (--workload, else the workload key) or from
 * the types key.  Both is refused rather than letting one silently shadow
 * the other. */
static int load_workload(struct ydoc *y, yaml_node_t *root,
			 const struct yconf_overrides *ov, struct eng_config *cfg,
			 struct psp_err *err)
{
	yaml_node_t *wk = ydoc_get(y, root, "workload"), *tk = ydoc_get(y, root, "types");
	const char *name = ov ? ov->workload : NULL;
	if (name) {
		snprintf(cfg->workload_from, sizeof(cfg->workload_from), "--workload");
	} else if (wk) {
		name = ydoc_scalar(wk);
		if (!name || !name[0])
			return ydoc_fail(y, wk, "workload", err, -EINVAL,
					  "must be a workload name (NAME.yml in the workload "
					  "directory) or a .yml path");
		ydoc_where(y, wk, cfg->workload_from, sizeof(cfg->workload_from));
	}
	if (!name) {
		if (!tk)
			return ydoc_fail(y, root, "types", err, -EINVAL,
					  "required: a workload (--workload NAME|FILE or the "
					  "workload key) or the request types (name, wire_id)");
		ydoc_where(y, tk, cfg->types_where, sizeof(cfg->types_where));
		return load_types(y, tk, cfg, err);
	}
	if (tk)
		return ydoc_fail(y, tk, "types", err, -EINVAL,
				  "declared here and by workload %s (%s); the workload's types "
				  "win: remove this key", name, cfg->workload_from);
	/* A relative path in the file is the file's neighbour, wherever the
	 * engine runs from; --workload and --set are the shell's, from here. */
	char beside[sizeof(((struct psp_workload *)0)->path)];
	const char *slash = strrchr(y->path, '/');
	if (!(ov && ov->workload) && ydoc_in_file(y, wk) && psp_workload_is_path(name) && name[0] != '/' &&
	    slash) {
		if (snprintf(beside, sizeof(beside), "%.*s/%s", (int)(slash - y->path), y->path,
			     name) >= (int)sizeof(beside))
			return ydoc_fail(y, wk, "workload", err, -ENAMETOOLONG,
					 "too long once joined to the config's directory");
		name = beside;
	}
	struct psp_workload *wl = malloc(sizeof(*wl));
	if (!wl)
		return psp_err_set(err, -ENOMEM, cfg->workload_from, "workload", "out of memory");
	int rc = psp_workload_load(name, wl, err);
	if (rc < 0) {
		if (!err->where[0])
			snprintf(err->where, sizeof(err->where), "%s", cfg->workload_from);
		free(wl);
		return rc;
	}
	cfg->ntypes = wl->ntypes;
	for (uint32_t t = 0; t < wl->ntypes; t++) {
		struct eng_type *et = &cfg->types[t];
		snprintf(et->name, sizeof(et->name), "%s", wl->type_name[t]);
		et->wire_id = wl->wire_id[t];
		snprintf(et->op, sizeof(et->op), "%s", wl->op[t]);
		psp_workload_nominal(wl, t, &et->mean_us, &et->ratio);
	}
	snprintf(cfg->workload, sizeof(cfg->workload), "%s", wl->name);
	/* err->where's size: a longer path keeps its end (the file's name). */
	size_t plen = strlen(wl->path), room = sizeof(cfg->types_where) - 1;
	snprintf(cfg->types_where, sizeof(cfg->types_where), "%s%.*s", plen > room ? "..." : "",
		 (int)(plen > room ? room - 3 : plen), wl->path + (plen > room ? plen - room + 3 : 0));
	free(wl);
	return 0;
}

static int load_queues(struct ydoc *y, yaml_node_t *n, struct eng_config *cfg,
		       struct psp_err *err)
{
	static const char *const keys[] = {"requests", "mbufs", "mbuf_cache", "rx_desc",
					   "tx_desc", "burst", "tx_retries",
					   "worker_ring", NULL};
	int rc = yconf_check_keys(y, n, "queues", keys, err);
	if (rc < 0)
		return rc;
	GET_U(n, "requests", "queues.requests", 1, 1u << 24, cfg->requests);
	GET_U(n, "mbufs", "queues.mbufs", 64, 1u << 24, cfg->mbufs);
	GET_U(n, "mbuf_cache", "queues.mbuf_cache", 0, 512, cfg->mbuf_cache);
	GET_U(n, "rx_desc", "queues.rx_desc", 8, 32768, cfg->rx_desc);
	GET_U(n, "tx_desc", "queues.tx_desc", 8, 32768, cfg->tx_desc);
	GET_U(n, "burst", "queues.burst", 1, 512, cfg->burst);
	GET_U(n, "tx_retries", "queues.tx_retries", 0, 1000000, cfg->tx_retries);
	yaml_node_t *v = ydoc_get(y, n, "worker_ring");
	if (v) {
		uint64_t u;
		if ((rc = yconf_u64(y, v, "queues.worker_ring", 2, 65536, &u, err)) < 0)
			return rc;
		if (u & (u - 1))
			return ydoc_fail(y, v, "queues.worker_ring", err, -EINVAL,
					  "must be a power of two, got %llu",
					  (unsigned long long)u);
		cfg->worker_ring = (uint32_t)u;
	}
	return 0;
}

static int load_idle(struct ydoc *y, yaml_node_t *n, struct eng_config *cfg,
		     struct psp_err *err)
{
	static const char *const keys[] = {"enabled", "polls", "sleep_us", NULL};
	int rc = yconf_check_keys(y, n, "idle_backoff", keys, err);
	if (rc < 0)
		return rc;
	yaml_node_t *v = ydoc_get(y, n, "enabled");
	if (v && (rc = yconf_bool(y, v, "idle_backoff.enabled", &cfg->idle.enabled, err)) < 0)
		return rc;
	GET_U(n, "polls", "idle_backoff.polls", 1, 100000000, cfg->idle.polls);
	GET_U(n, "sleep_us", "idle_backoff.sleep_us", 0, 100000, cfg->idle.sleep_us);
	return 0;
}

const char *const idle_mode_names[IDLE_NMODES] = {
	[IDLE_SPIN] = "spin", [IDLE_PAUSE] = "pause", [IDLE_PARK] = "park", [IDLE_AUTO] = "auto"};

int idle_mode_by_name(const char *name)
{
	for (int m = 0; m < IDLE_NMODES; m++)
		if (name && !strcmp(name, idle_mode_names[m]))
			return m;
	return -1;
}

/* idle: spin | pause | park | auto (park.h). */
static int load_worker_idle(struct ydoc *y, yaml_node_t *n, struct eng_config *cfg,
			    struct psp_err *err)
{
	const char *name = ydoc_scalar(n);
	int m = idle_mode_by_name(name);
	if (m < 0)
		return ydoc_fail(y, n, "idle", err, -EINVAL,
				  "must be spin, pause, park or auto, got \"%s\"",
				  name ? name : "(not a scalar)");
	cfg->worker_idle = (enum idle_mode)m;
	return 0;
}

/* reserved_idle: spin | pause | park | same. */
static int load_reserved_idle(struct ydoc *y, yaml_node_t *n, struct eng_config *cfg,
			      struct psp_err *err)
{
	const char *name = ydoc_scalar(n);
	int m = idle_mode_by_name(name);
	cfg->reserved_idle_same = name && !strcmp(name, "same");
	if (cfg->reserved_idle_same)
		return 0;
	if (m < 0 || m == IDLE_AUTO)
		return ydoc_fail(y, n, "reserved_idle", err, -EINVAL,
				  "must be spin, pause, park or same, got \"%s\"",
				  name ? name : "(not a scalar)");
	cfg->reserved_idle = (enum idle_mode)m;
	return 0;
}

const char *const eng_app_names[ENG_NAPPS] = {[ENG_APP_SPIN] = "spin",
					       [ENG_APP_ROCKSDB] = "rocksdb"};

/* Whether this build has app name's code: refuses rocksdb without it. */
static int app_by_name(const char *name, enum eng_app_kind *out, char *why, size_t cap)
{
	for (int a = 0; a < ENG_NAPPS; a++)
		if (!strcmp(name, eng_app_names[a])) {
#ifndef PSP_HAVE_ROCKSDB
			if (a == ENG_APP_ROCKSDB) {
				snprintf(why, cap, "this psp-engine was built without librocksdb "
						   "(install librocksdb-dev and rebuild)");
				return -ENOTSUP;
			}
#endif
			*out = (enum eng_app_kind)a;
			return 0;
		}
	snprintf(why, cap, "must be spin or rocksdb, got \"%s\"", name);
	return -EINVAL;
}

/* Every configured type needs an operation under app: rocksdb: its entry
 * in app.rocksdb.ops, else the workload's op for it (already checked to be
 * get or "scan N" by the workload loader; N is checked here against
 * app.rocksdb.keys). */
static int check_rocksdb_ops(struct eng_config *cfg, struct psp_err *err)
{
	if (cfg->app != ENG_APP_ROCKSDB)
		return 0;
	for (uint32_t t = 0; t < cfg->ntypes; t++) {
		const struct eng_type *et = &cfg->types[t];
		if (cfg->rocksdb.op_given[t])
			continue;
		if (!et->op[0])
			return psp_err_set(err, -EINVAL, cfg->path, "app.rocksdb.ops",
					   "type %s has no operation: give \"%s: get\" or \"%s: "
					   "scan N\" here, or op: in the workload's type", et->name,
					   et->name, et->name);
		unsigned long long n = 0;
		if (strcmp(et->op, "get") && (sscanf(et->op, "scan %llu", &n) != 1 || n < 1 ||
					      n > cfg->rocksdb.keys))
			return psp_err_set(err, -EINVAL, cfg->types_where, "app.rocksdb.ops",
					   "type %s: the workload's op \"%s\" scans more than "
					   "app.rocksdb.keys (%u) keys: raise app.rocksdb.keys or give "
					   "the type's operation in app.rocksdb.ops", et->name, et->op,
					   cfg->rocksdb.keys);
		cfg->rocksdb.scan[t] = (uint32_t)n;
	}
	return 0;
}

/* app.rocksdb.ops: {TYPE: get | "scan N"} for the configured types. */
static int load_rocksdb_ops(struct ydoc *y, yaml_node_t *n, struct eng_config *cfg,
			    struct psp_err *err)
{
	if (n->type != YAML_MAPPING_NODE)
		return ydoc_fail(y, n, "app.rocksdb.ops", err, -EINVAL,
				  "must be a mapping of type names to get or \"scan N\"");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = ydoc_node(y, p->key);
		yaml_node_t *v = ydoc_node(y, p->value);
		const char *name = ydoc_scalar(k), *op = ydoc_scalar(v);
		char key[96];
		snprintf(key, sizeof(key), "app.rocksdb.ops.%.60s", name ? name : "?");
		uint32_t t = 0;
		while (name && t < cfg->ntypes && strcmp(cfg->types[t].name, name))
			t++;
		if (!name || t == cfg->ntypes) {
			char list[256];
			size_t len = 0;
			list[0] = '\0';
			for (uint32_t i = 0; i < cfg->ntypes && len < sizeof(list); i++)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
							i ? ", " : "", cfg->types[i].name);
			return ydoc_fail(y, k, key, err, -EINVAL, "not a type of %s%s (%s)",
					  cfg->workload[0] ? "workload " : "the types key",
					  cfg->workload, list);
		}
		if (cfg->rocksdb.op_given[t])
			return ydoc_fail(y, k, key, err, -EINVAL, "duplicate key '%s'", name);
		unsigned long long nkeys = 0;
		char tail;
		if (op && !strcmp(op, "get")) {
			nkeys = 0;
		} else if (!op || sscanf(op, "scan %llu%c", &nkeys, &tail) != 1 || nkeys < 1 ||
			   nkeys > cfg->rocksdb.keys) {
			return ydoc_fail(y, v, key, err, -EINVAL,
					  "must be get or \"scan N\" with N in 1..app.rocksdb.keys "
					  "(%u), got \"%s\"", cfg->rocksdb.keys, op ? op : "(not a scalar)");
		}
		cfg->rocksdb.scan[t] = (uint32_t)nkeys;
		cfg->rocksdb.op_given[t] = true;
	}
	return 0;
}

static int load_rocksdb(struct ydoc *y, yaml_node_t *n, struct eng_config *cfg,
			struct psp_err *err)
{
	static const char *const keys[] = {"path", "keys", "value_bytes", "ops", NULL};
	int rc = yconf_check_keys(y, n, "app.rocksdb", keys, err);
	if (rc < 0)
		return rc;
	yaml_node_t *v = ydoc_get(y, n, "path");
	if (v && (rc = yconf_str(y, v, "app.rocksdb.path", cfg->rocksdb.path,
				 sizeof(cfg->rocksdb.path), err)) < 0)
		return rc;
	GET_U(n, "keys", "app.rocksdb.keys", 1, 100000000, cfg->rocksdb.keys);
	GET_U(n, "value_bytes", "app.rocksdb.value_bytes", 1, 1u << 20, cfg->rocksdb.value_bytes);
	if ((v = ydoc_get(y, n, "ops")) && (rc = load_rocksdb_ops(y, v, cfg, err)) < 0)
		return rc;
	return 0;
}

/* app: a name (spin, rocksdb) or a mapping {name, max_run_us,
 * preempt_points, rocksdb: {...}}.  Needs the types loaded. */
static int load_app(struct ydoc *y, yaml_node_t *n, struct eng_config *cfg,
		    struct psp_err *err)
{
	char why[160];
	int rc;
	if (n->type == YAML_SCALAR_NODE) {
		if ((rc = app_by_name(ydoc_scalar(n), &cfg->app, why, sizeof(why))) < 0)
			return ydoc_fail(y, n, "app", err, rc, "%s", why);
		return 0;
	}
	static const char *const keys[] = {"name", "max_run_us", "preempt_points", "rocksdb",
					   NULL};
	if ((rc = yconf_check_keys(y, n, "app", keys, err)) < 0)
		return rc;
	yaml_node_t *v = ydoc_get(y, n, "name");
	if (v) {
		const char *name = ydoc_scalar(v);
		if ((rc = app_by_name(name ? name : "(not a scalar)", &cfg->app, why,
				      sizeof(why))) < 0)
			return ydoc_fail(y, v, "app.name", err, rc, "%s", why);
	}
	v = ydoc_get(y, n, "preempt_points");
	if (v && (rc = yconf_bool(y, v, "app.preempt_points", &cfg->preempt_points, err)) < 0)
		return rc;
	uint64_t us = cfg->max_run_ns / 1000;
	GET_U(n, "max_run_us", "app.max_run_us", 1, 10000000, us);
	cfg->max_run_ns = us * 1000;
	if ((v = ydoc_get(y, n, "rocksdb")) && (rc = load_rocksdb(y, v, cfg, err)) < 0)
		return rc;
	return 0;
}

int eng_config_set_app(struct eng_config *cfg, const char *name, struct psp_err *err)
{
	char why[160];
	int rc = app_by_name(name, &cfg->app, why, sizeof(why));
	if (rc < 0)
		return psp_err_set(err, rc, NULL, "--app", "%s", why);
	return check_rocksdb_ops(cfg, err);
}

static int load_lcores(struct ydoc *y, yaml_node_t *n, struct eng_config *cfg,
		       struct psp_err *err)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return ydoc_fail(y, n, "worker_lcores", err, -EINVAL,
				  "must be a list of lcore ids");
	size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (len > PSP_MAX_WORKERS)
		return ydoc_fail(y, n, "worker_lcores", err, -ERANGE,
				  "at most %u workers (the core's worker bitmap), got %zu",
				  PSP_MAX_WORKERS, len);
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *v = ydoc_node(y, n->data.sequence.items.start[i]);
		char k[48];
		snprintf(k, sizeof(k), "worker_lcores[%zu]", i);
		uint64_t u;
		int rc = yconf_u64(y, v, k, 0, ENG_MAX_LCORE - 1, &u, err);
		if (rc < 0)
			return rc;
		cfg->worker_lcore[i] = (uint32_t)u;
	}
	return (int)len;
}

int eng_config_load(const char *path, const struct yconf_overrides *ov,
		    struct eng_config *cfg, struct psp_err *err)
{
	eng_config_default(cfg);
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	if (ov) {
		cfg->sets = ov->set;
		cfg->nsets = ov->nset;
	}
	struct ydoc yc, *y = &yc;
	int rc = yconf_load(y, path, ov, err);
	if (rc < 0)
		return rc;
	static const char *const keys[] = {
		"eal", "port", "ip", "mac", "udp_port", "dispatcher_lcore", "workers",
		"worker_lcores", "policy", "preempt", "workload", "types", "queues", "instance",
		"idle_backoff", "idle", "park_after_us", "reserved_idle", "output_dir", "app",
		"drain_ms", "telemetry", NULL};
	yaml_node_t *root = ydoc_root(y), *v;
	int nlcores = -1;
	if ((rc = yconf_check_keys(y, root, "", keys, err)) < 0)
		goto out;
	if ((rc = yconf_eal(y, root, cfg->eal, ENG_MAX_EAL_ARGS, &cfg->neal, err)) < 0 ||
	    (rc = yconf_port(y, root, cfg->port_spec, sizeof(cfg->port_spec),
			     &cfg->port_is_pci, err)) < 0)
		goto out;
	if ((rc = yconf_check_expand(y, root, err)) < 0 ||
	    (rc = yconf_instance(y, root, cfg->instance, sizeof(cfg->instance), err)) < 0)
		goto out;
	cfg->instance_given = rc == 1;
	if (!cfg->instance_given)
		snprintf(cfg->instance, sizeof(cfg->instance), "%ld", (long)getpid());
	if ((rc = yconf_expand_all(cfg->eal, cfg->neal, cfg->port_spec, sizeof(cfg->port_spec),
				   cfg->instance, err)) < 0)
		goto out;
	if ((rc = yconf_ip_mac(y, root, "server's", &cfg->ip, cfg->mac, &cfg->has_mac, err)) < 0)
		goto out;
#define GET_U_OUT(node, key, path, lo, hi, dst)                                    \
	if ((v = ydoc_get(y, (node), (key)))) {                                   \
		uint64_t u_;                                                       \
		if ((rc = yconf_u64(y, v, (path), (lo), (hi), &u_, err)) < 0)      \
			goto out;                                                  \
		(dst) = u_; /* in range: checked above */                                    \
	}
	GET_U_OUT(root, "udp_port", "udp_port", 1, 65535, cfg->udp_port);
	GET_U_OUT(root, "dispatcher_lcore", "dispatcher_lcore", 0, ENG_MAX_LCORE - 1,
		  cfg->dispatcher_lcore);
	GET_U_OUT(root, "workers", "workers", 1, PSP_MAX_WORKERS, cfg->nworkers);
	GET_U_OUT(root, "drain_ms", "drain_ms", 0, 600000, cfg->drain_ms);
	if ((v = ydoc_get(y, root, "telemetry")) &&
	    (rc = yconf_bool(y, v, "telemetry", &cfg->telemetry, err)) < 0)
		goto out;
	if ((v = ydoc_get(y, root, "worker_lcores"))) {
		if ((rc = load_lcores(y, v, cfg, err)) < 0)
			goto out;
		nlcores = rc;
		rc = 0;
	}
	if ((v = ydoc_get(y, root, "policy")) && (rc = load_policy(y, v, cfg, err)) < 0)
		goto out;
	if ((v = ydoc_get(y, root, "preempt")) && (rc = load_preempt(y, v, cfg, err)) < 0)
		goto out;
	if ((rc = load_workload(y, root, ov, cfg, err)) < 0)
		goto out;
	if ((v = ydoc_get(y, root, "queues")) && (rc = load_queues(y, v, cfg, err)) < 0)
		goto out;
	if ((v = ydoc_get(y, root, "idle_backoff")) && (rc = load_idle(y, v, cfg, err)) < 0)
		goto out;
	if ((v = ydoc_get(y, root, "idle")) && (rc = load_worker_idle(y, v, cfg, err)) < 0)
		goto out;
	GET_U_OUT(root, "park_after_us", "park_after_us", 0, 1000000, cfg->park_after_us);
	if ((v = ydoc_get(y, root, "reserved_idle")) &&
	    (rc = load_reserved_idle(y, v, cfg, err)) < 0)
		goto out;
	if ((v = ydoc_get(y, root, "app")) && (rc = load_app(y, v, cfg, err)) < 0)
		goto out;
	if ((v = ydoc_get(y, root, "output_dir"))) {
		char raw[sizeof(cfg->output_dir)];
		if ((rc = yconf_str(y, v, "output_dir", raw, sizeof(raw), err)) < 0)
			goto out;
		if (yconf_expand(raw, cfg->instance, cfg->output_dir, sizeof(cfg->output_dir)) < 0) {
			rc = ydoc_fail(y, v, "output_dir", err, -ENAMETOOLONG,
				       "too long once %%i and %%p are expanded");
			goto out;
		}
	}

	/* Limits across keys. */
	v = ydoc_get(y, root, "worker_lcores");
	if (nlcores < 0) {
		rc = ydoc_fail(y, root, "worker_lcores", err, -EINVAL,
				"required: one lcore id per worker");
		goto out;
	}
	if (cfg->nworkers == 0)
		cfg->nworkers = (uint32_t)nlcores;
	if ((uint32_t)nlcores != cfg->nworkers) {
		rc = ydoc_fail(y, v, "worker_lcores", err, -EINVAL,
				"lists %d lcores but workers is %u", nlcores, cfg->nworkers);
		goto out;
	}
	if (cfg->nworkers < 1) {
		rc = ydoc_fail(y, v, "worker_lcores", err, -EINVAL, "needs at least one worker");
		goto out;
	}
	for (uint32_t i = 0; i < cfg->nworkers; i++) {
		char k[48];
		snprintf(k, sizeof(k), "worker_lcores[%u]", i);
		if (cfg->worker_lcore[i] == cfg->dispatcher_lcore) {
			rc = ydoc_fail(y, v, k, err, -EINVAL,
					"lcore %u is the dispatcher's (dispatcher_lcore): "
					"a worker needs its own lcore", cfg->worker_lcore[i]);
			goto out;
		}
		for (uint32_t j = 0; j < i; j++)
			if (cfg->worker_lcore[j] == cfg->worker_lcore[i]) {
				rc = ydoc_fail(y, v, k, err, -EINVAL,
						"lcore %u is listed twice", cfg->worker_lcore[i]);
				goto out;
			}
	}
	if (cfg->mbufs < cfg->rx_desc + cfg->requests) {
		rc = ydoc_fail(y, ydoc_get(y, root, "queues"), "queues.mbufs", err, -EINVAL,
				"must be at least rx_desc + requests (%u) so the RX ring "
				"can refill while every request descriptor holds an mbuf, got %u",
				cfg->rx_desc + cfg->requests, cfg->mbufs);
		goto out;
	}
	if (cfg->mbuf_cache > cfg->mbufs / 4) {
		rc = ydoc_fail(y, ydoc_get(y, root, "queues"), "queues.mbuf_cache", err,
				-EINVAL, "must be at most mbufs / 4 (%u), got %u",
				cfg->mbufs / 4, cfg->mbuf_cache);
		goto out;
	}
	if (cfg->preempt_tasks > cfg->requests) {
		rc = ydoc_fail(y, ydoc_get(y, root, "preempt"), "preempt.tasks", err, -EINVAL,
				"must be at most queues.requests (%u): a request holds at "
				"most one stack, got %u", cfg->requests, cfg->preempt_tasks);
		goto out;
	}
	if (cfg->preempt_tasks == 0)
		cfg->preempt_tasks = cfg->requests < ENG_PREEMPT_TASKS_MAX ? cfg->requests
									   : ENG_PREEMPT_TASKS_MAX;
	if ((rc = finish_policy(cfg, err)) < 0)
		goto out;
	if ((rc = check_rocksdb_ops(cfg, err)) < 0)
		goto out;
	rc = 0;
out:
	ydoc_free(y);
	return rc;
}

static void print_ip(FILE *out, uint32_t ip)
{
	fprintf(out, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

void eng_config_print(const struct eng_config *cfg, FILE *out)
{
	fprintf(out, "config: %s\n", cfg->path);
	yconf_print_sets(cfg->sets, cfg->nsets, out);
	fprintf(out, "  instance: %s%s\n", cfg->instance,
		cfg->instance_given ? "" : " (this process's id; psp-client finds it alone or "
					   "takes --set instance=ID)");
	fprintf(out, "  eal:");
	for (uint32_t i = 0; i < cfg->neal; i++)
		fprintf(out, " %s", cfg->eal[i]);
	fprintf(out, "\n  port.%s: %s\n  ip: ", cfg->port_is_pci ? "pci" : "vdev",
		cfg->port_spec);
	print_ip(out, cfg->ip);
	if (cfg->has_mac)
		fprintf(out, "\n  mac: %02x:%02x:%02x:%02x:%02x:%02x", cfg->mac[0], cfg->mac[1],
			cfg->mac[2], cfg->mac[3], cfg->mac[4], cfg->mac[5]);
	else
		fprintf(out, "\n  mac: (the port's)");
	fprintf(out, "\n  udp_port: %u\n  dispatcher_lcore: %u\n  workers: %u\n  worker_lcores:",
		cfg->udp_port, cfg->dispatcher_lcore, cfg->nworkers);
	for (uint32_t i = 0; i < cfg->nworkers; i++)
		fprintf(out, " %u", cfg->worker_lcore[i]);
	/* The policy and every knob it reads, as the core formats them. */
	fprintf(out, "\n  policy: %s", cfg->policy);
	for (size_t i = 0; cfg->ops->params && cfg->ops->params[i]; i++) {
		const struct psp_param *prm = cfg->ops->params[i];
		char buf[64];
		if (prm->flags & PSP_PARAM_MODEL_ONLY)
			continue; /* refused: the engine pays the real cost */
		if (prm->flags & PSP_PARAM_PER_POLICY) /* 0 stands for the policy's own */
			snprintf(buf, sizeof(buf), "%u",
				 psp_policy_conf_slots(cfg->ops, cfg->pconf));
		else
			psp_param_format(cfg->pconf, prm, buf, sizeof(buf));
		fprintf(out, " %s=%s", prm->name, buf);
	}
	fprintf(out, "\n");
	if (cfg->workload[0])
		fprintf(out, "  workload: %s (%s, from %s)\n", cfg->workload, cfg->types_where,
			cfg->workload_from);
	for (uint32_t t = 0; t < cfg->ntypes; t++)
		fprintf(out, "  types[%u]: name=%s wire_id=%u mean_us=%g ratio=%g\n", t,
			cfg->types[t].name, cfg->types[t].wire_id, cfg->types[t].mean_us,
			cfg->types[t].ratio);
	fprintf(out, "  queues: requests=%u mbufs=%u mbuf_cache=%u rx_desc=%u tx_desc=%u "
		     "burst=%u tx_retries=%u worker_ring=%u\n",
		cfg->requests, cfg->mbufs, cfg->mbuf_cache, cfg->rx_desc, cfg->tx_desc,
		cfg->burst, cfg->tx_retries, cfg->worker_ring);
	fprintf(out, "  idle_backoff: enabled=%s polls=%u sleep_us=%u\n",
		cfg->idle.enabled ? "true" : "false", cfg->idle.polls, cfg->idle.sleep_us);
	fprintf(out, "  idle: %s park_after_us=%u reserved_idle=%s\n",
		idle_mode_names[cfg->worker_idle], cfg->park_after_us,
		cfg->reserved_idle_same ? "same" : idle_mode_names[cfg->reserved_idle]);
	if (cfg->ops->props.flags & PSP_POLICY_PREEMPTIVE)
		fprintf(out, "  preempt: stack_kib=%u tasks=%u (%s)\n", cfg->preempt_stack_kib,
			cfg->preempt_tasks,
			cfg->ops->props.flags & PSP_POLICY_WORKER_TIMED
				? "slices timed by the worker, the policy's model"
			: cfg->preempt_worker_timer
				? "timer: worker: slices timed by the worker, yielding while a request waits"
				: "timer: dispatcher: slices timed by the dispatcher's flags");
	if (cfg->app == ENG_APP_ROCKSDB) {
		fprintf(out, "  app: rocksdb path=%s keys=%u value_bytes=%u ops:", cfg->rocksdb.path,
			cfg->rocksdb.keys, cfg->rocksdb.value_bytes);
		for (uint32_t t = 0; t < cfg->ntypes; t++)
			if (cfg->rocksdb.scan[t])
				fprintf(out, " %s=scan %u%s", cfg->types[t].name, cfg->rocksdb.scan[t],
					cfg->rocksdb.op_given[t] ? "" : " (workload)");
			else
				fprintf(out, " %s=get%s", cfg->types[t].name,
					cfg->rocksdb.op_given[t] ? "" : " (workload)");
		fprintf(out, " preempt_points=%s\n", cfg->preempt_points ? "true" : "false");
	} else {
		fprintf(out, "  app: spin max_run_us=%llu preempt_points=%s\n",
			(unsigned long long)(cfg->max_run_ns / 1000),
			cfg->preempt_points ? "true" : "false");
	}
	fprintf(out, "  drain_ms: %u\n  telemetry: %s\n  output_dir: %s\n", cfg->drain_ms,
		cfg->telemetry ? "true" : "false", cfg->output_dir);
}

bool eng_config_worker_timed(const struct eng_config *cfg)
{
	return (cfg->ops->props.flags & PSP_POLICY_WORKER_TIMED) || cfg->preempt_worker_timer;
}
