/* psp-client's load loop and report.
 *
 * Open loop: send times follow the workload's arrival process at the given
 * rate, whatever the server does.  Each request keeps its scheduled send time
 * (the arrival process's) and its actual one (when the PMD took it): latency
 * is measured from the scheduled time, so a generator that falls behind adds
 * its delay to the latencies instead of hiding it (coordinated omission),
 * and the lateness (actual - scheduled) is reported beside them.  Nothing
 * scheduled is skipped: a request due while the loop was busy leaves late,
 * and one that could not be sent (no mbuf, a TX ring that stayed full) is
 * counted by type.  A reply is matched to its request through
 * a table indexed by req_id modulo the window (a power of two).  A slot still
 * busy when its index comes round again is counted as timed out; so are the
 * requests unanswered timeout_ms after the last send.
 *
 * Slowdown divides a request's latency by the service time in its reply's
 * run_ns word: psp-engine writes there the time its worker measured (0: the
 * application failed the request); a server that echoes the request's
 * run_ns (Perséphone's) leaves the requested time.  The report says which.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <psp/hist.h>
#include <psp/results.h>
#include <psp/workload.h>

#include "trace.h" /* psp-sim's trace reader (sim/trace.h) */

#include "../common/frame.h"
#include "../common/rx_parse.h"
#include "../common/tsc.h"
#include "client.h"
#include "selfcheck.h"
#include "verdict.h"

#define CLI_MAX_BURST 512u
#define CLI_MAX_RXQ 65u
#define SLOWDOWN_SCALE 1000.0 /* slowdowns are recorded in thousandths */

struct slot {
	uint64_t intended_ns; /* scheduled send, ns since the run started */
	uint64_t send_ns;     /* actual send (handed to the PMD), ns since start */
	uint32_t id;
	uint32_t type;
	uint32_t run_ns;
	bool busy;
	bool measured;
};

struct gen {
	const struct cli_config *cfg;
	const struct cli_run *run;
	const struct psp_workload *wl;
	uint16_t port;
	struct rte_mempool *pool;
	struct tsc_clock clk;
	struct rx_filter filter;
	struct frame_ends ends;
	struct slot *slots;
	uint32_t mask;
	/* results */
	uint64_t sent, tx_failed, alloc_failed, answered, timed_out, unmatched;
	uint64_t pending, measured_sent, measured_answered;
	uint64_t measured_in_window; /* measured replies received while sending */
	uint64_t failed;         /* replies saying the application failed (run_ns 0) */
	uint64_t svc_measured;   /* replies whose run_ns differs from the request's */
	bool sending;            /* in the send loop: replies are in the window */
	uint64_t sent_type[PSP_MAX_TYPES];
	uint64_t not_sent_type[PSP_MAX_TYPES]; /* alloc_failed + tx_failed, by type */
	uint64_t late_type[PSP_MAX_TYPES];     /* sent more than late_us late */
	uint64_t late, scheduled, pauses;
	/* realised gaps between the measured requests' actual sends (Poisson) */
	struct cli_gof gof;
	uint64_t prev_send_ns;
	bool have_prev_send;
	/* measured requests only (after the warm-up), by type: */
	uint64_t m_late_type[PSP_MAX_TYPES], m_not_sent_type[PSP_MAX_TYPES];
	uint64_t rx_verdict[RX_NVERDICTS];
	uint64_t warmup_count;
	uint64_t first_measured_tsc, last_measured_send_tsc, last_answer_tsc;
	uint64_t start_tsc, send_end_tsc;
	/* ntypes + 1 (ALL) each: latency from the scheduled send, slowdown of
	 * it, latency from the actual send, send lateness */
	struct psp_hist *lat, *slow, *lat_actual, *late_h;
};

