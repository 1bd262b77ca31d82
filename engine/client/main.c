/* psp-client: open-loop PSP_MB load generator on DPDK.
 *
 *   psp-client [EAL options --] --config FILE --workload NAME --rate RPS
 *              --duration S [--set KEY=VALUE]... [--format table|csv]
 *              [--output F] [--workers N] [--label NAME] [--seed N]
 *   psp-client ... --workload NAME --trace FILE [--rate RPS | --load L]
 *
 * Exit codes: 0 ok (an overloaded point is a result, not an error), 1 runtime
 * failure, 2 usage or config error, 3 (CLI_NOT_MEASURED) the run is no
 * measurement: the server stopped answering, or failed requests.  A
 * GENERATOR-LIMITED run exits 0: its report and CSV say so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <psp/suggest.h>
#include <psp/workload.h>

#include "../common/eal_dir.h"
#include "../common/eal_fail.h"
#include "../common/port.h"
#include "../common/yconf.h"
#include "client.h"
#include "trace.h" /* psp-sim's trace reader */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: psp-client [EAL options --] --config FILE --workload NAME\n"
		"                  --rate RPS --duration S [--set KEY=VALUE]...\n"
		"                  [--format table|csv] [--output F] [--workers N]\n"
		"                  [--label NAME] [--seed N]\n"
		"       psp-client ... --workload NAME --trace FILE [--rate RPS | --load L]\n"
		"\n"
		"Open-loop load generator: sends PSP_MB requests drawn from a psp-sim\n"
		"workload file (Poisson arrivals, per-type service times in run_ns) and\n"
		"reports per-type client-side latency in psp-sim's CSV columns, measured\n"
		"from each request's scheduled send time, with the send lateness (actual -\n"
		"scheduled send) and the latency from the actual send beside it.\n"
		"\n"
		"  --config FILE     client configuration (YAML; keys:\n"
		"                    docs/engine-reference.md, \"psp-client configuration\n"
		"                    keys\"; guide: docs/engine.md)\n"
		"  --set KEY=VALUE   override a config key after the file is read, checked\n"
		"                    as the file's keys are (repeatable; a later one wins):\n"
		"                    KEY is dotted (port.vdev, server.ip), VALUE is YAML\n"
		"                    (5, text, [a, b]); the effective configuration\n"
		"                    printed at start lists them\n"
		"  --workload NAME   workload name (workloads/NAME.yml) or a .yml path\n"
		"  --rate RPS        offered load, requests per second (> 0)\n"
		"  --duration S      sending time in seconds (> 0); phased workloads play\n"
		"                    their phases in order within it\n"
		"  --trace FILE      send a psp trace CSV's rows (arrival, type, service;\n"
		"                    psp-sim --trace's format, docs/trace-format.md) instead\n"
		"                    of sampling: its types must be the workload's; no\n"
		"                    --duration (the trace's span is the run); by default at\n"
		"                    the trace's own times\n"
		"  --load L          with --trace and --workers: scale the trace's gaps so\n"
		"                    that its offered load (work / span / workers) is L, as\n"
		"                    psp-sim --trace --load does (--rate R: so that its mean\n"
		"                    rate is R rps)\n"
		"  --format F        table (default) or csv\n"
		"  --output F        write the report to F instead of stdout\n"
		"  --workers N       the server's worker count: fills the load column\n"
		"  --label NAME      the CSV's policy column (default \"engine\")\n"
		"  --seed N          overrides the config's seed\n"
		"  --help            this text\n"
		"  --version         print the version\n"
		"\n"
		"In eal: and the port string, %%p is the process id, %%u the user id and\n"
		"%%i the engine's instance: the instance key (--set instance=ID), else the\n"
		"one psp-engine listening on the port's memif socket pattern (several:\n"
		"exit 2).  A memif socket file (socket-abstract=no) must be in a directory\n"
		"of the user's with mode 0700, else exit 2 (docs/engine.md).\n"
		"Reports OVERLOADED when less than 99.9%% of the measured requests were\n"
		"answered before sending ended (NOT JUDGED below 1000 of them); slowdown\n"
		"divides by the service time in each reply's run_ns word (psp-engine: the\n"
		"time it measured; a server that echoes run_ns: the requested time).\n"
		"GENERATOR-LIMITED when the send lateness p99 is above 10%% of the latency\n"
		"p99 (the tail is the client's as much as the server's; exit 0, the CSV's\n"
		"generator_limited column is 1).\n"
		"Exit codes: 0 ok (overloaded or not), 1 runtime failure (a report that\n"
		"could not be written included), 2 usage or config error, 3 not a\n"
		"measurement: the server stopped answering while\n"
		"requests waited (its port's link went down, or no reply during the last\n"
		"timeout_ms of sending nor after) or answered requests with an\n"
		"application failure (reply run_ns 0).\n");
}

