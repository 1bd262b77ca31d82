/* Workload loader and sampler: the standard files load with the published
 * numbers (the paper's, in docs/workloads.md), every class of bad input fails with the
 * right file, line and key, and the sampler is deterministic and draws from
 * the distributions it claims to.
 *
 * Statistical checks compare a sample mean over N draws with the exact mean
 * and allow 4 standard errors (sd / sqrt(N), sd known in closed form) plus
 * 0.5 ns for rounding to whole ns.  A correct sampler misses that band with
 * probability 6e-5 for a random seed (and the seeds are fixed, so the
 * outcome never flickers); the mistakes these catch (lognormal mu without
 * -sigma^2/2, a wrong Pareto exponent, swapped alias columns) are off by
 * tens to thousands of standard errors.
 */
#define _DEFAULT_SOURCE /* mkdtemp, setenv */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <psp/workload.h>

#define NSTAT 200000
#define NDET 10000

/* --- helpers ------------------------------------------------------------ */

/* tests/data/workloads: under ctest PSP_SOURCE_DIR names the source tree;
 * run by hand, the workload directory falls back to the source tree's
 * workloads/, whose sibling is tests/. */
static const char *data_path(char *buf, size_t cap, const char *file)
{
	const char *src = getenv("PSP_SOURCE_DIR");
	if (src && src[0])
		snprintf(buf, cap, "%s/tests/data/workloads/%s", src, file);
	else
		snprintf(buf, cap, "%s/../tests/data/workloads/%s", psp_workload_dir(), file);
	return buf;
}

static void load_ok(const char *name, struct psp_workload *wl)
{
	struct psp_err err;
	char buf[600];
	int rc = psp_workload_load(name, wl, &err);
	ck_assert_msg(rc == 0, "loading %s: %d %s", name, rc, psp_err_format(&err, buf, sizeof(buf)));
	ck_assert_int_eq(err.code, 0);
}

static uint32_t type_named(const struct psp_workload *wl, const char *name)
{
	for (uint32_t t = 0; t < wl->ntypes; t++)
		if (strcmp(wl->type_name[t], name) == 0)
			return t;
	ck_abort_msg("workload %s has no type %s", wl->name, name);
	return PSP_TYPE_UNKNOWN;
}

/* Asserts type `name` in phase ph: wire id, ratio, constant service mean. */
static void expect_type(const struct psp_workload *wl, uint32_t ph, const char *name,
			uint32_t wire, double ratio, double mean_us)
{
	uint32_t t = type_named(wl, name);
	ck_assert_uint_eq(wl->wire_id[t], wire);
	ck_assert_double_eq_tol(wl->phase[ph].ratio[t], ratio, 1e-12);
	ck_assert_int_eq(wl->phase[ph].service[t].kind, PSP_DIST_CONSTANT);
	ck_assert_double_eq_tol(wl->phase[ph].service[t].mean_us, mean_us, 1e-12);
}

/* A temporary directory per test, removed (with its files) by tmp_clean. */
struct tmp {
	char dir[64];
	char path[128];
};

