/* psp-engine config loading; see config.h.  Follows Caladan's cfg.c: a key
 * table per mapping, unknown keys fail, limits across keys are checked after
 * every key was read. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <psp/darc.h>

#include "../common/wire.h"
#include "../common/yconf.h"
#include "config.h"

void eng_config_default(struct eng_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->udp_port = PSP_DEFAULT_UDP_PORT;
	cfg->dispatcher_lcore = 0;
	snprintf(cfg->policy, sizeof(cfg->policy), "cfcfs");
	psp_policy_conf_default(&cfg->pconf, 1, 1);
	cfg->darc_steal = true;
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
	snprintf(cfg->output_dir, sizeof(cfg->output_dir), ".");
	cfg->max_run_ns = 10000000; /* 10 ms */
	cfg->preempt_points = true;
	cfg->ts_stack_kib = 64;
	cfg->ts_tasks = 0; /* follows queues.requests */
	cfg->drain_ms = 2000;
	cfg->telemetry = true;
}

void eng_config_free(struct eng_config *cfg)
{
	for (uint32_t i = 0; i < cfg->neal; i++)
		free(cfg->eal[i]);
	cfg->neal = 0;
}

int eng_config_set_policy(struct eng_config *cfg, const char *name, struct psp_err *err)
{
	const struct psp_policy_ops *ops = psp_policy_find(name);
	if (!ops) {
		char list[256];
		size_t n = 0;
		list[0] = '\0';
		for (size_t i = 0; psp_policies[i]; i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
					      psp_policies[i]->name);
		return psp_err_set(err, -EINVAL, NULL, "policy",
				   "unknown policy \"%s\" (known: %s)", name, list);
	}
#ifndef PSP_HAVE_PREEMPT
	if (ops == &psp_ts_ops)
		return psp_err_set(err, -ENOTSUP, NULL, "policy",
				   "ts needs preemptible workers, and this psp-engine was "
				   "built without psp_preempt (x86-64 only; PSP_PREEMPT=OFF)");
#endif
	snprintf(cfg->policy, sizeof(cfg->policy), "%s", ops->name);
	return 0;
}

/* Reads an optional u64 key into *out (of type T) when present. */
#define GET_U(node, key, path, lo, hi, dst)                                        \
	do {                                                                       \
		yaml_node_t *v_ = yconf_get(y, (node), (key));                     \
		if (v_) {                                                          \
			uint64_t u_;                                               \
			int rc_ = yconf_u64(y, v_, (path), (lo), (hi), &u_, err);  \
			if (rc_ < 0)                                               \
				return rc_;                                        \
			(dst) = u_; /* in range: checked above */                            \
		}                                                                  \
	} while (0)

static int load_darc(struct yconf *y, yaml_node_t *n, struct eng_config *cfg,
		     struct psp_err *err)
{
	static const char *const keys[] = {"mode", "min_samples", "delta",
					   "demand_change", "reserve", "steal", NULL};
	int rc = yconf_check_keys(y, n, "darc", keys, err);
	if (rc < 0)
		return rc;
	yaml_node_t *v = yconf_get(y, n, "mode");
	if (v) {
		const char *s = yconf_scalar(v);
		if (s && !strcasecmp(s, "dynamic"))
			cfg->pconf.darc_mode = PSP_DARC_DYNAMIC;
		else if (s && !strcasecmp(s, "oracle"))
			cfg->pconf.darc_mode = PSP_DARC_ORACLE;
		else if (s && !strcasecmp(s, "static"))
			cfg->pconf.darc_mode = PSP_DARC_STATIC;
		else
			return yconf_fail(y, v, "darc.mode", err, -EINVAL,
					  "must be dynamic, oracle or static, got \"%s\"",
					  s ? s : "?");
	}
	GET_U(n, "min_samples", "darc.min_samples", 1, 100000000, cfg->pconf.darc_min_samples);
	GET_U(n, "reserve", "darc.reserve", 0, PSP_MAX_WORKERS - 1, cfg->pconf.darc_reserve);
	if ((v = yconf_get(y, n, "delta")) &&
	    (rc = yconf_double(y, v, "darc.delta", 0.0, 100.0, &cfg->pconf.darc_delta, err)) < 0)
		return rc;
	if ((v = yconf_get(y, n, "demand_change")) &&
	    (rc = yconf_double(y, v, "darc.demand_change", 0.0, 100.0,
			       &cfg->pconf.darc_demand_change, err)) < 0)
		return rc;
	if ((v = yconf_get(y, n, "steal")) &&
	    (rc = yconf_bool(y, v, "darc.steal", &cfg->darc_steal, err)) < 0)
		return rc;
	return 0;
}

