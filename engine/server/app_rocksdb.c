/* The RocksDB application (app: rocksdb): the paper's real service.  Each
 * type maps to an operation (app.rocksdb.ops): get reads one key, "scan N"
 * iterates N consecutive keys, calling psp_preempt_point() between keys so a
 * long scan can be preempted (a get has no preemption point: it is never
 * preempted).  The key comes from the request: a hash of its req_id picks it,
 * so a client's id sequence spreads over the database.
 *
 * At start the database at app.rocksdb.path is opened, or created and filled
 * with keys 0..keys-1 ("k" and 10 digits) of value_bytes each when absent; a
 * database made with other sizes is refused.  RocksDB's calls allocate; they
 * run on the workers, never on the dispatcher. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <rocksdb/c.h>

#include <rte_lcore.h>

#include "app.h"
#include "config.h"

#define KEY_BYTES 11 /* "k" + 10 digits */
#define META_KEY "psp:meta"

struct rdb_state {
	rocksdb_t *db;
	rocksdb_options_t *opts;
	rocksdb_readoptions_t *ropts;
	uint32_t keys;
	bool points; /* app.preempt_points */
	uint32_t scan[PSP_MAX_TYPES];
	/* Per-lcore sums of value bytes read, each on its own line: keeps the
	 * reads from being optimised away, and counts work for the report. */
	struct {
		uint64_t bytes;
	} __attribute__((aligned(64))) per_lcore[RTE_MAX_LCORE];
};

static void key_of(uint32_t k, char out[KEY_BYTES + 1])
{
	snprintf(out, KEY_BYTES + 1, "k%010u", k);
}

/* A request's key: its id hashed over n choices. */
static uint32_t pick(uint32_t req_id, uint32_t n)
{
	uint64_t h = (uint64_t)req_id * 0x9e3779b97f4a7c15ull;
	return (uint32_t)((h >> 32) % n);
}

static void rdb_get(struct rdb_state *s, const struct app_call *call, unsigned lcore)
{
	char key[KEY_BYTES + 1];
	key_of(pick(call->req->req_id, s->keys), key);
	char *errmsg = NULL;
	rocksdb_pinnableslice_t *v = rocksdb_get_pinned(s->db, s->ropts, key, KEY_BYTES, &errmsg);
	if (v) {
		size_t len;
		rocksdb_pinnableslice_value(v, &len);
		s->per_lcore[lcore].bytes += len;
		rocksdb_pinnableslice_destroy(v);
	}
	free(errmsg);
}

static void rdb_scan(struct rdb_state *s, const struct app_call *call, uint32_t n,
		     unsigned lcore)
{
	char key[KEY_BYTES + 1];
	key_of(pick(call->req->req_id, s->keys - n + 1), key);
	rocksdb_iterator_t *it = rocksdb_create_iterator(s->db, s->ropts);
	uint64_t bytes = 0;
	uint32_t seen = 0;
	for (rocksdb_iter_seek(it, key, KEY_BYTES); seen < n && rocksdb_iter_valid(it);
	     rocksdb_iter_next(it), seen++) {
		size_t len;
		rocksdb_iter_value(it, &len);
		bytes += len;
		if (s->points)
			psp_preempt_point(); /* may resume on another worker */
	}
	rocksdb_iter_destroy(it);
	/* lcore was read before the first point: the sum goes to the lcore
	 * that started the scan (a counter, so any lcore's line will do). */
	s->per_lcore[lcore].bytes += bytes;
}

static void rdb_handle(void *state, const struct app_call *call)
{
	struct rdb_state *s = state;
	unsigned lcore = rte_lcore_id();
	uint32_t n = call->type < PSP_MAX_TYPES ? s->scan[call->type] : 0;
	if (n)
		rdb_scan(s, call, n, lcore);
	else
		rdb_get(s, call, lcore); /* get, and unknown types */
}

