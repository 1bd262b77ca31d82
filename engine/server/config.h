/* psp-engine's configuration: one YAML file (docs/engine-reference.md, "psp-engine
 * configuration keys", lists every key with units and limits).  Loading
 * checks each value, rejects unknown keys, checks limits across keys, and
 * reports "file:line:col: key: what" through struct psp_err.  Needs no DPDK:
 * what only the EAL can tell (which lcores exist) is checked by main after
 * rte_eal_init.
 */
#ifndef PSP_ENGINE_CONFIG_H
#define PSP_ENGINE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <psp/err.h>
#include <psp/policy.h>
#include <psp/req.h>
#include <psp/workload.h>

#include "../common/idle.h"
#include "park.h"

#define ENG_MAX_EAL_ARGS 64u
#define ENG_MAX_LCORE 1024u /* lcore ids are checked against the EAL later */
#define ENG_NAME_MAX 48u
/* Most stacks preempt.tasks may ask for: psp_preempt's PSP_TASK_POOL_MAX
 * (checked against it where the library is built). */
#define ENG_PREEMPT_TASKS_MAX 65536u
/* Knobs a policy: mapping may give (the core's table has fewer). */
#define ENG_MAX_KNOBS 32u

/* A knob as the config's policy: mapping wrote it, kept so that --policy
 * can apply it again to another policy. */
struct eng_knob {
	const struct psp_param *param;
	char value[64];
	char where[160]; /* file:line:col of its value */
};

struct eng_type {
	char name[ENG_NAME_MAX];
	uint32_t wire_id;  /* 1..2^32-1; 0 is "unknown" on the wire */
	double mean_us;    /* 0 = not given */
	double ratio;      /* 0 = not given */
	char op[PSP_WL_OP_MAX]; /* the workload's op for it ("get", "scan N"), or "" */
};

/* The engine's applications (app.name). */
enum eng_app_kind { ENG_APP_SPIN, ENG_APP_ROCKSDB, ENG_NAPPS };
extern const char *const eng_app_names[ENG_NAPPS];

struct eng_config {
	char path[512];
	char *eal[ENG_MAX_EAL_ARGS]; /* strdup'ed */
	uint32_t neal;
	char port_spec[256];   /* vdev string or PCI address, %p and %i expanded */
	char instance[33];     /* the instance key, else this process's id */
	bool instance_given;
	bool port_is_pci;
	uint32_t ip;           /* host order */
	bool has_mac;
	uint8_t mac[6];
	uint16_t udp_port;
	uint32_t dispatcher_lcore;
	uint32_t nworkers;
	uint32_t worker_lcore[PSP_MAX_WORKERS];
	char policy[32];
	const struct psp_policy_ops *ops; /* the policy called policy */
	/* Every knob: the defaults, then those of knobs[] the policy reads
	 * (psp_param_apply); workers and types filled from the config.  Owned
	 * (eng_config_free); NULL until a config is loaded. */
	struct psp_policy_conf *pconf;
	struct eng_knob knobs[ENG_MAX_KNOBS];
	uint32_t nknobs;
	char policy_where[160]; /* file:line:col of the policy key's value */
	char types_where[160];  /* file:line:col of types:, or the workload's path */
	/* The workload the types come from ("" when the config lists types:),
	 * and who named it: --workload or the workload key's file:line:col. */
	char workload[48];
	char workload_from[160];
	/* The command line's --set items, printed with the configuration
	 * (pointers into argv). */
	const char *const *sets;
	size_t nsets;
	uint32_t ntypes;
	struct eng_type types[PSP_MAX_TYPES];
	/* queues */
	uint32_t requests;    /* request descriptors: requests held at once */
	uint32_t mbufs;       /* mbuf pool size */
	uint32_t mbuf_cache;
	uint16_t rx_desc, tx_desc;
	uint32_t burst;       /* RX burst */
	uint32_t tx_retries;  /* extra tx_burst attempts before counting tx_failed */
	uint32_t worker_ring; /* dispatcher <-> worker ring size, power of two */
	struct idle_conf idle; /* idle_backoff: the dispatcher's, and spin/pause workers' */
	/* idle, park_after_us: what an idle worker does (park.h); IDLE_AUTO
	 * until main resolves it against the CPUs (cpu_share.h) */
	enum idle_mode worker_idle;
	uint32_t park_after_us;
	/* reserved_idle: the idle mode of workers DARC reserves for a shorter
	 * group (spin, pause, park); reserved_idle_same: "same", idle's */
	enum idle_mode reserved_idle;
	bool reserved_idle_same;
	char output_dir[256];
	enum eng_app_kind app; /* app.name */
	uint64_t max_run_ns;  /* spin: run_ns above this is clamped (and counted) */
	bool preempt_points;  /* app.preempt_points: the handler polls the flag */
	/* app.rocksdb: the database and what each type does to it */
	struct {
		char path[256];
		uint32_t keys;        /* created with keys 0..keys-1 when absent */
		uint32_t value_bytes;
		/* per type index: 0 = get (one key), n = scan n keys */
		uint32_t scan[PSP_MAX_TYPES];
		bool op_given[PSP_MAX_TYPES];
	} rocksdb;
	/* preempt: for PSP_POLICY_PREEMPTIVE policies (the quantum is a knob) */
	uint32_t preempt_stack_kib; /* per request stack */
	uint32_t preempt_tasks;     /* stacks in the pool; 0 = min(requests, ENG_PREEMPT_TASKS_MAX) */
	/* preempt.timer: worker: ts and concord slices are timed by the worker
	 * and yield past the quantum only while another request waits (tq's
	 * are always worker-timed); dispatcher (default): the dispatcher's
	 * tick sets the worker's flag. */
	bool preempt_worker_timer;
	uint32_t drain_ms;    /* at stop: how long queued requests may still run */
	bool telemetry;
};

