/* psp-engine: the Perséphone server on DPDK.
 *
 *   psp-engine [EAL options] -- --config FILE [--workload NAME|FILE]
 *              [--set KEY=VALUE]... [--policy NAME] [--app NAME]
 *
 * EAL options come from the config's eal: list, then the port (--vdev or -a),
 * then those given before "--" on the command line (so they override).
 * Exit codes: 0 ok, 1 runtime failure, 2 usage or config error.
 */
#define _GNU_SOURCE /* sched_getaffinity, cpu_set_t */
#include <errno.h>
#include <sched.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_debug.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_ring.h>

#include <psp/suggest.h>

#include "../common/eal_dir.h"
#include "../common/eal_fail.h"
#include "../common/port.h"
#include "../common/yconf.h"
#include "cpu_share.h"
#include "engine.h"

/* Set by SIGINT/SIGTERM; the only thing the handler does. */
static atomic_bool force_quit;

/* What a failed core assertion prints about where it happened: the lcore,
 * the dispatcher's (the main lcore) or a worker's. */
static void print_lcore(char *buf, unsigned cap)
{
	unsigned lcore = rte_lcore_id();
	snprintf(buf, cap, "(psp-engine: lcore %u, %s)", lcore,
		 lcore == rte_get_main_lcore() ? "the dispatcher" : "a worker");
}

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&force_quit, true);
}

/* The longest --stats-ms period: an hour. */
#define STATS_MS_MAX 3600000u

/* The policies of the core's table psp-engine runs (not the model-only
 * bounds), comma-separated, lines wrapped at 73 columns; col is where the
 * first is written. */
static bool engine_runs(size_t i)
{
	return !(psp_policy_at(i)->props.flags & PSP_POLICY_MODEL_ONLY);
}

static void print_policies(FILE *out, size_t col)
{
	size_t last = 0;
	for (size_t i = 0; psp_policy_at(i); i++)
		if (engine_runs(i))
			last = i;
	for (size_t i = 0; i <= last; i++) {
		if (!engine_runs(i))
			continue;
		size_t len = strlen(psp_policy_at(i)->name) + (i < last ? 2 : 1);
		if (col + len > 73) {
			fputc('\n', out);
			col = 0;
		} else if (i > 0) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%s%s", psp_policy_at(i)->name, i < last ? "," : ")");
		col += len - 1;
	}
}

