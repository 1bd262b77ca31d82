/* psp_preempt: the context switch, tasks on executors, migration between
 * threads, the preemption flag, the task pool and its guard pages. */
#include <check.h>
#include <errno.h>
#include <fenv.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <psp/ctx.h>
#include <psp/preempt.h>

/* ---- allocation counting: the test links with --wrap for these ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t sz);
void *__real_realloc(void *p, size_t n);
void *__real_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t sz);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off);

static _Atomic unsigned alloc_calls;

void *__wrap_malloc(size_t n)
{
	atomic_fetch_add(&alloc_calls, 1u);
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t sz)
{
	atomic_fetch_add(&alloc_calls, 1u);
	return __real_calloc(n, sz);
}

void *__wrap_realloc(void *p, size_t n)
{
	atomic_fetch_add(&alloc_calls, 1u);
	return __real_realloc(p, n);
}

void *__wrap_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off)
{
	atomic_fetch_add(&alloc_calls, 1u);
	return __real_mmap(a, n, prot, flags, fd, off);
}

/* ---- helpers ---- */

#define STACK_BYTES (64u * 1024u)

static void pool_init(struct psp_task_pool *pool, uint32_t ntasks)
{
	struct psp_task_pool_conf conf = {.ntasks = ntasks, .stack_bytes = STACK_BYTES};
	ck_assert_int_eq(psp_task_pool_init(pool, &conf), 0);
}

/* Asks the calling task's own worker to preempt it (as a dispatcher would).
 * No Check assertion: they allocate, and this runs inside the no-allocation
 * window of test_pool_no_allocation_after_init. */
static void self_request(void)
{
	struct psp_exec *e = psp_exec_current();
	if (e == NULL)
		abort();
	psp_preempt_request(&e->flag);
}

static uint32_t read_mxcsr(void)
{
	uint32_t v;
	__asm__ volatile("stmxcsr %0" : "=m"(v));
	return v;
}

static uint16_t read_x87_cw(void)
{
	uint16_t v;
	__asm__ volatile("fnstcw %0" : "=m"(v));
	return v;
}

/* ---- raw context switch: callee-saved registers ---- */

/* regs_switch_check(save_sp, to_sp, base, out): loads base+0..5 into rbx, rbp,
 * r12..r15, calls psp_ctx_switch(save_sp, to_sp, 0) and, once switched back,
 * stores those six registers to out[0..5].  Its own callee-saved registers
 * are restored before it returns. */
void regs_switch_check(void **save_sp, void *to_sp, uint64_t base, uint64_t *out);
__asm__(".text\n"
	".globl regs_switch_check\n"
	".type regs_switch_check, @function\n"
	"regs_switch_check:\n"
	"	pushq %rbp\n pushq %rbx\n pushq %r12\n pushq %r13\n pushq %r14\n pushq %r15\n"
	"	pushq %rcx\n" /* out; rsp is now 16-byte aligned */
	"	movq %rdx, %rbx\n"
	"	leaq 1(%rdx), %rbp\n leaq 2(%rdx), %r12\n leaq 3(%rdx), %r13\n"
	"	leaq 4(%rdx), %r14\n leaq 5(%rdx), %r15\n"
	"	xorl %edx, %edx\n"
	"	call psp_ctx_switch@PLT\n"
	"	popq %rcx\n"
	"	movq %rbx, 0(%rcx)\n movq %rbp, 8(%rcx)\n movq %r12, 16(%rcx)\n"
	"	movq %r13, 24(%rcx)\n movq %r14, 32(%rcx)\n movq %r15, 40(%rcx)\n"
	"	popq %r15\n popq %r14\n popq %r13\n popq %r12\n popq %rbx\n popq %rbp\n"
	"	ret\n"
	".size regs_switch_check, .-regs_switch_check\n");

#define ROUNDS 4
static void *main_sp, *other_sp;
static uint64_t other_seen[ROUNDS][6];

/* The other context: switches back with its own patterns in every
 * callee-saved register, and records what it finds when resumed. */
static void regs_other(void *arg, void *val)
{
	(void)arg, (void)val;
	for (int k = 0;; k++)
		regs_switch_check(&other_sp, main_sp, 0xb0b0000000000000ull + 16u * (unsigned)k,
				  other_seen[k % ROUNDS]);
}

static void check_pattern(const uint64_t *v, uint64_t base)
{
	for (unsigned i = 0; i < 6; i++)
		ck_assert_msg(v[i] == base + i, "register %u: %#llx, expected %#llx", i,
			      (unsigned long long)v[i], (unsigned long long)(base + i));
}

