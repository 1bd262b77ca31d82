#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sweep.h"

struct sweep {
	struct sim_job *jobs;
	uint32_t njobs;
	atomic_uint next;
	atomic_uint done;
};

static void *worker_main(void *arg)
{
	struct sweep *sw = arg;
	for (;;) {
		unsigned i = atomic_fetch_add(&sw->next, 1);
		if (i >= sw->njobs)
			return NULL;
		struct sim_job *j = &sw->jobs[i];
		j->rc = sim_run_replication(j->setup, j->load, j->rep, &j->res, &j->err);
		if (j->rc == 0 && j->stats) {
			if (j->res.nbatches) /* --batches: the batches stand for replications */
				memcpy(j->stats, j->res.batch, j->res.nbatches * sizeof(*j->stats));
			else
				sim_rep_stats_of(j->stats, &j->res);
			if (!j->keep_result)
				sim_result_free(&j->res);
		}
		atomic_fetch_add(&sw->done, 1);
	}
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The main thread reports progress until every job is done. */
static void watch(struct sweep *sw, atomic_uint_fast64_t *progress, uint64_t expected)
{
	double start = now_s();
	bool shown = false;
	while (atomic_load(&sw->done) < sw->njobs) {
		struct timespec nap = {0, 100 * 1000 * 1000};
		nanosleep(&nap, NULL);
		double el = now_s() - start;
		if (el < 2.0)
			continue;
		uint64_t reqs = atomic_load(progress);
		fprintf(stderr, "\rpsp-sim: %u/%u points, %.1f M of ~%.1f M requests, %.1f s ",
			atomic_load(&sw->done), sw->njobs, reqs / 1e6, expected / 1e6, el);
		shown = true;
	}
	if (shown)
		fprintf(stderr, "\r%60s\r", "");
}

int sim_sweep_run(struct sim_job *jobs, uint32_t njobs, uint32_t nthreads,
		  bool show_progress, uint64_t expected_requests)
{
	struct sweep sw = {.jobs = jobs, .njobs = njobs};
	atomic_init(&sw.next, 0);
	atomic_init(&sw.done, 0);
	if (nthreads > njobs)
		nthreads = njobs;
	/* With a progress line the main thread only watches (it sleeps), so
	 * every thread asked for simulates; otherwise it is one of them. */
	bool watching = show_progress && jobs[0].setup->progress;
	uint32_t want = watching ? nthreads : nthreads - 1;
	pthread_t tid[want ? want : 1];
	uint32_t started = 0;
	for (; started < want; started++)
		if (pthread_create(&tid[started], NULL, worker_main, &sw) != 0)
			break;
	if (watching && started > 0)
		watch(&sw, jobs[0].setup->progress, expected_requests);
	else
		worker_main(&sw);
	for (uint32_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (uint32_t i = 0; i < njobs; i++)
		if (jobs[i].rc < 0)
			return jobs[i].rc;
	return 0;
}
