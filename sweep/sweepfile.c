/* The sweep file reader, through the YAML layer (psp/ydoc.h) as the
 * workload loader: strict, every error naming the file, line, column and
 * key. */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psp/param.h>
#include <psp/ydoc.h>

#include "options.h"
#include "sweepfile.h"

struct ctx {
	const char *path;
	char dir[PATH_MAX]; /* the sweep file's directory: relative workload paths start there */
	struct ydoc *d;
	struct sweep *sw;
	struct psp_err *err;
};

static int fail_at(struct ctx *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail_at(struct ctx *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ydoc_fail(c->d, n, key, c->err, -EINVAL, "%s", msg);
}

/* Keeps a copy of s for the cells to point to. */
static char *keep(struct ctx *c, const char *s)
{
	struct sweep *sw = c->sw;
	if (sw->nstrings == sw->cap_strings) {
		uint32_t cap = sw->cap_strings ? sw->cap_strings * 2 : 256;
		char **a = realloc(sw->strings, cap * sizeof(*a));
		if (!a)
			return NULL;
		sw->strings = a;
		sw->cap_strings = cap;
	}
	char *d = strdup(s);
	if (d)
		sw->strings[sw->nstrings++] = d;
	return d;
}

/* list[0..n) joined with commas into buf (cap bytes, truncated): a flag's
 * value (--policy a,b). */
static const char *join_commas(const char *const *list, uint32_t n, char *buf, size_t cap)
{
	buf[0] = '\0';
	for (uint32_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", i ? "," : "", list[i]);
	return buf;
}

/* The scalars of a value that is a scalar or a sequence of scalars. */
static int scalars(struct ctx *c, const yaml_node_t *n, const char *key, const char **out,
		   uint32_t max, uint32_t *count)
{
	*count = 0;
	if (n->type == YAML_SCALAR_NODE) {
		if (!*ydoc_scalar(n))
			return fail_at(c, n, key, "expected a value");
		out[(*count)++] = keep(c, ydoc_scalar(n));
		return out[0] ? 0 : psp_err_set(c->err, -ENOMEM, NULL, NULL, "out of memory");
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return fail_at(c, n, key, "expected a value or a list of values");
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		const yaml_node_t *v = ydoc_node(c->d, *it);
		if (!ydoc_scalar(v))
			return fail_at(c, v, key, "expected a plain value in the list");
		if (!*ydoc_scalar(v) || strpbrk(ydoc_scalar(v), " \t\n"))
			return fail_at(c, v, key, "values cannot be empty or hold spaces, got '%.64s'",
				       ydoc_scalar(v));
		if (*count == max)
			return fail_at(c, v, key, "more than %u values", max);
		if (!(out[(*count)++] = keep(c, ydoc_scalar(v))))
			return psp_err_set(c->err, -ENOMEM, NULL, NULL, "out of memory");
	}
	if (*count == 0)
		return fail_at(c, n, key, "an empty list");
	return 0;
}

/* A whole number in lo..hi. */
static int count_of(struct ctx *c, const yaml_node_t *n, const char *key, unsigned long long lo,
		    unsigned long long hi, unsigned long long *out)
{
	const char *s = ydoc_scalar(n);
	char *end;
	errno = 0;
	double d = s ? strtod(s, &end) : 0;
	/* the range first: casting a double out of range is undefined */
	if (!s || errno || end == s || *end || !(d >= (double)lo && d <= (double)hi) ||
	    d != floor(d))
		return fail_at(c, n, key, "expected a whole number in %llu..%llu, got '%.64s'", lo, hi,
			       s ? s : "(not a value)");
	*out = (unsigned long long)d;
	return 0;
}

/* The file-name-safe form of s appended to name. */
static void name_append(char *name, size_t cap, const char *s)
{
	size_t len = strlen(name);
	for (; *s && len + 1 < cap; s++)
		name[len++] = (strchr("._-", *s) || (*s >= '0' && *s <= '9') ||
			       ((*s | 32) >= 'a' && (*s | 32) <= 'z')) ? *s : '_';
	name[len] = '\0';
}

/* What the keys say, before the cells are built. */
struct spec {
	const char *workload[64], *worker[64];
	uint32_t nworkloads, nworkers;
	const char *knob_flag[SIM_MAX_KNOBS];
	const char *knob_name[SIM_MAX_KNOBS];
	const char *knob_value[SIM_MAX_KNOBS][64];
	/* "--flag=value", one token: a value is never read as a flag of its
	 * own ("-k4"), and a boolean knob takes its value */
	const char *knob_arg[SIM_MAX_KNOBS][64];
	uint32_t nknobs, nvalues[SIM_MAX_KNOBS];
	const struct psp_param *knob_param[SIM_MAX_KNOBS];
	const char *common[SWEEP_MAX_ARGS]; /* flags every cell shares */
	uint32_t ncommon;
	const yaml_node_t *options_node;    /* options:, checked once all keys are read */
	const char *option[64];
	uint32_t noptions;
};

static int add_common(struct ctx *c, struct spec *sp, const yaml_node_t *n, const char *flag,
		      const char *value)
{
	if (sp->ncommon + 2 > SWEEP_MAX_ARGS)
		return fail_at(c, n, flag, "too many psp-sim flags");
	sp->common[sp->ncommon++] = flag;
	if (value)
		sp->common[sp->ncommon++] = value;
	return 0;
}

/* A workload: a name, or a path taken from the sweep file's directory. */
static const char *workload_arg(struct ctx *c, const yaml_node_t *n, const char *s)
{
	size_t len = strlen(s);
	bool is_path = strchr(s, '/') || (len > 4 && !strcmp(s + len - 4, ".yml")) ||
		       (len > 5 && !strcmp(s + len - 5, ".yaml"));
	if (!is_path)
		return s; /* kept by scalars() */
	char joined[PATH_MAX * 2], real[PATH_MAX];
	snprintf(joined, sizeof(joined), "%s/%s", s[0] == '/' ? "" : c->dir, s);
	if (!realpath(s[0] == '/' ? s : joined, real)) {
		fail_at(c, n, "workloads", "cannot find workload file '%.64s': %s", s, strerror(errno));
		return NULL;
	}
	return keep(c, real);
}

/* psp-sim's flags that the sweep's keys or psp-sweep set, or that make a
 * job write no shard: refused in options:, however spelt (sim_options_scan
 * gives their long names). */
static const char *const owned_flags[] = {
	"--workload", "--policy", "--workers", "--load", "--requests", "--replications", "--seed",
	"--shard", "--output", "--format", "--jobs", "--merge", "--verify", "--no-capacity",
	"--timeline", "--series", "--slo-output", "--per-request", "--trace", "--list", "--help",
	"--version", NULL};
/* Flags a shard job refuses (with --shard, or with psp-sweep's --quiet). */
static const char *const job_refused_flags[] = {"--baseline", "--compare-output", "--progress",
						NULL};

struct option_check {
	const struct spec *sp;
	const char *flag, *token, *why;
};

static int check_option(void *ctx, const char *flag, const char *token)
{
	struct option_check *oc = ctx;
	for (size_t f = 0; owned_flags[f]; f++)
		if (!strcmp(flag, owned_flags[f])) {
			*oc = (struct option_check){oc->sp, flag, token,
						    "is set by the sweep's own keys or by psp-sweep"};
			return 1;
		}
	for (size_t f = 0; job_refused_flags[f]; f++)
		if (!strcmp(flag, job_refused_flags[f])) {
			*oc = (struct option_check){oc->sp, flag, token,
						    "a shard job refuses (a merged cell compares "
						    "with its first policy)"};
			return 1;
		}
	for (uint32_t k = 0; k < oc->sp->nknobs; k++)
		if (!strcmp(flag, oc->sp->knob_flag[k])) {
			*oc = (struct option_check){oc->sp, flag, token, "is set by knobs:"};
			return 1;
		}
	return 0;
}

/* options: as psp-sim reads them (abbreviated "--see=7", attached "-n5000"
 * included) must not set what the keys set: a cell would run settings its
 * name does not say. */
static int check_options(struct ctx *c, const struct spec *sp)
{
	if (!sp->noptions)
		return 0;
	char *argv[65] = {"psp-sim"};
	memcpy(argv + 1, sp->option, sp->noptions * sizeof(*argv));
	struct option_check oc = {.sp = sp};
	struct psp_err e;
	int rc = sim_options_scan((int)sp->noptions + 1, argv, check_option, &oc, &e);
	if (rc < 0)
		return fail_at(c, sp->options_node, "options", "%.64s: %.120s", e.where, e.msg);
	if (rc == 0)
		return 0;
	if (!strcmp(oc.token, oc.flag))
		return fail_at(c, sp->options_node, "options", "%s %s", oc.flag, oc.why);
	return fail_at(c, sp->options_node, "options", "'%.64s' is %s, which %s", oc.token, oc.flag,
		       oc.why);
}

static int read_key(struct ctx *c, struct spec *sp, const yaml_node_t *key_node, const yaml_node_t *v)
{
	const char *key = ydoc_scalar(key_node);
	struct sweep *sw = c->sw;
	const char *list[64];
	uint32_t n;
	unsigned long long u;
	int rc = 0;
	if (!strcmp(key, "name")) {
		if (!ydoc_scalar(v) || !*ydoc_scalar(v))
			return fail_at(c, v, key, "expected a name");
		sw->name[0] = '\0';
		name_append(sw->name, sizeof(sw->name), ydoc_scalar(v));
	} else if (!strcmp(key, "workloads")) {
		if ((rc = scalars(c, v, key, list, 64, &n)))
			return rc;
		for (uint32_t i = 0; i < n; i++)
			if (!(sp->workload[sp->nworkloads++] = workload_arg(c, v, list[i])))
				return -EINVAL;
	} else if (!strcmp(key, "policies")) {
		if ((rc = scalars(c, v, key, list, SIM_MAX_POLICIES, &n)))
			return rc;
		char joined[512];
		rc = add_common(c, sp, v, "--policy", keep(c, join_commas(list, n, joined, sizeof(joined))));
	} else if (!strcmp(key, "loads")) {
		if ((rc = scalars(c, v, key, list, SIM_MAX_LOADS, &n)))
			return rc;
		char joined[4096];
		rc = add_common(c, sp, v, "--load", keep(c, join_commas(list, n, joined, sizeof(joined))));
	} else if (!strcmp(key, "workers")) {
		if ((rc = scalars(c, v, key, sp->worker, 64, &sp->nworkers)))
			return rc;
	} else if (!strcmp(key, "replications") || !strcmp(key, "requests") ||
		   !strcmp(key, "seed")) {
		if ((rc = count_of(c, v, key, 0, UINT64_MAX >> 11, &u)))
			return rc;
		char flag[32];
		snprintf(flag, sizeof(flag), "--%s", key);
		rc = add_common(c, sp, v, keep(c, flag), keep(c, ydoc_scalar(v)));
	} else if (!strcmp(key, "shards")) {
		if ((rc = count_of(c, v, key, 1, SIM_MAX_SHARDS, &u)))
			return rc;
		sw->shards = (uint32_t)u;
	} else if (!strcmp(key, "format")) {
		const char *f = ydoc_scalar(v);
		if (!f || (strcmp(f, "table") && strcmp(f, "csv") && strcmp(f, "json")))
			return fail_at(c, v, key, "must be table, csv or json");
		sw->format = !strcmp(f, "table") ? "table" : !strcmp(f, "csv") ? "csv" : "json";
	} else if (!strcmp(key, "capacity")) {
		const char *f = ydoc_scalar(v);
		if (!f || (strcmp(f, "true") && strcmp(f, "false")))
			return fail_at(c, v, key, "must be true or false");
		c->sw->capacity = !strcmp(f, "true");
	} else if (!strcmp(key, "knobs")) {
		if (v->type != YAML_MAPPING_NODE)
			return fail_at(c, v, key, "expected a mapping of knob names to values");
		for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
			const yaml_node_t *kn = ydoc_node(c->d, p->key);
			const yaml_node_t *kv = ydoc_node(c->d, p->value);
			const struct psp_param *prm = ydoc_scalar(kn) ? psp_param_find(ydoc_scalar(kn)) : NULL;
			if (!prm)
				return fail_at(c, kn, "knobs", "unknown knob '%.64s' (psp-sim --help lists them)",
					       ydoc_scalar(kn) ? ydoc_scalar(kn) : "");
			for (uint32_t k = 0; k < sp->nknobs; k++)
				if (sp->knob_param[k] == prm)
					return fail_at(c, kn, "knobs", "knob '%s' given twice", prm->name);
			if (sp->nknobs == SIM_MAX_KNOBS)
				return fail_at(c, kn, "knobs", "too many knobs");
			char flag[64];
			uint32_t k = sp->nknobs++;
			sp->knob_flag[k] = keep(c, sim_knob_flag(prm, flag, sizeof(flag)));
			sp->knob_name[k] = prm->name;
			sp->knob_param[k] = prm;
			if ((rc = scalars(c, kv, prm->name, sp->knob_value[k], 64, &sp->nvalues[k])))
				return rc;
			for (uint32_t i = 0; i < sp->nvalues[k]; i++) {
				char arg[320];
				if (snprintf(arg, sizeof(arg), "%s=%s", sp->knob_flag[k],
					     sp->knob_value[k][i]) >= (int)sizeof(arg))
					return fail_at(c, kv, prm->name, "a value of %zu characters: "
						       "at most 256", strlen(sp->knob_value[k][i]));
				if (!(sp->knob_arg[k][i] = keep(c, arg)))
					return psp_err_set(c->err, -ENOMEM, NULL, NULL, "out of memory");
			}
		}
	} else if (!strcmp(key, "options")) {
		if ((rc = scalars(c, v, key, sp->option, 64, &sp->noptions)))
			return rc;
		sp->options_node = v;
		for (uint32_t i = 0; i < sp->noptions && rc == 0; i++)
			rc = add_common(c, sp, v, sp->option[i], NULL);
	} else {
		return fail_at(c, key_node, key, "unknown key (known: name, workloads, policies, knobs, "
			       "loads, workers, replications, requests, seed, shards, format, "
			       "capacity, options)");
	}
	return rc;
}

/* FNV-1a 64 of s and a separator, continuing h. */
static uint64_t hash_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (h ^ 0xffu) * 0x100000001b3ull;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const struct sweep_cell *const *)a)->name,
		      (*(const struct sweep_cell *const *)b)->name);
}

