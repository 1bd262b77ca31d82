/* psp-client's load loop and report.
 *
 * Open loop: send times follow the workload's arrival process at the given
 * rate, whatever the server does; a reply is matched to its request through
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

#include "../common/frame.h"
#include "../common/rx_parse.h"
#include "../common/tsc.h"
#include "client.h"
#include "verdict.h"

#define CLI_MAX_BURST 512u
#define CLI_MAX_RXQ 65u
#define SLOWDOWN_SCALE 1000.0 /* slowdowns are recorded in thousandths */

struct slot {
	uint64_t send_tsc;
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
	uint64_t rx_verdict[RX_NVERDICTS];
	uint64_t warmup_count;
	uint64_t first_measured_tsc, last_measured_send_tsc, last_answer_tsc;
	uint64_t start_tsc, send_end_tsc;
	struct psp_hist *lat, *slow; /* ntypes + 1 (ALL) each */
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
	uint64_t lat = tsc_cycles_to_ns(&g->clk, now - s->send_tsc);
	uint32_t t = psp_workload_type_by_wire(g->wl, s->type);
	uint64_t slow = (uint64_t)((double)lat * SLOWDOWN_SCALE / (double)svc_ns);
	if (t < g->wl->ntypes) {
		psp_hist_record(&g->lat[t], lat);
		psp_hist_record(&g->slow[t], slow);
	}
	psp_hist_record(&g->lat[g->wl->ntypes], lat);
	psp_hist_record(&g->slow[g->wl->ntypes], slow);
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

/* Prints the report.  not_measured: why the run is no measurement (the
 * summary is printed, then the reason instead of a verdict and a table), or
 * NULL. */
static void report(struct gen *g, FILE *out, double send_s, const char *not_measured)
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
	double mean_us = mean_service_us(wl, run->duration_s);
	char load[32] = "";
	if (run->workers)
		snprintf(load, sizeof(load), "%.4f", run->rate_rps * mean_us / 1e6 / run->workers);
	/* CSV output holds only the table, wherever it goes. */
	FILE *sum = run->csv ? stderr : out;
	fprintf(sum, "psp-client: workload=%s rate=%.0f duration=%.2fs sent=%" PRIu64
		     " answered=%" PRIu64 " failed=%" PRIu64 " timed_out=%" PRIu64
		     " tx_failed=%" PRIu64 " alloc_failed=%" PRIu64 " unmatched=%" PRIu64 "\n",
		wl->name, run->rate_rps, send_s, g->sent, g->answered, g->failed, g->timed_out,
		g->tx_failed, g->alloc_failed, g->unmatched);
	if (not_measured) {
		fprintf(sum, "psp-client: NOT MEASURED: %s\n", not_measured);
		return;
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
	fprintf(sum, "\npsp-client: rx:");
	for (int v = 0; v < RX_NVERDICTS; v++)
		if (g->rx_verdict[v])
			fprintf(sum, " %s=%" PRIu64, rx_verdict_name((enum rx_verdict)v),
				g->rx_verdict[v]);
	fprintf(sum, "\n");

	const char *label = run->label ? run->label : "engine";
	if (run->csv)
		fprintf(out, "%s\n", PSP_RESULTS_CSV_HEADER);
	else
		fprintf(out, "%-12s %10s %10s %10s %10s %10s %14s %14s\n", "type", "count",
			"mean_us", "p50_us", "p99_us", "p999_us", "p999_slowdown",
			"mean_slowdown");
	for (uint32_t t = 0; t <= wl->ntypes; t++) {
		const struct psp_hist *l = &g->lat[t], *s = &g->slow[t];
		const char *name = t == wl->ntypes ? "ALL" : wl->type_name[t];
		double mean = psp_hist_mean(l) / 1e3, p50 = (double)psp_hist_quantile(l, 0.5) / 1e3;
		double p99 = (double)psp_hist_quantile(l, 0.99) / 1e3;
		double p999 = (double)psp_hist_quantile(l, 0.999) / 1e3;
		double s999 = (double)psp_hist_quantile(s, 0.999) / SLOWDOWN_SCALE;
		double smean = psp_hist_mean(s) / SLOWDOWN_SCALE;
		if (run->csv)
			/* psp-sim's columns; preemptions and the reservation are
			 * the server's to report (its stop counters, its timeline);
			 * one run is one replication (no interval); dropped is what
			 * timed out; queue growth is psp-sim's to estimate;
			 * overloaded is empty and judged 0 when the verdict
			 * is NOT JUDGED. */
			fprintf(out, "%s,%s,%u,%s,%.1f,%.1f,%s,%" PRIu64
				     ",%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%s,,,1,%" PRIu64 ",,%d,,,,,,,,,,,,,,,\n",
				label, wl->name, run->workers, load, run->rate_rps, achieved, name,
				l->count, mean, p50, p99, p999, s999, smean,
				verdict.kind == CLI_NOT_JUDGED ? "" : overloaded ? "1" : "0",
				g->timed_out, verdict.kind != CLI_NOT_JUDGED);
		else
			fprintf(out, "%-12s %10" PRIu64 " %10.2f %10.2f %10.2f %10.2f %14.2f %14.2f\n",
				name, l->count, mean, p50, p99, p999, s999, smean);
	}
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
	FILE *out = stdout;
	if (!smp || !g->slots || !g->lat || !g->slow || !g->pool) {
		fprintf(stderr, "psp-client: out of memory\n");
		goto done;
	}
	g->mask = cfg->window - 1;
	for (uint32_t t = 0; t <= wl->ntypes; t++) {
		psp_hist_reset(&g->lat[t]);
		psp_hist_reset(&g->slow[t]);
	}
	if (run->output && !(out = fopen(run->output, "w"))) {
		perror(run->output);
		out = stdout;
		goto done;
	}
	if (resolve_server(g) < 0)
		goto done;

	double rate_per_ns = run->rate_rps / 1e9;
	uint64_t expected = (uint64_t)(run->rate_rps * run->duration_s);
	g->warmup_count = (uint64_t)((double)expected * cfg->warmup);
	uint64_t t0 = rte_rdtsc();
	g->start_tsc = t0;
	g->sending = true;
	uint64_t end_ns = (uint64_t)(run->duration_s * 1e9);
	double next_ns = psp_wl_sample_gap_ns(smp, rate_per_ns);
	struct idle_state idle = {0};
	uint64_t seq = 0;
	uint16_t burst = (uint16_t)(cfg->burst < CLI_MAX_BURST ? cfg->burst : CLI_MAX_BURST);

	for (;;) {
		uint64_t now = rte_rdtsc();
		uint64_t ns = tsc_cycles_to_ns(&g->clk, now - t0);
		if (ns >= end_ns) {
			g->send_end_tsc = now;
			break;
		}
		struct rte_mbuf *pkts[CLI_MAX_BURST];
		struct slot *slot_of[CLI_MAX_BURST];
		uint16_t n = 0;
		while (next_ns <= (double)ns && next_ns < (double)end_ns && n < burst) {
			uint32_t ph = phase_at(wl, next_ns);
			uint32_t t = psp_wl_sample_type(smp, ph);
			uint64_t svc = psp_wl_sample_service_ns(smp, ph, t);
			next_ns += psp_wl_sample_gap_ns(smp, rate_per_ns);
			struct rte_mbuf *m = rte_pktmbuf_alloc(g->pool);
			if (!m) {
				g->alloc_failed++;
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
			*s = (struct slot){.send_tsc = now, .id = req.req_id, .type = req.type,
					   .run_ns = req.run_ns, .busy = true,
					   .measured = seq >= g->warmup_count};
			if (s->measured && !g->first_measured_tsc)
				g->first_measured_tsc = now;
			slot_of[n] = s;
			pkts[n++] = m;
			seq++;
		}
		if (n) {
			uint16_t sent = rte_eth_tx_burst(g->port, 0, pkts, n);
			for (int r = 0; sent < n && r < 16; r++)
				sent = (uint16_t)(sent + rte_eth_tx_burst(g->port, 0, pkts + sent,
									  (uint16_t)(n - sent)));
			/* The PMD owns pkts[0..sent) now; their slots are slot_of[]. */
			for (uint16_t i = 0; i < n; i++) {
				struct slot *s = slot_of[i];
				if (i >= sent) { /* never sent: forget the slot, count it */
					s->busy = false;
					g->tx_failed++;
					rte_pktmbuf_free(pkts[i]);
					continue;
				}
				g->sent_type[psp_workload_type_by_wire(wl, s->type)]++;
				if (s->measured) {
					g->measured_sent++;
					g->last_measured_send_tsc = s->send_tsc;
				}
			}
			g->sent += sent;
			g->pending += sent;
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
	report(g, out, send_s, why[0] ? why : NULL);
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
	psp_wl_sampler_destroy(smp);
	return status;
}
