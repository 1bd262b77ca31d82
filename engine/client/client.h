/* psp-client: an open-loop PSP_MB load generator on DPDK that reads the same
 * workload files as psp-sim.  One lcore sends and receives: at the rates the
 * software devices sustain, a second lcore would only fight the first for the
 * machine's two CPUs.
 */
#ifndef PSP_CLIENT_H
#define PSP_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <psp/err.h>

#include "../common/idle.h"

#define CLI_MAX_EAL_ARGS 64u

struct cli_config {
	char path[512];
	char *eal[CLI_MAX_EAL_ARGS];
	uint32_t neal;
	char port_spec[256];
	bool port_is_pci;
	char instance[33];   /* the engine's instance: the key, or found (main.c) */
	char instance_found[300]; /* the socket pattern it was found on, or "" */
	uint32_t ip;
	bool has_mac;
	uint8_t mac[6];
	uint32_t server_ip;
	bool has_server_mac;
	uint8_t server_mac[6];
	uint16_t server_port;
	uint16_t src_port;
	uint16_t rx_queues;   /* must match the server's TX queues on memif */
	uint32_t mbufs, mbuf_cache;
	uint16_t rx_desc, tx_desc;
	uint32_t burst;
	uint32_t window;      /* in-flight table slots, power of two */
	uint32_t timeout_ms;  /* wait for replies after the last send */
	uint32_t arp_timeout_ms;
	uint32_t link_timeout_ms;
	double warmup;        /* fraction of requests not measured */
	uint32_t late_us;     /* a send later than this after its scheduled time is late */
	/* Test/diagnostic knob: sleep pause_us after every pause_every
	 * requests sent (0: never), to slow the generator on purpose. */
	uint32_t pause_every, pause_us;
	uint64_t seed;
	struct idle_conf idle;
	const char *const *sets; /* the command line's --set items, printed */
	size_t nsets;
};

struct yconf_overrides;

/* Loads path into cfg with ov's --set items (ov may be NULL; its workload
 * is psp-client's own flag, not a config key, and is ignored here). */
int cli_config_load(const char *path, const struct yconf_overrides *ov,
		    struct cli_config *cfg, struct psp_err *err);
void cli_config_free(struct cli_config *cfg);
void cli_config_print(const struct cli_config *cfg, FILE *out);

struct sim_trace;

/* What the command line asks for. */
struct cli_run {
	const char *workload;
	double rate_rps;
	double duration_s;
	bool csv;
	const char *output; /* NULL: stdout */
	uint32_t workers;   /* 0: unknown (load column left empty) */
	const char *label;  /* the CSV's policy column; default "engine" */
	/* --trace: its rows are sent instead of sampled ones, arrival times
	 * multiplied by trace_scale; rate_rps and duration_s are then the
	 * replay's (main.c).  NULL: sample the workload. */
	const struct sim_trace *trace;
	double trace_scale;
};


struct psp_workload;

/* psp-client's exit status when the run is no measurement: the server
 * stopped answering mid-run, or answered with application failures. */
#define CLI_NOT_MEASURED 3

/* Runs the load against the server on port_id; prints the report.  Returns 0,
 * 1 on a runtime failure (message printed), or CLI_NOT_MEASURED. */
int cli_generate(const struct cli_config *cfg, const struct cli_run *run,
		 const struct psp_workload *wl, uint16_t port_id);

#endif
