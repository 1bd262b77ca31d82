/* Writes a pcap file of PSP_MB request frames for bench/bench_dispatcher.sh:
 *
 *   request-pcap FILE COUNT TYPE:RATIO[,TYPE:RATIO...] [RUN_NS]
 *
 * COUNT frames from 198.18.0.1:1234 (02:00:00:00:00:01) to the shipped
 * configs' server, 198.18.0.2:6789 (02:00:00:00:00:02), built by the same
 * frame_build_udp psp-client uses; wire types drawn in the given ratios by a
 * fixed sequence (deterministic), run_ns RUN_NS (default 0: zero work).
 * Exit status 0, or 2 with the reason. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/frame.h"

#define MAX_TYPES 16

static int usage(const char *why)
{
	fprintf(stderr, "request-pcap: %s\nusage: request-pcap FILE COUNT TYPE:RATIO[,...] [RUN_NS]\n",
		why);
	return 2;
}

static void put32(FILE *f, uint32_t v)
{
	fwrite(&v, 4, 1, f); /* pcap headers are in the writer's byte order */
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc > 5)
		return usage("wrong number of arguments");
	char *end;
	unsigned long count = strtoul(argv[2], &end, 10);
	if (*end || count == 0 || count > 1000000)
		return usage("COUNT must be 1..1000000");
	uint32_t type[MAX_TYPES];
	double cum[MAX_TYPES], total = 0;
	int ntypes = 0;
	for (char *tok = strtok(argv[3], ","); tok; tok = strtok(NULL, ",")) {
		unsigned long t;
		double r;
		char tail;
		if (ntypes == MAX_TYPES || sscanf(tok, "%lu:%lf%c", &t, &r, &tail) != 2 || t == 0 ||
		    t > UINT32_MAX || !(r > 0))
			return usage("types must be WIRE_ID:RATIO pairs, ids >= 1, ratios > 0");
		type[ntypes] = (uint32_t)t;
		total += r;
		cum[ntypes++] = total;
	}
	unsigned long run_ns = 0;
	if (argc == 5 && ((run_ns = strtoul(argv[4], &end, 10)), *end || run_ns > UINT32_MAX))
		return usage("RUN_NS must be a u32");
	FILE *f = fopen(argv[1], "wb");
	if (!f) {
		fprintf(stderr, "request-pcap: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	put32(f, 0xa1b2c3d4u); /* magic: microsecond timestamps */
	put32(f, 2u | 4u << 16); /* version 2.4 */
	put32(f, 0);
	put32(f, 0);
	put32(f, 65535);
	put32(f, 1); /* LINKTYPE_ETHERNET */
	struct frame_ends ends = {.src_mac = {2, 0, 0, 0, 0, 1}, .dst_mac = {2, 0, 0, 0, 0, 2},
				  .src_ip = 0xc6120001u, .dst_ip = 0xc6120002u,
				  .src_port = 1234, .dst_port = PSP_DEFAULT_UDP_PORT};
	uint8_t buf[PSP_ETH_MIN_BYTES];
	for (unsigned long i = 0; i < count; i++) {
		/* a golden-ratio sequence in [0, total): types in their ratios */
		double u = (double)((i * 0x9e3779b97f4a7c15ull) >> 11) / 9007199254740992.0 * total;
		int k = 0;
		while (k < ntypes - 1 && u >= cum[k])
			k++;
		struct psp_wire_req req = {.req_id = (uint32_t)i, .type = type[k],
					   .reqsize = PSP_WIRE_REQSIZE, .run_ns = (uint32_t)run_ns};
		uint32_t len = frame_build_udp(buf, &ends, &req);
		put32(f, (uint32_t)(i / 1000000));
		put32(f, (uint32_t)(i % 1000000));
		put32(f, len);
		put32(f, len);
		fwrite(buf, 1, len, f);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "request-pcap: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	return 0;
}