START_TEST(test_ctx_callee_saved)
{
	static char stack[16384] __attribute__((aligned(16)));
	other_sp = psp_ctx_make(stack, sizeof(stack), regs_other, NULL);
	ck_assert_ptr_nonnull(other_sp);
	for (unsigned k = 0; k < ROUNDS; k++) {
		uint64_t mine[6];
		uint64_t base = 0xa0a0000000000000ull + 16u * k;
		regs_switch_check(&main_sp, other_sp, base, mine);
		check_pattern(mine, base); /* ours survived the other's patterns */
		if (k > 0) /* the other's from its previous switch survived ours */
			check_pattern(other_seen[k - 1], 0xb0b0000000000000ull + 16u * (k - 1));
	}
	ck_assert_ptr_null(psp_ctx_make(stack, PSP_CTX_STACK_MIN_BYTES - 1, regs_other, NULL));
}
END_TEST

static void val_entry(void *arg, void *val)
{
	/* arg from make, val from the first switch; then echo values back +1. */
	uintptr_t v = (uintptr_t)arg + (uintptr_t)val;
	for (;;)
		v = (uintptr_t)psp_ctx_switch(&other_sp, main_sp, (void *)(v + 1));
}

START_TEST(test_ctx_values)
{
	static char stack[16384] __attribute__((aligned(16)));
	other_sp = psp_ctx_make(stack, sizeof(stack), val_entry, (void *)100);
	uintptr_t r = (uintptr_t)psp_ctx_switch(&main_sp, other_sp, (void *)20);
	ck_assert_uint_eq(r, 121);
	r = (uintptr_t)psp_ctx_switch(&main_sp, other_sp, (void *)7);
	ck_assert_uint_eq(r, 8);
}
END_TEST

/* ---- tasks: FP control state, yields, locals ---- */

struct fp_probe {
	double up_before, up_after;
	uint32_t mxcsr_after;
	uint16_t cw_after;
};

static double divide(double a, double b)
{
	volatile double x = a, y = b;
	return x / y;
}

static void fp_task(void *arg)
{
	struct fp_probe *p = arg;
	fesetround(FE_UPWARD); /* sets both MXCSR and the x87 control word */
	p->up_before = divide(1.0, 3.0);
	self_request();
	psp_preempt_point();
	p->up_after = divide(1.0, 3.0);
	p->mxcsr_after = read_mxcsr();
	p->cw_after = read_x87_cw();
}

START_TEST(test_task_fp_state)
{
	struct psp_task_pool pool;
	struct psp_exec e;
	struct psp_task *t;
	struct fp_probe p = {0};
	pool_init(&pool, 1);
	psp_exec_init(&e);
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);

	fesetround(FE_DOWNWARD);
	uint32_t mx = read_mxcsr();
	uint16_t cw = read_x87_cw();
	ck_assert_int_eq(psp_task_start(&e, t, fp_task, &p), PSP_TASK_YIELDED);
	/* The task's rounding mode stayed in the task. */
	ck_assert_uint_eq(read_mxcsr(), mx);
	ck_assert_uint_eq(read_x87_cw(), cw);
	double down = divide(1.0, 3.0);
	ck_assert(down < p.up_before);

	fesetround(FE_TONEAREST); /* the worker changes its own mode meanwhile */
	ck_assert_int_eq(psp_task_resume(&e, t), PSP_TASK_FINISHED);
	ck_assert(p.up_after == p.up_before);
	ck_assert_uint_eq(p.mxcsr_after & 0x6000u, 0x4000u); /* RC = up */
	ck_assert_uint_eq(p.cw_after & 0x0c00u, 0x0800u);    /* RC = up */
	ck_assert_int_eq(fegetround(), FE_TONEAREST);
	psp_task_pool_fini(&pool);
}
END_TEST

#define NYIELDS 100

struct yield_state {
	uint64_t final_sum;
	int reached;
};

static void yield_task(void *arg)
{
	struct yield_state *s = arg;
	uint64_t local[32];
	double d = 1.0;
	for (unsigned i = 0; i < 32; i++)
		local[i] = 0x9e3779b97f4a7c15ull * (i + 1);
	for (int i = 0; i < NYIELDS; i++) {
		self_request();
		psp_preempt_point();
		for (unsigned j = 0; j < 32; j++)
			local[j] ^= local[(j + 1) % 32] + (uint64_t)i;
		d *= 1.5;
		s->reached = i + 1;
	}
	uint64_t sum = 0;
	for (unsigned j = 0; j < 32; j++)
		sum += local[j];
	s->final_sum = sum + (uint64_t)(d / 1e10);
}

/* The same computation without any switching, for the reference value. */
static uint64_t yield_reference(void)
{
	uint64_t local[32];
	double d = 1.0;
	for (unsigned i = 0; i < 32; i++)
		local[i] = 0x9e3779b97f4a7c15ull * (i + 1);
	for (int i = 0; i < NYIELDS; i++) {
		for (unsigned j = 0; j < 32; j++)
			local[j] ^= local[(j + 1) % 32] + (uint64_t)i;
		d *= 1.5;
	}
	uint64_t sum = 0;
	for (unsigned j = 0; j < 32; j++)
		sum += local[j];
	return sum + (uint64_t)(d / 1e10);
}

