/* The psp trace CSV reader (docs/trace-format.md) and what a replay derives
 * from a trace: its load, its workload, its bounds. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <psp/trace_status.h>

#include "evq.h"
#include "linein.h"
#include "run.h"
#include "trace.h"

enum col { C_ID, C_TYPE, C_ARRIVAL_NS, C_ARRIVAL_US, C_SERVICE_NS, C_SERVICE_US, C_STATUS, NCOLS };
static const char *const col_name[NCOLS] = {
	"id", "type", "arrival_ns", "arrival_us", "service_ns", "service_us", "status",
};

struct reader {
	const char *path;
	FILE *f;
	bool seekable;      /* a regular file: it can be read twice */
	uint64_t line;
	struct psp_err *err;
	const struct psp_workload *wl;
	struct sim_trace *t;
	int pos[NCOLS];     /* field index of each column, or -1 */
	size_t nfields;     /* the header's */
	char **field;       /* nfields + 1 pointers into the line */
	bool collect_ids;   /* ids were not increasing: keep (id, line) pairs */
	struct id_line { uint64_t id, line; } *ids;
	uint64_t nids, cap_ids;
};

static int fail(struct reader *r, const char *col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct reader *r, const char *col, const char *fmt, ...)
{
	char where[160], msg[256];
	if (r->line)
		snprintf(where, sizeof(where), "%.140s:%llu", r->path, (unsigned long long)r->line);
	else
		snprintf(where, sizeof(where), "%.150s", r->path);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return psp_err_set(r->err, -EINVAL, where, col, "%s", msg);
}

/* trace.h */
long sim_csv_split(char *line, char **field, size_t max)
{
	size_t n = 0;
	char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		char *start = p, *out = p;
		if (*p == '"') {
			start = out = ++p;
			for (;; p++) {
				if (*p == '\0')
					return -1;
				if (*p == '"') {
					if (p[1] != '"')
						break;
					p++;
				}
				*out++ = *p;
			}
			p++; /* the closing quote */
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != ',' && *p != '\0')
				return -1;
		} else {
			while (*p != ',' && *p != '\0')
				p++;
			out = p;
			while (out > start && (out[-1] == ' ' || out[-1] == '\t'))
				out--;
		}
		char sep = *p;
		*out = '\0';
		if (n <= max)
			field[n] = start;
		n++;
		if (sep == '\0')
			return (long)(n > max ? max + 1 : n);
		p++;
	}
}

static const char *field_of(const struct reader *r, enum col c)
{
	return r->pos[c] >= 0 ? r->field[r->pos[c]] : NULL;
}

/* An unsigned integer in decimal digits. */
static int parse_ns(struct reader *r, enum col c, uint64_t *out)
{
	const char *s = field_of(r, c);
	if (*s == '-')
		return fail(r, col_name[c], "must not be negative, got '%.40s'", s);
	if (strspn(s, "0123456789") != strlen(s) || !*s)
		return fail(r, col_name[c], "not an unsigned integer (ns): '%.40s'", s);
	errno = 0;
	unsigned long long v = strtoull(s, NULL, 10);
	if (errno == ERANGE)
		return fail(r, col_name[c], "%.40s is beyond 2^64 - 1", s);
	*out = v;
	return 0;
}

/* A decimal number of microseconds, as integer ns (rounded). */
static int parse_us(struct reader *r, enum col c, uint64_t *out)
{
	const char *s = field_of(r, c);
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || strpbrk(s, "xX"))
		return fail(r, col_name[c], "not a decimal number (us): '%.40s'", s);
	if (!isfinite(v))
		return fail(r, col_name[c], "must be finite, got '%.40s'", s);
	if (v < 0 || *s == '-')
		return fail(r, col_name[c], "must not be negative, got '%.40s'", s);
	if (!(v * 1e3 < 18446744073709551616.0))
		return fail(r, col_name[c], "%.40s us is beyond 2^64 - 1 ns", s);
	*out = (uint64_t)(v * 1e3 + 0.5);
	return 0;
}

/* The arrival or service column (ns or us), whichever the header has. */
static int parse_time(struct reader *r, enum col ns, enum col us, uint64_t *out)
{
	return r->pos[ns] >= 0 ? parse_ns(r, ns, out) : parse_us(r, us, out);
}

