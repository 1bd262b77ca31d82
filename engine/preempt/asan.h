/* AddressSanitizer's fiber annotations, or nothing.  ASan tracks one stack
 * per thread; without these calls a switch to a task's stack looks like a
 * wild stack-pointer jump and its stack-use checks report false errors.
 * Protocol (sanitizer/common_interface_defs.h): before every switch,
 * start_switch(&save, bounds of the stack being switched to), with save NULL
 * when the context being left will never run again; first thing after the
 * switch returns, finish_switch(save, &bounds of the stack we came from). */
#ifndef PSP_PREEMPT_ASAN_H
#define PSP_PREEMPT_ASAN_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define PSP_PREEMPT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PSP_PREEMPT_ASAN 1
#endif
#endif

#ifdef PSP_PREEMPT_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>

static inline void asan_start_switch(void **save, const void *bottom, size_t size)
{
	__sanitizer_start_switch_fiber(save, bottom, size);
}

static inline void asan_finish_switch(void *save, const void **from_bottom,
				      size_t *from_size)
{
	__sanitizer_finish_switch_fiber(save, from_bottom, from_size);
}

/* A reused stack may hold the poisoned redzones of frames that never
 * returned (an abandoned task, a finished task's entry frame). */
static inline void asan_unpoison(void *p, size_t n)
{
	__asan_unpoison_memory_region(p, n);
}
#else
static inline void asan_start_switch(void **save, const void *bottom, size_t size)
{
	(void)save, (void)bottom, (void)size;
}

static inline void asan_finish_switch(void *save, const void **from_bottom,
				      size_t *from_size)
{
	(void)save, (void)from_bottom, (void)from_size;
}

static inline void asan_unpoison(void *p, size_t n)
{
	(void)p, (void)n;
}
#endif

#endif
