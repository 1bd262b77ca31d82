/* psp-engine --trace: the records' allocation and the CSV writer (trace.h
 * says how records are kept; docs/trace-format.md is the file format). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine.h"

int eng_trace_open(struct engine *e, const char *path, uint64_t limit, struct psp_err *err)
{
	struct eng_trace *t = &e->trace;
	if (limit == 0 || limit > ENG_TRACE_LIMIT_MAX)
		return psp_err_set(err, -EINVAL, NULL, "--trace-limit",
				   "must be 1..%u records (64 bytes each), got %" PRIu64,
				   ENG_TRACE_LIMIT_MAX, limit);
	struct stat sb;
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return psp_err_set(err, -EISDIR, NULL, "--trace", "%s is a directory, not a file",
				   path);
	t->out = fopen(path, "w");
	if (!t->out)
		return psp_err_set(err, -errno, NULL, "--trace", "cannot write %s: %s", path,
				   strerror(errno));
	/* Touched now (zeroed): a page fault per 64 records on the
	 * dispatcher's path would cost more than the records themselves. */
	t->rec = malloc(limit * sizeof(*t->rec));
	if (t->rec)
		memset(t->rec, 0, limit * sizeof(*t->rec));
	if (!t->rec) {
		fclose(t->out);
		t->out = NULL;
		return psp_err_set(err, -ENOMEM, NULL, "--trace-limit",
				   "cannot allocate %" PRIu64 " records (%" PRIu64 " MB)", limit,
				   limit * sizeof(*t->rec) >> 20);
	}
	t->limit = limit;
	t->path = path;
	return 0;
}

void eng_trace_close(struct engine *e)
{
	struct eng_trace *t = &e->trace;
	if (t->out)
		fclose(t->out);
	free(t->rec);
	*t = (struct eng_trace){0};
}

/* A TSC stamp as ns on the engine's clock, or an empty field when 0. */
static void put_tsc(FILE *f, const struct tsc_clock *clk, uint64_t tsc)
{
	if (tsc)
		fprintf(f, ",%" PRIu64, tsc_now_ns(clk, tsc));
	else
		fputs(",", f);
}

int eng_trace_write(struct engine *e, FILE *report)
{
	struct eng_trace *t = &e->trace;
	if (!t->rec)
		return 0;
	uint64_t accepted = stat_get(&e->st.accepted);
	uint64_t n = accepted < t->limit ? accepted : t->limit;
	FILE *f = t->out;
	static char buf[1 << 20];
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	fputs("id,type,arrival_ns,dispatch_ns,worker,start_ns,service_ns,completion_ns,reply_ns,"
	      "preemptions,status\n", f);
	uint64_t unset = 0;
	for (uint64_t id = 0; id < n; id++) {
		const struct eng_trace_rec *r = &t->rec[id];
		if (r->arrive_tsc == 0) { /* never written: a bug, every request has a fate */
			unset++;
			continue;
		}
		fprintf(f, "%" PRIu64 ",%s,%" PRIu64, id, eng_type_name(e, r->slot),
			tsc_now_ns(&e->clk, r->arrive_tsc));
		if (r->dispatched)
			fprintf(f, ",%" PRIu64, r->dispatch_ns);
		else
			fputs(",", f);
		if (r->start_tsc && r->worker != UINT8_MAX)
			fprintf(f, ",%u", r->worker);
		else
			fputs(",", f);
		put_tsc(f, &e->clk, r->start_tsc);
		/* The service of a request that ran to its end (answered, or
		 * its reply failed); one abandoned at stop ran only part of
		 * it, which a replay must not take for its work. */
		if (r->start_tsc && r->status != PSP_TRACE_DROPPED_AT_STOP)
			fprintf(f, ",%" PRIu64, tsc_cycles_to_ns(&e->clk, r->ran_cycles));
		else
			fputs(",", f);
		put_tsc(f, &e->clk, r->end_tsc);
		put_tsc(f, &e->clk, r->reply_tsc);
		fprintf(f, ",%u,%s\n", r->preemptions, psp_trace_status_name(r->status));
	}
	int rc = ferror(f) ? -EIO : 0;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	t->out = NULL;
	if (rc < 0) {
		fprintf(report, "trace: cannot write %s: %s\n", t->path, strerror(-rc));
	} else {
		double span_s = n ? (double)(tsc_now_ns(&e->clk, t->rec[n - 1].arrive_tsc) -
					    tsc_now_ns(&e->clk, t->rec[0].arrive_tsc)) / 1e9
				  : 0.0;
		fprintf(report, "trace: %" PRIu64 " requests written to %s (every arrival over %.3f s)",
			n - unset, t->path, span_s);
		if (accepted > n)
			fprintf(report, "; %" PRIu64 " later arrivals not recorded (--trace-limit %" PRIu64
					")", accepted - n, t->limit);
		fputs("\n", report);
		if (unset)
			fprintf(report, "trace: BUG: %" PRIu64 " requests without a recorded fate\n",
				unset);
	}
	free(t->rec);
	t->rec = NULL;
	t->limit = 0;
	return rc;
}