/* Finds the columns in the header (already split into nfields). */
static int find_columns(struct reader *r, char *const *name, size_t nfields)
{
	for (int c = 0; c < NCOLS; c++)
		r->pos[c] = -1;
	for (size_t i = 0; i < nfields; i++)
		for (int c = 0; c < NCOLS; c++)
			if (!strcmp(name[i], col_name[c])) {
				if (r->pos[c] >= 0)
					return fail(r, col_name[c], "given twice in the header "
						    "(columns %d and %zu)", r->pos[c] + 1, i + 1);
				r->pos[c] = (int)i;
			}
	if (r->pos[C_TYPE] < 0)
		return fail(r, "type", "missing: the header needs type, arrival_ns or arrival_us, "
			    "and service_ns or service_us");
	for (int c = C_ARRIVAL_NS; c <= C_SERVICE_NS; c += 2) {
		const char *what = c == C_ARRIVAL_NS ? "arrival" : "service";
		if (r->pos[c] < 0 && r->pos[c + 1] < 0)
			return fail(r, c == C_ARRIVAL_NS ? "arrival_ns" : "service_ns",
				    "missing: the header needs %s_ns (integer ns) or %s_us "
				    "(decimal us)", what, what);
		if (r->pos[c] >= 0 && r->pos[c + 1] >= 0)
			return fail(r, col_name[c + 1], "and %s both given: keep one %s column",
				    col_name[c], what);
	}
	return 0;
}

/* Whether s is valid UTF-8 without control characters: a type name goes
 * to the terminal, CSV and JSON as it is. */
