/* psp-engine --trace: the records' allocation, the writer thread and the CSV
 * rows (trace.h says how records are kept; docs/trace-format.md is the file
 * format). */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "engine.h"

#define TRACE_HEADER                                                                      \
	"id,type,arrival_ns,dispatch_ns,worker,start_ns,service_ns,completion_ns,reply_ns,"  \
	"preemptions,status\n"

/* The memory the system can still give (MemAvailable), in bytes, or
 * UINT64_MAX when it cannot tell. */
static uint64_t mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	if (!f)
		return UINT64_MAX;
	char line[128];
	unsigned long long kb;
	uint64_t avail = UINT64_MAX;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			avail = (uint64_t)kb << 10;
			break;
		}
	fclose(f);
	return avail;
}

/* Whether path can be created or truncated, checked without touching it. */
static int check_writable(const char *path, struct psp_err *err)
{
	struct stat sb;
	if (stat(path, &sb) == 0) {
		if (S_ISDIR(sb.st_mode))
			return psp_err_set(err, -EISDIR, NULL, "--trace", "%s is a directory, not a file",
					   path);
		if (access(path, W_OK) < 0)
			return psp_err_set(err, -errno, NULL, "--trace", "cannot write %s: %s", path,
					   strerror(errno));
		return 0;
	}
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	const char *d = dirname(dir);
	if (access(d, W_OK | X_OK) < 0)
		return psp_err_set(err, -errno, NULL, "--trace", "cannot write %s: %s", path,
				   strerror(errno));
	return 0;
}

int eng_trace_prepare(struct engine *e, const char *path, uint64_t limit, struct psp_err *err)
{
	struct eng_trace *t = &e->trace;
	if (limit == 0 || limit > ENG_TRACE_LIMIT_MAX)
		return psp_err_set(err, -EINVAL, NULL, "--trace-limit",
				   "must be 1..%u records (64 bytes each), got %" PRIu64,
				   ENG_TRACE_LIMIT_MAX, limit);
	int rc = check_writable(path, err);
	if (rc < 0)
		return rc;
	uint64_t bytes = limit * sizeof(*t->rec), avail = mem_available();
	if (bytes > avail)
		return psp_err_set(err, -ENOMEM, NULL, "--trace-limit",
				   "%" PRIu64 " records need %" PRIu64 " MB, the system has %" PRIu64
				   " MB available", limit, bytes >> 20, avail >> 20);
	t->rec = malloc(bytes);
	if (!t->rec)
		return psp_err_set(err, -ENOMEM, NULL, "--trace-limit",
				   "cannot allocate %" PRIu64 " records (%" PRIu64 " MB)", limit,
				   bytes >> 20);
	/* Every page written now, through a volatile pointer: a memset after
	 * malloc may be turned into calloc (fresh pages untouched), and a page
	 * fault per 64 records on the dispatcher mid-run costs more than the
	 * records themselves, or ends in the OOM killer instead of a refusal. */
	volatile char *p = (volatile char *)t->rec;
	long page = sysconf(_SC_PAGESIZE);
	for (uint64_t off = 0; off < bytes; off += (uint64_t)(page > 0 ? page : 4096))
		p[off] = 0;
	memset(t->rec, 0, bytes);
	t->limit = limit;
	t->path = path;
	return 0;
}

/* A TSC stamp as ns on the engine's clock, or an empty field when 0. */
static int put_tsc(char *s, size_t cap, const struct tsc_clock *clk, uint64_t tsc)
{
	return tsc ? snprintf(s, cap, ",%" PRIu64, tsc_now_ns(clk, tsc)) : snprintf(s, cap, ",");
}

/* Record id as one CSV row. */
static void write_row(struct engine *e, uint64_t id, const struct eng_trace_rec *r)
{
	char row[512];
	size_t n = 0, cap = sizeof(row);
	n += (size_t)snprintf(row + n, cap - n, "%" PRIu64 ",%s,%" PRIu64, id,
			      eng_type_name(e, r->slot), tsc_now_ns(&e->clk, r->arrive_tsc));
	n += (size_t)(r->dispatched ? snprintf(row + n, cap - n, ",%" PRIu64, r->dispatch_ns)
				    : snprintf(row + n, cap - n, ","));
	n += (size_t)(r->start_tsc && r->worker != UINT8_MAX
			      ? snprintf(row + n, cap - n, ",%u", r->worker)
			      : snprintf(row + n, cap - n, ","));
	n += (size_t)put_tsc(row + n, cap - n, &e->clk, r->start_tsc);
	/* The service of a request that ran to its end (answered, or its
	 * reply failed); one abandoned at stop ran only part of it, which a
	 * replay must not take for its work. */
	n += (size_t)(r->start_tsc && r->status != PSP_TRACE_DROPPED_AT_STOP
			      ? snprintf(row + n, cap - n, ",%" PRIu64,
					 tsc_cycles_to_ns(&e->clk, r->ran_cycles))
			      : snprintf(row + n, cap - n, ","));
	n += (size_t)put_tsc(row + n, cap - n, &e->clk, r->end_tsc);
	n += (size_t)put_tsc(row + n, cap - n, &e->clk, r->reply_tsc);
	n += (size_t)snprintf(row + n, cap - n, ",%u,%s\n", r->preemptions,
			      psp_trace_status_name(r->status));
	eng_outfile_line(&e->trace.out, row, n < cap ? n : cap - 1);
}

