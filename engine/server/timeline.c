/* DARC's reservation timeline: darc-timeline.csv in the output directory,
 * psp_darc_timeline_row's columns, as psp-sim writes them, one row per
 * group per reservation. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include <psp/darc.h>

#include "engine.h"

/* mkdir -p: creates each missing component of path. */
static int mkdir_p(const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int eng_output_dir_create(const struct engine *e)
{
	return mkdir_p(e->cfg.output_dir);
}

int eng_timeline_open(struct engine *e)
{
	int rc = eng_output_dir_create(e);
	if (rc < 0)
		return rc;
	char path[600];
	snprintf(path, sizeof(path), "%s/darc-timeline.csv", e->cfg.output_dir);
	if ((rc = eng_outfile_open(&e->timeline, path, 4096)) < 0)
		return rc;
	char head[sizeof(PSP_DARC_TIMELINE_HEADER) + 1];
	int n = snprintf(head, sizeof(head), "%s\n", PSP_DARC_TIMELINE_HEADER);
	eng_outfile_line(&e->timeline, head, (size_t)n);
	eng_outfile_flush(&e->timeline);
	return 0;
}

int eng_timeline_close(struct engine *e, FILE *report)
{
	if (!eng_outfile_is_open(&e->timeline))
		return 0;
	int rc = eng_outfile_close(&e->timeline);
	if (rc < 0 && report) {
		fprintf(report, "darc-timeline: cannot write %s: %s: %" PRIu64 " rows written, %"
				PRIu64 " lost (the file ends at the last whole row)\n",
			e->timeline.path, strerror(-rc), e->timeline.written, e->timeline.lost);
		e->output_lost += e->timeline.lost;
	}
	return rc;
}

/* Runs on the dispatcher inside complete()/dispatch(): reservations are rare
 * (one per profiling window), so a write(2) per plan is fine. */
void eng_timeline_on_reservation(void *ctx, uint64_t now_ns,
				 const struct psp_darc_plan *plan)
{
	struct engine *e = ctx;
	e->reservations++;
	eng_idle_on_plan(e, plan);
	const char *names[PSP_MAX_TYPES];
	for (uint32_t t = 0; t < e->cfg.ntypes; t++)
		names[t] = e->cfg.types[t].name;
	/* A seqlock for telemetry's reader (eng_plan_snapshot): odd while
	 * the text changes. */
	atomic_fetch_add_explicit(&e->plan_seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	psp_darc_plan_format(plan, names, e->last_plan, sizeof(e->last_plan));
	atomic_fetch_add_explicit(&e->plan_seq, 1, memory_order_release);
	printf("DARC: %s\n", e->last_plan);
	fflush(stdout);
	if (!eng_outfile_is_open(&e->timeline))
		return;
	for (uint32_t g = 0; g < plan->ngroups; g++) {
		char row[512];
		psp_darc_timeline_row(plan, g, now_ns, names, row, sizeof(row) - 1);
		size_t len = strlen(row);
		row[len++] = '\n';
		eng_outfile_line(&e->timeline, row, len);
	}
	eng_outfile_flush(&e->timeline);
}

void eng_plan_snapshot(const struct engine *e, char *buf, size_t cap)
{
	for (int tries = 0; tries < 1000; tries++) {
		uint32_t seq = atomic_load_explicit(&e->plan_seq, memory_order_acquire);
		if (seq & 1u)
			continue;
		snprintf(buf, cap, "%s", e->last_plan);
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&e->plan_seq, memory_order_relaxed) == seq)
			return;
	}
	snprintf(buf, cap, "(changing)");
}
