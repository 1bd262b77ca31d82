/* Runtime directory clean-up; see eal_dir.h. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
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
