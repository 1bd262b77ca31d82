/* The polling lcores against the CPUs they may use (cpu_share.h). */
#define _GNU_SOURCE /* cpu_set_t */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>

#include "cpu_share.h"

int cpu_list_parse(const char *s, cpu_set_t *set)
{
	CPU_ZERO(set);
	while (*s && *s != '\n') {
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;
		if (end == s)
			return -1;
		if (*end == '-') {
			s = end + 1;
			hi = strtoul(s, &end, 10);
			if (end == s || hi < lo)
				return -1;
		}
		if (hi >= CPU_SETSIZE)
			return -1;
		for (unsigned long c = lo; c <= hi; c++)
			CPU_SET(c, set);
		s = end;
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -1;
	}
	return 0;
}

void cpu_list_format(const cpu_set_t *set, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE && n < cap; c++) {
		if (!CPU_ISSET(c, set))
			continue;
		int hi = c;
		while (hi + 1 < CPU_SETSIZE && CPU_ISSET(hi + 1, set))
			hi++;
		n += (size_t)snprintf(buf + n, cap - n, hi > c ? "%s%d-%d" : "%s%d", n ? "," : "",
				      c, hi);
		c = hi;
	}
	if (n == 0)
		snprintf(buf, cap, "none");
}

void cpu_share_measure(const cpu_set_t *affinity, const uint32_t *lcore, uint32_t n,
		       const char *isolated_path, struct cpu_share *out)
{
	cpu_set_t cpus, isolated;
	CPU_ZERO(&cpus);
	CPU_ZERO(&isolated);
	for (uint32_t i = 0; i < n; i++) {
		rte_cpuset_t s = rte_lcore_cpuset(lcore[i]);
		CPU_OR(&cpus, &cpus, &s);
	}
	CPU_AND(&cpus, &cpus, affinity);
	FILE *f = fopen(isolated_path, "r");
	if (f) {
		char line[1024];
		if (!fgets(line, sizeof(line), f) || cpu_list_parse(line, &isolated) < 0)
			CPU_ZERO(&isolated);
		fclose(f);
	}
	CPU_AND(&isolated, &isolated, &cpus);
	out->lcores = n;
	out->cpus = (uint32_t)CPU_COUNT(&cpus);
	out->isolated = (uint32_t)CPU_COUNT(&isolated);
	out->oversubscribed = n > out->cpus;
	cpu_list_format(&cpus, out->cpu_list, sizeof(out->cpu_list));
}
