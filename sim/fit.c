/* psp-sim --fit-system (fit.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "linein.h"
#include "system.h"
#include "trace.h"

enum col { C_WORKER, C_ARRIVAL, C_DISPATCH, C_START, C_COMPLETION, C_PREEMPT, C_STATUS, NCOLS };
static const char *const col_name[NCOLS] = {"worker", "arrival_ns", "dispatch_ns", "start_ns",
					    "completion_ns", "preemptions", "status"};
#define NREQUIRED 5 /* the first five */
#define MAX_FIELDS 256u

struct fit_row {
	uint64_t arrival, dispatch, start, completion;
	uint32_t worker, preemptions;
};

struct samples {
	uint64_t *v;
	size_t n, cap;
};

static int push(struct samples *s, uint64_t v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		void *p = realloc(s->v, cap * sizeof(*s->v));
		if (!p)
			return -ENOMEM;
		s->v = p;
		s->cap = cap;
	}
	s->v[s->n++] = v;
	return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || errno)
		return -EINVAL;
	*out = v;
	return 0;
}

static int by_worker_start(const void *a, const void *b)
{
	const struct fit_row *x = a, *y = b;
	if (x->worker != y->worker)
		return x->worker < y->worker ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

/* Reads path's rows that ran (status answered, or no status column). */
static int read_rows(const char *path, struct fit_row **rows, size_t *nrows, struct psp_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return psp_err_set(err, -errno, path, NULL, "cannot read: %s", strerror(errno));
	struct linein in = {.f = f, .max = SIM_TRACE_MAX_LINE};
	char *field[MAX_FIELDS + 1], where[600];
	int idx[NCOLS];
	long nfields = 0;
	size_t cap = 0, line = 0;
	int rc = 0;
	*rows = NULL;
	*nrows = 0;
	for (;;) {
		ssize_t len = linein_read(&in);
		line++;
		snprintf(where, sizeof(where), "%s:%zu", path, line);
		if (len == LINEIN_EOF)
			break;
		if (len < 0) {
			rc = psp_err_set(err, len == LINEIN_NOMEM ? -ENOMEM : -EINVAL, where, NULL, "%s",
					 len == LINEIN_TOO_LONG ? "line longer than 65536 bytes"
					 : len == LINEIN_NOMEM ? "out of memory" : "read error");
			break;
		}
		char *text = in.buf;
		if (line == 1 && (unsigned char)text[0] == 0xef && (unsigned char)text[1] == 0xbb &&
		    (unsigned char)text[2] == 0xbf)
			text += 3; /* a UTF-8 byte order mark */
		if (text[strspn(text, " \t\r")] == '\0')
			continue;
		size_t tl = strlen(text);
		if (tl && text[tl - 1] == '\r')
			text[tl - 1] = '\0';
		long n = sim_csv_split(text, field, MAX_FIELDS);
		if (n < 0 || n > (long)MAX_FIELDS) {
			rc = psp_err_set(err, -EINVAL, where, NULL, n < 0 ? "a quote left open" :
					 "more than 256 fields");
			break;
		}
		if (nfields == 0) { /* the header */
			nfields = n;
			for (int c = 0; c < NCOLS; c++) {
				idx[c] = -1;
				for (long i = 0; i < n; i++)
					if (!strcmp(field[i], col_name[c]))
						idx[c] = (int)i;
				if (c < NREQUIRED && idx[c] < 0) {
					rc = psp_err_set(err, -EINVAL, where, col_name[c],
							 "missing column (an engine trace, psp-engine "
							 "--trace, has it: docs/trace-format.md)");
					break;
				}
			}
			if (rc)
				break;
			continue;
		}
		if (n != nfields) {
			rc = psp_err_set(err, -EINVAL, where, NULL, "%ld fields, the header has %ld", n,
					 nfields);
			break;
		}
		if (idx[C_STATUS] >= 0 && strcmp(field[idx[C_STATUS]], "answered"))
			continue; /* never ran, or its reply was lost: no completion to read */
		uint64_t v[NCOLS] = {0};
		for (int c = 0; c < NCOLS - 1 && rc == 0; c++)
			if (idx[c] >= 0 && parse_u64(field[idx[c]], &v[c]) < 0)
				rc = psp_err_set(err, -EINVAL, where, col_name[c],
						 "not an unsigned integer: '%.40s'", field[idx[c]]);
		if (rc)
			break;
		if (v[C_START] < v[C_DISPATCH] || v[C_DISPATCH] < v[C_ARRIVAL] ||
		    v[C_COMPLETION] < v[C_START]) {
			rc = psp_err_set(err, -EINVAL, where, NULL,
					 "times out of order: arrival_ns <= dispatch_ns <= start_ns <= "
					 "completion_ns must hold");
			break;
		}
		if (v[C_WORKER] > UINT32_MAX) {
			rc = psp_err_set(err, -EINVAL, where, "worker", "beyond 2^32");
			break;
		}
		if (*nrows == cap) {
			cap = cap ? 2 * cap : 4096;
			void *p = realloc(*rows, cap * sizeof(**rows));
			if (!p) {
				rc = psp_err_set(err, -ENOMEM, where, NULL, "out of memory");
				break;
			}
			*rows = p;
		}
		(*rows)[(*nrows)++] = (struct fit_row){
			.arrival = v[C_ARRIVAL], .dispatch = v[C_DISPATCH], .start = v[C_START],
			.completion = v[C_COMPLETION], .worker = (uint32_t)v[C_WORKER],
			.preemptions = (uint32_t)(v[C_PREEMPT] > UINT32_MAX ? UINT32_MAX : v[C_PREEMPT])};
	}
	if (rc == 0 && nfields == 0)
		rc = psp_err_set(err, -EINVAL, path, NULL, "empty: no header");
	linein_free(&in);
	fclose(f);
	if (rc) {
		free(*rows);
		*rows = NULL;
	}
	return rc;
}

/* The samples of one trace's rows (fit.h). */
static int collect(struct fit_row *rows, size_t n, struct samples *handoff,
		   struct samples *notice, size_t *early)
{
	qsort(rows, n, sizeof(*rows), by_worker_start);
	for (size_t i = 0; i < n; i++) {
		const struct fit_row *r = &rows[i];
		const struct fit_row *prev = i > 0 && rows[i - 1].worker == r->worker ? &rows[i - 1]
										       : NULL;
		if (r->preemptions || (prev && prev->preemptions))
			continue; /* its start or the worker's last completion are of other stints */
		if (prev && r->dispatch < prev->completion)
			(*early)++; /* handed over before the worker's previous one completed */
		if ((!prev || prev->completion <= r->dispatch) && push(handoff, r->start - r->dispatch))
			return -ENOMEM;
		if (prev && r->arrival <= prev->completion && prev->completion <= r->dispatch &&
		    push(notice, r->dispatch - prev->completion))
			return -ENOMEM;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Writes one part: a constant, or the quantile table of the samples. */
static void write_part(FILE *out, const char *key, struct samples *s)
{
	static const double q[] = {0,   0.01, 0.05, 0.1, 0.2,  0.3,  0.4,   0.5, 0.6,
				   0.7, 0.8,  0.9,  0.95, 0.99, 0.999, 1};
	if (s->n < SIM_FIT_MIN_SAMPLES) {
		fprintf(out, "# %s: not fitted: %zu samples, at least %u are needed\n", key, s->n,
			SIM_FIT_MIN_SAMPLES);
		return;
	}
	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
	double cap_ns = SIM_SYSDIST_MAX_US * 1e3;
	fprintf(out, "# %s: %zu samples, median %.3f us\n", key, s->n, (double)s->v[s->n / 2] / 1e3);
	if (s->v[0] == s->v[s->n - 1]) {
		fprintf(out, "%s: {dist: constant, mean_us: %.3f}\n", key,
			(double)(s->v[0] < cap_ns ? s->v[0] : cap_ns) / 1e3);
		return;
	}
	fprintf(out, "%s:\n  dist: empirical\n  quantiles: [", key);
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		/* the order statistic at or below q (the least for 0, the largest for 1) */
		uint64_t v = s->v[(size_t)(q[i] * (double)(s->n - 1))];
		fprintf(out, "%s[%g, %.3f]", i ? ", " : "", q[i],
			(double)((double)v < cap_ns ? (double)v : cap_ns) / 1e3);
	}
	fprintf(out, "]\n");
}

int sim_fit_system(char *const *paths, uint32_t n, const char *name, FILE *out,
		   struct psp_err *err)
{
	struct samples handoff = {0}, notice = {0};
	size_t total = 0, early = 0;
	int rc = 0;
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		struct fit_row *rows;
		size_t nrows;
		rc = read_rows(paths[i], &rows, &nrows, err);
		if (rc == 0 && collect(rows, nrows, &handoff, &notice, &early) < 0)
			rc = psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
		total += nrows;
		free(rows);
	}
	/* A policy that gives a worker its next request before the previous
	 * one completes (k > 1 slots) hides the notice: the gaps measured then
	 * are not the notice's. */
	if (early)
		notice.n = 0;
	if (rc == 0 && handoff.n < SIM_FIT_MIN_SAMPLES && notice.n < SIM_FIT_MIN_SAMPLES)
		rc = psp_err_set(err, -EINVAL, paths[0], NULL,
				 "nothing to fit: %zu hand-off and %zu notice samples in %zu answered "
				 "rows (each part needs %u; docs/system-model.md)", handoff.n, notice.n,
				 total, SIM_FIT_MIN_SAMPLES);
	if (rc == 0) {
		fprintf(out, "# Fitted by psp-sim --fit-system from %u trace%s, %zu answered rows:\n",
			n, n == 1 ? "" : "s", total);
		for (uint32_t i = 0; i < n; i++)
			fprintf(out, "#   %s\n", paths[i]);
		fprintf(out, "# handoff: start - dispatch where the worker was idle; completion_notice:\n"
			     "# dispatch - the worker's previous completion where the request was\n"
			     "# waiting (notice and dispatcher steps together).  The dispatcher's steps,\n"
			     "# preemption, wake-up and network are not in a trace: not fitted.\n");
		fprintf(out, "name: %s\n", name);
		const char *base = strrchr(paths[0], '/') ? strrchr(paths[0], '/') + 1 : paths[0];
		fprintf(out, "description: \"fitted from %u psp-engine trace%s (%zu rows), first ", n,
			n == 1 ? "" : "s", total);
		for (const char *c = base; *c; c++) /* nothing that would end the YAML string */
			fputc(*c == '"' || *c == '\\' || (unsigned char)*c < 0x20 ? '_' : *c, out);
		fprintf(out, "\"\n");
		write_part(out, "handoff", &handoff);
		if (early)
			fprintf(out, "# completion_notice: not fitted: %zu requests were handed to a "
				     "worker before its previous\n# one completed (a policy with k > 1 "
				     "slots hides the notice): fit it from a\n# one-slot policy's "
				     "trace (c-FCFS)\n", early);
		else
			write_part(out, "completion_notice", &notice);
	}
	free(handoff.v);
	free(notice.v);
	return rc;
}
