/* Frame classification; see rx_parse.h. */
#include <string.h>

#include "rx_parse.h"

static const char *const verdict_names[RX_NVERDICTS] = {
	[RX_REQUEST] = "request",
	[RX_ARP_REQUEST] = "arp_request",
	[RX_ARP_REPLY] = "arp_reply",
	[RX_ARP_OTHER] = "arp_other",
	[RX_RUNT] = "runt",
	[RX_BAD_ETHER] = "bad_ether",
	[RX_BAD_IP] = "bad_ip",
	[RX_NOT_OURS] = "not_ours",
	[RX_NOT_UDP] = "not_udp",
	[RX_BAD_PORT] = "bad_port",
	[RX_SHORT_PAYLOAD] = "short_payload",
};

const char *rx_verdict_name(enum rx_verdict v)
{
	return (unsigned)v < RX_NVERDICTS ? verdict_names[v] : "?";
}

static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint32_t le32(const uint8_t *p)
{
	return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

uint16_t rx_ipv4_hdr_cksum(const uint8_t *ip, uint32_t hdr_bytes)
{
	uint32_t sum = 0;
	for (uint32_t i = 0; i + 1 < hdr_bytes; i += 2)
		sum += be16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static enum rx_verdict parse_arp(const uint8_t *a, uint32_t len,
				 const struct rx_filter *f, struct rx_parsed *out)
{
	/* htype(2) ptype(2) hlen(1) plen(1) oper(2) sha(6) spa(4) tha(6) tpa(4) */
	if (len < 28)
		return RX_RUNT;
	if (be16(a) != 1 || be16(a + 2) != PSP_ETHERTYPE_IPV4 || a[4] != 6 || a[5] != 4)
		return RX_ARP_OTHER;
	uint16_t oper = be16(a + 6);
	uint32_t tpa = be32(a + 24);
	if (tpa != f->ip)
		return RX_ARP_OTHER;
	memcpy(out->arp_sha, a + 8, 6);
	out->arp_spa = be32(a + 14);
	if (oper == 1)
		return RX_ARP_REQUEST;
	if (oper == 2)
		return RX_ARP_REPLY;
	return RX_ARP_OTHER;
}

enum rx_verdict rx_parse(const uint8_t *frame, uint32_t len,
			 const struct rx_filter *f, struct rx_parsed *out)
{
	if (len < PSP_ETH_HDR_BYTES)
		return RX_RUNT;
	uint16_t ethertype = be16(frame + 12);
	if (ethertype == PSP_ETHERTYPE_ARP)
		return parse_arp(frame + PSP_ETH_HDR_BYTES, len - PSP_ETH_HDR_BYTES, f, out);
	if (ethertype != PSP_ETHERTYPE_IPV4)
		return RX_BAD_ETHER;
	if (memcmp(frame, f->mac, 6) != 0)
		return RX_NOT_OURS; /* unicast IPv4 to another host, or broadcast */

	const uint8_t *ip = frame + PSP_ETH_HDR_BYTES;
	uint32_t l3_len = len - PSP_ETH_HDR_BYTES;
	if (l3_len < PSP_IPV4_HDR_BYTES + PSP_UDP_HDR_BYTES)
		return RX_RUNT;
	uint32_t version = ip[0] >> 4, ihl_bytes = (ip[0] & 0x0fu) * 4u;
	uint32_t total = be16(ip + 2);
	if (version != 4 || ihl_bytes < PSP_IPV4_HDR_BYTES)
		return RX_BAD_IP;
	/* total may be below l3_len (Ethernet padding), never above it. */
	if (total < ihl_bytes || total > l3_len)
		return RX_BAD_IP;
	if ((be16(ip + 6) & 0x3fffu) != 0) /* MF set or a fragment offset */
		return RX_BAD_IP;
	if (rx_ipv4_hdr_cksum(ip, ihl_bytes) != 0)
		return RX_BAD_IP;
	if (be32(ip + 16) != f->ip)
		return RX_NOT_OURS;
	if (ip[9] != PSP_IPPROTO_UDP)
		return RX_NOT_UDP;
	if (total < ihl_bytes + PSP_UDP_HDR_BYTES)
		return RX_RUNT;
	const uint8_t *udp = ip + ihl_bytes;
	uint32_t udp_len = be16(udp + 4);
	if (udp_len < PSP_UDP_HDR_BYTES || udp_len > total - ihl_bytes)
		return RX_BAD_IP;
	if (be16(udp + 2) != f->udp_port)
		return RX_BAD_PORT;
	if (udp_len - PSP_UDP_HDR_BYTES < PSP_WIRE_PAYLOAD_BYTES)
		return RX_SHORT_PAYLOAD;

	const uint8_t *pl = udp + PSP_UDP_HDR_BYTES;
	memcpy(out->src_mac, frame + 6, 6);
	out->src_ip = be32(ip + 12);
	out->src_port = be16(udp);
	out->req.req_id = le32(pl);
	out->req.type = le32(pl + 4);
	out->req.reqsize = le32(pl + 8);
	out->req.run_ns = le32(pl + 12);
	return RX_REQUEST;
}