static bool printable_utf8(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s++, more, min;
		if (c < 0x20 || c == 0x7f)
			return false;
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf)
			more = 1, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			more = 2, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			more = 3, min = 0x10000;
		else
			return false;
		unsigned cp = c & (0x3f >> more);
		for (unsigned i = 0; i < more; i++, s++) {
			if ((*s & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (*s & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    (cp >= 0x80 && cp < 0xa0))
			return false;
	}
	return true;
}

/* The type index of a replayed row's type name. */
static int type_index(struct reader *r, const char *name, uint32_t *out)
{
	struct sim_trace *t = r->t;
	if (!*name)
		return fail(r, "type", "empty type name");
	if (!printable_utf8((const unsigned char *)name))
		return fail(r, "type", "holds a control character or is not valid UTF-8");
	if (strlen(name) >= PSP_WL_NAME_MAX)
		return fail(r, "type", "'%.40s...' is longer than %u characters", name,
			    PSP_WL_NAME_MAX - 1);
	for (uint32_t i = 0; i < t->ntypes; i++)
		if (!strcmp(t->type_name[i], name)) {
			*out = i;
			return 0;
		}
	if (r->wl) {
		char known[256];
		size_t len = 0;
		known[0] = '\0';
		for (uint32_t i = 0; i < t->ntypes && len < sizeof(known); i++)
			len += (size_t)snprintf(known + len, sizeof(known) - len, "%s%s",
						i ? ", " : "", t->type_name[i]);
		return fail(r, "type", "unknown type '%.47s': workload %s has %s", name, r->wl->name,
			    known);
	}
	if (t->ntypes == PSP_MAX_TYPES)
		return fail(r, "type", "'%.47s' would be type %u; a replay takes at most %u types "
			    "(the policy core's limit)", name, PSP_MAX_TYPES + 1, PSP_MAX_TYPES);
	snprintf(t->type_name[t->ntypes], PSP_WL_NAME_MAX, "%s", name);
	*out = t->ntypes++;
	return 0;
}

static int add_id(struct reader *r, uint64_t id)
{
	if (r->nids == r->cap_ids) {
		uint64_t cap = r->cap_ids ? 2 * r->cap_ids : 4096;
		void *p = realloc(r->ids, cap * sizeof(*r->ids));
		if (!p)
			return psp_err_set(r->err, -ENOMEM, r->path, NULL, "out of memory");
		r->ids = p;
		r->cap_ids = cap;
	}
	r->ids[r->nids++] = (struct id_line){id, r->line};
	return 0;
}

static int by_id_line(const void *a, const void *b)
{
	const struct id_line *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static void sift_down(struct id_line *a, uint64_t i, uint64_t n)
{
	for (uint64_t c; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && by_id_line(&a[c], &a[c + 1]) < 0)
			c++;
		if (by_id_line(&a[i], &a[c]) >= 0)
			return;
		struct id_line t = a[i];
		a[i] = a[c];
		a[c] = t;
	}
}

/* In place (glibc's qsort takes a copy of the array: 16 bytes a row more
 * at the peak). */
static void heapsort_ids(struct id_line *a, uint64_t n)
{
	for (uint64_t i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (uint64_t end = n; end-- > 1;) {
		struct id_line t = a[0];
		a[0] = a[end];
		a[end] = t;
		sift_down(a, 0, end);
	}
}

/* Ids that were not increasing: the first line repeating an earlier id. */
static int check_ids(struct reader *r)
{
	heapsort_ids(r->ids, r->nids);
	uint64_t worst = 0, id = 0, first = 0;
	for (uint64_t i = 1; i < r->nids; i++)
		if (r->ids[i].id == r->ids[i - 1].id && (!worst || r->ids[i].line < worst)) {
			worst = r->ids[i].line;
			id = r->ids[i].id;
			first = r->ids[i - 1].line;
		}
	if (!worst)
		return 0;
	r->line = worst;
	return fail(r, "id", "duplicate id %llu (also on line %llu)", (unsigned long long)id,
		    (unsigned long long)first);
}

static int add_row(struct reader *r, const struct sim_trace_row *row, uint64_t *cap)
{
	struct sim_trace *t = r->t;
	if (t->n == SIM_TRACE_MAX_ROWS)
		return fail(r, NULL, "more than %llu rows to replay (the bound of a trace held in "
			    "memory, %zu bytes a row): split the trace",
			    (unsigned long long)SIM_TRACE_MAX_ROWS, sizeof(*row));
	if (t->n == *cap) {
		uint64_t c = *cap ? 2 * *cap : 4096;
		if (c > SIM_TRACE_MAX_ROWS)
			c = SIM_TRACE_MAX_ROWS;
		void *p = realloc(t->row, c * sizeof(*t->row));
		if (!p)
			return psp_err_set(r->err, -ENOMEM, r->path, NULL,
					   "out of memory after %llu rows",
					   (unsigned long long)t->n);
		t->row = p;
		*cap = c;
	}
	t->row[t->n++] = *row;
	return 0;
}

/* -EAGAIN: the ids are not increasing and were not being collected: read
 * again, collecting them. */
static int read_rows(struct reader *r)
{
	struct sim_trace *t = r->t;
	struct linein in = {.f = r->f, .max = SIM_TRACE_MAX_LINE};
	uint64_t cap = 0, rows = 0, prev_arrival = 0, prev_id = 0, first_arrival = 0;
	bool have_header = false, have_first = false;
	int rc = 0;
	r->line = 0;
	while (rc == 0) {
		ssize_t len = linein_read(&in);
		if (len == LINEIN_EOF || len == LINEIN_ERROR)
			break;
		r->line++;
		if (len == LINEIN_NOMEM) {
			rc = psp_err_set(r->err, -ENOMEM, r->path, NULL, "out of memory");
			break;
		}
		if (len == LINEIN_TOO_LONG) {
			rc = fail(r, NULL, "a line longer than %u bytes: not a trace CSV file",
				  SIM_TRACE_MAX_LINE);
			break;
		}
		char *line = in.buf;
		if (r->line == 1 && !strncmp(line, "\xef\xbb\xbf", 3)) { /* a UTF-8 BOM */
			memmove(line, line + 3, (size_t)len - 2);
			len -= 3;
		}
		while (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if ((size_t)len != strlen(line)) {
			rc = fail(r, NULL, "holds a NUL byte: not a text CSV file");
			break;
		}
		if (strspn(line, " \t") == (size_t)len)
			continue; /* blank */
		if (!have_header) {
			/* at most one field more than commas (quoted ones included) */
			size_t count = 1;
			for (const char *p = line; *p; p++)
				count += *p == ',';
			r->field = calloc(count + 1, sizeof(*r->field));
			if (!r->field) {
				rc = psp_err_set(r->err, -ENOMEM, r->path, NULL, "out of memory");
				break;
			}
			long n = sim_csv_split(line, r->field, count);
			if (n < 0) {
				rc = fail(r, NULL, "a quote is left open or followed by text");
				break;
			}
			r->nfields = (size_t)n;
			rc = find_columns(r, r->field, r->nfields);
			have_header = true;
			continue;
		}
		long n = sim_csv_split(line, r->field, r->nfields);
		if (n < 0) {
			rc = fail(r, NULL, "a quote is left open or followed by text");
			break;
		}
		if ((size_t)n != r->nfields) {
			rc = fail(r, NULL, "%s fields, the header has %zu",
				  (size_t)n > r->nfields ? "more" : "fewer", r->nfields);
			break;
		}
		/* id, arrival, status, service, type */
		uint64_t id = rows, arrival, service = 0;
		if (r->pos[C_ID] >= 0 && (rc = parse_ns(r, C_ID, &id)))
			break;
		if ((rc = parse_time(r, C_ARRIVAL_NS, C_ARRIVAL_US, &arrival)))
			break;
		if (rows > 0 && arrival < prev_arrival) {
			rc = fail(r, r->pos[C_ARRIVAL_NS] >= 0 ? "arrival_ns" : "arrival_us",
				  "goes back: %llu ns after %llu ns on the row before (rows must be "
				  "in arrival order)", (unsigned long long)arrival,
				  (unsigned long long)prev_arrival);
			break;
		}
		if (rows == 0)
			t->origin_ns = arrival;
		if (arrival - t->origin_ns > SIM_EVQ_MAX_TIME_NS) {
			rc = fail(r, r->pos[C_ARRIVAL_NS] >= 0 ? "arrival_ns" : "arrival_us",
				  "%llu ns after the first row: the trace spans more than the "
				  "simulator's clock, 2^56 ns (about 2.3 years, sim/evq.h)",
				  (unsigned long long)(arrival - t->origin_ns));
			break;
		}
		prev_arrival = arrival;
		if (rows > 0 && id <= prev_id && !r->collect_ids) {
			rc = -EAGAIN;
			break;
		}
		prev_id = id;
		if (r->collect_ids && (rc = add_id(r, id)))
			break;
		rows++;
		bool answered = true;
		const char *st = field_of(r, C_STATUS);
		if (st) { /* only answered rows must carry a service time */
			enum psp_trace_status k = psp_trace_status_parse(st);
			if (k == PSP_TRACE_NSTATUS) {
				rc = fail(r, "status", "'%.40s' is none of answered, tx_failed, "
					  "dropped_queue_full, dropped_at_stop", st);
				break;
			}
			answered = k == PSP_TRACE_ANSWERED;
		}
		const char *sv = field_of(r, r->pos[C_SERVICE_NS] >= 0 ? C_SERVICE_NS : C_SERVICE_US);
		const char *scol = r->pos[C_SERVICE_NS] >= 0 ? "service_ns" : "service_us";
		if (!*sv && answered) {
			rc = fail(r, scol, "empty: only a row whose status is not answered may lack "
				  "a service time");
			break;
		}
		if (*sv && (rc = parse_time(r, C_SERVICE_NS, C_SERVICE_US, &service)))
			break;
		if (!answered && service == 0) {
			t->skipped++; /* dropped before it ran: not replayed */
			continue;
		}
		if (service < 1 || service > SIM_TRACE_MAX_SERVICE_NS) {
			rc = fail(r, scol, "%llu ns is outside 1 ns .. %.0e ns (%.0e us), the service "
				  "times psp-sim simulates", (unsigned long long)service,
				  (double)SIM_TRACE_MAX_SERVICE_NS, PSP_WL_TIME_US_MAX);
			break;
		}
		uint32_t type;
		if ((rc = type_index(r, field_of(r, C_TYPE), &type)))
			break;
		if (!have_first) {
			first_arrival = arrival;
			have_first = true;
		}
		struct sim_trace_row row = {.id = id, .arrival_ns = arrival - t->origin_ns,
					    .service_ns = service, .type = type};
		if ((rc = add_row(r, &row, &cap)))
			break;
		t->count[type]++;
		t->service_ns[type] += (double)service;
		t->work_ns += (double)service;
		if (service > t->max_service_ns)
			t->max_service_ns = service;
		t->span_ns = arrival - first_arrival;
	}
	linein_free(&in);
	if (rc)
		return rc;
	if (ferror(r->f))
		return psp_err_set(r->err, -EIO, r->path, NULL, "read failed: %s", strerror(errno));
	if (!have_header) {
		r->line = 0;
		return fail(r, NULL, "empty: a trace starts with a header line naming its columns "
			    "(type, arrival_ns or arrival_us, service_ns or service_us)");
	}
	if (rows == 0)
		return fail(r, NULL, "no rows after the header");
	if (t->n == 0)
		return fail(r, NULL, "none of the %llu rows has a service time: nothing to replay",
			    (unsigned long long)rows);
	if (r->collect_ids && (rc = check_ids(r)))
		return rc;
	if (t->n > 1 && t->span_ns == 0)
		return fail(r, NULL, "all %llu replayed rows arrive at the same instant: the trace "
			    "has no offered load", (unsigned long long)t->n);
	return 0;
}

static int read_once(struct reader *r, bool collect_ids)
{
	const char *path = r->path;
	const struct psp_workload *wl = r->wl;
	struct sim_trace *t = r->t;
	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "%s", path);
	if (wl) {
		t->ntypes = wl->ntypes;
		memcpy(t->type_name, wl->type_name, sizeof(t->type_name));
	}
	t->types_from_trace = !wl;
	r->collect_ids = collect_ids;
	r->nids = 0;
	int rc = read_rows(r);
	free(r->field);
	r->field = NULL;
	if (rc)
		sim_trace_free(t);
	return rc;
}

int sim_trace_read(const char *path, const struct psp_workload *wl, struct sim_trace *t,
		   struct psp_err *err)
{
	psp_err_clear(err);
	memset(t, 0, sizeof(*t));
	struct stat st;
	struct reader r = {.path = path, .err = err, .wl = wl, .t = t};
	r.f = fopen(path, "r");
	if (!r.f)
		return psp_err_set(err, -errno, path, NULL, "cannot read: %s", strerror(errno));
	int rc = 0;
	if (fstat(fileno(r.f), &st) == 0 && (uint64_t)st.st_size > SIM_TRACE_MAX_BYTES)
		rc = psp_err_set(err, -EINVAL, path, NULL,
				 "%.3g GB, larger than the %llu GiB a trace may be: split it",
				 (double)st.st_size / 1e9,
				 (unsigned long long)(SIM_TRACE_MAX_BYTES >> 30));
	else if (S_ISDIR(st.st_mode))
		rc = psp_err_set(err, -EISDIR, path, NULL, "is a directory, not a trace");
	/* Ids are collected only once they turn out not to be increasing, by a
	 * second reading; a pipe cannot be read twice: its ids are collected
	 * from the start. */
	r.seekable = rc == 0 && S_ISREG(st.st_mode);
	if (rc == 0) {
		rc = read_once(&r, !r.seekable);
		if (rc == -EAGAIN) {
			rewind(r.f);
			rc = read_once(&r, true);
		}
	}
	free(r.ids);
	fclose(r.f);
	return rc;
}

void sim_trace_free(struct sim_trace *t)
{
	free(t->row);
	t->row = NULL;
	t->n = 0;
}

double sim_trace_load(const struct sim_trace *t, uint32_t workers)
{
	return t->work_ns / ((double)t->span_ns * workers);
}

double sim_trace_scale(const struct sim_trace *t, uint32_t workers, double load)
{
	return sim_trace_load(t, workers) / load;
}

void sim_trace_workload(const struct sim_trace *t, const struct psp_workload *wl,
			struct psp_workload *out)
{
	memset(out, 0, sizeof(*out));
	if (wl) {
		snprintf(out->name, sizeof(out->name), "%s", wl->name);
		snprintf(out->description, sizeof(out->description), "%s", wl->description);
		snprintf(out->path, sizeof(out->path), "%s", wl->path);
		out->arrival = wl->arrival;
		out->slo = wl->slo;
		memcpy(out->wire_id, wl->wire_id, sizeof(out->wire_id));
	} else {
		const char *base = strrchr(t->path, '/');
		snprintf(out->name, sizeof(out->name), "%.*s", (int)sizeof(out->name) - 1,
			 base ? base + 1 : t->path);
		snprintf(out->description, sizeof(out->description),
			 "the types of trace %.200s", t->path);
		snprintf(out->path, sizeof(out->path), "%s", t->path);
		for (uint32_t i = 0; i < t->ntypes; i++)
			out->wire_id[i] = i + 1;
	}
	out->ntypes = t->ntypes;
	memcpy(out->type_name, t->type_name, sizeof(out->type_name));
	out->nphases = 1;
	struct psp_wl_phase *ph = &out->phase[0];
	for (uint32_t i = 0; i < t->ntypes; i++) {
		ph->ratio[i] = (double)t->count[i] / (double)t->n;
		if (wl) {
			/* the distribution of the phase where its mean is longest */
			const struct psp_dist *d = &wl->phase[0].service[i];
			for (uint32_t p = 1; p < wl->nphases; p++)
				if (psp_dist_mean_us(&wl->phase[p].service[i]) > psp_dist_mean_us(d))
					d = &wl->phase[p].service[i];
			ph->service[i] = *d;
		} else {
			ph->service[i] = (struct psp_dist){
				.kind = PSP_DIST_CONSTANT,
				.mean_us = t->service_ns[i] / (double)t->count[i] * 1e-3,
			};
		}
		ph->mean_service_us += ph->ratio[i] * psp_dist_mean_us(&ph->service[i]);
	}
}

int sim_trace_check(const struct sim_setup *setup, const double *load, uint32_t nloads,
		    double *events_out, struct psp_err *err)
{
	const struct sim_trace *t = setup->trace;
	uint64_t warm = (uint64_t)((double)t->n * setup->warmup);
	if (t->n - warm < SIM_MIN_MEASURED)
		return psp_err_set(err, -EINVAL, t->path, NULL,
				   "%llu rows replayed, of which the first %llu (--warmup %g) are not "
				   "measured: at least %u must be (a p99 rests on 100); lower --warmup "
				   "or use a longer trace", (unsigned long long)t->n,
				   (unsigned long long)warm, setup->warmup, SIM_MIN_MEASURED);
	double lo = INFINITY, hi = 0;
	for (uint32_t i = 0; i < nloads; i++) {
		lo = fmin(lo, load[i]);
		hi = fmax(hi, load[i]);
	}
	if (!(lo > 0 && hi < INFINITY))
		return psp_err_set(err, -EINVAL, "--load", NULL, "no positive load to run");
	uint32_t k = psp_policy_conf_workers(setup->conf);
	uint64_t quantum_ns = sim_knob_stored(setup->conf, "quantum_us");
	/* the arrivals' span at the lowest load, then all their work served
	 * one request at a time: no replay can end later */
	double horizon_ns = (double)t->span_ns * sim_trace_scale(t, k, lo) + t->work_ns +
			    (double)t->n * sim_setup_machine_ns(setup);
	if (!(horizon_ns <= (double)SIM_EVQ_MAX_TIME_NS))
		return psp_err_set(err, -EINVAL, "--load", NULL,
				   "at load %g the replay of %s could last about %.3g s, beyond the "
				   "simulator's clock: time is kept in ns below 2^56 (about 2.3 years, "
				   "sim/evq.h); raise the load", lo, t->path, horizon_ns * 1e-9);
	if ((setup->policy->props.flags & PSP_POLICY_MODEL_ONLY) && !(horizon_ns <= 0x1p50))
		return psp_err_set(err, -EINVAL, "--load", NULL,
				   "at load %g the replay of %s could last about %.3g s, and %s (a "
				   "bound) keeps time in doubles, exact below 2^50 ns (13 days); raise "
				   "the load", lo, t->path, horizon_ns * 1e-9, setup->policy->name);
	double events = 2 * (double)t->n;
	if ((setup->policy->props.flags & PSP_POLICY_PREEMPTIVE) && quantum_ns)
		events += (t->work_ns + (double)t->max_service_ns) /
			  (double)quantum_ns;
	if (events_out)
		*events_out = events;
	if (!(events <= SIM_MAX_EVENTS))
		return psp_err_set(err, -EINVAL, "--quantum-us", NULL,
				   "about %.3g events per replay (%llu rows, each preempted every %g "
				   "us of its service); more than %.0e would take hours: raise "
				   "--quantum-us", events, (unsigned long long)t->n,
				   (double)quantum_ns * 1e-3, (double)SIM_MAX_EVENTS);
	return 0;
}
