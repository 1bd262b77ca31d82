/* Helpers shared by the workload sources; not part of the public interface. */
#ifndef PSP_WORKLOAD_INTERNAL_H
#define PSP_WORKLOAD_INTERNAL_H

#include <psp/workload.h>

/* Parameters a distribution takes, as a bit mask (dist.c owns the table). */
enum {
	WL_P_MEAN = 1u << 0,  /* mean_us */
	WL_P_SIGMA = 1u << 1, /* sigma */
	WL_P_ALPHA = 1u << 2, /* alpha */
	WL_P_MIN = 1u << 3,   /* min_us */
	WL_P_MAX = 1u << 4,   /* max_us */
};
#define WL_NPARAMS 5u

/* The YAML key of parameter bit i (0..WL_NPARAMS-1). */
const char *wl_param_key(unsigned i);

/* Looks a distribution up by its YAML name.  Returns 0, or -1 when the name
 * is unknown (callers list wl_dist_known() in their message). */
int wl_dist_parse(const char *name, enum psp_dist_kind *kind);

/* "constant, exponential, ..." for error messages. */
const char *wl_dist_known(void);

/* The WL_P_* mask of the parameters kind takes. */
unsigned wl_dist_params(enum psp_dist_kind kind);

/* "mean_us, sigma" for kind's parameters, written into buf.  Returns buf. */
const char *wl_dist_params_text(enum psp_dist_kind kind, char *buf, unsigned cap);

#endif
