/* Two tiers of assertion and one function to put a breakpoint in.
 *
 * PSP_CHECK stays on in every build: API preconditions a caller can break
 * (time going backwards, a worker id out of range).  PSP_ASSERT is for loop
 * invariants and compiles away under NDEBUG.
 */
#ifndef PSP_ASSERT_H
#define PSP_ASSERT_H

/* Prints the failed expression, its place, and the host's context line (if a
 * printer is registered), then aborts.  Never returns. */
_Noreturn void psp_assert_fail(const char *expr, const char *file, int line,
                               const char *func);

/* A host may register a printer that adds its own context to a failure
 * report, e.g. the simulated time and event sequence number, or the lcore.
 * The printer writes at most cap bytes into buf.  NULL unregisters. */
typedef void (*psp_assert_context_fn)(char *buf, unsigned cap);
void psp_assert_set_context(psp_assert_context_fn fn);

#define PSP_CHECK(c) \
	((c) ? (void)0 : psp_assert_fail(#c, __FILE__, __LINE__, __func__))

#ifdef NDEBUG
#define PSP_ASSERT(c) ((void)sizeof(c))
#else
#define PSP_ASSERT(c) PSP_CHECK(c)
#endif

#endif
