#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void sim_progress_init(struct sim_progress *p, bool on, atomic_uint_fast64_t *requests,
		       uint64_t per_run)
{
	memset(p, 0, sizeof(*p));
	p->on = on;
	p->f = stderr;
	p->tty = on && isatty(fileno(stderr));
	p->start_s = p->last_s = now_s();
	p->requests = requests;
	p->per_run = per_run;
	atomic_init(&p->runs, 0);
}

void sim_progress_expect(struct sim_progress *p, int64_t runs)
{
	int64_t e = (int64_t)p->expected + runs;
	p->expected = e > 0 ? (uint64_t)e : 0;
}

void sim_progress_what(struct sim_progress *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->what, sizeof(p->what), fmt, ap);
	va_end(ap);
}

void sim_progress_run_done(struct sim_progress *p)
{
	atomic_fetch_add(&p->runs, 1);
}

/* The share of the expected work done, in [0, 0.999] until the end. */
static double share_done(struct sim_progress *p)
{
	if (!p->expected)
		return 0;
	double done = p->per_run && p->requests
			      ? (double)atomic_load(p->requests) / (double)(p->expected * p->per_run)
			      : (double)atomic_load(&p->runs) / (double)p->expected;
	return done < 0.999 ? done : 0.999;
}

/* "1 min 05 s" or "42 s" */
static void duration(char *buf, size_t cap, double s)
{
	if (s >= 60)
		snprintf(buf, cap, "%d min %02d s", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, cap, "%.0f s", s);
}

void sim_progress_tick(struct sim_progress *p)
{
	if (!p->on)
		return;
	double now = now_s(), el = now - p->start_s;
	/* from 2 s on; then a terminal every 0.1 s, a log every 10 s */
	if (el < 2.0 || (p->printed && now - p->last_s < (p->tty ? 0.1 : 10.0)))
		return;
	p->printed = true;
	p->last_s = now;
	double done = share_done(p);
	char spent[32], left[48] = "time left not known yet";
	duration(spent, sizeof(spent), el);
	if (done > 0.01) {
		char d[32];
		duration(d, sizeof(d), el * (1 - done) / done);
		snprintf(left, sizeof(left), "about %s left", d);
	}
	if (p->tty) {
		fprintf(p->f, "\r\033[Kpsp-sim: %2.0f%% (%s), %s, %s", done * 100, p->what, spent, left);
		p->shown = true;
	} else {
		fprintf(p->f, "psp-sim: progress: %2.0f%% (%s), %s, %s\n", done * 100, p->what, spent,
			left);
	}
	fflush(p->f);
}

void sim_progress_clear(struct sim_progress *p)
{
	if (p->shown)
		fprintf(p->f, "\r\033[K");
	p->shown = false;
}