static int parse_double(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || !(v > 0) || v > 1e12)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Without an instance key, the engine is the only one listening on the
 * port's memif socket pattern (socket=...%i...).  Returns 0, or the exit
 * status: 1 when none listens (start it), 2 when several do (pick one). */
static int find_instance(struct cli_config *cfg)
{
	char found[8][PORT_INSTANCE_MAX + 1], pattern[sizeof(cfg->instance_found)];
	if (cfg->instance[0] || !strstr(cfg->port_spec, "%i"))
		return 0;
	int n = port_memif_instances(cfg->port_spec, found, 8, pattern, sizeof(pattern));
	if (n < 0) /* %i elsewhere: yconf_expand_all says an instance is needed */
		return 0;
	if (n == 0) {
		fprintf(stderr, "psp-client: port: no memif server listens on %s: start "
				"psp-engine (with a port.vdev on the same socket) first\n", pattern);
		return 1;
	}
	if (n > 1) {
		fprintf(stderr, "psp-client: instance: %d psp-engines listen on %s (", n, pattern);
		for (int i = 0; i < n && i < 8; i++)
			fprintf(stderr, "%s%s", i ? ", " : "", found[i]);
		fprintf(stderr, "%s): pick one with --set instance=ID\n", n > 8 ? ", ..." : "");
		return 2;
	}
	snprintf(cfg->instance, sizeof(cfg->instance), "%s", found[0]);
	snprintf(cfg->instance_found, sizeof(cfg->instance_found), "%s", pattern);
	return 0;
}

