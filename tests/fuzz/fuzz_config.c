/* Fuzz target: psp-engine's and psp-client's config loaders (the same YAML
 * layer, engine/common/yconf.c).  Each input is loaded as an engine config
 * and as a client config.  A loader refuses it with a message naming a key,
 * or accepts a config that holds together: the effective configuration
 * prints, and the policy it names (or, as --policy would, one picked by a
 * hash of the input) is created by the core exactly as psp-engine creates it
 * at start.  Anything the loader accepts must start: never an abort.
 * Lines "#set KEY=VALUE" (YAML comments) become --set items, as psp-engine's
 * and psp-client's command lines give them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <psp/policy.h>

#include "client/client.h"
#include "common/yconf.h"
#include "fuzz.h"
#include "server/config.h"

static uint64_t fixed_rand(void *ctx)
{
	(void)ctx;
	return 0x9e3779b97f4a7c15ull;
}

static FILE *devnull(void)
{
	static FILE *f;
	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

/* The policy the engine would run: created, dispatching nothing, destroyed. */
static void require_policy_starts(const struct eng_config *cfg)
{
	struct psp_policy_conf *pc = psp_policy_conf_dup(cfg->pconf);
	FUZZ_REQUIRE(pc != NULL);
	psp_policy_conf_set_rand(pc, fixed_rand, NULL);
	struct psp_err err;
	psp_err_clear(&err);
	struct psp_policy *p = psp_policy_create(cfg->ops, pc, &err);
	psp_policy_conf_free(pc);
	if (!p) {
		char buf[600];
		fprintf(stderr, "fuzz_config: accepted config, policy %s refused: %s\n",
			cfg->ops->name, psp_err_format(&err, buf, sizeof(buf)));
	}
	FUZZ_REQUIRE(p != NULL);
	FUZZ_REQUIRE(psp_policy_slots(p) >= 1);
	psp_policy_destroy(p);
}

#define FUZZ_MAX_SETS 4

/* The input's "#set KEY=VALUE" lines (at most FUZZ_MAX_SETS), copied into
 * buf, as overrides. */
static void input_sets(const uint8_t *data, size_t size, char *buf, size_t cap,
		       const char **sets, struct yconf_overrides *ov)
{
	size_t n = 0;
	*ov = (struct yconf_overrides){.set = sets};
	for (size_t i = 0; i + 5 <= size && ov->nset < FUZZ_MAX_SETS; i++) {
		if ((i > 0 && data[i - 1] != '\n') || memcmp(data + i, "#set ", 5))
			continue;
		size_t j = i + 5, start = n;
		while (j < size && data[j] != '\n' && data[j] != '\0' && n + 1 < cap)
			buf[n++] = (char)data[j++];
		if (n + 1 >= cap)
			break;
		buf[n++] = '\0';
		sets[ov->nset++] = buf + start;
	}
}

static void engine_config(const char *path, const struct yconf_overrides *ov, uint64_t h)
{
	struct eng_config cfg;
	struct psp_err err;
	psp_err_clear(&err);
	if (eng_config_load(path, ov, &cfg, &err) < 0) {
		FUZZ_REQUIRE(err.code < 0 && err.msg[0]);
		eng_config_free(&cfg);
		return;
	}
	FUZZ_REQUIRE(cfg.nworkers >= 1 && cfg.ntypes >= 1 && cfg.ops != NULL);
	eng_config_print(&cfg, devnull());
	require_policy_starts(&cfg);
	/* --policy NAME over the loaded config */
	size_t npol = 0;
	while (psp_policy_at(npol))
		npol++;
	psp_err_clear(&err);
	if (eng_config_set_policy(&cfg, psp_policy_at(h % npol)->name, &err) == 0)
		require_policy_starts(&cfg);
	else
		FUZZ_REQUIRE(err.code < 0 && err.msg[0]);
	eng_config_free(&cfg);
}

static void client_config(const char *path, const struct yconf_overrides *ov)
{
	struct cli_config cfg;
	struct psp_err err;
	psp_err_clear(&err);
	if (cli_config_load(path, ov, &cfg, &err) < 0) {
		FUZZ_REQUIRE(err.code < 0 && err.msg[0]);
	} else {
		cli_config_print(&cfg, devnull());
	}
	cli_config_free(&cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write_input(data, size, "yml");
	if (!path) /* too large to be worth it, or no room to write */
		return 0;
	char buf[1024];
	const char *sets[FUZZ_MAX_SETS];
	struct yconf_overrides ov;
	input_sets(data, size, buf, sizeof(buf), sets, &ov);
	engine_config(path, &ov, fuzz_hash(data, size));
	client_config(path, &ov);
	unlink(path);
	return 0;
}