static const char *tmp_write(struct tmp *t, const char *file, const char *text)
{
	if (!t->dir[0]) {
		snprintf(t->dir, sizeof(t->dir), "/tmp/psp-wl-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(t->dir));
	}
	snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, file);
	FILE *f = fopen(t->path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return t->path;
}

static void tmp_clean(struct tmp *t, const char *const *files, size_t n)
{
	char p[160];
	for (size_t i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s", t->dir, files[i]);
		unlink(p);
	}
	rmdir(t->dir);
}

/* Asserts that loading path gave -EINVAL at file:line, naming key exactly,
 * with a message containing want. */
static void check_error(const char *path, int rc, const struct psp_err *err,
			unsigned line, const char *key, const char *want)
{
	char buf[600], needle[200];
	psp_err_format(err, buf, sizeof(buf));
	ck_assert_msg(rc == -EINVAL, "%s: rc %d, want -EINVAL (%s)", path, rc, buf);
	ck_assert_int_eq(err->code, rc);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	snprintf(needle, sizeof(needle), "%s:%u:", base, line);
	ck_assert_msg(strstr(err->where, needle), "where '%s' lacks '%s' (%s)", err->where,
		      needle, buf);
	ck_assert_msg(strcmp(err->key, key) == 0, "key '%s', want '%s' (%s)", err->key, key, buf);
	ck_assert_msg(strstr(err->msg, want), "msg '%s' lacks '%s'", err->msg, want);
}

static void expect_error(const char *path, unsigned line, const char *key, const char *want)
{
	struct psp_workload wl;
	struct psp_err err;
	int rc = psp_workload_load(path, &wl, &err);
	check_error(path, rc, &err, line, key, want);
}

/* Writes yaml to a temporary file, loads it and removes it before checking,
 * so a failed check (which ends the forked test) leaves nothing behind. */
static void expect_inline_error(const char *yaml, unsigned line, const char *key,
				const char *want)
{
	struct tmp t = {{0}, {0}};
	static const char *const files[] = {"case.yml"};
	char path[128];
	snprintf(path, sizeof(path), "%s", tmp_write(&t, "case.yml", yaml));
	struct psp_workload wl;
	struct psp_err err;
	int rc = psp_workload_load(path, &wl, &err);
	tmp_clean(&t, files, 1);
	check_error(path, rc, &err, line, key, want);
}

/* --- the standard workloads --------------------------------------------- */

static const char *const standard[] = {
	"high-bimodal", "extreme-bimodal", "tpcc", "rocksdb", "dynamic", "exponential",
};

START_TEST(test_standard_loads)
{
	struct psp_workload wl;
	load_ok(standard[_i], &wl);
	ck_assert_str_eq(wl.name, standard[_i]);
	ck_assert_msg(wl.description[0], "%s has no description", wl.name);
	ck_assert_int_eq(wl.arrival, PSP_ARRIVAL_POISSON);
	ck_assert_uint_ge(wl.nphases, 1);
	ck_assert_msg(strstr(wl.path, standard[_i]), "path %s", wl.path);
	for (uint32_t ph = 0; ph < wl.nphases; ph++) {
		double sum = 0;
		for (uint32_t t = 0; t < wl.ntypes; t++)
			sum += wl.phase[ph].ratio[t];
		ck_assert_double_eq_tol(sum, 1.0, 1e-9);
	}
}
END_TEST

START_TEST(test_high_bimodal)
{
	struct psp_workload wl;
	load_ok("high-bimodal", &wl);
	ck_assert_uint_eq(wl.ntypes, 2);
	ck_assert_uint_eq(wl.nphases, 1);
	ck_assert_str_eq(wl.type_name[0], "SHORT");
	ck_assert_str_eq(wl.type_name[1], "LONG");
	expect_type(&wl, 0, "SHORT", 1, 0.5, 1);
	expect_type(&wl, 0, "LONG", 2, 0.5, 100);
	ck_assert_double_eq_tol(wl.phase[0].mean_service_us, 50.5, 1e-9);
	ck_assert_double_eq(wl.phase[0].duration_ms, 0);
}
END_TEST

START_TEST(test_extreme_bimodal)
{
	struct psp_workload wl;
	load_ok("extreme-bimodal", &wl);
	ck_assert_uint_eq(wl.ntypes, 2);
	expect_type(&wl, 0, "SHORT", 1, 0.995, 0.5);
	expect_type(&wl, 0, "LONG", 2, 0.005, 500);
	ck_assert_double_eq_tol(wl.phase[0].mean_service_us, 2.9975, 1e-9);
}
END_TEST

START_TEST(test_tpcc)
{
	struct psp_workload wl;
	load_ok("tpcc", &wl);
	ck_assert_uint_eq(wl.ntypes, 5);
	expect_type(&wl, 0, "NewOrder", 5, 0.44, 20);
	expect_type(&wl, 0, "Payment", 6, 0.44, 5.7);
	expect_type(&wl, 0, "Delivery", 7, 0.04, 88);
	expect_type(&wl, 0, "OrderStatus", 8, 0.04, 6);
	expect_type(&wl, 0, "StockLevel", 9, 0.04, 100);
	ck_assert_double_eq_tol(wl.phase[0].mean_service_us, 19.07, 0.01);
	ck_assert_double_eq_tol(wl.phase[0].mean_service_us, 19.068, 1e-9);
}
END_TEST

START_TEST(test_rocksdb)
{
	struct psp_workload wl;
	load_ok("rocksdb", &wl);
	ck_assert_uint_eq(wl.ntypes, 2);
	expect_type(&wl, 0, "GET", 10, 0.5, 1.5);
	expect_type(&wl, 0, "SCAN", 11, 0.5, 635);
	ck_assert_double_eq_tol(wl.phase[0].mean_service_us, 318.25, 1e-9);
}
END_TEST

START_TEST(test_exponential)
{
	struct psp_workload wl;
	load_ok("exponential", &wl);
	ck_assert_uint_eq(wl.ntypes, 1);
	ck_assert_str_eq(wl.type_name[0], "REQ");
	ck_assert_uint_eq(wl.wire_id[0], 1);
	ck_assert_int_eq(wl.phase[0].service[0].kind, PSP_DIST_EXPONENTIAL);
	ck_assert_double_eq_tol(wl.phase[0].mean_service_us, 10, 1e-12);
}
END_TEST

START_TEST(test_dynamic)
{
	/* Fig. 8: SHORT/LONG means and ratios per phase; phase 4 is SHORT only. */
	static const struct {
		double short_us, long_us, short_ratio, mean_us;
	} want[4] = {
		{100, 1, 0.5, 50.5},
		{1, 100, 0.5, 50.5},
		{1, 100, 0.95, 5.95},
		{3.5, 0, 1.0, 3.5},
	};
	struct psp_workload wl;
	load_ok("dynamic", &wl);
	ck_assert_uint_eq(wl.nphases, 4);
	ck_assert_uint_eq(wl.ntypes, 2);
	for (uint32_t ph = 0; ph < 4; ph++) {
		ck_assert_double_eq(wl.phase[ph].duration_ms, 5000);
		expect_type(&wl, ph, "SHORT", 1, want[ph].short_ratio, want[ph].short_us);
		if (ph < 3)
			expect_type(&wl, ph, "LONG", 2, 1 - want[ph].short_ratio, want[ph].long_us);
		ck_assert_double_eq_tol(wl.phase[ph].mean_service_us, want[ph].mean_us, 1e-9);
	}
	/* LONG is absent from phase 4: ratio 0, and it keeps phase 3's 100 us. */
	uint32_t lng = type_named(&wl, "LONG");
	ck_assert_double_eq(wl.phase[3].ratio[lng], 0);
	ck_assert_double_eq_tol(psp_dist_mean_us(&wl.phase[3].service[lng]), 100, 1e-12);
}
END_TEST

START_TEST(test_type_by_wire)
{
	struct psp_workload wl;
	load_ok("tpcc", &wl);
	ck_assert_uint_eq(psp_workload_type_by_wire(&wl, 5), type_named(&wl, "NewOrder"));
	ck_assert_uint_eq(psp_workload_type_by_wire(&wl, 9), type_named(&wl, "StockLevel"));
	ck_assert_uint_eq(psp_workload_type_by_wire(&wl, 0), PSP_TYPE_UNKNOWN);
	ck_assert_uint_eq(psp_workload_type_by_wire(&wl, 1), PSP_TYPE_UNKNOWN);
	ck_assert_uint_eq(psp_workload_type_by_wire(&wl, 10), PSP_TYPE_UNKNOWN);
}
END_TEST

START_TEST(test_default_wire_ids)
{
	/* two-exp gives no wire ids: position + 1. */
	char path[512];
	struct psp_workload wl;
	load_ok(data_path(path, sizeof(path), "two-exp.yml"), &wl);
	ck_assert_uint_eq(wl.ntypes, 2);
	ck_assert_uint_eq(wl.wire_id[0], 1);
	ck_assert_uint_eq(wl.wire_id[1], 2);
	ck_assert_int_eq(wl.phase[0].service[1].kind, PSP_DIST_EXPONENTIAL);
	ck_assert_double_eq_tol(wl.phase[0].mean_service_us, 27.5, 1e-12);

	/* Defaults follow first-seen order across phases, around explicit ids. */
	struct tmp t = {{0}, {0}};
	static const char *const files[] = {"w.yml"};
	const char *p = tmp_write(&t, "w.yml",
		"name: w\n"
		"phases:\n"
		"  - duration_ms: 1\n"
		"    types:\n"
		"      - {name: A, ratio: 1, service: {dist: constant, mean_us: 1}}\n"
		"  - duration_ms: 2.5\n"
		"    types:\n"
		"      - {name: B, ratio: 0.25, wire_id: 7, service: {dist: constant, mean_us: 2}}\n"
		"      - {name: C, ratio: 0.75, service: {dist: constant, mean_us: 3}}\n");
	struct psp_err err;
	int rc = psp_workload_load(p, &wl, &err);
	tmp_clean(&t, files, 1);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(wl.ntypes, 3);
	ck_assert_uint_eq(wl.wire_id[0], 1);
	ck_assert_uint_eq(wl.wire_id[1], 7);
	ck_assert_uint_eq(wl.wire_id[2], 3);
	ck_assert_double_eq(wl.phase[1].duration_ms, 2.5);
	ck_assert_double_eq(wl.phase[1].ratio[0], 0);
	ck_assert_double_eq_tol(wl.phase[1].mean_service_us, 0.25 * 2 + 0.75 * 3, 1e-12);
	/* B and C are absent from phase 0 and take their later distribution. */
	ck_assert_double_eq(wl.phase[0].service[2].mean_us, 3);
}
END_TEST

/* --- lookup and errors that are not about content ----------------------- */

START_TEST(test_unknown_name_lists)
{
	struct psp_workload wl;
	struct psp_err err;
	int rc = psp_workload_load("no-such-workload", &wl, &err);
	ck_assert_int_eq(rc, -ENOENT);
	ck_assert_int_eq(err.code, -ENOENT);
	ck_assert_msg(strstr(err.msg, "no-such-workload"), "%s", err.msg);
	for (size_t i = 0; i < sizeof(standard) / sizeof(standard[0]); i++)
		ck_assert_msg(strstr(err.msg, standard[i]), "'%s' lacks %s", err.msg, standard[i]);
}
END_TEST

START_TEST(test_missing_path)
{
	struct psp_workload wl;
	struct psp_err err;
	int rc = psp_workload_load("/nonexistent/dir/x.yml", &wl, &err);
	ck_assert_int_eq(rc, -ENOENT);
	ck_assert_msg(strstr(err.where, "/nonexistent/dir/x.yml"), "%s", err.where);
	ck_assert_msg(strstr(err.msg, "No such file"), "%s", err.msg);
}
END_TEST

START_TEST(test_load_by_path)
{
	char path[600];
	struct psp_workload wl;
	snprintf(path, sizeof(path), "%s/rocksdb.yml", psp_workload_dir());
	load_ok(path, &wl);
	ck_assert_str_eq(wl.name, "rocksdb");
	ck_assert_str_eq(wl.path, path);
}
END_TEST

START_TEST(test_dir_and_list)
{
	struct tmp t = {{0}, {0}};
	static const char *const files[] = {"b.yml", "a.yml", "notes.txt", "c.yaml"};
	tmp_write(&t, "b.yml", "x");
	tmp_write(&t, "a.yml", "x");
	tmp_write(&t, "notes.txt", "x");
	tmp_write(&t, "c.yaml", "x");
	/* Restore the variable afterwards so CK_FORK=no runs stay correct. */
	const char *old = getenv("PSP_WORKLOAD_PATH");
	char saved[512];
	snprintf(saved, sizeof(saved), "%s", old ? old : "");
	setenv("PSP_WORKLOAD_PATH", t.dir, 1);
	char buf[64], small[4];
	const char *dir = psp_workload_dir();
	int same_dir = strcmp(dir, t.dir) == 0;
	unsigned n = psp_workload_list(buf, sizeof(buf));
	unsigned n_small = psp_workload_list(small, sizeof(small));
	if (old)
		setenv("PSP_WORKLOAD_PATH", saved, 1);
	else
		unsetenv("PSP_WORKLOAD_PATH");
	tmp_clean(&t, files, 4);
	ck_assert(same_dir);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(buf, "a, b");
	ck_assert_uint_eq(n_small, 1); /* "a, b" needs 5 bytes: only "a" fits */
	ck_assert_str_eq(small, "a");
}
END_TEST

START_TEST(test_list_standard)
{
	char buf[512];
	unsigned n = psp_workload_list(buf, sizeof(buf));
	ck_assert_uint_ge(n, 6);
	/* Sorted: dynamic < exponential < extreme-bimodal < high-bimodal < ... */
	ck_assert_msg(strstr(buf, "dynamic, exponential, extreme-bimodal, high-bimodal"), "%s", buf);
}
END_TEST

/* --- bad input ---------------------------------------------------------- */

static const struct {
	const char *file, *key, *want;
	unsigned line;
} bad_files[] = {
	{"bad-ratio.yml", "types", "sum to 1", 4},
	{"bad-syntax.yml", "", "YAML syntax error", 6},
	{"bad-dist.yml", "types[0].service.dist", "weibull", 6},
	{"bad-mean.yml", "types[1].service.mean_us", "> 0, got -3", 11},
	{"bad-key.yml", "types[0].ratoi", "allowed here: name, ratio, wire_id, service, op", 5},
};

START_TEST(test_bad_files)
{
	char path[512];
	expect_error(data_path(path, sizeof(path), bad_files[_i].file), bad_files[_i].line,
		     bad_files[_i].key, bad_files[_i].want);
}
END_TEST

START_TEST(test_bad_ratio_sum_says_sum)
{
	char path[512];
	struct psp_workload wl;
	struct psp_err err;
	psp_workload_load(data_path(path, sizeof(path), "bad-ratio.yml"), &wl, &err);
	ck_assert_msg(strstr(err.msg, "got 0.9"), "%s", err.msg);
}
END_TEST

#define HDR "name: x\ntypes:\n"
#define SVC1 "    service: {dist: constant, mean_us: 1}\n"

/* One YAML document per class of mistake, with the line (1-based), key and
 * a piece of the message the loader must report. */
static const struct {
	const char *yaml, *key, *want;
	unsigned line;
} bad_inline[] = {
	/* missing required keys */
	{HDR "  - name: A\n" SVC1, "types[0].ratio", "missing required key 'ratio'", 3},
	{"types:\n  - name: A\n    ratio: 1\n" SVC1, "name", "missing required key 'name'", 1},
	{HDR "  - name: A\n    ratio: 1\n", "types[0].service", "missing required key 'service'", 3},
	{HDR "  - name: A\n    ratio: 1\n    service:\n      mean_us: 1\n",
	 "types[0].service.dist", "missing required key 'dist'", 6},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: lognormal, mean_us: 2}\n",
	 "types[0].service.sigma", "lognormal takes: mean_us, sigma", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: bounded_pareto, alpha: 1, min_us: 1}\n",
	 "types[0].service.max_us", "missing required key 'max_us'", 5},
	/* unknown keys */
	{"name: x\narrivals: poisson\ntypes:\n  - name: A\n    ratio: 1\n" SVC1, "arrivals",
	 "allowed here: name, description, arrival, types, phases", 2},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: constant, mean_us: 1, sigma: 1}\n",
	 "types[0].service.sigma", "does not apply to dist constant", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: uniform, min_us: 1, max_us: 2, mu: 3}\n",
	 "types[0].service.mu", "allowed here: dist, mean_us, sigma", 5},
	{"name: x\nphases:\n  - duration_ms: 5\n    length: 3\n    types: []\n", "phases[0].length",
	 "allowed here: duration_ms, types", 4},
	{"name: x\nname: y\ntypes:\n  - name: A\n    ratio: 1\n" SVC1, "name", "duplicate key", 2},
	/* wrong types */
	{HDR "  - name: A\n    ratio: half\n" SVC1, "types[0].ratio", "expected a finite number, got 'half'", 4},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: constant, mean_us: 1 us}\n",
	 "types[0].service.mean_us", "got '1 us'", 5},
	{HDR "  - name: A\n    ratio: [1]\n" SVC1, "types[0].ratio", "got a list", 4},
	{HDR "  - name: A\n    ratio: 1\n    wire_id: 1.5\n" SVC1, "types[0].wire_id", "integer", 5},
	{HDR "  - name: [A]\n    ratio: 1\n" SVC1, "types[0].name", "expected a string", 3},
	{"name: x\ntypes:\n  name: A\n", "types", "expected a list of types, got a mapping", 3},
	{HDR "  - A\n", "types[0]", "expected a mapping, got a scalar", 3},
	{HDR "  - name: A\n    ratio: 1\n    service: exponential\n", "types[0].service",
	 "expected a mapping", 5},
	{"name: x\narrival: bursty\ntypes:\n  - name: A\n    ratio: 1\n" SVC1, "arrival",
	 "poisson or constant, got 'bursty'", 2},
	/* ratios */
	{HDR "  - name: A\n    ratio: 0\n" SVC1, "types[0].ratio", "(0, 1], got 0", 4},
	{HDR "  - name: A\n    ratio: -0.5\n" SVC1, "types[0].ratio", "(0, 1], got -0.5", 4},
	{HDR "  - name: A\n    ratio: 1.5\n" SVC1, "types[0].ratio", "(0, 1], got 1.5", 4},
	{HDR "  - name: A\n    ratio: 0.6\n" SVC1 "  - name: B\n    ratio: 0.6\n" SVC1, "types",
	 "got 1.2", 3},
	{"name: x\ntypes: []\n", "types", "at least one type", 2},
	/* distributions */
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: gamma, mean_us: 1}\n",
	 "types[0].service.dist",
	 "known: constant, exponential, lognormal, bounded_pareto, uniform", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: constant, mean_us: 0}\n",
	 "types[0].service.mean_us", "> 0, got 0", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: uniform, min_us: 0, max_us: 2}\n",
	 "types[0].service.min_us", "> 0, got 0", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: uniform, min_us: 1, max_us: -2}\n",
	 "types[0].service.max_us", "> 0, got -2", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: uniform, min_us: 3, max_us: 3}\n",
	 "types[0].service.min_us", "min_us must be < max_us", 5},
	{HDR "  - name: A\n    ratio: 1\n    service:\n      dist: bounded_pareto\n"
	     "      min_us: 1\n      max_us: 10\n      alpha: 0\n",
	 "types[0].service.alpha", "> 0, got 0", 9},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: lognormal, mean_us: 2, sigma: -1}\n",
	 "types[0].service.sigma", ">= 0, got -1", 5},
	/* names and wire ids */
	{HDR "  - name: A\n    ratio: 0.5\n" SVC1 "  - name: A\n    ratio: 0.5\n" SVC1,
	 "types[1].name", "duplicate type name 'A'", 6},
	{HDR "  - name: A\n    ratio: 0.5\n    wire_id: 4\n" SVC1
	     "  - name: B\n    ratio: 0.5\n    wire_id: 4\n" SVC1,
	 "types[1].wire_id", "wire_id 4 of type 'B' is also the wire id of type 'A'", 9},
	{HDR "  - name: A\n    ratio: 0.5\n" SVC1 "  - name: B\n    ratio: 0.5\n    wire_id: 1\n" SVC1,
	 "types[1].wire_id", "(its default, position + 1)", 8},
	{HDR "  - name: A\n    ratio: 1\n    wire_id: 0\n" SVC1, "types[0].wire_id",
	 "1..4294967295 (the wire's u32 type field", 5},
	{HDR "  - name: A\n    ratio: 1\n    wire_id: 4294967296\n" SVC1, "types[0].wire_id",
	 "got 4294967296", 5},
	/* bounds: what the simulator can represent (issue 12) */
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: constant, mean_us: 1e300}\n",
	 "types[0].service.mean_us", "at most 1e+09 us (1000 s), got 1e+300: simulated time is kept in ns below 2^56", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: exponential, mean_us: 1e15}\n",
	 "types[0].service.mean_us", "at most 1e+09 us", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: constant, mean_us: 1e12}\n",
	 "types[0].service.mean_us", "at most 1e+09 us", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: uniform, min_us: 1e-300, max_us: 1e300}\n",
	 "types[0].service.min_us", "at least 0.001 us (1 ns, the simulator's clock tick", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: uniform, min_us: 1, max_us: 1e300}\n",
	 "types[0].service.max_us", "at most 1e+09 us", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: constant, mean_us: 1e-300}\n",
	 "types[0].service.mean_us", "at least 0.001 us", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: bounded_pareto, alpha: 1e-300, min_us: 1, max_us: 1e300}\n",
	 "types[0].service.alpha", "in [0.01, 100], got 1e-300: below, 1 - (min/max)^alpha vanishes", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: bounded_pareto, alpha: 1e6, min_us: 1, max_us: 2}\n",
	 "types[0].service.alpha", "in [0.01, 100]", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: lognormal, mean_us: 10, sigma: 50}\n",
	 "types[0].service.sigma", "at most 4, got 50: a lognormal's mean rests on draws", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: constant, mean_us: .nan}\n",
	 "types[0].service.mean_us", "finite number, got '.nan'", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: constant, mean_us: nan}\n",
	 "types[0].service.mean_us", "finite number, got 'nan' (NaN)", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: constant, mean_us: inf}\n",
	 "types[0].service.mean_us", "finite number, got 'inf'", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: constant, mean_us: 1e999}\n",
	 "types[0].service.mean_us", "finite number, got '1e999'", 5},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: constant, mean_us: 1e-999}\n",
	 "types[0].service.mean_us", "too close to 0 for a double", 5},
	{HDR "  - name: A\n    ratio: nan\n" SVC1, "types[0].ratio", "finite number", 4},
	{"name: x\nslo: inf\ntypes:\n  - name: A\n    ratio: 1\n" SVC1, "slo", "finite number", 2},
	{"name: x\nphases:\n  - duration_ms: 1e-300\n    types:\n      - name: A\n        ratio: 1\n"
	 "        service: {dist: constant, mean_us: 1}\n", "phases[0].duration_ms",
	 "at least 1e-06 ms (1 ns, the simulator's clock tick), got 1e-300", 3},
	{"name: x\nphases:\n  - duration_ms: 1e12\n    types:\n      - name: A\n        ratio: 1\n"
	 "        service: {dist: constant, mean_us: 1}\n", "phases[0].duration_ms",
	 "at most 1e+09 ms (11.6 days), got 1e+12", 3},
	{HDR "  - name: A\n    ratio: 1\n    service: {dist: gamma" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, mean_us: 1}\n",
	 "types[0].service.dist", "...'; known: constant, exponential", 5},
	/* types vs phases */
	{"name: x\ndescription: nothing to run\n", "types", "either 'types' or 'phases'", 1},
	{"name: x\ntypes:\n  - name: A\n    ratio: 1\n" SVC1
	 "phases:\n  - duration_ms: 1\n    types: []\n", "phases", "not both", 6},
	{"name: x\nphases:\n  - duration_ms: 0\n    types:\n      - name: A\n        ratio: 1\n"
	 "        service: {dist: constant, mean_us: 1}\n", "phases[0].duration_ms", "> 0, got 0", 3},
	{"name: x\nphases:\n  - duration_ms: -5\n    types: []\n", "phases[0].duration_ms",
	 "> 0, got -5", 3},
	{"name: x\nphases:\n  - types:\n      - {name: A, ratio: 1, service: {dist: constant, mean_us: 1}}\n",
	 "phases[0].duration_ms", "missing required key 'duration_ms'", 3},
	{"name: x\nphases: []\n", "phases", "at least one phase", 2},
	{"name: x\nphases:\n"
	 "  - duration_ms: 1\n    types:\n      - {name: A, ratio: 1, service: {dist: constant, mean_us: 1}}\n"
	 "  - duration_ms: 1\n    types:\n      - {name: A, ratio: 1, service: {dist: pareto, mean_us: 1}}\n",
	 "phases[1].types[0].service.dist", "unknown distribution 'pareto'", 8},
	{"name: x\nphases:\n"
	 "  - duration_ms: 1\n    types:\n      - {name: A, ratio: 1, service: {dist: constant, mean_us: 1}}\n"
	 "  - duration_ms: 1\n    types:\n      - {name: A, ratio: 0.7, service: {dist: constant, mean_us: 1}}\n",
	 "phases[1].types", "got 0.7", 8},
	{"name: x\nphases:\n"
	 "  - duration_ms: 1\n    types:\n      - {name: A, ratio: 1, wire_id: 3, service: {dist: constant, mean_us: 1}}\n"
	 "  - duration_ms: 1\n    types:\n      - {name: A, ratio: 1, wire_id: 4, service: {dist: constant, mean_us: 1}}\n",
	 "phases[1].types[0].wire_id", "differs from 3 given at phases[0].types[0].wire_id", 8},
	/* documents */
	{"", "", "empty workload file", 1},
	{"name: x\ntypes:\n  - name: A\n    ratio: 1\n" SVC1 "---\nname: y\n", "",
	 "more than one YAML document", 7},
	{"name: x\ntypes:\n  - name: A\n    ratio: 1: 2\n" SVC1, "", "YAML syntax error: mapping values", 4},
};

