/* psp-client config loading; keys in docs/engine-reference.md, "psp-client configuration keys". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/wire.h"
#include "../common/yconf.h"
#include "client.h"

static void defaults(struct cli_config *c)
{
	memset(c, 0, sizeof(*c));
	c->server_port = PSP_DEFAULT_UDP_PORT;
	c->src_port = 5000;
	c->rx_queues = 1;
	c->mbufs = 8191;
	c->mbuf_cache = 256;
	c->rx_desc = 1024;
	c->tx_desc = 1024;
	c->burst = 32;
	c->window = 65536;
	c->timeout_ms = 1000;
	c->arp_timeout_ms = 3000;
	c->link_timeout_ms = 10000;
	c->warmup = 0.1;
	c->late_us = 1;
	c->seed = 1;
	c->idle.polls = 1000;
}

void cli_config_free(struct cli_config *cfg)
{
	for (uint32_t i = 0; i < cfg->neal; i++)
		free(cfg->eal[i]);
	cfg->neal = 0;
}

#define U(node, key, path, lo, hi, dst)                                            \
	if ((v = ydoc_get(y, (node), (key)))) {                                   \
		uint64_t u_;                                                       \
		if ((rc = yconf_u64(y, v, (path), (lo), (hi), &u_, err)) < 0)      \
			goto out;                                                  \
		(dst) = u_; /* in range: checked above */                                    \
	}

int cli_config_load(const char *path, const struct yconf_overrides *ov,
		    struct cli_config *cfg, struct psp_err *err)
{
	defaults(cfg);
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	struct yconf_overrides sets = {.set = ov ? ov->set : NULL, .nset = ov ? ov->nset : 0};
	cfg->sets = sets.set;
	cfg->nsets = sets.nset;
	struct ydoc yc, *y = &yc;
	int rc = yconf_load(y, path, &sets, err);
	if (rc < 0)
		return rc;
	static const char *const keys[] = {"eal", "port", "ip", "mac", "server", "src_port",
					   "rx_queues", "queues", "timeout_ms",
					   "arp_timeout_ms", "link_timeout_ms", "warmup",
					   "seed", "idle_backoff", "instance", "late_us",
					   "diagnostic", NULL};
	static const char *const skeys[] = {"ip", "mac", "udp_port", NULL};
	static const char *const qkeys[] = {"mbufs", "mbuf_cache", "rx_desc", "tx_desc",
					    "burst", "window", NULL};
	static const char *const ikeys[] = {"enabled", "polls", "sleep_us", NULL};
	static const char *const dkeys[] = {"pause_every", "pause_us", NULL};
	yaml_node_t *root = ydoc_root(y), *v, *m;
	if ((rc = yconf_check_keys(y, root, "", keys, err)) < 0)
		goto out;
	if ((rc = yconf_eal(y, root, cfg->eal, CLI_MAX_EAL_ARGS, &cfg->neal, err)) < 0 ||
	    (rc = yconf_port(y, root, cfg->port_spec, sizeof(cfg->port_spec),
			     &cfg->port_is_pci, err)) < 0)
		goto out;
	if ((rc = yconf_check_expand(y, root, err)) < 0 ||
	    (rc = yconf_instance(y, root, cfg->instance, sizeof(cfg->instance), err)) < 0)
		goto out;
	if ((rc = yconf_ip_mac(y, root, "client's", &cfg->ip, cfg->mac, &cfg->has_mac, err)) < 0)
		goto out;
	if (!(m = ydoc_get(y, root, "server"))) {
		rc = ydoc_fail(y, root, "server", err, -EINVAL,
				"required: {ip: ..., udp_port: ..., mac: (optional)}");
		goto out;
	}
	if ((rc = yconf_check_keys(y, m, "server", skeys, err)) < 0)
		goto out;
	if (!(v = ydoc_get(y, m, "ip"))) {
		rc = ydoc_fail(y, m, "server.ip", err, -EINVAL, "required");
		goto out;
	}
	if ((rc = yconf_ipv4(y, v, "server.ip", &cfg->server_ip, err)) < 0)
		goto out;
	if ((v = ydoc_get(y, m, "mac"))) {
		if ((rc = yconf_mac(y, v, "server.mac", cfg->server_mac, err)) < 0)
			goto out;
		cfg->has_server_mac = true;
	}
	U(m, "udp_port", "server.udp_port", 1, 65535, cfg->server_port);
	U(root, "src_port", "src_port", 1, 65535, cfg->src_port);
	U(root, "rx_queues", "rx_queues", 1, 65, cfg->rx_queues);
	U(root, "timeout_ms", "timeout_ms", 1, 600000, cfg->timeout_ms);
	U(root, "arp_timeout_ms", "arp_timeout_ms", 1, 600000, cfg->arp_timeout_ms);
	U(root, "link_timeout_ms", "link_timeout_ms", 1, 600000, cfg->link_timeout_ms);
	U(root, "seed", "seed", 0, UINT64_MAX, cfg->seed);
	U(root, "late_us", "late_us", 0, 1000000, cfg->late_us);
	if ((v = ydoc_get(y, root, "warmup")) &&
	    (rc = yconf_double(y, v, "warmup", 0.0, 0.99, &cfg->warmup, err)) < 0)
		goto out;
	if ((m = ydoc_get(y, root, "queues"))) {
		if ((rc = yconf_check_keys(y, m, "queues", qkeys, err)) < 0)
			goto out;
		U(m, "mbufs", "queues.mbufs", 64, 1u << 24, cfg->mbufs);
		U(m, "mbuf_cache", "queues.mbuf_cache", 0, 512, cfg->mbuf_cache);
		U(m, "rx_desc", "queues.rx_desc", 8, 32768, cfg->rx_desc);
		U(m, "tx_desc", "queues.tx_desc", 8, 32768, cfg->tx_desc);
		U(m, "burst", "queues.burst", 1, 512, cfg->burst);
		if ((v = ydoc_get(y, m, "window"))) {
			uint64_t u;
			if ((rc = yconf_u64(y, v, "queues.window", 2, 1u << 24, &u, err)) < 0)
				goto out;
			if (u & (u - 1)) {
				rc = ydoc_fail(y, v, "queues.window", err, -EINVAL,
						"must be a power of two, got %llu",
						(unsigned long long)u);
				goto out;
			}
			cfg->window = (uint32_t)u;
		}
	}
	if ((m = ydoc_get(y, root, "idle_backoff"))) {
		if ((rc = yconf_check_keys(y, m, "idle_backoff", ikeys, err)) < 0)
			goto out;
		if ((v = ydoc_get(y, m, "enabled")) &&
		    (rc = yconf_bool(y, v, "idle_backoff.enabled", &cfg->idle.enabled, err)) < 0)
			goto out;
		U(m, "polls", "idle_backoff.polls", 1, 100000000, cfg->idle.polls);
		U(m, "sleep_us", "idle_backoff.sleep_us", 0, 100000, cfg->idle.sleep_us);
	}
	if ((m = ydoc_get(y, root, "diagnostic"))) {
		if ((rc = yconf_check_keys(y, m, "diagnostic", dkeys, err)) < 0)
			goto out;
		U(m, "pause_every", "diagnostic.pause_every", 0, UINT32_MAX, cfg->pause_every);
		U(m, "pause_us", "diagnostic.pause_us", 0, 1000000, cfg->pause_us);
		if ((cfg->pause_every == 0) != (cfg->pause_us == 0)) {
			rc = ydoc_fail(y, m, "diagnostic", err, -EINVAL,
					"pause_every and pause_us go together (both 0: no pause)");
			goto out;
		}
	}
	if (cfg->mbuf_cache > cfg->mbufs / 4) {
		rc = ydoc_fail(y, ydoc_get(y, root, "queues"), "queues.mbuf_cache", err,
				-EINVAL, "must be at most mbufs / 4 (%u)", cfg->mbufs / 4);
		goto out;
	}
	rc = 0;
out:
	ydoc_free(y);
	return rc;
}