int main(int argc, char **argv)
{
	int eal_argc = 0, app_first = 1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			eal_argc = i - 1;
			app_first = i + 1;
			break;
		}
	struct cli_run run = {.label = NULL};
	const char *config = NULL, *format = "table", *seed = NULL;
	const char *sets[YCONF_MAX_SETS];
	struct yconf_overrides ov = {.set = sets};
	bool have_rate = false, have_dur = false;
	const char *trace_path = NULL;
	double load = 0;
	for (int i = app_first; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--version")) {
			printf("psp-client %s\n", PSP_VERSION);
			return 0;
		}
		if (!val) {
			fprintf(stderr, "psp-client: %s needs a value; try --help\n", a);
			return 2;
		}
		i++;
		if (!strcmp(a, "--config")) {
			config = val;
		} else if (!strcmp(a, "--set")) {
			if (ov.nset == YCONF_MAX_SETS) {
				fprintf(stderr, "psp-client: --set: at most %u of them\n",
					YCONF_MAX_SETS);
				return 2;
			}
			sets[ov.nset++] = val;
		} else if (!strcmp(a, "--workload")) {
			run.workload = val;
		} else if (!strcmp(a, "--rate")) {
			if (parse_double(val, &run.rate_rps) < 0) {
				fprintf(stderr, "psp-client: --rate: must be a positive number, got \"%s\"\n", val);
				return 2;
			}
			have_rate = true;
		} else if (!strcmp(a, "--duration")) {
			if (parse_double(val, &run.duration_s) < 0 || run.duration_s > 86400) {
				fprintf(stderr, "psp-client: --duration: must be in (0, 86400] seconds, got \"%s\"\n", val);
				return 2;
			}
			have_dur = true;
		} else if (!strcmp(a, "--trace")) {
			trace_path = val;
		} else if (!strcmp(a, "--load")) {
			if (parse_double(val, &load) < 0) {
				fprintf(stderr, "psp-client: --load: must be a positive number, got \"%s\"\n", val);
				return 2;
			}
		} else if (!strcmp(a, "--format")) {
			format = val;
		} else if (!strcmp(a, "--output")) {
			run.output = val;
		} else if (!strcmp(a, "--label")) {
			run.label = val;
		} else if (!strcmp(a, "--seed")) {
			seed = val;
		} else if (!strcmp(a, "--workers")) {
			char *end;
			unsigned long w = strtoul(val, &end, 10);
			if (*end || w < 1 || w > 64) {
				fprintf(stderr, "psp-client: --workers: must be in 1..64, got \"%s\"\n", val);
				return 2;
			}
			run.workers = (uint32_t)w;
		} else {
			char near[64];
			if (psp_suggest_flag_from_usage(a, usage, near, sizeof(near)))
				fprintf(stderr, "psp-client: unexpected argument \"%s\" (did you mean "
					"%s?); try --help\n", a, near);
			else
				fprintf(stderr, "psp-client: unexpected argument \"%s\"; try --help\n", a);
			return 2;
		}
	}
	if (trace_path) {
		const char *bad = have_dur ? "--duration (the trace's span is the run's)"
				  : have_rate && load > 0 ? "both --rate and --load (one scale)"
				  : load > 0 && !run.workers ? "--load without --workers (the load is per worker)"
				  : NULL;
		if (bad) {
			fprintf(stderr, "psp-client: --trace: %s; try --help\n", bad);
			return 2;
		}
		if (!config || !run.workload) {
			fprintf(stderr, "psp-client: --config and --workload are required; try --help\n");
			return 2;
		}
	} else if (load > 0) {
		fprintf(stderr, "psp-client: --load: only with --trace (else --rate); try --help\n");
		return 2;
	} else if (!config || !run.workload || !have_rate || !have_dur) {
		fprintf(stderr, "psp-client: --config, --workload, --rate and --duration are "
				"required; try --help\n");
		return 2;
	}
	if (strcmp(format, "table") && strcmp(format, "csv")) {
		fprintf(stderr, "psp-client: --format: must be table or csv, got \"%s\"\n", format);
		return 2;
	}
	run.csv = !strcmp(format, "csv");

	struct psp_err err;
	char ebuf[600];
	static struct cli_config cfg;
	if (cli_config_load(config, &ov, &cfg, &err) < 0) {
		fprintf(stderr, "psp-client: %s\n", psp_err_format(&err, ebuf, sizeof(ebuf)));
		cli_config_free(&cfg);
		return 2;
	}
	/* A memif socket file: only in the user's private directory (no
	 * other user's engine can be found or reached there). */
	int dir_rc = port_memif_socket_dir(cfg.port_spec, false, &err);
	if (dir_rc < 0) {
		fprintf(stderr, "psp-client: %s\n", psp_err_format(&err, ebuf, sizeof(ebuf)));
		cli_config_free(&cfg);
		return dir_rc == -ENOENT ? 1 : 2; /* no engine yet: as when none listens */
	}
	int st = find_instance(&cfg);
	if (st == 0 && yconf_expand_all(cfg.eal, cfg.neal, cfg.port_spec, sizeof(cfg.port_spec),
					cfg.instance[0] ? cfg.instance : NULL, &err) < 0) {
		fprintf(stderr, "psp-client: %s\n", psp_err_format(&err, ebuf, sizeof(ebuf)));
		st = 2;
	}
	if (st) {
		cli_config_free(&cfg);
		return st;
	}
	if (seed) {
		char *end;
		cfg.seed = strtoull(seed, &end, 0);
		if (*end) {
			fprintf(stderr, "psp-client: --seed: must be an integer, got \"%s\"\n", seed);
			return 2;
		}
	}
	static struct psp_workload wl;
	if (psp_workload_load(run.workload, &wl, &err) < 0) {
		fprintf(stderr, "psp-client: %s\n", psp_err_format(&err, ebuf, sizeof(ebuf)));
		cli_config_free(&cfg);
		return 2;
	}
	static struct sim_trace trace;
	if (trace_path) {
		if (sim_trace_read(trace_path, &wl, &trace, &err) < 0) {
			fprintf(stderr, "psp-client: --trace: %s\n", psp_err_format(&err, ebuf, sizeof(ebuf)));
			cli_config_free(&cfg);
			return 2;
		}
		if (trace.n < 2 || trace.span_ns == 0) {
			fprintf(stderr, "psp-client: --trace: %s: %llu rows to send over %llu ns: needs "
					"at least 2 at different times\n", trace_path,
				(unsigned long long)trace.n, (unsigned long long)trace.span_ns);
			sim_trace_free(&trace);
			cli_config_free(&cfg);
			return 2;
		}
		/* The trace's own mean rate over its span; scaled as asked. */
		double own_rps = (double)(trace.n - 1) / ((double)trace.span_ns / 1e9);
		run.trace = &trace;
		run.trace_scale = have_rate ? own_rps / run.rate_rps
				  : load > 0 ? sim_trace_scale(&trace, run.workers, load) : 1.0;
		run.rate_rps = own_rps / run.trace_scale;
		uint64_t last = sim_trace_arrival_ns(&trace, trace.n - 1, run.trace_scale);
		if (last == UINT64_MAX || (double)last / 1e9 > 86400) {
			fprintf(stderr, "psp-client: --trace: scaled by %g the trace lasts over 86400 s\n",
				run.trace_scale);
			sim_trace_free(&trace);
			cli_config_free(&cfg);
			return 2;
		}
		run.duration_s = ((double)last + 1) / 1e9;
	}
	/* The table goes to stdout; with CSV on stdout, everything else goes
	 * to stderr so the CSV stays machine-readable. */
	FILE *info = run.csv && !run.output ? stderr : stdout;
	cli_config_print(&cfg, info);
	if (run.trace)
		fprintf(info, "trace: %s: %llu rows (%llu skipped: no service, dropped where it was "
			      "recorded) over %.6f s, gaps x %g: %.1f rps%s\n", trace_path,
			(unsigned long long)trace.n, (unsigned long long)trace.skipped,
			run.duration_s, run.trace_scale, run.rate_rps,
			run.workers ? "" : " (no --workers: load unknown)");

	char *eal_argv[CLI_MAX_EAL_ARGS + 8 + 256];
	int n = 0;
	eal_argv[n++] = argv[0];
	for (uint32_t i = 0; i < cfg.neal; i++)
		eal_argv[n++] = cfg.eal[i];
	char port_opt[300];
	snprintf(port_opt, sizeof(port_opt), "%s=%.255s", cfg.port_is_pci ? "--allow" : "--vdev",
		 cfg.port_spec);
	eal_argv[n++] = port_opt;
	for (int i = 1; i <= eal_argc && n < (int)(sizeof(eal_argv) / sizeof(*eal_argv)) - 1; i++)
		eal_argv[n++] = argv[i];
	eal_argv[n] = NULL;
	eal_dir_remove_dead("psp-client");
	if (rte_eal_init(n, eal_argv) < 0) {
		eal_report_init_failure("psp-client", n, eal_argv);
		cli_config_free(&cfg);
		return 2;
	}
	char rundir[512];
	eal_dir_save(rundir, sizeof(rundir));
	int status = 1;
	uint16_t port;
	struct rte_mempool *pool = NULL;
	if (psp_err_clear(&err), port_lookup(cfg.port_spec, &port, &err) < 0) {
		fprintf(stderr, "psp-client: %s\n", psp_err_format(&err, ebuf, sizeof(ebuf)));
		goto out;
	}
	pool = rte_pktmbuf_pool_create("psp_client_mbufs", cfg.mbufs, cfg.mbuf_cache, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (!pool) {
		fprintf(stderr, "psp-client: queues.mbufs: cannot create a pool of %u mbufs: %s\n",
			cfg.mbufs, rte_strerror(rte_errno));
		goto out;
	}
	struct port_setup ps = {.nb_rxq = cfg.rx_queues, .nb_txq = 1, .rx_desc = cfg.rx_desc,
				.tx_desc = cfg.tx_desc, .pool = pool};
	struct rte_ether_addr mac;
	if (port_start(port, &ps, &mac, &err) < 0) {
		char sock[108];
		if (port_memif_server_missing(cfg.port_spec, sock, sizeof(sock)))
			fprintf(stderr, "psp-client: port: no memif server listens on %s: start "
					"psp-engine (with a port.vdev on the same socket) first\n",
				sock);
		else
			fprintf(stderr, "psp-client: %s\n",
				psp_err_format(&err, ebuf, sizeof(ebuf)));
		goto out;
	}
	if (port_wait_link(port, cfg.link_timeout_ms) < 0) {
		fprintf(stderr, "psp-client: port link still down after %u ms (link_timeout_ms); "
				"is psp-engine running?\n", cfg.link_timeout_ms);
	} else {
		status = cli_generate(&cfg, &run, &wl, port);
	}
	port_close(port);
out:
	if (pool)
		rte_mempool_free(pool);
	rte_eal_cleanup();
	eal_dir_remove(rundir);
	cli_config_free(&cfg);
	if (run.trace)
		sim_trace_free(&trace);
	return status;
}
