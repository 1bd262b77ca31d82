/* The RocksDB application (app: rocksdb): the paper's real service.  Each
 * type maps to an operation (app.rocksdb.ops): get reads one key, "scan N"
 * iterates N consecutive keys, calling psp_preempt_point() between keys so a
 * long scan can be preempted (a get has no preemption point: it is never
 * preempted).  The key comes from the request: a hash of its req_id picks it,
 * so a client's id sequence spreads over the database.
 *
 * At start an existing database at app.rocksdb.path is opened read-only and
 * checked: one psp-engine filled with these sizes is served, read-only (no
 * write, no compaction, nothing to fail on a full disk); anything else is
 * refused untouched.  An absent path (or an empty directory) is created and
 * filled with keys 0..keys-1 ("k" and 10 digits) of value_bytes each, then
 * reopened read-only; a fill that fails (a full disk) removes what it made.
 *
 * A read error (a checksum mismatch in a corrupted file), a key missing from
 * a get or a scan that ends short fails the request: the handler returns
 * -EIO, the reply says so, the engine counts it (app_failed) and the first
 * error is printed at stop.  RocksDB's calls allocate; they run on the
 * workers, never on the dispatcher. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <stdatomic.h>

#include <rocksdb/c.h>

#include <rte_lcore.h>

#include "../common/eal_dir.h"
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
	/* The first failure's words, written once (first_taken) by the worker
	 * that saw it, read at stop after the workers returned. */
	atomic_bool first_taken;
	char first_error[256];
	char log_dir[300]; /* RocksDB's info log (make_log_dir), removed at fini */
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

/* Records why a request failed (the first time only) and returns -EIO. */
static int failed(struct rdb_state *s, const char *what, const char *key, const char *why)
{
	bool expected = false;
	if (atomic_compare_exchange_strong(&s->first_taken, &expected, true))
		snprintf(s->first_error, sizeof(s->first_error), "%s %s: %s", what, key, why);
	return -EIO;
}

static int rdb_get(struct rdb_state *s, const struct app_call *call, unsigned lcore)
{
	char key[KEY_BYTES + 1];
	key_of(pick(call->req->req_id, s->keys), key);
	char *errmsg = NULL;
	rocksdb_pinnableslice_t *v = rocksdb_get_pinned(s->db, s->ropts, key, KEY_BYTES, &errmsg);
	int rc = 0;
	if (errmsg)
		rc = failed(s, "get", key, errmsg);
	else if (!v)
		rc = failed(s, "get", key, "not found (the database lost a key)");
	if (v) {
		size_t len;
		rocksdb_pinnableslice_value(v, &len);
		s->per_lcore[lcore].bytes += len;
		rocksdb_pinnableslice_destroy(v);
	}
	free(errmsg);
	return rc;
}

static int rdb_scan(struct rdb_state *s, const struct app_call *call, uint32_t n,
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
	/* An iterator stops being valid at the end of the data or on an error:
	 * only get_error tells which. */
	int rc = 0;
	char *errmsg = NULL;
	rocksdb_iter_get_error(it, &errmsg);
	if (errmsg) {
		rc = failed(s, "scan from", key, errmsg);
	} else if (seen < n) {
		char why[96];
		snprintf(why, sizeof(why), "ended after %u of %u keys (the database lost keys)",
			 seen, n);
		rc = failed(s, "scan from", key, why);
	}
	free(errmsg);
	rocksdb_iter_destroy(it);
	/* lcore was read before the first point: the sum goes to the lcore
	 * that started the scan (a counter, so any lcore's line will do). */
	s->per_lcore[lcore].bytes += bytes;
	return rc;
}

static int rdb_handle(void *state, const struct app_call *call)
{
	struct rdb_state *s = state;
	unsigned lcore = rte_lcore_id();
	if (lcore >= RTE_MAX_LCORE) /* a thread that is no lcore (the tests) */
		lcore = 0;
	uint32_t n = call->type < PSP_MAX_TYPES ? s->scan[call->type] : 0;
	if (n)
		return rdb_scan(s, call, n, lcore);
	return rdb_get(s, call, lcore); /* get, and unknown types */
}

static void rdb_report(const struct app *app, FILE *out)
{
	const struct rdb_state *s = app->state;
	if (atomic_load(&s->first_taken))
		fprintf(out, "rocksdb: first failure: %s\n", s->first_error);
}

/* Adds what an error message means for the user: a full disk. */
static const char *hint(const char *errmsg)
{
	return errmsg && strstr(errmsg, "No space left") ? " (the disk is full)" : "";
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
				     "cannot fill the database: %s%s", errmsg, hint(errmsg));
		free(errmsg);
		return rc;
	}
	return 0;
}

