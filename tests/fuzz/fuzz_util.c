#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"

void fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "fuzz: %s:%d: %s does not hold\n", file, line, what);
	abort();
}

const char *fuzz_write_input(const uint8_t *data, size_t size, const char *ext)
{
	static char path[128];
	if (size > FUZZ_MAX_FILE_BYTES)
		return NULL;
	if (!path[0]) {
		const char *dir = getenv("TMPDIR");
		snprintf(path, sizeof(path), "%.40s/psp-fuzz-%ld.%.8s", dir && *dir ? dir : "/tmp",
			 (long)getpid(), ext);
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return NULL;
	size_t put = fwrite(data, 1, size, f);
	if (fclose(f) != 0 || put != size)
		return NULL;
	return path;
}

uint64_t fuzz_hash(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	return h;
}