START_TEST(test_bad_inline)
{
	expect_inline_error(bad_inline[_i].yaml, bad_inline[_i].line, bad_inline[_i].key,
			    bad_inline[_i].want);
}
END_TEST

START_TEST(test_too_many_types)
{
	/* 17 types of ratio 1/17: the 17th name (line 3 + 16 * 3) is refused. */
	char yaml[4096];
	size_t n = (size_t)snprintf(yaml, sizeof(yaml), "name: many\ntypes:\n");
	for (unsigned i = 0; i < PSP_MAX_TYPES + 1; i++)
		n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
				      "  - name: T%u\n    ratio: %.17g\n" SVC1, i,
				      1.0 / (PSP_MAX_TYPES + 1));
	expect_inline_error(yaml, 3 + 3 * PSP_MAX_TYPES, "types[16].name", "at most 16 types");
}
END_TEST

START_TEST(test_sixteen_types_ok)
{
	char yaml[4096];
	size_t n = (size_t)snprintf(yaml, sizeof(yaml), "name: many\ntypes:\n");
	for (unsigned i = 0; i < PSP_MAX_TYPES; i++)
		n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
				      "  - name: T%u\n    ratio: 0.0625\n" SVC1, i);
	struct tmp t = {{0}, {0}};
	static const char *const files[] = {"ok.yml"};
	struct psp_workload wl;
	struct psp_err err;
	int rc = psp_workload_load(tmp_write(&t, "ok.yml", yaml), &wl, &err);
	tmp_clean(&t, files, 1);
	ck_assert_msg(rc == 0, "%s", err.msg);
	ck_assert_uint_eq(wl.ntypes, PSP_MAX_TYPES);
	ck_assert_uint_eq(wl.wire_id[15], 16);
}
END_TEST