/* Whether key is one of psp-engine's ("k" and 10 digits). */
static bool psp_key(const char *key, size_t len)
{
	if (len != KEY_BYTES || key[0] != 'k')
		return false;
	for (size_t i = 1; i < len; i++)
		if (key[i] < '0' || key[i] > '9')
			return false;
	return true;
}

/* The database's meta record against the config's sizes: 0, or an error
 * that says whose database it is. */
static int check_meta(struct rdb_state *s, const struct eng_config *cfg, struct psp_err *err)
{
	char *errmsg = NULL;
	size_t len = 0;
	char *meta = rocksdb_get(s->db, s->ropts, META_KEY, strlen(META_KEY), &len, &errmsg);
	char want[64];
	int wlen = snprintf(want, sizeof(want), "keys=%u value_bytes=%u", cfg->rocksdb.keys,
			    cfg->rocksdb.value_bytes);
	int rc = 0;
	if (errmsg) {
		rc = psp_err_set(err, -EIO, cfg->rocksdb.path, "app.rocksdb.path",
				 "cannot read the database's psp:meta record: %s", errmsg);
	} else if (!meta) {
		/* psp's own unfinished fill, or somebody else's database? */
		rocksdb_iterator_t *it = rocksdb_create_iterator(s->db, s->ropts);
		rocksdb_iter_seek_to_first(it);
		size_t klen = 0;
		const char *key = rocksdb_iter_valid(it) ? rocksdb_iter_key(it, &klen) : NULL;
		if (!key || psp_key(key, klen))
			rc = psp_err_set(err, -EINVAL, cfg->rocksdb.path, "app.rocksdb.path",
					 "holds a database psp-engine did not finish filling (%s, no "
					 "psp:meta record): remove it and start again",
					 key ? "psp-engine's keys" : "empty");
		else
			rc = psp_err_set(err, -EINVAL, cfg->rocksdb.path, "app.rocksdb.path",
					 "holds a RocksDB database that is not psp-engine's (first key "
					 "\"%.*s\", no psp:meta record): left untouched; give another "
					 "path", (int)(klen > 40 ? 40 : klen), key);
		rocksdb_iter_destroy(it);
	} else if (len != (size_t)wlen || memcmp(meta, want, len)) {
		rc = psp_err_set(err, -EINVAL, cfg->rocksdb.path, "app.rocksdb.path",
				 "holds a database of %.*s, the config asks for %s: remove it or "
				 "give another path", (int)len, meta, want);
	}
	free(meta);
	free(errmsg);
	return rc;
}

/* 1 when path holds something (a non-empty directory, or not a directory),
 * 0 when there is nothing to damage (absent, or an empty directory: *empty_dir
 * says which), or a negative errno. */
static int path_holds(const char *path, bool *empty_dir)
{
	struct stat st;
	*empty_dir = false;
	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return 1;
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	*empty_dir = n == 0;
	return n > 0;
}

/* The log directories of psp-engines that died without removing theirs
 * (SIGKILL, a crash): their names carry the owner's pid, and a pid with no
 * process (ESRCH) cannot be a live engine's.  Another user's engine
 * answers EPERM and is left alone. */
static void remove_dead_log_dirs(const char *tmp)
{
	DIR *d = opendir(tmp);
	if (!d)
		return;
	struct dirent *de;
	char path[PATH_MAX];
	while ((de = readdir(d))) {
		long pid;
		char tail;
		if (sscanf(de->d_name, "psp-rocksdb-log-%ld-%c", &pid, &tail) == 2 && pid > 0 &&
		    kill((pid_t)pid, 0) < 0 && errno == ESRCH &&
		    snprintf(path, sizeof(path), "%s/%s", tmp, de->d_name) < (int)sizeof(path))
			eal_dir_remove(path); /* a flat directory, as the EAL's */
	}
	closedir(d);
}

/* RocksDB writes its info log into the database's directory, renaming the
 * one there first: even a read-only open would modify a database it is
 * about to refuse.  Its info log goes to a directory of its own instead,
 * named with this process's id so that a later engine can tell it from a
 * live one's when this one dies without removing it. */
