/* psp_ctx_make: lays out a fresh context's first frame exactly as
 * psp_ctx_switch (ctx_x86_64.S) saves one, so the first switch to it "returns"
 * into psp_ctx_trampoline. */
#include <stdint.h>
#include <string.h>

#include <psp/ctx.h>

/* In ctx_x86_64.S; never called from C, only returned to. */
void psp_ctx_trampoline(void);

#define FRAME_BYTES 64u   /* fp control + 6 registers + return address */
#define TOP_PAD_BYTES 16u /* zeroed: a fake caller frame above the entry */
#define MXCSR_DEFAULT 0x1f80u  /* all exceptions masked, round to nearest */
#define X87_CW_DEFAULT 0x037fu /* same, extended precision */

_Static_assert(PSP_CTX_STACK_MIN_BYTES >= FRAME_BYTES + TOP_PAD_BYTES + 15u,
	       "the minimum stack holds the first frame at any alignment");

void *psp_ctx_make(void *stack_lo, size_t stack_bytes, psp_ctx_entry_fn entry,
		   void *arg)
{
	if (stack_lo == NULL || stack_bytes < PSP_CTX_STACK_MIN_BYTES)
		return NULL;
	uintptr_t top = ((uintptr_t)stack_lo + stack_bytes) & ~(uintptr_t)15;
	/* After the switch pops the frame, rsp = top - TOP_PAD_BYTES: 16-byte
	 * aligned, as the trampoline's call needs. */
	uint64_t *f = (uint64_t *)(top - TOP_PAD_BYTES - FRAME_BYTES);
	memset(f, 0, FRAME_BYTES + TOP_PAD_BYTES);
	f[0] = MXCSR_DEFAULT | ((uint64_t)X87_CW_DEFAULT << 32);
	f[3] = (uint64_t)(uintptr_t)arg;        /* r13 */
	f[4] = (uint64_t)(uintptr_t)entry;      /* r12 */
	f[6] = 0;                               /* rbp */
	f[7] = (uint64_t)(uintptr_t)psp_ctx_trampoline;
	return f;
}