START_TEST(test_too_many_phases)
{
	/* 17 phases of 2 lines each: the 17th starts on line 3 + 16 * 2. */
	char yaml[4096];
	size_t n = (size_t)snprintf(yaml, sizeof(yaml), "name: many\nphases:\n");
	for (unsigned i = 0; i < PSP_WL_MAX_PHASES + 1; i++)
		n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
				      "  - duration_ms: 1\n    types: [{name: A, ratio: 1, "
				      "service: {dist: constant, mean_us: 1}}]\n");
	expect_inline_error(yaml, 3 + 2 * PSP_WL_MAX_PHASES, "phases", "at most 16 phases");
}
END_TEST

START_TEST(test_long_path_keeps_line)
{
	/* A path longer than err.where keeps its tail: file name, line, column. */
	struct tmp t = {{0}, {0}};
	static const char *const files[] = {"keep.yml"};
	tmp_write(&t, "keep.yml", "x");
	char sub[300], path[400];
	snprintf(sub, sizeof(sub), "%s/%0200d", t.dir, 0);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/bad.yml", sub);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("name: x\ntypes:\n  - name: A\n    ratio: 2\n" SVC1, f);
	fclose(f);
	struct psp_workload wl;
	struct psp_err err;
	int rc = psp_workload_load(path, &wl, &err);
	unlink(path);
	rmdir(sub);
	tmp_clean(&t, files, 1);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_uint_gt(strlen(path), sizeof(err.where));
	ck_assert_msg(strncmp(err.where, "...", 3) == 0, "%s", err.where);
	static const char tail[] = "/bad.yml:4:12";
	size_t n = strlen(err.where), m = strlen(tail);
	ck_assert_msg(n >= m && strcmp(err.where + n - m, tail) == 0, "%s", err.where);
	ck_assert_str_eq(err.key, "types[0].ratio");
}
END_TEST