static int load_dfcfs(struct yconf *y, yaml_node_t *n, struct eng_config *cfg,
		      struct psp_err *err)
{
	static const char *const keys[] = {"placement", NULL};
	int rc = yconf_check_keys(y, n, "dfcfs", keys, err);
	if (rc < 0)
		return rc;
	yaml_node_t *v = yconf_get(y, n, "placement");
	if (v) {
		const char *s = yconf_scalar(v);
		if (s && !strcasecmp(s, "round-robin"))
			cfg->pconf.placement = PSP_PLACE_ROUND_ROBIN;
		else if (s && !strcasecmp(s, "random"))
			cfg->pconf.placement = PSP_PLACE_RANDOM;
		else
			return yconf_fail(y, v, "dfcfs.placement", err, -EINVAL,
					  "must be round-robin or random, got \"%s\"",
					  s ? s : "?");
	}
	return 0;
}

static int load_ts(struct yconf *y, yaml_node_t *n, struct eng_config *cfg,
		   struct psp_err *err)
{
	static const char *const keys[] = {"quantum_us", "variant", "slo_factor",
					   "stack_kib", "tasks", NULL};
	int rc = yconf_check_keys(y, n, "ts", keys, err);
	if (rc < 0)
		return rc;
	yaml_node_t *v;
	if ((v = yconf_get(y, n, "quantum_us"))) {
		double us;
		/* 0.1 us is below what a dispatcher poll loop can time; 1 s is
		 * no longer time sharing. */
		if ((rc = yconf_double(y, v, "ts.quantum_us", 0.1, 1e6, &us, err)) < 0)
			return rc;
		cfg->pconf.ts_quantum_ns = (uint64_t)(us * 1000.0 + 0.5);
	}
	if ((v = yconf_get(y, n, "variant"))) {
		const char *s = yconf_scalar(v);
		if (s && !strcasecmp(s, "single"))
			cfg->pconf.ts_variant = PSP_TS_SINGLE_QUEUE;
		else if (s && !strcasecmp(s, "per-type"))
			cfg->pconf.ts_variant = PSP_TS_PER_TYPE;
		else
			return yconf_fail(y, v, "ts.variant", err, -EINVAL,
					  "must be single or per-type, got \"%s\"",
					  s ? s : "?");
	}
	if ((v = yconf_get(y, n, "slo_factor")) &&
	    (rc = yconf_double(y, v, "ts.slo_factor", 1e-3, 1e6, &cfg->pconf.ts_slo_factor,
			       err)) < 0)
		return rc;
	/* The library's limits: 4 KiB .. 64 MiB stacks, 65536 of them. */
	GET_U(n, "stack_kib", "ts.stack_kib", 4, 65536, cfg->ts_stack_kib);
	GET_U(n, "tasks", "ts.tasks", 1, ENG_TS_TASKS_MAX, cfg->ts_tasks);
	return 0;
}

static int load_types(struct yconf *y, yaml_node_t *n, struct eng_config *cfg,
		      struct psp_err *err)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return yconf_fail(y, n, "types", err, -EINVAL, "must be a list of types");
	size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (len < 1 || len > PSP_MAX_TYPES)
		return yconf_fail(y, n, "types", err, -ERANGE,
				  "must list 1..%u types (the core's type slots), got %zu",
				  PSP_MAX_TYPES, len);
	static const char *const keys[] = {"name", "wire_id", "mean_us", "ratio", NULL};
	cfg->ntypes = (uint32_t)len;
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *t = yaml_document_get_node(&y->doc, n->data.sequence.items.start[i]);
		struct eng_type *et = &cfg->types[i];
		char pre[32], k[64];
		snprintf(pre, sizeof(pre), "types[%zu]", i);
		int rc = yconf_check_keys(y, t, pre, keys, err);
		if (rc < 0)
			return rc;
		yaml_node_t *v = yconf_get(y, t, "name");
		snprintf(k, sizeof(k), "%s.name", pre);
		if (!v)
			return yconf_fail(y, t, k, err, -EINVAL, "required");
		if ((rc = yconf_str(y, v, k, et->name, sizeof(et->name), err)) < 0)
			return rc;
		snprintf(k, sizeof(k), "%s.wire_id", pre);
		v = yconf_get(y, t, "wire_id");
		if (!v)
			return yconf_fail(y, t, k, err, -EINVAL,
					  "required (the type field of PSP_MB requests)");
		uint64_t u;
		if ((rc = yconf_u64(y, v, k, 1, UINT32_MAX, &u, err)) < 0)
			return rc;
		et->wire_id = (uint32_t)u;
		for (size_t j = 0; j < i; j++) {
			if (cfg->types[j].wire_id == et->wire_id)
				return yconf_fail(y, v, k, err, -EINVAL,
						  "wire id %u already used by types[%zu] (%s)",
						  et->wire_id, j, cfg->types[j].name);
			if (!strcmp(cfg->types[j].name, et->name))
				return yconf_fail(y, t, pre, err, -EINVAL,
						  "name \"%s\" already used by types[%zu]",
						  et->name, j);
		}
		snprintf(k, sizeof(k), "%s.mean_us", pre);
		if ((v = yconf_get(y, t, "mean_us")) &&
		    (rc = yconf_double(y, v, k, 1e-3, 1e7, &et->mean_us, err)) < 0)
			return rc;
		snprintf(k, sizeof(k), "%s.ratio", pre);
		if ((v = yconf_get(y, t, "ratio")) &&
		    (rc = yconf_double(y, v, k, 0.0, 1.0, &et->ratio, err)) < 0)
			return rc;
	}
	return 0;
}

