/* Workloads: the YAML files in workloads/, their loader (libyaml) and the
 * sampler that draws arrivals, types and service times from them (GSL).
 * psp-sim and psp-client both read workloads through this module.
 *
 * Schema (see docs/workloads.md):
 *   name: high-bimodal
 *   description: ...
 *   arrival: poisson            # or "constant"; default poisson
 *   types:
 *     - name: SHORT
 *       ratio: 0.5
 *       wire_id: 1               # optional, default position + 1
 *       op: get                  # optional: what psp-engine's rocksdb app
 *                                # does ("get" or "scan N"); psp-sim ignores it
 *       service: {dist: constant, mean_us: 1}
 * or, for a phased workload, instead of types:
 *   phases:
 *     - duration_ms: 5000
 *       types: [ ...as above... ]
 * Types are matched by name across phases; a type missing from a phase has
 * ratio 0 there.
 */
#ifndef PSP_WORKLOAD_H
#define PSP_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include <psp/err.h>
#include <psp/req.h>

#define PSP_WL_MAX_PHASES 16u
#define PSP_WL_NAME_MAX 48u

/* What the loader accepts, so that anything it accepts can be simulated:
 * psp-sim keeps time in integer ns below 2^56 (about 2.3 years,
 * sim/evq.h), and the engine spins service times given in ns.
 *   service times (mean_us, min_us, max_us): 1 ns (the clock's tick; a
 *     shorter time would be simulated as 1 ns, not as declared) to 1e9 us
 *     (1000 s: 10^4 such requests on one worker already take four months
 *     of simulated time);
 *   lognormal sigma <= 4: a lognormal's mean rests on draws about sigma
 *     standard deviations up; beyond 4 they are rarer than 1 in 30,000
 *     and a run's measured mean falls far below the declared one (sigma 50
 *     measures 0);
 *   bounded_pareto alpha in [0.01, 100]: below, 1 - (L/H)^alpha vanishes
 *     in double precision and the sampler divides by it;
 *   duration_ms: 1e-6 (1 ns) to 1e9 (11.6 days; 16 of them fit the clock).
 * Wire ids are the u32 of the wire format (1..2^32-1, 0 is unknown), the
 * same range as the engine's configuration. */
#define PSP_WL_TIME_US_MIN 1e-3
#define PSP_WL_TIME_US_MAX 1e9
#define PSP_WL_SIGMA_MAX 4.0
#define PSP_WL_ALPHA_MIN 0.01
#define PSP_WL_ALPHA_MAX 100.0
#define PSP_WL_DURATION_MS_MIN 1e-6
#define PSP_WL_DURATION_MS_MAX 1e9
#define PSP_WL_WIRE_ID_MAX 4294967295u
/* A type's op ("get", "scan N"): its size, and N's bound (the engine's
 * app.rocksdb.keys bound). */
#define PSP_WL_OP_MAX 24u
#define PSP_WL_SCAN_MAX 100000000u

enum psp_dist_kind {
	PSP_DIST_CONSTANT = 0, /* mean_us */
	PSP_DIST_EXPONENTIAL,  /* mean_us */
	PSP_DIST_LOGNORMAL,    /* mean_us, sigma (of the underlying normal) */
	PSP_DIST_BOUNDED_PARETO, /* alpha, min_us, max_us */
	PSP_DIST_UNIFORM,      /* min_us, max_us */
};

struct psp_dist {
	enum psp_dist_kind kind;
	double mean_us; /* given (constant, exponential, lognormal) or derived */
	double sigma;
	double alpha;
	double min_us, max_us;
};

enum psp_arrival_kind {
	PSP_ARRIVAL_POISSON = 0,
	PSP_ARRIVAL_CONSTANT, /* evenly spaced */
};

struct psp_wl_phase {
	double duration_ms;             /* 0 for a workload without phases */
	double ratio[PSP_MAX_TYPES];    /* by global type index; sums to 1 */
	/* A type absent from this phase (ratio 0) keeps its distribution of the
	 * nearest earlier phase listing it (else the first later one), so
	 * sampling it or reading its mean stays well defined. */
	struct psp_dist service[PSP_MAX_TYPES];
	double mean_service_us;         /* sum ratio x mean over the phase */
};