/* --- distributions and the sampler -------------------------------------- */

/* E[X^k] of a bounded Pareto, written from its density
 * alpha L^alpha x^(-alpha-1) / (1 - (L/H)^alpha) on [L, H]: independent of the
 * library's formula in r = L/H. */
static double pareto_moment(double alpha, double lo, double hi, int k)
{
	double c = alpha * pow(lo, alpha) / (1 - pow(lo / hi, alpha));
	if (fabs(k - alpha) < 1e-12)
		return c * log(hi / lo);
	return c * (pow(hi, k - alpha) - pow(lo, k - alpha)) / (k - alpha);
}

START_TEST(test_dist_mean)
{
	struct psp_dist d = {.kind = PSP_DIST_UNIFORM, .min_us = 2, .max_us = 8};
	ck_assert_double_eq_tol(psp_dist_mean_us(&d), 5, 1e-12);
	/* alpha = 1, L = 1, H = e: L H ln(H/L) / (H - L) = e / (e - 1). */
	d = (struct psp_dist){.kind = PSP_DIST_BOUNDED_PARETO, .alpha = 1, .min_us = 1, .max_us = M_E};
	ck_assert_double_eq_tol(psp_dist_mean_us(&d), M_E / (M_E - 1), 1e-12);
	/* alpha = 2, L = 1, H = 2: 2 (1 - 1/2) / (1 - 1/4) = 4/3. */
	d = (struct psp_dist){.kind = PSP_DIST_BOUNDED_PARETO, .alpha = 2, .min_us = 1, .max_us = 2};
	ck_assert_double_eq_tol(psp_dist_mean_us(&d), 4.0 / 3.0, 1e-12);
	d = (struct psp_dist){.kind = PSP_DIST_BOUNDED_PARETO, .alpha = 1.5, .min_us = 10, .max_us = 1e4};
	ck_assert_double_eq_tol(psp_dist_mean_us(&d), pareto_moment(1.5, 10, 1e4, 1), 1e-9);
	d = (struct psp_dist){.kind = PSP_DIST_LOGNORMAL, .mean_us = 7, .sigma = 2};
	ck_assert_double_eq(psp_dist_mean_us(&d), 7);
	ck_assert_str_eq(psp_dist_name(PSP_DIST_BOUNDED_PARETO), "bounded_pareto");

	/* The loader derives mean_us for the distributions given without one. */
	struct tmp t = {{0}, {0}};
	static const char *const files[] = {"m.yml"};
	const char *p = tmp_write(&t, "m.yml",
		"name: m\ntypes:\n"
		"  - {name: P, ratio: 0.5, service: {dist: bounded_pareto, alpha: 2, min_us: 1, max_us: 2}}\n"
		"  - {name: U, ratio: 0.5, service: {dist: uniform, min_us: 2, max_us: 8}}\n");
	struct psp_workload wl;
	struct psp_err err;
	int rc = psp_workload_load(p, &wl, &err);
	tmp_clean(&t, files, 1);
	ck_assert_msg(rc == 0, "%s", err.msg);
	ck_assert_double_eq_tol(wl.phase[0].service[0].mean_us, 4.0 / 3.0, 1e-12);
	ck_assert_double_eq_tol(wl.phase[0].service[1].mean_us, 5, 1e-12);
	ck_assert_double_eq_tol(wl.phase[0].mean_service_us, 0.5 * 4.0 / 3.0 + 2.5, 1e-12);
}
END_TEST

