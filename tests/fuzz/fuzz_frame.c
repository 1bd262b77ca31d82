/* Fuzz target: the frame parser and the reply builders (engine/common).
 * Any frame: rx_parse must classify it reading only within it.  A request
 * for us: the reply psp-engine builds (addresses swapped, payload echoed)
 * must parse back, at the client, as the same request with correct IPv4 and
 * UDP checksums.  An ARP request for us: our ARP reply must parse back, at
 * the asker, as a reply from us; and our own ARP request must reach it. */
#include <string.h>

#include "common/frame.h"
#include "common/rx_parse.h"
#include "fuzz.h"

#define SRV_IP 0xc6120002u /* 198.18.0.2, as in the test configs */
static const struct rx_filter server = {.mac = {2, 0, 0, 0, 0, 2}, .ip = SRV_IP,
					.udp_port = PSP_DEFAULT_UDP_PORT};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* The UDP checksum over the pseudo-header verifies to 0xffff (or is 0). */
static int udp_cksum_ok(const uint8_t *frame)
{
	const uint8_t *ip = frame + PSP_ETH_HDR_BYTES, *udp = ip + PSP_IPV4_HDR_BYTES;
	uint32_t len = be16(udp + 4), sum = be16(ip + 12) + be16(ip + 14) + be16(ip + 16) +
					   be16(ip + 18) + PSP_IPPROTO_UDP + len;
	if (be16(udp + 6) == 0)
		return 1;
	for (uint32_t i = 0; i + 1 < len; i += 2)
		sum += be16(udp + i);
	if (len & 1)
		sum += (uint32_t)udp[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static void round_trip_request(const struct rx_parsed *in)
{
	/* psp-engine's reply (engine/server/worker.c): the ends swapped. */
	struct frame_ends e = {.src_ip = server.ip, .dst_ip = in->src_ip,
			       .src_port = server.udp_port, .dst_port = in->src_port};
	memcpy(e.src_mac, server.mac, 6);
	memcpy(e.dst_mac, in->src_mac, 6);
	uint8_t reply[PSP_ETH_MIN_BYTES + 4];
	memset(reply, 0xa5, sizeof(reply));
	uint32_t len = frame_build_udp(reply, &e, &in->req);
	FUZZ_REQUIRE(len >= PSP_FRAME_BYTES && len <= PSP_ETH_MIN_BYTES);
	FUZZ_REQUIRE(reply[PSP_ETH_MIN_BYTES] == 0xa5); /* wrote only its length */
	FUZZ_REQUIRE(rx_ipv4_hdr_cksum(reply + PSP_ETH_HDR_BYTES, PSP_IPV4_HDR_BYTES) == 0);
	FUZZ_REQUIRE(udp_cksum_ok(reply));

	/* The client receives it. */
	struct rx_filter client = {.ip = in->src_ip, .udp_port = in->src_port};
	memcpy(client.mac, in->src_mac, 6);
	struct rx_parsed back;
	memset(&back, 0, sizeof(back));
	FUZZ_REQUIRE(rx_parse(reply, len, &client, &back) == RX_REQUEST);
	FUZZ_REQUIRE(memcmp(back.src_mac, server.mac, 6) == 0);
	FUZZ_REQUIRE(back.src_ip == server.ip && back.src_port == server.udp_port);
	FUZZ_REQUIRE(back.req.req_id == in->req.req_id && back.req.type == in->req.type &&
		     back.req.reqsize == in->req.reqsize && back.req.run_ns == in->req.run_ns);
}

static void round_trip_arp(const struct rx_parsed *in)
{
	uint8_t buf[PSP_ETH_MIN_BYTES];
	uint32_t len = frame_build_arp_reply(buf, server.mac, server.ip, in->arp_sha, in->arp_spa);
	FUZZ_REQUIRE(len >= PSP_ETH_HDR_BYTES + 28 && len <= sizeof(buf));
	struct rx_filter asker = {.ip = in->arp_spa};
	memcpy(asker.mac, in->arp_sha, 6);
	struct rx_parsed back;
	memset(&back, 0, sizeof(back));
	FUZZ_REQUIRE(rx_parse(buf, len, &asker, &back) == RX_ARP_REPLY);
	FUZZ_REQUIRE(memcmp(back.arp_sha, server.mac, 6) == 0 && back.arp_spa == server.ip);

	/* Our own request for the asker's address reaches it as a request. */
	len = frame_build_arp_request(buf, server.mac, server.ip, in->arp_spa);
	FUZZ_REQUIRE(len >= PSP_ETH_HDR_BYTES + 28 && len <= sizeof(buf));
	memset(&back, 0, sizeof(back));
	FUZZ_REQUIRE(rx_parse(buf, len, &asker, &back) == RX_ARP_REQUEST);
	FUZZ_REQUIRE(memcmp(back.arp_sha, server.mac, 6) == 0 && back.arp_spa == server.ip);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 9216) /* a jumbo frame */
		return 0;
	struct rx_parsed out;
	memset(&out, 0, sizeof(out));
	enum rx_verdict v = rx_parse(data, (uint32_t)size, &server, &out);
	FUZZ_REQUIRE(v < RX_NVERDICTS);
	FUZZ_REQUIRE(strcmp(rx_verdict_name(v), "?") != 0);
	if (v == RX_REQUEST)
		round_trip_request(&out);
	else if (v == RX_ARP_REQUEST)
		round_trip_arp(&out);
	return 0;
}