static int fill(struct rdb_state *s, const struct eng_config *cfg, struct psp_err *err)
{
	rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
	rocksdb_writeoptions_disable_WAL(wo, 1);
	char *value = malloc(cfg->rocksdb.value_bytes);
	if (!wo || !value) {
		free(value);
		rocksdb_writeoptions_destroy(wo);
		return psp_err_set(err, -ENOMEM, NULL, "app.rocksdb", "out of memory");
	}
	char *errmsg = NULL;
	char key[KEY_BYTES + 1];
	for (uint32_t k = 0; k < cfg->rocksdb.keys && !errmsg; k += 10000) {
		rocksdb_writebatch_t *b = rocksdb_writebatch_create();
		for (uint32_t i = k; i < k + 10000 && i < cfg->rocksdb.keys; i++) {
			key_of(i, key);
			memset(value, 'a' + (int)(i % 26), cfg->rocksdb.value_bytes);
			rocksdb_writebatch_put(b, key, KEY_BYTES, value, cfg->rocksdb.value_bytes);
		}
		rocksdb_write(s->db, wo, b, &errmsg);
		rocksdb_writebatch_destroy(b);
	}
	char meta[64];
	int mlen = snprintf(meta, sizeof(meta), "keys=%u value_bytes=%u", cfg->rocksdb.keys,
			    cfg->rocksdb.value_bytes);
	if (!errmsg) /* last: a database without it was not filled to the end */
		rocksdb_put(s->db, wo, META_KEY, strlen(META_KEY), meta, (size_t)mlen, &errmsg);
	if (!errmsg) {
		rocksdb_flushoptions_t *fo = rocksdb_flushoptions_create();
		rocksdb_flush(s->db, fo, &errmsg);
		rocksdb_flushoptions_destroy(fo);
	}
	free(value);
	rocksdb_writeoptions_destroy(wo);
	if (errmsg) {
		int rc = psp_err_set(err, -EIO, cfg->rocksdb.path, "app.rocksdb",
				     "cannot fill the database: %s", errmsg);
		free(errmsg);
		return rc;
	}
	return 0;
}

/* The database's meta record against the config's sizes: 0, or an error. */
static int check_meta(struct rdb_state *s, const struct eng_config *cfg, struct psp_err *err)
{
	char *errmsg = NULL;
	size_t len = 0;
	char *meta = rocksdb_get(s->db, s->ropts, META_KEY, strlen(META_KEY), &len, &errmsg);
	char want[64];
	int wlen = snprintf(want, sizeof(want), "keys=%u value_bytes=%u", cfg->rocksdb.keys,
			    cfg->rocksdb.value_bytes);
	int rc = 0;
	if (errmsg || !meta)
		rc = psp_err_set(err, -EINVAL, cfg->rocksdb.path, "app.rocksdb.path",
				 "holds a database psp-engine did not finish filling (%s): remove it "
				 "and start again", errmsg ? errmsg : "no psp:meta record");
	else if (len != (size_t)wlen || memcmp(meta, want, len))
		rc = psp_err_set(err, -EINVAL, cfg->rocksdb.path, "app.rocksdb.path",
				 "holds a database of %.*s, the config asks for %s: remove it or "
				 "give another path", (int)len, meta, want);
	free(meta);
	free(errmsg);
	return rc;
}

int app_rocksdb_init(struct app *app, const struct eng_config *cfg, struct psp_err *err)
{
	struct rdb_state *s = aligned_alloc(64, sizeof(*s));
	if (!s)
		return psp_err_set(err, -ENOMEM, NULL, "app.rocksdb", "out of memory");
	memset(s, 0, sizeof(*s));
	s->keys = cfg->rocksdb.keys;
	s->points = cfg->preempt_points;
	memcpy(s->scan, cfg->rocksdb.scan, sizeof(s->scan));
	struct stat st;
	bool exists = stat(cfg->rocksdb.path, &st) == 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	s->opts = rocksdb_options_create();
	s->ropts = rocksdb_readoptions_create();
	rocksdb_options_set_create_if_missing(s->opts, 1);
	char *errmsg = NULL;
	s->db = rocksdb_open(s->opts, cfg->rocksdb.path, &errmsg);
	int rc = 0;
	if (!s->db) {
		rc = psp_err_set(err, -EIO, cfg->rocksdb.path, "app.rocksdb.path",
				 "cannot open or create the database: %s", errmsg);
		free(errmsg);
	} else {
		rc = exists ? check_meta(s, cfg, err) : fill(s, cfg, err);
	}
	if (rc < 0) {
		app->state = s;
		app_rocksdb_fini(app);
		return rc;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("rocksdb: %s %s (%u keys of %u bytes) in %.2f s\n",
	       exists ? "opened" : "created and filled", cfg->rocksdb.path, cfg->rocksdb.keys,
	       cfg->rocksdb.value_bytes,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	app->name = "rocksdb";
	app->state = s;
	for (uint32_t t = 0; t < PSP_MAX_TYPES; t++)
		app->handler[t] = rdb_handle;
	app->unknown = rdb_handle;
	app->fini = app_rocksdb_fini;
	return 0;
}

void app_rocksdb_fini(struct app *app)
{
	struct rdb_state *s = app->state;
	if (!s)
		return;
	if (s->db)
		rocksdb_close(s->db);
	if (s->ropts)
		rocksdb_readoptions_destroy(s->ropts);
	if (s->opts)
		rocksdb_options_destroy(s->opts);
	free(s);
	app->state = NULL;
}