/* Writes the rows that are ready, in id order, up to the first that is not
 * (or, at stop, skipping those: they have no fate), and flushes them. */
static void write_ready(struct engine *e, uint64_t upto, bool at_stop)
{
	struct eng_trace *t = &e->trace;
	for (; t->next < upto; t->next++) {
		const struct eng_trace_rec *r = &t->rec[t->next];
		if (!__atomic_load_n(&r->ready, __ATOMIC_ACQUIRE)) {
			if (!at_stop)
				break;
			t->unset++;
			continue;
		}
		write_row(e, t->next, r);
	}
	eng_outfile_flush(&t->out);
}

static void *writer_thread(void *arg)
{
	struct engine *e = arg;
	struct eng_trace *t = &e->trace;
	while (!atomic_load_explicit(&t->stop, memory_order_acquire)) {
		struct timespec d = {0, (long)ENG_TRACE_FLUSH_MS * 1000000L};
		nanosleep(&d, NULL);
		write_ready(e, t->limit, false);
	}
	return NULL;
}

int eng_trace_start(struct engine *e, struct psp_err *err)
{
	struct eng_trace *t = &e->trace;
	if (!t->rec)
		return 0;
	int rc = eng_outfile_open(&t->out, t->path, 1u << 20);
	if (rc < 0)
		return psp_err_set(err, rc, NULL, "--trace", "cannot write %s: %s", t->path,
				   strerror(-rc));
	eng_outfile_line(&t->out, TRACE_HEADER, sizeof(TRACE_HEADER) - 1);
	eng_outfile_flush(&t->out);
	atomic_init(&t->stop, false);
	rc = rte_ctrl_thread_create(&t->thread, "psp-trace", NULL, writer_thread, e);
	if (rc != 0)
		return psp_err_set(err, -rc, NULL, "--trace", "cannot start its writer thread: %s",
				   strerror(rc));
	t->running = true;
	return 0;
}

static void stop_writer(struct eng_trace *t)
{
	if (!t->running)
		return;
	atomic_store_explicit(&t->stop, true, memory_order_release);
	pthread_join(t->thread, NULL);
	t->running = false;
}

void eng_trace_close(struct engine *e)
{
	struct eng_trace *t = &e->trace;
	stop_writer(t);
	eng_outfile_close(&t->out);
	free(t->rec);
	*t = (struct eng_trace){0};
}

int eng_trace_finish(struct engine *e, FILE *report)
{
	struct eng_trace *t = &e->trace;
	if (!t->rec)
		return 0;
	stop_writer(t);
	uint64_t accepted = stat_get(&e->st.accepted);
	uint64_t n = accepted < t->limit ? accepted : t->limit;
	write_ready(e, n, true);
	int rc = eng_outfile_close(&t->out);
	uint64_t rows = t->out.written - 1; /* the header is a line */
	if (t->out.written == 0)
		rows = 0;
	if (rc < 0) {
		fprintf(report, "trace: cannot write %s: %s: %" PRIu64 " requests written, %" PRIu64
				" lost (the file ends at the last whole row)\n",
			t->path, strerror(-rc), rows, t->out.lost);
	} else {
		double span_s = n ? (double)(tsc_now_ns(&e->clk, t->rec[n - 1].arrive_tsc) -
					    tsc_now_ns(&e->clk, t->rec[0].arrive_tsc)) / 1e9
				  : 0.0;
		fprintf(report, "trace: %" PRIu64 " requests written to %s (every arrival over %.3f s)",
			rows, t->path, span_s);
		if (accepted > n)
			fprintf(report, "; %" PRIu64 " later arrivals not recorded (--trace-limit %" PRIu64
					")", accepted - n, t->limit);
		fputs("\n", report);
	}
	if (t->unset)
		fprintf(report, "trace: BUG: %" PRIu64 " requests without a recorded fate\n", t->unset);
	e->output_lost += t->out.lost;
	free(t->rec);
	t->rec = NULL;
	t->limit = 0;
	return rc;
}