/* A one-phase workload of types with the given distributions, equal ratios. */
static void synth(struct psp_workload *wl, const struct psp_dist *d, uint32_t n)
{
	memset(wl, 0, sizeof(*wl));
	snprintf(wl->name, sizeof(wl->name), "synthetic");
	wl->ntypes = n;
	wl->nphases = 1;
	for (uint32_t t = 0; t < n; t++) {
		snprintf(wl->type_name[t], sizeof(wl->type_name[t]), "T%u", t);
		wl->wire_id[t] = t + 1;
		wl->phase[0].ratio[t] = 1.0 / n;
		wl->phase[0].service[t] = d[t];
		wl->phase[0].service[t].mean_us = psp_dist_mean_us(&d[t]);
	}
}

static const struct psp_dist all_dists[] = {
	{.kind = PSP_DIST_CONSTANT, .mean_us = 2.5},
	{.kind = PSP_DIST_EXPONENTIAL, .mean_us = 10},
	{.kind = PSP_DIST_LOGNORMAL, .mean_us = 10, .sigma = 1},
	{.kind = PSP_DIST_BOUNDED_PARETO, .alpha = 1.5, .min_us = 1, .max_us = 1000},
	{.kind = PSP_DIST_UNIFORM, .min_us = 3, .max_us = 9},
};
#define NDISTS (sizeof(all_dists) / sizeof(all_dists[0]))

START_TEST(test_sampler_deterministic)
{
	struct psp_workload wl;
	synth(&wl, all_dists, NDISTS);
	struct psp_wl_sampler *a = psp_wl_sampler_create(&wl, 42);
	struct psp_wl_sampler *b = psp_wl_sampler_create(&wl, 42);
	struct psp_wl_sampler *c = psp_wl_sampler_create(&wl, 43);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(c);
	unsigned diff_type = 0, diff_svc = 0, diff_gap = 0, diff_u64 = 0;
	for (int i = 0; i < NDET; i++) {
		uint32_t ta = psp_wl_sample_type(a, 0), tb = psp_wl_sample_type(b, 0);
		uint32_t tc = psp_wl_sample_type(c, 0);
		ck_assert_uint_eq(ta, tb);
		uint32_t t = (uint32_t)i % NDISTS; /* every distribution, same t in all three */
		uint64_t sa = psp_wl_sample_service_ns(a, 0, t), sb = psp_wl_sample_service_ns(b, 0, t);
		uint64_t sc = psp_wl_sample_service_ns(c, 0, t);
		ck_assert_uint_eq(sa, sb);
		double ga = psp_wl_sample_gap_ns(a, 1e-4), gb = psp_wl_sample_gap_ns(b, 1e-4);
		double gc = psp_wl_sample_gap_ns(c, 1e-4);
		ck_assert(ga == gb);
		uint64_t ua = psp_wl_sample_u64(a), ub = psp_wl_sample_u64(b);
		uint64_t uc = psp_wl_sample_u64(c);
		ck_assert_uint_eq(ua, ub);
		diff_type += ta != tc;
		diff_svc += sa != sc;
		diff_gap += ga != gc;
		diff_u64 += ua != uc;
	}
	psp_wl_sampler_destroy(a);
	psp_wl_sampler_destroy(b);
	psp_wl_sampler_destroy(c);
	/* Another seed: types agree 1/5 of the time by chance, continuous draws
	 * almost never; constant services (1 in 5) always agree. */
	ck_assert_uint_gt(diff_type, NDET / 2);
	ck_assert_uint_gt(diff_svc, NDET / 2);
	ck_assert_uint_gt(diff_gap, NDET - 10);
	ck_assert_uint_gt(diff_u64, NDET - 10);
}
END_TEST

START_TEST(test_sampler_golden)
{
	/* Pins the streams of seed 1 (xoshiro256++, splitmix64 seeding, the
	 * exponential ziggurat): a change here changes every published psp-sim
	 * number, so it must be deliberate. */
	struct psp_workload wl;
	load_ok("exponential", &wl);
	struct psp_wl_sampler *s = psp_wl_sampler_create(&wl, 1);
	ck_assert_ptr_nonnull(s);
	uint64_t u = psp_wl_sample_u64(s);
	uint64_t svc = psp_wl_sample_service_ns(s, 0, 0);
	double gap = psp_wl_sample_gap_ns(s, 1e-3);
	psp_wl_sampler_destroy(s);
	ck_assert_msg(u == 0x98924259b4c6bull && svc == 46 && fabs(gap - 107.737086032) < 1e-6,
		      "u64 %#llx svc %llu gap %.9f", (unsigned long long)u,
		      (unsigned long long)svc, gap);
}
END_TEST

START_TEST(test_sampler_streams_independent)
{
	/* Drawing from one purpose leaves the others' streams alone, and a
	 * constant distribution draws nothing at all. */
	const struct psp_dist d[2] = {
		{.kind = PSP_DIST_CONSTANT, .mean_us = 1},
		{.kind = PSP_DIST_EXPONENTIAL, .mean_us = 5},
	};
	struct psp_workload wl;
	synth(&wl, d, 2);
	struct psp_wl_sampler *a = psp_wl_sampler_create(&wl, 7);
	struct psp_wl_sampler *b = psp_wl_sampler_create(&wl, 7);
	for (int i = 0; i < 1000; i++) {
		/* b also draws constant services, u64s and gaps in between */
		ck_assert_uint_eq(psp_wl_sample_service_ns(b, 0, 0), 1000);
		psp_wl_sample_u64(b);
		psp_wl_sample_gap_ns(b, 1e-3);
		ck_assert_uint_eq(psp_wl_sample_service_ns(a, 0, 1), psp_wl_sample_service_ns(b, 0, 1));
		ck_assert_uint_eq(psp_wl_sample_type(a, 0), psp_wl_sample_type(b, 0));
	}
	psp_wl_sampler_destroy(a);
	psp_wl_sampler_destroy(b);
}
END_TEST

