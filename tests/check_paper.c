/* The paper's qualitative results (SOSP 2021, Figs. 3, 4, 8), in simulation,
 * on the workload files of workloads/ with 14 workers:
 *
 *  - Fig. 3: on High Bimodal at load 0.9, DARC's p99.9 slowdown over all
 *    requests is several times below c-FCFS's (and long requests pay for it);
 *  - Fig. 4a: the static reservation sweep k = 0..13 at load 0.9 is best at
 *    k = 1 (k >= 2 leaves LONG fewer cores than its demand: overloaded);
 *  - DARC's profiler settles on 1 short core for High Bimodal and 2 for
 *    Extreme Bimodal (the plans of their nominal means, docs/darc.md);
 *  - Fig. 8: on `dynamic` it re-reserves after each phase change, each time
 *    on the plan of that phase's nominal means.
 *
 * Fixed seeds: the runs are deterministic.  Margins are the paper's words
 * ("several times" = 3x) rather than statistics; the measured values, printed
 * by each test, sit well beyond them.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psp/darc.h>
#include <psp/hist.h>
#include <psp/policy.h>

#include "test_conf.h"
#include <psp/workload.h>

#include "run.h"

#define WORKERS 14u
#define SEED 1u

static void load_wl(const char *name, struct psp_workload *wl)
{
	struct psp_err err;
	int rc = psp_workload_load(name, wl, &err);
	ck_assert_msg(rc == 0, "workload %s: %s (PSP_WORKLOAD_PATH=%s)", name, err.msg,
		      getenv("PSP_WORKLOAD_PATH") ? getenv("PSP_WORKLOAD_PATH") : "unset");
}

/* The setup psp-sim builds from its defaults (sim_setup_default). */
static struct sim_setup make_setup(const struct psp_workload *wl,
				   const struct psp_policy_ops *ops, uint64_t requests)
{
	struct sim_setup s;
	sim_setup_default(&s, wl, ops, WORKERS);
	test_keep_conf(s.conf);
	s.requests = requests;
	s.seed = SEED;
	return s;
}

static void run(const struct sim_setup *s, double load, struct sim_result *res)
{
	struct psp_err err;
	int rc = sim_run(s, load, res, &err);
	ck_assert_msg(rc == 0, "sim_run: %s", err.msg);
}

static double p999_slowdown(const struct sim_result *r, uint32_t t)
{
	return (double)psp_hist_quantile(&r->slow[t], 0.999) / SIM_SLOWDOWN_SCALE;
}

static uint32_t type_index(const struct psp_workload *wl, const char *name)
{
	for (uint32_t t = 0; t < wl->ntypes; t++)
		if (strcmp(wl->type_name[t], name) == 0)
			return t;
	ck_abort_msg("workload %s has no type %s", wl->name, name);
	return 0;
}

/* psp_darc_plan on phase ph's nominal means and ratios, formatted as DARC
 * describes its reservation. */
static void nominal_plan(const struct psp_workload *wl, uint32_t ph, struct psp_darc_plan *plan,
			 char *buf, size_t cap)
{
	double mean_ns[PSP_MAX_TYPES], ratio[PSP_MAX_TYPES];
	const char *names[PSP_MAX_TYPES];
	for (uint32_t t = 0; t < wl->ntypes; t++) {
		mean_ns[t] = psp_dist_mean_us(&wl->phase[ph].service[t]) * 1e3;
		ratio[t] = wl->phase[ph].ratio[t];
		names[t] = wl->type_name[t];
	}
	ck_assert_int_eq(psp_darc_plan(plan, WORKERS, wl->ntypes, mean_ns, ratio, 0.2, true), 0);
	psp_darc_plan_format(plan, names, buf, cap);
}

