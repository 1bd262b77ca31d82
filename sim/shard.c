#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linein.h"
#include "shard.h"

#define SHARD_MAGIC "psp-sim shard file 3"
/* The longest line of a shard file (the flags line is the longest). */
#define SHARD_MAX_LINE (sizeof(((struct sim_run_id *)0)->flags) + 64)

#define FNV_BASIS 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint64_t)(unsigned char)s[i]) * FNV_PRIME;
	return h;
}

/* FNV-1a: the hash only tells two files apart (a changed workload), it
 * guards against no adversary. */
static int hash_file(const char *path, uint64_t *h, struct psp_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return psp_err_set(err, -errno, path, NULL, "cannot read: %s", strerror(errno));
	uint64_t x = FNV_BASIS;
	int c;
	while ((c = getc(f)) != EOF)
		x = (x ^ (uint64_t)(unsigned char)c) * FNV_PRIME;
	bool bad = ferror(f);
	fclose(f);
	if (bad)
		return psp_err_set(err, -EIO, path, NULL, "read error");
	*h = x;
	return 0;
}

int sim_run_id_of(struct sim_run_id *id, const struct sim_options *o,
		  const struct psp_workload *wl, struct psp_err *err)
{
	memset(id, 0, sizeof(*id));
	snprintf(id->version, sizeof(id->version), "%s", PSP_VERSION);
	snprintf(id->workload_name, sizeof(id->workload_name), "%s", wl->name);
	if (strlen(o->workload) >= sizeof(id->workload) || strchr(o->workload, '\n'))
		return psp_err_set(err, -EINVAL, "--workload", NULL,
				   "a sharded run's workload argument must be one line of at most %zu "
				   "characters", sizeof(id->workload) - 1);
	snprintf(id->workload, sizeof(id->workload), "%s", o->workload);
	int rc = hash_file(wl->path, &id->workload_hash, err);
	return rc ? rc : sim_options_run_flags(o, id->flags, sizeof(id->flags), err);
}

bool sim_shard_by_policy(const struct sim_options *o, const struct psp_workload *wl)
{
	return sim_capacity_slo(o, wl) > 0;
}

uint32_t sim_shard_unit(const struct sim_options *o, bool by_policy, uint32_t p, uint32_t l,
			uint32_t r)
{
	return by_policy ? p : (p * o->nloads + l) * o->replications + r;
}

uint32_t sim_shard_units(const struct sim_options *o, bool by_policy)
{
	return by_policy ? o->npolicies : o->npolicies * o->nloads * o->replications;
}

/* Doubles travel as their bit patterns: exact, NaN's sign included. */
static uint64_t bits(double v)
{
	uint64_t u;
	memcpy(&u, &v, sizeof(u));
	return u;
}

static double from_bits(uint64_t u)
{
	double v;
	memcpy(&v, &u, sizeof(v));
	return v;
}

/* The writer: every byte written goes into the running checksum, which a
 * "check" line closes after the header and after each record. */
struct writer {
	FILE *f;
	uint64_t h;
	bool too_long;
};

static void put(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct writer *w, const char *fmt, ...)
{
	char buf[SHARD_MAX_LINE];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		w->too_long = true;
		return;
	}
	w->h = fnv(w->h, buf, (size_t)n);
	fwrite(buf, 1, (size_t)n, w->f);
}

static void put_check(struct writer *w)
{
	fprintf(w->f, "check %016" PRIx64 "\n", w->h);
	w->h = FNV_BASIS;
}

/* Free text on one line: backslash, newline and carriage return escaped as
 * \\, \n, \r (unescape() reads them back). */
