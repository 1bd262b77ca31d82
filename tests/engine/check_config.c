/* Check suite: psp-engine's config loader.  Every shipped configs/engine-*.yml
 * loads; each kind of bad value fails naming file:line:col and the key. */
#define _GNU_SOURCE /* cpu_set_t */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <psp/workload.h>

#include "client/client.h"
#include "common/yconf.h"
#include "test_conf.h"
#include "server/config.h"
#include "server/cpu_share.h"
#include "server/preemption.h"

Suite *psp_engine_config_suite(void);

/* The loaded config's policy configuration, member by member. */
static struct test_conf knobs(const struct eng_config *cfg)
{
	struct test_conf c;
	memset(&c, 0, sizeof(c));
	ck_assert_ptr_nonnull(cfg->pconf);
	test_conf_read(&c, cfg->pconf);
	return c;
}


static const char *BASE =
	"eal: [--no-huge]\n"
	"port: {vdev: \"net_null0\"}\n"
	"ip: 10.0.0.2\n"
	"workers: 2\n"
	"worker_lcores: [1, 2]\n"
	"policy: darc\n"
	"types:\n"
	"  - {name: SHORT, wire_id: 1, mean_us: 1, ratio: 0.5}\n"
	"  - {name: LONG, wire_id: 2, mean_us: 100, ratio: 0.5}\n";

static char path[64];

/* Writes text to a temporary file and loads it with the command line's
 * overrides ov (may be NULL). */
static int load_ov(const char *text, const struct yconf_overrides *ov, struct eng_config *cfg,
		   struct psp_err *err)
{
	snprintf(path, sizeof(path), "/tmp/psp-check-config-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	psp_err_clear(err);
	int rc = eng_config_load(path, ov, cfg, err);
	unlink(path);
	return rc;
}

static int load(const char *text, struct eng_config *cfg, struct psp_err *err)
{
	return load_ov(text, NULL, cfg, err);
}

/* Loads BASE with extra appended; expects failure naming key at line. */
static void expect_error(const char *text, const char *key, int line, const char *words)
{
	struct eng_config cfg;
	struct psp_err err;
	ck_assert_int_lt(load(text, &cfg, &err), 0);
	char buf[700];
	psp_err_format(&err, buf, sizeof(buf));
	ck_assert_msg(strcmp(err.key, key) == 0, "key \"%s\" != \"%s\" (%s)", err.key, key, buf);
	char want[96];
	snprintf(want, sizeof(want), "%s:%d:", path, line);
	ck_assert_msg(line == 0 || strstr(err.where, want) == err.where,
		      "where \"%s\" lacks %s", err.where, want);
	ck_assert_msg(strstr(buf, words) != NULL, "\"%s\" lacks \"%s\"", buf, words);
	eng_config_free(&cfg);
}

START_TEST(base_loads)
{
	struct eng_config cfg;
	struct psp_err err;
	ck_assert_int_eq(load(BASE, &cfg, &err), 0);
	ck_assert_uint_eq(cfg.nworkers, 2);
	ck_assert_uint_eq(cfg.udp_port, 6789);
	ck_assert_uint_eq(cfg.ntypes, 2);
	ck_assert_uint_eq(knobs(&cfg).type_mean_ns[1], 100000);
	ck_assert_uint_eq(eng_config_type_of(&cfg, 2), 1);
	ck_assert_uint_eq(eng_config_type_of(&cfg, 0), PSP_TYPE_UNKNOWN);
	ck_assert_uint_eq(eng_config_type_of(&cfg, 9), PSP_TYPE_UNKNOWN);
	ck_assert_str_eq(cfg.policy, "darc");
	ck_assert_uint_eq(cfg.neal, 1);
	eng_config_free(&cfg);
}
END_TEST

START_TEST(shipped_configs_load)
{
	const char *src = getenv("PSP_SOURCE_DIR");
	ck_assert_ptr_nonnull(src);
	const char *names[] = {"engine-memif.yml", "engine-tap.yml", "engine-hw.yml"};
	for (size_t i = 0; i < 3; i++) {
		char p[600];
		snprintf(p, sizeof(p), "%s/configs/%s", src, names[i]);
		struct eng_config cfg;
		struct psp_err err;
		char buf[700];
		int rc = eng_config_load(p, NULL, &cfg, &err);
		ck_assert_msg(rc == 0, "%s", psp_err_format(&err, buf, sizeof(buf)));
		eng_config_free(&cfg);
	}
}
END_TEST

START_TEST(unknown_key)
{
	char t[1024];
	snprintf(t, sizeof(t), "%sworkerz: 3\n", BASE);
	expect_error(t, "workerz", 10, "unknown key");
	snprintf(t, sizeof(t), "%sdarc: {darc_samples: 3}\n", BASE);
	expect_error(t, "darc", 10, "unknown key");
}
END_TEST

START_TEST(bad_values)
{
	char t[1024];
	snprintf(t, sizeof(t), "%sudp_port: 70000\n", BASE);
	expect_error(t, "udp_port", 10, "1..65535");
	snprintf(t, sizeof(t), "%squeues: {worker_ring: 48}\n", BASE);
	expect_error(t, "queues.worker_ring", 10, "power of two");
	expect_error("port: {vdev: x}\nip: 10.0.0.300\n", "ip", 2, "IPv4");
	/* Addresses are read strictly: no spaces, no leading zeros (octal to
	 * inet_aton), exactly four parts. */
	static const char *const bad_ips[] = {"\" 198.18.0.2\"", "\"198.18.0.2 \"",
					      "198.018.0.2", "198.18.0", "198.18.0.2.1",
					      "+198.18.0.2", "198..0.2", "0x1.2.3.4", "1.2.3.4x"};
	for (size_t i = 0; i < sizeof(bad_ips) / sizeof(*bad_ips); i++) {
		snprintf(t, sizeof(t), "port: {vdev: x}\nip: %s\n", bad_ips[i]);
		expect_error(t, "ip", 2, "IPv4");
	}
	static const char *const bad_macs[] = {"\" 02:00:00:00:00:01\"", "2:0:0:0:0:1",
					       "\"02:00:00:00:00:01:\"", "02-00-00-00-00-01",
					       "02:00:00:00:00:0g"};
	for (size_t i = 0; i < sizeof(bad_macs) / sizeof(*bad_macs); i++) {
		snprintf(t, sizeof(t), "port: {vdev: x}\nip: 10.0.0.2\nmac: %s\n", bad_macs[i]);
		expect_error(t, "mac", 3, "MAC");
	}
	expect_error("port: {vdev: \"\"}\nip: 10.0.0.2\n", "port.vdev", 1, "--vdev string");
	expect_error("port: {pci: \"\"}\nip: 10.0.0.2\n", "port.pci", 1, "PCI address");
	snprintf(t, sizeof(t), "%sudp_port: -1\n", BASE);
	expect_error(t, "udp_port", 10, "1..65535");
}
END_TEST

/* app: a name or a mapping; app: rocksdb needs an operation for every type. */
START_TEST(app_keys)
{
	char t[1400];
	snprintf(t, sizeof(t), "%sapp: memcached\n", BASE);
	expect_error(t, "app", 10, "must be spin or rocksdb");
	snprintf(t, sizeof(t), "%sapp: {name: spin, max_run_us: 5}\n", BASE);
	struct eng_config cfg;
	struct psp_err err;
	ck_assert_int_eq(load(t, &cfg, &err), 0);
	ck_assert_int_eq(cfg.app, ENG_APP_SPIN);
	eng_config_free(&cfg);
#ifdef PSP_HAVE_ROCKSDB
	snprintf(t, sizeof(t), "%sapp: {name: rocksdb, rocksdb: {ops: {SHORT: get}}}\n", BASE);
	expect_error(t, "app.rocksdb.ops", 0, "type LONG has no operation");
	snprintf(t, sizeof(t), "%sapp: {name: rocksdb, rocksdb: {ops: {SHORT: get, LONG: scan 0}}}\n",
		 BASE);
	expect_error(t, "app.rocksdb.ops.LONG", 10, "scan N");
	snprintf(t, sizeof(t),
		 "%sapp: {name: rocksdb, rocksdb: {keys: 100, ops: {SHORT: get, LONG: scan 101}}}\n",
		 BASE);
	expect_error(t, "app.rocksdb.ops.LONG", 10, "1..app.rocksdb.keys (100)");
	snprintf(t, sizeof(t), "%sapp: {name: rocksdb, rocksdb: {ops: {GET: get}}}\n", BASE);
	expect_error(t, "app.rocksdb.ops.GET", 10, "not a type");
	snprintf(t, sizeof(t), "%sapp: {name: rocksdb, rocksdb: {ops: {SHORT: get, LONG: scan 50}}}\n",
		 BASE);
	ck_assert_int_eq(load(t, &cfg, &err), 0);
	ck_assert_int_eq(cfg.app, ENG_APP_ROCKSDB);
	ck_assert_uint_eq(cfg.rocksdb.scan[0], 0);
	ck_assert_uint_eq(cfg.rocksdb.scan[1], 50);
	eng_config_free(&cfg);
	/* --app rocksdb over a config without operations */
	ck_assert_int_eq(load(BASE, &cfg, &err), 0);
	ck_assert_int_lt(eng_config_set_app(&cfg, "rocksdb", &err), 0);
	ck_assert_msg(strstr(err.msg, "type SHORT has no operation"), "%s", err.msg);
	eng_config_free(&cfg);
#endif
}
END_TEST

START_TEST(not_a_config_file)
{
	struct eng_config cfg;
	struct psp_err err;
	char buf[700];
	psp_err_clear(&err);
	ck_assert_int_eq(eng_config_load("/tmp", NULL, &cfg, &err), -EISDIR);
	psp_err_format(&err, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "/tmp: is a directory, not a config file"), "%s", buf);
	eng_config_free(&cfg);
	static char longpath[4096];
	memset(longpath, 'a', sizeof(longpath) - 1);
	psp_err_clear(&err);
	ck_assert_int_eq(eng_config_load(longpath, NULL, &cfg, &err), -ENAMETOOLONG);
	psp_err_format(&err, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "config path of 4095 characters is longer than"), "%s", buf);
	eng_config_free(&cfg);
}
END_TEST

