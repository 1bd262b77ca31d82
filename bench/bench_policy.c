/* Policy decision cost, core only: arrival (psp_policy_enqueue) + dispatch
 * (psp_policy_dispatch) + completion (psp_policy_complete) per request, with
 * 14 workers and 5 TPC-C-like types, for every policy with its default
 * knobs (DARC in oracle mode, so the reservation is in force from the first
 * request).  The target is <= 100 ns per request for DARC.
 *
 *   bench-policy [REQUESTS [POLICY...]]   (default 5,000,000 per policy, all)
 *
 * Steady state: every iteration one request arrives and the request that
 * was handed to a worker longest ago finishes, so the workers stay busy and
 * a small backlog sits in the queues, as on a loaded dispatcher.  With more
 * than one slot a worker's requests finish in the order it was given them.  Times are simulated (100 ns per
 * iteration); wall time is measured with CLOCK_MONOTONIC around the loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <psp/policy.h>

#define W 14u
#define NTYPES 5u
#define POOL 4096u

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rand_u64(void *ctx)
{
	(void)ctx;
	return xorshift(&rng_state);
}

static int run(const char *name, uint64_t nreq)
{
	/* TPC-C (workloads/tpcc.yml): Payment, OrderStatus, NewOrder, Delivery,
	 * StockLevel. */
	static const double mean_us[NTYPES] = {5.7, 6, 20, 88, 100};
	static const double ratio[NTYPES] = {0.44, 0.04, 0.44, 0.04, 0.04};
	static const char *const names[NTYPES] = {"Payment", "OrderStatus", "NewOrder",
						  "Delivery", "StockLevel"};
	struct psp_err err;
	struct psp_policy_conf *conf = psp_policy_conf_new(W, NTYPES);
	if (!conf) {
		fprintf(stderr, "bench-policy: out of memory\n");
		return 1;
	}
	for (uint32_t t = 0; t < NTYPES; t++)
		psp_policy_conf_set_type(conf, t, names[t], (uint64_t)(mean_us[t] * 1000), ratio[t]);
	psp_policy_conf_set_rand(conf, rand_u64, NULL);
	const struct psp_policy_ops *ops = psp_policy_find(name);
	struct psp_policy *p = NULL;
	if (psp_policy_conf_set(conf, "darc_mode", "oracle", &err) == 0)
		p = ops ? psp_policy_create(ops, conf, &err) : NULL;
	psp_policy_conf_free(conf);
	if (!ops)
		psp_err_set(&err, -1, NULL, NULL, "unknown policy");
	if (!p) {
		char buf[600];
		fprintf(stderr, "bench-policy: %s: %s\n", name, psp_err_format(&err, buf, sizeof(buf)));
		return 1;
	}
	static struct psp_req reqs[POOL];
	static struct psp_req *free_list[POOL];
	uint32_t nfree = POOL;
	for (uint32_t i = 0; i < POOL; i++)
		free_list[i] = &reqs[i];
	/* Types drawn up front so the loop times the policy, not the draw. */
	enum { NDRAW = 1 << 16 };
	static uint32_t types[NDRAW];
	for (uint32_t i = 0; i < NDRAW; i++) {
		double u = (double)(xorshift(&rng_state) >> 11) / 9007199254740992.0, acc = 0;
		uint32_t t = 0;
		while (t + 1 < NTYPES && u >= (acc += ratio[t]))
			t++;
		types[i] = t;
	}
	/* Handed-over requests, oldest first; each worker's are in its order. */
	static struct psp_req *order[W * PSP_MAX_SLOTS];
	uint32_t head = 0, nbusy = 0, cap = W * psp_policy_slots(p);
	static struct psp_assign assign[W * PSP_MAX_SLOTS];
	uint64_t now = 0, done = 0, arrived = 0;
	double t0 = now_s();
	while (done < nreq) {
		now += 100;
		if (nfree > 0) {
			struct psp_req *r = free_list[--nfree];
			memset(r, 0, sizeof(*r));
			r->id = arrived;
			r->type = types[arrived & (NDRAW - 1)];
			r->arrive_ns = now;
			psp_policy_enqueue(p, r, now);
			arrived++;
		}
		size_t n = psp_policy_dispatch(p, now, assign, cap);
		for (size_t i = 0; i < n; i++) {
			assign[i].req->dispatch_ns = now;
			order[(head + nbusy++) % cap] = assign[i].req;
		}
		if (nbusy > 0) {
			struct psp_req *r = order[head];
			head = (head + 1) % cap;
			nbusy--;
			psp_policy_complete(p, r->worker, r, now - r->dispatch_ns, true, now);
			free_list[nfree++] = r;
			done++;
		}
	}
	double dt = now_s() - t0;
	char desc[256];
	psp_policy_describe(p, desc, sizeof(desc));
	printf("%-6s %8.1f ns/request  %6.2f M requests/s  (%llu requests; %s)\n", name,
	       dt * 1e9 / (double)done, (double)done / dt / 1e6, (unsigned long long)done,
	       desc[0] ? desc : "-");
	psp_policy_destroy(p);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 5000000ull;
	if (n == 0) {
		fprintf(stderr, "usage: bench-policy [REQUESTS]\n");
		return 2;
	}
	printf("policy decision cost: enqueue + dispatch + complete, %u workers, %u types (TPC-C)\n",
	       W, NTYPES);
	int rc = 0;
	if (argc > 2) {
		for (int i = 2; i < argc; i++)
			rc |= run(argv[i], n);
		return rc;
	}
	for (size_t i = 0; psp_policy_at(i); i++)
		rc |= run(psp_policy_at(i)->name, n);
	return rc;
}
