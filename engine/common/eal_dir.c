/* Runtime directory clean-up; see eal_dir.h. */
#include <dirent.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>

#include "eal_dir.h"

void eal_dir_save(char *buf, size_t cap)
{
	const char *d = rte_eal_get_runtime_dir();
	if (!d || (size_t)snprintf(buf, cap, "%s", d) >= cap)
		buf[0] = '\0';
}

void eal_dir_remove(const char *dir)
{
	if (!dir[0])
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));) {
		char p[4096];
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (size_t)snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) >= sizeof(p))
			continue;
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

/* The directory the EAL puts runtime directories in (its own rule: root's
 * under /var/run, others' under $XDG_RUNTIME_DIR or /tmp). */
static void runtime_base(char *buf, size_t cap)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	snprintf(buf, cap, "%s/dpdk", getuid() == 0 ? "/var/run" : xdg ? xdg : "/tmp");
}

/* Whether dir is a dead process's: its config file exists, is old enough,
 * and no process holds a lock on it. */
static bool dead(const char *dir)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/config", dir) >= sizeof(path))
		return false;
	struct stat sb;
	if (stat(path, &sb) < 0 || time(NULL) - sb.st_mtime < EAL_DIR_STALE_SECONDS)
		return false;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
	bool unlocked = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK;
	close(fd);
	return unlocked;
}

int eal_dir_remove_stale(const char *prefix)
{
	char base[4096];
	runtime_base(base, sizeof(base));
	DIR *d = opendir(base);
	if (!d)
		return 0;
	int n = 0;
	size_t plen = strlen(prefix);
	for (struct dirent *e; (e = readdir(d));) {
		char dir[4096];
		if (strncmp(e->d_name, prefix, plen) != 0 ||
		    (size_t)snprintf(dir, sizeof(dir), "%s/%s", base, e->d_name) >= sizeof(dir) ||
		    !dead(dir))
			continue;
		eal_dir_remove(dir);
		struct stat sb;
		if (stat(dir, &sb) < 0)
			n++;
	}
	closedir(d);
	return n;
}

void eal_dir_remove_dead(const char *prog)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "%s-", prog);
	int n = eal_dir_remove_stale(prefix);
	if (n > 0)
		printf("%s: removed %d runtime director%s of dead %ss\n", prog, n,
		       n == 1 ? "y" : "ies", prog);
}