static void usage(FILE *out)
{
	fputs("usage: psp-engine [EAL options --] --config FILE [--workload NAME|FILE]\n"
	      "                  [--set KEY=VALUE]... [--policy NAME] [--app NAME] [--profile]\n"
	      "                  [--trace FILE [--trace-limit N]] [--stats-ms N]\n"
	      "\n"
	      "Perséphone request scheduler on DPDK: one dispatcher lcore hosting a\n"
	      "psp policy (any of psp-sim's but its model-only bounds: ", out);
	print_policies(out, strlen("psp policy (any of psp-sim's but its model-only bounds: "));
	fprintf(out,
		" and worker lcores that answer PSP_MB requests over UDP.\n"
		"\n"
		"  --config FILE   engine configuration (YAML; keys: docs/engine-reference.md,\n"
		"                  \"psp-engine configuration keys\"; guide: docs/engine.md)\n"
		"  --workload NAME|FILE\n"
		"                  the request types (names, wire ids, phase 1's mean\n"
		"                  service times and ratios) from a workload, found as\n"
		"                  psp-sim and psp-client find it; wins over the config's\n"
		"                  workload key; a config with a types key is refused\n"
		"  --set KEY=VALUE override a config key after the file is read, checked as\n"
		"                  the file's keys are (repeatable; a later one wins):\n"
		"                  KEY is dotted (port.vdev, policy.quantum_us), VALUE is\n"
		"                  YAML (5, text, [1, 2], {name: ts, quantum_us: 5})\n"
		"  --policy NAME   override the config's policy (psp-sim's names); the\n"
		"                  config's knobs that NAME does not read are ignored\n"
		"  --app NAME      override the config's app: spin (spins run_ns) or rocksdb\n"
		"                  (app.rocksdb: a database and each type's operation)\n"
		"  --profile       time the dispatcher's phases (rx, parse, classify, policy,\n"
		"                  hand-off, completions) and print ns and cycles per request\n"
		"                  at stop; RX is polled only while fewer than the workers'\n"
		"                  slots + 2 bursts are in flight (for endless sources:\n"
		"                  bench/bench_dispatcher.sh)\n"
		"  --trace FILE    write one CSV row per accepted request: id, type, arrival,\n"
		"                  first dispatch, worker, first start, measured service,\n"
		"                  completion and reply times (ns), preemptions and fate\n"
		"                  (docs/trace-format.md), as the rows are ready (every %u ms,\n"
		"                  in id order) and the rest at stop; psp-sim --trace replays\n"
		"                  it.  FILE is created only once the start is accepted\n"
		"  --trace-limit N record the first N arrivals (default %u, 64 bytes each,\n"
		"                  allocated and touched at start, refused beyond the memory\n"
		"                  available; at most %u); later ones are counted\n"
		"  --stats-ms N    every N ms (1..%u) append one JSON line of counters,\n"
		"                  per-type latency percentiles (since start and over the\n"
		"                  interval) and per-worker figures to OUTPUT_DIR/stats.jsonl\n"
		"                  (the config's output_dir), and a last one at stop\n"
		"  --help          this text\n"
		"  --version       print the version\n"
		"\n"
		"EAL options are taken from the config's eal: list; any given before\n"
		"\"--\" are appended.  Prints the effective configuration (--set items\n"
		"listed, their values applied) and \"ready\" once it accepts requests; stops\n"
		"cleanly on SIGINT/SIGTERM and prints its counters.  An output file\n"
		"(--trace, stats.jsonl, darc-timeline.csv) that could not be written in\n"
		"full (a full disk) is said at stop, ends at its last whole line, counts\n"
		"in output_lines_lost and makes the exit status 1.  At start, the runtime\n"
		"directories of psp-engines that died (/var/run/dpdk/psp-engine-*, no\n"
		"process holding them) are removed.\n"
		"In eal:, the port string and output_dir, %%i is the instance (the\n"
		"instance key, else this process's id, printed at start), %%p the\n"
		"process id and %%u the user id: the shipped software configs name their\n"
		"file prefix, memif socket and output directory with %%i, and put the\n"
		"memif socket in the user's private directory /tmp/psp-memif-%%u (made\n"
		"0700 at start; refused when it is not the user's, mode 0700).\n"
		"Exit codes: 0 ok, 1 runtime failure, 2 usage or config error, 3 the\n"
		"application failed requests (app_failed > 0: answered with run_ns 0;\n"
		"the RocksDB application's read errors, printed at stop).\n",
		ENG_TRACE_FLUSH_MS, ENG_TRACE_LIMIT_DEFAULT, ENG_TRACE_LIMIT_MAX, STATS_MS_MAX);
}

/* A command-line count: decimal 1..max, nothing around it (strtoull alone
 * would take a sign and wrap).  Returns false when s is not one. */
static bool parse_count(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v == 0 || v > max)
		return false;
	*out = v;
	return true;
}

static void print_err(const struct psp_err *err)
{
	char buf[600];
	fprintf(stderr, "psp-engine: %s\n", psp_err_format(err, buf, sizeof(buf)));
}

static uint64_t rand_u64(void *ctx)
{
	(void)ctx;
	return rte_rand();
}

/* Splits argv at "--": EAL part before, application part after.  Without
 * "--" everything is the application's. */
static void split_args(int argc, char **argv, int *eal_argc, int *app_first)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			*eal_argc = i - 1;
			*app_first = i + 1;
			return;
		}
	*eal_argc = 0;
	*app_first = 1;
}

/* The process's CPU affinity mask at start (main, before rte_eal_init). */
static cpu_set_t start_affinity;

