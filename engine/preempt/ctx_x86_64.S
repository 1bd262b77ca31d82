/* User-level context switch for x86-64 (System V ABI).
 *
 * A suspended context is nothing but its stack pointer: psp_ctx_switch pushes
 * the state the ABI makes callee-saved onto the running stack, stores rsp,
 * loads the other context's rsp and pops that context's state.  Everything
 * else (rax..r11, xmm/ymm registers, flags) is caller-saved, so the C caller
 * already treats it as clobbered by the call: saving it would only cost time.
 *
 * Saved frame, from the saved rsp upwards (64 bytes, built in the same layout
 * by psp_ctx_make for a fresh context):
 *     0   MXCSR (4 bytes)      control bits are callee-saved (rounding, FTZ)
 *     4   x87 control word (2) callee-saved (precision, rounding)
 *     8   r15
 *    16   r14
 *    24   r13                  fresh context: the entry's arg
 *    32   r12                  fresh context: the entry function
 *    40   rbx
 *    48   rbp                  fresh context: 0, ends frame-pointer chains
 *    56   return address       fresh context: psp_ctx_trampoline
 *
 * No system call, no signal mask: that is what makes this ~10x cheaper than
 * swapcontext(3).  Signal masks are per thread and a task never changes its
 * own, so there is nothing to carry.
 *
 * CET: endbr64 marks the entry points valid targets of indirect calls (IBT).
 * The object does not claim shadow-stack compatibility (no .note.gnu.property):
 * switching stacks with ret would need the shadow stack switched too.
 */
	.text

/* void *psp_ctx_switch(void **save_sp, void *to_sp, void *val)
 * rdi = where to store this context's rsp, rsi = the context to run,
 * rdx = value returned (in rax) from the psp_ctx_switch call that the other
 * context is suspended in, or given to a fresh context's entry. */
	.globl	psp_ctx_switch
	.type	psp_ctx_switch, @function
	.p2align 4
psp_ctx_switch:
	.cfi_startproc
	endbr64
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)

	movq	%rsi, %rsp
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	movq	%rdx, %rax
	ret
	.cfi_endproc
	.size	psp_ctx_switch, .-psp_ctx_switch

/* First code of a fresh context, entered by psp_ctx_switch's ret with
 * r12 = entry, r13 = arg, rax = the switcher's val and rsp 16-byte aligned.
 * Calls entry(arg, val); an entry must never return (it switches away for
 * good), so a return traps instead of running off the stack's top. */
	.globl	psp_ctx_trampoline
	.type	psp_ctx_trampoline, @function
	.p2align 4
psp_ctx_trampoline:
	.cfi_startproc
	.cfi_undefined rip	/* outermost frame: unwinders stop here */
	endbr64
	movq	%r13, %rdi
	movq	%rax, %rsi
	callq	*%r12
	ud2
	.cfi_endproc
	.size	psp_ctx_trampoline, .-psp_ctx_trampoline

	.section .note.GNU-stack, "", @progbits