START_TEST(test_task_yields_n_times)
{
	struct psp_task_pool pool;
	struct psp_exec e;
	struct psp_task *t;
	struct yield_state s = {0};
	pool_init(&pool, 2);
	psp_exec_init(&e);
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);

	int r = psp_task_start(&e, t, yield_task, &s);
	int yields = 0;
	while (r == PSP_TASK_YIELDED) {
		yields++;
		ck_assert_int_eq(s.reached, yields - 1); /* stopped exactly at the point */
		ck_assert_uint_eq(t->state, PSP_TASK_PREEMPTED);
		r = psp_task_resume(&e, t);
	}
	ck_assert_int_eq(r, PSP_TASK_FINISHED);
	ck_assert_int_eq(yields, NYIELDS);
	ck_assert_uint_eq(t->preemptions, NYIELDS);
	ck_assert_uint_eq(e.preemptions, NYIELDS);
	ck_assert_uint_eq(e.slices, NYIELDS + 1);
	ck_assert_uint_eq(s.final_sum, yield_reference());
	ck_assert_uint_eq(t->state, PSP_TASK_DONE);
	ck_assert_int_eq(psp_task_put(&pool, t), 0);

	/* The recycled stack runs a fresh task from the start. */
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);
	r = psp_task_start(&e, t, yield_task, &s);
	while (r == PSP_TASK_YIELDED)
		r = psp_task_resume(&e, t);
	ck_assert_uint_eq(s.final_sum, yield_reference());
	psp_task_pool_fini(&pool);
}
END_TEST

/* ---- migration between threads ---- */

struct mig {
	struct psp_task *t;
	pthread_t seen[3];          /* thread at each stint */
	struct psp_exec *seen_exec[3];
	struct psp_exec *exec[3];   /* each stint's executor */
	int result[3];
	int stint;
};

__attribute__((noinline)) static pthread_t current_thread(void)
{
	return pthread_self();
}

static void mig_task(void *arg)
{
	struct mig *m = arg;
	/* Three stints, each ending at a preemption point inside the loop: a
	 * point that used the thread it started on would yield to the wrong
	 * worker (and crash this test). */
	for (int k = 0; k < 3; k++) {
		m->seen[k] = current_thread();
		m->seen_exec[k] = psp_exec_current();
		if (k < 2)
			self_request();
		for (int spin = 0; spin < 1000; spin++)
			psp_preempt_point();
	}
}

static void *mig_thread(void *arg)
{
	struct mig *m = arg;
	struct psp_exec e;
	psp_exec_init(&e);
	int k = m->stint;
	m->exec[k] = &e;
	m->result[k] = k == 0 ? psp_task_start(&e, m->t, mig_task, m)
			      : psp_task_resume(&e, m->t);
	m->exec[k] = NULL; /* e dies with this thread */
	if (m->result[k] == PSP_TASK_YIELDED && e.preemptions != 1)
		m->result[k] = -100;
	return NULL;
}

START_TEST(test_task_migrates)
{
	struct psp_task_pool pool;
	struct mig m = {0};
	pool_init(&pool, 1);
	ck_assert_int_eq(psp_task_get(&pool, &m.t), 0);
	pthread_t th[3];
	for (int k = 0; k < 3; k++) {
		m.stint = k;
		ck_assert_int_eq(pthread_create(&th[k], NULL, mig_thread, &m), 0);
		ck_assert_int_eq(pthread_join(th[k], NULL), 0);
	}
	ck_assert_int_eq(m.result[0], PSP_TASK_YIELDED);
	ck_assert_int_eq(m.result[1], PSP_TASK_YIELDED);
	ck_assert_int_eq(m.result[2], PSP_TASK_FINISHED);
	for (int k = 0; k < 3; k++) {
		ck_assert_msg(pthread_equal(m.seen[k], th[k]), "stint %d ran on the wrong thread", k);
		ck_assert_ptr_nonnull(m.seen_exec[k]);
	}
	ck_assert_uint_eq(m.t->preemptions, 2);
	ck_assert_int_eq(psp_task_put(&pool, m.t), 0);
	psp_task_pool_fini(&pool);
}
END_TEST

/* ---- the flag ---- */

struct work {
	volatile uint64_t before_point, after_point;
	int flag_seen;
};

static void no_point_task(void *arg)
{
	struct work *w = arg;
	self_request();
	for (uint64_t i = 0; i < 100000; i++)
		w->before_point++;
	w->flag_seen = psp_preempt_pending(&psp_exec_current()->flag);
}

START_TEST(test_task_without_points_completes)
{
	struct psp_task_pool pool;
	struct psp_exec e;
	struct psp_task *t;
	struct work w = {0};
	pool_init(&pool, 1);
	psp_exec_init(&e);
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);
	ck_assert_int_eq(psp_task_start(&e, t, no_point_task, &w), PSP_TASK_FINISHED);
	ck_assert_int_eq(w.flag_seen, 1);
	ck_assert_uint_eq(w.before_point, 100000);
	ck_assert_uint_eq(t->preemptions, 0);
	ck_assert_uint_eq(e.preemptions, 0);
	psp_task_pool_fini(&pool);
}
END_TEST