static void record_reply(struct gen *g, const struct rx_parsed *p, uint64_t now)
{
	struct slot *s = &g->slots[p->req.req_id & g->mask];
	if (!s->busy || s->id != p->req.req_id || s->type != p->req.type) {
		g->unmatched++;
		return;
	}
	s->busy = false;
	g->pending--;
	g->answered++;
	g->last_answer_tsc = now;
	uint32_t svc_ns = p->req.run_ns;
	if (svc_ns == 0) { /* answered, but the application failed it */
		g->failed++;
		return;
	}
	if (svc_ns != s->run_ns)
		g->svc_measured++;
	if (!s->measured)
		return;
	g->measured_answered++;
	if (g->sending)
		g->measured_in_window++;
	uint64_t now_ns = tsc_cycles_to_ns(&g->clk, now - g->start_tsc);
	uint64_t lat = now_ns > s->intended_ns ? now_ns - s->intended_ns : 0;
	uint64_t lat_actual = now_ns > s->send_ns ? now_ns - s->send_ns : 0;
	uint32_t t = psp_workload_type_by_wire(g->wl, s->type);
	uint64_t slow = (uint64_t)((double)lat * SLOWDOWN_SCALE / (double)svc_ns);
	uint32_t all = g->wl->ntypes;
	for (uint32_t k = 0; k < 2; k++) {
		uint32_t i = k ? all : t;
		if (i > all)
			continue;
		psp_hist_record(&g->lat[i], lat);
		psp_hist_record(&g->slow[i], slow);
		psp_hist_record(&g->lat_actual[i], lat_actual);
	}
}

static uint32_t poll_rx(struct gen *g)
{
	uint32_t got = 0;
	for (uint16_t q = 0; q < g->cfg->rx_queues; q++) {
		struct rte_mbuf *pkts[CLI_MAX_BURST];
		uint16_t n = rte_eth_rx_burst(g->port, q, pkts, (uint16_t)g->cfg->burst);
		uint64_t now = rte_rdtsc();
		for (uint16_t i = 0; i < n; i++) {
			struct rx_parsed p;
			enum rx_verdict v = rx_parse(rte_pktmbuf_mtod(pkts[i], const uint8_t *),
						     rte_pktmbuf_data_len(pkts[i]), &g->filter, &p);
			g->rx_verdict[v]++;
			if (v == RX_REQUEST)
				record_reply(g, &p, now);
			rte_pktmbuf_free(pkts[i]);
		}
		got += n;
	}
	return got;
}

/* Which phase a send time (ns since start) falls in. */
static uint32_t phase_at(const struct psp_workload *wl, double t_ns)
{
	double end = 0;
	for (uint32_t ph = 0; ph + 1 < wl->nphases; ph++) {
		end += wl->phase[ph].duration_ms * 1e6;
		if (t_ns < end)
			return ph;
	}
	return wl->nphases - 1;
}

/* Mean service time over the run (phases weighted by their time in it). */
static double mean_service_us(const struct psp_workload *wl, double duration_s)
{
	if (wl->nphases <= 1)
		return wl->phase[0].mean_service_us;
	double t = 0, acc = 0, total = duration_s * 1e3;
	for (uint32_t ph = 0; ph < wl->nphases && t < total; ph++) {
		double d = ph + 1 == wl->nphases ? total - t : fmin(wl->phase[ph].duration_ms, total - t);
		acc += d * wl->phase[ph].mean_service_us;
		t += d;
	}
	return t > 0 ? acc / t : 0;
}

/* ns since the run started of a TSC stamp (0 stays 0: never happened). */
static uint64_t since_start(const struct gen *g, uint64_t tsc)
{
	return tsc > g->start_tsc ? tsc_cycles_to_ns(&g->clk, tsc - g->start_tsc) : 0;
}

/* The client's columns after psp-sim's (docs/engine-reference.md, Reports):
 * latency from the actual send, the send lateness, the late and unsent
 * requests and the generator's verdict on itself. */
#define CLI_CSV_EXTRA \
	"actual_p50_us,actual_p99_us,actual_p999_us,late_p50_us,late_p99_us,late_p999_us," \
	"late_max_us,late,not_sent,generator_limited,gap_fit_p"

static double q_us(const struct psp_hist *h, double q)
{
	return (double)psp_hist_quantile(h, q) / 1e3;
}

/* Prints the report.  not_measured: why the run is no measurement (the
 * summary is printed, then the reason instead of a verdict and a table), or
 * NULL.  Returns whether the generator limited the run (verdict.h). */
