/* The libFuzzer entry point each tests/fuzz/fuzz_<target>.c defines; linked
 * either with libFuzzer (-DPSP_FUZZ=ON, clang) or with replay.c, which runs
 * it on committed inputs in every build. */
#ifndef PSP_FUZZ_H
#define PSP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A finding: prints what and where, then aborts so that libFuzzer keeps the
 * input and the replay test fails. */
#define FUZZ_REQUIRE(cond)                                                          \
	do {                                                                        \
		if (!(cond))                                                        \
			fuzz_fail(#cond, __FILE__, __LINE__);                       \
	} while (0)

/* Inputs larger than this are not worth a file loader's time. */
#define FUZZ_MAX_FILE_BYTES 16384u

/* Writes the input to a file of this process (TMPDIR or /tmp, name ending
 * in .ext) for loaders that read files; returns its path, or NULL (too
 * large, or not written). */
const char *fuzz_write_input(const uint8_t *data, size_t size, const char *ext);

/* FNV-1a of the input: choices derived from it replay the same way. */
uint64_t fuzz_hash(const uint8_t *data, size_t size);

void fuzz_fail(const char *what, const char *file, int line) __attribute__((noreturn));

#endif