static int load_queues(struct yconf *y, yaml_node_t *n, struct eng_config *cfg,
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
	yaml_node_t *v = yconf_get(y, n, "worker_ring");
	if (v) {
		uint64_t u;
		if ((rc = yconf_u64(y, v, "queues.worker_ring", 2, 65536, &u, err)) < 0)
			return rc;
		if (u & (u - 1))
			return yconf_fail(y, v, "queues.worker_ring", err, -EINVAL,
					  "must be a power of two, got %llu",
					  (unsigned long long)u);
		cfg->worker_ring = (uint32_t)u;
	}
	return 0;
}

static int load_idle(struct yconf *y, yaml_node_t *n, struct eng_config *cfg,
		     struct psp_err *err)
{
	static const char *const keys[] = {"enabled", "polls", "sleep_us", NULL};
	int rc = yconf_check_keys(y, n, "idle_backoff", keys, err);
	if (rc < 0)
		return rc;
	yaml_node_t *v = yconf_get(y, n, "enabled");
	if (v && (rc = yconf_bool(y, v, "idle_backoff.enabled", &cfg->idle.enabled, err)) < 0)
		return rc;
	GET_U(n, "polls", "idle_backoff.polls", 1, 100000000, cfg->idle.polls);
	GET_U(n, "sleep_us", "idle_backoff.sleep_us", 0, 100000, cfg->idle.sleep_us);
	return 0;
}

static int load_app(struct yconf *y, yaml_node_t *n, struct eng_config *cfg,
		    struct psp_err *err)
{
	static const char *const keys[] = {"max_run_us", "preempt_points", NULL};
	int rc = yconf_check_keys(y, n, "app", keys, err);
	if (rc < 0)
		return rc;
	yaml_node_t *v = yconf_get(y, n, "preempt_points");
	if (v && (rc = yconf_bool(y, v, "app.preempt_points", &cfg->preempt_points, err)) < 0)
		return rc;
	uint64_t us = cfg->max_run_ns / 1000;
	GET_U(n, "max_run_us", "app.max_run_us", 1, 10000000, us);
	cfg->max_run_ns = us * 1000;
	return 0;
}

static int load_lcores(struct yconf *y, yaml_node_t *n, struct eng_config *cfg,
		       struct psp_err *err)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return yconf_fail(y, n, "worker_lcores", err, -EINVAL,
				  "must be a list of lcore ids");
	size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (len > PSP_MAX_WORKERS)
		return yconf_fail(y, n, "worker_lcores", err, -ERANGE,
				  "at most %u workers (the core's worker bitmap), got %zu",
				  PSP_MAX_WORKERS, len);
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *v = yaml_document_get_node(&y->doc, n->data.sequence.items.start[i]);
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

