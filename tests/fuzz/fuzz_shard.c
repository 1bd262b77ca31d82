/* Fuzz target: the shard file reader (psp-sim --merge, --verify) and the
 * checks a merge makes.  Half the inputs (a bit of their hash) get their
 * check lines recomputed first, so that the parser behind the checksums is
 * explored too.  What the reader accepts must write back to a file that
 * reads back to the same records, bit for bit; and when the shard's flags
 * parse into a run, a shard that sim_shard_check_records accepts holds
 * exactly the replications and capacities its slice owns, each at the
 * run's load with the workload's types: what a merge then prints is the
 * records given, nothing missing, doubled or foreign. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <psp/workload.h>

#include "fuzz.h"
#include "options.h"
#include "shard.h"

#define FNV_BASIS 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

/* The input with each "check " line replaced by the sum of the lines before
 * it (since the previous check line), into a malloc'd buffer of *len. */
static uint8_t *resealed(const uint8_t *data, size_t size, size_t *len)
{
	uint8_t *out = malloc(size + 1);
	size_t n = 0;
	uint64_t h = FNV_BASIS;
	for (size_t i = 0; i < size;) {
		size_t e = i;
		while (e < size && data[e] != '\n')
			e++;
		size_t ll = e - i + (e < size); /* with its newline */
		if (e - i == 22 && !memcmp(data + i, "check ", 6) && e < size) {
			char sum[24];
			snprintf(sum, sizeof(sum), "check %016llx\n", (unsigned long long)h);
			memcpy(out + n, sum, 23);
			h = FNV_BASIS;
		} else {
			memcpy(out + n, data + i, ll);
			for (size_t k = 0; k < ll; k++)
				h = (h ^ data[i + k]) * FNV_PRIME;
		}
		n += ll;
		i += ll;
	}
	*len = n;
	return out;
}

static bool same_bits(const void *a, const void *b, size_t n)
{
	return memcmp(a, b, n) == 0;
}

static void require_equal(const struct sim_shard *a, const struct sim_shard *b)
{
	FUZZ_REQUIRE(!strcmp(a->id.version, b->id.version));
	FUZZ_REQUIRE(!strcmp(a->id.workload_name, b->id.workload_name));
	FUZZ_REQUIRE(!strcmp(a->id.workload, b->id.workload));
	FUZZ_REQUIRE(!strcmp(a->id.flags, b->id.flags));
	FUZZ_REQUIRE(a->id.workload_hash == b->id.workload_hash);
	FUZZ_REQUIRE(a->shard == b->shard && a->nshards == b->nshards && a->nunits == b->nunits);
	FUZZ_REQUIRE(a->by_policy == b->by_policy && a->nrep == b->nrep && a->ncap == b->ncap);
	for (uint32_t i = 0; i < a->nrep; i++) {
		const struct sim_shard_rep *x = &a->rep[i], *y = &b->rep[i];
		const struct sim_rep_stats *s = &x->s, *t = &y->s;
		FUZZ_REQUIRE(x->p == y->p && x->l == y->l && x->r == y->r);
		FUZZ_REQUIRE(same_bits(&s->load, &t->load, sizeof(double)));
		FUZZ_REQUIRE(same_bits(&s->offered_rps, &t->offered_rps, sizeof(double)));
		FUZZ_REQUIRE(same_bits(&s->achieved_rps, &t->achieved_rps, sizeof(double)));
		FUZZ_REQUIRE(s->overloaded == t->overloaded && s->ntypes == t->ntypes);
		FUZZ_REQUIRE(s->growing_types == t->growing_types && s->judged_types == t->judged_types);
		FUZZ_REQUIRE(s->reservations == t->reservations && s->dropped == t->dropped);
		FUZZ_REQUIRE(s->preemptions == t->preemptions && s->steals == t->steals);
		FUZZ_REQUIRE(s->measured == t->measured);
		FUZZ_REQUIRE(same_bits(s->count, t->count, (s->ntypes + 1) * sizeof(s->count[0])));
		FUZZ_REQUIRE(same_bits(s->stat, t->stat, (s->ntypes + 1) * sizeof(s->stat[0])));
		FUZZ_REQUIRE(!strcmp(s->reservation, t->reservation));
	}
	for (uint32_t i = 0; i < a->ncap; i++)
		FUZZ_REQUIRE(a->cap[i].p == b->cap[i].p &&
			     same_bits(&a->cap[i].c, &b->cap[i].c, sizeof(a->cap[i].c)));
}

/* A two-type workload; the run's SLO decides whether a unit is a policy. */
static void workload(struct psp_workload *wl, double slo)
{
	memset(wl, 0, sizeof(*wl));
	snprintf(wl->name, sizeof(wl->name), "fuzz");
	wl->ntypes = 2;
	wl->nphases = 1;
	wl->slo = slo;
}

/* When the shard's flags make a run: what check_records accepts is exactly
 * the slice's records. */