static void point_task(void *arg)
{
	struct work *w = arg;
	self_request();
	for (uint64_t i = 0; i < 5000; i++)
		w->before_point++;
	psp_preempt_point();
	for (uint64_t i = 0; i < 7; i++)
		w->after_point++;
}

START_TEST(test_flag_honoured_only_at_points)
{
	struct psp_task_pool pool;
	struct psp_exec e;
	struct psp_task *t;
	struct work w = {0};
	pool_init(&pool, 1);
	psp_exec_init(&e);
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);
	/* Set before the slice starts: the start clears it (a stale request). */
	psp_preempt_request(&e.flag);
	ck_assert_int_eq(psp_task_start(&e, t, point_task, &w), PSP_TASK_YIELDED);
	ck_assert_uint_eq(w.before_point, 5000); /* all the work before the point */
	ck_assert_uint_eq(w.after_point, 0);     /* none after it */
	ck_assert(psp_preempt_pending(&e.flag)); /* yielding does not clear it */
	ck_assert_int_eq(psp_task_resume(&e, t), PSP_TASK_FINISHED);
	ck_assert(!psp_preempt_pending(&e.flag)); /* the resume's slice cleared it */
	ck_assert_uint_eq(w.after_point, 7);

	/* Outside any task a point is a no-op even with a flag set, and
	 * yield returns at once. */
	psp_preempt_request(&e.flag);
	psp_preempt_point();
	psp_preempt_yield();
	ck_assert_ptr_null(psp_exec_current());
	psp_task_pool_fini(&pool);
}
END_TEST

/* Counts the points it passed and whether the last one yielded; stops after
 * `points` points. */
struct pointer {
	uint32_t points, passed, yields;
	uint32_t token_seen; /* the flag's value at the first point */
};

static void points_task(void *arg)
{
	struct pointer *p = arg;
	p->token_seen = atomic_load(&psp_exec_current()->flag.requested);
	for (; p->passed < p->points; p->passed++)
		if (psp_preempt_point_yielded())
			p->yields++;
}

/* A flag holding another slice's token is void: ignored and cleared; the
 * slice's own token (or ANY) preempts it. */
START_TEST(test_flag_token_names_the_slice)
{
	struct psp_task_pool pool;
	struct psp_exec e;
	struct psp_task *t;
	struct pointer p = {.points = 3};
	pool_init(&pool, 1);
	psp_exec_init(&e);
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);
	psp_exec_slice(&e, 7, 0);
	/* another slice's token, stored before the start (which voids it) */
	psp_preempt_request_token(&e.flag, 6);
	ck_assert_int_eq(psp_task_start(&e, t, points_task, &p), PSP_TASK_FINISHED);
	ck_assert_uint_eq(p.yields, 0);
	ck_assert_uint_eq(p.passed, 3);
	psp_task_put(&pool, t);
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);
	p = (struct pointer){.points = 3};
	psp_exec_slice(&e, 8, 0);
	ck_assert_int_eq(psp_task_start(&e, t, points_task, &p), PSP_TASK_FINISHED);
	ck_assert_uint_eq(p.yields, 0);
	psp_task_pool_fini(&pool);

	/* Stale token stored while the slice runs: cleared at the next point. */
	struct psp_preempt_flag f;
	memset(&f, 0, sizeof(f));
	f.token = 9;
	psp_preempt_request_token(&f, 4);
	ck_assert(!psp_preempt_due(&f));
	ck_assert(!psp_preempt_pending(&f));
	psp_preempt_request_token(&f, 9);
	ck_assert(psp_preempt_due(&f));
	psp_preempt_request(&f);
	ck_assert(psp_preempt_due(&f));
}
END_TEST

/* A worker-timed slice yields at the first point past its deadline, without
 * any flag; a slice without a deadline runs on. */
START_TEST(test_worker_timed_slice)
{
	struct psp_task_pool pool;
	struct psp_exec e;
	struct psp_task *t;
	struct pointer p = {.points = 5};
	pool_init(&pool, 1);
	psp_exec_init(&e);
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);
	psp_exec_slice(&e, 2, 1); /* deadline long past */
	ck_assert_int_eq(psp_task_start(&e, t, points_task, &p), PSP_TASK_YIELDED);
	ck_assert_uint_eq(p.token_seen, PSP_PREEMPT_TIMED);
	ck_assert_uint_eq(p.passed, 0);
	ck_assert_int_eq(psp_task_resume(&e, t), PSP_TASK_YIELDED); /* still past */
	psp_exec_slice(&e, 3, __builtin_ia32_rdtsc() + (1ull << 50)); /* far ahead */
	ck_assert_int_eq(psp_task_resume(&e, t), PSP_TASK_FINISHED);
	ck_assert_uint_eq(p.passed, 5);
	ck_assert_uint_eq(p.yields, 2);
	ck_assert_uint_eq(t->preemptions, 2);
	psp_task_put(&pool, t);
	/* untimed again: the flag word is 0 at the start */
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);
	p = (struct pointer){.points = 5};
	psp_exec_slice(&e, 4, 0);
	ck_assert_int_eq(psp_task_start(&e, t, points_task, &p), PSP_TASK_FINISHED);
	ck_assert_uint_eq(p.token_seen, 0);
	ck_assert_uint_eq(p.yields, 0);
	psp_task_pool_fini(&pool);
}
END_TEST