/* Two cells of one name would write the same files: the last would win. */
static int check_names_unique(struct ctx *c)
{
	struct sweep *sw = c->sw;
	const struct sweep_cell **order = malloc(sw->ncells * sizeof(*order));
	if (!order)
		return psp_err_set(c->err, -ENOMEM, NULL, NULL, "out of memory");
	for (uint32_t i = 0; i < sw->ncells; i++)
		order[i] = &sw->cell[i];
	qsort(order, sw->ncells, sizeof(*order), by_name);
	int rc = 0;
	for (uint32_t i = 1; i < sw->ncells && rc == 0; i++)
		if (!strcmp(order[i - 1]->name, order[i]->name))
			rc = psp_err_set(c->err, -EINVAL, c->path, NULL,
					 "two cells would both be named '%.80s' (workloads %.100s and "
					 "%.100s): give the workloads distinct file names and the knobs "
					 "values that differ in letters, digits, '.', '-' or '_'",
					 order[i]->name, order[i - 1]->argv[1], order[i]->argv[1]);
	free(order);
	return rc;
}

/* The cells: workloads x workers x each knob's values, the last varying
 * fastest. */
static int build_cells(struct ctx *c, struct spec *sp)
{
	struct sweep *sw = c->sw;
	uint64_t n = (uint64_t)sp->nworkloads * sp->nworkers;
	for (uint32_t k = 0; k < sp->nknobs; k++)
		n *= sp->nvalues[k];
	if (n > SWEEP_MAX_CELLS)
		return psp_err_set(c->err, -EINVAL, c->path, NULL, "%llu cells: at most %u",
				   (unsigned long long)n, SWEEP_MAX_CELLS);
	if (n * sw->shards > SWEEP_MAX_JOBS)
		return psp_err_set(c->err, -EINVAL, c->path, "shards",
				   "%llu cells x %u shards = %llu jobs: at most %u",
				   (unsigned long long)n, sw->shards,
				   (unsigned long long)(n * sw->shards), SWEEP_MAX_JOBS);
	uint32_t argc = 4 + sp->ncommon + sp->nknobs;
	if (argc > SWEEP_MAX_ARGS)
		return psp_err_set(c->err, -EINVAL, c->path, "options",
				   "a cell would pass psp-sim %u arguments (4, the keys' and "
				   "options' %u, 1 per knob): at most %u", argc, sp->ncommon,
				   SWEEP_MAX_ARGS);
	sw->cell = calloc(n, sizeof(*sw->cell));
	sw->args = calloc(n * argc, sizeof(*sw->args));
	if (!sw->cell || !sw->args)
		return psp_err_set(c->err, -ENOMEM, NULL, NULL, "out of memory");
	sw->ncells = (uint32_t)n;
	for (uint32_t i = 0; i < n; i++) {
		struct sweep_cell *cell = &sw->cell[i];
		uint32_t rest = i, pick[SIM_MAX_KNOBS];
		for (uint32_t k = sp->nknobs; k-- > 0;) {
			pick[k] = rest % sp->nvalues[k];
			rest /= sp->nvalues[k];
		}
		const char *workers = sp->worker[rest % sp->nworkers];
		const char *wl = sp->workload[rest / sp->nworkers];
		const char *base = strrchr(wl, '/') ? strrchr(wl, '/') + 1 : wl;
		char name[4096] = "";
		name_append(name, sizeof(name), base);
		char *dot = strstr(name, ".y");
		if (dot && (!strcmp(dot, ".yml") || !strcmp(dot, ".yaml")))
			*dot = '\0';
		size_t len = strlen(name);
		snprintf(name + len, sizeof(name) - len, "-k");
		name_append(name, sizeof(name), workers);
		uint64_t h = hash_str(hash_str(0xcbf29ce484222325ull, wl), workers);
		const char **a = (const char **)(cell->argv = sw->args + (size_t)i * argc);
		uint32_t m = 0;
		a[m++] = "--workload";
		a[m++] = wl;
		a[m++] = "--workers";
		a[m++] = workers;
		for (uint32_t j = 0; j < sp->ncommon; j++)
			a[m++] = sp->common[j];
		for (uint32_t k = 0; k < sp->nknobs; k++) {
			a[m++] = sp->knob_arg[k][pick[k]];
			len = strlen(name);
			snprintf(name + len, sizeof(name) - len, "-%s-", sp->knob_name[k]);
			name_append(name, sizeof(name), sp->knob_value[k][pick[k]]);
			h = hash_str(hash_str(h, sp->knob_name[k]), sp->knob_value[k][pick[k]]);
		}
		cell->argc = m;
		if (strlen(name) > SWEEP_NAME_MAX) /* cut: the hash keeps it unique */
			snprintf(name + SWEEP_NAME_MAX - 17, 18, "-%016llx", (unsigned long long)h);
		if (!(cell->name = keep(c, name)))
			return psp_err_set(c->err, -ENOMEM, NULL, NULL, "out of memory");
	}
	return check_names_unique(c);
}