static void escape(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	for (; *s && n + 3 < cap; s++) {
		if (*s == '\\' || *s == '\n' || *s == '\r') {
			out[n++] = '\\';
			out[n++] = *s == '\n' ? 'n' : *s == '\r' ? 'r' : '\\';
		} else {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
}

/* -1 for a lone backslash or an unknown escape, or text beyond cap. */
static int unescape(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	for (; *s; s++) {
		char c = *s;
		if (c == '\\') {
			c = *++s;
			if (c == 'n')
				c = '\n';
			else if (c == 'r')
				c = '\r';
			else if (c != '\\')
				return -1;
		}
		if (n + 1 >= cap)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return 0;
}

static void write_rep(struct writer *w, const struct sim_shard_rep *x)
{
	const struct sim_rep_stats *s = &x->s;
	put(w, "rep %u %u %u %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %d %u %u %u %u"
	       " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
	       " %016" PRIx64 " %d\n",
	    x->p, x->l, x->r, bits(s->load), bits(s->offered_rps), bits(s->achieved_rps),
	    s->overloaded, s->growing_types, s->judged_types, s->reservations, s->ntypes,
	    s->dropped, s->preemptions, s->steals, s->measured, s->measured_from,
	    s->profiled_arrivals, bits(s->warmup_fraction), s->warmup_settled);
	for (uint32_t t = 0; t <= s->ntypes; t++) {
		put(w, "type %u %" PRIu64, t, s->count[t]);
		for (int k = 0; k < SIM_NSTATS; k++)
			put(w, " %016" PRIx64, bits(s->stat[t][k]));
		put(w, "\n");
	}
	char esc[2 * sizeof(s->reservation)];
	escape(s->reservation, esc, sizeof(esc));
	put(w, "reservation %s\n", esc);
	put_check(w);
}

static void write_cap(struct writer *w, const struct sim_shard_cap *x)
{
	const struct sim_capacity *c = &x->c;
	put(w, "capacity %u %d %u", x->p, c->found, c->evaluated);
	const double v[] = {c->slo, c->load, c->lo, c->hi, c->rps, c->p999_slow.value,
			    c->p999_slow.lo, c->p999_slow.hi, c->unjudged_pass};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		put(w, " %016" PRIx64, bits(v[i]));
	put(w, "\n");
	put_check(w);
}

static void write_all(FILE *f, const struct sim_shard *sh, bool *too_long)
{
	struct writer w = {.f = f, .h = FNV_BASIS};
	char name[2 * sizeof(sh->id.workload_name)];
	escape(sh->id.workload_name, name, sizeof(name));
	/* a line a put: each fits SHARD_MAX_LINE */
	put(&w, "%s\nversion %s\n", SHARD_MAGIC, sh->id.version);
	put(&w, "workload-name %s\nworkload-hash %016" PRIx64 "\n", name, sh->id.workload_hash);
	put(&w, "workload %s\n", sh->id.workload);
	put(&w, "flags %s\n", sh->id.flags);
	put(&w, "shard %u/%u\nunits %u %s\n", sh->shard, sh->nshards, sh->nunits,
	    sh->by_policy ? "policies" : "replications");
	put_check(&w);
	for (uint32_t i = 0; i < sh->nrep; i++)
		write_rep(&w, &sh->rep[i]);
	for (uint32_t i = 0; i < sh->ncap; i++)
		write_cap(&w, &sh->cap[i]);
	put(&w, "end %u %u\n", sh->nrep, sh->ncap);
	put_check(&w);
	*too_long = w.too_long;
}

int sim_shard_write(const char *path, const struct sim_shard *sh, struct psp_err *err)
{
	bool too_long = false;
	if (!path) {
		write_all(stdout, sh, &too_long);
		if (too_long)
			return psp_err_set(err, -EINVAL, "stdout", NULL, "a shard line is too long");
		return fflush(stdout) == 0 && !ferror(stdout) ? 0
		       : psp_err_set(err, -EIO, "stdout", NULL, "write failed: %s",
				     strerror(errno ? errno : EIO));
	}
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return psp_err_set(err, -ENAMETOOLONG, path, NULL, "path too long");
	FILE *f = fopen(tmp, "w");
	if (!f)
		return psp_err_set(err, -errno, tmp, NULL, "cannot write: %s", strerror(errno));
	write_all(f, sh, &too_long);
	bool bad = ferror(f) || too_long;
	errno = 0;
	if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
		int e = too_long ? EINVAL : errno ? errno : EIO;
		unlink(tmp);
		return psp_err_set(err, -e, path, NULL, "write failed: %s",
				   too_long ? "a shard line is too long" : strerror(e));
	}
	return 0;
}

void sim_shard_free(struct sim_shard *sh)
{
	free(sh->rep);
	free(sh->cap);
	sh->rep = NULL;
	sh->cap = NULL;
}

/* The reader's state: the file, its line, the line number, the running
 * checksum of the lines since the last check line. */
struct reader {
	const char *path;
	struct linein in;
	char *line;
	unsigned lineno;
	bool truncated; /* the last line read has no newline */
	uint64_t h;
	struct psp_err *err;
};

static int malformed(struct reader *rd, const char *what)
{
	char where[160];
	snprintf(where, sizeof(where), "%.140s:%u", rd->path, rd->lineno);
	if (rd->truncated)
		return psp_err_set(rd->err, -EINVAL, where, NULL,
				   "truncated shard file: the job that wrote it did not finish");
	return psp_err_set(rd->err, -EINVAL, where, NULL, "not a psp-sim shard file: %s", what);
}

/* The next line without its newline, or NULL at the end of the file or an
 * error (rd->err set: check rd->err->code). */
static char *next_line(struct reader *rd)
{
	ssize_t n = linein_read(&rd->in);
	if (n == LINEIN_EOF)
		return NULL;
	rd->lineno++;
	if (n < 0) {
		char where[160];
		snprintf(where, sizeof(where), "%.140s:%u", rd->path, rd->lineno);
		psp_err_set(rd->err, n == LINEIN_NOMEM ? -ENOMEM : n == LINEIN_ERROR ? -EIO : -EINVAL,
			    where, NULL, "%s", n == LINEIN_NOMEM ? "out of memory"
			    : n == LINEIN_ERROR ? "read error"
			    : "a line longer than any of a psp-sim shard file: not a shard file");
		return NULL;
	}
	rd->truncated = !rd->in.newline;
	if (strlen(rd->in.buf) != (size_t)n) {
		malformed(rd, "a NUL byte");
		return NULL;
	}
	rd->h = fnv(rd->h, rd->in.buf, (size_t)n);
	if (rd->in.newline)
		rd->h = fnv(rd->h, "\n", 1);
	rd->line = rd->in.buf;
	return rd->line;
}

/* The check line that closes a record (or the header): its checksum must be
 * that of the lines since the previous one. */
static int expect_check(struct reader *rd, const char *what)
{
	uint64_t want = rd->h, got;
	char tail;
	char *s = next_line(rd);
	if (!s)
		return rd->err->code ? rd->err->code : malformed(rd, "no check line");
	if (sscanf(s, "check %16" SCNx64 "%c", &got, &tail) != 1 || strlen(s) != 22)
		return malformed(rd, "expected a check line");
	rd->h = FNV_BASIS;
	if (got == want)
		return 0;
	char where[160];
	snprintf(where, sizeof(where), "%.140s:%u", rd->path, rd->lineno);
	return psp_err_set(rd->err, -EINVAL, where, NULL,
			   "the checksum of the %s above does not match: the file was changed "
			   "or damaged after psp-sim wrote it", what);
}

/* The value of a header line "KEY value" into buf. */
static int header(struct reader *rd, const char *key, char *buf, size_t cap)
{
	char *s = next_line(rd);
	size_t k = strlen(key);
	if (!s && rd->err->code)
		return rd->err->code;
	if (!s || strncmp(s, key, k) || s[k] != ' ') {
		char what[96];
		snprintf(what, sizeof(what), "expected the '%s' line", key);
		return malformed(rd, what);
	}
	if (strlen(s + k + 1) >= cap)
		return malformed(rd, "header line too long");
	memcpy(buf, s + k + 1, strlen(s + k + 1) + 1);
	return 0;
}

static int read_header(struct reader *rd, struct sim_shard *sh)
{
	char buf[64], kind[32], name[2 * sizeof(sh->id.workload_name)];
	char *s = next_line(rd);
	if (!s && rd->err->code)
		return rd->err->code;
	if (s && !strncmp(s, "psp-sim shard file ", 19) && strcmp(s, SHARD_MAGIC))
		return malformed(rd, "written by another version of psp-sim (its format is '" SHARD_MAGIC
				 "'): run the shard again");
	if (!s || strcmp(s, SHARD_MAGIC))
		return malformed(rd, "the first line is not '" SHARD_MAGIC "'");
	struct sim_run_id *id = &sh->id;
	int rc = header(rd, "version", id->version, sizeof(id->version));
	rc = rc ? rc : header(rd, "workload-name", name, sizeof(name));
	if (rc == 0 && unescape(name, id->workload_name, sizeof(id->workload_name)) < 0)
		return malformed(rd, "bad workload-name");
	rc = rc ? rc : header(rd, "workload-hash", buf, sizeof(buf));
	if (rc == 0 && sscanf(buf, "%" SCNx64, &id->workload_hash) != 1)
		return malformed(rd, "bad workload-hash");
	rc = rc ? rc : header(rd, "workload", id->workload, sizeof(id->workload));
	rc = rc ? rc : header(rd, "flags", id->flags, sizeof(id->flags));
	rc = rc ? rc : header(rd, "shard", buf, sizeof(buf));
	if (rc == 0 && (sscanf(buf, "%u/%u", &sh->shard, &sh->nshards) != 2 || sh->shard < 1 ||
			sh->shard > sh->nshards || sh->nshards > SIM_MAX_SHARDS))
		return malformed(rd, "bad shard line (I/N with 1 <= I <= N <= 100000)");
	rc = rc ? rc : header(rd, "units", buf, sizeof(buf));
	if (rc == 0 && (sscanf(buf, "%u %31s", &sh->nunits, kind) != 2 ||
			(strcmp(kind, "policies") && strcmp(kind, "replications"))))
		return malformed(rd, "bad units line");
	sh->by_policy = rc == 0 && !strcmp(kind, "policies");
	return rc ? rc : expect_check(rd, "header");
}

static int read_rep(struct reader *rd, const char *s, struct sim_shard_rep *x)
{
	struct sim_rep_stats *st = &x->s;
	uint64_t b[4];
	int overloaded, settled;
	memset(x, 0, sizeof(*x));
	if (sscanf(s, "rep %u %u %u %" SCNx64 " %" SCNx64 " %" SCNx64 " %d %u %u %u %u %" SCNu64
		      " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNx64 " %d",
		   &x->p, &x->l, &x->r, &b[0], &b[1], &b[2], &overloaded, &st->growing_types,
		   &st->judged_types, &st->reservations, &st->ntypes, &st->dropped,
		   &st->preemptions, &st->steals, &st->measured, &st->measured_from,
		   &st->profiled_arrivals, &b[3], &settled) != 19 || st->ntypes > PSP_MAX_TYPES ||
	    (overloaded != 0 && overloaded != 1) || (settled != 0 && settled != 1))
		return malformed(rd, "bad rep line");
	st->load = from_bits(b[0]);
	st->offered_rps = from_bits(b[1]);
	st->achieved_rps = from_bits(b[2]);
	st->overloaded = overloaded;
	st->warmup_fraction = from_bits(b[3]);
	st->warmup_settled = settled;
	for (uint32_t t = 0; t <= st->ntypes; t++) {
		uint32_t tt;
		uint64_t v[SIM_NSTATS];
		char *l = next_line(rd);
		if (!l && rd->err->code)
			return rd->err->code;
		if (!l || sscanf(l, "type %u %" SCNu64 " %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64
				    " %" SCNx64 " %" SCNx64 " %" SCNx64,
				 &tt, &st->count[t], &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
				 &v[6]) != 2 + SIM_NSTATS || tt != t)
			return malformed(rd, "bad type line");
		for (int k = 0; k < SIM_NSTATS; k++)
			st->stat[t][k] = from_bits(v[k]);
	}
	char *l = next_line(rd);
	if (!l && rd->err->code)
		return rd->err->code;
	if (!l || strncmp(l, "reservation ", 12) ||
	    unescape(l + 12, st->reservation, sizeof(st->reservation)) < 0)
		return malformed(rd, "bad reservation line");
	return expect_check(rd, "record");
}

static int read_cap(struct reader *rd, const char *s, struct sim_shard_cap *x)
{
	struct sim_capacity *c = &x->c;
	uint64_t v[9];
	int found;
	memset(x, 0, sizeof(*x));
	if (sscanf(s, "capacity %u %d %u %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64
		      " %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64,
		   &x->p, &found, &c->evaluated, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
		   &v[7], &v[8]) != 12 || (found != 0 && found != 1))
		return malformed(rd, "bad capacity line");
	c->found = found;
	c->slo = from_bits(v[0]);
	c->load = from_bits(v[1]);
	c->lo = from_bits(v[2]);
	c->hi = from_bits(v[3]);
	c->rps = from_bits(v[4]);
	c->p999_slow = (struct sim_est){from_bits(v[5]), from_bits(v[6]), from_bits(v[7]), true};
	c->unjudged_pass = from_bits(v[8]);
	return expect_check(rd, "record");
}

/* Appends one record slot to *arr (grown by doubling). */
static void *grow(void *arr, uint32_t n, uint32_t *cap, size_t size)
{
	if (n < *cap)
		return arr;
	uint32_t c = *cap ? *cap * 2 : 64;
	void *a = realloc(arr, (size_t)c * size);
	if (a)
		*cap = c;
	return a;
}

static int read_body(struct reader *rd, struct sim_shard *sh)
{
	uint32_t cap_rep = 0, cap_cap = 0;
	for (char *s; (s = next_line(rd));) {
		if (!strncmp(s, "rep ", 4)) {
			struct sim_shard_rep *a = grow(sh->rep, sh->nrep, &cap_rep, sizeof(*a));
			if (!a)
				return psp_err_set(rd->err, -ENOMEM, rd->path, NULL, "out of memory");
			sh->rep = a;
			int rc = read_rep(rd, s, &sh->rep[sh->nrep]);
			if (rc)
				return rc;
			sh->nrep++;
		} else if (!strncmp(s, "capacity ", 9)) {
			struct sim_shard_cap *a = grow(sh->cap, sh->ncap, &cap_cap, sizeof(*a));
			if (!a)
				return psp_err_set(rd->err, -ENOMEM, rd->path, NULL, "out of memory");
			sh->cap = a;
			int rc = read_cap(rd, s, &sh->cap[sh->ncap]);
			if (rc)
				return rc;
			sh->ncap++;
		} else {
			uint32_t nrep, ncap;
			if (sscanf(s, "end %u %u", &nrep, &ncap) != 2)
				return malformed(rd, "unknown line");
			if (nrep != sh->nrep || ncap != sh->ncap)
				return malformed(rd, "the end line's counts do not match the records");
			int rc = expect_check(rd, "end line");
			if (rc == 0 && next_line(rd))
				return malformed(rd, "text after the end line");
			return rc ? rc : rd->err->code;
		}
	}
	if (rd->err->code)
		return rd->err->code;
	char where[160];
	snprintf(where, sizeof(where), "%s:%u", rd->path, rd->lineno);
	return psp_err_set(rd->err, -EINVAL, where, NULL,
			   "truncated shard file (no end line): the job that wrote it did not finish");
}

int sim_shard_read(const char *path, struct sim_shard *sh, struct psp_err *err)
{
	memset(sh, 0, sizeof(*sh));
	psp_err_clear(err);
	struct reader rd = {.path = path, .err = err, .h = FNV_BASIS};
	rd.in = (struct linein){.f = fopen(path, "r"), .max = SHARD_MAX_LINE};
	if (!rd.in.f)
		return psp_err_set(err, -errno, path, NULL, "cannot read: %s", strerror(errno));
	int rc = read_header(&rd, sh);
	rc = rc ? rc : read_body(&rd, sh);
	linein_free(&rd.in);
	fclose(rd.in.f);
	if (rc)
		sim_shard_free(sh);
	return rc;
}

/* Splits a normalised flag list (sim_options_run_flags: "--flag value" or
 * a lone "--flag", in a fixed order) into its flags and their values. */
struct flag_pair {
	const char *flag, *value;
	int flen, vlen;
};

static int flag_pairs(const char *s, struct flag_pair *fp, int max)
{
	int n = 0;
	while (*s && n < max) {
		struct flag_pair *x = &fp[n++];
		x->flag = s;
		x->flen = (int)strcspn(s, " ");
		s += x->flen + (s[x->flen] == ' ');
		x->value = s;
		x->vlen = strncmp(s, "--", 2) ? (int)strcspn(s, " ") : 0;
		s += x->vlen + (x->vlen && s[x->vlen] == ' ');
	}
	return n;
}

/* The first flag whose value differs, "--requests: 20000 vs 40000", into buf. */
static void flag_diff(const char *a, const char *b, char *buf, size_t cap)
{
	struct flag_pair x[128], y[128];
	int nx = flag_pairs(a, x, 128), ny = flag_pairs(b, y, 128);
	for (int i = 0; i < nx || i < ny; i++) {
		if (i >= nx || i >= ny || x[i].flen != y[i].flen ||
		    strncmp(x[i].flag, y[i].flag, (size_t)x[i].flen)) {
			snprintf(buf, cap, "%.*s in one, %.*s in the other",
				 i < nx ? x[i].flen : 6, i < nx ? x[i].flag : "no more",
				 i < ny ? y[i].flen : 6, i < ny ? y[i].flag : "no more");
			return;
		}
		if (x[i].vlen != y[i].vlen || strncmp(x[i].value, y[i].value, (size_t)x[i].vlen)) {
			snprintf(buf, cap, "%.*s %.*s vs %.*s", x[i].flen, x[i].flag,
				 x[i].vlen > 50 ? 50 : x[i].vlen, x[i].value,
				 y[i].vlen > 50 ? 50 : y[i].vlen, y[i].value);
			return;
		}
	}
	snprintf(buf, cap, "(in spelling only)");
}

int sim_shard_same_run(const struct sim_shard *a, const char *a_path,
		       const struct sim_shard *b, const char *b_path, struct psp_err *err)
{
	const struct sim_run_id *x = &a->id, *y = &b->id;
	char what[200];
	if (strcmp(x->version, y->version))
		snprintf(what, sizeof(what), "psp-sim versions differ: %s vs %s", x->version,
			 y->version);
	else if (strcmp(x->workload_name, y->workload_name))
		snprintf(what, sizeof(what), "workloads differ: %s vs %s", x->workload_name,
			 y->workload_name);
	else if (x->workload_hash != y->workload_hash)
		snprintf(what, sizeof(what), "workload %s's file contents differ (hash %016" PRIx64
			 " vs %016" PRIx64 ")", x->workload_name, x->workload_hash, y->workload_hash);
	else if (strcmp(x->flags, y->flags)) {
		char d[160];
		flag_diff(x->flags, y->flags, d, sizeof(d));
		snprintf(what, sizeof(what), "flags differ: %s", d);
	} else if (a->nshards != b->nshards)
		snprintf(what, sizeof(what), "sliced differently: %u/%u vs %u/%u", a->shard,
			 a->nshards, b->shard, b->nshards);
	else
		return 0;
	return psp_err_set(err, -EINVAL, NULL, NULL, "%.60s and %.60s are shards of different runs: %s",
			   a_path, b_path, what);
}

int sim_shard_check_set(const struct sim_shard *sh, char *const *path, uint32_t n,
			struct psp_err *err)
{
	for (uint32_t i = 1; i < n; i++) {
		int rc = sim_shard_same_run(&sh[0], path[0], &sh[i], path[i], err);
		if (rc)
			return rc;
	}
	uint32_t nshards = sh[0].nshards;
	int32_t *from = malloc(nshards * sizeof(*from));
	if (!from)
		return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	for (uint32_t s = 0; s < nshards; s++)
		from[s] = -1;
	int rc = 0;
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		int32_t *f = &from[sh[i].shard - 1];
		if (*f >= 0)
			rc = psp_err_set(err, -EINVAL, NULL, NULL, "shard %u/%u is given twice: %.80s and %.80s",
					 sh[i].shard, nshards, path[*f], path[i]);
		*f = (int32_t)i;
	}
	if (rc == 0 && n < nshards) {
		char list[160] = "";
		size_t len = 0;
		uint32_t missing = 0;
		for (uint32_t s = 0; s < nshards; s++)
			if (from[s] < 0 && missing++ < 10 && len < sizeof(list))
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%u/%u",
							len ? ", " : "", s + 1, nshards);
		rc = psp_err_set(err, -EINVAL, NULL, NULL,
				 "incomplete set: %u of %u shards missing: %s%s", missing, nshards,
				 list, missing > 10 ? ", ..." : "");
	}
	free(from);
	return rc;
}