/* Does reservation rv match plan (groups' types and cores)? */
static bool install_matches(const struct sim_reservation *rv, const struct psp_darc_plan *plan)
{
	if (rv->plan.ngroups != plan->ngroups)
		return false;
	for (uint32_t g = 0; g < plan->ngroups; g++) {
		const struct psp_darc_group *a = &rv->plan.group[g], *b = &plan->group[g];
		if (a->ntypes != b->ntypes ||
		    memcmp(a->types, b->types, a->ntypes * sizeof(a->types[0])) != 0 ||
		    a->reserved_mask != b->reserved_mask || a->stealable_mask != b->stealable_mask)
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------------- */

/* Fig. 3 at load 0.9: c-FCFS ~150x vs DARC ~10x on the testbed (15.7x at
 * most).  "Several times" = at least 3x here. */
START_TEST(darc_beats_cfcfs_high_bimodal)
{
	struct psp_workload wl;
	load_wl("high-bimodal", &wl);
	struct sim_setup c = make_setup(&wl, &psp_cfcfs_ops, 500000);
	struct sim_setup d = make_setup(&wl, &psp_darc_ops, 500000); /* dynamic, 50,000 samples */
	struct sim_result rc, rd;
	run(&c, 0.9, &rc);
	run(&d, 0.9, &rd);
	ck_assert(!rc.overloaded && !rd.overloaded);
	uint32_t all = wl.ntypes, s = type_index(&wl, "SHORT"), l = type_index(&wl, "LONG");
	double sc = p999_slowdown(&rc, all), sd = p999_slowdown(&rd, all);
	double lc = (double)psp_hist_quantile(&rc.lat[l], 0.999) / 1e3;
	double ld = (double)psp_hist_quantile(&rd.lat[l], 0.999) / 1e3;
	printf("high-bimodal 0.9: p99.9 slowdown ALL c-FCFS %.1f DARC %.1f (%.1fx); SHORT %.1f vs %.1f;"
	       " LONG p99.9 %.0f vs %.0f us\n  DARC: %s\n", sc, sd, sc / sd, p999_slowdown(&rc, s),
	       p999_slowdown(&rd, s), lc, ld, rd.reservation);
	ck_assert_msg(sc >= 3 * sd, "c-FCFS %.1f vs DARC %.1f: not several times", sc, sd);
	ck_assert(p999_slowdown(&rc, s) >= 3 * p999_slowdown(&rd, s));
	/* The price: long requests' tail is higher under DARC (idling short
	 * cores), as in the paper (up to 4.2x). */
	ck_assert_msg(ld > lc, "LONG p99.9 DARC %.0f us <= c-FCFS %.0f us", ld, lc);
	sim_result_free(&rc);
	sim_result_free(&rd);
}
END_TEST

/* Fig. 4a: static reservations k = 0..13 at 0.9; the best p99.9 slowdown
 * over all requests is at k = 1 (13x vs 75x at k = 0 on the testbed, 4.4x
 * better).  LONG's demand is 0.9 x 14 x 100/101 = 12.5 cores, so k >= 2
 * (12 cores or fewer for LONG) must be reported overloaded, as the paper's
 * client would invalidate those points. */
START_TEST(static_sweep_best_at_one)
{
	struct psp_workload wl;
	load_wl("high-bimodal", &wl);
	double slow[WORKERS];
	bool over[WORKERS];
	uint32_t best = WORKERS;
	for (uint32_t k = 0; k < WORKERS; k++) {
		struct sim_setup s = make_setup(&wl, &psp_darc_ops, 300000);
		test_put(s.conf, "darc_mode", (double)(PSP_DARC_STATIC));
		test_put(s.conf, "reserve", (double)(k));
		struct sim_result r;
		run(&s, 0.9, &r);
		slow[k] = p999_slowdown(&r, wl.ntypes);
		over[k] = r.overloaded;
		printf("static k=%2u: p99.9 slowdown %9.1f%s\n", k, slow[k], over[k] ? " overloaded" : "");
		if (!over[k] && (best == WORKERS || slow[k] < slow[best]))
			best = k;
		sim_result_free(&r);
	}
	ck_assert_msg(best == 1, "best static reservation at k=%u, not 1", best);
	ck_assert(!over[0]);
	for (uint32_t k = 2; k < WORKERS; k++)
		ck_assert_msg(over[k], "k=%u leaves LONG 12.5 cores of demand on %u cores, yet not overloaded",
			      k, WORKERS - k);
	ck_assert_msg(slow[0] >= 3 * slow[1], "k=0 %.1f vs k=1 %.1f: not several times", slow[0],
		      slow[1]);
}
END_TEST

/* Dynamic DARC's reservation, weighted by the time each was in force, is the
 * plan of the nominal means (docs/darc.md): 1 short core on High Bimodal, 2
 * on Extreme Bimodal.
 * Extreme Bimodal's LONG is 0.5% of requests, so a 50,000-completion window
 * holds ~250 of them and the SHORT demand (2.32 cores nominal) crosses the
 * 2.5 rounding threshold when fewer than ~229 are seen (1.3 sigma): DARC
 * does flip to 3 cores at times, as the artifact would.  Hence the majority
 * over time, not the last reservation. */
static void settles_on(const char *name, uint32_t short_cores, uint64_t requests)
{
	struct psp_workload wl;
	load_wl(name, &wl);
	struct sim_setup s = make_setup(&wl, &psp_darc_ops, requests);
	s.timeline = true;
	struct sim_result r;
	run(&s, 0.9, &r);
	struct psp_darc_plan plan;
	char want[256];
	nominal_plan(&wl, 0, &plan, want, sizeof(want));
	ck_assert_uint_eq(plan.group[0].ncores, short_cores);
	const struct sim_reservation *in = r.timeline;
	uint32_t n = r.ntimeline;
	ck_assert_uint_gt(n, 0);
	ck_assert(!r.timeline_truncated);
	uint64_t good_ns = 0, total_ns = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t until = i + 1 < n ? in[i + 1].time_ns : r.sim_ns;
		total_ns += until - in[i].time_ns;
		if (install_matches(&in[i], &plan))
			good_ns += until - in[i].time_ns;
	}
	printf("%s 0.9: %u reservations, \"%s\" in force %.1f%% of the time since the first\n", name,
	       n, want, 100.0 * (double)good_ns / (double)total_ns);
	ck_assert_msg(2 * good_ns > total_ns, "%s: the nominal plan held only %.1f%% of the time",
		      name, 100.0 * (double)good_ns / (double)total_ns);
	sim_result_free(&r);
}

START_TEST(dynamic_settles_high_bimodal)
{
	settles_on("high-bimodal", 1, 500000);
}
END_TEST

START_TEST(dynamic_settles_extreme_bimodal)
{
	settles_on("extreme-bimodal", 2, 2000000);
}
END_TEST

/* Fig. 8: four phases at load 0.8, durations x 0.1 (500 ms each).  In each
 * phase DARC must install, within the first half of the phase, the plan of
 * that phase's nominal means, and every later reservation in the phase must
 * be that plan too (re-reservations on profile noise keep the cores).
 * Phase 1 makes SHORT the slow type, so phase 2 swaps the groups; phase 3's
 * 95/5 mix needs 2 short cores; phase 4 has SHORT alone on all 14 cores.
 * A window of 20,000 completions: phase 3's SHORT demand (2.24 cores) would
 * need LONG's share to fall from 5% to 4.4%, 4 sigma, to round to 3.  The
 * first reservation after a phase change may mix both phases' profiles. */
START_TEST(dynamic_phases_rereserve)
{
	struct psp_workload wl;
	load_wl("dynamic", &wl);
	ck_assert_uint_eq(wl.nphases, 4);
	struct sim_setup s = make_setup(&wl, &psp_darc_ops, 0);
	s.phase_scale = 0.1;
	test_put(s.conf, "darc_samples", (double)(20000));
	s.timeline = true;
	struct sim_result r;
	run(&s, 0.8, &r);
	const struct sim_reservation *in = r.timeline;
	uint32_t n = r.ntimeline;
	ck_assert(!r.timeline_truncated);
	double start_ns = 0;
	for (uint32_t ph = 0; ph < wl.nphases; ph++) {
		double len_ns = wl.phase[ph].duration_ms * 1e6 * s.phase_scale;
		struct psp_darc_plan plan;
		char want[256];
		nominal_plan(&wl, ph, &plan, want, sizeof(want));
		int64_t first_good = -1;
		uint32_t in_phase = 0;
		for (uint32_t i = 0; i < n; i++) {
			double t = (double)in[i].time_ns;
			if (t < start_ns || t >= start_ns + len_ns)
				continue;
			in_phase++;
			bool ok = install_matches(&in[i], &plan);
			if (ok && first_good < 0)
				first_good = (int64_t)in[i].time_ns;
			ck_assert_msg(ok || first_good < 0,
				      "phase %u: reservation at %.1f ms left the nominal plan \"%s\"",
				      ph + 1, t / 1e6, want);
		}
		printf("phase %u [%.0f, %.0f) ms: %u reservations, \"%s\" from %.1f ms\n", ph + 1,
		       start_ns / 1e6, (start_ns + len_ns) / 1e6, in_phase, want,
		       first_good < 0 ? -1.0 : (double)first_good / 1e6);
		ck_assert_msg(first_good >= 0, "phase %u: never reserved \"%s\"", ph + 1, want);
		ck_assert_msg((double)first_good < start_ns + len_ns / 2,
			      "phase %u: \"%s\" only at %.1f ms", ph + 1, want, (double)first_good / 1e6);
		start_ns += len_ns;
	}
	/* The plans differ from phase to phase, so each phase's check above
	 * needs a new reservation: the one in force at the end is phase 4's. */
	struct psp_darc_plan last;
	char want[256];
	nominal_plan(&wl, 3, &last, want, sizeof(want));
	ck_assert_str_eq(r.reservation, want);
	sim_result_free(&r);
}
END_TEST

Suite *psp_paper_suite(void);

Suite *psp_paper_suite(void)
{
	Suite *s = suite_create("paper");
	TCase *tc = tcase_create("paper");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, darc_beats_cfcfs_high_bimodal);
	tcase_add_test(tc, static_sweep_best_at_one);
	tcase_add_test(tc, dynamic_settles_high_bimodal);
	tcase_add_test(tc, dynamic_settles_extreme_bimodal);
	tcase_add_test(tc, dynamic_phases_rereserve);
	suite_add_tcase(s, tc);
	return s;
}
