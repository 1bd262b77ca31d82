#include <stdio.h>
#include <stdlib.h>

#include <psp/assert.h>

static psp_assert_context_fn context_fn;

void psp_assert_set_context(psp_assert_context_fn fn)
{
	context_fn = fn;
}

/* The core does no I/O on its paths; a failed assertion is the exception:
 * the process is about to die and the message is all that is left. */
_Noreturn void psp_assert_fail(const char *expr, const char *file, int line,
			       const char *func)
{
	char ctx[256] = "";
	if (context_fn)
		context_fn(ctx, sizeof(ctx));
	fprintf(stderr, "psp: assertion failed: %s (%s:%d, %s)%s%s\n", expr, file,
		line, func, ctx[0] ? " " : "", ctx);
	abort();
}