static bool report(struct gen *g, FILE *out, double send_s, const char *not_measured)
{
	const struct psp_workload *wl = g->wl;
	const struct cli_run *run = g->run;
	struct cli_counts counts = {
		.sent = g->measured_sent,
		.answered = g->measured_answered,
		.answered_in_window = g->measured_in_window,
		.first_send_ns = since_start(g, g->first_measured_tsc),
		.last_send_ns = since_start(g, g->last_measured_send_tsc),
		.send_end_ns = since_start(g, g->send_end_tsc),
		.last_answer_ns = since_start(g, g->last_answer_tsc),
	};
	struct cli_verdict verdict;
	cli_verdict_compute(&counts, &verdict);
	double achieved = verdict.achieved_rps;
	bool overloaded = verdict.kind == CLI_OVERLOADED;
	double mean_us = run->trace ? run->trace->work_ns / (double)run->trace->n / 1e3
				    : mean_service_us(wl, run->duration_s);
	char load[32] = "";
	if (run->workers)
		snprintf(load, sizeof(load), "%.4f", run->rate_rps * mean_us / 1e6 / run->workers);
	/* CSV output holds only the table, wherever it goes. */
	FILE *sum = run->csv ? stderr : out;
	uint64_t not_sent = g->alloc_failed + g->tx_failed;
	fprintf(sum, "psp-client: workload=%s rate=%.0f duration=%.2fs scheduled=%" PRIu64
		     " sent=%" PRIu64 " answered=%" PRIu64 " failed=%" PRIu64 " timed_out=%" PRIu64
		     " tx_failed=%" PRIu64 " alloc_failed=%" PRIu64 " not_sent=%" PRIu64
		     " unmatched=%" PRIu64 " late=%" PRIu64 "\n",
		wl->name, run->rate_rps, send_s, g->scheduled, g->sent, g->answered, g->failed,
		g->timed_out, g->tx_failed, g->alloc_failed, not_sent, g->unmatched, g->late);
	if (g->pauses)
		fprintf(sum, "psp-client: diagnostic: paused %" PRIu64 " times (%u us after every "
			     "%u sends): the generator was slowed on purpose\n",
			g->pauses, g->cfg->pause_us, g->cfg->pause_every);
	if (not_measured) {
		fprintf(sum, "psp-client: NOT MEASURED: %s\n", not_measured);
		return false;
	}
	fprintf(sum, "psp-client: offered_rps=%.1f achieved_rps=%.1f measured=%" PRIu64
		     " (first %" PRIu64 " discarded; %" PRIu64 " answered after sending ended)%s\n",
		verdict.offered_rps, achieved, g->measured_answered, g->warmup_count,
		g->measured_answered - g->measured_in_window,
		verdict.kind == CLI_OVERLOADED
			? " OVERLOADED (less than 99.9% of the measured requests answered "
			  "before sending ended)"
		: verdict.kind == CLI_NOT_JUDGED
			? " NOT JUDGED (fewer than 1000 measured requests: 0.1% of them is "
			  "less than one)"
			: "");
	const struct psp_hist *late_all = &g->late_h[wl->ntypes], *lat_all = &g->lat[wl->ntypes];
	uint64_t late_p99 = psp_hist_quantile(late_all, 0.99);
	uint64_t lat_p99 = psp_hist_quantile(lat_all, 0.99);
	bool limited = lat_all->count > 0 && cli_generator_limited(late_p99, lat_p99);
	fprintf(sum, "psp-client: latency is from each request's scheduled send; send lateness "
		     "(actual - scheduled) p50=%.2f p99=%.2f p999=%.2f max=%.2f us; latency p99 "
		     "%.2f us from the scheduled send, %.2f us from the actual one\n",
		q_us(late_all, 0.5), q_us(late_all, 0.99), q_us(late_all, 0.999),
		(double)late_all->max / 1e3 * (late_all->count > 0), (double)lat_p99 / 1e3,
		q_us(&g->lat_actual[wl->ntypes], 0.99));
	fprintf(sum, "psp-client: %s: send lateness p99 %.2f us is %s %.0f%% of the latency p99 "
		     "%.2f us%s\n", limited ? "GENERATOR-LIMITED" : "generator kept to the schedule",
		(double)late_p99 / 1e3, limited ? "above" : "within", CLI_GENERATOR_LIMIT * 100,
		(double)lat_p99 / 1e3,
		limited ? ": the tail is the generator's, not only the server's" : "");
	double gof_d = 0, gof_p = NAN;
	if (g->gof.bin) {
		gof_p = cli_gof_result(&g->gof, &gof_d);
		fprintf(sum, "psp-client: inter-arrival check: Kolmogorov-Smirnov D=%.5f p=%.4g over "
			     "%" PRIu64 " gaps between actual sends against the Poisson process's "
			     "exponential gaps at %.0f rps: %s at %g%%\n", gof_d, gof_p, g->gof.n,
			run->rate_rps, gof_p < CLI_GOF_ALPHA ? "REJECTED" : "accepted",
			CLI_GOF_ALPHA * 100);
	} else {
		fprintf(sum, "psp-client: inter-arrival check: none (%s: the send lateness is "
			     "their check)\n", run->trace ? "a trace's arrivals" : "constant arrivals");
	}
	if (g->svc_measured == g->answered - g->failed)
		fprintf(sum, "psp-client: slowdown = latency / the service time the server "
			     "measured (each reply's run_ns word)\n");
	else if (g->svc_measured == 0)
		fprintf(sum, "psp-client: slowdown = latency / the requested service time "
			     "(the server echoed run_ns)\n");
	else
		fprintf(sum, "psp-client: slowdown = latency / the service time in each reply's "
			     "run_ns word: measured by the server for %" PRIu64 " replies, the "
			     "requested one echoed for %" PRIu64 "\n",
			g->svc_measured, g->answered - g->failed - g->svc_measured);
	fprintf(sum, "psp-client: sent per type:");
	for (uint32_t t = 0; t < wl->ntypes; t++)
		fprintf(sum, " %s=%" PRIu64, wl->type_name[t], g->sent_type[t]);
	fprintf(sum, "; not sent:");
	for (uint32_t t = 0; t < wl->ntypes; t++)
		fprintf(sum, " %s=%" PRIu64, wl->type_name[t], g->not_sent_type[t]);
	fprintf(sum, "; late:");
	for (uint32_t t = 0; t < wl->ntypes; t++)
		fprintf(sum, " %s=%" PRIu64, wl->type_name[t], g->late_type[t]);
	fprintf(sum, "\npsp-client: rx:");
	for (int v = 0; v < RX_NVERDICTS; v++)
		if (g->rx_verdict[v])
			fprintf(sum, " %s=%" PRIu64, rx_verdict_name((enum rx_verdict)v),
				g->rx_verdict[v]);
	fprintf(sum, "\n");

	const char *label = run->label ? run->label : "engine";
	if (run->csv)
		fprintf(out, "%s,%s\n", PSP_RESULTS_CSV_HEADER, CLI_CSV_EXTRA);
	else
		fprintf(out, "%-12s %10s %10s %10s %10s %10s %14s %14s\n", "type", "count",
			"mean_us", "p50_us", "p99_us", "p999_us", "p999_slowdown",
			"mean_slowdown");
	for (uint32_t t = 0; t <= wl->ntypes; t++) {
		const struct psp_hist *l = &g->lat[t], *s = &g->slow[t];
		const struct psp_hist *la = &g->lat_actual[t], *lt = &g->late_h[t];
		const char *name = t == wl->ntypes ? "ALL" : wl->type_name[t];
		double mean = psp_hist_mean(l) / 1e3, p50 = q_us(l, 0.5);
		double p99 = q_us(l, 0.99), p999 = q_us(l, 0.999);
		double s999 = (double)psp_hist_quantile(s, 0.999) / SLOWDOWN_SCALE;
		double smean = psp_hist_mean(s) / SLOWDOWN_SCALE;
		uint64_t m_late = 0, m_not_sent = 0;
		for (uint32_t k = 0; k < wl->ntypes; k++)
			if (k == t || t == wl->ntypes) {
				m_late += g->m_late_type[k];
				m_not_sent += g->m_not_sent_type[k];
			}
		/* The percentiles' order-statistic intervals: empty when too
		 * few requests for one. */
		char ci[3][48];
		static const double qs[3] = {0.5, 0.99, 0.999};
		for (int k = 0; k < 3; k++) {
			uint64_t lo, hi;
			if (cli_quantile_ci(l, qs[k], &lo, &hi) == 0)
				snprintf(ci[k], sizeof(ci[k]), "%.3f,%.3f", (double)lo / 1e3,
					 (double)hi / 1e3);
			else
				snprintf(ci[k], sizeof(ci[k]), ",");
		}
		char fit[32] = "";
		if (!isnan(gof_p))
			snprintf(fit, sizeof(fit), "%.4g", gof_p);
		if (run->csv)
			/* psp-sim's columns; preemptions and the reservation are
			 * the server's to report (its stop counters, its timeline);
			 * one run is one replication; the percentiles' intervals
			 * are order-statistic ones over the run's requests (none
			 * for the means); dropped is what timed out; queue growth
			 * is psp-sim's to estimate; overloaded is empty and judged
			 * 0 when the verdict is NOT JUDGED.  Then the client's own
			 * columns. */
			fprintf(out, "%s,%s,%u,%s,%.1f,%.1f,%s,%" PRIu64
				     ",%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%s,,,1,%" PRIu64 ",,%d,,,,,%s,%s,%s,,,,,"
				     ",%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%" PRIu64 ",%" PRIu64 ",%d,%s\n",
				label, wl->name, run->workers, load, run->rate_rps, achieved, name,
				l->count, mean, p50, p99, p999, s999, smean,
				verdict.kind == CLI_NOT_JUDGED ? "" : overloaded ? "1" : "0",
				g->timed_out, verdict.kind != CLI_NOT_JUDGED, ci[0], ci[1], ci[2],
				q_us(la, 0.5), q_us(la, 0.99), q_us(la, 0.999), q_us(lt, 0.5),
				q_us(lt, 0.99), q_us(lt, 0.999), lt->count ? (double)lt->max / 1e3 : 0.0,
				m_late, m_not_sent, limited, fit);
		else
			fprintf(out, "%-12s %10" PRIu64 " %10.2f %10.2f %10.2f %10.2f %14.2f %14.2f\n",
				name, l->count, mean, p50, p99, p999, s999, smean);
	}
	if (!run->csv) {
		fprintf(out, "latency from the actual send, and send lateness (actual - scheduled "
			     "send), measured requests:\n%-12s %13s %13s %14s %11s %11s %12s %11s "
			     "%8s %8s\n", "type", "actual_p50_us", "actual_p99_us", "actual_p999_us",
			"late_p50_us", "late_p99_us", "late_p999_us", "late_max_us", "late",
			"not_sent");
		for (uint32_t t = 0; t <= wl->ntypes; t++) {
			const struct psp_hist *la = &g->lat_actual[t], *lt = &g->late_h[t];
			uint64_t m_late = 0, m_not_sent = 0;
			for (uint32_t k = 0; k < wl->ntypes; k++)
				if (k == t || t == wl->ntypes) {
					m_late += g->m_late_type[k];
					m_not_sent += g->m_not_sent_type[k];
				}
			fprintf(out, "%-12s %13.2f %13.2f %14.2f %11.2f %11.2f %12.2f %11.2f %8" PRIu64
				     " %8" PRIu64 "\n", t == wl->ntypes ? "ALL" : wl->type_name[t],
				q_us(la, 0.5), q_us(la, 0.99), q_us(la, 0.999), q_us(lt, 0.5),
				q_us(lt, 0.99), q_us(lt, 0.999), lt->count ? (double)lt->max / 1e3 : 0.0,
				m_late, m_not_sent);
		}
	}
	return limited;
}

