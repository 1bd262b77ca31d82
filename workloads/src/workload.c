/* Loading a workload by name or path, and looking types up by wire id. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <psp/suggest.h>

#include "internal.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool psp_workload_is_path(const char *s)
{
	return strchr(s, '/') || ends_with(s, ".yml") || ends_with(s, ".yaml");
}

int psp_workload_load(const char *name_or_path, struct psp_workload *wl,
		      struct psp_err *err)
{
	char path[sizeof(wl->path)], names[192];
	psp_err_clear(err);
	if (!name_or_path || !name_or_path[0])
		return psp_err_set(err, -EINVAL, NULL, NULL,
				   "no workload given; available in %s: %s", psp_workload_dir(),
				   (psp_workload_list(names, sizeof(names)), names));
	if (psp_workload_is_path(name_or_path))
		return psp_workload_parse_file(name_or_path, wl, err);

	const char *dir = psp_workload_dir();
	int n = snprintf(path, sizeof(path), "%s/%s.yml", dir, name_or_path);
	if (n < 0 || (size_t)n >= sizeof(path))
		return psp_err_set(err, -ENAMETOOLONG, NULL, NULL,
				   "workload name of %zu characters is too long: %s/NAME.yml "
				   "must fit in %zu characters (name '%.40s...')",
				   strlen(name_or_path), dir, sizeof(path) - 1, name_or_path);
	struct stat st;
	if (stat(path, &st) != 0 && errno == ENOENT) {
		char all[2048], near[128];
		psp_workload_list(names, sizeof(names));
		psp_workload_list(all, sizeof(all));
		if (psp_suggest_in_list(name_or_path, all, near, sizeof(near)))
			return psp_err_set(err, -ENOENT, NULL, NULL,
					   "unknown workload '%.64s' (did you mean '%s'?); no %.64s.yml "
					   "in %s", name_or_path, near, name_or_path, dir);
		return psp_err_set(err, -ENOENT, NULL, NULL,
				   "unknown workload '%.64s' (no %.64s.yml in %s); available: %s",
				   name_or_path, name_or_path, dir, names[0] ? names : "none");
	}
	return psp_workload_parse_file(path, wl, err);
}

void psp_workload_nominal(const struct psp_workload *wl, uint32_t t, double *mean_us,
			  double *ratio)
{
	const struct psp_wl_phase *ph = &wl->phase[0];
	*ratio = ph->ratio[t];
	*mean_us = ph->ratio[t] > 0 ? psp_dist_mean_us(&ph->service[t]) : 0;
}

/* Linear: at most PSP_MAX_TYPES entries, and hosts call it once per type at
 * setup or once per parsed packet (a 16-entry scan of one cache line or two
 * costs less than a hash would). */
uint32_t psp_workload_type_by_wire(const struct psp_workload *wl, uint32_t wire_id)
{
	if (wire_id == 0)
		return PSP_TYPE_UNKNOWN;
	for (uint32_t t = 0; t < wl->ntypes; t++)
		if (wl->wire_id[t] == wire_id)
			return t;
	return PSP_TYPE_UNKNOWN;
}