int eng_config_load(const char *path, struct eng_config *cfg, struct psp_err *err)
{
	eng_config_default(cfg);
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	struct yconf yc, *y = &yc;
	int rc = yconf_load(y, path, err);
	if (rc < 0)
		return rc;
	static const char *const keys[] = {
		"eal", "port", "ip", "mac", "udp_port", "dispatcher_lcore", "workers",
		"worker_lcores", "policy", "darc", "dfcfs", "ts", "types", "queues",
		"idle_backoff", "output_dir", "app", "drain_ms", "telemetry", NULL};
	yaml_node_t *root = yconf_root(y), *v;
	int nlcores = -1;
	if ((rc = yconf_check_keys(y, root, "", keys, err)) < 0)
		goto out;
	if ((rc = yconf_eal(y, root, cfg->eal, ENG_MAX_EAL_ARGS, &cfg->neal, err)) < 0 ||
	    (rc = yconf_port(y, root, cfg->port_spec, sizeof(cfg->port_spec),
			     &cfg->port_is_pci, err)) < 0)
		goto out;
	if ((rc = yconf_ip_mac(y, root, "server's", &cfg->ip, cfg->mac, &cfg->has_mac, err)) < 0)
		goto out;
#define GET_U_OUT(node, key, path, lo, hi, dst)                                    \
	if ((v = yconf_get(y, (node), (key)))) {                                   \
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
	if ((v = yconf_get(y, root, "telemetry")) &&
	    (rc = yconf_bool(y, v, "telemetry", &cfg->telemetry, err)) < 0)
		goto out;
	if ((v = yconf_get(y, root, "worker_lcores"))) {
		if ((rc = load_lcores(y, v, cfg, err)) < 0)
			goto out;
		nlcores = rc;
		rc = 0;
	}
	if ((v = yconf_get(y, root, "policy"))) {
		const char *s = yconf_scalar(v);
		if (!s) {
			rc = yconf_fail(y, v, "policy", err, -EINVAL, "must be a policy name");
			goto out;
		}
		if ((rc = eng_config_set_policy(cfg, s, err)) < 0) {
			yconf_where(y, v, err->where, sizeof(err->where));
			goto out;
		}
	}
	if ((v = yconf_get(y, root, "darc")) && (rc = load_darc(y, v, cfg, err)) < 0)
		goto out;
	if ((v = yconf_get(y, root, "dfcfs")) && (rc = load_dfcfs(y, v, cfg, err)) < 0)
		goto out;
	if ((v = yconf_get(y, root, "ts")) && (rc = load_ts(y, v, cfg, err)) < 0)
		goto out;
	if (!(v = yconf_get(y, root, "types"))) {
		rc = yconf_fail(y, root, "types", err, -EINVAL,
				"required: the request types (name, wire_id)");
		goto out;
	}
	if ((rc = load_types(y, v, cfg, err)) < 0)
		goto out;
	if ((v = yconf_get(y, root, "queues")) && (rc = load_queues(y, v, cfg, err)) < 0)
		goto out;
	if ((v = yconf_get(y, root, "idle_backoff")) && (rc = load_idle(y, v, cfg, err)) < 0)
		goto out;
	if ((v = yconf_get(y, root, "app")) && (rc = load_app(y, v, cfg, err)) < 0)
		goto out;
	if ((v = yconf_get(y, root, "output_dir")) &&
	    (rc = yconf_str(y, v, "output_dir", cfg->output_dir, sizeof(cfg->output_dir),
			    err)) < 0)
		goto out;

	/* Limits across keys. */
	v = yconf_get(y, root, "worker_lcores");
	if (nlcores < 0) {
		rc = yconf_fail(y, root, "worker_lcores", err, -EINVAL,
				"required: one lcore id per worker");
		goto out;
	}
	if (cfg->nworkers == 0)
		cfg->nworkers = (uint32_t)nlcores;
	if ((uint32_t)nlcores != cfg->nworkers) {
		rc = yconf_fail(y, v, "worker_lcores", err, -EINVAL,
				"lists %d lcores but workers is %u", nlcores, cfg->nworkers);
		goto out;
	}
	if (cfg->nworkers < 1) {
		rc = yconf_fail(y, v, "worker_lcores", err, -EINVAL, "needs at least one worker");
		goto out;
	}
	for (uint32_t i = 0; i < cfg->nworkers; i++) {
		char k[48];
		snprintf(k, sizeof(k), "worker_lcores[%u]", i);
		if (cfg->worker_lcore[i] == cfg->dispatcher_lcore) {
			rc = yconf_fail(y, v, k, err, -EINVAL,
					"lcore %u is the dispatcher's (dispatcher_lcore): "
					"a worker needs its own lcore", cfg->worker_lcore[i]);
			goto out;
		}
		for (uint32_t j = 0; j < i; j++)
			if (cfg->worker_lcore[j] == cfg->worker_lcore[i]) {
				rc = yconf_fail(y, v, k, err, -EINVAL,
						"lcore %u is listed twice", cfg->worker_lcore[i]);
				goto out;
			}
	}
	if (cfg->pconf.darc_mode == PSP_DARC_STATIC && cfg->pconf.darc_reserve >= (int32_t)cfg->nworkers) {
		rc = yconf_fail(y, yconf_get(y, root, "darc"), "darc.reserve", err, -EINVAL,
				"must be below workers (%u), got %d", cfg->nworkers,
				cfg->pconf.darc_reserve);
		goto out;
	}
	if (cfg->mbufs < cfg->rx_desc + cfg->requests) {
		rc = yconf_fail(y, yconf_get(y, root, "queues"), "queues.mbufs", err, -EINVAL,
				"must be at least rx_desc + requests (%u) so the RX ring "
				"can refill while every request descriptor holds an mbuf, got %u",
				cfg->rx_desc + cfg->requests, cfg->mbufs);
		goto out;
	}
	if (cfg->mbuf_cache > cfg->mbufs / 4) {
		rc = yconf_fail(y, yconf_get(y, root, "queues"), "queues.mbuf_cache", err,
				-EINVAL, "must be at most mbufs / 4 (%u), got %u",
				cfg->mbufs / 4, cfg->mbuf_cache);
		goto out;
	}
	if (cfg->ts_tasks > cfg->requests) {
		rc = yconf_fail(y, yconf_get(y, root, "ts"), "ts.tasks", err, -EINVAL,
				"must be at most queues.requests (%u): a request holds at "
				"most one stack, got %u", cfg->requests, cfg->ts_tasks);
		goto out;
	}
	if (cfg->ts_tasks == 0)
		cfg->ts_tasks = cfg->requests < ENG_TS_TASKS_MAX ? cfg->requests
								 : ENG_TS_TASKS_MAX;
	cfg->pconf.nworkers = cfg->nworkers;
	cfg->pconf.ntypes = cfg->ntypes;
	for (uint32_t t = 0; t < cfg->ntypes; t++) {
		cfg->pconf.type_mean_ns[t] = (uint64_t)(cfg->types[t].mean_us * 1000.0 + 0.5);
		cfg->pconf.type_ratio[t] = cfg->types[t].ratio;
		cfg->pconf.type_name[t] = cfg->types[t].name;
	}
	cfg->pconf.darc_no_steal = !cfg->darc_steal;
	if (!strcmp(cfg->policy, "darc") && cfg->pconf.darc_mode != PSP_DARC_DYNAMIC) {
		for (uint32_t t = 0; t < cfg->ntypes; t++)
			if (cfg->types[t].mean_us <= 0 || cfg->types[t].ratio <= 0) {
				rc = yconf_fail(y, yconf_get(y, root, "types"), "types", err,
						-EINVAL,
						"darc.mode oracle/static needs mean_us and ratio "
						"for every type; types[%u] (%s) lacks one",
						t, cfg->types[t].name);
				goto out;
			}
	}
	rc = 0;
out:
	yconf_free(y);
	return rc;
}

static void print_ip(FILE *out, uint32_t ip)
{
	fprintf(out, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

void eng_config_print(const struct eng_config *cfg, FILE *out)
{
	static const char *const modes[] = {"dynamic", "oracle", "static"};
	fprintf(out, "config: %s\n", cfg->path);
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
	fprintf(out, "\n  policy: %s\n", cfg->policy);
	if (!strcmp(cfg->policy, "darc"))
		fprintf(out, "  darc: mode=%s min_samples=%llu delta=%g demand_change=%g "
			     "reserve=%d steal=%s\n",
			modes[cfg->pconf.darc_mode],
			(unsigned long long)cfg->pconf.darc_min_samples, cfg->pconf.darc_delta,
			cfg->pconf.darc_demand_change, cfg->pconf.darc_reserve,
			cfg->darc_steal ? "true" : "false");
	if (!strcmp(cfg->policy, "dfcfs"))
		fprintf(out, "  dfcfs: placement=%s\n",
			cfg->pconf.placement == PSP_PLACE_RANDOM ? "random" : "round-robin");
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
	if (!strcmp(cfg->policy, "ts"))
		fprintf(out, "  ts: quantum_us=%g variant=%s slo_factor=%g stack_kib=%u "
			     "tasks=%u\n",
			(double)cfg->pconf.ts_quantum_ns / 1000.0,
			cfg->pconf.ts_variant == PSP_TS_PER_TYPE ? "per-type" : "single",
			cfg->pconf.ts_slo_factor, cfg->ts_stack_kib, cfg->ts_tasks);
	fprintf(out, "  app: max_run_us=%llu preempt_points=%s\n  drain_ms: %u\n  telemetry: %s\n  output_dir: %s\n",
		(unsigned long long)(cfg->max_run_ns / 1000),
		cfg->preempt_points ? "true" : "false", cfg->drain_ms,
		cfg->telemetry ? "true" : "false", cfg->output_dir);
}