int sim_shard_check_records(const struct sim_shard *sh, const char *path,
			    const struct sim_options *o, const struct psp_workload *wl,
			    struct psp_err *err)
{
	bool by_policy = sim_shard_by_policy(o, wl);
	uint32_t nunits = sim_shard_units(o, by_policy);
	if (sh->by_policy != by_policy || sh->nunits != nunits)
		return psp_err_set(err, -EINVAL, path, NULL, "holds %u %s, the run has %u %s",
				   sh->nunits, sh->by_policy ? "policies" : "replications", nunits,
				   by_policy ? "policies" : "replications");
	uint32_t nall = o->npolicies * o->nloads * o->replications;
	bool *seen = calloc((size_t)nall + o->npolicies, sizeof(*seen));
	if (!seen)
		return psp_err_set(err, -ENOMEM, NULL, NULL, "out of memory");
	bool *seen_cap = seen + nall;
	int rc = 0;
	for (uint32_t k = 0; k < sh->nrep && rc == 0; k++) {
		const struct sim_shard_rep *x = &sh->rep[k];
		uint32_t i = (x->p * o->nloads + x->l) * o->replications + x->r;
		if (x->p >= o->npolicies || x->l >= o->nloads || x->r >= o->replications ||
		    sim_shard_owner(sim_shard_unit(o, by_policy, x->p, x->l, x->r), sh->nshards) !=
			    sh->shard || seen[i])
			rc = psp_err_set(err, -EINVAL, path, NULL,
					 "holds a replication it does not own, or twice (policy %u, "
					 "load %u, replication %u)", x->p, x->l, x->r);
		else if (bits(x->s.load) != bits(o->load[x->l]))
			rc = psp_err_set(err, -EINVAL, path, NULL,
					 "the record of replication %u of load %g of %s is at load %g",
					 x->r, o->load[x->l], o->policy[x->p]->name, x->s.load);
		else if (x->s.ntypes != wl->ntypes)
			rc = psp_err_set(err, -EINVAL, path, NULL,
					 "the record of replication %u of load %g of %s has %u types, "
					 "workload %s %u", x->r, o->load[x->l], o->policy[x->p]->name,
					 x->s.ntypes, wl->name, wl->ntypes);
		else
			seen[i] = true;
	}
	for (uint32_t p = 0; p < o->npolicies && rc == 0; p++)
		for (uint32_t l = 0; l < o->nloads && rc == 0; l++)
			for (uint32_t r = 0; r < o->replications && rc == 0; r++)
				if (sim_shard_owner(sim_shard_unit(o, by_policy, p, l, r), sh->nshards) ==
					    sh->shard &&
				    !seen[(p * o->nloads + l) * o->replications + r])
					rc = psp_err_set(err, -EINVAL, path, NULL,
							 "lacks replication %u of load %g of %s, which "
							 "its slice owns", r, o->load[l],
							 o->policy[p]->name);
	for (uint32_t k = 0; k < sh->ncap && rc == 0; k++) {
		uint32_t p = sh->cap[k].p;
		if (!by_policy || p >= o->npolicies || sim_shard_owner(p, sh->nshards) != sh->shard ||
		    seen_cap[p])
			rc = psp_err_set(err, -EINVAL, path, NULL,
					 "holds a capacity it does not own, or twice (policy %u)", p);
		else
			seen_cap[p] = true;
	}
	for (uint32_t p = 0; p < o->npolicies && by_policy && rc == 0; p++)
		if (sim_shard_owner(p, sh->nshards) == sh->shard && !seen_cap[p])
			rc = psp_err_set(err, -EINVAL, path, NULL,
					 "lacks the capacity of %s, which its slice owns",
					 o->policy[p]->name);
	free(seen);
	return rc;
}