START_TEST(address_parsers)
{
	uint32_t ip;
	ck_assert_int_eq(yconf_parse_ipv4("0.0.0.0", &ip), 0);
	ck_assert_uint_eq(ip, 0);
	ck_assert_int_eq(yconf_parse_ipv4("255.255.255.255", &ip), 0);
	ck_assert_uint_eq(ip, 0xffffffffu);
	ck_assert_int_eq(yconf_parse_ipv4("198.18.0.2", &ip), 0);
	ck_assert_uint_eq(ip, 0xc6120002u);
	ck_assert_int_eq(yconf_parse_ipv4("256.0.0.0", &ip), -EINVAL);
	ck_assert_int_eq(yconf_parse_ipv4("1000.0.0.0", &ip), -EINVAL);
	ck_assert_int_eq(yconf_parse_ipv4("", &ip), -EINVAL);
	uint8_t mac[6];
	ck_assert_int_eq(yconf_parse_mac("02:aB:cd:EF:00:ff", mac), 0);
	static const uint8_t want[6] = {0x02, 0xab, 0xcd, 0xef, 0x00, 0xff};
	ck_assert_mem_eq(mac, want, 6);
	ck_assert_int_eq(yconf_parse_mac("02:ab:cd:ef:00", mac), -EINVAL);
}
END_TEST

