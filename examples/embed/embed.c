/* A minimal host of the psp policy core: what a dispatcher that wants DARC
 * does, with a fake clock instead of a NIC and workers that "run" a request
 * by finishing it service_ns later.
 *
 *   embed [POLICY [KNOB=VALUE ...]]      (default: darc darc_samples=1000)
 *
 * Four workers; two request types, SHORT (1 us) and LONG (100 us), half of
 * the arrivals each, one every 18 us (70% load).  Prints each reservation
 * DARC installs, then per type: requests, mean and worst slowdown (latency /
 * service time).  Deterministic: the same output on every run.
 *
 * The calling rules (core/include/psp/policy.h): one thread makes every
 * call; the current time is passed in, in nanoseconds, and never goes
 * backwards; psp_policy_create() is the only call that allocates, and the
 * host owns the request descriptors (here a static array). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psp/darc.h>
#include <psp/policy.h>

enum { WORKERS = 4, TYPES = 2, REQUESTS = 20000 };
static const char *const type_name[TYPES] = {"SHORT", "LONG"};
static const uint64_t type_service_ns[TYPES] = {1000, 100000};
static const uint64_t interarrival_ns = 18000;

static struct psp_req reqs[REQUESTS];
static struct psp_req *running[WORKERS]; /* one slot per worker (darc) */
static uint64_t finish_ns[WORKERS];

static void on_reservation(void *ctx, uint64_t now_ns, const struct psp_darc_plan *plan)
{
	(void)ctx;
	char line[256];
	psp_darc_plan_format(plan, type_name, line, sizeof(line));
	printf("reservation at %.3f ms: %s\n", (double)now_ns / 1e6, line);
}

/* xorshift64: the request types, reproducibly. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static struct psp_policy *create(int argc, char **argv)
{
	const struct psp_policy_ops *ops = psp_policy_find(argc > 1 ? argv[1] : "darc");
	if (!ops) {
		fprintf(stderr, "embed: unknown policy \"%s\"\n", argv[1]);
		return NULL;
	}
	printf("policy %s, %d workers\n", ops->name, WORKERS);
	/* The library makes and sizes the configuration: a knob added to a
	 * later libpsp-core changes nothing this program was built with. */
	struct psp_policy_conf *conf = psp_policy_conf_new(WORKERS, TYPES);
	if (!conf) {
		fprintf(stderr, "embed: out of memory\n");
		return NULL;
	}
	for (uint32_t t = 0; t < TYPES; t++)
		psp_policy_conf_set_type(conf, t, type_name[t], type_service_ns[t], 0.5);
	psp_policy_conf_set_on_reservation(conf, on_reservation, NULL);
	struct psp_err err;
	struct psp_policy *p = NULL;
	/* reserve after 1000 completions */
	if (psp_policy_conf_set(conf, "darc_samples", "1000", &err) < 0)
		goto fail;
	for (int i = 2; i < argc; i++) { /* knob=value, as psp-sim's --knob value */
		char name[64];
		const char *eq = strchr(argv[i], '=');
		size_t len = eq ? (size_t)(eq - argv[i]) : 0;
		if (!eq || len >= sizeof(name)) {
			fprintf(stderr, "embed: \"%s\" is not KNOB=VALUE\n", argv[i]);
			psp_policy_conf_free(conf);
			return NULL;
		}
		memcpy(name, argv[i], len);
		name[len] = '\0';
		if (psp_policy_conf_set(conf, name, eq + 1, &err) < 0)
			goto fail;
	}
	p = psp_policy_create(ops, conf, &err);
	psp_policy_conf_free(conf);
	conf = NULL;
	if (p && (psp_policy_slots(p) != 1 || (ops->props.flags & PSP_POLICY_PREEMPTIVE))) {
		/* A host of those keeps a FIFO per worker and preempts on tick(). */
		fprintf(stderr, "embed: %s holds several requests per worker or preempts; "
				"this host runs one request per worker to completion\n", ops->name);
		psp_policy_destroy(p);
		return NULL;
	}
	if (p)
		return p;
fail:;
	psp_policy_conf_free(conf);
	char msg[600];
	fprintf(stderr, "embed: %s\n", psp_err_format(&err, msg, sizeof(msg)));
	return NULL;
}

int main(int argc, char **argv)
{
	struct psp_policy *p = create(argc, argv);
	if (!p)
		return 2;

	double slowdown_sum[TYPES] = {0}, slowdown_max[TYPES] = {0};
	unsigned done[TYPES] = {0};
	uint64_t rng = 88172645463325252ull, now = 0;
	size_t arrived = 0, completed = 0;
	struct psp_assign out[WORKERS]; /* cap >= workers x slots */

	while (completed < REQUESTS) {
		/* The next event: an arrival, or the earliest worker to finish. */
		uint64_t next_arrival = arrived < REQUESTS ? arrived * interarrival_ns : UINT64_MAX;
		int w_next = -1;
		for (int w = 0; w < WORKERS; w++)
			if (running[w] && (w_next < 0 || finish_ns[w] < finish_ns[w_next]))
				w_next = w;
		if (w_next >= 0 && finish_ns[w_next] <= next_arrival) {
			now = finish_ns[w_next];
			struct psp_req *r = running[w_next];
			running[w_next] = NULL;
			psp_policy_complete(p, (uint32_t)w_next, r, r->service_ns, true, now);
			double s = (double)(now - r->arrive_ns) / (double)r->service_ns;
			slowdown_sum[r->type] += s;
			if (s > slowdown_max[r->type])
				slowdown_max[r->type] = s;
			done[r->type]++;
			completed++;
		} else {
			now = next_arrival;
			struct psp_req *r = &reqs[arrived];
			r->id = arrived++;
			r->type = (uint32_t)(next_rand(&rng) & 1);
			r->service_ns = type_service_ns[r->type];
			r->arrive_ns = now;
			psp_policy_enqueue(p, r, now);
		}
		/* After every event: start what the policy hands out. */
		size_t n = psp_policy_dispatch(p, now, out, WORKERS);
		for (size_t i = 0; i < n; i++) {
			struct psp_req *r = out[i].req;
			r->dispatch_ns = now;
			running[out[i].worker] = r;
			finish_ns[out[i].worker] = now + r->service_ns;
		}
	}

	printf("completed %zu of %d requests in %.3f ms\n", completed, REQUESTS, (double)now / 1e6);
	for (int t = 0; t < TYPES; t++)
		printf("%-5s %5u requests, slowdown mean %.2f max %.2f\n", type_name[t], done[t],
		       done[t] ? slowdown_sum[t] / done[t] : 0.0, slowdown_max[t]);
	psp_policy_destroy(p);
	return 0;
}