static int setup(struct engine *e, struct psp_err *err)
{
	struct eng_config *cfg = &e->cfg;
	if (rte_get_main_lcore() != cfg->dispatcher_lcore)
		return psp_err_set(err, -EINVAL, cfg->path, "dispatcher_lcore",
				   "must be the EAL main lcore (%u), got %u: list it first in "
				   "-l/--lcores or set --main-lcore",
				   rte_get_main_lcore(), cfg->dispatcher_lcore);
	for (uint32_t i = 0; i < cfg->nworkers; i++)
		if (cfg->worker_lcore[i] >= RTE_MAX_LCORE ||
		    !rte_lcore_is_enabled(cfg->worker_lcore[i]))
			return psp_err_set(err, -EINVAL, cfg->path, "worker_lcores",
					   "lcore %u is not enabled in the EAL lcore set "
					   "(-l/--lcores in eal:)", cfg->worker_lcore[i]);
	int rc = port_lookup(cfg->port_spec, &e->port_id, err);
	if (rc < 0)
		return rc;

	e->pool = rte_pktmbuf_pool_create("psp_engine_mbufs", cfg->mbufs, cfg->mbuf_cache, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (!e->pool)
		return psp_err_set(err, -rte_errno, NULL, "queues.mbufs",
				   "cannot create a pool of %u mbufs: %s (with --no-huge, raise "
				   "-m in eal:)", cfg->mbufs, rte_strerror(rte_errno));
	e->tx_queue_disp = cfg->nworkers;
	struct port_setup ps = {.nb_rxq = 1, .nb_txq = (uint16_t)(cfg->nworkers + 1),
				.rx_desc = cfg->rx_desc, .tx_desc = cfg->tx_desc,
				.pool = e->pool};
	if ((rc = port_start(e->port_id, &ps, &e->mac, err)) < 0)
		return rc;
	e->nb_rxq = ps.nb_rxq;
	e->port_started = true;
	if (cfg->has_mac) {
		memcpy(e->mac.addr_bytes, cfg->mac, 6);
		/* Ask the port to take our MAC; a PMD that cannot still delivers
		 * (software devices) or we would see nothing, which the user sees. */
		rte_eth_dev_default_mac_addr_set(e->port_id, &e->mac);
	}
	memcpy(e->filter.mac, e->mac.addr_bytes, 6);
	e->filter.ip = cfg->ip;
	e->filter.udp_port = cfg->udp_port;
	for (uint32_t id = 0; id < 256; id++)
		e->type_by_wire_small[id] = eng_config_type_of(cfg, id);

	uint64_t hz = tsc_measure_hz(100, rte_get_tsc_hz());
	tsc_clock_init(&e->clk, hz, rte_rdtsc());
	printf("tsc: measured %.3f MHz (EAL: %.3f MHz)\n", (double)hz / 1e6,
	       (double)rte_get_tsc_hz() / 1e6);

	switch (cfg->app) {
	case ENG_APP_ROCKSDB:
#ifdef PSP_HAVE_ROCKSDB
		if ((rc = app_rocksdb_init(&e->app, cfg, err)) < 0)
			return rc;
		break;
#else
		return psp_err_set(err, -ENOTSUP, NULL, "app", "built without librocksdb");
#endif
	case ENG_APP_SPIN:
	case ENG_NAPPS:
		if ((rc = app_spin_init(&e->app, cfg, &e->clk)) < 0)
			return psp_err_set(err, rc, NULL, "app", "out of memory");
		break;
	}

	/* Request descriptors. */
	e->reqs = calloc(cfg->requests, sizeof(*e->reqs));
	e->free_reqs = calloc(cfg->requests, sizeof(*e->free_reqs));
	/* dispatch() may fill every slot of every worker at once. */
	uint32_t slots = psp_policy_conf_slots(cfg->ops, cfg->pconf);
	e->assign = calloc((size_t)cfg->nworkers * slots, sizeof(*e->assign));
	e->workers = aligned_alloc(64, sizeof(*e->workers) * cfg->nworkers);
	if (!e->reqs || !e->free_reqs || !e->assign || !e->workers)
		return psp_err_set(err, -ENOMEM, NULL, "queues.requests", "out of memory");
	memset(e->workers, 0, sizeof(*e->workers) * cfg->nworkers);
	for (uint32_t i = 0; i < cfg->requests; i++) {
		e->reqs[i].app = &e->app;
		e->free_reqs[i] = &e->reqs[cfg->requests - 1 - i];
	}
	e->nfree = cfg->requests;
	for (uint32_t s = 0; s < ENG_TYPE_SLOTS; s++)
		snprintf(e->preempt_name[s], sizeof(e->preempt_name[s]), "preemptions_%s",
			 s == ENG_UNKNOWN_SLOT ? "UNKNOWN" : s < cfg->ntypes ? cfg->types[s].name : "-");

	/* Time sharing: the requests' stacks, and who times the slices. */
	uint32_t flags = cfg->ops->props.flags;
	e->preemptive = flags & PSP_POLICY_PREEMPTIVE;
	e->worker_timed = e->preemptive && eng_config_worker_timed(cfg);
	e->hinted = e->worker_timed && !(flags & PSP_POLICY_WORKER_TIMED);
	e->ticked = e->preemptive && !e->worker_timed && cfg->ops->tick;
	e->quantum_cycles = tsc_ns_to_cycles(&e->clk, eng_config_quantum_ns(cfg));
	e->all_workers_mask = cfg->nworkers == 64 ? ~0ull : (1ull << cfg->nworkers) - 1;
	_Static_assert(ENG_PREEMPT_TASKS_MAX == PSP_TASK_POOL_MAX,
		       "preempt.tasks limit is the library's");
	if (e->preemptive) {
		/* Not prefaulted: 4096 x 64 KiB would pin 256 MiB.  The pool hands
		 * out the most recently used stack first, so only as many stacks
		 * as requests run at once stay touched. */
		struct psp_task_pool_conf tc = {.ntasks = cfg->preempt_tasks,
						.stack_bytes = (size_t)cfg->preempt_stack_kib << 10,
						.prefault = false};
		if ((rc = psp_task_pool_init(&e->tasks, &tc)) < 0)
			return psp_err_set(err, rc, NULL, "preempt.tasks",
					   "cannot map %u stacks of %u KiB: %s", cfg->preempt_tasks,
					   cfg->preempt_stack_kib, strerror(-rc));
	}

	/* The policy.  DARC's plans (the first may come with the policy)
	 * set each worker's group for the wake counts. */
	memset(e->worker_group, ENG_NO_GROUP, sizeof(e->worker_group));
	struct psp_policy_conf *pc = cfg->pconf;
	psp_policy_conf_set_rand(pc, rand_u64, NULL);
	if (cfg->ops->props.flags & PSP_POLICY_RESERVES) {
		if ((rc = eng_timeline_open(e)) < 0)
			return psp_err_set(err, rc, NULL, "output_dir",
					   "cannot write %s/darc-timeline.csv: %s",
					   cfg->output_dir, strerror(-rc));
		psp_policy_conf_set_on_reservation(pc, eng_timeline_on_reservation, e);
	}
	e->pol = psp_policy_create(cfg->ops, pc, err);
	if (!e->pol)
		return err->code ? err->code : -EINVAL;
	e->slots = psp_policy_slots(e->pol);
	RTE_VERIFY(e->slots == slots);
	/* Each ring holds at most the worker's slots (a request is in the in
	 * ring, running, or in the done ring, once); queues.worker_ring is
	 * raised to fit them. */
	uint32_t ring = cfg->worker_ring;
	if (ring - 1 < e->slots)
		ring = rte_align32pow2(e->slots + 1);

	/* Workers' idle mode (park.h); the dispatcher wakes parked ones.
	 * auto: park when the polling lcores share CPUs, else spin. */
	uint32_t polling[PSP_MAX_WORKERS + 1];
	polling[0] = cfg->dispatcher_lcore;
	memcpy(polling + 1, cfg->worker_lcore, cfg->nworkers * sizeof(polling[0]));
	struct cpu_share share;
	cpu_share_measure(&start_affinity, polling, cfg->nworkers + 1,
			  "/sys/devices/system/cpu/isolated", &share);
	bool automatic = cfg->worker_idle == IDLE_AUTO;
	if (automatic)
		cfg->worker_idle = share.oversubscribed ? IDLE_PARK : IDLE_SPIN;
	if (share.oversubscribed)
		fprintf(stderr, "psp-engine: %u polling lcores (dispatcher and %u workers) share %u "
				"CPU%s (%s, %u isolated): oversubscribed: %s\n",
			share.lcores, cfg->nworkers, share.cpus, share.cpus == 1 ? "" : "s",
			share.cpu_list, share.isolated,
			automatic ? "workers park when idle (idle: auto; idle: spin to spin anyway)"
			: cfg->worker_idle == IDLE_PARK ? "workers park when idle (idle: park)"
			: "workers poll anyway, as idle says: the OS's scheduling will set the tail "
			  "latency (idle: park or auto avoids it)");
	else
		printf("psp-engine: %u polling lcores on %u CPUs (%s, %u isolated): a CPU each\n",
		       share.lcores, share.cpus, share.cpu_list, share.isolated);
	/* The dispatcher's idle mode (disp_idle.h): auto sleeps when the
	 * polling lcores share CPUs, unless the dispatcher times the policy's
	 * slices (ts, concord with preempt.timer: dispatcher): there a
	 * sleeping dispatcher, though it sleeps only with no request held,
	 * cut ts's preemptions on 2 shared CPUs from >= 10 per 500 us LONG
	 * request to 3 (engine.memif.ts_preempt). */
	bool disp_auto = cfg->disp_idle == DISP_IDLE_AUTO;
	if (disp_auto)
		cfg->disp_idle = share.oversubscribed && !e->ticked ? DISP_IDLE_SLEEP
								    : DISP_IDLE_SPIN;
	e->disp_sleep = cfg->disp_idle == DISP_IDLE_SLEEP;
	e->disp_sleep_after_cycles = tsc_ns_to_cycles(&e->clk, (uint64_t)cfg->disp_sleep_after_us * 1000);
	e->disp_sleep_ns = (uint64_t)cfg->disp_sleep_us * 1000;
	printf("psp-engine: dispatcher idle: %s%s", disp_idle_names[cfg->disp_idle],
	       disp_auto ? " (auto)" : "");
	if (e->disp_sleep)
		printf(" (polls %u us with no request held, then sleeps in timed waits of %u us: "
		       "no Rx interrupts)", cfg->disp_sleep_after_us, cfg->disp_sleep_us);
	printf("\n");
	e->pause = pause_detect();
	if (cfg->reserved_idle_same)
		cfg->reserved_idle = cfg->worker_idle;
	e->parking = cfg->worker_idle == IDLE_PARK || cfg->reserved_idle == IDLE_PARK;
	printf("psp-engine: workers idle: %s%s", idle_mode_names[cfg->worker_idle],
	       automatic ? " (auto)" : "");
	if (cfg->worker_idle == IDLE_PARK)
		printf(" (spin %u us, then sleep on a futex until a dispatch wakes them)",
		       cfg->park_after_us);
	else if (cfg->worker_idle == IDLE_PAUSE)
		printf(" (%s)", pause_kind_name(e->pause));
	if (!cfg->reserved_idle_same && !(cfg->ops->props.flags & PSP_POLICY_RESERVES))
		fprintf(stderr, "psp-engine: reserved_idle: %s has no effect: policy %s reserves "
				"no cores\n", idle_mode_names[cfg->reserved_idle], cfg->ops->name);
	if (!cfg->reserved_idle_same && (cfg->ops->props.flags & PSP_POLICY_RESERVES))
		printf("; reserved by DARC for a shorter group: %s%s",
		       idle_mode_names[cfg->reserved_idle],
		       cfg->reserved_idle == IDLE_PAUSE ? (e->pause == PAUSE_TPAUSE ? " (tpause)"
										   : " (pause instruction)")
		       : "");
	printf("\n");
	for (uint32_t i = 0; i < cfg->nworkers; i++) {
		struct worker *w = &e->workers[i];
		char name[RTE_RING_NAMESIZE];
		w->id = i;
		w->lcore = cfg->worker_lcore[i];
		w->port_id = e->port_id;
		w->txq = (uint16_t)i;
		w->app = &e->app;
		w->clk = &e->clk;
		w->idle = &cfg->idle;
		w->idle_mode = cfg->worker_idle;
		w->reserved_mode = cfg->reserved_idle;
		w->pause = e->pause;
		w->park_after_cycles = tsc_ns_to_cycles(&e->clk, (uint64_t)cfg->park_after_us * 1000);
		w->park = &e->park[i];
		w->tx_retries = cfg->tx_retries;
		w->waiting = e->hinted ? &e->hint[i].waiting : NULL;
		w->next_token = PSP_PREEMPT_TOKEN_MIN;
		atomic_init(&w->stop, false);
		psp_exec_init(&w->exec);
		snprintf(name, sizeof(name), "psp_in_%u", i);
		w->in = rte_ring_create(name, ring, (int)rte_socket_id(),
					RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "psp_done_%u", i);
		w->done = rte_ring_create(name, ring, (int)rte_socket_id(),
					  RING_F_SP_ENQ | RING_F_SC_DEQ);
		w->lat = calloc(ENG_TYPE_SLOTS, sizeof(*w->lat));
		w->svc = calloc(ENG_TYPE_SLOTS, sizeof(*w->svc));
		w->wake = calloc(1, sizeof(*w->wake));
		if (!w->in || !w->done || !w->lat || !w->svc || !w->wake)
			return psp_err_set(err, -ENOMEM, NULL, "queues.worker_ring",
					   "cannot create worker %u's rings: %s", i,
					   rte_strerror(rte_errno));
		for (uint32_t s = 0; s < ENG_TYPE_SLOTS; s++)
			psp_hist_reset(&w->lat[s]), psp_hist_reset(&w->svc[s]);
		psp_hist_reset(w->wake);
	}
	return 0;
}

static void teardown(struct engine *e)
{
	if (e->workers) {
		for (uint32_t i = 0; i < e->cfg.nworkers; i++) {
			rte_ring_free(e->workers[i].in);
			rte_ring_free(e->workers[i].done);
			free(e->workers[i].lat);
			free(e->workers[i].svc);
			free(e->workers[i].wake);
		}
	}
	psp_policy_destroy(e->pol);
	/* Workers have returned: no task runs; stacks of requests that did
	 * not finish before drain_ms are abandoned with them. */
	if (e->preemptive)
		psp_task_pool_fini(&e->tasks);
	free(e->workers);
	free(e->assign);
	free(e->free_reqs);
	free(e->reqs);
	if (e->app.state)
		e->app.fini(&e->app);
	eng_timeline_close(e, NULL);
	eng_trace_close(e);
}

int main(int argc, char **argv)
{
	int eal_argc, app_first;
	split_args(argc, argv, &eal_argc, &app_first);
	const char *config = NULL, *policy = NULL, *app = NULL, *trace = NULL;
	const char *trace_limit = NULL, *stats_ms = NULL;
	const char *sets[YCONF_MAX_SETS];
	struct yconf_overrides ov = {.set = sets};
	bool profile = false;
	for (int i = app_first; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("psp-engine %s\n", PSP_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			config = argv[++i];
		} else if (!strcmp(argv[i], "--workload") && i + 1 < argc) {
			ov.workload = argv[++i];
		} else if (!strcmp(argv[i], "--set") && i + 1 < argc) {
			if (ov.nset == YCONF_MAX_SETS) {
				fprintf(stderr, "psp-engine: --set: at most %u of them\n",
					YCONF_MAX_SETS);
				return 2;
			}
			sets[ov.nset++] = argv[++i];
		} else if (!strcmp(argv[i], "--policy") && i + 1 < argc) {
			policy = argv[++i];
		} else if (!strcmp(argv[i], "--app") && i + 1 < argc) {
			app = argv[++i];
		} else if (!strcmp(argv[i], "--profile")) {
			profile = true;
		} else if (!strcmp(argv[i], "--trace") && i + 1 < argc) {
			trace = argv[++i];
		} else if (!strcmp(argv[i], "--trace-limit") && i + 1 < argc) {
			trace_limit = argv[++i];
		} else if (!strcmp(argv[i], "--stats-ms") && i + 1 < argc) {
			stats_ms = argv[++i];
		} else {
			char near[64];
			if (psp_suggest_flag_from_usage(argv[i], usage, near, sizeof(near)))
				fprintf(stderr, "psp-engine: unexpected argument \"%s\" (did you mean "
					"%s?); try --help\n", argv[i], near);
			else
				fprintf(stderr, "psp-engine: unexpected argument \"%s\"; try --help\n",
					argv[i]);
			return 2;
		}
	}
	if (!config) {
		fprintf(stderr, "psp-engine: --config FILE is required; try --help\n");
		return 2;
	}
	uint64_t trace_records = ENG_TRACE_LIMIT_DEFAULT;
	if (trace_limit && !trace) {
		fprintf(stderr, "psp-engine: --trace-limit needs --trace FILE\n");
		return 2;
	}
	if (trace_limit && !parse_count(trace_limit, ENG_TRACE_LIMIT_MAX, &trace_records)) {
		fprintf(stderr, "psp-engine: --trace-limit: must be a count of records 1..%u, "
				"got \"%s\"\n", ENG_TRACE_LIMIT_MAX, trace_limit);
		return 2;
	}
	uint64_t stats_interval_ms = 0;
	if (stats_ms && !parse_count(stats_ms, STATS_MS_MAX, &stats_interval_ms)) {
		fprintf(stderr, "psp-engine: --stats-ms: must be a period in ms 1..%u, got \"%s\"\n",
			STATS_MS_MAX, stats_ms);
		return 2;
	}

	static struct engine eng;
	struct engine *e = &eng;
	e->profile = profile;
	struct psp_err err;
	psp_err_clear(&err);
	if (eng_config_load(config, &ov, &e->cfg, &err) < 0 ||
	    (policy && eng_config_set_policy(&e->cfg, policy, &err) < 0)) {
		if (policy && !err.where[0])
			snprintf(err.where, sizeof(err.where), "--policy");
		print_err(&err);
		eng_config_free(&e->cfg);
		return 2;
	}
	if (app && eng_config_set_app(&e->cfg, app, &err) < 0) {
		print_err(&err);
		eng_config_free(&e->cfg);
		return 2;
	}
	eng_config_print(&e->cfg, stdout);
	/* The trace's records now (a limit the memory cannot hold is refused
	 * before anything starts); its file only once the start is accepted. */
	if (trace && eng_trace_prepare(e, trace, trace_records, &err) < 0) {
		print_err(&err);
		eng_config_free(&e->cfg);
		return 2;
	}

	/* EAL argv: program, config eal:, the port, command-line EAL options. */
	char *eal_argv[ENG_MAX_EAL_ARGS + 8 + 256];
	int n = 0;
	eal_argv[n++] = argv[0];
	for (uint32_t i = 0; i < e->cfg.neal; i++)
		eal_argv[n++] = e->cfg.eal[i];
	char port_opt[300];
	snprintf(port_opt, sizeof(port_opt), "%s=%.255s", e->cfg.port_is_pci ? "--allow" : "--vdev",
		 e->cfg.port_spec);
	eal_argv[n++] = port_opt;
	for (int i = 1; i <= eal_argc && n < (int)(sizeof(eal_argv) / sizeof(*eal_argv)) - 1; i++)
		eal_argv[n++] = argv[i];
	eal_argv[n] = NULL;
	/* A memif socket file lives in the user's private directory. */
	if (port_memif_socket_dir(e->cfg.port_spec, true, &err) < 0) {
		print_err(&err);
		eng_trace_close(e);
		eng_config_free(&e->cfg);
		return 2;
	}
	/* Runtime directories of engines that crashed (their files are
	 * several MB with --no-huge, one per instance): removed, so that
	 * they do not pile up. */
	eal_dir_remove_dead("psp-engine");
	/* The CPUs this process may use, before the EAL pins its threads. */
	if (sched_getaffinity(0, sizeof(start_affinity), &start_affinity) < 0) {
		fprintf(stderr, "psp-engine: sched_getaffinity: %s\n", strerror(errno));
		eng_config_free(&e->cfg);
		return 1;
	}
	int rc = rte_eal_init(n, eal_argv);
	if (rc < 0) {
		eal_report_init_failure("psp-engine", n, eal_argv);
		eng_config_free(&e->cfg);
		return 2;
	}
	char rundir[512];
	eal_dir_save(rundir, sizeof(rundir));
	psp_assert_set_context(print_lcore);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	int status = 0;
	bool output_failed = false;
	uint64_t app_failed = 0;
	if ((rc = setup(e, &err)) < 0) {
		print_err(&err);
		/* A bad value the EAL or the policy rejected is a config error;
		 * a port or memory failure is a runtime one. */
		status = rc == -EINVAL && strcmp(err.key, "port") ? 2 : 1;
		goto out_port;
	}
	if ((rc = eng_trace_start(e, &err)) < 0) {
		print_err(&err);
		status = 1;
		goto out_port;
	}
	if (e->cfg.telemetry && (rc = eng_telemetry_register(e)) < 0)
		fprintf(stderr, "psp-engine: telemetry /psp/stats not registered: %s\n",
			rte_strerror(-rc));

	for (uint32_t i = 0; i < e->cfg.nworkers; i++) {
		rc = rte_eal_remote_launch(eng_worker_main, &e->workers[i], e->workers[i].lcore);
		if (rc < 0) {
			fprintf(stderr, "psp-engine: cannot launch worker %u on lcore %u: %s\n", i,
				e->workers[i].lcore, rte_strerror(-rc));
			atomic_store(&force_quit, true);
			eng_workers_stop(e);
			status = 1;
			goto out_port;
		}
	}
	if (stats_interval_ms && (rc = eng_stats_file_start(e, (uint32_t)stats_interval_ms, &err)) < 0) {
		print_err(&err);
		atomic_store(&force_quit, true);
		eng_workers_stop(e);
		status = 1;
		goto out_port;
	}
	char macs[RTE_ETHER_ADDR_FMT_SIZE];
	rte_ether_format_addr(macs, sizeof(macs), &e->mac);
	uint32_t ip = e->cfg.ip;
	printf("psp-engine: ready: %u.%u.%u.%u:%u mac %s, port %u, policy %s, %u workers\n",
	       ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, e->cfg.udp_port, macs,
	       e->port_id, e->pol->ops->name, e->cfg.nworkers);
	const char *iface = strstr(e->cfg.port_spec, ",iface=");
	if (!strncmp(e->cfg.port_spec, "net_tap", 7) && iface) /* the name to configure */
		printf("psp-engine: tap interface %.*s\n", (int)strcspn(iface + 7, ","), iface + 7);
	fflush(stdout);

	eng_dispatcher_run(e, &force_quit);

	eng_workers_stop(e);
	uint64_t abandoned = eng_abandon_in_flight(e);
	/* its last line counts the abandoned ones */
	output_failed |= eng_stats_file_stop(e, stdout) < 0;
	if (abandoned)
		printf("psp-engine: drain_ms (%u ms) ran out with %" PRIu64 " requests in flight: "
		       "dropped (dropped_at_stop), their mbufs and stacks freed\n",
		       e->cfg.drain_ms, abandoned);
	printf("psp-engine: stopping\n");
	/* A policy that learns before it plans (DARC dynamic, robust) and never
	 * got to plan ran its stand-in (c-FCFS) the whole run: the figures are
	 * not the policy's, and nothing else would say so. */
	if ((e->pol->ops->props.flags & PSP_POLICY_LEARNS) && psp_policy_profiling(e->pol)) {
		char state[160];
		psp_policy_describe(e->pol, state, sizeof(state));
		printf("psp-engine: WARNING: %s never installed a plan (darc_reservations=0): it "
		       "ran its profiling stand-in the whole run, %s; send more requests or lower "
		       "policy.darc_samples\n", e->pol->ops->name, state);
	}
	output_failed |= eng_trace_finish(e, stdout) < 0;
	output_failed |= eng_timeline_close(e, stdout) < 0;
	app_failed = eng_app_failed(e);
	if (app_failed) {
		printf("psp-engine: %" PRIu64 " requests failed in the %s application (answered "
		       "with run_ns 0, counted as app_failed): exit status 3\n",
		       app_failed, e->app.name);
		if (e->app.report)
			e->app.report(&e->app, stdout);
	}

out_port:
	if (e->port_started)
		port_close(e->port_id);
	if (e->pool) {
		unsigned avail = rte_mempool_avail_count(e->pool);
		printf("mbuf pool: avail=%u size=%u -> %s\n", avail, e->pool->size,
		       avail == e->pool->size ? "full" : "NOT FULL (mbufs leaked or held)");
	}
	if (status == 0) {
		eng_report(e, stdout);
		if (e->profile)
			eng_profile_report(e, stdout);
	}
	fflush(stdout);
	teardown(e);
	if (e->pool)
		rte_mempool_free(e->pool);
	rte_eal_cleanup();
	eal_dir_remove(rundir);
	eng_config_free(&e->cfg);
	return status ? status : output_failed ? 1 : app_failed ? ENG_EXIT_APP_FAILED : 0;
}