START_TEST(cross_key_limits)
{
	char t[1024];
	/* a worker on the dispatcher's lcore */
	snprintf(t, sizeof(t), "%s", BASE);
	char *p = strstr(t, "[1, 2]");
	memcpy(p, "[0, 2]", 6);
	expect_error(t, "worker_lcores[0]", 5, "dispatcher");
	memcpy(p, "[2, 2]", 6);
	expect_error(t, "worker_lcores[1]", 5, "twice");
	memcpy(p, "[1, 3]", 6);
	char *w = strstr(t, "workers: 2");
	w[9] = '3';
	expect_error(t, "worker_lcores", 5, "workers is 3");
	/* duplicate wire ids */
	snprintf(t, sizeof(t), "%s", BASE);
	p = strstr(t, "wire_id: 2");
	p[9] = '1';
	expect_error(t, "types[1].wire_id", 9, "already used");
	/* the wire's u32 type field, as in workload files: 1..4294967295 */
	snprintf(t, sizeof(t), "port: {vdev: x}\nip: 10.0.0.2\ntypes:\n"
			       "  - {name: A, wire_id: 4294967296, mean_us: 1, ratio: 1}\n");
	expect_error(t, "types[0].wire_id", 4, "4294967295");
	/* too many types */
	char many[4096];
	size_t n = (size_t)snprintf(many, sizeof(many),
				    "port: {vdev: x}\nip: 10.0.0.2\nworker_lcores: [1]\ntypes:\n");
	for (int i = 0; i < 17; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n,
				      "  - {name: T%d, wire_id: %d}\n", i, i + 1);
	expect_error(many, "types", 5, "1..16");
	/* more workers than the core's bitmap */
	char lc[2048];
	n = (size_t)snprintf(lc, sizeof(lc), "port: {vdev: x}\nip: 10.0.0.2\nworker_lcores: [");
	for (int i = 1; i <= 65; i++)
		n += (size_t)snprintf(lc + n, sizeof(lc) - n, "%s%d", i > 1 ? ", " : "", i);
	snprintf(lc + n, sizeof(lc) - n, "]\ntypes: [{name: A, wire_id: 1}]\n");
	expect_error(lc, "worker_lcores", 3, "at most 64");
	/* mbufs too few for the RX ring plus every request */
	snprintf(t, sizeof(t), "%squeues: {mbufs: 1000, requests: 4096}\n", BASE);
	expect_error(t, "queues.mbufs", 10, "at least");
}
END_TEST

START_TEST(policies)
{
	char t[1024];
	snprintf(t, sizeof(t), "%s", BASE);
	char *p = strstr(t, "policy: darc");
	memcpy(p, "policy: ts  ", 12);
	if (ENG_PREEMPT_BUILT) {
		struct eng_config c;
		struct psp_err e;
		ck_assert_int_eq(load(t, &c, &e), 0);
		ck_assert_str_eq(c.policy, "ts");
		eng_config_free(&c);
	} else {
		expect_error(t, "policy", 6, "built without psp_preempt");
	}
	memcpy(p, "policy: foo ", 12);
	expect_error(t, "policy", 6, "unknown policy");
	struct eng_config cfg;
	struct psp_err err;
	ck_assert_int_eq(load(BASE, &cfg, &err), 0);
	ck_assert_int_eq(eng_config_set_policy(&cfg, "d-FCFS", &err), 0);
	ck_assert_str_eq(cfg.policy, "dfcfs");
	ck_assert_int_eq(eng_config_set_policy(&cfg, "ts", &err), ENG_PREEMPT_BUILT ? 0 : -ENOTSUP);
	eng_config_free(&cfg);
}
END_TEST

/* BASE with its "policy: darc" line (line 6) replaced by line, then extra
 * appended (from line 10), into t. */
static void with_policy(char *t, size_t cap, const char *line, const char *extra)
{
	const char *p = strstr(BASE, "policy: darc\n");
	snprintf(t, cap, "%.*s%s\n%s%s", (int)(p - BASE), BASE, line,
		 p + strlen("policy: darc\n"), extra);
}