/* A worker-timed slice with the host's hint yields past its deadline only
 * while the hint says another request waits: alone, it runs on; once the
 * hint turns on, it yields at the next point, deadline long past. */
struct hinted {
	_Atomic uint32_t *waiting;
	uint32_t points, passed, yields, turn_on_at;
};

static void hinted_task(void *arg)
{
	struct hinted *h = arg;
	for (; h->passed < h->points; h->passed++) {
		if (h->passed == h->turn_on_at)
			atomic_store(h->waiting, 1u);
		if (psp_preempt_point_yielded())
			h->yields++;
	}
}

START_TEST(test_worker_timed_slice_waits_for_hint)
{
	struct psp_task_pool pool;
	struct psp_exec e;
	struct psp_task *t;
	_Atomic uint32_t waiting = 0;
	struct hinted h = {.waiting = &waiting, .points = 10, .turn_on_at = 6};
	pool_init(&pool, 1);
	psp_exec_init(&e);
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);
	psp_exec_slice_waiting(&e, 2, 1, &waiting); /* deadline long past */
	ck_assert_int_eq(psp_task_start(&e, t, hinted_task, &h), PSP_TASK_YIELDED);
	ck_assert_uint_eq(h.passed, 6); /* points 0..5 ran on; 6 turned the hint on */
	ck_assert_uint_eq(t->preemptions, 1);
	atomic_store(&waiting, 0u);
	ck_assert_int_eq(psp_task_resume(&e, t), PSP_TASK_FINISHED);
	ck_assert_uint_eq(h.yields, 1);
	psp_task_put(&pool, t);
	psp_task_pool_fini(&pool);
}
END_TEST

/* The prepare hook (psp_exec_prepare): what it saw at each call. */
struct prep {
	const uint32_t *passed; /* the running task's point count */
	uint32_t calls;
	uint32_t passed_at;     /* *passed at the last call */
	uint64_t tsc;           /* TSC at the last call */
	struct psp_exec *exec;  /* the executor running it (inside a task) */
};

static void prep_hook(void *ctx)
{
	struct prep *h = ctx;
	h->calls++;
	h->passed_at = *h->passed;
	h->tsc = __builtin_ia32_rdtsc();
	h->exec = psp_exec_current();
}

/* The hook runs once per worker-timed slice, inside the task, at the first
 * point at or after deadline - lead; never in an untimed slice nor once
 * removed; and the slices yield exactly as test_worker_timed_slice's. */
START_TEST(test_prepare_hook_once_per_slice)
{
	struct psp_task_pool pool;
	struct psp_exec e;
	struct psp_task *t;
	struct pointer p = {.points = 5};
	struct prep h = {.passed = &p.passed};
	pool_init(&pool, 1);
	psp_exec_init(&e);
	psp_exec_prepare(&e, 1000, prep_hook, &h);
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);
	psp_exec_slice(&e, 2, 1); /* deadline long past: hook, then the yield */
	ck_assert_int_eq(psp_task_start(&e, t, points_task, &p), PSP_TASK_YIELDED);
	ck_assert_uint_eq(h.calls, 1);
	ck_assert_uint_eq(h.passed_at, 0);
	ck_assert_ptr_eq(h.exec, &e);
	ck_assert_uint_eq(p.passed, 0);
	ck_assert_int_eq(psp_task_resume(&e, t), PSP_TASK_YIELDED); /* a new slice */
	ck_assert_uint_eq(h.calls, 2);
	ck_assert_uint_eq(h.passed_at, 1);
	/* Deadline far ahead, lead 1 cycle: the lead point is never reached. */
	psp_exec_prepare(&e, 1, prep_hook, &h);
	psp_exec_slice(&e, 3, __builtin_ia32_rdtsc() + (1ull << 50));
	ck_assert_int_eq(psp_task_resume(&e, t), PSP_TASK_FINISHED);
	ck_assert_uint_eq(h.calls, 2);
	ck_assert_uint_eq(p.passed, 5);
	ck_assert_uint_eq(p.yields, 2);
	ck_assert_uint_eq(t->preemptions, 2);
	psp_task_put(&pool, t);

	/* A lead longer than the time to the deadline: the first point calls
	 * it, once, long before the deadline; five points, no yield. */
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);
	p = (struct pointer){.points = 5};
	uint64_t deadline = __builtin_ia32_rdtsc() + (1ull << 50);
	psp_exec_prepare(&e, 1ull << 51, prep_hook, &h);
	psp_exec_slice(&e, 4, deadline);
	ck_assert_int_eq(psp_task_start(&e, t, points_task, &p), PSP_TASK_FINISHED);
	ck_assert_uint_eq(h.calls, 3);
	ck_assert_uint_eq(h.passed_at, 0);
	ck_assert_uint_lt(h.tsc, deadline);
	ck_assert_uint_eq(p.yields, 0);
	psp_task_put(&pool, t);

	/* Untimed: never called. */
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);
	p = (struct pointer){.points = 5};
	psp_exec_slice(&e, 5, 0);
	ck_assert_int_eq(psp_task_start(&e, t, points_task, &p), PSP_TASK_FINISHED);
	ck_assert_uint_eq(h.calls, 3);
	ck_assert_uint_eq(p.token_seen, 0);
	psp_task_put(&pool, t);

	/* Removed: the deadline alone, as before the hook. */
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);
	p = (struct pointer){.points = 5};
	psp_exec_prepare(&e, 1000, NULL, NULL);
	psp_exec_slice(&e, 6, 1);
	ck_assert_int_eq(psp_task_start(&e, t, points_task, &p), PSP_TASK_YIELDED);
	ck_assert_uint_eq(p.passed, 0);
	ck_assert_int_eq(psp_task_resume(&e, t), PSP_TASK_YIELDED);
	psp_exec_slice(&e, 7, 0);
	ck_assert_int_eq(psp_task_resume(&e, t), PSP_TASK_FINISHED);
	ck_assert_uint_eq(h.calls, 3);
	ck_assert_uint_eq(p.yields, 2);
	psp_task_put(&pool, t);
	psp_task_pool_fini(&pool);
}
END_TEST

