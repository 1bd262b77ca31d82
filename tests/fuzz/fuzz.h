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

void fuzz_fail(const char *what, const char *file, int line) __attribute__((noreturn));

#endif