/* policy: as a mapping of the name and the core's knobs. */
START_TEST(policy_knobs)
{
	struct eng_config cfg;
	struct psp_err err;
	char t[1024], buf[700];
	with_policy(t, sizeof(t), "policy: {name: darc, darc_samples: 500, darc_delta: 0.3}", "");
	ck_assert_msg(load(t, &cfg, &err) == 0, "%s", psp_err_format(&err, buf, sizeof(buf)));
	ck_assert_str_eq(cfg.policy, "darc");
	ck_assert_uint_eq(knobs(&cfg).darc_min_samples, 500);
	ck_assert(knobs(&cfg).darc_delta == 0.3);
	ck_assert_int_eq(knobs(&cfg).darc_mode, PSP_DARC_DYNAMIC);
	ck_assert_uint_eq(knobs(&cfg).nworkers, 2);
	/* --policy: the knobs jbsq (and ts, where built) do not read are
	 * ignored: darc's back to its default */
	ck_assert_int_eq(eng_config_set_policy(&cfg, "jbsq", &err), 0);
	ck_assert_uint_eq(knobs(&cfg).darc_min_samples, 50000);
	if (ENG_PREEMPT_BUILT) {
		ck_assert_int_eq(eng_config_set_policy(&cfg, "ts", &err), 0);
		ck_assert_uint_eq(knobs(&cfg).darc_min_samples, 50000);
		ck_assert_uint_eq(knobs(&cfg).ts_quantum_ns, 5000);
	}
	ck_assert_int_eq(eng_config_set_policy(&cfg, "darc", &err), 0);
	ck_assert_uint_eq(knobs(&cfg).darc_min_samples, 500);
	eng_config_free(&cfg);

	/* reserve implies darc_mode: static */
	with_policy(t, sizeof(t), "policy: {name: darc, reserve: 1}", "");
	ck_assert_msg(load(t, &cfg, &err) == 0, "%s", psp_err_format(&err, buf, sizeof(buf)));
	ck_assert_int_eq(knobs(&cfg).darc_mode, PSP_DARC_STATIC);
	ck_assert_int_eq(knobs(&cfg).darc_reserve, 1);
	eng_config_free(&cfg);

	/* darc_variant robust sets the parts; an explicit part wins */
	with_policy(t, sizeof(t),
		    "policy: {name: darc, darc_variant: robust, darc_starvation_guard: 5}", "");
	ck_assert_msg(load(t, &cfg, &err) == 0, "%s", psp_err_format(&err, buf, sizeof(buf)));
	ck_assert_int_eq(knobs(&cfg).darc_variant, PSP_DARC_ROBUST);
	ck_assert_int_eq(knobs(&cfg).darc_sizing, PSP_DARC_SIZE_CAPACITY);
	ck_assert_int_eq(knobs(&cfg).darc_ratio_source, PSP_DARC_RATIOS_ARRIVALS);
	ck_assert_int_eq(knobs(&cfg).darc_hysteresis, PSP_DARC_HYST_CI);
	ck_assert(knobs(&cfg).darc_starvation_guard == 5);
	eng_config_free(&cfg);

	/* block form, slots, placement */
	with_policy(t, sizeof(t), "policy:\n  name: jbsq\n  slots: 3", "");
	ck_assert_msg(load(t, &cfg, &err) == 0, "%s", psp_err_format(&err, buf, sizeof(buf)));
	ck_assert_uint_eq(knobs(&cfg).slots, 3);
	eng_config_free(&cfg);
	with_policy(t, sizeof(t), "policy: {name: ws, placement: flow-hash}", "");
	ck_assert_msg(load(t, &cfg, &err) == 0, "%s", psp_err_format(&err, buf, sizeof(buf)));
	ck_assert_int_eq(knobs(&cfg).placement, PSP_PLACE_FLOW_HASH);
	eng_config_free(&cfg);

	/* errors: file:line:col and the key */
	with_policy(t, sizeof(t), "policy: {name: darc, darc_sample: 3}", "");
	expect_error(t, "policy.darc_sample", 6, "not a policy knob");
	with_policy(t, sizeof(t), "policy: {name: darc, darc_sizing: ceil}", "");
	expect_error(t, "policy.darc_sizing", 6, "must be one of rounding,capacity");
	with_policy(t, sizeof(t), "policy: {name: cfcfs, quantum_us: 5}", "");
	expect_error(t, "policy.quantum_us", 6, "not read by cfcfs (read by: ts, tq, concord)");
	with_policy(t, sizeof(t), "policy: {name: ws, slots: 2}", "");
	expect_error(t, "policy.slots", 6, "not read by ws");
	with_policy(t, sizeof(t), "policy: {name: ws, steal_cost_ns: 100}", "");
	expect_error(t, "policy.steal_cost_ns", 6, "modelled cost");
	/* (a build without psp_preempt refuses tq and ts before their knobs) */
	if (ENG_PREEMPT_BUILT) {
		with_policy(t, sizeof(t), "policy: {name: tq, preempt_cost_us: 1}", "");
		expect_error(t, "policy.preempt_cost_us", 6, "pays the real cost");
		with_policy(t, sizeof(t), "policy: {name: ts, quantum_us: 0}", "");
		expect_error(t, "policy.quantum_us", 6, "quantum_us");
	}
	with_policy(t, sizeof(t), "policy: {name: darc, darc_delta: abc}", "");
	expect_error(t, "policy.darc_delta", 6, "darc_delta");
	with_policy(t, sizeof(t), "policy: {name: darc, darc_mode: psychic}", "");
	expect_error(t, "policy.darc_mode", 6, "dynamic");
	with_policy(t, sizeof(t), "policy: {name: darc, darc_samples: 5, darc_samples: 6}", "");
	expect_error(t, "policy.darc_samples", 6, "duplicate key");
	with_policy(t, sizeof(t), "policy: {darc_samples: 5}", "");
	expect_error(t, "policy.name", 6, "required");
	/* limits the policy checks, pointed at the knob or the types */
	with_policy(t, sizeof(t), "policy: {name: darc, reserve: 2}", "");
	expect_error(t, "policy.reserve", 6, "reserve");
	with_policy(t, sizeof(t), "policy: {name: jbsq, slots: 65}", "");
	expect_error(t, "policy.slots", 6, "slots");
	with_policy(t, sizeof(t), "policy: {name: darc, darc_mode: oracle}",
		    "  - {name: X, wire_id: 3}\n");
	expect_error(t, "types", 8, "darc");
}
END_TEST

/* preempt: the engine's side of the preemptive policies. */
START_TEST(preempt_keys)
{
	struct eng_config cfg;
	struct psp_err err;
	ck_assert_int_eq(load(BASE, &cfg, &err), 0);
	ck_assert_uint_eq(cfg.preempt_stack_kib, 64);
	ck_assert_uint_eq(cfg.preempt_tasks, cfg.requests);
	ck_assert(cfg.preempt_points);
	eng_config_free(&cfg);

	char t[1024];
	with_policy(t, sizeof(t), "policy: {name: ts, quantum_us: 2.5, ts_variant: per-type, "
		    "ts_slo_factor: 20}",
		    "preempt: {stack_kib: 32, tasks: 100}\napp: {preempt_points: false}\n");
	if (ENG_PREEMPT_BUILT) {
		ck_assert_int_eq(load(t, &cfg, &err), 0);
		ck_assert_uint_eq(knobs(&cfg).ts_quantum_ns, 2500);
		ck_assert_int_eq(knobs(&cfg).ts_variant, PSP_TS_PER_TYPE);
		ck_assert(knobs(&cfg).ts_slo_factor == 20.0);
		ck_assert_uint_eq(cfg.preempt_stack_kib, 32);
		ck_assert_uint_eq(cfg.preempt_tasks, 100);
		ck_assert(!cfg.preempt_points);
		eng_config_free(&cfg);
	} else {
		expect_error(t, "policy", 6, "built without psp_preempt");
	}

	snprintf(t, sizeof(t), "%sts: {quantum_us: 5}\n", BASE);
	expect_error(t, "ts", 10, "unknown key");
	snprintf(t, sizeof(t), "%spreempt: {quantum_us: 5}\n", BASE);
	expect_error(t, "preempt.quantum_us", 10, "unknown key");
	snprintf(t, sizeof(t), "%spreempt: {stack_kib: 2}\n", BASE);
	expect_error(t, "preempt.stack_kib", 10, "4..65536");
	snprintf(t, sizeof(t), "%spreempt: {tasks: 70000}\n", BASE);
	expect_error(t, "preempt.tasks", 10, "1..65536");
	snprintf(t, sizeof(t), "%squeues: {requests: 10}\npreempt: {tasks: 11}\n", BASE);
	expect_error(t, "preempt.tasks", 11, "at most queues.requests");
	snprintf(t, sizeof(t), "%sapp: {preempt_points: maybe}\n", BASE);
	expect_error(t, "app.preempt_points", 10, "");
}
END_TEST