struct psp_workload {
	char name[PSP_WL_NAME_MAX];
	char description[256];
	char path[512];  /* the file it was read from */
	enum psp_arrival_kind arrival;
	double slo;      /* p99.9 slowdown target (key slo); 0 when not given */
	uint32_t ntypes; /* union of the types of every phase */
	char type_name[PSP_MAX_TYPES][PSP_WL_NAME_MAX];
	uint32_t wire_id[PSP_MAX_TYPES]; /* 1..; 0 is "unknown" on the wire */
	uint32_t nphases; /* 1 for a workload without phases */
	struct psp_wl_phase phase[PSP_WL_MAX_PHASES];
	/* Per type, the operation a real application runs for it (key op:
	 * "get" or "scan N"), "" when not given.  Read by psp-engine's rocksdb
	 * application only. */
	char op[PSP_MAX_TYPES][PSP_WL_OP_MAX];
};

/* A name is a bare word ("tpcc"); anything with a '/' or a YAML suffix is a
 * path, so "./tpcc.yml" and "tpcc.yml" read that file in the current
 * directory rather than the workload directory. */
bool psp_workload_is_path(const char *s);

/* Loads a workload by name (looked up as NAME.yml in the workload
 * directory) or by path (anything containing '/' or ending in .yml/.yaml).
 * On failure returns a negative errno with err naming the file, line and key
 * (an unknown name lists the available ones).  Does not keep the file open. */
int psp_workload_load(const char *name_or_path, struct psp_workload *wl,
		      struct psp_err *err);

/* Parses one YAML file.  Same errors as psp_workload_load. */
int psp_workload_parse_file(const char *path, struct psp_workload *wl,
			    struct psp_err *err);

/* The directory workload names are looked up in: $PSP_WORKLOAD_PATH if set,
 * else ../share/psp/workloads beside the running binary if it exists, else
 * the source tree's workloads/ (compiled in).  Never NULL; the string stays
 * valid until the environment changes or this thread calls again. */
const char *psp_workload_dir(void);

/* Writes the names of the workloads in psp_workload_dir() (sorted, without
 * .yml) into buf as one line, separated by ", ".  Returns how many names it
 * wrote: names that do not fit whole are left out (buf is "" and 0 is
 * returned when the directory cannot be read).  Allocates temporarily. */
unsigned psp_workload_list(char *buf, unsigned cap);

/* Mean of a distribution in microseconds. */
double psp_dist_mean_us(const struct psp_dist *d);

/* The YAML name of a distribution ("bounded_pareto"), or "unknown". */
const char *psp_dist_name(enum psp_dist_kind kind);

/* What a policy is told of type t at start (oracle and static DARC, SJF):
 * its mean service time (us) and ratio in the first phase, both 0 ("not
 * given") for a type the first phase leaves out.  psp-sim and psp-engine
 * both start the policy with these; neither tells it of later phases (DARC's
 * dynamic mode measures them). */
void psp_workload_nominal(const struct psp_workload *wl, uint32_t t, double *mean_us,
			  double *ratio);

/* The global type index with the given wire id, or PSP_TYPE_UNKNOWN. */
uint32_t psp_workload_type_by_wire(const struct psp_workload *wl, uint32_t wire_id);

/* Draws from a workload with GSL.  One generator per purpose, each seeded
 * from the one seed, so changing how one stream is used leaves the others
 * alone.  Opaque; created and freed explicitly. */
struct psp_wl_sampler;

/* Returns NULL on allocation failure.  wl must have been loaded (or be
 * equally valid); the sampler copies what it needs and does not keep wl.
 * The psp_wl_sample_* calls are the hot path: no allocation, no locking, one
 * sampler per thread. */
struct psp_wl_sampler *psp_wl_sampler_create(const struct psp_workload *wl,
					     uint64_t seed);
void psp_wl_sampler_destroy(struct psp_wl_sampler *s);

/* The type index of the next request in phase ph. */
uint32_t psp_wl_sample_type(struct psp_wl_sampler *s, uint32_t ph);
/* A service time in ns (at least 1) for type t in phase ph. */
uint64_t psp_wl_sample_service_ns(struct psp_wl_sampler *s, uint32_t ph, uint32_t t);
/* The gap to the next arrival in ns (fractional) at rate_per_ns. */
double psp_wl_sample_gap_ns(struct psp_wl_sampler *s, double rate_per_ns);
/* A uniform 64-bit value from the "policy" stream (d-FCFS placement). */
uint64_t psp_wl_sample_u64(struct psp_wl_sampler *s);

#endif