/* Exact mean and standard deviation of a distribution, in ns. */
static void dist_moments_ns(const struct psp_dist *d, double *mean, double *sd)
{
	double m = 0, var = 0;
	switch (d->kind) {
	case PSP_DIST_CONSTANT:
		m = d->mean_us;
		break;
	case PSP_DIST_EXPONENTIAL:
		m = d->mean_us;
		var = m * m;
		break;
	case PSP_DIST_LOGNORMAL:
		m = d->mean_us;
		var = (exp(d->sigma * d->sigma) - 1) * m * m;
		break;
	case PSP_DIST_BOUNDED_PARETO:
		m = pareto_moment(d->alpha, d->min_us, d->max_us, 1);
		var = pareto_moment(d->alpha, d->min_us, d->max_us, 2) - m * m;
		break;
	case PSP_DIST_UNIFORM:
		m = 0.5 * (d->min_us + d->max_us);
		var = (d->max_us - d->min_us) * (d->max_us - d->min_us) / 12;
		break;
	}
	*mean = m * 1e3;
	*sd = sqrt(var) * 1e3;
}

START_TEST(test_sampler_service_means)
{
	const struct psp_dist *d = &all_dists[_i];
	struct psp_workload wl;
	synth(&wl, d, 1);
	struct psp_wl_sampler *s = psp_wl_sampler_create(&wl, 1000 + (uint64_t)_i);
	double sum = 0, lo_ns = d->min_us * 1e3, hi_ns = d->max_us * 1e3;
	uint64_t min = UINT64_MAX, max = 0;
	for (int i = 0; i < NSTAT; i++) {
		uint64_t x = psp_wl_sample_service_ns(s, 0, 0);
		sum += (double)x;
		min = x < min ? x : min;
		max = x > max ? x : max;
	}
	psp_wl_sampler_destroy(s);
	double mean, sd;
	dist_moments_ns(d, &mean, &sd);
	double tol = 4 * sd / sqrt(NSTAT) + 0.5;
	ck_assert_msg(fabs(sum / NSTAT - mean) <= tol, "%s: sample mean %.3f ns, want %.3f +- %.3f",
		      psp_dist_name(d->kind), sum / NSTAT, mean, tol);
	ck_assert_uint_ge(min, 1);
	if (d->kind == PSP_DIST_CONSTANT)
		ck_assert_uint_eq(min, max);
	if (d->kind == PSP_DIST_BOUNDED_PARETO || d->kind == PSP_DIST_UNIFORM) {
		ck_assert_double_ge((double)min, lo_ns);
		ck_assert_double_le((double)max, hi_ns);
	}
}
END_TEST

START_TEST(test_sampler_rounding)
{
	/* Nearest ns, at least 1. */
	const struct psp_dist d[3] = {
		{.kind = PSP_DIST_CONSTANT, .mean_us = 0.5},
		{.kind = PSP_DIST_CONSTANT, .mean_us = 0.0015},
		{.kind = PSP_DIST_CONSTANT, .mean_us = 0.0001},
	};
	struct psp_workload wl;
	synth(&wl, d, 3);
	struct psp_wl_sampler *s = psp_wl_sampler_create(&wl, 1);
	ck_assert_uint_eq(psp_wl_sample_service_ns(s, 0, 0), 500);
	ck_assert_uint_eq(psp_wl_sample_service_ns(s, 0, 1), 2);
	ck_assert_uint_eq(psp_wl_sample_service_ns(s, 0, 2), 1);
	psp_wl_sampler_destroy(s);
}
END_TEST

static void check_type_ratios(const char *name, uint32_t ph, uint64_t seed)
{
	struct psp_workload wl;
	load_ok(name, &wl);
	struct psp_wl_sampler *s = psp_wl_sampler_create(&wl, seed);
	unsigned count[PSP_MAX_TYPES] = {0};
	for (int i = 0; i < NSTAT; i++) {
		uint32_t t = psp_wl_sample_type(s, ph);
		ck_assert_uint_lt(t, wl.ntypes);
		count[t]++;
	}
	psp_wl_sampler_destroy(s);
	for (uint32_t t = 0; t < wl.ntypes; t++) {
		double p = wl.phase[ph].ratio[t], got = (double)count[t] / NSTAT;
		double tol = 4 * sqrt(p * (1 - p) / NSTAT);
		ck_assert_msg(fabs(got - p) <= tol, "%s phase %u %s: %.5f, want %.5f +- %.5f",
			      name, ph, wl.type_name[t], got, p, tol);
		if (p == 0)
			ck_assert_uint_eq(count[t], 0);
	}
}

START_TEST(test_sampler_type_ratios)
{
	check_type_ratios("tpcc", 0, 5);
	check_type_ratios("extreme-bimodal", 0, 6);
	check_type_ratios("high-bimodal", 0, 7);
	for (uint32_t ph = 0; ph < 4; ph++)
		check_type_ratios("dynamic", ph, 8 + ph);
}
END_TEST

START_TEST(test_sampler_per_phase_service)
{
	struct psp_workload wl;
	load_ok("dynamic", &wl);
	struct psp_wl_sampler *s = psp_wl_sampler_create(&wl, 3);
	uint32_t sh = type_named(&wl, "SHORT"), lg = type_named(&wl, "LONG");
	ck_assert_uint_eq(psp_wl_sample_service_ns(s, 0, sh), 100000);
	ck_assert_uint_eq(psp_wl_sample_service_ns(s, 0, lg), 1000);
	ck_assert_uint_eq(psp_wl_sample_service_ns(s, 1, sh), 1000);
	ck_assert_uint_eq(psp_wl_sample_service_ns(s, 1, lg), 100000);
	ck_assert_uint_eq(psp_wl_sample_service_ns(s, 3, sh), 3500);
	ck_assert_uint_eq(psp_wl_sample_service_ns(s, 3, lg), 100000);
	psp_wl_sampler_destroy(s);
}
END_TEST

START_TEST(test_sampler_gaps)
{
	struct psp_workload wl;
	load_ok("high-bimodal", &wl);
	/* Poisson: exponential gaps with mean 1/rate (sd = mean). */
	const double rate = 1.0 / 3600.0; /* per ns */
	struct psp_wl_sampler *s = psp_wl_sampler_create(&wl, 11);
	double sum = 0;
	for (int i = 0; i < NSTAT; i++) {
		double g = psp_wl_sample_gap_ns(s, rate);
		ck_assert(g > 0);
		sum += g;
	}
	psp_wl_sampler_destroy(s);
	double tol = 4 * (1 / rate) / sqrt(NSTAT);
	ck_assert_msg(fabs(sum / NSTAT - 1 / rate) <= tol, "mean gap %.3f", sum / NSTAT);

	/* Constant: exactly 1/rate every time. */
	wl.arrival = PSP_ARRIVAL_CONSTANT;
	s = psp_wl_sampler_create(&wl, 11);
	for (int i = 0; i < 1000; i++)
		ck_assert(psp_wl_sample_gap_ns(s, 0.003) == 1 / 0.003);
	psp_wl_sampler_destroy(s);
}
END_TEST