START_TEST(syntax_error)
{
	expect_error("port: {vdev: x\nip: [\n", "", 0, "YAML syntax");
}
END_TEST

/* BASE without its types: they come from a workload. */
static const char *NOTYPES =
	"eal: [--no-huge]\n"
	"port: {vdev: \"net_null0\"}\n"
	"ip: 10.0.0.2\n"
	"workers: 2\n"
	"worker_lcores: [1, 2]\n"
	"policy: darc\n";

/* Loads NOTYPES + extra with one --set item; expects failure at where/key. */
static void expect_set_error(const char *extra, const char *set, const char *where,
			     const char *key, const char *words)
{
	char t[1024];
	snprintf(t, sizeof(t), "%s%s", NOTYPES, extra);
	const char *sets[] = {set};
	struct yconf_overrides ov = {.set = sets, .nset = 1, .workload = "high-bimodal"};
	struct eng_config cfg;
	struct psp_err err;
	char buf[700];
	ck_assert_int_lt(load_ov(t, &ov, &cfg, &err), 0);
	psp_err_format(&err, buf, sizeof(buf));
	ck_assert_msg(!strcmp(err.where, where) && !strcmp(err.key, key) && strstr(buf, words),
		      "--set %s: got \"%s\"", set, buf);
	eng_config_free(&cfg);
}

/* Issue 21: the shipped rocksdb workload names each type's operation (op:),
 * so psp-engine --workload rocksdb --app rocksdb runs with no ops key; a key
 * in app.rocksdb.ops still wins; an op scanning more keys than the database
 * has is refused naming the workload. */
START_TEST(rocksdb_ops_from_the_workload)
{
#ifdef PSP_HAVE_ROCKSDB
	struct eng_config cfg;
	struct psp_err err;
	char buf[700], t[1024];
	struct yconf_overrides ov = {.workload = "rocksdb"};
	ck_assert_msg(load_ov(NOTYPES, &ov, &cfg, &err) == 0, "%s",
		      psp_err_format(&err, buf, sizeof(buf)));
	ck_assert_str_eq(cfg.types[0].op, "get");
	ck_assert_str_eq(cfg.types[1].op, "scan 5000");
	ck_assert_msg(eng_config_set_app(&cfg, "rocksdb", &err) == 0, "--app rocksdb: %s",
		      psp_err_format(&err, buf, sizeof(buf)));
	ck_assert_uint_eq(cfg.rocksdb.scan[0], 0);
	ck_assert_uint_eq(cfg.rocksdb.scan[1], 5000);
	eng_config_free(&cfg);

	snprintf(t, sizeof(t), "%sapp: {name: rocksdb, rocksdb: {ops: {SCAN: scan 7}}}\n", NOTYPES);
	ck_assert_msg(load_ov(t, &ov, &cfg, &err) == 0, "%s", psp_err_format(&err, buf, sizeof(buf)));
	ck_assert_uint_eq(cfg.rocksdb.scan[0], 0);
	ck_assert_uint_eq(cfg.rocksdb.scan[1], 7);
	eng_config_free(&cfg);

	snprintf(t, sizeof(t), "%sapp: {name: rocksdb, rocksdb: {keys: 1000}}\n", NOTYPES);
	ck_assert_int_lt(load_ov(t, &ov, &cfg, &err), 0);
	psp_err_format(&err, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "rocksdb.yml") && strstr(buf, "type SCAN") &&
		      strstr(buf, "app.rocksdb.keys (1000)"), "%s", buf);
	eng_config_free(&cfg);
#endif
	/* The workload loader checks an op's form, with file:line. */
	char wl[64] = "/tmp/psp-check-wl-XXXXXX.yml";
	int fd = mkstemps(wl, 4);
	ck_assert_int_ge(fd, 0);
	const char *bad = "name: badop\ntypes:\n"
			  "  - {name: A, ratio: 1, op: scan, service: {dist: constant, mean_us: 2}}\n";
	ck_assert_int_eq(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
	close(fd);
	struct psp_workload *w = malloc(sizeof(*w));
	struct psp_err werr;
	ck_assert_int_lt(psp_workload_load(wl, w, &werr), 0);
	char wbuf[700];
	psp_err_format(&werr, wbuf, sizeof(wbuf));
	ck_assert_msg(strstr(wbuf, ":3:") && strstr(wbuf, "types[0].op") &&
		      strstr(wbuf, "\"scan N\""), "%s", wbuf);
	free(w);
	unlink(wl);
}
END_TEST

START_TEST(workload_types)
{
	struct eng_config cfg;
	struct psp_err err;
	char t[1024], buf[700];
	snprintf(t, sizeof(t), "%sworkload: rocksdb\n", NOTYPES);
	ck_assert_msg(load(t, &cfg, &err) == 0, "%s", psp_err_format(&err, buf, sizeof(buf)));
	ck_assert_str_eq(cfg.workload, "rocksdb");
	ck_assert_uint_eq(cfg.ntypes, 2);
	ck_assert_str_eq(cfg.types[1].name, "SCAN");
	ck_assert_uint_eq(cfg.types[1].wire_id, 11);
	ck_assert_uint_eq(knobs(&cfg).type_mean_ns[0], 1500);
	ck_assert_double_eq(cfg.types[1].ratio, 0.5);
	ck_assert_uint_eq(eng_config_type_of(&cfg, 10), 0);
	eng_config_free(&cfg);

	/* --workload wins over the key. */
	struct yconf_overrides ov = {.workload = "high-bimodal"};
	ck_assert_int_eq(load_ov(t, &ov, &cfg, &err), 0);
	ck_assert_str_eq(cfg.workload, "high-bimodal");
	ck_assert_str_eq(cfg.workload_from, "--workload");
	ck_assert_str_eq(cfg.types[0].name, "SHORT");
	ck_assert_uint_eq(knobs(&cfg).type_mean_ns[1], 100000);
	eng_config_free(&cfg);

	/* Phased: every phase's types, phase 1's means and ratios. */
	ov.workload = "dynamic";
	ck_assert_int_eq(load_ov(NOTYPES, &ov, &cfg, &err), 0);
	ck_assert_uint_eq(cfg.ntypes, 2);
	ck_assert_uint_eq(knobs(&cfg).type_mean_ns[0], 100000);
	ck_assert_uint_eq(knobs(&cfg).type_mean_ns[1], 1000);
	eng_config_free(&cfg);

	/* A type phase 1 leaves out: no nominal mean or ratio ("not given"). */
	char wl[64] = "/tmp/psp-check-wl-XXXXXX.yml";
	int fd = mkstemps(wl, 4);
	ck_assert_int_ge(fd, 0);
	const char *phased = "name: late\nphases:\n"
			     "  - {duration_ms: 1, types: [{name: A, ratio: 1, service: "
			     "{dist: constant, mean_us: 2}}]}\n"
			     "  - {duration_ms: 1, types: [{name: A, ratio: 0.5, service: "
			     "{dist: constant, mean_us: 2}}, {name: B, ratio: 0.5, wire_id: 9, "
			     "service: {dist: constant, mean_us: 7}}]}\n";
	ck_assert_int_eq(write(fd, phased, strlen(phased)), (ssize_t)strlen(phased));
	close(fd);
	ov.workload = wl;
	ck_assert_msg(load_ov(NOTYPES, &ov, &cfg, &err) == 0, "%s",
		      psp_err_format(&err, buf, sizeof(buf)));
	unlink(wl);
	ck_assert_uint_eq(cfg.ntypes, 2);
	ck_assert_uint_eq(cfg.types[1].wire_id, 9);
	ck_assert_double_eq(cfg.types[1].mean_us, 0);
	ck_assert_double_eq(cfg.types[1].ratio, 0);
	ck_assert_uint_eq(knobs(&cfg).type_mean_ns[0], 2000);
	eng_config_free(&cfg);
}
END_TEST

