#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "sweep.h"

struct sweep {
	struct sim_job *jobs;
	uint32_t njobs;
	struct sim_progress *prog; /* may be NULL */
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
		if (sw->prog)
			sim_progress_run_done(sw->prog);
		atomic_fetch_add(&sw->done, 1);
	}
}

/* The main thread reports progress until every job is done. */
static void watch(struct sweep *sw, struct sim_progress *prog)
{
	while (atomic_load(&sw->done) < sw->njobs) {
		struct timespec nap = {0, 100 * 1000 * 1000};
		nanosleep(&nap, NULL);
		sim_progress_tick(prog);
	}
}

int sim_sweep_run(struct sim_job *jobs, uint32_t njobs, uint32_t nthreads,
		  struct sim_progress *prog)
{
	struct sweep sw = {.jobs = jobs, .njobs = njobs, .prog = prog};
	atomic_init(&sw.next, 0);
	atomic_init(&sw.done, 0);
	if (nthreads > njobs)
		nthreads = njobs;
	/* With a progress line the main thread only watches (it sleeps), so
	 * every thread asked for simulates; otherwise it is one of them. */
	bool watching = prog && prog->on;
	uint32_t want = watching ? nthreads : nthreads - 1;
	pthread_t tid[want ? want : 1];
	uint32_t started = 0;
	for (; started < want; started++)
		if (pthread_create(&tid[started], NULL, worker_main, &sw) != 0)
			break;
	if (watching && started > 0)
		watch(&sw, prog);
	else
		worker_main(&sw);
	for (uint32_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (uint32_t i = 0; i < njobs; i++)
		if (jobs[i].rc < 0)
			return jobs[i].rc;
	return 0;
}