static int read_doc(struct ctx *c)
{
	struct spec *sp = calloc(1, sizeof(*sp));
	if (!sp)
		return psp_err_set(c->err, -ENOMEM, NULL, NULL, "out of memory");
	sp->worker[0] = "14"; /* psp-sim's default, named so cells say it */
	sp->nworkers = 1;
	const yaml_node_t *root = ydoc_root(c->d);
	int rc = 0;
	if (!root || root->type != YAML_MAPPING_NODE)
		rc = psp_err_set(c->err, -EINVAL, c->path, NULL, "expected a mapping of keys (see docs/sweeps.md)");
	bool seen_workers = false;
	for (yaml_node_pair_t *p = rc ? NULL : root->data.mapping.pairs.start;
	     p && p < root->data.mapping.pairs.top && rc == 0; p++) {
		const yaml_node_t *k = ydoc_node(c->d, p->key);
		const yaml_node_t *v = ydoc_node(c->d, p->value);
		if (!ydoc_scalar(k)) {
			rc = fail_at(c, k, "", "expected a key");
			break;
		}
		for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < p; q++)
			if (!strcmp(ydoc_scalar(ydoc_node(c->d, q->key)), ydoc_scalar(k)))
				rc = fail_at(c, k, ydoc_scalar(k), "given twice");
		if (!strcmp(ydoc_scalar(k), "workers") && !seen_workers) {
			seen_workers = true;
			sp->nworkers = 0;
		}
		rc = rc ? rc : read_key(c, sp, k, v);
	}
	if (rc == 0 && sp->nworkloads == 0)
		rc = psp_err_set(c->err, -EINVAL, c->path, "workloads", "is required");
	rc = rc ? rc : check_options(c, sp);
	if (rc == 0 && !c->sw->capacity)
		rc = add_common(c, sp, root, "--no-capacity", NULL);
	rc = rc ? rc : build_cells(c, sp);
	free(sp);
	return rc;
}

int sweep_load(const char *path, struct sweep *sw, struct psp_err *err)
{
	memset(sw, 0, sizeof(*sw));
	sw->shards = 1;
	sw->format = "csv";
	struct ctx c = {.path = path, .sw = sw, .err = err};
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", path);
	if (!realpath(dirname(tmp), c.dir))
		return psp_err_set(err, -errno, path, NULL, "cannot read: %s", strerror(errno));
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	name_append(sw->name, sizeof(sw->name), base);
	char *dot = strrchr(sw->name, '.');
	if (dot && dot != sw->name)
		*dot = '\0';
	struct ydoc d;
	int rc = ydoc_load(&d, path, "sweep", err);
	if (rc == 0) {
		c.d = &d;
		rc = read_doc(&c);
		ydoc_free(&d);
	}
	if (rc)
		sweep_free(sw);
	return rc;
}

void sweep_free(struct sweep *sw)
{
	for (uint32_t i = 0; i < sw->nstrings; i++)
		free(sw->strings[i]);
	free(sw->strings);
	free(sw->cell);
	free(sw->args);
	sw->strings = NULL;
	sw->cell = NULL;
	sw->args = NULL;
	sw->nstrings = sw->ncells = 0;
}