static int make_log_dir(struct rdb_state *s, struct psp_err *err)
{
	const char *tmp = getenv("TMPDIR");
	tmp = tmp && *tmp ? tmp : "/tmp";
	remove_dead_log_dirs(tmp);
	snprintf(s->log_dir, sizeof(s->log_dir), "%s/psp-rocksdb-log-%ld-XXXXXX", tmp,
		 (long)getpid());
	if (!mkdtemp(s->log_dir)) {
		int e = errno;
		s->log_dir[0] = '\0';
		return psp_err_set(err, -e, NULL, "app.rocksdb",
				   "cannot create a directory for RocksDB's info log: %s", strerror(e));
	}
	rocksdb_options_set_db_log_dir(s->opts, s->log_dir);
	return 0;
}

static void remove_log_dir(struct rdb_state *s)
{
	if (!s->log_dir[0])
		return;
	eal_dir_remove(s->log_dir);
	s->log_dir[0] = '\0';
}

/* Creates and fills the database at path, then closes it; on any failure
 * removes what it made (a partial database would be refused at the next
 * start, and RocksDB cannot even open one read-write on a still-full disk). */
static int create(struct rdb_state *s, const struct eng_config *cfg, bool was_empty_dir,
		  struct psp_err *err)
{
	const char *path = cfg->rocksdb.path;
	rocksdb_options_set_create_if_missing(s->opts, 1);
	char *errmsg = NULL;
	s->db = rocksdb_open(s->opts, path, &errmsg);
	rocksdb_options_set_create_if_missing(s->opts, 0);
	int rc;
	if (!s->db) {
		rc = psp_err_set(err, -EIO, path, "app.rocksdb.path",
				 "cannot create the database: %s%s", errmsg, hint(errmsg));
		free(errmsg);
	} else {
		rc = fill(s, cfg, err);
		rocksdb_close(s->db);
		s->db = NULL;
	}
	if (rc < 0) {
		char *e2 = NULL;
		rocksdb_destroy_db(s->opts, path, &e2);
		free(e2);
		rmdir(path); /* DestroyDB may leave the directory */
		if (was_empty_dir)
			mkdir(path, 0755);
		size_t len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len, "; the partial database was removed");
	}
	return rc;
}

int app_rocksdb_init(struct app *app, const struct eng_config *cfg, struct psp_err *err)
{
	struct rdb_state *s = aligned_alloc(64, sizeof(*s));
	if (!s)
		return psp_err_set(err, -ENOMEM, NULL, "app.rocksdb", "out of memory");
	memset(s, 0, sizeof(*s));
	app->state = s;
	s->keys = cfg->rocksdb.keys;
	s->points = cfg->preempt_points;
	memcpy(s->scan, cfg->rocksdb.scan, sizeof(s->scan));
	const char *path = cfg->rocksdb.path;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	s->opts = rocksdb_options_create();
	s->ropts = rocksdb_readoptions_create();
	/* Checks that cost nothing per request: file sizes and the manifest at
	 * open, every block's checksum as it is read. */
	rocksdb_options_set_paranoid_checks(s->opts, 1);
	rocksdb_readoptions_set_verify_checksums(s->ropts, 1);
	bool empty_dir;
	int rc = path_holds(path, &empty_dir);
	if (rc < 0) {
		rc = psp_err_set(err, rc, path, "app.rocksdb.path", "cannot read it: %s",
				 strerror(-rc));
		goto fail;
	}
	bool created = rc == 0;
	if ((rc = make_log_dir(s, err)) < 0)
		goto fail;
	if (created && (rc = create(s, cfg, empty_dir, err)) < 0)
		goto fail;
	/* Read-only: checks a database before anything in it can change, and
	 * serves it without writes or compactions. */
	char *errmsg = NULL;
	s->db = rocksdb_open_for_read_only(s->opts, path, 0, &errmsg);
	if (!s->db) {
		rc = psp_err_set(err, -EINVAL, path, "app.rocksdb.path",
				 "is not a RocksDB database psp-engine can read (%s): left "
				 "untouched; give another path", errmsg);
		free(errmsg);
		goto fail;
	}
	if ((rc = check_meta(s, cfg, err)) < 0)
		goto fail;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("rocksdb: %s %s (%u keys of %u bytes) in %.2f s; serving it read-only\n",
	       created ? "created and filled" : "opened", path, cfg->rocksdb.keys,
	       cfg->rocksdb.value_bytes,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	app->name = "rocksdb";
	for (uint32_t t = 0; t < PSP_MAX_TYPES; t++)
		app->handler[t] = rdb_handle;
	app->unknown = rdb_handle;
	app->fini = app_rocksdb_fini;
	app->report = rdb_report;
	return 0;
fail:
	app_rocksdb_fini(app);
	return rc;
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
	remove_log_dir(s);
	free(s);
	app->state = NULL;
}