/* A relative workload path in a config file is read beside the file,
 * whatever the current directory; --set and --workload stay the shell's. */
START_TEST(workload_beside_config)
{
	char dir[] = "/tmp/psp-check-wl-XXXXXX", file[256], cmd[600], t[1024], buf[700];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "mkdir %s/sub && cp %s/rocksdb.yml %s/sub/mine.yml", dir,
		 getenv("PSP_WORKLOAD_PATH"), dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(file, sizeof(file), "%s/engine.yml", dir);
	FILE *f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%sworkload: sub/mine.yml\n", NOTYPES);
	fclose(f);
	struct eng_config cfg;
	struct psp_err err;
	ck_assert_int_ne(strcmp(getcwd(t, sizeof(t)), dir), 0);
	ck_assert_msg(eng_config_load(file, NULL, &cfg, &err) == 0, "%s",
		      psp_err_format(&err, buf, sizeof(buf)));
	ck_assert_str_eq(cfg.types[1].name, "SCAN");
	eng_config_free(&cfg);
	const char *sets[] = {"workload=sub/mine.yml"};
	struct yconf_overrides ov = {.set = sets, .nset = 1};
	ck_assert_int_lt(eng_config_load(file, &ov, &cfg, &err), 0);
	psp_err_format(&err, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "sub/mine.yml") && !strstr(buf, dir), "%s", buf);
	eng_config_free(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -r %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(workload_errors)
{
	char t[1024];
	/* types and a workload: refused at the types (their list on line 8). */
	snprintf(t, sizeof(t), "%sworkload: rocksdb\n", BASE);
	expect_error(t, "types", 8, "declared here and by workload rocksdb");
	expect_error(t, "types", 8, "the workload's types win: remove this key");
	/* neither */
	expect_error(NOTYPES, "types", 1, "required: a workload (--workload NAME|FILE");
	snprintf(t, sizeof(t), "%sworkload: nosuch\n", NOTYPES);
	expect_error(t, "", 7, "unknown workload 'nosuch'");
	snprintf(t, sizeof(t), "%sworkload: [a]\n", NOTYPES);
	expect_error(t, "workload", 7, "must be a workload name");
	/* --workload's errors name it */
	struct yconf_overrides ov = {.workload = "nosuch"};
	struct eng_config cfg;
	struct psp_err err;
	ck_assert_int_lt(load_ov(BASE, &ov, &cfg, &err), 0);
	ck_assert_str_eq(err.key, "types"); /* the config's types beside --workload */
	ck_assert_msg(strstr(err.msg, "(--workload)"), "%s", err.msg);
	eng_config_free(&cfg);
	ck_assert_int_lt(load_ov(NOTYPES, &ov, &cfg, &err), 0);
	ck_assert_str_eq(err.where, "--workload");
	ck_assert_msg(strstr(err.msg, "unknown workload 'nosuch'"), "%s", err.msg);
	eng_config_free(&cfg);
}
END_TEST

/* idle: spin | pause | park | auto and park_after_us: the worker's idle
 * mode (auto by default: resolved at start), from the file or --set;
 * anything else refused with the choices. */
START_TEST(idle_modes)
{
	char t[1024];
	struct eng_config cfg;
	struct psp_err err;
	char buf[700];
	ck_assert_int_eq(load(BASE, &cfg, &err), 0);
	ck_assert_int_eq(cfg.worker_idle, IDLE_AUTO);
	ck_assert_uint_eq(cfg.park_after_us, 50);
	eng_config_free(&cfg);
	static const char *const names[] = {"spin", "pause", "park", "auto"};
	for (int m = 0; m < 4; m++) {
		snprintf(t, sizeof(t), "%sidle: %s\npark_after_us: 7\n", BASE, names[m]);
		ck_assert_msg(load(t, &cfg, &err) == 0, "%s", psp_err_format(&err, buf, sizeof(buf)));
		ck_assert_int_eq(cfg.worker_idle, m);
		ck_assert_uint_eq(cfg.park_after_us, 7);
		eng_config_free(&cfg);
	}
	const char *sets[] = {"idle=park", "park_after_us=0"};
	struct yconf_overrides ov = {.set = sets, .nset = 2};
	ck_assert_msg(load_ov(BASE, &ov, &cfg, &err) == 0, "%s",
		      psp_err_format(&err, buf, sizeof(buf)));
	ck_assert_int_eq(cfg.worker_idle, IDLE_PARK);
	ck_assert_uint_eq(cfg.park_after_us, 0);
	eng_config_free(&cfg);
	snprintf(t, sizeof(t), "%sidle: sleep\n", BASE);
	expect_error(t, "idle", 10, "must be spin, pause, park or auto, got \"sleep\"");
	snprintf(t, sizeof(t), "%sidle: [park]\n", BASE);
	expect_error(t, "idle", 10, "(not a scalar)");
	snprintf(t, sizeof(t), "%spark_after_us: 2000000\n", BASE);
	expect_error(t, "park_after_us", 10, "0..1000000");
	/* reserved_idle: same (idle's) by default, or a mode of its own;
	 * auto is idle's choice, not a reserved core's. */
	ck_assert_int_eq(load(BASE, &cfg, &err), 0);
	ck_assert(cfg.reserved_idle_same);
	eng_config_free(&cfg);
	snprintf(t, sizeof(t), "%sreserved_idle: park\n", BASE);
	ck_assert_int_eq(load(t, &cfg, &err), 0);
	ck_assert(!cfg.reserved_idle_same);
	ck_assert_int_eq(cfg.reserved_idle, IDLE_PARK);
	eng_config_free(&cfg);
	snprintf(t, sizeof(t), "%sreserved_idle: auto\n", BASE);
	expect_error(t, "reserved_idle", 10, "must be spin, pause, park or same, got \"auto\"");
}
END_TEST

/* The kernel's CPU lists (/sys/devices/system/cpu/isolated), both ways. */
START_TEST(cpu_lists)
{
	cpu_set_t set;
	char buf[64];
	ck_assert_int_eq(cpu_list_parse("0-3,8,10-11\n", &set), 0);
	ck_assert_int_eq(CPU_COUNT(&set), 7);
	ck_assert(CPU_ISSET(8, &set) && !CPU_ISSET(9, &set));
	cpu_list_format(&set, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0-3,8,10-11");
	ck_assert_int_eq(cpu_list_parse("\n", &set), 0);
	ck_assert_int_eq(CPU_COUNT(&set), 0);
	cpu_list_format(&set, buf, sizeof(buf));
	ck_assert_str_eq(buf, "none");
	static const char *const bad[] = {"3-1", "a", "1,,2", "1-", "1 2", "99999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(cpu_list_parse(bad[i], &set) == -1, "\"%s\" accepted", bad[i]);
}
END_TEST

START_TEST(set_overrides)
{
	const char *sets[] = {"queues.requests=100", "worker_lcores=[3, 4]",
			      "policy.darc_samples=7", "udp_port=1", "udp_port=7000",
			      "app.max_run_us=5", "output_dir="};
	struct yconf_overrides ov = {.set = sets, .nset = 7, .workload = "high-bimodal"};
	struct eng_config cfg;
	struct psp_err err;
	char buf[700];
	ck_assert_msg(load_ov(NOTYPES, &ov, &cfg, &err) == 0, "%s",
		      psp_err_format(&err, buf, sizeof(buf)));
	ck_assert_uint_eq(cfg.requests, 100);
	ck_assert_uint_eq(cfg.worker_lcore[0], 3);
	ck_assert_uint_eq(cfg.worker_lcore[1], 4);
	ck_assert_str_eq(cfg.policy, "darc"); /* policy: darc became {name: darc, ...} */
	ck_assert_uint_eq(cfg.nknobs, 1);
	ck_assert_str_eq(cfg.knobs[0].value, "7");
	ck_assert_str_eq(cfg.knobs[0].where, "--set policy.darc_samples");
	ck_assert_uint_eq(cfg.udp_port, 7000); /* the later --set wins */
	ck_assert_uint_eq(cfg.max_run_ns, 5000);
	ck_assert_str_eq(cfg.output_dir, "");
	ck_assert_uint_eq(cfg.nsets, 7);
	eng_config_free(&cfg);

	expect_set_error("", "workerz=3", "--set workerz", "workerz",
			 "unknown key 'workerz' (did you mean 'workers'?); allowed here: eal, port, ip, mac, udp_port");
	expect_set_error("", "queues.requestz=3", "--set queues.requestz", "queues.requestz",
			 "allowed here: requests, mbufs");
	expect_set_error("", "queues.requests=abc", "--set queues.requests", "queues.requests",
			 "must be an integer");
	expect_set_error("", "port.vdev=", "--set port.vdev", "port.vdev", "must be a --vdev");
	expect_set_error("", "eal.x=1", "--set eal", "eal", "a list: give it whole");
	expect_set_error("", "policy.slots=2", "--set policy.slots", "policy.slots",
			 "not read by darc");
	expect_set_error("", "types=[{name: A, wire_id: 1}]", "--set types", "types",
			 "declared here and by workload high-bimodal");
	expect_set_error("", "noequals", "--set", "", "expected KEY=VALUE");
	expect_set_error("", "=3", "--set", "", "expected KEY=VALUE");
	expect_set_error("", "a..b=3", "--set a..b", "a..b", "words joined by dots");
	expect_set_error("", "x=[1,", "--set x", "x", "not YAML");
	/* Nested aliases ("billion laughs"): 9^6 = 531441 nodes once expanded,
	 * refused before they are copied. */
	expect_set_error("", "policy.x=[&a [1,1,1,1,1,1,1,1,1], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a], "
			 "&c [*b,*b,*b,*b,*b,*b,*b,*b,*b], &d [*c,*c,*c,*c,*c,*c,*c,*c,*c], "
			 "&e [*d,*d,*d,*d,*d,*d,*d,*d,*d], [*e,*e,*e,*e,*e,*e,*e,*e,*e]]",
			 "--set policy.x", "policy.x", "expands to more than 4096 nodes");
	/* An alias used a few times is fine. */
	expect_set_error("", "policy.x=[&a [1, 2], *a, *a]", "--set policy.x", "policy.x",
			 "unknown key");
}
END_TEST

START_TEST(expansions)
{
	struct eng_config cfg;
	struct psp_err err;
	char t[1024], want[64];
	const char *rest = "ip: 10.0.0.2\nworker_lcores: [1, 2]\n";
	snprintf(t, sizeof(t), "%sinstance: run-7\neal: [--file-prefix, \"e-%%i-%%p-%%%%\"]\n"
		 "port: {vdev: \"net_memif0,socket=/tmp/m-%%u/%%i.sock\"}\noutput_dir: out/%%i\n", rest);
	struct yconf_overrides ov = {.workload = "high-bimodal"};
	char buf[700];
	ck_assert_msg(load_ov(t, &ov, &cfg, &err) == 0, "%s", psp_err_format(&err, buf, sizeof(buf)));
	snprintf(want, sizeof(want), "e-run-7-%ld-%%", (long)getpid());
	ck_assert_str_eq(cfg.eal[1], want);
	snprintf(want, sizeof(want), "net_memif0,socket=/tmp/m-%lu/run-7.sock", (unsigned long)getuid());
	ck_assert_str_eq(cfg.port_spec, want);
	ck_assert_str_eq(cfg.instance, "run-7");
	ck_assert_str_eq(cfg.output_dir, "out/run-7");
	eng_config_free(&cfg);
	/* Without the key, the instance is the process id. */
	ck_assert_int_eq(load_ov(NOTYPES, &ov, &cfg, &err), 0);
	snprintf(want, sizeof(want), "%ld", (long)getpid());
	ck_assert_str_eq(cfg.instance, want);
	ck_assert(!cfg.instance_given);
	eng_config_free(&cfg);

	snprintf(t, sizeof(t), "%sworkload: rocksdb\neal: [a, \"b%%q\"]\n"
		 "port: {vdev: net_null0}\n", rest);
	expect_error(t, "eal[1]", 4, "a '%' must start %p (the process id), %u (the user id), %i (the instance)");
	snprintf(t, sizeof(t), "%sworkload: rocksdb\ninstance: a/b\n", NOTYPES);
	expect_error(t, "instance", 8, "must be 1..32 letters, digits");

	/* A tap interface name with %i: Linux's 15 bytes, said once expanded. */
	char spec[256] = "net_tap0,iface=psp-%i,mac=02:00:00:00:00:02";
	ck_assert_int_eq(yconf_expand_all(NULL, 0, spec, sizeof(spec), "t12345", &err), 0);
	ck_assert_str_eq(spec, "net_tap0,iface=psp-t12345,mac=02:00:00:00:00:02");
	snprintf(spec, sizeof(spec), "net_tap0,iface=psp-%%i");
	ck_assert_int_eq(yconf_expand_all(NULL, 0, spec, sizeof(spec), "instance-123", &err),
			 -ENAMETOOLONG);
	ck_assert_str_eq(err.key, "port");
	ck_assert_msg(strstr(err.msg, "\"psp-instance-123\" (from \"net_tap0,iface=psp-%i\") is 16 "
			  "bytes; Linux allows 15"), "%s", err.msg);
	ck_assert_str_eq(spec, "net_tap0,iface=psp-%i"); /* left as it was */
}
END_TEST

START_TEST(client_set)
{
	snprintf(path, sizeof(path), "/tmp/psp-check-config-XXXXXX");
	int fd = mkstemp(path);
	const char *text = "port: {vdev: \"net_memif0,role=client,socket=/tmp/m-%i.sock\"}\n"
			   "ip: 10.0.0.1\nserver: {ip: 10.0.0.2}\n";
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	const char *sets[] = {"server.udp_port=7000", "rx_queues=3", "instance=e1"};
	struct yconf_overrides ov = {.set = sets, .nset = 3};
	struct cli_config cfg;
	struct psp_err err;
	char buf[700];
	ck_assert_msg(cli_config_load(path, &ov, &cfg, &err) == 0, "%s",
		      psp_err_format(&err, buf, sizeof(buf)));
	ck_assert_uint_eq(cfg.server_port, 7000);
	ck_assert_uint_eq(cfg.rx_queues, 3);
	ck_assert_str_eq(cfg.instance, "e1");
	ck_assert_int_eq(yconf_expand_all(cfg.eal, cfg.neal, cfg.port_spec, sizeof(cfg.port_spec),
					  cfg.instance, &err), 0);
	ck_assert_str_eq(cfg.port_spec, "net_memif0,role=client,socket=/tmp/m-e1.sock");
	cli_config_free(&cfg);
	sets[0] = "server.ipx=1";
	ck_assert_int_lt(cli_config_load(path, &ov, &cfg, &err), 0);
	ck_assert_str_eq(err.where, "--set server.ipx");
	ck_assert_msg(strstr(err.msg, "allowed here: ip, mac, udp_port"), "%s", err.msg);
	cli_config_free(&cfg);
	/* %i with no instance: said when expanded. */
	ov.nset = 0;
	ck_assert_int_eq(cli_config_load(path, &ov, &cfg, &err), 0);
	ck_assert_int_eq(yconf_expand_all(cfg.eal, cfg.neal, cfg.port_spec, sizeof(cfg.port_spec),
					  NULL, &err), -ENOENT);
	ck_assert_msg(strstr(err.msg, "--set instance=NAME"), "%s", err.msg);
	cli_config_free(&cfg);
	unlink(path);
}
END_TEST

Suite *psp_engine_config_suite(void)
{
	Suite *s = suite_create("engine_config");
	TCase *tc = tcase_create("config");
	tcase_add_test(tc, base_loads);
	tcase_add_test(tc, shipped_configs_load);
	tcase_add_test(tc, unknown_key);
	tcase_add_test(tc, bad_values);
	tcase_add_test(tc, not_a_config_file);
	tcase_add_test(tc, app_keys);
	tcase_add_test(tc, rocksdb_ops_from_the_workload);
	tcase_add_test(tc, address_parsers);
	tcase_add_test(tc, cross_key_limits);
	tcase_add_test(tc, policies);
	tcase_add_test(tc, policy_knobs);
	tcase_add_test(tc, preempt_keys);
	tcase_add_test(tc, syntax_error);
	tcase_add_test(tc, workload_types);
	tcase_add_test(tc, workload_beside_config);
	tcase_add_test(tc, workload_errors);
	tcase_add_test(tc, idle_modes);
	tcase_add_test(tc, cpu_lists);
	tcase_add_test(tc, set_overrides);
	tcase_add_test(tc, expansions);
	tcase_add_test(tc, client_set);
	suite_add_tcase(s, tc);
	return s;
}
