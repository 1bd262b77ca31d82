/* Frame construction; see frame.h. */
#include <string.h>

#include "frame.h"
#include "rx_parse.h"

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* UDP checksum over the IPv4 pseudo-header and the datagram. */
static uint16_t udp_cksum(uint32_t src, uint32_t dst, const uint8_t *udp, uint32_t len)
{
	uint32_t sum = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
		       PSP_IPPROTO_UDP + len;
	for (uint32_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)((udp[i] << 8) | udp[i + 1]);
	if (len & 1)
		sum += (uint32_t)udp[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	uint16_t c = (uint16_t)~sum;
	return c == 0 ? 0xffff : c; /* 0 means "no checksum" in UDP over IPv4 */
}

uint32_t frame_build_udp(uint8_t *buf, const struct frame_ends *e,
			 const struct psp_wire_req *payload)
{
	memset(buf, 0, PSP_ETH_MIN_BYTES);
	memcpy(buf, e->dst_mac, 6);
	memcpy(buf + 6, e->src_mac, 6);
	put16(buf + 12, PSP_ETHERTYPE_IPV4);

	uint8_t *ip = buf + PSP_ETH_HDR_BYTES;
	ip[0] = 0x45;
	put16(ip + 2, PSP_IPV4_HDR_BYTES + PSP_UDP_HDR_BYTES + PSP_WIRE_PAYLOAD_BYTES);
	put16(ip + 6, 0x4000); /* DF: we never fragment */
	ip[8] = 64;
	ip[9] = PSP_IPPROTO_UDP;
	put32(ip + 12, e->src_ip);
	put32(ip + 16, e->dst_ip);
	put16(ip + 10, rx_ipv4_hdr_cksum(ip, PSP_IPV4_HDR_BYTES));

	uint8_t *udp = ip + PSP_IPV4_HDR_BYTES;
	put16(udp, e->src_port);
	put16(udp + 2, e->dst_port);
	put16(udp + 4, PSP_UDP_HDR_BYTES + PSP_WIRE_PAYLOAD_BYTES);
	uint8_t *pl = udp + PSP_UDP_HDR_BYTES;
	put_le32(pl, payload->req_id);
	put_le32(pl + 4, payload->type);
	put_le32(pl + 8, payload->reqsize);
	put_le32(pl + 12, payload->run_ns);
	put16(udp + 6, udp_cksum(e->src_ip, e->dst_ip, udp,
				 PSP_UDP_HDR_BYTES + PSP_WIRE_PAYLOAD_BYTES));
	return PSP_ETH_MIN_BYTES;
}

static uint32_t build_arp(uint8_t *buf, uint16_t oper, const uint8_t eth_dst[6],
			  const uint8_t sha[6], uint32_t spa, const uint8_t tha[6],
			  uint32_t tpa)
{
	memset(buf, 0, PSP_ETH_MIN_BYTES);
	memcpy(buf, eth_dst, 6);
	memcpy(buf + 6, sha, 6);
	put16(buf + 12, PSP_ETHERTYPE_ARP);
	uint8_t *a = buf + PSP_ETH_HDR_BYTES;
	put16(a, 1);
	put16(a + 2, PSP_ETHERTYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, oper);
	memcpy(a + 8, sha, 6);
	put32(a + 14, spa);
	memcpy(a + 18, tha, 6);
	put32(a + 24, tpa);
	return PSP_ETH_MIN_BYTES;
}

uint32_t frame_build_arp_reply(uint8_t *buf, const uint8_t mac[6], uint32_t ip,
			       const uint8_t sha[6], uint32_t spa)
{
	return build_arp(buf, 2, sha, mac, ip, sha, spa);
}

uint32_t frame_build_arp_request(uint8_t *buf, const uint8_t mac[6], uint32_t ip,
				 uint32_t tpa)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t zero[6] = {0};
	return build_arp(buf, 1, bcast, mac, ip, zero, tpa);
}