static void check_merge_semantics(const struct sim_shard *sh, uint64_t h)
{
	static char flags[sizeof(sh->id.flags)];
	memcpy(flags, sh->id.flags, sizeof(flags));
	char *argv[1024] = {"psp-sim", "--workload", "fuzz"};
	int argc = 3;
	for (char *t = strtok(flags, " "); t && argc < 1000; t = strtok(NULL, " "))
		argv[argc++] = t;
	struct sim_options o;
	struct psp_err err;
	if (sim_options_parse(argc, argv, &o, &err) != 0)
		return;
	uint64_t nall = (uint64_t)o.npolicies * o.nloads * o.replications;
	if (nall > 100000)
		return; /* beyond a fuzzer's budget */
	struct psp_workload wl;
	workload(&wl, (h >> 1) & 1 ? 10 : 0);
	if (sim_shard_check_records(sh, "fuzz", &o, &wl, &err) != 0) {
		FUZZ_REQUIRE(err.code < 0 && err.msg[0]);
		return;
	}
	bool by_policy = sim_shard_by_policy(&o, &wl);
	FUZZ_REQUIRE(sh->by_policy == by_policy && sh->nunits == sim_shard_units(&o, by_policy));
	uint32_t *seen = calloc(nall, sizeof(*seen));
	for (uint32_t k = 0; k < sh->nrep; k++) {
		const struct sim_shard_rep *x = &sh->rep[k];
		FUZZ_REQUIRE(x->p < o.npolicies && x->l < o.nloads && x->r < o.replications);
		FUZZ_REQUIRE(same_bits(&x->s.load, &o.load[x->l], sizeof(double)));
		FUZZ_REQUIRE(x->s.ntypes == wl.ntypes);
		seen[(x->p * o.nloads + x->l) * o.replications + x->r]++;
	}
	for (uint32_t p = 0; p < o.npolicies; p++)
		for (uint32_t l = 0; l < o.nloads; l++)
			for (uint32_t r = 0; r < o.replications; r++) {
				bool owned = sim_shard_owner(sim_shard_unit(&o, by_policy, p, l, r),
							     sh->nshards) == sh->shard;
				FUZZ_REQUIRE(seen[(p * o.nloads + l) * o.replications + r] ==
					     (owned ? 1u : 0u));
			}
	free(seen);
	uint32_t owned_caps = 0;
	for (uint32_t p = 0; p < o.npolicies; p++)
		owned_caps += by_policy && sim_shard_owner(p, sh->nshards) == sh->shard;
	FUZZ_REQUIRE(sh->ncap == owned_caps);
	for (uint32_t k = 0; k < sh->ncap; k++) {
		FUZZ_REQUIRE(sh->cap[k].p < o.npolicies);
		FUZZ_REQUIRE(sim_shard_owner(sh->cap[k].p, sh->nshards) == sh->shard);
		for (uint32_t j = 0; j < k; j++)
			FUZZ_REQUIRE(sh->cap[j].p != sh->cap[k].p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t h = fuzz_hash(data, size);
	size_t len = size;
	uint8_t *in = (h & 1) ? resealed(data, size, &len) : NULL;
	const char *path = fuzz_write_input(in ? in : data, len, "shard");
	free(in);
	if (!path)
		return 0;
	static struct sim_shard sh, back;
	struct psp_err err;
	int rc = sim_shard_read(path, &sh, &err);
	if (rc < 0) {
		unlink(path);
		FUZZ_REQUIRE(err.code == rc && err.msg[0] && sh.rep == NULL && sh.cap == NULL);
		return 0;
	}
	/* what the reader promises */
	FUZZ_REQUIRE(sh.shard >= 1 && sh.shard <= sh.nshards && sh.nshards <= SIM_MAX_SHARDS);
	for (uint32_t i = 0; i < sh.nrep; i++)
		FUZZ_REQUIRE(sh.rep[i].s.ntypes <= PSP_MAX_TYPES);
	/* written back and read again: the same records */
	char copy[160];
	snprintf(copy, sizeof(copy), "%s.back", path);
	rc = sim_shard_write(copy, &sh, &err);
	if (rc == 0) {
		rc = sim_shard_read(copy, &back, &err);
		FUZZ_REQUIRE(rc == 0);
		require_equal(&sh, &back);
		sim_shard_free(&back);
	} else {
		/* only a line too long to write back (the flags line at its bound) */
		FUZZ_REQUIRE(err.msg[0]);
	}
	unlink(copy);
	unlink(path);
	/* one shard is a complete set when N is 1 */
	char *name[1] = {"fuzz"};
	rc = sim_shard_check_set(&sh, name, 1, &err);
	FUZZ_REQUIRE((rc == 0) == (sh.nshards == 1));
	check_merge_semantics(&sh, h);
	sim_shard_free(&sh);
	return 0;
}