/* Resolves the server's MAC by ARP unless the config gives it. */
static int resolve_server(struct gen *g)
{
	const struct cli_config *cfg = g->cfg;
	if (cfg->has_server_mac) {
		memcpy(g->ends.dst_mac, cfg->server_mac, 6);
		return 0;
	}
	uint64_t hz = g->clk.hz, start = rte_rdtsc(), last = 0;
	while (rte_rdtsc() - start < hz / 1000 * cfg->arp_timeout_ms) {
		if (rte_rdtsc() - last > hz / 5) { /* every 200 ms */
			struct rte_mbuf *m = rte_pktmbuf_alloc(g->pool);
			if (m) {
				uint32_t len = frame_build_arp_request(rte_pktmbuf_mtod(m, uint8_t *),
								       g->ends.src_mac, cfg->ip,
								       cfg->server_ip);
				m->data_len = (uint16_t)len;
				m->pkt_len = len;
				if (rte_eth_tx_burst(g->port, 0, &m, 1) != 1)
					rte_pktmbuf_free(m);
			}
			last = rte_rdtsc();
		}
		for (uint16_t q = 0; q < cfg->rx_queues; q++) {
			struct rte_mbuf *pkts[32];
			uint16_t n = rte_eth_rx_burst(g->port, q, pkts, 32);
			for (uint16_t i = 0; i < n; i++) {
				struct rx_parsed p;
				/* An ARP reply is addressed to our IP: parse with our filter. */
				enum rx_verdict v = rx_parse(rte_pktmbuf_mtod(pkts[i], const uint8_t *),
							     rte_pktmbuf_data_len(pkts[i]),
							     &g->filter, &p);
				rte_pktmbuf_free(pkts[i]);
				if (v == RX_ARP_REPLY && p.arp_spa == cfg->server_ip) {
					memcpy(g->ends.dst_mac, p.arp_sha, 6);
					return 0;
				}
			}
		}
		usleep(1000);
	}
	fprintf(stderr, "psp-client: no ARP reply from the server within %u ms "
			"(arp_timeout_ms); is psp-engine running?\n", cfg->arp_timeout_ms);
	return -1;
}

