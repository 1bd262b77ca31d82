/* See eal_fail.h.  The clash check mirrors where DPDK keeps a primary
 * process's runtime state: <runtime dir>/dpdk/<file prefix>/config, a file the
 * primary holds a write lock on for its whole life (root: /var/run; others:
 * $XDG_RUNTIME_DIR, else /tmp; default prefix "rte"). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>

#include "eal_fail.h"

/* The --file-prefix among the EAL arguments ("--file-prefix X" or
 * "--file-prefix=X"), or DPDK's default. */
static const char *file_prefix(int argc, char **argv)
{
	const char *prefix = "rte";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--file-prefix") && i + 1 < argc)
			prefix = argv[++i];
		else if (!strncmp(argv[i], "--file-prefix=", 14))
			prefix = argv[i] + 14;
	}
	return prefix;
}

/* The pid holding the primary's lock on path, or 0 when none does. */
static pid_t lock_holder(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
	pid_t pid = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK ? fl.l_pid : 0;
	close(fd);
	return pid;
}

void eal_report_init_failure(const char *prog, int argc, char **argv)
{
	const char *base = getuid() == 0 ? "/var/run" : getenv("XDG_RUNTIME_DIR");
	char path[1024];
	const char *prefix = file_prefix(argc, argv);
	snprintf(path, sizeof(path), "%s/dpdk/%s/config", base ? base : "/tmp", prefix);
	pid_t pid = lock_holder(path);
	if (pid > 0)
		fprintf(stderr,
			"%s: EAL initialisation failed: another DPDK process (pid %ld) runs with "
			"file prefix \"%s\" (it holds %s); stop it, or give this run a prefix of "
			"its own (--file-prefix NAME in the config's eal: list)\n",
			prog, (long)pid, prefix, path);
	else if (rte_errno != 0)
		fprintf(stderr, "%s: EAL initialisation failed: %s\n", prog,
			rte_strerror(rte_errno));
	else
		fprintf(stderr,
			"%s: EAL initialisation failed; the EAL's own reason is in its log "
			"lines above (raise --log-level in eal: if there are none)\n",
			prog);
}
