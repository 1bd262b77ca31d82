/* Where workload names are looked up, and what is there. */
#define _DEFAULT_SOURCE /* readlink, realpath, strndup under -std=c11 */
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#if !defined(PSP_SOURCE_WORKLOAD_DIR) || !defined(PSP_INSTALL_WORKLOAD_DIR) || \
	!defined(PSP_WORKLOAD_DIR_FROM_BIN)
#error "the build must define the workload directories (workloads/CMakeLists.txt)"
#endif

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The installed workload directory as seen from the running binary
 * (PSP_WORKLOAD_DIR_FROM_BIN, "../share/psp/workloads" for the usual
 * layout), written into buf; NULL when /proc/self/exe is unreadable or the
 * directory does not exist.  Relative to the binary, so a prefix that was
 * moved after installation still works. */
static const char *beside_binary(char *buf, size_t cap)
{
	char exe[PATH_MAX], cand[2 * PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	snprintf(cand, sizeof(cand), "%s/%s", exe, PSP_WORKLOAD_DIR_FROM_BIN);
	char real[PATH_MAX];
	if (!is_dir(cand) || !realpath(cand, real))
		return NULL;
	snprintf(buf, cap, "%s", real);
	return buf;
}

/* In order: $PSP_WORKLOAD_PATH; the installed directory beside the binary
 * (an installed program); the source tree's (a program in the build tree);
 * the directory the build was configured to install to (a program copied out
 * of its prefix); else the source tree's, which the not-found error names.
 * The answer can change between calls ($PSP_WORKLOAD_PATH), so it is worked
 * out each time into a per-thread buffer rather than cached in a global:
 * two threads asking at once do not race.  Not a hot path. */
const char *psp_workload_dir(void)
{
	static _Thread_local char buf[PATH_MAX];
	const char *env = getenv("PSP_WORKLOAD_PATH");
	if (env && env[0])
		return env;
	const char *inst = beside_binary(buf, sizeof(buf));
	if (inst)
		return inst;
	if (!is_dir(PSP_SOURCE_WORKLOAD_DIR) && is_dir(PSP_INSTALL_WORKLOAD_DIR))
		return PSP_INSTALL_WORKLOAD_DIR;
	return PSP_SOURCE_WORKLOAD_DIR;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Returns the number of names written (a name that does not fit whole is
 * left out, and so is every later one, so the list never ends mid-name). */
unsigned psp_workload_list(char *buf, unsigned cap)
{
	if (cap)
		buf[0] = '\0';
	DIR *d = opendir(psp_workload_dir());
	if (!d)
		return 0;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len <= 4 || strcmp(e->d_name + len - 4, ".yml") != 0 || e->d_name[0] == '.')
			continue;
		if (n == alloc) {
			size_t na = alloc ? 2 * alloc : 16;
			char **nn = realloc(names, na * sizeof(*nn));
			if (!nn)
				break; /* list what we have */
			names = nn;
			alloc = na;
		}
		names[n] = strndup(e->d_name, len - 4);
		if (names[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);

	unsigned written = 0, used = 0;
	for (size_t i = 0; i < n; i++) {
		size_t need = strlen(names[i]) + (written ? 2 : 0);
		if (used + need + 1 <= cap) {
			snprintf(buf + used, cap - used, "%s%s", written ? ", " : "", names[i]);
			used += (unsigned)need;
			written++;
		} else {
			cap = 0; /* stop: keep the list a prefix of the sorted names */
		}
		free(names[i]);
	}
	free(names);
	return written;
}