static void ip_str(uint32_t ip, char *buf, size_t cap)
{
	snprintf(buf, cap, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

void cli_config_print(const struct cli_config *c, FILE *out)
{
	char a[20], b[20];
	ip_str(c->ip, a, sizeof(a));
	ip_str(c->server_ip, b, sizeof(b));
	fprintf(out, "config: %s\n", c->path);
	yconf_print_sets(c->sets, c->nsets, out);
	if (c->instance[0])
		fprintf(out, "  instance: %s%s%s%s\n", c->instance,
			c->instance_found[0] ? " (the only psp-engine listening on " : "",
			c->instance_found, c->instance_found[0] ? ")" : "");
	fprintf(out, "  eal:");
	for (uint32_t i = 0; i < c->neal; i++)
		fprintf(out, " %s", c->eal[i]);
	fprintf(out, "\n  port.%s: %s\n  ip: %s  src_port: %u\n  server: %s:%u mac %s\n",
		c->port_is_pci ? "pci" : "vdev", c->port_spec, a, c->src_port, b,
		c->server_port, c->has_server_mac ? "(given)" : "(ARP)");
	fprintf(out, "  rx_queues: %u  queues: mbufs=%u rx_desc=%u tx_desc=%u burst=%u "
		     "window=%u\n  timeout_ms: %u  warmup: %g  seed: %llu\n"
		     "  idle_backoff: enabled=%s polls=%u sleep_us=%u\n  late_us: %u\n",
		c->rx_queues, c->mbufs, c->rx_desc, c->tx_desc, c->burst, c->window,
		c->timeout_ms, c->warmup, (unsigned long long)c->seed,
		c->idle.enabled ? "true" : "false", c->idle.polls, c->idle.sleep_us, c->late_us);
	if (c->pause_every)
		fprintf(out, "  diagnostic: pause %u us after every %u requests sent (the "
			     "generator slowed on purpose)\n", c->pause_us, c->pause_every);
}
