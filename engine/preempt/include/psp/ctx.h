/* The raw user-level context switch under psp's preemptible tasks (see
 * <psp/preempt.h>, which is what the engine uses).  x86-64 only: the switch
 * is ctx_x86_64.S.
 *
 * A suspended context is a stack pointer; its callee-saved registers, MXCSR
 * and x87 control word sit on its own stack, so a context can be resumed by
 * any thread.  Nothing is allocated and no system call is made.
 */
#ifndef PSP_CTX_H
#define PSP_CTX_H

#include <stddef.h>

/* The entry of a fresh context: arg as given to psp_ctx_make, val as given to
 * the psp_ctx_switch that first runs it.  Must never return: it ends by
 * switching to another context for good (a return executes ud2). */
typedef void (*psp_ctx_entry_fn)(void *arg, void *val);

/* Smallest stack psp_ctx_make accepts, in bytes: the initial frame plus room
 * for the entry to call a few functions.  Real tasks want far more. */
#define PSP_CTX_STACK_MIN_BYTES 256u

/* Saves the running context, storing its stack pointer in *save_sp, and runs
 * the context whose stack pointer is to_sp (saved by an earlier switch, or
 * made by psp_ctx_make).  Returns, when some context later switches back to
 * *save_sp, the val that switch passed.  Cannot fail; to_sp must be valid. */
void *psp_ctx_switch(void **save_sp, void *to_sp, void *val);

/* Builds a fresh context on the stack [stack_lo, stack_lo + stack_bytes) that
 * calls entry(arg, val) when first switched to, with the ABI's default FP
 * control state (round to nearest, exceptions masked).  Returns its stack
 * pointer for psp_ctx_switch, or NULL when the stack is smaller than
 * PSP_CTX_STACK_MIN_BYTES.  Writes only the top 80 bytes of the stack. */
void *psp_ctx_make(void *stack_lo, size_t stack_bytes, psp_ctx_entry_fn entry,
		   void *arg);

#endif