/* Kolmogorov-Smirnov: the largest gap between the empirical CDF of the n
 * sorted draws x and the exact exponential CDF 1 - e^(-x/mean).  For a
 * correct sampler sqrt(n) D exceeds t with probability about 2 e^(-2 t^2)
 * (Kolmogorov's limit, accurate at this n); t = 3.27 puts that at 1e-9, so
 * with fixed seeds a pass is not luck and a failure is a wrong sampler: at
 * n = 10^6 any CDF error above 0.33% is caught. */
#define KS_N 1000000
#define KS_T 3.27

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double ks_exponential(double *x, size_t n, double mean)
{
	qsort(x, n, sizeof(*x), cmp_double);
	double d = 0;
	for (size_t i = 0; i < n; i++) {
		double f = -expm1(-x[i] / mean);
		d = fmax(d, fmax(f - (double)i / (double)n, (double)(i + 1) / (double)n - f));
	}
	return d;
}

/* The exponential draws (the ziggurat): Poisson gaps as doubles, and an
 * exponential service time (rounded to ns, mean 1 ms: the rounding moves the
 * CDF by at most 5e-7).  KS on the first 10^6 draws; then, over 10^7, the
 * moments E[X] = 1 and E[X^2] = 2 (in means) and the tail beyond the
 * ziggurat's base strip, r = 7.697 means, which a separate path draws and KS
 * barely sees: its share e^-r and its excess mean 1 (memoryless).  Each is
 * held to 5 standard errors (sd 1 and sqrt(20) for the moments, sqrt(n p)
 * for the count, 1 / sqrt(count) for the excess): a correct sampler misses
 * one with probability about 2e-6.  Accepting every wedge point shifts the
 * mean by 0.4% (2.5 times the band), a tail 10% short misses by 7 errors. */
#define EXP_N 10000000

START_TEST(test_sampler_exponential_ks)
{
	struct psp_workload wl;
	const struct psp_dist d = {.kind = PSP_DIST_EXPONENTIAL, .mean_us = 1000};
	synth(&wl, &d, 1);
	struct psp_wl_sampler *s = psp_wl_sampler_create(&wl, 2026 + (uint64_t)_i);
	double *x = malloc(KS_N * sizeof(*x));
	ck_assert_ptr_nonnull(x);
	const double r = 7.69711747013104972, mean = _i == 0 ? 250.0 : 1e6;
	const char *what = _i == 0 ? "gaps" : "service";
	size_t tail = 0;
	double sum = 0, sum2 = 0, excess = 0;
	for (size_t i = 0; i < EXP_N; i++) {
		double v = (_i == 0 ? psp_wl_sample_gap_ns(s, 1 / mean)
				    : (double)psp_wl_sample_service_ns(s, 0, 0)) / mean;
		if (i < KS_N)
			x[i] = v;
		sum += v;
		sum2 += v * v;
		if (v > r) {
			tail++;
			excess += v - r;
		}
	}
	psp_wl_sampler_destroy(s);
	double dn = ks_exponential(x, KS_N, 1.0);
	free(x);
	ck_assert_msg(sqrt(KS_N) * dn < KS_T, "%s: KS D = %.5f, sqrt(n) D = %.3f >= %.2f", what,
		      dn, sqrt(KS_N) * dn, KS_T);
	double n = EXP_N;
	ck_assert_msg(fabs(sum / n - 1) <= 5 / sqrt(n), "%s: mean %.5f, want 1", what, sum / n);
	ck_assert_msg(fabs(sum2 / n - 2) <= 5 * sqrt(20 / n), "%s: E[X^2] %.5f, want 2", what,
		      sum2 / n);
	double want = exp(-r) * n;
	ck_assert_msg(fabs((double)tail - want) <= 5 * sqrt(want), "%s: %zu draws beyond r, want %.0f",
		      what, tail, want);
	ck_assert_msg(fabs(excess / (double)tail - 1) <= 5 / sqrt((double)tail),
		      "%s: mean excess beyond r %.4f, want 1", what, excess / (double)tail);
}
END_TEST

START_TEST(test_arrival_constant_parsed)
{
	struct tmp t = {{0}, {0}};
	static const char *const files[] = {"c.yml"};
	const char *p = tmp_write(&t, "c.yml", "name: c\narrival: constant\ntypes:\n"
				 "  - {name: A, ratio: 1, service: {dist: constant, mean_us: 1}}\n");
	struct psp_workload wl;
	struct psp_err err;
	int rc = psp_workload_load(p, &wl, &err);
	tmp_clean(&t, files, 1);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(wl.arrival, PSP_ARRIVAL_CONSTANT);
}
END_TEST

Suite *psp_workload_suite(void);

Suite *psp_workload_suite(void)
{
	Suite *s = suite_create("workload");
	TCase *tc = tcase_create("load");
	tcase_add_loop_test(tc, test_standard_loads, 0,
			    (int)(sizeof(standard) / sizeof(standard[0])));
	tcase_add_test(tc, test_high_bimodal);
	tcase_add_test(tc, test_extreme_bimodal);
	tcase_add_test(tc, test_tpcc);
	tcase_add_test(tc, test_rocksdb);
	tcase_add_test(tc, test_exponential);
	tcase_add_test(tc, test_dynamic);
	tcase_add_test(tc, test_type_by_wire);
	tcase_add_test(tc, test_default_wire_ids);
	tcase_add_test(tc, test_unknown_name_lists);
	tcase_add_test(tc, test_missing_path);
	tcase_add_test(tc, test_load_by_path);
	tcase_add_test(tc, test_dir_and_list);
	tcase_add_test(tc, test_list_standard);
	tcase_add_test(tc, test_arrival_constant_parsed);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_bad_files, 0,
			    (int)(sizeof(bad_files) / sizeof(bad_files[0])));
	tcase_add_test(tc, test_bad_ratio_sum_says_sum);
	tcase_add_loop_test(tc, test_bad_inline, 0,
			    (int)(sizeof(bad_inline) / sizeof(bad_inline[0])));
	tcase_add_test(tc, test_too_many_types);
	tcase_add_test(tc, test_sixteen_types_ok);
	tcase_add_test(tc, test_too_many_phases);
	tcase_add_test(tc, test_long_path_keeps_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("sampler");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_dist_mean);
	tcase_add_test(tc, test_sampler_deterministic);
	tcase_add_test(tc, test_sampler_golden);
	tcase_add_test(tc, test_sampler_streams_independent);
	tcase_add_loop_test(tc, test_sampler_service_means, 0, (int)NDISTS);
	tcase_add_test(tc, test_sampler_rounding);
	tcase_add_test(tc, test_sampler_type_ratios);
	tcase_add_test(tc, test_sampler_per_phase_service);
	tcase_add_test(tc, test_sampler_gaps);
	tcase_add_loop_test(tc, test_sampler_exponential_ks, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
