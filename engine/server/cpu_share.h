/* Whether the engine's polling lcores have a CPU each: the CPUs their
 * cpusets (the EAL's --lcores / -l mapping) allow, within the process's
 * affinity mask at start, against the number of lcores that poll (the
 * dispatcher and the workers).  idle: auto parks the workers when they are
 * oversubscribed. */
#ifndef PSP_ENGINE_CPU_SHARE_H
#define PSP_ENGINE_CPU_SHARE_H

#include <sched.h> /* cpu_set_t: define _GNU_SOURCE before any header */
#include <stdbool.h>
#include <stdint.h>

struct cpu_share {
	uint32_t lcores;      /* polling lcores */
	uint32_t cpus;        /* CPUs they may run on (in the affinity mask) */
	uint32_t isolated;    /* of those, CPUs in /sys/devices/system/cpu/isolated */
	bool oversubscribed;  /* lcores > cpus */
	char cpu_list[256];   /* the cpus as a list ("0-1") */
};

/* Parses a kernel CPU list ("0-3,8,10-11", "" or "\n": none) into set;
 * returns 0, or -1 when it is not one. */
int cpu_list_parse(const char *s, cpu_set_t *set);

/* Formats set as a CPU list into buf ("none" when empty). */
void cpu_list_format(const cpu_set_t *set, char *buf, size_t cap);

/* Measures the polling lcores lcore[0..n) (EAL lcore ids; the EAL must be
 * initialised) against affinity (the process's mask before the EAL
 * pinned its threads).  isolated_path: the kernel's isolated CPU list,
 * read if present. */
void cpu_share_measure(const cpu_set_t *affinity, const uint32_t *lcore, uint32_t n,
		       const char *isolated_path, struct cpu_share *out);

#endif
