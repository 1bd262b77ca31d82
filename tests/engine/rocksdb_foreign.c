/* Test helper: creates a small RocksDB database that is not psp-engine's
 * (keys "user:0".."user:99"), as another program would leave it.
 *   rocksdb_foreign DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rocksdb/c.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: rocksdb_foreign DIR\n");
		return 2;
	}
	rocksdb_options_t *o = rocksdb_options_create();
	rocksdb_options_set_create_if_missing(o, 1);
	char *err = NULL;
	rocksdb_t *db = rocksdb_open(o, argv[1], &err);
	if (!db) {
		fprintf(stderr, "rocksdb_foreign: %s\n", err);
		return 1;
	}
	rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
	for (int i = 0; i < 100 && !err; i++) {
		char k[32];
		snprintf(k, sizeof(k), "user:%d", i);
		rocksdb_put(db, wo, k, strlen(k), "someone else's", 14, &err);
	}
	rocksdb_writeoptions_destroy(wo);
	rocksdb_close(db);
	rocksdb_options_destroy(o);
	if (err) {
		fprintf(stderr, "rocksdb_foreign: %s\n", err);
		return 1;
	}
	return 0;
}