/* Selects app (a name of eng_app_names) over a loaded config, as --app does:
 * the same checks as the app.name key.  Returns 0 or a negative errno. */
int eng_config_set_app(struct eng_config *cfg, const char *name, struct psp_err *err);


struct yconf_overrides;

/* Loads path into cfg (defaults first), with ov's --set items and
 * --workload (ov may be NULL).  The types come from the workload (--workload,
 * else the workload key) or, without one, from the types key; a config
 * with both is refused.  Returns 0 or a negative errno with err filled.
 * Allocates the eal strings: release with eng_config_free. */
int eng_config_load(const char *path, const struct yconf_overrides *ov,
		    struct eng_config *cfg, struct psp_err *err);

/* Applies --policy NAME over a loaded config: the config's knobs that NAME
 * reads apply, the others are ignored (a note on stderr for each).  The
 * same checks as the policy key; a preemptive policy is refused (-ENOTSUP)
 * by a build without psp_preempt (ENG_PREEMPT_BUILT, preemption.h). */
int eng_config_set_policy(struct eng_config *cfg, const char *name, struct psp_err *err);

void eng_config_free(struct eng_config *cfg);

/* Whether the workers time their own slices: tq always, ts and concord
 * with preempt.timer: worker. */
bool eng_config_worker_timed(const struct eng_config *cfg);

/* The time slice the policy runs with (knob quantum_us), in ns. */
uint64_t eng_config_quantum_ns(const struct eng_config *cfg);

/* Prints the effective configuration, one "key: value" per line. */
void eng_config_print(const struct eng_config *cfg, FILE *out);

/* The wire id -> type index map: PSP_TYPE_UNKNOWN for 0 or unconfigured.
 * Linear over at most 16 types: cheaper than a hash at this size. */
static inline uint32_t eng_config_type_of(const struct eng_config *cfg, uint32_t wire_id)
{
	if (wire_id == 0)
		return PSP_TYPE_UNKNOWN;
	for (uint32_t t = 0; t < cfg->ntypes; t++)
		if (cfg->types[t].wire_id == wire_id)
			return t;
	return PSP_TYPE_UNKNOWN;
}

#endif