/* Spins through points until one yields; counts them. */
static void until_yield_task(void *arg)
{
	struct pointer *p = arg;
	while (!psp_preempt_point_yielded())
		p->passed++;
}

/* A real lead window: the hook runs inside [deadline - lead, deadline), at
 * an earlier point than the one that yields at the deadline.  (Only a
 * descheduling of this thread across the whole window, ~100 us, would put
 * the first point after the lead point past the deadline.) */
START_TEST(test_prepare_hook_before_deadline)
{
	struct psp_task_pool pool;
	struct psp_exec e;
	struct psp_task *t;
	struct pointer p = {0};
	struct prep h = {.passed = &p.passed};
	pool_init(&pool, 1);
	psp_exec_init(&e);
	psp_exec_prepare(&e, 1ull << 19, prep_hook, &h);
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);
	uint64_t deadline = __builtin_ia32_rdtsc() + (1ull << 20);
	psp_exec_slice(&e, 2, deadline);
	ck_assert_int_eq(psp_task_start(&e, t, until_yield_task, &p), PSP_TASK_YIELDED);
	ck_assert_uint_ge(__builtin_ia32_rdtsc(), deadline);
	ck_assert_uint_eq(h.calls, 1);
	ck_assert_uint_ge(h.tsc, deadline - (1ull << 19));
	ck_assert_uint_lt(h.tsc, deadline);
	ck_assert_uint_lt(h.passed_at, p.passed);
	psp_exec_slice(&e, 3, 0);
	ck_assert_int_eq(psp_task_resume(&e, t), PSP_TASK_FINISHED);
	ck_assert_uint_eq(h.calls, 1);
	psp_task_put(&pool, t);
	psp_task_pool_fini(&pool);
}
END_TEST

/* With the waiting hint: the hook at the first point, the yield still only
 * once the hint turns on (as test_worker_timed_slice_waits_for_hint). */
START_TEST(test_prepare_hook_with_hint)
{
	struct psp_task_pool pool;
	struct psp_exec e;
	struct psp_task *t;
	_Atomic uint32_t waiting = 0;
	struct hinted hi = {.waiting = &waiting, .points = 10, .turn_on_at = 6};
	struct prep h = {.passed = &hi.passed};
	pool_init(&pool, 1);
	psp_exec_init(&e);
	psp_exec_prepare(&e, 1000, prep_hook, &h);
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);
	psp_exec_slice_waiting(&e, 2, 1, &waiting);
	ck_assert_int_eq(psp_task_start(&e, t, hinted_task, &hi), PSP_TASK_YIELDED);
	ck_assert_uint_eq(hi.passed, 6);
	ck_assert_uint_eq(h.calls, 1);
	ck_assert_uint_eq(h.passed_at, 0);
	atomic_store(&waiting, 0u);
	ck_assert_int_eq(psp_task_resume(&e, t), PSP_TASK_FINISHED);
	ck_assert_uint_eq(h.calls, 2);
	ck_assert_uint_eq(hi.yields, 1);
	psp_task_put(&pool, t);
	psp_task_pool_fini(&pool);
}
END_TEST

/* A dispatcher thread sets the flag while a task spins through points. */
struct disp {
	struct psp_exec *e;
	_Atomic int stop;
	uint64_t requests;
};

