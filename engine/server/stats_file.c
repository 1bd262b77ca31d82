/* psp-engine --stats-ms N: every N ms a control thread (never on an lcore)
 * appends one JSON object per line to output_dir/stats.jsonl: the time since
 * start, every counter of the stop report, DARC's current reservation, per
 * type the counts and the server-side latency percentiles since start and
 * over the last interval, and per worker its figures (the same as telemetry's
 * /psp/stats, /psp/types and /psp/workers, from snapshot.c).  A last line is
 * written at stop.  pandas reads it:
 *   pd.json_normalize([json.loads(l) for l in open("stats.jsonl")])
 */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "engine.h"
#include "snapshot.h"

/* Prints n name/value pairs as JSON members, comma-separated; first: the
 * first pair opens its object (no comma before it). */
static void put_pairs(FILE *f, const struct eng_counter *c, size_t n, bool first)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\"%s\":%" PRIu64, first && i == 0 ? "" : ",", c[i].name, c[i].value);
}

/* A JSON string: type names and plans are printable ASCII (the config
 * loader's rule); quotes and backslashes escaped all the same. */
static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* One line, built in memory and handed whole to the file (outfile.h: a
 * full disk cuts no line in two). */
static void write_line(struct engine *e, struct eng_stats_file *sf)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f) {
		sf->out.lost++;
		return;
	}
	fprintf(f, "{\"time_s\":%.3f", (double)tsc_now_ns(&e->clk, rte_rdtsc()) / 1e9);
	struct eng_counter c[ENG_MAX_COUNTERS];
	put_pairs(f, c, eng_counters(e, c, ENG_MAX_COUNTERS), false);
	if (e->reservations > 0) {
		char plan[sizeof(e->last_plan)];
		eng_plan_snapshot(e, plan, sizeof(plan));
		fputs(",\"darc_reservation\":", f);
		put_string(f, plan);
	}
	fputs(",\"types\":{", f);
	uint32_t nt = eng_snap_types(e, &sf->reader, sf->types);
	for (uint32_t i = 0; i < nt; i++) {
		const struct eng_type_snap *t = &sf->types[i];
		fputs(i ? "," : "", f);
		put_string(f, t->name);
		fputs(":{", f);
		eng_snap_type_pairs(t, c);
		put_pairs(f, c, ENG_SNAP_TYPE_PAIRS, true);
		fputc('}', f);
	}
	fputs("},\"workers\":{", f);
	for (uint32_t i = 0; i < e->cfg.nworkers; i++) {
		struct eng_worker_snap w;
		eng_snap_worker(e, i, &w);
		fprintf(f, "%s\"%u\":{", i ? "," : "", i);
		eng_snap_worker_pairs(&w, c);
		put_pairs(f, c, ENG_SNAP_WORKER_PAIRS, true);
		fputc('}', f);
	}
	fputs("}}\n", f);
	if (fclose(f) == 0)
		eng_outfile_line(&sf->out, text, len);
	else
		sf->out.lost++;
	free(text);
	eng_outfile_flush(&sf->out);
}

static void *stats_thread(void *arg)
{
	struct engine *e = arg;
	struct eng_stats_file *sf = &e->stats_file;
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!atomic_load_explicit(&sf->stop, memory_order_acquire)) {
		uint64_t ns = (uint64_t)next.tv_nsec + (uint64_t)sf->interval_ms * 1000000ull;
		next.tv_sec += (time_t)(ns / 1000000000ull);
		next.tv_nsec = (long)(ns % 1000000000ull);
		/* Sleep in slices of at most 50 ms so a stop is seen quickly. */
		for (;;) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			int64_t left = (int64_t)(next.tv_sec - now.tv_sec) * 1000000000 +
				       (next.tv_nsec - now.tv_nsec);
			if (left <= 0 || atomic_load_explicit(&sf->stop, memory_order_acquire))
				break;
			struct timespec d = {0, left < 50000000 ? (long)left : 50000000};
			nanosleep(&d, NULL);
		}
		if (!atomic_load_explicit(&sf->stop, memory_order_acquire))
			write_line(e, sf);
	}
	return NULL;
}

/* Frees what start took (reader, scratch, file).  Returns the file's
 * close status (0 or -errno: lines were lost). */
static int release(struct eng_stats_file *sf)
{
	int rc = eng_outfile_close(&sf->out);
	eng_snap_reader_fini(&sf->reader);
	free(sf->types);
	sf->types = NULL;
	return rc;
}

int eng_stats_file_start(struct engine *e, uint32_t interval_ms, struct psp_err *err)
{
	struct eng_stats_file *sf = &e->stats_file;
	snprintf(sf->path, sizeof(sf->path), "%s/stats.jsonl", e->cfg.output_dir);
	sf->types = calloc(ENG_TYPE_SLOTS, sizeof(*sf->types));
	if (eng_snap_reader_init(&sf->reader) < 0 || !sf->types) {
		release(sf);
		return psp_err_set(err, -ENOMEM, NULL, "--stats-ms", "out of memory");
	}
	int rc = eng_output_dir_create(e);
	if (rc == 0)
		rc = eng_outfile_open(&sf->out, sf->path, 1u << 16);
	if (rc < 0) {
		release(sf);
		return psp_err_set(err, rc, NULL, "--stats-ms", "cannot write %s: %s", sf->path,
				   strerror(-rc));
	}
	sf->interval_ms = interval_ms;
	atomic_init(&sf->stop, false);
	rc = rte_ctrl_thread_create(&sf->thread, "psp-stats", NULL, stats_thread, e);
	if (rc != 0) {
		release(sf);
		return psp_err_set(err, -rc, NULL, "--stats-ms", "cannot start its thread: %s",
				   strerror(rc));
	}
	sf->running = true;
	return 0;
}

int eng_stats_file_stop(struct engine *e, FILE *report)
{
	struct eng_stats_file *sf = &e->stats_file;
	if (!sf->running)
		return 0;
	atomic_store_explicit(&sf->stop, true, memory_order_release);
	pthread_join(sf->thread, NULL);
	sf->running = false;
	write_line(e, sf); /* the end of the run, whatever the interval */
	int rc = release(sf);
	if (rc < 0 && report) {
		fprintf(report, "stats: cannot write %s: %s: %" PRIu64 " lines written, %" PRIu64
				" lost (the file ends at the last whole line)\n",
			sf->path, strerror(-rc), sf->out.written, sf->out.lost);
		e->output_lost += sf->out.lost;
	}
	return rc;
}