int cli_generate(const struct cli_config *cfg, const struct cli_run *run,
		 const struct psp_workload *wl, uint16_t port_id)
{
	struct gen gs, *g = &gs;
	memset(g, 0, sizeof(*g));
	g->cfg = cfg;
	g->run = run;
	g->wl = wl;
	g->port = port_id;
	g->pool = rte_mempool_lookup("psp_client_mbufs");
	uint64_t hz = tsc_measure_hz(100, rte_get_tsc_hz());
	tsc_clock_init(&g->clk, hz, rte_rdtsc());
	struct rte_ether_addr mac;
	rte_eth_macaddr_get(port_id, &mac);
	if (cfg->has_mac)
		memcpy(mac.addr_bytes, cfg->mac, 6);
	memcpy(g->filter.mac, mac.addr_bytes, 6);
	g->filter.ip = cfg->ip;
	g->filter.udp_port = cfg->src_port;
	memcpy(g->ends.src_mac, mac.addr_bytes, 6);
	g->ends.src_ip = cfg->ip;
	g->ends.dst_ip = cfg->server_ip;
	g->ends.src_port = cfg->src_port;
	g->ends.dst_port = cfg->server_port;

	int status = 1;
	struct psp_wl_sampler *smp = psp_wl_sampler_create(wl, cfg->seed);
	g->slots = calloc(cfg->window, sizeof(*g->slots));
	g->lat = calloc(wl->ntypes + 1, sizeof(*g->lat));
	g->slow = calloc(wl->ntypes + 1, sizeof(*g->slow));
	g->lat_actual = calloc(wl->ntypes + 1, sizeof(*g->lat_actual));
	g->late_h = calloc(wl->ntypes + 1, sizeof(*g->late_h));
	FILE *out = stdout;
	if (!run->trace && wl->arrival == PSP_ARRIVAL_POISSON && cli_gof_init(&g->gof, run->rate_rps / 1e9) < 0)
		smp = (psp_wl_sampler_destroy(smp), NULL); /* out of memory, said below */
	if (!smp || !g->slots || !g->lat || !g->slow || !g->lat_actual || !g->late_h || !g->pool) {
		fprintf(stderr, "psp-client: out of memory\n");
		goto done;
	}
	g->mask = cfg->window - 1;
	for (uint32_t t = 0; t <= wl->ntypes; t++) {
		psp_hist_reset(&g->lat[t]);
		psp_hist_reset(&g->slow[t]);
		psp_hist_reset(&g->lat_actual[t]);
		psp_hist_reset(&g->late_h[t]);
	}
	if (run->output && !(out = fopen(run->output, "w"))) {
		perror(run->output);
		out = stdout;
		goto done;
	}
	if (resolve_server(g) < 0)
		goto done;

	double rate_per_ns = run->rate_rps / 1e9;
	/* A trace's arrivals, types and services replace the sampler's. */
	const struct sim_trace *tr = run->trace;
	uint64_t row = 0;
	uint64_t expected = tr ? tr->n : (uint64_t)(run->rate_rps * run->duration_s);
	g->warmup_count = (uint64_t)((double)expected * cfg->warmup);
	uint64_t t0 = rte_rdtsc();
	g->start_tsc = t0;
	g->sending = true;
	uint64_t end_ns = tr ? sim_trace_arrival_ns(tr, tr->n - 1, run->trace_scale) + 1
			     : (uint64_t)(run->duration_s * 1e9);
	double next_ns = tr ? (double)sim_trace_arrival_ns(tr, 0, run->trace_scale)
			    : psp_wl_sample_gap_ns(smp, rate_per_ns);
	struct idle_state idle = {0};
	uint64_t seq = 0;
	uint16_t burst = (uint16_t)(cfg->burst < CLI_MAX_BURST ? cfg->burst : CLI_MAX_BURST);

	uint64_t late_ns = (uint64_t)cfg->late_us * 1000u;
	for (;;) {
		uint64_t now = rte_rdtsc();
		uint64_t ns = tsc_cycles_to_ns(&g->clk, now - t0);
		/* Sending ends at the duration once every arrival scheduled
		 * before it has left (late, if the loop fell behind). */
		if (ns >= end_ns && next_ns >= (double)end_ns) {
			g->send_end_tsc = now;
			break;
		}
		struct rte_mbuf *pkts[CLI_MAX_BURST];
		struct slot *slot_of[CLI_MAX_BURST];
		uint16_t n = 0;
		while (next_ns <= (double)ns && next_ns < (double)end_ns && n < burst) {
			uint32_t t;
			uint64_t svc, intended = (uint64_t)next_ns;
			if (tr) {
				t = tr->row[row].type;
				svc = tr->row[row].service_ns;
				row++;
				next_ns = row < tr->n ? (double)sim_trace_arrival_ns(tr, row, run->trace_scale)
						      : (double)end_ns; /* no more */
			} else {
				uint32_t ph = phase_at(wl, next_ns);
				t = psp_wl_sample_type(smp, ph);
				svc = psp_wl_sample_service_ns(smp, ph, t);
				next_ns += psp_wl_sample_gap_ns(smp, rate_per_ns);
			}
			bool measured = g->scheduled++ >= g->warmup_count;
			struct rte_mbuf *m = rte_pktmbuf_alloc(g->pool);
			if (!m) {
				g->alloc_failed++;
				g->not_sent_type[t]++;
				g->m_not_sent_type[t] += measured;
				continue;
			}
			struct slot *s = &g->slots[seq & g->mask];
			if (s->busy) { /* its reply never came while the window turned */
				g->timed_out++;
				g->pending--;
			}
			struct psp_wire_req req = {.req_id = (uint32_t)seq, .type = wl->wire_id[t],
						   .reqsize = PSP_WIRE_REQSIZE,
						   .run_ns = svc > UINT32_MAX ? UINT32_MAX : (uint32_t)svc};
			uint32_t len = frame_build_udp(rte_pktmbuf_mtod(m, uint8_t *), &g->ends, &req);
			m->data_len = (uint16_t)len;
			m->pkt_len = len;
			*s = (struct slot){.intended_ns = intended, .id = req.req_id, .type = req.type,
					   .run_ns = req.run_ns, .busy = true, .measured = measured};
			slot_of[n] = s;
			pkts[n++] = m;
			seq++;
		}
		if (n) {
			/* Each packet's actual send time is the TX call that took it. */
			uint16_t sent = 0;
			for (int r = 0; sent < n && r < 17; r++) {
				uint64_t at = rte_rdtsc();
				uint16_t k = rte_eth_tx_burst(g->port, 0, pkts + sent, (uint16_t)(n - sent));
				for (uint16_t i = sent; i < sent + k; i++)
					slot_of[i]->send_ns = tsc_cycles_to_ns(&g->clk, at - t0);
				sent = (uint16_t)(sent + k);
			}
			/* The PMD owns pkts[0..sent) now; their slots are slot_of[]. */
			for (uint16_t i = 0; i < n; i++) {
				struct slot *s = slot_of[i];
				uint32_t t = psp_workload_type_by_wire(wl, s->type);
				if (i >= sent) { /* never sent: forget the slot, count it */
					s->busy = false;
					g->tx_failed++;
					g->not_sent_type[t]++;
					g->m_not_sent_type[t] += s->measured;
					rte_pktmbuf_free(pkts[i]);
					continue;
				}
				g->sent_type[t]++;
				uint64_t lateness = s->send_ns > s->intended_ns ? s->send_ns - s->intended_ns : 0;
				bool late = lateness > late_ns;
				g->late += late;
				g->late_type[t] += late;
				if (s->measured) {
					g->m_late_type[t] += late;
					psp_hist_record(&g->late_h[t], lateness);
					psp_hist_record(&g->late_h[wl->ntypes], lateness);
					if (g->gof.bin && g->have_prev_send)
						cli_gof_add(&g->gof, (double)(s->send_ns - g->prev_send_ns));
					g->prev_send_ns = s->send_ns;
					g->have_prev_send = true;
					if (!g->first_measured_tsc)
						g->first_measured_tsc = t0 + tsc_ns_to_cycles(&g->clk, s->send_ns);
					g->measured_sent++;
					g->last_measured_send_tsc = t0 + tsc_ns_to_cycles(&g->clk, s->send_ns);
				}
			}
			uint64_t before = g->sent;
			g->sent += sent;
			g->pending += sent;
			if (cfg->pause_every && g->sent / cfg->pause_every != before / cfg->pause_every) {
				g->pauses++;
				rte_delay_us_sleep(cfg->pause_us);
			}
		}
		uint32_t got = poll_rx(g);
		/* Back off only when the next send is not due soon. */
		bool due_soon = next_ns - (double)ns < 2000.0 + cfg->idle.sleep_us * 1000.0;
		idle_note(&idle, &cfg->idle, n != 0 || got != 0 || due_soon);
	}
	g->sending = false; /* replies from here on came after the window */
	double send_s = (double)tsc_cycles_to_ns(&g->clk, g->send_end_tsc - t0) / 1e9;
	/* Wait for the stragglers. */
	uint64_t wait_end = rte_rdtsc() + hz / 1000 * cfg->timeout_ms;
	while (g->pending > 0 && rte_rdtsc() < wait_end) {
		uint32_t got = poll_rx(g);
		idle_note(&idle, &cfg->idle, got != 0);
	}
	uint64_t unanswered = g->pending;
	g->timed_out += g->pending;
	/* Not a measurement: the server stopped answering while requests
	 * waited: its port's link went down (a memif peer that exited), or no
	 * reply came for the last timeout_ms of sending nor after it (hung).
	 * A live server that dropped requests still answers the others, and
	 * one that is draining a backlog answers after sending ended: both
	 * are measurements.  Or it answered some requests with an application
	 * failure. */
	char why[300] = "";
	uint64_t last = g->last_answer_tsc ? g->last_answer_tsc : t0;
	uint64_t silent_ms = tsc_cycles_to_ns(&g->clk, rte_rdtsc() - last) / 1000000;
	bool replied_after = g->last_answer_tsc > g->send_end_tsc;
	bool silent_sending = !replied_after &&
			      tsc_cycles_to_ns(&g->clk, g->send_end_tsc - last) / 1000000 >= cfg->timeout_ms;
	struct rte_eth_link link;
	bool down = rte_eth_link_get_nowait(port_id, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_DOWN;
	if ((unanswered || g->tx_failed) && (down || silent_sending)) {
		snprintf(why, sizeof(why), "the server stopped answering: no reply for the last "
			 "%" PRIu64 " ms, %" PRIu64 " requests unanswered, %" PRIu64 " not sent%s "
			 "(timeout_ms %u)", silent_ms, unanswered, g->tx_failed,
			 down ? ", the port's link is down" : "", cfg->timeout_ms);
	} else if (g->failed) {
		snprintf(why, sizeof(why), "the server answered %" PRIu64 " requests with an "
			 "application failure (reply run_ns 0; its report says why)", g->failed);
	}
	bool limited = report(g, out, send_s, why[0] ? why : NULL);
	/* A generator-limited run is still a measurement (of the client as
	 * much as of the server): said in the report and the CSV, exit 0. */
	(void)limited;
	status = why[0] ? CLI_NOT_MEASURED : 0;
done:
	/* A report that did not reach its file (a full disk, a closed pipe) is
	 * a lost measurement: named, and exit 1 unless already failing. */
	bool lost = fflush(out) != 0 || ferror(out);
	if (out != stdout && fclose(out) != 0)
		lost = true;
	if (lost) {
		fprintf(stderr, "psp-client: %s: write failed: %s: output lost\n",
			out == stdout ? "standard output" : run->output, strerror(errno));
		if (status == 0)
			status = 1;
	}
	free(g->slots);
	free(g->lat);
	free(g->slow);
	free(g->lat_actual);
	free(g->late_h);
	cli_gof_free(&g->gof);
	psp_wl_sampler_destroy(smp);
	return status;
}