static void *disp_thread(void *arg)
{
	struct disp *d = arg;
	while (!atomic_load(&d->stop)) {
		if (!psp_preempt_pending(&d->e->flag)) {
			psp_preempt_request(&d->e->flag);
			d->requests++;
		}
		struct timespec ts = {0, 20000};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void spin_task(void *arg)
{
	uint64_t *iters = arg;
	uint64_t end = now_ns() + 30 * 1000000u; /* 30 ms of wall time */
	while (now_ns() < end) {
		(*iters)++;
		psp_preempt_point();
	}
}

START_TEST(test_dispatcher_thread_preempts)
{
	struct psp_task_pool pool;
	struct psp_exec e;
	struct psp_task *t;
	struct disp d = {.e = &e};
	uint64_t iters = 0;
	pool_init(&pool, 1);
	psp_exec_init(&e);
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, disp_thread, &d), 0);
	int r = psp_task_start(&e, t, spin_task, &iters);
	uint64_t yields = 0;
	while (r == PSP_TASK_YIELDED) {
		yields++;
		r = psp_task_resume(&e, t);
	}
	atomic_store(&d.stop, 1);
	pthread_join(th, NULL);
	ck_assert_int_eq(r, PSP_TASK_FINISHED);
	ck_assert_uint_gt(yields, 0);
	ck_assert_uint_eq(yields, t->preemptions);
	ck_assert_uint_le(yields, d.requests);
	ck_assert_uint_gt(iters, yields);
	psp_task_pool_fini(&pool);
}
END_TEST

/* ---- misuse ---- */

static struct psp_task_pool *nest_pool;
static int nest_result;

static void nest_task(void *arg)
{
	struct psp_task *inner;
	ck_assert_int_eq(psp_task_get(nest_pool, &inner), 0);
	nest_result = psp_task_start(psp_exec_current(), inner, nest_task, arg);
	psp_task_put(nest_pool, inner);
}

START_TEST(test_task_misuse)
{
	struct psp_task_pool pool;
	struct psp_exec e;
	struct psp_task *t;
	pool_init(&pool, 2);
	psp_exec_init(&e);
	nest_pool = &pool;
	ck_assert_int_eq(psp_task_get(&pool, &t), 0);
	ck_assert_int_eq(psp_task_resume(&e, t), -EINVAL);          /* never started */
	ck_assert_int_eq(psp_task_start(&e, t, NULL, NULL), -EINVAL);
	ck_assert_int_eq(psp_task_start(&e, t, nest_task, NULL), PSP_TASK_FINISHED);
	ck_assert_int_eq(nest_result, -EBUSY);                      /* start inside a task */
	ck_assert_int_eq(psp_task_start(&e, t, nest_task, NULL), -EINVAL); /* DONE */
	ck_assert_int_eq(pool.nfree, 1);
	psp_task_pool_fini(&pool);
}
END_TEST

/* ---- the pool ---- */

START_TEST(test_pool_limits)
{
	struct psp_task_pool pool;
	struct psp_task_pool_conf conf = {.ntasks = 0, .stack_bytes = STACK_BYTES};
	ck_assert_int_eq(psp_task_pool_init(&pool, &conf), -EINVAL);
	conf.ntasks = PSP_TASK_POOL_MAX + 1;
	ck_assert_int_eq(psp_task_pool_init(&pool, &conf), -EINVAL);
	conf.ntasks = 3;
	conf.stack_bytes = PSP_TASK_STACK_MIN_BYTES - 1;
	ck_assert_int_eq(psp_task_pool_init(&pool, &conf), -EINVAL);
	conf.stack_bytes = 10000; /* rounded up to pages */
	conf.prefault = true;
	ck_assert_int_eq(psp_task_pool_init(&pool, &conf), 0);
	ck_assert_uint_eq(pool.stack_bytes % pool.guard_bytes, 0);
	ck_assert_uint_ge(pool.stack_bytes, 10000);

	struct psp_task *t[4];
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(psp_task_get(&pool, &t[i]), 0);
	ck_assert_int_eq(psp_task_get(&pool, &t[3]), -ENOBUFS);
	ck_assert_ptr_null(t[3]);
	ck_assert_uint_eq(pool.exhausted, 1);
	/* Distinct, non-overlapping stacks with a guard between neighbours. */
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			if (i != j) {
				uintptr_t a = (uintptr_t)t[i]->stack_lo, b = (uintptr_t)t[j]->stack_lo;
				ck_assert(a + pool.stack_bytes + pool.guard_bytes <= b ||
					  b + pool.stack_bytes + pool.guard_bytes <= a);
			}
	ck_assert_int_eq(psp_task_put(&pool, t[1]), 0);
	ck_assert_int_eq(psp_task_put(&pool, t[1]), -EINVAL); /* double put */
	ck_assert_uint_eq(pool.nfree, 1);
	struct psp_task *again;
	ck_assert_int_eq(psp_task_get(&pool, &again), 0);
	ck_assert_ptr_eq(again, t[1]); /* LIFO: the warm stack */

	struct psp_task_pool other;
	pool_init(&other, 1);
	ck_assert_int_eq(psp_task_put(&other, t[0]), -EINVAL); /* not its pool */
	psp_task_pool_fini(&other);
	psp_task_pool_fini(&pool);
	psp_task_pool_fini(&pool); /* zeroed: harmless */
}
END_TEST

START_TEST(test_pool_no_allocation_after_init)
{
	struct psp_task_pool pool;
	struct psp_exec e;
	struct yield_state s[4];
	struct psp_task *t[4];
	int ok = 1;
	pool_init(&pool, 4);
	psp_exec_init(&e);
	/* No Check assertion inside the window: they may allocate. */
	unsigned before = atomic_load(&alloc_calls);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 4; i++) {
			memset(&s[i], 0, sizeof(s[i]));
			ok &= psp_task_get(&pool, &t[i]) == 0;
			ok &= psp_task_start(&e, t[i], yield_task, &s[i]) == PSP_TASK_YIELDED;
		}
		struct psp_task *none;
		ok &= psp_task_get(&pool, &none) == -ENOBUFS;
		for (int i = 0; i < 4; i++) {
			int r;
			while ((r = psp_task_resume(&e, t[i])) == PSP_TASK_YIELDED)
				;
			ok &= r == PSP_TASK_FINISHED;
			ok &= psp_task_put(&pool, t[i]) == 0;
		}
	}
	unsigned after = atomic_load(&alloc_calls);
	ck_assert(ok);
	ck_assert_uint_eq(after, before);
	/* And the counter does count: init allocates. */
	struct psp_task_pool other;
	pool_init(&other, 1);
	ck_assert_uint_gt(atomic_load(&alloc_calls), after);
	psp_task_pool_fini(&other);
	psp_task_pool_fini(&pool);
}
END_TEST

/* ---- guard page ---- */

static uintptr_t guard_floor; /* below the guard page: the next stack */
static volatile int overflowed_silently;

static int recurse(int depth)
{
	volatile char buf[512];
	buf[0] = (char)depth;
	/* The frame's address, not buf's: with ASan's detect_stack_use_after_return
	 * locals live on a heap "fake stack". */
	if ((uintptr_t)__builtin_frame_address(0) < guard_floor) {
		overflowed_silently = 1; /* wrote past the guard without a fault */
		return 0;
	}
	return recurse(depth + 1) + buf[0];
}

static void overflow_task(void *arg)
{
	(void)arg;
	recurse(0);
}

/* Expected to die by SIGSEGV (Check checks the signal); returning means the
 * overflow ran into the neighbouring stack unnoticed. */
START_TEST(test_guard_page_faults)
{
	struct psp_task_pool pool;
	struct psp_task_pool_conf conf = {.ntasks = 2, .stack_bytes = 16384};
	struct psp_exec e;
	struct psp_task *t0, *t1;
	/* Under ASan its SEGV handler would report and exit(1); the plain
	 * signal is what this test is about. */
	signal(SIGSEGV, SIG_DFL);
	ck_assert_int_eq(psp_task_pool_init(&pool, &conf), 0);
	psp_exec_init(&e);
	ck_assert_int_eq(psp_task_get(&pool, &t0), 0);
	ck_assert_int_eq(psp_task_get(&pool, &t1), 0);
	struct psp_task *hi = (uintptr_t)t1->stack_lo > (uintptr_t)t0->stack_lo ? t1 : t0;
	guard_floor = (uintptr_t)hi->stack_lo - pool.guard_bytes - 1024;
	psp_task_start(&e, hi, overflow_task, NULL);
	ck_abort_msg("overflow did not fault (silently: %d)", overflowed_silently);
}
END_TEST

Suite *psp_preempt_suite(void);
Suite *psp_preempt_suite(void)
{
	Suite *s = suite_create("preempt");
	TCase *tc = tcase_create("ctx");
	tcase_add_test(tc, test_ctx_callee_saved);
	tcase_add_test(tc, test_ctx_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("task");
	tcase_add_test(tc, test_task_fp_state);
	tcase_add_test(tc, test_task_yields_n_times);
	tcase_add_test(tc, test_task_migrates);
	tcase_add_test(tc, test_task_misuse);
	suite_add_tcase(s, tc);

	tc = tcase_create("flag");
	tcase_add_test(tc, test_task_without_points_completes);
	tcase_add_test(tc, test_flag_honoured_only_at_points);
	tcase_add_test(tc, test_dispatcher_thread_preempts);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("pool");
	tcase_add_test(tc, test_pool_limits);
	tcase_add_test(tc, test_flag_token_names_the_slice);
	tcase_add_test(tc, test_worker_timed_slice);
	tcase_add_test(tc, test_worker_timed_slice_waits_for_hint);
	tcase_add_test(tc, test_prepare_hook_once_per_slice);
	tcase_add_test(tc, test_prepare_hook_before_deadline);
	tcase_add_test(tc, test_prepare_hook_with_hint);
	tcase_add_test(tc, test_pool_no_allocation_after_init);
	tcase_add_test_raise_signal(tc, test_guard_page_faults, SIGSEGV);
	suite_add_tcase(s, tc);
	return s;
}
